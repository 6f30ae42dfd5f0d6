"""``socta import --workbook``: filled collection workbooks → a data folder's input tables.

Each workbook is checked against the layout socta wrote into it (the hidden ``socta`` sheet): a sheet
renamed or added, a row or column moved, inserted or deleted, a merged cell, a formula or a date in an
input cell, a workbook of another country or cycle are each reported; then the assembled tables are
checked by ``socta validate`` and its problems are told by workbook, sheet and cell. Every problem is
reported at once, and nothing is written unless there is none. The workbooks are only read; their
checksums are kept in ``workbooks.csv`` and every value's cell in ``provenance.csv``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from socta.collect.layout import (
    EXPERTS,
    FIRST_ROW,
    FORMAT,
    GROUPS,
    HEADER_ROW,
    INSTRUCTIONS,
    LINKS,
    LISTS_SHEET,
    META_SHEET,
    PLACES,
    SHIPPED_METHOD,
    STATISTICS,
    Layout,
    Sheet,
    build_layout,
    offered_digest,
    reference_digest,
)
from socta.collect.write import fingerprint
from socta.core.config import Project
from socta.core.tableio import TableError, cap_bytes, neutral_records, read_csv_table, read_input, write_atomic
from socta.ingest.reference import Reference
from socta.ingest.schema import CENSORED, INPUT_FILES
from socta.ingest.validation import validate

COLUMNS = {
    "statistics.csv": ["country", "year", "indicator", "submarket", "category", "value", "unit", "source", "grade",
                       "handling_code"],
    "ocg_register.csv": ["ocg_id", "country", "size", "structure", "nationalities", "countries_active", "crime_areas",
                         "first_reported", "grade", "handling_code"],
    "ocg_answers.csv": ["ocg_id", "indicator", "answer", "grade", "handling_code"],
    "ocg_places.csv": ["ocg_id", "place", "role", "grade", "handling_code"],
    "ocg_relations.csv": ["ocg_id", "other_ocg_id", "kind", "grade", "handling_code"],
}
OPTIONAL_COLUMNS = {"statistics.csv": ["status", "months"], "ocg_register.csv": ["notes"]}
SORT = {"statistics.csv": ("country", "year", "indicator", "submarket", "category"), "ocg_register.csv": ("ocg_id",),
        "ocg_answers.csv": ("ocg_id", "indicator"), "expert_assessments.csv": ("country", "area", "respondent"),
        "ocg_places.csv": ("ocg_id", "place", "role"), "ocg_relations.csv": ("ocg_id", "other_ocg_id", "kind")}
PROVENANCE_COLUMNS = ["file", "row", "column", "workbook", "sheet", "cell"]
MANIFEST_COLUMNS = ["workbook", "sha256", "country", "unit", "language", "years", "reference"]
NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^-?\d+,(\d{1,2}|\d{4,})$")  # 12,5: a decimal comma; 1,234 could be a thousand


@dataclass(frozen=True, order=True)
class CellProblem:
    """A problem of one workbook, told as the user sees it: sheet title and cell."""

    workbook: str
    sheet: str | None
    cell: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.workbook
        if self.sheet:
            where += f", sheet '{self.sheet}'"
        if self.cell:
            where += f", {self.cell}" if self.cell.startswith("row ") else f", cell {self.cell}"
        value = "" if self.value is None else f": {self.value!r}"
        return f"{where}{value}: {self.expected}"


class WorkbookImportFailed(ValueError):
    def __init__(self, problems: list[CellProblem], notes: list[str]):
        super().__init__(f"{len(problems)} problem(s); nothing was written")
        self.problems, self.notes = problems, notes


@dataclass
class Collected:
    """What the workbooks gave: rows per input file, the cell of each value, and each workbook's facts."""

    rows: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in INPUT_FILES})
    cells: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in INPUT_FILES})
    # per row: whether it is as pre-filled (left as offered), which gives way to another workbook's answer
    unchanged: dict[str, list[bool]] = field(default_factory=lambda: {name: [] for name in INPUT_FILES})
    manifest: list[dict] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    synthetic: bool = True
    notes: list[str] = field(default_factory=list)
    years: tuple[int, int] | None = None


