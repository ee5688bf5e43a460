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
# # A SPARQL tour of the graph
#
# **The question:** what does the graph hold, how do I ask it questions, and what does
# reasoning change in the answers?
#
# The graph is built from Ito Kotaro's report *South Korea's "Defense Diplomacy"*
# (Sasakawa Peace Foundation, 2020). This notebook walks from the ontology (what kinds of
# things there are) through the library of named queries, builds up queries from one line
# to joins across agreement types, dates and administrations, and ends with what OWL 2 RL
# reasoning adds. It uses only the public API: `kgraph.load()`, `kgraph.query()` (SPARQL
# or a named query in, pandas DataFrame out), `kgraph.named_queries()` and the `%%sparql`
# cell magic. Prefixes (`dd:`, `country:`, `agr:`, `adm:`, `xsd:` …) are predeclared.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from rdflib import URIRef

import kgraph

pd.set_option("display.max_colwidth", 90)
pd.set_option("display.max_rows", 60)

kg = kgraph.load()  # built once (reasoning is cached on disk), then kept for the session
print("triples in the graph:", len(kg.ox))

# %% [markdown]
# ## 1. The ontology in one table
#
# Every class of the ontology (`dd:`) with its English and Japanese labels, its
# superclass and its English definition, straight from SPARQL over the ontology.

# %%
classes = kgraph.query("""
SELECT (STRAFTER(STR(?class), "#") AS ?term) ?label_en ?label_ja ?superclass ?definition WHERE {
  ?class a owl:Class .
  FILTER(STRSTARTS(STR(?class), STR(dd:)))
  OPTIONAL { ?class rdfs:label ?label_en . FILTER(LANG(?label_en) = "en") }
  OPTIONAL { ?class rdfs:label ?label_ja . FILTER(LANG(?label_ja) = "ja") }
  OPTIONAL { ?class rdfs:subClassOf ?superclass . FILTER(STRSTARTS(STR(?superclass), STR(dd:))) }
  OPTIONAL { ?class skos:definition ?definition . FILTER(LANG(?definition) = "en") }
}
ORDER BY ?term
""")
print("ontology classes:", classes["term"].nunique())
classes

# %% [markdown]
# ## 2. The named queries
#
# The package ships a library of queries, each answering one question of the report.
# `kgraph.query(name)` runs one; `kgraph queries` lists them on the command line.

# %%
library = pd.DataFrame([(q.name, q.title, q.question) for q in kgraph.named_queries()],
                       columns=["name", "title", "question"])
print("named queries:", len(library))
library

# %% [markdown]
# ## 3. From one line to joins
#
# **One triple pattern.** Who is the partner of the military information agreement
# `agr:gsomia-JPN`? IRIs come back as labels (English unless `lang=` says otherwise).

# %%
kgraph.query("SELECT ?partner WHERE { agr:gsomia-JPN dd:partner ?partner }")

# %%
kgraph.query("SELECT ?partner WHERE { agr:gsomia-JPN dd:partner ?partner }", lang="ja")

# %% [markdown]
# **A type and dates.** Every military information agreement (GSOMIA, 資料4) with its
# signing and entry-into-force dates. `dd:signedOn` is the first possible day (an
# `xsd:date` every engine compares alike): *sort and compare* with it. `dd:signedOnAsPrinted`
# keeps the report's precision (a day, or a month like `"2009-04"`): *show* that one.

# %%
gsomia = kgraph.query("""
SELECT ?partner ?signed ?in_force WHERE {
  ?a a dd:MilitaryInformationAgreement ; dd:partner ?partner ; dd:signedOnAsPrinted ?signed ;
     dd:signedOn ?day .
  OPTIONAL { ?a dd:inForceFromAsPrinted ?in_force }
} ORDER BY ?day
""")
print("military information agreements:", len(gsomia))
gsomia.tail(8)

# %% [markdown]
# **A join across agreement types.** Partners that hold more than one of the three kinds
# of agreement (defence cooperation 資料5, military information 資料4, defence industry
# 資料3). This is the named query `partners-with-several-agreement-kinds`:

# %%
several = kgraph.query("partners-with-several-agreement-kinds")
print("partners with all three kinds:", int((several["kinds"] == 3).sum()))
several.head(12)

# %% [markdown]
# **A join with administrations.** Each dated record belongs to the administration in
# office on its date (derived by the rules in `derive.py`); a month-dated record that
# straddles a change of president gets no administration, never a guess. The named query
# `agreements-per-administration` rebuilds the numbers behind the report's Figures 4–6:

# %%
per_admin = kgraph.query("agreements-per-administration")
for name in ("Lee Myung-bak administration", "Park Geun-hye administration"):
    print(f"agreements under {name}:", int(per_admin.set_index("administration").loc[name, "total"]))
print("agreements in all:", int(per_admin["total"].sum()))
per_admin

# %% [markdown]
# **Dates through their bounds.** Agreements of every kind per year: the year of the
# earliest possible signing day (every agreement's year is certain). Then the same in a
# picture.

# %%
per_year = kgraph.query("agreements-per-year").set_index("year")
ax = per_year[["defense_cooperation", "military_information", "defense_industry"]].plot.bar(
    stacked=True, figsize=(10, 3.5), width=0.8)
ax.set_ylabel("agreements signed")
ax.set_title("Agreements signed per year, by kind (Appendices 3, 4 and 5)", loc="left", fontsize=10)
plt.show()

# %% [markdown]
# **All three at once: type, date and administration, in Japanese.** The defence
# cooperation agreements of 2017. Egypt and Angola were signed in March 2017, the month
# Park Geun-hye was removed (10 March), so they have no administration; Fiji and Botswana
# fall under Park Geun-hye while Hwang Kyo-ahn was acting president.

