"""The calibration map: from the count model's probability to one that means what it says.

The model's probabilities come from its own assumptions (a log-linear trend, the dispersion it
estimates); in simulated series with known truth they were over-confident (events given 80–90% happened
about 70% of the time). The map is a monotone function fitted by isotonic regression (pool adjacent
violators) of the events on the raw probabilities of a simulation (:func:`socta.analysis.backtest.simulate`),
kept as the ends of its steps (rounded to a tenth of a point) and applied by linear interpolation between
them. It is fitted
by ``socta backtest --simulate N --write-calibration`` and shipped with the package (``calibration.csv``);
``judgement.calibrate: false`` in settings.yaml uses the raw probabilities instead.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from socta.core.tableio import write_atomic

MAP_FILE = Path(__file__).with_name("calibration.csv")
# the map's check on an independent simulation, per yardstick term (socta.analysis.backtest.band_table, and
# fitted_on: the forecasts the map was fitted on): what the methodology chapter prints
CHECK_FILE = Path(__file__).with_name("calibration_check.csv")

@lru_cache(maxsize=1)
def shipped_map() -> pd.DataFrame | None:
    """The map shipped with the package (columns raw_pct, calibrated_pct), or None when there is none."""
    if not MAP_FILE.is_file():
        return None
    frame = pd.read_csv(MAP_FILE, comment="#")
    return frame[["raw_pct", "calibrated_pct"]].astype(float)


@lru_cache(maxsize=1)
def shipped_check() -> pd.DataFrame | None:
    """The shipped map's check on a second simulation, one row per term, or None when there is none."""
    if not CHECK_FILE.is_file():
        return None
    return pd.read_csv(CHECK_FILE, comment="#", keep_default_na=False, na_values=[""])


def calibrate(p: float, calibration: pd.DataFrame | None) -> float:
    """``p`` through the map (None: unchanged)."""
    if calibration is None or not np.isfinite(p):
        return float(p)
    return float(np.interp(100 * p, calibration["raw_pct"], calibration["calibrated_pct"]) / 100)


def fit_map(p_raw, events) -> pd.DataFrame:
    """The monotone map from raw probabilities to observed frequencies: the first and last raw
    probability of each step of the isotonic fit, with the step's frequency."""
    from scipy.optimize import isotonic_regression

    x = np.round(100 * np.asarray(p_raw, dtype=float), 1)
    y = np.asarray(events, dtype=float)
    # one point per distinct raw probability, weighted by its forecasts: ties cannot be ordered
    distinct, where, count = np.unique(x, return_inverse=True, return_counts=True)
    share = np.bincount(where, weights=y) / count
    fitted = np.round(100 * isotonic_regression(share, weights=count, increasing=True).x, 2)
    steps = np.flatnonzero(np.diff(fitted)) + 1
    edges = sorted({0, len(distinct) - 1, *steps, *(steps - 1)})
    frame = pd.DataFrame({"raw_pct": distinct[edges], "calibrated_pct": fitted[edges]})
    # flat beyond the data's ends
    return pd.concat([pd.DataFrame({"raw_pct": [0.0], "calibrated_pct": [frame["calibrated_pct"].iloc[0]]}), frame,
                      pd.DataFrame({"raw_pct": [100.0], "calibrated_pct": [frame["calibrated_pct"].iloc[-1]]})]
                     ).drop_duplicates("raw_pct").reset_index(drop=True)


def write_table(frame: pd.DataFrame, path: Path, note: str) -> None:
    """Write a map or its check, atomically, with a comment line saying how it was made."""
    write_atomic(path, (f"# {note}\n" + frame.to_csv(index=False, lineterminator="\n")).encode("utf-8"))
