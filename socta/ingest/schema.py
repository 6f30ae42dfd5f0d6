"""The input tables' schema: their files, columns, types and allowed codes (from the reference), the
problem a check reports, and the result of a validation."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from socta.core.config import Project
from socta.ingest.reference import Reference

PIPE_LIST = re.compile(r"^[^|]+(\|[^|]+)*$")

OCG_ID = r"^[A-Z]{3}-OCG-[0-9]{3}$"

CONFIDENCE = ["low", "moderate", "high"]

INPUT_FILES = ["statistics.csv", "ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv", "ocg_places.csv",
               "ocg_relations.csv"]


# an assessment can rest on statistics alone; without these the pages say what is missing
OPTIONAL_FILES = ("ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv", "ocg_places.csv", "ocg_relations.csv")

# how one group is linked to another (ocg_relations.csv)
RELATION_KINDS = ("cooperation", "supply", "service", "conflict")

# where a group is based and where it operates (ocg_places.csv): one base at most, any number of activities
PLACE_ROLES = ("base", "activity")


# "<5" (published as below 5), ">3300" (more than 3,300), ":" (not available)
CENSOR_MARK = r"^\s*([<>])\s*=?\s*"  # the mark, in statistics.csv and in a source table (socta import)
CENSORED = re.compile(CENSOR_MARK + r"(\d+(?:[.,]\d+)?)\s*$")

NOT_AVAILABLE = {"", ":"}


# what people write for "no value" instead of an empty cell (the data dictionary: empty, not 0, - or NA)
NA_WORDS = {"-", "–", "—", "na", "n/a", "n.a.", "nan", "null", "none", "..", "x", "?"}

LIST_SEPARATORS = re.compile(r"\s*[,;]\s*|\s*\|\s*|\s+")

THOUSANDS = re.compile(r"^-?\d{1,3}([,.' ]\d{3})+$")




@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    # problems of one kind are grouped in the report (the first 20, then "… and N more like this");
    # None: the file, column and message are the kind
    kind: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f": {self.value!r}"
        return f"{where}{value}: {self.expected}"

    @property
    def group(self) -> tuple:
        return (self.file, self.column if self.kind is None else "", self.kind or self.expected)


@dataclass
class Column:
    kind: str  # "str", "int", "float", "list", "observation"
    required: bool = True
    checks: list[pa.Check] = field(default_factory=list)
    expected: str = ""  # the allowed values in words, used in messages
    optional: bool = False  # the column may be left out of the file altogether
    allowed: list | None = None  # the allowed values, when there is a list of them (for "did you mean")


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
    lo, hi = project.settings.assessment.valid_years
    countries = list(ref.countries.index)
    grades = ref.grade_codes()
    handling = ref.handling_codes()
    year_check = [pa.Check.in_range(lo, hi)]
    year_words = f"a year from {lo} to {hi} (settings.yaml assessment.valid_years)"

    def col(kind, allowed=None, words=None, checks=None, required=True):
        if allowed is not None:
            allowed = list(allowed)
            checks, words = _isin(allowed, words)
        return Column(kind, required, checks or [], words or "", allowed=allowed)

    grade_col = col("str", grades, "a 4x4 grade: reliability A, B, C or X followed by information 1-4, e.g. B2")
    handling_col = col("str", handling)
    country_col = col("str", countries, f"an ISO3 code in countries.csv ({', '.join(countries)})")
    harm = {
        f"harm_{d}": col("int", checks=[pa.Check.in_range(0, 4)], words="a whole number from 0 (none) to 4 (very severe)")
        for d in ref.harm_dimensions.index
    }
    structures = project.settings.ocg_structures
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
        TableSpec(
            "ocg_places.csv",
            {
                "ocg_id": col("str", words="an ocg_id in ocg_register.csv"),
                "place": col("str", ref.places.index, "a place_id in places.csv"),
                "role": col("str", PLACE_ROLES, "base (where the group is based: one per group) or activity "
                                                "(a place where it operates)"),
                "grade": grade_col,
                "handling_code": handling_col,
            },
            key=["ocg_id", "place", "role"],
            restricted=True,
        ),
        TableSpec(
            "ocg_relations.csv",
            {
                "ocg_id": col("str", words="an ocg_id in ocg_register.csv"),
                "other_ocg_id": col("str", words="the ocg_id of another group (in ocg_register.csv, or another "
                                                 "country's)"),
                "kind": col("str", RELATION_KINDS, "cooperation, supply (one supplies the other), service (one "
                                                   "sells the other a crime service: violence, laundering, "
                                                   "documents) or conflict"),
                "grade": grade_col,
                "handling_code": handling_col,
            },
            key=["ocg_id", "other_ocg_id", "kind"],
            restricted=True,
        ),
    ]


MISSING_FILE_EFFECT = {
    "ocg_register.csv": "no OCG chapter figures, no OCG sub-scores in the threat score",
    "ocg_answers.csv": "no OCG threat scores",
    "expert_assessments.csv": "no harm score, no expert trend or outlook; priorities rest on threat alone",
    "ocg_places.csv": "no map of where the groups are based and operate",
    "ocg_relations.csv": "nothing on how the groups are linked to one another",
}


def empty_table(spec: TableSpec) -> pd.DataFrame:
    """An input table with no rows, typed as a read one would be: what an absent optional file gives."""
    dtypes = {"int": "Int64", "float": "float64", "observation": "float64"}
    frame = pd.DataFrame({name: pd.Series(dtype=dtypes.get(c.kind, "str")) for name, c in spec.columns.items()})
    return frame
