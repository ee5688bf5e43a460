"""RDF terms to Python values: the one converter every door uses.

A query's answer reaches the user through ``kgraph query``, ``kgraph.query()``,
``%%sparql``, the endpoint, the figures and the network projections.  Each of
them turns terms into Python values here, so that a date, a number or an IRI
comes out the same whichever door the question came through.

The rules (``literal_value``):

- ``xsd:date`` -> ``datetime.date``; ``xsd:dateTime`` -> ``datetime.datetime``;
- ``xsd:gYearMonth`` and ``xsd:gYear`` stay ISO strings (``"2009-04"``, ``"2009"``):
  no day is invented for a date the report printed to the month or year;
- integers -> ``int``; ``xsd:decimal`` -> ``int`` when whole, else ``float``;
  ``xsd:double``/``xsd:float`` -> ``float``; ``xsd:boolean`` -> ``bool``;
- every other literal, and any ill-formed one, -> its lexical form (``str``);
- an IRI -> its label when a label map is given and has one, else the IRI;
  a blank node -> ``"_:label"``.

Standard library only: the fast query path uses it without loading rdflib.

>>> literal_value("2009-04-01", XSD + "date")
datetime.date(2009, 4, 1)
>>> literal_value("2009-04", XSD + "gYearMonth")
'2009-04'
>>> literal_value("12.50", XSD + "decimal"), literal_value("3.0", XSD + "decimal")
(12.5, 3)
>>> literal_value("2019-13-01", XSD + "date")
'2019-13-01'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte"))


def literal_value(text: str, datatype: str) -> Any:
    """The Python value of a literal given its lexical form and datatype IRI."""
    try:
        if datatype == XSD + "date":
            return date.fromisoformat(text[:10])
        if datatype == XSD + "dateTime":
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        if datatype in (XSD + "gYear", XSD + "gYearMonth"):
            return text
        if datatype in INTEGER_TYPES:
            return int(text)
        if datatype == XSD + "decimal":
            d = Decimal(text)
            return int(d) if d == d.to_integral_value() else float(d)
        if datatype in (XSD + "double", XSD + "float"):
            return float(text)
        if datatype == XSD + "boolean":
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
            return text
    except (ValueError, InvalidOperation):
        return text
    return text


def python_value(term: Any, labels: dict[str, str] | None = None) -> Any:
    """A plain Python value for a pyoxigraph or an rdflib term (see the module's rules).

    ``labels`` maps IRI strings to labels; IRIs without one stay IRIs.
    """
    if term is None:
        return None
    if isinstance(term, str):   # rdflib's terms are strings; pyoxigraph's are not
        kind = type(term).__name__
        if kind == "URIRef":
            iri = str(term)
            return labels.get(iri, iri) if labels is not None else iri
        if kind == "Literal":
            dt = getattr(term, "datatype", None)
            return literal_value(str(term), str(dt) if dt else XSD + "string")
        if kind == "BNode":
            return f"_:{term}"
        return str(term)
    kind = type(term).__name__
    if kind == "NamedNode":
        return labels.get(term.value, term.value) if labels is not None else term.value
    if kind == "BlankNode":
        return f"_:{term.value}"
    if kind == "Literal":
        return literal_value(term.value, term.datatype.value)
    return str(term)


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


# --- SPARQL TSV results --------------------------------------------------------------

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


def tsv_cell(cell: str, labels: dict[str, str] | None) -> Any:
    """The ``python_value`` of one cell of SPARQL TSV results (ValueError if
    the cell has a form this reader does not know).

    >>> tsv_cell('"2009-04"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>', None)
    '2009-04'
    >>> tsv_cell('42', None), tsv_cell('"\\\\u65e5\\\\u672c"@ja', None)
    (42, '日本')
    """
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
            return literal_value(text, rest[3:-1])
        raise ValueError(f"unexpected literal suffix in {cell!r}")
    for pattern, dt in _BARE:
        if pattern.fullmatch(cell):
            return literal_value(cell, dt)
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
                value = seen[cell] = tsv_cell(cell, labels)
            values.append(value)
        if len(values) != len(columns):
            raise ValueError(f"a TSV row has {len(values)} cells for {len(columns)} columns")
        rows.append(values)
    return columns, rows


# --- Between pyoxigraph and rdflib -------------------------------------------------------

def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as the equal rdflib term (for the rdflib API users meet)."""
    from rdflib import BNode, Literal, URIRef

    kind = type(term).__name__
    if kind == "NamedNode":
        return URIRef(term.value)
    if kind == "BlankNode":
        return BNode(term.value)
    if kind == "Literal":
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        # Keep the lexical form exactly as stored (no normalisation by rdflib).
        return Literal(term.value, datatype=None if dt == XSD + "string" else URIRef(dt))
    raise TypeError(f"not a pyoxigraph term: {term!r}")


def rdflib_converter() -> Callable[[Any], Any]:
    """``to_rdflib`` remembering each term it converted: a pass over a whole store
    meets the same predicates and classes thousands of times.

    >>> import pyoxigraph
    >>> conv = rdflib_converter()
    >>> conv(pyoxigraph.NamedNode("http://example.org/a")) is conv(pyoxigraph.NamedNode("http://example.org/a"))
    True
    """
    seen: dict[Any, Any] = {}

    def conv(term: Any) -> Any:
        found = seen.get(term)
        if found is None:
            found = seen[term] = to_rdflib(term)
        return found

    return conv


__all__ = ["XSD", "literal_value", "python_rows", "python_value", "rdflib_converter", "to_rdflib",
           "tsv_cell", "tsv_rows"]
