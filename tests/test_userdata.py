"""Records of one's own layered on the bundled graph (--add, kgraph template).

Three fictitious agreements under http://example.org/ are added from the
agreement template and counted by agreements-per-year beside the report's;
mistakes in a filled template are named by file, row and column; a bundled
record keeps its single values; a user record may run past the report's 2020.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kgraph.cli import main
from kgraph.errors import KgraphError
from kgraph.userdata import TEMPLATES, template_csv, template_metadata

ROOT = Path(__file__).resolve().parent.parent

SOURCE = ["Example source (fictitious)", "http://example.org/source", "", "2025-01-31"]


def _header(kind: str) -> list[str]:
    text = "\n".join(line for line in template_csv(kind).splitlines() if not line.startswith("#"))
    return next(csv.reader(io.StringIO(text)))


def _csv(tmp_path: Path, rows: list[dict[str, str]], kind: str = "agreement", name: str = "",
         base: str = "http://example.org/kgraph-test/", extra: tuple[str, ...] = ()) -> Path:
    """A filled template: the header the template prints, one line per row."""
    header = _header(kind) + list(extra)
    buf = io.StringIO()
    buf.write(f"# base: {base}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        cells = dict(zip(("source_title", "source_url", "source_citation", "source_accessed"),
                         SOURCE, strict=True)) | row
        w.writerow([cells.get(h, "") for h in header])
    path = tmp_path / (name or f"{kind}s.csv")
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


THREE = [
    {"iri": "agreement/defcoop-POL-example", "kind": "DefenseCooperationAgreement",
     "label_en": "Korea–Poland defence cooperation agreement (fictitious)",
     "signedOn_as_printed": "2023-05", "partners": "POL"},
    {"iri": "agreement/gsomia-PHL-example", "kind": "MilitaryInformationAgreement",
     "label_ko": "한-필리핀 군사정보보호협정 (가상의 예)", "signedOn_as_printed": "2019-11-02",
     "partners": "country:PHL"},
    {"iri": "agreement/industry-NOR-example", "kind": "DefenseIndustryAgreement",
     "label_en": "Korea–Norway defence-industry MOU (fictitious)", "signedOn_as_printed": "2021",
     "partners": "https://w3id.org/defdip/id/country/NOR"},
]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _per_year(capsys, *extra: str) -> dict[int, list[int]]:
    code, out, err = _run(capsys, "query", "agreements-per-year", "--format", "csv", *extra)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))[1:]
    return {int(r[0]): [int(x) for x in r[1:]] for r in rows}


# --- Templates ------------------------------------------------------------------------------------

def test_template_list_and_columns(capsys):
    code, out, _ = _run(capsys, "template", "--list")
    assert code == 0
    for kind in ("agreement", "deployment", "sale", "exercise", "event", "country"):
        assert kind in out
    assert set(TEMPLATES) >= {"agreement", "deployment", "sale", "exercise", "event"}
    header = _header("agreement")
    assert header[:5] == ["iri", "label_en", "label_ja", "label_ko", "signedOn_as_printed"]
    assert "signedOn_precision" not in header and "administration" not in header   # derived
    assert {"kind", "partners", "endDate_as_printed", "source_title", "source_accessed"} <= set(header)
    # The CSVW description maps each column to its ontology term, as kgraph tables does.
    cols = {c["name"]: c for c in template_metadata("agreement")["tables"][0]["tableSchema"]["columns"]}
    assert cols["signedOn_as_printed"]["propertyUrl"] == "https://w3id.org/defdip/ontology#signedOnAsPrinted"
    assert cols["partners"]["separator"] == " "
    assert cols["source_accessed"]["aboutUrl"] == "{+_source}"
    code, out, _ = _run(capsys, "template", "sale", "--metadata")
    assert json.loads(out)["tables"][0]["dc:type"] == "https://w3id.org/defdip/ontology#ArmsSale"


def test_template_example_rows_are_valid(tmp_path, capsys):
    """Each template's commented example row, uncommented, validates (records dated 2023)."""
    for kind in TEMPLATES:
        text = template_csv(kind).replace("\n# " + kind, "\n" + kind)
        (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "validate", "--add", str(tmp_path))
    assert (code, out.strip()) == (0, "valid: 0 violations"), err
    code, out, err = _run(capsys, "query", "--add", str(tmp_path), "--format", "csv",
                          "SELECT (COUNT(?r) AS ?n) WHERE { ?r a dd:Record ; dd:earliestDay ?d "
                          "FILTER(YEAR(?d) = 2023) }")
    assert out.split() == ["n", "5"], err   # agreement, deployment, sale, exercise, event


