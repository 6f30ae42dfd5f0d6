"""Shared paths and commands for the tests."""
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
