"""The output checks on the processed tables (socta/process/checks.py): every table declared once,
held to its key, columns, emptiness and ranges before it replaces the previous one."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from socta.core.config import Project
from socta.ingest.reference import Reference
from socta.ingest.validation import validate
from socta.pages.data import one_row
from socta.process import tables as processing
from socta.process.checks import (
    EXPECTED,
    Expansions,
    ProcessedTableError,
    check_edition,
    check_editions,
)

from ..conftest import DEMO_DIR, copy_demo
from ..helpers import REPO

OPEN = REPO / "data" / "open"


def names(project) -> Expansions:
    return Expansions.of(project, Reference(project))


def edited(tables: dict, audience: str, name: str, change) -> dict:
    """A copy of the editions' tables with one table changed by ``change(frame) -> frame``."""
    out = {a: dict(t) for a, t in tables.items()}
    out[audience][name] = change(tables[audience][name].copy())
    return out


def failure_text(demo_processing, editions) -> str:
    with pytest.raises(ProcessedTableError) as caught:
        check_editions(editions, demo_processing.result.tables, names(demo_processing.project))
    return str(caught.value)


def test_every_table_socta_writes_is_declared_and_the_demo_passes(demo_processing):
    found = {a: sorted(t) for a, t in demo_processing.tables.items()}
    assert set(found["restricted"]) == set(EXPECTED)
    for audience, editions in demo_processing.tables.items():
        assert check_edition(audience, editions, demo_processing.result.tables, names(demo_processing.project)) == []


def test_a_duplicated_key_fails_naming_the_table_the_check_and_the_rows(demo_processing):
    def twice(frame):
        return pd.concat([frame, frame.iloc[[3]]], ignore_index=True)

    text = failure_text(demo_processing, edited(demo_processing.tables, "public", "ocg_aggregates", twice))
    row = demo_processing.tables["public"]["ocg_aggregates"].iloc[3]
    assert "public edition, table 'ocg_aggregates', check 'unique keys'" in text, text
    assert "2 rows share a key (scope, area)" in text
    assert "first offending rows" in text and row["scope"] in text and row["area"] in text
    assert "bug in socta" in text and "not a problem of the data" in text and "reference configuration" not in text
    assert "Nothing was written" in text


def test_a_dropped_column_fails(demo_processing):
    text = failure_text(demo_processing, edited(demo_processing.tables, "restricted", "area_scores",
                                                lambda f: f.drop(columns=["priority"])))
    assert "restricted edition, table 'area_scores', check 'columns': missing column(s) priority" in text, text


def test_a_dropped_band_column_fails(demo_processing):
    text = failure_text(demo_processing, edited(demo_processing.tables, "public", "ocg_profiles",
                                                lambda f: f.drop(columns=["band_high"])))
    assert "table 'ocg_profiles', check 'columns': missing column(s) band_high" in text, text


def test_an_empty_table_from_inputs_with_rows_fails(demo_processing):
    text = failure_text(demo_processing, edited(demo_processing.tables, "public", "statistics", lambda f: f.iloc[0:0]))
    assert "public edition, table 'statistics', check 'empty': the table is empty, though statistics.csv has rows" \
        in text, text
    text = failure_text(demo_processing, edited(demo_processing.tables, "public", "trends", lambda f: f.iloc[0:0]))
    assert "table 'trends', check 'empty'" in text, text
    assert "bug in socta or in the reference configuration" in text
    assert "reference configuration: countries.csv, indicators.csv" in text


def test_a_restricted_column_in_the_public_folder_fails(demo_processing):
    graded = demo_processing.tables["restricted"]["statistics"]["grade"]
    text = failure_text(demo_processing, edited(demo_processing.tables, "public", "statistics",
                                                lambda f: f.assign(grade=graded.to_numpy())))
    assert "public edition, table 'statistics', check 'restricted column': the public edition holds the " \
           "restricted column(s) grade" in text, text
    text = failure_text(demo_processing, {**demo_processing.tables, "public": {
        **demo_processing.tables["public"], "ocg_register": demo_processing.tables["restricted"]["ocg_register"]}})
    assert "public edition, table 'ocg_register', check 'tables': the table is for the restricted edition only" in text


def test_a_missing_scope_and_area_fails(demo_processing):
    """A page takes the row of a scope and area with ``.iloc[0]``: every one must be there."""
    text = failure_text(demo_processing, edited(demo_processing.tables, "public", "area_scores",
                                                lambda f: f[~(f["scope"].eq("MKD") & f["area"].eq("drugs"))]))
    assert "public edition, table 'area_scores', check 'complete': 1 of the 24 combinations of scope, area have no " \
           "row" in text, text
    assert "MKD" in text and "drugs" in text


