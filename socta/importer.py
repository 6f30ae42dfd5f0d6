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
import difflib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterator

import pandas as pd

from .config import RESTRICTED_INPUTS, ConfigError, Project, read_yaml
from .reference import Reference
from .tableio import TableError, gunzip, neutral_records, read_csv_table, read_input, write_atomic

OUTPUT_COLUMNS = ["country", "year", "indicator", "submarket", "category", "value", "unit", "source", "grade",
                  "handling_code", "status", "months"]
PROVENANCE_COLUMNS = ["statistics_row", "country", "year", "indicator", "submarket", "category", "value", "status",
                      "months", "mapping_entry", "source_file", "source_row", "source_column", "value_as_published",
                      "published_marker", "other_source_rows"]
KEY = ("country", "year", "indicator", "submarket", "category")

# SDMX CL_OBS_STATUS 2.2. Used only when the reference in force has no observation_status.csv.
OBS_STATUS = {
    "A": "normal value", "B": "break in series", "D": "definition differs", "E": "estimated value",
    "F": "forecast value", "G": "experimental value", "I": "imputed value",
    "K": "data included in another category", "L": "missing value; data exist but were not collected",
    "M": "missing value; data cannot exist", "N": "not significant", "O": "missing value",
    "P": "provisional value", "Q": "missing value; suppressed", "S": "strike and other special events",
    "U": "low reliability", "V": "unvalidated value",
}
MISSING_STATUS = {"L", "M", "O", "Q"}

# Eurostat flags → CL_OBS_STATUS. ':' (not available) has no letter; it is handled as a missing value.
EUROSTAT_FLAGS = {"b": "B", "c": "Q", "d": "D", "e": "E", "f": "F", "n": "N", "p": "P", "s": "S", "u": "U",
                  "z": "M"}

# What the qualifier column of a long CSV means (indicator_values.csv style). A qualifier maps to
# a status code, or to one of the special treatments below. A mapping may add its own.
QUALIFIERS = {"reported": "", "approx": "E", "lower_bound": ">", "partial_year": "months", "suppressed_lt5": "<5"}

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

FORMATS = ("long_csv", "eurostat_tsv", "unodc")
# the columns each format needs, and the defaults a mapping may leave out
FORMAT_COLUMNS = {
    "long_csv": {"required": ("country", "year", "value"),
                 "optional": ("value_as_published", "qualifier", "note", "status", "months"), "defaults": {}},
    "eurostat_tsv": {"required": ("country",), "optional": (), "defaults": {"country": "geo"}},
    "unodc": {"required": ("country", "year", "value"), "optional": ("note",),
              "defaults": {"country": "Iso3_code", "year": "Year", "value": "VALUE"}},
}
DUPLICATE_RESOLUTIONS = ("error", "first", "max")
MISSING_HANDLING = ("keep", "skip")

TOP_KEYS = {"version", "description", "years", "countries", "duplicates", "sources", "status_overrides"}
SOURCE_KEYS = {"name", "file", "format", "source", "grade", "handling_code", "columns", "where", "years",
               "duplicates", "missing", "qualifiers", "flags", "rules", "description"}
RULE_KEYS = {"match", "match_regex", "indicator", "submarket", "category", "factor", "months", "status", "skip",
             "note"}
OVERRIDE_KEYS = {"country", "year", "indicator", "submarket", "category", "status", "reason"}

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
CENSORED = re.compile(r"^([<>])\s*=?\s*(.+)$")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# "Jan-Apr 2025", "January–June": a part of the year named by its first and last month
MONTH_RANGE = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]*\.?\s*[-–—]\s*(" + "|".join(MONTHS) + r")[a-z]*",
                         re.IGNORECASE)


class MappingError(ConfigError):
    """The mapping file is wrong; the message names the file, the entry and the fix."""


class ImportFailed(ValueError):
    """The source data cannot be imported as declared (duplicates, values that are not numbers …)."""

    def __init__(self, problems: list[str], report: list[str]):
        super().__init__(f"{len(problems)} problem(s); nothing was written")
        self.problems, self.report = problems, report


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------------------------
# The mapping file
# --------------------------------------------------------------------------------------------

@dataclass
class Rule:
    where: str                              # "mapping.yaml, sources[1] 'eurostat', rules[3]", for messages
    match: dict[str, list[str]]             # column → accepted values (exact text)
    match_regex: dict[str, re.Pattern]      # column → pattern (re.search)
    indicator: str = ""
    submarket: str = ""
    category: str = ""
    factor: Decimal = Decimal(1)
    months: int | None = None
    status: tuple[str, ...] = ()
    skip: str = ""                          # the reason, for a rule that deliberately leaves rows out

    def matches(self, fields: dict[str, str]) -> bool:
        return (all(fields.get(c, "") in accepted for c, accepted in self.match.items())
                and all(p.search(fields.get(c, "")) for c, p in self.match_regex.items()))


