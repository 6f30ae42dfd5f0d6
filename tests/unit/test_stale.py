"""Stale means stale: `socta build` refuses pages whose inputs changed since they ran, and says which
and why; `socta run` re-executes exactly those.

No notebook is executed here: the data are validated once, and every page of the grid is "executed"
by writing a placeholder notebook and its key with the runner's own ``write_result``, as a real run
would. The code digests are frozen for the module, so an edit of the package while the tests run
does not make every page stale.
"""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from socta.core.config import NOTEBOOKS_DIR, OPEN_SOURCES_DIR, Project
from socta.i18n import translate as i18n
from socta.process import fingerprints
from socta.process.fingerprints import inputs_fingerprint, processed_fingerprint
from socta.run import execute
from socta.run import jobs as run_jobs
from socta.run import keys as run_keys
from socta.run.execute import run_grid, write_result
from socta.run.jobs import grid
from socta.run.keys import OLD_KEY_REASON, key_path, keys_for, recorded_key
from socta.run.stale import StalePage, describe_stale, stale_report

from ..helpers import REPO

PLACEHOLDER_NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
INDICATOR, AREA = "drug_seizures_kg", "drugs"   # the indicator edited below, and its crime area


@pytest.fixture(scope="module")
def frozen_code():
    """The package code as it is now, for the whole module (others may be editing it)."""
    digests, fingerprint = fingerprints.code_digests(), fingerprints.code_fingerprint()
    with_narrative = fingerprints.code_digests(("narrative",))  # the key of the lesson that runs it
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(run_keys, "code_digests", lambda layers=(): dict(with_narrative if layers else digests))
        mp.setattr(fingerprints, "code_fingerprint", lambda: fingerprint)
        yield digests


@pytest.fixture(scope="module")
def validated(tmp_path_factory, frozen_code, demo_processing) -> Path:
    """A copy of data/demo-2016 with the session's processed tables of it (what `socta validate` writes)."""
    base = tmp_path_factory.mktemp("validated")
    shutil.copytree(REPO / "data" / "demo-2016", base / "data")
    shutil.copytree(demo_processing.project.build_dir / "processed", base / "build" / "processed")
    return base


def record_run(project, jobs, source):
    """What `socta run` leaves for each page: the executed notebook and its key, written by the runner."""
    keys = keys_for(project, jobs, project.processed_dir("public"))
    for job in jobs:
        outcome = write_result(job, source, source.parent / "failed", keys[job.output], True, PLACEHOLDER_NOTEBOOK,
                               "", 0.0)
        assert outcome.ok
    return keys


@pytest.fixture
def edition(validated, tmp_path, monkeypatch):
    """The validated copy, the open sources, the catalogues and the templates in a temporary folder,
    and every page of the public English edition recorded as executed with today's inputs."""
    shutil.copytree(validated / "data", tmp_path / "data")
    shutil.copytree(validated / "build" / "processed", tmp_path / "build" / "processed")
    open_sources = shutil.copytree(OPEN_SOURCES_DIR, tmp_path / "open_sources")
    locale = shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    notebooks = shutil.copytree(NOTEBOOKS_DIR, tmp_path / "notebooks")
    monkeypatch.setattr(run_keys, "OPEN_SOURCES_DIR", open_sources)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setattr(run_jobs, "NOTEBOOKS_DIR", notebooks)  # where Job.template_path finds every template
    project = Project(data_dir=tmp_path / "data", build_dir=tmp_path / "build")
    jobs = grid(project, "public", "en", project.processed_dir("public"))
    source = project.edition_dir("public", "en") / "source"
    keys = record_run(project, jobs, source)
    return SimpleNamespace(project=project, jobs=jobs, source=source, keys=keys, open_sources=open_sources,
                           locale=locale, notebooks=notebooks, data=tmp_path / "data", build=tmp_path / "build")


def stale(edition) -> dict[str, list[str]]:
    return {page.output: page.reasons for page in stale_report(edition.project, "public", "en")}


