"""What a tie is, and what kind of partner it links to: each decided once, here.

A *tie* is one record that links the described country (Korea) to one
partner.  The build derives a ``dd:Tie`` node for each (record, partner) pair
(``tie_triples``), in the derived part of the graph; the named query
``partner-tie-kinds``, the network projections and page, and the main job's
summary all count those nodes, so they cannot disagree.  The kinds, in the
order outputs show them (``KINDS``):

- ``defence-cooperation`` / ``military-information`` / ``defence-industry``:
  the ``dd:partner`` of an agreement of that class (a country or an
  organization such as NATO);
- ``arms-purchase``: the ``dd:buyer`` of a ``dd:ArmsSale`` (outward);
- ``deployment``: each ``dd:destination`` of a ``dd:Deployment`` that is a
  country or a territory (sea areas and regions are not partners), **unless**
  the deployment served in a national command of a third state
  (``dd:mission`` with ``dd:nationalCommandOf``): then that state.  Liaison
  officers at US Africa Command in Germany tie Korea to the United States, not
  Germany (outward);
- ``exercise``: each ``dd:participant`` of a ``dd:Exercise``;
- ``attache-office``: the other country of a ``dd:AttacheOffice``: where
  Korea's office is (outward) or whose office is in Korea (inward);
- ``un-command-1950``: the participant of each ``dd:Participation`` in the
  1950 UN Command (図表1, as printed; inward).

Korea itself is never its own partner.  A tie's date is its record's
reference date (``dd:earliestDay``/``dd:latestDay``); a UN Command
participation, which has none, takes the start of its war.  The tie also
carries that date at the precision the report printed
(``dd:tieDateAsPrinted``: "2016-11-23", "2017-03", "1994", "1950s"), which is
what outputs show: a tie dated to a decade never shows an invented day.

A partner's *type* (``partner_type``) comes from its class in the data:
``state`` (a ``dd:Country``), ``former state`` (``dd:FormerState``),
``territory`` (``dd:Territory``), ``mission`` (``dd:Mission``) or
``organisation`` (``dd:Organization``).  ``STATE_TYPES`` are the partners a
state-level analysis keeps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from .prefixes import BASE, DD, PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

CONCEPT = PREFIXES["concept"]

#: Kind key -> (English label, Japanese label), in the order outputs show them.
KINDS: dict[str, tuple[str, str]] = {
    "defence-cooperation": ("defence cooperation agreement", "国防協力協定"),
    "military-information": ("military information agreement", "軍事情報保護協定"),
    "defence-industry": ("defence-industry instrument", "防衛産業協力文書"),
    "arms-purchase": ("arms purchase", "武器購入"),
    "deployment": ("deployment host", "派遣先"),
    "exercise": ("exercise partner", "共同訓練の相手"),
    "attache-office": ("attaché office", "武官部"),
    "un-command-1950": ("1950 UN Command", "朝鮮国連軍"),
}

#: Partner types by class, most specific first (a former state is also a country).
PARTNER_TYPES: tuple[tuple[str, str], ...] = (
    (DD + "FormerState", "former state"),
    (DD + "Country", "state"),
    (DD + "Territory", "territory"),
    (DD + "Mission", "mission"),
    (DD + "Organization", "organisation"),
)
#: The partner types a state-level analysis (dyads, state networks) keeps.
STATE_TYPES = frozenset({"state", "former state"})

KOREA = PREFIXES["country"] + "KOR"
UN_COMMAND = PREFIXES["org"] + "un-command"


def kind_iri(kind: str) -> str:
    """The concept IRI of a kind key (``concept:tie-<key>``)."""
    return f"{CONCEPT}tie-{kind}"


def kind_of(iri: str) -> str:
    """The kind key of a kind concept IRI (inverse of ``kind_iri``)."""
    return iri.rsplit("/tie-", 1)[-1]


def partner_type(classes: Iterable[str]) -> str | None:
    """The partner type of a node with these class IRIs (None if it has none).

    >>> partner_type([DD + "Country", DD + "FormerState"])
    'former state'
    >>> partner_type([DD + "Organization", DD + "Mission"])
    'mission'
    """
    have = set(classes)
    return next((name for cls, name in PARTNER_TYPES if cls in have), None)


def tie_iri(record: str, partner: str) -> str:
    """A readable, stable IRI for the tie of ``record`` with ``partner``.

    >>> tie_iri(BASE + "agreement/gsomia-JPN", BASE + "country/JPN")
    'https://w3id.org/defdip/id/tie/agreement/gsomia-JPN/country/JPN'
    """
    def key(iri: str) -> str:
        if iri.startswith(BASE):
            return iri[len(BASE):]
        return "x-" + hashlib.sha1(iri.encode()).hexdigest()[:16]
    return f"{BASE}tie/{key(record)}/{key(partner)}"


def tie_triples(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """The ``dd:Tie`` nodes of ``graph`` (the ontology, the asserted data and
    the derived day bounds, without OWL inferences) as rdflib triples."""
    from rdflib import RDF, Literal, URIRef
    from rdflib.namespace import XSD

    from .dates import period_label
    from .derive import instances
    from .namespaces import DD as NS

    countries = instances(graph, NS.Country) | instances(graph, NS.Territory)
    korea = URIRef(KOREA)
    found: dict[tuple[Node, Node], tuple[str, str | None, Node]] = {}

    def add(record: Node, partner: Node, kind: str, direction: str | None,
            context: Node | None = None) -> None:
        if isinstance(partner, URIRef) and partner != korea and isinstance(record, URIRef):
            found.setdefault((record, partner), (kind, direction, context or record))

    for kind, cls in (("defence-cooperation", NS.DefenseCooperationAgreement),
                      ("military-information", NS.MilitaryInformationAgreement),
                      ("defence-industry", NS.DefenseIndustryAgreement)):
        for r in instances(graph, cls):
            for p in graph.objects(r, NS.partner):
                add(r, p, kind, None)
    for r in instances(graph, NS.ArmsSale):
        for p in graph.objects(r, NS.buyer):
            add(r, p, "arms-purchase", "outward")
    for r in instances(graph, NS.Deployment):
        commands = [s for m in graph.objects(r, NS.mission) for s in graph.objects(m, NS.nationalCommandOf)]
        for p in commands or [d for d in graph.objects(r, NS.destination) if d in countries]:
            add(r, p, "deployment", "outward")
    for r in instances(graph, NS.Exercise):
        for p in graph.objects(r, NS.participant):
            add(r, p, "exercise", None)
    for r in instances(graph, NS.AttacheOffice):
        for p in graph.objects(r, NS.hostCountry):
            add(r, p, "attache-office", "outward")
        for p in graph.objects(r, NS.sendingCountry):
            add(r, p, "attache-office", "inward")
    for r in instances(graph, NS.Participation):
        if URIRef(UN_COMMAND) in set(graph.objects(r, NS.participationIn)):
            for p in graph.objects(r, NS.participant):
                add(r, p, "un-command-1950", "inward", URIRef(UN_COMMAND))

    out: list[tuple[Node, Node, Node]] = []
    for (record, partner), (kind, direction, context) in sorted(found.items()):
        tie = URIRef(tie_iri(str(record), str(partner)))
        out += [(tie, RDF.type, NS.Tie), (tie, NS.tieKind, URIRef(kind_iri(kind))),
                (tie, NS.tiePartner, partner), (tie, NS.tieRecord, record),
                (tie, NS.tieContext, context)]
        if direction:
            out.append((tie, NS.tieDirection, URIRef(f"{CONCEPT}tie-{direction}")))
        early, late = graph.value(record, NS.earliestDay), graph.value(record, NS.latestDay)
        if early is None:
            war = graph.value(record, NS.conflict)
            if war is not None:
                early, late = graph.value(war, NS.startDateEarliest), graph.value(war, NS.startDateLatest)
        if isinstance(early, Literal) and isinstance(late, Literal):
            first, last = date.fromisoformat(str(early)), date.fromisoformat(str(late))
            out += [(tie, NS.tieEarliestDay, Literal(str(early), datatype=XSD.date)),
                    (tie, NS.tieLatestDay, Literal(str(late), datatype=XSD.date)),
                    (tie, NS.tieDateAsPrinted, Literal(period_label(first, last)))]
    return out


__all__ = ["KINDS", "PARTNER_TYPES", "STATE_TYPES", "kind_iri", "kind_of", "partner_type",
           "tie_iri", "tie_triples"]
