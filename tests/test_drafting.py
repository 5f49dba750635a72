"""The claim drafter: finding sentences, verified quotes, documents, shapes, grouping, the claims
file it writes (loads and builds unchanged), status and attribution in RDF, lints, queries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import DATA, ROOT
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from evidence_graph.graph.base.errors import QuotesNotFound, SourceError
from evidence_graph.graph.base.ids import doc_key
from evidence_graph.graph.base.records import Cell, Claim, Discussion
from evidence_graph.graph.base.text import fold
from evidence_graph.graph.cli import cli
from evidence_graph.graph.curation.claims import load_claims
from evidence_graph.graph.curation.concepts import load_concepts
from evidence_graph.graph.curation.discussion import link_discussions
from evidence_graph.graph.curation.drafting import DraftResult, draft, to_yaml, tool_label
from evidence_graph.graph.curation.drafting.findings import read_sentence
from evidence_graph.graph.curation.drafting.lexicon import default_lexicon
from evidence_graph.graph.curation.drafting.nlp import sentences
from evidence_graph.graph.curation.drafting.output import dump
from evidence_graph.graph.curation.lints import LintClaim, LintEvidence, from_records, lint
from evidence_graph.graph.parsing.page import parse_file
from evidence_graph.graph.rdf import make as rdf
from evidence_graph.ontology.namespace import EVG

LABELS = ROOT / "tests" / "data" / "drafting"
HELD_OUT = LABELS / "cells" / "alcohol" / "C4.txt"
MP_CLAIM = URIRef("http://purl.org/mp/Claim")


@pytest.fixture(scope="module")
def cells() -> list[Cell]:
    return [parse_file(DATA / "cells" / "drug" / f"{c}.txt") for c in ("B3", "B4")]


@pytest.fixture(scope="module")
def links(cells: list[Cell]) -> tuple[Discussion, ...]:
    return link_discussions(cells, DATA / "discussions.yaml").links


@pytest.fixture(scope="module")
def fresh(cells: list[Cell], links: tuple[Discussion, ...]) -> DraftResult:
    """Drafts of the seeds without the curated claims."""
    return draft(cells, discussions=links)


@pytest.fixture(scope="module")
def beside_curated(cells: list[Cell], links: tuple[Discussion, ...]) -> DraftResult:
    curated = load_claims(DATA / "claims", cells).claims
    return draft(cells, curated=curated, discussions=links)


def _words(text: str) -> set[str]:
    return set(fold(text).lower().split())


def test_drafts_are_labelled_drafts(fresh: DraftResult) -> None:
    assert len(fresh.claims) >= 20
    for claim in fresh.claims:
        assert claim.status == "draft"
        assert claim.drafted_by == tool_label()
        assert claim.confidence is not None and 0 < claim.confidence <= 1
        assert claim.cues and any(c.startswith("document:") for c in claim.cues)
        assert claim.evidence
    # Empty rather than invented: most drafts state an exposure, some no outcome.
    assert sum(1 for c in fresh.claims if c.exposure) >= 0.75 * len(fresh.claims)
    assert not any(c.outcome == "outcomes" and "outcomes" not in c.statement for c in fresh.claims)


def test_quotes_are_verbatim_sentences_of_the_page(fresh: DraftResult, cells: list[Cell]) -> None:
    texts = {c.source: fold("\n".join(c.lines)) for c in cells}
    for claim in fresh.claims:
        for line in claim.evidence:
            assert fold(line.quote.exact) in texts[line.quote.source]
            assert line.direction == "supports"


def test_finding_precision_and_recall_on_the_labelled_seeds(fresh: DraftResult) -> None:
    labelled = yaml.safe_load((LABELS / "seed-sentences.yaml").read_text())["sentences"]
    drafted = [fold(f.quote.exact) for f in fresh.findings]
    tp = fp = fn = 0
    for item in labelled:
        hit = fold(item["text"]) in drafted
        tp += hit and item["finding"]
        fp += hit and not item["finding"]
        fn += (not hit) and item["finding"]
    assert tp / (tp + fp) >= 0.8, (tp, fp)
    assert tp / (tp + fn) >= 0.8, (tp, fn)


def test_inverted_u_alliance_claim_from_the_2009_study(fresh: DraftResult) -> None:
    study = doc_key("Can therapists be too accommodating?", 2009)
    found = [
        c
        for c in fresh.claims
        if c.effect_shape == "inverted-u" and any(e.document == study for e in c.evidence)
    ]
    assert found
    quotes = " ".join(e.quote.exact for c in found for e in c.evidence)
    assert "so too did those who had been especially good" in quotes


def test_methadone_counsellor_finding_rests_on_the_1988_and_1999_studies(
    fresh: DraftResult,
) -> None:
    s88 = doc_key(
        "Quasi-randomisation reveals methadone counsellor is an ‘active ingredient’", 1988
    )
    s99 = doc_key("Quasi-random allocation exposes impact of methadone counsellors", 1999)
    assert any({s88, s99} <= {e.document for e in c.evidence} for c in fresh.claims)


def test_commentary_finding_attributed_through_the_discussed_in_link(fresh: DraftResult) -> None:
    line = next(
        e
        for c in fresh.claims
        for e in c.evidence
        if e.quote.exact.startswith("Counsellors who had been relatively poor")
    )
    assert line.document == doc_key("Can therapists be too accommodating?", 2009)
    assert any(cue in line.note for cue in ("last about it", "section discusses", "refers to"))


def test_null_shape_for_no_difference(fresh: DraftResult) -> None:
    claim = next(
        c
        for c in fresh.claims
        if any("at least as effective as psychological" in e.quote.exact for e in c.evidence)
    )
    assert claim.effect_shape == "null" and claim.polarity == "null"


def test_findings_already_curated_are_not_drafted_again(
    beside_curated: DraftResult, cells: list[Cell]
) -> None:
    curated = load_claims(DATA / "claims", cells).claims
    curated_quotes = [fold(e.quote.exact) for c in curated for e in c.evidence]
    assert beside_curated.covered >= 10
    for claim in beside_curated.claims:
        for line in claim.evidence:
            drafted = fold(line.quote.exact)
            assert not any(q in drafted or drafted in q for q in curated_quotes)


def test_claims_file_loads_builds_and_is_deterministic(
    fresh: DraftResult, cells: list[Cell], tmp_path: Path
) -> None:
    text = to_yaml(fresh, cells)
    assert text == to_yaml(
        draft(cells, discussions=link_discussions(cells, None).links), cells
    ) or (text.count("- id:") > 0)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "claims" / "drafts.yaml").write_text(text, encoding="utf-8")
    loaded = load_claims(
        data / "claims",
        [parse_file(data / "cells/drug/B3.txt"), parse_file(data / "cells/drug/B4.txt")],
    )
    drafts = [c for c in loaded.claims if c.status == "draft"]
    assert len(drafts) == len(fresh.claims)
    assert {c.id for c in drafts} == {c.id for c in fresh.claims}
    again = draft(cells, discussions=link_discussions(cells, DATA / "discussions.yaml").links)
    assert to_yaml(again, cells) == text


def test_held_out_page_shapes() -> None:
    cell = parse_file(HELD_OUT)
    result = draft([cell], discussions=link_discussions([cell], None).links)
    shapes = {e.quote.exact[:40]: c.effect_shape for c in result.claims for e in c.evidence}
    moderate = next(k for k in shapes if k.startswith("Therapists carrying a moderate"))
    assert shapes[moderate] == "inverted-u"
    supportive = next(k for k in shapes if k.startswith("Among 40 invented outpatient"))
    assert shapes[supportive] == "null"


def test_block_yaml_writer_round_trips() -> None:
    data = {
        "claims": [
            {
                "id": "x",
                "statement": "A: colon # hash “quotes” and 'single' " * 3,
                "short": "null",
                "number": "1999",
                "colon": "key: value",
                "list": ["a", "b: c", "- dash"],
                "nested": {"title": "Can therapists be too accommodating?", "year": 2009},
                "confidence": 0.5,
            }
        ]
    }
    from evidence_graph.graph.curation.drafting.output import _text

    expected = yaml.safe_load(yaml.safe_dump(data))
    expected["claims"][0]["statement"] = " ".join(expected["claims"][0]["statement"].split())
    data["claims"][0]["statement"] = _text(str(data["claims"][0]["statement"]).strip())
    assert yaml.safe_load(dump(data)) == expected


# --- schema, RDF --------------------------------------------------------------------------------


def _write_claims(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "c.yaml").write_text(
        "claims:\n"
        "  - id: sample\n"
        "    statement: s\n"
        "    exposure: e\n"
        "    outcome: o\n"
        "    effect_shape: positive\n"
        f"{extra}"
        "    evidence:\n"
        '      - document: {title: "Can therapists be too accommodating?", year: 2009}\n'
        "        direction: supports\n"
        "        quote: less expected was that the very\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    status: proposed\n", "unknown status"),
        ("    status: draft\n    confidence: 1.5\n", "not a number from 0 to 1"),
        ("    polarity: upwards\n", "unknown polarity"),
    ],
)
def test_bad_draft_fields_name_the_line(
    tmp_path: Path, cells: list[Cell], extra: str, message: str
) -> None:
    with pytest.raises(SourceError, match=message) as info:
        load_claims(_write_claims(tmp_path, extra), cells)
    assert "c.yaml" in str(info.value)


def test_status_defaults_to_curated(tmp_path: Path, cells: list[Cell]) -> None:
    (claim,) = load_claims(_write_claims(tmp_path, ""), cells).claims
    assert claim.status == "curated" and claim.confidence is None


def test_status_and_attribution_in_rdf(fresh: DraftResult) -> None:
    g = rdf.graph_iri("claims/x.yaml")
    curated = Claim("c", "s", "e", "o", "positive", "claims/x.yaml", 1)
    quads = set(rdf.rdflib_quads(rdf.claim_terms(curated, rdf.nt(g), "claims/x.yaml")))
    node = rdf.iri("claim/c")
    assert (node, EVG.status, EVG.Curated, g) in quads
    assert (node, PROV.wasAttributedTo, rdf.iri("source/claims/x.yaml"), g) in quads
    drafted = fresh.claims[0]
    quads = set(rdf.rdflib_quads(rdf.claim_terms(drafted, rdf.nt(g))))
    node = rdf.iri(f"claim/{drafted.id}")
    agent = rdf.iri(rdf.drafter_key(tool_label()))
    assert (node, EVG.status, EVG.Draft, g) in quads
    assert (node, PROV.wasAttributedTo, agent, g) in quads
    assert (agent, RDF.type, PROV.SoftwareAgent, g) in quads
    assert any(p == EVG.cue for _, p, _, _ in quads)
    confidence = next(o for _, p, o, _ in quads if p == EVG.confidence)
    assert isinstance(confidence, Literal) and 0 < float(confidence) <= 1


# --- lints --------------------------------------------------------------------------------------


def _line(quote: str, **kw: object) -> LintEvidence:
    base: dict[str, object] = {
        "document": "doc/2009-x",
        "title": "The title of it",
        "direction": "supports",
        "quote": quote,
        "cell": "cell/drug/B4",
        "cells": frozenset({"cell/drug/B4"}),
    }
    base.update(kw)
    return LintEvidence(**base)  # type: ignore[arg-type]


def test_lints_each_rule() -> None:
    long = "counsellors who were especially good had better outcomes"
    claims = [
        LintClaim("title", "curated", None, (_line("The title of it"),)),
        LintClaim("short", "curated", None, (_line("too short here"),)),
        LintClaim("elsewhere", "curated", None, (_line(long, cells=frozenset({"cell/drug/B3"})),)),
        LintClaim("against", "curated", "positive", (_line(long, direction="challenges"),)),
        *(LintClaim(f"reuse{i}", "curated", None, (_line(long),)) for i in range(3)),
    ]
    rules = {(x.claim, x.rule) for x in lint(claims)}
    assert ("title", "title-quote") in rules
    assert ("short", "short-quote") in rules and ("title", "short-quote") in rules
    assert ("elsewhere", "unlisted-document") in rules
    assert ("against", "polarity-against") in rules
    assert ("reuse0", "reused-quote") in rules
    assert not any(c.startswith("reuse") and r != "reused-quote" for c, r in rules)


def test_polarity_lint_only_where_a_polarity_is_stated() -> None:
    worse = "clients of these counsellors had much worse outcomes and poorer retention"
    better = "counsellors who were especially good had better outcomes"
    # Stated in order to be refuted: no polarity stated, all evidence challenges it. Legitimate.
    refuted = LintClaim("refuted", "curated", None, (_line(better, direction="challenges"),))
    assert lint([refuted]) == []
    # A curated claim with an explicit polarity whose supporting quotes all read the other way.
    stated = LintClaim("stated", "curated", "positive", (_line(worse),))
    assert [x.rule for x in lint([stated])] == ["polarity-against"]
    # Evidence that agrees, or a quote with no readable direction, is no lint.
    assert lint([LintClaim("ok", "curated", "positive", (_line(better),))]) == []
    neutral = "the counsellors were interviewed at the start of the study"
    assert lint([LintClaim("n", "draft", "negative", (_line(neutral),))]) == []


def test_seed_claims_have_no_lints(cells: list[Cell], links: tuple[Discussion, ...]) -> None:
    claims = load_claims(DATA / "claims", cells).claims
    assert lint(from_records(claims, cells, links)) == []
    # The curated quote that was a document's title is now a finding sentence of the page.
    titles = {doc_key(e.title, e.year): e.title for c in cells for e in c.entries}
    for claim in claims:
        for line in claim.evidence:
            assert fold(line.quote.exact).strip(". ") != fold(titles[line.document])


def test_draft_polarity_lint_reads_the_quotes() -> None:
    quote = "clients of these counsellors had much worse outcomes and poorer retention"
    claim = LintClaim("d", "draft", "positive", (_line(quote),))
    assert [x.rule for x in lint([claim])] == ["polarity-against"]
    assert lint([LintClaim("c", "curated", None, (_line(quote),))]) == []


# --- CLI, build, queries ------------------------------------------------------------------------


def test_cli_draft_writes_a_claims_file(tmp_path: Path) -> None:
    out = tmp_path / "drafts.yaml"
    result = CliRunner().invoke(cli, ["draft", str(HELD_OUT), "--data", str(DATA), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text())
    assert data["claims"] and all(c["status"] == "draft" for c in data["claims"])
    assert "draft claims from" in result.output


def test_cli_draft_bad_page_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["draft", str(tmp_path / "missing.txt")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "missing.txt" in result.output


def test_build_lints_and_status_queries(
    tmp_path: Path, fresh: DraftResult, cells: list[Cell]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "claims" / "drafts.yaml").write_text(to_yaml(fresh, cells), encoding="utf-8")
    # One weak claim (its quote is a document's title): the seeds' own claims have no lints.
    (data / "claims" / "weak.yaml").write_text(
        """claims:
  - id: weak-title-claim
    statement: Staff matter.
    exposure: treatment staff
    outcome: patient outcomes
    effect_shape: positive
    evidence:
      - document: {title: "Treatment staff matter as much as the drug", year: 1999}
        direction: supports
        quote: Treatment staff matter as much as the drug
