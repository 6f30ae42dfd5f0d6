"""Tests for socta.ingest.validation: every bad input is reported with file, row, column, value and fix.

Each test builds a bad copy of the demo data in a temporary folder (data/demo-2016 is never modified)
and checks the Problem the validator reports. Rows are spreadsheet rows: the header is row 1, the
first data row is row 2.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from socta.core.config import Project
from socta.ingest.schema import Problem, ValidationResult
from socta.ingest.validation import validate

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = ROOT / "data" / "demo-2016"
STATS = "statistics.csv"
REGISTER = "ocg_register.csv"
ANSWERS = "ocg_answers.csv"
EXPERT = "expert_assessments.csv"
PLACES = "ocg_places.csv"
RELATIONS = "ocg_relations.csv"
INPUT_FILES = (STATS, REGISTER, ANSWERS, EXPERT, PLACES, RELATIONS)


# --------------------------------------------------------------------------------------------
# helpers: edit a CSV copy cell by cell, addressing rows as a spreadsheet does
# --------------------------------------------------------------------------------------------

def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def to_bytes(header: list[str], rows: list[list[str]], *, sep: str = ",", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def write_rows(path: Path, header: list[str], rows: list[list[str]], **kwargs) -> None:
    path.write_bytes(to_bytes(header, rows, **kwargs))


def set_cell(path: Path, row: int, column: str, value: str) -> str:
    """Set one cell (spreadsheet row number); return the old value."""
    header, rows = read_rows(path)
    j = header.index(column)
    old, rows[row - 2][j] = rows[row - 2][j], value
    write_rows(path, header, rows)
    return old


def find_row(path: Path, **match: str) -> int:
    """The spreadsheet row number of the first data row whose cells equal ``match``."""
    header, rows = read_rows(path)
    for n, r in enumerate(rows, start=2):
        if all(r[header.index(k)] == v for k, v in match.items()):
            return n
    raise LookupError(f"no row of {path.name} with {match}")


def cell(path: Path, row: int, column: str) -> str:
    header, rows = read_rows(path)
    return rows[row - 2][header.index(column)]


def run(data_dir: Path) -> ValidationResult:
    return validate(Project(data_dir=data_dir))


def problems_at(result: ValidationResult, file: str, row: int | None = None, column: str | None = None) -> list[Problem]:
    return [
        p for p in result.problems
        if p.file == file and (row is None or p.row == row) and (column is None or p.column == column)
    ]


def the_problem(result: ValidationResult, file: str, row: int | None, column: str | None) -> Problem:
    """The one problem reported for this cell; fails with every problem listed otherwise."""
    assert not result.ok
    found = problems_at(result, file, row, column)
    listing = "\n".join(map(str, result.problems[:30]))
    assert len(found) == 1, f"expected one problem at {file} row {row} column {column}, got:\n{listing}"
    return found[0]


@pytest.fixture(scope="module")
def demo_result() -> ValidationResult:
    """The validation of the untouched demo data (read only)."""
    result = validate(Project(data_dir=DEMO_DIR))
    assert result.ok, "\n".join(map(str, result.problems[:20]))
    return result


def test_demo_data_is_valid_and_plain_utf8(demo_result):
    assert demo_result.ok
    assert set(demo_result.tables) == set(INPUT_FILES)
    assert demo_result.notes == []  # plain UTF-8 with ',' separators: nothing to say
    stats = demo_result.tables[STATS]
    assert str(stats["year"].dtype) == "Int64"
    assert stats["value"].dtype == "float64"


# --------------------------------------------------------------------------------------------
# structure: columns, empty files
# --------------------------------------------------------------------------------------------

def test_missing_column(demo_copy):
    path = demo_copy / STATS
    header, rows = read_rows(path)
    j = header.index("source")
    write_rows(path, header[:j] + header[j + 1:], [r[:j] + r[j + 1:] for r in rows])
    p = the_problem(run(demo_copy), STATS, 1, "source")
    assert p.value is None
    assert "required column is missing" in p.expected


def test_misspelt_column_suggests_the_right_name(demo_copy):
    path = demo_copy / STATS
    header, rows = read_rows(path)
    header[header.index("year")] = "yaer"
    write_rows(path, header, rows)
    result = run(demo_copy)
    missing = the_problem(result, STATS, 1, "year")
    assert "'yaer'" in missing.expected and "rename it to 'year'" in missing.expected
    extra = the_problem(result, STATS, 1, "yaer")
    assert "did you mean 'year'?" in extra.expected


@pytest.mark.parametrize("file", [STATS, REGISTER])
def test_empty_file(demo_copy, file):
    (demo_copy / file).write_bytes(b"")
    result = run(demo_copy)
    p = the_problem(result, file, None, None)
    assert "empty" in p.expected
    assert str(p).startswith(f"{file}: ")
    # the other files are still read and checked
    assert set(result.tables) == set(INPUT_FILES) - {file}


@pytest.mark.parametrize("file", [STATS, ANSWERS])
def test_header_only_file(demo_copy, file):
    path = demo_copy / file
    header, _ = read_rows(path)
    write_rows(path, header, [])
    p = the_problem(run(demo_copy), file, None, None)
    assert "no data rows" in p.expected


def test_missing_file(demo_copy):
    (demo_copy / STATS).unlink()
    p = the_problem(run(demo_copy), STATS, None, None)
    assert "not found" in p.expected


def test_a_missing_optional_file_is_a_warning_not_an_error(demo_copy):
    (demo_copy / ANSWERS).unlink()
    result = run(demo_copy)
    assert result.ok
    assert any(w.startswith("ocg_answers.csv: not in the data folder") for w in result.warnings)


# --------------------------------------------------------------------------------------------
# cell values
# --------------------------------------------------------------------------------------------

def test_text_in_numeric_column(demo_copy):
    set_cell(demo_copy / STATS, 5, "value", "abc")
    p = the_problem(run(demo_copy), STATS, 5, "value")
    assert p.value == "abc"
    assert p.expected.startswith("is not a number; expected ")
    assert "0 or more" in p.expected


def test_str_of_a_problem_reads_like_a_sentence(demo_copy):
    set_cell(demo_copy / STATS, 5, "value", "abc")
    p = the_problem(run(demo_copy), STATS, 5, "value")
    assert str(p).startswith("statistics.csv, row 5, column 'value': 'abc': is not a number; expected ")
    assert str(Problem("ocg_answers.csv", None, None, None, "the file is empty")) == "ocg_answers.csv: the file is empty"
    assert str(Problem("statistics.csv", 1, "year", None, "required column is missing")) == (
        "statistics.csv, row 1, column 'year': required column is missing"
    )


def test_negative_count(demo_copy):
    path = demo_copy / STATS
    row = find_row(path, indicator="drug_offences")
    set_cell(path, row, "value", "-3")
    p = the_problem(run(demo_copy), STATS, row, "value")
    assert p.value == "-3"  # as written in the file, not the parsed -3.0
    assert "0 or more" in p.expected


def test_fraction_in_a_count(demo_copy):
    path = demo_copy / STATS
    row = find_row(path, indicator="drug_offences")
    set_cell(path, row, "value", "12.5")
    p = the_problem(run(demo_copy), STATS, row, "value")
    assert p.value == "12.5"
    assert "whole number" in p.expected and "drug_offences" in p.expected


@pytest.mark.parametrize("text", ["inf", "nan"])
def test_infinite_or_nan_is_not_a_number(demo_copy, text):
    path = demo_copy / STATS
    row = find_row(path, indicator="tax_evasion_damage")  # an amount: any number >= 0 is allowed
    set_cell(path, row, "value", text)
    p = the_problem(run(demo_copy), STATS, row, "value")
    assert p.value == text and p.expected.startswith("is not a number")


def test_unknown_country(demo_copy):
    set_cell(demo_copy / STATS, 7, "country", "XXX")
    p = the_problem(run(demo_copy), STATS, 7, "country")
    assert p.value == "XXX"
    assert "countries.csv" in p.expected and "SRB" in p.expected


@pytest.mark.parametrize("area", ["weapons", "cocaine"])  # unknown; a sub-market, not a top-level area
def test_unknown_crime_area_in_expert_assessments(demo_copy, area):
    set_cell(demo_copy / EXPERT, 4, "area", area)
    p = the_problem(run(demo_copy), EXPERT, 4, "area")
    assert p.value == area
    assert "top-level crime area" in p.expected and "drugs" in p.expected


def test_unknown_crime_area_in_ocg_register(demo_copy):
    set_cell(demo_copy / REGISTER, 3, "crime_areas", "drugs|weapons")
    p = the_problem(run(demo_copy), REGISTER, 3, "crime_areas")
    assert p.value == "drugs|weapons"
    assert "weapons" in p.expected and "crime_areas.csv" in p.expected
    assert "drugs," not in p.expected  # only the unknown area is named


def test_duplicate_key_names_both_rows(demo_copy):
    path = demo_copy / STATS
    header, rows = read_rows(path)
    copy = list(rows[1])  # spreadsheet row 3
    copy[header.index("value")] = "999"  # a different value does not make it a different row
    rows.append(copy)
    write_rows(path, header, rows)
    last = len(rows) + 1
    p = the_problem(run(demo_copy), STATS, last, "country+year+indicator+submarket+category")
    assert "duplicate key" in p.expected and "row 3" in p.expected
    assert f"country={copy[0]}" in p.value and f"indicator={copy[2]}" in p.value


def test_year_out_of_range(demo_copy):
    lo, hi = Project(data_dir=demo_copy).settings["assessment"]["valid_years"]
    set_cell(demo_copy / STATS, 6, "year", str(lo - 1))
    p = the_problem(run(demo_copy), STATS, 6, "year")
    assert p.value == str(lo - 1)
    assert f"from {lo} to {hi}" in p.expected and "valid_years" in p.expected


def test_grade_not_in_profile(demo_copy):
    set_cell(demo_copy / STATS, 8, "grade", "D5")
    p = the_problem(run(demo_copy), STATS, 8, "grade")
    assert p.value == "D5"
    assert "4x4 grade" in p.expected and "B2" in p.expected


@pytest.mark.parametrize("file", [STATS, ANSWERS])
def test_handling_code_not_in_profile(demo_copy, file):
    set_cell(demo_copy / file, 9, "handling_code", "H7")
    p = the_problem(run(demo_copy), file, 9, "handling_code")
    assert p.value == "H7"
    assert "H0, H1, H2, H3" in p.expected


def test_empty_required_cell_is_reported_once(demo_copy):
    set_cell(demo_copy / STATS, 8, "grade", "")
    p = the_problem(run(demo_copy), STATS, 8, "grade")  # not also "'' not allowed"
    assert p.value == "" and p.expected.startswith("empty; a value is required")


def test_unit_does_not_match_the_indicator(demo_copy):
    path = demo_copy / STATS
    row = find_row(path, indicator="drug_offences")
    set_cell(path, row, "unit", "kg")
    p = the_problem(run(demo_copy), STATS, row, "unit")
    assert p.value == "kg"
    assert "drug_offences" in p.expected and "'offences'" in p.expected


def test_submarket_missing(demo_copy):
    path = demo_copy / STATS
    row = find_row(path, indicator="drug_seizure_cases", submarket="heroin")
    set_cell(path, row, "submarket", "")
    p = the_problem(run(demo_copy), STATS, row, "submarket")
    assert p.value == ""
    assert "drug_seizure_cases" in p.expected and "cocaine" in p.expected and "heroin" in p.expected


def test_submarket_given_where_there_is_none(demo_copy):
    path = demo_copy / STATS
    row = find_row(path, indicator="drug_offences")
    set_cell(path, row, "submarket", "cocaine")
    p = the_problem(run(demo_copy), STATS, row, "submarket")
    assert p.value == "cocaine" and "leave it empty" in p.expected


def test_answer_for_an_ocg_not_in_the_register(demo_copy):
    set_cell(demo_copy / ANSWERS, 4, "ocg_id", "MKD-OCG-999")
    p = the_problem(run(demo_copy), ANSWERS, 4, "ocg_id")
    assert p.value == "MKD-OCG-999"
    assert "ocg_register.csv" in p.expected


def test_countries_active_without_the_reporting_country(demo_copy):
    path = demo_copy / REGISTER
    country = cell(path, 2, "country")
    others = "|".join(c for c in ("SRB", "MNE", "MKD", "ALB") if c != country)
    set_cell(path, 2, "countries_active", others)
    p = the_problem(run(demo_copy), REGISTER, 2, "countries_active")
    assert p.value == others
    assert f"must include the reporting country {country}" in p.expected


def test_all_problems_are_reported_at_once(demo_copy):
    set_cell(demo_copy / STATS, 5, "value", "abc")
    set_cell(demo_copy / EXPERT, 3, "area", "weapons")
    set_cell(demo_copy / ANSWERS, 10, "answer", "maybe")
    set_cell(demo_copy / STATS, 20, "grade", "D5")
    result = run(demo_copy)
    found = {(p.file, p.row, p.column) for p in result.problems}
    assert found == {
        (STATS, 5, "value"), (STATS, 20, "grade"), (EXPERT, 3, "area"), (ANSWERS, 10, "answer"),
    }, "\n".join(map(str, result.problems))
    # reported in file and row order
    assert result.problems == sorted(result.problems, key=lambda p: (p.file, p.row or 0, p.column or ""))


def test_rows_with_more_cells_than_the_header(demo_copy):
    """A separator at the end of every data line: refused with a fix, not a crash or lost cells."""
    path = demo_copy / STATS
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0]] + [line + "," for line in lines[1:]]) + "\n", encoding="utf-8")
    p = the_problem(run(demo_copy), STATS, None, None)
    assert "more cells than the header" in p.expected


def test_one_row_with_an_extra_cell(demo_copy):
    path = demo_copy / STATS
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] += ",extra"  # spreadsheet row 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(demo_copy)
    p = the_problem(result, STATS, None, None)
    assert "line 5" in p.expected and "separators" in p.expected
    assert set(result.tables) == set(INPUT_FILES) - {STATS}


def test_blank_lines_do_not_shift_row_numbers(demo_copy):
    """A blank line is a row in the spreadsheet: later row numbers must still match."""
    path = demo_copy / STATS
    lines = path.read_bytes().split(b"\n")
    lines.insert(3, b"")  # spreadsheet row 4 is now empty
    path.write_bytes(b"\n".join(lines))
    set_cell(path, 6, "value", "abc")  # csv.reader keeps the blank line, so this is row 6
    assert cell(path, 6, "value") == "abc"
    result = run(demo_copy)
    p = the_problem(result, STATS, 6, "value")
    assert p.value == "abc"
    assert any("empty row" in n and "row 4" in n for n in result.notes)


# --------------------------------------------------------------------------------------------
# real spreadsheets of the region: encodings, separators, decimal commas
# --------------------------------------------------------------------------------------------

CYRILLIC_SOURCE = {
    "SRB": "Министарство унутрашњих послова Републике Србије, годишња статистика (ђ ћ џ љ њ ј)",
    "MKD": "Министерство за внатрешни работи, годишна статистика (ѓ ќ ѕ џ љ њ ј)",
}
LATIN_SOURCE = {
    "MNE": "Uprava policije Crne Gore, godišnja statistika kriminaliteta (č ć š ž đ)",
    "SRB": "Ministarstvo unutrašnjih poslova Srbije, Đorđe Čolić, Žabljak, Ćuprija, Šabac",
}


def _with_sources(demo_copy: Path, sources: dict[str, str]) -> tuple[list[str], list[list[str]], list[str]]:
    header, rows = read_rows(demo_copy / STATS)
    c, s = header.index("country"), header.index("source")
    for r in rows:
        r[s] = sources.get(r[c], r[s])
    return header, rows, [r[s] for r in rows]


def _assert_same_statistics(result: ValidationResult, demo_result: ValidationResult, sources: list[str] | None = None):
    assert result.ok, "\n".join(map(str, result.problems[:20]))
    got, want = result.tables[STATS], demo_result.tables[STATS]
    pd.testing.assert_series_equal(got["value"], want["value"])
    if sources is None:
        pd.testing.assert_frame_equal(got, want)
    else:
        assert list(got["source"]) == sources
        pd.testing.assert_frame_equal(got.drop(columns="source"), want.drop(columns="source"))


def test_utf8_with_bom(demo_copy, demo_result):
    path = demo_copy / STATS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run(demo_copy)
    _assert_same_statistics(result, demo_result)
    assert any("statistics.csv" in n and "BOM" in n for n in result.notes), result.notes


def test_windows_1251_cyrillic(demo_copy, demo_result):
    header, rows, sources = _with_sources(demo_copy, CYRILLIC_SOURCE)
    write_rows(demo_copy / STATS, header, rows, encoding="cp1251")
    result = run(demo_copy)
    _assert_same_statistics(result, demo_result, sources)
    assert "Министарство унутрашњих послова Републике Србије, годишња статистика (ђ ћ џ љ њ ј)" in sources
    assert any("statistics.csv" in n and "cp1251" in n and "Cyrillic" in n for n in result.notes), result.notes


def test_windows_1250_latin(demo_copy, demo_result):
    header, rows, sources = _with_sources(demo_copy, LATIN_SOURCE)
    write_rows(demo_copy / STATS, header, rows, encoding="cp1250")
    result = run(demo_copy)
    _assert_same_statistics(result, demo_result, sources)
    assert any("statistics.csv" in n and "cp1250" in n and "Latin" in n for n in result.notes), result.notes


def _decimal_comma(text: str, grouped: bool) -> str:
    """'7824.1' -> '7824,1' or, grouped, '7.824,1'; '20120' -> '20120' or '20.120'."""
    whole, _, frac = text.partition(".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", ".")
    return whole + ("," + frac if frac else "")


def test_excel_unicode_text_utf16_tabs(demo_copy, demo_result):
    """Excel's 'Unicode Text' export: UTF-16 with a byte-order mark, tab-separated."""
    header, rows, sources = _with_sources(demo_copy, CYRILLIC_SOURCE)
    write_rows(demo_copy / STATS, header, rows, sep="\t", encoding="utf-16")
    result = run(demo_copy)
    _assert_same_statistics(result, demo_result, sources)
    assert any("UTF-16" in n for n in result.notes), result.notes


