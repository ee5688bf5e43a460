"""Publication dumps: deterministic Turtle, N-Triples, JSON-LD and N-Quads
(each also gzipped, under latest and versioned names), dataset metadata
(DCAT 3 and VoID, complete enough for the DCAT-AP 3 shapes), a JSON-LD
context with a term for every ontology term, and a CITATION.cff.

The same inputs give byte-identical files: triples are sorted, prefixes are
fixed, blank nodes get canonical labels (RDFC-style hashing from
``rdflib.compare``), and the only date written is the dataset's version date
from the ontology header, never the time of export.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, XSD
from rdflib.term import Node

from .build import KnowledgeGraph
from .dcat import (
    DATASET_IRI,
    DCAT,
    DEFAULT_BASE_URL,
    FOAF,
    SPDX,
    VCARD,
    VOID,
    DumpFile,
    citation_cff,
    version_info,
    void_graph,
)
from .errors import KgraphError
from .namespaces import BASE, DD, PREFIXES
from .prefixes import part_graph

#: The N-Quads file of the dump (the four parts as named graphs), for the in-browser SPARQL page.
NQUADS = "kgraph-all.nq"
#: The formats `kgraph export` writes by default.
FORMATS = ("ttl", "nt", "jsonld", "nq")


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: tuple[Path, ...]


# --- Deterministic serialisation -----------------------------------------------------------

_PN_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?$")


Triple = tuple[Node, Node, Node]


def canonical_triples(g: Iterable[Triple]) -> list[Triple]:
    """The triples with canonical blank-node labels (stable across runs)."""
    plain: list[Triple] = []
    with_bnodes = Graph()
    for triple in g:
        s, _, o = triple
        if isinstance(s, BNode) or isinstance(o, BNode):
            with_bnodes.add(triple)
        else:
            plain.append(triple)
    if len(with_bnodes) == 0:
        return plain
    from rdflib.compare import to_canonical_graph

    # A blank node's canonical label depends only on the triples it is in,
    # so canonicalising that (small) part is enough.
    return plain + list(to_canonical_graph(with_bnodes))


def canonical(g: Graph) -> Graph:
    """The graph with canonical blank-node labels (stable across runs)."""
    if not any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in g):
        return g
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in canonical_triples(g))
    return out


def _term_key(t: Node) -> tuple[int, str]:
    if isinstance(t, URIRef):
        return (0, str(t))
    if isinstance(t, BNode):
        return (1, str(t))
    return (2, t.n3())


class _Names:
    """Prefixed names for IRIs, with only the prefixes actually used."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_ns = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: dict[str, str] = {}

    def iri(self, u: URIRef) -> str:
        s = str(u)
        for prefix, ns in self.by_ns:
            local = s[len(ns):]
            if s.startswith(ns) and (local == "" or _PN_LOCAL.match(local)):
                self.used[prefix] = ns
                return f"{prefix}:{local}"
        return "<" + s.replace(">", "%3E") + ">"

    def term(self, t: Node) -> str:
        if isinstance(t, URIRef):
            return self.iri(t)
        if isinstance(t, BNode):
            return f"_:{t}"
        assert isinstance(t, Literal)
        if t.datatype is not None and t.datatype != XSD.string:
            return _quoted(str(t)) + "^^" + self.iri(URIRef(t.datatype))
        return _quoted(str(t)) + (f"@{t.language}" if t.language else "")


def _quoted(text: str) -> str:
    """A Turtle string: long quotes for multi-line text, escapes otherwise."""
    if "\n" in text:
        body = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"""{body}"""'
    return json.dumps(text, ensure_ascii=False)


def turtle(g: Graph, prefixes: dict[str, str] | None = None, header: str = "") -> str:
    """Sorted, stable Turtle: one block per subject, rdf:type first."""
    return _turtle(canonical_triples(g), prefixes, header)


def _turtle(triples: Iterable[Triple], prefixes: dict[str, str] | None = None, header: str = "") -> str:
    names = _Names(prefixes if prefixes is not None else PREFIXES)
    tree: dict[Node, dict[Node, set[Node]]] = {}
    for s, p, o in triples:
        tree.setdefault(s, {}).setdefault(p, set()).add(o)
    blocks = []
    for s in sorted(tree, key=_term_key):
        by_pred = tree[s]
        lines = []
        for p in sorted(by_pred, key=lambda p: (p != RDF.type, str(p))):
            objs = sorted(by_pred[p], key=_term_key)
            pname = "a" if p == RDF.type else names.iri(URIRef(str(p)))
            lines.append(f"    {pname} " + " ,\n        ".join(names.term(o) for o in objs))
        blocks.append(names.term(s) + "\n" + " ;\n".join(lines) + " .\n")
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(names.used.items()))
    return (header + head + "\n" + "\n".join(blocks)) if blocks else header + head


