// Queue selection bar (templates/tickets/_bulk_bar.html): tick rows, or all on the page, then "all
// matching the filters"; only the chosen action's parameter fields are shown and sent.
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function picks() { return Array.prototype.slice.call(document.querySelectorAll(".bulk-pick")); }
  function matching(on) {
    var field = $("bulk-all-matching");
    if (!field) return;
    field.value = on ? "1" : "0";
    $("bulk-matching-selected").hidden = !on;
    $("bulk-selected").hidden = on;
  }
  function update() {
    var form = $("bulk-form");
    if (!form) return;
    var chosen = picks().filter(function (c) { return c.checked; });
    var all = picks().length > 0 && chosen.length === picks().length;
    $("bulk-selected-count").textContent = String(chosen.length);
    form.hidden = chosen.length === 0;
    var page = $("bulk-all-page");
    if (page) { page.checked = all; page.indeterminate = chosen.length > 0 && !all; }
    $("bulk-select-matching").hidden = !all || $("bulk-all-matching").value === "1";
    if (!all) matching(false);
  }
  function showParams() {
    var action = $("bulk-action");
    if (!action) return;
    document.querySelectorAll(".bulk-params").forEach(function (fs) {
      var on = (" " + fs.getAttribute("data-for") + " ").indexOf(" " + action.value + " ") >= 0;
      fs.hidden = !on;
      fs.disabled = !on; // a disabled fieldset's fields are not sent
    });
    var status = $("bulk-status");
    document.querySelectorAll("[data-when-status]").forEach(function (row) {
      row.hidden = !status || status.value !== row.getAttribute("data-when-status");
    });
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (!t) return;
    if (t.id === "bulk-all-page") { picks().forEach(function (c) { c.checked = t.checked; }); update(); }
    else if (t.classList && t.classList.contains("bulk-pick")) update();
    else if (t.id === "bulk-action" || t.id === "bulk-status") showParams();
  });
  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target.closest("button") : null;
    if (!t) return;
    if (t.id === "bulk-select-matching") {
      var n = t.querySelector(".bulk-matching-count").textContent;
      document.querySelectorAll(".bulk-matching-count").forEach(function (s) { s.textContent = n; });
      matching(true);
      t.hidden = true;
    }
    else if (t.id === "bulk-clear") { picks().forEach(function (c) { c.checked = false; }); update(); }
  });
  function init() { showParams(); update(); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
