"""SPARQL over a built graph: load it into Oxigraph, bind parameters as RDF terms, run, format.

This module is on the start-up path of `evidence-graph query`, so it imports only the standard
library and `pyoxigraph` (no rdflib): a cold `query` must stay well under a second.

Parameters are never pasted into query text as strings. Each `-p KEY=VALUE` becomes an RDF term
(an IRI, a plain or typed literal) whose N-Triples form is escaped by Oxigraph; the terms are joined
to the query as a ``VALUES`` block at the start of its ``WHERE`` group. (Oxigraph 0.5's own
``substitutions`` argument only accepts projected variables, and a ``VALUES`` block gives the very
same query text to a remote SPARQL server, so local and remote answers can be compared.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
)

from ...ontology import ID
from ...ontology.prefixes import FILE_PREFIXES, PREFIXES, declare, shorten
from ..base.errors import QueryError, SourceError, UnknownFormat
from ..base.files import BUILD_GRAPH_FILE, GRAPH_SUFFIXES, resolve_graph_path
from . import guard

XSD = PREFIXES["xsd"]

UPDATE_KEYWORDS = guard.UPDATE_KEYWORDS
"""First keywords of a SPARQL Update request (refused everywhere: reading is read-only)."""


RESULT_FORMATS: dict[str, str] = {
    "table": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
}
"""Result formats of SELECT/ASK queries and their media types; CONSTRUCT/DESCRIBE give Turtle."""

GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}

_SERIALIZED: dict[str, QueryResultsFormat] = {
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
}

Term = NamedNode | BlankNode | Literal | Triple


# --------------------------------------------------------------------------- loading the graph


UNION_UPDATE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
"""Copies every named graph's triples into the default graph, once each (an RDF merge, a set)."""


def merge_union(store: Store) -> None:
    """Make the default graph of `store` the union of its named graphs, as a set of triples.

    Oxigraph's ``use_default_graph_as_union`` is not an RDF merge: a triple held in several named
    graphs comes back once per graph, so counts inflate and joins multiply rows. Queries here run
    over a real default graph instead; the named graphs stay queryable with ``GRAPH``.
    """
    if next(iter(store.named_graphs()), None) is not None:
        store.update(UNION_UPDATE)


def open_store(path: str | Path, *, memory: bool = False) -> Store:
    """An Oxigraph store holding the built graph at `path` (file or build directory).

    The one place that loads a graph for SPARQL: `query`, `serve` and `push` all go through it.
    The named graphs are loaded as they are and their union (a set) fills the default graph, which
    is what a query without ``GRAPH`` sees.

    A build directory with a persisted store (`build --store oxigraph`, see `graph.persist`) is
    opened read-only, without parsing, unless `memory`. Measured at 1M triples (README `scale`):
    loading into memory takes ~7.5 s, while a query answered from RocksDB costs 1.3-11x its
    in-memory time (at most ~5 s more), so one query (`query`, `push`) is fastest on the persisted
    store and a server (`serve`, many queries) loads the graph into memory once.
    """
    target = resolve_graph_path(path)
    if target.name == BUILD_GRAPH_FILE and not memory:
        from ..pipeline.persisted_store import open_persisted

        persisted = open_persisted(target.parent)
        if persisted is not None:
            return persisted
    suffix = target.suffix.lower()
    if suffix not in GRAPH_SUFFIXES:
        raise SourceError(
            target,
            None,
            f"cannot load {target.suffix or 'a file without suffix'} as RDF",
            hint=f"use one of {', '.join(sorted(GRAPH_SUFFIXES))}",
        )
    rdf_format = RdfFormat.from_extension(suffix[1:])
    assert rdf_format is not None, suffix
    store = Store()
    try:
        store.load(path=str(target), format=rdf_format)
    except SyntaxError as exc:
        message = f"not valid {rdf_format.name}: {_one_line(str(exc))}"
        raise SourceError(target, None, message) from None
    merge_union(store)
    return store


# --------------------------------------------------------------------------- named queries


@dataclass(frozen=True)
class Param:
    """A declared parameter of a named query: ``# param: NAME KIND [= DEFAULT] — description``.

    KIND says how a value becomes an RDF term: ``iri:cell/`` (a key under the identifier base, so
    ``drug/B4`` → ``…/id/cell/drug/B4``), ``iri`` (a full IRI), ``string`` (a plain literal),
    ``integer`` (an ``xsd:integer``).
    """

    name: str
    kind: str
    description: str
    default: str | None = None

    @property
    def example(self) -> str | None:
        """A value to show: the default, or the word after "like" in the description."""
        if self.default is not None:
            return self.default
        match = re.search(r"\blike (\S+?)[,;)]?(?:\s|$)", self.description)
        return match.group(1) if match else None


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in `graph/queries/NAME.rq`, with its header."""

    name: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


_HEADER = re.compile(r"^#\s*(name|description|param):\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<kind>iri(?::\S*)?|string|integer)"
    r"(?:\s*=\s*(?P<default>\S+))?\s*(?:[—-]+\s*(?P<description>.*))?$"
)


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the header comment of a `.rq` file (its leading `#` lines)."""
    description = ""
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "description":
            description = value
        elif key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise SourceError(f"{name}.rq", None, f"bad param header: {value!r}")
            params.append(
                Param(pm["name"], pm["kind"], pm["description"] or "", pm["default"] or None)
            )
    return NamedQuery(name=name, description=description, text=text, params=tuple(params))


