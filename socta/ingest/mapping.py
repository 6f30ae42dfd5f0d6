"""The mapping file of ``socta import``: which published source tables become which rows of
``statistics.csv``, read and checked before any source is opened."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from socta.core.config import RESTRICTED_INPUTS, ConfigError, read_yaml
from socta.core.text import did_you_mean
from socta.ingest.reference import Reference
from socta.ingest.schema import CENSOR_MARK

# Eurostat flags → CL_OBS_STATUS. ':' (not available) has no letter; it is handled as a missing value.
EUROSTAT_FLAGS = {"b": "B", "c": "Q", "d": "D", "e": "E", "f": "F", "n": "N", "p": "P", "s": "S", "u": "U",
                  "z": "M"}

# What the qualifier column of a long CSV means (indicator_values.csv style). A qualifier maps to
# a status code, or to one of the special treatments below. A mapping may add its own.
QUALIFIERS = {"reported": "", "approx": "E", "lower_bound": ">", "partial_year": "months", "suppressed_lt5": "<5"}

FORMATS = ("long_csv", "eurostat_tsv", "unodc")


# the columns each format needs, and the defaults a mapping may leave out
FORMAT_COLUMNS = {
    "long_csv": {"required": ("country", "year", "value"),
                 "optional": ("value_as_published", "qualifier", "note", "status", "months"), "defaults": {}},
    "eurostat_tsv": {"required": ("country",), "optional": (), "defaults": {"country": "geo"}},
    "unodc": {"required": ("country", "year", "value"), "optional": ("note",),
              "defaults": {"country": "Iso3_code", "year": "Year", "value": "VALUE"}},
}


DUPLICATE_RESOLUTIONS = ("error", "first", "max", "sum")

MISSING_HANDLING = ("keep", "skip")

TOP_KEYS = {"version", "description", "years", "countries", "duplicates", "duplicates_reason", "sources",
            "status_overrides"}

SOURCE_KEYS = {"name", "file", "format", "source", "grade", "handling_code", "columns", "where", "years",
               "duplicates", "duplicates_reason", "missing", "qualifiers", "flags", "rules", "description"}


RULE_KEYS = {"match", "match_regex", "indicator", "submarket", "category", "factor", "months", "status", "skip",
             "note"}


OVERRIDE_KEYS = {"country", "year", "indicator", "submarket", "category", "status", "reason"}

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


# a censored value as a source publishes it ("<5", "> 3,300"): validation's marker, any number after it (the
# import reads the number itself, with the source's separators)
CENSORED = re.compile(CENSOR_MARK + r"(.+)$")

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


# "Jan-Apr 2025", "January–June": a part of the year named by its first and last month
MONTH_RANGE = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]*\.?\s*[-–—]\s*(" + "|".join(MONTHS) + r")[a-z]*",
                         re.IGNORECASE)


class MappingError(ConfigError):
    """The mapping file is wrong; the message names the file, the entry and the fix."""


def _did_you_mean(word: str, choices) -> str:
    """" (did you mean 'x'?)" for a key, a name or a code of the mapping file (text.did_you_mean, names: the close
    match alone)."""
    return did_you_mean(word, choices, codes=False)


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
    duplicates_reason: str = ""


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
    duplicates_reason: str = ""


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
        # the SDMX CL_OBS_STATUS code list in force (observation_status.csv), as validation reads it
        codes = reference.observation_status
        self.status = dict(zip(codes["code"], codes["name_en"]))
        self.missing = set(codes.index[codes["missing"]])
        self.indicators_file = reference.project.reference_path("indicators.csv")


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
        duplicates_reason=_sum_reason(data, where, defaults),
    )


def _sum_reason(data: dict, where: str, defaults: dict | None = None) -> str:
    """``duplicates: sum`` adds rows the source itself does not add (a source's "other forms", split
    over unnamed rows): allowed only with the reason written beside it, which the import reports."""
    resolution = data.get("duplicates", (defaults or {}).get("duplicates"))
    reason = str(data.get("duplicates_reason") or "").strip() or (defaults or {}).get("duplicates_reason", "")
    if resolution == "sum" and not reason:
        raise MappingError(f"{where}: duplicates: sum adds rows that the source does not add up itself; say why they make "
                           "the whole, with its source, in duplicates_reason: (e.g. \"the publisher's table lists 'other "
                           "forms' in three unnamed rows; its total row is their sum\")")
    return reason


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
    defaults["duplicates_reason"] = _sum_reason(data, path.name)
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
                   duplicates=defaults["duplicates"], sources=sources, overrides=overrides, context=ctx,
                   duplicates_reason=defaults["duplicates_reason"])


# --------------------------------------------------------------------------------------------
# Reading the source formats: every reader yields one Observation per published value
# --------------------------------------------------------------------------------------------
