// The Health page: the figures of /metrics over the last hour, each drawn as a small chart (SVG),
// counters as their rate per minute: first the server's own samples of the hour
// (GET /api/v1/metrics/history), then the page's, every 10 s while the console is open.
"use strict";
Console.pages.health = (function () {
  var samples = [];        // {at: ms, values: {name: number}}
  var types = {};          // name -> "counter" | "gauge"
  var hour = 3600 * 1000;

  function parse(text) {
    var values = {};
    text.split("\n").forEach(function (line) {
      var type = /^# TYPE (\S+) (\S+)/.exec(line);
      if (type) { types[type[1]] = type[2]; return; }
      if (!line || line[0] === "#") return;
      var m = /^(\S+?)(\{[^}]*\})? (\S+)$/.exec(line);
      if (m && !m[2]) values[m[1]] = Number(m[3]);
    });
    return values;
  }

  // The figures without labels, as parse() keeps them.
  function unlabeled(values) {
    var out = {};
    Object.keys(values).forEach(function (k) { if (k.indexOf("{") < 0) out[k] = values[k]; });
    return out;
  }

  async function history() {
    var h = await Console.call("GET", "/api/v1/metrics/history");
    Object.keys(h.types).forEach(function (n) { types[n] = h.types[n]; });
    var now = Date.now();
    samples = h.samples.map(function (s) { return { at: s.at_ms, values: unlabeled(s.values) }; })
      .filter(function (s) { return now - s.at <= hour; }).concat(samples);
  }

  async function sample() {
    var text = await fetch("/metrics").then(function (r) { return r.text(); });
    var now = Date.now();
    samples.push({ at: now, values: parse(text) });
    samples = samples.filter(function (s) { return now - s.at <= hour; });
  }

  // The points of one figure: a gauge's values, a counter's increase per minute.
  function points(name) {
    var out = [];
    samples.forEach(function (s, i) {
      if (!(name in s.values)) return;
      if (types[name] !== "counter") { out.push([s.at, s.values[name]]); return; }
      var before = samples[i - 1];
      if (before && name in before.values)
        out.push([s.at, Math.max(0, s.values[name] - before.values[name]) * 60000 / Math.max(1, s.at - before.at)]);
    });
    return out;
  }

  function chart(name) {
    var data = points(name), w = 240, h = 60;
    var last = data.length ? data[data.length - 1][1] : null;
    var latest = samples.length ? samples[samples.length - 1].values[name] : null;
    var max = Math.max.apply(null, data.map(function (p) { return p[1]; }).concat([1]));
    var now = Date.now();
    // The hour, or the time since the first sample while the page has been open less than that.
    var span = Math.max(60000, Math.min(hour, samples.length ? now - samples[0].at : hour));
    if (data.length === 1) data = [[now - span, data[0][1]], data[0]];  // one sample: its level
    var path = data.map(function (p, i) {
      var x = w - (now - p[0]) / span * w, y = h - p[1] / max * (h - 4) - 2;
      return (i ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
    }).join(" ");
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.setAttribute("class", "chart");
    var line = document.createElementNS("http://www.w3.org/2000/svg", "path");
    line.setAttribute("d", path || "M0 " + h);
    svg.appendChild(line);
    var text = name.replace(/^switchyard_/, "") + ": " + latest;
    if (types[name] === "counter") text += last === null ? " (rate: after the next sample)" : " (" + +last.toFixed(2) + " a minute)";
    return Console.el("figure", { class: "metric", "data-metric": name }, [svg, Console.el("figcaption", { text: text })]);
  }

  function draw() {
    var box = document.getElementById("charts");
    box.textContent = "";
    var names = samples.length ? Object.keys(samples[samples.length - 1].values) : [];
    names.forEach(function (n) { box.appendChild(chart(n)); });
  }

  function tick() {
    sample().then(function () { if (!document.getElementById("page-health").hidden) draw(); })
      .catch(function (e) { Console.notice("/metrics: " + e.message, "error"); });
  }

  return {
    // A second sample soon after the first, so that counters have a rate at once.
    init: function () {
      history().catch(function (e) { Console.notice("/api/v1/metrics/history: " + e.message, "error"); })
        .then(function () { tick(); setTimeout(tick, 2000); setInterval(tick, 10000); });
    },
    show: function () { draw(); }
  };
})();
