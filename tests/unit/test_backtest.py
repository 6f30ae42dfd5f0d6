"""The backtest and the calibration map (socta/analysis/backtest.py, calibration.py), and the trend model's new
numbers (the horizon's probability, the robust slope, the window's sensitivity), against hand computation and
independent implementations."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from socta.analysis import backtest
from socta.analysis.calibration import calibrate, fit_map, shipped_check, shipped_map
from socta.analysis.trends import fit_trend, poisson_glm
from socta.core.settings import Settings

SETTINGS = Settings()


def series(values, first=2010, fit=None):
    values = np.asarray(values, dtype=float)
    flags = np.ones(len(values), dtype=bool) if fit is None else np.asarray(fit)
    return pd.DataFrame({"year": np.arange(first, first + len(values)), "value": values, "censor": "",
                         "fit": flags, "anchor": flags, "breaks": False})


def test_the_horizons_probability_asks_about_the_next_years_mean_against_the_last():
    rising = fit_trend(series([100, 112, 125, 140, 157, 176, 197, 220]), "count", 1, SETTINGS)
    falling = fit_trend(series([220, 197, 176, 157, 140, 125, 112, 100]), "count", 1, SETTINGS)
    assert rising.horizon == 4 and rising.p_rise_raw > 0.95 and falling.p_rise_raw < 0.05
    # a rebound after one low year on a flat series: next year may well exceed the low year, but the next
    # four years are no more likely than not to exceed the last four
    rebound = fit_trend(series([150, 148, 153, 149, 151, 152, 150, 120]), "count", 1, SETTINGS)
    assert rebound.p_exceeds_last > 0.6 and rebound.p_rise_raw < 0.5


def test_the_robust_slope_is_theil_sen_and_the_window_refits_are_the_models():
    values = [400, 180, 170, 175, 182, 190, 188, 196]        # one early peak, then flat or rising
    trend = fit_trend(series(values), "count", 1, SETTINGS)
    years = np.arange(2010, 2018, dtype=float)
    theil = scipy_stats.theilslopes(np.log(np.asarray(values) + 0.5), years)[0]
    assert trend.robust_change == pytest.approx(np.exp(theil) - 1)
    X = np.column_stack([np.ones(8), years - years.mean()])
    slopes = [poisson_glm(X[k:], np.asarray(values[k:], dtype=float)).params[1] for k in (1, 2)]
    assert trend.window_low == pytest.approx(np.exp(min(slopes)) - 1)
    assert trend.window_high == pytest.approx(np.exp(max(slopes)) - 1)
    # the whole window falls because of the peak; without its first year the series rises: unstable
    assert trend.change_per_year < 0 < trend.robust_change and trend.unstable
    steady = fit_trend(series([100, 112, 125, 140, 157, 176, 197, 220]), "count", 1, SETTINGS)
    assert not steady.unstable
    short = fit_trend(series([100, 112, 125, 140, 157]), "count", 1, SETTINGS)   # no later start keeps 5 years
    assert np.isnan(short.window_low) and np.isnan(short.window_high) and short.reason == ""


def test_a_forecast_is_scored_on_the_years_that_followed():
    past = series([100, 104, 99, 103, 101, 102, 100, 103])     # 2010-2017
    future = pd.DataFrame({"year": [2018, 2019, 2020, 2021], "value": [110.0, 111, 108, 112], "fit": True})
    row = backtest.forecast_row(past, "count", 2017, 7, SETTINGS, future, None)
    assert row["event"] == 1.0                     # mean 110.25 > mean of 2014-2017, 101.5
    assert row["persistence"] == 0.0               # 2014-2017 (101.5) was not above 2010-2013 (101.5)
    fewer = backtest.forecast_row(past.iloc[2:], "count", 2017, 7, SETTINGS, future, None)
    assert np.isnan(fewer["persistence"])          # six years: no four against the four before
    assert 0 <= row["pit"] <= 1 and row["p"] == row["p_raw"]
    short = future.iloc[:3]                        # the fourth year is not known yet: nothing to score
    assert backtest.forecast_row(past, "count", 2017, 7, SETTINGS, short, None) is None


def test_the_pit_of_a_count_is_randomised_between_the_cdf_below_and_at_the_value():
    draws = np.array([0, 1, 1, 2, 3])
    pit = backtest._pit(draws, 1.0, "count", 5)
    assert 0.2 <= pit <= 0.6                        # F(0) = 0.2, F(1) = 0.6
    assert backtest._pit(draws, 1.0, "amount", 5) == pytest.approx(0.2)


def test_brier_scores_and_skill_by_hand():
    forecasts = pd.DataFrame({"p": [0.9, 0.2, 0.6], "event": [1.0, 0.0, 1.0], "persistence": [1.0, 1.0, np.nan]})
    sc = backtest.scores(forecasts)
    assert sc["brier"] == pytest.approx((0.01 + 0.04 + 0.16) / 3)
    assert sc["skill_climatology"] == pytest.approx(1 - 0.07 / (2 / 9))   # base rate 2/3: its Brier score 2/9
    # persistence where it is known (the first two): the model's 0.025 against persistence's 0.5
    assert sc["persistence_forecasts"] == 2 and sc["skill_persistence"] == pytest.approx(1 - 0.025 / 0.5)
    assert backtest.scores(forecasts.iloc[0:0])["forecasts"] == 0


def test_the_band_table_puts_each_forecast_under_its_yardstick_term():
    yardstick = pd.DataFrame({"term": ["unlikely", "likely"], "lower_pct": [10, 60], "upper_pct": [40, 90]})
    forecasts = pd.DataFrame({"p": [0.2, 0.3, 0.7, 0.8, 0.75], "event": [0.0, 1.0, 1.0, 1.0, 0.0]})
    assert backtest.band_table(forecasts, yardstick)["within_5"].isna().all()   # too few forecasts to tell
    forecasts = pd.concat([forecasts] * 10, ignore_index=True)
    bands = backtest.band_table(forecasts, yardstick).set_index("term")
    assert bands.loc["unlikely", "forecasts"] == 20 and bands.loc["unlikely", "observed_pct"] == 50
    assert not bands.loc["unlikely", "within_5"]          # 50% is more than 5 points above 10-40%
    assert bands.loc["likely", "mean_pct"] == pytest.approx(75) and bands.loc["likely", "observed_pct"] == pytest.approx(200 / 3)
    assert bands.loc["likely", "within_5"]


def test_the_calibration_map_is_monotone_and_reproduces_known_frequencies():
    rng = np.random.default_rng(3)
    raw = rng.random(20000)
    truth = 0.5 + (raw - 0.5) * 0.6                       # over-confident: 90% means 74%
    events = (rng.random(len(raw)) < truth).astype(float)
    frame = fit_map(raw, events)
    assert frame["raw_pct"].is_monotonic_increasing and frame["calibrated_pct"].is_monotonic_increasing
    assert frame["raw_pct"].iloc[0] == 0 and frame["raw_pct"].iloc[-1] == 100
    for p in (0.1, 0.3, 0.5, 0.7, 0.9):
        assert calibrate(p, frame) == pytest.approx(0.5 + (p - 0.5) * 0.6, abs=0.04)
    assert calibrate(0.42, None) == 0.42


def test_the_shipped_map_and_its_check_are_there_and_in_every_band_within_five_points():
    frame, check = shipped_map(), shipped_check()
    assert frame is not None and frame["calibrated_pct"].is_monotonic_increasing
    assert set(check["term"]) == {"remote chance", "highly unlikely", "unlikely", "realistic possibility", "likely",
                                  "highly likely", "almost certain"}
    assert check["within_5"].all() and (check["forecasts"] >= 300).all()


def test_the_backtest_of_the_demo_forecasts_only_from_origins_with_a_known_outcome(demo_processing):
    table = pd.read_parquet(demo_processing.project.processed_dir("public") / "backtest.parquet")
    first, last = demo_processing.project.years
    assert len(table) > 100
    assert table["origin"].between(first + 4, last - 4).all()         # min_points 5 before, horizon 4 after
    assert set(table["scope"]) == {"SRB", "MNE", "MKD", "region"}
    assert table["p"].between(0, 1).all() and table["event"].isin([0.0, 1.0]).all()
