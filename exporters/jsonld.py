"""JSON-LD: the named graphs, compacted with ontology/context.jsonld so it reads well."""

from __future__ import annotations

from typing import IO

from rdflib import Dataset

from ..graph.rdf.store import serialize

NAME = "jsonld"
SUFFIX = ".jsonld"
MEDIA_TYPE = "application/ld+json"
DESCRIPTION = "JSON-LD with the evidence-graph context, named graphs kept"
IS_RDF = True


def export(dataset: Dataset, out: IO[bytes]) -> None:
    """Write `dataset` to `out` as JSON-LD (named graphs kept)."""
    out.write(serialize(dataset, "json-ld"))
