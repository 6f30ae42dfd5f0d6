"""A corpus of hostile inputs to ``socta validate``: nothing crashes, nothing misleads.

Each case builds one realistic faulty data folder from a copy of data/demo-2016 (data/demo-2016 itself is never
touched) or a small fixture in tests/hostile/, runs the real command line (``socta.cli.main``) and
checks the exit code and the key words of the message: the file, the row (the file's own line
number), the column and the fix. No case may print a traceback. Cases with data problems stop
before processing; cases that only warn use ``--dry-run``; one folder with every warning-level fault
at once is processed, to check what reaches the outputs.

Exit codes: 0 valid, 1 the data have problems, 2 configuration or usage error, 70 internal error.
"""
from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest
import yaml

from socta import cli
from socta.core.config import Project
from socta.ingest.validation import validate
from tests.helpers import DEMO_2016

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo-2016"
HOSTILE = Path(__file__).resolve().parents[1] / "hostile"
STATS, REGISTER, ANSWERS, EXPERT = "statistics.csv", "ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv"


# --------------------------------------------------------------------------------------------
# building faulty copies of the demo folder; rows are the file's line numbers (header = 1)
# --------------------------------------------------------------------------------------------

def copy_demo(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in [*sorted(DEMO.glob("*.csv")), DEMO / "dataset.yaml"]:
        shutil.copy2(path, target / path.name)
    return target


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(path: Path, header: list[str], rows: list[list[str]], sep: str = ",", encoding: str = "utf-8",
          first_line: str = "") -> None:
    buf = io.StringIO()
    if first_line:
        buf.write(first_line + "\r\n")
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def row_of(path: Path, **match: str) -> int:
    header, rows = read(path)
    for n, r in enumerate(rows, start=2):
        if all(r[header.index(k)] == v for k, v in match.items()):
            return n
    raise LookupError(match)


def set_cell(path: Path, row: int, column: str, value: str) -> str:
    header, rows = read(path)
    old, rows[row - 2][header.index(column)] = rows[row - 2][header.index(column)], value
    write(path, header, rows)
    return old


def add_status_column(path: Path) -> None:
    header, rows = read(path)
    write(path, header + ["status"], [r + [""] for r in rows])


def replace_line(path: Path, line: int, text: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    old, lines[line - 1] = lines[line - 1], text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return old


def edit_yaml(folder: Path, **changes) -> None:
    meta = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")


def run_cli(capsys, *args) -> tuple[int, str]:
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text, text
    return code, text


# --------------------------------------------------------------------------------------------
# the corpus: one case per class of fault
# --------------------------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    build: Callable[[Path], dict]  # makes the fault in the folder; returns facts for the expected words
    code: int
    words: list[str] = field(default_factory=list)  # str.format(**facts) each; all must appear in the output
    absent: list[str] = field(default_factory=list)


def _value(folder: Path, value: str, **match) -> dict:
    row = row_of(folder / STATS, **match)
    set_cell(folder / STATS, row, "value", value)
    return {"row": row}


def huge_value(folder):
    return _value(folder, "1e308", country="SRB", year="2019", indicator="tax_evasion_damage")


def three_extra_zeros(folder):
    path = folder / STATS
    row = row_of(path, country="MKD", year="2021", indicator="drug_offences")
    header, rows = read(path)
    old = rows[row - 2][header.index("value")]
    set_cell(path, row, "value", old + "000")
    return {"row": row, "value": old + "000"}


def three_extra_zeros_imported(folder):
    """The same in a folder `socta import` writes: the fix goes into the mapping, not the generated file."""
    (folder / "mapping.yaml").write_text("version: 1\nsources: []\n", encoding="utf-8")
    return three_extra_zeros(folder)


def pieces_not_thousands(folder):
    path = folder / STATS
    row = row_of(path, country="SRB", year="2020", indicator="cigarettes_seized")
    header, rows = read(path)
    value = f"{float(rows[row - 2][header.index('value')]) * 1000:.0f}"
    set_cell(path, row, "value", value)
    return {"row": row}


def more_than_population(folder):
    # MNE has about 620,000 inhabitants; 700,000 recorded thefts in one year cannot be
    path = folder / STATS
    add_status_column(path)
    header, rows = read(path)
    v = header.index("value")
    for r in rows:  # a whole series at that level, so only the population check can see it
        if r[0] == "MNE" and r[2] == "thefts":
            r[v] = str(700000 + int(r[1]))
    write(path, header, rows)
    return {"row": row_of(path, country="MNE", year="2014", indicator="thefts")}


def malformed_yaml(folder):
    (folder / "dataset.yaml").write_text("name: Test data\nsynthetic: true\nperiod: [2014, 2024\n"
                                         "description: broken\n", encoding="utf-8")
    return {}


def period_as_text(folder):
    edit_yaml(folder, period="2014-2024")
    return {}


def no_name(folder):
    edit_yaml(folder, name=None)
    return {}


def dotted_thousands(folder):
    """';' file from a spreadsheet that writes '.' as thousands separator and no decimals anywhere."""
    path = folder / STATS
    header, rows = read(path)
    v = header.index("value")
    keep = [r for r in rows if r[2] not in ("cigarettes_seized", "drug_seizures_kg", "tax_evasion_damage")]
    for r in keep:
        if int(r[v]) >= 1000:
            r[v] = f"{int(r[v]):,}".replace(",", ".")
    write(path, header, keep, sep=";")
    header, rows = read_semicolon(path)
    row = next(n for n, r in enumerate(rows, start=2) if "." in r[v])
    return {"row": row, "cell": rows[row - 2][v], "plain": rows[row - 2][v].replace(".", "")}


def read_semicolon(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=";"))
    return rows[0], rows[1:]


def xlsx_renamed(folder):
    shutil.copy2(HOSTILE / "workbook.xlsx", folder / STATS)
    return {}


def unquoted_thousands(folder):
    path = folder / STATS
    row = row_of(path, country="SRB", year="2016", indicator="thefts")
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[row - 1].split(",")
    value = int(cells[5])
    cells[5] = f"{value:,}"  # 1,291: one cell too many on this line only
    replace_line(path, row, ",".join(cells))
    later = row_of(path, country="SRB", year="2023", indicator="robberies")
    set_cell_raw(path, later, 5, "abc")
    return {"row": row, "later": later, "plain": str(value), "shown": f"{value:,}"}


def set_cell_raw(path: Path, line: int, position: int, value: str) -> None:
    """Set a cell by position on a line, keeping the rest of the line (and its faults) as it is."""
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = next(csv.reader([lines[line - 1]]))
    cells[position] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[line - 1] = buf.getvalue()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stray_quote(folder):
    path = folder / STATS
    row = row_of(path, country="MNE", year="2017", indicator="robberies")
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[row - 1].split(",")
    cells[5] = '"' + cells[5]  # an opening quote that is never closed
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    later = row_of_line_containing(path, "SRB,2022,robberies")
    set_cell_raw(path, later, 8, "D5")
    return {"row": row, "later": later}


def row_of_line_containing(path: Path, text: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return n
    raise LookupError(text)


def missing_column_and_more(folder):
    path = folder / STATS
    header, rows = read(path)
    j = header.index("source")
    write(path, header[:j] + header[j + 1:], [r[:j] + r[j + 1:] for r in rows])
    row = row_of(path, country="SRB", year="2018", indicator="drug_offences")
    set_cell(path, row, "grade", "Z9")
    return {"row": row}


def trailing_separator(folder):
    path = folder / STATS
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line + "," for line in lines) + "\n", encoding="utf-8")  # header too
    return {}


