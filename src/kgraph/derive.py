"""Derived facts that need dates, from explicit rules kept in this one module.

Every triple made here goes into the *derived* graph, apart from what was
asserted and from what OWL reasoning infers.  The rules:

R0  Comparable date.  Each dated property P in ``DATE_PROPERTIES`` is
    asserted as printed, under ``PAsPrinted`` (``xsd:date``, ``xsd:gYearMonth``
    or ``xsd:gYear``).  P itself gets the first possible day as ``xsd:date``
    (``"2009-04"`` -> 2009-04-01), which every SPARQL engine compares the same
    way, and ``PPrecision`` the printed precision (``dd:MonthPrecision``).

R1  Day bounds.  ``PEarliest`` and ``PLatest`` (``xsd:date``) give the first
    and last day the printed value can stand for (``"2009-04"`` -> 2009-04-01
    and 2009-04-30).

R2  Reference date.  A record's reference date decides its administration.
    It is, in order of preference: ``dd:signedOn`` (agreements, sales),
    ``dd:date`` (events, figures), ``dd:startDate`` (periods: "a record that
    covers a period belongs to the administration in office at its start").
    For classes in ``INTERVAL_DATED_CLASSES`` the start and end bound one
    uncertain moment (an attaché office opened "in the 1950s"), so the reference
    runs from the start's earliest to the end's latest day.  Its bounds are
    ``dd:earliestDay`` and ``dd:latestDay``, and ``dd:precision`` says whether
    that span is a day, a month, a year or a decade (``dates.span_precision``).

R3  Administration.  If one administration was in office on every possible
    day of the reference date (``dates.administration_of``), the record gets
    ``dd:duringAdministration`` it.
    Otherwise it gets ``dd:possibleAdministration`` for each administration in
    office on some possible day, and no ``dd:duringAdministration``: never a
    guess.  Interim administrations (the office vacant) count as
    administrations.

    The administration in office has no end date but ``dd:ongoing true``: its
    interval runs on without end.

R4  Acting presidency.  If every possible day lies within a suspension
    (``dd:ActingPresidency``: Goh Kun 2004, Hwang Kyo-ahn 2016-17, Han
    Duck-soo and Choi Sang-mok 2024-25), the record also gets
    ``dd:duringActingPresidency``, once for each suspension that holds it (a
    day of hand-over lies in two); its administration is still the suspended
    president's.  Acting presidents during a vacancy
    (``dd:InterimActingPresidency``) flag nothing: the interim administration
    takes the record under R3.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from .dates import DATE_TYPES, DateError, administration_of, bounds, day, precision, span_precision
from .namespaces import DD

#: Dated properties (the comparable day, R0) and the names of their bound
#: properties (R1).
DATE_PROPERTIES: dict[URIRef, tuple[URIRef, URIRef]] = {
    DD.signedOn: (DD.signedOnEarliest, DD.signedOnLatest),
    DD.inForceFrom: (DD.inForceFromEarliest, DD.inForceFromLatest),
    DD.startDate: (DD.startDateEarliest, DD.startDateLatest),
    DD.endDate: (DD.endDateEarliest, DD.endDateLatest),
    DD.date: (DD.dateEarliest, DD.dateLatest),
}

#: The asserted, as-printed property of each dated property (R0).
AS_PRINTED: dict[URIRef, URIRef] = {p: URIRef(str(p) + "AsPrinted") for p in DATE_PROPERTIES}

#: The precision property of each dated property (R0).
PRECISION_PROPERTIES: dict[URIRef, URIRef] = {
    p: URIRef(str(p) + "Precision") for p in DATE_PROPERTIES}

#: The ``dd:DatePrecision`` individual of each precision name.
PRECISION_TERMS: dict[str, URIRef] = {
    "day": DD.DayPrecision, "month": DD.MonthPrecision, "year": DD.YearPrecision,
    "decade": DD.DecadePrecision}

#: Reference date preference (R2), as printed.
REFERENCE_ORDER = (AS_PRINTED[DD.signedOn], AS_PRINTED[DD.date], AS_PRINTED[DD.startDate])

#: Classes whose start and end bound one uncertain moment (R2).
INTERVAL_DATED_CLASSES = frozenset({DD.AttacheOffice, DD.AttacheOfficeRecord})

#: Classes that are intervals of office themselves, not records.
_OFFICE_CLASSES = frozenset({DD.Administration, DD.ActingPresidency, DD.ActingPeriod})


@dataclass(frozen=True)
class Interval:
    iri: URIRef
    start: date
    end: date

    def contains(self, a: date, b: date) -> bool:
        return self.start <= a and b <= self.end

    def overlaps(self, a: date, b: date) -> bool:
        return self.start <= b and a <= self.end


def subclasses(graph: Graph, cls: URIRef) -> set[Node]:
    """``cls`` and all its subclasses, following asserted rdfs:subClassOf."""
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, cls) if c is not None}


def instances(graph: Graph, cls: URIRef) -> set[Node]:
    """Subjects typed ``cls`` or a subclass of it, without a reasoner."""
    out: set[Node] = set()
    for c in subclasses(graph, cls):
        out.update(graph.subjects(RDF.type, c))
    return out


def intervals(graph: Graph, cls: URIRef) -> list[Interval]:
    """Instances of ``cls`` with exact ``dd:startDate``/``dd:endDate`` days, by start.
    One still in office (no end date, ``dd:ongoing true``) runs to ``date.max``."""
    out = []
    for s in instances(graph, cls):
        start = graph.value(s, AS_PRINTED[DD.startDate])
        end = graph.value(s, AS_PRINTED[DD.endDate])
        if not isinstance(start, Literal):
            continue
        try:
            first = bounds(start)[0]
            if isinstance(end, Literal):
                out.append(Interval(URIRef(str(s)), first, bounds(end)[1]))
            elif end is None and graph.value(s, DD.ongoing) == Literal(True):
                out.append(Interval(URIRef(str(s)), first, date.max))
        except DateError:
            continue  # reported by SHACL

    return sorted(out, key=lambda i: i.start)


def date_bounds(graph: Graph, subject: Node, prop: URIRef) -> tuple[date, date] | None:
    """Bounds of the (single) value of ``prop`` on ``subject``, or None."""
    value = graph.value(subject, prop)
    if isinstance(value, Literal) and str(value.datatype) in DATE_TYPES:
        try:
            return bounds(value)
        except DateError:
            return None
    return None


def reference_bounds(graph: Graph, subject: Node,
                     interval_dated: set[Node]) -> tuple[date, date] | None:
    """Rule R2: the bounds of a record's reference date."""
    if subject in interval_dated:
        a = date_bounds(graph, subject, AS_PRINTED[DD.startDate])
        b = date_bounds(graph, subject, AS_PRINTED[DD.endDate])
        if a and b:
            return a[0], b[1]
    for prop in REFERENCE_ORDER:
        found = date_bounds(graph, subject, prop)
        if found:
            return found
    return None


