"""The topic thesaurus: read the SKOS concepts of `data/concepts.ttl` into `Concept` records."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ...ontology import ID
from ..base.errors import SourceError
from ..base.records import Concept

CONCEPT_BASE = f"{ID}concept/"


def _key(node: object) -> str | None:
    """ "concept/<slug>" for a concept IRI of this project, else None."""
    if isinstance(node, URIRef) and str(node).startswith(CONCEPT_BASE):
        return str(node)[len(ID) :]
    return None


def _labels(graph: Graph, node: URIRef, predicate: URIRef) -> list[str]:
    """The labels of `node` under `predicate`, English (or untagged) only, sorted."""
    return sorted(
        str(o)
        for o in graph.objects(node, predicate)
        if isinstance(o, Literal)
        and (o.language in (None, "en") or str(o.language).startswith("en"))
    )


def load_concepts(path: Path) -> tuple[Concept, ...]:
    """Every `skos:Concept` of the thesaurus with a project IRI, sorted by key.

    Raises `SourceError` when the file cannot be read or parsed, or a concept has no
    `skos:prefLabel`.
    """
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise SourceError(path, None, f"cannot read the concept scheme: {exc}") from exc
    concepts: list[Concept] = []
    for node in set(graph.subjects(RDF.type, SKOS.Concept)):
        key = _key(node)
        if key is None or not isinstance(node, URIRef):
            continue
        pref = _labels(graph, node, SKOS.prefLabel)
        if not pref:
            raise SourceError(path, None, f"concept {node} has no skos:prefLabel")
        broader = sorted(k for k in (_key(o) for o in graph.objects(node, SKOS.broader)) if k)
        concepts.append(
            Concept(
                key=key,
                label=pref[0],
                alt_labels=tuple(_labels(graph, node, SKOS.altLabel)),
                broader=tuple(broader),
            )
        )
    return tuple(sorted(concepts, key=lambda c: c.key))
