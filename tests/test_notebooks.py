"""Templates are clean text with one parameters cell; one template really executes with papermill."""
import re
import subprocess
import sys

import jupytext
import nbformat
import papermill
import pytest
import yaml

from socta.core.config import NOTEBOOKS_DIR, Project
from socta.ingest.reference import Reference
from socta.ingest.validation import validate
from socta.process.tables import write_processed
from socta.run.execute import execute, prepare
from socta.run.jobs import Job, grid

from .helpers import REPO

TEMPLATES = sorted(NOTEBOOKS_DIR.rglob("*.md"))


def test_one_area_template_names_no_indicator_and_no_area():
    """Area pages are built from the configuration: adding or removing an indicator or a crime area
    in the reference files changes the pages without a template edit."""
    ref = Reference(Project())
    text = (NOTEBOOKS_DIR / "area.md").read_text(encoding="utf-8")
    body = text.split("```{code-cell} ipython3\n:tags: [parameters]", 1)[1].split("```", 1)[1]
    named = [i for i in [*ref.indicators.index, *ref.top_areas.index] if f'"{i}"' in body]
    assert named == [], f"area.md names {named}; take them from the configuration"
    assert not (NOTEBOOKS_DIR / "areas").exists()


def test_the_toc_repeats_its_area_pattern_for_every_configured_area(tmp_path):
    from socta.book.stage import edition_toc

    data = tmp_path / "data"
    (data / "reference").mkdir(parents=True)
    (data / "dataset.yaml").write_text("name: t\nsynthetic: true\n")
    areas = (REPO / "data/reference/crime_areas.csv").read_text(encoding="utf-8")
    (data / "reference/crime_areas.csv").write_text(areas + "firearms,,Firearms trafficking,7,Illicit arms trade\n")
    toc = yaml.safe_load(edition_toc(Project(data_dir=data)))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert files[2:9] == [f"areas/{a}/index" for a in ("drugs", "migrant_smuggling", "thb", "property", "economic",
                                                        "cyber", "firearms")]
    assert {"glob": "areas/firearms/countries/*"} in toc["parts"][1]["chapters"][-1]["sections"]


def test_no_executed_notebook_is_committed_with_the_templates():
    committed = subprocess.run(["git", "ls-files", "*.ipynb"], capture_output=True, text=True, cwd=REPO).stdout
    assert committed.strip() == "", f"executed notebooks are build products, not sources: {committed}"
    for path in NOTEBOOKS_DIR.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path} carries outputs"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(NOTEBOOKS_DIR)))
def test_template_has_one_parameters_cell_and_a_title(template):
    nb = jupytext.read(template)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# {{title}}")
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_runner_parameters_are_declared_by_every_template(tmp_path):
    project = Project()
    for job in grid(project, "public", "en", tmp_path):
        nb_path = tmp_path / (job.output.replace("/", "_") + ".ipynb")
        nbformat.write(prepare(job), nb_path)
        declared = set(papermill.inspect_notebook(str(nb_path)))
        assert set(job.parameters) <= declared, f"{job.template} does not declare {set(job.parameters) - declared}"


def test_placeholders_are_filled_through_the_translation_function(tmp_path):
    job = next(j for j in grid(Project(), "public", "en", tmp_path) if j.output == "areas/drugs/countries/serbia")
    nb = prepare(job)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "# Drug trafficking — Serbia" in text and "## Indicators over time" in text and "{{" not in text


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    project = Project(build_dir=tmp_path_factory.mktemp("build"))
    result = validate(project)
    assert result.ok
    return project, write_processed(project, result)


