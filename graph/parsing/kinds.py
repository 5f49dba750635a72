"""What kind of page a text is: a full cell page, a library catalogue record about a cell, or a
short announcement (teaser) of a cell.

A page with entries (or a legend) is a **cell page**. A page without them is a **catalogue
record** when it shows at least two of a catalogue's marks — a navigation trail naming the cell
("Home > … Matrix cell A1: …"), a citation line (publisher and year), a link to a PDF or full text
— together with commentary headings; it is a **teaser** when it carries a link to the cell itself
("View cell", "See the full cell") and no commentary. Anything else stays a cell page, with the
problem that no entries were found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..base.records import PageKind
from .dates import YEAR
from .entries import starts_with_heading
from .identity import IDENTITY
from .lines import Para

_TRAIL = re.compile(r"\S\s+(?:>|»|›)\s+\S")
_PDF = re.compile(r"\bPDF\b|\.pdf\b|\bfull[- ]text\b|\bdownload\b", re.IGNORECASE)
_CITATION = re.compile(rf"[A-Z][\w&’'-]*(?:\s+[\w&’'-]+){{0,10}},\s+{YEAR}\b|\(\s*{YEAR}\s*\)")
_TO_CELL = re.compile(
    r"^(?:>+\s*)?(?:view|see|open|visit|go\s+to|read|explore)\s+(?:the\s+)?(?:full\s+|whole\s+)?"
    r"(?:matrix\s+)?cell\b",
    re.IGNORECASE,
)


def page_kind(paras: Sequence[Para], has_entries: bool) -> PageKind:
    """The kind of the page made of `paras`; `has_entries`: entries or a legend were found."""
    if has_entries:
        return "cell page"
    headings = any(starts_with_heading(p.text) for p in paras)
    lines = [text for p in paras for _, _, text in p.parts]
    trail = any(_TRAIL.search(line) and IDENTITY.search(line) for line in lines)
    pdf = any(_PDF.search(line) and len(line.split()) <= 30 for line in lines)
    citation = any(_CITATION.search(line) and len(line.split()) <= 40 for line in lines)
    if headings and trail + pdf + citation >= 2:
        return "catalogue record"
    if not headings and any(_TO_CELL.match(line) for line in lines):
        return "teaser"
    return "cell page"
