"""Key judgements on a crime area's threat: pooling the indicators and the experts, and the confidence caps
(socta/analysis/outlook.py), computed by hand; and on the demo, a confidence that follows the experts'
agreement."""
import math
import re

import pandas as pd
import pytest

from socta.analysis.outlook import LEVELS, capped_confidence, expert_opinion, pool
from socta.core.config import REGION
from socta.core.settings import Settings
from socta.pages.area import AreaPage

from .test_findings import flipped, make

CAPS = Settings().confidence.caps
WEIGHTS = {"statistics": 0.6, "experts": 0.4}


def test_the_experts_opinion_is_laplaces_rule_with_level_answers_counting_half():
    p, spread, (up, level, down) = expert_opinion([2, 1, 0, -1, float("nan")])
    assert (up, level, down) == (2, 1, 1)
    assert p == pytest.approx((2 + 0.5 * 1 + 1) / (4 + 2))                     # 0.5833
    assert spread == pytest.approx(math.sqrt((1.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 1.5 ** 2) / 3))
    # two experts who agree are not a certainty; one gives no spread
    assert expert_opinion([2, 2])[0] == pytest.approx(0.75)
    assert math.isnan(expert_opinion([1])[1])


def test_the_pool_weights_the_indicators_headline_first_and_the_experts():
    outlook = pool({"offences": (0.9, True), "seizures": (0.3, False)}, [1, 1], WEIGHTS, headline_weight=2)
    # headline 0.6·2/3 = 0.4, the other 0.6·1/3 = 0.2, experts (2 + 1)/(2 + 2) = 0.75 with 0.4
    assert outlook.p == pytest.approx(0.9 * 0.4 + 0.3 * 0.2 + 0.75 * 0.4)     # 0.72
    assert outlook.agreement == pytest.approx(0.8)                               # the 0.3 is on the other side
    assert (outlook.rising, outlook.falling, outlook.experts, outlook.experts_up) == (1, 1, 2, 2)
    assert [o.weight for o in outlook.opinions] == pytest.approx([0.4, 0.2, 0.4])


def test_either_source_alone_carries_the_judgement_and_none_carries_nothing():
    assert pool({"a": (0.8, True)}, [], WEIGHTS, 2).p == pytest.approx(0.8)
    assert pool({}, [-2, -1, 0], WEIGHTS, 2).p == pytest.approx((0 + 0.5 + 1) / 5)
    nothing = pool({"a": (float("nan"), True)}, [float("nan")], WEIGHTS, 2)
    assert not nothing.has_evidence and math.isnan(nothing.p)


@pytest.mark.parametrize("base", LEVELS)
@pytest.mark.parametrize("spread, widest, agreeing, unstable, ceiling", [
    (0.5, 0.2, [2, 2], False, "high"),
    (0.9, 0.2, [2, 2], False, "moderate"),     # experts disagree
    (1.3, 0.2, [2, 2], False, "low"),          # experts divided
    (0.5, 0.45, [2, 2], False, "moderate"),    # a wide interval
    (0.5, 0.2, [2, 2], True, "moderate"),      # a trend that depends on its window
    (0.5, 0.2, [2, -2], False, "moderate"),    # the evidence points both ways
])
def test_wide_intervals_and_disagreement_never_give_high(base, spread, widest, agreeing, unstable, ceiling):
    indicators = {"a": (0.9 if agreeing[0] > 0 else 0.1, True), "b": (0.9 if agreeing[1] > 0 else 0.1, False)}
    outlook = pool(indicators, [], {"statistics": 1, "experts": 0}, 1)
    outlook = type(outlook)(**{**outlook.__dict__, "expert_spread": spread})
    level, why = capped_confidence(base, outlook, widest, unstable, CAPS)
    assert level == LEVELS[min(LEVELS.index(base), LEVELS.index(ceiling))]
    assert bool(why) == (ceiling != "high")


