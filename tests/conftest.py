"""Shared fixtures: the bundled graph, built once per test session with a
private reasoning cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def require(condition: bool, reason: str) -> None:
    """Skip when a system package is missing, with what to install; under
    .ci/run (KGRAPH_CI=1) a missing package fails the run instead."""
    if condition:
        return
    if os.environ.get("KGRAPH_CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # A cache of our own: tests never read or write the user's cache folder.
    os.environ["KGRAPH_CACHE_DIR"] = str(tmp_path_factory.mktemp("kgraph-cache"))


@pytest.fixture(scope="session")
def kg(_private_cache: None):
    from kgraph.build import build

    return build(progress=False)


@pytest.fixture(scope="session")
def graph(kg):
    return kg.graph


@pytest.fixture(scope="session")
def sel(graph):
    """Run a SELECT on the reasoned graph; rows as tuples of Python values, IRIs as CURIEs."""
    from rdflib import URIRef

    from kgraph.namespaces import curie
    from kgraph.sparql import run

    def _sel(sparql: str) -> list[tuple]:
        out = []
        for row in run(graph, sparql):
            vals = []
            for v in row:
                if isinstance(v, URIRef):
                    vals.append(curie(v))
                elif v is None:
                    vals.append(None)
                else:
                    from kgraph.sparql import python_value

                    vals.append(python_value(v))
            out.append(tuple(vals))
        return out

    return _sel


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every page test of the session (tests/browser.py)."""
    from tests.browser import chromium

    with chromium() as b:
        yield b
