"""kgraph: a knowledge graph of South Korea's defence diplomacy.

Quick start::

    import kgraph
    df = kgraph.query("agreements-by-partner")     # a named query -> DataFrame
    kg = kgraph.load()                              # the reasoned graph, parts kept apart
    kgraph.validate(kg).conforms

Nothing heavy happens at import time: the graph is built (and reasoning run
or read from the cache) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from .build import KnowledgeGraph
    from .shacl import ValidationReport

_default: KnowledgeGraph | None = None


def load(files: list[str | Path] | None = None, *, reasoning: bool = True,
         use_cache: bool = True) -> KnowledgeGraph:
    """Build the knowledge graph (bundled data unless ``files`` are given).

    The reasoned result for the bundled data is kept for later calls.
    """
    global _default
    from pathlib import Path

    from .build import build

    if files is None and reasoning and use_cache and _default is not None:
        return _default
    kg = build([Path(f) for f in files] if files else None, reasoning=reasoning,
               use_cache=use_cache)
    if files is None and reasoning and use_cache:
        _default = kg
    return kg


def query(sparql: str, *, lang: str = "en", labels: bool = True,
          kg: KnowledgeGraph | None = None, engine: str = "oxigraph") -> pd.DataFrame:
    """Run a SELECT query (SPARQL text, a .rq file, or a named query's name)
    and return a pandas DataFrame with Python values and readable labels.

    ``engine="oxigraph"`` (default, fast) or ``"rdflib"`` (the reference);
    both give the same rows for the named queries.
    """
    from .querytext import resolve

    kg = kg or load()
    text = resolve(sparql)
    if engine == "oxigraph":
        return kg.ox.select(text, lang=lang, labels=labels).to_dataframe()
    from .sparql import select

    return select(kg.graph, text, lang=lang, labels=labels).to_dataframe()


def validate(kg: KnowledgeGraph | None = None, engine: str = "fast") -> ValidationReport:
    """SHACL-validate the asserted graph (default: the bundled one).

    ``engine``: "fast" (kgraph's own, the default) or "pyshacl" (the
    reference); both report the same violations for the bundled shapes.
    """
    from .shacl import validate as _validate

    return _validate(kg or load(), engine)


def named_queries() -> list[Any]:
    """The library of named queries (name, title, question, text)."""
    from .sparql import named_queries as _nq

    return _nq()


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext kgraph`` registers the ``%%sparql`` cell magic."""
    from .magic import register

    register(ipython)


__all__ = ["__version__", "load", "named_queries", "query", "validate"]
