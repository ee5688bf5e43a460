"""One writer for whole output sets: a folder of outputs replaced as a whole.

A reader of ``target`` sees the previous set or the new one, never a mix,
even if the writer is killed at any point:

1. the new set is written into a staging folder beside ``target``
   (``.NAME.kgraph-staging-*``), with a manifest (``.kgraph-set.json``: each
   file's SHA-256) written last;
2. the staging folder and ``target`` are swapped in one step
   (``renameat2(RENAME_EXCHANGE)`` on Linux); elsewhere ``target`` is first
   renamed aside (``.NAME.kgraph-old-*``) and the new set renamed in, so a
   crash between the two leaves no folder, never a mixed one, and the next
   run puts the old set back;
3. the previous set is removed.

Staging and old folders left by a killed run are removed (or restored) by the
next run, under a lock so two writers never clean up each other's work.  A
target holding files the writer did not make (not in its manifest, not in the
new set) is refused with a message, never wiped.

>>> import tempfile
>>> d = Path(tempfile.mkdtemp()) / "dump"
>>> write_set(d, lambda s: (s / "a.txt").write_text("one"))
3
>>> sorted(p.name for p in d.iterdir())
['.kgraph-set.json', 'a.txt']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from .atomic import dir_mode
from .errors import KgraphError

T = TypeVar("T")

MANIFEST = ".kgraph-set.json"
_STAGING = ".kgraph-staging-"
_OLD = ".kgraph-old-"
#: Environment variable naming a step at which the writer kills itself (tests only).
FAULT_ENV = "KGRAPH_OUTPUTSET_KILL_AT"
#: Set to 1 to use the two-rename fallback instead of an exchange (tests only).
NO_EXCHANGE_ENV = "KGRAPH_OUTPUTSET_NO_EXCHANGE"
#: The steps a test can kill the writer at, in order.
FAULT_POINTS = ("staged", "manifest", "before-switch", "moved-aside", "switched", "done")


def _fault(point: str) -> None:
    """Kill this process at ``point`` when a test asks for it (fault injection, not timing)."""
    if os.environ.get(FAULT_ENV) == point:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def _files(folder: Path) -> list[str]:
    """Relative paths (POSIX) of every file under ``folder``, manifest excluded."""
    out = []
    for p in folder.rglob("*"):
        if p.is_file() or p.is_symlink():
            rel = p.relative_to(folder).as_posix()
            if rel != MANIFEST:
                out.append(rel)
    return sorted(out)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(folder: Path) -> dict[str, str] | None:
    """The set's files and their SHA-256, or None if ``folder`` has no (readable) manifest."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds exactly the files its manifest lists, with those contents."""
    m = manifest(folder)
    if m is None:
        return False
    return _files(folder) == sorted(m) and all(_digest(folder / n) == d for n, d in m.items())


def _folder_mode() -> int:
    """The mode ``mkdir`` would give a new folder: 0777 less the process umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def _fsync_tree(folder: Path) -> None:
    # Data first, then the folders' entries: a power cut must not leave a
    # manifest pointing at files whose blocks never reached the disk.
    for p in sorted(folder.rglob("*"), key=lambda q: -len(q.parts)):
        _fsync_dir(p)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """fsync a folder's entries (or a file's data); errors are ignored."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unavailable."""
    if not sys.platform.startswith("linux") or os.environ.get(NO_EXCHANGE_ENV):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    import errno

    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False   # a file system (or kernel) without exchange: fall back
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def _locked(parent: Path, name: str) -> Iterator[None]:
    """One writer per target at a time (advisory lock beside it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, cleanup still safe for one writer
        yield
        return
    lock = parent / f".{name}.kgraph-lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _recover(target: Path) -> None:
    """Undo what a killed writer left: put back a set renamed aside if the
    target is missing, remove staging and old folders."""
    parent, name = target.parent, target.name
    leftovers = sorted(p for p in parent.iterdir()
                       if p.name.startswith(f".{name}{_STAGING}") or p.name.startswith(f".{name}{_OLD}"))
    if not target.exists():
        aside = [p for p in leftovers if _OLD in p.name and manifest(p) is not None]
        if aside:
            os.rename(aside[-1], target)
            leftovers.remove(aside[-1])
    for p in leftovers:
        shutil.rmtree(p, ignore_errors=True)


def _foreign(target: Path, new: list[str]) -> list[str]:
    """Files in ``target`` that neither its manifest nor the new set accounts for."""
    if not target.exists():
        return []
    owned = set(new) | set(manifest(target) or ())
    return [f for f in _files(target)
            if f not in owned and not f.startswith(".kgraph-export-") and f != ".kgraph-write-test"]


def _refuse_foreign(target: Path, new: list[str]) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise KgraphError(f"{target}: exists and is not a folder kgraph wrote",
                          hint="choose another folder with --out DIR")
    foreign = _foreign(target, new)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise KgraphError(f"{target}: holds files kgraph did not write ({shown}); kgraph replaces "
                          "the whole folder, so it refuses to touch it",
                          hint="choose an empty or new folder with --out DIR, or move those files away")


def write_set(target: Path, fill: Callable[[Path], T]) -> T:
    """Replace the folder ``target`` by the files ``fill(staging)`` writes, as a whole.

    ``fill`` gets an empty folder beside ``target`` and writes the new set
    into it; its return value is returned.  Raises KgraphError if ``target``
    holds files kgraph did not write, or cannot be written.
    """
    target = Path(target)
    if target.is_symlink():
        target = target.resolve()
    parent, name = target.parent, target.name
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with _locked(parent, name):
            _recover(target)
            if manifest(target) is not None:
                _refuse_foreign(target, [])   # fail before the work when we can tell already
            staging = Path(tempfile.mkdtemp(prefix=f".{name}{_STAGING}", dir=parent))
            os.chmod(staging, dir_mode())   # it becomes the output folder: not mkdtemp's 0700
            try:
                os.chmod(staging, _folder_mode())   # mkdtemp's 0700 would hide the set from others
                result = fill(staging)
                _fault("staged")
                names = _files(staging)
                _refuse_foreign(target, names)
                digests = {n: _digest(staging / n) for n in names}
                (staging / MANIFEST).write_text(
                    json.dumps({"writer": "kgraph", "files": digests}, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")
                _fsync_tree(staging)
                _fault("manifest")
                _switch(staging, target)
                _fault("done")
            finally:
                shutil.rmtree(staging, ignore_errors=True)   # after a switch: the previous set
    except OSError as exc:
        raise KgraphError(f"{exc.filename or target}: cannot write the output folder "
                          f"({exc.strerror or exc})", hint="choose another folder with --out DIR") from exc
    return result


def _switch(staging: Path, target: Path) -> None:
    """Make ``staging`` the ``target``; the previous set (if any) ends up at ``staging``."""
    _fault("before-switch")
    if not target.exists():
        os.rename(staging, target)
    elif not _exchange(staging, target):
        aside = target.with_name(f".{target.name}{_OLD}{os.getpid()}-{os.urandom(4).hex()}")
        os.rename(target, aside)
        _fault("moved-aside")
        os.rename(staging, target)
        os.rename(aside, staging)
    _fsync_dir(target.parent)
    _fault("switched")