def _cell_text(cell) -> str:
    """A cell's value as a data folder writes it: numbers as the unit sees them (15 significant digits:
    Excel stores 0.1+0.2 as 0.30000000000000004) with the decimals they were written with, text stripped."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = format(Decimal(format(value, ".15g")).normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        return str(value).strip()
    shown = re.fullmatch(r"0\.(0+)", cell.number_format or "")  # the decimals the value was written with
    if shown:
        decimals = len(text.split(".", 1)[1]) if "." in text else 0
        text += ("" if "." in text else ".") + "0" * max(0, len(shown.group(1)) - decimals)
    return text


def _meta_text(cell) -> str:
    """A cell of the hidden sheet, exactly as socta wrote it (no stripping: the fingerprint covers it)."""
    return "" if cell.value is None else str(cell.value)


def _zip_problem(data: bytes, name: str) -> str | None:
    """Why ``data`` cannot be opened as a workbook (not a zip, or one that would expand past the cap)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return ("is not an .xlsx workbook (an .xls, .ods or .csv file, or a damaged file): open it in Excel or "
                "LibreOffice and save it as Excel 2007-365 (.xlsx)")
    cap = cap_bytes("decompressed")
    if size > cap:
        return (f"expands to {size / 1e6:.0f} MB, beyond the cap of {cap / 1e6:.0f} MB (SOCTA_MAX_DECOMPRESSED_MB): "
                "a collection workbook is a few megabytes; check the file")
    return None


@dataclass
class Written:
    """What the hidden sheet says socta wrote: the facts, the sheets (role, title), each sheet's columns
    (name, header) and rows (row, key)."""

    facts: dict = field(default_factory=dict)
    sheets: list[tuple[str, str]] = field(default_factory=list)
    columns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    keys: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    prefilled: dict[tuple[str, int], str] = field(default_factory=dict)  # (role, row) → digest of what was offered


def _meta(wb, name: str) -> tuple[Written, str | None]:
    """The hidden sheet, or why it cannot be trusted."""
    if META_SHEET not in wb.sheetnames:
        return Written(), ("is not a socta collection workbook (it has no hidden sheet 'socta'): make the "
                            "workbook with socta collect and fill that one in")
    sheet = wb[META_SHEET]
    if not isinstance(sheet, Worksheet):
        return Written(), "its hidden sheet 'socta' was replaced: make a new workbook with socta collect"
    rows = [tuple(_meta_text(c) for c in r[:4]) for r in sheet.iter_rows()]
    rows = [r + ("",) * (4 - len(r)) for r in rows]
    facts = {r[1]: r[2] for r in rows if r[0] == "meta"}
    body = [r for r in rows if not (r[0] == "meta" and r[1] == "fingerprint")]
    if facts.get("format") != FORMAT:
        return Written(facts), (f"was made for a collection format this socta does not read ({facts.get('format')!r}, "
                               f"this socta reads {FORMAT}): make a new workbook with socta collect")
    if fingerprint(body) != facts.get("fingerprint"):
        return Written(facts), ("its hidden sheet 'socta' was changed, so the workbook's country, cycle and rows "
                               "can no longer be trusted: copy the values into a new workbook from socta collect")
    written = Written(facts, [(r[1], r[2]) for r in rows if r[0] == "sheet"])
    for kind, role, first, second in rows:
        if kind == "row":
            if not first.isdigit() or int(first) < FIRST_ROW:
                return Written(facts), "its hidden sheet 'socta' was changed: make a new workbook with socta collect"
            written.keys.setdefault(role, []).append((int(first), second))
        elif kind == "column":
            written.columns.setdefault(role, []).append((first, second))
        elif kind == "prefill":
            written.prefilled[(role, int(first) if first.isdigit() else 0)] = second
    if not re.fullmatch(r"\d{4}-\d{4}", facts.get("years", "")):
        return Written(facts), "its hidden sheet 'socta' was changed: make a new workbook with socta collect"
    return written, None


def _describe_key(sheet: Sheet, key: str) -> str:
    return key.replace("||", "|").strip("|").replace("|", " · ") or "(empty)"


