// Time panel on the agent ticket page: the running timer's elapsed time, ticking. The timer itself
// lives on the server (started_at), so a reload or a second tab shows the same clock.
(function () {
  "use strict";
  if (window.helpdeskTimeTicker) return; // the panel is swapped by htmx and brings this script again
  window.helpdeskTimeTicker = true;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    document.querySelectorAll("[data-timer-started]").forEach(function (el) {
      var started = Date.parse(el.getAttribute("data-timer-started"));
      if (isNaN(started)) return;
      var s = Math.max(0, Math.floor((Date.now() - started) / 1000));
      el.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    });
  }
  tick();
  window.setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
})();
