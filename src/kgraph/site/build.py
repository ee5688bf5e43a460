"""Write the whole site (``kgraph site --out DIR``) as one output set.

The site replaces ``out`` as a whole (:func:`kgraph.outputset.write_set`): a
run killed half-way leaves the previous site.  Everything but the executed
notebooks is byte-identical from one build to the next.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..progress import step
from . import layout

if TYPE_CHECKING:
    from ..build import KnowledgeGraph
    from .resources import SiteGraph

FILE_MODE = 0o644
DIR_MODE = 0o755


def _write(root: Path, rel: str, text: str, written: list[Path]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    written.append(path)


def write_resources(sg: SiteGraph, root: Path, sections: dict[str, str],
                    base_url: str | None = None, context: Any = None) -> list[Path]:
    """A page and four data files per resource (``base_url``: for each page's canonical
    link; ``context``: the dump's JSON-LD context, see datafiles.dump_context)."""
    from .datafiles import serialize_all
    from .render import render
    from .resources import data_triples, view

    written: list[Path] = []
    for iri in sg.resources:
        v = view(sg, iri)
        canonical = base_url.rstrip("/") + "/" + v.page if base_url else None
        _write(root, v.page, render("resource.html", v.page, v=v, title=v.label_en,
                                    canonical=canonical, sections=sections), written)
        stem = v.page[: -len(".html")]
        title = " ".join(v.label_en.split())   # a comment line: no line break may end it early
        header = f"# {title}\n# {v.iri}: its triples and the labels of what it links to.\n\n"
        for fmt, text in serialize_all(data_triples(sg, iri), header=header, context=context).items():
            _write(root, f"{stem}.{fmt}", text, written)
    return written


def write_codebook(kg: KnowledgeGraph, folder: Path) -> None:
    """The codebook into ``folder``, inside the site's own output set (fill_codebook,
    not write_codebook, which would nest a set with its lock and manifest)."""
    from ..codebook import fill_codebook

    folder.mkdir(parents=True, exist_ok=True)
    fill_codebook(kg, folder)


def sections_of() -> dict[str, str]:
    """The site's sections (name -> site path), for every page's navigation bar."""
    return {"Home": layout.HOME, "Ontology": layout.ONTOLOGY_PAGE, "Classes": "class/index.html",
            "Network": layout.NETWORK_PAGE, "Notebooks": "index.html#notebooks",
            "Codebook": layout.CODEBOOK_PAGE, "SPARQL": layout.SPARQL_PAGE,
            "Data dump": "index.html#dump"}


def write_ontology(kg: KnowledgeGraph, sg: SiteGraph, root: Path, sections: dict[str, str],
                   class_pages: dict[str, str]) -> list[Path]:
    """The ontology page and the ontology beside it in four formats."""
    from .datafiles import serialize_all
    from .ontology_page import header
    from .ontology_page import sections as term_sections
    from .render import render

    written: list[Path] = []
    page = layout.ONTOLOGY_PAGE
    data = [(layout.FORMAT_NAMES[f], f"ontology.{f}", mt) for f, mt in layout.DATA_FORMATS.items()]
    _write(root, page, render("ontology.html", page, h=header(kg), data=data, canonical=None,
                              title="Ontology", sections=sections,
                              term_sections=term_sections(kg, sg, class_pages)), written)
    for fmt, text in serialize_all(kg.ontology, header="# The kgraph ontology (defdip).\n\n").items():
        _write(root, f"ontology/ontology.{fmt}", text, written)
    return written


def write_indexes(sg: SiteGraph, root: Path, sections: dict[str, str], classes: list) -> list[Path]:
    """A page per class and the list of classes."""
    from .indexes import COLUMNS, rows
    from .render import render

    written: list[Path] = []
    for ci in classes:
        anchor = layout.ontology_anchor(ci.iri)
        term = layout.relative(ci.page, layout.ONTOLOGY_PAGE, anchor) if anchor else None
        _write(root, ci.page, render("class.html", ci.page, ci=ci, rows=rows(sg, ci), columns=COLUMNS,
                                     term_href=term, title=ci.label_en, canonical=None,
                                     sections=sections), written)
    page = "class/index.html"
    listed = [(ci, layout.relative(page, ci.page)) for ci in classes]
    _write(root, page, render("classes.html", page, classes=listed, title="Classes", canonical=None,
                              sections=sections), written)
    return written


def write_network(kg: KnowledgeGraph, root: Path) -> list[Path]:
    from ..viz import write_network_page

    folder = root / "network"
    folder.mkdir(parents=True, exist_ok=True)
    made = write_network_page(kg, folder)
    target = folder / "index.html"
    os.replace(made, target)
    return [target]


def write_dump(kg: KnowledgeGraph, root: Path, base_url: str | None) -> list[Path]:
    """What ``kgraph export`` writes, under dump/ (with absolute URLs when the export takes them)."""
    import inspect

    from ..export import export

    kwargs: dict[str, str] = {}
    if base_url and "base_url" in inspect.signature(export).parameters:
        kwargs["base_url"] = base_url.rstrip("/") + "/dump/"
    result = export(kg, root / "dump", **kwargs)   # type: ignore[arg-type]
    # export replaces its folder as a whole and leaves a lock beside it: not part of the site.
    (root / ".dump.kgraph-lock").unlink(missing_ok=True)
    return list(result.files)


def write_notebooks(root: Path, sections: dict[str, str], progress: bool | None) -> tuple[list[Path], list]:
    from .notebooks import render as run_notebook
    from .notebooks import sources
    from .render import render

    written: list[Path] = []
    listed = []
    for path in sources():
        with step(f"Site: executing notebook {path.stem}", progress):
            nb = run_notebook(path)
        page = f"notebooks/{nb.name}.html"
        _write(root, page, render("notebook.html", page, nb=nb, title=nb.title, canonical=None,
                                  sections=sections), written)
        listed.append((nb.name, nb.title))
    return written, listed


def write_home(kg: KnowledgeGraph, sg: SiteGraph, root: Path, sections: dict[str, str], classes: list,
               notebooks: list, base_url: str | None) -> list[Path]:
    from ..data import _root, citation_file
    from .indexes import counts, coverage
    from .render import render

    written: list[Path] = []
    licences = {}
    for key, name in (("data", "LICENSE-DATA"), ("code", "LICENSE")):
        src = _root() / name
        if not src.is_file():   # a wheel without the licence files: the page names them only
            src = _root().parent / name
        if src.is_file():
            _write(root, f"{name}.txt", src.read_text(encoding="utf-8"), written)
            licences[key] = f"{name}.txt"
    dump = sorted(p.name for p in (root / "dump").iterdir() if not p.name.startswith("."))
    try:
        citation = citation_file().read_text(encoding="utf-8")
    except OSError:
        citation = ""
    _write(root, layout.HOME, render(
        "home.html", layout.HOME, counts=counts(kg, sg, classes), years=coverage(sg),
        notebooks=notebooks, dump=dump,
        licences=licences, citation=citation, title="Home", sections=sections,
        canonical=base_url), written)
    return written


def _fix_modes(root: Path) -> None:
    # Files for any web server to read, whatever the umask of the run.
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), DIR_MODE)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), FILE_MODE)


