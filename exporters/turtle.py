"""Turtle: the union of all named graphs, sorted (what other systems import)."""

from __future__ import annotations

from typing import IO

from rdflib import Dataset

from ..graph.rdf.store import serialize

NAME = "turtle"
SUFFIX = ".ttl"
MEDIA_TYPE = "text/turtle"
DESCRIPTION = "Turtle, the union of every named graph (prefixed, sorted)"
IS_RDF = True


def export(dataset: Dataset, out: IO[bytes]) -> None:
    """Write `dataset` to `out` as Turtle (the union of its graphs)."""
    out.write(serialize(dataset, "turtle"))