def _check_structure(ws, sheet: Sheet, written: Written, name: str) -> list[CellProblem]:
    """Columns and rows where socta put them; no merged cells; nothing typed below the grid."""
    problems = []
    columns, keys = written.columns.get(sheet.role, []), written.keys.get(sheet.role, [])
    if [n for n, _ in columns] != [f.name for f in sheet.fields]:
        return [CellProblem(name, ws.title, None, None, "has other columns than the configuration in force gives this "
                            "sheet (the workbook was made under another configuration or version of socta): import it "
                            "with the data folder whose configuration made it (--data), or copy the values into a new "
                            "workbook from socta collect")]
    for merged in ws.merged_cells.ranges:
        problems.append(CellProblem(name, ws.title, str(merged), None,
                                    "merged cells: unmerge them (Format > Merge cells > Unmerge) so every value "
                                    "has its own cell"))
    for c, (_, label) in enumerate(columns, start=1):
        found = _cell_text(ws.cell(HEADER_ROW, c))
        if found != label:
            letter = get_column_letter(c)
            problems.append(CellProblem(name, ws.title, f"{letter}{HEADER_ROW}", found,
                                        f"the column headed {label!r} belongs here: columns were inserted, "
                                        "deleted or moved. Copy the values into a new workbook from socta collect"))
            return problems
    key_column = sheet.column("key")
    for row, key in keys:
        found = _cell_text(ws.cell(row, key_column))
        if found != key:
            problems.append(CellProblem(name, ws.title, f"row {row}", None,
                                        f"rows were moved, inserted, sorted or deleted from here on (row {row} "
                                        f"should hold {_describe_key(sheet, key)}"
                                        + (f", it holds {_describe_key(sheet, found)}" if found else "")
                                        + "): undo it, or copy the values into a new workbook from socta collect"))
            return problems
    last = keys[-1][0] if keys else HEADER_ROW
    outside = (  # where nothing is read: right of the columns, below the rows
        (ws.iter_rows(min_row=HEADER_ROW, max_row=last, min_col=len(columns) + 1),
         "is right of the workbook's columns, where nothing is read: type it in the row's own cells"),
        (ws.iter_rows(min_row=last + 1), "is below the workbook's rows, where nothing is read: use an empty row of the "
                                         "sheet (a new group or respondent) or ask for a new workbook"))
    for rows, why in outside:
        stray = next((cell for row in rows for cell in row if cell.value is not None and str(cell.value).strip()), None)
        if stray is not None:
            return [CellProblem(name, ws.title, stray.coordinate, _cell_text(stray), why)]
    return problems


class _Sheet:
    """Reading one sheet's input cells, noting the cell of every value and every problem."""

    def __init__(self, ws, sheet: Sheet, name: str, problems: list[CellProblem], written: Written):
        self.ws, self.sheet, self.name, self.problems = ws, sheet, name, problems
        self.offered = {row: digest for (role, row), digest in written.prefilled.items() if role == sheet.role}

    def unchanged(self, row: int) -> bool:
        """Whether the row's input cells are as socta pre-filled them."""
        inputs = [self.sheet.column(f.name) for f in self.sheet.fields if f.input]
        return row in self.offered and offered_digest([self.ws.cell(row, c).value for c in inputs]) == self.offered[row]

    def cell(self, row: int, field_name: str):
        return self.ws.cell(row, self.sheet.column(field_name))

    def text(self, row: int, field_name: str) -> str:
        cell = self.cell(row, field_name)
        if cell.data_type == "f" or type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula"):
            self.problems.append(CellProblem(self.name, self.ws.title, cell.coordinate, str(getattr(cell.value, "text",
                                             cell.value)), "holds a formula: type the value itself (copy the "
                                             "cell, then paste it as values only)"))
            return ""
        if cell.data_type == "e":
            self.problems.append(CellProblem(self.name, self.ws.title, cell.coordinate, str(cell.value),
                                             "holds an error value, not a value: type the value itself"))
            return ""
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) and \
                "%" in (cell.number_format or ""):
            self.problems.append(CellProblem(self.name, self.ws.title, cell.coordinate, f"{cell.value:.15g}",
                                             "is formatted as a percentage, so the spreadsheet holds a hundredth of "
                                             "what was typed: format the cell as a number and type the value again"))
            return ""
        if isinstance(cell.value, (datetime, date, time)):
            self.problems.append(CellProblem(self.name, self.ws.title, cell.coordinate, str(cell.value),
                                             "is a date: the spreadsheet turned what was typed into a date; format "
                                             "the cell as text or number and type the value again"))
            return ""
        return _cell_text(cell)

    def where(self, row: int, field_name: str) -> dict:
        return {"sheet": self.ws.title, "cell": self.cell(row, field_name).coordinate}


def _code(lists: dict, name: str, text: str) -> str:
    """The code of a drop-down label (or of the code itself, typed)."""
    if not text:
        return ""
    codes = {label: code for code, label in lists[name]} | {code: code for code, _ in lists[name]}
    return codes.get(text, text)


def _status(lists: dict, text: str) -> str:
    """Observation status: a label picked ("E — Estimated value"), a code, or codes joined with |."""
    if not text:
        return ""
    labels = {label: code for code, label in lists["status"]}
    if text in labels:
        return labels[text]
    return "|".join(labels.get(p.strip(), p.strip()).split(" — ")[0].strip() for p in text.split("|"))


