"""Trend fits on the patterns real regional statistics show: breaks in series, small and suppressed counts,
gaps (issue 8).

Each test builds a tiny statistics table, turns it into a series with socta.analysis.series.yearly (so the
observation-status flags work as in the book) and checks a hand-checkable expectation.
"""
import math

import numpy as np
import pandas as pd
import pytest

from socta.analysis.series import yearly
from socta.analysis.trends import fit_trend, trend_table
from socta.core.config import Project
from socta.ingest.reference import Reference
from tests.helpers import DEMO_2016

REF = Reference(Project(data_dir=DEMO_2016))
SETTINGS = REF.project.settings
SPEC = REF.indicators.loc["drug_offences"]  # kind count, no sub-markets or categories


COLUMNS = ["country", "year", "indicator", "submarket", "category", "value", "status", "censor", "bound", "months"]


def statistics(values: dict, country: str = "MKD", indicator: str = "drug_offences") -> pd.DataFrame:
    """``{year: value}``; a value may be ``(value, status)``, ``(value, status, months)`` or ``"<5"``."""
    rows = []
    for year, cell in values.items():
        value, status, months, censor, bound = cell, "", np.nan, "", np.nan
        if isinstance(cell, tuple):
            value, status, *rest = cell
            months = rest[0] if rest else np.nan
        if isinstance(cell, str) and cell.startswith("<"):
            value, censor, bound = np.nan, "below", float(cell[1:])
        rows.append({"country": country, "year": year, "indicator": indicator, "submarket": "", "category": "",
                     "value": value, "status": status, "censor": censor, "bound": bound, "months": months})
    return pd.DataFrame(rows, columns=COLUMNS)


def series(values: dict, years) -> pd.DataFrame:
    return yearly(statistics(values), SPEC, ["MKD"], years, REF.observation_status)


def fit(values: dict, years, kind: str = "count", seed: int = 1, settings: dict = SETTINGS):
    return fit_trend(series(values, years), kind, seed, settings)


def run(start: int, values: list) -> dict:
    return dict(zip(range(start, start + len(values)), values))


# North Macedonia's drug offences (Eurostat ICCS 0601): 594, a gap, then 22, 17, 31, then hundreds
NMK = {2012: 594, 2014: (22, "B"), 2015: 17, 2016: 31, 2017: (310, "B"),
       2018: 342, 2019: 371, 2020: 405, 2021: 440}


def test_break_in_series_fits_only_the_segment_after_the_last_break():
    t = fit(NMK, range(2012, 2022))
    assert t.reason == "" and t.break_year == 2017
    assert (t.first_year, t.years) == (2017, 5)
    # 310 → 440 over four years is (440/310)^(1/4) − 1 = 9.2% a year
    assert t.change_per_year == pytest.approx(0.092, abs=0.01)
    assert t.suspected_break is None and t.supports_judgement


def test_break_year_itself_opens_the_new_segment():
    only_first = {y: (v[0] if isinstance(v, tuple) and y != 2014 else v) for y, v in NMK.items()}
    t = fit(only_first, range(2012, 2022))
    # from 2014: 22, 17, 31, 310, … still spans the unflagged change of recording in 2017
    assert (t.break_year, t.first_year, t.years) == (2014, 2014, 8)
    assert t.suspected_break == 2017 and not t.supports_judgement


def test_unflagged_break_is_fitted_but_reported_as_suspected():
    plain = {y: (v[0] if isinstance(v, tuple) else v) for y, v in NMK.items()}
    t = fit(plain, range(2012, 2022))
    assert t.reason == "" and t.break_year is None and t.years == 9
    # the last ×5 jump (31 → 310) is the warning; the judgement layer must not state a likelihood
    assert t.suspected_break == 2017
    assert not t.supports_judgement


def test_four_points_give_no_trend():
    t = fit(run(2020, [100, 120, 140, 160]), range(2017, 2024))
    assert t.reason == "too_few_points" and t.years == 4
    assert math.isnan(t.p_exceeds_last) and math.isnan(t.change_per_year)
    assert not t.supports_judgement
    assert (t.last_observed_year, t.forecast_year) == (2023, 2024)  # still known, for the text


def test_a_break_in_the_last_year_leaves_too_few_points():
    values = run(2016, [100, 110, 120, 130, 140, 150, 160])
    values[2022] = (20, "B")
    t = fit(values, range(2016, 2023))
    assert (t.reason, t.break_year, t.years) == ("too_few_points", 2022, 1)


def test_zero_after_180_is_not_a_remote_chance():
    # 120 … 180, then 0: a recorded 0 after 180 is far likelier a recording failure than the end of the
    # market. The projection starts halfway between the 0 and the fitted line (≈ 112 in 2023), so next
    # year's expected value is ≈ 53 and P(2024 > 0) is high, not "remote chance" (the old projection
    # from the 0 itself gave P = 0). The 180 → 0 jump is reported, so no judgement is stated at all.
    t = fit(run(2016, [120, 130, 140, 150, 160, 170, 180, 0]), range(2016, 2024))
    assert t.reason == "" and (t.reference_year, t.last_value) == (2023, 0.0)
    assert t.start_level == pytest.approx(0.5 * t.fitted_last)
    assert 40 < t.expected_next < 70
    assert t.p_exceeds_last > 0.9
    assert t.suspected_break == 2023 and not t.supports_judgement


