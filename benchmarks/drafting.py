"""Measure the claim drafter: finding-sentence precision/recall against a hand-labelled set,
polarity/shape agreement, recovery of the curated claims' quotes, the two named goals, and speed.

    python benchmarks/drafting.py                  # seeds + 200 synthetic pages
    python benchmarks/drafting.py --pages 0        # skip the speed run
    python benchmarks/drafting.py --json out.json  # the figures as JSON too

Labelled sets (tests/data/drafting/*.yaml) list every sentence of every annotation and commentary
section of their pages, each marked finding / not finding (with polarity and shape). A labelled
sentence counts as drafted when a finding sentence the drafter kept (located, attributed) is the
same sentence: each holds at least 60 % of the other's words. A curated evidence quote counts as
recovered when a drafted quote (the drafter run WITHOUT the curated claims) contains it or shares
≥ 60 % of its words.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from evidence_graph.graph.base.ids import doc_key
from evidence_graph.graph.base.text import fold
from evidence_graph.graph.curation.claims import load_claims
from evidence_graph.graph.curation.concepts import load_concepts
from evidence_graph.graph.curation.discussion import link_discussions
from evidence_graph.graph.curation.drafting import draft
from evidence_graph.graph.parsing.page import parse_file

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
LABELS = ROOT / "tests" / "data" / "drafting"
SEEDS = ("cells/drug/B3.txt", "cells/drug/B4.txt")


def words(text: str) -> list[str]:
    """Lowercased words of `text` (typographic quotes folded)."""
    return re.findall(r"[a-z0-9]+", fold(text).lower())


def shares(a: str, b: str, share: float = 0.6) -> bool:
    """Whether `b` contains `a` (folded) or holds at least `share` of `a`'s words."""
    fa, fb = fold(a).lower(), fold(b).lower()
    if fa in fb:
        return True
    wa = words(a)
    wb = set(words(b))
    return bool(wa) and sum(1 for w in wa if w in wb) / len(wa) >= share


def same_sentence(a: str, b: str) -> bool:
    """Whether two sentences are the same one: each holds 60 % of the other's words."""
    return shares(a, b) and shares(b, a)


HELD_OUT = {
    "held_out": "held-out-sentences.yaml",
    "held_out_2": "held-out-2-sentences.yaml",
    "held_out_3": "held-out-3-sentences.yaml",
}
"""The labelled pages of our own, each labelled before the drafter was run on it."""


def finding_scores(label_file: Path, data: Path) -> dict[str, Any]:
    """Precision, recall and agreement of the drafter's finding sentences on a labelled set."""
    labelled = yaml.safe_load(label_file.read_text(encoding="utf-8"))["sentences"]
    pages = sorted({item["page"] for item in labelled})
    cells = [parse_file(data / page) for page in pages]
    links = link_discussions(cells, data / "discussions.yaml" if data == DATA else None).links
    result = draft(cells, discussions=links)
    found = [(f.quote.source, f.quote.exact, f.reading) for f in result.findings]
    tp = fp = fn = 0
    polarity_ok = shape_ok = 0
    misses: list[str] = []
    false: list[str] = []
    matched_quotes: set[int] = set()
    for item in labelled:
        source = str(data / item["page"])
        hits = [
            i
            for i, (src, exact, _) in enumerate(found)
            if src == source and same_sentence(item["text"], exact)
        ]
        if item["finding"]:
            if hits:
                tp += 1
                matched_quotes.update(hits)
                reading = found[hits[0]][2]
                polarity_ok += reading.polarity == item["polarity"]
                shape_ok += reading.shape == item["shape"]
            else:
                fn += 1
                misses.append(item["text"][:100])
        elif hits:
            fp += 1
            matched_quotes.update(hits)
            false.append(item["text"][:100])
    return {
        "labels": str(label_file.relative_to(ROOT)),
        "sentences": len(labelled),
        "labelled_findings": tp + fn,
        "drafted_findings": len(found),
        "precision": round(tp / max(1, tp + fp), 3),
        "recall": round(tp / max(1, tp + fn), 3),
        "polarity_agreement": round(polarity_ok / max(1, tp), 3),
        "shape_agreement": round(shape_ok / max(1, tp), 3),
        "missed": misses,
        "false_findings": false,
    }


