"""What each ``kgraph`` command does (argument parsing lives in cli.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import KgraphError
from .formats import render

T = TypeVar("T")

if TYPE_CHECKING:
    from .build import KnowledgeGraph
    from .oxstore import OxGraph


def _data_paths(paths: list[Path] | None) -> tuple[Path, ...] | None:
    """The data files named on the command line, each folder replaced by the
    RDF files inside it (None: the bundled graph)."""
    if not paths:
        return None
    if any(Path(p).is_dir() for p in paths):
        from .parsing import data_files

        return data_files(paths)
    return tuple(Path(p) for p in paths)


def _kg(args: argparse.Namespace) -> KnowledgeGraph:
    from .build import build

    files = _data_paths(getattr(args, "data", None))
    return build(files, add=_added(args), reasoning=not getattr(args, "no_reasoning", False),
                 use_cache=not getattr(args, "no_cache", False))


def _added(args: argparse.Namespace) -> list[Path] | None:
    """The user's files given with --add (folders kept: the build expands them)."""
    return getattr(args, "add", None) or None


def _read_query(arg: str) -> str:
    """The query's text, checked (refusals, limits, prefixes) before any graph is built."""
    from .querytext import check_offline, resolve

    if arg == "-":
        text = sys.stdin.read()
        if not text.strip():
            raise KgraphError("no query on standard input")
        return check_offline(text)
    return check_offline(resolve(arg))


def _input_key(args: argparse.Namespace) -> str | None:
    """The cache key of the graph these options build (see cache.data_key)."""
    from . import cache

    return cache.data_key(_data_paths(getattr(args, "data", None)),
                          not getattr(args, "no_reasoning", False), _added(args))


def _ox_graph(args: argparse.Namespace) -> OxGraph:
    """The built graph in Oxigraph, from the cached artifact when it is whole."""
    from .oxstore import open_graph

    return open_graph(_data_paths(getattr(args, "data", None)),
                      reasoning=not getattr(args, "no_reasoning", False),
                      use_cache=not getattr(args, "no_cache", False), add=_added(args))


def cmd_query(args: argparse.Namespace) -> int:
    text = _read_query(args.query)
    if args.endpoint or args.engine == "rdflib":
        return _query_rdflib(args, text)
    ox = _ox_graph(args)
    result = _interruptible(ox.query, text)
    if result.type == "ASK":
        _print_answer(bool(result.answer), args.format)
    elif result.type == "CONSTRUCT":
        nt = result.ntriples or ""
        if args.format in ("csv", "tsv"):
            sys.stdout.write(nt)
        else:
            from .parsing import new_graph

            g = new_graph()
            g.parse(data=nt, format="nt")
            sys.stdout.write(g.serialize(format="json-ld" if args.format == "json" else "turtle"))
    else:
        from .terms import python_rows

        lmap = None if args.iris else ox.labels(args.lang)
        rows = python_rows(result.rows, lmap)
        sys.stdout.write(render(result.columns, rows, args.format))
    return 0


