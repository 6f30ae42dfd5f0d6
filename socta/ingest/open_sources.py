"""GI-TOC Global Organized Crime Index: load, recompute and check headline scores.

The Global Organized Crime Index (GI-TOC, https://ocindex.net) is an open-source
*context layer*: it is shown beside our own assessment and never mixed
into our scores.

Aggregation rules, checked against every published headline score of
SRB, MNE and MKD in the 2021 and 2023 editions:

* every indicator is scored 1-10 in half points;
* **criminal markets** = mean of the market indicators (10 in 2021, 15 in 2023);
* **criminal actors** = mean of the actor types (4 in 2021, 5 in 2023);
* **criminality** = mean of the *unrounded* markets and actors scores;
* **resilience** = mean of the 12 resilience indicators;
* every headline is published rounded to 2 decimals, **half up**
  (trailing zeros dropped: 6.70 is published as ``6.7``).

Half up matters: North Macedonia 2021 actors = 22.5 / 4 = 5.625 is published as
5.63, whereas Python's ``round(5.625, 2)`` gives 5.62 (5.625 is exact in binary,
so ``round`` applies banker's rounding). All means are therefore computed exactly
with :class:`fractions.Fraction` and rounded only once, by :func:`round_half_up`.

Which component belongs to which pillar (market, actor, resilience, headline) is
configuration, read from ``data/reference/gitoc_components.csv``; nothing here
lists indicator names.
"""
from __future__ import annotations

import hashlib
import math
import numbers
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd

#: Decimals of every published GI-TOC headline score.
DECIMALS = 2

#: Pillars allowed in the component configuration.
PILLARS: tuple[str, ...] = ("market", "actor", "resilience", "headline")

#: Computed measure -> name of the published headline component in the GI-TOC data.
HEADLINES: dict[str, str] = {
    "markets": "Criminal markets",
    "actors": "Criminal actors",
    "criminality": "Criminality",
    "resilience": "Resilience",
}

#: Pillar whose indicators are averaged into each directly computed measure.
_PILLAR_OF_MEASURE: dict[str, str] = {
    "markets": "market",
    "actors": "actor",
    "resilience": "resilience",
}

GITOC_COLUMNS: tuple[str, ...] = ("iso3", "country", "edition", "component", "score", "source")

COMPONENT_COLUMNS: tuple[str, ...] = ("edition", "component", "pillar")

FRONTEX_COLUMNS: tuple[str, ...] = ("year", "detections", "coverage", "source")

Number = Fraction | Decimal | int | float | str  # numpy numbers are accepted too


# --------------------------------------------------------------------------- rounding


def to_fraction(value: Number) -> Fraction:
    """Convert ``value`` to an exact :class:`~fractions.Fraction`.

    A float is taken as the shortest decimal that prints as it (``repr``), i.e.
    the number as written in the CSV: ``2.675`` is 2675/1000, not the binary
    value just below it. Strings, Decimals and ints are converted exactly.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(value.strip())
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, numbers.Integral):  # int and numpy integers
        return Fraction(int(value))
    if isinstance(value, numbers.Real):  # float and numpy floats
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(repr(number))
    raise TypeError(f"unsupported number type {type(value).__name__}: {value!r}")


def round_half_up(value: Number, decimals: int = DECIMALS) -> Decimal:
    """Round ``value`` to ``decimals`` places, ties away from zero (GI-TOC rule).

    >>> round_half_up(Fraction(45, 8))      # 5.625, North Macedonia 2021 actors
    Decimal('5.63')
    >>> round_half_up(Fraction(373, 60))    # 6.21666.., Serbia 2023 criminality
    Decimal('6.22')
    >>> round_half_up(6.7)
    Decimal('6.70')
    """
    exact = to_fraction(value)
    scaled = abs(exact) * 10**decimals
    units = math.floor(scaled + Fraction(1, 2))
    if exact < 0:
        units = -units
    return Decimal(units).scaleb(-decimals)


def _same_number(a: Number, b: Number) -> bool:
    """Exact numeric equality (``Decimal('6.70') == 6.7``)."""
    return to_fraction(a) == to_fraction(b)


# --------------------------------------------------------------------------- loading


def _read_text_csv(path: str | Path, columns: Iterable[str]) -> pd.DataFrame:
    """Read a CSV as text, check its header and strip whitespace."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; found {list(df.columns)}")
    return df.apply(lambda col: col.str.strip())


def _bad(path: Path, index: int, column: str, value: object, why: str) -> ValueError:
    """Error for one cell; ``line`` counts the header as line 1."""
    return ValueError(f"{path}: line {index + 2}, column '{column}': {why} (value {value!r})")


def _parse_int(df: pd.DataFrame, path: Path, column: str, minimum: int | None = None) -> pd.Series:
    out = []
    for i, text in df[column].items():
        try:
            number = int(text)
        except ValueError:
            raise _bad(path, i, column, text, "not an integer") from None
        if minimum is not None and number < minimum:
            raise _bad(path, i, column, text, f"must be >= {minimum}")
        out.append(number)
    return pd.Series(out, index=df.index, dtype="int64")


