"""The one door every generated sentence and label goes through.

``t("Drug seizures in {country}", country=name)`` looks the message up in the gettext catalogue of
the current language (``socta/locale/<lang>/LC_MESSAGES/socta.mo``), then fills in the values,
formatting numbers for that language with Babel. English is the source language, so it needs no
catalogue; a Serbian, Macedonian or Montenegrin edition is a catalogue (``make messages`` extracts
the strings to ``socta/locale/socta.pot``), not a rewrite.
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from numbers import Number
from pathlib import Path

from babel.numbers import format_decimal, format_percent

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "socta"
_state = {"lang": "en"}


def set_language(lang: str) -> None:
    _state["lang"] = lang


def language() -> str:
    return _state["lang"]


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def fmt_number(value: Number, decimals: int = 0, lang: str | None = None) -> str:
    """A number as the edition's language writes it: 1,234.5 in English, 1.234,5 in Serbian."""
    lang = lang or language()
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=lang.replace("cnr", "sr_Latn"))


def fmt_percent(value: Number, decimals: int = 0, lang: str | None = None) -> str:
    """A fraction (0.25) as a percentage (25%)."""
    lang = lang or language()
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value, format=pattern, locale=lang.replace("cnr", "sr_Latn"))


def t(msgid: str, /, **values) -> str:
    """Translate ``msgid`` into the current language and fill in ``values``.

    Whole numbers are written with thousands separators; pre-formatted strings pass unchanged.
    """
    if not msgid:
        return ""  # gettext("") is a catalogue's header, never a message
    text = _catalogue(language()).gettext(msgid)
    formatted = {
        k: fmt_number(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in values.items()
    }
    return text.format(**formatted) if formatted else text


def tn(singular: str, plural: str, n: int, /, **values) -> str:
    """Like :func:`t` for a message whose form depends on a count ``n``."""
    text = _catalogue(language()).ngettext(singular, plural, n)
    return text.format(n=fmt_number(n), **values)
