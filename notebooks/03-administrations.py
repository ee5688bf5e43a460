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
# # Defence diplomacy per administration
#
# **The question:** how much defence diplomacy (agreements signed, troops sent abroad,
# weapons sold) happened under each South Korean administration, and which records cannot
# honestly be placed under one?
#
# The report's Figures 4, 5 and 6 counted agreements per administration, but their numbers
# were lost from the text; this notebook rebuilds them from the appendices they were drawn
# from (資料3, 資料4, 資料5), adds deployments (資料2) and arms sales (図表13 and the
# text), and keeps the awkward cases in view:
#
# - the **interim administration** of 2017 (Hwang Kyo-ahn, 11 March to 9 May, after Park
#   Geun-hye's removal) is an administration of its own;
# - records signed while a suspended president's powers were exercised by an **acting
#   president** (Goh Kun 2004, Hwang Kyo-ahn 2016–17) stay with the suspended president's
#   administration but are flagged `dd:duringActingPresidency`;
# - a record dated only to a month (or year) in which the president changed gets **no**
#   administration, only `dd:possibleAdministration` for each candidate.

# %%
from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

import kgraph
import kgraph.figures

pd.set_option("display.max_colwidth", 70)
kg = kgraph.load()


def show(fig):
    """Show a figure inline, once: here, not again at the end of the cell."""
    plt.close(fig)
    display(fig)


# %% [markdown]
# ## 1. The administrations
#
# Exact first and last days, from reference data (the report gives years only). The
# `records` column counts every dated record of the graph that falls in each.

# %%
admins = kgraph.query("administrations")
interim_2017 = admins[admins["administration"].str.contains("Hwang Kyo-ahn")].iloc[0]
# Day columns are datetime64: .date() shows the day without a time.
print("interim administration 2017:", interim_2017["start"].date(), "to", interim_2017["end"].date())
print("records under the 2017 interim administration:", interim_2017["records"])
admins

# %% [markdown]
# ## 2. Agreements per administration: the report's Figures 4–6, rebuilt
#
# The named query gives the counts; `kgraph.figures.agreements_per_administration` draws
# the three panels. Agreements whose month straddles a change of president are counted
# apart (the grey hatched bar), not guessed.

# %%
per_admin = kgraph.query("agreements-per-administration").set_index("administration")
print("agreements in all:", int(per_admin["total"].sum()))
print("agreements under Lee Myung-bak:", int(per_admin.loc["Lee Myung-bak administration", "total"]))
print("agreements under Park Geun-hye:", int(per_admin.loc["Park Geun-hye administration", "total"]))
print("agreements whose date straddles a change:",
      int(per_admin.loc["(date straddles a change of administration)", "total"]))
per_admin

# %%
show(kgraph.figures.agreements_per_administration(kg))

# %% [markdown]
# ## 3. Agreements, deployments and sales side by side
#
# One query counts the three kinds of record per administration (from Chun Doo-hwan's
# on: the appendices' first agreement is the 1987 GSOMIA with the United States), and how
# many of them fall during an acting presidency. Deployments are those of 資料2, counted under the administration
# in office when they started.

# %%
PER_ADMINISTRATION = """
SELECT ?administration ?start ?interim ?kind (COUNT(?record) AS ?records)
       (SUM(IF(BOUND(?acting), 1, 0)) AS ?during_acting_presidency) WHERE {
  ?administration a dd:Administration ; dd:startDate ?start ; dd:endDate ?end .
  BIND(EXISTS { ?administration a dd:InterimAdministration } AS ?interim)
  # From the first agreement to the report's last data (2019): later administrations
  # have no records of the report.
  FILTER(?end >= "1988-01-01"^^xsd:date && ?start <= "2019-12-31"^^xsd:date)
  VALUES ?kind { "agreements" "deployments" "arms sales" }
  OPTIONAL {
    { ?record a dd:Agreement . BIND("agreements" AS ?k) }
    UNION { ?record a dd:Deployment ; prov:wasDerivedFrom src:appendix-2 . BIND("deployments" AS ?k) }
    UNION { ?record a dd:ArmsSale . BIND("arms sales" AS ?k) }
    FILTER(?k = ?kind)
    ?record dd:duringAdministration ?administration .
    OPTIONAL { ?record dd:duringActingPresidency ?acting }
  }
} GROUP BY ?administration ?start ?interim ?kind
"""
long = kgraph.query(PER_ADMINISTRATION)
order = long.drop_duplicates("administration").sort_values("start")["administration"]
side = long.pivot(index="administration", columns="kind", values="records").loc[order]
side = side[["agreements", "deployments", "arms sales"]]
acting = long.groupby("administration")["during_acting_presidency"].sum().loc[order]
side["of which during an acting presidency"] = acting
side.columns.name = None
side["interim"] = long.drop_duplicates("administration").set_index("administration")["interim"].loc[order]

