"""Ad-hoc queries a researcher would write, for checking that every door gives
the same rows: dates, counts, OPTIONAL, labels, subclass questions, GROUP BY.

Each entry is (name, query, check): ``check`` is a value from the report that
the answer must hold (a count, a date, a total), or None where the point is
only that every door agrees.  Prefixes are predeclared, as for users.
"""

from __future__ import annotations

from datetime import date
from typing import Any

QUERIES: list[tuple[str, str, Any]] = [
    ("count-agreements",
     "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement }", [[117]]),           # 資料5 49 + 資料4 26 + 資料3 42
    ("count-gsomia",
     "SELECT (COUNT(*) AS ?n) WHERE { ?a a dd:MilitaryInformationAgreement }", [[26]]),
    ("count-defence-cooperation",
     "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dd:DefenseCooperationAgreement }", [[49]]),
    ("agreements-per-class",
     """SELECT ?class (COUNT(?a) AS ?n) WHERE {
          VALUES ?class { dd:DefenseCooperationAgreement dd:MilitaryInformationAgreement
                          dd:DefenseIndustryAgreement }
          ?a a ?class } GROUP BY ?class""", None),
    ("gsomia-japan-signed",
     "SELECT ?d WHERE { agr:gsomia-JPN dd:signedOn ?d }", [[date(2016, 11, 23)]]),
    ("gsomia-in-order",
     """SELECT ?partner ?d WHERE { ?a a dd:MilitaryInformationAgreement ; dd:partner ?partner ;
          dd:signedOnEarliest ?d } ORDER BY ?d ?partner""", None),
    ("agreements-since-2009-bounds",
     """SELECT ?a WHERE { ?a a dd:Agreement ; dd:signedOnEarliest ?d
          FILTER(?d >= "2009-01-01"^^xsd:date) }""", None),
    ("agreements-per-year-bounds",
     """SELECT ?y (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement ; dd:signedOnEarliest ?d
          BIND(YEAR(?d) AS ?y) } GROUP BY ?y ORDER BY ?y""", None),
    ("first-and-last-signing",
     """SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {
          ?a a dd:MilitaryInformationAgreement ; dd:signedOnEarliest ?d }""", None),
    ("gsomia-lag-days-japan",
     """SELECT ?s ?f WHERE { agr:gsomia-JPN dd:signedOnEarliest ?s ; dd:inForceFromEarliest ?f }""",
     [[date(2016, 11, 23), date(2016, 11, 23)]]),
    ("partners-japanese-labels",
     """SELECT ?c ?l WHERE { ?a a dd:MilitaryInformationAgreement ; dd:partner ?c .
          ?c rdfs:label ?l FILTER(LANG(?l) = "ja") }""", None),
    ("japan-labels-every-language",
     """SELECT ?l (LANG(?l) AS ?lang) WHERE { country:JPN rdfs:label ?l }""", None),
    ("optional-in-force",
     """SELECT ?a ?f WHERE { ?a a dd:DefenseCooperationAgreement OPTIONAL { ?a dd:inForceFrom ?f } }""",
     None),
    ("optional-administration",
     """SELECT ?a ?adm WHERE { ?a a dd:MilitaryInformationAgreement
          OPTIONAL { ?a dd:duringAdministration ?adm } }""", None),
    ("straddlers-count",
     """SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dd:Agreement ; dd:possibleAdministration ?adm
          FILTER NOT EXISTS { ?a dd:duringAdministration ?x } }""", None),
    ("agreements-per-administration",
     """SELECT ?adm (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement ; dd:duringAdministration ?adm }
        GROUP BY ?adm""", None),
    ("subclass-of-agreement",
     """SELECT ?c WHERE { ?c rdfs:subClassOf dd:Agreement FILTER(?c != dd:Agreement) }""", None),
    ("subclass-members-through-reasoning",
     """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a dd:Record }""", None),
    ("deployments-total-personnel",
     """SELECT (SUM(?n) AS ?total) WHERE { ?d a dd:Deployment ; dd:totalPersonnel ?n }""", None),
    ("deployments-per-destination",
     """SELECT ?dest (COUNT(?d) AS ?n) WHERE { ?d a dd:Deployment ; dd:destination ?dest }
        GROUP BY ?dest HAVING (COUNT(?d) > 1) ORDER BY DESC(?n) ?dest""", None),
    ("deployments-ongoing",
     """SELECT ?d WHERE { ?d a dd:Deployment FILTER NOT EXISTS { ?d dd:endDate ?e } }""", None),
    ("k9-units",
     """SELECT (SUM(?q) AS ?units) WHERE { ?s a dd:ArmsSale ; dd:weapon weapon:k9 ; dd:quantity ?q }""",
     None),
    ("countries-with-iso",
     """SELECT ?c ?code WHERE { ?c a dd:Country ; dd:iso3 ?code } ORDER BY ?code""", None),
    ("former-states",
     """SELECT ?c WHERE { ?c a dd:FormerState }""", None),
    ("un-command-by-role",
     """SELECT ?role (COUNT(?p) AS ?n) WHERE { ?p a dd:Participation ; dd:participationIn org:un-command ;
          dd:role ?role } GROUP BY ?role""", None),
    ("exercises-2019-participants",
     """SELECT ?e (COUNT(DISTINCT ?p) AS ?n) WHERE { ?e a dd:Exercise ; dd:participant ?p } GROUP BY ?e""",
     None),
    ("ties-per-kind",
     """SELECT ?kind (COUNT(?t) AS ?n) WHERE { ?t a dd:Tie ; dd:tieKind ?kind } GROUP BY ?kind""", None),
    ("ties-of-the-united-states",
     """SELECT (COUNT(?t) AS ?n) WHERE { ?t dd:tiePartner country:USA }""", [[21]]),
    ("non-state-partners",
     """SELECT DISTINCT ?p WHERE { ?t dd:tiePartner ?p FILTER NOT EXISTS { ?p a dd:Country } }""", None),
    ("ask-japan-gsomia",
     """ASK { agr:gsomia-JPN a dd:MilitaryInformationAgreement }""", True),
    ("string-filter-on-labels",
     """SELECT ?c WHERE { ?c a dd:Country ; rdfs:label ?l FILTER(LANG(?l) = "en" && STRSTARTS(?l, "S")) }""",
     None),
    ("distinct-signatories",
     """SELECT DISTINCT ?who WHERE { ?a a dd:DefenseIndustryAgreement ; dd:signatory ?who }""", None),
    ("attache-offices-by-direction",
     """SELECT ?dir (COUNT(?o) AS ?n) WHERE { ?o a dd:AttacheOffice ; dd:direction ?dir } GROUP BY ?dir""",
     None),
    ("union-with-bind",
     """SELECT ?x ?kind WHERE { { ?x a dd:ArmsSale BIND("sale" AS ?kind) }
          UNION { ?x a dd:Exercise BIND("exercise" AS ?kind) } }""", None),
    ("values-join",
     """SELECT ?c ?code WHERE { VALUES ?code { "JPN" "USA" "AUS" } ?c dd:iso3 ?code }""", None),
]


def ordered(query: str) -> bool:
    """Whether the rows' order is part of the answer (an ORDER BY fixes it)."""
    return "ORDER BY" in query.upper()
