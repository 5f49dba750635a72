"""Text anchors against the current sources: which position selectors no longer hold.

An evidence line's ``oa:TextPositionSelector`` gives character offsets into a source file whose
SHA-256 the graph records. When the file has changed since the build, the offsets may point at other
text: such a selector is *orphaned* (the quote selector can still re-anchor the quote by matching).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import Dataset

from ...ontology import NS
from ..parsing.lines import split_lines

OA = "http://www.w3.org/ns/oa#"

_QUERY = f"""SELECT DISTINCT ?p ?exact ?start ?end ?path ?sha WHERE {{
    ?line <{NS}positionSelector> ?p ; <{NS}selector> ?q .
    ?q <{OA}exact> ?exact .
    ?p <{OA}start> ?start ; <{OA}end> ?end ; <http://purl.org/dc/terms/source> ?src .
    ?src <{NS}sourcePath> ?path ; <{NS}sha256> ?sha }} ORDER BY ?path ?start"""


def orphaned_selectors(ds: Dataset, data_dir: Path) -> list[str]:
    """One message per position selector whose source changed so that its offsets miss the quote.

    A source whose SHA-256 still matches is not read further; a changed source is read and each
    selector's span compared with its quote. A source not found under `data_dir` (a graph built
    from another data directory) cannot be checked and is left out.
    """
    texts: dict[str, str | None] = {}
    messages: list[str] = []
    for row in ds.query(_QUERY):
        selector, exact, start, end, path, sha = (str(v) for v in row)  # type: ignore[union-attr]
        if path not in texts:
            texts[path] = _changed_text(data_dir / path, sha)
        text = texts[path]
        if text is None:
            continue
        if text[int(start) : int(end)] != exact:
            messages.append(
                f"{path}: orphaned selector {selector} (characters {start}-{end}): the source "
                f"changed since the build and no longer holds the quote there; rebuild the graph"
            )
    return messages


def _changed_text(path: Path, sha: str) -> str | None:
    """The text of `path` when it no longer has digest `sha`; None when unchanged or unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() == sha:
        return None
    return "\n".join(split_lines(data.decode("utf-8", errors="replace")))
