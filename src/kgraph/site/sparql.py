"""The site's SPARQL page (``DIR/sparql/index.html``): SPARQL over the whole dataset in
the reader's browser, with no server. Oxigraph's WebAssembly build (npm ``oxigraph``
0.5, the release line of the pyoxigraph that answers ``kgraph query``) holds the dump;
YASGUI is the editor and the results view; the named queries are the examples.

**Why everything is a classic script.** A static host serves files, and so does
``file://``; but a page opened from ``file://`` may not ``fetch()`` its neighbours
(Chromium refuses file URLs to fetch and to ES-module imports), and Oxigraph's web
build is an ES module that fetches its ``.wasm``. So the page's assets are classic
``<script>`` files: ``oxigraph.js`` is the vendored ``web.js`` with its ``export``
keywords removed and the WebAssembly inlined (gzip, base64), and ``data.js`` holds
the N-Quads dump (gzip, base64). The browser inflates both with
``DecompressionStream``. Two megabytes of scripts instead of four of WebAssembly and
four of N-Quads, and the page works the same from any host, from a folder, offline.

Queries see the union of the named graphs as their default graph
(``use_default_graph_as_union``), and the project's prefixes are predeclared, as
with ``kgraph query``.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KgraphError
from ..prefixes import PART_GRAPHS

if TYPE_CHECKING:
    from ..build import KnowledgeGraph

OXIGRAPH_VERSION = "0.5.11"
YASGUI_VERSION = "4.6.2"


def _static(*parts: str) -> bytes:
    node = resources.files("kgraph")
    for part in parts:
        node = node / part
    return node.read_bytes()


def _b64gzip(data: bytes) -> str:
    # mtime=0: the same input gives the same bytes (the site is deterministic).
    return base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0)).decode("ascii")


def classic_oxigraph(module_js: str) -> str:
    """Oxigraph's ES-module web build as a classic script defining ``window.oxigraph``
    (its exports, plus ``init``, the module's default export, and ``initSync``).
    """
    names = re.findall(r"^export (?:class|function) (\w+)", module_js, flags=re.M)
    tail = re.search(r"^export \{ initSync, __wbg_init as default \};\s*$", module_js, flags=re.M)
    others = re.findall(r"^export\b(?! (?:class|function) \w+)(?! \{ initSync, __wbg_init as default \};)",
                        module_js, flags=re.M)
    if not names or tail is None or others or module_js.count("import.meta.url") != 1 \
            or re.search(r"^import\b", module_js, flags=re.M):
        raise KgraphError("the vendored Oxigraph web build is not in the expected shape",
                          hint="update kgraph.site.sparql.classic_oxigraph for the new release "
                               "(see src/kgraph/site/static/oxigraph/README.md)")
    body = module_js[:tail.start()] + module_js[tail.end():]
    body = re.sub(r"^export (class|function) ", r"\1 ", body, flags=re.M)
    # Only used when no module is passed in; the page always passes the bytes.
    body = body.replace("import.meta.url", "document.baseURI")
    exports = ", ".join([*names, "initSync", "init: __wbg_init"])
    return ("// Oxigraph " + OXIGRAPH_VERSION + " (npm package oxigraph, web.js, MIT OR Apache-2.0, see\n"
            "// LICENSE-oxigraph.txt), made a classic script by kgraph so that it runs from file://.\n"
            "(function () {\n\"use strict\";\n" + body + "\nwindow.oxigraph = { " + exports + " };\n})();\n")


def _dump_bytes(dump_nq: Path | None, kg: KnowledgeGraph | None) -> bytes:
    """The N-Quads to load: the dump's file (plain or .gz), else the build artifact."""
    if dump_nq is not None:
        path = Path(dump_nq)
        try:
            raw = path.read_bytes()
            return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise KgraphError(f"{path}: cannot read the N-Quads dump for the SPARQL page ({exc})",
                              hint="run `kgraph export` first, or pass no dump to use the build") from exc
    from .. import artifact

    if kg is None:
        from ..build import build

        kg = build(progress=False)
    found = artifact.read(Path(kg.artifact))
    if found is None:
        raise KgraphError(f"{kg.artifact}: the build artifact is missing", hint="run `kgraph build`")
    return found.body


def page_config() -> dict[str, object]:
    """What the page is told: the prefixes and the named queries (with their questions)."""
    from ..prefixes import PREFIXES
    from ..querytext import named_queries

    return {"prefixes": PREFIXES,
            "queries": [{"name": q.name, "title": q.title, "question": q.question, "text": q.text}
                        for q in named_queries()]}


def write_sparql_page(out_dir: Path, dump_nq: Path | None = None, *,
                      kg: KnowledgeGraph | None = None) -> list[Path]:
    """Write the SPARQL page into the folder ``out_dir`` (the site's ``DIR/sparql``):
    ``index.html`` and its assets. The data are ``dump_nq`` (N-Quads, maybe
    gzip-compressed), else ``kg``'s build artifact (the bundled graph when ``kg`` is
    None). Returns the files written."""
    from ..atomic import atomic_path

    folder = Path(out_dir)
    config = json.dumps(page_config(), ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    html = _static("site", "static", "sparql", "index.html").decode("utf-8")
    html = (html.replace("{{config}}", config).replace("{{oxigraph_version}}", OXIGRAPH_VERSION)
            .replace("{{yasgui_version}}", YASGUI_VERSION)
            .replace("{{ontology_graph}}", PART_GRAPHS["ontology"]))
    wasm = gzip.decompress(_static("site", "static", "oxigraph", "oxigraph_bg.wasm.gz"))
    engine = classic_oxigraph(_static("site", "static", "oxigraph", "oxigraph-web.js").decode("utf-8"))
    engine += f'window.KGRAPH_OXIGRAPH_WASM = "{_b64gzip(wasm)}";\n'
    dataset = _b64gzip(_dump_bytes(dump_nq, kg))
    data = f'// The dataset as N-Quads (gzip, base64).\nwindow.KGRAPH_DATA = "{dataset}";\n'
    files: dict[str, bytes] = {
        "index.html": html.encode("utf-8"),
        "oxigraph.js": engine.encode("utf-8"),
        "data.js": data.encode("ascii"),
        "sparql.js": _static("site", "static", "sparql", "sparql.js"),
        "sparql.css": _static("site", "static", "sparql", "sparql.css"),
        "yasgui.min.js": _static("static", "yasgui.min.js"),
        "yasgui.min.css": _static("static", "yasgui.min.css"),
        "LICENSE-oxigraph.txt": _static("site", "static", "oxigraph", "LICENSE-oxigraph.txt"),
        "LICENSE-yasgui.txt": _static("static", "LICENSE-yasgui.txt"),
    }
    written = []
    for name, content in files.items():
        path = folder / name
        with atomic_path(path) as tmp:
            tmp.write_bytes(content)
        written.append(path)
    return written


__all__ = ["OXIGRAPH_VERSION", "YASGUI_VERSION", "classic_oxigraph", "page_config", "write_sparql_page"]
