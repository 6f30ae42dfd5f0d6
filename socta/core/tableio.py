"""Reading the CSV files the region's offices really produce.

Spreadsheets exported in the region come as UTF-8, UTF-8 with a byte-order mark, UTF-16 (Excel's
"Unicode text"), or Windows-1251 (Cyrillic) / Windows-1250 (Latin with č ć š ž đ), with ``,``,
``;`` or tab separators and, with ``;`` or tabs, decimal commas. We read all of them into text
columns; typing and checking is the validator's job, so that a bad cell is reported with its
original value instead of being silently coerced.

Nothing here guesses where a file is ambiguous or broken:

- a file that is not CSV text (an Excel workbook renamed ``.csv``, a PDF, binary data) is named
  for what it is, with the way to export CSV;
- a line whose cells do not match the header (an unquoted ``1,291``, a list ``SRB,MNE``, a stray
  quote) is reported with the file's own line number, the cells expected and found, the likely
  cause and the fix, and skipped, so the rest of the file is still read and checked;
- a number such as ``1.234`` in a ``;`` file with no other hint of the decimal mark (1234 or
  1.234?) is refused, naming the cells, rather than read 1000 times too small.

Row numbers are the file's own line numbers, as a spreadsheet or a text editor shows them: the
header is on its line (line 1 unless blank lines or Excel's ``sep=;`` line come first), and the data
frame's index is that line number minus 2, so ``index + 2`` is always the line of the row.
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from socta.core.config import ConfigError
from socta.core.text import listed

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


# "1.234" or "12.345.678": digits grouped by '.' in threes, the way a thousands separator writes them
_DOT_GROUPED = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+$")

_DOT_GROUPED_MANY = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3}){2,}$")


# a number with a '.' that no thousands separator writes: "7824.1", "0.25", ".5": '.' is a decimal point
_DOT_DECIMAL = re.compile(r"^-?\d*\.\d+$")

_CENSOR_PREFIX = re.compile(r"^\s*[<>]\s*=?\s*")

_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

_INT_PART = re.compile(r"^-?\d{1,3}$")


# spreadsheet formula / CSV injection (OWASP): a text cell a spreadsheet would run
_FORMULA = re.compile(r"^[=+\-@\t\r]")

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")

_MAX_JOIN = 50  # lines a quoted cell may span before an unclosed quote counts as a stray one

_SEP_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}

EXPORT_CSV = ("open it in Excel and use File › Save As › 'CSV UTF-8 (Comma delimited) (*.csv)' "
              "(LibreOffice: File › Save As › 'Text CSV (.csv)', character set 'Unicode (UTF-8)'), "
              "one sheet per file, and use that file instead")


class TableError(ValueError):
    """A file cannot be read at all; the message names the file and what to change."""


# Size caps on what is read (issue 19, bounded input), in MB, each changeable for one run through its
# environment variable. An input table of the region is a few MB (200,000 statistics rows are 15 MB);
# a file far beyond that is a wrong file, or one made to exhaust the machine's memory, and is refused
# before it is read. A compressed file is decompressed only up to its cap, so a 1.5 MB .gz that
# expands to gigabytes fails after the first 200 MB, not after all of them.
CAPS = {"input": ("SOCTA_MAX_INPUT_MB", 200.0), "decompressed": ("SOCTA_MAX_DECOMPRESSED_MB", 200.0)}


def cap_bytes(kind: str) -> int:
    """The cap in force for ``kind`` ("input": a file as stored; "decompressed": a .gz once expanded)."""
    variable, default = CAPS[kind]
    text = os.environ.get(variable, "").strip()
    try:
        mb = float(text) if text else default
    except ValueError:
        mb = -1.0
    if not mb > 0:

        raise ConfigError(f"{variable}={text!r}: the cap is a number of megabytes above 0, e.g. {variable}={default:.0f}")
    return int(mb * 1_000_000)


def _mb(n: int) -> str:
    if n < 1_000_000:
        return f"{n / 1000:,.0f} kB"
    return f"{n / 1_000_000:,.1f} MB" if n < 10_000_000 else f"{n / 1_000_000:,.0f} MB"


def _too_large(path: Path, size: str, kind: str, cap: int, what: str) -> TableError:
    variable = CAPS[kind][0]
    return TableError(f"{path}: {what} {size}, more than socta's cap of {_mb(cap)} for "
                      f"{'an input file' if kind == 'input' else 'a decompressed file'}; it is not the table "
                      "meant, or it is damaged. Split the table (by year or by source), or, if it really is "
                      f"this large, raise the cap for the run: {variable}={2 * cap / 1_000_000:g} socta …")


def read_input(path: Path, cap: int | None = None) -> bytes:
    """The bytes of an input file, refused (:class:`TableError`) above the input cap (``cap`` bytes, else
    ``SOCTA_MAX_INPUT_MB``). The size is checked before reading, so a huge file is never read; OSError
    (a file that cannot be read) passes to the caller, which names it."""
    path = Path(path)
    cap = cap_bytes("input") if cap is None else cap
    size = path.stat().st_size
    if size > cap:
        raise _too_large(path, f"is {_mb(size)}", "input", cap, "the file")
    data = path.read_bytes()
    if len(data) > cap:  # it grew since
        raise _too_large(path, f"holds more than {_mb(cap)}", "input", cap, "the file")
    return data


def gunzip(data: bytes, path: Path, cap: int | None = None) -> bytes:
    """``data`` (gzip) decompressed, refused (:class:`TableError`) as soon as it passes the decompression
    cap (``cap`` bytes, else ``SOCTA_MAX_DECOMPRESSED_MB``): read in 1 MB steps, never more than cap + 1
    bytes in memory, so a "zip bomb" fails fast. A damaged or cut-off archive is named as such."""
    cap = cap_bytes("decompressed") if cap is None else cap
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while True:
                chunk = fh.read(min(1 << 20, cap + 1 - len(out)))
                if not chunk:
                    break
                out += chunk
                if len(out) > cap:
                    raise _too_large(Path(path), f"decompresses to more than {_mb(cap)} (from {_mb(len(data))})",
                                     "decompressed", cap, "the compressed file")
    except (OSError, EOFError, zlib.error) as exc:
        raise TableError(f"{path}: is not a complete gzip file ({exc}); download it again, or decompress it "
                         "yourself (gunzip) and name the file without .gz") from None
    return bytes(out)


@dataclass(frozen=True)
class ReadIssue:
    """A line or a cell the reader could not take as it is (the rest of the file was read).

    ``row`` is the file's line number (None: the whole file), ``kind`` groups issues of one sort."""

    row: int | None
    column: str | None
    value: str | None
    message: str
    kind: str


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
    # malformed lines (skipped, not in ``frame``) and refused cells (kept in ``frame`` as written)
    issues: list[ReadIssue] = field(default_factory=list)
    # cells of ``frame`` whose number format was refused: {column: frame index labels}
    refused: dict[str, list] = field(default_factory=dict)

    @property
    def as_written(self) -> pd.DataFrame:
        return self.frame if self.written is None else self.written

    @property
    def complete(self) -> bool:
        """Every line of the file is in ``frame`` (no malformed line was skipped)."""
        return not any(i.kind.startswith("line:") for i in self.issues)


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


