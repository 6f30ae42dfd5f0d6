"""The figures of the OCG, conclusions and factors chapters are drawn in their templates; the page
classes give them tidy, edition-safe data and computed sentences. These tests check the data against
the processed tables (a confidential count is never a number, nor 0), the "nothing to show" paths on a
dataset without OCG register or expert assessments, and that each template's figure code runs and
names its figures as before. No book is built: the code cells run in this process.
"""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import numpy as np
import pandas as pd
import pytest

from socta.core.config import NOTEBOOKS_DIR, REGION
from socta.pages import render
from socta.pages.conclusions import ConclusionsPage
from socta.pages.factors import FactorsPage
from socta.pages.ocg import OcgPage

from ..helpers import REPO
from .test_findings import DEMO, flipped, make

OPEN = REPO / "data" / "open"


@pytest.fixture(scope="module")
def statistics_only(open_processed) -> Path:
    """The open-data edition processed: statistics only, no OCG register, answers or expert assessments."""
    return open_processed["public"]


def text_of(said: list[str]) -> str:
    return "\n".join(said)


# ---- OCG: groups by crime area and threat band ------------------------------------------------------

@pytest.mark.parametrize("scope", [REGION, "SRB", "MNE"])
def test_areas_by_band_never_draws_a_confidential_count(processed, scope):
    page = make(OcgPage, processed["public"], scope=scope)
    groups = page.groups_by_area_and_band()
    agg = page.table("ocg_aggregates")
    agg = agg[agg["scope"].eq(scope)].set_index("area")
    areas, bands = list(page.ref.top_areas.index), ["high", "medium", "low"]
    assert len(groups) == len(areas) * len(bands)
    assert list(groups["area"].cat.categories) == [page.area_name(a) for a in areas]
    assert list(groups["band"].cat.categories) == bands
    for area in areas:
        for band in bands:
            row = groups[groups["area"].eq(page.area_name(area)) & groups["band"].eq(band)].iloc[0]
            hidden = bool(agg.at[area, f"band_{band}_suppressed"])
            assert row["suppressed"] == hidden
            if hidden:
                assert np.isnan(row["groups"]), f"{scope} {area} {band}: a confidential count has a number"
            else:
                assert row["groups"] == agg.at[area, f"band_{band}"]
    assert groups["suppressed"].any()  # the demo's public edition hides some in every scope


def test_areas_by_band_of_the_region_as_published(processed):
    public = make(OcgPage, processed["public"]).groups_by_area_and_band().set_index(["area", "band"])["groups"]
    exact = make(OcgPage, processed["restricted"], audience="restricted").groups_by_area_and_band()
    exact = exact.set_index(["area", "band"])["groups"]
    assert public[("Drug trafficking", "high")] == exact[("Drug trafficking", "high")] == 14
    assert public.loc["Migrant smuggling"].isna().all() and exact.loc["Migrant smuggling"].notna().all()
    shown = public.notna()
    assert (public[shown] == exact[shown]).all()  # what the public edition shows is the exact count


def test_areas_caption_and_alt_follow_the_hidden_counts(processed):
    page = make(OcgPage, processed["public"])
    groups = page.groups_by_area_and_band()
    assert "† Some counts are confidential" in page.areas_caption(groups)
    assert page.areas_alt(groups).endswith("of the counts shown, most groups are active in drug trafficking.")
    page = make(OcgPage, processed["restricted"], scope="SRB", audience="restricted")
    groups = page.groups_by_area_and_band()
    assert "†" not in page.areas_caption(groups) and "Serbia" in page.areas_caption(groups)
    assert page.areas_alt(groups).endswith("; most groups are active in drug trafficking.")


def test_montenegro_public_has_groups_but_no_drawable_count(processed, said):
    """Its counts by band are zeros and confidential ones: no figure, and no claim that there are no groups."""
    page = make(OcgPage, processed["public"], scope="MNE")
    groups = page.groups_by_area_and_band()
    assert groups["groups"].sum() == 0 and groups["suppressed"].any() and not groups["suppressed"].all()
    page.no_groups_by_area(groups)
    text = text_of(said)
    assert "that is not zero is confidential in this public edition" in text
    assert "No organised crime group active in a crime area was reported" not in text


