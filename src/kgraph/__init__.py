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

import threading
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from .build import KnowledgeGraph
    from .oxstore import OxGraph
    from .shacl import ValidationReport

_default: KnowledgeGraph | None = None
_default_ox: OxGraph | None = None
_lock = threading.Lock()

#: Query engines of ``query()``: Oxigraph reads the build artifact, as every
#: other door does; rdflib is the reference, kept for debugging and tests.
ENGINES = ("oxigraph", "rdflib")


def load(files: list[str | Path] | None = None, *, add: list[str | Path] | None = None,
         reasoning: bool = True, use_cache: bool = True) -> KnowledgeGraph:
    """Build the knowledge graph (bundled data unless ``files`` are given).

    ``add``: files of your own layered on it (a CSV from ``kgraph template``,
    Turtle or another RDF format, or a folder of them), as ``--add`` does.
    The reasoned result for the bundled data is kept for later calls.
    ``use_cache=False`` rebuilds everything instead of reading the cache.
    """
    global _default
    from pathlib import Path

    from .build import build

    with _lock:   # a first use from several threads builds once
        plain = files is None and not add and reasoning and use_cache
        if plain and _default is not None:
            return _default
        kg = build([Path(f) for f in files] if files else None,
                   add=[Path(f) for f in add] if add else None, reasoning=reasoning,
                   use_cache=use_cache)
        if plain:
            _default = kg
        return kg


def _bundled_ox() -> OxGraph:
    """The bundled graph's store, from the cached artifact when it is whole."""
    global _default_ox
    with _lock:
        if _default_ox is None:
            if _default is not None:
                _default_ox = _default.ox
            else:
                from .oxstore import open_graph

                _default_ox = open_graph()
        return _default_ox


def query(sparql: str, *, lang: str = "en", labels: bool = True,
          kg: KnowledgeGraph | None = None, engine: str = "oxigraph") -> pd.DataFrame:
    """Run a SELECT query (SPARQL text, a .rq file, or a named query's name)
    and return a pandas DataFrame with Python values and readable labels.

    Every door (this function, ``kgraph query``, ``%%sparql``, the endpoint)
    answers from the same Oxigraph store.  ``engine="rdflib"`` runs the query
    on rdflib instead: the reference implementation, for debugging; it can
    differ where engines disagree (e.g. comparing mixed date types).
    """
    from .errors import KgraphError
    from .querytext import resolve

    name = engine.lower() if isinstance(engine, str) else engine
    if name not in ENGINES:
        raise KgraphError(f"unknown query engine {engine!r}",
                          hint="use engine='oxigraph' (the default) or 'rdflib' (the reference)")
    text = resolve(sparql)
    if name == ENGINES[1]:
        from .sparql import select

        return select((kg or load()).graph, text, lang=lang, labels=labels).to_dataframe()
    ox = kg.ox if kg is not None else _bundled_ox()
    return ox.select(text, lang=lang, labels=labels).to_dataframe()


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


__all__ = ["ENGINES", "__version__", "load", "named_queries", "query", "validate"]
