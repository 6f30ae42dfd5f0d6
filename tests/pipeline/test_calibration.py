"""Calibration measured, not assumed: the shipped map on a simulation it was not fitted on, and `socta backtest`
on the demo and on the open data (real series with real gaps)."""
from __future__ import annotations

from socta import cli
from socta.analysis.backtest import band_table, scores, simulate
from socta.analysis.calibration import shipped_map
from socta.core.config import Project
from socta.ingest.reference import Reference

from ..helpers import DEMO_2016, REPO

YARDSTICK = Reference(Project(data_dir=DEMO_2016)).yardstick


def test_the_shipped_calibration_holds_within_five_points_on_a_simulation_it_was_not_fitted_on():
    forecasts = simulate(1500, 4242, None, shipped_map())
    bands = band_table(forecasts, YARDSTICK)
    counted = bands[bands["forecasts"] >= 80]          # a band's frequency from fewer forecasts is noise
    assert len(counted) >= 5, bands
    assert counted["within_5"].all(), bands
    # the model's own probabilities are over-confident: that is what the map corrects
    raw = band_table(forecasts, YARDSTICK, "p_raw")
    assert not raw[raw["forecasts"] >= 80]["within_5"].all(), raw
    assert scores(forecasts)["skill_climatology"] > 0.2


def run(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_socta_backtest_prints_skill_and_reliability_per_term_for_the_demo_and_the_open_data(capsys, tmp_path):
    code, text = run(capsys, "backtest", "--data", REPO / "data" / "demo-2016", "--out", tmp_path / "forecasts.csv")
    assert code == 0, text
    assert "Brier score" in text and "against climatology" in text and "highly likely" in text
    assert (tmp_path / "forecasts.csv").read_text(encoding="utf-8").startswith("source,scope,indicator,kind,origin")
    code, text = run(capsys, "backtest", "--data", REPO / "data" / "open")
    assert code == 0, text
    assert "forecasts," in text and "PIT of next year's value" in text


def test_socta_backtest_simulates_and_says_raw_and_calibrated(capsys):
    code, text = run(capsys, "backtest", "--no-data", "--simulate", "120", "--seed", "7")
    assert "raw probabilities" in text and "calibrated" in text and code in (0, 1)
