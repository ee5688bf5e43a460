"""The interactive network page: pyvis assembles nodes, edges and options;
this module writes the HTML itself, as UTF-8, with vis-network's JavaScript
embedded (pyvis's own templates link CDNs and write into the current folder).
"""

from __future__ import annotations

import html
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_text_atomic
from .errors import KgraphError
from .network import MEASURES, TIE_KINDS

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

#: Edge colours by kind of tie (colour-blind-safe Okabe–Ito palette, extended).
KIND_COLORS = {
    "defence-cooperation": "#0072B2",
    "military-information": "#D55E00",
    "defence-industry": "#009E73",
    "arms-purchase": "#CC79A7",
    "deployment": "#E69F00",
    "exercise": "#56B4E9",
    "attache-office": "#7F7F7F",
    "un-command-1950": "#000000",
}
KIND_DASHES = {"attache-office": True, "un-command-1950": True}

#: vis-network options shared by every view of the page.
VIS_OPTIONS: dict[str, Any] = {
    "physics": {"solver": "forceAtlas2Based",
                "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
                "stabilization": {"iterations": 300}},
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
    "nodes": {"font": {"size": 14, "face": "Noto Sans CJK JP, Noto Sans, sans-serif"}},
    "edges": {"smooth": False},
}

_REGION_PALETTE = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1",
                   "#FF9DA7", "#9C755F", "#BAB0AC", "#1F77B4", "#AEC7E8", "#FFBB78", "#98DF8A",
                   "#C5B0D5", "#C49C94", "#F7B6D2", "#DBDB8D", "#9EDAE5", "#393B79", "#637939",
                   "#8C6D31", "#843C39"]


def region_colors(regions: Sequence[str]) -> dict[str, str]:
    """A stable colour per region name (sorted, so the same region keeps its colour)."""
    out = {}
    for i, r in enumerate(sorted(set(regions))):
        out[r] = _REGION_PALETTE[i % len(_REGION_PALETTE)]
    out["International organization"] = "#333333"
    return out


def vis_js() -> str:
    """vis-network's JavaScript, as shipped inside the pyvis package."""
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise KgraphError("the network page needs pyvis", hint="pip install pyvis (a dependency of kgraph)")
    root = Path(spec.origin).parent
    for cand in sorted(root.glob("**/vis-network.min.js"), reverse=True):
        return cand.read_text(encoding="utf-8")
    raise KgraphError("vis-network.min.js not found inside pyvis",
                      hint="reinstall pyvis (pip install --force-reinstall pyvis)")


def _tooltip_node(d: dict[str, Any], scores: dict[str, float] | None) -> str:
    lines = [d.get("label_en", d.get("label", ""))]
    for lang in ("ja", "ko"):
        if d.get(f"label_{lang}"):
            lines.append(d[f"label_{lang}"])
    if d.get("region"):
        lines.append(f"region: {d['region']}")
    if d.get("iri"):
        lines.append(d["iri"])
    if scores:
        lines.append(", ".join(f"{k} {v:.3g}" for k, v in scores.items()))
    return "\n".join(lines)


def _tooltip_edge(d: dict[str, Any], labels: dict[str, str]) -> str:
    lines = []
    kind = d.get("kind")
    if kind:
        lines.append(TIE_KINDS.get(kind, kind))
    counts = [(k, d.get(f"n_{k.replace('-', '_')}", 0)) for k in TIE_KINDS]
    counts = [(k, n) for k, n in counts if n]
    if counts:
        lines.append("; ".join(f"{TIE_KINDS[k]}: {n}" for k, n in counts))
    if d.get("first_date"):
        adm = d.get("first_administration", "")
        adm_label = labels.get(adm, adm.rsplit("/", 1)[-1]) if adm else ""
        lines.append(f"first tie: {d['first_date']}" + (f" ({adm_label})" if adm_label else ""))
    if d.get("contexts"):
        lines.append("shared: " + ", ".join(c.rsplit("/", 1)[-1] for c in d["contexts"].split()))
    records = d.get("records", "").split()
    if records:
        lines.append("records (sources in the graph):")
        lines += [f"  {labels.get(r, r.rsplit('/', 1)[-1])}" for r in records[:25]]
        if len(records) > 25:
            lines.append(f"  … and {len(records) - 25} more")
    if "weight" in d:
        lines.append(f"weight: {d['weight']}")
    return "\n".join(lines)


