"""Administrations through today (reference data after the report): Yoon
Suk-yeol, the acting presidencies of his suspension, the 2025 interim, Lee
Jae-myung; the derivation rules on days around each change; the report's own
records untouched; and the shapes that keep the intervals honest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kgraph.derive import derive, derive_triples, intervals
from kgraph.namespaces import DD, PREFIXES
from kgraph.shacl import validate_graph
from tests.conftest import ROOT

ADM = PREFIXES["adm"]


def adm(key: str) -> URIRef:
    return URIRef(ADM + key)


def _span(kg, cls) -> dict[str, tuple[date, date]]:
    return {str(i.iri)[len(ADM):]: (i.start, i.end) for i in intervals(kg.validation_data, cls)}


# --- The intervals ------------------------------------------------------------------------

def test_administrations_after_the_report(kg):
    spans = _span(kg, DD.Administration)
    assert spans["moon-jae-in"] == (date(2017, 5, 10), date(2022, 5, 9))
    assert spans["yoon-suk-yeol"] == (date(2022, 5, 10), date(2025, 4, 4))
    assert spans["interim-2025"] == (date(2025, 4, 5), date(2025, 6, 3))
    assert spans["lee-jae-myung"] == (date(2025, 6, 4), date.max)   # in office: no end yet
    g = kg.validation_data
    assert (adm("interim-2025"), RDF.type, DD.InterimAdministration) in g
    assert (adm("yoon-suk-yeol"), RDF.type, DD.InterimAdministration) not in g
    assert g.value(adm("yoon-suk-yeol"), DD.ordinal).toPython() == 20
    assert g.value(adm("lee-jae-myung"), DD.ordinal).toPython() == 21
    assert g.value(adm("lee-jae-myung"), DD.endDate) is None
    assert g.value(adm("lee-jae-myung"), DD.ongoing).toPython() is True


def test_administrations_tile_the_days_since_1948(kg):
    """Each administration starts the day after the previous one ends: no gap, no overlap."""
    spans = sorted(_span(kg, DD.Administration).values())
    assert spans[0][0] == date(1948, 7, 24)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start == end + timedelta(days=1), (end, start)
    assert len(spans) == 23


def test_acting_presidencies_of_yoons_suspension(kg):
    acting = _span(kg, DD.ActingPresidency)
    assert acting["acting-2024-han-duck-soo"] == (date(2024, 12, 14), date(2024, 12, 27))
    assert acting["acting-2024-choi-sang-mok"] == (date(2024, 12, 27), date(2025, 3, 24))
    assert acting["acting-2025-han-duck-soo"] == (date(2025, 3, 24), date(2025, 4, 4))
    # The earlier suspensions are unchanged.
    assert acting["acting-2004-goh-kun"] == (date(2004, 3, 12), date(2004, 5, 14))
    assert acting["acting-2016-hwang-kyo-ahn"] == (date(2016, 12, 9), date(2017, 3, 10))
    g = kg.validation_data
    for key in ("acting-2024-han-duck-soo", "acting-2024-choi-sang-mok", "acting-2025-han-duck-soo"):
        assert g.value(adm(key), DD.withinAdministration) == adm("yoon-suk-yeol")
    people = [str(g.value(adm(k), DD.actingPresident)).rsplit("/", 1)[-1]
              for k in ("acting-2024-han-duck-soo", "acting-2024-choi-sang-mok", "acting-2025-han-duck-soo")]
    assert people == ["han-duck-soo", "choi-sang-mok", "han-duck-soo"]


def test_acting_presidents_of_the_2025_vacancy(kg):
    interim = _span(kg, DD.InterimActingPresidency)
    assert interim == {"interim-acting-2025-han-duck-soo": (date(2025, 4, 5), date(2025, 5, 1)),
                       "interim-acting-2025-lee-ju-ho": (date(2025, 5, 2), date(2025, 6, 3))}
    g = kg.validation_data
    presidents = {str(p).rsplit("/", 1)[-1] for p in g.objects(adm("interim-2025"), DD.president)}
    assert presidents == {"han-duck-soo", "lee-ju-ho"}


def test_new_sources_name_their_pages(kg):
    g = kg.validation_data
    schema_url = URIRef("https://schema.org/url")
    for key in ("yoon-suk-yeol", "interim-2025", "lee-jae-myung", "acting-2024-han-duck-soo",
                "acting-2024-choi-sang-mok", "acting-2025-han-duck-soo",
                "interim-acting-2025-han-duck-soo", "interim-acting-2025-lee-ju-ho"):
        pages = [g.value(s, schema_url) for s in g.objects(adm(key), URIRef(PREFIXES["prov"] + "wasDerivedFrom"))]
        assert any(str(p).startswith("https://") for p in pages if p is not None), key


# --- The rules on the days around each change ---------------------------------------------

@pytest.fixture(scope="module")
def offices() -> Graph:
    """The ontology and the administrations file alone: the rules' whole input."""
    g = Graph()
    for f in sorted((ROOT / "ontology").glob("*.ttl")):
        if not f.name.startswith("shapes"):
            g.parse(f, format="turtle")
    g.parse(ROOT / "graph" / "administrations.ttl", format="turtle")
    return g


