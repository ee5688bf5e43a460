"""A fast SHACL validator: SHACL Core, and SPARQL-based constraints on shapes with targets.

pySHACL is the reference (``kgraph.shacl``); it spends most of its time on
per-focus-node overhead and runs each SPARQL constraint once per focus node.
This engine indexes the data once, evaluates core constraints in Python and
runs each SPARQL constraint once over the whole graph.

What it checks:

- targets: ``sh:targetClass``, ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, and implicit class targets (a shape that is also an
  ``rdfs:Class`` or ``owl:Class`` in the shapes graph targets its instances,
  those of its subclasses included);
- every SHACL Core constraint component, the logical ones (``sh:and``,
  ``sh:or``, ``sh:not``, ``sh:xone``) and the shape-based ones (``sh:node``,
  ``sh:property``, ``sh:qualifiedValueShape``) with whole nested shapes,
  ``sh:closed``, and every SHACL path, inverses of complex paths included;
- ``sh:severity`` (default ``sh:Violation``), ``sh:message`` (as written, no
  template substitution) and ``sh:deactivated``;
- ``sh:sparql`` SELECT constraints on shapes with targets, with the
  constraint's ``sh:prefixes``; ``$this`` is pre-bound to the focus nodes even
  where it occurs only inside ``FILTER (NOT) EXISTS`` or ``MINUS``.

Each result carries its focus node, path, value, source shape, severity and
constraint component.  No inference: the data graph is read as it is, with
``rdfs:subClassOf`` followed for class membership as SHACL says.  Shapes that
recurse more than 64 levels deep stop with an error (SHACL leaves recursion
undefined).

What it does not implement is named in ``UNSUPPORTED`` with the reason;
``unsupported(shapes)`` lists what a shapes graph uses of it, and
``FastValidator`` refuses such shapes with an error naming the feature
(``kgraph.shacl`` then falls back to pySHACL with a notice).  The W3C SHACL
Core test suite (tests/w3c-shacl) runs against this engine and pySHACL.
Well-formedness of literals whose shape does not say ``sh:datatype`` is
checked by ``kgraph.literals``, for both engines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from .errors import KgraphError
from .literals import well_formed
from .namespaces import curie

#: Shape and constraint predicates this engine implements.
SUPPORTED = frozenset(URIRef(str(SH) + x) for x in (
    "targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode", "property", "path",
    "message", "severity", "name", "description", "order", "group", "defaultValue",
    "minCount", "maxCount", "datatype", "class", "nodeKind", "in", "pattern", "flags",
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength",
    "languageIn", "uniqueLang", "hasValue", "lessThan", "lessThanOrEquals", "equals", "disjoint",
    "and", "or", "not", "xone", "node", "closed", "ignoredProperties",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
    "sparql", "select", "deactivated", "prefixes", "declare", "prefix", "namespace",
    "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath", "inversePath", "alternativePath",
    # Terms that are not constraints: the shapes graph's links, and validation reports
    # (a test manifest holds its expected report beside the shapes).
    "shapesGraph", "suggestedShapesGraph", "entailment", "conforms", "result", "focusNode",
    "resultPath", "value", "sourceShape", "sourceConstraint", "resultSeverity",
    "sourceConstraintComponent", "resultMessage", "detail",
))

#: Features this engine refuses, with the reason.  ``unsupported`` reports
#: these by name, and any other ``sh:`` predicate outside ``SUPPORTED`` as
#: "sh:<name>" with the reason given for ``OTHER``.
UNSUPPORTED: dict[str, str] = {
    "sh:sparql on a shape without targets": "SPARQL constraints run once over the whole graph, "
        "so only on shapes with their own targets, not on nested or property shapes",
    "SPARQL $PATH, $shapesGraph or $currentShape": "only $this is pre-bound",
    "SPARQL ASK validators and constraint components": "sh:ask, sh:validator and "
        "sh:parameter (SHACL-SPARQL custom components) are not implemented",
    "SHACL-AF and SHACL-JS": "sh:target, sh:rule, sh:js* and other advanced features",
    "OTHER": "not a feature this engine implements",
}

_ADVANCED = frozenset(URIRef(str(SH) + x) for x in (
    "target", "rule", "condition", "jsFunctionName", "jsLibrary", "jsLibraryURL", "values",
    "nodes", "this", "filterShape", "intersection", "union", "targetType", "expression",
))
_CUSTOM_COMPONENTS = frozenset(URIRef(str(SH) + x) for x in (
    "ask", "validator", "nodeValidator", "propertyValidator", "parameter", "labelTemplate",
))

# Namespace attribute lookups are slow in rdflib; the hot loops use constants.
_BLANKNODE = SH.BlankNode
_BLANKNODEORIRI = SH.BlankNodeOrIRI
_BLANKNODEORLITERAL = SH.BlankNodeOrLiteral
_IRI = SH.IRI
_IRIORLITERAL = SH.IRIOrLiteral
_LITERAL = SH.Literal
_VIOLATION = SH.Violation
_ALTERNATIVEPATH = SH.alternativePath
_AND = URIRef(str(SH) + "and")
_CLASS = URIRef(str(SH) + "class")
_CLOSED = SH.closed
_DATATYPE = SH.datatype
_DEACTIVATED = SH.deactivated
_DISJOINT = SH.disjoint
_EQUALS = SH.equals
_FLAGS = SH.flags
_HASVALUE = SH.hasValue
_IGNOREDPROPERTIES = SH.ignoredProperties
_IN = URIRef(str(SH) + "in")
_INVERSEPATH = SH.inversePath
_LANGUAGEIN = SH.languageIn
_LESSTHAN = SH.lessThan
_LESSTHANOREQUALS = SH.lessThanOrEquals
_MAXCOUNT = SH.maxCount
_MAXEXCLUSIVE = SH.maxExclusive
_MAXINCLUSIVE = SH.maxInclusive
_MAXLENGTH = SH.maxLength
_MESSAGE = SH.message
_MINCOUNT = SH.minCount
_MINEXCLUSIVE = SH.minExclusive
_MININCLUSIVE = SH.minInclusive
_MINLENGTH = SH.minLength
_NODE = SH.node
_NODEKIND = SH.nodeKind
_NOT = URIRef(str(SH) + "not")
_ONEORMOREPATH = SH.oneOrMorePath
_OR = URIRef(str(SH) + "or")
_PATH = SH.path
_PATTERN = SH.pattern
_PROPERTY = SH.property
_QVS = SH.qualifiedValueShape
_QMIN = SH.qualifiedMinCount
_QMAX = SH.qualifiedMaxCount
_QDISJOINT = SH.qualifiedValueShapesDisjoint
_SELECT = SH.select
_SEVERITY = SH.severity
_SPARQL = SH.sparql
_TARGETCLASS = SH.targetClass
_TARGETNODE = SH.targetNode
_TARGETOBJECTSOF = SH.targetObjectsOf
_TARGETSUBJECTSOF = SH.targetSubjectsOf
_UNIQUELANG = SH.uniqueLang
_XONE = SH.xone
_ZEROORMOREPATH = SH.zeroOrMorePath
_ZEROORONEPATH = SH.zeroOrOnePath
_C_AND = SH.AndConstraintComponent
_C_CLASS = SH.ClassConstraintComponent
_C_CLOSED = SH.ClosedConstraintComponent
_C_DATATYPE = SH.DatatypeConstraintComponent
_C_DISJOINT = SH.DisjointConstraintComponent
_C_EQUALS = SH.EqualsConstraintComponent
_C_HASVALUE = SH.HasValueConstraintComponent
_C_IN = SH.InConstraintComponent
_C_LANGUAGEIN = SH.LanguageInConstraintComponent
_C_LESSTHAN = SH.LessThanConstraintComponent
_C_LESSTHANOREQUALS = SH.LessThanOrEqualsConstraintComponent
_C_MAXCOUNT = SH.MaxCountConstraintComponent
_C_MAXEXCLUSIVE = SH.MaxExclusiveConstraintComponent
_C_MAXINCLUSIVE = SH.MaxInclusiveConstraintComponent
_C_MAXLENGTH = SH.MaxLengthConstraintComponent
_C_MINCOUNT = SH.MinCountConstraintComponent
_C_MINEXCLUSIVE = SH.MinExclusiveConstraintComponent
_C_MININCLUSIVE = SH.MinInclusiveConstraintComponent
_C_MINLENGTH = SH.MinLengthConstraintComponent
_C_NODE = SH.NodeConstraintComponent
_C_NODEKIND = SH.NodeKindConstraintComponent
_C_NOT = SH.NotConstraintComponent
_C_OR = SH.OrConstraintComponent
_C_PATTERN = SH.PatternConstraintComponent
_C_QUALIFIEDMAXCOUNT = SH.QualifiedMaxCountConstraintComponent
_C_QUALIFIEDMINCOUNT = SH.QualifiedMinCountConstraintComponent
_C_SPARQL = SH.SPARQLConstraintComponent
_C_UNIQUELANG = SH.UniqueLangConstraintComponent
_C_XONE = SH.XoneConstraintComponent
_RDF_TYPE = RDF.type
_SUBCLASS = RDFS.subClassOf
_RDF_FIRST = RDF.first
_LANGSTRING = RDF.langString
_XSD_STRING = XSD.string
_TARGET = URIRef(str(SH) + "target")
_TARGETS = (_TARGETCLASS, _TARGETSUBJECTSOF, _TARGETOBJECTSOF, _TARGETNODE)
_CLASS_TYPES = (RDFS.Class, OWL.Class)
_SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)


_MAX_DEPTH = 64

#: The constants above by their text: shape properties are keyed by these objects.
_CANONICAL: dict[str, URIRef] = {str(v): v for k, v in list(globals().items())
                                 if k.startswith("_") and k.isupper() and isinstance(v, URIRef)}


class Index:
    """Subject -> predicate -> objects, types with their superclasses, and the
    subjects of each predicate, built once from the data graph.

    Objects are indexed (``inv``, ``obj_by_pred``) only for the predicates
    named in ``inverse`` and ``object_targets`` (all when None): hashing an
    rdflib literal is slow, and only inverse paths and sh:targetObjectsOf
    look a triple up by its object.  ``literals``, when given, collects the
    triples with a literal object (for kgraph.literals, saving a second pass)."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]],
                 inverse: set[Node] | None = None, object_targets: set[Node] | None = None,
                 literals: list[tuple[Node, Node, Literal]] | None = None) -> None:
        self.out: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.inv: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.by_pred: dict[Node, set[Node]] = defaultdict(set)
        self.obj_by_pred: dict[Node, set[Node]] = defaultdict(set)
        supers: dict[Node, set[Node]] = defaultdict(set)
        for s, p, o in triples:
            self.out[s][p].append(o)
            if literals is not None and type(o) is Literal:
                literals.append((s, p, o))
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
    shape: Node | None = None
    component: Node | None = None


