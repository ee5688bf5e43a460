"""The interactive network page, written from the projections with
vis-network's own data API (no pyvis assembly): every node and every edge of
a projection is drawn, parallel edges apart, with one colour per UN M49 region
and per kind of tie in every view, a fixed layout seed, and the data embedded
as JSON that no label can break out of.

vis-network's JavaScript and CSS are read from the pyvis package, which ships
them, and embedded in the page: nothing is fetched when it is opened.
``show`` puts the page in a notebook with a static picture beside it.
"""

from __future__ import annotations

import html
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import write_text_atomic
from .errors import KgraphError
from .network import CONTEXT_KINDS, MEASURES, TIE_KINDS

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

#: Partner–partner edge colours by the kind of context the partners shared.
CONTEXT_COLORS = {
    "exercise": "#56B4E9",
    "deployment": "#E69F00",
    "un-command-1950": "#000000",
    "membership": "#009E73",
    "instrument": "#CC79A7",
}

#: Korea–partner edges of the ego view (every kind together).
EGO_EDGE_COLOR = "#8C8C8C"

#: One colour per UN M49 sub-region, fixed (never by order of appearance), so a
#: country has the same colour in every view and every page.
REGION_COLORS = {
    "Eastern Asia": "#E15759",
    "South-eastern Asia": "#F28E2B",
    "Southern Asia": "#EDC948",
    "Central Asia": "#B6992D",
    "Western Asia": "#9C755F",
    "Northern America": "#4E79A7",
    "Central America": "#A0CBE8",
    "Caribbean": "#86BCB6",
    "South America": "#499894",
    "Northern Europe": "#59A14F",
    "Western Europe": "#8CD17D",
    "Southern Europe": "#B07AA1",
    "Eastern Europe": "#D4A6C8",
    "Northern Africa": "#FF9D9A",
    "Western Africa": "#D37295",
    "Middle Africa": "#FABFD2",
    "Eastern Africa": "#F1CE63",
    "Southern Africa": "#BAB0AC",
    "Australia and New Zealand": "#79706E",
    "Melanesia": "#D7B5A6",
    "Micronesia": "#C4B59B",
    "Polynesia": "#A5A08E",
    "Antarctica": "#DDDDDD",
    "International organization": "#333333",
    "Unknown": "#999999",
}

#: Page text in English and Japanese (``--lang``).
STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "South Korea's defence diplomacy: partner network",
        "projection": "Projection", "slice": "Slice", "nodes": "nodes", "edges": "edges",
        "help": "Node size: {size_by}. Node colour: UN M49 region. Hover a node or an edge for "
                "its ties, dates and records; drag to move, scroll to zoom.",
        "all": "all years", "regions": "Regions", "edge_legend": "Edges",
        "records": "records", "more": "more", "region": "region", "type": "type",
        "first": "first tie", "shared": "shared", "weight": "weight",
        "ego_edge": "Korea – partner (width: number of ties)",
        "record_node": "record (square, coloured by kind)",
    },
    "ja": {
        "title": "韓国の防衛外交：パートナー・ネットワーク",
        "projection": "投影", "slice": "期間", "nodes": "ノード", "edges": "エッジ",
        "help": "ノードの大きさ：{size_by}。ノードの色：国連M49地域。ノードやエッジにカーソルを"
                "合わせると結び付き・日付・記録を表示。ドラッグで移動、スクロールで拡大縮小。",
        "all": "全期間", "regions": "地域", "edge_legend": "エッジ",
        "records": "記録", "more": "件ほか", "region": "地域", "type": "種別",
        "first": "最初の結び付き", "shared": "共有した文脈", "weight": "重み",
        "ego_edge": "韓国 – 相手（太さ：結び付きの数）",
        "record_node": "記録（四角、種類別の色）",
    },
}
STRINGS["ko"] = STRINGS["en"]

