"""HTML for the site's pages: jinja2 templates (in ``templates/``) with the
site's stylesheet and scripts inlined, so a page makes no request of its own."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import layout


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("kgraph.site", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.globals["layout"] = layout
    return env


def render(template: str, page: str, **context: Any) -> str:
    """The page at site path ``page`` from ``template``; ``root`` and ``nav``
    (links to every section, relative to the page) are given to every template."""
    root = layout.root_of(page)
    sections = context.pop("sections", None) or {}
    nav = []
    for name, target in sections.items():
        path, _, anchor = target.partition("#")
        nav.append((name, layout.relative(page, path, anchor or None)))
    return str(_env().get_template(template).render(root=root, nav=nav, page=page, **context))
