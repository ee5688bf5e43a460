"""The fast query engine: the reasoned graph in an in-memory Oxigraph store.

rdflib stays the reference (parsing, reasoning, SHACL, export); queries run
here because Oxigraph answers the named queries in about a millisecond where
rdflib takes tens to hundreds.  The named queries compare dates only through
the ``xsd:date`` bounds, so both engines return the same rows (checked by a
test).  This module does not import rdflib, so ``kgraph query`` with a warm
cache starts fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import KgraphError
from .formats import Table
from .prefixes import PREFIXES
from .querytext import check_offline, syntax_error

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_LABELS = """
SELECT ?s ?label ?pref WHERE {
  { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label . BIND(0 AS ?pref) }
  UNION
  { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label . BIND(1 AS ?pref) }
}
"""


@dataclass
class Result:
    """Engine-neutral result: a table, an answer, or N-Triples text."""

    type: str
    columns: list[str]
    rows: list[list[Any]]
    answer: bool | None = None
    ntriples: str | None = None


def python_value(term: Any, labels: dict[str, str] | None = None) -> Any:
    """A plain Python value for an Oxigraph term, as kgraph.sparql.python_value
    does for rdflib terms: day dates -> datetime.date, month/year dates -> ISO
    strings, numbers -> int/float, IRIs -> label (if asked) or IRI string."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        iri = term.value
        return labels.get(iri, iri) if labels is not None else iri
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return _literal_value(term.value, term.datatype.value)
    return str(term)


def _literal_value(text: str, dt: str) -> Any:
    try:
        if dt == XSD + "date":
            return date.fromisoformat(text[:10])
        if dt in (XSD + "gYear", XSD + "gYearMonth"):
            return text
        if dt in _INTEGERS:
            return int(text)
        if dt == XSD + "decimal":
            d = Decimal(text)
            return int(d) if d == d.to_integral_value() else float(d)
        if dt in (XSD + "double", XSD + "float"):
            return float(text)
        if dt == XSD + "boolean":
            return text in ("true", "1")
    except (ValueError, InvalidOperation):
        return text
    return text


