"""SPARQL query text: the library of named queries (``kgraph/queries/*.rq``),
resolving a name, file or text, and refusing what would leave the machine.

Standard library only: the fast query path reads these without loading rdflib.
The query's tokens and refusals are kgraph.sparqllex's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .data import queries_dir
from .errors import KgraphError
from .sparqllex import check_query, strip_bom

# --- Named queries -----------------------------------------------------------------

@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name, one-line question and text."""

    name: str
    title: str
    question: str
    text: str
    path: Path


def _parse_header(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"#\s*(\w+)\s*:\s*(.+)", line)
        if m:
            meta.setdefault(m[1].lower(), m[2].strip())
        elif line.strip() and not line.startswith("#"):
            break
    return NamedQuery(path.stem, meta.get("title", path.stem), meta.get("question", ""),
                      text, path)


def named_queries() -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return [_parse_header(p) for p in sorted(queries_dir().glob("*.rq"))]


def named_query(name: str) -> NamedQuery:
    """One named query; unknown names raise KgraphError with the closest ones."""
    path = queries_dir() / f"{name}.rq"
    if path.is_file():
        return _parse_header(path)
    import difflib

    names = [q.name for q in named_queries()]
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "list them with: kgraph queries"
    raise KgraphError(f"no named query '{name}'", hint=hint)


def check_offline(sparql: str) -> str:
    """Refuse what kgraph never runs (SERVICE, LOAD, updates, over-deep or
    over-large queries, unknown prefixes) by :func:`kgraph.sparqllex.check_query`;
    returns the text to run (a leading byte-order mark removed)."""
    return check_query(sparql).text


def syntax_error(sparql: str, line: int, col: int, detail: str) -> KgraphError:
    """A syntax error pointing at the line and column of the query, with a caret."""
    lines = sparql.splitlines() or [""]
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    return KgraphError(f"SPARQL syntax error at line {line}, column {col}: {detail}\n"
                       f"    {src}\n    {' ' * max(col - 1, 0)}^")


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except OSError:   # e.g. a long query mistaken for a file name
        return False


def resolve(text_or_name: str) -> str:
    """A query's text from a named query, a file path, or the text itself."""
    s = text_or_name.strip()
    if re.fullmatch(r"[A-Za-z0-9_\-]+", s):
        return named_query(s).text
    # SPARQL always has a brace; a path to a query file never needs one.
    if "{" in s or "\n" in s:
        return text_or_name
    p = Path(s)
    try:
        folder = p.is_dir()
    except OSError:
        folder = False
    if folder:
        raise KgraphError(f"{p}: is a folder, not a query",
                          hint="give a .rq file, a named query (kgraph queries) or the query text")
    if p.suffix in (".rq", ".sparql") or _is_file(p):
        if not _is_file(p):
            raise KgraphError(f"{p}: no such query file")
        try:
            return strip_bom(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise KgraphError(f"{p}: cannot read the query file ({exc})") from exc
    return text_or_name
