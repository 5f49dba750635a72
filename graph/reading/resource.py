"""Linked Data: every resource IRI as an HTML page for people and as RDF for machines.

Framework-independent: `Resources.respond(path, accept)` turns a request path and an Accept header
into a `Response` (status, headers, body) that any HTTP server (or the static site exporter) sends
as it is. A resource is described by every triple it is the subject or the object of; its HTML page
adds, for each edge, the source passage it came from (file, line), as `evidence-graph explain`
shows. Ontology terms (``…/ontology#Term``) get a page each at ``ontology/Term``; ``/ontology`` is
the whole ontology.

Paths map onto IRIs through a configurable base: with the default base
``https://w3id.org/evidence-graph/``, the path ``/id/cell/drug/B4`` is the resource
``https://w3id.org/evidence-graph/id/cell/drug/B4``.
"""

from __future__ import annotations

import html
import json
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ...ontology import CONTEXT_FILE, ID, NS
from ...ontology.prefixes import FILE_PREFIXES as PREFIXES
from ...ontology.prefixes import expand, shorten
from ..base.errors import NodeNotFound
from ..rdf.make import ONTOLOGY_GRAPH
from .explain import explain

ROOT = ID.removesuffix("id/")
"""The IRI every resource path is relative to: ``https://w3id.org/evidence-graph/``."""
ONTOLOGY = URIRef(NS.removesuffix("#"))
"""The ontology's own IRI (the document its hash terms resolve to)."""

FORMATS: dict[str, tuple[str, str]] = {
    "text/html": (".html", "html"),
    "text/turtle": (".ttl", "turtle"),
    "application/ld+json": (".jsonld", "json-ld"),
    "application/n-triples": (".nt", "nt"),
}
"""Media type → (file suffix, rdflib format), in order of preference for `*/*`."""
SUFFIXES = {suffix: media for media, (suffix, _) in FORMATS.items()}


