"""Korea's partner network: projections of the graph for network analysis.

A graph whose every edge is "Korea – partner" is a star, where degree,
betweenness and eigenvector centrality say nothing.  So there are several
projections, all built from one SPARQL query over the reasoned graph:

``ego``
    Korea and its partners; one edge per partner, weight = number of ties of
    every kind, with per-kind counts, the first tie's date and administration,
    and the records behind the edge.
``multiplex``
    The same pairs as a MultiGraph, one edge per kind of tie (key = kind).
``partners``
    Partner to partner: two partners are tied by each *context they really
    shared*: a record with several partners (a multilateral exercise, a UN
    mission or coalition both hosted or served in), the 1950 UN Command (the
    war they fought in together), and each organisation both are members of
    (NATO, ASEAN, NORDEFCO; ``dd:memberOf``).  Holding the same *kind* of
    bilateral instrument with Korea is **not** a shared context: two holders
    of a defence cooperation agreement never met over it (counting it tied
    every holder to every other, a clique of 1,866 edges).  A context shared
    by n partners adds 1/(n-1) to each of their pairs (Newman's weighting for
    co-affiliation networks), so a partner's strength is the number of
    shared contexts it is in.  ``shared`` on an edge counts the contexts,
    ``weight`` sums their shares, ``contexts`` lists them, ``context_kind``
    names the kind of context that weighs most (``CONTEXT_KINDS``).  Partners
    that share no context with any other are left out (their number is
    ``g.graph["isolates_left_out"]``).
``bipartite``
    Partners (``bipartite=0``) and the instruments or events that tie them to Korea
    (``bipartite=1``); ``bipartite_projection`` gives its weighted projection
    onto partners (weight = shared records: only multilateral records connect
    two partners).

What counts as a tie, and what type of partner a node is, are decided once,
in ``kgraph.ties``; the build derives the ``dd:Tie`` nodes and this module
reads them.  A node's ``partner_type`` (state, former state, territory,
organisation, mission) comes from the same module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import KgraphError
from .prefixes import DD, PREFIXES
from .ties import KINDS, STATE_TYPES, kind_of, partner_type

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

# Importing this module stays cheap (the CLI reads its constants): rdflib,
# networkx and pandas are imported by the functions that use them.
KOREA = PREFIXES["country"] + "KOR"


class _Row(dict[str, Any]):
    """A result row with attribute access; unbound variables are None."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def run(graph: Any, sparql: str) -> list[_Row]:
    """Rows of plain values (``kgraph.terms``: IRIs as strings, day dates as
    datetime.date, numbers as numbers; a literal's language in ``<col>__lang``)
    from a KnowledgeGraph, an OxGraph or an rdflib graph, answered by Oxigraph."""
    from .oxstore import as_ox
    from .terms import python_value

    res = as_ox(graph).query(sparql)
    seen: dict[Any, Any] = {}
    out = []
    for row in res.rows:
        d = _Row()
        for col, term in zip(res.columns, row, strict=True):
            try:
                value = seen[term]
            except KeyError:
                value = seen[term] = python_value(term)
            d[col] = value
            lang = getattr(term, "language", None)
            if lang:
                d[col + "__lang"] = lang
        out.append(d)
    return out


#: Kinds of tie, in the order they are shown, with English labels (defined in kgraph.ties).
TIE_KINDS: dict[str, str] = {key: en for key, (en, _ja) in KINDS.items()}

PROJECTIONS = ("ego", "multiplex", "partners", "bipartite")

# The ties are the dd:Tie nodes the build derives (kgraph.ties); this only reads them.
# One-pattern sub-selects are read once and hash-joined by Oxigraph; plain patterns
# would be looked up again for every tie (25,000 of them at 100x the data).
TIES_QUERY = """
SELECT ?partner ?kind ?record ?context ?early ?late ?adm WHERE {
  ?tie a dd:Tie .
  { SELECT ?tie ?partner WHERE { ?tie dd:tiePartner ?partner } }
  { SELECT ?tie ?kind WHERE { ?tie dd:tieKind ?kind } }
  { SELECT ?tie ?record WHERE { ?tie dd:tieRecord ?record } }
  { SELECT ?tie ?context WHERE { ?tie dd:tieContext ?context } }
  OPTIONAL { SELECT ?tie ?early WHERE { ?tie dd:tieEarliestDay ?early } }
  OPTIONAL { SELECT ?tie ?late WHERE { ?tie dd:tieLatestDay ?late } }
  OPTIONAL { SELECT ?record ?adm WHERE { ?record dd:duringAdministration ?adm } }
}
"""

