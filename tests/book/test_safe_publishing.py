"""Safe publishing on the whole book: a copy of the demo data whose every text field carries every
payload (``tests/payloads.py``), built in both audiences: no payload ran or renders as markup, nothing
outside the edition is published, the PDF carries the payloads as text, and every page carries a
Content-Security-Policy. The escaping and the Sphinx gate are tested apart in tests/unit/test_safe_publishing.py.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from ..payloads import COMPUTED, HTML_ID, SECRET

# ---- the whole book from hostile data, both audiences -------------------------------------------

class _Page(HTMLParser):
    """Elements and visible text of an HTML page (scripts and styles are not text)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def pages(hostile, audience):
    html = hostile["build"] / f"{audience}-en" / "html"
    return {p.relative_to(html).as_posix(): p.read_text(encoding="utf-8") for p in html.rglob("*.html")}


def test_no_payload_ran_during_the_build(hostile):
    assert not hostile["marker"].exists()
    for audience in ("public", "restricted"):
        for name, text in pages(hostile, audience).items():
            visible = " ".join(_Page(text).text)
            assert COMPUTED not in visible, (audience, name)
            assert "<class '" not in visible, (audience, name)  # "{0.__class__}" formatted by str.format


@pytest.mark.parametrize("audience", ["public", "restricted"])
def test_no_payload_renders_as_markup(hostile, audience):
    shown = 0
    for name, text in pages(hostile, audience).items():
        page = _Page(text)
        for tag, attrs in page.elements:
            assert attrs.get("id") != HTML_ID, (name, tag)
            assert not (tag == "img" and (attrs.get("src") == "x" or "evil.example" in (attrs.get("src") or ""))), name
            assert not any(k.startswith("on") and "alert" in (v or "") for k, v in attrs.items()), (name, tag, attrs)
            assert not (tag == "a" and (attrs.get("href") or "").startswith("javascript:")), name
            assert "math" not in (attrs.get("class") or "").split(), name
        assert "<script>alert" not in text, name
        visible = " ".join(page.text)
        shown += f'<b id="{HTML_ID}">bold</b>' in visible and "{{ 12345*9 }}" in visible
    assert shown >= 12, f"the payload is shown as text on {shown} pages only"  # it reached the pages, as text


@pytest.mark.parametrize("audience", ["public", "restricted"])
def test_nothing_outside_the_edition_is_published(hostile, audience):
    html = hostile["build"] / f"{audience}-en" / "html"
    assert not (html / "_downloads").exists()
    for path in html.rglob("*"):
        assert path.suffix != ".parquet", path
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_the_pdf_carries_the_payloads_as_text(hostile):
    from socta.book.leaks import pdf_text

    pdf = hostile["build"] / "public-en" / "pdf" / "assessment.pdf"
    text = pdf_text(pdf)
    assert SECRET not in text and COMPUTED not in text
    assert "input{" in text and "12345*9" in text  # the LaTeX command and the template, printed as written


def test_every_page_carries_a_content_security_policy(hostile):
    policy = re.compile(r'<head[^>]*>\s*<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
    for audience in ("public", "restricted"):
        for name, text in pages(hostile, audience).items():
            if "<head" not in text:  # index.html: a redirect to the first page
                continue
            match = policy.search(text)
            assert match, (audience, name)
            assert "default-src &#x27;none&#x27;" in match.group(1)
            assert "unsafe-inline&#x27;; style" not in match.group(1) and "script-src &#x27;self&#x27;" in match.group(1)


def test_each_edition_marks_its_banner_in_a_colour_of_its_own(hostile):
    """A reader tells the public and the restricted edition apart by the banner's colour too: each edition's
    pages link its own stylesheet, written when it is staged (socta/book/stage.py BANNER_COLOURS)."""
    from socta.book.stage import BANNER_COLOURS

    for audience in ("public", "restricted"):
        html = hostile["build"] / f"{audience}-en" / "html"
        css = (html / "_static" / "socta-edition.css").read_text(encoding="utf-8")
        assert f"background: {BANNER_COLOURS[audience]};" in css, (audience, css)
        for name, text in pages(hostile, audience).items():
            if "bd-header-announcement" in text:
                assert "_static/socta-edition.css" in text, (audience, name)


def test_every_table_of_the_restricted_pdf_fits_its_page(hostile):
    """The restricted register (eight columns, a row per group) ran off the page and cut its countries,
    grades and handling codes; a long or wide table now gives LaTeX its column widths (socta.pages.render)."""
    from ..helpers import words_off_the_page

    pdf = hostile["build"] / "restricted-en" / "pdf" / "assessment.pdf"
    off = words_off_the_page(pdf)
    assert not off, f"{len(off)} words beyond the margin, e.g. {off[:5]}"
