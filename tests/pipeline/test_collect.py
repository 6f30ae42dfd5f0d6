"""Collection workbooks (socta collect) and reading them back (socta import --workbook): the demo's round
trip byte for byte, what a unit sees (locked labels, drop-downs, language), and every way a filled
workbook can be wrong, each with its workbook, sheet and cell."""
from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from socta.cli import main
from socta.collect.layout import FIRST_ROW, build_layout
from socta.collect.read import WorkbookImportFailed, import_workbooks
from socta.collect.write import workbook_name, write_workbook
from socta.core.config import Project
from socta.core.tableio import read_csv_table
from socta.ingest.schema import INPUT_FILES
from tests.conftest import DEMO_DIR
from tests.helpers import DEMO_2016

YEARS = (2014, 2024)
LANGS = {"SRB": "sr", "MNE": "cnr", "MKD": "mk"}


def previous(project: Project) -> dict:
    return {name: read_csv_table(project.input_path(name)).frame for name in INPUT_FILES}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The demo's three workbooks, pre-filled, each in its country's language; and Serbia's in English."""
    folder = tmp_path_factory.mktemp("workbooks")
    project = Project(data_dir=DEMO_2016)
    tables = previous(project)
    made = {country: write_workbook(build_layout(project, country, lang, YEARS, previous=tables),
                                    folder / workbook_name(country, YEARS, lang)) for country, lang in LANGS.items()}
    made["SRB-en"] = write_workbook(build_layout(project, "SRB", "en", YEARS, previous=tables),
                                    folder / workbook_name("SRB", YEARS, "en"))
    return made


@pytest.fixture
def copy(books, tmp_path):
    """A copy of one of the workbooks, to fill in or spoil."""
    def make(which: str = "SRB") -> Path:
        target = tmp_path / "in" / books[which].name
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(books[which], target)
        return target
    return make


def failure(paths, out: Path, **kwargs) -> list[str]:
    with pytest.raises(WorkbookImportFailed) as caught:
        import_workbooks(paths, out, **kwargs)
    assert not out.exists() or not any(out.glob("*.csv")), "nothing may be written on error"
    return [str(p) for p in caught.value.problems]


