"""The Korea–partner dyad-year panel (``kgraph dyads``): chosen cells against the report,
the COW codes of former states, a merge with a COW-keyed frame, and the three formats."""

from __future__ import annotations

import importlib.util
import stat

import pandas as pd
import pytest

from kgraph import dyads
from kgraph.errors import KgraphError

from .conftest import require

COUNTRY = "https://w3id.org/defdip/id/country/"


@pytest.fixture(scope="module")
def frames(kg):
    return dyads.panel(kg)


@pytest.fixture(scope="module")
def states(frames):
    return frames[0]


@pytest.fixture(scope="module")
def orgs(frames):
    return frames[1]


def rows(states, **where):
    df = states
    for k, v in where.items():
        df = df[df[k] == v]
    return df.set_index("year")


# --- Shape and keys --------------------------------------------------------------------

def test_years_and_key(states, orgs):
    assert (states.year.min(), states.year.max()) == (1948, 2019)   # exercises of 2019, ongoing as of 2019-12-31
    assert states.attrs["last_year"] == 2019
    # (ccode, year) is a key: the Soviet Union and Russia share 365, West Germany and Germany meet in 1990.
    assert not states.duplicated(["ccode", "year"]).any()
    assert states.ccode.notna().all() and states.attrs["uncoded"] == []
    # 89 state partners (86 states and 3 former states); NATO and Western Sahara go to the companion.
    assert states.partner.nunique() == 89
    assert set(states.partner_type) == {"state", "former state"}
    assert sorted(set(zip(orgs.name, orgs.partner_type, strict=True))) == [
        ("North Atlantic Treaty Organization", "organisation"), ("Western Sahara", "territory")]
    assert len(orgs) == 2 * 72 and list(orgs.columns[5:]) == dyads.count_columns()


def test_every_tie_counted_once(kg, states, orgs):
    """At each partner's last row, _cum (dated ties) plus _undated is every tie of the graph."""
    n_ties = int(kg.ox.query("SELECT (COUNT(?t) AS ?n) WHERE { ?t a dd:Tie }").rows[0][0].value)
    assert n_ties == 255
    total = 0
    for df in (states, orgs):
        last = df.sort_values("year").groupby("partner").tail(1)
        total += int(last[[c for c in df.columns if c.endswith(("_cum", "_undated"))]].to_numpy().sum())
    assert total == n_ties
    # The count: 27 attaché offices dated by decade, 9 sales and exercises undated.
    assert (states.attrs["coarse"], states.attrs["undated"]) == (27, 9)


# --- Chosen cells ----------------------------------------------------------------------

def test_korea_usa(states):
    usa = rows(states, iso3="USA")
    assert (usa.ccode.iloc[0], usa.stateabb.iloc[0], usa.gwcode.iloc[0]) == (2, "USA", 2)
    assert (usa.m49.iloc[0], usa.m49_region.iloc[0], usa.m49_subregion.iloc[0]) == ("840", "Americas",
                                                                                    "Northern America")
    # 図表8: the US attaché office in Korea dates from the 1940s: it fills 1948 and 1949, flagged,
    # and is certainly open by the end of 1949.
    assert usa.loc[1948, ["attache_office_in_new", "attache_office_in_coarse", "attache_office_in_cum"]].tolist() == [1, 1, 0]
    assert usa.loc[1949, ["attache_office_in_cum", "attache_office_in_cum_coarse"]].tolist() == [1, 1]
    # 図表1: the United States in the 1950 UN Command.
    assert usa.loc[1950, ["un_command_1950_in_new", "un_command_1950_in_cum"]].tolist() == [1, 1]
    # Korea's office in the United States, 1950s.
    assert usa.loc[1955, "attache_office_out_new"] == 1 and usa.loc[1958, "attache_office_out_cum"] == 0
    assert usa.loc[1959, "attache_office_out_cum"] == 1
    # 図表11 (2019): ten dated exercises with the United States, four printed without a date.
    assert usa.loc[2019, ["exercise_new", "exercise_cum", "exercise_undated"]].tolist() == [10, 10, 4]
    assert usa.loc[1948, "exercise_undated"] == 4
    # 資料2: CENTCOM staff (2001-11, ongoing) and the liaison officers at AFRICOM (2016-03, ongoing).
    assert usa.loc[2001, ["deployment_out_new", "deployment_out_active"]].tolist() == [1, 1]
    assert usa.loc[2019, ["deployment_out_cum", "deployment_out_active"]].tolist() == [2, 2]


