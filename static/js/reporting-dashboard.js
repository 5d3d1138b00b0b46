// Charts of the supervisor dashboard; data comes from a json_script element (no inline script).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("reporting-data");
    if (!el || typeof Chart === "undefined") return;
    var data = JSON.parse(el.textContent);
    var L = data.labels;
    var trend = document.getElementById("chart-trend");
    if (trend) {
      new Chart(trend, {
        type: "line",
        data: {
          labels: data.trend.labels,
          datasets: [
            { label: L.created, data: data.trend.created, borderColor: "#2458d3", tension: 0.2 },
            { label: L.resolved, data: data.trend.resolved, borderColor: "#2f855a", tension: 0.2 },
            { label: L.fcr, data: data.trend.fcr, borderColor: "#b7791f", tension: 0.2 }
          ]
        },
        options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var backlog = document.getElementById("chart-backlog");
    if (backlog) {
      var keys = Object.keys(data.backlog_age);
      new Chart(backlog, {
        type: "bar",
        data: {
          labels: keys.map(function (k) { return L.age[k] || k; }),
          datasets: [{ label: L.tickets, data: keys.map(function (k) { return data.backlog_age[k]; }), backgroundColor: "#2458d3" }]
        },
        options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var flow = document.getElementById("chart-flow");
    if (flow) {
      new Chart(flow, {
        type: "bar",
        data: {
          labels: data.flow.map(function (r) { return r.from_tier + " → " + r.to_tier; }),
          datasets: [{
            label: L.tickets,
            data: data.flow.map(function (r) { return r.tickets; }),
            backgroundColor: data.flow.map(function (r) { return r.kind === "escalated" ? "#c2331f" : "#2f855a"; })
          }]
        },
        options: { animation: false, indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var cats = document.getElementById("chart-categories");
    if (cats) {
      new Chart(cats, {
        type: "bar",
        data: {
          labels: data.categories.map(function (r) { return r.name || L.no_category; }),
          datasets: [
            { label: L.created, data: data.categories.map(function (r) { return r.created; }), backgroundColor: "#2458d3" },
            { label: L.escalated, data: data.categories.map(function (r) { return r.escalated; }), backgroundColor: "#c2331f" }
          ]
        },
        options: { animation: false, indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
