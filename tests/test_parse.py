"""The cell-page parser: the two seeds read as a careful reader reads them, and varied layouts."""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DATA, TEST_DATA

from evidence_graph.graph.base.errors import SourceError
from evidence_graph.graph.base.records import Cell, Entry
from evidence_graph.graph.parsing import cell_to_json, parse_file, parse_text

SEEDS = DATA / "cells" / "drug"
PAGES = TEST_DATA / "pages"
GOLDEN = TEST_DATA / "golden"


@pytest.fixture(scope="module")
def b4() -> Cell:
    return parse_file(SEEDS / "B4.txt")


@pytest.fixture(scope="module")
def b3() -> Cell:
    return parse_file(SEEDS / "B3.txt")


def kinds_count(cell: Cell) -> dict[str, int]:
    return dict(Counter("".join(e.kinds) for e in cell.entries))


def entry(cell: Cell, title_start: str) -> Entry:
    (found,) = [e for e in cell.entries if e.title.startswith(title_start)]
    return found


def refs_of(cell: Cell) -> dict[int, list[tuple[str, int]]]:
    return {e.position: [(r.relation, r.target) for r in e.refs] for e in cell.entries if e.refs}


# --- golden ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["B4", "B3"])
def test_seed_matches_golden_json(name: str, update_golden: bool) -> None:
    data = cell_to_json(parse_file(SEEDS / f"{name}.txt"))
    data["source"] = f"data/cells/drug/{name}.txt"
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    golden = GOLDEN / f"{name}.json"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert json.loads(golden.read_text(encoding="utf-8")) == data, (
        f"{golden} differs; if the change is intended, run pytest --update-golden"
    )


# --- B4 -------------------------------------------------------------------------------------


def test_b4_identity_and_summary(b4: Cell) -> None:
    assert (b4.matrix, b4.cell, b4.level, b4.type) == ("drug", "B4", "B", "4")
    assert (b4.level_label, b4.type_label) == ("Practitioners", "Psychosocial therapies")
    assert b4.title == "Drug Treatment Matrix cell B4: Practitioners; Psychosocial therapies"
    assert b4.summary == b4.lines[42] and b4.summary_line == 43
    assert b4.summary.startswith("Seminal and key studies on the impact of the practitioner")
    assert b4.sha256 == hashlib.sha256((SEEDS / "B4.txt").read_bytes()).hexdigest()
    assert b4.problems == ()


def test_b4_entries(b4: Cell) -> None:
    assert len(b4.entries) == 14
    assert kinds_count(b4) == {"S": 2, "K": 3, "R": 5, "G": 4}
    assert [e.position for e in b4.entries] == list(range(1, 15))
    assert [e.line for e in b4.entries] == list(range(50, 77, 2))
    assert [e.year for e in b4.entries] == [
        1957,
        1997,
        2006,
        2009,
        2005,
        2018,
        2018,
        2011,
        2006,
        2005,
        2010,
        2008,
        2005,
        1998,
    ]
    first = b4.entries[0]
    assert first.title == (
        "Fundamentals of effective therapy: genuineness, positive regard and empathy"
    )
    assert first.free_source and first.kinds == ("S",)
    assert [e.free_source for e in b4.entries].count(True) == 1
    assert entry(b4, "Can therapists").title == "Can therapists be too accommodating?"
    core = entry(b4, "Common core")
    assert core.publisher == "American Psychological Association"
    assert core.publishers == ("American Psychological Association",)
    assert core.jurisdiction is None
    nice = entry(b4, "Implementing NICE")
    assert (nice.jurisdiction, nice.publisher) == (
        "English",
        "National Treatment Agency for Substance Misuse",
    )
    samhsa = entry(b4, "Addiction counselling competencies")
    assert samhsa.jurisdiction == "US"
    assert samhsa.publishers == ("Substance Abuse and Mental Health Services Administration",)
    assert samhsa.annotation.startswith("Includes competencies associated")
    assert all(e.complete for e in b4.entries)
    assert all(e.text.startswith(f"{e.kinds[0]} {e.title} (") for e in b4.entries)