@pytest.mark.parametrize("values, why", [
    ([0, 0, 1, 0, 2, 0, 3, 12], "counts averaging 2.25 < min_mean_count 5"),
    ([0, 0, 0, 0, 0, 40], "mean 6.7 but 5 of 6 zeros: the old fit gave +94 million % a year"),
    ([0, 0, 0, 0, 0, 0], "all zero"),
])
def test_sparse_counts_do_not_explode(values, why):
    t = fit(run(2018, values), range(2018, 2018 + len(values)))
    assert t.reason == "too_sparse", why
    assert math.isnan(t.change_per_year) and math.isnan(t.p_exceeds_last)


def test_sparse_rule_on_mean_count_is_for_counts_only():
    # 1.2 … 2.0 tonnes is not a small count: an amount's unit is arbitrary
    t = fit(run(2016, [1.2, 1.4, 1.5, 1.7, 2.0]), range(2016, 2021), kind="amount")
    assert t.reason == "" and t.change_per_year == pytest.approx(0.13, abs=0.02)


def test_data_ending_early_forecast_the_year_after_the_last_value():
    t = fit(run(2014, [100, 110, 121, 133, 146, 161, 177, 195]), range(2014, 2024))  # data end in 2021
    assert (t.reference_year, t.last_observed_year, t.forecast_year) == (2021, 2021, 2022)
    assert t.expected_next == pytest.approx(t.start_level * (1 + t.change_per_year))


def test_provisional_last_value_is_fitted_but_not_the_anchor():
    values = run(2016, [100, 110, 121, 133, 146, 161, 177])
    values[2023] = (150, "P")
    t = fit(values, range(2016, 2024))
    assert t.years == 8  # P may enter the fit
    assert (t.reference_year, t.last_value) == (2022, 177.0)
    assert t.forecast_year == 2024  # the year after the last published value, provisional or not
    # the projection runs two years, 2022 → 2024
    assert t.expected_next == pytest.approx(t.start_level * (1 + t.change_per_year) ** 2)


def test_part_year_last_value_is_neither_fitted_nor_anchor():
    values = run(2016, [100, 110, 121, 133, 146, 161, 177])
    values[2023] = (90, "", 6)  # January–June
    t = fit(values, range(2016, 2024))
    assert (t.years, t.reference_year, t.forecast_year) == (7, 2022, 2024)


def test_censored_year_is_a_gap():
    values = run(2016, [100, 110, 121, 133, 146, 161, 177, 195])
    values[2019] = "<5"
    t = fit(values, range(2016, 2024))
    assert t.years == 7 and t.reason == ""
    assert t.change_per_year == pytest.approx(0.10, abs=0.01)  # the gap does not read as a fall to 0


def test_censored_last_year_is_published_but_not_the_anchor():
    values = run(2016, [40, 44, 48, 53, 58, 64, 70])
    values[2023] = "<5"
    t = fit(values, range(2016, 2024))
    assert (t.reference_year, t.last_observed_year, t.forecast_year) == (2022, 2023, 2024)


def test_no_anchor_when_every_fitted_value_is_estimated():
    t = fit({y: (v, "E") for y, v in run(2016, [100, 110, 120, 130, 140]).items()}, range(2016, 2021))
    assert t.reason == "no_anchor" and t.reference_year is None and t.forecast_year == 2021


def test_no_data():
    t = fit({}, range(2016, 2024))
    assert t.reason == "no_data" and t.years == 0 and t.forecast_year is None


def test_regular_growth_is_recovered_and_likely_to_continue():
    t = fit(run(2016, [100, 110, 121, 133, 146, 161, 177, 195]), range(2016, 2024))  # +10% a year
    assert t.reason == "" and t.years == 8
    assert t.change_per_year == pytest.approx(0.10, abs=0.005)
    assert t.change_low < 0.10 < t.change_high
    assert t.p_exceeds_last > 0.5
    assert t.supports_judgement and not t.wide_interval


def test_wide_interval_cannot_support_a_judgement():
    # an erratic small series: the 90% interval of the change spans more than 100 points
    t = fit(run(2016, [10, 38, 8, 45, 12]), range(2016, 2021))
    assert t.reason == "" and t.suspected_break is None  # 8 → 45 stays below jump_min_count
    assert t.change_high - t.change_low > 1.0
    assert t.wide_interval and not t.supports_judgement


def test_settings_without_the_new_keys_use_the_defaults():
    values = run(2016, [100, 110, 121, 133, 146, 161, 177, 195])
    assert fit(values, range(2016, 2024), settings={}) == fit(values, range(2016, 2024))


