"""The on-disk cache of reasoning results, keyed by a hash of the inputs."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

#: Environment variable that overrides the cache folder.
CACHE_ENV = "KGRAPH_CACHE_DIR"


def cache_dir() -> Path:
    """``$KGRAPH_CACHE_DIR``, else the user cache folder (e.g. ~/.cache/kgraph)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kgraph", appauthor=False))


def inputs_key(files: Iterable[Path], *salt: str) -> str:
    """A hash of the files' names and bytes plus ``salt`` (versions, options)."""
    h = hashlib.sha256()
    for s in salt:
        h.update(s.encode())
        h.update(b"\0")
    for f in sorted(Path(p) for p in files):
        h.update(f.name.encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:32]


def read(name: str) -> bytes | None:
    path = cache_dir() / name
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(name: str, payload: bytes) -> None:
    """Write atomically; a cache that cannot be written is skipped silently
    (it only costs time on the next run)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, folder / name)
    except OSError:
        pass


def _dist_version(name: str) -> str:
    """A package's version from its dist-info folder name, found next to the
    package without importing it (importlib.metadata scans every path entry,
    which costs more than the rest of a warm run)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return "-"
    site = Path(spec.origin).resolve().parent.parent
    for d in site.glob(f"{name}-*.dist-info"):
        return d.name[len(name) + 1:-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def versions() -> tuple[str, ...]:
    """Versions of the packages whose output the cache holds."""
    from . import __version__

    return (f"kgraph={__version__}",
            *(f"{pkg}={_dist_version(pkg)}" for pkg in ("owlrl", "reasonable", "rdflib", "pyoxigraph")))


def graph_key(files: Iterable[Path], reasoning: bool) -> str:
    """The key of a built graph: its input files, the options and versions."""
    return inputs_key(files, f"reasoning={reasoning}", "graph-v2", *versions())


def union_name(key: str) -> str:
    """Cache file holding the whole built graph as N-Triples."""
    return f"graph-{key}.nt"