""",
        encoding="utf-8",
    )
    out = tmp_path / "build"
    runner = CliRunner()
    built = runner.invoke(cli, ["build", "--data", str(data), "--out", str(out)])
    assert built.exit_code == 0, built.output
    assert "Claim lints" in built.output and "weak-title-claim: title-quote" in built.output
    graph = str(out / "evidence.trig")
    drafts = runner.invoke(
        cli, ["query", "-g", graph, "-n", "most-supported-claims", "-p", "status=draft",
              "--format", "csv"],
    )  # fmt: skip
    assert drafts.exit_code == 0, drafts.output
    rows = drafts.output.strip().splitlines()[1:]
    assert len(rows) == len(fresh.claims) and all(",draft," in r for r in rows)
    curated = runner.invoke(
        cli, ["query", "-g", graph, "-n", "claims-by-shape", "-p", "shape=inverted-u",
              "-p", "status=curated", "--format", "csv"],
    )  # fmt: skip
    assert "helping-alliance-inverted-u" in curated.output and ",draft," not in curated.output
    stats = runner.invoke(cli, ["stats", graph])
    assert f"27 curated, {len(fresh.claims)} draft" in stats.output
    strict = runner.invoke(cli, ["validate", graph, "--strict"])
    assert strict.exit_code == 1 and "claim lint error" in strict.output
    loose = runner.invoke(cli, ["validate", graph])
    assert loose.exit_code == 0, loose.output
    explained = runner.invoke(cli, ["explain", fresh.claims[0].id, "-g", graph])
    assert "status: draft (attributed to evidence-graph draft" in explained.output
    assert "evg:confidence" in explained.output and "evg:cue" in explained.output
    ds = Dataset(default_union=True)
    ds.parse(graph, format="trig")
    assert (rdf.iri("claim/helping-alliance-inverted-u"), EVG.status, EVG.Curated) in ds


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_build_drafts_one_named_graph_per_page(tmp_path: Path, store: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    before = sorted(p.name for p in (data / "claims").iterdir())
    out = tmp_path / "build"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(data), "--out", str(out), "--drafts", "--store", store]
    )
    assert result.exit_code == 0, result.output
    assert "machine-drafted claims" in result.output
    assert sorted(p.name for p in (data / "claims").iterdir()) == before
    ds = Dataset()
    ds.parse(out / "evidence.trig", format="trig")
    graphs = {str(g.identifier) for g in ds.graphs()}
    for page in ("B3", "B4"):
        graph = rdf.drafts_graph_iri(f"cells/drug/{page}.txt")
        assert str(graph) in graphs
        drafts = set(ds.graph(graph).subjects(EVG.status, EVG.Draft))
        assert drafts and not set(ds.graph(graph).subjects(EVG.status, EVG.Curated))
        # The standard-vocabulary view leaves drafts out: an mp-only consumer would take a draft
        # for an asserted claim (it cannot see evg:status).
        aligned = ds.graph(rdf.ALIGNED_GRAPH)
        lines = set(ds.graph(graph).subjects(EVG.claim, None))
        assert lines
        for node in drafts | lines:
            assert (node, None, None) not in aligned and (None, None, node) not in aligned
    curated = {s for s, _, _, _ in ds.quads((None, EVG.status, EVG.Curated, None))}
    assert curated == set(ds.graph(rdf.ALIGNED_GRAPH).subjects(RDF.type, MP_CLAIM))
    summary = (out / "summary.json").read_text()
    assert '"drafts":' in summary


# --- commentary evidence, terms (pages and sentences of our own) ---------------------------------

OWN = LABELS / "cells" / "drug" / "C2.txt"
AUDITS = "Audits in several countries have shown that when waiting times exceed a month"


def test_commentary_finding_without_a_document_is_evidence_from_the_commentary(
    tmp_path: Path,
) -> None:
    cell = parse_file(OWN)
    result = draft([cell], discussions=link_discussions([cell], None).links)
    line = next(e for c in result.claims for e in c.evidence if e.quote.exact.startswith(AUDITS))
    claim = next(c for c in result.claims if line in c.evidence)
    assert line.document == "cell/drug/C2/commentary"
    assert claim.confidence is not None and claim.confidence <= 0.35
    assert any("cell's commentary" in cue for cue in claim.cues)
    assert result.unattributed >= 1
    # The claims file names it `document: commentary`, loads, and builds with SHACL passing.
    text = to_yaml(result, [cell])
    assert "document: commentary" in text
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "cells" / "drug" / "C2.txt").write_text(OWN.read_text(encoding="utf-8"))
    (data / "claims" / "drafts.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "build"
    built = CliRunner().invoke(cli, ["build", "--data", str(data), "--out", str(out)])
    assert built.exit_code == 0, built.output
    ds = Dataset(default_union=True)
    ds.parse(out / "evidence.trig", format="trig")
    commentary = rdf.iri("cell/drug/C2/commentary")
    assert (commentary, RDF.type, EVG.Commentary) in ds
    assert (commentary, DCTERMS.isPartOf, rdf.iri("cell/drug/C2")) in ds
    lines = set(ds.subjects(EVG.evidence, commentary))
    assert lines and all((x, EVG.quote, None) in ds for x in lines)
    valid = CliRunner().invoke(cli, ["validate", str(out / "evidence.trig"), "--data", str(data)])
    assert valid.exit_code == 0, valid.output
    assert "unlisted-document" not in built.output


def _commentary_claim(quote: str, extra: str = "") -> str:
    return f"""claims:
  - id: x
    status: draft
    statement: s
    exposure: ""
    outcome: ""
    effect_shape: positive
    evidence:
      - document: commentary
        direction: supports
        quote: {quote}
{extra}"""


def test_commentary_evidence_is_checked(tmp_path: Path) -> None:
    cell = parse_file(OWN)
    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "a.yaml").write_text(_commentary_claim(AUDITS))
    with pytest.raises(SourceError, match="needs the cell"):
        load_claims(claims, [cell])
    (claims / "a.yaml").write_text(_commentary_claim(AUDITS, "        cell: drug/C2\n"))
    loaded = load_claims(claims, [cell]).claims[0]
    assert loaded.evidence[0].document == "cell/drug/C2/commentary"
    assert loaded.exposure == "" and loaded.outcome == ""
    # A quote from an annotation is not from the commentary.
    annotation = "Capping caseloads at 25 clients per worker reduced drop-out"
    (claims / "a.yaml").write_text(_commentary_claim(annotation, "        cell: drug/C2\n"))
    with pytest.raises(QuotesNotFound):
        load_claims(claims, [cell])
    # A curated claim must state its outcome.
    (claims / "a.yaml").write_text(
        _commentary_claim(AUDITS, "        cell: drug/C2\n").replace(
            "status: draft", "status: curated"
        )
    )
    with pytest.raises(SourceError, match="exposure is empty"):
        load_claims(claims, [cell])


@pytest.mark.parametrize(
    ("sentence", "exposure", "outcome", "moderators"),
    [
        (
            "Findings from a pilot in two towns led the evaluators to argue that “weekly peer "
            "groups cut relapse among young drinkers”.",
            "weekly peer groups",
            "relapse",
            (),
        ),
        (
            "The analysis showed that shorter waits improved attendance, but only as long as "
            "reception staff, trained and supervised, phoned each patient.",
            "shorter waits",
            "attendance",
            ("as long as reception staff, trained and supervised, phoned each patient",),
        ),
        (
            "In three invented clinics, nurses trained in brief advice did better, especially "
            "when the clinics were short of staff.",
            "nurses trained in brief advice",
            "",
            ("when the clinics were short of staff",),
        ),
        # A clause set off by commas inside the subject is no part of it, and no subject itself.
        (
            "An invented trial found that sending patients a written plan, drawn up with their "
            "keyworker, cut their drinking by half.",
            "sending patients a written plan",
            "drinking",
            (),
        ),
        (
            "Offering drinkers feedback, delivered by a nurse, led them to cut their drinking.",
            "Offering drinkers feedback",
            "drinking",
            (),
        ),
        # The outcome the change bears on, not an outcome word naming a setting or a verb.
        (
            "Among parents seen in family health services, weekly home visits reduced relapse.",
            "weekly home visits",
            "relapse",
            (),
        ),
        (
            "Clinics using a checklist reduced drop-out more than others.",
            "Clinics using a checklist",
            "drop-out",
            (),
        ),
        (
            "Counselling improved retention and illicit opioid use.",
            "Counselling",
            "retention and illicit opioid use",
            (),
        ),
        # "X was as effective as Y": X is the exposure (not the subject of a later clause).
        (
            "A survey found that a telephone call was as effective as a clinic visit; both groups "
            "reduced their drinking.",
            "telephone call",
            "drinking",
            (),
        ),
        # An outcome phrase starts after the word that opens its clause.
        (
            "In 28 invented services, those with high turnover retained fewer clients, although "
            "client outcomes were unrelated to turnover.",
            "high turnover",
            "client outcomes",
            (),
        ),
        # "made little difference" ends the subject; a noun "support" is no report verb.
        (
            "This made-up trial showed that training nurses in brief advice made little "
            "difference to their patients' outcomes.",
            "training nurses in brief advice",
            "patients' outcomes",
            (),
        ),
        (
            "Clients in the invented peer support group reduced their drinking.",
            "Clients in the invented peer support group",
            "drinking",
            (),
        ),
        # A word pointing back at another sentence's finding is no exposure.
        ("Across the trials, the effect was smaller among older drinkers.", "", "", ()),
        # A leading subordinate clause is no part of the subject.
        (
            "When waiting lists were short, most clients did well anyway; moderate supervision was "
            "still best, but retention suffered under close or lax supervision.",
            "moderate supervision",
            "retention",
            (),
        ),
        # A trial's arm is what its people got; the verb after the subject is no part of it.
        (
            "Patients randomised to contingency management submitted more drug-free urine samples "
            "than those receiving standard care.",
            "contingency management",
            "drug-free",
            (),
        ),
        (
            "Those allocated to a named keyworker attended more appointments than those allocated "
            "to a team.",
            "named keyworker",
            "appointments",
            (),
        ),
        (
            "In an invented trial, those given a telephone follow-up cut their drinking more than "
            "controls.",
            "telephone follow-up",
            "drinking",
            (),
        ),
        (
            "Residential rehabilitation produced no better outcomes than day programmes for most "
            "patients.",
            "Residential rehabilitation",
            "outcomes",
            (),
        ),
        # "The more X, the better Y": X is the exposure.
        (
            "The more sessions clients attended, the better their outcomes.",
            "sessions clients attended",
            "outcomes",
            (),
        ),
        # A participle clause closing the sentence is no part of the subject.
        (
            "The invented programme was cost-effective, saving more than it cost within two years.",
            "invented programme",
            "",
            (),
        ),
        # "housing support" is a noun, "relapse prevention" an intervention, not an outcome.
        (
            "In an invented review, housing support doubled attendance at follow-up.",
            "housing support",
            "attendance",
            (),
        ),
        (
            "Relapse prevention strengthened motivation in the invented trial.",
            "Relapse prevention",
            "",
            (),
        ),
        # The outcome is what the people did, not who did it; a noun "support" frames nothing.
        (
            "Acamprosate helped patients stay abstinent, though only when combined with "
            "psychosocial support.",
            "Acamprosate",
            "stay abstinent",
            ("when combined with psychosocial support",),
        ),
    ],
)
def test_terms_strip_report_frames_keep_conditions_and_stay_empty(
    sentence: str, exposure: str, outcome: str, moderators: tuple[str, ...]
) -> None:
    reading = read_sentence(next(sentences([sentence]))[0], default_lexicon(), full=True)
    assert reading.exposure == exposure
    assert reading.outcome == outcome
    assert reading.moderators == moderators


def _own_page(path: Path, entry: str) -> Path:
    """A one-entry cell page of our own (the real layout) at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "Drug Treatment Matrix cell B2: Practitioners; Generic and cross-cutting issues\n\n"
        "Effectiveness Bank Drug Treatment Matrix\n\n"
        "Practitioners; Generic and cross-cutting issues\n\n"
        "An invented page for testing.\n\n"
        "S Seminal studiesK Key studiesR ReviewsG Guidancemore Search for more studies\n\n"
        f"{entry}\n",
        encoding="utf-8",
    )
    return path


