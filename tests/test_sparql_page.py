"""The site's in-browser SPARQL page (Oxigraph WebAssembly + YASGUI, no server), opened
from file:// in Debian's Chromium through Playwright with every non-file request
refused: it loads the whole dataset and answers named queries with the same rows as
`kgraph query`, through YASGUI's own request path, without one external request."""

from __future__ import annotations

import gzip
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.browser import LOCAL, offline_page

READY = "document.body.dataset.ready !== '0'"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: Three named queries with IRIs, counts, decimals, dates and unbound values.
QUERIES = ["deployments-per-administration", "agreements-per-year", "arms-sales-by-buyer"]


@pytest.fixture(scope="module")
def site(kg, tmp_path_factory) -> Path:
    from kgraph.site.sparql import write_sparql_page

    out = tmp_path_factory.mktemp("site")
    write_sparql_page(out / "sparql", None, kg=kg)
    return out


@pytest.fixture(scope="module")
def loaded(browser, site):
    external: list[str] = []
    page = offline_page(browser, (site / "sparql" / "index.html").as_uri(), external,
                        allowed=(*LOCAL, "blob:"))
    errors = page.errors
    page.wait_for_function(READY, timeout=60_000)
    yield page, external, errors
    page.close()


def test_page_files(site):
    names = sorted(p.name for p in (site / "sparql").iterdir())
    assert names == ["LICENSE-oxigraph.txt", "LICENSE-yasgui.txt", "data.js", "index.html", "oxigraph.js",
                     "sparql.css", "sparql.js", "yasgui.min.css", "yasgui.min.js"]
    html = (site / "sparql" / "index.html").read_text(encoding="utf-8")
    # Scripts, stylesheets and links all stay beside the page.
    assert not re.search(r"""(src|href)=["']?([a-z]+:)?//""", html)
    assert "Which agreements has Korea signed with whom" in html   # a named query's question
    assert "MIT" in (site / "sparql" / "LICENSE-oxigraph.txt").read_text(encoding="utf-8")


def test_page_is_deterministic_and_takes_a_dump(kg, site, tmp_path):
    from kgraph.site.sparql import write_sparql_page

    dump = tmp_path / "dump.nq.gz"
    dump.write_bytes(gzip.compress(Path(kg.artifact).read_bytes().split(b"\n", 1)[1]))
    write_sparql_page(tmp_path / "sparql", dump)
    for name in ("data.js", "oxigraph.js", "index.html"):
        assert (tmp_path / "sparql" / name).read_bytes() == (site / "sparql" / name).read_bytes(), name


def test_bad_dump_is_one_clear_error(tmp_path):
    from kgraph.errors import KgraphError
    from kgraph.site.sparql import write_sparql_page

    bad = tmp_path / "dump.nq.gz"
    bad.write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(KgraphError, match="cannot read the N-Quads dump"):
        write_sparql_page(tmp_path / "sparql", bad)
    assert not (tmp_path / "sparql").exists()


def test_store_holds_the_whole_graph(loaded, kg):
    page, external, errors = loaded
    assert page.evaluate("document.body.dataset.ready") == "1", page.inner_text("#status")
    assert errors == [] and external == []
    from kgraph import artifact

    size = page.evaluate("kgraphSparql.ready.then((s) => s.size)")
    assert size == sum(artifact.read(Path(kg.artifact)).sizes.values())
    # The union of the named graphs is the default graph: ontology terms and records meet.
    ask = page.evaluate("kgraphSparql.select('ASK { country:USA skos:prefLabel \"United States\"@en ; a dd:Country }')")
    assert ask["boolean"] is True


def _py(term: dict | None):
    """A SPARQL JSON term as the Python value `kgraph.query(..., labels=False)` gives."""
    if term is None:
        return None
    if term["type"] == "uri":
        return term["value"]
    dt = term.get("datatype", "")
    if dt in (XSD + "integer", XSD + "decimal", XSD + "double", XSD + "float", XSD + "int", XSD + "long"):
        return float(term["value"])
    if dt in (XSD + "date", XSD + "dateTime"):
        return pd.Timestamp(term["value"][:10])
    return term["value"]


