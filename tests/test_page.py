"""The network page in a real browser (Debian's Chromium, headless): offline,
every node drawn, not blank."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import require

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page_file(graph, tmp_path_factory) -> Path:
    from kgraph.viz import write_network_page

    return write_network_page(graph, tmp_path_factory.mktemp("page"), lang="ja")


@pytest.fixture(scope="module")
def browser():
    require(Path(CHROMIUM).exists(),
            "needs Debian's Chromium: apt-get install chromium (tests drive it headless)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "needs Playwright's Python package: pip install playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield b
        b.close()


def test_page_is_self_contained_utf8(page_file):
    text = page_file.read_bytes().decode("utf-8")
    assert "フィリピン" in text and "필리핀" in text   # Japanese labels, Korean in tooltips
    for bad in ('src="http', "href=\"http", "cdn.", "@import"):
        assert bad not in text


def test_page_in_chromium(browser, page_file, graph, tmp_path):
    import io

    import matplotlib.image as mpimg

    from kgraph import network

    external: list[str] = []

    def route(r):
        if r.request.url.startswith(("file://", "data:", "about:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", route)
    page.on("request", lambda req: None if req.url.startswith(("file://", "data:")) else external.append(req.url))
    page.goto(page_file.as_uri())
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)

    expected = {
        "ego|all": network.projection(graph, "ego").number_of_nodes(),
        "partners|all": network.projection(graph, "partners").number_of_nodes(),
        "ego|moon-jae-in": network.projection(graph, "ego", administration="moon-jae-in").number_of_nodes(),
    }
    for key, n in expected.items():
        page.evaluate(f"show('{key}')")
        page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
        drawn = page.evaluate("Object.keys(network.getPositions()).length")
        assert drawn == n, key
        assert page.evaluate("window.kgraph.nodeCount") == n

    page.evaluate("show('ego|all')")
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=60_000)
    png = page.locator("#graph").screenshot()
    (tmp_path / "page.png").write_bytes(png)
    img = mpimg.imread(io.BytesIO(png))
    assert img.std() > 0.05, "the drawing is blank"
    assert len({tuple(px) for px in img.reshape(-1, img.shape[-1])[::97]}) > 20
    assert external == []
    page.close()
