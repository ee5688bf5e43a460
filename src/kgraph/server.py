"""The SPARQL 1.1 Protocol endpoint (to be written)."""

from __future__ import annotations

from typing import Any

from .errors import KgraphError


def serve(graph: Any, *, host: str, port: int, timeout: float, max_results: int, max_body: int) -> None:
    raise KgraphError("kgraph serve is not available yet")
