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
    assert counts == {"agreements.csv": 117, "deployments.csv": 55, "arms-sales.csv": 12,
                      "exercises.csv": 19, "events.csv": 59, "wars.csv": 5, "administrations.csv": 23}
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


def test_cli_tables(tmp_path):
    from kgraph.cli import main

    assert main(["tables", "--out", str(tmp_path / "t")]) == 0
    assert sorted(p.name for p in (tmp_path / "t").iterdir() if not p.name.startswith(".")) == [
        "administrations.csv", "agreements.csv", "arms-sales.csv", "csv-metadata.json", "deployments.csv",
        "events.csv", "exercises.csv", "wars.csv"]
