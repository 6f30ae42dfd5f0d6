"""Trends with uncertainty: a log-linear count model per indicator series.

Input is one yearly series as :func:`socta.analysis.series.yearly` gives it: gaps, censored (``<5``), part-year
and incomplete years have no value, and ``fit``/``anchor``/``breaks`` carry the observation-status
flags. :func:`fit_trend` always returns a :class:`Trend`; when no trend can be fitted its ``reason``
says why and its numbers are NaN.

Which years are fitted
    Only years whose ``fit`` is true. A break in series (status ``B``) means the series starts
    afresh: only the segment from the **last** break year onwards is fitted (the break year belongs
    to the new segment). The segment needs ``min_points`` values (``too_few_points``); a series that
    is all zeros, mostly zeros (share above ``max_zero_share``) or, for counts, averages fewer than
    ``min_mean_count`` is ``too_sparse``: a log-linear slope through a few small counts is driven by
    one or two values and "explodes" (a 0 followed by a 12 is +∞% a year).

The model
    A Poisson GLM, log(mean) = a + b·year, with the dispersion estimated from the Pearson χ²
    (quasi-Poisson; for counts never below 1, so intervals are not made narrower than Poisson's).
    That gives the change per year, exp(b) − 1, with a 90% interval. An interval wider than
    ``max_interval_width`` (high − low; 1.0 = 100 points) sets ``wide_interval``: the data cannot
    support a judgement. For counts, a jump between consecutive fitted values by a factor of
    ``jump_factor`` or more (the larger value at least ``jump_min_count``) is reported as
    ``suspected_break``: recorded offences or persons do not multiply or divide by five in a year
    unless the recording changed (North Macedonia's drug offences: 594, then 22); a fit across it
    is not a trend. Amounts (kg seized) do jump with one large seizure, so they are not checked.
    ``supports_judgement`` is true only for a fitted trend with neither warning.

Next year's value
    The question is whether the value of ``forecast_year`` (the year after the last published
    value: flagged, part-year and censored ones count, an incomplete total does not; not the end of
    the window when data end early) will exceed that of ``reference_year`` (the last year of the
    segment fit to start a projection from: never a provisional, estimated, part-year or censored
    value). The projection
    starts from a level halfway (``anchor_weight``) between the reference year's observed value and
    the fitted line's value in that year, and grows by the fitted change per year for each year up
    to the forecast year. Why a blend: starting from the line alone treats every departure from it
    as passing noise, so a series that turned down three years ago is still projected up to its old
    line; starting from the observed value alone treats one odd year as the new level, so a 0 after
    a year of 180 projects 0 and gives a "remote chance" of any offence next year. In simulated
    series of both kinds (departures that pass, departures that persist) an equal blend scored
    (Brier score) close to the better of the two in each, and a single odd value moves the start
    only halfway. Drawing both coefficients from their estimated distribution and next year's value
    around that mean (negative binomial for counts, gamma for amounts, with the estimated
    dispersion) gives the probability that the forecast year's value exceeds the reference year's.
"""
from __future__ import annotations

import warnings
import zlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from socta.analysis.calibration import calibrate, shipped_map
from socta.analysis.series import yearly
from socta.core.settings import Settings

INTERVAL = 0.90

DRAWS = 4000

# paths of the horizon's years drawn for the judgement's probability: the mean of several years varies
# less than one year's value, and a probability to ±1.6 points (its standard error at 50%) picks the term
HORIZON_DRAWS = 1000

NAN = float("nan")


# no yearly statistic is larger: a series with such a value is not fitted (validation refuses it first)
MAX_FIT_VALUE = 1e15


