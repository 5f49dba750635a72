"""The README's format table, generated from the registry (`python -m exporters._table`)."""

from __future__ import annotations

from . import FORMATS


def markdown_table() -> str:
    """One row per registered format: name, suffix, media type, RDF or not, what it is."""
    rows = ["| format | suffix | media type | RDF | what |", "|---|---|---|---|---|"]
    for e in FORMATS.values():
        rdf = "yes" if e.IS_RDF else "no"
        rows.append(f"| `{e.NAME}` | `{e.SUFFIX}` | `{e.MEDIA_TYPE}` | {rdf} | {e.DESCRIPTION} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
