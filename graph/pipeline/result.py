"""What a build made (`BuildResult`: counts, problems, warnings, files, timings) and how long each
stage took (`Timings`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..base.files import GRAPH_OUTPUTS, SUMMARY_FILE
from ..base.records import Curation
from ..reading.stats import GraphStats
from .sources import SourceCell, relpath


@dataclass
class Timings:
    """Seconds per stage of a build, peak memory, and how many pages came from the page cache."""

    stages: dict[str, float] = field(default_factory=dict)
    reused: int = 0
    parsed: int = 0
    peak_mb: dict[str, float] = field(default_factory=dict)
    """Peak resident memory (MB) of the process at the end of each stage."""
    jobs: int = 1
    """Processes the per-page work ran on."""
    store_rewritten: int | None = None
    """Named graphs rewritten in a copy of the previous persisted store (None: loaded afresh)."""
    revalidated: int | None = None
    """Focus nodes validated again after a change (None: the whole graph was validated)."""


@dataclass(frozen=True)
class BuildResult:
    """What a build made: counts per class and relation, problems with file:line, files written."""

    out_dir: str
    files: tuple[str, ...]
    cells: tuple[str, ...]
    """Cells built from pages, as "drug/B4"."""
    triples: int
    graphs: int
    classes: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    """Problems the parser and curation reported, as "cells/drug/B4.txt:12: message"."""
    warnings: tuple[str, ...] = ()
    """SHACL warnings (violations fail the build instead)."""
    quotes_checked: int = 0
    discussions: dict[str, int] = field(default_factory=dict)
    lints: tuple[str, ...] = ()
    """Claim lint findings (warnings here; errors with `validate --strict`)."""
    drafts: int = 0
    """Machine-drafted claims added by `build --drafts`."""
    pages: dict[str, int] = field(default_factory=dict)
    """Pages read, by kind: cell page, catalogue record, teaser."""
    timings: Timings = field(default_factory=Timings, compare=False)
    """Where the time went (not part of the summary: it differs between runs)."""

    def as_dict(self) -> dict[str, object]:
        """The summary written to ``summary.json`` (no absolute paths, so it is reproducible)."""
        return {
            "files": list(self.files),
            "cells": list(self.cells),
            "triples": self.triples,
            "graphs": self.graphs,
            "classes": self.classes,
            "relations": self.relations,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "quotes_checked": self.quotes_checked,
            "discussions": self.discussions,
            "lints": list(self.lints),
            **({"drafts": self.drafts} if self.drafts else {}),
            "pages": self.pages,
        }

    def summary_bytes(self) -> bytes:
        """``summary.json``: `as_dict` as sorted, indented UTF-8 JSON."""
        text = json.dumps(self.as_dict(), indent=2, sort_keys=True, ensure_ascii=False)
        return (text + "\n").encode("utf-8")

    def render(self) -> str:
        """The summary the CLI prints."""
        lines = [
            f"Built {len(self.cells)} cells into {self.out_dir}: "
            f"{self.triples} triples in {self.graphs} named graphs",
            f"  files: {', '.join(self.files)}",
            "  pages read: "
            + ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in self.pages.items()),
            f"  {self.quotes_checked} quotes checked, 0 failed; discussion pointers: "
            f"{self.discussions.get('auto', 0)} resolved automatically, "
            f"{self.discussions.get('curated', 0)} by curation, "
            f"{self.discussions.get('unresolved', 0)} unresolved",
            *([f"  {self.drafts} machine-drafted claims (status draft)"] if self.drafts else []),
            "Classes:",
            *(f"  {k:<24} {v:>6}" for k, v in self.classes.items()),
            "Relations:",
            *(f"  {k:<24} {v:>6}" for k, v in self.relations.items()),
        ]
        if self.problems:
            lines += [f"Problems ({len(self.problems)}):", *(f"  {p}" for p in self.problems)]
        if self.warnings:
            lines += [f"Warnings ({len(self.warnings)}):", *(f"  {w}" for w in self.warnings)]
        if self.lints:
            lines += [f"Claim lints ({len(self.lints)}):", *(f"  {w}" for w in self.lints)]
        return "\n".join(lines)


def build_result(
    data_dir: Path,
    out_dir: Path,
    sources: list[SourceCell],
    curation: Curation,
    *,
    stats: GraphStats,
    warnings: tuple[str, ...],
    timings: Timings,
) -> BuildResult:
    """The result of a build on either store, from what it read and the counts of what it made."""
    pages = dict.fromkeys(("cell page", "catalogue record", "teaser"), 0)
    for sc in sources:
        pages[sc.cell.kind] = pages.get(sc.cell.kind, 0) + 1
    problems = [
        f"{sc.relpath}:{p.line}: {p.message}" for sc in sources for p in sc.cell.problems
    ] + [f"{relpath(data_dir, path)}:{p.line}: {p.message}" for path, p in curation.problems]
    return BuildResult(
        out_dir=str(out_dir),
        files=(*GRAPH_OUTPUTS, SUMMARY_FILE),
        cells=tuple(f"{sc.cell.matrix}/{sc.cell.cell}" for sc in sources),
        triples=stats.triples,
        graphs=stats.graphs,
        classes=stats.classes,
        relations=stats.relations,
        problems=tuple(problems),
        warnings=warnings,
        quotes_checked=curation.quotes_checked,
        discussions={
            "auto": curation.discussions_auto,
            "curated": curation.discussions_curated,
            "unresolved": curation.discussions_unresolved,
        },
        lints=curation.lints,
        drafts=len(curation.drafts),
        pages=pages,
        timings=timings,
    )
