"""Every named query, with its expected answer taken from the report."""

from __future__ import annotations

import datetime as dt

import pytest

from kgraph.sparql import named_queries, named_query, select


@pytest.fixture(scope="module")
def q(graph):
    """Run a named query; IRIs as CURIEs, values as Python values."""
    from kgraph.namespaces import curie

    def _q(name: str) -> list[dict]:
        t = select(graph, named_query(name).text, labels=False)
        return [{k: (curie(v) if isinstance(v, str) and v.startswith("https://") else v)
                 for k, v in r.items()} for r in t.records()]
    # curie() takes rdflib terms; strings from select() are converted here.
    from rdflib import URIRef

    def _fix(rows):
        return [{k: (curie(URIRef(v)) if isinstance(v, str) and v.startswith("https://w3id.org/") else v)
                 for k, v in r.items()} for r in rows]

    return lambda name: _fix([dict(zip(t.columns, row, strict=True)) for t in
                              [select(graph, named_query(name).text, labels=False)] for row in t.rows])


def test_at_least_twenty_named_queries_each_with_a_question():
    qs = named_queries()
    assert len(qs) >= 20
    for nq in qs:
        assert nq.question.endswith("?"), nq.name
        assert "SELECT" in nq.text.upper()


def test_every_named_query_is_tested():
    tested = {name[len("test_"):].replace("_", "-") for name in globals() if name.startswith("test_")}
    missing = {nq.name for nq in named_queries()} - tested
    assert not missing, f"named queries without a test: {sorted(missing)}"


def test_agreements_by_partner(q):
    rows = q("agreements-by-partner")
    assert len(rows) == 117
    assert rows[0]["agreement"] == "agr:gsomia-USA" and rows[0]["signed"] == dt.date(1987, 9, 24)
    assert rows[-1]["agreement"] == "agr:gsomia-THA" and rows[-1]["signed"] == dt.date(2019, 9, 2)
    jpn = [r for r in rows if r["partner"] == "country:JPN"]
    assert [(r["agreement"], r["signed"]) for r in jpn] == [
        ("agr:defcoop-JPN", "2009-04"), ("agr:gsomia-JPN", dt.date(2016, 11, 23))]


def test_agreements_per_administration(q):
    rows = {r["administration"]: (r["defense_cooperation"], r["military_information"],
                                  r["defense_industry"], r["total"])
            for r in q("agreements-per-administration")}
    assert rows["adm:lee-myung-bak"] == (15, 9, 10, 34)
    assert rows["adm:park-geun-hye"] == (16, 8, 8, 32)
    assert rows["adm:chun-doo-hwan"] == (0, 1, 0, 1)
    assert rows["(date straddles a change of administration)"] == (3, 0, 0, 3)
    assert sum(v[3] for v in rows.values()) == 117


def test_agreements_per_year(q):
    rows = {r["year"]: (r["defense_cooperation"], r["military_information"], r["defense_industry"],
                        r["total"]) for r in q("agreements-per-year")}
    # 2009: 資料5 JPN SWE JOR SGP; 資料4 ESP AUS GBR SWE POL BGR NATO; 資料3 PHL EGY
    assert rows[2009] == (4, 7, 2, 13)
    assert rows[1987] == (0, 1, 0, 1)
    assert sum(v[3] for v in rows.values()) == 117


def test_gsomia_ratification_lag(q):
    rows = q("gsomia-ratification-lag")
    assert len(rows) == 26
    assert (rows[0]["partner"], rows[0]["months"]) == ("country:UKR", 30)   # 2003-04 -> 2005-10
    assert (rows[1]["partner"], rows[1]["months"]) == ("country:GRC", 28)   # 2013-12 -> 2016-04
    same_month = {r["partner"] for r in rows if r["months"] == 0}
    assert same_month == {"country:USA", "country:JPN", "country:SWE", "org:nato"}


def test_partners_with_several_agreement_kinds(q):
    rows = q("partners-with-several-agreement-kinds")
    three = [r["partner"] for r in rows if r["kinds"] == 3]
    assert len(three) == 13
    assert "country:USA" not in three   # no defence cooperation agreement with the US in 資料5
    assert all(r["kinds"] >= 2 for r in rows)


