"""The rendering contract of a page: how a figure, a table or a sentence reaches the book.

A template draws a figure or builds a table with pandas and seaborn, then hands it over here. This
module gives it its name (``fig-<page>-<key>``, for cross-references), its caption, alt text and
source line, and writes it as MyST for Jupyter Book, or as plain Markdown and inline images when the
notebook is opened in JupyterLab (:func:`use_jupyter_output`). Nothing here computes a finding.
"""
from __future__ import annotations

import json
import math
import re

import pandas as pd
from IPython.display import Markdown, display

from socta.core.markup import one_line, plain
from socta.i18n.translate import t
from socta.pages import figures

# Where a page's output goes: "book" (MyST for Jupyter Book: glued, numbered figures and tables,
# admonitions) or "jupyter" (plain Markdown and inline figures, as JupyterLab shows them). A copy
# written by `socta notebook` switches to "jupyter" in its second cell.
OUTPUT = "book"

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")  # a cell's text from data is inert already: "\|" stays one pipe

_FENCE = re.compile(r"```\{(admonition|table)\}[ \t]*([^\n]*)\n((?::[\w-]+:[^\n]*\n)*)\n?(.*?)\n```", re.S)
_INDEX = re.compile(r"```\{index\}[^\n]*\n```\n?")   # an entry of the book's index: nothing to show in JupyterLab


def use_jupyter_output() -> None:
    """Show figures inline and text as plain Markdown: for working in JupyterLab, not for the book."""
    global OUTPUT
    OUTPUT = "jupyter"


def plain_markdown(text: str) -> str:
    """MyST admonitions and tables as plain Markdown: a quoted box with a bold title, a bold caption; index
    entries left out."""
    def convert(m):
        kind, title, body = m.group(1), m.group(2).strip(), m.group(4).strip()
        if kind == "table":
            return f"**{title}**\n\n{body}"
        return "\n".join(["> **" + title + "**", ">", *("> " + line for line in body.splitlines())])
    return _FENCE.sub(convert, _INDEX.sub("", text))


def md(text: str) -> None:
    text = plain_markdown(text) if OUTPUT == "jupyter" else text
    if text.strip():  # an index entry has nothing to show in JupyterLab
        display(Markdown(text))


def markdown_table(frame: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table; numbers right-aligned. Cells must already be formatted strings."""
    align = align or {}
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join(" ---: " if align.get(c, "l") == "r" else " :--- " for c in frame.columns) + "|"
    body = ["| " + " | ".join(_UNESCAPED_PIPE.sub(r"\\|", str(v)) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


# Sphinx sets a table of more rows than this as a longtable, whose columns do not wrap unless the table
# gives their widths: the restricted register's eight columns ran off the page
LONGTABLE_ROWS = 30


def column_widths(frame: pd.DataFrame) -> list[int] | None:
    """Relative column widths for a table the PDF would set without wrapping (a longtable), in characters, plus room for the space between columns. A column of single words (a code such
    as SRB-OCG-002, a number) gets room for its longest one in capitals, so that none breaks; a column of
    running text at most 18 (it wraps), and the room of its longest word. None for a shorter table, which
    LaTeX's tabulary fits to the page itself."""
    if len(frame) <= LONGTABLE_ROWS:
        return None
    widths = []
    for column in frame.columns:
        cells = frame[column].astype(str)
        header = max([len(w) for w in str(column).split()] + [1]) * 1.6
        longest = max([len(w) for cell in cells for w in cell.split()] + [1])
        if not cells.str.contains(" ").any():
            widths.append(math.ceil(max(header, longest * 2)) + 2)
        else:
            widths.append(math.ceil(max(header, longest * 1.6, min(int(cells.str.len().max()), 18))) + 2)
    return widths


def box(title: str, body: str, css_class: str) -> str:
    """A titled box (a MyST admonition) as text."""
    return f"```{{admonition}} {title}\n:class: {css_class}\n{body}\n```"


class Rendering:
    """Shows a page's figures, tables and sentences, each named ``<kind>-<page_id>-<key>``.

    ``dataset``: the ``dataset.yaml`` of the edition (its name, and whether it is synthetic, which
    every source line and the banner must say).
    """

    def __init__(self, page_id: str, dataset: dict):
        self.page_id = page_id
        self.dataset = dataset

    @property
    def synthetic_note(self) -> str:
        return t(" (synthetic demonstration data)") if self.dataset.get("synthetic") else ""

    @property
    def source_statistics(self) -> str:
        return t("Source: {name}{synthetic}; calculations for this assessment.", name=t(self.dataset.get("name", "")),
                 synthetic=self.synthetic_note)

    def banner(self, open_sources: bool = False) -> None:
        """The notice every page carries when the assessment's data are synthetic.

        ``open_sources``: the page shows public figures with their sources, not the synthetic data.
        """
        if not self.dataset.get("synthetic"):
            return
        if open_sources:
            md(box(t("Public figures on a synthetic demonstration"),
                   t("The figures on this page are real public data, each with its source. The rest of this book is "
                     "computed from the synthetic demonstration dataset '{name}', which says nothing about real crime "
                     "in the region.", name=t(self.dataset.get("name", ""))), "note synthetic-banner"))
        else:
            # a short marker: the whole notice is said once, on the first page (and in the HTML's banner)
            md(box(t("Synthetic demonstration data"), t("Invented numbers, for demonstration only."),
                   "warning synthetic-banner"))

    def say(self, text: str) -> None:
        if text:  # an empty Markdown output would show as its Python repr
            md(text)

    def no_data(self, what: str) -> None:
        """The sentence a block shows instead of an empty figure or table."""
        self.say(f"*{what}*")

    def figure(self, fig, key: str, caption: str, alt: str, source: str | None = None) -> None:
        """Show ``fig`` (a matplotlib figure, or a seaborn grid) as a numbered, captioned, named figure
        with alt text and a source line."""
        import matplotlib.pyplot as plt
        from myst_nb import glue

        fig = getattr(fig, "figure", fig)  # a seaborn FacetGrid holds its figure
        name = f"fig-{self.page_id}-{key}"
        figures.source_line(fig, source or self.source_statistics)
        figures.plain_text(fig)
        if OUTPUT == "jupyter":
            display(fig)
            plt.close(fig)
            md(f"*{caption}*")
            return
        glue(name, fig, display=False)
        plt.close(fig)
        # an option, not Markdown: the text as written, as a double-quoted string, so that neither " #"
        # (a comment to MyST's option parser) nor a leading quote, "|" or ">" changes it
        alt_text = json.dumps(one_line(plain(alt)), ensure_ascii=False)
        md(f"```{{glue:figure}} {name}\n:name: {name}\n:alt: {alt_text}\n\n{caption}\n```")

    def show_table(self, frame: pd.DataFrame, key: str, caption: str, align: dict[str, str] | None = None,
                   source: str | None = None, notes: str = "") -> None:
        """Show a formatted table (strings in cells) as a numbered, captioned, named table; ``notes``
        (the legend of its flags) goes under it, before the source."""
        name = f"tbl-{self.page_id}-{key}"
        below = (f"{notes}  \n" if notes else "") + f"*{source or self.source_statistics}*"
        widths = column_widths(frame)
        sized = f":widths: {' '.join(map(str, widths))}\n" if widths else ""
        md(f"```{{table}} {caption}\n:name: {name}\n{sized}\n{markdown_table(frame, align)}\n```\n\n{below}")