def test_demo_round_trip_is_byte_for_byte(books, tmp_path):
    out = tmp_path / "collected"
    import_workbooks([books[c] for c in LANGS], out)
    for name in INPUT_FILES:   # every input table, the groups' places and links among them
        assert (out / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name


def test_english_workbook_gives_the_same_rows(books, tmp_path):
    out = tmp_path / "en"
    import_workbooks([books["SRB-en"]], out)
    serbia = [line for line in (DEMO_DIR / "statistics.csv").read_text().splitlines()[1:] if line.startswith("SRB,")]
    assert (out / "statistics.csv").read_text().splitlines()[1:] == serbia


def test_provenance_names_the_cell_of_every_value(books, tmp_path):
    out = tmp_path / "collected"
    import_workbooks([books["SRB"]], out)
    stats = read_csv_table(out / "statistics.csv").frame
    # Serbia's cocaine seizures of 2016: the drugs sheet's first series (cocaine, kg) starts in row 5
    # with 2014, so 2016 is row 7; the value is column F
    i = stats.index[(stats.year == "2016") & (stats.indicator == "drug_seizures_kg") & (stats.submarket == "cocaine")][0]
    prov = read_csv_table(out / "provenance.csv").frame
    cell = prov[(prov.file == "statistics.csv") & (prov.row == str(i + 2)) & (prov.column == "value")].iloc[0]
    assert (cell.workbook, cell.sheet, cell.cell) == (books["SRB"].name, "Трговина дрогом", "F7")
    written = load_workbook(books["SRB"])["Трговина дрогом"]["F7"].value
    assert str(written) == stats.at[i, "value"]
    covered = prov.groupby(["file", "row"]).size()
    assert len(covered.loc["statistics.csv"]) == len(stats), "every row has its cells"
    manifest = read_csv_table(out / "workbooks.csv").frame.iloc[0]
    assert manifest.sha256 == hashlib.sha256(books["SRB"].read_bytes()).hexdigest()


def test_what_a_unit_sees(books):
    wb = load_workbook(books["SRB"])
    assert wb.sheetnames[:2] == ["Упутство", "Трговина дрогом"]
    assert wb["lists"].sheet_state == "hidden" and wb["socta"].sheet_state == "veryHidden"
    ws = wb["Трговина дрогом"]
    assert ws.protection.sheet and wb.security.lockStructure
    header = [c.value for c in ws[4]]
    assert header[:6] == ["Индикатор", "Подтржиште", "Категорија", "Јединица", "Година", "Вредност"]
    assert ws["A5"].protection.locked and not ws["F5"].protection.locked, "labels locked, values open"
    assert ws.column_dimensions["M"].hidden, "the row keys are hidden"
    lists = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    grade = lists[f"I{FIRST_ROW}:I{ws.max_row}"]
    assert grade.type == "list" and grade.formula1 == "='lists'!$A$2:$A$17"
    assert [wb["lists"].cell(r, 1).value for r in range(2, 18)][:3] == ["A1", "A2", "A3"]
    assert lists[f"G{FIRST_ROW}:G{ws.max_row}"].errorStyle == "warning", "status: B|P may be typed"
    assert ws["L5"].value.startswith("=IF(AND(F5=\"\",G5=\"\")"), "a Check formula on every row"
    english = load_workbook(books["SRB-en"])
    assert english.sheetnames[:2] == ["Instructions", "Drug trafficking"]
    groups = english["Groups and networks"]
    assert groups["K4"].value == "Corruption"
    size = next(v for v in groups.data_validations.dataValidation if str(v.sqref).startswith("B5:"))
    assert (size.type, size.formula1, size.formula2) == ("whole", "2", "100000"), "members: a whole number, 2 or more"


def test_new_cycle_is_filled_and_read(tmp_path):
    project = Project(data_dir=DEMO_2016)
    path = write_workbook(build_layout(project, "SRB", "en", (2014, 2025), previous=previous(project)),
                          tmp_path / "SRB-2014-2025-en.xlsx")
    wb = load_workbook(path)
    ws = wb["Drug trafficking"]
    def row_of(key):
        return next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 13).value == key)
    row = row_of("drug_seizures_kg|cocaine||2025")
    assert ws.cell(row, 6).value is None and ws.cell(row, 9).value == ws.cell(row - 1, 9).value, \
        "the new year is empty; its grade and source are last year's, offered"
    ws.cell(row, 6).value = 412.5
    ws.cell(row_of("drug_seizures_kg|heroin||2025"), 7).value = "L — Missing value; data exist but were not collected"
    groups = wb["Groups and networks"]
    new = next(r for r in range(FIRST_ROW, groups.max_row + 1) if groups.cell(r, 1).value is None)
    for col, value in zip(range(1, 11), ["SRB-OCG-900", 7, "Network", "SRB", "SRB|HUN", "drugs", 2025, "B2", "H1", ""]):
        groups.cell(new, col).value = value or None
    groups.cell(new, 11).value = "Present to a high degree"  # corruption; its grade left to the group's
    wb.save(path)
    out = tmp_path / "new"
    (out).mkdir()
    (out / "dataset.yaml").write_text("name: test\nsynthetic: true\nperiod: [2014, 2025]\n")
    import_workbooks([path], out)
    stats = read_csv_table(out / "statistics.csv").frame
    new_rows = stats[stats.year == "2025"]
    assert new_rows[["indicator", "submarket", "value", "status"]].values.tolist() == [
        ["drug_seizures_kg", "cocaine", "412.5", ""], ["drug_seizures_kg", "heroin", "", "L"]]
    answers = read_csv_table(out / "ocg_answers.csv").frame
    assert answers[answers.ocg_id == "SRB-OCG-900"].values.tolist() == [["SRB-OCG-900", "corruption", "high", "B2", "H1"]]
    register = read_csv_table(out / "ocg_register.csv").frame
    assert register[register.ocg_id == "SRB-OCG-900"].structure.tolist() == ["network"]


