"""Exceptions the library raises for problems a user can cause and fix.

The CLI turns exactly these into one clear message and a non-zero exit; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

CLIP = 80
"""Characters of a long user value kept at each end when a message quotes it."""


def clip(value: str, keep: int = CLIP) -> str:
    """`repr(value)`, or for a long value its two ends and its length, so a message stays short.

    A megabyte quote that fails a check is shown as ``'first 80…' … '…last 80' (1,048,576 chars)``.
    """
    if len(value) <= 2 * keep + 20:
        return repr(value)
    return f"{value[:keep]!r} … {value[-keep:]!r} ({len(value):,} characters)"


class EvidenceGraphError(Exception):
    """Base class: a problem with the user's input, reported as one message."""

    hint: str = ""

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message}\nHint: {self.hint}" if self.hint else message


class SourceError(EvidenceGraphError):
    """A source file (cell page, claims file, query file…) cannot be read or is malformed."""

    def __init__(self, path: str | Path, line: int | None, message: str, hint: str = "") -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        self.hint = hint
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class QuoteNotFound(EvidenceGraphError):
    """A curated quote does not occur in the source text it cites."""

    hint_text = "quotes must be verbatim (only whitespace and typographic quotes may differ)"

    def __init__(self, claim: str, path: str | Path, line: int | None, quote: str) -> None:
        self.claim = claim
        self.path = str(path)
        self.line = line
        self.quote = quote
        self.hint = self.hint_text
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(
            f"{where}: claim {clip(claim)}: quote not found in its source: {clip(quote)}"
        )


class QuotesNotFound(EvidenceGraphError):
    """Some curated quotes do not occur in their sources: every failure of one check, together."""

    def __init__(self, checked: int, failures: Iterable[tuple[QuoteNotFound, str]]) -> None:
        """`failures`: each failed quote with a description of the text searched for it."""
        pairs = tuple(failures)
        self.checked = checked
        self.failures = tuple(failure for failure, _ in pairs)
        self.hint = QuoteNotFound.hint_text
        lines = [f"{checked} quotes checked, {len(pairs)} failed:"]
        lines += [f"  {failure.args[0]} (searched {searched})" for failure, searched in pairs]
        super().__init__("\n".join(lines))


class UnknownFormat(EvidenceGraphError):
    """An export/result format name that no registry knows."""

    def __init__(self, name: str, valid: Iterable[str], what: str = "format") -> None:
        self.name = name
        self.valid = sorted(valid)
        super().__init__(f"unknown {what} {name!r}; choose one of: {', '.join(self.valid)}")


class QueryError(EvidenceGraphError):
    """A SPARQL query that cannot be parsed or run, or a bad query parameter."""


class QueryRefused(QueryError):
    """A query refused before it runs: an update, federation, or too large or deeply nested.

    `reason` is one of ``update``, ``federation``, ``too-large`` (what an HTTP answer is chosen by).
    """

    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


class QueryFailed(QueryError):
    """A query stopped while running: over its time or memory limit, or its worker crashed.

    `reason` is one of ``timeout``, ``memory``, ``crash``, ``busy``.
    """

    def __init__(self, message: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


class GraphNotFound(EvidenceGraphError):
    """A built graph that does not exist (yet)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.hint = "run `evidence-graph build` first, or pass -g/--graph PATH"
        super().__init__(f"{self.path}: no built graph here")


class ValidationFailed(EvidenceGraphError):
    """The graph violates its SHACL shapes."""

    def __init__(self, report: str) -> None:
        self.report = report
        super().__init__(f"the graph does not conform to ontology/shapes.ttl:\n{report}")


class RemoteError(EvidenceGraphError):
    """A remote SPARQL server refused or failed a request."""


class BuildLocked(EvidenceGraphError):
    """Another build is writing the same output directory."""

    def __init__(self, out_dir: str | Path, pid: int | None, waited: float = 0.0) -> None:
        self.out_dir = str(out_dir)
        self.pid = pid
        who = f"process {pid}" if pid is not None else "another process"
        self.hint = (
            "wait for it to finish (build --wait SECONDS waits for it), or stop it, "
            "or build into another --out directory"
        )
        after = f", still after waiting {waited:g} s" if waited else ""
        super().__init__(f"{self.out_dir}: another build is writing here ({who}{after})")


class StoreMismatch(EvidenceGraphError):
    """A build directory's persisted store is not the one its stamp describes."""

    def __init__(self, store: str | Path, stamp: str | Path, why: str) -> None:
        self.store = str(store)
        self.hint = (
            "an interrupted or concurrent build may have left it: run `evidence-graph build` "
            f"again (or delete {stamp} to read the graph files instead)"
        )
        super().__init__(f"{self.store}: the persisted store {why}; {stamp} does not describe it")


class NodeNotFound(EvidenceGraphError):
    """A node name (IRI, prefixed name, key, claim id or title fragment) that names no node, or
    several."""