def test_b4_positional_references(b4: Cell) -> None:
    assert refs_of(b4) == {
        6: [("related", 7), ("related", 8)],
        7: [("part-of", 6)],
        8: [("part-of", 6)],
    }
    assert b4.entries[6].refs[0].phrase == "One of the (see above)"


def test_b4_discussion_pointers_and_mentions(b4: Cell) -> None:
    assert [e.position for e in b4.entries if e.discussion_pointers] == [1, 2, 3, 4, 5, 10]
    assert all(e.discussion_pointers <= 1 for e in b4.entries)
    mentions = {e.position: [(m.description, m.year) for m in e.mentions] for e in b4.entries}
    assert {k: v for k, v in mentions.items() if v} == {
        1: [("commentaries", None)],
        3: [("a national US study", 1999)],
        5: [("an essay", 2013)],
        6: [("an earlier version", 2011), ("a broader practice-oriented interpretation", 2014)],
        7: [("an advanced synthesis of research findings", 2012)],
        10: [("this study", 2002)],
    }
    assert b4.entries[6].mentions[0].free_source


def test_b4_cell_references(b4: Cell) -> None:
    assert [(r.matrix, r.cell, r.line) for r in b4.cell_refs] == [
        ("drug", "A4", 87),
        ("alcohol", "B3", 98),
        ("drug", "B2", 115),
        ("alcohol", "B1", 141),
        ("drug", "B2", 160),
    ]
    passages = [r.passage for r in b4.cell_refs]
    assert passages[0] == (
        "Interventions vary in type, intensity and duration; see cell A4 for more on these "
        "variations."
    )
    assert "cell B2’s bite" in passages[2]
    assert passages[4].endswith("‘sticking around’ is often vital to their effectiveness.")
    assert all(r.passage in b4.lines[r.line - 1] for r in b4.cell_refs)


def test_b4_sections(b4: Cell) -> None:
    assert [(s.heading, s.line) for s in b4.sections] == [
        ("What is this cell about?", 87),
        ("Where should I start?", 92),
        ("Highlighted study", 109),
        ("Being genuine sometimes means breaking the rules", 122),
        ("Isn’t it just a matter of being nice?", 135),
        ("If therapists are influential, why don’t more studies register their effects?", 144),
    ]
    about, start, highlighted, genuine, nice, influential = b4.sections
    assert about.text.startswith("Every treatment involves direct or indirect human interaction")
    assert about.paragraph_lines == (87, 89)
    assert [(r.matrix, r.cell) for r in about.cell_refs] == [("drug", "A4")]
    # The picture text (94) and its caption (96) are asides, not running text.
    assert start.aside_lines == (94, 96)
    assert 94 not in start.paragraph_lines and 106 in start.paragraph_lines
    assert highlighted.text.startswith("Decades of searching")
    assert [(r.matrix, r.cell) for r in highlighted.cell_refs] == [("drug", "B2")]
    # The repeated pull quote (124, 126) is kept aside, once per occurrence.
    assert genuine.aside_lines == (124, 126)
    assert genuine.text.startswith("Imagine yourself as a psychosocial therapist")
    assert "Avoiding warnings" not in genuine.text
    assert nice.aside_lines == (137,)
    assert nice.text.startswith("Not, it seems, from a penetrating analysis")
    assert influential.paragraph_lines[-1] == 162
    assert influential.end_line == 162
    assert "Close Matrix Bite" not in influential.text
    for section in b4.sections:
        paragraphs = section.text.split("\n\n")
        assert len(paragraphs) == len(section.paragraph_lines)
        for text, line in zip(paragraphs, section.paragraph_lines, strict=True):
            assert text in b4.lines[line - 1]


# --- B3 -------------------------------------------------------------------------------------


