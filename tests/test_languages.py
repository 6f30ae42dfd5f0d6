"""The language editions: complete catalogues, numbers and script by language, the review notice,
the language menu, and the four non-English books built from the demo (no English left on a page,
Cyrillic as text in the PDF)."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from socta.book import extension, stage
from socta.core.config import Project
from socta.i18n import messages
from socta.i18n import translate as i18n

from .helpers import REPO, socta

TRANSLATED = [lang for lang, spec in i18n.languages().items() if lang != "en" and "transliterate" not in spec]
EDITIONS = [lang for lang in i18n.languages() if lang != "en"]
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


# ---- catalogues -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete(lang):
    status = messages.catalogue_status(lang)
    assert status["messages"] > 600
    assert status["untranslated"] == [], f"{lang}: untranslated {status['untranslated'][:5]}"
    assert status["fuzzy"] == [], f"{lang}: fuzzy (a guess awaiting a translator) {status['fuzzy'][:5]}"
    assert status["placeholders"] == [], f"{lang}: placeholders differ from the English {status['placeholders'][:5]}"


def test_catalogue_status_finds_what_is_missing(tmp_path, monkeypatch):
    """The completeness check itself: a missing, a fuzzy and a broken message are each reported."""
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    po = locale / "sr" / "LC_MESSAGES" / "socta.po"
    with open(po, "rb") as fh:
        catalog = read_po(fh)
    catalog.get("Drug trafficking").string = ""
    catalog.get("Cybercrime").flags.add("fuzzy")
    catalog.get("Key judgement: {area}").string = "Кључна оцена: {podrucje}"
    from babel.messages.pofile import write_po

    with open(po, "wb") as fh:
        write_po(fh, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    status = messages.catalogue_status("sr")
    assert status["untranslated"] == ["Drug trafficking"]
    assert status["fuzzy"] == ["Cybercrime"]
    assert status["placeholders"] == ["Key judgement: {area}"]
    # a fuzzy entry is not used: the page prints the English until a translator confirms it
    assert i18n.read_catalogue(po).gettext("Cybercrime") == "Cybercrime"


def test_template_holds_every_message_of_the_code(tmp_path):
    """`make messages` was run: the committed template has every message the code and templates use."""
    pot = tmp_path / "socta.pot"
    subprocess.run([str(Path(shutil.which("pybabel") or REPO / ".venv/bin/pybabel")), "extract", "--no-location",
                    "-k", "t", "-k", "tn:1,2", "-k", "N_", "-o", str(pot), str(REPO / "socta")],
                   check=True, capture_output=True)
    messages.append_template_messages(pot, REPO / "notebooks", REPO / "data" / "reference")

    def ids(path):
        with open(path, "rb") as fh:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}

    missing = ids(pot) - ids(i18n.LOCALE_DIR / "socta.pot")
    assert not missing, f"run `make messages`: {sorted(missing)[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_glossary_terms_are_used(lang):
    """The terms of the trade are fixed per language, and a message that is exactly a glossary term is
    translated by that term (its first word's stem, so an inflected form passes)."""
    with open(i18n.LOCALE_DIR / lang / "glossary.csv", encoding="utf-8", newline="") as fh:
        glossary = {row["term_en"].lower(): row[f"term_{lang}"] for row in csv.DictReader(fh)}
    required = ["organised crime group", "key judgement", "source reliability", "information assessment",
                "expert assessment", "ocg register"]
    with open(REPO / "data" / "reference" / "probability_yardstick.csv", encoding="utf-8") as fh:
        required += [row["term"] for row in csv.DictReader(fh)]  # the estimative-language terms
    assert not [term for term in required if term not in glossary], f"{lang} glossary lacks terms"
    with open(i18n.catalogue_path(lang), "rb") as fh:
        catalogue = {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.id, str)}
    checked = 0
    for term_en, term in glossary.items():
        for msgid in {term_en, term_en.capitalize()} & set(catalogue):
            stem = term.split("/")[0].split()[0].lower()[:4]
            assert stem in catalogue[msgid].lower(), f"{lang}: {msgid!r} → {catalogue[msgid]!r}, glossary: {term!r}"
            checked += 1
    assert checked >= 10


# ---- numbers, dates, script -------------------------------------------------------------------

@pytest.mark.parametrize("lang, number, percent", [
    ("en", "1,234,567.9", "25%"), ("sr", "1.234.567,9", "25%"), ("sr-Latn", "1.234.567,9", "25%"),
    ("mk", "1.234.567,9", "25%"), ("cnr", "1.234.567,9", "25%")])
