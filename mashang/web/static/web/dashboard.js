// The leaders' dashboard: fetches its figures as JSON (the URL is in data-url) and draws them
// with Apache ECharts, served by mashang itself. No inline script: the CSP forbids it.
// Each chart container gets data-drawn="true" once drawn; #dashboard gets data-state
// "drawn" or "error" (the tables under each chart hold the same figures either way).
(function () {
  "use strict";

  var COLORS = {
    accent: "#1f5fbf",
    ok: "#1e7a45",
    basic: "#e0a000",
    late: "#b3261e",
    muted: "#8a93a6",
    line: "#d9dee8"
  };

  // The canvas does not inherit CSS fonts: give ECharts the page's own font stack.
  var FONT = window.getComputedStyle(document.documentElement).fontFamily || "sans-serif";

  function percentAxis() {
    return { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  }

  function base(extra) {
    var option = {
      animation: false,
      textStyle: { fontFamily: FONT },
      // Rich-text tooltips are drawn on the canvas: no HTML with style attributes (CSP).
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 16, right: 16, top: 36, bottom: 8, containLabel: true }
    };
    Object.keys(extra).forEach(function (k) { option[k] = extra[k]; });
    return option;
  }

  function pct(value) { return value === null || value === undefined ? "—" : value + "%"; }

  // Category axes with many units need room: one band per unit.
  function fitHeight(el, count) {
    var height = Math.max(240, count * 34 + 80);
    el.style.height = height + "px";
  }

  var BUILDERS = {
    volume: function (data, L) {
      return base({
        xAxis: { type: "category", data: data.volume.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: L.filed, type: "bar", data: data.volume.filed, itemStyle: { color: COLORS.accent } },
          { name: L.closed, type: "line", data: data.volume.closed, itemStyle: { color: COLORS.ok }, symbolSize: 6 }
        ]
      });
    },
    on_time: function (data, L, el) {
      fitHeight(el, data.on_time.units.length);
      return base({
        tooltip: { trigger: "axis", renderMode: "richText", confine: true, valueFormatter: pct },
        xAxis: percentAxis(),
        yAxis: { type: "category", data: data.on_time.units, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
        series: [
          { name: L.first_contact, type: "bar", data: data.on_time.first_contact, itemStyle: { color: COLORS.accent } },
          { name: L.resolution, type: "bar", data: data.on_time.resolution, itemStyle: { color: COLORS.ok } }
        ]
      });
    },
    satisfaction: function (data, L, el) {
      var s = data.satisfaction;
      fitHeight(el, s.units.length);
      function stack(name, values, color) {
        return { name: name, type: "bar", stack: "share", data: values, itemStyle: { color: color } };
      }
      return base({
        tooltip: { trigger: "axis", renderMode: "richText", confine: true, valueFormatter: pct },
        xAxis: percentAxis(),
        yAxis: { type: "category", data: s.units, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
        series: [
          stack(L.satisfied, s.satisfied, COLORS.ok),
          stack(L.basic, s.basic, COLORS.basic),
          stack(L.unsatisfied, s.unsatisfied, COLORS.late)
        ]
      });
    },
    categories: function (data, L, el) {
      var c = data.categories;
      fitHeight(el, c.names.length);
      return base({
        legend: { show: false },
        grid: { left: 16, right: 32, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: c.names, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
        series: [{ name: L.demands, type: "bar", data: c.counts, itemStyle: { color: COLORS.accent }, label: { show: true, position: "right" } }]
      });
    },
    trend: function (data, L) {
      var t = data.trend;
      function line(name, values, color) {
        return { name: name, type: "line", data: values, connectNulls: false, symbolSize: 6, itemStyle: { color: color } };
      }
      return base({
        tooltip: { trigger: "axis", renderMode: "richText", confine: true, valueFormatter: pct },
        xAxis: { type: "category", data: t.months },
        yAxis: percentAxis(),
        series: [
          line(L.first_contact, t.first_contact, COLORS.accent),
          line(L.resolution, t.resolution, COLORS.ok),
          line(L.satisfaction_rate, t.satisfaction, COLORS.basic)
        ]
      });
    }
  };

  function isEmpty(name, data) {
    if (name === "volume" || name === "trend") { return data.headline.filed === 0; }
    if (name === "on_time") { return data.on_time.units.length === 0; }
    if (name === "satisfaction") { return data.satisfaction.units.length === 0; }
    if (name === "categories") { return data.categories.names.length === 0; }
    return false;
  }

  function draw(root, data) {
    var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
    var charts = [];
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.dataset.chart;
      var build = BUILDERS[name];
      if (!build) { return; }
      if (isEmpty(name, data)) {
        el.classList.add("chart-empty");
        el.textContent = data.labels.no_data;
        el.dataset.drawn = "empty";
        return;
      }
      var option = build(data, data.labels, el);
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { locale: locale, renderer: "canvas" });
      chart.setOption(option, true);
      el.dataset.drawn = "true";
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  }

  function fail(root, message) {
    root.dataset.state = "error";
    var status = root.querySelector("[data-dash-status]");
    if (status) { status.textContent = message; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("dashboard");
    if (!root || !root.dataset.url) { return; }
    if (!window.echarts) {
      fail(root, root.dataset.errorText || "");
      return;
    }
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        draw(root, data);
        root.dataset.state = "drawn";
      })
      .catch(function () { fail(root, root.dataset.errorText || ""); });
  });
})();
