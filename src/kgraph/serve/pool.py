"""The worker processes that run the queries, seen from the HTTP server's event loop.

Each worker (:mod:`kgraph.serve.worker`) holds the whole store and runs one query
at a time. A query past its deadline gets its worker killed (SIGKILL: the CPU is
free at once) and a fresh one started; a worker that dies (its memory cap) is
replaced the same way. Waiting for a worker counts against the query's time limit.

When every worker has been busy for a while with the same queries (long, perhaps
hostile ones), a new request does not queue behind them: it goes to the reserve
worker with a short deadline of its own, so a cheap query still gets its rows, or,
when the reserve is busy too, a prompt 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import KgraphError
from .protocol import HttpError

_LEN = struct.Struct(">I")
#: A worker busy with one query for longer than this counts as held by a long query.
LONG_AFTER = 0.25
#: The deadline of a query sent to the reserve worker.
RESERVE_TIMEOUT = 1.0
#: How long a worker may take to load the store.
START_TIMEOUT = 600.0


@dataclass
class Worker:
    proc: asyncio.subprocess.Process
    reserve: bool
    busy_since: float | None = None
    memory_cap: int = 0
    queries: int = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def frame(self) -> bytes:
        assert self.proc.stdout is not None
        (n,) = _LEN.unpack(await self.proc.stdout.readexactly(4))
        return await self.proc.stdout.readexactly(n)

    def send(self, payload: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(_LEN.pack(len(payload)) + payload)


@dataclass
class Stats:
    """What the pool has done, for tests, the bench and the log."""

    answered: int = 0
    timeouts: int = 0
    deaths: int = 0
    busy: int = 0
    reserve: int = 0
    started: int = 0
    pids_killed: list[int] = field(default_factory=list)


class Pool:
    """``size`` workers plus one in reserve, over ``artifact`` (an N-Quads file)."""

    def __init__(self, artifact: Path, *, size: int = 2, memory_mb: int = 1024,
                 reserve: int = 1) -> None:
        if size < 1:
            raise KgraphError(f"--workers must be at least 1, not {size}")
        self.artifact = Path(artifact)
        self.size = size
        self.reserve_size = reserve
        self.memory_mb = memory_mb
        self.stats = Stats()
        self._workers: list[Worker] = []
        self._idle: list[Worker] = []
        self._idle_reserve: list[Worker] = []
        self._waiters: list[asyncio.Future[Worker]] = []
        self._starting = 0
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- Life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the store."""
        workers = await asyncio.gather(*(self._spawn(reserve=i >= self.size)
                                         for i in range(self.size + self.reserve_size)),
                                       return_exceptions=True)
        failed = [w for w in workers if isinstance(w, BaseException)]
        for w in workers:
            if isinstance(w, Worker):
                self._add(w)
        if failed:
            await self.close()
            raise failed[0]

    async def close(self) -> None:
        """Kill every worker (a running query is abandoned)."""
        self._closed = True
        for fut in self._waiters:
            if not fut.done():
                fut.cancel()
        for w in list(self._workers):
            with contextlib.suppress(ProcessLookupError):
                w.proc.kill()
        for w in list(self._workers):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(w.proc.wait(), 5)
        self._workers.clear()
        self._idle.clear()
        self._idle_reserve.clear()
        for task in list(self._tasks):
            task.cancel()

    def abandon(self) -> None:
        """Stop now (the server is shutting down): kill every worker, fail every waiter."""
        self._closed = True
        for fut in self._waiters:
            if not fut.done():
                fut.cancel()
        for w in self._workers:
            with contextlib.suppress(ProcessLookupError):
                w.proc.kill()

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self._workers]

    @property
    def running(self) -> int:
        return sum(1 for w in self._workers if w.busy_since is not None)

    async def _spawn(self, reserve: bool) -> Worker:
        self._starting += 1
        try:
            env = dict(os.environ, MALLOC_ARENA_MAX="2", PYTHONUNBUFFERED="1", RUST_BACKTRACE="0")
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "kgraph.serve.worker", str(self.artifact), str(self.memory_mb),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
            worker = Worker(proc, reserve)
            try:
                ready = json.loads(await asyncio.wait_for(worker.frame(), START_TIMEOUT))
            except (asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                raise KgraphError(f"a query worker could not load {self.artifact} "
                                  f"(exit status {proc.returncode})") from exc
            worker.memory_cap = int(ready.get("memory_cap", 0))
            self.stats.started += 1
            return worker
        finally:
            self._starting -= 1

    def _add(self, worker: Worker) -> None:
        if self._closed:
            with contextlib.suppress(ProcessLookupError):
                worker.proc.kill()
            return
        self._workers.append(worker)
        self._release(worker)

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` and start another in its place, in the background."""
        with contextlib.suppress(ProcessLookupError):
            worker.proc.kill()
        self.stats.pids_killed.append(worker.pid)
        if worker in self._workers:
            self._workers.remove(worker)
        if self._closed:
            return

        async def renew() -> None:
            await worker.proc.wait()  # reap it
            try:
                self._add(await self._spawn(worker.reserve))
            except KgraphError as exc:
                sys.stderr.write(f"kgraph: {exc}\n")

        task = asyncio.get_running_loop().create_task(renew())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- Lending workers --------------------------------------------------------------------

    def _release(self, worker: Worker) -> None:
        worker.busy_since = None
        if worker.reserve:
            self._idle_reserve.append(worker)
            return
        while self._waiters:
            fut = self._waiters.pop(0)
            if not fut.done():
                worker.busy_since = asyncio.get_running_loop().time()
                fut.set_result(worker)
                return
        self._idle.append(worker)

    def _all_held(self, now: float) -> bool:
        """Whether every regular worker is held by a long query (or being restarted)."""
        regular = [w for w in self._workers if not w.reserve]
        return all(w.busy_since is not None and now - w.busy_since > LONG_AFTER for w in regular)

    async def _acquire(self, deadline: float) -> tuple[Worker, float]:
        loop = asyncio.get_running_loop()
        while True:
            if self._closed:
                raise HttpError(503, "the endpoint is shutting down")
            now = loop.time()
            if self._idle:
                worker = self._idle.pop()
                worker.busy_since = now
                return worker, deadline
            if self._all_held(now):
                if self._idle_reserve:
                    worker = self._idle_reserve.pop()
                    worker.busy_since = now
                    self.stats.reserve += 1
                    return worker, min(deadline, now + RESERVE_TIMEOUT)
                self.stats.busy += 1
                raise HttpError(503, "every query worker is busy with long queries: try again in a "
                                     "moment", headers={"Retry-After": "1"})
            if now >= deadline:
                self.stats.busy += 1
                raise HttpError(503, "no query worker became free before the time limit: try again",
                                headers={"Retry-After": "1"})
            fut: asyncio.Future[Worker] = loop.create_future()
            self._waiters.append(fut)
            try:
                await asyncio.wait([fut], timeout=min(LONG_AFTER, deadline - now))
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():
                    self._release(fut.result())  # handed over just as we were cancelled
                fut.cancel()
                raise
            if fut.done() and not fut.cancelled():
                return fut.result(), deadline
            fut.cancel()
            if fut in self._waiters:
                self._waiters.remove(fut)

    async def run(self, job: dict[str, Any], timeout: float) -> tuple[dict[str, Any], bytes]:
        """Run ``job`` on a worker within ``timeout`` seconds: the answer's head
        (status, type, headers) and body. HttpError 503 when it times out, when its
        worker dies, or when no worker is free."""
        loop = asyncio.get_running_loop()
        worker, deadline = await self._acquire(loop.time() + timeout)
        payload = json.dumps(job).encode("utf-8")
        try:
            worker.send(payload)
            head_frame, body = await asyncio.wait_for(self._answer(worker), max(deadline - loop.time(), 0))
        except asyncio.TimeoutError:
            self.stats.timeouts += 1
            self._replace(worker)
            limit = timeout if not worker.reserve else min(timeout, RESERVE_TIMEOUT)
            raise HttpError(503, f"the query timed out after {limit:g} s and was stopped: make it "
                                 "cheaper (a LIMIT, fewer cross products) or run kgraph query "
                                 "locally") from None
        except (asyncio.IncompleteReadError, ConnectionError, BrokenPipeError):
            if self._closed:
                raise HttpError(503, "the endpoint is shutting down") from None
            self.stats.deaths += 1
            self._replace(worker)
            raise HttpError(503, "the query stopped its worker: it needed more memory than this "
                                 f"endpoint allows each query ({self.memory_mb} MB)") from None
        except BaseException:
            self._replace(worker)  # cancelled: its answer would reach the next job
            raise
        head = json.loads(head_frame)
        worker.queries += 1
        self.stats.answered += 1
        if head.get("exit"):
            self._replace(worker)
        else:
            self._release(worker)
        return head, body

    @staticmethod
    async def _answer(worker: Worker) -> tuple[bytes, bytes]:
        return await worker.frame(), await worker.frame()


__all__ = ["Pool", "Stats", "Worker"]
