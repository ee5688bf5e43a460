"""The ``kgraph`` command line.

Thin: every command is a call into the package.  Heavy libraries (owlrl,
pySHACL, pandas, networkx) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import KgraphError

DESCRIPTION = """\
A knowledge graph of South Korea's defence diplomacy: the agreements it signed,
the troops it sent abroad, the weapons it sold, the exercises it joined, and
the administration in office for each, built from Ito Kotaro's report for the
Sasakawa Peace Foundation (2020). Every fact carries its source.

With no command, kgraph builds (or reuses) the reasoned graph, validates it and
prints a summary."""

EPILOG = """\
examples:
  kgraph                                   build, validate, summarise
  kgraph queries                           list the named queries
  kgraph query agreements-per-administration
  kgraph query 'SELECT ?c WHERE { ?c a dd:Country }' --format csv
  kgraph query my.rq --format json > out.json
  echo 'ASK { agr:gsomia-JPN ?p ?o }' | kgraph query -
  kgraph validate mydata.ttl
  kgraph template agreement > mine.csv     a CSV to fill with records of your own
  kgraph query agreements-per-year --add mine.csv
  kgraph centrality -p partners --top 10   who sits between Korea's partners
  kgraph network --out site/               offline interactive network page
  kgraph export --out dump/                Turtle, N-Triples, JSON-LD, N-Quads, DCAT/VoID
  kgraph tables --out tables/              one CSV per record type, with CSVW metadata
  kgraph codebook --out codebook/          every variable of the tables explained
  kgraph dyads --out panel.csv             Korea-partner dyad-year panel (COW-coded)
  kgraph site --out site/ --no-notebooks   static site: a page per resource
  kgraph serve --site site/                the site, with /id/... IRIs answered by Accept
  kgraph serve --port 8000                 read-only SPARQL endpoint on loopback

Prefixes dd:, country:, agr:, adm:, rdfs:, xsd: ... are predeclared in queries.
Reasoning results are cached in the user cache folder ($KGRAPH_CACHE_DIR
overrides it)."""


DYADS_DESCRIPTION = """\
One row per Korea-state partner and year, from the later of 1948 and the partner's
entry into the COW state system to the last year the data covers, with its ISO,
COW (ccode, stateabb), Gleditsch-Ward and UN M49 codes and, per kind of tie (and
direction: _out, _in), the ties started in the year (_new), started by its end
(_cum), dated only to a longer period (_coarse, _cum_coarse) and undated
(_undated), and the deployments under way (deployment_out_active). Organisations,
missions and territories go to FILE's companion, <stem>-organisations<suffix>."""

DYADS_EPILOG = """\
coarse dates (the rule of kgraph.dates.years_of, as for every year-level output):
  a tie dated to a day, a month or a year counts in that year. A tie known only to a
  longer period (attache offices dated by decade, "1950s") fills each year of it in
  <kind>_new, flagged in <kind>_coarse, and joins <kind>_cum in the period's last year,
  flagged in <kind>_cum_coarse: subtract the flags to drop such ties. A tie with no date
  (some arms sales and exercises) is placed in no year and counted in <kind>_undated.

examples:
  kgraph dyads --out panel.csv
  kgraph dyads --out panel.dta --from-year 1990      Stata, with variable labels
  kgraph dyads --out panel.parquet                   needs pyarrow

merge with COW-keyed data on (ccode, year); Korea itself is ccode 732 (ROK)."""

#: What --data and kgraph validate read (kgraph.parsing.extensions() in short).
DATA_FILES = (".ttl Turtle, .nt N-Triples, .jsonld/.json JSON-LD, .rdf/.owl/.xml RDF/XML, .n3 N3, "
              "or a folder of them")


def _add_graph_options(p: argparse.ArgumentParser, top: bool = False) -> None:
    # A command's options leave unset what it is not given (SUPPRESS): otherwise its
    # defaults would wipe the same options given before the command (kgraph --add X query).
    p.add_argument("--data", metavar="FILE", action="append", type=Path,
                   default=None if top else argparse.SUPPRESS,
                   help=f"use these data files ({DATA_FILES}) instead of the bundled graph; "
                        "repeatable")
    _add_add_option(p, top)
    p.add_argument("--no-reasoning", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="skip OWL 2 RL reasoning (subclass queries then miss rows)")
    p.add_argument("--no-cache", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="recompute reasoning instead of reading the cache")