def _norm(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return pd.Timestamp(value.date())
    return value


@pytest.mark.parametrize("name", QUERIES)
def test_named_query_gives_the_rows_of_kgraph_query(loaded, kg, name):
    import kgraph

    page, external, errors = loaded
    expected = kgraph.query(name, labels=False, kg=kg)
    assert len(expected) > 0
    # Through YASGUI: choose the example, press its query button, read what YASR received.
    page.select_option("#examples", name)
    page.evaluate("() => { window.__answered = false; const t = kgraphSparql.yasgui.getTab();"
                  " t.getYasr().once('drawn', () => { window.__answered = true; }); t.getYasqe().query(); }")
    page.wait_for_function("window.__answered === true", timeout=30_000)
    shown = page.evaluate("kgraphSparql.yasgui.getTab().getYasr().results.getBindings()")
    variables = page.evaluate("kgraphSparql.yasgui.getTab().getYasr().results.getVariables()")
    assert variables == list(expected.columns)
    got = [tuple(_py(row.get(v)) for v in variables) for row in shown]
    want = [tuple(_norm(v) for v in row) for row in expected.itertuples(index=False)]
    assert got == want
    # The table on screen has every row (fewer than a page of 50).
    rows = page.locator(".yasr table.dataTable tbody tr").count()
    assert rows == len(expected)
    assert external == [] and errors == []


def test_report_values_in_the_browser(loaded):
    page = loaded[0]
    # 図表13: Turkey bought 280 K-9 howitzers (2001), with the prefixes predeclared.
    res = page.evaluate("kgraphSparql.select('SELECT ?buyer ?quantity WHERE "
                        "{ sale:k9-TUR dd:buyer ?buyer ; dd:quantity ?quantity }')")
    assert [(b["buyer"]["value"], b["quantity"]["value"]) for b in res["results"]["bindings"]] == [
        ("https://w3id.org/defdip/id/country/TUR", "280")]
    # CONSTRUCT comes back as Turtle.
    turtle = page.evaluate("""fetch(new URL('in-browser-sparql', location.href).href, {method: 'POST',
        headers: {Accept: 'text/turtle'}, body: new URLSearchParams({query:
        'CONSTRUCT { sale:k9-TUR dd:quantity ?q } WHERE { sale:k9-TUR dd:quantity ?q }'})}).then(r => r.text())""")
    from rdflib import Graph, URIRef

    g = Graph().parse(data=turtle, format="turtle")
    assert [int(o) for o in g.objects(URIRef("https://w3id.org/defdip/id/sale/k9-TUR"), None)] == [280]


def test_table_shows_labels_in_the_chosen_language(loaded):
    page = loaded[0]
    page.select_option("#examples", "deployments-per-administration")
    page.evaluate("() => { window.__answered = false; const t = kgraphSparql.yasgui.getTab();"
                  " t.getYasr().once('drawn', () => { window.__answered = true; }); t.getYasqe().query(); }")
    page.wait_for_function("window.__answered === true", timeout=30_000)
    first = page.locator(".yasr table.dataTable tbody tr").first
    # 資料2 under Roh Moo-hyun: the most deployments (17), shown by its label, not its IRI.
    assert "Roh Moo-hyun administration" in first.inner_text()
    for lang, label in (("ja", "盧武鉉政権"), ("ko", "노무현 정부")):
        page.evaluate("() => { window.__answered = false;"
                      " kgraphSparql.yasgui.getTab().getYasr().once('drawn', () => { window.__answered = true; }); }")
        page.select_option("#lang", lang)
        page.wait_for_function("window.__answered === true", timeout=30_000)
        assert label in page.locator(".yasr table.dataTable tbody tr").first.inner_text()
    page.select_option("#lang", "en")


def test_page_works_from_a_static_host(browser, site, kg):
    """The same files from a plain web server (Python's, on loopback): nothing but the
    page's own files is requested."""
    import functools
    import http.server
    import threading

    import kgraph

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    requested: list[str] = []
    page = browser.new_page()
    try:
        def route(r):
            requested.append(r.request.url)
            if r.request.url.startswith(origin):
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.goto(origin + "sparql/index.html")
        page.wait_for_function(READY, timeout=60_000)
        assert page.evaluate("document.body.dataset.ready") == "1"
        first = kgraph.named_queries()[0]
        res = page.evaluate("(q) => kgraphSparql.select(q)", first.text)
        assert len(res["results"]["bindings"]) == len(kgraph.query(first.name, kg=kg)) > 0
        assert all(u.startswith(origin + "sparql/") for u in requested), requested
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_the_page_runs_the_release_line_of_the_python_engine():
    # One engine: the in-browser store and `kgraph query` are Oxigraph of one release line
    # (pyproject pins pyoxigraph to it); a bump of either must bump the other.
    import pyoxigraph

    from kgraph.site.sparql import OXIGRAPH_VERSION

    assert OXIGRAPH_VERSION.split(".")[:2] == pyoxigraph.__version__.split(".")[:2] == ["0", "5"]


def test_page_names_the_graphs_the_store_holds(site):
    # The page's own words about the default graph follow the one definition of the names.
    from kgraph.prefixes import PART_GRAPHS

    html = (site / "sparql" / "index.html").read_text(encoding="utf-8")
    assert f"<code>{PART_GRAPHS['ontology']}</code>" in html and "{{ontology_graph}}" not in html
