"""What a resource page shows, gathered from the graph in one pass.

:func:`collect` reads every triple of the Oxigraph store once and indexes it
(outgoing triples per subject, incoming links per resource, labels per IRI
and language), so building thousands of pages is linear in the graph's size:
no query per resource.  :func:`view` turns one resource into what its page
shows; :func:`data_triples` is what its data files hold.

A resource's data files hold (and the tests check exactly this):

- every triple whose subject is the resource, from every part of the graph
  (asserted, inferred, derived);
- the triples of the blank nodes those triples reach (an RDF list, say);
- the ``rdfs:label`` and ``skos:prefLabel`` triples of every IRI they point to,
  so a reader of the file alone can name what it links to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.term import Node

from .. import dates
from ..export import _term_key as _key
from ..namespaces import curie
from ..prefixes import BASE, DD, PREFIXES
from . import layout

if TYPE_CHECKING:
    from ..build import KnowledgeGraph

Triple = tuple[Node, Node, Node]

SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
PREF_LABEL = URIRef(SKOS + "prefLabel")
LABEL_PREDICATES = (PREF_LABEL, RDFS.label)
LANGS = ("en", "ja", "ko")
DERIVED_FROM = URIRef(PROV + "wasDerivedFrom")
TIE_PARTNER = URIRef(DD + "tiePartner")
TIE_KIND = URIRef(DD + "tieKind")
ADMINISTRATION_LINKS = (
    (URIRef(DD + "duringAdministration"), "in office on its date (derived from the dates)"),
    (URIRef(DD + "possibleAdministration"), "possible: the date spans a change of administration"),
    (URIRef(DD + "statedAdministration"), "as the report names it"),
    (URIRef(DD + "withinAdministration"), "within"),
)
SOURCE_DETAILS = (URIRef(DD + "locator"), URIRef(DD + "page"), URIRef(DD + "pages"),
                  URIRef(DCTERMS + "isPartOf"), URIRef(DD + "underlyingSource"))
PRECISION_OF = {DD + "DayPrecision": "day", DD + "MonthPrecision": "month",
                DD + "YearPrecision": "year", DD + "DecadePrecision": "decade"}
_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_VOCABULARIES = tuple(ns for p, ns in PREFIXES.items() if not ns.startswith(BASE))


@dataclass
class SiteGraph:
    """The graph indexed for the site (see :func:`collect`)."""

    out: dict[Node, list[tuple[URIRef, Node]]] = field(default_factory=dict)
    incoming: dict[URIRef, list[tuple[Node, URIRef]]] = field(default_factory=dict)
    parent: dict[BNode, tuple[Node, URIRef]] = field(default_factory=dict)   # blank node -> (s, p)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    resources: list[URIRef] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)   # IRI -> site path of its page

    def label(self, iri: Node, lang: str = "en") -> str | None:
        """The IRI's label in ``lang`` (None if it has none in that language)."""
        return self.labels.get(str(iri), {}).get(lang)

    def name(self, iri: Node) -> str:
        """A name to show for any IRI: its English label, another label, or its short form."""
        found = self.labels.get(str(iri), {})
        for lang in ("en", ""):
            if lang in found:
                return found[lang]
        if found:
            return found[sorted(found)[0]]
        text = str(iri)
        partner, kind = self.value(iri, TIE_PARTNER), self.value(iri, TIE_KIND)
        if partner is not None and kind is not None:   # a derived tie has no label of its own
            return f"tie with {self.name(partner)}: {self.name(kind)}"
        if text.startswith(BASE):   # another unlabelled resource: its key
            return text[len(BASE):]
        return (curie(iri) or text) if isinstance(iri, URIRef) else text

    def owner(self, node: Node, prop: URIRef) -> tuple[Node, URIRef]:
        """The IRI (and its property) whose blank nodes lead to ``node``: an RDF list's
        members are linked from the resource holding the list, not from its cells."""
        seen: set[Node] = set()
        while isinstance(node, BNode) and node in self.parent and node not in seen:
            seen.add(node)
            node, prop = self.parent[node]
        return node, prop

    def types(self, iri: Node) -> list[URIRef]:
        return sorted({o for p, o in self.out.get(iri, ()) if p == RDF.type and isinstance(o, URIRef)},
                      key=str)

    def values(self, iri: Node, prop: URIRef) -> list[Node]:
        return sorted((o for p, o in self.out.get(iri, ()) if p == prop), key=_key)

    def value(self, iri: Node, prop: URIRef) -> Node | None:
        found = self.values(iri, prop)
        return found[0] if found else None


