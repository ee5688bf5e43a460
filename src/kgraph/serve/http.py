"""Running the endpoint: the listening socket, Uvicorn's settings, start and stop.

Uvicorn (with h11) carries HTTP: it frames requests (a second, different
``Content-Length`` is a 400; a GET's body is read as its body, never as the next
request), keeps connections alive for a few seconds, and answers 503 beyond
``--max-connections``. One gap is closed here: a client must finish sending its
request (headers and body) within :data:`REQUEST_TIMEOUT` of connecting or of its
previous answer, so slow or idle connections cannot hold the connection slots.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
import sys
import threading
from pathlib import Path
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..errors import KgraphError
from .app import Settings, make_app
from .pool import Pool

#: Seconds a client has to send a whole request (headers and body).
REQUEST_TIMEOUT = 15.0
#: Seconds an idle keep-alive connection is kept.
KEEP_ALIVE = 5


class _Protocol(H11Protocol):
    """Uvicorn's h11 protocol with a deadline for receiving each request."""

    _request_deadline: asyncio.TimerHandle | None = None
    request_timeout = REQUEST_TIMEOUT

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)   # asyncio's servers hand over a Transport
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
        self._request_deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _too_slow(self) -> None:
        # Still waiting for the request line, the headers or the body: let it go.
        if not self.transport.is_closing() and self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self.transport.close()


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or 'localhost')."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: any free port); one-line errors."""
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every answer waits for the client's delayed ACK (40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise KgraphError(f"port {port} is in use: choose another with --port") from exc
        if exc.errno == errno.EACCES:
            raise KgraphError(f"no permission to listen on port {port}: choose one above 1023 "
                              "with --port") from exc
        raise KgraphError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                          hint="use --host 127.0.0.1 (loopback) or an address of this machine") from exc
    sock.setblocking(False)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class _Server(uvicorn.Server):
    """Uvicorn's server that also stops the query workers as soon as it is told to
    stop, so that no running query delays the shutdown."""

    pool: Pool | None = None

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        # Stopping on a signal is a clean exit (status 0), not death by that signal.
        self._captured_signals.clear()
        if self.pool is not None:
            self.pool.abandon()


class Endpoint:
    """A bound endpoint over ``artifact``: ``run()`` serves in this thread until
    told to stop; ``start()`` serves in a background thread (tests, the bench)."""

    def __init__(self, artifact: Path, settings: Settings) -> None:
        settings.check()
        self.settings = settings
        self.artifact = artifact
        self.socket = bind(settings.host, settings.port)
        self.url = _url(self.socket)
        self.pool: Pool | None = None
        self.server: _Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    async def _main(self) -> None:
        s = self.settings
        self._loop = asyncio.get_running_loop()
        self.pool = Pool(self.artifact, size=s.workers, memory_mb=s.memory_limit)
        try:
            await self.pool.start()
            protocol = type("Protocol", (_Protocol,), {"request_timeout": s.request_timeout})
            config = uvicorn.Config(
                make_app(self.pool, s), http=protocol, lifespan="off", log_config=None,
                log_level="error" if s.quiet else "warning", access_log=False, server_header=False,
                limit_concurrency=s.max_connections, timeout_keep_alive=KEEP_ALIVE,
                timeout_graceful_shutdown=1, h11_max_incomplete_event_size=64 * 1024)
            self.server = _Server(config)
            self.server.pool = self.pool
            self._ready.set()
            await self.server.serve(sockets=[self.socket])
        finally:
            self._ready.set()
            await self.pool.close()

    def run(self) -> None:
        """Serve until Ctrl-C or SIGTERM."""
        logging.getLogger("uvicorn.error").setLevel(logging.ERROR if self.settings.quiet else logging.WARNING)
        try:
            asyncio.run(self._main())
        finally:
            self.socket.close()

    def start(self, timeout: float = 120.0) -> Endpoint:
        """Serve in a background thread; returns once the workers are ready."""
        def target() -> None:
            try:
                self.run()
            except BaseException as exc:  # handed to the caller of start()
                self.error = exc

        self._thread = threading.Thread(target=target, name="kgraph-serve", daemon=True)
        self._thread.start()
        self._ready.wait(timeout)
        if self.error is not None:
            raise self.error
        deadline = 0
        while self.server is not None and not self.server.started and deadline < 1000:
            threading.Event().wait(0.01)
            deadline += 1
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop a server started with ``start()``."""
        if self.server is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self.server.handle_exit, 15, None)
        if self._thread is not None:
            self._thread.join(timeout)


def serve(artifact: Path, settings: Settings) -> None:
    """``kgraph serve``: serve ``artifact`` until Ctrl-C (or SIGTERM), then return."""
    endpoint = Endpoint(artifact, settings)
    if not is_loopback(settings.host):
        print(f"kgraph: warning: listening on {settings.host or 'every interface'}: other machines can "
              "reach this endpoint (use --host 127.0.0.1 to keep it local)", file=sys.stderr)
    url = endpoint.url

    class Announce(threading.Thread):
        def run(self) -> None:
            endpoint._ready.wait()
            if endpoint.error is None and endpoint.server is not None:
                page = f"{url}sparql" if settings.site else url
                site = f"; the site {settings.site} at {url}" if settings.site else ""
                print(f"kgraph: serving SPARQL at {url}sparql (query page {page}{site}; resources at "
                      f"{url}id/...; {settings.workers} workers; Ctrl-C to stop)",
                      file=sys.stderr, flush=True)

    Announce(daemon=True).start()
    try:
        endpoint.run()
    except KeyboardInterrupt:
        pass
    print("kgraph: stopped", file=sys.stderr, flush=True)


__all__ = ["REQUEST_TIMEOUT", "Endpoint", "bind", "is_loopback", "serve"]
