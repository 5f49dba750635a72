"""The three graphs of a claim's nanopublication, taken from a built dataset.

- assertion: the claim (its statement and structure) and the documents that support or challenge
  it, in evidence-graph terms and in micropublications terms (``mp:supports``, ``mp:challenges``);
- provenance: the assertion derived from the claim's evidence lines, each with its verbatim quote,
  its quote and position selectors, the source file and its SHA-256, and attributed to the claims
  file (by path only, so that editing one claim revises only its own nanopublication);
- pubinfo: creator and licence (from the dataset description), the tool and its version, the date
  (only with ``SOURCE_DATE_EPOCH``) and, when given, the nanopublication it supersedes.

The nanopublication's own IRIs use the temporary namespace the `nanopub` library replaces with
the Trusty URI (``this:``/``sub:``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, Namespace

from ...ontology import NS
from .describe import DATASET
from .make import AGENT_KEY, MP, OA, iri, timestamp

NP_TEMP = "http://purl.org/nanopub/temp/np"
THIS = URIRef(NP_TEMP + "#")
"""The nanopublication itself, as the nanopub library names it before its Trusty URI is made."""
SUB = Namespace(NP_TEMP + "#")
ASSERTION = SUB.assertion
NPX = Namespace("http://purl.org/nanopub/x/")

EVG_SUPPORTS = URIRef(NS + "supports")
EVG_CHALLENGES = URIRef(NS + "challenges")
EVG_CLAIM = URIRef(NS + "claim")
EVG_SOURCE_LINE = URIRef(NS + "sourceLine")
EVG_SOURCE_PATH = URIRef(NS + "sourcePath")


@dataclass
class ClaimGraphs:
    """The assertion, provenance and pubinfo graphs of one claim's nanopublication."""

    claim: URIRef
    assertion: Graph
    provenance: Graph
    pubinfo: Graph


def _graph() -> Graph:
    g = Graph(bind_namespaces="none")
    g.bind("evg", NS)
    g.bind("mp", str(MP))
    g.bind("oa", str(OA))
    g.bind("prov", str(PROV))
    g.bind("dcterms", str(DCTERMS))
    g.bind("rdfs", str(RDFS))
    return g


def claims(ds: Dataset) -> list[URIRef]:
    """Every claim of the dataset, sorted."""
    found = {c for c in ds.subjects(RDF.type, URIRef(NS + "Claim")) if isinstance(c, URIRef)}
    return sorted(found, key=str)


def claim_graphs(
    ds: Dataset,
    claim: URIRef,
    *,
    tool_version: str,
    epoch: int | None = None,
    supersedes: str | None = None,
) -> ClaimGraphs:
    """The three graphs of `claim`'s nanopublication (see the module doc)."""
    assertion = _graph()
    for _, p, o, _ in ds.quads((claim, None, None, None)):
        if p != EVG_SOURCE_LINE:
            assertion.add((claim, p, o))
    for predicate in (EVG_SUPPORTS, EVG_CHALLENGES, MP.supports, MP.challenges):
        for document in ds.subjects(predicate, claim):
            assertion.add((document, predicate, claim))

    provenance = _graph()
    lines = sorted(set(ds.subjects(EVG_CLAIM, claim)), key=str)
    sources: set[URIRef] = set()
    for line in lines:
        provenance.add((ASSERTION, PROV.wasDerivedFrom, line))
        for _, p, o, _ in ds.quads((line, None, None, None)):
            provenance.add((line, p, o))
            if isinstance(o, URIRef) and str(o).startswith(str(line)):  # its selectors
                for _, sp, so, _ in ds.quads((o, None, None, None)):
                    provenance.add((o, sp, so))
                    if sp == DCTERMS.source and isinstance(so, URIRef):
                        sources.add(so)
    # The claims file is named, not digested: editing one claim must not revise its neighbours.
    for graph in sorted({g for _, _, _, g in ds.quads((claim, RDF.type, None, None))}, key=str):
        for source in ds.objects(graph, PROV.wasDerivedFrom):
            if isinstance(source, URIRef):
                provenance.add((ASSERTION, PROV.wasAttributedTo, source))
                for path in ds.objects(source, EVG_SOURCE_PATH):
                    provenance.add((source, EVG_SOURCE_PATH, path))
    for source in sorted(sources, key=str):
        for _, p, o, _ in ds.quads((source, None, None, None)):
            provenance.add((source, p, o))
    if not lines and not sources:
        provenance.add((ASSERTION, PROV.wasDerivedFrom, claim))

    pubinfo = _graph()
    pubinfo.bind("npx", str(NPX))
    agent = iri(AGENT_KEY)
    pubinfo.add((THIS, PROV.wasAttributedTo, agent))
    pubinfo.add((THIS, DCTERMS.subject, claim))
    pubinfo.add((agent, RDF.type, PROV.SoftwareAgent))
    pubinfo.add((agent, RDFS.label, Literal("evidence-graph")))
    pubinfo.add((agent, OWL.versionInfo, Literal(tool_version)))
    for creator in sorted(ds.objects(DATASET, DCTERMS.creator), key=str):
        pubinfo.add((THIS, DCTERMS.creator, creator))
        for label in ds.objects(creator, RDFS.label):
            pubinfo.add((creator, RDFS.label, label))
    for licence in sorted(ds.objects(DATASET, DCTERMS.license), key=str):
        pubinfo.add((THIS, DCTERMS.license, licence))
    if epoch is not None:
        pubinfo.add((THIS, DCTERMS.created, timestamp(epoch)))
    if supersedes:
        pubinfo.add((THIS, NPX.supersedes, URIRef(supersedes)))
    return ClaimGraphs(claim, assertion, provenance, pubinfo)
