"""Execute the notebook grid with papermill: every crime area × country, plus the regional pages.

Templates are MyST Markdown notebooks (reviewable text, no outputs) under ``notebooks/``. For each
page the runner fills the markdown placeholders (``{{title}}``, ``{{t:Some heading}}``) through the
translation function, injects the parameters, executes with papermill and writes the executed
notebook into the edition's book source.

- **Incremental**: each page has a cache key made of named digests of everything it reads: its
  template, its parameters, the package code and the requirements (per file), each reference file,
  the translation catalogues of its language, the dataset description, the slice of the processed
  data it reads (its country, its crime area), the processed tables it reads whole and the open-source
  files it reads. The key is recorded beside the output (``.<page>.key``, a small JSON object); a page
  whose key is unchanged is not executed again (``force`` re-runs all), and ``socta build`` names,
  for every page out of date, which of these changed (:func:`stale_report`).
- **Nothing lost**: an output is replaced (atomically) only when its run succeeds, so a failing page
  never erases the others; the failed copy with its traceback goes to the edition's ``failed/``
  folder. ``socta run`` then puts a stand-in in the book that says the page failed and why, and moves
  the last good page beside the failed copy (:func:`write_stand_in`).
- **Parallel**: a pool of processes (each starts its own kernels) or a Dask cluster. Regional
  pages read the processed data, not the country pages, so the grid has no ordering constraints.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from socta.core.config import REPO_ROOT
from socta.core.edition import PUBLIC, Edition
from socta.core.markup import inert
from socta.i18n.translate import set_language, t
from socta.process.fingerprints import _sha
from socta.run import kernels
from socta.run.jobs import (
    NARRATIVE_EMPTY,
    NARRATIVE_MARKER,
    NARRATIVE_PLACE,
    PLACEHOLDER,
    STAND_IN,
    Job,
    Outcome,
    is_stand_in,
    output_path,
)
from socta.run.keys import key_path, recorded_key, up_to_date
from socta.run.training import trainee_copy


def prepare(job: Job):
    """The template as a notebook, placeholders filled, kernel fixed to this environment's python3."""
    import jupytext

    set_language(job.parameters["lang"])
    nb = jupytext.read(job.template_path)
    for cell in nb.cells:
        narrative = NARRATIVE_PLACE.fullmatch(cell.source.strip()) if cell.cell_type == "markdown" else None
        if narrative:  # where analysts' text goes: filled when the edition is staged (socta.narrative.place)
            cell.source, cell.metadata[NARRATIVE_MARKER] = NARRATIVE_EMPTY, narrative.group(1)
        elif cell.cell_type == "markdown":
            cell.source = PLACEHOLDER.sub(
                lambda m: inert(job.title) if m.group(1) == "title" else t(m.group("text").strip()), cell.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    code_visibility(nb, job.parameters.get("audience", ""))
    return nb


# cell tags by which a template decides itself how its code shows (MyST-NB's, both spellings)
VISIBILITY_TAGS = {"remove-cell", "remove_cell", "remove-input", "remove_input", "hide-input", "hide-cell",
                   "hide_input", "hide_cell"}


PARAMETER_TAGS = {"parameters", "injected-parameters"}


def code_visibility(nb, audience: str):
    """Tag the code cells for the book, so that every template shows its code alike (MyST-NB tags):

    - the ``parameters`` cell and papermill's ``injected-parameters`` cell: ``remove-cell``;
    - the setup cell (the first code cell after the parameters: imports, the page object, the
      banner): ``remove-input``, its outputs stay;
    - every other code cell: ``hide-input``, its code folded behind a "Show code cell source" toggle
      above its results in the HTML (the PDF drops code altogether: ``socta.book.extension``).

    In the training edition only the parameter cells are removed; the rest of the code shows.
    A cell the template already tags with one of ``VISIBILITY_TAGS`` keeps its own choice. Works on
    an nbformat notebook and on its JSON as a dict; applying it twice changes nothing.
    """
    seen_parameters = setup_done = False
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        metadata = cell.setdefault("metadata", {})
        tags = list(metadata.get("tags", []))
        if PARAMETER_TAGS & set(tags):
            seen_parameters = True
            if "remove-cell" not in tags:
                metadata["tags"] = tags + ["remove-cell"]
            continue
        setup = seen_parameters and not setup_done
        setup_done = setup_done or seen_parameters
        if VISIBILITY_TAGS & set(tags) or Edition(audience).shows_code:
            continue
        metadata["tags"] = tags + ["remove-input" if setup else "hide-input"]
    return nb


def _conditional(source: str) -> bool:
    lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith(("#", "%"))]
    return bool(lines) and lines[0].startswith("if ")