def excel_sep_line(folder):
    path = folder / STATS
    header, rows = read(path)
    v = header.index("value")
    for r in rows:
        r[v] = r[v].replace(".", ",")
    write(path, header, rows, sep=";", first_line="sep=;")
    return {}


def unknown_indicator(folder):
    row = row_of(folder / STATS, indicator="drug_offences", country="MNE", year="2015")
    set_cell(folder / STATS, row, "indicator", "drug_offence")
    return {"row": row}


def unknown_country_lowercase(folder):
    row = row_of(folder / STATS, country="MNE", year="2015", indicator="thefts")
    set_cell(folder / STATS, row, "country", "mne")
    return {"row": row}


def list_with_comma_space(folder):
    path = folder / REGISTER
    row = 3
    header, rows = read(path)
    country = rows[row - 2][header.index("country")]
    set_cell(path, row, "countries_active", f"{country}, SRB")
    return {"row": row, "fixed": f"{country}|SRB"}


def list_split_by_comma(folder):
    path = folder / REGISTER
    header, rows = read(path)
    row = next(n for n, r in enumerate(rows, start=2) if "|" in r[header.index("nationalities")])
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[row - 1].split(",")
    cells[4] = cells[4].replace("|", ",")  # nationalities SRB|MNE -> SRB,MNE, unquoted
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"row": row, "fixed": next(csv.reader([lines[row - 1]]))[4:4 + cells[4].count(",") + 1]}


