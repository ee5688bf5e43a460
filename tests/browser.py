"""Debian's Chromium, headless through Playwright, for the tests of what a person
sees: one launch recipe, and pages on which every request outside what the test
serves is refused and noted (nothing may leave the machine)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import require

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
#: What a page opened from a file may load: itself and what it makes in memory.
LOCAL = ("file://", "data:", "about:")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (never a downloaded one); skips, or fails under CI, without it."""
    require(Path(CHROMIUM).exists(),
            "needs Debian's Chromium: apt-get install chromium (tests drive it headless)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "needs Playwright's Python package: pip install playwright")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser: Any, url: str, external: list[str], *, allowed: tuple[str, ...] = LOCAL,
                 viewport: tuple[int, int] = (1400, 900)) -> Any:
    """``url`` opened in a new page on which a request for anything but ``allowed``
    is aborted and its URL added to ``external``; the page's script errors are
    collected in ``page.errors``."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.errors = errors
    return page
