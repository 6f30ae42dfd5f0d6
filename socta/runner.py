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
  keeps the last good one and never erases the others; the failed copy with its traceback goes to
  the edition's ``failed/`` folder.
- **Parallel**: a pool of processes (each starts its own kernels) or a Dask cluster. Regional
  pages read the processed data, not the country pages, so the grid has no ordering constraints.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import NOTEBOOKS_DIR, OPEN_SOURCES_DIR, REGION, REPO_ROOT, Project, confined
from .i18n import set_language, t
from .reference import REFERENCE_FILES, Reference
from .training import TRAINING, lesson_jobs, processed_audience

PLACEHOLDER = re.compile(r"\{\{\s*(title|t:(?P<text>[^}]+))\s*\}\}")
SCOPE_COLUMNS = ("scope", "country", "iso3")
# processed tables only some pages read, and whole: they are in those pages' keys (``Job.tables``),
# not in every page's slice (a new robustness figure re-runs the conclusions, not the area pages)
READ_WHOLE = ("rank_robustness", "disclosure")
# what a page reads besides the code and the configuration
READS_DATA, READS_REFERENCE, READS_OPEN_SOURCES, READS_MANIFEST = "data", "reference", "open_sources", "manifest"
# the files of data/open_sources/ each template reads (socta.chapters opens them); a test checks that every
# file the package opens there is declared here, so a new one cannot slip out of the cache keys
OPEN_SOURCE_READS: dict[str, tuple[str, ...]] = {
    "factors.md": ("europol_context.csv",),
    "open_sources.md": ("sources.csv", "gitoc_organized_crime_index.csv", "frontex_western_balkan_route.csv"),
    "provenance.md": ("sources.csv",),
}


@dataclass(frozen=True)
class Job:
    template: str            # relative to notebooks/ (or an absolute path)
    output: str              # relative to the edition's book source, without suffix
    title: str
    parameters: dict = field(hash=False)
    reads: str = READS_DATA
    open_sources: tuple[str, ...] = ()   # files of data/open_sources/ the page reads
    tables: tuple[str, ...] = ()         # processed tables read whole, besides the slice ``reads`` says
    manifest: bool = False               # shows the input manifest (files, rows, checksums) of dataset.json

    @property
    def scope(self) -> str:
        return self.parameters.get("scope", REGION)

    @property
    def area(self) -> str | None:
        return self.parameters.get("area")


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    failed_copy: str = ""
    skipped: bool = False    # up to date: not executed


def grid(project: Project, audience: str, lang: str, processed_dir: Path,
         countries: list[str] | None = None, areas: list[str] | None = None) -> list[Job]:
    """Every page to execute: derived from the configuration, so a new country adds its pages.

    The training edition (``audience="training"``) is one page per lesson of ``socta.training``."""
    ref = Reference(project)
    set_language(lang)
    first, last = project.years
    base = {"audience": audience, "lang": lang, "first_year": first, "last_year": last,
            "processed_dir": str(processed_dir), "data_dir": str(project.data_dir)}
    if audience == TRAINING:
        return lesson_jobs(base, countries, areas)
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
        jobs += scoped("area.md", f"areas/{area}", lambda s, name=name: f"{name} — {s}", area)
    if areas is None or "ocg" in areas:
        jobs += scoped("ocg.md", "ocg", lambda s: t("Organised crime groups — {scope}", scope=s))
    if areas is None and region_wanted:
        for template, output, title, reads, extra in (
            ("conclusions.md", "conclusions", t("Main conclusions"), READS_DATA, {"tables": ("rank_robustness",)}),
            # the configuration, and whether any area could be scored (area_scores)
            ("methodology.md", "methodology", t("Methodology"), READS_REFERENCE, {"tables": ("area_scores", "disclosure")}),
            ("factors.md", "factors", t("Crime-relevant factors"), READS_DATA, {}),
            ("open_sources.md", "open_sources", t("Open-source context"), READS_OPEN_SOURCES, {}),
            ("provenance.md", "annex/provenance", t("Data sources and provenance"), READS_DATA, {"manifest": True}),
        ):
            jobs.append(Job(template, output, title, {**base, "scope": REGION}, reads,
                            open_sources=OPEN_SOURCE_READS.get(template, ()), **extra))
    return jobs


