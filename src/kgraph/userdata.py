"""A user's own records, layered on the bundled graph (``--add FILE_OR_DIR``).

A user file is RDF (any format kgraph reads) or a CSV filled from
``kgraph template TYPE``.  A CSV is turned into triples by the CSV on the Web
description of its template (:func:`template_metadata`), which starts from the
tables of ``kgraph.tables`` (the same column names, ontology terms and
datatypes ``kgraph tables`` writes) without the columns the build derives
(precision, day bounds, administrations), plus the columns a new record needs
(its source: a title, a URL or a citation, the day it was consulted).  Dates
are written as printed (``2023``, ``2023-05``, ``2023-05-12``); the build then
derives the comparable day, precision and bounds exactly as for the report's
records (kgraph.derive).

What is refused while reading, with the file, the line (or CSV row) and the
column named, before anything is built:

- a date, number or truth value that is not well formed;
- a CSV column the template does not have, a partner (or any linked record)
  that is neither in the bundled graph nor in the user's files;
- a new record under the bundled namespace ``https://w3id.org/defdip/id/``
  (user records live under the user's own namespace: a full IRI, a
  ``# base: IRI`` line at the top of a CSV, a ``@prefix`` in Turtle);
- a second value of a single-valued property on a bundled record (single-valued:
  ``owl:FunctionalProperty`` in the ontology, or ``sh:maxCount 1`` in a shape
  that targets the record).  Other statements about bundled records (a Korean
  label, an end date) are welcome.

Everything else (a missing label or source, an unknown class) is the shapes'
to say: ``kgraph validate --add FILE`` reports it, and :func:`locate` names the
user's file, row and column of each violation.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KgraphError
from .prefixes import BASE, DD, PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from .shacl import ValidationReport, Violation
    from .tables import TableSpec

    Triple = tuple[Node, Node, Node]

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
DCTERMS = PREFIXES["dcterms"]
SCHEMA = PREFIXES["schema"]
XSD = PREFIXES["xsd"]
SH = PREFIXES["sh"]
KOREA = BASE + "country/KOR"

#: Extensions of the CSV files --add reads (RDF files: kgraph.parsing).
CSV_SUFFIXES = (".csv",)

#: The template types: name -> (table of kgraph.tables, what a row is).
TEMPLATES: dict[str, tuple[str, str]] = {
    "agreement": ("agreements", "an agreement Korea signed (defence cooperation, military "
                                "information or defence industry)"),
    "deployment": ("deployments", "a deployment of Korean forces abroad"),
    "sale": ("arms-sales", "a sale of Korean arms"),
    "exercise": ("exercises", "an exercise Korea took part in"),
    "event": ("events", "a dated event of defence diplomacy"),
    "country": ("countries", "a country (or former state) not in the bundled graph"),
}

#: Columns of kgraph.tables the build derives: never filled by hand.
_DERIVED_SUFFIXES = ("_precision", "_earliest", "_latest")
_DERIVED_COLUMNS = ("administration", "possible_administrations")

#: The record's own source, one per distinct set of these cells (aboutUrl {+_source}).
SOURCE_COLUMNS = ("source_title", "source_url", "source_citation", "source_accessed")

#: A fictitious example row per template (under http://example.org/), shown as a comment.
EXAMPLES: dict[str, dict[str, str]] = {
    "agreement": {"iri": "agreement/defcoop-example-2023", "kind": "DefenseCooperationAgreement",
                  "label_en": "Korea–Poland defence cooperation agreement (fictitious example)",
                  "signedOn_as_printed": "2023-05", "partners": "POL"},
    "deployment": {"iri": "deployment/example-2023", "label_en": "Example unit (fictitious example)",
                   "startDate_as_printed": "2023-02", "destinations": "TUR", "total_personnel": "110"},
    "sale": {"iri": "sale/example-2023", "label_en": "Sale of K9 howitzers (fictitious example)",
             "signedOn_as_printed": "2023", "buyer": "POL", "weapon": "weapon:k9", "quantity": "12"},
    "exercise": {"iri": "exercise/example-2023", "label_en": "Example exercise (fictitious example)",
                 "startDate_as_printed": "2023-08", "participants": "KOR USA"},
    "event": {"iri": "event/example-2023", "label_en": "Example visit (fictitious example)",
              "date_as_printed": "2023-04-26", "participants": "KOR USA"},
    "country": {"iri": "country/XEX", "label_en": "Exampleland (fictitious example)", "iso3": "XEX"},
}
_EXAMPLE_SOURCE = {"source_title": "Example source (fictitious)",
                   "source_url": "http://example.org/source", "source_accessed": "2025-01-31"}


# --- Templates and their CSVW description -------------------------------------------------------

def _country_spec() -> TableSpec:
    from .tables import Column, TableSpec, _common

    return TableSpec("countries", "Countries (reference data)", DD + "Country", _common(None) + (
        Column("iso3", "dd:iso3", "string", DD + "iso3"),
        Column("sources", "prov:wasDerivedFrom", "anyURI", PROV_DERIVED, many=True)))


def _spec(kind: str) -> TableSpec:
    """The template's columns: the table's, less the derived ones, plus what a new record needs."""
    from dataclasses import replace

    from .tables import TABLES, Column

    if kind not in TEMPLATES:
        raise KgraphError(f"no template named '{kind}'",
                          hint=f"choose one of {', '.join(TEMPLATES)} (kgraph template --list)")
    table = TEMPLATES[kind][0]
    if table == "countries":
        spec = _country_spec()
    else:
        spec = next(s for s in TABLES if s.name == table)
    cols = [c for c in spec.columns
            if not c.name.endswith(_DERIVED_SUFFIXES) and c.name not in _DERIVED_COLUMNS
            and c.name != "current_personnel"]   # a current figure needs its day (dd:asOf)
    extra = {
        "agreement": [Column("endDate_as_printed", "dd:endDateAsPrinted", "string",
                             DD + "endDateAsPrinted")],   # terminated or expired
        "sale": [Column("weapon", "dd:weapon", "anyURI", DD + "weapon")],
    }.get(kind, [])
    cols[-1:-1] = extra   # before the sources column
    cols.append(Column("note", "dd:note", "string", DD + "note", lang="en"))
    return replace(spec, columns=tuple(cols))


def template_metadata(kind: str) -> dict[str, Any]:
    """The CSVW description of a template: kgraph.tables' metadata of its
    columns, plus the record's source (columns about a node of its own) and
    the statements every such record carries (virtual columns).

    >>> [c["name"] for c in template_metadata("country")["tables"][0]["tableSchema"]["columns"]][:3]
    ['iri', 'label_en', 'label_ja']
    """
    from .tables import metadata

    meta = metadata((_spec(kind),))
    table = meta["tables"][0]
    table["url"] = f"{kind}.csv"
    meta["dc:title"] = f"kgraph template: {TEMPLATES[kind][1]}"
    meta["dialect"] = {"commentPrefix": "#", "header": True}
    cols: list[dict[str, Any]] = table["tableSchema"]["columns"]
    for c in cols:
        if c["name"] == "kind":
            from .tables import TABLES

            only = next(col.only for s in TABLES for col in s.columns if col.name == "kind")
            c["dc:description"] = "one of: " + " ".join(o.rsplit("#", 1)[-1] for o in only)
    cols += [
        {"name": "source_title", "titles": "source_title", "datatype": "string",
         "aboutUrl": "{+_source}", "propertyUrl": DCTERMS + "title"},
        {"name": "source_url", "titles": "source_url", "datatype": "anyURI",
         "aboutUrl": "{+_source}", "propertyUrl": SCHEMA + "url"},
        {"name": "source_citation", "titles": "source_citation", "datatype": "string",
         "aboutUrl": "{+_source}", "propertyUrl": DCTERMS + "bibliographicCitation"},
        {"name": "source_accessed", "titles": "source_accessed", "datatype": "date",
         "aboutUrl": "{+_source}", "propertyUrl": DD + "accessedOn"},
        {"name": "_source_type", "virtual": True, "aboutUrl": "{+_source}",
         "propertyUrl": RDF_TYPE, "valueUrl": DD + "Source"},
        {"name": "_record_source", "virtual": True, "propertyUrl": PROV_DERIVED,
         "valueUrl": "{+_source}"},
    ]
    if table["dc:type"] != DD + "Agreement":
        cols.append({"name": "_type", "virtual": True, "propertyUrl": RDF_TYPE,
                     "valueUrl": table["dc:type"]})
    else:   # Korea is a party of each (dd:partner values are parties too: see _SUPER)
        cols.append({"name": "_party_korea", "virtual": True, "propertyUrl": DD + "party",
                     "valueUrl": KOREA})
    return meta


def template_csv(kind: str) -> str:
    """The text ``kgraph template KIND`` prints: comments saying how to fill
    it, the header row, and a fictitious example row (commented out)."""
    meta = template_metadata(kind)
    cols = [c for c in meta["tables"][0]["tableSchema"]["columns"] if not c.get("virtual")]
    lines = [f"# kgraph template: {kind}, one row per record: {TEMPLATES[kind][1]}.",
             "# base: http://example.org/my-records/",
             "#   ^ the namespace of your records: relative IRIs in the iri column are read against it",
             "#     (use your own; the bundled https://w3id.org/defdip/id/ is refused for new records).",
             "# Dates as your source prints them: 2023, 2023-05 or 2023-05-12. Several values",
             "# (partners, participants, sources) are separated by spaces. A partner is an ISO 3166",
             "# alpha-3 code (POL), a prefixed name (country:POL, org:nato) or a full IRI.",
             "# Each record needs a source: source_title, source_url or source_citation, and",
             "# source_accessed (the day you read it); or cite a bundled one in sources (src:report).",
             "# Use it: kgraph --add this.csv query agreements-per-year; kgraph validate --add this.csv",
             "# Columns:"]
    for c in cols:
        what = c.get("dc:description") or c.get("propertyUrl", "")
        short = _curie(what) if what.startswith("http") else what
        if c["name"] == "iri":
            short = "the record (a key read against base, or a full IRI; required)"
        dt = "date as printed" if c["name"].endswith("_as_printed") else _base_type(c)
        lines.append(f"#   {c['name']}: {dt}"
                     f"{' (several, space-separated)' if c.get('separator') else ''}"
                     f"{', @' + c['lang'] if c.get('lang') else ''} -> {short}")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = [c["name"] for c in cols]
    w.writerow(names)
    example = {**EXAMPLES[kind], **_EXAMPLE_SOURCE}
    w.writerow([example.get(n, "") for n in names])
    header, row = buf.getvalue().splitlines()
    return "\n".join([*lines, header, "# example (fictitious; delete the '# ' to try it):",
                      "# " + row]) + "\n"


def _base_type(col: dict[str, Any]) -> str:
    """A CSVW column's datatype name (a derived datatype's base)."""
    dt = col.get("datatype", "string")
    return str(dt.get("base", "string")) if isinstance(dt, dict) else str(dt)


def _curie(iri: str) -> str:
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


# --- Where a user statement came from ------------------------------------------------------------

@dataclass
class Origin:
    """Where a user record is described: a file and a line (a CSV's row),
    and for a CSV the column of each property."""

    file: Path
    line: int
    columns: dict[str, str] = field(default_factory=dict)

    def where(self, prop: str | None = None) -> str:
        col = self.columns.get(prop or "")
        if self.file.suffix.lower() in CSV_SUFFIXES:
            return f"{self.file}, row {self.line}" + (f", column {col}" if col else "")
        return f"{self.file}:{self.line}"


@dataclass
class Additions:
    """The triples of the user's files and where each subject is described."""

    files: tuple[Path, ...] = ()
    triples: list[Triple] = field(default_factory=list)
    origins: dict[str, Origin] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.files)