#: Constraints on the set of values (checked once per focus node) and on each value.
_ON_VALUE_SET = (_MINCOUNT, _MAXCOUNT, _HASVALUE, _UNIQUELANG, _LESSTHAN, _LESSTHANOREQUALS,
                 _EQUALS, _DISJOINT, _QVS)
_ON_EACH_VALUE = (_DATATYPE, _CLASS, _NODEKIND, _IN, _PATTERN, _MININCLUSIVE, _MAXINCLUSIVE,
                  _MINEXCLUSIVE, _MAXEXCLUSIVE, _MINLENGTH, _MAXLENGTH, _LANGUAGEIN, _OR, _AND,
                  _NOT, _XONE, _NODE)


@dataclass
class _Shape:
    node: Node
    path: Node | None
    message: str | None
    props: dict[Node, list[Node]] = field(default_factory=dict)
    # Worked out once per shape: a large graph checks each shape on tens of thousands of nodes.
    fallback: str = ""
    severity: Node = _VIOLATION
    deactivated: bool = False
    on_value_set: bool = False
    on_each_value: bool = False
    each_keys: tuple[Node, ...] = ()
    closed: bool = False
    subshapes: list[_Shape] | None = None

    def __post_init__(self) -> None:
        self.fallback = self.message or f"constraint of {curie(self.node)} failed"
        self.on_value_set = any(k in self.props for k in _ON_VALUE_SET)
        self.each_keys = tuple(k for k in _ON_EACH_VALUE if k in self.props)
        self.on_each_value = bool(self.each_keys)
        sev = self.props.get(_SEVERITY)
        if sev:
            self.severity = sev[0]
        self.closed = any(isinstance(x, Literal) and x.toPython() is True
                          for x in self.props.get(_CLOSED, []))
        self.deactivated = any(isinstance(x, Literal) and bool(x.toPython())
                               for x in self.props.get(_DEACTIVATED, []))