PROJECTION_LABELS = {
    "ego": "Ego: Korea and its partners",
    "multiplex": "Multiplex: one edge per kind of tie",
    "partners": "Partners: contexts they shared",
    "bipartite": "Bipartite: partners × records",
}
PROJECTION_LABELS_JA = {
    "ego": "エゴ：韓国と相手",
    "multiplex": "多重：結び付きの種類ごとに1本",
    "partners": "相手どうし：共有した文脈",
    "bipartite": "二部：相手 × 記録",
}
PROJECTION_DESCRIPTIONS_JA = {
    "ego": "韓国と相手。重み＝あらゆる種類の結び付きの数",
    "multiplex": "韓国と相手。結び付きの種類ごとにエッジ1本",
    "partners": "相手どうしを、実際に共有した文脈（多国間共同訓練、国連ミッション・有志連合、"
                "朝鮮国連軍、同じ組織への加盟）で結ぶ。n か国が共有する文脈は各組に 1/(n-1) を加える"
                "（韓国との二国間文書の種類が同じことは共有した文脈ではない）",
    "bipartite": "相手と、それを韓国に結び付ける記録",
}
KIND_LABELS_JA = {key: ja for key, (_en, ja) in __import__("kgraph.ties", fromlist=["KINDS"]).KINDS.items()}
CONTEXT_LABELS_JA = {
    "exercise": "多国間共同訓練", "deployment": "国連ミッション・有志連合",
    "un-command-1950": "戦争：朝鮮国連軍（1950年）", "membership": "同じ組織への加盟",
    "instrument": "多国間の文書",
}

#: vis-network options shared by every view of the page.
VIS_OPTIONS: dict[str, Any] = {
    "layout": {"randomSeed": 7, "improvedLayout": True},
    "physics": {"solver": "forceAtlas2Based",
                "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 110,
                                     "avoidOverlap": 0.3},
                "stabilization": {"iterations": 400, "fit": True}},
    "interaction": {"hover": True, "tooltipDelay": 100, "navigationButtons": False},
    "nodes": {"font": {"size": 14, "face": "Noto Sans CJK JP, Noto Sans, sans-serif"}},
    "edges": {"smooth": False},
}

#: The smallest label, in screen pixels, at the zoom the page opens with.
MIN_LABEL_PX = 10


def region_colors(regions: Sequence[str]) -> dict[str, str]:
    """The fixed colour of each region (grey for a name outside UN M49)."""
    return {r: REGION_COLORS.get(r, REGION_COLORS["Unknown"]) for r in regions}


def _vis_file(name: str) -> str:
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise KgraphError("the network page needs pyvis (it ships vis-network)",
                          hint="pip install pyvis (a dependency of kgraph)")
    root = Path(spec.origin).parent
    for cand in sorted(root.glob(f"lib/**/{name}"), reverse=True) + sorted(root.glob(f"**/{name}"),
                                                                          reverse=True):
        return cand.read_text(encoding="utf-8")
    raise KgraphError(f"{name} not found inside pyvis",
                      hint="reinstall pyvis (pip install --force-reinstall pyvis)")


def vis_js() -> str:
    """vis-network's JavaScript, as shipped inside the pyvis package."""
    return _vis_file("vis-network.min.js")


def vis_css() -> str:
    """vis-network's stylesheet (the tooltip needs it to show at all)."""
    return _vis_file("vis-network.css")


