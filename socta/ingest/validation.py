"""Check every input table before anything runs, and report every problem at once.

Each problem names the file, the row (the file's own line number, as a spreadsheet shows it: the
header is row 1), the column, the value and what is expected, so an analyst can fix the source file
without reading code. Structure and types are checked here; value rules are declared as pandera
schemas built from the reference in force. A line that cannot be read, a missing column or a
refused cell does not hide the file's other problems: the rest is still checked.

Beyond the rules of the data dictionary, values are checked for plausibility (settings.yaml
``plausibility``): a value orders of magnitude away from its own series, a count larger than the
country's population, or a figure beyond any real one is a problem to confirm or correct, so a
typing or unit error never reaches a trend.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from socta.core.config import DEMO_DIRS, ConfigError, Project
from socta.core.tableio import CsvTable, TableError, formula_cells, neutralise, read_csv_table
from socta.core.text import closest, did_you_mean, listed
from socta.ingest.coverage import coverage_warnings, period_warning
from socta.ingest.reference import ISO3, Reference
from socta.ingest.schema import (
    CENSORED,
    INPUT_FILES,
    LIST_SEPARATORS,
    MISSING_FILE_EFFECT,
    NA_WORDS,
    NOT_AVAILABLE,
    OPTIONAL_FILES,
    PIPE_LIST,
    THOUSANDS,
    Problem,
    TableSpec,
    ValidationResult,
    empty_table,
    table_specs,
)


def _check_columns(spec: TableSpec, frame: pd.DataFrame) -> list[Problem]:
    problems = []
    expected = list(spec.columns)
    extra = [c for c in frame.columns if c not in spec.columns]
    for name in expected:
        if name in frame.columns or spec.columns[name].optional:
            continue
        guess = closest(name, extra)
        hint = f"; the file has {guess!r}: rename it to {name!r}" if guess else ""
        problems.append(Problem(spec.file, 1, name, None, f"required column is missing{hint}; "
                                "the file's other columns were still checked"))
    for name in extra:
        guess = closest(name, expected)
        hint = f"did you mean {guess!r}?" if guess else "remove it"
        problems.append(
            Problem(spec.file, 1, name, None, f"unexpected column ({hint}); expected columns: {', '.join(expected)}")
        )
    return problems


def _not_a_number_hint(text: str) -> str:
    """Why a cell is not a number, when it looks like a common mistake, with the fix."""
    t = str(text).strip()
    if t.casefold() in NA_WORDS:
        return (f"; {t!r} is not how a missing value is written: leave the cell empty with status O (missing), "
                "or write ':'")
    if THOUSANDS.match(t):
        plain = re.sub(r"[,.' ]", "", t)
        return f"; write it without the thousands separator: {plain}"
    return ""


def _parse_types(spec: TableSpec, frame: pd.DataFrame, written: pd.DataFrame,
                 absent: frozenset[str] = frozenset()) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn text cells into typed columns; report empty required cells and cells that are not numbers.

    ``frame`` is what the reader parsed (decimal commas already converted), ``written`` the cells as
    in the file: problems quote the latter, so the analyst can search for them. ``absent``: required
    columns missing from the file (reported once, as a missing column, not once per row).
    """
    problems: list[Problem] = []
    typed = frame[list(spec.columns)].copy()
    for name, column in spec.columns.items():
        cells = frame[name]
        empty = cells.eq("")
        if column.required and name not in absent:
            for i in cells.index[empty]:
                problems.append(Problem(spec.file, i + 2, name, "",
                                        f"empty; a value is required ({column.expected or column.kind})",
                                        kind="empty required"))
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
                problems.append(Problem(spec.file, i + 2, name, cells[i], f"is not {what}; expected "
                                        f"{column.expected or what}{_not_a_number_hint(cells[i])}",
                                        kind=f"not a number:{name}"))
            if column.kind == "int":
                fractional = numbers.notna() & (numbers % 1 != 0)
                for i in cells.index[fractional]:
                    problems.append(Problem(spec.file, i + 2, name, written.at[i, name], "is not a whole number"))
                numbers = numbers.where(~fractional).astype("Int64")
            typed[name] = numbers
        elif column.kind == "list":
            spaced = ~empty & cells.str.contains(r"[,;]|\s", regex=True)
            for i in cells.index[spaced]:
                items = [x for x in LIST_SEPARATORS.split(cells[i]) if x]
                problems.append(Problem(spec.file, i + 2, name, cells[i],
                                        f"a list is written with | between its items and no spaces: write "
                                        f"{'|'.join(items)}", kind="list format"))
            bad = ~empty & ~spaced & ~cells.str.match(PIPE_LIST)
            for i in cells.index[bad]:
                items = [x for x in cells[i].split("|") if x]
                problems.append(Problem(spec.file, i + 2, name, cells[i],
                                        f"is not a list; expected {column.expected} (write {'|'.join(items)}: "
                                        "no | at the start, at the end or twice in a row)", kind="list format"))
            typed[name] = cells.where(~spaced, "")  # reported once, not again as an unknown code
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
                                f"not available{_not_a_number_hint(written[i])}", kind=f"not a number:{name}"))
    typed[name] = numbers.astype("float64")
    typed["censor"] = match[0].map({"<": "below", ">": "above"}).fillna("").astype(str)
    typed["bound"] = pd.to_numeric(match[1].str.replace(",", ".", regex=False), errors="coerce")
    # the precision it was published with: 0.07 kg prints 0.07, 84.5 prints 84.5, never rounded away
    written_number = match[1].where(censored, text)
    typed["decimals"] = written_number.str.extract(r"[.,](\d+)$")[0].str.len().fillna(0).astype("int64")
    return typed, problems


