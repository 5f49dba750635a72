"""SHACL compiled to SPARQL (graph/shacl_sparql.py) agrees with pyshacl (graph/validate.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store
from rdflib import XSD, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from evidence_graph.graph.rdf.nquads import term
from evidence_graph.graph.reading.load import load_dataset
from evidence_graph.graph.validation.shacl import Report, check
from evidence_graph.graph.validation.shacl_sparql import (
    UnsupportedShape,
    check_store,
    compile_shapes,
)
from evidence_graph.ontology.namespace import EVG
from evidence_graph.ontology.prefixes import shorten

ID = "https://w3id.org/evidence-graph/id/"
LISTING = URIRef(ID + "listing/drug/B4/3")
CELL = URIRef(ID + "cell/drug/B4")
SECTION = URIRef(ID + "cell/drug/B4/section/highlighted-study")
DOC = URIRef(ID + "doc/2009-can-therapists-be-too-accommodating")


def _keys(report: Report) -> set[tuple[str, str, str, str]]:
    return {(f.severity, f.focus, f.path, f.value) for f in report.findings}


def _store(ds: Dataset) -> Store:
    store = Store()
    store.load(ds.serialize(format="nquads", encoding="utf-8"), RdfFormat.N_QUADS)
    return store


def _union_store(ds: Dataset) -> Store:
    """The union triples in the default graph (how the fast build validates: ``union=False``)."""
    store = Store()
    triples = {(s, p, o) for s, p, o, _ in ds.quads()}
    lines = "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples)
    store.load(lines.encode("utf-8"), RdfFormat.N_TRIPLES)
    return store


def _graph_of(ds: Dataset, subject: URIRef) -> URIRef:
    for _, _, _, g in ds.quads((subject, None, None, None)):
        assert isinstance(g, URIRef)
        return g
    raise AssertionError(f"{subject} not in the dataset")


def test_every_shape_compiles() -> None:
    checks = compile_shapes()
    assert len(checks) > 50
    assert {c.component for c in checks} >= {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "ClassConstraintComponent",
        "PatternConstraintComponent",
        "InConstraintComponent",
        "OrConstraintComponent",
        "NodeConstraintComponent",
    }


def test_agrees_with_pyshacl_on_the_seed_build(seed_graph: Path) -> None:
    ds = load_dataset(seed_graph)
    expected = check(ds)
    got = check_store(_store(ds))
    assert _keys(got) == _keys(expected)
    assert got.conforms and expected.conforms


Mutation = Callable[[Dataset], None]


def _set(subject: URIRef, predicate: URIRef, value: object) -> Mutation:
    def mutate(ds: Dataset) -> None:
        g = ds.graph(_graph_of(ds, subject))
        ds.remove((subject, predicate, None, None))
        g.add((subject, predicate, value))  # type: ignore[arg-type]

    return mutate


def _add(subject: URIRef, predicate: URIRef, value: object) -> Mutation:
    def mutate(ds: Dataset) -> None:
        ds.graph(_graph_of(ds, subject)).add((subject, predicate, value))  # type: ignore[arg-type]

    return mutate


def _drop(subject: URIRef, predicate: URIRef) -> Mutation:
    def mutate(ds: Dataset) -> None:
        ds.remove((subject, predicate, None, None))

    return mutate


def _drop_all(ds: Dataset, *pairs: tuple[URIRef, URIRef]) -> None:
    for subject, predicate in pairs:
        _drop(subject, predicate)(ds)


BROKEN: dict[str, Mutation] = {
    "listing without document (minCount)": _drop(LISTING, EVG.lists),
    "cell with two ids (maxCount, pattern)": _add(CELL, EVG.cellId, Literal("Z9")),
    "position not an integer (datatype)": _set(LISTING, EVG.position, Literal("third")),
    "position zero (minInclusive)": _set(LISTING, EVG.position, Literal(0)),
    "role outside the list (in)": _set(LISTING, EVG.role, EVG.Listing),
    "listing in a non-cell (class)": _set(LISTING, EVG.inCell, DOC),
    "section without heading": _drop(SECTION, EVG.heading),
    "language-tagged cell label (datatype)": _set(CELL, RDFS.label, Literal("B4", lang="en")),
    "listed document without type (sh:or)": _drop(DOC, RDF.type),
    "listed document without title or year": lambda ds: _drop_all(
        ds, (DOC, DCTERMS.title), (DOC, DCTERMS.date)
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_agrees_with_pyshacl_on_broken_graphs(seed_graph: Path, name: str) -> None:
    ds = load_dataset(seed_graph)
    BROKEN[name](ds)
    expected = check(ds)
    got = check_store(_store(ds))
    assert expected.findings, "the mutation must break something"
    assert _keys(got) == _keys(expected)
    assert got.conforms == expected.conforms
    assert _keys(check_store(_union_store(ds), union=False)) == _keys(expected)


MORE_BROKEN: dict[str, Mutation] = {
    # found on the nodes pointing at the changed one: its documents, its claims
    "publisher not an organisation (sh:class)": lambda ds: _drop_all(
        ds, *((o, RDF.type) for o in sorted(ds.objects(None, DCTERMS.publisher))[:1])
    ),
    "effect shape outside its scheme (sh:node)": lambda ds: _drop_all(
        ds, *((o, SKOS.inScheme) for o in sorted(ds.objects(None, EVG.effectShape))[:1])
    ),
    "cell without its matrix type (sh:node)": _drop(CELL, RDF.type),
}


@pytest.mark.parametrize("name", sorted({**BROKEN, **MORE_BROKEN}))
def test_checking_again_only_what_a_change_reaches_finds_what_a_full_check_finds(
    seed_graph: Path, name: str
) -> None:
    """After a change, the nodes `affected_focus` names are checked again and the other findings
    kept (as a rebuild does): the outcome equals checking the whole changed graph."""
    from evidence_graph.graph.validation.shacl_sparql import affected_focus, recheck_store

    ds = load_dataset(seed_graph)
    before_triples = {(s, p, o) for s, p, o, _ in ds.quads()}
    before = check_store(_union_store(ds), union=False)
    {**BROKEN, **MORE_BROKEN}[name](ds)
    after_triples = {(s, p, o) for s, p, o, _ in ds.quads()}
    store = _union_store(ds)
    full = check_store(store, union=False)
    assert _keys(full) != _keys(before), "the mutation must change the findings"
    subjects = {term(s) for s, _, _ in before_triples ^ after_triples}
    focus = affected_focus(store, subjects, union=False)
    assert focus is not None and subjects <= focus
    rechecked = recheck_store(store, before.findings, focus, full.triples, union=False)
    assert set(rechecked.findings) == set(full.findings)


def test_ill_formed_year_is_a_violation_as_shacl_requires(seed_graph: Path) -> None:
    """The one known difference: SHACL says an ill-formed literal fails sh:datatype; pyshacl
    (rdflib) does not notice an ill-formed xsd:gYear, the compiled check does."""
    ds = load_dataset(seed_graph)
    _set(DOC, DCTERMS.date, Literal("20x9", datatype=XSD.gYear))(ds)
    got = check_store(_store(ds))
    assert [(f.focus, f.path, f.value) for f in got.violations] == [
        (shorten(DOC), "dcterms:date", "20x9")
    ]


def test_messages_from_the_shapes_are_kept(seed_graph: Path) -> None:
    ds = load_dataset(seed_graph)
    _drop(LISTING, EVG.lists)(ds)
    got = check_store(_store(ds))
    assert any(f.message == "a listing lists exactly one evg:Document" for f in got.violations)


def test_unsupported_features_are_refused(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        "  sh:property [ sh:path ( ex:a ex:b ) ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(UnsupportedShape):
        compile_shapes(shapes)
