"""Curated claims: coverage of the seeds, verbatim quotes, schema errors with file:line, SPARQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA
from rdflib import Dataset

from evidence_graph.graph.base.errors import QuotesNotFound, SourceError
from evidence_graph.graph.base.ids import doc_key, listing_key, section_key
from evidence_graph.graph.base.records import Cell, Claim
from evidence_graph.graph.cli import cli
from evidence_graph.graph.curation.claims import ClaimSet, load_claims
from evidence_graph.graph.parsing import parse_file

SEEDS = ("B3", "B4")


@pytest.fixture(scope="module")
def cells() -> list[Cell]:
    return [parse_file(DATA / "cells" / "drug" / f"{cell}.txt") for cell in SEEDS]


@pytest.fixture(scope="module")
def claim_set(cells: list[Cell]) -> ClaimSet:
    return load_claims(DATA / "claims", cells)


def _claim(claim_set: ClaimSet, claim_id: str) -> Claim:
    found = [c for c in claim_set.claims if c.id == claim_id]
    assert found, f"no claim {claim_id!r}"
    return found[0]


def _doc(cells: list[Cell], title_start: str, year: int) -> str:
    for cell in cells:
        for entry in cell.entries:
            if entry.title.startswith(title_start) and entry.year == year:
                return doc_key(entry.title, entry.year)
    raise AssertionError(f"no listed document {title_start!r} ({year})")


def test_counts(claim_set: ClaimSet) -> None:
    lines = [line for claim in claim_set.claims for line in claim.evidence]
    assert len(claim_set.claims) >= 15
    assert len(lines) >= 20
    assert claim_set.quotes_checked == len(lines)
    assert sum(line.direction == "challenges" for line in lines) >= 3


def test_studies_and_reviews_covered(cells: list[Cell], claim_set: ClaimSet) -> None:
    listed = {
        doc_key(e.title, e.year)
        for cell in cells
        for e in cell.entries
        if set(e.kinds) & {"S", "K", "R"}
    }
    assert len(listed) == 19  # B4: 5 studies + 5 reviews; B3: 7 studies + 2 reviews
    bearing = {
        line.document
        for claim in claim_set.claims
        for line in claim.evidence
        if line.direction in ("supports", "challenges")
    }
    covered = listed & bearing
    assert len(covered) / len(listed) >= 0.9, sorted(listed - bearing)


def test_named_claims_have_structure_and_evidence(cells: list[Cell], claim_set: ClaimSet) -> None:
    alliance = _claim(claim_set, "helping-alliance-inverted-u")
    assert alliance.effect_shape == "inverted-u"
    assert "therapeutic-alliance" in alliance.topics
    supporters = {e.document for e in alliance.evidence if e.direction == "supports"}
    assert _doc(cells, "Can therapists be too accommodating?", 2009) in supporters

    manuals = _claim(claim_set, "manual-adherence-curvilinear")
    assert manuals.effect_shape == "inverted-u"
    assert any("relationship" in m for m in manuals.moderators)
    assert _doc(cells, "Treat manuals as guides", 2006) in {e.document for e in manuals.evidence}

    effects = _claim(claim_set, "methadone-counsellor-effects")
    supporters = {e.document for e in effects.evidence if e.direction == "supports"}
    for title, year in [
        ("Quasi-randomisation reveals methadone counsellor", 1988),
        ("Quasi-random allocation exposes impact", 1999),
        ("Treatment staff matter as much as the drug", 1999),
        ("What makes a methadone counsellor effective?", 1985),
        ("Clinicians’ impact on treatment quality", 2000),
    ]:
        assert _doc(cells, title, year) in supporters, title

    retention = _claim(claim_set, "alliance-retention-more-than-substance-use")
    assert _doc(cells, "Strong therapeutic relationships mean", 2005) in {
        e.document for e in retention.evidence
    }
    qualifications = _claim(claim_set, "qualifications-make-better-clinicians")
    challengers = {e.document for e in qualifications.evidence if e.direction == "challenges"}
    assert _doc(cells, "Clinicians’ impact on treatment quality", 2000) in challengers
    assert any(r.kind == "contradicts" for r in qualifications.relations)
    for claim_id in (
        "rogers-core-conditions",
        "whole-person-gp-relationship",
        "whole-person-relationship-identity",
        "prescriber-relationship-reduces-opioid-use",
        "clinician-characteristics-do-not-explain-effectiveness",
    ):
        assert _claim(claim_set, claim_id).evidence


def test_every_quote_is_verbatim_in_its_seed(cells: list[Cell], claim_set: ClaimSet) -> None:
    texts = {cell.source: (DATA.parent / cell.source) for cell in cells}
    keys = {listing_key(c.matrix, c.cell, e.position) for c in cells for e in c.entries} | {
        section_key(c.matrix, c.cell, s.heading) for c in cells for s in c.sections
    }
    for claim in claim_set.claims:
        for line in claim.evidence:
            quote = line.quote
            path = Path(quote.source)
            text = (path if path.is_absolute() else texts.get(quote.source, path)).read_text(
                encoding="utf-8"
            )
            assert quote.prefix + quote.exact + quote.suffix in text, claim.id
            first_line = text.splitlines()[quote.line - 1]
            assert quote.exact.split("\n")[0] in first_line, claim.id
            assert quote.quoted_from in keys, quote.quoted_from


def _copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return data


def test_a_changed_quote_fails_the_build_naming_claim_and_quote(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    claims_file = data / "claims" / "practitioners-psychosocial.yaml"
    text = claims_file.read_text(encoding="utf-8")
    original = "relationship builders were not on average the"
    assert original in text
    claims_file.write_text(
        text.replace(original, "relationship builders were not on average thE"), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "helping-alliance-inverted-u" in result.output
    assert "not on average thE" in result.output
    assert "practitioners-psychosocial.yaml:" in result.output
    assert "quotes checked, 1 failed" in result.output
    assert not (tmp_path / "o" / "evidence.trig").exists()


def test_all_missing_quotes_are_reported_together(cells: list[Cell], tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    claims.mkdir()
    source = (DATA / "claims" / "practitioners-medical.yaml").read_text(encoding="utf-8")
    source = source.replace("diligent and active", "diligent and passive")
    source = source.replace("vary greatly in their performance", "vary greatly in performance")
    (claims / "medical.yaml").write_text(source, encoding="utf-8")
    (claims / "psychosocial.yaml").write_bytes(
        (DATA / "claims" / "practitioners-psychosocial.yaml").read_bytes()
    )
    with pytest.raises(QuotesNotFound) as caught:
        load_claims(claims, cells)
    message = str(caught.value)
    assert "quotes checked, 2 failed" in message
    assert "methadone-counsellor-effects" in message
    assert "diligent and passive" in message
    assert "vary greatly in performance" in message
    assert "data/cells/drug/B3.txt" in message


BAD_CLAIM = """\
claims:
  - id: some-claim
    statement: A statement.
    exposure: x
    outcome: y
    effect_shape: {shape}
    topics: [{topic}]
    relations:
      - {{kind: related, claim: {target}}}
    evidence:
      - document: {{title: "{title}", year: 2009}}
        direction: supports
        quote: less expected was that
