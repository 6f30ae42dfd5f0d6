"""Check every input table before anything runs, and report every problem at once.

Each problem names the file, the spreadsheet row (the header is row 1), the column, the value and
what is expected, so an analyst can fix the source file without reading code. Structure and types
are checked here; value rules are declared as pandera schemas built from the reference in force.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .config import Project
from .reference import Reference
from .tableio import CsvTable, TableError, read_csv_table

PIPE_LIST = re.compile(r"^[^|]+(\|[^|]+)*$")
ISO3 = re.compile(r"^[A-Z]{3}$")
OCG_ID = r"^[A-Z]{3}-OCG-[0-9]{3}$"
CONFIDENCE = ["low", "moderate", "high"]
INPUT_FILES = ["statistics.csv", "ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv"]
# an assessment can rest on statistics alone; without these the pages say what is missing
OPTIONAL_FILES = ("ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv")
# "<5" (published as below 5), ">3300" (more than 3,300), ":" (not available)
CENSORED = re.compile(r"^\s*([<>])\s*=?\s*(\d+(?:[.,]\d+)?)\s*$")
NOT_AVAILABLE = {"", ":"}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f": {self.value!r}"
        return f"{where}{value}: {self.expected}"


@dataclass
class Column:
    kind: str  # "str", "int", "float", "list"
    required: bool = True
    checks: list[pa.Check] = field(default_factory=list)
    expected: str = ""  # the allowed values in words, used in messages
    optional: bool = False  # the column may be left out of the file altogether


@dataclass
class TableSpec:
    file: str
    columns: dict[str, Column]
    key: list[str]
    restricted: bool = False


@dataclass
class ValidationResult:
    problems: list[Problem]
    tables: dict[str, pd.DataFrame]
    notes: list[str]
    warnings: list[str] = field(default_factory=list)  # grouped coverage findings: the data have holes

    @property
    def ok(self) -> bool:
        return not self.problems


def _isin(values, words: str | None = None) -> tuple[list[pa.Check], str]:
    values = list(values)
    shown = ", ".join(map(str, values[:12])) + (" …" if len(values) > 12 else "")
    return [pa.Check.isin(values)], words or f"one of {shown}"


def table_specs(project: Project, ref: Reference) -> list[TableSpec]:
    """The input tables and their rules, built from the reference configuration in force."""
    lo, hi = project.settings["assessment"]["valid_years"]
    countries = list(ref.countries.index)
    grades = ref.grade_codes()
    handling = ref.handling_codes()
    year_check = [pa.Check.in_range(lo, hi)]
    year_words = f"a year from {lo} to {hi} (settings.yaml assessment.valid_years)"

    def col(kind, allowed=None, words=None, checks=None, required=True):
        if allowed is not None:
            checks, words = _isin(allowed, words)
        return Column(kind, required, checks or [], words or "")

    grade_col = col("str", grades, "a 4x4 grade: reliability A, B, C or X followed by information 1-4, e.g. B2")
    handling_col = col("str", handling)
    country_col = col("str", countries, f"an ISO3 code in countries.csv ({', '.join(countries)})")
    harm = {
        f"harm_{d}": col("int", checks=[pa.Check.in_range(0, 4)], words="a whole number from 0 (none) to 4 (very severe)")
        for d in ref.harm_dimensions.index
    }
    structures = project.settings.get("ocg_structures", ["hierarchical", "cell", "network", "loose"])
    return [
        TableSpec(
            "statistics.csv",
            {
                "country": country_col,
                "year": col("int", checks=year_check, words=year_words),
                "indicator": col("str", ref.indicators.index,
                                 f"an indicator_id of the indicators.csv in force ({project.reference_path('indicators.csv')}): "
                                 "add the indicator there, or remove these rows"),
                "submarket": col("str", required=False),
                "category": col("str", required=False),
                "value": Column("observation", required=False, checks=[pa.Check.ge(0)],
                                expected="a number of 0 or more, '<N' (published as below N), '>N' (more than N), "
                                         "or empty with a missing-value status (L, M, O, Q)"),
                "unit": col("str", words="the indicator's unit in indicators.csv"),
                "source": col("str", words="the source of the figure, e.g. Ministry of Interior, annual statistics"),
                "grade": grade_col,
                "handling_code": handling_col,
                "status": Column("list", required=False, optional=True, checks=[],
                                 expected="SDMX observation-status codes from observation_status.csv separated by |, "
                                          "e.g. E or B|P (empty: a normal value)"),
                "months": Column("int", required=False, optional=True, checks=[pa.Check.in_range(1, 11)],
                                 expected="the months a part-year figure covers, 1 to 11 (empty: the whole year)"),
            },
            key=["country", "year", "indicator", "submarket", "category"],
        ),
        TableSpec(
            "ocg_register.csv",
            {
                "ocg_id": col("str", checks=[pa.Check.str_matches(OCG_ID)], words="a pseudonymous id like SRB-OCG-007"),
                "country": country_col,
                "size": col("int", checks=[pa.Check.ge(2)], words="a whole number of members, 2 or more"),
                "structure": col("str", structures),
                "nationalities": col("list", words="ISO3 codes separated by |, e.g. SRB|BIH"),
                "countries_active": col("list", words="ISO3 codes separated by |, including the reporting country"),
                "crime_areas": col("list", words="crime area ids from crime_areas.csv separated by |"),
                "first_reported": col("int", checks=year_check, words=year_words),
                "grade": grade_col,
                "handling_code": handling_col,
                "notes": Column("str", required=False, optional=True, expected="free text (restricted)"),
            },
            key=["ocg_id"],
            restricted=True,
        ),
        TableSpec(
            "ocg_answers.csv",
            {
                "ocg_id": col("str", words="an ocg_id in ocg_register.csv"),
                "indicator": col("str", ref.ocg_indicators.index, "an indicator_id in ocg_indicators.csv"),
                "answer": col("str", ref.answer_scale.index),
                "grade": grade_col,
                "handling_code": handling_col,
            },
            key=["ocg_id", "indicator"],
            restricted=True,
        ),
        TableSpec(
            "expert_assessments.csv",
            {
                "country": country_col,
                "area": col("str", ref.top_areas.index,
                            f"a top-level crime area id in crime_areas.csv ({', '.join(ref.top_areas.index)})"),
                "respondent": col("str", words="a pseudonymous respondent id, e.g. R01"),
                "trend": col("int", checks=[pa.Check.in_range(-2, 2)], words="a whole number from -2 to 2"),
                "scale": col("int", checks=[pa.Check.in_range(0, 4)], words="a whole number from 0 to 4"),
                **harm,
                "outlook": col("int", checks=[pa.Check.in_range(-2, 2)], words="a whole number from -2 to 2"),
                "confidence": col("str", CONFIDENCE),
            },
            key=["country", "area", "respondent"],
        ),
    ]


def _check_columns(spec: TableSpec, frame: pd.DataFrame) -> list[Problem]:
    problems = []
    expected = list(spec.columns)
    extra = [c for c in frame.columns if c not in spec.columns]
    for name in expected:
        if name in frame.columns or spec.columns[name].optional:
            continue
        guess = difflib.get_close_matches(name, extra, n=1, cutoff=0.6)
        hint = f"; the file has {guess[0]!r}: rename it to {name!r}" if guess else ""
        problems.append(Problem(spec.file, 1, name, None, f"required column is missing{hint}"))
    for name in extra:
        guess = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
        hint = f"did you mean {guess[0]!r}?" if guess else "remove it"
        problems.append(
            Problem(spec.file, 1, name, None, f"unexpected column ({hint}); expected columns: {', '.join(expected)}")
        )
    return problems


def _parse_types(spec: TableSpec, frame: pd.DataFrame, written: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn text cells into typed columns; report empty required cells and cells that are not numbers.

    ``frame`` is what the reader parsed (decimal commas already converted), ``written`` the cells as
    in the file: problems quote the latter, so the analyst can search for them.
    """
    problems: list[Problem] = []
    typed = frame[list(spec.columns)].copy()
    for name, column in spec.columns.items():
        cells = frame[name]
        empty = cells.eq("")
        if column.required:
            for i in cells.index[empty]:
                problems.append(Problem(spec.file, i + 2, name, "", f"empty; a value is required ({column.expected or column.kind})"))
        if column.kind == "observation":
            typed, more = _parse_observations(spec.file, name, cells, written[name], typed)
            problems.extend(more)
            continue
        if column.kind in ("int", "float"):
            numbers = pd.to_numeric(cells.where(~empty), errors="coerce")
            # "inf", "-Infinity" parse as numbers but are not values anyone can use
            numbers = numbers.where(np.isfinite(numbers.astype("float64")))
            for i in cells.index[numbers.isna() & ~empty]:
                what = "a whole number" if column.kind == "int" else "a number"
                problems.append(Problem(spec.file, i + 2, name, cells[i], f"is not {what}; expected {column.expected or what}"))
            if column.kind == "int":
                fractional = numbers.notna() & (numbers % 1 != 0)
                for i in cells.index[fractional]:
                    problems.append(Problem(spec.file, i + 2, name, written.at[i, name], "is not a whole number"))
                numbers = numbers.where(~fractional).astype("Int64")
            typed[name] = numbers
        elif column.kind == "list":
            bad = ~empty & ~cells.str.match(PIPE_LIST)
            for i in cells.index[bad]:
                problems.append(Problem(spec.file, i + 2, name, cells[i], f"is not a list; expected {column.expected}"))
    return typed, problems


