// The pipeline page: projects and planned investment by stage, type and industry, drawn with
// Apache ECharts (served by mashang) from the JSON in #pipeline-data. No inline script or
// style: the CSP forbids both. Each chart container gets data-drawn="true" (or "empty");
// #pipeline-charts gets data-state "drawn" or "error" (the tables hold the same figures).
(function () {
  "use strict";

  var FONT = window.getComputedStyle(document.documentElement).fontFamily || "sans-serif";
  var COLORS = { count: "#1f5fbf", investment: "#1e7a45" };

  function option(series, labels, horizontal) {
    var category = { type: "category", data: series.labels, axisLabel: { interval: 0, width: 110, overflow: "truncate" } };
    if (horizontal) { category.inverse = true; }
    // Axis titles stay inside the chart: above a vertical axis, aligned inwards (the right
    // one ends at the right edge); under or over a horizontal one, centred.
    function titled(axis, align) {
      axis.nameLocation = horizontal ? "middle" : "end";
      axis.nameGap = horizontal ? 28 : 14;
      axis.nameTextStyle = { align: horizontal ? "center" : align };
      return axis;
    }
    var count = titled({ type: "value", name: labels.count, minInterval: 1 }, "left");
    var money = titled({ type: "value", name: labels.investment }, "right");
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 16, right: 16, top: horizontal ? 64 : 56, bottom: horizontal ? 36 : 8, containLabel: true },
      xAxis: horizontal ? [count, money] : category,
      yAxis: horizontal ? category : [count, money],
      series: [
        { name: labels.count, type: "bar", data: series.counts, itemStyle: { color: COLORS.count } },
        {
          name: labels.investment, type: "bar", data: series.investment, itemStyle: { color: COLORS.investment },
          xAxisIndex: horizontal ? 1 : 0, yAxisIndex: horizontal ? 0 : 1
        }
      ]
    };
  }

  function draw() {
    var root = document.getElementById("pipeline-charts");
    var source = document.getElementById("pipeline-data");
    if (!root || !source || !window.echarts) { return; }
    try {
      var data = JSON.parse(source.textContent);
      var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
      var charts = [];
      root.querySelectorAll("[data-chart]").forEach(function (el) {
        var series = data[el.dataset.chart];
        if (!series || !series.labels.length) { el.dataset.drawn = "empty"; return; }
        var horizontal = el.dataset.chart !== "stages";
        if (horizontal) { el.style.height = Math.max(240, series.labels.length * 44 + 90) + "px"; }
        var chart = window.echarts.init(el, null, { renderer: "canvas", locale: locale });
        chart.setOption(option(series, data.labels, horizontal));
        charts.push(chart);
        el.dataset.drawn = "true";
      });
      window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
      root.dataset.state = "drawn";
    } catch (e) {
      root.dataset.state = "error";
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
