"""The claim drafter: finding sentences of cell pages → draft claims with verified quotes.

For every sentence of every entry annotation and commentary paragraph, `findings.read_sentence`
decides whether it states a finding. A finding becomes an evidence line quoting the sentence (found
in the page by the claims loader's own quote checker, so a draft never carries a quote that would
not verify), from the document it is about:
- in an annotation, the entry's document;
- in the commentary, a document the sentence names (its year, its title), or one it refers back to
  ("listed above", "this study", "another study") among those the section discusses, or the one
  the paragraph was last about, or the one the section discusses; failing all that, the listed
  document sharing most words with it, with a low confidence; and when none can be told, the
  cell's commentary itself (`commentary_key`), with a low confidence.
Findings of a cell that say the same (shared words, agreeing polarity; the same or related
documents) become one claim with several evidence lines; claims of different pages with the same
exposure and outcome concepts (thesaurus, by the tagger; words where a claim names none) are
related (consistent-with / contradicts). Findings whose quote a
curated evidence line already covers are not drafted again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ...base.ids import commentary_key, doc_key, listing_key, section_key, slugify
from ...base.records import (
    Cell,
    Claim,
    ClaimRelation,
    Concept,
    Discussion,
    Entry,
    EvidenceLine,
    Polarity,
    TextQuote,
)
from ...base.text import fold
from ..claims import QuoteLocator
from ..tagger import Matchers, matchers, tag_text
from .findings import STOP, Reading, read_sentence
from .lexicon import Lexicon, default_lexicon
from .nlp import sentences

TOOL_NAME = "evidence-graph draft"

GROUP_OVERLAP = 0.34
"""Share of content words (of the shorter finding) two findings of one document need to group."""
RELATED_OVERLAP = 0.25
"""The same for findings of two documents the page relates ("Related study below"), and for an
annotation's finding and a commentary sentence the drafter attributed to the same document."""
TERM_OVERLAP = 0.5
"""Share of exposure words and of outcome words two claims of different pages need to relate."""
COMMENTARY_WEIGHT = 0.3
"""Attribution weight of a finding evidenced from the cell's commentary (no document told)."""
MAX_RELATIONS = 5
MAX_CANDIDATES = 200
"""Claims sharing an outcome word looked at per claim (the first, in page order)."""

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_BACK_REFERENCE = re.compile(
    r"\b(?:(?:study|review|studies|analysis|trial|evaluation|article|report|paper|guidance)\s+"
    r"(?:listed|described|summari[sz]ed)\s+above|listed above|highlighted study|"
    r"(?:this|that|the same|the)\s+(?:\w+\s+){0,2}?(?:study|review|trial|evaluation|analysis|"
    r"research|authors|reviewers)|another\s+(?:\w+\s+){0,2}?(?:study|review|trial|evaluation))\b",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"^(?:but|and|yet|so|however|in contrast|instead|importantly|also|in turn|first|then)\b[,\s]*",
    re.IGNORECASE,
)
_GENERIC = frozenset({"study", "trial", "review", "evidence", "finding", "research", "find"})


def tool_version() -> str:
    """The drafting tool's version: the package's version."""
    from ... import __version__

    return str(__version__)


def tool_label() -> str:
    """ "evidence-graph draft <version>": who drafted a claim."""
    return f"{TOOL_NAME} {tool_version()}"


@dataclass(frozen=True)
class Attribution:
    """The document a finding is evidence from, and why: a listed entry's, or (entry None) the
    cell's commentary as a whole."""

    entry: Entry | None
    cue: str
    weight: float


@dataclass(frozen=True)
class Finding:
    """One finding sentence located in its page."""

    cell: Cell
    order: int
    quote: TextQuote
    reading: Reading
    attribution: Attribution
    section: str | None
    """Heading of the commentary section it is in; None in an annotation."""


@dataclass(frozen=True)
class DraftResult:
    """The drafted claims and what the drafter read to make them."""

    claims: tuple[Claim, ...]
    sentences: int
    findings: tuple[Finding, ...]
    """Every finding sentence read (covered ones included), in page order."""
    covered: int
    """Findings left out because a curated evidence line already quotes them."""
    unattributed: int
    """Commentary findings whose document could not be told: evidence from the cell's
    commentary, with a low confidence."""
    unverified: int = 0
    """Findings left out because their sentence could not be found verbatim in the page."""
    pages: tuple[str, ...] = field(default_factory=tuple)


# --- words -------------------------------------------------------------------------------------


