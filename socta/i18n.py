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
# yardstick's terms and openings, the grading meanings, answer words, descriptions and notes
REFERENCE_TEXT = ("name_en", "unit", "term", "opening", "meaning", "answer", "description", "note")


def reference_messages(reference_dir: Path) -> dict[str, list[str]]:
    """The reference files' texts a page prints, and the sub-market and category labels made from codes
    (``forced_marriage`` → "Forced marriage"), so a language edition translates them in its catalogue."""
    import csv

    found: dict[str, list[str]] = {}
    for path in sorted(Path(reference_dir).glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts = [row[c] for c in REFERENCE_TEXT if row.get(c)]
                for column in ("submarkets", "categories"):
                    texts += [code.replace("_", " ").capitalize() for code in (row.get(column) or "").split("|") if code]
                for text in texts:
                    found.setdefault(text.strip(), []).append(f"reference/{path.name}")
    return found


def append_template_messages(pot: Path, notebooks_dir: Path, reference_dir: Path | None = None) -> int:
    """Add the templates' (and the reference files') messages to the ``.pot`` written by ``pybabel
    extract``; returns how many."""
    from babel.messages.pofile import read_po, write_po

    with open(pot, "rb") as fh:
        catalog = read_po(fh)
    messages = template_messages(notebooks_dir)
    if reference_dir is not None:
        for msgid, places in reference_messages(reference_dir).items():
            messages.setdefault(msgid, []).extend(places)
    for msgid, places in messages.items():
        catalog.add(msgid, locations=[(place, 0) for place in places])
    with open(pot, "wb") as fh:
        write_po(fh, catalog, omit_header=False, no_location=False)
    return len(messages)


if __name__ == "__main__":  # make messages: python -m socta.i18n <pot>
    import sys

    from .config import NOTEBOOKS_DIR, REPO_ROOT

    n = append_template_messages(Path(sys.argv[1]), NOTEBOOKS_DIR, REPO_ROOT / "data" / "reference")
    print(f"added {n} template and reference messages to {sys.argv[1]}")
