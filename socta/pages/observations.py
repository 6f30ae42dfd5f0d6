"""How a flagged observation is printed, the way official statistics print it.

A value carries its observation-status flags as footnote letters (``1,234 p`` provisional,
``17 b`` break in series), ``:`` stands for not available (``: c`` suppressed, ``: z`` cannot exist), ``<5`` for a value published only as
below 5 and ``>3,300`` for a lower bound. A part-year figure gets the letter ``y``. Each table that
uses a letter is followed by a legend of the letters it used, and only those.
"""
from __future__ import annotations

import pandas as pd

from socta.core.text import in_sentence
from socta.i18n.translate import fmt_number, t
from socta.ingest.status import status_codes

NOT_AVAILABLE = ":"

PART_YEAR = "y"


def visible_decimals(value: float, decimals: int, most: int = 6) -> int:
    """``decimals``, or more where fewer would print a value that is not zero as 0 (a computed total
    of values published with no decimals never needs it; a rate or a mean may)."""
    while value and round(abs(value), decimals) == 0 and decimals < most:
        decimals += 1
    return decimals


def observation_text(row, status_table: pd.DataFrame, decimals: int = 0) -> tuple[str, set[str]]:
    """The printed form of one yearly observation (a row of :func:`socta.analysis.series.yearly`) and the
    footnote letters it uses."""
    used: set[str] = set()
    letters = []
    for code in status_codes(row.get("status", "")):
        if code in status_table.index:
            letter = status_table.at[code, "footnote"]
            if letter and letter != NOT_AVAILABLE:
                letters.append(letter)
    censor = row.get("censor", "")
    if pd.notna(row.get("months")) and (pd.notna(row.get("value")) or censor in ("below", "above")):
        letters.append(PART_YEAR)  # a bound can be part-year too: ">6,200 y"
    published = row.get("decimals")
    decimals = max(decimals, int(published) if published is not None and pd.notna(published) else 0)
    if pd.notna(row.get("value")):
        text = fmt_number(row["value"], visible_decimals(row["value"], decimals))
    elif censor in ("below", "above") and pd.notna(row.get("bound")):
        text = ("<" if censor == "below" else ">") + fmt_number(row["bound"], decimals)
        used.add(censor)
    else:
        text = NOT_AVAILABLE  # with the letter of why, where the code list has one (': c' confidential)
        used.add(NOT_AVAILABLE)
    letters = sorted(set(letters))
    used |= set(letters)
    # a no-break space: the letter stays with its number when a narrow column wraps
    return (text + "\u00a0" + "".join(letters)) if letters else text, used


def footnote_legend(used: set[str], status_table: pd.DataFrame) -> str:
    """``b`` break in series · ``p`` provisional · ``:`` not available …: the letters a table used."""
    names = {}
    for _, row in status_table.iterrows():
        letter = row["footnote"]
        if letter and letter != NOT_AVAILABLE and letter not in names:
            names[letter] = in_sentence(t(row["name_en"]))
    parts = [f"{letter} {names[letter]}" for letter in sorted(used) if letter in names]
    if PART_YEAR in used:
        parts.append(f"{PART_YEAR} " + t("part of the year only"))
    if "below" in used:
        parts.append("<N " + t("published only as below N"))
    if "above" in used:
        parts.append(">N " + t("more than N (a lower bound)"))
    if NOT_AVAILABLE in used:
        parts.append(f"{NOT_AVAILABLE} " + t("not available"))
    return " · ".join(parts)
