"""One set of triples as Turtle, N-Triples, JSON-LD and RDF/XML, byte-identical
on every run (the dump's serializers for the first three; RDF/XML by hand,
since rdflib's writer follows the graph's hash order)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rdflib import RDF, BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..errors import KgraphError
from ..export import _jsonld, _ntriples, _term_key, _turtle, canonical_triples
from ..prefixes import PREFIXES

Triple = tuple[Node, Node, Node]

RDF_NS = str(RDF)
_NAME_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | set("0123456789-.")


def _split(iri: str) -> tuple[str, str]:
    """An IRI as namespace + XML local name (RDF/XML writes predicates as QNames)."""
    i = len(iri)
    while i > 0 and iri[i - 1] in _NAME_CHARS:
        i -= 1
    while i < len(iri) and iri[i] not in _NAME_START:
        i += 1
    if i >= len(iri):
        raise KgraphError(f"<{iri}> cannot be written as an RDF/XML property element",
                          hint="name the property with an IRI ending in letters, digits, '_', '-' or '.'")
    return iri[:i], iri[i:]


def rdfxml(triples: Iterable[Triple], prefixes: dict[str, str] | None = None) -> str:
    """RDF/XML with subjects sorted, one ``rdf:Description`` each, properties sorted.

    >>> from rdflib import Graph
    >>> text = rdfxml([(URIRef("https://w3id.org/defdip/id/country/JPN"),
    ...                 URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Japan", lang="en"))])
    >>> len(Graph().parse(data=text, format="xml"))
    1
    """
    prefixes = dict(prefixes if prefixes is not None else PREFIXES)
    by_ns = {ns: p for p, ns in prefixes.items()}
    used: dict[str, str] = {"rdf": RDF_NS}
    extra = 0
    tree: dict[Node, list[tuple[Node, Node]]] = {}
    for s, p, o in triples:
        tree.setdefault(s, []).append((p, o))

    def qname(iri: str) -> str:
        nonlocal extra
        ns, local = _split(iri)
        prefix = by_ns.get(ns)
        if prefix is None:
            extra += 1
            prefix = f"ns{extra}"
            by_ns[ns] = prefix
        used[prefix] = ns
        return f"{prefix}:{local}"

    body = []
    for s in sorted(tree, key=_term_key):
        about = (f"rdf:nodeID={quoteattr(str(s))}" if isinstance(s, BNode)
                 else f"rdf:about={quoteattr(str(s))}")
        lines = [f"  <rdf:Description {about}>"]
        for p, o in sorted(tree[s], key=lambda po: (str(po[0]), _term_key(po[1]))):
            name = qname(str(p))
            if isinstance(o, URIRef):
                lines.append(f"    <{name} rdf:resource={quoteattr(str(o))}/>")
            elif isinstance(o, BNode):
                lines.append(f"    <{name} rdf:nodeID={quoteattr(str(o))}/>")
            else:
                assert isinstance(o, Literal)
                attrs = ""
                if o.language:
                    attrs = f" xml:lang={quoteattr(o.language)}"
                elif o.datatype is not None and o.datatype != XSD.string:
                    attrs = f" rdf:datatype={quoteattr(str(o.datatype))}"
                lines.append(f"    <{name}{attrs}>{escape(str(o))}</{name}>")
        lines.append("  </rdf:Description>")
        body.append("\n".join(lines))
    xmlns = "".join(f"\n    xmlns:{p}={quoteattr(ns)}" for p, ns in sorted(used.items()))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f"<rdf:RDF{xmlns}>\n" + "".join(b + "\n" for b in body) + "</rdf:RDF>\n")


def dump_context(kg: Any) -> Any:
    """The dump's JSON-LD context (a term per ontology term), when ``kgraph.export``
    offers one (``jsonld_context``); else None and the files' contexts hold prefixes only."""
    from .. import export

    make = getattr(export, "jsonld_context", None)
    return make(kg.ontology, kg.graph) if make is not None else None


def _context_for(context: Any, triples: list[Triple]) -> Any:
    """The dump's context cut to the terms these triples use (a file names a few
    of the ontology's hundreds of terms)."""
    used = {str(p) for _, p, _ in triples} | {str(o) for _, p, o in triples if p == RDF.type}
    return replace(context, terms={i: t for i, t in context.terms.items() if i in used})


def serialize_all(triples: Iterable[Triple], *, header: str = "",
                  prefixes: dict[str, str] | None = None, context: Any = None) -> dict[str, str]:
    """The triples in the four formats: suffix -> text (``context``: see :func:`dump_context`)."""
    canon = canonical_triples(triples)
    if context is not None:
        json_text = _jsonld(canon, prefixes, _context_for(context, canon))  # type: ignore[call-arg,unused-ignore]
    else:
        json_text = _jsonld(canon, prefixes)
    return {"ttl": _turtle(canon, prefixes, header), "nt": _ntriples(canon),
            "jsonld": json_text, "rdf": rdfxml(canon, prefixes)}
