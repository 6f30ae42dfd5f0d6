"""The one door every generated sentence and label goes through.

``t("Drug seizures in {country}", country=name)`` looks the message up in the gettext catalogue of
the current language (``socta/locale/<lang>/LC_MESSAGES/socta.po``, compiled in memory), then fills
in the values, formatting numbers for that language with Babel. English is the source language, so
it needs no catalogue; a Serbian, Macedonian or Montenegrin edition is a catalogue (``make messages``
extracts the strings to ``socta/locale/socta.pot``), not a rewrite. The languages, with their Babel
locale, Sphinx and LaTeX settings and review state, are listed in ``socta/locale/languages.yaml``;
Serbian Latin is the Serbian Cyrillic catalogue transliterated (cyrtranslit).
"""
from __future__ import annotations

import gettext
import re
from functools import lru_cache
from numbers import Number
from pathlib import Path

from babel.numbers import format_decimal, format_percent

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "socta"
SOURCE_LANGUAGE = "en"
_state = {"lang": SOURCE_LANGUAGE}


def set_language(lang: str) -> None:
    _state["lang"] = lang


def language() -> str:
    return _state["lang"]


@lru_cache(maxsize=None)
def _registry(locale_dir: Path) -> dict[str, dict]:
    from .config import read_yaml  # socta.config imports this module

    return read_yaml(locale_dir / "languages.yaml", "the language registry", example="socta/locale/languages.yaml")


def languages() -> dict[str, dict]:
    """Every language socta knows (``socta/locale/languages.yaml``), by code, English first."""
    return _registry(Path(LOCALE_DIR))


def spec(lang: str | None = None) -> dict:
    """The registry entry of ``lang``: Babel locale, Sphinx language, LaTeX babel line, review state."""
    lang = lang or language()
    try:
        return languages()[lang]
    except KeyError:
        raise KeyError(f"no language {lang!r} in {Path(LOCALE_DIR) / 'languages.yaml'} "
                       f"(known: {', '.join(languages())})") from None


def catalogue_path(lang: str) -> Path:
    return Path(LOCALE_DIR) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue_language(lang: str) -> str:
    """The language whose ``.po`` an edition reads: its own, or the one it is transliterated from."""
    return (spec(lang).get("transliterate") or {}).get("from", lang)


REQUIRED_KEYS = ("name", "babel", "sphinx", "script")


def missing_catalogue(lang: str) -> str:
    """Why ``lang`` cannot be published yet, or "" when it can."""
    registry = Path(LOCALE_DIR) / "languages.yaml"
    if lang not in languages():
        return f"{lang!r} is not in {registry} (known: {', '.join(languages())})"
    entry = languages()[lang]
    missing = [key for key in REQUIRED_KEYS if not entry.get(key)]
    if lang != SOURCE_LANGUAGE and "latex_babel" not in entry:
        missing.append("latex_babel")
    if missing:
        return f"{registry}, language {lang}: no {', '.join(missing)} (see the keys explained at the top of the file)"
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(entry["babel"])
    except (UnknownLocaleError, ValueError):
        return f"{registry}, language {lang}, key babel: {entry['babel']!r} is not a Babel locale (e.g. sr_Latn_RS)"
    source = catalogue_language(lang)
    if source != SOURCE_LANGUAGE and not catalogue_path(source).is_file():
        return f"its catalogue {catalogue_path(source)} does not exist (see socta/locale/README.md)"
    return ""


def review_state(lang: str | None = None) -> str | None:
    """``None`` when the edition's translation is reviewed (or is the source); else why it is not."""
    lang = lang or language()
    entry = spec(lang)
    if "transliterate" in entry:
        return review_state(entry["transliterate"]["from"])
    return None if entry.get("reviewed") else "not reviewed"


_CAPS_DIGRAPH = re.compile(r"\b(?=\w*[A-ZČĆŽŠĐ]{2})\w*(?:Lj|Nj|Dž)\w*\b")


def transliterate(text: str, lang: str | None = None) -> str:
    """Text of the language an edition is transliterated from, in the edition's script (cyrtranslit).

    A word in capitals keeps its digraphs in capitals (ЊЕГОШ → NJEGOŠ, not NjEGOŠ)."""
    import cyrtranslit

    rule = spec(lang).get("transliterate")
    if not rule:
        return text
    latin = cyrtranslit.to_latin(text, rule["system"])
    return _CAPS_DIGRAPH.sub(lambda m: m.group().upper(), latin)


class _Transliterated(gettext.NullTranslations):
    """A catalogue read through another one and transliterated (Serbian Latin from Serbian Cyrillic)."""

    def __init__(self, lang: str, base: gettext.NullTranslations):
        super().__init__()
        self.lang, self.base = lang, base

    def gettext(self, message):
        return transliterate(self.base.gettext(message), self.lang)

    def ngettext(self, singular, plural, n):
        return transliterate(self.base.ngettext(singular, plural, n), self.lang)


