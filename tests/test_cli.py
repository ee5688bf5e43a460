"""The CLI through its real entry point (a subprocess running `kgraph`)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

KGRAPH = shutil.which("kgraph")


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [KGRAPH, *args] if KGRAPH else [sys.executable, "-m", "kgraph.cli", *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300,
                          env=os.environ.copy(), cwd=cwd)


@pytest.fixture(scope="module", autouse=True)
def warm_cache(kg):
    """The session's kg fixture has already filled the private reasoning cache."""


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("kgraph 0.")
    r = run("--help")
    assert r.returncode == 0
    for word in ("query", "queries", "validate", "stats", "--format" if False else "examples"):
        assert word in r.stdout


def test_named_query_as_csv_is_machine_clean():
    r = run("query", "agreements-per-administration", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    by_adm = {row["administration"]: int(row["total"]) for row in rows}
    assert by_adm["Lee Myung-bak administration"] == 34
    assert by_adm["Park Geun-hye administration"] == 32
    assert sum(by_adm.values()) == 117


def test_query_json_with_japanese_labels():
    r = run("query", "SELECT ?c WHERE { agr:gsomia-JPN dd:partner ?c }", "--format", "json",
            "--lang", "ja")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"c": "日本"}]


def test_query_from_stdin_and_file(tmp_path):
    q = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:DefenseCooperationAgreement }"
    r = run("query", "-", "--format", "tsv", stdin=q)
    assert r.returncode == 0 and r.stdout.splitlines() == ["n", "49"]
    f = tmp_path / "q.rq"
    f.write_text(q, encoding="utf-8")
    r = run("query", str(f), "--format", "csv")
    assert r.stdout.splitlines() == ["n", "49"]


def test_ask_and_construct():
    r = run("query", "ASK { agr:gsomia-nato dd:partner org:nato }", "--format", "json")
    assert r.stdout.strip() == "true"
    r = run("query", "CONSTRUCT { agr:gsomia-JPN dd:signedOn ?d } WHERE { agr:gsomia-JPN dd:signedOn ?d }")
    assert r.returncode == 0 and '"2016-11-23"^^xsd:date' in r.stdout


def test_table_fits_the_terminal():
    env_cols = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "60"
    try:
        r = run("query", "agreements-by-partner")
    finally:
        if env_cols is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = env_cols
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[-1] == "(117 rows)"
    assert max(len(line) for line in lines) <= 60


def test_queries_lists_every_named_query():
    r = run("queries", "--format", "csv")
    names = [row["name"] for row in csv.DictReader(io.StringIO(r.stdout))]
    assert "agreements-per-administration" in names and len(names) >= 20
    assert all(row["question"].endswith("?") for row in csv.DictReader(io.StringIO(r.stdout)))


def test_malformed_sparql_points_at_line_and_column():
    r = run("query", "SELECT ?x WHERE {\n  ?x a dd:Country \n  FILTER(\n}")
    assert r.returncode == 1
    assert "line 4, column 1" in r.stderr          # the "}" where an expression belongs
    r = run("query", "--engine", "rdflib", "SELECT ?x WHERE {\n  ?x a dd:Country \n  FILTER(\n}")
    assert r.returncode == 1 and "line 3, column 3" in r.stderr   # pyparsing points at FILTER
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


def test_unknown_named_query_suggests_close_names():
    r = run("query", "agreements-per-administratio")
    assert r.returncode == 1
    assert r.stderr.count("\n") <= 2
    assert "no named query 'agreements-per-administratio'" in r.stderr
    assert "agreements-per-administration" in r.stderr


def test_missing_query_file():
    r = run("query", "nowhere/q.rq")
    assert r.returncode == 1 and "nowhere/q.rq: no such query file" in r.stderr


def test_service_is_refused():
    r = run("query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert r.returncode == 1 and "SERVICE is not allowed" in r.stderr


def test_malformed_turtle_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix dd: <https://w3id.org/defdip/ontology#> .\n\n"
                   "<http://x/a> dd:signedOn \"2001\" ;\n    dd:partner .\n", encoding="utf-8")
    r = run("validate", str(bad))
    assert r.returncode == 1
    assert f"{bad}:4:" in r.stderr and "Turtle syntax error" in r.stderr
    assert "Traceback" not in r.stderr
    r = run("--debug", "validate", str(bad))
    assert "Traceback" in r.stderr


def test_validate_reports_a_broken_record(tmp_path):
    f = tmp_path / "one.ttl"
    f.write_text("""@prefix dd: <https://w3id.org/defdip/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/defdip/id/agreement/x> a dd:DefenseCooperationAgreement ;
    rdfs:label "test"@en ; dd:signedOn "2009-04"^^xsd:gYearMonth .
""", encoding="utf-8")
    r = run("validate", str(f))
    assert r.returncode == 1
    assert "agr:x (test)" in r.stdout and "no provenance" in r.stdout


def test_validate_bundled_graph():
    r = run("validate")
    assert r.returncode == 0, r.stdout[-3000:]
    assert "valid: 0 violations" in r.stdout


def test_main_job_prints_summary(tmp_path):
    r = run("--out", str(tmp_path / "out"), cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "SHACL: valid, 0 violations" in r.stdout
    assert "Records per class" in r.stdout
    assert "Partners tied to Korea in the most ways" in r.stdout
    assert "Lee Myung-bak administration" in r.stdout


def test_unwritable_data_file_is_one_line():
    r = run("stats", "--data", "/nonexistent/file.ttl")
    assert r.returncode == 1
    assert r.stderr.strip() == "kgraph: error: /nonexistent/file.ttl: no such file\n  hint: check the path".strip()


def test_main_job_reuses_its_work(tmp_path):
    out = tmp_path / "out"
    first = run("--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    page = (out / "network.html").read_bytes()
    again = run("--out", str(out), cwd=tmp_path)
    assert again.returncode == 0
    assert "(already up to date)" in again.stdout
    assert again.stdout.split("\nWrote")[0] == first.stdout.split("\nWrote")[0]   # same summary
    assert (out / "network.html").read_bytes() == page
    assert (out / "dump" / "void.ttl").exists() and not list(tmp_path.glob("*.html"))


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run("network", "--format", "graphml", "--out", str(blocker / "sub"))
    assert r.returncode == 1 and "cannot write there" in r.stderr and "Traceback" not in r.stderr


def test_long_one_line_query_is_not_taken_for_a_file():
    q = ("SELECT ?d ?start WHERE { ?d a dd:Deployment ; prov:wasDerivedFrom src:appendix-2 ; "
         "dd:startDate ?start ; dd:destination country:IRQ . " + " " * 300 + "} ORDER BY ?start")
    r = run("query", q, "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 1 + 7   # the seven Iraq rows of 資料2
