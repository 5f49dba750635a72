"""The one node resolver: what a user types for a node (IRI, prefixed name, key, claim id, title
fragment) → the IRI of the one node it names, whatever holds the graph (rdflib, networkx)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ...ontology import ID
from ...ontology.prefixes import expand, shorten
from .errors import NodeNotFound
from .ids import iri_path, slugify
from .text import fold

LabelGroups = Iterable[Iterable[tuple[str, str]]]
"""(IRI, label) pairs, one group per labelling property, the preferred property first."""


def candidate_iris(text: str) -> list[str]:
    """The IRIs `text` may name exactly: an IRI, ``<IRI>``, a prefixed name, a key, a claim id."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return [text]
    expanded = expand(text)
    if expanded is not None:
        return [expanded]
    if "/" in text:
        key = text
    elif text and slugify(text) == text:
        key = f"claim/{text}"
    else:
        return []
    # A key typed with letters of another script stands percent-encoded in its IRI.
    return list(dict.fromkeys([ID + key, ID + iri_path(key)]))


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def resolve_node(
    text: str, exists: Callable[[str], bool], labels: Callable[[], LabelGroups]
) -> str:
    """The IRI of the node `text` names; `NodeNotFound` (listing candidates) when none or several.

    `exists(iri)` says whether the graph has the node; `labels()` gives its labelled nodes. A title
    fragment matches a label that contains it (quotes, case and spacing folded); a label equal to
    it wins over ones merely containing it; the first labelling property with a match decides.
    """
    for iri in candidate_iris(text):
        if exists(iri):
            return iri
    wanted = fold(text, lower=True)
    matches: dict[str, str] = {}
    for group in labels():
        found: dict[str, str] = {}
        exact: set[str] = set()
        for iri, value in group:
            label = fold(value, lower=True)
            if wanted and wanted in label:
                found.setdefault(iri, value)
                if label.strip(" .?") == wanted.strip(" .?"):
                    exact.add(iri)
        if len(exact) == 1:
            return next(iter(exact))
        if len(found) == 1:
            return next(iter(found))
        if found:
            matches = found
            break
    if not matches:
        error = NodeNotFound(f"no node matches {text.strip()!r}")
        error.hint = "try a claim id, a key such as cell/drug/B4, an IRI, or part of a title"
        raise error
    listing = "\n".join(
        f"  {shorten(iri)}  “{_clip(label)}”" for iri, label in sorted(matches.items())[:30]
    )
    more = f"\n  … and {len(matches) - 30} more" if len(matches) > 30 else ""
    error = NodeNotFound(
        f"{text.strip()!r} matches {len(matches)} nodes; name one:\n{listing}{more}"
    )
    error.hint = "pass a longer fragment, a key (claim/…, doc/…) or an IRI"
    raise error