def remove_silent_cells(text: str, audience: str) -> str:
    """An executed page's folded code cells that show something only under a condition (``if`` …) and
    printed nothing are removed from the book: each would show a "Show code cell source" toggle over
    nothing (a restricted-only table in the public edition, a region-only cell on a country page). A
    silent cell that prepares what a later cell draws stays: it is part of the code behind the figure.
    Where the code shows (training), every cell stays."""
    if Edition(audience).shows_code:
        return text
    nb = nbformat.reads(text, as_version=4)
    silent = [cell for cell in nb.cells if cell.cell_type == "code" and not cell.get("outputs")
              and "hide-input" in cell.get("metadata", {}).get("tags", []) and _conditional(cell.source)]
    for cell in silent:
        cell.metadata["tags"] = [tag for tag in cell.metadata["tags"] if tag != "hide-input"] + ["remove-cell"]
    if not silent:
        return text
    written = nbformat.writes(nb)
    return written if written.endswith("\n") else written + "\n"


def working_copy(job: Job, with_solutions: bool = False):
    """A notebook an analyst can open in JupyterLab, run cell by cell and change: the template with its
    placeholders filled and the page's parameters injected (as papermill does), showing figures and
    tables inline instead of as the book's numbered figures. A training lesson becomes a trainee's copy:
    an empty answer cell in place of each solution, unless ``with_solutions`` (a trainer's copy)."""
    from papermill.translators import PythonTranslator

    nb = prepare(job)
    if Edition(job.parameters.get("audience", PUBLIC)).is_training:
        nb = trainee_copy(nb, with_solutions)
    at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), 0)
    injected = nbformat.v4.new_code_cell(
        "# Parameters of this page, as `socta run` injects them (papermill's injected-parameters cell)\n"
        + PythonTranslator.codify(dict(job.parameters)), metadata={"tags": ["injected-parameters"]})
    switch = nbformat.v4.new_code_cell(
        "# This copy shows figures and tables inline, as JupyterLab does; the book numbers and captions them.\n"
        "from socta.pages.render import use_jupyter_output\n\nuse_jupyter_output()")
    nb.cells[at:at] = [injected, switch]
    return nb


def execute_notebook(job: Job, timeout: int, cwd: str) -> tuple[bool, str, str, float]:
    """Run one page wherever this is called (a local worker or a Dask worker).

    Returns (ok, the executed notebook as JSON text, the error, seconds); nothing is written.
    """
    import tempfile

    import papermill

    warm = not kernels.fresh_kernels()
    if warm:
        kernels.register_engine()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="socta-run-") as tmp:
        out = Path(tmp) / "page.ipynb"
        # notebooks take absolute paths; a worker without the output folder runs in a scratch one
        cwd = cwd if Path(cwd).is_dir() else tmp
        try:
            papermill.execute_notebook(
                prepare(job), str(out), parameters=job.parameters, kernel_name="python3", cwd=cwd,
                progress_bar=False, log_output=False, execution_timeout=timeout,
                request_save_on_cell_execute=False,  # the notebook is read once, at the end
                engine_name=kernels.ENGINE if warm else None,  # this worker's warm kernel (socta/run/kernels.py)
                extra_arguments=kernels.KERNEL_ARGS,
            )
            text = remove_silent_cells(out.read_text(encoding="utf-8"), str(job.parameters.get("audience", "")))
            return True, text, "", time.perf_counter() - start
        except Exception as exc:  # noqa: BLE001 - every failure is reported in the summary
            if isinstance(exc, papermill.PapermillExecutionError):
                error = f"cell {exc.exec_count}: {exc.ename}: {str(exc.evalue).strip()}"
            else:
                error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
            text = out.read_text(encoding="utf-8") if out.exists() else ""
            return False, text, error.strip(), time.perf_counter() - start


