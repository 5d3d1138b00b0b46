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
