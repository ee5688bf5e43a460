"""Time validation alone at 1x, 10x and 100x: the fast SHACL engine, the
ill-typed-literal check inside it, and pySHACL (the reference) as the baseline.

    python bench/validate.py                               # 1x and 10x, pySHACL at 1x
    python bench/validate.py --scale 1 10 100 --pyshacl 1 10
    PYTHONPATH=/path/to/old/src python bench/validate.py   # the same on older code

Each factor runs in its own process (the 100x graph takes about 2 GB): the graph
is built once (parse, reason, derive; not timed), then ``kgraph.shacl.validate``
runs ``--repeat`` times with the fast engine and once with pySHACL where asked.
On a shared machine the wall time swings with the others' load; the process's
CPU time is printed beside it and moves less.
The synthetic graphs come from ``bench/generate.py`` and are made if missing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import gc, json, statistics, sys, time
from pathlib import Path
from kgraph.build import build
from kgraph.shacl import validate
files = {files!r}
kg = build([Path(f) for f in files] if files else None, progress=False)
data = kg.validation_data
out = dict(triples=len(data))
runs, cpu = [], []
for _ in range({repeat}):
    gc.collect()
    t, c = time.perf_counter(), time.process_time()
    report = validate(kg, "fast")
    runs.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
out.update(fast=runs, cpu=cpu, violations=len(report.violations))
try:
    from kgraph.literals import ill_typed
except ImportError:
    pass
else:
    from rdflib import Literal
    from kgraph.literals import _problem
    triples = [t for t in data if type(t[2]) is Literal]   # what the fast engine hands over
    lit = []
    for _ in range({repeat}):
        _problem.cache_clear()
        t = time.perf_counter(); list(ill_typed(triples)); lit.append(time.perf_counter() - t)
    out["literals"] = lit
if {pyshacl}:
    gc.collect()
    t = time.perf_counter(); ref = validate(kg, "pyshacl"); out["pyshacl"] = time.perf_counter() - t
    out["pyshacl_violations"] = len(ref.violations)
print(json.dumps(out))
"""


def measure(factor: int, repeat: int, pyshacl: bool) -> dict:
    files: list[str] = []
    if factor != 1:
        path = ROOT / "bench" / "data" / f"scale-{factor}.nt"
        if not path.exists():
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--factor",
                            str(factor), "--out", str(path)], check=True)
        files = [str(path)]
    env = dict(os.environ, KGRAPH_CACHE_DIR=tempfile.mkdtemp(prefix=f"kgraph-bench-validate-{factor}-"))
    code = _CHILD.format(files=files, repeat=repeat, pyshacl=pyshacl)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{factor}x failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, nargs="+", default=[1, 10], help="growth factors (default 1 10)")
    ap.add_argument("--pyshacl", type=int, nargs="*", default=[1],
                    help="factors at which to time pySHACL too (default 1; none if given empty)")
    ap.add_argument("--repeat", type=int, default=5, help="fast-engine runs per factor (default 5)")
    args = ap.parse_args()
    import kgraph

    print(f"kgraph from {Path(kgraph.__file__).parent}")
    print("| graph | triples validated | fast engine, median (min–max) | its CPU time, median "
          "| of which literal check | violations | pySHACL | pySHACL / fast |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for factor in args.scale:
        m = measure(factor, args.repeat, factor in args.pyshacl)
        fast = _median(m["fast"])
        lit = f"{_median(m['literals']):.2f} s" if "literals" in m else "n/a"
        ref = f"{m['pyshacl']:.1f} s" if "pyshacl" in m else ""
        ratio = f"{m['pyshacl'] / fast:.0f}×" if "pyshacl" in m else ""
        print(f"| {factor}× | {m['triples']:,} | {fast:.2f} s ({min(m['fast']):.2f}–{max(m['fast']):.2f}) "
              f"| {_median(m['cpu']):.2f} s | {lit} | {m['violations']} | {ref} | {ratio} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
