"""The static site (`kgraph site`): every resource has a page and data files
that hold exactly its triples plus the labels of what it links to, no internal
link is broken, pages show the report's values at their printed precision, the
build is byte-identical from one run to the next, and in a real browser a page
shows its Japanese label and an index filters its rows with no request leaving
the machine."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import RDFS, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from tests.browser import offline_page

BASE = "https://w3id.org/defdip/id/"
DD = "https://w3id.org/defdip/ontology#"
PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}


@pytest.fixture(scope="module")
def site(kg, tmp_path_factory) -> Path:
    from kgraph.site.build import write_site

    out = tmp_path_factory.mktemp("site") / "site"
    write_site(kg, out, notebooks=False, progress=False)
    return out


@pytest.fixture(scope="module")
def resources(graph) -> list[URIRef]:
    return sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(BASE)})


def expected(graph: Graph, r: URIRef) -> Graph:
    """The oracle for a resource's data file, written apart from the site's code: its
    triples, the blank nodes they reach, and the labels of the IRIs they point to."""
    g = Graph()
    todo: list = [r]
    seen = set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for t in graph.triples((s, None, None)):
            g.add(t)
            if isinstance(t[2], BNode):
                todo.append(t[2])
    for o in {o for o in g.objects() if isinstance(o, URIRef) and o != r}:
        for p in (RDFS.label, PREF):
            for lab in graph.objects(o, p):
                g.add((o, p, lab))
    return g


def text_of(path: Path) -> str:
    """The page's visible text, whitespace collapsed."""
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    p = P()
    p.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", " ".join(p.parts))


def section(path: Path, anchor: str) -> str:
    """The HTML from the heading with id ``anchor`` to the next h2."""
    html = path.read_text(encoding="utf-8")
    start = html.index(f'id="{anchor}"')
    end = html.find("<h2", start)
    return html[start:end if end > 0 else None]


# --- Links and coverage ------------------------------------------------------------------

def test_no_broken_internal_link(site, graph):
    from kgraph.site.linkcheck import check

    problems = check(site)
    assert [str(p) for p in problems if p.kind != "external"] == []
    # Links that leave the pages of resources, classes and the ontology are the graph's own
    # (exactMatch, sources), never a script or a font.  (Credits on the SPARQL page, say, are its own.)
    mine = ("id/", "class/", "ontology/", "index.html")
    outside = {p.link for p in problems if p.kind == "external" and p.page.startswith(mine)}
    in_graph = {str(o) for o in graph.objects() if isinstance(o, URIRef)} | {
        str(o) for o in graph.objects() if isinstance(o, Literal)}
    assert outside and outside <= in_graph, sorted(outside - in_graph)[:5]
    assert not any(p.page.startswith(("assets", "class")) for p in problems)


def test_link_checker_finds_broken_links_and_anchors(tmp_path):
    from kgraph.site.linkcheck import check

    (tmp_path / "id").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="id/x.html">x</a><a href="id/y.html">y</a><a href="#top">t</a>'
        '<a href="id/x.html#here">h</a><a href="/abs.html">a</a><img src="pic.png">'
        '<a href="https://w3id.org/defdip/id/country/JPN">own IRI</a>')
    # nbconvert writes percent-encoded heading ids; a browser matches the fragment as written.
    (tmp_path / "id" / "x.html").write_text('<h1 id="there">x</h1><a href="../index.html">up</a>'
                                            '<h2 id="5.-The-%25%25magic">m</h2><a href="#5.-The-%25%25magic">m</a>'
                                            '<a href="#there">t</a>')
    got = {(p.page, p.link, p.kind) for p in check(tmp_path)}
    assert got == {("index.html", "id/y.html", "missing"), ("index.html", "#top", "anchor"),
                   ("index.html", "id/x.html#here", "anchor"), ("index.html", "/abs.html", "missing"),
                   ("index.html", "pic.png", "missing")}


def test_every_resource_has_a_page_and_data_files(site, resources):
    assert len(resources) > 1000
    missing = [str(r) for r in resources for suffix in ("html", "ttl", "nt", "jsonld", "rdf")
               if not (site / "id" / f"{str(r)[len(BASE):]}.{suffix}").is_file()]
    assert missing == []
    # ... and no page for anything else.
    pages = {p.relative_to(site / "id").with_suffix("").as_posix() for p in (site / "id").rglob("*.html")}
    assert pages == {str(r)[len(BASE):] for r in resources}


