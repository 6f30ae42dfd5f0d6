"""How well the judgement's probabilities are calibrated: rolling-origin backtests and a simulation.

A key judgement rests, for each indicator, on the count model's probability that the mean of the next
H years will exceed the mean of the last H (:mod:`socta.analysis.trends`, ``p_rise_raw``). Whether such a
probability means what its yardstick term says is an empirical question, answered two ways:

- **Backtest** (:func:`backtest_table`): every series of a dataset, fitted again as if each earlier year had
  been the last (rolling origin), each forecast scored against what the later years then showed. Real
  series are short (an origin needs ``min_points`` years before it and H after), so this is a check on the
  edition's own data, not enough to fit a calibration.
- **Simulation** (:func:`simulate`): series with a known process, the difficulties of real recording
  included: overdispersed counts, a change of trend, an early peak, a break in series, missing years, values
  published only as "<5", amounts. The calibration map (:mod:`socta.analysis.calibration`) is fitted on one
  simulation and checked on another.

Scores (Czado, Gneiting & Held 2009; Mandel & Barnes 2014): per yardstick band, the forecasts made, their
mean probability and the share of events that happened; the Brier score and its skill against two naive
forecasts, climatology (the base rate of the events) and persistence (the last H years' direction against the H
before goes on, where the years before the origin give it);
and the probability integral transform of next year's value (randomised for counts), uniform when the
predictive distributions are calibrated.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from socta.analysis.calibration import calibrate
from socta.analysis.estimative import likelihood_term
from socta.analysis.series import yearly
from socta.analysis.trends import fit_trend, zlib_key
from socta.core.settings import Settings

# draws per forecast: a backtest makes hundreds of them; a probability to about ±1.6 points is enough
DRAWS = 1000

COLUMNS = ["source", "scope", "indicator", "kind", "origin", "p_raw", "p", "event", "persistence", "pit"]


def forecast_row(series: pd.DataFrame, kind: str, origin: int, seed: int, settings, future: pd.DataFrame,
                 calibration: pd.DataFrame | None) -> dict | None:
    """One forecast made at ``origin`` from ``series`` (years up to it), scored on ``future`` (years after).

    None when the model gives no probability, or the H years after the reference year are not all whole,
    final values (the event cannot be told)."""
    drawn: dict = {}
    trend = fit_trend(series, kind, seed, settings, draws=DRAWS, out=drawn, sensitivity=False)
    if trend.reason or not np.isfinite(trend.p_rise_raw):
        return None
    h, ref = trend.horizon, trend.reference_year
    year = future["year"].to_numpy(dtype=float)
    value = future["value"].to_numpy(dtype=float, na_value=np.nan)
    final = future["fit"].to_numpy(dtype=bool) & ~np.isnan(value)
    later = final & (year > ref) & (year <= ref + h)
    if later.sum() < h:
        return None
    event = float(value[later].mean() > drawn["past_mean"])
    past_year = series["year"].to_numpy(dtype=float)
    past_value = series["value"].to_numpy(dtype=float, na_value=np.nan)
    past = past_value[series["fit"].to_numpy(dtype=bool) & ~np.isnan(past_value) & (past_year <= ref)]
    # persistence: the last H years' direction against the H before goes on (none without 2H years)
    persistence = float(past[-h:].mean() > past[-2 * h:-h].mean()) if len(past) >= 2 * h else np.nan
    nxt = final & (year == trend.forecast_year)
    pit = _pit(drawn["next"], float(value[nxt][0]), kind, seed) if nxt.any() else np.nan
    return {"kind": kind, "origin": origin, "p_raw": trend.p_rise_raw,
            "p": calibrate(trend.p_rise_raw, calibration), "event": event, "persistence": persistence, "pit": pit}


def _pit(draws: np.ndarray, observed: float, kind: str, seed: int) -> float:
    """The predictive CDF at the observed value; for counts randomised between F(y−1) and F(y)."""
    below = float(np.mean(draws < observed))
    if kind != "count":
        return below
    at_most = float(np.mean(draws <= observed))
    return below + np.random.default_rng(seed).random() * (at_most - below)


def backtest_table(stats: pd.DataFrame, ref, scopes: dict[str, list[str]], first_year: int, last_year: int,
                   settings, calibration: pd.DataFrame | None = None, origins: int | None = None,
                   max_series: int | None = None) -> pd.DataFrame:
    """Rolling-origin forecasts of the indicator series of every scope (see the module): from every origin,
    or the last ``origins``; of every series, or of ``max_series`` of them, the same ones in every run (those
    whose scope and indicator hash lowest: a sample that does not favour any country or indicator)."""
    typed = Settings.of(settings)
    span = max(2 * typed.assessment.trend_window, 1)
    h = int(typed.judgement.horizon_years)
    years = list(range(first_year, last_year + 1))
    status = ref.observation_status
    chosen = [(scope, indicator) for scope in scopes for indicator in ref.indicators.index]
    if max_series is not None and len(chosen) > max_series:
        sample = set(sorted(chosen, key=lambda pair: zlib_key(*pair))[:max_series])
        chosen = [pair for pair in chosen if pair in sample]
    last_origin = last_year - h
    first_origin = first_year + int(typed.trends.min_points) - 1
    if origins is not None:
        first_origin = max(first_origin, last_origin - origins + 1)
    parts = {indicator: rows for indicator, rows in stats.groupby("indicator", sort=False)}
    empty = stats.iloc[0:0]
    # a one-country scope's series is that country's line of one by-country call per indicator, as in
    # socta.analysis.trends.trend_table: a national file has fifty of them
    lines: dict[str, dict[str, pd.DataFrame]] = {}
    for indicator in dict.fromkeys(i for _, i in chosen):
        singles = sorted({scopes[s][0] for s, i in chosen if i == indicator and len(scopes[s]) == 1})
        if singles:
            by = yearly(parts.get(indicator, empty), ref.indicators.loc[indicator], singles, years, status, by="country")
            lines[indicator] = dict(iter(by.groupby("country", sort=False)))
    rows = []
    for scope, indicator in chosen:
        spec = ref.indicators.loc[indicator]
        countries = scopes[scope]
        series = lines[indicator].get(countries[0], empty) if len(countries) == 1 else \
            yearly(parts.get(indicator, empty), spec, countries, years, status)
        if series.empty or not series["value"].notna().any():
            continue
        year = series["year"].to_numpy()
        for origin in range(first_origin, last_origin + 1):
            before = series[(year > origin - span) & (year <= origin)]
            row = forecast_row(before, spec["kind"], origin, typed.trends.seed + zlib_key(scope, indicator) + origin,
                               typed, series[year > origin], calibration)
            if row:
                rows.append({"source": "data", "scope": scope, "indicator": indicator, **row})
    return pd.DataFrame(rows, columns=COLUMNS)


# ---- the simulation ------------------------------------------------------------------------------------
def simulated_series(rng: np.random.Generator, fit_years: int, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """One series with a known process: the years to fit (as :func:`yearly` gives them) and the years after.

    A level between 8 and 3,000 a year, a change per year drawn around 0 (sd 10%), in three series of ten a
    change of trend at a random year (before or after the origin: departures that persist), counts with
    variance 1 to 8 times the mean; one series in seven has an early peak (a year 1.8–3 times its level),
    one in ten a break in series (the level multiplied by 0.2–5 from a year, flagged B), one in five one or
    two missing years; counts below 5 are published as "<5"; one in four is an amount (kg; gamma with a
    coefficient of variation of 0.2–0.8)."""
    n = fit_years + horizon
    year = np.arange(2000, 2000 + n)
    level = np.exp(rng.uniform(np.log(8), np.log(3000)))
    slope = np.full(n, rng.normal(0, 0.10))
    if rng.random() < 0.3:
        slope[rng.integers(2, n):] = rng.normal(0, 0.10)
    mean = level * np.exp(np.concatenate([[0.0], np.cumsum(slope[1:])]))
    breaks = np.zeros(n, dtype=bool)
    if rng.random() < 0.1:
        at = int(rng.integers(2, fit_years))
        mean[at:] *= rng.uniform(0.2, 5)
        breaks[at] = True
    if rng.random() < 1 / 7:
        mean[rng.integers(0, 3)] *= rng.uniform(1.8, 3)
    kind = "amount" if rng.random() < 0.25 else "count"
    if kind == "count":
        phi = rng.choice([1.0, 1.5, 3.0, 8.0])
        value = (rng.poisson(mean) if phi == 1 else rng.negative_binomial(mean / (phi - 1), 1 / phi)).astype(float)
    else:
        cv = rng.uniform(0.2, 0.8)
        value = rng.gamma(1 / cv ** 2, mean * cv ** 2)
    published = value.copy()
    fit = np.ones(n, dtype=bool)
    censor = np.where((value < 5) if kind == "count" else np.zeros(n, dtype=bool), "below", "")
    if rng.random() < 0.2:
        fit[rng.choice(np.arange(fit_years - 1), size=int(rng.integers(1, 3)), replace=False)] = False
    fit &= censor == ""
    published[~fit] = np.nan
    past = pd.DataFrame({"year": year[:fit_years], "value": published[:fit_years], "censor": censor[:fit_years],
                         "fit": fit[:fit_years], "anchor": fit[:fit_years], "breaks": breaks[:fit_years]})
    # what then happened: every value, as it was
    truth = pd.DataFrame({"year": year[fit_years:], "value": value[fit_years:], "fit": True})
    return past, truth, kind


def simulate(n: int, seed: int, settings=None, calibration: pd.DataFrame | None = None) -> pd.DataFrame:
    """Forecasts of ``n`` simulated series (:func:`simulated_series`), each scored against its own future."""
    typed = Settings.of(settings)
    h, fit_years = int(typed.judgement.horizon_years), max(2 * typed.assessment.trend_window, 1)
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        past, future, kind = simulated_series(rng, fit_years, h)
        row = forecast_row(past, kind, int(past["year"].max()), seed + i, typed, future, calibration)
        if row:
            rows.append({"source": "simulation", "scope": "", "indicator": f"sim-{i}", **row})
    return pd.DataFrame(rows, columns=COLUMNS)


# ---- scores ----------------------------------------------------------------------------------------------
# a band's share of events from fewer forecasts says nothing either way: ``within_5`` is then None
MIN_FORECASTS = 20


def band_table(forecasts: pd.DataFrame, yardstick: pd.DataFrame, column: str = "p") -> pd.DataFrame:
    """Per yardstick band: forecasts whose probability (``column``) takes its term, their mean probability,
    the share of events that happened, and whether that share lies within 5 points of the band (None with
    fewer than :data:`MIN_FORECASTS` forecasts)."""
    bands = yardstick.sort_values("lower_pct").reset_index(drop=True)
    term = [likelihood_term(p, bands).term for p in forecasts[column]] if len(forecasts) else []
    frame = forecasts.assign(term=term)
    rows = []
    for _, band in bands.iterrows():
        hit = frame[frame["term"].eq(band["term"])]
        observed = 100 * hit["event"].mean() if len(hit) else np.nan
        rows.append({"term": band["term"], "lower_pct": band["lower_pct"], "upper_pct": band["upper_pct"],
                     "forecasts": len(hit), "mean_pct": 100 * hit[column].mean() if len(hit) else np.nan,
                     "observed_pct": observed,
                     "within_5": bool(band["lower_pct"] - 5 <= observed <= band["upper_pct"] + 5)
                     if len(hit) >= MIN_FORECASTS else None})
    return pd.DataFrame(rows)


def brier(p: np.ndarray, event: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(event, dtype=float)) ** 2))


def scores(forecasts: pd.DataFrame, column: str = "p") -> dict:
    """Brier score of the forecasts and its skill against climatology and persistence (1 is perfect, 0 no
    better than the baseline, negative worse); NaN without forecasts (persistence: without a forecast that has
    one, ``persistence_forecasts`` of them)."""
    if forecasts.empty:
        return {"forecasts": 0, "events": 0, "brier": np.nan, "skill_climatology": np.nan,
                "persistence_forecasts": 0, "skill_persistence": np.nan}
    event = forecasts["event"].to_numpy(dtype=float)
    model = brier(forecasts[column], event)
    climatology = brier(np.full(len(event), event.mean()), event)
    # persistence only where the years before the origin give it, against the model on the same forecasts
    known = forecasts[forecasts["persistence"].notna()]
    persistence = brier(known["persistence"], known["event"]) if len(known) else np.nan
    on_known = brier(known[column], known["event"]) if len(known) else np.nan
    return {"forecasts": len(event), "events": int(event.sum()), "brier": model,
            "skill_climatology": 1 - model / climatology if climatology > 0 else np.nan,
            "persistence_forecasts": len(known),
            "skill_persistence": 1 - on_known / persistence if persistence > 0 else np.nan}


def pit_histogram(forecasts: pd.DataFrame, bins: int = 10) -> np.ndarray:
    """The share of PIT values in each of ``bins`` equal bins (each 1/bins when calibrated)."""
    pit = forecasts["pit"].dropna().to_numpy(dtype=float)
    if not len(pit):
        return np.full(bins, np.nan)
    counts, _ = np.histogram(np.clip(pit, 0, 1 - 1e-12), bins=bins, range=(0, 1))
    return counts / len(pit)
