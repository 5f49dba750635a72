"""TriG: the named graphs (one per source file, plus ontology and vocabularies), in IRI order."""

from __future__ import annotations

from typing import IO

from rdflib import Dataset

from ..graph.rdf.store import serialize

NAME = "trig"
SUFFIX = ".trig"
MEDIA_TYPE = "application/trig"
DESCRIPTION = "TriG, the named graphs with their provenance"
IS_RDF = True


def export(dataset: Dataset, out: IO[bytes]) -> None:
    """Write `dataset` to `out` as TriG (named graphs kept)."""
    out.write(serialize(dataset, "trig"))
