"""A static Linked Data site: a page and RDF files per resource, class indexes, redirect rules.

Every resource IRI ``<base>id/…`` becomes ``id/….html`` (the page `serve` shows), ``.ttl``,
``.jsonld`` and ``.nt``; the ontology becomes ``ontology.*`` and each of its terms
``ontology/<Term>.*``. ``index.html`` describes the dataset (licence, how to cite) and links one
index page per class (``classes/…``); ``evidence.ttl``/``.trig``/``.jsonld`` are the dumps the
dataset description names; ``w3id.htaccess`` holds the redirect rules of a w3id.org entry (content
negotiation onto the files here) and ``.htaccess`` the same rules for an Apache host serving this
directory itself. Links are relative, nothing is loaded from elsewhere, output is deterministic.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import quote, unquote

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Node

from . import DirectoryOptions

NAME = "site"
SUFFIX = "/"
MEDIA_TYPE = "text/html"
DESCRIPTION = (
    "static Linked Data site: HTML + Turtle/JSON-LD/N-Triples per resource, class indexes, "
    "dataset description, w3id.org redirect rules (-o DIR)"
)
IS_RDF = False


def export(dataset: Any, out: IO[bytes]) -> None:
    """The site is a directory: `files` makes it; a stream cannot hold it."""
    from ..graph.base.errors import EvidenceGraphError

    raise EvidenceGraphError("the site format writes a directory: give -o DIR")


def files(dataset: Any, options: DirectoryOptions) -> dict[str, bytes]:
    """Every file of the site, by relative path."""
    from ..graph.rdf.describe import DATASET
    from ..graph.rdf.serialize import serialize
    from ..graph.reading.resource import FORMATS, ONTOLOGY, Resources

    resources = Resources(dataset, base=options.base, data_dir=options.data_dir)
    nodes = _resources(dataset, resources)
    out: dict[str, bytes] = {}
    for node in nodes:
        stem = _file_stem(resources, node)
        page = stem + ".html"

        def href(target: Node, page: str = page) -> str | None:
            path = resources.path_of(target)
            if path is None:
                return None
            return quote(_relative(page, unquote(path) + ".html"), safe="/-._~%")

        out[page] = resources.page(node, href).encode("utf-8")
        for media, (suffix, _) in FORMATS.items():
            if media != "text/html":
                out[stem + suffix] = resources.rdf(node, media)
    classes = _class_index(dataset, resources, out)
    for name, fmt in (("evidence.ttl", "turtle"), ("evidence.trig", "trig")):
        out[name] = serialize(dataset, fmt)
    out["evidence.jsonld"] = serialize(dataset, "json-ld")
    has_dataset = (DATASET, RDF.type, None) in dataset
    out["index.html"] = _index(dataset, resources, classes, has_dataset, ONTOLOGY).encode()
    rules = _rules(options.site_url or "https://SITE.example/evidence-graph/")
    out["w3id.htaccess"] = rules.encode()
    out[".htaccess"] = _rules("").encode()
    return out


def _file_stem(resources: Any, node: Node) -> str:
    return unquote(resources.path_of(node))


def _relative(page: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _resources(dataset: Any, resources: Any) -> list[URIRef]:
    """Every resource with a page: the IRIs under ``id/`` the graph mentions, and the ontology."""
    from ..graph.reading.resource import ONTOLOGY
    from ..ontology import ID

    found: set[URIRef] = {ONTOLOGY}
    for s, _, o, _ in dataset.quads((None, None, None, None)):
        for term in (s, o):
            if isinstance(term, URIRef) and str(term).startswith(ID) and len(str(term)) > len(ID):
                found.add(term)
    found.update(resources.ontology_terms())
    return sorted(found, key=str)


def _class_index(dataset: Any, resources: Any, out: dict[str, bytes]) -> list[tuple[str, str, int]]:
    """One page per class with instances under ``id/``: (file, class name, count) of each."""
    from ..graph.reading.resource import _document, _e
    from ..ontology import ID
    from ..ontology.prefixes import shorten

    members: dict[URIRef, set[URIRef]] = {}
    for s, _, o, _ in dataset.quads((None, RDF.type, None, None)):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and str(s).startswith(ID):
            members.setdefault(o, set()).add(s)
    made: list[tuple[str, str, int]] = []
    for cls in sorted(members, key=str):
        name = shorten(cls, plain=True)
        page = "classes/" + "".join(c if c.isalnum() or c in "-_" else "-" for c in name) + ".html"
        items = []
        for node in sorted(members[cls], key=lambda n: (resources._label(n).lower(), str(n))):
            target = _relative(page, _file_stem(resources, node) + ".html")
            label = resources._label(node) or shorten(node, plain=True)
            items.append(
                f'<li><a href="{_e(quote(target, safe="/-._~%"))}">{_e(label)}</a> '
                f"<code>{_e(shorten(node, plain=True))}</code></li>"
            )
        body = f"<h1>{_e(name)}</h1><p>{len(items)} resource(s)</p><ul>{''.join(items)}</ul>"
        out[page] = _document(name, body, _relative(page, "ontology.html")).encode("utf-8")
        made.append((page, name, len(items)))
    return made


def _index(
    dataset: Any,
    resources: Any,
    classes: list[tuple[str, str, int]],
    has_dataset: bool,
    ontology: URIRef,
) -> str:
    from ..graph.rdf.describe import DATASET
    from ..graph.reading.resource import _document, _e

    def value(node: Node, predicate: URIRef) -> str:
        for v in sorted(dataset.objects(node, predicate), key=str):
            return str(v)
        return ""

    title = value(DATASET, DCTERMS.title) if has_dataset else "evidence graph"
    parts = [f"<h1>{_e(title)}</h1>"]
    if has_dataset:
        description = value(DATASET, DCTERMS.description)
        licence = value(DATASET, DCTERMS.license)
        rights = value(DATASET, DCTERMS.rights)
        version = value(DATASET, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))
        homepage = value(DATASET, URIRef("http://xmlns.com/foaf/0.1/homepage"))
        creators = sorted(value(c, RDFS.label) for c in dataset.objects(DATASET, DCTERMS.creator))
        source = value(DATASET, DCTERMS.source)
        citation = f"{', '.join(creators)}. {title}, version {version}. {homepage}"
        parts += [
            f"<p>{_e(description)}</p>",
            f"<p>Version {_e(version)}. Licence: <code>{_e(licence)}</code>. {_e(rights)}</p>",
            f"<p>Source: <code>{_e(source)}</code> ({_e(value(URIRef(source), DCTERMS.rights))})"
            "</p>"
            if source
            else "",
            f"<h2>How to cite</h2><p>{_e(citation)}</p>",
            '<p><a href="id/dataset.html">Dataset description (VoID, DCAT)</a></p>',
        ]
    parts.append(
        '<h2>Downloads</h2><ul><li><a href="evidence.ttl">evidence.ttl</a> (Turtle)</li>'
        '<li><a href="evidence.trig">evidence.trig</a> (TriG, named graphs)</li>'
        '<li><a href="evidence.jsonld">evidence.jsonld</a> (JSON-LD)</li></ul>'
    )
    parts.append('<h2>Vocabulary</h2><p><a href="ontology.html">The ontology</a></p>')
    items = "".join(
        f'<li><a href="{_e(quote(page, safe="/-._~%"))}">{_e(name)}</a> ({n})</li>'
        for page, name, n in classes
    )
    parts.append(f"<h2>Resources by class</h2><ul>{items}</ul>")
    return _document(title, "\n".join(parts), "ontology.html")


def _rules(target: str) -> str:
    """Apache mod_rewrite rules: negotiate ``id/…`` and ``ontology…`` onto the site's files.

    With a `target` (where the site is hosted) they redirect there, as a w3id.org entry does;
    without, they rewrite inside the directory that holds this site.
    """
    flag = "R=303,L" if target else "L"
    prefix = target
    lines = [
        "# Content negotiation for the evidence-graph IRIs.",
        "# w3id.htaccess: put in the w3id.org repository as evidence-graph/.htaccess, with the",
        "#   site's address in place of the target below; .htaccess: for an Apache host that",
        "#   serves this directory itself.",
        "Options -MultiViews",
    ]
    if not target:
        # A cell (id/cell/drug/B4) and the ontology are also directories of this site: without
        # this, mod_dir answers 301 to "…/B4/" before the rules below are honoured.
        lines += [
            "# Needs AllowOverride FileInfo Indexes Options=MultiViews (the host's Apache config).",
            "<IfModule mod_dir.c>",
            "  DirectorySlash Off",
            "</IfModule>",
            "AddType text/html .html",
            "AddType text/turtle .ttl",
            "AddType application/ld+json .jsonld",
            "AddType application/n-triples .nt",
            "AddCharset utf-8 .html .ttl .nt",
        ]
    lines.append("RewriteEngine on")
    resource = r"^((?:id/.+)|ontology(?:/[^/]+)?)$"
    # A path naming one representation (…/B4.ttl) is served as it is; here, a path is rewritten
    # only onto a file that exists (an unknown resource is 404, not a rewrite loop).

    def as_is(suffix: str) -> str:
        if target:
            return "RewriteCond %{REQUEST_URI} !\\.(html|ttl|jsonld|nt)$"
        return f"RewriteCond %{{REQUEST_FILENAME}}{suffix} -f"

    # The Accept header's q-values, as far as patterns can weigh them: an RDF syntax is served
    # (1) when the client takes it at full quality and HTML at less or not at all, in the order
    # below; else (2) when the client takes it at all (not q=0) and never names HTML; else HTML.
    rdf = (
        (r"text/turtle", ".ttl"),
        (r"application/ld\+json", ".jsonld"),
        (r"application/n-triples", ".nt"),
    )
    named = r"(^|,)\s*{}"  # a media range of the header
    full = r"\s*(;\s*q=1(\.0{0,3})?\s*)?(,|$)"  # ... taken at full quality
    refused = r"\s*;\s*q=0(\.0{0,3})?\s*(,|$)"  # ... taken not at all
    html = named.format("text/html")
    tiers: tuple[Callable[[str], list[str]], ...] = (
        lambda media: [named.format(media) + full, f"!{html}{full}"],
        lambda media: [
            named.format(media) + r"\s*(;|,|$)",
            f"!{named.format(media)}{refused}",
            f"!{html}",
        ],
    )
    for conditions in tiers:
        for media, suffix in rdf:
            lines += [
                as_is(suffix),
                *(f"RewriteCond %{{HTTP_ACCEPT}} {c} [NC]" for c in conditions(media)),
                f"RewriteRule {resource} {prefix}$1{suffix} [{flag}]",
            ]
    lines += [
        as_is(".html"),
        f"RewriteRule {resource} {prefix}$1.html [{flag}]",
    ]
    if target:
        lines += [
            f"RewriteRule ^$ {prefix}index.html [R=302,L]",
            f"RewriteRule ^(.+)$ {prefix}$1 [R=302,L]",
        ]
    return "\n".join(lines) + "\n"