NODES_QUERY = """
SELECT ?node ?type ?iso3 ?successor_iso3 ?label ?lang WHERE {
  VALUES ?type { dd:Country dd:FormerState dd:Territory dd:Organization dd:Mission }
  ?node a ?type .
  OPTIONAL { ?node dd:iso3 ?iso3 }
  OPTIONAL { ?succ dd:successorOf ?node ; dd:iso3 ?successor_iso3 }
  OPTIONAL { ?node rdfs:label ?label . BIND(LANG(?label) AS ?lang) }
}
"""

CONTEXT_QUERY = """
SELECT ?actor ?context WHERE {
  { ?actor dd:memberOf ?context . }
  UNION
  { ?context a dd:Exercise ; dd:participant ?actor . }
  UNION
  { ?context a dd:Mission ; dd:participant ?actor . }
  FILTER(?actor != country:KOR)
}
"""


@dataclass(frozen=True)
class Tie:
    """One record that ties Korea to a partner.

    ``context`` is the instrument or event the record belongs to: the record
    itself, or for a participation record the multilateral body (the 1950 UN
    Command), so that partners sharing it can be linked.
    """

    partner: str
    kind: str
    record: str
    context: str
    early: date | None
    late: date | None
    administration: str | None
    #: True when a year slice placed the tie from a date coarser than a year.
    inferred: bool = False


def _iso(v: Any) -> date | None:
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


def shown(t: Tie) -> str:
    """A tie's date as outputs show it: at the report's precision ("1950s",
    "2017-03", "2016-11-23"), never an invented day; "" when it has none."""
    from .dates import period_label

    return period_label(t.early, t.late) if t.early and t.late else ""


def ties(graph: Any) -> list[Tie]:
    """Every (partner, kind, record) tie in the graph, sorted by date."""
    out = []
    for r in run(graph, TIES_QUERY):
        out.append(Tie(str(r.partner), kind_of(str(r.kind)), str(r.record), str(r.context),
                       _iso(r.early), _iso(r.late), str(r.adm) if r.adm is not None else None))
    out = sorted(set(out), key=lambda t: (t.early or date.max, t.partner, t.kind, t.record))
    return out


# --- Slices ------------------------------------------------------------------------------

def select_ties(all_ties: Iterable[Tie], years: tuple[int, int] | None = None,
                administration: str | None = None) -> list[Tie]:
    """Ties within a year range (both ends inclusive) or under one
    administration (its IRI or key).

    Years follow the coarse-date rule of ``kgraph.dates.years_of``: a tie
    belongs to every year its date covers, so a tie known only to a decade
    ("1950s") falls in each year of it; such a tie comes back with
    ``inferred=True`` ("inferred from a coarser date").  A tie whose
    date lies within one year is in that year only.
    """
    from .dates import years_of

    out = []
    for t in all_ties:
        if years is not None:
            if t.early is None or t.late is None:
                continue
            inside = [flag for y, flag in years_of(t.early, t.late) if years[0] <= y <= years[1]]
            if not inside:
                continue
            if any(inside):
                t = replace(t, inferred=True)
        if administration is not None:
            if t.administration is None:
                continue
            if not (t.administration == administration
                    or t.administration.rsplit("/", 1)[-1] == administration):
                continue
        out.append(t)
    return out


def administrations(graph: Any) -> list[tuple[str, date, date]]:
    """(IRI, first day, last day) of each administration, in order; one still
    in office ends on ``date.max``."""
    rows = run(graph, """SELECT ?a ?s ?e WHERE { ?a a dd:Administration ; dd:startDate ?s .
                          OPTIONAL { ?a dd:endDate ?e } } ORDER BY ?s""")
    return [(str(r.a), _iso(r.s) or date.min, _iso(r.e) or date.max) for r in rows]


