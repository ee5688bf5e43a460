"""N-Triples in and out for the cache files, without an rdflib graph between.

The build keeps its large parts (inferences, derived facts) as lists of
triples until someone asks for them as a graph; these turn such a list into
the cache's bytes and back.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .parsing import Terms, oxigraph_triples

Triple = tuple[Node, Node, Node]


def read(payload: bytes) -> list[Triple]:
    """The triples of an N-Triples document, blank node labels kept."""
    triples = oxigraph_triples(payload, "nt", "", Terms(), rename_blank_nodes=False)
    if triples is None:  # not ours after all: rdflib says what is wrong with it
        g = Graph()
        g.parse(data=payload.decode("utf-8"), format="nt")
        return list(g)
    return triples


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') \
        .replace("\r", "\\r") + '"'


def term(t: Node) -> str:
    """One term in N-Triples syntax (as rdflib's N-Triples serializer writes it)."""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        if t.language:
            return f"{_quoted(str(t))}@{t.language}"
        if t.datatype:
            return f"{_quoted(str(t))}^^<{t.datatype}>"
        return _quoted(str(t))
    return f"_:{t}"


def write(triples: Iterable[Triple]) -> bytes:
    """``triples`` as an N-Triples document (UTF-8)."""
    memo: dict[Node, str] = {}

    def n3(t: Node) -> str:
        found = memo.get(t)
        if found is None:
            found = memo[t] = term(t)
        return found

    return "".join([f"{n3(s)} {n3(p)} {n3(o)} .\n" for s, p, o in triples]).encode("utf-8")