def _schema(spec: TableSpec, skip: frozenset[str] = frozenset()) -> pa.DataFrameSchema:
    columns = {
        name: pa.Column(
            # text columns: no dtype check (pandas 3 reads them as its string dtype, not object)
            {"int": "Int64", "float": "float64", "observation": "float64"}.get(c.kind),
            checks=c.checks, nullable=True, coerce=False,
        )
        for name, c in spec.columns.items() if name not in skip
    }
    return pa.DataFrameSchema(columns, strict=False)


def _schema_problems(spec: TableSpec, typed: pd.DataFrame, frame: pd.DataFrame,
                     skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Value rules; each failing cell is reported with its text as written in the file, and a
    suggestion when the value is close to an allowed one."""
    try:
        _schema(spec, skip).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = []
        hints: dict[tuple[str, str], str] = {}
        cases = exc.failure_cases
        cases = cases[cases["index"].notna() & cases["column"].isin(list(frame.columns))]
        for column_name, index in zip(cases["column"], cases["index"]):
            index = int(index)
            written = frame.at[index, column_name]
            if written == "":
                continue  # an empty cell is reported by _parse_types if required, else allowed
            column = spec.columns.get(column_name)
            words = column.expected if column else "an allowed value"
            hint = ""
            if column is not None and column.allowed:
                key = (column_name, written)
                if key not in hints:
                    hints[key] = did_you_mean(written, column.allowed)
                hint = hints[key]
            problems.append(Problem(spec.file, index + 2, column_name, written, f"not allowed{hint}; expected {words}",
                                    kind=f"not allowed:{column_name}"))
        return problems
    return []


def _duplicate_keys(spec: TableSpec, frame: pd.DataFrame) -> list[Problem]:
    """Rows whose key repeats an earlier row's, each naming the first row (vectorised: a national
    file may have hundreds of thousands of rows)."""
    if any(k not in frame.columns for k in spec.key):
        return []
    keys = frame[spec.key]
    dup = keys.duplicated(keep="first")
    if not dup.any():
        return []
    group = keys.groupby(spec.key, sort=False, dropna=False).ngroup()
    first = pd.Series(frame.index, index=frame.index).groupby(group.to_numpy()).transform("min")
    what = ", ".join(spec.key)
    problems = []
    for i, j, values in zip(frame.index[dup], first[dup], keys[dup].itertuples(index=False, name=None)):
        shown = ", ".join(f"{k}={v}" for k, v in zip(spec.key, values) if v != "")
        problems.append(Problem(spec.file, int(i) + 2, "+".join(spec.key), shown,
                                f"duplicate key: the same {what} as row {int(j) + 2}; keep one row",
                                kind="duplicate key"))
    return problems


def _text_columns(spec: TableSpec) -> list[str]:
    return [n for n, c in spec.columns.items() if c.kind in ("str", "list")]


def _injection(spec: TableSpec, typed: pd.DataFrame, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Text cells that would run as a spreadsheet formula in an output (CSV injection): made inert
    with a leading ``'`` in the validated table, so every output has the neutral value; one warning."""
    found = []
    for name in _text_columns(spec):
        if name not in frame.columns:
            continue
        mask = formula_cells(frame[name])
        if mask.any():
            typed[name] = neutralise(typed[name].astype("str"))
            found += [f"row {i + 2} column '{name}' {frame.at[i, name]!r}" for i in frame.index[mask]]
    if not found:
        return typed, []
    return typed, [f"{spec.file}: {len(found)} text cell(s) begin with =, +, -, @ or a tab, and would run as a "
                   "formula when an output made from them is opened in a spreadsheet (CSV injection): "
                   f"{listed(found)}. They are kept with a leading ' (shown as text, never run) in every output; "
                   "correct them in the file if they are not meant as text."]


