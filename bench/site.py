"""Time `kgraph site` (notebooks off) and measure what it writes, at 1x and 10x.

    python bench/site.py                 # the bundled graph and the 10x graph
    python bench/site.py --scale 1       # the bundled graph only

Each scale runs in a fresh process with a cache of its own: the graph is built
first (not timed here; see bench/run.py), then the dump alone is written as the
baseline (`kgraph export`, the same machine, the same minute), then the whole
site.  Reported: seconds per stage, files, pages, bytes, and the ratio of the
site's time to the dump's.  The 10x graph comes from bench/generate.py (made
once, kept in bench/data/).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, re, sys, time, io
from pathlib import Path
os.environ['KGRAPH_CACHE_DIR'] = sys.argv[2]
from kgraph.build import build
from kgraph.export import export
from kgraph.site.build import write_site
files = [Path(sys.argv[1])] if sys.argv[1] != '-' else None
out = Path(sys.argv[3])
kg = build(files, progress=False)
kg.ox; kg.graph   # loaded before the clock starts: the site and the dump both read them
t = time.perf_counter()
export(kg, out / 'dump-only')
t_dump = time.perf_counter() - t
steps, sys.stderr = sys.stderr, io.StringIO()
t = time.perf_counter()
written = write_site(kg, out / 'site', notebooks=False, progress=True)
t_site = time.perf_counter() - t
steps, sys.stderr = sys.stderr.getvalue(), steps
# A note printed during a stage (the network page's views left out) splits its line.
stages = {m[1].strip(): float(m[2])
          for m in re.finditer(r"Site: ([^\n…]+)…[\s\S]*? done in ([0-9.]+) s", steps)}
size = sum(p.stat().st_size for p in written)
print(json.dumps({"triples": sum(kg.sizes.values()), "dump_s": t_dump, "site_s": t_site,
                  "files": len(written), "pages": sum(p.suffix == '.html' for p in written),
                  "resources": sum(1 for p in written if p.suffix == '.html' and '/id/' in p.as_posix()),
                  "bytes": size, "stages": stages}))
"""


def measure(factor: int) -> dict:
    data = "-"
    if factor != 1:
        path = ROOT / "bench" / "data" / f"scale-{factor}.nt"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--factor", str(factor),
                            "--out", str(path)], check=True)
        data = str(path)
    with tempfile.TemporaryDirectory(prefix="kgraph-bench-site-") as tmp:
        cache = Path(tmp) / "cache"
        out = Path(tmp) / "out"
        res = subprocess.run([sys.executable, "-c", CHILD, data, str(cache), str(out)],
                             check=True, capture_output=True, text=True)
    found = json.loads(res.stdout.strip().splitlines()[-1])
    found["factor"] = factor
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, nargs="+", default=[1, 10], help="growth factors (default: 1 10)")
    args = ap.parse_args(argv)
    print("| graph | triples | resource pages | files | size | dump alone (baseline) | site | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for factor in args.scale:
        r = measure(factor)
        rows.append(r)
        print(f"| {factor}× | {r['triples']:,} | {r['resources']:,} | {r['files']:,} | "
              f"{r['bytes'] / 1e6:.0f} MB | {r['dump_s']:.1f} s | {r['site_s']:.1f} s | "
              f"{r['site_s'] / r['dump_s']:.1f}× |", flush=True)
    print()
    for r in rows:
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items())
        print(f"- {r['factor']}×: {stages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