def check_administration(graph: Any, key: str) -> str:
    """The IRI of an administration given by IRI or key; an unknown key is an
    error that lists the valid ones."""
    known = [a for a, _, _ in administrations(graph)]
    for a in known:
        if key in (a, a.rsplit("/", 1)[-1]):
            return a
    raise KgraphError(f"unknown administration '{key}'",
                      hint="choose one of: " + ", ".join(a.rsplit("/", 1)[-1] for a in known))


# --- Node attributes ---------------------------------------------------------------------

def node_attributes(graph: Any) -> dict[str, dict[str, Any]]:
    """IRI -> labels (en/ja/ko), type, ISO code and UN M49 region."""
    attrs: dict[str, dict[str, Any]] = defaultdict(dict)
    rank = {"dd:FormerState": 0, "dd:Country": 1, "dd:Territory": 2, "dd:Mission": 3,
            "dd:Organization": 4}
    for r in run(graph, NODES_QUERY):
        a = attrs[str(r.node)]
        a["iri"] = str(r.node)
        t = "dd:" + str(r.type).rsplit("#", 1)[-1]
        if rank[t] < rank.get(a.get("type", "dd:Organization"), 9) or "type" not in a:
            a["type"] = t
        if r.iso3 is not None:
            a["iso3"] = str(r.iso3)
        if r.successor_iso3 is not None:
            a["successor_iso3"] = str(r.successor_iso3)
        if r.label is not None and str(r.lang) in ("en", "ja", "ko"):
            a.setdefault(f"label_{r.lang}", str(r.label))
    def code_of(a: dict[str, Any]) -> str | None:
        # A former state takes its successor's region (the Soviet Union's SUN
        # is ISO 3166-3, unknown to M49).
        if a.get("type") == "dd:FormerState":
            return a.get("successor_iso3") or a.get("iso3")
        return a.get("iso3")

    codes = {code_of(a) for a in attrs.values()} - {None}
    regions = _un_regions(tuple(sorted(c for c in codes if c)))
    for a in attrs.values():
        code = code_of(a)
        if a.get("type") in ("dd:Organization", "dd:Mission"):
            a["region"] = "International organization"
        else:
            a["region"] = regions.get(code or "", "Unknown")
        a.setdefault("label_en", a["iri"].rsplit("/", 1)[-1])
        a["label"] = a["label_en"]
        a["partner_type"] = partner_type([DD + a["type"][3:]]) if a.get("type") else None
    return dict(attrs)


@lru_cache(maxsize=8)
def _un_regions(codes: tuple[str, ...]) -> dict[str, str]:
    """UN M49 region of each ISO 3166 alpha-3 code (or reference key), from the
    reference data shipped with kgraph (``kgraph/reference/state-codes.csv``,
    the one table of codes the dyad panel uses too): the intermediate region
    where M49 has one (Caribbean, South America), else the sub-region.  A code
    outside it (a user's added country) is "Unknown": say so rather than guess.

    >>> _un_regions(("KOR", "HTI", "XXX"))
    {'KOR': 'Eastern Asia', 'HTI': 'Caribbean', 'XXX': 'Unknown'}
    """
    from .dyads import reference

    region: dict[str, str] = {}
    for key, c in reference().items():
        name = c.m49_intermediate or c.m49_subregion
        if name:
            region.setdefault(key, name)
            if c.iso3:
                region.setdefault(c.iso3, name)
    return {c: region.get(c, "Unknown") for c in codes}


# --- Projections -------------------------------------------------------------------------

def _add_node(g: nx.Graph, iri: str, attrs: dict[str, dict[str, Any]], **extra: Any) -> None:
    a = dict(attrs.get(iri, {"iri": iri, "label": iri.rsplit("/", 1)[-1]}))
    a.update(extra)
    g.add_node(iri, **{k: v for k, v in a.items() if v is not None})


