"""``socta import``: published source tables → ``statistics.csv``, through a declared mapping file.

The mapping file (YAML, versioned with the data folder; its format is in data/README.md, "The
mapping file") lists the source files, the format of each, the source text and the grade the
analyst assigns to it, and the rules that say which source series becomes which indicator.

What the import guarantees:

- Source files are read, never written. The output is written atomically (a temporary file, then a
  rename), so a failed import leaves the previous ``statistics.csv`` in place.
- No number is made up: a value is the source's value, multiplied at most by a declared unit
  factor. Rows are never summed. Two source rows that land on the same statistics key are
  reported with both values, and the import fails unless the mapping declares how to resolve them.
- Published markers keep their meaning: ``<5`` stays ``<5``, a lower bound becomes ``>N``, a
  part-year figure keeps its ``months``, and flags (Eurostat ``b``, ``p``, ``:`` …) become SDMX
  CL_OBS_STATUS codes in ``status``.
- Beside the output, ``provenance.csv`` names for every output row the source file, row, column
  and the value as published, in the same order as ``statistics.csv``.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pandas as pd

from socta.core.config import Project
from socta.core.tableio import TableError, gunzip, neutral_records, read_csv_table, read_input, write_atomic
from socta.core.text import listed
from socta.ingest.mapping import (
    CENSORED,
    MONTH_RANGE,
    MONTHS,
    NUMBER,
    Mapping,
    MappingError,
    Rule,
    SourceEntry,
    _Context,
    _did_you_mean,
    load_mapping,
)
from socta.ingest.reference import Reference

OUTPUT_COLUMNS = ["country", "year", "indicator", "submarket", "category", "value", "unit", "source", "grade",
                  "handling_code", "status", "months"]


PROVENANCE_COLUMNS = ["statistics_row", "country", "year", "indicator", "submarket", "category", "value", "status",
                      "months", "mapping_entry", "source_file", "source_row", "source_column", "value_as_published",
                      "published_marker", "other_source_rows"]


KEY = ("country", "year", "indicator", "submarket", "category")

# Eurostat/ISO 3166 alpha-2 codes of the EU, EFTA and candidate countries → ISO3. Eurostat writes
# Greece as EL and the United Kingdom as UK; Kosovo (XK) has no ISO code, XKX is the usual one.
GEO_TO_ISO3 = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EE": "EST",
    "EL": "GRC", "GR": "GRC", "ES": "ESP", "FI": "FIN", "FR": "FRA", "HR": "HRV", "HU": "HUN", "IE": "IRL",
    "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD", "PL": "POL", "PT": "PRT",
    "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK", "UK": "GBR", "GB": "GBR", "IS": "ISL", "LI": "LIE",
    "NO": "NOR", "CH": "CHE", "RS": "SRB", "ME": "MNE", "MK": "MKD", "AL": "ALB", "BA": "BIH", "XK": "XKX",
    "TR": "TUR", "MD": "MDA", "UA": "UKR", "GE": "GEO",
}

class ImportFailed(ValueError):
    """The source data cannot be imported as declared (duplicates, values that are not numbers …)."""

    def __init__(self, problems: list[str], report: list[str]):
        super().__init__(f"{len(problems)} problem(s); nothing was written")
        self.problems, self.report = problems, report


@dataclass
class Observation:
    row: int                   # spreadsheet row in the source file (the header is row 1)
    column: str                # the column that held the value
    fields: dict[str, str]     # every column of the row (Eurostat: the dimensions), for the rules
    country: str
    year: str
    value: str                 # the value cell ('' when not available)
    published: str             # the value as published, for provenance
    marker: str = ""           # qualifier or flag letters as published
    status: tuple[str, ...] = ()
    months: str = ""
    note: str = ""
    missing: bool = False      # the source marks the value as not available
    problem: str = ""          # a cell that cannot be read; reported only if the row is imported


def _check_columns(entry: SourceEntry, available) -> None:
    """Every column the entry names (columns:, where:, match:) exists in the file: a misspelt name
    would otherwise silently match nothing."""
    available = [str(c) for c in available]
    named = [(f"{entry.where}, columns {role}:", column) for role, column in entry.columns.items()]
    named += [(f"{entry.where}, where:", column) for column in entry.filters]
    for rule in entry.rules:
        named += [(f"{rule.where}, match:", column) for column in [*rule.match, *rule.match_regex]]
    for where, column in named:
        if column not in available:
            raise MappingError(f"{where} {column!r} is not a column of {entry.file}"
                               f"{_did_you_mean(column, available)}; its columns: {', '.join(available)}")


def _read_text_table(entry: SourceEntry) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file as text columns, and the value cells as written (before decimal commas are read)."""
    try:
        table = read_csv_table(entry.path, numeric_columns={entry.columns["value"]})
    except TableError as exc:
        raise MappingError(f"{entry.where}: {exc}") from exc
    _check_columns(entry, table.frame.columns)
    return table.frame, table.as_written


