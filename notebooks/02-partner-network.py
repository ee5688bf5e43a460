# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Korea's partner network
#
# **The question:** does the network of Korea's defence ties show the report's thesis,
# that defence diplomacy moved from "national survival" alongside one ally, the United
# States, to a means of "realizing diverse national interests" with many partners?
#
# Every tie is a record of the report: an agreement of one of three kinds, an arms
# purchase, a deployment host, an exercise partner, an attaché office, or the 1950 UN
# Command. A network in which every edge is "Korea – partner" is a star, where centrality
# says nothing, so `kgraph.network` offers several projections. This notebook shows them
# side by side, ranks the partners on the ones where ranking means something, shows the
# interactive page inline, and then measures the thesis over time.

# %%
import warnings

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from IPython.display import HTML, display

import kgraph
import kgraph.network as net
import kgraph.viz

pd.set_option("display.max_colwidth", 80)
kg = kgraph.load()
graph = kg  # every projection reads the same Oxigraph store
KOREA = "https://w3id.org/defdip/id/country/KOR"
USA = "https://w3id.org/defdip/id/country/USA"

# %% [markdown]
# ## 1. The projections side by side
#
# - **ego**: Korea and its partners, one edge per partner, weight = ties of every kind;
# - **multiplex**: the same pairs, one edge per *kind* of tie;
# - **partners**: partner to partner, tied by the contexts they share (a multilateral
#   exercise, the UN Command, a grouping such as NATO, a kind of instrument with Korea);
#   a context of n partners adds 1/(n−1) to each pair;
# - **bipartite**: partners and the records (instruments, events) that tie them to Korea;
#   its weighted projection onto partners keeps only what multilateral records share.

# %%
projections = {name: net.projection(graph, name) for name in net.PROJECTIONS}
projections["bipartite-projection"] = net.bipartite_projection(projections["bipartite"])

sizes = pd.DataFrame(
    [(name, g.number_of_nodes(), g.number_of_edges(), g.graph.get("description", ""))
     for name, g in projections.items()],
    columns=["projection", "nodes", "edges", "what an edge is"])
for row in sizes.itertuples():
    print(f"projection {row.projection}: {row.nodes} nodes, {row.edges} edges")
sizes

# %%
fig, axes = plt.subplots(2, 3, figsize=(16, 10), constrained_layout=True)
for ax, (name, g) in zip(axes.flat, projections.items(), strict=False):  # 6 panels, 5 graphs
    simple = nx.Graph(g)  # a multigraph is drawn with one line per pair
    isolated = [n for n in simple if simple.degree(n) == 0]
    simple.remove_nodes_from(isolated)  # partners sharing nothing would ring the picture
    pos = nx.spring_layout(simple, seed=7, k=2 / max(simple.number_of_nodes(), 1) ** 0.5)
    colors = ["#D55E00" if n in (KOREA, USA) else
              ("#BBBBBB" if d.get("bipartite") == 1 else "#0072B2")
              for n, d in simple.nodes(data=True)]
    nx.draw_networkx_edges(simple, pos, ax=ax, alpha=0.12, width=0.5)
    nx.draw_networkx_nodes(simple, pos, ax=ax, node_size=14, node_color=colors)
    top = sorted(simple.degree(weight="weight"), key=lambda nd: -nd[1])[:5]
    nx.draw_networkx_labels(simple, pos, ax=ax, font_size=8,
                            labels={n: simple.nodes[n].get("label", n) for n, _ in top})
    note = f"; {len(isolated)} isolated nodes not drawn" if isolated else ""
    ax.set_title(f"{name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges{note}",
                 fontsize=9)
    ax.axis("off")
axes.flat[-1].axis("off")
fig.suptitle("The projections (orange: Korea and the United States; grey: records in the bipartite "
             "graph; labels: the five strongest nodes)", fontsize=10)
plt.show()

