"""Dates of mixed precision: day bounds, precision, and how to show them.

The report prints dates at several precisions (a day, a month, a year, a
decade).  The Turtle files keep each date as printed (``dd:signedOnAsPrinted``
and its kin: ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``); the build
derives from it the first possible day (``dd:signedOn``, an ``xsd:date`` every
SPARQL engine compares the same way), the precision, and the first and last
possible days (the bounds).

This module holds the one rule for coarse dates, used by every output:

- :func:`period_label` shows a period at its precision ("2009-05-14",
  "2009-05", "1994", "1990s"), never as an invented day (:func:`period_cell`
  for a cell or an attribute that may be undated);
- :func:`sort_key` sorts by the first possible day;
- :func:`years_of` lists the years a period covers, flagging those inferred
  from a date coarser than a year (for slices and panels);
- :func:`administration_of` gives the administration in office during the
  whole period, or ``None`` when the period spans a change.

The display functions need only :mod:`datetime`; :func:`bounds` and
:func:`precision` take rdflib literals.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rdflib import Literal

XSD_NS = "http://www.w3.org/2001/XMLSchema#"

_DATE = re.compile(r"^(-?\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_YEAR_MONTH = re.compile(r"^(-?\d{4})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_YEAR = re.compile(r"^(-?\d{4})(Z|[+-]\d{2}:\d{2})?$")
_DECADE = re.compile(r"^(\d{3}0)s$")

#: The datatypes a printed date may have, as IRIs (strings compare equal to
#: rdflib's URIRefs).
DATE_TYPES = (XSD_NS + "date", XSD_NS + "gYearMonth", XSD_NS + "gYear")

#: Precisions from finest to coarsest; the names are the notations of the
#: ``dd:DatePrecision`` individuals (``dd:DayPrecision`` ...).
PRECISIONS = ("day", "month", "year", "decade")

#: The bucket of per-administration counts for a period that spans a change.
SPANS_A_CHANGE = "spans a change of administration"

_PRECISION_OF_TYPE = {XSD_NS + "date": "day", XSD_NS + "gYearMonth": "month",
                      XSD_NS + "gYear": "year"}

K = TypeVar("K")


class DateError(ValueError):
    """A literal that is not a well-formed date of one of the three types."""


def bounds(lit: Literal) -> tuple[date, date]:
    """The first and last day a date literal can stand for.

    >>> from rdflib import Literal, XSD
    >>> bounds(Literal("2009-04", datatype=XSD.gYearMonth))
    (datetime.date(2009, 4, 1), datetime.date(2009, 4, 30))
    """
    return text_bounds(str(lit), str(lit.datatype or ""))


def text_bounds(text: str, datatype: str) -> tuple[date, date]:
    """:func:`bounds` for a lexical form and its datatype IRI.

    >>> text_bounds("1994", XSD_NS + "gYear")
    (datetime.date(1994, 1, 1), datetime.date(1994, 12, 31))
    """
    try:
        if datatype == XSD_NS + "date":
            m = _DATE.match(text)
            if m:
                d = date(int(m[1]), int(m[2]), int(m[3]))
                return d, d
        elif datatype == XSD_NS + "gYearMonth":
            m = _YEAR_MONTH.match(text)
            if m:
                y, mo = int(m[1]), int(m[2])
                return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        elif datatype == XSD_NS + "gYear":
            m = _YEAR.match(text)
            if m:
                y = int(m[1])
                return date(y, 1, 1), date(y, 12, 31)
    except ValueError as exc:  # e.g. month 13, 31 February
        raise DateError(f"'{text}' is not a valid {_short(datatype)}: {exc}") from exc
    raise DateError(f"'{text}' is not a valid {_short(datatype)}; expected one of xsd:date, "
                    "xsd:gYearMonth, xsd:gYear (e.g. \"2009-04-01\", \"2009-04\", \"2009\")")


def precision(lit: Literal) -> str:
    """'day', 'month' or 'year' for a printed date literal ('unknown' otherwise).

    >>> from rdflib import Literal, XSD
    >>> precision(Literal("2009", datatype=XSD.gYear))
    'year'
    """
    return _PRECISION_OF_TYPE.get(str(lit.datatype or ""), "unknown")


def _short(dt: object) -> str:
    s = str(dt)
    return "xsd:" + s.rsplit("#", 1)[-1] if "#" in s else (s or "plain literal")


@lru_cache(maxsize=65536)
def day(d: date) -> Literal:
    """An ``xsd:date`` literal (one object per day: rdflib literals are costly
    to make and a large graph repeats the same days many times)."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    return Literal(d.isoformat(), datatype=XSD.date)