def _read_long_csv(entry: SourceEntry) -> Iterator[Observation]:
    frame, written = _read_text_table(entry)
    c = entry.columns
    for index, fields in zip(frame.index, frame.to_dict("records")):
        value = fields[c["value"]]
        published = fields[c["value_as_published"]] if "value_as_published" in c else written.at[index, c["value"]]
        yield Observation(row=int(index) + 2, column=c["value"], fields=fields, country=fields[c["country"]],
                          year=fields[c["year"]], value=value, published=published,
                          marker=fields.get(c.get("qualifier", ""), ""),
                          status=tuple(s for s in fields.get(c.get("status", ""), "").split("|") if s),
                          months=fields.get(c.get("months", ""), ""), note=fields.get(c.get("note", ""), ""))


def _read_unodc(entry: SourceEntry) -> Iterator[Observation]:
    """UNODC data-portal table: one row per country, year and series; VALUE may be '<5'."""
    frame, written = _read_text_table(entry)
    c = entry.columns
    for index, fields in zip(frame.index, frame.to_dict("records")):
        yield Observation(row=int(index) + 2, column=c["value"], fields=fields, country=fields[c["country"]],
                          year=fields[c["year"]], value=fields[c["value"]], published=written.at[index, c["value"]],
                          note=fields.get(c.get("note", ""), ""))


EUROSTAT_CELL = re.compile(r"^(?P<number>:|[-+]?[\d.]+(?:[eE][-+]?\d+)?)?\s*(?P<flags>[a-z]*)$")


def _read_eurostat_tsv(entry: SourceEntry) -> Iterator[Observation]:
    """Eurostat TSV as downloaded: 'freq,unit,iccs,geo\\TIME_PERIOD' then one tab-separated column
    per period; cells such as '594 ', '17 b', ': ', ': c'. A '.tsv.gz' file is read as it is."""
    try:  # bounded: the file's size, and what a .gz expands to (socta/core/tableio.py caps)
        raw = read_input(entry.path)
        if entry.path.suffix == ".gz":
            raw = gunzip(raw, entry.path)
    except TableError as exc:
        raise MappingError(f"{entry.where}: {exc}") from None
    except OSError as exc:
        raise MappingError(f"{entry.where}: {entry.path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MappingError(f"{entry.where}: {entry.file} is not UTF-8 text; Eurostat's TSV downloads are UTF-8: "
                           "download it again (a .tsv or .tsv.gz) and check format:") from None
    lines = text.splitlines()
    if not lines or "\t" not in lines[0] or "\\" not in lines[0].split("\t")[0]:
        raise MappingError(f"{entry.where}: {entry.file} does not look like a Eurostat TSV: the first header cell "
                           "should read like 'freq,unit,iccs,geo\\TIME_PERIOD'; check format:")
    frame = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False, na_filter=False)
    first = frame.columns[0]
    dimensions = [d.strip() for d in first.split("\\")[0].split(",")]
    _check_columns(entry, dimensions)
    periods = [str(p) for p in frame.columns[1:]]
    for index, record in zip(frame.index, frame.to_dict("records")):
        codes = [code.strip() for code in str(record[first]).split(",")]
        if len(codes) != len(dimensions):
            raise MappingError(f"{entry.where}: {entry.file} row {index + 2}: {record[first]!r} does not have one "
                               f"code per dimension ({', '.join(dimensions)})")
        fields = dict(zip(dimensions, codes))
        for period in periods:
            cell = str(record[period]).strip()
            yield _eurostat_observation(entry, int(index) + 2, period.strip(), fields, cell)


