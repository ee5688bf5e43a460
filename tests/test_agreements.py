"""資料3, 資料4 and 資料5 as transcribed: counts, chosen rows, administrations."""

from __future__ import annotations

import datetime as dt

import pytest


def count(sel, cls: str) -> int:
    return sel(f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a {cls} }}")[0][0]


@pytest.mark.parametrize("cls, rows", [
    ("dd:DefenseCooperationAgreement", 49),   # 資料5: 25 left + 24 right
    ("dd:MilitaryInformationAgreement", 26),  # 資料4
    ("dd:DefenseIndustryAgreement", 42),      # 資料3
    ("dd:Agreement", 117),                    # only through the subclass tree (reasoning)
])
def test_rows_per_table(sel, cls, rows):
    assert count(sel, cls) == rows


def test_each_table_is_its_own_source(sel):
    rows = sel("""SELECT ?src (COUNT(?a) AS ?n) WHERE {
        ?a a dd:Agreement ; prov:wasDerivedFrom ?src . FILTER(STRSTARTS(STR(?src), STR(src:appendix)))
    } GROUP BY ?src ORDER BY ?src""")
    assert rows == [("src:appendix-3", 42), ("src:appendix-4", 26), ("src:appendix-5", 49)]


@pytest.mark.parametrize("agreement, partner, signed", [
    ("agr:defcoop-DEU", "country:DEU", "1994-05"),    # 資料5 left column, first row
    ("agr:defcoop-THA", "country:THA", "2012-03"),    # left column, last row
    ("agr:defcoop-CHN", "country:CHN", "2012-07"),    # right column, first row
    ("agr:defcoop-ITA", "country:ITA", "2018-10"),    # right column, last row
    ("agr:defcoop-JPN", "country:JPN", "2009-04"),
    ("agr:gsomia-USA", "country:USA", dt.date(1987, 9, 24)),
    ("agr:gsomia-JPN", "country:JPN", dt.date(2016, 11, 23)),
    ("agr:gsomia-nato", "org:nato", dt.date(2009, 12, 4)),
    ("agr:gsomia-GBR-2", "country:GBR", dt.date(2019, 1, 21)),
    ("agr:industry-USA", "country:USA", dt.date(1988, 6, 8)),
    ("agr:industry-PHL-2", "country:PHL", dt.date(2009, 10, 13)),
    ("agr:industry-ARG", "country:ARG", dt.date(2019, 2, 28)),
])
def test_chosen_rows(sel, agreement, partner, signed):
    rows = sel(f"SELECT ?p ?d WHERE {{ {agreement} dd:partner ?p ; dd:signedOnAsPrinted ?d }}")
    assert rows == [(partner, signed)]


def test_gsomia_entry_into_force(sel):
    rows = dict(sel("""SELECT ?a ?f WHERE { ?a a dd:MilitaryInformationAgreement ; dd:inForceFromAsPrinted ?f }"""))
    assert rows["agr:gsomia-RUS"] == dt.date(2002, 10, 31)
    assert rows["agr:gsomia-JPN"] == dt.date(2016, 11, 23)
    assert rows["agr:gsomia-THA"] == dt.date(2019, 10, 10)
    assert len(rows) == 26


def test_uk_amendment_points_to_the_first_uk_agreement(sel):
    assert sel("SELECT ?x WHERE { agr:gsomia-GBR-2 dd:amends ?x }") == [("agr:gsomia-GBR",)]


def test_defense_industry_forms(sel):
    rows = sel("""SELECT ?a WHERE { ?a a dd:DefenseIndustryAgreement ; dd:instrumentForm concept:form-treaty } ORDER BY ?a""")
    assert rows == [("agr:industry-BGD",), ("agr:industry-RUS",)]
    rows = sel("""SELECT ?a WHERE { ?a dd:instrumentForm concept:form-agreement }""")
    assert rows == [("agr:industry-CHL",)]


def test_defense_cooperation_form_is_unknown(sel):
    # Underlining (treaty vs agreement) was lost in extraction: never guessed.
    assert sel("SELECT ?a WHERE { ?a a dd:DefenseCooperationAgreement ; dd:instrumentForm ?f }") == []


