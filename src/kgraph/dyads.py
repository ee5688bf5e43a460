"""Korea–partner dyad-year panel: one row per state partner and year, ready to merge with COW data.

``panel(graph)`` counts the graph's ties (``kgraph.ties``: the derived
``dd:Tie`` records, read through Oxigraph) per partner and year and returns two
pandas frames: the **states** (partners of type state or former state, with
COW, Gleditsch–Ward, ISO and UN M49 codes) and the **organisations**
(organisations, missions and territories, which have no COW code).
``write_panel`` writes them as CSV, Parquet or Stata ``.dta``; ``kgraph dyads
--out FILE`` does both.

Rows
    A state partner has one row per year from the later of 1948 and its entry
    into the COW state system (``reference/state-codes.csv``: COW State System
    Membership v2016, with the years a graph node stands for where it is
    narrower than its code: Russia from 1992, the Soviet Union to 1991) to the
    last year the data covers (the latest day of any tie or deployment, 2019
    for the bundled graph).  COW v2016 ends in 2016: a membership still open
    then runs on to the end of the data.  Former states keep their own codes
    (South Vietnam 817 RVN, 1954–1975; West Germany 260 GFR, 1955–1990); the
    Soviet Union and Russia share 365; Taiwan (the graph's Republic of China)
    is 713 throughout.  So ``(ccode, year)`` is a key.  Organisations,
    missions and territories have a row per year from 1948.

Columns per kind of tie (``ties.KINDS``), with the direction where the kind
has one (``_out``: Korean troops, arms or attachés abroad; ``_in``: foreign
attachés in Korea, the 1950 UN Command):

``<kind>_new``
    ties that started that year;
``<kind>_cum``
    ties certainly started by the end of the year (a tie dated before the
    partner's first row counts from that row; one dated after its last row,
    as a West German tie of 1995 would be, is in no row);
``<kind>_coarse`` / ``<kind>_cum_coarse``
    the part of ``_new`` / ``_cum`` known only to a period longer than a year;
``<kind>_undated``
    the partner's ties of that kind with no date at all (in every row);
``deployment_out_active``
    deployments under way in the year: the report gives an end (or "ongoing,
    as of 2019-12-31") only for deployments, so only they get it.  A
    deployment is active from the year it started through the year it ended
    (an ongoing one through its as-of year).

The coarse-date rule (``kgraph.dates.years_of``, the same for every
year-level output): a tie dated to a day, a month or a year is counted in
that year.  A tie known only to a longer period (the attaché offices of
図表8, dated by decade: "1950s") fills each year of the period in ``_new``,
flagged in ``_coarse`` ("inferred from a coarser date"), and joins ``_cum``
in the period's last year, when it had certainly started (flagged in
``_cum_coarse``).  So ``_new - _coarse`` counts only ties dated within the
year, and ``_cum - _cum_coarse`` only those; summing ``_new`` over years
counts a decade tie once per year.  A tie without a date (some arms sales
and 2019 exercises) is placed in no year: it is counted in ``_undated``.

>>> kind_columns()[:2]
[('defence-cooperation', None, 'defence_cooperation'), ('military-information', None, 'military_information')]
>>> companion_path(Path("out/panel.csv")).name
'panel-organisations.csv'
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KgraphError
from .ties import KINDS, STATE_TYPES, partner_type

if TYPE_CHECKING:
    import pandas as pd

#: The reference codes of the graph's countries (see reference/README.md).
REFERENCE = Path(__file__).parent / "reference" / "state-codes.csv"
#: The first year of the panel (the Republic of Korea was founded in 1948).
FIRST_YEAR = 1948
#: The last year of COW State System Membership v2016: a spell ending then is still open.
COW_LAST_YEAR = 2016
#: The kinds whose records have an end in the data (``_active`` columns).
ACTIVE_KINDS = ("deployment",)
#: Directions of the kinds that have one (ties.py decides them); other kinds have none.
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "arms-purchase": ("outward",),
    "deployment": ("outward",),
    "attache-office": ("outward", "inward"),
    "un-command-1950": ("inward",),
}
_SUFFIX = {None: "", "outward": "_out", "inward": "_in"}
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".dta": "dta"}
ID_COLUMNS = ["partner", "name", "partner_type", "year", "iso3", "ccode", "stateabb", "gwcode",
              "m49", "m49_region", "m49_subregion", "m49_intermediate"]
ORG_ID_COLUMNS = ["partner", "name", "partner_type", "year", "iso3"]
_CONCEPT = "https://w3id.org/defdip/id/concept/tie-"

_TIES = """
SELECT ?tie ?partner ?kind ?dir ?early ?late ?record ?deployment ?end ?ongoing ?asof WHERE {
  ?tie a dd:Tie ; dd:tiePartner ?partner ; dd:tieKind ?kind ; dd:tieRecord ?record .
  OPTIONAL { ?tie dd:tieDirection ?dir }
  OPTIONAL { ?tie dd:tieEarliestDay ?early ; dd:tieLatestDay ?late }
  BIND(EXISTS { ?record a dd:Deployment } AS ?deployment)
  OPTIONAL { ?record a dd:Deployment ; dd:endDateLatest ?end }
  OPTIONAL { ?record a dd:Deployment ; dd:ongoing ?ongoing }
  OPTIONAL { ?record a dd:Deployment ; dd:asOf ?asof }
}
"""

_PARTNERS = """
SELECT DISTINCT ?partner ?cls ?iso3 WHERE {
  ?tie a dd:Tie ; dd:tiePartner ?partner .
  OPTIONAL { ?partner a ?cls }
  OPTIONAL { ?partner dd:iso3 ?iso3 }
}
"""


def kind_columns() -> list[tuple[str, str | None, str]]:
    """(kind, direction, column stem) for each kind of tie and direction, in ``KINDS`` order."""
    return [(kind, d, kind.replace("-", "_") + _SUFFIX[d])
            for kind in KINDS for d in DIRECTIONS.get(kind, (None,))]


def count_columns() -> list[str]:
    """The count columns, in order (the same in both files)."""
    cols = []
    for kind, _d, stem in kind_columns():
        cols += [f"{stem}_new", f"{stem}_cum", f"{stem}_coarse", f"{stem}_cum_coarse", f"{stem}_undated"]
        if kind in ACTIVE_KINDS:
            cols.append(f"{stem}_active")
    return cols


def companion_path(out: Path) -> Path:
    """The organisations file beside ``out``: ``<stem>-organisations<suffix>``."""
    return out.with_name(f"{out.stem}-organisations{out.suffix}")


# --- Reference codes -------------------------------------------------------------------

@dataclass(frozen=True)
class StateCodes:
    """A graph country's codes and the years it can have rows (spells of COW membership)."""

    key: str
    iso3: str
    ccode: int
    stateabb: str
    gwcode: int | None
    spells: tuple[tuple[int, int], ...]
    first_year: int | None
    last_year: int | None
    m49: str
    m49_region: str
    m49_subregion: str
    m49_intermediate: str

    def years(self, first: int, last: int) -> list[int]:
        """The years from ``first`` to ``last`` in which this entity is a state (see the module doc)."""
        out: list[int] = []
        for a, b in self.spells:
            b = last if b >= COW_LAST_YEAR else b
            lo = max(a, first, self.first_year or a)
            hi = min(b, last, self.last_year if self.last_year is not None else b)
            out += range(lo, hi + 1)
        return sorted(set(out))


