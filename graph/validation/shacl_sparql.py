"""SHACL Core shapes compiled to SPARQL and run on Oxigraph: validation that scales.

pyshacl walks the data graph in Python (6 s per 100k triples, minutes at a million). The shapes in
``ontology/shapes.ttl`` use a small part of SHACL Core, and each of those constraints is one SPARQL
query over the union of the named graphs. Supported: ``sh:targetClass`` (with
``rdfs:subClassOf*``), ``sh:targetSubjectsOf``, property shapes with an IRI ``sh:path`` and
``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:pattern``, ``sh:in``,
``sh:hasValue``, ``sh:minInclusive``, ``sh:minLength``, ``sh:node`` (to a shape of ``sh:hasValue``
/ ``sh:class`` / ``sh:minCount`` constraints), ``sh:or`` of ``sh:class`` shapes (node or
property level), ``sh:severity`` and ``sh:message``. A shape using anything else raises
`UnsupportedShape`, so the compiler never silently checks less than pyshacl would.

Results agree with pyshacl's (``graph.validate.check``) on focus node, path, value and severity
(tests/test_shacl_sparql.py checks the seed build and graphs broken on purpose); messages agree
where the shape gives ``sh:message``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, QuerySolutions, Store
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from ...ontology import SHAPES_FILE
from ...ontology.prefixes import shorten
from ..base.errors import EvidenceGraphError
from .shacl import Finding, Report, conforming, ordered


def select(store: Store, query: str, union: bool = True) -> QuerySolutions:
    """Run a SELECT over the union of the named graphs (or over the default graph)."""
    result = store.query(query, use_default_graph_as_union=union)
    assert isinstance(result, QuerySolutions)
    return result


RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
RDF_TYPE = f"<{RDF.type}>"

_LEXICAL = {
    str(XSD.integer): r"^[+-]?[0-9]+$",
    str(XSD.gYear): r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    str(XSD.boolean): r"^(true|false|0|1)$",
    str(XSD.dateTime): r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
"""Lexical forms checked for well-formedness, as SHACL's sh:datatype requires."""

_NODE_KEYS = {SH.targetClass, SH.targetSubjectsOf, SH.property, SH["or"], SH.message}
_NODE_KEYS |= {SH.severity, RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")}
_PROPERTY_KEYS = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.pattern,
    SH["in"],
    SH.hasValue,
    SH.minInclusive,
    SH.minLength,
    SH.node,
    SH["or"],
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
}


class UnsupportedShape(EvidenceGraphError):
    """The shapes use a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT returning ?focus (and ?value where SHACL reports one)."""

    shape: str
    component: str
    severity: str
    path: str
    message: str
    query: str


