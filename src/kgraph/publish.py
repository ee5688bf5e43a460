"""Loading the graph into a triple store over the Graph Store Protocol (to be written)."""

from __future__ import annotations

from typing import Any

from .errors import KgraphError


def publish(kg: Any, *, store: str, update: str | None, user: str | None, password: str | None,
            auth: str, dataset: str) -> str:
    raise KgraphError("kgraph publish is not available yet")
