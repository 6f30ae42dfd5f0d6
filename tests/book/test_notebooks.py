"""One template really executes with papermill; a failing one keeps the previous page."""
import re

import nbformat

from socta.core.config import NOTEBOOKS_DIR
from socta.run.execute import execute
from socta.run.jobs import Job, grid


def test_one_template_executed_by_papermill_for_one_country(demo_project, processed, tmp_path):
    project, dirs = demo_project, processed
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
    assert f"rank **{int(row['rank'])}** of the 6 crime areas ranked" in markdown


def test_a_failing_notebook_keeps_the_previous_page_and_reports_the_cell(demo_project, processed, tmp_path):
    project, dirs = demo_project, processed
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