def test_the_demo_judgements_confidence_follows_the_experts_agreement(processed, tmp_path):
    """The region's cybercrime judgement is of high confidence: its experts agree (outlooks spread by 0.28).
    Make them divided (half +2, half −2) and it is low, with the reason in its basis; make them unanimous and it
    is high again."""
    page = make(AreaPage, processed["public"], scope=REGION, area="cyber")
    before = page.judgement()
    assert before["confidence"] == "high" and before["outlook"].expert_spread < CAPS.expert_spread_high

    def divided(frame):
        at = frame.index[frame["area"].eq("cyber")]
        frame.loc[at, "outlook"] = [2 if i % 2 else -2 for i in range(len(at))]

    page = make(AreaPage, flipped(processed["public"], tmp_path / "divided", "expert_assessments", divided),
                scope=REGION, area="cyber")
    after = page.judgement()
    assert after["outlook"].expert_spread > CAPS.expert_spread_moderate
    assert after["confidence"] == "low" and after["term"] is None
    assert "the experts are divided on the outlook" in after["basis"]
    assert "analytic confidence is low" in after["text"]

    def unanimous(frame):
        frame.loc[frame["area"].eq("cyber"), "outlook"] = 1

    page = make(AreaPage, flipped(processed["public"], tmp_path / "unanimous", "expert_assessments", unanimous),
                scope=REGION, area="cyber")
    agreed = page.judgement()
    assert agreed["confidence"] == "high" and agreed["outlook"].expert_spread == 0


def test_the_judgement_states_the_term_with_its_range_and_horizon(processed):
    page = make(AreaPage, processed["public"], scope=REGION, area="cyber")
    j = page.judgement()
    band = page.ref.yardstick.set_index("term").loc[j["term"]]
    assert f"**{j['term']}** ({band['lower_pct']:g}–{band['upper_pct']:g}%)" in j["text"]
    assert "the threat from cybercrime in the region will grow over 2025–2028" in j["text"]
    assert band["lower_pct"] - 5 <= j["percent"] <= band["upper_pct"] + 5
    # what the indicators indicate is named as what is computed (a higher 4-year mean), not as their trend,
    # which a small yearly rise can leave at even odds; the counts are the outlook's
    outlook = re.search(r"the data supports?, the mean over 2025–2028 is more likely than not higher than over "
                        r"2021–2024 for (\d+) and lower for (\d+)\.", j["text"])
    assert outlook, j["text"]


def test_a_series_that_jumps_is_left_out_and_keeps_the_judgement_below_high(processed, tmp_path):
    """The region's cybercrime judgement (high) rests on one indicator; when Serbia's series of it jumps (a
    suspected change of recording), the regional trend is left out, the experts carry the judgement alone,
    and its confidence is no longer high, for a reason the basis gives."""
    def jump(frame):
        frame.loc[frame["scope"].eq("SRB") & frame["indicator"].eq("cyber_reports"), "suspected_break"] = 2021

    page = make(AreaPage, flipped(processed["public"], tmp_path / "p", "trends", jump), scope=REGION, area="cyber")
    j = page.judgement()
    assert [o.source for o in j["outlook"].opinions] == ["experts"]
    assert j["confidence"] == "moderate"
    assert "a series of the area jumps in a way that looks like a change of recording" in j["basis"]


NO_SKILL = "the model's forecasts of such series were no better than their base rate"


def test_a_judgement_says_so_where_the_backtest_shows_no_skill_and_only_there(processed, tmp_path):
    """The region's cybercrime judgement rests on counts. Made to have forecast every event the wrong way round,
    the backtest of counts has no skill, and the judgement says so; with no backtest of counts (series too
    short) it says nothing about skill, rather than claiming none."""
    def wrong(frame):
        frame["p"] = 1 - frame["event"]

    page = make(AreaPage, flipped(processed["public"], tmp_path / "wrong", "backtest", wrong), scope=REGION, area="cyber")
    assert page.backtest_skill("count") < 0 and NO_SKILL in page.judgement()["text"]

    def none(frame):
        frame["kind"] = "amount"   # no forecast of a count

    page = make(AreaPage, flipped(processed["public"], tmp_path / "none", "backtest", none), scope=REGION, area="cyber")
    assert math.isnan(page.backtest_skill("count")) and NO_SKILL not in page.judgement()["text"]


def test_the_harm_figure_names_a_highest_dimension_only_when_there_is_one(processed):
    """A tie is not a highest: the alt text says so, and names every dimension tied for the top."""
    page = make(AreaPage, processed["public"], scope=REGION, area="drugs")
    def answers(medians):
        return pd.DataFrame({"dimension": [d for d, m in medians.items() for _ in range(3)],
                             "answer": [m for m in medians.values() for _ in range(3)]})
    assert page.harm_alt(answers({"Social": 2, "Economic": 2})).endswith(
        "every dimension has the same median, 2.")
    assert page.harm_alt(answers({"Social": 3, "Economic": 3, "Political": 1})).endswith(
        "highest, equally: economic and social.")   # in the order of the dimensions
    assert page.harm_alt(answers({"Social": 3, "Economic": 1})).endswith("highest: social.")