def test_drafts_of_two_pages_relate_by_concepts_not_words(tmp_path: Path) -> None:
    concepts = load_concepts(DATA / "concepts.ttl")
    pages = [LABELS / "cells" / "drug" / "C2.txt", LABELS / "cells" / "alcohol" / "B2.txt"]
    null_page = _own_page(
        tmp_path / "cells" / "drug" / "B2.txt",
        "K Bonds that do not hold (2012). In an invented trial of people on probation, a strong "
        "therapeutic relationship with the supervising officer did not improve retention.",
    )
    cells = [parse_file(p) for p in [*pages, null_page]]
    result = draft(cells, concepts=concepts)
    by_id = {c.id: c for c in result.claims}
    # "working alliance" … "stay in treatment" (C2) and "helping alliance" … "retention" (B2):
    # no exposure word in common, the same concepts (therapeutic alliance → retention).
    c2 = next(c for c in result.claims if "working alliance" in c.exposure)
    b2 = next(c for c in result.claims if "helping alliance" in c.exposure)
    null = next(c for c in result.claims if "therapeutic relationship" in c.exposure)
    assert not {"working", "helping"} & set(c2.exposure.split()) & set(b2.exposure.split())
    pairs = {frozenset((c.id, r.target)): r.kind for c in result.claims for r in c.relations}
    assert pairs[frozenset((c2.id, b2.id))] == "consistent-with"
    assert null.polarity == "null"
    assert pairs[frozenset((c2.id, null.id))] == "contradicts"
    assert pairs[frozenset((b2.id, null.id))] == "contradicts"
    # Without the thesaurus, the words alone do not relate them.
    plain = draft(cells)
    assert not any(r.kind == "consistent-with" for c in plain.claims for r in c.relations)
    assert by_id


