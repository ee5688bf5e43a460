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

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..build import KnowledgeGraph


def artifact_path(kg: KnowledgeGraph) -> Path:
    """The N-Quads file the workers load: the build artifact."""
    return Path(kg.artifact)


__all__ = ["artifact_path"]