PROBES = {
    # date: (during administration, possible administrations, acting presidencies)
    ("2022-05", XSD.gYearMonth): (None, {"moon-jae-in", "yoon-suk-yeol"}, set()),
    ("2022-05-10", XSD.date): ("yoon-suk-yeol", set(), set()),
    ("2024-12-13", XSD.date): ("yoon-suk-yeol", set(), set()),
    ("2024-12-14", XSD.date): ("yoon-suk-yeol", set(), {"acting-2024-han-duck-soo"}),
    # A day of hand-over: both acting presidents.
    ("2024-12-27", XSD.date): ("yoon-suk-yeol", set(), {"acting-2024-han-duck-soo", "acting-2024-choi-sang-mok"}),
    ("2025-01", XSD.gYearMonth): ("yoon-suk-yeol", set(), {"acting-2024-choi-sang-mok"}),
    ("2025-03-24", XSD.date): ("yoon-suk-yeol", set(), {"acting-2024-choi-sang-mok", "acting-2025-han-duck-soo"}),
    ("2025-04-04", XSD.date): ("yoon-suk-yeol", set(), {"acting-2025-han-duck-soo"}),
    ("2025-04", XSD.gYearMonth): (None, {"yoon-suk-yeol", "interim-2025"}, set()),
    # The vacancy: an administration of its own, no acting-presidency flag.
    ("2025-04-05", XSD.date): ("interim-2025", set(), set()),
    ("2025-05", XSD.gYearMonth): ("interim-2025", set(), set()),
    ("2025-06-03", XSD.date): ("interim-2025", set(), set()),
    ("2025-06", XSD.gYearMonth): (None, {"interim-2025", "lee-jae-myung"}, set()),
    ("2025-06-04", XSD.date): ("lee-jae-myung", set(), set()),
    ("2031", XSD.gYear): ("lee-jae-myung", set(), set()),       # still in office: open-ended
    ("2025", XSD.gYear): (None, {"yoon-suk-yeol", "interim-2025", "lee-jae-myung"}, set()),
    # The 2017 cases are unchanged.
    ("2017-03", XSD.gYearMonth): (None, {"park-geun-hye", "interim-2017"}, set()),
    ("2017-03-10", XSD.date): ("park-geun-hye", set(), {"acting-2016-hwang-kyo-ahn"}),
}


def test_rules_around_each_change(offices):
    g = Graph()
    for t in offices:
        g.add(t)
    probes = {}
    for i, (value, dtype) in enumerate(PROBES):
        s = URIRef(f"https://example.org/probe/{i}")
        g.add((s, RDF.type, DD.Event))
        g.add((s, DD.dateAsPrinted, Literal(value, datatype=dtype)))
        probes[s] = (value, dtype)
    derived = Graph()
    for t in derive_triples(g):
        derived.add(t)

    def keys(s, p):
        return {str(o)[len(ADM):] for o in derived.objects(s, p)}

    got = {probes[s]: (next(iter(keys(s, DD.duringAdministration)), None),
                       keys(s, DD.possibleAdministration), keys(s, DD.duringActingPresidency))
           for s in probes}
    assert got == PROBES
    # Offices are intervals, not records: none of them is placed under an administration.
    for office in [*g.subjects(RDF.type, DD.Administration), *g.subjects(RDF.type, DD.InterimAdministration),
                   *g.subjects(RDF.type, DD.ActingPresidency), *g.subjects(RDF.type, DD.InterimActingPresidency)]:
        assert (office, DD.duringAdministration, None) not in derived, office
        assert (office, DD.earliestDay, None) not in derived, office


# --- The report's records are unaffected ---------------------------------------------------

#: Dated records per administration before the administrations after 2022 were added.
REPORT_COUNTS = {
    "rhee-syngman": 23, "interim-1960-heo-jeong": 0, "interim-1960-kwak-sang-hoon": 0,
    "interim-1960-heo-jeong-2": 0, "interim-1960-paik-nak-chun": 0, "yun-posun": 0,
    "interim-1962-park-chung-hee": 0, "park-chung-hee": 77, "interim-1979-choi-kyu-hah": 0,
    "choi-kyu-hah": 0, "interim-1980-park-choong-hoon": 0, "chun-doo-hwan": 1, "roh-tae-woo": 19,
    "kim-young-sam": 21, "kim-dae-jung": 25, "roh-moo-hyun": 33, "lee-myung-bak": 62,
    "park-geun-hye": 46, "interim-2017": 1, "moon-jae-in": 51,
    "yoon-suk-yeol": 0, "interim-2025": 0, "lee-jae-myung": 0,
}


