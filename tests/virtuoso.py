"""A private Virtuoso instance for the integration tests.

Starts Debian's ``virtuoso-t`` (package ``virtuoso-opensource``) in the
foreground on two free loopback ports, with its database, logs and
configuration in one folder of its own, and stops it again.  The system
service (``/etc/init.d/virtuoso-opensource-7``) is never used or needed.

A fresh database has the factory accounts ``dba``/``dba`` (and ``dav``/``dav``):
fine for an instance that binds 127.0.0.1 only and lives for one test run.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType

#: How long Virtuoso may take to create a fresh database and answer /sparql.
START_TIMEOUT = 90.0
#: How long a clean shutdown (SIGTERM -> checkpoint -> exit) may take before SIGKILL.
STOP_TIMEOUT = 20.0

_INI = """\
; Private test instance written by tests/virtuoso.py; everything lives in this folder.
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {dir}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 500M
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 10
; about 85 MB of buffers: ample for a graph of a few tens of thousands of triples
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
MaxCachedProxyConnections   = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
DeferInferenceRulesInit    = 0
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class VirtuosoStartError(RuntimeError):
    """Virtuoso did not come up; the message ends with the tail of its log."""


class Virtuoso:
    """One private Virtuoso server; use as a context manager.

    ``folder`` is created if needed and deleted by :meth:`stop` (with
    ``keep=False``).  Attributes once started: ``http_port``, ``sql_port``,
    ``base`` (``http://127.0.0.1:<port>``), ``sparql``, ``gsp`` (the
    authenticated Graph Store Protocol endpoint).
    """

    def __init__(self, folder: Path, *, binary: str = "virtuoso-t", keep: bool = False) -> None:
        self.folder = Path(folder)
        self.binary = binary
        self.keep = keep
        self.http_port = 0
        self.sql_port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def gsp(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def log_tail(self, lines: int = 25) -> str:
        parts = []
        for name in ("virtuoso.log", "stdout.log"):
            p = self.folder / name
            if p.is_file():
                text = p.read_text(encoding="utf-8", errors="replace").splitlines()
                parts.append(f"--- {name} (last {lines} lines) ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts) or "(no log written)"

    def start(self) -> Virtuoso:
        """Write virtuoso.ini, start the server, wait until /sparql answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "vsp").mkdir(exist_ok=True)
        self.http_port, self.sql_port = free_port(), free_port()
        while self.sql_port == self.http_port:
            self.sql_port = free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(_INI.format(dir=self.folder.resolve(), sql_port=self.sql_port,
                                   http_port=self.http_port), encoding="utf-8")
        out = open(self.folder / "stdout.log", "wb")  # noqa: SIM115 - closed with the process
        try:
            # Its own session, so that a signal sent to the test's process group does
            # not reach it and stop() alone decides when it ends.
            self.proc = subprocess.Popen(
                [self.binary, "+foreground", "+configfile", str(ini)], cwd=self.folder,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            out.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        url = self.sparql + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        last = "no answer yet"
        assert self.proc is not None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise VirtuosoStartError(f"virtuoso-t exited with code {self.proc.returncode} "
                                         f"while starting\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status == 200:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
            time.sleep(0.5)
        raise VirtuosoStartError(f"Virtuoso did not answer {self.sparql} within {START_TIMEOUT:.0f} s "
                                 f"(last: {last})\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the server, as a crash would, keeping its folder for :meth:`start`."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after STOP_TIMEOUT) and delete its folder."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
        if not self.keep and self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Virtuoso:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def available() -> str | None:
    """The path of virtuoso-t, or None when Debian's virtuoso-opensource is missing."""
    return shutil.which("virtuoso-t")