def test_south_vietnam_817(states):
    rvn = rows(states, partner=COUNTRY + "south-vietnam")
    assert list(rvn.index) == list(range(1954, 1976))
    assert set(rvn.ccode) == {817} and set(rvn.stateabb) == {"RVN"} and set(rvn.gwcode) == {817}
    assert set(rvn.partner_type) == {"former state"} and set(rvn.iso3) == {""}
    # The Vietnam War deployment, 1964-09 to 1973-03 (図表2).
    active = rvn.deployment_out_active
    assert list(active[active == 1].index) == list(range(1964, 1974))
    assert rvn.loc[1964, "deployment_out_new"] == 1 and rvn.deployment_out_new.sum() == 1
    # Korea's attaché office there, 1950s: flagged in each panel year of the decade.
    assert rvn.loc[1954:1959, "attache_office_out_coarse"].tolist() == [1] * 6
    assert rvn.loc[1960, ["attache_office_out_new", "attache_office_out_cum"]].tolist() == [0, 1]


def test_germanies(states):
    gfr = rows(states, partner=COUNTRY + "west-germany")
    assert (gfr.index.min(), gfr.index.max()) == (1955, 1990)   # COW 260: 1955 to reunification
    assert set(gfr.ccode) == {260} and set(gfr.stateabb) == {"GFR"}
    assert gfr.loc[1959, ["attache_office_out_cum", "attache_office_in_cum"]].tolist() == [1, 1]
    deu = rows(states, iso3="DEU")
    assert (deu.index.min(), set(deu.ccode), set(deu.stateabb), set(deu.gwcode)) == (1990, {255}, {"GMY"}, {260})
    # 図表1's ドイツ (medical support, 1950) predates COW's Germany (255, from 1990): it is in
    # _cum from the first row and listed as outside the panel's rows.
    assert deu.loc[1990, ["un_command_1950_in_new", "un_command_1950_in_cum"]].tolist() == [0, 1]
    assert any(t.endswith("un-command-participation-DEU/country/DEU") for t in states.attrs["before"])
    # and so are the East Timor deployments of 1999 and 2000 (COW's Timor-Leste: 2002).
    assert len(states.attrs["before"]) == 3 and states.attrs["after"] == []
    assert rows(states, iso3="TLS").loc[2002, ["deployment_out_new", "deployment_out_cum"]].tolist() == [0, 2]


def test_russia_taiwan_share_codes(states):
    rus = rows(states, iso3="RUS")
    assert (rus.index.min(), set(rus.ccode), set(rus.gwcode)) == (1992, {365}, {365})
    # The 1990s attaché offices: filled from 1992 (no Russian Federation before), certain by 1999.
    assert rus.loc[1992, ["attache_office_out_new", "attache_office_out_coarse"]].tolist() == [1, 1]
    assert rus.loc[1999, ["attache_office_out_cum", "attache_office_in_cum_coarse"]].tolist() == [1, 1]
    roc = rows(states, partner=COUNTRY + "republic-of-china")
    assert (roc.index.min(), roc.index.max(), set(roc.ccode), set(roc.stateabb)) == (1949, 2019, {713}, {"TAW"})


def test_philippines(states):
    phl = rows(states, iso3="PHL")
    assert (phl.index.min(), phl.index.max(), phl.ccode.iloc[0], phl.stateabb.iloc[0]) == (1948, 2019, 840, "PHI")
    end = phl.loc[2019]
    # Nine ties: defence cooperation 2013-10, GSOMIA 2015-09-14, industry 1994-06-23 and
    # 2009-10-13, the FA-50 sale (undated), the Araw unit (2013-12 to 2014-12), attaché
    # offices both ways (1950s), the 1950 UN Command.
    assert end[["defence_cooperation_cum", "military_information_cum", "defence_industry_cum",
                "arms_purchase_out_undated", "deployment_out_cum", "attache_office_out_cum",
                "attache_office_in_cum", "un_command_1950_in_cum"]].tolist() == [1, 1, 2, 1, 1, 1, 1, 1]
    assert phl.loc[1994, "defence_industry_new"] == 1 and phl.loc[2009, "defence_industry_new"] == 1
    assert phl.loc[2013, "defence_cooperation_new"] == 1 and phl.loc[2015, "military_information_new"] == 1
    assert list(phl.index[phl.deployment_out_active == 1]) == [2013, 2014]
    assert phl.loc[2012, "defence_industry_cum"] == 2 and phl.loc[2000, "defence_industry_cum"] == 1


