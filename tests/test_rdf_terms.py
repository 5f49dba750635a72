"""Terms in line form (graph/rdf/make.py): N-Triples text the Oxigraph store loads as it is, and
the one converter to rdflib terms — checked against two independent N-Quads parsers."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from evidence_graph.graph.base.records import Entry, Mention, Section
from evidence_graph.graph.parsing.page import parse_file
from evidence_graph.graph.pipeline.pages import page_graph_chunk, page_terms
from evidence_graph.graph.rdf import make as rdf
from evidence_graph.graph.rdf.nquads import page_chunk, term_lines

SEEDS = Path(__file__).resolve().parent.parent / "data" / "cells" / "drug"

HOSTILE = [
    "",
    'a "quoted" word',
    "back\\slash and \\n not a newline",
    "line\nfeed and carriage\rreturn and crlf\r\n",
    "tab\there, form\ffeed, bell\x07, nul\x00, escape\x1b, delete\x7f",
    "non-ASCII kept: lécture, лечение, 治疗, emoji 🧪, zero\u200bwidth, line\u2028sep",
    "ends with a backslash \\",
    '\\"',
    '"""',
    "\\u0041 is not an escape here",
    "> < ^^ @en _:b0 . #",
]


def _oxigraph_literal(text: str) -> str:
    quads = list(pyoxigraph.parse(text.encode("utf-8"), pyoxigraph.RdfFormat.N_QUADS))
    assert len(quads) == 1
    obj = quads[0].object
    assert isinstance(obj, pyoxigraph.Literal)
    return obj.value


@pytest.mark.parametrize("value", HOSTILE)
def test_text_terms_parse_back_exactly(value: str) -> None:
    line = f"<http://x/s> <http://x/p> {rdf.text_term(value)} <http://x/g> .\n"
    assert _oxigraph_literal(line) == value
    ds = Dataset()
    ds.parse(data=line, format="nquads")
    assert [o for _, _, o, _ in ds.quads()] == [Literal(value)]
    assert rdf.rdflib_term(rdf.text_term(value)) == Literal(value)


def test_converter_reads_any_n_triples_term() -> None:
    assert rdf.rdflib_term("<http://x/a>") == URIRef("http://x/a")
    assert rdf.rdflib_term('"chat"@fr') == Literal("chat", lang="fr")
    assert rdf.rdflib_term(f'"5"^^<{XSD.integer}>') == Literal(5)
    assert rdf.rdflib_term(f'"true"^^<{XSD.boolean}>') == Literal(True)
    assert rdf.rdflib_term('"t\\tb\\bq\\\'\\u00e9\\U0001F9EA"') == Literal("t\tb\bq'é🧪")


def test_the_converter_agrees_with_rdflib_parsing_the_lines() -> None:
    """A hostile page's quads, converted term by term, equal what rdflib's N-Quads parser reads
    from the lines the fast path writes (the two sinks hold the same graph)."""
    cell = parse_file(SEEDS / "B4.txt")
    entry = cell.entries[0]
    odd = Entry(
        **{
            **{f: getattr(entry, f) for f in entry.__dataclass_fields__},
            "title": HOSTILE[4] + HOSTILE[5],
            "text": entry.text + " doi:10.1000/x(y)z https://example.org/a?b=c&d",
            "annotation": "".join(HOSTILE),
            "mentions": (Mention('an "earlier" version\\', 2011, 3, True),),
        }
    )
    section = Section('A "heading"\\', "\n".join(HOSTILE), 99)
    cell = cell.__class__(
        **{
            **{f: getattr(cell, f) for f in cell.__dataclass_fields__},
            "entries": (odd, *cell.entries[1:]),
            "sections": (*cell.sections, section),
        }
    )
    terms = list(page_terms("cells/drug/B4.txt", "0" * 64, cell, (), (), 0))
    converted = set(rdf.rdflib_quads(terms))
    lines = "".join(line for lines in term_lines(terms).values() for line in lines)
    ds = Dataset()
    ds.parse(data=lines, format="nquads")
    parsed = {
        (s, p, o, g.identifier if hasattr(g, "identifier") else g) for s, p, o, g in ds.quads()
    }
    assert converted == parsed
    assert any("doi.org/10.1000/x(y)z" in str(o) for _, _, o, _ in converted)
    store = pyoxigraph.Store()
    store.load(lines.encode("utf-8"), pyoxigraph.RdfFormat.N_QUADS)
    assert len(store) == len(converted)


def test_page_chunk_equals_the_rdflib_route() -> None:
    """The fast path's bytes equal rdflib terms written by the general line writer."""
    cell = parse_file(SEEDS / "B3.txt")
    fast = page_graph_chunk("cells/drug/B3.txt", "1" * 64, cell, (), (), None)
    quads = rdf.rdflib_quads(page_terms("cells/drug/B3.txt", "1" * 64, cell, (), (), None))
    slow = page_chunk(term_lines(rdf.line_quads(quads)), f"<{rdf.graph_iri('cells/drug/B3.txt')}>")
    assert fast == slow
    assert b"/graph/aligned>" in fast  # entailed triples are there


def test_line_form_namespace_refuses_misspelt_terms() -> None:
    assert rdf.E.Listing == f"<{rdf.EVG.Listing}>"
    with pytest.raises(AttributeError):
        rdf.E.Listng  # noqa: B018
