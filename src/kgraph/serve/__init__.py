"""``kgraph serve``: a read-only SPARQL 1.1 endpoint that can face the internet.

- **HTTP** is Uvicorn (h11) and Starlette: framing, keep-alive, slow clients and
  connection limits are theirs (:mod:`kgraph.serve.http`); the SPARQL protocol is
  ours (:mod:`kgraph.serve.app`, :mod:`kgraph.serve.protocol`).
- **Queries** run in worker processes (:mod:`kgraph.serve.worker`), each with the
  whole graph in Oxigraph, loaded once from the build artifact (N-Quads with four
  named graphs; the default graph is their union). A query past its deadline gets
  its worker killed and replaced; each worker's memory is capped
  (:mod:`kgraph.serve.pool`).
- **Safe defaults:** loopback, read-only (updates 403, ``SERVICE``/``LOAD`` 400,
  decided on the query's tokens), a time limit, a result cap with the header
  ``X-Kgraph-Truncated``, a body limit, a connection cap, a deadline for a request's
  headers and body.

Nothing here is imported by ``kgraph`` until ``kgraph serve`` runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KgraphError

if TYPE_CHECKING:
    from ..build import KnowledgeGraph


def artifact_path(kg: KnowledgeGraph) -> Path:
    """The N-Quads file the workers load: the build artifact."""
    return Path(kg.artifact)


def build_artifact(files: Sequence[Path] | None, *, reasoning: bool = True,
                   use_cache: bool = True, add: Sequence[Path] | None = None) -> Path:
    """The artifact to serve, built (or found in the cache) in a child process: the
    server lives long, and a process that once held the rdflib graph keeps its memory
    (1.3 GB at 100x the bundled data) though the workers never need it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
        path, error = ex.submit(_build, list(files or []), reasoning, use_cache, list(add or [])).result()
    if error is not None:
        raise KgraphError(*error)
    return Path(path)


def _build(files: list[Path], reasoning: bool, use_cache: bool,
           add: list[Path] | None = None) -> tuple[str, tuple[str, str | None] | None]:
    from ..build import build

    try:
        kg = build(files or None, add=add or None, reasoning=reasoning, use_cache=use_cache)
        return str(kg.artifact), None
    except KgraphError as exc:
        return "", (exc.message, exc.hint)


__all__ = ["artifact_path", "build_artifact"]
