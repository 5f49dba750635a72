/* evidence-graph: a YASR "Chart" plugin (bars in plain SVG, no library, no network).
 *
 * Draws a SELECT result as horizontal bars: one bar per value of a category column, its length the
 * sum of a numeric column, optionally split (stacked) by a third column, which is the pivot of the
 * table by that column. Columns are chosen in the plugin's own controls; the choice is kept in
 * YASR's per-plugin config. The chart downloads as an SVG file.
 * Written for this project (MIT, like the rest of it); registered by the query page.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong)$/;
  var MAX_LABEL = 70;
  var PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442", "#7f7f7f", "#a6761d", "#7570b3"];

  function isNumber(term) {
    if (!term || term.type === "uri" || term.type === "bnode") return false;
    if (term.datatype && NUMERIC.test(term.datatype)) return true;
    return !term.datatype && term.value !== "" && isFinite(Number(term.value));
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.label = "Chart";
    this.priority = 5;
    this.persistentConfig = {};
    this.svg = null;
  }

  ChartPlugin.prototype.columns = function () {
    var results = this.yasr.results;
    var vars = (results && results.getVariables && results.getVariables()) || [];
    var rows = (results && results.getBindings && results.getBindings()) || [];
    var numeric = vars.filter(function (v) {
      var seen = false;
      var all = rows.every(function (row) { if (!row[v]) return true; seen = true; return isNumber(row[v]); });
      return seen && all;
    });
    return { vars: vars, rows: rows, numeric: numeric, other: vars.filter(function (v) { return numeric.indexOf(v) < 0; }) };
  };

  ChartPlugin.prototype.canHandleResults = function () {
    var c = this.columns();
    return c.rows.length > 0 && c.numeric.length > 0;
  };

  ChartPlugin.prototype.shortName = function (term) {
    if (!term) return "(none)";
    if (term.type !== "uri") return term.value;
    var prefixes = this.yasr.getPrefixes ? this.yasr.getPrefixes() : {};
    var best = "";
    Object.keys(prefixes).forEach(function (p) {
      var base = prefixes[p];
      if (term.value.indexOf(base) === 0 && base.length > (best ? prefixes[best].length : 0)) best = p;
    });
    return best ? best + ":" + term.value.slice(prefixes[best].length) : term.value;
  };

  ChartPlugin.prototype.choose = function (c) {
    var cfg = this.persistentConfig;
    var pick = function (wanted, from, fallback) { return from.indexOf(wanted) >= 0 ? wanted : fallback; };
    // Bars are named by the first text column if there is one (a label reads better than an IRI).
    var rows = c.rows;
    var texty = c.other.filter(function (v) { return rows.some(function (r) { return r[v] && r[v].type !== "uri"; }); });
    var byDefault = texty[0] || c.other[0] || c.numeric[0];
    return {
      category: pick(cfg.category, c.vars, byDefault),
      value: pick(cfg.value, c.numeric, c.numeric[c.numeric.length - 1]),
      split: cfg.split === "" ? "" : pick(cfg.split, c.other, ""),
    };
  };

  ChartPlugin.prototype.aggregate = function (c, choice) {
    var self = this;
    var bars = [];
    var index = {};
    var series = [];
    c.rows.forEach(function (row) {
      var name = self.shortName(row[choice.category]);
      var part = choice.split ? self.shortName(row[choice.split]) : "";
      var value = row[choice.value] ? Number(row[choice.value].value) : 0;
      if (!(name in index)) { index[name] = bars.length; bars.push({ name: name, parts: {}, total: 0 }); }
      if (series.indexOf(part) < 0) series.push(part);
      var bar = bars[index[name]];
      bar.parts[part] = (bar.parts[part] || 0) + value;
      bar.total += value;
    });
    series.sort();
    return { bars: bars, series: series };
  };

  ChartPlugin.prototype.controls = function (c, choice) {
    var self = this;
    var box = document.createElement("div");
    box.className = "evg-chart-controls";
    function select(label, key, options, current, none) {
      var wrap = document.createElement("label");
      wrap.textContent = label + " ";
      var s = document.createElement("select");
      s.name = key;
      if (none) options = [""].concat(options);
      options.forEach(function (v) {
        var o = document.createElement("option");
        o.value = v;
        o.textContent = v === "" ? "(nothing)" : "?" + v;
        if (v === current) o.selected = true;
        s.appendChild(o);
      });
      s.addEventListener("change", function () {
        self.persistentConfig[key] = s.value;
        if (self.yasr.storePluginConfig) self.yasr.storePluginConfig("chart", self.persistentConfig);
        self.draw();
      });
      wrap.appendChild(s);
      box.appendChild(wrap);
    }
    select("Bars by", "category", c.vars, choice.category, false);
    select("length", "value", c.numeric, choice.value, false);
    select("split by", "split", c.other.filter(function (v) { return v !== choice.category; }), choice.split, true);
    return box;
  };

  ChartPlugin.prototype.chart = function (data, choice) {
    var longest = Math.max.apply(null, data.bars.map(function (b) { return Math.min(b.name.length, MAX_LABEL); }).concat([4]));
    var rowHeight = 22, labelWidth = Math.round(longest * 6.4) + 12, barWidth = 520, top = 8;
    var legendHeight = data.series.length > 1 ? 24 : 0;
    var max = Math.max.apply(null, data.bars.map(function (b) { return b.total; }).concat([0])) || 1;
    var height = top + data.bars.length * rowHeight + legendHeight + 28;
    var width = labelWidth + barWidth + 70;
    var svg = el("svg", { xmlns: SVG, width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "img", "class": "evg-chart", "font-family": "system-ui, sans-serif", "font-size": 12 });
    svg.appendChild(el("title", {}, "?" + choice.value + " by ?" + choice.category + (choice.split ? ", split by ?" + choice.split : "")));
    var colour = {};
    data.series.forEach(function (s, i) { colour[s] = PALETTE[i % PALETTE.length]; });
    data.bars.forEach(function (bar, i) {
      var y = top + i * rowHeight;
      var name = bar.name.length > MAX_LABEL ? bar.name.slice(0, MAX_LABEL - 1) + "…" : bar.name;
      var named = el("g");
      named.appendChild(el("title", {}, bar.name));
      named.appendChild(el("text", { x: labelWidth - 6, y: y + 15, "text-anchor": "end", "class": "evg-chart-label" }, name));
      svg.appendChild(named);
      var x = labelWidth;
      data.series.forEach(function (s) {
        var v = bar.parts[s] || 0;
        if (!v) return;
        var w = Math.max(barWidth * v / max, 1);
        var rect = el("rect", { x: x.toFixed(1), y: y + 3, width: w.toFixed(1), height: rowHeight - 6,
          fill: colour[s], "class": "evg-chart-bar", "data-category": bar.name, "data-series": s, "data-value": v });
        rect.appendChild(el("title", {}, bar.name + (s ? " — " + s : "") + ": " + v));
        svg.appendChild(rect);
        x += w;
      });
      svg.appendChild(el("text", { x: x + 5, y: y + 15, "class": "evg-chart-total" }, String(bar.total)));
    });
    var axisY = top + data.bars.length * rowHeight + 4;
    svg.appendChild(el("line", { x1: labelWidth, x2: labelWidth + barWidth, y1: axisY, y2: axisY, stroke: "#888" }));
    svg.appendChild(el("text", { x: labelWidth, y: axisY + 14, fill: "#555" }, "0"));
    svg.appendChild(el("text", { x: labelWidth + barWidth, y: axisY + 14, "text-anchor": "end", fill: "#555" }, max + " ?" + choice.value));
    if (legendHeight) {
      var lx = labelWidth, ly = axisY + 22;
      data.series.forEach(function (s) {
        svg.appendChild(el("rect", { x: lx, y: ly, width: 12, height: 12, fill: colour[s] }));
        var t = el("text", { x: lx + 16, y: ly + 11, "class": "evg-chart-legend" }, s || "(none)");
        svg.appendChild(t);
        lx += 28 + 7 * (s || "(none)").length;
      });
    }
    return svg;
  };

  ChartPlugin.prototype.draw = function () {
    var root = this.yasr.resultsEl;
    while (root.firstChild) root.firstChild.remove();
    var c = this.columns();
    var choice = this.choose(c);
    var data = this.aggregate(c, choice);
    var wrap = document.createElement("div");
    wrap.className = "evg-chart-wrap";
    wrap.appendChild(this.controls(c, choice));
    this.svg = this.chart(data, choice);
    wrap.appendChild(this.svg);
    root.appendChild(wrap);
  };

  ChartPlugin.prototype.getIcon = function () {
    var icon = el("svg", { viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" });
    [[1, 3, 10], [1, 7, 14], [1, 11, 6]].forEach(function (b) {
      icon.appendChild(el("rect", { x: b[0], y: b[1], width: b[2], height: 3, fill: "currentColor" }));
    });
    var holder = document.createElement("div");
    holder.appendChild(icon);
    return holder;
  };

  ChartPlugin.prototype.download = function (filename) {
    var self = this;
    return {
      getData: function () { return self.svg ? new XMLSerializer().serializeToString(self.svg) : ""; },
      contentType: "image/svg+xml",
      title: "Download chart (SVG)",
      filename: (filename || "queryResults") + ".svg",
    };
  };

  window.EvidenceChartPlugin = ChartPlugin;
})();