def test_a_figure_whose_bars_would_be_mostly_blank_becomes_a_sentence(processed, said):
    """The demo region's public counts: drug trafficking's shown, the other five areas' confidential. Five of
    six bars would be blank, so the page says so in a sentence; the restricted edition draws every bar."""
    restricted = make(OcgPage, processed["restricted"], audience="restricted")
    assert restricted.worth_drawing(restricted.groups_by_area_and_band())
    page = make(OcgPage, processed["public"])
    groups = page.groups_by_area_and_band()
    per_area = groups.groupby("area", observed=True)["groups"].sum()
    assert (per_area > 0).sum() == 1 and len(per_area) == 6
    assert not page.worth_drawing(groups)
    page.no_groups_by_area(groups)
    assert "Most counts of the groups by crime area and threat band in the region are confidential" in text_of(said)


def test_every_count_hidden_says_confidential_and_none_reported_says_so(processed, tmp_path, said):
    def hide_all(frame):
        for band in ("high", "medium", "low"):
            frame[f"band_{band}"] = pd.NA
            frame[f"band_{band}_suppressed"] = True
    page = make(OcgPage, flipped(processed["public"], tmp_path / "hidden", "ocg_aggregates", hide_all))
    groups = page.groups_by_area_and_band()
    assert groups["groups"].isna().all()
    page.no_groups_by_area(groups)
    assert "Every count of the groups by crime area and threat band in the region is confidential" in text_of(said)

    def none(frame):
        for band in ("high", "medium", "low"):
            frame[f"band_{band}"] = 0
            frame[f"band_{band}_suppressed"] = False
    said.clear()
    page = make(OcgPage, flipped(processed["public"], tmp_path / "none", "ocg_aggregates", none))
    page.no_groups_by_area(page.groups_by_area_and_band())
    assert text_of(said) == "*No organised crime group active in a crime area was reported in the region.*"


# ---- OCG: network and contributions ------------------------------------------------------------------

def test_network_links_hide_confidential_counts_and_drop_empty_pairs(processed):
    page = make(OcgPage, processed["public"])
    links = page.network_links()
    table = page.table("ocg_links")
    assert len(links) == int((table["suppressed"] | table["groups"].fillna(0).gt(0)).sum())
    hidden = links[links["suppressed"]]
    assert len(hidden) and hidden["groups"].isna().all() and hidden["label"].eq("c").all()
    shown = links[~links["suppressed"]].set_index(["a", "b"])
    assert shown.at[("MKD", "drugs"), "groups"] == 27 and shown.at[("MKD", "drugs"), "label"] == "27"
    assert shown.at[("MNE", "SRB"), "kind"] == "country-country" and shown.at[("MNE", "SRB"), "groups"] == 18
    assert "dashed line" in page.network_caption(links)
    assert "dashed" not in make(OcgPage, processed["restricted"], audience="restricted").network_caption(
        make(OcgPage, processed["restricted"], audience="restricted").network_links())
    nodes = page.network_nodes()
    assert list(nodes["node"]) == [*page.countries, *page.ref.top_areas.index]
    assert set(links["a"]) | set(links["b"]) <= set(nodes["node"])


def test_group_contributions_add_up_to_the_scores_in_the_restricted_edition_only(processed):
    assert make(OcgPage, processed["public"]).group_contributions().empty
    page = make(OcgPage, processed["restricted"], scope="SRB", audience="restricted")
    points = page.group_contributions(top=5)
    register = page.table("ocg_register")
    register = register[register["country"].eq("SRB")].sort_values("score", ascending=False).head(5)
    assert list(points["ocg_id"].cat.categories) == list(register["ocg_id"])
    totals = points.groupby("ocg_id", observed=True)["points"].sum()
    assert np.allclose(totals.loc[register["ocg_id"]].to_numpy(), register["score"].to_numpy())
    assert points["indicator"].nunique() == len(page.ref.ocg_indicators)
    first = register["ocg_id"].iloc[0]
    assert f"The highest-scoring group, {first}, scores {round(register['score'].iloc[0])}" in page.contributions_alt(points)
    assert "the 5 highest-scoring groups, Serbia (RESTRICTED)" in page.contributions_caption(points)


# ---- conclusions: matrix and robustness -------------------------------------------------------------

