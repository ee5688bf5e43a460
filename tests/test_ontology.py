"""The ontology: required terms, labels, definitions, and known traps."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Literal
from rdflib.namespace import SKOS

from kgraph.namespaces import DD

REQUIRED_CLASSES = ["Country", "Organization", "Administration", "Agreement", "Deployment",
                    "Weapon", "ArmsSale", "Exercise", "DefenseCooperationAgreement",
                    "MilitaryInformationAgreement", "DefenseIndustryAgreement"]
REQUIRED_PROPERTIES = ["party", "partner", "signedOn", "inForceFrom", "startDate", "endDate",
                       "destination", "totalPersonnel", "currentPersonnel", "assemblyConsent",
                       "buyer", "weapon", "quantity", "valueUSD", "participant",
                       "duringAdministration", "iso3"]


@pytest.mark.parametrize("name", REQUIRED_CLASSES)
def test_required_class(kg, name):
    assert (DD[name], RDF.type, OWL.Class) in kg.ontology


@pytest.mark.parametrize("name", REQUIRED_PROPERTIES)
def test_required_property(kg, name):
    types = set(kg.ontology.objects(DD[name], RDF.type))
    assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}


def test_agreement_subclasses_and_partner_subproperty(kg):
    for sub in REQUIRED_CLASSES[-3:]:
        assert (DD[sub], RDFS.subClassOf, DD.Agreement) in kg.ontology
    assert (DD.partner, RDFS.subPropertyOf, DD.party) in kg.ontology
    assert (DD.assemblyConsent, RDFS.range, __import__("rdflib").XSD.boolean) in kg.ontology


def _terms(kg):
    for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for s in kg.ontology.subjects(RDF.type, t):
            if str(s).startswith(str(DD)):
                yield s


def test_every_term_has_one_label_and_definition_in_english_and_japanese(kg):
    problems = []
    for term in _terms(kg):
        for prop in (RDFS.label, SKOS.definition):
            langs = [o.language for o in kg.ontology.objects(term, prop) if isinstance(o, Literal)]
            for lang in ("en", "ja"):
                if langs.count(lang) != 1:
                    problems.append(f"{term} {prop.n3()} @{lang}: {langs.count(lang)}")
    assert not problems, "\n".join(problems)


def test_every_property_has_domain_or_range(kg):
    missing = [t for t in _terms(kg) if (t, RDF.type, OWL.Class) not in kg.ontology
               and (t, RDFS.domain, None) not in kg.ontology and (t, RDFS.range, None) not in kg.ontology]
    assert not missing


def test_no_functional_properties(kg):
    # owl:FunctionalProperty on dates made `reasonable` run out of memory;
    # single-valuedness is SHACL's sh:maxCount 1.
    assert list(kg.ontology.subjects(RDF.type, OWL.FunctionalProperty)) == []


def test_header(kg):
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS

    onto = URIRef("https://w3id.org/defdip/ontology")
    assert (onto, RDF.type, OWL.Ontology) in kg.ontology
    assert (onto, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in kg.ontology
    for p in (OWL.versionIRI, DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created):
        assert kg.ontology.value(onto, p) is not None, p


def test_no_owl_sameas_in_data(kg):
    assert list(kg.asserted.subject_objects(OWL.sameAs)) == []
