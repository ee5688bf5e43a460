"""The SPARQL part of the endpoint: media types, content negotiation, and what a
public endpoint refuses. Pure functions, shared by the HTTP process and the
query workers; standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDF_XML = "application/rdf+xml"
JSONLD = "application/ld+json"
NQUADS = "application/n-quads"
TRIG = "application/trig"
HTML = "text/html"

TABULAR = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH = (TURTLE, NTRIPLES, RDF_XML, JSONLD, NQUADS, TRIG)

#: What each query form can be answered in, the default first. CONSTRUCT and
#: DESCRIBE default to Turtle; a client that asks for XML gets RDF/XML.
OFFERS: dict[str, tuple[str, ...]] = {
    "SELECT": TABULAR, "ASK": TABULAR, "CONSTRUCT": GRAPH, "DESCRIBE": GRAPH}

#: Short names for the ``format`` (``output``, ``results``) parameter, as Fuseki,
#: Virtuoso and SPARQLWrapper spell them; the first one the form offers wins.
FORMAT_NAMES: dict[str, tuple[str, ...]] = {
    "json": (SPARQL_JSON, JSONLD), "srj": (SPARQL_JSON,), "xml": (SPARQL_XML, RDF_XML),
    "srx": (SPARQL_XML,), "csv": (CSV,), "tsv": (TSV,), "turtle": (TURTLE,), "ttl": (TURTLE,),
    "n3": (TURTLE,), "nt": (NTRIPLES,), "ntriples": (NTRIPLES,), "n-triples": (NTRIPLES,),
    "rdf": (RDF_XML,), "rdf+xml": (RDF_XML,), "rdfxml": (RDF_XML,), "json-ld": (JSONLD,),
    "jsonld": (JSONLD,), "nq": (NQUADS,), "nquads": (NQUADS,), "n-quads": (NQUADS,),
    "trig": (TRIG,)}

#: Other names clients use for the types we offer.
_SYNONYMS = {"application/x-turtle": TURTLE, "text/n3": TURTLE, "text/rdf+n3": TURTLE,
             "application/turtle": TURTLE, "application/ntriples": NTRIPLES,
             "text/ntriples": NTRIPLES, "application/x-trig": TRIG, "text/x-nquads": NQUADS,
             "application/sparql-results+tsv": TSV, "application/sparql-results+csv": CSV}


class HttpError(Exception):
    """A request we refuse: its status and a one-line plain message."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def canonical(media_type: str, form: str) -> str:
    """The type we offer that a client's synonym stands for (``application/json``
    is SPARQL JSON for a table and JSON-LD for a graph)."""
    tabular = form in ("SELECT", "ASK")
    media_type = _SYNONYMS.get(media_type, media_type)
    if media_type == "application/json":
        return SPARQL_JSON if tabular else JSONLD
    if media_type in ("application/xml", "text/xml"):
        return SPARQL_XML if tabular else RDF_XML
    if media_type == "text/plain" and not tabular:
        return NTRIPLES
    return media_type


def accept_ranges(header: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q values."""
    ranges = []
    for part in header.split(",")[:64]:
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


def quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """How much the ranges want ``offer``: the most specific matching range decides
    (RFC 9110, section 12.5.1)."""
    top = offer.split("/")[0]
    specificity, q = -1, 0.0
    for media, mq in ranges:
        rank = 2 if media == offer else 1 if media == f"{top}/*" else 0 if media == "*/*" else -1
        if rank > specificity:
            specificity, q = rank, mq
    return q


def wants_html(accept: str) -> bool:
    """Whether a client (a browser) names text/html and prefers it to every
    result type: it gets the query page."""
    ranges = accept_ranges(accept)
    if not any(m in (HTML, "application/xhtml+xml") for m, _ in ranges):
        return False
    html = max(quality(HTML, ranges), quality("application/xhtml+xml", ranges))
    return html > max(quality(o, ranges) for o in TABULAR + GRAPH)


def negotiate(form: str, accept: str, formats: Iterable[str] = ()) -> str:
    """The media type to answer a ``form`` query in: the first ``format`` value the
    form offers (SPARQLWrapper sends two), else the best of the Accept header.
    HttpError 400 for a format nobody knows, 406 when nothing offered fits."""
    offers = OFFERS[form]
    named = [f.strip().lower() for f in formats if f.strip()]
    if named:
        known = False
        for key in named:
            wanted = FORMAT_NAMES.get(key) or ((canonical(key.split(";")[0].strip(), form),)
                                               if "/" in key else ())
            known = known or bool(wanted)
            for media in wanted:
                if media in offers:
                    return media
        if not known:
            raise HttpError(400, f"unknown format={named[0]}: use json, xml, csv or tsv for SELECT and "
                                 "ASK; turtle, nt, xml, json-ld, nq or trig for CONSTRUCT and DESCRIBE")
        raise HttpError(406, f"format={named[0]} is not available for a {form} query: use one of "
                             + ", ".join(offers))
    if not accept.strip():
        return offers[0]
    ranges = [(canonical(m, form), q) for m, q in accept_ranges(accept)]
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    if best is None:
        raise HttpError(406, f"cannot answer a {form} query in any type the Accept header allows "
                             f"({accept.strip()[:200]}): use one of " + ", ".join(offers))
    return best


# --- What a public endpoint refuses -----------------------------------------------------------

def keywords(text: str) -> list[str]:
    """The bare words of a query (keywords and function names), upper-cased, from
    the project's one lexer (:mod:`kgraph.sparqllex`)."""
    from ..sparqllex import WORD, tokens

    return [t.text.upper() for t in tokens(text) if t.kind == WORD]


def check_query(text: str) -> list[str]:
    """Refuse what the endpoint must not run, on the query's tokens, by the project's
    one lexer (:func:`kgraph.sparqllex.check_query`): SERVICE and LOAD (400: they fetch
    from other hosts, a prefix named ``SERVICE:`` included), updates (403: read-only),
    queries too large or nested too deep (400), unknown prefixes (400, with the
    predeclared ones named). A variable such as ``?service`` is no keyword. Returns
    the query's keywords."""
    from ..sparqllex import QueryRefused
    from ..sparqllex import check_query as lex

    try:
        lex(text)
    except QueryRefused as exc:
        if exc.kind == "update":
            raise HttpError(403, f"this endpoint is read-only: SPARQL Update is refused ({exc.message})"
                            ) from exc
        if exc.kind != "form":  # not a query at all: Oxigraph's message says where (line, column)
            raise HttpError(400, str(exc)) from exc
    try:
        return keywords(text)
    except QueryRefused as exc:
        raise HttpError(400, str(exc)) from exc


__all__ = ["GRAPH", "HTML", "OFFERS", "TABULAR", "HttpError", "accept_ranges", "canonical",
           "check_query", "keywords", "negotiate", "quality", "wants_html"]