def _cross_checks(tables: dict[str, pd.DataFrame], raw: dict[str, pd.DataFrame], ref: Reference,
                  absent: dict[str, frozenset[str]] | None = None,
                  skipped: dict[str, list[str]] | None = None) -> list[Problem]:
    """Rules that need other tables or the reference: units, sub-markets, OCG links (vectorised)."""
    absent = absent or {}
    problems: list[Problem] = []
    stats = tables.get("statistics.csv")
    if stats is not None and len(stats):
        missing = absent.get("statistics.csv", frozenset())
        written = raw["statistics.csv"]
        ind = ref.indicators
        known = stats["indicator"].isin(ind.index)
        unit = stats["indicator"].map(ind["unit"])
        if "unit" not in missing:
            bad = known & stats["unit"].ne("") & stats["unit"].ne(unit)
            for i in stats.index[bad]:
                problems.append(Problem("statistics.csv", i + 2, "unit", stats.at[i, "unit"],
                                        f"indicator {stats.at[i, 'indicator']} is measured in {unit[i]!r}",
                                        kind=f"unit:{stats.at[i, 'indicator']}"))
        for indicator, rows in stats[known].groupby("indicator", sort=False).groups.items():
            spec = ind.loc[indicator]
            for column, allowed in (("submarket", spec["submarket_list"]), ("category", spec["category_list"])):
                if column in missing:
                    continue
                values = stats.loc[rows, column]
                if allowed:
                    bad = ~values.isin(allowed)
                    for i in values.index[bad]:
                        hint = did_you_mean(values[i], allowed) if values[i] else ""
                        problems.append(Problem("statistics.csv", i + 2, column, values[i],
                                                f"indicator {indicator} needs one of {', '.join(allowed)}{hint}",
                                                kind=f"{column}:{indicator}"))
                else:
                    for i in values.index[values.ne("")]:
                        problems.append(Problem("statistics.csv", i + 2, column, values[i],
                                                f"indicator {indicator} has no {column}s; leave it empty",
                                                kind=f"{column}:{indicator}"))
        count = known & stats["indicator"].map(ind["kind"]).eq("count")
        bound = stats["bound"]
        for i in stats.index[count & stats["censor"].ne("") & bound.notna() & (bound % 1 != 0)]:
            problems.append(Problem("statistics.csv", i + 2, "value", written.at[i, "value"],
                                    f"indicator {stats.at[i, 'indicator']} is a count: the threshold of '<N' or '>N' "
                                    "must be a whole number", kind="count threshold"))
        value = stats["value"]
        for i in stats.index[count & value.notna() & (value % 1 != 0)]:
            problems.append(Problem("statistics.csv", i + 2, "value", written.at[i, "value"],
                                    f"indicator {stats.at[i, 'indicator']} is a count: a whole number is expected",
                                    kind="count fraction"))
    register = tables.get("ocg_register.csv")
    if register is not None:
        areas = list(ref.areas.index)
        area_set = set(areas)
        missing = absent.get("ocg_register.csv", frozenset())
        for i, row in zip(register.index, register.to_dict("records")):
            for column in ("nationalities", "countries_active"):
                if column in missing:
                    continue
                codes = [c for c in str(row[column]).split("|") if c]
                bad = [c for c in codes if not ISO3.match(c)]
                if bad:
                    hint = did_you_mean(bad[0], list(ref.countries.index)) if len(bad) == 1 else ""
                    problems.append(Problem("ocg_register.csv", i + 2, column, row[column],
                                            f"{', '.join(bad)} not an ISO3 code (three capital letters){hint}",
                                            kind=f"iso3:{column}"))
            if "countries_active" not in missing and "country" not in missing:
                active = str(row["countries_active"]).split("|")
                if row["country"] and row["countries_active"] and row["country"] not in active:
                    problems.append(Problem("ocg_register.csv", i + 2, "countries_active", row["countries_active"],
                                            f"must include the reporting country {row['country']}",
                                            kind="countries_active"))
            if "crime_areas" not in missing:
                unknown = [a for a in str(row["crime_areas"]).split("|") if a and a not in area_set]
                if unknown:
                    hints = "".join(did_you_mean(a, areas) for a in unknown[:1])
                    problems.append(Problem("ocg_register.csv", i + 2, "crime_areas", row["crime_areas"],
                                            f"unknown crime area(s) {', '.join(unknown)}{hints}; expected ids from "
                                            "crime_areas.csv", kind="crime_areas"))
        # ids on register lines that could not be read are not unknown: those lines are reported already
        known = list(register["ocg_id"]) + [i for line in (skipped or {}).get("ocg_register.csv", [])
                                            for i in re.findall(r"[A-Z]{3}-OCG-[0-9]{3}", line)]
        # a link's other group may lie outside the register (another country's): a warning (_outside_links)
        for name, columns in (("ocg_answers.csv", ("ocg_id",)), ("ocg_places.csv", ("ocg_id",)),
                              ("ocg_relations.csv", ("ocg_id",))):
            frame = tables.get(name)
            if frame is None or "ocg_id" in missing or set(columns) & absent.get(name, frozenset()):
                continue
            problems.extend(_unknown_groups(name, frame, columns, known))
            if name == "ocg_places.csv" and not {"place", "role"} & absent.get(name, frozenset()):
                problems.extend(_place_problems(frame[frame["ocg_id"].isin(register["ocg_id"])], register, ref, missing))
            if name == "ocg_relations.csv":
                for i in frame.index[frame["ocg_id"].ne("") & frame["ocg_id"].eq(frame["other_ocg_id"])]:
                    problems.append(Problem(name, i + 2, "other_ocg_id", frame.at[i, "other_ocg_id"],
                                            "is the group itself: a relation links two groups", kind="self relation"))
    return problems