def _not_text(raw: bytes, path: Path) -> str | None:
    """What the file is when it is not CSV text (a workbook, a PDF …), in words, with the fix."""
    head = raw[:4096]
    if head.startswith(b"PK\x03\x04"):
        if b"opendocument.spreadsheet" in head:
            what = "an OpenDocument spreadsheet (.ods) renamed to .csv, not CSV text"
        elif b"xl/" in raw[:200_000] or b"[Content_Types].xml" in head:
            what = "an Excel workbook (.xlsx) renamed to .csv, not CSV text"
        else:
            return (f"{path}: is a ZIP archive, not CSV text. Unpack it and use the CSV file inside, or, if it is "
                    f"a spreadsheet workbook, {EXPORT_CSV}.")
        return f"{path}: is {what}. To export CSV, {EXPORT_CSV}."
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return f"{path}: is an Excel 97-2003 workbook (.xls) renamed to .csv, not CSV text. To export CSV, {EXPORT_CSV}."
    if head.startswith(b"%PDF"):
        return (f"{path}: is a PDF document, not CSV text. Take the table from its source as a spreadsheet or CSV "
                "(copying tables out of a PDF loses cells), and save it as 'CSV UTF-8'.")
    if head.startswith(b"\x1f\x8b"):
        return f"{path}: is gzip-compressed, not CSV text. Decompress it (gunzip) and use the .csv inside."
    stripped = head.lstrip(_BOM).lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return (f"{path}: is a web page or XML (some 'Export to Excel' buttons write HTML), not CSV text. "
                f"Open it in a spreadsheet program and save it as CSV: {EXPORT_CSV}.")
    return None


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII text with a NUL byte beside every letter."""
    sample = raw[:4096]
    half = max(len(sample) // 2, 1)
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


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
    if b"\x00" in raw[:4096]:
        encoding = _utf16_without_bom(raw)
        if encoding:
            try:
                return raw.decode(encoding), encoding, [
                    f"{path.name}: UTF-16 without a byte-order mark; read as {encoding}. 'CSV UTF-8' is preferred."]
            except UnicodeDecodeError:
                pass
        raise TableError(f"{path}: contains binary data (NUL bytes), not CSV text: it is not a table export, or "
                         f"it is damaged. Export the table again: {EXPORT_CSV}.")
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


def _control_share(text: str) -> float:
    sample = text[:20_000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or ch in "\x7f\ufffd")
    return bad / len(sample)


def _separator(header: str, path: Path) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise TableError(
            f"{path}: the header line has no ',', ';' or tab separator: {header[:80]!r}. "
            "Save the sheet as CSV with a header row of column names."
        )
    return sep


def _split(text: str, sep: str) -> tuple[list[str], bool]:
    """The cells of one line (or of several joined lines); ``True`` when a quote is left open."""
    if '"' not in text:
        return text.split(sep), False
    try:
        fields = next(csv.reader([text + "\n"], delimiter=sep, skipinitialspace=True, quoting=csv.QUOTE_MINIMAL,
                                 strict=False), [])
    except csv.Error:
        return text.split(sep), True
    if fields and fields[-1].endswith("\n"):  # an unquoted cell never holds the line break: a quote is open
        fields[-1] = fields[-1][:-1]
        return fields, True
    return fields, False


def _shown(line: str, limit: int = 100) -> str:
    return line if len(line) <= limit else line[:limit] + "…"


def _diagnose(line_no: int, fields: list[str], names: list[str], sep: str, numeric: set[str], lists: set[str],
              stray_quote: bool) -> tuple[str | None, str, str]:
    """(column, cause and fix, kind) for a line whose cells do not match the header."""
    n, width = len(fields), len(names)
    sep_name = _SEP_NAMES.get(sep, repr(sep))
    counts = f"line {line_no} has {n} cells where the header has {width}"
    skipped = "; the line was skipped, the rest of the file checked"
    if stray_quote:
        return None, (f"{counts}: a quote '\"' opens a cell that is never closed{skipped}. Remove the stray quote, "
                      "or quote the whole cell and double any quote inside it (\"\"); check the separators"), \
            "line:stray quote"
    if n > width:
        extra = n - width
        if all(f == "" for f in fields[width:]):
            return None, (f"{counts}: the line ends with {extra} separator(s) too many{skipped}. Remove the "
                          f"{sep_name} at the end of the line"), "line:trailing separator"
        for j in range(width):
            a, b = fields[j], fields[j + 1] if j + 1 < n else ""
            if names[j] in numeric and _INT_PART.match(a) and re.match(r"^\d+([.]\d+)?$", b):
                if re.match(r"^\d{3}(\.\d+)?$", b):
                    number = a + b
                    return names[j], (f"{counts}: the number '{a}{sep}{b}' in column '{names[j]}' is written with a "
                                      f"thousands separator and not in quotes, so it splits into two cells{skipped}. "
                                      f"Write {number} (no thousands separator), or put the cell in quotes"), \
                        "line:unquoted thousands separator"
                return names[j], (f"{counts}: the number '{a}{sep}{b}' in column '{names[j]}' is written with a "
                                  f"decimal comma in a {sep_name}-separated file, so it splits into two cells{skipped}. "
                                  f"Write {a}.{b}, or put the cell in quotes"), "line:unquoted decimal comma"
            if names[j] in lists and all(_CODE.match(f) for f in fields[j:j + extra + 1]):
                items = fields[j:j + extra + 1]
                return names[j], (f"{counts}: the list in column '{names[j]}' is written with {sep_name} between its "
                                  f"items ({sep.join(items)}), so it splits into {len(items)} cells{skipped}. "
                                  f"Write {'|'.join(items)} (items separated by |, no spaces)"), \
                    "line:list with separators"
        return None, (f"{counts}: probably a cell with a {sep_name} in it that is not in quotes (a name, a source "
                      f"or a number with a thousands separator){skipped}. Check the separators: put such cells in \"…\" "
                      "quotes, or export the file again from the spreadsheet"), "line:too many cells"
    swallowed = next((f for f in fields if sep in f), None)
    if swallowed is not None:
        return None, (f"{counts}: a quote '\"' makes one cell swallow its neighbours ({_shown(swallowed, 40)!r})"
                      f"{skipped}. Remove the stray quote, or quote the whole cell and double any quote inside it "
                      "(\"\")"), "line:stray quote"
    return None, (f"{counts}: {width - n} cell(s) missing (a separator dropped, or the line cut short){skipped}. "
                  "Check the separators: add the missing cells, leaving empty ones empty"), "line:too few cells"


def read_csv_table(path: Path, numeric_columns: frozenset[str] | set[str] = frozenset(), *,
                   lenient: bool = False, list_columns: frozenset[str] | set[str] = frozenset()) -> CsvTable:
    """Read a CSV file into text columns, detecting encoding, separator and decimal mark.

    Cells are stripped of surrounding blanks; empty cells are empty strings. With a ``;`` (or tab)
    separator, cells of ``numeric_columns`` written with a decimal comma are converted to the ``.``
    notation so the validator can parse them.

    ``lenient=False`` (reference tables, imports): any malformed line or ambiguous number raises
    :class:`TableError`. ``lenient=True`` (the validator): they are returned in ``issues`` and
    the rest of the file is read, so every problem of the file can be reported at once.
    ``list_columns`` only helps to explain a ``|``-list written with commas.
    """
    path = Path(path)
    if path.is_dir():
        raise TableError(f"{path}: is a folder, not a file. Put the CSV file itself at this path.")
    if not path.is_file():
        raise TableError(f"{path}: file not found. Every data folder needs it (see data/README.md).")
    try:
        raw = read_input(path)
    except PermissionError as exc:
        raise TableError(f"{path}: cannot be read: permission denied. Give your user read access to the file "
                         "(e.g. chmod a+r on Linux, or the file's Properties › Security on Windows), or copy it "
                         "into a folder you own.") from exc
    except OSError as exc:
        raise TableError(f"{path}: cannot be read ({exc.strerror or exc}). Copy the file to a local folder and "
                         "try again.") from exc
    what = _not_text(raw, path)
    if what:
        raise TableError(what)
    text, encoding, notes = _decode(raw, path)
    if _control_share(text) > 0.01:
        raise TableError(f"{path}: contains binary data (control characters), not CSV text: it is not a table export, "
                         f"or it is damaged. Export the table again: {EXPORT_CSV}.")
    if not text.strip():
        raise TableError(f"{path}: the file is empty. It needs a header row and at least one data row.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # Blank lines are kept as (empty) rows so that row numbers stay those of the spreadsheet.
    first = next(n for n, line in enumerate(lines) if line.strip())
    declared = _SEP_LINE.match(lines[first])
    if declared:  # Excel's "sep=;" hint line: the separator, not a row of the table
        sep = declared.group(1)
        notes.append(f"{path.name}: the first line {lines[first].strip()!r} (Excel's separator hint) was skipped; "
                     f"{_SEP_NAMES.get(sep, repr(sep))} is the separator. Row numbers are the file's lines, so the "
                     f"header is row {first + 2}.")
        rest = [n for n in range(first + 1, len(lines)) if lines[n].strip()]
        if not rest:
            raise TableError(f"{path}: has only the line {lines[first].strip()!r}: no header row and no data rows.")
        header_line = rest[0]
    else:
        header_line = first
        sep = _separator(lines[header_line], path)
    header, _ = _split(lines[header_line], sep)
    names = [h.strip() for h in header]
    issues: list[ReadIssue] = []
    header_row = header_line + 1

    records: list[list[str]] = []
    index: list[int] = []
    blank: list[int] = []
    bad: list[tuple[int, list[str], bool, str]] = []
    width = len(names)
    numeric, lists = set(numeric_columns), set(list_columns)
    numeric_positions = {j for j, name in enumerate(names) if name in numeric}
    # one C-speed csv reader over the body; a record over several lines (a quoted cell with a line
    # break, or a stray quote) is kept only if it has the header's cells and no line break in a number;
    # otherwise its first line is reported and reading starts again on the next line
    i, n_lines = header_line + 1, len(lines)
    while i < n_lines:
        reader = csv.reader((lines[k] + "\n" for k in range(i, n_lines)), delimiter=sep, skipinitialspace=True,
                            quoting=csv.QUOTE_MINIMAL, strict=False)
        base, done, restart = i, 0, None
        try:
            for fields in reader:
                first = base + done
                done = reader.line_num
                last = base + done - 1
                if last > first and (len(fields) != width or last - first > _MAX_JOIN or
                                     any("\n" in fields[k] for k in numeric_positions if k < len(fields))):
                    bad.append((first + 1, _split(lines[first], sep)[0], True, lines[first]))
                    restart = first + 1
                    break
                if len(fields) != width:
                    if any(f.strip() for f in fields):
                        bad.append((first + 1, fields, False, lines[first]))
                    else:
                        blank.append(first + 1)
                    continue
                records.append(fields)
                index.append(first - 1)  # the line number minus 2
        except csv.Error:  # a cell beyond the csv module's size limit: a stray quote swallowed the file
            first = base + done
            bad.append((first + 1, _split(lines[first], sep)[0], True, lines[first]))
            restart = first + 1
        if restart is None:
            break
        i = restart

    if bad and not records:
        # every line is malformed: one cause for the whole file (e.g. a separator at the end of every line)
        line_no, fields, stray, line = bad[0]
        if not stray and len(fields) > width and all(f.strip() == "" for f in fields[width:]):
            raise TableError(
                f"{path}: the data rows have more cells than the header row. Give every column a name in "
                "the header, or remove the separator at the end of the lines."
            )
        column, message, _ = _diagnose(line_no, [f.strip() for f in fields], names, sep, numeric, lists, stray)
        raise TableError(f"{path}: no line could be read: {message} (and so on for every line). "
                         f"Check the separators and quotes, or export the file again as 'CSV UTF-8'.")
    for line_no, fields, stray, line in bad:
        column, message, kind = _diagnose(line_no, [f.strip() for f in fields], names, sep, numeric, lists, stray)
        issues.append(ReadIssue(line_no, column, _shown(line), message, kind))

    frame = pd.DataFrame(records, columns=range(width), dtype="str")
    frame.index = pd.Index(index, dtype="int64")
    for j in range(width):
        frame[j] = frame[j].str.strip()
    if len(frame):
        empty = frame.eq("").all(axis=1)
        again = pd.Series(True, index=frame.index)
        for j, name in enumerate(names):
            again &= frame[j].eq(name)
        for k in frame.index[again]:
            issues.append(ReadIssue(int(k) + 2, None, _shown(lines[int(k) + 1]),
                                    "the header row again: a file has one header row; remove this line",
                                    "header:repeated header"))
        blank += [int(k) + 2 for k in frame.index[empty]]
        frame = frame[~empty & ~again]
        blank.sort()
    # header cells: trailing empty names (a separator at the end of every line), empty and repeated names
    drop, seen = [], {}
    for j, name in enumerate(names):
        cells = frame[j]
        if name == "":
            if not cells.ne("").any():
                drop.append(j)
                continue
            where = ", ".join(str(k + 2) for k in cells.index[cells.ne("")][:5])
            issues.append(ReadIssue(header_row, f"(column {j + 1})", None,
                                    f"column {j + 1} has no name in the header but holds values (line {where} …): "
                                    "give it its name, or delete the column", "header:unnamed column"))
            names[j] = f"(column {j + 1})"
        elif name in seen:
            issues.append(ReadIssue(header_row, name, None,
                                    f"appears twice in the header (columns {seen[name] + 1} and {j + 1}): remove or "
                                    "rename one; the second was left out", "header:repeated column"))
            drop.append(j)
            continue
        seen.setdefault(names[j], j)
    if any(names[j] == "" for j in drop):
        notes.append(f"{path.name}: an empty column without a name (a separator at the end of the lines) was ignored.")
    frame = frame.drop(columns=drop)
    frame.columns = [names[j] for j in frame.columns]
    if blank:
        shown = ", ".join(map(str, blank[:10])) + (" …" if len(blank) > 10 else "")
        notes.append(f"{path.name}: {len(blank)} empty row(s) ignored (row {shown}).")
    if frame.empty and not issues:
        raise TableError(f"{path}: has a header row but no data rows.")
    if frame.empty:
        # header and malformed lines only: the issues say why
        pass

    decimal, written, refused = ".", None, {}
    columns = [c for c in frame.columns if c in numeric]
    if columns and len(frame):
        decimal, written, refused, more = _numbers(frame, columns, sep, path)
        issues.extend(more[0])
        notes.extend(more[1])
    table = CsvTable(path=path, frame=frame, encoding=encoding, separator=sep, decimal=decimal, notes=notes,
                     written=written, issues=issues, refused=refused)
    if issues and not lenient:
        shown = listed([i.message if i.kind.startswith("line:") or not i.row else
                        f"row {i.row}, column '{i.column}': {i.value!r} {i.message}" for i in issues], 5,
                       more="; and {n} more")
        raise TableError(f"{path}: {shown}")
    return table


def _numbers(frame: pd.DataFrame, columns: list[str], sep: str, path: Path):
    """Decimal marks of the numeric columns: converted where the file says which, refused where not.

    Returns (decimal, written, refused, (issues, notes)); converts ``frame`` in place."""
    issues: list[ReadIssue] = []
    notes: list[str] = []
    refused: dict[str, list] = {}
    if sep == ",":
        return ".", None, refused, (issues, notes)
    sep_name = _SEP_NAMES.get(sep, repr(sep))
    bare = {c: frame[c].str.replace(_CENSOR_PREFIX, "", regex=True) for c in columns}
    grouped = {c: bare[c].str.match(_DOT_GROUPED) for c in columns}

    def first(masks: dict[str, pd.Series]) -> tuple[int, str, str] | None:
        for c in columns:
            if masks[c].any():
                k = masks[c].idxmax()
                return int(k) + 2, c, frame.at[k, c]
        return None

    def refuse(masks: dict[str, pd.Series], message, kind: str) -> None:
        for c in columns:
            for k in frame.index[masks[c]]:
                issues.append(ReadIssue(int(k) + 2, c, frame.at[k, c], message(frame.at[k, c]), kind))
            if masks[c].any():
                refused.setdefault(c, []).extend(frame.index[masks[c]])

    # A ';' (or tab) file from a spreadsheet in the region normally writes decimal commas, with '.' as
    # the thousands separator ("1.234,5"). '.' is read as a thousands separator only when the file
    # says so; otherwise "7.824" would silently become 7824 — or, the other way round, "1.234"
    # meaning 1234 would silently become 1.234. What the file does not say is refused.
    comma = first({c: bare[c].str.match(_HAS_DECIMAL_COMMA) for c in columns})
    # a '.' no thousands separator writes ("7824.1", "0.25"): the file uses decimal points
    point_cells = {c: bare[c].str.match(_DOT_DECIMAL) & ~grouped[c] for c in columns}
    if comma:
        written = frame.copy()
        row, col, cell = comma
        refuse(point_cells, lambda v: (f"has a decimal point, but this file writes decimal commas (e.g. row {row}, "
                                       f"column '{col}': '{cell}'): write {v.replace('.', ',')}"),
               "number:mixed decimal marks")
        for c in columns:
            convert = bare[c].str.match(_DECIMAL_COMMA) & ~point_cells[c]
            frame.loc[convert, c] = (frame.loc[convert, c].str.replace(".", "", regex=False)
                                     .str.replace(",", ".", regex=False))
        notes.append(f"{path.name}: {sep_name}-separated with decimal commas (e.g. 1.234,5); read as decimal points.")
        return ",", written, refused, (issues, notes)
    point = first(point_cells)
    many = {c: bare[c].str.match(_DOT_GROUPED_MANY) for c in columns}
    if point and first(many):
        row, col, cell = point
        refuse(many, lambda v: (f"uses '.' as a thousands separator, but the file's other numbers use '.' as the "
                                f"decimal point (e.g. row {row}, column '{col}': '{cell}'): write {v.replace('.', '')}"),
               "number:mixed decimal marks")
    elif first(many):
        written = frame.copy()
        for c in columns:
            frame.loc[grouped[c], c] = frame.loc[grouped[c], c].str.replace(".", "", regex=False)
        row, col, cell = first(many)
        notes.append(f"{path.name}: {sep_name}-separated with '.' as the thousands separator (e.g. row {row}: "
                     f"'{cell}') and no decimals; '.' was read as a thousands separator.")
        return ".", written, refused, (issues, notes)
    elif not point and first(grouped):
        refuse(grouped, lambda v: (f"is ambiguous in a {sep_name}-separated file: {v.replace('.', '')} if '.' is a "
                                   f"thousands separator, {v} if it is a decimal point, and no other number of the "
                                   f"file tells which. Write {v.replace('.', '')} (no thousands separator) or "
                                   f"{v.replace('.', ',')} (a decimal comma)"), "number:ambiguous decimal mark")
        notes.append(f"{path.name}: {sep_name}-separated, and no number shows whether '.' is a decimal point or a "
                     "thousands separator: the cells that could be either are refused (see the problems).")
        return ".", None, refused, (issues, notes)
    notes.append(f"{path.name}: {sep_name}-separated; no decimal commas found, so '.' is read as the decimal point.")
    return ".", None, refused, (issues, notes)


def formula_cells(cells: pd.Series) -> pd.Series:
    """Text cells a spreadsheet would run as a formula (CSV injection): they begin with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return, and are not plain numbers such as ``-5``."""
    text = cells.fillna("").astype(str)
    return text.str.match(_FORMULA) & ~text.str.strip().str.match(_PLAIN_NUMBER)


def neutralise(cells: pd.Series) -> pd.Series:
    """The cells with a formula start made inert, as OWASP recommends: a leading ``'``, which a
    spreadsheet shows as text and does not print."""
    mask = formula_cells(cells)
    return cells.where(~mask, "'" + cells.astype(str))


def neutral_records(records: list[dict], columns: list[str]) -> list[dict]:
    """Rows about to be written as CSV, every formula-looking text cell made inert by :func:`neutralise`
    (numbers such as ``-3`` or ``+5`` stay as they are): what every CSV socta writes passes through."""
    if not records:
        return records
    frame = pd.DataFrame(records, columns=columns, dtype=object).fillna("").astype(str)
    for column in columns:
        frame[column] = neutralise(frame[column])
    return frame.to_dict("records")


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
