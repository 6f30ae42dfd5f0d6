"""Estimative language: the probability yardstick and the analytic-confidence rule.

Only the yardstick's terms may describe a likelihood in a key judgement. Its ranges have gaps on
purpose (5–10%, 20–25%, …); a probability in a gap takes the term of the nearer range, and one
exactly half-way takes the term nearer to 50%, the more cautious claim. Both rules are printed in
the methodology annex."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Likelihood:
    term: str
    percent: float
    in_gap: bool


def likelihood_term(probability: float, yardstick: pd.DataFrame) -> Likelihood:
    """The yardstick term for a probability in [0, 1]."""
    if not 0 <= probability <= 1:
        raise ValueError(f"probability {probability!r} is outside 0-1")
    pct = 100 * probability
    bands = yardstick.sort_values("lower_pct").reset_index(drop=True)
    for _, band in bands.iterrows():
        if band["lower_pct"] <= pct <= band["upper_pct"]:
            return Likelihood(band["term"], pct, False)

    def distance(band):
        return min(abs(pct - band["lower_pct"]), abs(pct - band["upper_pct"]))

    def caution(band):
        return abs((band["lower_pct"] + band["upper_pct"]) / 2 - 50)

    best = min(bands.iterrows(), key=lambda item: (round(distance(item[1]), 9), caution(item[1])))[1]
    return Likelihood(best["term"], pct, True)


def confidence_level(graded_share: float, completeness: float, respondents: int, rule: dict) -> str:
    """Analytic confidence from the quality and completeness of the evidence.

    ``graded_share``: share of the statistics behind the judgement whose source is reliable (A or B)
    and whose information is confirmed (1 or 2); ``completeness``: share of the expected yearly
    values that are present; ``respondents``: expert assessments behind it. ``rule`` (settings.yaml)
    gives for ``high`` and ``moderate`` the minimum of each; anything less is ``low``.
    """
    for level in ("high", "moderate"):
        need = rule[level]
        if (graded_share >= need["graded_share"] and completeness >= need["completeness"]
                and respondents >= need["respondents"]):
            return level
    return "low"
