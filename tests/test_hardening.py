"""Hostile and broken inputs: each case of issue 15 (nothing lost, nothing
fetched, no traceback) as a test."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgraph.errors import KgraphError
from kgraph.sparqllex import MAX_DEPTH, QueryRefused, check_query, tokens

ROOT = Path(__file__).resolve().parent.parent


def kgraph_cli(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kgraph.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, env=os.environ.copy())


def empty_ox():
    import pyoxigraph as ox

    from kgraph.oxstore import OxGraph

    return OxGraph(ox.Store())


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets."""
    hits: list[str] = []
    handler = type("H", (_Recorder,), {"hits": hits})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", hits
    finally:
        srv.shutdown()
        srv.server_close()


# --- One lexer, parsed refusals ------------------------------------------------------------

def test_lexer_keeps_escaped_prefixed_names_whole():
    toks = [(t.kind, t.text) for t in tokens('SELECT * { ?s country:x\\#y "a # b" . } # SERVICE')]
    assert ("pname", "country:x\\#y") in toks
    assert ("string", '"a # b"') in toks
    assert all(t != "SERVICE" for _, t in toks)   # the comment is dropped


@pytest.mark.parametrize("q", [
    "SELECT * WHERE { ?s country:x\\#y ?o . SERVICE <{url}/sparql> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s dd:a\\.b ?o } # comment\nSELECT * WHERE { SERVICE <{url}/> {} }",
    "SELECT * WHERE { ?s ?p 'it''s' . service <{url}/> {} }",
    'SELECT * WHERE { ?s ?p """a\n"b"\n""" . SERVICE <{url}/x> {} }',
    "SELECT * WHERE { ?s ?p ?o . SeRvIcE SILENT <{url}/y> { ?s ?p ?o } }",
])
def test_service_is_refused_and_nothing_is_fetched(recorder, q):
    url, hits = recorder
    q = q.replace("{url}", url)
    with pytest.raises(QueryRefused, match="SERVICE is not allowed"):
        empty_ox().query(q)
    r = kgraph_cli("query", q, timeout=120)
    assert r.returncode == 1 and "SERVICE is not allowed" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert hits == []


@pytest.mark.parametrize("q", [
    "SELECT ?service ?load WHERE { VALUES (?service ?load) { (1 2) } }",
    "SELECT ?x WHERE { VALUES ?x { dd:service dd:load 'LOAD' \"INSERT\" } }",
    "PREFIX load: <http://ex.org/load#> SELECT (load: AS ?x) {}",
    "ASK { BIND(<http://ex.org/service> AS ?x) } # SERVICE LOAD INSERT",
    "SELECT ?with ?add ?copy ?drop WHERE { BIND(1 AS ?with) }",
])
def test_harmless_queries_named_like_keywords_run(q):
    empty_ox().query(q)


@pytest.mark.parametrize("q, word, status", [
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT", "update"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE", "update"),
    ("PREFIX x: <http://x/> CLEAR ALL", "CLEAR", "update"),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", "update"),
    ("drop graph <http://g>", "DROP", "update"),
    ("LOAD <http://ex.org/data.ttl>", "LOAD", "remote"),
    ("SELECT * {} ; INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT", "update"),
])
def test_updates_and_load_are_refused_naming_the_form(q, word, status):
    with pytest.raises(QueryRefused) as exc:
        check_query(q)
    assert exc.value.kind == status and word in str(exc.value)
    if status == "update":
        assert "is an update" in str(exc.value) and "SELECT/ASK/CONSTRUCT/DESCRIBE" in str(exc.value)


def test_insert_on_the_cli_names_the_form():
    r = kgraph_cli("query", "INSERT DATA { <a:b> <a:c> <a:d> }")
    assert r.returncode == 1
    assert "INSERT is an update" in r.stderr and "SELECT/ASK/CONSTRUCT/DESCRIBE" in r.stderr
    assert "expected CONSTRUCT" not in r.stderr


@pytest.mark.parametrize("open_, close", [("(", ")"), ("{", "}"), ("[ ?p ", "]")])
def test_deep_nesting_is_refused_before_the_engine(open_, close):
    n = 6000
    if open_ == "(":
        q = "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }"
    elif open_ == "{":
        q = "SELECT * WHERE " + "{" * n + "}" * n
    else:
        q = "SELECT * WHERE { ?s ?p " + open_ * n + "1" + close * n + " }"
    with pytest.raises(QueryRefused, match=f"more than {MAX_DEPTH} deep"):
        empty_ox().query(q)


