"""``kgraph serve``: a read-only SPARQL 1.1 Protocol endpoint over the graph, with
an offline query page.

Routes: ``/sparql`` (the query operation of the protocol: GET ``?query=``, POST
form-encoded, POST ``application/sparql-query``), ``/`` (the query page),
``/queries`` (the named queries as JSON), ``/prefixes`` (the predeclared prefixes
as JSON) and ``/static/*`` (the page's script and style sheet, package data).

Safety, because anyone who can reach the port can send a query:

- Updates are refused with 403 (``update=``, ``application/sparql-update``, or an
  update operation sent as a query). ``SERVICE`` and ``LOAD`` are refused with
  400: rdflib would fetch the URL. ``FROM`` / ``FROM NAMED`` and the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` are ignored: rdflib fetches nothing
  for them on a plain graph, and the dataset is always the whole graph.
- Each query has a time limit (``timeout``): it runs in a worker thread and the
  client gets 503 when time is up. rdflib's evaluator cannot be interrupted from
  outside, so the worker goes on; it sees every triple-pattern lookup through a
  view of the graph that raises once the deadline has passed, so a runaway join
  stops at its next lookup. Work done between lookups (sorting, grouping or
  serialising rows already found, parsing a huge query, a catastrophic REGEX)
  cannot be stopped, so a semaphore bounds how many queries run at once
  (``max_running``). Waiting for a slot counts against the time limit; a query
  that gets none in time is answered 503 with ``Retry-After``.
- A SELECT with more than ``max_results`` rows (a CONSTRUCT or DESCRIBE with more
  triples) is truncated to the cap and answered 200 with the header
  ``X-Kgraph-Truncated: true`` (and ``X-Kgraph-Result-Limit``): the rows a client
  gets are real rows, and the header says there are more.
- Request bodies over ``max_body`` bytes get 413; a POST without a valid
  ``Content-Length`` gets 411 (missing, or chunked) or 400 (not a number).
- The server binds loopback (127.0.0.1) unless told otherwise.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import signal
import socket
import socketserver
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from itertools import islice
from types import FrameType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node, Variable

from . import __version__
from .errors import KgraphError
from .namespaces import PREFIXES
from .sparql import _syntax_error, named_queries

# --- Media types and content negotiation ---------------------------------------------------

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"

_TABULAR = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
_GRAPH = (TURTLE, NTRIPLES, JSONLD)

#: What each query form can be answered in, the default first.
OFFERS: dict[str, tuple[str, ...]] = {
    "SELECT": _TABULAR, "ASK": _TABULAR, "CONSTRUCT": _GRAPH, "DESCRIBE": _GRAPH}

#: Short names for the ``format`` parameter.
_FORMAT_NAMES = {"json": (SPARQL_JSON, JSONLD), "xml": (SPARQL_XML,), "csv": (CSV,), "tsv": (TSV,),
                 "turtle": (TURTLE,), "ttl": (TURTLE,), "nt": (NTRIPLES,), "ntriples": (NTRIPLES,),
                 "n-triples": (NTRIPLES,), "json-ld": (JSONLD,), "jsonld": (JSONLD,)}

_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
          "DescribeQuery": "DESCRIBE"}


def _canonical(media_type: str, form: str) -> str:
    """The type we offer that a client's synonym stands for (``application/json`` is
    SPARQL JSON for a table and JSON-LD for a graph)."""
    tabular = form in ("SELECT", "ASK")
    if media_type == "application/json":
        return SPARQL_JSON if tabular else JSONLD
    if media_type in ("application/xml", "text/xml") and tabular:
        return SPARQL_XML
    if media_type in ("text/plain", "application/ntriples") and not tabular:
        return NTRIPLES
    if media_type == "application/x-turtle":
        return TURTLE
    return media_type


def _accept_ranges(header: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q values."""
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    # The most specific matching range decides (RFC 9110, section 12.5.1).
    top = offer.split("/")[0]
    specificity, quality = -1, 0.0
    for media, q in ranges:
        rank = 2 if media == offer else 1 if media == f"{top}/*" else 0 if media == "*/*" else -1
        if rank > specificity:
            specificity, quality = rank, q
    return quality


