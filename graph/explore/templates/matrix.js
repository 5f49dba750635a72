// evidence-graph matrix view: an evidence and gap map, one 5x5 grid per matrix. Source strings go
// into the page with textContent only; the bubbles are SVG built with createElementNS.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("matrix-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var DIRECTIONS = [["supports", "#1a9850"], ["challenges", "#d73027"], ["inconclusive", "#f08c00"], ["none", "#b8b8b8"]];
  var ROLE_ORDER = ["seminal", "key", "review", "guidance"];
  var MAX_RADIUS = 36;
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function checked(name) {
    var on = {};
    document.querySelectorAll('#filters input[name="' + name + '"]').forEach(function (b) { on[b.value] = b.checked; });
    return on;
  }

  // What a cell shows under the filters: its documents listed in a chosen role, and for each the
  // directions of its evidence on claims of a chosen status.
  function tally(cell, roles, statuses) {
    var docs = cell.docs.filter(function (d) {
      return d.roles.some(function (r) { return roles[r] !== undefined ? roles[r] : true; });
    });
    var share = { supports: 0, challenges: 0, inconclusive: 0, none: 0 };
    var pairs = { supports: 0, challenges: 0, inconclusive: 0 };
    var claims = new Set();
    var rows = docs.map(function (d) {
      var ev = d.evidence.filter(function (e) { return statuses[e.status] !== undefined ? statuses[e.status] : true; });
      if (!ev.length) share.none += 1;
      ev.forEach(function (e) { share[e.direction] += 1 / ev.length; pairs[e.direction] += 1; claims.add(e.claim); });
      return { doc: d, evidence: ev };
    });
    return { docs: rows, share: share, pairs: pairs, claims: claims.size };
  }

  function bubble(t, maxDocs) {
    var n = t.docs.length;
    var svg = document.createElementNS(SVGNS, "svg");
    var size = 2 * MAX_RADIUS + 4;
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("class", "bubble");
    var r = n ? Math.max(6, MAX_RADIUS * Math.sqrt(n / Math.max(maxDocs, 1))) : 0;
    var c = size / 2;
    var start = -Math.PI / 2;
    DIRECTIONS.forEach(function (pair) {
      var part = t.share[pair[0]] / (n || 1);
      if (part <= 0) return;
      var shape;
      if (part >= 0.9999) {
        shape = document.createElementNS(SVGNS, "circle");
        shape.setAttribute("cx", String(c)); shape.setAttribute("cy", String(c)); shape.setAttribute("r", r.toFixed(2));
      } else {
        var end = start + part * 2 * Math.PI;
        var large = end - start > Math.PI ? 1 : 0;
        shape = document.createElementNS(SVGNS, "path");
        shape.setAttribute("d", "M" + c + "," + c + " L" + (c + r * Math.cos(start)).toFixed(2) + "," + (c + r * Math.sin(start)).toFixed(2) +
          " A" + r.toFixed(2) + "," + r.toFixed(2) + " 0 " + large + " 1 " + (c + r * Math.cos(end)).toFixed(2) + "," + (c + r * Math.sin(end)).toFixed(2) + " Z");
        start = end;
      }
      shape.setAttribute("fill", pair[1]);
      shape.setAttribute("stroke", "#fff");
      shape.setAttribute("stroke-width", "1");
      shape.setAttribute("class", "slice-" + pair[0]);
      svg.appendChild(shape);
    });
    return svg;
  }

  var tip = document.getElementById("tip");
  function showTip(ev, cell, t) {
    tip.replaceChildren();
    tip.appendChild(el("div", (cell.title || cell.cell), "tip-title"));
    if (!t.docs.length) tip.appendChild(el("div", "No listed document passes the filters: a gap.", "tip-meta"));
    var list = el("ul");
    t.docs.slice(0, 30).forEach(function (row) {
      var li = el("li");
      li.appendChild(el("span", (row.doc.year ? row.doc.year + " " : "") + row.doc.title, "doc"));
      li.appendChild(el("span", " — " + row.doc.roles.join(", "), "tip-meta"));
      row.evidence.forEach(function (e) {
        li.appendChild(el("div", e.direction + ": " + e.label + (e.status === "draft" ? " (draft)" : ""), "ev ev-" + e.direction));
      });
      list.appendChild(li);
    });
    if (t.docs.length > 30) list.appendChild(el("li", "… and " + (t.docs.length - 30) + " more"));
    tip.appendChild(list);
    tip.hidden = false;
    moveTip(ev);
  }
  function moveTip(ev) {
    var x = ev.clientX + 14, y = ev.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) x = Math.max(8, ev.clientX - w - 14);
    if (y + h > window.innerHeight - 8) y = Math.max(8, window.innerHeight - h - 8);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }

  var root = document.getElementById("matrices");
  function draw() {
    var roles = checked("role"), statuses = checked("status");
    root.replaceChildren();
    var tallies = data.matrices.map(function (m) { return m.cells.map(function (c) { return tally(c, roles, statuses); }); });
    var maxDocs = 1;
    tallies.forEach(function (ts) { ts.forEach(function (t) { maxDocs = Math.max(maxDocs, t.docs.length); }); });
    var totalDocs = 0, gaps = 0, cells = 0;
    data.matrices.forEach(function (m, mi) {
      var section = el("section");
      section.id = "matrix-" + m.key;
      section.appendChild(el("h2", m.title));
      var table = el("table", null, "matrix");
      table.dataset.matrix = m.key;
      var head = el("tr");
      head.appendChild(el("th", "type \\ level"));
      m.levels.forEach(function (lv) { head.appendChild(el("th", lv.label === lv.id ? lv.id : lv.label)); });
      var thead = el("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      var tbody = el("tbody");
      m.types.forEach(function (ty) {
        var tr = el("tr");
        tr.appendChild(el("th", ty.label === ty.id ? ty.id : ty.label, "row"));
        m.levels.forEach(function (lv) {
          var index = -1;
          m.cells.forEach(function (x, i) { if (x.cell === lv.id + ty.id) index = i; });
          var c = m.cells[index], t = tallies[mi][index];
          var td = el("td");
          td.dataset.cell = c.cell;
          td.dataset.documents = String(t.docs.length);
          cells += 1;
          totalDocs += t.docs.length;
          var box;
          if (c.node) {
            box = el("a");
            box.href = data.graphPage + "#focus=" + encodeURIComponent(c.node) + "&depth=2";
            box.setAttribute("aria-label", "cell " + c.cell + ": " + plural(t.docs.length, "document"));
          } else {
            box = el("div", null, "cellbox");
          }
          var id = el("div", null, "cellhead");
          id.appendChild(el("span", c.cell, "cellid"));
          if (c.page) id.appendChild(el("span", "page", "pagemark"));
          box.appendChild(id);
          if (t.docs.length) {
            box.appendChild(bubble(t, maxDocs));
            var said = [];
            if (t.pairs.supports) said.push(t.pairs.supports + " for");
            if (t.pairs.challenges) said.push(t.pairs.challenges + " against");
            if (t.pairs.inconclusive) said.push(t.pairs.inconclusive + " inconclusive");
            box.appendChild(el("div", plural(t.docs.length, "document"), "count"));
            box.appendChild(el("div", said.length ? "evidence on " + plural(t.claims, "claim") + ": " + said.join(", ") : "no claims drawn yet", "extra"));
          } else {
            gaps += 1;
            td.classList.add("gap");
            box.appendChild(el("div", c.page ? "gap: nothing passes the filters" : "gap: no page", "gaptext"));
          }
          td.appendChild(box);
          if (c.page) td.classList.add("page");
          td.addEventListener("mouseenter", function (ev) { showTip(ev, c, t); });
          td.addEventListener("mousemove", moveTip);
          td.addEventListener("mouseleave", function () { tip.hidden = true; });
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      section.appendChild(table);
      root.appendChild(section);
    });
    document.getElementById("totals").textContent = plural(totalDocs, "listing") + " shown in " +
      (cells - gaps) + " of " + cells + " cells; " + plural(gaps, "gap") + ".";
  }
  document.querySelectorAll("#filters input").forEach(function (b) { b.addEventListener("change", draw); });
  draw();
  document.body.dataset.ready = "1";
  window.evidenceMap = { redraw: draw };
})();
