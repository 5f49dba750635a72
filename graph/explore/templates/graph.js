// evidence-graph page: draws the network with vis-network, builds legend, filters, search, details.
// Every string from the sources is put into the page with textContent (never innerHTML), so a title
// such as <img src=x onerror=...> is shown as text and runs nothing.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var FIELD_NAMES = {
    year: "year", role: "role", publisher: "publisher", jurisdiction: "jurisdiction",
    matrix: "matrix", cell: "cell", level: "level", type: "type", exposure: "exposure",
    outcome: "outcome", effect_shape: "effect shape", moderator: "moderator",
    population: "population", excerpt: "excerpt", iri: "IRI", quote: "quote",
    position: "position", listing: "listing", via: "via", quoted_from: "quoted from"
  };
  var classInfo = {};
  data.classes.forEach(function (c) { classInfo[c.name] = c; });
  var relationInfo = {};
  data.relations.forEach(function (r) { relationInfo[r.name] = r; });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function nodeTooltip(n) {
    var f = n.fields || {};
    var box = el("div");
    box.appendChild(el("div", f.title || n.label, "tip-title"));
    var meta = [n.cls];
    if (f.year) meta.push(f.year);
    if (f.role) meta.push("listed as " + f.role);
    if (f.publisher) meta.push(f.publisher);
    box.appendChild(el("div", meta.join(" · "), "tip-meta"));
    if (n.cls === "Claim") {
      var parts = [];
      if (f.exposure) parts.push("exposure: " + f.exposure);
      if (f.outcome) parts.push("outcome: " + f.outcome);
      if (f.effect_shape) parts.push("shape: " + f.effect_shape);
      if (f.moderator) parts.push("moderator: " + f.moderator);
      if (f.population) parts.push("population: " + f.population);
      if (parts.length) box.appendChild(el("div", parts.join(" · "), "tip-meta"));
    }
    if (f.excerpt) box.appendChild(el("div", "“" + f.excerpt + "”", "tip-excerpt"));
    return box;
  }

  function edgeTooltip(e) {
    var f = e.fields || {};
    var box = el("div");
    var r = relationInfo[e.rel];
    box.appendChild(el("div", e.rel, "tip-title"));
    if (r) box.appendChild(el("div", r.description, "tip-meta"));
    if (f.role) box.appendChild(el("div", "role: " + f.role + (f.position ? " (entry " + f.position + ")" : ""), "tip-meta"));
    var text = f.quote || f.excerpt;
    if (text) box.appendChild(el("div", "“" + text + "”", "tip-excerpt"));
    return box;
  }

  var byId = {};
  data.nodes.forEach(function (n) {
    byId[n.id] = n;
    n.title = nodeTooltip(n);
  });
  var adjacency = {};
  data.nodes.forEach(function (n) { adjacency[n.id] = []; });
  data.edges.forEach(function (e) {
    e.title = edgeTooltip(e);
    adjacency[e.from].push({ edge: e, other: e.to, out: true });
    adjacency[e.to].push({ edge: e, other: e.from, out: false });
  });

  var showEdgeLabels = !!data.edgeLabels;
  function edgeLabel(e) { return showEdgeLabels ? e.rel : undefined; }
  data.edges.forEach(function (e) { e.label = edgeLabel(e); });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var classOn = {};
  data.classes.forEach(function (c) { classOn[c.name] = true; });
  var relationOn = {};
  data.relations.forEach(function (r) { relationOn[r.name] = true; });
  var focusSet = null;
  var showDrafts = true;

  function nodeVisible(n) {
    return classOn[n.cls] && (showDrafts || !n.draft) && (focusSet === null || focusSet.has(n.id));
  }
  var nodeView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) {
      return relationOn[e.rel] && nodeVisible(byId[e.from]) && nodeVisible(byId[e.to]);
    }
  });
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);

  function updateSummary() {
    var text = nodeView.length + " of " + data.nodes.length + " nodes, " +
      edgeView.length + " of " + data.edges.length + " edges shown";
    document.getElementById("summary").textContent = text;
  }

  function refresh() {
    nodeView.refresh();
    edgeView.refresh();
    updateSummary();
  }

  // --- legend with filters ------------------------------------------------------------------
  var SVGNS = "http://www.w3.org/2000/svg";
  function shapeIcon(shape, colour) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    var s;
    var points = {
      diamond: "8,1 15,8 8,15 1,8",
      triangle: "8,1 15,14 1,14",
      triangleDown: "1,2 15,2 8,15",
      star: "8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6",
      hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8"
    };
    if (shape === "square") {
      s = document.createElementNS(SVGNS, "rect");
      s.setAttribute("x", "2"); s.setAttribute("y", "2");
      s.setAttribute("width", "12"); s.setAttribute("height", "12");
    } else if (points[shape]) {
      s = document.createElementNS(SVGNS, "polygon");
      s.setAttribute("points", points[shape]);
    } else {
      s = document.createElementNS(SVGNS, "circle");
      s.setAttribute("cx", "8"); s.setAttribute("cy", "8"); s.setAttribute("r", "6.5");
    }
    s.setAttribute("fill", colour);
    s.setAttribute("stroke", "#333");
    s.setAttribute("stroke-width", "0.6");
    svg.appendChild(s);
    return svg;
  }

  function legendItem(list, kind, item, icon, state) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset[kind] = item.name;
    box.addEventListener("change", function () {
      state[item.name] = box.checked;
      refresh();
    });
    label.appendChild(box);
    label.appendChild(icon);
    var name = el("span", item.name);
    name.title = item.description;
    label.appendChild(name);
    label.appendChild(el("span", item.count, "count"));
    li.appendChild(label);
    list.appendChild(li);
  }
  var classList = document.getElementById("legend-classes");
  data.classes.forEach(function (c) {
    legendItem(classList, "cls", c, shapeIcon(c.shape, c.color), classOn);
  });
  var relationList = document.getElementById("legend-relations");
  data.relations.forEach(function (r) {
    var line = el("span", null, "swatch-line");
    line.style.borderTopColor = r.color;
    legendItem(relationList, "rel", r, line, relationOn);
  });
  if (data.drafts) {
    var draftsBox = document.getElementById("show-drafts");
    document.getElementById("draft-count").textContent = data.drafts;
    document.getElementById("drafts-toggle").hidden = false;
    draftsBox.addEventListener("change", function () {
      showDrafts = draftsBox.checked;
      refresh();
    });
  }
  var labelBox = document.getElementById("edge-labels");
  labelBox.checked = showEdgeLabels;
  labelBox.addEventListener("change", function () {
    showEdgeLabels = labelBox.checked;
    edges.update(data.edges.map(function (e) { return { id: e.id, label: showEdgeLabels ? e.rel : "" }; }));
  });

  // --- details of the selected node ---------------------------------------------------------
  var details = document.getElementById("details");
  function nodeLink(id) {
    var n = byId[id];
    var b = el("button", n ? (n.fields.title || n.label) : id, "link");
    b.type = "button";
    b.addEventListener("click", function () { select(id); });
    return b;
  }
  function showDetails(id) {
    var n = byId[id];
    details.replaceChildren();
    if (!n) return;
    var badge = el("span", n.cls, "badge");
    badge.style.background = (classInfo[n.cls] || {}).color || "#777";
    details.appendChild(badge);
    details.appendChild(el("h2", n.fields.title || n.label));
    var dl = el("dl");
    dl.appendChild(el("dt", "key"));
    dl.appendChild(el("dd", n.id));
    Object.keys(FIELD_NAMES).forEach(function (k) {
      if (n.fields[k] !== undefined && n.fields[k] !== "") {
        dl.appendChild(el("dt", FIELD_NAMES[k]));
        dl.appendChild(el("dd", n.fields[k]));
      }
    });
    dl.appendChild(el("dt", "degree"));
    dl.appendChild(el("dd", n.degree));
    details.appendChild(dl);
    var focus = el("a", "focus on this node (depth 1)", "link");
    focus.href = "#focus=" + encodeURIComponent(n.id) + "&depth=1";
    details.appendChild(focus);
    var list = el("ul");
    adjacency[id].slice(0, 200).forEach(function (a) {
      var li = el("li");
      li.appendChild(el("span", (a.out ? a.edge.rel + " → " : "← " + a.edge.rel + " ") ));
      li.appendChild(nodeLink(a.other));
      if (a.edge.fields.role) li.appendChild(el("span", " (" + a.edge.fields.role + ")"));
      list.appendChild(li);
    });
    details.appendChild(list);
  }
  function select(id) {
    var n = byId[id];
    if (!n) return false;
    if (!nodeVisible(n)) {
      classOn[n.cls] = true;
      var box = classList.querySelector('input[data-cls="' + CSS.escape(n.cls) + '"]');
      if (box) box.checked = true;
      if (focusSet !== null && !focusSet.has(id)) clearFocus();
      refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showDetails(id);
    return true;
  }
  network.on("selectNode", function (p) { if (p.nodes.length) showDetails(p.nodes[0]); });

  // --- search -----------------------------------------------------------------------------------
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  function matches(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    return data.nodes.filter(function (n) {
      return n.id.toLowerCase().indexOf(q) >= 0 ||
        String(n.fields.title || n.label).toLowerCase().indexOf(q) >= 0;
    }).slice(0, 25);
  }
  function showResults() {
    results.replaceChildren();
    matches(search.value).forEach(function (n) {
      var li = el("li");
      var b = el("button", (n.fields.title || n.label) + " — " + n.cls);
      b.type = "button";
      b.dataset.node = n.id;
      b.addEventListener("click", function () { select(n.id); });
      li.appendChild(b);
      results.appendChild(li);
    });
  }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = matches(search.value);
      if (found.length) select(found[0].id);
    }
  });

  // --- focus: #focus=<key>&depth=<n> shows the neighbourhood of a node -------------------------
  function neighbourhood(centre, depth) {
    var seen = new Set([centre]);
    var frontier = [centre];
    for (var d = 0; d < depth; d++) {
      var next = [];
      frontier.forEach(function (id) {
        adjacency[id].forEach(function (a) {
          if (!seen.has(a.other)) { seen.add(a.other); next.push(a.other); }
        });
      });
      frontier = next;
    }
    return seen;
  }
  var banner = document.getElementById("focus-banner");
  function applyFocus(centre, depth) {
    if (!byId[centre]) return false;
    focusSet = neighbourhood(centre, depth);
    banner.hidden = false;
    document.getElementById("focus-text").textContent = "Showing " + focusSet.size +
      " nodes within " + depth + " step" + (depth === 1 ? "" : "s") + " of “" +
      (byId[centre].fields.title || centre) + "”.";
    refresh();
    network.fit({ nodes: Array.from(focusSet).filter(function (id) { return nodeVisible(byId[id]); }), animation: false });
    network.selectNodes([centre]);
    showDetails(centre);
    return true;
  }
  function clearFocus() {
    focusSet = null;
    banner.hidden = true;
    refresh();
    network.fit({ animation: false });
  }
  document.getElementById("focus-clear").addEventListener("click", function (ev) {
    ev.preventDefault();
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    clearFocus();
  });
  function fromHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var centre = params.get("focus");
    if (centre) {
      var depth = parseInt(params.get("depth") || "1", 10);
      return applyFocus(centre, isNaN(depth) || depth < 0 ? 1 : depth);
    }
    if (focusSet !== null) clearFocus();
    return false;
  }
  window.addEventListener("hashchange", fromHash);

  updateSummary();
  if (!fromHash()) {
    network.fit({ animation: false });
    if (data.focus && data.focus.node) {
      network.selectNodes([data.focus.node]);
      showDetails(data.focus.node);
    }
  }
  network.once("afterDrawing", function () { document.body.dataset.ready = "1"; });
  network.redraw();

  window.evidenceGraph = {
    network: network, nodes: nodes, edges: edges, data: data,
    visibleNodeIds: function () { return nodeView.getIds(); },
    visibleEdgeIds: function () { return edgeView.getIds(); },
    select: select, focus: applyFocus, clearFocus: clearFocus
  };
})();