def negotiate(form: str, accept: str, fmt: str | None = None) -> str:
    """The media type to answer a ``form`` query in, from the ``format`` parameter
    (wins) or the Accept header; HttpError 406 when nothing offered is acceptable."""
    offers = OFFERS[form]
    if fmt:
        key = fmt.strip().lower()
        wanted = _FORMAT_NAMES.get(key) or ((_canonical(key, form),) if "/" in key else None)
        if wanted is None:
            raise HttpError(400, f"unknown format={fmt}: use json, xml, csv or tsv for SELECT and ASK, "
                                 "turtle, nt or json-ld for CONSTRUCT and DESCRIBE")
        for media in wanted:
            if media in offers:
                return media
        raise HttpError(406, f"format={fmt} is not available for a {form} query: use one of "
                             + ", ".join(offers))
    if not accept.strip():
        return offers[0]
    ranges = [(_canonical(m, form), q) for m, q in _accept_ranges(accept)]
    best, best_q = None, 0.0
    for offer in offers:
        q = _quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    if best is None:
        raise HttpError(406, f"cannot answer a {form} query in any type the Accept header allows "
                             f"({accept.strip()[:200]}): use one of " + ", ".join(offers))
    return best


# --- Answers and errors ----------------------------------------------------------------------

@dataclass
class Answer:
    """An HTTP response before it is sent."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    """A request we refuse: its status and a one-line (or few-line) plain message."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None,
                 close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        # After an error met before the body was read, the connection cannot be reused.
        self.close = close

    def answer(self) -> Answer:
        return Answer(self.status, "text/plain; charset=utf-8", (self.message + "\n").encode("utf-8"),
                      self.headers)


class QueryTimeout(Exception):
    """Raised inside a query's worker once its deadline has passed."""


# --- Refusing what a public endpoint must not do -------------------------------------------------

def refuse_unsafe(text: str) -> None:
    """HttpError for an update (403) or for SERVICE/LOAD, an over-deep or
    over-large query (400), before parsing: kgraph.sparqllex decides."""
    from .sparqllex import QueryRefused, check_query

    try:
        check_query(text)
    except QueryRefused as exc:
        if exc.kind == "update":
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused "
                                 f"({exc.message})") from exc
        if exc.kind in ("remote", "limit"):
            raise HttpError(400, exc.message) from exc
        # A syntax slip or an unknown prefix: the parser words it below.


