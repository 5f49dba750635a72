"""The five RDF syntaxes (Turtle, TriG, N-Quads, N-Triples, JSON-LD): one exporter object each,
all written by the deterministic serializer of `graph.rdf.serialize`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any


@dataclass(frozen=True)
class RdfSyntax:
    """An RDF serialization exporter: registry metadata and the serializer's format name."""

    NAME: str
    SUFFIX: str
    MEDIA_TYPE: str
    DESCRIPTION: str
    syntax: str
    """The name `graph.rdf.serialize.serialize` knows it by."""
    IS_RDF: bool = True

    def export(self, dataset: Any, out: IO[bytes]) -> None:
        """Write `dataset` (an rdflib Dataset) to `out` in this syntax."""
        from ..graph.rdf.serialize import serialize

        out.write(serialize(dataset, self.syntax))


TURTLE = RdfSyntax(
    "turtle", ".ttl", "text/turtle",
    "Turtle, the union of every named graph (prefixed, sorted)", "turtle",
)  # fmt: skip
TRIG = RdfSyntax(
    "trig", ".trig", "application/trig",
    "TriG, the named graphs with their provenance", "trig",
)  # fmt: skip
NQUADS = RdfSyntax(
    "nquads", ".nq", "application/n-quads",
    "N-Quads, every triple with its named graph, sorted", "nquads",
)  # fmt: skip
NTRIPLES = RdfSyntax(
    "ntriples", ".nt", "application/n-triples",
    "N-Triples, the union of every named graph, one sorted triple per line", "nt",
)  # fmt: skip
JSONLD = RdfSyntax(
    "jsonld", ".jsonld", "application/ld+json",
    "JSON-LD with the evidence-graph context, named graphs kept", "json-ld",
)  # fmt: skip