def neutral_path(path: str) -> str:
    """A folder as a published page may name it: relative to the repository when inside it, else by its
    own name only. The build machine's layout is nobody's business and would leak into the book."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return resolved.name


def without_machine_paths(text: str, job: Job) -> str:
    """The executed notebook with the absolute folders papermill recorded (the injected parameters,
    its metadata, the scratch output path) replaced by neutral names. Failed copies keep them: they
    stay on the machine, for whoever debugs the run."""
    nb = json.loads(text)
    code_visibility(nb, job.parameters.get("audience", ""))  # papermill's injected cell: removed from the book
    papermill_meta = nb.get("metadata", {}).get("papermill", {})
    papermill_meta["output_path"] = f"{job.output}.ipynb"
    papermill_meta.pop("input_path", None)  # the whole template again, with nothing the page lacks
    return neutral_folders(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", job)


def neutral_folders(text: str, job: Job) -> str:
    """``text`` with the job's absolute data and processed folders replaced by neutral names."""
    folders = [job.parameters.get(name) for name in ("processed_dir", "data_dir")]
    for folder in sorted((f for f in folders if f and Path(f).is_absolute()), key=len, reverse=True):
        text = text.replace(str(folder), neutral_path(folder))  # longest first: one may contain the other
    return text


def previous_copy(failed_dir: Path, job: Job) -> Path:
    """Where a failed page's last good version is kept while the book shows its stand-in."""
    failed = output_path(failed_dir, job)
    return failed.with_name(f"{failed.stem}.previous.ipynb")


def write_stand_in(job: Job, source_dir: Path, failed_dir: Path, error: str) -> Path:
    """After a page failed: put a page in the book that says so and why, in the edition's language.

    Without it a page that failed on its first run has no file and the table of contents drops its
    whole chapter (the country pages that ran fine with it), and one that failed later shows figures
    of the data before, beside pages of the data now. Nothing is lost: the last good page moves to
    ``failed/<page>.previous.ipynb``, the failed run with its traceback is beside it, and the page's
    key is removed, so the next run executes it again.
    """
    target = output_path(source_dir, job)
    if target.is_file() and not is_stand_in(target):
        keep = previous_copy(failed_dir, job)
        keep.parent.mkdir(parents=True, exist_ok=True)
        target.replace(keep)
    key_path(source_dir, job).unlink(missing_ok=True)
    set_language(job.parameters.get("lang", "en"))
    reason = inert(neutral_folders(error.strip().splitlines()[0] if error.strip() else "", job))[:400]
    body = t("This page could not be built from the data now in force, so it shows none of its figures, tables or "
             "judgements. The rest of the assessment was built. What stopped it: {reason}", reason=reason)
    nb = nbformat.v4.new_notebook(metadata={"socta": {STAND_IN: True, "error": reason},
                                            "kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {inert(job.title)}"),
                nbformat.v4.new_markdown_cell(f"```{{warning}}\n{body}\n```")]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp")
    tmp.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target


def write_result(job: Job, source_dir: Path, failed_dir: Path, key: str | None, ok: bool, text: str,
                 error: str, seconds: float) -> Outcome:
    """Put a finished run in place: success replaces the page atomically, failure keeps the old one."""
    target = output_path(source_dir, job)
    if ok:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp")
        tmp.write_text(without_machine_paths(text, job), encoding="utf-8")
        tmp.replace(target)
        if key:
            key_file = key_path(source_dir, job)
            key_tmp = key_file.with_name(key_file.name + ".tmp")
            key_tmp.write_text(key + "\n", encoding="utf-8")
            key_tmp.replace(key_file)
        # an earlier failure of this page is over: failed/ holds only the pages failing now
        output_path(failed_dir, job).unlink(missing_ok=True)
        previous_copy(failed_dir, job).unlink(missing_ok=True)
        return Outcome(job, True, seconds)
    failed = output_path(failed_dir, job)
    if text:
        failed.parent.mkdir(parents=True, exist_ok=True)
        failed.write_text(text, encoding="utf-8")
    return Outcome(job, False, seconds, error, str(failed) if text else "")


def execute(job: Job, source_dir: str, failed_dir: str, timeout: int, key: str | None = None) -> Outcome:
    """Run one page and put the result in place (what a local pool worker does)."""
    target = output_path(source_dir, job)
    target.parent.mkdir(parents=True, exist_ok=True)
    ok, text, error, seconds = execute_notebook(job, timeout, str(target.parent))
    return write_result(job, Path(source_dir), Path(failed_dir), key, ok, text, error, seconds)


