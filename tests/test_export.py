"""The publication dump: byte-identical twice, isomorphic when re-imported,
rebased on request, described by VoID/DCAT, written atomically."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kgraph.export import dump_parts, export

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"


@pytest.fixture(scope="module")
def dumps(kg, tmp_path_factory):
    a = tmp_path_factory.mktemp("dump-a")
    b = tmp_path_factory.mktemp("dump-b")
    export(kg, a)
    export(kg, b)
    return a, b


def _norm(g: Graph) -> Graph:
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def _same(a: Graph, b: Graph) -> bool:
    """Isomorphism, fast: ground triples compared as sets, the rest by rdflib."""
    a, b = _norm(a), _norm(b)
    ground_a = {t for t in a if not any(isinstance(x, BNode) for x in t)}
    ground_b = {t for t in b if not any(isinstance(x, BNode) for x in t)}
    if ground_a != ground_b:
        return False
    rest_a, rest_b = Graph(), Graph()
    for t in set(a) - ground_a:
        rest_a.add(t)
    for t in set(b) - ground_b:
        rest_b.add(t)
    return isomorphic(rest_a, rest_b)


def test_two_exports_are_byte_identical(dumps):
    a, b = dumps
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    # 5 parts x 3 syntaxes + the N-Quads file, each gzipped too and under a versioned name;
    # void.ttl, context.jsonld, CITATION.cff and the set's manifest, .kgraph-set.json.
    assert len(names) == (5 * 3 + 1) * 2 * 2 + 4
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


@pytest.mark.parametrize("part", ["ontology", "asserted", "inferred", "derived", "all"])
@pytest.mark.parametrize("fmt, parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_dump_reimports_isomorphic(kg, dumps, part, fmt, parser):
    source = dump_parts(kg)[part]
    back = Graph().parse(dumps[0] / f"kgraph-{part}.{fmt}", format=parser)
    assert len(back) == len(source)
    assert _same(back, source)


def test_jsonld_has_a_context(dumps):
    import json

    doc = json.loads((dumps[0] / "kgraph-asserted.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"]["dd"] == "https://w3id.org/defdip/ontology#"
    ids = [n["@id"] for n in doc["@graph"]]
    assert "agr:gsomia-JPN" in ids and ids == sorted(ids)


def test_void_and_dcat(dumps, kg):
    folder = dumps[0]
    g = Graph().parse(folder / "void.ttl", format="turtle", publicID=folder.as_uri() + "/")
    ds = URIRef("https://w3id.org/defdip/dataset")
    v = lambda x: URIRef(VOID + x)  # noqa: E731
    assert g.value(ds, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert int(g.value(ds, v("triples"))) == len(dump_parts(kg)["all"])
    assert g.value(ds, URIRef("http://purl.org/dc/terms/modified")) == Literal("2026-11-27", datatype=XSD.date)
    # Links to the dumps are absolute (never file://, even parsed from disk), and the files exist.
    dumps_listed = set(g.objects(None, v("dataDump")))
    assert URIRef("https://w3id.org/defdip/dump/kgraph-all.ttl") in dumps_listed
    for url in dumps_listed:
        assert (folder / url.removeprefix("https://w3id.org/defdip/dump/")).exists(), url
    examples = set(g.objects(ds, v("exampleResource")))
    assert URIRef("https://w3id.org/defdip/id/agreement/gsomia-JPN") in examples
    assert len(set(g.objects(ds, v("subset")))) == 4
    assert (None, v("sparqlEndpoint"), None) not in g


def test_endpoint_named_in_void(kg, tmp_path):
    export(kg, tmp_path, endpoint="http://127.0.0.1:8890/sparql", formats=("nt",))
    g = Graph().parse(tmp_path / "void.ttl", format="turtle", publicID=tmp_path.as_uri() + "/")
    assert (None, URIRef(VOID + "sparqlEndpoint"), URIRef("http://127.0.0.1:8890/sparql")) in g


def test_citation_cff(dumps):
    text = (dumps[0] / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in text and "The kgraph contributors" in text
    assert "family-names: Ito" in text and "2020" in text


def test_base_iri_rewrites_instances_only(kg, tmp_path):
    export(kg, tmp_path, base="https://example.org/kg/", formats=("nt",))
    text = (tmp_path / "kgraph-asserted.nt").read_text(encoding="utf-8")
    assert "<https://example.org/kg/agreement/gsomia-JPN>" in text
    assert "https://w3id.org/defdip/id/" not in text
    assert "<https://w3id.org/defdip/ontology#signedOnAsPrinted>" in text


def test_interrupted_export_leaves_previous_files(kg, tmp_path, monkeypatch):
    import kgraph.export as ex

    export(kg, tmp_path, formats=("nt",))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ex, "citation_cff", boom)
    with pytest.raises(KeyboardInterrupt):
        export(kg, tmp_path, base="https://example.org/kg/", formats=("nt",))
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before   # no half-written or rebased file, no staging folder left


def test_cli_export(tmp_path):
    import subprocess

    r = subprocess.run(["kgraph", "export", "--out", str(tmp_path)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "kgraph-all.ttl").exists() and (tmp_path / "void.ttl").exists()