def _n3(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        if node.language:
            return f'"{text}"@{node.language}'
        if node.datatype is not None:
            return f'"{text}"^^<{node.datatype}>'
        return f'"{text}"'
    raise UnsupportedShape(f"cannot use {node!r} in a compiled constraint")


def _int(node: Node | None) -> int:
    if not isinstance(node, Literal):
        raise UnsupportedShape(f"expected an integer, got {node!r}")
    return int(node.toPython())


def _one(shapes: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = list(shapes.objects(subject, predicate))
    if len(values) > 1:
        raise UnsupportedShape(f"{subject} has several {predicate}")
    return values[0] if values else None


def _severity(shapes: Graph, shape: Node) -> str:
    value = _one(shapes, shape, SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _typed(var: str, classes: str) -> str:
    """Placeholder for "`var` is an instance of one of `classes` or of their subclasses"."""
    return f"%%TYPED {var} {classes}%%"


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.subclasses: dict[Node, str] = {}
        self.pending: list[Node] = []

    def classes(self, cls: Node) -> str:
        """`cls` as an IRI (its subclasses are filled in from the data graph later)."""
        if not isinstance(cls, URIRef):
            raise UnsupportedShape(f"sh:class {cls!r} is not an IRI")
        return f"<{cls}>"

    def targets(self, shape: Node) -> list[str]:
        patterns = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            patterns.append(f"%%TARGET ?focus {self.classes(cls)}%%")
        for prop in self.shapes.objects(shape, SH.targetSubjectsOf):
            patterns.append(f"?focus {_n3(prop)} ?_any .")
        return patterns

    def node_conforms(self, shape: Node, var: str) -> str:
        """A SPARQL expression: `var` conforms to node shape `shape` (a restricted form)."""
        parts: list[str] = []
        for key in set(self.shapes.predicates(shape)) - {RDF.type, SH.property}:
            raise UnsupportedShape(f"sh:node shape {shape} uses {key}")
        for prop in self.shapes.objects(shape, SH.property):
            path = _one(self.shapes, prop, SH.path)
            if not isinstance(path, URIRef):
                raise UnsupportedShape(f"sh:node shape {shape} has a non-IRI path")
            for key, value in self.shapes.predicate_objects(prop):
                if key in (SH.path, SH.message, SH.severity, SH.name):
                    continue
                if key == SH.hasValue:
                    parts.append(f"EXISTS {{ {var} {_n3(path)} {_n3(value)} }}")
                elif key == SH.minCount and _int(value) == 1:
                    parts.append(f"EXISTS {{ {var} {_n3(path)} ?_nv }}")
                elif key == SH["class"]:
                    parts.append(
                        f"NOT EXISTS {{ {var} {_n3(path)} ?_nv . "
                        f"FILTER(!{_typed('?_nv', self.classes(value))}) }}"
                    )
                else:
                    raise UnsupportedShape(f"sh:node shape {shape} uses {key}")
        return " && ".join(parts) or "true"

    def or_classes(self, members: Node) -> str:
        classes = []
        for member in Collection(self.shapes, members):
            keys = set(self.shapes.predicates(member))
            if keys != {SH["class"]}:
                used = sorted(map(str, keys))
                raise UnsupportedShape(f"sh:or member uses {used} (only sh:class)")
            classes.append(self.classes(_one(self.shapes, member, SH["class"]) or RDF.nil))
        return " ".join(classes)

    def compile(self) -> list[Check]:
        checks: list[Check] = []
        for shape in sorted(set(self.shapes.subjects(RDF.type, SH.NodeShape)), key=str):
            extra = set(self.shapes.predicates(shape)) - _NODE_KEYS
            if extra:
                raise UnsupportedShape(f"{shape} uses {sorted(map(str, extra))}")
            targets = self.targets(shape)
            if not targets:
                continue  # only reached through sh:node
            focus = _FOCUS + (
                targets[0] if len(targets) == 1 else " UNION ".join(f"{{ {t} }}" for t in targets)
            )
            name = str(shape)
            severity = _severity(self.shapes, shape)
            message = str(_one(self.shapes, shape, SH.message) or "")
            for members in self.shapes.objects(shape, SH["or"]):
                checks.append(
                    Check(
                        name,
                        "OrConstraintComponent",
                        severity,
                        "",
                        message or "Node does not conform to any shape in sh:or",
                        f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} BIND(?focus AS ?value) "
                        f"FILTER(!{_typed('?focus', self.or_classes(members))}) }}",
                    )  # fmt: skip
                )
            for prop in sorted(self.shapes.objects(shape, SH.property), key=self._key):
                checks.extend(self.property(name, focus, prop))
        return checks

    def _key(self, node: Node) -> str:
        keys = sorted(map(str, self.shapes.predicates(node)))
        return f"{_one(self.shapes, node, SH.path)} {keys}"

    def property(self, shape: str, focus: str, prop: Node) -> Iterator[Check]:
        shapes = self.shapes
        extra = set(shapes.predicates(prop)) - _PROPERTY_KEYS
        if extra:
            raise UnsupportedShape(f"property shape of {shape} uses {sorted(map(str, extra))}")
        path = _one(shapes, prop, SH.path)
        if not isinstance(path, URIRef):
            raise UnsupportedShape(f"property shape of {shape} has a non-IRI sh:path")
        p = _n3(path)
        severity = _severity(shapes, prop)
        given = str(_one(shapes, prop, SH.message) or "")
        values = f"{focus} ?focus {p} ?value ."

        def check(component: str, default: str, query: str) -> Check:
            return Check(shape, component, severity, str(path), given or default, query)

        min_count = _one(shapes, prop, SH.minCount)
        if min_count is not None:
            n = _int(min_count)
            if n == 1:
                where = f"{focus} FILTER NOT EXISTS {{ ?focus {p} ?_v }}"
            else:
                where = (
                    f"{{ SELECT ?focus (COUNT(DISTINCT ?_v) AS ?_n) WHERE {{ {focus} "
                    f"OPTIONAL {{ ?focus {p} ?_v }} }} GROUP BY ?focus }} FILTER(?_n < {n})"
                )
            yield check(
                "MinCountConstraintComponent",
                f"Less than {n} values on {{focus}}->{{path}}",
                f"SELECT DISTINCT ?focus WHERE {{ {where} }}",
            )
        max_count = _one(shapes, prop, SH.maxCount)
        if max_count is not None:
            n = _int(max_count)
            yield check(
                "MaxCountConstraintComponent",
                f"More than {n} values on {{focus}}->{{path}}",
                f"SELECT ?focus WHERE {{ SELECT ?focus (COUNT(DISTINCT ?value) AS ?_n) WHERE "
                f"{{ {values} }} GROUP BY ?focus HAVING(COUNT(DISTINCT ?value) > {n}) }}",
            )
        datatype = _one(shapes, prop, SH.datatype)
        if datatype is not None:
            test = f"!isLiteral(?value) || datatype(?value) != {_n3(datatype)}"
            lexical = _LEXICAL.get(str(datatype))
            if lexical:
                test += f' || !regex(str(?value), "{lexical}")'
            yield check(
                "DatatypeConstraintComponent",
                f"Value is not Literal with datatype {datatype}",
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} FILTER({test}) }}",
            )
        for cls in shapes.objects(prop, SH["class"]):
            yield check(
                "ClassConstraintComponent",
                f"Value does not have class {cls}",
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
                f"FILTER(!{_typed('?value', self.classes(cls))}) }}",
            )
        for pattern in shapes.objects(prop, SH.pattern):
            regex = str(pattern).replace("\\", "\\\\").replace('"', '\\"')
            yield check(
                "PatternConstraintComponent",
                f'Value does not match pattern "{pattern}"',
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
                f'FILTER(isBlank(?value) || !regex(str(?value), "{regex}")) }}',
            )
        for members in shapes.objects(prop, SH["in"]):
            allowed = ", ".join(_n3(m) for m in Collection(shapes, members))
            yield check(
                "InConstraintComponent",
                "Value is not in the allowed list",
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
                f"FILTER(?value NOT IN ({allowed})) }}",
            )
        for value in shapes.objects(prop, SH.hasValue):
            yield check(
                "HasValueConstraintComponent",
                f"Missing expected value {value}",
                f"SELECT DISTINCT ?focus WHERE {{ {focus} "
                f"FILTER NOT EXISTS {{ ?focus {p} {_n3(value)} }} }}",
            )
        for bound in shapes.objects(prop, SH.minInclusive):
            yield check(
                "MinInclusiveConstraintComponent",
                f"Value is not >= {bound}",
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
                f"FILTER(!COALESCE(?value >= {_n3(bound)}, false)) }}",
            )
        for length in shapes.objects(prop, SH.minLength):
            yield check(
                "MinLengthConstraintComponent",
                f"String length not >= {length}",
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
                f"FILTER(isBlank(?value) || STRLEN(str(?value)) < {_int(length)}) }}",
            )
        for node in shapes.objects(prop, SH.node):
            yield check(
                "NodeConstraintComponent",
                f"Value does not conform to Shape {node}",
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
                f"FILTER(!({self.node_conforms(node, '?value')})) }}",
            )
        for members in shapes.objects(prop, SH["or"]):
            yield check(
                "OrConstraintComponent",
                "Node does not conform to any shape in sh:or",
                f"SELECT DISTINCT ?focus ?value WHERE {{ {values} "
                f"FILTER(!{_typed('?value', self.or_classes(members))}) }}",
            )