def test_first_agreement_per_partner(q):
    rows = q("first-agreement-per-partner")
    assert len(rows) == 66   # 49 (資料5) + 6 only in 資料4 + 11 only in 資料3
    assert rows[0]["partner"] == "country:USA" and rows[0]["administration"] == "adm:chun-doo-hwan"
    nato = next(r for r in rows if r["partner"] == "org:nato")
    assert nato["agreement"] == "agr:gsomia-nato" and nato["administration"] == "adm:lee-myung-bak"


def test_straddling_records(q):
    rows = {r["record"] for r in q("straddling-records")}
    assert {"agr:defcoop-AGO", "agr:defcoop-EGY", "agr:defcoop-SAU"} <= rows


def test_acting_presidency_records(q):
    rows = {(r["record"], r["acting"]) for r in q("acting-presidency-records")}
    for a in ("agr:defcoop-BWA", "agr:defcoop-FJI", "agr:industry-BWA", "agr:industry-EST",
              "agr:industry-HRV"):
        assert (a, "adm:acting-2016-hwang-kyo-ahn") in rows
    # The Zaytun Division's dispatch began in April 2004, while Goh Kun acted.
    assert ("dep:iraq-zaytun", "adm:acting-2004-goh-kun") in rows


def test_defense_industry_by_signatory(q):
    rows = q("defense-industry-by-signatory")
    assert [r["instruments"] for r in rows[:3]] == [17, 9, 8]
    assert sum(r["instruments"] for r in rows) == 42
    assert rows[0]["first_year"] == 2009 and rows[0]["last_year"] == 2019


def test_defense_industry_by_form(q):
    rows = {r["form"]: r["instruments"] for r in q("defense-industry-by-form")}
    assert rows == {"concept:form-interagency-arrangement": 39, "concept:form-treaty": 2,
                    "concept:form-agreement": 1}


def test_administrations(q):
    rows = q("administrations")
    assert len(rows) == 23   # 1948 to today (reference data after the report: 2022 onwards)
    assert rows[0]["administration"] == "adm:rhee-syngman" and rows[0]["start"] == dt.date(1948, 7, 24)
    interim = [r["administration"] for r in rows if r["interim"]]
    assert "adm:interim-2017" in interim and "adm:interim-2025" in interim and len(interim) == 9
    moon = next(r for r in rows if r["administration"] == "adm:moon-jae-in")
    assert moon["start"] == dt.date(2017, 5, 10) and moon["end"] == dt.date(2022, 5, 9)
    assert rows[-1]["administration"] == "adm:lee-jae-myung" and rows[-1]["end"] is None


def test_in_force_at_end_of_2019(q):
    rows = q("in-force-at-end-of-2019")
    assert len(rows) == 26
    assert rows[-1]["partner"] == "country:THA" and rows[-1]["in_force"] == dt.date(2019, 10, 10)


def test_deployments(q):
    rows = q("deployments")
    assert len(rows) == 53
    assert rows[0]["start"] == "1991-01" and rows[0]["total"] == 154 and rows[0]["consent"] is True
    zaytun = next(r for r in rows if r["deployment"] == "dep:iraq-zaytun")
    assert (zaytun["start"], zaytun["end"], zaytun["total"]) == ("2004-04", "2008-12", 17708)
    assert sum(1 for r in rows if r["consent"]) == 20
    assert sum(1 for r in rows if r["ongoing"]) == 14


def test_deployments_by_category(q):
    rows = {r["category"]: (r["deployments"], r["current_personnel"], r["total_personnel"])
            for r in q("deployments-by-category")}
    assert rows["concept:deployment-emergency-relief"] == (1, 0, 16)     # Sierra Leone
    assert rows["concept:deployment-defense-cooperation"] == (2, 146, 2903)  # UAE Akh + Philippines Araw
    assert sum(v[0] for v in rows.values()) == 53


def test_deployments_ongoing(q):
    rows = q("deployments-ongoing")
    assert len(rows) == 14
    assert [(r["deployment"], r["current"]) for r in rows[:4]] == [
        ("dep:gulf-of-aden-cheonghae", 300), ("dep:lebanon-dongmyeong", 280),
        ("dep:south-sudan-hanbit", 278), ("dep:uae-akh", 146)]


