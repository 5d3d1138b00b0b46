// The saved views' list starts folded on a narrow screen (the queue comes first there), open on a wide one.
(function () {
  var panel = document.getElementById("saved-views");
  if (panel && window.matchMedia("(max-width: 720px)").matches) panel.open = false;
})();
