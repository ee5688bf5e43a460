"""The W3C SHACL Core test suite (tests/w3c-shacl, W3C licence) against both engines.

Each test's report is compared with the manifest's expected report the way
pySHACL's own runner does (``sh:conforms``, then the results), but stricter:
each result must match on focus node, path, value, source shape, severity and
constraint component, as a multiset.  Blank nodes are compared by what they
say (their triples, recursively), since the engines may copy them.

The fast engine must pass every test unless the shapes use a feature it
refuses (``kgraph.shacl_fast.UNSUPPORTED``, the one list); then it must refuse
with an error naming that feature.  At present it refuses none of the Core
tests; each refused feature is tried on a small shapes graph of its own.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, Namespace
from rdflib.term import Node

from kgraph.errors import KgraphError
from kgraph.shacl_fast import UNSUPPORTED, FastValidator, unsupported

SUITE = Path(__file__).parent / "w3c-shacl" / "core"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: Tests pySHACL 0.40 fails, with why.
PYSHACL_KNOWN_FAILURES: dict[str, str] = {
    "property/uniqueLang-002": 'pySHACL takes "1"^^xsd:boolean for true; the suite says only true counts',
}


@dataclass(frozen=True)
class W3CTest:
    name: str            # e.g. "node/and-001"
    file: Path
    node: URIRef


def _load(path: Path) -> Graph:
    # Keep lexical forms as written: rdflib would turn "1"^^xsd:boolean into "true"
    # and "none"^^xsd:boolean into "false", which some tests are about.
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(path, format="turtle", publicID=path.as_uri())
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _collect() -> list[W3CTest]:
    found = []
    todo = [SUITE / "manifest.ttl"]
    while todo:
        path = todo.pop(0)
        g = _load(path)
        for m in g.subjects(RDF.type, MF.Manifest):
            for inc in g.objects(m, MF.include):
                todo.append(Path(str(inc).removeprefix("file://")))
            for lst in g.objects(m, MF.entries):
                for t in Collection(g, lst):
                    rel = path.relative_to(SUITE).with_suffix("")
                    name = str(rel.parent / str(t).rsplit("/", 1)[-1])
                    found.append(W3CTest(name, path, URIRef(str(t))))
    return sorted(found, key=lambda t: t.name)


TESTS = _collect()


def test_the_suite_is_all_there():
    # 121 files in the W3C repository's tests/core, 98 of them tests.
    assert len(TESTS) == 98
    assert len({t.name for t in TESTS}) == len(TESTS)


class _Case:
    def __init__(self, test: W3CTest) -> None:
        self.manifest = _load(test.file)
        action = self.manifest.value(test.node, MF.action)
        graphs: dict[Node, Graph] = {URIRef(test.file.as_uri()): self.manifest}

        def graph(iri: Node) -> Graph:
            if iri not in graphs:
                graphs[iri] = _load(Path(str(iri).removeprefix("file://")))
            return graphs[iri]

        self.data = graph(self.manifest.value(action, SHT.dataGraph))
        self.shapes = graph(self.manifest.value(action, SHT.shapesGraph))
        self.expected = self.manifest.value(test.node, MF.result)


def _describe(node: Node | None, graphs: tuple[Graph, ...], seen: frozenset = frozenset()) -> str:
    """A blank node as the sorted list of what it says (in the first graph that
    says anything about it); other terms as N3."""
    if node is None:
        return ""
    if not isinstance(node, BNode):
        return node.n3()
    if node in seen:
        return "_:cycle"
    for g in graphs:
        pairs = sorted(f"{p.n3()} {_describe(o, graphs, seen | {node})}"
                       for p, o in g.predicate_objects(node))
        if pairs:
            return "[" + "; ".join(pairs) + "]"
    return "[]"


def _path(node: Node | None, g: tuple[Graph, ...]) -> str:
    """A SHACL path as text: (p q) for a sequence, ^p, p*, p+, p?, (p|q)."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return node.n3()
    for graph in g:
        if (node, RDF.first, None) in graph:
            return "(" + " ".join(_path(x, g) for x in Collection(graph, node)) + ")"
        for p, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                       (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = graph.value(node, p)
            if inner is not None:
                return fmt.format(_path(inner, g))
        alt = graph.value(node, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(_path(x, g) for x in Collection(graph, alt)) + ")"
    return "[]"


Key = tuple[str, str, str, str, str, str]


def _key(focus, path, value, shape, severity, component, graphs) -> Key:
    return (_describe(focus, graphs), _path(path, graphs), _describe(value, graphs),
            _describe(shape, graphs), _describe(severity, graphs), _describe(component, graphs))


def _report_keys(report: Graph, node: Node, graphs: tuple[Graph, ...]) -> tuple[bool, Counter]:
    conforms = report.value(node, SH.conforms)
    keys: Counter = Counter()
    for r in report.objects(node, SH.result):
        keys[_key(*(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value,
                                                   SH.sourceShape, SH.resultSeverity,
                                                   SH.sourceConstraintComponent)), graphs)] += 1
    return bool(conforms.toPython()) if isinstance(conforms, Literal) else False, keys


def _expected(case: _Case) -> tuple[bool, Counter]:
    return _report_keys(case.manifest, case.expected,
                        (case.manifest, case.shapes, case.data))


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_fast_engine(test: W3CTest):
    case = _Case(test)
    refused = unsupported(case.shapes)
    if refused:
        assert set(refused) <= set(UNSUPPORTED) | {f for f in refused if f.startswith("sh:")}
        with pytest.raises(KgraphError) as err:
            FastValidator(case.shapes).validate(case.data)
        assert any(f in str(err.value) for f in refused), str(err.value)
        return
    results = FastValidator(case.shapes).validate(case.data)
    graphs = (case.shapes, case.data)
    got = Counter(_key(r.focus, r.path, r.value, r.shape, r.severity, r.component, graphs)
                  for r in results)
    conforms, expected = _expected(case)
    assert (not results) == conforms
    assert got == expected


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_pyshacl(test: W3CTest, caplog):
    from pyshacl import validate

    if test.name in PYSHACL_KNOWN_FAILURES:
        pytest.xfail(PYSHACL_KNOWN_FAILURES[test.name])
    case = _Case(test)
    caplog.set_level(logging.ERROR)
    conforms, report, _ = validate(case.data, shacl_graph=case.shapes, inference="none")
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    got_conforms, got = _report_keys(report, node, (report, case.shapes, case.data))
    exp_conforms, expected = _expected(case)
    assert got_conforms == exp_conforms
    assert got == expected


#: A shapes graph using each feature of UNSUPPORTED (Turtle after the prologue).
_REFUSED_EXAMPLES = {
    "sh:sparql on a shape without targets": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] ] .""",
    "SPARQL $PATH, $shapesGraph or $currentShape": """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:sparql [ sh:select "SELECT $this WHERE { $this $PATH ?o }" ] .""",
    "SPARQL ASK validators and constraint components": """ex:Comp a sh:ConstraintComponent ;
        sh:parameter [ sh:path ex:flag ] ; sh:validator [ sh:ask "ASK { FILTER (true) }" ] .""",
    "SHACL-AF and SHACL-JS": """ex:S a sh:NodeShape ;
        sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this ?p ?o }" ] .""",
    "OTHER": """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:someFutureConstraint 3 .""",
}


@pytest.mark.parametrize("feature", sorted(UNSUPPORTED))
def test_each_refused_feature_is_refused_by_name(feature):
    prologue = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n")
    shapes = Graph().parse(data=prologue + _REFUSED_EXAMPLES[feature], format="turtle")
    name = "sh:someFutureConstraint" if feature == "OTHER" else feature
    assert list(unsupported(shapes)) == [name]
    with pytest.raises(KgraphError, match=re.escape(f"does not support {name} ")):
        FastValidator(shapes)


def test_the_fast_engine_refuses_none_of_the_core_suite():
    refused = {t.name: unsupported(_Case(t).shapes) for t in TESTS}
    assert {name: r for name, r in refused.items() if r} == {}
