"""Shared paths, commands and data edits for the tests."""
import csv
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOCTA = [sys.executable, "-m", "socta"]


def socta(*args: str, timeout: int = 1800, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the socta command as an analyst would, capturing its output (``env``: its whole environment,
    when not this process's)."""
    return subprocess.run([*SOCTA, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env=env)


def set_rows(path: Path, keep) -> None:
    """Rewrite the CSV table ``path`` row by row: ``keep(row)`` returns the row (changed or not), or None
    to drop it; a ``status`` column is added when the table has none."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    if "status" not in fields:
        fields.append("status")
    out = [r for r in (keep(dict(r)) for r in rows) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(out)


def pdf_metadata(pdf: Path) -> dict[str, str]:
    """A PDF's document information (pdfinfo: Title, Author, Subject, …) and its catalogue's language
    (``Lang``), read from the file, where xdvipdfmx keeps the catalogue in a compressed object stream."""
    import re
    import zlib

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    found = {key.strip(): value.strip() for key, value in found.items()}
    data = pdf.read_bytes()
    chunks = [data]
    for start in re.finditer(rb"stream\r?\n", data):
        try:
            chunks.append(zlib.decompress(data[start.end():data.find(b"endstream", start.end())]))
        except zlib.error:
            continue
    for chunk in chunks:
        if b"/Type/Catalog" in chunk or b"/Type /Catalog" in chunk:
            lang = re.search(rb"/Lang\s*\(([^)]*)\)", chunk)
            if lang:
                found["Lang"] = lang.group(1).decode()
    return found