_ECHAR = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_BARE = (  # Turtle's short forms, as Oxigraph writes them in TSV
    (re.compile(r"[+-]?[0-9]+"), XSD + "integer"),
    (re.compile(r"[+-]?[0-9]*\.[0-9]+"), XSD + "decimal"),
    (re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+"), XSD + "double"),
    (re.compile(r"true|false"), XSD + "boolean"),
)


def _unescape(m: re.Match[str]) -> str:
    if m[1] or m[2]:
        return chr(int(m[1] or m[2], 16))
    if m[3] in _ECHARS:
        return _ECHARS[m[3]]
    raise ValueError(f"unknown escape \\{m[3]}")


def _tsv_cell(cell: str, labels: dict[str, str] | None) -> Any:
    """The ``python_value`` of one cell of SPARQL TSV results (ValueError if
    the cell has a form this reader does not know)."""
    if not cell:
        return None
    if cell[0] == "<" and cell[-1] == ">":
        iri = cell[1:-1]
        return labels.get(iri, iri) if labels is not None else iri
    if cell.startswith("_:"):
        return cell
    if cell[0] == '"':
        end = cell.rindex('"')
        if end == 0:
            raise ValueError(f"unterminated literal {cell!r}")
        text = cell[1:end]
        if "\\" in text:
            text = _ECHAR.sub(_unescape, text)
        rest = cell[end + 1:]
        if not rest or rest[0] == "@":
            return text
        if rest.startswith("^^<") and rest[-1] == ">":
            return _literal_value(text, rest[3:-1])
        raise ValueError(f"unexpected literal suffix in {cell!r}")
    for pattern, dt in _BARE:
        if pattern.fullmatch(cell):
            return _literal_value(cell, dt)
    raise ValueError(f"unexpected TSV cell {cell!r}")


def tsv_rows(payload: bytes, labels: dict[str, str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of Python values from SPARQL TSV results.

    Oxigraph writes a large result as TSV several times faster than it hands
    over one Python object per term; each distinct cell is decoded once."""
    lines = payload.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    columns = [c[1:] if c[:1] in "?$" else c for c in lines[0].split("\t")] if lines and lines[0] else []
    seen: dict[str, Any] = {}
    rows = []
    for line in lines[1:]:
        values = []
        for cell in line.split("\t"):
            try:
                value = seen[cell]
            except KeyError:
                value = seen[cell] = _tsv_cell(cell, labels)
            values.append(value)
        if len(values) != len(columns):
            raise ValueError(f"a TSV row has {len(values)} cells for {len(columns)} columns")
        rows.append(values)
    return columns, rows


def python_rows(rows: list[list[Any]], labels: dict[str, str] | None = None) -> list[list[Any]]:
    """``python_value`` of every term of every row.  The same partner, class or
    date recurs on many rows, so each distinct term is converted once."""
    seen: dict[Any, Any] = {}
    out = []
    for row in rows:
        values = []
        for term in row:
            try:
                value = seen[term]
            except KeyError:
                value = seen[term] = python_value(term, labels)
            values.append(value)
        out.append(values)
    return out


class OxGraph:
    """A read-only Oxigraph store holding the whole reasoned graph."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._labels: dict[str, dict[str, str]] = {}

    @classmethod
    def from_ntriples(cls, data: bytes) -> OxGraph:
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(data, ox.RdfFormat.N_TRIPLES)
        return cls(store)

    def __len__(self) -> int:
        return len(self.store)

    def labels(self, lang: str = "en") -> dict[str, str]:
        """IRI -> best label: ``lang``, then English, then any; prefLabel first."""
        if lang not in self._labels:
            rank: dict[str, tuple[int, str]] = {}
            order = {lang: 0, "en": 1}
            for row in self.store.query(_LABELS):
                s, label, pref = row["s"], row["label"], row["pref"]
                if not hasattr(s, "value") or label is None:
                    continue
                r = order.get(getattr(label, "language", None) or "", 2) * 2 + int(pref.value)
                key = s.value
                if key not in rank or r < rank[key][0]:
                    rank[key] = (r, label.value)
            self._labels[lang] = {k: v for k, (_, v) in rank.items()}
        return self._labels[lang]

    def _run(self, sparql: str) -> Any:
        sparql = check_offline(sparql)
        try:
            return self.store.query(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise _syntax_error(sparql, exc) from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise KgraphError(f"SPARQL evaluation failed: {exc}") from exc

    def query(self, sparql: str) -> Result:
        """Run any query form; project prefixes are predeclared."""
        import pyoxigraph as ox

        res = self._run(sparql)
        if isinstance(res, ox.QuerySolutions):
            cols = [v.value for v in res.variables]
            # A solution iterates over its values in the variables' order, several times
            # faster than looking each one up by name (thousands of rows at scale).
            rows = [list(sol) for sol in res]
            return Result("SELECT", cols, rows)
        if isinstance(res, ox.QueryBoolean):
            return Result("ASK", [], [], answer=bool(res))
        triples = [ox.Triple(t.subject, t.predicate, t.object) for t in res]
        text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        return Result("CONSTRUCT", [], [], ntriples=(text or b"").decode("utf-8"))

    def select(self, sparql: str, *, lang: str = "en", labels: bool = True) -> Table:
        """A SELECT as a Table of Python values (IRIs as labels unless ``labels=False``)."""
        import pyoxigraph as ox

        res = self._run(sparql)
        if not isinstance(res, ox.QuerySolutions):
            kind = "ASK" if isinstance(res, ox.QueryBoolean) else "CONSTRUCT"
            raise KgraphError(f"expected a SELECT query, got {kind}",
                              hint="use ask() or construct() for other forms")
        lmap = self.labels(lang) if labels else None
        try:
            columns, rows = tsv_rows(res.serialize(format=ox.QueryResultsFormat.TSV) or b"", lmap)
        except ValueError:
            # A term this reader does not decode: the (slower) term-by-term way.
            fallback = self.query(sparql)
            columns, rows = fallback.columns, python_rows(fallback.rows, lmap)
        return Table(columns, rows)


_POSITION = re.compile(r"error at (\d+):(\d+)")


def _syntax_error(sparql: str, exc: SyntaxError) -> KgraphError:
    msg = str(exc)
    m = _POSITION.search(msg)
    detail = msg[m.end():].lstrip(": ") if m else msg
    if m:
        # Oxigraph points just past the offending character.
        return syntax_error(sparql, int(m[1]), max(int(m[2]) - 1, 1), detail)
    return KgraphError(f"SPARQL syntax error: {detail}")
