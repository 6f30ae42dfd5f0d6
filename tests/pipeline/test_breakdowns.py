"""Real breakdowns are rarely complete: some parts are never published, others only as below a level
(``<5``), others lack some years. Every pattern draws and is captioned truthfully: no year is dropped
for one part it lacks, no caption promises a mark that is not drawn, and the area template's cells run
on a data folder with such a breakdown (the crash of issue 21: ``arange: cannot compute length``).
"""
from __future__ import annotations

from pathlib import Path

import jupytext
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socta.core.config import NOTEBOOKS_DIR, Project
from socta.ingest.validation import validate
from socta.pages import render
from socta.pages.area import AreaPage
from socta.process.tables import write_processed

from ..helpers import set_rows
from ..unit.test_findings import make

matplotlib.use("Agg")

INDICATOR = "thb_victims_form"
PARTS = ["sexual", "labour", "begging", "forced_marriage", "other"]
YEARS = list(range(2019, 2025))

# what one part can be in one year, as series.yearly gives it for one country
CELL = st.sampled_from(["value", "missing", "below", "above", "part_year"])


def breakdown(cells: dict[tuple[int, str], str]) -> pd.DataFrame:
    """A by-category yearly frame (the columns of socta.analysis.series.yearly) from a pattern."""
    rows = []
    for (year, part), kind in cells.items():
        value = {"value": 20.0 + year % 7, "part_year": 9.0}.get(kind, np.nan)
        rows.append({"year": year, "category": part, "value": value, "status": "",
                     "censor": {"below": "below", "above": "above"}.get(kind, ""),
                     "bound": {"below": 5.0, "above": 30.0}.get(kind, np.nan),
                     "months": 10.0 if kind == "part_year" else np.nan, "missing_countries": "",
                     "reported": int(kind in ("value", "part_year")), "expected": 1, "fit": kind == "value",
                     "anchor": kind == "value", "breaks": False})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def thb_page(processed) -> AreaPage:
    return make(AreaPage, processed["public"], scope="MNE", area="thb")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=st.lists(CELL, min_size=len(YEARS) * len(PARTS), max_size=len(YEARS) * len(PARTS)))
def test_every_breakdown_pattern_draws_each_known_part_and_marks_the_rest(thb_page, pattern):
    import matplotlib.pyplot as plt

    cells = dict(zip([(y, p) for y in YEARS for p in PARTS], pattern))
    yearly = breakdown(cells)
    fig = thb_page.stacked_figure(INDICATOR, yearly)
    ax = fig.axes[0]
    try:
        known = sum(kind in ("value", "part_year") for kind in cells.values())
        assert len(ax.patches) == known  # one bar segment per part-year published as a number
        marks = {round(text.xy[0]): text.get_text() for text in ax.texts}
        for year in YEARS:
            kinds = [cells[(year, part)] for part in PARTS]
            expected = " ".join(["+<5"] * kinds.count("below") + (["n/a"] if {"missing", "above"} & set(kinds) else []))
            assert marks.get(year, "") == expected, (year, kinds)
        caption = thb_page.indicator_caption(INDICATOR, yearly)
        assert ("+<N" in caption) == ("below" in pattern)
        assert ("“n/a”" in caption) == bool({"missing", "above"} & set(pattern))
        assert "triangle" not in caption  # the stacked bars draw none
        never = [thb_page.part_name(p) for p in PARTS if all(cells[(y, p)] not in ("value", "part_year") for y in YEARS)]
        assert ("Never published as a number" in caption) == bool(never)
        assert all(name in caption for name in never)
    finally:
        plt.close(fig)


def test_a_year_with_one_part_below_5_keeps_the_parts_that_are_known(thb_page):
    # the defect found on UNODC's figures: 28, 21, 29 female victims vanished because male was <5
    cells = {(year, part): "value" for year in YEARS for part in PARTS}
    cells[(2022, "labour")] = "below"
    fig = thb_page.stacked_figure(INDICATOR, breakdown(cells))
    heights = [bar.get_height() for bar in fig.axes[0].patches if round(bar.get_x() + bar.get_width() / 2) == 2022]
    assert len(heights) == len(PARTS) - 1 and all(h > 0 for h in heights)
    assert [t.get_text() for t in fig.axes[0].texts] == ["+<5"]


def real_pattern(row: dict) -> dict | None:
    """Montenegro's forms of exploitation as real publications give them: "other" never published
    (a row with status O and no value, as the validator advises), begging always <5, forced marriage
    missing in two years."""
    if row["country"] != "MNE" or row["indicator"] != INDICATOR:
        return row
    if row["category"] == "other":
        return row | {"value": "", "status": "O"}
    if row["category"] == "begging":
        return row | {"value": "<5"}
    if row["category"] == "forced_marriage" and row["year"] in ("2019", "2022"):
        return None
    return row


