"""`kgraph serve`: the SPARQL 1.1 Protocol endpoint, in-process on loopback and
through the real CLI. Every answer is parsed back and checked against the report's
values."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result

from tests.conftest import require

DD = "https://w3id.org/defdip/ontology#"
ID = "https://w3id.org/defdip/id/"
GSOMIA_JPN = URIRef(ID + "agreement/gsomia-JPN")
COUNT_DCA = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:DefenseCooperationAgreement }"
K9_TUR = "SELECT ?buyer ?quantity WHERE { sale:k9-TUR dd:buyer ?buyer ; dd:quantity ?quantity }"
GSOMIA_DATE = ("CONSTRUCT { agr:gsomia-JPN dd:signedOn ?d ; dd:partner ?p } "
               "WHERE { agr:gsomia-JPN dd:signedOn ?d ; dd:partner ?p }")
# 49^3 rows before the FILTER: about ten seconds for rdflib, far beyond the test timeouts.
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a a dd:DefenseCooperationAgreement . "
        "?b a dd:DefenseCooperationAgreement . ?c a dd:DefenseCooperationAgreement "
        "FILTER(STR(?a) < STR(?b) && STR(?b) < STR(?c)) }")
SPARQL_JSON = "application/sparql-results+json"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # urllib would send loopback requests through a proxy named in the environment.
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(autouse=True)
def _no_proxy_opener():
    urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))
    yield
    urllib.request.install_opener(None)  # type: ignore[arg-type]


def _start(graph, **options: Any) -> Iterator[Any]:
    from kgraph.server import make_server

    server = make_server(graph, host="127.0.0.1", port=0, quiet=True, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def server(graph):
    yield from _start(graph, timeout=20.0, max_results=500, max_body=4000)


@pytest.fixture(scope="module")
def base(server) -> str:
    return server.url


class Reply:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0]

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> Reply:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return Reply(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read())


def get(base: str, query: str, accept: str | None = None, **params: str) -> Reply:
    qs = urllib.parse.urlencode({"query": query, **params})
    return fetch(f"{base}sparql?{qs}", headers={"Accept": accept} if accept else {})


def post_form(base: str, fields: dict[str, str], accept: str | None = None) -> Reply:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return fetch(base + "sparql", data=urllib.parse.urlencode(fields).encode(), headers=headers)


def post_query(base: str, query: str, accept: str | None = None) -> Reply:
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return fetch(base + "sparql", data=query.encode("utf-8"), headers=headers)


def raw(server, request: bytes) -> tuple[int, str]:
    """Send bytes as they are; the status and body of the answer."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8")


def json_rows(reply: Reply) -> list[dict[str, str]]:
    doc = reply.json()
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


# --- The protocol's query operation, each result format parsed back -----------------------------

def test_get_select_json_counts_the_defence_cooperation_agreements(base):
    r = get(base, COUNT_DCA)
    assert r.status == 200 and r.type == SPARQL_JSON
    doc = r.json()
    assert doc["head"]["vars"] == ["n"]
    [binding] = doc["results"]["bindings"]
    assert binding["n"] == {"type": "literal", "value": "49", "datatype": str(XSD.integer)}


def test_post_form_and_direct_post_give_the_k9_sale_to_turkey(base):
    for r in (post_form(base, {"query": K9_TUR}), post_query(base, K9_TUR)):
        assert r.status == 200 and r.type == SPARQL_JSON
        assert json_rows(r) == [{"buyer": ID + "country/TUR", "quantity": "280"}]


def test_xml_results(base):
    r = post_form(base, {"query": K9_TUR}, accept="application/sparql-results+xml")
    assert r.status == 200 and r.type == "application/sparql-results+xml"
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(r.body)
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["buyer", "quantity"]
    [result] = root.findall("s:results/s:result", ns)
    values = {b.get("name"): b[0] for b in result.findall("s:binding", ns)}
    assert values["buyer"].tag.endswith("uri") and values["buyer"].text == ID + "country/TUR"
    assert values["quantity"].text == "280" and values["quantity"].get("datatype") == str(XSD.integer)
    # rdflib reads it back too
    parsed = Result.parse(io.BytesIO(r.body), format="xml")
    assert [int(row.quantity) for row in parsed] == [280]


