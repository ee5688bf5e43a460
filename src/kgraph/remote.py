"""Queries against a remote SPARQL endpoint (to be written)."""

from __future__ import annotations

from typing import Any

from .errors import KgraphError


def remote_query(endpoint: str, sparql: str) -> Any:
    raise KgraphError("remote queries are not available yet")