@pytest.mark.parametrize("spoil, expected", [
    (lambda wb: wb["Трговина дрогом"].__setitem__("F7", "abc"),
     "sheet 'Трговина дрогом', cell F7: 'abc': is not a number; expected a number of 0 or more"),
    (lambda wb: setattr(wb["Трговина дрогом"], "title", "Дроге"),
     "sheet 'Трговина дрогом': is missing: the sheet was renamed or deleted"),
    (lambda wb: wb["Трговина дрогом"].delete_rows(9),
     "sheet 'Трговина дрогом', row 9: rows were moved, inserted, sorted or deleted from here on"),
    (lambda wb: wb["Трговина дрогом"].insert_cols(3),
     "sheet 'Трговина дрогом', cell C4: '': the column headed 'Категорија' belongs here: columns were inserted"),
    (lambda wb: wb["Трговина дрогом"].__setitem__("F8", "=F7*2"),
     "sheet 'Трговина дрогом', cell F8: '=F7*2': holds a formula: type the value itself"),
    (lambda wb: wb["Групе и мреже"].merge_cells("B5:C5"), "sheet 'Групе и мреже', cell B5:C5: merged cells"),
    (lambda wb: wb["Трговина дрогом"].__setitem__("I7", "Z9"), "sheet 'Трговина дрогом', cell I7: 'Z9': "),
    (lambda wb: wb["socta"].__setitem__("C2", "MNE"), "its hidden sheet 'socta' was changed"),
    (lambda wb: wb["Трговина дрогом"].__setitem__("F500", 12), "cell F500: '12': is below the workbook's rows"),
    (lambda wb: wb.create_sheet("Моје белешке"), "sheet 'Моје белешке': is a sheet socta did not make"),
    (lambda wb: wb["Трговина дрогом"].__setitem__("N10", 999), "cell N10: '999': is right of the workbook's columns"),
])
def test_a_spoiled_workbook_is_refused_by_cell(copy, tmp_path, spoil, expected):
    path = copy("SRB")
    wb = load_workbook(path)
    spoil(wb)
    wb.save(path)
    before = path.read_bytes()
    problems = failure([path], tmp_path / "out")
    assert any(expected in p and p.startswith(path.name) for p in problems), problems
    assert path.read_bytes() == before, "the workbook is only read"


def test_every_problem_at_once(copy, tmp_path):
    serbia, montenegro = copy("SRB"), copy("MNE")
    for path, sheet, cell, value in [(serbia, "Трговина дрогом", "F7", "abc"), (montenegro, "Grupe i mreže", "H5", "Q7")]:
        wb = load_workbook(path)
        wb[sheet][cell] = value
        wb.save(path)
    problems = failure([serbia, montenegro], tmp_path / "out")
    assert any("cell F7: 'abc'" in p for p in problems) and any("'Grupe i mreže', cell H5: 'Q7'" in p for p in problems), problems


def test_another_country_or_cycle(books, copy, tmp_path):
    problems = failure([books["SRB"]], tmp_path / "a", countries=["MNE"])
    assert any("is a workbook of another country (--country MNE)" in p for p in problems)
    out = tmp_path / "b"
    out.mkdir()
    (out / "dataset.yaml").write_text("name: next\nsynthetic: true\nperiod: [2015, 2025]\n")
    problems = failure([books["SRB"]], out)
    assert any("'2014-2024': is a workbook of another cycle: the data folder covers 2015-2025" in p for p in problems)
    problems = failure([books["SRB"], books["SRB-en"]], tmp_path / "c")
    assert any("is a second workbook of the same country and unit" in p for p in problems)


def test_nothing_is_lost_in_a_folder_of_more(books, tmp_path, demo_copy):
    """One country's workbook into the regional folder would drop the other countries' rows: refused."""
    before = {name: (demo_copy / name).read_bytes() for name in INPUT_FILES}
    with pytest.raises(WorkbookImportFailed) as caught:
        import_workbooks([books["SRB"]], demo_copy)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.endswith("statistics.csv: holds rows of MKD, MNE, which these workbooks do not give, and they would "
                          "be lost: add those countries' workbooks, or import into a new folder") for p in problems)
    assert {name: (demo_copy / name).read_bytes() for name in INPUT_FILES} == before
    (demo_copy / "mapping.yaml").write_text("sources: []\n")
    with pytest.raises(WorkbookImportFailed, match="1 problem"):
        import_workbooks([books[c] for c in LANGS], demo_copy)
    (demo_copy / "mapping.yaml").unlink()
    import_workbooks([books[c] for c in LANGS], demo_copy)  # all three countries: replaced, same bytes
    assert {name: (demo_copy / name).read_bytes() for name in INPUT_FILES} == before