# ---- cache keys ----------------------------------------------------------------------------
#
# A page's key is a small JSON object of named digests, one per thing the page reads. It is recorded
# beside the executed page; comparing the recorded object with today's says which of them changed.

KEY_FORMAT = 2            # keys before it were one opaque hash: such a page is stale, and says so
OLD_KEY_REASON = "recorded before per-input keys"
CATALOGUE_SUFFIXES = (".po", ".pot", ".mo")
# header lines that `make messages` and translation editors rewrite without changing any message
_VOLATILE_CATALOGUE_LINE = re.compile(rb'^"(?:POT-Creation-Date|PO-Revision-Date):[^\n]*\n', re.MULTILINE)


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def _template_path(job: Job) -> Path:
    return Path(job.template) if Path(job.template).is_absolute() else NOTEBOOKS_DIR / job.template


def code_files() -> list[Path]:
    """The package code and the pinned requirements."""
    return sorted((REPO_ROOT / "socta").rglob("*.py")) + [REPO_ROOT / "requirements.txt"]


def code_fingerprint() -> str:
    """The package code and the pinned requirements as one digest (recorded with the processed tables)."""
    return _sha(*(p.read_bytes() for p in code_files() if p.is_file()))


def code_digests() -> dict[str, str]:
    """Each file of the package code and the requirements, by its path in the repository."""
    return {p.relative_to(REPO_ROOT).as_posix(): _file_digest(p) for p in code_files() if p.is_file()}


def _reference_names() -> list[str]:
    return [*REFERENCE_FILES, "settings.yaml", "gitoc_components.csv"]


def reference_fingerprint(project: Project) -> str:
    names = _reference_names()
    return _sha(*(name + project.reference_path(name).read_bytes().hex() for name in names
                  if project.reference_path(name).is_file()))


def reference_digests(project: Project) -> dict[str, str]:
    """Each reference file in force (the data folder's copy, else the repository's), by name."""
    return {name: _file_digest(project.reference_path(name)) for name in _reference_names()}


def _base_language(name: str) -> str:
    return re.split(r"[_.@-]", name, maxsplit=1)[0].lower()


def catalogue_digests(lang: str) -> dict[str, str]:
    """The translation catalogues an edition in ``lang`` depends on, by path under ``socta/locale``:
    the template (``socta.pot``) and the language's own ``.po``/``.mo`` files (``<lang>[_XX]/LC_MESSAGES``).
    Another language's catalogue is not in the key."""
    from . import i18n  # read at call time: the catalogue folder is what the pages' t() reads

    root = Path(i18n.LOCALE_DIR)
    found: dict[str, str] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in CATALOGUE_SUFFIXES:
            continue
        rel = path.relative_to(root)
        if len(rel.parts) > 1 and _base_language(rel.parts[0]) != _base_language(lang):
            continue
        data = path.read_bytes()
        if path.suffix != ".mo":
            data = _VOLATILE_CATALOGUE_LINE.sub(b"", data)
        found[rel.as_posix()] = hashlib.sha256(data).hexdigest()
    if (root / "languages.yaml").is_file() and lang in i18n.languages():
        # the language's entry (its Babel locale formats the numbers); not its review state, which only
        # the book's banner shows
        entry = {k: v for k, v in i18n.spec(lang).items() if k != "reviewed"}
        found[f"languages.yaml#{lang}"] = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()
    return found


def open_source_files(job: Job) -> tuple[str, ...]:
    """The files of ``data/open_sources/`` a page reads: those it declares; a page that reads open
    sources without declaring which depends on every file there."""
    if job.open_sources:
        return tuple(job.open_sources)
    if job.reads == READS_OPEN_SOURCES:
        return tuple(sorted(p.name for p in OPEN_SOURCES_DIR.glob("*.csv")))
    return ()


def open_source_digests(names) -> dict[str, str]:
    return {name: _file_digest(OPEN_SOURCES_DIR / name) for name in names}


