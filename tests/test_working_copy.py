"""`socta notebook`: a page's notebook an analyst opens in JupyterLab, runs cell by cell and changes."""
import nbformat
import pytest

from socta.cli import main
from socta.config import Project
from socta.render import plain_markdown
from socta.runner import find_job, grid

from .helpers import REPO


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
