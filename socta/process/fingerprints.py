"""What the processed tables were made from: digests of the input files, of the package code and of
the pinned requirements, recorded with the tables and read by the runner's cache keys."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from socta.core.config import REPO_ROOT, Project
from socta.core.edition import DATA_AUDIENCES
from socta.ingest.reference import REFERENCE_FILES
from socta.ingest.schema import INPUT_FILES

PROVENANCE_FILES = ("mapping.yaml", "provenance.csv", "workbooks.csv")  # written or read by `socta import`


def inputs_fingerprint(project: Project) -> str:
    """What the processed tables are computed from: the input files, the configuration, the code."""

    h = hashlib.sha256()

    def add(name: str, path: Path) -> None:  # in 1 MB steps: an oversized input is refused later, not held here
        h.update(name.encode())
        if not path.is_file():
            h.update(b"<missing>")
            return
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)

    for name in ["dataset.yaml", *INPUT_FILES, *PROVENANCE_FILES]:
        add(name, project.input_path(name))
    for name in [*REFERENCE_FILES, "settings.yaml"]:
        add(name, project.reference_path(name))
    h.update(code_fingerprint().encode())
    return h.hexdigest()


def processed_fingerprint(project: Project) -> str | None:
    """The fingerprint recorded with the processed tables, if every audience's folder has the same one."""
    found = set()
    for audience in DATA_AUDIENCES:
        meta = project.processed_dir(audience) / "dataset.json"
        if not meta.is_file():
            return None
        found.add(json.loads(meta.read_text(encoding="utf-8")).get("fingerprint"))
    return found.pop() if len(found) == 1 else None


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


# the layers above the runner (tests/unit/test_layers.py keeps every import downward): no page and no
# processing step imports them, so a change there (the narrative, the book build) executes nothing
# again. The one exception, the training lesson on key judgements, runs the narrative's code: its key
# adds that layer (socta.run.keys).
PUBLISHING_LAYERS = ("narrative", "book")


def code_files(layers: tuple[str, ...] = ()) -> list[Path]:
    """The package code the pages and the processing run on (and the publishing ``layers`` named),
    and the pinned requirements."""
    package = REPO_ROOT / "socta"
    left_out = set(PUBLISHING_LAYERS) - set(layers)
    return sorted(p for p in package.rglob("*.py") if p.relative_to(package).parts[0] not in left_out) \
        + [REPO_ROOT / "requirements.txt"]


def code_fingerprint() -> str:
    """The package code and the pinned requirements as one digest (recorded with the processed tables)."""
    return _sha(*(p.read_bytes() for p in code_files() if p.is_file()))


def code_digests(layers: tuple[str, ...] = ()) -> dict[str, str]:
    """Each file of the package code (and of the publishing ``layers`` named) and the requirements, by
    its path in the repository."""
    return {p.relative_to(REPO_ROOT).as_posix(): _file_digest(p) for p in code_files(layers) if p.is_file()}
