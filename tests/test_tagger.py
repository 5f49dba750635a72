"""Topic tagger: precision (first) and recall on a hand-labelled set; whole-word matching rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import DATA, TEST_DATA

from evidence_graph.graph.base.records import Cell, Claim, Concept, Subject
from evidence_graph.graph.curation.claims import load_claims
from evidence_graph.graph.curation.concepts import load_concepts
from evidence_graph.graph.curation.tagger import matchers, tag, tag_text, usable

GOLD = TEST_DATA / "tagger_gold.yaml"


@pytest.fixture(scope="module")
def concepts() -> tuple[Concept, ...]:
    return load_concepts(DATA / "concepts.ttl")


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Cell], tuple[Claim, ...]]:
    from evidence_graph.graph.parsing import parse_file

    cells = [parse_file(DATA / "cells" / "drug" / f"{c}.txt") for c in ("B3", "B4")]
    return cells, load_claims(DATA / "claims", cells).claims


@pytest.fixture(scope="module")
def subjects(
    corpus: tuple[list[Cell], tuple[Claim, ...]], concepts: tuple[Concept, ...]
) -> tuple[Subject, ...]:
    cells, claims = corpus
    return tag(cells, claims, concepts)


def test_thesaurus_size_and_shape(concepts: tuple[Concept, ...]) -> None:
    keys = {c.key for c in concepts}
    assert len(concepts) >= 40
    for slug in (
        "therapeutic-alliance",
        "therapist-effects",
        "methadone-maintenance",
        "buprenorphine",
        "motivational-interviewing",
        "manual-adherence",
        "empathy",
        "genuineness",
        "retention",
        "supervised-consumption",
        "urine-testing",
        "whole-person-care",
        "competencies",
    ):
        assert f"concept/{slug}" in keys
    alliance = next(c for c in concepts if c.key == "concept/therapeutic-alliance")
    assert {"helping alliance", "working alliance", "therapeutic relationship"} <= set(
        alliance.alt_labels
    )
    assert all(b in keys for c in concepts for b in c.broader)


def test_precision_and_recall_on_hand_labelled_set(
    subjects: tuple[Subject, ...], corpus: tuple[list[Cell], tuple[Claim, ...]]
) -> None:
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    curated = {f"claim/{c.id}": {f"concept/{t}" for t in c.topics} for c in corpus[1]}
    tp = fp = fn = 0
    for node, slugs in gold.items():
        expected = {f"concept/{s}" for s in slugs}
        predicted = {s.concept for s in subjects if s.node == node} | curated.get(node, set())
        tp += len(predicted & expected)
        fp += len(predicted - expected)
        fn += len(expected - predicted)
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(
        f"tagger on {len(gold)} hand-labelled nodes: precision {precision:.2f}, recall {recall:.2f}"
    )
    assert precision >= 0.9
    assert recall >= 0.6


def test_every_listing_and_section_of_the_seeds_is_considered(
    subjects: tuple[Subject, ...], corpus: tuple[list[Cell], tuple[Claim, ...]]
) -> None:
    cells, _ = corpus
    tagged = {s.node for s in subjects}
    listings = {n for n in tagged if n.startswith("listing/")}
    assert len(listings) >= 20
    assert any("/section/" in n for n in tagged)
    assert all(s.matched for s in subjects)


def test_whole_words_and_acronym_case(concepts: tuple[Concept, ...]) -> None:
    compiled = matchers(concepts)
    assert "concept/prescribing" not in tag_text("to spot non-prescribed drug use", compiled)
    assert "concept/prescribing" in tag_text("a good relationship with the prescriber", compiled)
    assert "concept/primary-care" in tag_text("they saw GPs who knew them", compiled)
    assert "concept/primary-care" not in tag_text("the gps signal was lost", compiled)
    assert "concept/therapeutic-alliance" in tag_text("a close ‘helping alliance’", compiled)
    assert "concept/engagement" not in tag_text("disengagement from care", compiled)


def test_generic_labels_are_not_used() -> None:
    assert not usable("training")
    assert not usable("dose")
    assert usable("MI")
    assert usable("methadone dose")


def test_concepts_file_errors(tmp_path: Path) -> None:
    from evidence_graph.graph.base.errors import SourceError

    bad = tmp_path / "concepts.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(SourceError, match="concepts.ttl"):
        load_concepts(bad)