@pytest.mark.parametrize("audience", ["public", "restricted"])
def test_matrix_points_are_the_ranked_areas_with_their_scores(processed, audience):
    page = make(ConclusionsPage, processed[audience], audience=audience)
    for scope in [REGION, *page.countries]:
        points = page.matrix_points(scope)
        scores = page.scores[page.scores["scope"].eq(scope)].dropna(subset=["rank"]).sort_values("rank")
        assert list(points["area"]) == list(scores["area"])  # one row per ranked area, in rank order
        assert np.allclose(points["threat"], scores["threat"]) and np.allclose(points["harm"], scores["harm"])
        assert list(points["score_precision"]) == list(scores["score_precision"])
        assert list(points["name"]) == [page.area_name(a) for a in scores["area"]]
    region = page.matrix_points(REGION)
    assert region["score_precision"].eq("rounded").any() == (audience == "public")
    assert ("Open circles" in page.matrix_caption(REGION, region)) == (audience == "public")
    assert "too small" not in page.matrix_caption(REGION, region), "a count hidden to protect another is not small"
    top = region.iloc[0]
    assert page.matrix_alt(REGION, region).endswith(
        f"drug trafficking has the highest priority with threat {round(top['threat'])} and harm {round(top['harm'])}.")


def test_a_withheld_score_is_not_drawn_and_the_caption_names_it(processed, tmp_path):
    def withhold(frame):
        hit = frame["scope"].eq(REGION) & frame["area"].eq("drugs")
        frame.loc[hit, ["threat", "priority"]] = np.nan
        frame.loc[hit, "score_precision"] = "withheld"
    page = make(ConclusionsPage, flipped(processed["public"], tmp_path / "p", "area_scores", withhold))
    points = page.matrix_points(REGION)
    assert "drugs" not in set(points["area"]) and len(points) == 5
    caption = page.matrix_caption(REGION, points)
    assert caption.endswith(" Not drawn (score withheld): Drug trafficking.")
    assert "of the areas drawn, migrant smuggling has the highest priority" in page.matrix_alt(REGION, points)


def test_an_area_without_harm_is_named_as_not_drawn(processed, tmp_path):
    def no_harm(frame):
        frame.loc[frame["scope"].eq("SRB") & frame["area"].eq("cyber"), "harm"] = np.nan
    page = make(ConclusionsPage, flipped(processed["public"], tmp_path / "p", "area_scores", no_harm))
    points = page.matrix_points("SRB")
    assert "cyber" not in set(points["area"])
    assert page.matrix_caption("SRB", points).endswith(" Not drawn (threat or harm not scored): Cybercrime.")


def test_rank_robustness_is_the_table_in_rank_order(processed):
    page = make(ConclusionsPage, processed["public"])
    robust = page.rank_robustness(REGION)
    table = page.table("rank_robustness")
    table = table[table["scope"].eq(REGION)].set_index("area")
    assert list(robust["area"]) == list(page.ranking(REGION)["area"])
    assert np.allclose(robust["p_top"], table.loc[robust["area"], "p_top"])
    assert np.allclose(robust["p_first"], table.loc[robust["area"], "p_first"])
    assert page.sensitivity_alt(robust) == ("Horizontal bars per crime area; drug trafficking ranks in the top 3 under "
                                            f"{round(100 * robust['p_top'].iloc[0])}% of weightings.")
    assert "4,000 random weightings" in page.sensitivity_caption()


# ---- factors: enablers and groups abroad ----------------------------------------------------------

def test_enabler_shares_are_the_published_ones_and_a_hidden_share_has_no_number(processed, tmp_path):
    page = make(FactorsPage, processed["public"])
    shares = page.enabler_shares()
    assert len(shares) == len(FactorsPage.ENABLERS) * (len(page.countries) + 1)
    assert list(shares["place"].cat.categories) == ["Serbia", "Montenegro", "North Macedonia", "Region"]
    table = page.table("ocg_enablers").set_index(["scope", "indicator"])["share_medium_high"]
    row = shares[shares["enabler"].eq("Use of legal business structures") & shares["place"].eq("Region")].iloc[0]
    assert row["share"] == table[(REGION, "lbs")]
    assert page.enablers_alt(shares) == ("Grouped horizontal bars; in the region the most common enabler is use of "
                                         "legal business structures, used by 61% of the groups.")

    def hide(frame):
        frame.loc[frame["indicator"].eq("lbs"), "share_medium_high"] = np.nan
    page = make(FactorsPage, flipped(processed["public"], tmp_path / "p", "ocg_enablers", hide))
    shares = page.enabler_shares()
    assert shares.loc[shares["enabler"].eq("Use of legal business structures"), "share"].isna().all()
    assert shares["share"].notna().sum() == 5 * 4  # the others are drawn as published
    assert "Shares resting on a count too small to publish are not drawn." in page.enablers_caption(shares)
    assert "of the regional shares shown, the most common enabler is money laundering" in page.enablers_alt(shares)