def test_not_a_workbook(tmp_path):
    fake = tmp_path / "SRB.xlsx"
    fake.write_text("country,year\nSRB,2020\n")
    plain = tmp_path / "other.xlsx"
    from openpyxl import Workbook
    Workbook().save(plain)
    problems = failure([fake, plain], tmp_path / "out")
    assert any(p.startswith("SRB.xlsx: is not an .xlsx workbook") for p in problems)
    assert any(p.startswith("other.xlsx: is not a socta collection workbook") for p in problems)


def test_cli_collect_and_import(tmp_path, capsys):
    out = tmp_path / "books"
    assert main(["collect", "--data", str(DEMO_DIR), "--country", "MKD", "--out", str(out)]) == 0
    made = sorted(p.name for p in out.glob("*.xlsx"))
    assert made == ["MKD-2014-2024-en.xlsx", "MKD-2014-2024-mk.xlsx"]
    assert main(["import", "--workbook", str(out / made[1]), "--out", str(tmp_path / "data")]) == 0
    assert "1 workbook(s) imported" in capsys.readouterr().out
    assert main(["validate", "--data", str(tmp_path / "data"), "--build-dir", str(tmp_path / "build")]) == 0
    wb = load_workbook(out / made[1])
    wb["Трговија со дрога"]["F5"] = "abc"
    wb.save(out / made[1])
    assert main(["import", "--workbook", str(out / made[1]), "--out", str(tmp_path / "data2")]) == 1
    printed = capsys.readouterr().out
    assert "nothing was written" in printed and "cell F5: 'abc'" in printed
    assert main(["collect", "--country", "XXX", "--out", str(out)]) == 2
    assert main(["collect", "--years", "2020", "--out", str(out)]) == 2


# ---- LibreOffice: the workbooks open, recalculate and save there (make office installs it; make test runs it) ----

def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail("no LibreOffice on this machine: `make office` installs Debian's libreoffice-calc-nogui "
                    "(make test does it)")
    return found


def convert(paths: list[Path], to: str, out: Path) -> list[Path]:
    """Open ``paths`` in headless LibreOffice and save them as ``to``: what a unit's LibreOffice does."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / ".profile"  # its own profile: no clash with another LibreOffice running
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", to,
                    "--outdir", str(out), *map(str, paths)], check=True, capture_output=True, timeout=300)
    return sorted(p for p in out.iterdir() if p.is_file())


def test_libreoffice_recalculates_the_check_column(copy, tmp_path):
    path = copy("SRB-en")
    wb = load_workbook(path)
    ws = wb["Drug trafficking"]
    ws["F7"] = "abc"
    ws["I8"] = None
    wb.save(path)
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    sheets = convert([path], every_sheet, tmp_path / "csv")
    drugs = next(p for p in sheets if p.name.endswith("-Drug trafficking.csv"))
    rows = list(csv.reader(drugs.open(encoding="utf-8")))
    header = rows[3]
    check = {int(i) + 1: row[header.index("Check")] for i, row in enumerate(rows) if i >= 4}
    assert check[5] == "OK" and check[7] == "not a number: type digits, <5 or >3300"
    assert check[8] == "needs a grade, a handling code and a source"
    assert rows[4][header.index("Value")] == "327.2", "values as written"


def test_workbooks_saved_by_libreoffice_import_byte_for_byte(books, tmp_path):
    saved = convert([books[c] for c in LANGS], "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved")
    out = tmp_path / "collected"
    import_workbooks(saved, out)
    for name in INPUT_FILES:
        assert (out / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name


def test_a_workbook_of_another_configuration(books, tmp_path, demo_copy):
    """A harm dimension added since the workbook was made: its expert sheet's columns differ, said so."""
    (demo_copy / "reference").mkdir()
    harm = (Path(DEMO_DIR).parents[0] / "reference" / "harm_dimensions.csv").read_text()
    (demo_copy / "reference" / "harm_dimensions.csv").write_text(harm + "cultural,Cultural heritage,1,Loss of heritage\n")
    problems = failure([books["SRB"]], tmp_path / "out", project=Project(data_dir=demo_copy))
    assert any("sheet 'Стручне процене': has other columns than the configuration in force gives this sheet" in p
               for p in problems), problems


