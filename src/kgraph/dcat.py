"""The dataset's description: DCAT 3 and VoID for ``void.ttl``.

A ``dcat:Catalog`` lists the dataset; the dataset and its four parts (each a
``dcat:Dataset`` and ``void:Dataset`` whose IRI is the part's graph name,
``prefixes.part_graph``) carry licence, agents, contact point, keywords,
coverage, release dates and VoID counts; every file of the dump is a
``dcat:Distribution`` with absolute links, an IANA media type, its size and
SHA-256.  It passes the DCAT-AP 3 shapes (``tests/dcat-ap/``).

Every statement comes from the data, the ontology header (version, dates),
CITATION.cff (creators), graph/sources.ttl (the report's author and
publisher) or the package metadata (contact): nothing from the wall clock,
so the same inputs give the same description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, XSD

from .errors import KgraphError
from .namespaces import DD
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


__all__ = ["DumpFile", "citation_cff", "coverage", "version_info", "void_graph"]