def _value(reader: _Sheet, row: int) -> str:
    text = reader.text(row, "value")
    if re.fullmatch(r"-?\d{1,3}([,.]\d{3})+", text):  # typed as text: 1.234 is a thousand in Serbian, 1,234 in English
        reader.problems.append(CellProblem(reader.name, reader.ws.title, reader.cell(row, "value").coordinate, text,
                                           "is text that could be a thousand or a decimal, and number formats are "
                                           "never guessed: type it into the cell as a number, with no thousands "
                                           "separator"))
        return ""
    if NUMBER_TEXT.match(text):
        return text
    if DECIMAL_COMMA.match(text):
        return text.replace(",", ".")
    if text and not CENSORED.match(text) and text != ":":
        reader.problems.append(CellProblem(reader.name, reader.ws.title, reader.cell(row, "value").coordinate, text,
                                           "is not a number; expected a number of 0 or more, <5 (published as below "
                                           "5), >3300 (more than 3300), or an empty cell with a status such as L or M"))
    return text


def _read_statistics(reader: _Sheet, keys, layout: Layout, ref: Reference, out: Collected, workbook: str) -> None:
    for row, key in keys:
        indicator, submarket, category, year = key.split("|")
        value, status = _value(reader, row), _status(layout.lists, reader.text(row, "status"))
        if not value and not status:
            continue  # an empty row (its source, grade and handling code are last year's, offered)
        record = {"country": layout.country, "year": year, "indicator": indicator, "submarket": submarket,
                  "category": category, "value": value,
                  "unit": ref.indicators.at[indicator, "unit"] if indicator in ref.indicators.index else "",
                  "source": reader.text(row, "source"), "grade": reader.text(row, "grade"),
                  "handling_code": reader.text(row, "handling_code"), "status": status,
                  "months": reader.text(row, "months")}
        cells = {"value": "value", "source": "source", "grade": "grade", "handling_code": "handling_code",
                 "status": "status", "months": "months", "year": "year", "indicator": "indicator",
                 "submarket": "submarket", "category": "category", "unit": "unit", "country": "key"}
        _add(out, "statistics.csv", record, {col: reader.where(row, f) for col, f in cells.items()}, workbook,
             reader.unchanged(row))


def _read_groups(reader: _Sheet, keys, layout: Layout, ref: Reference, out: Collected, workbook: str) -> None:
    inputs = [f.name for f in reader.sheet.fields if f.input]
    for row, _key in keys:
        texts = {name: reader.text(row, name) for name in inputs}
        if not any(texts.values()):
            continue
        record = {name: texts[name] for name in ("ocg_id", "size", "nationalities", "countries_active", "crime_areas",
                                                 "first_reported", "grade", "handling_code", "notes")}
        record |= {"country": layout.country, "structure": _code(layout.lists, "structure", texts["structure"])}
        where = {name: reader.where(row, name) for name in record if name != "country"}
        unchanged = reader.unchanged(row)
        _add(out, "ocg_register.csv", record, where | {"country": reader.where(row, "key")}, workbook, unchanged)
        for indicator in ref.ocg_indicators.index:
            answer = texts.get(f"answer:{indicator}", "")
            if not answer:
                continue
            grade_field = f"grade:{indicator}" if texts.get(f"grade:{indicator}") else "grade"
            handling_field = f"handling:{indicator}" if texts.get(f"handling:{indicator}") else "handling_code"
            _add(out, "ocg_answers.csv",
                 {"ocg_id": texts["ocg_id"], "indicator": indicator, "answer": _code(layout.lists, "answer", answer),
                  "grade": texts[grade_field], "handling_code": texts[handling_field]},
                 {"ocg_id": reader.where(row, "ocg_id"), "indicator": reader.where(row, f"answer:{indicator}"),
                  "answer": reader.where(row, f"answer:{indicator}"), "grade": reader.where(row, grade_field),
                  "handling_code": reader.where(row, handling_field)}, workbook, unchanged)


def _read_experts(reader: _Sheet, keys, layout: Layout, ref: Reference, out: Collected, workbook: str) -> None:
    inputs = [f.name for f in reader.sheet.fields if f.input]
    for row, key in keys:
        texts = {name: reader.text(row, name) for name in inputs}
        if not any(texts.values()):
            continue
        area = key.split(":")[1]
        record = {"country": layout.country, "area": area, **texts,
                  "confidence": _code(layout.lists, "confidence", texts["confidence"])}
        where = {name: reader.where(row, name) for name in inputs}
        _add(out, "expert_assessments.csv", record,
             where | {"country": reader.where(row, "key"), "area": reader.where(row, "area")}, workbook,
             reader.unchanged(row))