@dataclass
class SourceEntry:
    where: str
    name: str
    file: str                               # as written in the mapping, relative to the mapping file
    path: Path
    format: str
    source: str
    grade: str
    handling_code: str
    columns: dict[str, str]
    filters: dict[str, list[str]]
    years: tuple[int, int] | None
    duplicates: str
    missing: str
    qualifiers: dict[str, str]
    flags: dict[str, str]
    rules: list[Rule]


@dataclass
class StatusOverride:
    where: str
    country: str
    year: int
    indicator: str
    submarket: str | None
    category: str | None
    status: tuple[str, ...]
    reason: str
    used: int = 0

    def applies_to(self, key: tuple) -> bool:
        country, year, indicator, submarket, category = key
        return (country == self.country and year == self.year and indicator == self.indicator
                and self.submarket in (None, submarket) and self.category in (None, category))


@dataclass
class Mapping:
    path: Path
    years: tuple[int, int] | None
    countries: dict[str, str]
    duplicates: str
    sources: list[SourceEntry]
    overrides: list[StatusOverride]
    context: _Context


def _text_list(value, where: str, what: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or any(isinstance(v, (dict, list)) or v is None for v in values):
        raise MappingError(f"{where}: {what} must be a text or a list of texts")
    return [str(v) for v in values]


def _check_keys(data: dict, allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise MappingError(f"{where}: unknown key {key!r}{_did_you_mean(key, allowed)}; "
                               f"allowed keys: {', '.join(sorted(allowed))}")


def _years(value, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        first, last = (int(y) for y in value)
    except (TypeError, ValueError):
        raise MappingError(f"{where}: years must be two years, e.g. years: [2014, 2022]; found {value!r}") from None
    if first > last:
        raise MappingError(f"{where}: years {first}–{last} run backwards; write [first, last]")
    return first, last


def _choice(value, allowed, where: str, what: str) -> str:
    if value not in allowed:
        raise MappingError(f"{where}: {what} {value!r} is not known{_did_you_mean(value, allowed)}; "
                           f"use one of {', '.join(allowed)}")
    return value


def _status_list(value, known: dict[str, str], where: str) -> tuple[str, ...]:
    codes = [c for c in str(value or "").split("|") if c]
    for code in codes:
        if code not in known:
            raise MappingError(f"{where}: status {code!r} is not an observation-status code"
                               f"{_did_you_mean(code, known)}; codes: {', '.join(known)}")
    return tuple(codes)


def _decimal(value, where: str, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise MappingError(f"{where}: {what} {value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise MappingError(f"{where}: {what} must be a number above 0, e.g. 0.001 to turn grams into kg")
    return number


class _Context:
    """What a mapping is checked against: the reference in force for the data folder."""

    def __init__(self, reference: Reference):
        self.reference = reference
        self.indicators = reference.indicators
        self.countries = set(reference.countries.index)
        self.grades = reference.grade_codes()
        self.handling = reference.handling_codes()
        self.status = self._status_codes(reference)
        self.missing = self._missing_codes(reference)
        self.indicators_file = reference.project.reference_path("indicators.csv")

    @staticmethod
    def _status_codes(reference: Reference) -> dict[str, str]:
        """The code list in force (observation_status.csv), or SDMX CL_OBS_STATUS 2.2 as built in."""
        try:
            table = reference.observation_status
        except (AttributeError, ConfigError, KeyError):
            return dict(OBS_STATUS)
        return dict(zip(table["code"], table["name_en"]))

    @staticmethod
    def _missing_codes(reference: Reference) -> set[str]:
        try:
            table = reference.observation_status
        except (AttributeError, ConfigError, KeyError):
            return set(MISSING_STATUS)
        return set(table.index[table["missing"]])


def _load_rule(data, where: str, ctx: _Context) -> Rule:
    if not isinstance(data, dict):
        raise MappingError(f"{where}: a rule is a set of keys (match:, indicator: …), found {data!r}")
    _check_keys(data, RULE_KEYS, where)
    match = data.get("match") or {}
    regex = data.get("match_regex") or {}
    if not isinstance(match, dict) or not isinstance(regex, dict):
        raise MappingError(f"{where}: match and match_regex map a column name to what it must hold, "
                           "e.g. match: {{indicator: \"Drug seizures: heroin\"}}")
    if not match and not regex:
        raise MappingError(f"{where}: the rule has no match: or match_regex:, so it would take every row; "
                           "say which rows it takes")
    patterns = {}
    for column, pattern in regex.items():
        try:
            patterns[str(column)] = re.compile(str(pattern))
        except re.error as exc:
            raise MappingError(f"{where}, match_regex {column!r}: {pattern!r} is not a regular expression ({exc})") from None
    rule = Rule(where=where, match={str(c): _text_list(v, where, f"match {c!r}") for c, v in match.items()},
                match_regex=patterns)
    if ("indicator" in data) == ("skip" in data):
        raise MappingError(f"{where}: give either indicator: (where the rows go) or skip: (why they are left out)")
    if "skip" in data:
        rule.skip = str(data["skip"] or "").strip()
        if not rule.skip:
            raise MappingError(f"{where}: skip: needs the reason the rows are left out")
        return rule
    indicator = str(data["indicator"])
    if indicator not in ctx.indicators.index:
        raise MappingError(f"{where}: unknown indicator {indicator!r}{_did_you_mean(indicator, ctx.indicators.index)}; "
                           f"indicators in force are in {ctx.indicators_file}: add it there or correct the id")
    spec = ctx.indicators.loc[indicator]
    rule.indicator = indicator
    for column, allowed in (("submarket", spec["submarket_list"]), ("category", spec["category_list"])):
        value = str(data.get(column) or "")
        if allowed and value not in allowed:
            raise MappingError(f"{where}: indicator {indicator} needs {column}: one of {', '.join(allowed)}"
                               + (f"; {value!r} is not one{_did_you_mean(value, allowed)}" if value else ""))
        if not allowed and value:
            raise MappingError(f"{where}: indicator {indicator} has no {column}s in {ctx.indicators_file}; "
                               f"remove {column}: {value}")
        setattr(rule, column, value)
    if "factor" in data:
        rule.factor = _decimal(data["factor"], where, "factor")
    if data.get("months") is not None:
        months = data["months"]
        if not isinstance(months, int) or not 1 <= months <= 11:
            raise MappingError(f"{where}: months must be a whole number from 1 to 11 (a part-year figure); "
                               f"leave it out for a whole year")
        rule.months = months
    rule.status = _status_list(data.get("status"), ctx.status, where)
    missing = set(rule.status) & ctx.missing
    if missing:
        raise MappingError(f"{where}: a rule cannot declare the missing-value status {', '.join(sorted(missing))}; "
                           "missing values come from the source's own markers")
    return rule


def _load_source(data, index: int, mapping_path: Path, ctx: _Context, defaults: dict) -> SourceEntry:
    where = f"{mapping_path.name}, sources[{index}]"
    if not isinstance(data, dict):
        raise MappingError(f"{where}: each source is a set of keys (name:, file:, format: …)")
    if data.get("name"):
        where += f" {data['name']!r}"
    _check_keys(data, SOURCE_KEYS, where)
    for key in ("name", "file", "format", "source", "grade", "handling_code", "rules"):
        if not data.get(key):
            raise MappingError(f"{where}: {key}: is missing; every source entry declares name, file, format, "
                               "source, grade, handling_code and rules")
    fmt = _choice(data["format"], FORMATS, where, "format")
    path = source_path(mapping_path, str(data["file"]), where)
    if not path.is_file():
        nearby = [p.name for p in path.parent.glob("*")] if path.parent.is_dir() else []
        raise MappingError(f"{where}: file {data['file']!r} not found (looked for {path}){_did_you_mean(path.name, nearby)}; "
                           "file: is relative to the mapping file")
    grade = str(data["grade"])
    if grade not in ctx.grades:
        raise MappingError(f"{where}: grade {grade!r} is not a grade of the profile in force{_did_you_mean(grade, ctx.grades)}; "
                           f"use one of {', '.join(ctx.grades)}")
    handling = _choice(str(data["handling_code"]), ctx.handling, where, "handling_code")
    columns_spec = FORMAT_COLUMNS[fmt]
    columns = dict(columns_spec["defaults"])
    given = data.get("columns") or {}
    if not isinstance(given, dict):
        raise MappingError(f"{where}: columns: maps a role (country, year, value …) to a column name")
    allowed_roles = set(columns_spec["required"]) | set(columns_spec["optional"])
    _check_keys(given, allowed_roles, f"{where}, columns")
    columns.update({str(k): str(v) for k, v in given.items()})
    for role in columns_spec["required"]:
        if role not in columns:
            raise MappingError(f"{where}: columns: needs {role}: (the name of the column holding the {role})")
    filters = data.get("where") or {}
    if not isinstance(filters, dict):
        raise MappingError(f"{where}: where: maps a column name to the value(s) rows must have")
    qualifiers = dict(QUALIFIERS)
    for name, code in (data.get("qualifiers") or {}).items():
        qualifiers[str(name)] = "|".join(_status_list(code, ctx.status, f"{where}, qualifiers {name!r}"))
    flags = dict(EUROSTAT_FLAGS)
    for letter, code in (data.get("flags") or {}).items():
        flags[str(letter)] = "|".join(_status_list(code, ctx.status, f"{where}, flags {letter!r}"))
    rules_data = data["rules"]
    if not isinstance(rules_data, list):
        raise MappingError(f"{where}: rules: is a list, one '- match: …' item per series")
    rules = [_load_rule(r, f"{where}, rules[{i}]", ctx) for i, r in enumerate(rules_data, start=1)]
    return SourceEntry(
        where=where, name=str(data["name"]), file=Path(str(data["file"])).as_posix(), path=path, format=fmt,
        source=str(data["source"]).strip(), grade=grade, handling_code=handling, columns=columns,
        filters={str(c): _text_list(v, where, f"where {c!r}") for c, v in filters.items()},
        years=_years(data.get("years"), where) or defaults["years"],
        duplicates=_choice(data.get("duplicates", defaults["duplicates"]), DUPLICATE_RESOLUTIONS, where, "duplicates"),
        missing=_choice(data.get("missing", "keep"), MISSING_HANDLING, where, "missing"),
        qualifiers=qualifiers, flags=flags, rules=rules,
    )


def source_path(mapping_path: Path, file: str, where: str) -> Path:
    """The source file a mapping entry names, resolved inside the mapping's folder, or a
    :class:`MappingError`: an absolute path, a ``..`` leading out, or a symbolic link (of the file or of
    a folder on the way) whose target lies outside the folder are refused.

    A mapping is data, often received with its raw files: were ``file:`` free, ``/etc/hostname`` or
    ``../../restricted/ocg_register.csv`` would be read, imported as statistics and echoed in messages.
    The folder is the one the mapping file really lies in (``mapping_path`` is resolved)."""
    folder = Path(mapping_path).parent.resolve()
    given = Path(file)
    fix = (f"file: is a path relative to the mapping's folder {folder}, e.g. file: raw/table.csv; copy the source "
           "file into that folder (its raw/ folder) and name it so")
    if given.is_absolute() or given.drive or file.startswith(("/", "\\", "~")):
        raise MappingError(f"{where}: file {file!r} is an absolute path; refused: {fix}")
    path = (folder / given).resolve()
    if path.name in RESTRICTED_INPUTS:
        raise MappingError(f"{where}: file {file!r} is the restricted input {path.name}; refused: a mapping imports "
                           "published tables as statistics, and the OCG register's sizes, answers or notes would "
                           "become public figures. Name a published source file instead")
    if path.is_relative_to(folder):
        return path
    if ".." in given.parts or ".." in file.replace("\\", "/").split("/"):
        raise MappingError(f"{where}: file {file!r} leads out of the mapping's folder with '..' (to {path}); "
                           f"refused: {fix}")
    raise MappingError(f"{where}: file {file!r} is a symbolic link (or lies in a linked folder) to {path}, outside "
                       f"the mapping's folder; refused: {fix}, in place of the link")


def _load_override(data, index: int, mapping_path: Path, ctx: _Context) -> StatusOverride:
    where = f"{mapping_path.name}, status_overrides[{index}]"
    if not isinstance(data, dict):
        raise MappingError(f"{where}: an override is a set of keys: country, year, indicator, status, reason")
    _check_keys(data, OVERRIDE_KEYS, where)
    for key in ("country", "year", "indicator", "status", "reason"):
        if not data.get(key):
            raise MappingError(f"{where}: {key}: is missing; an override names country, year, indicator, the "
                               "status to add and the reason")
    indicator = str(data["indicator"])
    if indicator not in ctx.indicators.index:
        raise MappingError(f"{where}: unknown indicator {indicator!r}{_did_you_mean(indicator, ctx.indicators.index)}; "
                           f"indicators in force are in {ctx.indicators_file}")
    status = _status_list(data["status"], ctx.status, where)
    missing = set(status) & ctx.missing
    if missing:
        raise MappingError(f"{where}: an override cannot set the missing-value status {', '.join(sorted(missing))} "
                           "on a row that has a value")
    try:
        year = int(data["year"])
    except (TypeError, ValueError):
        raise MappingError(f"{where}: year {data['year']!r} is not a year") from None
    return StatusOverride(where=where, country=str(data["country"]), year=year, indicator=indicator,
                          submarket=None if data.get("submarket") is None else str(data["submarket"]),
                          category=None if data.get("category") is None else str(data["category"]),
                          status=status, reason=str(data["reason"]).strip())


def load_mapping(path: Path, reference: Reference) -> Mapping:
    """Read and check a mapping file against the reference in force; raise :class:`MappingError`."""
    path = Path(path).resolve()
    if not path.is_file():
        raise MappingError(f"{path}: mapping file not found; pass --mapping with the YAML file that declares "
                           "the sources (see data/README.md, 'The mapping file')")
    try:
        data = read_yaml(path, "the mapping", example="data/open/mapping.yaml")
    except ConfigError as exc:
        raise MappingError(str(exc)) from None
    if not isinstance(data, dict) or not data.get("sources"):
        raise MappingError(f"{path}: a mapping needs 'sources:', a list with one entry per source file")
    _check_keys(data, TOP_KEYS, path.name)
    if data.get("version", 1) != 1:
        raise MappingError(f"{path.name}: version {data['version']!r} is not supported; this socta reads version 1")
    ctx = _Context(reference)
    defaults = {"years": _years(data.get("years"), path.name),
                "duplicates": _choice(data.get("duplicates", "error"), DUPLICATE_RESOLUTIONS, path.name, "duplicates")}
    countries = data.get("countries") or {}
    if not isinstance(countries, dict):
        raise MappingError(f"{path.name}: countries: maps a source's country code or name to an ISO3 code")
    for raw, iso3 in countries.items():
        if str(iso3) not in ctx.countries:
            raise MappingError(f"{path.name}, countries {raw!r}: {iso3!r} is not in countries.csv"
                               f"{_did_you_mean(iso3, ctx.countries)}; countries in force: {', '.join(sorted(ctx.countries))}")
    if not isinstance(data["sources"], list):
        raise MappingError(f"{path.name}: sources: is a list, one '- name: …' entry per source")
    sources = [_load_source(s, i, path, ctx, defaults) for i, s in enumerate(data["sources"], start=1)]
    names = [s.name for s in sources]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise MappingError(f"{path.name}: source name(s) {', '.join(repeated)} used twice; give each entry its own name")
    overrides = [_load_override(o, i, path, ctx) for i, o in enumerate(data.get("status_overrides") or [], start=1)]
    return Mapping(path=path, years=defaults["years"], countries={str(k): str(v) for k, v in countries.items()},
                   duplicates=defaults["duplicates"], sources=sources, overrides=overrides, context=ctx)


# --------------------------------------------------------------------------------------------
# Reading the source formats: every reader yields one Observation per published value
# --------------------------------------------------------------------------------------------

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
    try:  # bounded: the file's size, and what a .gz expands to (socta/tableio.py caps)
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


def _months_from_note(note: str) -> int | None:
    match = MONTH_RANGE.search(note or "")
    if not match:
        return None
    first, last = (MONTHS.index(m.lower()[:3]) for m in match.groups())
    return last - first + 1 if last >= first else None


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
    others: list[str] = field(default_factory=list)  # discarded duplicate source rows, for provenance


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
        if obs.marker not in entry.qualifiers:
            raise _RowProblem(f"{where}: qualifier {obs.marker!r} is not known{_did_you_mean(obs.marker, entry.qualifiers)}; "
                              f"known: {', '.join(entry.qualifiers)}; declare it under qualifiers: in {entry.where}")
        qualifier = entry.qualifiers[obs.marker]
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
        lines += [f"    {n} × {label}" for label, n in groups[:limit]]
        if len(groups) > limit:
            lines.append(f"    … and {len(groups) - limit} more group(s)")
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
                            f"match:), or declare {setting} (first or max)")
            continue
        if resolution == "max":
            if any(r.numeric is None for r in group):
                problems.append(f"duplicate rows for {label}: {shown}; 'max' needs plain numbers on every row "
                                "(not '<N', '>N' or missing); use duplicates: first or narrow the rules")
                continue
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

    def statistics_frame(self) -> pd.DataFrame:
        return pd.DataFrame([_output_record(r) for r in self.rows], columns=OUTPUT_COLUMNS)


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