class _RecordMissing(gettext.NullTranslations):
    """The last fallback of a translated catalogue: a message it lacks is written to the file named by
    ``SOCTA_I18N_MISSING`` (how a test or a translator finds strings that reach t() untranslated)."""

    def gettext(self, message):
        import os

        path = os.environ.get("SOCTA_I18N_MISSING")
        if path and message.strip():
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(message.replace("\n", "\\n") + "\n")
        return message

    def ngettext(self, singular, plural, n):
        self.gettext(singular)
        return singular if n == 1 else plural


def read_catalogue(po: Path) -> gettext.GNUTranslations:
    """A ``.po`` file compiled in memory (Babel): the catalogue a page reads is always the ``.po`` in
    the repository, with no compiled ``.mo`` to forget; fuzzy entries count as untranslated."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    rule = spec(lang).get("transliterate")
    if rule:
        return _Transliterated(lang, _catalogue(rule["from"]))
    translations = read_catalogue(catalogue_path(lang))
    translations.add_fallback(_RecordMissing())
    return translations


def babel_locale(lang: str | None = None) -> str:
    return spec(lang).get("babel", SOURCE_LANGUAGE)


def fmt_number(value: Number, decimals: int = 0, lang: str | None = None) -> str:
    """A number as the edition's language writes it: 1,234.5 in English, 1.234,5 in Serbian."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=babel_locale(lang))


def fmt_percent(value: Number, decimals: int = 0, lang: str | None = None) -> str:
    """A fraction (0.25) as a percentage (25%)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value, format=pattern, locale=babel_locale(lang))


def fmt_date(day, lang: str | None = None) -> str:
    """A date as the edition's language writes it in full (29 November 2026, 29. новембар 2026.)."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=babel_locale(lang))