@pytest.mark.slow
def test_one_template_executed_by_papermill_for_one_country(processed, tmp_path):
    project, dirs = processed
    job = next(j for j in grid(project, "public", "en", dirs["public"]) if j.output == "areas/drugs/countries/montenegro")
    outcome = execute(job, str(tmp_path / "source"), str(tmp_path / "failed"), timeout=300)
    assert outcome.ok, outcome.error
    nb = nbformat.read(tmp_path / "source" / "areas/drugs/countries/montenegro.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    markdown = "\n".join(o["data"].get("text/markdown", "") for o in outputs if "data" in o)
    assert "Synthetic demonstration data" in markdown
    # every figure is glued with a page-unique name, alt text and a caption
    figures = re.findall(r"```\{glue:figure\} (\S+)\n:name: (\S+)\n:alt: (.+)\n\n(.+)\n```", markdown)
    assert [f[0] for f in figures] == [  # every configured indicator, headline first, then the harm profile
        "fig-drugs-mne-drug_offences", "fig-drugs-mne-drug_seizures_kg", "fig-drugs-mne-drug_seizure_cases",
        "fig-drugs-mne-harm"]
    assert all(name == key and alt and caption for key, name, alt, caption in figures)
    glued = [o for o in outputs if o.get("metadata", {}).get("scrapbook", {}).get("name", "").startswith("fig-")]
    assert len(glued) == 4 and all("application/papermill.record/image/png" in o["data"] for o in glued)
    # the summary sentence carries the scores the package computes for Montenegro
    from socta.pages.page import Page

    page = Page(scope="MNE", area="drugs", processed_dir=str(dirs["public"]), data_dir=str(project.data_dir),
                first_year=2014, last_year=2024)
    row = page.score_row()
    # Montenegro's drugs score rests on a confidential count of groups: the public edition rounds it
    assert row["score_precision"] == "rounded" and row["threat"] % 5 == 0
    assert f"threat score of **≈{round(row['threat'])}**" in markdown
    assert f"rank **{int(row['rank'])}** of 6" in markdown


@pytest.mark.slow
def test_a_failing_notebook_keeps_the_previous_page_and_reports_the_cell(processed, tmp_path):
    project, dirs = processed
    broken = tmp_path / "broken.md"
    broken.write_text((NOTEBOOKS_DIR / "methodology.md").read_text(encoding="utf-8")
                      + "\n```{code-cell} ipython3\nraise ValueError('no data for this country')\n```\n", encoding="utf-8")
    source = tmp_path / "source"
    (source / "annex").mkdir(parents=True)
    previous = source / "methodology.ipynb"
    previous.write_text("previous good page", encoding="utf-8")
    job = next(j for j in grid(project, "public", "en", dirs["public"]) if j.output == "methodology")
    job = Job(str(broken), job.output, job.title, job.parameters)
    outcome = execute(job, str(source), str(tmp_path / "failed"), timeout=300)
    assert not outcome.ok
    assert "ValueError: no data for this country" in outcome.error and outcome.error.startswith("cell ")
    assert previous.read_text(encoding="utf-8") == "previous good page"
    failed = nbformat.read(outcome.failed_copy, as_version=4)
    assert any(o.get("output_type") == "error" for c in failed.cells for o in c.get("outputs", []))
    assert not list(source.glob(".*running*"))


def test_a_fourth_country_gets_pages_without_code_or_toc_changes(tmp_path):
    data = tmp_path / "data"
    (data / "reference").mkdir(parents=True)
    countries = (REPO / "data/reference/countries.csv").read_text(encoding="utf-8") + "ALB,albania,Albania,Shqipëria,sq,Latn\n"
    (data / "reference/countries.csv").write_text(countries, encoding="utf-8")
    population = (REPO / "data/reference/population.csv").read_text(encoding="utf-8")
    population += "".join(f"ALB,{y},2800000,synthetic test value\n" for y in range(2014, 2025))
    (data / "reference/population.csv").write_text(population, encoding="utf-8")
    subprocess.run([sys.executable, str(REPO / "data/demo/generate.py"), "--out", str(data)], check=True, capture_output=True)
    project = Project(data_dir=data, build_dir=tmp_path / "build")
    assert validate(project).ok
    outputs = {j.output for j in grid(project, "public", "en", tmp_path)}
    for area in Reference(project).top_areas.index:
        assert f"areas/{area}/countries/albania" in outputs
    assert "ocg/countries/albania" in outputs
    toc = (REPO / "_toc.yml").read_text(encoding="utf-8")
    assert "areas/{area}/countries/*" in toc and "albania" not in toc
