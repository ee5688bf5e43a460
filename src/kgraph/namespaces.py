"""The namespaces of the ontology, the instances and the named graphs."""

from __future__ import annotations

from rdflib import Literal, Namespace, URIRef
from rdflib.term import Node

from .prefixes import GRAPH_BASE
from .prefixes import PREFIXES as _PREFIXES

DD = Namespace("https://w3id.org/defdip/ontology#")
DDSH = Namespace("https://w3id.org/defdip/shapes#")
BASE = "https://w3id.org/defdip/id/"
ID = Namespace(BASE)
COUNTRY = Namespace(BASE + "country/")
ORG = Namespace(BASE + "organization/")
ADM = Namespace(BASE + "administration/")
AGR = Namespace(BASE + "agreement/")
SRC = Namespace(BASE + "source/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")

#: The country whose defence diplomacy the bundled data describes.
KOREA = COUNTRY["KOR"]

#: Named graphs that keep asserted, inferred and derived triples apart.
GRAPH = Namespace(GRAPH_BASE)
GRAPH_ONTOLOGY = GRAPH["ontology"]
GRAPH_ASSERTED = GRAPH["asserted"]
GRAPH_INFERRED = GRAPH["inferred"]
GRAPH_DERIVED = GRAPH["derived"]

#: Prefixes bound on every graph the package hands out (and used by queries).
PREFIXES = _PREFIXES


def curie(node: Node | None) -> str | None:
    """A short prefixed name for an IRI (or the literal's text)."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        s = str(node)
        best = max((ns for ns in PREFIXES.values() if s.startswith(ns)), key=len, default=None)
        if best is not None:
            prefix = next(p for p, ns in PREFIXES.items() if ns == best)
            return f"{prefix}:{s[len(best):]}"
        return f"<{s}>"
    if isinstance(node, Literal):
        return node.n3()
    return str(node)
