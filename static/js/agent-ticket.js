// Agent ticket page: shows the priority that impact × urgency give while the agent picks them.
(function () {
  "use strict";
  function matrix() {
    var el = document.getElementById("priority-matrix");
    return el ? JSON.parse(el.textContent) : {};
  }
  function preview() {
    var impact = document.getElementById("id_impact");
    var urgency = document.getElementById("id_urgency");
    var out = document.getElementById("prio-preview");
    if (!impact || !urgency || !out) return;
    var p = matrix()[impact.value + "|" + urgency.value];
    if (p) { out.textContent = p; out.className = "badge badge-" + p; }
  }
  document.addEventListener("change", function (e) {
    if (e.target && (e.target.id === "id_impact" || e.target.id === "id_urgency")) preview();
  });
  document.addEventListener("htmx:afterSettle", preview);
  document.addEventListener("DOMContentLoaded", preview);
})();

// Right column: each collapsible panel stays as the agent last left it (open or closed), per browser.
(function () {
  "use strict";
  var KEY = "helpdesk.sidePanels";
  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function apply() {
    var saved = load();
    document.querySelectorAll("details.side-panel[data-panel]").forEach(function (d) {
      var state = saved[d.dataset.panel];
      if (state !== undefined) d.open = state;
    });
  }
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!d.matches || !d.matches("details.side-panel[data-panel]")) return;
    var saved = load();
    saved[d.dataset.panel] = d.open;
    try { window.localStorage.setItem(KEY, JSON.stringify(saved)); } catch (err) { /* private mode */ }
  }, true);
  document.addEventListener("DOMContentLoaded", apply);
})();
