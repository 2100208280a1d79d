/* The submission form: category search, township → village → grid cascade, a map pin and the phone's GPS.
   Everything works without this file too (plain selects); it only makes them quicker to use. */
(function () {
  "use strict";
  var form = document.getElementById("new-case");
  if (!form) return;
  var $ = function (id) { return document.getElementById(id); };
  var changed = function (el) { el.dispatchEvent(new Event("change", { bubbles: true })); };

  // --- category: type a word, the matching leaves stay ---------------------------------
  var search = $("f-category-search"), category = $("f-category");
  search.addEventListener("input", function () {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean), shown = [];
    Array.prototype.forEach.call(category.options, function (o) {
      var text = (o.dataset.words || o.textContent).toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      o.hidden = !match; o.disabled = !match;
      if (match) shown.push(o);
    });
    Array.prototype.forEach.call(category.querySelectorAll("optgroup"), function (g) {
      g.hidden = !g.querySelector("option:not([hidden])");
    });
    $("category-none").hidden = shown.length > 0;
    if (shown.length === 1 && category.value !== shown[0].value) { category.value = shown[0].value; changed(category); }
  });

  // --- place: township filters villages; a village loads its grids ------------------------
  var township = $("f-township"), area = $("f-area"), grid = $("f-grid"), wantedGrid = null;
  function filterVillages() {
    Array.prototype.forEach.call(area.options, function (o) {
      if (!o.value) return;
      var hide = township.value && o.dataset.township !== township.value;
      o.hidden = hide; o.disabled = hide;
    });
    if (area.selectedOptions[0] && area.selectedOptions[0].disabled) { area.value = ""; changed(area); }
  }
  township.addEventListener("change", filterVillages);
  filterVillages();
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.target === grid && wantedGrid) { grid.value = String(wantedGrid); wantedGrid = null; }
  });

  // --- a position (map pin or GPS) selects the township, village and grid ------------------
  var mapBox = $("pin-map"), status = $("gps-status"), gps = $("use-gps"), chart = null;
  function place(lat, lon, how) {
    $("f-lat").value = lat.toFixed(6); $("f-lon").value = lon.toFixed(6);
    if (chart) chart.setOption({ series: [{ type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 34, data: [[lon, lat]] }] });
    fetch(mapBox.dataset.locate + "?lat=" + lat + "&lon=" + lon, { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
      .then(function (res) {
        if (!res.ok) { status.textContent = res.d.error; return; }
        township.value = res.d.township; filterVillages();
        area.value = res.d.area; wantedGrid = res.d.grid; changed(area);
        status.textContent = how + "：" + res.d.township_name + " " + res.d.area_name;
      })
      .catch(function () { status.textContent = ""; });
  }
  gps.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = gps.dataset.noGps; return; }
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (p) { place(p.coords.latitude, p.coords.longitude, gps.dataset.gpsLabel); },
      function (err) { status.textContent = err.message; }, { enableHighAccuracy: true, timeout: 15000 });
  });

  // --- the county's map (ECharts, offline): tap to pin ---------------------------------------
  function drawMap(geojson) {
    if (!window.echarts || !geojson.features.length) return;
    mapBox.hidden = false; $("pin-help").hidden = false;
    echarts.registerMap("county", geojson);
    chart = echarts.init(mapBox);
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) { return p.name; } },
      geo: { map: "county", roam: true, label: { show: false }, itemStyle: { areaColor: "#f8fafc", borderColor: "#9aa5b1" },
             emphasis: { itemStyle: { areaColor: "#fde2e1" }, label: { show: true } } },
      series: [],
    });
    chart.getZr().on("click", function (e) {
      var pt = chart.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]);
      if (pt) place(pt[1], pt[0], gps.dataset.pinLabel);
    });
    window.addEventListener("resize", function () { chart.resize(); });
    var lat = parseFloat($("f-lat").value), lon = parseFloat($("f-lon").value);
    if (!isNaN(lat) && !isNaN(lon)) chart.setOption({ series: [{ type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 34, data: [[lon, lat]] }] });
  }
  window.addEventListener("load", function () {
    fetch(mapBox.dataset.map, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(drawMap).catch(function () {});
  });

  // --- phones: the file input opens the camera for a photo ------------------------------------
  var files = $("f-files");
  if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) files.setAttribute("accept", files.dataset.phoneAccept);
})();
