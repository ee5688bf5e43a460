"""A query worker: one process that loads the graph from the build artifact into
Oxigraph once, then answers queries one at a time, read from stdin and written to
stdout as frames.

It runs apart from the HTTP server so that a query can be stopped for real: the
server kills the process at the query's deadline (its CPU is free at once) and
starts another. Its address space is capped (``RLIMIT_AS``) once the store is
loaded, so a query that builds huge strings fails alone instead of taking the
machine's memory.

Frames are a 4-byte big-endian length and a payload. A job is one JSON frame; an
answer is a JSON head frame (status, content type, headers) and a body frame.

    python -m kgraph.serve.worker ARTIFACT [MEMORY_MB]
"""

from __future__ import annotations

import json
import os
import re
import resource
import struct
import sys
from itertools import islice
from pathlib import Path
from typing import IO, Any

from ..prefixes import PREFIXES
from .protocol import CSV, GRAPH, TSV, HttpError, check_query, negotiate

_LEN = struct.Struct(">I")


def read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (n,) = _LEN.unpack(head)
    payload = stream.read(n)
    return payload if len(payload) == n else None


def write_frames(stream: IO[bytes], *payloads: bytes) -> None:
    stream.write(b"".join(_LEN.pack(len(p)) + p for p in payloads))
    stream.flush()


class _Enough(Exception):
    """Raised from a writer once it has the lines it needs."""


class _Lines:
    """A binary writer that keeps the first ``limit`` lines and stops after."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _Enough
        return len(data)

    def flush(self) -> None:
        pass


_POSITION = re.compile(r"error at (\d+):(\d+)")


def syntax_message(text: str, exc: BaseException) -> str:
    """Oxigraph's syntax error as line, column and a caret under the place."""
    msg = str(exc)
    m = _POSITION.search(msg)
    if not m:
        return f"SPARQL syntax error: {msg}"
    line, col = int(m[1]), max(int(m[2]) - 1, 1)  # Oxigraph points just past the character
    detail = msg[m.end():].lstrip(": ")
    lines = text.splitlines() or [""]
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    return (f"SPARQL syntax error at line {line}, column {col}: {detail}\n"
            f"    {src[:300]}\n    {' ' * min(max(col - 1, 0), 300)}^")


