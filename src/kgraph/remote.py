"""Queries against a remote SPARQL endpoint (SPARQL 1.1 Protocol over HTTP).

``remote_query`` POSTs a query, with the project prefixes predeclared, and
returns a :class:`RemoteResult` that the CLI uses exactly like rdflib's
``Result``: ``.type``, ``.vars``, rows of rdflib terms (typed literals keep
their datatypes, so dates and numbers normalise as they do in-process),
``.askAnswer`` and ``.graph``.  The HTTP helpers here (``open_url`` and its
one-line errors) are shared with :mod:`kgraph.publish`.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import KgraphError
from .prefixes import PREFIXES
from .querytext import check_offline

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node, Variable

#: Seconds a remote query may take before kgraph gives up on it.
QUERY_TIMEOUT = 60.0
#: Longest piece of a server's error text quoted in a message.
MESSAGE_CHARS = 300

_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
_ENDPOINT_HINT = "is it a SPARQL endpoint (Virtuoso: http://HOST:8890/sparql)?"
_SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

_RDF_MEDIA = {"text/turtle": "turtle", "application/x-turtle": "turtle",
              "application/n-triples": "nt", "text/plain": "nt", "text/ntriples": "nt",
              "application/rdf+xml": "xml", "application/ld+json": "json-ld",
              "application/n-quads": "nquads", "application/trig": "trig"}


# --- HTTP with one-line errors ----------------------------------------------------------------

_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


def check_url(url: str, option: str, example: str = "http://127.0.0.1:8890/sparql") -> str:
    """``url`` if it is an absolute http(s) URL that is also a valid IRI (no
    space, quote, angle bracket...), else a KgraphError naming ``option``."""
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        parts, port_ok = urllib.parse.urlsplit(""), False
    bad = _NOT_IN_IRI.search(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or bad:
        why = f"it contains {bad[0]!r}, which no IRI may hold" if bad else "it is not an http(s) URL"
        raise KgraphError(f"{option} {url!r} is refused: {why}; for example {option} {example}")
    return url


def check_base_iri(iri: str, option: str = "--base-iri") -> str:
    """``iri`` if it can prefix instance IRIs: an http(s) IRI ending in '/' or '#'."""
    check_url(iri, option, "https://example.org/defdip/id/")
    if not iri.endswith(("/", "#")):
        raise KgraphError(f"{option} {iri!r} must end in '/' or '#' (instance keys are appended "
                          f"to it); for example {option} https://example.org/defdip/id/")
    return iri


def server_message(body: bytes, content_type: str | None = None) -> str:
    """The gist of an error body on one line: the text of Virtuoso's ``<xmp>``
    block or of an HTML page without its tags, or the plain text; truncated."""
    text = body.decode("utf-8", errors="replace")
    if "<" in text and re.search(r"<(html|body|h1|xmp|title)\b", text, re.IGNORECASE):
        m = re.search(r"<xmp>([\s\S]*?)</xmp>", text, re.IGNORECASE)
        if m:
            text = m[1]
        else:
            text = re.sub(r"<(script|style|title)\b[\s\S]*?</\1>", " ", text, flags=re.IGNORECASE)
            text = re.sub(r"<[^>]+>", " ", text)
    # Virtuoso echoes the whole query after the error; the error itself comes first.
    text = re.split(r"\n\s*SPARQL query:", text, maxsplit=1)[0]
    text = " ".join(text.split())
    if len(text) > MESSAGE_CHARS:
        text = text[:MESSAGE_CHARS - 1].rstrip() + "…"
    return text


def unreachable(url: str, exc: BaseException) -> KgraphError:
    """The one-line error for a store or endpoint that did not answer."""
    reason: Any = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        why = "connection refused"
    elif isinstance(reason, (TimeoutError, socket.timeout)):
        why = "no answer in time"
    elif isinstance(reason, socket.gaierror):
        why = "unknown host"
    elif isinstance(reason, ConnectionResetError):
        why = "the connection was reset"
    else:
        why = str(getattr(reason, "strerror", None) or reason) or type(reason).__name__
    return KgraphError(f"cannot reach {url}: {why}; is the store running?")


@dataclass
class Response:
    """An HTTP answer: status, media type (without parameters) and body."""

    status: int
    media_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def open_url(opener: urllib.request.OpenerDirector, request: urllib.request.Request,
             timeout: float) -> Response:
    """Send ``request``; any HTTP status comes back as a Response (never raised),
    network failures raise the one-line :func:`unreachable` error."""
    url = request.full_url
    try:
        with opener.open(request, timeout=timeout) as resp:
            return Response(resp.status, _media(resp.headers.get("Content-Type")), resp.read(),
                            dict(resp.headers.items()))
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read()
        except OSError:
            body = b""
        headers = dict(exc.headers.items()) if exc.headers is not None else {}
        return Response(exc.code, _media(headers.get("Content-Type")), body, headers)
    except (urllib.error.URLError, OSError) as exc:
        raise unreachable(_without_query(url), exc) from exc


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _without_query(url: str) -> str:
    p = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, p.path, "", ""))


# --- Results -------------------------------------------------------------------------------------

@dataclass
class RemoteResult:
    """A remote result shaped like rdflib's ``Result`` for the CLI."""

    type: str
    vars: list[Variable] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    askAnswer: bool | None = None  # noqa: N815 - rdflib's attribute name
    graph: Graph | None = None

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) if self.type == "SELECT" else len(self.graph or ())


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; updates are refused."""
    from .sparqllex import query_form as form_of

    return form_of(sparql)


def term(binding: Mapping[str, str]) -> Node:
    """An rdflib term from one SPARQL JSON results binding.

    Virtuoso still writes the SPARQL 1.0 form ``"type": "typed-literal"``;
    both forms keep their datatype so that dates and numbers become the same
    Python values as in-process.
    """
    from rdflib import BNode, Literal, URIRef

    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        if lang:
            return Literal(value, lang=lang)
        dt = binding.get("datatype")
        return Literal(value, datatype=URIRef(dt)) if dt else Literal(value)
    raise ValueError(f"unknown term type {kind!r}")


def parse_json_results(body: bytes, endpoint: str) -> RemoteResult:
    """SPARQL 1.1 Query Results JSON to a RemoteResult."""
    from rdflib.term import Variable

    try:
        doc = json.loads(body.decode("utf-8"))
        if "boolean" in doc:
            return RemoteResult("ASK", askAnswer=bool(doc["boolean"]))
        names = [str(v) for v in doc["head"]["vars"]]
        rows = []
        for b in doc["results"]["bindings"]:
            rows.append(tuple(term(b[n]) if n in b else None for n in names))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KgraphError(f"{endpoint} returned invalid SPARQL JSON results ({exc}); {_ENDPOINT_HINT}"
                          ) from exc
    return RemoteResult("SELECT", vars=[Variable(n) for n in names], rows=rows)


def _parse_graph(body: bytes, media: str, endpoint: str) -> Graph:
    from rdflib import Graph

    fmt = _RDF_MEDIA.get(media)
    if fmt is None:
        raise KgraphError(f"{endpoint} answered a CONSTRUCT/DESCRIBE with {media or 'no media type'}, "
                          f"not RDF; {_ENDPOINT_HINT}")
    parsed = Graph()
    try:
        parsed.parse(data=body.decode("utf-8"), format=fmt)
    except Exception as exc:  # rdflib raises many types for bad input
        raise KgraphError(f"{endpoint} returned RDF that does not parse as {media}: "
                          f"{server_message(str(exc).encode())}") from exc
    # A fresh graph, so that the project's prefixes (not the store's ns1:, ns2:...) are bound.
    g = Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    for t in parsed:
        g.add(t)
    return g


# --- Queries -------------------------------------------------------------------------------------

def _post(endpoint: str, sparql: str, accept: str, timeout: float) -> Response:
    data = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
    req = urllib.request.Request(endpoint, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept,
        "User-Agent": "kgraph"})
    return open_url(urllib.request.build_opener(), req, timeout)


def _unshift_lines(message: str) -> str:
    """Line numbers in an endpoint's syntax error, counted in the user's query
    rather than after the PREFIX lines kgraph put in front of it."""
    shift = _PROLOGUE.count("\n")
    return re.sub(r"\bline (\d+)\b",
                  lambda m: f"line {int(m[1]) - shift}" if int(m[1]) > shift else m[0], message)


def remote_query(endpoint: str, sparql: str, *, timeout: float = QUERY_TIMEOUT) -> RemoteResult:
    """Run ``sparql`` on a SPARQL 1.1 Protocol endpoint, with the project prefixes
    predeclared; SERVICE and LOAD are refused as in-process."""
    check_url(endpoint, "--endpoint")
    sparql = check_offline(sparql)
    form = query_form(sparql)
    accept = ("application/sparql-results+json" if form in ("SELECT", "ASK")
              else "text/turtle, application/n-triples;q=0.9")
    resp = _post(endpoint, _PROLOGUE + sparql, accept, timeout)
    if resp.status != 200:
        msg = _unshift_lines(server_message(resp.body) or "no message")
        if resp.status in (401, 403):
            raise KgraphError(f"{endpoint} refused the query (HTTP {resp.status}{': ' + msg if msg else ''});"
                              " kgraph sends no credentials: use a public endpoint such as "
                              "Virtuoso's /sparql")
        raise KgraphError(f"{endpoint} answered HTTP {resp.status}: {msg}")
    if form in ("SELECT", "ASK"):
        if resp.media_type not in ("application/sparql-results+json", "application/json"):
            raise KgraphError(f"{endpoint} did not return SPARQL JSON results "
                              f"(got {resp.media_type or 'no media type'}); {_ENDPOINT_HINT}")
        result = parse_json_results(resp.body, endpoint)
        if result.type != form:
            raise KgraphError(f"{endpoint} answered a {form} query with {result.type} results")
        return result
    return RemoteResult(form, graph=_parse_graph(resp.body, resp.media_type, endpoint))


def remote_labels(endpoint: str, nodes: Iterable[Node | None], lang: str = "en",
                  *, chunk: int = 200) -> dict[Node, str]:
    """The best label of each IRI in ``nodes``, fetched from the endpoint and
    ranked as :func:`kgraph.sparql.label_map` ranks them (``lang``, then
    English, then any; skos:prefLabel before rdfs:label); ties go to the
    smallest label so that the choice is stable."""
    from rdflib import Literal, URIRef

    iris = sorted({n for n in nodes if isinstance(n, URIRef)})
    order = {lang: 0, "en": 1}
    rank: dict[Node, tuple[int, str]] = {}
    for i in range(0, len(iris), chunk):
        values = " ".join(f"<{u}>" for u in iris[i:i + chunk])
        res = remote_query(endpoint, f"""SELECT ?s ?p ?l WHERE {{
            VALUES ?s {{ {values} }} VALUES ?p {{ <{_SKOS_PREF}> <{_RDFS_LABEL}> }} ?s ?p ?l }}""")
        for s, p, lbl in res.rows:
            if s is None or not isinstance(lbl, Literal):
                continue
            r = (order.get(lbl.language or "", 2) * 2 + (0 if str(p) == _SKOS_PREF else 1), str(lbl))
            if s not in rank or r < rank[s]:
                rank[s] = r
    return {s: v for s, (_, v) in rank.items()}


__all__ = ["RemoteResult", "check_url", "open_url", "parse_json_results", "query_form",
           "remote_labels", "remote_query", "server_message", "term", "unreachable"]
