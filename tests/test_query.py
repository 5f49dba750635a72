"""`evidence-graph query`: named queries, bound parameters, formats, errors (graph/sparql.py)."""

from __future__ import annotations

import csv
import inspect
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import TEST_DATA
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, parse

from evidence_graph.graph.base import ids
from evidence_graph.graph.cli import cli
from evidence_graph.graph.service import sparql
from evidence_graph.graph.service.pool import run_isolated

FIXTURE = TEST_DATA / "query-fixture.trig"
ID = "https://w3id.org/evidence-graph/id/"
INJECTION = 'drug/B4" } UNION { ?s ?p ?o } #'


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["query", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- listing


def test_list_shows_every_named_query_with_a_description() -> None:
    code, out = run_cli("--list")
    assert code == 0, out
    lines = [line for line in out.splitlines() if "\t" in line]
    assert len(lines) >= 12
    names = [line.split("\t")[0] for line in lines]
    shipped = sorted(p.stem for p in (Path(sparql.__file__).parent / "queries").glob("*.rq"))
    assert names == shipped
    for line in lines:
        name, description = line.split("\t")
        assert description and not description.startswith("#"), line
    for required in (
        "cell-contents",
        "claim-evidence",
        "claims-by-shape",
        "contested-claims",
        "section-documents",
        "related-documents",
        "cross-cell-references",
        "guidance-by-jurisdiction",
        "documents-by-topic",
        "most-supported-claims",
        "studies-by-year",
    ):
        assert required in names


def test_every_named_query_parses_and_declares_its_parameters() -> None:
    store = Store()
    for named in sparql.named_queries().values():
        values = {p.name: p.example for p in named.params if p.example is not None}
        assert set(values) == {p.name for p in named.params}, f"{named.name}: no example value"
        text = sparql.bind_params(named.text, values, named.params)
        sparql.run(store, text, result_format="json")  # raises on a syntax error
        for p in named.params:
            assert f"?{p.name}" in named.text, f"{named.name}: ?{p.name} unused"


# --------------------------------------------------------------------------- on the fixture


def test_cell_contents_csv_on_fixture() -> None:
    code, out = run_cli(
        "-g", str(FIXTURE), "-n", "cell-contents", "-p", "cell=drug/B4", "--format", "csv"
    )
    assert code == 0, out
    rows = csv_rows(out)
    assert [r["position"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["title"] == "Can therapists be too accommodating?"
    assert rows[1]["role"] == "key"
    assert rows[1]["year"] == "2009"


def test_injection_value_is_an_unknown_cell() -> None:
    code, out = run_cli(
        "-g", str(FIXTURE), "-n", "cell-contents", "-p", f"cell={INJECTION}", "--format", "csv"
    )
    assert code != 0 and "Traceback" not in out
    assert out.startswith(f"Error: no cell {INJECTION!r} in the graph")
    assert "valid values: drug/B3, drug/B4" in out


def test_injection_in_ad_hoc_string_parameter_is_one_literal() -> None:
    query = "SELECT ?d WHERE { ?d <http://purl.org/dc/terms/title> ?t FILTER(?t = ?title) }"
    code, out = run_cli(
        "-g", str(FIXTURE), query, "-p", 'title=x") || true || ("', "--format", "csv"
    )
    assert code == 0, out
    assert out.splitlines() == ["d"]
    code, out = run_cli(
        "-g",
        str(FIXTURE),
        query,
        "-p",
        "title=Fundamentals of effective therapy",
        "--format",
        "csv",
    )
    assert out.splitlines()[1:] == [ID + "doc/1957-fundamentals"]


def test_bad_sparql_is_one_line_with_position() -> None:
    code, out = run_cli("-g", str(FIXTURE), "SELECT ?x WHERE {\n  ?x ?y }")
    assert code != 0
    assert "Traceback" not in out
    message = out.strip()
    assert "\n" not in message
    assert "bad SPARQL" in message and "2:" in message  # line 2, with a column


def test_update_is_refused() -> None:
    code, out = run_cli("-g", str(FIXTURE), "INSERT DATA { <a:b> <a:c> <a:d> }")
    assert code != 0
    assert "update" in out and "Traceback" not in out


def test_missing_graph_is_a_clear_message(tmp_path: Path) -> None:
    code, out = run_cli("-g", str(tmp_path / "nothing.trig"), "-n", "cells")
    assert code != 0
    assert "no built graph" in out and "evidence-graph build" in out


def test_build_directory_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "evidence.trig").write_bytes(FIXTURE.read_bytes())
    code, out = run_cli("-g", str(tmp_path), "-n", "cells", "--format", "csv")
    assert code == 0, out
    assert {r["role"] for r in csv_rows(out)} == {"seminal", "key", "guidance"}


def test_unknown_named_query_and_parameters() -> None:
    code, out = run_cli("-g", str(FIXTURE), "-n", "no-such-query")
    assert code != 0 and "cell-contents" in out
    code, out = run_cli("-g", str(FIXTURE), "-n", "cell-contents")
    assert code != 0 and "missing parameter 'cell'" in out
    code, out = run_cli(
        "-g", str(FIXTURE), "-n", "cell-contents", "-p", "cell=drug/B4", "-p", "x=1"
    )
    assert code != 0 and "unknown parameter 'x'" in out
    code, out = run_cli("-g", str(FIXTURE), "-n", "studies-by-year", "-p", "from=abc")
    assert code != 0 and "not an integer" in out
    code, out = run_cli("-g", str(FIXTURE), "-n", "cells", "-p", "novalue")
    assert code != 0 and "KEY=VALUE" in out


def test_exactly_one_query_source() -> None:
    code, out = run_cli("-g", str(FIXTURE))
    assert code != 0 and "exactly one" in out
    code, out = run_cli("-g", str(FIXTURE), "-n", "cells", "ASK {}")
    assert code != 0 and "exactly one" in out


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_every_result_format(fmt: str) -> None:
    code, out = run_cli(
        "-g", str(FIXTURE), "-n", "cell-contents", "-p", "cell=drug/B4", "--format", fmt
    )
    assert code == 0, out
    if fmt == "table":
        lines = out.splitlines()
        assert lines[0].split() == [
            "?cellName",
            "?position",
            "?role",
            "?title",
            "?year",
            "?document",
        ]
        assert lines[2].split()[:3] == ["drug/B4", "1", "seminal"]
        assert r"id:doc\/2009-too-accommodating" in lines[3]
        assert lines[-1] == "(3 rows)"
    elif fmt == "csv":
        assert csv_rows(out)[0]["year"] == "1957"
    elif fmt == "tsv":
        lines = out.splitlines()
        assert lines[0] == "?cellName\t?position\t?role\t?title\t?year\t?document"
        assert '"Fundamentals of effective therapy"' in lines[1]
    elif fmt == "json":
        data = json.loads(out)
        assert data["head"]["vars"] == ["cellName", "position", "role", "title", "year", "document"]
        first = data["results"]["bindings"][0]
        assert first["document"] == {"type": "uri", "value": ID + "doc/1957-fundamentals"}
    else:
        assert out.startswith("<?xml") and "<sparql" in out and "1957" in out


def test_construct_prints_turtle_and_ask_prints_boolean() -> None:
    code, out = run_cli(
        "-g",
        str(FIXTURE),
        "CONSTRUCT { ?d <http://purl.org/dc/terms/title> ?t } "
        "WHERE { ?d <http://purl.org/dc/terms/title> ?t }",
    )
    assert code == 0, out
    triples = list(parse(out.encode(), format=RdfFormat.TURTLE))
    assert len(triples) == 3
    code, out = run_cli("-g", str(FIXTURE), "ASK { ?s a ?class }")
    assert (code, out) == (0, "true\n")
    code, out = run_cli("-g", str(FIXTURE), "ASK { ?s a ?class }", "--format", "json")
    assert json.loads(out) == {"head": {}, "boolean": True}


def test_query_from_file_and_output_file(tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?c WHERE { ?c a ?t FILTER(?t = ?type) } ORDER BY ?c", encoding="utf-8")
    target = tmp_path / "out" / "cells.csv"
    type_iri = "<https://w3id.org/evidence-graph/ontology#MatrixCell>"
    code, out = run_cli(
        "-g", str(FIXTURE), "-f", str(query), "-p", f"type={type_iri}", "--format", "csv",
        "-o", str(target),
    )  # fmt: skip
    assert code == 0, out
    assert target.read_text().splitlines() == ["c", ID + "cell/drug/B3", ID + "cell/drug/B4"]


def test_run_has_no_time_limit_that_would_leave_work_running() -> None:
    # A limit that stops the work needs a process to kill: only `run_isolated` offers one.
    assert "timeout" not in inspect.signature(sparql.run).parameters
    assert "timeout" not in inspect.signature(sparql.run_named).parameters
    assert "timeout" in inspect.signature(run_isolated).parameters


# --------------------------------------------------------------------------- binding parameters


def test_values_block_goes_into_the_where_group() -> None:
    query = (
        "# a comment with { braces }\nPREFIX ex: <http://ex/#>\n"
        'CONSTRUCT { ?s ex:p "}{" } WHERE { ?s ex:q ?cell }'
    )
    bound = sparql.bind_params(query, {"cell": "drug/B4"}, [sparql.Param("cell", "iri:cell/", "")])
    assert bound.endswith(f"WHERE {{ VALUES (?cell) {{ (<{ID}cell/drug/B4>) }} ?s ex:q ?cell }}")
    assert sparql.bind_params("SELECT * { ?s ?p ?o }", {"o": "3"}).startswith(
        'SELECT * { VALUES (?o) { ("3"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    )


def test_terms_are_escaped_not_pasted() -> None:
    assert sparql.to_term('a"b\\c', "string") == Literal('a"b\\c')
    assert sparql.to_term(INJECTION, "iri:cell/") == NamedNode(
        ID + "cell/drug/B4%22%20%7D%20UNION%20%7B%20?s%20?p%20?o%20%7D%20#"
    )
    assert sparql.to_term("https://example.org/x", None) == NamedNode("https://example.org/x")


# --------------------------------------------------------------------------- on the seed build


def test_cell_contents_csv_on_seed_build(seed_graph: Path) -> None:
    code, out = run_cli(
        "-g", str(seed_graph), "-n", "cell-contents", "-p", "cell=drug/B4", "--format", "csv"
    )
    assert code == 0, out
    rows = csv_rows(out)
    assert len(rows) == 14
    assert [int(r["position"]) for r in rows] == list(range(1, 15))
    assert rows[0]["year"] == "1957"
    assert rows[0]["title"].startswith("Fundamentals of effective therapy")
    assert rows[3]["title"] == "Can therapists be too accommodating?"
    assert [r["role"] for r in rows].count("key") == 3
    code, out = run_cli(
        "-g", str(seed_graph), "-n", "cell-contents", "-p", f"cell={INJECTION}", "--format", "csv"
    )
    assert code != 0 and "no cell" in out


# ----------------------------------------------------------- every named query, on the seed build
# Expectations come from the sources themselves (the claims YAML, the page text), not from a run.

DATA = Path(__file__).resolve().parent.parent / "data"


def named(seed_graph: Path, name: str, *params: str) -> list[dict[str, str]]:
    args = ["-g", str(seed_graph), "-n", name, "--format", "csv"]
    for p in params:
        args += ["-p", p]
    code, out = run_cli(*args)
    assert code == 0, out
    return csv_rows(out)


def curated_claims() -> list[dict[str, Any]]:
    claims: list[dict[str, Any]] = []
    for path in sorted((DATA / "claims").glob("*.yaml")):
        claims += yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]
    return claims


def doc_iri(document: dict[str, Any]) -> str:
    return ID + ids.doc_key(document["title"], document["year"])


def claim_iri(claim_id: str) -> str:
    return ID + ids.claim_key(claim_id)


def test_named_cells(seed_graph: Path) -> None:
    rows = named(seed_graph, "cells")
    b4 = {r["role"]: int(r["listings"]) for r in rows if r["cell"] == ID + "cell/drug/B4"}
    assert b4 == {"seminal": 2, "key": 3, "review": 5, "guidance": 4}
    b3 = [int(r["listings"]) for r in rows if r["cell"] == ID + "cell/drug/B3"]
    assert sum(b3) == 13


def test_named_claim_evidence(seed_graph: Path) -> None:
    claim = next(c for c in curated_claims() if c["id"] == "helping-alliance-inverted-u")
    rows = named(seed_graph, "claim-evidence", "claim=helping-alliance-inverted-u")
    found = sorted((r["direction"], r["document"], " ".join(r["quote"].split())) for r in rows)
    expected = sorted(
        (e["direction"], doc_iri(e["document"]), " ".join(e["quote"].split()))
        for e in claim["evidence"]
    )
    assert found == expected
    assert all(r["title"] == "Can therapists be too accommodating?" for r in rows)


def test_named_claims_by_shape(seed_graph: Path) -> None:
    for shape in ("inverted-u", "conditional", "null"):
        rows = named(seed_graph, "claims-by-shape", f"shape={shape}")
        expected = {claim_iri(c["id"]) for c in curated_claims() if c["effect_shape"] == shape}
        assert expected and {r["claim"] for r in rows} == expected, shape
    rows = named(seed_graph, "claims-by-shape", "shape=inverted-u")
    assert all(r["statement"] and r["exposure"] and r["outcome"] for r in rows)


def directions(claim: dict[str, Any], direction: str) -> set[str]:
    return {doc_iri(e["document"]) for e in claim["evidence"] if e["direction"] == direction}


def test_named_contested_claims(seed_graph: Path) -> None:
    rows = named(seed_graph, "contested-claims")
    expected = {
        claim_iri(c["id"]): (len(directions(c, "supports")), len(directions(c, "challenges")))
        for c in curated_claims()
        if directions(c, "supports") and directions(c, "challenges")
    }
    assert expected
    assert {r["claim"]: (int(r["supporting"]), int(r["challenging"])) for r in rows} == expected


def test_named_most_supported_claims(seed_graph: Path) -> None:
    rows = named(seed_graph, "most-supported-claims")
    claims = curated_claims()
    assert len(rows) == len(claims)
    expected = {claim_iri(c["id"]): len(directions(c, "supports")) for c in claims}
    assert {r["claim"]: int(r["supporting"]) for r in rows} == expected
    counts = [int(r["supporting"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_named_claims_for_document(seed_graph: Path) -> None:
    key = "2009-can-therapists-be-too-accommodating"
    rows = named(seed_graph, "claims-for-document", f"document={key}")
    expected = {
        (e["direction"], claim_iri(c["id"]))
        for c in curated_claims()
        for e in c["evidence"]
        if doc_iri(e["document"]) == ID + "doc/" + key
    }
    assert expected and {(r["direction"], r["claim"]) for r in rows} == expected


def test_named_section_documents(seed_graph: Path) -> None:
    rows = named(seed_graph, "section-documents", "cell=drug/B4")
    listed = {r["document"] for r in named(seed_graph, "cell-contents", "cell=drug/B4")}
    assert rows and {r["document"] for r in rows} <= listed
    pairs = {(r["heading"], r["title"]) for r in rows}
    assert (
        "Isn’t it just a matter of being nice?",
        "Can therapists be too accommodating?",
    ) in pairs


def test_named_related_documents(seed_graph: Path) -> None:
    rows = named(seed_graph, "related-documents")
    found = {(r["relation"], r["title"][:30], r["otherTitle"][:30]) for r in rows}
    assert (
        "related",
        "Quasi-randomisation reveals me",
        "Quasi-random allocation expose",
    ) in found  # B3 entries 1 and 4: "Related study below" / "Related study above"
    assert ("includes", "Treatment staff matter as much", "Quasi-random allocation expose") in found
    for r in rows:  # a symmetric relation is listed once
        if r["relation"] == "related":
            assert r["document"] < r["other"]


def test_named_cross_cell_references(seed_graph: Path) -> None:
    rows = named(seed_graph, "cross-cell-references")
    found = {(r["fromCell"][len(ID) :], r["toCell"][len(ID) :]) for r in rows}
    assert ("cell/drug/B4", "cell/alcohol/B1") in found  # "cell B1 of the Alcohol Treatment Matrix"
    assert ("cell/drug/B4", "cell/drug/A4") in found
    assert ("cell/drug/B3", "cell/drug/B2") in found
    assert all(r["fromCell"] != r["toCell"] for r in rows)


def test_named_guidance_by_jurisdiction(seed_graph: Path) -> None:
    rows = named(seed_graph, "guidance-by-jurisdiction")
    found = {(r["jurisdiction"], r["publisher"], r["year"], r["title"]) for r in rows}
    assert (
        "US",
        "Substance Abuse and Mental Health Services Administration",
        "2008",
        "Addiction counselling competencies",
    ) in found
    assert any(j == "English" and "National Treatment Agency" in p for j, p, _, _ in found)
    guidance = {
        r["document"]
        for cell in ("drug/B3", "drug/B4")
        for r in named(seed_graph, "cell-contents", f"cell={cell}")
        if "guidance" in r["role"].split()
    }
    assert {r["document"] for r in rows} == guidance


def test_named_documents_by_topic(seed_graph: Path) -> None:
    rows = named(seed_graph, "documents-by-topic", "concept=therapeutic-alliance")
    evidence = {
        doc_iri(e["document"])
        for c in curated_claims()
        if "therapeutic-alliance" in c.get("topics", [])
        for e in c["evidence"]
    }
    assert evidence and evidence <= {r["document"] for r in rows}
    reached = {r["document"]: r["reached"].split("; ") for r in rows}
    assert all(reached[d] and "evidence for a tagged claim" in reached[d] for d in evidence)
    direct = named(seed_graph, "documents-by-topic", "concept=therapeutic-alliance", "direct=yes")
    assert direct and {r["document"] for r in direct} < set(reached)
    assert all("evidence for a tagged claim" not in r["reached"] for r in direct)


def test_named_studies_by_year(seed_graph: Path) -> None:
    rows = named(seed_graph, "studies-by-year", "from=1950", "to=1990")
    assert sorted(r["year"] for r in rows) == ["1957", "1985", "1988"]
    everything = named(seed_graph, "studies-by-year")
    years = [int(r["year"]) for r in everything]
    assert years == sorted(years) and len(everything) > len(rows)
    assert {r["kind"] for r in everything} == {"study", "review", "guidance"}


def test_named_documents_in_several_cells(seed_graph: Path) -> None:
    rows = named(seed_graph, "documents-in-several-cells")
    b3 = {r["document"] for r in named(seed_graph, "cell-contents", "cell=drug/B3")}
    b4 = {r["document"] for r in named(seed_graph, "cell-contents", "cell=drug/B4")}
    assert {r["document"] for r in rows} == b3 & b4
    assert all(int(r["cellCount"]) >= 2 for r in rows)


def test_named_documents_in_several_cells_on_fixture() -> None:
    code, out = run_cli("-g", str(FIXTURE), "-n", "documents-in-several-cells", "--format", "csv")
    assert code == 0, out
    rows = csv_rows(out)
    assert [(r["document"], r["cellCount"]) for r in rows] == [
        (ID + "doc/2009-too-accommodating", "2")
    ]
    assert sorted(rows[0]["cells"].split()) == ["drug/B3", "drug/B4"]


def test_named_graphs(seed_graph: Path) -> None:
    rows = named(seed_graph, "named-graphs")
    graphs = {r["graph"][len(ID) :]: int(r["triples"]) for r in rows}
    for source in ("cells/drug/B4.txt", "cells/drug/B3.txt", "concepts.ttl"):
        assert graphs[f"graph/{source}"] > 0
    claims = sorted(p.name for p in (DATA / "claims").glob("*.yaml"))
    assert all(graphs[f"graph/claims/{name}"] > 0 for name in claims)


def test_every_named_query_has_a_seed_test() -> None:
    tested = {
        "cell-contents", "cells", "claim-evidence", "claims-by-shape", "contested-claims",
        "most-supported-claims", "claims-for-document", "section-documents", "related-documents",
        "cross-cell-references", "guidance-by-jurisdiction", "documents-by-topic",
        "studies-by-year", "documents-in-several-cells", "named-graphs",
    }  # fmt: skip
    assert set(sparql.named_queries()) == tested


# ------------------------------------------------------ what a researcher sees (suffix, labels…)


def test_output_suffix_picks_the_format(tmp_path: Path, seed_graph: Path) -> None:
    for suffix, check in (
        (".csv", lambda t: t.startswith("cellName,position,role,title,year,document\n")),
        (".tsv", lambda t: t.startswith("?cellName\t?position\t?role\t?title\t?year\t?document\n")),
        (".json", lambda t: json.loads(t)["head"]["vars"][0] == "cellName"),
        (".xml", lambda t: t.startswith("<?xml") and "<sparql" in t),
        (".txt", lambda t: t.splitlines()[-1] == "(14 rows)"),
    ):
        target = tmp_path / f"b4{suffix}"
        code, out = run_cli(
            "-g", str(seed_graph), "-n", "cell-contents", "-p", "cell=drug/B4", "-o", str(target)
        )
        assert code == 0, out
        assert check(target.read_text(encoding="utf-8")), suffix
    rows = csv_rows((tmp_path / "b4.csv").read_text(encoding="utf-8"))
    assert len(rows) == 14 and not any(r["title"].endswith("…") for r in rows)
    title = "<http://purl.org/dc/terms/title>"
    construct = f"CONSTRUCT {{ ?d {title} ?t }} WHERE {{ ?d {title} ?t }}"
    code, out = run_cli("-g", str(seed_graph), construct, "-o", str(tmp_path / "titles.nt"))
    assert code == 0, out
    lines = (tmp_path / "titles.nt").read_text(encoding="utf-8").splitlines()
    assert lines and all(line.endswith(" .") and line.startswith("<") for line in lines)
    code, out = run_cli("-g", str(seed_graph), "-n", "cells", "-o", str(tmp_path / "cells.pdf"))
    assert code != 0 and "unknown file suffix for a table of results '.pdf'" in out
    assert ".csv" in out and not (tmp_path / "cells.pdf").exists()


def test_formats_are_case_insensitive(seed_graph: Path) -> None:
    code, out = run_cli("-g", str(seed_graph), "-n", "cells", "--format", "CSV")
    assert code == 0, out
    assert out.startswith("cell,label,role,listings\n")


def test_unknown_values_suggest_the_closest(seed_graph: Path) -> None:
    cases = [
        ("cell-contents", "cell=drug/b4", "no cell 'drug/b4' in the graph", "did you mean drug/B4"),
        (
            "claim-evidence",
            "claim=helping-aliance-inverted-u",
            "no claim 'helping-aliance-inverted-u'",
            "did you mean helping-alliance-inverted-u?",
        ),
        ("claims-by-shape", "shape=inverted", "no shape 'inverted'", "did you mean inverted-u?"),
        (
            "documents-by-topic",
            "concept=therapeutic-aliance",
            "no concept 'therapeutic-aliance'",
            "did you mean therapeutic-alliance",
        ),
    ]
    for name, param, error, hint in cases:
        code, out = run_cli("-g", str(seed_graph), "-n", name, "-p", param)
        assert code != 0, out
        assert out.startswith("Error: " + error), out
        assert hint in out and "Traceback" not in out and "rows)" not in out


def test_a_parameter_twice_binds_several_values(seed_graph: Path) -> None:
    both = named(seed_graph, "cell-contents", "cell=drug/B3", "cell=drug/B4")
    b3 = named(seed_graph, "cell-contents", "cell=drug/B3")
    b4 = named(seed_graph, "cell-contents", "cell=drug/B4")
    assert len(both) == len(b3) + len(b4) == 27
    # Each row says which cell it came from (the key, as -p takes it), cell by cell in page order.
    assert [r["cellName"] for r in both] == ["drug/B3"] * len(b3) + ["drug/B4"] * len(b4)
    assert [r["position"] for r in both] == [r["position"] for r in b3 + b4]
    assert {r["cellName"] for r in b4} == {"drug/B4"}
    code, out = run_cli("-g", str(seed_graph), "-n", "cell-contents", "-p", "cell=drug/B3",
                        "-p", "cell=drug/B4", "--width", "30")  # fmt: skip
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["?cellName", "?position", "?role"]
    assert lines[2].split()[:2] == ["drug/B3", "1"] and lines[-2].split()[0] == "drug/B4"
    code, out = run_cli("--list")
    assert "Give a parameter twice to bind several values: -p cell=drug/B3 -p cell=drug/B4" in out
    code, out = run_cli("-g", str(seed_graph), "-n", "cell-contents", "-p", "cell=drug/B4",
                        "-p", "cell=drug/Z9")  # fmt: skip
    assert code != 0 and "no cell 'drug/Z9'" in out


def test_list_shows_parameters_with_an_example() -> None:
    code, out = run_cli("--list")
    assert code == 0, out
    lines = out.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("cell-contents\t")))
    assert lines[at + 1].split()[:2] == ["-p", "cell=drug/B4"]
    assert "the cell, a key like drug/B4" in lines[at + 1]
    studies = lines.index(next(line for line in lines if line.startswith("studies-by-year\t")))
    assert lines[studies + 1].split()[:2] == ["-p", "from=1990"]
    assert "(default 0)" in lines[studies + 1]
    topic = lines.index(next(line for line in lines if line.startswith("documents-by-topic\t")))
    assert "-p direct=yes" in lines[topic + 2]


def test_results_show_words_not_vocabulary_iris(seed_graph: Path) -> None:
    code, out = run_cli("-g", str(seed_graph), "-n", "cell-contents", "-p", "cell=drug/B4")
    assert code == 0, out
    roles = {line.split()[2] for line in out.splitlines()[2:-1]}
    assert roles == {"seminal", "key", "review", "guidance"}
    assert "Role" not in out and "evg:" not in out
    shapes = named(seed_graph, "claims-by-shape", "shape=inverted-u")
    assert {r["shapeName"] for r in shapes} == {"inverted U"}
    assert {r["claimStatus"] for r in shapes} == {"curated"}
    assert {r["claimStatus"] for r in named(seed_graph, "most-supported-claims")} == {"curated"}


def test_width_cuts_table_cells(seed_graph: Path) -> None:
    args = ["-g", str(seed_graph), "-n", "cell-contents", "-p", "cell=drug/B4"]
    _, narrow = run_cli(*args, "--width", "20")
    _, whole = run_cli(*args, "--width", "0")
    title = "Fundamentals of effective therapy: genuineness, positive regard and empathy"
    assert title in whole and title not in narrow
    assert "Fundamentals of eff…" in narrow
    assert max(len(line) for line in narrow.splitlines()) < max(
        len(line) for line in whole.splitlines()
    )


def test_select_star_keeps_the_written_order(seed_graph: Path) -> None:
    query = "SELECT * WHERE { ?zeta a ?kind . ?zeta ?alpha ?middle } LIMIT 1"
    code, out = run_cli("-g", str(seed_graph), query, "--format", "csv")
    assert code == 0, out
    assert out.splitlines()[0] == "zeta,kind,alpha,middle"
    claim = "kind=<https://w3id.org/evidence-graph/ontology#Claim>"
    code, out = run_cli("-g", str(seed_graph), query, "-p", claim, "--format", "tsv")
    assert out.splitlines()[0] == "?zeta\t?kind\t?alpha\t?middle"


def test_guidance_by_jurisdiction_is_one_row_per_document(seed_graph: Path) -> None:
    rows = named(seed_graph, "guidance-by-jurisdiction")
    documents = [r["document"] for r in rows]
    assert len(documents) == len(set(documents))
    joined = [r for r in rows if "; " in r["publisher"]]
    assert joined and all(len(set(r["publisher"].split("; "))) > 1 for r in joined)
    assert all(r["document"] and r["title"] for r in rows)


# ----------------------------------------------------------------- attack and fault inputs


def test_bad_parameter_values_are_one_line() -> None:
    """An IRI that cannot be one and bytes that are not UTF-8 were ValueError tracebacks."""
    for value in ("http://[bad", "drug/B4\udcff"):
        result = CliRunner().invoke(cli, ["query", "-g", str(FIXTURE), "-p", f"cell={value}",
                                          "SELECT * WHERE { ?s ?p ?cell }"])  # fmt: skip
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        message = result.output.strip()
        assert message.startswith("Error: parameter") and "\n" not in message, message


def test_bad_parameters_in_a_real_process_are_one_line() -> None:
    """The same through the console script, with raw non-UTF-8 bytes in argv."""
    import os
    import subprocess
    import sys

    program = Path(sys.executable).parent / "evidence-graph"
    for value in (b"http://[bad", b"drug/B4\xff"):
        result = subprocess.run(
            [os.fsencode(program), b"query", b"-g", os.fsencode(FIXTURE), b"-p",
             b"cell=" + value, b"SELECT * WHERE { ?s ?p ?cell }"],
            capture_output=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert b"Traceback" not in result.stderr and result.stderr.count(b"\n") == 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE ?e { ?s ?p ?o } }",
        "SELECT * { BIND(1 AS ?x) FILTER(?x<?a)SERVICE#>\n<http://127.0.0.1:9/>{?s ?p ?o} }",
    ],
)
def test_federation_is_refused(query: str) -> None:
    code, out = run_cli("-g", str(FIXTURE), query)
    assert code == 1 and "federated queries" in out and "Traceback" not in out


def test_service_words_in_comments_and_strings_are_fine() -> None:
    code, out = run_cli(
        "-g", str(FIXTURE), "SELECT ?x { BIND('SERVICE <http://a/> {}' AS ?x) } # SERVICE"
    )
    assert code == 0 and "SERVICE <http://a/>" in out


def test_crash_queries_are_one_line_in_a_real_process() -> None:
    """Deep nesting segfaulted the process (exit 139, no message)."""
    import subprocess
    import sys

    program = Path(sys.executable).parent / "evidence-graph"
    deep = "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    result = subprocess.run(
        [str(program), "query", "-g", str(FIXTURE), deep], capture_output=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.decode().startswith("Error: query nested too deeply")


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_crash_in_the_query_engine_is_one_message(fork: bool) -> None:
    """With the size checks lifted the query reaches Oxigraph and crashes its worker only."""
    from evidence_graph.graph.base.errors import QueryFailed
    from evidence_graph.graph.service.guard import Limits
    from evidence_graph.graph.service.pool import run_isolated

    deep = "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    lifted = Limits(max_chars=10**7, max_depth=10**7, max_tokens=10**7)
    with pytest.raises(QueryFailed, match=r"crashed the query engine \(SIGSEGV\)") as caught:
        run_isolated(FIXTURE, deep, limits=lifted, fork=fork)
    assert caught.value.reason == "crash" and "\n" not in str(caught.value)


def test_timeout_stops_the_query_process() -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    code, out = run_cli("-g", str(FIXTURE), "--timeout", "0.5", slow)
    assert code == 1 and "timed out after 0.5 s and was stopped" in out


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_memory_limit_stops_the_query(fork: bool) -> None:
    from evidence_graph.graph.base.errors import QueryFailed
    from evidence_graph.graph.service.pool import run_isolated

    big = (
        "SELECT ?a ?b ?c ?d WHERE { ?a ?p1 ?o1 . ?b ?p2 ?o2 . ?c ?p3 ?o3 . ?d ?p4 ?o4 } "
        "ORDER BY ?a ?b ?c ?d"
    )
    with pytest.raises(QueryFailed, match="memory") as caught:
        run_isolated(FIXTURE, big, result_format="json", timeout=120, memory_limit_mb=64, fork=fork)
    assert caught.value.reason == "memory"


def test_worker_opens_no_connection_even_past_the_checks() -> None:
    """Defence in depth: a SERVICE call that reached a worker cannot open a socket."""
    import socket

    from evidence_graph.graph.service.pool import Worker, WorkerSettings

    target = socket.create_server(("127.0.0.1", 0))
    target.settimeout(0.5)
    port = target.getsockname()[1]
    worker = Worker(WorkerSettings(str(FIXTURE), in_memory=True))
    try:
        worker.ready()
        for query in (
            f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            # a service named by a variable: an error raised while results stream out
            f"SELECT * {{ VALUES ?e {{ <http://127.0.0.1:{port}/> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        ):
            header, _ = worker.ask({"query": query, "result_format": "json"}, None)
            assert header["ok"] is False, header
            assert header["error"].startswith(("federated queries", "query failed")), header
        with pytest.raises(TimeoutError):
            target.accept()
        header, body = worker.ask({"query": "ASK { ?s ?p ?o }", "result_format": "json"}, None)
        assert header["ok"] is True and b"true" in body
    finally:
        worker.close()
        target.close()


def test_order_by_panic_is_one_line_in_a_real_process() -> None:
    """Oxigraph aborts on this ORDER BY (exit 134, a Rust backtrace): now one line, exit 1."""
    import subprocess
    import sys

    program = Path(sys.executable).parent / "evidence-graph"
    result = subprocess.run(
        [str(program), "query", "-g", str(FIXTURE), "-f", str(TEST_DATA / "order-by-panic.rq")],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    message = result.stderr.decode()
    assert message.startswith("Error: the query crashed the query engine (SIGABRT)"), message
    assert message.count("\n") == 1 and "panicked" in message
