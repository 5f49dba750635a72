"""The dataset's description as RDF: VoID and DCAT in the named graph ``id/graph/dataset``.

The words come from ``data/dataset.yaml`` (`DatasetDescription`); every number is counted here from
the union of the other graphs (`count_ntriples`), never typed by hand. A sibling of `make` (the RDF
of the records): this module makes the RDF that describes the whole.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, XSD

from ...ontology import ID
from ...ontology.prefixes import FILE_PREFIXES as PREFIXES
from ..base.records import DatasetDescription
from .dataset import Quad
from .make import iri, timestamp

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

DATASET_KEY = "dataset"
DATASET = iri(DATASET_KEY)
"""The dataset node (a void:Dataset and a dcat:Dataset)."""
DATASET_GRAPH = iri("graph/dataset.yaml")
"""The named graph holding the description (its own triples are not counted in it)."""

IANA = "https://www.iana.org/assignments/media-types/"
MEDIA_TYPES: dict[str, str] = {
    "trig": "application/trig",
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
}
"""Serialization name → media type, for the distributions of the dataset."""
_RDF_TYPE = f"<{RDF.type}>"
_ID = f"<{ID}"


@dataclass(frozen=True)
class DatasetCounts:
    """What VoID counts: triples, entities, per-class entities, per-property triples."""

    triples: int
    entities: int
    classes: dict[str, int] = field(default_factory=dict)
    """Class IRI → distinct subjects typed with it."""
    properties: dict[str, int] = field(default_factory=dict)
    """Property IRI → triples using it."""
    subjects: int = 0
    objects: int = 0

    @property
    def vocabularies(self) -> list[str]:
        """The vocabularies of the classes and properties used ("#" dropped)."""
        return sorted(
            {namespace_of(t).removesuffix("#") for t in (*self.classes, *self.properties)}
        )


def namespace_of(term: str) -> str:
    """The namespace part of an IRI: up to the last ``#`` or ``/``."""
    cut = max(term.rfind("#"), term.rfind("/"))
    return term[: cut + 1] if cut >= 0 else term


_TRIPLE = re.compile(rb"^(\S+) (\S+) (.*\S) \.$", re.M)
"""One N-Triples line ``s p o .`` (as `count_ntriples` reads it), matched by C code."""


class Tally:
    """`count_ntriples` fed block by block (whole lines each), so the text need not be joined."""

    def __init__(self) -> None:
        self.triples = 0
        self.subjects: set[bytes] = set()
        self.objects: set[bytes] = set()
        self.typed: dict[bytes, set[bytes]] = {}
        self.properties: Counter[bytes] = Counter()

    def add(self, data: bytes) -> None:
        """Count the lines of `data` (blank and comment lines skipped)."""
        lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
        found = _TRIPLE.findall(data)
        if len(found) != lines:  # blank, comment or oddly spaced lines: the careful reading
            found = [t for t in map(_split, data.splitlines()) if t is not None]
        if not found:
            return
        self.triples += len(found)
        subjects, predicates, objects = zip(*found, strict=True)
        self.subjects.update(subjects)
        self.objects.update(objects)
        self.properties.update(predicates)
        rdf_type = _RDF_TYPE.encode()
        typed = self.typed
        for s, p, o in found:
            if p == rdf_type:
                members = typed.get(o)
                if members is None:
                    members = typed[o] = set()
                members.add(s)

    def counts(self) -> DatasetCounts:
        entity_prefix = _ID.encode()
        return DatasetCounts(
            triples=self.triples,
            entities=sum(1 for s in self.subjects if s.startswith(entity_prefix)),
            classes={c[1:-1].decode(): len(m) for c, m in sorted(self.typed.items())},
            properties={p[1:-1].decode(): n for p, n in sorted(self.properties.items())},
            subjects=len(self.subjects),
            objects=len(self.objects),
        )


