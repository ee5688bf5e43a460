"""The one SPARQL tokenizer, and the checks every door runs on a query before
an engine sees it.

Refusals are decided on tokens, not on the raw text: ``?service`` and
``?load`` are variables, ``dd:service`` and ``country:x\\#y`` are prefixed
names, ``"SERVICE"`` is a string and ``# LOAD`` a comment; only a bare
keyword is a keyword.  The CLI, the Python API (both engines), the remote
client and the endpoint all call :func:`check_query`.

Standard library only and non-recursive: it runs before rdflib or Oxigraph
is imported, in microseconds for a named query.

>>> [t.text for t in tokens("SELECT ?load WHERE { ?s dd:service country:x\\\\#y }")]
['SELECT', '?load', 'WHERE', '{', '?s', 'dd:service', 'country:x\\\\#y', '}']
>>> check_query("SELECT ?service WHERE { ?service a dd:Country }").form
'SELECT'
>>> check_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kgraph.sparqllex.QueryRefused: SPARQL SERVICE is not allowed: kgraph never fetches data from other hosts
  hint: query the local graph, or use --endpoint URL
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .errors import KgraphError

#: Deepest nesting of ( [ { accepted.  Real queries stay under 15; Oxigraph's
#: parser recurses on each level (6,000 parentheses overflow its stack and kill
#: the process) and nested blank nodes or lists cost it super-linear time
#: (128 levels of ``[ ]`` take seconds, 200 take ~40 s), so the bound is low.
MAX_DEPTH = 64
#: Largest query accepted, in bytes of UTF-8.
MAX_BYTES = 1_000_000
#: Most graph-pattern clauses (OPTIONAL, MINUS, UNION, FILTER, BIND, GRAPH,
#: VALUES) in one query: Oxigraph builds a left-deep algebra tree from a chain
#: of them and overflows its stack near 4,000 OPTIONALs.
MAX_CLAUSES = 1_000

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
#: Keywords that make an engine fetch from another host.
REMOTE = ("SERVICE", "LOAD")
_CLAUSES = frozenset(("OPTIONAL", "MINUS", "UNION", "FILTER", "BIND", "GRAPH", "VALUES"))

# Token kinds.
IRI, STRING, VAR, PNAME, BNODE, LANGTAG, NUMBER, WORD, PUNCT, OTHER = (
    "iri", "string", "var", "pname", "bnode", "langtag", "number", "word", "punct", "other")

_NAME_START = r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF" \
              r"\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD" \
              r"\U00010000-\U000EFFFF"
_NAME_CHAR = _NAME_START + r"_0-9\-\u00B7\u0300-\u036F\u203F-\u2040"
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PLX = r"%[0-9A-Fa-f]{2}|" + _LOCAL_ESC
# PN_PREFIX? ':' PN_LOCAL? -- PN_LOCAL never ends with '.': that one ends the triple.
_PNAME = (rf"(?:[{_NAME_START}][{_NAME_CHAR}.]*)?:"
          rf"(?:(?:[{_NAME_CHAR}:]|{_PLX})(?:(?:[{_NAME_CHAR}.:]|{_PLX})*(?:[{_NAME_CHAR}:]|{_PLX}))?)?")

_TOKEN_PATTERN = "|".join((
    r"(?P<ws>\s+)",
    r"(?P<comment>#[^\n\r]*)",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    r"(?P<string>\"\"\"(?:[^\"\\]|\\[\s\S]|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r"|\"(?:[^\"\\\n\r]|\\.)*\"|'(?:[^'\\\n\r]|\\.)*')",
    rf"(?P<var>[?$][{_NAME_CHAR}]+)",
    rf"(?P<bnode>_:[{_NAME_CHAR}.]*)",
    rf"(?P<pname>{_PNAME})",
    r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
    r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<punct>\^\^|<=|>=|!=|&&|\|\||<<|>>|[{}()\[\].,;*+\-/!=<>^|?])",
    r"(?P<other>[\s\S])",
))


@functools.cache
def _token_regex() -> re.Pattern[str]:
    return re.compile(_TOKEN_PATTERN)  # compiled on first use: no work at import time


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}"
                        r"|[\ud800-\udfff]")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    col: int


class QueryRefused(KgraphError):
    """A query kgraph will not run; ``kind`` says why: ``remote`` (SERVICE,
    LOAD), ``update``, ``limit`` (size or nesting), ``prefix``, ``form`` or
    ``syntax``."""

    def __init__(self, message: str, kind: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind


@dataclass(frozen=True)
class QueryInfo:
    """What :func:`check_query` learned: the query form and the text to run
    (a leading byte-order mark removed)."""

    form: str
    text: str


def strip_bom(text: str) -> str:
    """``text`` without a leading UTF-8 byte-order mark (Windows editors add one)."""
    return text[1:] if text.startswith("\ufeff") else text


def _scan(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of each token, whitespace and comments included."""
    for m in _token_regex().finditer(text):  # contiguous: the last alternative matches any character
        kind = m.lastgroup or OTHER
        value = m[0]
        if kind == OTHER and value in "\"'":
            line, col = _line_col(text, m.start())
            raise QueryRefused(f"SPARQL syntax error at line {line}, column {col}: "
                               "a string that never ends", "syntax",
                               hint="close the string with the quote that opened it")
        yield kind, value, m.start()


