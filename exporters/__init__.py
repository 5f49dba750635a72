"""The exporter registry: one module per output format, one dict mapping names to them.

Each exporter module exposes ``NAME``, ``SUFFIX`` (".ttl"), ``MEDIA_TYPE``, ``DESCRIPTION``,
``IS_RDF`` (True when the output is an RDF serialization that must round-trip) and
``export(dataset, out)`` writing bytes to a binary stream. The CLI's ``--format`` choices, suffix
guessing, the README's format table and the tests all read ``FORMATS``; there is no second list.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class DirectoryOptions:
    """Settings of the formats that write a directory of files (``site``, ``nanopub``)."""

    base: str = "https://w3id.org/evidence-graph/"
    """The IRI the site's root stands for (resource IRIs are mapped onto paths under it)."""
    site_url: str = ""
    """Where the static site is hosted (the w3id.org redirect rules point there)."""
    data_dir: Path | None = None
    """The data directory the graph was built from (source passages are quoted from it)."""
    key: Path | None = None
    """A private key (PEM) to sign nanopublications with; unsigned without."""
    previous: Path | None = None
    """A previous nanopublication export: a revised claim's new nanopub supersedes its old one."""


class DirectoryExporter(Exporter, Protocol):
    """An exporter whose output is a directory: ``SUFFIX`` is "/" and `files` makes its content."""

    def files(self, dataset: Any, options: DirectoryOptions) -> dict[str, bytes]:
        """Relative path → bytes of every file of the output directory."""


def writes_directory(exporter: Exporter) -> bool:
    """Whether `exporter` writes a directory (``-o DIR``) rather than one stream."""
    return exporter.SUFFIX == "/"


def as_directory(exporter: Exporter) -> DirectoryExporter:
    """`exporter` as a directory exporter (check `writes_directory` first)."""
    return cast(DirectoryExporter, exporter)


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
    nanopub,
    nquads,
    ntriples,
    site,
    trig,
    turtle,
)

FORMATS: dict[str, Exporter] = _registry(
    turtle, trig, nquads, ntriples, jsonld, graphml, gexf, csv, cytoscape, html, site, nanopub
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
    matches = [e for e in FORMATS.values() if not writes_directory(e) and name.endswith(e.SUFFIX)]
    return matches[0] if len(matches) == 1 else None
