"""Dates a researcher can compare: the natural query gives the report's counts
on Oxigraph, rdflib and Virtuoso alike, and outputs show dates at their
printed precision (README, "Dates")."""

from __future__ import annotations

import datetime as dt
import doctest
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import kgraph.dates
import kgraph.formats
import tests.datescan
from kgraph.dates import period_label, years_of
from kgraph.formats import FORMATS, Table, render
from kgraph.namespaces import DD, PREFIXES, curie
from kgraph.querytext import named_queries
from tests.conftest import require
from tests.datescan import invented_days, printed_days

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
AGR = ("VALUES ?kind { dd:DefenseCooperationAgreement dd:MilitaryInformationAgreement "
       "dd:DefenseIndustryAgreement } ?a a ?kind . ")
DCA, GSOMIA, DIA = "dd:DefenseCooperationAgreement", "dd:MilitaryInformationAgreement", "dd:DefenseIndustryAgreement"

# The queries a researcher writes first, on the comparable properties, and the
# rows the report's tables give.  資料5 prints months, 資料4 and 資料3 days,
# 図表8 decades, 資料1 years: the mix the engines used to disagree on.
CORPUS: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    # 資料5: 37 of 49 signed 2009 or later; 資料4: 20 of 26; 資料3: 20 of 42.
    "signed since 2009, per table": (
        "SELECT ?kind (COUNT(?a) AS ?n) WHERE { " + AGR
        + '?a dd:signedOn ?d FILTER(?d >= "2009-01-01"^^xsd:date) } GROUP BY ?kind',
        [(DCA, 37), (DIA, 20), (GSOMIA, 20)]),
    "signed since 2009, by YEAR()": (
        "SELECT (COUNT(?a) AS ?n) WHERE { " + AGR + "?a dd:signedOn ?d FILTER(YEAR(?d) >= 2009) }",
        [(77,)]),
    "signed before 2009": (
        "SELECT (COUNT(?a) AS ?n) WHERE { " + AGR + '?a dd:signedOn ?d FILTER(?d < "2009-01-01"^^xsd:date) }',
        [(40,)]),
    # 2009: defence cooperation 2009-04, -07, -10, -12; seven GSOMIAs; two industry MOUs.
    "signed in 2009 (a range)": (
        "SELECT ?kind (COUNT(?a) AS ?n) WHERE { " + AGR + '?a dd:signedOn ?d '
        'FILTER(?d >= "2009-01-01"^^xsd:date && ?d < "2010-01-01"^^xsd:date) } GROUP BY ?kind',
        [(DCA, 4), (DIA, 2), (GSOMIA, 7)]),
    # First possible day: Japan's "2009-04" counts as before 2009-04-15, with the
    # GSOMIA with Spain of 2009-03-23.
    "signed in 2009 before 2009-04-15": (
        "SELECT ?a WHERE { " + AGR + '?a dd:signedOn ?d '
        'FILTER(?d >= "2009-01-01"^^xsd:date && ?d < "2009-04-15"^^xsd:date) }',
        [("agr:defcoop-JPN",), ("agr:gsomia-ESP",)]),
    # "Certainly before" uses the latest possible day: Japan's month is no longer counted.
    "certainly signed in 2009 before 2009-04-15": (
        "SELECT ?a WHERE { " + AGR + '?a dd:signedOn ?d ; dd:signedOnLatest ?l '
        'FILTER(?d >= "2009-01-01"^^xsd:date && ?l < "2009-04-15"^^xsd:date) }',
        [("agr:gsomia-ESP",)]),
    # "Possibly within" uses both bounds: Japan's April 2009 may fall in 2009-04-10..20.
    # (`< the next day` rather than `<=`: see test_virtuoso_upper_bound_defect.)
    "possibly signed between 2009-04-10 and 2009-04-20": (
        "SELECT ?a WHERE { " + AGR + '?a dd:signedOnEarliest ?e ; dd:signedOnLatest ?l '
        'FILTER(?e < "2009-04-21"^^xsd:date && ?l >= "2009-04-10"^^xsd:date) }',
        [("agr:defcoop-JPN",)]),
    # 40 before 2009, Spain 2009-03-23 and Japan 2009-04 (first day 2009-04-01).
    "signed on or before 2009-04-20 (< the next day)": (
        "SELECT (COUNT(?a) AS ?n) WHERE { " + AGR + '?a dd:signedOn ?d FILTER(?d < "2009-04-21"^^xsd:date) }',
        [(42,)]),
    "GSOMIAs per year": (
        "SELECT ?year (COUNT(?a) AS ?n) WHERE { ?a a dd:MilitaryInformationAgreement ; dd:signedOn ?d "
        "BIND(YEAR(?d) AS ?year) } GROUP BY ?year",
        [(1987, 1), (1999, 1), (2000, 1), (2001, 1), (2003, 1), (2006, 1), (2009, 7), (2012, 2),
         (2013, 1), (2014, 2), (2015, 3), (2016, 2), (2017, 1), (2019, 2)]),
    "defence cooperation agreements per year": (
        "SELECT ?year (COUNT(?a) AS ?n) WHERE { ?a a dd:DefenseCooperationAgreement ; dd:signedOn ?d "
        "BIND(YEAR(?d) AS ?year) } GROUP BY ?year",
        [(1994, 1), (1995, 2), (1996, 1), (1999, 2), (2004, 1), (2006, 4), (2008, 1), (2009, 4),
         (2010, 5), (2011, 3), (2012, 2), (2013, 5), (2014, 2), (2015, 4), (2016, 4), (2017, 5),
         (2018, 3)]),
    "first three GSOMIAs (ORDER BY)": (
        "SELECT ?a ?d WHERE { ?a a dd:MilitaryInformationAgreement ; dd:signedOn ?d } ORDER BY ?d LIMIT 3",
        [("agr:gsomia-USA", "1987-09-24"), ("agr:gsomia-CAN", "1999-07-05"),
         ("agr:gsomia-FRA", "2000-03-06")]),
    # 資料5: Germany 1994-05 first, Italy 2018-10 last (first possible days).
    "first and last defence cooperation agreement (MIN, MAX)": (
        "SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?a a dd:DefenseCooperationAgreement ; "
        "dd:signedOn ?d }",
        [("1994-05-01", "2018-10-01")]),
    # 資料4: Thailand, 2019-09-02.
    "latest agreement of all (MAX)": (
        "SELECT (MAX(?d) AS ?last) WHERE { " + AGR + "?a dd:signedOn ?d }",
        [("2019-09-02",)]),
    "signed under Moon Jae-in (two dated properties joined)": (
        "SELECT (COUNT(?a) AS ?n) WHERE { " + AGR + "?a dd:signedOn ?d . "
        "adm:moon-jae-in dd:startDate ?s ; dd:endDate ?e FILTER(?d >= ?s && ?d <= ?e) }",
        [(10,)]),
    # 資料2: periods printed as months.
    "deployments started since 2010": (
        "SELECT (COUNT(?x) AS ?n) WHERE { ?x a dd:Deployment ; prov:wasDerivedFrom src:appendix-2 ; "
        'dd:startDate ?d FILTER(?d >= "2010-01-01"^^xsd:date) }',
        [(10,)]),
    "deployments per start year in the 1990s": (
        "SELECT ?year (COUNT(?x) AS ?n) WHERE { ?x a dd:Deployment ; prov:wasDerivedFrom src:appendix-2 ; "
        "dd:startDate ?d BIND(YEAR(?d) AS ?year) FILTER(?year < 2000) } GROUP BY ?year",
        [(1991, 1), (1992, 1), (1993, 1), (1994, 3), (1995, 1), (1999, 1)]),
    "deployments ended by 2008": (
        "SELECT (COUNT(?x) AS ?n) WHERE { ?x a dd:Deployment ; prov:wasDerivedFrom src:appendix-2 ; "
        'dd:endDate ?d FILTER(?d <= "2008-12-31"^^xsd:date) }',
        [(21,)]),
    "GSOMIAs in force the year they were signed": (
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:MilitaryInformationAgreement ; dd:signedOn ?s ; "
        "dd:inForceFrom ?f FILTER(YEAR(?f) = YEAR(?s)) }",
        [(11,)]),
    # 図表11: exercises of 2019.
    "exercises of 2019 starting in the first half": (
        "SELECT (COUNT(?x) AS ?n) WHERE { ?x a dd:Exercise ; prov:wasDerivedFrom src:figure-11 ; "
        'dd:startDate ?d FILTER(?d >= "2019-01-01"^^xsd:date && ?d < "2019-07-01"^^xsd:date) }',
        [(3,)]),
    # 図表13: 2001 Turkey, 2014 Poland, 2017 Finland, India, Norway, 2018 Estonia.
    "K-9 contracts per year": (
        "SELECT ?year (COUNT(?s) AS ?n) WHERE { ?s a dd:ArmsSale ; dd:weapon weapon:k9 ; "
        "prov:wasDerivedFrom src:figure-13 ; dd:signedOn ?d BIND(YEAR(?d) AS ?year) } GROUP BY ?year",
        [(2001, 1), (2014, 1), (2017, 3), (2018, 1)]),
    # 資料1: years.
    "white papers published in the 1990s": (
        "SELECT (COUNT(?w) AS ?n) WHERE { ?w a dd:WhitePaper ; dd:date ?d "
        "FILTER(YEAR(?d) >= 1990 && YEAR(?d) < 2000) }",
        [(10,)]),
    # 図表8: offices opened in the 1990s (a decade: first possible day 1990-01-01).
    "attaché offices opened in the 1990s": (
        "SELECT (COUNT(?o) AS ?n) WHERE { ?o a dd:AttacheOffice ; dd:startDate ?d "
        'FILTER(?d >= "1990-01-01"^^xsd:date && ?d < "2000-01-01"^^xsd:date) }',
        [(4,)]),
}


