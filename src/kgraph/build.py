"""The pipeline: load -> reason (cached) -> derive, giving a KnowledgeGraph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from . import cache, data
from .derive import derive
from .namespaces import (
    GRAPH_ASSERTED,
    GRAPH_DERIVED,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    PREFIXES,
)
from .parsing import load_files, new_graph
from .progress import step


@dataclass
class KnowledgeGraph:
    """The parts of the graph, kept apart, and their union for querying."""

    ontology: Graph
    asserted: Graph
    inferred: Graph
    derived: Graph
    shapes: Graph
    files: tuple[Path, ...] = ()
    _union: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """Ontology + asserted + inferred + derived, as one graph to query."""
        if self._union is None:
            g = new_graph()
            for part in (self.ontology, self.asserted, self.inferred, self.derived):
                for t in part:
                    g.add(t)
            self._union = g
        return self._union

    def dataset(self) -> Dataset:
        """The four parts as named graphs of one dataset."""
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        for name, part in (
            (GRAPH_ONTOLOGY, self.ontology),
            (GRAPH_ASSERTED, self.asserted),
            (GRAPH_INFERRED, self.inferred),
            (GRAPH_DERIVED, self.derived),
        ):
            ng = ds.graph(name)
            for t in part:
                ng.add(t)
        return ds


def _versions() -> tuple[str, ...]:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for pkg in ("kgraph", "owlrl", "rdflib"):
        try:
            out.append(f"{pkg}={version(pkg)}")
        except PackageNotFoundError:
            out.append(f"{pkg}=?")
    return tuple(out)


def build(
    files: Sequence[Path] | None = None,
    *,
    reasoning: bool = True,
    use_cache: bool = True,
    progress: bool | None = None,
) -> KnowledgeGraph:
    """Build the knowledge graph.

    ``files``: data files (Turtle, N-Triples, JSON-LD) to use instead of the
    bundled graph; the bundled ontology and shapes are always used.
    ``reasoning=False`` skips OWL 2 RL (the inferred part stays empty).
    Reasoning results are cached on disk by a hash of the inputs.
    """
    bundle = data.bundled()
    data_files = tuple(Path(f) for f in files) if files else bundle.graph
    ontology = load_files(bundle.ontology)
    shapes = load_files(bundle.shapes)
    asserted = load_files(data_files)

    inferred = new_graph()
    if reasoning:
        inferred = _inferred(ontology, asserted, bundle.ontology + data_files, use_cache, progress)
    derived = derive(_merge(ontology, asserted))
    return KnowledgeGraph(ontology, asserted, inferred, derived, shapes,
                          files=bundle.ontology + bundle.shapes + data_files)


def _inferred(ontology: Graph, asserted: Graph, inputs: Sequence[Path],
              use_cache: bool, progress: bool | None) -> Graph:
    from .reason import infer

    key = cache.inputs_key(inputs, "owlrl-v1", *_versions())
    name = f"inferred-{key}.nt"
    if use_cache:
        payload = cache.read(name)
        if payload is not None:
            g = new_graph()
            g.parse(data=payload.decode("utf-8"), format="nt")
            return g
    with step("Reasoning over the graph (OWL 2 RL, first run after a data change)", progress):
        g = infer(ontology, asserted)
    if use_cache:
        cache.write(name, g.serialize(format="nt", encoding="utf-8"))
    return g


def _merge(*parts: Graph) -> Graph:
    g = Graph()
    for part in parts:
        for t in part:
            g.add(t)
    return g