def unit_books(tmp_path: Path, *units: str) -> list[Path]:
    project = Project(data_dir=DEMO_2016)
    tables = previous(project)
    return [write_workbook(build_layout(project, "SRB", "en", YEARS, unit, previous=tables),
                           tmp_path / workbook_name("SRB", YEARS, "en", unit)) for unit in units]


def set_cells(path: Path, sheet: str, values: dict) -> None:
    wb = load_workbook(path)
    for cell, value in values.items():
        wb[sheet][cell] = value
    wb.save(path)


def test_units_of_one_country_are_merged(tmp_path):
    """Both units get last cycle's values; what one changes wins over what the other left as offered,
    and two different answers for one statistic are a problem naming both cells."""
    border, customs = unit_books(tmp_path, "Border police", "Customs ")
    assert customs.name == "SRB-customs-2014-2024-en.xlsx"
    set_cells(border, "Drug trafficking", {"F7": 190.5})
    out = tmp_path / "merged"
    import_workbooks([border, customs], out)
    stats = read_csv_table(out / "statistics.csv").frame
    cocaine_2016 = stats[(stats.year == "2016") & (stats.indicator == "drug_seizures_kg") & (stats.submarket == "cocaine")]
    assert cocaine_2016.value.tolist() == ["190.5"]
    demo_serbia = [line for line in (DEMO_DIR / "statistics.csv").read_text().splitlines()[1:] if line.startswith("SRB,")]
    assert len(stats) == len(demo_serbia), "each statistic once"
    prov = read_csv_table(out / "provenance.csv").frame
    assert prov[(prov.column == "value") & (prov.cell == "F7") & (prov.sheet == "Drug trafficking")].workbook.tolist() \
        == [border.name]
    set_cells(customs, "Drug trafficking", {"F7": 191})
    problems = failure([border, customs], tmp_path / "conflict")
    assert any(p.startswith(f"{border.name}, sheet 'Drug trafficking', cell F7: 'SRB · 2016 · drug_seizures_kg · "
                            f"cocaine': is given differently also in {customs.name}, sheet 'Drug trafficking', cell F7")
               for p in problems), problems


def test_typed_values_are_read_as_the_unit_sees_them(copy, books, tmp_path):
    path = copy("SRB-en")
    original = load_workbook(books["SRB-en"])["Drug trafficking"]
    set_cells(path, "Drug trafficking", {"F5": "12,5", "F6": 3 * 110.1, "F8": "1,234", "F9": "1.234"})
    wb = load_workbook(path)
    wb["Drug trafficking"]["F11"].number_format = "0%"
    wb["Drug trafficking"]["F11"] = 0.05
    wb["Drug trafficking"]["K12"] = "#N/A"
    wb["Drug trafficking"]["K12"].data_type = "e"
    wb.save(path)
    problems = failure([path], tmp_path / "out")
    expected = {"F8": "'1,234': is text that could be a thousand or a decimal", "F9": "'1.234': is text that could be",
                "F11": "'0.05': is formatted as a percentage", "K12": "'#N/A': holds an error value"}
    for cell, words in expected.items():
        assert any(f"cell {cell}: {words}" in p for p in problems), (cell, problems)
    wb = load_workbook(path)
    for cell in ("F8", "F9", "F11", "K12"):
        wb["Drug trafficking"][cell] = original[cell].value
        wb["Drug trafficking"][cell].number_format = original[cell].number_format
    wb.save(path)
    out = tmp_path / "ok"
    import_workbooks([path], out)
    stats = read_csv_table(out / "statistics.csv").frame
    cocaine = stats[(stats.indicator == "drug_seizures_kg") & (stats.submarket == "cocaine")].set_index("year").value
    assert 3 * 110.1 == 330.29999999999995
    assert (cocaine["2014"], cocaine["2015"]) == ("12.5", "330.3"), "a decimal comma; 3 × 110.1 as the unit sees it"