#: The dated prose facts that were notes until graph/prose-facts.ttl (tests/test_prose_facts.py).
PROSE_FACTS = {
    "roh-tae-woo": 2,      # the Gulf War (1991-01..02), Iraq's invasion of Kuwait (1990-08)
    "kim-dae-jung": 2,     # the war in Afghanistan (from 2001), the attacks of 2001-09-11
    "roh-moo-hyun": 2,     # US-led action against Iraq (2003-03-20), the war declared over (2003-05-01)
    "lee-myung-bak": 1,    # the anti-piracy dispatch (2009-03)
    "park-geun-hye": 2,    # Typhoon Haiyan (2013-11), Japan's end-of-relief order (2013-12-13)
}


def test_report_records_per_administration_unchanged(kg):
    """The later administrations take none of the report's records, and every
    earlier administration keeps its count (plus the prose facts made records)."""
    import kgraph

    df = kgraph.query("administrations", labels=False, kg=kg)
    counts = {a[len(ADM):]: int(n) for a, n in zip(df["administration"], df["records"], strict=True)}
    assert counts == {k: n + PROSE_FACTS.get(k, 0) for k, n in REPORT_COUNTS.items()}
    last = df.iloc[-1]
    assert last["administration"] == ADM + "lee-jae-myung"
    assert last["end"] is None or last["end"] != last["end"]   # empty (None or NaN): still in office


def test_acting_presidency_records_unchanged(kg):
    import kgraph

    df = kgraph.query("acting-presidency-records", labels=False, kg=kg)
    assert df.groupby("acting").size().to_dict() == {ADM + "acting-2004-goh-kun": 1,
                                                      ADM + "acting-2016-hwang-kyo-ahn": 6}
    straddling = kgraph.query("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r dd:possibleAdministration ?a }",
                              kg=kg)
    assert int(straddling["n"][0]) == 46 + 1   # + the Iraq War, printed 2003-11 (2003 spans a change)


# --- Shapes ----------------------------------------------------------------------------------

def _mutated(kg, add_ttl: str, remove=(), engine: str = "fast"):
    data = Graph()
    for part in (kg.ontology, kg.asserted):
        for t in part:
            data.add(t)
    for t in remove:
        data.remove(t)
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    data.parse(data=prologue + add_ttl, format="turtle")
    for t in derive(data):
        data.add(t)
    return validate_graph(data, kg.shapes, engine)


def _messages(report, focus: str) -> str:
    return "\n".join(v.message for v in report.violations if v.focus == focus)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_shapes_catch_broken_intervals(kg, engine):
    report = _mutated(kg, """
        adm:overlapping a dd:Administration ; rdfs:label "Overlapping"@en ;
            dd:startDateAsPrinted "2025-05-01"^^xsd:date ; dd:endDateAsPrinted "2025-05-31"^^xsd:date .
        adm:endless a dd:Administration ; rdfs:label "Endless"@en ; dd:startDateAsPrinted "1948-01-01"^^xsd:date .
        adm:acting-outside a dd:ActingPresidency ; dd:actingPresident person:han-duck-soo ;
            dd:withinAdministration adm:moon-jae-in ;
            dd:startDateAsPrinted "2024-12-14"^^xsd:date ; dd:endDateAsPrinted "2024-12-27"^^xsd:date .
        adm:vacancy-in-a-presidency a dd:InterimActingPresidency ; dd:actingPresident person:lee-ju-ho ;
            dd:withinAdministration adm:yoon-suk-yeol ;
            dd:startDateAsPrinted "2023-01-01"^^xsd:date ; dd:endDateAsPrinted "2023-01-02"^^xsd:date .
        """, engine=engine)
    assert "overlaps" in _messages(report, "adm:overlapping")
    assert "overlaps" in _messages(report, "adm:interim-2025")   # the other side of the overlap
    assert "dd:ongoing true" in _messages(report, "adm:endless")
    assert "outside the days of its administration" in _messages(report, "adm:acting-outside")
    assert "within a dd:InterimAdministration" in _messages(report, "adm:vacancy-in-a-presidency")


def test_ceiling_applies_to_records_not_reference_data(kg):
    """Administrations run past 2020 and the graph is valid; a record of the report
    dated after 2020 is still caught."""
    report = _mutated(kg, 'event:probe-2025 a dd:Event ; rdfs:label "probe"@en ; '
                          'dd:dateAsPrinted "2025-06-04"^^xsd:date ; prov:wasDerivedFrom src:report .')
    assert "wholly after 2020" in _messages(report, "event:probe-2025")
    assert not [v for v in report.violations if v.focus.startswith("adm:")]