@dataclass(frozen=True)
class Response:
    """What to answer: an HTTP status, headers and the body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def negotiate(accept: str | None, offers: Iterable[str]) -> str | None:
    """The offer the Accept header prefers (q-values, then the order of `offers`); None: none."""
    offered = list(offers)
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int, int] | None = None
    choice = None
    for rank, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        for order, offer in enumerate(offered):
            if media in (offer, "*/*") or media == offer.split("/")[0] + "/*":
                specific = 0 if media.endswith("*") else 1
                key = (q, specific, -rank * 100 - order)
                if best is None or key > best:
                    best, choice = key, offer
                break
    return choice


class Resources:
    """A built graph, answering resource paths by content negotiation."""

    def __init__(
        self,
        dataset: Dataset,
        base: str = ROOT,
        data_dir: Path | None = None,
        sparql_endpoint: str | None = None,
    ) -> None:
        self.ds = dataset
        self.base = base if base.endswith("/") else base + "/"
        self.data_dir = data_dir
        self.sparql_endpoint = sparql_endpoint
        self._context: dict[str, object] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))[
            "@context"
        ]

    # -- paths and IRIs

    def iri_of(self, path: str) -> URIRef | None:
        """The resource a request path names (suffix kept); None outside the resource space."""
        path = unquote(path).lstrip("/")
        if path == "ontology":
            return URIRef(self.base + "ontology")
        if path.startswith("ontology/") and "/" not in path[len("ontology/") :]:
            return URIRef(self.base + "ontology#" + path[len("ontology/") :])
        if path.startswith("id/") and len(path) > 3:
            return URIRef(self.base + path)
        return None

    def path_of(self, node: Node) -> str | None:
        """The path (no leading slash, no suffix) of a resource this site serves; None otherwise."""
        text = str(node)
        if not text.startswith(self.base):
            return None
        rest = text[len(self.base) :]
        if rest == "ontology":
            return "ontology"
        if rest.startswith("ontology#") and len(rest) > len("ontology#"):
            return "ontology/" + quote(rest[len("ontology#") :], safe="")
        if rest.startswith("id/") and len(rest) > 3:
            return quote(rest, safe="/-._~")
        return None

    def exists(self, node: URIRef) -> bool:
        if node == ONTOLOGY:
            return True
        return (node, None, None) in self.ds or (None, None, node) in self.ds

    def resolve(self, path: str) -> tuple[URIRef, str | None] | None:
        """(resource, media type a suffix fixes or None) for a path; None when nothing is there."""
        node = self.iri_of(path)
        if node is not None and self.exists(node):
            return node, None
        for suffix, media in SUFFIXES.items():
            if path.endswith(suffix):
                node = self.iri_of(path[: -len(suffix)])
                if node is not None and self.exists(node):
                    return node, media
        return None

    # -- descriptions

    def description(self, node: URIRef) -> Graph:
        """The triples about `node`: every triple it is the subject or the object of."""
        g = Graph(bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            g.bind(prefix, namespace)
        if node == ONTOLOGY:
            for s, p, o, _ in self.ds.quads((None, None, None, ONTOLOGY_GRAPH)):  # type: ignore[arg-type]
                g.add((s, p, o))
            return g
        for s, p, o, _ in self.ds.quads((node, None, None, None)):
            g.add((s, p, o))
        for s, p, o, _ in self.ds.quads((None, None, node, None)):
            g.add((s, p, o))
        return g

    def rdf(self, node: URIRef, media: str) -> bytes:
        """`node`'s description in an RDF media type (deterministic: sorted)."""
        g = self.description(node)
        fmt = FORMATS[media][1]
        if fmt == "nt":
            lines = sorted(set(g.serialize(format="nt", encoding="utf-8").decode().splitlines()))
            return ("\n".join(line for line in lines if line.strip()) + "\n").encode("utf-8")
        if fmt == "json-ld":
            data = json.loads(
                g.serialize(format="json-ld", context=self._context, encoding="utf-8")
            )
            items = data.get("@graph", [data]) if isinstance(data, dict) else data
            items = [{k: v for k, v in item.items() if k != "@context"} for item in items]
            items.sort(key=lambda item: str(item.get("@id", "")))
            document = {"@context": self._context, "@graph": items}
            return (
                json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            ).encode()
        return g.serialize(format="turtle", encoding="utf-8")

    # -- the answer

    def respond(self, path: str, accept: str | None) -> Response:
        """Answer a GET of `path` with the representation `accept` prefers (see module doc)."""
        found = self.resolve(path)
        if found is None:
            body = f"nothing at /{path.lstrip('/')}\n".encode()
            return Response(404, (("Content-Type", "text/plain; charset=utf-8"),), body)
        node, fixed = found
        media = fixed or negotiate(accept, FORMATS)
        if media is None:
            offered = ", ".join(FORMATS)
            body = f"not acceptable; this resource is available as {offered}\n".encode()
            return Response(
                406, (("Content-Type", "text/plain; charset=utf-8"), ("Vary", "Accept")), body
            )
        resource_path = self.path_of(node) or ""
        links = ", ".join(
            f'</{resource_path}{suffix}>; rel="alternate"; type="{m}"'
            for m, (suffix, _) in FORMATS.items()
        )
        if media == "text/html":
            body = self.page(node, lambda target: self._server_href(target)).encode("utf-8")
            content_type = "text/html; charset=utf-8"
        else:
            body = self.rdf(node, media)
            content_type = media + ("; charset=utf-8" if media != "application/ld+json" else "")
        headers = [("Content-Type", content_type), ("Link", links)]
        if fixed is None:
            headers.append(("Vary", "Accept"))
        headers.append(("Content-Location", f"/{resource_path}{FORMATS[media][0]}"))
        return Response(200, tuple(headers), body)

    def _server_href(self, target: Node) -> str | None:
        path = self.path_of(target)
        return None if path is None else "/" + path

    # -- HTML

    def page(self, node: URIRef, href: Callable[[Node], str | None]) -> str:
        """The HTML page of `node`; `href` gives the link of another resource (None: no link)."""
        if node == ONTOLOGY:
            return self._ontology_page(href)
        label = self._label(node) or shorten(node, plain=True)
        parts = [
            f"<h1>{_e(label)}</h1>",
            f'<p class="iri">IRI: <code>{_e(str(node))}</code></p>',
        ]
        types = sorted(set(self.ds.objects(node, RDF.type)), key=str)
        if types:
            parts.append("<p>Type: " + ", ".join(self._link(t, href) for t in types) + "</p>")
        if str(node).startswith(NS):
            parts.append(self._term_section(node, href))
        parts.append(self._properties(node, href))
        parts.append(self._inbound(node, href))
        parts.append(self._sources(node, href))
        alternates = " · ".join(
            f'<a href="{_e(self._alternate(node, suffix, href))}">{_e(media)}</a>'
            for media, (suffix, _) in FORMATS.items()
            if media != "text/html"
        )
        parts.append(f'<p class="alt">Also as: {alternates}</p>')
        return _document(label, "\n".join(parts), href(ONTOLOGY))

    def _alternate(self, node: Node, suffix: str, href: Callable[[Node], str | None]) -> str:
        link = href(node) or ""
        return link.removesuffix(".html") + suffix

    def _label(self, node: Node) -> str:
        for predicate in (SKOS.prefLabel, RDFS.label, URIRef("http://purl.org/dc/terms/title")):
            for value in sorted(self.ds.objects(node, predicate), key=str):
                if isinstance(value, Literal):
                    return str(value)
        return ""

    def _link(self, target: Node, href: Callable[[Node], str | None]) -> str:
        if isinstance(target, Literal):
            return f'<span class="lit">{_e(str(target))}</span>'
        text = shorten(target, plain=True)
        label = (
            self._label(target) if self.path_of(target) and not str(target).startswith(NS) else ""
        )
        shown = f"{_e(text)}" + (f' <span class="label">“{_e(label)}”</span>' if label else "")
        link = href(target) if isinstance(target, URIRef) else None
        if link is not None and self.exists(target):  # type: ignore[arg-type]
            return f'<a href="{_e(link)}">{shown}</a>'
        return f"<span>{shown}</span>"

    def _properties(self, node: URIRef, href: Callable[[Node], str | None]) -> str:
        rows = sorted(
            {(p, o) for _, p, o, _ in self.ds.quads((node, None, None, None)) if p != RDF.type},
            key=lambda po: (str(po[0]), str(po[1])),
        )
        body = "".join(
            f"<tr><th>{self._link(p, href)}</th><td>{self._link(o, href)}</td></tr>"
            for p, o in rows
        )
        return f"<h2>Properties ({len(rows)})</h2><table>{body}</table>"

    def _inbound(self, node: URIRef, href: Callable[[Node], str | None]) -> str:
        rows = sorted(
            {(s, p) for s, p, _, _ in self.ds.quads((None, None, node, None))},
            key=lambda sp: (str(sp[1]), str(sp[0])),
        )
        body = "".join(
            f"<tr><td>{self._link(s, href)}</td><th>{self._link(p, href)}</th></tr>"
            for s, p in rows
        )
        return f"<h2>Inbound links ({len(rows)})</h2><table>{body}</table>"

    def _sources(self, node: URIRef, href: Callable[[Node], str | None]) -> str:
        """Where the node and each of its edges come from, as `explain` traces them."""
        try:
            explanation = explain(self.ds, str(node), self.data_dir)
        except NodeNotFound:
            return ""
        items = []
        for passage in explanation.origin:
            items.append(f"<li>described at {_passage(passage)}</li>")
        for edge in explanation.edges:
            arrow = "→" if edge.direction == "out" else "←"
            other = _expand(edge.other)
            target = self._link(other, href) if other is not None else _e(edge.other)
            passages = "".join(f"<li>{_passage(p)}</li>" for p in edge.passages)
            items.append(
                f"<li>{arrow} <code>{_e(edge.predicate)}</code> {target}<ul>{passages}</ul></li>"
            )
        return f'<h2>Sources</h2><ul class="sources">{"".join(items)}</ul>'

    def _term_section(self, term: URIRef, href: Callable[[Node], str | None]) -> str:
        """An ontology term: comment, domain and range, alignments and where the data uses it."""
        rows = []
        for name, predicate in (
            ("comment", RDFS.comment),
            ("domain", RDFS.domain),
            ("range", RDFS.range),
            ("subclass of", RDFS.subClassOf),
            ("subproperty of", RDFS.subPropertyOf),
            ("inverse of", OWL.inverseOf),
            ("close match", SKOS.closeMatch),
            ("see also", RDFS.seeAlso),
        ):
            values = sorted(self.ds.objects(term, predicate), key=str)
            if values:
                rendered = ", ".join(self._link(v, href) for v in values)
                rows.append(f"<tr><th>{_e(name)}</th><td>{rendered}</td></tr>")
        uses = sum(1 for _ in self.ds.quads((None, term, None, None))) + sum(
            1 for _ in self.ds.quads((None, RDF.type, term, None))
        )
        rows.append(f"<tr><th>used in the data</th><td>{uses} statement(s)</td></tr>")
        return f"<h2>Definition</h2><table>{''.join(rows)}</table>"

    def ontology_terms(self) -> list[URIRef]:
        """Every term the ontology declares, sorted."""
        terms = {
            s
            for s, _, _, _ in self.ds.quads((None, RDF.type, None, ONTOLOGY_GRAPH))  # type: ignore[arg-type]
            if isinstance(s, URIRef) and str(s).startswith(NS) and len(str(s)) > len(NS)
        }
        return sorted(terms, key=str)

    def _ontology_page(self, href: Callable[[Node], str | None]) -> str:
        title = self._label(ONTOLOGY) or "ontology"
        items = []
        for term in self.ontology_terms():
            name = str(term)[len(NS) :]
            comment = ""
            for value in self.ds.objects(term, RDFS.comment):
                comment = str(value)
                break
            items.append(f'<li id="{_e(name)}">{self._link(term, href)}: {_e(comment)}</li>')
        body = (
            f'<h1>{_e(title)}</h1><p class="iri">IRI: <code>{_e(str(ONTOLOGY))}</code></p>'
            f"<h2>Terms ({len(items)})</h2><ul>{''.join(items)}</ul>"
        )
        return _document(title, body, href(ONTOLOGY))