def _content(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z'’-]+", fold(text).lower())
    return {w.rstrip("s") for w in words if w not in STOP and len(w) > 3}


def _overlap(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _entry_words(entry: Entry) -> set[str]:
    return _content(f"{entry.title} {entry.annotation}")


def _kind_matches(phrase: str, entry: Entry) -> bool:
    phrase = phrase.lower()
    if "review" in phrase or "reviewers" in phrase:
        return "R" in entry.kinds
    if "guidance" in phrase:
        return "G" in entry.kinds
    if any(w in phrase for w in ("study", "trial", "evaluation", "analysis")):
        return "S" in entry.kinds or "K" in entry.kinds
    return True


_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]+")
"""A capitalised word (a name's, or a sentence's first)."""
_ORGANISATION_WORDS = frozenset(
    """American Australian British English European Federal International National Royal
    Scottish Welsh World UK US USA Academy Administration Agency Association Board Care Centre
    Center College Collaboration Commission Council Department Excellence Foundation Government
    Health Institute Ministry Office Organisation Organization Public Service Services Society
    State Trust University Alcohol Drug Drugs Abuse Addiction Medicine Mental Clinical Research
    General Practitioners Physicians Psychiatrists Group Task Force""".split()
)
"""Words many organisations' names share: naming one of them names no particular publisher."""


def _own_names(publishers: Sequence[str]) -> frozenset[str]:
    """The capitalised words that tell each of `publishers` apart ("Cochrane" of "Cochrane
    Collaboration"; none of "National Institute on Drug Abuse")."""
    return frozenset(
        word
        for publisher in publishers
        for word in _CAPITALISED.findall(publisher)
        if word not in _ORGANISATION_WORDS and len(word) > 2
    )


# --- attribution -------------------------------------------------------------------------------


class _Attributor:
    """Tells which listed document a commentary sentence is about."""

    def __init__(self, cell: Cell, discussions: Sequence[Discussion]) -> None:
        self.cell = cell
        self.by_position = {e.position: e for e in cell.entries}
        keys = {listing_key(cell.matrix, cell.cell, e.position): e for e in cell.entries}
        self.discussed: dict[str, list[Entry]] = {}
        for link in discussions:
            entry = keys.get(link.listing)
            if entry is not None:
                self.discussed.setdefault(link.section, []).append(entry)
        self.words = {e.position: _entry_words(e) for e in cell.entries}
        self.titles = {e.position: _content(e.title) for e in cell.entries}
        self.publisher_names = {e.position: _own_names(e.publishers) for e in cell.entries}

    def _best(self, entries: Iterable[Entry], words: set[str]) -> Entry | None:
        ranked = sorted(
            entries, key=lambda e: (-_overlap(words, self.words[e.position]), e.position)
        )
        return ranked[0] if ranked else None

    def named(self, text: str, words: set[str], discussed: list[Entry]) -> Attribution | None:
        """A document the sentence names by year, title or back-reference."""
        entries = self.cell.entries
        for match in _YEAR.finditer(text):
            year = int(match.group(1))
            same = [e for e in entries if e.year == year]
            if same:
                best = self._best(same, words)
                if best is not None:
                    return Attribution(best, f"document: the passage names the year {year}", 0.95)
        for entry in entries:
            title = self.titles[entry.position]
            if len(title) >= 3 and len(title & words) / len(title) >= 0.7:
                return Attribution(entry, "document: the passage names its title", 0.95)
        # "the Cochrane review": a publisher's own name, of the one listing it fits
        capitalised = set(_CAPITALISED.findall(text))
        by_name = [
            (entry, name)
            for entry in entries
            for name in self.publisher_names[entry.position]
            if name in capitalised
        ]
        fitting = [(e, name) for e, name in by_name if _kind_matches(text, e)]
        if len({e.position for e, _ in fitting}) == 1:
            entry, name = fitting[0]
            return Attribution(entry, f"document: the passage names its publisher ({name})", 0.9)
        back = _BACK_REFERENCE.search(text)
        if back and discussed:
            phrase = " ".join(back.group(0).split())
            kind = [e for e in discussed if _kind_matches(phrase, e)] or discussed
            best = self._best(kind, words)
            if best is not None:
                return Attribution(
                    best, f"document: '{phrase}' refers to a document the section discusses", 0.85
                )
        return None

    def fallback(self, words: set[str], discussed: list[Entry]) -> Attribution | None:
        """The section's discussed document, else the listed one sharing most words."""
        if len(discussed) == 1:
            return Attribution(discussed[0], "document: the one the section discusses", 0.6)
        if discussed:
            best = self._best(discussed, words)
            if best is not None:
                return Attribution(
                    best, "document: of those the section discusses, most alike", 0.5
                )
        best = self._best(self.cell.entries, words)
        if best is not None and len(words & self.words[best.position]) >= 2:
            return Attribution(
                best, "document: not named; guessed from shared words (commentary)", 0.35
            )
        return None


# --- the drafter -------------------------------------------------------------------------------


@dataclass
class _Group:
    seed: Finding
    members: list[Finding]


def _passages(cell: Cell) -> list[tuple[Entry | None, str | None, str]]:
    """(entry, section heading, text) of each annotation and commentary paragraph."""
    found: list[tuple[Entry | None, str | None, str]] = [
        (e, None, e.annotation) for e in cell.entries if e.annotation.strip()
    ]
    for section in cell.sections:
        for paragraph in re.split(r"\n\s*\n", section.text):
            if paragraph.strip():
                found.append((None, section.heading, paragraph))
    return found


def _covered(quote: TextQuote, curated: dict[str, list[set[str] | str]]) -> bool:
    """Whether a curated evidence line of the same page already quotes (most of) this sentence."""
    folded = fold(quote.exact)
    words = _content(quote.exact)
    for item in curated.get(quote.source, []):
        if isinstance(item, str):
            if item in folded or folded in item:
                return True
        elif item and len(item & words) / len(item) >= 0.6:
            return True
    return False


def _curated_index(curated: Sequence[Claim]) -> dict[str, list[set[str] | str]]:
    index: dict[str, list[set[str] | str]] = {}
    for claim in curated:
        for line in claim.evidence:
            index.setdefault(line.quote.source, []).extend(
                [fold(line.quote.exact), _content(line.quote.exact)]
            )
    return index


def find_findings(
    cells: Sequence[Cell],
    discussions: Sequence[Discussion] = (),
    lexicon: Lexicon | None = None,
) -> tuple[list[Finding], int, int, int]:
    """Every finding sentence of `cells`, located and attributed; with the number of sentences
    read and of findings left out as unattributable or unverifiable."""
    lex = lexicon or default_lexicon()
    locator = QuoteLocator()
    plan: list[tuple[Cell, Entry | None, str | None, str]] = []
    for cell in cells:
        plan += [(cell, entry, heading, text) for entry, heading, text in _passages(cell)]
    findings: list[Finding] = []
    read = unattributed = unverified = 0
    attributors: dict[int, _Attributor] = {}
    current: Attribution | None = None
    where_now: tuple[int, str | None] | None = None
    for (cell, entry, heading, _text), sents in zip(
        plan, sentences(t for *_, t in plan), strict=True
    ):
        if where_now != (id(cell), heading) or entry is not None:
            current = None
        elif current is not None:
            current = Attribution(
                current.entry, "document: an earlier paragraph of the section was about it", 0.7
            )
        where_now = (id(cell), heading)
        attributor = attributors.get(id(cell))
        if attributor is None:
            attributor = attributors[id(cell)] = _Attributor(cell, discussions)
        discussed = (
            attributor.discussed.get(section_key(cell.matrix, cell.cell, heading), [])
            if heading is not None
            else []
        )
        for sentence in sents:
            read += 1
            words = _content(sentence.text)
            named = None if entry is not None else attributor.named(sentence.text, words, discussed)
            if named is not None:
                current = named
            reading = read_sentence(sentence, lex)
            if not reading.finding:
                continue
            if entry is not None:
                where = listing_key(cell.matrix, cell.cell, entry.position)
                attribution: Attribution | None = Attribution(
                    entry, f"document: the annotation of its listing ({where})", 1.0
                )
            elif named is not None:
                attribution = named
            elif current is not None:
                attribution = (
                    current
                    if current.weight < 0.75
                    else Attribution(
                        current.entry, "document: the paragraph was last about it", 0.75
                    )
                )
            else:
                attribution = attributor.fallback(words, discussed)
            if attribution is None:
                unattributed += 1
                attribution = Attribution(
                    None,
                    "document: none can be told; evidence from the cell's commentary",
                    COMMENTARY_WEIGHT,
                )
            quote = locator.locate(cell, sentence.text)
            if quote is None:
                unverified += 1
                continue
            findings.append(Finding(cell, len(findings), quote, reading, attribution, heading))
    return findings, read, unattributed, unverified


def _compatible(a: Reading, b: Reading) -> bool:
    if a.polarity == b.polarity:
        return True
    return "mixed" in (a.polarity, b.polarity) and "null" not in (a.polarity, b.polarity)


def _related_entries(cell: Cell) -> dict[int, set[int]]:
    related: dict[int, set[int]] = {}
    for entry in cell.entries:
        for ref in entry.refs:
            related.setdefault(entry.position, set()).add(ref.target)
            related.setdefault(ref.target, set()).add(entry.position)
    return related


def _content_of(finding: Finding) -> frozenset[str]:
    return frozenset(w for w in finding.reading.content if w not in _GENERIC)


def _group(findings: Sequence[Finding]) -> list[_Group]:
    """Findings of one cell grouped: each joins the first group whose seed says the same."""
    if not findings:
        return []
    related = _related_entries(findings[0].cell)
    ranked = sorted(findings, key=lambda f: (-_confidence_of(f), f.order))
    groups: list[_Group] = []
    for finding in ranked:
        for group in groups:
            seed = group.seed
            if not _compatible(seed.reading, finding.reading):
                continue
            a, b = _position(seed), _position(finding)
            overlap = _overlap(_content_of(seed), _content_of(finding))
            across = (seed.section is None) != (finding.section is None)
            if (a == b and overlap >= (RELATED_OVERLAP if across else GROUP_OVERLAP)) or (
                b in related.get(a, set()) and overlap >= RELATED_OVERLAP
            ):
                group.members.append(finding)
                break
        else:
            groups.append(_Group(finding, [finding]))
    groups.sort(key=lambda g: min(f.order for f in g.members))
    return groups


def _position(finding: Finding) -> int:
    """The position of the finding's document's entry; 0 for the cell's commentary."""
    entry = finding.attribution.entry
    return entry.position if entry is not None else 0


def _confidence_of(finding: Finding) -> float:
    base = min(0.9, 0.35 + 0.08 * finding.reading.score)
    if finding.reading.hedged:
        base -= 0.1
    return max(0.05, base * finding.attribution.weight)


def _statement(text: str) -> str:
    text = " ".join(fold(text).split())
    text = _LEADING.sub("", text).strip()
    return text[:1].upper() + text[1:] if text else text


def _claim_id(cell: Cell, group: _Group, used: set[str]) -> str:
    reading = group.seed.reading
    words = [
        w for w in re.findall(r"[a-z]+", fold(f"{reading.exposure} {reading.outcome}").lower())
    ]
    words = [w for w in words if w not in STOP][:6] or ["finding"]
    base = slugify(f"{cell.matrix}-{cell.cell}-{' '.join(words)}")
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _polarity_opposes(a: Polarity | None, b: Polarity | None) -> bool:
    if a is None or b is None or "mixed" in (a, b):
        return False
    return a != b


def draft(
    cells: Sequence[Cell],
    *,
    curated: Sequence[Claim] = (),
    concepts: Sequence[Concept] = (),
    discussions: Sequence[Discussion] = (),
    lexicon: Lexicon | None = None,
) -> DraftResult:
    """Draft claims from the finding sentences of `cells` (see the module doc)."""
    findings, read, unattributed, unverified = find_findings(cells, discussions, lexicon)
    covered_index = _curated_index(curated)
    fresh = [f for f in findings if not _covered(f.quote, covered_index)]
    covered = len(findings) - len(fresh)
    compiled = matchers(concepts)
    label = tool_label()
    used: set[str] = {c.id for c in curated}
    claims: list[Claim] = []
    by_cell: dict[int, list[Finding]] = {}
    for finding in fresh:
        by_cell.setdefault(id(finding.cell), []).append(finding)
    for cell in cells:
        for group in _group(by_cell.get(id(cell), [])):
            claims.append(_claim(cell, group, compiled, label, used))
    claims = _relate(claims, compiled)
    return DraftResult(
        claims=tuple(claims),
        sentences=read,
        findings=tuple(findings),
        covered=covered,
        unattributed=unattributed,
        unverified=unverified,
        pages=tuple(c.source for c in cells),
    )


def _claim(
    cell: Cell,
    group: _Group,
    compiled: Matchers,
    label: str,
    used: set[str],
) -> Claim:
    seed = group.seed
    reading = seed.reading
    members = sorted(group.members, key=lambda f: f.order)
    evidence: list[EvidenceLine] = []
    seen: set[tuple[str, str]] = set()
    for member in members:
        entry = member.attribution.entry
        document = (
            doc_key(entry.title, entry.year)
            if entry is not None
            else commentary_key(cell.matrix, cell.cell)
        )
        if (document, member.quote.exact) in seen:
            continue
        seen.add((document, member.quote.exact))
        evidence.append(
            EvidenceLine(
                document=document,
                direction="supports",
                quote=member.quote,
                note=f"drafted; {member.attribution.cue}",
            )
        )
    moderators = tuple(dict.fromkeys(m for f in members for m in f.reading.moderators))
    population = next((f.reading.population for f in members if f.reading.population), None)
    statement = _statement(seed.quote.exact)
    # Empty rather than invented: a term the sentence does not state stays "" (drafts only).
    exposure = next((f.reading.exposure for f in members if f.reading.exposure), "")
    outcome = next((f.reading.outcome for f in members if f.reading.outcome), "")
    topics = tag_text(". ".join([statement, exposure, outcome, *moderators]), compiled)
    confidence = _confidence_of(seed) + min(0.1, 0.05 * (len(evidence) - 1))
    cues = [*reading.cues, seed.attribution.cue]
    if len(evidence) > 1:
        cues.append(f"grouped: {len(evidence)} sentences state the same finding")
    shape = reading.shape
    return Claim(
        id=_claim_id(cell, group, used),
        statement=statement,
        exposure=exposure,
        outcome=outcome,
        effect_shape=shape,
        source=cell.source,
        line=seed.quote.line,
        moderators=moderators,
        population=population,
        topics=tuple(sorted(k.removeprefix("concept/") for k in topics)),
        evidence=tuple(evidence),
        status="draft",
        drafted_by=label,
        confidence=round(min(0.95, confidence), 2),
        cues=tuple(dict.fromkeys(cues)),
        polarity=reading.polarity,
    )


def _sides(claim: Claim, compiled: Matchers) -> tuple[frozenset[str], frozenset[str], bool]:
    """(exposure terms, outcome terms, whether they are concepts) of a claim.

    Concepts of the thesaurus (by the tagger) where the claim's exposure and outcome name some:
    the exposure's concepts, and the outcome's (else those the statement names beyond the
    exposure's); the content words of each side when either has none."""
    exposure = frozenset(tag_text(claim.exposure, compiled)) if claim.exposure else frozenset()
    outcome = frozenset(tag_text(claim.outcome, compiled)) if claim.outcome else frozenset()
    if exposure and not outcome:
        outcome = frozenset(tag_text(claim.statement, compiled)) - exposure
    if exposure and outcome:
        return exposure, outcome, True
    return frozenset(_content(claim.exposure)), frozenset(_content(claim.outcome)), False


def _relate(claims: list[Claim], compiled: Matchers) -> list[Claim]:
    """Relate claims of different pages about the same exposure and outcome: the same thesaurus
    concepts (one shared on each side) where both claims have them, else the same words
    (`TERM_OVERLAP` of each side); consistent-with when their polarities agree, contradicts when
    they oppose, related otherwise."""
    terms = [_sides(c, compiled) for c in claims]
    by_term: dict[tuple[bool, str], list[int]] = {}
    for i, (_exposure, outcome, concepts) in enumerate(terms):
        for term in outcome:
            by_term.setdefault((concepts, term), []).append(i)
    relations: dict[str, list[ClaimRelation]] = {c.id: [] for c in claims}
    for i, a in enumerate(claims):
        exposure_a, outcome_a, concepts_a = terms[i]
        candidates = sorted(
            {j for t in outcome_a for j in by_term.get((concepts_a, t), ()) if j > i}
        )
        for j in candidates[:MAX_CANDIDATES]:
            if len(relations[a.id]) >= MAX_RELATIONS:
                break
            b = claims[j]
            if a.source == b.source:
                continue
            exposure_b, outcome_b, _ = terms[j]
            if concepts_a:
                if not (exposure_a & exposure_b and outcome_a & outcome_b):
                    continue
            elif (
                _overlap(exposure_a, exposure_b) < TERM_OVERLAP
                or _overlap(outcome_a, outcome_b) < TERM_OVERLAP
            ):
                continue
            if a.polarity == b.polarity:
                kind = "consistent-with"
            elif _polarity_opposes(a.polarity, b.polarity):
                kind = "contradicts"
            else:
                kind = "related"
            relations[a.id].append(ClaimRelation(kind, b.id))  # type: ignore[arg-type]
    return [replace(c, relations=tuple(relations[c.id])) if relations[c.id] else c for c in claims]