def future_year(folder):
    row = row_of(folder / STATS, country="SRB", year="2024", indicator="thefts")
    set_cell(folder / STATS, row, "year", "2029")
    return {"row": row}


def after_the_period(folder):
    edit_yaml(folder, period=[2014, 2023])
    return {"row": row_of(folder / STATS, year="2024")}  # the first of 93 (the first 20 are listed)


def binary_garbage(folder):
    rng = np.random.default_rng(3)
    (folder / EXPERT).write_bytes(bytes(rng.integers(0, 256, 3000, dtype=np.uint8)))
    return {}


def empty_file(folder):
    (folder / ANSWERS).write_bytes(b"")
    return {}


def header_only(folder):
    path = folder / REGISTER
    header, _ = read(path)
    write(path, header, [])
    return {}


def utf16_without_bom(folder):
    path = folder / EXPERT
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    return {}


def windows_1252_latin(folder):
    path = folder / STATS
    header, rows = read(path)
    s = header.index("source")
    for r in rows[:50]:
        r[s] = "Ministère de l'Intérieur, statistique annuelle (données synthétiques)"
    write(path, header, rows, encoding="cp1252")
    return {}


def na_instead_of_empty(folder):
    row = row_of(folder / STATS, country="MKD", year="2019", indicator="robberies")
    set_cell(folder / STATS, row, "value", "N/A")
    return {"row": row}


def data_file_is_a_folder(folder):
    (folder / EXPERT).unlink()
    (folder / EXPERT).mkdir()
    return {}