# %%
kgraph.query("""
SELECT ?partner ?signed ?admin ?acting WHERE {
  ?a a dd:DefenseCooperationAgreement ; dd:partner ?partner ; dd:signedOnAsPrinted ?signed ;
     dd:signedOn ?d .
  OPTIONAL { ?a dd:duringAdministration ?admin }
  OPTIONAL { ?a dd:duringActingPresidency ?acting }
  FILTER(YEAR(?d) = 2017)
} ORDER BY ?d ?partner
""", lang="ja")

# %% [markdown]
# ## 4. What reasoning changes
#
# The data types each agreement with its most specific class only
# (`dd:DefenseCooperationAgreement`, `dd:MilitaryInformationAgreement`,
# `dd:DefenseIndustryAgreement`). That they are all `dd:Agreement`s is a consequence of
# the ontology's `rdfs:subClassOf` axioms, which OWL 2 RL reasoning adds. Ask the same
# question with and without reasoning:

# %%
COUNT_AGREEMENTS = "SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:Agreement }"
kg_plain = kgraph.load(reasoning=False)  # the asserted data and the ontology, no inferences

with_reasoning = int(kgraph.query(COUNT_AGREEMENTS)["n"][0])
without_reasoning = int(kgraph.query(COUNT_AGREEMENTS, kg=kg_plain)["n"][0])
print("agreements with reasoning:", with_reasoning)
print("agreements without reasoning:", without_reasoning)

# %% [markdown]
# Properties work the same way. `dd:partner` (the counterpart of Korea) is declared a
# subproperty of `dd:party` (any party, Korea included). Here the data *already* asserts
# both Korea and the partner as `dd:party` on every agreement: the SHACL shapes check
# this before reasoning runs, so that validation does not depend on the reasoner. The
# count of `dd:party` pairs is therefore the same either way, and the reasoner adds no
# `dd:party` triple of its own. Where a query combines the property with the class, the
# difference comes back:

# %%
COUNT_PARTY = "SELECT (COUNT(*) AS ?n) WHERE { ?a dd:party ?p }"
COUNT_AGREEMENT_PARTY = "SELECT (COUNT(*) AS ?n) WHERE { ?a a dd:Agreement ; dd:party ?p }"
DD_PARTY = URIRef("https://w3id.org/defdip/ontology#party")
print("dd:party pairs with reasoning:", int(kgraph.query(COUNT_PARTY)["n"][0]))
print("dd:party pairs without reasoning:", int(kgraph.query(COUNT_PARTY, kg=kg_plain)["n"][0]))
# kg.inferred holds only what the reasoner added, kept apart from the asserted data.
print("dd:party triples added by the reasoner:", len(list(kg.inferred.triples((None, DD_PARTY, None)))))
print("dd:Agreement parties with reasoning:", int(kgraph.query(COUNT_AGREEMENT_PARTY)["n"][0]))
print("dd:Agreement parties without reasoning:",
      int(kgraph.query(COUNT_AGREEMENT_PARTY, kg=kg_plain)["n"][0]))

# %% [markdown]
# A subproperty the data does *not* duplicate shows the entailment itself: every
# `dd:signedOnAsPrinted` is also a `dcterms:date` (so generic Dublin Core tools see the
# dates, at the report's precision).

# %%
COUNT_DC_DATE = ("SELECT (COUNT(?a) AS ?n) WHERE { ?a a dd:DefenseCooperationAgreement ; "
                 "dcterms:date ?d }")
print("dcterms:date of defence cooperation agreements with reasoning:",
      int(kgraph.query(COUNT_DC_DATE)["n"][0]))
print("dcterms:date of defence cooperation agreements without reasoning:",
      int(kgraph.query(COUNT_DC_DATE, kg=kg_plain)["n"][0]))

# %% [markdown]
# ## 5. The `%%sparql` cell magic
#
# `%load_ext kgraph` registers a cell magic: write SPARQL in a cell and get a DataFrame.
# Options: `--lang ja` (or `ko`) for labels, `--iris` for IRIs instead of labels, and
# `-o NAME` to keep the DataFrame in a variable.

# %%
# %load_ext kgraph

# %%
# %%sparql -o dca
SELECT ?partner ?signed ?administration WHERE {
  ?a a dd:DefenseCooperationAgreement ; dd:partner ?partner ; dd:signedOnAsPrinted ?signed ;
     dd:signedOn ?day .
  OPTIONAL { ?a dd:duringAdministration ?administration }
} ORDER BY ?day

# %%
print("defence cooperation agreements:", len(dca))
print("first defence cooperation agreement:", dca["partner"][0], dca["signed"][0])

# %%
# %%sparql --lang ja
SELECT ?buyer ?signed ?quantity ?value_usd WHERE {
  ?sale a dd:ArmsSale ; dd:weapon weapon:k9 ; dd:buyer ?buyer ; dd:signedOnAsPrinted ?signed ;
        dd:signedOn ?day ; dd:quantity ?quantity ; dd:valueUSD ?value_usd .
} ORDER BY ?day

# %%
# %%sparql --iris
SELECT ?country ?code WHERE { ?country dd:iso3 ?code } ORDER BY ?code LIMIT 5

# %% [markdown]
# A mistake in a query prints one line saying what is wrong and where (the same message
# as the command line), not a Python traceback:

# %%
# %%sparql
SELECT ?partner WHERE { ?a dd:partner ?partner

# %% [markdown]
# ## Where next
#
# - `02-partner-network.py`: the partners as networks and what centrality says.
# - `03-administrations.py`: agreements, deployments and sales per administration.
# - `04-deployments-and-arms.py`: troops abroad and the K-9 contracts.
# - `05-publishing.py`: the published dump, its VoID description, and querying it back.