def _group_rows_reader(file: str, coded: dict[str, str]):
    """The reader of a sheet of rows about the country's groups (places, links) into ``file``; ``coded``: the
    columns picked from a drop-down list (their label read back as the code)."""
    def read(reader: _Sheet, keys, layout: Layout, ref: Reference, out: Collected, workbook: str) -> None:
        for row, _key in keys:
            texts = {name: reader.text(row, name) for name in COLUMNS[file]}
            if not any(texts.values()):
                continue
            record = texts | {name: _code(layout.lists, lst, texts[name]) for name, lst in coded.items()}
            _add(out, file, record, {name: reader.where(row, name) for name in record}, workbook, reader.unchanged(row))
    return read


READERS = {STATISTICS: _read_statistics, GROUPS: _read_groups, EXPERTS: _read_experts,
           PLACES: _group_rows_reader("ocg_places.csv", {"place": "place", "role": "role"}),
           LINKS: _group_rows_reader("ocg_relations.csv", {"kind": "kind"})}


def _add(out: Collected, file: str, record: dict, where: dict, workbook: str, unchanged: bool = False) -> None:
    out.rows[file].append(record)
    out.cells[file].append({column: {"workbook": workbook, **cell} for column, cell in where.items()})
    out.unchanged[file].append(unchanged)


def read_workbook(path: Path, project: Project, out: Collected) -> None:
    """Read one filled workbook into ``out`` (its rows, cells, manifest line and problems)."""
    path = Path(path)
    name = path.name
    try:
        data = read_input(path)
    except OSError as exc:
        out.problems.append(CellProblem(name, None, None, None, f"cannot be read ({exc.strerror or exc})"))
        return
    except TableError as exc:  # above the input cap: its message names the file and the fix
        out.problems.append(CellProblem(name, None, None, None, str(exc).replace(str(path), "").lstrip(": ")))
        return
    why = _zip_problem(data, name)
    if why:
        out.problems.append(CellProblem(name, None, None, None, why))
        return
    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file it cannot read
        out.problems.append(CellProblem(name, None, None, None, f"cannot be opened as a workbook ({type(exc).__name__}: "
                                        f"{exc}); open it in Excel or LibreOffice and save it as .xlsx"))
        return
    written, why = _meta(wb, name)
    facts = written.facts
    if why:
        out.problems.append(CellProblem(name, None, None, None, why))
        return
    country, lang = facts["country"], facts["language"]
    first, last = (int(y) for y in facts["years"].split("-"))
    ref = Reference(project)
    if country not in ref.countries.index:
        out.problems.append(CellProblem(name, None, None, country, "is a country that countries.csv in force does not "
                                        "list: import it with the data folder whose configuration made it"))
        return
    made_on, in_force = facts.get("method"), project.method or SHIPPED_METHOD
    if made_on and made_on != in_force:  # its sheets are another method's: read against this one, all would differ
        out.problems.append(CellProblem(name, None, None, made_on, "is a workbook of another method (method profile "
                                        f"{made_on!r}; the data folder's is {in_force!r}): import it into a data "
                                        "folder on that method (its dataset.yaml names it), or make the workbooks "
                                        "again with socta collect"))
        return
    layout = build_layout(project, country, lang, (first, last), facts.get("unit", ""))
    if facts.get("reference") != reference_digest(project):
        out.notes.append(f"{name} was made under another reference configuration; its rows are read by their "
                             "keys and checked against the one in force")
    out.synthetic = out.synthetic and facts.get("synthetic") == "true"
    out.manifest.append({"workbook": name, "sha256": hashlib.sha256(data).hexdigest(), "country": country,
                         "unit": facts.get("unit", ""), "language": lang, "years": facts["years"],
                         "reference": facts.get("reference", "")})
    expected_titles = {title for _, title in written.sheets} | {LISTS_SHEET, META_SHEET}
    for title in wb.sheetnames:
        if title not in expected_titles:
            out.problems.append(CellProblem(name, title, None, None,
                                            "is a sheet socta did not make, and it is not read (a sheet was added "
                                            "or renamed): move its values into the workbook's own sheets"))
    for role, title in written.sheets:
        if role == INSTRUCTIONS:
            continue
        sheet = layout.sheet(role)
        if title not in wb.sheetnames or sheet is None:
            out.problems.append(CellProblem(name, title, None, None,
                                            "is missing: the sheet was renamed or deleted. Give it back its name "
                                            f"({title!r}) or copy the values into a new workbook from socta collect"))
            continue
        ws = wb[title]
        if not isinstance(ws, Worksheet):
            out.problems.append(CellProblem(name, title, None, None, "is a chart, not the sheet socta made: copy the "
                                            "values into a new workbook from socta collect"))
            continue
        found = _check_structure(ws, sheet, written, name)
        if found:
            out.problems.extend(found)
            continue
        READERS[role.split(":")[0]](_Sheet(ws, sheet, name, out.problems, written), written.keys.get(role, []), layout,
                                    ref, out, name)