# %% [markdown]
# ## 2. Centrality, and on which graph it was computed
#
# `kgraph.network.centrality(g)` gives degree, strength (weighted degree), betweenness,
# closeness, eigenvector and PageRank for every node, and records in `df.attrs` which
# graph the numbers belong to. On the **ego** graph the ranking by strength is simply the
# number of ties with Korea; betweenness is 1 for Korea and 0 for everyone else (a star).

# %%
def ranking(name: str, sort_by: str = "strength", top: int = 10) -> pd.DataFrame:
    """The top rows of a projection's centrality table, saying which graph they come from."""
    scores = net.centrality(projections[name], sort_by=sort_by)
    print(f"computed on: {scores.attrs['graph']} ({scores.attrs.get('description', '')})")
    return scores[["label", "type", "region", "degree", "strength", "betweenness", "eigenvector",
                   "pagerank"]].head(top)


ego_rank = ranking("ego")
print("top partner by ties (ego):", ego_rank["label"].iloc[1])
ego_rank

# %% [markdown]
# On the **partners** graph centrality measures something: how much a partner shares
# with the others (exercises, the UN Command, NATO or ASEAN membership, kinds of
# instrument). Sorted by eigenvector centrality, a partner ranks high when it shares
# contexts with partners that themselves share much.

# %%
partner_rank = ranking("partners", sort_by="eigenvector")
print("top partner by eigenvector (partners):", partner_rank["label"].iloc[0])
partner_rank

# %% [markdown]
# On the **bipartite projection** two partners are tied only by the multilateral records
# they share: the 1950 UN Command and the multinational exercises of 2019.

# %%
ranking("bipartite-projection", sort_by="betweenness")

# %% [markdown]
# ## 3. The interactive page, inline
#
# `kgraph.viz` builds one self-contained page (vis-network embedded, nothing fetched
# from the internet) with every projection and a slice per administration: choose them in
# the two menus, hover a node or edge for its ties, dates and records. Here it is shown
# through an `<iframe srcdoc>`, which works in JupyterLab, VS Code and classic Notebook
# alike. `kgraph network --out DIR` (or `kgraph.viz.write_network_page(graph, DIR)`)
# writes the same page as `network.html`.

# %%
views = kgraph.viz.build_views(graph)
page = kgraph.viz.page_html(views, title="South Korea's defence diplomacy: partner network",
                            record_labels=kgraph.viz.record_labels(graph))
print("page views:", len(views))
print(f"page size: {len(page.encode('utf-8')) / 1e6:.1f} MB")
# IPython suggests IFrame for any "<iframe": that one needs a URL or file, which is what srcdoc avoids.
warnings.filterwarnings("ignore", message="Consider using IPython.display.IFrame")
display(HTML(kgraph.viz.iframe(page, height=650)))

# %% [markdown]
# ## 4. From one ally to many partners?
#
# The ties themselves (`kgraph.network.ties`) carry a date (the earliest possible day of
# the record) and a kind. Split them into three eras: up to 1989 (the Cold War, "national
# survival"), 1990–2007 (after democratisation and the end of the Cold War) and 2008–2019
# (from Lee Myung-bak's "Global Korea" to the end of the report's data).

# %%
ties = pd.DataFrame([t.__dict__ for t in net.ties(graph)])
ties["year"] = [d.year if d is not None else None for d in ties["early"]]
print("ties in all:", len(ties))
print("ties without a date:", int(ties["year"].isna().sum()))

# The first era starts with the oldest record (an attaché office of the 1940s).
ERAS = {"to 1989": (1940, 1989), "1990–2007": (1990, 2007), "2008–2019": (2008, 2019)}
rows = []
for era, (lo, hi) in ERAS.items():
    part = ties[(ties["year"] >= lo) & (ties["year"] <= hi)]
    us = int((part["partner"] == USA).sum())
    rows.append({"era": era, "ties": len(part), "partners": part["partner"].nunique(),
                 "kinds of tie": part["kind"].nunique(), "ties with the US": us,
                 "US share of ties": round(us / len(part), 3)})