def _parse_observations(file: str, name: str, cells: pd.Series, written: pd.Series,
                        typed: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """A value cell: a number, ``<N``/``>N`` (censored: ``censor`` below/above, ``bound`` N), or
    not available (empty or ``:``; the status must then say why, checked in the cross-checks)."""
    problems = []
    text = cells.fillna("").astype(str).str.strip()
    match = text.str.extract(CENSORED)
    censored = match[0].notna()
    numbers = pd.to_numeric(text.where(~censored & ~text.isin(NOT_AVAILABLE)), errors="coerce")
    numbers = numbers.where(np.isfinite(numbers.astype("float64")))
    bad = numbers.isna() & ~censored & ~text.isin(NOT_AVAILABLE)
    for i in cells.index[bad]:
        problems.append(Problem(file, i + 2, name, written[i], "is not a number; expected a number of 0 or more, "
                                "'<N' for a value published as below N, '>N' for more than N, or ':' / empty when "
                                "not available"))
    typed[name] = numbers.astype("float64")
    typed["censor"] = match[0].map({"<": "below", ">": "above"}).fillna("").astype(str)
    typed["bound"] = pd.to_numeric(match[1].str.replace(",", ".", regex=False), errors="coerce")
    return typed, problems


def _schema(spec: TableSpec) -> pa.DataFrameSchema:
    columns = {
        name: pa.Column(
            # text columns: no dtype check (pandas 3 reads them as its string dtype, not object)
            {"int": "Int64", "float": "float64", "observation": "float64"}.get(c.kind),
            checks=c.checks, nullable=True, coerce=False,
        )
        for name, c in spec.columns.items()
    }
    return pa.DataFrameSchema(columns, strict=False)


def _schema_problems(spec: TableSpec, typed: pd.DataFrame, frame: pd.DataFrame) -> list[Problem]:
    """Value rules; each failing cell is reported with its text as written in the file."""
    try:
        _schema(spec).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = []
        for case in exc.failure_cases.itertuples(index=False):
            if case.index is None or pd.isna(case.index) or case.column not in frame.columns:
                continue
            index = int(case.index)
            written = frame.at[index, case.column]
            if written == "":
                continue  # an empty cell is reported by _parse_types if required, else allowed
            column = spec.columns.get(case.column)
            words = column.expected if column else str(case.check)
            problems.append(Problem(spec.file, index + 2, case.column, written, f"not allowed; expected {words}"))
        return problems
    return []


def _duplicate_keys(spec: TableSpec, frame: pd.DataFrame) -> list[Problem]:
    dup = frame.duplicated(subset=spec.key, keep=False)
    problems = []
    first_row: dict[tuple, int] = {}
    for i in frame.index[dup]:
        key = tuple(frame.loc[i, spec.key])
        if key not in first_row:
            first_row[key] = i + 2
            continue
        shown = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key) if v != "")
        problems.append(
            Problem(spec.file, i + 2, "+".join(spec.key), shown,
                    f"duplicate key: the same {', '.join(spec.key)} as row {first_row[key]}; keep one row")
        )
    return problems


