"""Load test of ``kgraph serve``: concurrent clients send a bounded number of SPARQL
requests drawn from the named queries, every answer is checked, and throughput and
latency are compared with the same queries run in-process, single-threaded, without
HTTP (the baseline, measured in the same run).

    python bench/load_test.py                      # in-process server on 127.0.0.1
    python bench/load_test.py --clients 32 --requests 5000 --time-limit 120
    python bench/load_test.py --url http://127.0.0.1:8000/sparql   # a running `kgraph serve`

Stops by itself after --requests requests or --time-limit seconds, whichever comes
first. Exits 1 if any request failed (a non-200 answer, a wrong row count, an
exception), 0 otherwise. Loopback only: --url must point to this machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Run:
    """Latencies (seconds) and failures of one measured run."""

    name: str
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.failures)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


def _rows(body: bytes) -> int:
    doc = json.loads(body)
    return len(doc["results"]["bindings"]) if "results" in doc else 1


class Client:
    """One keep-alive connection to the endpoint."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def query(self, text: str) -> tuple[int, bytes]:
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", self.path, body=text.encode("utf-8"),
                                  headers={"Content-Type": "application/sparql-query",
                                           "Accept": "application/sparql-results+json"})
                resp = self.conn.getresponse()
                body = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def check_queries(url: str, queries: dict[str, str], expected: dict[str, int]) -> list[str]:
    """Each query once through HTTP; the problems found (empty when all succeed)."""
    client = Client(url, 120)
    problems = []
    for name, text in queries.items():
        status, body = client.query(text)
        if status != 200:
            problems.append(f"{name}: HTTP {status}: {body.decode('utf-8', 'replace').strip()}")
        elif _rows(body) != expected[name]:
            problems.append(f"{name}: {_rows(body)} rows over HTTP, {expected[name]} in-process")
    client.close()
    return problems


