"""Plain-text helpers every layer uses: the gettext marker ``N_``, "the first N … and N more", and
"did you mean" for a value close to an allowed one."""
from __future__ import annotations

import difflib

# Cyrillic letters that look like Latin ones: a code typed with them looks right and matches nothing
HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХУаеорсухіјЅѕ", "ABEKMHOPCTXYaeopcyxijSs")

MAX_LISTED = 20  # in grouped warnings: the first of a kind, then "… and N more like this"


def listed(items: list[str], limit: int = MAX_LISTED, sep: str = "; ", more: str = "; … and {n} more like this") -> str:
    """The first ``limit`` items joined by ``sep``, then ``more`` (its own separator first) with the count of the
    others in ``{n}``: "a; b; … and 3 more like this"."""
    rest = len(items) - limit
    return sep.join(items[:limit]) + (more.format(n=rest) if rest > 0 else "")


def closest(value: str, allowed, cutoff: float = 0.6) -> str | None:
    """The allowed value closest to ``value`` (difflib's ratio at least ``cutoff``), or None."""
    guess = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1, cutoff=cutoff)
    return guess[0] if guess else None


def did_you_mean(value: str, allowed, cutoff: float = 0.6, codes: bool = True,
                 case: str = "codes are case-sensitive") -> str:
    """`` (did you mean 'SRB'?)`` for a value close to an allowed one; empty when nothing is close.

    ``codes``: the values are codes typed in Latin letters, so the hint says why when it is only the letter
    case (``case``) or Cyrillic letters that look Latin, and a value with other letters is told so; names
    (a file's, a key's) get the close match alone."""
    value = str(value).strip()
    allowed = [str(a) for a in allowed]
    if not value or not allowed:
        return ""
    if codes:
        latin = value.translate(HOMOGLYPHS)
        if latin != value and latin in allowed:
            return (f" (did you mean {latin!r}? the cell has Cyrillic letters that look like Latin ones; type codes in "
                    "Latin letters)")
        if not value.isascii():
            return " (the cell has letters that are not ASCII; codes are typed in plain Latin letters)"
        folded = {a.casefold(): a for a in allowed}
        if value.casefold() in folded:
            return f" (did you mean {folded[value.casefold()]!r}? {case})"
    guess = closest(value, allowed, cutoff)
    return f" (did you mean {guess!r}?)" if guess else ""


def N_(msgid: str) -> str:
    """Mark a message for the catalogue where it is defined, when ``t()`` receives it later through a
    variable (``t(MARKING)``); returns it unchanged."""
    return msgid


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: its first letter lower-cased, unless the first word is an
    acronym or a proper name written in capitals ("Drug offences (UNODC)" → "drug offences (UNODC)",
    "EU crossings" stays). Names are written in sentence case, so nothing else changes."""
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        return name[0].lower() + name[1:]
    return name


def NP_(context: str, msgid: str) -> str:
    """:func:`N_` for a word with a context (``tp(context, word)`` later): returns ``msgid``."""
    return msgid
