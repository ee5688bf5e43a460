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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, XSD
from rdflib.term import Node

from .build import KnowledgeGraph
from .errors import KgraphError
from .namespaces import BASE, DD, PREFIXES
from .prefixes import DATASET, part_graph

ONTOLOGY_IRI = URIRef("https://w3id.org/defdip/ontology")
DATASET_IRI = URIRef(DATASET)
CATALOG_IRI = URIRef("https://w3id.org/defdip/catalog")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: The project's homepage ([project.urls] Homepage), the dataset's landing page.
HOMEPAGE = "https://w3id.org/defdip"
LANDING_PAGE = URIRef(HOMEPAGE)
#: Where the dump's files are published (``--base-url``); the site serves them under dump/.
DEFAULT_BASE_URL = "https://w3id.org/defdip/dump/"
#: IANA's media-type registry: a media type's IRI is this plus the type.
IANA = "https://www.iana.org/assignments/media-types/"

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

#: The parts of the dataset, in the order they are listed.
PARTS = ("ontology", "asserted", "inferred", "derived")

#: The languages of the labels (the EU's language authority table, as DCAT-AP asks).
LANGUAGES = {"en": "ENG", "ja": "JPN", "ko": "KOR"}
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
#: The EU data theme the dataset falls under (DCAT-AP's dcat:theme vocabulary): international issues.
EU_THEMES = URIRef("http://publications.europa.eu/resource/authority/data-theme")
THEME = URIRef("http://publications.europa.eu/resource/authority/data-theme/INTR")

#: The dump's syntaxes: extension -> (IANA media type, W3C format IRI, name).
SYNTAXES = {
    "ttl": ("text/turtle", "http://www.w3.org/ns/formats/Turtle", "Turtle"),
    "nt": ("application/n-triples", "http://www.w3.org/ns/formats/N-Triples", "N-Triples"),
    "jsonld": ("application/ld+json", "http://www.w3.org/ns/formats/JSON-LD", "JSON-LD"),
    "nq": ("application/n-quads", "http://www.w3.org/ns/formats/N-Quads", "N-Quads"),
}
MEDIA = {ext: media for ext, (media, _, _) in SYNTAXES.items()}
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
    from rdflib.namespace import RDFS

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


# --- Metadata ------------------------------------------------------------------------------------

def version_info(ontology: Graph) -> tuple[str, str]:
    """The dataset's version and version date, from the ontology header."""
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    modified = ontology.value(ONTOLOGY_IRI, DCTERMS.modified)
    if version is None or modified is None:
        raise KgraphError("the ontology header lacks owl:versionInfo or dcterms:modified")
    return str(version), str(modified)


def first_issued(ontology: Graph) -> str | None:
    """The date the dataset was first issued: the ontology header's dcterms:created."""
    created = ontology.value(ONTOLOGY_IRI, DCTERMS.created)
    return None if created is None else str(created)


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

#: What each part holds, for its DCAT description.
PART_DESCRIPTIONS = {
    "ontology": "The Defence Diplomacy Ontology: classes, properties and their labels and definitions.",
    "asserted": "The records as curated from the report (and reference data), each with its source.",
    "inferred": "What OWL 2 RL reasoning adds to the ontology and the records.",
    "derived": "Facts computed by the dated rules: comparable dates, their precision and bounds, "
               "administrations, partner ties.",
    "all": "The union of the four parts.",
}


@dataclass(frozen=True)
class DumpFile:
    """One file of the dump, as a DCAT distribution: its name, its part
    ('all' for the union and the N-Quads file), its syntax (file extension
    before any ``.gz``), its size and SHA-256."""

    name: str
    part: str
    syntax: str
    size: int
    sha256: str
    version: str | None = None

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")


@dataclass(frozen=True)
class Coverage:
    """Temporal and spatial coverage computed from the data."""

    start: str | None
    end: str | None
    places: tuple[URIRef, ...]


def coverage(g: Graph) -> Coverage:
    """The first and last possible days of every dated fact (the bounds the
    build derives: ``dd:earliestDay``, ``dd:signedOnEarliest``, …, and their
    ``…Latest`` kin) and the countries the sources describe
    (``dd:describedCountry``)."""
    dd = str(DD)
    starts: list[str] = []
    ends: list[str] = []
    for p, o in g.predicate_objects(None):
        ps = str(p)
        if not ps.startswith(dd) or not isinstance(o, Literal) or o.datatype != XSD.date:
            continue
        local = ps[len(dd):]
        if local.endswith("Earliest") or local == "earliestDay":
            starts.append(str(o))
        elif local.endswith("Latest") or local == "latestDay":
            ends.append(str(o))
    places = tuple(sorted({o for o in g.objects(None, DD.describedCountry) if isinstance(o, URIRef)},
                          key=str))
    return Coverage(min(starts, default=None), max(ends, default=None), places)