def test_deep_nesting_does_not_kill_the_cli():
    q = "SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }"
    r = kgraph_cli("query", q, timeout=120)
    assert r.returncode == 1, (r.returncode, r.stderr[-300:])
    assert "deep" in r.stderr and r.stderr.count("\n") <= 2


def test_oversized_and_chained_queries_are_refused():
    with pytest.raises(QueryRefused, match="bytes"):
        check_query("SELECT * {" + " " * 2_000_000 + "}")
    with pytest.raises(QueryRefused, match="clauses"):
        check_query("SELECT * { " + "OPTIONAL { ?s ?p ?o } " * 5000 + "}")


def test_unknown_prefix_is_named_with_the_predeclared_ones():
    with pytest.raises(QueryRefused) as exc:
        empty_ox().query("SELECT * WHERE {\n  ?s foaf:name ?o }")
    msg = str(exc.value)
    assert "unknown prefix 'foaf:' at line 2, column 6" in msg
    assert "dd:" in msg and "skos:" in msg and "\\u" not in msg
    assert len(msg.splitlines()) == 2
    check_query("PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT * { ?s foaf:name ?o }")


def test_a_byte_order_mark_is_accepted(tmp_path):
    assert bool(empty_ox().query("\ufeffASK {}").answer) is True
    f = tmp_path / "q.rq"
    f.write_bytes("\ufeffASK { }".encode())
    from kgraph.querytext import resolve

    assert not resolve(str(f)).startswith("\ufeff")


def test_unterminated_string_points_at_it():
    with pytest.raises(QueryRefused, match="line 2, column 12: a string that never ends"):
        check_query('SELECT * {\n  ?s ?p ?o "abc\n}')


def test_refusals_are_kgraph_errors():
    assert issubclass(QueryRefused, KgraphError)


# --- Whole output sets ---------------------------------------------------------------------

_WRITER = """
import sys
from pathlib import Path
from kgraph.outputset import write_set

version = sys.argv[2]
def fill(staging):
    for i in range(5):
        (staging / f"part-{i}.txt").write_text(version * (i + 1), encoding="utf-8")
    (staging / "sub").mkdir()
    (staging / "sub" / "void.ttl").write_text(version, encoding="utf-8")
write_set(Path(sys.argv[1]), fill)
"""


def _write(target: Path, version: str, **env: str) -> int:
    return subprocess.run([sys.executable, "-c", _WRITER, str(target), version],
                          env={**os.environ, **env}, timeout=60).returncode


def _seen(target: Path) -> set[str]:
    """The versions a reader sees in the set (one if the set is whole)."""
    from kgraph.outputset import is_complete

    assert is_complete(target), sorted(p.name for p in target.rglob("*"))
    return {p.read_text(encoding="utf-8")[:1] for p in target.rglob("*.t*")}


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_killed_writer_leaves_the_old_set_or_the_new_one(tmp_path, exchange):
    from kgraph.outputset import FAULT_ENV, FAULT_POINTS, NO_EXCHANGE_ENV

    mode = {} if exchange else {NO_EXCHANGE_ENV: "1"}
    outcomes = {}
    for point in FAULT_POINTS:
        target = tmp_path / point / "dump"
        assert _write(target, "A", **mode) == 0
        rc = _write(target, "B", **mode, **{FAULT_ENV: point})
        if point == "moved-aside" and exchange:
            assert rc == 0   # the exchange has no such step
        else:
            assert rc == -9, point
        if target.exists():
            seen = _seen(target)
            assert seen in ({"A"}, {"B"}), (point, seen)
            outcomes[point] = seen.pop()
        else:
            assert not exchange and point == "moved-aside"   # between two renames: no folder, never a mix
            outcomes[point] = "none"
        # The next run cleans up after the killed one (and puts back an old set moved aside).
        assert _write(target, "C", **mode) == 0
        assert _seen(target) == {"C"}
        assert sorted(p.name for p in target.parent.iterdir()) == [".dump.kgraph-lock", "dump"]
    expected = {"staged": "A", "manifest": "A", "before-switch": "A", "switched": "B", "done": "B",
                "moved-aside": "B" if exchange else "none"}
    assert outcomes == expected


