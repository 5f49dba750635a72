"""Identifier keys for every script: distinct titles never share a key, ASCII keys never change."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS

from evidence_graph.graph.base import ids
from evidence_graph.graph.cli import cli
from evidence_graph.graph.rdf.make import iri
from evidence_graph.ontology import ID
from evidence_graph.ontology.prefixes import shorten

_OLD_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def old_slugify(text: str) -> str:
    """The ASCII-only slug every existing key was made with (kept here to pin it)."""
    text = re.sub(r"[’‘'`´]", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _OLD_NON_ALNUM.sub("-", text.lower()).strip("-")


def _loses_letters(text: str) -> bool:
    """Whether the ASCII-only slug dropped a letter or digit of `text`."""
    for char in unicodedata.normalize("NFKC", text):
        ascii_part = unicodedata.normalize("NFKD", char).encode("ascii", "ignore")
        if not ascii_part and unicodedata.category(char)[0] in "LN":
            return True
    return False


TITLES_2001 = ("Лечение алкоголизма", "アルコール依存症の治療", "?!? …", "Лечение наркомании", "—")


def test_titles_in_any_script_keep_distinct_keys() -> None:
    keys = [ids.doc_key(title, 2001) for title in TITLES_2001]
    assert len(set(keys)) == len(keys), keys
    assert keys[0] == "doc/2001-лечение-алкоголизма"
    assert keys[1] == "doc/2001-アルコール依存症の治療"
    # No letter or digit at all: a stable digest that no slug can equal.
    assert re.fullmatch(r"doc/2001-_[0-9a-f]{12}", keys[2])
    assert ids.doc_key("?!? …", 2001) == keys[2]


def test_same_normalised_title_same_key() -> None:
    assert ids.doc_key("ЛЕЧЕНИЕ  алкоголизма.", 2001) == ids.doc_key("Лечение алкоголизма", 2001)
    # Half-width and full-width forms are one title (NFKC).
    assert ids.doc_key("ｱﾙｺｰﾙ依存症の治療", 2001) == ids.doc_key("アルコール依存症の治療", 2001)
    assert ids.doc_key("“?!?”", 2001) == ids.doc_key('"?!?"', 2001)


def test_organisation_keys_for_every_script() -> None:
    assert ids.org_key("Минздрав России") == "org/минздрав-россии"
    assert ids.org_key("厚生労働省") != ids.org_key("文部科学省")
    assert re.fullmatch(r"org/_[0-9a-f]{12}", ids.org_key("***"))
    assert ids.org_key("***") != ids.org_key("+++")
    assert ids.org_key("  ***") == ids.org_key("***")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Can therapists be too accommodating?", "can-therapists-be-too-accommodating"),
        (
            "Quasi-randomisation reveals an ‘active ingredient’",
            "quasi-randomisation-reveals-an-active-ingredient",
        ),
        ("Above all, don’t do the wrong thing", "above-all-dont-do-the-wrong-thing"),
        ("Café — crème brûlée", "cafe-creme-brulee"),
        ("ﬁnding ½", "finding-12"),
        ("alcohol–drug", "alcoholdrug"),
    ],
)
def test_existing_ascii_slugs_do_not_change(text: str, slug: str) -> None:
    assert ids.slugify(text) == slug == old_slugify(text)


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(max_size=40))
def test_slug_is_the_old_ascii_slug_unless_a_letter_was_lost(text: str) -> None:
    slug = ids.slugify(text)
    if not _loses_letters(text):
        assert slug == old_slugify(text)
    assert slug == ids.slugify(slug)  # a slug is its own slug
    assert "_" not in slug and not slug.startswith("-") and not slug.endswith("-")
    assert "--" not in slug


def _write_page(cells: Path, cell: str, entries: list[str]) -> None:
    head = (DATA / "cells" / "drug" / "B4.txt").read_text(encoding="utf-8").splitlines()[:49]
    lines = [line.replace("cell B4", f"cell {cell}") for line in head]
    body = "".join(f"{entry}\n\n" for entry in entries)
    (cells / f"{cell}.txt").write_text("\n".join(lines) + "\n" + body, encoding="utf-8")


@pytest.fixture(scope="module")
def script_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus plus a page of 2001 titles in several scripts (and one repeated key)."""
    root = tmp_path_factory.mktemp("scripts")
    data = root / "data"
    shutil.copytree(DATA, data)
    entries = [f"K {title} (2001). Study {n}." for n, title in enumerate(TITLES_2001, 1)]
    entries.append("K Лечение, алкоголизма! (2001). The same key as the first, another title.")
    entries.append("G Руководство (Минздрав России, 2004). Guidance.")
    _write_page(data / "cells" / "drug", "C4", entries)
    out = root / "build"
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (root / "output.txt").write_text(result.output, encoding="utf-8")
    return root