def periods(tie_list: Iterable[Tie]) -> str:
    """The years each dated tie may lie in, as "first/last" year intervals
    (space-separated, sorted; ``kgraph.dates.years_of``'s rule: a tie printed
    "1950s" spans the decade, one printed to a day or month its year): what
    GEXF's time intervals are made from.  Years, not days, so that no output
    shows a day the report did not print.

    >>> periods([Tie("p", "exercise", "r", "r", date(1950, 1, 1), date(1959, 12, 31), None)])
    '1950/1959'
    """
    return " ".join(sorted({f"{t.early.year}/{t.late.year}" for t in tie_list if t.early and t.late}))


def ego(tie_list: list[Tie], attrs: dict[str, dict[str, Any]]) -> nx.Graph:
    """Korea and its partners, one weighted edge per partner."""
    import networkx as nx

    g = nx.Graph(name="ego", description="Korea and its partners; weight = ties of every kind")
    korea = str(KOREA)
    _add_node(g, korea, attrs, role="ego")
    by_partner: dict[str, list[Tie]] = defaultdict(list)
    for t in tie_list:
        by_partner[t.partner].append(t)
    for partner, ts in by_partner.items():
        _add_node(g, partner, attrs, role="partner")
        counts = {k: sum(1 for t in ts if t.kind == k) for k in TIE_KINDS}
        first = min(ts, key=lambda t: t.early or date.max)
        g.add_edge(korea, partner, weight=len({(t.kind, t.record) for t in ts}),
                   kinds=sum(1 for v in counts.values() if v),
                   first_date=shown(first),
                   first_administration=first.administration or "",
                   records=" ".join(sorted({t.record for t in ts})), periods=periods(ts),
                   tie_kinds=" ".join(k for k, v in counts.items() if v),
                   **{f"n_{k.replace('-', '_')}": v for k, v in counts.items()})
    return g


def multiplex(tie_list: list[Tie], attrs: dict[str, dict[str, Any]]) -> nx.MultiGraph:
    """One edge per (partner, kind of tie), key = kind."""
    import networkx as nx

    g = nx.MultiGraph(name="multiplex", description="Korea and its partners; one edge per kind of tie")
    korea = str(KOREA)
    _add_node(g, korea, attrs, role="ego")
    grouped: dict[tuple[str, str], list[Tie]] = defaultdict(list)
    for t in tie_list:
        grouped[(t.partner, t.kind)].append(t)
    for (partner, kind), ts in grouped.items():
        _add_node(g, partner, attrs, role="partner")
        first = min(ts, key=lambda t: t.early or date.max)
        g.add_edge(korea, partner, key=kind, kind=kind, weight=len({t.record for t in ts}),
                   first_date=shown(first),
                   records=" ".join(sorted({t.record for t in ts})), periods=periods(ts))
    return g


#: Kinds of context two partners can share, keyed like the tie kinds of the
#: records they come from, in the order the page's legend shows them.
CONTEXT_KINDS: dict[str, str] = {
    "exercise": "multilateral exercise",
    "deployment": "UN mission or coalition",
    "un-command-1950": "war: the 1950 UN Command",
    "membership": "membership of an organisation",
    "instrument": "multilateral instrument",
}


def _context_kind(tie_kind: str) -> str:
    return tie_kind if tie_kind in ("exercise", "deployment", "un-command-1950") else "instrument"


