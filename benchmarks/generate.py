"""Write a synthetic corpus of matrix cell pages (and matching claims) in the real page format.

The pages copy the structure of `data/cells/drug/B4.txt`: title line, site navigation noise,
summary, legend, entries with S/K/R/G markers and every date-part form, positional and
cross-cell references, discussion pointers and mentioned documents, then a Matrix Bite with
the standard and free-form sections. Matrices are "Synthetic1" … "SyntheticK", 25 cells each,
filled A1, A2, … E5 in order.

Everything is a pure function of the seed and the cell's position, so a corpus of N cells is the
first N cells of any larger corpus with the same seed, and two runs write byte-identical files.

    python benchmarks/generate.py --cells 1000 --out /tmp/corpus-1000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MATRICES_YAML = ROOT / "data" / "matrices.yaml"

LEVELS = {
    "A": "Interventions",
    "B": "Practitioners",
    "C": "Management/supervision",
    "D": "Organisational functioning",
    "E": "Treatment systems",
}
TYPES = {
    "1": "Reducing harm",
    "2": "Generic and cross-cutting issues",
    "3": "Medical treatment",
    "4": "Psychosocial therapies",
    "5": "Safeguarding the community",
}
CELLS = [f"{level}{kind}" for level in LEVELS for kind in TYPES]
MAX_ENTRIES = 16

# Vocabulary for titles: 40 × 40 × 48 = 76,800 distinct titles, enough for 5,000 cells × 15 entries.
SUBJECTS = [
    "Counsellor warmth",
    "Therapist empathy",
    "Clinic rules",
    "Keyworker continuity",
    "Peer mentoring",
    "Supervisor feedback",
    "Staff training",
    "Case management",
    "Motivational interviewing",
    "Contingency management",
    "Group therapy",
    "Family involvement",
    "Prescriber attitudes",
    "Outreach contact",
    "Needle exchange",
    "Naloxone supply",
    "Recovery coaching",
    "Brief advice",
    "Screening in primary care",
    "Residential rehabilitation",
    "Aftercare planning",
    "Mutual aid referral",
    "Staff burnout",
    "Clinical audit",
    "Service commissioning",
    "Waiting-list management",
    "Telephone follow-up",
    "Digital support",
    "Housing support",
    "Employment support",
    "Criminal justice diversion",
    "Drug courts",
    "Prison throughcare",
    "Opioid substitution",
    "Detoxification support",
    "Relapse prevention",
    "Therapeutic alliance",
    "Client choice",
    "Manual adherence",
    "Organisational climate",
]
EFFECTS = [
    "predicts retention",
    "improves outcomes",
    "matters less than expected",
    "shapes engagement",
    "reduces relapse",
    "lowers drop-out",
    "raises satisfaction",
    "helps only some clients",
    "works best in moderation",
    "fails to transfer",
    "cuts overdose deaths",
    "doubles attendance",
    "changes little",
    "speeds recovery",
    "protects the community",
    "saves money",
    "strengthens motivation",
    "builds trust",
    "eases transitions",
    "supports abstinence",
    "reduces harm",
    "has hidden costs",
    "needs skilled staff",
    "depends on context",
    "outlasts the programme",
    "spreads slowly",
    "is undermined by turnover",
    "is rarely measured",
    "beats usual care",
    "rivals medication",
    "suits newcomers",
    "suits returning patients",
    "follows an inverted U",
    "shows a threshold",
    "varies by therapist",
    "varies by site",
    "survives replication",
    "needs follow-up",
    "is cost-effective",
    "is often overlooked",
]
SETTINGS = [
    "in outpatient services",
    "in methadone clinics",
    "in primary care",
    "in prisons",
    "in residential units",
    "in community teams",
    "in youth services",
    "in hospital wards",
    "for women in treatment",
    "for homeless clients",
    "for older drinkers",
    "for young adults",
    "for cocaine users",
    "for opioid users",
    "for heavy drinkers",
    "for cannabis users",
    "across Europe",
    "across the USA",
    "across England",
    "across Scotland",
    "in Australia",
    "in Canada",
    "in rural areas",
    "in city centres",
    "after detoxification",
    "during pregnancy",
    "after prison release",
    "under supervision",
    "in mutual aid",
    "in family settings",
    "in the workplace",
    "in emergency departments",
    "in pharmacies",
    "in mental health services",
    "in student populations",
    "among veterans",
    "among injecting users",
    "among dual-diagnosis patients",
    "in low-threshold services",
    "in specialist units",
    "in general practice",
    "in probation services",
    "in online care",
    "in group settings",
    "in one-to-one work",
    "in long-term care",
    "in crisis services",
    "in national surveys",
]
PUBLISHERS = [
    ("US", "Substance Abuse and Mental Health Services Administration"),
    ("UK", "National Institute for Health and Care Excellence"),
    ("English", "National Treatment Agency for Substance Misuse"),
    ("UK", "Royal College of Psychiatrists"),
    ("Scottish", "Scottish Government"),
    ("Australian", "National Centre for Education and Training on Addiction"),
    (None, "American Psychological Association"),
    (None, "World Health Organization"),
    (None, "European Monitoring Centre for Drugs and Drug Addiction"),
    (None, "Public Health England"),
]
FILLER = [
    "The analysis followed patients for a year after they entered treatment.",
    "Researchers compared services which differed mainly in how staff related to clients.",
    "Findings were consistent across the sites studied, though samples were small.",
    "The authors caution that the association may not be causal.",
    "Outcomes were assessed by interviewers unaware of which service the patient attended.",
    "Most clients were referred by criminal justice or primary care services.",
    "Effects were strongest among patients with the most severe problems.",
    "Staff who felt supported by their managers stayed longer and achieved more.",
    "A later follow-up found the advantage had narrowed but not disappeared.",
    "The report draws on interviews with both clients and practitioners.",
    "Costs were modest relative to the savings from fewer hospital admissions.",
    "Not all the differences reached statistical significance.",
]
HEADING_STARTS = [
    "Is it just a matter of",
    "Why does",
    "Can services afford",
    "What happens when",
    "Should we worry about",
    "Does it matter who delivers",
    "How far can we trust",
    "Is there a limit to",
]
NAV_NOISE = """Funded by