def write_site(kg: KnowledgeGraph, out: Path, *, base_url: str | None = None, notebooks: bool = True,
               progress: bool | None = None) -> list[Path]:
    """Write the site into ``out`` (replaced as a whole); returns the files written.

    ``base_url``: where the site will be hosted (``https://example.org/defdip/``),
    for canonical links and the dump's absolute download URLs; the site's own
    links stay relative.  ``notebooks=False`` skips executing the notebooks
    (the slow part).  ``progress``: a line per stage (default: on a terminal).
    """
    from urllib.parse import urlsplit

    from ..export import NQUADS
    from ..outputset import write_set
    from .conneg import write_conneg_rules
    from .datafiles import dump_context
    from .indexes import class_indexes
    from .resources import collect
    from .sparql import write_sparql_page

    if base_url:
        from ..remote import check_url

        check_url(base_url, "base_url", "https://example.org/defdip/")
    out = Path(out)

    def fill(staging: Path) -> list[str]:
        written: list[Path] = []
        sections = sections_of()
        with step("Site: indexing the graph", progress):
            sg = collect(kg)
            classes = class_indexes(sg)
        with step(f"Site: {len(sg.resources)} resource pages and their data files", progress):
            written += write_resources(sg, staging, sections, base_url, dump_context(kg))
        with step("Site: the ontology page", progress):
            written += write_ontology(kg, sg, staging, sections, {c.iri: c.page for c in classes})
        with step(f"Site: {len(classes)} class indexes", progress):
            written += write_indexes(sg, staging, sections, classes)
        with step("Site: the network page", progress):
            written += write_network(kg, staging)
        with step("Site: the data dump", progress):
            written += write_dump(kg, staging, base_url)
        with step("Site: the codebook", progress):
            write_codebook(kg, staging / "codebook")
        with step("Site: the SPARQL page", progress):
            # The page loads the dump's N-Quads: the same four named graphs as the store.
            write_sparql_page(staging / "sparql", staging / "dump" / NQUADS, kg=kg)
        # The redirect rules (.htaccess, nginx.conf) for the path the site is served at;
        # with a base URL also w3id.htaccess, sending the w3id IRIs there.
        base_path = (urlsplit(base_url).path.rstrip("/") + "/") if base_url else "/"
        write_conneg_rules(staging, base_path, target=base_url)
        listed: list = []
        if notebooks:
            made, listed = write_notebooks(staging, sections, progress)
            written += made
        with step("Site: the home page", progress):
            written += write_home(kg, sg, staging, sections, classes, listed, base_url)
            from importlib.resources import files

            css = files("kgraph.site").joinpath("templates/site.css").read_text(encoding="utf-8")
            _write(staging, "assets/site.css", css, written)
        _fix_modes(staging)
        # Every file, whoever wrote it (the dump, the codebook and the SPARQL page are others' writers).
        return sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())

    return [out / rel for rel in write_set(out, fill)]
