"""Checks of generated text a machine can make for a translator: the plural forms a catalogue chooses
against the language's CLDR rules, every message rendered with every count, and the patterns a native
reader marks as wrong (a numeral with the wrong case after it, an ekavian word in Montenegrin, a letter of
the other script, a word said twice, English words left in a translation).

They find what a rule can find; a native reviewer still reads the edition (languages.yaml ``reviewed``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from socta.i18n.translate import CASES, Term, babel_locale, plural_form_index, protected_names, spec, to_latin

# the counts every plural message is rendered with: each CLDR category of sr, cnr and mk, and the numbers
# where languages differ (11 is "other" in Serbian and Macedonian, 21 and 101 are "one")
SAMPLE_COUNTS = (1, 2, 3, 5, 11, 21, 101)


def cldr_category(n: int, lang: str) -> str:
    """The CLDR plural category of ``n`` in ``lang`` (Babel's data): "one", "few", "other"."""
    from babel import Locale

    return Locale.parse(babel_locale(lang)).plural_form(n)


def plural_index(n: int, lang: str) -> int:
    """The form (0, 1, 2) the catalogue's Plural-Forms header chooses for ``n``."""
    return plural_form_index(n, lang)


def plural_rule_mismatches(lang: str, upto: int = 1000) -> list[int]:
    """The counts up to ``upto`` for which the catalogue's header picks a form of another CLDR category than
    the form it picks for the category's other members (a header that disagrees with CLDR)."""
    seen: dict[str, int] = {}
    wrong = []
    for n in range(upto + 1):
        category, index = cldr_category(n, lang), plural_index(n, lang)
        if seen.setdefault(category, index) != index or list(seen.values()).count(index) > 1:
            wrong.append(n)
    return wrong


def sample_term(gender: str = "f") -> Term:
    """A name with every form filled, to render a message that asks for one (``{area:loc}``)."""
    return Term("NAME", {case: f"NAME-{case}" for case in CASES}, gender)


def sample_values(msgid: str) -> dict:
    """Values for every placeholder of ``msgid`` but the count: a name with every form (a translation may
    ask for a form where the English needs none)."""
    return {name: sample_term() for name in re.findall(r"\{(\w+)(?::[^{}]*)?\}", msgid) if name != "n"}


@dataclass(frozen=True)
class Problem:
    check: str
    text: str        # the words found, with a little context

    def __str__(self) -> str:
        return f"{self.check}: …{self.text}…"


# ---- what a native reader marks --------------------------------------------------------------------------
# Serbian and Montenegrin: after a numeral ending in 2, 3 or 4 (not 12–14) a noun takes the genitive singular
# and an adjective the plural ("3 организоване групе", "прве 3"); after 5–20 and round numbers the genitive
# plural ("5 организованих група", "првих 5"). Words whose forms tell the two apart, in both scripts
_PAUCAL_WRONG = r"(?:\w+их|група|година|држава|кодова)"      # genitive plural after 2–4
_MANY_WRONG = r"(?:групе|године|државе|организоване|рангиране|криминалне)"   # paucal forms after 5+
_NUMBER_TWO_TO_FOUR = r"(?<![\d.,])(?:\d*[02-9])?[234](?![\d.,])"
_NUMBER_MANY = r"(?<![\d.,])(?:\d*(?:1[1-4]|[05-9])|1[1-4])(?![\d.,])"


def _a_year(words: str) -> bool:
    """"2024 година" names a year (во 2024 година), it does not count years."""
    number, _, word = words.partition(" ")
    return number.isdigit() and 1900 <= int(number) <= 2100 and word.lower().startswith(("годин", "godin"))


def _latin(pattern: str) -> str:
    return to_latin(pattern, "sr")


def _serbian_counts(text: str) -> list[Problem]:
    found = []
    for wrong_after, numbers, check in ((_PAUCAL_WRONG, _NUMBER_TWO_TO_FOUR, "genitive plural after 2–4"),
                                        (_MANY_WRONG, _NUMBER_MANY, "paucal form after 5 or more")):
        for pattern in (wrong_after, _latin(wrong_after)):
            for m in re.finditer(rf"{numbers}\s+{pattern}\b", text, re.I):
                if not _a_year(m.group()):
                    found.append(Problem(check, m.group()))
    for pattern in (r"\b(?:првих|последњих)\s+(?:\d*[02-9])?[234](?![\d.,%])", r"\b(?:prvih|posljednjih|poslednjih)\s+(?:\d*[02-9])?[234](?![\d.,%])"):
        for m in re.finditer(pattern, text, re.I):
            found.append(Problem("genitive plural before 2–4", m.group()))
    return found


# Macedonian: a noun after a number of the "other" category is plural ("5 групи"), after one singular
def _macedonian_counts(text: str) -> list[Problem]:
    found = []
    for m in re.finditer(r"(?<![\d.,])(\d+)\s+(организирана|криминална|група|област|годин[аи]|организирани|криминални|групи|области)\b", text):
        n, word = int(m.group(1)), m.group(2)
        if _a_year(m.group()):
            continue
        singular = word in ("организирана", "криминална", "група", "област", "година")
        if (cldr_category(n, "mk") == "one") != singular:
            found.append(Problem("number and noun disagree", m.group()))
    return found


# Montenegrin is ijekavian: ekavian forms are Serbian (celog → cijelog, mesto → mjesto, pretnja → prijetnja)
_EKAVIAN = (r"cel(?:og|e|i|u|oj|ih)|mest(?:o|a|u|ima)|vreme|promen\w*|procen(?:a|e|i|u|om|ama|jen\w*|juj\w*)|pretnj\w*|ocen\w*"
            r"|deo|primer\w*|posle|pre|nedelj\w*|verovatn\w*|sledeć\w*|videti|reč|reči"
            r"|obelež\w*|beležk\w*|odeljen\w*|razumev\w*|primen\w*|izveštaj\w*|smer\w*")
_EKAVIAN_RE = re.compile(rf"\b(?:{_EKAVIAN})\b", re.I)


def _montenegrin_ijekavian(text: str) -> list[Problem]:
    return [Problem("ekavian form in Montenegrin", m.group()) for m in _EKAVIAN_RE.finditer(text)]


# names a Cyrillic text writes in Latin letters (socta/locale/protected_names.csv), codes and units
_LATIN_ALLOWED = re.compile(r"^(?:[A-Z]{1,5}\d*|\d+\w*|[a-z]{1,2}|kg|km|ha|PDF|HTML|CSV|ISO|EU|UN|ID|c)$")


def _scripts(text: str, script: str, protected: set[str]) -> list[Problem]:
    found = []
    if script == "Latn":
        for m in re.finditer(r"\S*[\u0400-\u04FF]+\S*", text):
            found.append(Problem("Cyrillic in a Latin edition", m.group()))
    else:
        for m in re.finditer(r"\b[A-Za-zČĆŽŠĐčćžšđ][A-Za-zČĆŽŠĐčćžšđ'-]+\b", text):
            word = m.group()
            if word not in protected and not _LATIN_ALLOWED.match(word):
                found.append(Problem("Latin word in a Cyrillic text", word))
    return found


_DOUBLED = re.compile(r"\b(\w{2,})\s+\1\b", re.I)

# words an English sentence cannot do without: one of them in a translation is English left in it
_ENGLISH = re.compile(r"\b(?:the|of|and|with|from|which|this|that|are|was|were|has|have|by|updated|between|"
                      r"where|each|every|for)\b")


def language_problems(text: str, lang: str, quoted: tuple[str, ...] = ()) -> list[Problem]:
    """What the checks find in ``text`` of the edition in ``lang`` (English: nothing). ``quoted``: the data's
    own words the text quotes as written (a publisher's name in a source line), which are not checked."""
    if lang == "en":
        return []
    for words in sorted(quoted, key=len, reverse=True):
        text = text.replace(words, " ")
    protected = set(protected_names().values()) | set(protected_names())
    found: list[Problem] = []
    if lang in ("sr", "sr-Latn", "cnr"):
        found += _serbian_counts(text)
    if lang == "mk":
        found += _macedonian_counts(text)
    if lang == "cnr":
        found += _montenegrin_ijekavian(text)
    found += _scripts(text, spec(lang).get("script", "Latn"), protected)
    found += [Problem("word said twice", m.group()) for m in _DOUBLED.finditer(text) if not m.group(1).isdigit()]
    found += [Problem("English word in a translation", text[max(0, m.start() - 25):m.end() + 25])
              for m in _ENGLISH.finditer(text)]
    return found