def _citation_authors() -> list[str]:
    """The names of CITATION.cff's top-level authors (the dataset's creators)."""
    from .data import citation_file

    try:
        text = citation_file().read_text(encoding="utf-8")
    except OSError:
        return []
    m = re.search(r"(?m)^authors:\n((?:[ \t]+.*\n)+)", text)
    if not m:
        return []
    return [n.strip().strip('"') for n in re.findall(r"(?m)^\s+- name:\s*(.+)$", m[1])]


def _contact() -> tuple[str | None, str | None]:
    """The project's contact: an e-mail from the package metadata (Author-email
    or Maintainer-email), and the URL of its issue tracker, else its homepage
    ([project.urls] of pyproject.toml)."""
    from importlib import metadata

    try:
        md = metadata.metadata("kgraph")
    except metadata.PackageNotFoundError:
        return None, HOMEPAGE
    email = None
    for key in ("Maintainer-email", "Author-email"):
        value = " ".join(md.get_all(key) or [])   # md[key] raises on a missing key in some versions
        m = re.search(r"<([^>]+@[^>]+)>", value) or re.match(r"^\s*([^\s,<>]+@[^\s,<>]+)", value)
        if m:
            email = m[1]
            break
    urls = {}
    for entry in md.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    url = next((u for k, u in sorted(urls.items()) if "issue" in k or "bug" in k or "tracker" in k),
               urls.get("homepage", HOMEPAGE))
    return email, url


