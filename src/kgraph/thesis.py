"""The report's thesis, measured: from one ally to many partners?

Ito's report argues that Korea's defence diplomacy moved from "national
survival" beside one ally, the United States, to "diverse national
interests" pursued with many partners.  ``measures`` puts numbers on that,
per administration or per decade, from the ties of ``kgraph.ties`` (one tie =
one record with one partner):

``partners``
    distinct partners;
``ties`` / ``us_ties`` / ``us_share``
    ties, ties with the United States, and their share;
``region_entropy`` / ``region_hhi``
    how the ties spread over UN M49 sub-regions (organisations and missions
    count as one "International organization" region): Shannon entropy in
    bits, -sum p log2 p (0 = one region; higher = more spread) and the
    Herfindahl–Hirschman index, sum p² (1 = one region; lower = more spread);
``kinds_per_partner``
    mean number of distinct kinds of tie per partner.

Each is given for two scopes: ``new`` (the ties dated in the period) and
``reached`` (every tie reached by the period's end).

Rules for dates (from ``kgraph.dates``):

- A tie's date is its record's, as the possible days ``early``..``late``
  (a tie printed "1950s" may lie on any day of that decade).
- A tie is *new in a period* when all its possible days fall in it
  (``dates.administration_of`` for administrations; for decades, the same
  test on the decade's first and last days).  A tie whose possible days
  straddle a change of administration (or of decade) belongs to no period: it
  is counted in a row of its own, ``dates.SPANS_A_CHANGE``, never guessed.
- A tie is *reached by the end of a period* when its last possible day is on
  or before the period's last day: it certainly happened by then.  So a
  straddling tie joins the cumulative count of the first period after it.
- Ties without a date (none in the bundled graph) are left out and counted.

Caveat the numbers cannot remove: the report's tables cover different
periods (exercises only for 2019, attaché offices from their founding, the
agreements of 資料3–5 from the 1990s), so a later period gains kinds of tie
that earlier ones could not have, and the US share of the last period is
inflated by the 2019 exercises.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import KgraphError

if TYPE_CHECKING:
    import pandas as pd

    from .network import Tie

USA = "https://w3id.org/defdip/id/country/USA"
BY = ("administration", "decade")
COLUMNS = ["period", "label", "scope", "first_day", "last_day", "partners", "ties", "us_ties",
           "us_share", "region_entropy", "region_hhi", "kinds_per_partner"]


def entropy(counts: Iterable[int]) -> float:
    """Shannon entropy in bits of a distribution given by counts.

    >>> entropy([1, 1]), entropy([4]), round(entropy([1, 1, 2]), 3)
    (1.0, 0.0, 1.5)
    """
    c = [x for x in counts if x > 0]
    n = sum(c)
    return -sum(x / n * math.log2(x / n) for x in c) + 0.0 if n else 0.0


def hhi(counts: Iterable[int]) -> float:
    """Herfindahl–Hirschman index (sum of squared shares) of counts.

    >>> hhi([1, 1]), hhi([4]), hhi([1, 1, 2])
    (0.5, 1.0, 0.375)
    """
    c = list(counts)
    n = sum(c)
    return sum((x / n) ** 2 for x in c) if n else 0.0


def measure(tie_list: Sequence[Tie], regions: dict[str, str]) -> dict[str, Any]:
    """The measures of one set of ties (``regions``: partner IRI -> region)."""
    partners = {t.partner for t in tie_list}
    kinds: dict[str, set[str]] = {}
    for t in tie_list:
        kinds.setdefault(t.partner, set()).add(t.kind)
    us = sum(1 for t in tie_list if t.partner == USA)
    by_region = Counter(regions.get(t.partner, "Unknown") for t in tie_list)
    n = len(tie_list)
    return {"partners": len(partners), "ties": n, "us_ties": us,
            "us_share": us / n if n else 0.0,
            "region_entropy": entropy(by_region.values()),
            "region_hhi": hhi(by_region.values()),
            "kinds_per_partner": (sum(len(k) for k in kinds.values()) / len(partners)
                                  if partners else 0.0)}


def periods(graph: Any, by: str, tie_list: Sequence[Tie]) -> list[tuple[str, str, date, date]]:
    """(key, label, first day, last day) of each period that has a tie."""
    from . import network

    if by == "administration":
        labels = network.english_labels(graph)
        return [(a.rsplit("/", 1)[-1], labels.get(a, a.rsplit("/", 1)[-1]), s, e)
                for a, s, e in network.administrations(graph)]
    if by == "decade":
        years = [y for t in tie_list if t.early for y in (t.early.year, t.late.year if t.late else 0)]
        if not years:
            return []
        first, last = min(years) // 10 * 10, max(years) // 10 * 10
        return [(f"{d}s", f"{d}s", date(d, 1, 1), date(d + 9, 12, 31))
                for d in range(first, last + 1, 10)]
    raise KgraphError(f"unknown period '{by}'", hint=f"choose one of: {', '.join(BY)}")


def measures(graph: Any, by: str = "administration", *, states: bool = False) -> pd.DataFrame:
    """The thesis measures per period (see the module docstring), two rows per
    period (scope ``new`` and ``reached``) for every period with a new tie,
    then a ``new`` row for the ties that straddle a change.
    ``df.attrs['undated']`` counts ties without a date."""
    import pandas as pd

    from . import network
    from .dates import SPANS_A_CHANGE, administration_of

    attrs = network.node_attributes(graph)
    all_ties = network.ties(graph)
    if states:
        all_ties = network.states_only(all_ties, attrs)
    dated = [t for t in all_ties if t.early is not None and t.late is not None]
    regions = {k: a.get("region", "Unknown") for k, a in attrs.items()}
    spans = periods(graph, by, dated)
    terms = [(key, first, last) for key, _label, first, last in spans]
    new: dict[str, list[Tie]] = {}
    for t in dated:
        assert t.early is not None and t.late is not None
        key = administration_of(t.early, t.late, terms) or SPANS_A_CHANGE
        new.setdefault(key, []).append(t)
    rows = []
    for key, label, first, last in spans:
        if key not in new:
            continue
        reached = [t for t in dated if t.late is not None and t.late <= last]
        for scope, ts in (("new", new[key]), ("reached", reached)):
            rows.append({"period": key, "label": label, "scope": scope, "first_day": first,
                         "last_day": last if last != date.max else None, **measure(ts, regions)})
    if SPANS_A_CHANGE in new:
        rows.append({"period": SPANS_A_CHANGE, "label": SPANS_A_CHANGE, "scope": "new",
                     "first_day": None, "last_day": None, **measure(new[SPANS_A_CHANGE], regions)})
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs.update(by=by, undated=len(all_ties) - len(dated), states_only=states)
    return df


__all__ = ["BY", "COLUMNS", "entropy", "hhi", "measure", "measures", "periods"]