def _eurostat_observation(entry: SourceEntry, row: int, period: str, fields: dict, cell: str) -> Observation:
    obs = Observation(row=row, column=period, fields=fields, country=fields[entry.columns["country"]], year=period,
                      value="", published=cell)
    match = EUROSTAT_CELL.match(cell or ":")
    where = f"{entry.file}, row {row}, column '{period}'"
    if not match or not match["number"]:
        obs.problem = f"{where}: {cell!r} is not a Eurostat value (a number or ':' followed by flag letters)"
        return obs
    unknown = [letter for letter in match["flags"] if letter not in entry.flags]
    if unknown:
        obs.problem = (f"{where}: flag {unknown[0]!r} is not known; declare it under flags: in the mapping "
                       f"({entry.where}), e.g. flags: {{{unknown[0]}: E}}")
        return obs
    obs.status = tuple(c for letter in match["flags"] for c in entry.flags[letter].split("|") if c)
    obs.marker = match["flags"]
    obs.missing = match["number"] == ":"
    obs.value = "" if obs.missing else match["number"]
    return obs


class _RowProblem(ValueError):
    """One source row cannot be imported; the message names the file, row and the fix."""


READERS = {"long_csv": _read_long_csv, "eurostat_tsv": _read_eurostat_tsv, "unodc": _read_unodc}


# --------------------------------------------------------------------------------------------
# From an observation to a statistics row
# --------------------------------------------------------------------------------------------

