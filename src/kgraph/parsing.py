"""Parse RDF files (Turtle, N-Triples, JSON-LD, RDF/XML, N3) into rdflib
triples, with errors that name the file, line and column.

Turtle and N-Triples are read by Oxigraph's parser (about ten times faster than
rdflib's) and its triples turned into rdflib terms, each IRI and literal made
once and shared: a graph of half a million triples then holds one object per
distinct term, so the rdflib store and every index built on it compare terms
by identity.  Oxigraph alone decides whether a file is valid: rdflib's parser
accepts things (an IRI with a space, a 200-character language tag) that later
crash the reasoner.  A test checks rdflib reads the same graph from every
bundled file.
"""

from __future__ import annotations

import re
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
        csv = " (a CSV of records of your own goes to --add: see kgraph template)" \
            if path.suffix.lower() == ".csv" else ""
        raise KgraphError(
            f"{path}: unknown RDF file type '{path.suffix}'",
            hint=f"kgraph reads {extensions()}{csv}",
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


#: Formats Oxigraph reads for us (rdflib name -> Oxigraph format name): all of them.
_OXIGRAPH_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "n3": "N3", "json-ld": "JSON_LD",
                     "xml": "RDF_XML"}
_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "n3": "N3", "json-ld": "JSON-LD", "xml": "RDF/XML"}
#: Oxigraph's limit on one token (a literal or an IRI), in bytes.
TOKEN_LIMIT = 16 * 1024 * 1024


def oxigraph_triples(payload: bytes, fmt: str, base: str, terms: Terms,
                      rename_blank_nodes: bool = True) -> list[tuple[Node, Node, Node]] | None:
    """The file's triples by Oxigraph's parser, or None if it rejects them.

    Blank node labels are renamed unless asked not to: ``_:b1`` in two files
    must stay two nodes."""
    try:
        return _oxigraph_parse(payload, fmt, base, terms, rename_blank_nodes)
    except (SyntaxError, ValueError, MemoryError):
        return None


def _oxigraph_parse(payload: bytes, fmt: str, base: str, terms: Terms,
                    rename_blank_nodes: bool = True) -> list[tuple[Node, Node, Node]]:
    import pyoxigraph as ox

    quads = ox.parse(payload, getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt]), base_iri=base or None,
                     without_named_graphs=True, rename_blank_nodes=rename_blank_nodes)
    return list(terms.triples(quads))


def data_files(paths: Iterable[Path]) -> tuple[Path, ...]:
    """``paths`` with each folder replaced by the RDF files inside it (by
    extension, sorted, subfolders included); KgraphError for a folder without any."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix.lower() in _FORMATS and f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                raise KgraphError(f"{p}: a folder with no RDF files in it",
                                  hint=f"kgraph reads {extensions()}")
            out += found
        else:
            out.append(p)
    return tuple(out)


def extensions() -> str:
    """The accepted data file extensions, for help texts and messages."""
    return ("Turtle (.ttl), N-Triples (.nt), JSON-LD (.jsonld, .json), RDF/XML (.rdf, .owl, .xml) "
            "and N3 (.n3)")


def read_triples(path: Path, terms: Terms | None = None) -> list[tuple[Node, Node, Node]]:
    """The triples of one file; raise KgraphError naming file, line and column.

    Oxigraph alone decides whether a file is valid: what it rejects is never
    read by another parser.  JSON-LD never fetches a remote ``@context``, and
    RDF/XML entity declarations that could expand without bound are refused.
    ``terms`` shares rdflib terms between the files of one graph."""
    path = Path(path)
    if path.is_dir():
        raise KgraphError(f"{path}: is a folder, not a data file",
                          hint="name the files, or give the folder to --data or kgraph validate, "
                               "which read every RDF file in it")
    if not path.is_file():
        raise KgraphError(f"{path}: no such file", hint="check the path")
    fmt = format_of(path)
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise KgraphError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if payload.startswith(b"\xef\xbb\xbf"):
        payload = payload[3:]   # a UTF-8 byte-order mark (Windows editors add one)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = payload[:exc.start].count(b"\n") + 1
        raise KgraphError(f"{path}:{line}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                          hint="save the file as UTF-8") from exc
    if fmt == "xml":
        _refuse_entities(path, text)
    elif fmt == "json-ld":
        _check_jsonld(path, text)
    base = path.resolve().as_uri()
    _quiet_rdflib()
    try:
        return _oxigraph_parse(payload, fmt, base, terms or Terms())
    except MemoryError as exc:
        raise KgraphError(f"{path}: a literal or IRI longer than {TOKEN_LIMIT // 2**20} MiB, "
                          "more than kgraph reads", hint="keep large texts outside the graph and "
                                                         "link to them") from exc
    except (SyntaxError, ValueError) as exc:
        raise KgraphError(_describe_parse_error(path, fmt, text, exc)) from exc


def _quiet_rdflib() -> None:
    # rdflib logs a traceback for every ill-typed literal it meets ("2001-13-45"^^xsd:date);
    # SHACL reports them as violations, so the traceback is noise on the user's terminal.
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


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


_OX_POSITION = re.compile(r"at line (\d+) (?:between columns (\d+) and \d+|column (\d+))[:,]?\s*")


def _describe_parse_error(path: Path, fmt: str, text: str, exc: Exception) -> str:
    """``file:line:column: Format syntax error: what`` and the line, from Oxigraph's message."""
    what = _NAMES.get(fmt, fmt)
    msg = str(exc).strip()
    m = _OX_POSITION.search(msg)
    if m:
        line, col = int(m[1]), int(m[2] or m[3])
        detail = re.sub(r"\s*\(line \d+\)$", "", msg[m.end():]).strip()
        src = _line(text, line)
        shown = f"\n    {src.strip()[:200]}" if src.strip() else ""
        return f"{path}:{line}:{col}: {what} syntax error: {detail}{shown}"
    return f"{path}: {what} syntax error: {msg[:500]}"