@dataclass(frozen=True)
class Trend:
    years: int                    # values fitted (0 when none)
    first_year: int | None        # first fitted year
    last_fit_year: int | None     # last fitted year (a later, flagged or incomplete year is not fitted)
    reference_year: int | None    # the anchor: the year next year's value is compared with
    last_observed_year: int | None  # last year with any published value (flagged or censored too)
    forecast_year: int | None     # last_observed_year + 1
    last_value: float             # the reference year's observed value
    change_per_year: float        # fitted relative change per year, e.g. 0.05 = +5% a year
    change_low: float             # 90% interval
    change_high: float
    dispersion: float
    fitted_last: float            # the fitted line's value in reference_year
    start_level: float            # where the projection starts: the blend of last_value and fitted_last
    expected_next: float          # start_level grown by the fitted change up to forecast_year
    p_exceeds_last: float         # P(forecast year's value > reference year's value)
    break_year: int | None        # the last break in series (status B) in the window; the fit starts there
    suspected_break: int | None   # counts: the year of the last implausible jump inside the fitted years
    wide_interval: bool           # the 90% interval is too wide to support a judgement
    supports_judgement: bool      # fitted, no wide interval, no suspected break
    reason: str                   # "" when fitted; else no_data, too_few_points, too_sparse, no_anchor, fit_failed
    detail: str = ""              # for fit_failed: why the numbers could not be fitted, in words
    horizon: int = 0              # the judgement's horizon in years (settings: judgement.horizon_years)
    p_rise_raw: float = NAN       # the model's P(mean of the next `horizon` years > mean of the last `horizon`)
    robust_change: float = NAN    # Theil-Sen change per year of log(value + 0.5): not pulled by one odd year
    next_low: float = NAN         # the forecast year's value: 5th and 95th percentile of the model's draws
    next_high: float = NAN
    window_low: float = NAN       # the fitted change per year with the window started 1 or 2 years later (as long
    window_high: float = NAN      #   as it keeps min_points values): the lower and the higher; NaN without either
    unstable: bool = False        # the model, the robust slope or a shifted window disagree on the direction

    def as_dict(self) -> dict:
        return asdict(self)


