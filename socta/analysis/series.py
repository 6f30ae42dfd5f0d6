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

from socta.ingest.status import status_codes

CELL_KEYS = ("country", "submarket", "category")


def yearly(stats: pd.DataFrame, spec: pd.Series, countries: list[str], years, status: pd.DataFrame,
           by: str | None = None) -> pd.DataFrame:
    """The yearly series of one indicator (``spec``: its row of ``indicators``) over ``countries``.

    ``by``: ``None`` for the total, or ``submarket``, ``category`` or ``country`` for one line per
    value of it. Columns: year, [by], value, status, censor, bound, months, missing_countries,
    reported, expected, fit, anchor, breaks, decimals (the finest precision its cells were published with).

    How: every cell the indicator should have (country × year × sub-market × category) is a place
    in one array, and each column of the result is one reduction over the cells of a line. A page
    asks for a dozen series and a national file's trends for thousands, so no step is done per line
    in pandas.
    """
    years = sorted({int(y) for y in years})
    countries = list(dict.fromkeys(countries))
    grid = {"country": countries, "year": years, "submarket": list(spec["submarket_list"]) or [""],
            "category": list(spec["category_list"]) or [""]}
    shape = tuple(len(v) for v in grid.values())
    columns = ["year", *([by] if by else []), "value", "status", "censor", "bound", "months", "missing_countries",
               "reported", "expected", "fit", "anchor", "breaks", "decimals"]
    if not np.prod(shape):  # no country or no year: no line
        return pd.DataFrame(columns=columns)
    rows = stats[stats["indicator"].eq(spec.name) & stats["country"].isin(countries) & stats["year"].isin(years)]
    rows = rows.reindex(columns=[*grid, "value", "status", "censor", "bound", "months", "decimals"])
    # each row's place in the grid; a sub-market or category the indicator does not have is no cell
    place = np.zeros(len(rows), dtype=np.int64)
    inside = np.ones(len(rows), dtype=bool)
    for size, (key, values) in zip(shape, grid.items()):
        position = pd.Index(values).get_indexer(rows[key].astype("Int64") if key == "year" else rows[key])
        inside &= position >= 0
        place = place * size + position
    rows, place = rows[inside], place[inside]
    if len(np.unique(place)) < len(place):
        twice = rows[pd.Series(place).duplicated(keep=False).to_numpy()].iloc[0]
        raise ValueError(f"statistics: indicator {spec.name} has more than one row for "
                         f"{'/'.join(str(twice[k]) for k in grid)} (country/year/sub-market/category); "
                         "keep one row per cell")

    def cells(column: str) -> np.ndarray:
        """The column as one value per cell of the grid: "" or NaN where no row is."""
        if column in ("status", "censor"):
            out = np.full(int(np.prod(shape)), "", dtype=object)
            out[place] = rows[column].fillna("").astype(str).to_numpy(dtype=object)
        else:
            out = np.full(int(np.prod(shape)), np.nan)
            out[place] = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        return out

    value, bound, months, censor = cells("value"), cells("bound"), cells("months"), cells("censor")
    decimals = cells("decimals")  # as published; a sum keeps the finest precision of its members
    flag = _status_flags(cells("status"), status)
    has_value = ~np.isnan(value) & (censor == "") & ~flag["missing"]
    fit_ok = has_value & np.isnan(months) & ~flag["no_fit"]
    anchor_ok = fit_ok & ~flag["no_anchor"]

    # a line per year (and value of ``by``, sorted by name as a sorted group-by gives them); its
    # members in grid order, the order in which the total has always been added up
    line_axis = list(grid).index(by) if by else None
    axes = [1] + ([line_axis] if by else []) + [a for a in range(4) if a not in (1, line_axis)]
    sort = np.argsort(np.array(grid[by], dtype=object), kind="stable") if by else np.array([0])
    n_lines = len(years) * len(sort)

    def lines(cell_values: np.ndarray) -> np.ndarray:
        """cells → (line, member)"""
        a = cell_values.reshape(shape).transpose(axes).reshape(len(years), len(sort), -1)
        return np.ascontiguousarray(a[:, sort, :]).reshape(n_lines, -1)

    members = lines(value).shape[1]
    present = lines(has_value)
    reported = present.sum(axis=1).astype("int64")
    complete = reported == members
    # as Series.sum(min_count=1) adds: gaps as 0, the members in grid order (the same last bit)
    total = np.where(reported > 0, np.where(present, lines(value), 0.0).sum(axis=1), np.nan)
    single = members == 1
    first_censor = lines(censor)[:, 0] if members else np.full(n_lines, "", dtype=object)
    censored = (lines(censor) != "").any(axis=1)
    first_bound = [row[~np.isnan(row)][0] if (~np.isnan(row)).any() else np.nan for row in lines(bound)]
    line_names = np.tile(np.array(grid[by], dtype=object)[sort], len(years)) if by else None
    out = {
        "year": np.repeat(np.array(years, dtype="int64"), len(sort)),
        **({by: pd.Series(line_names, dtype="str")} if by else {}),
        "value": np.where(complete, total, np.nan),
        "status": [_joined_codes(row) for row in lines(cells("status"))],
        # censoring is kept only where one published cell stands alone (one country, one sub-series)
        "censor": np.where(single, first_censor, np.where(censored, "mixed", "")).astype(object),
        "bound": np.where(single, np.array(first_bound, dtype="float64"), np.nan),
        "months": _in_type_of(rows["months"], np.fmin.reduce(lines(months), axis=1), np.isnan(months).any()),
        "missing_countries": _lacking_countries((~has_value).reshape(shape), countries, by, line_axis, sort),
        "reported": reported,
        "expected": np.full(n_lines, members, dtype="int64"),
        "fit": lines(fit_ok).all(axis=1) & complete,
        "anchor": lines(anchor_ok).all(axis=1) & complete,
        "breaks": lines(flag["breaks"]).any(axis=1),
        "decimals": np.nan_to_num(np.fmax.reduce(lines(decimals), axis=1), nan=0.0).astype("int64")
        if members else np.zeros(n_lines, dtype="int64"),
    }
    return pd.DataFrame(out)