def test_every_data_file_reimports_as_the_resources_triples(site, graph, resources):
    """pyoxigraph reads every file of every resource; rdflib every format of one
    resource in seven (and every resource with blank nodes)."""
    import pyoxigraph as ox

    from kgraph.terms import to_rdflib

    ox_formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML}
    def same(got: Graph, want: Graph, has_bnodes: bool) -> bool:
        # Without blank nodes, isomorphic means the same set of triples (and is much faster to tell).
        return isomorphic(got, want) if has_bnodes else set(got) == set(want)

    wrong = []
    with_bnodes = 0
    for i, r in enumerate(resources):
        want = expected(graph, r)
        has_bnodes = any(isinstance(t, BNode) for tr in want for t in tr)
        with_bnodes += has_bnodes
        stem = site / "id" / str(r)[len(BASE):]
        for suffix, fmt in ox_formats.items():
            got = Graph()
            for t in ox.parse(path=str(stem) + "." + suffix, format=fmt):
                got.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            if not same(got, want, has_bnodes):
                wrong.append(f"pyoxigraph {r} .{suffix}")
            if i % 7 == 0 or has_bnodes:
                got = Graph().parse(str(stem) + "." + suffix, format=FORMATS[suffix])
                if not same(got, want, has_bnodes):
                    wrong.append(f"rdflib {r} .{suffix}")
    assert wrong == []
    assert with_bnodes >= 10   # the white papers' ordered lists of neighbours


def test_data_files_link_labels_of_what_they_point_to(site):
    text = (site / "id/agreement/gsomia-JPN.ttl").read_text(encoding="utf-8")
    assert 'rdfs:label "Japan"@en' in text
    assert "adm:park-geun-hye" in text and "朴槿恵政権" in text


# --- What pages show ---------------------------------------------------------------------

def test_gsomia_page_shows_its_dates_and_administration(site):
    page = site / "id/agreement/gsomia-JPN.html"
    dates = section(page, "dates")
    assert "<dt>signed on</dt><dd class=\"date\">2016-11-23</dd>" in dates
    adm = section(page, "administration")
    assert 'href="../administration/park-geun-hye.html">Park Geun-hye administration</a>' in adm
    prov = section(page, "provenance")
    assert 'href="../source/appendix-4.html"' in prov
    text = text_of(page)
    assert "大韓民国政府と日本国政府間の軍事秘密情報の保護に関する協定" in text
    assert "韓国外交部ホームページ「条約情報」" in text   # the table's underlying source


def test_a_date_printed_to_the_month_is_shown_to_the_month(site, sel):
    # Germany, the first defence cooperation agreement: printed "1994-05".
    [(agr,)] = sel("SELECT ?a WHERE { ?a a dd:DefenseCooperationAgreement ; dd:partner country:DEU ; "
                   "dd:signedOnAsPrinted ?d }")
    page = site / "id" / "agreement" / f"{agr.split(':')[1]}.html"
    dates = section(page, "dates")
    assert '<dt>signed on</dt><dd class="date">1994-05</dd>' in dates
    props = section(page, "properties")
    # dd:signedOn (its first possible day) shows at the printed precision, the bound stays a day.
    assert re.search(r'#signedOn">signed on</a>.*?<td><span>1994-05</span>', props)
    assert re.search(r'#signedOnEarliest">.*?<td><span>1994-05-01</span>', props)


def test_usa_page_lists_its_incoming_ties(site, sel):
    ties = {t for (t,) in sel("SELECT ?t WHERE { ?t dd:tiePartner country:USA }")}
    assert len(ties) >= 10
    incoming = section(site / "id/country/USA.html", "incoming")
    linked = set(re.findall(r'href="\.\./tie/([^"]+)\.html"', incoming))
    assert len(linked) == len(ties)
    assert "agreement/gsomia-USA/country/USA" in linked or any("country/USA" in t for t in linked)


def test_attache_office_of_the_1990s_shows_its_decade(site):
    page = site / "id/attache-office/CHN-in-kor.html"
    assert '<dt>period</dt><dd class="date">1990s</dd>' in section(page, "dates")
    assert "在韓国中国武官部" in text_of(page)
    # The index shows the decade too, and sorts it by its first possible day.
    idx = (site / "class/AttacheOffice.html").read_text(encoding="utf-8")
    assert '<td data-sort="1990-01-01/1999-12-31">' in idx


def test_country_page_keeps_each_language_apart(site):
    html = (site / "id/country/USA.html").read_text(encoding="utf-8")
    assert '<h1 lang="en" class="label-en">United States</h1>' in html
    assert '<p lang="ja" class="label-ja">米国</p>' in html
    assert '<p lang="ko" class="label-ko">미국</p>' in html


