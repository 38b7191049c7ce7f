// Draws every [data-chart-url] element with ECharts from the JSON of its endpoint
// ({labels, series: [{name, values}], unit}); the same shape for every chart.
(function () {
  "use strict";

  function option(kind, data) {
    if (kind === "pie") {
      var values = data.series.length ? data.series[0].values : [];
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          data: data.labels.map(function (label, i) { return { name: label, value: values[i] }; }),
        }],
      };
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", name: data.unit || "" },
      series: data.series.map(function (s) { return { name: s.name, type: kind, data: s.values }; }),
    };
  }

  function draw(element) {
    // The height comes as data: a style attribute would break the page's CSP.
    if (element.dataset.chartHeight) { element.style.height = element.dataset.chartHeight; }
    fetch(element.dataset.chartUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.json();
      })
      .then(function (data) {
        var chart = echarts.init(element);
        chart.setOption(option(element.dataset.chartKind || "bar", data));
        element.dataset.chartReady = "true";
        window.addEventListener("resize", function () { chart.resize(); });
      })
      .catch(function (error) {
        element.textContent = String(error);
        element.dataset.chartReady = "error";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart-url]").forEach(draw);
  });
})();
