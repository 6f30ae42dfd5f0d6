"""Plain-text helpers every layer uses: the gettext marker ``N_``, "the first N … and N more", and
"did you mean" for a value close to an allowed one."""
from __future__ import annotations

import difflib

# Cyrillic letters that look like Latin ones: a code typed with them looks right and matches nothing
HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХУаеорсухіјЅѕ", "ABEKMHOPCTXYaeopcyxijSs")


MAX_LISTED = 20  # in grouped warnings: the first of a kind, then "… and N more like this"

def listed(items: list[str], limit: int = MAX_LISTED, sep: str = "; ") -> str:
    """The first ``limit`` items, then "… and N more like this"."""
    more = len(items) - limit
    return sep.join(items[:limit]) + (f"{sep}… and {more} more like this" if more > 0 else "")


def did_you_mean(value: str, allowed, cutoff: float = 0.6) -> str:
    """`` (did you mean 'SRB'?)`` for a value close to an allowed one, with why when it is only the
    letter case or Cyrillic letters that look Latin; empty when nothing is close."""
    value = str(value).strip()
    allowed = [str(a) for a in allowed]
    if not value or not allowed:
        return ""
    latin = value.translate(HOMOGLYPHS)
    if latin != value and latin in allowed:
        return (f" (did you mean {latin!r}? the cell has Cyrillic letters that look like Latin ones; type codes in "
                "Latin letters)")
    if not value.isascii():
        return " (the cell has letters that are not ASCII; codes are typed in plain Latin letters)"
    folded = {a.casefold(): a for a in allowed}
    if value.casefold() in folded:
        return f" (did you mean {folded[value.casefold()]!r}? codes are case-sensitive)"
    guess = difflib.get_close_matches(value, allowed, n=1, cutoff=cutoff)
    return f" (did you mean {guess[0]!r}?)" if guess else ""


def N_(msgid: str) -> str:
    """Mark a message for the catalogue where it is defined, when ``t()`` receives it later through a
    variable (``t(MARKING)``); returns it unchanged."""
    return msgid
