"""The network page in a real browser (Debian's Chromium through Playwright,
headless, every non-file request blocked): in every view the page draws the
projection's nodes and edges (parallel edges included), tooltips show, a
country keeps its colour, and no label can break the page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.browser import offline_page

C = "https://w3id.org/defdip/id/country/"
USA, KOR = C + "USA", C + "KOR"
READY = "document.body.dataset.ready === '1'"


@pytest.fixture(scope="module")
def page_file(kg, tmp_path_factory) -> Path:
    from kgraph.viz import write_network_page

    return write_network_page(kg, tmp_path_factory.mktemp("page"), lang="ja")


def _open(browser, url: str, external: list[str]):
    """A page on which every request that is not a local file is refused and noted."""
    return offline_page(browser, url, external)


def _show(page, key: str) -> None:
    page.evaluate(f"kgraph.show({key!r})")
    page.wait_for_function(READY, timeout=30_000)


def _edge_multiset(g) -> Counter:
    if g.is_multigraph():
        return Counter((*sorted((a, b)), str(k)) for a, b, k in g.edges(keys=True))
    return Counter((*sorted((a, b)), None) for a, b in g.edges())


@pytest.fixture(scope="module")
def loaded(browser, page_file):
    external: list[str] = []
    page = _open(browser, page_file.as_uri(), external)
    page.wait_for_function(READY, timeout=30_000)
    yield page, external
    page.close()


def test_page_is_self_contained_utf8(page_file):
    text = page_file.read_bytes().decode("utf-8")
    assert "フィリピン" in text and "필리핀" in text   # Japanese labels, Korean in tooltips
    for bad in ('src="http', "href=\"http", "cdn.", "@import"):
        assert bad not in text
    assert "vis-tooltip" in text   # vis-network's own CSS, without which tooltips stay off-screen


def test_every_view_draws_the_projection(loaded, kg):
    from kgraph import network

    page, external = loaded
    keys = page.evaluate("kgraph.views")
    assert {k.split("|")[0] for k in keys} == {"ego", "multiplex", "partners", "bipartite"}
    assert "multiplex|moon-jae-in" in keys and "partners|lee-myung-bak" in keys
    colours: dict[str, set[str]] = {USA: set(), KOR: set()}
    for key in keys:
        proj, slice_ = key.split("|")
        g = network.projection(kg, proj, administration=None if slice_ == "all" else slice_)
        page.evaluate(f"kgraph.show({key!r}, {{layout: false}})")
        assert page.evaluate("Object.keys(kgraph.network.getPositions()).length") == len(g), key
        nodes = page.evaluate("kgraph.nodes.get().map(n => [n.id, n.label, n.color])")
        edges = page.evaluate("kgraph.edges.get().map(e => [e.from, e.to, e.key || null])")
        assert {n for n, _, _ in nodes} == set(g.nodes), key
        assert Counter((*sorted((a, b)), k) for a, b, k in edges) == _edge_multiset(g), key
        # Real labels on every node: never an IRI or a slug of one.
        for n, label, colour in nodes:
            assert label and not label.startswith("http") and label != n.rsplit("/", 1)[-1], (key, n)
            if n in colours:
                colours[n].add(colour)
    # All 194 ties of kinds with the US and the others: the multiplex view drops none.
    m = network.projection(kg, "multiplex")
    page.evaluate("kgraph.show('multiplex|all', {layout: false})")
    assert page.evaluate("kgraph.edges.length") == m.number_of_edges() == 194
    curved = page.evaluate("kgraph.edges.get().filter(e => e.from.endsWith('/KOR') && "
                           "e.to.endsWith('/USA') || e.to.endsWith('/KOR') && e.from.endsWith('/USA'))"
                           ".map(e => e.smooth && e.smooth.roundness + e.smooth.type)")
    assert len(curved) == 6 and len(set(curved)) == 6   # six kinds, six different curves
    # One colour per country in every view.
    assert all(len(c) == 1 for c in colours.values()), colours
    assert external == [] and page.errors == []


def test_tooltips_show_and_labels_are_readable(loaded):
    page, external = loaded
    _show(page, "ego|all")
    assert page.evaluate("kgraph.fontSize * kgraph.network.getScale()") >= 10
    assert page.evaluate("document.querySelector('h1').textContent").startswith("韓国の防衛外交")
    box = page.locator("#graph").bounding_box()
    # Hover the United States.
    pos = page.evaluate(f"(() => {{ var n = kgraph.network; "
                        f"return n.canvasToDOM(n.getPositions([{USA!r}])[{USA!r}]); }})()")
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.inner_text()
    assert "United States" in text and "記録" in text and "Cobra Gold" in text
    b = tip.bounding_box()
    assert b and 0 <= b["x"] < 1400 and 0 <= b["y"] < 900 and b["width"] > 50
    page.mouse.move(5, 5)
    page.wait_for_timeout(200)
    # Hover an edge at a point where no node sits.
    point = page.evaluate("""(() => { var n = kgraph.network, ids = kgraph.edges.getIds();
        for (var i = 0; i < ids.length; i++) { var e = kgraph.edges.get(ids[i]);
          var p = n.getPositions([e.from, e.to]);
          var q = n.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2});
          if (n.getEdgeAt(q) === ids[i] && n.getNodeAt(q) === undefined) return [q, e.to]; }
        return null; })()""")
    assert point is not None
    page.mouse.move(box["x"] + point[0]["x"], box["y"] + point[0]["y"])
    tip.wait_for(state="visible", timeout=5_000)
    assert "記録:" in tip.inner_text()
    b = tip.bounding_box()
    assert b and 0 <= b["x"] < 1400 and 0 <= b["y"] < 900
    assert external == []


def test_a_hostile_label_leaves_the_page_working(browser, tmp_path):
    import networkx as nx

    from kgraph import network
    from kgraph.viz import View, page_html

    evil = "<!--<script>alert(1)</script>\u2028&amp;</SCRIPT >"
    g = nx.Graph(name="ego", description=evil)
    g.add_node("https://x/a", label_en=evil, region=evil, role="ego")
    g.add_node("https://x/b", label_en="B", region="Eastern Asia")
    g.add_edge("https://x/a", "https://x/b", weight=1, records="https://x/r", n_exercise=1)
    page_file = tmp_path / "evil.html"
    page_file.write_text(page_html([View("ego", evil, "all", evil, g, network.centrality(g))],
                                   title=evil, record_labels={"https://x/r": evil}), encoding="utf-8")
    external: list[str] = []
    page = _open(browser, page_file.as_uri(), external)
    page.wait_for_function(READY, timeout=10_000)
    assert page.evaluate("kgraph.nodes.get('https://x/a').label") == evil
    assert page.evaluate("kgraph.edges.length") == 1
    assert page.errors == [] and external == []
    page.close()


def test_the_notebook_frame_fits_and_throws_nothing(browser, kg, tmp_path):
    # What kgraph.viz.show puts in a notebook: the page in an iframe srcdoc, sandboxed.
    from kgraph.viz import build_views, iframe, page_html

    views = build_views(kg, projections=("partners", "multiplex"), by_administration=False)
    host = tmp_path / "host.html"
    host.write_text(f"<!DOCTYPE html><html><body>{iframe(page_html(views), height=720)}</body></html>",
                    encoding="utf-8")
    external: list[str] = []
    page = _open(browser, host.as_uri(), external)
    frame = page.frames[1]
    frame.wait_for_function(READY, timeout=30_000)
    assert frame.evaluate("window.location.protocol") == "about:"   # where replaceState throws
    frame.select_option("#projection", "multiplex")   # a view switch: no replaceState error
    frame.wait_for_function(READY, timeout=30_000)
    assert frame.evaluate("kgraph.view") == "multiplex|all"
    bottom = frame.evaluate("document.getElementById('graph').getBoundingClientRect().bottom")
    assert 300 < bottom <= frame.evaluate("window.innerHeight") + 0.5   # the drawing is not clipped
    assert page.errors == [] and external == []
    page.close()
