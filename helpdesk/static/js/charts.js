/* Dashboard charts: each <canvas data-chart='{...}'> is drawn with Chart.js from the JSON it carries (no inline
   script, as the Content-Security-Policy requires). The same values are in the table beside each chart. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  // DSFR illustrative colours, distinguishable side by side (blue France, tuile, menthe, tournesol, glycine...).
  var COLOURS = ["#000091", "#e1000f", "#009081", "#c3992a", "#a558a0", "#6a6af4", "#ce614a", "#417dc4", "#7d4e5b"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.font.family = "Marianne, arial, sans-serif";
  Chart.defaults.color = "#3a3a3a";

  function draw(canvas) {
    var spec;
    try { spec = JSON.parse(canvas.getAttribute("data-chart")); } catch (e) { return; }
    var percent = !!spec.percent;
    var datasets = spec.datasets.map(function (dataset, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: spec.type === "line" ? 2 : 0,
        pointRadius: spec.type === "line" ? 3 : 0,
        spanGaps: true,
        fill: false
      };
    });
    var valueAxis = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
    if (percent) { valueAxis.max = 100; valueAxis.ticks.callback = function (v) { return v + " %"; }; }
    var categoryAxis = { stacked: !!spec.stacked, ticks: { autoSkip: true, maxRotation: 45 } };
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        indexAxis: spec.horizontal ? "y" : "x",
        scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: percent ? {
              label: function (ctx) { return ctx.dataset.label + " : " + (ctx.raw === null ? "—" : ctx.raw + " %"); }
            } : {}
          }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