def test_semicolons_and_decimal_commas(demo_copy, demo_result):
    header, rows = read_rows(demo_copy / STATS)
    v = header.index("value")
    for n, r in enumerate(rows):
        r[v] = _decimal_comma(r[v], grouped=n % 2 == 0)
    written = [r[v] for r in rows]
    assert any("." in w and "," in w for w in written)  # e.g. 7.824,1
    assert any("," in w and "." not in w for w in written)  # e.g. 1234,5
    write_rows(demo_copy / STATS, header, rows, sep=";")
    result = run(demo_copy)
    _assert_same_statistics(result, demo_result)
    assert any("statistics.csv" in n and "';'" in n and "decimal comma" in n for n in result.notes), result.notes


def test_excel_cyrillic_semicolon_export(demo_copy, demo_result):
    """Excel in a Cyrillic locale: Windows-1251, ';' separators and decimal commas together."""
    header, rows, sources = _with_sources(demo_copy, CYRILLIC_SOURCE)
    v = header.index("value")
    for n, r in enumerate(rows):
        r[v] = _decimal_comma(r[v], grouped=n % 3 == 0)
    write_rows(demo_copy / STATS, header, rows, sep=";", encoding="cp1251")
    result = run(demo_copy)
    _assert_same_statistics(result, demo_result, sources)
    assert any("cp1251" in n for n in result.notes) and any("decimal comma" in n for n in result.notes)


