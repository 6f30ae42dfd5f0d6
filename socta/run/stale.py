"""Which executed pages no longer match their inputs, and why, in words an analyst can act on."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from socta.core.config import Project
from socta.core.edition import Edition
from socta.core.text import listed
from socta.ingest.schema import INPUT_FILES
from socta.process.fingerprints import PROVENANCE_FILES, _file_digest, inputs_fingerprint
from socta.run.jobs import READS_DATA, READS_MANIFEST, Job, grid
from socta.run.keys import figures_for, key_changes, keys_for, recorded_key


@dataclass
class StalePage:
    """A page of the edition that is missing or out of date, and why (``reasons``, in words)."""
    output: str
    reasons: list[str]


def _reads_data(job: Job) -> bool:
    return job.reads in (READS_DATA, READS_MANIFEST) or bool(job.tables) or job.manifest


def data_folder_changes(project: Project, processed_dir: Path) -> list[str] | None:
    """What changed in the data folder since its processed tables were written (``socta validate``):
    None when the tables are current, else the input files as ``"statistics.csv changed"``,
    ``"provenance.csv added"``, ``"dataset.yaml changed"`` (from the per-file checksums of the
    ``inputs`` manifest in dataset.json); an empty list when only the reference files or the code
    the tables were computed with changed."""

    meta = json.loads((Path(processed_dir) / "dataset.json").read_text(encoding="utf-8"))
    if meta.get("fingerprint") == inputs_fingerprint(project):
        return None
    changes = []
    if json.loads(json.dumps(project.dataset, default=str)) != meta.get("dataset"):
        changes.append("dataset.yaml changed")
    recorded = {entry["file"]: entry for entry in meta.get("inputs", []) if "file" in entry}
    for name in [*recorded, *(n for n in [*PROVENANCE_FILES, *INPUT_FILES] if n not in recorded)]:
        entry = recorded.get(name)
        was = "" if entry is None or entry.get("absent") else entry.get("sha256", "")
        path = project.input_path(name)
        now = _file_digest(path) if path.is_file() else ""
        if was != now:
            changes.append(f"{name} {'added' if not was else 'removed' if not now else 'changed'}")
    return changes


def stale_report(project: Project, audience: str, lang: str, formats=None) -> list[StalePage]:
    """Pages of the edition whose inputs changed since they were executed (or that were never run),
    each with what changed: its template, its data slice, a file of the data folder since `socta
    validate`, the code, a reference file, a catalogue, an open-source file; for a PDF build (``formats``
    with "pdf", or ``None``), a page drawn for the HTML only."""
    processed = project.processed_dir(Edition(audience).data_audience)
    jobs = grid(project, audience, lang, processed)
    if not (processed / "dataset.json").is_file():
        return [StalePage(job.output, ["no processed tables: the data were never validated"]) for job in jobs]
    folder = data_folder_changes(project, processed)
    folder_reason, everyone = None, False
    if folder is not None:
        if folder:
            folder_reason = f"{', '.join(folder)} since `socta validate`"
            # every page shows the dataset's name and may ask which inputs exist
            everyone = any(c.startswith("dataset.yaml") or not c.endswith(" changed") for c in folder)
        else:
            folder_reason = "processed tables predate the reference files or code now in force"
    keys = keys_for(project, jobs, processed, figures_for(formats))
    source = project.edition_dir(audience, lang) / "source"
    report = []
    for job in jobs:
        if not (source / f"{job.output}.ipynb").is_file():
            report.append(StalePage(job.output, ["never run"]))
            continue
        reasons = []
        if folder_reason and (everyone or _reads_data(job)):
            reasons.append(folder_reason)
        recorded = recorded_key(source, job)
        if recorded is None:
            reasons.append("no key recorded")
        else:
            reasons += key_changes(recorded, keys[job.output])
        if reasons:
            report.append(StalePage(job.output, reasons))
    return report


def describe_stale(report: list[StalePage], limit: int = 12) -> list[str]:
    """Lines naming the pages out of date, grouped by why, the first ``limit`` pages by name and a
    count of the others: ``factors (open source europol_context.csv changed)``."""
    groups: dict[str, list[str]] = {}
    for page in report:
        groups.setdefault("; ".join(page.reasons), []).append(page.output)
    lines, budget = [], limit
    for reason, pages in groups.items():
        if budget > 0:
            lines.append(listed(pages, budget, ", ", " and {n} more") + f" ({reason})")
            budget -= min(budget, len(pages))
        else:
            lines.append(f"{len(pages)} more page(s) ({reason})")
    return lines