def _cross_checks(tables: dict[str, pd.DataFrame], raw: dict[str, pd.DataFrame], ref: Reference) -> list[Problem]:
    """Rules that need other tables or the reference: units, sub-markets, OCG links."""
    problems: list[Problem] = []
    stats = tables.get("statistics.csv")
    if stats is not None:
        indicators = ref.indicators.to_dict("index")
        # plain dicts, not DataFrame.iterrows(): a national file may have tens of thousands of rows
        for i, row in zip(stats.index, stats.to_dict("records")):
            spec = indicators.get(row["indicator"])
            if spec is None:
                continue
            if row["unit"] and row["unit"] != spec["unit"]:
                problems.append(Problem("statistics.csv", i + 2, "unit", row["unit"], f"indicator {row['indicator']} is measured in {spec['unit']!r}"))
            for column, allowed in (("submarket", spec["submarket_list"]), ("category", spec["category_list"])):
                value = row[column]
                if allowed and value not in allowed:
                    problems.append(Problem("statistics.csv", i + 2, column, value, f"indicator {row['indicator']} needs one of {', '.join(allowed)}"))
                elif not allowed and value:
                    problems.append(Problem("statistics.csv", i + 2, column, value, f"indicator {row['indicator']} has no {column}s; leave it empty"))
            if spec["kind"] == "count" and row.get("censor") and pd.notna(row.get("bound")) and float(row["bound"]) % 1:
                problems.append(Problem("statistics.csv", i + 2, "value", raw["statistics.csv"].at[i, "value"],
                                        f"indicator {row['indicator']} is a count: the threshold of '<N' or '>N' "
                                        "must be a whole number"))
            if spec["kind"] == "count" and pd.notna(row["value"]) and float(row["value"]) % 1:
                problems.append(Problem("statistics.csv", i + 2, "value", raw["statistics.csv"].at[i, "value"],
                                        f"indicator {row['indicator']} is a count: a whole number is expected"))
    register = tables.get("ocg_register.csv")
    if register is not None:
        areas = set(ref.areas.index)
        for i, row in zip(register.index, register.to_dict("records")):
            for column in ("nationalities", "countries_active"):
                codes = [c for c in str(row[column]).split("|") if c]
                bad = [c for c in codes if not ISO3.match(c)]
                if bad:
                    problems.append(Problem("ocg_register.csv", i + 2, column, row[column], f"{', '.join(bad)} not an ISO3 code (three capital letters)"))
            active = str(row["countries_active"]).split("|")
            if row["country"] and row["country"] not in active:
                problems.append(Problem("ocg_register.csv", i + 2, "countries_active", row["countries_active"], f"must include the reporting country {row['country']}"))
            unknown = [a for a in str(row["crime_areas"]).split("|") if a and a not in areas]
            if unknown:
                problems.append(Problem("ocg_register.csv", i + 2, "crime_areas", row["crime_areas"], f"unknown crime area(s) {', '.join(unknown)}; expected ids from crime_areas.csv"))
        answers = tables.get("ocg_answers.csv")
        if answers is not None:
            known = set(register["ocg_id"])
            for i in answers.index[~answers["ocg_id"].isin(known)]:
                problems.append(Problem("ocg_answers.csv", i + 2, "ocg_id", answers.at[i, "ocg_id"], "no OCG with this id in ocg_register.csv"))
    return problems


