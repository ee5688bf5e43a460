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
from IPython.display import display

import kgraph
import kgraph.figures
import kgraph.network as net
import kgraph.viz
from kgraph import thesis

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
# - **partners**: partner to partner, tied by the contexts they really shared (a
#   multilateral exercise, a UN mission, the 1950 UN Command, a grouping such as NATO);
#   a context of n partners adds 1/(n−1) to each pair. Holding the same kind of bilateral
#   instrument with Korea is *not* a shared context (two holders of a defence cooperation
#   agreement never met over it), so partners whose ties are all bilateral are left out;
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
print("partners left out of the partners projection (no shared context):",
      projections["partners"].graph["isolates_left_out"])
for name in ("ego", "partners"):
    s = net.summary(projections[name])
    print(f"density of {name}: {s['density']:.3f}, components: {s['components']}")
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
# with the others (exercises, UN missions, the UN Command, NATO, ASEAN or NORDEFCO
# membership). A partner's strength is the number of contexts it shared (Newman's
# weighting gives each context a total of 1 per member). Betweenness picks out the
# partners that join otherwise separate groups: the United States (NATO, the UN Command
# and the Pacific exercises) and Singapore (ASEAN and the exercises).

# %%
partner_rank = ranking("partners", sort_by="betweenness")
print("top partner by betweenness (partners):", partner_rank["label"].iloc[0])
print("second by betweenness (partners):", partner_rank["label"].iloc[1])
partner_rank

# %% [markdown]
# On the **bipartite projection** two partners are tied only by the multilateral records
# they share: the 1950 UN Command and the multinational exercises of 2019.

# %%
ranking("bipartite-projection", sort_by="betweenness")

# %% [markdown]
# ## 3. The interactive page, inline
#
# `kgraph.viz.show(graph)` builds one self-contained page (vis-network embedded,
# nothing fetched from the internet) with every projection and a slice per
# administration: choose them in the two menus, hover a node or edge for its ties, dates
# and records. Node colour is the UN M49 region, the same in every view; partner–partner
# edges are coloured by the kind of context the partners shared. The cell's output also
# carries a static picture (PNG) of the opening projection, which is what a notebook
# reopened untrusted, or a viewer that runs no scripts, shows instead.
# `kgraph network --out DIR` writes the same page as `network.html`.

# %%
view = kgraph.viz.show(graph, "partners")
print(f"page size: {len(view.page.encode('utf-8')) / 1e6:.1f} MB")
# IPython suggests IFrame for any "<iframe": that one needs a URL or file, which is what srcdoc avoids.
warnings.filterwarnings("ignore", message="Consider using IPython.display.IFrame")
display(view)

# %% [markdown]
# ## 4. From one ally to many partners?
#
# `kgraph.thesis.measures` (also `kgraph thesis` on the command line) counts, per
# administration or per decade, both the ties **new** in the period and all ties
# **reached** by its end: partners, the share of ties with the United States, how the
# ties spread over UN M49 sub-regions (Shannon entropy in bits; Herfindahl–Hirschman
# index) and the kinds of tie per partner. Its rules for dates: a tie is new in a period
# when all its possible days fall in it (a tie printed "1950s" is new in the 1950s, and in
# no administration if the decade spans a change: those ties are a row of their own); a
# tie is reached by a period's end when its last possible day is on or before it.

# %%
by_adm = thesis.measures(graph)
new = by_adm[by_adm["scope"] == "new"].set_index("period")
reached = by_adm[by_adm["scope"] == "reached"].set_index("period")
for adm in ("rhee-syngman", "kim-young-sam", "lee-myung-bak", "moon-jae-in"):
    r = new.loc[adm]
    print(f"new under {adm}: {r.partners} partners, {r.ties} ties, {r.us_ties} with the US, "
          f"entropy {r.region_entropy:.2f} bits")
for adm in ("rhee-syngman", "roh-tae-woo", "lee-myung-bak", "moon-jae-in"):
    r = reached.loc[adm]
    print(f"reached by the end of {adm}: {r.partners} partners, US share {r.us_share:.1%}, "
          f"HHI {r.region_hhi:.3f}, kinds per partner {r.kinds_per_partner:.2f}")
print("ties that straddle a change of administration:",
      int(new.loc["spans a change of administration", "ties"]))
by_adm.drop(columns=["first_day", "last_day"]).round(3)

# %%
by_decade = thesis.measures(graph, by="decade")
for decade in ("1990s", "2000s", "2010s"):
    print(f"partners in the {decade}:",
          int(by_decade[(by_decade["period"] == decade) & (by_decade["scope"] == "new")]["partners"].iloc[0]))
by_decade.drop(columns=["first_day", "last_day", "label"]).round(3)

# %%
kgraph.figures.thesis(graph)
plt.show()

# %% [markdown]
# Where did the US ties of the last administration come from?

# %%
ties = net.ties(graph)
recent_us = [t for t in ties if t.partner == USA and t.early and t.early.year >= 2008]
print("US ties since 2008:", len(recent_us))
print("of which 2019 exercises:", sum(1 for t in recent_us if t.kind == "exercise" and t.early.year == 2019))

# %% [markdown]
# ### What the numbers say
#
# - **Many partners: yes.** Partners reached grow from 25 at the end of Rhee Syngman's
#   term (almost all the 1950 UN Command) to 28 by the end of Roh Tae-woo's, then 71 by
#   the end of Lee Myung-bak's and all 91 by the end of Moon Jae-in's. New partners per
#   decade rise from 24 in the 1990s to 39 in the 2000s and 55 in the 2010s, and the
#   kinds of tie per partner reached rise from 1.2 to 2.1: the same partners are tied in
#   more ways.
# - **Spread, not a shift of centre.** The regional entropy of all ties reached rises
#   (3.2 bits under Rhee to 3.8–3.9 from Lee Myung-bak on) and the HHI falls (0.14 to
#   0.08–0.09):
#   the ties reach more regions more evenly; no one region replaces another.
# - **"One ally" is not what the ties measure.** The US share of ties is low throughout
#   (under 10 % of ties reached at every period's end) because the alliance itself (the
#   1953 treaty, the Combined Forces Command) is not a record of the report's tables. Under
#   Lee Myung-bak no new tie was with the United States; under Moon Jae-in 10 of 35 were,
#   all exercises of 2019.
# - **Caveats.** The tables cover different periods: exercises are tabulated for 2019 only
#   (図表11), attaché offices from their founding, the agreements of 資料3–5 from the
#   1990s. So later periods gain kinds of tie earlier ones could not have, and Moon Jae-in's
#   US share is inflated by one year of exercises. Counting ties measures how wide Korea's
#   defence diplomacy grew around the alliance, not how much Korea relied on it.
#
# Check the slices yourself in the page above (menu "Slice"), with
# `net.projection(graph, "partners", administration="lee-myung-bak")`, or with
# `kgraph thesis --by decade`.
