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


#: The dataset: the VoID/DCAT description's subject, and the stem of the
#: named graphs of its parts.
DATASET = "https://w3id.org/defdip/dataset"

#: The parts of the built graph, in the order they are kept and listed.
PARTS: tuple[str, ...] = ("ontology", "asserted", "inferred", "derived")


def part_graph(part: str, dataset: str = DATASET) -> str:
    """The name of the graph holding one part: ``<dataset>/<part>``.

    The one definition of the graph names, used by the build artifact (so the
    local store, ``kgraph serve`` and ``%%sparql``), ``kgraph publish`` (with
    its ``--dataset``), the N-Quads dump of ``kgraph export`` and the
    in-browser SPARQL page.  The graph name is also the part's VoID subset and
    DCAT dataset IRI in ``void.ttl``, so a graph name found in a store leads to
    its description, and ``GRAPH <https://w3id.org/defdip/dataset/asserted>``
    reaches the same triples in every store.  (Until 0.1.0 the build named
    them ``https://w3id.org/defdip/graph/<part>`` while publish used the
    dataset's stem: two names for one graph.)

    >>> part_graph("asserted")
    'https://w3id.org/defdip/dataset/asserted'
    >>> part_graph("derived", "https://example.org/kg/dataset/")
    'https://example.org/kg/dataset/derived'
    """
    return f"{dataset.rstrip('/')}/{part}"


#: Part name -> graph IRI under the default dataset (see :func:`part_graph`).
GRAPH_BASE = DATASET + "/"
PART_GRAPHS: dict[str, str] = {part: part_graph(part) for part in PARTS}

#: The SPARQL prologue declaring every prefix.
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
