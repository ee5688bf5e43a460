"""Countries and organizations: codes checked against pycountry, labels,
former states, and the partners found in more than one table."""

from __future__ import annotations

import pycountry
from rdflib import RDF, Literal

from kgraph.namespaces import DD


def test_every_iso3_is_a_real_code(kg):
    bad = []
    for c, code in kg.asserted.subject_objects(DD.iso3):
        current = pycountry.countries.get(alpha_3=str(code))
        historic = pycountry.historic_countries.get(alpha_3=str(code))
        if current is None and historic is None:
            bad.append((c, code))
        if current is not None and not str(c).endswith("/" + str(code)):
            bad.append((c, code, "key differs from code"))
    assert not bad


def test_iso2_matches_iso3(kg):
    for c, a2 in kg.asserted.subject_objects(DD.iso2):
        a3 = kg.asserted.value(c, DD.iso3)
        assert pycountry.countries.get(alpha_2=str(a2)).alpha_3 == str(a3)


def test_every_country_has_english_and_japanese_labels(kg):
    from rdflib import RDFS

    for c in set(kg.asserted.subjects(RDF.type, DD.Country)) | set(kg.asserted.subjects(RDF.type, DD.FormerState)):
        langs = {lbl.language for lbl in kg.asserted.objects(c, RDFS.label) if isinstance(lbl, Literal)}
        assert {"en", "ja"} <= langs, c


def test_former_states_are_their_own_nodes(sel):
    rows = dict(sel("""SELECT ?c ?code WHERE { ?c a dd:FormerState . OPTIONAL { ?c dd:iso3 ?code } }"""))
    assert set(rows) == {"country:soviet-union", "country:south-vietnam", "country:republic-of-china",
                         "country:west-germany"}
    assert rows["country:soviet-union"] == "SUN"   # ISO 3166-3
    assert rows["country:south-vietnam"] is None    # no ISO 3166-3 alpha-3


def test_korea_and_japan(sel):
    rows = sel("""SELECT ?ja ?ko WHERE { country:KOR rdfs:label ?ja , ?ko .
                  FILTER(LANG(?ja) = "ja" && LANG(?ko) = "ko") }""")
    assert rows == [("韓国", "대한민국")]


def test_every_referenced_actor_is_declared(sel):
    rows = sel("""SELECT DISTINCT ?x WHERE {
        ?r dd:partner|dd:party|dd:buyer|dd:participant|dd:destination|dd:hostCountry|dd:sendingCountry|dd:namedCountry ?x .
        FILTER NOT EXISTS { ?x a dd:Country } FILTER NOT EXISTS { ?x a dd:Organization }
        FILTER NOT EXISTS { ?x a dd:Place } }""")
    assert rows == []


def test_partners_found_in_more_than_one_table(sel):
    rows = sel("""SELECT ?c (COUNT(DISTINCT ?src) AS ?tables) WHERE {
        ?r prov:wasDerivedFrom ?src ; ?p ?c . ?c a dd:Country .
        ?src a dd:SourceTable .
        FILTER(?c != country:KOR)
        VALUES ?p { dd:partner dd:buyer dd:participant dd:destination dd:hostCountry dd:sendingCountry }
    } GROUP BY ?c HAVING (COUNT(DISTINCT ?src) > 1) ORDER BY DESC(?tables) ?c""")
    tables = dict(rows)
    # The Philippines: 資料3, 資料4, 資料5, 資料2 (Araw), 図表1 (via dd:participant), 図表8.
    assert tables["country:PHL"] >= 5
    assert tables["country:USA"] >= 5
    assert {"country:JPN", "country:AUS", "country:IND", "country:TUR"} <= set(tables)
