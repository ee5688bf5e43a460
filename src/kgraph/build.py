"""The pipeline: load -> reason (cached) -> derive -> the build artifact.

The build works on one rdflib graph, the ontology plus the asserted data
("base"): reasoning, derivation and validation all read it, so it is parsed
once and never copied.  Inferences and derived facts come out as lists of
triples.  What the build hands on is one artifact (``kgraph.artifact``): the
four parts as named graphs of an N-Quads file, kept in the cache under a key
that covers the input files, the package's code and the libraries' versions.
Every read (queries, projections, figures, exports, the endpoint) goes through
that artifact loaded into Oxigraph, so every door sees the same graph; the
parts are also offered as rdflib graphs, made from the artifact on first use.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph
from rdflib.term import Node

from . import artifact, cache, data, ntriples
from .derive import derive_triples
from .gcpause import gc_paused
from .namespaces import PREFIXES
from .parsing import Terms, graph_of, load_files, merged, read_triples
from .prefixes import PART_GRAPHS
from .progress import step
from .ties import tie_triples

if TYPE_CHECKING:
    from .oxstore import OxGraph
    from .userdata import Additions

Triple = tuple[Node, Node, Node]
PARTS = artifact.PARTS


class KnowledgeGraph:
    """A built graph: its artifact, the store that reads it, and its parts.

    ``ox`` is the Oxigraph store every query goes through.  ``ontology``,
    ``asserted``, ``inferred`` and ``derived`` are rdflib graphs of the
    artifact's parts and ``graph`` their union, made on first use; ``sizes``
    counts each part without making it.  ``validation_data`` is what SHACL
    checks (ontology + asserted + derived, before reasoning).
    """

    def __init__(self, *, artifact_path: Path, sizes: dict[str, int], shapes: Graph,
                 validation_data: Graph, files: tuple[Path, ...] = (), key: str = "",
                 body: bytes | None = None, additions: Additions | None = None) -> None:
        self.artifact = artifact_path
        #: The user's files layered on the data (``add=``) and where each record is written.
        self.additions = additions
        self.shapes = shapes
        self.files = files
        self.key = key
        self.validation_data = validation_data
        self._sizes = dict(sizes)
        self._body = body
        self._parts: dict[str, Graph] = {}
        self._union: Graph | None = None
        self._ox: OxGraph | None = None

    @property
    def ox(self) -> OxGraph:
        """The artifact in an Oxigraph store: the engine every read uses."""
        if self._ox is None:
            from .oxstore import OxGraph

            if self._body is not None:
                self._ox = OxGraph.from_nquads(self._body, self.artifact)
                self._body = None
            else:
                self._ox = OxGraph.from_artifact(self.artifact)
        return self._ox

    def _part(self, name: str) -> Graph:
        if name not in self._parts:
            self._parts[name] = self.ox.part(name)
        return self._parts[name]

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
        return dict(self._sizes)

    @property
    def graph(self) -> Graph:
        """Ontology + asserted + inferred + derived, as one rdflib graph."""
        if self._union is None:
            self._union = merged(*(self._part(name) for name in PARTS))
        return self._union

    def dataset(self) -> Dataset:
        """The four parts as named graphs of one rdflib dataset."""
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        for name in PARTS:
            ng = ds.graph(PART_GRAPHS[name])
            for t in self._part(name):
                ng.add(t)
        return ds


def build(
    files: Sequence[Path] | None = None,
    *,
    add: Sequence[Path] | None = None,
    reasoning: bool = True,
    use_cache: bool = True,
    progress: bool | None = None,
) -> KnowledgeGraph:
    """Build the knowledge graph and its artifact.

    ``files``: data files (Turtle, N-Triples, JSON-LD) to use instead of the
    bundled graph; the bundled ontology and shapes are always used.
    ``add``: the user's own files (RDF, or CSV from ``kgraph template``; a
    folder stands for the files in it) layered on that data, checked as
    kgraph.userdata says.
    ``reasoning=False`` skips OWL 2 RL (the inferred part stays empty).
    ``use_cache=False`` reads nothing from the cache: reasoning is run again
    and the artifact rewritten.
    """
    bundle = data.bundled()
    from .parsing import data_files as expand
    from .userdata import read_additions, user_files

    data_files = expand(files) if files else bundle.graph
    added = user_files(add)
    all_files = bundle.ontology + bundle.shapes + data_files
    with gc_paused():
        ontology = load_files(bundle.ontology)
        shapes = load_files(bundle.shapes)
        with step(f"Reading {len(data_files)} data file(s)", progress):
            base, asserted = _load_data(ontology, data_files)
        additions = None
        if added:
            with step(f"Reading {len(added)} file(s) of your own", progress):
                additions = read_additions(added, base, shapes)
                base.addN((s, p, o, base) for s, p, o in additions.triples)
                asserted += additions.triples
        # After reading: a missing file is named first.
        key = cache.graph_key(all_files, reasoning, added)
        inferred_nt = b""
        if reasoning:
            inferred_nt = _inferred(ontology, list(ontology) + asserted,
                                    bundle.ontology + data_files + added, use_cache, progress)
        with step("Deriving day bounds, administrations and ties", progress):
            derived = derive_triples(base)
            base.addN((s, p, o, base) for s, p, o in derived)
            ties = tie_triples(base)   # ties need the day bounds just derived
            base.addN((s, p, o, base) for s, p, o in ties)
            derived += ties
        path = cache.artifact_path(key)
        found = _cached_artifact(path) if use_cache else None
        body = None
        if found is not None:
            sizes = found.sizes
        else:
            with step("Writing the graph artifact", progress):
                body, sizes = artifact.nquads({
                    "ontology": ntriples.write(ontology), "asserted": ntriples.write(asserted),
                    "inferred": inferred_nt, "derived": ntriples.write(derived)})
                path = _write_artifact(path, body, sizes)
    return KnowledgeGraph(artifact_path=path, sizes=sizes, shapes=shapes, validation_data=base,
                          files=all_files + added, key=key, body=body, additions=additions)


def _cached_artifact(path: Path) -> artifact.Artifact | None:
    """The cached artifact if it is whole; a damaged one is noted and rebuilt."""
    try:
        return artifact.read(path)
    except artifact.DamagedArtifact as exc:
        print(f"kgraph: the cached graph was damaged ({exc}); rebuilding it", file=sys.stderr)
        return None


def _write_artifact(path: Path, body: bytes, sizes: dict[str, int]) -> Path:
    """Write the artifact into the cache, or into a temporary folder when the
    cache cannot be written (it then only lasts this run)."""
    try:
        artifact.write(path, body, sizes)
        return path
    except OSError:
        fallback = Path(tempfile.mkdtemp(prefix="kgraph-")) / path.name
        artifact.write(fallback, body, sizes)
        return fallback


def _load_data(ontology: Graph, files: Sequence[Path]) -> tuple[Graph, list[Triple]]:
    """Ontology + the data files in one graph, and the files' triples."""
    base = merged(ontology)
    terms = Terms()
    asserted: list[Triple] = []
    for f in files:
        triples = read_triples(f, terms)
        base.addN((s, p, o, base) for s, p, o in triples)
        asserted += triples
    return base, asserted


def _inferred(ontology: Graph, base: list[Triple], inputs: Sequence[Path],
              use_cache: bool, progress: bool | None) -> bytes:
    """The cleaned inferences of ``base`` (ontology + asserted triples) as
    N-Triples, from the cache when the inputs have not changed."""
    from .reason import infer_triples, reasonable_available, tbox_closure

    key = cache.inputs_key(inputs, "inferred-v3", *cache.versions())
    name = f"inferred-{key}.nt"
    if use_cache:
        payload = cache.read(name)
        if payload is not None:
            return payload
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
    return payload