def test_b3_identity_and_entries(b3: Cell) -> None:
    assert (b3.matrix, b3.cell, b3.level, b3.type) == ("drug", "B3", "B", "3")
    assert (b3.level_label, b3.type_label) == ("Practitioners", "Medical treatment")
    assert b3.summary == b3.lines[42] and b3.summary_line == 43
    assert len(b3.entries) == 13
    assert kinds_count(b3) == {"S": 2, "K": 5, "R": 2, "G": 4}
    assert [e.year for e in b3.entries] == [
        1988,
        1985,
        1999,
        1999,
        2014,
        2007,
        2007,
        2000,
        2015,
        2012,
        2014,
        2019,
        2014,
    ]
    assert [e.position for e in b3.entries if e.free_source] == [6, 7, 8, 9]
    not_addict = entry(b3, "Not just an addict")
    assert not_addict.title == "Not just an addict/patient"
    assert not_addict.free_source
    rcp = entry(b3, "What UK doctors")
    assert rcp.jurisdiction == "UK"
    assert rcp.publishers == (
        "Royal College of Psychiatrists",
        "Royal College of General Practitioners",
    )
    phe = entry(b3, "What UK specialist")
    assert phe.publishers == (
        "Public Health England",
        "Royal College of Psychiatrists",
        "Royal College of General Practitioners",
    )
    clinks = entry(b3, "Competencies for working")
    assert (clinks.publisher, clinks.jurisdiction, clinks.publishers) == (None, None, ())
    asam = entry(b3, "What US specialist")
    assert (asam.jurisdiction, asam.publisher) == ("US", "American Society of Addiction Medicine")
    assert b3.problems == ()


def test_b3_positional_references_pair_up(b3: Cell) -> None:
    assert refs_of(b3) == {
        1: [("related", 4)],
        3: [("includes", 4)],
        4: [("part-of", 3), ("related", 1)],
        6: [("related", 7)],
        7: [("related", 6)],
    }


def test_b3_discussion_pointers(b3: Cell) -> None:
    pointers = {e.position: e.discussion_pointers for e in b3.entries if e.discussion_pointers}
    assert pointers == {1: 1, 4: 2, 5: 1, 6: 1, 7: 1, 8: 1}
    assert all(not e.mentions for e in b3.entries)


def test_b3_cell_references(b3: Cell) -> None:
    assert [(r.matrix, r.cell, r.line) for r in b3.cell_refs] == [
        ("drug", "B2", 66),
        ("drug", "A2", 131),
        ("drug", "E2", 135),
    ]
    above_all = entry(b3, "Above all")
    assert [(r.cell, r.passage) for r in above_all.cell_refs] == [
        ("B2", "More on the importance of not doing the wrong things in cell B2.")
    ]


def test_b3_sections(b3: Cell) -> None:
    assert [(s.heading, s.line) for s in b3.sections] == [
        ("What is this cell about?", 85),
        ("Where should I start?", 96),
        ("Highlighted study", 101),
        ("What do rules do to relationships?", 112),
        ("Not just an addiction", 127),
    ]
    highlighted = b3.sections[2]
    # "Issues to consider and discuss" is a divider: kept as an aside, not a section.
    assert highlighted.asides == ("Issues to consider and discuss",)
    assert highlighted.aside_lines == (109,)
    addiction = b3.sections[4]
    assert addiction.text.startswith("In this section we examine something")
    assert addiction.aside_lines == (133,)
    assert [(r.cell, r.line) for r in addiction.cell_refs] == [("A2", 131), ("E2", 135)]


# --- variant layouts (fixtures invented in our own words; see tests/data/README.md) -----------