"""


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        ({"shape": "sideways"}, 6, "unknown effect shape 'sideways'"),
        ({"topic": "astrology"}, 7, "unknown topic 'astrology'"),
        ({"target": "no-such-claim"}, 9, "unknown claim 'no-such-claim'"),
        ({"title": "Can therapists be too nice?"}, 11, "Can therapists be too accommodating?"),
    ],
)
def test_schema_errors_name_file_and_line(
    cells: list[Cell], tmp_path: Path, change: dict[str, str], line: int, words: str
) -> None:
    fields = {
        "shape": "positive",
        "topic": "therapeutic-alliance",
        "target": "some-claim",
        "title": "Can therapists be too accommodating?",
        **change,
    }
    (tmp_path / "bad.yaml").write_text(BAD_CLAIM.format(**fields), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_claims(tmp_path, cells, topics={"therapeutic-alliance"})
    message = str(caught.value)
    assert f"bad.yaml:{line}:" in message
    assert words in message


def test_yaml_syntax_and_unknown_keys_name_file_and_line(cells: list[Cell], tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("claims:\n  - id: x\n    statement: [unclosed\n")
    with pytest.raises(SourceError, match=r"bad\.yaml:\d+: not valid YAML"):
        load_claims(tmp_path, cells)
    (tmp_path / "bad.yaml").write_text(
        BAD_CLAIM.format(
            shape="positive",
            topic="t",
            target="some-claim",
            title="Can therapists be too accommodating?",
        ).replace("    outcome: y\n", "    outcome: y\n    colour: blue\n")
    )
    with pytest.raises(SourceError, match=r"bad\.yaml:6: unknown key 'colour'"):
        load_claims(tmp_path, cells)


def _ask(ds: Dataset, query: str) -> set[str]:
    prefixes = """
        PREFIX evg: <https://w3id.org/evidence-graph/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    """
    return {str(row[0]) for row in ds.query(prefixes + query)}  # type: ignore[index]


