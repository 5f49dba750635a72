"""The Matrix Bite commentary of a cell page (or a catalogue record): its sections.

Headings are found without knowing them in advance: see `sections` and `_split_heading`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..base.records import CellRef, Problem, Section
from ..base.text import ends_sentence, fold_words, strip_quotes
from .entries import is_noise, standard_heading, starts_with_heading
from .lines import Para
from .links import cell_refs

DIVIDERS = ("Issues to consider and discuss",)
"""Site-format dividers inside a commentary: kept as an aside of the section, never a heading."""


def _quoted_headings(paras: Sequence[Para]) -> list[list[str]]:
    """Folded word lists of every quotation in the commentary that could be one of its headings."""
    found: list[list[str]] = []
    for para in paras:
        for match in re.finditer(r"“([^“”]{3,120})”|\"([^\"]{3,120})\"", para.text):
            quoted = (match.group(1) or match.group(2)).strip().rstrip(",.;:")
            words = fold_words(quoted)
            if 2 <= len(words) <= 15:
                found.append(words)
    found.sort(key=len, reverse=True)
    return found


_SENTENCE_STARTERS = frozenset(
    """a about across after although among an and as at because before being both but by
    consider decades despite do does during each even every few for from given here how however if
    imagine in instead is it its let like many more most much no not of on once one only our over
    perhaps rather since so some such take that the their there these they think this those though
    to two under unlike what when where whether which while who why with within yet you your
    """.split()
)


def _split_heading(text: str, quoted: Sequence[list[str]]) -> tuple[str, str] | None:
    """(heading, rest) of a paragraph that starts a section, or None when no heading is found.

    Evidence, strongest first: a standard heading of the site format; a quotation of the heading
    elsewhere in the commentary ("under the heading, “Being genuine…”"); a leading question of at
    most 20 words ("Isn’t it just a matter of being nice? Not, it seems…"); a short title-like run
    of at most 12 words without punctuation followed by a capitalised sentence start ("Not just an
    addiction In this section…") — preferring a common sentence-starting word over a proper noun,
    which may only end a run of at most 8 words.
    """
    standard = standard_heading(text)
    if standard is not None:
        return standard, text[len(standard) :].strip()
    for heading in DIVIDERS:
        if text == heading or text.startswith(heading + " "):
            return heading, text[len(heading) :].strip()
    words = text.split()
    # The words folded as quotations are (a word of quote marks alone folds to ""), only as many
    # as the longest quotation needs.
    need = max(map(len, quoted), default=0)
    folded: list[str] = []
    kept: list[int] = []
    for i, word in enumerate(words):
        if len(kept) >= need:
            break
        folded.append(strip_quotes(word).lower())
        if folded[-1]:
            kept.append(i)
    for candidate in quoted:
        if len(kept) >= len(candidate) and [folded[i] for i in kept[: len(candidate)]] == candidate:
            end = kept[len(candidate) - 1] + 1
            if end == len(words) or words[end][:1].isupper() or words[end][:1] in "“‘\"'":
                return " ".join(words[:end]), " ".join(words[end:])
    question = re.match(r"^([^.?!]{3,200}\?)(?:\s+(?=[“‘\"'(]*[A-Z0-9])|$)", text)
    if question and len(question.group(1).split()) <= 20:
        return question.group(1), text[question.end() :].strip()
    if len(words) <= 15 and not ends_sentence(text):
        return text, ""
    limit = min(len(words) - 1, 12)
    fallback: int | None = None
    for i in range(2, limit + 1):
        if re.search(r"[.,;:!?()]$", words[i - 1]):
            break
        nxt = words[i]
        if not nxt[:1].isupper() or (nxt.isupper() and len(nxt) > 1):
            continue
        if strip_quotes(nxt).lower().rstrip(",") in _SENTENCE_STARTERS:
            return " ".join(words[:i]), " ".join(words[i:])
        if fallback is None:
            fallback = i
    if fallback is not None and fallback <= 8:
        return " ".join(words[:fallback]), " ".join(words[fallback:])
    return None


def _is_caption(para: Para) -> bool:
    """A picture caption or pull quote: one short line with no sentence-ending stop."""
    text = para.text
    return para.single_line and len(text.split(maxsplit=40)) <= 40 and not ends_sentence(text)


@dataclass
class _SectionDraft:
    heading: str
    line: int
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    asides: list[tuple[int, str]] = field(default_factory=list)
    region: list[Para] = field(default_factory=list)
    heading_offset: int = 0


def sections(
    paras: Sequence[Para], own_matrix: str, problems: list[Problem]
) -> tuple[list[Section], list[CellRef]]:
    """Split the commentary into sections.

    A paragraph starts a section when it is the first of the commentary, when it begins with a
    standard heading, or — on pages that separate sections by two blank lines — when two blank
    lines precede it; on pages without that signal, when it begins with a heading the commentary
    quotes, or is a short title-like line alone before prose. The heading is then split off the
    paragraph by `_split_heading`; where it finds none, the paragraph continues the section.

    A short one-line paragraph with no final stop is a picture caption, pull quote or divider
    ("Issues to consider and discuss"); a paragraph that occurs more than once is a repeated pull
    quote; a paragraph that shares its first four words with an adjacent caption is the picture's
    own text. None of these is a section or part of its `text`: they are kept, marked, in the
    section's `asides`. "Close Matrix Bite…" navigation is noise.
    """
    body = [p for p in paras if not is_noise(p.text)]
    if not body:
        return [], []
    quoted = _quoted_headings(body)
    # Quoted headings by length, so that testing a paragraph costs at most 15 set lookups.
    quoted_by_length: dict[int, set[tuple[str, ...]]] = {}
    for q in quoted:
        if len(q) >= 3:
            quoted_by_length.setdefault(len(q), set()).add(tuple(q))
    two_blank_mode = any(p.blanks_before >= 2 for p in body[1:])
    counts: dict[str, int] = {}
    for para in body:
        counts[para.text] = counts.get(para.text, 0) + 1

    def prefix(para: Para) -> list[str]:
        return fold_words(" ".join(para.text.split(maxsplit=8)[:8]))[:4]

    captions = {i for i, p in enumerate(body) if _is_caption(p) or counts[p.text] > 1}
    for i in sorted(captions):
        for j in (i - 1, i + 1):
            if 0 <= j < len(body) and j not in captions and len(prefix(body[i])) == 4:
                if prefix(body[j]) == prefix(body[i]):
                    captions.add(j)

    def starts_section(i: int, para: Para) -> bool:
        if i == 0:
            return True
        text = para.text
        if starts_with_heading(text):
            return True
        if two_blank_mode:
            return para.blanks_before >= 2
        if i in captions:
            nxt = body[i + 1] if i + 1 < len(body) else None
            return (
                nxt is not None
                and para.text not in DIVIDERS
                and len(para.text.split()) <= 15
                and ends_sentence(nxt.text)
                and counts[para.text] == 1
            )
        folded = fold_words(" ".join(text.split(maxsplit=16)[:16]))
        return any(
            len(folded) > length and tuple(folded[:length]) in heads
            for length, heads in quoted_by_length.items()
        )

    # A page cut off inside its commentary: its last paragraph stops mid-sentence (a caption is
    # short and has no sentence inside it; a cut paragraph is long or has one).
    cut = (
        paras[-1] is body[-1]
        and not ends_sentence(body[-1].text)
        and (len(body[-1].text.split()) >= 12 or bool(re.search(r"[.?!]\s", body[-1].text)))
    )
    if cut:
        captions.discard(len(body) - 1)

    drafts: list[_SectionDraft] = []
    for i, para in enumerate(body):
        split = _split_heading(para.text, quoted) if starts_section(i, para) else None
        if i == 0 and split is None:
            problems.append(Problem(para.line, "the commentary starts without a heading"))
            split = ("", para.text)
        # A paragraph after two blank lines without anything like a heading continues the section.
        if split is not None:
            heading, rest = split
            draft = _SectionDraft(heading, para.line, region=[para])
            if rest:
                draft.paragraphs.append((para.line_at(len(para.text) - len(rest)), rest))
            draft.heading_offset = len(para.text) - len(rest)
            drafts.append(draft)
            continue
        draft = drafts[-1]
        draft.region.append(para)
        if i in captions:
            draft.asides.append((para.line, para.text))
        else:
            draft.paragraphs.append((para.line, para.text))

    sections: list[Section] = []
    all_refs: list[CellRef] = []
    for draft in drafts:
        refs: list[CellRef] = []
        for n, para in enumerate(draft.region):
            base = draft.heading_offset if n == 0 else 0
            refs.extend(cell_refs(para.text[base:], para, base, own_matrix))
        all_refs.extend(refs)
        sections.append(
            Section(
                heading=draft.heading,
                text="\n\n".join(text for _, text in draft.paragraphs),
                line=draft.line,
                cell_refs=tuple(refs),
                paragraph_lines=tuple(line for line, _ in draft.paragraphs),
                asides=tuple(text for _, text in draft.asides),
                aside_lines=tuple(line for line, _ in draft.asides),
                end_line=draft.region[-1].parts[-1][0],
            )
        )
    if cut and sections:
        last = sections[-1]
        sections[-1] = replace(last, complete=False)
        problems.append(
            Problem(
                body[-1].last_line,
                f"section {last.heading!r} is cut off: the page ends inside its last sentence",
            )
        )
    return sections, all_refs