def _value(v: Any) -> Any:
    """One plain value for a term of any engine: IRIs as CURIEs, numbers as
    int, dates and other literals as their lexical form."""
    if v is None:
        return None
    if isinstance(v, URIRef):
        return curie(v)
    if isinstance(v, Literal):
        text = str(v)
        return int(text) if v.datatype in (XSD.integer, XSD.int, XSD.long, XSD.decimal) and \
            re.fullmatch(r"-?\d+(\.0*)?", text) else text
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str) and v.startswith(("http://", "https://")):
        return curie(URIRef(v))
    return v


def _rows(rows: Any) -> list[tuple[Any, ...]]:
    return [tuple(_value(v) for v in r) for r in rows]


def _sorted_unless_ordered(sparql: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return rows if "ORDER BY" in sparql else sorted(rows, key=repr)


def _oxigraph(kg, sparql: str) -> list[tuple[Any, ...]]:
    return _rows(kg.ox.select(PROLOGUE + sparql, labels=False).rows)


def _rdflib(kg, sparql: str) -> list[tuple[Any, ...]]:
    return _rows(kg.graph.query(PROLOGUE + sparql))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_natural_query_gives_the_reports_rows_on_oxigraph_and_rdflib(kg, name):
    sparql, expected = CORPUS[name]
    want = _sorted_unless_ordered(sparql, expected)
    assert _sorted_unless_ordered(sparql, _oxigraph(kg, sparql)) == want
    assert _sorted_unless_ordered(sparql, _rdflib(kg, sparql)) == want


# --- the same corpus on Virtuoso --------------------------------------------------------------

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, kg) -> Iterator[str]:
    """A private Virtuoso holding the published graph; its SPARQL endpoint."""
    from kgraph.publish import publish
    from tests.virtuoso import Virtuoso, available

    require(available() is not None,
            "needs Debian's virtuoso-opensource: apt-get install virtuoso-opensource")
    with Virtuoso(tmp_path_factory.mktemp("virtuoso-dates")) as v:
        publish(kg, store=v.gsp, update=None, user="dba", password="dba", auth="digest",
                dataset="https://w3id.org/defdip/dataset")
        yield v.sparql


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_natural_query_gives_the_reports_rows_on_virtuoso(virtuoso, name):
    from kgraph.remote import remote_query

    sparql, expected = CORPUS[name]
    rows = _rows(remote_query(virtuoso, sparql))
    assert _sorted_unless_ordered(sparql, rows) == _sorted_unless_ordered(sparql, expected)


