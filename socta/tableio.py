"""Reading the CSV files the region's offices really produce.

Spreadsheets exported in the region come as UTF-8, UTF-8 with a byte-order mark, or Windows-1251
(Cyrillic) / Windows-1250 (Latin with č ć š ž đ), with ``,`` or ``;`` separators and, with ``;``,
decimal commas. We read all of them into text columns; typing and checking is the validator's job,
so that a bad cell is reported with its original value instead of being silently coerced.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

_BOM = b"\xef\xbb\xbf"
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_EXT = re.compile(r"[čćšžđČĆŠŽĐ]")
# "1.234,5" or "1234,5" or "-0,25": a number written with a decimal comma
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+,\d+$")


class TableError(ValueError):
    """A file cannot be read at all; the message names the file and what to change."""


@dataclass
class CsvTable:
    path: Path
    frame: pd.DataFrame
    encoding: str
    separator: str
    decimal: str
    notes: list[str] = field(default_factory=list)


def _decode(raw: bytes, path: Path) -> tuple[str, str, list[str]]:
    if raw.startswith(_BOM):
        return raw[len(_BOM):].decode("utf-8", errors="strict"), "utf-8-sig", []
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    # Not UTF-8: choose the Windows code page whose letters look like the region's scripts.
    candidates = {enc: raw.decode(enc, errors="replace") for enc in ("cp1251", "cp1250")}
    score = {
        "cp1251": len(_CYRILLIC.findall(candidates["cp1251"])),
        "cp1250": len(_LATIN_EXT.findall(candidates["cp1250"])),
    }
    encoding = max(score, key=score.get)
    note = (
        f"{path.name}: not UTF-8; read as {encoding} "
        f"({'Windows Cyrillic' if encoding == 'cp1251' else 'Windows Latin 2'}). "
        "If names look wrong, save the file as 'CSV UTF-8' in your spreadsheet program."
    )
    return candidates[encoding], encoding, [note]


def _separator(header: str, path: Path) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise TableError(
            f"{path}: the header line has no ',', ';' or tab separator: {header[:80]!r}. "
            "Save the sheet as CSV with a header row of column names."
        )
    return sep


def read_csv_table(path: Path, numeric_columns: frozenset[str] | set[str] = frozenset()) -> CsvTable:
    """Read a CSV file into text columns, detecting encoding, separator and decimal mark.

    Cells are stripped of surrounding blanks; empty cells are empty strings. With a ``;``
    separator, cells of ``numeric_columns`` written with a decimal comma are converted to the
    ``.`` notation so the validator can parse them.
    """
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}: file not found. Every data folder needs it (see data/README.md).")
    raw = path.read_bytes()
    text, encoding, notes = _decode(raw, path)
    if not text.strip():
        raise TableError(f"{path}: the file is empty. It needs a header row and at least one data row.")
    header = text.lstrip().splitlines()[0]
    sep = _separator(header, path)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
            skipinitialspace=True, quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as exc:
        raise TableError(f"{path}: not a well-formed CSV file ({exc}). Check quotes and separators.") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    if frame.empty:
        raise TableError(f"{path}: has a header row but no data rows.")
    decimal = "."
    if sep == ";":
        decimal = ","
        for column in set(numeric_columns) & set(frame.columns):
            cells = frame[column]
            comma = cells.str.match(_DECIMAL_COMMA)
            frame.loc[comma, column] = cells[comma].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        notes.append(f"{path.name}: ';'-separated; decimal commas read as decimal points.")
    return CsvTable(path=path, frame=frame, encoding=encoding, separator=sep, decimal=decimal, notes=notes)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
