"""The project's one prefix table, and the one `shorten`/`expand` every output and input uses.

What the CLI prints (`stats`, `query`, `explain`) is `shorten(iri)`: a SPARQL prefixed name (a
resource key's slashes escaped: ``id:cell\\/drug\\/B4``) or, when no prefix fits, ``<IRI>``.
Either form pastes back into a query (`declare` adds the prefixes a query leaves out) and into
`explain`. Standard library only: `query` imports this on its start-up path.
"""

from __future__ import annotations

import re

from . import ID, NS

PREFIXES: dict[str, str] = {
    "cito": "http://purl.org/spar/cito/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "evg": NS,
    "fabio": "http://purl.org/spar/fabio/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "id": ID,
    "mesh": "http://id.nlm.nih.gov/mesh/",
    "mp": "http://purl.org/mp/",
    "oa": "http://www.w3.org/ns/oa#",
    "obo": "http://purl.obolibrary.org/obo/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "pico": "http://data.cochrane.org/ontologies/pico/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Prefix → namespace: every prefix the project knows, sorted by prefix."""

NOT_IN_FILES = frozenset({"id", "mesh"})
"""Prefixes known for reading and queries but not declared in the built files: resource keys hold
slashes (``id:`` would print escaped local names) and external concept IRIs read better whole."""

FILE_PREFIXES: dict[str, str] = {p: ns for p, ns in PREFIXES.items() if p not in NOT_IN_FILES}
"""The prefixes written into Turtle/TriG output (only those a file uses are printed)."""

_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_ESCAPABLE = frozenset("~.-!$&'()*+,;=/?#@%")
"""Characters a SPARQL local name may hold only escaped with a backslash (PN_LOCAL_ESC)."""
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: (-len(kv[1]), kv[0]))
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_.-]*)?:(\S*)")


def _local(text: str) -> str | None:
    """`text` as a SPARQL local name (reserved characters escaped); None when it cannot be one."""
    out = []
    for i, char in enumerate(text):
        if char in _PLAIN or (char in "-." and 0 < i < len(text) - 1) or (char == ":" and i):
            out.append(char)
        elif char in _ESCAPABLE:
            out.append("\\" + char)
        else:
            return None
    return "".join(out)


def shorten(iri: object, *, plain: bool = False) -> str:
    """`iri` as ``prefix:local`` under the longest matching namespace, else as ``<iri>``: always
    a term a SPARQL query (with `declare`) and `explain` accept.

    With `plain`, the form for reading rather than pasting (HTML pages): a resource as its bare key
    (``cell/drug/B4``), a term under a file prefix unescaped, any other IRI whole.
    """
    text = str(iri)
    if plain:
        if text.startswith(ID):
            return text[len(ID) :]
        for prefix, namespace in _BY_LENGTH:
            if prefix not in NOT_IN_FILES and text.startswith(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return text
    for prefix, namespace in _BY_LENGTH:
        if text.startswith(namespace):
            local = _local(text[len(namespace) :])
            if local is not None:
                return f"{prefix}:{local}"
            break
    return f"<{text}>"


def expand(name: str) -> str | None:
    """The IRI of ``prefix:local`` or ``<iri>`` (what `shorten` prints); None for anything else."""
    name = name.strip()
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    match = _CURIE.fullmatch(name)
    if match is None or (match.group(1) or "") not in PREFIXES:
        return None
    return PREFIXES[match.group(1) or ""] + match.group(2).replace("\\", "")


_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][A-Za-z0-9_.-]*)?\s*:", re.IGNORECASE | re.MULTILINE)


def declare(query: str) -> str:
    """`query` with the project's prefixes it uses but does not declare declared in front of it.

    The declarations go on the query's first line, so an error's line number stays the user's.
    """
    declared = {m.group(1) or "" for m in _DECLARED.finditer(query)}
    missing = [
        f"PREFIX {p}: <{ns}>"
        for p, ns in PREFIXES.items()
        if p not in declared and re.search(rf"(?<![\w.-]){re.escape(p)}:", query)
    ]
    return " ".join([*missing, query]) if missing else query
