"""Is a literal well-formed for its datatype (and its language tag well-formed)?

rdflib parses an ill-typed literal such as ``"2019-13"^^xsd:gYearMonth`` or
``"2019-02-30"^^xsd:date`` without complaint (it logs a traceback and keeps
the text), and pySHACL's ``sh:datatype`` checks the lexical form of only some
types, so both SHACL engines would pass it.  This module decides
well-formedness itself, for every literal whatever its property, so renaming
or adding properties never opens a gap.

>>> from rdflib import Literal
>>> from rdflib.namespace import XSD
>>> problem(Literal("2019-13", datatype=XSD.gYearMonth))
"'2019-13' is not a valid xsd:gYearMonth: month 13 does not exist"
>>> problem(Literal("2019-02-30", datatype=XSD.date))
"'2019-02-30' is not a valid xsd:date: 2019-02 has no day 30"
>>> problem(Literal("2019-02-28", datatype=XSD.date)) is None
True
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"
_DATE = re.compile(rf"({_YEAR})-(\d\d)-(\d\d){_TZ}")
_YEAR_MONTH = re.compile(rf"({_YEAR})-(\d\d){_TZ}")
_GYEAR = re.compile(rf"{_YEAR}{_TZ}")
_DATETIME = re.compile(rf"({_YEAR})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?{_TZ}")
_TIME = re.compile(rf"(\d\d):(\d\d):(\d\d)(?:\.\d+)?{_TZ}")
_GMONTH = re.compile(rf"--(\d\d){_TZ}")
_GDAY = re.compile(rf"---(\d\d){_TZ}")
_GMONTHDAY = re.compile(rf"--(\d\d)-(\d\d){_TZ}")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DOUBLE = re.compile(r"(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)")
_BOOLEAN = frozenset(("true", "false", "1", "0"))
# BCP 47 in outline: a primary subtag of letters, then subtags of 1 to 8 letters or digits.
_LANGTAG = re.compile(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*")

#: Bounds of the integer types derived from xsd:integer (None: unbounded).
_INTEGER_BOUNDS: dict[URIRef, tuple[int | None, int | None]] = {
    XSD.integer: (None, None),
    XSD.nonNegativeInteger: (0, None), XSD.positiveInteger: (1, None),
    XSD.nonPositiveInteger: (None, 0), XSD.negativeInteger: (None, -1),
    XSD.long: (-2**63, 2**63 - 1), XSD.int: (-2**31, 2**31 - 1),
    XSD.short: (-2**15, 2**15 - 1), XSD.byte: (-2**7, 2**7 - 1),
    XSD.unsignedLong: (0, 2**64 - 1), XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1), XSD.unsignedByte: (0, 2**8 - 1),
}


def _days_in(year: int, month: int) -> int:
    # calendar.monthrange needs 1 <= year <= 9999; the leap rule is the same outside.
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else calendar.monthrange(2001, month)[1]


def _month_day(year: int, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12:
        return f"month {month:02d} does not exist"
    if day is not None and not 1 <= day <= _days_in(year, month):
        return f"{year:04d}-{month:02d} has no day {day:02d}"
    return None


def _date(text: str) -> str | None:
    m = _DATE.fullmatch(text)
    return _month_day(int(m[1]), int(m[2]), int(m[3])) if m else "expected YYYY-MM-DD"


def _year_month(text: str) -> str | None:
    m = _YEAR_MONTH.fullmatch(text)
    if not m:
        return "expected YYYY-MM"
    month = int(m[2])
    return None if 1 <= month <= 12 else f"month {month} does not exist"


def _gyear(text: str) -> str | None:
    return None if _GYEAR.fullmatch(text) else "expected a year of four digits, YYYY"


def _datetime(text: str) -> str | None:
    m = _DATETIME.fullmatch(text)
    if not m:
        return "expected YYYY-MM-DDThh:mm:ss"
    wrong = _month_day(int(m[1]), int(m[2]), int(m[3]))
    if wrong:
        return wrong
    return _clock(int(m[4]), int(m[5]), int(m[6]))


def _clock(h: int, mi: int, s: int) -> str | None:
    if (h, mi, s) == (24, 0, 0) or (h < 24 and mi < 60 and s < 60):
        return None
    return f"{h:02d}:{mi:02d}:{s:02d} is not a time of day"


def _time(text: str) -> str | None:
    m = _TIME.fullmatch(text)
    return _clock(int(m[1]), int(m[2]), int(m[3])) if m else "expected hh:mm:ss"


def _gmonth(text: str) -> str | None:
    m = _GMONTH.fullmatch(text)
    return _month_day(2000, int(m[1]), None) if m else "expected --MM"


def _gday(text: str) -> str | None:
    m = _GDAY.fullmatch(text)
    return None if m and 1 <= int(m[1]) <= 31 else "expected ---DD, a day from 01 to 31"


def _gmonthday(text: str) -> str | None:
    m = _GMONTHDAY.fullmatch(text)
    return _month_day(2000, int(m[1]), int(m[2])) if m else "expected --MM-DD"


def _integer(dt: URIRef) -> Callable[[str], str | None]:
    low, high = _INTEGER_BOUNDS[dt]

    def check(text: str) -> str | None:
        if not _INTEGER.fullmatch(text):
            return "expected digits with an optional sign"
        n = int(text)
        if (low is not None and n < low) or (high is not None and n > high):
            return f"out of range ({low if low is not None else '-∞'} to {high if high is not None else '∞'})"
        return None
    return check


def _decimal(text: str) -> str | None:
    return None if _DECIMAL.fullmatch(text) else "expected a decimal number such as 12.5"


def _double(text: str) -> str | None:
    return None if _DOUBLE.fullmatch(text) else "expected a number such as 1.5e3"


def _boolean(text: str) -> str | None:
    return None if text in _BOOLEAN else "expected true, false, 1 or 0"


_CHECKS: dict[Node, Callable[[str], str | None]] = {
    XSD.date: _date, XSD.gYearMonth: _year_month, XSD.gYear: _gyear,
    XSD.dateTime: _datetime, XSD.dateTimeStamp: _datetime, XSD.time: _time,
    XSD.gMonth: _gmonth, XSD.gDay: _gday, XSD.gMonthDay: _gmonthday,
    XSD.decimal: _decimal, XSD.double: _double, XSD.float: _double, XSD.boolean: _boolean,
    **{dt: _integer(dt) for dt in _INTEGER_BOUNDS},
}
_ALWAYS_WELL_FORMED = frozenset((XSD.string, RDF.langString, RDF.HTML, RDF.XMLLiteral, None))


def _short(dt: Node | None) -> str:
    s = str(dt)
    return "xsd:" + s.split("#", 1)[1] if s.startswith(str(XSD)) else f"<{s}>"


@lru_cache(maxsize=65536)
def _problem(text: str, datatype: Node | None, lang: str | None, rdflib_ill_typed: bool) -> str | None:
    if lang is not None and not _LANGTAG.fullmatch(lang):
        return f"'{text}'@{lang}: '{lang}' is not a well-formed language tag (BCP 47, e.g. en, ko, ja-Latn)"
    if datatype in _ALWAYS_WELL_FORMED:
        return None
    check = _CHECKS.get(datatype) if datatype is not None else None
    if check is not None:
        why = check(text)
        if why is None and rdflib_ill_typed and datatype == XSD.boolean:
            # rdflib turns any unknown word into "false" and only flags it.
            return (f"the {_short(datatype)} written is none of true, false, 1, 0 "
                    f"(rdflib shows it as '{text}')")
    else:
        # A datatype this module has no rule for: trust rdflib, which knows many more.
        why = "rdflib cannot read it" if rdflib_ill_typed else None
    return None if why is None else f"'{text}' is not a valid {_short(datatype)}: {why}"


def problem(lit: Literal) -> str | None:
    """What is wrong with ``lit``'s lexical form or language tag, or None."""
    return _problem(str(lit), lit.datatype, lit.language, bool(getattr(lit, "ill_typed", False)))


def well_formed(lit: Literal) -> bool:
    return problem(lit) is None


def ill_typed(triples: Iterable[tuple[Node, Node, Node]]) -> Iterator[tuple[Node, Node, Literal, str]]:
    """(subject, predicate, literal, what is wrong) for every ill-formed literal
    among ``triples`` (a graph, or any iterable of triples)."""
    for s, p, o in triples:
        if type(o) is Literal and (o.datatype is not None or o.language is not None):
            why = problem(o)
            if why is not None:
                yield s, p, o, why


__all__ = ["ill_typed", "problem", "well_formed"]
