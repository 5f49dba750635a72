"""Lines and paragraphs of a page: the units every other part of the parser reads.

A paragraph is a run of non-blank lines joined by single spaces; it remembers where each of its
lines starts in its text so that anything found in it can be traced back to its line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_LINE_CHARS = 200_000
"""Longest line a page may have (a whole entry or commentary paragraph is a few thousand)."""

MAX_PAGE_BYTES = 32 * 1024 * 1024
"""Largest page file read (a 100,000-entry page is about 16 MB)."""


@dataclass
class Para:
    """A run of non-blank lines, joined by single spaces, with where each line starts in `text`."""

    line: int
    blanks_before: int
    parts: list[tuple[int, int, str]] = field(default_factory=list)
    """(line number, offset in `text`, stripped line)."""
    _pieces: list[str] = field(default_factory=list, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)
    _text: str | None = field(default=None, repr=False)
    _length: int = field(default=-1, repr=False)

    @property
    def text(self) -> str:
        """The lines joined by single spaces (built once, so adding lines stays linear)."""
        if self._text is None:
            self._text = " ".join(self._pieces)
        return self._text

    @property
    def single_line(self) -> bool:
        return len(self.parts) == 1

    def add(self, line_no: int, line: str) -> None:
        offset = self._length + 1
        self.parts.append((line_no, offset, line))
        self._pieces.append(line)
        self._starts.append(offset)
        self._length = offset + len(line)
        self._text = None

    def line_at(self, offset: int) -> int:
        """The line number of character `offset` of `text` (binary search: cheap)."""
        if not self.parts:
            return self.line
        index = bisect_right(self._starts, offset) - 1
        return self.parts[max(index, 0)][0]

    @property
    def last_line(self) -> int:
        return self.parts[-1][0] if self.parts else self.line

    def joined(self, other: Para) -> Para:
        merged = Para(self.line, self.blanks_before)
        for line_no, _, text in [*self.parts, *other.parts]:
            merged.add(line_no, text)
        return merged


def split_lines(text: str) -> list[str]:
    """Lines of `text`: BOM dropped; CRLF, CR and LF each end a line (numbered from 1)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def paragraphs(lines: Sequence[str]) -> list[Para]:
    """The paragraphs of `lines`: runs of non-blank lines, whitespace inside a line collapsed."""
    paras: list[Para] = []
    current: Para | None = None
    blanks = 0
    for number, raw in enumerate(lines, start=1):
        line = " ".join(raw.split())
        if not line:
            current = None
            blanks += 1
            continue
        if current is None:
            current = Para(number, blanks)
            paras.append(current)
        current.add(number, line)
        blanks = 0
    return paras


def first_long_line(data: bytes, limit: int = MAX_LINE_CHARS) -> tuple[int, int] | None:
    """(line number, length in bytes) of the first line of `data` longer than `limit` bytes, else
    None; scans line ends only, so a huge line is measured without being decoded or copied."""
    start = 0
    number = 1
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        if end < 0:
            end = size
        if end - start > limit:
            # A CR-only file has one "line" here: measure its CR-separated lines instead.
            cr = data.find(b"\r", start, end)
            if cr < 0 or _longest_cr_line(data, start, end) > limit:
                return number, end - start
        number += 1
        start = end + 1
    return None


def _longest_cr_line(data: bytes, start: int, end: int) -> int:
    longest = 0
    while start < end:
        cr = data.find(b"\r", start, end)
        stop = end if cr < 0 else cr
        longest = max(longest, stop - start)
        start = stop + 1
    return longest