CASES = [
    # crashes after "✓ data valid" (before): now problems, before processing
    Case("value 1e308", huge_value, 1, ["statistics.csv, row {row}, column 'value'", "'1e308'",
                                        "larger than any real figure", "correct it"]),
    Case("count with three extra zeros", three_extra_zeros, 1,
         ["statistics.csv, row {row}, column 'value'", "'{value}'", "times the median of its own series",
          "MKD drug_offences", "status A"]),
    Case("count with three extra zeros, imported", three_extra_zeros_imported, 1,
         ["statistics.csv, row {row}, column 'value'", "times the median of its own series",
          "status_overrides item in mapping.yaml", "run socta import again"], ["in the row's 'status' column"]),
    Case("malformed dataset.yaml", malformed_yaml, 2, ["Configuration error", "dataset.yaml, line", "not valid YAML",
                                                       "a '[' or quote left open"], ["yaml.scanner", "ParserError"]),
    # silent passes (before)
    Case("';' file with '.' thousands separators", dotted_thousands, 1,
         ["statistics.csv, row {row}, column 'value'", "'{cell}'", "is ambiguous", "Write {plain}",
          "more like this"]),
    Case("year in the future", future_year, 1, ["statistics.csv, row {row}, column 'year'", "'2029'",
                                                "is in the future", "correct the year"]),
    Case("year after the dataset's period", after_the_period, 1,
         ["statistics.csv, row {row}, column 'year'", "'2024'", "after the period 2014–2023",
          "period: [2014, 2024]"]),
    Case("period written as a string", period_as_text, 2, ["Configuration error", "dataset.yaml", "'2014-2024'",
                                                           "period: [2014, 2024]"]),
    Case("no name in dataset.yaml", no_name, 2, ["Configuration error", "dataset.yaml", "give the dataset a 'name:'"]),
    Case("count larger than the population", more_than_population, 1,
         ["statistics.csv, row {row}, column 'value'", "more than the whole population of MNE in 2014",
          "per 100,000 inhabitants", "status A"]),
    Case("pieces instead of thousand pieces", pieces_not_thousands, 1,
         ["statistics.csv, row {row}, column 'value'", "times the median", "SRB cigarettes_seized",
          "pieces instead of thousand pieces"]),
    # unclear messages (before)
    Case(".xlsx renamed .csv", xlsx_renamed, 1, ["statistics.csv: is an Excel workbook (.xlsx) renamed to .csv",
                                                "Save As", "CSV UTF-8"]),
    Case("unquoted 1,291 in a ',' file", unquoted_thousands, 1,
         ["statistics.csv, row {row}, column 'value':", "line {row} has 11 cells where the header has 10",
          "thousands separator", "Write {plain}", "the rest of the file checked",
          "statistics.csv, row {later}, column 'value': 'abc'"]),
    Case("stray quote", stray_quote, 1, ["statistics.csv, row {row}:", "a quote '\"'", "Remove the stray quote",
                                         "statistics.csv, row {later}, column 'grade': 'D5'"]),
    Case("missing column hides nothing", missing_column_and_more, 1,
         ["statistics.csv, row 1, column 'source': required column is missing",
          "statistics.csv, row {row}, column 'grade': 'Z9'"]),
    Case("unknown indicator: did you mean", unknown_indicator, 1,
         ["statistics.csv, row {row}, column 'indicator': 'drug_offence'", "did you mean 'drug_offences'?"]),
    Case("country in lower case", unknown_country_lowercase, 1,
         ["statistics.csv, row {row}, column 'country': 'mne'", "did you mean 'MNE'? codes are case-sensitive"]),
    Case("list written 'MKD, SRB'", list_with_comma_space, 1,
         ["ocg_register.csv, row {row}, column 'countries_active'", "write {fixed}"]),
    Case("list SRB,MNE unquoted in a ',' file", list_split_by_comma, 1,
         ["ocg_register.csv, row {row}, column 'nationalities'", "is written with ',' between its items",
          "Write {fixed_pipe}"], ["no OCG with this id"]),
    Case("binary garbage", binary_garbage, 1, ["expert_assessments.csv:", "binary data", "Export the table again"]),
    Case("empty file", empty_file, 1, ["ocg_answers.csv:", "the file is empty", "header row"]),
    Case("header only", header_only, 1, ["ocg_register.csv:", "has a header row but no data rows"]),
    Case("'N/A' for a missing value", na_instead_of_empty, 1,
         ["statistics.csv, row {row}, column 'value': 'N/A'", "leave the cell empty with status O"]),
    Case("a data file that is a folder", data_file_is_a_folder, 1, ["expert_assessments.csv:", "is a folder"]),
    # documented acceptances
    Case("trailing separator on every line", trailing_separator, 0,
         ["data valid", "an empty column without a name (a separator at the end of the lines) was ignored"],
         ["unexpected column", "Unnamed"]),
    Case("Excel's sep=; line", excel_sep_line, 0, ["data valid", "'sep=;'", "Excel's separator hint",
                                                   "decimal commas"]),
    Case("UTF-16 without BOM", utf16_without_bom, 0, ["data valid", "UTF-16 without a byte-order mark"]),
    Case("Windows-1252 text", windows_1252_latin, 0, ["data valid", "not UTF-8"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path, capsys):
    folder = copy_demo(tmp_path / "data")
    facts = case.build(folder) or {}
    if "fixed" in facts and isinstance(facts["fixed"], list):
        facts["fixed_pipe"] = "|".join(facts["fixed"])
    code, text = run_cli(capsys, "validate", "--data", folder, "--build-dir", tmp_path / "build", "--dry-run")
    assert code == case.code, text
    for word in case.words:
        assert word.format(**facts) in text, f"{word.format(**facts)!r} not in:\n{text}"
    for word in case.absent:
        assert word not in text, text
    assert not (tmp_path / "build" / "processed").exists()  # --dry-run, or problems: nothing written


# --------------------------------------------------------------------------------------------
# cases that need more than a data folder
# --------------------------------------------------------------------------------------------

def test_unreadable_file_is_named_not_a_traceback(tmp_path: Path, capsys, monkeypatch):
    folder = copy_demo(tmp_path / "data")
    target = (folder / ANSWERS).resolve()
    real = Path.read_bytes

    def deny(self):
        if Path(self).resolve() == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)  # root may read any file: simulate chmod 000
    code, text = run_cli(capsys, "validate", "--data", folder, "--build-dir", tmp_path / "build")
    assert code == 1, text
    assert "ocg_answers.csv:" in text and "permission denied" in text and "read access" in text


def test_data_pointing_at_a_file_or_nowhere(tmp_path: Path, capsys):
    folder = copy_demo(tmp_path / "data")
    code, text = run_cli(capsys, "validate", "--data", folder / STATS)
    assert code == 2 and "is a file, not a folder" in text and f"--data {folder}" in text, text
    code, text = run_cli(capsys, "validate", "--data", tmp_path / "nowhere")
    assert code == 2 and "does not exist" in text, text


def test_internal_error_exits_70_and_keeps_the_traceback(tmp_path: Path, capsys, monkeypatch):
    import socta.ingest.validation

    def broken(project):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(socta.ingest.validation, "validate", broken)
    code, text = run_cli(capsys, "validate", "--build-dir", tmp_path / "build")
    assert code == 70, text
    assert "internal error, please report" in text and "RuntimeError: simulated bug" in text
    logs = list((tmp_path / "build").glob("socta-internal-error-*.txt"))
    assert logs and "Traceback" in logs[0].read_text() and str(logs[0]) in text


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["validate", "--no-such-option"])
    assert exc.value.code == 2