VARIANTS = {
    # file: (matrix, cell, level, type, [(kinds, year)], problem lines)
    "alcohol_E2_colon.txt": (
        "alcohol",
        "E2",
        ("Treatment systems", "Generic and cross-cutting issues"),
        [("S", 1979), ("K", 2012), ("R", 2016), ("G", 2019)],
        [],
    ),
    "newer_layout_markers_alone.txt": (
        "drug",
        "C4",
        ("Management/supervision", "Psychosocial therapies"),
        [("SG", 1984), ("K", 2011), ("R", 2020), ("G", 2017)],
        [],
    ),
    "captions_between_entries.txt": (
        "alcohol",
        "C3",
        ("Management/supervision", "Medical treatment"),
        [("K", 1993), ("K", 2004), ("R", 2015), ("G", 2021)],
        [21],
    ),
    "cut_off.txt": (
        "drug",
        "A1",
        ("Interventions", "Reducing harm"),
        [("S", 1989), ("K", 2009)],
        [11, 11],
    ),
    "crlf_bom.txt": (
        "drug",
        "E5",
        ("Treatment systems", "Safeguarding the community"),
        [("K", 2007), ("G", 2012)],
        [],
    ),
    "synthetic7_C2.txt": (
        "synthetic7",
        "C2",
        ("Management/supervision", "Generic and cross-cutting issues"),
        [("S", 2001), ("K", 2002), ("R", 2003), ("G", 2004)],
        [],
    ),
    "cells/drug/D1.txt": (
        "drug",
        "D1",
        ("Organisational functioning", "Reducing harm"),
        [("S", 1990), ("R", 2018)],
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_layouts(name: str) -> None:
    matrix, cell_id, labels, entries, problem_lines = VARIANTS[name]
    cell = parse_file(PAGES / name)
    assert (cell.matrix, cell.cell) == (matrix, cell_id)
    assert (cell.level, cell.type) == (cell_id[0], cell_id[1:])
    assert (cell.level_label, cell.type_label) == labels
    assert [("".join(e.kinds), e.year) for e in cell.entries] == entries
    assert [p.line for p in cell.problems] == problem_lines, cell.problems
    assert cell.summary.startswith(("An invented", "Invented", "A synthetic"))
    assert bool(cell.sections) == (name != "cut_off.txt")


def test_colon_layout_details() -> None:
    cell = parse_file(PAGES / "alcohol_E2_colon.txt")
    assert refs_of(cell) == {1: [("related", 2)], 2: [("related", 1)]}
    waiting = cell.entries[1]
    assert waiting.free_source
    assert [(m.description, m.year) for m in waiting.mentions] == [("an earlier pilot", 2008)]
    assert cell.entries[3].jurisdiction == "Scotland"
    assert [(r.matrix, r.cell) for r in cell.cell_refs] == [
        ("drug", "E3"),
        ("alcohol", "A2"),
        ("alcohol", "E4"),
    ]
    # A free-form heading found from the commentary's own quotation of it.
    assert cell.sections[-1].heading == "Paying for what works"
    assert cell.sections[-1].text.startswith("Funding rules decide")


def test_markers_alone_on_their_line() -> None:
    cell = parse_file(PAGES / "newer_layout_markers_alone.txt")
    first, second, third, _ = cell.entries
    assert first.kinds == ("S", "G") and first.title == "Supervision as a craft"
    assert first.line == 11 and first.text.startswith("S G Supervision as a craft (1984).")
    assert second.line == 14 and second.title == "Coaching counsellors after training"
    assert second.discussion_pointers == 2
    assert third.title == "Does supervision improve outcomes?"
    # "Related review below" (1) and "Related study above" (3) do not pair: different kind words.
    assert refs_of(cell) == {1: [("related", 3)], 3: [("related", 2)]}
    assert [(s.heading, s.text) for s in cell.sections][1] == (
        "Highlighted study",
        "Invented text about coaching, as in cell B4.",
    )
    assert cell.sections[1].cell_refs[0].passage == "Invented text about coaching, as in cell B4."


def test_captions_missing_stop_and_search_free_source() -> None:
    cell = parse_file(PAGES / "captions_between_entries.txt")
    protocols, audit, _, guidance = cell.entries
    assert protocols.title == "Prescribing protocols in a hospital unit"
    assert protocols.annotation.startswith("From an invented hospital")
    assert audit.free_source
    assert guidance.publishers == (
        "Example College of Physicians",
        "Example Society of Hospital Pharmacists",
    )
    assert "no S/K/R/G marker" in cell.problems[0].message


@pytest.mark.parametrize(
    ("date", "year", "publishers"),
    [
        ("(2002, 2007)", 2002, ()),
        ("(1985 and 1988; free source at time of writing)", 1985, ()),
        ("(Example Agency, 2010)", 2010, ("Example Agency",)),
        ("([UK] Example Agency, 2001, 2004)", 2001, ("Example Agency",)),
    ],
)
def test_years_alone_are_no_publisher(date: str, year: int, publishers: tuple[str, ...]) -> None:
    # A pair of papers' years is the entry's date (the first), not a publisher named "2002".
    cell = parse_text(f"Drug Matrix cell A1\n\nK Two linked papers {date}. Their notes.\n")
    (entry,) = cell.entries
    assert (entry.title, entry.year) == ("Two linked papers", year)
    assert entry.publishers == publishers


def test_cut_off_page_reports_the_incomplete_entry() -> None:
    cell = parse_file(PAGES / "cut_off.txt")
    assert [e.complete for e in cell.entries] == [True, False]
    messages = [p.message for p in cell.problems]
    assert any("cut off" in m for m in messages)
    assert any("no Matrix Bite commentary" in m for m in messages)


def test_crlf_and_bom_read_like_lf() -> None:
    raw = (PAGES / "crlf_bom.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    crlf = parse_file(PAGES / "crlf_bom.txt")
    lf = parse_text(raw.decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n"), "x")
    assert cell_to_json(crlf)["entries"] == cell_to_json(lf)["entries"]
    assert crlf.title.startswith("Drug Treatment Matrix")  # no BOM in the title
    assert crlf.entries[0].line == 9
    assert crlf.sha256 == hashlib.sha256(raw).hexdigest()


def test_identity_from_path_when_text_names_none(tmp_path: Path) -> None:
    cell = parse_file(PAGES / "cells" / "drug" / "D1.txt")
    assert (cell.matrix, cell.cell) == ("drug", "D1")
    assert [(r.matrix, r.cell) for r in cell.cell_refs] == [("drug", "D2")]
    elsewhere = tmp_path / "page.txt"
    elsewhere.write_bytes((PAGES / "cells" / "drug" / "D1.txt").read_bytes())
    with pytest.raises(SourceError, match=r"page\.txt.*names no cell"):
        parse_file(elsewhere)
    text_only = parse_text(elsewhere.read_text(encoding="utf-8"))
    assert text_only.cell == "" and text_only.problems[0].line == 1


# --- files that are not cell pages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (b"Drug Matrix cell B4\n\x00\x01\x02", "binary file"),
        (b"Drug Matrix cell B4: caf\xe9 au lait\n", "not UTF-8"),
    ],
)
def test_unreadable_files_raise_source_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "cells" / "drug" / "B9.txt"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message) as info:
        parse_file(path)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)