def validate(project: Project) -> ValidationResult:
    """Validate every input table of the project's data folder; never modifies the files."""
    ref = Reference(project)
    problems: list[Problem] = []
    notes: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    raw: dict[str, pd.DataFrame] = {}
    warnings: list[str] = []
    for spec in table_specs(project, ref):
        path: Path = project.input_path(spec.file)
        numeric = {n for n, c in spec.columns.items() if c.kind in ("int", "float", "observation")}
        if spec.file in OPTIONAL_FILES and not path.exists():
            tables[spec.file] = empty_table(spec)
            warnings.append(f"{spec.file}: not in the data folder; the assessment rests on the other files, and "
                            f"the pages that need it say so ({MISSING_FILE_EFFECT[spec.file]}).")
            continue
        try:
            read: CsvTable = read_csv_table(path, numeric_columns=numeric)
        except TableError as exc:
            problems.append(Problem(spec.file, None, None, None, str(exc).split(": ", 1)[-1]))
            continue
        notes.extend(read.notes)
        column_problems = _check_columns(spec, read.frame)
        problems.extend(column_problems)
        if any(p.expected.startswith("required column") for p in column_problems):
            continue
        for name, column in spec.columns.items():
            if column.optional and name not in read.frame.columns:
                read.frame[name] = ""
                read.as_written[name] = ""
        typed, type_problems = _parse_types(spec, read.frame, read.as_written)
        problems.extend(type_problems)
        problems.extend(_schema_problems(spec, typed, read.as_written))
        problems.extend(_duplicate_keys(spec, read.frame))
        tables[spec.file] = typed
        raw[spec.file] = read.as_written
    problems.extend(_cross_checks(tables, raw, ref))
    if "statistics.csv" in tables:
        problems.extend(_status_checks(tables["statistics.csv"], raw["statistics.csv"], ref))
    if "ocg_answers.csv" in raw and "ocg_register.csv" not in raw and len(tables["ocg_answers.csv"]):
        problems.append(Problem("ocg_answers.csv", None, None, None,
                                "answers without ocg_register.csv: add the register, or remove ocg_answers.csv"))
    problems.extend(_demo_copy(project))
    if not problems:
        from .coverage import coverage_warnings

        warnings.extend(coverage_warnings(project, ref, tables))
    return ValidationResult(sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "")), tables, notes,
                            warnings)