def named_queries() -> dict[str, NamedQuery]:
    """Every named query shipped with the package, by name, sorted."""
    folder = resources.files("evidence_graph.graph.service.queries")
    found: dict[str, NamedQuery] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            found[name] = parse_named_query(name, entry.read_text(encoding="utf-8"))
    return found


def get_named_query(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        raise UnknownFormat(name, queries, what="named query")
    return queries[name]


# --------------------------------------------------------------------------- parameters


def parse_param_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """``["cell=drug/B4", …]`` → ``{"cell": "drug/B4"}``; the value may contain anything."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise QueryError(f"bad parameter {pair!r}: expected KEY=VALUE with KEY a variable name")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise QueryError(
                f"parameter {key!r}: the value is not valid UTF-8 text; pass it as UTF-8"
            ) from None
        values[key] = value
    return values


def _iri(value: str) -> NamedNode:
    # Characters that cannot occur in an IRI are percent-encoded, so a value such as
    # `drug/B4" } UNION {…` is still one (non-matching) IRI rather than an error or an injection.
    try:
        return NamedNode(quote(value, safe="/:#?&=;,+$@!*'()~%-._[]"))
    except ValueError as exc:
        raise QueryError(f"parameter value {value!r} is not a valid IRI: {exc}") from None


def to_term(value: str, kind: str | None) -> NamedNode | Literal:
    """The RDF term of one parameter value, typed by its declared KIND (guessed when ad hoc)."""
    if kind is None:
        if value.startswith("<") and value.endswith(">"):
            return _iri(value[1:-1])
        if re.match(r"https?://", value):
            return _iri(value)
        if re.fullmatch(r"[+-]?\d+", value):
            return Literal(value, datatype=NamedNode(XSD + "integer"))
        return Literal(value)
    if kind == "string":
        return Literal(value)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise QueryError(f"parameter value {value!r} is not an integer")
        return Literal(value.strip(), datatype=NamedNode(XSD + "integer"))
    if kind == "iri" or re.match(r"https?://", value):
        return _iri(value.strip("<>") if value.startswith("<") else value)
    base = kind.partition(":")[2]
    return _iri(ID + base + value)


def bind_params(
    query: str, params: Mapping[str, str], declared: Sequence[Param] | None = None
) -> str:
    """`query` with `params` joined as a VALUES block of RDF terms at the start of its WHERE group.

    With `declared` (a named query), every parameter must be declared, defaults fill in missing
    values, and a required parameter without a value is an error.
    """
    terms: dict[str, NamedNode | Literal] = {}
    if declared is not None:
        known = {p.name: p for p in declared}
        for key in params:
            if key not in known:
                accepted = ", ".join(sorted(known)) or "none"
                raise QueryError(f"unknown parameter {key!r}; this query takes: {accepted}")
        for p in declared:
            value = params.get(p.name, p.default)
            if value is None:
                raise QueryError(
                    f"missing parameter {p.name!r} ({p.description or p.kind}); "
                    f"pass -p {p.name}=VALUE"
                )
            terms[p.name] = to_term(value, p.kind)
    else:
        terms = {key: to_term(value, None) for key, value in params.items()}
    if not terms:
        return query
    names = sorted(terms)
    variables = " ".join("?" + n for n in names)
    values = " ".join(str(terms[n]) for n in names)
    block = f"VALUES ({variables}) {{ ({values}) }}"
    at = _where_brace(query)
    return f"{query[: at + 1]} {block}{query[at + 1 :]}"


_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{)
  | (?P<other>[^\s])
    """,
    re.VERBOSE | re.DOTALL,
)


def _where_brace(query: str) -> int:
    """Offset of the `{` that opens the outermost WHERE group (comments, strings, IRIs skipped)."""
    construct = False
    after_where = False
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "word":
            word = match.group().upper()
            if word == "CONSTRUCT":
                construct = True
            after_where = word == "WHERE"
        elif kind == "open":
            if after_where or not construct:
                return match.start()
            # CONSTRUCT { template } WHERE? { pattern }: skip the template's braces.
            return _where_brace_after_template(query, match.start())
        elif kind != "comment":
            after_where = False
    raise QueryError("cannot bind parameters: the query has no WHERE group")