@pytest.mark.parametrize(
    ("sentence", "polarity"),
    [
        ("In a made-up survey, longer waits were linked to fewer patients starting therapy.",
         "negative"),
        ("The invented trial found that peer mentors reduced relapse among young drinkers.",
         "positive"),
        ("Weekly check-ins were associated with lower mortality among people leaving prison.",
         "positive"),
        ("Clients of rushed nurses were more likely to drop out of the programme.", "negative"),
        ("The study found that peer mentors did not reduce relapse among young drinkers.", "null"),
        ("In the made-up audit, clients given a named worker had more appointments kept.",
         "positive"),
        ("Supervised counsellors produced larger reductions in their clients' drinking.",
         "positive"),
        # fewer days of drinking (the adverse verb before the change), not fewer of "those who
        # took" (the other side of the comparison)
        ("In this invented trial, patients who kept a drinking diary drank on fewer days than "
         "patients who took no notes.", "positive"),
        # "more experienced counsellors" describes people: no more of an outcome
        ("Found that patients assigned to the more experienced invented counsellors used less "
         "heroin.", "positive"),
    ],
)  # fmt: skip
def test_polarity_follows_the_change_in_the_outcome(sentence: str, polarity: str) -> None:
    reading = read_sentence(next(sentences([sentence]))[0], default_lexicon(), full=True)
    assert reading.polarity == polarity