def user_files(paths: Iterable[Path] | None) -> tuple[Path, ...]:
    """The files ``--add`` names, each folder replaced by its RDF and CSV files
    (sorted, subfolders included, hidden ones skipped)."""
    from .parsing import _FORMATS, extensions

    out: list[Path] = []
    for p in map(Path, paths or ()):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*")
                           if f.is_file() and (f.suffix.lower() in _FORMATS
                                               or f.suffix.lower() in CSV_SUFFIXES)
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                raise KgraphError(f"{p}: a folder with no data files in it",
                                  hint=f"--add reads CSV files (kgraph template) and {extensions()}")
            out += found
        elif not p.exists():
            raise KgraphError(f"{p}: no such file or folder", hint="check the path given to --add")
        else:
            out.append(p)
    return tuple(out)


# --- Reading ---------------------------------------------------------------------------------------

class _Problems:
    """Problems found in the user's files: reported together, one line each."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.hint: str | None = None

    def add(self, where: str, what: str, hint: str | None = None) -> None:
        self.lines.append(f"{where}: {what}")
        self.hint = self.hint or hint

    def raise_if_any(self) -> None:
        if not self.lines:
            return
        shown = self.lines[:20]
        more = f"\n  ... and {len(self.lines) - 20} more" if len(self.lines) > 20 else ""
        raise KgraphError("\n".join(shown) + more, hint=self.hint)


def read_additions(paths: Sequence[Path] | None, bundled: Graph, shapes: Graph | None = None) -> Additions:
    """Read the user's files against the bundled graph (``bundled``: the
    ontology and the data the user adds to); KgraphError naming each problem's
    file, line or row, and column."""
    files = user_files(paths)
    out = Additions(files=files)
    if not files:
        return out
    problems = _Problems()
    refs: list[tuple[str, str, Origin, str]] = []   # (iri, column, origin, what) to resolve
    places: dict[tuple[Any, Any, Any], Origin] = {}
    iso = _iso_codes(bundled)
    # Countries the user adds may be named by their codes in the other files.
    csvs = [f for f in files if f.suffix.lower() in CSV_SUFFIXES]
    rdf = [f for f in files if f not in csvs]
    texts: dict[Path, str] = {}
    for f in rdf:
        triples, text = _read_rdf(f, problems)
        texts[f] = text
        for t in triples:
            places.setdefault(t, Origin(f, 0))
        out.triples += triples
    for s, p, o in out.triples:
        if str(p) == DD + "iso3":
            iso.setdefault(str(o), str(s))
    rows = [(f, _read_csv(f, problems)) for f in csvs]
    for _, (meta, records) in rows:
        for rec in records:   # countries of the user's CSVs, named by their codes elsewhere
            code, iri = rec.cells.get("iso3", ""), _expand(rec.cells.get("iri", ""), rec.base)
            if meta["_kind"] == "country" and code and iri:
                iso.setdefault(code, iri)
    for _, (meta, records) in rows:
        for rec in records:
            _convert(rec, meta, iso, bundled, out, places, refs, problems)
    problems.raise_if_any()

    new_subjects = {s for s, _, _ in out.triples} - set(bundled.subjects())
    known = set(map(str, bundled.subjects())) | set(map(str, (s for s, _, _ in out.triples)))
    for iri, col, origin, what in refs:
        if iri not in known:
            problems.add(origin.where() + f", column {col}",
                         f"unknown {what} '{_curie(iri)}': it is neither in the bundled graph "
                         "nor in your files",
                         hint="cite a source of the graph (src:report) or fill the source_ columns"
                         if what == "source" else
                         "use an ISO 3166 alpha-3 code or an IRI of the graph (kgraph query "
                         "'SELECT ?c ?code WHERE { ?c dd:iso3 ?code }'), or add the record "
                         "with a template of its own (kgraph template --list)")
    reported: set[Any] = set()
    for s, p, o in out.triples:
        at = places.get((s, p, o)) or out.origins.get(str(s))
        if at and not at.line:
            at = Origin(at.file, _line_of(texts.get(at.file, ""), s, o))
        where = at.where(str(p)) if at else "?"
        if s in new_subjects and str(s).startswith(BASE) and s not in reported:
            reported.add(s)
            row = out.origins.get(str(s))
            if row is not None and row.file.suffix.lower() in CSV_SUFFIXES:
                where = f"{row.where()}, column iri"
            problems.add(where, f"<{s}> is a new record under the bundled namespace {BASE}, "
                                "which holds the report's records only",
                         hint="give your records IRIs of your own (a full IRI, '# base: IRI' in a CSV, "
                              "or a @prefix in Turtle), e.g. http://example.org/my-records/")
        why = _ill_formed(o)
        if why:
            problems.add(where, f"<{s}> {_curie(str(p))}: {why}", hint=_date_hint(o))
    problems.raise_if_any()
    _check_single_values(out, bundled, shapes, places, texts, problems)
    problems.raise_if_any()
    for s in {s for s, _, _ in out.triples}:
        if str(s) not in out.origins:
            found = next((o for t, o in places.items() if t[0] == s), None)
            if found is not None:
                line = found.line or _line_of(texts.get(found.file, ""), s, None)
                out.origins[str(s)] = Origin(found.file, line)
    return out


def _ill_formed(o: Any) -> str | None:
    from rdflib import Literal

    from .literals import problem

    if type(o) is not Literal or (o.datatype is None and o.language is None):
        return None
    return problem(o)


def _date_hint(o: Any) -> str | None:
    if str(getattr(o, "datatype", "")) in (XSD + "date", XSD + "gYearMonth", XSD + "gYear"):
        return ("write a day that exists (YYYY-MM-DD), or only the month (YYYY-MM) or the year (YYYY) "
                "when your source gives no day")
    return "fix the value so that it matches its datatype"


def _read_rdf(path: Path, problems: _Problems) -> tuple[list[Triple], str]:
    from .parsing import read_triples

    triples = read_triples(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    return triples, text


def _line_of(text: str, s: Any, o: Any) -> int:
    """The line of ``text`` where a statement about ``s`` (with object ``o``,
    when given) is written: the first mention of ``s``, then of ``o`` after it."""
    if not text:
        return 1

    def needles(term: Any) -> list[str]:
        from rdflib import Literal

        if isinstance(term, Literal):
            return [f'"{term}"', f"'{term}'"]
        v = str(term)
        local = re.split(r"[/#]", v)[-1]
        return [f"<{v}>", *([f":{local}"] if local else [])]

    lines = text.splitlines()
    subject = needles(s)
    # Where s opens a block (a subject starts the line), else its first mention.
    opening = [i for i, line in enumerate(lines)
               if any(re.match(r"[\w-]*" + re.escape(n) + r"(\s|$)", line) if n.startswith(":")
                      else line.startswith(n) for n in subject)]
    mentions = [i for i, line in enumerate(lines) if any(n in line for n in subject)]
    start = (opening or mentions or [0])[0]
    if o is None:
        return start + 1
    for i in range(start, len(lines)):
        if any(n in lines[i] for n in needles(o)):
            return i + 1
    return start + 1


@dataclass
class _Row:
    file: Path
    line: int
    cells: dict[str, str]
    base: str | None
    iri: str = ""


def _read_csv(path: Path, problems: _Problems) -> tuple[dict[str, Any], list[_Row]]:
    """The template metadata a CSV matches and its rows (comments skipped)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KgraphError(f"{path}: not UTF-8 text ({exc.reason})", hint="save the file as UTF-8") from exc
    base = None
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[_Row] = []
    meta: dict[str, Any] = {}
    columns: dict[str, dict[str, Any]] = {}
    line = 0
    for cells in reader:
        start, line = line + 1, reader.line_num
        first = cells[0].strip() if cells else ""
        if not any(c.strip() for c in cells):
            continue
        if first.startswith("#"):
            m = re.match(r"#\s*base:\s*(\S+)", ",".join(cells))
            if m and header is None:
                base = m[1].strip("<>")
            continue
        if header is None:
            header = [c.strip() for c in cells]
            kind = _kind_of(path, header, start)
            meta = template_metadata(kind)
            columns = {c["name"]: c for c in meta["tables"][0]["tableSchema"]["columns"]
                       if not c.get("virtual")}
            for i, name in enumerate(header):
                if name not in columns:
                    problems.add(f"{path}, row {start}, column {name or i + 1}",
                                 f"unknown column '{name}' for the {kind} template",
                                 hint=f"the {kind} template's columns are: {', '.join(columns)} "
                                      f"(kgraph template {kind})")
            if "iri" not in header:
                problems.add(f"{path}, row {start}", "no iri column",
                             hint=f"start from kgraph template {kind}")
            continue
        if len(cells) > len(header):
            problems.add(f"{path}, row {start}", f"{len(cells)} cells for {len(header)} columns",
                         hint="quote a cell that holds a comma: \"Korea, Republic of\"")
        row = _Row(path, start, {h: c.strip() for h, c in zip(header, cells, strict=False) if h}, base)
        rows.append(row)
    if header is None:
        raise KgraphError(f"{path}: no header row", hint="start from kgraph template TYPE")
    meta["_columns"] = columns
    meta["_kind"] = _kind_of(path, header, 1)
    return meta, rows