def collect(kg: KnowledgeGraph) -> SiteGraph:
    """Index every triple of the built graph (one pass over the Oxigraph store)."""
    from ..terms import rdflib_converter

    sg = SiteGraph()
    conv = rdflib_converter()

    # Label candidates: (iri, lang) -> best (rank, text); prefLabel before rdfs:label.
    best: dict[tuple[str, str], tuple[int, str]] = {}
    out, incoming = sg.out, sg.incoming
    for q in kg.ox.store:
        s, p, o = conv(q.subject), conv(q.predicate), conv(q.object)
        out.setdefault(s, []).append((p, o))
        if isinstance(o, URIRef) and str(o).startswith(BASE):
            incoming.setdefault(o, []).append((s, p))
        elif isinstance(o, BNode):
            sg.parent[o] = (s, p)
        if p in LABEL_PREDICATES and isinstance(o, Literal) and isinstance(s, URIRef):
            cand = (0 if p == PREF_LABEL else 1, str(o))
            k = (str(s), o.language or "")
            if k not in best or cand < best[k]:
                best[k] = cand
    for (iri, lang), (_, text) in best.items():
        sg.labels.setdefault(iri, {})[lang] = text
    # The same triple may sit in two parts (asserted and inferred): keep one.
    for s, pairs in out.items():
        out[s] = sorted(set(pairs), key=lambda po: (str(po[0]), _key(po[1])))
    for o, back in incoming.items():
        incoming[o] = sorted(set(back), key=lambda sp: (str(sp[1]), _key(sp[0])))
    taken: set[str] = set()
    for s in sorted((s for s in out if isinstance(s, URIRef)), key=str):
        page = layout.page_of(str(s))
        # Two spellings of one path (Côte, C%C3%B4te) would share a file: the first keeps it.
        if page is not None and page not in taken:
            taken.add(page)
            sg.pages[str(s)] = page
    sg.resources = sorted((URIRef(i) for i in sg.pages), key=str)
    return sg


# --- The data files -------------------------------------------------------------------------

