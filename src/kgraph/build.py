"""The pipeline: load -> reason (cached) -> derive, giving a KnowledgeGraph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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
from .parsing import load_files, merged, new_graph
from .progress import step

if TYPE_CHECKING:
    from .oxstore import OxGraph


@dataclass
class KnowledgeGraph:
    """The parts of the graph, kept apart, and their union for querying."""

    ontology: Graph
    asserted: Graph
    inferred: Graph
    derived: Graph
    shapes: Graph
    files: tuple[Path, ...] = ()
    key: str = ""
    _union: Graph | None = field(default=None, repr=False)
    _validation_data: Graph | None = field(default=None, repr=False)
    _ox: OxGraph | None = field(default=None, repr=False)

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

    @property
    def validation_data(self) -> Graph:
        """Ontology + asserted + derived, without inferences: what SHACL checks."""
        if self._validation_data is None:
            self._validation_data = merged(self.ontology, self.asserted, self.derived)
        return self._validation_data

    @property
    def ox(self) -> OxGraph:
        """The same union in an Oxigraph store: the fast engine for queries."""
        if self._ox is None:
            from .oxstore import OxGraph

            payload = cache.read(cache.union_name(self.key)) if self.key else None
            if payload is None:
                payload = self.graph.serialize(format="nt", encoding="utf-8")
            self._ox = OxGraph.from_ntriples(payload)
        return self._ox

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

    # One merged copy serves reasoning, derivation and validation.
    base = merged(ontology, asserted)
    inferred = new_graph()
    if reasoning:
        inferred = _inferred(ontology, asserted, base, bundle.ontology + data_files, use_cache,
                             progress)
    derived = derive(base)
    all_files = bundle.ontology + bundle.shapes + data_files
    kg = KnowledgeGraph(ontology, asserted, inferred, derived, shapes, files=all_files,
                        key=cache.graph_key(all_files, reasoning))
    kg._validation_data = base
    for t in derived:
        base.add(t)
    if use_cache and cache.read(cache.union_name(kg.key)) is None:
        # N-Triples concatenate into their union: no merged graph needed.
        cache.write(cache.union_name(kg.key), b"".join(
            part.serialize(format="nt", encoding="utf-8")
            for part in (ontology, asserted, inferred, derived)))
    return kg


def _inferred(ontology: Graph, asserted: Graph, base: Graph, inputs: Sequence[Path],
              use_cache: bool, progress: bool | None) -> Graph:
    from .reason import infer, reasonable_available, tbox_closure

    key = cache.inputs_key(inputs, "inferred-v3", *cache.versions())
    name = f"inferred-{key}.nt"
    if use_cache:
        payload = cache.read(name)
        if payload is not None:
            return _parse_nt(payload)
    with step("Reasoning over the graph (OWL 2 RL, first run after a data change)", progress):
        tbox = None
        if reasonable_available():
            # The ontology changes less often than the data: its closure is cached apart.
            tkey = cache.inputs_key([p for p in inputs if p.parent.name == "ontology"], "tbox-v1",
                                    *cache.versions())
            tname = f"tbox-{tkey}.nt"
            cached = cache.read(tname) if use_cache else None
            if cached is not None:
                tbox = _parse_nt(cached)
            else:
                tbox = tbox_closure(ontology)
                if use_cache:
                    cache.write(tname, tbox.serialize(format="nt", encoding="utf-8"))
        g = infer(ontology, asserted, tbox=tbox, base=base)
    if use_cache:
        cache.write(name, g.serialize(format="nt", encoding="utf-8"))
    return g


def _parse_nt(payload: bytes) -> Graph:
    g = new_graph()
    g.parse(data=payload.decode("utf-8"), format="nt")
    return g