def _mask(frame: pd.DataFrame, scope: str, area: str | None):
    """The rows a page for ``scope`` (and ``area``) can see: its country's and its area's."""
    import numpy as np

    mask = np.ones(len(frame), dtype=bool)
    if scope != REGION:
        columns = [c for c in SCOPE_COLUMNS if c in frame.columns]
        if columns:
            mask &= frame[columns[0]].eq(scope).to_numpy()
        elif {"a", "b"} <= set(frame.columns):
            mask &= (frame["a"].eq(scope) | frame["b"].eq(scope)).to_numpy()
    if area is not None and "area" in frame.columns:
        mask &= frame["area"].eq(area).to_numpy()
    return mask


class DataDigests:
    """Digests of the processed tables, sliced per page: each row is hashed once, a slice sums its rows."""

    def __init__(self, processed_dir: Path):
        self.dir = Path(processed_dir)
        self.tables = {p.stem: pd.read_parquet(p) for p in sorted(self.dir.glob("*.parquet"))}
        self.row_hashes = {name: pd.util.hash_pandas_object(frame, index=False).to_numpy()
                           for name, frame in self.tables.items()}
        meta = json.loads((self.dir / "dataset.json").read_text(encoding="utf-8"))
        self.dataset = json.dumps(meta.get("dataset", {}), sort_keys=True, default=str)
        self.manifest = json.dumps(meta, sort_keys=True, default=str)
        inputs = meta.get("inputs", [])
        # what every page may ask (Page.has_input), and what the provenance annex shows in full
        self.inputs_present = json.dumps(sorted((f["file"], not f.get("absent")) for f in inputs))
        self.inputs = json.dumps(inputs, sort_keys=True, default=str)
        self._cache: dict = {}

    def _digest(self, name: str, mask) -> str:
        # wrapping uint64 sum: order-free, and any changed row changes it
        total = int(self.row_hashes[name][mask].sum(dtype="uint64"))
        return f"{name}:{int(mask.sum())}:{total}"

    def of(self, scope: str, area: str | None) -> str:
        """The slice of every processed table a page for ``scope`` and ``area`` reads."""
        key = (scope, area)
        if key not in self._cache:
            self._cache[key] = _sha(*(self._digest(name, _mask(frame, scope, area))
                                      for name, frame in self.tables.items() if name not in READ_WHOLE))
        return self._cache[key]

    def whole(self, name: str) -> str:
        """One processed table, every row."""
        if name not in self.tables:
            return "missing"
        import numpy as np

        return _sha(self._digest(name, np.ones(len(self.tables[name]), dtype=bool)))


class KeyContext:
    """What the keys of one grid share, computed once: code, reference files, catalogues, data digests."""

    def __init__(self, project: Project, processed_dir: Path):
        self.digests = DataDigests(processed_dir)
        self.code = code_digests()
        self.reference = reference_digests(project)
        self._catalogues: dict[str, dict[str, str]] = {}

    def catalogue(self, lang: str) -> dict[str, str]:
        if lang not in self._catalogues:
            self._catalogues[lang] = catalogue_digests(lang)
        return self._catalogues[lang]


def key_components(job: Job, context: KeyContext) -> dict:
    """Everything a page reads, as named digests: the key that decides whether it must run again."""
    digests = context.digests
    # absolute paths say where, not what: they stay out of the key
    params = {k: v for k, v in job.parameters.items() if k not in ("processed_dir", "data_dir")}
    components = {
        "format": KEY_FORMAT,
        "template": _file_digest(_template_path(job)),
        "parameters": _sha(json.dumps(params, sort_keys=True, default=str), job.title, job.reads),
        "code": context.code,
        "reference": context.reference,
        "catalogue": context.catalogue(str(job.parameters.get("lang", "en"))),
        "dataset": _sha(digests.dataset),
        "inputs": _sha(digests.inputs if job.manifest else digests.inputs_present),
    }
    if job.reads == READS_DATA:
        components["data"] = digests.of(job.scope, job.area)
    elif job.reads == READS_MANIFEST:
        components["data"] = _sha(digests.manifest)
    if job.tables:
        components["tables"] = {name: digests.whole(name) for name in job.tables}
    names = open_source_files(job)
    if names:
        components["open_sources"] = open_source_digests(names)
    return components


def encode_key(components: dict) -> str:
    """A key as recorded in ``.<page>.key``: one line of canonical JSON (equal keys, equal text)."""
    return json.dumps(components, sort_keys=True, separators=(",", ":"))


