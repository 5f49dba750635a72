"""Parser properties: no text crashes it; generated entries parse back to their fields."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence_graph.graph.parsing import parse_text
from evidence_graph.graph.parsing.lines import split_lines

SEED_LINES = [
    line
    for name in ("B4.txt", "B3.txt")
    for line in (DATA / "cells" / "drug" / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]

FRAGMENTS = [
    "S",
    "K",
    "S G",
    "R (",
    "(2009)",
    "([US] X, 2008)",
    "Drug Matrix cell B4",
    "Alcohol Matrix cell E2: A; B",
    "S Seminal studiesK Key studies",
    "more Search for more studies",
    "Related study below.",
    "Related review above.",
    "(related review below)",
    "One of the three was the study below.",
    "(their overall report is listed above)",
    "cell B2 of the Alcohol Treatment Matrix",
    "What is this cell about?",
    "Highlighted study",
    "“Quoted heading”",
    "Close Matrix Bite",
    "- Home",
    "- Search",
    "Matrix cell",
    "Practitioners; Medical treatment",
    "Home > Drug Treatment Matrix cell A1: Interventions; Reducing harm > Record",
    "Download the PDF",
    "View cell",
    "Similar trials from two regions below.",
    "related reviews (1 2 3) below",
    "identified by reviews (1; below)",
    "Also listed below as guidance.",
    "national programme (above)",
    "more on this below and in cell C2 of the Alcohol Treatment Matrix",
    "above average",
    "\ufeff",
    "\r\n",
    "\x00",
]

SETTINGS = settings(
    max_examples=int(os.environ.get("EG_PARSE_EXAMPLES", "150")),
    deadline=None,
    database=None,  # never write a .hypothesis/ folder into the repository
    suppress_health_check=[HealthCheck.too_slow],
)


def check_invariants(text: str) -> None:
    cell = parse_text(text, "cells/drug/B4.txt")
    count = len(split_lines(text))
    assert all(1 <= p.line <= max(count, 1) for p in cell.problems)
    assert [e.position for e in cell.entries] == list(range(1, len(cell.entries) + 1))
    for e in cell.entries:
        assert all(1 <= r.target <= len(cell.entries) and r.target != e.position for r in e.refs)
        for a in e.ambiguous_refs:
            assert all(1 <= c <= len(cell.entries) and c != e.position for c in a.candidates)
    refs = cell.positional_refs
    assert min(refs.resolved, refs.ambiguous, refs.unresolved, refs.not_understood) >= 0
    assert refs.ambiguous == sum(len(e.ambiguous_refs) for e in cell.entries)
    assert refs.resolved <= sum(len(e.refs) for e in cell.entries)
    assert cell.kind in ("cell page", "catalogue record", "teaser")
    if cell.kind != "cell page":
        assert cell.entries == ()
    for s in cell.sections:
        assert len(s.paragraph_lines) == (len(s.text.split("\n\n")) if s.text else 0)
    assert (cell.matrix, cell.cell) == ("drug", "B4") or cell.cell != ""


@SETTINGS
@given(st.text())
def test_any_text_never_crashes(text: str) -> None:
    check_invariants(text)


@SETTINGS
@given(
    st.lists(
        st.one_of(st.sampled_from(SEED_LINES), st.sampled_from(FRAGMENTS), st.text(max_size=40)),
        max_size=40,
    ),
    st.sampled_from(["\n", "\n\n", "\n\n\n", " ", "\r\n"]),
)
def test_page_like_text_never_crashes(pieces: list[str], separator: str) -> None:
    check_invariants(separator.join(pieces))


# --- round trip ---------------------------------------------------------------------------------

LOWER = st.sampled_from(
    "treatment counsellor outcomes relationship patients therapy clinic dose review staff "
    "methadone alliance matters better worse early late national local".split()
)
CAPITAL = st.sampled_from(
    "Therapists Clients Counselling Patients Supervision Methadone Alliance Doctors Rules "
    "Services Recovery Training Staff Outcomes".split()
)
ORG_WORD = st.sampled_from(
    "Royal College National Institute Society Example Health Public Agency Council Board "
    "Practitioners Psychiatrists Medicine Addiction England Services".split()
)


@dataclass(frozen=True)
class Listed:
    kinds: tuple[str, ...]
    title: str
    year: int
    publishers: tuple[str, ...]
    jurisdiction: str | None
    free_source: bool
    free_after: bool
    full_stop: bool
    marker_alone: bool
    annotation: str

    @property
    def publisher(self) -> str | None:
        if not self.publishers:
            return None
        if len(self.publishers) == 1:
            return self.publishers[0]
        return ", ".join(self.publishers[:-1]) + " and " + self.publishers[-1]

    def render(self) -> str:
        date = str(self.year)
        if self.publisher:
            date = f"{self.publisher}, {date}"
            if self.jurisdiction:
                date = f"[{self.jurisdiction}] {date}"
        if self.free_source and not self.free_after:
            date += "; free source at time of writing"
        after = (
            "Free source at the time of writing. " if self.free_source and self.free_after else ""
        )
        stop = "." if self.full_stop else ""
        marker = " ".join(self.kinds)
        body = f"{self.title} ({date}){stop} {after}{self.annotation}"
        return f"{marker}\n{body}" if self.marker_alone else f"{marker} {body}"

    @property
    def expected_annotation(self) -> str:
        if self.free_source and self.free_after:
            return "Free source at the time of writing. " + self.annotation
        return self.annotation


def sentence(words: list[str], first: str) -> str:
    return " ".join([first, *words]) + "."


titles = st.builds(
    lambda first, rest, end: " ".join([first, *rest]) + end,
    CAPITAL,
    st.lists(LOWER, max_size=8),
    st.sampled_from(["", "?", ": a study"]),
)
orgs = st.builds(lambda a, b, c: f"{a} {b} of {c}", ORG_WORD, ORG_WORD, ORG_WORD)
annotations = st.lists(
    st.builds(sentence, st.lists(LOWER, min_size=1, max_size=10), CAPITAL), min_size=1, max_size=3
).map(" ".join)
kinds = st.lists(st.sampled_from("SKRG"), min_size=1, max_size=2, unique=True).map(
    lambda ks: tuple(sorted(ks, key="SKRG".index))
)
listed = st.builds(
    Listed,
    kinds=kinds,
    title=titles,
    year=st.integers(1900, 2029),
    publishers=st.lists(orgs, max_size=3, unique=True).map(tuple),
    jurisdiction=st.one_of(st.none(), st.sampled_from(["US", "UK", "English", "Scotland"])),
    free_source=st.booleans(),
    free_after=st.booleans(),
    full_stop=st.booleans(),
    marker_alone=st.booleans(),
    annotation=annotations,
)


LABELS = "Management/supervision; Generic and cross-cutting issues"
LAYOUTS: dict[str, tuple[str, str]] = {
    # name: (what comes before the legend, the legend)
    "title-and-labels": (
        f"Drug Treatment Matrix cell C2: {LABELS}\n\n{LABELS}\n\n",
        "S Seminal studiesK Key studiesR ReviewsG Guidancemore Search for more studies",
    ),
    "menu-no-title": (
        "- Home\n- Search\n- Matrices\n- About\n\nMatrix cell\n" + LABELS + "\n\n",
        "S Seminal studies\nK Key studies\nR Reviews\nG Guidance\nmore Search for more studies",
    ),
    "title-without-labels": (
        "Drug Matrix cell C2\n\nFunded by\n\n",
        "S Seminal studies\nK Key studies\nR Reviews\nG Guidance",
    ),
}


def page(entries: list[Listed], separator: str = "\n\n", layout: str = "title-and-labels") -> str:
    body = separator.join(e.render() for e in entries)
    head, legend = LAYOUTS[layout]
    return (
        f"{head}"
        "A generated summary paragraph that is long enough to be read as the summary.\n\n"
        f"{legend}\n\n"
        f"{body}\n\n"
        "more Search for all relevant Effectiveness Bank analyses.\n\n\n"
        "What is this cell about? Generated commentary.\n"
    )


@SETTINGS
@given(
    st.lists(listed, min_size=1, max_size=6),
    st.sampled_from(["\n\n", "\n", "\r\n\r\n"]),
    st.sampled_from(sorted(LAYOUTS)),
)
def test_rendered_entries_parse_back(entries: list[Listed], separator: str, layout: str) -> None:
    cell = parse_text(page(entries, separator, layout), "cells/drug/C2.txt")
    assert cell.problems == ()
    assert (cell.kind, cell.matrix, cell.cell, cell.level, cell.type) == (
        "cell page",
        "drug",
        "C2",
        "C",
        "2",
    )
    assert (cell.level_label, cell.type_label) == tuple(LABELS.split("; "))
    assert cell.labels_from == ("matrices" if layout == "title-without-labels" else "page")
    assert cell.summary.startswith("A generated summary paragraph")
    assert len(cell.entries) == len(entries)
    for want, got in zip(entries, cell.entries, strict=True):
        assert got.kinds == want.kinds
        assert got.title == want.title
        assert got.year == want.year
        assert got.publisher == want.publisher
        assert got.publishers == want.publishers
        assert got.jurisdiction == (want.jurisdiction if want.publishers else None)
        assert got.free_source == want.free_source
        assert got.annotation == want.expected_annotation
        assert got.complete
    assert [s.heading for s in cell.sections] == ["What is this cell about?"]


# --- positional references: generated pointers against a plain reading of them ------------------

KIND_MARKERS = {"study": "SK", "review": "R", "guidance": "G", "document": "SKRG"}
PLURALS = {
    "study": "studies",
    "review": "reviews",
    "guidance": "guidelines",
    "document": "documents",
}
ADJECTIVES = ["", "UK ", "cognitive-behavioural ", "larger ", "national "]
NUMBER_WORDS = {2: "Two", 3: "Three"}


@dataclass(frozen=True)
class Pointed:
    kinds: tuple[str, ...]
    form: int
    kind: str
    direction: str
    adjective: str
    count: int

    def sentence(self) -> str:
        kind, where = self.kind, self.direction
        if self.form == 0:
            return f"See the {self.adjective}{kind} listed {where}."
        if self.form == 1:
            return f"A {self.adjective}{kind} {where} takes this further."
        if self.form == 2:
            return f"{NUMBER_WORDS[self.count]} similar {PLURALS[kind]} {where}."
        return f"More on this {where}."


pointed = st.builds(
    Pointed,
    kinds=kinds,
    form=st.integers(0, 3),
    kind=st.sampled_from(sorted(KIND_MARKERS)),
    direction=st.sampled_from(["below", "above"]),
    adjective=st.sampled_from(ADJECTIVES),
    count=st.sampled_from([2, 3]),
)


def expected_targets(items: list[Pointed], index: int) -> tuple[str, list[int]]:
    """("resolved" | "ambiguous" | "unresolved", targets or candidates) by a plain reading."""
    item = items[index]
    kind = "document" if item.form == 3 else item.kind
    markers = set(KIND_MARKERS[kind])
    order = range(index + 1, len(items)) if item.direction == "below" else range(index - 1, -1, -1)
    matching = [i + 1 for i in order if markers & set(items[i].kinds)]
    wanted = item.count if item.form == 2 else 1
    if len(matching) >= wanted:
        return "resolved", sorted(matching[:wanted])
    if matching:
        return "ambiguous", sorted(matching)
    return "unresolved", []


@SETTINGS
@given(st.lists(pointed, min_size=1, max_size=12))
def test_generated_positional_references_resolve(items: list[Pointed]) -> None:
    body = "\n\n".join(
        f"{' '.join(item.kinds)} Listing number {n} ({1990 + n}). Generated note. {item.sentence()}"
        for n, item in enumerate(items)
    )
    head, legend = LAYOUTS["title-and-labels"]
    cell = parse_text(f"{head}{legend}\n\n{body}\n", "cells/drug/C2.txt")
    assert len(cell.entries) == len(items)
    outcome = {"resolved": 0, "ambiguous": 0, "unresolved": 0}
    for index, entry in enumerate(cell.entries):
        status, want = expected_targets(items, index)
        outcome[status] += 1
        if status == "resolved":
            assert [r.target for r in entry.refs] == want, items[index].sentence()
        elif status == "ambiguous":
            (ambiguous,) = entry.ambiguous_refs
            assert list(ambiguous.candidates) == want
        else:
            assert entry.refs == () and entry.ambiguous_refs == ()
    refs = cell.positional_refs
    assert (refs.resolved, refs.ambiguous, refs.unresolved, refs.not_understood) == (
        outcome["resolved"],
        outcome["ambiguous"],
        outcome["unresolved"],
        0,
    )


_FINAL_STOP = re.compile(r"[.?!…:;][”’\"')\]]*$")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=list("ab .?!…:;”’\"')](\n\t"), max_size=12))
def test_ends_sentence_is_a_final_stop_before_closing_marks(text: str) -> None:
    from evidence_graph.graph.base.text import ends_sentence

    assert ends_sentence(text) == bool(_FINAL_STOP.search(text.rstrip()))
