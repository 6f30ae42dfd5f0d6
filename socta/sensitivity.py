"""How robust is the ranking to the weights? Monte Carlo over Dirichlet-perturbed weights.

Each draw takes the threat-indicator, harm-dimension and threat/harm weights from Dirichlet
distributions centred on the configured weights (``concentration`` sets how far they wander:
higher is tighter), recomputes every crime area's priority from its sub-scores, and ranks them.
The share of draws in which an area ranks in the top three is its robustness.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .scoring import SUBSCORE_MAX


def dirichlet_around(weights: np.ndarray, concentration: float, draws: int, rng) -> np.ndarray:
    w = np.asarray(weights, float)
    return rng.dirichlet(concentration * w / w.sum(), size=draws)


def rank_robustness(threat_sub: pd.DataFrame, harm_sub: pd.DataFrame, threat_w: pd.Series, harm_w: pd.Series,
                    priority_w: dict, draws: int = 4000, concentration: float = 20.0, seed: int = 2016,
                    top: int = 3) -> pd.DataFrame:
    """For one scope: per area, P(rank ≤ top), P(rank 1) and the median rank over weight draws.

    ``threat_sub``/``harm_sub``: one row per area (index), one 0-4 column per indicator/dimension named
    as in the weight series. Missing sub-scores count as 0 here, so give complete inputs.
    """
    rng = np.random.default_rng(seed)
    areas = threat_sub.index
    T = threat_sub[threat_w.index].fillna(0).to_numpy(float)         # areas × threat indicators
    H = harm_sub[harm_w.index].fillna(0).to_numpy(float)             # areas × harm dimensions
    wt = dirichlet_around(threat_w.to_numpy(), concentration, draws, rng)   # draws × indicators
    wh = dirichlet_around(harm_w.to_numpy(), concentration, draws, rng)
    wp = dirichlet_around(np.array([priority_w["threat"], priority_w["harm"]]), concentration, draws, rng)
    threat = 100 * wt @ T.T / SUBSCORE_MAX                           # draws × areas (weights sum to 1)
    harm = 100 * wh @ H.T / SUBSCORE_MAX
    priority = wp[:, [0]] * threat + wp[:, [1]] * harm
    ranks = (-priority).argsort(axis=1).argsort(axis=1) + 1          # 1 = highest priority
    return pd.DataFrame({
        "p_top": (ranks <= top).mean(axis=0),
        "p_first": (ranks == 1).mean(axis=0),
        "median_rank": np.median(ranks, axis=0),
    }, index=areas)
