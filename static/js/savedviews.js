// Saved views in the agent queue (templates/savedviews/_sidebar.html).
(function () {
  // The list starts folded on a narrow screen (the queue comes first there), open on a wide one.
  var panel = document.getElementById("saved-views");
  if (panel && window.matchMedia("(max-width: 720px)").matches) panel.open = false;
  // "Save as view" and "Save filters to this view" take the filters as they are now: htmx changes
  // them without reloading the page (without JavaScript the link's own query is the current one).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-with-filters]");
    var form = document.getElementById("queue-filters");
    if (!link || !form) return;
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "" && key !== "cursor") params.append(key, value);
    });
    link.href = link.href.split("?")[0] + "?" + params.toString();
  });
})();
