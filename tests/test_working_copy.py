"""`socta notebook`: a page's notebook an analyst opens in JupyterLab, runs cell by cell and changes."""
import nbformat
import pytest

from socta.cli import main
from socta.core.config import Project
from socta.pages.render import plain_markdown
from socta.run.jobs import find_job, grid


def test_myst_tables_and_boxes_become_plain_markdown():
    table = "```{table} Indicators.\n:name: tbl-x\n\n| A | B |\n| :--- | ---: |\n| 1 | 2 |\n| 3 | 4 |\n```\n\n*Source.*"
    assert plain_markdown(table) == "**Indicators.**\n\n| A | B |\n| :--- | ---: |\n| 1 | 2 |\n| 3 | 4 |\n\n*Source.*"
    box = "```{admonition} Key judgement\n:class: key-judgement\nIt is likely.\n\nBasis.\n```"
    assert plain_markdown(box) == "> **Key judgement**\n>\n> It is likely.\n> \n> Basis."
    assert plain_markdown("No fence **here**.") == "No fence **here**."


def test_a_page_is_found_by_scope_and_area_or_chapter_and_a_wrong_one_is_named(tmp_path):
    project = Project(build_dir=tmp_path)
    jobs = grid(project, "public", "en", tmp_path / "processed")
    assert find_job(jobs, "SRB", "drugs").output == "areas/drugs/countries/serbia"
    assert find_job(jobs, "region", "conclusions").output == "conclusions"
    assert find_job(jobs, "MNE", "ocg").output == "ocg/countries/montenegro"
    with pytest.raises(ValueError, match="no page 'drug' for 'SRB': pages are .*drugs"):
        find_job(jobs, "SRB", "drug")


@pytest.mark.slow
def test_the_working_copy_runs_in_jupyter_and_shows_its_figures_tables_and_text(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.chdir(tmp_path)
    assert main(["notebook", "SRB", "drugs", "--build-dir", str(tmp_path / "build")]) == 0
    path = tmp_path / "work" / "SRB-drugs.ipynb"
    nb = nbformat.read(path, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    # the template's own parameters cell, then what `socta run` would inject: this edition's data
    assert 'scope = "SRB"' in sources[1] and str(tmp_path / "build" / "processed" / "public") in sources[1]
    assert "use_jupyter_output()" in sources[2]
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    markdown = "\n".join(o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {}))
    assert len(images) >= 4                     # shown inline, not only stored for the book
    assert "```{" not in markdown               # no MyST fence shows raw in JupyterLab
    assert "> **Key judgement" in markdown and "**Drug trafficking: indicators for Serbia" in markdown
    assert "{{t:" not in "\n".join(c.source for c in nb.cells)   # headings are text, not placeholders


def test_a_trainee_copy_has_an_answer_cell_for_each_exercise_and_no_solution(tmp_path):
    """`socta notebook region lesson-N --audience training`: each exercise a quoted box followed by an
    empty answer cell; the solutions (text and code) are left to the book. --solutions keeps them."""
    import re

    from socta.run.execute import working_copy
    from socta.run.training import ANSWER_TAG, LESSONS, SOLUTION_TAG, lesson_template

    project = Project(build_dir=tmp_path)
    jobs = grid(project, "training", "en", tmp_path / "processed")
    for template, output, _, _ in LESSONS:
        exercises = len(re.findall(r"```\{exercise\}", lesson_template(template).read_text(encoding="utf-8")))
        assert exercises, f"{template} has no exercise"
        trainee = working_copy(find_job(jobs, "region", output))
        tags = [c.metadata.get("tags", []) for c in trainee.cells]
        text = "\n".join(c.source for c in trainee.cells)
        assert sum(ANSWER_TAG in t for t in tags) == exercises, template
        assert not any(SOLUTION_TAG in t for t in tags) and "solution-start" not in text, template
        assert text.count("> **Exercise: ") == exercises and "```{exercise}" not in text, template
        trainer = working_copy(find_job(jobs, "region", output), with_solutions=True)
        assert sum(SOLUTION_TAG in c.metadata.get("tags", []) for c in trainer.cells) >= exercises, template
        assert sum(c.source == "**Solution**" for c in trainer.cells) == exercises, template


@pytest.mark.slow
def test_every_lesson_runs_for_a_trainee_without_its_solutions(tmp_path, monkeypatch):
    """The trainee's path: write the lesson's copy, run it top to bottom with the answers still empty;
    the worked examples must not lean on a solution's variables."""
    from nbclient import NotebookClient

    from socta.run.training import LESSONS

    monkeypatch.chdir(tmp_path)
    for _, output, _, _ in LESSONS:
        assert main(["notebook", "region", output, "--audience", "training", "--build-dir", str(tmp_path / "build")]) == 0
        nb = nbformat.read(tmp_path / "work" / f"region-{output}.ipynb", as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
        assert not errors, f"{output}: {errors[0]['ename']}: {errors[0]['evalue']}"