def _number_order(value: str):
    return (0, int(value), "") if value.lstrip("-").isdigit() else (1, 0, value)


def _table_bytes(file: str, records: list[dict]) -> tuple[bytes, list[int]]:
    """The CSV of ``records`` as a data folder holds it, and the order rows were written in."""
    if file == "expert_assessments.csv":
        columns = list(records[0]) if records else []
    else:
        columns = COLUMNS[file] + [c for c in OPTIONAL_COLUMNS.get(file, []) if any(r.get(c) for r in records)]
    order = sorted(range(len(records)),
                   key=lambda i: tuple(_number_order(records[i][k]) if k == "year" else records[i][k]
                                       for k in SORT[file]))
    rows = neutral_records([{c: records[i].get(c, "") for c in columns} for i in order], columns)
    return _csv_bytes(columns, [[row[c] for c in columns] for row in rows]), order


def _csv_bytes(columns: list[str], rows: list[list]) -> bytes:
    """CSV as socta writes it: a text a spreadsheet would run as a formula made inert (a leading ')."""
    rows = [[row[c] for c in columns] for row in neutral_records([dict(zip(columns, r)) for r in rows], columns)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# what one row of each table is about, the part that must be given, and the cell a problem points at
KEYS = {"statistics.csv": ("country", "year", "indicator", "submarket", "category"), "ocg_register.csv": ("ocg_id",),
        "ocg_answers.csv": ("ocg_id", "indicator"), "expert_assessments.csv": ("country", "area", "respondent"),
        "ocg_places.csv": ("ocg_id", "place", "role"), "ocg_relations.csv": ("ocg_id", "other_ocg_id", "kind")}
GIVEN = {"statistics.csv": ("country", "year", "indicator")}
POINT_AT = {"statistics.csv": "value", "ocg_register.csv": "ocg_id", "ocg_answers.csv": "answer",
            "expert_assessments.csv": "respondent", "ocg_places.csv": "place", "ocg_relations.csv": "other_ocg_id"}


def _merge(collected: Collected) -> list[CellProblem]:
    """Several workbooks (units) of one country into one table. A row given the same in two places is
    kept once; a row left as pre-filled gives way to one a unit changed; two different answers for the
    same statistic, group or respondent are a problem that names both cells."""
    problems = []
    for file, key in KEYS.items():
        rows, cells, unchanged = collected.rows[file], collected.cells[file], collected.unchanged[file]
        groups: dict[tuple, list[int]] = {}
        for i, record in enumerate(rows):
            if all(record[c] for c in GIVEN.get(file, key)):
                groups.setdefault(tuple(record[c] for c in key), []).append(i)
        drop: set[int] = set()
        for k, members in groups.items():
            if len(members) < 2:
                continue
            if len({tuple(rows[i].items()) for i in members}) == 1:
                drop |= set(members[1:])
                continue
            changed = [i for i in members if not unchanged[i]]
            if changed and len({tuple(rows[i].items()) for i in changed}) == 1:
                drop |= set(members) - {changed[0]}
                continue
            shown = changed if len(changed) > 1 else members
            first, *others = (cells[i][POINT_AT[file]] for i in shown)
            elsewhere = "; ".join(f"{c['workbook']}, sheet '{c['sheet']}', cell {c['cell']}" for c in others)
            problems.append(CellProblem(first["workbook"], first["sheet"], first["cell"], " · ".join(x for x in k if x),
                                        f"is given differently also in {elsewhere}: keep one answer"))
        if drop:
            keep = [i for i in range(len(rows)) if i not in drop]
            collected.rows[file] = [rows[i] for i in keep]
            collected.cells[file] = [cells[i] for i in keep]
            collected.unchanged[file] = [unchanged[i] for i in keep]
    return problems


def collect_tables(paths: list[Path], project: Project, countries: list[str] | None = None,
                   years: tuple[int, int] | None = None) -> tuple[dict[str, bytes], Collected]:
    """Read ``paths``; the input tables as CSV bytes (provenance.csv and workbooks.csv among them)."""
    collected = Collected()
    for path in paths:
        read_workbook(path, project, collected)
    seen_books: dict[tuple, str] = {}
    cycles = {m["years"] for m in collected.manifest}
    for m in collected.manifest:
        if countries and m["country"] not in countries:
            collected.problems.append(CellProblem(m["workbook"], None, None, m["country"],
                                                  f"is a workbook of another country (--country {' '.join(countries)})"
                                                  ": leave it out, or import it with its country"))
        if years and m["years"] != f"{years[0]}-{years[1]}":
            collected.problems.append(CellProblem(m["workbook"], None, None, m["years"],
                                                  f"is a workbook of another cycle: the data folder covers "
                                                  f"{years[0]}-{years[1]} (dataset.yaml period); make the workbooks "
                                                  "for that period with socta collect --years"))
        elif len(cycles) > 1:
            collected.problems.append(CellProblem(m["workbook"], None, None, m["years"],
                                                  f"the workbooks cover different cycles ({', '.join(sorted(cycles))}): "
                                                  "import one cycle at a time"))
        book = (m["country"], m["unit"], m["language"])
        if book[:2] in {b[:2] for b in seen_books}:
            other = next(v for b, v in seen_books.items() if b[:2] == book[:2])
            collected.problems.append(CellProblem(m["workbook"], None, None, None,
                                                  f"is a second workbook of the same country and unit as {other} "
                                                  "(one may be a copy in another language): import one of them"))
        seen_books[book] = m["workbook"]
    if collected.manifest:
        first, last = (int(y) for y in collected.manifest[0]["years"].split("-"))
        collected.years = (first, last)
    collected.problems += _merge(collected)
    files: dict[str, bytes] = {}
    provenance = []
    for file in INPUT_FILES:
        records = collected.rows[file]
        if not records:
            continue
        files[file], order = _table_bytes(file, records)
        for line, i in enumerate(order, start=2):
            for column, cell in collected.cells[file][i].items():
                provenance.append([file, line, column, cell["workbook"], cell["sheet"], cell["cell"]])
    files["provenance.csv"] = _csv_bytes(PROVENANCE_COLUMNS, provenance)
    files["workbooks.csv"] = _csv_bytes(MANIFEST_COLUMNS, [[m[c] for c in MANIFEST_COLUMNS] for m in collected.manifest])
    return files, collected


def _dataset_yaml(collected: Collected, method: str | None) -> bytes:
    countries = sorted({m["country"] for m in collected.manifest})
    meta = {"name": f"Collected from the units' workbooks ({', '.join(countries)})",
            "synthetic": bool(collected.synthetic),
            "description": "Read from collection workbooks by socta import --workbook (workbooks.csv lists them with "
                           "their checksums; provenance.csv names the cell of every value)."
                           + (" The workbooks were pre-filled from SYNTHETIC demonstration data." if collected.synthetic
                              else ""),
            "generated_by": "socta import --workbook",
            "period": list(collected.years) if collected.years else None,
            **({"method": method} if method else {})}
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100).encode("utf-8")