def load(url: str, plan: list[tuple[str, str]], expected: dict[str, int], clients: int,
         time_limit: float) -> Run:
    """``clients`` threads work through ``plan`` until it is done or time is up."""
    run = Run(f"HTTP, {clients} clients")
    lock = threading.Lock()
    next_index = 0
    stop_at = time.perf_counter() + time_limit

    def worker() -> None:
        nonlocal next_index
        client = Client(url, max(time_limit, 60))
        while time.perf_counter() < stop_at:
            with lock:
                if next_index >= len(plan):
                    break
                name, text = plan[next_index]
                next_index += 1
            t0 = time.perf_counter()
            try:
                status, body = client.query(text)
                ok = status == 200 and _rows(body) == expected[name]
                why = f"{name}: HTTP {status}" if status != 200 else f"{name}: wrong row count"
            except Exception as exc:  # count it, keep going
                ok, why = False, f"{name}: {type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - t0
            with lock:
                if ok:
                    run.latencies.append(elapsed)
                else:
                    run.failures.append(why)
        client.close()

    threads = [threading.Thread(target=worker, name=f"client-{i}") for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - start
    return run


def baseline(graph: object, plan: list[tuple[str, str]], time_limit: float, name: str) -> Run:
    """The same queries, prepared once, evaluated and serialised to SPARQL JSON in this
    thread: the work the server does, without HTTP, threads or the time limit."""
    from rdflib.plugins.sparql import prepareQuery

    from kgraph.namespaces import PREFIXES

    prepared = {name: prepareQuery(text, initNs=PREFIXES) for name, text in dict(plan).items()}
    run = Run(name)
    stop_at = time.perf_counter() + time_limit
    start = time.perf_counter()
    for name, _ in plan:
        if time.perf_counter() >= stop_at:
            break
        t0 = time.perf_counter()
        result = graph.query(prepared[name], initNs=PREFIXES)  # type: ignore[attr-defined]
        result.serialize(format="json")
        run.latencies.append(time.perf_counter() - t0)
    run.seconds = time.perf_counter() - start
    return run


def table(runs: list[Run]) -> str:
    head = ["run", "requests", "failures", "seconds", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"]
    rows = [[r.name, str(r.requests), str(len(r.failures)), f"{r.seconds:.1f}", f"{r.throughput:.1f}",
             *(f"{r.percentile(p) * 1000:.1f}" for p in (50, 90, 99, 100))] for r in runs]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    def line(cells: list[str]) -> str:
        # the run's name to the left, the figures to the right
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    return "\n".join([line(head), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="endpoint of a running `kgraph serve` on this machine "
                                  "(default: start one in-process on 127.0.0.1)")
    ap.add_argument("--clients", type=int, default=16, help="concurrent client threads (default: 16)")
    ap.add_argument("--requests", type=int, default=2000, help="total requests at most (default: 2000)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds at most (default: 60)")
    ap.add_argument("--baseline-time", type=float, default=20.0,
                    help="seconds at most for the in-process baseline (default: 20)")
    ap.add_argument("--timeout", type=float, default=30.0, help="the in-process server's per-query "
                                                                "time limit (default: 30)")
    ap.add_argument("--seed", type=int, default=2020, help="seed of the query mix (default: 2020)")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.time_limit <= 0:
        ap.error("--clients, --requests and --time-limit must be positive")

    from kgraph.build import build
    from kgraph.sparql import named_queries, select

    load_avg = os.getloadavg()
    t0 = time.perf_counter()
    graph = build(progress=False).graph
    print(f"graph: {len(graph)} triples, built/loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    queries = {q.name: q.text for q in named_queries()}
    expected = {name: len(select(graph, text, labels=False).rows) for name, text in queries.items()}
    rng = random.Random(args.seed)
    names = sorted(queries)
    plan = [(n, queries[n]) for n in (rng.choice(names) for _ in range(args.requests))]

    server = None
    url = args.url
    if url is None:
        from kgraph.server import make_server

        server = make_server(graph, host="127.0.0.1", port=0, timeout=args.timeout, quiet=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = server.url + "sparql"
    elif urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        ap.error("--url must be a loopback address (127.0.0.1, localhost, ::1)")

    try:
        problems = check_queries(url, queries, expected)
        if problems:
            print("named queries failing before the load test:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        print(f"checked {len(queries)} named queries over HTTP; load: {args.clients} clients, "
              f"{args.requests} requests or {args.time_limit:g} s", file=sys.stderr)
        # The baseline runs half before and half after the load, so that a change in
        # what else the machine is doing shows up as a difference between the halves.
        before = baseline(graph, plan, args.baseline_time / 2, "baseline before (in-process, 1 thread)")
        http_run = load(url, plan, expected, args.clients, args.time_limit)
        after = baseline(graph, plan, args.baseline_time / 2, "baseline after (in-process, 1 thread)")
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()

    import rdflib

    print(f"machine: {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, "
          f"rdflib {rdflib.__version__}, {platform.system()} {platform.machine()}")
    print(f"server: {'in-process, ' + url if server else url}; mix of {len(queries)} named queries "
          f"(seed {args.seed}); load average at start {load_avg[0]:.2f}\n")
    base_run = Run("baseline, both halves", before.latencies + after.latencies, [],
                   before.seconds + after.seconds)
    print(table([http_run, before, after, base_run]))
    ratio = http_run.throughput / base_run.throughput if base_run.throughput else float("nan")
    lat = (statistics.median(http_run.latencies) / statistics.median(base_run.latencies)
           if http_run.latencies and base_run.latencies else float("nan"))
    print(f"\nthroughput ratio HTTP/baseline: {ratio:.2f}   median latency ratio HTTP/baseline: {lat:.1f}")
    if server is not None:
        print(f"server counters: {server.runner.stats}")
    if http_run.failures:
        examples = "\n  ".join(http_run.failures[:10])
        print(f"\n{len(http_run.failures)} request(s) FAILED, e.g.:\n  {examples}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