@pytest.mark.parametrize(
    ("sentence", "shape"),
    [
        # groups compared on an outcome, with no report or effect word
        ("Clients given a named nurse were more likely to remain abstinent at three months than "
         "those given a leaflet.", "positive"),
        # figures compared stand for a comparative
        ("Among those who finished the invented course, 41% were abstinent a year later compared "
         "with 23% of those who left early.", "positive"),
        # "no more effective", "no advantage": no difference, whatever adjective follows
        ("Accredited invented programmes were no more effective than others once client "
         "characteristics were taken into account.", "null"),
        ("Results of the made-up trial showed no advantage for the longer intervention.", "null"),
        ("The invented study compared two group therapies and found the two equally effective.",
         "null"),
        ("Outcomes were no different whether clients were seen by doctors or by nurses.", "null"),
        # an effect against a control; a verdict stated of its subject; how a group fared
        ("Naltrexone reduced the risk of return to heavy drinking compared to placebo.",
         "positive"),
        ("Disulfiram was effective only when its consumption was supervised.", "conditional"),
        ("Clients of the invented peer workers fared worse at six months.", "negative"),
        # a change verb right before the outcome it changed
        ("Heroin prescribing cut crime among patients who had not responded to methadone.",
         "positive"),
        # a trial's arms compared
        ("Those randomised to the invented peer group used fewer illegal drugs over the "
         "following year.", "positive"),
        # a gerund subject describes no document; "compared with" opens no method
        ("Offering a choice of treatment goals did not reduce retention.", "null"),
        ("Compared with usual care, the invented programme roughly halved the number of patients "
         "drinking heavily.", "positive"),
        # "for most patients" counts people, it compares nothing
        ("Residential rehabilitation produced no better outcomes than day programmes for most "
         "patients.", "null"),
        # an effect confined to some people; one that levels off
        ("The benefits of extended contact were confined to patients with more severe problems.",
         "conditional"),
        ("Benefits grew with each extra session up to about eight sessions, after which they "
         "levelled off.", "threshold"),
        # "three times as likely": a comparison; "as likely to … as": groups, no difference
        ("Clients seen within a week were three times as likely to attend a second session.",
         "positive"),
        ("Patients allowed to collect a week's supply were as likely to remain in treatment as "
         "those collecting daily.", "null"),
        ("In the invented trial, patients who had to attend daily were as likely to stay in "
         "treatment as those given take-home doses.", "null"),
        # "neither … nor … improved", "no extra benefit": no effect
        ("Neither weekly nor monthly supervision improved client retention.", "null"),
        ("Neither invented medication improved on medical care alone, though every group cut its "
         "drinking.", "null"),
        ("Adding a peer mentor produced no extra benefit for patients already in counselling.",
         "null"),
        # how large an effect was, by group
        ("The advantage of the invented programme was largest among those with the most severe "
         "problems.", "conditional"),
        # "relative to" a control; "did not depend on", "not statistically significant": nulls
        ("Relative to standard care, contingency management roughly doubled the odds of a "
         "drug-free urine test.", "positive"),
        ("Outcomes did not depend on which of the three invented therapies patients received.",
         "null"),
        ("Differences between the invented therapies were small and not statistically "
         "significant.", "null"),
        ("There was no sign that the invented training changed what counsellors did in sessions.",
         "null"),
        # a verdict of cost; an effect that backfired
        ("The invented programme was cost-effective, saving more than it cost within two years.",
         "positive"),
        ("The invented intervention backfired: drinkers who received it drank more than those who "
         "did not.", "negative"),
    ],
)  # fmt: skip
def test_findings_in_other_wordings(sentence: str, shape: str) -> None:
    reading = read_sentence(next(sentences([sentence]))[0], default_lexicon())
    assert reading.finding, reading.cues
    assert reading.shape == shape, reading.cues
    # no exposure made of a figure, nor an outcome of the report verb's subject ("Results")
    assert "%" not in reading.exposure and reading.outcome != "Results"


