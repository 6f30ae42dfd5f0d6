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
from socta.core.text import in_sentence

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


@lru_cache(maxsize=None)
def protected_names() -> dict[str, str]:
    """Names a Latin text writes as their owners do, not letter by letter from Cyrillic (Фронтекс → Frontex,
    not Fronteks; СОКТА → SOCTA): ``socta/locale/protected_names.csv``, Cyrillic → Latin."""
    import csv

    with open(Path(LOCALE_DIR) / "protected_names.csv", encoding="utf-8", newline="") as fh:
        return {row["cyrillic"]: row["latin"] for row in csv.DictReader(fh) if row["cyrillic"]}


def to_latin(text: str, system: str) -> str:
    """Cyrillic text in Latin letters by cyrtranslit's ``system`` (``sr``): socta's one transliteration, of its
    catalogue and of Sphinx's and the theme's. A word in capitals keeps its digraphs in capitals (ЊЕГОШ →
    NJEGOŠ, not NjEGOŠ); a protected name keeps its own spelling, in any of its case forms (Фронтекса →
    Frontexa)."""
    names = protected_names()
    if names and any(name in text for name in names):
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(\w*)")
        parts, last = [], 0
        for m in pattern.finditer(text):
            parts += [_to_latin_plain(text[last:m.start()], system), names[m.group(1)] + _to_latin_plain(m.group(2), system)]
            last = m.end()
        return "".join(parts) + _to_latin_plain(text[last:], system)
    return _to_latin_plain(text, system)


def _to_latin_plain(text: str, system: str) -> str:
    import cyrtranslit  # imported when a Latin-script edition first needs it

    return _CAPS_DIGRAPH.sub(lambda m: m.group().upper(), cyrtranslit.to_latin(text, system)) if text else text


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

    def pgettext(self, context, message):
        return transliterate(self.base.pgettext(context, message), self.lang)

    def npgettext(self, context, singular, plural, n):
        return transliterate(self.base.npgettext(context, singular, plural, n), self.lang)


class _RecordMissing(gettext.NullTranslations):
    """The last fallback of a translated catalogue: a message it lacks is written to the file named by
    ``SOCTA_I18N_MISSING`` (how a test or a translator finds strings that reach t() untranslated)."""

    def gettext(self, message):
        if message.strip():
            _record_missing(message)
        return message

    def ngettext(self, singular, plural, n):
        self.gettext(singular)
        return singular if n == 1 else plural

    def pgettext(self, context, message):
        self.gettext(f"{context}|{message}")
        return message

    def npgettext(self, context, singular, plural, n):
        self.gettext(f"{context}|{singular}")
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


def plural_form_index(n: int, lang: str) -> int:
    """Which of its plural forms (0, 1, 2) the catalogue of ``lang`` uses for the count ``n``."""
    return _catalogue(catalogue_language(lang)).plural(n)


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


def territory_name(iso3: str, lang: str | None = None) -> str:
    """A country outside the assessment (a neighbour where groups operate) by its ISO 3166 three-letter code, as
    the language names it (CLDR, through Babel: "Albania", "Албанија"); the code itself where CLDR has none.
    CLDR's English writes "Bosnia & Herzegovina": a publication writes "and"."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    # XKX, the code the EU uses for Kosovo (and the workbooks' instructions), is no ISO alias; ZZ is CLDR's "unknown"
    alpha2 = {"XKX": "XK"}.get(iso3) or (get_global("territory_aliases").get(iso3) or [None])[0]
    if alpha2 in (None, "ZZ"):
        return iso3
    try:
        name = Locale.parse(babel_locale(lang)).territories.get(alpha2)
    except (UnknownLocaleError, ValueError):
        name = None
    return name.replace(" & ", " and ") if name and babel_locale(lang).startswith("en") else (name or iso3)


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


def _fill(text: str, values: dict) -> str:
    """``text`` with ``values`` filled in: whole numbers with the language's thousands separator, other
    numbers with its decimal sign (0,5 in Serbian); a :class:`Term` in the form the message asks for."""
    if not values:
        return text
    formatted = {k: _formatted(v) for k, v in values.items()}
    return text.format(**formatted)


def _formatted(value):
    if isinstance(value, Term) or isinstance(value, bool):
        return value
    if isinstance(value, str):  # a name passed as text: a translation asking for a form gets it as written
        return Term(value)
    if isinstance(value, int):
        return fmt_number(value)
    if isinstance(value, float) and value == value:
        return format_decimal(value, locale=babel_locale())  # up to three decimals, as the value has them
    return value


def t(msgid: str, /, **values) -> str:
    """Translate ``msgid`` into the current language and fill in ``values``.

    Whole numbers are written with thousands separators, decimals with the language's decimal sign;
    pre-formatted strings pass unchanged; a :class:`Term` (a crime area's, a country's name) is written
    in the form the translation asks for (``{area:gen}``).
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
    return _fill(text, values)


def tp(context: str, msgid: str, /, **values) -> str:
    """Like :func:`t` for a word whose translation depends on what it qualifies (``msgctxt``): "high" as a
    threat band (висока претња) is not "high" as a confidence level (висока поузданост)."""
    return _fill(_catalogue(language()).pgettext(context, msgid), values)


