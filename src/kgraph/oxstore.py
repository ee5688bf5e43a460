"""The one engine every door reads: the build artifact in an Oxigraph store.

``kgraph query``, ``kgraph.query()``, ``%%sparql``, the figures, the network
projections, the exports and the endpoint all answer from an ``OxGraph``
loaded from the same artifact (``kgraph.artifact``), so the same question gets
the same rows through every door.  The parts of the graph are named graphs;
the default graph is their union.  rdflib stays for building and as the
reference the tests compare against.  This module does not import rdflib, so
``kgraph query`` with a warm cache starts fast.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KgraphError
from .formats import Table
from .prefixes import PART_GRAPHS, PREFIXES
from .querytext import check_offline, syntax_error
from .terms import python_rows, tsv_rows

if TYPE_CHECKING:
    from rdflib import Graph

_LABELS = """
SELECT ?s ?label ?pref WHERE {
  { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label . BIND(0 AS ?pref) }
  UNION
  { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label . BIND(1 AS ?pref) }
}
"""


@dataclass
class Result:
    """Engine-neutral result: a table, an answer, or N-Triples text."""

    type: str
    columns: list[str]
    rows: list[list[Any]]
    answer: bool | None = None
    ntriples: str | None = None


class OxGraph:
    """A read-only Oxigraph store holding the whole reasoned graph."""

    def __init__(self, store: Any, path: Path | None = None) -> None:
        self.store = store
        self.path = path
        self._labels: dict[str, dict[str, str]] = {}

    @classmethod
    def from_nquads(cls, data: bytes, path: Path | None = None) -> OxGraph:
        """A store holding an artifact's N-Quads body (``path`` names where it came from)."""
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(data, ox.RdfFormat.N_QUADS)
        return cls(store, path)

    @classmethod
    def from_artifact(cls, path: Path) -> OxGraph:
        """Load a verified artifact; raises ``artifact.DamagedArtifact`` if it is not."""
        from . import artifact

        found = artifact.read(path)
        if found is None:
            raise artifact.DamagedArtifact(f"{path}: no such artifact")
        try:
            return cls.from_nquads(found.body, path)
        except (SyntaxError, ValueError) as exc:   # whole by its checksum, yet not N-Quads
            raise artifact.DamagedArtifact(f"{path}: not valid N-Quads ({exc})") from exc

    def __len__(self) -> int:
        """Triples in the union (the parts are disjoint, so quads = triples)."""
        return len(self.store)

    def part(self, name: str) -> Graph:
        """One part (ontology, asserted, inferred, derived) as an rdflib graph."""
        import pyoxigraph as ox

        if name not in PART_GRAPHS:
            raise KgraphError(f"no part '{name}'", hint=f"one of {', '.join(PART_GRAPHS)}")
        return _rdflib_graph(self.store.quads_for_pattern(None, None, None, ox.NamedNode(PART_GRAPHS[name])))

    def store_graph(self) -> Graph:
        """Every triple of the store, whatever its graph, as one rdflib graph."""
        return _rdflib_graph(self.store)

    def labels(self, lang: str = "en") -> dict[str, str]:
        """IRI -> best label: ``lang``, then English, then any; prefLabel first."""
        if lang not in self._labels:
            rank: dict[str, tuple[int, str]] = {}
            order = {lang: 0, "en": 1}
            for row in self.store.query(_LABELS, use_default_graph_as_union=True):
                s, label, pref = row["s"], row["label"], row["pref"]
                if not hasattr(s, "value") or label is None:
                    continue
                r = order.get(getattr(label, "language", None) or "", 2) * 2 + int(pref.value)
                key = s.value
                if key not in rank or r < rank[key][0]:
                    rank[key] = (r, label.value)
            self._labels[lang] = {k: v for k, (_, v) in rank.items()}
        return self._labels[lang]

    def _run(self, sparql: str) -> Any:
        sparql = check_offline(sparql)
        try:
            return self.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise _syntax_error(sparql, exc) from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise KgraphError(f"SPARQL evaluation failed: {exc}") from exc

    def query(self, sparql: str) -> Result:
        """Run any query form; project prefixes are predeclared."""
        import pyoxigraph as ox

        res = self._run(sparql)
        if isinstance(res, ox.QuerySolutions):
            cols = [v.value for v in res.variables]
            # A solution iterates over its values in the variables' order, several times
            # faster than looking each one up by name (thousands of rows at scale).
            rows = [list(sol) for sol in res]
            return Result("SELECT", cols, rows)
        if isinstance(res, ox.QueryBoolean):
            return Result("ASK", [], [], answer=bool(res))
        triples = [ox.Triple(t.subject, t.predicate, t.object) for t in res]
        text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        return Result("CONSTRUCT", [], [], ntriples=(text or b"").decode("utf-8"))

    def select(self, sparql: str, *, lang: str = "en", labels: bool = True) -> Table:
        """A SELECT as a Table of Python values (IRIs as labels unless ``labels=False``)."""
        import pyoxigraph as ox

        res = self._run(sparql)
        if not isinstance(res, ox.QuerySolutions):
            kind = "ASK" if isinstance(res, ox.QueryBoolean) else "CONSTRUCT"
            raise KgraphError(f"expected a SELECT query, got {kind}",
                              hint="use ask() or construct() for other forms")
        lmap = self.labels(lang) if labels else None
        try:
            columns, rows = tsv_rows(res.serialize(format=ox.QueryResultsFormat.TSV) or b"", lmap)
        except ValueError:
            # A term this reader does not decode: the (slower) term-by-term way.
            fallback = self.query(sparql)
            columns, rows = fallback.columns, python_rows(fallback.rows, lmap)
        return Table(columns, rows)


