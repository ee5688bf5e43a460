"""Parse Turtle, N-Triples and JSON-LD files into rdflib graphs, with errors
that name the file and line.

Turtle and N-Triples are read by Oxigraph's parser (about ten times faster than
rdflib's) and its triples turned into rdflib terms, each IRI and literal made
once and shared: a graph of half a million triples then holds one object per
distinct term, so the rdflib store and every index built on it compare terms
by identity.  rdflib parses everything else, and re-parses any file Oxigraph
rejects, so a syntax error is reported the same way whichever parser met it.
A test checks both parsers give the same graph for every bundled file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import KgraphError
from .namespaces import PREFIXES

_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".n3": "n3",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    g = Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, replace=True)
    return g


def merged(*parts: Graph) -> Graph:
    """A new graph holding every triple of ``parts``."""
    g = Graph()
    for part in parts:
        for t in part:
            g.add(t)
    return g


def format_of(path: Path) -> str:
    """The rdflib parser name for a file, from its extension."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KgraphError(
            f"{path}: unknown RDF file type '{path.suffix}'",
            hint="use .ttl (Turtle), .nt (N-Triples) or .jsonld (JSON-LD)",
        )
    return fmt


class Terms:
    """Oxigraph terms to rdflib terms, each distinct term made once."""

    _XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

    def __init__(self) -> None:
        import pyoxigraph as ox

        self.iris: dict[str, URIRef] = {}
        self.literals: dict[tuple[str, str, str], Literal] = {}
        self._named, self._literal = ox.NamedNode, ox.Literal

    def iri(self, value: str) -> URIRef:
        found = self.iris.get(value)
        if found is None:
            found = self.iris[value] = URIRef(value)
        return found

    def term(self, t: Any) -> Node:
        if isinstance(t, self._named):
            return self.iri(t.value)
        if isinstance(t, self._literal):
            lang = t.language or ""
            dt = "" if lang else t.datatype.value
            key = (t.value, lang, dt)
            found = self.literals.get(key)
            if found is None:
                if lang:
                    found = Literal(t.value, lang=lang)
                elif dt == self._XSD_STRING:
                    # RDF 1.1: "x" and "x"^^xsd:string are one term; rdflib writes the plain form.
                    found = Literal(t.value)
                else:
                    found = Literal(t.value, datatype=self.iri(dt))
                self.literals[key] = found
            return found
        return BNode(t.value)

    def triples(self, quads: Iterable[Any]) -> Iterator[tuple[Node, Node, Node]]:
        term, iri = self.term, self.iri
        for q in quads:
            yield term(q.subject), iri(q.predicate.value), term(q.object)


#: Formats Oxigraph reads for us (rdflib name -> Oxigraph format name).
_OXIGRAPH_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES"}


def oxigraph_triples(payload: bytes, fmt: str, base: str, terms: Terms,
                      rename_blank_nodes: bool = True) -> list[tuple[Node, Node, Node]] | None:
    """The file's triples by Oxigraph's parser, or None if it rejects them.

    Blank node labels are renamed unless asked not to: ``_:b1`` in two files
    must stay two nodes."""
    import pyoxigraph as ox

    try:
        quads = ox.parse(payload, getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt]), base_iri=base or None,
                         without_named_graphs=True, rename_blank_nodes=rename_blank_nodes)
        return list(terms.triples(quads))
    except (SyntaxError, ValueError):
        return None


def read_triples(path: Path, terms: Terms | None = None) -> list[tuple[Node, Node, Node]]:
    """The triples of one file; raise KgraphError naming file and line.

    ``terms`` shares rdflib terms between the files of one graph."""
    path = Path(path)
    if not path.is_file():
        raise KgraphError(f"{path}: no such file", hint="check the path")
    fmt = format_of(path)
    try:
        payload = path.read_bytes()
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KgraphError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    base = path.resolve().as_uri()
    if fmt in _OXIGRAPH_FORMATS:
        triples = oxigraph_triples(payload, fmt, base, terms or Terms())
        if triples is not None:
            return triples
    g = Graph()
    try:
        g.parse(data=text, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many unrelated types
        raise KgraphError(_describe_parse_error(path, fmt, text, exc)) from exc
    return list(g)


def parse_into(graph: Graph, path: Path, terms: Terms | None = None) -> Graph:
    """Parse one file into ``graph``; raise KgraphError naming file and line."""
    graph.addN((s, p, o, graph) for s, p, o in read_triples(path, terms))
    return graph


def load_files(paths: Iterable[Path], into: Graph | None = None) -> Graph:
    """Parse several files into one graph (a new one unless ``into`` is given)."""
    g = new_graph() if into is None else into
    terms = Terms()
    for p in paths:
        parse_into(g, Path(p), terms)
    return g


def graph_of(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    """A new graph (with the project's prefixes) holding ``triples``."""
    g = new_graph()
    g.addN((s, p, o, g) for s, p, o in triples)
    return g


def _describe_parse_error(path: Path, fmt: str, text: str, exc: Exception) -> str:
    what = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD"}.get(fmt, fmt)
    line = getattr(exc, "lines", None)
    why = getattr(exc, "_why", None)
    if line is not None:  # notation3.BadSyntax: 0-based line count
        lineno = int(line) + 1
        src_line = _line(text, lineno)
        return f"{path}:{lineno}: {what} syntax error: {why or exc}\n    {src_line.strip()}"
    json_line = getattr(exc, "lineno", None)
    if json_line is not None:  # json decoders
        return f"{path}:{json_line}: {what} syntax error: {exc}"
    if fmt == "nt":
        bad = _first_bad_ntriples_line(text)
        if bad is not None:
            return f"{path}:{bad}: N-Triples syntax error\n    {_line(text, bad).strip()}"
    return f"{path}: {what} syntax error: {exc}"


def _line(text: str, lineno: int) -> str:
    lines = text.splitlines()
    return lines[lineno - 1] if 0 < lineno <= len(lines) else ""


def _first_bad_ntriples_line(text: str) -> int | None:
    for i, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            Graph().parse(data=raw + "\n", format="nt")
        except Exception:
            return i
    return None
