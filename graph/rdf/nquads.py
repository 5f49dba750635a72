"""Quads as N-Quads text: the line form the Oxigraph store loads in bulk and the page cache keeps.

Lines are made once per quad, then de-duplicated and sorted per graph, so
the same quads always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_XSD_STRING = str(XSD.string)


def escape(value: str) -> str:
    """`value` as the text of an N-Triples string literal: backslash, quote, line feed and carriage
    return escaped (the characters the grammar forbids raw); everything else kept, as UTF-8."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def term(node: Node) -> str:
    """`node` in N-Quads syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = f'"{escape(str(node))}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{text}^^<{node.datatype}>"
        return text
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"cannot write {node!r} as N-Quads")


def term_lines(quads: Iterable[tuple[str, str, str, str]]) -> dict[str, list[str]]:
    """Graph term → its N-Quads lines (unsorted, may repeat), for quads in line form
    (`rdf.make.TermQuad`; rdflib quads become those through `rdf.make.line_quads`)."""
    out: dict[str, list[str]] = {}
    for s, p, o, g in quads:
        bucket = out.get(g)
        if bucket is None:
            bucket = out[g] = []
        bucket.append(f"{s} {p} {o} {g} .\n")
    return out


def graph_chunk(lines: Iterable[str]) -> bytes:
    """One graph's lines, de-duplicated and sorted, as UTF-8 N-Quads."""
    return "".join(sorted(set(lines))).encode("utf-8")


def page_chunk(by_graph: Mapping[str, Iterable[str]], own: str) -> bytes:
    """A page's lines: its own graph `own` first, then the other graphs it adds to (sorted)."""
    rest = sorted(g for g in by_graph if g != own)
    return b"".join(graph_chunk(by_graph[g]) for g in [own, *rest] if g in by_graph)


def split_page_chunk(chunk: bytes, own: str) -> tuple[bytes, bytes]:
    """A page's lines (`page_chunk`) cut in two: those of its own graph `own`, and the rest."""
    suffix = f" {own} .\n".encode()
    cut = chunk.find(b"\n", chunk.rfind(suffix)) + 1 if suffix in chunk else 0
    return chunk[:cut], chunk[cut:]