def test_a_missing_category_and_disagreeing_breakdowns_are_both_reported(tmp_path: Path):
    folder = copy_demo(tmp_path / "data")
    path = folder / STATS
    header, rows = read(path)
    rows = [r for r in rows if not (r[0] == "SRB" and r[1] == "2016" and r[2] == "thb_victims_form"
                                    and r[4] == "begging")]
    write(path, header, rows)
    row = row_of(path, country="MNE", year="2019", indicator="thb_victims_age", category="adult")
    set_cell(path, row, "value", str(int(read(path)[1][row - 2][5]) + 108))
    result = validate(Project(data_dir=folder))
    assert result.ok, result.problems[:5]
    text = "\n".join(result.warnings)
    assert "thb_victims_form SRB 2016 (no row for begging)" in text
    assert "the breakdowns thb_victims_sex, thb_victims_age, thb_victims_form should add up" in text
    assert "MNE 2019" in text
    assert "SRB 2016: " not in text  # the incomplete year is a missing row, not a disagreement


def test_many_problems_are_grouped(tmp_path: Path, capsys):
    """Every row twice: thousands of duplicate keys, printed as 20 and a count, quickly."""
    folder = copy_demo(tmp_path / "data")
    header, rows = read(folder / STATS)
    write(folder / STATS, header, rows * 4)
    code, text = run_cli(capsys, "validate", "--data", folder, "--dry-run")
    assert code == 1
    duplicates = 3 * len(rows)
    assert f"{duplicates:,} problem(s)" in text
    assert f"… and {duplicates - 20:,} more like this" in text
    assert len(text.splitlines()) < 40, text