def test_ontology_page_has_an_anchor_per_term_one_language_per_line(site, graph):
    html = (site / "ontology/index.html").read_text(encoding="utf-8")
    used = {str(t)[len(DD):] for tr in graph for t in tr if isinstance(t, URIRef) and str(t).startswith(DD)}
    anchors = set(re.findall(r'<section class="term" id="([^"]+)"', html))
    assert used <= anchors
    m = re.search(r'<section class="term" id="Agreement">\s*<h3 lang="en">agreement</h3>\s*'
                  r'<p lang="ja" class="label-ja">協定</p>', html)
    assert m, "the English and Japanese labels of dd:Agreement each on a line of their own"
    # No heading glues languages together ("agreement協定"): an English heading holds no Japanese.
    english = re.findall(r'<h[13] lang="en">([^<]*)</h[13]>', html)
    assert len(english) > 150
    assert [h for h in english if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", h)] == []
    assert "ddsh:" in section(site / "ontology/index.html", "classes")   # shapes named
    for suffix, fmt in FORMATS.items():
        assert len(Graph().parse(site / f"ontology/ontology.{suffix}", format=fmt)) > 1000


def test_home_page_counts_from_the_graph(site, kg, resources):
    home = text_of(site / "index.html")
    assert f"{len(resources)} resources with a page" in home
    assert f"{sum(kg.sizes.values())} triples" in home
    assert "CC BY 4.0" in home and "MIT" in home and "cff-version" in home
    assert re.search(r"Coverage: records dated from 1\d\d\d to 20\d\d", home)
    assert (site / "dump/void.ttl").is_file() and (site / "network/index.html").is_file()
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "Agreement.html" in html
    # The codebook (kgraph.codebook) is part of the site, linked from every page's bar.
    assert (site / "codebook/index.html").is_file() and (site / "codebook/codebook.md").is_file()
    assert 'href="codebook/index.html"' in html
    assert 'href="../../codebook/index.html">Codebook</a>' in (site / "id/country/JPN.html").read_text(
        encoding="utf-8")
    # So are the in-browser SPARQL page and the redirect rules for the IRIs (kgraph.site.sparql, .conneg).
    assert (site / "sparql/index.html").is_file() and 'href="sparql/index.html"' in html
    assert (site / ".htaccess").is_file() and (site / "nginx.conf").is_file()


def test_files_are_world_readable(site):
    modes = {oct(p.stat().st_mode & 0o777) for p in site.rglob("*") if p.is_file()}
    assert modes == {"0o644"}


# --- Whole output sets and determinism ----------------------------------------------------

def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cli_rebuild_is_byte_identical(site, tmp_path, capsys):
    from kgraph.cli import main

    out = tmp_path / "again"
    assert main(["site", "--out", str(out), "--no-notebooks"]) == 0
    assert "pages" in capsys.readouterr().out
    assert _digests(out) == _digests(site)


def test_a_failed_build_leaves_the_previous_site(kg, tmp_path, monkeypatch):
    from kgraph.errors import KgraphError
    from kgraph.site import build as site_build

    out = tmp_path / "site"
    (out).mkdir()
    monkeypatch.setattr(site_build, "write_resources", lambda *a: [])
    site_build.write_site(kg, out, notebooks=False, progress=False)
    before = _digests(out)

    def boom(*a):
        raise KgraphError("stopped half-way")

    monkeypatch.setattr(site_build, "write_network", boom)
    with pytest.raises(KgraphError):
        site_build.write_site(kg, out, notebooks=False, progress=False)
    assert _digests(out) == before


def test_bad_base_url_is_refused(kg, tmp_path):
    from kgraph.errors import KgraphError
    from kgraph.site.build import write_site

    with pytest.raises(KgraphError, match="base_url"):
        write_site(kg, tmp_path / "s", base_url="ftp://example.org/", notebooks=False)


# --- Notebooks (one small one: executing them all is the slow part) -----------------------

NOTEBOOK = '''# %% [markdown]
# # Agreements in the graph
#
# **The question:** how many agreements?

# %%
import kgraph

kg = kgraph.load()
rows = kg.ox.select("SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement }").rows
print("agreements in all:", rows[0][0])

# %%
import socket

try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
except OSError as exc:
    print("offline:", "nothing may leave the machine" in str(exc))
'''


def test_a_notebook_is_executed_and_rendered(kg, tmp_path, capfd):
    from kgraph.site.notebooks import render as run
    from kgraph.site.render import render

    src = tmp_path / "01-count.py"
    src.write_text(NOTEBOOK, encoding="utf-8")
    nb = run(src, timeout=300)
    assert nb.title == "Agreements in the graph"
    assert "agreements in all: 117" in nb.body
    assert "_loopback_only" not in nb.body   # the offline guard ran, and is not shown
    assert "offline: True" in nb.body
    assert "WARNING" not in capfd.readouterr().err
    page = render("notebook.html", "notebooks/01-count.html", nb=nb, title=nb.title, canonical=None,
                  sections={"Home": "index.html"})
    assert "<script src=" not in page and "cdn" not in page.lower()
    assert 'href="../index.html"' in page


# --- In a real browser ------------------------------------------------------------------------

def _open(browser, path: Path, external: list[str]):
    return offline_page(browser, path.as_uri(), external, viewport=(1200, 900))


def test_country_page_shows_its_japanese_label_in_a_browser(browser, site):
    external: list[str] = []
    page = _open(browser, site / "id/country/JPN.html", external)
    ja = page.locator("p.label-ja")
    assert ja.is_visible()
    assert ja.inner_text() == "日本"
    assert ja.get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == "Japan"
    # The stylesheet loaded from the site (relative link from file://).
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor") \
        == "rgb(23, 50, 77)"
    assert external == [] and page.errors == []


def test_index_page_filters_and_sorts_in_a_browser(browser, site):
    external: list[str] = []
    page = _open(browser, site / "class/AttacheOffice.html", external)
    rows = page.locator("table.index tbody tr")
    total = rows.count()
    assert total == 27
    page.fill("input.filter", "1990s")
    visible = page.locator("table.index tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert all("1990s" in t for t in visible.all_inner_texts())
    assert page.locator("#shown").inner_text() == str(visible.count())
    page.fill("input.filter", "")
    page.click("th:has-text('date')")
    first = page.locator("table.index tbody tr").first.inner_text()
    assert "1940s" in first
    assert external == [] and page.errors == []


def test_base_url_gives_each_page_its_canonical_address(kg, tmp_path):
    from kgraph.site.build import write_resources
    from kgraph.site.resources import collect

    sg = collect(kg)
    sg.resources = [URIRef(BASE + "agreement/gsomia-JPN")]
    write_resources(sg, tmp_path, {}, "https://example.org/defdip")
    html = (tmp_path / "id/agreement/gsomia-JPN.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/defdip/id/agreement/gsomia-JPN.html">' in html


ODD_IRIS = '''@prefix dd: <https://w3id.org/defdip/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/defdip/id/country/C%C3%B4te-d-Ivoire> a dd:Country ;
    rdfs:label "Côte d'Ivoire"@en , "コートジボワール"@ja .
<https://w3id.org/defdip/id/organization/Ünion> a dd:Organization ;
    rdfs:label "Union with an umlaut"@en .
<https://w3id.org/defdip/id/event/a%20b#c> a dd:Event ; rdfs:label "spaces & a hash"@en ;
    dd:location <https://w3id.org/defdip/id/country/C%C3%B4te-d-Ivoire> ;
    dd:relatedTo <https://w3id.org/defdip/id/organization/Ünion> .
'''


def test_iris_with_escapes_unicode_and_hashes_get_pages_that_link(tmp_path):
    """A graph of one's own may name resources with any IRI: each gets a file named
    as a web server would map its path, and links to it resolve."""
    from kgraph.build import build
    from kgraph.site.build import write_resources
    from kgraph.site.linkcheck import check
    from kgraph.site.resources import collect

    data = tmp_path / "odd.ttl"
    data.write_text(ODD_IRIS, encoding="utf-8")
    sg = collect(build([data], progress=False))
    root = tmp_path / "site"
    write_resources(sg, root, {})
    for name in ("country/Côte-d-Ivoire", "organization/Ünion", "event/a b#c"):
        assert (root / "id" / f"{name}.html").is_file(), name
        for suffix in ("ttl", "nt", "jsonld", "rdf"):
            assert (root / "id" / f"{name}.{suffix}").is_file()
    # Only the resource pages are written here (no ontology page, no stylesheet).
    assert [str(p) for p in check(root, external=False)
            if not any(k in p.link for k in ("ontology/", "assets/"))] == []
    assert 'href="../event/a%20b%23c.html"' in (root / "id/country/Côte-d-Ivoire.html").read_text(
        encoding="utf-8")
    html = (root / "id/event/a b#c.html").read_text(encoding="utf-8")
    assert 'href="../country/C%C3%B4te-d-Ivoire.html"' in html
    g = Graph().parse(root / "id/event/a b#c.ttl", format="turtle")
    assert (URIRef(BASE + "event/a%20b#c"), RDFS.label, Literal("spaces & a hash", lang="en")) in g
