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

import difflib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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

RESULT_SUFFIXES: dict[str, str] = {
    ".txt": "table",
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".srj": "json",
    ".xml": "xml",
    ".srx": "xml",
}
"""File suffix → result format of a SELECT/ASK answer written with `query -o FILE`."""

CONSTRUCT_SUFFIXES: dict[str, str] = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".xml": "application/rdf+xml",
}
"""File suffix → media type of a CONSTRUCT/DESCRIBE answer written with `query -o FILE`."""

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
    ``integer`` (an ``xsd:integer``), ``boolean`` (``yes``/``no`` → ``xsd:boolean``).
    `values` is a SELECT whose ``?value`` column lists the accepted values (``# values: NAME
    SELECT …``); ``iri:BASE`` parameters are checked against the graph's keys without one.
    """

    name: str
    kind: str
    description: str
    default: str | None = None
    values: str | None = None

    @property
    def example(self) -> str | None:
        """A value to show: the word after "like" in the description, else the default."""
        match = re.search(r"\blike (\S+?)[,;)]?(?:\s|$)", self.description)
        return match.group(1) if match else self.default


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in `graph/queries/NAME.rq`, with its header."""

    name: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


_HEADER = re.compile(r"^#\s*(name|description|param|values):\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<kind>iri(?::\S*)?|string|integer|boolean)"
    r"(?:\s*=\s*(?P<default>\S+))?\s*(?:[—-]+\s*(?P<description>.*))?$"
)


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the header comment of a `.rq` file (its leading `#` lines)."""
    description = ""
    params: list[Param] = []
    checks: dict[str, str] = {}
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
        elif key == "values":
            target, _, select = value.partition(" ")
            checks[target] = select.strip()
    unknown = sorted(set(checks) - {p.name for p in params})
    if unknown:
        raise SourceError(
            f"{name}.rq", None, f"values header for undeclared parameter {unknown[0]!r}"
        )
    params = [replace(p, values=checks.get(p.name)) for p in params]
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


ParamValues = Mapping[str, str | Sequence[str]]
"""Parameter values by name: one value, or several (bound as several rows of a VALUES block)."""


def parse_param_pairs(pairs: Iterable[str]) -> dict[str, list[str]]:
    """``["cell=drug/B4", "cell=drug/B3"]`` → ``{"cell": ["drug/B4", "drug/B3"]}``.

    The value may contain anything; a key given twice collects several values.
    """
    values: dict[str, list[str]] = {}
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
        values.setdefault(key, []).append(value)
    return values


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _iri(value: str) -> NamedNode:
    # Characters that cannot occur in an IRI are percent-encoded, so a value such as
    # `drug/B4" } UNION {…` is still one (non-matching) IRI rather than an error or an injection.
    try:
        return NamedNode(quote(value, safe="/:#?&=;,+$@!*'()~%-._[]"))
    except ValueError as exc:
        raise QueryError(f"parameter value {value!r} is not a valid IRI: {exc}") from None


_BOOLEANS = {
    "yes": "true",
    "true": "true",
    "1": "true",
    "no": "false",
    "false": "false",
    "0": "false",
}


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
    if kind == "boolean":
        flag = _BOOLEANS.get(value.strip().lower())
        if flag is None:
            raise QueryError(f"parameter value {value!r} is not yes or no")
        return Literal(flag, datatype=NamedNode(XSD + "boolean"))
    if kind == "iri" or re.match(r"https?://", value):
        return _iri(value.strip("<>") if value.startswith("<") else value)
    base = kind.partition(":")[2]
    return _iri(ID + base + value)


def bind_params(query: str, params: ParamValues, declared: Sequence[Param] | None = None) -> str:
    """`query` with `params` joined as a VALUES block of RDF terms at the start of its WHERE group.

    With `declared` (a named query), every parameter must be declared, defaults fill in missing
    values, and a required parameter without a value is an error. A parameter with several values
    gives several rows (every combination, when several parameters have several values).
    """
    terms: dict[str, list[NamedNode | Literal]] = {}
    if declared is not None:
        known = {p.name: p for p in declared}
        for key in params:
            if key not in known:
                accepted = ", ".join(sorted(known)) or "none"
                raise QueryError(f"unknown parameter {key!r}; this query takes: {accepted}")
        for p in declared:
            given = params.get(p.name)
            values = _as_list(given) if given is not None else []
            if not values and p.default is not None:
                values = [p.default]
            if not values:
                raise QueryError(
                    f"missing parameter {p.name!r} ({p.description or p.kind}); "
                    f"pass -p {p.name}=VALUE"
                )
            terms[p.name] = [to_term(v, p.kind) for v in values]
    else:
        terms = {key: [to_term(v, None) for v in _as_list(value)] for key, value in params.items()}
    if not terms:
        return query
    names = sorted(terms)
    variables = " ".join("?" + n for n in names)
    rows = itertools.product(*(dict.fromkeys(terms[n]) for n in names))
    table = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in rows)
    block = f"VALUES ({variables}) {{ {table} }}"
    at = _where_brace(query)
    return f"{query[: at + 1]} {block}{query[at + 1 :]}"


def check_params(store: Store, named: NamedQuery, params: ParamValues) -> None:
    """Refuse a value the graph does not hold (an unknown cell, claim, shape…) before running.

    Without this a mistyped key is a silent ``(0 rows)``; with it the user sees the closest
    valid values. Parameters of kind ``iri:BASE`` are checked against the keys under BASE that
    have a type; a parameter with a ``values`` query against that query's ``?value`` column.
    """
    for p in named.params:
        given = params.get(p.name)
        if given is None:
            continue
        valid = _valid_values(store, p)
        if valid is None:
            continue
        folded = {v.lower(): v for v in valid}
        for value in _as_list(given):
            if value in valid or (p.values and value.lower() in folded):
                continue
            close = difflib.get_close_matches(value.lower(), list(folded), n=3, cutoff=0.5)
            what = p.kind.partition(":")[2].rstrip("/") or p.name
            message = f"no {what} {value!r} in the graph (parameter {p.name!r} of {named.name})"
            error = QueryError(message)
            if close:
                error.hint = "did you mean " + " or ".join(folded[c] for c in close) + "?"
            elif valid:
                shown = ", ".join(sorted(valid)[:8]) + (" …" if len(valid) > 8 else "")
                error.hint = f"valid values: {shown}"
            raise error


def _valid_values(store: Store, p: Param) -> list[str] | None:
    """The values `p` accepts in this graph, or None when they cannot be listed."""
    if p.values:
        answer = store.query(p.values)
        assert isinstance(answer, QuerySolutions)
        return sorted({_display_value(s["value"]) for s in answer if s["value"] is not None})
    if not p.kind.startswith("iri:"):
        return None
    base = ID + p.kind.partition(":")[2]
    depth = (p.example or "").count("/")
    query = f'SELECT DISTINCT ?s WHERE {{ ?s a ?type FILTER(STRSTARTS(STR(?s), "{base}")) }}'
    answer = store.query(query)
    assert isinstance(answer, QuerySolutions)
    keys = {str(s["s"].value)[len(base) :] for s in answer if isinstance(s["s"], NamedNode)}
    return sorted(k for k in keys if k.count("/") == depth)


def _display_value(term: Term) -> str:
    return term.value if isinstance(term, NamedNode | Literal) else str(term)


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


def is_graph_query(query: str) -> bool:
    """True for CONSTRUCT and DESCRIBE, whose answer is triples rather than a table."""
    return query_kind(query) in ("CONSTRUCT", "DESCRIBE")


def format_for_suffix(path: str | Path, query: str) -> str:
    """The format `query -o PATH` writes: a result format, or a graph media type for CONSTRUCT."""
    suffix = Path(path).suffix.lower()
    graph = is_graph_query(query)
    table = CONSTRUCT_SUFFIXES if graph else RESULT_SUFFIXES
    if suffix not in table:
        kind = "a CONSTRUCT/DESCRIBE answer" if graph else "a table of results"
        raise UnknownFormat(suffix or "(no suffix)", table, what=f"file suffix for {kind}")
    return table[suffix]


def keep_star_order(store: Store, query: str) -> str:
    """`SELECT *` with its variables spelt out in the order they first appear in the query.

    Oxigraph answers ``SELECT *`` with the variables sorted by name (and a bound parameter's
    VALUES block would come first in any case); a person expects the order they wrote.
    """
    star = _select_star(query)
    if star is None:
        return query
    try:
        answer = store.query(query)
    except (SyntaxError, OSError, RuntimeError):
        return query  # reported with its position when the query itself runs
    if not isinstance(answer, QuerySolutions):
        return query
    in_scope = {v.value for v in answer.variables}
    order = [v for v in _variables_in_order(query[star + 1 :]) if v in in_scope]
    order += sorted(in_scope - set(order))
    if not order:
        return query
    return query[:star] + " ".join("?" + v for v in order) + query[star + 1 :]


def is_select_star(query: str) -> bool:
    """True for a top-level ``SELECT *`` (whose variable order `keep_star_order` restores)."""
    return _select_star(query) is not None


def _select_star(query: str) -> int | None:
    """Offset of the `*` of a top-level ``SELECT [DISTINCT|REDUCED] *``, if the query has one."""
    seen_select = False
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "comment" or kind == "iri":
            continue
        word = match.group().upper()
        if not seen_select:
            # Before SELECT come only PREFIX/BASE declarations (their names are words too).
            if kind == "word" and word == "SELECT":
                seen_select = True
            elif kind == "word" and word in ("CONSTRUCT", "ASK", "DESCRIBE") or kind == "open":
                return None
            continue
        if kind == "word" and word in ("DISTINCT", "REDUCED"):
            continue
        return match.start() if match.group() == "*" else None
    return None


def _variables_in_order(text: str) -> list[str]:
    names: dict[str, None] = {}
    previous: re.Match[str] | None = None
    for match in _TOKEN.finditer(text):
        if (
            match.lastgroup == "word"
            and previous is not None
            and previous.group() in ("?", "$")
            and previous.end() == match.start()
        ):
            names.setdefault(match.group(), None)
        previous = match
    return list(names)


def run(
    store: Store,
    query: str,
    *,
    result_format: str = "table",
    graph_media_type: str = "text/turtle",
    width: int = 60,
) -> Output:
    """Run `query` over the store's default graph (see `open_store`) and format its answer.

    `result_format` is case-insensitive; `width` cuts the cells of the plain-text table. There
    is no time limit here: Oxigraph cannot cancel a query, so a limit that stops the work needs
    a process to kill (`graph.service.pool.run_isolated`).
    """
    result_format = result_format.lower()
    if result_format not in RESULT_FORMATS:
        raise UnknownFormat(result_format, RESULT_FORMATS)
    return _evaluate(store, query, result_format, graph_media_type, width)


def _evaluate(
    store: Store, query: str, result_format: str, graph_media_type: str, width: int
) -> Output:
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
    table = _table(names, rows, max_width=width)
    return Output(table.encode("utf-8"), RESULT_FORMATS["table"], len(rows))


def _used_prefixes(triples: Sequence[Triple]) -> dict[str, str]:
    iris = {
        term.value
        for t in triples
        for term in (t.subject, t.predicate, t.object)
        if isinstance(term, NamedNode)
    }
    # An IRI holds no line break: a namespace starts one of them where a line starts with it.
    lines = "\n" + "\n".join(iris)
    # The prefixes of the built files: in Turtle results, keys read better as full IRIs.
    return {p: ns for p, ns in FILE_PREFIXES.items() if "\n" + ns in lines}


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
    """An aligned plain-text table; cells longer than `max_width` are cut (0: never)."""

    def cut(text: str) -> str:
        if max_width <= 0 or len(text) <= max_width:
            return text
        return text[: max(max_width - 1, 1)] + "…"

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
) -> Output:
    """Run named query `name` with `params` on the built graph at `graph` (file or build dir)."""
    named = get_named_query(name)
    text = bind_params(named.text, dict(params or {}), named.params)
    return run(open_store(graph), text, result_format=result_format)