def _interruptible(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a worker thread, so that Ctrl-C stops the command at once:
    Oxigraph releases the GIL while it evaluates but never checks for signals,
    so run in the main thread a long query ignores SIGINT until it ends."""
    import threading

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # handed to the main thread below
            box["error"] = exc

    worker = threading.Thread(target=work, name="kgraph-query", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)   # KeyboardInterrupt lands here; the daemon worker dies with the process
    if "error" in box:
        raise box["error"]
    return box["value"]


def _print_answer(answer: bool, fmt: str) -> None:
    if fmt == "json":
        print("true" if answer else "false")
    else:
        print(render(["answer"], [[answer]], fmt), end="")


def _query_rdflib(args: argparse.Namespace, text: str) -> int:
    """The reference engine (rdflib), also used for remote endpoints."""
    from .sparql import construct, label_map, run
    from .terms import python_rows

    kg: KnowledgeGraph | None
    if args.endpoint:
        from .remote import remote_query

        result = remote_query(args.endpoint, text)
        kg = None
    else:
        kg = _kg(args)
        result = run(kg.graph, text)
    if result.type == "ASK":
        _print_answer(bool(result.askAnswer), args.format)
        return 0
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        g = construct(kg.graph, text) if kg is not None else result.graph
        if g is None:
            raise KgraphError("the endpoint returned no graph for this query")
        fmt = {"json": "json-ld", "csv": "nt", "tsv": "nt"}.get(args.format, "turtle")
        sys.stdout.write(g.serialize(format=fmt))
        return 0
    if args.iris:
        lmap = None
    elif kg is None:  # labels of a remote result come from the same endpoint
        from .remote import remote_labels

        lmap = {str(k): v for k, v in
                remote_labels(args.endpoint, (t for row in result for t in row), args.lang).items()}
    else:
        lmap = {str(k): v for k, v in label_map(kg.graph, args.lang).items()}
    cols = [str(v) for v in result.vars]
    try:   # rdflib evaluates lazily: a bad REGEX pattern fails here, while rows are read
        rows = python_rows([list(r) for r in result], lmap)
    except KgraphError:
        raise
    except Exception as exc:
        raise KgraphError(f"SPARQL evaluation failed: {type(exc).__name__}: {exc}") from exc
    sys.stdout.write(render(cols, rows, args.format))
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from .querytext import named_queries

    qs = named_queries()
    sys.stdout.write(render(["name", "question"], [[q.name, q.question] for q in qs],
                            args.format))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .build import build
    from .progress import step
    from .shacl import validate
    from .userdata import report_text

    kg = build(_data_paths(args.files), add=_added(args), reasoning=False)
    with step("Validating"):
        report = validate(kg)
    print(report_text(report, kg.additions))
    return 0 if report.conforms else 1


def stats_rows(kg: KnowledgeGraph) -> list[list[object]]:
    rows: list[list[object]] = [
        ["triples", "ontology", kg.sizes["ontology"]],
        ["triples", "asserted", kg.sizes["asserted"]],
        ["triples", "inferred", kg.sizes["inferred"]],
        ["triples", "derived", kg.sizes["derived"]],
    ]
    t = kg.ox.select("""
        SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
          VALUES ?class { dd:Country dd:Organization dd:Administration dd:Agreement
                          dd:DefenseCooperationAgreement dd:MilitaryInformationAgreement
                          dd:DefenseIndustryAgreement dd:Deployment dd:ArmsSale dd:Weapon
                          dd:Exercise dd:Event dd:StatedFigure dd:Record }
          ?x a ?class }
        GROUP BY ?class ORDER BY DESC(?n) ?class""", labels=False)
    for cls, n in t.rows:
        rows.append(["records", "dd:" + str(cls).rsplit("#", 1)[-1], n])
    return rows


def cmd_stats(args: argparse.Namespace) -> int:
    kg = _kg(args)
    sys.stdout.write(render(["what", "part", "count"], stats_rows(kg), args.format))
    return 0


def _summary(kg: KnowledgeGraph, conforms: bool, violations: int) -> str:
    """The main job's report: sizes, validity, records per class, top partners
    and administrations (queries through the fast engine)."""
    from .querytext import named_query

    sizes = kg.sizes
    parts = [f"kgraph: {len(kg.ox)} triples ({sizes['asserted']} asserted, "
             f"{sizes['inferred']} inferred, {sizes['derived']} derived) from {len(kg.files)} files\n",
             ("SHACL: valid, 0 violations" if conforms
              else f"SHACL: INVALID, {violations} violation(s) (details: kgraph validate)") + "\n\n",
             "Records per class\n",
             render(["class", "records"], [r[1:] for r in stats_rows(kg) if r[0] == "records"],
                    "table") + "\n"]
    ties = kg.ox.select(named_query("partner-tie-kinds").text)
    parts += ["Partners tied to Korea in the most ways (top 10)\n",
              render(ties.columns, ties.rows[:10], "table") + "\n"]
    adm = kg.ox.select(named_query("agreements-per-administration").text)
    parts += ["Administrations with the most agreements\n", render(adm.columns, adm.rows, "table")]
    return "".join(parts)


def cmd_main(args: argparse.Namespace) -> int:
    """Build (or reuse) the graph, validate, summarise, write the page and dump.

    Everything the job produces depends only on its inputs, so it is kept in
    the cache under the inputs' key; a warm run prints the kept summary and
    brings the output folder up to date without loading any RDF.
    """
    import shutil

    from . import cache

    key = _input_key(args)
    if key is None:
        from .userdata import user_files

        user_files(_added(args))   # names a missing --add file or an empty folder
        missing = next((f for f in _data_paths(args.data) or () if not Path(f).is_file()), None)
        if missing is not None:
            raise KgraphError(f"{missing}: no such file", hint="check the path")
    kept = cache.cache_dir() / f"main-{key}"
    whole = not args.no_cache and cache.verify_manifest(kept)
    if not args.no_cache and kept.is_dir() and not whole:
        print("kgraph: the kept outputs of the last run were damaged; making them again",
              file=sys.stderr)
    if not whole:
        staging = cache.cache_dir() / f".main-{key}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _run_main(args, staging)
            if not args.no_cache:
                shutil.rmtree(kept, ignore_errors=True)
                staging.rename(kept)
            else:
                kept = staging
        except OSError:
            # No writable cache: produce straight into the output folder.
            shutil.rmtree(staging, ignore_errors=True)
            return _run_main(args, None)
    sys.stdout.write((kept / "summary.txt").read_text(encoding="utf-8"))
    conforms = (kept / "valid").read_text(encoding="utf-8").strip() == "1"
    written = _sync(kept / "out", _writable(args.out))
    fresh = "" if written else " (already up to date)"
    sys.stdout.write(f"\nWrote {args.out / 'network.html'} (open it in a browser; works offline)\n"
                     f"Wrote the publication dump to {args.out / 'dump'}/ (Turtle, N-Triples, "
                     f"JSON-LD, N-Quads, gzipped; DCAT/VoID in void.ttl; CITATION.cff){fresh}\n")
    if kept.name.startswith(".main-"):
        shutil.rmtree(kept, ignore_errors=True)
    return 0 if conforms else 1


def _run_main(args: argparse.Namespace, into: Path | None) -> int:
    """The cold path: build, validate, summarise, write the outputs into
    ``into`` (kept in the cache) or, without a cache, straight into --out."""
    from .export import export
    from .progress import step
    from .shacl import validate
    from .viz import write_network_page

    kg = _kg(args)
    with step("Validating"):
        report = validate(kg)
    summary = _summary(kg, report.conforms, len(report.violations))
    target = (into / "out") if into is not None else _writable(args.out)
    target.mkdir(parents=True, exist_ok=True)
    with step("Drawing the partner network"):
        write_network_page(kg, target)
    with step("Writing the publication dump"):
        export(kg, target / "dump")
    if into is None:
        sys.stdout.write(summary + f"\nWrote {target / 'network.html'} and {target / 'dump'}/\n")
        return 0 if report.conforms else 1
    (into / "summary.txt").write_text(summary, encoding="utf-8")
    (into / "valid").write_text("1" if report.conforms else "0", encoding="utf-8")
    from . import cache

    cache.write_manifest(into)
    return 0


def _sync(src: Path, dst: Path) -> int:
    """Bring ``dst`` up to date with the outputs kept under ``src``: each folder
    (the dump) replaced as a whole set by kgraph.outputset, each file replaced
    atomically; skipped when already identical.  Returns how many were written."""
    import functools
    import os
    import shutil

    from .outputset import is_complete, manifest, write_set

    written = 0
    for f in sorted(src.iterdir()):
        target = dst / f.name
        if f.name.endswith(".kgraph-lock"):
            continue   # the writer's lock beside the kept dump, not an output
        if f.is_dir():
            # Copies keep their modification times: equal sizes and times mean nothing was
            # written since, and only a changed set pays for hashing every file.
            if _same_stats(f, target) or (manifest(f) is not None and manifest(target) == manifest(f)
                                          and is_complete(target)):
                continue
            write_set(target, functools.partial(_copy_into, f))
            written += 1
            continue
        st = f.stat()
        try:
            tt = target.stat()
            if tt.st_size == st.st_size and int(tt.st_mtime) == int(st.st_mtime):
                continue
        except OSError:
            pass
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copy2(f, tmp)
        os.replace(tmp, target)
        written += 1
    return written


def _same_stats(src: Path, dst: Path) -> bool:
    """True if ``dst`` holds exactly ``src``'s files, each with its size and modification time."""
    def stats(folder: Path) -> dict[str, tuple[int, int]]:
        return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in folder.rglob("*") if p.is_file()}
    try:
        return stats(src) == stats(dst)
    except OSError:
        return False