def _line_col(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` with their line and column, whitespace and
    comments dropped.

    Raises QueryRefused (kind ``syntax``) for a string that never ends: what
    follows it is inside the string for every engine."""
    for kind, value, pos in _scan(text):
        if kind not in ("ws", "comment"):
            line, col = _line_col(text, pos)
            yield Token(kind, value, line, col)


def _pos(text: str, pos: int) -> str:
    line, col = _line_col(text, pos)
    return f"line {line}, column {col}"


def check_query(text: str, prefixes: Mapping[str, str] | None = None, *,
                max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> QueryInfo:
    """Refuse what kgraph never runs, before any engine parses the query.

    - SERVICE and LOAD (the engine would fetch from another host),
    - updates (INSERT, DELETE, CLEAR, DROP, CREATE, ADD, MOVE, COPY, WITH),
    - more than ``max_bytes`` bytes, nesting deeper than ``max_depth``
      brackets, more than MAX_CLAUSES pattern clauses,
    - a prefix neither declared in the query nor predeclared (``prefixes``,
      by default the project's).

    Returns the query form and the text without a byte-order mark.  Each
    refusal is a one-line QueryRefused saying what and why.
    """
    from .prefixes import PREFIXES

    known = PREFIXES if prefixes is None else prefixes
    text = strip_bom(text)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryRefused(f"the query is {size:,} bytes; kgraph accepts at most {max_bytes:,}",
                           "limit", hint="a query this large is almost certainly generated by "
                                         "mistake; put the data in a file and load it with --data")
    form: str | None = None
    declared: set[str] = set()
    depth = deepest = clauses = 0
    after_prefix = False
    for kind, value, pos in _scan(text):
        if kind == "ws" or kind == "comment":
            continue
        if kind == WORD:
            word = value.upper()
            if word in REMOTE:
                raise QueryRefused(f"SPARQL {word} is not allowed: kgraph never fetches data from "
                                   "other hosts", "remote",
                                   hint="query the local graph, or use --endpoint URL")
            if word in UPDATES:
                where = "" if form is None else f" (at {_pos(text, pos)})"
                raise QueryRefused(f"{word}{where} is an update; kgraph runs SELECT/ASK/CONSTRUCT/"
                                   "DESCRIBE queries only and never changes the graph", "update",
                                   hint="edit the data files and rebuild instead")
            if form is None and word in QUERY_FORMS:
                form = word
            elif word in _CLAUSES:
                clauses += 1
                if clauses > MAX_CLAUSES:
                    raise QueryRefused(f"the query has more than {MAX_CLAUSES} OPTIONAL/MINUS/UNION/"
                                       "FILTER/BIND/GRAPH/VALUES clauses; kgraph refuses it",
                                       "limit", hint="split it into smaller queries")
            after_prefix = word == "PREFIX"
            continue
        if (kind == STRING or kind == IRI) and ("\\" in value or not value.isascii()) \
                and _SURROGATE.search(value):
            raise QueryRefused(f"SPARQL syntax error at {_pos(text, pos)}: {value[:40]} holds a lone "
                               "surrogate (\\uD800-\\uDFFF), which is not a character", "syntax",
                               hint="write the character itself, or \\U0001F600-style escapes for "
                                    "characters beyond U+FFFF")
        if kind == PUNCT:
            if value in ("(", "[", "{"):
                depth += 1
                if depth > max_depth:
                    raise QueryRefused(f"the query nests brackets more than {max_depth} deep "
                                       f"(at {_pos(text, pos)}); kgraph refuses it", "limit",
                                       hint="flatten the expression or pattern")
            elif value in (")", "]", "}"):
                depth = max(depth - 1, 0)
            deepest = max(deepest, depth)
        elif kind == PNAME:
            prefix = value.split(":", 1)[0]
            if prefix.upper() == "SERVICE":
                # Oxigraph reads SERVICE:x as the keyword SERVICE and the IRI :x.
                raise QueryRefused(f"SPARQL SERVICE is not allowed: kgraph never fetches data from "
                                   f"other hosts (Oxigraph reads the prefixed name '{value}' at "
                                   f"{_pos(text, pos)} as SERVICE)", "remote",
                                   hint="give the prefix another name")
            if after_prefix:
                declared.add(prefix)
            elif prefix not in declared and prefix not in known:
                names = ", ".join(f"{p}:" for p in sorted(known))
                raise QueryRefused(f"unknown prefix '{prefix}:' at {_pos(text, pos)}", "prefix",
                                   hint=f"declare it (PREFIX {prefix}: <...>) or use a predeclared "
                                        f"one: {names}")
        after_prefix = False
    if form is None:
        raise QueryRefused("not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE", "form",
                           hint="kgraph runs SPARQL queries, e.g. SELECT ?c WHERE { ?c a dd:Country }")
    return QueryInfo(form, text)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from the tokens (updates refused)."""
    return check_query(text).form