def _year(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def fit_trend(series: pd.DataFrame, kind: str, seed: int, settings: dict, draws: int = DRAWS,
              out: dict | None = None, sensitivity: bool = True) -> Trend:
    """Fit one yearly series (the output of :func:`socta.analysis.series.yearly` for one total); see the module.

    ``out``, when given, receives the draws behind the probabilities (``next``: the forecast year's value;
    ``future_mean``: the mean of the horizon's years; ``past_mean``), for the backtest's PIT and scores;
    ``sensitivity=False`` leaves out the refits of shifted windows (``window_low``/``window_high`` are then NaN),
    which a backtest does not read."""
    typed = Settings.of(settings)  # the defaults for keys a data folder's settings.yaml predates
    cfg, horizon_years = typed.trends, int(typed.judgement.horizon_years)
    # plain arrays: a national file has thousands of series, and a DataFrame operation per step costs more
    # than the fit itself
    s = series if series["year"].is_monotonic_increasing else series.sort_values("year")
    year = s["year"].to_numpy(dtype="float64")
    value = s["value"]
    value = (value if value.dtype == "float64" else pd.to_numeric(value, errors="coerce")).to_numpy(
        dtype="float64", na_value=np.nan)
    censor = s["censor"].to_numpy(dtype=object) if "censor" in s else np.full(len(s), "", dtype=object)
    has_value = ~np.isnan(value)
    published = year[has_value | ~pd.isna(censor) & (censor != "")]
    last_observed = _year(published.max()) if len(published) else None

    def flags(column: str) -> np.ndarray:
        cells = s[column]
        return cells.to_numpy(dtype=bool) if cells.dtype == bool else cells.astype(bool).to_numpy()

    breaks = year[flags("breaks")]
    break_year = _year(breaks.max()) if len(breaks) else None
    usable = flags("fit") & has_value
    segment = usable if break_year is None else usable & (year >= break_year)
    anchored = segment & flags("anchor")
    seg_year, seg_value = year[segment], value[segment]
    anchor_values = value[anchored]
    known = dict(
        years=int(segment.sum()), first_year=_year(seg_year.min()) if len(seg_year) else None,
        last_fit_year=_year(seg_year.max()) if len(seg_year) else None,
        reference_year=_year(year[anchored].max()) if anchored.any() else None,
        last_observed_year=last_observed, forecast_year=None if last_observed is None else last_observed + 1,
        break_year=break_year, horizon=horizon_years,
    )

    def unfitted(reason: str, detail: str = "") -> Trend:
        last = float(anchor_values[-1]) if len(anchor_values) else NAN
        return Trend(**known, last_value=last, change_per_year=NAN, change_low=NAN, change_high=NAN,
                     dispersion=NAN, fitted_last=NAN, start_level=NAN, expected_next=NAN, p_exceeds_last=NAN,
                     suspected_break=None, wide_interval=False, supports_judgement=False, reason=reason,
                     detail=detail)

    if not usable.any():
        return unfitted("no_data")
    if len(seg_value) < int(cfg["min_points"]):
        return unfitted("too_few_points")
    y = seg_value
    if (y <= 0).all() or (y == 0).mean() > float(cfg["max_zero_share"]) or \
            (kind == "count" and y.mean() < float(cfg["min_mean_count"])):
        return unfitted("too_sparse")
    if not len(anchor_values):
        return unfitted("no_anchor")
    if not np.isfinite(y).all() or y.max() > MAX_FIT_VALUE:
        return unfitted("fit_failed", f"cannot fit: a value of {y.max():.3g} is beyond any real figure "
                                      f"(more than {MAX_FIT_VALUE:.0e}); check the data")
    try:
        # an absurd magnitude must give "cannot fit" with the reason, never an exception
        return _fit(seg_year, seg_value, float(anchor_values[-1]), known, kind, seed, cfg, draws, unfitted, out,
                    sensitivity)
    except (ValueError, OverflowError, FloatingPointError, ZeroDivisionError, np.linalg.LinAlgError) as exc:
        return unfitted("fit_failed", f"cannot fit: {type(exc).__name__}: {exc}")


class _PoissonFit:
    """What :func:`poisson_glm` returns: coefficients (constant, slope), their unscaled covariance,
    and the Pearson χ² of the fitted means."""

    def __init__(self, params: np.ndarray, normalized_cov: np.ndarray, pearson_chi2: float):
        self.params, self.normalized_cov, self.pearson_chi2 = params, normalized_cov, pearson_chi2


def poisson_glm(X: np.ndarray, y: np.ndarray, scale: float = 1.0, maxiter: int = 100, tol: float = 1e-8) -> _PoissonFit:
    """Fit log(mean) = X·β to counts ``y`` by iteratively reweighted least squares.

    The same algorithm, step for step and operation for operation, as statsmodels'
    ``GLM(y, X, family=Poisson()).fit(scale=scale)`` (0.15): the same start, the same weighted least
    squares in each step (``lstsq``), the same stop (the deviance divided by ``scale`` changes by less
    than ``tol``) and the same final pseudo-inverse. So the numbers are the same to the last bit
    (``tests/unit/test_trends.py`` checks it against statsmodels), at a quarter of the time: a national
    file fits thousands of series, and statsmodels' model and result objects cost more than the fit.
    """
    eps = np.finfo(float).eps

    # np.maximum(x, eps) is statsmodels' np.clip(x, eps, inf), at a fifth of the cost
    def deviance(mu):  # Poisson deviance; a 0 count gives y·log(eps) · 0 = 0
        return np.sum(2 * (y * np.log(np.maximum(y / mu, eps)) - (y - mu)) / scale)

    mu = (y + y.mean()) / 2.0
    linear = np.log(np.maximum(mu, eps))
    previous, current = np.inf, deviance(mu)
    for _ in range(maxiter):
        slope = 1.0 / np.maximum(mu, eps)                   # d log(mu) / d mu
        weights = 1.0 / (slope ** 2 * np.fabs(mu))          # 1 / (link'(mu)² · Poisson variance)
        working = linear + slope * (y - mu)                 # the working response
        root = np.sqrt(weights)
        beta = np.linalg.lstsq(root[:, None] * X, root * working, rcond=-1)[0]
        linear = np.dot(X, beta)
        mu = np.exp(linear)
        previous, current = current, deviance(mu)
        if previous == current or abs(previous - current) <= tol:  # np.allclose(…, atol=tol, rtol=0)
            break
    # the last step again, by pseudo-inverse, which also gives the covariance
    u, singular, vt = np.linalg.svd(root[:, None] * X, False)
    cutoff = 1e-15 * np.maximum.reduce(singular)
    inverse = np.where(singular > cutoff, 1.0 / np.where(singular > cutoff, singular, 1.0), 0.0)
    pinv = np.dot(np.transpose(vt), np.multiply(inverse[:, np.newaxis], np.transpose(u)))
    params = np.dot(pinv, working * root)
    fitted = np.exp(np.dot(X, params))
    pearson = float(np.sum((y - fitted) ** 2 / np.fabs(fitted)))
    return _PoissonFit(params, np.dot(pinv, np.transpose(pinv)), pearson)


def _fit(years: np.ndarray, y: np.ndarray, last_value: float, known: dict, kind: str, seed: int, cfg: dict,
         draws: int, unfitted, out: dict | None = None, sensitivity: bool = True) -> Trend:
    from scipy.special import ndtri  # 0.3 s to import, paid only where a series is fitted

    centre = years.mean()
    X = np.column_stack([np.ones(len(years)), years - centre])
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # a perfectly regular series is a fit, not a problem
            warnings.simplefilter("ignore")
            phi = float(poisson_glm(X, y).pearson_chi2 / (len(y) - 2))
            # counts: never narrower than Poisson; amounts have no natural unit variance, only keep it positive
            floor = 1.0 if kind == "count" else 1e-9
            dispersion = phi if np.isfinite(phi) and phi > floor else floor
            fit = poisson_glm(X, y, scale=dispersion)
    except (ValueError, np.linalg.LinAlgError, OverflowError, FloatingPointError) as exc:
        return unfitted("fit_failed", f"cannot fit: {type(exc).__name__}: {exc}")
    params, cov = fit.params, fit.normalized_cov * dispersion
    if not (np.isfinite(params).all() and np.isfinite(cov).all()):
        return unfitted("fit_failed", "cannot fit: the model did not converge to finite numbers")

    b, se = params[1], float(np.sqrt(cov[1, 1]))
    z = float(ndtri(0.5 + INTERVAL / 2))  # 1.645 for the two-sided 90% interval (scipy.stats.norm.ppf)
    with np.errstate(over="ignore"):  # an infinite interval bound is a wide interval, not an error
        low, high = float(np.exp(b - z * se) - 1), float(np.exp(b + z * se) - 1)
    wide = not (np.isfinite(low) and np.isfinite(high)) or high - low > float(cfg["max_interval_width"])
    suspected = _suspected_break(years, y, cfg) if kind == "count" else None

    reference_year = known["reference_year"]
    horizon = known["forecast_year"] - reference_year  # > 1 when the last published values cannot anchor
    w = float(cfg["anchor_weight"])
    x_ref = reference_year - centre
    fitted_last = float(np.exp(params[0] + b * x_ref))
    start_level = w * last_value + (1 - w) * fitted_last

    rng = np.random.default_rng(seed)
    coefs = rng.multivariate_normal(params, cov, size=draws)
    with np.errstate(over="ignore"):
        mu = (w * last_value + (1 - w) * np.exp(coefs[:, 0] + coefs[:, 1] * x_ref)) * np.exp(coefs[:, 1] * horizon)
    mu = np.maximum(mu, 1e-9)  # a start of exactly 0 would make the draws degenerate
    if not np.isfinite(mu).all() or mu.max() > MAX_FIT_VALUE:
        return unfitted("fit_failed", "cannot fit: the projected values overflow; check the series for a value "
                                      "orders of magnitude off")
    if kind == "count":
        if dispersion > 1.0:
            n, p = mu / (dispersion - 1.0), 1.0 / dispersion
            if not (np.all(n > 0) and 0 < p <= 1):
                return unfitted("fit_failed", f"cannot fit: the dispersion ({dispersion:.3g}) is too large for a "
                                              "count model; check the series for a value orders of magnitude off")
            nxt = rng.negative_binomial(n, p)
        else:
            nxt = rng.poisson(mu)
    else:
        shape = mu / dispersion
        if not (np.all(shape > 0) and np.isfinite(dispersion)):
            return unfitted("fit_failed", "cannot fit: the dispersion is out of range")
        nxt = rng.gamma(shape, dispersion)
    expected_next = float(start_level * np.exp(b * horizon))
    if not all(np.isfinite(v) for v in (fitted_last, start_level, expected_next)):
        return unfitted("fit_failed", "cannot fit: the fitted values overflow")
    # the judgement's question, over its horizon H: will the mean of the H years after the reference year
    # exceed the mean of the last H fitted years up to it? Drawn after next year's value, from the same
    # coefficients, so that the numbers above stay those of the same seed
    h = int(known["horizon"]) or 1
    past = y[years <= reference_year][-h:]
    steps = np.arange(1, h + 1)
    with np.errstate(over="ignore"):
        few = coefs[:HORIZON_DRAWS]
        start = w * last_value + (1 - w) * np.exp(few[:, 0] + few[:, 1] * x_ref)
        paths = np.maximum(start[:, None] * np.exp(few[:, [1]] * steps), 1e-9)
    if not np.isfinite(paths).all() or paths.max() > MAX_FIT_VALUE:
        return unfitted("fit_failed", "cannot fit: the projected values overflow; check the series for a value "
                                      "orders of magnitude off")
    # the sum of the horizon's values in one draw: independent negative binomials with a common p (and
    # Poissons, and gammas with a common scale) add up to one of the same family with the summed means
    future = _draw(rng, paths.sum(axis=1), dispersion, kind) / h
    if out is not None:
        out.update(next=nxt, future_mean=future, past_mean=float(past.mean()))
    robust = _theil_sen(years, np.log(y + 0.5))
    shifted = [b]
    for skip in (1, 2) if sensitivity else ():   # the window started one and two years later, while it keeps enough values
        if len(y) - skip >= int(cfg["min_points"]):
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                shifted.append(float(poisson_glm(X[skip:], y[skip:]).params[1]))
    changes = np.exp(np.array(shifted)) - 1        # the whole window's change first, then the shifted ones'
    robust_change = float(np.exp(robust) - 1)
    directions = {int(np.sign(c)) for c in (*changes, robust_change) if abs(c) >= UNSTABLE_WITHIN}
    return Trend(
        **known, last_value=last_value, change_per_year=float(np.exp(b) - 1), change_low=low, change_high=high,
        dispersion=float(dispersion), fitted_last=fitted_last, start_level=start_level,
        expected_next=expected_next, p_exceeds_last=float(np.mean(nxt > last_value)),
        suspected_break=suspected, wide_interval=bool(wide), supports_judgement=not wide and suspected is None,
        reason="", p_rise_raw=float(np.mean(future > past.mean())), robust_change=robust_change,
        window_low=float(changes[1:].min()) if len(changes) > 1 else NAN,
        window_high=float(changes[1:].max()) if len(changes) > 1 else NAN, unstable=len(directions) > 1,
        next_low=float(np.quantile(nxt, 0.05)), next_high=float(np.quantile(nxt, 0.95)),
    )


# a change per year smaller than this has no direction worth a disagreement (1% a year)
UNSTABLE_WITHIN = 0.01


def _draw(rng, mu: np.ndarray, dispersion: float, kind: str) -> np.ndarray:
    """Values around the means ``mu``: negative binomial (counts, dispersion > 1), Poisson (counts), gamma."""
    if kind == "count":
        if dispersion > 1.0:
            return rng.negative_binomial(mu / (dispersion - 1.0), 1.0 / dispersion)
        return rng.poisson(mu)
    return rng.gamma(mu / dispersion, dispersion)


def _theil_sen(x: np.ndarray, y: np.ndarray) -> float:
    """The median of the slopes between every pair of points (Theil 1950, Sen 1968)."""
    i, j = np.triu_indices(len(x), 1)
    return float(np.median((y[j] - y[i]) / (x[j] - x[i])))


def _suspected_break(years: np.ndarray, values: np.ndarray, cfg: dict) -> int | None:
    """The year of the last jump by ``jump_factor`` or more between consecutive fitted counts.

    The ratio is taken on counts + 1 so that a 0 compares; the larger count must be at least
    ``jump_min_count``, so 8 → 45 (small-count noise) is not a break but 180 → 0 or 594 → 22 is.
    """
    values = np.asarray(values, dtype=float)
    years = np.asarray(years).astype(int)
    before, after = values[:-1], values[1:]
    ratio = (np.maximum(before, after) + 1) / (np.minimum(before, after) + 1)
    jumps = (ratio >= float(cfg["jump_factor"])) & (np.maximum(before, after) >= float(cfg["jump_min_count"]))
    return int(years[1:][jumps][-1]) if jumps.any() else None


def trend_subscore(change_per_year: float, full_scale_pct: float) -> float:
    """Map a fitted change per year to the 0-4 threat sub-score: −full_scale% → 0, 0 → 2, +full_scale% → 4."""
    if change_per_year is None or pd.isna(change_per_year):
        return np.nan
    return float(np.clip(2 + 2 * (100 * change_per_year) / full_scale_pct, 0, 4))


def trend_table(stats: pd.DataFrame, ref, scopes: dict[str, list[str]], end_year: int, span: int, seed: int,
                settings: dict, indicators: list[str] | None = None, report: bool = True,
                sensitivity: bool = True) -> pd.DataFrame:
    """Fit every indicator's total (over sub-markets, categories and the scope's countries) per scope;
    ``indicators``: only these (each series has its own seed, so a subset fits exactly as in the whole);
    ``report``: tell the listeners of :func:`reporting` how far it is; ``sensitivity``: refit shifted windows
    (:func:`fit_trend`).

    ``ref`` is a :class:`socta.ingest.reference.Reference`; ``scopes`` maps a scope name to the countries it
    sums; the series covers the ``span`` years ending in ``end_year`` (a total exists only in years
    where every country and cell reported, see :mod:`socta.analysis.series`). Breakdown indicators that repeat
    a headline total are fitted like any other. One row per scope × indicator, fitted or not.
    """

    years = range(end_year - span + 1, end_year + 1)
    # each indicator's rows of the window, split once: not the whole table again for every scope
    window = stats[stats["year"].isin(list(years))]
    parts = {indicator: rows for indicator, rows in window.groupby("indicator", sort=False)}
    empty = window.iloc[0:0]
    status = ref.observation_status
    # a one-country scope's series is that country's line of the by-country series: one call per
    # indicator for every country instead of one per country (50 countries: 50 times fewer)
    singles = sorted({c[0] for c in scopes.values() if len(c) == 1})
    per_country: dict[str, dict[str, pd.DataFrame]] = {}
    specs = ref.indicators if indicators is None else ref.indicators.loc[list(indicators)]
    for indicator, spec in specs.iterrows():
        if singles:
            lines = yearly(parts.get(indicator, empty), spec, singles, years, status, by="country")
            per_country[indicator] = dict(iter(lines.groupby("country", sort=False)))
    calibration = shipped_map() if Settings.of(settings).judgement.calibrate else None
    rows = []
    for done, (scope, countries) in enumerate(scopes.items()):
        if report:
            _report(f"trends to {end_year}", done, len(scopes))
        for indicator, spec in specs.iterrows():
            if len(countries) == 1:
                series = per_country[indicator][countries[0]]
            else:
                series = yearly(parts.get(indicator, empty), spec, countries, years, status)
            trend = fit_trend(series, spec["kind"], seed + zlib_key(scope, indicator), settings,
                              sensitivity=sensitivity)
            rows.append({"scope": scope, "indicator": indicator, "area": spec["area_id"], "end_year": end_year,
                         "headline": bool(spec["headline"]), **trend.as_dict(),
                         "p_rise": calibrate(trend.p_rise_raw, calibration)})
    if report:
        _report(f"trends to {end_year}", len(scopes), len(scopes))
    return pd.DataFrame(rows)


_LISTENERS: list = []


@contextmanager
def reporting(callback):
    """While in the block, ``callback(step, done, total)`` hears how far :func:`trend_table` is (the
    long step of processing a national file); ``socta validate`` draws it as a progress bar."""
    _LISTENERS.append(callback)
    try:
        yield callback
    finally:
        _LISTENERS.remove(callback)


def _report(step: str, done: int, total: int) -> None:
    for callback in list(_LISTENERS):
        callback(step, done, total)


def zlib_key(*parts: str) -> int:
    """A stable small integer per series, so each series has its own reproducible random stream."""
    return zlib.crc32("|".join(parts).encode()) % 100_000
