"""What the statistics cover, and what they do not: grouped warnings for ``socta validate``.

Real data are never complete. Nothing here is an error: the assessment runs on what exists, and
these warnings tell the analyst, in a few grouped lines, where the holes are, so a missing year is
a known gap and not a surprise on page 40.
"""
from __future__ import annotations

import pandas as pd

from socta.core.config import Project
from socta.core.text import listed
from socta.ingest.reference import Reference
from socta.ingest.status import has_number, status_codes

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
    return listed(items, MAX_SHOWN)


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


def period_warning(project: Project, stats: pd.DataFrame) -> list[str]:
    """Rows dated outside ``dataset.yaml`` ``period``: kept, not used (rows after it are also problems)."""
    if "year" not in stats or stats.empty:
        return []
    first, last = project.years
    year = pd.to_numeric(stats["year"], errors="coerce")
    outside = year[year.notna() & ~year.between(first, last)]
    if not len(outside):
        return []
    return [f"statistics.csv: {len(outside)} row(s) fall outside the period {first}–{last} "
            f"({year_ranges(outside.unique())}) and are not used; widen 'period' in dataset.yaml to use them."]


def coverage_warnings(project: Project, ref: Reference, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Grouped warnings on what the statistics of the period cover (rows outside the period are
    counted by :func:`period_warning`)."""
    stats = tables.get("statistics.csv")
    if stats is None:
        return []
    first, last = project.years
    out: list[str] = []
    grid = cell_coverage(stats, ref, first, last)
    total = len(grid)
    holes = grid[~grid["has_value"]]
    if len(holes):
        out.append(f"statistics.csv: {len(holes)} of {total} country × indicator × year cells of {first}–{last} have "
                   "no complete value; pages show them as gaps, totals leave those years out, and confidence is lower.")
        by_indicator = grid.groupby("indicator")[["has_value", "has_rows"]].any()
        empty_indicators = list(by_indicator.index[~by_indicator["has_value"]])
        no_rows = [i for i in empty_indicators if not by_indicator.at[i, "has_rows"]]
        partial = [i for i in empty_indicators if by_indicator.at[i, "has_rows"]]
        if no_rows:
            out.append(f"  no rows at all for {len(no_rows)} indicator(s): {', '.join(no_rows)}; their pages say so.")
        if partial:  # rows, but no year complete: parts never published or only <N; pages draw what is known
            out.append(f"  no year with every part known for {len(partial)} indicator(s): {', '.join(partial)} "
                       "(parts missing or published only as <N); pages show the parts that are known and mark the rest.")
        rest = holes[~holes["indicator"].isin(empty_indicators)]
        groups = [f"{indicator} {country} {year_ranges(years)}"
                  for (indicator, country), years in rest.groupby(["indicator", "country"])["year"]]
        if groups:
            out.append(f"  missing or incomplete: {_shown(groups)}.")
    in_period = stats[stats["year"].between(first, last)]
    out.extend(_missing_sub_series(in_period, ref))
    flags = _flag_counts(in_period, ref)
    if flags:
        out.append(f"statistics.csv: flagged values: {', '.join(flags)}; tables footnote them and trends treat them "
                   "as the methodology chapter says.")
    out.extend(_breakdown_mismatches(in_period, ref))
    out.extend(_population_gaps(grid, ref))
    return out


def _population_gaps(grid: pd.DataFrame, ref: Reference) -> list[str]:
    """Country-years with statistics but no row in population.csv: no rate per 100,000 can be
    computed for them, and pages would otherwise drop those years from every rate in silence."""
    with_rows = grid.loc[grid["has_rows"], ["country", "year"]].drop_duplicates()
    population = ref.population
    known = set(zip(population["iso3"], pd.to_numeric(population["year"], errors="coerce")))
    lacking = with_rows[[(c, y) not in known for c, y in zip(with_rows["country"], with_rows["year"])]]
    if lacking.empty:
        return []
    groups = [f"{country} {year_ranges(years)}" for country, years in lacking.groupby("country")["year"]]
    return [f"population.csv: no population for {_shown(groups)}; those years have no rate per 100,000 inhabitants "
            "(the captions say so). Add a row per country and year (iso3, year, population, source)."]


def _missing_sub_series(stats: pd.DataFrame, ref: Reference) -> list[str]:
    """Country-years that have some rows of an indicator but not one for each of its sub-markets or
    categories: the data dictionary wants one row per sub-series (an empty value with status O if
    it is not known), and a total over the others would be too small."""
    ind = ref.indicators[(ref.indicators["submarket_list"].map(len) + ref.indicators["category_list"].map(len)) > 0]
    s = stats.loc[stats["indicator"].isin(ind.index), ["country", "year", "indicator", "submarket", "category"]]
    if s.empty:
        return []
    expected = {i: {(a, b) for a in (spec["submarket_list"] or [""]) for b in (spec["category_list"] or [""])}
                for i, spec in ind.iterrows()}
    valid = pd.DataFrame([(i, a, b) for i, cells in expected.items() for a, b in cells],
                         columns=["indicator", "submarket", "category"])
    s = s.drop_duplicates().merge(valid, on=["indicator", "submarket", "category"], how="inner")
    counts = s.groupby(["indicator", "country", "year"]).size()
    need = counts.index.get_level_values("indicator").map(lambda i: len(expected[i]))
    short = counts[counts.to_numpy() < need.to_numpy()]
    if short.empty:
        return []
    found = []
    for n, (indicator, country, year) in enumerate(short.index):
        if n >= MAX_SHOWN:
            found.append("")  # counted, not named
            continue
        rows = s[s["indicator"].eq(indicator) & s["country"].eq(country) & s["year"].eq(year)]
        lacking = sorted(expected[indicator] - set(zip(rows["submarket"], rows["category"])))
        names = ", ".join("/".join(p for p in pair if p) for pair in lacking)
        found.append(f"{indicator} {country} {int(year)} (no row for {names})")
    return [f"statistics.csv: {len(found)} country-year(s) lack a row for some sub-markets or categories of an "
            f"indicator: {_shown(found)}. Add the missing rows (the value, or an empty value with status O when it "
            "is not known); until then those years have no total."]


def _flag_counts(stats: pd.DataFrame, ref: Reference) -> list[str]:
    found = []
    censor = stats["censor"].fillna("")
    if censor.eq("below").any():
        found.append(f"{int(censor.eq('below').sum())} published below a threshold (<N)")
    if censor.eq("above").any():
        found.append(f"{int(censor.eq('above').sum())} lower bounds (>N)")
    if stats["months"].notna().any():
        found.append(f"{int(stats['months'].notna().sum())} part-year figures")
    cells = stats["status"].fillna("").astype(str).value_counts()  # each distinct status cell split once
    counts: dict[str, int] = {}
    for cell, n in cells.items():
        for code in status_codes(cell):
            counts[code] = counts.get(code, 0) + int(n)
    for code, n in sorted(counts.items()):
        name = ref.observation_status.at[code, "name_en"].lower() if code in ref.observation_status.index else code
        found.append(f"{n} {code} ({name})")
    return found


def _breakdown_mismatches(stats: pd.DataFrame, ref: Reference) -> list[str]:
    """Breakdowns of the same thing (indicators of one area and unit, each split into categories, such as
    victims by sex and by age) should add up to the same total in every country and year; so should an
    indicator of that area and unit without categories (the total itself), when there is one.

    Only complete breakdowns are compared (every category with a usable number): a missing category
    is reported by :func:`_missing_sub_series`, not as a disagreement."""
    ind = ref.indicators
    has_categories = ind["category_list"].map(len) > 0
    plain = (ind["category_list"].map(len) == 0) & (ind["submarket_list"].map(len) == 0)
    out = []
    usable = stats[has_number(stats, ref.observation_status)] if len(stats) else stats
    for (_, unit), group in ind[has_categories | plain].groupby(["area_id", "unit"]):
        if len(group) < 2 or not has_categories[group.index].any():
            continue
        rows = usable[usable["indicator"].isin(group.index)]
        if rows.empty:
            continue
        parts = rows.groupby(["country", "year", "indicator"])["value"].agg(["sum", "size"]).reset_index()
        parts["expected"] = parts["indicator"].map(lambda i: max(len(ind.at[i, "category_list"]), 1))
        parts = parts[parts["size"].eq(parts["expected"])]
        sums = parts.pivot_table(index=["country", "year"], columns="indicator", values="sum", aggfunc="first")
        if sums.empty:
            continue
        compared = sums.notna().sum(axis=1) >= 2
        disagree = sums[compared & (sums.max(axis=1) != sums.min(axis=1))]
        if len(disagree):
            shown = [f"{c} {int(y)}: " + " vs ".join(f"{i} {v:g}" for i, v in row.dropna().items())
                     for (c, y), row in disagree.head(MAX_SHOWN).iterrows()] + [""] * max(len(disagree) - MAX_SHOWN, 0)
            out.append(f"statistics.csv: the breakdowns {', '.join(group.index)} should add up to the same total of "
                       f"{unit}, but differ in {len(disagree)} country-year(s): {_shown(shown)}.")
    return out