def run_area(data_dir: Path, tmp_path: Path, monkeypatch, scope: str, area: str, **parameters):
    """Validate and process ``data_dir``, then run notebooks/area.md's code cells here (no kernel, no
    book): the figures it shows by key (figure, caption), the text it shows, and the validation."""
    project = Project(data_dir=data_dir, build_dir=tmp_path / "build")
    result = validate(project)
    assert result.ok, result.problems[:3]
    processed = write_processed(project, result)["public"]
    shown, figures, sources = [], {}, {}
    monkeypatch.setattr(render, "md", shown.append)

    def figure(self, fig, key, caption, alt, source=None):
        import matplotlib.pyplot as plt

        figures[key] = (fig, caption)
        sources[key] = source
        plt.close(getattr(fig, "figure", fig))
    monkeypatch.setattr(render.Rendering, "figure", figure)
    namespace: dict = {}
    first, last = project.years
    for cell in jupytext.read(NOTEBOOKS_DIR / "area.md").cells:
        if cell.cell_type != "code":
            continue
        exec("\n".join(line for line in cell.source.splitlines() if not line.startswith("%")), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(scope=scope, area=area, processed_dir=str(processed), data_dir=str(data_dir),
                             first_year=first, last_year=last, **parameters)
    figures["sources"] = sources
    return figures, shown, result


def test_the_area_template_builds_a_real_breakdown(demo_copy, tmp_path, monkeypatch):
    set_rows(demo_copy / "statistics.csv", real_pattern)
    figures, _, result = run_area(demo_copy, tmp_path, monkeypatch, "MNE", "thb")
    first, last = Project(data_dir=demo_copy).years
    fig, caption = figures[INDICATOR]
    ax = fig.axes[0]
    # every year keeps a bar of the parts known: sexual and labour every year, forced marriage but two
    years = last - first + 1
    assert len(ax.patches) == 2 * years + (years - 2)
    assert {t.get_text() for t in ax.texts} == {"+<5 n/a"}
    assert "Never published as a number in these years: Begging, Other." in caption
    assert "+<N" in caption and "triangle" not in caption
    # validate does not call an indicator with rows "no data at all"
    assert not any("no rows at all" in w and INDICATOR in w for w in result.warnings)


def test_a_region_with_a_country_that_never_reports_draws_the_countries_that_do(demo_copy, tmp_path, monkeypatch):
    set_rows(demo_copy / "statistics.csv",
             lambda row: None if row["country"] == "MKD" and row["indicator"] == "drug_offences" else row)
    figures, shown, _ = run_area(demo_copy, tmp_path, monkeypatch, "region", "drugs")
    fig, caption = figures["drug_offences"]
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["Montenegro", "Serbia"]
    assert "by country" in caption and "not every country reported" in caption and "North Macedonia" in caption
    assert not any("No data on drug offences" in text for text in shown)


def test_a_rate_without_a_population_year_is_not_drawn_and_the_caption_says_so(demo_copy, tmp_path, monkeypatch):
    from ..helpers import REPO

    (demo_copy / "reference").mkdir(exist_ok=True)
    population = pd.read_csv(REPO / "data" / "reference" / "population.csv")
    population = population[~(population["iso3"].eq("SRB") & population["year"].isin([2023, 2024]))]
    population.to_csv(demo_copy / "reference" / "population.csv", index=False)
    figures, _, result = run_area(demo_copy, tmp_path, monkeypatch, "region", "drugs")
    assert any("population.csv: no population for SRB 2023–2024" in w for w in result.warnings)
    headline = next(key for key in figures if key.endswith("-by-country"))
    _, caption = figures[headline]
    assert "No population figure for Serbia (2023–2024): no rate for those years." in caption


def test_every_statistics_figure_and_table_names_its_publishers(demo_copy, tmp_path, monkeypatch):
    from socta.pages.formatting import publisher

    figures, shown, _ = run_area(demo_copy, tmp_path, monkeypatch, "region", "drugs")
    sources = figures["sources"]
    ministries = [f"Ministry of Interior of {c}" for c in ("Montenegro", "North Macedonia", "Serbia")]
    for key in ("drug_offences", "drug_seizures_kg", "drug_offences-by-country"):
        assert sources[key].startswith("Source: " + "; ".join(ministries) + ", in the dataset"), sources[key]
    tables = [text for text in shown if text.startswith("```{table}")]
    assert tables and all("Ministry of Interior of Serbia" in text for text in tables)
    assert publisher("UNODC, World Drug Report 2024, statistical annex") == "UNODC"
    assert publisher("UNODC Crime Trends Survey (CTS), police-recorded offences") == "UNODC Crime Trends Survey"
    assert publisher("Frontex, monthly detections of illegal border crossings") == "Frontex"
    assert publisher("A" * 30 + " " + "B" * 40 + ", x").endswith("…")
