"""The key judgement on a crime area's threat over the assessment's horizon, and its analytic confidence.

The question a key judgement answers: **will the threat from this crime area grow over the next H years**
(``judgement.horizon_years``, the assessment's cycle)? The assessment has three kinds of evidence on it:

- the area's **indicators**: for each with a trend the data support, the calibrated probability that the mean
  of its next H years exceeds the mean of its last H (:mod:`socta.analysis.trends`, ``p_rise``); the headline
  indicator counts ``headline_weight`` times;
- the **experts'** outlook (−2 strong decrease … +2 strong increase): the share expecting growth, a stable
  answer counting half, with one imaginary answer each way (Laplace's rule: two experts who agree give 75%,
  not 100%);
- the **groups**: their threat is a level, not a direction; it enters the area's priority (the threat axis), and
  the judgement does not read a direction into it.

The probabilities are pooled linearly (a weighted mean; ``judgement.weights`` between the indicators as a
whole and the experts, each used alone when the other is missing). A linear pool is cautious: when the
sources agree, it is no more certain than the most certain of them.

The confidence (:func:`capped_confidence`) starts from the quality of the evidence (graded sources,
completeness, respondents: :func:`socta.analysis.estimative.confidence_level`) and is capped: a wide interval,
experts who disagree, evidence pointing both ways, a trend that depends on its window, or a series that jumps as
if its recording changed can never give "high" (``confidence.caps``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LEVELS = ("low", "moderate", "high")


@dataclass(frozen=True)
class Opinion:
    source: str      # "indicator" or "experts"
    name: str        # the indicator's id, or "experts"
    p: float         # probability that it grows over the horizon
    weight: float


@dataclass(frozen=True)
class ThreatOutlook:
    p: float                         # pooled probability that the threat grows over the horizon (NaN: no evidence)
    opinions: tuple[Opinion, ...]
    agreement: float                 # share of the weight on the side of 50% the pooled probability is on
    rising: int                      # indicators more likely to rise than not
    falling: int                     # … to fall
    experts: int                     # expert answers with an outlook
    experts_up: int
    experts_level: int
    experts_down: int
    expert_spread: float             # standard deviation of the outlooks (NaN with fewer than two)
    caps: tuple[str, ...] = field(default=())

    @property
    def has_evidence(self) -> bool:
        return bool(self.opinions)


def expert_opinion(outlooks) -> tuple[float, float, tuple[int, int, int]]:
    """The experts' probability of growth, the spread of their outlooks, and (up, level, down)."""
    o = np.asarray([v for v in outlooks if v == v], dtype=float)
    up, level, down = int((o > 0).sum()), int((o == 0).sum()), int((o < 0).sum())
    p = (up + 0.5 * level + 1) / (len(o) + 2)
    spread = float(np.std(o, ddof=1)) if len(o) >= 2 else float("nan")
    return p, spread, (up, level, down)


def pool(indicators: dict[str, tuple[float, bool]], outlooks, weights: dict, headline_weight: float) -> ThreatOutlook:
    """The pooled outlook from ``indicators`` ({id: (p_rise, is_headline)}, only those whose trend the data
    support) and the experts' ``outlooks`` (one number per answer)."""
    share = {"statistics": float(weights.get("statistics", 0.5)), "experts": float(weights.get("experts", 0.5))}
    opinions: list[Opinion] = []
    ind = {k: v for k, v in indicators.items() if np.isfinite(v[0])}
    if ind:
        raw = {k: (headline_weight if headline else 1.0) for k, (_, headline) in ind.items()}
        total = sum(raw.values())
        opinions += [Opinion("indicator", k, float(p), share["statistics"] * raw[k] / total) for k, (p, _) in ind.items()]
    answers = [v for v in outlooks if v == v]
    p_e, spread, (up, level, down) = expert_opinion(answers)
    if answers:
        opinions.append(Opinion("experts", "experts", p_e, share["experts"]))
    rising = sum(1 for p, _ in ind.values() if p > 0.5)
    falling = sum(1 for p, _ in ind.values() if p < 0.5)
    if not opinions:
        return ThreatOutlook(float("nan"), (), float("nan"), rising, falling, 0, 0, 0, 0, spread)
    total = sum(o.weight for o in opinions) or 1.0
    p = sum(o.p * o.weight for o in opinions) / total
    side = np.sign(p - 0.5)
    agreement = sum(o.weight for o in opinions if np.sign(o.p - 0.5) == side) / total if side else 0.0
    return ThreatOutlook(float(p), tuple(opinions), float(agreement), rising, falling, len(answers), up, level, down,
                         spread)


def capped_confidence(level: str, outlook: ThreatOutlook, widest_interval: float, unstable: bool,
                      caps: dict, recording_jump: bool = False) -> tuple[str, tuple[str, ...]]:
    """The evidence's confidence ``level`` lowered by the caps (see the module), and which caps applied:
    ``wide_interval``, ``experts_disagree`` (not high), ``experts_divided`` (low), ``evidence_split``,
    ``unstable`` (a trend that depends on its window), ``recording_jump`` (a series of the area left out for a
    jump that looks like a change of recording: the evidence has a hole)."""
    ceiling, why = "high", []

    def cap(to: str, reason: str) -> None:
        nonlocal ceiling
        why.append(reason)
        if LEVELS.index(to) < LEVELS.index(ceiling):
            ceiling = to

    if widest_interval == widest_interval and widest_interval > float(caps["interval_width_high"]):
        cap("moderate", "wide_interval")
    spread = outlook.expert_spread
    if spread == spread and spread > float(caps["expert_spread_moderate"]):
        cap("low", "experts_divided")
    elif spread == spread and spread > float(caps["expert_spread_high"]):
        cap("moderate", "experts_disagree")
    if outlook.has_evidence and outlook.agreement < float(caps["agreement_high"]):
        cap("moderate", "evidence_split")
    if unstable:
        cap("moderate", "unstable")
    if recording_jump:
        cap("moderate", "recording_jump")
    final = LEVELS[min(LEVELS.index(level), LEVELS.index(ceiling))]
    return final, tuple(why)