def test_missing_file_raises_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        parse_file(tmp_path / "nope.txt")


def test_parse_text_survives_odd_input() -> None:
    for text in ["", "\n\n\n", "S", "S\n", "K (", "G ()", "R (2010", "S x (2010).", "\ufeff\r\r"]:
        cell = parse_text(text)
        # None of these names a cell: each says so, on a line the text has, and lists nothing
        # that is not there.
        messages = [p.message for p in cell.problems]
        assert any(m.startswith("no cell named") for m in messages), (text, messages)
        assert all(1 <= p.line <= max(1, len(text.splitlines())) for p in cell.problems), text
        assert ("no entries found" in messages) == (not cell.entries), (text, messages)
        assert all(e.title.strip() for e in cell.entries), text
    lone = parse_text("Drug Matrix cell A1\n\nS G\n")
    assert len(lone.entries) == 1 and lone.entries[0].year is None
    assert any("marker with no text" in p.message for p in lone.problems)
    undated = parse_text("Drug Matrix cell A1\n\nK A title without a date. Some notes.\n")
    # the title without the full stop that ends it (as a dated title is without its date part)
    assert [(e.title, e.year) for e in undated.entries] == [("A title without a date", None)]
    asked = parse_text("Drug Matrix cell A1\n\nK Does it work? Some notes.\n")
    assert [e.title for e in asked.entries] == ["Does it work?"]
    assert any("no date part" in p.message for p in undated.problems)