def _sparql_outer_text(query: str) -> str:
    """``query`` without the groups of FILTER (NOT) EXISTS and MINUS, where a
    variable is not bound for the rest of the query."""
    out = []
    i = 0
    for m in re.finditer(r"(?i)\b(?:NOT\s+)?EXISTS\s*\{|\bMINUS\s*\{", query):
        if m.start() < i:
            continue
        out.append(query[i:m.start()])
        depth, j = 1, m.end()
        while j < len(query) and depth:
            depth += {"{": 1, "}": -1}.get(query[j], 0)
            j += 1
        i = j
    out.append(query[i:])
    return "".join(out)


def shape_nodes(shapes: Graph) -> set[Node]:
    """The shapes of ``shapes``: those with targets or a shape type, shapes that
    are classes, and every shape they refer to."""
    todo: list[Node] = [s for t in (*_TARGETS, _TARGET) for s in shapes.subjects(t, None)]
    todo += [s for t in _SHAPE_TYPES for s in shapes.subjects(_RDF_TYPE, t)]
    todo += list(shapes.subjects(_SPARQL, None)) + list(shapes.subjects(_PATH, None))
    found: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in found:
            continue
        found.add(node)
        for p in (_PROPERTY, _NODE, _NOT, _QVS):
            todo += shapes.objects(node, p)
        for p in (_AND, _OR, _XONE):
            for lst in shapes.objects(node, p):
                todo += Collection(shapes, lst)
    return found