def _kind_of(path: Path, header: list[str], line: int) -> str:
    """The template a CSV was made from: one that has every column of the
    header, the file's name breaking a tie (agreements.csv, my-sales.csv)."""
    stem = path.stem.lower()
    named = [k for k, (table, _) in TEMPLATES.items() if k in stem or table in stem]
    fits = []
    for kind in TEMPLATES:
        names = {c["name"] for c in template_metadata(kind)["tables"][0]["tableSchema"]["columns"]}
        fits.append((len(set(header) - names), kind not in named, -len(names & set(header)), kind))
    return min(fits)[3]


_DATE_FORMS = ((re.compile(r"^\d{4}-\d{2}-\d{2}$"), "date"), (re.compile(r"^\d{4}-\d{2}$"), "gYearMonth"),
               (re.compile(r"^\d{4}$"), "gYear"))
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: dd: properties whose values are also values of a super-property the shapes
#: check before reasoning (dd:partner is a dd:party).
_SUPER = {DD + "partner": DD + "party"}


def _convert(row: _Row, meta: dict[str, Any], iso: dict[str, str], bundled: Graph, out: Additions,
             places: dict[Any, Origin], refs: list[tuple[str, str, Origin, str]],
             problems: _Problems) -> None:
    """One CSV row's triples, driven by the template's CSVW columns."""
    from rdflib import URIRef

    columns: dict[str, dict[str, Any]] = meta["_columns"]
    kind = meta["_kind"]
    where = f"{row.file}, row {row.line}"
    iri = _record_iri(row, problems)
    if iri is None:
        return
    subject = URIRef(iri)
    if str(subject) in out.origins:
        first = out.origins[str(subject)]
        problems.add(f"{where}, column iri", f"<{iri}> is described again (first at {first.where()})",
                     hint="give each record its own IRI, or merge the two rows")
        return
    # Every column of the template, so that a missing value is named by its column too.
    origin = Origin(row.file, row.line, {c["propertyUrl"]: n for n, c in reversed(columns.items())
                                         if c.get("propertyUrl") and c.get("aboutUrl") != "{+_source}"})
    for name, spec in columns.items():
        prop = spec.get("propertyUrl", "")
        if prop.endswith("AsPrinted"):   # what the build derives from a date is in its column
            day = prop[:-len("AsPrinted")]
            for derived in (day, day + "Earliest", day + "Latest", DD + "earliestDay", DD + "latestDay"):
                origin.columns.setdefault(derived, name)
    out.origins[iri] = origin
    existing = (subject, None, None) in bundled
    triples: list[tuple[Any, Any, Any, str]] = []
    source_cells = {c: row.cells.get(c, "") for c in SOURCE_COLUMNS}
    source = None
    if any(source_cells.values()):
        # A node of the user's namespace, one per distinct source (rows citing it share it).
        digest = hashlib.sha1("\0".join(source_cells.values()).encode()).hexdigest()[:10]
        ns = row.base or _namespace(iri)
        if ns.startswith(BASE):
            problems.add(f"{where}, column source_title", "a source of your own needs a namespace of "
                         "your own, and this row names a bundled record",
                         hint="add a line '# base: http://example.org/my-records/' above the header")
        else:
            source = URIRef((ns if ns.endswith(("/", "#")) else ns + "/") + "source/" + digest)
    for name, value in row.cells.items():
        col = columns.get(name)
        if col is None or not value or name == "iri":
            continue
        prop = col.get("propertyUrl", "")
        about = source if col.get("aboutUrl") == "{+_source}" else subject
        if about is None:
            continue
        values = value.split() if col.get("separator") else [value]
        for v in values:
            term = _term(v, col, kind, iso, row, where, name, prop, problems, refs, origin)
            if term is None:
                continue
            why = _ill_formed(term)
            if why:
                problems.add(f"{where}, column {name}", why, hint=_date_hint(term))
                continue
            triples.append((about, URIRef(prop), term, name))
            if prop in _SUPER:
                triples.append((about, URIRef(_SUPER[prop]), term, name))
    if kind == "agreement" and not existing and not row.cells.get("kind"):
        problems.add(f"{where}, column kind", "empty: a new agreement needs its kind",
                     hint="write DefenseCooperationAgreement, MilitaryInformationAgreement or "
                          "DefenseIndustryAgreement")
    for col in (c for c in meta["tables"][0]["tableSchema"]["columns"] if c.get("virtual")):
        # The statements every record of the template carries (a bundled record has them).
        about = source if col.get("aboutUrl") == "{+_source}" else subject
        target = source if col["valueUrl"] == "{+_source}" else col["valueUrl"]
        if about is None or target is None or (existing and about == subject and target != source):
            continue
        triples.append((about, URIRef(col["propertyUrl"]), URIRef(str(target)), ""))
    for s, p, o, name in triples:
        out.triples.append((s, p, o))
        if name:
            places[(s, p, o)] = Origin(row.file, row.line, {str(p): name})
    if source is not None:
        src_origin = out.origins.setdefault(str(source), Origin(row.file, row.line))
        for name in SOURCE_COLUMNS:
            src_origin.columns.setdefault(columns[name]["propertyUrl"], name)
        origin.columns.setdefault(PROV_DERIVED, "sources")


