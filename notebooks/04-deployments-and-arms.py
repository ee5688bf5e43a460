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
# # Troops abroad and weapons sold
#
# **The question:** where did Korea send troops after 1991, how many, in which category
# of operation and with or without the National Assembly's consent; whom did it sell its
# K-9 howitzer to; and do the report's printed totals agree with its own rows?
#
# Sources: 資料2 (overseas deployments since 1991, with current figures as of
# 31 December 2019) and its categories (図表7), 図表13 (K-9 contracts), 図表2 (troops in
# Vietnam by year). Where a printed total disagrees with the sum of its rows, the graph
# keeps both; this notebook shows the differences rather than hiding them.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

import kgraph
import kgraph.figures

pd.set_option("display.max_colwidth", 70)
pd.set_option("display.max_rows", 60)
kg = kgraph.load()


def show(fig):
    """Show a figure inline, once: here, not again at the end of the cell."""
    plt.close(fig)
    display(fig)


# %% [markdown]
# ## 1. Every deployment since 1991
#
# One row per deployment of 資料2: destinations, start and end (at the table's
# precision), whether it was still under way at the end of 2019, whether the National
# Assembly consented, current and cumulative personnel, and its category.

# %%
deployments = kgraph.query("deployments")
print("deployments since 1991:", len(deployments))
print("with National Assembly consent:", int(deployments["consent"].sum()))
print("still under way at the end of 2019:", int(deployments["ongoing"].sum()))
deployments

# %% [markdown]
# ## 2. By category and by destination
#
# The four categories of 図表7; rows the report does not place in a category are counted
# apart, not guessed.

# %%
by_category = kgraph.query("deployments-by-category")
for row in by_category.itertuples():
    print(f"category {row.category}: {row.deployments} deployments, {row.total_personnel} people in all")
by_category

# %% [markdown]
# Consent by category, and by size. Units (an engineer battalion, a medical group, the
# Zaytun Division) went to the National Assembly for consent; observers, staff and liaison
# officers sent one by one mostly did not, so the deployments with consent account for
# almost everyone sent abroad.

# %%
consent = pd.crosstab(deployments["category"].fillna("(no category stated)"),
                      deployments["consent"].map({True: "with consent", False: "without consent"}),
                      margins=True, margins_name="all")
people = deployments.groupby("consent")["total"].agg(["count", "sum", "median"])
print("deployments with consent, UN peacekeeping:",
      int(consent.loc["UN peacekeeping operations", "with consent"]))
print("people sent by deployments with consent:", int(people.loc[True, "sum"]))
print("people sent by deployments without consent:", int(people.loc[False, "sum"]))
print(f"median deployment: {people.loc[True, 'median']:.0f} people with consent, "
      f"{people.loc[False, 'median']:.0f} without")
consent

# %%
by_destination = kgraph.query("deployments-by-destination")
top = by_destination.iloc[0]
print(f"largest destination by personnel: {top['destination']} ({top['total_personnel']} people, "
      f"{top['deployments']} deployments)")
by_destination.head(10)

# %%
ax = by_destination.head(12).set_index("destination")["total_personnel"][::-1].plot.barh(
    figsize=(8, 4.5), color="#0072B2")
ax.set_xlabel("people sent, all rotations (the cumulative figure of Appendix 2)")
ax.set_ylabel("")
ax.set_title("Where the troops went: the twelve largest destinations", loc="left", fontsize=10)
plt.show()

# %% [markdown]
# ## 3. The table's printed totals against its rows
#
# 資料2 prints a total line (総計). Its rows do not add up to it: the named query
# `deployment-totals-check` sets the two side by side. The same sums computed here from
# the rows with pandas agree with the query.

# %%
check = kgraph.query("deployment-totals-check").set_index("measure")
for measure in ("current personnel", "total personnel"):
    print(f"{measure}: printed {check.loc[measure, 'printed']}, "
          f"sum of rows {check.loc[measure, 'sum_of_rows']}, "
          f"difference {check.loc[measure, 'difference']}")
print("current personnel, rows summed in pandas:", int(deployments["current"].sum()))
print("total personnel, rows summed in pandas:", int(deployments["total"].sum()))
check

# %% [markdown]
# ## 4. The deployments on a timeline
#
# Each deployment from its first to its last possible day; orange ones were still under
# way at the end of 2019; thicker bars sent more people.

# %%
show(kgraph.figures.deployment_timeline(kg))

# %% [markdown]
# ## 5. The K-9 howitzer contracts (図表13)

# %%
k9 = kgraph.query("k9-contracts")
print("K-9 contracts:", len(k9))
print("K-9 units:", int(k9["quantity"].sum()))
print(f"K-9 value: US${k9['value_usd'].sum() / 1e9:.2f} billion")
k9

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5), constrained_layout=True)
labels = [f"{b}\n{str(s)[:4]}" for b, s in zip(k9["buyer"], k9["signed"], strict=True)]
left.bar(labels, k9["quantity"], color="#0072B2")
left.set_title("K-9 units per contract", loc="left", fontsize=10)
right.bar(labels, k9["value_usd"] / 1e6, color="#E69F00")
right.set_title("contract value, US$ million", loc="left", fontsize=10)
for ax in (left, right):
    ax.tick_params(axis="x", labelsize=8)
plt.show()

# %% [markdown]
# ## 6. Vietnam: printed yearly totals against the services
#
# 図表2 gives troops in Vietnam per year and per service, with a printed total per year.
# In 1970 the printed total is two short of the sum of the services; every other year
# agrees. (A "—" cell of the table is absent from the graph, not zero.)

# %%
vietnam = kgraph.query("vietnam-troops-by-year")
differs = vietnam[vietnam["difference"] != 0]
for row in differs.itertuples():
    print(f"Vietnam {row.year}: printed {row.printed_total}, sum of services {row.sum_of_services}, "
          f"difference {row.difference}")
print("Vietnam years where the printed total differs:", ", ".join(differs["year"].astype(str)))
print("Vietnam peak year (printed):", vietnam.loc[vietnam["printed_total"].idxmax(), "year"])
vietnam

# %%
ax = vietnam.set_index("year")[["printed_total", "sum_of_services"]].plot(
    figsize=(8, 3.5), style=["o-", "x--"])
ax.set_ylabel("troops in Vietnam")
ax.set_title("Korean troops in Vietnam, 1964–1972: printed totals and the sum of the services",
             loc="left", fontsize=10)
plt.show()
