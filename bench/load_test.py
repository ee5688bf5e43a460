"""Load test of ``kgraph serve``, side by side with its baselines, in one run.

1. **In-process rate**: a random mix of the named queries run on one thread against an
   Oxigraph store loaded from the same artifact, each serialised to SPARQL JSON (the work
   the server does, without HTTP).
2. **Throughput** of ``kgraph serve`` (a separate process) on the same mix at 8 and 16
   clients (client processes, one keep-alive connection each), every answer's row count
   checked: requests per second, p50/p99 latency, errors.
3. **The previous server** (``--old-python``: the interpreter of a venv where the commit
   before the rewrite is installed) under the same clients, for the ratio.
4. **Hostile load**: as many long queries (VALUES cross products) as workers; the
   latency of ``ASK {}`` meanwhile against its unloaded latency; how long after its
   deadline each killed worker's process is gone; the server's peak memory while memory
   bombs run, against its cap.

    python bench/load_test.py                                  # 60 s per level
    python bench/load_test.py --duration 10 --old-python /tmp/venv-old-serve/bin/python

Loopback only. Exits 1 if any request of the throughput runs failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CROSS = "SELECT (COUNT(*) AS ?n) WHERE {{ {} }}".format(" ".join(
    f"VALUES ?v{i} {{ {' '.join(str(k) for k in range(40))} }}" for i in range(7)))
BOMB = "SELECT (STRLEN(?x9) AS ?n) WHERE {{ BIND(\"aaaaaaaaaa\" AS ?x0) {} }}".format(" ".join(
    f'BIND(REPLACE(?x{i}, "a", "aaaaaaaaaaaaaaaaaaaa") AS ?x{i + 1})' for i in range(9)))


def _connect(url: str, timeout: float = 60.0) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    conn.connect()
    # As curl and browsers do: without it, a body sent after its headers waits for a delayed ACK.
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def _post(conn: http.client.HTTPConnection, path: str, text: str) -> tuple[int, bytes]:
    conn.request("POST", path, body=text.encode("utf-8"), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def _rows(body: bytes) -> int:
    doc = json.loads(body)
    return len(doc["results"]["bindings"]) if "results" in doc else 1


def _client(url: str, queries: list[tuple[str, str, int]], seconds: float, seed: int,
            out: Any) -> None:
    rng = random.Random(seed)
    path = urlsplit(url).path
    latencies: list[float] = []
    errors: list[str] = []
    conn = _connect(url)
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        name, text, expected = rng.choice(queries)
        t0 = time.perf_counter()
        try:
            status, body = _post(conn, path, text)
            if status != 200:
                errors.append(f"{name}: HTTP {status}")
            elif _rows(body) != expected:
                errors.append(f"{name}: {_rows(body)} rows, {expected} expected")
            else:
                latencies.append(time.perf_counter() - t0)
        except Exception as exc:  # counted, then a fresh connection
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
            conn.close()
            conn = _connect(url)
    conn.close()
    out.put((latencies, errors))


def throughput(url: str, queries: list[tuple[str, str, int]], clients: int, seconds: float) -> dict[str, Any]:
    out: Any = mp.Queue()
    procs = [mp.Process(target=_client, args=(url, queries, seconds, 1000 + i, out)) for i in range(clients)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t0
    lat = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]
    def pct(q: float) -> float:
        return (lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan"))
    return {"clients": clients, "requests": len(lat) + len(errors), "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5], "rate": len(lat) / elapsed, "p50": pct(0.5),
            "p99": pct(0.99), "seconds": elapsed}


def in_process(artifact: Path, queries: list[tuple[str, str, int]], seconds: float) -> float:
    """Queries per second, one thread, Oxigraph loaded from the artifact, JSON out."""
    import pyoxigraph as ox

    from kgraph.prefixes import PREFIXES

    store = ox.Store()
    store.bulk_load(path=str(artifact), format=ox.RdfFormat.N_QUADS)
    rng = random.Random(7)
    n, stop = 0, time.perf_counter() + seconds
    t0 = time.perf_counter()
    while time.perf_counter() < stop:
        _, text, _ = rng.choice(queries)
        res: Any = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        res.serialize(format=ox.QueryResultsFormat.JSON)
        n += 1
    return n / (time.perf_counter() - t0)


def start_server(python: str, args: list[str],
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    proc = subprocess.Popen([python, "-m", "kgraph.cli", "serve", "--port", str(port), "--quiet", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")
        try:
            conn = _connect(url, 5)
            if _post(conn, "/sparql", "ASK {}")[0] == 200:
                conn.close()
                return proc, url
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer within 600 s")


def stop_server(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            m = re.search(r"VmRSS:\s+(\d+)", fh.read())
        return int(m[1]) / 1024 if m else 0.0
    except OSError:
        return 0.0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return not fh.read().split(") ", 1)[1].startswith("Z")
    except OSError:
        return False


def _ask_latency(url: str, n: int) -> tuple[float, list[int]]:
    times, statuses = [], []
    for _ in range(n):
        conn = _connect(url)
        t0 = time.perf_counter()
        status, _ = _post(conn, "/sparql", "ASK {}")
        times.append(time.perf_counter() - t0)
        statuses.append(status)
        conn.close()
        time.sleep(0.05)
    return statistics.median(times) * 1000, statuses


def hostile(python: str, workers: int, timeout: float, memory_mb: int) -> dict[str, Any]:
    proc, url = start_server(python, ["--workers", str(workers), "--timeout", str(timeout),
                                      "--memory-limit", str(memory_mb)])
    try:
        unloaded, _ = _ask_latency(url, 20)
        before = set(_children(proc.pid))
        sent = time.monotonic()
        attacks = [threading.Thread(target=lambda: _post(_connect(url), "/sparql", CROSS))
                   for _ in range(workers)]
        for t in attacks:
            t.start()
        time.sleep(0.5)
        loaded, statuses = _ask_latency(url, 10)
        for t in attacks:
            t.join()
        deadline = sent + timeout
        gone_after = []
        end = time.monotonic() + 5
        while time.monotonic() < end and len(gone_after) < len(before):
            for pid in before:
                if not _alive(pid) and pid not in [g[0] for g in gone_after]:
                    gone_after.append((pid, time.monotonic() - deadline))
            time.sleep(0.005)
        # memory bombs on every worker at once, the server's whole RSS sampled
        time.sleep(2)  # replacements loaded
        peak, stop = [0.0], threading.Event()

        def sample() -> None:
            while not stop.is_set():
                total = _rss_mb(proc.pid) + sum(_rss_mb(c) for c in _children(proc.pid))
                peak[0] = max(peak[0], total)
                time.sleep(0.02)

        baseline_mb = _rss_mb(proc.pid) + sum(_rss_mb(c) for c in _children(proc.pid))
        n_children = len(_children(proc.pid))
        sampler = threading.Thread(target=sample)
        sampler.start()
        bomb_status: list[int] = []
        bombs = [threading.Thread(target=lambda: bomb_status.append(_post(_connect(url), "/sparql", BOMB)[0]))
                 for _ in range(workers + 1)]
        for t in bombs:
            t.start()
        for t in bombs:
            t.join()
        stop.set()
        sampler.join()
        return {"unloaded_ms": unloaded, "loaded_ms": loaded, "loaded_statuses": statuses,
                "released_after_s": [round(g[1], 3) for g in gone_after], "killed": len(gone_after),
                "baseline_mb": baseline_mb, "peak_mb": peak[0], "processes": n_children + 1,
                "cap_mb": baseline_mb + n_children * memory_mb, "bomb_statuses": sorted(bomb_status)}
    finally:
        stop_server(proc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per throughput run (default: 60)")
    ap.add_argument("--clients", type=int, nargs="+", default=[8, 16])
    ap.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    ap.add_argument("--old-python", help="python of a venv with the previous kgraph installed")
    ap.add_argument("--old-duration", type=float, default=20.0, help="seconds per run of the old server")
    ap.add_argument("--skip-hostile", action="store_true")
    args = ap.parse_args(argv)

    from kgraph.build import build
    from kgraph.querytext import named_queries
    from kgraph.serve import artifact_path

    kg = build(progress=False)
    artifact = artifact_path(kg)
    import pyoxigraph as ox

    from kgraph.prefixes import PREFIXES

    store = ox.Store()
    store.bulk_load(path=str(artifact), format=ox.RdfFormat.N_QUADS)
    queries = []
    for q in named_queries():
        res: Any = store.query(q.text, prefixes=PREFIXES, use_default_graph_as_union=True)
        queries.append((q.name, q.text, len(list(res))))
    print(f"{len(queries)} named queries; {os.cpu_count()} CPUs; {args.workers} workers + 1 in reserve",
          flush=True)

    rate = in_process(artifact, queries, min(args.duration, 20))
    print(f"in-process, one thread: {rate:.0f} queries/s", flush=True)

    report: dict[str, Any] = {"in_process": rate, "new": [], "old": []}
    proc, url = start_server(sys.executable, ["--workers", str(args.workers)])
    try:
        for clients in args.clients:
            r = throughput(url, queries, clients, args.duration)
            report["new"].append(r)
            print(f"kgraph serve, {clients} clients: {r['rate']:.0f} req/s "
                  f"({r['rate'] / rate:.2f}x in-process), "
                  f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, {r['errors']} errors of {r['requests']}"
                  + (f" {r['error_kinds']}" if r["errors"] else ""), flush=True)
    finally:
        stop_server(proc)

    if args.old_python:
        old_env = {"KGRAPH_CACHE_DIR": os.environ.get("KGRAPH_CACHE_DIR", "") + "-old"}
        proc, url = start_server(args.old_python, [], env=old_env)
        try:
            for clients in args.clients:
                r = throughput(url, queries, clients, args.old_duration)
                report["old"].append(r)
                new = next(n for n in report["new"] if n["clients"] == clients)
                print(f"previous server, {clients} clients: {r['rate']:.1f} req/s, p50 {r['p50']:.1f} ms, "
                      f"p99 {r['p99']:.1f} ms, {r['errors']} errors of {r['requests']}; the new one holds "
                      f"{new['rate'] / max(r['rate'], 1e-9):.0f}x", flush=True)
        finally:
            stop_server(proc)

    if not args.skip_hostile:
        h = hostile(sys.executable, args.workers, timeout=2.0, memory_mb=256)
        report["hostile"] = h
        print(f"hostile: {args.workers} cross products running; ASK {{}} median {h['loaded_ms']:.1f} ms "
              f"(unloaded {h['unloaded_ms']:.1f} ms, statuses {sorted(set(h['loaded_statuses']))}); "
              f"killed workers gone {h['released_after_s']} s after their deadline", flush=True)
        print(f"memory bombs on every worker: statuses {h['bomb_statuses']}; server peak RSS "
              f"{h['peak_mb']:.0f} MB over {h['processes']} processes (at rest {h['baseline_mb']:.0f} MB; "
              f"cap {h['cap_mb']:.0f} MB)", flush=True)
    print(json.dumps(report, default=str))
    return 1 if any(r["errors"] for r in report["new"]) else 0


if __name__ == "__main__":
    sys.exit(main())
