// The escalate form's article picker: an article ticked among the search results moves up into the
// list of picked ones, so the next search (which replaces the results) does not lose it.
(function () {
  if (window.escalateLoaded) return;
  window.escalateLoaded = true;
  document.addEventListener("change", function (ev) {
    var box = ev.target;
    var results = document.getElementById("article-results");
    var picks = document.getElementById("article-picks");
    if (!results || !picks || !box.matches("input[name=articles_tried]") || !results.contains(box)) return;
    if (box.checked) picks.appendChild(box.closest("li"));
  });
})();
