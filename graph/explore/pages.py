"""The offline graph page and the matrix view, made from the networkx projection.

pyvis assembles the network (its `Node`/`Edge` option records and `Network` options); the page
around it is our own: vis-network (shipped inside the pyvis package) is inlined, with our own CSS
and script, so the page loads nothing from the web. Positions are computed here with a seeded
layout and physics is off, so the page draws at once and the same graph gives the same bytes.

Source text is data, never markup: every string from the sources reaches the page only inside a
JSON block whose ``<``, ``>`` and ``&`` are escaped, and the script puts it into the DOM with
``textContent`` (never ``innerHTML``); a Content-Security-Policy that admits only the page's own
scripts (by hash) and no network is a second line of defence.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx

from ...ontology import ID
from ..base.matrices import LEVELS, TYPES
from .projection import CLASSES, RELATIONS, CellInfo, shorten, simple_undirected

LARGE_GRAPH = 3000
"""Above this many nodes the page draws with WebGL (sigma.js) from positions computed here."""

CLASS_STYLE: dict[str, tuple[str, str]] = {
    "Matrix": ("#4d4d4d", "star"),
    "Cell": ("#0072b2", "square"),
    "Study": ("#e69f00", "dot"),
    "Review": ("#cc79a7", "diamond"),
    "Guidance": ("#009e73", "triangle"),
    "Document": ("#a0a0a0", "dot"),
    "Section": ("#56b4e9", "triangleDown"),
    "Claim": ("#d55e00", "hexagon"),
    "Concept": ("#a6761d", "diamond"),
    "Organisation": ("#7570b3", "square"),
}
"""Node class → (colour, vis-network shape); colours from the Okabe-Ito colour-blind-safe set."""

RELATION_COLOUR: dict[str, str] = {
    "supports": "#1a9850",
    "challenges": "#d73027",
    "inconclusive": "#f08c00",
    "consistentWith": "#66bd63",
    "contradicts": "#a50026",
    "relatedClaim": "#8c8c8c",
    "listedIn": "#4575b4",
    "relatedTo": "#8073ac",
    "includes": "#542788",
    "mentions": "#9e9e9e",
    "discussedIn": "#35978f",
    "refersTo": "#74add1",
    "partOf": "#92c5de",
    "subject": "#bf812d",
    "publisher": "#b2abd2",
    "inMatrix": "#c8c8c8",
}
"""Relation → edge colour."""

assert set(CLASS_STYLE) == set(CLASSES) and set(RELATION_COLOUR) == set(RELATIONS)

_TEMPLATES = files("evidence_graph.graph.explore.templates")
_VIS_JS = files("pyvis") / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
_STATIC = files("evidence_graph.graph.explore.static")

_NODE_FIELDS = (
    "title",
    "year",
    "role",
    "publisher",
    "jurisdiction",
    "matrix",
    "cell",
    "level",
    "type",
    "exposure",
    "outcome",
    "effect_shape",
    "moderator",
    "population",
    "status",
    "confidence",
    "excerpt",
    "iri",
)
_EDGE_FIELDS = ("role", "position", "listing", "via", "quote", "quotes", "quoted_from", "excerpt")


def layout(g: nx.MultiDiGraph, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Deterministic positions in page pixels: a seeded force layout of the undirected graph.

    Small graphs get networkx's spring layout; from `SAMPLED_LAYOUT` nodes on, a force layout in
    O(nodes + edges) per step whose result is packed into a disc, one node per slot (no overlaps).
    """
    u = simple_undirected(g)
    n = len(u)
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(u)): (0.0, 0.0)}
    if n < SAMPLED_LAYOUT:
        # A longer ideal edge length than networkx's 1/sqrt(n) spreads hubs' neighbours apart.
        pos = nx.spring_layout(u, seed=seed, iterations=300, k=2.2 / math.sqrt(n))
        raw = _spread({k: (float(v[0]), float(v[1])) for k, v in pos.items()})
    else:
        raw = _sampled_force_layout(u, seed)
    span = 70.0 * math.sqrt(n) + 300.0
    return {k: (round(x * span, 1), round(y * span, 1)) for k, (x, y) in raw.items()}


SAMPLED_LAYOUT = 500
"""From this many nodes on, the layout is the sampled force layout packed into a disc."""


