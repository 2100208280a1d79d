/* The dashboard's charts (ECharts, vendored): data from the page's JSON, every mark links to its cases. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("stats-charts").textContent);
  var charts = [];
  function make(id, option, links) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    if (links) chart.on("click", function (p) { var to = links(p); if (to) window.location.href = to; });
    charts.push(chart);
  }
  var red = "#b42318", blue = "#2e5aac", green = "#0e7c4a";
  function trend(id, rows) {
    make(id, {
      tooltip: { trigger: "axis" }, legend: { data: ["受理量", "办结量", "满意率"], bottom: 0 },
      grid: { left: 40, right: 40, top: 20, bottom: 50 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: "受理量", type: "bar", data: rows.map(function (r) { return r.intake; }), itemStyle: { color: blue } },
        { name: "办结量", type: "bar", data: rows.map(function (r) { return r.resolved; }), itemStyle: { color: green } },
        { name: "满意率", type: "line", yAxisIndex: 1, itemStyle: { color: red },
          data: rows.map(function (r) { return r.satisfaction_rate === null ? null : Math.round(r.satisfaction_rate * 1000) / 10; }) }
      ]
    }, function (p) { return rows[p.dataIndex].link; });
  }
  if (data.weekly) trend("chart-weekly", data.weekly);
  if (data.monthly) trend("chart-monthly", data.monthly);

  if (data.map && data.map.geojson.features.length) {
    echarts.registerMap("scope", data.map.geojson);
    make("chart-map", {
      tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + (p.value || 0) + " 件"; } },
      visualMap: { min: 0, max: Math.max(1, data.map.max), left: 0, bottom: 0, calculable: true, text: ["多", "少"],
                   inRange: { color: ["#fff5f0", "#fcbba1", "#fb6a4a", "#a50f15"] } },
      series: [{ type: "map", map: "scope", roam: true, nameProperty: "name", data: data.map.data,
                 emphasis: { label: { show: true } } }]
    }, function (p) { return p.data && p.data.link; });
  } else if (data.map) {
    document.getElementById("chart-map").textContent = "尚未载入村（社区）边界：见 docs/geography.md（jiceng load-geo）。";
  }
  if (data.categories) make("chart-categories", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.categories, label: { formatter: "{b} {c}" } }]
  }, function (p) { return data.categories[p.dataIndex].link; });
  function bars(id, labels, values) {
    make(id, {
      tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 10, bottom: 30 },
      xAxis: { type: "category", data: labels }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: values, itemStyle: { color: blue } }]
    });
  }
  if (data.patterns) {
    bars("chart-hours", data.patterns.hours.map(function (_v, i) { return i + "时"; }), data.patterns.hours);
    bars("chart-weekdays", data.patterns.weekday_labels, data.patterns.weekdays);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
