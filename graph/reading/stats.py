"""Counts per class and per relation of a built graph (network analytics live elsewhere)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rdflib import Dataset
from rdflib.namespace import RDF

from ...ontology.namespace import EVG
from ...ontology.prefixes import shorten
from ..rdf.dataset import named_graphs
from ..rdf.make import ONTOLOGY_GRAPH


@dataclass(frozen=True)
class GraphStats:
    """How many nodes of each class and edges of each relation a graph has (ontology excluded)."""

    triples: int
    """Distinct triples of the union of the data graphs (the ontology graph excluded)."""
    graphs: int
    """Named graphs, the ontology's included."""
    classes: dict[str, int] = field(default_factory=dict)
    """Class (prefixed name) → distinct instances."""
    relations: dict[str, int] = field(default_factory=dict)
    """Predicate (prefixed name) → distinct triples, rdf:type excluded."""
    claims: dict[str, int] = field(default_factory=dict)
    """Claims by status: "curated", "draft" (machine drafts awaiting a curator)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "graphs": self.graphs,
            "classes": dict(sorted(self.classes.items())),
            "relations": dict(sorted(self.relations.items())),
            "claims": dict(sorted(self.claims.items())),
        }


def compute(ds: Dataset) -> GraphStats:
    """Counts per class and relation over every graph of `ds` except the ontology's."""
    graphs = named_graphs(ds)
    seen: set[tuple[object, object, object]] = set()
    instances: dict[str, set[object]] = {}
    relations: Counter[str] = Counter()
    statuses: dict[object, str] = {}
    for g in graphs:
        if g.identifier == ONTOLOGY_GRAPH:
            continue
        for triple in g:
            if triple in seen:
                continue
            seen.add(triple)
            s, p, o = triple
            if p == RDF.type:
                instances.setdefault(shorten(o), set()).add(s)
            else:
                relations[shorten(p)] += 1
                if p == EVG.status:
                    statuses[s] = str(o).rsplit("#", 1)[-1].lower()
    return GraphStats(
        triples=len(seen),
        graphs=len(graphs),
        classes={name: len(members) for name, members in sorted(instances.items())},
        relations=dict(sorted(relations.items())),
        claims=dict(sorted(Counter(statuses.values()).items())),
    )


def render(stats: GraphStats) -> str:
    """A plain-text report: totals, then one line per class and per relation."""
    width = max((len(k) for k in (*stats.classes, *stats.relations)), default=10)
    lines = [f"{stats.triples} triples in {stats.graphs} named graphs"]
    if stats.claims:
        lines.append(
            "Claims: " + ", ".join(f"{count} {status}" for status, count in stats.claims.items())
        )
    lines += ["", "Classes:"]
    lines += [f"  {name:<{width}}  {count:>7}" for name, count in stats.classes.items()]
    lines += ["", "Relations:"]
    lines += [f"  {name:<{width}}  {count:>7}" for name, count in stats.relations.items()]
    return "\n".join(lines)