def _add_add_option(p: argparse.ArgumentParser, top: bool = False) -> None:
    p.add_argument("--add", metavar="FILE_OR_DIR", action="append", type=Path,
                   default=None if top else argparse.SUPPRESS,
                   help="layer records of your own on the graph: a CSV filled from kgraph template, "
                        "or RDF (Turtle ...), or a folder of them; repeatable (see README, "
                        "'Adding your own records')")


def _add_out(p: argparse.ArgumentParser, default: str, what: str = "output folder") -> None:
    p.add_argument("--out", metavar="DIR", type=Path, default=Path(default),
                   help=f"{what} (default: ./{default})")


def _add_format(p: argparse.ArgumentParser, default: str = "table") -> None:
    from .formats import FORMATS

    p.add_argument("--format", "-f", choices=FORMATS, default=default,
                   help=f"output format (default: {default})")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kgraph", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"kgraph {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    _add_out(p, "kgraph-out", "output folder of the main job")
    _add_graph_options(p, top=True)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    q = sub.add_parser("query", help="run a SPARQL query or a named query",
                       description="Run SPARQL: a query string, a .rq file, '-' for stdin, "
                                   "or the name of a named query (see: kgraph queries).")
    q.add_argument("query", help="SPARQL text, a file, '-' (stdin) or a named query")
    _add_format(q)
    q.add_argument("--lang", default="en", help="label language: en (default), ja, ko")
    q.add_argument("--iris", action="store_true", help="show IRIs instead of labels")
    q.add_argument("--engine", choices=("oxigraph", "rdflib"), default="oxigraph",
                   help="query engine for the local graph: oxigraph (fast, default) or rdflib "
                        "(the reference); both give the same rows for the named queries")
    q.add_argument("--endpoint", metavar="URL",
                   help="run the query on a remote SPARQL endpoint (e.g. a Virtuoso /sparql) "
                        "instead of the bundled graph")
    _add_graph_options(q)

    qs = sub.add_parser("queries", help="list the named queries and their questions")
    _add_format(qs)

    v = sub.add_parser("validate", help="check data against the SHACL shapes",
                       description="Validate the bundled graph, or the given data files, "
                                   "against the bundled SHACL shapes. Exit 1 if invalid.")
    v.add_argument("files", nargs="*", type=Path,
                   help=f"data files ({DATA_FILES}; default: the bundled graph)")
    _add_add_option(v)

    tp = sub.add_parser("template", help="a CSV to fill with records of your own (for --add)",
                        description="Print a CSV template for one type of record: comment lines on how "
                                    "to fill it, the header row and a fictitious example row. Fill it, "
                                    "then pass it to any command with --add FILE.")
    from .userdata import TEMPLATES

    tp.add_argument("type", nargs="?", choices=tuple(TEMPLATES), help="the type of record")
    tp.add_argument("--list", action="store_true", help="list the template types")
    tp.add_argument("--metadata", action="store_true",
                    help="print the template's CSV on the Web description (JSON) instead")

    s = sub.add_parser("stats", help="counts of triples and records per class")
    _add_format(s)
    _add_graph_options(s)

    from .network import MEASURES, PROJECTIONS

    n = sub.add_parser("network", help="write the partner network: an offline page, GraphML or GEXF",
                       description="Write Korea's partner network. --format html (default) writes "
                                   "one self-contained page, network.html, with every projection "
                                   "and a slice per administration; graphml and gexf write one "
                                   "projection for Gephi or Cytoscape.")
    _add_out(n, "kgraph-out")
    n.add_argument("--format", "-f", choices=("html", "graphml", "gexf"), default="html")
    n.add_argument("--projection", "-p", choices=PROJECTIONS, default="ego",
                   help="projection for graphml/gexf (default: ego)")
    n.add_argument("--size-by", choices=MEASURES, default="strength",
                   help="centrality that sizes the nodes (default: strength)")
    n.add_argument("--lang", default="en", choices=("en", "ja", "ko"),
                   help="labels: en (default), ja (Japanese labels and page text), ko")
    n.add_argument("--states-only", action="store_true",
                   help="graphml/gexf: leave out partners that are not states")
    _add_slice_options(n)
    _add_graph_options(n)

    c = sub.add_parser("centrality", help="centrality of each node of a projection",
                       description="Degree, strength (weighted degree), betweenness, closeness, "
                                   "eigenvector and PageRank per node of a projection.")
    c.add_argument("--projection", "-p", choices=PROJECTIONS + ("bipartite-projection",),
                   default="partners",
                   help="projection (default: partners, partners tied by the contexts they shared; "
                        "ego is a star, where centrality says little)")
    c.add_argument("--states-only", action="store_true",
                   help="leave out partners that are not states (organisations, missions, territories)")
    c.add_argument("--by", choices=MEASURES, default="strength", help="sort by (default: strength)")
    c.add_argument("--top", type=int, default=0, metavar="N", help="only the first N rows")
    _add_slice_options(c)
    _add_format(c)
    _add_graph_options(c)

    th = sub.add_parser("thesis", help="the report's thesis measured: partners, US share, regional "
                                       "spread per administration or decade",
                        description="Per administration (or decade), for the ties new in the period "
                                    "and for all ties reached by its end: partners, ties, ties with "
                                    "the United States and their share, regional spread over UN M49 "
                                    "sub-regions (entropy in bits; Herfindahl-Hirschman index) and "
                                    "kinds of tie per partner. A tie whose date straddles a change is "
                                    "a row of its own (see kgraph.thesis).")
    th.add_argument("--by", choices=("administration", "decade"), default="administration",
                    help="periods (default: administration)")
    th.add_argument("--scope", choices=("new", "reached", "both"), default="both",
                    help="ties new in the period, reached by its end, or both (default)")
    th.add_argument("--states-only", action="store_true",
                    help="leave out partners that are not states (organisations, missions, territories)")
    _add_format(th)
    _add_graph_options(th)

    e = sub.add_parser("export", help="write the publication dump (Turtle, N-Triples, JSON-LD, N-Quads, "
                                      "DCAT/VoID)",
                       description="Write deterministic dumps of the ontology, asserted, inferred "
                                   "and derived parts and their union (kgraph-*.ttl, .nt, .jsonld; "
                                   "kgraph-all.nq with the parts as named graphs), each also gzipped and "
                                   "under a versioned name, a DCAT 3/VoID description (void.ttl), the "
                                   "JSON-LD context (context.jsonld) and CITATION.cff.")
    _add_out(e, "kgraph-out/dump")
    e.add_argument("--base-iri", metavar="IRI",
                   help="publish instances under this base instead of https://w3id.org/defdip/id/")
    e.add_argument("--endpoint", metavar="URL", help="SPARQL endpoint to name in the VoID description")
    e.add_argument("--base-url", metavar="URL",
                   help="where the dump's files will be downloadable from, for the DCAT download "
                        "links (default https://w3id.org/defdip/dump/)")
    e.add_argument("--docs", action="store_true",
                   help="also write ontology.html with pyLODE (pip install pylode==3.3.4)")
    _add_graph_options(e)

    tb = sub.add_parser("tables", help="write the records as CSV files with CSVW metadata",
                        description="Write one CSV per record type (agreements, deployments, arms sales, "
                                    "exercises, events, wars, administrations, attaché offices, the "
                                    "1950 UN Command, the Vietnam War, white papers) and csv-metadata.json "
                                    "(W3C CSV on the Web), which maps every column to its ontology term.")
    _add_out(tb, "kgraph-out/tables")
    _add_graph_options(tb)

    st = sub.add_parser("site", help="write the static site: a page per resource, ontology, indexes, dump",
                        description="Write a static site any web server can host (or open from disk): "
                                    "a page and Turtle/N-Triples/JSON-LD/RDF/XML files for every resource, "
                                    "the ontology page, class indexes, the network page, the rendered "
                                    "notebooks, the codebook, the dump and the SPARQL page. The folder is "
                                    "replaced as a whole.")
    _add_out(st, "kgraph-out/site")
    st.add_argument("--base-url", metavar="URL",
                    help="where the site will be hosted (for canonical links and the dump's download URLs)")
    st.add_argument("--no-notebooks", action="store_true",
                    help="leave out the rendered notebooks (executing them is the slow part)")
    _add_graph_options(st)

    cb = sub.add_parser("codebook", help="write the codebook of the tables (Markdown and HTML)",
                        description="Write codebook.md and index.html: every column of kgraph tables with "
                                    "its ontology term, datatype, allowed values, coverage by year, and "
                                    "each table's known gaps and the report's inconsistencies.")
    _add_out(cb, "codebook")
    _add_graph_options(cb)

    dy = sub.add_parser("dyads", help="write the Korea-partner dyad-year panel (CSV, Parquet, Stata)",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description=DYADS_DESCRIPTION,
                        epilog=DYADS_EPILOG)
    dy.add_argument("--out", metavar="FILE", type=Path, required=True,
                    help="the panel file; .csv, .parquet or .dta picks the format")
    dy.add_argument("--format", "-f", choices=("csv", "parquet", "dta"), default=None,
                    help="output format (default: by FILE's suffix, else csv); parquet needs pyarrow "
                         "(pip install 'kgraph[research]')")
    dy.add_argument("--from-year", type=int, metavar="YEAR", help="first year (default: 1948)")
    dy.add_argument("--to-year", type=int, metavar="YEAR",
                    help="last year (default: the last year the data covers)")
    _add_graph_options(dy)

    sv = sub.add_parser("serve", help="serve the graph over the SPARQL 1.1 protocol",
                        description="Run a read-only SPARQL 1.1 Protocol endpoint at /sparql (GET, POST, "
                                    "HEAD, OPTIONS; SPARQL JSON, XML, CSV, TSV results; Turtle, N-Triples, "
                                    "RDF/XML, JSON-LD, N-Quads, TriG for CONSTRUCT and DESCRIBE; a service "
                                    "description; CORS) and the YASGUI query page at /. Queries run in "
                                    "worker processes, each stopped at its time limit and capped in memory. "
                                    "Updates, SERVICE and LOAD are refused.")
    sv.add_argument("--host", default="127.0.0.1",
                    help="address to bind (default: 127.0.0.1, loopback only)")
    sv.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    sv.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                    help="per-query time limit; the query's worker is killed at it (default: 10)")
    sv.add_argument("--max-results", type=int, default=10000, metavar="N",
                    help="most result rows (or triples) returned (default: 10000)")
    sv.add_argument("--max-body", type=int, default=1_000_000, metavar="BYTES",
                    help="largest request body accepted (default: 1000000)")
    sv.add_argument("--workers", type=int, default=_default_workers(), metavar="N",
                    help="query worker processes, each with the whole graph (default: the number "
                         f"of CPUs, at least 2: {_default_workers()} here); one more is kept in reserve")
    sv.add_argument("--memory-limit", type=int, default=1024, metavar="MB",
                    help="memory each worker may use beyond its loaded graph; a query that needs "
                         "more fails alone (default: 1024; 0: no limit)")
    sv.add_argument("--cors", default="*", metavar="ORIGINS",
                    help="origins allowed to query from a browser, comma-separated (default: *, any; "
                         "'' turns CORS off)")
    sv.add_argument("--max-connections", type=int, default=1000, metavar="N",
                    help="open connections and requests at once; more get 503 (default: 1000)")
    sv.add_argument("--quiet", "-q", action="store_true",
                    help="do not log one line per request on stderr")
    sv.add_argument("--site", type=Path, default=None, metavar="DIR",
                    help="serve the static site written by `kgraph site` at / (the query page stays at "
                         "/sparql); without it, /id/... and /ontology are answered from the graph")
    _add_graph_options(sv)

    pb = sub.add_parser("publish", help="load the graph into a triple store (Graph Store Protocol)",
                        description="Load the ontology, the asserted graph, the inferred graph and the "
                                    "derived facts into a SPARQL store over the Graph Store Protocol, "
                                    "each into its own named graph under the dataset IRI, replacing "
                                    "the previous version.")
    pb.add_argument("--store", metavar="URL", required=True,
                    help="Graph Store Protocol endpoint, e.g. "
                         "http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso)")
    pb.add_argument("--update", metavar="URL",
                    help="SPARQL Update endpoint of the same store (default: derived from --store)")
    pb.add_argument("--user", default=None, help="user name (or $KGRAPH_STORE_USER)")
    pb.add_argument("--password", default=None,
                    help="password (better: $KGRAPH_STORE_PASSWORD, kept out of the shell history)")
    pb.add_argument("--auth", choices=("digest", "basic"), default="digest",
                    help="HTTP authentication scheme (default: digest, as Virtuoso wants)")
    pb.add_argument("--dataset", metavar="IRI", default="https://w3id.org/defdip/dataset",
                    help="dataset IRI; named graphs go under it (default: %(default)s)")
    pb.add_argument("--verify", action="store_true",
                    help="publish nothing: read the completion marker back, check the live graphs' "
                         "counts and checksums against it and say complete (exit 0) or incomplete (1)")
    pb.add_argument("--isql-port", type=int, metavar="PORT", default=None,
                    help="Virtuoso's SQL port, for a checkpoint through isql-vt on loopback when "
                         "SPARQL cannot run it (default: read from the server)")
    _add_graph_options(pb)

    fg = sub.add_parser("figures", help="write the matplotlib figures (PNG and SVG)",
                        description="Agreements per administration (the report's Figures 4-6, "
                                    "rebuilt) and the timeline of deployments.")
    _add_out(fg, "kgraph-out")
    _add_graph_options(fg)
    return p