def _where_brace_after_template(query: str, start: int) -> int:
    depth = 0
    for match in _TOKEN.finditer(query, start):
        kind = match.lastgroup
        if kind == "open":
            if depth == 0 and match.start() != start:
                return match.start()
            depth += 1
        elif kind == "other" and match.group() == "}":
            depth -= 1
    raise QueryError("cannot bind parameters: the query has no WHERE group")


# --------------------------------------------------------------------------- running and formatting


@dataclass(frozen=True)
class Output:
    """A formatted query answer and its media type."""

    body: bytes
    media_type: str
    rows: int | None = None


def _one_line(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= 200 else text[:197] + "..."


def query_kind(query: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE — or an update keyword (INSERT, DELETE, LOAD…)."""
    return guard.query_kind(query)


def run(
    store: Store,
    query: str,
    *,
    result_format: str = "table",
    graph_media_type: str = "text/turtle",
    timeout: float | None = None,
) -> Output:
    """Run `query` over the store's default graph (see `open_store`) and format its answer.

    Oxigraph cannot cancel a running query, so with a `timeout` the query runs in a daemon thread
    (Oxigraph releases the GIL while it evaluates) that is abandoned when time is up.
    """
    if result_format not in RESULT_FORMATS:
        raise UnknownFormat(result_format, RESULT_FORMATS)
    outcome: list[Output | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_evaluate(store, query, result_format, graph_media_type))
        except BaseException as exc:  # handed to the calling thread, raised there
            outcome.append(exc)

    if timeout is None:
        work()
    else:
        worker = threading.Thread(target=work, name="sparql-query", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryError(f"query timed out after {timeout:g} s")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _evaluate(store: Store, query: str, result_format: str, graph_media_type: str) -> Output:
    try:
        answer = store.query(query)
    except SyntaxError as exc:
        kind = query_kind(query)
        if kind in UPDATE_KEYWORDS:
            raise QueryError(f"{kind} is an update; only queries are allowed here") from None
        raise QueryError(f"bad SPARQL: {_one_line(str(exc))}") from None
    except (OSError, RuntimeError) as exc:
        raise QueryError(f"query failed: {_one_line(str(exc))}") from None
    if isinstance(answer, QueryTriples):
        rdf_format = GRAPH_FORMATS.get(graph_media_type, RdfFormat.TURTLE)
        from pyoxigraph import serialize

        triples = list(answer)
        body = serialize(triples, format=rdf_format, prefixes=_used_prefixes(triples)) or b""
        return Output(body, rdf_format.media_type, len(triples))
    if isinstance(answer, QueryBoolean):
        if result_format in _SERIALIZED:
            data = answer.serialize(format=_SERIALIZED[result_format]) or b""
            return Output(data, RESULT_FORMATS[result_format])
        return Output(b"true\n" if bool(answer) else b"false\n", RESULT_FORMATS[result_format])
    assert isinstance(answer, QuerySolutions)
    if result_format in _SERIALIZED:
        data = answer.serialize(format=_SERIALIZED[result_format]) or b""
        return Output(data, RESULT_FORMATS[result_format])
    names = [v.value for v in answer.variables]
    rows = [[_display(solution[i]) for i in range(len(names))] for solution in answer]
    return Output(_table(names, rows).encode("utf-8"), RESULT_FORMATS["table"], len(rows))


def _used_prefixes(triples: Sequence[Triple]) -> dict[str, str]:
    iris = {
        term.value
        for t in triples
        for term in (t.subject, t.predicate, t.object)
        if isinstance(term, NamedNode)
    }
    # The prefixes of the built files: in Turtle results, keys read better as full IRIs.
    return {p: ns for p, ns in FILE_PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def is_update(query: str) -> bool:
    """Whether `query` is a SPARQL Update request rather than a query."""
    return query_kind(query) in UPDATE_KEYWORDS


def with_prefixes(query: str) -> str:
    """An ad-hoc `query` with the project's prefixes declared where it does not declare them."""
    return declare(query)


def _display(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return shorten(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        return " ".join(term.value.split())
    return str(term)


def _table(names: Sequence[str], rows: Sequence[Sequence[str]], max_width: int = 60) -> str:
    """An aligned plain-text table; long cells are cut with an ellipsis."""

    def cut(text: str) -> str:
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    header = [f"?{n}" for n in names]
    body = [[cut(c) for c in row] for row in rows]
    widths = [max([len(header[i])] + [len(r[i]) for r in body]) for i in range(len(names))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def run_named(
    graph: str | Path,
    name: str,
    params: Mapping[str, str] | None = None,
    *,
    result_format: str = "table",
    timeout: float | None = None,
) -> Output:
    """Run named query `name` with `params` on the built graph at `graph` (file or build dir)."""
    named = get_named_query(name)
    text = bind_params(named.text, dict(params or {}), named.params)
    return run(open_store(graph), text, result_format=result_format, timeout=timeout)