def derive(graph: Graph) -> Graph:
    """Apply rules R0–R4 to ``graph`` (asserted data plus the ontology).

    Returns a new graph with only the derived triples.
    """
    out = Graph()
    for t in derive_triples(graph):
        out.add(t)
    return out


def derive_triples(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """The triples rules R0–R4 derive from ``graph``, each once."""
    out: dict[tuple[Node, Node, Node], None] = {}

    # R0, R1
    for prop, (p_early, p_late) in DATE_PROPERTIES.items():
        p_precision = PRECISION_PROPERTIES[prop]
        for s, value in graph.subject_objects(AS_PRINTED[prop]):
            if not isinstance(value, Literal) or str(value.datatype) not in DATE_TYPES:
                continue  # wrong datatypes are SHACL's to report
            try:
                a, b = bounds(value)
            except DateError:
                continue  # ill-typed: SHACL's sh:datatype reports it with the record
            out[(s, prop, day(a))] = None
            out[(s, p_precision, PRECISION_TERMS[precision(value)])] = None
            out[(s, p_early, day(a))] = None
            out[(s, p_late, day(b))] = None

    administrations = intervals(graph, DD.Administration)
    terms = [(adm.iri, adm.start, adm.end) for adm in administrations]
    acting = intervals(graph, DD.ActingPresidency)
    offices: set[Node] = set()
    for c in _OFFICE_CLASSES:
        offices |= instances(graph, c)
    interval_dated: set[Node] = set()
    for c in INTERVAL_DATED_CLASSES:
        interval_dated |= instances(graph, c)

    for s in _dated_subjects(graph):
        if s in offices:
            continue
        ref = reference_bounds(graph, s, interval_dated)
        if ref is None:
            continue
        a, b = ref
        out[(s, DD.earliestDay, day(a))] = None
        out[(s, DD.latestDay, day(b))] = None
        span = span_precision(a, b)
        if span:
            out[(s, DD.precision, PRECISION_TERMS[span])] = None
        # R3
        holding = administration_of(a, b, terms)
        if holding is not None:
            out[(s, DD.duringAdministration, holding)] = None
        else:
            for adm in administrations:
                if adm.overlaps(a, b):
                    out[(s, DD.possibleAdministration, adm.iri)] = None
        # R4
        for act in acting:
            if act.contains(a, b):
                out[(s, DD.duringActingPresidency, act.iri)] = None
    return list(out)


def _dated_subjects(graph: Graph) -> Iterable[Node]:
    seen: set[Node] = set()
    for prop in DATE_PROPERTIES:
        for s in graph.subjects(AS_PRINTED[prop], None):
            if s not in seen:
                seen.add(s)
                yield s