def test_attache_decade_flag(states):
    """A decade-dated office (France, 1950s both ways) fills ten years, flagged; dropping the
    flagged part leaves nothing, as the report gives no year."""
    fra = rows(states, iso3="FRA")
    decade = fra.loc[1950:1959]
    assert decade.attache_office_out_new.tolist() == [1] * 10 == decade.attache_office_out_coarse.tolist()
    assert (decade.attache_office_out_new - decade.attache_office_out_coarse).sum() == 0
    assert fra.loc[1958, "attache_office_out_cum"] == 0
    assert fra.loc[1959, ["attache_office_out_cum", "attache_office_out_cum_coarse"]].tolist() == [1, 1]
    assert fra.loc[1960, "attache_office_out_new"] == 0


def test_year_range_options(kg):
    s, o = dyads.panel(kg, from_year=1990, to_year=2000)
    assert (s.year.min(), s.year.max(), o.year.min(), o.year.max()) == (1990, 2000, 1990, 2000)
    usa = rows(s, iso3="USA")
    assert usa.loc[1990, "un_command_1950_in_cum"] == 1   # earlier ties still count in _cum
    for bad in ({"from_year": 1947}, {"to_year": 2020}, {"from_year": 2000, "to_year": 1999}):
        with pytest.raises(KgraphError):
            dyads.panel(kg, **bad)


# --- Merging with COW-keyed data -------------------------------------------------------

def test_merge_with_cow_frame(states):
    cow = pd.DataFrame({"ccode": [2, 817, 260, 255, 365, 365, 713, 840],
                        "year": [1950, 1965, 1990, 1990, 1991, 1995, 1960, 2014],
                        "value": [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5]})
    merged = states.merge(cow, on=["ccode", "year"], how="inner", validate="one_to_one")
    # Every key but (365, 1991) has a row: the Soviet Union had no tie, Russia begins in 1992.
    assert len(merged) == 7
    cell = merged.set_index(["ccode", "year"])
    assert cell.loc[(817, 1965), ["value", "deployment_out_active"]].tolist() == [2.5, 1]
    assert cell.loc[(2, 1950), ["value", "un_command_1950_in_new"]].tolist() == [1.5, 1]
    assert cell.loc[(260, 1990), "name"] == "West Germany" and cell.loc[(255, 1990), "name"] == "Germany"
    assert cell.loc[(365, 1995), ["value", "attache_office_in_new", "attache_office_in_coarse"]].tolist() == [6.5, 1, 1]
    assert cell.loc[(840, 2014), ["value", "deployment_out_active", "deployment_out_new"]].tolist() == [8.5, 1, 0]
    left = states.merge(cow, on=["ccode", "year"], how="left", validate="one_to_one")
    assert len(left) == len(states) and left.value.notna().sum() == 7


# --- Reference codes -------------------------------------------------------------------

def test_reference_covers_graph_countries(kg):
    ref = dyads.reference()
    keys = {r[0].value.rsplit("/", 1)[-1] for r in kg.ox.query(
        "SELECT ?c WHERE { ?c a dd:Country }").rows}
    assert keys - set(ref) == set()
    assert (ref["KOR"].ccode, ref["KOR"].stateabb) == (732, "ROK")
    assert (ref["soviet-union"].ccode, ref["RUS"].ccode) == (365, 365)
    assert (ref["YEM"].ccode, ref["YEM"].gwcode) == (679, 678)   # COW and G&W differ here
    assert ref["SYR"].years(1948, 2019)[10:12] == [1958, 1961]   # the United Arab Republic years
    text = (dyads.REFERENCE.parent / "README.md").read_text(encoding="utf-8")
    for source in ("State System Membership", "Gleditsch", "M49"):
        assert source in text


# --- Files -----------------------------------------------------------------------------