def json_for_html(value: Any) -> str:
    """JSON that can sit inside any HTML element, ``<script>`` included, whatever
    its strings hold: ``<``, ``>`` and ``&`` become \\u escapes (so no ``</script>``
    or ``<!--`` survives), as do U+2028 and U+2029.

    >>> json_for_html({"label": "</script><!--"})
    '{"label": "\\u003c/script\\u003e\\u003c!--"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _short(iri: str, labels: dict[str, str]) -> str:
    return labels.get(iri) or iri.rsplit("/", 1)[-1]


def _record_lines(records: Sequence[str], labels: dict[str, str], t: dict[str, str],
                  limit: int = 15) -> list[str]:
    if not records:
        return []
    out = [f"{t['records']}:"] + [f"  {_short(r, labels)}" for r in records[:limit]]
    if len(records) > limit:
        out.append(f"  … {len(records) - limit} {t['more']}")
    return out


def _node_label(d: dict[str, Any], lang: str, labels: dict[str, str], n: str) -> str:
    return (d.get(f"label_{lang}") or d.get("label_en") or labels.get(n)
            or d.get("label") or n.rsplit("/", 1)[-1])


def network_data(g: nx.Graph, scores: pd.DataFrame, *, size_by: str = "strength",
                 lang: str = "en", record_labels: dict[str, str] | None = None) -> dict[str, Any]:
    """vis-network nodes, edges and legend for one projection: every node and
    every edge of ``g`` (a multigraph's parallel edges drawn as curves of
    different roundness)."""
    if size_by not in MEASURES:
        raise KgraphError(f"unknown measure '{size_by}'", hint=f"choose one of: {', '.join(MEASURES)}")
    t = STRINGS.get(lang, STRINGS["en"])
    labels = record_labels or {}
    kind_label = KIND_LABELS_JA if lang == "ja" else TIE_KINDS
    ctx_label = CONTEXT_LABELS_JA if lang == "ja" else CONTEXT_KINDS
    by_node = scores.set_index("node") if len(scores) else None
    values = scores[size_by] if len(scores) else []
    vmax = max([float(v) for v in values] + [1e-9])
    multi = g.is_multigraph()
    name = g.graph.get("name", "")
    edge_list = (list(g.edges(keys=True, data=True)) if multi
                 else [(a, b, None, d) for a, b, d in g.edges(data=True)])
    node_records: dict[str, set[str]] = defaultdict(set)
    for a, b, _k, d in edge_list:
        recs = (d.get("records") or d.get("contexts") or "").split()
        node_records[a].update(recs)
        node_records[b].update(recs)
    regions_used: list[str] = []
    kinds_used: list[str] = []
    nodes = []
    for n, d in g.nodes(data=True):
        sc = ({m: float(by_node.loc[n, m]) for m in MEASURES}
              if by_node is not None and n in by_node.index else None)
        label = _node_label(d, lang, labels, str(n))
        if d.get("bipartite") == 1:
            kind = d.get("kind", "")
            color, shape, size = KIND_COLORS.get(kind, "#999999"), "square", 8.0
            if kind not in kinds_used:
                kinds_used.append(kind)
            lines = [label, kind_label.get(kind, kind)]
            if d.get("first_date"):
                lines.append(str(d["first_date"]))
            lines += _record_lines(sorted(node_records[n]), labels, t)
        else:
            region = d.get("region") or "Unknown"
            if region not in regions_used:
                regions_used.append(region)
            color = REGION_COLORS.get(region, REGION_COLORS["Unknown"])
            shape = "star" if d.get("role") == "ego" else "dot"
            value = sc[size_by] if sc else 0.0
            # Area, not radius, proportional to the measure: sizes stay comparable.
            size = 8 + 30 * (max(value, 0.0) / vmax) ** 0.5
            lines = [label] + [d[f"label_{x}"] for x in ("en", "ja", "ko")
                               if d.get(f"label_{x}") and d[f"label_{x}"] != label]
            if d.get("partner_type"):
                lines.append(f"{t['type']}: {d['partner_type']}")
            lines.append(f"{t['region']}: {region}")
            if sc:
                lines.append(", ".join(f"{k} {v:.4g}" for k, v in sc.items()))
            if d.get("role") != "ego":
                lines += _record_lines(sorted(node_records[n]), labels, t)
            if d.get("iri"):
                lines.append(d["iri"])
        nodes.append({"id": str(n), "label": label, "title": "\n".join(lines), "color": color,
                      "shape": shape, "size": round(size, 2)})
    pair_count: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, _k, _d in edge_list:
        pair_count[tuple(sorted((str(a), str(b))))] += 1   # type: ignore[index]
    pair_seen: dict[tuple[str, str], int] = defaultdict(int)
    edges = []
    edge_legend: list[tuple[str, str]] = []
    for i, (a, b, key, d) in enumerate(edge_list):
        pair = tuple(sorted((str(a), str(b))))
        nth = pair_seen[pair]   # type: ignore[index]
        pair_seen[pair] += 1   # type: ignore[index]
        lines = []
        if name == "partners":
            ck = d.get("context_kind", "instrument")
            color = CONTEXT_COLORS.get(ck, "#999999")
            legend = (ctx_label.get(ck, ck), color)
            lines.append(f"{t['shared']}: " + "; ".join(
                _short(c, labels) for c in (d.get("contexts") or "").split()))
        elif name == "ego":
            color, legend = EGO_EDGE_COLOR, (t["ego_edge"], EGO_EDGE_COLOR)
            lines.append("; ".join(f"{kind_label[k]}: {d.get('n_' + k.replace('-', '_'))}"
                                   for k in TIE_KINDS if d.get("n_" + k.replace("-", "_"))))
        else:
            kind = d.get("kind", "")
            color = KIND_COLORS.get(kind, "#999999")
            legend = (kind_label.get(kind, kind), color)
            lines.append(kind_label.get(kind, kind))
        if legend not in edge_legend:
            edge_legend.append(legend)
        if d.get("first_date"):
            adm = d.get("first_administration", "")
            lines.append(f"{t['first']}: {d['first_date']}"
                         + (f" ({_short(adm, labels)})" if adm else ""))
        lines += _record_lines((d.get("records") or "").split(), labels, t)
        if "weight" in d:
            lines.append(f"{t['weight']}: {float(d['weight']):.4g}")
        edge: dict[str, Any] = {"id": f"e{i}", "from": str(a), "to": str(b),
                                "color": {"color": color, "highlight": color, "hover": color},
                                "width": round(1 + min(float(d.get("weight", 1)), 8) ** 0.5 * 1.5, 2),
                                "title": "\n".join(x for x in lines if x)}
        if key is not None:
            edge["key"] = str(key)
            edge["dashes"] = KIND_DASHES.get(str(key), False)
        if pair_count[pair] > 1:   # type: ignore[index]
            # Parallel edges: alternate sides, each pair further out.
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if nth % 2 else "curvedCCW",
                              "roundness": round(0.12 + 0.12 * (nth // 2), 2)}
        edges.append(edge)
    node_legend = [[r, REGION_COLORS.get(r, REGION_COLORS["Unknown"]), "dot"]
                   for r in sorted(regions_used)]
    node_legend += [[f"{t['record_node']}: {kind_label.get(k, k)}", KIND_COLORS.get(k, "#999999"),
                     "square"] for k in TIE_KINDS if k in kinds_used]
    order = {lab: i for i, lab in enumerate(
        [t["ego_edge"]] + [ctx_label[k] for k in CONTEXT_KINDS] + [kind_label[k] for k in TIE_KINDS])}
    edge_legend.sort(key=lambda x: order.get(x[0], 99))
    return {"nodes": nodes, "edges": edges,
            "legend": {"nodes": node_legend, "edges": [list(x) for x in edge_legend]}}


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{vis_css}</style>
<style>
  html, body {{ height: 100%; }}
  body {{ margin: 0; display: flex; flex-direction: column;
         font-family: "Noto Sans CJK JP", "Noto Sans", system-ui, sans-serif; color: #222; }}
  header {{ flex: none; padding: 8px 14px; border-bottom: 1px solid #ddd; }}
  header h1 {{ font-size: 17px; margin: 0 0 4px; }}
  header p {{ margin: 2px 0; font-size: 13px; color: #555; }}
  select {{ font-size: 13px; }}
  #graph {{ flex: 1 1 auto; min-height: 300px; position: relative; }}
  .legend {{ font-size: 12px; display: flex; flex-wrap: wrap; gap: 2px 12px; margin-top: 3px; }}
  .legend b {{ font-weight: 600; }}
  .legend span::before {{ content: ""; display: inline-block; width: 10px; height: 10px;
                          margin-right: 4px; background: var(--c); border-radius: 50%; }}
  .legend span.square::before {{ border-radius: 0; }}
  .legend.edges span::before {{ border-radius: 0; width: 14px; height: 3px; vertical-align: middle; }}
  div.vis-tooltip {{ white-space: pre-wrap; font-size: 12px; max-width: 520px;
                     font-family: "Noto Sans CJK JP", "Noto Sans", sans-serif; }}
</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <p>{t_projection} <select id="projection"></select> {t_slice} <select id="slice"></select>
     <span id="counts"></span></p>
  <p id="description"></p>
  <p>{help}</p>
  <div class="legend" id="legend-nodes"></div>
  <div class="legend edges" id="legend-edges"></div>
</header>
<div id="graph"></div>
<script type="application/json" id="kgraph-data">{data}</script>
<script>{vis_js}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById("kgraph-data").textContent);
  var views = data.views, T = data.strings, MIN_PX = data.min_label_px;
  var container = document.getElementById("graph");
  var network = new vis.Network(container, {{}}, data.options);
  var projSel = document.getElementById("projection");
  var sliceSel = document.getElementById("slice");
  var kg = window.kgraph = {{views: Object.keys(views), network: network}};
  function fill(sel, values, labels, current) {{
    sel.innerHTML = "";
    values.forEach(function (v) {{
      var o = document.createElement("option");
      o.value = v; o.textContent = labels[v] || v; if (v === current) o.selected = true;
      sel.appendChild(o);
    }});
  }}
  function legend(id, items, title) {{
    var el = document.getElementById(id); el.innerHTML = "";
    var b = document.createElement("b"); b.textContent = title; el.appendChild(b);
    items.forEach(function (it) {{
      var s = document.createElement("span"); s.style.setProperty("--c", it[1]);
      if (it[2] === "square") s.className = "square";
      s.textContent = it[0]; el.appendChild(s);
    }});
  }}
  function settle() {{
    network.setOptions({{physics: {{enabled: false}}}});
    network.fit({{animation: false}});
    // Labels at least MIN_PX screen pixels at the opening zoom.
    var size = Math.max(14, Math.ceil(MIN_PX / Math.max(network.getScale(), 1e-6)));
    network.setOptions({{nodes: {{font: {{size: size}}}}}});
    kg.fontSize = size;
    document.body.dataset.ready = "1";
  }}
  // show(key) draws a view and lays it out; show(key, {{layout: false}}) only
  // swaps the data (a quick look at what a view holds, as the tests take).
  function show(key, how) {{
    var v = views[key], layout = !(how && how.layout === false);
    document.body.dataset.ready = "0";
    kg.nodes = new vis.DataSet(v.nodes);
    kg.edges = new vis.DataSet(v.edges);
    network.setOptions({{physics: {{enabled: layout}}, layout: {{improvedLayout: layout}},
                        nodes: {{font: {{size: 14}}}}}});
    network.setData({{nodes: kg.nodes, edges: kg.edges}});
    document.getElementById("description").textContent = v.description;
    document.getElementById("counts").textContent =
      v.nodes.length + " " + T.nodes + ", " + v.edges.length + " " + T.edges;
    legend("legend-nodes", v.legend.nodes, T.regions);
    legend("legend-edges", v.legend.edges, T.edge_legend);
    kg.view = key;
    if (projSel.value !== v.projection) {{
      fill(projSel, projections, labels, v.projection);
      fill(sliceSel, slices[v.projection], labels, key);
    }} else if (sliceSel.value !== key) {{ sliceSel.value = key; }}
    if (v.edges.length === 0 || !layout) settle();
    // Inside an iframe srcdoc (a notebook) the URL cannot change: keep the hash only where it can.
    if (window.location.protocol !== "about:" && window.location.hash !== "#" + key) {{
      try {{ history.replaceState(null, "", "#" + key); }} catch (e) {{ /* sandboxed */ }}
    }}
  }}
  kg.show = show;
  network.on("stabilizationIterationsDone", settle);
  var projections = [], slices = {{}}, labels = {{}};
  Object.keys(views).forEach(function (k) {{
    var v = views[k];
    if (projections.indexOf(v.projection) < 0) projections.push(v.projection);
    (slices[v.projection] = slices[v.projection] || []).push(k);
    labels[k] = v.slice_label; labels[v.projection] = v.projection_label;
  }});
  projSel.onchange = function () {{
    var p = projSel.value, keys = slices[p];
    var wanted = p + "|" + (sliceSel.value ? sliceSel.value.split("|")[1] : "all");
    fill(sliceSel, keys, labels, keys.indexOf(wanted) >= 0 ? wanted : keys[0]);
    show(sliceSel.value);
  }};
  sliceSel.onchange = function () {{ show(sliceSel.value); }};
  var start = "";
  try {{ start = decodeURIComponent(window.location.hash.slice(1)); }} catch (e) {{ start = ""; }}
  if (!views[start]) start = data.start && views[data.start] ? data.start : Object.keys(views)[0];
  fill(projSel, projections, labels, views[start].projection);
  fill(sliceSel, slices[views[start].projection], labels, start);
  show(start);
}})();
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


def page_html(views: Sequence[View], *, title: str | None = None, size_by: str = "strength",
              lang: str = "en", record_labels: dict[str, str] | None = None,
              start: str | None = None) -> str:
    """One self-contained HTML page holding every view, with a switcher
    (no request leaves the machine: vis-network is embedded).  The data sit
    in a ``<script type="application/json">`` (``json_for_html``), so no
    label can end the element or open a comment."""
    if not views:
        raise KgraphError("nothing to draw: the selection has no ties")
    t = STRINGS.get(lang, STRINGS["en"])
    payload: dict[str, Any] = {}
    for v in views:
        data = network_data(v.graph, v.scores, size_by=size_by, lang=lang,
                            record_labels=record_labels)
        desc = v.graph.graph.get("description", "")
        if lang == "ja" and v.projection in PROJECTION_DESCRIPTIONS_JA:
            desc = PROJECTION_DESCRIPTIONS_JA[v.projection]
            if v.graph.graph.get("isolates_left_out"):
                desc += f"。他の相手と文脈を共有しない {v.graph.graph['isolates_left_out']} の相手は除外"
        if v.slice != "all":
            desc += f" ({t['slice']}: {v.slice_label})"
        payload[v.key] = {"projection": v.projection,
                          "projection_label": (PROJECTION_LABELS_JA if lang == "ja"
                                               else PROJECTION_LABELS).get(v.projection,
                                                                           v.projection_label),
                          "slice_label": t["all"] if v.slice == "all" else v.slice_label,
                          "description": desc, **data}
    if start not in payload:
        start = "partners|all" if "partners|all" in payload else next(iter(payload))
    data_json = json_for_html({"views": payload, "options": VIS_OPTIONS, "strings": t,
                               "min_label_px": MIN_LABEL_PX, "start": start})
    return _TEMPLATE.format(lang=html.escape(lang), title=html.escape(title or t["title"]),
                            t_projection=html.escape(t["projection"]),
                            t_slice=html.escape(t["slice"]),
                            help=html.escape(t["help"].format(size_by=size_by)),
                            vis_css=vis_css(), vis_js=vis_js(), data=data_json)


def iframe(page: str, height: int = 720) -> str:
    """An ``<iframe srcdoc>`` that shows a page inside JupyterLab or VS Code
    (a link to a local file does not work there).  The page lays itself out
    in the frame's height (the drawing takes what the header leaves), so
    nothing is clipped."""
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


def _labels(graph: Any, lang: str = "en") -> dict[str, str]:
    """IRI -> label in ``lang`` (else English), from the Oxigraph store."""
    from .oxstore import as_ox

    return as_ox(graph).labels(lang)


def record_labels(graph: Any) -> dict[str, str]:
    """Record IRI -> "label, date [source table]" for tooltips, the date at
    the precision the report printed; other labelled nodes (organisations,
    groupings) -> their English label."""
    from .dates import period_label
    from .network import run

    out: dict[str, str] = dict(_labels(graph))
    for r in run(graph, RECORD_LABELS_QUERY):
        key = str(r.record)
        text = str(r.label) if r.label is not None else key.rsplit("/", 1)[-1]
        if r.early is not None and r.late is not None:
            text += f", {period_label(r.early, r.late)}"   # at its printed precision
        if r.source is not None:
            text += f" [{r.source}]"
        if len(text) > len(out.get(key, "")):
            out[key] = text
    return out




#: Views with more nodes are left out of the page: a browser cannot lay them out
#: usefully, and their betweenness and closeness cost nodes × edges (the bipartite
#: projection of a graph 100 times the bundled one has about 24,000 nodes).
#: GraphML and GEXF (``kgraph network -f graphml``) have no such limit.
MAX_PAGE_NODES = 2000


def build_views(graph: Any, *, projections: Sequence[str] = ("ego", "multiplex", "partners",
                                                             "bipartite"),
                size_by: str = "strength", by_administration: bool = True,
                max_nodes: int | None = MAX_PAGE_NODES,
                left_out: list[str] | None = None, lang: str = "en") -> list[View]:
    """Every projection for all years and, optionally, for each administration
    that has ties.  Views with more than ``max_nodes`` nodes are skipped, their
    names added to ``left_out`` if given."""
    from . import network

    all_ties = network.ties(graph)
    attrs = network.node_attributes(graph)
    members = network.memberships(graph)
    labels = _labels(graph)
    slice_labels = _labels(graph, lang)
    admins: list[str] = []
    for t in all_ties:
        if t.administration and t.administration not in admins:
            admins.append(t.administration)
    slices: list[tuple[str, str, list[network.Tie]]] = [("all", "all years", all_ties)]
    if by_administration:
        for adm in admins:
            key = adm.rsplit("/", 1)[-1]
            slices.append((key, slice_labels.get(adm, key),
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
                g = network.bipartite(ts, attrs, labels)
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
    views = build_views(graph, size_by=size_by, left_out=left_out, lang=lang)
    if left_out:
        # On a terminal a progress line may be waiting for its "done": start a line of our own.
        print("\n" if sys.stderr.isatty() else "", end="", file=sys.stderr)
        print(f"kgraph: note: {len(left_out)} view(s) with more than {MAX_PAGE_NODES} nodes left out "
              f"of the page: {'; '.join(left_out[:3])}{' …' if len(left_out) > 3 else ''}\n"
              "  hint: write them with `kgraph network -p PROJECTION -f graphml`", file=sys.stderr)
    page = page_html(views, size_by=size_by, lang=lang, record_labels=record_labels(graph))
    path = Path(out_dir) / "network.html"
    write_text_atomic(path, page)
    return path


# --- In notebooks --------------------------------------------------------------------------

def static_picture(g: nx.Graph, *, lang: str = "en", seed: int = 7, width: float = 10.0,
                   height: float = 7.0) -> bytes:
    """A PNG of one projection drawn with matplotlib, in the page's colours
    (region per node, kind of tie or shared context per edge): what a notebook
    shows where the interactive page cannot run."""
    import io

    import matplotlib
    import networkx as nx

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    simple = nx.Graph(g)
    pos = nx.spring_layout(simple, seed=seed, k=1.5 / max(len(simple), 1) ** 0.5)
    name = g.graph.get("name", "")
    for a, b, d in simple.edges(data=True):
        if name == "partners":
            color = CONTEXT_COLORS.get(d.get("context_kind", ""), "#999999")
        elif name == "ego" or name == "multiplex":
            color = EGO_EDGE_COLOR
        else:
            color = KIND_COLORS.get(d.get("kind", ""), "#999999")
        ax.plot([pos[a][0], pos[b][0]], [pos[a][1], pos[b][1]], color=color, alpha=0.35, lw=0.7,
                zorder=1)
    strength = dict(simple.degree(weight="weight"))
    top = max(list(strength.values()) + [1e-9])
    for n, d in simple.nodes(data=True):
        record = d.get("bipartite") == 1
        color = (KIND_COLORS.get(d.get("kind", ""), "#999999") if record
                 else REGION_COLORS.get(d.get("region") or "Unknown", "#999999"))
        ax.scatter([pos[n][0]], [pos[n][1]], s=20 if record else 30 + 400 * (strength[n] / top) ** 0.5,
                   c=color, marker="s" if record else "o", edgecolors="white", linewidths=0.5,
                   zorder=2)
    ranked = sorted((n for n in simple if simple.nodes[n].get("bipartite") != 1),
                    key=lambda n: -strength[n])[:25]
    for n in ranked:
        d = simple.nodes[n]
        ax.annotate(d.get(f"label_{lang}") or d.get("label_en") or d.get("label") or n,
                    pos[n], fontsize=8, ha="center", va="bottom", xytext=(0, 5),
                    textcoords="offset points", zorder=3,
                    family=["Noto Sans CJK JP", "DejaVu Sans"])
    ax.set_title(f"{name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges "
                 "(static picture; labels: the 25 strongest)", fontsize=9, loc="left")
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


@dataclass
class NetworkView:
    """What ``show`` returns: the interactive page (``text/html``, an iframe
    srcdoc) and a static picture (``image/png``) in one output bundle, so a
    notebook reopened untrusted, or rendered where scripts do not run, still
    shows the network."""

    page: str
    png: bytes
    height: int = 720

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        import base64

        return {"text/html": iframe(self.page, self.height),
                "image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": "<kgraph network page (interactive in a trusted notebook)>"}

    def _repr_html_(self) -> str:
        return iframe(self.page, self.height)


def show(graph: Any, projection: str = "partners", *, lang: str = "en", size_by: str = "strength",
         by_administration: bool = True, height: int = 720) -> NetworkView:
    """The network page for a notebook cell: every projection (and a slice per
    administration), opening on ``projection``, with a static picture of that
    projection in the same output.

    Shown through an ``<iframe srcdoc>``: JupyterLab, classic Notebook, VS Code
    and nbconvert's HTML display it.  A reopened untrusted notebook strips the
    iframe and shows the picture instead.
    """
    from . import network

    if projection not in network.PROJECTIONS:
        raise KgraphError(f"unknown projection '{projection}'",
                          hint=f"choose one of: {', '.join(network.PROJECTIONS)}")
    views = build_views(graph, size_by=size_by, by_administration=by_administration, lang=lang)
    page = page_html(views, size_by=size_by, lang=lang, record_labels=record_labels(graph),
                     start=f"{projection}|all")
    g = next(v.graph for v in views if v.key == f"{projection}|all")
    return NetworkView(page, static_picture(g, lang=lang), height)
