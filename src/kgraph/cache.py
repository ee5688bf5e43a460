"""The on-disk cache of reasoning results, keyed by a hash of the inputs."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
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
    """A cache file's payload after checking its length and checksum; None if
    there is none, and None with a one-line notice if it is damaged (the
    caller then computes it again: a damaged cache is never served)."""
    from . import artifact

    try:
        found = artifact.read(cache_dir() / name)
    except artifact.DamagedArtifact as exc:
        print(f"kgraph: ignoring a damaged cache file ({exc}); computing it again", file=sys.stderr)
        return None
    return None if found is None else found.body


def write(name: str, payload: bytes) -> None:
    """Write atomically, with the length and checksum ``read`` checks; a cache
    that cannot be written is skipped silently (it only costs time on the next run)."""
    from . import artifact

    try:
        artifact.write(cache_dir() / name, payload, {})
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


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the package's own code: every Python module and query file.

    A change to a derivation rule, the reasoner's cleaning or a parser changes
    what the build makes, so it must change the key of what is cached."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for f in sorted(package.rglob("*")):
        if f.suffix in (".py", ".rq") and "__pycache__" not in f.parts:
            h.update(f.relative_to(package).as_posix().encode())
            h.update(b"\0")
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]


def versions() -> tuple[str, ...]:
    """What, besides the input files, shapes what the cache holds: the
    package's code and the versions of the libraries the build uses."""
    from . import __version__

    return (f"kgraph={__version__}", f"code={code_fingerprint()}",
            *(f"{pkg}={_dist_version(pkg)}" for pkg in ("owlrl", "reasonable", "rdflib", "pyoxigraph")))


def graph_key(files: Iterable[Path], reasoning: bool, added: Iterable[Path] = ()) -> str:
    """The key of a built graph: its input files, the user's files layered on
    them (``--add``: their own salt, since they are read differently), the
    options and versions."""
    added = tuple(added)
    salt = (f"add={inputs_key(added)}",) if added else ()
    return inputs_key(files, f"reasoning={reasoning}", "graph-v3", *salt, *versions())


def data_key(files: Iterable[Path] | None, reasoning: bool,
             add: Iterable[Path] | None = None) -> str | None:
    """The key of the graph built from these data files (the bundled graph when
    None; a folder stands for its files) and the user's files (``add``) with the
    bundled ontology and shapes, from the files alone (no parsing); None when a
    file is missing (the build then names it)."""
    from . import data
    from .errors import KgraphError
    from .parsing import data_files
    from .userdata import user_files

    bundle = data.bundled()
    try:
        inputs = data_files(files) if files else bundle.graph
        added = user_files(add)
    except KgraphError:
        return None
    if not all(f.is_file() for f in inputs + added):
        return None
    return graph_key(bundle.ontology + bundle.shapes + inputs, reasoning, added)


def artifact_path(key: str) -> Path:
    """Where the build artifact of a graph key is kept (see kgraph.artifact)."""
    return cache_dir() / f"graph-{key}.nq"



MANIFEST = "manifest.json"


def write_manifest(folder: Path) -> None:
    """Record the size, modification time and SHA-256 of every file under
    ``folder`` (the main job's kept outputs), so that a damaged copy is found
    before it is served."""
    import json

    entries = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.name != MANIFEST:
            st = f.stat()
            entries[f.relative_to(folder).as_posix()] = [st.st_size, _sha256(f), st.st_mtime_ns]
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(entries, indent=0, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def verify_manifest(folder: Path) -> bool:
    """True if every file the manifest lists is there, whole.  A file whose size
    and modification time are as recorded was not written since; any other is
    hashed (a warm run then reads 15 MB less)."""
    import json

    def whole(path: Path, size: int, digest: str, mtime: int) -> bool:
        st = path.stat()
        return st.st_size == size and (st.st_mtime_ns == mtime or _sha256(path) == digest)

    try:
        entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return bool(entries) and all(whole(folder / name, size, digest, mtime)
                                     for name, (size, digest, mtime) in entries.items())
    except (OSError, ValueError, TypeError):
        return False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