def _spread(pos: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Pull far-flung leaves in and open up the crowded centre: radius r -> sqrt(r)."""
    if not pos:
        return pos
    cx = sum(x for x, _ in pos.values()) / len(pos)
    cy = sum(y for _, y in pos.values()) / len(pos)
    far = max(math.hypot(x - cx, y - cy) for x, y in pos.values()) or 1.0
    out = {}
    for key, (x, y) in pos.items():
        dx, dy = (x - cx) / far, (y - cy) / far
        r = math.hypot(dx, dy)
        factor = math.sqrt(r) / r if r > 0 else 0.0
        out[key] = (dx * factor, dy * factor)
    return out


def _sampled_force_layout(
    u: nx.Graph, seed: int, iterations: int = 45, samples: int = 8, gravity: float = 6.0
) -> dict[str, tuple[float, float]]:
    """A force layout in O(nodes + edges) per step, packed into a disc with no two nodes touching.

    Edges pull their ends together; each node is pushed away from a few random others (scaled up
    to stand for all of them), so linked groups gather while the whole spreads out. The result is
    then packed (`pack_disc`): nodes keep their order top to bottom and left to right, each in its
    own slot of a disc, so nothing sits on top of anything else. All steps are numpy array work.
    """
    import numpy as np

    nodes = list(u)
    n = len(nodes)
    index = {k: i for i, k in enumerate(nodes)}
    pairs = [(index[s], index[t]) for s, t in u.edges() if s != t]
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)) - 0.5
    k = 1.0 / math.sqrt(n)
    temperature = 0.1
    cooling = (0.002 / temperature) ** (1.0 / max(iterations, 1))
    scale = n / samples
    for _ in range(iterations):
        others = rng.integers(0, n, size=(n, samples))
        delta = pos[:, None, :] - pos[others]
        d2 = np.einsum("ijk,ijk->ij", delta, delta) + 1e-9
        disp = np.einsum("ijk,ij->ik", delta, (k * k * scale) / d2)
        if len(edges):
            de = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.sqrt(np.einsum("ij,ij->i", de, de)) + 1e-9
            pull = de * (dist / k)[:, None]
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(edges[:, 0], weights=pull[:, axis], minlength=n)
                disp[:, axis] += np.bincount(edges[:, 1], weights=pull[:, axis], minlength=n)
        disp -= pos * gravity  # keeps the whole a disc instead of a ring
        length = np.sqrt(np.einsum("ij,ij->i", disp, disp)) + 1e-9
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature *= cooling
    packed = pack_disc(pos)
    return {k_: (float(packed[i, 0]), float(packed[i, 1])) for i, k_ in enumerate(nodes)}


def pack_disc(pos: Any) -> Any:
    """Points moved into their own slots of a unit disc, keeping their vertical and row order.

    The disc is cut into rows sqrt(2) slot-widths apart, each holding a share of the points in
    proportion to its width; points fill rows by height, and each row by x, evenly spaced. With
    about two slots of area per point, neighbours in a row and rows stay at least one slot apart,
    so no two points are closer than 1/radius. O(n log n); the large page's script packs what is
    shown after a filter the same way (into an ellipse shaped like the window).
    """
    import numpy as np

    n = len(pos)
    if n == 0:
        return pos.copy()
    radius = math.sqrt(2.0 * n / math.pi) + 1.0
    step = math.sqrt(2.0)
    rows = max(int(2 * radius / step), 1)
    ys = (np.arange(rows) + 0.5) * (2 * radius / rows) - radius
    widths = 2 * np.sqrt(np.maximum(radius * radius - ys * ys, 0.0))
    bounds = np.round(np.cumsum(widths) / widths.sum() * n).astype(np.int64)
    starts = np.concatenate(([0], bounds[:-1]))
    counts = bounds - starts
    by_height = np.lexsort((np.arange(n), pos[:, 0], pos[:, 1]))
    row_of = np.empty(n, dtype=np.int64)
    row_of[by_height] = np.searchsorted(bounds, np.arange(n), side="right")
    order = np.lexsort((np.arange(n), pos[:, 0], row_of))
    place = np.empty(n, dtype=np.int64)
    place[order] = np.arange(n) - starts[row_of[order]]
    counts_of = np.maximum(counts[row_of], 1)
    gap = widths[row_of] / counts_of
    out = np.empty((n, 2))
    out[:, 0] = -widths[row_of] / 2 + (place + 0.5) * gap
    out[:, 1] = ys[row_of]
    return out / radius


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside a <script> element: no tag can be opened or closed from it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _template(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


PAGE_LABEL_CHARS = 52
"""Node labels on the page: wrapped on two lines under the node, so longer than the projection's."""


def _page_label(data: dict[str, Any]) -> str:
    """The label drawn under a node: a longer cut of its title (year first for documents)."""
    title = str(data.get("title") or data["label"])
    if data["class"] in ("Cell", "Matrix"):
        return str(data["label"])
    year = data.get("year")
    if year is not None and str(year) not in title:
        title = f"{year} {title}"
    return shorten(title, PAGE_LABEL_CHARS)


def network_data(g: nx.MultiDiGraph, *, focus: str | None = None, depth: int = 1) -> dict[str, Any]:
    """The page's data: nodes and edges as vis-network options (assembled with pyvis), legends."""
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    positions = layout(g)
    degrees = dict(g.degree())
    net = Network(directed=True, cdn_resources="in_line")
    # pyvis's add_node/add_edge check membership in lists (O(N×E)); its Node and Edge records are
    # what those methods append, so they are built directly.
    drafts = {key for key, data in g.nodes(data=True) if data.get("status") == "draft"}
    for key, data in g.nodes(data=True):
        cls = str(data["class"])
        colour, shape = CLASS_STYLE[cls]
        x, y = positions[key]
        fields = {f: data[f] for f in _NODE_FIELDS if f in data}
        # A machine draft is drawn pale with a dashed border (a claim nobody has accepted yet).
        style: dict[str, Any] = (
            {
                "draft": True,
                "borderWidth": 2,
                "shapeProperties": {"borderDashes": [4, 3]},
                "color": {"background": "#fbe3d4", "border": colour},
            }
            if key in drafts
            else {"color": colour}
        )
        net.nodes.append(
            Node(
                key,
                shape,
                label=_page_label(data),
                cls=cls,
                x=x,
                y=y,
                size=round(min(8 + 4 * math.sqrt(degrees.get(key, 0)), 22), 1),
                degree=degrees.get(key, 0),
                fields=fields,
                **style,
            ).options
        )
    for n, (s, t, data) in enumerate(g.edges(data=True)):
        relation = str(data["relation"])
        fields = {f: data[f] for f in _EDGE_FIELDS if f in data}
        net.edges.append(
            Edge(
                s,
                t,
                directed=True,
                id=f"e{n}",
                rel=relation,
                label=relation,
                color=RELATION_COLOUR[relation],
                fields=fields,
                dashes=s in drafts or t in drafts,
            ).options
        )
    net.set_options(_template("vis-options.json"))
    options = json.loads(net.get_network_data()[5])
    class_counts: dict[str, int] = {}
    for _, data in g.nodes(data=True):
        class_counts[data["class"]] = class_counts.get(data["class"], 0) + 1
    relation_counts: dict[str, int] = {}
    for _, _, data in g.edges(data=True):
        relation_counts[data["relation"]] = relation_counts.get(data["relation"], 0) + 1
    return {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": options,
        "classes": [
            {
                "name": c,
                "description": CLASSES[c],
                "color": CLASS_STYLE[c][0],
                "shape": CLASS_STYLE[c][1],
                "count": class_counts[c],
            }
            for c in CLASSES
            if c in class_counts
        ],
        "relations": [
            {
                "name": r,
                "description": RELATIONS[r],
                "color": RELATION_COLOUR[r],
                "count": relation_counts[r],
            }
            for r in RELATIONS
            if r in relation_counts
        ],
        "edgeLabels": False,
        "idBase": ID,
        "drafts": len(drafts),
        "focus": {"node": focus, "depth": depth} if focus else None,
    }


def _page(title: str, body: str, css: str, scripts: list[tuple[str, str]]) -> str:
    """An HTML page whose only scripts are `scripts` ((type, text) pairs), allowed by hash."""
    hashes = " ".join(_csp_hash(text) for kind, text in scripts if kind == "js")
    csp = (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; img-src data:; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    tags = []
    for kind, text in scripts:
        if kind == "js":
            tags.append(f"<script>{text}</script>")
        else:
            tags.append(f'<script type="application/json" id="{kind}">{text}</script>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=False)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{css}</style>\n</head>\n<body>\n{body}\n"
        + "\n".join(tags)
        + "\n</body>\n</html>\n"
    )


def graph_page(
    g: nx.MultiDiGraph,
    *,
    title: str = "evidence-graph",
    focus: str | None = None,
    depth: int = 1,
) -> str:
    """The interactive graph page of `g`, one self-contained HTML document.

    Above `LARGE_GRAPH` nodes the page draws with WebGL (sigma.js) instead of vis-network.
    """
    if g.number_of_nodes() > LARGE_GRAPH:
        return large_graph_page(g, title=title, focus=focus, depth=depth)
    data = network_data(g, focus=focus, depth=depth)
    heading = title if not focus else f"{title}: around {g.nodes[focus]['title']}"
    vis_js = _VIS_JS.read_text(encoding="utf-8")
    page_js = _template("focus-link.js") + _template("graph.js")
    body = _template("graph-body.html").replace("@@HEADING@@", html.escape(heading))
    return _page(
        heading,
        body,
        _template("graph.css"),
        [
            ("graph-data", _json_for_script(data)),
            ("js", vis_js),
            ("js", page_js),
        ],
    )


def large_graph_data(g: nx.MultiDiGraph) -> dict[str, Any]:
    """The large page's data in compact arrays: positions, sizes and classes by index."""
    positions = layout(g)
    degrees = dict(g.degree())
    classes = [c for c in CLASSES if any(d["class"] == c for _, d in g.nodes(data=True))]
    relations = sorted(
        {str(d["relation"]) for _, _, d in g.edges(data=True)}, key=list(RELATIONS).index
    )
    class_index = {c: i for i, c in enumerate(classes)}
    relation_index = {r: i for i, r in enumerate(relations)}
    node_index: dict[str, int] = {}
    nodes: list[list[Any]] = []
    class_counts = dict.fromkeys(classes, 0)
    for key, data in g.nodes(data=True):
        node_index[key] = len(nodes)
        cls = str(data["class"])
        class_counts[cls] += 1
        x, y = positions[key]
        size = round(min(2.0 + 1.2 * math.sqrt(degrees.get(key, 0)), 12.0), 1)
        title = str(data.get("title", key))
        nodes.append(
            [key, str(data["label"]), class_index[cls], x, -y, size, title, data.get("year")]
        )
    relation_counts = dict.fromkeys(relations, 0)
    edges: list[list[int]] = []
    for s, t, data in g.edges(data=True):
        relation = str(data["relation"])
        relation_counts[relation] += 1
        edges.append([node_index[s], node_index[t], relation_index[relation]])
    return {
        "nodes": nodes,
        "edges": edges,
        "classes": [
            {
                "name": c,
                "description": CLASSES[c],
                "color": CLASS_STYLE[c][0],
                "count": class_counts[c],
            }
            for c in classes
        ],
        "relations": [
            {
                "name": r,
                "description": RELATIONS[r],
                "color": RELATION_COLOUR[r],
                "count": relation_counts[r],
            }
            for r in relations
        ],
        "idBase": ID,
    }


def large_graph_page(
    g: nx.MultiDiGraph,
    *,
    title: str = "evidence-graph",
    focus: str | None = None,
    depth: int = 1,
) -> str:
    """The graph page for large graphs: sigma.js and graphology (vendored), WebGL, one file."""
    heading = title if not focus else f"{title}: around {g.nodes[focus]['title']}"
    data = large_graph_data(g)
    scripts = [
        ("graph-data", _json_for_script(data)),
        ("js", (_STATIC / "graphology.umd.min.js").read_text(encoding="utf-8")),
        ("js", (_STATIC / "sigma.min.js").read_text(encoding="utf-8")),
        ("js", _template("focus-link.js") + _template("graph-large.js")),
    ]
    body = _template("graph-large-body.html").replace("@@HEADING@@", html.escape(heading))
    return _page(heading, body, _template("graph.css"), scripts)


def matrix_data(g: nx.MultiDiGraph, cells: list[CellInfo]) -> dict[str, Any]:
    """Per matrix, its 5×5 grid: listings by role, claims and sections per cell, pages marked."""
    by_matrix: dict[str, dict[str, CellInfo]] = {}
    for info in cells:
        by_matrix.setdefault(info.matrix, {})[info.cell] = info
    matrices: list[dict[str, Any]] = []
    order = sorted(by_matrix, key=lambda m: (m not in ("drug", "alcohol"), m != "drug", m))
    for key in order:
        members = by_matrix[key]
        first = next(iter(members.values()))
        levels = {lv: _header(members, lv, "level") for lv in LEVELS}
        types = {t: _header(members, t, "type") for t in TYPES}
        grid: list[dict[str, Any]] = []
        for t in TYPES:
            for lv in LEVELS:
                member = members.get(f"{lv}{t}")
                node = member.key if member and member.key in g else None
                summary = _cell_summary(g, node, key, lv, t)
                if member:
                    summary["page"] = member.has_page
                    summary["title"] = member.title
                grid.append(summary)
        matrices.append(
            {
                "key": key,
                "title": first.matrix_title,
                "levels": [{"id": k, "label": v} for k, v in levels.items()],
                "types": [{"id": k, "label": v} for k, v in types.items()],
                "cells": grid,
            }
        )
    return {"matrices": matrices}


def _header(members: dict[str, CellInfo], ident: str, axis: str) -> str:
    """The label of a column (level) or row (type), as the matrix's cells carry it."""
    for cell_id, info in sorted(members.items()):
        if (cell_id[:1] if axis == "level" else cell_id[1:]) == ident:
            label = info.level if axis == "level" else info.type
            if label:
                return label
    return ident


def _cell_summary(
    g: nx.MultiDiGraph, node: str | None, matrix: str, level: str, kind: str
) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "matrix": matrix,
        "cell": f"{level}{kind}",
        "node": node,
        "page": False,
        "roles": {},
        "listings": 0,
        "claims": 0,
        "sections": 0,
        "refs": 0,
        "docs": [],
    }
    if node is None:
        return summary
    data = g.nodes[node]
    summary["page"] = bool(data.get("has_page"))
    summary["title"] = str(data.get("title", ""))
    claims: set[str] = set()
    docs: set[str] = set()
    for s, _t, edge in g.in_edges(node, data=True):
        relation = edge["relation"]
        if relation == "listedIn":
            summary["listings"] += 1
            docs.add(s)
            for role in str(edge.get("role") or "unspecified").split(", "):
                summary["roles"][role] = summary["roles"].get(role, 0) + 1
        elif relation == "partOf":
            summary["sections"] += 1
        elif relation == "refersTo":
            summary["refs"] += 1
    for doc in docs:
        for _s, t, edge in g.out_edges(doc, data=True):
            if edge["relation"] in ("supports", "challenges", "inconclusive"):
                claims.add(t)
    summary["claims"] = len(claims)
    summary["docs"] = [_cell_document(g, node, doc) for doc in sorted(docs)]
    return summary


_EVIDENCE = ("supports", "challenges", "inconclusive")


def _cell_document(g: nx.MultiDiGraph, cell: str, doc: str) -> dict[str, Any]:
    """One document a cell lists, as the evidence map shows it: roles here, evidence it gives."""
    data = g.nodes[doc]
    roles = sorted(
        {
            role
            for _s, t, edge in g.out_edges(doc, data=True)
            if t == cell and edge["relation"] == "listedIn"
            for role in str(edge.get("role") or "unspecified").split(", ")
        }
    )
    evidence = sorted(
        (
            str(edge["relation"]),
            claim,
            shorten(str(g.nodes[claim].get("title", claim)), 90),
            str(g.nodes[claim].get("status", "curated")),
        )
        for _s, claim, edge in g.out_edges(doc, data=True)
        if edge["relation"] in _EVIDENCE
    )
    return {
        "key": doc,
        "title": str(data.get("title", doc)),
        "year": data.get("year"),
        "roles": roles,
        "evidence": [
            {"direction": d, "claim": c, "label": label, "status": status}
            for d, c, label, status in evidence
        ],
    }


def matrix_page(
    g: nx.MultiDiGraph, cells: list[CellInfo], *, graph_page_href: str = "evidence.html"
) -> str:
    """The matrix view: each matrix's 5×5 grid as an evidence map, cells linking to focus views."""
    data = matrix_data(g, cells)
    data["graphPage"] = graph_page_href
    body = _template("matrix-body.html")
    return _page(
        "evidence-graph: matrix view",
        body,
        _template("matrix.css"),
        [("matrix-data", _json_for_script(data)), ("js", _template("matrix.js"))],
    )


def write_page(text: str, output: Path | None) -> None:
    """Write a page atomically to `output` (UTF-8)."""
    from ..base.files import atomic_write

    if output is None:
        raise ValueError("no output path")
    with atomic_write(output) as handle:
        handle.write(text.encode("utf-8"))