def test_every_enabler_share_hidden_says_so(processed, tmp_path, said):
    def hide(frame):
        frame["share_medium_high"] = np.nan
    page = make(FactorsPage, flipped(processed["public"], tmp_path / "p", "ocg_enablers", hide))
    assert page.enabler_shares()["share"].isna().all()
    page.no_enabler_shares()
    assert "Every share of the groups using an enabler is confidential in this public edition" in text_of(said)


@pytest.mark.parametrize("audience", ["public", "restricted"])
def test_groups_abroad_are_the_published_countries_largest_first(processed, audience):
    page = make(FactorsPage, processed[audience], audience=audience)
    abroad = page.groups_abroad()
    geo = page.table("ocg_geography")
    geo = geo[geo["scope"].eq(REGION) & geo["measure"].eq("active_abroad") & ~geo["suppressed"]]
    assert sorted(abroad["code"]) == sorted(geo["code"]) and abroad["groups"].is_monotonic_decreasing
    assert abroad.iloc[0].to_dict() == {"code": "BIH", "name": "Bosnia and Herzegovina", "groups": 11}
    if audience == "public":
        assert list(abroad["code"]) == ["BIH", "ALB"] and abroad["groups"].ge(page.threshold).all()
        assert "Countries with fewer than 5 groups are not shown" in page.abroad_caption()
        assert page.abroad_alt(abroad) == "Bar chart; of the countries shown, most groups active abroad operate in Bosnia and Herzegovina (11)."
    else:
        assert len(abroad) == 10 and page.abroad_alt(abroad) == ("Bar chart; most groups active abroad operate in Bosnia and "
                                                                 "Herzegovina (11).")
        assert "ISO" not in page.abroad_caption() and not abroad["name"].str.fullmatch(r"[A-Z]{3}").any()


# ---- a dataset without OCG register or expert assessments ------------------------------------------

def test_statistics_only_dataset_has_nothing_to_draw_and_says_why(statistics_only, said):
    ocg = make(OcgPage, statistics_only, data_dir=OPEN)
    assert ocg.groups_by_area_and_band().empty and ocg.network_links().empty
    ocg.no_groups_by_area(ocg.groups_by_area_and_band())
    ocg.no_network()
    assert text_of(said).count("No OCG register is part of this dataset") == 1  # said once per page

    said.clear()
    factors = make(FactorsPage, statistics_only, data_dir=OPEN)
    assert factors.enabler_shares().empty and factors.groups_abroad().empty
    factors.no_enabler_shares()
    factors.no_groups_abroad()
    assert "No OCG indicator answers are part of this dataset" in text_of(said)
    assert "No OCG register is part of this dataset" in text_of(said)

    said.clear()
    conclusions = make(ConclusionsPage, statistics_only, data_dir=OPEN)
    assert conclusions.matrix_points(REGION).empty and conclusions.rank_robustness(REGION).empty
    conclusions.no_matrix(REGION)
    assert said == []  # nothing is ranked: the priorities text says why, once


# ---- the templates draw the figures -----------------------------------------------------------------

FIGURE_TEMPLATES = ["ocg.md", "conclusions.md", "factors.md"]


