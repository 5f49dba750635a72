"""The exporter registry: one module per output format, one dict mapping names to them.

Each exporter module exposes ``NAME``, ``SUFFIX`` (".ttl"), ``MEDIA_TYPE``, ``DESCRIPTION``,
``IS_RDF`` (True when the output is an RDF serialization that must round-trip) and
``export(dataset, out)`` writing bytes to a binary stream. The CLI's ``--format`` choices, suffix
guessing, the README's format table and the tests all read ``FORMATS``; there is no second list.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import IO, Any, Protocol, cast


class Exporter(Protocol):
    """What every exporter module provides."""

    NAME: str
    SUFFIX: str
    MEDIA_TYPE: str
    DESCRIPTION: str
    IS_RDF: bool

    def export(self, dataset: Any, out: IO[bytes]) -> None:
        """Write `dataset` (an rdflib Dataset) to `out` in this format."""


def _registry(*modules: ModuleType) -> dict[str, Exporter]:
    return {cast(Exporter, m).NAME: cast(Exporter, m) for m in modules}


# Registered formats, in the order the README lists them. Add a module here and nowhere else.
# Imported after Exporter is defined: the modules are plain modules that only need the protocol.
from . import (  # noqa: E402
    csv,
    cytoscape,
    gexf,
    graphml,
    html,
    jsonld,
    nquads,
    ntriples,
    trig,
    turtle,
)

FORMATS: dict[str, Exporter] = _registry(
    turtle, trig, nquads, ntriples, jsonld, graphml, gexf, csv, cytoscape, html
)


def get(name: str) -> Exporter:
    """The exporter called `name`; `UnknownFormat` (listing the valid names) otherwise."""
    from ..graph.base.errors import UnknownFormat

    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormat(name, FORMATS) from None


def guess(path: str | Path) -> Exporter | None:
    """The exporter whose suffix `path` ends with, if exactly one does."""
    name = str(path).lower()
    matches = [e for e in FORMATS.values() if name.endswith(e.SUFFIX)]
    return matches[0] if len(matches) == 1 else None
