"""`kgraph tables`: one CSV per record type with W3C CSVW metadata that the
csvw package loads and validates, and cells checked against the report."""

from __future__ import annotations

import csv

import pytest

from kgraph.prefixes import BASE, DD


@pytest.fixture(scope="module")
def tables(kg, tmp_path_factory):
    from kgraph.tables import write_tables

    out = tmp_path_factory.mktemp("tables") / "tables"
    write_tables(kg, out)
    return out


def _rows(folder, name):
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return {r["iri"][len(BASE):]: r for r in csv.DictReader(fh)}


def test_csvw_validates_every_table(tables, monkeypatch):
    csvw = pytest.importorskip("csvw")
    utils = pytest.importorskip("csvw.utils")

    def offline(*args, **kwargs):
        raise AssertionError(f"csvw tried to fetch {args[:1]}: the tests stay offline")

    for name in ("urlopen", "request_get"):
        monkeypatch.setattr(utils, name, offline)
    group = csvw.TableGroup.from_file(tables / "csv-metadata.json")
    counts = {}
    for table in group.tables:
        rows = list(table.iterdicts(strict=True))   # raises on a cell that breaks its datatype
        counts[str(table.url)] = len(rows)
    # 図表8: 27 offices named in 12 cells; 図表1: 23 entries (Korea included); 図表2: 38
    # non-empty service cells; 図表3: 11 leaf cells; 資料1: 25 papers with 31 sections.
    assert counts == {"agreements.csv": 117, "deployments.csv": 55, "arms-sales.csv": 12,
                      "exercises.csv": 19, "events.csv": 59, "wars.csv": 5, "administrations.csv": 23,
                      "attache-offices.csv": 27, "attache-decades.csv": 12, "un-command.csv": 23,
                      "vietnam-troops.csv": 38, "vietnam-casualties.csv": 11, "white-papers.csv": 25,
                      "white-paper-sections.csv": 31}
    group.check_referential_integrity()


def test_columns_map_to_ontology_terms(tables):
    import json

    meta = json.loads((tables / "csv-metadata.json").read_text(encoding="utf-8"))
    agreements = next(t for t in meta["tables"] if t["url"] == "agreements.csv")
    props = {c["name"]: c.get("propertyUrl") for c in agreements["tableSchema"]["columns"]}
    assert props["signedOn_as_printed"] == DD + "signedOnAsPrinted"
    assert props["partners"] == DD + "partner"
    assert props["administration"] == DD + "duringAdministration"
    assert agreements["tableSchema"]["primaryKey"] == "iri"
    kind = next(c for c in agreements["tableSchema"]["columns"] if c["name"] == "kind")
    import re

    assert kind["datatype"]["base"] == "anyURI"
    assert re.fullmatch(kind["datatype"]["format"], DD + "DefenseIndustryAgreement")
    assert not re.fullmatch(kind["datatype"]["format"], DD + "Agreement")
    unc = next(t for t in meta["tables"] if t["url"] == "un-command.csv")
    cols = {c["name"]: c for c in unc["tableSchema"]["columns"]}
    assert cols["role"]["propertyUrl"] == DD + "role"
    assert cols["role"]["dc:conformsTo"] == BASE + "concept/participation-roles"
    assert cols["region_as_printed"]["dc:conformsTo"] == BASE + "concept/un-command-regions"


