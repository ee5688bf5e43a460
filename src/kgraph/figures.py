"""Matplotlib figures for notebooks and the README.

``agreements_per_administration`` rebuilds the report's Figures 4, 5 and 6
(agreements per administration by kind), whose numbers were lost from the
text, from the appendices they were drawn from.  ``deployment_timeline`` draws
every deployment of 資料2 as a bar from its first to its last possible month.
``thesis`` draws the measures of ``kgraph.thesis`` per administration.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from .oxstore import as_ox

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from rdflib import Graph

    from .build import KnowledgeGraph

STRADDLE = "(straddles a change)"

PER_ADMINISTRATION = """
SELECT ?kind ?adm ?adm_start (COUNT(?a) AS ?n) WHERE {
  VALUES ?kind { dd:DefenseCooperationAgreement dd:DefenseIndustryAgreement dd:MilitaryInformationAgreement }
  ?a a ?kind .
  OPTIONAL { ?a dd:duringAdministration ?adm . ?adm dd:startDate ?adm_start }
  OPTIONAL { ?a dd:duringActingPresidency ?acting }
} GROUP BY ?kind ?adm ?adm_start
"""

PANELS = [
    ("https://w3id.org/defdip/ontology#DefenseCooperationAgreement",
     "Figure 4: defence cooperation agreements (Appendix 5)"),
    ("https://w3id.org/defdip/ontology#DefenseIndustryAgreement",
     "Figure 5: defence-industry MOUs and treaties (Appendix 3)"),
    ("https://w3id.org/defdip/ontology#MilitaryInformationAgreement",
     "Figure 6: military information agreements (Appendix 4)"),
]


def _plt() -> Any:
    import sys

    import matplotlib

    if "ipykernel" not in sys.modules:
        # Scripts and the CLI draw off-screen; a notebook keeps its inline backend.
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def agreements_per_administration(graph: KnowledgeGraph | Graph, lang: str = "en") -> Figure:
    """Three bar charts: agreements of each kind per administration; records
    whose month straddles a change of president are a bar of their own."""
    plt = _plt()
    ox = as_ox(graph)
    t = ox.select(PER_ADMINISTRATION, lang=lang)
    raw = ox.select(PER_ADMINISTRATION, labels=False)
    order: dict[str, date] = {}
    for (_, adm, start, _), (_, adm_iri, _, _) in zip(t.rows, raw.rows, strict=True):
        if adm_iri is not None:
            order[adm] = start
    admins = sorted(order, key=lambda a: order[a]) + [STRADDLE]
    fig, axes = plt.subplots(3, 1, figsize=(9, 9), sharex=True, constrained_layout=True)
    for ax, (kind, title) in zip(axes, PANELS, strict=True):
        counts = dict.fromkeys(admins, 0)
        for (_, adm, _, n), (k, _, _, _) in zip(t.rows, raw.rows, strict=True):
            if k == kind:
                counts[adm if adm is not None else STRADDLE] += n
        bars = ax.bar(range(len(admins)), [counts[a] for a in admins], color="#0072B2")
        bars[-1].set_color("#BBBBBB")
        bars[-1].set_hatch("//")
        for i, a in enumerate(admins):
            if counts[a]:
                ax.text(i, counts[a], str(counts[a]), ha="center", va="bottom", fontsize=8)
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel("agreements")
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes[-1].set_xticks(range(len(admins)), [a.replace(" administration", "") for a in admins],
                        rotation=30, ha="right", fontsize=8)
    fig.suptitle("Agreements signed per administration, rebuilt from the appendices", fontsize=11)
    return fig


TIMELINE = """
SELECT ?d ?label ?start ?end ?ongoing ?total WHERE {
  ?d a dd:Deployment ; prov:wasDerivedFrom src:appendix-2 ; rdfs:label ?label ;
     dd:startDateEarliest ?start .
  FILTER(LANG(?label) = "en")
  OPTIONAL { ?d dd:endDateLatest ?end }
  BIND(EXISTS { ?d dd:ongoing true } AS ?ongoing)
  OPTIONAL { ?d dd:totalPersonnel ?total }
} ORDER BY ?start
"""


def deployment_timeline(graph: KnowledgeGraph | Graph, as_of: date = date(2019, 12, 31)) -> Figure:
    """Each deployment of 資料2 from its first to its last possible day
    (ongoing ones to the table's date); bar thickness grows with personnel."""
    plt = _plt()
    import matplotlib.dates as mdates

    rows = as_ox(graph).select(TIMELINE, labels=False).rows
    fig, ax = plt.subplots(figsize=(10, 0.22 * len(rows) + 1.5), constrained_layout=True)
    for i, (_, label, start, end, ongoing, total) in enumerate(rows):
        stop = as_of if ongoing or end is None else end
        width = 0.3 + 0.6 * min((total or 0) / 10000, 1.0)
        ax.barh(i, (stop - start).days, left=start, height=width,
                color="#E69F00" if ongoing else "#0072B2")
        ax.text(stop, i, f" {label}", va="center", fontsize=6)
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlim(date(1990, 1, 1), date(2026, 12, 31))
    ax.set_title("Overseas deployments since 1991 (Appendix 2); orange: still under way on 2019-12-31",
                 fontsize=10, loc="left")
    return fig


def thesis(graph: KnowledgeGraph | Graph, by: str = "administration") -> Figure:
    """Four panels per administration (or decade), ties new in the period
    (bars) and all ties reached by its end (line): partners, the US share of
    ties, regional spread (entropy in bits) and kinds of tie per partner."""
    plt = _plt()
    from .thesis import measures

    df = measures(graph, by=by)
    df = df[df["period"] != "spans a change of administration"]
    new, reached = df[df["scope"] == "new"], df[df["scope"] == "reached"]
    labels = [str(x).replace(" administration", "") for x in new["label"]]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True, constrained_layout=True)
    x = range(len(labels))
    for ax, col, title in zip(axes.flat, ("partners", "us_share", "region_entropy",
                                          "kinds_per_partner"),
                              ("partners", "share of ties with the United States",
                               "regional spread (entropy over UN M49 sub-regions, bits)",
                               "kinds of tie per partner"), strict=True):
        ax.bar(x, list(new[col]), color="#56B4E9", label="ties new in the period")
        ax.plot(x, list(reached[col]), color="#D55E00", marker="o", label="all ties reached by its end")
        ax.set_title(title, fontsize=10, loc="left")
    axes[0][0].legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xticks(list(x), labels, rotation=35, ha="right", fontsize=8)
    fig.suptitle("From one ally to many partners? Korea's defence ties per "
                 f"{by} (the report's tables cover different periods: exercises only for 2019)",
                 fontsize=10)
    return fig
