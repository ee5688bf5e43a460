"""The records as CSV, one file per record type, described by W3C CSV on the Web.

``write_tables(kg, out)`` writes ``agreements.csv``, ``deployments.csv``, the
attaché offices (``attache-offices.csv``, and the cells of 図表8 in
``attache-decades.csv``), the 1950 UN Command (``un-command.csv``), the Vietnam
War (``vietnam-troops.csv``, ``vietnam-casualties.csv``), the white papers
(``white-papers.csv``, ``white-paper-sections.csv``), … and
``csv-metadata.json`` (CSVW), which names each column's datatype and the
ontology term it comes from (``propertyUrl``), so a researcher can load the
files into pandas, R or a spreadsheet and still know what every column means.
Each row has the record's IRI, its labels (en, ja, ko where the graph has
one), its reference date as printed with its precision and day bounds, the
administration it falls under, and its sources.  A column whose values come
from a closed list says so: the kinds of agreement as a ``format`` pattern the
validator checks, a SKOS concept scheme as ``dc:conformsTo``.  Values that can be several
(partners, participants, sources) are joined with a space, as the metadata's
``separator`` says.  The set is written as a whole (``kgraph.outputset``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .prefixes import DD, PREFIXES

if TYPE_CHECKING:
    from .build import KnowledgeGraph

PROV = PREFIXES["prov"]
RDFS = PREFIXES["rdfs"]
DCTERMS = PREFIXES["dcterms"]
CONCEPT = PREFIXES["concept"]
PRECISIONS = DD + "precisionScheme"


@dataclass(frozen=True)
class Column:
    """One column: its name, the SPARQL path from ``?record``, the CSVW datatype,
    the ontology term it maps to, and whether it can hold several values."""

    name: str
    path: str
    datatype: str
    property: str
    many: bool = False
    lang: str | None = None
    only: tuple[str, ...] = ()   # the values allowed (IRIs), e.g. the kinds of agreement
    scheme: str | None = None    # the SKOS concept scheme the values come from


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    record_class: str
    columns: tuple[Column, ...]
    where: str = ""   # a pattern on ?record that picks the table's records among its class


def _common(date_prop: str | None) -> tuple[Column, ...]:
    cols = [Column("label_en", "rdfs:label", "string", RDFS + "label", lang="en"),
            Column("label_ja", "rdfs:label", "string", RDFS + "label", lang="ja"),
            Column("label_ko", "rdfs:label", "string", RDFS + "label", lang="ko")]
    if date_prop:
        cols += [Column(f"{date_prop}_as_printed", f"dd:{date_prop}AsPrinted", "string",
                        DD + f"{date_prop}AsPrinted"),
                 Column(f"{date_prop}_precision", f"dd:{date_prop}Precision", "anyURI",
                        DD + f"{date_prop}Precision", scheme=PRECISIONS),
                 Column(f"{date_prop}_earliest", f"dd:{date_prop}Earliest", "date",
                        DD + f"{date_prop}Earliest"),
                 Column(f"{date_prop}_latest", f"dd:{date_prop}Latest", "date", DD + f"{date_prop}Latest")]
    return tuple(cols)


def _record_tail() -> tuple[Column, ...]:
    return (Column("administration", "dd:duringAdministration", "anyURI", DD + "duringAdministration"),
            Column("possible_administrations", "dd:possibleAdministration", "anyURI",
                   DD + "possibleAdministration", many=True),
            Column("sources", "prov:wasDerivedFrom", "anyURI", PROV + "wasDerivedFrom", many=True))


def _period() -> tuple[Column, ...]:
    """The record's reference period as a whole: for 図表8 a decade, which the
    start year alone (1950, at year precision) would understate."""
    return (Column("period_precision", "dd:precision", "anyURI", DD + "precision", scheme=PRECISIONS),
            Column("period_earliest", "dd:earliestDay", "date", DD + "earliestDay"),
            Column("period_latest", "dd:latestDay", "date", DD + "latestDay"))


def _end() -> tuple[Column, ...]:
    return (Column("endDate_as_printed", "dd:endDateAsPrinted", "string", DD + "endDateAsPrinted"),)


def _attache_direction() -> Column:
    return Column("direction", "dd:direction", "anyURI", DD + "direction",
                  scheme=CONCEPT + "attache-office-directions")


def _vietnam(column: str) -> tuple[Column, ...]:
    return (Column("service", "dd:service", "anyURI", DD + "service", scheme=CONCEPT + "military-services"),
            Column(column, f"dd:{column}", "integer", DD + column),
            Column("armed_forces_of", "dd:armedForcesOf", "anyURI", DD + "armedForcesOf"))


_VIETNAM = f"?record <{DD}conflict> <{PREFIXES['event']}vietnam-war> ."
_UN_COMMAND = f"?record <{DD}participationIn> <{PREFIXES['org']}un-command> ."

TABLES: tuple[TableSpec, ...] = (
    TableSpec("agreements", "Agreements (資料3, 資料4, 資料5)", DD + "Agreement", _common("signedOn") + (
        Column("kind", "a", "anyURI", PREFIXES["rdf"] + "type",
               only=(DD + "DefenseCooperationAgreement", DD + "MilitaryInformationAgreement",
                     DD + "DefenseIndustryAgreement")),
        Column("partners", "dd:partner", "anyURI", DD + "partner", many=True),
        Column("inForceFrom_as_printed", "dd:inForceFromAsPrinted", "string", DD + "inForceFromAsPrinted"),
    ) + _record_tail()),
    TableSpec("deployments", "Overseas deployments (資料2 and the text)", DD + "Deployment",
              _common("startDate") + (
        Column("endDate_as_printed", "dd:endDateAsPrinted", "string", DD + "endDateAsPrinted"),
        Column("ongoing", "dd:ongoing", "boolean", DD + "ongoing"),
        Column("destinations", "dd:destination", "anyURI", DD + "destination", many=True),
        Column("total_personnel", "dd:totalPersonnel", "integer", DD + "totalPersonnel"),
        Column("current_personnel", "dd:currentPersonnel", "integer", DD + "currentPersonnel"),
        Column("category", "dd:deploymentCategory", "anyURI", DD + "deploymentCategory", many=True,
               scheme=CONCEPT + "deployment-categories"),
    ) + _record_tail()),
    TableSpec("arms-sales", "Arms sales (図表13 and the text)", DD + "ArmsSale", _common("signedOn") + (
        Column("buyer", "dd:buyer", "anyURI", DD + "buyer"),
        Column("quantity", "dd:quantity", "integer", DD + "quantity"),
    ) + _record_tail()),
    TableSpec("exercises", "Exercises (図表11)", DD + "Exercise", _common("startDate") + (
        Column("participants", "dd:participant", "anyURI", DD + "participant", many=True),
        Column("status", "dd:exerciseStatus", "anyURI", DD + "exerciseStatus",
               scheme=CONCEPT + "exercise-statuses"),
    ) + _record_tail()),
    TableSpec("events", "Dated events of the text", DD + "Event", _common("date") + (
        Column("participants", "dd:participant", "anyURI", DD + "participant", many=True),
    ) + _record_tail()),
    TableSpec("wars", "Wars, with the years the report gives", DD + "War", _common("startDate") + (
        Column("endDate_as_printed", "dd:endDateAsPrinted", "string", DD + "endDateAsPrinted"),
        Column("ongoing", "dd:ongoing", "boolean", DD + "ongoing"),
    ) + _record_tail()),
    TableSpec("administrations", "Administrations (reference data)", DD + "Administration",
              _common("startDate") + (
        Column("endDate_as_printed", "dd:endDateAsPrinted", "string", DD + "endDateAsPrinted"),
        Column("ongoing", "dd:ongoing", "boolean", DD + "ongoing"),
        Column("presidents", "dd:president", "anyURI", DD + "president", many=True),
        Column("sources", "prov:wasDerivedFrom", "anyURI", PROV + "wasDerivedFrom", many=True),
    )),
    TableSpec("attache-offices", "Defence attaché offices, one per country named (図表8)",
              DD + "AttacheOffice", _common("startDate") + _end() + _period() + (
        _attache_direction(),
        Column("sending_country", "dd:sendingCountry", "anyURI", DD + "sendingCountry"),
        Column("host_country", "dd:hostCountry", "anyURI", DD + "hostCountry"),
        Column("name_as_printed", "dd:nameAsPrinted", "string", DD + "nameAsPrinted", lang="ja"),
        Column("first", "dd:first", "boolean", DD + "first"),
        Column("related", "dd:relatedTo", "anyURI", DD + "relatedTo", many=True),
    ) + _record_tail()),
    TableSpec("attache-decades", "Defence attaché offices by decade and direction, the cells of 図表8",
              DD + "AttacheOfficeRecord", _common("startDate") + _end() + _period() + (
        _attache_direction(),
        Column("named_countries", "dd:namedCountry", "anyURI", DD + "namedCountry", many=True),
        Column("stated_count", "dd:statedCount", "integer", DD + "statedCount"),
        Column("count_is_partial", "dd:countIsPartial", "boolean", DD + "countIsPartial"),
    ) + _record_tail()),
    TableSpec("un-command", "The 1950 UN Command: participants by role and region (図表1)",
              DD + "Participation", _common(None) + (
        Column("participant", "dd:participant", "anyURI", DD + "participant"),
        Column("name_as_printed", "dd:nameAsPrinted", "string", DD + "nameAsPrinted", lang="ja"),
        Column("role", "dd:role", "anyURI", DD + "role", scheme=CONCEPT + "participation-roles"),
        Column("region_as_printed", "dd:regionAsPrinted", "anyURI", DD + "regionAsPrinted",
               scheme=CONCEPT + "un-command-regions"),
        Column("force", "dd:participationIn", "anyURI", DD + "participationIn"),
        Column("conflict", "dd:conflict", "anyURI", DD + "conflict"),
        Column("sources", "prov:wasDerivedFrom", "anyURI", PROV + "wasDerivedFrom", many=True),
    ), where=_UN_COMMAND),
    TableSpec("vietnam-troops", "ROK troops in the Vietnam War by year and service (図表2)",
              DD + "TroopObservation", _common("date") + _vietnam("personnel") + _record_tail(),
              where=_VIETNAM),
    TableSpec("vietnam-casualties", "ROK casualties in the Vietnam War by service and kind (図表3)",
              DD + "CasualtyObservation", _common("startDate") + _end() + _vietnam("count")[:1] + (
        Column("casualty_kind", "dd:casualtyKind", "anyURI", DD + "casualtyKind",
               scheme=CONCEPT + "casualty-kinds"),
    ) + _vietnam("count")[1:] + _record_tail(), where=_VIETNAM),
    TableSpec("white-papers", "Defence white papers and whether they treat defence diplomacy (資料1)",
              DD + "WhitePaper", _common("date") + (
        Column("title", "dcterms:title", "string", DCTERMS + "title", lang="ja"),
        Column("stated_administration", "dd:statedAdministration", "anyURI", DD + "statedAdministration"),
        Column("mentions_defense_diplomacy", "dd:mentionsDefenseDiplomacy", "boolean",
               DD + "mentionsDefenseDiplomacy"),
    ) + _record_tail()),
    TableSpec("white-paper-sections", "Sections of the white papers that treat defence diplomacy (資料1)",
              DD + "WhitePaperSection", _common(None) + (
        Column("white_paper", "dd:partOfWhitePaper", "anyURI", DD + "partOfWhitePaper"),
        Column("section_path_en", "dd:sectionPath", "string", DD + "sectionPath", lang="en"),
        Column("section_path_ja", "dd:sectionPath", "string", DD + "sectionPath", lang="ja"),
        Column("pages", "dd:pages", "string", DD + "pages"),
        Column("sources", "prov:wasDerivedFrom", "anyURI", PROV + "wasDerivedFrom", many=True),
    )),
)


def query_of(spec: TableSpec) -> str:
    """One SELECT for the table: a row per record, several values joined by a space."""
    heads, body = ["?record"], [f"?record a <{spec.record_class}> .", *([spec.where] if spec.where else [])]
    for c in spec.columns:
        v = f"?{c.name}_v"
        cond = f" FILTER(LANG({v}) = \"{c.lang}\")" if c.lang else ""
        if c.only:
            cond += f" FILTER({v} IN ({', '.join(f'<{i}>' for i in c.only)}))"
        body.append(f"OPTIONAL {{ ?record {c.path} {v} .{cond} }}")
        if c.many:
            heads.append(f"(GROUP_CONCAT(DISTINCT STR({v}); SEPARATOR=\" \") AS ?{c.name})")
        else:
            heads.append(f"(SAMPLE({v}) AS ?{c.name})")
    return (f"SELECT {' '.join(heads)} WHERE {{\n  " + "\n  ".join(body)
            + "\n} GROUP BY ?record ORDER BY ?record")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def table_csv(kg: KnowledgeGraph, spec: TableSpec) -> str:
    """The table's CSV text (header row, then one row per record, sorted by IRI)."""
    result = kg.ox.select(query_of(spec), labels=False)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["iri", *(c.name for c in spec.columns)])
    many = [False, *(c.many for c in spec.columns)]
    for row in result.rows:
        # GROUP_CONCAT has no order: sort the joined values so the file is deterministic.
        w.writerow([" ".join(sorted(_cell(v).split())) if m else _cell(v)
                    for v, m in zip(row, many, strict=True)])
    return buf.getvalue()


