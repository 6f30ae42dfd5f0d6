"""Templates are clean text with one parameters cell (one executes with papermill in tests/book/test_notebooks.py)."""
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
from socta.run.execute import prepare
from socta.run.jobs import grid

from ..helpers import DEMO_2016, REPO

TEMPLATES = sorted(NOTEBOOKS_DIR.rglob("*.md"))


def test_one_area_template_names_no_indicator_and_no_area():
    """Area pages are built from the configuration: adding or removing an indicator or a crime area
    in the reference files changes the pages without a template edit."""
    ref = Reference(Project(data_dir=DEMO_2016))
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
    assert files[1:8] == [f"areas/{a}/index" for a in ("drugs", "migrant_smuggling", "thb", "property", "economic",
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
    project = Project(data_dir=DEMO_2016)
    for job in grid(project, "public", "en", tmp_path):
        nb_path = tmp_path / (job.output.replace("/", "_") + ".ipynb")
        nbformat.write(prepare(job), nb_path)
        declared = set(papermill.inspect_notebook(str(nb_path)))
        assert set(job.parameters) <= declared, f"{job.template} does not declare {set(job.parameters) - declared}"


def test_placeholders_are_filled_through_the_translation_function(tmp_path):
    job = next(j for j in grid(Project(data_dir=DEMO_2016), "public", "en", tmp_path) if j.output == "areas/drugs/countries/serbia")
    nb = prepare(job)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "# Drug trafficking — Serbia" in text and "## Indicators over time" in text and "{{" not in text


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