def ntriples(g: Graph) -> str:
    """Sorted N-Triples (canonical blank nodes)."""
    return _ntriples(canonical_triples(g))


def _ntriples(triples: Iterable[Triple]) -> str:
    from .ntriples import term

    return "".join(sorted({f"{term(s)} {term(p)} {term(_plain(o))} .\n" for s, p, o in triples}))


def _plain(o: Node) -> Node:
    # "x"^^xsd:string and "x" are the same RDF 1.1 literal: write the short form.
    if isinstance(o, Literal) and o.datatype == XSD.string:
        return Literal(str(o))
    return o


def jsonld(g: Graph, prefixes: dict[str, str] | None = None,
           context: JsonLdContext | None = None) -> str:
    """JSON-LD with an @context, nodes sorted by @id.  With ``context`` (see
    :func:`jsonld_context`) properties and classes are written as plain
    terms and values as plain JSON where the term's coercion allows;
    without, the @context holds the prefixes only."""
    return _jsonld(canonical_triples(g), prefixes, context)


@dataclass(frozen=True)
class JsonLdContext:
    """A JSON-LD context: prefixes plus one term per ontology class and property.

    ``terms`` maps an IRI to (term, coercion, multi-valued): the coercion is
    ``"@id"`` for object properties, a datatype IRI for a datatype property
    whose values all have that type, or None.
    """

    prefixes: dict[str, str]
    terms: dict[str, tuple[str, str | None, bool]]

    def document(self) -> dict[str, object]:
        """The ``@context`` object (prefixes first, then terms, each sorted)."""
        ctx: dict[str, object] = dict(sorted(self.prefixes.items()))
        for iri, (name, coerce, multi) in sorted(self.terms.items(), key=lambda kv: kv[1][0]):
            entry: dict[str, str] = {"@id": _compact(iri, self.prefixes)}
            if coerce is not None:
                entry["@type"] = coerce if coerce == "@id" else _compact(coerce, self.prefixes)
            if multi:
                entry["@container"] = "@set"
            ctx[name] = entry
        return ctx


#: Terms of other vocabularies that most records use, defined beside the ontology's.
_COMMON_TERMS = {
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "comment": "http://www.w3.org/2000/01/rdf-schema#comment",
    "prefLabel": "http://www.w3.org/2004/02/skos/core#prefLabel",
    "altLabel": "http://www.w3.org/2004/02/skos/core#altLabel",
    "definition": "http://www.w3.org/2004/02/skos/core#definition",
    "notation": "http://www.w3.org/2004/02/skos/core#notation",
    "wasDerivedFrom": "http://www.w3.org/ns/prov#wasDerivedFrom",
}