def test_a_folder_with_foreign_files_is_refused_not_wiped(tmp_path):
    from kgraph.outputset import write_set

    mine = tmp_path / "notes.txt"
    mine.write_text("my notes", encoding="utf-8")
    with pytest.raises(KgraphError, match=r"holds files kgraph did not write \(notes.txt\)"):
        write_set(tmp_path, lambda s: (s / "a.ttl").write_text("x", encoding="utf-8"))
    assert mine.read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    # A file the new set also writes is not foreign (a dump written before manifests).
    out = tmp_path / "old-dump"
    out.mkdir()
    (out / "a.ttl").write_text("old", encoding="utf-8")
    write_set(out, lambda s: (s / "a.ttl").write_text("new", encoding="utf-8"))
    assert (out / "a.ttl").read_text(encoding="utf-8") == "new"


def test_export_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "thesis.docx").write_bytes(b"PK")
    r = kgraph_cli("export", "--out", str(tmp_path))
    assert r.returncode == 1 and "thesis.docx" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


def test_export_killed_before_the_switch_keeps_the_previous_dump(kg, tmp_path):
    from kgraph.export import export
    from kgraph.outputset import FAULT_ENV, is_complete

    out = tmp_path / "dump"
    export(kg, out, formats=("nt",))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = subprocess.run([sys.executable, "-m", "kgraph.cli", "export", "--out", str(out),
                        "--base-iri", "https://example.org/kg/"],
                       env={**os.environ, FAULT_ENV: "before-switch"}, capture_output=True, timeout=300)
    assert r.returncode == -9
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before and is_complete(out)


# --- Parsing: Oxigraph decides, nothing fetched, nothing dropped -----------------------------

def _file(tmp_path: Path, name: str, text: str | bytes) -> Path:
    f = tmp_path / name
    f.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return f


@pytest.mark.parametrize("name, text, where, what", [
    ("space.ttl", "<http://ex.org/a b> <http://ex.org/p> 1 .\n", ":1:1:", "Invalid IRI"),
    ("lang.ttl", '<http://ex.org/a>\n  <http://ex.org/p> "x"@' + "a" * 200 + " .\n", ":2:", "subtag"),
    ("space.nt", "<http://ex.org/a> <http://ex.org/p> <http://ex.org/b c> .\n", ":1:", "IRI"),
    ("bad.rdf", "<a>", "", "RDF/XML syntax error"),
])
def test_files_oxigraph_rejects_are_refused_with_a_position(tmp_path, name, text, where, what):
    from kgraph.parsing import read_triples

    f = _file(tmp_path, name, text)
    with pytest.raises(KgraphError) as exc:
        read_triples(f)
    assert f"{f}{where}" in str(exc.value) and what in str(exc.value)


def test_an_iri_with_a_space_never_reaches_the_reasoner(tmp_path):
    f = _file(tmp_path, "space.ttl", "<http://ex.org/a b> a <http://ex.org/C> .\n")
    r = kgraph_cli("stats", "--data", str(f), timeout=300)
    assert r.returncode == 1 and f"{f}:1:1: Turtle syntax error" in r.stderr
    assert "panicked" not in r.stderr and "Traceback" not in r.stderr
    r = kgraph_cli("validate", str(f), timeout=300)
    assert r.returncode == 1 and "Invalid IRI" in r.stderr


def test_jsonld_never_fetches_a_remote_context(tmp_path, recorder):
    from kgraph.parsing import read_triples

    url, hits = recorder
    for ctx in (f'"{url}/ctx.jsonld"', f'["{url}/ctx.jsonld"]', f'{{"@import": "{url}/c.jsonld"}}'):
        f = _file(tmp_path, "remote.jsonld",
                  f'{{\n  "@context": {ctx},\n  "@id": "http://ex.org/a", "name": "x"\n}}')
        with pytest.raises(KgraphError, match="is remote; kgraph never fetches one") as exc:
            read_triples(f)
        assert "inline the context" in str(exc.value) and f"{f}:2:" in str(exc.value)
    r = kgraph_cli("validate", str(f), timeout=300)
    assert r.returncode == 1 and "never fetches" in r.stderr
    assert hits == []