def _rdflib_graph(quads: Any) -> Graph:
    """The triples of Oxigraph quads as an rdflib graph (each distinct term converted once)."""
    from .parsing import new_graph
    from .terms import rdflib_converter

    g = new_graph()
    conv = rdflib_converter()
    g.addN((conv(q.subject), conv(q.predicate), conv(q.object), g) for q in quads)
    return g


def as_ox(source: Any) -> OxGraph:
    """The store to query for ``source``: an OxGraph itself, a KnowledgeGraph's
    store, or (for a user's own rdflib graph) its triples in a store of their
    own, so that whatever is passed in, Oxigraph answers."""
    if isinstance(source, OxGraph):
        return source
    ox = getattr(source, "ox", None)
    if isinstance(ox, OxGraph):
        return ox
    from .ntriples import write

    return OxGraph.from_nquads(write(source))   # N-Triples is N-Quads in the default graph


def open_graph(files: Sequence[Path] | None = None, *, reasoning: bool = True,
               use_cache: bool = True, add: Sequence[Path] | None = None) -> OxGraph:
    """The built graph in Oxigraph: straight from the cached artifact when the
    inputs and the code have not changed (no rdflib import, no parsing), else
    built first.  A damaged artifact is noted and rebuilt, never served."""
    from . import artifact, cache

    key = cache.data_key(files, reasoning, add) if use_cache else None
    if key is not None:
        path = cache.artifact_path(key)
        try:
            return OxGraph.from_artifact(path)
        except artifact.DamagedArtifact as exc:
            if path.exists():
                print(f"kgraph: the cached graph was damaged ({exc}); rebuilding it",
                      file=sys.stderr)
                path.unlink(missing_ok=True)
    from .build import build

    return build(files, add=add, reasoning=reasoning, use_cache=use_cache).ox


_POSITION = re.compile(r"error at (\d+):(\d+)")


def _syntax_error(sparql: str, exc: SyntaxError) -> KgraphError:
    msg = str(exc)
    m = _POSITION.search(msg)
    detail = msg[m.end():].lstrip(": ") if m else msg
    if m:
        # Oxigraph points just past the offending character.
        return syntax_error(sparql, int(m[1]), max(int(m[2]) - 1, 1), detail)
    return KgraphError(f"SPARQL syntax error: {detail}")