def test_reproducible_under_a_seed():
    values = run(2016, [100, 90, 121, 110, 146, 130, 177, 160])
    first, again = fit(values, range(2016, 2024), seed=7), fit(values, range(2016, 2024), seed=7)
    assert first.as_dict() == again.as_dict()
    other = fit(values, range(2016, 2024), seed=8)
    assert other.change_per_year == first.change_per_year  # only the Monte Carlo part depends on the seed
    assert other.p_exceeds_last == pytest.approx(first.p_exceeds_last, abs=0.03)


def test_trend_table_one_row_per_scope_and_indicator():
    a = statistics(run(2016, [100, 110, 121, 133, 146, 161, 177, 195]), country="MKD")
    b = statistics(run(2016, [50, 55, 60, 66, 73, 80, 88]), country="SRB")  # 2023 not yet reported
    stats = pd.concat([a, b], ignore_index=True)
    scopes = {"MKD": ["MKD"], "SRB": ["SRB"], "region": ["MKD", "SRB"]}
    table = trend_table(stats, REF, scopes, 2023, 8, 2016, SETTINGS)
    assert len(table) == len(scopes) * len(REF.indicators)
    assert {"scope", "indicator", "area", "end_year", "headline", "reference_year", "forecast_year",
            "reason", "supports_judgement"} <= set(table.columns)
    drug = table[table["indicator"].eq("drug_offences")].set_index("scope")
    assert drug.at["MKD", "forecast_year"] == 2024
    assert drug.at["SRB", "forecast_year"] == 2023
    # the region's 2023 total is incomplete (SRB missing), so it ends with 2022
    assert (drug.at["region", "years"], drug.at["region", "reference_year"]) == (7, 2022)
    others = table[table["indicator"].ne("drug_offences")]
    assert others["reason"].eq("no_data").all()


def test_the_poisson_fit_is_statsmodels_to_the_last_bit():
    """socta fits with its own IRLS (a tenth of the time); it must be statsmodels' GLM, bit for bit,
    for counts, overdispersed counts and amounts, with the scale both fits use."""
    import warnings

    import statsmodels.api as sm

    from socta.analysis.trends import poisson_glm

    rng = np.random.default_rng(7)
    for i in range(200):
        years = np.arange(2000, 2000 + int(rng.integers(5, 26)), dtype=float)
        level = rng.uniform(0.5, 5000) * np.exp(rng.normal(0, 0.1) * (years - 2000))
        y = [rng.poisson(level), rng.negative_binomial(2, 2 / (2 + level)), np.round(rng.gamma(2, level / 2), 3)][i % 3]
        y = y.astype(float)
        if (y <= 0).all():
            continue
        X = sm.add_constant(years - years.mean())
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model = sm.GLM(y, X, family=sm.families.Poisson())
            first = model.fit()
            scale = max(float(first.pearson_chi2 / first.df_resid), 1.0)
            second = model.fit(scale=scale)
            ours_first, ours_second = poisson_glm(X, y), poisson_glm(X, y, scale=scale)
        assert ours_first.pearson_chi2 == first.pearson_chi2
        assert np.array_equal(ours_second.params, np.asarray(second.params))
        assert np.array_equal(ours_second.normalized_cov * scale, np.asarray(second.cov_params()))


def test_a_cell_given_twice_is_refused_with_the_cell():
    twice = pd.concat([statistics(run(2015, [40, 42, 44, 46, 48]))] * 2)
    with pytest.raises(ValueError, match=r"drug_offences has more than one row for MKD/2015//"):
        yearly(twice, SPEC, ["MKD"], range(2015, 2020), REF.observation_status)


def test_scopes_fitted_apart_make_the_same_table():
    """Processing fits part of the scopes in a second process and joins the tables: the join must be
    the table of one call, row for row and type for type (each series has its own seed)."""
    from socta.core.background import Background

    stats = pd.concat([statistics(run(2014, [100, 110, 121, 133, 146, 161, 177, 195, 205, 230]), country="MKD"),
                       statistics(run(2014, [50, 55, "<5", 66, 73, 80, 88, 90, 85, 99]), country="SRB"),
                       statistics(run(2014, [9, 12, 30, 31, 40, 42, 47, 50, 61, 70]), country="MNE")],
                      ignore_index=True)
    scopes = {"MKD": ["MKD"], "SRB": ["SRB"], "MNE": ["MNE"], "region": ["MKD", "SRB", "MNE"]}
    whole = trend_table(stats, REF, scopes, 2023, 10, 2016, SETTINGS)
    first = trend_table(stats, REF, dict(list(scopes.items())[:2]), 2023, 10, 2016, SETTINGS)
    rest = Background(trend_table, stats, REF, dict(list(scopes.items())[2:]), 2023, 10, 2016, SETTINGS,
                      report=False).result()
    pd.testing.assert_frame_equal(pd.concat([first, rest], ignore_index=True), whole, check_exact=True)