def _check_unique(df: pd.DataFrame, path: Path, keys: list[str]) -> None:
    dup = df.duplicated(subset=keys, keep="first")
    if dup.any():
        i = int(dup.idxmax())
        key = ", ".join(f"{k}={df.at[i, k]!r}" for k in keys)
        raise ValueError(f"{path}: line {i + 2}: duplicate record ({key})")


def load_gitoc(path: str | Path) -> pd.DataFrame:
    """Load the GI-TOC component scores (long format, one row per score).

    Columns: ``iso3, country, edition (int), component, score (float), source``.
    Rejects, naming file, line and column: a missing column, an empty cell, a
    malformed ISO3 code, a non-integer edition, a score that is not a number in
    1-10, and a repeated (iso3, edition, component). The half-point check of
    indicators needs the pillar configuration and is done by
    :func:`headline_scores`.
    """
    path = Path(path)
    df = _read_text_csv(path, GITOC_COLUMNS)
    for column in ("iso3", "country", "component", "score"):
        empty = df[column] == ""
        if empty.any():
            raise _bad(path, int(empty.idxmax()), column, "", "empty cell")
    for i, code in df["iso3"].items():
        if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
            raise _bad(path, i, "iso3", code, "not an ISO 3166-1 alpha-3 code")
    df["edition"] = _parse_int(df, path, "edition", minimum=2000)
    scores = []
    for i, text in df["score"].items():
        try:
            score = to_fraction(text)
        except (ValueError, ZeroDivisionError):
            raise _bad(path, i, "score", text, "not a number") from None
        if not 1 <= score <= 10:
            raise _bad(path, i, "score", text, "outside the GI-TOC scale 1-10")
        scores.append(float(score))
    df["score"] = pd.Series(scores, index=df.index, dtype="float64")
    _check_unique(df, path, ["iso3", "edition", "component"])
    return df[list(GITOC_COLUMNS)]


def load_components(path: str | Path) -> pd.DataFrame:
    """Load the component -> pillar configuration (``data/reference/gitoc_components.csv``).

    Columns: ``edition (int), component, pillar`` with pillar one of
    :data:`PILLARS`. Each edition must name exactly the headline components of
    :data:`HEADLINES`, and at least one component of every other pillar.
    """
    path = Path(path)
    df = _read_text_csv(path, COMPONENT_COLUMNS)
    df["edition"] = _parse_int(df, path, "edition", minimum=2000)
    for i, row in df.iterrows():
        if row["component"] == "":
            raise _bad(path, i, "component", "", "empty cell")
        if row["pillar"] not in PILLARS:
            raise _bad(path, i, "pillar", row["pillar"], f"must be one of {', '.join(PILLARS)}")
    _check_unique(df, path, ["edition", "component"])
    for edition, group in df.groupby("edition"):
        headlines = set(group.loc[group["pillar"] == "headline", "component"])
        if headlines != set(HEADLINES.values()):
            raise ValueError(
                f"{path}: edition {edition}: headline components are {sorted(headlines)}, "
                f"expected {sorted(HEADLINES.values())}"
            )
        for pillar in ("market", "actor", "resilience"):
            if not (group["pillar"] == pillar).any():
                raise ValueError(f"{path}: edition {edition}: no component with pillar '{pillar}'")
    return df[list(COMPONENT_COLUMNS)].reset_index(drop=True)


def load_frontex(path: str | Path) -> pd.DataFrame:
    """Load Frontex detections of illegal border crossings on the Western Balkan route.

    Columns: ``year (int), detections (int), coverage, source`` plus
    ``full_year`` (bool, False for a partial year such as 2025 Jan-Apr).
    Detections count events, not persons.
    """
    path = Path(path)
    df = _read_text_csv(path, FRONTEX_COLUMNS)
    df["year"] = _parse_int(df, path, "year", minimum=1900)
    df["detections"] = _parse_int(df, path, "detections", minimum=0)
    empty = df["coverage"] == ""
    if empty.any():
        raise _bad(path, int(empty.idxmax()), "coverage", "", "empty cell")
    _check_unique(df, path, ["year"])
    df["full_year"] = df["coverage"] == "full year"
    return df[[*FRONTEX_COLUMNS, "full_year"]].sort_values("year").reset_index(drop=True)


# --------------------------------------------------------------------------- aggregation


def _pillar_map(components: pd.DataFrame) -> dict[tuple[int, str], str]:
    return {
        (int(e), c): p
        for e, c, p in components[["edition", "component", "pillar"]].itertuples(index=False)
    }


