"""The accessible names the book's pages are given after the HTML build (socta/book/accessible.py)."""
from socta.book.accessible import mend
from socta.i18n import translate as i18n

SIDEBAR = '<details><summary><span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary>'
SEARCH = ('<button class="btn search-button-field search-button__button pst-js-only" title="Search" aria-label="Search" '
          'data-bs-placement="bottom"><i class="fa-solid fa-magnifying-glass"></i><span class="search-button__default-text">'
          'Search</span><span class="search-button__kbd-shortcut"><kbd class="kbd-shortcut__modifier">Ctrl</kbd>+<kbd>K'
          '</kbd></span></button>')
TOGGLE = '<details class="hide above-input"><summary aria-label="Toggle hidden content"><span>Show code cell source</span>'


def test_the_sidebar_expanders_get_a_name_in_the_editions_language():
    i18n.set_language("en")
    assert '<summary aria-label="Show or hide the pages of this part"><span class="toctree-toggle"' in mend(SIDEBAR)
    i18n.set_language("sr")
    assert f'<summary aria-label="{i18n.t("Show or hide the pages of this part")}">' in mend(SIDEBAR)
    assert "Show or hide" not in mend(SIDEBAR)
    i18n.set_language("en")


def test_the_search_button_and_the_code_toggle_are_named_by_what_they_show():
    searched = mend(SEARCH)
    assert "aria-label" not in searched and 'title="Search"' in searched and "Ctrl" in searched
    toggled = mend(TOGGLE)
    assert "aria-label" not in toggled and "Show code cell source" in toggled


def test_mending_twice_changes_nothing_more_and_other_text_is_untouched():
    page = f"<html><body>{SIDEBAR}{SEARCH}{TOGGLE}<p>aria-label=\"Search\" as text</p></body></html>"
    once = mend(page)
    assert mend(once) == once and '<p>aria-label="Search" as text</p>' in once