# optional files whose header alone says "none recorded" (no place, no relation known), not "forgotten"
MAY_HAVE_NO_ROWS = ("ocg_places.csv", "ocg_relations.csv")


def _header_only(path: Path, spec: TableSpec) -> bool:
    """Whether the file holds its header row alone, with every required column of ``spec``."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError):
        return False
    header = [cell.strip() for cell in lines[0].split(",")] if len(lines) == 1 else []
    return bool(header) and all(name in header for name, column in spec.columns.items() if column.required)


def _unknown_groups(name: str, frame: pd.DataFrame, columns: tuple[str, ...], known: list[str]) -> list[Problem]:
    """Every group id of ``columns`` names a group of the register (``known``); an empty one is told as empty."""
    problems = []
    for column in columns:
        for i in frame.index[frame[column].ne("") & ~frame[column].isin(known)]:
            value = frame.at[i, column]
            problems.append(Problem(name, i + 2, column, value,
                                    f"no OCG with this id in ocg_register.csv{did_you_mean(value, known, 0.8)}",
                                    kind="unknown ocg"))
    return problems


def _place_problems(places: pd.DataFrame, register: pd.DataFrame, ref: Reference, missing: frozenset) -> list[Problem]:
    """A group has one base at most; a place lies in a country where its group is active (countries_active),
    or the two files disagree. ``places``: the rows of registered groups."""
    problems = []
    active = dict(zip(register["ocg_id"], register["countries_active"].astype(str).str.split("|"))) \
        if "countries_active" not in missing else {}
    bases = places[places["role"].eq("base")]
    for ocg, rows in bases.groupby("ocg_id").groups.items():
        for i in list(rows)[1:]:
            first = int(list(rows)[0]) + 2
            problems.append(Problem("ocg_places.csv", i + 2, "role", "base",
                                    f"{ocg} already has a base on row {first}: a group has one base; make this "
                                    "place an 'activity', or remove one of the two rows", kind="second base"))
    for i, row in zip(places.index, places.to_dict("records")):
        if row["place"] not in ref.places.index or row["ocg_id"] not in active:
            continue
        country = ref.places.at[row["place"], "country"]
        if country not in active[row["ocg_id"]]:
            problems.append(Problem("ocg_places.csv", i + 2, "place", row["place"],
                                    f"is in {country}, where {row['ocg_id']} is not active (countries_active: "
                                    f"{'|'.join(active[row['ocg_id']])} in ocg_register.csv): add {country} there, or "
                                    "correct the place", kind="place outside the group's countries"))
    return problems


def _years(project: Project, tables: dict[str, pd.DataFrame], raw: dict[str, pd.DataFrame],
           absent: dict[str, frozenset[str]]) -> list[Problem]:
    """No statistic of a year still to come, none after the period the dataset covers; no OCG first
    reported in the future."""
    today = date.today().year
    first, last = project.years
    problems = []
    stats = tables.get("statistics.csv")
    if stats is not None and len(stats) and "year" not in absent.get("statistics.csv", frozenset()):
        year = stats["year"]
        future = year.notna() & (year > today)
        for i in stats.index[future.fillna(False).astype(bool)]:
            problems.append(Problem("statistics.csv", i + 2, "year", raw["statistics.csv"].at[i, "year"],
                                    f"is in the future (this is {today}): correct the year",
                                    kind="future year"))
        after = year.notna() & (year > last) & ~future
        for i in stats.index[after.fillna(False).astype(bool)]:
            y = int(year[i])
            problems.append(Problem("statistics.csv", i + 2, "year", raw["statistics.csv"].at[i, "year"],
                                    f"is after the period {first}–{last} of dataset.yaml: correct the year, or widen "
                                    f"the period (period: [{first}, {y}])", kind="after the period"))
    register = tables.get("ocg_register.csv")
    if register is not None and len(register) and "first_reported" not in absent.get("ocg_register.csv", frozenset()):
        year = register["first_reported"]
        future = (year.notna() & (year > today)).fillna(False).astype(bool)
        for i in register.index[future]:
            problems.append(Problem("ocg_register.csv", i + 2, "first_reported",
                                    raw["ocg_register.csv"].at[i, "first_reported"],
                                    f"is in the future (this is {today}): correct the year", kind="future year"))
        # a group first reported after the period would be younger than none: its longevity is not known
        after = (year.notna() & (year > last) & ~future).fillna(False).astype(bool)
        for i in register.index[after]:
            problems.append(Problem("ocg_register.csv", i + 2, "first_reported",
                                    raw["ocg_register.csv"].at[i, "first_reported"],
                                    f"is after the period {first}–{last} of dataset.yaml: correct the year, or widen the "
                                    f"period (period: [{first}, {int(year[i])}])", kind="after the period"))
    return problems


def plausibility_settings(project: Project) -> dict:
    """settings.yaml ``plausibility`` (checked, with its defaults, by socta.core.settings), numbers as floats."""
    cfg = project.settings.plausibility
    return {**{key: float(cfg[key]) for key in ("factor", "min_points", "floor", "max_value")},
            "confirm_status": cfg.confirm_status}


def _imported(project: Project) -> str:
    """How statistics.csv is written: "mapping" (socta import --mapping: a mapping.yaml beside it, or
    dataset.yaml says so), "workbook" (socta import --workbook) or "" (by hand). An imported file is
    regenerated, so a fix goes into the mapping or the workbook, not into the file."""
    generated = str(project.dataset.get("generated_by", ""))
    if "--workbook" in generated:
        return "workbook"
    return "mapping" if (project.data_dir / "mapping.yaml").is_file() or "socta import" in generated else ""


def _confirm_fix(confirm: str, imported: str) -> str:
    if imported == "workbook":  # the cell's workbook is what the unit and the analyst edit
        return (f"confirm it by choosing status {confirm} in the row's Status cell of its workbook, then run socta "
                "import --workbook again; statistics.csv is generated and an edit there is lost")
    if imported:  # an edit to the generated file would be lost at the next import
        return (f"confirm it with a status_overrides item in mapping.yaml (status {confirm}, with the reason), then "
                "run socta import again; statistics.csv is generated and an edit there is lost")
    return f"confirm it by writing status {confirm} in the row's 'status' column"


def _plausibility(stats: pd.DataFrame, written: pd.DataFrame, ref: Reference, cfg: dict,
                  imported: str = "") -> list[Problem]:
    """Values a typing or unit error would give: to confirm (status A) or correct.

    - a value ``factor`` times above or below the median of its own series (country × indicator ×
      sub-series, from the last break in series B on) — three zeros too many, pieces for thousand
      pieces, "1.234" read as 1.234;
    - a count larger than the country's population that year (population.csv);
    - any figure above ``max_value`` (no confirmation: nothing real is that large).
    """
    if stats.empty:
        return []
    factor, floor, need, ceiling = cfg["factor"], cfg["floor"], int(cfg["min_points"]), cfg["max_value"]
    confirm = cfg["confirm_status"]
    s = stats[["country", "year", "indicator", "submarket", "category", "value", "status", "censor", "bound"]].copy()
    s["year"] = pd.to_numeric(s["year"], errors="coerce").astype("float64")
    codes = s["status"].fillna("").astype(str)
    confirmed = codes.str.split("|").map(lambda c: confirm in c)
    breaks = codes.str.contains("B", regex=False)
    value = s["value"].astype("float64")
    numeric = value.notna() & s["censor"].fillna("").eq("")
    problems = []

    huge = (value > ceiling) | (s["bound"].astype("float64") > ceiling)
    for i in s.index[huge.fillna(False)]:
        problems.append(Problem("statistics.csv", i + 2, "value", written.at[i, "value"],
                                f"is larger than any real figure (more than {ceiling:,.0f}, settings.yaml "
                                "plausibility.max_value): a typing error; correct it", kind="implausible: too large"))

    # the series, and its segments after each break in series
    keys = ["country", "indicator", "submarket", "category"]
    usable = s[numeric & ~huge.fillna(False) & s["year"].notna()].sort_values(keys + ["year"])
    if len(usable):
        series = usable.groupby(keys, sort=False).ngroup()
        segment = breaks[usable.index].astype(int).groupby(series.to_numpy()).cumsum()
        group = [series.to_numpy(), segment.to_numpy()]
        v = value[usable.index]
        median = v.groupby(group).transform("median")
        points = v.groupby(group).transform("size")
        enough = points >= need
        high = enough & (v >= factor * np.maximum(median, floor))
        low = enough & (v > 0) & (v * factor <= median)
        flagged = (high | low) & ~confirmed[usable.index]
        for i in usable.index[flagged.to_numpy()]:
            m, x = float(median[i]), float(v[i])
            sub = "/".join(p for p in (s.at[i, "submarket"], s.at[i, "category"]) if p)
            name = f"{s.at[i, 'country']} {s.at[i, 'indicator']}{' ' + sub if sub else ''}"
            how = f"{x / m:,.0f} times" if x > m else f"1/{m / x:,.0f} of"
            problems.append(Problem(
                "statistics.csv", i + 2, "value", written.at[i, "value"],
                f"is {how} the median of its own series ({name}: {m:,.6g} over {int(points[i])} values); "
                f"settings.yaml plausibility.factor is {factor:g}. A typing or unit error (zeros too many or too "
                f"few, pieces instead of thousand pieces, a thousands separator read as a decimal point)? Correct "
                f"it, or {_confirm_fix(confirm, imported)}",
                kind="implausible: off its series"))

    # a count larger than the country's population
    kind = s["indicator"].map(ref.indicators["kind"])
    try:
        pop = ref.population[["iso3", "year", "population"]].dropna()
    except (KeyError, ConfigError):
        pop = pd.DataFrame(columns=["iso3", "year", "population"])
    if len(pop):
        exact = pop.set_index(["iso3", "year"])["population"]
        exact = exact[~exact.index.duplicated()]
        lookup = pd.MultiIndex.from_arrays([s["country"], s["year"].fillna(-1).astype(float)])
        people = pd.Series(exact.reindex(lookup).to_numpy(), index=s.index)
        nearest = pop.groupby("iso3")["population"].max()  # a year population.csv lacks: the largest known
        people = people.fillna(s["country"].map(nearest))
        over = numeric & kind.eq("count") & people.notna() & (value > people) & ~confirmed & ~huge.fillna(False)
        for i in s.index[over.fillna(False)]:
            year = "" if pd.isna(s.at[i, "year"]) else f" in {int(s.at[i, 'year'])}"
            problems.append(Problem(
                "statistics.csv", i + 2, "value", written.at[i, "value"],
                f"is more than the whole population of {s.at[i, 'country']}{year} ({people[i]:,.0f}, population.csv): "
                f"{100000 * value[i] / people[i]:,.0f} per 100,000 inhabitants. A typing or unit error? Correct it, "
                f"or {_confirm_fix(confirm, imported)}",
                kind="implausible: more than the population"))
    return problems


def _answer_warnings(tables: dict[str, pd.DataFrame], ref: Reference, present: set[str]) -> list[str]:
    """Every OCG should answer every indicator of ocg_indicators.csv; a missing answer counts as unknown."""
    if not {"ocg_register.csv", "ocg_answers.csv"} <= present:
        return []
    register, answers = tables["ocg_register.csv"], tables["ocg_answers.csv"]
    if register.empty:
        return []
    out = []
    answered = set(answers["ocg_id"])
    silent = register[~register["ocg_id"].isin(answered)]
    if len(silent):
        shown = [f"{g} (row {i + 2})" for i, g in zip(silent.index, silent["ocg_id"])]
        out.append(f"ocg_register.csv: {len(silent)} OCG(s) have no answers in ocg_answers.csv: {listed(shown)}. "
                   "Every indicator counts as unknown (settings.yaml ocg_scoring.unknown_answer), so their threat "
                   "scores rest on nothing; add their answers ('unknown' where an answer is not known).")
    indicators = list(ref.ocg_indicators.index)
    have = answers.groupby("ocg_id")["indicator"].agg(set)
    gaps = []
    for ocg in register["ocg_id"]:
        if ocg in have.index:
            lacking = [x for x in indicators if x not in have[ocg]]
            if lacking:
                gaps.append(f"{ocg} ({', '.join(lacking)})")
    if gaps:
        n = sum(g.count(",") + 1 for g in gaps)
        out.append(f"ocg_answers.csv: {n} answer(s) missing for {len(gaps)} OCG(s): {listed(gaps)}. Each counts as "
                   "unknown; add a row per OCG and indicator (answer 'unknown' if it is not known).")
    return out


def _outside_links(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Links to a group the register does not hold: a group of another country, when one country's data are
    assessed alone, or a mistyped id. Kept, and counted as a link of the group that has it."""
    register, links = tables.get("ocg_register.csv"), tables.get("ocg_relations.csv")
    if register is None or links is None or links.empty:
        return []
    known = list(register["ocg_id"])
    outside = links[links["other_ocg_id"].ne("") & ~links["other_ocg_id"].isin(known)]
    if outside.empty:
        return []
    shown = [f"{g} (row {i + 2}){did_you_mean(g, known, 0.8)}" for i, g in zip(outside.index, outside["other_ocg_id"])]
    return [f"ocg_relations.csv: {len(outside)} link(s) name a group that ocg_register.csv does not hold: "
            f"{listed(shown)}. Each counts as a link of the registered group, and not as a link abroad (the other "
            "group's country is not known); check the id if the group should be in the register."]