def void_graph(parts: Mapping[str, Graph], files: Mapping[str, Sequence[DumpFile]], *, version: str,
               date: str, base: str, endpoint: str | None = None, union: Graph | None = None,
               base_url: str = DEFAULT_BASE_URL) -> Graph:
    """The DCAT 3 and VoID description of the dataset: a catalog, the dataset
    and its four parts (each a ``dcat:Dataset``/``void:Dataset`` whose IRI is
    the part's graph name), one distribution per file of ``files`` (part ->
    files) under ``base_url``; ``union``: the parts' union, if already at hand.

    Everything comes from the data, the ontology header (version, dates),
    CITATION.cff (creators) and the package metadata (contact): no wall clock.
    """
    V, C = (lambda x: URIRef(VOID + x)), (lambda x: URIRef(DCAT + x))
    g = Graph()
    ds = DATASET_IRI
    if union is None:
        union = Graph()
        for part in parts.values():
            union.addN((s, p, o, union) for s, p, o in part)
    ontology = parts.get("ontology", Graph())
    issued = first_issued(ontology) or date

    # The catalog, which lists the dataset.
    cat = CATALOG_IRI
    g.add((cat, RDF.type, C("Catalog")))
    g.add((cat, DCTERMS.title, Literal("kgraph catalogue", lang="en")))
    g.add((cat, DCTERMS.description, Literal(
        "The kgraph dataset on South Korea's defence diplomacy, with its parts and downloads.", lang="en")))
    g.add((cat, C("dataset"), ds))
    g.add((cat, FOAF.homepage, LANDING_PAGE))
    g.add((cat, DCTERMS.license, LICENSE))
    g.add((cat, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((cat, DCTERMS.modified, Literal(date, datatype=XSD.date)))
    g.add((cat, C("themeTaxonomy"), EU_THEMES))
    g.add((EU_THEMES, RDF.type, SKOS.ConceptScheme))
    g.add((EU_THEMES, DCTERMS.title, Literal("Data theme", lang="en")))
    g.add((THEME, RDF.type, SKOS.Concept))
    g.add((THEME, SKOS.prefLabel, Literal("International issues", lang="en")))
    g.add((THEME, SKOS.inScheme, EU_THEMES))
    languages = sorted({str(o.language) for o in union.objects(None, RDFS.label)
                        if isinstance(o, Literal) and o.language in LANGUAGES})
    for lang in languages:
        g.add((URIRef(EU_LANGUAGE + LANGUAGES[lang]), RDF.type, DCTERMS.LinguisticSystem))
        g.add((cat, DCTERMS.language, URIRef(EU_LANGUAGE + LANGUAGES[lang])))

    # Who made it: CITATION.cff's authors, who also publish it.
    agent = BNode("creators")
    names = _citation_authors() or ["The kgraph contributors"]
    g.add((agent, RDF.type, FOAF.Agent))
    for name in names:
        g.add((agent, FOAF.name, Literal(name)))
    g.add((cat, DCTERMS.publisher, agent))
    g.add((ds, DCTERMS.creator, agent))
    email, url = _contact()
    contact = BNode("contact")
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(names[0])))
    if email:
        g.add((contact, VCARD.hasEmail, URIRef("mailto:" + email)))
    if url:
        g.add((contact, VCARD.hasURL, URIRef(url)))

    def common(subject: URIRef, covered: bool) -> None:
        """What the dataset and each of its parts share."""
        g.add((subject, C("contactPoint"), contact))
        g.add((subject, DCTERMS.publisher, agent))
        g.add((subject, DCTERMS.license, LICENSE))
        g.add((subject, C("theme"), THEME))
        g.add((subject, C("version"), Literal(version)))
        for word in keywords:
            g.add((subject, C("keyword"), word))
        for lang in languages:
            g.add((subject, DCTERMS.language, URIRef(EU_LANGUAGE + LANGUAGES[lang])))
        if covered:
            if period is not None:
                g.add((subject, DCTERMS.temporal, period))
            for place in places:
                g.add((subject, DCTERMS.spatial, place))

    g.add((ds, RDF.type, V("Dataset")))
    g.add((ds, RDF.type, C("Dataset")))
    g.add((ds, DCTERMS.title, Literal("kgraph: South Korea's defence diplomacy", lang="en")))
    g.add((ds, DCTERMS.title, Literal("韓国の国防外交ナレッジグラフ", lang="ja")))
    g.add((ds, DCTERMS.description, Literal(
        "Agreements, overseas deployments, arms sales, exercises, attaché offices and "
        "administrations of South Korea's defence diplomacy, each record traced to the table "
        "or passage of the source report it comes from.", lang="en")))
    g.add((LICENSE, RDF.type, DCTERMS.LicenseDocument))
    g.add((ds, C("landingPage"), LANDING_PAGE))
    g.add((LANDING_PAGE, RDF.type, FOAF.Document))
    g.add((ds, FOAF.homepage, LANDING_PAGE))
    g.add((ds, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((ds, DCTERMS.modified, Literal(date, datatype=XSD.date)))
    g.add((ds, OWL.versionInfo, Literal(version)))
    keywords = _keywords(union)

    # The source report: derived from, with its creator and publisher as sources.ttl names them.
    report = URIRef(base + "source/report")
    g.add((ds, PROV.wasDerivedFrom, report))
    g.add((ds, DCTERMS.bibliographicCitation, Literal(
        "伊藤弘太郎「韓国の『国防外交』―『国家生存』から『多様な国益実現』の手段へ」"
        "笹川平和財団, 2020", lang="ja")))
    g.add((report, RDF.type, FOAF.Document))
    for prop, kind, key in ((DCTERMS.creator, FOAF.Person, "author"),
                            (DCTERMS.publisher, FOAF.Organization, "publisher")):
        for written in union.objects(report, prop):
            if isinstance(written, Literal):
                node = BNode(f"report-{key}")
                g.add((report, prop, node))
                g.add((node, RDF.type, kind))
                g.add((node, FOAF.name, Literal(str(written))))

    # Coverage, computed from the data.
    cov = coverage(union)
    period: BNode | None = None
    if cov.start or cov.end:
        period = BNode("coverage")
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if cov.start:
            g.add((period, C("startDate"), Literal(cov.start, datatype=XSD.date)))
        if cov.end:
            g.add((period, C("endDate"), Literal(cov.end, datatype=XSD.date)))
    places = []
    for place in cov.places:   # already under ``base``: the union is rebased
        places.append(place)
        g.add((place, RDF.type, DCTERMS.Location))
        for label in union.objects(place, RDFS.label):
            g.add((place, RDFS.label, label))
    common(ds, True)

    # VoID: vocabularies, URI space, examples, counts.
    g.add((ds, V("uriSpace"), Literal(base)))
    for k in (str(DD), "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
              "http://purl.org/dc/terms/", "https://schema.org/", "http://www.w3.org/2006/time#"):
        g.add((ds, V("vocabulary"), URIRef(k)))
    for ex in EXAMPLES:
        g.add((ds, V("exampleResource"), URIRef(base + ex)))
    for key, value in _stats(union).items():
        g.add((ds, V(key), Literal(value, datatype=XSD.integer)))
    if endpoint:
        svc = URIRef(endpoint)
        g.add((ds, V("sparqlEndpoint"), svc))
        g.add((cat, C("service"), svc))
        g.add((svc, RDF.type, C("DataService")))
        g.add((svc, DCTERMS.title, Literal("kgraph SPARQL endpoint", lang="en")))
        g.add((svc, C("endpointURL"), svc))
        g.add((svc, RDF.type, RDFS.Resource))   # DCAT-AP's range of dcat:endpointURL
        g.add((svc, C("servesDataset"), ds))
    for name, part in parts.items():
        sub = URIRef(part_graph(name, str(DATASET_IRI)))
        g.add((ds, V("subset"), sub))
        g.add((ds, DCTERMS.hasPart, sub))
        g.add((sub, RDF.type, V("Dataset")))
        g.add((sub, RDF.type, C("Dataset")))
        g.add((sub, DCTERMS.isPartOf, ds))
        g.add((sub, DCTERMS.title, Literal(f"kgraph {name} part", lang="en")))
        g.add((sub, DCTERMS.description, Literal(
            PART_DESCRIPTIONS.get(name, f"The {name} part.") + f" Named graph <{sub}> in the N-Quads "
            "dump and in stores that kgraph publish fills.", lang="en")))
        common(sub, name != "ontology")
        for key, value in _stats(part).items():
            g.add((sub, V(key), Literal(value, datatype=XSD.integer)))
        for f in files.get(name, ()):
            _distribution(g, sub, f, base_url, date)
    for f in files.get("all", ()):
        _distribution(g, ds, f, base_url, date)
    return g


def _keywords(union: Graph) -> list[Literal]:
    """Keywords in English and Japanese: the described countries' and the main
    record classes' labels from the graph, and the subject itself."""
    words = [Literal("defence diplomacy", lang="en"), Literal("国防外交", lang="ja")]
    for country in sorted(set(union.objects(None, DD.describedCountry)), key=str):
        words += [w for w in union.objects(country, RDFS.label)
                  if isinstance(w, Literal) and w.language in ("en", "ja")]
    for cls in ("Agreement", "Deployment", "ArmsSale", "Exercise", "AttacheOffice", "Administration"):
        words += [w for w in union.objects(DD[cls], RDFS.label)
                  if isinstance(w, Literal) and w.language in ("en", "ja")]
    return sorted(set(words), key=lambda w: (w.language or "", str(w)))


def _distribution(g: Graph, ds: URIRef, f: DumpFile, base_url: str, date: str) -> None:
    C = lambda x: URIRef(DCAT + x)  # noqa: E731
    dist = URIRef(f"{DATASET_IRI}/distribution/{f.name}")
    url = URIRef(base_url + f.name)
    media, fmt, label = SYNTAXES[f.syntax]
    g.add((ds, C("distribution"), dist))
    g.add((ds, URIRef(VOID + "dataDump"), url))
    g.add((dist, RDF.type, C("Distribution")))
    g.add((dist, DCTERMS.title, Literal(f"{f.name} ({label}{', gzip' if f.compressed else ''})", lang="en")))
    what = ("the four parts as named graphs" if f.syntax == "nq"
            else "the union of the four parts" if f.part == "all" else f"the {f.part} part")
    g.add((dist, DCTERMS.description, Literal(
        f"{what[0].upper()}{what[1:]} in {label}{', gzip-compressed' if f.compressed else ''}; "
        + (f"version {f.version}, kept under this name." if f.version
           else "the latest version, replaced at each release."), lang="en")))
    g.add((dist, C("downloadURL"), url))
    g.add((dist, C("accessURL"), url))
    g.add((dist, C("mediaType"), URIRef(IANA + media)))
    g.add((URIRef(IANA + media), RDF.type, DCTERMS.MediaType))
    g.add((dist, DCTERMS["format"], URIRef(fmt)))
    g.add((URIRef(fmt), RDF.type, DCTERMS.MediaTypeOrExtent))
    if f.compressed:
        g.add((dist, C("compressFormat"), URIRef(IANA + "application/gzip")))
        g.add((URIRef(IANA + "application/gzip"), RDF.type, DCTERMS.MediaType))
    g.add((dist, DCTERMS.license, LICENSE))
    g.add((dist, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    g.add((dist, C("byteSize"), Literal(str(f.size), datatype=XSD.nonNegativeInteger)))
    checksum = URIRef(f"{dist}#sha256")
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))


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
