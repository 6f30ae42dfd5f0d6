"""The typed settings (socta.core.settings): every default in one place, unknown keys refused by name."""
from __future__ import annotations

import re

import pytest
import yaml

from socta.core.config import REFERENCE_DIR, ConfigError, Project
from socta.core.markup import inert_tree
from socta.core.settings import Settings
from socta.core.text import did_you_mean
from tests.helpers import DEMO_2016

REPOSITORY = yaml.safe_load((REFERENCE_DIR / "settings.yaml").read_text(encoding="utf-8"))


def test_the_repository_settings_are_the_defaults_but_the_kept_older_rules():
    parsed = Settings.parse(REPOSITORY, "settings.yaml").as_dict()
    defaults = Settings().as_dict()
    differ = {key for key in defaults if parsed[key] != defaults[key]}
    assert differ == {"languages", "priority", "factors"}
    # settings that predate these keys keep the rule they were written for: English only, any share of
    # known sub-scores ranks, no statistic measures an enabler
    assert defaults["languages"] == ["en"] and defaults["priority"]["min_known_share"] == 0.0
    assert defaults["factors"]["indicators"] == []
    assert parsed["priority"] == {**defaults["priority"], "min_known_share": 0.5}


def test_a_section_reads_as_attributes_and_as_a_mapping():
    s = Project(data_dir=DEMO_2016).settings
    assert isinstance(s, Settings) and s.public.score_step == s["public"]["score_step"] == 5
    assert s["public"].get("score_step", 99) == 5 and s.get("nothing", "x") == "x"
    changed = {**s, "priority": {**s["priority"], "weights": {"threat": 1, "harm": 0}}}
    again = Settings.of(changed)
    assert again.priority.weights == {"threat": 1, "harm": 0} and again.trends == s.trends
    assert Settings.of(s) is s and Settings.of({}) == Settings() and Settings.of(None) == Settings()


def test_a_missing_key_has_its_default_and_an_empty_one_too():
    s = Settings.parse({"assessment": {"trend_window": 3}, "trends": {"seed": None}}, "f.yaml")
    assert s.assessment.trend_window == 3 and s.assessment.first_year == 2014 and s.trends.seed == 2016


@pytest.mark.parametrize("raw, key, close", [
    ({"public": {"score_stpe": 2}}, "public.score_stpe", "score_step"),
    ({"sensitvity": {}}, "sensitvity", "sensitivity"),
    ({"confidence": {"high": {"respondent": 4}}}, "confidence.high.respondent", "respondents"),
])
def test_an_unknown_key_is_refused_with_the_file_the_key_and_the_close_match(raw, key, close):
    with pytest.raises(ConfigError) as exc:
        Settings.parse({"assessment": {}, **raw}, "/data/x/reference/settings.yaml")
    message = str(exc.value)
    assert message.startswith(f"/data/x/reference/settings.yaml: unknown key {key} (did you mean {close!r}?)")
    assert did_you_mean(key.rsplit(".", 1)[-1], [close], codes=False) in message


def test_the_keys_nothing_read_are_refused_with_why():
    for raw in ({"audiences": ["public"]}, {"default_audience": "public"}, {"judgement_horizon_years": 1},
                {"assessment": {"region_slug": "region"}}):
        with pytest.raises(ConfigError, match="is no longer a setting"):
            Settings.parse({"assessment": {}, **raw}, "settings.yaml")
    assert not {"audiences", "default_audience", "judgement_horizon_years"} & set(REPOSITORY)
    assert "region_slug" not in REPOSITORY["assessment"]


@pytest.mark.parametrize("raw, said", [
    ({"public": {"score_step": "five"}}, "public.score_step is 'five'; it must be a number"),
    ({"sensitivity": {"draws": 10.5}}, "sensitivity.draws is 10.5; it must be a whole number"),
    ({"trends": {"seed": True}}, "trends.seed is True; it must be a number"),
    ({"languages": "en"}, "languages is 'en'; it must be a list"),
    ({"priority": [1, 2]}, "priority must be keys with values"),
    ({"plausibility": {"factor": 1}}, "plausibility.factor must be more than 1"),
    ({"judgement": {"weights": {"statistics": 1, "expert": 1}}}, "judgement.weights has the key 'expert'; its keys "
                                                                  "are statistics and experts"),
    ({"judgement": {"weights": {"statistics": "most"}}}, "judgement.weights.statistics is 'most'; it must be a number"),
    ({"judgement": {"weights": {"statistics": 0, "experts": 0}}}, "judgement.weights must give the statistics or the"),
    ({"judgement": {"horizon_years": 0}}, "judgement.horizon_years must be 1 or more"),
    ({"judgement": {"calibrate": "yes"}}, "judgement.calibrate is 'yes'; it must be true or false"),
])
def test_a_value_of_the_wrong_kind_is_refused_by_name(raw, said):
    with pytest.raises(ConfigError, match=re.escape(f"f.yaml: {said}")):
        Settings.parse({"assessment": {}, **raw}, "f.yaml")


def test_a_whole_number_stays_whole_where_a_fraction_may_stand():
    s = Settings.parse({"assessment": {}, "public": {"score_step": 5}, "sleipnir": {"maximum": 760}}, "f.yaml")
    assert str(s.public.score_step) == "5" and str(s.sleipnir.maximum) == "760"


def test_the_settings_made_inert_keep_their_type():
    s = inert_tree(Settings.parse({"assessment": {"title": "<b>x</b>"}}, "f.yaml"))
    assert isinstance(s, Settings) and s.assessment.title != "<b>x</b>" and s.public == Settings().public


def test_a_project_reads_the_data_folders_copy(tmp_path):
    folder = tmp_path / "data"
    (folder / "reference").mkdir(parents=True)
    (folder / "dataset.yaml").write_text("name: x\nsynthetic: true\n", encoding="utf-8")
    (folder / "reference" / "settings.yaml").write_text("assessment: {}\npublic: {score_stpe: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{folder / 'reference' / 'settings.yaml'}: unknown key "
                                                    "public.score_stpe (did you mean 'score_step'?)")):
        Project(data_dir=folder).settings