def jsonld_context(ontology: Graph, data: Graph | None = None,
                   prefixes: dict[str, str] | None = None) -> JsonLdContext:
    """A term for every class and property the ontology declares (its local
    name: ``"signedOn": {"@id": "dd:signedOn", "@type": "xsd:date"}``), and for
    a few common ones (``label``, ``prefLabel``, ``wasDerivedFrom``, …).

    Coercions: object properties ``"@type": "@id"``; a datatype property the
    data (else its ``rdfs:range``) gives one datatype, that type.  Properties
    some resource of ``data`` has several values of get ``"@container":
    "@set"``.  A value that does not fit its term's coercion is written as a
    value object, so every file expands to exactly its triples.  A prefix
    whose name is also a term (``weapon:`` beside ``dd:weapon``) is renamed
    ``<name>-id`` in the context, because a term and a prefix cannot share a
    name in JSON-LD.
    """
    prefixes = dict(prefixes if prefixes is not None else PREFIXES)
    dd = str(DD)
    declared: dict[str, set[str]] = {}
    for s, o in ontology.subject_objects(RDF.type):
        if isinstance(s, URIRef) and str(s).startswith(dd) and str(s) != dd:
            declared.setdefault(str(s), set()).add(str(o))
    object_like = {str(OWL.ObjectProperty), str(OWL.TransitiveProperty), str(OWL.SymmetricProperty)}
    datatypes: dict[str, set[str | None]] = {}
    objects: dict[str, bool] = {}
    multi: set[str] = set()
    if data is not None:
        seen: set[tuple[Node, Node]] = set()
        for s, p, o in data:
            ps = str(p)
            if isinstance(o, Literal):
                dt = None if o.language else str(o.datatype or XSD.string)
                datatypes.setdefault(ps, set()).add(dt)
            else:
                objects[ps] = True
            if (s, p) in seen:
                multi.add(ps)
            else:
                seen.add((s, p))
    terms: dict[str, tuple[str, str | None, bool]] = {}
    candidates = [(iri[len(dd):], iri) for iri in sorted(declared)]
    candidates += [(name, iri) for name, iri in _COMMON_TERMS.items()]
    taken = {name for name, _ in candidates if name in prefixes}
    for name in sorted(taken):
        prefixes[f"{name}-id"] = prefixes.pop(name)
    names: set[str] = set()
    for name, iri in candidates:
        if name in names or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
            continue   # a clash between vocabularies: the first (the ontology's) wins
        names.add(name)
        kinds = declared.get(iri, set())
        coerce: str | None = None
        types = datatypes.get(iri, set())
        if kinds & object_like or (objects.get(iri) and not types):
            coerce = "@id"
        elif len(types) == 1 and None not in types and str(XSD.string) not in types:
            coerce = next(iter(types))
        elif not types and not objects.get(iri):
            ranges = [str(r) for r in ontology.objects(URIRef(iri), RDFS.range)]
            if len(ranges) == 1 and ranges[0].startswith(str(XSD)) and ranges[0] != str(XSD.string):
                coerce = ranges[0]
        is_property = bool(kinds - {str(OWL.Class), str(RDFS.Class)}) or iri in datatypes or iri in objects
        terms[iri] = (name, coerce if is_property else None, iri in multi)
    return JsonLdContext(prefixes, terms)