def partners(tie_list: list[Tie], attrs: dict[str, dict[str, Any]],
             memberships: dict[str, set[str]] | None = None) -> nx.Graph:
    """Partner-to-partner ties from the contexts they really shared (see the
    module docstring): multi-partner records and common memberships, never
    the kind of bilateral instrument each holds with Korea."""
    import itertools

    import networkx as nx

    g = nx.Graph(name="partners",
                 description="partners tied by the contexts they shared (multilateral exercises, "
                             "UN missions and coalitions, the 1950 UN Command, organisations); "
                             "a context of n partners adds 1/(n-1) to each pair")
    members: dict[str, set[str]] = defaultdict(set)   # context -> partners
    kind_of_context: dict[str, str] = {}
    context_ties: dict[str, list[Tie]] = defaultdict(list)
    for t in tie_list:
        members[t.context].add(t.partner)
        context_ties[t.context].append(t)
        kind_of_context.setdefault(t.context, _context_kind(t.kind))
    seen = {t.partner for t in tie_list}
    for actor, groups in (memberships or {}).items():
        if actor in seen:
            for grp in groups:
                members[grp].add(actor)
                kind_of_context[grp] = "membership"
    by_kind: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for ctx, ps in sorted(members.items()):
        if len(ps) < 2:
            continue   # a bilateral record: nothing shared between partners
        share = 1.0 / (len(ps) - 1)
        for a, b in itertools.combinations(sorted(ps), 2):
            for v in (a, b):
                if v not in g:
                    _add_node(g, v, attrs)
            when = periods(context_ties.get(ctx, []))
            if g.has_edge(a, b):
                g[a][b]["weight"] += share
                g[a][b]["shared"] += 1
                g[a][b]["contexts"] += " " + ctx
                g[a][b]["periods"] = " ".join(sorted(set((g[a][b]["periods"] + " " + when).split())))
            else:
                g.add_edge(a, b, weight=share, shared=1, contexts=ctx, periods=when)
            by_kind[(a, b)][kind_of_context[ctx]] += share
    for a, b, d in g.edges(data=True):
        kinds = by_kind[(a, b) if a < b else (b, a)]
        # The kind of context that weighs most; ties go to the first in CONTEXT_KINDS.
        d["context_kind"] = max(CONTEXT_KINDS, key=lambda k, w=kinds: w.get(k, 0.0))  # type: ignore[misc]
        d["context_kinds"] = " ".join(k for k in CONTEXT_KINDS if k in kinds)
    g.graph["isolates_left_out"] = len(seen - set(g))
    if g.graph["isolates_left_out"]:
        g.graph["description"] += (f"; {g.graph['isolates_left_out']} partners that shared no "
                                   "context with another are left out")
    return g


def bipartite(tie_list: list[Tie], attrs: dict[str, dict[str, Any]],
              labels: dict[str, str] | None = None) -> nx.Graph:
    """Partners (bipartite=0) × records (bipartite=1); a record node's label is
    its English label from ``labels`` (IRI -> label), else the actor's, else
    its kind and date."""
    import networkx as nx

    labels = labels or {}
    g = nx.Graph(name="bipartite", description="partners and the records that tie them to Korea")
    for t in tie_list:
        _add_node(g, t.partner, attrs, bipartite=0)
        if t.context not in g:
            label = (labels.get(t.context) or attrs.get(t.context, {}).get("label")
                     or f"{TIE_KINDS.get(t.kind, t.kind)}, {shown(t)}")
            g.add_node(t.context, iri=t.context, label=label, bipartite=1,
                       kind=t.kind, first_date=shown(t))
        g.add_edge(t.partner, t.context, kind=t.kind, records=t.record, periods=periods([t]))
    return g


def english_labels(graph: Any) -> dict[str, str]:
    """IRI -> English label of every labelled node (from the Oxigraph store)."""
    from .oxstore import as_ox

    return as_ox(graph).labels("en")


def bipartite_projection(b: nx.Graph) -> nx.Graph:
    """The weighted projection of a bipartite graph onto its partners."""
    from networkx.algorithms import bipartite as bp

    top = [n for n, d in b.nodes(data=True) if d.get("bipartite") == 0]
    p = bp.weighted_projected_graph(b, top)
    p.graph.update(name="bipartite-projection",
                   description="partners tied by the records they share; weight = shared records")
    return p