def test_semicolons_with_decimal_points_are_not_read_as_thousands(demo_copy):
    """Without any decimal comma in the file, '7.824' is 7.824, not 7824."""
    path = demo_copy / STATS
    header, rows = read_rows(path)
    row = find_row(path, indicator="drug_seizures_kg")
    rows[row - 2][header.index("value")] = "7.824"
    write_rows(path, header, rows, sep=";")
    result = run(demo_copy)
    assert result.ok, "\n".join(map(str, result.problems[:20]))
    assert result.tables[STATS].at[row - 2, "value"] == pytest.approx(7.824)
    assert any("';'" in n and "decimal point" in n for n in result.notes), result.notes


def test_a_bad_number_in_a_semicolon_file_is_quoted_as_written(demo_copy):
    """The analyst searches the file for '-1.234,5', not for the converted '-1234.5'."""
    path = demo_copy / STATS
    header, rows = read_rows(path)
    v = header.index("value")
    for r in rows:
        r[v] = r[v].replace(".", ",")
    amount = find_row(path, indicator="drug_seizures_kg")
    count = find_row(path, indicator="drug_offences")
    rows[amount - 2][v] = "-1.234,5"
    rows[count - 2][v] = "12,5"
    write_rows(path, header, rows, sep=";")
    result = run(demo_copy)
    assert the_problem(result, STATS, amount, "value").value == "-1.234,5"
    p = the_problem(result, STATS, count, "value")
    assert p.value == "12,5" and "whole number" in p.expected


