"""OWL 2 RL reasoning with owlrl, the reference implementation.

The closure is computed over the ontology and the asserted data; what comes
back is only what is new, cleaned of the noise owlrl adds (literal subjects,
reflexive ``owl:sameAs`` and equivalences, ``owl:Thing`` on everything,
axiomatic triples about the RDF, RDFS, OWL and XSD vocabularies).
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

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


def owl_rl_closure(base: Graph) -> Graph:
    """Everything OWL 2 RL entails from ``base`` (which is left untouched)."""
    import owlrl  # heavy: only when reasoning actually runs

    work = Graph()
    for t in base:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(work)
    return work


def clean(inferred: Graph, asserted: Graph) -> Graph:
    """Keep the entailments worth querying or publishing."""
    out = Graph()
    asserted_plain = {(s, p, str(o)) for s, p, o in asserted if isinstance(o, Literal)}
    for s, p, o in inferred:
        if isinstance(s, Literal):
            continue  # invalid RDF (e.g. "1059"^^xsd:integer a xsd:decimal)
        if (s, p, o) in asserted:
            continue
        if p in _REFLEXIVE_NOISE and s == o:
            continue
        if p == RDF.type and o in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual):
            continue
        if isinstance(s, URIRef) and str(s).startswith(_VOCABULARY_NAMESPACES):
            continue
        if isinstance(o, Literal) and (s, p, str(o)) in asserted_plain:
            continue  # the same value re-typed (plain vs xsd:string)
        out.add((s, p, o))
    return out


def infer(ontology: Graph, asserted: Graph) -> Graph:
    """The cleaned OWL 2 RL entailments of ontology + asserted data."""
    base = Graph()
    for t in ontology:
        base.add(t)
    for t in asserted:
        base.add(t)
    return clean(owl_rl_closure(base), base)
