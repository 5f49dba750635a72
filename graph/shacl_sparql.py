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

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Store
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from graph.errors import EvidenceGraphError, ValidationFailed
from graph.validate import Finding, Report
from ontology import SHAPES_FILE

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


def _one(shapes: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = list(shapes.objects(subject, predicate))
    if len(values) > 1:
        raise UnsupportedShape(f"{subject} has several {predicate}")
    return values[0] if values else None


def _severity(shapes: Graph, shape: Node) -> str:
    value = _one(shapes, shape, SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _typed(var: str, classes: str) -> str:
    """`var` is an instance of one of `classes` (a SPARQL VALUES list of subclass IRIs)."""
    return f"EXISTS {{ {var} {RDF_TYPE} ?_t . VALUES ?_t {{ {classes} }} }}"


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.subclasses: dict[Node, str] = {}
        self.pending: list[Node] = []

    def classes(self, cls: Node) -> str:
        """Placeholder for "cls and its subclasses", filled in from the data graph later."""
        if not isinstance(cls, URIRef):
            raise UnsupportedShape(f"sh:class {cls!r} is not an IRI")
        return f"%%CLASSES {cls}%%"

    def targets(self, shape: Node) -> list[str]:
        patterns = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            patterns.append(f"?focus {RDF_TYPE} ?_ft . VALUES ?_ft {{ {self.classes(cls)} }}")
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
                elif key == SH.minCount and int(value) == 1:
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
                raise UnsupportedShape(f"sh:or member uses {sorted(keys)} (only sh:class)")
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
            focus = " UNION ".join(f"{{ {t} }}" for t in targets)
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
        return str(_one(self.shapes, node, SH.path)) + str(sorted(self.shapes.predicates(node)))

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
            n = int(min_count)
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
            n = int(max_count)
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
                f"FILTER(isBlank(?value) || STRLEN(str(?value)) < {int(length)}) }}",
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


def _subclasses(store: Store, cls: str) -> str:
    query = f"SELECT DISTINCT ?c WHERE {{ ?c {RDFS_SUBCLASS}* <{cls}> }}"
    found = {row["c"].value for row in store.query(query, use_default_graph_as_union=True)}
    found.add(cls)
    return " ".join(f"<{c}>" for c in sorted(found) if not c.startswith("_:"))


def _display(term: object) -> str:
    from graph.stats import curie

    if isinstance(term, NamedNode):
        return curie(term.value)
    if isinstance(term, OxLiteral):
        return term.value
    return "" if term is None else str(term)


def check_store(store: Store, shapes: Path = SHAPES_FILE, triples: int | None = None) -> Report:
    """Validate the union of the graphs of `store` against `shapes`; pyshacl's report, faster."""
    from graph.rdf import ONTOLOGY_GRAPH  # noqa: F401  (the ontology graph must be in the store)
    from graph.stats import curie

    expansions: dict[str, str] = {}
    findings: set[Finding] = set()
    for item in compile_shapes(shapes):
        query = item.query
        while "%%CLASSES " in query:
            start = query.index("%%CLASSES ")
            end = query.index("%%", start + 2)
            cls = query[start + len("%%CLASSES ") : end]
            if cls not in expansions:
                expansions[cls] = _subclasses(store, cls)
            query = query[:start] + expansions[cls] + query[end + 2 :]
        path = curie(item.path) if item.path else ""
        for row in store.query(query, use_default_graph_as_union=True):
            focus = _display(row["focus"])
            value = _display(row["value"]) if "?value" in query.split("WHERE", 1)[0] else ""
            message = item.message.replace("{focus}", focus).replace("{path}", path)
            findings.add(Finding(item.severity, focus, path, message, value))
    ordered = sorted(
        findings, key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message, f.value)
    )
    if triples is None:
        triples = 0
        distinct = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        for row in store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {distinct} }}"):
            triples = int(row["n"].value)
    return Report(tuple(ordered), triples)


def validate_store(store: Store, shapes: Path = SHAPES_FILE, triples: int | None = None) -> Report:
    """`check_store`, raising `ValidationFailed` with the readable report on a violation."""
    report = check_store(store, shapes, triples)
    if not report.conforms:
        raise ValidationFailed(report.render())
    return report
