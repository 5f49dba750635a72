// evidence-graph page for large graphs: sigma.js (WebGL) over a graphology graph, positions
// computed before drawing. Search, filters, focus (#focus=KEY&depth=N) and details work through
// sigma's reducers; a filter or focus re-lays out what is shown (a short sampled force layout of
// the shown subgraph from the computed positions, packed into an ellipse shaped like the free part
// of the window, as the page writer packs its disc: no overlaps) and legend counts follow what is
// shown. Strings go in with
// textContent.
(function () {
  "use strict";
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  // nodes: [key, label, class index, x, y, size, title, year]; edges: [source, target, relation].
  var graph = new graphology.Graph({ multi: true, type: "directed", allowSelfLoops: true });
  var keys = [];
  data.nodes.forEach(function (n) {
    keys.push(n[0]);
    graph.addNode(n[0], {
      x: n[3], y: n[4], size: n[5], label: n[1], color: data.classes[n[2]].color,
      cls: n[2], title: n[6], year: n[7]
    });
  });
  data.edges.forEach(function (e, i) {
    graph.addEdgeWithKey("e" + i, keys[e[0]], keys[e[1]], { color: data.relations[e[2]].color, rel: e[2], size: 0.6 });
  });
  var classOn = data.classes.map(function () { return true; });
  var relationOn = data.relations.map(function () { return true; });
  var focusSet = null;
  var focusLevels = null; // a focus: steps from its centre node, by node
  var selected = null;
  var neighbours = null;
  function nodeShown(key, attrs) {
    return classOn[attrs.cls] && (focusSet === null || focusSet.has(key));
  }
  var container = document.getElementById("network");
  var renderer = new Sigma(graph, container, {
    hideEdgesOnMove: true,
    labelDensity: 0.6,
    labelGridCellSize: 150,
    labelRenderedSizeThreshold: 7,
    defaultEdgeType: "line",
    zIndex: true,
    // Reducers get (key, attributes) and return what to draw; nothing in the graph changes.
    nodeReducer: function (key, attrs) {
      if (!nodeShown(key, attrs)) return Object.assign({}, attrs, { hidden: true });
      if (selected !== null) {
        if (key === selected) return Object.assign({}, attrs, { highlighted: true, zIndex: 2, forceLabel: true });
        if (neighbours.has(key)) return Object.assign({}, attrs, { zIndex: 1, forceLabel: neighbours.size < 40 });
        return Object.assign({}, attrs, { color: "#e2e2e2", label: "", zIndex: 0 });
      }
      return attrs;
    },
    edgeReducer: function (key, attrs) {
      var s = graph.source(key), t = graph.target(key);
      if (!relationOn[attrs.rel] || !nodeShown(s, graph.getNodeAttributes(s)) || !nodeShown(t, graph.getNodeAttributes(t))) {
        return Object.assign({}, attrs, { hidden: true });
      }
      if (selected !== null && s !== selected && t !== selected) return Object.assign({}, attrs, { hidden: true });
      return attrs;
    }
  });

  function visibleNodeIds() {
    return graph.filterNodes(function (key, attrs) { return nodeShown(key, attrs); });
  }
  function edgeShown(s, t, attrs) {
    return relationOn[attrs.rel] && nodeShown(s, graph.getNodeAttributes(s)) && nodeShown(t, graph.getNodeAttributes(t));
  }
  function updateSummary() {
    var shown = visibleNodeIds().length;
    var perClass = data.classes.map(function () { return 0; });
    graph.forEachNode(function (key, attrs) { if (nodeShown(key, attrs)) perClass[attrs.cls] += 1; });
    var perRelation = data.relations.map(function () { return 0; });
    var edgesShown = 0;
    graph.forEachEdge(function (edge, attrs, s, t) {
      if (edgeShown(s, t, attrs)) { perRelation[attrs.rel] += 1; edgesShown += 1; }
    });
    document.getElementById("summary").textContent = shown + " of " + graph.order + " nodes, " +
      edgesShown + " of " + graph.size + " edges shown";
    data.classes.forEach(function (c, i) {
      counts[i].textContent = perClass[i] === c.count ? String(c.count) : perClass[i] + " / " + c.count;
    });
    data.relations.forEach(function (r, i) {
      relationCounts[i].textContent = perRelation[i] === r.count ? String(r.count) : perRelation[i] + " / " + r.count;
    });
  }

  // --- re-layout of what is shown ----------------------------------------------------------------
  var original = {};
  graph.forEachNode(function (key, attrs) { original[key] = [attrs.x, attrs.y]; });
  var laidOut = false;
  function random(seed) {  // mulberry32: the same filter gives the same picture
    return function () {
      seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // Points into their own slots of an ellipse, keeping their order top to bottom and left to right:
  // rows sqrt(2) slots apart, about two slots of area a point, so nothing overlaps. `aspect` is the
  // ellipse's width over its height in slots; the result is in slot units (x, y).
  function packEllipse(xs, ys, aspect) {
    var n = xs.length, area = 2 * n / Math.PI;
    var b = Math.sqrt(area / aspect) + 1, a = Math.max(aspect * (b - 1), 0.5) + 1;
    var rows = Math.max(Math.floor(2 * b / Math.SQRT2), 1);
    var rowY = [], widths = [], total = 0;
    for (var r = 0; r < rows; r++) {
      var y = (r + 0.5) * (2 * b / rows) - b;
      rowY.push(y); widths.push(2 * a * Math.sqrt(Math.max(1 - (y * y) / (b * b), 0))); total += widths[r];
    }
    var order = xs.map(function (_, i) { return i; });
    order.sort(function (p, q) { return ys[p] - ys[q] || xs[p] - xs[q] || p - q; });
    var outX = new Float64Array(n), outY = new Float64Array(n), start = 0, acc = 0;
    for (r = 0; r < rows; r++) {
      acc += widths[r];
      var end = r === rows - 1 ? n : Math.round(acc / total * n);
      var row = order.slice(start, end).sort(function (p, q) { return xs[p] - xs[q] || p - q; });
      var gap = widths[r] / Math.max(row.length, 1);
      row.forEach(function (i, k) { outX[i] = -widths[r] / 2 + (k + 0.5) * gap; outY[i] = rowY[r]; });
      start = end;
    }
    return [outX, outY];
  }
  // A small focus: its centre in the middle and each further step on a ring of its own, so
  // every edge from the centre is a spoke that passes no other node.
  var RADIAL_MAX = 60;
  function radial(shown) {
    var rings = [], centre = null;
    shown.forEach(function (key) {
      var level = focusLevels.has(key) ? focusLevels.get(key) : 1;
      if (level === 0) centre = key;
      (rings[level] = rings[level] || []).push(key);
    });
    var origin = centre === null ? [0, 0] : original[centre];
    function angle(key) { return Math.atan2(original[key][1] - origin[1], original[key][0] - origin[0]); }
    var unit = 40, radius = 0;
    rings.forEach(function (keys, level) {
      if (!keys) return;
      keys.sort(function (p, q) { return angle(p) - angle(q) || (p < q ? -1 : 1); });
      if (level > 0) radius = Math.max(radius + 3, keys.length * 1.6 / (2 * Math.PI));
      keys.forEach(function (key, k) {
        var t = 2 * Math.PI * k / keys.length - Math.PI / 2;
        // twice as wide as tall: labels run to the right of their nodes
        graph.mergeNodeAttributes(key, {
          x: Math.round(Math.cos(t) * radius * 2 * unit * 10) / 10,
          y: Math.round(Math.sin(t) * radius * unit * 10) / 10,
        });
      });
    });
  }
  function relayout() {
    var shown = visibleNodeIds();
    var everything = shown.length === graph.order && relationOn.every(Boolean);
    if (everything) {
      if (laidOut) graph.updateEachNodeAttributes(function (key, attrs) { attrs.x = original[key][0]; attrs.y = original[key][1]; return attrs; });
      laidOut = false;
      return;
    }
    var n = shown.length;
    if (n === 0) return;
    if (focusLevels !== null && n <= RADIAL_MAX) { radial(shown); laidOut = true; return; }
    var local = new Map();
    shown.forEach(function (key, i) { local.set(key, i); });
    var xs = new Float64Array(n), ys = new Float64Array(n);
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    shown.forEach(function (key, i) {
      xs[i] = original[key][0]; ys[i] = original[key][1];
      minX = Math.min(minX, xs[i]); maxX = Math.max(maxX, xs[i]); minY = Math.min(minY, ys[i]); maxY = Math.max(maxY, ys[i]);
    });
    var extent = Math.max(maxX - minX, maxY - minY, 1e-9);
    for (var i = 0; i < n; i++) { xs[i] = (xs[i] - (minX + maxX) / 2) / extent; ys[i] = (ys[i] - (minY + maxY) / 2) / extent; }
    var links = [];
    graph.forEachEdge(function (edge, attrs, s, t) {
      if (s !== t && edgeShown(s, t, attrs)) links.push(local.get(s), local.get(t));
    });
    // A sampled force layout, as the page writer's: edges pull, a few random others push.
    var rand = random(7), k = 1 / Math.sqrt(n), samples = Math.min(8, n - 1), temperature = 0.05;
    var iterations = 30, cooling = Math.pow(0.002 / temperature, 1 / iterations);
    var dx = new Float64Array(n), dy = new Float64Array(n);
    for (var it = 0; it < iterations && n > 1; it++) {
      dx.fill(0); dy.fill(0);
      for (i = 0; i < n; i++) {
        for (var s = 0; s < samples; s++) {
          var j = Math.floor(rand() * n);
          if (j === i) continue;
          var ex = xs[i] - xs[j], ey = ys[i] - ys[j], d2 = ex * ex + ey * ey + 1e-9, push = k * k * (n / samples) / d2;
          dx[i] += ex * push; dy[i] += ey * push;
        }
      }
      for (var e = 0; e < links.length; e += 2) {
        var a = links[e], b = links[e + 1], lx = xs[a] - xs[b], ly = ys[a] - ys[b];
        var dist = Math.sqrt(lx * lx + ly * ly) + 1e-9, pull = dist / k;
        dx[a] -= lx * pull; dy[a] -= ly * pull; dx[b] += lx * pull; dy[b] += ly * pull;
      }
      for (i = 0; i < n; i++) {
        dx[i] -= xs[i] * 6; dy[i] -= ys[i] * 6;
        var len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) + 1e-9, stepLen = Math.min(len, temperature) / len;
        xs[i] += dx[i] * stepLen; ys[i] += dy[i] * stepLen;
      }
      temperature *= cooling;
    }
    // Shaped like the free part of the window; a few nodes get slots wide enough for their labels.
    var dims = renderer.getDimensions();
    var panel = details.hidden ? 0 : details.getBoundingClientRect().width + 20;
    var slotWidth = n <= 400 ? 4 : 1;
    var aspect = Math.max(dims.width - panel, 200) / Math.max(dims.height, 200) / slotWidth;
    var packed = packEllipse(Array.from(xs), Array.from(ys), aspect);
    var unit = 40;
    graph.updateEachNodeAttributes(function (key, attrs) {
      var at = local.get(key);
      if (at !== undefined) { attrs.x = Math.round(packed[0][at] * slotWidth * unit * 10) / 10; attrs.y = Math.round(packed[1][at] * unit * 10) / 10; }
      return attrs;
    });
    laidOut = true;
  }
  // Fit the camera to what is shown (sigma's coordinates are those of the whole graph's extent).
  function fitShown() {
    var shown = visibleNodeIds();
    if (!shown.length || shown.length === graph.order) { renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 }); return; }
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    shown.forEach(function (key) {
      var p = renderer.getNodeDisplayData(key);
      if (!p) return;
      minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x); minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
    });
    // Framed in the part of the picture the details panel leaves free.
    var dims = renderer.getDimensions();
    var panel = details.hidden ? 0 : details.getBoundingClientRect().width + 20;
    var free = Math.max(dims.width - panel, 200);
    var ratio = Math.max(Math.min(Math.max(maxX - minX, maxY - minY) * 1.15, 1), 0.02);
    var camera = renderer.getCamera(), cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    camera.setState({ x: cx, y: cy, ratio: ratio, angle: 0 });
    // Measure the shown box on screen at that zoom, then zoom so it fills the free part.
    // (Sigma converts with the last drawn camera unless given the new one.)
    var now = { cameraState: camera.getState() };
    var a = renderer.framedGraphToViewport({ x: minX, y: minY }, now), b = renderer.framedGraphToViewport({ x: maxX, y: maxY }, now);
    var fill = Math.max(Math.abs(b.x - a.x) / Math.max(free - 200, 100), Math.abs(b.y - a.y) / (dims.height - 80), 1e-3);  // room for labels on the right
    ratio = Math.max(Math.min(ratio * fill, 1), 0.02);
    camera.setState({ x: cx, y: cy, ratio: ratio, angle: 0 });
    now = { cameraState: camera.getState() };
    var middle = renderer.viewportToFramedGraph({ x: dims.width / 2, y: dims.height / 2 }, now);
    var wanted = renderer.viewportToFramedGraph({ x: free / 2, y: dims.height / 2 }, now);
    camera.setState({ x: cx + middle.x - wanted.x, y: cy + middle.y - wanted.y, ratio: ratio, angle: 0 });
  }
  // After any filter or focus: new positions for what is shown, counts, camera on what is shown.
  function filtered() {
    relayout();
    updateSummary();
    renderer.refresh();
    fitShown();
  }

  // --- legend ------------------------------------------------------------------------------------
  var counts = [];
  var relationCounts = [];
  var classList = document.getElementById("legend-classes");
  data.classes.forEach(function (c, i) {
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true; box.dataset.cls = c.name;
    box.addEventListener("change", function () { classOn[i] = box.checked; filtered(); });
    var dot = el("span", null, "dot"); dot.style.background = c.color;
    label.appendChild(box); label.appendChild(dot);
    var name = el("span", c.name); name.title = c.description; label.appendChild(name);
    var count = el("span", c.count, "count"); counts.push(count); label.appendChild(count);
    li.appendChild(label); classList.appendChild(li);
  });
  var relationList = document.getElementById("legend-relations");
  data.relations.forEach(function (r, i) {
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true; box.dataset.rel = r.name;
    box.addEventListener("change", function () { relationOn[i] = box.checked; filtered(); });
    var line = el("span", null, "swatch-line"); line.style.borderTopColor = r.color;
    label.appendChild(box); label.appendChild(line);
    var name = el("span", r.name); name.title = r.description; label.appendChild(name);
    var count = el("span", r.count, "count"); relationCounts.push(count); label.appendChild(count);
    li.appendChild(label); relationList.appendChild(li);
  });

  // --- selection and details ---------------------------------------------------------------------
  var details = document.getElementById("details");
  function showDetails(key) {
    var a = graph.getNodeAttributes(key);
    details.replaceChildren();
    details.hidden = false;
    var close = el("button", "×", "close"); close.type = "button";
    close.addEventListener("click", function () { select(null); });
    details.appendChild(close);
    var badge = el("span", data.classes[a.cls].name, "badge"); badge.style.background = a.color;
    details.appendChild(badge);
    details.appendChild(el("h2", a.title || a.label));
    var dl = el("dl");
    dl.appendChild(el("dt", "key")); dl.appendChild(el("dd", key));
    if (a.year) { dl.appendChild(el("dt", "year")); dl.appendChild(el("dd", a.year)); }
    dl.appendChild(el("dt", "degree")); dl.appendChild(el("dd", graph.degree(key)));
    details.appendChild(dl);
    var focus = el("a", "focus on this node (depth 1)", "link");
    focus.href = "#focus=" + encodeURIComponent(key) + "&depth=1";
    details.appendChild(focus);
    var list = el("ul");
    var n = 0;
    graph.forEachEdge(key, function (edge, attrs, s, t) {
      if (n++ >= 100) return;
      var li = el("li");
      var out = s === key, other = out ? t : s;
      li.appendChild(el("span", out ? data.relations[attrs.rel].name + " → " : "← " + data.relations[attrs.rel].name + " "));
      var b = el("button", graph.getNodeAttribute(other, "title") || other, "link"); b.type = "button";
      b.addEventListener("click", function () { select(other, true); });
      li.appendChild(b);
      list.appendChild(li);
    });
    details.appendChild(list);
  }
  function select(key, move, quiet) {
    if (key === null || !graph.hasNode(key)) {
      selected = null; neighbours = null; details.hidden = true; renderer.refresh({ skipIndexation: true }); return false;
    }
    var a = graph.getNodeAttributes(key);
    if (!nodeShown(key, a)) {
      if (focusSet !== null && !focusSet.has(key)) clearFocus();
      classOn[a.cls] = true;
      classList.querySelector('input[data-cls="' + CSS.escape(data.classes[a.cls].name) + '"]').checked = true;
      filtered();
    }
    selected = key;
    neighbours = new Set(graph.neighbors(key));
    showDetails(key);
    if (!quiet) renderer.refresh({ skipIndexation: true });
    if (move !== false) {
      // A jump, not an animation: every animated frame would redraw the whole graph.
      var p = renderer.getNodeDisplayData(key);
      if (p) renderer.getCamera().setState({ x: p.x, y: p.y, ratio: Math.min(renderer.getCamera().ratio, 0.15) });
    }
    return true;
  }
  renderer.on("clickNode", function (ev) { select(ev.node, false); });
  renderer.on("clickStage", function () { select(null); });

  // --- search ------------------------------------------------------------------------------------
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var lowered = data.nodes.map(function (n) { return (n[0] + " " + (n[6] || n[1])).toLowerCase(); });
  function matches(q) {
    q = q.trim().toLowerCase();
    var found = [];
    if (!q) return found;
    for (var i = 0; i < lowered.length && found.length < 25; i++) if (lowered[i].indexOf(q) >= 0) found.push(i);
    return found;
  }
  function showResults() {
    results.replaceChildren();
    matches(search.value).forEach(function (i) {
      var n = data.nodes[i];
      var li = el("li"), b = el("button", (n[6] || n[1]) + " — " + data.classes[n[2]].name);
      b.type = "button"; b.dataset.node = n[0];
      b.addEventListener("click", function () { select(n[0], true); });
      li.appendChild(b); results.appendChild(li);
    });
  }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var f = matches(search.value); if (f.length) select(data.nodes[f[0]][0], true); }
  });

  // --- focus -------------------------------------------------------------------------------------
  var banner = document.getElementById("focus-banner");
  function resolve(text) {
    text = String(text).trim();
    var cands = [text, text.indexOf(data.idBase) === 0 ? text.slice(data.idBase.length) : text, "claim/" + text];
    for (var i = 0; i < cands.length; i++) if (graph.hasNode(cands[i])) return cands[i];
    var q = text.toLowerCase().split(/\s+/).join(" ");
    var hits = data.nodes.filter(function (n) { return q && String(n[6] || "").toLowerCase().indexOf(q) >= 0; });
    return hits.length === 1 ? hits[0][0] : null;
  }
  function applyFocus(text, depth) {
    var centre = resolve(text);
    if (centre === null) {
      banner.hidden = false;
      document.getElementById("focus-text").textContent = "No single node matches “" + text + "”.";
      return false;
    }
    var seen = new Set([centre]), frontier = [centre], levels = new Map([[centre, 0]]);
    for (var d = 0; d < depth; d++) {
      var next = [];
      frontier.forEach(function (k) { graph.forEachNeighbor(k, function (o) { if (!seen.has(o)) { seen.add(o); levels.set(o, d + 1); next.push(o); } }); });
      frontier = next;
    }
    focusSet = seen;
    focusLevels = levels;
    banner.hidden = false;
    document.getElementById("focus-text").textContent = "Showing " + seen.size + " nodes within " + depth +
      " step" + (depth === 1 ? "" : "s") + " of “" + (graph.getNodeAttribute(centre, "title") || centre) + "”.";
    select(centre, false, true);  // the panel first, so the picture is framed beside it
    filtered();
    return true;
  }
  function clearFocus() {
    focusSet = null; focusLevels = null; banner.hidden = true; filtered();
  }
  var fromHash = evgFocusLink(applyFocus, clearFocus, function () { return focusSet !== null; });

  updateSummary();
  renderer.once("afterRender", function () {
    window.__firstDraw = performance.now();
    window.__buildMs = performance.now() - t0;
    document.body.dataset.ready = "1";
  });
  fromHash();
  renderer.refresh({ skipIndexation: true });

  window.evidenceGraph = {
    renderer: renderer, graph: graph, data: data, select: select, focus: applyFocus, clearFocus: clearFocus,
    resolve: resolve, visibleNodeIds: visibleNodeIds, relayout: filtered, matches: function (q) { return matches(q).map(function (i) { return data.nodes[i][0]; }); }
  };
})();
