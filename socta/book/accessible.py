"""Accessible names the theme and MyST-NB leave out, or give in English whatever the edition's language.

axe-core (WCAG 2.1 A/AA) in Chromium found these on every page: the sidebar's expanders (a ``<summary>``
holding only an icon) have no name; the search button's ``aria-label`` ("Search") does not contain its
visible text ("Search Ctrl + K"), which a speech-input user says; each folded code cell's toggle is named
"Toggle hidden content", in English in every edition, while it shows "Show code cell source" in the
edition's language. (The colour-mode button's name, "Color mode", is still found not to contain its icons'
titles: not mended here.) :func:`accessible_pages` mends the written pages, in the
edition's language, after the HTML build (``build-finished``, like :mod:`socta.book.published`): the theme's
templates and MyST-NB's renderer stay as they are, and a page written again is mended again.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from socta.core.tableio import write_atomic
from socta.core.text import N_
from socta.i18n import translate as i18n

SIDEBAR_EXPANDER = '<summary><span class="toctree-toggle" role="presentation">'
# the search button's aria-label: without it, its name is its visible text, which contains the label
SEARCH_LABEL = re.compile(r'(<button class="[^"]*\bsearch-button__button\b[^"]*"[^>]*?) aria-label="[^"]*"')
# the code toggle's English aria-label: without it, its name is the text it shows, in the edition's language
CODE_TOGGLE = ' aria-label="Toggle hidden content"'

EXPANDER_NAME = N_("Show or hide the pages of this part")


def mend(text: str) -> str:
    """One page's HTML with the names added (in the current language)."""
    expander = f'<summary aria-label="{html.escape(i18n.t(EXPANDER_NAME))}"><span class="toctree-toggle" role="presentation">'
    text = text.replace(SIDEBAR_EXPANDER, expander)
    text = SEARCH_LABEL.sub(r"\1", text)
    return text.replace(CODE_TOGGLE, "")


def accessible_pages(app, exception) -> None:
    """Sphinx ``build-finished``: every HTML page of the edition mended in place (atomically)."""
    if exception is not None or app.builder.format != "html":
        return
    previous = i18n.language()
    i18n.set_language(app.config.socta_edition.get("lang", i18n.SOURCE_LANGUAGE))
    try:
        for page in Path(app.outdir).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            mended = mend(text)
            if mended != text:
                write_atomic(page, mended.encode("utf-8"))
    finally:
        i18n.set_language(previous)
