"""The training edition: lesson templates with exercises and solutions, and the code-visibility tags
every edition's pages get from the runner (the book is built in tests/book/test_training.py)."""
import json
import re

import jupytext
import nbformat
import pytest

from socta.book.stage import edition_config
from socta.cli import build_parser
from socta.core.config import REGION, Project
from socta.run.execute import code_visibility, prepare
from socta.run.jobs import Job, grid
from socta.run.training import LESSONS, SOLUTION_TAG, TRAINING, TRAINING_DIR, lesson_template

EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*?:label: *(\S+)")
SOLUTION_START = re.compile(r"```\{solution-start\} *(\S+)")
SOLUTION_END = "```{solution-end}"


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def solutions(nb) -> dict[str, list]:
    """The code cells between each ``solution-start`` and its ``solution-end``, by exercise label."""
    found, current = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                start = SOLUTION_START.match(line.strip())
                if start:
                    assert current is None, f"solution {start.group(1)} opens inside solution {current}"
                    current = start.group(1)
                    found[current] = []
                elif line.strip() == SOLUTION_END:
                    assert current is not None, "solution-end without a solution-start"
                    current = None
        elif current is not None:
            found[current].append(cell)
    assert current is None, f"solution {current} is never closed"
    return found


# ---- fast: the templates ---------------------------------------------------------------------

@pytest.mark.parametrize("template", [lesson[0] for lesson in LESSONS])
def test_every_lesson_has_parameters_exercises_and_matching_solutions(template):
    nb = jupytext.read(lesson_template(template))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sum("parameters" in tags(c) for c in code) == 1, "one parameters cell"
    assert "parameters" in tags(code[0]), "the parameters cell comes first"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    exercises = EXERCISE.findall(markdown)
    assert exercises, "no exercise"
    assert len(set(exercises)) == len(exercises), "an exercise label is used twice"
    found = solutions(nb)
    assert sorted(found) == sorted(exercises), "every exercise has one solution and every solution an exercise"
    for label, cells in found.items():
        assert cells, f"solution {label} has no code cell"
        assert all(c.cell_type == "code" and SOLUTION_TAG in tags(c) for c in cells), \
            f"solution {label}: every cell is code tagged {SOLUTION_TAG!r}"
        assert any("assert " in c.source for c in cells), f"solution {label} checks its answer"
    # solution cells only inside solutions
    assert sum(SOLUTION_TAG in tags(c) for c in code) == sum(len(cells) for cells in found.values())


def test_every_lesson_template_is_in_the_course():
    listed = {lesson[0] for lesson in LESSONS}
    on_disk = {p.name for p in TRAINING_DIR.glob("lesson-*.md")}
    assert on_disk == listed


def test_the_training_grid_has_one_regional_job_per_lesson(tmp_path):
    project = Project()
    jobs = grid(project, TRAINING, "en", tmp_path / "processed" / "public")
    assert [j.output for j in jobs] == [lesson[1] for lesson in LESSONS]
    assert all(j.scope == REGION and j.parameters["audience"] == TRAINING for j in jobs)
    assert grid(project, TRAINING, "en", tmp_path, countries=["SRB"]) == []
    assert [j.output for j in grid(project, TRAINING, "en", tmp_path, areas=["lesson-2"])] == ["lesson-2"]
    # the assessment's grid is untouched
    assert not any(j.output.startswith("lesson") for j in grid(project, "public", "en", tmp_path))


def test_every_lesson_declares_the_parameters_the_runner_injects(tmp_path):
    import papermill

    for job in grid(Project(), TRAINING, "en", tmp_path):
        path = tmp_path / f"{job.output}.ipynb"
        nbformat.write(prepare(job), path)
        declared = set(papermill.inspect_notebook(str(path)))
        assert set(job.parameters) <= declared, f"{job.template} lacks {set(job.parameters) - declared}"


def test_training_is_an_audience_of_the_command_line():
    args = build_parser().parse_args(["report", "--audience", "training"])
    assert args.audience == TRAINING and args.formats is None   # HTML only unless asked
    from socta.cli import default_formats

    assert default_formats(TRAINING) == "html" and default_formats("public") == "html,pdf"


def test_the_training_book_loads_sphinx_exercise_and_shows_code():
    project = Project()
    training = edition_config(project, TRAINING, "en")
    public = edition_config(project, "public", "en")
    assert "sphinx_exercise" in training["sphinx"]["extra_extensions"]
    assert "sphinx_exercise" not in public["sphinx"].get("extra_extensions", [])
    assert "socta.book.extension" in public["sphinx"]["extra_extensions"]          # the PDF drops code
    assert training["sphinx"]["config"]["socta_latex_code"] is True
    assert public["sphinx"]["config"]["nb_remove_code_source"] is False   # cells' tags decide
    assert "TRAINING" in training["sphinx"]["config"]["html_theme_options"]["announcement"]


def _job(template, audience):
    return Job(template, "x", "Title", {"audience": audience, "lang": "en", "scope": REGION})


def test_code_cells_are_tagged_for_the_book():
    """Public/restricted: parameters removed, the setup cell's code removed (its output stays), every
    other code cell folded; a template's own tag wins. Training: only the parameters are removed."""
    nb = prepare(_job("area.md", "public"))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "remove-cell" in tags(code[0]) and "parameters" in tags(code[0])
    assert "remove-input" in tags(code[1]) and "AreaPage(" in code[1].source
    assert all("hide-input" in tags(c) for c in code[2:])
    assert any("page.series(indicator, by=by)" in c.source for c in code[2:])

    # papermill's injected cell, added after prepare, is removed too, and tagging twice changes nothing
    injected = nbformat.v4.new_code_cell("scope = 'SRB'", metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(nb.cells.index(code[0]) + 1, injected)
    code_visibility(nb, "public")
    assert tags(injected) == ["injected-parameters", "remove-cell"]
    once = json.dumps([tags(c) for c in nb.cells])
    code_visibility(json.loads(nbformat.writes(nb)), "public")   # the executed notebook's JSON, as a dict
    code_visibility(nb, "public")
    assert json.dumps([tags(c) for c in nb.cells]) == once

    own = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("setup()"),
        nbformat.v4.new_code_cell("shown()", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell("folded()")])
    code_visibility(own, "restricted")
    assert [tags(c) for c in own.cells] == [["parameters", "remove-cell"], ["remove-input"], ["remove-input"],
                                           ["hide-input"]]

    lesson = prepare(_job(f"../training/{LESSONS[0][0]}", TRAINING))
    code = [c for c in lesson.cells if c.cell_type == "code"]
    assert tags(code[0]) == ["parameters", "remove-cell"]
    assert not any({"hide-input", "remove-input"} & set(tags(c)) for c in code)


def test_a_first_build_stages_the_static_pages_before_its_toc(tmp_path):
    """The toc leaves out pages missing from the book source, so the static pages come first."""
    from socta.book.stage import stage

    project = Project(build_dir=tmp_path)
    assert "file: glossary" in (stage(project, "public", "en") / "_toc.yml").read_text(encoding="utf-8")
    source = stage(project, TRAINING, "en")
    assert (source / "intro.md").is_file() and (source / "_static" / "socta.css").is_file()
    assert "file: lesson-1" in (source / "_toc.yml").read_text(encoding="utf-8")
