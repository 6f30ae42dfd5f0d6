"""The pieces a page is made of, each tested on its own without building the book: formatting
(how a value prints), data access (EditionData on the processed demo), rendering (names, captions,
boxes), and the drawing helpers the templates call."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from socta.core.config import REGION, Project
from socta.i18n.messages import code_cell_messages
from socta.pages import figures, render
from socta.pages.data import EditionData
from socta.pages.formatting import (
    change_words,
    count,
    number,
    probability_text,
    rate_text,
    score,
    score_note,
    signed_percent,
)
from socta.pages.render import Rendering

from ..helpers import REPO

DEMO = REPO / "data" / "demo-2016"


# ---- formatting --------------------------------------------------------------------------------
def test_missing_values_print_as_a_dash_never_zero():
    assert number(float("nan")) == "–" and number(pd.NA) == "–" and signed_percent(float("nan")) == "–"
    assert number(0) == "0" and number(1234.5, 1) == "1,234.5"


def test_counts_scores_and_changes_print_as_the_edition_prints_them():
    assert count(3, suppressed=True) == "c" and count(12) == "12"
    assert signed_percent(0.052) == "+5.2%" and signed_percent(-0.1) == "−10.0%"
    assert probability_text(99.6) == ">99" and probability_text(0.4) == "<1" and probability_text(55.4) == "55"
    assert rate_text(12.34) == "12.3" and rate_text(0.0147) == "0.015" and rate_text(0) == "0"
    assert change_words(12.0) == "12% higher" and change_words(-3.0) == "3% lower"
    assert change_words(float("nan"), "break in series in 2019") == "not comparable: break in series in 2019"


def test_public_scores_are_rounded_or_withheld_and_the_note_says_which():
    rounded = pd.Series({"threat": 54.6, "harm": 40.2, "score_precision": "rounded"})
    assert score(rounded, "threat") == "≈55" and score(rounded, "harm") == "40"  # harm rests on no count
    assert score(pd.Series({"threat": 54.6, "score_precision": "withheld"}), "threat") == "c"
    assert score(pd.Series({"threat": float("nan"), "score_precision": "exact"}), "threat") == "not scored"
    rows = pd.DataFrame({"score_precision": ["exact", "rounded"]})
    assert "rounded to the nearest 5" in score_note(rows, 5) and "withheld" not in score_note(rows, 5)
    assert score_note(pd.DataFrame({"score_precision": ["exact"]}), 5) == ""


# ---- data access --------------------------------------------------------------------------------
@pytest.fixture
def public(processed) -> Path:
    """The public edition of the demo's processed tables (conftest's ``processed``)."""
    return processed["public"]


def data(public: Path, scope: str, area: str = "drugs") -> EditionData:
    first, last = Project(data_dir=DEMO).years
    return EditionData(scope=scope, area=area, processed_dir=public, data_dir=DEMO, first_year=first,
                       last_year=last)


def test_a_series_is_every_year_of_the_period_with_the_statistics_values(public):
    srb = data(public, "SRB")
    series = srb.series("drug_offences")
    assert list(series["year"]) == list(range(srb.first_year, srb.last_year + 1))
    raw = pd.read_csv(DEMO / "statistics.csv")
    raw = raw[raw["indicator"].eq("drug_offences") & raw["country"].eq("SRB")].set_index("year")["value"]
    assert series.set_index("year")["value"].dropna().to_dict() == pytest.approx(raw.astype(float).to_dict())


def test_the_region_is_the_sum_of_its_countries_only_where_all_reported(public):
    region = data(public, REGION).series("drug_offences").set_index("year")["value"]
    parts = [data(public, c).series("drug_offences").set_index("year")["value"] for c in ("SRB", "MNE", "MKD")]
    total = sum(parts)  # NaN wherever one country is missing
    pd.testing.assert_series_equal(region, total, check_names=False)


def test_rates_are_per_100000_of_the_population_table(public):
    region = data(public, REGION)
    rates = region.country_rates("drug_offences")
    assert set(rates["country"]) == {"Serbia", "Montenegro", "North Macedonia"}
    row = rates.dropna(subset=["per_100k"]).iloc[0]
    assert row["per_100k"] == pytest.approx(1e5 * row["value"] / row["population"])


def test_expert_answers_are_tidy_one_row_per_respondent_and_dimension(public):
    mne = data(public, "MNE")
    answers = mne.expert_answers()
    experts = pd.read_parquet(public / "expert_assessments.parquet")
    experts = experts[experts["country"].eq("MNE") & experts["area"].eq("drugs")]
    dims = mne.ref.harm_dimensions
    assert len(answers) == experts[[f"harm_{d}" for d in dims.index]].notna().sum().sum()
    assert list(answers["dimension"].cat.categories) == list(dims["name_en"])
    assert answers["answer"].between(0, 4).all()


def test_area_indicators_come_headline_first_from_the_configuration(public):
    drugs = data(public, "SRB")
    ids = drugs.area_indicators()
    assert drugs.ref.indicators.at[ids[0], "headline"] and set(ids) == set(
        drugs.ref.indicators.index[drugs.ref.indicators["area_id"].eq("drugs")])
    assert drugs.breakdown_of("drug_seizures_kg") == "submarket" and drugs.breakdown_of("drug_offences") is None


# ---- rendering ----------------------------------------------------------------------------------
def test_tables_and_boxes_are_named_captioned_and_carry_the_source(monkeypatch):
    out: list[str] = []
    monkeypatch.setattr(render, "md", out.append)
    page = Rendering("drugs-srb", {"name": "Demo", "synthetic": True})
    page.banner()
    page.show_table(pd.DataFrame({"A": ["1"], "B": ["x|y"]}), "k", "A caption.", align={"A": "r"}, notes="c: confidential")
    page.no_data("Nothing here.")
    page.say("")  # an empty sentence shows nothing
    assert "Synthetic demonstration data" in out[0] and "synthetic-banner" in out[0]
    assert ":name: tbl-drugs-srb-k" in out[1] and "| 1 | x\\|y |" in out[1] and "| ---: |" in out[1]
    assert out[1].endswith("c: confidential  \n*Source: Demo (synthetic demonstration data); calculations for this assessment.*")
    assert out[2] == "*Nothing here.*" and len(out) == 3
    assert [o.count(":name: ") for o in out] == [0, 1, 0]  # the table alone is named, once
    assert Rendering("p", {"name": "Real", "synthetic": False}).source_statistics == "Source: Real; calculations for this assessment."


# ---- drawing helpers ----------------------------------------------------------------------------
def test_gap_runs_break_a_line_at_a_missing_year():
    frame = pd.DataFrame({"country": ["A"] * 5 + ["B"] * 3, "year": [1, 2, 3, 4, 5, 1, 2, 3],
                          "rate": [1, None, 3, 4, None, 1, 2, None]})
    runs = figures.gap_runs(frame, "rate", "country")
    assert runs[["country", "year", "run"]].values.tolist() == [["A", 1, 0], ["A", 3, 1], ["A", 4, 1],
                                                               ["B", 1, 0], ["B", 2, 0]]


def test_panels_only_when_parts_differ_by_the_factor():
    frame = pd.DataFrame({"submarket": ["a", "a", "b", "b"], "value": [100, 90, 10, math.nan]})
    assert figures.needs_panels(frame, "submarket", factor=8)
    assert not figures.needs_panels(frame, "submarket", factor=20)
    assert not figures.needs_panels(frame[frame["submarket"].eq("a")], "submarket")


def test_template_code_cells_give_their_messages_to_the_catalogue():
    text = '```{code-cell} ipython3\n%matplotlib inline\nax.set(title=t("Harm — {area}", area=a))\nx = t(name)\n```\n'
    assert code_cell_messages(text) == ["Harm — {area}"]
    area = (REPO / "notebooks" / "area.md").read_text(encoding="utf-8")
    # (the labels of the indicator charts, "Recorded", "Fitted trend", are in socta/pages/area.py, which pybabel reads)
    assert {"Years fitted", "Yardstick", "Harm profile — {area}, {scope}"} <= set(code_cell_messages(area))


def test_a_long_or_wide_table_gives_the_pdf_its_column_widths():
    """Sphinx sets a table of more than 30 rows as a longtable, whose columns do not wrap without widths."""
    from socta.pages.render import column_widths

    short = pd.DataFrame({"Indicator": ["Drug offences recorded"], "2024": ["13,231"]})
    assert column_widths(short) is None
    long = pd.DataFrame({"Group": ["SRB-OCG-002"] * 31, "Crime areas": ["Trafficking in human beings, " * 3] * 31,
                         "Grade": ["B2"] * 31})
    widths = column_widths(long)
    assert widths == [24, 20, 10] and len(widths) == len(long.columns)