def test_partners_with_all_three_kinds(sel):
    rows = sel("""SELECT ?p WHERE {
        ?a a dd:DefenseCooperationAgreement ; dd:partner ?p .
        ?b a dd:MilitaryInformationAgreement ; dd:partner ?p .
        ?c a dd:DefenseIndustryAgreement ; dd:partner ?p .
    } GROUP BY ?p ORDER BY ?p""")
    assert [r[0].split(":")[1] for r in rows] == [
        "ARE", "AUS", "CAN", "ESP", "IND", "PHL", "POL", "ROU", "RUS", "SAU", "THA", "UKR", "UZB"]


def test_distinct_partners_per_table(sel):
    rows = dict(sel("""SELECT ?cls (COUNT(DISTINCT ?p) AS ?n) WHERE {
        VALUES ?cls { dd:DefenseCooperationAgreement dd:MilitaryInformationAgreement dd:DefenseIndustryAgreement }
        ?a a ?cls ; dd:partner ?p } GROUP BY ?cls"""))
    assert rows == {"dd:DefenseCooperationAgreement": 49, "dd:MilitaryInformationAgreement": 25,
                    "dd:DefenseIndustryAgreement": 40}


def test_every_agreement_has_korea_and_its_partner_as_parties(sel):
    assert sel("""SELECT ?a WHERE { ?a a dd:Agreement .
        FILTER NOT EXISTS { ?a dd:party country:KOR } }""") == []
    assert sel("""SELECT ?a WHERE { ?a a dd:Agreement ; dd:partner country:KOR }""") == []


def test_records_per_administration(sel):
    rows = dict(sel("""SELECT ?adm (COUNT(?a) AS ?n) WHERE {
        ?a a dd:Agreement ; dd:duringAdministration ?adm } GROUP BY ?adm"""))
    assert rows == {
        "adm:chun-doo-hwan": 1, "adm:roh-tae-woo": 4, "adm:kim-young-sam": 12,
        "adm:kim-dae-jung": 10, "adm:roh-moo-hyun": 11, "adm:lee-myung-bak": 34,
        "adm:park-geun-hye": 32, "adm:moon-jae-in": 10,
    }


def test_month_dated_agreements_that_straddle_a_change(sel):
    # 2013年2月 (Lee Myung-bak until the 24th) and 2017年3月 (Park Geun-hye
    # removed on the 10th, interim from the 11th): no guess, two candidates each.
    rows = sel("""SELECT ?a (GROUP_CONCAT(STR(?c); separator=" ") AS ?cands) WHERE {
        ?a a dd:Agreement ; dd:possibleAdministration ?c } GROUP BY ?a ORDER BY ?a""")
    got = {a: sorted(c.rsplit("/", 1)[1] for c in cands.split()) for a, cands in rows}
    assert got == {
        "agr:defcoop-AGO": ["interim-2017", "park-geun-hye"],
        "agr:defcoop-EGY": ["interim-2017", "park-geun-hye"],
        "agr:defcoop-SAU": ["lee-myung-bak", "park-geun-hye"],
    }
    assert sel("""SELECT ?a WHERE { ?a dd:possibleAdministration ?c ; dd:duringAdministration ?d }""") == []


def test_agreements_during_acting_presidency(sel):
    # Hwang Kyo-ahn acted for the suspended Park Geun-hye from 2016-12-09 to
    # 2017-03-10; these stay Park Geun-hye's, flagged.
    rows = sel("""SELECT ?a ?adm WHERE { ?a a dd:Agreement ;
        dd:duringActingPresidency adm:acting-2016-hwang-kyo-ahn ; dd:duringAdministration ?adm } ORDER BY ?a""")
    assert rows == [(a, "adm:park-geun-hye") for a in (
        "agr:defcoop-BWA", "agr:defcoop-FJI", "agr:industry-BWA", "agr:industry-EST",
        "agr:industry-HRV")]
