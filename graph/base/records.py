"""Records passed between stages: plain frozen dataclasses, no RDF.

Parsing produces `Cell`s; curation produces `Claim`s; the RDF module (`rdf/make.py`) is the only
place that turns records into triples. Line numbers are 1-based lines of the source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MarkerKind = Literal["S", "K", "R", "G"]
"""Entry markers: seminal study, key study, review, guidance."""

PageKind = Literal["cell page", "catalogue record", "teaser"]
"""What a page is: a full matrix cell page (entries and commentary), a library catalogue record
about a cell (identity and commentary sections, no entries), or a short announcement of a cell
(identity and summary only)."""

EntryRelation = Literal["related", "includes", "part-of"]
"""How an entry's annotation points at another entry of the same cell.

- ``related``: "Related study below/above", "(related review below)" → symmetric relatedness;
- ``includes``: "Trio of studies… One of the three was the study below" → this entry includes
  the target;
- ``part-of``: "One of three studies featured in entry above", "One of the (see above) … task force
  reviews" → the target includes this entry.
"""


@dataclass(frozen=True)
class Problem:
    """Something the parser could not read, with where it was."""

    line: int
    message: str


@dataclass(frozen=True)
class CellRef:
    """A reference to a matrix cell ("see cell A4", "cell B3 of the Alcohol Treatment Matrix")."""

    matrix: str
    """Matrix key of the referenced cell: the referring page's own unless another is named."""
    cell: str
    """Cell id, e.g. "B2"."""
    line: int
    passage: str
    """The sentence that makes the reference, as on the page."""


@dataclass(frozen=True)
class EntryRef:
    """A positional reference from one entry's annotation to another entry of the same cell."""

    relation: EntryRelation
    target: int
    """1-based position of the entry pointed at."""
    phrase: str
    """The words that make the reference ("Related study below.")."""


@dataclass(frozen=True)
class AmbiguousRef:
    """A positional reference whose target the parser could not choose: kept with its candidates."""

    relation: EntryRelation
    phrase: str
    candidates: tuple[int, ...]
    """1-based positions of the entries it may point at (empty when none fits)."""
    line: int


@dataclass(frozen=True)
class RefCounts:
    """How a page's positional references ("related review below") were read."""

    resolved: int = 0
    """References resolved to the entries they point at."""
    ambiguous: int = 0
    """References kept with several candidate targets (each also a problem)."""
    unresolved: int = 0
    """References understood but pointing at no entry of the page (each also a problem)."""
    not_understood: int = 0
    """"above"/"below" used as a pointer in a way the parser does not read (each also a problem)."""


@dataclass(frozen=True)
class Mention:
    """A document an annotation mentions without listing it ("an earlier version (2011)")."""

    description: str
    """The words naming it, e.g. "an earlier version", "commentaries"."""
    year: int | None
    line: int
    free_source: bool = False


@dataclass(frozen=True)
class Entry:
    """One listed document of a cell: marker(s), title, date part, annotation."""

    position: int
    """1-based position among the cell's entries, in page order."""
    line: int
    kinds: tuple[MarkerKind, ...]
    title: str
    year: int | None
    publisher: str | None
    """The organisation part of the date part, as printed ("Royal College of … and …")."""
    publishers: tuple[str, ...]
    """`publisher` split into single organisations."""
    jurisdiction: str | None
    """From a bracketed prefix of the date part: "[US] SAMHSA" → "US"."""
    free_source: bool
    annotation: str
    """The text after the date part."""
    text: str
    """The whole entry as on the page, marker included."""
    refs: tuple[EntryRef, ...] = ()
    discussion_pointers: int = 0
    """Discussion links in the annotation: 0, 1 ("For discussion click…"), 2 ("here and here")."""
    cell_refs: tuple[CellRef, ...] = ()
    mentions: tuple[Mention, ...] = ()
    complete: bool = True
    """False when the page was cut off inside this entry."""
    ambiguous_refs: tuple[AmbiguousRef, ...] = ()
    """Positional references with more than one possible target (not in `refs`)."""


@dataclass(frozen=True)
class Section:
    """One section of a cell's Matrix Bite commentary."""

    heading: str
    text: str
    """The section's paragraphs (heading excluded), separated by blank lines."""
    line: int
    """Line of the heading."""
    cell_refs: tuple[CellRef, ...] = ()
    paragraph_lines: tuple[int, ...] = ()
    """Line of each paragraph of `text`, in order, so a passage can be traced back to its line."""
    asides: tuple[str, ...] = ()
    """Picture captions, pull quotes and dividers inside the section, kept out of `text`."""
    aside_lines: tuple[int, ...] = ()
    """Line of each of `asides`."""
    end_line: int = 0
    """Last line of the section (its asides included); 0 when unknown."""
    complete: bool = True
    """False when the page was cut off inside this section's last sentence."""


@dataclass(frozen=True)
class Cell:
    """One parsed matrix cell page."""

    source: str
    """Path of the page as given to the parser."""
    matrix: str
    """Matrix key: "drug", "alcohol", or the lowercased first word of another matrix name."""
    cell: str
    """Cell id, e.g. "B4"."""
    level: str
    """Intervention level letter, "A"–"E"."""
    type: str
    """Intervention type number as a string, "1"–"5"."""
    title: str
    """The page's title line."""
    level_label: str | None = None
    type_label: str | None = None
    summary: str = ""
    summary_line: int = 0
    """Line of the summary paragraph; 0 when the page has none."""
    entries: tuple[Entry, ...] = ()
    sections: tuple[Section, ...] = ()
    cell_refs: tuple[CellRef, ...] = ()
    """Every cross-cell reference on the page (entries and commentary), in line order."""
    problems: tuple[Problem, ...] = ()
    sha256: str = ""
    """SHA-256 of the file's bytes, hex."""
    lines: tuple[str, ...] = field(default=(), repr=False, compare=False)
    """The decoded page text, split into lines (for tracing passages back to their line)."""
    kind: PageKind = "cell page"
    labels_from: Literal["page", "matrices", "none"] = "page"
    """Where `level_label`/`type_label` came from: the page text, or the matrix definitions."""
    positional_refs: RefCounts = RefCounts()
    """How the entries' positional references were read."""


