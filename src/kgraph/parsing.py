"""Parse Turtle, N-Triples and JSON-LD files into rdflib graphs, with errors
that name the file and line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

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


def parse_into(graph: Graph, path: Path) -> Graph:
    """Parse one file into ``graph``; raise KgraphError naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise KgraphError(f"{path}: no such file", hint="check the path")
    fmt = format_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KgraphError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many unrelated types
        raise KgraphError(_describe_parse_error(path, fmt, text, exc)) from exc
    return graph


def load_files(paths: Iterable[Path]) -> Graph:
    """Parse several files into one new graph."""
    g = new_graph()
    for p in paths:
        parse_into(g, Path(p))
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