@pytest.mark.parametrize(
    ("sentence", "shape", "polarity"),
    [
        # a method inside what was reported ("found … trials that assessed what …") is no
        # description of a method
        ("The invented review found only three trials that assessed what happened to drinkers "
         "afterwards, and their results pointed in different directions.", "inconsistent", "null"),
        # more of an uptake ("kept more clients in treatment") is a change in an outcome
        ("Across eight made-up trials, clinics that opened in the evening kept more clients in "
         "treatment, especially when staff phoned them.", "conditional", "positive"),
        # a difference set against none ("higher at first, but later the same")
        ("Retention was higher with weekly calls at first, but by six months the two groups "
         "looked the same.", "conditional", "mixed"),
        ("Among heavy drinkers, those given a brief intervention drank less at three months, but "
         "the difference had faded by a year.", "conditional", "mixed"),
        # no effect on one outcome set against an effect on another (a change all groups shared
        # would be no difference: "neither … improved …, though every group cut …" stays null)
        ("The invented treatment had no impact on drinking but did reduce the harm drinkers "
         "caused.", "conditional", "mixed"),
    ],
)  # fmt: skip
def test_findings_reported_as_uptake_or_a_difference_that_fades(
    sentence: str, shape: str, polarity: str
) -> None:
    reading = read_sentence(next(sentences([sentence]))[0], default_lexicon())
    assert reading.finding and "describes a method" not in reading.cues, reading.cues
    assert (reading.shape, reading.polarity) == (shape, polarity), reading.cues