def unsupported(shapes: Graph) -> dict[str, Node]:
    """The features of ``UNSUPPORTED`` that ``shapes`` uses, each with a shape that uses it.

    SHACL-AF, SHACL-JS and custom constraint components count wherever they
    are; other ``sh:`` terms only on shapes (a test manifest's data may say
    anything)."""
    found: dict[str, Node] = {}
    sh = str(SH)
    shapes_in_use = shape_nodes(shapes)
    for s, p, _o in shapes:
        if p in SUPPORTED or not str(p).startswith(sh):
            continue
        if p in _ADVANCED or str(p)[len(sh):].startswith("js"):
            found.setdefault("SHACL-AF and SHACL-JS", s)
        elif p in _CUSTOM_COMPONENTS:
            found.setdefault("SPARQL ASK validators and constraint components", s)
        elif s in shapes_in_use:
            found.setdefault(curie(p) or str(p), s)
    for s in shapes_in_use:
        for c in shapes.objects(s, _SPARQL):
            if not any((s, t, None) in shapes for t in _TARGETS) and not _is_class(shapes, s):
                found.setdefault("sh:sparql on a shape without targets", s)
            select = str(shapes.value(c, _SELECT) or "")
            if re.search(r"\$(PATH|shapesGraph|currentShape)\b", select):
                found.setdefault("SPARQL $PATH, $shapesGraph or $currentShape", s)
    return found


def _path_predicates(shapes: Graph, path: Node, seen: set[Node] | None = None) -> set[Node]:
    """Every predicate inside a SHACL path (even an ill-formed, cyclic one)."""
    if isinstance(path, URIRef):
        return {path}
    seen = set() if seen is None else seen
    if path in seen:
        return set()
    seen.add(path)
    found: set[Node] = set()
    for p, o in shapes.predicate_objects(path):
        if p in (_RDF_FIRST, RDF.rest, _INVERSEPATH, _ZEROORMOREPATH, _ONEORMOREPATH,
                 _ZEROORONEPATH, _ALTERNATIVEPATH):
            found |= _path_predicates(shapes, o, seen)
    return found


def _is_class(shapes: Graph, node: Node) -> bool:
    return any((node, _RDF_TYPE, t) in shapes for t in _CLASS_TYPES)


def _reason(feature: str) -> str:
    return UNSUPPORTED.get(feature, UNSUPPORTED["OTHER"])


