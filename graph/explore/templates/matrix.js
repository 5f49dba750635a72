// evidence-graph matrix view: one 5x5 table per matrix. Source strings go in with textContent only.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("matrix-data").textContent);
  var ROLE_LETTERS = [["seminal", "S"], ["key", "K"], ["review", "R"], ["guidance", "G"]];
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  var root = document.getElementById("matrices");
  data.matrices.forEach(function (m) {
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
    m.types.forEach(function (t) {
      var tr = el("tr");
      tr.appendChild(el("th", t.label === t.id ? t.id : t.label, "row"));
      m.levels.forEach(function (lv) {
        var c = m.cells.filter(function (x) { return x.cell === lv.id + t.id; })[0];
        var td = el("td");
        td.dataset.cell = c.cell;
        var box;
        if (c.node) {
          box = el("a");
          box.href = data.graphPage + "#focus=" + encodeURIComponent(c.node) + "&depth=2";
        } else {
          box = el("div", null, "cellbox");
        }
        if (c.title) box.title = c.title;
        var id = el("div", null);
        id.appendChild(el("span", c.cell, "cellid"));
        if (c.page) id.appendChild(el("span", "page", "pagemark"));
        box.appendChild(id);
        var roles = el("div", null, "roles");
        ROLE_LETTERS.forEach(function (pair) {
          var n = c.roles[pair[0]] || 0;
          if (n) {
            var s = el("span", pair[1] + " " + n);
            s.title = plural(n, pair[0] + " listing");
            roles.appendChild(s);
          }
        });
        Object.keys(c.roles).sort().forEach(function (r) {
          if (!ROLE_LETTERS.some(function (p) { return p[0] === r; })) roles.appendChild(el("span", r + " " + c.roles[r]));
        });
        box.appendChild(roles);
        var extra = [];
        if (c.listings) extra.push(plural(c.listings, "listing"));
        if (c.claims) extra.push(plural(c.claims, "claim"));
        if (c.sections) extra.push(plural(c.sections, "section"));
        if (c.refs) extra.push("referred to " + plural(c.refs, "time"));
        if (!extra.length && !c.page) extra.push("no page");
        box.appendChild(el("div", extra.join(" · "), "extra"));
        td.appendChild(box);
        if (c.page) {
          td.classList.add("page");
          td.classList.add(c.listings >= 12 ? "l3" : c.listings >= 6 ? "l2" : c.listings >= 1 ? "l1" : "l0");
        } else if (!c.node) {
          td.classList.add("empty");
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    section.appendChild(table);
    var legend = el("p", null, "legend");
    legend.appendChild(document.createTextNode("Cells:"));
    [["#d4e5f7", "page, 1–5 listings"], ["#b9d4f1", "6–11"], ["#97bfe9", "12 or more"], ["#fafafa", "no page"]].forEach(function (p) {
      var sw = el("span");
      sw.style.background = p[0];
      legend.appendChild(sw);
      legend.appendChild(document.createTextNode(p[1]));
    });
    section.appendChild(legend);
    root.appendChild(section);
  });
  document.body.dataset.ready = "1";
})();
