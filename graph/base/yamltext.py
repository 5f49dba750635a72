"""YAML text read the one way: libyaml when present, the Python parser's errors either way.

libyaml (PyYAML's C loader) reads several times faster than the Python parser (a 10 KB
``matrices.yaml``: 0.18 s against a few ms). A text it rejects is read again by the Python
parser, so that an error's message and line are the same whichever parser is installed; and a
text nested deeper than the Python parser's recursion allows raises `NestedTooDeeply` (a
`yaml.MarkedYAMLError` with libyaml's mark), not `RecursionError`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .errors import SourceError

FAST_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)

T = TypeVar("T")


class NestedTooDeeply(yaml.MarkedYAMLError):
    """The text nests lists and mappings deeper than the parser can follow."""

    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__(problem="nested too deeply", problem_mark=mark)


def compose(text: str) -> yaml.Node | None:
    """The node tree of `text` (nodes keep their line for messages); None for an empty text."""
    return _read(lambda loader: yaml.compose(text, Loader=loader))


def load(text: str) -> Any:
    """The plain data of `text` (mappings, lists, strings, numbers; YAML's safe types only)."""
    return _read(lambda loader: yaml.load(text, Loader=loader))  # noqa: S506 (safe loaders only)


def data(node: yaml.Node) -> Any:
    """The plain data of a node tree `compose` made (the text is not read again)."""
    try:
        return yaml.constructor.SafeConstructor().construct_document(node)
    except RecursionError:
        raise NestedTooDeeply(node.start_mark) from None


def source_error(path: Path, exc: yaml.YAMLError, hint: str = "") -> SourceError:
    """The message for a YAML text at `path` that cannot be read: the line the error points at
    (when it points at one) and what it says is wrong."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = int(mark.line) + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or exc
    return SourceError(path, line, f"not valid YAML: {problem}", hint=hint)


def _read(reader: Callable[[type[yaml.SafeLoader] | type[yaml.CSafeLoader]], T]) -> T:
    fast_error: yaml.YAMLError | RecursionError
    try:
        return reader(FAST_LOADER)
    except (yaml.YAMLError, RecursionError) as exc:
        fast_error = exc
    try:
        return reader(yaml.SafeLoader)
    except RecursionError:
        raise NestedTooDeeply(getattr(fast_error, "problem_mark", None)) from None