def test_csv_columns_and_companion(kg, tmp_path):
    from kgraph.atomic import file_mode
    from kgraph.cli import main

    out = tmp_path / "panel.csv"
    assert main(["dyads", "--out", str(out)]) == 0
    companion = tmp_path / "panel-organisations.csv"
    for p in (out, companion):
        assert stat.S_IMODE(p.stat().st_mode) == file_mode()   # 0644 under the usual umask
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:12] == dyads.ID_COLUMNS
    assert header[12:17] == ["defence_cooperation_new", "defence_cooperation_cum", "defence_cooperation_coarse",
                             "defence_cooperation_cum_coarse", "defence_cooperation_undated"]
    assert "deployment_out_active" in header and "exercise_active" not in header
    assert len(header) == 58 and all(len(c) <= 32 for c in header)   # Stata's limit
    back = pd.read_csv(out, dtype={"m49": str}, keep_default_na=False)
    assert back.shape == (5290, 58)
    assert back[(back.ccode == 817) & (back.year == 1970)].deployment_out_active.item() == 1
    assert companion.read_text(encoding="utf-8").splitlines()[0].split(",")[:5] == dyads.ORG_ID_COLUMNS


def test_stata_round_trip(states, tmp_path):
    out = tmp_path / "panel.dta"
    dyads.write_frame(states, out, "dta")
    with pd.io.stata.StataReader(out) as reader:
        back = reader.read()
        labels = reader.variable_labels()
    assert back.shape == states.shape
    assert labels["ccode"] == "COW country code (partner)"
    assert labels["attache_office_out_coarse"].startswith("attaché office (out)")
    row = back[(back.ccode == 260) & (back.year == 1990)]
    assert row.stateabb.item() == "GFR" and row.attache_office_out_cum.item() == 1


def test_parquet_round_trip(states, tmp_path):
    require(importlib.util.find_spec("pyarrow") is not None, "pip install pyarrow (kgraph[research])")
    out = tmp_path / "panel.parquet"
    dyads.write_frame(states, out, "parquet")
    back = pd.read_parquet(out)
    pd.testing.assert_frame_equal(back, states, check_like=False)