def test_jsonld_invalid_id_is_reported_not_dropped(tmp_path):
    from kgraph.parsing import read_triples

    f = _file(tmp_path, "bad-id.jsonld", '{\n "@id": "http://ex.org/a",\n "http://ex.org/p": '
                                         '{"@id": "http://ex.org/b c"}\n}')
    with pytest.raises(KgraphError, match=r'bad-id.jsonld:3: JSON-LD @id "http://ex.org/b c" is not an IRI'):
        read_triples(f)
    ok = _file(tmp_path, "ok.jsonld", '{"@context": {"ex": "http://ex.org/"}, "@id": "ex:a", '
                                      '"ex:p": {"@id": "_:b"}}')
    assert len(read_triples(ok)) == 1


_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://ex.org/">
 <rdf:Description rdf:about="http://ex.org/a"><e:p>&h;</e:p></rdf:Description>
</rdf:RDF>
"""


def test_xml_entity_expansion_is_refused(tmp_path):
    from kgraph.parsing import read_triples

    f = _file(tmp_path, "laughs.rdf", _LAUGHS)
    with pytest.raises(KgraphError, match=r"laughs.rdf:3: RDF/XML with a entity 'b'.*entity expansion"):
        read_triples(f)
    for decl in ('<!ENTITY x SYSTEM "file:///etc/passwd">', '<!ENTITY % p "x">'):
        g = _file(tmp_path, "ext.rdf", _LAUGHS.replace('<!ENTITY a "lollollollollollollollollollol">', decl))
        with pytest.raises(KgraphError, match="refuses entity expansion"):
            read_triples(g)
    r = kgraph_cli("validate", str(f), timeout=120)
    assert r.returncode == 1 and "entity" in r.stderr and "Traceback" not in r.stderr


def test_xml_namespace_entities_as_protege_writes_them_are_read(tmp_path):
    from kgraph.parsing import read_triples

    f = _file(tmp_path, "onto.owl", """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://ex.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://ex.org/">
 <rdf:Description rdf:about="&ex;a"><e:p>x</e:p></rdf:Description>
</rdf:RDF>
""")
    (t,) = read_triples(f)
    assert str(t[0]) == "http://ex.org/a"


def test_help_lists_the_accepted_extensions():
    from kgraph.cli import parser

    text = parser()._subparsers._group_actions[0].choices["validate"].format_help()  # type: ignore[union-attr]
    assert all(ext in text for ext in (".ttl", ".nt", ".jsonld", ".rdf", ".owl", ".xml"))


def test_a_folder_is_read_where_a_folder_makes_sense(tmp_path):
    from kgraph.parsing import read_triples

    d = tmp_path / "data"
    d.mkdir()
    _file(d, "a.ttl", "<http://ex.org/a> <http://ex.org/p> 1 .\n")
    _file(d, "b.nt", '<http://ex.org/b> <http://ex.org/p> "2" .\n')
    _file(d, "notes.md", "not RDF")
    r = kgraph_cli("validate", str(d), timeout=300)
    assert "Traceback" not in r.stderr and "no such file" not in r.stderr
    assert r.returncode in (0, 1) and "valid" in r.stdout.lower(), r.stderr
    with pytest.raises(KgraphError, match="is a folder, not a data file"):
        read_triples(d)
    empty = tmp_path / "empty"
    empty.mkdir()
    r = kgraph_cli("validate", str(empty), timeout=300)
    assert r.returncode == 1 and "a folder with no RDF files in it" in r.stderr
    r = kgraph_cli("query", str(d), timeout=60)
    assert r.returncode == 1 and "folder" in r.stderr and "Traceback" not in r.stderr


def test_a_literal_over_16_mib_is_a_clean_error(tmp_path):
    from kgraph.parsing import read_triples

    f = _file(tmp_path, "big.ttl", '<http://ex.org/a> <http://ex.org/p> "' + "x" * (17 * 2**20) + '" .\n')
    with pytest.raises(KgraphError, match="longer than 16 MiB"):
        read_triples(f)


def test_ill_typed_literals_print_no_traceback(tmp_path):
    f = _file(tmp_path, "typed.ttl", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
              '<http://ex.org/a> <http://ex.org/p> "2001-13-45"^^xsd:date, "abc"^^xsd:integer .\n')
    r = kgraph_cli("validate", str(f), timeout=300)
    assert "Traceback" not in r.stderr and "Failed to convert" not in r.stderr


def test_a_byte_order_mark_in_a_data_file_is_accepted(tmp_path):
    from kgraph.parsing import read_triples

    f = _file(tmp_path, "bom.ttl", b"\xef\xbb\xbf<http://ex.org/a> <http://ex.org/p> 1 .\n")
    assert len(read_triples(f)) == 1


# --- CLI errors, Ctrl-C, threads -----------------------------------------------------------------

def test_rdflib_engine_bad_regex_is_one_line(kg):
    r = kgraph_cli("query", "--engine", "rdflib", 'SELECT * WHERE { BIND(REGEX("a", "(") AS ?x) }')
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "SPARQL evaluation failed" in r.stderr and "unterminated subpattern" in r.stderr
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_lone_surrogate_is_a_clean_error(engine):
    r = kgraph_cli("query", "--engine", engine, 'SELECT * WHERE { BIND("\\uD800" AS ?x) }')
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "line 1, column 23" in r.stderr and "lone surrogate" in r.stderr


@pytest.mark.parametrize("option, value, why", [
    ("--base-iri", 'https://ex.org/"q/', "contains '\"'"),
    ("--base-iri", "https://ex.org/a b/", "contains ' '"),
    ("--base-iri", "ftp://ex.org/", "not an http(s) URL"),
    ("--base-iri", "https://ex.org/id", "must end in '/' or '#'"),
    ("--endpoint", "not a url", "contains ' '"),
    ("--endpoint", "sparql", "not an http(s) URL"),
    ("--endpoint", "http://127.0.0.1:99999/sparql", "not an http(s) URL"),
])
def test_export_refuses_bad_iris_up_front(tmp_path, option, value, why):
    out = tmp_path / "dump"
    r = kgraph_cli("export", "--out", str(out), option, value, timeout=60)
    assert r.returncode == 1 and why in r.stderr and option in r.stderr
    assert r.stderr.count("\n") <= 2 and "Traceback" not in r.stderr
    assert not out.exists()


def test_export_api_refuses_bad_iris(kg, tmp_path):
    from kgraph.export import export

    with pytest.raises(KgraphError, match="--base-iri"):
        export(kg, tmp_path / "a", base='https://ex.org/"q/')
    with pytest.raises(KgraphError, match="--endpoint"):
        export(kg, tmp_path / "b", endpoint="not a url")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_ctrl_c_stops_a_long_local_query(kg):
    import signal
    import time

    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"   # hours of work
    p = subprocess.Popen([sys.executable, "-m", "kgraph.cli", "query", q], stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, text=True, env=os.environ.copy())
    try:
        time.sleep(3)
        assert p.poll() is None
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=30)   # a generous bound: it takes a tenth of a second
    finally:
        p.kill()
    assert rc == 130
    assert "kgraph: interrupted" in (p.stderr.read() if p.stderr else "")


_THREADS = """
import threading
from rdflib import Graph, URIRef
from kgraph.sparql import run