# --------------------------------------------------------------------------------------------
# a folder with every warning-level fault: valid, processed, and the outputs are safe
# --------------------------------------------------------------------------------------------

def test_warnings_are_reported_and_outputs_are_neutral(tmp_path: Path, capsys):
    folder = copy_demo(tmp_path / "data")
    path = folder / STATS
    add_status_column(path)
    # CSV injection in a text cell; a negative number elsewhere is a number, not a formula
    formula = row_of(path, country="SRB", year="2015", indicator="thefts")
    set_cell(path, formula, "source", '=HYPERLINK("http://evil.example","click")')
    # a value 1000 times its series, confirmed by the analyst with status A: accepted
    confirmed = row_of(path, country="MKD", year="2022", indicator="cigarettes_seized")
    header, rows = read(path)
    big = float(rows[confirmed - 2][header.index("value")]) * 1000
    set_cell(path, confirmed, "value", f"{big:.1f}")
    set_cell(path, confirmed, "status", "A")
    # an OCG without answers
    register_header, register = read(folder / REGISTER)
    silent = register[5][0]
    header, answers = read(folder / ANSWERS)
    write(folder / ANSWERS, header, [a for a in answers if a[0] != silent])
    # a respondent id starting with '@', in another file
    set_cell(folder / EXPERT, 4, "respondent", "@R99")
    code, text = run_cli(capsys, "validate", "--data", folder, "--build-dir", tmp_path / "build")
    assert code == 0, text
    assert text.index("processed tables") > text.index("✓ data valid")  # said only after processing
    assert f"row {formula} column 'source'" in text and "CSV injection" in text and "leading '" in text
    assert f"{silent} (row 7)" in text and "no answers in ocg_answers.csv" in text
    assert "row 4 column 'respondent'" in text
    for audience in ("public", "restricted"):
        stats = pd.read_parquet(tmp_path / "build" / "processed" / audience / "statistics.parquet")
        assert (stats["source"] == '\'=HYPERLINK("http://evil.example","click")').sum() == 1
        assert not stats["source"].str.startswith(("=", "+", "@")).any()
        experts = pd.read_parquet(tmp_path / "build" / "processed" / audience / "expert_assessments.parquet")
        assert "'@R99" in set(experts["respondent"]) and "@R99" not in set(experts["respondent"])
    stats = pd.read_parquet(tmp_path / "build" / "processed" / "restricted" / "statistics.parquet")
    assert stats["value"].max() == pytest.approx(big)  # confirmed: kept as it is


# --------------------------------------------------------------------------------------------
# absurd values never reach a fitted trend
# --------------------------------------------------------------------------------------------

def _series(values):
    years = list(range(2024 - len(values) + 1, 2025))
    return pd.DataFrame({"year": years, "value": values, "censor": "", "fit": True, "anchor": True, "breaks": False})


@pytest.mark.parametrize("values, kind", [
    ([1234, 1250, 1300, 1234000, 1280, 1260, 1300, 1310], "count"),
    ([5, 6, 7, 1e308, 8, 9], "count"),
    ([1e308, 5, 6, 7, 8, 9], "amount"),
    ([1e14, 1, 1e14, 1, 1e14, 1], "count"),
    ([1e14, 1, 1e14, 1, 1e14, 1], "amount"),
])
def test_the_trend_fit_never_crashes_on_absurd_magnitudes(values, kind):
    from socta.analysis.trends import fit_trend

    trend = fit_trend(_series(values), kind, 1, {})
    if max(values) > 1e13:
        assert trend.reason == "fit_failed" and trend.detail.startswith("cannot fit")
        assert np.isnan(trend.change_per_year)


@pytest.mark.parametrize("build", [huge_value, three_extra_zeros], ids=["1e308", "x1000"])
def test_absurd_values_never_reach_a_fitted_trend(build, tmp_path: Path, capsys):
    folder = copy_demo(tmp_path / "data")
    build(folder)
    code, text = run_cli(capsys, "validate", "--data", folder, "--build-dir", tmp_path / "build")
    assert code == 1 and "nothing was written" in text
    assert not (tmp_path / "build" / "processed").exists()  # no trend table, no page, no judgement