def _line(text: str, lineno: int) -> str:
    lines = text.splitlines()
    return lines[lineno - 1] if 0 < lineno <= len(lines) else ""


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


# --- RDF/XML: no entity expansion without bound --------------------------------------------------

_ENTITY = re.compile(r"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')")
#: An entity may name a namespace (Protégé writes <!ENTITY xsd "http://...#">), no more.
MAX_ENTITIES, MAX_ENTITY_CHARS = 256, 512


def _refuse_entities(path: Path, text: str) -> None:
    """Refuse XML entities that could expand without bound (billion laughs) or
    fetch a file: parameter, external, nested or long ones, or too many."""
    if "<!ENTITY" not in text:
        return
    found = list(_ENTITY.finditer(text))
    problem = None
    if len(found) > MAX_ENTITIES or text.count("<!ENTITY") != len(found):
        problem = "too many or malformed entity declarations"
    for m in found:
        if problem:
            break
        value = m[3]
        if m[1]:
            problem = f"parameter entity '{m[2]}'"
        elif value in ("SYSTEM", "PUBLIC"):
            problem = f"external entity '{m[2]}' (it would read another file or URL)"
        elif "&" in value or "%" in value or len(value) > MAX_ENTITY_CHARS:
            problem = f"entity '{m[2]}' that refers to other entities or is long (entity expansion)"
    if problem:
        at = found[0].start() if found else text.find("<!ENTITY")
        line = text.count("\n", 0, at) + 1
        raise KgraphError(f"{path}:{line}: RDF/XML with a {problem}: kgraph refuses entity "
                          "expansion", hint="replace the entities by their text, or convert the "
                                            "file to Turtle")


# --- JSON-LD: nothing fetched, nothing dropped silently -------------------------------------------

_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _check_jsonld(path: Path, text: str) -> None:
    """Refuse a remote @context (kgraph never fetches one) and report each
    @id that is not an IRI (JSON-LD processors drop those without a word)."""
    import json

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KgraphError(f"{path}:{exc.lineno}:{exc.colno}: JSON-LD syntax error: {exc.msg}") from exc
    except RecursionError as exc:
        raise KgraphError(f"{path}: JSON-LD nested too deep to read") from exc
    stack: list[object] = [doc]
    while stack:   # no recursion: a deeply nested file must not overflow the stack
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key == "@context":
                contexts = value if isinstance(value, list) else [value]
                for c in contexts:
                    remote = c if isinstance(c, str) else c.get("@import") if isinstance(c, dict) else None
                    if isinstance(remote, str):
                        raise KgraphError(
                            f"{path}:{_line_of(text, json.dumps(remote)[1:-1])}: JSON-LD @context "
                            f"'{remote}' is remote; kgraph never fetches one",
                            hint="inline the context: put its JSON object in place of the URL")
            elif key == "@id" and isinstance(value, str) and _BAD_IRI_CHARS.search(value):
                raise KgraphError(f"{path}:{_line_of(text, json.dumps(value)[1:-1])}: JSON-LD @id "
                                  f"{json.dumps(value)} is not an IRI (it has a space or one of "
                                  "<>\"{}|^`\\); JSON-LD would drop the node silently",
                                  hint="fix the @id: percent-encode the character, e.g. %20 for a space")
            if isinstance(value, (dict, list)):
                stack.append(value)
