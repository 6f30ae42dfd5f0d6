"""Observation status (SDMX CL_OBS_STATUS codes joined as ``B|P``): which cells carry a number."""
from __future__ import annotations

import pandas as pd


def status_codes(status: str) -> list[str]:
    """``"B|P"`` → ``["B", "P"]``; empty → ``[]`` (a normal value)."""
    return [c for c in str(status or "").split("|") if c]


def _has_code(statuses: pd.Series, codes: set[str]) -> pd.Series:
    """Which status cells hold one of ``codes``; each distinct cell is split once (a national table
    has hundreds of thousands of rows but a handful of distinct status cells)."""
    text = statuses.fillna("").astype(str)
    lookup = {cell: bool(codes & set(status_codes(cell))) for cell in text.unique()}
    return text.map(lookup).astype(bool)


def has_number(rows: pd.DataFrame, status: pd.DataFrame) -> pd.Series:
    """Which statistics rows hold a usable number: a value, not censored (``<N``/``>N``), and no
    missing-value status. The one rule for "there is a value here"."""
    missing_codes = set(status.index[status["missing"]])
    return rows["value"].notna() & rows["censor"].fillna("").eq("") & ~_has_code(rows["status"], missing_codes)