def tn(singular: str, plural: str, n: int, /, **values) -> str:
    """Like :func:`t` for a whole sentence whose words agree with a count ``n`` (``{n}`` in it): the
    catalogue holds one form per plural category of the language (CLDR: Serbian one/few/other, "1 група",
    "3 групе", "5 група"; Macedonian one/other)."""
    text = _catalogue(language()).ngettext(singular, plural, n)
    return _fill(text, {"n": int(n), **values})


def tpn(context: str, singular: str, plural: str, n: int, /, **values) -> str:
    """:func:`tn` with a context (``msgctxt``)."""
    text = _catalogue(language()).npgettext(context, singular, plural, n)
    return _fill(text, {"n": int(n), **values})


# ---- terms: names in the form a sentence needs -------------------------------------------------------------
# A Serbian or Montenegrin sentence puts a name in the case its grammar asks ("у Србији", "од трговине
# дрогом"), a Macedonian one may ask for its definite form ("трговијата со дрога"); a verb or adjective
# agrees with the name's gender. ``socta/locale/<lang>/terms.csv`` holds those forms for the names of the
# reference configuration (crime areas, countries, the region); a message asks for one in its placeholder
CASES = ("nom", "gen", "dat", "acc", "ins", "loc", "voc", "def")
GENDERS = ("m", "f", "n", "pl")


class Term(str):
    """A name (its nominative, as it reads inside a sentence) that also knows its other forms.

    In a message, ``{area}`` is the form inside a sentence, ``{area:loc}`` the locative (a case of
    :data:`CASES`), ``{area:Loc}`` the same with a capital first letter (at a sentence's start), and
    ``{area:m=пријавио|f=пријавила|n=пријавило}`` the word that agrees with the name's gender (``pl=`` for a
    plural name, ``other=`` for any gender not listed)."""

    forms: dict[str, str]
    gender: str

    def __new__(cls, nominative: str, forms: dict[str, str] | None = None, gender: str = ""):
        self = super().__new__(cls, nominative)
        self.forms = {k: v for k, v in (forms or {}).items() if v}
        self.gender = gender
        return self

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        if "=" in spec:
            choices = dict(part.split("=", 1) for part in spec.split("|") if "=" in part)
            return choices.get(self.gender, choices.get("other", ""))
        if spec.lower() not in CASES:
            raise ValueError(f"{spec!r} is not a form of a name (one of {', '.join(CASES)}, capitalised at a "
                             "sentence's start, or gender choices such as m=…|f=…|n=…)")
        form = self.forms.get(spec.lower(), str(self))
        return form[:1].upper() + form[1:] if spec[:1].isupper() else form


def term_base_path(lang: str) -> Path:
    return Path(LOCALE_DIR) / lang / "terms.csv"


@lru_cache(maxsize=None)
def _term_base(lang: str) -> dict[str, dict[str, str]]:
    """The term base of ``lang`` (English name → its row), empty where the language has none."""
    import csv

    path = term_base_path(lang)
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("term", "gender", "nom") if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: no column {', '.join(missing)}; the header is term,gender,nom and the forms "
                             f"({', '.join(CASES[1:])}) the language uses")
        unknown = [c for c in reader.fieldnames if c not in ("term", "gender", "note", *CASES)]
        if unknown:
            raise ValueError(f"{path}: column {', '.join(unknown)} is not a form; the forms are {', '.join(CASES)}")
        rows = {}
        for number, row in enumerate(reader, start=2):
            if row["gender"] not in GENDERS:
                raise ValueError(f"{path}, row {number}, column 'gender': {row['gender']!r} is not one of "
                                 f"{', '.join(GENDERS)} (m, f, n; pl for a name that is plural)")
            if not row["term"] or not row["nom"]:
                raise ValueError(f"{path}, row {number}: a term needs its English name (column 'term') and its "
                                 "nominative (column 'nom')")
            rows[row["term"]] = row
        return rows


def term(name_en: str, proper: bool = False) -> Term:
    """The name ``name_en`` (English, as the reference configuration gives it) in the current language,
    with the forms the term base gives. ``proper``: a proper name (a country), whose capital stays in
    English; another name reads inside a sentence with a small first letter ("drug trafficking")."""
    lang = language()
    if lang == SOURCE_LANGUAGE:
        return Term(name_en if proper else in_sentence(name_en), gender="n")
    row = _term_base(catalogue_language(lang)).get(plain(name_en)) or _term_base(catalogue_language(lang)).get(name_en)
    if row is None:  # a name the term base lacks (one a dataset added): its translation in every form
        _record_missing(f"term: {name_en}")
        name = t(name_en)
        return Term(name if proper else in_sentence(name))
    forms = {case: transliterate(row[case], lang) for case in CASES if row.get(case)}
    return Term(forms.get("nom", t(name_en)), forms, row.get("gender", ""))


def _record_missing(text: str) -> None:
    import os

    path = os.environ.get("SOCTA_I18N_MISSING")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text.replace("\n", "\\n") + "\n")


# columns whose codes a page prints as a label (``source_reliability`` → "Source reliability")
LABEL_CODES = ("submarkets", "categories", "dimension")


def code_label(code: str) -> str:
    """The printed label of a code: ``forced_marriage`` → "Forced marriage"."""
    return code.replace("_", " ").capitalize()