def test_one_row_names_what_is_missing():
    frame = pd.DataFrame({"scope": ["SRB", "MNE"], "value": [1, 2]})
    assert one_row(frame[frame["scope"].eq("SRB")], "the SRB row")["value"] == 1
    assert one_row(frame[frame["scope"].eq("MKD")], "the MKD row", required=False) is None
    with pytest.raises(LookupError, match="no row of the MKD row"):
        one_row(frame[frame["scope"].eq("MKD")], "the MKD row")
    with pytest.raises(LookupError, match="2 rows of every row"):
        one_row(frame, "every row")


def test_a_score_out_of_its_range_fails(demo_processing):
    text = failure_text(demo_processing, edited(demo_processing.tables, "restricted", "area_scores",
                                                lambda f: f.assign(harm_social=f["harm_social"] + 5)))
    assert "table 'area_scores', check 'range'" in text and "harm_social outside 0 to 4" in text, text


def test_a_failed_check_leaves_the_previous_folder_as_it_was(demo_processing, tmp_path, monkeypatch):
    project = Project(data_dir=DEMO_DIR, build_dir=tmp_path)
    computed = demo_processing.tables
    monkeypatch.setattr(processing, "processed_tables", lambda *args: computed)
    folders = processing.write_processed(project, demo_processing.result)
    before = {p: p.read_bytes() for folder in folders.values() for p in sorted(folder.iterdir())}
    broken = edited(computed, "restricted", "evidence", lambda f: pd.concat([f, f], ignore_index=True))
    monkeypatch.setattr(processing, "processed_tables", lambda *args: broken)
    with pytest.raises(ProcessedTableError, match="table 'evidence', check 'unique keys'"):
        processing.write_processed(project, demo_processing.result)
    after = {p: p.read_bytes() for folder in folders.values() for p in sorted(folder.iterdir())}
    assert after == before
    assert sorted(p.name for p in tmp_path.joinpath("processed").iterdir()) == ["public", "restricted"]


def test_the_open_data_pass(open_processed):
    # the session's open data, processed by write_processed: the checks ran on the way out
    geography = pd.read_parquet(open_processed["public"] / "ocg_geography.parquet")
    assert geography.empty and list(geography.columns) == ["scope", "measure", "code", "groups", "suppressed"]


def _drop_rows(path: Path, column: str, value: str) -> None:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    where = rows[0].index(column)
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([rows[0], *[r for r in rows[1:] if r[where] != value]])


def test_a_data_folder_with_holes_passes(tmp_path):
    """A country missing from every file, and the OCG answers missing altogether: the tables made
    from them may be empty or thin, and pass."""
    data = copy_demo(tmp_path / "data")
    for name in ("statistics.csv", "expert_assessments.csv", "ocg_register.csv"):
        _drop_rows(data / name, "country", "MNE")
    for name in ("ocg_places.csv", "ocg_relations.csv"):   # the rows of Montenegro's groups go with them
        lines = (data / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (data / name).write_text("".join(line for line in lines if "MNE-OCG" not in line), encoding="utf-8")
    (data / "ocg_answers.csv").unlink()
    project = Project(data_dir=data, build_dir=tmp_path / "build")
    result = validate(project)
    assert result.ok, [str(p) for p in result.problems]
    folders = processing.write_processed(project, result)
    assert pd.read_parquet(folders["restricted"] / "ocg_contributions.parquet").empty
    assert not pd.read_parquet(folders["restricted"] / "ocg_register.parquet").empty


def test_a_rounded_score_may_lie_half_a_step_beyond_its_range_and_text_is_not_a_number(demo_processing):
    step = names(demo_processing.project).step
    scores = demo_processing.tables["public"]["area_scores"]
    high = next(high for column, (low, high) in EXPECTED["area_scores"].ranges.items() if column == "threat")

    def beyond(by: float, precision: str):
        def change(frame):
            frame = frame.copy()
            frame["threat"] = frame["threat"].astype("float64")
            frame.loc[frame.index[0], ["threat", "score_precision"]] = [high + by, precision]
            return frame
        return edited(demo_processing.tables, "public", "area_scores", change)

    assert step > 0 and len(scores)
    names_ = names(demo_processing.project)
    rounded = beyond(step / 2 - 1e-6, "rounded")                       # within half a step: passes
    assert check_edition("public", rounded["public"], demo_processing.result.tables, names_) == []
    text = failure_text(demo_processing, beyond(step / 2 - 1e-6, "exact"))  # exact: no slack
    assert "check 'range'" in text and "threat outside" in text, text
    text = failure_text(demo_processing, edited(demo_processing.tables, "public", "area_scores",
                                                lambda f: f.assign(threat=f["threat"].astype(object).where(
                                                    f.index != f.index[0], "high"))))
    assert "1 value(s) of threat are not numbers" in text, text
