"""A link checker for the static site: every internal href and src must name
a file of the site (and every #anchor an id on that page); links that leave
the site are listed, except those to the dataset's own IRIs.

>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "index.html").write_text('<a href="a.html#x">a</a> <a href="https://example.org/">e</a>')
>>> _ = (d / "a.html").write_text('<p id="y"></p>')
>>> [(p.kind, p.link) for p in check(d)]
[('anchor', 'a.html#x'), ('external', 'https://example.org/')]
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: IRIs of the dataset itself: links to them are the data's names, not outside requests.
OWN_IRIS = ("https://w3id.org/defdip",)
_LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src",
               "source": "src", "video": "src", "audio": "src", "embed": "src", "area": "href",
               "form": "action"}


@dataclass(frozen=True, order=True)
class Problem:
    """One link that does not resolve (kind "missing" or "anchor"), or that leaves the site ("external")."""

    page: str     # the page's path in the site
    link: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link}: {self.message}"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(str(a[key]))
        attr = _LINK_ATTRS.get(tag)
        if attr and a.get(attr):
            self.links.append(str(a[attr]).strip())


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8", errors="replace"))
    p.close()
    return p


def check(site: Path, *, external: bool = True) -> list[Problem]:
    """Every problem with the links of the HTML files under ``site`` (sorted).

    ``external=False`` leaves out the list of links that leave the site.
    """
    site = Path(site)
    pages = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*.html"))
             if not any(part.startswith(".") for part in p.relative_to(site).parts)}
    parsed: dict[str, _Page] = {}

    def page(rel: str) -> _Page:
        if rel not in parsed:
            parsed[rel] = _parse(pages[rel])
        return parsed[rel]

    problems: set[Problem] = set()
    for rel in pages:
        for link in page(rel).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") or link.startswith("//"):
                if external and not link.startswith(OWN_IRIS):
                    problems.add(Problem(rel, link, "external", "leaves the site"))
                continue
            if parts.scheme:   # data:, mailto:, javascript:, blob: ...
                continue
            target = rel
            if parts.path:
                if parts.path.startswith("/"):
                    problems.add(Problem(rel, link, "missing",
                                         "absolute path: breaks under another host path"))
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
                if target.startswith("../") or target == "..":
                    problems.add(Problem(rel, link, "missing", "points outside the site"))
                    continue
                path = site / target
                if path.is_dir():
                    target = posixpath.join(target, "index.html")
                    path = site / target
                if not path.is_file():
                    problems.add(Problem(rel, link, "missing", f"no file {target}"))
                    continue
            if parts.fragment and target.endswith(".html"):
                if target not in pages:
                    continue
                ids = page(target).ids
                # As a browser does: the fragment as written, then percent-decoded.
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    problems.add(Problem(rel, link, "anchor",
                                         f"no id '{unquote(parts.fragment)}' in {target}"))
    return sorted(problems)