def reference(path: Path = REFERENCE) -> dict[str, StateCodes]:
    """The reference codes by key (a country IRI's local name, e.g. ``USA``, ``south-vietnam``).

    >>> ref = reference()
    >>> ref["south-vietnam"].ccode, ref["south-vietnam"].stateabb, ref["south-vietnam"].years(1948, 2019)[-1]
    (817, 'RVN', 1975)
    >>> ref["RUS"].years(1948, 2019)[0], ref["soviet-union"].years(1948, 2019)[-1]
    (1992, 1991)
    """
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                rows[row["key"]].append(row)
    except (OSError, KeyError, csv.Error) as exc:
        raise KgraphError(f"{path}: cannot read the reference codes ({exc})",
                          hint="reinstall kgraph; the file ships with the package") from exc
    out = {}
    for key, spells in rows.items():
        r = spells[0]
        out[key] = StateCodes(
            key=key, iso3=r["iso3"], ccode=int(r["ccode"]), stateabb=r["stateabb"],
            gwcode=int(r["gwcode"]) if r["gwcode"] else None,
            spells=tuple(sorted((int(s["cow_start"]), int(s["cow_end"])) for s in spells)),
            first_year=int(r["first_year"]) if r["first_year"] else None,
            last_year=int(r["last_year"]) if r["last_year"] else None,
            m49=r["m49"], m49_region=r["m49_region"], m49_subregion=r["m49_subregion"],
            m49_intermediate=r["m49_intermediate"])
    return out