def _split(line: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(s, p, o) of one N-Triples line; None for a blank or comment line."""
    line = line.strip()
    if not line or line.startswith(b"#"):
        return None
    s, p, rest = line.split(b" ", 2)
    o = rest[:-1].rstrip() if rest.endswith(b".") else rest
    return s, p, o


def count_ntriples(data: bytes) -> DatasetCounts:
    """Count sorted, de-duplicated N-Triples (one triple a line, ``s p o .``).

    Entities are the distinct subjects inside the dataset's URI space (``void:uriSpace``).
    """
    tally = Tally()
    tally.add(data)
    return tally.counts()


def _short(term: str) -> str:
    """A readable, stable key part for a partition: "evg-Claim", or a digest for other IRIs."""
    for prefix, namespace in sorted(PREFIXES.items()):
        if term.startswith(namespace) and term[len(namespace) :].replace("_", "").isalnum():
            return f"{prefix}-{term[len(namespace) :]}"
    return hashlib.sha256(term.encode()).hexdigest()[:16]


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def description_quads(
    description: DatasetDescription,
    counts: DatasetCounts,
    files: Mapping[str, str],
    epoch: int | None = None,
    sparql_endpoint: str = "",
) -> Iterator[Quad]:
    """VoID + DCAT for the dataset; `files` maps each output file name to its media type."""
    g = DATASET_GRAPH
    d = DATASET
    yield d, RDF.type, VOID.Dataset, g
    yield d, RDF.type, DCAT.Dataset, g
    yield d, RDFS.label, Literal(description.title), g
    yield d, DCTERMS.title, Literal(description.title), g
    yield d, DCTERMS.description, Literal(description.description), g
    yield d, OWL.versionInfo, Literal(description.version), g
    yield d, DCAT.version, Literal(description.version), g
    yield d, DCTERMS.license, URIRef(description.licence), g
    yield d, DCTERMS.rights, Literal(description.rights), g
    yield d, FOAF.homepage, URIRef(description.homepage), g
    yield d, DCAT.landingPage, URIRef(description.homepage), g
    for keyword in description.keywords:
        yield d, DCAT.keyword, Literal(keyword), g
    for creator in description.creators:
        node = iri(f"agent/{hashlib.sha256(creator.name.encode()).hexdigest()[:12]}")
        yield d, DCTERMS.creator, node, g
        yield node, RDF.type, FOAF.Agent, g
        yield node, FOAF.name, Literal(creator.name), g
        yield node, RDFS.label, Literal(creator.name), g
        if creator.url:
            yield node, FOAF.homepage, URIRef(creator.url), g
    source = URIRef(description.source_url)
    yield d, DCTERMS.source, source, g
    yield source, DCTERMS.title, Literal(description.source_title), g
    yield source, RDFS.label, Literal(description.source_title), g
    yield source, DCTERMS.rights, Literal(description.source_terms), g
    if epoch is not None:
        yield d, DCTERMS.modified, timestamp(epoch), g
    endpoint = sparql_endpoint or description.sparql_endpoint
    if endpoint:
        yield d, VOID.sparqlEndpoint, URIRef(endpoint), g
    yield d, VOID.uriSpace, Literal(ID), g
    yield d, VOID.triples, _int(counts.triples), g
    yield d, VOID.entities, _int(counts.entities), g
    yield d, VOID.distinctSubjects, _int(counts.subjects), g
    yield d, VOID.distinctObjects, _int(counts.objects), g
    yield d, VOID.classes, _int(len(counts.classes)), g
    yield d, VOID.properties, _int(len(counts.properties)), g
    for namespace in counts.vocabularies:
        yield d, VOID.vocabulary, URIRef(namespace), g
    for cls, n in counts.classes.items():
        part = iri(f"{DATASET_KEY}/class/{_short(cls)}")
        yield d, VOID.classPartition, part, g
        yield part, RDF.type, VOID.Dataset, g
        yield part, VOID["class"], URIRef(cls), g
        yield part, VOID.entities, _int(n), g
    for prop, n in counts.properties.items():
        part = iri(f"{DATASET_KEY}/property/{_short(prop)}")
        yield d, VOID.propertyPartition, part, g
        yield part, RDF.type, VOID.Dataset, g
        yield part, VOID.property, URIRef(prop), g
        yield part, VOID.triples, _int(n), g
    base = description.downloads if description.downloads.endswith("/") else ""
    for name, media_type in sorted(files.items()):
        dist = iri(f"{DATASET_KEY}/distribution/{name}")
        yield d, DCAT.distribution, dist, g
        yield dist, RDF.type, DCAT.Distribution, g
        yield dist, DCTERMS.title, Literal(name), g
        yield dist, RDFS.label, Literal(name), g
        yield dist, DCAT.mediaType, URIRef(IANA + media_type), g
        yield dist, DCTERMS.format, Literal(media_type), g
        yield dist, DCTERMS.license, URIRef(description.licence), g
        if base:
            url = URIRef(base + name)
            yield dist, DCAT.downloadURL, url, g
            yield dist, DCAT.accessURL, url, g
            yield d, VOID.dataDump, url, g
