"""A folded conditional code cell that printed nothing leaves the book (no empty "Show code cell source"
toggle); a cell with output, a silent cell that prepares data, the setup cell and every cell of the
training edition stay."""
from __future__ import annotations

import nbformat

from socta.run.execute import remove_silent_cells


def page(*cells) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nbformat.writes(nb) + "\n"


def code(tags, outputs=(), source="if page.is_region:\n    page.links_table()"):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})
    cell.outputs = [nbformat.v4.new_output("stream", text=o) for o in outputs]
    return cell


def tags_of(text: str) -> list[list[str]]:
    return [cell.metadata.get("tags", []) for cell in nbformat.reads(text, as_version=4).cells]


def test_a_folded_cell_without_output_is_removed_and_the_others_stay():
    text = page(code(["remove-input"]), code(["hide-input"], ["a table"]), code(["hide-input"]),
                code(["hide-input"], source="# the page's groups\nlinks = page.network_links()"),
                nbformat.v4.new_markdown_cell("prose"))
    assert tags_of(remove_silent_cells(text, "public")) == [["remove-input"], ["hide-input"], ["remove-cell"],
                                                             ["hide-input"], []]


def test_nothing_changes_where_there_is_no_silent_cell_or_the_code_shows():
    quiet = page(code(["hide-input"], ["a figure"]))
    assert remove_silent_cells(quiet, "public") == quiet
    lesson = page(code([]), code(["hide-input"]))
    assert remove_silent_cells(lesson, "training") == lesson