def test_build_keeps_each_script_title_apart(script_build: Path) -> None:
    graph = Graph().parse(script_build / "build" / "evidence.ttl")
    titles: dict[URIRef, set[str]] = {}
    for subject, title in graph.subject_objects(DCTERMS.title):
        if str(subject).startswith(f"{ID}doc/2001-"):
            titles.setdefault(URIRef(subject), set()).add(str(title))
    by_title = {t: s for s, ts in titles.items() for t in ts}
    for title in TITLES_2001:
        assert title in by_title, title
        assert titles[by_title[title]] <= {title, "Лечение, алкоголизма!"}
    assert len({by_title[t] for t in TITLES_2001}) == len(TITLES_2001)


def test_a_collision_that_still_happens_warns(script_build: Path) -> None:
    output = (script_build / "output.txt").read_text(encoding="utf-8")
    warned = [line for line in output.splitlines() if "several titles" in line]
    assert len(warned) == 1, output
    assert shorten(iri(ids.doc_key("Лечение алкоголизма", 2001))) in warned[0]
    assert not any("several names" in line for line in output.splitlines())


@pytest.mark.parametrize(
    ("name", "rdflib_format", "oxigraph_format"),
    [
        ("evidence.trig", "trig", pyoxigraph.RdfFormat.TRIG),
        ("evidence.jsonld", "json-ld", pyoxigraph.RdfFormat.JSON_LD),
    ],
)
def test_outputs_with_non_latin_keys_parse_in_rdflib_and_oxigraph(
    script_build: Path, name: str, rdflib_format: str, oxigraph_format: pyoxigraph.RdfFormat
) -> None:
    path = script_build / "build" / name
    dataset = Dataset()
    dataset.parse(path, format=rdflib_format)
    store = pyoxigraph.Store()
    store.load(path=str(path), format=oxigraph_format)
    key = ids.doc_key("アルコール依存症の治療", 2001)
    subjects = {
        str(q.subject.value)
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.subject, pyoxigraph.NamedNode) and "doc/2001-" in q.subject.value
    }
    assert any(ID + "doc/2001-%E3%82%A2" in s for s in subjects), key
    rdflib_subjects = {str(s) for s, _, _, _ in dataset.quads((None, DCTERMS.title, None, None))}
    assert subjects & rdflib_subjects


def test_turtle_with_non_latin_keys_parses_in_oxigraph(script_build: Path) -> None:
    store = pyoxigraph.Store()
    store.load(
        path=str(script_build / "build" / "evidence.ttl"), format=pyoxigraph.RdfFormat.TURTLE
    )
    answer = store.query(
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d <http://purl.org/dc/terms/date> ?y "
        'FILTER(STRSTARTS(STR(?d), "' + ID + 'doc/2001-")) }'
    )
    assert int(next(iter(answer))[0].value) == len(TITLES_2001)


def test_explain_finds_a_node_by_its_key_in_another_script(script_build: Path) -> None:
    out = script_build / "build"
    result = CliRunner().invoke(cli, ["explain", "-g", str(out), "doc/2001-アルコール依存症の治療"])
    assert result.exit_code == 0, result.output
    assert "label: アルコール依存症の治療" in result.output