@pytest.mark.virtuoso
def test_virtuoso_upper_bound_defect(virtuoso):
    # Virtuoso 7.2.5 (Debian's) loses rows when a variable has only an upper bound written
    # `<= "…"^^xsd:date`: a defect of its date range scan, whatever the data (the same
    # happens on any xsd:date property).  `< the next day` or a lower bound beside it give
    # the right rows on every engine (`<= xsd:date("…")` too, but rdflib 7 then returns
    # nothing); README "Dates" says so.  If this starts to fail, Virtuoso is fixed: drop
    # the note.
    from kgraph.remote import remote_query

    def count(flt: str) -> int:
        rows = _rows(remote_query(virtuoso, "SELECT (COUNT(?a) AS ?n) WHERE { ?a dd:signedOn ?d "
                                            f"FILTER({flt}) }}"))
        return int(rows[0][0])

    assert count('?d < "2009-04-21"^^xsd:date') == 43            # 42 agreements + a K-9 sale
    assert count('?d <= "2009-04-20"^^xsd:date && ?d >= "1900-01-01"^^xsd:date') == 43
    assert count('?d <= "2009-04-20"^^xsd:date') != 43           # the defect


# --- the data model ---------------------------------------------------------------------------

def test_printed_value_comparable_day_precision_and_bounds(kg):
    jpn = URIRef(PREFIXES["agr"] + "defcoop-JPN")
    g = kg.graph
    assert g.value(jpn, DD.signedOnAsPrinted) == Literal("2009-04", datatype=XSD.gYearMonth)
    assert g.value(jpn, DD.signedOn) == Literal("2009-04-01", datatype=XSD.date)
    assert g.value(jpn, DD.signedOnPrecision) == DD.MonthPrecision
    assert g.value(jpn, DD.signedOnLatest) == Literal("2009-04-30", datatype=XSD.date)
    office = URIRef(PREFIXES["office"] + "kor-in-RUS")
    assert g.value(office, DD.startDate) == Literal("1990-01-01", datatype=XSD.date)
    assert g.value(office, DD.precision) == DD.DecadePrecision     # 図表8: 「1990年代」
    assert period_label(g.value(office, DD.earliestDay).toPython(),
                        g.value(office, DD.latestDay).toPython()) == "1990s"


