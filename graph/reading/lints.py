"""Claim lints on a built graph (`validate --strict`): the graph's claims read back into the lint
view of `curation.lints`, so a build and a validation apply the very same rules."""

from __future__ import annotations

from collections import defaultdict

from rdflib import Dataset

from ...ontology import ID
from ..curation.lints import Lint, LintClaim, LintEvidence, lint

_QUERY = """
PREFIX evg: <https://w3id.org/evidence-graph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?claim ?status ?shape ?polarity ?line ?doc ?title ?direction ?quote ?cell WHERE {
  ?claim a evg:Claim .
  OPTIONAL { ?claim evg:status ?status }
  OPTIONAL { ?claim evg:effectShape/skos:notation ?shape }
  OPTIONAL { ?claim evg:polarity ?polarity }
  OPTIONAL {
    ?line evg:claim ?claim ; evg:evidence ?doc ; evg:direction/skos:notation ?direction ;
          evg:quote ?quote ; prov:wasQuotedFrom ?from .
    OPTIONAL { ?doc dcterms:title ?title }
    OPTIONAL { { ?from evg:inCell ?cell } UNION { ?from dcterms:isPartOf ?cell } }
  }
}
"""

_CELLS = """
PREFIX evg: <https://w3id.org/evidence-graph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?doc ?cell WHERE {
  { ?doc evg:listedIn ?cell } UNION { ?doc evg:discussedIn/dcterms:isPartOf ?cell }
  UNION { ?doc a evg:Commentary ; dcterms:isPartOf ?cell }
}
"""


def _key(term: object) -> str:
    return str(term).removeprefix(ID)


def graph_lints(ds: Dataset) -> list[Lint]:
    """The claim lints of every claim in the built graph `ds`."""
    cells: dict[str, set[str]] = defaultdict(set)
    for row in ds.query(_CELLS):
        cells[_key(row[0])].add(_key(row[1]))  # type: ignore[index]
    claims: dict[str, dict[str, object]] = {}
    lines: dict[str, dict[str, LintEvidence]] = defaultdict(dict)
    for row in ds.query(_QUERY):
        claim, status, _shape, polarity, line, doc, title, direction, quote, cell = row  # type: ignore[misc]
        key = _key(claim).removeprefix("claim/")
        status_key = _key(status).rsplit("#", 1)[-1].lower() if status is not None else "curated"
        stated = str(polarity) if polarity is not None else None
        claims.setdefault(key, {"status": status_key, "polarity": stated})
        if line is not None:
            document = _key(doc)
            lines[key][str(line)] = LintEvidence(
                document=document,
                title=str(title) if title is not None else "",
                direction=str(direction),
                quote=str(quote),
                cell=_key(cell) if cell is not None else "",
                cells=frozenset(cells.get(document, ())),
            )
    view = [
        LintClaim(
            key,
            str(info["status"]),
            info["polarity"] if isinstance(info["polarity"], str) else None,
            tuple(lines[key][k] for k in sorted(lines[key])),
        )
        for key, info in sorted(claims.items())
    ]
    return lint(view)
