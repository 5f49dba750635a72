"""Reading a built graph back into an rdflib dataset (`explain`, `viz`, `export`, `validate`)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..base.errors import SourceError
from ..base.files import GRAPH_SUFFIXES, resolve_graph_path
from ..rdf.dataset import new_dataset


def load_dataset(path: str | Path) -> Dataset:
    """Read a built graph: a ``.trig``/``.nq``/``.ttl``/``.nt``/``.jsonld`` file or a build dir."""
    source = resolve_graph_path(path)
    fmt = GRAPH_SUFFIXES.get(source.suffix.lower())
    if fmt is None:
        raise SourceError(
            source,
            None,
            f"cannot read a graph from a {source.suffix or 'suffix-less'} file",
            hint=f"use one of: {', '.join(sorted(GRAPH_SUFFIXES))}",
        )
    ds = new_dataset()
    try:
        if fmt in ("turtle", "nt"):
            ds.graph(DATASET_DEFAULT_GRAPH_ID).parse(source, format=fmt)
        else:
            ds.parse(source, format=fmt)
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(source, None, f"cannot read: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - rdflib parsers raise many unrelated types
        raise SourceError(source, None, f"not valid {fmt}: {exc}") from exc
    return ds
