"""SHACL validation of a built graph against ``ontology/shapes.ttl`` with a readable report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from ...ontology import SHAPES_FILE
from ...ontology.prefixes import shorten
from ..base.errors import ValidationFailed
from ..rdf.dataset import union_graph


@dataclass(frozen=True)
class Finding:
    """One SHACL result: which node, which property, what is wrong."""

    severity: str
    """"Violation", "Warning" or "Info"."""
    focus: str
    path: str
    message: str
    value: str = ""

    def render(self) -> str:
        where = f"{self.focus} {self.path}".strip()
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value}"


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings in report order: violations first, then by node, path, message and value."""
    return tuple(
        sorted(
            findings, key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message, f.value)
        )
    )


@dataclass(frozen=True)
class Report:
    """The outcome of validating a graph: conforms unless there is a violation."""

    findings: tuple[Finding, ...]
    triples: int

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity != "Violation")

    @property
    def conforms(self) -> bool:
        return not self.violations

    def render(self) -> str:
        head = (
            f"conforms: {self.triples} triples checked against ontology/shapes.ttl"
            if self.conforms
            else f"does not conform: {len(self.violations)} violation(s)"
        )
        if self.warnings:
            head += f", {len(self.warnings)} warning(s)"
        return "\n".join([head, *(f"  {f.render()}" for f in self.findings)])


def _shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def _text(node: Node | None) -> str:
    if node is None:
        return ""
    return str(node) if isinstance(node, Literal) else shorten(node)


def check(data: Dataset | Graph) -> Report:
    """Validate `data` (every graph of a dataset, as one union) against the shapes."""
    from pyshacl import validate as shacl_validate  # a third of a second: only this store needs it

    graph = union_graph(data) if isinstance(data, Dataset) else data
    _, results, _ = shacl_validate(
        graph, shacl_graph=_shapes(), inference="none", allow_warnings=True, advanced=True
    )
    findings: list[Finding] = []
    for result in results.objects(None, SH.result):
        severity = results.value(result, SH.resultSeverity)
        findings.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                focus=_text(results.value(result, SH.focusNode)),
                path=_text(results.value(result, SH.resultPath)),
                message=_text(results.value(result, SH.resultMessage)),
                value=_text(results.value(result, SH.value)),
            )
        )
    return Report(ordered(findings), len(graph))


def conforming(report: Report) -> Report:
    """`report`, or `ValidationFailed` with it rendered when it holds a violation."""
    if not report.conforms:
        raise ValidationFailed(report.render())
    return report


def validate(data: Dataset | Graph) -> Report:
    """`check`, raising `ValidationFailed` with the readable report when there is a violation."""
    return conforming(check(data))
