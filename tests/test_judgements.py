"""Yardstick mapping at every band edge and gap, the confidence rule, trend models and sensitivity."""
import numpy as np
import pandas as pd
import pytest

from socta.config import Project
from socta.judgements import confidence_level, likelihood_term
from socta.reference import Reference
from socta.sensitivity import rank_robustness
from socta.trends import fit_trend, trend_subscore

YARDSTICK = Reference(Project()).yardstick


@pytest.mark.parametrize("pct, term, gap", [
    (0, "remote chance", False), (5, "remote chance", False),
    (6, "remote chance", True), (7.5, "highly unlikely", True), (9, "highly unlikely", True),
    (10, "highly unlikely", False), (20, "highly unlikely", False),
    (22.5, "unlikely", True), (25, "unlikely", False), (35, "unlikely", False),
    (37.5, "realistic possibility", True), (40, "realistic possibility", False), (50, "realistic possibility", False),
    (52.5, "realistic possibility", True), (53, "likely", True), (55, "likely", False), (75, "likely", False),
    (77.5, "likely", True), (78, "highly likely", True), (80, "highly likely", False), (90, "highly likely", False),
    (92.5, "highly likely", True), (93, "almost certain", True), (95, "almost certain", False),
    (100, "almost certain", False),
])
def test_yardstick_band_edges_and_gaps(pct, term, gap):
    result = likelihood_term(pct / 100, YARDSTICK)
    assert (result.term, result.in_gap) == (term, gap)


def test_probability_outside_0_1_is_an_error():
    with pytest.raises(ValueError, match="outside 0-1"):
        likelihood_term(1.2, YARDSTICK)


RULE = {"high": {"graded_share": 0.8, "completeness": 0.9, "respondents": 3},
        "moderate": {"graded_share": 0.5, "completeness": 0.7, "respondents": 2}}


@pytest.mark.parametrize("graded, complete, respondents, level", [
    (0.8, 0.9, 3, "high"), (1.0, 1.0, 10, "high"),
    (0.79, 1.0, 5, "moderate"), (1.0, 0.89, 5, "moderate"), (1.0, 1.0, 2, "moderate"),
    (0.5, 0.7, 2, "moderate"), (0.49, 1.0, 5, "low"), (1.0, 0.69, 5, "low"), (1.0, 1.0, 1, "low"),
])
def test_confidence_rule(graded, complete, respondents, level):
    assert confidence_level(graded, complete, respondents, RULE) == level


def test_trend_recovers_an_exact_growth_rate():
    years = np.arange(2014, 2025)
    values = 100 * 1.1 ** (years - 2014)  # +10% a year, no noise
    trend = fit_trend(years, values, kind="amount", seed=1)
    assert trend.change_per_year == pytest.approx(0.10, abs=1e-6)
    assert trend.change_low < 0.10 < trend.change_high
    assert trend.expected_next == pytest.approx(100 * 1.1 ** 11, rel=1e-6)
    # dispersion is never taken below Poisson's, so even a noiseless rise leaves some doubt
    assert 0.8 < trend.p_exceeds_last < 1


def test_trend_of_a_flat_series_gives_even_odds():
    trend = fit_trend(range(2014, 2025), [50] * 11, kind="count", seed=3, draws=20000)
    assert trend.change_per_year == pytest.approx(0, abs=1e-9)
    # next year ~ Poisson(50): P(Y > 50) = 1 - P(Y <= 50)
    from scipy import stats
    assert trend.p_exceeds_last == pytest.approx(1 - stats.poisson.cdf(50, 50), abs=0.02)


def test_trend_is_reproducible_from_its_seed_and_needs_four_years():
    years, values = range(2014, 2025), [5, 8, 6, 9, 12, 10, 14, 13, 18, 16, 20]
    assert fit_trend(years, values, seed=7) == fit_trend(years, values, seed=7)
    assert fit_trend([2022, 2023, 2024], [1, 2, 3]) is None
    assert fit_trend(years, [0] * 11) is None


@pytest.mark.parametrize("change, score", [(-0.5, 0), (-0.2, 0), (-0.1, 1), (0, 2), (0.1, 3), (0.2, 4), (0.9, 4)])
def test_trend_subscore(change, score):
    assert trend_subscore(change, 20) == pytest.approx(score)


def sub(values, columns):
    return pd.DataFrame(values, index=[f"a{i}" for i in range(len(values))], columns=columns)


def test_sensitivity_is_reproducible_and_respects_dominance():
    tw = pd.Series({"x": 1.0, "y": 1.0})
    hw = pd.Series({"h": 1.0})
    threat = sub([[4, 4], [3, 3], [2, 2], [1, 1], [0, 0]], ["x", "y"])
    harm = sub([[4], [3], [2], [1], [0]], ["h"])
    result = rank_robustness(threat, harm, tw, hw, {"threat": 1, "harm": 1}, draws=500, seed=11)
    # a0 is best on every sub-score: first under every weighting; a3, a4 never reach the top three
    assert result.loc["a0", "p_first"] == 1.0 and result.loc["a2", "p_top"] == 1.0
    assert result.loc["a3", "p_top"] == 0.0 and result.loc["a4", "median_rank"] == 5
    again = rank_robustness(threat, harm, tw, hw, {"threat": 1, "harm": 1}, draws=500, seed=11)
    pd.testing.assert_frame_equal(result, again)


def test_sensitivity_splits_a_tie_that_depends_on_the_weights():
    tw = pd.Series({"x": 1.0, "y": 1.0})
    hw = pd.Series({"h": 1.0})
    # a0 strong on x, a1 strong on y, equal harm: each first in about half the draws
    threat = sub([[4, 0], [0, 4], [1, 1]], ["x", "y"])
    harm = sub([[2], [2], [2]], ["h"])
    result = rank_robustness(threat, harm, tw, hw, {"threat": 1, "harm": 1}, draws=4000, seed=5, top=1)
    assert result.loc["a0", "p_first"] == pytest.approx(0.5, abs=0.05)
    assert result.loc["a0", "p_first"] + result.loc["a1", "p_first"] == pytest.approx(1.0)
