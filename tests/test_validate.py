"""SHACL validation: the seed build conforms; graphs broken on purpose do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from evidence_graph.graph.base.errors import ValidationFailed
from evidence_graph.graph.cli import cli
from evidence_graph.graph.rdf import make as rdf
from evidence_graph.graph.rdf.serialize import serialize
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.graph.validation.shacl import check, validate
from evidence_graph.ontology.namespace import EVG

B4 = rdf.graph_iri("cells/drug/B4.txt")
LISTING = rdf.iri("listing/drug/B4/3")


@pytest.fixture()
def ds(seed_graph: Path) -> Dataset:
    return load_dataset(seed_graph)


def test_seed_build_conforms(ds: Dataset) -> None:
    report = validate(ds)
    assert report.conforms and not report.violations
    assert report.render().startswith("conforms:")


def test_listing_without_document_fails(ds: Dataset) -> None:
    ds.graph(B4).remove((LISTING, EVG.lists, None))
    report = check(ds)
    assert not report.conforms
    assert any(
        f.path == "evg:lists" and r"id:listing\/drug\/B4\/3" == f.focus for f in report.violations
    )
    with pytest.raises(ValidationFailed, match="exactly one evg:Document"):
        validate(ds)


def test_bad_cell_id_and_year_fail(ds: Dataset) -> None:
    cell = rdf.iri("cell/drug/B4")
    ds.graph(B4).add((cell, EVG.cellId, Literal("F9")))
    doc = rdf.iri("doc/2009-can-therapists-be-too-accommodating")
    ds.graph(B4).add((doc, DCTERMS.date, Literal("2009-01-01", datatype=XSD.date)))
    messages = " ".join(f.render() for f in check(ds).violations)
    assert "cell id" in messages and "xsd:gYear" in messages


def test_two_roles_fail(ds: Dataset) -> None:
    ds.graph(B4).add((LISTING, EVG.role, EVG.Seminal))
    assert any(f.path == "evg:role" for f in check(ds).violations)


def test_effect_shape_outside_the_scheme_fails(ds: Dataset) -> None:
    claim = rdf.iri("claim/broken")
    g = ds.graph(rdf.graph_iri("claims/broken.yaml"))
    g.add((claim, RDF.type, EVG.Claim))
    g.add((claim, RDFS.label, Literal("A claim.")))
    g.add((claim, EVG.exposure, Literal("x")))
    g.add((claim, EVG.outcome, Literal("y")))
    g.add((claim, EVG.effectShape, EVG.Seminal))
    assert any(f.path == "evg:effectShape" for f in check(ds).violations)


def test_cli_validate(ds: Dataset, seed_graph: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", str(seed_graph)])
    assert ok.exit_code == 0, ok.output
    assert "conforms" in ok.output
    ds.graph(B4).remove((LISTING, EVG.inCell, None))
    broken = tmp_path / "broken.trig"
    broken.write_bytes(serialize(ds, "trig"))
    bad = runner.invoke(cli, ["validate", str(broken)])
    assert bad.exit_code != 0
    assert "does not conform" in bad.output and r"id:listing\/drug\/B4\/3" in bad.output
    missing = runner.invoke(cli, ["validate", str(tmp_path / "nothing.trig")])
    assert missing.exit_code != 0 and "no built graph" in missing.output
