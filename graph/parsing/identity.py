"""Which cell a page is about — matrix, cell id, title — and its level and type labels.

The title line reads "<Name> Matrix cell <ID>[: <level label>; <type label>]" (or any line
above the entries names "<Name> Matrix cell <ID>", a catalogue trail "Home > Drug Treatment Matrix
cell A1: …" included); the matrix key is the lowercased first word of the matrix name without
"Effectiveness Bank" ("Drug Treatment Matrix" → drug, "Alcohol Matrix" → alcohol, "Synthetic7
Treatment Matrix" → synthetic7). Where the text names no cell, the path
``cells/<matrix>/<CELL>.txt`` does. The labels come from the title or from a "<level>; <type>"
(or ":") line near the top; where the page names none, from the matrix definitions
(``matrices.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Literal

from ..base.errors import SourceError
from ..base.matrices import DEFAULT_MATRICES_FILE, MatrixDef, load_matrices
from ..base.records import Problem
from ..base.text import fold_words
from .lines import Para

CELL_ID = r"[A-Z]\d{1,2}"
MATRIX_NAME = (
    r"(?:Effectiveness\s+Bank\s+)?(?!(?:The|This|That|These|Each|Every|Our|Its|Their|An?)\b)"
    r"[A-Z][\w-]*(?:\s+(?i:treatment))?\s+(?i:matrix)"
)
"""A matrix's name: "Drug Treatment Matrix", "Alcohol Matrix", as a library prints it "Alcohol
treatment matrix"; its first word names it (not a determiner: "The treatment matrix")."""
IDENTITY = re.compile(rf"(?P<name>{MATRIX_NAME})\s+(?i:cell)\s+(?P<cell>{CELL_ID})\b(?P<rest>.*)$")
_LABELS = re.compile(
    r"^\s*(?P<level>[A-Z][^.;:]{1,60}?)\s*[;:]\s*(?P<type>[A-Z0-9][^.;:]{1,60}?)\s*$"
)
_PATH_IDENTITY = re.compile(rf"^(?P<cell>{CELL_ID})$")
BULLET = re.compile(r"^\s*(?:[-*•–·»]|\d{1,2}[.)])\s+")
"""A bulleted or numbered list item ("- Home", "• Search", "3. About"): site navigation."""
_TRAIL_SEPARATOR = re.compile(r"\s+(?:>|»|›|\|)\s+")

MATRICES_FILE = "matrices.yaml"


def matrix_key_from_name(name: str) -> str:
    """Matrix key of a matrix name: its first word, lowercased ("Drug Treatment Matrix" → drug)."""
    words = name.split()
    if len(words) >= 2 and words[0].lower() == "effectiveness" and words[1].lower() == "bank":
        words = words[2:]
    return words[0].lower() if words else ""


def identity_from_path(source: str | PurePath) -> tuple[str, str] | None:
    """(matrix, cell) from a path ``…/cells/<matrix>/<CELL>.txt``, or None."""
    path = PurePath(str(source))
    if len(path.parts) < 3 or path.parts[-3] != "cells":
        return None
    match = _PATH_IDENTITY.match(path.stem)
    matrix = path.parts[-2].lower()
    if match is None or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", matrix):
        return None
    return matrix, match["cell"]


@dataclass
class Identity:
    """What the top of a page says about its cell."""

    matrix: str = ""
    cell: str = ""
    level_label: str | None = None
    type_label: str | None = None
    labels_para: int | None = None
    """Index of the paragraph holding the "<level>; <type>" line (the summary follows it)."""
    title: str = ""
    labels_from: Literal["page", "matrices", "none"] = "page"
    labels_line: int = 1
    other_labels: list[tuple[int, int, tuple[str, str]]] = field(default_factory=list)
    """Every "<level>; <type>" line above the entries (paragraph index, line, labels), when the
    title has none: the one that agrees with the matrix definition wins over an earlier one."""


def split_labels(rest: str) -> tuple[str, str] | None:
    """(level label, type label) of "<level>; <type>" (or ":"), after an optional leading ":"."""
    rest = re.sub(r"^\s*[:\-–—]\s*", "", rest)
    rest = re.sub(r"\s*Matrix cell logo\s*$", "", rest, flags=re.IGNORECASE)
    rest = _TRAIL_SEPARATOR.split(rest, maxsplit=1)[0]  # "… A1: X; Y > Matrix Bite"
    match = _LABELS.match(rest)
    if match is None:
        return None
    return match["level"].strip(), match["type"].strip()


def _strip_bullet(line: str) -> str:
    return BULLET.sub("", line, count=1)