def _namespace(iri: str) -> str:
    return iri.rsplit("#", 1)[0] + "#" if "#" in iri else iri.rsplit("/", 1)[0] + "/"


def _record_iri(row: _Row, problems: _Problems) -> str | None:
    value = row.cells.get("iri", "")
    where = f"{row.file}, row {row.line}, column iri"
    if not value:
        problems.add(where, "empty: every record needs an IRI", hint="write a key such as "
                     "agreement/my-key (read against '# base:') or a full IRI")
        return None
    iri = _expand(value, row.base)
    if iri is None:
        problems.add(where, f"'{value}' is not an IRI, and the file has no '# base: IRI' line "
                            "to read it against",
                     hint="add a line '# base: http://example.org/my-records/' above the header, "
                          "or write the full IRI")
        return None
    row.iri = iri
    return iri


def _expand(value: str, base: str | None) -> str | None:
    if _ABSOLUTE.match(value):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if base and re.fullmatch(r"[A-Za-z0-9._~/%-]+", value):
        return base + value.lstrip("/") if base.endswith(("/", "#")) else base + "/" + value
    return None


_WHAT = {DD + "partner": "partner", DD + "participant": "participant", DD + "destination": "destination",
         DD + "buyer": "buyer", DD + "weapon": "weapon", PROV_DERIVED: "source", RDF_TYPE: "kind"}


def _term(v: str, col: dict[str, Any], kind: str, iso: dict[str, str], row: _Row, where: str, name: str,
          prop: str, problems: _Problems, refs: list[tuple[str, str, Origin, str]], origin: Origin) -> Any:
    """A cell's value as an rdflib term, by the column's CSVW datatype."""
    from rdflib import Literal, URIRef

    dt = _base_type(col)
    here = f"{where}, column {name}"
    if name.endswith("_as_printed"):
        for pattern, xsd in _DATE_FORMS:
            if pattern.match(v):
                return Literal(v, datatype=URIRef(XSD + xsd))
        problems.add(here, f"'{v}' is not a date as printed",
                     hint="write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2023-05-12, 2023-05, 2023)")
        return None
    if name == "kind":   # the class of the record (rdf:type), whatever the column's datatype
        from .tables import TABLES

        only = next(c.only for s in TABLES for c in s.columns if c.name == "kind")
        full = _expand(v, None) or DD + v
        if full not in only:
            problems.add(here, f"'{v}' is not a kind of agreement",
                         hint="write one of " + ", ".join(o.rsplit("#", 1)[-1] for o in only))
            return None
        return URIRef(full)
    if dt == "anyURI":
        if prop == SCHEMA + "url":
            if not _ABSOLUTE.match(v):
                problems.add(here, f"'{v}' is not a URL", hint="write the full address, https://...")
                return None
            return URIRef(v)
        iri = iso.get(v) if re.fullmatch(r"[A-Z]{3}", v) else _expand(v, row.base)
        if iri is None:
            what = _WHAT.get(prop, "value")
            if re.fullmatch(r"[A-Z]{3}", v):
                problems.add(here, f"unknown {what} '{v}': no country of the graph or your files has "
                                   "this ISO 3166 alpha-3 code",
                             hint="check the code, or add the country with kgraph template country")
            else:
                problems.add(here, f"'{v}' is not an IRI, a prefixed name or an ISO 3166 code",
                             hint="write country:POL, POL or a full IRI")
            return None
        refs.append((iri, name, origin, _WHAT.get(prop, "value")))
        return URIRef(iri)
    if dt == "boolean":
        if v.lower() not in ("true", "false"):
            problems.add(here, f"'{v}' is not true or false", hint="write true or false")
            return None
        return Literal(v.lower() == "true")
    if dt == "integer":
        if not re.fullmatch(r"\d+", v):
            problems.add(here, f"'{v}' is not a whole number", hint="write digits only, e.g. 650")
            return None
        return Literal(int(v))
    if dt == "date":
        lit = Literal(v, datatype=URIRef(XSD + "date"))
        why = _ill_formed(lit) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else f"'{v}' is not a day"
        if why:
            problems.add(here, why, hint="write the day as YYYY-MM-DD, e.g. 2025-01-31")
            return None
        return lit
    if col.get("lang"):
        return Literal(v, lang=col["lang"])
    return Literal(v)


def _iso_codes(g: Graph) -> dict[str, str]:
    from rdflib import URIRef

    return {str(o): str(s) for s, o in g.subject_objects(URIRef(DD + "iso3"))}


# --- Single-valued properties --------------------------------------------------------------------

def single_valued(ontology_and_shapes: Graph, data: Graph) -> dict[str, set[Any] | None]:
    """Properties that take one value: property IRI -> the nodes of ``data``
    for which it is single-valued (None: for every node, owl:FunctionalProperty).
    From ``sh:maxCount 1`` on a property shape with an IRI path, for the focus
    nodes of its own targets and of the node shapes that hold it."""
    from rdflib import OWL, RDF, RDFS, URIRef

    g = ontology_and_shapes
    out: dict[str, set[Any] | None] = {str(p): None for p in g.subjects(RDF.type, OWL.FunctionalProperty)}
    sh = {n: URIRef(SH + n) for n in ("path", "maxCount", "property", "targetClass", "targetNode",
                                       "targetSubjectsOf", "targetObjectsOf")}

    def focus(shape: Any) -> set[Any]:
        nodes: set[Any] = set(g.objects(shape, sh["targetNode"]))
        for c in g.objects(shape, sh["targetClass"]):
            for sub in data.transitive_subjects(RDFS.subClassOf, c):
                nodes |= set(data.subjects(RDF.type, sub))
        for p in g.objects(shape, sh["targetSubjectsOf"]):
            nodes |= set(data.subjects(p, None))
        for p in g.objects(shape, sh["targetObjectsOf"]):
            nodes |= set(data.objects(None, p))
        return nodes

    for ps, n in g.subject_objects(sh["maxCount"]):
        path = g.value(ps, sh["path"])
        if not isinstance(path, URIRef) or str(n) != "1":
            continue
        if out.get(str(path), set()) is None:
            continue
        nodes = focus(ps)
        for holder in g.subjects(sh["property"], ps):
            nodes |= focus(holder)
        current = out.setdefault(str(path), set())
        assert current is not None
        current |= nodes
    return out


