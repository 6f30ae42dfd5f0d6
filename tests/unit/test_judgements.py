"""Yardstick mapping at every band edge and gap, the confidence rule, trend models and sensitivity."""
import pandas as pd
import pytest

from socta.analysis.estimative import confidence_level, likelihood_term
from socta.analysis.sensitivity import rank_robustness
from socta.analysis.trends import trend_subscore
from socta.core.config import Project
from socta.ingest.reference import Reference
from tests.helpers import DEMO_2016

YARDSTICK = Reference(Project(data_dir=DEMO_2016)).yardstick


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


@pytest.mark.parametrize("term", ["remote chance", "highly unlikely", "unlikely", "realistic possibility", "likely",
                                  "highly likely", "almost certain"])
def test_every_yardstick_term_makes_a_grammatical_judgement(term):
    """The judgement sentence for each configured term reads as English (issue 8: "It is realistic
    possibility" is not English)."""
    from socta.core.config import Project
    from socta.i18n.translate import set_language
    from socta.ingest.reference import Reference
    from socta.pages.judgements import judgement_sentence

    set_language("en")
    y = Reference(Project(data_dir=DEMO_2016)).yardstick.set_index("term")
    band = f"{y.at[term, 'lower_pct']:g}–{y.at[term, 'upper_pct']:g}%"
    text = judgement_sentence(term, y.at[term, "opening"], band, "drug trafficking", "Serbia", 2025, 2028, "42")
    expected = {"remote chance": "There is a **remote chance** (0–5%) that", "realistic possibility":
                "There is a **realistic possibility** (40–50%) that"}.get(term, f"It is **{term}** ({band}) that")
    assert text == (f"{expected} the threat from drug trafficking in Serbia will grow over 2025–2028 "
                    "(estimated probability 42%).")