def test_entries_without_blank_lines_between_them() -> None:
    text = (
        "Drug Matrix cell B1: Practitioners; Reducing harm\n\n"
        "S Seminal studies\nK Key studies\nR Reviews\nG Guidance\n\n"
        "S First listed work (1990). Its note, wrapped\nonto a second line.\n"
        "K\nSecond listed work (2001). Its note.\n"
        "R G Third listed work (Example Body, 2010). Its note.\n\n"
        "Search for all relevant Effectiveness Bank analyses.\n"
    )
    cell = parse_text(text)
    assert [(e.kinds, e.title, e.year, e.line) for e in cell.entries] == [
        (("S",), "First listed work", 1990, 8),
        (("K",), "Second listed work", 2001, 10),
        (("R", "G"), "Third listed work", 2010, 12),
    ]
    assert cell.entries[0].annotation == "Its note, wrapped onto a second line."
    assert [p.message for p in cell.problems] == [
        "no Matrix Bite commentary found (is the page cut short?)"
    ]


def test_commentary_without_double_blank_lines() -> None:
    text = (
        "Alcohol Matrix cell D3: Organisational functioning; Medical treatment\n\n"
        "S Seminal studiesK Key studiesR ReviewsG Guidance\n\n"
        "K A listed study (2011). Note.\n\n"
        "Search for all relevant Effectiveness Bank analyses.\n\n"
        "What is this cell about? First section. As the section “Staff who stay” argues, "
        "see cell D2.\n\n"
        "A continuing paragraph? Yes, a question starting a paragraph is not a heading.\n\n"
        "Highlighted study The highlighted study.\n\n"
        "Staff who stay Turnover matters.\n\n"
        "Keeping the team together\n\n"
        "A heading alone on its line, then prose.\n"
    )
    cell = parse_text(text)
    assert [(s.heading, s.line) for s in cell.sections] == [
        ("What is this cell about?", 9),
        ("Highlighted study", 13),
        ("Staff who stay", 15),
        ("Keeping the team together", 17),
    ]
    assert cell.sections[0].paragraph_lines == (9, 11)
    assert [(r.matrix, r.cell) for r in cell.cell_refs] == [("alcohol", "D2")]


def test_text_and_path_disagreeing_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cells" / "drug" / "B9.txt"
    path.parent.mkdir(parents=True)
    path.write_bytes((SEEDS / "B3.txt").read_bytes())
    cell = parse_file(path)
    assert (cell.matrix, cell.cell) == ("drug", "B3")
    assert [p.line for p in cell.problems] == [1]
    assert "path says drug/B9" in cell.problems[0].message


def test_cell_to_json_has_the_contract_keys(b4: Cell) -> None:
    data = cell_to_json(b4)
    for key in ("matrix", "cell", "level", "type", "title", "entries", "sections", "cell_refs"):
        assert key in data
    assert {"kinds", "title", "year", "publisher", "jurisdiction", "free_source", "text"} <= set(
        data["entries"][0]
    )
    assert set(data["sections"][0]) >= {"heading", "text"}
    assert set(data["cell_refs"][0]) >= {"matrix", "cell", "line"}
    assert data["problems"] == []
    json.dumps(data)  # serialisable as is


# --- the `parse` command ----------------------------------------------------------------------


