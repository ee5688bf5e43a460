"""A fast SHACL validator for the constraint components our shapes use.

pySHACL is the reference (``kgraph.shacl``); it spends most of its time on
per-focus-node overhead and runs each SPARQL constraint once per focus node.
This engine indexes the data once, evaluates core constraints in Python and
runs each SPARQL constraint once over the whole graph.  It supports the
components the bundled shapes use (listed in ``SUPPORTED``) and refuses shapes
with any other, so it can never silently skip a check; a test checks it reports
the same violations as pySHACL on the bundled graph and on every kind of broken
record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from .errors import KgraphError
from .namespaces import curie

#: Constraint and shape predicates this engine understands.
SUPPORTED = frozenset(SH[x] for x in (
    "targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode", "property", "path",
    "message", "severity", "name", "description", "order", "group",
    "minCount", "maxCount", "datatype", "class", "nodeKind", "in", "pattern", "flags",
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "languageIn", "uniqueLang",
    "hasValue", "lessThan", "lessThanOrEquals", "or", "sparql", "select", "deactivated",
    "zeroOrMorePath", "oneOrMorePath", "inversePath", "alternativePath",
))

_NUMERIC_OR_DATE = (int, float)


# Namespace attribute lookups are slow in rdflib; the hot loops use constants.
_BLANKNODE = SH.BlankNode
_BLANKNODEORIRI = SH.BlankNodeOrIRI
_BLANKNODEORLITERAL = SH.BlankNodeOrLiteral
_IRI = SH.IRI
_IRIORLITERAL = SH.IRIOrLiteral
_LITERAL = SH.Literal
_VIOLATION = SH.Violation
_ALTERNATIVEPATH = SH.alternativePath
_CLASS = URIRef(str(SH) + "class")
_DATATYPE = SH.datatype
_DEACTIVATED = SH.deactivated
_FLAGS = SH.flags
_HASVALUE = SH.hasValue
_IN = URIRef(str(SH) + "in")
_INVERSEPATH = SH.inversePath
_LANGUAGEIN = SH.languageIn
_LESSTHAN = SH.lessThan
_LESSTHANOREQUALS = SH.lessThanOrEquals
_MAXCOUNT = SH.maxCount
_MAXEXCLUSIVE = SH.maxExclusive
_MAXINCLUSIVE = SH.maxInclusive
_MESSAGE = SH.message
_MINCOUNT = SH.minCount
_MINEXCLUSIVE = SH.minExclusive
_MININCLUSIVE = SH.minInclusive
_NODEKIND = SH.nodeKind
_ONEORMOREPATH = SH.oneOrMorePath
_OR = URIRef(str(SH) + "or")
_PATH = SH.path
_PATTERN = SH.pattern
_PROPERTY = SH.property
_SELECT = SH.select
_SPARQL = SH.sparql
_TARGETCLASS = SH.targetClass
_TARGETNODE = SH.targetNode
_TARGETOBJECTSOF = SH.targetObjectsOf
_TARGETSUBJECTSOF = SH.targetSubjectsOf
_UNIQUELANG = SH.uniqueLang
_ZEROORMOREPATH = SH.zeroOrMorePath
_RDF_TYPE = RDF.type
_SUBCLASS = RDFS.subClassOf
_RDF_FIRST = RDF.first
_LANGSTRING = RDF.langString
_XSD_STRING = XSD.string


class Index:
    """Subject -> predicate -> objects, types with their superclasses, and the
    subjects of each predicate, built once from the data graph.

    Objects are indexed (``inv``, ``obj_by_pred``) only for the predicates
    named in ``inverse`` and ``object_targets`` (all when None): hashing an
    rdflib literal is slow, and only inverse paths and sh:targetObjectsOf
    look a triple up by its object."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]],
                 inverse: set[Node] | None = None, object_targets: set[Node] | None = None) -> None:
        self.out: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.inv: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.by_pred: dict[Node, set[Node]] = defaultdict(set)
        self.obj_by_pred: dict[Node, set[Node]] = defaultdict(set)
        supers: dict[Node, set[Node]] = defaultdict(set)
        for s, p, o in triples:
            self.out[s][p].append(o)
            self.by_pred[p].add(s)
            if inverse is None or p in inverse:
                self.inv[o][p].append(s)
            if object_targets is None or p in object_targets:
                self.obj_by_pred[p].add(o)
            if p == _SUBCLASS:
                supers[s].add(o)
        self._closure: dict[Node, frozenset[Node]] = {}
        self._supers = supers
        self._instances: dict[Node, set[Node]] = {}
        self._classes: dict[Node, frozenset[Node]] = {}

    def objects(self, s: Node, p: Node) -> list[Node]:
        d = self.out.get(s)
        return d.get(p, []) if d is not None else []

    def superclasses(self, c: Node) -> frozenset[Node]:
        """``c`` and everything it is a subclass of (transitively)."""
        if c not in self._closure:
            seen = {c}
            todo = [c]
            while todo:
                for sup in self._supers.get(todo.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            self._closure[c] = frozenset(seen)
        return self._closure[c]

    def classes_of(self, node: Node) -> frozenset[Node]:
        """Every class ``node`` is an instance of (its types and their superclasses)."""
        found = self._classes.get(node)
        if found is None:
            types = self.objects(node, _RDF_TYPE)
            if len(types) == 1:
                found = self.superclasses(types[0])
            else:
                found = frozenset().union(*(self.superclasses(t) for t in types))
            self._classes[node] = found
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return cls in self.classes_of(node)

    def instances(self, cls: Node) -> set[Node]:
        if not self._instances:
            by_class: dict[Node, set[Node]] = defaultdict(set)
            for s in self.by_pred.get(_RDF_TYPE, ()):
                for c in self.classes_of(s):
                    by_class[c].add(s)
            self._instances = dict(by_class)
        return self._instances.get(cls, set())


@dataclass
class _Result:
    focus: Node
    path: Node | None
    value: Node | None
    message: str
    severity: Node = _VIOLATION


#: Constraints on the set of values (checked once per focus node) and on each value.
_ON_VALUE_SET = (_MINCOUNT, _MAXCOUNT, _HASVALUE, _UNIQUELANG, _LESSTHAN, _LESSTHANOREQUALS)
_ON_EACH_VALUE = (_DATATYPE, _CLASS, _NODEKIND, _IN, _PATTERN, _MININCLUSIVE, _MAXINCLUSIVE,
                  _MINEXCLUSIVE, _MAXEXCLUSIVE, _LANGUAGEIN, _OR)


@dataclass
class _Shape:
    node: Node
    path: Node | None
    message: str | None
    props: dict[Node, list[Node]] = field(default_factory=dict)
    # Worked out once per shape: a large graph checks each shape on tens of thousands of nodes.
    fallback: str = ""
    on_value_set: bool = False
    on_each_value: bool = False
    subshapes: list[_Shape] | None = None

    def __post_init__(self) -> None:
        self.fallback = self.message or f"constraint of {curie(self.node)} failed"
        self.on_value_set = any(k in self.props for k in _ON_VALUE_SET)
        self.on_each_value = any(k in self.props for k in _ON_EACH_VALUE)


class FastValidator:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self._shapes: dict[Node, _Shape] = {}
        self._lists: dict[Node, list[Node]] = {}
        for s, p, _ in shapes:
            if str(p).startswith(str(SH)) and p not in SUPPORTED:
                raise KgraphError(f"the fast SHACL engine does not support {curie(p)} "
                                  f"(in shape {curie(s)})", hint="validate with engine='pyshacl'")

    # --- shapes ---------------------------------------------------------------------

    def _shape(self, node: Node) -> _Shape:
        cached = self._shapes.get(node)
        if cached is not None:
            return cached
        props: dict[Node, list[Node]] = defaultdict(list)
        for p, o in self.shapes.predicate_objects(node):
            props[p].append(o)
        msg = props.get(_MESSAGE)
        shape = _Shape(node, props[_PATH][0] if _PATH in props else None,
                       str(msg[0]) if msg else None, dict(props))
        self._shapes[node] = shape
        return shape

    def _list(self, node: Node) -> list[Node]:
        if node not in self._lists:
            self._lists[node] = list(Collection(self.shapes, node))
        return self._lists[node]

    def node_shapes(self) -> Iterator[_Shape]:
        targets = (_TARGETCLASS, _TARGETSUBJECTSOF, _TARGETOBJECTSOF, _TARGETNODE)
        seen: set[Node] = set()
        for t in targets:
            for s in self.shapes.subjects(t, None):
                if s not in seen:
                    seen.add(s)
                    yield self._shape(s)

    # --- paths ----------------------------------------------------------------------

    def values(self, idx: Index, focus: Node, path: Node) -> list[Node]:
        if isinstance(path, URIRef):
            return list(idx.objects(focus, path))
        if (path, _RDF_FIRST, None) in self.shapes:          # sequence
            nodes = [focus]
            for step in self._list(path):
                nodes = [v for n in nodes for v in self.values(idx, n, step)]
            return list(dict.fromkeys(nodes))
        inv = self.shapes.value(path, _INVERSEPATH)
        if inv is not None:
            return [s for s in idx.inv.get(focus, {}).get(inv, [])]
        for kind, least in ((_ZEROORMOREPATH, 0), (_ONEORMOREPATH, 1)):
            inner = self.shapes.value(path, kind)
            if inner is not None:
                found: list[Node] = [focus] if least == 0 else []
                seen = {focus}
                frontier = [focus]
                while frontier:
                    nxt = []
                    for n in frontier:
                        for v in self.values(idx, n, inner):
                            if v not in seen:
                                seen.add(v)
                                found.append(v)
                                nxt.append(v)
                    frontier = nxt
                return found
        alt = self.shapes.value(path, _ALTERNATIVEPATH)
        if alt is not None:
            return list(dict.fromkeys(v for p in self._list(alt) for v in self.values(idx, focus, p)))
        raise KgraphError(f"unsupported SHACL path {path!r}", hint="validate with engine='pyshacl'")

    # --- targets ----------------------------------------------------------------------

    def focus_nodes(self, idx: Index, shape: _Shape) -> set[Node]:
        out: set[Node] = set()
        for c in shape.props.get(_TARGETCLASS, []):
            out |= idx.instances(c)
        for p in shape.props.get(_TARGETSUBJECTSOF, []):
            out |= idx.by_pred.get(p, set())
        for p in shape.props.get(_TARGETOBJECTSOF, []):
            out |= idx.obj_by_pred.get(p, set())
        out |= set(shape.props.get(_TARGETNODE, []))
        return out

    # --- constraints -------------------------------------------------------------------

    def value_ok(self, idx: Index, v: Node, shape: _Shape) -> Iterator[str]:
        """Names of the value-type constraints of ``shape`` that ``v`` fails."""
        P = shape.props
        for dt in P.get(_DATATYPE, []):
            if not _has_datatype(v, dt):
                yield "datatype"
        for c in P.get(_CLASS, []):
            if isinstance(v, Literal) or not idx.is_instance(v, c):
                yield "class"
        for kind in P.get(_NODEKIND, []):
            if not _node_kind(v, kind):
                yield "nodeKind"
        for lst in P.get(_IN, []):
            if v not in set(self._list(lst)):
                yield "in"
        for pat in P.get(_PATTERN, []):
            flags = P.get(_FLAGS, [])
            f = re.IGNORECASE if flags and "i" in str(flags[0]) else 0
            if isinstance(v, BNode) or not re.search(str(pat), str(v), f):
                yield "pattern"
        for key, op in ((_MININCLUSIVE, lambda a, b: a >= b), (_MAXINCLUSIVE, lambda a, b: a <= b),
                        (_MINEXCLUSIVE, lambda a, b: a > b), (_MAXEXCLUSIVE, lambda a, b: a < b)):
            for bound in P.get(key, []):
                if not _compare(v, bound, op):
                    yield "range"
        for lst in P.get(_LANGUAGEIN, []):
            langs = [str(x).lower() for x in self._list(lst)]
            lang = v.language.lower() if isinstance(v, Literal) and v.language else None
            if lang is None or not any(lang == x or lang.startswith(x + "-") for x in langs):
                yield "languageIn"
        for lst in P.get(_OR, []):
            if not any(self.conforms(idx, v, self._shape(alt)) for alt in self._list(lst)):
                yield "or"

    def conforms(self, idx: Index, node: Node, shape: _Shape) -> bool:
        """Does ``node`` conform to ``shape`` (used for sh:or alternatives)?"""
        return not any(True for _ in self.check(idx, node, shape, nested=True))

    def check(self, idx: Index, focus: Node, shape: _Shape, nested: bool = False) -> Iterator[_Result]:
        msg = shape.fallback
        if shape.path is not None:
            values = self.values(idx, focus, shape.path)
            path = shape.path
        else:
            values, path = [focus], None
        if shape.on_value_set:
            yield from self._check_value_set(idx, focus, shape, values, path, msg)
        if shape.on_each_value:
            for v in values:
                for _ in self.value_ok(idx, v, shape):
                    yield _Result(focus, path, v, msg)
        if not nested:
            if shape.subshapes is None:
                shape.subshapes = [self._shape(ps) for ps in shape.props.get(_PROPERTY, [])]
            for sub in shape.subshapes:
                yield from self.check(idx, focus, sub)

    def _check_value_set(self, idx: Index, focus: Node, shape: _Shape, values: list[Node],
                         path: Node | None, msg: str) -> Iterator[_Result]:
        P = shape.props
        for mc in P.get(_MINCOUNT, []):
            if len(values) < int(str(mc)):
                yield _Result(focus, path, None, msg)
        for mc in P.get(_MAXCOUNT, []):
            if len(values) > int(str(mc)):
                yield _Result(focus, path, None, msg)
        for hv in P.get(_HASVALUE, []):
            if hv not in values:
                yield _Result(focus, path, None, msg)
        if P.get(_UNIQUELANG) and any(bool(x.toPython()) for x in P[_UNIQUELANG]
                                        if isinstance(x, Literal)):
            langs: dict[str, int] = defaultdict(int)
            for v in values:
                if isinstance(v, Literal) and v.language:
                    langs[v.language.lower()] += 1
            for _lang, n in sorted(langs.items()):
                if n > 1:
                    yield _Result(focus, path, None, msg)
        for key, op in ((_LESSTHAN, lambda a, b: a < b), (_LESSTHANOREQUALS, lambda a, b: a <= b)):
            for other in P.get(key, []):
                others = idx.objects(focus, other)
                for v in values:
                    for w in others:
                        if not _compare(v, w, op):
                            yield _Result(focus, path, v, msg)

    def sparql_results(self, data: Graph, shape: _Shape, focus: set[Node]) -> Iterator[_Result]:
        from .sparql import run

        for c in shape.props.get(_SPARQL, []):
            select = self.shapes.value(c, _SELECT)
            m = self.shapes.value(c, _MESSAGE)
            msg = str(m) if m is not None else shape.message or "SPARQL constraint failed"
            text = re.sub(r"\$this\b", "?this", str(select))
            for row in run(data, text):
                d = row.asdict()
                this = d.get("this")
                if this is not None and this in focus:
                    # For a node shape the value defaults to the focus node (SHACL 5.3.2).
                    value = d.get("value", this if shape.path is None else None)
                    yield _Result(this, d.get("path", shape.path), value, msg)

    def validate(self, data: Graph) -> list[_Result]:
        idx = Index(data, inverse=set(self.shapes.objects(None, _INVERSEPATH)),
                    object_targets=set(self.shapes.objects(None, _TARGETOBJECTSOF)))
        results: list[_Result] = []
        for shape in self.node_shapes():
            if any(bool(x.toPython()) for x in shape.props.get(_DEACTIVATED, [])
                   if isinstance(x, Literal)):
                continue
            focus = self.focus_nodes(idx, shape)
            for f in focus:
                results.extend(self.check(idx, f, shape))
            if _SPARQL in shape.props and focus:
                results.extend(self.sparql_results(data, shape, focus))
        return results


def _has_datatype(v: Node, dt: Node) -> bool:
    if not isinstance(v, Literal):
        return False
    if dt == _LANGSTRING:
        return bool(v.language)
    if v.language:
        return False
    actual = v.datatype or _XSD_STRING
    if actual != dt:
        return False
    return not getattr(v, "ill_typed", False)


def _node_kind(v: Node, kind: Node) -> bool:
    is_iri, is_bnode, is_lit = isinstance(v, URIRef), isinstance(v, BNode), isinstance(v, Literal)
    kinds: dict[Node, bool] = {
        _IRI: is_iri, _BLANKNODE: is_bnode, _LITERAL: is_lit,
        _BLANKNODEORIRI: is_bnode or is_iri, _BLANKNODEORLITERAL: is_bnode or is_lit,
        _IRIORLITERAL: is_iri or is_lit,
    }
    return kinds.get(kind, False)


def _compare(a: Node, b: Node, op: Any) -> bool:
    if not isinstance(a, Literal) or not isinstance(b, Literal):
        return False
    if getattr(a, "ill_typed", False) or getattr(b, "ill_typed", False):
        return False
    x, y = a.toPython(), b.toPython()
    if isinstance(x, Literal) or isinstance(y, Literal):
        return False
    try:
        return bool(op(x, y))
    except TypeError:
        return False


def validate_fast(data: Graph, shapes: Graph) -> list[_Result]:
    """Every violation of ``shapes`` in ``data`` (no inference)."""
    return FastValidator(shapes).validate(data)


__all__ = ["FastValidator", "Index", "SUPPORTED", "validate_fast"]
