"""Dates of mixed precision and their day bounds.

The graph keeps each date in the precision the report gives (``xsd:date``,
``xsd:gYearMonth``, ``xsd:gYear``).  Comparing mixed types is where SPARQL
engines disagree, so every date also gets the earliest and latest day it can
stand for, and comparisons go through those.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

from rdflib import Literal
from rdflib.namespace import XSD

_DATE = re.compile(r"^(-?\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_YEAR_MONTH = re.compile(r"^(-?\d{4})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
_YEAR = re.compile(r"^(-?\d{4})(Z|[+-]\d{2}:\d{2})?$")

DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)


class DateError(ValueError):
    """A literal that is not a well-formed date of one of the three types."""


def bounds(lit: Literal) -> tuple[date, date]:
    """The first and last day a date literal can stand for.

    >>> bounds(Literal("2009-04", datatype=XSD.gYearMonth))
    (datetime.date(2009, 4, 1), datetime.date(2009, 4, 30))
    """
    text = str(lit)
    dt = lit.datatype
    try:
        if dt == XSD.date:
            m = _DATE.match(text)
            if m:
                d = date(int(m[1]), int(m[2]), int(m[3]))
                return d, d
        elif dt == XSD.gYearMonth:
            m = _YEAR_MONTH.match(text)
            if m:
                y, mo = int(m[1]), int(m[2])
                return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        elif dt == XSD.gYear:
            m = _YEAR.match(text)
            if m:
                y = int(m[1])
                return date(y, 1, 1), date(y, 12, 31)
    except ValueError as exc:  # e.g. month 13, 31 February
        raise DateError(f"'{text}' is not a valid {_short(dt)}: {exc}") from exc
    raise DateError(f"'{text}' is not a valid {_short(dt)}; expected one of xsd:date, "
                    "xsd:gYearMonth, xsd:gYear (e.g. \"2009-04-01\", \"2009-04\", \"2009\")")


def precision(lit: Literal) -> str:
    """'day', 'month' or 'year'."""
    return {XSD.date: "day", XSD.gYearMonth: "month", XSD.gYear: "year"}.get(
        lit.datatype, "unknown"  # type: ignore[arg-type]
    )


def _short(dt: object) -> str:
    s = str(dt)
    return "xsd:" + s.rsplit("#", 1)[-1] if "#" in s else (s or "plain literal")


@lru_cache(maxsize=65536)
def day(d: date) -> Literal:
    """An ``xsd:date`` literal (one object per day: rdflib literals are costly
    to make and a large graph repeats the same days many times)."""
    return Literal(d.isoformat(), datatype=XSD.date)
