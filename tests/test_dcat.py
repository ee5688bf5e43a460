"""The dump as linked data (issue 19): DCAT 3 and VoID that pass the official
DCAT-AP 3 shapes and kgraph's own, a distribution per file with absolute links,
size and SHA-256, compressed and versioned copies, an N-Quads file whose graph
names are the store's and publish's, a JSON-LD context with every ontology
term, and the rule that no published IRI is ever removed."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD

from kgraph.errors import KgraphError
from kgraph.export import DEFAULT_BASE_URL, dump_parts, export
from kgraph.prefixes import DD, PART_GRAPHS, PARTS, part_graph

SHAPES = Path(__file__).parent / "dcat-ap"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")
DS = URIRef("https://w3id.org/defdip/dataset")
IANA = "https://www.iana.org/assignments/media-types/"
#: Files of the dump that are not data (not distributions).
NOT_DATA = {"void.ttl", "CITATION.cff", "context.jsonld", ".kgraph-set.json"}


@pytest.fixture(scope="module")
def dump(kg, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dcat") / "dump"
    export(kg, out)
    return out


@pytest.fixture(scope="module")
def void(dump) -> Graph:
    # Parsed from disk with the folder as base: a relative link would become file://.
    return Graph().parse(dump / "void.ttl", format="turtle", publicID=dump.as_uri() + "/")


def _shapes(*names: str) -> Graph:
    g = Graph()
    for n in names:
        g.parse(SHAPES / n, format="turtle")
    if "dcat-ap-SHACL.ttl" in names:
        # DCAT-AP 3.0.1's dcat-ap-SHACL.ttl names two property shapes of dcat:DataService
        # (the rdfs:Resource ranges of endpointURL and endpointDescription) that only
        # ranges.ttl defines, while ranges.ttl's node shapes name property shapes defined
        # nowhere: take the property shapes (subjects with an sh:path) from ranges.ttl.
        ranges = Graph().parse(SHAPES / "ranges.ttl", format="turtle")
        for shape in set(ranges.subjects(SH.path, None)):
            g += ranges.triples((shape, None, None))
    return g


def _pyshacl(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    from pyshacl import validate

    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=False)
    return bool(conforms), report


def _messages(report: Graph) -> set[str]:
    return {str(m) for m in report.objects(None, SH.resultMessage)}


# --- The shapes ----------------------------------------------------------------------------------

def test_void_passes_the_official_dcat_ap_3_shapes_on_both_engines(void):
    from kgraph.shacl import validate_graph
    from kgraph.shacl_fast import unsupported

    shapes = _shapes("dcat-ap-SHACL.ttl")
    conforms, report = _pyshacl(void, shapes)
    assert conforms, report.serialize(format="turtle")[:3000]
    assert unsupported(shapes) == {}
    fast = validate_graph(void, shapes, engine="fast")
    assert fast.conforms, fast.violations[:5]


def test_void_meets_kgraphs_own_requirements_on_both_engines(void):
    from kgraph.shacl import validate_graph

    shapes = _shapes("kgraph-dcat.ttl")
    conforms, report = _pyshacl(void, shapes)
    assert conforms, _messages(report)
    fast = validate_graph(void, shapes, engine="fast")
    assert fast.conforms, fast.violations[:5]


def test_recommended_properties_missing_are_only_the_documented_ones(void):
    """DCAT-AP's recommendations (warnings) we leave out on purpose: no bounding
    box or centroid for a country, no ADMS types for the licence and the agent,
    no EU 'planned availability', no coverage for the ontology part or the
    catalogue."""
    from pyshacl import validate

    _, report, _ = validate(void, shacl_graph=_shapes("shapes_recommended.ttl"), inference="none")
    paths = {str(p).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for p in report.objects(None, SH.resultPath)}
    assert paths <= {"bbox", "centroid", "type", "availability", "spatial", "temporal"}, paths
    unexpected = {(str(f), str(p)) for r in report.subjects(SH.resultPath, None)
                  for f in report.objects(r, SH.focusNode) for p in report.objects(r, SH.resultPath)
                  if str(p).endswith(("spatial", "temporal"))
                  and str(f) not in ("https://w3id.org/defdip/catalog", part_graph("ontology"))}
    assert not unexpected


def _first_distribution(g: Graph) -> URIRef:
    return sorted(g.subjects(RDF.type, DCAT.Distribution))[0]


def _without_byte_size(g: Graph) -> None:
    g.remove((_first_distribution(g), DCAT.byteSize, None))


def _literal_media_type(g: Graph) -> None:
    d = _first_distribution(g)
    g.remove((d, DCAT.mediaType, None))
    g.add((d, DCAT.mediaType, Literal("text/turtle")))


def _file_download(g: Graph) -> None:
    d = _first_distribution(g)
    g.remove((d, DCAT.downloadURL, None))
    g.add((d, DCAT.downloadURL, URIRef("file:///tmp/dump/kgraph-all.ttl")))


def _creator_literal(g: Graph) -> None:
    g.remove((DS, DCTERMS.creator, None))
    g.add((DS, DCTERMS.creator, Literal("The kgraph contributors")))


def _no_checksum(g: Graph) -> None:
    g.remove((_first_distribution(g), SPDX.checksum, None))


@pytest.mark.parametrize("break_it, requirement", [
    (_without_byte_size, "R19"), (_literal_media_type, "R17"), (_file_download, "R16"),
    (_creator_literal, "R3"), (_no_checksum, "R20")])
def test_the_shapes_catch_what_is_missing_or_wrong(void, break_it, requirement):
    from kgraph.shacl import validate_graph

    bad = Graph()
    bad += void
    break_it(bad)
    conforms, report = _pyshacl(bad, _shapes("kgraph-dcat.ttl"))
    assert not conforms and any(m.startswith(requirement + ":") for m in _messages(report)), _messages(report)
    assert not validate_graph(bad, _shapes("kgraph-dcat.ttl"), engine="fast").conforms
    if break_it is _literal_media_type:   # DCAT-AP itself wants a dcterms:MediaType node
        assert not _pyshacl(bad, _shapes("dcat-ap-SHACL.ttl"))[0]
        assert not validate_graph(bad, _shapes("dcat-ap-SHACL.ttl"), engine="fast").conforms


# --- What the description says ----------------------------------------------------------------------

def test_one_distribution_per_file_with_absolute_links_size_and_sha256(dump, void):
    data = {p.name for p in dump.iterdir()} - NOT_DATA
    dists = list(void.subjects(RDF.type, DCAT.Distribution))
    urls = {str(void.value(d, DCAT.downloadURL)) for d in dists}
    assert len(dists) == len(data) == 5 * 3 * 4 + 4   # 5 parts x 3 syntaxes + N-Quads, x gz, x versioned
    assert urls == {DEFAULT_BASE_URL + n for n in data}
    assert set(map(str, void.objects(None, VOID.dataDump))) == urls
    for d in dists:
        name = str(void.value(d, DCAT.downloadURL))[len(DEFAULT_BASE_URL):]
        body = (dump / name).read_bytes()
        assert void.value(d, DCAT.accessURL) == void.value(d, DCAT.downloadURL)
        assert void.value(d, DCAT.byteSize) == Literal(str(len(body)), datatype=XSD.nonNegativeInteger)
        check = void.value(d, SPDX.checksum)
        assert void.value(check, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(check, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        ext = name.removesuffix(".gz").rsplit(".", 1)[1]
        media = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                 "nq": "application/n-quads"}[ext]
        assert void.value(d, DCAT.mediaType) == URIRef(IANA + media)
        assert (void.value(d, DCAT.compressFormat) == URIRef(IANA + "application/gzip")) == name.endswith(".gz")
        assert void.value(d, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    # The union's files belong to the dataset, each part's to the part's dataset (its graph name).
    assert DCAT.distribution in set(void.predicates(DS, None))
    asserted = {str(void.value(d, DCAT.downloadURL)) for d in void.objects(URIRef(part_graph("asserted")),
                                                                            DCAT.distribution)}
    assert DEFAULT_BASE_URL + "kgraph-asserted-0.1.0.ttl.gz" in asserted and len(asserted) == 12


def test_catalog_dataset_agents_and_coverage(void):
    cat = URIRef("https://w3id.org/defdip/catalog")
    assert (cat, RDF.type, DCAT.Catalog) in void and (cat, DCAT.dataset, DS) in void
    creator = void.value(DS, DCTERMS.creator)
    assert (creator, RDF.type, FOAF.Agent) in void
    assert void.value(creator, FOAF.name) == Literal("The kgraph contributors")   # CITATION.cff
    assert void.value(DS, DCTERMS.publisher) == creator
    # The report's author and publisher, as graph/sources.ttl names them.
    report = URIRef("https://w3id.org/defdip/id/source/report")
    author = void.value(report, DCTERMS.creator)
    assert (author, RDF.type, FOAF.Person) in void
    assert void.value(author, FOAF.name) == Literal("伊藤弘太郎 (Ito Kotaro)")
    assert (void.value(report, DCTERMS.publisher), RDF.type, FOAF.Organization) in void
    contact = void.value(DS, DCAT.contactPoint)
    assert void.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasURL")) == URIRef("https://w3id.org/defdip")
    # Coverage computed from the data: the 1940s (the first attaché offices) to
    # the start of the Lee Jae-myung administration; Korea, the described country.
    period = void.value(DS, DCTERMS.temporal)
    assert void.value(period, DCAT.startDate) == Literal("1940-01-01", datatype=XSD.date)
    assert void.value(period, DCAT.endDate) == Literal("2025-06-04", datatype=XSD.date)
    assert set(void.objects(DS, DCTERMS.spatial)) == {URIRef("https://w3id.org/defdip/id/country/KOR")}
    keywords = set(void.objects(DS, DCAT.keyword))
    assert {Literal("defence diplomacy", lang="en"), Literal("国防外交", lang="ja"),
            Literal("韓国", lang="ja"), Literal("arms sale", lang="en")} <= keywords
    # Dates and version from the release, never the wall clock.
    assert void.value(DS, DCTERMS.issued) == Literal("2026-11-27", datatype=XSD.date)
    assert void.value(DS, DCTERMS.modified) == Literal("2026-11-27", datatype=XSD.date)
    assert void.value(DS, DCAT.version) == Literal("0.1.0") == void.value(DS, OWL.versionInfo)
    assert void.value(DS, DCAT.landingPage) == URIRef("https://w3id.org/defdip")
    assert (DS, VOID.sparqlEndpoint, None) not in void


def test_void_counts_per_part(kg, void):
    parts = dump_parts(kg)
    for name in PARTS:
        sub = URIRef(part_graph(name))
        assert (DS, VOID.subset, sub) in void and (sub, RDF.type, DCAT.Dataset) in void
        assert int(void.value(sub, VOID.triples)) == len(parts[name])
    assert int(void.value(DS, VOID.triples)) == len(parts["all"])
    assert int(void.value(URIRef(part_graph("asserted")), VOID.classes)) > 30


def test_base_url_and_endpoint(kg, tmp_path):
    export(kg, tmp_path / "d", base_url="https://example.org/kg/files/", formats=("nt",),
           endpoint="http://127.0.0.1:8890/sparql")
    g = Graph().parse(tmp_path / "d" / "void.ttl", format="turtle")
    urls = {str(u) for u in g.objects(None, DCAT.downloadURL)}
    assert "https://example.org/kg/files/kgraph-all.nt.gz" in urls
    assert all(u.startswith("https://example.org/kg/files/") for u in urls)
    svc = URIRef("http://127.0.0.1:8890/sparql")
    assert (DS, VOID.sparqlEndpoint, svc) in g and (svc, RDF.type, DCAT.DataService) in g
    assert _pyshacl(g, _shapes("dcat-ap-SHACL.ttl"))[0]


@pytest.mark.parametrize("url", ["https://example.org/kg", "file:///tmp/dump/", "dump/"])
def test_bad_base_url_is_refused(kg, tmp_path, url):
    with pytest.raises(KgraphError, match="--base-url"):
        export(kg, tmp_path / "x", base_url=url)
    assert not (tmp_path / "x").exists()


# --- Compressed and versioned files -----------------------------------------------------------

def test_compressed_and_versioned_copies(dump):
    for plain in sorted(p for p in dump.iterdir() if p.name.startswith("kgraph-") and "-0.1.0" not in p.name
                        and not p.name.endswith(".gz")):
        packed = (dump / (plain.name + ".gz")).read_bytes()
        assert gzip.decompress(packed) == plain.read_bytes()
        assert packed[3] & 0x08 == 0, "no file name in the gzip header"
        assert packed[4:8] == b"\0\0\0\0", "modification time 0"
        stem, ext = plain.name.split(".", 1)
        assert (dump / f"{stem}-0.1.0.{ext}").read_bytes() == plain.read_bytes()
        assert (dump / f"{stem}-0.1.0.{ext}.gz").read_bytes() == packed


# --- N-Quads: one file, the parts as named graphs, the store's names -----------------------------

def test_nquads_graph_names_are_the_stores_and_publishs(kg, dump):
    ds = Dataset()
    ds.parse(dump / "kgraph-all.nq", format="nquads")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {part_graph(p) for p in PARTS} == set(PART_GRAPHS.values())
    parts = dump_parts(kg)
    for p in PARTS:
        got = ds.graph(URIRef(part_graph(p)))
        assert len(got) == len(parts[p]), p
    assert {t for t in ds.graph(URIRef(part_graph("asserted"))) if not any(x.startswith("_:") for x in map(str, t))} \
        >= {(URIRef("https://w3id.org/defdip/id/agreement/gsomia-JPN"), URIRef(DD + "partner"),
             URIRef("https://w3id.org/defdip/id/country/JPN"))}
    # The build artifact (every local door) names its graphs the same way...
    artifact = kg.artifact.read_text(encoding="utf-8")
    assert f"<{part_graph('derived')}> .\n" in artifact and "/defdip/graph/" not in artifact
    # ...and so does publish, under its --dataset.
    from kgraph import publish

    assert publish.part_graph is part_graph
    assert part_graph("asserted", "https://example.org/ds/") == "https://example.org/ds/asserted"


# --- JSON-LD: a context with every term, plain JSON, the same graph ------------------------------

def _ontology_terms(kg) -> set[str]:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
             URIRef("http://www.w3.org/2000/01/rdf-schema#Class"), RDF.Property}
    return {str(s) for s, o in kg.ontology.subject_objects(RDF.type)
            if o in kinds and str(s).startswith(DD)}


def test_context_defines_every_ontology_term(kg, dump):
    ctx = json.loads((dump / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str)}
    defined = {}
    for name, entry in ctx.items():
        if isinstance(entry, dict):
            prefix, _, local = entry["@id"].partition(":")
            defined[prefixes[prefix] + local] = (name, entry)
    terms = _ontology_terms(kg)
    assert len(terms) > 150
    assert terms <= set(defined), sorted(terms - set(defined))[:10]
    assert defined[DD + "signedOn"][1] == {"@id": "dd:signedOn", "@type": "xsd:date"}
    assert defined[DD + "partner"][1]["@type"] == "@id"
    assert defined[DD + "party"][1] == {"@id": "dd:party", "@type": "@id", "@container": "@set"}
    assert defined[DD + "Agreement"][1] == {"@id": "dd:Agreement"}
    for p in kg.ontology.subjects(RDF.type, OWL.ObjectProperty):
        assert defined[str(p)][1]["@type"] == "@id", p
    # dd:weapon takes the name 'weapon'; the weapon: prefix becomes weapon-id: in JSON-LD.
    assert defined[DD + "weapon"][0] == "weapon" and prefixes["weapon-id"].endswith("/id/weapon/")
    # Each JSON-LD file carries the same context inline (nothing to fetch).
    doc = json.loads((dump / "kgraph-asserted.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == ctx


def test_jsonld_reads_as_plain_json(dump):
    doc = json.loads((dump / "kgraph-asserted.jsonld").read_text(encoding="utf-8"))
    node = next(n for n in doc["@graph"] if n["@id"] == "agr:gsomia-JPN")
    assert node["@type"] == ["MilitaryInformationAgreement"]
    assert node["partner"] == "country:JPN" and node["party"] == ["country:JPN", "country:KOR"]
    assert node["inForceFromAsPrinted"] == "2016-11-23"
    derived = json.loads((dump / "kgraph-derived.jsonld").read_text(encoding="utf-8"))
    node = next(n for n in derived["@graph"] if n["@id"] == "agr:gsomia-JPN")
    assert node["signedOn"] == "2016-11-23"


@pytest.mark.parametrize("part", ["ontology", "asserted", "inferred", "derived", "all"])
def test_jsonld_expands_to_the_turtle_graph_offline(dump, part, monkeypatch):
    import socket

    from tests.test_export import _same

    def no_network(*args, **kwargs):
        raise AssertionError("the JSON-LD parser tried to fetch a remote context")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    from_json = Graph().parse(dump / f"kgraph-{part}.jsonld", format="json-ld")
    from_ttl = Graph().parse(dump / f"kgraph-{part}.ttl", format="turtle")
    assert len(from_json) == len(from_ttl)
    assert _same(from_json, from_ttl)


# --- Stable IRIs ------------------------------------------------------------------------------------

def test_no_published_iri_is_removed(kg):
    from kgraph import published

    listed = published.read()
    assert len(listed) > 1000 and "https://w3id.org/defdip/id/agreement/gsomia-JPN" in listed
    gone = published.missing(listed, published.current(kg))
    assert not gone, (
        f"{len(gone)} IRI(s) listed in graph/published-iris.txt are gone from the graph: "
        f"{', '.join(gone[:5])}. An IRI once published is never removed: keep each in graph/ "
        "(an ontology term in ontology/) as `<old> owl:deprecated true ; dcterms:isReplacedBy <new> .` "
        "(graph/README.md, Stable IRIs).")


def test_a_removed_iri_is_noticed(kg):
    from kgraph import published

    now = published.current(kg) - {"https://w3id.org/defdip/id/country/JPN"}
    assert published.missing(published.read(), now) == ["https://w3id.org/defdip/id/country/JPN"]


def test_a_retired_iri_must_name_its_replacement(tmp_path):
    """The bundled data plus a fixture retiring two IRIs: the one with
    dcterms:isReplacedBy passes, the one without is a violation."""
    import kgraph
    from kgraph.data import bundled

    fixture = tmp_path / "retired.ttl"
    fixture.write_text("""
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix weapon: <https://w3id.org/defdip/id/weapon/> .
weapon:k9-thunder owl:deprecated true ; dcterms:isReplacedBy weapon:k9 .
weapon:k-9 owl:deprecated true .
""", encoding="utf-8")
    kg = kgraph.load([*bundled().graph, fixture], reasoning=False)
    report = kgraph.validate(kg)
    assert not report.conforms
    bad = {(str(v.focus), v.message) for v in report.violations}
    assert {f for f, _ in bad} == {"weapon:k-9"}, bad
    assert any("dcterms:isReplacedBy" in m for _, m in bad)


@pytest.mark.parametrize("module", ["kgraph.prefixes", "kgraph.published", "kgraph.export"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and not result.failed
