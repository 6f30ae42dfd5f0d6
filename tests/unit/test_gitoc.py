"""Tests for socta.ingest.open_sources: GI-TOC headline scores are reproduced exactly (the aggregation rules in its docstring)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from socta.ingest import open_sources as gitoc

ROOT = Path(__file__).resolve().parents[2]
OPEN_SOURCES = ROOT / "data" / "open_sources"
GITOC_CSV = OPEN_SOURCES / "gitoc_organized_crime_index.csv"
FRONTEX_CSV = OPEN_SOURCES / "frontex_western_balkan_route.csv"
SOURCES_CSV = OPEN_SOURCES / "sources.csv"
COMPONENTS_CSV = ROOT / "data" / "reference" / "gitoc_components.csv"

COUNTRIES = ("SRB", "MNE", "MKD")
EDITIONS = (2021, 2023)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return gitoc.load_gitoc(GITOC_CSV)


@pytest.fixture(scope="module")
def components() -> pd.DataFrame:
    return gitoc.load_components(COMPONENTS_CSV)


@pytest.fixture(scope="module")
def comparison(data: pd.DataFrame, components: pd.DataFrame) -> pd.DataFrame:
    return gitoc.compare_with_published(data, components)


def _published_text(iso3: str, edition: int, component: str) -> str:
    """The published value exactly as written in the raw CSV."""
    raw = pd.read_csv(GITOC_CSV, dtype=str, keep_default_na=False)
    hit = raw[(raw.iso3 == iso3) & (raw.edition == str(edition)) & (raw.component == component)]
    assert len(hit) == 1, f"{iso3} {edition} {component!r}: expected one published value"
    return hit["score"].iloc[0]


@pytest.mark.parametrize("measure", list(gitoc.HEADLINES))
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("iso3", COUNTRIES)
def test_published_headline_reproduced(
    comparison: pd.DataFrame, iso3: str, edition: int, measure: str
) -> None:
    row = comparison[
        (comparison.iso3 == iso3) & (comparison.edition == edition) & (comparison.measure == measure)
    ]
    assert len(row) == 1
    computed = gitoc.round_half_up(row["computed"].iloc[0])
    published = Decimal(_published_text(iso3, edition, gitoc.HEADLINES[measure]))
    # Exact decimal equality to the published decimals (6.70 == 6.7, 5.63 != 5.62).
    assert computed == published, f"{iso3} {edition} {measure}: computed {computed}, published {published}"
    assert bool(row["matches"].iloc[0])


def test_all_published_headlines_compared(comparison: pd.DataFrame) -> None:
    assert len(comparison) == len(COUNTRIES) * len(EDITIONS) * len(gitoc.HEADLINES)
    assert comparison["published"].notna().all()
    assert comparison["matches"].all()


def test_serbia_2023_by_hand(data: pd.DataFrame, components: pd.DataFrame) -> None:
    # Serbia 2023, GI-TOC scores listed by hand from the dataset.
    markets = {
        "Human trafficking": 6, "Human smuggling": 6.5, "Extortion and protection racketeering": 5.5,
        "Arms trafficking": 6.5, "Trade in counterfeit goods": 4.5, "Illicit trade in excisable goods": 5,
        "Flora crimes": 5, "Fauna crimes": 5, "Non-renewable resource crimes": 5, "Heroin trade": 7,
        "Cocaine trade": 6, "Cannabis trade": 6, "Synthetic drug trade": 6, "Cyber-dependent crimes": 5,
        "Financial crimes": 7,
    }
    actors = {
        "Mafia-style groups": 6, "Criminal networks": 7, "State-embedded actors": 8,
        "Foreign actors": 6.5, "Private sector actors": 6,
    }
    assert sum(markets.values()) == 86 and len(markets) == 15
    assert sum(actors.values()) == 33.5 and len(actors) == 5
    markets_mean = Fraction(86, 15)  # 5.7333..
    actors_mean = Fraction(67, 10)  # 6.7
    criminality = (markets_mean + actors_mean) / 2  # 6.21666..
    assert gitoc.round_half_up(markets_mean) == Decimal("5.73")
    assert gitoc.round_half_up(criminality) == Decimal("6.22")
    # Rounding the markets mean first would give (5.73 + 6.7) / 2 = 6.215 -> 6.22 too,
    # so also check that the unrounded means are the ones used.
    assert criminality == Fraction(373, 60)

    # The same component scores are in the data and configured with these pillars.
    srb = data[(data.iso3 == "SRB") & (data.edition == 2023)].set_index("component")["score"]
    cfg = components[components.edition == 2023].set_index("component")["pillar"]
    for name, score in markets.items():
        assert srb[name] == score and cfg[name] == "market"
    for name, score in actors.items():
        assert srb[name] == score and cfg[name] == "actor"

    row = gitoc.headline_scores(data, components).set_index(["iso3", "edition"]).loc[("SRB", 2023)]
    assert row["markets"] == 5.73
    assert row["actors"] == 6.7
    assert row["criminality"] == 6.22


def test_criminality_uses_unrounded_means(data: pd.DataFrame, components: pd.DataFrame) -> None:
    # Serbia 2021: markets 55.5/10 = 5.55, actors 27.5/4 = 6.875 (published 6.88).
    # Mean of unrounded = 6.2125 -> 6.21 (published); mean of rounded = 6.215 -> 6.22 (wrong).
    assert gitoc.round_half_up((Fraction(555, 100) + Fraction(6875, 1000)) / 2) == Decimal("6.21")
    assert gitoc.round_half_up((Decimal("5.55") + Decimal("6.88")) / 2) == Decimal("6.22")
    row = gitoc.headline_scores(data, components).set_index(["iso3", "edition"]).loc[("SRB", 2021)]
    assert row["criminality"] == 6.21


def test_round_half_up_on_ties() -> None:
    # North Macedonia 2021 actors = 22.5 / 4 = 5.625, published 5.63; round() would give 5.62.
    assert round(5.625, 2) == 5.62
    assert gitoc.round_half_up(Fraction(45, 8)) == Decimal("5.63")
    assert gitoc.round_half_up(6.875) == Decimal("6.88")
    assert gitoc.round_half_up(2.675) == Decimal("2.68")  # float taken as written
    assert gitoc.round_half_up(Fraction(-45, 8)) == Decimal("-5.63")


def test_component_config_counts(components: pd.DataFrame) -> None:
    counts = components.groupby(["edition", "pillar"]).size()
    expected = {
        (2021, "market"): 10, (2021, "actor"): 4, (2021, "resilience"): 12, (2021, "headline"): 4,
        (2023, "market"): 15, (2023, "actor"): 5, (2023, "resilience"): 12, (2023, "headline"): 4,
    }
    assert counts.to_dict() == expected
    # "Non-state actors" is a resilience indicator, not an actor type.
    assert set(components.loc[components.component == "Non-state actors", "pillar"]) == {"resilience"}


def test_config_covers_data_exactly(data: pd.DataFrame, components: pd.DataFrame) -> None:
    configured = set(components[["edition", "component"]].itertuples(index=False, name=None))
    in_data = set(data[["edition", "component"]].itertuples(index=False, name=None))
    assert configured == in_data


def test_headline_counts(data: pd.DataFrame, components: pd.DataFrame) -> None:
    scores = gitoc.headline_scores(data, components)
    assert len(scores) == len(COUNTRIES) * len(EDITIONS)
    for edition, n_markets, n_actors in ((2021, 10, 4), (2023, 15, 5)):
        sub = scores[scores.edition == edition]
        assert (sub.n_markets == n_markets).all()
        assert (sub.n_actors == n_actors).all()
        assert (sub.n_resilience == 12).all()


def test_unknown_component_rejected(data: pd.DataFrame, components: pd.DataFrame) -> None:
    extra = data.iloc[[0]].assign(component="Invented market")
    with pytest.raises(ValueError, match="Invented market"):
        gitoc.headline_scores(pd.concat([data, extra], ignore_index=True), components)


def test_missing_indicator_rejected(data: pd.DataFrame, components: pd.DataFrame) -> None:
    drop = (data.iso3 == "MNE") & (data.edition == 2021) & (data.component == "Heroin trade")
    with pytest.raises(ValueError, match="MNE 2021.*Heroin trade"):
        gitoc.headline_scores(data[~drop], components)


def test_bad_score_names_file_line_column(tmp_path: Path) -> None:
    lines = GITOC_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",5.5,", ",11,", 1)
    bad = tmp_path / "gitoc_bad.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ValueError, match=r"gitoc_bad\.csv: line 4, column 'score'"):
        gitoc.load_gitoc(bad)


def test_sources_checksums_match() -> None:
    verified = gitoc.verify_checksums(SOURCES_CSV, OPEN_SOURCES)
    assert sorted(verified) == sorted(p.name for p in OPEN_SOURCES.glob("*.csv") if p.name != "sources.csv")
    assert {"frontex_western_balkan_route.csv", "gitoc_organized_crime_index.csv"} <= set(verified)


def test_sources_records_complete() -> None:
    sources = pd.read_csv(SOURCES_CSV, dtype=str, keep_default_na=False)
    columns = ["file", "publisher", "title", "url", "date_retrieved_or_published", "licence", "sha256", "description"]
    assert list(sources.columns) == columns
    assert (sources[columns] != "").all().all()


def test_tampered_copy_raises_naming_file(tmp_path: Path) -> None:
    for path in OPEN_SOURCES.glob("*.csv"):
        shutil.copy2(path, tmp_path / path.name)
    gitoc.verify_checksums(SOURCES_CSV, tmp_path)  # an untouched copy passes
    tampered = tmp_path / "gitoc_organized_crime_index.csv"
    original = tampered.read_bytes()
    tampered.write_bytes(original.replace(b",6.22,", b",6.23,", 1))
    assert tampered.read_bytes() != original
    with pytest.raises(ValueError, match=r"gitoc_organized_crime_index\.csv: checksum mismatch"):
        gitoc.verify_checksums(SOURCES_CSV, tmp_path)


def test_frontex_loads() -> None:
    frontex = gitoc.load_frontex(FRONTEX_CSV)
    assert frontex["year"].tolist() == list(range(2009, 2026))
    assert frontex.set_index("year").at[2015, "detections"] == 764033
    assert frontex.loc[~frontex.full_year, "year"].tolist() == [2025]
