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
# # Publishing the graph
#
# **The question:** what does a linked-data publisher get from `kgraph export`, what does
# the dataset description (VoID and DCAT) say about it, and do the published files answer
# a query exactly as the package does?
#
# `kgraph.export.export` writes deterministic dumps (Turtle, N-Triples, JSON-LD) of the
# four parts of the graph (ontology, asserted data, reasoner's inferences, derived facts)
# and of their union, one N-Quads file with the parts as named graphs, each file also
# gzipped and under a versioned name, a `void.ttl` describing them (DCAT 3 and VoID), the
# JSON-LD context and a `CITATION.cff`. Here they go into a temporary folder; on the
# command line, `kgraph export --out DIR`.

# %%
import re
import tempfile
from pathlib import Path

import pandas as pd
from rdflib import Graph

import kgraph
import kgraph.export

pd.set_option("display.max_colwidth", 70)
kg = kgraph.load()

# %% [markdown]
# ## 1. Export

# %%
out = Path(tempfile.mkdtemp(prefix="kgraph-dump-"))
result = kgraph.export.export(kg, out)
files = pd.DataFrame([(f.name, f.stat().st_size) for f in result.files], columns=["file", "bytes"])
print("files written:", len(files))
files

# %% [markdown]
# The parts are disjoint: the reasoner's triples are kept apart from the asserted ones,
# and the derived facts (administrations, day bounds of dates) apart from both.
# `kgraph.export.dump_parts` gives them as rdflib graphs:

# %%
parts = kgraph.export.dump_parts(kg)
sizes = pd.Series({name: len(g) for name, g in parts.items()}, name="triples")
print("triples in all:", sizes["all"])
print("sum of the four parts:", sizes.drop("all").sum())
sizes.to_frame()

# %% [markdown]
# ## 2. The dataset description, read back with rdflib
#
# `void.ttl` describes the dataset and each part as a `void:Dataset` (triples, entities,
# classes, properties), lists every file as a `dcat:Distribution` (IANA media type,
# licence, size, SHA-256) and points to example resources. Download links are absolute,
# under the URL the files will be published at (`--base-url`, by default
# `https://w3id.org/defdip/dump/`).

# %%
void = Graph().parse(out / "void.ttl")
print("triples in void.ttl:", len(void))

VOID_PROLOGUE = """
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
dataset = void.query(VOID_PROLOGUE + """
SELECT ?title ?triples ?entities ?classes ?properties ?license ?issued WHERE {
  ?ds a void:Dataset ; void:subset ?part ; dcterms:title ?title ; void:triples ?triples ;
      void:entities ?entities ; void:classes ?classes ; void:properties ?properties ;
      dcterms:license ?license ; dcterms:issued ?issued .
  FILTER(LANG(?title) = "en")
} LIMIT 1
""")
for row in dataset:
    print("dataset:", row.title)
    print("void triples:", row.triples)
    print("void entities:", row.entities)
    print("void classes:", row.classes)
    print("void properties:", row.properties)
    print("licence:", row.license)
    print("issued:", row.issued)

# %%
subsets = pd.DataFrame(
    [(str(r.part).rsplit("/", 1)[-1], int(r.triples), int(r.entities), int(r.classes))
     for r in void.query(VOID_PROLOGUE + """
SELECT ?part ?triples ?entities ?classes WHERE {
  ?ds void:subset ?part . ?part void:triples ?triples ; void:entities ?entities ;
                               void:classes ?classes .
} ORDER BY ?part""")],
    columns=["part", "triples", "entities", "classes"])
print("subsets:", len(subsets))
print("subset triples add up to the dataset's:", subsets["triples"].sum() == len(parts["all"]))
subsets

# %%
distributions = pd.DataFrame(
    [(Path(str(r.url)).name, str(r.media)) for r in void.query(VOID_PROLOGUE + """
SELECT ?url ?media WHERE { ?d a dcat:Distribution ; dcat:downloadURL ?url ; dcat:mediaType ?media }
ORDER BY ?url""")],
    columns=["file", "media type"])
print("distributions:", len(distributions))
print("distributions listed that were written:", set(distributions["file"]) <= set(files["file"]))
distributions

# %%
print((out / "CITATION.cff").read_text(encoding="utf-8"))

# %% [markdown]
# ## 3. Querying the published files
#
# A consumer does not need kgraph: load `kgraph-all.nt` into a fresh rdflib graph and run
# any named query over it. The named queries rely on kgraph's predeclared prefixes, so a
# consumer declares them; they are the `@prefix` lines of the Turtle dump. The answers
# must be the same as `kgraph.query` gives on the package's own graph (IRIs compared as
# IRIs: `labels=False`).

# %%
ttl_head = (out / "kgraph-all.ttl").read_text(encoding="utf-8")[:5000]
prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in re.findall(r"@prefix (\w+): <([^>]+)> \.", ttl_head))

published = Graph().parse(out / "kgraph-all.nt", format="nt")
print("triples loaded from kgraph-all.nt:", len(published))

library = {q.name: q.text for q in kgraph.named_queries()}
CHECKS = ["k9-contracts", "agreements-per-administration", "deployment-totals-check"]


def as_text(rows) -> list[tuple[str, ...]]:
    """Rows as sorted tuples of strings ("" for an unbound value), for comparison."""
    # pandas shows an unbound number as NaN, the only value that is not equal to itself;
    # a day column is datetime64, whose values print with a time: keep the day.
    return sorted(tuple("" if v is None or v != v else
                        v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v)
                        for v in row) for row in rows)


for name in CHECKS:
    expected = as_text(kgraph.query(name, labels=False).itertuples(index=False))
    got = as_text(published.query(prologue + library[name]))
    print(f"same answer from kgraph-all.nt (rdflib), {name}: {got == expected} ({len(got)} rows)")

# %% [markdown]
# The same with [pyoxigraph](https://pypi.org/project/pyoxigraph/), a triple store in
# Rust, if it is installed (`pip install pyoxigraph`). The named queries compare dates
# only through their day bounds, so a second SPARQL engine gives the same rows.

# %%
try:
    import pyoxigraph
except ImportError:
    pyoxigraph = None
    print("pyoxigraph is not installed: skipped")

if pyoxigraph is not None:
    store = pyoxigraph.Store()
    store.load(path=str(out / "kgraph-all.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    print("triples loaded into pyoxigraph:", len(store))
    for name in CHECKS:
        expected = as_text(kgraph.query(name, labels=False).itertuples(index=False))
        solutions = store.query(prologue + library[name])
        names = [v.value for v in solutions.variables]
        got = as_text([[None if s[n] is None else s[n].value for n in names] for s in solutions])
        print(f"same answer from kgraph-all.nt (pyoxigraph), {name}: {got == expected} ({len(got)} rows)")

# %% [markdown]
# ## Where next
#
# - `kgraph export --base-iri https://example.org/defdip/id/` rebases the instance IRIs
#   for a mirror; `--endpoint URL` records a SPARQL endpoint in the VoID.
# - `kgraph serve` answers the SPARQL 1.1 protocol on 127.0.0.1 over the same graph.
