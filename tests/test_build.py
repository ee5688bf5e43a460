"""The build's shortcuts give what the plain way would: Oxigraph's parser
gives rdflib's graphs, the parts made on demand are the parts, their sizes
are counted right, and the cached union is the union."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kgraph import data, ntriples
from kgraph.parsing import format_of, load_files

FILES = data.bundled().ontology + data.bundled().shapes + data.bundled().graph


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_oxigraph_parser_gives_rdflibs_graph(path: Path):
    ref = Graph()
    ref.parse(path, format=format_of(path), publicID=path.resolve().as_uri())
    fast = load_files([path])
    assert len(fast) == len(ref) > 0
    assert isomorphic(fast, ref)


def test_blank_nodes_of_two_files_stay_apart(tmp_path: Path):
    for name in ("a.ttl", "b.ttl"):
        (tmp_path / name).write_text('_:x <http://example.org/p> "1" .\n', encoding="utf-8")
    g = load_files([tmp_path / "a.ttl", tmp_path / "b.ttl"])
    assert len(set(g.subjects())) == 2


def _as_stored(g: Graph) -> Graph:
    """``g`` as the Oxigraph store holds it: literals of known datatypes by value
    (``"3600000000.0"^^xsd:decimal`` reads back as ``"3600000000"``)."""
    from kgraph.oxstore import OxGraph

    return OxGraph.from_nquads(ntriples.write(g)).store_graph()


def test_parts_and_their_sizes(kg):
    sizes = kg.sizes
    assert sizes == {name: len(getattr(kg, name)) for name in ("ontology", "asserted", "inferred", "derived")}
    assert sum(sizes.values()) == len(kg.ox) == len(kg.graph)
    ref = _as_stored(load_files(data.bundled().graph))
    assert isomorphic(kg.asserted, ref)
    assert set(kg.validation_data) >= set(kg.derived)


def test_a_restated_ontology_triple_is_kept_once(tmp_path: Path):
    from kgraph.build import build

    f = tmp_path / "restates.ttl"
    f.write_text("<https://w3id.org/defdip/ontology#Agreement> a <http://www.w3.org/2002/07/owl#Class> .\n"
                 "<https://w3id.org/defdip/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n",
                 encoding="utf-8")
    kg = build([f], reasoning=False, use_cache=False)
    # The parts are disjoint, so counting over their union counts each triple once.
    assert kg.sizes["asserted"] == len(kg.asserted) == 1
    assert kg.ox.select("SELECT (COUNT(*) AS ?n) WHERE { dd:Agreement a owl:Class }").rows == [[1]]


def test_ntriples_round_trip_escapes():
    from rdflib import Literal, URIRef

    s, p = URIRef("http://example.org/s"), URIRef("http://example.org/p")
    triples = [(s, p, Literal('quote " back \\ line\nreturn\r')), (s, p, Literal("日本", lang="ja")),
               (s, p, Literal("2009-04", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth")))]
    assert set(ntriples.read(ntriples.write(triples))) == set(triples)