# --- Reading the ties ------------------------------------------------------------------

@dataclass(frozen=True)
class PanelTie:
    """One tie as the panel counts it."""

    iri: str
    partner: str
    stem: str
    early: date | None
    late: date | None
    active_until: int | None = None   # last year under way (deployments only)


def _value(term: Any) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def _day(term: Any) -> date | None:
    v = _value(term)
    return date.fromisoformat(v[:10]) if v else None


def read_ties(graph: Any) -> list[PanelTie]:
    """Every tie of the graph with its column stem and dates (through Oxigraph)."""
    from .oxstore import as_ox

    stems = {(kind, d): stem for kind, d, stem in kind_columns()}
    found: dict[str, PanelTie] = {}
    for row in as_ox(graph).query(_TIES).rows:
        tie, partner, kind, direction, early, late, _rec, deployment, end, ongoing, asof = row
        kind_key = (_value(kind) or "").removeprefix(_CONCEPT)
        dir_key = (_value(direction) or "").removeprefix(_CONCEPT) or None
        stem = stems.get((kind_key, dir_key))
        if stem is None:
            raise KgraphError(f"{_value(tie)}: a tie of kind '{kind_key}' with direction "
                              f"'{dir_key}' has no column in the panel",
                              hint="add the kind or direction to kgraph.dyads.DIRECTIONS")
        until = None
        if _value(deployment) == "true":
            end_day, as_of = _day(end), _day(asof)
            if end_day is not None:
                until = end_day.year
            elif as_of is not None:
                until = as_of.year
            elif _value(ongoing) == "true":
                until = 9999   # ongoing without an as-of day: to the end of the data
        iri = _value(tie) or ""
        found[iri] = PanelTie(iri, _value(partner) or "", stem, _day(early), _day(late), until)
    return sorted(found.values(), key=lambda t: t.iri)


def _partners(graph: Any) -> dict[str, dict[str, Any]]:
    """Partner IRI -> type, ISO code and English name."""
    from .oxstore import as_ox

    ox = as_ox(graph)
    classes: dict[str, set[str]] = defaultdict(set)
    iso: dict[str, str] = {}
    for p, cls, code in ox.query(_PARTNERS).rows:
        key = _value(p) or ""
        classes[key]  # noqa: B018 - a partner with no class still gets an entry
        if cls is not None:
            classes[key].add(_value(cls) or "")
        if code is not None:
            iso[key] = _value(code) or ""
    labels = ox.labels("en")
    return {p: {"type": partner_type(cls) or "unknown", "iso3": iso.get(p, ""),
                "name": labels.get(p, p.rsplit("/", 1)[-1])} for p, cls in classes.items()}


def data_last_year(tie_list: list[PanelTie]) -> int:
    """The last year the data covers: of the latest day of a tie or a deployment's as-of day."""
    years = [t.late.year for t in tie_list if t.late] + \
            [t.active_until for t in tie_list if t.active_until and t.active_until != 9999]
    if not years:
        raise KgraphError("the graph has no dated ties, so the panel has no years",
                          hint="check the data files given with --data")
    return max(years)


# --- The panel -------------------------------------------------------------------------

