"""The fast paths give the reference paths' results on the bundled graph:
Oxigraph vs rdflib for every named query, reasonable vs owlrl for reasoning."""

from __future__ import annotations

import pytest

from kgraph.querytext import named_queries
from kgraph.sparql import select

NAMES = [q.name for q in named_queries()]


def _norm(rows: list[list[object]]) -> list[str]:
    """Rows as comparable strings; GROUP_CONCAT's order is engine-specific,
    so concatenated lists are compared as sorted parts."""
    def cell(v: object) -> object:
        if isinstance(v, str):
            for sep in (" / ", ", "):
                if sep in v:
                    return sep.join(sorted(v.split(sep)))
        return v
    return sorted(repr([cell(v) for v in r]) for r in rows)


@pytest.mark.parametrize("name", NAMES)
def test_named_query_same_rows_on_both_engines(kg, name):
    text = next(q.text for q in named_queries() if q.name == name)
    ref = select(kg.graph, text, labels=False)
    fast = kg.ox.select(text, labels=False)
    assert fast.columns == ref.columns
    assert _norm(fast.rows) == _norm(ref.rows)
    assert len(ref.rows) > 0, "every named query answers something on the bundled graph"


def test_labels_agree(kg):
    from kgraph.sparql import label_map

    ref = {str(k): v for k, v in label_map(kg.graph, "ja").items()}
    fast = kg.ox.labels("ja")
    assert fast["https://w3id.org/defdip/id/country/JPN"] == ref["https://w3id.org/defdip/id/country/JPN"] == "日本"
    assert {k: v for k, v in ref.items() if k.startswith("https://w3id.org/defdip/id/")} == \
        {k: v for k, v in fast.items() if k.startswith("https://w3id.org/defdip/id/")}


def test_reasonable_gives_owlrls_cleaned_entailments(kg):
    from kgraph.reason import infer, reasonable_available

    assert reasonable_available()
    ref = infer(kg.ontology, kg.asserted, engine="owlrl")
    fast = infer(kg.ontology, kg.asserted, engine="reasonable")
    assert set(fast) == set(ref)
    assert len(ref) > 4000


def test_cleaning_removes_reasoner_noise(kg):
    from rdflib import OWL, RDF, Literal

    inferred = kg.inferred
    assert not any(isinstance(s, Literal) for s in inferred.subjects())
    assert not any(s == o for s, o in inferred.subject_objects(OWL.sameAs))
    assert (None, RDF.type, OWL.Thing) not in inferred
    assert set(inferred) & set(kg.asserted) == set()


def test_reasoning_can_be_switched_off():
    from kgraph.build import build

    plain = build(reasoning=False)
    assert len(plain.inferred) == 0
    assert plain.ox.select("SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement }").rows == [[0]]


def test_network_ties_same_on_both_engines(kg):
    from kgraph import network

    assert network.ties(kg) == network.ties(kg.graph)
    assert network.node_attributes(kg) == network.node_attributes(kg.graph)
    assert network.memberships(kg) == network.memberships(kg.graph)


def test_cached_inferences_have_no_blank_nodes(kg):
    # A blank node read back from the cache file would no longer be the asserted one.
    from rdflib import BNode

    assert not any(isinstance(x, BNode) for t in kg.inferred for x in t)


def test_tsv_results_decode_like_terms():
    # OxGraph.select reads Oxigraph's TSV output; every kind of term must come out as
    # python_value makes it from the term objects.
    from kgraph.oxstore import OxGraph
    from kgraph.terms import python_rows

    nt = (
        '<http://example.org/s> <http://example.org/p> "tab\\there \\"quoted\\" back\\\\slash\\nline" .\n'
        '<http://example.org/s> <http://example.org/p> "日本"@ja .\n'
        '<http://example.org/s> <http://example.org/p> "12"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<http://example.org/s> <http://example.org/p> "-1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
        '<http://example.org/s> <http://example.org/p> "1.0E3"^^<http://www.w3.org/2001/XMLSchema#double> .\n'
        '<http://example.org/s> <http://example.org/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n'
        '<http://example.org/s> <http://example.org/p> "2009-04-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        '<http://example.org/s> <http://example.org/p> "2009-04"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .\n'
        '<http://example.org/s> <http://example.org/p> "x"^^<http://example.org/custom> .\n'
        '<http://example.org/s> <http://example.org/p> _:b1 .\n'
        '<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n'
    )
    ox = OxGraph.from_nquads(nt.encode())
    q = "SELECT ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?none } } ORDER BY STR(?o)"
    labels = {"http://example.org/o": "the object"}
    ref = python_rows(ox.query(q).rows, labels)
    ox._labels["en"] = labels   # the label map select() would otherwise compute from the store
    fast = ox.select(q)
    assert fast.rows == ref and len(ref) == 11
    assert ["tab\there \"quoted\" back\\slash\nline", None] in fast.rows
    assert [12, None] in fast.rows and [True, None] in fast.rows and [-1.5, None] in fast.rows


def test_one_converter_for_both_engines_terms():
    # The rdflib reference and Oxigraph hand over different term objects; the one
    # converter (kgraph.terms) gives the same Python value for each kind of term.
    from datetime import date, datetime, timezone

    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    from kgraph.terms import python_value, to_rdflib

    XSD = "http://www.w3.org/2001/XMLSchema#"
    cases = [
        (ox.Literal("2009-04-01", datatype=ox.NamedNode(XSD + "date")), date(2009, 4, 1)),
        (ox.Literal("2009-04", datatype=ox.NamedNode(XSD + "gYearMonth")), "2009-04"),
        (ox.Literal("1994", datatype=ox.NamedNode(XSD + "gYear")), "1994"),
        (ox.Literal("2019-03-13T10:00:00Z", datatype=ox.NamedNode(XSD + "dateTime")),
         datetime(2019, 3, 13, 10, tzinfo=timezone.utc)),
        (ox.Literal("584", datatype=ox.NamedNode(XSD + "integer")), 584),
        (ox.Literal("2.5", datatype=ox.NamedNode(XSD + "decimal")), 2.5),
        (ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")), False),
        (ox.Literal("日本", language="ja"), "日本"),
        (ox.Literal("2019-13", datatype=ox.NamedNode(XSD + "gYearMonth")), "2019-13"),
        (ox.NamedNode("https://w3id.org/defdip/id/country/JPN"), "Japan"),
        (ox.BlankNode("b1"), "_:b1"),
    ]
    labels = {"https://w3id.org/defdip/id/country/JPN": "Japan"}
    for term, expected in cases:
        assert python_value(term, labels) == expected, term
        assert python_value(to_rdflib(term), labels) == expected, term
    assert isinstance(to_rdflib(ox.BlankNode("b1")), BNode)
    assert to_rdflib(ox.NamedNode("http://example.org/x")) == URIRef("http://example.org/x")
    assert python_value(Literal("x")) == "x"