def test_numbers_follow_the_language(lang, number, percent):
    assert i18n.fmt_number(1234567.89, 1, lang) == number
    assert i18n.fmt_percent(0.25, 0, lang) == percent


def test_dates_follow_the_language():
    import datetime

    day = datetime.date(2026, 11, 29)
    assert i18n.fmt_date(day, "en") == "November 29, 2026"
    assert i18n.fmt_date(day, "sr") == "29. новембар 2026."
    assert i18n.fmt_date(day, "sr-Latn") == "29. novembar 2026."
    assert "ноември" in i18n.fmt_date(day, "mk")


def test_serbian_latin_is_the_cyrillic_catalogue_transliterated():
    import cyrtranslit

    with open(i18n.LOCALE_DIR / "socta.pot", "rb") as fh:
        msgids = [m.id for m in read_po(fh) if m.id and isinstance(m.id, str)]
    for msgid in msgids:
        i18n.set_language("sr")
        cyrillic = i18n.t(msgid) if "{" not in msgid else i18n._catalogue("sr").gettext(msgid)
        i18n.set_language("sr-Latn")
        latin = i18n.t(msgid) if "{" not in msgid else i18n._catalogue("sr-Latn").gettext(msgid)
        assert not CYRILLIC.search(latin), latin
        assert latin.lower() == cyrtranslit.to_latin(cyrillic, "sr").lower()
    i18n.set_language("sr-Latn")
    assert i18n.t("Drug trafficking") == "Trgovina drogom"
    # a word in capitals keeps its digraph in capitals (a marking, a heading)
    assert i18n.transliterate("ЉУБИША Љубиша ЊЕГОШ", "sr-Latn") == "LJUBIŠA Ljubiša NJEGOŠ"


def test_missing_message_is_recorded(tmp_path, monkeypatch):
    """A string that reaches t() without a translation prints in English and is written down, which is
    how the editions' build finds messages missing from the catalogue."""
    record = tmp_path / "missing.txt"
    monkeypatch.setenv("SOCTA_I18N_MISSING", str(record))
    i18n.set_language("mk")
    assert i18n.t("A sentence nobody translated") == "A sentence nobody translated"
    assert i18n.t("Drug trafficking") != "Drug trafficking"
    assert record.read_text(encoding="utf-8") == "A sentence nobody translated\n"


# ---- review state, menu ------------------------------------------------------------------------

def test_review_notice_until_a_reviewer_marks_the_language(monkeypatch):
    registry = {code: dict(spec) for code, spec in i18n.languages().items()}
    monkeypatch.setattr(i18n, "languages", lambda: registry)
    i18n.set_language("mk")
    assert "сè уште не е прегледан" in stage.review_notice("mk")
    assert stage.review_notice("en") == ""
    registry["sr"]["reviewed"] = "Jelena Petrović, 2026-12-01"
    i18n.set_language("sr")
    assert stage.review_notice("sr") == "" and i18n.review_state("sr-Latn") is None  # Latin follows Cyrillic
    assert i18n.review_state("cnr") == "not reviewed"


def test_language_menu_links_the_same_page_in_each_edition():
    languages = [["en", "English"], ["sr", "Српски (ћирилица)"], ["mk", "Македонски"]]
    menu = extension.language_menu("areas/drugs/countries/serbia", {"audience": "restricted", "lang": "sr"}, languages)
    assert 'href="../../../../../restricted-en/html/areas/drugs/countries/serbia.html"' in menu
    assert 'href="../../../../../restricted-mk/html/areas/drugs/countries/serbia.html"' in menu
    assert '<span class="socta-lang-current" lang="sr" aria-current="true">Српски (ћирилица)</span>' in menu
    assert extension.language_menu("index", {"audience": "public", "lang": "en"}, languages).count('href="../../public-') == 2
    assert extension.language_menu("index", {"audience": "public", "lang": "en"}, []) == ""


def test_edition_config_per_language(tmp_path):
    project = Project(build_dir=tmp_path)
    config = stage.edition_config(project, "public", "mk")
    sphinx = config["sphinx"]["config"]
    assert sphinx["language"] == "mk"
    assert sphinx["latex_elements"]["babel"] == r"\usepackage{babel}\babelprovide[import,main]{macedonian}"
    assert config["title"] == "Регионална проценка на заканата од сериозен и организиран криминал"
    assert "ЈАВНО" in sphinx["html_theme_options"]["announcement"]
    assert "сè уште не е прегледан" in sphinx["html_theme_options"]["announcement"]
    assert [code for code, _ in sphinx["socta_languages"]] == ["en", "sr", "sr-Latn", "mk", "cnr"]
    latin = stage.edition_config(project, "public", "cnr")["sphinx"]["config"]
    assert latin["latex_elements"]["babel"] == r"\usepackage[serbian]{babel}" and latin["socta_latex_name"] == "serbian"
    assert latin["socta_latin_script"] and latin["numfig_format"]["table"] == "Tabela %s"
    english = stage.edition_config(project, "public", "en")["sphinx"]["config"]
    assert "babel" not in english["latex_elements"] and "nb_code_prompt_show" not in english
    assert stage.edition_config(project, "training", "en")["sphinx"]["config"]["socta_languages"] == []