def test_a_formula_looking_text_stays_text_both_ways(tmp_path, demo_copy):
    """A source that starts with = is written into the workbook as text, never run as a formula, and comes
    back from it made inert, as every CSV socta writes."""
    stats = (demo_copy / "statistics.csv").read_text().replace(
        '"Ministry of Interior of Serbia, annual crime statistics (synthetic)"', '"=HYPERLINK(""http://x"",""y"")"', 1)
    (demo_copy / "statistics.csv").write_text(stats)
    project = Project(data_dir=demo_copy)
    path = write_workbook(build_layout(project, "SRB", "en", YEARS, previous=previous(project)), tmp_path / "x.xlsx")
    cells = [c for row in load_workbook(path)["Drug trafficking"].iter_rows(min_col=11, max_col=11) for c in row
             if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)
    out = tmp_path / "out"
    import_workbooks([path], out)
    sources = read_csv_table(out / "statistics.csv").frame.source
    assert sources.str.startswith("=").sum() == 0 and sources.str.startswith("'=HYPERLINK").sum() == 1


def test_the_configuration_of_data_is_the_one_in_force(tmp_path, demo_copy):
    """Workbooks made from a folder with its own harm dimension are read and validated with it (--data)."""
    (demo_copy / "reference").mkdir()
    harm = (DEMO_DIR.parent / "reference" / "harm_dimensions.csv").read_text()
    (demo_copy / "reference" / "harm_dimensions.csv").write_text(harm + "cultural,Cultural heritage,1,Loss of heritage\n")
    project = Project(data_dir=demo_copy)
    path = write_workbook(build_layout(project, "MNE", "en", YEARS), tmp_path / "MNE.xlsx")
    wb = load_workbook(path)
    ws = wb["Expert assessments"]
    header = [c.value for c in ws[4]]
    assert "Harm: Cultural heritage (0 to 4)" in header
    for column, value in zip(header, ["", "R1", 1, 2, 1, 1, 1, 1, 1, 3, 0, "moderate"]):
        if value != "":
            ws.cell(5, header.index(column) + 1).value = value
    for cell, value in zip(["F5", "I5", "J5", "K5"], [120, "B2", "H0", "Police statistics (synthetic)"]):
        wb["Drug trafficking"][cell] = value  # a data folder needs statistics
    wb.save(path)
    out = tmp_path / "out"
    import_workbooks([path], out, project=project)
    experts = read_csv_table(out / "expert_assessments.csv").frame
    assert experts.columns[-3:].tolist() == ["harm_cultural", "outlook", "confidence"]
    assert experts.iloc[0][["respondent", "harm_cultural", "confidence"]].tolist() == ["R1", "3", "moderate"]


def test_a_usage_error_prints_words_not_markup(tmp_path, capsys):
    assert main(["collect", "--country", "XXX", "--out", str(tmp_path)]) == 2
    printed = capsys.readouterr().out
    assert "Usage error: --country XXX: not in countries.csv (SRB, MNE, MKD)" in printed and "[bold" not in printed


def test_places_and_links_have_their_sheets(books, tmp_path):
    """Where Serbia's groups are based and operate, and their links, pre-filled from the last cycle with the
    place and the kind of link by their names; a row added is read back with its cell."""
    wb = load_workbook(books["SRB-en"])
    assert wb.sheetnames[-4:-2] == ["Places", "Links between groups"]   # then the hidden lists and key
    places, links = wb["Places"], wb["Links between groups"]
    assert [c.value for c in places[4]][:5] == ["Group id", "Place", "Based here or operates here", "Grade",
                                                 "Handling code"]
    serbian = {r["ocg_id"] for r in csv.DictReader(open(DEMO_DIR / "ocg_register.csv", encoding="utf-8"))
               if r["country"] == "SRB"}
    demo = [r for r in csv.DictReader(open(DEMO_DIR / "ocg_places.csv", encoding="utf-8")) if r["ocg_id"] in serbian]
    offered = [[places.cell(r, c).value for c in range(1, 4)] for r in range(FIRST_ROW, FIRST_ROW + len(demo))]
    assert offered[0][0] == demo[0]["ocg_id"] and offered[0][1] in ("Belgrade (SRB)", "Novi Sad (SRB)", "Niš (SRB)")
    assert {o[2] for o in offered} <= {"based here", "operates here"} and places.cell(FIRST_ROW + len(demo), 1).value is None
    place_list = next(v for v in places.data_validations.dataValidation if str(v.sqref).startswith("B5:"))
    assert place_list.type == "list" and place_list.errorStyle == "stop", "a place is picked from the list"
    assert links.cell(FIRST_ROW, 1).value in serbian and links["C4"].value == "Kind of link"
    # a place where a group operates, added; read back into ocg_places.csv with the cell it came from
    row = FIRST_ROW + len(demo)
    for col, value in zip("ABCDE", [demo[0]["ocg_id"], "Subotica (SRB)", "operates here", "B2", "H1"]):
        places[f"{col}{row}"] = value
    path = tmp_path / books["SRB-en"].name
    wb.save(path)
    out = tmp_path / "out"
    import_workbooks([path], out)
    rows = read_csv_table(out / "ocg_places.csv").frame
    assert [demo[0]["ocg_id"], "subotica", "activity", "B2", "H1"] in rows.values.tolist()
    prov = read_csv_table(out / "provenance.csv").frame
    line = rows.index[rows.place.eq("subotica")][0] + 2
    assert prov[(prov.file == "ocg_places.csv") & (prov.row == str(line)) & (prov.column == "place")].cell.tolist() == \
        [f"B{row}"]


