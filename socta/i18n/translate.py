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

from socta.core.config import read_yaml
from socta.core.markup import inert, plain
from socta.core.memo import parsed

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"  # socta/locale: data, beside the code that reads it

DOMAIN = "socta"

SOURCE_LANGUAGE = "en"

_state = {"lang": SOURCE_LANGUAGE}


def set_language(lang: str) -> None:
    _state["lang"] = lang


def language() -> str:
    return _state["lang"]


@lru_cache(maxsize=None)
def _registry(locale_dir: Path) -> dict[str, dict]:

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


def to_latin(text: str, system: str) -> str:
    """Cyrillic text in Latin letters by cyrtranslit's ``system`` (``sr``): socta's one transliteration, of its
    catalogue and of Sphinx's and the theme's. A word in capitals keeps its digraphs in capitals (ЊЕГОШ →
    NJEGOŠ, not NjEGOŠ)."""
    import cyrtranslit  # imported when a Latin-script edition first needs it

    return _CAPS_DIGRAPH.sub(lambda m: m.group().upper(), cyrtranslit.to_latin(text, system))


def transliterate(text: str, lang: str | None = None) -> str:
    """Text of the language an edition is transliterated from, in the edition's script (languages.yaml
    ``transliterate``); unchanged for an edition that is not transliterated."""
    rule = spec(lang).get("transliterate")
    return to_latin(text, rule["system"]) if rule else text


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


def translated_msgids(lang: str) -> frozenset[str]:
    """Every msgid the catalogue ``lang`` reads (its own, or the one it is transliterated from)
    translates: a name the language writes as English does ("kg") counts, an absent one does not. Asked
    once per language for many names (validation asks for every name of the data)."""
    # the catalogue parsed once per content in this process
    return parsed(catalogue_path(catalogue_language(lang)), "translated msgids",
                  lambda po: frozenset(k for k, v in getattr(read_catalogue(po), "_catalog", {}).items()
                                       if v and isinstance(k, str)))


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


def fmt_list(items: list[str], lang: str | None = None) -> str:
    """Items joined as the language joins a list (CLDR list patterns): "A, B and C", "A, B и C"."""
    from babel.lists import format_list

    return format_list(list(items), locale=babel_locale(lang)) if items else ""


def fmt_date(day, lang: str | None = None) -> str:
    """A date as the edition's language writes it in full (29 November 2026, 29. новембар 2026.)."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=babel_locale(lang))


# names a data folder gives in an edition's language (reference/names.csv), for what its configuration
# adds and the catalogues cannot know: language → English name → name (see :func:`use_data_names`)
_DATA_NAMES: dict[str, dict[str, str]] = {}


def use_data_names(lang: str, names: dict[str, str]) -> None:
    """The data folder's names in ``lang`` (``Reference.data_names``), used where the catalogue has no
    translation: a catalogue's reviewed term is never replaced. Replaces the names set before."""
    _DATA_NAMES.clear()
    _DATA_NAMES[lang] = dict(names)


def t(msgid: str, /, **values) -> str:
    """Translate ``msgid`` into the current language and fill in ``values``.

    Whole numbers are written with thousands separators; pre-formatted strings pass unchanged.
    """
    if not msgid:
        return ""  # gettext("") is a catalogue's header, never a message
    catalogue = _catalogue(language())
    text = catalogue.gettext(msgid)
    if text == msgid and msgid in _DATA_NAMES.get(language(), {}):
        return _DATA_NAMES[language()][msgid]  # a name, never a message with placeholders
    if text == msgid and "\\" in msgid:  # a name from data, made inert (socta.core.markup): translate it as written

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


# columns whose codes a page prints as a label (``source_reliability`` → "Source reliability")
LABEL_CODES = ("submarkets", "categories", "dimension")


def code_label(code: str) -> str:
    """The printed label of a code: ``forced_marriage`` → "Forced marriage"."""
    return code.replace("_", " ").capitalize()