def metadata(specs: tuple[TableSpec, ...] = TABLES) -> dict[str, Any]:
    """The CSVW description of the tables (``csv-metadata.json``)."""
    tables = []
    for spec in specs:
        columns: list[dict[str, Any]] = [{"name": "iri", "titles": "iri", "datatype": "anyURI",
                                          "required": True, "suppressOutput": False}]
        for c in spec.columns:
            col: dict[str, Any] = {"name": c.name, "titles": c.name, "datatype": c.datatype,
                                   "propertyUrl": c.property}
            if c.many:
                col["separator"] = " "
            if c.lang:
                col["lang"] = c.lang
            if c.only:
                # CSVW reads a non-numeric datatype's format as a regular expression:
                # the validator then refuses any other value.
                col["datatype"] = {"base": c.datatype,
                                   "format": "^(?:" + "|".join(re.escape(i) for i in c.only) + ")$"}
            if c.scheme:
                col["dc:conformsTo"] = c.scheme   # the SKOS concept scheme the values come from
            columns.append(col)
        tables.append({"url": f"{spec.name}.csv", "dc:title": spec.title,
                       "dc:type": spec.record_class,
                       "tableSchema": {"columns": columns, "primaryKey": "iri", "aboutUrl": "{+iri}"}})
    return {"@context": "http://www.w3.org/ns/csvw",
            "dc:title": "kgraph: South Korea's defence diplomacy, records as tables",
            "dc:license": "https://creativecommons.org/licenses/by/4.0/",
            "tables": tables}


def write_tables(kg: KnowledgeGraph, out: Path) -> list[Path]:
    """Write every table and ``csv-metadata.json`` into ``out``, as one set."""
    from .outputset import write_set

    def fill(staging: Path) -> list[str]:
        names = []
        for spec in TABLES:
            (staging / f"{spec.name}.csv").write_text(table_csv(kg, spec), encoding="utf-8", newline="")
            names.append(f"{spec.name}.csv")
        (staging / "csv-metadata.json").write_text(
            json.dumps(metadata(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return [*names, "csv-metadata.json"]

    return [Path(out) / n for n in write_set(Path(out), fill)]


__all__ = ["TABLES", "Column", "TableSpec", "metadata", "query_of", "table_csv", "write_tables"]