def _expand(short: str) -> URIRef | None:
    """The IRI of a name as `explain` prints it (a prefixed name or <iri>)."""
    iri = expand(short)
    return URIRef(iri) if iri is not None else None


def _passage(passage: object) -> str:
    file = getattr(passage, "file", "")
    line = getattr(passage, "line", None)
    text = getattr(passage, "text", "")
    what = getattr(passage, "what", "")
    where = f"{file}:{line}" if line else file
    head = f'<span class="where">{_e(where)}</span>' + (f" ({_e(what)})" if what else "")
    return head + (f": <q>{_e(text)}</q>" if text else "")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse;width:100%}th,td{border-top:1px solid #ddd;padding:.3em .5em;
text-align:left;vertical-align:top}th{width:30%;font-weight:600}
code{font-size:.9em}.label{color:#555}.lit{white-space:pre-wrap}.where{font-family:monospace}
.sources li{margin:.25em 0}nav{margin-bottom:1em;font-size:.9em}.alt{margin-top:2em;color:#555}
"""


def _document(title: str, body: str, ontology_href: str | None) -> str:
    nav = f'<nav><a href="{_e(ontology_href)}">ontology</a></nav>' if ontology_href else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
        f"<body>{nav}\n{body}\n</body></html>\n"
    )


def relative_href(from_path: str, to_path: str) -> str:
    """A relative link from the page at `from_path` to the file at `to_path` (both site paths)."""
    start = posixpath.dirname(from_path) or "."
    return posixpath.relpath(to_path, start)


SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
SERVICE_FORMATS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
"""Media types the service description is offered in."""


def service_description(
    endpoint: str, graphs: Mapping[str, int], accept: str | None, dataset: str | None = None
) -> Response:
    """The SPARQL 1.1 Service Description of a read-only endpoint over `graphs` (IRI → triples).

    The default graph is the union of the named graphs; each named graph is listed with its size.
    `dataset` (the VoID dataset IRI, when the graph has a description) is linked with rdfs:seeAlso
    and is said to be served here (``void:sparqlEndpoint``); the build's own files are unchanged.
    """
    from rdflib.namespace import XSD

    media = negotiate(accept, SERVICE_FORMATS)
    if media is None:
        offered = ", ".join(SERVICE_FORMATS)
        return Response(
            406,
            (("Content-Type", "text/plain; charset=utf-8"), ("Vary", "Accept")),
            f"not acceptable; the service description is available as {offered}\n".encode(),
        )
    sd = Namespace(SD)
    void = Namespace("http://rdfs.org/ns/void#")
    formats = Namespace(_FORMATS_NS)
    g = Graph(bind_namespaces="none")
    g.bind("sd", SD)
    g.bind("void", str(void))
    service = URIRef(endpoint)
    default_dataset = URIRef(endpoint + "#dataset")
    default_graph = URIRef(endpoint + "#default-graph")
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, service))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):  # fmt: skip
        g.add((service, sd.resultFormat, formats[fmt]))
    g.add((service, sd.defaultDataset, default_dataset))
    g.add((default_dataset, RDF.type, sd.Dataset))
    g.add((default_dataset, sd.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, sd.Graph))
    g.add((default_graph, RDFS.comment, Literal("the union of every named graph")))
    if dataset:
        g.add((default_dataset, RDFS.seeAlso, URIRef(dataset)))
        g.add((URIRef(dataset), void.sparqlEndpoint, service))
    for number, (name, triples) in enumerate(sorted(graphs.items()), start=1):
        named = URIRef(f"{endpoint}#named-graph-{number}")
        description = URIRef(f"{endpoint}#graph-{number}")
        g.add((default_dataset, sd.namedGraph, named))
        g.add((named, RDF.type, sd.NamedGraph))
        g.add((named, sd.name, URIRef(name)))
        g.add((named, sd.graph, description))
        g.add((description, RDF.type, sd.Graph))
        g.add((description, void.triples, Literal(triples, datatype=XSD.integer)))
    body = g.serialize(format=SERVICE_FORMATS[media], encoding="utf-8")
    if media == "application/n-triples":
        lines = sorted({line for line in body.decode("utf-8").splitlines() if line.strip()})
        body = ("\n".join(lines) + "\n").encode("utf-8")
    content_type = media + ("" if media == "application/ld+json" else "; charset=utf-8")
    return Response(200, (("Content-Type", content_type), ("Vary", "Accept")), body)