def test_parquet_without_pyarrow(states, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(KgraphError, match="pyarrow") as info:
        dyads.write_frame(states, tmp_path / "p.parquet", "parquet")
    assert "kgraph[research]" in str(info.value)
    assert not (tmp_path / "p.parquet").exists()


def test_format_by_suffix_or_option(tmp_path):
    assert dyads.output_format(tmp_path / "a.parquet", None) == "parquet"
    assert dyads.output_format(tmp_path / "a.DTA", None) == "dta"
    assert dyads.output_format(tmp_path / "a.txt", None) == "csv"
    assert dyads.output_format(tmp_path / "a.txt", "dta") == "dta"
    with pytest.raises(KgraphError, match="suffix says csv"):
        dyads.output_format(tmp_path / "a.csv", "parquet")


def test_doctests():
    import doctest

    result = doctest.testmod(dyads)
    assert result.attempted > 0 and result.failed == 0


# --- Other members of the classes (a small graph of hand-made ties) ----------------------

TIES_TTL = """
@prefix dd: <https://w3id.org/defdip/ontology#> .
@prefix country: <https://w3id.org/defdip/id/country/> .
@prefix concept: <https://w3id.org/defdip/id/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/mine/> .

country:west-germany a dd:Country , dd:FormerState ; rdfs:label "West Germany"@en .
country:SYR a dd:Country ; dd:iso3 "SYR" ; rdfs:label "Syria"@en .
ex:mexico a dd:Country ; dd:iso3 "MEX" ; rdfs:label "Mexico"@en .

ex:t1 a dd:Tie ; dd:tiePartner country:west-germany ; dd:tieRecord ex:r1 ;
    dd:tieKind concept:tie-defence-industry ;
    dd:tieEarliestDay "1995-03-01"^^xsd:date ; dd:tieLatestDay "1995-03-31"^^xsd:date .
ex:t2 a dd:Tie ; dd:tiePartner country:SYR ; dd:tieRecord ex:r2 ;
    dd:tieKind concept:tie-exercise ;
    dd:tieEarliestDay "1959-01-01"^^xsd:date ; dd:tieLatestDay "1959-12-31"^^xsd:date .
ex:t3 a dd:Tie ; dd:tiePartner ex:mexico ; dd:tieRecord ex:r3 ;
    dd:tieKind concept:tie-attache-office ; dd:tieDirection concept:tie-inward ;
    dd:tieEarliestDay "2000-01-01"^^xsd:date ; dd:tieLatestDay "2009-12-31"^^xsd:date .
ex:t4 a dd:Tie ; dd:tiePartner ex:mexico ; dd:tieRecord ex:r4 ; dd:tieKind concept:tie-arms-purchase ;
    dd:tieDirection concept:tie-outward .
ex:r5 a dd:Deployment ; dd:ongoing true .
ex:t5 a dd:Tie ; dd:tiePartner country:SYR ; dd:tieRecord ex:r5 ;
    dd:tieKind concept:tie-deployment ; dd:tieDirection concept:tie-outward ;
    dd:tieEarliestDay "2012-05-01"^^xsd:date ; dd:tieLatestDay "2012-05-31"^^xsd:date .
"""


@pytest.fixture(scope="module")
def small():
    from rdflib import Graph

    return dyads.panel(Graph().parse(data=TIES_TTL, format="turtle"))[0]


def test_ties_outside_rows_gaps_and_uncoded(small, tmp_path):
    assert small.attrs["last_year"] == 2012   # the latest tie day
    gfr = rows(small, stateabb="GFR")
    assert gfr.index.max() == 1990 and gfr.defence_industry_cum.max() == 0   # 1995 is after its last row
    assert small.attrs["after"] == ["https://example.org/mine/t1"]
    syr = rows(small, stateabb="SYR")
    assert 1959 not in syr.index and 1960 not in syr.index   # the United Arab Republic years
    assert syr.loc[1958, "exercise_cum"] == 0 and syr.loc[1961, "exercise_cum"] == 1
    assert small.attrs["before"] == ["https://example.org/mine/t2"]
    # An ongoing deployment without an as-of day runs to the end of the data.
    assert syr.loc[2012, ["deployment_out_new", "deployment_out_active"]].tolist() == [1, 1]
    mex = rows(small, iso3="MEX")
    assert small.attrs["uncoded"] == ["https://example.org/mine/mexico"]
    assert (mex.index.min(), mex.index.max()) == (1948, 2012) and mex.ccode.isna().all()
    assert mex.loc[2005, ["attache_office_in_new", "attache_office_in_coarse"]].tolist() == [1, 1]
    assert mex.loc[1948, "arms_purchase_out_undated"] == 1
    # Stata has no missing integer: the empty ccode becomes a missing float, not an error.
    dyads.write_frame(small, tmp_path / "small.dta", "dta")
    back = pd.read_stata(tmp_path / "small.dta")
    assert back[back.iso3 == "MEX"].ccode.isna().all()


def test_unknown_direction_is_refused():
    from rdflib import Graph

    bad = TIES_TTL.replace("dd:tieKind concept:tie-exercise ;",
                           "dd:tieKind concept:tie-exercise ; dd:tieDirection concept:tie-inward ;")
    with pytest.raises(KgraphError, match="has no column in the panel"):
        dyads.panel(Graph().parse(data=bad, format="turtle"))


def test_cli_errors_are_one_line(tmp_path, capsys):
    from kgraph.cli import main

    for argv, words in ((["--out", str(tmp_path / "p.csv"), "--format", "dta"], "suffix says csv"),
                        (["--out", str(tmp_path / "p.csv"), "--from-year", "2000", "--to-year", "1990"],
                         "--from-year 2000 is after --to-year 1990"),
                        (["--out", str(tmp_path)], "is a folder")):
        assert main(["dyads", *argv]) == 1
        err = capsys.readouterr().err
        assert err.startswith("kgraph: error:") and words in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_help_states_the_coarse_date_rule(capsys):
    from kgraph.cli import main

    with pytest.raises(SystemExit):
        main(["dyads", "--help"])
    text = capsys.readouterr().out
    for words in ("1950s", "_coarse", "_cum_coarse", "_undated", "ccode", "organisations"):
        assert words in text
    assert "years_of" in dyads.__doc__ and "_cum_coarse" in dyads.__doc__
