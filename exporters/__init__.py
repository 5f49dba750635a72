"""The exporter registry: output format name → the module (or object) that writes it, imported
only when the format is used, the way rdflib's ``plugin.register`` names its plugins.

An exporter exposes ``NAME``, ``SUFFIX`` (".ttl"), ``MEDIA_TYPE``, ``DESCRIPTION``, ``IS_RDF``
(True when the output is an RDF serialization that must round-trip) and ``export(dataset, out)``
writing bytes to a binary stream. The CLI's ``--format`` choices, suffix guessing, the README's
format table and the tests all read this one registry.

Another package adds a format with an entry point in the group ``evidence_graph.exporters``
(``name = "package.module"`` or ``"package.module:OBJECT"``), or at run time with `register`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from importlib import import_module
from pathlib import Path
from typing import IO, Any, Protocol, cast

ENTRY_POINT_GROUP = "evidence_graph.exporters"


class Exporter(Protocol):
    """What every exporter provides."""

    NAME: str
    SUFFIX: str
    MEDIA_TYPE: str
    DESCRIPTION: str
    IS_RDF: bool

    def export(self, dataset: Any, out: IO[bytes]) -> None:
        """Write `dataset` (an rdflib Dataset) to `out` in this format."""


_BUILTIN: dict[str, str] = {
    "turtle": f"{__name__}.rdf:TURTLE",
    "trig": f"{__name__}.rdf:TRIG",
    "nquads": f"{__name__}.rdf:NQUADS",
    "ntriples": f"{__name__}.rdf:NTRIPLES",
    "jsonld": f"{__name__}.rdf:JSONLD",
    "graphml": f"{__name__}.graphml",
    "gexf": f"{__name__}.gexf",
    "csv": f"{__name__}.csv",
    "cytoscape": f"{__name__}.cytoscape",
    "html": f"{__name__}.html",
}
"""Built-in formats → "module" or "module:object", in the order the README lists them."""


@lru_cache(maxsize=1)
def _targets() -> dict[str, str]:
    """The registry: the built-in formats, then those other packages declare as entry points
    (read once, on first use)."""
    from importlib.metadata import entry_points

    table = dict(_BUILTIN)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        table.setdefault(point.name, point.value)
    return table


def register(name: str, target: str) -> None:
    """Register (or replace) format `name`, written by "module" or "module:object"."""
    _targets()[name] = target


def unregister(name: str) -> None:
    """Forget format `name` (a format registered at run time)."""
    _targets().pop(name, None)


@cache
def _load(target: str) -> Exporter:
    module_name, _, attribute = target.partition(":")
    found: Any = import_module(module_name)
    return cast(Exporter, getattr(found, attribute) if attribute else found)


def get(name: str) -> Exporter:
    """The exporter called `name`; `UnknownFormat` (listing the valid names) otherwise."""
    targets = _targets()
    if name not in targets:
        from ..graph.base.errors import UnknownFormat

        raise UnknownFormat(name, targets)
    return _load(targets[name])


class _Registry(Mapping[str, Exporter]):
    """Name → exporter, importing an exporter only when it is looked up."""

    def __getitem__(self, name: str) -> Exporter:
        if name not in _targets():
            raise KeyError(name)
        return get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(_targets()))

    def __len__(self) -> int:
        return len(_targets())


FORMATS: Mapping[str, Exporter] = _Registry()
"""Every registered format by name (lazy: listing names imports no exporter)."""


def guess(path: str | Path) -> Exporter | None:
    """The exporter whose suffix `path` ends with, if exactly one does."""
    name = str(path).lower()
    matches = [e for e in FORMATS.values() if name.endswith(e.SUFFIX)]
    return matches[0] if len(matches) == 1 else None
