"""Values print with the precision they were published with (issue 21): 0.07 kg of cocaine is 0.07,
not 0; 7.54 is 7.54, not 8; a sum keeps the finest precision of its parts; nothing that is not zero
prints as 0, in the tables of the area pages and in the annex."""
from __future__ import annotations

import pandas as pd
import pytest

from socta.core.config import Project
from socta.i18n.translate import set_language
from socta.ingest.validation import validate
from socta.pages.area import AreaPage
from socta.pages.observations import observation_text, visible_decimals
from socta.process.tables import write_processed

from ..helpers import set_rows

PUBLISHED = {("2021", "cocaine"): "0.07", ("2022", "cocaine"): "1.5", ("2023", "cocaine"): "7.54",
             ("2024", "cocaine"): "84.5", ("2024", "heroin"): "<0.5"}


@pytest.fixture(scope="module")
def kg_page(tmp_path_factory) -> AreaPage:
    from ..conftest import copy_demo

    folder = copy_demo(tmp_path_factory.mktemp("precision") / "data")

    def published(row):
        if row["country"] == "MNE" and row["indicator"] == "drug_seizures_kg":
            if (row["year"], row["submarket"]) in PUBLISHED:  # confirmed (A): far off the demo's own series
                row |= {"value": PUBLISHED[(row["year"], row["submarket"])], "status": "A"}
        return row
    set_rows(folder / "statistics.csv", published)
    project = Project(data_dir=folder, build_dir=folder.parent / "build")
    result = validate(project)
    assert result.ok, result.problems[:3]
    processed = write_processed(project, result)["public"]
    first, last = project.years
    return AreaPage(scope="MNE", area="drugs", processed_dir=str(processed), data_dir=str(folder),
                    first_year=first, last_year=last)


def test_each_value_prints_as_published(kg_page):
    cocaine = kg_page.series("drug_seizures_kg", by="submarket")
    cocaine = cocaine[cocaine["submarket"].eq("cocaine")].set_index("year")
    printed = {year: kg_page.observation(cocaine.loc[year]) for year in (2021, 2022, 2023, 2024)}
    assert printed == {2021: "0.07", 2022: "1.5", 2023: "7.54", 2024: "84.5"}
    heroin = kg_page.series("drug_seizures_kg", by="submarket")
    heroin = heroin[heroin["submarket"].eq("heroin")].set_index("year")
    assert kg_page.observation(heroin.loc[2024]) == "<0.5"


def test_a_total_keeps_the_finest_precision_of_its_parts(kg_page):
    total = kg_page.series("drug_seizures_kg").set_index("year")
    parts = kg_page.series("drug_seizures_kg", by="submarket")
    in_2023 = parts[parts["year"].eq(2023)]
    assert total.at[2023, "decimals"] == 2
    assert kg_page.observation(total.loc[2023]) == f"{in_2023['value'].sum():,.2f}"


def test_the_language_writes_the_decimal_sign(kg_page):
    cocaine = kg_page.series("drug_seizures_kg", by="submarket")
    row = cocaine[cocaine["submarket"].eq("cocaine") & cocaine["year"].eq(2021)].iloc[0]
    try:
        set_language("sr")
        assert observation_text(row, kg_page.ref.observation_status)[0] == "0,07"
    finally:
        set_language("en")


def test_nothing_that_is_not_zero_prints_as_zero():
    assert visible_decimals(0.004, 0) == 3 and visible_decimals(0.0, 0) == 0 and visible_decimals(12.0, 1) == 1
    status = pd.DataFrame(columns=["footnote"])
    row = pd.Series({"value": 0.004, "status": "", "censor": "", "months": float("nan"), "decimals": 0})
    assert observation_text(row, status)[0] == "0.004"


def yearly_frame(values: dict[int, float], months: dict[int, int] | None = None, censor: dict[int, str] | None = None):
    months, censor = months or {}, censor or {}
    years = range(2014, 2025)
    return pd.DataFrame({"year": list(years), "value": [values.get(y, float("nan")) for y in years],
                         "months": [months.get(y, float("nan")) for y in years],
                         "censor": [censor.get(y, "") for y in years], "bound": [5.0 if y in censor else float("nan") for y in years],
                         "breaks": False})


def test_a_change_ends_on_the_series_own_last_whole_year(kg_page):
    # one part-year figure after the last whole year no longer makes "last 4 years vs 4 before" incomparable
    series = yearly_frame({y: 100.0 + y for y in range(2014, 2025)}, months={2024: 6})
    assert kg_page.change_anchor(series) == 2023 and kg_page.change_gap(series) == ""
    whole = yearly_frame({y: 100.0 + y for y in range(2014, 2025)})
    assert kg_page.change_anchor(whole) == 2024
    # "<5 <5 <5" is not "no data"
    censored = yearly_frame({}, censor={y: "below" for y in range(2014, 2025)})
    assert kg_page.change_gap(censored) == "values published only as below or above a level"


def test_a_change_that_rounds_to_zero_has_no_sign():
    from socta.pages.formatting import signed_percent

    assert signed_percent(-0.0004) == "0.0%" and signed_percent(0.0004) == "0.0%"
    assert signed_percent(-0.052) == "−5.2%" and signed_percent(0.052) == "+5.2%"


def test_a_name_inside_a_sentence_keeps_its_acronyms():
    from socta.core.text import in_sentence

    assert in_sentence("Drug offences recorded (UNODC)") == "drug offences recorded (UNODC)"
    assert in_sentence("EU border crossings") == "EU border crossings"
    assert in_sentence("Трговина дрогом") == "трговина дрогом" and in_sentence("") == ""


def test_a_regional_trend_over_a_countrys_suspected_break_carries_no_likelihood(processed, tmp_path):
    """A jump in one country's series (flagged on its page as a likely change of recording) is hidden in
    the regional sum: the region's judgement leaves that trend out, and says so, instead of reading it as a
    trend; its own trend statement carries no likelihood term."""
    from socta.core.config import REGION

    from .test_findings import flipped, make

    def jump(frame):
        at = frame["scope"].eq("SRB") & frame["indicator"].eq("drug_offences")
        frame.loc[at, "suspected_break"] = 2021

    page = make(AreaPage, processed["public"], scope=REGION, area="drugs")
    before = page.judgement()
    assert before["term"] is not None  # the demo's regional drugs judgement carries a term
    page = make(AreaPage, flipped(processed["public"], tmp_path / "p", "trends", jump), scope=REGION, area="drugs")
    after = page.judgement()
    names = [o.name for o in after["outlook"].opinions]
    assert "drug_offences" in [o.name for o in before["outlook"].opinions] and "drug_offences" not in names
    assert after["outlook"].p != before["outlook"].p
    assert "Not used: drug offences recorded (the regional total includes a country's series that jumps within the " \
           "fitted years" in after["text"]
    assert "Serbia (2021)" in after["text"]
    region = page.trend_row("drug_offences")
    assert page.yardstick_text(region).startswith("none: the regional total includes")
