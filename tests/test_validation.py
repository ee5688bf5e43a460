"""SHACL: the bundled graph is valid, and broken records are caught with a
message that names the record and what is wrong."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kgraph.derive import derive
from kgraph.namespaces import DD, PREFIXES, PROV
from kgraph.shacl import ValidationReport, validate, validate_graph


def test_bundled_graph_is_valid(kg):
    report = validate(kg)
    assert report.conforms, report.text()
    assert report.violations == ()


def _mutated(kg, remove=(), add_ttl: str = "", engine: str = "fast") -> ValidationReport:
    data = Graph()
    for part in (kg.ontology, kg.asserted):
        for t in part:
            data.add(t)
    for t in remove:
        data.remove(t)
    if add_ttl:
        prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
        data.parse(data=prologue + add_ttl, format="turtle")
    for t in derive(data):
        data.add(t)
    return validate_graph(data, kg.shapes, engine)


def _messages_for(report: ValidationReport, focus: str) -> str:
    return "\n".join(str(v) for v in report.violations if v.focus == focus)


A = URIRef(PREFIXES["agr"] + "defcoop-JPN")

MUTATIONS = {
    "wrong datatype": (
        [(A, DD.signedOnAsPrinted, None)],
        'agr:defcoop-JPN dd:signedOnAsPrinted "April 2009" .',
        "agr:defcoop-JPN", "dd:signedOnAsPrinted must be one value typed xsd:date"),
    "malformed date": (
        [(A, DD.signedOnAsPrinted, None)],
        'agr:defcoop-JPN dd:signedOnAsPrinted "2009-13"^^xsd:gYearMonth .',
        "agr:defcoop-JPN", "dd:signedOnAsPrinted must be one value typed"),
    "unknown partner": (
        [(A, DD.partner, None), (A, DD.party, None)],
        "agr:defcoop-JPN dd:partner country:XXX ; dd:party country:KOR , country:XXX .",
        "agr:defcoop-JPN", "must be a known dd:Country or dd:Organization"),
    "partner not a party": (
        [(A, DD.party, URIRef(PREFIXES["country"] + "JPN"))],
        "",
        "agr:defcoop-JPN", "partner is not listed among its dd:party"),
    "missing provenance": (
        [(A, PROV.wasDerivedFrom, None)],
        "",
        "agr:defcoop-JPN", "no provenance"),
    "two signing dates": (
        [],
        'agr:defcoop-JPN dd:signedOnAsPrinted "2010-04"^^xsd:gYearMonth .',
        "agr:defcoop-JPN", "must be one value"),
    "dated before 1945": (
        [(A, DD.signedOnAsPrinted, None)],
        'agr:defcoop-JPN dd:signedOnAsPrinted "1890-04"^^xsd:gYearMonth .',
        "agr:defcoop-JPN", "wholly before 1945"),
    "dated after 2020": (
        [(A, DD.signedOnAsPrinted, None)],
        'agr:defcoop-JPN dd:signedOnAsPrinted "2031-04"^^xsd:gYearMonth .',
        "agr:defcoop-JPN", "wholly after 2020"),
    "in force before signed": (
        [],
        'agr:defcoop-JPN dd:inForceFromAsPrinted "2001-01-01"^^xsd:date .',
        "agr:defcoop-JPN", "enters into force before it was signed"),
    "negative personnel": (
        [],
        """dep:test-unit a dd:Deployment ; rdfs:label "test"@en ; dd:startDateAsPrinted "2001-01"^^xsd:gYearMonth ;
           dd:destination country:JPN ; dd:totalPersonnel -5 ; prov:wasDerivedFrom src:appendix-2 .""",
        "dep:test-unit", "non-negative integer"),
    "end before start": (
        [],
        """dep:test-unit a dd:Deployment ; rdfs:label "test"@en ; dd:startDateAsPrinted "2001-05"^^xsd:gYearMonth ;
           dd:endDateAsPrinted "2001-02"^^xsd:gYearMonth ; dd:destination country:JPN ; prov:wasDerivedFrom src:appendix-2 .""",
        "dep:test-unit", "ends before it starts"),
    "ongoing with an end": (
        [],
        """dep:test-unit a dd:Deployment ; rdfs:label "test"@en ; dd:startDateAsPrinted "2001-05"^^xsd:gYearMonth ;
           dd:endDateAsPrinted "2003-02"^^xsd:gYearMonth ; dd:ongoing true ; dd:destination country:JPN ;
           prov:wasDerivedFrom src:appendix-2 .""",
        "dep:test-unit", "dd:ongoing true but has a dd:endDate"),
    "current figure without its day": (
        [],
        """dep:test-unit a dd:Deployment ; rdfs:label "test"@en ; dd:startDateAsPrinted "2001-05"^^xsd:gYearMonth ;
           dd:destination country:JPN ; dd:currentPersonnel 3 ; prov:wasDerivedFrom src:appendix-2 .""",
        "dep:test-unit", "needs dd:asOf"),
    "consent not a boolean": (
        [],
        """dep:test-unit a dd:Deployment ; rdfs:label "test"@en ; dd:startDateAsPrinted "2001-05"^^xsd:gYearMonth ;
           dd:destination country:JPN ; dd:assemblyConsent "yes" ; prov:wasDerivedFrom src:appendix-2 .""",
        "dep:test-unit", "xsd:boolean"),
    "destination not a place": (
        [],
        """dep:test-unit a dd:Deployment ; rdfs:label "test"@en ; dd:startDateAsPrinted "2001-05"^^xsd:gYearMonth ;
           dd:destination country:ATLANTIS ; prov:wasDerivedFrom src:appendix-2 .""",
        "dep:test-unit", "must be a known dd:Place"),
    "sale of an unknown weapon": (
        [],
        """sale:test a dd:ArmsSale ; rdfs:label "test"@en ; dd:signedOnAsPrinted "2001-05-01"^^xsd:date ;
           dd:buyer country:TUR ; dd:weapon weapon:death-ray ; prov:wasDerivedFrom src:figure-13 .""",
        "sale:test", "must be a known dd:Weapon"),
    "lowercase ISO code": (
        [(URIRef(PREFIXES["country"] + "JPN"), DD.iso3, None)],
        'country:JPN dd:iso3 "jpn" .',
        "country:JPN", "three capital letters"),
    "administration ending before it starts": (
        [(URIRef(PREFIXES["adm"] + "kim-dae-jung"), DD.endDateAsPrinted, None)],
        'adm:kim-dae-jung dd:endDateAsPrinted "1990-01-01"^^xsd:date .',
        "adm:kim-dae-jung", "ends before it starts"),
    # --- record types of the second half (資料2, 図表1-3, 図表8, 13, 資料1, prose) ---
    "UN Command participation without a role": (
        [(URIRef(PREFIXES["obs"] + "un-command-participation-USA"), URIRef(DD + "role"), None)],
        "",
        "obs:un-command-participation-USA", "needs a dd:role"),
    "Vietnam troops: a dash written as a negative": (
        [(URIRef(PREFIXES["obs"] + "vietnam-troops-1965-army"), URIRef(DD + "personnel"), None)],
        "obs:vietnam-troops-1965-army dd:personnel -1 .",
        "obs:vietnam-troops-1965-army", "non-negative xsd:integer"),
    "attaché office hosted by an unknown country": (
        [(URIRef(PREFIXES["office"] + "kor-in-USA"), URIRef(DD + "hostCountry"), None)],
        "office:kor-in-USA dd:hostCountry country:ZZZ .",
        "office:kor-in-USA", "dd:hostCountry, a known dd:Country"),
    "white paper without its year": (
        [(URIRef(PREFIXES["doc"] + "white-paper-1967"), URIRef(DD + "dateAsPrinted"), None)],
        "",
        "doc:white-paper-1967", "exactly one dd:dateAsPrinted"),
    "printed date under the comparable property": (
        [(A, DD.signedOnAsPrinted, None)],
        'agr:defcoop-JPN dd:signedOn "2009-04"^^xsd:gYearMonth .',
        "agr:defcoop-JPN", "dd:signedOn is derived by the build"),
    "K-9 sale with a negative quantity": (
        [(URIRef(PREFIXES["sale"] + "k9-TUR"), URIRef(DD + "quantity"), None)],
        "sale:k9-TUR dd:quantity -280 .",
        "sale:k9-TUR", "dd:quantity must be one non-negative integer"),
    "deployment without a source": (
        [(URIRef(PREFIXES["dep"] + "iraq-zaytun"), PROV.wasDerivedFrom, None)],
        "",
        "dep:iraq-zaytun", "no provenance"),
    "exercise with an unknown participant": (
        [],
        "exercise:cobra-gold dd:participant country:ATLANTIS .",
        "exercise:cobra-gold", "participant must be a known dd:Country or dd:Organization"),
}

# Ill-typed literals: caught for every literal whatever its property (kgraph.literals),
# on both engines, naming the record, the property and the value as written.
_DEP = """dep:test-unit a dd:Deployment ; rdfs:label "test"@en ; dd:startDateAsPrinted "2001-05"^^xsd:gYearMonth ;
           dd:destination country:JPN ; prov:wasDerivedFrom src:appendix-2 ; """
ILL_TYPED = {
    "ill-typed gYearMonth (month 13)": (
        [(A, DD.signedOnAsPrinted, None)],
        'agr:defcoop-JPN dd:signedOnAsPrinted "2019-13"^^xsd:gYearMonth .',
        "agr:defcoop-JPN", "dd:signedOnAsPrinted: ill-typed literal: '2019-13' is not a valid xsd:gYearMonth"),
    "ill-typed gYear": (
        [],
        _DEP + 'dd:endDateAsPrinted "20x1"^^xsd:gYear .',
        "dep:test-unit", "dd:endDateAsPrinted: ill-typed literal: '20x1' is not a valid xsd:gYear"),
    "impossible day (31 February)": (
        [],
        'agr:defcoop-JPN dd:inForceFromAsPrinted "2019-02-30"^^xsd:date .',
        "agr:defcoop-JPN", "dd:inForceFromAsPrinted: ill-typed literal: '2019-02-30' is not a valid xsd:date: "
                           "2019-02 has no day 30"),
    "malformed date": (
        [],
        'agr:defcoop-JPN dd:inForceFromAsPrinted "2019-2-3"^^xsd:date .',
        "agr:defcoop-JPN", "'2019-2-3' is not a valid xsd:date"),
    "ill-typed integer": (
        [],
        _DEP + 'dd:totalPersonnel "12a"^^xsd:integer .',
        "dep:test-unit", "dd:totalPersonnel: ill-typed literal: '12a' is not a valid xsd:integer"),
    "ill-typed decimal": (
        [],
        'sale:k9-TUR dd:valueUSD "1,000.5"^^xsd:decimal .',
        "sale:k9-TUR", "dd:valueUSD: ill-typed literal: '1,000.5' is not a valid xsd:decimal"),
    "ill-typed boolean": (
        [],
        _DEP + 'dd:assemblyConsent "yes"^^xsd:boolean .',
        "dep:test-unit", "dd:assemblyConsent: ill-typed literal: the xsd:boolean written is none of "
                         "true, false, 1, 0"),
    "bad language tag": (
        [],
        'agr:defcoop-JPN rdfs:comment "a note"@englishlanguage .',
        "agr:defcoop-JPN", "rdfs:comment: ill-typed literal: 'a note'@englishlanguage: 'englishlanguage' "
                           "is not a well-formed language tag"),
    "ill-typed literal on a property no shape knows": (
        [],
        'agr:defcoop-JPN dd:someNewDate "2019-04-31"^^xsd:date .',
        "agr:defcoop-JPN", "dd:someNewDate: ill-typed literal: '2019-04-31' is not a valid xsd:date"),
}
ALL_MUTATIONS = {**MUTATIONS, **{f"literal: {k}": v for k, v in ILL_TYPED.items()}}


@pytest.mark.parametrize("kind", sorted(ALL_MUTATIONS))
def test_mutation_is_caught(kg, kind):
    remove, add, focus, expected = ALL_MUTATIONS[kind]
    report = _mutated(kg, remove, add)
    assert not report.conforms
    messages = _messages_for(report, focus)
    assert expected in messages, f"{kind}: got\n{messages or report.text()[:2000]}"


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_fast_engine_reports_what_pyshacl_reports(kg, kind):
    remove, add, _, _ = MUTATIONS[kind]
    fast = _mutated(kg, remove, add, engine="fast")
    ref = _mutated(kg, remove, add, engine="pyshacl")

    def key(v):
        # Complex paths are blank nodes with engine-specific labels: compare IRIs only.
        path = v.path if v.path and ":" in v.path else None
        return (v.focus, path, v.message, v.value, v.severity)

    assert {key(v) for v in fast.violations} == {key(v) for v in ref.violations}


def test_ill_typed_literals_on_both_engines():
    """Each kind of ill-typed literal, on a small graph (pySHACL on the whole graph
    takes seconds per mutation): both engines report the same violations."""
    ttl = "".join(add.replace("agr:defcoop-JPN", "agr:x").replace("sale:k9-TUR", "agr:x")
                  for _, add, _, _ in ILL_TYPED.values())
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    data = Graph().parse(data=prologue + ttl, format="turtle")
    fast, ref = validate_graph(data, Graph(), "fast"), validate_graph(data, Graph(), "pyshacl")
    assert fast.violations == ref.violations
    assert len([v for v in fast.violations if v.message.startswith("ill-typed literal")]) == len(ILL_TYPED)


def test_fast_engine_on_the_bundled_graph(kg):
    assert validate(kg, "fast").violations == validate(kg, "pyshacl").violations == ()


def test_report_text_names_record_and_label(kg):
    report = _mutated(kg, [(A, PROV.wasDerivedFrom, None)])
    line = next(str(v) for v in report.violations
                if v.focus == "agr:defcoop-JPN" and v.path == "prov:wasDerivedFrom")
    assert line.startswith("Violation: agr:defcoop-JPN (")
    assert "Japan" in line and "no provenance" in line


def test_malformed_literal_is_not_silently_dated(kg):
    data = Graph()
    data.add((A, DD.signedOnAsPrinted, Literal("2009-13", datatype=XSD.gYearMonth)))
    assert (A, DD.earliestDay, None) not in derive(data)


# --- the fast engine against pySHACL on what the bundled shapes do not use -----------------

_SMALL_PROLOGUE = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _both(ttl: str) -> tuple[ValidationReport, ValidationReport]:
    g = Graph().parse(data=_SMALL_PROLOGUE + ttl, format="turtle")
    return validate_graph(g, g, "fast"), validate_graph(g, g, "pyshacl")


def test_this_only_inside_filter_not_exists_is_prebound():
    fast, ref = _both("""
        ex:S a sh:NodeShape ; sh:targetClass ex:Record ;
            sh:sparql [ sh:message "record without a source" ; sh:select
              "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/source> ?s } }" ] .
        ex:a a ex:Record ; ex:source ex:book .
        ex:b a ex:Record .""")
    assert [(v.focus, v.message) for v in fast.violations] == [("<http://example.org/b>",
                                                              "record without a source")]
    assert fast.violations == ref.violations
    # Blank nodes cannot be written in VALUES: each is pre-bound in a run of its own.
    fast, ref = _both("""
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:kind ;
            sh:sparql [ sh:message "record without a source" ; sh:select
              "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/source> ?s } }" ] .
        [] ex:kind "a" ; ex:source ex:book .
        [] ex:kind "b" .
        ex:c ex:kind "c" .""")
    assert sorted(v.focus.startswith("<") for v in fast.violations) == [False, True]
    assert len(fast.violations) == len(ref.violations) == 2


def test_property_shape_inside_or_is_checked():
    fast, ref = _both("""
        ex:S a sh:NodeShape ; sh:targetClass ex:Record ; sh:message "needs a date or a year" ;
            sh:or ( [ sh:property [ sh:path ex:date ; sh:minCount 1 ] ]
                    [ sh:property [ sh:path ex:year ; sh:minCount 1 ; sh:datatype xsd:gYear ] ] ) .
        ex:a a ex:Record ; ex:year "2001"^^xsd:gYear .
        ex:b a ex:Record ; ex:year "2001" .""")
    assert [v.focus for v in fast.violations] == ["<http://example.org/b>"]
    assert fast.violations == ref.violations


def test_inverse_of_a_complex_path():
    # ^(partner/partOf*): the records with a partner in the place or in a part of it.
    fast, ref = _both("""
        ex:S a sh:NodeShape ; sh:targetClass ex:Place ;
            sh:property [ sh:path [ sh:inversePath ( ex:partner [ sh:zeroOrMorePath ex:partOf ] ) ] ;
                          sh:minCount 1 ; sh:message "no record reaches it" ] .
        ex:kor a ex:Place . ex:seoul a ex:Place ; ex:partOf ex:kor . ex:x a ex:Place .
        ex:agr ex:partner ex:seoul .""")
    assert [v.focus for v in fast.violations] == ["<http://example.org/x>"]
    # pySHACL 0.40 walks the sequence forwards (^partner/^partOf*) and also flags ex:kor.
    assert {v.focus for v in ref.violations} == {"<http://example.org/x>", "<http://example.org/kor>"}


def test_implicit_class_target_and_severity():
    fast, ref = _both("""
        ex:Record a rdfs:Class , sh:NodeShape ; sh:severity sh:Warning ;
            sh:property [ sh:path ex:year ; sh:minCount 1 ; sh:message "no year" ] .
        ex:Sub rdfs:subClassOf ex:Record .
        ex:a a ex:Sub .""")
    assert [(v.focus, v.severity) for v in fast.violations] == [("<http://example.org/a>", "Violation")]
    assert fast.violations == ref.violations
    fast, ref = _both("""
        ex:Record a rdfs:Class , sh:NodeShape ; sh:severity sh:Warning ; sh:nodeKind sh:BlankNode ;
            sh:message "not a blank node" .
        ex:a a ex:Record .""")
    assert [(v.focus, v.severity) for v in fast.violations] == [("<http://example.org/a>", "Warning")]
    assert fast.violations == ref.violations
    assert fast.conforms and ref.conforms   # warnings do not make the data invalid


def test_refused_feature_falls_back_to_pyshacl_with_a_notice(capsys):
    ttl = """
        ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ;
              sh:select "SELECT ?this WHERE { ?this <http://example.org/p> ?o }" ] ;
            sh:property [ sh:path ex:p ; sh:datatype xsd:integer ; sh:message "not an integer" ] .
        ex:a ex:p "x" ."""
    g = Graph().parse(data=_SMALL_PROLOGUE + ttl, format="turtle")
    report = validate_graph(g, g, "fast")
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "does not support SHACL-AF and SHACL-JS (shape <http://example.org/S>)" in err
    assert "validating with pySHACL instead" in err
    assert [(v.focus, v.message) for v in report.violations] == [("<http://example.org/a>", "not an integer")]


def test_recursive_shapes_fall_back_to_pyshacl(capsys):
    ttl = """
        ex:Person a sh:NodeShape ; sh:targetClass ex:P ;
            sh:property [ sh:path ex:knows ; sh:node ex:Person ] ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "no name" ] .
        ex:a a ex:P ; ex:knows ex:b ; ex:name "a" . ex:b ex:knows ex:a ."""
    g = Graph().parse(data=_SMALL_PROLOGUE + ttl, format="turtle")
    validate_graph(g, g, "fast")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "recursive shapes" in err and "validating with pySHACL" in err


def test_ill_typed_literal_does_not_stop_the_build(tmp_path, capsys):
    from kgraph.cli import main

    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix dd: <https://w3id.org/defdip/ontology#> .
@prefix agr: <https://w3id.org/defdip/id/agreement/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
agr:x dd:signedOnAsPrinted "2019-13"^^xsd:gYearMonth ; dd:inForceFromAsPrinted "2019-02-30"^^xsd:date .
""", encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "'2019-13' is not a valid xsd:gYearMonth" in out
    assert "'2019-02-30' is not a valid xsd:date" in out
    assert "Traceback" not in err