for r in rows:
    print(f"era {r['era']}: {r['partners']} partners, {r['ties']} ties, "
          f"{r['ties with the US']} with the US ({r['US share of ties']:.1%})")
pd.DataFrame(rows).set_index("era")

# %% [markdown]
# Partners and kinds of tie per decade (a partner counts in a decade when at least one
# of its ties is dated in it):

# %%
dated = ties.dropna(subset=["year"]).copy()
dated["decade"] = (dated["year"] // 10 * 10).astype(int).astype(str) + "s"
kinds_per_decade = pd.crosstab(dated["decade"], dated["kind"].map(net.TIE_KINDS))
kinds_per_decade.insert(0, "partners", dated.groupby("decade")["partner"].nunique())
first_year = dated.groupby("partner")["year"].min()
kinds_per_decade.insert(1, "new partners", (first_year // 10 * 10).astype(int).astype(str)
                        .add("s").value_counts().reindex(kinds_per_decade.index, fill_value=0))
for decade in ("1990s", "2000s", "2010s"):
    print(f"partners in the {decade}:", int(kinds_per_decade.loc[decade, "partners"]))
kinds_per_decade

# %%
ax = kinds_per_decade.drop(columns=["partners", "new partners"]).plot.bar(
    stacked=True, figsize=(10, 4), width=0.8, colormap="tab10")
ax.set_ylabel("ties")
ax.set_title("Ties per decade by kind", loc="left", fontsize=10)
ax.legend(fontsize=8, ncol=2)
plt.show()

# %% [markdown]
# Where did the US ties of the last era come from, and where does the United States
# rank among partners in each era on the partners graph?

# %%
recent_us = ties[(ties["partner"] == USA) & (ties["year"] >= 2008)]
print("US ties since 2008:", len(recent_us))
exercises_2019 = (recent_us["kind"] == "exercise") & (recent_us["year"] == 2019)
print("of which 2019 exercises:", int(exercises_2019.sum()))

us_rank = {}
for era, (lo, hi) in ERAS.items():
    scores = net.centrality(net.projection(graph, "partners", years=(lo, hi)), sort_by="eigenvector")
    us_rank[era] = int(scores.index[scores["node"] == USA][0]) + 1
    print(f"US rank by eigenvector on the partners graph, {era}: {us_rank[era]} of {len(scores)}"
          f" (first: {scores['label'].iloc[0]})")

# %% [markdown]
# ### What the numbers say
#
# - **Many partners.** The number of partners grows era by era and decade by decade.
#   After the 1950s, when the UN Command brought most of the early partners, new partners
#   arrive again from the 1990s on, more in each decade: the defence-industry and defence
#   cooperation agreements (資料3, 資料5), the information agreements (資料4) and the
#   deployments abroad (資料2) reach countries Korea had no recorded defence tie with. The kinds of tie multiply
#   too: before 1990 the record is almost all attaché offices and the 1950 UN Command.
# - **The US share of ties does not simply fall.** It is high in the first era, lowest in
#   1990–2007 and up again after 2008, but almost all recent US ties are exercises of
#   2019: the report tabulates exercises for that single year (図表11), so the last era
#   over-samples the alliance. The alliance itself (the 1953 treaty, the Combined Forces
#   Command) is not an "agreement" of the appendices at all. Counting ties cannot measure
#   how much Korea *relied* on the United States; it measures how wide the rest grew.
# - **The United States links the eras rather than leading any one of them.** Over all
#   years the United States ranks first on the partners graph (section 2): it is the one
#   partner present in every context, from the UN Command and the first attaché offices
#   to agreements of each kind and the exercises. Within each era, though, other partners
#   lead the ranking (the first of each era is printed above; Japan in the last), and the
#   later eras add partners that are tied to one another, not only to Korea. That fits
#   the thesis: diversification grew *around* the alliance, not in its place.
#
# Check the slices yourself in the page above (menu "Administration"), or with
# `net.projection(graph, "partners", administration="lee-myung-bak")`.