def test_the_turtle_files_assert_only_printed_dates(kg):
    # The comparable day is derived, never asserted; every printed date gets one.
    for prop in (DD.signedOn, DD.inForceFrom, DD.startDate, DD.endDate, DD.date):
        printed = URIRef(str(prop) + "AsPrinted")
        assert (None, prop, None) not in kg.asserted
        subjects = set(kg.asserted.subjects(printed, None))
        assert subjects and subjects == set(kg.derived.subjects(prop, None))
        assert subjects == set(kg.derived.subjects(URIRef(str(prop) + "Precision"), None))


def test_a_year_of_a_decade_is_flagged_as_inferred():
    assert years_of(dt.date(1990, 1, 1), dt.date(1999, 12, 31))[3] == (1993, True)
    assert years_of(dt.date(2009, 4, 1), dt.date(2009, 4, 30)) == [(2009, False)]


@pytest.mark.parametrize("module", [kgraph.dates, kgraph.formats, tests.datescan])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --- outputs show dates at their precision ----------------------------------------------------

# The lead's tie definition rewrites this one (issue 12); it still shows 1940-01-01.
NOT_YET = {"partner-tie-kinds"}


@pytest.fixture(scope="module")
def allowed(kg) -> set[str]:
    return printed_days(kg)


@pytest.mark.parametrize("name", sorted(q.name for q in named_queries() if q.name not in NOT_YET))
def test_named_query_prints_no_invented_day(kg, allowed, name):
    from kgraph.querytext import named_query

    table = kg.ox.select(named_query(name).text, labels=False)
    for fmt in ("csv", "json"):
        text = render(table.columns, table.rows, fmt)
        assert invented_days(text, allowed) == [], f"{name} ({fmt})"


def test_the_scanner_catches_an_invented_day(kg, allowed):
    # The old first-agreement column: 資料5's "1994-05" shown as 1994-05-01.
    table = kg.ox.select("SELECT ?d WHERE { agr:defcoop-DEU dd:signedOnEarliest ?d }", labels=False)
    assert invented_days(render(table.columns, table.rows, "csv"), allowed) == ["1994-05-01"]


def test_pandas_date_columns_sort(kg):
    from kgraph.querytext import named_query

    df = kg.ox.select(named_query("agreements-by-partner").text, labels=False).to_dataframe()
    assert list(df.columns[3:6]) == ["signed", "signed_first_day", "in_force"]
    assert str(df["signed_first_day"].dtype) == "datetime64[ns]"
    assert str(df["in_force"].dtype) == "datetime64[ns]"          # 資料4 prints days only
    ordered = df.sort_values(["signed_first_day", "agreement"])
    assert ordered["signed"].iloc[0] == "1987-09-24"              # the GSOMIA with the US
    assert df.sort_values("signed")["signed"].iloc[-1] == "2019-09-02"
    jpn = df[df["agreement"] == PREFIXES["agr"] + "defcoop-JPN"].iloc[0]
    assert (jpn["signed"], jpn["signed_first_day"]) == ("2009-04", dt.datetime(2009, 4, 1))


def test_table_renders_printed_dates_in_every_format():
    table = Table(["signed"], [["2009-04"], [dt.date(2016, 11, 23)], ["1990s"]])
    for fmt in FORMATS:
        text = render(table.columns, table.rows, fmt)
        assert "2009-04" in text and "2016-11-23" in text and "1990s" in text
        assert "2009-04-01" not in text


def test_readme_documents_dates():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "## Dates" in text and "_first_day" in text and "dd:signedOnAsPrinted" in text