Society for the Study of Addiction web site

Society for the Study of Addiction



Developed with

Skills Consortium web site. Opens new window

Alcohol Treatment Matrix

Effectiveness Bank Alcohol Treatment Matrix

Includes brief interventions

Drug Treatment Matrix

Effectiveness Bank Drug Treatment Matrix

Includes harm reduction

About the matrices

Effectiveness Bank matrices

Articles, slides, and video


Comment/query


Effectiveness bank home page. Opens new window Matrix cell"""
LEGEND = (
    "S Seminal studiesK Key studiesR ReviewsG Guidancemore Search for more studies\n\n"
    "Links to other documents. Hover over for notes. Click to highlight passage referred to. "
    "Unfold extra text Unfold supplementary text"
)
BITE_OPEN = (
    "Matrix Bite Open Matrix Bite guide to this cell Open Matrix Bite guide and commentary. "
    "First ‘bites’ funded by Society for the Study of Addiction web site. Opens new window\n\n"
    "Close Matrix Bite guide and commentary Close Matrix Bite Close Matrix Bite guide and "
    "commentary\n\n\n"
    "Links to other documents. Hover over for notes. Click to highlight passage referred to. "
    "Unfold extra text Unfold supplementary text"
)
BITE_CLOSE = (
    "Close Matrix Bite guide and commentary Close Matrix Bite "
    "Close Matrix Bite guide and commentary"
)


@dataclass(frozen=True)
class Doc:
    """A synthetic document: every field is a function of its number."""

    number: int
    kind: str
    title: str
    year: int
    publisher: tuple[str | None, str] | None
    free_source: bool


@dataclass(frozen=True)
class Page:
    """One generated cell page and the quotes a claims file may cite from it."""

    matrix: str
    cell: str
    path: str
    text: str
    quotes: tuple[tuple[str, str], ...]
    """(document title, sentence) pairs: sentences that occur verbatim in an entry's annotation."""
    years: tuple[int, ...]


