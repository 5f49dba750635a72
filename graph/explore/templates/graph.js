// evidence-graph page: draws the network with vis-network, lays out what is shown, builds legend,
// topic facet, search and details. Every string from the sources is put into the page with
// textContent (never innerHTML), so a title such as <img src=x onerror=...> is shown as text.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var FIELD_NAMES = {
    year: "year", role: "role", publisher: "publisher", jurisdiction: "jurisdiction",
    matrix: "matrix", cell: "cell", level: "level", type: "type", exposure: "exposure",
    outcome: "outcome", effect_shape: "effect shape", moderator: "moderator",
    population: "population", status: "status", excerpt: "excerpt", iri: "IRI"
  };
  var EVIDENCE = { supports: true, challenges: true, inconclusive: true };
  var INVERSE = { supports: "supported by", challenges: "challenged by", inconclusive: "inconclusive evidence from" };
  var DOCS = { Study: true, Review: true, Guidance: true, Document: true };
  // Columns of the layered layout, left to right; classes sharing a number share a column group.
  var RANK = { Matrix: 0, Cell: 1, Section: 2, Organisation: 2, Study: 3, Review: 3, Guidance: 3, Document: 3, Claim: 4, Concept: 5 };
  var COLUMN_WIDTH = 255, GROUP_GAP = 60;
  // The least zoom of the opening picture: node labels (15 px) drawn at 10.5 px or more.
  var LEGIBLE = 0.7;
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
  function titleOf(n) { return n.fields.title || n.label; }
  function quotesOf(e) { return e.fields.quote ? String(e.fields.quote).split("\n") : []; }

  function nodeTooltip(n) {
    var f = n.fields || {};
    var box = el("div");
    box.appendChild(el("div", f.title || n.label, "tip-title"));
    var meta = [n.cls];
    if (f.status === "draft") meta.push("draft");
    if (f.year) meta.push(f.year);
    if (f.role) meta.push("listed as " + f.role);
    if (f.publisher) meta.push(f.publisher);
    box.appendChild(el("div", meta.join(" · "), "tip-meta"));
    if (n.cls === "Claim") {
      var parts = [];
      if (f.exposure) parts.push("exposure: " + f.exposure);
      if (f.outcome) parts.push("outcome: " + f.outcome);
      if (f.effect_shape) parts.push("shape: " + f.effect_shape);
      if (parts.length) box.appendChild(el("div", parts.join(" · "), "tip-meta"));
    }
    if (f.excerpt) box.appendChild(el("div", "“" + f.excerpt + "”", "tip-excerpt"));
    return box;
  }

  function edgeTooltip(e) {
    var f = e.fields || {};
    var box = el("div");
    var r = relationInfo[e.rel];
    box.appendChild(el("div", e.rel + (f.quotes > 1 ? " (" + f.quotes + " quotes)" : ""), "tip-title"));
    if (r) box.appendChild(el("div", r.description, "tip-meta"));
    if (f.role) box.appendChild(el("div", "role: " + f.role + (f.position ? " (entry " + f.position + ")" : ""), "tip-meta"));
    var texts = quotesOf(e);
    if (!texts.length && f.excerpt) texts = [f.excerpt];
    texts.forEach(function (t) { box.appendChild(el("div", "“" + t + "”", "tip-excerpt")); });
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
    if (e.fields.quotes > 1) e.width = 1.2 + Math.min(e.fields.quotes, 6) * 0.5;
    adjacency[e.from].push({ edge: e, other: e.to, out: true });
    adjacency[e.to].push({ edge: e, other: e.from, out: false });
  });

  // --- what the overview shows: claims, the documents bearing on them, the cells listing those --
  var overview = new Set();
  data.nodes.forEach(function (n) {
    if (n.cls !== "Claim") return;
    overview.add(n.id);
    adjacency[n.id].forEach(function (a) {
      if (EVIDENCE[a.edge.rel]) overview.add(a.other);
    });
  });
  Array.from(overview).forEach(function (id) {
    if (!DOCS[byId[id].cls]) return;
    adjacency[id].forEach(function (a) {
      if (a.edge.rel === "listedIn" && byId[a.other].cls === "Cell") overview.add(a.other);
    });
  });
  var OVERVIEW_RELATIONS = { supports: 1, challenges: 1, inconclusive: 1, listedIn: 1, consistentWith: 1, contradicts: 1, relatedClaim: 1, subject: 1 };
  var hasOverview = overview.size > 0;

  var showEdgeLabels = !!data.edgeLabels;
  data.edges.forEach(function (e) { e.label = showEdgeLabels ? e.rel : undefined; });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var view = hasOverview && !data.focus ? "overview" : "all";
  var classOn = {};
  var relationOn = {};
  var topicOn = new Set();
  var focusSet = null;
  var focusCentre = null; // the node a focus is centred on
  var showDrafts = true;

  function setView(v) {
    view = v;
    data.classes.forEach(function (c) { classOn[c.name] = c.name !== "Concept" || v === "all"; });
    data.relations.forEach(function (r) { relationOn[r.name] = v === "all" || !!OVERVIEW_RELATIONS[r.name]; });
    syncBoxes();
  }

  function nodeVisible(n) {
    if (focusSet !== null) {
      if (!focusSet.has(n.id)) return false;
    } else if (view === "overview" && !overview.has(n.id)) {
      if (!(n.cls === "Concept" && topicOn.has(n.id))) return false;
    }
    if (!showDrafts && n.draft) return false;
    return classOn[n.cls] || (n.cls === "Concept" && topicOn.has(n.id));
  }
  function edgeVisible(e) {
    return relationOn[e.rel] && nodeVisible(byId[e.from]) && nodeVisible(byId[e.to]);
  }
  var nodeView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgeView = new vis.DataView(edges, { filter: edgeVisible });
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);

  // --- layered layout of what is shown: columns by class, long columns wrapped, rows ordered by
  // the mean position of each node's neighbours so edges cross less; rows tall enough that a
  // node and its label never touch the next one.
  function rowHeight(n) { return Math.max(2 * (n.size || 10), 18) + 56; }
  function layout() {
    var shown = nodeView.getIds();
    var groups = {};
    shown.forEach(function (id) {
      var r = RANK[byId[id].cls];
      (groups[r] = groups[r] || []).push(id);
    });
    var ranks = Object.keys(groups).map(Number).sort(function (a, b) { return a - b; });
    var shownSet = new Set(shown);
    var y = {};
    ranks.forEach(function (r) {
      groups[r].sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
      groups[r].forEach(function (id, i) { y[id] = i; });
    });
    function sweep(order) {
      order.forEach(function (r) {
        var keyed = groups[r].map(function (id) {
          var sum = 0, k = 0;
          adjacency[id].forEach(function (a) {
            if (shownSet.has(a.other) && RANK[byId[a.other].cls] !== r && relationOn[a.edge.rel]) { sum += y[a.other] / Math.max(groups[RANK[byId[a.other].cls]].length, 1); k++; }
          });
          return [k ? sum / k : y[id] / groups[r].length, id];
        });
        keyed.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : 1); });
        groups[r] = keyed.map(function (x) { return x[1]; });
        groups[r].forEach(function (id, i) { y[id] = i; });
      });
    }
    for (var s = 0; s < 4; s++) { sweep(ranks); sweep(ranks.slice().reverse()); }
    // Wrap long columns so the whole layout has about the page's proportions.
    var box = container.getBoundingClientRect();
    var freeWidth = Math.max(box.width - panelWidth(), 300);
    var heights = ranks.map(function (r) { return groups[r].reduce(function (h, id) { return h + rowHeight(byId[id]); }, 0); });
    var tallest = Math.max.apply(null, heights.concat([1]));
    var best = null;
    var limits = [tallest];
    heights.forEach(function (h) { for (var k = 2; k <= 40; k++) limits.push(h / k); });
    var options = limits.map(function (candidate) {
      var limit = Math.max(candidate, 120);
      var width = 0, height = 0;
      ranks.forEach(function (r, i) {
        var cols = Math.ceil(heights[i] / limit - 1e-9);
        width += cols * COLUMN_WIDTH + GROUP_GAP;
        height = Math.max(height, heights[i] / cols);
      });
      return { limit: limit, width: width, height: height, scale: Math.min(freeWidth / width, box.height / height) };
    });
    options.forEach(function (o) { if (best === null || o.scale > best.scale) best = o; });
    // Too much to show whole with legible labels: columns as tall as the window at the legible
    // zoom, and the picture goes on to the right (the page opens on its left part).
    if (best.scale < LEGIBLE) {
      options.forEach(function (o) {
        if (o.height * LEGIBLE <= box.height - 80 && (best.height * LEGIBLE > box.height - 80 || o.width < best.width)) best = o;
      });
    }
    var updates = [];
    var x0 = 0;
    ranks.forEach(function (r, i) {
      var cols = Math.max(Math.ceil(heights[i] / best.limit - 1e-9), 1);
      var per = Math.ceil(groups[r].length / cols);
      for (var c = 0; c < cols; c++) {
        var members = groups[r].slice(c * per, (c + 1) * per);
        var total = members.reduce(function (h, id) { return h + rowHeight(byId[id]); }, 0);
        var yy = -total / 2;
        members.forEach(function (id) {
          var h = rowHeight(byId[id]);
          updates.push({ id: id, x: x0 + c * COLUMN_WIDTH, y: Math.round(yy + h / 2) });
          yy += h;
        });
      }
      x0 += cols * COLUMN_WIDTH + GROUP_GAP;
    });
    nodes.update(updates);
  }
  // Fit what is shown into the part of the picture the details panel leaves free.
  function panelWidth() { return details.hidden ? 0 : details.getBoundingClientRect().width + 20; }
  function fit(ids) {
    ids = ids || nodeView.getIds();
    if (!ids.length) return;
    var left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
    ids.forEach(function (id) {
      var b = network.getBoundingBox(id);
      if (!b) return;
      left = Math.min(left, b.left); right = Math.max(right, b.right);
      top = Math.min(top, b.top); bottom = Math.max(bottom, b.bottom);
    });
    var box = container.getBoundingClientRect();
    var free = Math.max(box.width - panelWidth(), 200);
    var scale = Math.min((free - 30) / Math.max(right - left, 1), (box.height - 30) / Math.max(bottom - top, 1), 1.3);
    var position = { x: (left + right) / 2, y: (top + bottom) / 2 };
    // Labels stay legible: below that zoom the page opens on the top left of the picture (where
    // reading starts: cells, then documents) and the rest is a drag or a scroll away.
    var clamped = scale < LEGIBLE && !whole;
    if (clamped) {
      scale = LEGIBLE;
      var wide = (right - left) * scale > free - 30, tall = (bottom - top) * scale > box.height - 30;
      var anchor = focusCentre === null ? null : network.getPositions([focusCentre])[focusCentre];
      if (anchor) {
        // A focus opens on its centre node, the rest around it.
        if (wide) position.x = anchor.x;
        if (tall) position.y = anchor.y;
      } else {
        if (wide) position.x = left + (free / 2 - 15) / scale;
        if (tall) position.y = top + (box.height / 2 - 15) / scale;
      }
      fitAll.textContent = "More " + (anchor ? "around it" : wide && tall ? "to the right and below" : wide ? "to the right" : "below") +
        ": zoom out to see the whole picture (labels get small)";
    }
    fitAll.hidden = !clamped;
    network.moveTo({ position: position, scale: scale, offset: { x: -panelWidth() / 2, y: 0 }, animation: false });
  }
  var whole = false;
  var fitAll = document.getElementById("fit-all");
  fitAll.addEventListener("click", function () { whole = true; fit(); whole = false; fitAll.hidden = true; });
  function centreOn(id) {
    var p = network.getPositions([id])[id];
    if (!p) return;
    network.moveTo({ position: p, scale: Math.max(network.getScale(), 1.0), offset: { x: -panelWidth() / 2, y: 0 }, animation: false });
  }

  // --- legend (with counts of what is shown), view switch, topic facet -------------------------
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

  var counters = { cls: {}, rel: {} };
  function legendItem(list, kind, item, icon, state) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.dataset[kind] = item.name;
    box.addEventListener("change", function () {
      state[item.name] = box.checked;
      refresh(true);
    });
    label.appendChild(box);
    label.appendChild(icon);
    var name = el("span", item.name);
    name.title = item.description;
    label.appendChild(name);
    var count = el("span", item.count, "count");
    counters[kind][item.name] = count;
    label.appendChild(count);
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
  function syncBoxes() {
    classList.querySelectorAll("input").forEach(function (b) { b.checked = !!classOn[b.dataset.cls]; });
    relationList.querySelectorAll("input").forEach(function (b) { b.checked = !!relationOn[b.dataset.rel]; });
    document.querySelectorAll('input[name="view"]').forEach(function (b) { b.checked = focusSet === null && b.value === view; });
  }
  document.querySelectorAll('input[name="view"]').forEach(function (b) {
    if (b.value === "overview" && !hasOverview) b.disabled = true;
    b.addEventListener("change", function () {
      if (!b.checked) return;
      setView(b.value);
      refresh(true);
    });
  });

  var topicList = document.getElementById("topic-list");
  var topics = data.nodes.filter(function (n) { return n.cls === "Concept"; }).map(function (n) {
    var tagged = adjacency[n.id].filter(function (a) { return a.edge.rel === "subject" && !a.out; }).length;
    return { node: n, tagged: tagged };
  });
  topics.sort(function (a, b) { return b.tagged - a.tagged || (titleOf(a.node) < titleOf(b.node) ? -1 : 1); });
  topics.forEach(function (t) {
    var li = el("li");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.dataset.topic = t.node.id;
    box.addEventListener("change", function () {
      if (box.checked) topicOn.add(t.node.id); else topicOn.delete(t.node.id);
      refresh(true);
    });
    label.appendChild(box);
    label.appendChild(el("span", titleOf(t.node)));
    label.appendChild(el("span", t.tagged, "count"));
    li.appendChild(label);
    topicList.appendChild(li);
  });
  document.getElementById("topics").hidden = topics.length === 0;

  if (data.drafts) {
    var draftsBox = document.getElementById("show-drafts");
    document.getElementById("draft-count").textContent = data.drafts;
    document.getElementById("drafts-toggle").hidden = false;
    draftsBox.addEventListener("change", function () {
      showDrafts = draftsBox.checked;
      refresh(true);
    });
  }
  var labelBox = document.getElementById("edge-labels");
  labelBox.checked = showEdgeLabels;
  labelBox.addEventListener("change", function () {
    showEdgeLabels = labelBox.checked;
    edges.update(data.edges.map(function (e) { return { id: e.id, label: showEdgeLabels ? e.rel : "" }; }));
  });

  function updateCounts() {
    var perClass = {}, perRelation = {};
    nodeView.get().forEach(function (n) { perClass[n.cls] = (perClass[n.cls] || 0) + 1; });
    edgeView.get().forEach(function (e) { perRelation[e.rel] = (perRelation[e.rel] || 0) + 1; });
    data.classes.forEach(function (c) {
      var shown = perClass[c.name] || 0;
      counters.cls[c.name].textContent = shown === c.count ? String(c.count) : shown + " / " + c.count;
    });
    data.relations.forEach(function (r) {
      var shown = perRelation[r.name] || 0;
      counters.rel[r.name].textContent = shown === r.count ? String(r.count) : shown + " / " + r.count;
    });
    document.getElementById("summary").textContent = nodeView.length + " of " + data.nodes.length +
      " nodes, " + edgeView.length + " of " + data.edges.length + " edges shown";
  }

  function refresh(relayout) {
    nodeView.refresh();
    edgeView.refresh();
    updateCounts();
    if (relayout) { layout(); fit(); }
  }

  // --- details of the selected node: in view, beside the picture ------------------------------
  var details = document.getElementById("details");
  function nodeLink(id) {
    var n = byId[id];
    var b = el("button", n ? titleOf(n) : id, "link");
    b.type = "button";
    b.addEventListener("click", function () { select(id); });
    return b;
  }
  function hideDetails() { details.hidden = true; details.replaceChildren(); }
  function showDetails(id) {
    var n = byId[id];
    details.replaceChildren();
    if (!n) { details.hidden = true; return; }
    details.hidden = false;
    var close = el("button", "×", "close");
    close.type = "button";
    close.title = "close";
    close.addEventListener("click", function () { network.unselectAll(); hideDetails(); });
    details.appendChild(close);
    var badge = el("span", n.cls + (n.fields.status === "draft" ? " (draft)" : ""), "badge");
    badge.style.background = (classInfo[n.cls] || {}).color || "#777";
    details.appendChild(badge);
    details.appendChild(el("h2", titleOf(n)));
    var dl = el("dl");
    dl.appendChild(el("dt", "key"));
    dl.appendChild(el("dd", n.id));
    Object.keys(FIELD_NAMES).forEach(function (k) {
      if (n.fields[k] !== undefined && n.fields[k] !== "" && !(k === "status" && n.cls !== "Claim")) {
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
    var evidence = adjacency[id].filter(function (a) { return EVIDENCE[a.edge.rel]; });
    if (evidence.length) {
      details.appendChild(el("h3", "Evidence (" + evidence.length + ")"));
      var ev = el("ul", null, "evidence");
      evidence.forEach(function (a) {
        var li = el("li", null, "ev-" + a.edge.rel);
        li.appendChild(el("span", a.out ? a.edge.rel + " → " : INVERSE[a.edge.rel] + " ← ", "direction"));
        li.appendChild(nodeLink(a.other));
        quotesOf(a.edge).forEach(function (q) { li.appendChild(el("blockquote", "“" + q + "”")); });
        if (a.edge.fields.quoted_from) li.appendChild(el("div", "quoted from " + a.edge.fields.quoted_from, "small"));
        ev.appendChild(li);
      });
      details.appendChild(ev);
    }
    var others = adjacency[id].filter(function (a) { return !EVIDENCE[a.edge.rel]; });
    if (others.length) {
      details.appendChild(el("h3", "Other relations (" + others.length + ")"));
      var list = el("ul");
      others.slice(0, 200).forEach(function (a) {
        var li = el("li");
        li.appendChild(el("span", (a.out ? a.edge.rel + " → " : "← " + a.edge.rel + " ")));
        li.appendChild(nodeLink(a.other));
        if (a.edge.fields.role) li.appendChild(el("span", " (" + a.edge.fields.role + ")"));
        list.appendChild(li);
      });
      details.appendChild(list);
    }
    details.scrollTop = 0;
  }
  function select(id) {
    var n = byId[id];
    if (!n) return false;
    if (!nodeVisible(n)) {
      if (focusSet !== null && !focusSet.has(id)) { focusSet = null; banner.hidden = true; }
      if (view === "overview" && !overview.has(id)) setView("all");
      if (n.cls === "Concept") topicOn.add(id);
      classOn[n.cls] = classOn[n.cls] || n.cls !== "Concept";
      syncBoxes();
      refresh(true);
    }
    network.selectNodes([id]);
    showDetails(id);
    centreOn(id);
    return true;
  }
  network.on("selectNode", function (p) {
    if (!p.nodes.length) return;
    showDetails(p.nodes[0]);
    // A node picked under the panel is brought into the free part of the picture.
    var at = network.canvasToDOM(network.getPositions([p.nodes[0]])[p.nodes[0]]);
    if (at.x > container.getBoundingClientRect().width - panelWidth()) centreOn(p.nodes[0]);
  });
  network.on("deselectNode", function () { hideDetails(); });

  // --- search -----------------------------------------------------------------------------------
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  function fold(s) { return String(s).toLowerCase().split(/\s+/).join(" ").trim(); }
  function matches(q) {
    q = fold(q);
    if (!q) return [];
    return data.nodes.filter(function (n) {
      return n.id.toLowerCase().indexOf(q) >= 0 || fold(titleOf(n)).indexOf(q) >= 0;
    }).slice(0, 25);
  }
  function showResults() {
    results.replaceChildren();
    matches(search.value).forEach(function (n) {
      var li = el("li");
      var b = el("button", titleOf(n) + " — " + n.cls);
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

  // --- focus: #focus=<what --focus accepts>&depth=<n> shows the neighbourhood of a node ---------
  // A key, an IRI, a claim id, or a fragment of exactly one title (as on the command line).
  function resolve(text) {
    text = String(text).trim();
    var candidates = [text, text.indexOf(data.idBase) === 0 ? text.slice(data.idBase.length) : text, "claim/" + text];
    for (var i = 0; i < candidates.length; i++) if (byId[candidates[i]]) return { node: candidates[i] };
    var needle = fold(text);
    var found = needle ? data.nodes.filter(function (n) { return fold(n.fields.title || "").indexOf(needle) >= 0; }) : [];
    if (found.length === 1) return { node: found[0].id };
    return { matches: found.map(function (n) { return n.id; }).sort() };
  }
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
  var focusText = document.getElementById("focus-text");
  function applyFocus(text, depth) {
    var found = resolve(text);
    if (!found.node) {
      banner.hidden = false;
      focusText.textContent = found.matches.length
        ? found.matches.length + " nodes match “" + text + "”: " + found.matches.slice(0, 8).join(", ") + (found.matches.length > 8 ? " …" : "") + ". Give a longer fragment or a key."
        : "No node matches “" + text + "”: give a claim id, a key such as cell/drug/B4, an IRI or part of a title.";
      return false;
    }
    var centre = found.node;
    focusCentre = centre;
    focusSet = neighbourhood(centre, depth);
    data.classes.forEach(function (c) { classOn[c.name] = c.name !== "Concept" || byId[centre].cls === "Concept"; });
    data.relations.forEach(function (r) { relationOn[r.name] = true; });
    syncBoxes();
    banner.hidden = false;
    focusText.textContent = "Showing the nodes within " + depth + " step" + (depth === 1 ? "" : "s") +
      " of “" + titleOf(byId[centre]) + "”.";
    hideDetails();
    refresh(true);
    network.selectNodes([centre]);
    return true;
  }
  function clearFocus() {
    focusSet = null;
    focusCentre = null;
    banner.hidden = true;
    setView(hasOverview ? "overview" : "all");
    refresh(true);
  }
  var fromHash = evgFocusLink(applyFocus, clearFocus, function () { return focusSet !== null; });

  setView(view);
  if (!fromHash()) {
    if (data.focus && data.focus.node) {
      applyFocus(data.focus.node, data.focus.depth);
    } else {
      refresh(true);
    }
  }
  // Labels are measured at the first drawing: fit once more then, and only then say "ready".
  network.once("afterDrawing", function () {
    fit();
    network.once("afterDrawing", function () {
      window.__firstDraw = performance.now();
      document.body.dataset.ready = "1";
    });
    network.redraw();
  });
  network.redraw();

  window.evidenceGraph = {
    network: network, nodes: nodes, edges: edges, data: data,
    visibleNodeIds: function () { return nodeView.getIds(); },
    visibleEdgeIds: function () { return edgeView.getIds(); },
    overviewIds: function () { return Array.from(overview).sort(); },
    select: select, focus: applyFocus, clearFocus: clearFocus, resolve: resolve,
    setView: function (v) { setView(v); refresh(true); },
    showTopic: function (id) { topicOn.add(id); var b = topicList.querySelector('input[data-topic="' + CSS.escape(id) + '"]'); if (b) b.checked = true; refresh(true); }
  };
})();