class Engine:
    """The store and how to answer one job."""

    def __init__(self, artifact: str) -> None:
        import pyoxigraph as ox

        from ..oxstore import OxGraph

        self.ox = ox
        # Checked against its header (length, SHA-256) first: a damaged artifact is never served.
        self.store = OxGraph.from_artifact(Path(artifact)).store
        self.results = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                        CSV: ox.QueryResultsFormat.CSV, TSV: ox.QueryResultsFormat.TSV}
        self.graphs = {media: ox.RdfFormat.from_media_type(media) for media in GRAPH}
        # The same texts come back again and again (named queries, a page's label look-ups).
        self._checked: dict[str, list[str]] = {}

    def check(self, text: str) -> list[str]:
        """The query's keywords once it passed the refusals (cached by text)."""
        words = self._checked.get(text)
        if words is None:
            words = check_query(text)
            if len(self._checked) >= 512:
                self._checked.clear()
            self._checked[text] = words
        return words

    def answer(self, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        try:
            if job.get("kind") == "stats":
                return {"status": 200, "type": "application/json"}, json.dumps(self.stats()).encode()
            if job.get("kind") == "resource":   # /id/... and /ontology without a built site
                from . import linkeddata

                return linkeddata.answer(self.store, job)
            return self.query(job)
        except HttpError as exc:
            return ({"status": exc.status, "type": "text/plain; charset=utf-8", "headers": exc.headers},
                    (exc.message + "\n").encode("utf-8"))

    def _dataset(self, job: dict[str, Any], words: list[str]) -> dict[str, Any]:
        ox = self.ox
        default, named = job.get("default_graphs") or [], job.get("named_graphs") or []
        if default or named:
            # The protocol's dataset wins over the query's FROM (SPARQL 1.1 Protocol, 2.1.4).
            args: dict[str, Any] = {}
            if default:
                args["default_graph"] = [ox.NamedNode(g) for g in default]
            if named:
                args["named_graphs"] = [ox.NamedNode(g) for g in named]
            return args
        if "FROM" in words:
            return {}  # the query names its dataset: FROM <graph/asserted> reads that part
        return {"use_default_graph_as_union": True}

    def query(self, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        ox = self.ox
        text: str = job["query"]
        if not text.strip():
            raise HttpError(400, "the query is empty: send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
        words = self.check(text)
        try:
            res: Any = self.store.query(text, prefixes=PREFIXES, **self._dataset(job, words))
        except SyntaxError as exc:
            raise HttpError(400, syntax_message(text, exc)) from exc
        except ValueError as exc:
            raise HttpError(400, f"bad dataset: {exc}") from exc
        cap = int(job["max_results"])
        headers: dict[str, str] = {}
        try:
            if isinstance(res, ox.QueryBoolean):
                media = negotiate("ASK", job.get("accept", ""), job.get("formats", ()))
                if media in (CSV, TSV):
                    # No standard CSV/TSV for ASK: answer as Jena does, a header and the value.
                    body = f"_askResult\r\n{'true' if res else 'false'}\r\n".encode()
                else:
                    body = res.serialize(format=self.results[media])
            elif isinstance(res, ox.QuerySolutions):
                media = negotiate("SELECT", job.get("accept", ""), job.get("formats", ()))
                body, truncated = self._solutions(res, media, cap)
                if truncated:
                    headers.update(_truncated(cap))
            else:
                media = negotiate("CONSTRUCT", job.get("accept", ""), job.get("formats", ()))
                triples = list(islice(res, cap + 1))
                if len(triples) > cap:
                    triples = triples[:cap]
                    headers.update(_truncated(cap))
                body = ox.serialize(triples, format=self.graphs[media], prefixes=PREFIXES) or b""
        except (OSError, ValueError, RuntimeError) as exc:  # how Oxigraph reports a failed evaluation
            raise HttpError(400, f"SPARQL evaluation failed: {exc}") from exc
        ctype = media if media.endswith("json") else media + "; charset=utf-8"
        return {"status": 200, "type": ctype, "headers": headers}, body

    def _solutions(self, res: Any, media: str, cap: int) -> tuple[bytes, bool]:
        """The solutions in ``media``, at most ``cap`` rows. Oxigraph writes TSV,
        one line per row, as it evaluates: the writer stops it after the cap, and
        the rows kept are read back and written in the wanted format."""
        ox = self.ox
        lines = _Lines(cap + 1)  # the header line, then the rows
        truncated = False
        try:
            res.serialize(lines, format=ox.QueryResultsFormat.TSV)
        except _Enough:
            truncated = True
        tsv = b"".join(lines.parts)
        if truncated:
            tsv = b"\n".join(tsv.split(b"\n", cap + 1)[:cap + 1]) + b"\n"
        if media == TSV:
            return tsv, truncated
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return parsed.serialize(format=self.results[media]) or b"", truncated

    def stats(self) -> dict[str, Any]:
        """Counts for the service description: triples per named graph and in the
        union, distinct subjects, classes and properties."""
        store: Any = self.store
        per_graph = {row[0].value: int(row[1].value) for row in store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
        [union] = list(store.query(
            "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?e) (COUNT(DISTINCT ?p) AS ?p) "
            "WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
        [classes] = list(store.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?x a ?c }",
                                          use_default_graph_as_union=True))
        return {"graphs": per_graph, "triples": int(union[0].value), "entities": int(union[1].value),
                "properties": int(union[2].value), "classes": int(classes[0].value)}


def _truncated(cap: int) -> dict[str, str]:
    return {"X-Kgraph-Truncated": "true", "X-Kgraph-Result-Limit": str(cap)}


def _vm_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def limit_memory(megabytes: int) -> int:
    """Cap the address space at what the loaded store uses plus ``megabytes``;
    returns the cap in bytes (0: no cap)."""
    if megabytes <= 0:
        return 0
    try:
        cap = _vm_bytes() + megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        return cap
    except (OSError, ValueError):
        return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    artifact, memory = args[0], int(args[1]) if len(args) > 1 else 0
    # The channel is stdout: anything printed by mistake goes to stderr instead.
    channel = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    os.dup2(2, 1)
    inbox = sys.stdin.buffer
    try:
        engine = Engine(artifact)
    except (OSError, ValueError) as exc:  # DamagedArtifact is a ValueError
        sys.stderr.write(f"kgraph: {exc}\n")
        return 2
    cap = limit_memory(memory)
    write_frames(channel, json.dumps({"ready": True, "pid": os.getpid(), "memory_cap": cap}).encode())
    while True:
        frame = read_frame(inbox)
        if frame is None:
            return 0
        try:
            head, body = engine.answer(json.loads(frame))
        except MemoryError:
            head, body = {"status": 503, "type": "text/plain; charset=utf-8", "exit": True}, \
                b"the query needed more memory than this endpoint allows each query\n"
        except Exception as exc:  # a bug of ours: say so, and start afresh
            head, body = {"status": 500, "type": "text/plain; charset=utf-8", "exit": True}, \
                f"internal error: {type(exc).__name__}: {exc}\n".encode()
        write_frames(channel, json.dumps(head).encode(), body)
        if head.get("exit"):
            return 1  # after a MemoryError the process is in no state to go on


if __name__ == "__main__":
    sys.exit(main())