def _validation_problems(files: dict[str, bytes], collected: Collected, project: Project,
                         dataset: bytes) -> tuple[list[CellProblem], list[str]]:
    """``socta validate`` on the assembled tables (in a temporary folder), its problems told by cell."""
    with tempfile.TemporaryDirectory(prefix="socta-import-") as tmp:
        folder = Path(tmp)
        if (project.data_dir / "reference").is_dir():  # the configuration in force, as the workbooks were read
            shutil.copytree(project.data_dir / "reference", folder / "reference", symlinks=False)
        (folder / "dataset.yaml").write_bytes(dataset)
        for name in INPUT_FILES:
            if name in files:
                (folder / name).write_bytes(files[name])
        result = validate(Project(data_dir=folder, build_dir=folder / "_build"))
    where: dict[tuple, dict] = {}
    for row in csv.DictReader(io.StringIO(files["provenance.csv"].decode("utf-8"))):
        where[(row["file"], int(row["row"]), row["column"])] = row
    problems = []
    for problem in result.problems:
        cell = where.get((problem.file, problem.row, problem.column)) or where.get(
            (problem.file, problem.row, POINT_AT.get(problem.file, ""))) if problem.row else None
        if cell:
            problems.append(CellProblem(cell["workbook"], cell["sheet"], cell["cell"], problem.value, problem.expected))
        else:
            problems.append(CellProblem(problem.file, None, None, problem.value,
                                        (f"row {problem.row}, " if problem.row else "")
                                        + (f"column '{problem.column}': " if problem.column else "") + problem.expected))
    return problems, list(result.warnings)