def test_a_bad_cell_in_a_semicolon_file_keeps_its_row(demo_copy):
    path = demo_copy / STATS
    header, rows = read_rows(path)
    v = header.index("value")
    for r in rows:
        r[v] = r[v].replace(".", ",")
    rows[3][v] = "abc"  # spreadsheet row 5
    write_rows(path, header, rows, sep=";", encoding="cp1251")
    p = the_problem(run(demo_copy), STATS, 5, "value")
    assert p.value == "abc"


# --------------------------------------------------------------------------------------------
# the validator only reads
# --------------------------------------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("variant", ["bad", "cp1251_semicolon"])
def test_validation_never_modifies_the_input_files(demo_copy, variant):
    if variant == "bad":
        set_cell(demo_copy / STATS, 5, "value", "abc")
        (demo_copy / ANSWERS).write_bytes(b"")
    elif variant == "cp1251_semicolon":
        header, rows, _ = _with_sources(demo_copy, CYRILLIC_SOURCE)
        v = header.index("value")
        for r in rows:
            r[v] = r[v].replace(".", ",")
        write_rows(demo_copy / STATS, header, rows, sep=";", encoding="cp1251")
    before = _snapshot(demo_copy)
    result = run(demo_copy)
    assert result.ok == (variant != "bad")
    assert _snapshot(demo_copy) == before  # same files, same bytes, same mtimes; nothing added


