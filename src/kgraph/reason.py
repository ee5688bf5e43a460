"""OWL 2 RL reasoning.

owlrl is the reference implementation.  The default path is faster and gives
the same cleaned entailments on the bundled graph (a test checks it): owlrl
computes the closure of the ontology alone (the TBox, small, cached), then the
Rust reasoner ``reasonable`` applies OWL 2 RL to that closure plus the data.
``reasonable`` alone misses some schema rules (domain/range and subclass
propagation between ontology terms), which the TBox closure supplies.

What comes back is only what is new, cleaned of the noise reasoners add
(literal subjects, reflexive ``owl:sameAs`` and equivalences, ``owl:Thing`` on
everything, axiomatic triples about the RDF, RDFS, OWL and XSD vocabularies,
plain strings re-typed as ``xsd:string``, statements about blank nodes).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

#: Predicates whose reflexive statements (x p x) carry no information.
_REFLEXIVE_NOISE = frozenset({
    OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty,
    RDFS.subClassOf, RDFS.subPropertyOf,
})

#: Namespaces whose own terms owlrl describes axiomatically; statements about
#: them are not about our data.
_VOCABULARY_NAMESPACES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
)


def owl_rl_closure(base: Iterable[Triple]) -> Graph:
    """Everything OWL 2 RL entails from ``base`` (which is left untouched)."""
    import owlrl  # heavy: only when reasoning actually runs

    work = Graph()
    for t in base:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(work)
    return work


def clean(inferred: Iterable[Triple], asserted: Iterable[Triple]) -> list[Triple]:
    """Keep the entailments worth querying or publishing (each once)."""
    seen = set(asserted)   # set membership: far faster than asserting graph lookups
    asserted_plain = {(s, p, str(o)) for s, p, o in seen if isinstance(o, Literal)}
    rdf_type = RDF.type
    blanket = (OWL.Thing, RDFS.Resource, OWL.NamedIndividual)
    keep: set[Triple] = set()
    for t in inferred:
        s, p, o = t
        if isinstance(s, Literal):
            continue  # invalid RDF (e.g. "1059"^^xsd:integer a xsd:decimal)
        if isinstance(s, BNode) or isinstance(o, BNode):
            # Only RDF list cells here ("_:b a rdf:List"): nothing worth keeping, and a
            # blank node cannot be matched to the asserted one once cached in a file.
            continue
        if t in seen:
            continue
        if p in _REFLEXIVE_NOISE and s == o:
            continue
        if p == rdf_type and o in blanket:
            continue
        if isinstance(s, URIRef) and str(s).startswith(_VOCABULARY_NAMESPACES):
            continue
        if isinstance(o, Literal) and (s, p, str(o)) in asserted_plain:
            continue  # the same value re-typed (plain vs xsd:string)
        keep.add(t)
    return list(keep)


ENGINES = ("auto", "owlrl", "reasonable")


def reasonable_available() -> bool:
    try:
        import reasonable  # noqa: F401
    except ImportError:
        return False
    return True



def tbox_closure(ontology: Graph) -> Graph:
    """owlrl's closure of the ontology alone, without literal subjects."""
    closure = owl_rl_closure(ontology)
    out = Graph()
    for t in closure:
        if not isinstance(t[0], Literal):
            out.add(t)
    return out


def reasonable_closure(tbox: Graph, data: Iterable[Triple]) -> list[Triple]:
    """OWL 2 RL by ``reasonable`` over a TBox closure and the data (triples)."""
    import reasonable

    r = reasonable.PyReasoner()
    r.from_graph(tbox)
    r.from_graph(data)
    xsd_string = XSD.string
    out: list[Triple] = []
    for s, p, o in r.reason():
        if isinstance(o, Literal) and o.datatype == xsd_string:
            o = Literal(str(o))  # reasonable types plain literals as xsd:string
        out.append((s, p, o))
    out.extend(tbox)
    return out


def infer_triples(ontology: Graph, base: Collection[Triple], *, engine: str = "auto",
                  tbox: Graph | None = None) -> list[Triple]:
    """The cleaned OWL 2 RL entailments of ``base`` (the ontology plus the
    asserted data), each once.

    ``engine``: "owlrl" (reference), "reasonable" (TBox by owlrl, then
    reasonable), or "auto" (reasonable when installed).  ``tbox`` is a
    precomputed ``tbox_closure(ontology)``.
    """
    if engine == "auto":
        engine = "reasonable" if reasonable_available() else "owlrl"
    if engine == "owlrl":
        return clean(owl_rl_closure(base), base)
    if engine == "reasonable":
        return clean(reasonable_closure(tbox if tbox is not None else tbox_closure(ontology), base),
                     base)
    raise ValueError(f"unknown reasoning engine {engine!r}; choose one of {ENGINES}")


def infer(ontology: Graph, asserted: Graph, *, engine: str = "auto") -> Graph:
    """The cleaned OWL 2 RL entailments of ontology + asserted data, as a graph."""
    from .parsing import graph_of

    return graph_of(infer_triples(ontology, [*ontology, *asserted], engine=engine))