def test_a_1e308_series_gives_no_trend_even_unvalidated():
    """Even if such a value got past validation, the trend table says why it cannot fit, not crash."""
    from socta.analysis.trends import trend_table
    from socta.core.config import REGION
    from socta.ingest.reference import Reference

    project = Project(data_dir=DEMO_2016)
    ref = Reference(project)
    stats = validate(project).tables[STATS].copy()
    stats.loc[stats["indicator"].eq("tax_evasion_damage") & stats["country"].eq("SRB")
              & stats["year"].eq(2021), "value"] = 1e308
    table = trend_table(stats, ref, {"SRB": ["SRB"], REGION: list(ref.countries.index)}, 2024, 8, 1,
                        project.settings)
    hit = table[table["indicator"].eq("tax_evasion_damage")]
    assert hit["reason"].eq("fit_failed").all() and hit["change_per_year"].isna().all()
    assert hit["detail"].str.startswith("cannot fit").all()


# --------------------------------------------------------------------------------------------
# every check data/README.md promises: one case each for those no other test covers
# --------------------------------------------------------------------------------------------
# Promises tested elsewhere: key of statistics.csv unique, country, year in valid_years, unknown
# indicator, sub-market required / not allowed, value >= 0, count whole, '<N' threshold whole, unit,
# grade, handling code, status codes, empty value needs a missing status, optional files, a real
# folder with demo files, period checks, coverage and breakdown warnings, countries_active includes
# country, crime areas, answers' ocg_id, answer scale, expert area, encodings and separators
# (tests/unit/test_validation.py, tests/unit/test_real_data.py); codes case-sensitive, lists with '|', empty
# not 'N/A', CSV injection, missing answers, missing categories, plausibility (the corpus above).

def _drop_column(name):
    def build(folder, file):
        header, rows = read(folder / file)
        j = header.index(name)
        write(folder / file, header[:j] + header[j + 1:], [r[:j] + r[j + 1:] for r in rows])
        return 1
    return build


def _cell(column, value, row=5):
    def build(folder, file):
        set_cell(folder / file, row, column, value)
        return row
    return build


def _duplicate_row(source=3):
    def build(folder, file):
        header, rows = read(folder / file)
        rows.append(list(rows[source - 2]))
        write(folder / file, header, rows)
        return len(rows) + 1
    return build


def _repeat_header(folder, file):
    header, rows = read(folder / file)
    rows.insert(10, list(header))
    write(folder / file, header, rows)
    return 12


def _category(folder, file):
    row = row_of(folder / file, indicator="thb_victims_sex", category="male")
    set_cell(folder / file, row, "category", "males")
    return row


def _months(folder, file):
    add_status_column(folder / file)
    header, rows = read(folder / file)
    write(folder / file, header + ["months"], [r + [""] for r in rows])
    set_cell(folder / file, 6, "months", "12")
    return 6


def _status_list(folder, file):
    add_status_column(folder / file)
    set_cell(folder / file, 7, "status", "B, P")
    return 7


def _cyrillic_code(folder, file):
    row = row_of(folder / file, country="MKD", year="2016", indicator="thefts")
    set_cell(folder / file, row, "country", "МКD")  # Cyrillic М and К
    return row