def _rng(seed: int, *parts: object) -> random.Random:
    digest = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _title(number: int) -> str:
    size = len(SUBJECTS) * len(EFFECTS) * len(SETTINGS)
    # A multiplier coprime with `size` scatters consecutive numbers over the vocabulary.
    index = (number * 7919 + 104729) % size
    subject = SUBJECTS[index % len(SUBJECTS)]
    index //= len(SUBJECTS)
    effect = EFFECTS[index % len(EFFECTS)]
    index //= len(EFFECTS)
    return f"{subject} {effect} {SETTINGS[index % len(SETTINGS)]}"


def document(seed: int, number: int) -> Doc:
    """The document numbered `number`; the same number gives the same document in every cell."""
    rng = _rng(seed, "doc", number)
    kind = rng.choices("SKRG", weights=(2, 5, 3, 2))[0]
    year = rng.randint(1957, 2023)
    publisher = None
    if kind in "RG" and rng.random() < 0.6:
        publisher = PUBLISHERS[rng.randrange(len(PUBLISHERS))]
    return Doc(number, kind, _title(number), year, publisher, rng.random() < 0.15)


def entry_count(seed: int, index: int) -> int:
    return _rng(seed, "count", index).randint(10, MAX_ENTRIES)


def matrix_name(index: int) -> str:
    """Matrix of the cell at corpus position `index`: 25 cells per matrix."""
    return f"Synthetic{index // len(CELLS) + 1}"


def _date_part(doc: Doc) -> str:
    if doc.publisher is not None:
        jurisdiction, name = doc.publisher
        prefix = f"[{jurisdiction}] " if jurisdiction else ""
        return f"({prefix}{name}, {doc.year})"
    if doc.free_source:
        return f"({doc.year}; free source at time of writing)"
    return f"({doc.year})"


def _entry_docs(seed: int, index: int) -> list[Doc]:
    rng = _rng(seed, "entries", index)
    unique: dict[int, Doc] = {}
    for position in range(entry_count(seed, index)):
        number = index * MAX_ENTRIES + position
        # About one entry in twelve lists a document already listed in an earlier cell.
        if index > 0 and rng.random() < 0.08:
            earlier = rng.randrange(max(0, index - 25), index)
            shared = earlier * MAX_ENTRIES + rng.randrange(entry_count(seed, earlier))
            number = number if shared in unique else shared
        unique[number] = document(seed, number)
    order = {"S": 0, "K": 1, "R": 2, "G": 3}
    return sorted(unique.values(), key=lambda d: (order[d.kind], d.number))


def _other_cell(rng: random.Random, own: str) -> str:
    return rng.choice([c for c in CELLS if c != own])


