"""The grid of jobs: one job per page × scope (a country or the region) of an edition, with what
each page reads, and where its executed notebook goes."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from socta.core.config import NOTEBOOKS_DIR, REGION, Project, confined
from socta.core.edition import Edition
from socta.i18n.translate import set_language, t, use_data_names
from socta.ingest.reference import Reference
from socta.run.training import LESSONS

PLACEHOLDER = re.compile(r"\{\{\s*(title|t:(?P<text>[^}]+))\s*\}\}")

# a markdown cell of a template that holds only this is where the analysts' sections of that place go
NARRATIVE_PLACE = re.compile(r"\{\{\s*narrative:\s*(top|analysis|end)\s*\}\}")
NARRATIVE_MARKER = "socta_narrative"   # the metadata of such a cell in the executed notebook: its place
NARRATIVE_EMPTY = "% narrative"        # its source until staging fills it: a MyST comment, which shows nothing

SCOPE_COLUMNS = ("scope", "country", "iso3")


# processed tables only some pages read, and whole: they are in those pages' keys (``Job.tables``),
# not in every page's slice (a new robustness figure re-runs the conclusions, not the area pages)
READ_WHOLE = ("rank_robustness", "disclosure")


# what a page reads besides the code and the configuration
READS_DATA, READS_REFERENCE, READS_OPEN_SOURCES, READS_MANIFEST = "data", "reference", "open_sources", "manifest"


# the files of data/open_sources/ each template reads (socta.pages opens them); a test checks that every
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

    @property
    def template_path(self) -> Path:
        """The template's file: ``template`` under notebooks/, or as given when absolute."""
        return Path(self.template) if Path(self.template).is_absolute() else NOTEBOOKS_DIR / self.template


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

    The training edition (``audience="training"``) is one page per lesson of ``socta.run.training``."""
    ref = Reference(project)
    set_language(lang)
    use_data_names(lang, ref.data_names(lang))  # an area the data folder adds has its title in the language
    first, last = project.years
    base = {"audience": audience, "lang": lang, "first_year": first, "last_year": last,
            "processed_dir": str(processed_dir), "data_dir": str(project.data_dir)}
    if Edition(audience, lang).is_training:
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


STAND_IN = "stand_in"  # the notebook metadata key (under "socta") that marks a page standing in for one that failed


def is_stand_in(path: Path) -> bool:
    """Whether the notebook at ``path`` is a stand-in for a page whose last run failed."""
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("socta", {}).get(STAND_IN))
    except (OSError, ValueError, AttributeError):
        return False


def output_path(folder: Path, job: Job) -> Path:
    """Where a page's notebook goes in ``folder`` (the edition's source, or its ``failed/``), refused
    (:class:`~socta.core.config.OutsideFolder`) if the page's name would lead out of it."""
    return confined(folder, f"{job.output}.ipynb", what=f"the page {job.output!r}")


def check_outputs(jobs: list[Job], *folders: Path) -> None:
    """Every page of the grid resolves inside each of ``folders``: checked before anything runs, so that
    a bad name stops the run with its message instead of failing in a worker."""
    for job in jobs:
        for folder in folders:
            output_path(folder, job)


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


def lesson_jobs(base: dict, countries: list[str] | None = None, areas: list[str] | None = None) -> list:
    """One job per lesson (scope: the region). ``--country`` other than region selects none; ``--area``
    may name lessons (``--area lesson-2``)."""

    if countries is not None and REGION not in countries:
        return []
    jobs = []
    for template, output, title, tables in LESSONS:
        if areas is not None and output not in areas:
            continue
        # relative to notebooks/, as the runner resolves templates (``socta notebook`` prints it)
        jobs.append(Job(f"../training/{template}", output, title, {**base, "scope": REGION}, READS_DATA,
                        tables=tables))
    return jobs
