"""Yearly series as the data support them: gaps stay gaps, flags travel with the values.

One function, :func:`yearly`, turns the long statistics table into the series a page draws, a
table prints and a trend is fitted to, for one country or for several (the region). Its rules:

- Every year of the window gets a row, so a year with no data is a gap (``value`` NA), never 0.
- A total (over countries, sub-markets or categories) is given only when **every** cell it adds up
  has a value: a sum over what happens to be present would fall whenever a country is late. An
  incomplete year keeps ``value`` NA and names what is missing in ``missing_countries``.
- A value published as ``<N`` (censored) or ``>N`` (a lower bound) is not a number: ``value`` is NA
  and ``censor``/``bound`` say what is known, so a figure can draw it as censored.
- Observation-status codes (SDMX CL_OBS_STATUS) of the cells are joined in ``status``; a part-year
  figure keeps ``months``; ``fit`` and ``anchor`` say whether the year may enter a trend fit and be
  the starting point of a projection (from ``observation_status.csv``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CELL_KEYS = ("country", "submarket", "category")


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


def _expected_cells(spec: pd.Series, countries: list[str], years: list[int]) -> pd.DataFrame:
    """Every (country, year, sub-market, category) cell the indicator should have."""
    subs = list(spec["submarket_list"]) or [""]
    cats = list(spec["category_list"]) or [""]
    index = pd.MultiIndex.from_product([countries, years, subs, cats], names=["country", "year", "submarket", "category"])
    return index.to_frame(index=False)


def yearly(stats: pd.DataFrame, spec: pd.Series, countries: list[str], years, status: pd.DataFrame,
           by: str | None = None) -> pd.DataFrame:
    """The yearly series of one indicator (``spec``: its row of ``indicators``) over ``countries``.

    ``by``: ``None`` for the total, or ``submarket``, ``category`` or ``country`` for one line per
    value of it. Columns: year, [by], value, status, censor, bound, months, missing_countries,
    reported, expected, fit, anchor, breaks.
    """
    years = [int(y) for y in years]
    keys = ["year"] + ([by] if by else [])
    cells = _expected_cells(spec, list(countries), years)
    s = stats[stats["indicator"].eq(spec.name) & stats["country"].isin(countries) & stats["year"].isin(years)]
    columns = ["country", "year", "submarket", "category", "value", "status", "censor", "bound", "months"]
    s = s.reindex(columns=columns)
    s["year"] = s["year"].astype(int)
    cells = cells.merge(s, on=["country", "year", "submarket", "category"], how="left")
    cells["status"] = cells["status"].fillna("").astype(str)
    cells["censor"] = cells["censor"].fillna("").astype(str)
    cells["months"] = pd.to_numeric(cells["months"], errors="coerce")
    no_fit = set(status.index[~status["fit"]])
    no_anchor = set(status.index[~status["anchor"]])
    breaking = set(status.index[status["breaks_series"]])
    has_value = has_number(cells, status)
    cells["has_value"] = has_value
    cells["whole_year"] = cells["months"].isna()
    cells["fit_ok"] = has_value & cells["whole_year"] & ~_has_code(cells["status"], no_fit)
    cells["anchor_ok"] = cells["fit_ok"] & ~_has_code(cells["status"], no_anchor)
    cells["breaks"] = _has_code(cells["status"], breaking)
    cells["value"] = cells["value"].where(has_value)

    # one pass of built-in aggregations (no Python function per group: a regional series of 50
    # countries is fitted for every indicator and scope)
    grouped = cells.groupby(keys, sort=True)
    out = grouped.agg(
        expected=("has_value", "size"), reported=("has_value", "sum"),
        fit=("fit_ok", "all"), anchor=("anchor_ok", "all"), breaks=("breaks", "any"),
        months=("months", "min"), first_censor=("censor", "first"), first_bound=("bound", "first"),
    )
    # Series.sum, as before, not the grouped (compensated) sum: the same totals to the last bit
    out["total"] = grouped["value"].agg(lambda v: v.sum(min_count=1))
    out["censored"] = cells["censor"].ne("").groupby([cells[k] for k in keys], sort=True).any() if len(cells) else False
    lacking = cells.loc[~cells["has_value"], list(dict.fromkeys(keys + ["country"]))].drop_duplicates().sort_values("country")
    missing = lacking.groupby(keys, sort=True)["country"].agg("|".join) if len(lacking) else pd.Series(dtype=str)
    out["missing_countries"] = missing.reindex(out.index).fillna("").astype(str) if len(out) else ""
    flagged = cells[cells["status"].ne("")]
    exploded = pd.DataFrame({**{k: flagged[k] for k in keys}, "code": flagged["status"].map(status_codes)})
    exploded = exploded.explode("code").dropna(subset=["code"])
    exploded = exploded[exploded["code"].ne("")].drop_duplicates().sort_values("code")
    joined = exploded.groupby(keys, sort=True)["code"].agg("|".join) if len(exploded) else pd.Series(dtype=str)
    out["status"] = joined.reindex(out.index).fillna("").astype(str) if len(out) else ""
    # censoring is kept only where one published cell stands alone (one country, one sub-series)
    single = out["expected"].eq(1)
    out["censor"] = np.where(single, out["first_censor"].fillna("").astype(str),
                             np.where(out["censored"].astype(bool), "mixed", ""))
    out["bound"] = pd.to_numeric(out["first_bound"].where(single), errors="coerce")
    out = out.reset_index()
    complete = out["reported"].eq(out["expected"])
    out["value"] = out["total"].where(complete)
    out["fit"] = out["fit"] & complete
    out["anchor"] = out["anchor"] & complete
    return out.drop(columns="total")[keys + ["value", "status", "censor", "bound", "months", "missing_countries",
                                             "reported", "expected", "fit", "anchor", "breaks"]]
