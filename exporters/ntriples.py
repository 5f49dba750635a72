"""N-Triples: the union of all named graphs, one sorted triple per line."""

from __future__ import annotations

from typing import IO

from rdflib import Dataset

from ..graph.rdf.store import serialize

NAME = "ntriples"
SUFFIX = ".nt"
MEDIA_TYPE = "application/n-triples"
DESCRIPTION = "N-Triples, the union of every named graph, one sorted triple per line"
IS_RDF = True


def export(dataset: Dataset, out: IO[bytes]) -> None:
    """Write `dataset` to `out` as N-Triples (the union of its graphs)."""
    out.write(serialize(dataset, "nt"))