PROMISES = [
    # (promise, file, build -> row, column, words in the problem)
    ("one header row", STATS, _repeat_header, None, "the header row again"),
    ("category one of the indicator's", STATS, _category, "category", "did you mean 'male'?"),
    ("source non-empty", STATS, _cell("source", ""), "source", "a value is required"),
    ("months 1-11", STATS, _months, "months", "1 to 11"),
    ("status codes separated by |", STATS, _status_list, "status", "write B|P"),
    ("codes in ASCII", STATS, _cyrillic_code, "country", "Cyrillic letters that look like Latin ones"),
    ("ocg_id pseudonymous pattern", REGISTER, _cell("ocg_id", "Marko Markovic"), "ocg_id", "SRB-OCG-007"),
    ("ocg_id unique", REGISTER, _duplicate_row(), "ocg_id", "duplicate key"),
    ("register country in countries.csv", REGISTER, _cell("country", "ALB"), "country", "countries.csv"),
    ("size whole number >= 2", REGISTER, _cell("size", "1"), "size", "2 or more"),
    ("structure allowed", REGISTER, _cell("structure", "clan"), "structure", "hierarchical"),
    ("nationalities ISO3", REGISTER, _cell("nationalities", "SRB|Bosnia"), "nationalities", "not an ISO3 code"),
    ("first_reported a year", REGISTER, _cell("first_reported", "2031"), "first_reported", "a year from"),
    ("first_reported not in the future", REGISTER, _cell("first_reported", "2029"), "first_reported",
     "in the future"),
    ("register grade", REGISTER, _cell("grade", "A9"), "grade", "4x4 grade"),
    ("answers key unique", ANSWERS, _duplicate_row(), "ocg_id+indicator", "duplicate key"),
    ("answers indicator in ocg_indicators.csv", ANSWERS, _cell("indicator", "violance"), "indicator",
     "did you mean 'violence'?"),
    ("expert key unique", EXPERT, _duplicate_row(), "country+area+respondent", "duplicate key"),
    ("trend -2..2", EXPERT, _cell("trend", "3"), "trend", "-2 to 2"),
    ("scale 0..4", EXPERT, _cell("scale", "5"), "scale", "0 to 4"),
    ("harm 0..4", EXPERT, _cell("harm_social", "-1"), "harm_social", "0 (none) to 4"),
    ("a harm column per dimension", EXPERT, _drop_column("harm_political"), "harm_political",
     "required column is missing"),
    ("outlook -2..2", EXPERT, _cell("outlook", "+3"), "outlook", "-2 to 2"),
    ("confidence allowed", EXPERT, _cell("confidence", "very high"), "confidence", "low, moderate, high"),
]


@pytest.mark.parametrize("promise, file, build, column, words", PROMISES, ids=[p[0] for p in PROMISES])
def test_data_dictionary_promise(promise, file, build, column, words, tmp_path: Path):
    folder = copy_demo(tmp_path / "data")
    row = build(folder, file)
    result = validate(Project(data_dir=folder))
    found = [p for p in result.problems if p.file == file and p.row == row and (column is None or p.column == column)]
    listing = "\n".join(map(str, result.problems[:10]))
    assert found, f"no problem at {file} row {row} column {column}:\n{listing}"
    assert any(words in str(p) for p in found), "\n".join(map(str, found))


@pytest.mark.parametrize("change, words", [
    ({"synthetic": "yes"}, "write synthetic: true or synthetic: false, without quotes"),
    ({"period": [2014]}, "'period' must be two years"),
    ({"name": 12}, "write a text"),
])
def test_dataset_yaml_promises(change, words, tmp_path: Path, capsys):
    folder = copy_demo(tmp_path / "data")
    edit_yaml(folder, **change)
    code, text = run_cli(capsys, "validate", "--data", folder, "--dry-run")
    assert code == 2 and words in text, text


def test_dataset_yaml_warnings(tmp_path: Path):
    folder = copy_demo(tmp_path / "data")
    edit_yaml(folder, description=None, peroid=[2014, 2024])
    warnings = "\n".join(validate(Project(data_dir=folder)).warnings)
    assert "unknown key 'peroid' (did you mean 'period'?)" in warnings
    assert "no 'description:'" in warnings


def test_missing_answers_are_warned_per_ocg(tmp_path: Path):
    folder = copy_demo(tmp_path / "data")
    header, answers = read(folder / ANSWERS)
    gone = answers.pop(3)  # one answer of the first OCG
    write(folder / ANSWERS, header, answers)
    result = validate(Project(data_dir=folder))
    assert result.ok
    text = "\n".join(result.warnings)
    assert f"{gone[0]} ({gone[1]})" in text and "counts as unknown" in text