def test_chosen_cells(tables):
    agr = _rows(tables, "agreements")
    jpn = agr["agreement/gsomia-JPN"]
    assert jpn["signedOn_as_printed"] == "2016-11-23" and jpn["signedOn_earliest"] == "2016-11-23"
    assert jpn["kind"] == DD + "MilitaryInformationAgreement"
    assert jpn["partners"] == BASE + "country/JPN"
    assert jpn["administration"] == BASE + "administration/park-geun-hye"
    ago = agr["agreement/defcoop-AGO"]   # March 2017: straddles Park's removal
    assert ago["signedOn_precision"] == DD + "MonthPrecision" and ago["administration"] == ""
    assert ago["possible_administrations"].split() == [BASE + "administration/interim-2017",
                                                       BASE + "administration/park-geun-hye"]
    adm = _rows(tables, "administrations")
    assert adm["administration/lee-jae-myung"]["endDate_as_printed"] == ""
    assert adm["administration/lee-jae-myung"]["ongoing"] == "true"
    wars = _rows(tables, "wars")
    assert wars["event/gulf-war"]["startDate_as_printed"] == "1991-01"
    assert wars["event/gulf-war"]["endDate_as_printed"] == "1991-02"


def test_csvw_refuses_a_value_outside_the_allowed_kinds(tables, tmp_path, monkeypatch):
    """The metadata's allowed values are checked by the validator, not only documented."""
    import shutil

    csvw = pytest.importorskip("csvw")
    utils = pytest.importorskip("csvw.utils")
    for name in ("urlopen", "request_get"):
        monkeypatch.setattr(utils, name, lambda *a, **k: (_ for _ in ()).throw(AssertionError("offline")))
    bad = tmp_path / "bad"
    shutil.copytree(tables, bad)
    text = (bad / "agreements.csv").read_text(encoding="utf-8")
    (bad / "agreements.csv").write_text(text.replace(DD + "MilitaryInformationAgreement", DD + "Treaty", 1),
                                        encoding="utf-8")
    group = csvw.TableGroup.from_file(bad / "csv-metadata.json")
    table = next(t for t in group.tables if str(t.url) == "agreements.csv")
    with pytest.raises(ValueError, match="agreements.csv"):
        list(table.iterdicts(strict=True))


def test_un_command_as_in_figure_1(tables):
    rows = _rows(tables, "un-command")
    roles = {}
    for r in rows.values():
        roles.setdefault(r["role"].rsplit("/", 1)[1], set()).add(r["participant"].rsplit("/", 1)[1])
    # 図表1: 17 combat entries (Korea printed among them: 16 without it, as the prose
    # says), 6 medical (Germany the author's footnoted addition).
    assert len(roles["role-combat"]) == 17 and "KOR" in roles["role-combat"]
    assert roles["role-medical"] == {"ITA", "NOR", "DNK", "SWE", "DEU", "IND"}
    col = rows["observation/un-command-participation-COL"]
    assert col["region_as_printed"] == BASE + "concept/region-americas"
    assert col["name_as_printed"] == "コロンビア" and col["label_ja"] == "朝鮮国連軍 戦闘支援参加国：コロンビア"
    assert col["force"] == BASE + "organization/un-command" and col["sources"].split() == [
        BASE + "source/figure-1", BASE + "source/passage-colombia-korean-war"]   # Colombia: the prose too
    assert rows["observation/un-command-participation-IND"]["region_as_printed"] == BASE + "concept/region-asia-pacific"


def test_vietnam_as_in_figures_2_and_3(tables):
    troops = _rows(tables, "vietnam-troops")
    by_year: dict[str, int] = {}
    for r in troops.values():
        assert r["date_precision"] == DD + "YearPrecision"
        by_year[r["date_as_printed"]] = by_year.get(r["date_as_printed"], 0) + int(r["personnel"])
    # 図表2's printed totals: every year adds up but 1970 (printed 48,510, services 48,512).
    assert by_year == {"1964": 140, "1965": 20541, "1966": 45605, "1967": 48839, "1968": 49869,
                       "1969": 49755, "1970": 48512, "1971": 45694, "1972": 37438}
    army65 = troops["observation/vietnam-troops-1965-army"]
    assert army65["personnel"] == "15973" and army65["service"] == BASE + "concept/service-army"
    assert army65["date_earliest"] == "1965-01-01" and army65["date_latest"] == "1965-12-31"
    assert army65["administration"] == BASE + "administration/park-chung-hee"
    cas = _rows(tables, "vietnam-casualties")
    kia = sum(int(r["count"]) for r in cas.values() if r["casualty_kind"].endswith("/killed-in-action"))
    assert kia == 4601   # 図表3, 計 row: 3,476 army + 1,125 navy (marines included)
    navy = cas["observation/vietnam-casualties-navy-incl-marines-wounded-in-combat"]
    assert navy["count"] == "2813" and navy["service"] == BASE + "concept/service-navy-incl-marines"
    assert navy["startDate_as_printed"] == "1964-09" and navy["endDate_as_printed"] == "1973-03"