# --- Three records in agreements-per-year ------------------------------------------------------------

def test_three_records_appear_in_agreements_per_year(tmp_path, capsys):
    path = _csv(tmp_path, THREE)
    before = _per_year(capsys)
    after = _per_year(capsys, "--add", str(path))
    # The report's 2019: 0 defence cooperation, 2 information, 1 industry agreements (資料3-5).
    assert before[2019] == [0, 2, 1, 3]
    assert after[2019] == [0, 3, 1, 4]
    assert 2021 not in before and after[2021] == [0, 0, 1, 1]
    assert 2023 not in before and after[2023] == [1, 0, 0, 1]
    assert {y: v for y, v in after.items() if y not in (2019, 2021, 2023)} == \
        {y: v for y, v in before.items() if y != 2019}
    assert sum(v[3] for v in after.values()) == 117 + 3


def test_user_records_get_precision_bounds_and_administration(tmp_path):
    import kgraph

    kg = kgraph.load(add=[_csv(tmp_path, THREE)])
    rows = kgraph.query("""
        SELECT ?a ?signed ?precision ?earliest ?latest ?adm WHERE {
          ?a dd:signedOn ?signed ; dd:signedOnPrecision ?precision ;
             dd:signedOnEarliest ?earliest ; dd:signedOnLatest ?latest .
          OPTIONAL { ?a dd:duringAdministration ?adm }
          FILTER(STRSTARTS(STR(?a), "http://example.org/"))
        } ORDER BY ?a""", kg=kg, labels=False)
    got = {r.a.rsplit("/", 1)[-1]: (f"{r.signed:%Y-%m-%d}", r.precision.rsplit("#", 1)[-1],
                                    f"{r.earliest:%Y-%m-%d}", f"{r.latest:%Y-%m-%d}",
                                    str(r.adm).rsplit("/", 1)[-1]) for r in rows.itertuples()}
    assert got == {
        "defcoop-POL-example": ("2023-05-01", "MonthPrecision", "2023-05-01", "2023-05-31", "yoon-suk-yeol"),
        "gsomia-PHL-example": ("2019-11-02", "DayPrecision", "2019-11-02", "2019-11-02", "moon-jae-in"),
        "industry-NOR-example": ("2021-01-01", "YearPrecision", "2021-01-01", "2021-12-31", "moon-jae-in"),
    }
    assert kgraph.validate(kg).conforms   # a label in one language (Korean) is enough; 2023 passes


def test_a_record_dated_2023_passes_but_a_bundled_one_does_not(tmp_path, capsys):
    path = _csv(tmp_path, [THREE[0]])
    code, out, _ = _run(capsys, "validate", "--add", str(path))
    assert (code, out.strip()) == (0, "valid: 0 violations")
    # The same date on a record of the report is still caught (the report ends in 2020).
    ttl = tmp_path / "late.ttl"
    ttl.write_text('@prefix dd: <https://w3id.org/defdip/ontology#> .\n'
                   '@prefix src: <https://w3id.org/defdip/id/source/> .\n'
                   '@prefix prov: <http://www.w3.org/ns/prov#> .\n'
                   '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                   '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                   '<https://w3id.org/defdip/id/event/late> a dd:Event ; rdfs:label "late"@en ;\n'
                   '  dd:dateAsPrinted "2023-05"^^xsd:gYearMonth ; prov:wasDerivedFrom src:report .\n',
                   encoding="utf-8")
    code, out, err = _run(capsys, "validate", *map(str, sorted((ROOT / "graph").glob("*.ttl"))), str(ttl))
    assert code == 1 and "wholly after 2020" in out