def render(seed: int, index: int, total: int) -> Page:
    """The page of the cell at corpus position `index` (of `total` cells)."""
    rng = _rng(seed, "page", index)
    matrix = matrix_name(index)
    cell = CELLS[index % len(CELLS)]
    level, kind = LEVELS[cell[0]], TYPES[cell[1]]
    matrices = (total + len(CELLS) - 1) // len(CELLS)
    docs = _entry_docs(seed, index)
    heads = [
        f"{rng.choice(HEADING_STARTS)} {docs[i].title.split(' ', 2)[0].lower()} "
        f"{docs[i].title.split(' ', 2)[1]}?"
        for i in range(rng.randint(1, 3))
    ]
    heads = list(dict.fromkeys(heads))
    entries: list[str] = []
    quotes: list[tuple[str, str]] = []
    for position, doc in enumerate(docs):
        marker = "S G" if doc.kind == "S" and doc.number % 11 == 0 else doc.kind
        filler = rng.choice(FILLER)
        finding = (
            f"{' '.join(doc.title.split(' ', 2)[:2])} was studied with "
            f"{rng.randint(40, 4000)} participants and {filler[0].lower()}{filler[1:]}"
        )
        parts = [finding, rng.choice(FILLER)]
        quotes.append((doc.title, finding))
        nxt = docs[position + 1] if position + 1 < len(docs) else None
        prev = docs[position - 1] if position > 0 else None
        if nxt is not None and nxt.kind == doc.kind and position % 4 == 0:
            parts.append({"R": "(related review below)"}.get(doc.kind, "Related study below."))
        elif prev is not None and prev.kind == doc.kind and position % 4 == 1:
            parts.append("Related study above.")
        elif nxt is not None and nxt.kind in "SK" and doc.kind == "K" and position % 7 == 3:
            parts.append("Trio of studies reported together. One of the three was the study below.")
        roll = rng.random()
        if roll < 0.15:
            parts.append(f"For more on the setting see cell {_other_cell(rng, cell)}.")
        elif roll < 0.25 and matrices > 1:
            other = rng.randrange(1, matrices + 1)
            parts.append(
                f"A similar finding is discussed in cell {_other_cell(rng, cell)} of the "
                f"Synthetic{other} Treatment Matrix."
            )
        roll = rng.random()
        if roll < 0.2:
            parts.append(f"Still valuable is an earlier version ({doc.year - rng.randint(1, 6)}).")
        elif roll < 0.3:
            parts.append("See also commentaries (1 2) on this work.")
        if position < len(heads):
            parts.append("For discussion click and scroll down to highlighted heading.")
        entries.append(f"{marker} {doc.title} {_date_part(doc)}. {' '.join(parts)}")

    summary = (
        f"Seminal and key studies on {level.lower()} in {kind.lower()}. Synthetic page {index + 1} "
        f"of a generated benchmark corpus; it follows the layout of the Effectiveness Bank pages."
    )
    sections = [
        f"What is this cell about? This cell is about {level.lower()} and "
        f"{kind.lower()}; see cell {_other_cell(rng, cell)} for the wider context. "
        f"{rng.choice(FILLER)}\n\n{rng.choice(FILLER)} {rng.choice(FILLER)}",
        f"Where should I start? With the review listed above, {docs[-1].title.lower()}. "
        f"{rng.choice(FILLER)}",
        f"Highlighted study Our highlighted study listed above, “{docs[0].title}”, "
        f"is the place to begin. {rng.choice(FILLER)}\n\n{rng.choice(FILLER)}",
    ]
    for number, heading in enumerate(heads):
        doc = docs[number]
        sections.append(
            f"{heading} The study listed above on {doc.title.lower()} suggests an answer. "
            f"{rng.choice(FILLER)} Compare the findings highlighted in cell "
            f"{_other_cell(rng, cell)}.\n\n{rng.choice(FILLER)}"
        )
    text = (
        f"{matrix} Treatment Matrix cell {cell}: {level}; {kind}\n\n{NAV_NOISE}\n\n"
        f"{matrix} Treatment Matrix cell {cell} Matrix cell logo\n\n{level}; {kind}\n\n"
        f"{summary}\n\n\n{LEGEND}\n\n"
        + "\n\n".join(entries)
        + "\n\nmore Search for all relevant Effectiveness Bank analyses or for sub-topics go to "
        "the subject search page.\n\n"
        + BITE_OPEN
        + "\n\n"
        + "\n\n\n".join(sections)
        + f"\n\n{BITE_CLOSE}\n"
    )
    return Page(
        matrix=matrix.lower(),
        cell=cell,
        path=f"cells/{matrix.lower()}/{cell}.txt",
        text=text,
        quotes=tuple(quotes),
        years=tuple(d.year for d in docs),
    )


def _claims_yaml(pages: Sequence[Page], data: str) -> str:
    """One claims file per matrix (see the README `claims` section for the schema)."""
    claims = []
    for page in pages:
        title, sentence = page.quotes[0]
        year = page.years[0]
        claims.append(
            {
                "id": f"{page.matrix}-{page.cell.lower()}-first",
                "statement": f"{title} ({page.matrix} {page.cell}).",
                "exposure": title.split(" ", 2)[0].lower() + " " + title.split(" ", 2)[1],
                "outcome": "treatment outcomes",
                "effect_shape": "linear-positive",
                "evidence": [
                    {
                        "document": {"title": title, "year": year},
                        "direction": "supports",
                        "cell": f"{page.matrix}/{page.cell}",
                        "quote": sentence,
                    }
                ],
            }
        )
    return yaml.safe_dump({"claims": claims}, sort_keys=False, allow_unicode=True, width=100)


