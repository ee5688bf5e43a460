"""SPARQL over the graph: SELECT to rows of Python values (or a pandas
DataFrame), ASK to a bool, CONSTRUCT/DESCRIBE to a graph, and the library of
named queries in ``kgraph/queries/*.rq``."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rdflib import RDFS, Graph, Literal
from rdflib.term import Identifier, Node

from .errors import KgraphError
from .formats import Table
from .namespaces import PREFIXES, SKOS
from .querytext import NamedQuery, check_offline, named_queries, named_query, resolve, syntax_error
from .terms import python_rows

if TYPE_CHECKING:
    pass

# --- Running queries -------------------------------------------------------------------

#: rdflib's SPARQL parser (pyparsing) is not thread-safe: eight threads parsing at
#: once on first use break its grammar for the rest of the process (RDFLib/rdflib#1282).
PARSER_LOCK = threading.RLock()

def _prepare(sparql: str) -> str:
    return check_offline(sparql)


def _syntax_error(sparql: str, exc: Exception) -> KgraphError:
    lineno = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    if lineno is not None and col is not None:
        return syntax_error(sparql, lineno, col, msg)
    return KgraphError(f"SPARQL error: {msg}")


def run(graph: Graph, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Any:
    """Run any SPARQL query on ``graph`` with the project prefixes predeclared;
    returns rdflib's result."""
    sparql = _prepare(sparql)
    try:
        from rdflib.plugins.sparql import prepareQuery

        with PARSER_LOCK:
            q = prepareQuery(sparql, initNs=PREFIXES)
    except Exception as exc:
        raise _syntax_error(sparql, exc) from exc
    try:
        return graph.query(q, initBindings=bindings or {})
    except KgraphError:
        raise
    except Exception as exc:
        raise KgraphError(f"SPARQL evaluation failed: {exc}") from exc


# --- Values and labels ---------------------------------------------------------------------

def python_value(node: Node | None, labels: dict[Node, str] | None = None) -> Any:
    """A plain Python value for an rdflib term: ``kgraph.terms.python_value``,
    with a label map keyed by rdflib terms (as ``label_map`` gives)."""
    from .terms import python_value as _value

    return _value(node, None if labels is None else {str(k): v for k, v in labels.items()})


def label_map(graph: Graph, lang: str = "en") -> dict[Node, str]:
    """The best label of every labelled node: ``lang``, then English, then any."""
    rank: dict[Node, tuple[int, str]] = {}
    order = {lang: 0, "en": 1}
    for prop in (SKOS.prefLabel, RDFS.label):
        for s, lbl in graph.subject_objects(prop):
            if not isinstance(lbl, Literal):
                continue
            r = order.get(lbl.language or "", 2) * 2 + (0 if prop == SKOS.prefLabel else 1)
            if s not in rank or r < rank[s][0]:
                rank[s] = (r, str(lbl))
    return {s: v for s, (_, v) in rank.items()}


def select(graph: Graph, sparql: str, *, lang: str = "en", labels: bool = True,
           bindings: Mapping[str, Identifier] | None = None) -> Table:
    """Run a SELECT query; IRIs shown as labels in ``lang`` unless ``labels=False``."""
    result = run(graph, sparql, bindings)
    if result.type != "SELECT":
        raise KgraphError(f"expected a SELECT query, got {result.type}",
                          hint="use kgraph.ask() or kgraph.construct() for other forms")
    lmap = {str(k): v for k, v in label_map(graph, lang).items()} if labels else None
    cols = [str(v) for v in result.vars]
    return Table(cols, python_rows([list(row) for row in result], lmap))


def ask(graph: Graph, sparql: str) -> bool:
    result = run(graph, sparql)
    if result.type != "ASK":
        raise KgraphError(f"expected an ASK query, got {result.type}")
    return bool(result.askAnswer)


def construct(graph: Graph, sparql: str) -> Graph:
    result = run(graph, sparql)
    if result.type not in ("CONSTRUCT", "DESCRIBE"):
        raise KgraphError(f"expected a CONSTRUCT or DESCRIBE query, got {result.type}")
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for t in result.graph:
        g.add(t)
    return g


__all__ = ["NamedQuery", "Table", "check_offline", "ask", "construct", "label_map", "named_queries",
           "named_query", "python_value", "resolve", "run", "select"]