def panel(graph: Any, from_year: int | None = None, to_year: int | None = None,
          ref: dict[str, StateCodes] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The states panel and the organisations panel (see the module docstring).

    ``graph`` is anything ``oxstore.as_ox`` takes (a KnowledgeGraph, an
    OxGraph).  ``states.attrs`` holds ``first_year``, ``last_year``,
    ``before`` / ``after`` (ties dated wholly before a partner's first
    possible row, e.g. before its entry into the state system, which count in
    ``_cum`` from that row; or after its last, which no row counts),
    ``uncoded`` (state partners without reference codes) and ``coarse`` /
    ``undated`` (ties of each sort).
    """
    import pandas as pd

    tie_list = read_ties(graph)
    last_data = data_last_year(tie_list)
    first = FIRST_YEAR if from_year is None else from_year
    last = last_data if to_year is None else to_year
    if first < FIRST_YEAR:
        raise KgraphError(f"--from-year {first} is before {FIRST_YEAR}, where the panel starts",
                          hint=f"give a year from {FIRST_YEAR} on")
    if last > last_data:
        raise KgraphError(f"--to-year {last} is after {last_data}, the last year the data covers",
                          hint=f"give a year up to {last_data}")
    if first > last:
        raise KgraphError(f"--from-year {first} is after --to-year {last}",
                          hint="give the earlier year first")
    ref = reference() if ref is None else ref
    partners = _partners(graph)
    by_partner: dict[str, list[PanelTie]] = defaultdict(list)
    for t in tie_list:
        by_partner[t.partner].append(t)

    state_rows: list[dict[str, Any]] = []
    org_rows: list[dict[str, Any]] = []
    before: list[str] = []
    after: list[str] = []
    uncoded: list[str] = []
    for iri in sorted(by_partner):
        info = partners.get(iri, {"type": "unknown", "iso3": "", "name": iri.rsplit("/", 1)[-1]})
        is_state = info["type"] in STATE_TYPES
        codes = None
        if is_state:
            local = iri.rsplit("/", 1)[-1]
            codes = ref.get(info["iso3"]) or ref.get(local)
            if codes is None:
                uncoded.append(iri)
        if codes is not None:
            years = codes.years(first, last)
            all_years = codes.years(FIRST_YEAR, last_data)
        else:
            years = list(range(first, last + 1))
            all_years = list(range(FIRST_YEAR, last_data + 1))
        counts = _counts(by_partner[iri], years)
        placed = set(all_years)
        for t in by_partner[iri]:
            if t.early and t.late and placed and placed.isdisjoint(range(t.early.year, t.late.year + 1)):
                # Before the first row (or in a gap of membership): in _cum from the next row.
                (after if t.early.year > all_years[-1] else before).append(t.iri)
        for y in years:
            row: dict[str, Any] = {"partner": iri, "name": info["name"], "partner_type": info["type"],
                                   "year": y, "iso3": info["iso3"] or (codes.iso3 if codes else "")}
            if is_state:
                row.update(ccode=codes.ccode if codes else None,
                           stateabb=codes.stateabb if codes else "",
                           gwcode=codes.gwcode if codes else None,
                           m49=codes.m49 if codes else "",
                           m49_region=codes.m49_region if codes else "",
                           m49_subregion=codes.m49_subregion if codes else "",
                           m49_intermediate=codes.m49_intermediate if codes else "")
            row.update(counts[y])
            (state_rows if is_state else org_rows).append(row)

    cols = count_columns()
    states = pd.DataFrame(state_rows, columns=ID_COLUMNS + cols)
    orgs = pd.DataFrame(org_rows, columns=ORG_ID_COLUMNS + cols)
    for df in (states, orgs):
        for c in cols + ["year"]:
            df[c] = df[c].astype("int64")
    for c in ("ccode", "gwcode"):
        states[c] = states[c].astype("Int64")
    states = states.sort_values(["ccode", "year", "partner"], na_position="last").reset_index(drop=True)
    orgs = orgs.sort_values(["name", "year"]).reset_index(drop=True)
    states.attrs.update(first_year=first, last_year=last, before=sorted(before), after=sorted(after),
                        uncoded=uncoded,
                        coarse=sum(1 for t in tie_list if t.early and t.late and t.early.year != t.late.year),
                        undated=sum(1 for t in tie_list if t.early is None))
    return states, orgs


def _counts(tie_list: list[PanelTie], years: list[int]) -> dict[int, dict[str, int]]:
    """The count columns of one partner for each of ``years``."""
    from .dates import years_of

    out = {y: dict.fromkeys(count_columns(), 0) for y in years}
    for t in tie_list:
        if t.early is None or t.late is None:
            for y in years:
                out[y][f"{t.stem}_undated"] += 1
            continue
        coarse = t.early.year != t.late.year
        for y, inferred in years_of(t.early, t.late):
            if y in out:
                out[y][f"{t.stem}_new"] += 1
                out[y][f"{t.stem}_coarse"] += int(inferred)
        for y in years:
            if t.late.year <= y:
                out[y][f"{t.stem}_cum"] += 1
                out[y][f"{t.stem}_cum_coarse"] += int(coarse)
            if t.active_until is not None and t.early.year <= y <= t.active_until:
                out[y][f"{t.stem}_active"] += 1
    return out


# --- Writing ---------------------------------------------------------------------------

def variable_labels(columns: list[str]) -> dict[str, str]:
    """A label (at most 80 characters, for Stata) for each column."""
    fixed = {"partner": "Partner IRI (kgraph)", "name": "Partner name (English)",
             "partner_type": "Partner type: state, former state, organisation, mission, territory",
             "year": "Year", "iso3": "ISO 3166-1 alpha-3 code", "ccode": "COW country code (partner)",
             "stateabb": "COW state abbreviation", "gwcode": "Gleditsch-Ward country code",
             "m49": "UN M49 country code", "m49_region": "UN M49 region",
             "m49_subregion": "UN M49 sub-region", "m49_intermediate": "UN M49 intermediate region"}
    what = {"new": "ties started in the year", "cum": "ties started by the year's end",
            "coarse": "of _new, dated only to a period over a year",
            "cum_coarse": "of _cum, dated only to a period over a year",
            "undated": "ties with no date", "active": "under way in the year"}
    names = {stem: (KINDS[kind][0] + {None: "", "outward": " (out)", "inward": " (in)"}[d])
             for kind, d, stem in kind_columns()}
    out = {}
    for c in columns:
        if c in fixed:
            out[c] = fixed[c]
            continue
        for stem, name in names.items():
            if c.startswith(stem + "_") and c[len(stem) + 1:] in what:
                out[c] = f"{name}: {what[c[len(stem) + 1:]]}"[:80]
    return out


def output_format(out: Path, fmt: str | None) -> str:
    """The format to write ``out`` in: ``fmt`` if given, else by the file's suffix (CSV otherwise)."""
    by_suffix = FORMATS.get(out.suffix.lower())
    if fmt is None:
        return by_suffix or "csv"
    if by_suffix and by_suffix != fmt:
        raise KgraphError(f"{out}: the suffix says {by_suffix} but --format says {fmt}",
                          hint=f"drop --format or name the file with .{fmt}")
    return fmt


def write_frame(df: pd.DataFrame, path: Path, fmt: str) -> Path:
    """Write one frame atomically (mode as ``open()`` would give) as csv, parquet or dta."""
    from .atomic import atomic_path

    _check_format(fmt)
    with atomic_path(path) as tmp:
        _write(df, tmp, fmt)
    return path


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS.values():
        raise KgraphError(f"unknown format '{fmt}'", hint="choose csv, parquet or dta")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise KgraphError("writing Parquet needs pyarrow",
                              hint="pip install 'kgraph[research]', or write .csv or .dta") from exc


def _write(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        df.to_csv(path, index=False, lineterminator="\n")
    elif fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        _stata_frame(df).to_stata(path, write_index=False, version=118,
                                  variable_labels=variable_labels(list(df.columns)),
                                  data_label="Korea-partner dyad-year panel (kgraph)")


def _stata_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Stata has no missing string and no nullable integer: strings get "", integers
    with a gap become floats (Stata's missing value)."""
    out = df.copy()
    for c in out.columns:
        if str(out[c].dtype) == "Int64":
            out[c] = out[c].astype("float64") if out[c].isna().any() else out[c].astype("int64")
        elif out[c].dtype == object:
            out[c] = out[c].fillna("").astype(str)
    return out


def write_panel(graph: Any, out: Path, fmt: str | None = None, *, from_year: int | None = None,
                to_year: int | None = None) -> tuple[list[Path], pd.DataFrame, pd.DataFrame]:
    """Write the states panel to ``out`` and the organisations beside it; return the paths and frames."""
    out = Path(out)
    chosen = output_format(out, fmt)
    if out.is_dir():
        raise KgraphError(f"{out}: is a folder", hint="give a file name, e.g. --out panel.csv")
    _check_format(chosen)
    states, orgs = panel(graph, from_year, to_year)
    from .atomic import atomic_path

    # Both files are written before either replaces its old version: a failure leaves both as they were.
    paths = [out, companion_path(out)]
    with atomic_path(paths[0]) as tmp_states, atomic_path(paths[1]) as tmp_orgs:
        _write(states, tmp_states, chosen)
        _write(orgs, tmp_orgs, chosen)
    return paths, states, orgs


__all__ = ["ACTIVE_KINDS", "DIRECTIONS", "FIRST_YEAR", "REFERENCE", "PanelTie", "StateCodes",
           "companion_path", "count_columns", "data_last_year", "kind_columns", "output_format",
           "panel", "read_ties", "reference", "variable_labels", "write_frame", "write_panel"]
