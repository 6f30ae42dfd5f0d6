"""WCAG 2.1 AA, as the EU Web Accessibility Directive asks of a public body's web pages: axe-core in a real
headless Chromium (tests/accessibility.py) finds no serious or critical violation on the built pages,
the theme's included. Every page of the public English edition, at desktop and phone width; in every other
edition, one page of each kind (the pages of a kind share their template, the language and the data differ)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.accessibility import audit, axe_version, blocking, chromium, pages_of

from .books import LANGUAGES

# a page of each kind: the front page, the findings, a crime area's regional and country pages, the
# groups, the method, the provenance annex (the longest), the glossary and the search page
KINDS = ["intro.html", "conclusions.html", "areas/drugs/index.html", "areas/drugs/countries/serbia.html",
         "ocg/index.html", "methodology.html", "annex/provenance.html", "glossary.html", "search.html"]


@pytest.fixture(scope="module", autouse=True)
def browser_present():
    if chromium() is None:
        pytest.fail("no chromium on this machine: `make browser` installs Debian's (make test does it)")


def kinds_of(html: Path) -> list[Path]:
    pages = [html / name for name in KINDS if (html / name).is_file()]
    assert len(pages) >= 5, f"{html}: expected the pages {KINDS}"
    return pages


def test_axe_tells_a_broken_page(tmp_path):
    """The check can fail: a page with an image without alt text, a button without a name and no language."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><title>x</title></head><body><main><img src='a.png'>"
                    "<button></button><p style='color:#bbb;background:#fff'>pale text</p></main></body></html>")
    found = {v["id"] for v in audit([page])[page]}
    assert {"image-alt", "button-name", "html-has-lang", "color-contrast"} <= found, found
    assert axe_version().startswith("4.")


def test_every_page_of_the_public_edition(book):
    found = audit(pages_of(book))
    assert len(found) >= 30, "every page of the book is audited"
    problems = blocking(found, book)
    assert not problems, "\n".join(problems)


def test_pages_at_phone_width(book):
    """At 375 pixels the theme folds its sidebars: the folded navigation and the figures are checked there too."""
    problems = blocking(audit(kinds_of(book), width=375), book)
    assert not problems, "\n".join(problems)


def test_every_language_edition(language_editions):
    pages = [page for lang in LANGUAGES for page in kinds_of(language_editions / f"public-{lang}" / "html")]
    problems = blocking(audit(pages), language_editions)
    assert not problems, "\n".join(problems)


def test_the_restricted_edition(hostile):
    """Built from data whose every text field carries markup and scripts (tests/payloads.py)."""
    html = hostile["build"] / "restricted-en" / "html"
    problems = blocking(audit(kinds_of(html)), html)
    assert not problems, "\n".join(problems)


def test_the_open_data_and_training_editions(open_book, training_book):
    html = open_book / "public-en" / "html"
    lessons = training_book / "html"
    problems = blocking(audit(kinds_of(html)), html) + blocking(audit(pages_of(lessons)[:8]), lessons)
    assert not problems, "\n".join(problems)