class FastValidator:
    def __init__(self, shapes: Graph, refused: dict[str, Node] | None = None) -> None:
        """``refused``: ``unsupported(shapes)`` when the caller has it already."""
        self.shapes = shapes
        self._shapes: dict[Node, _Shape] = {}
        self._lists: dict[Node, list[Node]] = {}
        refused = unsupported(shapes) if refused is None else refused
        if refused:
            feature, shape = next(iter(refused.items()))
            raise KgraphError(f"the fast SHACL engine does not support {feature} "
                              f"(in shape {curie(shape)}): {_reason(feature)}",
                              hint="validate with engine='pyshacl'")
        self._depth = 0

    # --- shapes ---------------------------------------------------------------------

    def _shape(self, node: Node) -> _Shape:
        cached = self._shapes.get(node)
        if cached is not None:
            return cached
        props: dict[Node, list[Node]] = defaultdict(list)
        for p, o in self.shapes.predicate_objects(node):
            props[_CANONICAL.get(str(p), p)].append(o)
        msg = props.get(_MESSAGE)
        shape = _Shape(node, props[_PATH][0] if _PATH in props else None,
                       str(msg[0]) if msg else None, dict(props))
        self._shapes[node] = shape
        return shape

    def _list(self, node: Node) -> list[Node]:
        if node not in self._lists:
            self._lists[node] = list(Collection(self.shapes, node))
        return self._lists[node]

    def implicit_classes(self) -> set[Node]:
        """Shapes that are also classes: each targets the instances of itself."""
        return {s for t in _CLASS_TYPES for s in self.shapes.subjects(_RDF_TYPE, t)
                if any((s, _RDF_TYPE, st) in self.shapes for st in _SHAPE_TYPES)}

    def node_shapes(self) -> Iterator[_Shape]:
        """Every shape with a target (explicit or implicit), once."""
        seen: set[Node] = set()
        for t in _TARGETS:
            for s in self.shapes.subjects(t, None):
                if s not in seen:
                    seen.add(s)
                    yield self._shape(s)
        for s in sorted(self.implicit_classes() - seen, key=str):
            yield self._shape(s)

    # --- paths ----------------------------------------------------------------------

    def values(self, idx: Index, focus: Node, path: Node) -> list[Node]:
        if isinstance(path, URIRef):
            return list(idx.objects(focus, path))
        if (path, _RDF_FIRST, None) in self.shapes:          # sequence
            nodes = [focus]
            for step in self._list(path):
                nodes = list(dict.fromkeys(v for n in nodes for v in self.values(idx, n, step)))
            return nodes
        inv = self.shapes.value(path, _INVERSEPATH)
        if inv is not None:
            return self.inverse_values(idx, focus, inv)
        for kind, least in ((_ZEROORMOREPATH, 0), (_ONEORMOREPATH, 1)):
            inner = self.shapes.value(path, kind)
            if inner is not None:
                found: list[Node] = [focus] if least == 0 else []
                seen = {focus} if least == 0 else set()
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
        inner = self.shapes.value(path, _ZEROORONEPATH)
        if inner is not None:
            return list(dict.fromkeys([focus, *self.values(idx, focus, inner)]))
        alt = self.shapes.value(path, _ALTERNATIVEPATH)
        if alt is not None:
            return list(dict.fromkeys(v for p in self._list(alt) for v in self.values(idx, focus, p)))
        raise KgraphError(f"unsupported SHACL path {path!r}", hint="validate with engine='pyshacl'")

    def inverse_values(self, idx: Index, focus: Node, path: Node) -> list[Node]:
        """The nodes from which ``path`` leads to ``focus``."""
        if isinstance(path, URIRef):
            return list(dict.fromkeys(idx.inv.get(focus, {}).get(path, [])))
        if (path, _RDF_FIRST, None) in self.shapes:          # ^(a/b) = ^b/^a
            nodes = [focus]
            for step in reversed(self._list(path)):
                nodes = list(dict.fromkeys(v for n in nodes for v in self.inverse_values(idx, n, step)))
            return nodes
        inner = self.shapes.value(path, _INVERSEPATH)
        if inner is not None:                                # ^^p = p
            return self.values(idx, focus, inner)
        alt = self.shapes.value(path, _ALTERNATIVEPATH)
        if alt is not None:
            return list(dict.fromkeys(v for p in self._list(alt)
                                      for v in self.inverse_values(idx, focus, p)))
        for kind, least in ((_ZEROORMOREPATH, 0), (_ONEORMOREPATH, 1), (_ZEROORONEPATH, 0)):
            inner = self.shapes.value(path, kind)
            if inner is not None:
                found: list[Node] = [focus] if least == 0 else []
                seen = set(found)
                frontier = [focus]
                while frontier:
                    nxt = []
                    for n in frontier:
                        for v in self.inverse_values(idx, n, inner):
                            if v not in seen:
                                seen.add(v)
                                found.append(v)
                                nxt.append(v)
                    frontier = nxt if kind is not _ZEROORONEPATH else []
                return found
        raise KgraphError(f"unsupported SHACL path {path!r}", hint="validate with engine='pyshacl'")

    # --- targets ----------------------------------------------------------------------

    def focus_nodes(self, idx: Index, shape: _Shape) -> set[Node]:
        out: set[Node] = set()
        for c in shape.props.get(_TARGETCLASS, []):
            out |= idx.instances(c)
        if _is_class(self.shapes, shape.node):
            out |= idx.instances(shape.node)
        for p in shape.props.get(_TARGETSUBJECTSOF, []):
            out |= idx.by_pred.get(p, set())
        for p in shape.props.get(_TARGETOBJECTSOF, []):
            out |= idx.obj_by_pred.get(p, set())
        out |= set(shape.props.get(_TARGETNODE, []))
        return out

    # --- constraints -------------------------------------------------------------------

    def value_fails(self, idx: Index, v: Node, shape: _Shape) -> Iterator[Node]:
        """The constraint components of ``shape`` that the value ``v`` fails."""
        P = shape.props
        # Keys are this module's constants (see _shape), so `is` and P[key] never
        # fall back to rdflib's slow term equality.
        for key in shape.each_keys:
            params = P[key]
            if key is _DATATYPE:
                for dt in params:
                    if not _has_datatype(v, dt):
                        yield _C_DATATYPE
            elif key is _CLASS:
                for c in params:
                    if isinstance(v, Literal) or not idx.is_instance(v, c):
                        yield _C_CLASS
            elif key is _NODEKIND:
                for kind in params:
                    if not _node_kind(v, kind):
                        yield _C_NODEKIND
            elif key is _IN:
                for lst in params:
                    if v not in set(self._list(lst)):
                        yield _C_IN
            elif key is _PATTERN:
                for pat in params:
                    if isinstance(v, BNode) or not re.search(str(pat), str(v), _flags(P.get(_FLAGS))):
                        yield _C_PATTERN
            elif key in _RANGES:
                op, comp = _RANGES[key]
                for bound in params:
                    if not _compare(v, bound, op):
                        yield comp
            elif key is _MINLENGTH or key is _MAXLENGTH:
                for bound in params:
                    n = int(str(bound))
                    if isinstance(v, BNode) or not (len(str(v)) >= n if key is _MINLENGTH
                                                    else len(str(v)) <= n):
                        yield _C_MINLENGTH if key is _MINLENGTH else _C_MAXLENGTH
            elif key is _LANGUAGEIN:
                for lst in params:
                    langs = [str(x).lower() for x in self._list(lst)]
                    lang = v.language.lower() if isinstance(v, Literal) and v.language else None
                    if lang is None or not any(lang == x or lang.startswith(x + "-") or x == "*"
                                               for x in langs):
                        yield _C_LANGUAGEIN
            elif key is _OR or key is _AND or key is _XONE:
                for lst in params:
                    alts = self._list(lst)
                    passed = sum(1 for alt in alts if self.conforms(idx, v, self._shape(alt)))
                    if (passed == 0 if key is _OR else passed != len(alts) if key is _AND
                            else passed != 1):
                        yield _C_OR if key is _OR else _C_AND if key is _AND else _C_XONE
            elif key is _NOT:
                for other in params:
                    if self.conforms(idx, v, self._shape(other)):
                        yield _C_NOT
            elif key is _NODE:
                for other in params:
                    if not self.conforms(idx, v, self._shape(other)):
                        yield _C_NODE

    def _closed(self, idx: Index, focus: Node, shape: _Shape, values: list[Node]) -> Iterator[_Result]:
        allowed = {self._shape(ps).path for ps in shape.props.get(_PROPERTY, ())}
        for lst in shape.props.get(_IGNOREDPROPERTIES, ()):
            allowed.update(self._list(lst))
        for v in values:
            for p, objs in idx.out.get(v, {}).items():
                if p not in allowed:
                    for o in objs:
                        yield _Result(focus, p, o, shape.fallback, shape.severity, shape.node,
                                      _C_CLOSED)

    def conforms(self, idx: Index, node: Node, shape: _Shape) -> bool:
        """Does ``node`` conform to ``shape`` (its nested shapes included)?"""
        # SHACL leaves recursive shapes undefined; on cyclic data they would not end.
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                raise KgraphError(f"shapes nested more than {_MAX_DEPTH} deep at {curie(shape.node)}: "
                                  "recursive shapes, which SHACL leaves undefined",
                                  hint="validate with engine='pyshacl'")
            return not any(True for _ in self.check(idx, node, shape))
        finally:
            self._depth -= 1

    def check(self, idx: Index, focus: Node, shape: _Shape) -> Iterator[_Result]:
        if shape.deactivated:
            return
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
                for comp in self.value_fails(idx, v, shape):
                    yield _Result(focus, path, v, msg, shape.severity, shape.node, comp)
        if shape.closed:
            yield from self._closed(idx, focus, shape, values)
        if shape.subshapes is None:
            shape.subshapes = [self._shape(ps) for ps in shape.props.get(_PROPERTY, [])]
        for sub in shape.subshapes:
            for v in values:
                yield from self.check(idx, v, sub)

    def _check_value_set(self, idx: Index, focus: Node, shape: _Shape, values: list[Node],
                         path: Node | None, msg: str) -> Iterator[_Result]:
        P = shape.props
        sev, src = shape.severity, shape.node
        for mc in P.get(_MINCOUNT, ()):
            if len(values) < int(str(mc)):
                yield _Result(focus, path, None, msg, sev, src, _C_MINCOUNT)
        for mc in P.get(_MAXCOUNT, ()):
            if len(values) > int(str(mc)):
                yield _Result(focus, path, None, msg, sev, src, _C_MAXCOUNT)
        for hv in P.get(_HASVALUE, ()):
            if hv not in values:
                yield _Result(focus, path, None, msg, sev, src, _C_HASVALUE)
        # Only the literal true turns it on, not "1"^^xsd:boolean (W3C test uniqueLang-002).
        if P.get(_UNIQUELANG) and any(_is_true(x) for x in P[_UNIQUELANG]):
            langs: dict[str, int] = defaultdict(int)
            for v in values:
                if isinstance(v, Literal) and v.language:
                    langs[v.language.lower()] += 1
            for _lang, n in sorted(langs.items()):
                if n > 1:
                    yield _Result(focus, path, None, msg, sev, src, _C_UNIQUELANG)
        for key, op, comp in ((_LESSTHAN, lambda a, b: a < b, _C_LESSTHAN),
                              (_LESSTHANOREQUALS, lambda a, b: a <= b,
                               _C_LESSTHANOREQUALS)):
            for other in P.get(key, ()):
                others = idx.objects(focus, other)
                for v in values:
                    for w in others:
                        if not _compare(v, w, op):
                            yield _Result(focus, path, v, msg, sev, src, comp)
        for other in P.get(_EQUALS, ()):
            others = idx.objects(focus, other)
            for v in [x for x in values if x not in others] + [x for x in others if x not in values]:
                yield _Result(focus, path, v, msg, sev, src, _C_EQUALS)
        for other in P.get(_DISJOINT, ()):
            others = idx.objects(focus, other)
            for v in values:
                if v in others:
                    yield _Result(focus, path, v, msg, sev, src, _C_DISJOINT)
        for q in P.get(_QVS, ()):
            yield from self._qualified(idx, focus, shape, q, values, path, msg)

    def _qualified(self, idx: Index, focus: Node, shape: _Shape, q: Node, values: list[Node],
                   path: Node | None, msg: str) -> Iterator[_Result]:
        P = shape.props
        siblings: list[Node] = []
        if any(isinstance(x, Literal) and x.toPython() is True for x in P.get(_QDISJOINT, ())):
            for parent in self.shapes.subjects(_PROPERTY, shape.node):
                for ps in self.shapes.objects(parent, _PROPERTY):
                    siblings += [s for s in self.shapes.objects(ps, _QVS) if s != q]
        qshape = self._shape(q)
        count = sum(1 for v in values if self.conforms(idx, v, qshape)
                    and not any(self.conforms(idx, v, self._shape(s)) for s in siblings))
        for n in P.get(_QMIN, ()):
            if count < int(str(n)):
                yield _Result(focus, path, None, msg, shape.severity, shape.node,
                              _C_QUALIFIEDMINCOUNT)
        for n in P.get(_QMAX, ()):
            if count > int(str(n)):
                yield _Result(focus, path, None, msg, shape.severity, shape.node,
                              _C_QUALIFIEDMAXCOUNT)

    def sparql_results(self, data: Graph, shape: _Shape, focus: set[Node]) -> Iterator[_Result]:
        from .sparql import run

        for c in shape.props.get(_SPARQL, []):
            if any(isinstance(x, Literal) and x.toPython() is True
                   for x in self.shapes.objects(c, _DEACTIVATED)):
                continue
            select = self.shapes.value(c, _SELECT)
            m = self.shapes.value(c, _MESSAGE)
            msg = str(m) if m is not None else shape.message or "SPARQL constraint failed"
            text = _prefixes(self.shapes, c) + re.sub(r"\$this\b", "?this", str(select))
            runs: list[tuple[str, dict[str, Any]]] = [(text, {})]
            if not re.search(r"\?this\b", _sparql_outer_text(text.split("{", 1)[-1])):
                # $this only inside FILTER (NOT) EXISTS or MINUS: pre-bind it (SHACL 5.3.1).
                # A VALUES block at the start of the outer group does it for every IRI and
                # literal at once; blank nodes cannot be written there, so one run each.
                rows = " ".join(n.n3() for n in focus if not isinstance(n, BNode))
                at = text.index("{") + 1
                runs = [(f"{text[:at]} VALUES ?this {{ {rows} }} {text[at:]}", {})]
                runs += [(text, {"this": n}) for n in focus if isinstance(n, BNode)]
            for query, bindings in runs:
                for row in run(data, query, bindings):
                    d = row.asdict()
                    this = d.get("this", bindings.get("this"))
                    if this is not None and this in focus:
                        # For a node shape the value defaults to the focus node (SHACL 5.3.2).
                        value = d.get("value", this if shape.path is None else None)
                        yield _Result(this, d.get("path", shape.path), value, msg, shape.severity,
                                      shape.node, _C_SPARQL)

    def validate(self, data: Graph) -> list[_Result]:
        self.literal_triples: list[tuple[Node, Node, Literal]] = []
        inverse = {p for inner in self.shapes.objects(None, _INVERSEPATH)
                   for p in _path_predicates(self.shapes, inner)}
        idx = Index(data, inverse=inverse,
                    object_targets=set(self.shapes.objects(None, _TARGETOBJECTSOF)),
                    literals=self.literal_triples)
        results: list[_Result] = []
        for shape in self.node_shapes():
            if shape.deactivated:
                continue
            focus = self.focus_nodes(idx, shape)
            for f in focus:
                results.extend(self.check(idx, f, shape))
            if _SPARQL in shape.props and focus:
                results.extend(self.sparql_results(data, shape, focus))
        return results


