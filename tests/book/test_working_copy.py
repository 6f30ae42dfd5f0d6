"""`socta notebook`: the working copy of a page and of every lesson, run in a Jupyter kernel."""
import nbformat

from socta.cli import main


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
