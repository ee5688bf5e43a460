"""Printing tables as text, CSV, TSV, JSON or Markdown, without pandas; and
turning them into pandas DataFrames whose date columns sort."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .dates import parse_label

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "csv", "tsv", "json", "md")


@dataclass
class Table:
    """SELECT results as plain Python rows (no pandas needed)."""

    columns: list[str]
    rows: list[list[Any]]

    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a DataFrame; date columns come back so that they sort.

        A column whose values are all days (``datetime.date``) becomes
        ``datetime64``.  A column of dates at mixed precision (days and
        printed months, years or decades: "2009-05", "1994", "1990s") stays
        the printed value as a string, and a companion column
        ``<column>_first_day`` (``datetime64``) follows it with the first
        possible day, to sort or compare by.  Other columns are unchanged.

        >>> df = Table(["signed"], [[date(2016, 11, 23)], ["2009-04"], [None]]).to_dataframe()
        >>> list(df.columns), str(df["signed_first_day"].dtype)
        (['signed', 'signed_first_day'], 'datetime64[ns]')
        >>> df.sort_values("signed")["signed"].tolist()
        ['2009-04', '2016-11-23', None]
        """
        import pandas as pd

        df = pd.DataFrame(self.rows, columns=self.columns)
        for i, name in reversed(list(enumerate(self.columns))):
            kind = date_column_kind([r[i] for r in self.rows])
            if kind == "days":
                df[name] = pd.to_datetime(df[name])
            elif kind == "mixed" and f"{name}_first_day" not in self.columns:
                printed = [printed_date(r[i]) for r in self.rows]
                first = [None if p is None else parse_label(p)[0]  # type: ignore[index]
                         for p in printed]
                df[name] = pd.Series(printed, dtype=object)
                df.insert(i + 1, f"{name}_first_day", pd.to_datetime(pd.Series(first, dtype=object)))
        return df

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def printed_date(v: Any) -> str | None:
    """A date value as printed: a day as ISO, a printed month/year/decade as is."""
    if v is None:
        return None
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def date_column_kind(values: Sequence[Any]) -> str | None:
    """'days' when every value (None aside) is a ``datetime.date``, 'mixed'
    when every value is a date or a printed date ("2009-05", "1994",
    "1990s") and some are not days, else None.

    >>> date_column_kind([date(2009, 5, 14), None]), date_column_kind([date(2009, 5, 14), "2009"])
    ('days', 'mixed')
    >>> date_column_kind(["Japan", "2009"]) is None
    True
    """
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, date) and not isinstance(v, datetime) for v in present):
        return "days"
    if all((isinstance(v, date) and not isinstance(v, datetime))
           or (isinstance(v, str) and parse_label(v) is not None) for v in present):
        return "mixed"
    return None


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _json_value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    return v


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table",
           width: int | None = None) -> str:
    """The rows in one of ``FORMATS``; ``table`` fits the terminal width."""
    if fmt == "csv" or fmt == "tsv":
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(v) for v in r])
        return buf.getvalue()
    if fmt == "json":
        return json.dumps([{c: _json_value(v) for c, v in zip(columns, r, strict=True)}
                           for r in rows], ensure_ascii=False, indent=1) + "\n"
    if fmt == "md":
        esc = [[_cell(v).replace("|", "\\|") for v in r] for r in rows]
        out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in esc]
        return "\n".join(out) + "\n"
    if fmt == "table":
        return _table(columns, rows, width or shutil.get_terminal_size((120, 24)).columns)
    raise ValueError(f"unknown format {fmt!r}")


def _display_width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _truncate(s: str, width: int) -> str:
    if _display_width(s) <= width:
        return s
    out, w = "", 0
    for ch in s:
        cw = _display_width(ch)
        if w + cw > width - 1:
            break
        out += ch
        w += cw
    return out + "…"


def _pad(s: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _display_width(s))
    return gap + s if right else s + gap


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int) -> str:
    cells = [[_cell(v) for v in r] for r in rows]
    numeric = [all(isinstance(r[i], (int, float)) and not isinstance(r[i], bool)
                   for r in rows if r[i] is not None) and any(r[i] is not None for r in rows)
               for i in range(len(columns))]
    widths = [max([_display_width(c)] + [_display_width(r[i]) for r in cells])
              for i, c in enumerate(columns)]
    sep = 2
    # Shrink the widest columns until the table fits the terminal.
    while sum(widths) + sep * (len(widths) - 1) > width and max(widths, default=0) > 8:
        i = widths.index(max(widths))
        widths[i] -= 1
    lines = ["  ".join(_pad(_truncate(c, widths[i]), widths[i], numeric[i])
                       for i, c in enumerate(columns)).rstrip(),
             "  ".join("─" * w for w in widths)]
    for r in cells:
        lines.append("  ".join(_pad(_truncate(v, widths[i]), widths[i], numeric[i])
                               for i, v in enumerate(r)).rstrip())
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
