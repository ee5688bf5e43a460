"""Dated facts of the prose that were only notes, now records SPARQL reaches
(graph/prose-facts.ttl): the wars after Vietnam, the resolution behind the
anti-piracy unit, Typhoon Haiyan's figures, Rhee's later proposals."""

from __future__ import annotations

from datetime import date


def test_wars_korea_sent_troops_to(sel):
    rows = sel("""SELECT ?war ?first ?last ?ongoing WHERE {
        ?war a dd:War ; dd:startDateEarliest ?first .
        OPTIONAL { ?war dd:endDateLatest ?last }
        OPTIONAL { ?war dd:ongoing ?ongoing }
    } ORDER BY ?first""")
    assert rows == [
        ("event:korean-war", date(1950, 6, 25), date(1953, 12, 31), None),
        ("event:vietnam-war", date(1960, 1, 1), date(1975, 12, 31), None),
        ("event:gulf-war", date(1991, 1, 1), date(1991, 2, 28), None),
        ("event:afghanistan-war", date(2001, 1, 1), None, True),
        ("event:iraq-war", date(2003, 1, 1), date(2011, 12, 31), None),
    ]


def test_war_related_days(sel):
    rows = sel("""SELECT ?e ?day WHERE {
        VALUES ?e { event:iraq-invades-kuwait event:september-11-attacks
                    event:iraq-military-action-begins event:iraq-war-declared-over }
        ?e dd:earliestDay ?day } ORDER BY ?day""")
    assert rows == [("event:iraq-invades-kuwait", date(1990, 8, 1)),
                    ("event:september-11-attacks", date(2001, 9, 11)),
                    ("event:iraq-military-action-begins", date(2003, 3, 20)),
                    ("event:iraq-war-declared-over", date(2003, 5, 1))]
    # The report's two ends of the Iraq War are both kept, each with its source.
    ends = sel("""SELECT ?src WHERE { { event:iraq-war prov:wasDerivedFrom ?src }
                  UNION { event:iraq-war-declared-over prov:wasDerivedFrom ?src } } ORDER BY ?src""")
    assert ends == [("src:passage-history-four-wars",), ("src:passage-multinational-operations",)]
    # The Gulf War reaches the dispatches the text dates.
    related = sel("SELECT ?d WHERE { event:gulf-war dd:relatedTo ?d . ?d dd:earliestDay ?day } ORDER BY ?day ?d")
    assert [d for (d,) in related] == ["event:iraq-invades-kuwait", "event:gulf-war-support-plan",
                                      "event:gulf-war-medical-dispatch", "event:gulf-war-airlift-dispatch",
                                      "event:gulf-war-airlift-dispatch-2"]


def test_resolution_behind_the_anti_piracy_unit(sel):
    rows = sel("""SELECT ?res ?label ?day WHERE {
        ?e dd:partOfDeployment dep:gulf-of-aden-cheonghae ; dd:respondsTo ?res ; dd:earliestDay ?day .
        ?res rdfs:label ?label FILTER(LANG(?label) = "en") }""")
    assert rows == [("doc:unsc-resolution-1838", "UN Security Council Resolution 1838", date(2009, 3, 1))]
    # dd:respondsTo is a kind of dd:relatedTo: the reasoner says so too.
    related = sel("SELECT ?x WHERE { event:cheonghae-dispatch dd:relatedTo ?x } ORDER BY ?x")
    assert ("doc:unsc-resolution-1838",) in related


def test_typhoon_haiyan_figures(sel):
    rows = sel("""SELECT ?measure ?value ?approx WHERE {
        ?f dd:about event:typhoon-haiyan ; dd:measure ?measure ; dd:value ?value ; dd:approximate ?approx }
        ORDER BY ?value""")
    assert rows == [("concept:disaster-deaths", 6200, True), ("concept:disaster-affected", 16080000, True)]
    assert sel("SELECT ?d WHERE { event:typhoon-haiyan dd:earliestDay ?d }") == [(date(2013, 11, 1),)]
    assert sel("SELECT ?d WHERE { event:jsdf-haiyan-relief-ends dd:earliestDay ?d }") == [(date(2013, 12, 13),)]


def test_rhee_later_proposals(sel):
    assert sel("""SELECT ?n WHERE { ?f dd:about event:rhee-laos-division-proposal ;
                  dd:measure concept:proposal-count ; dd:value ?n }""") == [(3,)]


def test_every_new_record_cites_a_passage(sel):
    rows = sel("""SELECT ?r ?src WHERE {
        VALUES ?r { event:gulf-war event:iraq-invades-kuwait event:afghanistan-war event:september-11-attacks
                    event:iraq-war event:iraq-military-action-begins event:iraq-war-declared-over
                    fig:rhee-later-dispatch-proposals doc:unsc-resolution-1838 event:cheonghae-dispatch
                    event:typhoon-haiyan fig:typhoon-haiyan-deaths fig:typhoon-haiyan-affected
                    event:jsdf-haiyan-relief-ends }
        OPTIONAL { ?r prov:wasDerivedFrom ?src . ?src a dd:SourcePassage ; dcterms:isPartOf src:report }
    }""")
    assert len({r for r, _ in rows}) == 14
    assert not [r for r, src in rows if src is None]