def format_number(number: Decimal) -> str:
    """'.' decimals, no exponent, no thousands separator, no trailing zeros: 3203.0 → 3203."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _number(text: str, where: str) -> Decimal:
    if not NUMBER.match(text):
        raise _RowProblem(f"{where}: {text!r} is not a number; expected digits with '.' decimals")
    number = Decimal(text)
    if number < 0:
        raise _RowProblem(f"{where}: {text!r} is negative; statistics are counts or amounts of 0 or more")
    return number


_NUMBER_WORDS = {w: n for n, w in enumerate(["", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                                "nine", "ten", "eleven"]) if w}

_FIRST_MONTHS = re.compile(r"\bfirst\s+(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+months\b", re.I)

_FIRST_PART = {re.compile(r"\bfirst\s+half\b|\bH1\b", re.I): 6, re.compile(r"\bfirst\s+quarter\b|\bQ1\b", re.I): 3,
               re.compile(r"\bfirst\s+three\s+quarters\b|\bQ1[-–]Q3\b", re.I): 9}

_MONTH = "(" + "|".join(MONTHS) + r")[a-z]*\.?"

# "1 January – 4 December": dated ends; a last month not ended is not counted
_DAY_RANGE = re.compile(r"\b\d{1,2}\s+" + _MONTH + r"\s*[-–—]\s*(\d{1,2})\s+" + _MONTH, re.I)


def _months_from_note(note: str) -> int | None:
    """The whole months a part-year figure covers, from its note: "January–June" (6), "first 10 months",
    "first half" (6), "1 January – 4 December" (11: a month not ended is not counted)."""
    note = note or ""
    dated = _DAY_RANGE.search(note)
    if dated:
        first, last = (MONTHS.index(dated.group(i).lower()[:3]) for i in (1, 3))
        covered = last - first + (1 if int(dated.group(2)) >= 28 else 0)
        return covered if 1 <= covered <= 11 else None
    match = MONTH_RANGE.search(note)
    if match:
        first, last = (MONTHS.index(m.lower()[:3]) for m in match.groups())
        return last - first + 1 if last >= first else None
    words = _FIRST_MONTHS.search(note)
    if words:
        n = words.group(1).lower()
        return int(n) if n.isdigit() else _NUMBER_WORDS[n]
    return next((months for pattern, months in _FIRST_PART.items() if pattern.search(note)), None)


@dataclass
class Row:
    """One output row and where it came from."""
    key: tuple
    value: str
    unit: str
    entry: SourceEntry
    obs: Observation
    status: set[str] = field(default_factory=set)
    months: str = ""
    numeric: Decimal | None = None  # for duplicates: max
    others: list[str] = field(default_factory=list)  # duplicate source rows left out (or, with sum, added), for provenance


def _to_row(obs: Observation, rule: Rule, entry: SourceEntry, country: str, year: int, ctx: _Context) -> Row | None:
    """The statistics row for one matched observation (None: a missing value the entry skips)."""
    where = f"{entry.file}, row {obs.row}" + (f", column '{obs.column}'" if entry.format == "eurostat_tsv" else "")
    spec = ctx.indicators.loc[rule.indicator]
    status = set(obs.status) | set(rule.status)
    unknown = sorted(s for s in status if s not in ctx.status)
    if unknown:
        raise _RowProblem(f"{where}: status {', '.join(unknown)} is not an observation-status code")
    months = str(rule.months) if rule.months else obs.months
    value_text = obs.value.strip()
    censor = ""
    if entry.format == "long_csv" and obs.marker:  # the qualifier column; Eurostat flags are already statuses
        # several qualifiers apply together, separated by "|": "lower_bound|partial_year" is "more than
        # 6.2 tonnes, 1 January – 4 December"
        for marker in [m.strip() for m in obs.marker.split("|") if m.strip()]:
            if marker not in entry.qualifiers:
                raise _RowProblem(f"{where}: qualifier {marker!r} is not known{_did_you_mean(marker, entry.qualifiers)}; "
                                  f"known: {', '.join(entry.qualifiers)} (several separated by |); declare it under "
                                  f"qualifiers: in {entry.where}")
            qualifier = entry.qualifiers[marker]
            if qualifier == "<5":
                value_text, censor = "5", "<"
            elif qualifier == ">":
                censor = ">"
            elif qualifier == "months":
                found = months or (str(_months_from_note(obs.note) or ""))
                if not found:
                    raise _RowProblem(f"{where}: a part-year figure, but the months it covers are neither in the note "
                                      f"({obs.note!r}) nor declared; add months: N to the rule ({rule.where})")
                months = found
            elif qualifier:
                status.update(c for c in qualifier.split("|") if c)
    censored = CENSORED.match(value_text)
    if censored and not censor:
        censor, value_text = censored.group(1), censored.group(2).strip()
    missing_codes = ctx.missing
    if obs.missing or (not value_text and status & missing_codes):
        if entry.missing == "skip":
            return None
        if not status & missing_codes:
            status.add("O")  # not available, no reason given
        value, numeric = "", None
    elif not value_text:
        raise _RowProblem(f"{where}: the value is empty; a number is expected, or a marker that says why it is "
                          "missing (a qualifier, a flag or a missing-value status)")
    else:
        if status & missing_codes:
            raise _RowProblem(f"{where}: {value_text!r} has a value but the missing-value status "
                              f"{', '.join(sorted(status & missing_codes))}")
        numeric = _number(value_text, where) * rule.factor
        if spec["kind"] == "count" and numeric % 1:
            raise _RowProblem(f"{where}: {format_number(numeric)} is not a whole number, but {rule.indicator} is a "
                              f"count; check the factor ({rule.where}) or the indicator")
        value = censor + format_number(numeric)
    if months and (not months.isdigit() or not 1 <= int(months) <= 11):
        raise _RowProblem(f"{where}: months {months!r}: a part-year figure covers 1 to 11 months")
    status.discard("A")
    return Row(key=(country, year, rule.indicator, rule.submarket, rule.category), value=value, unit=spec["unit"],
               entry=entry, obs=obs, status=status, months=months, numeric=None if censor else numeric)


@dataclass
class _Tally:
    """What happened to the rows of one source entry, for the summary."""
    read: int = 0
    imported: int = 0
    filtered: int = 0
    outside_years: int = 0
    missing_skipped: int = 0
    no_country: int = 0
    other_countries: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    unmatched: dict[str, int] = field(default_factory=dict)


def _series_label(obs: Observation, entry: SourceEntry) -> str:
    """How the summary names a group of unmatched rows: the columns the rules look at."""
    columns = []
    for rule in entry.rules:
        columns += [c for c in [*rule.match, *rule.match_regex] if c not in columns]
    return " · ".join(f"{c}={obs.fields.get(c, '')!r}" for c in columns) or "(no rule looks at any column)"


def _country(raw: str, mapping: Mapping) -> str:
    raw = raw.strip()
    if raw in mapping.countries:
        return mapping.countries[raw]
    if raw.upper() in GEO_TO_ISO3:
        return GEO_TO_ISO3[raw.upper()]
    return raw


def _import_entry(entry: SourceEntry, mapping: Mapping, ctx: _Context, problems: list[str]) -> tuple[list[Row], _Tally]:
    rows: list[Row] = []
    tally = _Tally()
    for obs in READERS[entry.format](entry):
        tally.read += 1
        if any(obs.fields.get(c, "") not in accepted for c, accepted in entry.filters.items()):
            tally.filtered += 1
            continue
        country = _country(obs.country, mapping)
        if not country:
            tally.no_country += 1
            continue
        if country not in ctx.countries:
            tally.other_countries[country] = tally.other_countries.get(country, 0) + 1
            continue
        try:
            year = int(obs.year)
        except ValueError:
            problems.append(f"{entry.file}, row {obs.row}: year {obs.year!r} is not a year (annual data only)")
            continue
        years = entry.years
        if years and not years[0] <= year <= years[1]:
            tally.outside_years += 1
            continue
        rule = next((r for r in entry.rules if r.matches(obs.fields)), None)
        if rule is None:
            label = _series_label(obs, entry)
            tally.unmatched[label] = tally.unmatched.get(label, 0) + 1
            continue
        if rule.skip:
            tally.skipped[rule.skip] = tally.skipped.get(rule.skip, 0) + 1
            continue
        if obs.problem:
            problems.append(obs.problem)
            continue
        try:
            row = _to_row(obs, rule, entry, country, year, ctx)
        except _RowProblem as exc:
            problems.append(str(exc))
            continue
        if row is None:
            tally.missing_skipped += 1
            continue
        rows.append(row)
        tally.imported += 1
    return rows, tally


def _summary(entry: SourceEntry, tally: _Tally, limit: int = 12) -> list[str]:
    lines = [f"{entry.name} ({entry.file}, {entry.format}): {tally.read} values read, {tally.imported} imported"]
    if tally.filtered:
        lines.append(f"  {tally.filtered} left out by where: (other series of the file)")
    if tally.no_country:
        lines.append(f"  {tally.no_country} without a country code (e.g. regional totals), skipped")
    if tally.other_countries:
        codes = ", ".join(f"{c} ({n})" for c, n in sorted(tally.other_countries.items()))
        lines.append(f"  {sum(tally.other_countries.values())} values of countries not in countries.csv, skipped: {codes}")
    if tally.outside_years:
        lines.append(f"  {tally.outside_years} outside the years {entry.years[0]}–{entry.years[1]}, skipped")
    if tally.missing_skipped:
        lines.append(f"  {tally.missing_skipped} not available in the source, skipped (missing: skip)")
    for reason, n in sorted(tally.skipped.items()):
        lines.append(f"  {n} skipped by rule: {reason}")
    if tally.unmatched:
        lines.append(f"  {sum(tally.unmatched.values())} matched no rule, skipped, in {len(tally.unmatched)} group(s):")
        groups = sorted(tally.unmatched.items(), key=lambda item: (-item[1], item[0]))
        lines += listed([f"    {n} × {label}" for label, n in groups], limit, "\n",
                        "\n    … and {n} more group(s)").split("\n")
    return lines


def _describe(row: Row) -> str:
    column = f", column '{row.obs.column}'" if row.entry.format == "eurostat_tsv" else ""
    return f"{row.entry.file} row {row.obs.row}{column} [{row.entry.name}]: {row.obs.published or row.value!r}"


def _resolve_duplicates(rows: list[Row], mapping: Mapping) -> tuple[list[Row], list[str], list[str]]:
    """One row per statistics key. Duplicates are reported; resolved only as the mapping declares."""
    by_key: dict[tuple, list[Row]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    kept, notes, problems = [], [], []
    for key, group in by_key.items():
        if len(group) == 1:
            kept.append(group[0])
            continue
        entries = {r.entry.name for r in group}
        resolution = group[0].entry.duplicates if len(entries) == 1 else mapping.duplicates
        shown = "; ".join(_describe(r) for r in group)
        label = " ".join(str(k) for k in key if k != "")
        if resolution == "error":
            setting = f"duplicates: in {group[0].entry.where}" if len(entries) == 1 else f"duplicates: at the top of {mapping.path.name}"
            problems.append(f"duplicate rows for {label}: {shown}. They are not summed. Keep one series (a narrower "
                            f"match:), or declare {setting} (first or max; or sum, with duplicates_reason: saying "
                            "why the rows make the whole)")
            continue
        if resolution in ("max", "sum"):
            if any(r.numeric is None for r in group):
                problems.append(f"duplicate rows for {label}: {shown}; '{resolution}' needs plain numbers on every row "
                                "(not '<N', '>N' or missing); use duplicates: first or narrow the rules")
                continue
        if resolution == "sum":  # declared with its reason (socta.ingest.mapping._sum_reason)
            reason = group[0].entry.duplicates_reason if len(entries) == 1 else mapping.duplicates_reason
            total = sum(r.numeric for r in group)
            chosen = dataclasses.replace(group[0], value=format_number(total), numeric=total,
                                         status=set().union(*(r.status for r in group)))
            chosen.others = [_describe(r) for r in group]
            kept.append(chosen)
            notes.append(f"duplicate rows for {label} summed ({reason}): {shown}; total {format_number(total)}")
            continue
        if resolution == "max":
            chosen = max(group, key=lambda r: r.numeric)  # the first of equal maxima
        else:
            chosen = group[0]
        chosen.others = [_describe(r) for r in group if r is not chosen]
        kept.append(chosen)
        notes.append(f"duplicate rows for {label} resolved by duplicates: {resolution}: kept {_describe(chosen)}; "
                     f"left out {'; '.join(chosen.others)}")
    return kept, notes, problems


@dataclass
class ImportResult:
    rows: list[Row]
    report: list[str]          # summary and notes, for the analyst


def _status_text(codes: set[str]) -> str:
    return "|".join(sorted(codes))


def _output_record(row: Row) -> dict:
    country, year, indicator, submarket, category = row.key
    return {"country": country, "year": str(year), "indicator": indicator, "submarket": submarket,
            "category": category, "value": row.value, "unit": row.unit, "source": row.entry.source,
            "grade": row.entry.grade, "handling_code": row.entry.handling_code, "status": _status_text(row.status),
            "months": row.months}


def _provenance_record(number: int, row: Row) -> dict:
    record = _output_record(row)
    return {"statistics_row": str(number), **{k: record[k] for k in (*KEY, "value", "status", "months")},
            "mapping_entry": row.entry.name, "source_file": row.entry.file, "source_row": str(row.obs.row),
            "source_column": row.obs.column, "value_as_published": row.obs.published,
            "published_marker": row.obs.marker, "other_source_rows": " | ".join(row.others)}


def import_statistics(mapping: Mapping) -> ImportResult:
    """Read every source of a loaded mapping and build the statistics rows; write nothing.

    Raises :class:`ImportFailed` (with every problem and the summary) when the data cannot be
    imported as declared, :class:`MappingError` when a source file does not fit its entry.
    """
    ctx = mapping.context
    rows: list[Row] = []
    report: list[str] = []
    problems: list[str] = []
    for entry in mapping.sources:
        entry_rows, tally = _import_entry(entry, mapping, ctx, problems)
        rows += entry_rows
        report += _summary(entry, tally)
    rows, notes, duplicate_problems = _resolve_duplicates(rows, mapping)
    report += notes
    problems += duplicate_problems
    for override in mapping.overrides:
        for row in rows:
            if override.applies_to(row.key):
                row.status |= set(override.status)
                override.used += 1
        if not override.used:
            problems.append(f"{override.where}: {override.country} {override.year} {override.indicator} matches no "
                            "imported row; correct the country, year or indicator, or remove the override")
        else:
            report.append(f"status {'|'.join(override.status)} added to {override.country} {override.year} "
                          f"{override.indicator} ({override.used} row(s)): {override.reason}")
    if problems:
        raise ImportFailed(problems, report)
    rows.sort(key=lambda r: (r.key[0], r.key[1], r.key[2], r.key[3], r.key[4]))
    return ImportResult(rows=rows, report=report)


def _csv_bytes(records: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(neutral_records(records, columns))  # no cell runs as a formula in a spreadsheet
    return buffer.getvalue().encode("utf-8")


def provenance_path(out: Path) -> Path:
    """``provenance.csv`` beside the output: ``statistics.csv`` → ``provenance.csv``,
    ``other.csv`` → ``other.provenance.csv``."""
    out = Path(out)
    name = "provenance.csv" if out.name == "statistics.csv" else f"{out.stem}.provenance.csv"
    return out.with_name(name)


def write_result(result: ImportResult, out: Path) -> tuple[Path, Path]:
    """Write ``statistics.csv`` and its ``provenance.csv``, each atomically."""
    out = Path(out)
    records = [_output_record(r) for r in result.rows]
    provenance = [_provenance_record(i, r) for i, r in enumerate(result.rows, start=2)]
    # both files are complete on disk before either replaces its predecessor
    statistics_bytes = _csv_bytes(records, OUTPUT_COLUMNS)
    provenance_bytes = _csv_bytes(provenance, PROVENANCE_COLUMNS)
    trace = provenance_path(out)
    write_atomic(trace, provenance_bytes)
    write_atomic(out, statistics_bytes)
    return out, trace


def run_import(mapping_path: Path, out: Path, data_dir: Path | None = None, write: bool = True) -> tuple[ImportResult, list[Path]]:
    """``socta import``: check the mapping against the reference of ``data_dir`` (default: the
    output's folder), import, and write the output and its provenance unless ``write`` is False."""
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise MappingError(f"--out {out}: the output is a CSV file, e.g. DATA_FOLDER/statistics.csv")
    data_dir = Path(data_dir) if data_dir is not None else out.parent
    if not data_dir.is_dir():
        raise MappingError(f"data folder {data_dir} does not exist; create it, or pass --data with the folder whose "
                           "reference/ (indicators, countries) the mapping is checked against")
    mapping = load_mapping(Path(mapping_path), Reference(Project(data_dir=data_dir)))
    sources = {s.path for s in mapping.sources}
    if out.resolve() in sources or provenance_path(out).resolve() in sources:
        raise MappingError(f"--out {out} is one of the mapping's source files; sources are never overwritten")
    result = import_statistics(mapping)
    return result, list(write_result(result, out)) if write else []