@lru_cache(maxsize=4)
def compile_shapes(path: Path = SHAPES_FILE) -> tuple[Check, ...]:
    """The constraints of a shapes file as SPARQL checks (`UnsupportedShape` if it cannot)."""
    shapes = Graph().parse(path, format="turtle")
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    if any(isinstance(s, BNode) for s in node_shapes):
        raise UnsupportedShape("blank-node node shapes are not supported")
    return tuple(_Compiler(shapes).compile())


def _subclasses(store: Store, cls: str, union: bool) -> list[str]:
    query = f"SELECT DISTINCT ?c WHERE {{ ?c {RDFS_SUBCLASS}* {cls} }}"
    rows = select(store, query, union)
    found = {f"<{row['c'].value}>" for row in rows if row["c"].value[:2] != "_:"}
    found.add(cls)
    return sorted(found)


_PLACEHOLDER = re.compile(r"%%(TYPED|TARGET) (\S+) ([^%]+)%%")
_FOCUS = "%%FOCUS%% "
"""Where a check binds its focus nodes: filled with a VALUES list to check only some of them."""

DEPENDENCY_HOPS = 2
"""How far the answer of a check for one focus node reaches: its values (``sh:class``,
``sh:node``) and their values (``sh:class`` inside ``sh:node``); no supported constraint reaches
further, so only the nodes this close to a changed triple's subject need checking again."""

REVALIDATE_LIMIT = 50_000
"""Beyond this many focus nodes to check again, the whole graph is checked instead."""


def _restrict(query: str, focus: Sequence[str] | None) -> str:
    if focus is None:
        return query.replace(_FOCUS, "")
    return query.replace(_FOCUS, "VALUES ?focus { " + " ".join(focus) + " } ")