g = Graph()
g.add((URIRef("http://ex.org/a"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
       URIRef("https://w3id.org/defdip/ontology#Country")))
barrier, errors, counts = threading.Barrier(8), [], []

def work():
    barrier.wait()
    try:
        counts.append(len(list(run(g, "SELECT ?c WHERE { ?c a dd:Country }"))))
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
counts.append(len(list(run(g, "ASK { ?c a dd:Country }"))))
print(errors, counts)
"""


def test_concurrent_first_use_of_the_api_from_eight_threads():
    for _ in range(3):   # the race is at first use: a fresh process each time
        r = subprocess.run([sys.executable, "-c", _THREADS], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "[] [1, 1, 1, 1, 1, 1, 1, 1, 1]"


def test_a_set_is_readable_like_any_folder(tmp_path):
    import stat

    from kgraph.outputset import write_set

    old = os.umask(0o022)
    try:
        write_set(tmp_path / "dump", lambda s: (s / "a.ttl").write_text("x", encoding="utf-8"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "dump").stat().st_mode) == 0o755


def test_a_prefix_named_service_never_reaches_another_host(capsys):
    # Oxigraph reads SERVICE:x as the SERVICE keyword: refused by the one lexer, for the
    # CLI and the API alike, and nothing connects to the listening socket.
    import socket

    import kgraph
    from kgraph.cli import main
    from kgraph.errors import KgraphError

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        host, port = listener.getsockname()
        for query in (f"PREFIX SERVICE: <http://{host}:{port}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
                      f"PREFIX : <http://{host}:{port}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}"):
            with pytest.raises(KgraphError, match="SERVICE is not allowed"):
                kgraph.query(query)
            assert main(["query", query]) == 1
            assert "SERVICE is not allowed" in capsys.readouterr().err
        with pytest.raises(socket.timeout):
            listener.accept()