# ---- the four editions, built ------------------------------------------------------------------

# the two Cyrillic PDFs, each with its own LaTeX language setting; the Latin one (babel serbian, sr-Latn
# and cnr) is built by `make editions` and its setting checked in test_edition_config_per_language
PDF_LANGUAGES = ["sr", "mk"]


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """The public demo book in sr, sr-Latn, mk and cnr: HTML for each (warnings are errors), the PDF for
    each Cyrillic language. The data are processed once; each language runs its own pages."""
    import os

    build_dir = tmp_path_factory.mktemp("languages")
    missing = build_dir / "untranslated.txt"  # every string that reaches t() without a translation
    os.environ["SOCTA_I18N_MISSING"] = str(missing)
    try:
        # the English edition is built and tested on its own (conftest.edition); its pages are the
        # language menu's one target not built here
        result = socta("report", "--lang", ",".join(EDITIONS), "--build-dir", build_dir, "--jobs", "2",
                       "--formats", "html", "--quiet")
    finally:
        del os.environ["SOCTA_I18N_MISSING"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    result = socta("build", "--lang", ",".join(PDF_LANGUAGES), "--build-dir", build_dir, "--formats", "pdf")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return build_dir


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
    texts += [text.replace("'", "’") for text in texts]  # as Sphinx's smart quotes print them
    return sorted(set(texts), key=len, reverse=True)


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


@pytest.mark.slow
def test_no_message_reached_a_page_untranslated(editions):
    """Every string the notebooks and the build passed to t() in the four editions had a translation:
    figure titles, axis labels and legends included, which no text scan of the HTML can see."""
    missing = editions / "untranslated.txt"
    lines = sorted(set(missing.read_text(encoding="utf-8").splitlines())) if missing.is_file() else []
    assert lines == [], f"{len(lines)} message(s) without a translation: {lines[:10]}"


@pytest.mark.slow
@pytest.mark.parametrize("lang", EDITIONS)
def test_no_english_left_on_any_page(editions, lang):
    html = editions / f"public-{lang}" / "html"
    english, quoted = english_words(lang), data_texts()
    pages = book_pages(html)
    assert len(pages) >= 30
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


@pytest.mark.slow
@pytest.mark.parametrize("lang", EDITIONS)
def test_every_page_in_the_language_with_menu_and_notice(editions, lang):
    html = editions / f"public-{lang}" / "html"
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
        rel = page.relative_to(html).with_suffix("").as_posix()
        links = dict((code, href) for href, code in re.findall(r'<a href="([^"]+)" lang="([^"]+)" hreflang', text))
        assert sorted(links) == sorted(set(i18n.languages()) - {lang}), f"{page}: menu {links}"
        for code, href in links.items():
            target = (page.parent / href).resolve()
            assert target.relative_to(editions.resolve()).as_posix() == f"public-{code}/html/{rel}.html"
            assert code == "en" or target.is_file(), f"{page}: the language menu's link {href} leads nowhere"
        if lang in ("sr-Latn", "cnr"):
            visible = Visible(text).text
            assert not CYRILLIC.search(visible), f"{page}: Cyrillic in a Latin edition: {CYRILLIC.findall(visible)[:5]}"


@pytest.mark.slow
def test_numbers_on_the_pages_follow_the_language(editions):
    """A Serbian page groups thousands with a point and writes decimals with a comma."""
    page = Visible((editions / "public-sr" / "html" / "areas" / "drugs" / "index.html").read_text(encoding="utf-8")).text
    assert re.search(r"\b\d{1,3}\.\d{3}\b", page)
    assert re.search(r"\b\d+,\d\b", page)


@pytest.mark.slow
@pytest.mark.parametrize("lang", PDF_LANGUAGES)
def test_pdf_has_the_language_as_text(editions, lang):
    """The PDF holds the edition's words as text (not missing-glyph boxes), hyphenated by the language's
    patterns, with the review notice on the cover."""
    edition = editions / f"public-{lang}"
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
