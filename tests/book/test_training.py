"""The training edition, executed and built as a book: every lesson with its code, exercises and
solutions, every cell run without error (the templates are checked in tests/unit/test_training.py)."""
import re

import nbformat

from socta.run.training import LESSONS, SOLUTION_TAG


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


# ---- the training edition, executed and built ------------------------------------------

def test_every_lesson_is_built_with_its_code_exercises_and_solutions(training_book):
    html = training_book / "html"
    index = (html / "intro.html").read_text(encoding="utf-8")
    assert "TRAINING" in index and "Synthetic demonstration data" in index
    for _, output, title, _ in LESSONS:
        page = html / f"{output}.html"
        assert page.is_file(), f"{output}: not built"
        text = page.read_text(encoding="utf-8")
        assert title.split(":")[0] in text, output
        assert 'class="exercise admonition"' in text, f"{output}: no exercise"
        assert re.search(r'class="solution dropdown admonition"', text), f"{output}: no hidden solution"
        # code shown, not folded; the parameters cell removed
        assert text.count('class="cell_input') >= 3, f"{output}: code not shown"
        assert "hide above-input" not in text and "Show code cell source" not in text, f"{output}: code folded"
        assert "tag_parameters" not in text and "tag_injected-parameters" not in text, output
        assert not re.search(r"Traceback|\w+Error\b", re.sub(r"<[^>]+>", "", text)), f"{output}: an error shows"
        # every solution cell is inside its solution, and rendered
        solution_cells = len(re.findall(r'class="cell tag_solution', text))
        nb = nbformat.read(training_book / "source" / f"{output}.ipynb", as_version=4)
        assert solution_cells == sum(SOLUTION_TAG in tags(c) for c in nb.cells) > 0, output


def test_every_cell_ran_without_error_and_every_solution_printed_its_answer(training_book):
    for _, output, _, _ in LESSONS:
        nb = nbformat.read(training_book / "source" / f"{output}.ipynb", as_version=4)
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            assert cell.execution_count is not None, f"{output}: a cell did not run"
            assert not [o for o in cell.outputs if o.output_type == "error"], f"{output}: a cell failed"
            assert not [o for o in cell.outputs if o.get("name") == "stderr"], f"{output}: a warning"
        for cell in (c for c in nb.cells if SOLUTION_TAG in tags(c)):
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert printed.strip(), f"{output}: a solution cell printed no answer"
    failed = training_book / "failed"
    assert not failed.exists() or not list(failed.rglob("*.ipynb"))


def test_search_finds_the_lessons_code_which_the_lessons_show(training_book):
    """Only folded code is left out of the search index (socta/book/extension.py): a lesson's code is shown,
    and a trainee searching for the function a lesson uses finds the lesson."""
    import json

    text = (training_book / "html" / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    hits = index["terms"].get("likelihood_term", [])
    hits = [hits] if isinstance(hits, int) else hits
    assert any("lesson-5" in index["docnames"][i] for i in hits), sorted(index["docnames"][i] for i in hits)