def to_run(edition) -> set[str]:
    """The pages `socta run` would execute now (nothing is executed: the pool is replaced)."""
    todo = []

    def capture(jobs, *args):
        todo.extend(jobs)
        return []

    keys = keys_for(edition.project, edition.jobs, edition.project.processed_dir("public"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(execute, "_run_local", capture)
        run_grid(edition.jobs, edition.source, edition.source.parent / "failed", keys=keys)
    return {job.output for job in todo}


def build_output(edition, capsys) -> tuple[int, str]:
    """`socta build` in this process: it stops at the stale check, before building anything."""
    from socta.cli import main

    capsys.readouterr()
    status = main(["build", "--data", str(edition.data), "--build-dir", str(edition.build), "--formats", "html"])
    return status, capsys.readouterr().out


def edit_indicator(data: Path, indicator: str) -> int:
    """Change every value of one indicator in the data folder's statistics.csv; returns how many."""
    path = data / "statistics.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    changed = 0
    for row in rows:
        if row["indicator"] == indicator and re.fullmatch(r"\d+(\.\d+)?", row["value"]):
            row["value"] = f"{float(row['value']) * 2 + 1:g}"
            changed += 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return changed


def test_unchanged_inputs_leave_nothing_stale_and_nothing_to_run(edition):
    assert stale(edition) == {}
    assert to_run(edition) == set()


def test_a_key_names_each_input_of_the_page(edition):
    import json

    factors = next(job for job in edition.jobs if job.output == "factors")
    recorded = json.loads(key_path(edition.source, factors).read_text(encoding="utf-8"))
    assert recorded["format"] == run_keys.KEY_FORMAT
    assert {"template", "parameters", "code", "reference", "catalogue", "dataset", "inputs", "data",
            "open_sources"} <= set(recorded)
    assert list(recorded["open_sources"]) == ["europol_context.csv"]
    assert "socta.pot" in recorded["catalogue"] and "settings.yaml" in recorded["reference"]
    assert "socta/run/execute.py" in recorded["code"] and "requirements.txt" in recorded["code"]


def test_data_folder_edited_without_revalidating_is_refused_and_named(edition, capsys):
    assert edit_indicator(edition.data, INDICATOR) > 50
    # `socta run` validates again first: the processed tables no longer match the data folder
    assert processed_fingerprint(edition.project) != inputs_fingerprint(edition.project)
    found = stale(edition)
    reason = "statistics.csv changed since `socta validate`"
    data_pages = [job.output for job in edition.jobs if job.reads == run_jobs.READS_DATA]
    assert data_pages and all(reason in found[page] for page in data_pages)
    assert reason in found["methodology"]          # reads the area scores
    assert "open_sources" not in found             # reads no data, only the dataset's name

    status, out = build_output(edition, capsys)
    assert status == 1
    assert f"{len(found)} page(s) are missing or out of date" in out
    assert f"areas/{AREA}/countries/serbia" in out and f"({reason})" in out
    assert " more" in out                          # the first 12 pages by name, then a count
    assert "Run `socta run` (same --data) first" in out and "--allow-stale builds anyway" in out


def test_an_open_source_file_stales_only_the_pages_reading_it(edition, capsys):
    context = edition.open_sources / "europol_context.csv"
    context.write_text(context.read_text(encoding="utf-8").replace(",60,", ",65,"), encoding="utf-8")
    assert stale(edition) == {"factors": ["open source europol_context.csv changed"]}
    assert to_run(edition) == {"factors"}
    status, out = build_output(edition, capsys)
    assert status == 1 and "1 page(s) are missing or out of date" in out
    assert "factors (open source europol_context.csv changed)" in out

    sources = edition.open_sources / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    found = stale(edition)
    assert set(found) == {"factors", "open_sources", "annex/provenance"}
    assert found["open_sources"] == found["annex/provenance"] == ["open source sources.csv changed"]


def test_every_open_source_file_the_package_reads_is_declared():
    read = set()
    for path in (REPO / "socta").rglob("*.py"):
        read |= set(re.findall(r'OPEN_SOURCES_DIR\s*/\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    declared = {name for names in run_jobs.OPEN_SOURCE_READS.values() for name in names}
    assert read and read <= declared, f"add {sorted(read - declared)} to socta.run.jobs.OPEN_SOURCE_READS"
    assert all((OPEN_SOURCES_DIR / name).is_file() for name in declared)


def test_a_catalogue_change_stales_the_pages_of_its_language(edition):
    pot = edition.locale / "socta.pot"
    text = pot.read_text(encoding="utf-8")
    # regenerating the template with the same messages changes only its date: nothing is stale
    pot.write_text(re.sub(r'"POT-Creation-Date: [^"]*"', '"POT-Creation-Date: 2000-01-01 00:00+0000\\\\n"', text),
                   encoding="utf-8")
    assert stale(edition) == {}
    # another language's catalogue is not read by the English pages
    other = edition.locale / "sr" / "LC_MESSAGES"
    other.mkdir(parents=True, exist_ok=True)  # a shipped catalogue is edited in this copy
    (other / "socta.po").write_text('msgid "Methodology"\nmsgstr "Методологија"\n', encoding="utf-8")
    assert stale(edition) == {}
    # a message of the template changes: every page of the edition is stale, and says why
    pot.write_text(text.replace('msgid "Methodology"', 'msgid "Methodology of the assessment"', 1)
                   if 'msgid "Methodology"' in text else text + '\nmsgid "A new message"\nmsgstr ""\n',
                   encoding="utf-8")
    found = stale(edition)
    assert set(found) == {job.output for job in edition.jobs}
    assert all(reasons == ["catalogue socta.pot changed"] for reasons in found.values())
    # an English catalogue is read by the English pages
    record_run(edition.project, edition.jobs, edition.source)
    english = edition.locale / "en" / "LC_MESSAGES"
    english.mkdir(parents=True)
    (english / "socta.po").write_text('msgid "Methodology"\nmsgstr "Method"\n', encoding="utf-8")
    assert set(stale(edition)["methodology"]) == {"catalogue en/LC_MESSAGES/socta.po changed"}


def test_a_template_change_stales_that_templates_pages(edition):
    area = edition.notebooks / "area.md"
    area.write_text(area.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    found = stale(edition)
    assert set(found) == {job.output for job in edition.jobs if job.template == "area.md"}
    assert all(reasons == ["template changed"] for reasons in found.values())
    assert to_run(edition) == set(found)


def test_a_reference_file_and_the_code_are_named(edition, frozen_code, monkeypatch):
    (edition.data / "reference").mkdir()
    settings = (REPO / "data/reference/settings.yaml").read_text(encoding="utf-8")
    (edition.data / "reference/settings.yaml").write_text(settings + "\n# a comment\n", encoding="utf-8")
    found = stale(edition)
    assert set(found) == {job.output for job in edition.jobs}
    assert all("reference file settings.yaml changed" in reasons for reasons in found.values())
    # the processed tables were computed with the old settings: pages reading data say so too
    assert "processed tables predate the reference files or code now in force" in found["conclusions"]

    (edition.data / "reference/settings.yaml").unlink()
    monkeypatch.setattr(run_keys, "code_digests", lambda layers=(): {**frozen_code, "socta/pages/area.py": "edited"})
    found = stale(edition)
    assert set(found) == {job.output for job in edition.jobs}
    assert found["methodology"] == ["code changed (socta/pages/area.py)"]


def test_a_data_slice_change_reruns_exactly_the_pages_reading_it(edition):
    """What `socta run` sees after validating again: only the pages whose slice of the tables changed."""
    import pandas as pd

    path = edition.project.processed_dir("public") / "statistics.parquet"
    stats = pd.read_parquet(path)
    edited = stats["country"].eq("MNE") & stats["indicator"].eq(INDICATOR) & stats["value"].notna()
    assert edited.any()
    stats.loc[edited, "value"] = stats.loc[edited, "value"] + 1
    stats.to_parquet(path, index=False)
    found = stale(edition)
    # the area's Montenegro and regional pages, and the pages that read every area (of Montenegro, of the region)
    expected = {f"areas/{AREA}/countries/montenegro", f"areas/{AREA}/index", "ocg/countries/montenegro", "ocg/index",
                "conclusions", "factors", "annex/provenance"}
    assert set(found) == expected
    assert all(reasons == ["data slice changed"] for reasons in found.values())
    assert to_run(edition) == expected


def test_a_key_of_the_old_format_is_stale_and_runs_again(edition):
    job = next(job for job in edition.jobs if job.output == "methodology")
    key_path(edition.source, job).write_text("0" * 64 + "\n", encoding="utf-8")
    assert stale(edition) == {"methodology": [OLD_KEY_REASON]}
    assert OLD_KEY_REASON == "recorded before per-input keys"
    assert to_run(edition) == {"methodology"}
    (edition.source / "methodology.ipynb").unlink()
    assert stale(edition) == {"methodology": ["never run"]} and recorded_key(edition.source, job) is None


def test_the_message_groups_pages_by_why_and_counts_beyond_twelve():
    report = [StalePage(f"areas/a{i}/index", ["data slice changed"]) for i in range(10)]
    report += [StalePage("factors", ["open source europol_context.csv changed"])]
    report += [StalePage(f"ocg/countries/c{i}", ["template changed"]) for i in range(4)]
    report += [StalePage("methodology", ["code changed (socta/pages/area.py)"])]
    lines = describe_stale(report)
    assert lines[0].startswith("areas/a0/index, areas/a1/index") and lines[0].endswith(" (data slice changed)")
    assert lines[1] == "factors (open source europol_context.csv changed)"
    assert lines[2] == "ocg/countries/c0 and 3 more (template changed)"
    assert lines[3] == "1 more page(s) (code changed (socta/pages/area.py))"