@pytest.mark.parametrize(
    "sentence",
    [
        # what a guidance document recommends is no finding of research
        "Recommends that invented clinics screen every adult with a validated questionnaire and "
        "offer a session of structured advice to those drinking at increasing or higher risk "
        "levels.",
        "Urges that invented services offering longer sessions improved retention and reduced "
        "relapse, and should be funded.",
    ],
)
def test_what_a_document_recommends_is_no_finding(sentence: str) -> None:
    reading = read_sentence(next(sentences([sentence]))[0], default_lexicon())
    assert not reading.finding, reading.cues


@pytest.mark.parametrize(
    ("sentence", "not_cued"),
    [
        # "most clients" counts people: no comparison
        ("Most clients were referred by their family doctors.", "comparison"),
        # "the report draws on": a noun, no report verb
        ("Staff training was studied with 300 invented participants and the report draws on "
         "interviews with clients.", "finding word"),
        # how people were put in arms is method, not an arm compared
        ("Patients were randomised to one of three invented groups.", "names a trial arm"),
        # "psychosocial support" ends its clause: a noun
        ("Medical care may consist entirely of advice and psychosocial support.", "finding word"),
    ],
)  # fmt: skip
def test_counts_arms_and_nouns_are_no_cue_of_a_finding(sentence: str, not_cued: str) -> None:
    reading = read_sentence(next(sentences([sentence]))[0], default_lexicon(), full=True)
    assert not reading.finding, reading.cues
    assert not any(cue.startswith(not_cued) for cue in reading.cues), reading.cues


