"""Real data are never complete: flags, censored values, gaps, coverage and optional inputs.

Fast tests (no notebook, no book build). The fixtures reproduce patterns of the public statistics in
shared/data/real: UNODC's "<5", Eurostat's flags, a series break, a country that stops reporting,
trafficking breakdowns that disagree, a folder with statistics only.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from socta.analysis.scoring import weighted_score
from socta.analysis.sensitivity import rank_robustness
from socta.analysis.series import yearly
from socta.core.config import ConfigError, Project
from socta.ingest.coverage import year_ranges
from socta.ingest.reference import Reference
from socta.ingest.validation import validate
from socta.pages.observations import footnote_legend, observation_text
from tests.helpers import DEMO_2016

from .test_validation import find_row, read_rows, set_cell, write_rows

STATS = "statistics.csv"


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference(Project(data_dir=DEMO_2016))


def messages(result) -> list[str]:
    return [str(p) for p in result.problems]


# ---- observation values and status ------------------------------------------------------------

def test_censored_values_lower_bounds_and_status_are_accepted(demo_copy: Path):
    path = demo_copy / STATS
    header, rows = read_rows(path)
    header += ["status", "months"]
    rows = [r + ["", ""] for r in rows]
    write_rows(path, header, rows)
    r1 = find_row(path, country="SRB", year="2020", indicator="drug_offences")
    r2 = find_row(path, country="MNE", year="2024", indicator="drug_offences")
    r3 = find_row(path, country="MKD", year="2016", indicator="drug_offences")
    r4 = find_row(path, country="MKD", year="2024", indicator="thefts")
    set_cell(path, r1, "value", "<5")
    set_cell(path, r2, "value", ">3300")
    set_cell(path, r2, "status", "E")
    set_cell(path, r3, "status", "B|P")
    set_cell(path, r4, "value", "")
    set_cell(path, r4, "status", "O")
    result = validate(Project(data_dir=demo_copy))
    assert result.ok, messages(result)
    stats = result.tables[STATS]
    assert stats.loc[r1 - 2, ["censor", "bound"]].tolist() == ["below", 5.0] and math.isnan(stats.at[r1 - 2, "value"])
    assert stats.loc[r2 - 2, ["censor", "bound", "status"]].tolist() == ["above", 3300.0, "E"]
    assert stats.at[r3 - 2, "status"] == "B|P"
    assert math.isnan(stats.at[r4 - 2, "value"])


@pytest.mark.parametrize("value, status, expected", [
    ("", "", "no value: write the number, '<N' if published as below N, ':' if not available, or leave it empty"),
    ("12", "O", "says the value is missing, but the row has one"),
    ("12", "e", "unknown observation status (did you mean 'E'? codes are capital letters)"),
    ("abc", "", "is not a number; expected a number of 0 or more, '<N'"),
    ("<2.5", "", "is a count: the threshold of '<N' or '>N' must be a whole number"),
])
def test_bad_values_and_statuses_are_explained(demo_copy: Path, value, status, expected):
    path = demo_copy / STATS
    header, rows = read_rows(path)
    write_rows(path, header + ["status"], [r + [""] for r in rows])
    row = find_row(path, country="SRB", year="2020", indicator="drug_offences")
    set_cell(path, row, "value", value)
    set_cell(path, row, "status", status)
    found = [m for m in messages(validate(Project(data_dir=demo_copy))) if f"row {row}," in m]
    assert any(expected in m for m in found), found


def test_a_colon_says_not_available_by_itself(demo_copy: Path):
    path = demo_copy / STATS
    row = find_row(path, country="SRB", year="2020", indicator="drug_offences")
    set_cell(path, row, "value", ":")
    result = validate(Project(data_dir=demo_copy))
    assert result.ok, messages(result)
    assert math.isnan(result.tables[STATS].at[row - 2, "value"])
    assert any("drug_offences SRB 2020" in w for w in result.warnings)


# ---- optional inputs, period, demo copies -------------------------------------------------------

def test_statistics_alone_are_a_valid_dataset_with_warnings(demo_copy: Path):
    for name in ("ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv", "ocg_places.csv", "ocg_relations.csv"):
        (demo_copy / name).unlink()
    result = validate(Project(data_dir=demo_copy))
    assert result.ok, messages(result)
    assert result.tables["ocg_register.csv"].empty
    assert any(w.startswith("expert_assessments.csv: not in the data folder") and "priorities rest on threat alone" in w
               for w in result.warnings)


def test_a_real_folder_with_the_demo_files_is_refused(demo_copy: Path):
    meta = yaml.safe_load((demo_copy / "dataset.yaml").read_text())
    meta["synthetic"] = False
    (demo_copy / "dataset.yaml").write_text(yaml.safe_dump(meta))
    found = messages(validate(Project(data_dir=demo_copy)))
    assert any(m.startswith("ocg_register.csv: is the synthetic demonstration file of data/demo-2016/") for m in found), found


def test_period_in_dataset_yaml_is_honoured_and_checked(demo_copy: Path):
    meta_path = demo_copy / "dataset.yaml"
    meta = yaml.safe_load(meta_path.read_text())
    meta["period"] = [2016, 2023]
    meta_path.write_text(yaml.safe_dump(meta))
    project = Project(data_dir=demo_copy)
    assert project.years == (2016, 2023)
    result = validate(project)
    outside = [w for w in result.warnings if "outside the period 2016–2023" in w]
    assert outside and "2014–2015, 2024" in outside[0]
    meta["period"] = [2014, 2099]
    meta_path.write_text(yaml.safe_dump(meta))
    with pytest.raises(ConfigError, match="period 2014–2099 must run forward within the valid years"):
        Project(data_dir=demo_copy).years


def test_coverage_warnings_are_grouped_not_one_per_row(demo_copy: Path):
    path = demo_copy / STATS
    header, rows = read_rows(path)
    keep = [r for r in rows if not (r[0] == "MKD" and r[1] in ("2020", "2021") and r[2].startswith("drug_seizure"))]
    keep = [r for r in keep if r[2] != "robberies"]
    write_rows(path, header, keep)
    result = validate(Project(data_dir=demo_copy))
    assert result.ok
    text = "\n".join(result.warnings)
    assert "no rows at all for 1 indicator(s): robberies" in text
    assert "drug_seizure_cases MKD 2020–2021" in text and "drug_seizures_kg MKD 2020–2021" in text
    assert len(result.warnings) <= 6, result.warnings


def test_breakdowns_that_do_not_add_up_are_warned(demo_copy: Path):
    path = demo_copy / STATS
    row = find_row(path, country="SRB", year="2019", indicator="thb_victims_form", category="labour")
    old = set_cell(path, row, "value", str(int(read_rows(path)[1][row - 2][5]) + 100))
    assert old
    text = "\n".join(validate(Project(data_dir=demo_copy)).warnings)
    assert "the breakdowns thb_victims_sex, thb_victims_age, thb_victims_form should add up" in text
    assert "SRB 2019" in text


# ---- series: gaps, regional completeness, censored ---------------------------------------------

def stats_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["country", "year", "indicator", "submarket", "category", "value", "status",
                                        "censor", "bound", "months"])
    return frame.astype({"value": float, "bound": float, "months": float})


def test_a_regional_total_needs_every_country(ref):
    spec = ref.indicators.loc["drug_offences"]
    rows = []
    for year in (2020, 2021, 2022):
        for iso3, v in (("SRB", 100), ("MNE", 10), ("MKD", 1)):
            if not (iso3 == "MKD" and year == 2022):
                rows.append((iso3, year, "drug_offences", "", "", v, "", "", np.nan, np.nan))
    s = yearly(stats_frame(rows), spec, ["SRB", "MNE", "MKD"], [2020, 2021, 2022, 2023], ref.observation_status)
    assert s["value"].tolist()[:2] == [111, 111]
    assert s["value"].isna().tolist() == [False, False, True, True]     # 2022: MKD missing; 2023: nobody
    assert s.set_index("year").at[2022, "missing_countries"] == "MKD"
    assert s.set_index("year").at[2023, "missing_countries"] == "MKD|MNE|SRB"


def test_censored_and_part_year_values_are_not_numbers_in_a_fit(ref):
    spec = ref.indicators.loc["drug_offences"]
    rows = [("SRB", 2020, "drug_offences", "", "", np.nan, "", "below", 5, np.nan),
            ("SRB", 2021, "drug_offences", "", "", 12, "P", "", np.nan, np.nan),
            ("SRB", 2022, "drug_offences", "", "", 7, "", "", np.nan, 6)]
    s = yearly(stats_frame(rows), spec, ["SRB"], [2020, 2021, 2022], ref.observation_status).set_index("year")
    assert math.isnan(s.at[2020, "value"]) and s.at[2020, "censor"] == "below" and s.at[2020, "bound"] == 5
    assert s.at[2021, "fit"] and not s.at[2021, "anchor"]                # provisional: fitted, not an anchor
    assert s.at[2022, "value"] == 7 and not s.at[2022, "fit"]            # part-year: shown, never fitted


# ---- printing flagged values ------------------------------------------------------------------

def test_flagged_values_print_as_official_statistics_do(ref):
    status = ref.observation_status
    cases = [
        ({"value": 1234.0, "status": "P", "censor": "", "bound": np.nan, "months": np.nan}, "1,234\u00a0p"),
        ({"value": 17.0, "status": "B|E", "censor": "", "bound": np.nan, "months": np.nan}, "17\u00a0be"),
        ({"value": np.nan, "status": "", "censor": "below", "bound": 5.0, "months": np.nan}, "<5"),
        ({"value": np.nan, "status": "", "censor": "above", "bound": 3300.0, "months": np.nan}, ">3,300"),
        ({"value": np.nan, "status": "O", "censor": "", "bound": np.nan, "months": np.nan}, ":"),
        ({"value": np.nan, "status": "Q", "censor": "", "bound": np.nan, "months": np.nan}, ":\u00a0c"),
        ({"value": 3436.0, "status": "", "censor": "", "bound": np.nan, "months": 4.0}, "3,436\u00a0y"),
    ]
    used = set()
    for row, expected in cases:
        text, marks = observation_text(row, status)
        assert text == expected
        used |= marks
    legend = footnote_legend(used, status)
    assert legend == ("b break in series · c missing value; suppressed · e estimated value · p provisional value · "
                      "y part of the year only · <N published only as below N · >N more than N (a lower bound) · "
                      ": not available")


def test_year_ranges():
    assert year_ranges([2019, 2014, 2015, 2016]) == "2014–2016, 2019"
    assert year_ranges([2020]) == "2020"


# ---- sensitivity treats a missing sub-score as the main score does -----------------------------

def test_sensitivity_with_missing_subscores_matches_the_main_score():
    threat = pd.DataFrame({"a": [4.0, 1.0, np.nan], "b": [np.nan, 1.0, np.nan]}, index=["x", "y", "z"])
    harm = pd.DataFrame({"h": [np.nan, 2.0, np.nan]}, index=["x", "y", "z"])
    tw, hw = pd.Series({"a": 1.0, "b": 1.0}), pd.Series({"h": 1.0})
    # main score: x = threat 100 (b unknown, left out), harm unknown -> priority 100; y = (25 + 50) / 2
    assert weighted_score({"a": 4.0, "b": np.nan}, tw) == 100
    rob = rank_robustness(threat, harm, tw, hw, {"threat": 0.5, "harm": 0.5}, draws=500, concentration=1e6, top=1)
    assert rob.at["x", "p_first"] == 1.0 and rob.at["y", "p_first"] == 0.0
    assert math.isnan(rob.at["z", "p_top"])                              # nothing known: not ranked, not last


def test_the_open_edition_population_is_the_world_banks_as_copied():
    """The open edition's rates divide by the World Bank's SP.POP.TOTL (data/open/raw/README.md, P01), not
    by the approximate demonstration figures: every row equals the raw copy, and each names its source."""
    import hashlib

    import pandas as pd

    from ..helpers import REPO

    raw_path = REPO / "data" / "open" / "raw" / "population_worldbank.csv"
    assert hashlib.sha256(raw_path.read_bytes()).hexdigest() in (REPO / "data/open/raw/README.md").read_text()
    raw = pd.read_csv(raw_path)
    used = pd.read_csv(REPO / "data" / "open" / "reference" / "population.csv")
    merged = used.merge(raw, on=["iso3", "year"], suffixes=("", "_raw"), validate="one_to_one")
    assert len(merged) == len(raw) == 75
    assert (merged["population"] == merged["population_raw"]).all()
    assert used["source"].str.startswith("World Bank, Population, total (SP.POP.TOTL)").all()
    assert merged.set_index(["iso3", "year"]).at[("MNE", 2022), "population"] == 623_591  # SOURCES.md's example
