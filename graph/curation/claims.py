"""Curated claims: load `data/claims/*.yaml`, check them against the schema, and verify every quote.

Each evidence line's quote must occur in the text of a cell that lists its document (after folding
whitespace and typographic quotes only); it becomes a `TextQuote` located by file, line and the
listing or section it lies in. Schema errors name the claims file and line (from PyYAML's node
marks); quotes not found are collected and reported together ("N quotes checked, M failed").
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast, get_args

import numpy as np
import yaml

from ..base import yamltext
from ..base.codec import from_json, to_json
from ..base.errors import QuoteNotFound, QuotesNotFound, SourceError, clip
from ..base.ids import cell_key, commentary_key, doc_key, listing_key, section_key, slugify
from ..base.records import (
    Cell,
    Claim,
    ClaimRelation,
    ClaimRelationKind,
    ClaimStatus,
    Direction,
    Entry,
    EvidenceLine,
    Polarity,
    TextQuote,
)
from ..base.text import fold

CONTEXT_CHARS = 32
"""Characters of context kept either side of a quote (`oa:prefix` / `oa:suffix`)."""

DIRECTION_NAMES: tuple[str, ...] = get_args(Direction)
STATUS_NAMES: tuple[str, ...] = get_args(ClaimStatus)
POLARITY_NAMES: tuple[str, ...] = get_args(Polarity)
RELATION_NAMES: tuple[str, ...] = get_args(ClaimRelationKind)

_WHITESPACE = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)
"""The whitespace code points (what ``\\s`` matches; none lies beyond U+3000)."""
_TEXT_CACHE = 64

CLAIM_KEYS = {
    "id",
    "statement",
    "exposure",
    "outcome",
    "effect_shape",
    "moderators",
    "population",
    "topics",
    "relations",
    "evidence",
    "status",
    "drafted_by",
    "confidence",
    "cues",
    "polarity",
}
CLAIM_REQUIRED = ("id", "statement", "exposure", "outcome", "effect_shape", "evidence")
EVIDENCE_KEYS = {"document", "direction", "quote", "section", "cell", "note"}
EVIDENCE_REQUIRED = ("document", "direction", "quote")
COMMENTARY = "commentary"
"""`document: commentary` (with `cell:`): evidence from the cell's commentary as a whole, for a
commentary finding whose listed document cannot be told; the quote must lie in a section."""


@dataclass(frozen=True)
class ClaimSet:
    """The curated claims of a corpus and how many quotes were verified to build them."""

    claims: tuple[Claim, ...]
    quotes_checked: int


@dataclass
class ClaimsMemo:
    """What earlier loads found in each claims file, so that a file whose text, checking code and
    consulted cells are all unchanged is neither read as YAML nor quote-checked again.

    An entry (by the file's path) holds the key of the file's text, the cells it consulted (for
    each document it names, the cells listing it; for commentary evidence, the cell) and its
    claims, as JSON data (`base.codec`). Anything that does not match exactly is ignored and the
    file is loaded afresh; a file that failed is never kept. `load_claims` fills `current`.
    """

    salt: str
    """Digest of the code that checks claims (part of every key)."""
    previous: Mapping[str, Any] = field(default_factory=dict)
    """Entries of an earlier load, by claims file path: data to check, not to trust."""
    current: dict[str, Any] = field(default_factory=dict)
    """Entries of this load: what the next one may reuse."""


def default_effect_shapes() -> tuple[str, ...]:
    """The effect-shape notations of the ontology's `evg:EffectShapes` scheme."""
    from ...ontology.namespace import EFFECT_SHAPES

    return tuple(EFFECT_SHAPES)


# --- located text: a cell's text, folded, with a map back to the original ---------------------


@dataclass(frozen=True)
class _Block:
    """A listing or section of a cell and the lines it spans."""

    key: str
    first: int
    last: int


class _CellText:
    """A cell's page text folded for matching, mapping folded offsets back to the original."""

    def __init__(self, cell: Cell) -> None:
        self.cell = cell
        self.text = "\n".join(cell.lines)
        # Each run of whitespace becomes one space (none before the first word); every other
        # character is kept, quotes straightened one for one. `_kept[i]` is the offset in the page
        # text of the character at folded offset `i`: the first of each run, no leading run.
        # `fold` without `spaces` replaces characters one for one: its offsets are the text's.
        points = np.frombuffer(fold(self.text, spaces=False).encode("utf-32-le"), dtype=np.uint32)
        space = np.isin(points, _WHITESPACE)
        dropped = space.copy()
        dropped[1:] &= space[:-1]  # a run's later characters
        if space.size and space[0]:
            dropped[0] = True  # the leading run, whole
        self._kept = np.flatnonzero(~dropped)
        folded = np.where(space, np.uint32(32), points)[self._kept]
        self.folded = folded.astype("<u4").tobytes().decode("utf-32-le")
        self.line_starts = [0, *(np.flatnonzero(points == 10) + 1).tolist()]
        self.blocks = _blocks(cell)

    def origin(self, offset: int) -> int:
        """The offset in the page text of the character at `offset` in the folded text."""
        return int(self._kept[offset])

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def find(self, quote: str) -> Iterator[tuple[int, int]]:
        """Original [start, end) spans of every occurrence of the folded `quote`."""
        start = self.folded.find(quote)
        while start >= 0:
            end = start + len(quote)
            yield self.origin(start), self.origin(end - 1) + 1
            start = self.folded.find(quote, start + 1)

    def block_at(self, line: int) -> str:
        """Key of the listing or section containing `line`; the cell's key when neither does."""
        for block in self.blocks:
            if block.first <= line <= block.last:
                return block.key
        return cell_key(self.cell.matrix, self.cell.cell)

    def quote(self, start: int, end: int) -> TextQuote:
        line = self.line_of(start)
        return TextQuote(
            exact=self.text[start:end],
            prefix=self.text[max(0, start - CONTEXT_CHARS) : start],
            suffix=self.text[end : end + CONTEXT_CHARS],
            source=self.cell.source,
            line=line,
            quoted_from=self.block_at(line),
            start=start,
            end=end,
        )


class QuoteLocator:
    """Finds quotes in parsed cells exactly as the claims loader does (the one quote checker)."""

    def __init__(self) -> None:
        self._texts: OrderedDict[int, _CellText] = OrderedDict()

    def locate(self, cell: Cell, quote: str) -> TextQuote | None:
        """The first occurrence of `quote` in `cell` (whitespace and typographic quotes folded)."""
        text = self._texts.get(id(cell))
        if text is None or text.cell is not cell:
            text = self._texts[id(cell)] = _CellText(cell)
            if len(self._texts) > _TEXT_CACHE:
                self._texts.popitem(last=False)
        for start, end in text.find(fold(quote)):
            return text.quote(start, end)
        return None


def entry_last_line(cell: Cell, entry: Entry) -> int:
    """The last line of an entry's paragraph (entries end at the next blank line)."""
    last = entry.line
    while last < len(cell.lines) and cell.lines[last].strip():
        last += 1
    return last


def section_last_line(cell: Cell, index: int) -> int:
    """The last line of the `index`-th section: its own end, else the line before the next one."""
    section = cell.sections[index]
    if section.end_line:
        return section.end_line
    if index + 1 < len(cell.sections):
        return cell.sections[index + 1].line - 1
    return len(cell.lines)


def _blocks(cell: Cell) -> tuple[_Block, ...]:
    blocks = [
        _Block(listing_key(cell.matrix, cell.cell, e.position), e.line, entry_last_line(cell, e))
        for e in cell.entries
    ]
    blocks += [
        _Block(section_key(cell.matrix, cell.cell, s.heading), s.line, section_last_line(cell, i))
        for i, s in enumerate(cell.sections)
    ]
    return tuple(blocks)


# --- YAML with line numbers --------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _File:
    """One claims file being read: raises `SourceError`s that name it and the line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, node: yaml.Node | None, message: str, hint: str = "") -> SourceError:
        return SourceError(self.path, _line(node) if node is not None else None, message, hint)

    def mapping(
        self, node: yaml.Node, what: str, allowed: Collection[str], required: Sequence[str]
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping (key: value lines)")
        items: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key of {what}")
            if key not in allowed:
                raise self.error(
                    key_node,
                    f"unknown key {clip(key)} in {what}",
                    hint=f"allowed keys: {', '.join(sorted(allowed))}",
                )
            if key in items:
                raise self.error(key_node, f"duplicate key {clip(key)} in {what}")
            items[key] = value_node
        for key in required:
            if key not in items:
                raise self.error(node, f"{what} lacks the required key {clip(key)}")
        return items

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be a single value, not a list or mapping")
        value = str(node.value).strip()
        if not value:
            raise self.error(node, f"{what} is empty")
        return value

    def text(self, node: yaml.Node, what: str) -> str:
        """A prose value with its line breaks and runs of spaces folded to single spaces."""
        return " ".join(self.scalar(node, what).split())

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        return tuple(self.text(item, f"an item of {what}") for item in self.sequence(node, what))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(path, None, f"cannot read claims file: {exc}") from exc


def _compose(path: Path, data: bytes) -> yaml.Node | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(path, None, f"cannot read claims file: {exc}") from exc
    try:
        return yamltext.compose(text)
    except yamltext.NestedTooDeeply as exc:
        # No claims file needs more than a handful of levels.
        raise yamltext.source_error(
            path,
            exc,
            hint="a claims file needs a few levels of lists and mappings; "
            "look for unbalanced brackets",
        ) from None
    except yaml.YAMLError as exc:
        raise yamltext.source_error(path, exc) from exc


# --- resolving documents and quotes ------------------------------------------------------------


@dataclass(frozen=True)
class _Listed:
    key: str
    cell: Cell
    entry: Entry


class _Corpus:
    """The parsed cells, indexed for resolving documents and finding quotes."""

    def __init__(self, cells: Sequence[Cell]) -> None:
        self.cells = tuple(cells)
        # Folded texts are made when a quote is first looked up in a cell and only the most
        # recently used are kept: claims files quote a few cells each, so memory stays flat.
        self._texts: OrderedDict[int, _CellText] = OrderedDict()
        self.listed: dict[str, list[_Listed]] = {}
        self.by_key = {f"{c.matrix}/{c.cell}": c for c in self.cells}
        for cell in self.cells:
            for entry in cell.entries:
                key = doc_key(entry.title, entry.year)
                self.listed.setdefault(key, []).append(_Listed(key, cell, entry))

    def text(self, cell: Cell) -> _CellText:
        """The folded text of `cell` (cached for the last `_TEXT_CACHE` cells used)."""
        found = self._texts.get(id(cell))
        if found is None:
            found = self._texts[id(cell)] = _CellText(cell)
            if len(self._texts) > _TEXT_CACHE:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(id(cell))
        return found

    def titles(self, year: int | None) -> list[str]:
        """Listed titles of `year` (all listed titles when none has that year), for messages."""
        found = sorted(
            {f"{x.entry.title} ({x.entry.year})" for xs in self.listed.values() for x in xs}
        )
        same_year = [t for t in found if year is not None and t.endswith(f"({year})")]
        return same_year or found


def _document(source: _File, node: yaml.Node, corpus: _Corpus) -> list[_Listed]:
    """The listings of the document an evidence line names (by title and year, or by key)."""
    if isinstance(node, yaml.ScalarNode):
        key = source.scalar(node, "document")
        if not key.startswith("doc/"):
            key = f"doc/{key}"
        if key not in corpus.listed:
            raise source.error(
                node,
                f"no listed document has the id {clip(key)}",
                hint="name it by title and year instead: {title: ..., year: ...}",
            )
        return corpus.listed[key]
    fields = source.mapping(node, "document", {"title", "year"}, ("title",))
    title = source.text(fields["title"], "document title")
    year: int | None = None
    if "year" in fields:
        raw = source.scalar(fields["year"], "document year")
        if not raw.isdigit():
            raise source.error(fields["year"], f"document year {clip(raw)} is not a year")
        year = int(raw)
    key = doc_key(title, year)
    if key not in corpus.listed:
        titles = corpus.titles(year)
        raise source.error(
            node,
            f"no parsed listing has the document {clip(title)} ({year or 'no year'})",
            hint="listed titles" + (f" of {year}" if year else "") + ": " + "; ".join(titles),
        )
    return corpus.listed[key]


def _find_quote(
    quote: str,
    listed: list[_Listed],
    corpus: _Corpus,
    section: str | None,
    cell_filter: str | None,
) -> tuple[TextQuote | None, str]:
    """The first occurrence of `quote` in the cells listing the document, and what was searched.

    Preference: inside the named section if one is given; else the document's own listing; else
    anywhere on the page.
    """
    folded_quote = fold(quote)
    searched: list[str] = []
    best: tuple[int, TextQuote] | None = None
    for item in listed:
        cell = item.cell
        if cell_filter and cell_filter not in (cell.cell, f"{cell.matrix}/{cell.cell}"):
            continue
        text = corpus.text(cell)
        own = listing_key(cell.matrix, cell.cell, item.entry.position)
        wanted = section_key(cell.matrix, cell.cell, section) if section else None
        searched.append(cell.source + (f" section {clip(section)}" if section else ""))
        for start, end in text.find(folded_quote):
            found = text.quote(start, end)
            if wanted is not None:
                rank = 0 if found.quoted_from == wanted else -1
            else:
                rank = 0 if found.quoted_from == own else 1
            if rank < 0:
                continue
            if best is None or rank < best[0]:
                best = (rank, found)
    return (best[1] if best else None), (", ".join(searched) or "no cell")


def _check_section(
    source: _File, node: yaml.Node, heading: str, listed: list[_Listed], extra: list[Cell]
) -> None:
    cells = {id(c): c for c in [*(x.cell for x in listed), *extra]}.values()
    wanted = slugify(heading)
    headings = [s.heading for c in cells for s in c.sections]
    if not any(slugify(h) == wanted for h in headings):
        raise source.error(
            node,
            f"no section {clip(heading)} in the cells listing this document",
            hint="sections there: " + "; ".join(dict.fromkeys(headings)),
        )


# --- the loader --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RawEvidence:
    listed: list[_Listed]
    direction: Direction
    quote: str
    section: str | None
    cell: str | None
    note: str
    commentary: Cell | None = None
    """For `document: commentary`: the cell whose commentary the quote is from."""


def _find_in_commentary(
    quote: str, cell: Cell, corpus: _Corpus, section: str | None
) -> tuple[TextQuote | None, str]:
    """The first occurrence of `quote` in a commentary section of `cell` (the named one if any)."""
    text = corpus.text(cell)
    sections = {section_key(cell.matrix, cell.cell, s.heading) for s in cell.sections}
    wanted = section_key(cell.matrix, cell.cell, section) if section else None
    for start, end in text.find(fold(quote)):
        found = text.quote(start, end)
        if found.quoted_from in sections and wanted in (None, found.quoted_from):
            return found, cell.source
    return None, f"{cell.source} commentary" + (f" section {section!r}" if section else "")


@dataclass
class _Pending:
    """A claim read from YAML: its relations are checked once every file is read."""

    claim: Claim
    source: _File
    relation_nodes: list[tuple[yaml.Node, ClaimRelation]]
    evidence: list[tuple[yaml.Node, _RawEvidence]]
    recalled: bool = False
    """Taken from the memo: no YAML nodes to point at (nor evidence to look up again)."""


def load_claims(
    claims_dir: Path,
    cells: Sequence[Cell],
    *,
    topics: Collection[str] | None = None,
    effect_shapes: Collection[str] | None = None,
    memo: ClaimsMemo | None = None,
) -> ClaimSet:
    """Read every `*.yaml` in `claims_dir`, check it, and verify each quote against `cells`.

    `topics`: the concept slugs a claim may name (unchecked when None); `effect_shapes`: the
    allowed effect-shape notations (the ontology's scheme when None). `memo`: what earlier loads
    found per file, reused for a file nothing it depends on has changed in (and filled).
    Raises `SourceError` for a schema problem (file:line) and `QuotesNotFound` listing every quote
    that could not be found.
    """
    shapes = tuple(effect_shapes) if effect_shapes is not None else default_effect_shapes()
    corpus = _Corpus(cells)
    pending: list[_Pending] = []
    seen: dict[str, str] = {}
    failures: list[tuple[QuoteNotFound, str]] = []
    checked = 0
    paths = sorted(claims_dir.glob("*.yaml")) if claims_dir.is_dir() else []
    for path in paths:
        source = _File(path)
        data = _read(path)
        key = _memo_key(memo, data, shapes, topics)
        recalled = _recall(memo, key, corpus, path)
        if recalled is not None:
            assert memo is not None
            memo.current[str(path)] = memo.previous[str(path)]
            for claim in recalled[0]:
                if claim.id in seen:
                    raise SourceError(
                        path,
                        claim.line,
                        f"claim id {clip(claim.id)} is already used at {seen[claim.id]}",
                    )
                seen[claim.id] = f"{path}:{claim.line}"
                pending.append(_Pending(claim, source, [], [], recalled=True))
            checked += recalled[1]
            continue
        root = _compose(path, data)
        if root is None:
            continue
        failed_before, file_pending, file_checked = len(failures), len(pending), checked
        top = source.mapping(root, "a claims file", {"claims"}, ("claims",))
        for claim_node in source.sequence(top["claims"], "claims"):
            item = _read_claim(source, claim_node, corpus, shapes, topics)
            where = f"{path}:{_line(claim_node)}"
            if item.claim.id in seen:
                raise source.error(
                    claim_node,
                    f"claim id {clip(item.claim.id)} is already used at {seen[item.claim.id]}",
                )
            seen[item.claim.id] = where
            evidence: list[EvidenceLine] = []
            for line_node, raw in item.evidence:
                checked += 1
                if raw.commentary is not None:
                    found, searched = _find_in_commentary(
                        raw.quote, raw.commentary, corpus, raw.section
                    )
                    document = commentary_key(raw.commentary.matrix, raw.commentary.cell)
                else:
                    found, searched = _find_quote(
                        raw.quote, raw.listed, corpus, raw.section, raw.cell
                    )
                    document = raw.listed[0].key if raw.listed else ""
                if found is None:
                    failure = QuoteNotFound(item.claim.id, path, _line(line_node), raw.quote)
                    failures.append((failure, searched))
                    continue
                evidence.append(
                    EvidenceLine(
                        document=document,
                        direction=raw.direction,
                        quote=found,
                        note=raw.note,
                    )
                )
            item.claim = replace(item.claim, evidence=tuple(evidence))
            pending.append(item)
        if memo is not None and key is not None and len(failures) == failed_before:
            memo.current[str(path)] = _memo_entry(
                key, pending[file_pending:], checked - file_checked
            )
    for item in pending:
        if item.recalled and any(r.target not in seen for r in item.claim.relations):
            # a recalled claim relates to a claim gone since: load afresh, for the message's line
            return load_claims(claims_dir, cells, topics=topics, effect_shapes=effect_shapes)
        for node, relation in item.relation_nodes:
            if relation.target not in seen:
                raise item.source.error(
                    node,
                    f"claim {clip(item.claim.id)} relates to an unknown claim "
                    f"{clip(relation.target)}",
                    hint="known claims: " + ", ".join(sorted(seen)),
                )
    if failures:
        raise QuotesNotFound(checked, failures)
    return ClaimSet(claims=tuple(p.claim for p in pending), quotes_checked=checked)


# --- the memo: a file's claims recalled when nothing they were made from has changed ------------

_MemoEntry = dict[str, Any]


def _memo_key(
    memo: ClaimsMemo | None, data: bytes, shapes: Sequence[str], topics: Collection[str] | None
) -> str | None:
    """The digest of everything but the cells a claims file's claims are made from: its bytes
    `data`, the allowed shapes and topics, the checking code (None: no memo)."""
    if memo is None:
        return None
    digest = hashlib.sha256(memo.salt.encode())
    for part in (shapes, sorted(topics) if topics is not None else ["*"]):
        digest.update(b"\0".join(item.encode() for item in part) + b"\1")
    digest.update(data)
    return digest.hexdigest()


def _cell_deps(cell: Cell) -> list[str]:
    return [cell.source, cell.sha256, cell.matrix, cell.cell]


def _listed_deps(listed: Sequence[_Listed]) -> list[list[Any]]:
    return [[*_cell_deps(x.cell), x.entry.position] for x in listed]


def _memo_entry(key: str, made: Sequence[_Pending], checked: int) -> _MemoEntry:
    """What to keep of a file loaded without failures: its key, the cells consulted, its claims."""
    listed: dict[str, list[list[Any]]] = {}
    commentary: dict[str, list[str]] = {}
    for item in made:
        for _, raw in item.evidence:
            if raw.commentary is not None:
                cell = raw.commentary
                commentary[f"{cell.matrix}/{cell.cell}"] = _cell_deps(cell)
            elif raw.listed:
                listed[raw.listed[0].key] = _listed_deps(raw.listed)
    return {
        "key": key,
        "listed": listed,
        "commentary": commentary,
        "checked": checked,
        "claims": to_json(tuple(item.claim for item in made)),
    }


def _recall(
    memo: ClaimsMemo | None, key: str | None, corpus: _Corpus, path: Path
) -> tuple[tuple[Claim, ...], int] | None:
    """The claims and quote count kept for `path`, if its key and every cell it consulted are
    the same now (the same cells list each document it names, unchanged)."""
    if memo is None or key is None:
        return None
    entry = memo.previous.get(str(path))
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    listed, commentary, checked = entry.get("listed"), entry.get("commentary"), entry.get("checked")
    if not isinstance(listed, dict) or not isinstance(commentary, dict) or type(checked) is not int:
        return None
    for doc, deps in listed.items():
        if _listed_deps(corpus.listed.get(doc, [])) != deps:
            return None
    for where, deps in commentary.items():
        cell = corpus.by_key.get(where)
        if cell is None or _cell_deps(cell) != deps:
            return None
    claims_type: Any = tuple[Claim, ...]
    try:
        claims: tuple[Claim, ...] = from_json(claims_type, entry.get("claims"))
    except ValueError:
        return None
    if any(claim.source != str(path) for claim in claims):
        return None
    return claims, checked


def _read_claim(
    source: _File,
    node: yaml.Node,
    corpus: _Corpus,
    shapes: Collection[str],
    topics: Collection[str] | None,
) -> _Pending:
    fields = source.mapping(node, "a claim", CLAIM_KEYS, CLAIM_REQUIRED)
    claim_id = source.scalar(fields["id"], "claim id")
    if slugify(claim_id) != claim_id:
        raise source.error(
            fields["id"],
            f"claim id {clip(claim_id)} is not a slug",
            hint=f"use lowercase words joined by hyphens, e.g. {clip(slugify(claim_id))}",
        )
    shape = source.scalar(fields["effect_shape"], "effect_shape")
    if shape not in shapes:
        raise source.error(
            fields["effect_shape"],
            f"claim {clip(claim_id)}: unknown effect shape {clip(shape)}",
            hint="effect shapes: " + ", ".join(shapes),
        )
    claim_topics: tuple[str, ...] = ()
    if "topics" in fields:
        claim_topics = source.strings(fields["topics"], "topics")
        if topics is not None:
            for topic_node, topic in zip(fields["topics"].value, claim_topics, strict=True):
                if topic not in topics:
                    raise source.error(
                        topic_node,
                        f"claim {clip(claim_id)}: unknown topic {clip(topic)}",
                        hint="topics are concept slugs of data/concepts.ttl",
                    )
    relation_nodes: list[tuple[yaml.Node, ClaimRelation]] = []
    if "relations" in fields:
        for rel_node in source.sequence(fields["relations"], "relations"):
            rel = source.mapping(rel_node, "a relation", {"kind", "claim"}, ("kind", "claim"))
            kind = source.scalar(rel["kind"], "relation kind")
            if kind not in RELATION_NAMES:
                raise source.error(
                    rel["kind"],
                    f"unknown claim relation {clip(kind)}",
                    hint="relations: " + ", ".join(RELATION_NAMES),
                )
            target = source.scalar(rel["claim"], "related claim")
            relation = ClaimRelation(kind=cast(ClaimRelationKind, kind), target=target)
            relation_nodes.append((rel["claim"], relation))
    evidence: list[tuple[yaml.Node, _RawEvidence]] = []
    lines = source.sequence(fields["evidence"], "evidence")
    if not lines:
        raise source.error(fields["evidence"], f"claim {clip(claim_id)} has no evidence lines")
    for line_node in lines:
        evidence.append((line_node, _read_evidence(source, line_node, corpus)))
    population = source.text(fields["population"], "population") if "population" in fields else None
    moderators = (
        source.strings(fields["moderators"], "moderators") if "moderators" in fields else ()
    )
    status = _choice(source, fields, "status", STATUS_NAMES, claim_id, "statuses") or "curated"
    polarity = _choice(source, fields, "polarity", POLARITY_NAMES, claim_id, "polarities")
    confidence: float | None = None
    if "confidence" in fields:
        raw_confidence = source.scalar(fields["confidence"], "confidence")
        try:
            confidence = float(raw_confidence)
        except ValueError:
            confidence = -1.0
        if not 0.0 <= confidence <= 1.0:
            raise source.error(
                fields["confidence"],
                f"claim {claim_id!r}: confidence {raw_confidence!r} is not a number from 0 to 1",
            )
    claim = Claim(
        id=claim_id,
        statement=source.text(fields["statement"], "statement"),
        exposure=_term(source, fields["exposure"], "exposure", status),
        outcome=_term(source, fields["outcome"], "outcome", status),
        effect_shape=shape,
        source=str(source.path),
        line=_line(node),
        moderators=moderators,
        population=population,
        topics=claim_topics,
        relations=tuple(r for _, r in relation_nodes),
        status=cast(ClaimStatus, status),
        drafted_by=source.text(fields["drafted_by"], "drafted_by")
        if "drafted_by" in fields
        else "",
        confidence=confidence,
        cues=source.strings(fields["cues"], "cues") if "cues" in fields else (),
        polarity=cast(Polarity, polarity) if polarity is not None else None,
    )
    return _Pending(claim=claim, source=source, relation_nodes=relation_nodes, evidence=evidence)


def _term(source: _File, node: yaml.Node, what: str, status: str) -> str:
    """A claim's exposure or outcome: a draft may leave it empty ("") where the text does not
    state it; a curated claim must state it."""
    if status == "draft" and isinstance(node, yaml.ScalarNode) and not str(node.value).strip():
        return ""
    if isinstance(node, yaml.ScalarNode) and not str(node.value).strip():
        raise source.error(
            node,
            f"{what} is empty",
            hint=f"a curated claim states its {what}; drafts may leave it empty",
        )
    return source.text(node, what)


def _read_evidence(source: _File, node: yaml.Node, corpus: _Corpus) -> _RawEvidence:
    fields = source.mapping(node, "an evidence line", EVIDENCE_KEYS, EVIDENCE_REQUIRED)
    document = fields["document"]
    commentary: Cell | None = None
    listed: list[_Listed] = []
    if isinstance(document, yaml.ScalarNode) and str(document.value).strip() == COMMENTARY:
        if "cell" not in fields:
            raise source.error(
                document,
                "evidence from a cell's commentary needs the cell it is from",
                hint="add `cell: <matrix>/<cell>`, e.g. `cell: drug/B4`",
            )
        key = source.scalar(fields["cell"], "cell")
        commentary = corpus.by_key.get(key)
        if commentary is None:
            raise source.error(
                fields["cell"],
                f"no parsed cell {key!r} for evidence from its commentary",
                hint="cells: " + ", ".join(sorted(corpus.by_key)),
            )
    else:
        listed = _document(source, document, corpus)
    direction = source.scalar(fields["direction"], "direction")
    if direction not in DIRECTION_NAMES:
        raise source.error(
            fields["direction"],
            f"unknown direction {clip(direction)}",
            hint="directions: " + ", ".join(DIRECTION_NAMES),
        )
    section = source.text(fields["section"], "section") if "section" in fields else None
    if section is not None:
        _check_section(
            source, fields["section"], section, listed, [commentary] if commentary else []
        )
    cell = source.scalar(fields["cell"], "cell") if "cell" in fields else None
    return _RawEvidence(
        listed=listed,
        direction=cast(Direction, direction),
        quote=source.text(fields["quote"], "quote"),
        section=section,
        cell=cell,
        note=source.text(fields["note"], "note") if "note" in fields else "",
        commentary=commentary,
    )


def _choice(
    source: _File,
    fields: dict[str, yaml.Node],
    key: str,
    names: Sequence[str],
    claim_id: str,
    plural: str,
) -> str | None:
    """The value of the optional field `key`, which must be one of `names` (None when absent)."""
    if key not in fields:
        return None
    value = source.scalar(fields[key], key)
    if value not in names:
        raise source.error(
            fields[key],
            f"claim {claim_id!r}: unknown {key} {value!r}",
            hint=f"{plural}: " + ", ".join(names),
        )
    return value