def test_white_papers_as_in_appendix_1(tables):
    papers = _rows(tables, "white-papers")
    sections = _rows(tables, "white-paper-sections")
    assert len(papers) == 25 and len(sections) == 31
    per_paper: dict[str, int] = {}
    for s in sections.values():
        per_paper[s["white_paper"]] = per_paper.get(s["white_paper"], 0) + 1
    assert per_paper[BASE + "document/white-paper-1968"] == 2
    assert BASE + "document/white-paper-1988" not in per_paper
    wp97 = papers["document/white-paper-1997-1998"]
    # The report prints Kim Dae-jung for a paper of 1997, when Kim Young-sam was in office.
    assert wp97["stated_administration"] == BASE + "administration/kim-dae-jung"
    assert wp97["administration"] == BASE + "administration/kim-young-sam"
    assert wp97["title"] == "国防白書1997～1998" and wp97["date_as_printed"] == "1997"
    assert papers["document/white-paper-1988"]["mentions_defense_diplomacy"] == "false"
    s67 = sections["document/white-paper-1967-s1"]
    assert s67["pages"] == "77～79" and s67["section_path_ja"] == "第4章「国防政策および施策」「軍事外交」"


def test_attache_offices_as_in_figure_8(tables):
    offices = _rows(tables, "attache-offices")
    out = [k for k, r in offices.items() if r["direction"].endswith("/attache-outbound")]
    # 図表8 names 8 + 4 + 2 countries abroad (1950s, 1960s, 1990s) and 1 + 5 + 3 + 1 + 1 + 2 in Korea.
    assert len(offices) == 27 and len(out) == 14
    usa = offices["attache-office/kor-in-USA"]
    assert usa["first"] == "true" and usa["host_country"] == BASE + "country/USA"
    # A decade, not the year 1950: the period columns carry the table's precision.
    assert usa["startDate_as_printed"] == "1950" and usa["period_precision"] == DD + "DecadePrecision"
    assert (usa["period_earliest"], usa["period_latest"]) == ("1950-01-01", "1959-12-31")
    assert usa["related"] == BASE + "event/attache-office-opening-kor-in-USA"
    assert offices["attache-office/kor-in-west-germany"]["name_as_printed"] == "ドイツ"
    cells = _rows(tables, "attache-decades")
    row3 = cells["observation/attache-abroad-row-3"]   # 「日本、イタリア、タイ、マレーシアなど6カ国」
    assert row3["stated_count"] == "6" and row3["count_is_partial"] == "true"
    assert len(row3["named_countries"].split()) == 4
    assert cells["observation/attache-abroad-row-1"]["stated_count"] == "0"


def test_cli_tables(tmp_path):
    from kgraph.cli import main

    assert main(["tables", "--out", str(tmp_path / "t")]) == 0
    assert sorted(p.name for p in (tmp_path / "t").iterdir() if not p.name.startswith(".")) == [
        "administrations.csv", "agreements.csv", "arms-sales.csv", "attache-decades.csv",
        "attache-offices.csv", "csv-metadata.json", "deployments.csv", "events.csv", "exercises.csv",
        "un-command.csv", "vietnam-casualties.csv", "vietnam-troops.csv", "wars.csv",
        "white-paper-sections.csv", "white-papers.csv"]
