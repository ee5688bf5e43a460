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
# # Adding records of one's own
#
# **The question:** the report ends in 2020. How does a researcher add the agreements
# signed since (or any record the report lacks), check them, and count them beside the
# report's, without editing the bundled files?
#
# The answer is a CSV filled from a template and layered on the bundled graph with
# `add=` (on the command line, `--add FILE_OR_DIR` on every command). The three records
# below are **fictitious examples**, under `http://example.org/`: they show the mechanics,
# not facts.

# %%
import csv
import io
import tempfile
from pathlib import Path

import pandas as pd

import kgraph
import kgraph.userdata
from kgraph.errors import KgraphError

work = Path(tempfile.mkdtemp(prefix="kgraph-mine-"))

# %% [markdown]
# ## 1. A template
#
# `kgraph template agreement` prints the same text as `kgraph.userdata.template_csv`:
# comment lines saying how to fill it (`#` starts a comment, as CSV on the Web allows),
# a `# base:` line giving the namespace of one's own records, the header row, and a
# commented example row. The columns are those of `kgraph tables` without the ones the
# build derives (precision, day bounds, administration), plus the record's source.

# %%
template = kgraph.userdata.template_csv("agreement")
header = next(csv.reader([line for line in template.splitlines() if not line.startswith("#")]))
print("template columns:", len(header))
print(", ".join(header))

# %% [markdown]
# ## 2. Three fictitious agreements
#
# Dates are written as the source prints them: a month, a day, a year. A partner is an
# ISO 3166 alpha-3 code, a prefixed name or a full IRI. One label in one language is
# enough. Each row names its source: a title, a URL (or a citation) and the day it was read.

# %%
rows = [
    {"iri": "agreement/defcoop-POL-example", "kind": "DefenseCooperationAgreement",
     "label_en": "Korea–Poland defence cooperation agreement (fictitious example)",
     "signedOn_as_printed": "2023-05", "partners": "POL"},
    {"iri": "agreement/gsomia-PHL-example", "kind": "MilitaryInformationAgreement",
     "label_ko": "한-필리핀 군사정보보호협정 (가상의 예)", "signedOn_as_printed": "2019-11-02",
     "partners": "country:PHL"},
    {"iri": "agreement/industry-NOR-example", "kind": "DefenseIndustryAgreement",
     "label_en": "Korea–Norway defence-industry MOU (fictitious example)",
     "signedOn_as_printed": "2021", "partners": "NOR"},
]
source = {"source_title": "An example source (fictitious)", "source_url": "http://example.org/source",
          "source_accessed": "2025-01-31"}
buf = io.StringIO()
buf.write("# Fictitious example records: they show how to add records, they are not facts.\n")
buf.write("# base: http://example.org/kgraph-example/\n")
writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
writer.writeheader()
for row in rows:
    writer.writerow(row | source)
mine = work / "my-agreements.csv"
mine.write_text(buf.getvalue(), encoding="utf-8")
print("records written:", len(rows))

# %% [markdown]
# ## 3. Check them
#
# The same SHACL shapes as the report's records, with two differences: a user record
# may be dated after 2020, and a label in one language is enough. Its source must have a
# title, a URL or citation, and the day it was consulted.

# %%
kg = kgraph.load(add=[mine])
report = kgraph.validate(kg)
print("valid:", report.conforms)
print("violations:", len(report.violations))

# %% [markdown]
# The build derived for them what it derives for the report's records: the comparable
# day, the precision, the first and last possible days, and the administration in office.

# %%
derived = kgraph.query("""
SELECT ?agreement ?signed ?precision ?earliest ?latest ?administration WHERE {
  ?agreement dd:signedOn ?signed ; dd:signedOnPrecision ?precision ;
             dd:signedOnEarliest ?earliest ; dd:signedOnLatest ?latest ;
             dd:duringAdministration ?administration .
  FILTER(STRSTARTS(STR(?agreement), "http://example.org/"))
} ORDER BY ?signed""", kg=kg)
derived

# %%
for r in derived.itertuples():
    print(f"{r.agreement}: {r.precision} precision, {r.earliest:%Y-%m-%d} to {r.latest:%Y-%m-%d}, "
          f"under {r.administration}")

# %% [markdown]
# ## 4. Count them beside the report's
#
# `agreements-per-year` now has a 2021 and a 2023 row, and one more agreement in 2019.

# %%
before = kgraph.query("agreements-per-year").set_index("year")
after = kgraph.query("agreements-per-year", kg=kg).set_index("year")
for year in (2019, 2021, 2023):
    was = int(before["total"].get(year, 0))
    print(f"agreements in {year}: {was} in the report, {int(after.loc[year, 'total'])} with mine")
print("agreements in all:", int(after["total"].sum()))

# %% [markdown]
# ## 5. Mistakes are named by row and column
#
# A day that does not exist stops the build with one line naming the file, the row and
# the column, and what to do; so do an unknown partner, a new record under the bundled
# namespace, and a second value for something a bundled record already has once.

# %%
broken = work / "broken-agreements.csv"
broken.write_text(mine.read_text(encoding="utf-8").replace("2023-05", "2023-02-30"), encoding="utf-8")
try:
    kgraph.load(add=[broken])
except KgraphError as exc:
    print("error:", exc.message.replace(str(work) + "/", ""))

# %%
conflict = work / "corrections.ttl"
conflict.write_text("""@prefix dd: <https://w3id.org/defdip/ontology#> .
@prefix agr: <https://w3id.org/defdip/id/agreement/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
agr:defcoop-DEU dd:signedOnAsPrinted "1999-05"^^xsd:gYearMonth .
""", encoding="utf-8")
try:
    kgraph.load(add=[conflict])
except KgraphError as exc:
    print("error:", exc.message.replace(str(work) + "/", ""))

# %% [markdown]
# Adding to a bundled record what it lacks is fine: a Korean label, an end date.

# %%
korean = work / "korean-labels.ttl"
korean.write_text("""@prefix agr: <https://w3id.org/defdip/id/agreement/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
agr:defcoop-DEU rdfs:label "한국-독일 국방협력협정 (예)"@ko .
""", encoding="utf-8")
labelled = kgraph.load(add=[korean])
ko = kgraph.query("SELECT ?label WHERE { agr:defcoop-DEU rdfs:label ?label FILTER(LANG(?label) = 'ko') }",
                  kg=labelled)
print("Korean label of agr:defcoop-DEU:", ko["label"].iloc[0])

# %%
import shutil

shutil.rmtree(work)