# --- The coarse-date rule ---------------------------------------------------------

def _month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def span_precision(first: date, last: date) -> str | None:
    """The precision of the period from ``first`` to ``last`` (both possible
    days), or None when it is not one whole day, month, year or decade.

    >>> span_precision(date(2009, 5, 14), date(2009, 5, 14))
    'day'
    >>> span_precision(date(2009, 5, 1), date(2009, 5, 31))
    'month'
    >>> span_precision(date(1994, 1, 1), date(1994, 12, 31))
    'year'
    >>> span_precision(date(1990, 1, 1), date(1999, 12, 31))
    'decade'
    >>> span_precision(date(2009, 5, 1), date(2009, 7, 31)) is None
    True
    """
    if first == last:
        return "day"
    if first.day == 1 and last == _month_end(first):
        return "month"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        if first.year == last.year:
            return "year"
        if first.year % 10 == 0 and last.year == first.year + 9:
            return "decade"
    return None


def label_at(first: date, precision: str) -> str:
    """A date shown at ``precision`` from its first possible day.

    >>> [label_at(date(1994, 1, 1), p) for p in PRECISIONS]
    ['1994-01-01', '1994-01', '1994', '1990s']
    """
    if precision == "day":
        return first.isoformat()
    if precision == "month":
        return first.isoformat()[:7]
    if precision == "year":
        return f"{first.year:04d}"
    if precision == "decade":
        return f"{first.year // 10 * 10:04d}s"
    raise ValueError(f"unknown precision {precision!r}; expected one of {', '.join(PRECISIONS)}")


def period_label(first: date, last: date, precision: str | None = None) -> str:
    """A period (its first and last possible days) at its precision, never an
    invented day: "2009-05-14", "2009-05", "1994", "1990s".  ``precision``, when
    given (the printed precision), wins; a span that is no whole unit shows
    both ends at the finest precision they need, as an ISO 8601 interval.

    >>> period_label(date(2009, 5, 14), date(2009, 5, 14))
    '2009-05-14'
    >>> period_label(date(2009, 5, 1), date(2009, 5, 31))
    '2009-05'
    >>> period_label(date(1994, 1, 1), date(1994, 12, 31))
    '1994'
    >>> period_label(date(1990, 1, 1), date(1999, 12, 31))
    '1990s'
    >>> period_label(date(2010, 1, 1), date(2018, 12, 31))
    '2010/2018'
    >>> period_label(date(2009, 5, 1), date(2009, 5, 31), "year")
    '2009'
    """
    if precision:
        return label_at(first, precision)
    found = span_precision(first, last)
    if found:
        return label_at(first, found)
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        unit = "year"
    elif first.day == 1 and last == _month_end(last):
        unit = "month"
    else:
        unit = "day"
    return f"{label_at(first, unit)}/{label_at(last, unit)}"


def printed_label(text: str, datatype: str) -> str:
    """The label of a printed date literal (its lexical form, checked).

    >>> printed_label("2009-05", XSD_NS + "gYearMonth")
    '2009-05'
    """
    first, last = text_bounds(text, datatype)
    return period_label(first, last)


