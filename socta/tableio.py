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
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode Text" export
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN_EXT = re.compile(r"[čćšžđČĆŠŽĐ]")
_WORD = re.compile(r"[^\W\d_]+")  # a run of letters
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# "1.234,5" or "1234,5" or "-0,25": a number written with a decimal comma
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+,\d+$")
# a comma followed by digits at the end: only a decimal comma writes numbers like this
_HAS_DECIMAL_COMMA = re.compile(r"^-?[\d.]*\d,\d+$")


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
    # the cells as written in the file, before decimal commas were converted (None: same as frame)
    written: pd.DataFrame | None = None

    @property
    def as_written(self) -> pd.DataFrame:
        return self.frame if self.written is None else self.written


def _cyrillic_words(text: str) -> int:
    """Words written wholly in Cyrillic: what Windows-1251 text looks like when read as cp1251."""
    return sum(1 for w in _WORD.findall(text) if len(_CYRILLIC.findall(w)) == len(w))


def _latin_words(text: str) -> int:
    """Latin words with č ć š ž đ among ASCII letters, e.g. 'unutrašnjih'.

    Read as cp1250, Cyrillic text turns into words of accented letters only, which do not count;
    read as cp1251, Latin text turns into words mixing Latin and Cyrillic letters, which do not
    count as Cyrillic words either.
    """
    return sum(1 for w in _WORD.findall(text) if _LATIN_EXT.search(w) and _ASCII_LETTER.search(w))


def _decode(raw: bytes, path: Path) -> tuple[str, str, list[str]]:
    if raw.startswith(_BOM):
        note = f"{path.name}: UTF-8 with a byte-order mark (BOM); the mark was skipped."
        try:
            return raw[len(_BOM):].decode("utf-8", errors="strict"), "utf-8-sig", [note]
        except UnicodeDecodeError as exc:
            raise TableError(
                f"{path}: starts with a UTF-8 byte-order mark but is not valid UTF-8 ({exc}). "
                "Save the file again as 'CSV UTF-8' in your spreadsheet program."
            ) from exc
    if raw.startswith(_UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TableError(f"{path}: starts like UTF-16 but cannot be read ({exc}). Save it as 'CSV UTF-8'.") from exc
        return text, "utf-16", [f"{path.name}: UTF-16 ('Unicode text'); read as such. 'CSV UTF-8' is preferred."]
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    # Not UTF-8: choose the Windows code page whose words look like the region's scripts.
    # Counting letters is not enough: almost every cp1250 letter (č ć š ž đ) is a Cyrillic letter
    # in cp1251, so count whole words that make sense in one script.
    candidates = {enc: raw.decode(enc, errors="replace") for enc in ("cp1251", "cp1250")}
    score = {
        "cp1251": _cyrillic_words(candidates["cp1251"]),
        "cp1250": _latin_words(candidates["cp1250"]),
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
    lines = text.splitlines()
    # Blank lines are kept as (empty) rows so that row numbers stay those of the spreadsheet:
    # the header is the first non-blank line, and data row i is spreadsheet row i + 2.
    header_line = next(n for n, line in enumerate(lines) if line.strip())
    sep = _separator(lines[header_line], path)
    try:
        with warnings.catch_warnings():
            # index_col=False: never take the first column as the index when every row has more
            # cells than the header; pandas would then drop the extra cells, so refuse instead
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                skipinitialspace=True, quoting=csv.QUOTE_MINIMAL, skip_blank_lines=False, header=header_line,
                index_col=False,
            )
    except pd.errors.ParserWarning as exc:
        raise TableError(
            f"{path}: the data rows have more cells than the header row. Give every column a name in "
            "the header, or remove the separator at the end of the lines."
        ) from exc
    except pd.errors.ParserError as exc:
        raise TableError(f"{path}: not a well-formed CSV file ({exc}). Check quotes and separators.") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    frame.index = frame.index + header_line
    blank = frame.eq("").all(axis=1)
    if blank.any():
        rows = [str(i + 2) for i in frame.index[blank]]
        shown = ", ".join(rows[:10]) + (" …" if len(rows) > 10 else "")
        notes.append(f"{path.name}: {len(rows)} empty row(s) ignored (row {shown}).")
        frame = frame[~blank]
    if frame.empty:
        raise TableError(f"{path}: has a header row but no data rows.")
    decimal = "."
    written = None
    if sep == ";":
        columns = sorted(set(numeric_columns) & set(frame.columns))
        # A ';' file from a spreadsheet in the region normally writes decimal commas, with '.' as
        # the thousands separator ("1.234,5"). Only read '.' as a thousands separator when the file
        # really uses decimal commas; otherwise "7.824" would silently become 7824.
        if any(frame[c].str.match(_HAS_DECIMAL_COMMA).any() for c in columns):
            decimal = ","
            written = frame.copy()
            for column in columns:
                cells = frame[column]
                comma = cells.str.match(_DECIMAL_COMMA)
                frame.loc[comma, column] = (
                    cells[comma].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
                )
            notes.append(f"{path.name}: ';'-separated with decimal commas (e.g. 1.234,5); read as decimal points.")
        else:
            notes.append(f"{path.name}: ';'-separated; no decimal commas found, so '.' is read as the decimal point.")
    return CsvTable(path=path, frame=frame, encoding=encoding, separator=sep, decimal=decimal, notes=notes, written=written)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
