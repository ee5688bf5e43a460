"""The thesis measures ("from one ally to many partners"), checked against
values worked out here from the graph's ties and administrations."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from kgraph import network, thesis

ADM = "https://w3id.org/defdip/id/administration/"
USA = "https://w3id.org/defdip/id/country/USA"


@pytest.fixture(scope="module")
def by_adm(kg):
    return thesis.measures(kg).set_index(["period", "scope"])


def _expected(kg, rows):
    """The measures worked out from (partner, kind) rows, with the formulas written out."""
    regions = {k: a["region"] for k, a in network.node_attributes(kg).items()}
    per_region = Counter(regions[p] for p, _ in rows)
    n = len(rows)
    kinds: dict[str, set[str]] = {}
    for p, k in rows:
        kinds.setdefault(p, set()).add(k)
    return {"partners": len(kinds), "ties": n, "us_ties": sum(p == USA for p, _ in rows),
            "region_entropy": -sum(c / n * math.log2(c / n) for c in per_region.values()),
            "region_hhi": sum((c / n) ** 2 for c in per_region.values()),
            "kinds_per_partner": sum(len(v) for v in kinds.values()) / len(kinds)}


def _new_ties(kg, adm: str):
    # Independently of kgraph.thesis: the ties whose record the build placed under the administration.
    rows = kg.ox.select(f"""SELECT ?p ?k WHERE {{ ?t a dd:Tie ; dd:tiePartner ?p ; dd:tieKind ?k ;
                            dd:tieRecord ?r . ?r dd:duringAdministration <{ADM}{adm}> }}""",
                        labels=False).rows
    return [(str(p), str(k)) for p, k in rows]


@pytest.mark.parametrize("adm, partners, ties, us", [
    ("lee-myung-bak", 36, 48, 0),     # Global Korea: many new partners, no new US tie
    ("moon-jae-in", 19, 35, 10),      # ten of them the 2019 exercises with the US
])
def test_new_ties_per_administration(kg, by_adm, adm, partners, ties, us):
    got = by_adm.loc[(adm, "new")]
    want = _expected(kg, _new_ties(kg, adm))
    assert (want["partners"], want["ties"], want["us_ties"]) == (partners, ties, us)
    for k, v in want.items():
        assert got[k] == pytest.approx(v), k
    assert got["us_share"] == pytest.approx(us / ties)


def test_reached_by_the_end_of_an_administration(kg, by_adm):
    # Every tie whose last possible day is on or before 2013-02-24 (Lee Myung-bak's last day).
    from datetime import date

    rows = [(t.partner, t.kind) for t in network.ties(kg) if t.late and t.late <= date(2013, 2, 24)]
    got = by_adm.loc[("lee-myung-bak", "reached")]
    for k, v in _expected(kg, rows).items():
        assert got[k] == pytest.approx(v), k
    assert got["partners"] == 71 and got["ties"] == 169
    # Many partners: by the end of Moon Jae-in's term all 91 partners are reached.
    assert by_adm.loc[("moon-jae-in", "reached")]["partners"] == 91


def test_straddling_ties_are_a_row_of_their_own(by_adm):
    from kgraph.dates import SPANS_A_CHANGE

    row = by_adm.loc[(SPANS_A_CHANGE, "new")]
    assert row["ties"] == 18
    new_total = sum(by_adm.xs("new", level="scope")["ties"])
    assert new_total == 246   # every dated tie is new in exactly one row


def test_decades(kg):
    df = thesis.measures(kg, by="decade").set_index(["period", "scope"])
    assert [int(df.loc[(d, "new")]["partners"]) for d in ("1990s", "2000s", "2010s")] == [24, 39, 55]
    # A tie printed "1950s" is new in the 1950s: the decade holds all its possible days.
    assert df.loc[("1950s", "new")]["ties"] == 35


def test_thesis_command(capsys):
    from kgraph.cli import main

    assert main(["thesis", "--scope", "new", "-f", "csv"]) == 0
    out = capsys.readouterr().out
    assert "Lee Myung-bak administration,new,36,48,0," in out