def test_deployment_totals_check(q):
    rows = {r["measure"]: (r["printed"], r["sum_of_rows"], r["difference"])
            for r in q("deployment-totals-check")}
    # The report prints 1,039 and 55,483; its rows add up to 3 and 16 fewer.
    assert rows == {"dd:currentPersonnel": (1039, 1036, 3), "dd:totalPersonnel": (55483, 55467, 16)}


def test_deployments_per_administration(q):
    rows = {r["administration"]: r["deployments"] for r in q("deployments-per-administration")}
    assert rows["adm:roh-moo-hyun"] == 17
    assert sum(rows.values()) == 53


def test_deployments_by_destination(q):
    rows = q("deployments-by-destination")
    assert rows[0]["destination"] == "country:IRQ"
    assert (rows[0]["deployments"], rows[0]["total_personnel"]) == (7, 20308)
    afg = next(r for r in rows if r["destination"] == "country:AFG")
    assert (afg["deployments"], afg["total_personnel"]) == (12, 5209)


def test_k9_contracts(q):
    rows = q("k9-contracts")
    assert [r["buyer"] for r in rows] == ["country:TUR", "country:POL", "country:FIN",
                                          "country:IND", "country:NOR", "country:EST"]
    assert sum(r["quantity"] for r in rows) == 584
    assert sum(r["value_usd"] for r in rows) == 2_370_000_000
    assert rows[0]["signed"] == dt.date(2001, 7, 1)


def test_arms_sales_by_buyer(q):
    rows = q("arms-sales-by-buyer")
    k9 = [r for r in rows if r["weapon"] == "weapon:k9"]
    assert len(k9) == 6
    assert {r["buyer"] for r in rows} >= {"country:TUR", "country:IDN", "country:PHL"}


def test_arms_export_values(q):
    rows = {r["year"]: r["value_usd"] for r in q("arms-export-values")}
    assert rows["2006"] == 200_000_000
    assert rows["2014"] == 3_600_000_000


def test_exercises_2019(q):
    rows = q("exercises-2019")
    assert len(rows) == 7
    cobra = next(r for r in rows if r["exercise"] == "exercise:cobra-gold")
    assert cobra["stated_participant_count"] == 9 and cobra["start"] == dt.date(2019, 2, 9)
    assert rows[0]["start"] == dt.date(2019, 1, 21)


def test_un_command_1950(q):
    rows = q("un-command-1950")
    assert len(rows) == 23
    assert sum(1 for r in rows if r["role"] == "concept:role-combat") == 17   # Korea included, as printed
    medical = {r["country"] for r in rows if r["role"] == "concept:role-medical"}
    assert medical == {"country:ITA", "country:NOR", "country:DNK", "country:SWE", "country:DEU", "country:IND"}


def test_vietnam_troops_by_year(q):
    rows = {r["year"]: (r["printed_total"], r["sum_of_services"]) for r in q("vietnam-troops-by-year")}
    assert len(rows) == 9
    assert rows["1968"] == (49869, 49869)
    # 1970: printed 48,510, services add up to 48,512.
    assert rows["1970"] == (48510, 48512)
    assert [y for y, (p, s) in rows.items() if p != s] == ["1970"]


def test_white_papers(q):
    rows = q("white-papers")
    assert len(rows) == 25
    first = rows[0]
    assert (first["published"], first["stated_administration"], first["derived_administration"]) == (
        "1967", "adm:park-chung-hee", "adm:park-chung-hee")


def test_attache_offices_by_decade(q):
    rows = q("attache-offices-by-decade")
    assert len(rows) == 12
    nineties = {r["direction"]: r["stated_count"] for r in rows if r["decade"] == "1990s"}
    assert nineties == {"concept:attache-outbound": 10, "concept:attache-inbound": 5}


def test_partner_tie_kinds(q):
    rows = q("partner-tie-kinds")
    top = rows[0]
    # The Philippines: defence cooperation, GSOMIA, two defence-industry MOUs,
    # the FA-50 purchase, the Araw unit, attaché offices both ways (1950s),
    # and the 1950 UN Command: 7 kinds, 9 ties.
    assert (top["partner"], top["kinds"], top["ties"]) == ("country:PHL", 7, 9)
    usa = next(r for r in rows if r["partner"] == "country:USA")
    assert usa["kinds"] == 6                # everything but defence cooperation and arms purchase
    assert usa["first_tie"] == "1940s"   # US attaché office in Korea, dated to the decade
    assert all(r["partner"] != "country:KOR" for r in rows)
