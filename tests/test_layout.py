"""One of each: one prefix table and shortener, one folding function, one exporter registry open to
entry points; the product names no development document."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from conftest import ROOT
from rdflib import Dataset

from evidence_graph import exporters
from evidence_graph.graph.base.files import Staged, atomic_write
from evidence_graph.graph.base.text import fold, fold_words, strip_quotes
from evidence_graph.ontology import ID, NS
from evidence_graph.ontology.prefixes import FILE_PREFIXES, PREFIXES, declare, expand, shorten


@pytest.mark.parametrize(
    ("iri", "name"),
    [
        (NS + "supports", "evg:supports"),
        (ID + "cell/drug/B4", r"id:cell\/drug\/B4"),
        (ID + "doc/2009-a.b", r"id:doc\/2009-a.b"),
        ("http://purl.org/dc/terms/title", "dcterms:title"),
        ("https://example.org/x", "<https://example.org/x>"),
        (ID + "odd name", f"<{ID}odd name>"),
    ],
)
def test_shorten_and_expand_round_trip(iri: str, name: str) -> None:
    assert shorten(iri) == name
    assert expand(name) == iri


def test_file_prefixes_are_the_table_minus_reading_only_ones() -> None:
    assert set(FILE_PREFIXES) == set(PREFIXES) - {"id", "mesh"}
    assert all(FILE_PREFIXES[p] == PREFIXES[p] for p in FILE_PREFIXES)


def test_declare_adds_only_missing_prefixes() -> None:
    query = "PREFIX evg: <urn:mine#>\nSELECT * WHERE { ?s evg:x id:y }"
    declared = declare(query)
    assert declared == f"PREFIX id: <{ID}> {query}"  # same line count: errors keep their line
    assert declare("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o }"


def test_one_fold() -> None:
    assert fold("  ‘a’  “b”\u00a0–c ") == "'a' \"b\" –c"
    assert fold("A–B — C", dashes=True, lower=True) == "a-b - c"
    assert fold("x\n  y", spaces=False) == "x\n  y"
    assert strip_quotes("‘don’t’") == "dont"
    assert fold_words("The “Helping” alliance '") == ["the", "helping", "alliance"]


def test_staged_files_move_together_or_not_at_all(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    out = Path(str(tmp_path))
    (out / "a").write_text("old")
    staged = Staged(out)
    staged.write("a", b"new")
    staged.write("b", b"new")
    staged.discard()
    assert (out / "a").read_text() == "old" and not (out / "b").exists()
    with pytest.raises(RuntimeError), atomic_write(out / "a") as handle:
        handle.write(b"half")
        raise RuntimeError
    assert (out / "a").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["a"]


def test_registry_is_lazy_and_takes_new_formats() -> None:
    assert list(exporters.FORMATS)[:5] == ["turtle", "trig", "nquads", "ntriples", "jsonld"]
    exporters.register("upper-nt", f"{__name__}:UPPER")
    try:
        assert "upper-nt" in exporters.FORMATS
        out = io.BytesIO()
        exporters.get("upper-nt").export(Dataset(), out)
        assert out.getvalue() == b"EMPTY\n"
        assert exporters.guess("x.upper") is exporters.get("upper-nt")
    finally:
        exporters.unregister("upper-nt")
    assert "upper-nt" not in exporters.FORMATS
    # Listing the formats' names imports no exporter (nor rdflib, nor networkx).
    code = (
        "import sys; from evidence_graph.exporters import FORMATS; names = list(FORMATS); "
        "print(len(names), sorted(m for m in ('rdflib', 'networkx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["10", "[]"]


class _Upper:
    NAME = "upper-nt"
    SUFFIX = ".upper"
    MEDIA_TYPE = "text/plain"
    DESCRIPTION = "a test format"
    IS_RDF = False

    def export(self, dataset: object, out: io.BytesIO) -> None:
        out.write(b"EMPTY\n")


UPPER = _Upper()


def test_shipped_matrix_definitions_are_the_corpus_ones() -> None:
    """The package's default `matrices.yaml` (used when a data directory has none) is data's."""
    shipped = (ROOT / "graph" / "base" / "matrices.yaml").read_bytes()
    assert shipped == (ROOT / "data" / "matrices.yaml").read_bytes()


def test_product_names_no_development_document() -> None:
    pattern = re.compile(r"DESIGN\.md|STYLE\.md|ECOSYSTEM\.md|\.\./shared")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("graph", "ontology", "exporters")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".ttl", ".jsonld", ".rq", ".html", ".js", ".css", ".yaml")
        and pattern.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []
