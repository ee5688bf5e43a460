"""The codebook of the CSV tables, generated so that it never drifts from them.

``write_codebook(kg, out_dir)`` writes ``codebook.md`` and ``index.html`` (one
self-contained page: no script, no stylesheet or font from elsewhere) with,
for every table of ``kgraph tables`` and every column of its CSVW metadata:

- the ontology term the column maps to (its IRI, English and Japanese label
  and definition, read from the ontology in the store), its datatype and, for
  a column limited to a closed list, the allowed values with their labels and
  how often each occurs;
- its coverage (non-empty cells, count and share) and, where it is partial,
  its coverage by decade;
- per table, a histogram of the records by year or decade, the precision of
  their dates, and its known gaps and the report's inconsistencies: notes the
  curators opened with a marker, records whose administration as the report
  names it is not the one in office on their date, and the curated issues of
  ``codebook-notes.ttl`` (each with its records and source).

The set (with ``CITATION.cff`` and ``LICENSE-DATA`` beside it) is written as a
whole (``kgraph.outputset``).  Every query runs through Oxigraph.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KgraphError
from .prefixes import DD, PART_GRAPHS, PREFIXES

if TYPE_CHECKING:
    from .build import KnowledgeGraph
    from .tables import Column, TableSpec

NOTES_FILE = Path(__file__).with_name("codebook-notes.ttl")
CB = "https://w3id.org/defdip/codebook#"
_DATE_SUFFIX = "_earliest"


@dataclass
class Term:
    """What the ontology (or, for a borrowed term, the notes file) says about an IRI."""

    iri: str
    label_en: str = ""
    label_ja: str = ""
    definition_en: str = ""
    definition_ja: str = ""
    defined_by: str = ""


@dataclass
class Value:
    iri: str
    label_en: str
    label_ja: str
    count: int


@dataclass
class Variable:
    name: str
    datatype: str
    term: Term | None
    lang: str | None
    many: bool
    scheme: str | None
    allowed: list[Value]
    distinct: int
    filled: int
    total: int
    by_decade: list[tuple[str, int, int]]   # (bucket, filled, records) where coverage is partial

    @property
    def share(self) -> float:
        return self.filled / self.total if self.total else 0.0


@dataclass
class Issue:
    kind: str            # "inconsistency" or "gap"
    text: str
    records: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    origin: str = ""     # where the codebook found it


@dataclass
class TableDoc:
    name: str
    title: str
    record_class: Term
    selection: str
    rows: int
    histogram: list[tuple[str, int]]
    precisions: list[tuple[str, int]]
    variables: list[Variable]
    issues: list[Issue]


# --- reading ---------------------------------------------------------------------------

def curie(iri: str) -> str:
    """A CURIE with the project's prefixes (the longest namespace wins), else the IRI.

    >>> curie("https://w3id.org/defdip/id/concept/role-combat"), curie("https://example.org/x")
    ('concept:role-combat', 'https://example.org/x')
    """
    best = ""
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = p
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def _str(term: Any) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def _terms(kg: KnowledgeGraph, iris: set[str], notes: Any) -> dict[str, Term]:
    """Labels and definitions of ``iris`` from the ontology's own graph; for terms of
    other vocabularies, from the notes file."""
    out = {i: Term(i) for i in iris}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    q = f"""SELECT ?t ?p ?o WHERE {{ VALUES ?t {{ {values} }}
      GRAPH <{PART_GRAPHS['ontology']}> {{ ?t ?p ?o }}
      FILTER(?p IN (rdfs:label, skos:definition, rdfs:comment, rdfs:isDefinedBy)) }}"""
    rows = [(_str(t), _str(p), o) for t, p, o in kg.ox.query(q).rows]
    q2 = f"""SELECT ?t ?p ?o WHERE {{ VALUES ?t {{ {values} }} ?t ?p ?o
      FILTER(?p IN (<{CB}codebookLabel>, <{CB}codebookDefinition>, rdfs:isDefinedBy)) }}"""
    rows += [(_str(t), _str(p), o) for t, p, o in notes.query(q2, prefixes=PREFIXES)]
    for t, p, o in sorted(rows, key=lambda r: (r[0], r[1], _str(r[2]))):
        term, lang = out[t], getattr(o, "language", None) or ""
        if p.endswith("isDefinedBy"):
            term.defined_by = term.defined_by or _str(o)
            continue
        slot = "label" if p.endswith(("label", "codebookLabel")) else "definition"
        if lang in ("en", "ja"):
            attr = f"{slot}_{lang}"
            # skos:definition before rdfs:comment: the first one found in that order wins.
            if not getattr(out[t], attr) or p.endswith("definition"):
                setattr(term, attr, _str(o))
    return out


def _scheme_values(kg: KnowledgeGraph, scheme: str) -> list[tuple[str, str, str]]:
    q = f"""SELECT ?c (SAMPLE(?en) AS ?len) (SAMPLE(?ja) AS ?lja) WHERE {{
      {{ ?c skos:inScheme <{scheme}> }} UNION {{ <{scheme}> skos:hasTopConcept ?c }}
      OPTIONAL {{ ?c skos:prefLabel|rdfs:label ?en FILTER(LANG(?en) = "en") }}
      OPTIONAL {{ ?c skos:prefLabel|rdfs:label ?ja FILTER(LANG(?ja) = "ja") }}
    }} GROUP BY ?c ORDER BY ?c"""
    return [(_str(c), _str(en), _str(ja)) for c, en, ja in kg.ox.query(q).rows]


def _labels(kg: KnowledgeGraph, iris: list[str]) -> dict[str, tuple[str, str]]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    q = f"""SELECT ?c (SAMPLE(?en) AS ?len) (SAMPLE(?ja) AS ?lja) WHERE {{ VALUES ?c {{ {values} }}
      OPTIONAL {{ ?c rdfs:label ?en FILTER(LANG(?en) = "en") }}
      OPTIONAL {{ ?c rdfs:label ?ja FILTER(LANG(?ja) = "ja") }} }} GROUP BY ?c"""
    return {_str(c): (_str(en), _str(ja)) for c, en, ja in kg.ox.query(q).rows}


def _notes_store() -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    try:
        store.load(NOTES_FILE.read_bytes(), ox.RdfFormat.TURTLE, base_iri=CB)
    except (OSError, SyntaxError) as exc:
        raise KgraphError(f"{NOTES_FILE}: cannot read the codebook's notes: {exc}",
                          hint="fix the Turtle syntax at the line named") from exc
    return store


def _bucket(day: str, by_year: bool) -> str:
    year = int(day[:4])
    return str(year) if by_year else f"{year // 10 * 10}s"


# --- issues ----------------------------------------------------------------------------

def _kind(iri: str) -> str:
    return "inconsistency" if iri == CB + "Inconsistency" else "gap"


def _marked_notes(kg: KnowledgeGraph, notes: Any, records: list[str]) -> list[Issue]:
    markers = [(_str(p), _kind(_str(k))) for p, k in notes.query(
        f"SELECT ?p ?k WHERE {{ ?m a <{CB}NoteMarker> ; <{CB}prefix> ?p ; <{CB}kind> ?k }} ORDER BY ?p")]
    if not records or not markers:
        return []
    values = " ".join(f"<{r}>" for r in records)
    q = f"""SELECT ?r ?n WHERE {{ VALUES ?r {{ {values} }} ?r dd:note ?n
      FILTER(LANG(?n) = "en") }} ORDER BY ?r ?n"""
    gaps: dict[str, list[str]] = {}
    out = []
    for r, n in kg.ox.query(q).rows:
        text = _str(n)
        for prefix, kind in markers:
            if text.startswith(prefix):
                if kind == "inconsistency":
                    out.append(Issue(kind, text, [_str(r)], origin=f"the record's note ({prefix})"))
                else:
                    gaps.setdefault(prefix, []).append(_str(r))
    for prefix, recs in sorted(gaps.items()):
        out.append(Issue("gap", f"{prefix.rstrip(':')}: {len(recs)} record(s); each says why in its note.",
                         recs, origin=f"the records' notes ({prefix})"))
    return out


def _stated_vs_derived(rows: list[dict[str, str]], labels: dict[str, tuple[str, str]]) -> list[Issue]:
    """Records whose administration as the report names it could not have been in office
    on their date (neither the derived one nor, for a date that straddles a change, a
    possible one)."""
    out = []
    for r in rows:
        stated, derived = r.get("stated_administration", ""), r.get("administration", "")
        possible = {derived, *r.get("possible_administrations", "").split()} - {""}
        if not stated or stated in possible:
            continue
        name = labels.get(r["iri"], ("", ""))[0] or curie(r["iri"])
        in_office = " or ".join(labels.get(a, ("", ""))[0] or curie(a) for a in sorted(possible))
        out.append(Issue(
            "inconsistency",
            f"{name} ({r.get('date_as_printed', '')}): the report names the "
            f"{labels.get(stated, ('', ''))[0] or curie(stated)}, but on that date the {in_office} was in "
            "office. Both are kept (stated_administration, administration).",
            [r["iri"], stated, *sorted(possible)],
            origin="computed: stated_administration is not the administration in office"))
    return out


def _holds_bundled_graph(kg: KnowledgeGraph) -> bool:
    """Whether ``kg`` was built from (at least) the bundled data files."""
    from .data import bundled

    built = {Path(f).resolve() for f in kg.files}
    return bool(built) and all(f.resolve() in built for f in bundled().graph)


def _curated(kg: KnowledgeGraph, notes: Any, table: str, strict: bool) -> list[Issue]:
    """The curated issues of ``table``.  On the bundled graph every IRI they name must
    exist (an IRI that changed is an error, so the list cannot drift); on a graph of the
    user's own (``--data``), an issue about records it does not hold is left out."""
    q = f"""SELECT ?i ?k ?c (GROUP_CONCAT(DISTINCT STR(?r); SEPARATOR=" ") AS ?recs)
                   (GROUP_CONCAT(DISTINCT STR(?s); SEPARATOR=" ") AS ?srcs) WHERE {{
      ?i a <{CB}KnownIssue> ; <{CB}table> "{table}" ; <{CB}kind> ?k ; rdfs:comment ?c .
      FILTER(LANG(?c) = "en")
      OPTIONAL {{ ?i <{CB}record> ?r }} OPTIONAL {{ ?i prov:wasDerivedFrom ?s }}
    }} GROUP BY ?i ?k ?c ORDER BY ?i"""
    out = []
    for _i, k, c, recs, srcs in notes.query(q, prefixes=PREFIXES):
        records, sources = sorted(_str(recs).split()), sorted(_str(srcs).split())
        missing = [i for i in records + sources
                   if not kg.ox.query(f"ASK {{ <{i}> ?p ?o }}").answer]
        if missing and strict:
            raise KgraphError(f"{NOTES_FILE}: {table}: no such resource in the graph: {', '.join(missing)}",
                              hint="an IRI of the graph changed: correct the curated issue")
        if not missing:
            out.append(Issue(_kind(_str(k)), _str(c), records, sources,
                             origin="curated (codebook-notes.ttl)"))
    return out


def _known_tables(notes: Any, names: set[str]) -> None:
    """Every curated issue names a table kgraph writes, a kind and a remark in English:
    one that does not would silently vanish from the codebook."""
    q = f"""SELECT ?i ?t ?k (SAMPLE(?c) AS ?en) WHERE {{ ?i a <{CB}KnownIssue> .
      OPTIONAL {{ ?i <{CB}table> ?t }} OPTIONAL {{ ?i <{CB}kind> ?k }}
      OPTIONAL {{ ?i rdfs:comment ?c FILTER(LANG(?c) = "en") }} }} GROUP BY ?i ?t ?k ORDER BY ?i"""
    for i, t, k, c in notes.query(q, prefixes=PREFIXES):
        where = f"{NOTES_FILE}: {curie(_str(i)).replace(CB, 'cb:')}"
        if t is None or k is None or c is None:
            raise KgraphError(f"{where}: an issue needs cb:table, cb:kind and an English rdfs:comment",
                              hint="add the missing statement to the issue's block")
        if _str(t) not in names:
            raise KgraphError(f"{where}: names the table '{_str(t)}', which kgraph tables does not write",
                              hint=f"one of: {', '.join(sorted(names))}")
        if _str(k) not in (CB + "Inconsistency", CB + "Gap"):
            raise KgraphError(f"{where}: cb:kind must be cb:Inconsistency or cb:Gap, not {_str(k)}",
                              hint="correct the issue's cb:kind")


# --- the model -------------------------------------------------------------------------

def _rows(kg: KnowledgeGraph, spec: TableSpec) -> list[dict[str, str]]:
    from .tables import table_csv

    return list(csv.DictReader(io.StringIO(table_csv(kg, spec))))


def _datatype(col: dict[str, Any]) -> str:
    dt = col.get("datatype", "string")
    return str(dt["base"]) if isinstance(dt, dict) else str(dt)


def build_codebook(kg: KnowledgeGraph) -> tuple[list[TableDoc], dict[str, Any]]:
    """The codebook's content: one TableDoc per table of the CSVW metadata, in its order."""
    from .tables import TABLES, metadata

    meta = metadata()
    specs = {s.name: s for s in TABLES}
    notes = _notes_store()
    _known_tables(notes, set(specs))
    iris = {t["dc:type"] for t in meta["tables"]}
    iris |= {c["propertyUrl"] for t in meta["tables"] for c in t["tableSchema"]["columns"]
             if "propertyUrl" in c}
    terms = _terms(kg, iris, notes)
    strict = _holds_bundled_graph(kg)
    docs = [_table_doc(kg, notes, terms, table, specs[table["url"].removesuffix(".csv")], strict)
            for table in meta["tables"]]
    return docs, meta


def _table_doc(kg: KnowledgeGraph, notes: Any, terms: dict[str, Term], table: dict[str, Any],
               spec: TableSpec, strict: bool) -> TableDoc:
    rows = _rows(kg, spec)
    n = len(rows)
    date_col = next((c.name for c in spec.columns if c.name.endswith(_DATE_SUFFIX)), None)
    days = [r[date_col] for r in rows if date_col and r[date_col]]
    years = sorted({int(d[:4]) for d in days})
    # A table spanning a few years reads better by year; the others by decade.
    by_year = bool(years) and years[-1] - years[0] < 15
    histogram = sorted(Counter(_bucket(d, by_year) for d in days).items())
    if date_col and n > len(days):
        histogram.append(("no date", n - len(days)))
    names = [c.name for c in spec.columns]
    prec_col = "period_precision" if "period_precision" in names else next(
        (c for c in names if c.endswith("_precision")), None)
    precisions = sorted(Counter(r[prec_col].removeprefix(DD).removesuffix("Precision") or "none"
                                for r in rows).items()) if prec_col else []
    by_name = {c.name: c for c in spec.columns}
    variables = [_variable(kg, terms, col, by_name.get(col["name"]), rows, date_col, by_year)
                 for col in table["tableSchema"]["columns"]]
    keys = ("iri", "stated_administration", "administration", "possible_administrations")
    labels = _labels(kg, sorted({v for r in rows for k in keys for v in r.get(k, "").split()}))
    issues = (_marked_notes(kg, notes, [r["iri"] for r in rows]) + _stated_vs_derived(rows, labels)
              + _curated(kg, notes, spec.name, strict))
    issues.sort(key=lambda i: i.kind != "inconsistency")   # stable: the report's contradictions first
    return TableDoc(spec.name, table["dc:title"], terms[table["dc:type"]], spec.where, n, histogram,
                    precisions, variables, issues)


def _variable(kg: KnowledgeGraph, terms: dict[str, Term], col: dict[str, Any], c: Column | None,
              rows: list[dict[str, str]], date_col: str | None, by_year: bool) -> Variable:
    name, n = col["name"], len(rows)
    cells = [r[name] for r in rows]
    filled = sum(1 for v in cells if v)
    found = Counter(x for v in cells for x in (v.split() if c is not None and c.many else [v]) if x)
    allowed: list[Value] = []
    if c is not None and (c.only or c.scheme):
        if c.scheme:
            listed = _scheme_values(kg, c.scheme)
        else:
            lab = _labels(kg, list(c.only))
            listed = [(i, *lab.get(i, ("", ""))) for i in c.only]
        allowed = [Value(i, en, ja, found.get(i, 0)) for i, en, ja in listed]
    elif _datatype(col) == "boolean":
        allowed = [Value(v, "", "", found.get(v, 0)) for v in ("true", "false")]
    by_decade: list[tuple[str, int, int]] = []
    if date_col and 0 < filled < n:
        tot: Counter[str] = Counter()
        got: Counter[str] = Counter()
        for r in rows:
            b = _bucket(r[date_col], by_year) if r[date_col] else "no date"
            tot[b] += 1
            got[b] += bool(r[name])
        by_decade = [(b, got[b], tot[b]) for b in sorted(tot)]
    return Variable(name, _datatype(col), terms.get(col.get("propertyUrl", "")), col.get("lang"),
                    "separator" in col, col.get("dc:conformsTo"), allowed, len(found), filled, n, by_decade)


# --- rendering ---------------------------------------------------------------------------

def _cite(citation: Path) -> tuple[str, str]:
    """One-line citations of the dataset and of the report, read from CITATION.cff
    (its top level, and its ``references`` entry of type report)."""
    text = citation.read_text(encoding="utf-8") if citation.is_file() else ""
    head, _, report = text.partition("- type: report")

    def get(block: str, key: str) -> str:
        m = re.search(rf"^\s*(?:- )?{key}:\s*\"?(.*?)\"?\s*$", block, flags=re.M)
        return m.group(1) if m else ""

    data = ", ".join(x for x in (get(head, "name"), get(head, "title"),
                                 f"version {get(head, 'version')}" if get(head, "version") else "",
                                 get(head, "url")) if x)
    if not report:
        return data, ""
    author = " ".join(x for x in (get(report, "family-names"), get(report, "given-names")) if x)
    if get(report, "alias"):
        author += f" ({get(report, 'alias')})"
    abstract = re.search(r"abstract: >-\n((?:\s{6,}.*\n)+)", report)
    english = " ".join(abstract.group(1).split()).rstrip(".") if abstract else ""
    parts = (author, get(report, "title") + (f" [{english}]" if english else ""),
             get(report, "name"), get(report, "year"), get(report, "url"))
    return data, ", ".join(x for x in parts if x)


def _coverage(v: Variable) -> str:
    distinct = f"; {v.distinct} distinct values" if v.many or v.datatype == "anyURI" else ""
    return f"{v.filled} of {v.total} ({100 * v.share:.1f}%){distinct}"


def _bar(n: int, most: int, width: int = 20) -> str:
    return "█" * max(1, round(width * n / most)) if n else ""


def _term_heading(v: Variable) -> tuple[str, str]:
    t = v.term
    if v.name == "iri":
        return "the record's IRI", "記録のIRI"
    return (t.label_en if t else ""), (t.label_ja if t else "")


def dataset_version(kg: KnowledgeGraph) -> str:
    """The ontology's owl:versionInfo: the dataset's version."""
    q = f"""SELECT ?v WHERE {{ GRAPH <{PART_GRAPHS['ontology']}> {{
              ?o a owl:Ontology ; owl:versionInfo ?v }} }} ORDER BY ?v LIMIT 1"""
    rows = kg.ox.query(q).rows
    return _str(rows[0][0]) if rows else ""


def render_markdown(docs: list[TableDoc], meta: dict[str, Any], citation: Path, version: str = "") -> str:
    data_cite, report_cite = _cite(citation)
    out = ["# Codebook: South Korea's defence diplomacy, records as tables", "",
           "コードブック：韓国の防衛外交（表形式の記録）", "",
           "Generated by `kgraph codebook` from the ontology and the CSV on the Web metadata "
           "(`csv-metadata.json`) of `kgraph tables`: every column below is a column of a CSV file, "
           "with the ontology term it maps to." + (f" Dataset version {version}." if version else ""), "",
           f"Licence of the data: {meta['dc:license']} (CC BY 4.0, `LICENSE-DATA`); code: MIT.", "",
           "## How to cite", "", f"- The dataset: {data_cite}.",
           *([f"- The report it is built from: {report_cite}."] if report_cite else []),
           "", "The full citation metadata is in `CITATION.cff` beside this file.", "", "## Tables", ""]
    out += [f"- [{d.name}.csv](#{d.name}): {d.title} ({d.rows} rows)" for d in docs]
    for d in docs:
        out += ["", f"## {d.name}", "", f"**{d.title}**. File `{d.name}.csv`, {d.rows} rows, one per "
                f"`{curie(d.record_class.iri)}` ({d.record_class.label_en})"
                + (f" with `{_shorten(d.selection)}`" if d.selection else "") + ".", ""]
        if d.record_class.label_ja:
            out += [d.record_class.label_ja, ""]
        if d.record_class.definition_en:
            out += [d.record_class.definition_en, ""]
        if d.record_class.definition_ja:
            out += [d.record_class.definition_ja, ""]
        if d.histogram:
            most = max(c for _, c in d.histogram)
            out += ["Records by " + ("year" if d.histogram[0][0][-1] != "s" else "decade") + ":", "",
                    "| period | records | |", "|---|--:|---|"]
            out += [f"| {b} | {c} | {_bar(c, most)} |" for b, c in d.histogram]
            out += [""]
        else:
            out += ["The records carry no date of their own.", ""]
        if d.precisions:
            out += ["Precision of the dates: " + ", ".join(f"{p} {c}" for p, c in d.precisions) + ".", ""]
        out += ["### Known gaps and inconsistencies", ""]
        if not d.issues:
            out += ["None found in the data or the curated notes.", ""]
        for i in d.issues:
            recs = ", ".join(f"`{curie(r)}`" for r in i.records)
            srcs = ", ".join(f"`{curie(s)}`" for s in i.sources)
            out += [f"- **{i.kind}**: {i.text}" + (f" Records: {recs}." if recs else "")
                    + (f" Source: {srcs}." if srcs else "") + f" _(found in {i.origin})_"]
        out += ["", "### Variables", "", "| column | term | datatype | coverage |", "|---|---|---|--:|"]
        out += [f"| [`{v.name}`](#{d.name}-{v.name}) | "
                + (f"`{curie(v.term.iri)}`" if v.term else "") + f" | `{v.datatype}` | {100 * v.share:.0f}% |"
                for v in d.variables]
        out += [""]
        for v in d.variables:
            en, ja = _term_heading(v)
            out += [f'<a id="{d.name}-{v.name}"></a>', "",
                    f"#### `{v.name}`" + (f": {en}" if en else ""), ""]
            if ja:
                out += [ja, ""]
            out += _md_variable(v)
    return "\n".join(out).rstrip() + "\n"


def _shorten(text: str) -> str:
    for p, ns in PREFIXES.items():
        text = re.sub(rf"<{re.escape(ns)}([^>]*)>", rf"{p}:\1", text)
    return text.replace("?record ", "").rstrip(" .")


def _md_variable(v: Variable) -> list[str]:
    t = v.term
    lines = []
    if t is not None:
        lines.append(f"- Term: `{curie(t.iri)}` <{t.iri}>"
                     + (f" (defined in {t.defined_by})" if t.defined_by and not t.iri.startswith(DD) else ""))
    elif v.name == "iri":
        lines.append("- Term: none; the CSVW `aboutUrl` of each row (`{+iri}`), the table's primary key")
    lines.append(f"- Datatype: `{v.datatype}`" + (f", language `{v.lang}`" if v.lang else "")
                 + (", several values separated by a space" if v.many else ""))
    lines.append(f"- Coverage: {_coverage(v)}")
    if v.by_decade:
        lines.append("- Coverage by period: " + " · ".join(f"{b} {g}/{n}" for b, g, n in v.by_decade))
    out = lines + [""]
    if t is not None and t.definition_en:
        out += [t.definition_en, ""]
    if t is not None and t.definition_ja:
        out += [t.definition_ja, ""]
    if v.allowed:
        head = (f"Allowed values (concept scheme `{curie(v.scheme)}`):" if v.scheme else "Allowed values:")
        out += [head, "", "| value | label | ラベル | rows |", "|---|---|---|--:|"]
        out += [f"| `{curie(a.iri)}` | {a.label_en} | {a.label_ja} | {a.count} |" for a in v.allowed]
        out += [""]
    return out


_CSS = """
:root { --ink: #1d232a; --muted: #5b6570; --line: #d8dde3; --accent: #1f5f99; --soft: #f3f6f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP", sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { margin-top: 2.5rem; border-bottom: 2px solid var(--line); }
h3 { margin-top: 1.6rem; } h4 { margin: 1.4rem 0 .1rem; font-size: 1.02rem; }
.ja { color: var(--muted); margin: 0 0 .4rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; background: var(--soft);
  padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .7rem; background: var(--accent); border-radius: 2px; }
.var { border-left: 3px solid var(--line); padding-left: .9rem; margin: 1rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .3rem 0; }
dt { color: var(--muted); } dd { margin: 0; }
.issue { margin: .4rem 0; } .kind { font-weight: 600; text-transform: uppercase; font-size: .78rem;
  letter-spacing: .03em; padding: .05rem .35rem; border-radius: 3px; background: #fde8d7; color: #8a3b00; }
.kind.gap { background: #e4eef8; color: #1f4f80; } .origin { color: var(--muted); font-size: .85rem; }
nav ul { columns: 2; } pre { background: var(--soft); padding: .7rem; overflow-x: auto; font-size: .85rem; }
"""


def render_html(docs: list[TableDoc], meta: dict[str, Any], citation: Path, version: str = "") -> str:
    e = html.escape
    data_cite, report_cite = _cite(citation)
    cff = citation.read_text(encoding="utf-8") if citation.is_file() else ""
    p: list[str] = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Codebook: South Korea's defence diplomacy, records as tables</title>",
        f"<style>{_CSS}</style>", "</head>", "<body>", "<main>",
        "<h1>Codebook: South Korea's defence diplomacy, records as tables</h1>",
        '<p class="ja" lang="ja">コードブック：韓国の防衛外交（表形式の記録）</p>',
        "<p>Generated by <code>kgraph codebook</code> from the ontology and the CSV on the Web metadata "
        "(<code>csv-metadata.json</code>) of <code>kgraph tables</code>: every column below is a column of "
        "a CSV file, with the ontology term it maps to."
        + (f" Dataset version {e(version)}." if version else "") + "</p>",
        f"<p>Licence of the data: <code>{e(meta['dc:license'])}</code> (CC BY 4.0, "
        '<a href="LICENSE-DATA">LICENSE-DATA</a>); code: MIT.</p>',
        '<h2 id="cite">How to cite</h2>', "<ul>", f"<li>The dataset: {e(data_cite)}.</li>",
        *([f"<li>The report it is built from: {e(report_cite)}.</li>"] if report_cite else []),
        "</ul>", '<details><summary>The full citation metadata '
        '(<a href="CITATION.cff">CITATION.cff</a>)</summary>', f"<pre>{e(cff)}</pre></details>",
        '<nav><h2 id="tables">Tables</h2><ul>',
        *(f'<li><a href="#{e(d.name)}">{e(d.name)}.csv</a>: {e(d.title)} ({d.rows} rows)</li>' for d in docs),
        "</ul></nav>"]
    for d in docs:
        p += _html_table(d)
    p += ["</main>", "</body>", "</html>"]
    return "\n".join(p) + "\n"


def _html_table(d: TableDoc) -> list[str]:
    e = html.escape
    rc = d.record_class
    p = [f'<section id="{e(d.name)}">', f"<h2>{e(d.name)}.csv</h2>", f"<p><strong>{e(d.title)}</strong>. "
         f"{d.rows} rows, one per <code>{e(curie(rc.iri))}</code> ({e(rc.label_en)})"
         + (f" with <code>{e(_shorten(d.selection))}</code>" if d.selection else "") + ".</p>"]
    if rc.label_ja:
        p.append(f'<p class="ja" lang="ja">{e(rc.label_ja)}</p>')
    if rc.definition_en:
        p.append(f"<p>{e(rc.definition_en)}</p>")
    if rc.definition_ja:
        p.append(f'<p class="ja" lang="ja">{e(rc.definition_ja)}</p>')
    if d.histogram:
        most = max(c for _, c in d.histogram)
        unit = "year" if d.histogram[0][0][-1] != "s" else "decade"
        p += [f"<table><caption>Records by {unit}</caption><tr><th>period</th><th>records</th><th></th></tr>"]
        p += [f'<tr><td>{e(b)}</td><td class="n">{c}</td><td><span class="bar" '
              f'style="width:{max(2, round(160 * c / most))}px"></span></td></tr>' for b, c in d.histogram]
        p += ["</table>"]
    else:
        p.append("<p>The records carry no date of their own.</p>")
    if d.precisions:
        p.append("<p>Precision of the dates: " + ", ".join(f"{e(k)} {c}" for k, c in d.precisions) + ".</p>")
    p.append(f'<h3 id="{e(d.name)}-issues">Known gaps and inconsistencies</h3>')
    if not d.issues:
        p.append("<p>None found in the data or the curated notes.</p>")
    for i in d.issues:
        recs = ", ".join(f"<code>{e(curie(r))}</code>" for r in i.records)
        srcs = ", ".join(f"<code>{e(curie(s))}</code>" for s in i.sources)
        p.append(f'<p class="issue"><span class="kind {e(i.kind)}">{e(i.kind)}</span> {e(i.text)}'
                 + (f" Records: {recs}." if recs else "") + (f" Source: {srcs}." if srcs else "")
                 + f' <span class="origin">(found in {e(i.origin)})</span></p>')
    p.append(f'<h3 id="{e(d.name)}-variables">Variables</h3>')
    p.append("<table><tr><th>column</th><th>term</th><th>datatype</th><th>coverage</th></tr>")
    for v in d.variables:
        term = f"<code>{e(curie(v.term.iri))}</code>" if v.term else ""
        p.append(f'<tr><td><a href="#{e(d.name)}-{e(v.name)}"><code>{e(v.name)}</code></a></td><td>{term}'
                 f'</td><td><code>{e(v.datatype)}</code></td><td class="n">{100 * v.share:.0f}%</td></tr>')
    p.append("</table>")
    for v in d.variables:
        p += _html_variable(d.name, v)
    p.append("</section>")
    return p


def _html_variable(table: str, v: Variable) -> list[str]:
    e = html.escape
    t = v.term
    en, ja = _term_heading(v)
    p = [f'<div class="var" id="{e(table)}-{e(v.name)}">',
         f"<h4><code>{e(v.name)}</code>" + (f": {e(en)}" if en else "") + "</h4>"]
    if ja:
        p.append(f'<p class="ja" lang="ja">{e(ja)}</p>')
    p.append("<dl>")
    if t is not None:
        p.append(f"<dt>term</dt><dd><code>{e(curie(t.iri))}</code> <code>{e(t.iri)}</code>"
                 + (f" (defined in <code>{e(t.defined_by)}</code>)"
                    if t.defined_by and not t.iri.startswith(DD) else "") + "</dd>")
    elif v.name == "iri":
        p.append("<dt>term</dt><dd>none: the CSVW <code>aboutUrl</code> of each row, the primary key</dd>")
    p.append(f"<dt>datatype</dt><dd><code>{e(v.datatype)}</code>" + (f", language <code>{e(v.lang)}</code>"
             if v.lang else "") + (", several values separated by a space" if v.many else "") + "</dd>")
    p.append(f"<dt>coverage</dt><dd>{_coverage(v)}</dd>")
    if v.by_decade:
        spread = " · ".join(f"{e(b)} {g}/{n}" for b, g, n in v.by_decade)
        p.append(f"<dt>by period</dt><dd>{spread}</dd>")
    p.append("</dl>")
    if t is not None and t.definition_en:
        p.append(f"<p>{e(t.definition_en)}</p>")
    if t is not None and t.definition_ja:
        p.append(f'<p class="ja" lang="ja">{e(t.definition_ja)}</p>')
    if v.allowed:
        cap = (f"Allowed values (concept scheme <code>{e(curie(v.scheme))}</code>)" if v.scheme
               else "Allowed values")
        p += [f"<table><caption>{cap}</caption><tr><th>value</th><th>label</th>"
              '<th lang="ja">ラベル</th><th>rows</th></tr>']
        p += [f'<tr><td><code>{e(curie(a.iri))}</code></td><td>{e(a.label_en)}</td>'
              f'<td lang="ja">{e(a.label_ja)}</td><td class="n">{a.count}</td></tr>' for a in v.allowed]
        p.append("</table>")
    p.append("</div>")
    return p


def fill_codebook(kg: KnowledgeGraph, folder: Path) -> list[str]:
    """Write the codebook's files into an existing ``folder``; return their names.
    For a writer that makes a larger set of its own (the static site); others use
    :func:`write_codebook`."""
    from .data import citation_file

    docs, meta = build_codebook(kg)
    citation = citation_file()
    version = dataset_version(kg)
    folder = Path(folder)
    names = ["codebook.md", "index.html"]
    (folder / "codebook.md").write_text(render_markdown(docs, meta, citation, version), encoding="utf-8")
    (folder / "index.html").write_text(render_html(docs, meta, citation, version), encoding="utf-8")
    for src in (citation, citation.parent / "LICENSE-DATA"):
        if src.is_file():
            (folder / src.name).write_bytes(src.read_bytes())
            names.append(src.name)
    return names


def write_codebook(kg: KnowledgeGraph, out_dir: Path) -> list[Path]:
    """Write ``codebook.md``, ``index.html``, ``CITATION.cff`` and ``LICENSE-DATA`` into
    ``out_dir`` as one set (``kgraph.outputset``); return the paths written."""
    from .outputset import write_set

    return [Path(out_dir) / n for n in write_set(Path(out_dir), lambda staging: fill_codebook(kg, staging))]


__all__ = ["build_codebook", "fill_codebook", "render_html", "render_markdown", "write_codebook"]
