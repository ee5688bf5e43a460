"""Index pages: one per class (a sortable, filterable table of its members),
the list of classes, and the home page (description, counts, coverage,
licence, how to cite, links to every section)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rdflib import URIRef

from .. import dates
from ..namespaces import curie
from ..prefixes import DD
from . import layout
from .resources import DERIVED_FROM, SiteGraph, Value, _day, _precision, link_to, of_class

if TYPE_CHECKING:
    from ..build import KnowledgeGraph

RECORD = URIRef(DD + "Record")
DURING = URIRef(DD + "duringAdministration")
POSSIBLE = URIRef(DD + "possibleAdministration")


@dataclass
class ClassIndex:
    iri: str
    name: str           # file name stem: the class's local name (prefixed when two clash)
    label_en: str
    label_ja: str | None
    members: list[URIRef]

    @property
    def page(self) -> str:
        return f"class/{self.name}.html"


def class_indexes(sg: SiteGraph) -> list[ClassIndex]:
    """A page for every class the resources have; dd: classes keep their bare local name."""
    by_class = of_class(sg)
    taken: set[str] = set()
    out = []
    # dd: classes first so they get the bare names.
    for cls in sorted(by_class, key=lambda c: (not str(c).startswith(DD), str(c))):
        iri = str(cls)
        local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        name = local
        if name in taken or not layout._SEGMENT.match(name):
            prefix = (curie(cls) or "").split(":", 1)[0] or "class"
            name = f"{prefix}-{local}"
        if name in taken or not layout._SEGMENT.match(name):
            continue
        taken.add(name)
        out.append(ClassIndex(iri, name, sg.label(cls, "en") or curie(cls) or iri, sg.label(cls, "ja"),
                              by_class[cls]))
    return sorted(out, key=lambda c: c.name.lower())


@dataclass
class Cell:
    value: Value
    sort: str


def _when(sg: SiteGraph, r: URIRef) -> tuple[str, str]:
    """A record's date at its precision, and a key that sorts it."""
    first = _day(sg.value(r, URIRef(DD + "earliestDay")))
    last = _day(sg.value(r, URIRef(DD + "latestDay")))
    if first is None:
        first = _day(sg.value(r, URIRef(DD + "tieEarliestDay")))
        last = _day(sg.value(r, URIRef(DD + "tieLatestDay")))
    if first is None or last is None:
        return "", ""
    return dates.period_label(first, last, _precision(sg, r, DD + "precision")), \
        f"{first.isoformat()}/{last.isoformat()}"


def rows(sg: SiteGraph, ci: ClassIndex) -> list[list[Cell]]:
    """The table of a class index: label, Japanese label, date, administration, source."""
    here = ci.page
    out = []
    for r in ci.members:
        v = link_to(sg, r, here)
        ja = sg.label(r, "ja") or ""
        when, key = _when(sg, r)
        adms = [link_to(sg, a, here) for a in sg.values(r, DURING)]
        if not adms and sg.values(r, POSSIBLE):
            adms = [Value(dates.SPANS_A_CHANGE)]
        srcs = [link_to(sg, s, here) for s in sg.values(r, DERIVED_FROM)]
        out.append([
            Cell(v, v.text.lower()),
            Cell(Value(ja, lang="ja"), ja),
            Cell(Value(when), key),
            Cell(adms[0] if len(adms) == 1 else Value(" · ".join(a.text for a in adms)),
                 " ".join(a.text for a in adms)),
            Cell(srcs[0] if len(srcs) == 1 else Value(" · ".join(s.text for s in srcs)),
                 " ".join(s.text for s in srcs)),
        ])
    return sorted(out, key=lambda row: (row[0].sort, row[0].value.href or ""))


COLUMNS = ("label", "日本語", "date", "administration", "source")


def coverage(sg: SiteGraph) -> tuple[int, int] | None:
    """The first and last year the records' dates reach."""
    firsts: list[date] = []
    lasts: list[date] = []
    for r in sg.resources:
        if RECORD not in sg.types(r):
            continue
        a, b = _day(sg.value(r, URIRef(DD + "earliestDay"))), _day(sg.value(r, URIRef(DD + "latestDay")))
        if a and b:
            firsts.append(a)
            lasts.append(b)
    return (min(firsts).year, max(lasts).year) if firsts else None


def counts(kg: KnowledgeGraph, sg: SiteGraph, classes: list[ClassIndex]) -> dict[str, object]:
    """What the home page counts, all from the graph."""
    return {"parts": kg.sizes, "triples": sum(kg.sizes.values()), "resources": len(sg.resources),
            "classes": [(c, len(c.members)) for c in classes if c.iri.startswith(DD)]}