# --------------------------------------------------------------------------------------------
# reference overrides in <data dir>/reference/
# --------------------------------------------------------------------------------------------

def _add_albania_to_reference(data_dir: Path) -> None:
    """<data dir>/reference/countries.csv: the repository's countries plus Albania."""
    countries = (ROOT / "data" / "reference" / "countries.csv").read_text(encoding="utf-8")
    (data_dir / "reference").mkdir(exist_ok=True)
    (data_dir / "reference" / "countries.csv").write_text(
        countries.rstrip("\n") + "\nALB,albania,Albania,Shqipëria,sq,Latn\n", encoding="utf-8"
    )


def _add_albania_rows(data_dir: Path) -> list[int]:
    path = data_dir / STATS
    header, rows = read_rows(path)
    c, s = header.index("country"), header.index("source")
    first_country = rows[0][c]
    new = []
    for r in rows:
        if r[c] == first_country and r[1] == rows[0][1]:  # one year of one country
            alb = list(r)
            alb[c], alb[s] = "ALB", "Ministry of Interior of Albania, annual crime statistics (synthetic)"
            new.append(alb)
    write_rows(path, header, rows + new)
    return list(range(len(rows) + 2, len(rows) + 2 + len(new)))


def test_reference_override_adds_a_country(demo_copy):
    alb_rows = _add_albania_rows(demo_copy)
    assert alb_rows
    # without the override ALB is unknown, row by row
    result = run(demo_copy)
    assert [p.row for p in problems_at(result, STATS, column="country")] == alb_rows
    # with <data dir>/reference/countries.csv holding a fourth country, the rows are valid
    _add_albania_to_reference(demo_copy)
    result = run(demo_copy)
    assert result.ok, "\n".join(map(str, result.problems[:20]))
    assert (result.tables[STATS]["country"] == "ALB").sum() == len(alb_rows)


def test_reference_override_is_per_data_folder(demo_copies):
    """An override in one data folder does not leak into another."""
    with_override, plain = demo_copies("a"), demo_copies("b")
    for folder in (with_override, plain):
        _add_albania_rows(folder)
    _add_albania_to_reference(with_override)
    assert run(with_override).ok
    assert not run(plain).ok
