"""What the statistics cover, and what they do not: grouped warnings for ``socta validate``.

Real data are never complete. Nothing here is an error: the assessment runs on what exists, and
these warnings tell the analyst, in a few grouped lines, where the holes are, so a missing year is
a known gap and not a surprise on page 40.
"""
from __future__ import annotations

import pandas as pd

from .config import Project
from .reference import Reference
from .series import has_number, status_codes

MAX_SHOWN = 6  # groups listed per warning; the rest are counted


def year_ranges(years) -> str:
    """``[2014, 2015, 2016, 2019]`` → ``"2014–2016, 2019"``."""
    years = sorted({int(y) for y in years})
    parts, start = [], None
    for i, y in enumerate(years):
        if start is None:
            start = y
        if i + 1 == len(years) or years[i + 1] != y + 1:
            parts.append(str(start) if start == y else f"{start}–{y}")
            start = None
    return ", ".join(parts)


def _shown(items: list[str]) -> str:
    more = len(items) - MAX_SHOWN
    return "; ".join(items[:MAX_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def cell_coverage(stats: pd.DataFrame, ref: Reference, first: int, last: int) -> pd.DataFrame:
    """One row per country × indicator × year of the period with ``has_value``: every expected
    sub-series of that year has a usable number (not missing, not censored)."""
    s = stats[stats["year"].between(first, last)].copy()
    s["usable"] = has_number(s, ref.observation_status)
    got = s.groupby(["country", "indicator", "year"])["usable"].agg(["sum", "size"]).reset_index()
    expected = {i: max(len(spec["submarket_list"]), 1) * max(len(spec["category_list"]), 1)
                for i, spec in ref.indicators.iterrows()}
    grid = pd.MultiIndex.from_product([list(ref.countries.index), list(ref.indicators.index), range(first, last + 1)],
                                      names=["country", "indicator", "year"]).to_frame(index=False)
    grid = grid.merge(got, on=["country", "indicator", "year"], how="left")
    grid["has_value"] = grid["sum"].fillna(0).astype(int).eq(grid["indicator"].map(expected))
    grid["has_rows"] = grid["size"].fillna(0).gt(0)
    return grid.drop(columns=["sum", "size"])


def coverage_warnings(project: Project, ref: Reference, tables: dict[str, pd.DataFrame]) -> list[str]:
    stats = tables.get("statistics.csv")
    if stats is None:
        return []
    first, last = project.years
    out: list[str] = []
    outside = stats[~stats["year"].between(first, last)]
    if len(outside):
        by_year = outside["year"].value_counts().sort_index()
        out.append(f"statistics.csv: {len(outside)} row(s) fall outside the period {first}–{last} "
                   f"({year_ranges(by_year.index)}) and are not used; widen 'period' in dataset.yaml to use them.")
    grid = cell_coverage(stats, ref, first, last)
    total = len(grid)
    holes = grid[~grid["has_value"]]
    if len(holes):
        out.append(f"statistics.csv: {len(holes)} of {total} country × indicator × year cells of {first}–{last} have "
                   "no complete value; pages show them as gaps, totals leave those years out, and confidence is lower.")
        empty_indicators = [i for i, g in grid.groupby("indicator") if not g["has_value"].any()]
        if empty_indicators:
            out.append(f"  no data at all for {len(empty_indicators)} indicator(s): {', '.join(empty_indicators)}; "
                       "their pages say so.")
        groups = []
        for (indicator, country), g in holes[~holes["indicator"].isin(empty_indicators)].groupby(["indicator", "country"]):
            groups.append(f"{indicator} {country} {year_ranges(g['year'])}")
        if groups:
            out.append(f"  missing or incomplete: {_shown(groups)}.")
    flags = _flag_counts(stats[stats["year"].between(first, last)], ref)
    if flags:
        out.append(f"statistics.csv: flagged values: {', '.join(flags)}; tables footnote them and trends treat them "
                   "as the methodology chapter says.")
    out.extend(_breakdown_mismatches(stats[stats["year"].between(first, last)], ref))
    return out


def _flag_counts(stats: pd.DataFrame, ref: Reference) -> list[str]:
    found = []
    censor = stats["censor"].fillna("")
    if censor.eq("below").any():
        found.append(f"{int(censor.eq('below').sum())} published below a threshold (<N)")
    if censor.eq("above").any():
        found.append(f"{int(censor.eq('above').sum())} lower bounds (>N)")
    if stats["months"].notna().any():
        found.append(f"{int(stats['months'].notna().sum())} part-year figures")
    codes = stats["status"].fillna("").astype(str).map(status_codes).explode().dropna()
    for code, n in codes[codes.ne("")].value_counts().sort_index().items():
        name = ref.observation_status.at[code, "name_en"].lower() if code in ref.observation_status.index else code
        found.append(f"{n} {code} ({name})")
    return found


def _breakdown_mismatches(stats: pd.DataFrame, ref: Reference) -> list[str]:
    """Breakdowns of the same thing (indicators of one area and unit, each split into categories, such as
    victims by sex and by age) should add up to the same total in every country and year."""
    ind = ref.indicators[ref.indicators["category_list"].map(len) > 0]
    out = []
    for (_, unit), group in ind.groupby(["area_id", "unit"]):
        if len(group) < 2:
            continue
        sums = (stats[stats["indicator"].isin(group.index)]
                .groupby(["country", "year", "indicator"])["value"].sum(min_count=1).unstack("indicator"))
        sums = sums.dropna()
        if sums.empty:
            continue
        disagree = sums[sums.nunique(axis=1) > 1]
        if len(disagree):
            shown = [f"{c} {y}: " + " vs ".join(f"{i} {v:g}" for i, v in row.items()) for (c, y), row in disagree.iterrows()]
            out.append(f"statistics.csv: the breakdowns {', '.join(group.index)} should add up to the same total of "
                       f"{unit}, but differ in {len(disagree)} country-year(s): {_shown(shown)}.")
    return out
