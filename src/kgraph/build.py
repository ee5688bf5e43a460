"""The pipeline: load -> reason (cached) -> derive, giving a KnowledgeGraph.

The build works on one rdflib graph, the ontology plus the asserted data
("base"): reasoning, derivation and validation all read it, so it is parsed
once and never copied.  Inferences and derived facts come out as lists of
triples; each part becomes a graph of its own only when someone asks for it
(an export, a test, the Python API), and the asserted part is then re-read
from its files.  At half a million triples the copies this avoids cost more
than the reasoning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph
from rdflib.term import Node

from . import cache, data, ntriples
from .derive import derive_triples
from .gcpause import gc_paused
from .namespaces import (
    GRAPH_ASSERTED,
    GRAPH_DERIVED,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    PREFIXES,
)
from .parsing import Terms, graph_of, load_files, merged, read_triples
from .progress import step

if TYPE_CHECKING:
    from .oxstore import OxGraph

Triple = tuple[Node, Node, Node]
PARTS = ("ontology", "asserted", "inferred", "derived")


class KnowledgeGraph:
    """The parts of the graph, kept apart, and their union for querying.

    ``ontology``, ``asserted``, ``inferred``, ``derived`` and ``shapes`` are
    rdflib graphs, made on first use; ``sizes`` counts each part without
    making it.
    """

    def __init__(self, *, ontology: Graph, shapes: Graph,
                 asserted: Graph | Callable[[], Graph],
                 inferred: Graph | Sequence[Triple], derived: Graph | Sequence[Triple],
                 files: tuple[Path, ...] = (), key: str = "",
                 sizes: dict[str, int] | None = None,
                 validation_data: Graph | None = None) -> None:
        self.shapes = shapes
        self.files = files
        self.key = key
        self._parts: dict[str, Graph | Callable[[], Graph] | Sequence[Triple]] = {
            "ontology": ontology, "asserted": asserted, "inferred": inferred, "derived": derived}
        self._sizes = dict(sizes or {})
        self._union: Graph | None = None
        self._validation_data = validation_data
        self._ox: OxGraph | None = None

    def _part(self, name: str) -> Graph:
        part = self._parts[name]
        if not isinstance(part, Graph):
            part = part() if callable(part) else graph_of(part)
            self._parts[name] = part
        return part

    def _triples(self, name: str) -> Iterable[Triple]:
        """A part's triples, without making a graph of a list."""
        part = self._parts[name]
        return self._part(name) if callable(part) else part

    @property
    def ontology(self) -> Graph:
        return self._part("ontology")

    @property
    def asserted(self) -> Graph:
        return self._part("asserted")

    @property
    def inferred(self) -> Graph:
        return self._part("inferred")

    @property
    def derived(self) -> Graph:
        return self._part("derived")

    @property
    def sizes(self) -> dict[str, int]:
        """Triples in each part (ontology, asserted, inferred, derived)."""
        for name in PARTS:
            if name not in self._sizes:
                part = self._parts[name]
                self._sizes[name] = len(part) if not callable(part) else len(self._part(name))
        return dict(self._sizes)

    @property
    def graph(self) -> Graph:
        """Ontology + asserted + inferred + derived, as one graph to query."""
        if self._union is None:
            g = merged(self.validation_data)
            g.addN((s, p, o, g) for s, p, o in self._triples("inferred"))
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
    all_files = bundle.ontology + bundle.shapes + data_files
    with gc_paused():
        ontology = load_files(bundle.ontology)
        shapes = load_files(bundle.shapes)
        with step(f"Reading {len(data_files)} data file(s)", progress):
            base, asserted, n_asserted = _load_data(ontology, data_files)
        key = cache.graph_key(all_files, reasoning)   # after reading: a missing file is named first
        inferred: list[Triple] = []
        inferred_nt = b""
        if reasoning:
            inferred, inferred_nt = _inferred(ontology, list(ontology) + asserted,
                                              bundle.ontology + data_files, use_cache, progress)
        with step("Deriving day bounds and administrations", progress):
            derived = derive_triples(base)
            base.addN((s, p, o, base) for s, p, o in derived)
        if use_cache and not (cache.cache_dir() / cache.union_name(key)).is_file():
            with step("Writing the graph to the cache", progress):
                # N-Triples concatenate into their union (repeats are harmless): no merged graph.
                cache.write(cache.union_name(key), b"".join(
                    (ntriples.write(ontology), ntriples.write(asserted), ntriples.write(derived),
                     inferred_nt)))
    return KnowledgeGraph(
        ontology=ontology, shapes=shapes, asserted=lambda: graph_of(asserted),
        inferred=inferred, derived=derived, files=all_files, key=key, validation_data=base,
        sizes={"ontology": len(ontology), "asserted": n_asserted, "inferred": len(inferred),
               "derived": len(derived)})


def _load_data(ontology: Graph, files: Sequence[Path]) -> tuple[Graph, list[Triple], int]:
    """Ontology + the data files in one graph, the files' triples, and how
    many distinct triples they assert (those the ontology states too included)."""
    base = merged(ontology)
    terms = Terms()
    ontology_subjects = set(ontology.subjects())
    restated: set[Triple] = set()
    asserted: list[Triple] = []
    for f in files:
        triples = read_triples(f, terms)
        base.addN((s, p, o, base) for s, p, o in triples)
        restated.update(t for t in triples if t[0] in ontology_subjects and t in ontology)
        asserted += triples
    return base, asserted, len(base) - len(ontology) + len(restated)


def _inferred(ontology: Graph, base: list[Triple], inputs: Sequence[Path],
              use_cache: bool, progress: bool | None) -> tuple[list[Triple], bytes]:
    """The cleaned inferences of ``base`` (ontology + asserted triples) and
    the same as N-Triples, from the cache when the inputs have not changed."""
    from .reason import infer_triples, reasonable_available, tbox_closure

    key = cache.inputs_key(inputs, "inferred-v3", *cache.versions())
    name = f"inferred-{key}.nt"
    if use_cache:
        payload = cache.read(name)
        if payload is not None:
            return ntriples.read(payload), payload
    with step("Reasoning over the graph (OWL 2 RL, first run after a data change)", progress):
        tbox = None
        if reasonable_available():
            # The ontology changes less often than the data: its closure is cached apart.
            tkey = cache.inputs_key([p for p in inputs if p.parent.name == "ontology"], "tbox-v1",
                                    *cache.versions())
            tname = f"tbox-{tkey}.nt"
            cached = cache.read(tname) if use_cache else None
            if cached is not None:
                tbox = graph_of(ntriples.read(cached))
            else:
                tbox = tbox_closure(ontology)
                if use_cache:
                    cache.write(tname, ntriples.write(tbox))
        triples = infer_triples(ontology, base, tbox=tbox)
    payload = ntriples.write(triples)
    if use_cache:
        cache.write(name, payload)
    return triples, payload
