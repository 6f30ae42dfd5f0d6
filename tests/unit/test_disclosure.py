"""Disclosure control: the count model, its audit (linear programs) and suppression, against
hand-worked tables; then the proof on the demo's public edition."""
import pandas as pd
import pytest

from socta.analysis.disclosure import MARK, CountModel, count_text
from socta.core.config import REGION


def table(rows: dict, total: int | None = None, name="t") -> CountModel:
    """One row of cells and, if given, their published total."""
    model = CountModel()
    for key, value in rows.items():
        model.cell((name, key), value)
    if total is not None:
        model.cell((name, "total"), total)
        model.total((name, "total"), [(name, k) for k in rows])
    return model


def test_primary_suppression_hides_1_to_4_but_not_0_or_5():
    model = table(dict(zip("abcdef", [0, 1, 4, 5, 9, 12])))
    assert model.suppress(5) == {("t", "b"), ("t", "c")}


def test_the_audit_catches_a_count_recovered_by_subtraction():
    # high 3, medium 8, low 12, total 23 published: 23 - 8 - 12 gives the 3 away
    model = table({"high": 3, "medium": 8, "low": 12}, total=23)
    exposed = model.audit({("t", "high")}, threshold=5)
    assert [(e.cell, e.low, e.high) for e in exposed] == [(("t", "high"), 3, 3)]


def test_secondary_suppression_hides_the_smallest_part_not_the_total():
    model = table({"high": 3, "medium": 8, "low": 12}, total=23)
    hidden = model.suppress(5)
    assert hidden == {("t", "high"), ("t", "medium")}
    assert model.audit(hidden, 5) == []
    # what a reader can still infer: high + medium = 11, each at least 1
    low, high = model.intervals(hidden, [("t", "high")])[("t", "high")]
    assert (low, high) == (1, 10)


def test_two_small_cells_protect_each_other_unless_their_sum_pins_them():
    # 3 and 2 hidden, total 17 with 12 published: 3 + 2 = 5, each in [1, 4]: width 3 = threshold - 2, protected
    model = table({"a": 3, "b": 2, "c": 12}, total=17)
    assert model.suppress(5) == {("t", "a"), ("t", "b")}
    # 1 and 1 hidden: 1 + 1 = 2 pins both to 1 -> a third cell must go
    model = table({"a": 1, "b": 1, "c": 12}, total=14)
    hidden = model.suppress(5)
    assert {("t", "a"), ("t", "b")} < hidden and model.audit(hidden, 5) == []


def test_secondary_suppression_runs_across_both_dimensions_until_nothing_is_exposed():
    # countries × bands, with row totals and the region's column totals published
    cells = {("SRB", "high"): 2, ("SRB", "low"): 10, ("MNE", "high"): 6, ("MNE", "low"): 7,
             ("MKD", "high"): 9, ("MKD", "low"): 20}
    model = CountModel()
    for key, value in cells.items():
        model.cell(key, value)
    for country in ("SRB", "MNE", "MKD"):
        model.cell((country, "all"), cells[(country, "high")] + cells[(country, "low")])
        model.total((country, "all"), [(country, "high"), (country, "low")])
    for band in ("high", "low"):
        model.cell((REGION, band), sum(v for (c, b), v in cells.items() if b == band))
        model.total((REGION, band), [(c, band) for c in ("SRB", "MNE", "MKD")])
    hidden = model.suppress(5)
    assert ("SRB", "high") in hidden
    assert model.audit(hidden, 5) == []
    # what a reader can infer of the 2 spans at least the four values of "fewer than 5"
    low, high = model.intervals(hidden, [("SRB", "high")])[("SRB", "high")]
    assert low <= 2 <= high and high - low >= 3


def test_a_published_mean_score_can_pin_a_band_count():
    # 10 groups, 2 high (scores 60-100) and 8 low (0-35), both bands hidden; a mean of 20 published
    # means 60·high ≤ 200, so high ≤ 3.3: [1, 3.3] is narrower than the rule allows
    model = table({"band_high": 2, "band_low": 8}, total=10)
    hidden = {("t", "band_high"), ("t", "band_low")}
    assert model.audit(hidden, 5) == []
    model.linear_at_most({("t", "band_high"): 60 - 20, ("t", "band_low"): 0 - 20}, 0)
    assert [e.cell for e in model.audit(hidden, 5)] == [("t", "band_high")]


