"""The evidence-graph ontology terms as Python names (prefix ``evg:``).

`EVG` mirrors ``ontology/evidence.ttl`` term for term (a test checks both declare the same names);
``_fail = True`` makes a misspelt term an error, as in rdflib's own ``DCTERMS``. The dicts map the
notations curators write in ``data/claims/*.yaml`` to concepts and properties.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class EVG(DefinedNamespace):
    """evidence-graph ontology: https://w3id.org/evidence-graph/ontology#"""

    _NS = Namespace("https://w3id.org/evidence-graph/ontology#")
    _fail = True

    # Classes
    BuildActivity: URIRef  # The step of an evidence-graph build that turned one source file …
    Claim: URIRef  # A curated claim drawn from the sources: a statement with its …
    Document: URIRef  # A work listed in, or mentioned by, a cell: a study, review, …
    EvidenceLine: URIRef  # The qualified form of a document's support for, or challenge to, a …
    Guidance: URIRef  # A guidance, guideline or consensus document (listed with marker G).
    Listing: URIRef  # One entry of a cell page: a document listed in a cell with a role …
    Matrix: URIRef  # An Effectiveness Bank treatment matrix (Drug, Alcohol): a grid …
    MatrixCell: URIRef  # One cell of a matrix: one intervention level crossed with one …
    Organisation: URIRef  # An organisation that published a document, e.g. the American …
    Review: URIRef  # A document reviewing or synthesising research (listed with marker R).
    Section: URIRef  # A section of a cell's Matrix Bite commentary: a heading and its …
    SourceFile: URIRef  # A file of the corpus (a cell page, a claims file, the matrix …
    Study: URIRef  # A document reporting a research study (listed with marker S, …

    # Properties
    annotation: URIRef  # The text of a listing after its title and date part: the page's …
    cellId: URIRef  # The cell's id within its matrix: level letter and type number, …
    challengedBy: URIRef  # Inverse of evg:challenges. Declared for reasoners and queries; the …
    challenges: URIRef  # A document whose findings challenge a claim (the direct form of a …
    claim: URIRef  # The claim an evidence line bears on.
    consistentWith: URIRef  # Two claims that agree (curation notation "consistent-with"); …
    contradicts: URIRef  # Two claims that cannot both hold (curation notation …
    direction: URIRef  # Whether an evidence line supports, challenges or is inconclusive …
    discussedIn: URIRef  # A commentary section that discusses a listed document ("For …
    effectShape: URIRef  # The form of the relation between exposure and outcome a claim …
    entryText: URIRef  # The whole entry as printed on the page, marker included.
    evidence: URIRef  # The document an evidence line rests on.
    exposure: URIRef  # What a claim says has an effect: the intervention, practitioner …
    freeSource: URIRef  # True when the page notes a free source of the document at the time …
    heading: URIRef  # The heading of a commentary section.
    inCell: URIRef  # The cell whose page lists this entry.
    inMatrix: URIRef  # The matrix a cell belongs to.
    includes: URIRef  # A document that reports or comprises another ("Trio of US studies …
    interventionLevel: URIRef  # The intervention level (column, A-E, e.g. B Practitioners) of a …
    interventionType: URIRef  # The intervention type (row, 1-5, e.g. 4 Psychosocial therapies) of …
    jurisdiction: URIRef  # The country or jurisdiction a document applies to, as printed in …
    levels: URIRef  # The concept scheme of a matrix's intervention levels (columns).
    listedIn: URIRef  # A cell that lists the document (shortcut for the listing's …
    lists: URIRef  # The document a listing lists.
    matrixKey: URIRef  # The short key of a matrix used in identifiers: "drug", "alcohol".
    mentions: URIRef  # A listing whose annotation mentions a document without listing it …
    moderator: URIRef  # A condition the claim says changes the strength or direction of …
    note: URIRef  # A curator's note on an evidence line.
    outcome: URIRef  # What a claim says is affected (e.g. "retention in treatment").
    population: URIRef  # The people a claim is about (e.g. "methadone maintenance patients").
    position: URIRef  # 1-based position, in page order, of a listing among its cell's …
    quote: URIRef  # The verbatim passage of a source text an evidence line rests on.
    refersTo: URIRef  # A listing or section that points the reader to another matrix cell …
    relatedClaim: URIRef  # Two claims a curator marks as related without agreement or …
    relatedTo: URIRef  # Two documents the page or a curator marks as related ("Related …
    role: URIRef  # Why the document is listed: one concept of evg:ListingRoles …
    selector: URIRef  # The W3C Web Annotation oa:TextQuoteSelector (exact, prefix, …
    sha256: URIRef  # The SHA-256 digest (lowercase hex) of a source file's bytes.
    sourceLine: URIRef  # The 1-based line of the source file (the source of the named graph …
    sourcePath: URIRef  # Path of a source file relative to the data directory, with forward …
    summary: URIRef  # The one-paragraph summary at the top of a cell page.
    supportedBy: URIRef  # Inverse of evg:supports. Declared for reasoners and queries; the …
    supports: URIRef  # A document whose findings support a claim (the direct form of a …
    text: URIRef  # The paragraphs of a commentary section, heading excluded, …
    types: URIRef  # The concept scheme of a matrix's intervention types (rows).

    # Concept schemes
    EffectShapes: URIRef  # The form of the relation between a claim's exposure and its …
    EvidenceDirections: URIRef  # How an evidence line bears on its claim.
    ListingRoles: URIRef  # Why a cell lists a document: the entry markers S, K, R, G.

    # Concepts
    Challenging: URIRef  # The evidence challenges (disputes) the claim.
    ConditionalEffect: (
        URIRef  # The relation depends on a moderator: its direction or size differs …
    )
    GuidanceRole: URIRef  # Listed as guidance (marker G).
    Inconclusive: URIRef  # The evidence bears on the claim but neither supports nor …
    InconsistentEffect: URIRef  # Studies disagree on the relation between exposure and outcome.
    InvertedUEffect: URIRef  # The outcome is best at a middling level of the exposure and worse …
    Key: URIRef  # Listed as a key study (marker K).
    LinearNegativeEffect: URIRef  # The outcome falls steadily with the exposure.
    LinearPositiveEffect: URIRef  # The outcome rises steadily with the exposure.
    NegativeEffect: URIRef  # More of the exposure goes with less of the outcome, shape …
    NullEffect: URIRef  # No relation between exposure and outcome was found.
    PositiveEffect: URIRef  # More of the exposure goes with more (better) of the outcome, shape …
    ReviewRole: URIRef  # Listed as a review (marker R).
    Seminal: URIRef  # Listed as a seminal study (marker S): a study that shaped the field.
    Supporting: URIRef  # The evidence supports the claim.
    ThresholdEffect: URIRef  # The exposure matters only above (or below) some level.
    UShapedEffect: URIRef  # The outcome is worst at a middling level of the exposure and …


