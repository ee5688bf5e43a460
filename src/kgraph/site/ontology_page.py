"""The ontology page: one anchor per term (``ontology/index.html#Term``), one
language per heading and per line (pyLODE glues them together), with each
term's definition, domain and range, super- and subterms and the SHACL shapes
that constrain it; the ontology itself is written beside it in four formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ..namespaces import curie
from ..prefixes import DD
from . import layout
from .resources import SKOS, SiteGraph, Value, link_to

if TYPE_CHECKING:
    from ..build import KnowledgeGraph

PAGE = layout.ONTOLOGY_PAGE
ONTOLOGY_IRI = URIRef("https://w3id.org/defdip/ontology")
DEFINITIONS = (URIRef(SKOS + "definition"), RDFS.comment, URIRef(SKOS + "scopeNote"))
KINDS = (("Classes", OWL.Class), ("Object properties", OWL.ObjectProperty),
         ("Datatype properties", OWL.DatatypeProperty), ("Annotation properties", OWL.AnnotationProperty))
LANG_ORDER = {"en": 0, "ja": 1, "ko": 2}


@dataclass
class Term:
    anchor: str
    iri: str
    labels: list[tuple[str, str]]           # (lang, text), English first, one per line
    definitions: list[tuple[str, str]]      # (lang, text)
    facts: list[tuple[str, list[Value]]]    # (what, values)
    shapes: list[tuple[str, list[str]]]     # (shape, messages)
    index: str | None = None                # the class's index page, relative
    members: int = 0


@dataclass
class Section:
    title: str
    anchor: str
    terms: list[Term] = field(default_factory=list)


def _by_lang(values: list[Node]) -> list[tuple[str, str]]:
    lits = [v for v in values if isinstance(v, Literal)]
    return sorted(((v.language or "", str(v)) for v in lits), key=lambda lt: (LANG_ORDER.get(lt[0], 3), lt))


ShapeList = list[tuple[str, list[str]]]


def _shapes(shapes: Graph) -> tuple[dict[str, ShapeList], dict[str, ShapeList]]:
    """Shapes by the class they target and by the property they constrain."""
    by_class: dict[str, list[tuple[str, list[str]]]] = {}
    by_prop: dict[str, list[tuple[str, list[str]]]] = {}
    owner = {ps: ns for ns, ps in shapes.subject_objects(SH.property)}

    def name(shape: Node) -> str:
        if isinstance(shape, URIRef):
            return curie(shape) or str(shape)
        parent = owner.get(shape)
        return f"{name(parent)} (property shape)" if parent is not None else "a property shape"

    def messages(shape: Node) -> list[str]:
        out = [str(m) for p in (SH.message, SH.description, SH.name) for m in shapes.objects(shape, p)
               if isinstance(m, Literal) and (m.language in (None, "", "en"))]
        return sorted(set(out))

    for shape, cls in shapes.subject_objects(SH.targetClass):
        by_class.setdefault(str(cls), []).append((name(shape), messages(shape)))
    for shape, path in shapes.subject_objects(SH.path):
        if isinstance(path, URIRef):
            by_prop.setdefault(str(path), []).append((name(shape), messages(shape)))
    for d in (by_class, by_prop):
        for k in d:
            d[k] = [(n, list(m)) for n, m in sorted({(n, tuple(m)) for n, m in d[k]})]
    return by_class, by_prop


def terms_used(sg: SiteGraph) -> list[str]:
    """Every ontology IRI the graph describes or uses (each needs an anchor)."""
    found: set[str] = set()
    for s, pairs in sg.out.items():
        for t in (s, *(x for po in pairs for x in po)):
            if isinstance(t, URIRef) and layout.ontology_anchor(str(t)):
                found.add(str(t))
    return sorted(found)


def sections(kg: KnowledgeGraph, sg: SiteGraph, class_pages: dict[str, str]) -> list[Section]:
    """The ontology's terms grouped by kind, each with what its entry shows."""
    onto = kg.ontology
    by_class, by_prop = _shapes(kg.shapes)
    here = PAGE
    out = [Section(title, title.lower().replace(" ", "-")) for title, _ in KINDS]
    out.append(Section("Individuals and other terms", "individuals"))
    kinds = {k: i for i, (_, k) in enumerate(KINDS)}

    def links(nodes: list[Node]) -> list[Value]:
        return [link_to(sg, n, here) for n in sorted(nodes, key=str) if not isinstance(n, BNode)]

    for iri in terms_used(sg):
        node = URIRef(iri)
        anchor = layout.ontology_anchor(iri)
        assert anchor is not None
        types = list(onto.objects(node, RDF.type)) or [t for p, t in sg.out.get(node, ()) if p == RDF.type]
        labels = _by_lang(list(onto.objects(node, RDFS.label))
                          + list(onto.objects(node, URIRef(SKOS + "prefLabel"))))
        if not labels:
            labels = [("en", anchor)]
        definitions = _by_lang([d for p in DEFINITIONS for d in onto.objects(node, p)])
        facts: list[tuple[str, list[Value]]] = []
        for what, nodes in (
                ("type", list(types)),
                ("subclass of", list(onto.objects(node, RDFS.subClassOf))),
                ("superclass of", list(onto.subjects(RDFS.subClassOf, node))),
                ("subproperty of", list(onto.objects(node, RDFS.subPropertyOf))),
                ("superproperty of", list(onto.subjects(RDFS.subPropertyOf, node))),
                ("inverse of", list(onto.objects(node, OWL.inverseOf))),
                ("domain", list(onto.objects(node, RDFS.domain))),
                ("range", list(onto.objects(node, RDFS.range))),
                ("equivalent to", list(onto.objects(node, OWL.equivalentClass))
                 + list(onto.objects(node, OWL.equivalentProperty))),
                ("in scheme", list(onto.objects(node, URIRef(SKOS + "inScheme")))),
                ("notation", list(onto.objects(node, URIRef(SKOS + "notation"))))):
            vals = links(nodes)
            if vals:
                facts.append((what, vals))
        shapes = by_class.get(iri, []) + by_prop.get(iri, [])
        index = class_pages.get(iri)
        term = Term(anchor, iri, labels, definitions, facts, shapes,
                    index=layout.relative(here, index) if index else None)
        rank = min((kinds[t] for t in types if isinstance(t, URIRef) and t in kinds), default=len(KINDS))
        out[rank].terms.append(term)
    return [s for s in out if s.terms]


def header(kg: KnowledgeGraph) -> dict[str, object]:
    """The ontology's title, description and version, one language per line."""
    from rdflib.namespace import DCTERMS

    onto = kg.ontology
    return {
        "titles": _by_lang(list(onto.objects(ONTOLOGY_IRI, DCTERMS.title))),
        "descriptions": _by_lang(list(onto.objects(ONTOLOGY_IRI, DCTERMS.description))),
        "version": str(onto.value(ONTOLOGY_IRI, OWL.versionInfo) or ""),
        "iri": str(ONTOLOGY_IRI),
        "namespace": DD,
    }