def _check_single_values(out: Additions, bundled: Graph, shapes: Graph | None,
                         places: dict[Any, Origin], texts: dict[Path, str], problems: _Problems) -> None:
    """No second value of a single-valued property on a bundled record."""
    from .parsing import merged

    if shapes is None:
        return
    from rdflib import URIRef

    rules = single_valued(merged(shapes, bundled), bundled)
    for s, p, o in out.triples:
        if not isinstance(s, URIRef) or str(p) not in rules:
            continue
        nodes = rules[str(p)]
        if nodes is not None and s not in nodes:
            continue
        have = [v for v in bundled.objects(s, p) if v != o]
        if not have:
            continue
        origin = places.get((s, p, o)) or out.origins.get(str(s))
        if origin is None:
            where = "?"
        elif origin.line:
            where = origin.where(str(p))
        else:
            where = Origin(origin.file, _line_of(texts.get(origin.file, ""), s, o)).where()
        problems.add(where, f"<{s}> already has {_curie(str(p))} {_show(have[0])} in the bundled graph; "
                            f"this file gives it a second value {_show(o)}, and {_curie(str(p))} takes one "
                            "value", hint="drop the statement, or describe a record of your own under "
                                          "your namespace (and say how it differs in a note)")


def _show(term: Any) -> str:
    from rdflib import Literal

    return f'"{term}"' if isinstance(term, Literal) else _curie(str(term))


