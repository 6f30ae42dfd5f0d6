"""``socta collect``: a collection workbook (.xlsx) per country, unit and language, written with openpyxl.

What a unit gets: an instructions sheet; a sheet per crime area (one row per indicator, sub-market,
category and year); a groups questionnaire (one row per group, a drop-down per indicator answer); an
expert-assessment sheet. Only the input cells are unlocked; grades, handling codes, observation
status, answers and scores are drop-downs from a hidden list sheet; a Check column (a formula, so it
works offline in Excel and LibreOffice) says what a row still needs. Last cycle's values are pre-filled
when a data folder is given, so units revise rather than retype.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from socta.collect.layout import (
    EXPERTS,
    FIRST_ROW,
    GROUPS,
    HEADER_ROW,
    INSTRUCTIONS,
    LINKS,
    LISTS_SHEET,
    META_SHEET,
    NOTE_ROW,
    PLACES,
    STATISTICS,
    TITLE_ROW,
    Layout,
    Sheet,
    offered_digest,
)
from socta.i18n import translate as i18n
from socta.i18n.translate import t

LABEL_FILL = PatternFill("solid", fgColor="E7E6E6")   # grey: a label, locked
NEEDS_FILL = PatternFill("solid", fgColor="FCE4D6", bgColor="FCE4D6")  # light orange: the Check asks for something
HEADER_FILL = PatternFill("solid", fgColor="1F3864")  # dark blue with white text: 12.6:1 contrast
INPUT_BORDER = Border(*(Side(style="thin", color="A6A6A6"),) * 4)
WRAP = Alignment(wrap_text=True, vertical="top")


def check_messages() -> dict[str, str]:
    """What the Check column may say, in the current language (a formula's text, so no quotes in it)."""
    return {
        "ok": "OK",
        "not_number": t("not a number: type digits, <5 or >3300"),
        "statistics": t("needs a grade, a handling code and a source"),
        "groups": t("needs a group id, a grade and a handling code"),
        "experts": t("needs every score and the confidence"),
        "places": t("needs a group id, a place, based or operating, a grade and a handling code"),
        "links": t("needs both group ids, the kind of link, a grade and a handling code"),
    }


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _check_formula(sheet: Sheet, row: int, messages: dict[str, str]) -> str:
    """The Check cell of ``row``: empty for an empty or complete row, else what the row still needs."""
    col = {f.name: get_column_letter(i) for i, f in enumerate(sheet.fields, start=1)}
    ok = _quoted(messages["ok"])
    if sheet.check == STATISTICS:
        v, s = f"{col['value']}{row}", f"{col['status']}{row}"
        needs = ",".join(f'{col[c]}{row}=""' for c in ("grade", "handling_code", "source"))
        return (f'=IF(AND({v}="",{s}=""),"",IF(AND({v}<>"",NOT(ISNUMBER({v})),LEFT({v},1)<>"<",LEFT({v},1)<>">"),'
                f'{_quoted(messages["not_number"])},IF(OR({needs}),{_quoted(messages["statistics"])},{ok})))')
    inputs = [f for f in sheet.fields if f.input]
    first, last = col[inputs[0].name], col[inputs[-1].name]
    if sheet.check in (GROUPS, PLACES, LINKS):  # every input of a place or a link is needed
        needed = ("ocg_id", "grade", "handling_code") if sheet.check == GROUPS else [f.name for f in inputs]
        needs = ",".join(f'{col[c]}{row}=""' for c in needed)
        return (f'=IF(COUNTA({first}{row}:{last}{row})=0,"",IF(OR({needs}),{_quoted(messages[sheet.check])},{ok}))')
    scores = [f for f in inputs if f.name != "respondent"]
    return (f'=IF(COUNTA({first}{row}:{last}{row})=0,"",IF(COUNTBLANK({col[scores[0].name]}{row}:'
            f'{col[scores[-1].name]}{row})>0,{_quoted(messages["experts"])},{ok}))')


def _text_cell(ws, row: int, column: int, value):
    """A cell holding ``value`` as data: a text that starts with = stays text, never a formula (a source
    or a note from a data folder must not run in the unit's spreadsheet)."""
    cell = ws.cell(row, column, value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _instructions(ws, sheet: Sheet) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    for r, row in enumerate(sheet.rows, start=1):
        cell = _text_cell(ws, r, 1, row["text"])
        if row["style"] == "title":
            cell.font = Font(bold=True, size=14)
        elif row["style"] == "heading":
            cell.font = Font(bold=True, size=12)
        elif row["style"] == "pair":
            _text_cell(ws, r, 2, row["second"]).alignment = WRAP
        if row["style"] == "plain":
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            cell.alignment = WRAP
            ws.row_dimensions[r].height = 15 * (1 + len(row["text"]) // 110)
    ws.protection.sheet = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _data_sheet(ws, sheet: Sheet, layout: Layout, messages: dict[str, str]) -> None:
    country = i18n.term(layout.country_name, proper=True)
    _text_cell(ws, TITLE_ROW, 1, f"{sheet.title} — {country}, {layout.years[0]}–{layout.years[1]}").font = Font(bold=True,
                                                                                                       size=14)
    _text_cell(ws, NOTE_ROW, 1, sheet.note).alignment = Alignment(wrap_text=False)
    last_row = FIRST_ROW + len(sheet.rows) - 1
    for c, fld in enumerate(sheet.fields, start=1):
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = fld.width
        if fld.hidden:
            ws.column_dimensions[letter].hidden = True
        head = _text_cell(ws, HEADER_ROW, c, fld.label)
        head.font, head.fill, head.alignment = Font(bold=True, color="FFFFFF"), HEADER_FILL, WRAP
        if fld.choices and sheet.rows:
            values = layout.lists[fld.choices]
            source = f"{quote_sheetname(LISTS_SHEET)}!${_list_column(layout, fld.choices)}$2:" \
                     f"${_list_column(layout, fld.choices)}${len(values) + 1}"
            dv = DataValidation(type="list", formula1=f"={source}", allow_blank=True, showErrorMessage=True,
                                errorStyle="stop" if fld.strict else "warning",
                                errorTitle=t("Not on the list"),
                                error=t("Choose a value from the list.") if fld.strict else
                                t("Not on the list: several codes are written separated by |, e.g. B|P."))
            dv.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
            ws.add_data_validation(dv)
        elif fld.whole and sheet.rows:
            dv = DataValidation(type="whole", operator="between", formula1=str(fld.whole[0]),
                                formula2=str(fld.whole[1]), allow_blank=True, showErrorMessage=True,
                                errorTitle=t("Not a whole number"),
                                error=t("A whole number from {low} to {high}.", low=str(fld.whole[0]),
                                        high=str(fld.whole[1])))
            dv.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
            ws.add_data_validation(dv)
    ws.row_dimensions[HEADER_ROW].height = 60
    for r, row in enumerate(sheet.rows, start=FIRST_ROW):
        for c, fld in enumerate(sheet.fields, start=1):
            if fld.name == "check":
                cell = ws.cell(r, c, _check_formula(sheet, r, messages))
            else:
                cell = _text_cell(ws, r, c, row.get(fld.name))
            number_format = row.get("formats", {}).get(fld.name)
            if number_format:
                cell.number_format = number_format
            if fld.input:
                cell.protection = Protection(locked=False)
                cell.border = INPUT_BORDER
            elif not fld.hidden:
                cell.fill = LABEL_FILL
    if sheet.rows:  # a Check that asks for something stands out
        check = get_column_letter(sheet.column("check"))
        ws.conditional_formatting.add(f"{check}{FIRST_ROW}:{check}{last_row}", FormulaRule(
            formula=[f'AND({check}{FIRST_ROW}<>"",{check}{FIRST_ROW}<>{_quoted(messages["ok"])})'], fill=NEEDS_FILL,
            font=Font(bold=True)))
    ws.freeze_panes = ws.cell(FIRST_ROW, next(i for i, f in enumerate(sheet.fields, start=1) if f.input))
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may be changed; rows and columns may not be moved
    ws.protection.formatRows = False
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    if sheet.role != GROUPS:  # the groups questionnaire is too wide for one page across: printed over several
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def _list_column(layout: Layout, name: str) -> str:
    return get_column_letter(list(layout.lists).index(name) + 1)


def _lists(ws, layout: Layout) -> None:
    for c, (name, values) in enumerate(layout.lists.items(), start=1):
        ws.cell(1, c, name)
        for r, (_, label) in enumerate(values, start=2):
            _text_cell(ws, r, c, label)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def meta_rows(layout: Layout) -> list[tuple[str, str, str, str]]:
    """What the hidden sheet holds: the workbook's facts, then per sheet its title, its columns (name and
    header as written) and every data row's number and key."""
    rows = [("meta", key, value, "") for key, value in layout.meta.items()]
    for sheet in layout.sheets:
        rows.append(("sheet", sheet.role, sheet.title, ""))
        if sheet.role != INSTRUCTIONS:
            rows += [("column", sheet.role, fld.name, fld.label) for fld in sheet.fields]
            rows += [("row", sheet.role, str(r), row["key"]) for r, row in enumerate(sheet.rows, start=FIRST_ROW)]
            inputs = [f.name for f in sheet.fields if f.input]
            rows += [("prefill", sheet.role, str(r), offered_digest([row.get(name) for name in inputs]))
                     for r, row in enumerate(sheet.rows, start=FIRST_ROW) if any(row.get(n) is not None for n in inputs)]
    return rows


def fingerprint(rows: list[tuple[str, str, str, str]]) -> str:
    return hashlib.sha256("\n".join("\t".join(r) for r in rows).encode()).hexdigest()[:20]


def _meta(ws, layout: Layout) -> None:
    rows = meta_rows(layout)
    for r, row in enumerate(rows + [("meta", "fingerprint", fingerprint(rows), "")], start=1):
        for c, value in enumerate(row, start=1):
            _text_cell(ws, r, c, value)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def write_workbook(layout: Layout, path: Path) -> Path:
    """Write ``layout`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    wb = Workbook()
    wb.remove(wb.active)
    was = i18n.language()
    i18n.set_language(layout.lang)
    try:
        messages = check_messages()
        for sheet in layout.sheets:
            ws = wb.create_sheet(sheet.title)
            if sheet.role == INSTRUCTIONS:
                _instructions(ws, sheet)
            else:
                _data_sheet(ws, sheet, layout, messages)
        _lists(wb.create_sheet(LISTS_SHEET), layout)
        _meta(wb.create_sheet(META_SHEET), layout)
    finally:
        i18n.set_language(was)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)  # sheets may not be renamed, moved or deleted
    wb.properties.title = f"SOCTA {layout.country} {layout.cycle}"
    wb.properties.creator = "socta collect"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def workbook_name(country: str, years: tuple[int, int], lang: str, unit: str = "") -> str:
    unit_part = "".join(ch if ch.isalnum() else "-" for ch in unit.lower()).strip("-")
    return f"{country}{'-' + unit_part if unit_part else ''}-{years[0]}-{years[1]}-{lang}.xlsx"


__all__ = ["write_workbook", "workbook_name", "check_messages", "meta_rows", "fingerprint", "EXPERTS", "GROUPS"]