def memberships(graph: Any) -> dict[str, set[str]]:
    """Actor IRI -> groupings it is a member of (dd:memberOf)."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in run(graph, "SELECT ?a ?g WHERE { ?a dd:memberOf ?g }"):
        out[str(r.a)].add(str(r.g))
    return dict(out)


def states_only(tie_list: Iterable[Tie], attrs: dict[str, dict[str, Any]]) -> list[Tie]:
    """The ties whose partner is a state or a former state (``STATE_TYPES``):
    organisations, missions and territories left out."""
    return [t for t in tie_list if attrs.get(t.partner, {}).get("partner_type") in STATE_TYPES]


def projection(graph: Any, name: str = "ego", *, years: tuple[int, int] | None = None,
               administration: str | None = None, states: bool = False) -> nx.Graph:
    """Build a named projection, optionally sliced by years (the coarse-date
    rule of ``select_ties``) or administration, and limited to state partners."""
    if name not in PROJECTIONS:
        raise KgraphError(f"unknown projection '{name}'",
                          hint=f"choose one of: {', '.join(PROJECTIONS)}")
    if administration:
        administration = check_administration(graph, administration)
    t = select_ties(ties(graph), years, administration)
    attrs = node_attributes(graph)
    if states:
        t = states_only(t, attrs)
    g: nx.Graph
    if name == "ego":
        g = ego(t, attrs)
    elif name == "multiplex":
        g = multiplex(t, attrs)
    elif name == "partners":
        g = partners(t, attrs, memberships(graph))
    else:
        g = bipartite(t, attrs, english_labels(graph))
    if years:
        g.graph["slice"] = f"{years[0]}–{years[1]}"
        g.graph["inferred_ties"] = sum(1 for x in t if x.inferred)
    if administration:
        g.graph["slice"] = administration.rsplit("/", 1)[-1]
    if states:
        g.graph["states_only"] = True
    return g


def summary(g: nx.Graph) -> dict[str, Any]:
    """Nodes, edges, density and connected components of a projection (a
    multigraph's parallel edges count once for density)."""
    import networkx as nx

    simple = nx.Graph(g) if g.is_multigraph() else g
    n = g.number_of_nodes()
    comps = sorted((len(c) for c in nx.connected_components(simple)), reverse=True) if n else []
    return {"nodes": n, "edges": g.number_of_edges(), "density": nx.density(simple) if n > 1 else 0.0,
            "components": len(comps), "largest_component": comps[0] if comps else 0,
            "isolates": sum(1 for c in comps if c == 1)}


def significant(x: float, digits: int = 4) -> float:
    """``x`` rounded to ``digits`` significant digits (4.99999 -> 5.0).

    >>> significant(4.999999), significant(0.000123456), significant(6.000004)
    (5.0, 0.0001235, 6.0)
    """
    import math

    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


# --- Centrality ----------------------------------------------------------------------------

MEASURES = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank")


def centrality(g: nx.Graph, sort_by: str = "strength") -> pd.DataFrame:
    """Degree, strength (weighted degree), betweenness, closeness, eigenvector
    and PageRank per node, with labels, sorted; ``df.attrs['graph']`` says which
    graph they were computed on.

    Betweenness and closeness treat an edge of weight w as length 1/w (strong
    ties are short); eigenvector and PageRank use the weights directly.
    Eigenvector centrality is computed on the largest connected component
    (0 elsewhere).  Both path measures are exact: on a dense graph such as the
    partners projection they come from one shared all-pairs shortest-path
    computation (see ``_path_centralities``), equal to networkx's up to
    floating-point rounding.
    """
    import networkx as nx
    import pandas as pd

    if sort_by not in MEASURES:
        raise KgraphError(f"unknown measure '{sort_by}'", hint=f"choose one of: {', '.join(MEASURES)}")
    simple = nx.Graph()
    simple.add_nodes_from(g.nodes(data=True))
    for a, b, d in g.edges(data=True):
        w = float(d.get("weight", 1))
        if simple.has_edge(a, b):
            simple[a][b]["weight"] += w
        else:
            simple.add_edge(a, b, weight=w)
    for _, _, d in simple.edges(data=True):
        d["distance"] = 1.0 / d["weight"] if d["weight"] else float("inf")
    n = simple.number_of_nodes()
    if n == 0:
        df = pd.DataFrame(columns=["node", "label", "type", "region", *MEASURES])
        df.attrs["graph"] = g.graph.get("name", "")
        return df
    degree = dict(simple.degree())
    strength = dict(simple.degree(weight="weight"))
    betweenness, closeness = _path_centralities(simple)
    eigen = _eigenvector(simple)
    pagerank = nx.pagerank(simple, weight="weight")
    rows = []
    for v, d in simple.nodes(data=True):
        rows.append({"node": v, "label": d.get("label", v), "type": d.get("type", ""),
                     "region": d.get("region", ""), "degree": degree[v],
                     "strength": strength[v], "betweenness": betweenness[v],
                     "closeness": closeness[v], "eigenvector": abs(eigen[v]),
                     "pagerank": pagerank[v]})
    for row in rows:
        for m in MEASURES[1:]:
            row[m] = significant(float(row[m]), 10)   # float noise off; printing rounds to 4
    df = pd.DataFrame(rows).sort_values([sort_by, "label"], ascending=[False, True])
    df = df.reset_index(drop=True)
    df.attrs["graph"] = g.graph.get("name", "")
    df.attrs["description"] = g.graph.get("description", "")
    df.attrs["slice"] = g.graph.get("slice", "all years")
    return df


#: Largest graph for which betweenness and closeness are computed on n x n arrays.
DENSE_MAX_NODES = 2000


def _path_centralities(g: nx.Graph) -> tuple[dict[Any, float], dict[Any, float]]:
    """Normalized betweenness and closeness, with edge length ``distance``.

    networkx runs one Dijkstra in Python per node for each measure, which on the
    partners projection (at 100x the data a complete graph of about 200 nodes and
    20,000 edges) took seconds.  When the graph is dense, the shortest paths are
    computed once for both, in scipy and numpy; a sparse or large graph (the
    bipartite projection) stays with networkx, which is faster there.
    """
    import networkx as nx

    n, m = g.number_of_nodes(), g.number_of_edges()
    lengths_ok = all(0 < d < float("inf") for _, _, d in g.edges(data="distance"))
    if 2 < n <= DENSE_MAX_NODES and n * n <= 64 * m and lengths_ok:
        return _dense_path_centralities(g)
    return (nx.betweenness_centrality(g, weight="distance", normalized=True),
            nx.closeness_centrality(g, distance="distance"))


def _dense_path_centralities(g: nx.Graph) -> tuple[dict[Any, float], dict[Any, float]]:
    """``_path_centralities`` from one all-pairs Dijkstra (scipy) and Brandes'
    accumulation per source (numpy); same definitions and normalization as
    networkx's ``betweenness_centrality`` and ``closeness_centrality``."""
    import numpy as np
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    nodes = list(g)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    length = np.full((n, n), np.inf)
    for a, b, d in g.edges(data="distance"):
        if a != b:   # a self-loop is never on a shortest path
            length[index[a], index[b]] = length[index[b], index[a]] = d
    edges = np.isfinite(length)
    dist = dijkstra(csr_array((length[edges], np.nonzero(edges)), shape=(n, n)))
    between = np.zeros(n)
    for s in range(n):
        between += _dependencies(dist[s], length)
    scale = 1 / ((n - 1) * (n - 2))   # ordered pairs of other nodes, as networkx normalizes
    return ({v: float(between[i]) * scale for i, v in enumerate(nodes)},
            {v: _closeness(dist[i], n) for i, v in enumerate(nodes)})


def _dependencies(d: Any, length: Any) -> Any:
    """Brandes' dependency of one source on every node, from the source's
    distances ``d``.  v precedes w on a shortest path when d[v] + length[v, w]
    == d[w], the very sum and test networkx's Dijkstra makes, so the paths and
    their counts are the same."""
    import numpy as np
    from scipy.linalg import solve_triangular

    order = np.argsort(d, kind="stable")
    order = order[np.isfinite(d[order])]   # the source first, unreachable nodes left out
    near = d[order]
    precedes = (near[:, None] + length[np.ix_(order, order)] == near[None, :]).astype(float)
    # Every predecessor is nearer the source, so in this order ``precedes`` is strictly
    # upper triangular and Brandes' two passes are two triangular solves:
    # sigma[w] = [w is the source] + sum of sigma[v] over predecessors v (path counts);
    # y[v] = 1/sigma[v] + sum of y[w] over successors w, where y = (1 + delta) / sigma.
    system = np.eye(len(order)) - precedes
    first = np.zeros(len(order))
    first[0] = 1.0
    sigma = solve_triangular(system, first, trans="T", unit_diagonal=True)
    y = solve_triangular(system, 1.0 / sigma, unit_diagonal=True)
    out = np.zeros(len(d))
    out[order[1:]] = (sigma * (precedes @ y))[1:]   # delta; the source's own is not counted
    return out


def _closeness(d: Any, n: int) -> float:
    """networkx's closeness (Wasserman-Faust normalization) from one node's distances.
    The distances are summed nearest first, the order networkx's Dijkstra finds them
    in, so the sum is the same float."""
    import numpy as np

    reach = np.sort(d[np.isfinite(d)]).tolist()
    total = sum(reach)
    if total > 0.0 and n > 1:
        return (len(reach) - 1.0) / total * ((len(reach) - 1.0) / (n - 1))
    return 0.0


def _eigenvector(g: nx.Graph) -> dict[Any, float]:
    """Eigenvector centrality on the largest connected component (it is not
    defined across components); nodes outside it get 0."""
    import networkx as nx

    scores = {v: 0.0 for v in g}
    if g.number_of_edges() == 0:
        return scores
    core = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    if core.number_of_nodes() <= 2:
        scores.update({v: 1 / core.number_of_nodes() ** 0.5 for v in core})
        return scores
    try:
        scores.update(nx.eigenvector_centrality_numpy(core, weight="weight"))
    except (nx.NetworkXException, ArithmeticError, ValueError):
        scores.update({v: float("nan") for v in core})
    return scores


def to_file(g: nx.Graph, path: str | Any, fmt: str) -> None:
    """Write a projection as GraphML (Cytoscape, Gephi) or GEXF (Gephi),
    atomically.  Attributes that those formats cannot hold become strings.

    GEXF is written in dynamic mode (time as years, ``timeformat="double"``)
    so that Gephi's timeline plays the network year by year: each edge holds
    one spell per tie, from the first to the last year the tie may lie in (a
    tie printed "1950s" spans 1950-1959), and each node starts with its first
    tie.  Edges with no dated tie (shared memberships) are always there."""
    import re
    from pathlib import Path

    import networkx as nx

    from .atomic import atomic_path

    clean = g.__class__()
    clean.graph.update({k: str(v) for k, v in g.graph.items()})
    for n, d in g.nodes(data=True):
        clean.add_node(n, **{k: v for k, v in d.items() if v is not None})
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else g.edges(data=True)
    first_seen: dict[Any, float] = {}
    for e in edges:
        *ends, d = e
        data = {k: v for k, v in d.items() if v is not None}
        if fmt == "gexf" and data.get("periods"):
            # Time in Gephi: the edge exists during each of its ties' years (a spell
            # per tie); a node from its first tie on.  Floats: GEXF's "double" time.
            spells = [(float(a), float(b)) for a, b in
                      (p.split("/") for p in data["periods"].split())]
            data["spells"] = spells
            for v in ends[:2]:
                start = min(a for a, _ in spells)
                first_seen[v] = min(first_seen.get(v, start), start)
        clean.add_edge(*ends, **data)
    if first_seen:
        clean.graph["mode"] = "dynamic"
        for v, start in first_seen.items():
            clean.nodes[v]["start"] = start
    with atomic_path(Path(path)) as tmp:
        if fmt == "graphml":
            nx.write_graphml(clean, tmp, encoding="utf-8")
        elif fmt == "gexf":
            nx.write_gexf(clean, tmp, encoding="utf-8")
            # networkx stamps the day of writing (meta/@lastmodifieddate, optional in
            # GEXF): a day no source printed, and it makes two runs differ.
            text = tmp.read_text(encoding="utf-8")
            tmp.write_text(re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1), encoding="utf-8")
        else:
            raise KgraphError(f"unknown network file format '{fmt}'", hint="use graphml or gexf")


__all__ = ["CONTEXT_KINDS", "MEASURES", "PROJECTIONS", "TIE_KINDS", "administrations",
           "check_administration", "significant", "states_only", "summary", "Tie", "bipartite",
           "bipartite_projection",
           "centrality", "ego", "multiplex", "node_attributes", "partners", "projection",
           "select_ties", "ties", "to_file"]
