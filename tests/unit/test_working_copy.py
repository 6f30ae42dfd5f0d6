"""`socta notebook`: a page's notebook an analyst opens in JupyterLab, runs cell by cell and changes."""
import pytest

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
