"""Trends with uncertainty: a log-linear count model per indicator series.

Each yearly series is fitted with a Poisson GLM, log(mean) = a + b·year, with the dispersion
estimated from the Pearson χ² (quasi-Poisson; never below 1, so intervals are not made narrower
than Poisson's). That gives the change per year, exp(b) − 1, with a 90% interval, and — by drawing
the coefficients from their estimated distribution and next year's value around the drawn mean
(negative binomial for counts, gamma for amounts, both with the estimated dispersion) — the
probability that next year's value exceeds this year's.
"""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

INTERVAL = 0.90
DRAWS = 4000


@dataclass(frozen=True)
class Trend:
    years: int
    last_year: int
    last_value: float
    change_per_year: float        # fitted relative change per year, e.g. 0.05 = +5% a year
    change_low: float             # 90% interval
    change_high: float
    dispersion: float
    expected_next: float          # fitted mean for the year after last_year
    p_exceeds_last: float         # P(next year's value > last_year's value)

    def as_dict(self) -> dict:
        return asdict(self)


def fit_trend(years, values, kind: str = "count", seed: int = 0, draws: int = DRAWS) -> Trend | None:
    """Fit one yearly series; None when fewer than 4 years or all values are 0."""
    frame = pd.DataFrame({"year": years, "value": values}).dropna().sort_values("year")
    if len(frame) < 4 or frame["value"].sum() <= 0:
        return None
    centre = frame["year"].mean()
    X = sm.add_constant(frame["year"].to_numpy(float) - centre)
    y = frame["value"].to_numpy(float)
    model = sm.GLM(y, X, family=sm.families.Poisson())
    with warnings.catch_warnings():  # a perfectly regular series is a fit, not a problem
        warnings.simplefilter("ignore")
        poisson = model.fit()
        phi = float(poisson.pearson_chi2 / poisson.df_resid) if poisson.df_resid > 0 else 1.0
        dispersion = phi if np.isfinite(phi) and phi > 1.0 else 1.0
        fit = model.fit(scale=dispersion)
    b, se = float(fit.params[1]), float(fit.bse[1])
    z = stats.norm.ppf(0.5 + INTERVAL / 2)
    last_year = int(frame["year"].iloc[-1])
    x_next = np.array([1.0, last_year + 1 - centre])
    rng = np.random.default_rng(seed)
    coefs = rng.multivariate_normal(np.asarray(fit.params), np.asarray(fit.cov_params()), size=draws)
    mu = np.exp(coefs @ x_next)
    if kind == "count":
        if dispersion > 1.0:
            nxt = rng.negative_binomial(mu / (dispersion - 1.0), 1.0 / dispersion)
        else:
            nxt = rng.poisson(mu)
    else:
        nxt = rng.gamma(mu / dispersion, dispersion)
    last_value = float(y[-1])
    return Trend(
        years=len(frame), last_year=last_year, last_value=last_value,
        change_per_year=float(np.exp(b) - 1), change_low=float(np.exp(b - z * se) - 1),
        change_high=float(np.exp(b + z * se) - 1), dispersion=dispersion,
        expected_next=float(np.exp(fit.params @ x_next)), p_exceeds_last=float(np.mean(nxt > last_value)),
    )


def trend_subscore(change_per_year: float, full_scale_pct: float) -> float:
    """Map a fitted change per year to the 0-4 threat sub-score: −full_scale% → 0, 0 → 2, +full_scale% → 4."""
    if change_per_year is None or pd.isna(change_per_year):
        return np.nan
    return float(np.clip(2 + 2 * (100 * change_per_year) / full_scale_pct, 0, 4))
