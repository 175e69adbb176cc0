// Unit scorecards: the trend of the composite score and the three rates per unit over the
// last periods, fetched as JSON (data-url on #scorecard-charts) and drawn with Apache
// ECharts. No inline script or style: the CSP forbids both. Each chart container gets
// data-drawn="true" (or "empty"); the root gets data-state "drawn" or "error".
(function () {
  "use strict";

  var FONT = window.getComputedStyle(document.documentElement).fontFamily || "sans-serif";

  function fmt(value, suffix) {
    return value === null || value === undefined ? "—" : value + suffix;
  }

  function option(data, name) {
    var percent = name !== "composite";
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      title: { text: data.labels[name], left: 0, top: 0, textStyle: { fontSize: 14 } },
      tooltip: {
        trigger: "axis", renderMode: "richText", confine: true,
        valueFormatter: function (v) { return fmt(v, percent ? "%" : ""); }
      },
      legend: { top: 24, type: "scroll" },
      grid: { left: 16, right: 16, top: 64, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.periods },
      yAxis: percent
        ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
        : { type: "value", min: 0, max: 100 },
      series: data.units.map(function (u) {
        return { name: u.name, type: "line", data: u[name], connectNulls: false, symbolSize: 6 };
      })
    };
  }

  function draw(root, data) {
    var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
    var charts = [];
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.dataset.chart;
      if (data.units.length === 0) {
        el.classList.add("chart-empty");
        el.textContent = data.labels.no_data;
        el.dataset.drawn = "empty";
        return;
      }
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { locale: locale, renderer: "canvas" });
      chart.setOption(option(data, name), true);
      el.dataset.drawn = "true";
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  }

  function fail(root) {
    root.dataset.state = "error";
    var status = root.querySelector("[data-dash-status]");
    if (status) { status.textContent = root.dataset.errorText || ""; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("scorecard-charts");
    if (!root || !root.dataset.url) { return; }
    if (!window.echarts) { fail(root); return; }
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) { draw(root, data); root.dataset.state = "drawn"; })
      .catch(function () { fail(root); });
  });
})();
