"""Layouts, references and page kinds the seeds never show (fixtures in tests/data/pages/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TEST_DATA

from evidence_graph.graph.base.matrices import MatrixDef
from evidence_graph.graph.base.records import Cell
from evidence_graph.graph.parsing import cell_to_json, describe_cell, parse_file, parse_text

PAGES = TEST_DATA / "pages"


def refs_of(cell: Cell) -> dict[int, list[tuple[str, int]]]:
    return {e.position: [(r.relation, r.target) for r in e.refs] for e in cell.entries if e.refs}


def counts(cell: Cell) -> tuple[int, int, int, int]:
    c = cell.positional_refs
    return c.resolved, c.ambiguous, c.unresolved, c.not_understood


# --- a navigation menu as a bulleted list, no title ------------------------------------------


def test_menu_layout_without_title_reads_identity_labels_and_entries() -> None:
    cell = parse_file(PAGES / "cells" / "alcohol" / "B5.txt")
    assert (cell.kind, cell.matrix, cell.cell, cell.level, cell.type) == (
        "cell page",
        "alcohol",
        "B5",
        "B",
        "5",
    )
    assert cell.title == ""  # no "… Matrix cell B5" line: no menu item becomes the title
    assert (cell.level_label, cell.type_label, cell.labels_from) == (
        "Practitioners",
        "Safeguarding the community",
        "page",
    )
    assert cell.summary.startswith("A made-up overview for a test page")
    assert [("".join(e.kinds), e.year) for e in cell.entries] == [
        ("S", 1986),
        ("K", 2013),
        ("K", 2015),
        ("K", 2016),
        ("K", 2018),
        ("R", 2020),
        ("G", 2021),
        ("G", 2020),
    ]
    assert cell.entries[0].title == "Home visits that noticed the children"
    assert cell.entries[3].free_source
    assert cell.problems == ()
    assert [s.heading for s in cell.sections] == [
        "What is this cell about?",
        "Where should I start?",
    ]


def test_menu_layout_references() -> None:
    cell = parse_file(PAGES / "cells" / "alcohol" / "B5.txt")
    assert refs_of(cell) == {
        # "The related review and guidance below": the next review and the next guidance.
        1: [("related", 6), ("related", 7)],
        # "Similar trials from three regions below": as many studies as the count says.
        2: [("related", 3), ("related", 4), ("related", 5)],
        # "Also listed below as guidance": the guidance entry with the same title, not the next.
        6: [("related", 8)],
    }
    assert counts(cell) == (3, 0, 0, 0)


# --- labels: absent, or disagreeing with the matrix definition ----------------------------------


def test_labels_absent_come_from_the_matrix_definitions() -> None:
    cell = parse_file(PAGES / "positional_forms_D3.txt")
    assert (cell.matrix, cell.cell, cell.title) == ("drug", "D3", "Drug Matrix cell D3")
    assert (cell.level_label, cell.type_label, cell.labels_from) == (
        "Organisational functioning",
        "Medical treatment",
        "matrices",
    )


def test_labels_from_given_definitions_and_unknown_matrix() -> None:
    text = "Example Matrix cell B2\n\nS Seminal studiesK Key studies\n\nK A study (2001). Note.\n"
    defs = {"example": MatrixDef("example", "Example Matrix", {"B": "Staff"}, {"2": "Rules"})}
    cell = parse_text(text, matrices=defs)
    assert (cell.level_label, cell.type_label, cell.labels_from) == ("Staff", "Rules", "matrices")
    unknown = parse_text(text, matrices={})
    assert (unknown.level_label, unknown.type_label, unknown.labels_from) == (None, None, "none")


def test_label_disagreeing_with_the_definition_is_a_problem() -> None:
    cell = parse_file(PAGES / "labels_disagree_C1.txt")
    assert (cell.matrix, cell.cell) == ("alcohol", "C1")
    assert cell.level_label == "Management and supervision"  # the page's own words are kept
    assert cell.type_label == "Screening and brief intervention"
    assert [(p.line, p.message) for p in cell.problems] == [
        (
            3,
            "the page calls level C 'Management and supervision' but Alcohol Treatment Matrix "
            "calls it 'Management/supervision' (matrices.yaml); the page's label is kept",
        )
    ]
    assert len(cell.entries) == 1


# --- positional references of many forms -------------------------------------------------------


def test_positional_reference_forms() -> None:
    cell = parse_file(PAGES / "positional_forms_D3.txt")
    assert [("".join(e.kinds), e.year) for e in cell.entries] == [
        ("S", 1981),
        ("S", 1984),
        ("K", 2008),
        ("K", 2011),
        ("K", 2013),
        ("R", 2016),
        ("R", 2018),
        ("R", 2019),
        ("G", 2020),
        ("G", 2021),
    ]
    assert refs_of(cell) == {
        1: [("related", 2)],  # "A direct test of its central idea is listed below"
        2: [("related", 3), ("related", 6), ("related", 9)],  # "related UK study, review and…"
        3: [("related", 4), ("related", 5)],  # "Similar trials from two other regions below"
        4: [("related", 5)],  # "the related cognitive-behavioural study below"
        5: [("related", 4), ("related", 6)],  # "national programme (above)"; "more on this below"
        6: [("related", 7), ("related", 8)],  # "The companion reviews (1 2) below"
        7: [("related", 8)],  # "identified by reviews (1; below)"
        8: [("related", 9)],  # "see the document listed below"
        9: [("related", 10)],  # "the associated guidelines … are summarised below"
    }
    # "More on this below and in cell C2 of the Alcohol Treatment Matrix": both links.
    assert [(r.matrix, r.cell) for r in cell.entries[4].cell_refs] == [("alcohol", "C2")]
    # "(1 2) below" links to entries of this cell, not to other documents.
    assert cell.entries[5].mentions == ()
    # "Also listed above as a review" with three reviews above and no matching title: ambiguous,
    # kept with its candidates, and a problem.
    (ambiguous,) = cell.entries[9].ambiguous_refs
    assert (ambiguous.phrase, ambiguous.candidates) == ("Also listed above as a review", (6, 7, 8))
    assert [(p.line, p.message) for p in cell.problems] == [
        (
            29,
            "entry 10: 'Also listed above as a review' may point at entries 6, 7, 8; "
            "which is unclear",
        )
    ]
    # "above average", "below 30 mg" are comparisons, not pointers.
    assert counts(cell) == (10, 1, 0, 0)
    data = cell_to_json(cell)
    assert data["positional_refs"] == {
        "resolved": 10,
        "ambiguous": 1,
        "unresolved": 0,
        "not_understood": 0,
    }
    assert data["entries"][9]["ambiguous_refs"] == [
        {
            "relation": "related",
            "phrase": "Also listed above as a review",
            "candidates": [6, 7, 8],
            "line": 29,
        }
    ]
    assert "positional references: 10 resolved, 1 ambiguous" in describe_cell(cell)


PAGE_HEAD = (
    "Drug Matrix cell A1: Interventions; Reducing harm\n\n"
    "S Seminal studiesK Key studiesR ReviewsG Guidance\n\n"
)


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("Two related reviews below.", [3, 4]),
        ("Related reviews (1 2 3) below.", [3, 4, 5]),
        ("See the overview listed below.", [3]),
        ("Its guidance counterpart is described below.", [6]),
        ("More on this below.", [2]),
        ("Compare the related study, review and guidance below.", [2, 3, 6]),
        ("A pair of trials below repeat it.", [2]),  # only one study below: short → ambiguous
        ("Below is a related review.", [3]),  # the kind after the pointer
        ("Listed below are two similar reviews.", [3, 4]),
        ("A guidance document (see below) agrees.", [6]),  # the kind before the parenthesis
        ("The report (listed below) agreed.", [2]),  # any kind: the next entry
    ],
)
def test_positional_phrasings(annotation: str, expected: list[int]) -> None:
    text = PAGE_HEAD + (
        f"S First (1990). {annotation}\n\n"
        "K Second (1995). Note.\n\n"
        "R Third (2001). Note.\n\n"
        "R Fourth (2002). Note.\n\n"
        "R Fifth (2003). Note.\n\n"
        "G Sixth (2004). Note.\n"
    )
    first = parse_text(text).entries[0]
    got = [r.target for r in first.refs] or [c for a in first.ambiguous_refs for c in a.candidates]
    assert got == expected


def test_plural_without_count_resolves_few_and_keeps_many_as_candidates() -> None:
    few = parse_text(PAGE_HEAD + "S A (1990). Related reviews below.\n\nR B (2000). x.\n\n"
                     "R C (2001). x.\n")  # fmt: skip
    assert [r.target for r in few.entries[0].refs] == [2, 3]
    many = parse_text(
        PAGE_HEAD
        + "S A (1990). Related reviews below.\n\n"
        + "".join(f"R Review {n} (2001). x.\n\n" for n in range(5))
    )
    (ambiguous,) = many.entries[0].ambiguous_refs
    assert ambiguous.candidates == (2, 3, 4, 5, 6)
    assert many.entries[0].refs == ()
    assert counts(many) == (0, 1, 0, 0)


# --- page kinds -------------------------------------------------------------------------------


def test_catalogue_record_gives_identity_and_sections_without_problems() -> None:
    cell = parse_file(PAGES / "catalogue_record_A1.txt")
    assert (cell.kind, cell.matrix, cell.cell) == ("catalogue record", "drug", "A1")
    assert cell.title == "Drug Treatment Matrix cell A1: Interventions; Reducing harm"
    assert (cell.level_label, cell.type_label) == ("Interventions", "Reducing harm")
    assert cell.entries == () and cell.problems == ()  # no entries is expected here
    assert [(s.heading, s.line) for s in cell.sections] == [
        ("What is this cell about?", 13),
        ("Where should I start?", 17),
        ("Highlighted study", 19),
        ("Why meet people where they are?", 22),
    ]
    assert cell.sections[0].paragraph_lines == (13, 15)
    assert [(r.matrix, r.cell, r.line) for r in cell.cell_refs] == [("alcohol", "A2", 22)]
    assert cell_to_json(cell)["kind"] == "catalogue record"
    assert "[catalogue record]" in describe_cell(cell)


def test_catalogue_record_whose_headings_name_the_cell() -> None:
    # A library's record prints the first heading with the cell's own id, on a line of its own.
    text = (
        "Home > Alcohol treatment matrix cell B3: Practitioners - medical treatment.\n\n"
        "Invented Findings Editors. (2019) Alcohol treatment matrix cell B3: Practitioners - "
        "medical treatment. Example Findings Press.\n\n"
        "PDF (Alcohol matrix cell B3)\n\n"
        "An invented paragraph about what the matrix is and how its cells are laid out.\n\n"
        "What is cell B3 about?\n\n"
        "An invented account of how doctors and nurses shape what medical treatment achieves.\n"
    )
    cell = parse_text(text)
    assert (cell.kind, cell.matrix, cell.cell) == ("catalogue record", "alcohol", "B3")
    assert [s.heading for s in cell.sections] == ["What is cell B3 about?"]
    assert cell.problems == ()
    # A determiner is no matrix's name ("The treatment matrix cell A1 …" names no matrix "the").
    prose = parse_text("The treatment matrix cell A1 lists what follows.\n\nS A study (2001).\n")
    assert prose.matrix != "the"


def test_teaser_gives_identity_summary_and_one_note() -> None:
    cell = parse_file(PAGES / "teaser_E3.txt")
    assert (cell.kind, cell.matrix, cell.cell) == ("teaser", "alcohol", "E3")
    assert cell.title == "Alcohol Treatment Matrix cell E3: Treatment systems; Medical treatment"
    assert (cell.level_label, cell.type_label) == ("Treatment systems", "Medical treatment")
    assert cell.summary.startswith("A made-up teaser paragraph") and cell.summary_line == 5
    assert cell.entries == () and cell.sections == ()
    (note,) = cell.problems
    assert note.line == 1 and note.message.startswith("not a full cell page")


def test_a_page_without_entries_or_catalogue_marks_stays_a_cell_page() -> None:
    cell = parse_text("Drug Matrix cell B2\n\nJust some words here without anything else.\n")
    assert cell.kind == "cell page"
    assert [p.message for p in cell.problems][0] == "no entries found"


# --- cut-off pages ----------------------------------------------------------------------------


def test_page_cut_inside_the_commentary_marks_the_section() -> None:
    cell = parse_file(PAGES / "cut_in_commentary.txt")
    assert [e.complete for e in cell.entries] == [True, True]
    (section,) = cell.sections
    assert not section.complete
    assert section.text.startswith("Whole systems matter because no single service reaches")
    assert section.text.endswith("and that")  # the cut sentence is kept, marked
    assert [(p.line, p.message) for p in cell.problems] == [
        (
            16,
            "section 'What is this cell about?' is cut off: the page ends inside its last sentence",
        )
    ]
    assert cell_to_json(cell)["sections"][0]["complete"] is False


def test_cut_off_entry_keeps_every_complete_entry() -> None:
    cell = parse_file(PAGES / "cut_off.txt")
    assert [(e.year, e.complete) for e in cell.entries] == [(1989, True), (2009, False)]
    assert cell.entries[1].annotation.startswith("Invented annotation about a supervised site")


def test_new_json_keys(tmp_path: Path) -> None:
    data = cell_to_json(parse_file(PAGES / "cells" / "alcohol" / "B5.txt"))
    assert {"kind", "labels_from", "positional_refs"} <= set(data)
    assert all("ambiguous_refs" in e for e in data["entries"])
    assert all("complete" in s for s in data["sections"])
    json.dumps(data)


def test_menu_items_naming_other_cells_do_not_give_the_identity() -> None:
    text = (
        "- Home\n- Drug Treatment Matrix cell A1: Interventions; Reducing harm\n- About\n\n"
        "Matrix cell\nManagement / supervision; Medical treatment\n\n"
        "An invented summary long enough to be read as the summary of this page.\n\n"
        "S Seminal studiesK Key studies\n\nK A study (2001). Note.\n"
    )
    cell = parse_text(text, "cells/drug/C3.txt")
    assert (cell.matrix, cell.cell, cell.title) == ("drug", "C3", "")
    # "Management / supervision" is the definition's "Management/supervision": no problem.
    assert (cell.level_label, cell.type_label) == ("Management / supervision", "Medical treatment")
    assert [p.message for p in cell.problems] == [
        "no Matrix Bite commentary found (is the page cut short?)"
    ]
    # Without a path, the menu item is all there is.
    assert parse_text(text).cell == "A1"


def test_varied_wording_written_without_looking_at_the_parser() -> None:
    cell = parse_file(PAGES / "varied_wording_A4.txt")
    assert refs_of(cell) == {
        1: [("related", 2), ("related", 3)],  # "Two later trials testing the idea are listed below"
        2: [("related", 3)],  # "the study that follows below"
        3: [("related", 2)],  # "Compare the earlier trial above"
        # "includes both trials above and the seminal paper that started it all (listed above)"
        4: [("includes", 2), ("includes", 3), ("includes", 1)],
        # "The reviews above informed it; see too the US counterpart below"
        6: [("related", 4), ("related", 5), ("related", 7)],
        7: [("related", 6)],  # "the British guidance above"
    }
    assert counts(cell) == (8, 0, 0, 0) and cell.problems == ()


def test_the_labels_line_that_agrees_with_the_definition_wins() -> None:
    text = (
        "- Home\n\nFunded by; Developed with\n\nMatrix cell\nPractitioners; Medical treatment\n\n"
        "An invented summary paragraph, long enough to be read as the summary.\n\n"
        "S Seminal studiesK Key studies\n\nK A study (2001). Note.\n"
    )
    cell = parse_text(text, "cells/drug/B3.txt")
    assert (cell.level_label, cell.type_label) == ("Practitioners", "Medical treatment")
    assert cell.summary.startswith("An invented summary paragraph")
    assert not any("calls level" in p.message for p in cell.problems)