def _expand(store: Store, query: str, cache: dict[str, list[str]], union: bool = True) -> str:
    """Fill in the class placeholders: one constant ``rdf:type`` pattern per (sub)class, which
    Oxigraph's planner handles far better than a VALUES list."""

    def classes(names: str) -> list[str]:
        result: set[str] = set()
        for name in names.split():
            if name not in cache:
                cache[name] = _subclasses(store, name, union)
            result.update(cache[name])
        return sorted(result)

    def fill(match: re.Match[str]) -> str:
        kind, var, names = match.groups()
        found = classes(names)
        if kind == "TARGET" and len(found) == 1:
            return f"{var} {RDF_TYPE} {found[0]} ."
        if kind == "TARGET":
            return " UNION ".join(f"{{ {var} {RDF_TYPE} {c} }}" for c in found)
        return "(" + " || ".join(f"EXISTS {{ {var} {RDF_TYPE} {c} }}" for c in found) + ")"

    return _PLACEHOLDER.sub(fill, query)


def _display(term: object) -> str:
    if isinstance(term, NamedNode):
        return shorten(term.value)
    if isinstance(term, OxLiteral):
        return term.value
    return "" if term is None else str(term)


def check_store(
    store: Store,
    shapes: Path = SHAPES_FILE,
    triples: int | None = None,
    union: bool = True,
    focus: Sequence[str] | None = None,
) -> Report:
    """Validate the union of the graphs of `store` against `shapes`; pyshacl's report, faster.

    With ``union=False`` the store's default graph is validated instead: a store holding the
    union triples once is faster to query than Oxigraph's union-of-named-graphs view, whose joins
    on a node described in many graphs (an organisation in every cell listing its reports) slow
    down sharply. With `focus` (IRIs as ``<…>``) only those focus nodes are checked.
    """
    from ..rdf.make import ONTOLOGY_GRAPH  # noqa: F401  (the ontology graph must be in the store)

    expansions: dict[str, list[str]] = {}
    findings: set[Finding] = set()
    for item in compile_shapes(shapes):
        query = _expand(store, _restrict(item.query, focus), expansions, union)
        path = shorten(item.path) if item.path else ""
        for row in select(store, query, union):
            node = _display(row["focus"])
            value = _display(row["value"]) if "?value" in query.split("WHERE", 1)[0] else ""
            message = item.message.replace("{focus}", node).replace("{path}", path)
            findings.add(Finding(item.severity, node, path, message, value))
    if triples is None:
        triples = 0
        distinct = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        for row in select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {distinct} }}"):
            triples = int(row["n"].value)
    return Report(ordered(findings), triples)


def validate_store(
    store: Store, shapes: Path = SHAPES_FILE, triples: int | None = None, union: bool = True
) -> Report:
    """`check_store`, raising `ValidationFailed` with the readable report on a violation."""
    return conforming(check_store(store, shapes, triples, union))


def validation_key(shapes: Path = SHAPES_FILE) -> str:
    """Digest of the shapes and of the code checking them: findings kept under another key are
    not reused."""
    digest = hashlib.sha256(Path(shapes).read_bytes())
    for module in (Path(__file__), Path(__file__).with_name("shacl.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def affected_focus(store: Store, subjects: Iterable[str], union: bool = True) -> set[str] | None:
    """The focus nodes whose findings may change when triples about `subjects` (``<IRI>``s)
    change: those subjects and the nodes reaching them in up to `DEPENDENCY_HOPS` steps. None
    beyond `REVALIDATE_LIMIT` nodes."""
    found = set(subjects)
    frontier = set(found)
    for _ in range(DEPENDENCY_HOPS):
        if not frontier:
            break
        values = " ".join(sorted(frontier))
        query = f"SELECT DISTINCT ?x WHERE {{ VALUES ?y {{ {values} }} ?x ?p ?y }}"
        reached = {f"<{row['x'].value}>" for row in select(store, query, union)}
        frontier = reached - found
        found |= reached
        if len(found) > REVALIDATE_LIMIT:
            return None
    return found


def recheck_store(
    store: Store,
    previous: Iterable[Finding],
    focus: set[str],
    triples: int,
    shapes: Path = SHAPES_FILE,
    union: bool = True,
) -> Report:
    """`check_store` after a change, given the findings before it and the focus nodes it may
    have affected (`affected_focus`): those are checked again, the other findings kept."""
    fresh = check_store(store, shapes, triples, union, focus=sorted(focus))
    shown = {_display(NamedNode(iri[1:-1])) for iri in focus}
    kept = [f for f in previous if f.focus not in shown]
    return Report(ordered({*kept, *fresh.findings}), triples)
