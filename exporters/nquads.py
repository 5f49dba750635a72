"""N-Quads: every triple with its named graph, one sorted quad per line."""

from __future__ import annotations

from typing import IO

from rdflib import Dataset

from ..graph.rdf.store import serialize

NAME = "nquads"
SUFFIX = ".nq"
MEDIA_TYPE = "application/n-quads"
DESCRIPTION = "N-Quads, every triple with its named graph, sorted"
IS_RDF = True


def export(dataset: Dataset, out: IO[bytes]) -> None:
    """Write `dataset` to `out` as N-Quads (named graphs kept)."""
    out.write(serialize(dataset, "nquads"))
