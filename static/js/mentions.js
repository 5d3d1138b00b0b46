// @-mentions in the agent ticket page's note box: typing "@" and a few letters offers colleagues by full
// name (an ARIA combobox with a listbox: arrow keys, Enter or Tab to choose, Escape to close). Choosing one
// inserts "@[Full Name|id]", the stable reference the server turns into a notification and the page shows
// as the current name. Colleagues who cannot see the ticket are listed but cannot be chosen.
(function () {
  "use strict";
  var config = document.getElementById("mention-config");
  if (!config) return;
  var area = document.getElementById(config.dataset.textarea);
  if (!area) return;

  var QUERY = /(^|[\s(])@([^\s@\[\]|]{0,30}(?: [^\s@\[\]|]{0,30})?)$/;
  var box = document.createElement("ul");
  box.id = "mention-listbox";
  box.className = "mention-list";
  box.setAttribute("role", "listbox");
  box.setAttribute("aria-label", config.dataset.hint);
  box.hidden = true;
  var live = document.createElement("div");
  live.className = "sr-only";
  live.setAttribute("aria-live", "polite");
  var hint = document.createElement("p");
  hint.className = "muted small mention-hint";
  hint.id = "mention-hint";
  hint.textContent = config.dataset.hint;
  area.parentNode.style.position = "relative";
  area.insertAdjacentElement("afterend", hint);
  hint.insertAdjacentElement("afterend", box);
  hint.insertAdjacentElement("afterend", live);

  area.setAttribute("role", "combobox");
  area.setAttribute("aria-autocomplete", "list");
  area.setAttribute("aria-controls", box.id);
  area.setAttribute("aria-expanded", "false");
  area.setAttribute("aria-describedby", hint.id);

  var results = [];
  var active = -1;
  var start = -1; // where the "@" of the query being typed is
  var timer = null;
  var seq = 0;

  function close() {
    box.hidden = true;
    box.innerHTML = "";
    results = [];
    active = -1;
    start = -1;
    area.setAttribute("aria-expanded", "false");
    area.removeAttribute("aria-activedescendant");
  }

  function choosable(i) {
    return results[i] && results[i].can_see;
  }

  function setActive(i) {
    active = i;
    Array.prototype.forEach.call(box.children, function (li, n) {
      li.setAttribute("aria-selected", n === i ? "true" : "false");
    });
    if (i >= 0) area.setAttribute("aria-activedescendant", "mention-option-" + i);
    else area.removeAttribute("aria-activedescendant");
  }

  function move(step) {
    if (!results.length) return;
    var i = active;
    for (var n = 0; n < results.length; n++) {
      i = (i + step + results.length) % results.length;
      if (choosable(i)) return setActive(i);
    }
  }

  function render() {
    box.innerHTML = "";
    if (!results.length) {
      var empty = document.createElement("li");
      empty.className = "mention-empty";
      empty.setAttribute("role", "option");
      empty.setAttribute("aria-disabled", "true");
      empty.textContent = config.dataset.none;
      box.appendChild(empty);
    }
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.id = "mention-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.user = r.id;
      li.textContent = r.name + (r.is_me ? " (" + config.dataset.you + ")" : "");
      if (!r.can_see) {
        li.setAttribute("aria-disabled", "true");
        var note = document.createElement("span");
        note.className = "muted small";
        note.textContent = " — " + config.dataset.noAccess;
        li.appendChild(note);
      }
      li.addEventListener("mousedown", function (e) {
        e.preventDefault(); // keep the focus (and the caret) in the note box
        if (r.can_see) choose(i);
      });
      box.appendChild(li);
    });
    box.style.top = area.offsetTop + area.offsetHeight + 2 + "px"; // just below the note box
    box.hidden = false;
    area.setAttribute("aria-expanded", "true");
    live.textContent = results.length ? results.length + " " + config.dataset.count : config.dataset.none;
    var first = results.findIndex(function (r) { return r.can_see; });
    setActive(first);
  }

  function choose(i) {
    var r = results[i];
    if (!r || !r.can_see || start < 0) return;
    var caret = area.selectionStart;
    var before = area.value.slice(0, start);
    var after = area.value.slice(caret);
    var insert = r.token + " ";
    area.value = before + insert + after;
    var pos = before.length + insert.length;
    area.setSelectionRange(pos, pos);
    live.textContent = r.name;
    close();
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }

  function lookup() {
    var caret = area.selectionStart;
    if (caret !== area.selectionEnd) return close();
    var m = QUERY.exec(area.value.slice(0, caret));
    if (!m) return close();
    start = caret - m[2].length - 1;
    var q = m[2];
    var mine = ++seq;
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(config.dataset.url + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (resp) { return resp.ok ? resp.json() : []; })
        .then(function (data) {
          if (mine !== seq || start < 0) return; // a newer keystroke won
          results = Array.isArray(data) ? data : [];
          render();
        })
        .catch(close);
    }, 120);
  }

  area.addEventListener("input", lookup);
  area.addEventListener("click", lookup);
  area.addEventListener("blur", function () { setTimeout(close, 150); });
  area.addEventListener("keydown", function (e) {
    if (box.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) { e.preventDefault(); choose(active); }
    else if (e.key === "Escape") { e.preventDefault(); close(); }
  });

  // A public reply notifies nobody and shows the names to the customer: ask first.
  var form = area.form;
  if (form) {
    form.addEventListener("submit", function (e) {
      var submitter = e.submitter;
      if (submitter && submitter.value === "reply" && /@\[[^\]|\n]+\|\d+\]/.test(area.value)) {
        if (!window.confirm(config.dataset.replyWarning)) e.preventDefault();
      }
    });
  }
})();
