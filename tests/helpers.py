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