def _in_type_of(column: pd.Series, values: np.ndarray, gaps: bool) -> pd.Series:
    """``values`` (NaN: none) in the type the input ``column`` has (a nullable integer stays one; a
    plain integer only where no cell was empty, as a left join would give it)."""
    kind = pd.to_numeric(column, errors="coerce").dtype
    if isinstance(kind, pd.api.extensions.ExtensionDtype) or (kind.kind in "iu" and not gaps):
        return pd.Series(values).astype(kind)
    return pd.Series(values, dtype="float64")


def _lacking_countries(lacking: np.ndarray, countries: list[str], by: str | None, line_axis: int | None,
                       sort: np.ndarray) -> list[str]:
    """Per line (year-major, then the sorted values of ``by``): the countries with a cell that lacks
    a value, alphabetical, joined by ``|``. ``lacking``: the grid (country, year, sub-market, category)."""
    if by == "country":
        own = lacking.any(axis=(2, 3)).T[:, sort].reshape(-1)
        return [countries[sort[i % len(sort)]] if gap else "" for i, gap in enumerate(own)]
    per = lacking.any(axis=tuple(a for a in (2, 3) if a != line_axis))
    per = per.reshape(len(countries), lacking.shape[1], -1).transpose(1, 2, 0)[:, sort, :]
    alphabetical = sorted(range(len(countries)), key=lambda i: countries[i])
    return ["|".join(countries[i] for i in alphabetical if row[i]) for row in per.reshape(-1, len(countries))]


def _status_flags(cells: np.ndarray, status: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per cell: whether its status holds a code that means missing, no fit, no anchor or a break."""
    codes = {"missing": set(status.index[status["missing"]]), "no_fit": set(status.index[~status["fit"]]),
             "no_anchor": set(status.index[~status["anchor"]]), "breaks": set(status.index[status["breaks_series"]])}
    ids, distinct = pd.factorize(cells)
    distinct = [set(status_codes(d)) for d in distinct]
    return {name: np.array([bool(wanted & d) for d in distinct] or [False])[ids] if len(ids) else np.zeros(0, bool)
            for name, wanted in codes.items()}


def _joined_codes(cells: np.ndarray) -> str:
    """The distinct status codes of a line's cells, sorted, joined by ``|``."""
    return "|".join(sorted({code for cell in set(cells) if cell for code in status_codes(cell)}))