def t(msgid: str, /, **values) -> str:
    """Translate ``msgid`` into the current language and fill in ``values``.

    Whole numbers are written with thousands separators; pre-formatted strings pass unchanged.
    """
    if not msgid:
        return ""  # gettext("") is a catalogue's header, never a message
    catalogue = _catalogue(language())
    text = catalogue.gettext(msgid)
    if text == msgid and "\\" in msgid:  # a name from data, made inert (socta.markup): translate it as written
        from .markup import inert, plain

        written = plain(msgid)
        if inert(written) == msgid and catalogue.gettext(written) != written:
            text = inert(catalogue.gettext(written))
    formatted = {
        k: fmt_number(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in values.items()
    }
    return text.format(**formatted) if formatted else text


def tn(singular: str, plural: str, n: int, /, **values) -> str:
    """Like :func:`t` for a message whose form depends on a count ``n``."""
    text = _catalogue(language()).ngettext(singular, plural, n)
    return text.format(n=fmt_number(n), **values)


def N_(msgid: str) -> str:
    """Mark a message for the catalogue where it is defined, when ``t()`` receives it later through a
    variable (``t(MARKING)``); returns it unchanged."""
    return msgid


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def catalogue_status(lang: str) -> dict:
    """How complete ``lang``'s catalogue is against the template: counts, and the messages missing,
    fuzzy (a translator's guess awaiting a check) or with placeholders that do not match."""
    from babel.messages.pofile import read_po

    with open(Path(LOCALE_DIR) / f"{DOMAIN}.pot", "rb") as fh:
        template = read_po(fh)
    with open(catalogue_path(lang), "rb") as fh:
        catalog = read_po(fh)
    wanted = [m.id for m in template if m.id]
    status = {"messages": len(wanted), "untranslated": [], "fuzzy": [], "placeholders": []}
    for msgid in wanted:
        message = catalog.get(msgid)
        texts = [s for s in (message.string if isinstance(message.string, tuple) else (message.string,))] if message else []
        if not message or not all(texts):
            status["untranslated"].append(msgid)
        elif message.fuzzy:
            status["fuzzy"].append(msgid)
        elif any((_placeholders(text) ^ _placeholders(msgid if isinstance(msgid, str) else msgid[0])) - {"n"}
                 for text in texts):  # a plural form may write the count {n} in words
            status["placeholders"].append(msgid)
    return status


def code_cell_messages(text: str) -> list[str]:
    """The literal messages of ``t("…")`` calls in a MyST template's code cells (labels and titles
    a template's own figure code draws)."""
    import ast
    import re

    found = []
    for cell in re.findall(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, re.S):
        code = "\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(("%", ":")))
        for node in ast.walk(ast.parse(code)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append(node.args[0].value)
    return found


def template_messages(notebooks_dir: Path) -> dict[str, list[str]]:
    """The messages of the notebook templates: ``{{t:…}}`` placeholders (headings and paragraphs) and
    the ``t("…")`` calls of their code cells."""
    import re

    found: dict[str, list[str]] = {}
    for path in sorted(Path(notebooks_dir).rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        messages = [m.strip() for m in re.findall(r"\{\{\s*t:([^}]+)\}\}", text)] + code_cell_messages(text)
        for message in messages:
            found.setdefault(message, []).append(str(path.relative_to(notebooks_dir)))
    return found


# the text columns of the reference configuration that pages print through t(): names, units, the
# yardstick's terms and openings, the grading meanings, answer words, descriptions, notes, statuses and
# the kind of data a threat indicator rests on; and the open sources' descriptions of their measures
REFERENCE_TEXT = ("name_en", "unit", "term", "opening", "meaning", "answer", "description", "note", "status",
                  "source", "measure", "coverage")
# columns whose codes a page prints as a label (``source_reliability`` → "Source reliability")
LABEL_CODES = ("submarkets", "categories", "dimension")


def code_label(code: str) -> str:
    """The printed label of a code: ``forced_marriage`` → "Forced marriage"."""
    return code.replace("_", " ").capitalize()


def reference_messages(reference_dir: Path, open_sources_dir: Path | None = None) -> dict[str, list[str]]:
    """The texts a page prints from the reference files (and the open sources' measures), the labels
    made from codes, and the names settings.yaml gives (title, region, tiers, bands, OCG structures),
    so a language edition translates them in its catalogue."""
    import csv

    from .config import read_yaml

    found: dict[str, list[str]] = {}
    files = sorted(Path(reference_dir).glob("*.csv"))
    if open_sources_dir is not None:  # sources.csv is bibliography: titles stay as published
        files += [p for p in sorted(Path(open_sources_dir).glob("*.csv")) if p.name != "sources.csv"]
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                columns = REFERENCE_TEXT if path.parent == Path(reference_dir) else ("measure", "unit", "coverage")
                texts = [row[c] for c in columns if row.get(c)]
                for column in LABEL_CODES:
                    texts += [code_label(code) for code in (row.get(column) or "").split("|") if code]
                for text in texts:
                    found.setdefault(text.strip(), []).append(f"{path.parent.name}/{path.name}")
    settings = read_yaml(Path(reference_dir) / "settings.yaml", "the settings")
    from .validation import DEFAULT_OCG_STRUCTURES

    names = [settings["assessment"].get("title", ""), settings["assessment"].get("region_name", "")]
    names += list(settings.get("priority", {}).get("tiers", {}))
    names += [code_label(b) for b in settings.get("ocg_scoring", {}).get("bands", {})]
    names += [code_label(s) for s in settings.get("ocg_structures", DEFAULT_OCG_STRUCTURES)]
    for text in filter(None, names):
        found.setdefault(text, []).append("reference/settings.yaml")
    book = read_yaml(Path(reference_dir).parents[1] / "_config.yml", "the book configuration")
    for key in ("title", "author"):  # the book's title and author, on every page and the PDF's cover
        if book.get(key):
            found.setdefault(book[key], []).append("_config.yml")
    demo = read_yaml(Path(reference_dir).parent / "demo" / "dataset.yaml", "the dataset description")
    found.setdefault(demo["name"], []).append("demo/dataset.yaml")  # another dataset's name prints as it is
    toc = read_yaml(Path(reference_dir).parents[1] / "_toc.yml", "the table of contents")
    for part in toc.get("parts", []):  # the captions of the book's parts, in every page's navigation
        if part.get("caption"):
            found.setdefault(part["caption"], []).append("_toc.yml")
    return found


def append_template_messages(pot: Path, notebooks_dir: Path, reference_dir: Path | None = None) -> int:
    """Add the templates' (and the reference files') messages to the ``.pot`` written by ``pybabel
    extract``; returns how many."""
    from babel.messages.pofile import read_po, write_po

    with open(pot, "rb") as fh:
        catalog = read_po(fh)
    messages = template_messages(notebooks_dir)
    if reference_dir is not None:
        for msgid, places in reference_messages(reference_dir, Path(reference_dir).parent / "open_sources").items():
            messages.setdefault(msgid, []).extend(places)
    for msgid, places in messages.items():
        catalog.add(msgid, locations=[(place, 0) for place in places])
    with open(pot, "wb") as fh:
        write_po(fh, catalog, omit_header=False, no_location=False)
    return len(messages)


def print_status() -> bool:
    """Each catalogue's state, for the translator after ``make messages``; False if one is incomplete."""
    complete = True
    for lang, entry in languages().items():
        if lang == SOURCE_LANGUAGE or "transliterate" in entry or not catalogue_path(lang).is_file():
            continue
        status = catalogue_status(lang)
        todo = len(status["untranslated"]) + len(status["fuzzy"]) + len(status["placeholders"])
        complete &= todo == 0
        print(f"{lang}: {status['messages'] - todo}/{status['messages']} translated; "
              f"{len(status['untranslated'])} untranslated, {len(status['fuzzy'])} fuzzy, "
              f"{len(status['placeholders'])} with placeholders unlike the English; review: {review_state(lang) or 'reviewed'}")
    return complete


if __name__ == "__main__":  # make messages: python -m socta.i18n <pot> | --status
    import sys

    from .config import NOTEBOOKS_DIR, REPO_ROOT

    if sys.argv[1] == "--status":
        sys.exit(0 if print_status() else 1)
    n = append_template_messages(Path(sys.argv[1]), NOTEBOOKS_DIR, REPO_ROOT / "data" / "reference")
    print(f"added {n} template and reference messages to {sys.argv[1]}")