def recovery(data: Path) -> dict[str, Any]:
    """Share of curated evidence quotes the drafter recovers without the curated claims, and
    which curated claims come back (a recovered quote) and with their shape."""
    cells = [parse_file(data / page) for page in SEEDS]
    concepts = load_concepts(data / "concepts.ttl")
    slugs = {c.key.removeprefix("concept/") for c in concepts}
    curated = load_claims(data / "claims", cells, topics=slugs).claims
    links = link_discussions(cells, data / "discussions.yaml").links
    result = draft(cells, concepts=concepts, discussions=links)
    drafted = [(claim, line) for claim in result.claims for line in claim.evidence]
    quotes = recovered = 0
    claims: dict[str, dict[str, Any]] = {}
    missed: list[str] = []
    for claim in curated:
        back = shape = False
        for line in claim.evidence:
            quotes += 1
            hits = [d for d, dl in drafted if shares(line.quote.exact, dl.quote.exact)]
            if hits:
                recovered += 1
                back = True
                shape = shape or any(d.effect_shape == claim.effect_shape for d in hits)
            else:
                missed.append(f"{claim.id}: {line.quote.exact[:90]}")
        claims[claim.id] = {"back": back, "shape": claim.effect_shape if shape else None}
    alliance = doc_key("Can therapists be too accommodating?", 2009)
    alliance_ok = [
        c.id
        for c in result.claims
        if c.effect_shape == "inverted-u" and any(e.document == alliance for e in c.evidence)
    ]
    study88 = doc_key(
        "Quasi-randomisation reveals methadone counsellor is an ‘active ingredient’", 1988
    )
    study99 = doc_key("Quasi-random allocation exposes impact of methadone counsellors", 1999)
    methadone_ok = [
        c.id for c in result.claims if {study88, study99} <= {e.document for e in c.evidence}
    ]
    return {
        "curated_quotes": quotes,
        "recovered": recovered,
        "share": round(recovered / max(1, quotes), 3),
        "curated_claims": len(curated),
        "claims_back": sum(1 for c in claims.values() if c["back"]),
        "claims_back_with_shape": sum(1 for c in claims.values() if c["shape"]),
        "per_claim": claims,
        "not_recovered": missed,
        "drafted_claims": len(result.claims),
        "goal_alliance_inverted_u_2009": alliance_ok,
        "goal_methadone_1988_and_1999": methadone_ok,
    }


def speed(pages: int) -> dict[str, Any]:
    """Wall time of `evidence-graph draft` on `pages` synthetic pages (spaCy load included)."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cells", str(pages),
             "--out", str(corpus), "--no-claims"],
            check=True, capture_output=True,
        )  # fmt: skip
        files = sorted(str(p) for p in (corpus / "cells").glob("**/*.txt"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            [str(Path(sys.executable).parent / "evidence-graph"), "draft", *files,
             "--data", str(corpus), "-o", str(Path(tmp) / "drafts.yaml")],
            capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import spacy; spacy.blank('en')"], check=True)
        load = time.perf_counter() - start
    return {
        "pages": len(files),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "per_page_ms": round(1000 * seconds / max(1, len(files)), 1),
        "spacy_import_and_blank_s": round(load, 2),
        "summary": done.stderr.strip().splitlines()[-1],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=200, help="synthetic pages to time (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"seeds": finding_scores(LABELS / "seed-sentences.yaml", DATA)}
    for name, file in HELD_OUT.items():
        if (LABELS / file).is_file():
            figures[name] = finding_scores(LABELS / file, LABELS)
    figures["recovery"] = recovery(DATA)
    if args.pages:
        figures["speed"] = speed(args.pages)
    for name in ("seeds", *HELD_OUT):
        if name in figures:
            f = figures[name]
            print(
                f"{name}: {f['sentences']} sentences, {f['labelled_findings']} labelled findings; "
                f"precision {f['precision']}, recall {f['recall']}; polarity agreement "
                f"{f['polarity_agreement']}, shape agreement {f['shape_agreement']}"
            )
    r = figures["recovery"]
    print(
        f"recovery: {r['recovered']}/{r['curated_quotes']} curated quotes ({r['share']}); "
        f"{r['claims_back']}/{r['curated_claims']} curated claims back, "
        f"{r['claims_back_with_shape']} with their shape; {r['drafted_claims']} drafts"
    )
    print(f"goal inverted-U alliance (2009): {r['goal_alliance_inverted_u_2009'] or 'NOT MET'}")
    print(f"goal methadone 1988 + 1999: {r['goal_methadone_1988_and_1999'] or 'NOT MET'}")
    if "speed" in figures:
        s = figures["speed"]
        print(
            f"speed: {s['pages']} pages in {s['seconds']} s wall, {s['cpu_seconds']} s CPU "
            f"({s['per_page_ms']} ms a page wall; load average {s['load_average']}; "
            f"spaCy import + blank alone {s['spacy_import_and_blank_s']} s)"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