def _dataset_warnings(project: Project) -> list[str]:
    """Keys of dataset.yaml the data dictionary does not know, or lacks."""
    known = {"name", "synthetic", "description", "generated_by", "seed", "period", "sources", "method"}
    meta = project.dataset
    out = []
    for key in meta:
        if key not in known:
            hint = did_you_mean(key, sorted(known), codes=False)
            out.append(f"dataset.yaml: unknown key {key!r}{hint}; it is ignored. Keys: {', '.join(sorted(known))}.")
    if not str(meta.get("description") or "").strip():
        out.append("dataset.yaml: no 'description:'; say what the data are, where they come from and their caveats "
                   "(it is printed in the book).")
    return out


def validate(project: Project) -> ValidationResult:
    """Validate every input table of the project's data folder; never modifies the files."""
    ref = Reference(project)
    # the reference files whose ids name output files, and the yardstick's templates: a bad one is a
    # configuration error (ConfigError) now, not a failure of every page later
    _ = ref.countries, ref.areas, ref.indicators, ref.yardstick
    _ = ref.tactics, ref.places, ref.boundaries   # and what the factors and OCG chapters read: refused now, not later
    problems: list[Problem] = []
    notes: list[str] = []
    tables: dict[str, pd.DataFrame] = {}    # complete, checked tables: what processing may use
    checked: dict[str, pd.DataFrame] = {}   # every table read, even partly (for the cross-checks)
    raw: dict[str, pd.DataFrame] = {}
    absent: dict[str, frozenset[str]] = {}
    refused: set[tuple[str, int, str]] = set()
    skipped_lines: dict[str, list[str]] = {}  # the text of lines that could not be read, per file
    warnings: list[str] = _dataset_warnings(project)
    present: set[str] = set()
    for spec in table_specs(project, ref):
        path: Path = project.input_path(spec.file)
        numeric = {n for n, c in spec.columns.items() if c.kind in ("int", "float", "observation")}
        lists = {n for n, c in spec.columns.items() if c.kind == "list"}
        if spec.file in OPTIONAL_FILES and not path.exists():
            tables[spec.file] = empty_table(spec)
            warnings.append(f"{spec.file}: not in the data folder; the assessment rests on the other files, and "
                            f"the pages that need it say so ({MISSING_FILE_EFFECT[spec.file]}).")
            continue
        try:
            read: CsvTable = read_csv_table(path, numeric_columns=numeric, lenient=True, list_columns=lists)
        except TableError as exc:
            if spec.file in MAY_HAVE_NO_ROWS and _header_only(path, spec):
                tables[spec.file] = empty_table(spec)   # none recorded: a state, not a mistake
                present.add(spec.file)
                continue
            problems.append(Problem(spec.file, None, None, None, str(exc).split(": ", 1)[-1]))
            continue
        present.add(spec.file)
        notes.extend(read.notes)
        for issue in read.issues:
            problems.append(Problem(spec.file, issue.row, issue.column, issue.value, issue.message, kind=issue.kind))
            if issue.kind.startswith("line:") and issue.value:
                skipped_lines.setdefault(spec.file, []).append(issue.value)
        skipped = sorted(i.row for i in read.issues if i.kind.startswith("line:") and i.row)
        if len(skipped) > 1:
            problems.append(Problem(spec.file, None, None, None,
                                    f"{len(skipped)} line(s) could not be read and were skipped (line "
                                    f"{listed([str(r) for r in skipped], 10, ', ')}); the file's other rows were "
                                    "checked. Fix the separators and quotes of those lines (each line's message says "
                                    "how)", kind="lines skipped"))
        for column, rows in read.refused.items():
            refused |= {(spec.file, int(i) + 2, column) for i in rows}
        column_problems = _check_columns(spec, read.frame)
        problems.extend(column_problems)
        missing = frozenset(p.column for p in column_problems if p.expected.startswith("required column"))
        absent[spec.file] = missing
        frame, written = read.frame, read.as_written
        if written is frame:
            written = frame.copy()
        for name, column in spec.columns.items():
            if name not in frame.columns:  # optional, or missing (reported once above)
                frame[name] = ""
                written[name] = ""
        typed, type_problems = _parse_types(spec, frame, written, missing)
        problems.extend(type_problems)
        problems.extend(_schema_problems(spec, typed, written, missing))
        problems.extend(_duplicate_keys(spec, frame) if not set(spec.key) & missing else [])
        typed, found = _injection(spec, typed, written)
        warnings.extend(found)
        for (file, row, column) in refused:
            if file == spec.file and column in typed.columns:
                typed.at[row - 2, column] = np.nan
        checked[spec.file] = typed
        raw[spec.file] = written
        if read.complete and not missing:
            tables[spec.file] = typed
    problems.extend(_cross_checks(checked, raw, ref, absent, skipped_lines))
    if "statistics.csv" in checked:
        stats_missing = absent.get("statistics.csv", frozenset())
        if not {"value", "status"} & stats_missing:
            problems.extend(_status_checks(checked["statistics.csv"], raw["statistics.csv"], ref))
        if not {"value", "country", "indicator"} & stats_missing:
            problems.extend(_plausibility(checked["statistics.csv"], raw["statistics.csv"], ref,
                                          plausibility_settings(project), imported=_imported(project)))
    problems.extend(_years(project, checked, raw, absent))
    if "ocg_answers.csv" in raw and not project.input_path("ocg_register.csv").exists() \
            and len(checked["ocg_answers.csv"]):
        problems.append(Problem("ocg_answers.csv", None, None, None,
                                "answers without ocg_register.csv: add the register, or remove ocg_answers.csv"))
    for name, what in (("ocg_places.csv", "places"), ("ocg_relations.csv", "relations")):
        if name in raw and not project.input_path("ocg_register.csv").exists() and len(checked[name]):
            problems.append(Problem(name, None, None, None,
                                    f"{what} without ocg_register.csv: add the register, or remove {name}"))
    problems.extend(_demo_copy(project))
    if not ({"ocg_id", "indicator"} & (absent.get("ocg_answers.csv", frozenset()) | absent.get("ocg_register.csv",
                                                                                                 frozenset()))):
        warnings.extend(_answer_warnings(checked, ref, present))
    if not {"ocg_id", "other_ocg_id"} & absent.get("ocg_relations.csv", frozenset()):
        warnings.extend(_outside_links(checked))
    if "statistics.csv" in checked:

        warnings.extend(period_warning(project, checked["statistics.csv"]))
    # a cell whose number format was refused is reported once, by the reader, not again as a bad number
    problems = [p for p in problems if (p.file, p.row, p.column) not in refused or (p.kind or "").startswith("number:")]
    if not problems:

        warnings.extend(coverage_warnings(project, ref, tables))
        warnings.extend(ref.untranslated(list(project.settings.languages)))
    return ValidationResult(sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "")), tables, notes,
                            warnings)