def import_workbooks(paths: list[Path], out_dir: Path, project: Project | None = None,
                     countries: list[str] | None = None, write: bool = True) -> tuple[list[Path], Collected, list[str]]:
    """Read ``paths`` into the data folder ``out_dir``; raise :class:`WorkbookImportFailed` with every
    problem, writing nothing, if there is any."""
    out_dir = Path(out_dir)
    existing = (out_dir / "dataset.yaml").is_file()
    with tempfile.TemporaryDirectory(prefix="socta-method-") as blank:
        # a new folder is read on the method the workbooks were made on (the shipped reference files, or a profile)
        project = project or Project(data_dir=out_dir if existing else _method_folder(paths, Path(blank)))
        years = Project(data_dir=out_dir).years if existing else None  # the folder's cycle, whatever --data says
        files, collected = collect_tables(paths, project, countries, years)
    problems = list(collected.problems)
    notes: list[str] = []
    dataset = (out_dir / "dataset.yaml").read_bytes() if existing else _dataset_yaml(collected, project.method)
    if any(name in files for name in INPUT_FILES):  # also beside the workbooks' own problems: all at once
        found, notes = _validation_problems(files, collected, project, dataset)
        told = {(p.workbook, p.sheet, p.cell) for p in problems}
        problems += [p for p in found if (p.workbook, p.sheet, p.cell) not in told or p.cell is None]
    problems += _would_be_lost(out_dir, collected)
    for name in INPUT_FILES:
        if name not in files and (out_dir / name).is_file():
            problems.append(CellProblem(str(out_dir / name), None, None, None,
                                        "is from before, and the workbooks have no rows for it, so it would be kept "
                                        "beside data of another cycle: move it away, or fill that sheet"))
    if not collected.manifest and not problems:
        problems.append(CellProblem("--workbook", None, None, None, "no workbook given"))
    if problems:
        raise WorkbookImportFailed(sorted(set(problems), key=lambda p: (p.workbook, p.sheet or "", _cell_order(p.cell))),
                                   notes)
    written = []
    if write:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            write_atomic(out_dir / name, data)
            written.append(out_dir / name)
        if not existing:
            write_atomic(out_dir / "dataset.yaml", dataset)
            written.append(out_dir / "dataset.yaml")
    return written, collected, notes


def _method_folder(paths: list[Path], folder: Path) -> Path:
    """``folder`` described as the data folder being read, on the method profile the first readable workbook
    was made on (none: the shipped reference files): what a new data folder's workbooks are read with."""
    about = {"name": "Collection workbooks being read", "synthetic": False,
             "description": "socta import --workbook into a new data folder"}
    for path in paths:
        try:
            data = read_input(Path(path))
            if _zip_problem(data, Path(path).name):
                continue
            written, why = _meta(load_workbook(io.BytesIO(data)), Path(path).name)
        except Exception:  # noqa: BLE001 - a workbook that cannot be read is reported where it is read
            continue
        if not why:
            method = written.facts.get("method")
            if method and method != SHIPPED_METHOD:
                about["method"] = method
            break
    (folder / "dataset.yaml").write_text(yaml.safe_dump(about, sort_keys=False), encoding="utf-8")
    return folder


def _would_be_lost(out_dir: Path, collected: Collected) -> list[CellProblem]:
    """What writing into ``out_dir`` would destroy: a folder whose statistics a mapping makes, or rows of
    countries these workbooks do not give (a regional folder, when one country's workbooks come in)."""
    if (out_dir / "mapping.yaml").is_file():
        return [CellProblem(str(out_dir), None, None, None, "has a mapping.yaml: its statistics.csv is made by socta "
                            "import --mapping; import the workbooks into a folder of their own")]
    given = {m["country"] for m in collected.manifest}
    problems = []
    for name in ("statistics.csv", "ocg_register.csv", "expert_assessments.csv"):
        path = out_dir / name
        if not collected.rows[name] or not path.is_file():
            continue
        try:
            before = read_csv_table(path).frame
        except (TableError, OSError):
            continue  # a file that cannot be read holds nothing to keep; validate says why
        others = sorted(set(before.get("country", [])) - given - {""})
        if others:
            problems.append(CellProblem(str(path), None, None, None,
                                        f"holds rows of {', '.join(others)}, which these workbooks do not give, and "
                                        "they would be lost: add those countries' workbooks, or import into a new "
                                        "folder"))
    return problems


def _cell_order(cell: str | None):
    if not cell:
        return (0, 0, "")
    match = re.match(r"^([A-Z]+)(\d+)$", cell)
    if match:
        return (1, int(match.group(2)), f"{len(match.group(1)):02d}{match.group(1)}")
    return (2, 0, cell)