def run_grid(jobs: list[Job], source_dir: Path, failed_dir: Path, workers: int = 2, timeout: int = 600,
             progress=None, keys: dict[str, str] | None = None, force: bool = False,
             scheduler: str | None = None, pool: WorkerPool | None = None) -> list[Outcome]:
    """Execute the pages whose key changed (all with ``force``), on a local pool (``pool``, or one
    of its own) or a Dask cluster.

    ``progress(outcome, done, total)`` is called as each page finishes (skipped pages included).
    Ctrl-C cancels what has not started, stops the kernels and leaves every page whole.
    """
    keys = keys or {}
    outcomes: list[Outcome] = []
    todo = []
    for job in jobs:
        key = keys.get(job.output)
        if not force and key and up_to_date(recorded_key(source_dir, job), key):
            outcomes.append(Outcome(job, True, 0.0, skipped=True))
        else:
            todo.append(job)
    total = len(jobs)
    if progress:
        for i, outcome in enumerate(outcomes, start=1):
            progress(outcome, i, total)
    if not todo:
        return sorted(outcomes, key=lambda o: o.job.output)
    if scheduler:
        outcomes += _run_dask(todo, Path(source_dir), Path(failed_dir), timeout, keys, scheduler, progress,
                              len(outcomes), total)
    else:
        outcomes += _run_local(todo, Path(source_dir), Path(failed_dir), workers, timeout, keys, progress,
                               len(outcomes), total, pool)
    return sorted(outcomes, key=lambda o: o.job.output)


class WorkerPool:
    """The processes that execute pages, each with its warm kernel (socta/run/kernels.py).

    Started on the first use, or ahead of it with :meth:`warm`: ``socta run`` warms the pool as soon
    as the data are valid, so the kernels start and import the analysis stack while the processed
    tables are computed, not after. One pool serves every language of ``socta report --lang all``.
    """

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._executor: ProcessPoolExecutor | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:

            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=kernels.prestart)
        return self._executor

    def warm(self) -> None:
        """Start every worker (and so its kernel) now, in the background."""
        for _ in range(self.workers):  # a process per task submitted while none is idle
            self.executor.submit(os.getpid)

    def close(self, cancel: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=not cancel, cancel_futures=cancel)
            self._executor = None


def _run_local(jobs, source_dir, failed_dir, workers, timeout, keys, progress, done, total,
               pool: WorkerPool | None = None) -> list[Outcome]:
    outcomes = []
    own = pool is None
    pool = pool or WorkerPool(min(workers, len(jobs)))
    try:
        futures = {pool.executor.submit(execute, job, str(source_dir), str(failed_dir), timeout,
                                        keys.get(job.output)): job for job in jobs}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            done += 1
            if progress:
                progress(outcome, done, total)
    except KeyboardInterrupt:
        pool.close(cancel=True)
        raise
    if own:
        pool.close()
    return outcomes


def _run_dask(jobs, source_dir, failed_dir, timeout, keys, scheduler, progress, done, total) -> list[Outcome]:
    """Run on a Dask cluster; the workers return the executed notebooks, written here by the client.

    The workers need this package and the processed data at the same path (a shared file system,
    or the same machine).
    """
    from distributed import Client
    from distributed import as_completed as dask_completed

    outcomes = []
    with Client(scheduler) as client:
        futures = {}
        for job in jobs:
            cwd = str((Path(source_dir) / job.output).parent)
            futures[client.submit(execute_notebook, job, timeout, cwd,
                                  key=f"socta-{job.output}-{_sha(keys.get(job.output, ''))[:12]}", pure=False)] = job
        for future in dask_completed(futures):
            job = futures[future]
            ok, text, error, seconds = future.result()
            outcome = write_result(job, Path(source_dir), Path(failed_dir), keys.get(job.output), ok, text, error, seconds)
            outcomes.append(outcome)
            done += 1
            if progress:
                progress(outcome, done, total)
    return outcomes


def prune(source_dir: Path, jobs: list[Job]) -> list[Path]:
    """Remove executed pages no longer in the grid (a country taken out of the configuration)."""
    wanted = {Path(source_dir) / f"{job.output}.ipynb" for job in jobs}
    stale = [p for p in Path(source_dir).rglob("*.ipynb") if p not in wanted]
    for path in stale:
        path.unlink()
        key_file = path.with_name(f".{path.stem}.key")
        if key_file.exists():
            key_file.unlink()
    return stale