def _status_checks(stats: pd.DataFrame, written: pd.DataFrame, ref: Reference) -> list[Problem]:
    """Observation status codes are known; an empty value says why it is missing; a missing-value
    status carries no number (vectorised)."""
    problems = []
    known = ref.observation_status
    codes_known = set(known.index)
    missing_codes = set(known.index[known["missing"]])
    status = stats["status"].fillna("").astype(str)
    says_missing = pd.Series(False, index=stats.index)
    unknown_rows = pd.Series(False, index=stats.index)
    flagged = status.ne("")
    for i, cell in zip(stats.index[flagged], status[flagged]):  # only rows with a status: a few
        row_codes = [c for c in cell.split("|") if c]
        unknown = [c for c in row_codes if c not in codes_known]
        if unknown:
            unknown_rows[i] = True
            hint = did_you_mean(unknown[0], list(known.index), case="codes are capital letters")
            problems.append(Problem("statistics.csv", i + 2, "status", written.at[i, "status"],
                                    f"unknown observation status{hint}; expected codes from observation_status.csv: "
                                    f"{', '.join(known.index)}, separated by |", kind="unknown status"))
        elif missing_codes & set(row_codes):
            says_missing[i] = True
    has_number = stats["value"].notna() | stats["censor"].ne("")
    cell = written["value"].astype(str).str.strip()
    # ':' is how official tables print "not available": it says so itself; an empty cell must say why
    for i in stats.index[~unknown_rows & ~has_number & ~says_missing & cell.eq("")]:
        problems.append(Problem("statistics.csv", i + 2, "value", written.at[i, "value"],
                                "no value: write the number, '<N' if published as below N, ':' if not "
                                "available, or leave it empty "
                                "with status O (missing), L (not collected), M (cannot exist) or Q (suppressed)",
                                kind="no value"))
    for i in stats.index[~unknown_rows & has_number & says_missing]:
        problems.append(Problem("statistics.csv", i + 2, "status", written.at[i, "status"],
                                "says the value is missing, but the row has one: remove the status or the value",
                                kind="missing status with a value"))
    return problems


def _demo_copy(project: Project) -> list[Problem]:
    """A folder that calls itself real must not carry the synthetic demonstration files."""
    import hashlib

    if project.dataset.get("synthetic") or project.data_dir in {d.resolve() for d in DEMO_DIRS}:
        return []
    problems = []
    for name in INPUT_FILES:
        own = project.input_path(name)
        for demo in DEMO_DIRS:
            try:  # sizes first: an oversized file is refused where it is read, never read whole here
                same = own.is_file() and (demo / name).is_file() and own.stat().st_size == (demo / name).stat().st_size \
                    and hashlib.sha256(own.read_bytes()).digest() == hashlib.sha256((demo / name).read_bytes()).digest()
            except OSError:
                break  # an unreadable file is reported where it is read
            if same:
                problems.append(Problem(name, None, None, None,
                                        f"is the synthetic demonstration file of data/{demo.name}/, but dataset.yaml "
                                        "says 'synthetic: false': remove it (the file is optional unless it is "
                                        "statistics.csv) or replace it with your real data"))
                break
    return problems
