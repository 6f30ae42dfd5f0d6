"""The four non-English books built from the demo: every message translated, no English left on a
page, the review notice and the language menu on every page, numbers in the language, Cyrillic as text
in the PDF (catalogues, numbers, script and menu are checked in tests/unit/test_languages.py)."""
from __future__ import annotations

import csv
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from socta.book import stage
from socta.i18n import translate as i18n

from ..helpers import REPO, pdf_metadata
from .books import LANGUAGE_AREAS, LANGUAGES, PDF_LANGUAGES

CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


# ---- the four editions, built ------------------------------------------------------------------

LANGUAGE_MENU = re.compile(r'<nav class="socta-languages".*?</nav>', re.S)


class Visible(HTMLParser):
    """The text a reader sees in a page's article, navigation and banner (code cells, scripts and the
    language menu, which names each language in its own script, left out)."""

    REGIONS = ("bd-article", "bd-docs-nav", "bd-header-announcement", "bd-footer-article", "bd-search")

    def __init__(self, text: str):
        super().__init__()
        self.stack: list[tuple[bool, bool]] = []
        self.parts: list[str] = []
        self.feed(LANGUAGE_MENU.sub(" ", text))

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "input", "hr", "col", "wbr", "source"):
            return
        cls = dict(attrs).get("class") or ""
        inside = any(r in cls for r in self.REGIONS) or (bool(self.stack) and self.stack[-1][0])
        hidden = (tag in ("script", "style") or "cell_input" in cls or "highlight" in cls
                  or (bool(self.stack) and self.stack[-1][1]))
        self.stack.append((inside, hidden))

    def handle_endtag(self, tag):
        if tag not in ("br", "img", "meta", "link", "input", "hr", "col", "wbr", "source") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] and not self.stack[-1][1]:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


WORD = re.compile(r"[A-Za-z]{4,}")


def book_pages(html: Path) -> list[Path]:
    """The pages of a built book (not the theme's files in _static, nor search, the index or the redirect)."""
    return [p for p in sorted(html.rglob("*.html")) if not p.relative_to(html).parts[0].startswith("_")
            and p.relative_to(html).as_posix() not in ("search.html", "genindex.html", "index.html")]


def data_texts() -> list[str]:
    """Texts the book quotes from the data as they are: source and publication names, licences (names
    and citations are not translated)."""
    texts = []
    folders = [REPO / "data" / "demo", REPO / "data" / "open_sources"]
    for path in [p for folder in folders for p in folder.glob("*.csv")]:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts += [row[c] for c in ("source", "publisher", "title", "licence", "date_retrieved_or_published",
                                           "source_name", "description", "country") if row.get(c)]
    from socta.pages.formatting import publisher

    texts += [publisher(text) for text in texts]  # a figure's source line names the publisher, as written
    texts += [text.replace("'", "’") for text in texts]  # as Sphinx's smart quotes print them
    return sorted(set(texts), key=len, reverse=True)


def untranslated_narrative(source: Path, lang: str) -> list[str]:
    """The paragraphs of the analysts' texts an edition shows in English because nobody translated them
    (with the note that says so): text of the data, as quoted texts are."""
    import nbformat

    from socta.core.config import Project
    from socta.core.markup import plain
    from socta.narrative import files

    project = Project(data_dir=REPO / "data" / "demo")
    texts = []
    for text_file in files.all_files(project):
        if text_file.lang != files.source_language(project) or not files.find(project, lang, text_file.page).fallback:
            continue
        staged = source / f"{text_file.page}.ipynb"
        cells = [c.source for c in nbformat.read(staged, as_version=4).cells if c.get("metadata", {}).get("socta_narrative")] \
            if staged.is_file() else [(source / "narrative" / f"{text_file.page}.md").read_text(encoding="utf-8")]
        for cell in cells:
            for line in cell.splitlines():  # headings are the edition's own (translated) section titles
                if line.strip() and not line.startswith(("```", "#", ":", "%")):
                    # each run between emphasis marks: the page joins the text of its elements with spaces
                    line = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", plain(line))
                    texts += [run.strip() for run in re.split(r"\*+", line)
                              if len(run.strip()) >= 8 and re.search(r"[A-Za-z]{4}", run)]  # a run of English
    texts += [text.replace("'", "’") for text in texts]  # as Sphinx's smart quotes print them
    return [t for t in texts if t]


