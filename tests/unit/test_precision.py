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

from .test_breakdowns import set_rows

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