def job_key(job: Job, context: KeyContext) -> str:
    """The key that decides whether a page must be executed again."""
    return encode_key(key_components(job, context))


def output_path(folder: Path, job: Job) -> Path:
    """Where a page's notebook goes in ``folder`` (the edition's source, or its ``failed/``), refused
    (:class:`~socta.config.OutsideFolder`) if the page's name would lead out of it."""
    return confined(folder, f"{job.output}.ipynb", what=f"the page {job.output!r}")


def check_outputs(jobs: list[Job], *folders: Path) -> None:
    """Every page of the grid resolves inside each of ``folders``: checked before anything runs, so that
    a bad name stops the run with its message instead of failing in a worker."""
    for job in jobs:
        for folder in folders:
            output_path(folder, job)


def key_path(source_dir: Path, job: Job) -> Path:
    target = output_path(source_dir, job)
    return target.with_name(f".{target.stem}.key")


def recorded_key(source_dir: Path, job: Job) -> str | None:
    path = key_path(source_dir, job)
    target = output_path(source_dir, job)
    return path.read_text(encoding="utf-8").strip() if path.is_file() and target.is_file() else None


def keys_for(project: Project, jobs: list[Job], processed_dir: Path) -> dict[str, str]:
    context = KeyContext(project, processed_dir)
    return {job.output: job_key(job, context) for job in jobs}


def _listed(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _changed_entries(old, new) -> list[str]:
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    return sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))


_DESCRIBE_ONE = {
    "template": "template changed",
    "parameters": "parameters changed",
    "dataset": "dataset.yaml (name, description) changed",
    "inputs": "input files (list or checksums) changed",
    "data": "data slice changed",
}
_DESCRIBE_EACH = {  # component: (singular, plural)
    "code": ("code", "code"),
    "reference": ("reference file", "reference files"),
    "catalogue": ("catalogue", "catalogues"),
    "open_sources": ("open source", "open sources"),
    "tables": ("processed table", "processed tables"),
}
_ORDER = ["template", "parameters", "data", "tables", "dataset", "inputs", "open_sources", "reference", "catalogue",
          "code"]


def key_changes(recorded: str, current: str) -> list[str]:
    """What changed between a recorded key and today's, in words, e.g. ``open source europol_context.csv
    changed``. Empty when they are equal."""
    if recorded == current:
        return []
    try:
        old = json.loads(recorded)
    except ValueError:
        old = None
    if not isinstance(old, dict) or "format" not in old:
        return [OLD_KEY_REASON]
    new = json.loads(current)
    if old.get("format") != new.get("format"):
        return [f"recorded by a socta with key format {old.get('format')}"]
    reasons = []
    for name in _ORDER + sorted((set(old) | set(new)) - set(_ORDER) - {"format"}):
        if old.get(name) == new.get(name):
            continue
        if name in _DESCRIBE_EACH:
            singular, plural = _DESCRIBE_EACH[name]
            entries = _changed_entries(old.get(name), new.get(name))
            if not entries:
                reasons.append(f"{plural} changed")
            elif name == "code":
                reasons.append(f"code changed ({_listed(entries)})")
            else:
                reasons.append(f"{singular if len(entries) == 1 else plural} {_listed(entries)} changed")
        else:
            reasons.append(_DESCRIBE_ONE.get(name, f"{name} changed"))
    return reasons or ["key changed"]


# ---- execution -----------------------------------------------------------------------------

def prepare(job: Job):
    """The template as a notebook, placeholders filled, kernel fixed to this environment's python3."""
    import jupytext

    from .markup import inert

    set_language(job.parameters["lang"])
    template = Path(job.template) if Path(job.template).is_absolute() else NOTEBOOKS_DIR / job.template
    nb = jupytext.read(template)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
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
      above its results in the HTML (the PDF drops code altogether: ``socta.build``).

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
        if VISIBILITY_TAGS & set(tags) or audience == TRAINING:
            continue
        metadata["tags"] = tags + ["remove-input" if setup else "hide-input"]
    return nb