def _default_workers() -> int:
    import os

    return max(2, os.cpu_count() or 1)


def _years(text: str) -> tuple[int, int]:
    import re

    m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError("expected YEAR or FROM-TO, e.g. 2008-2013")
    a = int(m[1])
    b = int(m[2]) if m[2] else a
    if b < a:
        raise argparse.ArgumentTypeError(f"the range {text} ends before it starts")
    return a, b


def _add_slice_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--years", type=_years, metavar="FROM-TO",
                   help="only ties dated within these years, e.g. 2008-2013")
    g.add_argument("--administration", metavar="KEY",
                   help="only ties under one administration, e.g. lee-myung-bak")


def _quiet_ill_typed_literals() -> None:
    """Validation reports each ill-typed literal in one line (kgraph.literals);
    the traceback rdflib prints for each while parsing is noise."""
    import logging
    import warnings

    logging.getLogger("rdflib.term").addFilter(
        lambda r: not r.getMessage().startswith("Failed to convert Literal lexical form"))
    warnings.filterwarnings("ignore", message="Parsing weird boolean")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _quiet_ill_typed_literals()
    try:
        return _dispatch(args)
    except KgraphError as exc:
        if args.debug:
            raise
        print(f"kgraph: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kgraph: interrupted", file=sys.stderr)
        sys.stderr.flush()
        # A query may still be running in a worker thread (Oxigraph cannot be stopped
        # from Python): leave now rather than wait for it at interpreter exit.
        if _workers_running():
            os._exit(130)
        return 130
    except BrokenPipeError:
        return 0   # the reader (head, less) closed the pipe: not an error
    except OSError as exc:
        # A file or folder the user named: say which and why, without a traceback.
        if args.debug:
            raise
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"kgraph: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except RecursionError:
        if args.debug:
            raise
        print("kgraph: error: the input is nested too deeply for kgraph to read", file=sys.stderr)
        return 1
    except Exception as exc:
        # A bug of kgraph's, not the user's: one line, and a distinct exit code
        # (EX_SOFTWARE) so that scripts and the fuzz suite can tell it apart.
        if args.debug:
            raise
        text = str(exc).splitlines()[0][:300] if str(exc) else ""
        print(f"kgraph: internal error: {type(exc).__name__}: {text}\n"
              "  hint: run again with --debug for the traceback, and please report it", file=sys.stderr)
        return INTERNAL_ERROR


#: Exit status of an unexpected failure (a bug), as sysexits.h's EX_SOFTWARE.
INTERNAL_ERROR = 70


def _workers_running() -> bool:
    import threading

    return any(t.name == "kgraph-query" and t.is_alive() for t in threading.enumerate())


def _dispatch(args: argparse.Namespace) -> int:
    from . import commands

    cmd = args.command or "main"
    return int(getattr(commands, "cmd_" + cmd.replace("-", "_"))(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
