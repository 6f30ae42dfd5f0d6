"""Execute the notebook grid with papermill: every crime area × country, plus the regional pages.

Templates are MyST Markdown notebooks (reviewable text, no outputs) under ``notebooks/``. For each
page the runner fills the markdown placeholders (``{{title}}``, ``{{t:Some heading}}``) through the
translation function, injects the parameters, executes with papermill and writes the executed
notebook into the edition's book source. An output is replaced only when its run succeeds, so a
failing notebook keeps the last good page and never erases the others.
"""
from __future__ import annotations

import multiprocessing
import os
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .config import NOTEBOOKS_DIR, REGION, Project
from .i18n import set_language, t
from .reference import Reference

PLACEHOLDER = re.compile(r"\{\{\s*(title|t:(?P<text>[^}]+))\s*\}\}")


@dataclass(frozen=True)
class Job:
    template: str            # relative to notebooks/
    output: str              # relative to the edition's book source, without suffix
    title: str
    parameters: dict = field(hash=False)

    @property
    def label(self) -> str:
        return self.output


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    failed_copy: str = ""


def grid(project: Project, audience: str, lang: str, processed_dir: Path,
         countries: list[str] | None = None, areas: list[str] | None = None) -> list[Job]:
    """Every page to execute: derived from the configuration, so a new country adds its pages."""
    ref = Reference(project)
    set_language(lang)
    first, last = project.years
    base = {"audience": audience, "lang": lang, "first_year": first, "last_year": last,
            "processed_dir": str(processed_dir), "data_dir": str(project.data_dir)}
    scopes = [c for c in ref.countries.index if countries is None or c in countries]
    region_wanted = countries is None or REGION in countries

    def scoped(template, folder, title_of, area=None):
        out = []
        for iso3 in scopes:
            slug = ref.countries.at[iso3, "slug"]
            out.append(Job(template, f"{folder}/countries/{slug}", title_of(t(ref.country_name(iso3))),
                           {**base, "scope": iso3, **({"area": area} if area else {})}))
        if region_wanted:
            out.append(Job(template, f"{folder}/index", title_of(t("Regional overview")),
                           {**base, "scope": REGION, **({"area": area} if area else {})}))
        return out

    jobs: list[Job] = []
    for area in ref.top_areas.index:
        if areas is not None and area not in areas:
            continue
        name = t(ref.areas.at[area, "name_en"])
        jobs += scoped(f"areas/{area}.md", f"areas/{area}", lambda s, name=name: f"{name} — {s}", area)
    if areas is None or "ocg" in areas:
        jobs += scoped("ocg.md", "ocg", lambda s: t("Organised crime groups — {scope}", scope=s))
    if areas is None and region_wanted:
        for template, output, title in (
            ("conclusions.md", "conclusions", t("Main conclusions")),
            ("methodology.md", "methodology", t("Methodology")),
            ("factors.md", "factors", t("Crime-relevant factors")),
            ("open_sources.md", "open_sources", t("Open-source context")),
            ("provenance.md", "annex/provenance", t("Data sources and provenance")),
        ):
            jobs.append(Job(template, output, title, {**base, "scope": REGION}))
    return jobs


def prepare(job: Job):
    """The template as a notebook, placeholders filled, kernel fixed to this environment's python3."""
    import jupytext

    set_language(job.parameters["lang"])
    nb = jupytext.read(NOTEBOOKS_DIR / job.template)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = PLACEHOLDER.sub(
                lambda m: job.title if m.group(1) == "title" else t(m.group("text").strip()), cell.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    return nb


def execute(job: Job, source_dir: str, failed_dir: str, timeout: int) -> Outcome:
    """Run one page; on success replace its output atomically, on failure keep the old one."""
    import nbformat
    import papermill

    start = time.perf_counter()
    target = Path(source_dir) / f"{job.output}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.running.ipynb")
    try:
        papermill.execute_notebook(
            prepare(job), str(tmp), parameters=job.parameters, kernel_name="python3",
            cwd=str(target.parent), progress_bar=False, log_output=False, execution_timeout=timeout,
            # the kernel's own log lines (TCP notice, shutdown chatter) are not the analyst's business
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        tmp.replace(target)
        return Outcome(job, True, time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - every failure is reported in the summary
        failed = Path(failed_dir) / f"{job.output}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            tmp.replace(failed)
        message = getattr(exc, "ename", type(exc).__name__) + ": " + str(getattr(exc, "evalue", exc)).strip()
        if not isinstance(exc, papermill.PapermillExecutionError):
            message += "\n" + traceback.format_exc(limit=3)
        else:
            message = f"cell {exc.exec_count}: {message}"
        return Outcome(job, False, time.perf_counter() - start, message.strip(), str(failed) if failed.exists() else "")
    finally:
        if tmp.exists():
            tmp.unlink()


def run_grid(jobs: list[Job], source_dir: Path, failed_dir: Path, workers: int = 2, timeout: int = 600,
             progress=None) -> list[Outcome]:
    """Execute ``jobs`` on a pool of ``workers`` processes (each starts its own kernels)."""
    outcomes: list[Outcome] = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx) as pool:
        futures = {pool.submit(execute, job, str(source_dir), str(failed_dir), timeout): job for job in jobs}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            if progress:
                progress(outcome, len(outcomes), len(jobs))
    return sorted(outcomes, key=lambda o: o.job.output)


def prune(source_dir: Path, jobs: list[Job]) -> list[Path]:
    """Remove executed pages no longer in the grid (a country taken out of the configuration)."""
    wanted = {Path(source_dir) / f"{job.output}.ipynb" for job in jobs}
    stale = [p for p in Path(source_dir).rglob("*.ipynb") if p not in wanted]
    for path in stale:
        path.unlink()
    return stale