@pytest.mark.parametrize("sheet, cells, expected", [
    ("Places", {"B5": "Atlantis"}, "sheet 'Places', cell B5: 'Atlantis': not allowed; expected a place_id in places.csv"),
    ("Places", {"A5": "SRB-OCG-999"}, "sheet 'Places', cell A5: 'SRB-OCG-999'"),
    ("Links between groups", {"A5": "XXX-OCG-001"}, "sheet 'Links between groups', cell A5: 'XXX-OCG-001'"),
    ("Links between groups", {"C5": "friendship"}, "sheet 'Links between groups', cell C5: 'friendship': not allowed"),
])
def test_a_wrong_place_or_link_is_refused_by_cell(copy, tmp_path, sheet, cells, expected):
    path = copy("SRB-en")
    wb = load_workbook(path)
    for cell, value in cells.items():
        wb[sheet][cell] = value
    wb.save(path)
    problems = failure([path], tmp_path / "out")
    assert any(expected in p for p in problems), problems


def test_a_second_base_is_refused_by_cell(copy, tmp_path):
    path = copy("SRB-en")
    wb = load_workbook(path)
    places = wb["Places"]
    based = next(r for r in range(FIRST_ROW, places.max_row + 1) if places.cell(r, 3).value == "based here")
    new = next(r for r in range(FIRST_ROW, places.max_row + 1) if places.cell(r, 1).value is None)
    other = "Novi Sad (SRB)" if places.cell(based, 2).value != "Novi Sad (SRB)" else "Niš (SRB)"
    for col, value in zip("ABCDE", [places.cell(based, 1).value, other, "based here", "B2", "H1"]):
        places[f"{col}{new}"] = value
    wb.save(path)
    problems = failure([path], tmp_path / "out")
    assert any(f"sheet 'Places', cell C{new}" in p and "already has a base" in p for p in problems), problems


def test_the_default_demo_round_trips_on_its_method(tmp_path):
    """The default demo (EU-SOCTA 2025 profile): its workbooks say their method; read into a new folder they
    give the demo's tables byte for byte and a dataset.yaml on the same method; into a folder on the 2016
    method they are refused, saying why."""
    project = Project()
    tables = previous(project)
    made = [write_workbook(build_layout(project, country, lang, YEARS, previous=tables),
                           tmp_path / workbook_name(country, YEARS, lang)) for country, lang in LANGS.items()]
    out = tmp_path / "new"
    import_workbooks(made, out)
    for name in INPUT_FILES:
        assert (out / name).read_bytes() == (project.data_dir / name).read_bytes(), name
    assert Project(data_dir=out).method == "eu-socta-2025"
    old = tmp_path / "old"
    old.mkdir()
    (old / "dataset.yaml").write_text("name: the 2016 method\nsynthetic: true\nperiod: [2014, 2024]\n")
    problems = failure(made[:1], old)
    assert problems == [f"{made[0].name}: 'eu-socta-2025': is a workbook of another method (method profile "
                        "'eu-socta-2025'; the data folder's is 'regional-2016'): import it into a data folder on that "
                        "method (its dataset.yaml names it), or make the workbooks again with socta collect"]
