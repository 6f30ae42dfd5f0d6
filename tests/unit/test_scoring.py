"""Scores against values computed by hand from the configuration in data/reference."""
import math

import numpy as np
import pandas as pd
import pytest

from socta.analysis import scoring
from socta.core.config import REGION, Project
from socta.ingest.reference import Reference
from tests.helpers import DEMO_2016

ALL_MEDIUM = {i: "medium" for i in
              ["cooperation", "countermeasures", "expertise", "flexibility", "multi_crime", "resources", "structure"]}


@pytest.fixture(scope="module")
def project():
    return Project(data_dir=DEMO_2016)


@pytest.fixture(scope="module")
def ref(project):
    return Reference(project)


def answers(ocg_id, **given):
    base = {"corruption": "high", "violence": "medium", "international": "low", "lbs": "high",
            "money_laundering": "none", **ALL_MEDIUM}
    base.update(given)
    return pd.DataFrame({"ocg_id": ocg_id, "indicator": list(base), "answer": list(base.values())})


def test_reference_weights_are_the_ones_the_hand_computation_assumes(ref):
    w = ref.ocg_indicators["weight"]
    assert (w["corruption"], w["violence"], w["international"], w["lbs"], w["money_laundering"]) == (3, 3, 2, 2, 2)
    assert w.sum() == 19 and ref.answer_scale["value"].max() == 3


def test_ocg_score_hand_computed(project, ref):
    # points: corruption 3*3 + violence 3*2 + international 2*1 + lbs 2*3 + ML 0 + 7 indicators 1*2 = 37
    # possible: 3 * (3+3+2+2+2+7) = 57  ->  100 * 37 / 57
    result = scoring.ocg_scores(answers("G1"), ref, project.settings).set_index("ocg_id")
    assert result.at["G1", "score"] == pytest.approx(100 * 37 / 57)
    assert result.at["G1", "band"] == "high"
    assert result.at["G1", "indicators_answered"] == 12


def test_unknown_answers_are_excluded_and_the_score_rescaled(project, ref):
    # lbs unknown: points 37 - 6 = 31, possible 57 - 6 = 51
    result = scoring.ocg_scores(answers("G2", lbs="unknown"), ref, project.settings).set_index("ocg_id")
    assert result.at["G2", "score"] == pytest.approx(100 * 31 / 51)
    assert result.at["G2", "indicators_answered"] == 11


def test_unknown_answers_can_count_as_a_configured_answer(project, ref):
    settings = {**project.settings, "ocg_scoring": {**project.settings["ocg_scoring"], "unknown_answer": "medium"}}
    result = scoring.ocg_scores(answers("G2", lbs="unknown"), ref, settings).set_index("ocg_id")
    assert result.at["G2", "score"] == pytest.approx(100 * (31 + 2 * 2) / 57)


def test_a_group_with_every_answer_unknown_is_unscored(project, ref):
    frame = answers("G3")
    frame["answer"] = "unknown"
    result = scoring.ocg_scores(frame, ref, project.settings).set_index("ocg_id")
    assert math.isnan(result.at["G3", "score"]) and result.at["G3", "band"] == "unscored"


@pytest.mark.parametrize("score, band", [(0, "low"), (34.99, "low"), (35, "medium"), (59.99, "medium"),
                                         (60, "high"), (100, "high")])
def test_band_edges(score, band):
    assert scoring.band_of(score, {"high": 60, "medium": 35, "low": 0}) == band


def test_weighted_score_skips_unknown_subscores():
    w = pd.Series({"a": 1.0, "b": 3.0, "c": 1.0})
    # (1*4 + 3*2) / (4 * 4) with c unknown
    assert scoring.weighted_score({"a": 4, "b": 2, "c": float("nan")}, w) == pytest.approx(100 * 10 / 16)