EFFECT_SHAPES: dict[str, URIRef] = {
    "positive": EVG.PositiveEffect,
    "negative": EVG.NegativeEffect,
    "linear-positive": EVG.LinearPositiveEffect,
    "linear-negative": EVG.LinearNegativeEffect,
    "inverted-u": EVG.InvertedUEffect,
    "u-shaped": EVG.UShapedEffect,
    "threshold": EVG.ThresholdEffect,
    "null": EVG.NullEffect,
    "inconsistent": EVG.InconsistentEffect,
    "conditional": EVG.ConditionalEffect,
}
"""Effect-shape notation (as written in claims files) → concept of ``evg:EffectShapes``."""

DIRECTIONS: dict[str, URIRef] = {
    "supports": EVG.Supporting,
    "challenges": EVG.Challenging,
    "inconclusive": EVG.Inconclusive,
}
"""Evidence direction (`graph.records.Direction`) → concept of ``evg:EvidenceDirections``."""

DIRECT_EVIDENCE: dict[str, URIRef] = {
    "supports": EVG.supports,
    "challenges": EVG.challenges,
}
"""Direction → the direct document → claim property (inconclusive evidence has none)."""

CLAIM_RELATIONS: dict[str, URIRef] = {
    "consistent-with": EVG.consistentWith,
    "contradicts": EVG.contradicts,
    "related": EVG.relatedClaim,
}
"""Claim-relation notation (`graph.records.ClaimRelationKind`) → symmetric claim property."""

ROLES: dict[str, URIRef] = {
    "S": EVG.Seminal,
    "K": EVG.Key,
    "R": EVG.ReviewRole,
    "G": EVG.GuidanceRole,
}
"""Entry marker → concept of ``evg:ListingRoles``."""

DOCUMENT_TYPES: dict[str, URIRef] = {
    "S": EVG.Study,
    "K": EVG.Study,
    "R": EVG.Review,
    "G": EVG.Guidance,
}
"""Entry marker → class of the listed document."""
