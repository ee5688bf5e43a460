"""The build artifact: the built graph as one N-Quads file every door reads.

The build writes the four parts (ontology, asserted, inferred, derived) as
named graphs of one N-Quads document (graph IRIs in ``prefixes.PART_GRAPHS``).
The parts are disjoint: a triple stated in two places is kept in the first of
ontology, asserted, inferred, derived.  So the union of the named graphs, which
the Oxigraph store serves as its default graph, holds each triple once, and
counting over it gives the same number on every engine.

The file starts with one comment line that records the body's length, its
SHA-256 and the size of each part::

    # kgraph-artifact 1 bytes=2519233 sha256=… ontology=2960 asserted=8391 …

N-Quads parsers skip it, and ``read`` checks it: a truncated, emptied or
garbled file is never served.  The whole file is written under a temporary
name and renamed into place, so a reader (or a second build running at the
same time) sees the old file or the new one, never half of one.

Standard library only (plus pyoxigraph to load it): the warm query path reads
the artifact without importing rdflib.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .prefixes import PART_GRAPHS

PARTS = tuple(PART_GRAPHS)
_MAGIC = b"# kgraph-artifact 1 "
_HEADER = re.compile(rb"# kgraph-artifact 1 bytes=(\d+) sha256=([0-9a-f]{64})((?: \w+=\d+)*)\n")


class DamagedArtifact(ValueError):
    """An artifact file whose header, length or checksum does not hold."""


@dataclass(frozen=True)
class Artifact:
    """A verified artifact: its N-Quads body and the size of each part."""

    path: Path
    body: bytes
    sizes: dict[str, int]


def nquads(parts: Mapping[str, bytes]) -> tuple[bytes, dict[str, int]]:
    """The N-Quads body of the parts (each an N-Triples document) and each
    part's size once triples already kept in an earlier part are dropped."""
    seen: set[bytes] = set()
    chunks: list[bytes] = []
    sizes: dict[str, int] = {}
    for part in PARTS:
        suffix = b" <" + PART_GRAPHS[part].encode() + b"> .\n"
        kept = []
        for line in parts.get(part, b"").splitlines():
            # N-Triples escapes every newline inside a literal, so a line is one triple.
            if not line or line.startswith(b"#") or line in seen:
                continue
            seen.add(line)
            kept.append(line[:-1].rstrip() + suffix if line.endswith(b".") else line + suffix)
        sizes[part] = len(kept)
        chunks.append(b"".join(kept))
    return b"".join(chunks), sizes


def header(body: bytes, sizes: Mapping[str, int]) -> bytes:
    counts = "".join(f" {p}={n}" for p, n in sizes.items())
    return (_MAGIC + f"bytes={len(body)} sha256={hashlib.sha256(body).hexdigest()}{counts}\n".encode())


def write(path: Path, body: bytes, sizes: Mapping[str, int]) -> None:
    """Write the artifact atomically (temporary file in the same folder, then rename).
    Other cache files use the same header with no sizes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-artifact-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header(body, sizes))
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse(path: Path, payload: bytes) -> Artifact:
    """Check an artifact's header, length and checksum; DamagedArtifact if any fails."""
    end = payload.find(b"\n")
    m = _HEADER.fullmatch(payload[:end + 1]) if end >= 0 else None
    if m is None:
        raise DamagedArtifact(f"{path}: no valid kgraph-artifact header")
    body = payload[end + 1:]
    if len(body) != int(m[1]):
        raise DamagedArtifact(f"{path}: {len(body)} bytes where the header says {int(m[1])}")
    if hashlib.sha256(body).hexdigest() != m[2].decode():
        raise DamagedArtifact(f"{path}: checksum does not match its content")
    sizes = {k: int(v) for k, v in (kv.split("=") for kv in m[3].decode().split())}
    return Artifact(path, body, sizes)


def read(path: Path) -> Artifact | None:
    """The verified artifact at ``path``; None if there is none.  A damaged one
    raises DamagedArtifact (the caller rebuilds it)."""
    try:
        payload = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DamagedArtifact(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return parse(path, payload)