def parse_label(label: str) -> tuple[date, date] | None:
    """The first and last possible days of a label made by :func:`period_label`
    (or an ISO date, month or year), or None if it is not one.

    >>> parse_label("2009-05")
    (datetime.date(2009, 5, 1), datetime.date(2009, 5, 31))
    >>> parse_label("1990s")
    (datetime.date(1990, 1, 1), datetime.date(1999, 12, 31))
    >>> parse_label("Japan") is None
    True
    """
    if "/" in label:
        a, _, b = label.partition("/")
        pa, pb = parse_label(a), parse_label(b)
        return (pa[0], pb[1]) if pa and pb else None
    m = _DECADE.match(label)
    if m:
        y = int(m[1])
        return date(y, 1, 1), date(y + 9, 12, 31)
    for dt, rx in (("date", _DATE), ("gYearMonth", _YEAR_MONTH), ("gYear", _YEAR)):
        if rx.match(label):
            try:
                return text_bounds(label, XSD_NS + dt)
            except DateError:
                return None
    return None


def period_cell(first: date | None, last: date | None = None, precision: str | None = None) -> str:
    """:func:`period_label` for a table cell or a GraphML/GEXF attribute: ""
    for an undated record, a day when only ``first`` is known.

    >>> period_cell(date(1990, 1, 1), date(1999, 12, 31)), period_cell(None, None)
    ('1990s', '')
    """
    if first is None:
        return ""
    return period_label(first, last or first, precision)


def sort_key(first: date | None, last: date | None = None) -> tuple[date, date]:
    """Sort periods by their first possible day, then by their last (so
    "2009-05-01" comes before "2009-05", and "2009-01" before "2009", which
    comes before "2009-05"); undated ones last.

    >>> sorted([(date(2009, 1, 1), date(2009, 12, 31)), (date(2009, 5, 1), date(2009, 5, 31))],
    ...        key=lambda p: sort_key(*p))[0]
    (datetime.date(2009, 1, 1), datetime.date(2009, 12, 31))
    >>> sort_key(None)
    (datetime.date(9999, 12, 31), datetime.date(9999, 12, 31))
    """
    if first is None:
        return date.max, date.max
    return first, last or first


def years_of(first: date, last: date) -> list[tuple[int, bool]]:
    """The years a period covers, each with a flag: True when the year is
    inferred from a date coarser than a year (a decade fills each of its ten
    years, flagged), False when the date lies within that one year.

    >>> years_of(date(2009, 5, 1), date(2009, 5, 31))
    [(2009, False)]
    >>> years_of(date(1990, 1, 1), date(1999, 12, 31))[:2]
    [(1990, True), (1991, True)]
    >>> len(years_of(date(1990, 1, 1), date(1999, 12, 31)))
    10
    """
    inferred = first.year != last.year
    return [(y, inferred) for y in range(first.year, last.year + 1)]


def administration_of(first: date, last: date,
                      terms: Iterable[tuple[K, date, date]]) -> K | None:
    """The administration in office on every possible day of the period, or
    None when the period spans a change (the "spans a change" bucket; never
    a guess).  ``terms`` are (key, first day, last day) of each administration.

    >>> terms = [("kim", date(1998, 2, 25), date(2003, 2, 24)),
    ...          ("roh", date(2003, 2, 25), date(2008, 2, 24))]
    >>> administration_of(date(2003, 1, 1), date(2003, 1, 31), terms)
    'kim'
    >>> administration_of(date(2003, 1, 1), date(2003, 12, 31), terms) is None
    True
    """
    holding = [k for k, a, b in terms if a <= first and last <= b]
    return holding[0] if len(holding) == 1 else None


def administration_label(first: date, last: date,
                         terms: Iterable[tuple[K, date, date]]) -> K | str:
    """:func:`administration_of`, with :data:`SPANS_A_CHANGE` for a period
    that spans a change: the key to count a record under.

    >>> administration_label(date(2003, 1, 1), date(2003, 12, 31), [])
    'spans a change of administration'
    """
    found = administration_of(first, last, terms)
    return SPANS_A_CHANGE if found is None else found