MISSING_FILE_EFFECT = {
    "ocg_register.csv": "no OCG chapter figures, no OCG sub-scores in the threat score",
    "ocg_answers.csv": "no OCG threat scores",
    "expert_assessments.csv": "no harm score, no expert trend or outlook; priorities rest on threat alone",
}


def empty_table(spec: TableSpec) -> pd.DataFrame:
    """An input table with no rows, typed as a read one would be: what an absent optional file gives."""
    dtypes = {"int": "Int64", "float": "float64", "observation": "float64"}
    frame = pd.DataFrame({name: pd.Series(dtype=dtypes.get(c.kind, "str")) for name, c in spec.columns.items()})
    return frame


def _status_checks(stats: pd.DataFrame, written: pd.DataFrame, ref: Reference) -> list[Problem]:
    """Observation status codes are known; an empty value says why it is missing; a missing-value
    status carries no number."""
    problems = []
    known = ref.observation_status
    missing_codes = set(known.index[known["missing"]])
    codes = stats["status"].fillna("").astype(str).str.split("|")
    for i, row_codes in zip(stats.index, codes):
        row_codes = [c for c in row_codes if c]
        unknown = [c for c in row_codes if c not in known.index]
        if unknown:
            guess = difflib.get_close_matches(unknown[0].upper(), list(known.index), n=1)
            hint = f" (did you mean {guess[0]!r}? codes are capital letters)" if guess else ""
            problems.append(Problem("statistics.csv", i + 2, "status", written.at[i, "status"],
                                    f"unknown observation status{hint}; expected codes from observation_status.csv: "
                                    f"{', '.join(known.index)}, separated by |"))
            continue
        has_number = pd.notna(stats.at[i, "value"]) or stats.at[i, "censor"] != ""
        says_missing = bool(missing_codes & set(row_codes))
        cell = str(written.at[i, "value"]).strip()
        # ':' is how official tables print "not available": it says so itself; an empty cell must say why
        if not has_number and not says_missing and cell == "":
            problems.append(Problem("statistics.csv", i + 2, "value", written.at[i, "value"],
                                    "no value: write the number, '<N' if published as below N, ':' if not "
                                    "available, or leave it empty "
                                    "with status O (missing), L (not collected), M (cannot exist) or Q (suppressed)"))
        elif has_number and says_missing:
            problems.append(Problem("statistics.csv", i + 2, "status", written.at[i, "status"],
                                    "says the value is missing, but the row has one: remove the status or the value"))
    return problems


def _demo_copy(project: Project) -> list[Problem]:
    """A folder that calls itself real must not carry the synthetic demonstration files."""
    import hashlib

    from .config import DEFAULT_DATA_DIR

    if project.dataset.get("synthetic") or project.data_dir == DEFAULT_DATA_DIR.resolve():
        return []
    problems = []
    for name in INPUT_FILES:
        own, demo = project.input_path(name), DEFAULT_DATA_DIR / name
        if own.is_file() and demo.is_file() and \
                hashlib.sha256(own.read_bytes()).digest() == hashlib.sha256(demo.read_bytes()).digest():
            problems.append(Problem(name, None, None, None,
                                    "is the synthetic demonstration file of data/demo/, but dataset.yaml says "
                                    "'synthetic: false': remove it (the file is optional unless it is statistics.csv) "
                                    "or replace it with your real data"))
    return problems
