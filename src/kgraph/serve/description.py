"""The SPARQL 1.1 Service Description of the endpoint, with VoID counts: what a
client gets from a GET on the endpoint without a query."""

from __future__ import annotations

from typing import Any

from ..prefixes import PART_GRAPHS, PARTS
from . import protocol

#: W3C format IRIs (https://www.w3.org/ns/formats/) of the types offered.
_FORMAT_IRIS = {
    protocol.SPARQL_JSON: "SPARQL_Results_JSON", protocol.SPARQL_XML: "SPARQL_Results_XML",
    protocol.CSV: "SPARQL_Results_CSV", protocol.TSV: "SPARQL_Results_TSV",
    protocol.TURTLE: "Turtle", protocol.NTRIPLES: "N-Triples", protocol.RDF_XML: "RDF_XML",
    protocol.JSONLD: "JSON-LD", protocol.NQUADS: "N-Quads", protocol.TRIG: "TriG"}


def service_description(endpoint: str, stats: dict[str, Any]) -> str:
    """Turtle describing the service at ``endpoint``; ``stats`` are a worker's
    counts (triples per graph, in the union, entities, classes, properties)."""
    formats = ", ".join(f"<http://www.w3.org/ns/formats/{_FORMAT_IRIS[m]}>"
                        for m in protocol.TABULAR + protocol.GRAPH)
    graphs = stats.get("graphs", {})
    named = []
    for part in PARTS:
        iri = PART_GRAPHS[part]
        if iri in graphs:
            named.append(f"""    sd:namedGraph [ a sd:NamedGraph ;
        sd:name <{iri}> ;
        sd:graph [ a sd:Graph , void:Dataset ; void:triples {int(graphs[iri])} ] ]""")
    named_text = " ;\n".join(named)
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat {formats} ;
    dcterms:title "kgraph: South Korea's defence diplomacy (read-only SPARQL 1.1 endpoint)" ;
    dcterms:description "The default graph is the union of the named graphs (ontology, asserted, \
inferred, derived). Read-only: updates, SERVICE and LOAD are refused; each query has a time limit and \
a result cap." ;
    sd:defaultDataset [ a sd:Dataset , void:Dataset ;
        void:sparqlEndpoint <{endpoint}> ;
        sd:defaultGraph [ a sd:Graph , void:Dataset ;
            void:triples {int(stats.get("triples", 0))} ;
            void:entities {int(stats.get("entities", 0))} ;
            void:classes {int(stats.get("classes", 0))} ;
            void:properties {int(stats.get("properties", 0))} ] ;
{named_text} ] .
"""


def render(turtle: str, media: str) -> bytes:
    """The description in ``media`` (one of protocol.GRAPH)."""
    if media == protocol.TURTLE:
        return turtle.encode("utf-8")
    import pyoxigraph as ox

    quads = list(ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    fmt = ox.RdfFormat.from_media_type(media)
    return ox.serialize(triples, format=fmt, prefixes={
        "sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#",
        "dcterms": "http://purl.org/dc/terms/"}) or b""


__all__ = ["PARTS", "render", "service_description"]