# --- Mistakes, each named by row and column ---------------------------------------------------------

GOOD = THREE[0]

MISTAKES = {
    "a day that does not exist": (dict(GOOD, signedOn_as_printed="2023-02-30"), (),
                                  "column signedOn_as_printed", "2023-02 has no day 30"),
    "no source": (dict(GOOD, source_title="", source_url="", source_accessed=""), (),
                  "column sources", "no provenance"),
    "a source without its access day": (dict(GOOD, source_accessed=""), (),
                                        "column source_accessed", "the day you consulted it"),
    "an unknown partner code": (dict(GOOD, partners="XYZ"), (), "column partners",
                                "unknown partner 'XYZ'"),
    "an unknown partner IRI": (dict(GOOD, partners="country:ATLANTIS"), (), "column partners",
                               "unknown partner 'country:ATLANTIS'"),
    "a second signing date on a bundled record": (
        {"iri": "agr:defcoop-DEU", "signedOn_as_printed": "1999-05"}, (),
        "column signedOn_as_printed",
        "https://w3id.org/defdip/id/agreement/defcoop-DEU> already has dd:signedOnAsPrinted \"1994-05\""),
    "a new record in the bundled namespace": (
        dict(GOOD, iri="https://w3id.org/defdip/id/agreement/defcoop-POL-2"), (), "column iri",
        "new record under the bundled namespace"),
    "no label": (dict(GOOD, label_en=""), (), "column label_en", "needs a label"),
    "an unknown column": (GOOD, ("colour",), "column colour", "unknown column 'colour'"),
    "no kind": (dict(GOOD, kind=""), (), "column kind", "needs its kind"),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_validation_names_row_and_column(mistake, tmp_path, capsys):
    row, extra, column, what = MISTAKES[mistake]
    path = _csv(tmp_path, [THREE[1], row], extra=extra)
    code, out, err = _run(capsys, "validate", "--add", str(path))
    text = out + err
    assert code == 1, text
    assert "Traceback" not in text
    line = next(x for x in text.splitlines() if what in x)
    # Row 4: the base line, the header, the good row, then this one; a column is in the header.
    assert f"{path}, row {2 if extra else 4}, {column}" in line, line


def test_a_bad_day_is_one_line_and_no_traceback(tmp_path, capsys):
    path = _csv(tmp_path, [dict(GOOD, signedOn_as_printed="2023-13")])
    code, out, err = _run(capsys, "query", "agreements-per-year", "--add", str(path))
    assert code == 1 and out == ""
    first, hint = err.splitlines()
    assert first.startswith(f"kgraph: error: {path}, row 3, column signedOn_as_printed: ")
    assert "2023-13" in first and hint.startswith("  hint: ")


# --- Turtle files of one's own -------------------------------------------------------------------------

TTL_PROLOGUE = """@prefix dd: <https://w3id.org/defdip/ontology#> .
@prefix agr: <https://w3id.org/defdip/id/agreement/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/kgraph-test/> .
"""


def test_turtle_may_add_to_a_bundled_record_but_not_a_second_value(tmp_path):
    from kgraph.build import build

    ok = tmp_path / "ok.ttl"
    ok.write_text(TTL_PROLOGUE + '\nagr:defcoop-DEU rdfs:label "한국-독일 국방협력협정"@ko ;\n'
                  '    dd:endDateAsPrinted "2024"^^xsd:gYear .\n', encoding="utf-8")
    kg = build(add=[ok], reasoning=False)
    labels = kg.ox.select('SELECT ?l WHERE { agr:defcoop-DEU rdfs:label ?l FILTER(LANG(?l) = "ko") }',
                          labels=False).rows
    assert [str(r[0]) for r in labels] == ["한국-독일 국방협력협정"]
    bad = tmp_path / "conflict.ttl"
    bad.write_text(TTL_PROLOGUE + '\n# a correction\nagr:defcoop-DEU\n'
                   '    dd:signedOnAsPrinted "1999-05"^^xsd:gYearMonth .\n', encoding="utf-8")
    with pytest.raises(KgraphError) as err:
        build(add=[bad], reasoning=False)
    msg = err.value.message
    assert msg.startswith(f"{bad}:9: <https://w3id.org/defdip/id/agreement/defcoop-DEU>")
    assert 'dd:signedOnAsPrinted "1994-05"' in msg and '"1999-05"' in msg


def test_turtle_bad_day_names_file_and_line(tmp_path):
    from kgraph.build import build

    bad = tmp_path / "bad.ttl"
    bad.write_text(TTL_PROLOGUE + '\nex:visit a dd:Event ;\n    rdfs:label "visit"@en ;\n'
                   '    dd:dateAsPrinted "2023-02-30"^^xsd:date .\n', encoding="utf-8")
    with pytest.raises(KgraphError) as err:
        build(add=[bad], reasoning=False)
    assert err.value.message == (f"{bad}:9: <http://example.org/kgraph-test/visit> dd:dateAsPrinted: "
                                 "'2023-02-30' is not a valid xsd:date: 2023-02 has no day 30")


# --- Folders, the cache key ------------------------------------------------------------------------------

def test_folders_for_add_and_data(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    _csv(mine, [THREE[0]], name="agreements.csv")
    _csv(mine, [{"iri": "country/XEX", "label_en": "Exampleland (fictitious)", "iso3": "XEX"}],
         kind="country", name="countries.csv")
    _csv(mine, [dict(THREE[2], iri="agreement/industry-XEX", partners="XEX")], name="more-agreements.csv")
    (mine / ".hidden.ttl").write_text("not turtle", encoding="utf-8")
    per_year = _per_year(capsys, "--data", str(ROOT / "graph"), "--add", str(mine))
    assert per_year[2023] == [1, 0, 0, 1] and per_year[2021] == [0, 0, 1, 1]
    code, out, err = _run(capsys, "validate", "--add", str(mine))
    assert code == 0, out + err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _run(capsys, "stats", "--add", str(empty))
    assert code == 1 and "a folder with no data files" in err


def test_cache_key_covers_the_added_files(tmp_path):
    from kgraph import cache

    path = _csv(tmp_path, [THREE[0]])
    plain = cache.data_key(None, True)
    first = cache.data_key(None, True, [path])
    assert first not in (None, plain)
    assert cache.data_key(None, True, [tmp_path]) == first   # a folder: the same files
    _csv(tmp_path, [THREE[1]])
    assert cache.data_key(None, True, [path]) != first


def test_options_before_the_command_are_kept(tmp_path, capsys):
    """kgraph --add FILE query ...: the command's own defaults do not wipe --add."""
    path = _csv(tmp_path, [THREE[0]])
    code, out, err = _run(capsys, "--add", str(path), "query", "--format", "csv",
                          "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement }")
    assert (code, out.split()) == (0, ["n", "118"]), err


def test_a_turtle_record_of_ones_own_dated_2023(tmp_path, capsys):
    ttl = tmp_path / "mine.ttl"
    ttl.write_text(TTL_PROLOGUE + """@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix country: <https://w3id.org/defdip/id/country/> .

# Fictitious example.
ex:visit-2023 a dd:Event ;
    rdfs:label "예시 방문 (가상)"@ko ;
    dd:participant country:KOR , country:POL ;
    dd:dateAsPrinted "2023-04"^^xsd:gYearMonth ;
    prov:wasDerivedFrom ex:source .

ex:source a dd:Source ;
    dcterms:title "An example source (fictitious)" ;
    dcterms:bibliographicCitation "Example, A. (2024). Nothing real. Example Press." ;
    dd:accessedOn "2025-01-31"^^xsd:date .
""", encoding="utf-8")
    code, out, err = _run(capsys, "validate", "--add", str(ttl))
    assert (code, out.strip()) == (0, "valid: 0 violations"), err
    # Without its access day the source is caught, at the line where it is written.
    ttl.write_text(ttl.read_text(encoding="utf-8").replace(
        ' ;\n    dd:accessedOn "2025-01-31"^^xsd:date .', " ."), encoding="utf-8")
    code, out, err = _run(capsys, "validate", "--add", str(ttl))
    assert code == 1
    assert f"{ttl}:17: " in out and "the day you consulted it" in out
