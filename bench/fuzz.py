"""Fuzz kgraph for as long as you like: mutated Turtle, N-Triples, JSON-LD,
RDF/XML and SPARQL through the API (and a share of SPARQL through the CLI,
in-process), with the invariants of tests/test_fuzz.py (a clean KgraphError
or a right answer; never another exception, a crash or a half-written set).

    python bench/fuzz.py --minutes 10 [--seed N] [--out faults/]

Prints inputs tried and faults found per target; each fault's input is saved
under --out so it can become a test.  A hang shows as the run not ending:
every input runs under a per-input alarm (--timeout, default 10 s) that
counts as a fault.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import fuzzkit  # noqa: E402


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds one input may take")
    ap.add_argument("--out", type=Path, default=Path("fuzz-faults"))
    ap.add_argument("--cli-share", type=float, default=0.02,
                    help="share of queries also run through the CLI (slower: loads the graph)")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="kgraph-fuzz-"))
    tried: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    signal.signal(signal.SIGALRM, _alarm)
    deadline = time.monotonic() + args.minutes * 60
    print(f"fuzzing for {args.minutes} min, seed {seed}", flush=True)
    last = time.monotonic()
    while time.monotonic() < deadline:
        kind = rng.choice([".ttl", ".nt", ".jsonld", ".rdf", "query", "query"])
        if kind == "query":
            base = rng.choice(fuzzkit.SPARQL)
            text = fuzzkit.mutate(rng, base) if rng.random() < 0.9 else "".join(
                rng.choice(fuzzkit.HOSTILE) for _ in range(rng.randint(1, 20)))
        else:
            text = fuzzkit.mutate(rng, fuzzkit.DATA_SEEDS[kind])
        target = kind
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        try:
            if kind == "query":
                outcome = fuzzkit.check_query(text)
                if rng.random() < args.cli_share:
                    target = "query-cli"
                    fuzzkit.check_cli(["query", "--format", "csv", text])
            else:
                outcome = fuzzkit.check_data_file(tmp, kind, text)
            outcomes[f"{kind}:{outcome}"] += 1
        except (fuzzkit.Fault, _Hang) as exc:
            faults[target] += 1
            args.out.mkdir(parents=True, exist_ok=True)
            name = f"{target.strip('.')}-{sum(faults.values())}"
            (args.out / f"{name}.input").write_bytes(text.encode("utf-8", "surrogatepass"))
            (args.out / f"{name}.fault").write_text(f"{type(exc).__name__}: {exc}\n", encoding="utf-8")
            print(f"FAULT {name}: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        tried[target if target != "query-cli" else "query"] += 1
        if time.monotonic() - last > 30:
            last = time.monotonic()
            print(f"  {sum(tried.values())} inputs, {sum(faults.values())} faults", flush=True)
    total = sum(tried.values())
    print(f"\nseed {seed}: {total} inputs in {args.minutes} min, {sum(faults.values())} faults")
    for k in sorted(tried):
        print(f"  {k:8} {tried[k]:>7} inputs  {faults[k]:>4} faults")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