def run_template(template: str, processed_dir: Path, monkeypatch, **parameters) -> tuple[list[str], list[str]]:
    """Run a template's code cells here (no kernel, no book) and return (figure names, text shown).

    The factors chapter's statistics cell draws with the area pages' code and is left out."""
    import matplotlib

    matplotlib.use("Agg")
    names, shown = [], []
    monkeypatch.setattr(render, "md", shown.append)

    def figure(self, fig, key, caption, alt, source=None):
        import matplotlib.pyplot as plt

        assert caption and alt, key
        names.append(f"fig-{self.page_id}-{key}")
        plt.close(getattr(fig, "figure", fig))
    monkeypatch.setattr(render.Rendering, "figure", figure)
    namespace: dict = {}
    for cell in jupytext.read(NOTEBOOKS_DIR / template).cells:
        if cell.cell_type != "code" or "AreaPage(" in cell.source:
            continue
        exec("\n".join(line for line in cell.source.splitlines() if not line.startswith("%")), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(processed_dir=str(processed_dir), data_dir=str(DEMO), **parameters)
    return names, shown


@pytest.mark.parametrize("template, parameters, expected", [
    ("ocg.md", {"scope": "region"}, ["fig-ocg-region-map", "fig-ocg-region-network"]),   # the public region's bars: five of six confidential, a sentence
    ("ocg.md", {"scope": "region", "audience": "restricted"},
     ["fig-ocg-region-areas", "fig-ocg-region-map", "fig-ocg-region-contributions", "fig-ocg-region-network"]),
    ("ocg.md", {"scope": "MNE"}, []),
    ("conclusions.md", {}, ["fig-conclusions-matrix-region", "fig-conclusions-sensitivity-region",
                            "fig-conclusions-matrix-srb", "fig-conclusions-matrix-mne", "fig-conclusions-matrix-mkd"]),
    ("factors.md", {}, ["fig-factors-enablers", "fig-factors-tactics", "fig-factors-document_fraud_cases", "fig-factors-abroad"]),
])
def test_template_figure_cells_run_and_keep_their_names(processed, monkeypatch, template, parameters, expected):
    audience = parameters.get("audience", "public")
    names, shown = run_template(template, processed[audience], monkeypatch, **parameters)
    assert names == expected
    if template == "ocg.md" and parameters.get("scope") == "MNE":
        assert any("that is not zero is confidential" in s for s in shown)


@pytest.mark.parametrize("template", FIGURE_TEMPLATES)
def test_figure_labels_in_the_templates_go_through_t(template):
    text = (NOTEBOOKS_DIR / template).read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, re.S))
    fixed = re.findall(r"\b(?:title|xlabel|ylabel|label)\s*=\s*(\"[^\"]+\"|'[^']+')", code)
    fixed += re.findall(r"\.set_(?:title|xlabel|ylabel)\(\s*(\"[^\"]+\"|'[^']+')", code)
    assert fixed == [], f"{template}: figure text not translated: {fixed}"
    assert "page.figure(fig" in code and "figures.new_figure(" in code


@pytest.mark.parametrize("weights", [(0.5, 0.5), (0.7, 0.3), (1.0, 0.0), (0.0, 1.0)])
def test_each_tier_is_named_inside_its_own_grey_band(weights):
    import matplotlib.pyplot as plt

    from socta.pages import figures

    tiers = {"Tier 1": 60, "Tier 2": 40, "Tier 3": 0}
    fig, ax = plt.subplots()
    ax.set(xlim=(0, 100), ylim=(0, 100))
    figures.tier_bands(ax, weights, tiers)
    named = {text.get_text(): text.get_position() for text in ax.texts}
    plt.close(fig)
    assert named, "no tier named"
    assert "Tier 3" in named
    bounds = {"Tier 1": (60, 100), "Tier 2": (40, 60), "Tier 3": (0, 40)}
    for name, (x, y) in named.items():
        priority = (weights[0] * x + weights[1] * y) / sum(weights)
        low, high = bounds[name]
        assert low <= priority < high and 0 <= x <= 100 and 0 <= y <= 100, (name, x, y, priority)


def test_breakdowns_of_one_total_are_one_row_of_the_indicator_table(processed):
    """Trafficking victims by sex, by age group and by form of exploitation add up to the same victims each
    year: the table showed the same total three times. One row, and a note naming the other two."""
    from socta.pages.area import AreaPage

    years = [str(y) for y in range(2020, 2025)]
    thb = make(AreaPage, processed["public"], area="thb")
    assert thb.same_total_as(years) == {"thb_victims_age": "thb_victims_sex", "thb_victims_form": "thb_victims_sex"}
    note = thb.indicator_table_notes(thb.same_total_as(years))
    assert ("The row of trafficking victims by sex also stands for the same total broken down differently: "
            "trafficking victims by age group and trafficking victims by form of exploitation.") in note
    drugs = make(AreaPage, processed["public"], area="drugs")
    assert drugs.same_total_as(years) == {}     # offences, kilograms seized and seizures: three totals
