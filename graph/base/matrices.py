"""The treatment matrices' levels and types, read from ``data/matrices.yaml`` (their one source)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import yamltext
from .errors import SourceError

DEFAULT_MATRICES_FILE = Path(__file__).resolve().parent / "matrices.yaml"
"""The matrix definitions shipped with the package, used when a data directory has none."""

CELL_ID = re.compile(r"^[A-E][1-5]$")
"""A cell id inside a matrix: level letter A–E, type number 1–5."""
LEVELS = "ABCDE"
TYPES = "12345"


@dataclass(frozen=True)
class MatrixDef:
    """One matrix: its key, title, level labels (A–E) and type labels (1–5)."""

    key: str
    title: str
    levels: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)

    def cell_label(self, cell: str) -> str:
        """ "Drug Treatment Matrix cell B4: Practitioners; Psychosocial therapies"."""
        level = self.levels.get(cell[0], f"Level {cell[0]}")
        kind = self.types.get(cell[1], f"Type {cell[1]}")
        return f"{self.title} cell {cell}: {level}; {kind}"


def load_matrices(path: Path) -> dict[str, MatrixDef]:
    """The matrices of `path` (``data/matrices.yaml``) by key; `SourceError` if malformed."""
    try:
        raw: Any = yamltext.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, None, f"cannot read the matrix definitions: {exc}") from exc
    except yaml.YAMLError as exc:
        raise yamltext.source_error(path, exc) from exc
    try:
        levels = {str(k): str(v) for k, v in raw["levels"].items()}
        result = {}
        for key, spec in raw["matrices"].items():
            types = {str(k): str(v) for k, v in spec["types"].items()}
            result[str(key)] = MatrixDef(str(key), str(spec["title"]), dict(levels), types)
    except (KeyError, TypeError, AttributeError) as exc:
        raise SourceError(
            path, None, f"malformed matrix definitions ({exc!r})", hint="see data/matrices.yaml"
        ) from exc
    if sorted(levels) != list(LEVELS):
        raise SourceError(path, None, f"levels must be exactly {', '.join(LEVELS)}")
    return result


def default_matrix(key: str, title: str | None, levels: dict[str, str]) -> MatrixDef:
    """A matrix the definitions do not know (benchmark corpora): named from its pages' titles."""
    return MatrixDef(key, title or f"{key.capitalize()} Treatment Matrix", dict(levels), {})