def test_area_threat_harm_and_priority_hand_computed(project, ref):
    expert = pd.DataFrame([
        # two respondents on SRB drugs: medians trend 1.5 -> 3.5, scale 3
        {"country": "SRB", "area": "drugs", "respondent": "R1", "trend": 1, "scale": 2,
         "harm_financial": 4, "harm_physical": 4, "harm_social": 2, "harm_environmental": 0, "harm_political": 0,
         "outlook": 0, "confidence": "high"},
        {"country": "SRB", "area": "drugs", "respondent": "R2", "trend": 2, "scale": 4,
         "harm_financial": 2, "harm_physical": 4, "harm_social": 2, "harm_environmental": 1, "harm_political": 1,
         "outlook": 0, "confidence": "low"},
    ])
    aggregates = pd.DataFrame([
        {"scope": "SRB", "area": "drugs", "ocgs": 10, "mean_score": 50.0, "international": 5},
        {"scope": "SRB", "area": "thb", "ocgs": 20, "mean_score": 25.0, "international": 0},
    ])
    threat = scoring.area_threat(expert, aggregates, ref).set_index(["scope", "area"])
    row = threat.loc[("SRB", "drugs")]
    # sub-scores: trend 3.5, scale 3, OCG number 4*10/20 = 2, OCG threat 50/100*4 = 2, international 4*5/10 = 2
    assert (row["trend"], row["scale"], row["ocg_number"], row["ocg_threat"], row["international"]) == (3.5, 3, 2, 2, 2)
    assert row["threat"] == pytest.approx(100 * 12.5 / 20)  # equal weights: 12.5 of 5*4
    harm = scoring.harm_scores(expert, ref).set_index(["scope", "area"])
    h = harm.loc[("SRB", "drugs")]
    # medians 3, 4, 2, 0.5, 0.5 -> 10 of 20
    assert h["harm"] == pytest.approx(50.0)
    assert h["disagreement"] == ""  # largest spread is 2 points
    ranked = scoring.prioritise(threat.reset_index(), harm.reset_index(), project.settings)
    srb = ranked[ranked["scope"].eq("SRB")].set_index("area")
    assert srb.at["drugs", "priority"] == pytest.approx((62.5 + 50) / 2)
    assert srb.at["drugs", "rank"] == 1 and srb.at["drugs", "tier"] == "Tier 2"


def test_harm_disagreement_flag():
    frame = pd.DataFrame({"country": "MNE", "area": "thb", "respondent": ["R1", "R2", "R3"],
                          "harm_financial": [0, 1, 3], "harm_physical": [2, 2, 2], "harm_social": [1, 1, 1],
                          "harm_environmental": [0, 0, 0], "harm_political": [0, 4, 1]})
    ref = Reference(Project(data_dir=DEMO_2016))
    harm = scoring.harm_scores(frame, ref).set_index(["scope", "area"])
    assert harm.at[("MNE", "thb"), "disagreement"] == "financial|political"
    assert harm.at[(REGION, "thb"), "respondents"] == 3


def test_change_between_periods_hand_computed():
    series = pd.DataFrame({"year": range(2017, 2025), "value": [10, 10, 10, 10, 12, 14, 16, 18]})
    # mean 2021-2024 = 15 against mean 2017-2020 = 10
    assert scoring.change_between_periods(series, 2024, 4) == pytest.approx(50.0)
    assert math.isnan(scoring.change_between_periods(series.assign(value=0), 2024, 4))


def test_ocg_aggregates_count_each_group_once_per_area(project, ref):
    register = pd.DataFrame({"ocg_id": ["SRB-OCG-001", "MNE-OCG-001"], "country": ["SRB", "MNE"],
                             "countries_active": ["SRB|MNE", "MNE"], "crime_areas": ["cocaine|heroin|property", "drugs"]})
    scores = pd.DataFrame({"ocg_id": ["SRB-OCG-001", "MNE-OCG-001"], "score": [80.0, 20.0], "band": ["high", "low"]})
    by_area = scoring.ocg_by_area(register, scores, ref)
    assert sorted(by_area[by_area["ocg_id"].eq("SRB-OCG-001")]["area"]) == ["drugs", "property"]
    agg = scoring.ocg_aggregates(by_area, ref, project.settings["ocg_scoring"]["bands"]).set_index(["scope", "area"])
    assert agg.at[(REGION, "drugs"), "ocgs"] == 2
    assert agg.at[(REGION, "drugs"), "mean_score"] == pytest.approx(50.0)
    assert agg.at[(REGION, "drugs"), "international"] == 1
    assert agg.at[("SRB", "drugs"), "band_high"] == 1 and agg.at[("MNE", "drugs"), "band_low"] == 1


def test_spearman_is_pandas_spearman_to_the_last_bit():
    """socta.analysis.scoring.spearman avoids importing scipy.stats; it must give what pandas (scipy) gives,
    ties, gaps and constant columns included."""
    import warnings

    from socta.analysis.scoring import spearman

    rng = np.random.default_rng(3)
    warnings.simplefilter("ignore")  # scipy warns on a constant input
    for i in range(500):
        n = int(rng.integers(0, 30))
        x = pd.Series(np.round(rng.uniform(0, 100, n), int(rng.integers(0, 2))))
        y = pd.Series(np.round(x * rng.uniform(-1, 1) + rng.normal(0, 20, n), int(rng.integers(0, 2))))
        if n and i % 3 == 0:
            x[int(rng.integers(0, n))] = np.nan
        if i % 10 == 0:
            y[:] = 5.0
        expected, got = x.corr(y, method="spearman"), spearman(x, y)
        assert (np.isnan(expected) and np.isnan(got)) or expected == got, (list(x), list(y))