def _has_service(node: Any) -> bool:
    # Defence in depth behind check_offline: look for SERVICE in the parsed algebra.
    if isinstance(node, Mapping):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        return any(_has_service(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_service(v) for v in node)
    return False


# --- Parsing, with a cache -------------------------------------------------------------------

class _QueryPool:
    """Prepared queries by text, each lent to one evaluation at a time.

    A prepared query cannot be shared by concurrent evaluations: rdflib's
    expressions keep the current solution on themselves while they are evaluated
    (``Expr.eval`` sets ``self.ctx``), so two threads evaluating one query object
    mix up each other's rows (seen as a 47th row of straddling-records under load).
    Each text therefore has a few idle copies, at most one per running query; and
    rdflib's parser (pyparsing) is not thread-safe either (RDFLib/rdflib#1282), so
    new copies are parsed under a lock.
    """

    def __init__(self, texts: int = 128, copies: int = 4) -> None:
        self._texts = texts
        self._copies = copies
        self._idle: OrderedDict[str, list[Query]] = OrderedDict()
        self._lock = threading.Lock()
        self._parse_lock = threading.Lock()

    def take(self, text: str) -> Query:
        """A prepared query for ``text`` that no one else is using (HttpError 400 if
        it does not parse)."""
        with self._lock:
            idle = self._idle.get(text)
            if idle:
                return idle.pop()
        from rdflib.plugins.sparql import prepareQuery

        with self._parse_lock:
            try:
                return prepareQuery(text, initNs=PREFIXES)
            except Exception as exc:  # pyparsing and rdflib raise many unrelated types
                raise HttpError(400, _syntax_error(text, exc).message) from exc

    def give_back(self, text: str, prepared: Query) -> None:
        """Return a copy after an evaluation that ran to its end."""
        with self._lock:
            idle = self._idle.setdefault(text, [])
            self._idle.move_to_end(text)
            if len(idle) < self._copies:
                idle.append(prepared)
            while len(self._idle) > self._texts:
                self._idle.popitem(last=False)


# --- Evaluation under a deadline -------------------------------------------------------------

class _DeadlineGraph(Graph):
    """A read-only view of ``graph`` (same store) whose triple lookups raise
    QueryTimeout once ``deadline`` (time.monotonic) has passed."""

    def __init__(self, graph: Graph, deadline: float) -> None:
        super().__init__(store=graph.store, identifier=graph.identifier,
                         namespace_manager=graph.namespace_manager)
        self._base = graph
        self._deadline = deadline

    def triples(self, triple: Any) -> Iterator[Any]:  # type: ignore[override]
        # Every basic graph pattern, property path and DESCRIBE goes through here.
        if time.monotonic() > self._deadline:
            raise QueryTimeout
        s, p, o = triple
        if isinstance(p, PropertyPath):
            for n, (ps, po) in enumerate(p.eval(self, s, o)):
                if n & 255 == 255 and time.monotonic() > self._deadline:
                    raise QueryTimeout
                yield ps, p, po
            return
        # The base graph as context, so the store's context map keeps the real graph.
        for n, (t, _) in enumerate(self.store.triples((s, p, o), context=self._base)):
            if n & 255 == 255 and time.monotonic() > self._deadline:
                raise QueryTimeout
            yield t


def _tsv_term(term: Node | None) -> str:
    """A term in SPARQL 1.1 TSV: Turtle syntax with tabs and newlines escaped."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                .replace("\r", "\\r").replace("\t", "\\t"))
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    return str(term)


def _select_body(variables: list[Variable], rows: list[Mapping[Variable, Identifier]], media: str) -> bytes:
    if media == TSV:
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_term(r.get(v)) for v in variables) for r in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    result = Result("SELECT")
    result.vars = variables
    result.bindings = rows
    out = result.serialize(format={SPARQL_JSON: "json", SPARQL_XML: "xml", CSV: "csv"}[media])
    return out or b""


def _ask_body(answer: bool, media: str) -> bytes:
    if media in (CSV, TSV):
        # The standard defines no CSV/TSV for ASK; answer as Jena does: a header and the value.
        return f"_askResult\r\n{'true' if answer else 'false'}\r\n".encode()
    result = Result("ASK")
    result.askAnswer = answer
    return result.serialize(format="json" if media == SPARQL_JSON else "xml") or b""


def _graph_body(triples: list[tuple[Node, Node, Node]], media: str) -> bytes:
    from .parsing import new_graph

    g = new_graph()
    for t in triples:
        g.add(t)
    fmt = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld"}[media]
    return g.serialize(format=fmt, encoding="utf-8")


@dataclass
class _Job:
    text: str
    accept: str
    fmt: str | None
    deadline: float
    done: threading.Event = field(default_factory=threading.Event)
    answer: Answer | None = None
    error: HttpError | None = None


class QueryRunner:
    """Runs queries on one graph: refuse, parse (pooled), negotiate, evaluate in a
    worker under a deadline, cap the results, serialise."""

    def __init__(self, graph: Graph, *, timeout: float, max_results: int, max_running: int) -> None:
        self.graph = graph
        graph.namespace_manager  # noqa: B018 -- create it now, not from racing workers
        self.timeout = timeout
        self.max_results = max_results
        self.max_running = max_running
        #: One permit per query allowed to run; a timed-out query keeps its permit
        #: until its worker has really stopped.
        self.slots = threading.BoundedSemaphore(max_running)
        self._pool = _QueryPool(copies=max_running)
        self._lock = threading.Lock()
        self.stats = {"queries": 0, "timeouts": 0, "busy": 0, "running": 0, "truncated": 0}

    def _count(self, key: str, delta: int = 1) -> None:
        with self._lock:
            self.stats[key] += delta

    @property
    def running(self) -> int:
        """Queries whose worker has not finished yet (timed-out ones included)."""
        return self.stats["running"]

    def answer(self, text: str, *, accept: str = "", fmt: str | None = None) -> Answer:
        """The HTTP answer to a query; raises HttpError for anything refused."""
        if not text.strip():
            raise HttpError(400, "the query is empty: send a SPARQL query in the query parameter")
        refuse_unsafe(text)
        deadline = time.monotonic() + self.timeout
        if not self.slots.acquire(timeout=self.timeout):
            self._count("busy")
            raise HttpError(503, f"server busy: {self.max_running} queries are already running; "
                                 "try again shortly", headers={"Retry-After": "1"})
        self._count("queries")
        self._count("running")
        job = _Job(text, accept, fmt, deadline)
        try:
            threading.Thread(target=self._work, args=(job,), name="kgraph-query", daemon=True).start()
        except BaseException:
            self._finish(job)
            raise
        job.done.wait(max(0.0, deadline - time.monotonic()))
        if job.error is not None:
            raise job.error
        if job.answer is None:  # still running, or stopped at its deadline
            self._count("timeouts")
            raise HttpError(503, f"query timed out after {self.timeout:g} s: narrow it down (a LIMIT, "
                                 "fewer OPTIONALs, a more selective first pattern)")
        return job.answer

    def _finish(self, job: _Job) -> None:
        self._count("running", -1)
        self.slots.release()
        job.done.set()

    def _work(self, job: _Job) -> None:
        try:
            job.answer = self._evaluate(job)
        except QueryTimeout:
            pass  # the client has been answered 503 already
        except HttpError as exc:
            job.error = exc
        except Exception as exc:  # an evaluation error of rdflib: the query's fault
            job.error = HttpError(400, f"SPARQL evaluation failed: {exc}")
        finally:
            self._finish(job)

    def _evaluate(self, job: _Job) -> Answer:
        prepared = self._pool.take(job.text)
        try:
            form, media = self._form_and_media(prepared, job)
        except HttpError:
            self._pool.give_back(job.text, prepared)  # refused before evaluation: still clean
            raise
        answer, complete = self._evaluate_prepared(prepared, form, media, job)
        if complete:  # a copy whose evaluation stopped half-way is not reused
            self._pool.give_back(job.text, prepared)
        return answer

    @staticmethod
    def _form_and_media(prepared: Query, job: _Job) -> tuple[str, str]:
        if _has_service(prepared.algebra):
            raise HttpError(400, "SPARQL SERVICE is not allowed: kgraph never fetches data from other hosts")
        form = _FORMS.get(prepared.algebra.name)
        if form is None:
            raise HttpError(400, f"unsupported query form {prepared.algebra.name}")
        return form, negotiate(form, job.accept, job.fmt)

    def _evaluate_prepared(self, prepared: Query, form: str, media: str, job: _Job) -> tuple[Answer, bool]:
        complete = True
        view = _DeadlineGraph(self.graph, job.deadline)
        result = view.query(prepared, initNs=PREFIXES)
        headers = {"Vary": "Accept"}
        if form == "ASK":
            body = _ask_body(bool(result.askAnswer), media)
        elif form == "SELECT":
            variables = list(result.vars or [])
            rows: list[Mapping[Variable, Identifier]] = [
                {v: t for v, t in zip(variables, cast(ResultRow, row), strict=True) if t is not None}
                for row in islice(result, self.max_results + 1)]
            if len(rows) > self.max_results:
                rows = rows[:self.max_results]
                headers.update(self._truncated())
                complete = False
            body = _select_body(variables, rows, media)
        else:
            triples = list(islice(iter(result.graph or ()), self.max_results + 1))
            if len(triples) > self.max_results:
                triples = triples[:self.max_results]
                headers.update(self._truncated())
            body = _graph_body(triples, media)
        if time.monotonic() > job.deadline:
            raise QueryTimeout
        charset = "" if media == JSONLD else "; charset=utf-8"
        return Answer(200, media + charset, body, headers), complete

    def _truncated(self) -> dict[str, str]:
        self._count("truncated")
        return {"X-Kgraph-Truncated": "true", "X-Kgraph-Result-Limit": str(self.max_results)}


# --- HTTP ----------------------------------------------------------------------------------------

#: How much of an oversized body is read (and dropped) before answering 413.
_DRAIN_LIMIT = 1 << 20

_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8"}
_PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _static_files() -> dict[str, bytes]:
    """The query page's files (package data in kgraph/static), by file name."""
    folder = resources.files("kgraph") / "static"
    return {f.name: f.read_bytes() for f in folder.iterdir()
            if f.is_file() and any(f.name.endswith(ext) for ext in _STATIC_TYPES)}


def _json(value: Any) -> Answer:
    return Answer(200, "application/json", json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"))


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server of ``kgraph serve``; ``runner`` runs the queries."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], runner: QueryRunner, *, max_body: int,
                 quiet: bool) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.runner = runner
        self.max_body = max_body
        self.quiet = quiet
        self.static = _static_files()
        self.requests = 0
        self._count_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # One line, not socketserver's traceback: a client that hangs up is no error of ours.
        exc = sys.exc_info()[1]
        if not self.quiet and not isinstance(exc, ConnectionError):
            sys.stderr.write(f"kgraph: {client_address[0]}: {type(exc).__name__}: {exc}\n")

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup; we need no name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def url(self) -> str:
        """The base URL, ending in '/'."""
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def count_request(self) -> None:
        with self._count_lock:
            self.requests += 1


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"  # keep-alive: load tests and browsers reuse connections
    server_version = f"kgraph/{__version__}"
    timeout = 60  # an idle keep-alive connection gives its thread back after a minute

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        start = time.perf_counter()
        self.server.count_request()
        try:
            answer = self._route(method)
        except HttpError as exc:
            if exc.close:
                self.close_connection = True
            answer = exc.answer()
        except Exception as exc:  # a bug of ours: say so rather than drop the connection
            answer = HttpError(500, f"internal error: {type(exc).__name__}: {exc}").answer()
        self._send(answer)
        self._log(method, answer.status, start)

    def _route(self, method: str) -> Answer:
        path = urlsplit(self.path).path
        if path == "/sparql":
            return self._sparql(method)
        routes = {"/": "index.html", "/index.html": "index.html"}
        name = routes.get(path) or (path[len("/static/"):] if path.startswith("/static/") else None)
        if name is not None and name in self.server.static:
            self._only(method, "GET")
            ctype = _STATIC_TYPES["." + name.rsplit(".", 1)[-1]]
            headers = {"Content-Security-Policy": _PAGE_POLICY, "Referrer-Policy": "no-referrer"}
            return Answer(200, ctype, self.server.static[name], headers)
        if path == "/queries":
            self._only(method, "GET")
            return _json([{"name": q.name, "title": q.title, "question": q.question, "text": q.text}
                          for q in named_queries()])
        if path == "/favicon.ico":  # browsers ask for it; say "nothing" rather than log a 404
            return Answer(204, "image/x-icon", b"")
        if path == "/prefixes":
            self._only(method, "GET")
            return _json(PREFIXES)
        raise HttpError(404, f"no such page: {path} (the endpoint is /sparql, the query page is /)")

    def _only(self, method: str, allowed: str) -> None:
        if method != allowed:
            raise HttpError(405, f"{method} is not allowed here: use {allowed}", headers={"Allow": allowed},
                            close=True)

    def _sparql(self, method: str) -> Answer:
        params = self._params(urlsplit(self.path).query)
        text: str | None = None
        if method == "POST":
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused", close=True)
            if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query"):
                raise HttpError(415, f"unsupported Content-Type '{ctype or '(none)'}': POST "
                                     "application/sparql-query or application/x-www-form-urlencoded",
                                close=True)
            body = self._text(self._body())
            if ctype == "application/sparql-query":
                text = body
            else:
                for key, values in self._params(body).items():
                    params.setdefault(key, []).extend(values)
        if "update" in params:
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
        if text is None:
            queries = params.get("query", [])
            if not queries:
                raise HttpError(400, "missing the query parameter: send /sparql?query=... or POST it "
                                     "(the query page is at /)")
            if len(queries) > 1:
                raise HttpError(400, "more than one query parameter: send one query per request")
            text = queries[0]
        fmt = params.get("format", [None])[-1]
        return self.server.runner.answer(text, accept=self.headers.get("Accept", ""), fmt=fmt)

    @staticmethod
    def _params(qs: str) -> dict[str, list[str]]:
        try:
            return parse_qs(qs, keep_blank_values=True, strict_parsing=False, max_num_fields=100,
                            errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            raise HttpError(400, f"malformed parameters: {exc}") from exc

    @staticmethod
    def _text(body: bytes) -> str:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HttpError(400, f"the request body is not UTF-8 (byte {exc.start})") from exc

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise HttpError(411, "chunked request bodies are not accepted: send a Content-Length",
                            close=True)
        raw = self.headers.get("Content-Length")
        if raw is None:
            raise HttpError(411, "POST needs a Content-Length header", close=True)
        try:
            length = int(raw)
            if length < 0:
                raise ValueError(raw)
        except ValueError:
            raise HttpError(400, f"invalid Content-Length: {raw!r}", close=True) from None
        if length > self.server.max_body:
            # Read (a bounded part of) the body first: closing a socket with unread data
            # resets it, and the client would never see the 413.
            self._discard(min(length, _DRAIN_LIMIT))
            raise HttpError(413, f"request body of {length} bytes is over the limit of "
                                 f"{self.server.max_body}: send a shorter query, or restart the server "
                                 "with a larger --max-body", close=True)
        body = self.rfile.read(length)
        if len(body) != length:
            raise HttpError(400, f"the body ended after {len(body)} of {length} bytes", close=True)
        return body

    def _discard(self, n: int) -> None:
        try:
            while n > 0:
                chunk = self.rfile.read(min(n, 65536))
                if not chunk:
                    return
                n -= len(chunk)
        except OSError:
            pass

    def _send(self, answer: Answer) -> None:
        try:
            self._write(answer)
        except ConnectionError:
            self.close_connection = True  # the client went away before reading its answer

    def _write(self, answer: Answer) -> None:
        self.send_response(answer.status)
        if answer.status != 204:  # a 204 carries neither body nor length (RFC 9110, 8.6)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in answer.headers.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer.body)

    def _log(self, method: str, status: int, start: float) -> None:
        if not self.server.quiet:
            path = urlsplit(self.path).path
            ms = (time.perf_counter() - start) * 1000
            sys.stderr.write(f"kgraph: {self.client_address[0]} {method} {path} {status} {ms:.1f} ms\n")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # _log writes one line per request, with its duration

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 -- the base class's name
        if not self.server.quiet:
            sys.stderr.write(f"kgraph: {self.address_string()} {format % args}\n")


# --- Starting and stopping -------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or 'localhost')."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(graph: Graph, *, host: str = "127.0.0.1", port: int = 8000, timeout: float = 10.0,
                max_results: int = 10000, max_body: int = 1_000_000, max_running: int = 4,
                quiet: bool = False) -> SparqlServer:
    """A bound, not yet serving, endpoint over ``graph`` (port 0 picks a free port;
    the chosen one is in ``server.url``)."""
    if timeout <= 0:
        raise KgraphError(f"--timeout must be positive, not {timeout:g}")
    if max_results < 1:
        raise KgraphError(f"--max-results must be at least 1, not {max_results}")
    if max_body < 1:
        raise KgraphError(f"--max-body must be at least 1, not {max_body}")
    if not 0 <= port <= 65535:
        raise KgraphError(f"--port must be between 0 and 65535, not {port}")
    runner = QueryRunner(graph, timeout=timeout, max_results=max_results, max_running=max_running)
    host = host.strip("[]")
    try:
        return SparqlServer((host, port), runner, max_body=max_body, quiet=quiet)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise KgraphError(f"port {port} is in use: choose another with --port") from exc
        if exc.errno == errno.EACCES:
            raise KgraphError(f"no permission to listen on port {port}: choose one above 1023 "
                              "with --port") from exc
        raise KgraphError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                          hint="use --host 127.0.0.1 (loopback) or an address of this machine") from exc


def serve(graph: Graph, *, host: str, port: int, timeout: float, max_results: int, max_body: int,
          quiet: bool = False) -> None:
    """Serve ``graph`` until Ctrl-C (or SIGTERM), then return."""
    server = make_server(graph, host=host, port=port, timeout=timeout, max_results=max_results,
                         max_body=max_body, quiet=quiet)
    if not is_loopback(host):
        print(f"kgraph: warning: listening on {host or 'every interface'}: other machines can reach "
              "this endpoint (use --host 127.0.0.1 to keep it local)", file=sys.stderr)
    print(f"kgraph: serving SPARQL at {server.url}sparql (query page {server.url}; Ctrl-C to stop)",
          file=sys.stderr, flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        print("kgraph: stopped", file=sys.stderr)


__all__ = ["Answer", "HttpError", "QueryRunner", "SparqlServer", "is_loopback", "make_server",
           "negotiate", "serve"]
