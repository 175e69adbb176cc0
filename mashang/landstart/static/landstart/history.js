// Land start history: minutes from the award to the construction permit of each completed
// run, in award order, as a line (so 145 → 40 reads as a fall), with the best record so far
// as a stepped line under it, drawn with Apache ECharts
// from the JSON the page carries (#history-data). No inline script or style: the CSP forbids
// both. The chart's container gets data-state "drawn" (or "error").
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("history-chart");
    var source = document.getElementById("history-data");
    if (!el || !source) { return; }
    if (!window.echarts) { el.dataset.state = "error"; return; }
    var data = JSON.parse(source.textContent);
    var font = window.getComputedStyle(document.documentElement).fontFamily || "sans-serif";
    var locale = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
    var chart = window.echarts.init(el, null, { locale: locale, renderer: "canvas" });
    var points = data.minutes.map(function (value, i) {
      return i === data.best
        ? { value: value, symbolSize: 14, itemStyle: { color: "#1e7a45" }, label: { show: true, formatter: data.names.best + " {c}", position: "bottom", color: "#1e7a45", fontWeight: "bold" } }
        : value;
    });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: font },
      tooltip: {
        trigger: "axis", renderMode: "richText", confine: true,
        formatter: function (items) {
          var i = items[0].dataIndex;
          var text = data.projects[i] + "\n" + data.minutes[i] + " " + data.names.axis;
          if (data.best_so_far) {
            text += "\n" + data.names.best_so_far + " " + data.best_so_far[i] + " " + data.names.axis;
          }
          return text;
        }
      },
      legend: { top: 0, data: data.best_so_far ? [data.names.series, data.names.best_so_far] : [data.names.series] },
      grid: { left: 16, right: 24, top: 48, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", min: 0, name: data.names.axis },
      series: [{
        name: data.names.series, type: "line", data: points, symbolSize: 9,
        lineStyle: { width: 3, color: "#b3261e" }, itemStyle: { color: "#b3261e" },
        label: { show: true, position: "top" }
      }].concat(data.best_so_far ? [{
        name: data.names.best_so_far, type: "line", step: "end", data: data.best_so_far,
        symbol: "none", lineStyle: { width: 2, type: "dashed", color: "#1e7a45" },
        itemStyle: { color: "#1e7a45" }, z: 1
      }] : [])
    });
    el.dataset.state = "drawn";
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { chart.resize(); }, 150);
    });
  });
})();
