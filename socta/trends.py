"""Trends with uncertainty: a log-linear count model per indicator series.

Each yearly series is fitted with a Poisson GLM, log(mean) = a + b·year, with the dispersion
estimated from the Pearson χ² (quasi-Poisson; never below 1, so intervals are not made narrower
than Poisson's). That gives the change per year, exp(b) − 1, with a 90% interval.

For next year the series is treated as persistent: next year's expected value is this year's value
times the fitted yearly change (a drift from where the series stands, not from the fitted line,
which a recent turn would leave far behind). Drawing the slope from its estimated distribution and
next year's value around that mean (negative binomial for counts, gamma for amounts, with the
estimated dispersion) gives the probability that next year's value exceeds this year's.
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
    fitted_last: float            # the fitted line's value in last_year
    expected_next: float          # last_value × (1 + change_per_year): expected value for the year after
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
    last_value = float(y[-1])
    mu = np.maximum(last_value, 1e-9) * np.exp(coefs[:, 1])
    if kind == "count":
        if dispersion > 1.0:
            nxt = rng.negative_binomial(mu / (dispersion - 1.0), 1.0 / dispersion)
        else:
            nxt = rng.poisson(mu)
    else:
        nxt = rng.gamma(mu / dispersion, dispersion)
    return Trend(
        years=len(frame), last_year=last_year, last_value=last_value,
        change_per_year=float(np.exp(b) - 1), change_low=float(np.exp(b - z * se) - 1),
        change_high=float(np.exp(b + z * se) - 1), dispersion=dispersion,
        fitted_last=float(np.exp(fit.params @ (x_next - [0.0, 1.0]))), expected_next=last_value * float(np.exp(b)),
        p_exceeds_last=float(np.mean(nxt > last_value)),
    )


def trend_subscore(change_per_year: float, full_scale_pct: float) -> float:
    """Map a fitted change per year to the 0-4 threat sub-score: −full_scale% → 0, 0 → 2, +full_scale% → 4."""
    if change_per_year is None or pd.isna(change_per_year):
        return np.nan
    return float(np.clip(2 + 2 * (100 * change_per_year) / full_scale_pct, 0, 4))


def trend_table(stats: pd.DataFrame, indicators: pd.DataFrame, scopes: dict[str, list[str]], end_year: int,
                span: int, seed: int) -> pd.DataFrame:
    """Fit every indicator's total (summed over sub-markets and categories) per scope.

    ``scopes`` maps a scope name to the countries it sums; the fit uses the ``span`` years ending in
    ``end_year``. Breakdown indicators that repeat a headline total are fitted like any other.
    """
    rows = []
    window = stats[stats["year"].between(end_year - span + 1, end_year)]
    for scope, countries in scopes.items():
        in_scope = window[window["country"].isin(countries)]
        for indicator, spec in indicators.iterrows():
            yearly = in_scope[in_scope["indicator"].eq(indicator)].groupby("year")["value"].sum()
            trend = fit_trend(yearly.index, yearly.to_numpy(), kind=spec["kind"],
                              seed=seed + zlib_key(scope, indicator))
            row = {"scope": scope, "indicator": indicator, "area": spec["area_id"], "end_year": end_year,
                   "headline": bool(spec["headline"])}
            row.update(trend.as_dict() if trend else {})
            rows.append(row)
    return pd.DataFrame(rows)


def zlib_key(*parts: str) -> int:
    """A stable small integer per series, so each series has its own reproducible random stream."""
    import zlib

    return zlib.crc32("|".join(parts).encode()) % 100_000
