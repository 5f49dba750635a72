"""Network analytics an analyst asks of the projection: which claims have the most support or
challenge, which documents hold the graph together, how it falls apart into components and
communities, and which cells a claim's evidence is listed in.

Everything is deterministic: ties are broken by key, betweenness samples (only above
`BETWEENNESS_EXACT_UP_TO` nodes) and community detection use a fixed seed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from .projection import simple_undirected

DOCUMENT_CLASSES = frozenset({"Study", "Review", "Guidance", "Document"})
EVIDENCE = ("supports", "challenges", "inconclusive")
BETWEENNESS_EXACT_UP_TO = 2000
SEED = 7


@dataclass(frozen=True)
class ClaimScore:
    """A claim with how many documents support, challenge or bear inconclusively on it."""

    claim: str
    title: str
    supports: int
    challenges: int
    inconclusive: int


@dataclass(frozen=True)
class Connected:
    """A document (or any node) with its degree and betweenness centrality."""

    node: str
    title: str
    cls: str
    degree: int
    betweenness: float


@dataclass(frozen=True)
class EvidencePath:
    """claim ← (supports|challenges|inconclusive) — document —listedIn→ cell (as role)."""

    claim: str
    relation: str
    document: str
    cell: str
    role: str

    def render(self) -> str:
        role = f" as {self.role}" if self.role else ""
        return f"{self.claim} <-{self.relation}- {self.document} -listedIn{role}-> {self.cell}"


@dataclass(frozen=True)
class Community:
    """A community of the undirected projection (Louvain), with its best-connected members."""

    size: int
    classes: dict[str, int]
    top: list[str]


@dataclass(frozen=True)
class Analytics:
    """The analytics of one projection."""

    nodes: int
    edges: int
    components: list[int]
    """Sizes of the connected components, largest first."""
    most_supported: list[ClaimScore] = field(default_factory=list)
    most_challenged: list[ClaimScore] = field(default_factory=list)
    most_connected: list[Connected] = field(default_factory=list)
    """Documents by degree (then betweenness)."""
    brokers: list[Connected] = field(default_factory=list)
    """Any nodes by betweenness: what holds the graph together."""
    communities: list[Community] = field(default_factory=list)
    evidence_paths: list[EvidencePath] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def claim_scores(g: nx.MultiDiGraph) -> list[ClaimScore]:
    """Every claim with its counts of supporting, challenging and inconclusive documents."""
    scores = []
    for node, data in g.nodes(data=True):
        if data.get("class") != "Claim":
            continue
        counts = {relation: set() for relation in EVIDENCE}  # type: dict[str, set[str]]
        for source, _t, edge in g.in_edges(node, data=True):
            if edge["relation"] in counts:
                counts[edge["relation"]].add(source)
        scores.append(
            ClaimScore(
                node,
                str(data.get("title", node)),
                len(counts["supports"]),
                len(counts["challenges"]),
                len(counts["inconclusive"]),
            )
        )
    return scores


def evidence_paths(g: nx.MultiDiGraph, claim: str | None = None) -> list[EvidencePath]:
    """For each claim (or just `claim`): the cells where the documents bearing on it are listed."""
    paths: list[EvidencePath] = []
    claims = (
        [claim]
        if claim is not None
        else sorted(n for n, d in g.nodes(data=True) if d.get("class") == "Claim")
    )
    for c in claims:
        for doc, _c, edge in sorted(
            g.in_edges(c, data=True), key=lambda e: (e[0], e[2]["relation"])
        ):
            if edge["relation"] not in EVIDENCE:
                continue
            for _d, cell, listing in g.out_edges(doc, data=True):
                if listing["relation"] == "listedIn":
                    paths.append(
                        EvidencePath(c, edge["relation"], doc, cell, str(listing.get("role", "")))
                    )
    return paths


def centrality(g: nx.MultiDiGraph) -> list[Connected]:
    """Every node with its degree (multigraph) and betweenness (simple undirected graph)."""
    u = simple_undirected(g)
    k = None if len(u) <= BETWEENNESS_EXACT_UP_TO else BETWEENNESS_EXACT_UP_TO // 4
    between = nx.betweenness_centrality(u, k=k, seed=SEED, normalized=True) if len(u) else {}
    return [
        Connected(
            n,
            str(d.get("title", n)),
            str(d.get("class", "")),
            int(g.degree(n)),
            round(float(between.get(n, 0.0)), 4),
        )
        for n, d in g.nodes(data=True)
    ]


def communities(g: nx.MultiDiGraph, top: int = 3) -> list[Community]:
    """Louvain communities of the undirected projection, largest first, with top members."""
    u = simple_undirected(g)
    if u.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(u, seed=SEED)
    out = []
    for members in sorted(found, key=lambda c: (-len(c), min(c))):
        classes: dict[str, int] = {}
        for m in members:
            cls = str(u.nodes[m].get("class", ""))
            classes[cls] = classes.get(cls, 0) + 1
        best = sorted(members, key=lambda m: (-u.degree(m), m))[:top]
        out.append(Community(len(members), dict(sorted(classes.items())), best))
    return out


def analyse(g: nx.MultiDiGraph, top: int = 5) -> Analytics:
    """All of the above for `g`, each list cut to its `top` entries (paths: all)."""
    scores = claim_scores(g)
    supported = sorted(
        (s for s in scores if s.supports), key=lambda s: (-s.supports, s.challenges, s.claim)
    )
    challenged = sorted(
        (s for s in scores if s.challenges), key=lambda s: (-s.challenges, -s.supports, s.claim)
    )
    central = centrality(g)
    documents = sorted(
        (c for c in central if c.cls in DOCUMENT_CLASSES),
        key=lambda c: (-c.degree, -c.betweenness, c.node),
    )
    brokers = sorted(
        (c for c in central if c.betweenness > 0), key=lambda c: (-c.betweenness, c.node)
    )
    u = simple_undirected(g)
    components = sorted((len(c) for c in nx.connected_components(u)), reverse=True)
    return Analytics(
        nodes=g.number_of_nodes(),
        edges=g.number_of_edges(),
        components=components,
        most_supported=supported[:top],
        most_challenged=challenged[:top],
        most_connected=documents[:top],
        brokers=brokers[:top],
        communities=communities(g)[:top],
        evidence_paths=evidence_paths(g),
    )


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render(a: Analytics, *, max_paths: int = 20) -> str:
    """A plain-text report of `a`, for `evidence-graph stats`."""
    lines = [
        f"Network (projection): {a.nodes} nodes, {a.edges} edges, "
        f"{len(a.components)} connected component{'s' if len(a.components) != 1 else ''}"
        + (f" (largest {a.components[0]})" if a.components else "")
    ]
    lines += ["", "Most-supported claims (supporting / challenging documents):"]
    lines += [f"  {s.supports:>3} / {s.challenges:<3} {_short(s.title)}" for s in a.most_supported]
    if not a.most_supported:
        lines.append("  (no claims with supporting evidence)")
    lines += ["", "Most-challenged claims (challenging / supporting documents):"]
    lines += [f"  {s.challenges:>3} / {s.supports:<3} {_short(s.title)}" for s in a.most_challenged]
    if not a.most_challenged:
        lines.append("  (no claims with challenging evidence)")
    lines += ["", "Most-connected documents (degree, betweenness):"]
    lines += [f"  {c.degree:>3}  {c.betweenness:.3f}  {_short(c.title)}" for c in a.most_connected]
    lines += ["", "Brokers: nodes on most shortest paths (betweenness):"]
    lines += [f"  {c.betweenness:.3f}  {c.cls:<12} {_short(c.title)}" for c in a.brokers]
    lines += ["", "Communities (Louvain; size, classes, best-connected members):"]
    for i, c in enumerate(a.communities, 1):
        classes = ", ".join(f"{k} {v}" for k, v in c.classes.items())
        lines.append(f"  {i}. {c.size} nodes ({classes}): {', '.join(c.top)}")
    lines += ["", "Evidence paths: claim <- document -listedIn-> cell:"]
    lines += [f"  {p.render()}" for p in a.evidence_paths[:max_paths]]
    if len(a.evidence_paths) > max_paths:
        lines.append(f"  … and {len(a.evidence_paths) - max_paths} more (--json lists all)")
    if not a.evidence_paths:
        lines.append("  (no claims with evidence listed in a cell)")
    return "\n".join(lines)
