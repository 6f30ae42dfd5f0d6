"""How an edition prints a value: numbers, counts, scores, changes, probabilities, rates.

Pure functions of a value (and the edition's settings), in the edition's language (Babel through
:mod:`socta.i18n`), so each rule is tested on its own: a missing value prints "–", never 0; a
confidential count prints "c"; a rounded public score "≈55".
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from socta.analysis.disclosure import MARK, count_text
from socta.i18n.translate import fmt_list, fmt_number, fmt_percent, t

NOT_SHOWN = "–"


def number(value, decimals: int = 0) -> str:
    """A number in the edition's language; a missing one is a dash."""
    return NOT_SHOWN if pd.isna(value) else fmt_number(value, decimals)


def count(value, suppressed: bool = False) -> str:
    """A count as the edition prints it: a suppressed count reads "c" (confidential)."""
    return count_text(value, bool(suppressed), fmt_number)


def signed_percent(fraction: float) -> str:
    """A change a year as a signed percentage with one decimal: 0.052 → "+5.2%", −0.1 → "−10.0%"."""
    if pd.isna(fraction):
        return NOT_SHOWN
    shown = fmt_number(abs(100 * fraction), 1)
    if shown == fmt_number(0, 1):  # −0.04% rounds to 0.0: no sign, never "−0.0%"
        return shown + "%"
    return ("+" if fraction >= 0 else "−") + shown + "%"


def probability_text(percent: float) -> str:
    """A probability for prose: whole percent, but never a false 0% or 100% from rounding."""
    if percent > 99:
        return ">99"
    if percent < 1:
        return "<1"
    return fmt_number(round(percent))


def rate_text(rate: float) -> str:
    """A rate with the decimals it needs: 1 offence in 6.8 million people is 0.01, not 0.0."""
    if pd.isna(rate):
        return NOT_SHOWN
    if rate == 0:
        return number(0)
    decimals = 1 if rate >= 1 else max(1, 1 - int(np.floor(np.log10(rate))))
    return number(rate, decimals)


def change_words(change: float, why_not: str = "") -> str:
    """A change between periods in % as words ("12% higher"); ``why_not`` says why a missing change
    cannot be computed."""
    if pd.isna(change):
        return t("not comparable: {why}", why=why_not) if why_not else t("not comparable")
    return t("{pct} higher", pct=fmt_percent(change / 100)) if change >= 0 else \
        t("{pct} lower", pct=fmt_percent(-change / 100))


def score(row, column: str) -> str:
    """A threat, harm or priority score as the edition prints it: "≈55" where the public edition
    rounds it (it rests on a suppressed count of groups), "c" where it withholds it."""
    precision = row.get("score_precision", "exact") if column in ("threat", "priority") else "exact"
    if precision == "withheld":
        return MARK
    if pd.isna(row[column]):
        return t("not scored")
    return ("≈" if precision == "rounded" else "") + number(row[column])


def score_note(rows: pd.DataFrame, step) -> str:
    """The sentence explaining "≈" and "c" in scores, when ``rows`` use them (else empty);
    ``step``: what public scores are rounded to (settings.yaml public.score_step)."""
    used = set(rows.get("score_precision", pd.Series(dtype=str)))
    if not used & {"rounded", "withheld"}:
        return ""
    # the legend only: why and how scores are rounded or withheld is said once, in the methodology
    if {"rounded", "withheld"} <= used:
        return " " + t("≈: rounded to the nearest {step}; c: withheld (see the methodology, disclosure control).",
                       step=str(step))
    if "rounded" in used:
        return " " + t("≈: rounded to the nearest {step} (see the methodology, disclosure control).", step=str(step))
    return " " + t("c: withheld (see the methodology, disclosure control).")


def share_text(value, band: str = "", bound=np.nan, missing: str = NOT_SHOWN) -> str:
    """A share of a restricted field as the edition prints it (:func:`socta.process.disclosure_policy.publish_share`):
    "85%"; at the extremes a band, "more than 95%" or "less than 5%"; ``missing`` where it is not
    shown (few rows, a confidential count) or not known."""
    if band == "below":
        return t("less than {share}", share=fmt_percent(bound))
    if band == "above":
        return t("more than {share}", share=fmt_percent(bound))
    if band or value is None or pd.isna(value):
        return missing
    return fmt_percent(value)


# How far the OCG page reads the Spearman rank correlation between the two scoring profiles as
# agreement (a reading convention, not a SOCTA rule; settings.yaml has no section for it): at or
# above "alike" the profiles rank the groups alike, at or above "broadly" broadly alike, below it
# differently.
PROFILE_AGREEMENT = {"alike": 0.8, "broadly": 0.5}

# A crime area outside the top N that reaches the top N under at least this share of the weightings
# makes the top N "not settled" (conclusions, sensitivity text).
CONTENDER_SHARE = 0.25


def fmt_points(value) -> str:
    """Points per answer as configured: 4, or 1.5."""
    value = float(value)
    return fmt_number(value, 0 if value.is_integer() else 1)


def join_words(items: list[str]) -> str:
    """"a", "a and b", "a, b and c": the language's own list pattern (CLDR, through Babel), "a, b и c"."""
    return fmt_list([str(i) for i in items])


def publisher(source: str, longest: int = 60) -> str:
    """Who published a value, from its citation: the part before the first comma, without a trailing
    parenthesis ("UNODC, World Drug Report 2024, …" → "UNODC"; "Ministry of Interior of Serbia, annual
    crime statistics" → "Ministry of Interior of Serbia"), cut at a word if still long."""
    head = source.split(",", 1)[0].strip()
    head = re.sub(r"\s*\([^)]*\)\s*$", "", head) or head
    if len(head) > longest:
        head = head[:longest].rsplit(" ", 1)[0] + "…"
    return head