def find_job(jobs: list[Job], scope: str, page: str) -> Job:
    """The page of the grid for ``scope`` (ISO3 or "region") and ``page`` (a crime area, "ocg", or a
    regional chapter such as "conclusions"); a clear error names what exists."""
    for job in jobs:
        chapter = job.output.split("/")[0]
        if job.scope.lower() == scope.lower() and (job.area == page or chapter == page or job.output == page):
            return job
    pages = sorted({j.area or j.output.split("/")[0] for j in jobs})
    raise ValueError(f"no page {page!r} for {scope!r}: pages are {', '.join(pages)}; scopes are the ISO3 codes of "
                     "the countries and 'region' (regional chapters such as conclusions exist for the region only)")


def working_copy(job: Job, with_solutions: bool = False):
    """A notebook an analyst can open in JupyterLab, run cell by cell and change: the template with its
    placeholders filled and the page's parameters injected (as papermill does), showing figures and
    tables inline instead of as the book's numbered figures. A training lesson becomes a trainee's copy:
    an empty answer cell in place of each solution, unless ``with_solutions`` (a trainer's copy)."""
    import nbformat
    from papermill.translators import PythonTranslator

    from .training import TRAINING, trainee_copy

    nb = prepare(job)
    if job.parameters.get("audience") == TRAINING:
        nb = trainee_copy(nb, with_solutions)
    at = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), 0)
    injected = nbformat.v4.new_code_cell(
        "# Parameters of this page, as `socta run` injects them (papermill's injected-parameters cell)\n"
        + PythonTranslator.codify(dict(job.parameters)), metadata={"tags": ["injected-parameters"]})
    switch = nbformat.v4.new_code_cell(
        "# This copy shows figures and tables inline, as JupyterLab does; the book numbers and captions them.\n"
        "from socta.render import use_jupyter_output\n\nuse_jupyter_output()")
    nb.cells[at:at] = [injected, switch]
    return nb


def execute_notebook(job: Job, timeout: int, cwd: str) -> tuple[bool, str, str, float]:
    """Run one page wherever this is called (a local worker or a Dask worker).

    Returns (ok, the executed notebook as JSON text, the error, seconds); nothing is written.
    """
    import tempfile

    import papermill

    from . import kernels

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
                engine_name=kernels.ENGINE if warm else None,  # this worker's warm kernel (socta/kernels.py)
                extra_arguments=kernels.KERNEL_ARGS,
            )
            return True, out.read_text(encoding="utf-8"), "", time.perf_counter() - start
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
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    folders = [job.parameters.get(name) for name in ("processed_dir", "data_dir")]
    for folder in sorted((f for f in folders if f and Path(f).is_absolute()), key=len, reverse=True):
        text = text.replace(str(folder), neutral_path(folder))  # longest first: one may contain the other
    return text


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
        if not force and key and recorded_key(source_dir, job) == key:
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
    """The processes that execute pages, each with its warm kernel (socta/kernels.py).

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
            from . import kernels

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
    from distributed import Client, as_completed as dask_completed

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
    from .processing import PROVENANCE_FILES, inputs_fingerprint
    from .validation import INPUT_FILES

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


def stale_report(project: Project, audience: str, lang: str) -> list[StalePage]:
    """Pages of the edition whose inputs changed since they were executed (or that were never run),
    each with what changed: its template, its data slice, a file of the data folder since `socta
    validate`, the code, a reference file, a catalogue, an open-source file."""
    processed = project.processed_dir(processed_audience(audience))
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
    keys = keys_for(project, jobs, processed)
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


def stale_pages(project: Project, audience: str, lang: str) -> list[str]:
    """Pages of the edition whose inputs changed since they were executed (or that were never run)."""
    return [page.output for page in stale_report(project, audience, lang)]


def describe_stale(report: list[StalePage], limit: int = 12) -> list[str]:
    """Lines naming the pages out of date, grouped by why, the first ``limit`` pages by name and a
    count of the others: ``factors (open source europol_context.csv changed)``."""
    groups: dict[str, list[str]] = {}
    for page in report:
        groups.setdefault("; ".join(page.reasons), []).append(page.output)
    lines, budget = [], limit
    for reason, pages in groups.items():
        shown = pages[:budget]
        budget -= len(shown)
        if shown:
            rest = len(pages) - len(shown)
            lines.append(", ".join(shown) + (f" and {rest} more" if rest else "") + f" ({reason})")
        else:
            lines.append(f"{len(pages)} more page(s) ({reason})")
    return lines