@pytest.fixture(scope="module")
def seed_ds(seed_graph: Path) -> Dataset:
    from evidence_graph.graph.reading.load import load_dataset

    return load_dataset(seed_graph)


def test_sparql_finds_inverted_u_alliance_claim(seed_ds: Dataset) -> None:
    found = _ask(
        seed_ds,
        """
        SELECT ?claim WHERE {
          ?claim a evg:Claim ; evg:effectShape evg:InvertedUEffect ; evg:exposure ?exposure .
          FILTER(CONTAINS(LCASE(?exposure), "alliance"))
          ?doc evg:supports ?claim ; dcterms:title "Can therapists be too accommodating?" ;
               dcterms:date ?year .
          FILTER(STR(?year) = "2009")
          ?line evg:claim ?claim ; evg:evidence ?doc ; evg:quote ?quote ;
                prov:wasQuotedFrom ?from ; evg:selector ?sel .
          ?sel a oa:TextQuoteSelector ; oa:exact ?quote ; oa:prefix ?prefix ; oa:suffix ?suffix .
        }
        """,
    )
    assert found == {"https://w3id.org/evidence-graph/id/claim/helping-alliance-inverted-u"}


def test_sparql_finds_counsellor_effects_supported_by_1988_and_1999(seed_ds: Dataset) -> None:
    found = _ask(
        seed_ds,
        """
        SELECT ?claim WHERE {
          ?claim a evg:Claim ; rdfs:label ?statement .
          FILTER(CONTAINS(LCASE(?statement), "counsellors differ"))
          ?early evg:supports ?claim ; dcterms:date ?y1 ; dcterms:title ?t1 .
          ?late evg:supports ?claim ; dcterms:date ?y2 ; dcterms:title ?t2 .
          FILTER(STR(?y1) = "1988" && STR(?y2) = "1999" && CONTAINS(?t2, "Quasi-random"))
        }
        """,
    )
    assert found == {"https://w3id.org/evidence-graph/id/claim/methadone-counsellor-effects"}


def test_sparql_quotes_are_verbatim_in_seeds(seed_ds: Dataset) -> None:
    quotes = _ask(seed_ds, "SELECT ?q WHERE { ?line a evg:EvidenceLine ; evg:quote ?q }")
    seeds = " ".join(
        (DATA / "cells" / "drug" / f"{c}.txt").read_text(encoding="utf-8") for c in SEEDS
    )
    assert len(quotes) >= 20
    assert all(q in seeds for q in quotes)


@pytest.mark.parametrize(
    "nested",
    [
        "claims: " + "[" * 1100 + "]" * 1100 + "\n",
        "claims:\n" + "".join("  " * depth + "- \n" for depth in range(1100)),
    ],
    ids=["flow", "block"],
)
@pytest.mark.parametrize(
    "name",
    ["claims/deep.yaml", "dataset.yaml", "identifiers.yaml", "matrices.yaml", "discussions.yaml"],
)
def test_deeply_nested_yaml_is_one_line_naming_the_file(
    tmp_path: Path, nested: str, name: str
) -> None:
    """Every YAML file of a data directory is read the one way (`base.yamltext`)."""
    data = _copy_data(tmp_path)
    (data / name).write_text(nested.replace("claims", "title"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    assert f"{name}:" in result.output and "nested too deeply" in result.output
    assert not (tmp_path / "o" / "evidence.trig").exists()


def test_a_huge_failing_quote_is_cut_in_the_message(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    claims_file = data / "claims" / "practitioners-psychosocial.yaml"
    text = claims_file.read_text(encoding="utf-8")
    original = "relationship builders were not on average the"
    huge = "A" * 90 + "x" * 1_000_000 + "Z" * 90
    claims_file.write_text(text.replace(original, huge, 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "quotes checked, 1 failed" in result.output
    assert "helping-alliance-inverted-u" in result.output
    assert len(result.output) < 3_000, len(result.output)
    # Both ends of the quote are shown, and its length.
    assert "x" * 1_000 not in result.output
    assert "AAAAAAAA" in result.output and "ZZZZZZZZ" in result.output
    assert "characters)" in result.output