def generate(out: Path, cells: int, seed: int = 7, claims: bool = True) -> list[Page]:
    """Write `cells` synthetic pages (and claims, matrices.yaml) under `out`; return the pages."""
    if out.exists():
        shutil.rmtree(out)
    pages = [render(seed, index, cells) for index in range(cells)]
    for page in pages:
        path = out / page.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.text, encoding="utf-8")
    _write_vocabularies(out, cells)
    if claims:
        by_matrix: dict[str, list[Page]] = {}
        for page in pages:
            by_matrix.setdefault(page.matrix, []).append(page)
        for matrix, group in sorted(by_matrix.items()):
            (out / "claims" / f"{matrix}.yaml").write_text(
                _claims_yaml(group, str(out)), encoding="utf-8"
            )
    return pages


SEED_PAGES = ("B3", "B4")
"""The real cell pages (``data/cells/drug/``) a `from_seeds` corpus copies."""

_SEED_TITLE = re.compile(r"^(?:Drug|Alcohol) Treatment Matrix cell [A-E][1-5]\b.*$", re.MULTILINE)


def from_seeds(out: Path, cells: int) -> list[Path]:
    """Write `cells` pages whose text is the real pages' full text, retitled to distinct cells.

    Page i is seed page i mod 2 with its title lines renamed to cell i of the Synthetic
    matrices, so the build does real-text work (tagging, discussion linking) at any size.
    """
    if out.exists():
        shutil.rmtree(out)
    texts = [
        (ROOT / "data" / "cells" / "drug" / f"{name}.txt").read_text(encoding="utf-8")
        for name in SEED_PAGES
    ]
    written: list[Path] = []
    for index in range(cells):
        matrix = matrix_name(index)
        cell = CELLS[index % len(CELLS)]
        text = _retitle(texts[index % len(texts)], matrix, cell)
        path = out / "cells" / matrix.lower() / f"{cell}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    _write_vocabularies(out, cells)
    return written


def _retitle(text: str, matrix: str, cell: str) -> str:
    """`text` with its title lines naming `cell` of `matrix` (and that cell's labels)."""
    labels = f"{LEVELS[cell[0]]}; {TYPES[cell[1]]}"

    def title(match: re.Match[str]) -> str:
        rest = " Matrix cell logo" if match.group(0).endswith("logo") else f": {labels}"
        return f"{matrix} Treatment Matrix cell {cell}{rest}"

    return _SEED_TITLE.sub(title, text)


def _write_vocabularies(out: Path, cells: int) -> None:
    """matrices.yaml with the Synthetic matrices, and the project's concept scheme."""
    matrices = yaml.safe_load(MATRICES_YAML.read_text(encoding="utf-8"))
    for number in range(1, (cells + len(CELLS) - 1) // len(CELLS) + 1):
        matrices["matrices"][f"synthetic{number}"] = {
            "title": f"Synthetic{number} Treatment Matrix",
            "types": dict(TYPES),
        }
    (out / "matrices.yaml").write_text(
        yaml.safe_dump(matrices, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    concepts = ROOT / "data" / "concepts.ttl"
    if concepts.is_file():
        shutil.copyfile(concepts, out / "concepts.ttl")
    (out / "claims").mkdir(exist_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cells", type=int, default=100, help="number of cell pages (10-5000)")
    parser.add_argument("--out", type=Path, required=True, help="data directory to (re)create")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-claims", action="store_true", help="write cell pages only")
    parser.add_argument(
        "--from-seeds", action="store_true", help="copy the real pages' text (retitled) instead"
    )
    args = parser.parse_args(argv)
    if args.from_seeds:
        paths = from_seeds(args.out, args.cells)
        size = sum(p.stat().st_size for p in paths)
        print(f"wrote {len(paths)} cells ({size / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
        return 0
    pages = generate(args.out, args.cells, args.seed, claims=not args.no_claims)
    size = sum(len(p.text.encode()) for p in pages)
    print(f"wrote {len(pages)} cells ({size / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