# --- Curation: claims, evidence lines, discussion links, topics --------------------------------
#
# Nodes are named by their identifier key (see `graph/ids.py`): the part of the IRI after
# ``https://w3id.org/evidence-graph/id/``, e.g. "listing/drug/B4/3" or "doc/2009-can-therapists-…".

Direction = Literal["supports", "challenges", "inconclusive"]
ClaimStatus = Literal["curated", "draft"]
"""``curated``: a person wrote or accepted the claim; ``draft``: proposed by the claim drafter."""
Polarity = Literal["positive", "negative", "null", "mixed"]
"""Which way a finding points: better/more, worse/less, no relation, or both (inverted U, …)."""
ClaimRelationKind = Literal["consistent-with", "contradicts", "related"]
LinkMethod = Literal["auto", "curated"]


@dataclass(frozen=True)
class TextQuote:
    """A verbatim passage located in a source file (W3C Web Annotation TextQuoteSelector)."""

    exact: str
    """The quote exactly as it occurs in the source text."""
    prefix: str
    suffix: str
    source: str
    """Path of the source file, as given to the build."""
    line: int
    quoted_from: str
    """Key of the listing or section the passage lies in."""


@dataclass(frozen=True)
class EvidenceLine:
    """One document's support for, or challenge to, a claim, resting on a quote."""

    document: str
    """Key of the document ("doc/2009-can-therapists-be-too-accommodating")."""
    direction: Direction
    quote: TextQuote
    note: str = ""


@dataclass(frozen=True)
class ClaimRelation:
    """A claim's relation to another claim."""

    kind: ClaimRelationKind
    target: str
    """Id of the other claim."""


@dataclass(frozen=True)
class Claim:
    """A claim drawn from the sources (curated or drafted), with its structure and evidence."""

    id: str
    """Slug; the claim's key is "claim/<id>"."""
    statement: str
    exposure: str
    outcome: str
    effect_shape: str
    """Key of a concept in the EffectShapes scheme, e.g. "inverted-u"."""
    source: str
    """Path of the claims file."""
    line: int
    moderators: tuple[str, ...] = ()
    population: str | None = None
    topics: tuple[str, ...] = ()
    """Concept slugs from data/concepts.ttl."""
    evidence: tuple[EvidenceLine, ...] = ()
    relations: tuple[ClaimRelation, ...] = ()
    status: ClaimStatus = "curated"
    drafted_by: str = ""
    """For a draft: the drafting tool and its version ("evidence-graph draft 0.1.0")."""
    confidence: float | None = None
    """For a draft: how sure the drafter is, 0–1."""
    cues: tuple[str, ...] = ()
    """For a draft: the cues that fired (finding words, shape, document link)."""
    polarity: Polarity | None = None
    """Which way the claim points; from the effect shape when not stated."""


@dataclass(frozen=True)
class Discussion:
    """A listed document discussed in a commentary section (``evg:discussedIn``)."""

    listing: str
    """Key of the listing whose annotation had the discussion pointer."""
    section: str
    """Key of the section that discusses it."""
    method: LinkMethod
    evidence: str = ""
    """Why: the cue the linker matched, or the curator's note."""


@dataclass(frozen=True)
class Concept:
    """A topic concept of the SKOS thesaurus in data/concepts.ttl."""

    key: str
    """"concept/<slug>"."""
    label: str
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subject:
    """A node tagged with a topic concept (``dcterms:subject``)."""

    node: str
    """Key of the tagged listing, section or claim."""
    concept: str
    """Key of the concept."""
    matched: str = ""
    """The words in the node's text that matched the concept's label."""


@dataclass(frozen=True)
class Curation:
    """What the build's curation step made (`pipeline.sources.curate`): claims, links, topics."""

    claims: tuple[Claim, ...] = ()
    discussions: tuple[Discussion, ...] = ()
    subjects: tuple[Subject, ...] = ()
    concepts: tuple[Concept, ...] = ()
    concepts_file: str | None = None
    """Path of the SKOS thesaurus (data/concepts.ttl) when present; loaded as-is into its graph."""
    claim_files: tuple[str, ...] = ()
    """Paths of the claims files read (each becomes a named graph, even when it has no claims)."""
    quotes_checked: int = 0
    """How many evidence quotes were found in their sources (so a check of nothing is visible)."""
    discussions_auto: int = 0
    discussions_curated: int = 0
    discussions_unresolved: int = 0
    """Discussion pointers ("For discussion click…") no section could be found for."""
    problems: tuple[tuple[str, Problem], ...] = ()
    """(path, problem) pairs the curation step reports without failing the build."""
    lints: tuple[str, ...] = ()
    """Claim lint findings ("claim X: rule: message"), reported as build warnings."""
    drafts: tuple[Claim, ...] = ()
    """Machine-drafted claims (`build --drafts`), one named graph per page."""
