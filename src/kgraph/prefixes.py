"""Namespace prefixes as plain strings (no rdflib import: the fast query
path uses them without loading rdflib)."""

from __future__ import annotations

DD = "https://w3id.org/defdip/ontology#"
DDSH = "https://w3id.org/defdip/shapes#"
BASE = "https://w3id.org/defdip/id/"

PREFIXES: dict[str, str] = {
    "dd": DD,
    "ddsh": DDSH,
    "country": BASE + "country/",
    "org": BASE + "organization/",
    "place": BASE + "place/",
    "adm": BASE + "administration/",
    "person": BASE + "person/",
    "agr": BASE + "agreement/",
    "dep": BASE + "deployment/",
    "sale": BASE + "sale/",
    "weapon": BASE + "weapon/",
    "exercise": BASE + "exercise/",
    "event": BASE + "event/",
    "office": BASE + "attache-office/",
    "obs": BASE + "observation/",
    "fig": BASE + "figure/",
    "doc": BASE + "document/",
    "concept": BASE + "concept/",
    "src": BASE + "source/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


#: Named graphs that keep the parts of the built graph apart (the build
#: artifact, the endpoint, the published dataset): part name -> graph IRI.
GRAPH_BASE = "https://w3id.org/defdip/graph/"
PART_GRAPHS: dict[str, str] = {part: GRAPH_BASE + part
                               for part in ("ontology", "asserted", "inferred", "derived")}

#: The SPARQL prologue declaring every prefix.
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