def test_a_count_shown_in_two_tables_is_hidden_in_both():
    model = table({"high": 3, "medium": 8, "low": 12}, total=23)
    model.cell(("other", "medium"), 8)
    model.same(("t", "medium"), ("other", "medium"))
    hidden = model.suppress(5)
    assert ("t", "high") in hidden
    assert (("t", "medium") in hidden) == (("other", "medium") in hidden)
    assert model.audit(hidden, 5) == []


def test_a_cell_the_published_cells_fix_is_published_not_hidden():
    """A total hidden to protect a part, which a second sum still fixes (30 = 20 + 10): a c there would hide
    nothing; the small part stays hidden."""
    model = table({"a": 3, "b": 27}, total=30)
    model.cell(("u", "c"), 20)
    model.cell(("u", "d"), 10)
    model.total(("t", "total"), [("u", "c"), ("u", "d")])
    assert model.determined({("t", "a"), ("t", "total")}, 5) == {("t", "total")}
    assert model.determined({("t", "a"), ("t", "b")}, 5) == set()   # 3 + 27 = 30: neither is fixed
    hidden = model.suppress(5)
    assert ("t", "a") in hidden and ("t", "total") not in hidden and model.audit(hidden, 5) == []


def test_no_suppression_for_the_restricted_edition():
    assert table({"a": 1, "b": 2}, total=3).suppress(0) == set()


def test_count_text_marks_confidential_cells():
    assert count_text(None, True) == MARK == "c"
    assert count_text(7, False) == "7"
    assert count_text(float("nan"), False) == "–"


# ---- the proof on the demo's public edition ----------------------------------------------------

@pytest.fixture(scope="module")
def editions(demo_processing):
    """The demo's project and processed tables of both audiences, computed once per session."""
    return demo_processing.project, demo_processing.tables


def published_hidden(public: dict) -> set:
    """The hidden cells, read from the public tables' flags alone (as a reader sees them)."""
    hidden = set()
    for name in ("ocg_aggregates", "ocg_profiles"):
        frame = public[name]
        keys = ["scope", "area"] if name == "ocg_aggregates" else ["scope", "profile"]
        for column in [c.removesuffix("_suppressed") for c in frame.columns if c.endswith("_suppressed")]:
            for key in frame.loc[frame[f"{column}_suppressed"], keys].itertuples(index=False):
                hidden.add((name, *key, column))
    for name, keys in (("ocg_summary", ["scope", "measure", "category"]), ("ocg_links", ["kind", "a", "b"])):
        frame = public[name]
        hidden |= {(name, *k) for k in frame.loc[frame["suppressed"], keys].itertuples(index=False)}
    return hidden


def test_the_three_subtractions_of_the_review_fail_against_the_public_edition(editions):
    _, tables = editions
    agg = tables["public"]["ocg_aggregates"].set_index(["scope", "area"])
    exact = tables["restricted"]["ocg_aggregates"].set_index(["scope", "area"])
    for area, column in (("migrant_smuggling", "ocgs"), ("property", "ocgs"), ("drugs", "international")):
        # region − Serbia − North Macedonia = Montenegro: a small count in the restricted edition ...
        assert 0 < exact.at[("MNE", area), column] < 5
        terms = [agg.at[(s, area), column] for s in (REGION, "SRB", "MKD")]
        # ... and in the public one at least one of the terms is confidential
        assert any(pd.isna(v) for v in terms), (area, column, terms)


