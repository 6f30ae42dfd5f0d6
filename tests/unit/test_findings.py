"""No fixed conclusions: every sentence that states a finding is computed from the data (or the
configuration) and says the opposite when the data do.

Each test builds a page on the demo's processed tables (processed once per module), captures what it
says, then flips the data (a modified copy of a processed table, of the open-source folder or of the
configuration) and checks that the sentence follows.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from socta.core.config import OPEN_SOURCES_DIR, REGION, Project
from socta.ingest import open_sources as gitoc
from socta.pages.conclusions import ConclusionsPage
from socta.pages.formatting import CONTENDER_SHARE, PROFILE_AGREEMENT
from socta.pages.methodology import MethodologyPage
from socta.pages.ocg import OcgPage
from socta.pages.open_sources import OpenSourcesPage

from ..conftest import copy_demo
from ..helpers import REPO

DEMO = REPO / "data" / "demo-2016"
REFERENCE = REPO / "data" / "reference"


def make(cls, processed_dir: Path, *, scope: str = REGION, audience: str = "public", data_dir: Path = DEMO, **kw):
    first, last = Project(data_dir=DEMO).years
    return cls(scope=scope, audience=audience, processed_dir=str(processed_dir), data_dir=str(data_dir),
               first_year=first, last_year=last, page="findings", **kw)


def flipped(source: Path, target: Path, table: str, change) -> Path:
    """A copy of a processed folder with one table changed in place by ``change(frame)``."""
    shutil.copytree(source, target)
    frame = pd.read_parquet(target / f"{table}.parquet")
    change(frame)
    frame.to_parquet(target / f"{table}.parquet", index=False)
    return target


def data_with(tmp_path: Path, settings=None, **reference_files: str) -> Path:
    """A copy of the demo data folder with its own settings.yaml (``settings(dict)`` edits the repository's)
    and reference files (name with '.' as '__', e.g. ``answer_scale__csv="..."``)."""
    folder = copy_demo(tmp_path / "data")
    (folder / "reference").mkdir(exist_ok=True)
    if settings is not None:
        cfg = yaml.safe_load((REFERENCE / "settings.yaml").read_text(encoding="utf-8"))
        settings(cfg)
        (folder / "reference" / "settings.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    for name, text in reference_files.items():
        (folder / "reference" / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return folder


def text_of(said: list[str]) -> str:
    return "\n".join(said)


# ---- OCG: the two scoring profiles ----------------------------------------------------------------

def set_region(column: str, value):
    def change(frame):
        frame.loc[frame["scope"].eq(REGION), column] = value
    return change


@pytest.mark.parametrize("rho, wording", [
    (0.95, "rank the groups alike (Spearman rank correlation 0.95)"),
    (0.6, "rank the groups broadly alike (Spearman rank correlation 0.60)"),
    (0.1, "rank the groups differently (Spearman rank correlation 0.10)"),
    (-0.4, "rank the groups differently (Spearman rank correlation −0.40)"),
])
def test_profile_agreement_follows_the_rank_correlation(processed, tmp_path, said, rho, wording):
    folder = flipped(processed["restricted"], tmp_path / "p", "ocg_profiles", set_region("spearman", rho))
    make(OcgPage, folder, audience="restricted").profiles_table()
    text = text_of(said)
    assert wording.replace("−", "-") in text.replace("−", "-")
    others = {"alike": "rank the groups alike", "broadly": "broadly alike", "differently": "rank the groups differently"}
    expected = "alike" if rho >= PROFILE_AGREEMENT["alike"] else "broadly" if rho >= PROFILE_AGREEMENT["broadly"] \
        else "differently"
    assert [k for k, phrase in others.items() if phrase in text] == [expected]


def test_demo_profiles_rank_alike_and_the_level_is_computed(processed, said):
    page = make(OcgPage, processed["public"])
    page.profiles_table()
    prof = page.table("ocg_profiles").set_index(["scope", "profile"])
    text = text_of(said)
    assert "rank the groups alike" in text and prof.at[(REGION, "europol"), "spearman"] >= PROFILE_AGREEMENT["alike"]
    # the demo's Sleipnir mean is below the Europol-style one: said so, not "they differ in level"
    assert prof.at[(REGION, "sleipnir"), "mean_score"] < prof.at[(REGION, "europol"), "mean_score"]
    assert "Sleipnir's mean score is lower" in text and "higher" not in text
    assert "Of Sleipnir's 19 attributes, 8 are answered by no OCG indicator" in text and "(2 P each)" in text


def test_sleipnir_mean_above_europol_says_higher(processed, tmp_path, said):
    def change(frame):
        frame.loc[frame["scope"].eq(REGION) & frame["profile"].eq("sleipnir"), "mean_score"] = 70.0
        frame.loc[frame["scope"].eq(REGION) & frame["profile"].eq("europol"), "mean_score"] = 40.0
    folder = flipped(processed["public"], tmp_path / "p", "ocg_profiles", change)
    make(OcgPage, folder).profiles_table()
    text = text_of(said)
    assert "Sleipnir's mean score is higher (70 against 40)" in text and "is lower" not in text


def test_hidden_rank_correlation_is_confidential_in_the_public_edition(processed, tmp_path, said):
    def change(frame):
        region = frame["scope"].eq(REGION)
        frame["spearman"] = frame["spearman"].mask(region)
        frame["mean_score"] = frame["mean_score"].mask(region)
        frame["groups"] = frame["groups"].mask(region)
        frame.loc[region, "groups_suppressed"] = True
    folder = flipped(processed["public"], tmp_path / "p", "ocg_profiles", change)
    make(OcgPage, folder).profiles_table()
    text = text_of(said)
    assert "is confidential in this public edition" in text
    assert not re.search(r"rank the groups (alike|broadly alike|differently)", text)
    assert "Sleipnir's mean score" not in text


def test_two_groups_are_too_few_to_compare(processed, tmp_path, said):
    def change(frame):
        region = frame["scope"].eq(REGION)
        frame["spearman"] = frame["spearman"].mask(region)
        frame.loc[region, "groups"] = 2
    folder = flipped(processed["restricted"], tmp_path / "p", "ocg_profiles", change)
    make(OcgPage, folder, audience="restricted").profiles_table()
    text = text_of(said)
    assert "too few groups in the region to compare" in text
    assert not re.search(r"rank the groups (alike|broadly alike|differently)", text)


# ---- open sources: GI-TOC ------------------------------------------------------------------------

def test_gitoc_scores_match_only_when_they_do(processed, tmp_path):
    page = make(OpenSourcesPage, processed["public"])
    assert "The recomputed headline scores match all 24 published ones" in page.gitoc_caption(page.gitoc_scores())

    folder = tmp_path / "open_sources"
    shutil.copytree(OPEN_SOURCES_DIR, folder)
    path = folder / "gitoc_organized_crime_index.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    hit = raw["iso3"].eq("SRB") & raw["edition"].eq("2023") & raw["component"].eq("Criminality")
    assert raw.loc[hit, "score"].tolist() == ["6.22"]
    raw.loc[hit, "score"] = "6.5"
    raw.to_csv(path, index=False)
    page = make(OpenSourcesPage, processed["public"], open_sources_dir=folder)
    caption = page.gitoc_caption(page.gitoc_scores())
    assert "match all" not in caption and "differ from the published ones" in caption
    assert "Serbia 2023 criminality (computed 6.22, published 6.5)" in caption
    assert "of the 24 scores, 23 match" in caption


def test_gitoc_mismatches_lists_only_the_differing_rows():
    data = gitoc.load_gitoc(OPEN_SOURCES_DIR / "gitoc_organized_crime_index.csv")
    components = gitoc.load_components(REFERENCE / "gitoc_components.csv")
    assert gitoc.mismatches(gitoc.compare_with_published(data, components)).empty
    row = data["iso3"].eq("MNE") & data["edition"].eq(2021) & data["component"].eq("Resilience")
    data.loc[row, "score"] = data.loc[row, "score"] + 0.01
    differ = gitoc.mismatches(gitoc.compare_with_published(data, components))
    assert differ[["iso3", "edition", "measure"]].values.tolist() == [["MNE", 2021, "resilience"]]
    assert gitoc.decimals_as_written(6.7) == 1 and gitoc.decimals_as_written("6.22") == 2


# ---- methodology: numbers from configuration --------------------------------------------------------

def test_method_template_restates_no_configured_number():
    text = (REPO / "notebooks" / "methodology.md").read_text(encoding="utf-8")
    for literal in ("760", "4,000", "4000", "0–4", "4x4", "deliberate"):
        assert literal not in text, f"methodology.md types {literal!r}: compute it from the configuration"
    conclusions = (REPO / "notebooks" / "conclusions.md").read_text(encoding="utf-8")
    assert "thousands" not in conclusions


def test_sensitivity_draws_follow_the_settings(processed, tmp_path, said):
    data = data_with(tmp_path, settings=lambda cfg: cfg["sensitivity"].update(draws=1234, top=2))
    make(MethodologyPage, processed["public"]).rules_text()
    assert "recomputed under 4,000 weightings" in text_of(said)
    said.clear()
    make(MethodologyPage, processed["public"], data_dir=data).rules_text()
    text = text_of(said)
    assert "recomputed under 1,234 weightings" in text and "4,000 weightings" not in text
    assert "ranks in the top 2 measures" in text
    said.clear()
    make(ConclusionsPage, processed["public"], data_dir=data).sensitivity_intro()
    assert said == ["The weights are a choice. Drawing 1,234 alternative weightings around the configured ones "
                    "shows which conclusions depend on that choice and which do not."]


def test_sleipnir_maximum_is_the_weights_times_the_best_answer(processed, tmp_path):
    page = make(MethodologyPage, processed["public"])
    assert page.sleipnir_maximum() == 4 * 190 == page.project.settings["sleipnir"]["maximum"]
    caption = page.sleipnir_caption()
    assert "high 4P, medium 2P, low 1P, none 0, unknown 2P; maximum 760 (4 × the sum of the weights P, 190)." in caption
    assert "settings.yaml" not in caption

    attributes = (REFERENCE / "sleipnir_attributes.csv").read_text(encoding="utf-8")
    heavier = attributes.replace("corruption,Corruption,19,", "corruption,Corruption,29,")
    data = data_with(tmp_path, settings=lambda cfg: cfg["sleipnir"]["points"].update(high=5),
                     sleipnir_attributes__csv=heavier)
    caption = make(MethodologyPage, processed["public"], data_dir=data).sleipnir_caption()
    assert "high 5P" in caption and "maximum 1,000 (5 × the sum of the weights P, 200)" in caption
    # settings.yaml still divides by 760: the caption says what that does
    assert "divided by 760" in caption and "can exceed 100" in caption


def test_scales_and_yardstick_gaps_follow_the_reference(processed, tmp_path, said):
    page = make(MethodologyPage, processed["public"])
    page.settings_text()
    page.rules_text()
    text = text_of(said)
    assert "Σ(weight × 3)" in text and "Σ(weight × 4)" in text and "The ranges leave deliberate gaps" in text
    assert "(5–10%, 20–25%, 35–40%, 50–55%, 75–80%, 90–95%) are deliberate" in page.yardstick_caption()
    assert "profile europol_4x4: 4 source-reliability × 4 information codes" in page.grading_caption()

    scale = (REFERENCE / "answer_scale.csv").read_text(encoding="utf-8").replace("high,3,", "high,5,")
    yardstick = ("term,lower_pct,upper_pct,opening\nunlikely,0,50,It is {term} that\n"
                 "likely,50,100,It is {term} that\n")
    data = data_with(tmp_path, answer_scale__csv=scale, probability_yardstick__csv=yardstick)
    said.clear()
    page = make(MethodologyPage, processed["public"], data_dir=data)
    page.settings_text()
    page.rules_text()
    text = text_of(said)
    assert "Σ(weight × 5)" in text and "Σ(weight × 3)" not in text
    assert "gaps" not in text and "its ranges cover every probability" in text
    assert page.yardstick_caption() == "Probability yardstick used in key judgements; its ranges cover 0–100% without gaps."


# ---- conclusions: shared priority, ties, contenders, matrix -----------------------------------------

def test_every_country_ranks_first_only_when_they_do(processed, tmp_path, said):
    make(ConclusionsPage, processed["public"]).headline()
    assert "Every country ranks drug trafficking first" in text_of(said)
    # the first tier's count: the tier is the subject, so no verb has to agree with a count of 1 ("1 fall")
    region = pd.read_parquet(processed["public"] / "area_scores.parquet").query("scope == @REGION")
    first = int((region["tier"] == region.loc[region["rank"] == 1, "tier"].iloc[0]).sum())
    assert f"Tier 1 holds {first} of the {len(region)} ranked crime areas." in text_of(said)

    def change(frame):
        mne = frame["scope"].eq("MNE")
        frame.loc[mne & frame["area"].eq("drugs"), "rank"] = 2
        frame.loc[mne & frame["area"].eq("property"), "rank"] = 1
    folder = flipped(processed["public"], tmp_path / "p", "area_scores", change)
    said.clear()
    make(ConclusionsPage, folder).headline()
    text = text_of(said)
    assert "Every country ranks" not in text
    assert ("The countries do not share a first priority: Serbia ranks drug trafficking first; Montenegro ranks "
            "property crime first; North Macedonia ranks drug trafficking first.") in text


def test_a_tie_for_first_is_said_as_shared(processed, tmp_path, said):
    def change(frame):
        frame.loc[frame["scope"].eq(REGION) & frame["area"].eq("migrant_smuggling"), "rank"] = 1
    folder = flipped(processed["public"], tmp_path / "p", "area_scores", change)
    make(ConclusionsPage, folder).headline()
    text = text_of(said)
    assert "The highest priority for the region is shared by **drug trafficking and migrant smuggling**" in text
    assert "The highest-priority threat for the region is" not in text


def test_the_top_is_settled_only_when_no_other_area_reaches_it(processed, tmp_path, said):
    make(ConclusionsPage, processed["public"]).sensitivity_text(REGION)
    text = text_of(said)
    assert "No crime area ranked below the top 3 reaches it under 25% or more of weightings." in text

    def change(frame):
        frame.loc[frame["scope"].eq(REGION) & frame["area"].eq("thb"), "p_top"] = CONTENDER_SHARE + 0.1
    folder = flipped(processed["public"], tmp_path / "p", "rank_robustness", change)
    said.clear()
    make(ConclusionsPage, folder).sensitivity_text(REGION)
    text = text_of(said)
    assert "The top 3 is not settled: trafficking in human beings also reaches it under 25% or more" in text
    assert "No crime area ranked below" not in text


def test_matrix_reading_follows_the_priority_weights(processed, tmp_path):
    page = make(ConclusionsPage, processed["public"])
    assert "Points further up and to the right have higher priority" in page.matrix_caption(REGION, page.matrix_points(REGION))
    data = data_with(tmp_path, settings=lambda cfg: cfg["priority"]["weights"].update(harm=0))
    page = make(ConclusionsPage, processed["public"], data_dir=data)
    text = page.matrix_caption(REGION, page.matrix_points(REGION))
    assert "Priority follows the threat score alone" in text and "further up and to the right" not in text


def test_network_alt_text_names_ties_and_hidden_links(processed):
    page = make(OcgPage, processed["public"])
    links = pd.DataFrame({"kind": ["country-area", "country-area", "country-country", "country-country"],
                          "a": ["SRB", "MNE", "MNE", "MKD"], "b": ["drugs", "drugs", "SRB", "SRB"],
                          "groups": [9.0, 9.0, 4.0, None], "suppressed": [False, False, False, True]})
    alt = page.network_alt(links)
    assert "the strongest link is Serbia–drug trafficking and Montenegro–drug trafficking with 9 groups" in alt
    assert "of the pairs of countries shown, Montenegro and Serbia share the most groups (4)" in alt
    shown = page.network_alt(links.assign(suppressed=False))
    assert "shown" not in shown and "Montenegro and Serbia share the most groups (4)" in shown


def test_unscored_threat_says_what_the_ranking_rests_on(processed, tmp_path, said):
    def no_threat(frame):
        frame["threat"] = float("nan")
    folder = flipped(processed["public"], tmp_path / "harm", "area_scores", no_threat)
    make(MethodologyPage, folder).inputs_basis_text()
    assert "the ranking rests on the harm scores alone" in text_of(said) and "none is scored" not in text_of(said)

    def nothing(frame):
        frame["threat"] = float("nan")
        frame["rank"] = pd.NA
    folder = flipped(processed["public"], tmp_path / "none", "area_scores", nothing)
    said.clear()
    make(MethodologyPage, folder).inputs_basis_text()
    assert "none is scored or ranked" in text_of(said) and "harm scores alone" not in text_of(said)


def test_ocg_overview_names_the_configured_bands(processed, tmp_path, said):
    make(OcgPage, processed["restricted"], scope="MNE", audience="restricted").overview()
    assert "By assessed threat: high: 5, medium: 9 and low: 7." in text_of(said)

    def add_band(frame):
        row = {"scope": "MNE", "measure": "band", "category": "severe", "count": 2, "suppressed": False}
        frame.loc[len(frame)] = {c: row[c] for c in frame.columns}
    folder = flipped(processed["restricted"], tmp_path / "p", "ocg_summary", add_band)
    data = data_with(tmp_path, settings=lambda cfg: cfg["ocg_scoring"].update(
        bands={"severe": 80, "high": 60, "medium": 35, "low": 0}))
    said.clear()
    make(OcgPage, folder, scope="MNE", audience="restricted", data_dir=data).overview()
    assert "By assessed threat: severe: 2, high: 5, medium: 9 and low: 7." in text_of(said)


def test_a_move_against_the_areas_own_trend_is_explained_by_the_areas_that_passed_it(processed):
    """Drug trafficking falls to second while its own trend rose: the reason is migrant smuggling passing it, not
    its trend (which read as a contradiction); a move its trend explains keeps the trend as its reason."""
    page = make(ConclusionsPage, processed["public"])
    ind = page.ref.indicators.at[page.headline_indicator("drugs"), "name_en"].lower()
    now = pd.DataFrame({"rank": [1, 2, 3]}, index=["migrant_smuggling", "drugs", "thb"])
    before = pd.DataFrame({"rank": [2, 1, 3]}, index=["migrant_smuggling", "drugs", "thb"])
    assert page.move_text("drugs", 1, 2, 0.004, 0.008, now, before) == (
        f"Drug trafficking moved down from 1 to 2 although its headline indicator ({ind}) went from +0.4% to +0.8% a "
        "year: migrant smuggling now ranks above it.")
    assert page.move_text("drugs", 1, 2, 0.008, 0.004, now, before) == (
        f"Drug trafficking moved down from 1 to 2: its headline indicator ({ind}) went from +0.8% to +0.4% a year.")
    ind = page.ref.indicators.at[page.headline_indicator("migrant_smuggling"), "name_en"].lower()
    assert page.move_text("migrant_smuggling", 2, 1, 0.05, -0.02, now, before) == (
        f"Migrant smuggling moved up from 2 to 1 although its headline indicator ({ind}) went from +5.0% to −2.0% a "
        "year: drug trafficking now ranks below it.")
