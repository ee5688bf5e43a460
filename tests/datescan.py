"""Scan an output for days the report did not print.

A record printed as a month ("2009-04"), a year ("1994") or a decade
("1990s") must never come out as a day ("2009-04-01", "1994-01-01",
"1990-01-01"): that is a day nobody printed.  The scanner collects every day
the graph holds *at day precision* (the printed ``xsd:date`` values under
``dd:...AsPrinted``, plus ``dd:asOf`` days, which are days by definition) and
reports every ISO day in a text that is not one of them.

The check is against the set of printed days, not record by record: a day
printed for one record hides the same invented day of another.  That keeps it
usable on any output (CSV, JSON, GraphML, GEXF, HTML) without parsing it.

Use::

    allowed = printed_days(kg)
    assert invented_days(text, allowed) == []
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

_DAY = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d])")

PRINTED_DAYS = """
SELECT DISTINCT ?d WHERE {
  VALUES ?p { dd:signedOnAsPrinted dd:inForceFromAsPrinted dd:startDateAsPrinted
              dd:endDateAsPrinted dd:dateAsPrinted dd:asOf }
  ?s ?p ?d .
  FILTER(DATATYPE(?d) = xsd:date)
}
"""


def printed_days(kg) -> set[str]:  # noqa: ANN001 - a KnowledgeGraph
    """Every day (ISO ``YYYY-MM-DD``) the graph holds at day precision."""
    table = kg.ox.select(PRINTED_DAYS, labels=False)
    return {str(r[0])[:10] if not hasattr(r[0], "isoformat") else r[0].isoformat()
            for r in table.rows}


def invented_days(text: str, allowed: Iterable[str], ignore: Iterable[str] = ()) -> list[str]:
    """The ISO days in ``text`` that are neither printed (``allowed``) nor in
    ``ignore`` (e.g. a build timestamp), each once, in order of appearance.

    >>> invented_days("a,1994-01-01,2016-11-23,2016-11-23T10:00", {"2016-11-23"})
    ['1994-01-01']
    """
    ok = set(allowed) | set(ignore)
    out: list[str] = []
    for m in _DAY.finditer(text):
        d = m.group(1)
        if d not in ok and d not in out:
            out.append(d)
    return out


def scan_files(paths: Iterable[Path], allowed: Iterable[str],
               ignore: Iterable[str] = ()) -> dict[str, list[str]]:
    """:func:`invented_days` of each file (read as UTF-8), only those with some.

    For the main job's outputs, GraphML/GEXF and the page: pass the build day
    (GEXF's ``lastmodifieddate``) and any vendored library's release date in
    ``ignore``.
    """
    allowed = set(allowed)
    out: dict[str, list[str]] = {}
    for p in paths:
        bad = invented_days(Path(p).read_text(encoding="utf-8"), allowed, ignore)
        if bad:
            out[str(p)] = bad
    return out