def test_no_suppressed_count_can_be_derived_from_the_public_tables(editions):
    """Rebuild every count and every relation a reader knows, take the hidden cells from the public
    tables' flags, and solve for each hidden small count's least and greatest value."""
    from socta.process.disclosure_policy import count_model

    project, tables = editions
    restricted = tables["restricted"]
    model = count_model({k: restricted[k] for k in restricted if k.startswith("ocg_")},
                        project.settings["ocg_scoring"]["bands"], ["SRB", "MNE", "MKD"])
    from socta.process import disclosure_policy as public

    hidden = model.suppress(5)
    # the flags in the public tables are exactly the cells the model hid (where those tables show them)
    assert published_hidden(tables["public"]) <= hidden
    assert published_hidden(tables["public"]) == {k for k in hidden if k[0] in
                                                    {"ocg_aggregates", "ocg_profiles", "ocg_summary", "ocg_links"}}
    assert model.audit(hidden, 5) == []
    assert model.determined(hidden, 5) == set(), "no c where the published cells give the count away"
    small = [k for k in hidden if 0 < model.values[k] < 5]
    assert len(small) > 30   # the demo has many small counts: the proof is not vacuous
    # a hidden small count never appears in a public table, whatever the table
    for name in ("ocg_aggregates", "ocg_summary", "ocg_links", "ocg_profiles", "ocg_enablers"):
        frame = tables["public"][name]
        assert frame.filter(like="suppressed").to_numpy().any()
    assert public.score_exposures(restricted, tables["public"], model, hidden, 5, _score_settings(project)) == []


def _score_settings(project, step=None):
    from socta.ingest.reference import Reference
    from socta.process.disclosure_policy import ScoreSettings

    return ScoreSettings.of(project, Reference(project), step)


def test_public_scores_resting_on_a_hidden_count_carry_no_ocg_sub_score_and_are_rounded(editions):
    project, tables = editions
    shown = tables["public"]["area_scores"]
    exact = tables["restricted"]["area_scores"]
    rounded = shown[shown["score_precision"].eq("rounded")]
    assert len(rounded) and rounded[["ocg_number", "ocg_threat", "international"]].isna().all().all()
    step = project.settings["public"]["score_step"]
    assert (rounded["priority"] % step == 0).all()
    merged = rounded.merge(exact, on=["scope", "area"], suffixes=("", "_exact"))
    assert ((merged["priority"] - merged["priority_exact"]).abs() <= step / 2).all()
    # ranks and tiers are those of the exact scores: both editions rank alike
    assert shown[["scope", "area", "rank", "tier"]].equals(exact[["scope", "area", "rank", "tier"]])
    # the robustness of the ranking is computed from the scores each edition publishes: exact ones in the
    # restricted edition, the rounded ones in the public edition (tests/unit/test_exact_values.py)
    from socta.analysis.sensitivity import robustness_table
    from socta.ingest.reference import Reference
    from socta.process.disclosure_policy import robustness_inputs

    ref, cfg = Reference(project), _score_settings(project)
    for audience in ("public", "restricted"):
        again = robustness_table(robustness_inputs(tables[audience]["area_scores"], cfg),
                                 ref.threat_indicators["weight"].astype(float),
                                 ref.harm_dimensions["weight"].astype(float), project.settings)
        assert tables[audience]["rank_robustness"].equals(again)
    assert robustness_inputs(exact, cfg).equals(exact)


def test_exact_scores_would_give_a_hidden_count_away_and_the_audit_sees_it(editions):
    """Publishing the exact score of an area whose international count is hidden pins that count:
    with a rounding step of 0.001 the audit must find it, and the fallback withholds those scores."""
    from socta.process import disclosure_policy as public

    project, tables = editions
    restricted = tables["restricted"]
    model = public.count_model({k: restricted[k] for k in restricted if k.startswith("ocg_")},
                               project.settings["ocg_scoring"]["bands"], ["SRB", "MNE", "MKD"])
    hidden = model.suppress(5)
    cfg = _score_settings(project, step=0.001)
    coarse = public.resting_on_hidden(restricted["ocg_aggregates"], hidden)
    fine = {name: public.publish_scores(restricted[name], coarse, set(), cfg.step)
            for name in ("area_scores", "area_scores_previous")}
    assert public.score_exposures(restricted, {**tables["public"], **fine}, model, hidden, 5, cfg)
    shown = public.publish_area_scores(restricted, tables["public"], model, hidden, 5, cfg)
    assert shown["area_scores"]["score_precision"].eq("withheld").any()
    assert public.score_exposures(restricted, {**tables["public"], **shown}, model, hidden, 5, cfg) == []