def own_triples(sg: SiteGraph, iri: URIRef) -> list[Triple]:
    """The resource's triples and those of the blank nodes they reach."""
    triples: list[Triple] = [(iri, p, o) for p, o in sg.out.get(iri, ())]
    todo = [o for _, _, o in triples if isinstance(o, BNode)]
    done: set[Node] = set()
    while todo:
        b = todo.pop()
        if b in done:
            continue
        done.add(b)
        for p, o in sg.out.get(b, ()):
            triples.append((b, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return triples


def data_triples(sg: SiteGraph, iri: URIRef) -> list[Triple]:
    """What the resource's data files hold: its own triples plus the labels of what it links to."""
    own = own_triples(sg, iri)
    targets = sorted({o for _, _, o in own if isinstance(o, URIRef) and o != iri}, key=str)
    labels = [(t, p, o) for t in targets for p, o in sg.out.get(t, ()) if p in LABEL_PREDICATES]
    return own + labels


# --- The page --------------------------------------------------------------------------------

@dataclass
class Value:
    """One value as a page shows it: text, an optional link, and what kind it is."""

    text: str
    href: str | None = None
    lang: str | None = None
    note: str | None = None    # datatype, language or remark, shown small beside it
    kind: str = "literal"      # literal | resource | term | external | vocabulary | list
    items: list[Value] | None = None


@dataclass
class Row:
    prop: Value
    values: list[Value]


@dataclass
class View:
    """What one resource page shows."""

    iri: str
    page: str
    label_en: str
    label_ja: str | None
    label_ko: str | None
    types: list[Value]
    dates: list[tuple[str, str]]
    administrations: list[tuple[str, Value]]
    provenance: list[tuple[Value, list[tuple[str, Value]]]]
    printed: list[tuple[str, str]]
    properties: list[Row]
    incoming: list[Row]
    data: list[tuple[str, str, str]]   # (format name, href, media type)


def link_to(sg: SiteGraph, node: Node, here: str) -> Value:
    """A value for any node, linked from the page at ``here`` where it has a page or an anchor."""
    if isinstance(node, Literal):
        note = f"@{node.language}" if node.language else (
            curie(node.datatype) if node.datatype is not None else None)
        return Value(str(node), lang=node.language, note=note)
    if isinstance(node, BNode):
        return _blank(sg, node, here)
    iri = str(node)
    page = sg.pages.get(iri)
    if page is not None:
        return Value(sg.name(node), href=layout.relative(here, page), kind="resource")
    anchor = layout.ontology_anchor(iri)
    if anchor is not None:
        return Value(sg.name(node), href=layout.relative(here, layout.ONTOLOGY_PAGE, anchor), kind="term",
                     note=curie(node))
    if iri.startswith(_VOCABULARIES):
        return Value(curie(node) or iri, kind="vocabulary", note=iri)
    if iri.startswith(("http://", "https://")):
        return Value(iri, href=iri, kind="external")
    return Value(iri, kind="vocabulary")


def _blank(sg: SiteGraph, node: BNode, here: str, depth: int = 0) -> Value:
    items: list[Value] = []
    cur: Node = node
    seen: set[Node] = set()
    # An RDF list: its members in order.
    while isinstance(cur, BNode) and sg.value(cur, RDF.first) is not None and cur not in seen:
        seen.add(cur)
        first = sg.value(cur, RDF.first)
        assert first is not None
        items.append(link_to(sg, first, here) if depth < 3 else Value(str(first)))
        nxt = sg.value(cur, RDF.rest)
        cur = nxt if nxt is not None else RDF.nil
    if items:
        return Value("list", kind="list", items=items)
    rows = [Value(f"{sg.name(p)}: {sg.name(o) if not isinstance(o, Literal) else str(o)}")
            for p, o in sg.out.get(node, ())]
    return Value("blank node", kind="list", items=rows)


def _order(v: Value) -> tuple:
    """Values sorted as shown (blank nodes have no stable name to sort by)."""
    return (v.text.lower(), v.text, v.href or "", v.note or "", tuple(_order(i) for i in v.items or ()))


def _day(node: Node | None) -> date | None:
    if isinstance(node, Literal) and str(node.datatype or "") == _XSD_DATE:
        try:
            return date.fromisoformat(str(node)[:10])
        except ValueError:
            return None
    return None


def _precision(sg: SiteGraph, iri: URIRef, prop: str) -> str | None:
    found = sg.value(iri, URIRef(prop))
    return PRECISION_OF.get(str(found)) if found is not None else None


def date_lines(sg: SiteGraph, iri: URIRef) -> list[tuple[str, str]]:
    """Each date of the record at the precision the report printed it."""
    lines: list[tuple[str, str]] = []
    first = _day(sg.value(iri, URIRef(DD + "earliestDay")))
    last = _day(sg.value(iri, URIRef(DD + "latestDay")))
    if first and last:
        lines.append(("period", dates.period_label(first, last, _precision(sg, iri, DD + "precision"))))
    tfirst = _day(sg.value(iri, URIRef(DD + "tieEarliestDay")))
    tlast = _day(sg.value(iri, URIRef(DD + "tieLatestDay")))
    if tfirst and tlast:
        lines.append(("tie date", dates.period_label(tfirst, tlast)))
    for p, o in sg.out.get(iri, ()):
        name = str(p)
        if not (name.startswith(DD) and name.endswith("AsPrinted") and isinstance(o, Literal)):
            continue
        base = name[: -len("AsPrinted")]
        if str(o.datatype or "") in dates.DATE_TYPES:
            try:
                text = dates.printed_label(str(o), str(o.datatype))
            except dates.DateError:
                text = str(o)
            lines.append((sg.name(URIRef(base)), text))
    return lines


def _display(sg: SiteGraph, iri: URIRef, p: URIRef, o: Node, here: str) -> Value:
    """A property value; a derived first possible day is shown at its printed precision."""
    v = link_to(sg, o, here)
    day = _day(o)
    if day is not None and str(p).startswith(DD):
        prec = _precision(sg, iri, str(p) + "Precision")
        if prec and prec != "day":
            return Value(dates.label_at(day, prec), note=f"{prec}; first possible day {day.isoformat()}")
    return v


def view(sg: SiteGraph, iri: URIRef) -> View:
    """What the resource's page shows."""
    here = sg.pages[str(iri)]
    labels = sg.labels.get(str(iri), {})
    label_en = labels.get("en") or sg.name(iri)
    props: dict[URIRef, list[Value]] = {}
    for p, o in sg.out.get(iri, ()):
        if p == RDF.type:
            continue
        props.setdefault(p, []).append(_display(sg, iri, p, o, here))
    properties = [Row(link_to(sg, p, here), sorted(vals, key=_order)) for p, vals in
                  sorted(props.items(), key=lambda kv: (sg.name(kv[0]).lower(), str(kv[0])))]
    inc: dict[URIRef, set[Node]] = {}
    for s, p in sg.incoming.get(iri, ()):
        s, p = sg.owner(s, p)
        if not isinstance(s, BNode):
            inc.setdefault(p, set()).add(s)
    incoming = [Row(link_to(sg, p, here), sorted((link_to(sg, s, here) for s in subjects), key=_order))
                for p, subjects in sorted(inc.items(), key=lambda kv: (sg.name(kv[0]).lower(), str(kv[0])))]
    administrations = [(why, link_to(sg, o, here)) for prop, why in ADMINISTRATION_LINKS
                       for o in sg.values(iri, prop)]
    provenance = []
    for src in sg.values(iri, DERIVED_FROM):
        details = [(sg.name(p), link_to(sg, o, here)) for p in SOURCE_DETAILS for o in sg.values(src, p)]
        provenance.append((link_to(sg, src, here), details))
    printed = [(sg.name(p), str(o)) for p, o in sg.out.get(iri, ())
               if str(p).startswith(DD) and str(p).endswith("AsPrinted") and isinstance(o, Literal)]
    data = [(layout.FORMAT_NAMES[f], layout.relative(here, here[: -len(".html")] + "." + f), mt)
            for f, mt in layout.DATA_FORMATS.items()]
    return View(
        iri=str(iri), page=here, label_en=label_en, label_ja=labels.get("ja"), label_ko=labels.get("ko"),
        types=[link_to(sg, t, here) for t in sg.types(iri)], dates=date_lines(sg, iri),
        administrations=administrations, provenance=provenance, printed=printed,
        properties=properties, incoming=incoming, data=data)


def of_class(sg: SiteGraph) -> dict[URIRef, list[URIRef]]:
    """Resources by class (every rdf:type they have, inferred ones included)."""
    out: dict[URIRef, list[URIRef]] = {}
    for r in sg.resources:
        for t in sg.types(r):
            out.setdefault(t, []).append(r)
    return out
