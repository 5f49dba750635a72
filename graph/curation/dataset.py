"""The dataset description (``dataset.yaml``) and external identifiers (``identifiers.yaml``).

Both are small curated YAML files; a mistake is reported with its file and line. Records only: the
RDF (VoID, DCAT, identifiers) is made in `graph.rdf.make`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..base import yamltext
from ..base.errors import SourceError
from ..base.records import Creator, DatasetDescription, Identifiers

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^[1-9]\d{0,8}$")


def _load(path: Path) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, None, f"cannot read: {exc}") from exc
    try:
        return yamltext.compose(text)
    except yaml.YAMLError as exc:
        raise yamltext.source_error(path, exc) from exc


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _mapping(
    path: Path, node: yaml.Node | None, what: str, allowed: set[str], required: set[str]
) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        line = _line(node) if node is not None else None
        raise SourceError(path, line, f"{what} must be a mapping (key: value lines)")
    items: dict[str, yaml.Node] = {}
    for key_node, value in node.value:
        key = str(key_node.value)
        if key not in allowed:
            raise SourceError(
                path, _line(key_node), f"unknown key {key!r} in {what}",
                hint=f"allowed keys: {', '.join(sorted(allowed))}",
            )  # fmt: skip
        if key in items:
            raise SourceError(path, _line(key_node), f"duplicate key {key!r} in {what}")
        items[key] = value
    missing = sorted(required - set(items))
    if missing:
        raise SourceError(path, _line(node), f"{what} lacks the required key {missing[0]!r}")
    return items


def _scalar(path: Path, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise SourceError(path, _line(node), f"{what} must be one non-empty value")
    return " ".join(str(node.value).split())


def _iri(path: Path, node: yaml.Node, what: str) -> str:
    value = _scalar(path, node, what)
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", value):
        raise SourceError(path, _line(node), f"{what} must be an http(s) IRI, not {value!r}")
    return value


def load_dataset_description(path: Path) -> DatasetDescription:
    """Read ``dataset.yaml``; `SourceError` (file, line) on a missing or malformed field."""
    top = _mapping(
        path, _load(path), "the dataset description",
        {"title", "description", "version", "creators", "licence", "source", "homepage",
         "downloads", "sparql_endpoint", "keywords"},
        {"title", "description", "version", "creators", "licence", "source", "homepage"},
    )  # fmt: skip
    creators: list[Creator] = []
    node = top["creators"]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise SourceError(path, _line(node), "creators must be a non-empty list")
    for item in node.value:
        fields = _mapping(path, item, "a creator", {"name", "url"}, {"name"})
        url = _iri(path, fields["url"], "a creator's url") if "url" in fields else ""
        creators.append(Creator(_scalar(path, fields["name"], "a creator's name"), url))
    licence = _mapping(path, top["licence"], "licence", {"url", "covers"}, {"url", "covers"})
    source = _mapping(
        path, top["source"], "source", {"title", "url", "terms"}, {"title", "url", "terms"}
    )
    keywords: tuple[str, ...] = ()
    if "keywords" in top:
        node = top["keywords"]
        if not isinstance(node, yaml.SequenceNode):
            raise SourceError(path, _line(node), "keywords must be a list")
        keywords = tuple(_scalar(path, k, "a keyword") for k in node.value)
    homepage = _iri(path, top["homepage"], "homepage")
    return DatasetDescription(
        title=_scalar(path, top["title"], "title"),
        description=_scalar(path, top["description"], "description"),
        version=_scalar(path, top["version"], "version"),
        creators=tuple(creators),
        licence=_iri(path, licence["url"], "licence url"),
        rights=_scalar(path, licence["covers"], "licence covers"),
        source_title=_scalar(path, source["title"], "source title"),
        source_url=_iri(path, source["url"], "source url"),
        source_terms=_scalar(path, source["terms"], "source terms"),
        homepage=homepage,
        downloads=_iri(path, top["downloads"], "downloads") if "downloads" in top else homepage,
        sparql_endpoint=(
            _iri(path, top["sparql_endpoint"], "sparql_endpoint")
            if "sparql_endpoint" in top
            else ""
        ),
        keywords=keywords,
    )


def load_identifiers(path: Path, documents: set[str] | None = None) -> tuple[Identifiers, ...]:
    """Read ``identifiers.yaml`` (document key → doi / pmid / url, each with where it was verified).

    With `documents`, a key naming no document of the build is an error (a typo would otherwise
    silently attach nothing).
    """
    root = _load(path)
    if root is None:
        return ()
    top = _mapping(path, root, "the identifiers file", {"documents"}, set())
    node = top.get("documents")
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~")):
        return ()
    if not isinstance(node, yaml.MappingNode):
        raise SourceError(path, _line(node), "documents must map document keys to identifiers")
    result: list[Identifiers] = []
    for key_node, value in node.value:
        key = _scalar(path, key_node, "a document key")
        if not key.startswith("doc/"):
            raise SourceError(
                path, _line(key_node), f"{key!r} is not a document key",
                hint="keys look like doc/2009-can-therapists-be-too-accommodating",
            )  # fmt: skip
        if documents is not None and key not in documents:
            raise SourceError(
                path, _line(key_node), f"no document {key!r} in the build",
                hint="copy the key from `evidence-graph explain` or the graph",
            )  # fmt: skip
        fields = _mapping(
            path, value, f"identifiers of {key}", {"doi", "pmid", "url", "verified"}, {"verified"}
        )
        doi = _scalar(path, fields["doi"], "doi") if "doi" in fields else ""
        if doi and not _DOI.match(doi):
            raise SourceError(path, _line(fields["doi"]), f"{doi!r} is not a DOI (10.NNNN/…)")
        pmid = _scalar(path, fields["pmid"], "pmid") if "pmid" in fields else ""
        if pmid and not _PMID.match(pmid):
            raise SourceError(path, _line(fields["pmid"]), f"{pmid!r} is not a PubMed ID")
        url = _iri(path, fields["url"], "url") if "url" in fields else ""
        if not (doi or pmid or url):
            raise SourceError(path, _line(key_node), f"{key}: give a doi, pmid or url")
        result.append(
            Identifiers(
                document=key,
                doi=doi,
                pmid=pmid,
                url=url,
                verified=_scalar(path, fields["verified"], "verified"),
                line=_line(key_node),
            )
        )
    return tuple(sorted(result, key=lambda i: i.document))