# --- Naming the user's row and column in a validation report -------------------------------------

def locate(violation: Violation, additions: Additions) -> str | None:
    """The user's file, row or line, and column where a violation's record is described."""
    focus = violation.focus
    iri = focus[1:-1] if focus.startswith("<") else _uncurie(focus)
    origin = additions.origins.get(iri)
    if origin is None:
        return None
    path = violation.path
    if not path:   # a rule in sh:or has no result path: its message names the property
        m = re.search(r"\((\w+:\w+)\b", violation.message)
        path = m[1] if m else None
    return origin.where(_uncurie(path) if path else None)


def _uncurie(text: str) -> str:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    prefix, sep, local = text.partition(":")
    return PREFIXES[prefix] + local if sep and prefix in PREFIXES else text


def report_text(report: ValidationReport, additions: Additions | None) -> str:
    """The validation report, each violation of a user record preceded by
    where the user wrote it (file, row, column)."""
    if report.conforms or not additions:
        return report.text()
    lines = [f"invalid: {len(report.violations)} violation(s)"]
    for v in report.violations:
        where = locate(v, additions)
        lines.append(f"  {where}: {v}" if where else f"  {v}")
    return "\n".join(lines)


__all__ = ["Additions", "Origin", "TEMPLATES", "locate", "read_additions", "report_text",
           "single_valued", "template_csv", "template_metadata", "user_files"]