def test_cli_parse_json_one_object_per_line() -> None:
    from click.testing import CliRunner

    from evidence_graph.graph.cli import cli

    result = CliRunner().invoke(
        cli, ["parse", str(SEEDS / "B4.txt"), str(SEEDS / "B3.txt"), "--json"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    b4, b3 = (json.loads(line) for line in lines)
    assert (b4["matrix"], b4["cell"], len(b4["entries"]), len(b4["sections"])) == (
        "drug",
        "B4",
        14,
        6,
    )
    assert (b3["cell"], len(b3["entries"]), len(b3["sections"])) == ("B3", 13, 5)
    golden = json.loads((GOLDEN / "B3.json").read_text(encoding="utf-8"))
    assert b3["entries"] == golden["entries"]


def test_cli_parse_readable_summary() -> None:
    from click.testing import CliRunner

    from evidence_graph.graph.cli import cli

    result = CliRunner().invoke(cli, ["parse", str(SEEDS / "B3.txt")])
    assert result.exit_code == 0, result.output
    assert "drug B3 — B Practitioners / 3 Medical treatment" in result.output
    assert "13 entries (S 2, K 5, R 2, G 4), 5 sections, 3 cell references, 0 problems" in (
        result.output
    )
    assert "part-of 3; related 1; discussed ×2" in result.output
    assert "§ line  127  Not just an addiction" in result.output


def test_cli_parse_bad_file_reported_others_still_parse(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from evidence_graph.graph.cli import cli

    binary = tmp_path / "broken.txt"
    binary.write_bytes(b"\x00\xff\x00")
    result = CliRunner().invoke(cli, ["parse", str(binary), str(PAGES / "cut_off.txt"), "--json"])
    assert result.exit_code == 1
    assert f"Error: {binary}:1: binary file" in result.stderr
    assert "1 of 2 file(s) could not be parsed" in result.stderr
    assert "Traceback" not in result.output
    (parsed,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert parsed["cell"] == "A1"
    assert [p["line"] for p in parsed["problems"]] == [11, 11]


# --- the seeds re-laid out: the same reading whatever the layout ------------------------------


def reading(cell: Cell) -> tuple[object, ...]:
    """What a careful reader takes from a page, independent of its line layout."""
    return (
        cell.summary,
        cell.level_label,
        cell.type_label,
        [
            (
                e.kinds,
                e.title,
                e.year,
                e.publishers,
                e.jurisdiction,
                e.free_source,
                [(r.relation, r.target) for r in e.refs],
                e.discussion_pointers,
                [(m.description, m.year) for m in e.mentions],
            )
            for e in cell.entries
        ],
        [s.heading for s in cell.sections],
        [(r.matrix, r.cell) for r in cell.cell_refs],
    )


def wrapped(text: str) -> str:
    return "\n".join(
        "\n".join(textwrap.wrap(line, 79, break_on_hyphens=False)) if line.strip() else line
        for line in text.split("\n")
    )


def markers_alone(text: str) -> str:
    return re.sub(r"^([SKRG]) (?=[A-Z].*\(.*\d{4}\))", r"\1\n", text, flags=re.M)


def no_blank_between_entries(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(line for n, line in enumerate(lines, 1) if line.strip() or not 50 <= n <= 76)


@pytest.mark.parametrize("name", ["B4", "B3"])
@pytest.mark.parametrize(
    "layout",
    [wrapped, markers_alone, no_blank_between_entries, lambda t: t.replace("\n", "\r\n")],
    ids=["hard-wrapped", "markers-alone", "no-blank-between-entries", "crlf"],
)
def test_seed_read_the_same_in_other_layouts(name: str, layout: Callable[[str], str]) -> None:
    raw = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    relaid = layout(raw)
    assert relaid != raw
    cell = parse_text(relaid, f"cells/drug/{name}.txt")
    assert reading(cell) == reading(parse_file(SEEDS / f"{name}.txt"))
    assert cell.problems == ()


def test_positional_phrases_not_understood_are_problems() -> None:
    text = (
        "Drug Matrix cell A1: Interventions; Reducing harm\n\n"
        "S Seminal studiesK Key studiesR ReviewsG Guidance\n\n"
        "S One early trial (1990). Similar trials from two other countries below. "
        "Figures came out below, then well above.\n\n"
        "K A later trial (2001). Related review below. Its dropout was below 10%.\n\n"
        "Search for all relevant Effectiveness Bank analyses.\n\n\n"
        "What is this cell about? Text.\n"
    )
    cell = parse_text(text)
    assert [(p.line, p.message) for p in cell.problems] == [
        (
            5,
            "entry 1: positional reference not understood: "
            "'Figures came out below, then well above.'",
        ),
        (
            5,
            "entry 1: positional reference not understood: "
            "'Figures came out below, then well above.'",
        ),
        (
            5,
            "entry 1: 'Similar trials from two other countries below' names more entries than "
            "the 1 it finds (2)",
        ),
        (7, "entry 2: 'Related review below.' points at no entry of this cell"),
    ]
    assert all(not e.refs for e in cell.entries)
    assert cell.entries[0].ambiguous_refs[0].candidates == (2,)
    counts = cell.positional_refs
    assert (counts.resolved, counts.ambiguous, counts.unresolved, counts.not_understood) == (
        0,
        1,
        1,
        2,
    )
