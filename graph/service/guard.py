"""Checks on a SPARQL request before it reaches Oxigraph: its kind, federation, size and nesting.

A query is read as a sequence of SPARQL tokens (comments, the four string forms, IRIs, variables,
prefixed names, blank nodes, language tags, numbers, punctuation), so a keyword inside a comment,
string or IRI is never mistaken for one, and the query kind is the first keyword after the
prologue (``PREFIX``/``BASE`` declarations).

Federation is decided on these tokens. Oxigraph's parser matches keywords without a word
boundary (``SERVICESILENT<…>`` is a ``SERVICE SILENT`` call, ``trueSERVICE<…>{…}`` a literal then a
call), so any keyword that contains ``SERVICE`` is refused. A prefixed name is a call only where
``SERVICE`` inside its prefix is followed, as Oxigraph reads on, by an optional ``SILENT``, a
variable or IRI and ``{`` (``service:{…}`` with a default prefix is one); names such as
``service:Thing`` or ``ex:service`` are ordinary IRIs and pass. The query workers also run with
no free file descriptor, so no outbound connection can be opened even by a query that slipped
past this reading (see `graph.service.worker`).

Deep nesting and very long operator chains crash Oxigraph's recursive parser and evaluator (about
5,000 nested parentheses, 10,000 ``UNION`` or ``+``), so queries are refused well below that.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ..base.errors import QueryRefused

MAX_QUERY_CHARS = 100_000
"""Longest query text accepted (characters)."""

MAX_DEPTH = 128
"""Deepest nesting of brackets (``( { [ <<``) and unary operators accepted."""

MAX_TOKENS = 10_000
"""Most SPARQL tokens in one query: bounds operator and ``UNION`` chains."""

UPDATE_KEYWORDS = frozenset(
    ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
)
QUERY_KEYWORDS = frozenset(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"

_TOKENS = re.compile(
    rf"""
    \s*(?:
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][{_PN_CHARS}]*)
  | (?P<bnode>_:[{_PN_CHARS}.]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?P<prefix>[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?
      :(?:[{_PN_CHARS}:.%\\]|\\.)*)
  | (?P<word>[{_PN_CHARS_BASE}_][{_PN_CHARS}]*)
  | (?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<open><<|[({{\[])
  | (?P<close>>>|[)}}\]])
  | (?P<other>.)
    )?""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Limits:
    """The largest query accepted: characters, nesting depth, tokens."""

    max_chars: int = MAX_QUERY_CHARS
    max_depth: int = MAX_DEPTH
    max_tokens: int = MAX_TOKENS


class Token(NamedTuple):
    """One SPARQL token: its kind (a group name of `_TOKENS`), its text and where it starts."""

    kind: str
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of `text`, whitespace left out (comments kept, so callers can skip them).

    Every match of `_TOKENS` is leading whitespace then one token, or trailing whitespace (the
    server reads every query it is sent: this is on its hot path)."""
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind is None:  # trailing whitespace
            continue
        if kind == "prefix":  # the inner group of a prefixed name
            kind = "pname"
        yield Token(kind, match[kind], match.start(kind))


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


@dataclass(frozen=True)
class Shape:
    """What the guard read in a query: its kind, nesting depth, token count, federation."""

    kind: str
    depth: int
    size: int
    service_at: str | None


_OPERAND_END = frozenset(("var", "string", "iri", "pname", "number", "close", "bnode", "lang"))


@functools.lru_cache(maxsize=64)
def shape(text: str) -> Shape:
    """Read `text` as SPARQL tokens: the query kind, deepest nesting, size, first federation.

    Kept for the last texts read: the server reads each query twice (its kind, then the check).
    """
    return _shape(text, [8])


def _shape(text: str, rescans: list[int]) -> Shape:
    """`shape`, with `rescans` bounding how often an ambiguous ``<`` makes it read on both ways.

    ``<`` right after an operand inside parentheses may be a less-than rather than the start of
    an IRI; where such an "IRI" holds ``#`` or ``'`` (a comment or string could then hide what
    follows), the rest of the query is read both ways and federation found in either counts.
    """
    kind = ""
    depth = deepest = unary = 0
    service_at: str | None = None
    count = 0
    expect_prologue = 0  # tokens still belonging to a PREFIX/BASE declaration
    previous = ""
    brackets: list[str] = []
    for token in tokens(text):
        if token.kind == "comment":
            continue
        count += 1
        if token.kind == "word":
            word = token.text.upper()
            if not kind:
                if expect_prologue:
                    expect_prologue = 0
                if word == "PREFIX":
                    expect_prologue = 2
                elif word == "BASE":
                    expect_prologue = 1
                else:
                    kind = word
            if "SERVICE" in word and service_at is None:
                service_at = _line_col(text, token.start)
        elif token.kind == "pname":
            if service_at is None and _pname_calls_service(text, token):
                service_at = _line_col(text, token.start)
            if expect_prologue:
                expect_prologue -= 1
        elif token.kind == "iri":
            if expect_prologue:
                expect_prologue -= 1
            ambiguous = (
                brackets[-1:] == ["("]
                and previous in _OPERAND_END
                and ("#" in token.text or "'" in token.text)
            )
            if ambiguous and service_at is None:
                if rescans[0] <= 0:
                    service_at = _line_col(text, token.start)
                else:
                    rescans[0] -= 1
                    rest = _shape(text[token.start + 1 :], rescans)
                    if rest.service_at is not None:
                        service_at = _line_col(text, token.start)
        elif token.kind == "open":
            depth += 1
            brackets.append(token.text)
        elif token.kind == "close":
            depth -= 1
            if brackets:
                brackets.pop()
        # A run of unary operators (`!!!!x`, `- - -1`) nests as deep as brackets do.
        if token.kind == "other" and token.text in "!-+" and previous in ("other", "open", ""):
            unary += 1
        elif token.kind != "other" or token.text not in "!-+":
            unary = 0
        if depth + unary > deepest:
            deepest = depth + unary
        previous = token.kind
    return Shape(kind=kind, depth=deepest, size=count, service_at=service_at)


_GAP = re.compile(r"(?:\s+|\#[^\n\r]*)*")


def _service_target_follows(text: str, at: int) -> bool:
    """Whether the text from `at` (just after the letters ``SERVICE``) reads as the rest of a
    service call: an optional ``SILENT``, then a variable or IRI, then ``{``."""
    at = _GAP.match(text, at).end()  # type: ignore[union-attr]
    starts = [at]
    if text[at : at + 6].upper() == "SILENT":
        starts.append(_GAP.match(text, at + 6).end())  # type: ignore[union-attr]
    for start in starts:
        target = _TOKENS.match(text, start)
        if target is None or target.lastgroup not in ("var", "iri", "pname", "prefix"):
            continue
        after = _GAP.match(text, target.end()).end()  # type: ignore[union-attr]
        if text[after : after + 1] == "{":
            return True
    return False


def _pname_calls_service(text: str, token: Token) -> bool:
    """Whether Oxigraph may read the prefixed name `token` as the start of a ``SERVICE`` call."""
    prefix = token.text.partition(":")[0].upper()
    found = prefix.find("SERVICE")
    while found >= 0:
        if _service_target_follows(text, token.start + found + len("SERVICE")):
            return True
        found = prefix.find("SERVICE", found + 1)
    return False


def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, an update keyword (INSERT, DELETE…), or ''."""
    return shape(text).kind


def check_query(text: str, limits: Limits | None = None) -> str:
    """The kind of `text` (SELECT, ASK, CONSTRUCT, DESCRIBE), or `QueryRefused` saying why not.

    Refused: updates; federation (``SERVICE``); text, nesting or token count over `limits`.
    Syntax errors are left to Oxigraph, which reports them with their position.
    """
    limits = limits or Limits()
    max_chars, max_depth, max_tokens = limits.max_chars, limits.max_depth, limits.max_tokens
    if len(text) > max_chars:
        raise QueryRefused(
            f"query too long: {len(text):,} characters (at most {max_chars:,} accepted)",
            reason="too-large",
        )
    found = shape(text)
    if found.kind in UPDATE_KEYWORDS:
        raise QueryRefused(
            f"{found.kind} is an update; this is read-only: only queries are allowed",
            reason="update",
        )
    if found.service_at is not None:
        raise QueryRefused(
            f"federated queries (SERVICE, at {found.service_at}) are refused: "
            "this graph never sends requests to other hosts",
            reason="federation",
        )
    if found.depth > max_depth:
        raise QueryRefused(
            f"query nested too deeply: {found.depth} levels (at most {max_depth} accepted)",
            reason="too-large",
        )
    if found.size > max_tokens:
        raise QueryRefused(
            f"query too large: {found.size:,} tokens (at most {max_tokens:,} accepted)",
            reason="too-large",
        )
    return found.kind