def headline_scores(df: pd.DataFrame, components: pd.DataFrame) -> pd.DataFrame:
    """Recompute the four headline scores per country and edition from the components.

    Returns one row per ``iso3 x edition`` with ``markets, actors, criminality,
    resilience`` (floats, rounded half up to :data:`DECIMALS`; criminality is the
    mean of the unrounded markets and actors means) and ``n_markets, n_actors,
    n_resilience``, the number of indicators averaged.

    Raises ValueError if a component or edition is not in the configuration, if
    a configured indicator is missing for a country, or if an indicator score is
    not in half points.
    """
    pillar_of = _pillar_map(components)
    unknown = sorted(
        {(int(e), c) for e, c in df[["edition", "component"]].itertuples(index=False)}
        - set(pillar_of)
    )
    if unknown:
        raise ValueError(
            "components not in the GI-TOC component configuration (add them with their "
            f"pillar): {', '.join(f'{e} {c!r}' for e, c in unknown)}"
        )

    records = []
    for (iso3, edition), group in df.groupby(["iso3", "edition"], sort=True):
        edition = int(edition)
        scores = dict(zip(group["component"], group["score"]))
        means: dict[str, Fraction] = {}
        counts: dict[str, int] = {}
        for measure, pillar in _PILLAR_OF_MEASURE.items():
            names = sorted(c for (e, c), p in pillar_of.items() if e == edition and p == pillar)
            missing = [c for c in names if c not in scores]
            if missing:
                raise ValueError(f"{iso3} {edition}: missing {pillar} indicator(s) {missing}")
            values = [to_fraction(scores[c]) for c in names]
            for name, value in zip(names, values):
                if (value * 2).denominator != 1:
                    raise ValueError(
                        f"{iso3} {edition} {name!r}: score {float(value)} is not in half points"
                    )
            means[measure] = sum(values, Fraction(0)) / len(values)
            counts[f"n_{measure}"] = len(values)
        means["criminality"] = (means["markets"] + means["actors"]) / 2
        records.append(
            {
                "iso3": iso3,
                "country": group["country"].iloc[0],
                "edition": edition,
                **{m: float(round_half_up(means[m])) for m in HEADLINES},
                **counts,
            }
        )
    return pd.DataFrame.from_records(records)


def compare_with_published(df: pd.DataFrame, components: pd.DataFrame) -> pd.DataFrame:
    """Compare recomputed headline scores with the published ones.

    Returns one row per ``iso3 x edition x measure`` with ``component`` (the
    published name), ``computed``, ``published`` and ``matches``: True when the
    computed value, rounded half up to 2 decimals, equals the published value
    exactly (a published ``6.7`` matches a computed ``6.70``). A missing
    published value gives ``published`` NaN and ``matches`` False.
    """
    computed = headline_scores(df, components)
    long = computed.melt(
        id_vars=["iso3", "country", "edition"],
        value_vars=list(HEADLINES),
        var_name="measure",
        value_name="computed",
    )
    long["component"] = long["measure"].map(HEADLINES)
    published = df[df["component"].isin(list(HEADLINES.values()))][
        ["iso3", "edition", "component", "score"]
    ].rename(columns={"score": "published"})
    out = long.merge(published, on=["iso3", "edition", "component"], how="left")
    out["matches"] = [
        bool(pd.notna(p)) and _same_number(round_half_up(c), p)
        for c, p in zip(out["computed"], out["published"])
    ]
    columns = ["iso3", "country", "edition", "measure", "component", "computed", "published", "matches"]
    return out[columns].sort_values(["iso3", "edition", "measure"]).reset_index(drop=True)


def mismatches(comparison: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`compare_with_published` whose recomputed score does not match the published
    one (or has none), in the order of the comparison."""
    return comparison[~comparison["matches"].astype(bool)].reset_index(drop=True)


def decimals_as_written(value: Number) -> int:
    """Decimals of a number as written (``6.7`` -> 1, ``6.22`` -> 2, ``6`` -> 0)."""
    exponent = Decimal(str(to_fraction(value).numerator)) / Decimal(to_fraction(value).denominator)
    return max(0, -exponent.normalize().as_tuple().exponent)


# --------------------------------------------------------------------------- provenance


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksums(sources_csv: str | Path, folder: str | Path) -> list[str]:
    """Check every file listed in ``sources_csv`` against its recorded SHA-256.

    ``folder`` holds the files named in the ``file`` column. Raises ValueError
    naming the file if it is missing or its checksum differs (the raw snapshot
    was modified), and if a CSV in ``folder`` has no record in ``sources_csv``.
    Returns the verified file names.
    """
    sources_csv, folder = Path(sources_csv), Path(folder)
    records = _read_text_csv(sources_csv, ("file", "sha256"))
    _check_unique(records, sources_csv, ["file"])
    verified = []
    for i, row in records.iterrows():
        name, expected = row["file"], row["sha256"].lower()
        if not name:
            raise _bad(sources_csv, i, "file", name, "empty cell")
        target = folder / name
        if not target.is_file():
            raise ValueError(f"{name}: listed in {sources_csv} but not found in {folder}")
        actual = sha256_of(target)
        if actual != expected:
            raise ValueError(
                f"{name}: checksum mismatch in {folder} (recorded sha256 {expected}, "
                f"actual {actual}); raw open-source files must not be edited"
            )
        verified.append(name)
    unlisted = sorted(
        p.name for p in folder.glob("*.csv") if p.name != sources_csv.name and p.name not in verified
    )
    if unlisted:
        raise ValueError(f"{', '.join(unlisted)}: in {folder} but without a record in {sources_csv}")
    return verified
