"""The language editions: complete catalogues, numbers and script by language, the review notice,
the language menu (the four non-English books are built in tests/book/test_languages.py)."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from socta.book import extension, stage
from socta.core.config import Project
from socta.i18n import messages
from socta.i18n import translate as i18n

from ..helpers import REPO

TRANSLATED = [lang for lang, spec in i18n.languages().items() if lang != "en" and "transliterate" not in spec]
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
    assert i18n.fmt_date(day, "en") == "29 November 2026"
    assert i18n.fmt_date(day, "sr") == "29. новембар 2026."
    assert i18n.fmt_date(day, "sr-Latn") == "29. novembar 2026."
    assert "ноември" in i18n.fmt_date(day, "mk")


@pytest.mark.parametrize("lang, names", [
    ("en", ["Albania", "Bosnia and Herzegovina", "Kosovo", "ZZZ"]),
    ("sr", ["Албанија", "Босна и Херцеговина", "Косово", "ZZZ"]),
    ("sr-Latn", ["Albanija", "Bosna i Hercegovina", "Kosovo", "ZZZ"]),
    ("mk", ["Албанија", "Босна и Херцеговина", "Косово", "ZZZ"]),
    ("cnr", ["Albanija", "Bosna i Hercegovina", "Kosovo", "ZZZ"])])
def test_a_country_outside_the_assessment_is_named_in_the_language(lang, names):
    """A neighbour where groups operate (the places table) by its name, not its ISO3 code; an unknown code as it
    is, never CLDR's "Unknown Region"."""
    assert [i18n.territory_name(code, lang) for code in ("ALB", "BIH", "XKX", "ZZZ")] == names


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
        expected = cyrillic
        for name_cyrillic, name_latin in i18n.protected_names().items():  # Фронтекс → Frontex, not Fronteks
            expected = expected.replace(name_cyrillic, name_latin)
        assert latin.lower() == cyrtranslit.to_latin(expected, "sr").lower()
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


def test_the_menu_hides_editions_and_the_pdf_not_built_and_shows_them_once_built(tmp_path):
    """A link to an edition or to a PDF that is not built is hidden, never a dead end; once that edition is
    built, the pages of the editions built before it show the link (socta.book.build.show_what_exists)."""
    from socta.book.build import show_what_exists

    languages = [["en", "English"], ["sr", "Српски (ћирилица)"], ["mk", "Македонски"]]
    edition = {"audience": "public", "lang": "en", "pdf": "assessment.pdf", "pdf_label": "PDF"}
    page = tmp_path / "public-en" / "html" / "areas" / "drugs" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(extension.language_menu("areas/drugs/index", edition, languages)
                    + extension.pdf_link("areas/drugs/index", edition), encoding="utf-8")
    show_what_exists(tmp_path, "public")
    text = page.read_text(encoding="utf-8")
    assert text.count(" hidden>") == 3, text          # sr, mk and the PDF
    (tmp_path / "public-sr" / "html" / "areas" / "drugs").mkdir(parents=True)
    (tmp_path / "public-sr" / "html" / "areas" / "drugs" / "index.html").write_text("x", encoding="utf-8")
    (tmp_path / "public-en" / "pdf").mkdir()
    (tmp_path / "public-en" / "pdf" / "assessment.pdf").write_bytes(b"%PDF")
    show_what_exists(tmp_path, "public")
    text = page.read_text(encoding="utf-8")
    assert 'data-needs="public-sr/html/areas/drugs/index.html">' in text
    assert 'data-needs="public-mk/html/areas/drugs/index.html" hidden>' in text
    assert 'data-needs="public-en/pdf/assessment.pdf"><a href="../../../../public-en/pdf/assessment.pdf" download>' in text