def test_csv_and_tsv_results(base):
    r = post_query(base, K9_TUR, accept="text/csv")
    assert r.status == 200 and r.type == "text/csv"
    assert list(csv.DictReader(io.StringIO(r.text))) == [{"buyer": ID + "country/TUR", "quantity": "280"}]

    r = get(base, K9_TUR, accept="text/tab-separated-values")
    assert r.status == 200 and r.type == "text/tab-separated-values"
    assert r.text.splitlines() == ["?buyer\t?quantity",
                                   f'<{ID}country/TUR>\t"280"^^<{XSD.integer}>']
    parsed = Result.parse(io.StringIO(r.text), format="tsv")
    assert [(str(row.buyer), row.quantity.toPython()) for row in parsed] == [(ID + "country/TUR", 280)]


def test_tsv_escapes_tabs_and_newlines(base):
    r = get(base, 'SELECT ?s WHERE { BIND("a\\tb\\nc" AS ?s) }', format="tsv")
    assert r.status == 200
    assert r.text.splitlines() == ["?s", '"a\\tb\\nc"']


def test_csv_of_many_rows_in_japanese(base):
    q = ("SELECT ?partner ?label WHERE { ?a a dd:MilitaryInformationAgreement ; dd:partner ?partner . "
         "?partner rdfs:label ?label FILTER(LANG(?label) = 'ja') }")
    r = get(base, q, format="csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    labels = {row["partner"].rsplit("/", 1)[-1]: row["label"] for row in rows}
    assert labels["JPN"] == "日本"
    # 26 agreements with 25 partners (two with the United Kingdom), each labelled in Japanese
    assert len(rows) == 26 and len(labels) == 25


def test_construct_turtle_parses_back_with_the_gsomia_signing_date(base):
    r = get(base, GSOMIA_DATE)
    assert r.status == 200 and r.type == "text/turtle"
    g = Graph().parse(data=r.text, format="turtle")
    assert (GSOMIA_JPN, URIRef(DD + "signedOn"), Literal("2016-11-23", datatype=XSD.date)) in g
    assert (GSOMIA_JPN, URIRef(DD + "partner"), URIRef(ID + "country/JPN")) in g
    assert len(g) == 2
    assert "agr:gsomia-JPN" in r.text  # the project's prefixes are used


@pytest.mark.parametrize("accept, media, rdf_format", [
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/json", "application/ld+json", "json-ld"),
])
def test_construct_in_other_rdf_formats(base, accept, media, rdf_format):
    r = post_query(base, GSOMIA_DATE, accept=accept)
    assert r.status == 200 and r.type == media
    g = Graph().parse(data=r.text, format=rdf_format)
    assert set(g.objects(GSOMIA_JPN, URIRef(DD + "signedOn"))) == {Literal("2016-11-23", datatype=XSD.date)}


def test_describe(base):
    r = get(base, "DESCRIBE agr:gsomia-JPN")
    assert r.status == 200 and r.type == "text/turtle"
    g = Graph().parse(data=r.text, format="turtle")
    assert (GSOMIA_JPN, URIRef(DD + "partner"), URIRef(ID + "country/JPN")) in g


def test_ask_true_and_false(base):
    r = get(base, "ASK { agr:gsomia-JPN dd:signedOnEarliest '2016-11-23'^^xsd:date }")
    assert r.status == 200 and r.json() == {"head": {}, "boolean": True}
    r = get(base, "ASK { agr:gsomia-JPN dd:signedOnEarliest '2016-11-24'^^xsd:date }")
    assert r.json()["boolean"] is False
    r = post_query(base, "ASK { agr:gsomia-nato dd:partner org:nato }", accept="application/sparql-results+xml")
    assert r.status == 200 and Result.parse(io.BytesIO(r.body), format="xml").askAnswer is True
    r = get(base, "ASK { sale:k9-TUR dd:quantity 281 }", format="csv")
    assert list(csv.reader(io.StringIO(r.text))) == [["_askResult"], ["false"]]


# --- Content negotiation -----------------------------------------------------------------------

@pytest.mark.parametrize("accept, media", [
    ("", SPARQL_JSON),
    ("*/*", SPARQL_JSON),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("application/json", SPARQL_JSON),
    ("text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
])
def test_accept_header_picks_the_format(base, accept, media):
    r = get(base, COUNT_DCA, accept=accept or None)
    assert r.status == 200 and r.type == media


def test_format_parameter_wins_over_accept(base):
    r = get(base, COUNT_DCA, accept="application/sparql-results+xml", format="csv")
    assert r.status == 200 and r.type == "text/csv" and r.text.split() == ["n", "49"]
    r = get(base, GSOMIA_DATE, format="nt")
    assert r.type == "application/n-triples"


def test_406_when_nothing_acceptable(base):
    r = get(base, COUNT_DCA, accept="image/png")
    assert r.status == 406 and "text/csv" in r.text and r.type == "text/plain"
    r = get(base, GSOMIA_DATE, accept="text/csv")
    assert r.status == 406 and "text/turtle" in r.text
    r = get(base, COUNT_DCA, format="turtle")
    assert r.status == 406
    r = get(base, COUNT_DCA, format="yaml")
    assert r.status == 400 and "unknown format=yaml" in r.text


# --- Refusals ------------------------------------------------------------------------------------

def test_updates_are_refused(base, graph):
    before = len(graph)
    insert = "INSERT DATA { agr:gsomia-JPN dd:partner country:PRK }"
    replies = [
        get(base, insert),
        post_query(base, "PREFIX x: <http://example.org/#>\n# a comment\nDELETE WHERE { ?s ?p ?o }"),
        post_form(base, {"update": insert}),
        fetch(base + "sparql?" + urllib.parse.urlencode({"update": insert})),
        fetch(base + "sparql", data=insert.encode(), headers={"Content-Type": "application/sparql-update"}),
        get(base, "clear all"),
    ]
    for r in replies:
        assert r.status == 403, r.text
        assert "read-only" in r.text and r.type == "text/plain"
    assert len(graph) == before
    assert get(base, "ASK { agr:gsomia-JPN dd:partner country:PRK }").json()["boolean"] is False


@pytest.fixture
def listener() -> Iterator[tuple[str, list[socket.socket]]]:
    """A loopback socket that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                accepted.append(conn)
                conn.close()
            except OSError:
                pass

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", accepted
    stop.set()
    t.join(2)
    sock.close()


def test_service_load_and_from_fetch_nothing(base, listener):
    url, accepted = listener
    for q in (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
              f"SELECT * WHERE {{ ?x a dd:Country .\n service silent <{url}> {{ ?s ?p ?o }} }}"):
        r = get(base, q)
        assert r.status == 400 and "SERVICE is not allowed" in r.text
    r = post_query(base, f"LOAD <{url}>")
    assert r.status == 400 and "LOAD is not allowed" in r.text
    # FROM is ignored: the dataset is always the whole graph, nothing is fetched.
    r = get(base, f"SELECT (COUNT(?a) AS ?n) FROM <{url}> WHERE {{ ?a a dd:DefenseCooperationAgreement }}")
    assert r.status == 200 and json_rows(r) == [{"n": "49"}]
    r = get(base, COUNT_DCA, **{"default-graph-uri": url})
    assert r.status == 200 and json_rows(r) == [{"n": "49"}]
    time.sleep(0.2)
    assert accepted == []


def test_malformed_query_names_line_and_column(base):
    r = get(base, "SELECT ?x WHERE {\n  ?x a dd:Country .\n  FILTER(?x = ) }")
    assert r.status == 400 and r.type == "text/plain"
    assert "line 3, column 3" in r.text and "FILTER(?x = )" in r.text
    r = post_query(base, "SELEC ?x WHERE { ?x ?p ?o }")
    assert r.status == 400 and "line 1, column 1" in r.text
    r = get(base, "   ")
    assert r.status == 400 and "empty" in r.text
    r = fetch(base + "sparql")
    assert r.status == 400 and "missing the query parameter" in r.text


def test_body_limits(server, base):
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 5000
    r = post_query(base, big)
    assert r.status == 413 and "4000" in r.text and "--max-body" in r.text
    status, body = raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Connection: close\r\n\r\n")
    assert status == 411 and "Content-Length" in body
    status, body = raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Content-Length: lots\r\nConnection: close\r\n\r\n")
    assert status == 400 and "invalid Content-Length" in body
    status, body = raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n")
    assert status == 411
    r = fetch(base + "sparql", data=b"SELECT", headers={"Content-Type": "text/plain"})
    assert r.status == 415
    r = fetch(base + "sparql", data=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"})
    assert r.status == 400 and "UTF-8" in r.text


def test_timeout_answers_503_and_stops_the_worker(graph):
    for srv in _start(graph, timeout=0.3):
        t0 = time.monotonic()
        r = get(srv.url, SLOW)
        elapsed = time.monotonic() - t0
        assert r.status == 503 and "timed out after 0.3 s" in r.text
        assert elapsed < 5
        # The worker saw its deadline at its next triple lookup and gave its slot back.
        deadline = time.monotonic() + 5
        while srv.runner.running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert srv.runner.running == 0
        assert srv.runner.stats["timeouts"] == 1
        assert json_rows(get(srv.url, COUNT_DCA)) == [{"n": "49"}]


def test_busy_when_every_slot_is_taken(graph):
    for srv in _start(graph, timeout=0.3, max_running=1):
        assert srv.runner.slots.acquire(timeout=1)
        try:
            r = get(srv.url, COUNT_DCA)
            assert r.status == 503 and "busy" in r.text and r.headers["Retry-After"] == "1"
        finally:
            srv.runner.slots.release()
        assert get(srv.url, COUNT_DCA).status == 200


def test_result_cap_truncates_with_a_header(base, graph):
    r = get(base, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert r.status == 200
    assert r.headers["X-Kgraph-Truncated"] == "true" and r.headers["X-Kgraph-Result-Limit"] == "500"
    assert len(json_rows(r)) == 500 < len(graph)
    r = get(base, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", format="nt")
    assert r.headers["X-Kgraph-Truncated"] == "true"
    assert len(Graph().parse(data=r.text, format="nt")) == 500
    r = get(base, "SELECT ?a WHERE { ?a a dd:DefenseCooperationAgreement }", format="csv")
    assert r.headers.get("X-Kgraph-Truncated") is None
    assert len(r.text.splitlines()) == 1 + 49


def test_concurrent_clients_get_right_answers(base):
    answers: list[Any] = []

    def client() -> None:
        for _ in range(4):
            answers.append(json_rows(get(base, COUNT_DCA)))
            answers.append(json_rows(post_query(base, K9_TUR)))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == 64
    assert answers.count([{"n": "49"}]) == 32
    assert answers.count([{"buyer": ID + "country/TUR", "quantity": "280"}]) == 32


def test_concurrent_evaluations_of_one_query_do_not_mix_rows(base):
    # rdflib's expressions hold the solution being evaluated: one prepared query shared
    # by threads once gave straddling-records a 47th row. The server lends each
    # evaluation its own copy.
    from kgraph.sparql import named_query

    text = named_query("straddling-records").text
    counts: list[int] = []

    def client() -> None:
        for _ in range(5):
            counts.append(len(json_rows(post_query(base, text))))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert counts == [47] * 40   # 46 + the Iraq War (graph/prose-facts.ttl), printed 2003-11


def test_a_prepared_query_is_lent_to_one_evaluation_at_a_time():
    from kgraph.server import HttpError, _QueryPool

    pool = _QueryPool(copies=2)
    a, b = pool.take(COUNT_DCA), pool.take(COUNT_DCA)
    assert a is not b                      # two evaluations at once: two copies
    pool.give_back(COUNT_DCA, a)
    assert pool.take(COUNT_DCA) is a       # reused once given back
    with pytest.raises(HttpError) as err:
        pool.take("SELECT ?x WHERE {")
    assert err.value.status == 400 and "line 1" in err.value.message


def test_keep_alive_connection_serves_several_requests(server):
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        for _ in range(3):
            conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT_DCA}))
            resp = conn.getresponse()
            assert resp.status == 200 and b'"49"' in resp.read()
        conn.request("POST", "/sparql", body=K9_TUR.encode(), headers={"Content-Type": "application/sparql-query"})
        resp = conn.getresponse()
        assert resp.status == 200 and b'"280"' in resp.read()
    finally:
        conn.close()


# --- The query page and the named queries ---------------------------------------------------------

def test_query_page_is_offline(base):
    page = fetch(base)
    assert page.status == 200 and page.type == "text/html"
    assert "<textarea" in page.text and 'id="named"' in page.text and "<button" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
    assert sorted(assets) == ["static/app.css", "static/app.js"]
    for text in [page.text] + [fetch(base + a).text for a in assets]:
        assert not re.search(r"https?://", text), "the page must not name another host"
        assert "@import" not in text and "//cdn" not in text
    js = fetch(base + "static/app.js")
    assert js.status == 200 and js.type == "text/javascript" and 'fetch("sparql"' in js.text


def test_queries_lists_the_named_queries(base):
    from kgraph.sparql import named_queries

    r = fetch(base + "queries")
    assert r.status == 200 and r.type == "application/json"
    listed = r.json()
    assert [q["name"] for q in listed] == [q.name for q in named_queries()]
    k9 = next(q for q in listed if q["name"] == "k9-contracts")
    assert k9["question"].startswith("Who bought the K-9")
    assert "weapon:k9" in k9["text"]
    # every named query runs through the endpoint
    for q in listed:
        reply = post_query(base, q["text"])
        assert reply.status == 200, (q["name"], reply.text)
    k9_rows = json_rows(post_query(base, k9["text"]))
    assert len(k9_rows) == 6 and {"quantity": "280"}.items() <= next(
        row for row in k9_rows if row["sale"].endswith("/k9-TUR")).items()


def test_prefixes_and_unknown_paths(base):
    r = fetch(base + "prefixes")
    assert r.json()["dd"] == DD
    assert fetch(base + "nothing-here").status == 404
    assert fetch(base + "favicon.ico").status == 204
    r = fetch(base + "queries", data=b"x", headers={"Content-Type": "text/plain"})
    assert r.status == 405 and r.headers["Allow"] == "GET"


# --- Starting up ---------------------------------------------------------------------------------

def test_port_in_use_is_one_clear_error(graph):
    from kgraph.errors import KgraphError
    from kgraph.server import make_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        with pytest.raises(KgraphError) as err:
            make_server(graph, host="127.0.0.1", port=port, quiet=True)
    assert str(err.value) == f"port {port} is in use: choose another with --port"


def test_loopback_detection():
    from kgraph.server import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "", "192.168.1.10", "::", "example.org"))


def test_serve_warns_when_not_on_loopback(graph, monkeypatch, capsys):
    import kgraph.server as srv

    made: list[Any] = []
    real = srv.make_server

    def on_loopback_anyway(graph: Any, **options: Any) -> Any:
        # the tests bind loopback only: check the warning without listening elsewhere
        server = real(graph, **{**options, "host": "127.0.0.1", "port": 0})
        made.append(server)
        return server

    monkeypatch.setattr(srv, "make_server", on_loopback_anyway)
    t = threading.Thread(target=srv.serve, args=(graph,), kwargs={
        "host": "0.0.0.0", "port": 8000, "timeout": 1.0, "max_results": 10, "max_body": 100, "quiet": True})
    t.start()
    deadline = time.monotonic() + 30
    while not made and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fetch(made[0].url + "prefixes").status == 200
    made[0].shutdown()
    t.join(10)
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0: other machines can reach this endpoint" in err
    assert f"serving SPARQL at {made[0].url}sparql" in err and "stopped" in err


def test_bad_options_are_refused(graph):
    from kgraph.errors import KgraphError
    from kgraph.server import make_server

    for options in ({"timeout": 0}, {"max_results": 0}, {"max_body": 0}, {"port": 70000}):
        with pytest.raises(KgraphError):
            make_server(graph, **options)  # type: ignore[arg-type]


def _kgraph(*args: str) -> list[str]:
    exe = shutil.which("kgraph")
    return [exe, *args] if exe else [sys.executable, "-m", "kgraph.cli", *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_serves_and_stops_cleanly(kg, tmp_path):
    port = _free_port()
    log = tmp_path / "stderr.txt"
    with log.open("w") as err:
        proc = subprocess.Popen(_kgraph("serve", "--port", str(port), "--timeout", "30"),
                                stdout=subprocess.DEVNULL, stderr=err, env=os.environ.copy())
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                r = get(base, COUNT_DCA, format="csv")
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert r.status == 200 and r.text.split() == ["n", "49"]
        assert post_query(base, K9_TUR, accept="text/csv").text.splitlines()[1].endswith(",280")
        assert get(base, "INSERT DATA { <a:b> <a:c> <a:d> }").status == 403
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    text = log.read_text()
    assert f"serving SPARQL at http://127.0.0.1:{port}/sparql" in text
    assert re.search(r"GET /sparql 200 [\d.]+ ms", text) and re.search(r"GET /sparql 403 ", text)
    assert "Traceback" not in text and "stopped" in text
    assert code == 0


def test_cli_port_in_use(kg):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = subprocess.run(_kgraph("serve", "--port", str(port)), capture_output=True, text=True,
                           timeout=300, env=os.environ.copy())
    assert r.returncode == 1
    assert r.stderr.strip() == f"kgraph: error: port {port} is in use: choose another with --port"


# --- The page in a real browser ----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_query_page_in_chromium(base):
    require(Path(CHROMIUM).exists(),
            "needs Debian's Chromium: apt-get install chromium (tests drive it headless)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        require(False, "needs Playwright's Python package: pip install playwright")
    elsewhere: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        try:
            page = browser.new_page()

            def route(r: Any) -> None:
                if r.request.url.startswith(base):
                    r.continue_()
                else:
                    elsewhere.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(base)
            # the example query: GSOMIAs signed since 2015 (8 in the README)
            page.click("#run")
            page.wait_for_selector("#results table")
            assert page.locator("#results tbody tr").count() == 8
            assert "8 rows" in page.inner_text("#status")
            # a named query from the list
            page.select_option("#named", "k9-contracts")
            assert "weapon:k9" in page.input_value("#query")
            assert page.inner_text("#question").startswith("Who bought the K-9")
            page.click("#run")
            # (wait_for_function would need eval, which the page's CSP rightly forbids)
            expect(page.locator("#status")).to_contain_text("6 rows")
            assert "country:TUR" in page.inner_text("#results table")
            assert "280" in page.inner_text("#results table")
            # errors are shown, not thrown
            page.fill("#query", "SELEC nothing")
            page.click("#run")
            page.wait_for_selector("#results pre.error")
            assert "line 1, column 1" in page.inner_text("#results pre.error")
        finally:
            browser.close()
    assert elsewhere == []