def english_words(lang: str) -> set[str]:
    """Words of the English messages that the language's own text never uses: names and codes (Europol,
    SOCTA) and words the languages share (trend, period, region in Serbian Latin) are not English here."""
    def words(text):
        return {w.lower() for w in WORD.findall(re.sub(r"\{\w+\}", " ", text or ""))}

    with open(i18n.LOCALE_DIR / "socta.pot", "rb") as fh:
        english = set().union(*(words(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh) if m.id))
    with open(i18n.catalogue_path(i18n.catalogue_language(lang)), "rb") as fh:
        translated = " ".join(s for m in read_po(fh) if m.id
                              for s in (m.string if isinstance(m.string, tuple) else (m.string,)))
    static = " ".join(p.read_text(encoding="utf-8") for p in (REPO / "book" / i18n.catalogue_language(lang)).glob("*.md"))
    import cyrtranslit

    own = translated + " " + static
    return english - words(own) - words(cyrtranslit.to_latin(own, "sr")) - words(i18n.transliterate(own, lang))


def test_no_message_reached_a_page_untranslated(language_editions):
    """Every string the notebooks and the build passed to t() in the four editions had a translation:
    figure titles, axis labels and legends included, which no text scan of the HTML can see."""
    missing = language_editions / "untranslated.txt"
    lines = sorted(set(missing.read_text(encoding="utf-8").splitlines())) if missing.is_file() else []
    assert lines == [], f"{len(lines)} message(s) without a translation: {lines[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_left_on_any_page(language_editions, lang):
    html = language_editions / f"public-{lang}" / "html"
    english = english_words(lang)
    quoted = sorted(data_texts() + untranslated_narrative(html.parent / "source", lang), key=len, reverse=True)
    pages = book_pages(html)
    # every page of the book: a crime area's four, the OCG chapter's four, the five of the region, and more
    assert len(pages) >= 4 * len(LANGUAGE_AREAS) + 4 + 5, [p.name for p in pages]
    found = {}
    for page in pages:
        text = Visible(page.read_text(encoding="utf-8")).text
        for citation in quoted:
            text = text.replace(citation, " ")
        # file names, codes and software with its version (jupyter-book 1.0.4) are names, not English
        text = re.sub(r"\S+\.(csv|yaml|yml|md|ipynb|py)\b|\b\w+_\w+\b|\b[A-Za-z][\w.-]*\s+\d+\.\d+\S*", " ", text)
        left = sorted({w for w in WORD.findall(text) if w.lower() in english})
        if left:
            found[str(page.relative_to(html))] = left
    assert not found, f"English words on {len(found)} page(s) of the {lang} edition: {dict(list(found.items())[:5])}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_in_the_language_with_menu_and_notice(language_editions, lang):
    html = language_editions / f"public-{lang}" / "html"
    index = (html / "intro.html").read_text(encoding="utf-8")  # index.html only redirects to it
    intro = (REPO / "book" / i18n.catalogue_language(lang) / "intro.md").read_text(encoding="utf-8")
    heading = i18n.transliterate(next(line for line in intro.splitlines() if line.startswith("# "))[2:].strip(), lang)
    assert heading in index  # the static page in the language (transliterated for sr-Latn)
    i18n.set_language(lang)
    notice = stage.review_notice(lang)
    for page in book_pages(html):
        text = page.read_text(encoding="utf-8")
        assert notice in text, f"{page}: no review notice"
        # the theme's words too (the themes have no Macedonian: socta's catalogue supplies them)
        assert "Skip to main content" not in text and i18n.t("Skip to main content") in text
        assert '<nav class="socta-languages"' in text, f"{page}: no language menu"
        # the sidebar's expanders named in the language (socta/book/accessible.py)
        assert '<summary><span class="toctree-toggle"' not in text and "Toggle hidden content" not in text, page
        # the page's language as a BCP 47 tag, each edition its own (not Sphinx's sr@latin, for two of them)
        assert re.search(rf'<html lang="{re.escape(lang)}"', text), f"{page}: {re.search(r'<html[^>]*>', text)}"
        rel = page.relative_to(html).with_suffix("").as_posix()
        links = dict((code, href) for href, code in re.findall(r'<a href="([^"]+)" lang="([^"]+)" hreflang', text))
        assert sorted(links) == sorted(set(i18n.languages()) - {lang}), f"{page}: menu {links}"
        for code, href in links.items():
            target = (page.parent / href).resolve()
            assert target.relative_to(language_editions.resolve()).as_posix() == f"public-{code}/html/{rel}.html"
            assert code == "en" or target.is_file(), f"{page}: the language menu's link {href} leads nowhere"
        if lang in ("sr-Latn", "cnr"):
            visible = Visible(text).text
            assert not CYRILLIC.search(visible), f"{page}: Cyrillic in a Latin edition: {CYRILLIC.findall(visible)[:5]}"


