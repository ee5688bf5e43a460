"""Publication dumps: deterministic Turtle, N-Triples and JSON-LD, dataset
metadata (VoID and DCAT), and a CITATION.cff.

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

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD
from rdflib.term import Node

from .build import KnowledgeGraph
from .errors import KgraphError
from .namespaces import BASE, DD, PREFIXES

ONTOLOGY_IRI = URIRef("https://w3id.org/defdip/ontology")
DATASET_IRI = URIRef("https://w3id.org/defdip/dataset")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: Placeholder base for links to the dump files; written as relative IRIs.
_REL = "http://relative.invalid/"

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"

#: The parts of the dataset, in the order they are listed.
PARTS = ("ontology", "asserted", "inferred", "derived")

MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json"}


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
        if s.startswith(_REL):
            return f"<{s[len(_REL):]}>"
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


def jsonld(g: Graph, prefixes: dict[str, str] | None = None) -> str:
    """JSON-LD with an @context of the project's prefixes, nodes sorted by @id."""
    return _jsonld(canonical_triples(g), prefixes)


def _jsonld(triples: Iterable[Triple], prefixes: dict[str, str] | None = None) -> str:
    ctx = dict(sorted((prefixes or PREFIXES).items()))
    nodes: dict[str, dict[str, list[object]]] = {}
    compacted: dict[str, str] = {}   # a large graph names the same IRIs over and over

    def compact(iri: str) -> str:
        found = compacted.get(iri)
        if found is None:
            found = compacted[iri] = _compact(iri, ctx)
        return found

    def ident(t: Node) -> str:
        return f"_:{t}" if isinstance(t, BNode) else compact(str(t))

    for s, p, o in triples:
        node = nodes.setdefault(ident(s), {})
        key = "@type" if p == RDF.type else compact(str(p))
        if p == RDF.type:
            node.setdefault(key, []).append(ident(o))
        elif isinstance(o, Literal):
            value: dict[str, str] = {"@value": str(o)}
            if o.language:
                value["@language"] = o.language
            elif o.datatype is not None and o.datatype != XSD.string:
                value["@type"] = compact(str(o.datatype))
            node.setdefault(key, []).append(value)
        else:
            node.setdefault(key, []).append({"@id": ident(o)})
    graph = []
    for i in sorted(nodes):
        entry: dict[str, object] = {"@id": i}
        for k in sorted(nodes[i]):
            vals = nodes[i][k]
            if len(vals) > 1:
                vals = sorted(vals, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
            entry[k] = vals
        graph.append(entry)
    doc = {"@context": ctx, "@graph": graph}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def _compact(iri: str, ctx: dict[str, str]) -> str:
    best = max((p for p, ns in ctx.items() if iri.startswith(ns)), key=lambda p: len(ctx[p]),
               default=None)
    if best is None:
        return iri
    local = iri[len(ctx[best]):]
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


# --- Metadata ------------------------------------------------------------------------------------

def version_info(ontology: Graph) -> tuple[str, str]:
    """The dataset's version and version date, from the ontology header."""
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    modified = ontology.value(ONTOLOGY_IRI, DCTERMS.modified)
    if version is None or modified is None:
        raise KgraphError("the ontology header lacks owl:versionInfo or dcterms:modified")
    return str(version), str(modified)


def _stats(g: Graph) -> dict[str, int]:
    entities = {s for s in g.subjects() if isinstance(s, URIRef)}
    return {
        "triples": len(g),
        "entities": len(entities),
        "classes": len(set(g.objects(None, RDF.type))),
        "properties": len(set(g.predicates())),
        "distinctSubjects": len(set(g.subjects())),
        "distinctObjects": len(set(g.objects())),
    }


EXAMPLES = ("agreement/gsomia-JPN", "deployment/iraq-zaytun", "country/PHL",
            "administration/lee-myung-bak", "sale/k9-TUR")


def void_graph(parts: dict[str, Graph], files: dict[str, list[str]], *, version: str,
               date: str, base: str, endpoint: str | None = None, union: Graph | None = None) -> Graph:
    """VoID and DCAT description of the dataset and its parts (``union``: the
    parts' union, if already at hand)."""
    V, C, F = (lambda x: URIRef(VOID + x)), (lambda x: URIRef(DCAT + x)), (lambda x: URIRef(FOAF + x))
    g = Graph()
    ds = DATASET_IRI
    if union is None:
        union = Graph()
        for part in parts.values():
            union.addN((s, p, o, union) for s, p, o in part)
    g.add((ds, RDF.type, V("Dataset")))
    g.add((ds, RDF.type, C("Dataset")))
    g.add((ds, DCTERMS.title, Literal("kgraph: South Korea's defence diplomacy", lang="en")))
    g.add((ds, DCTERMS.title, Literal("韓国の国防外交ナレッジグラフ", lang="ja")))
    g.add((ds, DCTERMS.description, Literal(
        "Agreements, overseas deployments, arms sales, exercises, attaché offices and "
        "administrations of South Korea's defence diplomacy, each record traced to the table "
        "or passage of the source report it comes from.", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.creator, Literal("The kgraph contributors")))
    g.add((ds, DCTERMS.source, URIRef(BASE + "source/report")))
    g.add((ds, DCTERMS.bibliographicCitation, Literal(
        "伊藤弘太郎「韓国の『国防外交』―『国家生存』から『多様な国益実現』の手段へ」"
        "笹川平和財団, 2020", lang="ja")))
    g.add((ds, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    g.add((ds, DCTERMS.modified, Literal(date, datatype=XSD.date)))
    g.add((ds, URIRef("http://www.w3.org/2002/07/owl#versionInfo"), Literal(version)))
    g.add((ds, C("version"), Literal(version)))
    g.add((ds, V("uriSpace"), Literal(base)))
    g.add((ds, V("vocabulary"), URIRef(str(DD))))
    for k in ("http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
              "http://purl.org/dc/terms/", "https://schema.org/", "http://www.w3.org/2006/time#"):
        g.add((ds, V("vocabulary"), URIRef(k)))
    for ex in EXAMPLES:
        g.add((ds, V("exampleResource"), URIRef(base + ex)))
    for key, value in _stats(union).items():
        g.add((ds, V(key), Literal(value, datatype=XSD.integer)))
    if endpoint:
        g.add((ds, V("sparqlEndpoint"), URIRef(endpoint)))
        svc = URIRef(endpoint)
        g.add((ds, C("accessService"), svc))
        g.add((svc, RDF.type, C("DataService")))
        g.add((svc, C("endpointURL"), URIRef(endpoint)))
    for name, part in parts.items():
        sub = URIRef(f"{DATASET_IRI}/{name}")
        g.add((ds, V("subset"), sub))
        g.add((sub, RDF.type, V("Dataset")))
        g.add((sub, DCTERMS.title, Literal(f"{name} part", lang="en")))
        g.add((sub, DCTERMS.license, LICENSE))
        for key, value in _stats(part).items():
            g.add((sub, V(key), Literal(value, datatype=XSD.integer)))
        for fname in files.get(name, []):
            _distribution(g, sub, fname)
            g.add((sub, V("dataDump"), URIRef(_REL + fname)))
    for fname in files.get("all", []):
        _distribution(g, ds, fname)
        g.add((ds, V("dataDump"), URIRef(_REL + fname)))
    g.add((ds, F("homepage"), URIRef("https://w3id.org/defdip")))
    return g


def _distribution(g: Graph, ds: URIRef, fname: str) -> None:
    dist = URIRef(_REL + fname + "#distribution")
    ext = fname.rsplit(".", 1)[-1]
    g.add((ds, URIRef(DCAT + "distribution"), dist))
    g.add((dist, RDF.type, URIRef(DCAT + "Distribution")))
    g.add((dist, URIRef(DCAT + "downloadURL"), URIRef(_REL + fname)))
    g.add((dist, URIRef(DCAT + "mediaType"), Literal(MEDIA[ext])))
    g.add((dist, DCTERMS.license, LICENSE))


def citation_cff(version: str, date: str) -> str:
    """The project's CITATION.cff (the root file, which names the dataset and the
    report as references), with the version and release date of this dump."""
    from .data import citation_file

    path = citation_file()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KgraphError(f"{path}: cannot read the citation file ({exc.strerror or exc})",
                          hint="reinstall kgraph; the file ships with the package") from exc
    # Every version and date-released line (the software's and the dataset's):
    # the dump is the dataset at the version the ontology header states.
    text = re.sub(r'(?m)^(\s*(?:- )?)version: .*$', lambda m: f'{m.group(1)}version: "{version}"', text)
    return re.sub(r'(?m)^(\s*(?:- )?)date-released: .*$',
                  lambda m: f'{m.group(1)}date-released: "{date}"', text)


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


def export(kg: KnowledgeGraph, out: Path, *, base: str | None = None,
           endpoint: str | None = None, formats: Iterable[str] = ("ttl", "nt", "jsonld"),
           extra: Mapping[str, str] | None = None) -> ExportResult:
    """Write the dumps, void.ttl and CITATION.cff (and ``extra``: file name ->
    text) into the folder ``out``, replacing it as a whole.

    kgraph.outputset writes the set beside ``out`` and swaps it in at once:
    readers see the previous export or this one, never a mix, and a folder
    holding files kgraph did not write is refused, not wiped.
    """
    from .outputset import write_set
    from .remote import check_base_iri, check_url

    if base:
        check_base_iri(base)
    if endpoint:
        check_url(endpoint, "--endpoint")
    base = base or BASE
    version, date = version_info(kg.ontology)
    parts = dump_parts(kg, base)
    prefixes = _prefixes_for(base)
    formats = tuple(formats)
    for fmt in formats:
        if fmt not in ("ttl", "nt", "jsonld"):
            raise KgraphError(f"unknown dump format '{fmt}'", hint="use ttl, nt or jsonld")

    def fill(staging: Path) -> list[str]:
        files: dict[str, list[str]] = {}
        header = ("# kgraph {part} part, version {v} ({d}). Licence: CC BY 4.0.\n"
                  "# Generated by `kgraph export`; do not edit: edit ontology/ and graph/.\n\n")
        for name, g in parts.items():
            triples = canonical_triples(g)   # once per part, for every format
            for fmt in formats:
                fname = f"kgraph-{name}.{fmt}"
                if fmt == "ttl":
                    text = _turtle(triples, prefixes, header.format(part=name, v=version, d=date))
                elif fmt == "nt":
                    text = _ntriples(triples)
                else:
                    text = _jsonld(triples, prefixes)
                (staging / fname).write_text(text, encoding="utf-8", newline="\n")
                files.setdefault(name, []).append(fname)
        void = void_graph({k: v for k, v in parts.items() if k != "all"}, files, version=version,
                          date=date, base=base, endpoint=endpoint, union=parts["all"])
        void_prefixes = dict(prefixes, void=VOID, dcat=DCAT, foaf=FOAF)
        (staging / "void.ttl").write_text(
            turtle(void, void_prefixes, f"# VoID and DCAT description of kgraph {version}.\n"
                                        "# Links to the dumps are relative to this file.\n\n"),
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