hwang = "Interim administration of Hwang Kyo-ahn (2017)"
print("deployments started per administration, in all:", int(side["deployments"].sum()))
print("arms sales under the 2017 interim administration:", int(side.loc[hwang, "arms sales"]))
print("records during an acting presidency (agreements, deployments, sales):", int(acting.sum()))
side

# %% [markdown]
# And the records of these kinds that have no administration: either their date
# straddles a change (they have candidates) or they carry no date at all.

# %%
UNPLACED = """
SELECT ?kind ?why (COUNT(?record) AS ?records) WHERE {
  { ?record a dd:Agreement . BIND("agreements" AS ?kind) }
  UNION { ?record a dd:Deployment ; prov:wasDerivedFrom src:appendix-2 . BIND("deployments" AS ?kind) }
  UNION { ?record a dd:ArmsSale . BIND("arms sales" AS ?kind) }
  FILTER NOT EXISTS { ?record dd:duringAdministration ?adm }
  BIND(IF(EXISTS { ?record dd:possibleAdministration ?c }, "date straddles a change", "no date")
       AS ?why)
} GROUP BY ?kind ?why ORDER BY ?kind ?why
"""
unplaced = kgraph.query(UNPLACED)
for row in unplaced.itertuples():
    print(f"{row.kind} without an administration ({row.why}):", row.records)
unplaced

# %% [markdown]
# A picture of the table: each bar is an administration (interim ones marked with `*`);
# the hatched part of a bar is what was signed or started during an acting presidency.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=False, constrained_layout=True)
long_acting = long.pivot(index="administration", columns="kind",
                         values="during_acting_presidency").loc[order]
names = [a.replace(" administration", "") + ("*" if side.loc[a, "interim"] else "") for a in order]
for ax, kind, color in zip(axes, ["agreements", "deployments", "arms sales"],
                           ["#0072B2", "#009E73", "#E69F00"], strict=True):
    total = side[kind].to_numpy()
    flagged = long_acting[kind].to_numpy()
    ax.bar(range(len(order)), total - flagged, color=color)
    ax.bar(range(len(order)), flagged, bottom=total - flagged, color="white", edgecolor=color,
           hatch="///", label="during an acting presidency")
    for i, n in enumerate(total):
        ax.text(i, n, str(n), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(order)), names, rotation=40, ha="right", fontsize=8)
    ax.set_title(kind, loc="left", fontsize=10)
    ax.set_ylim(0, max(total.max(), 1) * 1.15)
    ax.yaxis.get_major_locator().set_params(integer=True)
axes[0].set_ylabel("records")
axes[0].legend(fontsize=8)
fig.suptitle("Agreements signed, deployments started and arms sales per administration "
             "(* interim administration)", fontsize=10)
plt.show()

# %% [markdown]
# Administrations differ in length (five years, or two months for the 2017 interim), so
# the pace per year in office is a fairer comparison. The report's tables end in 2019, so
# Moon Jae-in's years are counted to 31 December 2019 only. (A rate over two months, the
# 2017 interim's, is one sale, not a trend.)

# %%
# Day columns come back as pandas Timestamps (datetime64): compare with a Timestamp.
DATA_END = pd.Timestamp(date(2019, 12, 31))
days = admins.set_index("administration").loc[order]
years_in_office = [((min(e, DATA_END) - s).days + 1) / 365.25
                   for s, e in zip(days["start"], days["end"], strict=True)]
pace = side[["agreements", "deployments", "arms sales"]].div(years_in_office, axis=0).round(1)
pace.insert(0, "years covered", [round(y, 1) for y in years_in_office])
for name in ("Lee Myung-bak administration", "Park Geun-hye administration"):
    print(f"agreements per year in office, {name}:", pace.loc[name, "agreements"])
pace

# %% [markdown]
# ## 4. Acting presidencies
#
# Every record dated inside an acting presidency during a suspension (named query
# `acting-presidency-records`). They remain under the suspended president's
# administration, flagged.

# %%
acting_records = kgraph.query("acting-presidency-records")
print("records during an acting presidency:", len(acting_records))
for who, n in acting_records["acting"].value_counts().sort_index().items():
    print(f"  {who}:", n)
acting_records

# %% [markdown]
# ## 5. Records whose administration is uncertain
#
# The named query `straddling-records` lists every record dated too coarsely to fall
# under one administration, with the candidates. Most are decade-level attaché offices
# (図表8) and year-level statements. Three are agreements of 資料5: Saudi Arabia
# (February 2013, the month Park Geun-hye took office) and Egypt and Angola (March 2017,
# the month she was removed); one is an arms sale, the armoured vehicles for Malaysia
# (1993, the year Kim Young-sam took office).

# %%
straddling = kgraph.query("straddling-records")
print("records with uncertain administration:", len(straddling))
agreements = straddling[straddling["type"].str.contains("agreement")]
print("agreements with uncertain administration:", len(agreements))
print(straddling["type"].value_counts().to_string())
agreements

# %%
straddling
