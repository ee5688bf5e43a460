"""Grow the bundled graph 10x or 100x with the same shape, for benchmarks.

Every record (agreement, deployment, sale, exercise, event, figure,
observation, office, white paper...) is copied N-1 times under new IRIs; the
countries it points to are redrawn (deterministically) from a pool of about
200 states, as the world has, so the number of countries stays realistic while
the records grow.  Dates, administrations, sources and the ontology are kept,
so the copies validate and reason like the originals.

    python bench/generate.py --factor 10 --out bench/data/scale-10.ttl
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD

ID = "https://w3id.org/defdip/id/"
DD = "https://w3id.org/defdip/ontology#"
#: Namespaces whose nodes are shared reference nodes, never copied.
SHARED = tuple(ID + p for p in ("country/", "organization/", "place/", "administration/",
                                "person/", "source/", "concept/", "weapon/"))
TARGET_COUNTRIES = 200


def synthetic_countries(g: Graph, existing: list[URIRef]) -> list[URIRef]:
    """Add states until there are about 200, with user-assigned ISO-style codes."""
    pool = list(existing)
    n = 0
    while len(pool) < TARGET_COUNTRIES:
        code = "X" + chr(ord("A") + n // 26) + chr(ord("A") + n % 26)
        c = URIRef(ID + "country/" + code)
        g.add((c, RDF.type, URIRef(DD + "Country")))
        g.add((c, RDFS.label, Literal(f"Synthetic state {code}", lang="en")))
        g.add((c, RDFS.label, Literal(f"合成国家{code}", lang="ja")))
        g.add((c, URIRef(DD + "iso3"), Literal(code, datatype=XSD.string)))
        g.add((c, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), URIRef(ID + "source/ref-iso3166")))
        pool.append(c)
        n += 1
    return pool


def grow(asserted: Graph, factor: int, seed: int = 20201) -> Graph:
    """The asserted graph plus ``factor - 1`` reshuffled copies of its records."""
    rnd = random.Random(seed)
    out = Graph()
    for t in asserted:
        out.add(t)
    countries = sorted({s for s in asserted.subjects(RDF.type, URIRef(DD + "Country"))
                        if "/country/" in str(s) and str(s) != ID + "country/KOR"}, key=str)
    pool = synthetic_countries(out, countries)
    copied = sorted({s for s in asserted.subjects() if isinstance(s, URIRef)
                     and str(s).startswith(ID) and not str(s).startswith(SHARED)}, key=str)
    copied_set = set(copied)
    for k in range(1, factor):
        suffix = f"--copy{k}"   # "--" never occurs in a real key: no collision
        remap = {c: rnd.choice(pool) for c in countries}

        def r(t, remap=remap, suffix=suffix):
            if t in copied_set:
                return URIRef(str(t) + suffix)
            return remap.get(t, t)

        for s in copied:
            for p, o in asserted.predicate_objects(s):
                out.add((r(s), p, r(o)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--factor", type=int, default=10, help="growth factor (default 10)")
    ap.add_argument("--out", type=Path, required=True, help="output N-Triples or Turtle file")
    args = ap.parse_args(argv)
    from kgraph.build import build

    start = time.perf_counter()
    kg = build(reasoning=False, use_cache=False)
    g = grow(kg.asserted, args.factor)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "nt" if args.out.suffix == ".nt" else "turtle"
    tmp = args.out.with_suffix(args.out.suffix + ".tmp")
    g.serialize(tmp, format=fmt, encoding="utf-8")
    tmp.replace(args.out)
    print(f"{args.out}: {len(g)} triples ({args.factor}x of {len(kg.asserted)}) "
          f"in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