def _jsonld(triples: Iterable[Triple], prefixes: dict[str, str] | None = None,
            context: JsonLdContext | None = None) -> str:
    if context is None:
        context = JsonLdContext(dict(prefixes or PREFIXES), {})
    ctx = context.document()
    pfx = dict(sorted(context.prefixes.items()))
    terms = context.terms
    nodes: dict[str, dict[str, list[object]]] = {}
    compacted: dict[str, str] = {}   # a large graph names the same IRIs over and over

    def compact(iri: str) -> str:
        found = compacted.get(iri)
        if found is None:
            found = compacted[iri] = _compact(iri, pfx)
        return found

    def ident(t: Node) -> str:
        return f"_:{t}" if isinstance(t, BNode) else compact(str(t))

    for s, p, o in triples:
        node = nodes.setdefault(ident(s), {})
        if p == RDF.type:
            term = terms.get(str(o))
            node.setdefault("@type", []).append(term[0] if term else ident(o))
            continue
        term = terms.get(str(p))
        key = term[0] if term else compact(str(p))
        coerce = term[1] if term else None
        value: object
        if isinstance(o, Literal):
            dt = None if o.language else str(o.datatype or XSD.string)
            if o.language:
                value = {"@value": str(o), "@language": o.language}
            elif dt == coerce or (dt == str(XSD.string) and coerce is None):
                value = str(o)
            elif dt == str(XSD.string):
                value = {"@value": str(o)}
            else:
                value = {"@value": str(o), "@type": compact(dt or "")}
        elif coerce == "@id":
            value = ident(o)
        else:
            value = {"@id": ident(o)}
        node.setdefault(key, []).append(value)
    single = {name for name, _, multi in terms.values() if not multi}
    graph = []
    for i in sorted(nodes):
        entry: dict[str, object] = {"@id": i}
        for k in sorted(nodes[i]):
            vals = nodes[i][k]
            if len(vals) > 1:
                vals = sorted(vals, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
            entry[k] = vals[0] if len(vals) == 1 and k in single else vals
        graph.append(entry)
    doc = {"@context": ctx, "@graph": graph}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def _compact(iri: str, ctx: Mapping[str, object]) -> str:
    best = max((p for p, ns in ctx.items() if isinstance(ns, str) and iri.startswith(ns)),
               key=lambda p: len(str(ctx[p])), default=None)
    if best is None:
        return iri
    local = iri[len(str(ctx[best])):]
    return f"{best}:{local}" if local and "/" not in local and "#" not in local else iri


# --- Base IRI rewriting ------------------------------------------------------------------------

def rebase(g: Graph, base: str | None) -> Graph:
    """Rewrite instance IRIs under ``https://w3id.org/defdip/id/`` to ``base``."""
    if not base or base == BASE:
        return g
    if not re.match(r"^https?://\S+/$", base):
        raise KgraphError(f"base IRI '{base}' must be an http(s) IRI ending in '/'",
                          hint="for example --base-iri https://example.org/defdip/id/")
    out = Graph()

    def r(t: Node) -> Node:
        if isinstance(t, URIRef) and str(t).startswith(BASE):
            return URIRef(base + str(t)[len(BASE):])
        return t

    for s, p, o in g:
        out.add((r(s), p, r(o)))
    return out


# --- Writing ---------------------------------------------------------------------------------

def _prefixes_for(base: str) -> dict[str, str]:
    if base == BASE:
        return dict(PREFIXES)
    return {p: (base + ns[len(BASE):] if ns.startswith(BASE) else ns) for p, ns in PREFIXES.items()}


def dump_parts(kg: KnowledgeGraph, base: str | None = None) -> dict[str, Graph]:
    """The four parts plus their union ('all'), rebased if asked."""
    parts = {"ontology": kg.ontology, "asserted": kg.asserted, "inferred": kg.inferred,
             "derived": kg.derived}
    out = {k: rebase(v, base) for k, v in parts.items()}
    if not base or base == BASE:
        out["all"] = kg.graph
    else:
        union = Graph()
        for g in out.values():
            union.addN((s, p, o, union) for s, p, o in g)
        out["all"] = union
    return out


def nquads(parts: Mapping[str, Iterable[Triple]], dataset: str = str(DATASET_IRI)) -> str:
    """Sorted N-Quads: each part's triples in the graph ``part_graph(part, dataset)``."""
    from .ntriples import term

    lines: set[str] = set()
    for name, triples in parts.items():
        graph = f" <{part_graph(name, dataset)}> .\n"
        lines.update(f"{term(s)} {term(p)} {term(_plain(o))}{graph}" for s, p, o in triples)
    return "".join(sorted(lines))


def gzipped(data: bytes) -> bytes:
    """Deterministic gzip: no file name, modification time 0."""
    import gzip

    return gzip.compress(data, compresslevel=6, mtime=0)   # 9 saves 1 % for twice the time


def dump_name(part: str, syntax: str, version: str | None = None) -> str:
    """A dump file's name: ``kgraph-<part>.<ext>`` (the latest), or with the
    version, ``kgraph-<part>-<version>.<ext>`` (kept per release).

    >>> dump_name("all", "nq"), dump_name("asserted", "ttl", "0.1.0")
    ('kgraph-all.nq', 'kgraph-asserted-0.1.0.ttl')
    """
    return f"kgraph-{part}-{version}.{syntax}" if version else f"kgraph-{part}.{syntax}"


def check_base_url(url: str) -> str:
    """``url`` if dump file names can be appended to it: an absolute http(s) URL ending in '/'."""
    from .remote import check_url

    check_url(url, "--base-url", DEFAULT_BASE_URL)
    if not url.endswith("/"):
        raise KgraphError(f"--base-url {url!r} must end in '/' (file names are appended to it); "
                          f"for example --base-url {DEFAULT_BASE_URL}")
    return url


def export(kg: KnowledgeGraph, out: Path, *, base: str | None = None,
           endpoint: str | None = None, formats: Iterable[str] = FORMATS,
           extra: Mapping[str, str] | None = None, base_url: str | None = None) -> ExportResult:
    """Write the dumps, void.ttl, context.jsonld and CITATION.cff (and ``extra``:
    file name -> text) into the folder ``out``, replacing it as a whole.

    Each part (and their union, ``all``) in each syntax of ``formats`` (ttl,
    nt, jsonld; nq writes one N-Quads file of the four parts as named graphs),
    under its latest name and its versioned name (:func:`dump_name`), each
    also gzipped.  void.ttl describes every file as a DCAT distribution at
    ``base_url`` + its name (default ``https://w3id.org/defdip/dump/``).

    kgraph.outputset writes the set beside ``out`` and swaps it in at once:
    readers see the previous export or this one, never a mix, and a folder
    holding files kgraph did not write is refused, not wiped.
    """
    import hashlib

    from .outputset import write_set
    from .remote import check_base_iri, check_url

    if base:
        check_base_iri(base)
    if endpoint:
        check_url(endpoint, "--endpoint")
    base_url = check_base_url(base_url or DEFAULT_BASE_URL)
    base = base or BASE
    version, date = version_info(kg.ontology)
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.+_-]*", version):
        raise KgraphError(f"the ontology's owl:versionInfo {version!r} cannot be part of a file name",
                          hint="use a version such as 0.2.0 in ontology/defdip.ttl")
    parts = dump_parts(kg, base)
    prefixes = _prefixes_for(base)
    formats = tuple(formats)
    for fmt in formats:
        if fmt not in FORMATS:
            raise KgraphError(f"unknown dump format '{fmt}'", hint="use ttl, nt, jsonld or nq")

    def fill(staging: Path) -> list[str]:
        files: dict[str, list[DumpFile]] = {}

        def put(part: str, syntax: str, text: str) -> None:
            data = text.encode("utf-8")
            for suffix, body in (("", data), (".gz", gzipped(data))):
                digest = hashlib.sha256(body).hexdigest()
                latest = staging / (dump_name(part, syntax) + suffix)
                latest.write_bytes(body)
                versioned = staging / (dump_name(part, syntax, version) + suffix)
                try:   # the same bytes: a second name for the file, not a second copy
                    os.link(latest, versioned)
                except OSError:
                    versioned.write_bytes(body)
                for f, v in ((latest, None), (versioned, version)):
                    files.setdefault(part, []).append(DumpFile(f.name, part, syntax, len(body), digest, v))

        header = ("# kgraph {part} part, version {v} ({d}). Licence: CC BY 4.0.\n"
                  "# Generated by `kgraph export`; do not edit: edit ontology/ and graph/.\n\n")
        context = jsonld_context(kg.ontology, parts["all"], prefixes) if "jsonld" in formats else None
        canon: dict[str, list[Triple]] = {}
        for name, g in parts.items():
            triples = canon[name] = canonical_triples(g)   # once per part, for every format
            for fmt in formats:
                if fmt == "ttl":
                    put(name, fmt, _turtle(triples, prefixes, header.format(part=name, v=version, d=date)))
                elif fmt == "nt":
                    put(name, fmt, _ntriples(triples))
                elif fmt == "jsonld":
                    put(name, fmt, _jsonld(triples, prefixes, context))
        if "nq" in formats:
            put("all", "nq", nquads({k: v for k, v in canon.items() if k != "all"}))
        if context is not None:
            (staging / "context.jsonld").write_text(
                json.dumps({"@context": context.document()}, ensure_ascii=False, indent=1) + "\n",
                encoding="utf-8", newline="\n")
        void = void_graph({k: v for k, v in parts.items() if k != "all"}, files, version=version,
                          date=date, base=base, endpoint=endpoint, union=parts["all"], base_url=base_url)
        void_prefixes = dict(prefixes, void=VOID, dcat=DCAT, foaf=str(FOAF), vcard=str(VCARD),
                             spdx=str(SPDX), dist=f"{DATASET_IRI}/distribution/")
        (staging / "void.ttl").write_text(
            turtle(void, void_prefixes, f"# DCAT 3 and VoID description of kgraph {version}.\n"
                                        f"# Downloads are under {base_url}\n\n"),
            encoding="utf-8", newline="\n")
        (staging / "CITATION.cff").write_text(citation_cff(version, date), encoding="utf-8")
        for fname, text in (extra or {}).items():
            (staging / fname).write_text(text, encoding="utf-8")
        return sorted((p.name for p in staging.iterdir()), key=lambda n: (n == "void.ttl", n))

    out = Path(out)
    names = write_set(out, fill)
    return ExportResult(out, tuple(out / n for n in names))


def ontology_html(ontology_file: Path) -> str:
    """Static HTML documentation of the ontology with pyLODE (an optional extra)."""
    try:
        from pylode import OntPub
    except Exception as exc:  # pyLODE's newer releases fail at import
        raise KgraphError("ontology documentation needs pyLODE",
                          hint="pip install 'pylode==3.3.4'") from exc
    import logging

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)   # pyLODE logs its progress at INFO and DEBUG
    try:
        html = OntPub(ontology=str(ontology_file)).make_html()
    finally:
        root.setLevel(level)
    return str(html)


def ontology_docs(ontology_file: Path, out: Path) -> Path:
    """Write ontology.html into ``out`` (one file, replaced atomically)."""
    html = ontology_html(ontology_file)
    target = Path(out) / "ontology.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target