def network_data(g: nx.Graph, scores: pd.DataFrame, *, size_by: str = "strength",
                 color_by: str = "region", lang: str = "en",
                 record_labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, assembled with pyvis."""
    from pyvis.network import Network

    if size_by not in MEASURES:
        raise KgraphError(f"unknown measure '{size_by}'", hint=f"choose one of: {', '.join(MEASURES)}")
    labels = record_labels or {}
    net = Network(directed=False, cdn_resources="remote")
    by_node = scores.set_index("node") if len(scores) else None
    values = scores[size_by] if len(scores) else []
    vmax = max([float(v) for v in values] + [1e-9])
    regions = region_colors([d.get("region", "Unknown") for _, d in g.nodes(data=True)])
    for n, d in g.nodes(data=True):
        sc = ({m: float(by_node.loc[n, m]) for m in MEASURES}
              if by_node is not None and n in by_node.index else None)
        value = sc[size_by] if sc else 0.0
        label = d.get(f"label_{lang}") or d.get("label_en") or d.get("label") or str(n)
        if d.get("bipartite") == 1:
            color, shape = KIND_COLORS.get(d.get("kind", ""), "#999999"), "square"
        else:
            color = regions.get(d.get("region", "Unknown"), "#999999")
            shape = "star" if d.get("role") == "ego" else "dot"
        # Area, not radius, proportional to the measure: sizes stay comparable.
        net.add_node(str(n), label=label, title=_tooltip_node(d, sc), color=color, shape=shape,
                     size=6 + 34 * (max(value, 0.0) / vmax) ** 0.5)
    multi = g.is_multigraph()
    edges = g.edges(keys=True, data=True) if multi else ((a, b, None, d) for a, b, d in g.edges(data=True))
    for a, b, _key, d in edges:
        kind = d.get("kind") or _main_kind(d)
        color = KIND_COLORS.get(kind, "#AAAAAA") if color_by == "kind" or multi or kind else "#AAAAAA"
        width = 1 + min(float(d.get("weight", 1)), 12)
        net.add_edge(str(a), str(b), title=_tooltip_edge(d, labels), color=color, width=width,
                     dashes=KIND_DASHES.get(kind, False))
    nodes, edges_out, *_ = net.get_network_data()
    # Our options, not pyvis's: its set_options strips the spaces out of font names.
    return {"nodes": nodes, "edges": edges_out, "options": VIS_OPTIONS,
            "regions": regions}


def _main_kind(d: dict[str, Any]) -> str:
    best, n = "", 0
    for k in TIE_KINDS:
        v = d.get(f"n_{k.replace('-', '_')}", 0)
        if v > n:
            best, n = k, v
    return best


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ margin: 0; font-family: "Noto Sans CJK JP", "Noto Sans", system-ui, sans-serif; color: #222; }}
  header {{ padding: 10px 16px; border-bottom: 1px solid #ddd; }}
  header h1 {{ font-size: 18px; margin: 0 0 4px; }}
  header p {{ margin: 2px 0; font-size: 13px; color: #555; }}
  select {{ font-size: 13px; }}
  #graph {{ width: 100%; height: calc(100vh - 190px); min-height: 420px; }}
  .legend {{ font-size: 12px; display: flex; flex-wrap: wrap; gap: 4px 12px; margin-top: 4px; }}
  .legend span::before {{ content: ""; display: inline-block; width: 10px; height: 10px;
                          margin-right: 4px; background: var(--c); border-radius: 50%; }}
  .legend.kinds span::before {{ border-radius: 0; height: 3px; vertical-align: middle; }}
  div.vis-tooltip {{ white-space: pre-wrap; font-size: 12px; max-width: 520px; }}
</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <p>Projection <select id="projection"></select> Administration <select id="slice"></select>
     <span id="counts"></span></p>
  <p id="description"></p>
  <p>Node size: {size_by}. Node colour: UN M49 region. Edge colour: kind of tie. Hover a node or an
     edge for its ties, dates and records; drag to move, scroll to zoom.</p>
  <div class="legend" id="regions"></div>
  <div class="legend kinds">{kind_legend}</div>
</header>
<div id="graph"></div>
<script>{vis_js}</script>
<script>
  var views = {views};
  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, {{nodes: nodes, edges: edges}}, {options_json});
  var projSel = document.getElementById("projection");
  var sliceSel = document.getElementById("slice");
  window.kgraph = {{views: Object.keys(views)}};
  function fill(sel, values, labels, current) {{
    sel.innerHTML = "";
    values.forEach(function (v) {{
      var o = document.createElement("option");
      o.value = v; o.textContent = labels[v] || v; if (v === current) o.selected = true;
      sel.appendChild(o);
    }});
  }}
  function show(key) {{
    var v = views[key];
    document.body.dataset.ready = "0";
    nodes.clear(); edges.clear();
    nodes.add(v.nodes); edges.add(v.edges);
    network.setOptions({{physics: {{enabled: true}}}});
    network.stabilize(300);
    document.getElementById("description").textContent = v.description;
    document.getElementById("counts").textContent = v.nodes.length + " nodes, " + v.edges.length + " edges";
    var legend = document.getElementById("regions"); legend.innerHTML = "";
    v.regions.forEach(function (r) {{
      var s = document.createElement("span"); s.style.setProperty("--c", r[1]); s.textContent = r[0];
      legend.appendChild(s);
    }});
    window.kgraph.view = key;
    window.kgraph.nodeCount = nodes.length;
    window.kgraph.edgeCount = edges.length;
    if (window.location.hash !== "#" + key) history.replaceState(null, "", "#" + key);
  }}
  network.on("stabilizationIterationsDone", function () {{
    network.setOptions({{physics: {{enabled: false}}}});
    document.body.dataset.ready = "1";
  }});
  var projections = [], slices = {{}}, labels = {{}};
  Object.keys(views).forEach(function (k) {{
    var v = views[k];
    if (projections.indexOf(v.projection) < 0) projections.push(v.projection);
    (slices[v.projection] = slices[v.projection] || []).push(k);
    labels[k] = v.slice_label; labels[v.projection] = v.projection_label;
  }});
  function onProjection() {{
    var p = projSel.value, keys = slices[p];
    var wanted = p + "|" + (sliceSel.value ? sliceSel.value.split("|")[1] : "all");
    fill(sliceSel, keys, labels, keys.indexOf(wanted) >= 0 ? wanted : keys[0]);
    show(sliceSel.value);
  }}
  projSel.onchange = onProjection;
  sliceSel.onchange = function () {{ show(sliceSel.value); }};
  var start = decodeURIComponent(window.location.hash.slice(1));
  if (!views[start]) start = Object.keys(views)[0];
  fill(projSel, projections, labels, views[start].projection);
  fill(sliceSel, slices[views[start].projection], labels, start);
  show(start);
</script>
</body>
</html>
"""


@dataclass(frozen=True)
class View:
    """One projection (or slice of it) shown by the page."""

    projection: str
    projection_label: str
    slice: str
    slice_label: str
    graph: nx.Graph
    scores: pd.DataFrame

    @property
    def key(self) -> str:
        return f"{self.projection}|{self.slice}"


def page_html(views: Sequence[View], *, title: str, size_by: str = "strength", lang: str = "en",
              record_labels: dict[str, str] | None = None) -> str:
    """One self-contained HTML page holding every view, with a switcher
    (no request leaves the machine: vis-network is embedded)."""
    if not views:
        raise KgraphError("nothing to draw: the selection has no ties")
    payload: dict[str, Any] = {}
    kinds: set[str] = set()
    for v in views:
        data = network_data(v.graph, v.scores, size_by=size_by, lang=lang,
                            record_labels=record_labels)
        used = sorted({d.get("region", "Unknown") for _, d in v.graph.nodes(data=True)})
        desc = v.graph.graph.get("description", "")
        if v.slice != "all":
            desc += f" (slice: {v.slice_label})"
        payload[v.key] = {"projection": v.projection, "projection_label": v.projection_label,
                          "slice_label": v.slice_label, "description": desc,
                          "nodes": data["nodes"], "edges": data["edges"],
                          "regions": [[r, data["regions"].get(r, "#999999")] for r in used]}
        kinds |= {d.get("kind") or _main_kind(d) for *_, d in v.graph.edges(data=True)}
    kind_legend = "".join(f'<span style="--c:{KIND_COLORS[k]}">{html.escape(TIE_KINDS[k])}</span>'
                          for k in TIE_KINDS if k in kinds)

    def js(v: Any) -> str:
        # JSON inside <script>: keep "</" from closing the element.
        return json.dumps(v, ensure_ascii=False).replace("</", "<\\/")

    return _TEMPLATE.format(lang=html.escape(lang), title=html.escape(title),
                            size_by=html.escape(size_by), kind_legend=kind_legend,
                            vis_js=vis_js(), views=js(payload), options_json=js(VIS_OPTIONS))


def iframe(page: str, height: int = 650) -> str:
    """An ``<iframe srcdoc>`` that shows a page inside JupyterLab or VS Code
    (a link to a local file does not work there)."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{height}px;'
            f'border:1px solid #ddd" sandbox="allow-scripts"></iframe>')


RECORD_LABELS_QUERY = """
SELECT ?record ?label ?early ?late ?source WHERE {
  ?record a dd:Record ; prov:wasDerivedFrom ?src .
  OPTIONAL { ?record rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?record dd:earliestDay ?early ; dd:latestDay ?late }
  OPTIONAL { ?src rdfs:label ?source . FILTER(LANG(?source) = "ja") }
}
"""


def _labels(graph: Any) -> dict[str, str]:
    """IRI -> English label, from the one store every read uses."""
    from .oxstore import as_ox

    return as_ox(graph).labels("en")


def record_labels(graph: Any) -> dict[str, str]:
    """Record IRI -> "label, date [source table]" for tooltips."""
    from .dates import period_label
    from .network import run

    out: dict[str, str] = {}
    for r in run(graph, RECORD_LABELS_QUERY):
        key = str(r.record)
        text = str(r.label) if r.label is not None else key.rsplit("/", 1)[-1]
        if r.early is not None and r.late is not None:
            text += f", {period_label(r.early, r.late)}"   # at its printed precision
        if r.source is not None:
            text += f" [{r.source}]"
        if key not in out or len(text) > len(out[key]):
            out[key] = text
    return out


PROJECTION_LABELS = {
    "ego": "Ego: Korea and its partners",
    "multiplex": "Multiplex: one edge per kind of tie",
    "partners": "Partners: shared contexts",
    "bipartite": "Bipartite: partners × records",
}


#: Views with more nodes are left out of the page: a browser cannot lay them out
#: usefully, and their betweenness and closeness cost nodes × edges (the bipartite
#: projection of a graph 100 times the bundled one has about 24,000 nodes).
#: GraphML and GEXF (``kgraph network -f graphml``) have no such limit.
MAX_PAGE_NODES = 2000


def build_views(graph: Any, *, projections: Sequence[str] = ("ego", "multiplex", "partners",
                                                             "bipartite"),
                size_by: str = "strength", by_administration: bool = True,
                max_nodes: int | None = MAX_PAGE_NODES,
                left_out: list[str] | None = None) -> list[View]:
    """Every projection for all years and, optionally, for each administration
    that has ties.  Views with more than ``max_nodes`` nodes are skipped, their
    names added to ``left_out`` if given."""
    from . import network

    all_ties = network.ties(graph)
    attrs = network.node_attributes(graph)
    members = network.memberships(graph)
    labels = _labels(graph)
    admins: list[str] = []
    for t in all_ties:
        if t.administration and t.administration not in admins:
            admins.append(t.administration)
    slices: list[tuple[str, str, list[network.Tie]]] = [("all", "all years", all_ties)]
    if by_administration:
        for adm in admins:
            key = adm.rsplit("/", 1)[-1]
            slices.append((key, labels.get(adm, key),
                           network.select_ties(all_ties, administration=adm)))
    views = []
    for proj in projections:
        for key, label, ts in slices:
            if proj == "ego":
                g = network.ego(ts, attrs)
            elif proj == "multiplex":
                g = network.multiplex(ts, attrs)
            elif proj == "partners":
                g = network.partners(ts, attrs, members)
            else:
                g = network.bipartite(ts, attrs)
            if g.number_of_nodes() == 0:
                continue
            if max_nodes is not None and g.number_of_nodes() > max_nodes:
                if left_out is not None:
                    left_out.append(f"{proj} ({label}, {g.number_of_nodes()} nodes)")
                continue
            views.append(View(proj, PROJECTION_LABELS[proj], key, label, g,
                              network.centrality(g, sort_by=size_by)))
    return views


def write_network_page(graph: Any, out_dir: Path, *, size_by: str = "strength",
                       lang: str = "en") -> Path:
    """Write ``network.html`` into ``out_dir`` and return its path."""
    left_out: list[str] = []
    views = build_views(graph, size_by=size_by, left_out=left_out)
    if left_out:
        # On a terminal a progress line may be waiting for its "done": start a line of our own.
        print("\n" if sys.stderr.isatty() else "", end="", file=sys.stderr)
        print(f"kgraph: note: {len(left_out)} view(s) with more than {MAX_PAGE_NODES} nodes left out "
              f"of the page: {'; '.join(left_out[:3])}{' …' if len(left_out) > 3 else ''}\n"
              "  hint: write them with `kgraph network -p PROJECTION -f graphml`", file=sys.stderr)
    page = page_html(views, title="South Korea's defence diplomacy: partner network",
                     size_by=size_by, lang=lang, record_labels=record_labels(graph))
    path = Path(out_dir) / "network.html"
    write_text_atomic(path, page)
    return path