def _copy_into(src: Path, staging: Path) -> None:
    import shutil

    shutil.copytree(src, staging, dirs_exist_ok=True)


def _writable(out: Path) -> Path:
    """The output folder, created if needed; a clear error if it cannot be."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".kgraph-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise KgraphError(f"{out}: cannot write there ({exc.strerror or exc})",
                          hint="choose another folder with --out DIR") from exc
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from .data import bundled
    from .export import check_base_url, export, ontology_html
    from .remote import check_base_iri, check_url

    if args.base_iri:   # before the build: a bad option is refused at once
        check_base_iri(args.base_iri)
    if args.base_url:
        check_base_url(args.base_url)
    if args.endpoint:
        check_url(args.endpoint, "--endpoint")
    kg = _kg(args)
    extra = None
    if args.docs:   # part of the set, so the next export does not take it for a stranger's file
        onto = next(p for p in bundled().ontology if p.name == "defdip.ttl")
        extra = {"ontology.html": ontology_html(onto)}
    result = export(kg, args.out, base=args.base_iri, endpoint=args.endpoint, extra=extra,
                    base_url=args.base_url)
    for f in result.files:
        print(f)
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from .remote import check_url
    from .site.build import write_site

    if args.base_url:   # before the build: a bad option is refused at once
        check_url(args.base_url, "--base-url", "https://example.org/defdip/")
    files = write_site(_kg(args), args.out, base_url=args.base_url, notebooks=not args.no_notebooks)
    pages = sum(1 for f in files if f.suffix == ".html")
    print(f"Wrote {len(files)} files ({pages} pages) into {args.out}/; open {args.out / 'index.html'}")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from .tables import write_tables

    for f in write_tables(_kg(args), args.out):
        print(f)
    return 0


def cmd_codebook(args: argparse.Namespace) -> int:
    from .codebook import write_codebook

    for f in write_codebook(_kg(args), args.out):
        print(f)
    return 0


def _projection(args: argparse.Namespace, kg: KnowledgeGraph) -> Any:
    from . import network

    name = args.projection
    base = "bipartite" if name == "bipartite-projection" else name
    g = network.projection(kg, base, years=args.years, administration=args.administration,
                           states=getattr(args, "states_only", False))
    if name == "bipartite-projection":
        g = network.bipartite_projection(g)
    if g.number_of_nodes() == 0:
        raise KgraphError("no ties in this selection", hint="widen --years or check --administration")
    return g


def cmd_network(args: argparse.Namespace) -> int:
    from . import network
    from .viz import write_network_page

    kg = _kg(args)
    out = _writable(args.out)
    if args.format == "html":
        if args.years or args.administration or args.states_only:
            raise KgraphError("--years, --administration and --states-only apply to graphml/gexf; "
                              "the page already has a slice per administration",
                              hint="drop the option, or add -f graphml / -f gexf")
        path = write_network_page(kg, out, size_by=args.size_by, lang=args.lang)
    else:
        g = _projection(args, kg)
        suffix = f"-{g.graph['slice']}" if g.graph.get("slice") else ""
        path = out / f"network-{args.projection}{suffix}.{args.format}"
        network.to_file(g, path, args.format)
    print(path)
    return 0


def cmd_centrality(args: argparse.Namespace) -> int:
    from .network import centrality, significant, summary

    kg = _kg(args)
    g = _projection(args, kg)
    df = centrality(g, sort_by=args.by)
    if args.top:
        df = df.head(args.top)
    cols = ["label", "type", "region", "degree", "strength", "betweenness", "closeness",
            "eigenvector", "pagerank"]
    rows = [[significant(r[c]) if isinstance(r[c], float) else r[c] for c in cols]
            for r in df.to_dict("records")]
    s = summary(g)
    what = g.graph.get("slice", "all years") + (", states only" if g.graph.get("states_only") else "")
    sys.stderr.write(f"# {g.graph.get('name')}: {g.graph.get('description', '')}\n"
                     f"# {what}; {s['nodes']} nodes, {s['edges']} edges, density {s['density']:.4g}, "
                     f"{s['components']} component(s) (largest {s['largest_component']}); "
                     f"sorted by {args.by}\n")
    if g.graph.get("inferred_ties"):
        sys.stderr.write(f"# {g.graph['inferred_ties']} tie(s) placed in these years from a coarser "
                         "date (a decade fills each of its years)\n")
    sys.stdout.write(render(cols, rows, args.format))
    return 0


def cmd_thesis(args: argparse.Namespace) -> int:
    from .network import significant
    from .thesis import measures

    df = measures(_ox_graph(args), by=args.by, states=args.states_only)
    if args.scope != "both":
        df = df[df["scope"] == args.scope]
    cols = ["label", "scope", "partners", "ties", "us_ties", "us_share", "region_entropy",
            "region_hhi", "kinds_per_partner"]
    rows = [[significant(r[c]) if isinstance(r[c], float) else r[c] for c in cols]
            for r in df.to_dict("records")]
    sys.stderr.write("# new: ties dated in the period; reached: ties certainly made by its end. "
                     "Entropy in bits and HHI over UN M49 sub-regions of the ties.\n"
                     "# Caveat: the report's tables cover different periods (exercises 2019 only).\n")
    sys.stdout.write(render(cols, rows, args.format))
    return 0


def cmd_dyads(args: argparse.Namespace) -> int:
    from .dyads import write_panel

    paths, states, orgs = write_panel(_ox_graph(args), args.out, args.format,
                                      from_year=args.from_year, to_year=args.to_year)
    a = states.attrs
    sys.stderr.write(f"# {len(states)} state rows x {len(states.columns)} columns, {len(orgs)} organisation "
                     f"rows, {a['first_year']}-{a['last_year']}; {a['coarse']} ties dated only to a period "
                     f"longer than a year (flagged _coarse), {a['undated']} undated (_undated)\n")
    if a["before"]:
        sys.stderr.write(f"# {len(a['before'])} tie(s) dated before their partner's first row (its entry "
                         "into the state system) count in _cum from that row\n")
    if a["after"]:
        sys.stderr.write(f"# {len(a['after'])} tie(s) dated after their partner's last row are in no row: "
                         f"{', '.join(a['after'][:3])}\n")
    if a["uncoded"]:
        sys.stderr.write(f"# no COW codes for {', '.join(a['uncoded'])}: rows from {a['first_year']}, "
                         "codes left empty\n")
    for p in paths:
        print(p)
    return 0

def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import build_artifact
    from .serve.app import Settings
    from .serve.http import serve

    settings = Settings(host=args.host, port=args.port, timeout=args.timeout,
                        max_results=args.max_results, max_body=args.max_body, workers=args.workers,
                        memory_limit=args.memory_limit, cors=args.cors,
                        max_connections=args.max_connections, quiet=args.quiet, site=args.site)
    settings.check()
    artifact = build_artifact(_data_paths(args.data), reasoning=not args.no_reasoning,
                              use_cache=not args.no_cache, add=_added(args))
    serve(artifact, settings)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    import os

    from .publish import publish, verify

    user = args.user or os.environ.get("KGRAPH_STORE_USER")
    password = args.password or os.environ.get("KGRAPH_STORE_PASSWORD")
    if args.verify:
        complete, text = verify(store=args.store, update=args.update, user=user, password=password,
                                auth=args.auth, dataset=args.dataset)
        print(text)
        return 0 if complete else 1
    kg = _kg(args)
    report = publish(kg, store=args.store, update=args.update, user=user, password=password,
                     auth=args.auth, dataset=args.dataset, isql_port=args.isql_port)
    print(report)
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise KgraphError("figures need matplotlib", hint="pip install 'kgraph[plots]'") from exc
    from . import figures
    from .atomic import atomic_path

    kg = _kg(args)
    out = _writable(args.out)
    for name, fig in (("agreements-per-administration", figures.agreements_per_administration(kg)),
                      ("deployment-timeline", figures.deployment_timeline(kg)),
                      ("thesis", figures.thesis(kg))):
        for ext in ("png", "svg"):
            path = out / f"{name}.{ext}"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=120, metadata={"Date": None} if ext == "svg" else None)
            print(path)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from .userdata import TEMPLATES, template_csv, template_metadata

    if args.list or not args.type:
        sys.stdout.write(render(["type", "a row is"], [[k, v[1]] for k, v in TEMPLATES.items()],
                                "table"))
        return 0
    if args.metadata:
        import json

        sys.stdout.write(json.dumps(template_metadata(args.type), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(template_csv(args.type))
    return 0