def find_identity(paras: Sequence[Para], header_end: int, bullets: bool = False) -> Identity:
    """Identity and labels from the paragraphs above the entries (`paras[:header_end]`).

    Bulleted lines are site navigation (they may link to other cells): they name the cell only
    with `bullets`, which the caller sets when neither the text nor the path names one.
    """
    ident = Identity()
    for para in paras[:header_end]:
        for line_no, _, raw in para.parts:
            if BULLET.match(raw) and not bullets:
                continue
            line = _strip_bullet(raw)
            match = IDENTITY.search(line)
            if match is None:
                continue
            if not ident.cell:
                # The title: the line naming the cell, from the matrix name on ("New on the site:
                # Drug Matrix cell A1…", "Home > Drug Treatment Matrix cell A1: … > Record").
                title = line[match.start() :]
                title = re.sub(r"\s*Matrix cell logo\s*$", "", title, flags=re.IGNORECASE)
                title = _TRAIL_SEPARATOR.split(title, maxsplit=1)[0] if " > " in title else title
                ident.title = title.strip()
                ident.matrix = matrix_key_from_name(match["name"])
                ident.cell = match["cell"].upper()
            labels = split_labels(match["rest"])
            if labels and ident.level_label is None:
                ident.level_label, ident.type_label = labels
                ident.labels_line = line_no
        if ident.cell and ident.level_label is not None:
            break
    # A "<level>; <type>" line near the top (alone, or one line of a paragraph such as a bare
    # "Matrix cell" line above it): the labels, when the title lacked them, and the anchor of the
    # summary paragraph.
    from_title = ident.level_label is not None
    for index, para in enumerate(paras[:header_end]):
        if IDENTITY.search(para.text) and para.single_line:
            continue
        for line_no, _, raw in para.parts:
            if BULLET.match(raw) or IDENTITY.search(raw):
                continue
            labels = split_labels(raw)
            if labels is None or not _label_like(labels):
                continue
            if not from_title and len(ident.other_labels) < 20:
                ident.other_labels.append((index, line_no, labels))
            if ident.labels_para is None and (
                ident.level_label is None
                or fold_words(" ".join(labels))
                == fold_words(f"{ident.level_label} {ident.type_label}")
            ):
                ident.level_label, ident.type_label = labels
                ident.labels_para = index
                ident.labels_line = line_no
        if ident.labels_para is not None and (from_title or len(ident.other_labels) >= 20):
            break
    return ident


def _label_like(labels: tuple[str, str]) -> bool:
    """Labels are short names (at most eight words each), not a sentence with a semicolon."""
    return all(len(label.split()) <= 8 for label in labels)


# --- labels from the matrix definitions ---------------------------------------------------------


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> dict[str, MatrixDef]:
    return load_matrices(Path(path))


def matrices_for(source: str | PurePath) -> Mapping[str, MatrixDef]:
    """The matrix definitions that apply to a page: ``matrices.yaml`` of the data directory the
    page lies in (``<data>/cells/<matrix>/<CELL>.txt``), else the definitions the package ships;
    empty when neither exists or the file is malformed (the build reports that one itself)."""
    path = PurePath(str(source))
    candidates: list[Path] = []
    if len(path.parts) >= 3 and path.parts[-3] == "cells":
        root = path.parts[:-3]
        candidates.append(Path(*root) / MATRICES_FILE if root else Path(MATRICES_FILE))
    candidates.append(DEFAULT_MATRICES_FILE)
    for candidate in candidates:
        try:
            stat = candidate.stat()
        except OSError:
            continue
        try:
            return _load(str(candidate), stat.st_mtime_ns, stat.st_size)
        except SourceError:
            return {}
    return {}


def _bare(label: str) -> str:
    """A label without case, spaces or punctuation, for comparing labels."""
    return re.sub(r"\W+", "", label.lower())


def apply_matrix_labels(
    ident: Identity, matrices: Mapping[str, MatrixDef], problems: list[Problem]
) -> None:
    """Fill labels the page omits from the matrix definition; report labels that disagree."""
    matrix = matrices.get(ident.matrix)
    if matrix is None or not ident.cell:
        if ident.level_label is None:
            ident.labels_from = "none"
        return
    level, type_ = ident.cell[:1], ident.cell[1:]
    want = (matrix.levels.get(level), matrix.types.get(type_))
    have = (ident.level_label, ident.type_label)
    if have[0] is None and have[1] is None:
        ident.level_label, ident.type_label = want
        ident.labels_from = "matrices" if any(want) else "none"
        return
    agreeing = [
        (index, line, labels)
        for index, line, labels in ident.other_labels
        if want[0]
        and want[1]
        and (_bare(labels[0]), _bare(labels[1])) == (_bare(want[0]), _bare(want[1]))
    ]
    if agreeing and (_bare(have[0] or ""), _bare(have[1] or "")) != (
        _bare(want[0] or ""),
        _bare(want[1] or ""),
    ):
        # A navigation line that reads like labels came first; the cell's own labels line follows.
        ident.labels_para, ident.labels_line, (ident.level_label, ident.type_label) = agreeing[0]
        return
    checks = (("level", level, have[0], want[0]), ("type", type_, have[1], want[1]))
    for what, code, got, expected in checks:
        if got is not None and expected is not None and _bare(got) != _bare(expected):
            problems.append(
                Problem(
                    ident.labels_line,
                    f"the page calls {what} {code} {got!r} but {matrix.title} calls it "
                    f"{expected!r} ({MATRICES_FILE}); the page's label is kept",
                )
            )
