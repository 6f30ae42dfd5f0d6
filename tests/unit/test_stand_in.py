"""A page that fails never silently removes others (issue 21): the book gets a stand-in page that says
it could not be built and why, its chapter and sibling pages stay in the table of contents, the main
conclusions say which pages failed, and the last good page is kept, not lost."""
from __future__ import annotations

import nbformat

from socta.book.stage import edition_toc, note_failed_pages
from socta.core.config import Project
from socta.i18n.translate import set_language
from socta.run.execute import previous_copy, write_result, write_stand_in
from socta.run.jobs import Job, is_stand_in, output_path
from socta.run.keys import key_path

from ..helpers import REPO

HOSTILE = "ValueError: arange: cannot compute length {{ 7*7 }} <script>x</script> `code` /abs/data/dir/file"


def job(output: str = "areas/thb/index", lang: str = "en") -> Job:
    return Job("area.md", output, "Trafficking in human beings — Regional overview",
               {"scope": "region", "area": "thb", "lang": lang, "data_dir": "/abs/data/dir", "processed_dir": "/p"})


def page(path, title: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_markdown_cell("Findings.")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_a_failed_page_is_replaced_by_one_that_says_why_and_its_last_good_page_is_kept(tmp_path):
    source, failed = tmp_path / "source", tmp_path / "failed"
    target = output_path(source, job())
    page(target, "the last good page")
    key_path(source, job()).write_text("key\n", encoding="utf-8")
    write_stand_in(job(), source, failed, "cell 4: " + HOSTILE + "\nmore lines of the traceback")
    assert is_stand_in(target)
    kept = previous_copy(failed, job())
    assert "the last good page" in kept.read_text(encoding="utf-8")
    assert not key_path(source, job()).exists()  # the next run executes the page again
    text = "\n".join(c.source for c in nbformat.read(target, as_version=4).cells)
    assert text.startswith("# Trafficking in human beings — Regional overview")
    assert "This page could not be built from the data now in force" in text and "arange: cannot compute length" in text
    # the reason is data, not markup, and names no folder of the machine
    assert "{{" not in text and "<script>" not in text and "`code`" not in text and "/abs/data/dir" not in text
    assert "more lines of the traceback" not in text
    # failing again keeps the last good page, not the stand-in, as the previous one
    write_stand_in(job(), source, failed, "cell 4: " + HOSTILE)
    assert "the last good page" in kept.read_text(encoding="utf-8")


def test_the_stand_in_is_in_the_editions_language(tmp_path):
    try:
        write_stand_in(job(lang="sr"), tmp_path / "source", tmp_path / "failed", "cell 1: KeyError: 'x'")
        text = (tmp_path / "source" / "areas/thb/index.ipynb").read_text(encoding="utf-8")
        assert "could not be built" not in text and "KeyError" in text
    finally:
        set_language("en")


def test_a_successful_run_ends_the_failure(tmp_path):
    source, failed = tmp_path / "source", tmp_path / "failed"
    output_path(failed, job()).parent.mkdir(parents=True)
    output_path(failed, job()).write_text("{}", encoding="utf-8")
    write_stand_in(job(), source, failed, "cell 1: KeyError: 'x'")
    good = nbformat.v4.new_notebook()
    write_result(job(), source, failed, "key", True, nbformat.writes(good), "", 1.0)
    assert not is_stand_in(output_path(source, job()))
    assert not output_path(failed, job()).exists() and not previous_copy(failed, job()).exists()


def test_the_chapter_stays_and_the_conclusions_name_the_failed_pages(tmp_path):
    source = tmp_path / "source"
    for output in ("methodology", "conclusions", "areas/thb/countries/serbia"):
        page(source / f"{output}.ipynb", output)
    write_stand_in(job(), source, tmp_path / "failed", "cell 1: KeyError: 'x'")
    project = Project(data_dir=REPO / "data" / "demo-2016", build_dir=tmp_path / "build")
    toc = edition_toc(project, source)
    assert "file: areas/thb/index" in toc and "areas/thb/countries/*" in toc
    note_failed_pages(source)
    note_failed_pages(source)  # staging again replaces the notice, never adds a second
    cells = nbformat.read(source / "conclusions.ipynb", as_version=4).cells
    notices = [c.source for c in cells if c.metadata.get("socta") == "failed-pages"]
    assert len(notices) == 1 and "{doc}`/areas/thb/index`" in notices[0]
    assert cells[0].source == "# conclusions" and cells[1].metadata.get("socta") == "failed-pages"
    # once the page builds again, the notice goes
    page(source / "areas/thb/index.ipynb", "thb")
    note_failed_pages(source)
    cells = nbformat.read(source / "conclusions.ipynb", as_version=4).cells
    assert [c.source for c in cells] == ["# conclusions", "Findings."]


def test_a_page_removed_from_the_source_leaves_the_next_html_build(tmp_path):
    """Sphinx never deletes a page: when one left the source (a country taken out), the next build starts
    afresh, so its HTML does not outlive it."""
    from socta.book.build import _forget_removed_pages

    source, work, record = tmp_path / "source", tmp_path / "work", tmp_path / ".html-pages"
    for output in ("intro", "areas/thb/countries/serbia", "areas/thb/countries/montenegro"):
        page(source / f"{output}.ipynb", output)
    (work / "_build" / "html").mkdir(parents=True)
    _forget_removed_pages(source, work, record)
    assert (work / "_build" / "html").is_dir()  # first build: nothing to forget
    _forget_removed_pages(source, work, record)
    assert (work / "_build" / "html").is_dir()  # nothing removed: the incremental build stays
    (source / "areas/thb/countries/montenegro.ipynb").unlink()
    _forget_removed_pages(source, work, record)
    assert not (work / "_build").exists()
    assert "areas/thb/countries/montenegro" not in record.read_text(encoding="utf-8")