def _prefixes(shapes: Graph, constraint: Node) -> str:
    """PREFIX lines for the sh:prefixes declarations of a SPARQL constraint."""
    lines = []
    for onto in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(onto, SH.declare):
            p, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if p is not None and ns is not None:
                lines.append(f"PREFIX {p}: <{ns}>\n")
    return "".join(lines)


_RANGES: dict[Node, tuple[Any, Node]] = {
    _MININCLUSIVE: (lambda a, b: a >= b, _C_MININCLUSIVE),
    _MAXINCLUSIVE: (lambda a, b: a <= b, _C_MAXINCLUSIVE),
    _MINEXCLUSIVE: (lambda a, b: a > b, _C_MINEXCLUSIVE),
    _MAXEXCLUSIVE: (lambda a, b: a < b, _C_MAXEXCLUSIVE),
}


def _is_true(x: Node) -> bool:
    # rdflib's == says "1"^^xsd:boolean equals true; compare the terms.
    return isinstance(x, Literal) and str(x) == "true" and x.datatype == XSD.boolean


def _flags(flags: list[Node] | None) -> int:
    text = str(flags[0]) if flags else ""
    return ((re.IGNORECASE if "i" in text else 0) | (re.DOTALL if "s" in text else 0)
            | (re.MULTILINE if "m" in text else 0) | (re.VERBOSE if "x" in text else 0))


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
    return well_formed(v)


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
    if not well_formed(a) or not well_formed(b):
        return False
    x, y = a.toPython(), b.toPython()
    if isinstance(x, Literal) or isinstance(y, Literal):
        return False
    if isinstance(x, str) != isinstance(y, str):
        return False
    try:
        return bool(op(x, y))
    except TypeError:
        return False


def validate_fast(data: Graph, shapes: Graph) -> list[_Result]:
    """Every result of ``shapes`` in ``data`` (no inference)."""
    return FastValidator(shapes).validate(data)


__all__ = ["FastValidator", "Index", "SUPPORTED", "UNSUPPORTED", "unsupported", "validate_fast"]
