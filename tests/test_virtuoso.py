"""`kgraph publish` into a real triple store and `kgraph query --endpoint`, against
a private Virtuoso (Debian's virtuoso-opensource) on loopback ports.

Select with ``pytest -m virtuoso``.  Without ``virtuoso-t`` the tests skip with
what to install; under CI (KGRAPH_CI=1) they fail instead.

Comparing rows of rdflib (in-process) and Virtuoso needs a few normalisations,
each for a documented difference that is not a difference in the data:

- every value goes through ``python_value`` (IRIs as strings, xsd:date as
  datetime.date, gYear/gYearMonth as ISO strings, numbers as int/float);
- numbers compare as floats rounded to 6 decimals: Virtuoso may answer an
  aggregate as xsd:decimal or xsd:double where rdflib has xsd:integer or a
  longer decimal;
- booleans stay apart from numbers (Python's True == 1 would hide Virtuoso's
  habit of answering boolean expressions with 0/1 integers; the named queries
  cast with xsd:boolean() for that);
- GROUP_CONCAT values compare as the sorted list of their parts: SPARQL leaves
  their order undefined, and rdflib and Virtuoso order them differently;
- language tags are dropped by ``python_value``: the named queries pick labels
  with LANG() filters, so nothing is lost;
- rows compare as multisets, since two engines may order ties differently.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from kgraph.prefixes import part_graph
from kgraph.querytext import named_queries
from kgraph.remote import remote_query
from kgraph.sparql import python_value, select
from tests.conftest import require
from tests.virtuoso import Virtuoso, available, free_port

pytestmark = pytest.mark.virtuoso

KGRAPH = shutil.which("kgraph")
DATASET = "https://w3id.org/defdip/dataset"
PARTS = ("ontology", "asserted", "inferred", "derived")
NAMED = [q.name for q in named_queries()]


def kgraph(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = [KGRAPH, *args] if KGRAPH else [sys.executable, "-m", "kgraph.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, kg) -> Iterator[Virtuoso]:
    """A private Virtuoso for this module, stopped and deleted at the end."""
    require(available() is not None,
            "needs Debian's virtuoso-opensource: apt-get install virtuoso-opensource")
    with Virtuoso(tmp_path_factory.mktemp("virtuoso")) as v:
        yield v


def publish_cli(store: Virtuoso, *extra: str, password: str = "dba") -> subprocess.CompletedProcess[str]:
    return kgraph("publish", "--store", store.gsp, "--user", "dba", "--password", password, *extra)


@pytest.fixture(scope="module")
def published(store: Virtuoso) -> str:
    """The graph published once through the real CLI; its report."""
    r = publish_cli(store)
    assert r.returncode == 0, r.stderr
    return r.stdout


def graph_counts(store: Virtuoso) -> dict[str, int]:
    """Triples per named graph under the dataset IRI, as the store counts them."""
    res = remote_query(store.sparql, f"""
        SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
          FILTER(STRSTARTS(STR(?g), "{DATASET}/")) }} GROUP BY ?g""")
    return {str(g)[len(DATASET) + 1:]: int(n) for g, n in res}


def marker(store: Virtuoso) -> list[tuple[str, str]]:
    """The completion marker: (publication, end time) pairs in <dataset/void>."""
    res = remote_query(store.sparql, f"""
        SELECT ?run ?ended WHERE {{ GRAPH <{DATASET}/void> {{
          <{DATASET}> prov:wasGeneratedBy ?run . ?run prov:endedAtTime ?ended }} }}""")
    return [(str(a), str(b)) for a, b in res]


def expected_counts(kg) -> dict[str, int]:
    return {name: len(getattr(kg, name)) for name in PARTS}


# --- publish ----------------------------------------------------------------------------------

def test_publish_writes_four_graphs_with_the_parts_triple_counts(store, published, kg):
    counts = graph_counts(store)
    want = expected_counts(kg)
    assert {k: counts[k] for k in PARTS} == want
    assert want["asserted"] > 8000 and want["ontology"] > 1000
    assert set(counts) == set(PARTS) | {"void"}, "staging graphs must be gone"
    # The report names each graph with its count.
    for name, n in want.items():
        assert re.search(rf"<{part_graph(name, DATASET)}>\s+{n} triples", published), published
    assert f"total: {sum(want.values())} triples in 4 graphs" in published


def test_completion_marker_states_the_verified_counts(store, published, kg):
    assert len(marker(store)) == 1
    void = "http://rdfs.org/ns/void#"
    res = remote_query(store.sparql, f"""
        SELECT ?g ?n WHERE {{ GRAPH <{DATASET}/void> {{
          <{DATASET}> <{void}subset> ?g . ?g <{void}triples> ?n }} }}""")
    stated = {str(g)[len(DATASET) + 1:]: python_value(n) for g, n in res}
    assert stated == expected_counts(kg)


def test_published_data_answers_like_the_report(store, published):
    n = remote_query(store.sparql, "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:MilitaryInformationAgreement }")
    assert [python_value(r[0]) for r in n] == [26]            # 資料4: 26 GSOMIAs
    ja = remote_query(store.sparql, 'SELECT ?l WHERE { country:JPN rdfs:label ?l FILTER(LANG(?l) = "ja") }')
    assert [str(r[0]) for r in ja] == ["日本"]                  # UTF-8 survives the upload
    signed = remote_query(store.sparql, "SELECT ?d WHERE { agr:gsomia-JPN dd:signedOn ?d }")
    assert [python_value(r[0]) for r in signed] == [dt.date(2016, 11, 23)]


# --- every named query: in-process and on Virtuoso ------------------------------------------------

def _normaliser(sparql: str):
    seps = re.findall(r'separator\s*=\s*"((?:[^"\\]|\\.)*)"', sparql, re.IGNORECASE)

    def norm(v: Any) -> Any:
        if isinstance(v, bool):
            return ("bool", v)
        if isinstance(v, (int, float)):
            return ("number", round(float(v), 6))
        if isinstance(v, str):
            for sep in seps:
                if sep and sep in v:
                    return ("list", tuple(sorted(v.split(sep))))
        return v

    return norm


@pytest.mark.parametrize("name", NAMED)
def test_named_query_gives_the_same_rows_on_virtuoso(store, published, graph, name):
    from kgraph.querytext import named_query

    text = named_query(name).text
    local = select(graph, text, labels=False)
    remote = remote_query(store.sparql, text)
    assert [str(v) for v in remote.vars] == local.columns
    norm = _normaliser(text)
    here = Counter(tuple(norm(v) for v in row) for row in local.rows)
    there = Counter(tuple(norm(python_value(v)) for v in row) for row in remote)
    assert len(local.rows) == len(remote.rows) > 0
    assert here == there, (f"only in-process: {list((here - there).elements())[:3]}\n"
                           f"only on Virtuoso: {list((there - here).elements())[:3]}")


@pytest.mark.parametrize("name", ["agreements-per-administration", "administrations", "deployments-by-category"])
def test_query_endpoint_gives_the_same_csv_as_local(store, published, name):
    local = kgraph("query", name, "--format", "csv")
    remote = kgraph("query", name, "--format", "csv", "--endpoint", store.sparql)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    if name == "deployments-by-category":   # labels come from the endpoint too
        assert "UN peacekeeping operations,14,572,17047" in remote.stdout


# --- republishing and errors ----------------------------------------------------------------------

def test_publishing_again_replaces_the_previous_version(store, published, kg):
    before = marker(store)
    r = publish_cli(store)
    assert r.returncode == 0, r.stderr
    counts = graph_counts(store)
    assert {k: counts[k] for k in PARTS} == expected_counts(kg)        # no duplicates
    assert set(counts) == set(PARTS) | {"void"}
    after = marker(store)
    assert len(after) == 1 and len(before) == 1                        # one marker, replaced


def _one_line_error(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("kgraph: error: ")
    return lines[0]


def test_wrong_password_is_one_line_and_changes_nothing(store, published, kg):
    line = _one_line_error(publish_cli(store, password="not-the-password"))
    assert "the store refused the credentials for user dba" in line
    assert {k: graph_counts(store)[k] for k in PARTS} == expected_counts(kg)
    assert len(marker(store)) == 1


def test_unreachable_store_is_one_line():
    port = free_port()   # nothing listens there
    r = kgraph("publish", "--store", f"http://127.0.0.1:{port}/sparql-graph-crud-auth",
               "--user", "dba", "--password", "dba")
    line = _one_line_error(r)
    assert f"cannot reach http://127.0.0.1:{port}/sparql-graph-crud-auth: connection refused" in line
    line = _one_line_error(kgraph("query", "administrations", "--endpoint", f"http://127.0.0.1:{port}/sparql"))
    assert "connection refused; is the store running?" in line


def test_a_url_that_is_not_a_graph_store_is_named(store, published):
    line = _one_line_error(kgraph("publish", "--store", store.sparql, "--update", store.base + "/sparql-auth",
                                  "--user", "dba", "--password", "dba"))
    assert f"{store.sparql} is not a Graph Store Protocol endpoint" in line


def test_endpoint_errors_quote_virtuoso(store, published):
    line = _one_line_error(kgraph("query", "SELECT ?x WHERE { ?x ?y }", "--endpoint", store.sparql))
    assert "HTTP 400" in line and "SPARQL compiler, line 1" in line   # the user's line, not ours
    line = _one_line_error(kgraph("query", "administrations", "--endpoint", store.gsp.replace("-auth", "")))
    assert "HTTP 406" in line or "SPARQL JSON" in line


def test_a_rejected_upload_leaves_the_previous_version_in_place(store, published, kg, monkeypatch):
    import kgraph.publish as pub

    good = pub._payload

    def broken(g):
        payload, n = good(g)
        return (b"this is not RDF <" if g is kg.asserted else payload), n

    monkeypatch.setattr(pub, "_payload", broken)
    before = marker(store)
    with pytest.raises(pub.KgraphError) as err:
        pub.publish(kg, store=store.gsp, update=None, user="dba", password="dba", auth="digest",
                    dataset=DATASET)
    msg = str(err.value)
    assert "the store rejected the asserted part (HTTP 500)" in msg and "\n" not in msg
    assert "the previous version is still in place" in msg
    counts = graph_counts(store)
    assert set(counts) == set(PARTS) | {"void"}                      # staging graphs dropped
    assert {k: counts[k] for k in PARTS} == expected_counts(kg)
    assert marker(store) == before


def test_a_failure_after_the_swap_leaves_no_completion_marker(store, published, kg, monkeypatch):
    import kgraph.publish as pub

    real_put = pub._Store.put

    def put(self, iri, payload, what):
        if iri.endswith("/void"):
            raise pub.KgraphError("simulated failure while writing the marker")
        return real_put(self, iri, payload, what)

    monkeypatch.setattr(pub._Store, "put", put)
    with pytest.raises(pub.KgraphError, match="no completion marker until the next publish"):
        pub.publish(kg, store=store.gsp, update=None, user="dba", password="dba", auth="digest",
                    dataset=DATASET)
    assert marker(store) == []
    assert set(graph_counts(store)) == set(PARTS)                    # new graphs, no staging, no void
    monkeypatch.undo()
    report = pub.publish(kg, store=store.gsp, update=None, user="dba", password="dba", auth="digest",
                         dataset=DATASET)
    assert "completion marker" in report and len(marker(store)) == 1


def test_the_helper_deletes_its_folder(tmp_path, kg):
    require(available() is not None,
            "needs Debian's virtuoso-opensource: apt-get install virtuoso-opensource")
    folder = tmp_path / "v"
    with Virtuoso(folder) as v:
        assert (folder / "virtuoso.ini").is_file()
        assert f"127.0.0.1:{v.http_port}" in (folder / "virtuoso.ini").read_text()
        proc = v.proc
    assert proc is not None and proc.poll() is not None
    assert not folder.exists()


# --- durability: Virtuoso killed at fixed points of a publish --------------------------------------

KILL_POINTS = ("before", "uploaded", "loaded", "durable", "marked")


def _version(kg, n: int):
    """A small stand-in for a built graph: the ontology and the first ``n`` asserted triples."""
    from types import SimpleNamespace

    from rdflib import BNode, Graph

    def ground(triples):   # no blank nodes: a cut through a blank-node structure is slow to canonicalise
        return sorted(t for t in triples if not any(isinstance(x, BNode) for x in t))

    asserted = Graph()
    for t in ground(kg.asserted)[:n]:
        asserted.add(t)
    derived = Graph()
    for t in ground(kg.derived)[: n // 10]:
        derived.add(t)
    return SimpleNamespace(ontology=kg.ontology, asserted=asserted, inferred=Graph(), derived=derived)


def test_a_crash_at_any_point_leaves_a_complete_version_or_says_incomplete(tmp_path, kg, monkeypatch):
    import kgraph.publish as pub

    require(available() is not None,
            "needs Debian's virtuoso-opensource: apt-get install virtuoso-opensource")
    old, new = _version(kg, 300), _version(kg, 600)
    sizes = {id(v): {name: len(set(getattr(v, name))) for name in PARTS} for v in (old, new)}
    outcomes = {}
    with Virtuoso(tmp_path / "v") as v:
        def run(version):
            return pub.publish(version, store=v.gsp, update=None, user="dba", password="dba",
                               auth="digest", dataset=DATASET)

        def check():
            return pub.verify(store=v.gsp, update=None, user="dba", password="dba", auth="digest",
                              dataset=DATASET)

        for point in KILL_POINTS:
            run(old)
            assert check()[0]
            monkeypatch.setattr(pub, "_hook", lambda at, point=point: v.kill() if at == point else None)
            try:
                run(new)
            except pub.KgraphError:
                pass   # the store died under it
            monkeypatch.undo()
            assert v.proc is None   # it was killed
            v.start()               # same database folder: Virtuoso recovers from its files and log
            complete, text = check()
            counts = graph_counts(v) if complete else {}
            live = {k: counts.get(k, 0) for k in PARTS}
            if complete:
                assert live in (sizes[id(old)], sizes[id(new)]), (point, live)
                outcomes[point] = "old" if live == sizes[id(old)] else "new"
            else:
                assert text.startswith("incomplete"), text
                outcomes[point] = "incomplete"
            r = publish_cli(v, "--verify")
            assert r.returncode == (0 if complete else 1) and r.stdout.split(":")[0] in (
                "complete", "incomplete"), r.stdout + r.stderr
    print("outcomes by kill point:", outcomes)
    # Killed before anything changed: the old version; once the marker is durable: the new one.
    assert outcomes["before"] == "old" and outcomes["uploaded"] == "old"
    assert outcomes["marked"] == "new"
    assert set(outcomes.values()) <= {"old", "new", "incomplete"}


def test_publish_reports_durability_and_verify_says_complete(store, published):
    assert "made durable by Virtuoso checkpoint" in published
    r = publish_cli(store, "--verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("complete: <https://w3id.org/defdip/dataset>")
    assert "counts and checksums match" in r.stdout


# --- the ad-hoc corpus: the same rows on Virtuoso as through every local door -------------------

def _with_from(query: str) -> str:
    """The query with FROM clauses naming the four published parts: the default graph
    is then their merge, as the local store's default graph is the union of its parts."""
    froms = " ".join(f"FROM <{part_graph(part, DATASET)}>" for part in PARTS) + " "
    head = re.compile(r"\bWHERE\b" if re.search(r"\bWHERE\b", query, re.IGNORECASE) else r"\{",
                      re.IGNORECASE)
    return head.sub(lambda m: froms + m[0], query, count=1)


def _adhoc() -> list[Any]:
    from tests.adhoc_queries import QUERIES

    return [pytest.param(q, id=n) for n, q, _ in QUERIES]


@pytest.mark.parametrize("query", _adhoc())
def test_adhoc_query_gives_the_same_rows_on_virtuoso(store, published, kg, query):
    from tests.adhoc_queries import ordered

    remote = remote_query(store.sparql, _with_from(query))
    if query.lstrip().upper().startswith("ASK"):
        assert bool(remote.askAnswer) is kg.ox.query(query).answer
        return
    local = kg.ox.select(query, labels=False)
    assert [str(v) for v in remote.vars] == local.columns
    norm = _normaliser(query)
    here = [tuple(norm(v) for v in row) for row in local.rows]
    there = [tuple(norm(python_value(v)) for v in row) for row in remote]
    if ordered(query):
        assert here == there
    else:
        assert Counter(here) == Counter(there), (f"only local: {list((Counter(here) - Counter(there)).elements())[:3]}\n"
                                                 f"only on Virtuoso: {list((Counter(there) - Counter(here)).elements())[:3]}")
