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
    """The N-Quads file the workers load: the build artifact (``kg.artifact``),
    else one written here from the four parts into the cache folder."""
    artifact = getattr(kg, "artifact", None)
    if artifact is not None:
        return Path(artifact)
    import os
    import tempfile

    from .. import cache
    from ..namespaces import GRAPH_ASSERTED, GRAPH_DERIVED, GRAPH_INFERRED, GRAPH_ONTOLOGY
    from ..ntriples import term

    folder = cache.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"serve-{kg.key or 'nokey'}.nq"
    if kg.key and target.is_file():
        return target
    memo: dict[object, str] = {}

    def n3(t: object) -> str:
        found = memo.get(t)
        if found is None:
            found = memo[t] = term(t)  # type: ignore[arg-type]
        return found

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-serve-")
    with os.fdopen(fd, "wb") as fh:
        for graph, part in ((GRAPH_ONTOLOGY, kg.ontology), (GRAPH_ASSERTED, kg.asserted),
                            (GRAPH_INFERRED, kg.inferred), (GRAPH_DERIVED, kg.derived)):
            g = f"<{graph}>"
            fh.write("".join(f"{n3(s)} {n3(p)} {n3(o)} {g} .\n" for s, p, o in part).encode("utf-8"))
    os.replace(tmp, target)
    return target


__all__ = ["artifact_path"]