def test_a_method_verb_ending_the_sentence_is_read() -> None:
    # "compared" as the last word (a method verb, no "with" after it): no error
    text = "Early and late referral in the invented clinics were compared"
    reading = read_sentence(next(sentences([text]))[0], default_lexicon(), full=True)
    assert not reading.finding, reading.cues


def test_exposure_is_what_had_the_effect() -> None:
    # "the benefits of X were confined to …": X, not the words up to the comparison
    text = "The benefits of extended contact were confined to patients with more severe problems."
    reading = read_sentence(next(sentences([text]))[0], default_lexicon(), full=True)
    assert reading.exposure == "extended contact"
    assert reading.moderators == ("patients with more severe problems",)


def test_a_leading_clause_without_punctuation_is_read() -> None:
    # "When …" with no comma after it, nor any stop: no clause to set aside, and no error.
    text = "When the invented clinic opened late its clients stayed longer"
    reading = read_sentence(next(sentences([text]))[0], default_lexicon(), full=True)
    assert not reading.exposure.startswith("When") and reading.outcome == ""  # "stayed": a verb


def test_commentary_finding_attributed_to_the_publisher_it_names(tmp_path: Path) -> None:
    page = _own_page(
        tmp_path / "cells" / "drug" / "B2.txt",
        "K Advice in invented clinics (2011). A made-up trial of advice in six clinics.\n\n"
        "R Pooled advice trials (Cochrane Collaboration, 2018). A made-up pooling of trials.\n\n"
        "G Advice in practice (Example Standards Agency, 2015). Made-up guidance.\n\n"
        "Matrix Bite Open Matrix Bite guide to this cell\n\n"
        "Close Matrix Bite guide and commentary\n\n\n"
        "Where should I start? The Cochrane pooling found that brief advice reduced weekly "
        "drinking among clinic patients compared with no advice at all.",
    )
    (cell,) = [parse_file(page)]
    (claim,) = draft([cell]).claims
    (line,) = claim.evidence
    assert line.document == doc_key("Pooled advice trials", 2018)
    assert line.quote.exact.startswith("The Cochrane pooling found")
    assert "names its publisher (Cochrane)" in line.note
