"""How robust is the ranking to the weights? Monte Carlo over Dirichlet-perturbed weights.

Each draw takes the threat-indicator, harm-dimension and threat/harm weights from Dirichlet
distributions centred on the configured weights (``concentration`` sets how far they wander:
higher is tighter), recomputes every crime area's priority from its sub-scores, and ranks them.
The share of draws in which an area ranks in the top three is its robustness.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from socta.analysis.scoring import SUBSCORE_MAX


def dirichlet_around(weights: np.ndarray, concentration: float, draws: int, rng) -> np.ndarray:
    w = np.asarray(weights, float)
    return rng.dirichlet(concentration * w / w.sum(), size=draws)


def rank_robustness(threat_sub: pd.DataFrame, harm_sub: pd.DataFrame, threat_w: pd.Series, harm_w: pd.Series,
                    priority_w: dict, draws: int = 4000, concentration: float = 20.0, seed: int = 2016,
                    top: int = 3, min_known_share: float = 0.0) -> pd.DataFrame:
    """For one scope: per area, P(rank ≤ top), P(rank 1) and the median rank over weight draws.

    ``threat_sub``/``harm_sub``: one row per area (index), one 0-4 column per indicator/dimension named
    as in the weight series. A missing sub-score is treated exactly as the main score treats it
    (:func:`socta.analysis.scoring.weighted_score`): left out, the weights of the known ones rescaled. An area
    with no known score at all is not ranked (NaN).
    """
    rng = np.random.default_rng(seed)
    areas = threat_sub.index
    T = threat_sub[threat_w.index].to_numpy(float)                   # areas × threat indicators
    H = harm_sub[harm_w.index].to_numpy(float)                       # areas × harm dimensions
    wt = dirichlet_around(threat_w.to_numpy(), concentration, draws, rng)   # draws × indicators
    wh = dirichlet_around(harm_w.to_numpy(), concentration, draws, rng)
    wp = dirichlet_around(np.array([priority_w["threat"], priority_w["harm"]]), concentration, draws, rng)
    threat = _known_mean(wt, T, _enough(threat_w, T, min_known_share))   # draws × areas, 0-100
    harm = _known_mean(wh, H, _enough(harm_w, H, 0.0))
    both = np.stack([threat, harm])                                  # 2 × draws × areas
    known = ~np.isnan(both)
    weights = np.moveaxis(wp, 1, 0)[:, :, None] * known              # 2 × draws × areas
    with np.errstate(invalid="ignore", divide="ignore"):
        priority = (np.nan_to_num(both) * weights).sum(axis=0) / weights.sum(axis=0)
    ranked = ~np.isnan(priority[0])
    ranks = np.full(priority.shape, np.nan)
    order = np.where(np.isnan(priority), -np.inf, priority)
    ranks[:, ranked] = ((-order).argsort(axis=1).argsort(axis=1) + 1)[:, ranked]   # 1 = highest priority
    return pd.DataFrame({
        "p_top": np.where(ranked, (ranks <= top).mean(axis=0), np.nan),
        "p_first": np.where(ranked, (ranks == 1).mean(axis=0), np.nan),
        "median_rank": np.where(ranked, np.nanmedian(np.where(ranked, ranks, 0), axis=0), np.nan),
    }, index=areas)


def _enough(configured: pd.Series, subscores: np.ndarray, min_known_share: float) -> np.ndarray:
    """Per area: do the known sub-scores carry enough of the configured weight for a score at all?
    (The rule of :func:`socta.analysis.scoring.weighted_score`, judged on the configured weights.)"""
    w = configured.to_numpy(float)
    return (~np.isnan(subscores) * w).sum(axis=1) >= min_known_share * w.sum() - 1e-12


def _known_mean(weights: np.ndarray, subscores: np.ndarray, enough: np.ndarray) -> np.ndarray:
    """0-100 score per draw and area: weighted mean of the known 0-4 sub-scores (NaN if none known,
    or not ``enough`` of them)."""
    known = ~np.isnan(subscores)                                     # areas × items
    with np.errstate(invalid="ignore", divide="ignore"):
        points = weights @ np.nan_to_num(subscores).T                # draws × areas
        possible = weights @ known.T.astype(float)
        score = np.where(possible > 0, 100 * points / (SUBSCORE_MAX * possible), np.nan)
    return np.where(enough[None, :], score, np.nan)


def robustness_table(scores: pd.DataFrame, threat_w: pd.Series, harm_w: pd.Series, settings: dict) -> pd.DataFrame:
    """:func:`rank_robustness` for every scope of ``scores`` (the area scores table), over its ranked
    areas: one row per scope × area.

    ``scores`` is the table as the edition publishes it, completed by
    :func:`socta.process.disclosure_policy.robustness_inputs`: the public edition's shares are then a function of its
    published scores alone, so they disclose nothing those scores do not (why not the exact scores:
    see there). The restricted edition publishes its scores exactly, and gets them."""
    cfg, priority = settings["sensitivity"], settings["priority"]
    frames = []
    for scope, part in scores[scores["rank"].notna()].groupby("scope", sort=False):
        ranked = part.sort_values("rank").set_index("area")
        harm = ranked[[f"harm_{d}" for d in harm_w.index]].set_axis(list(harm_w.index), axis=1)
        result = rank_robustness(ranked[list(threat_w.index)], harm, threat_w, harm_w, priority["weights"],
                                 draws=int(cfg["draws"]), concentration=float(cfg["concentration"]),
                                 seed=int(cfg["seed"]), top=int(cfg["top"]),
                                 min_known_share=float(priority.get("min_known_share", 0)))
        frames.append(result.rename_axis("area").reset_index().assign(scope=scope))
    columns = ["scope", "area", "p_top", "p_first", "median_rank"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