def test_numbers_on_the_pages_follow_the_language(language_editions):
    """A Serbian page groups thousands with a point and writes decimals with a comma."""
    page = Visible((language_editions / "public-sr" / "html" / "areas" / "drugs" / "index.html").read_text(encoding="utf-8")).text
    assert re.search(r"\b\d{1,3}\.\d{3}\b", page)
    assert re.search(r"\b\d+,\d\b", page)


@pytest.mark.parametrize("lang", PDF_LANGUAGES)
def test_pdf_has_the_language_as_text(language_editions, lang):
    """The PDF holds the edition's words as text (not missing-glyph boxes), hyphenated by the language's
    patterns, with the review notice on the cover."""
    edition = language_editions / f"public-{lang}"
    pdf = edition / "pdf" / "assessment.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    i18n.set_language(lang)
    flat = re.sub(r"\s+", " ", text)
    for phrase in (i18n.t("Regional Serious and Organised Crime Threat Assessment"), i18n.t("Drug trafficking"),
                   i18n.t("PUBLIC"), stage.review_notice(lang)[:40]):
        assert phrase in flat, f"{lang} PDF lacks {phrase!r}"
    if lang in ("sr", "mk"):
        assert len(CYRILLIC.findall(text)) > 10000
    log = (edition / "build-pdf.log").read_text(encoding="utf-8")
    assert "No hyphenation patterns" not in log and "Missing character" not in log
    tex = next((edition / "work" / "_build" / "latex").glob("*.tex")).read_text(encoding="utf-8")
    assert i18n.spec(lang)["latex_babel"] in tex
    # the document's title, author, marking and language, in the edition's language
    meta = pdf_metadata(pdf)
    assert meta["Title"] == i18n.t("Regional Serious and Organised Crime Threat Assessment") and meta["Author"]
    assert meta["Subject"] == f'{i18n.t("PUBLIC")} · {i18n.t("Serbia, Montenegro and North Macedonia")}'
    assert meta["Lang"] == lang and i18n.t("Ministry of Interior of Montenegro") in meta["Author"]


# the pages a translator reviewed for issue 25: the conclusions, a regional crime-area page and a country's page
REVIEWED_PAGES = ("conclusions.html", "areas/drugs/index.html", "areas/migrant_smuggling/countries/montenegro.html")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_language_checks_find_nothing_on_the_reviewed_pages(language_editions, lang):
    """No numeral with the wrong case after it, no ekavian word in Montenegrin, no letter of the other script,
    no word said twice and no English word in the text of the pages a native reviewer counted errors on (the
    data's own words, such as a publisher's name, are quoted as written)."""
    from socta.i18n.checks import language_problems

    from ..helpers import reader_text

    html = language_editions / f"public-{lang}" / "html"
    quoted = tuple(data_texts() + untranslated_narrative(html.parent / "source", lang))
    found = {page: [str(p) for block in reader_text(html / page) for p in language_problems(block, lang, quoted)]
             for page in REVIEWED_PAGES}
    assert all(reader_text(html / page) for page in REVIEWED_PAGES)
    assert not any(found.values()), {page: problems[:8] for page, problems in found.items() if problems}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_footer_names_the_issuers_and_the_date_in_the_language(language_editions, lang):
    """The theme's footer put the issuers after "Од стране" in the nominative and the date in English order
    ("Last updated on дец 07, 2026"); socta's footer says both in whole sentences of the edition's language."""
    import datetime

    from bs4 import BeautifulSoup

    page = language_editions / f"public-{lang}" / "html" / "conclusions.html"
    footer = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(".socta-footer")
    lines = [f.get_text(" ", strip=True) for f in footer]
    i18n.set_language(lang)
    try:
        built = datetime.date.fromtimestamp(page.stat().st_mtime)
        assert lines[-1] == i18n.t("Date of this edition: {date}", date=i18n.fmt_date(built, lang)), lines
        assert not lines[-1].endswith(".."), lines
        assert lines[0].startswith(i18n.t("Issued by: {authorities}.", authorities="").split("{")[0].rstrip(" .")), lines
    finally:
        i18n.set_language("en")
    assert "Last updated" not in page.read_text(encoding="utf-8")
    # the theme's sidebar buttons, which it titles in English, carry the edition's words
    assert 'title="Toggle primary sidebar"' not in page.read_text(encoding="utf-8")
