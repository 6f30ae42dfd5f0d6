"""Data access for a page: the processed tables of one edition, sliced to a scope and a period.

:class:`EditionData` reads what ``socta validate`` wrote (edition-safe: the public folder has
small counts suppressed) and returns tidy pandas frames: yearly series with their flags, rates,
scores, trend records, coverage, expert answers. It draws nothing and writes nothing, so a test can
ask it questions without building the book, and a template can show in plain pandas what it does
with the frames.
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import pandas as pd

from socta.analysis.series import yearly
from socta.core.config import REGION, Project
from socta.core.edition import PUBLIC, Edition
from socta.core.files import load, table_path
from socta.core.markup import inert_frame, inert_tree
from socta.core.memo import parsed
from socta.i18n.translate import Term, code_label, language, t, term, use_data_names
from socta.ingest.coverage import year_ranges
from socta.ingest.reference import Reference


def one_row(frame: pd.DataFrame, what: str, *, required: bool = True) -> pd.Series | None:
    """The one row of ``frame`` (a table already filtered to one key), ``what`` it is in words, e.g.
    "area_scores for MKD, drugs". No row: None if not ``required``, else a LookupError naming it (the
    processed tables have every scope × area, :mod:`socta.process.checks`, so a page asking for one
    they lack asks for a scope or area the reference configuration does not have). More than one
    row: a LookupError always (a key is unique)."""
    if len(frame) == 1:
        return frame.iloc[0]
    if frame.empty and not required:
        return None
    if frame.empty:
        raise LookupError(f"no row of {what} in the processed tables: is it a scope and crime area of the reference "
                          "configuration?")
    raise LookupError(f"{len(frame)} rows of {what} in the processed tables, where its key allows one")


class EditionData:
    """The data of one edition for a scope (a country's ISO3 or ``region``), optionally one crime
    area, over ``first_year``–``last_year``."""

    def __init__(self, *, scope: str, processed_dir: str | Path, data_dir: str | Path, audience: str = PUBLIC,
                 first_year: int, last_year: int, area: str | None = None):
        self.scope, self.area, self.audience = scope, area, audience
        self.edition = Edition(audience)  # what the audience decides: is_public, is_restricted, …
        self.first_year, self.last_year = int(first_year), int(last_year)
        self.processed_dir = Path(processed_dir)
        # everything a page reads from the data and the configuration is text, never markup: the
        # settings and dataset.yaml (cached on the project, so every later read gets them inert), the
        # reference tables, the processed tables (:meth:`table`) and the dataset's metadata
        self.project = Project(data_dir=Path(data_dir))
        self.project.__dict__["settings"] = inert_tree(self.project.settings)
        self.project.__dict__["dataset"] = inert_tree(self.project.dataset)
        self.ref = Reference(self.project, inert=True)
        use_data_names(language(), self.ref.data_names(language()))  # names the data folder gives per language
        meta = json.loads((self.processed_dir / "dataset.json").read_text(encoding="utf-8"))
        self.dataset = inert_tree(meta["dataset"])
        self.inputs = inert_tree(meta.get("inputs", []))
        self._series: dict[tuple, pd.DataFrame] = {}

    @property
    def is_region(self) -> bool:
        return self.scope == REGION

    @property
    def scope_name(self) -> str:
        if self.is_region:
            return t("the region")
        return t(self.ref.country_name(self.scope))

    @property
    def scope_title(self) -> str:
        return t("Region") if self.is_region else t(self.ref.country_name(self.scope))

    def area_name(self, area: str | None = None) -> str:
        return t(self.ref.areas.at[area or self.area, "name_en"])

    def area_term(self, area: str | None = None) -> Term:
        """A crime area's name with the forms a sentence asks for (``{area:gen}``; socta/locale/<lang>/terms.csv)."""
        return term(self.ref.areas.at[area or self.area, "name_en"])

    def scope_term(self, scope: str | None = None) -> Term:
        """The region's or a country's name with its forms (``{scope:loc}``: "у региону", "у Србији")."""
        scope = scope or self.scope
        return term("the region") if scope == REGION else term(self.ref.country_name(scope), proper=True)

    def indicator_name(self, indicator: str) -> str:
        return t(self.ref.indicators.at[indicator, "name_en"])

    @property
    def countries(self) -> list[str]:
        return list(self.ref.countries.index)

    def table(self, name: str) -> pd.DataFrame:
        """A processed table with its text inert (:func:`socta.core.markup.inert_frame`)."""
        path = table_path(self.processed_dir, name)
        if not path.is_file():  # load's message: which table, and that `socta validate` writes them
            return load(self.processed_dir, name)
        # parsed once per content in this process: a warm kernel reads the same tables on every page
        return parsed(path, "processed table, inert", lambda _: inert_frame(load(self.processed_dir, name)))

    @cached_property
    def statistics(self) -> pd.DataFrame:
        s = self.table("statistics")
        return s[s["year"].between(self.first_year, self.last_year)]

    def series(self, indicator: str, by: str | None = None, scope: str | None = None) -> pd.DataFrame:
        """Yearly values of an indicator for a scope, optionally by ``submarket``, ``category`` or
        ``country``: every year of the period, gaps as NA, a total only where every part reported
        (see :func:`socta.analysis.series.yearly`)."""

        scope = scope or self.scope
        key = (indicator, by, scope)
        if key not in self._series:  # a page asks for the same series for its figure, caption and table
            countries = self.countries if scope == REGION else [scope]
            self._series[key] = yearly(self.statistics, self.ref.indicators.loc[indicator], countries,
                                       range(self.first_year, self.last_year + 1), self.ref.observation_status, by=by)
        return self._series[key].copy()  # the caller may add columns: the remembered one stays as computed

    @cached_property
    def population(self) -> pd.DataFrame:
        p = self.table("population")
        p = p[p["year"].between(self.first_year, self.last_year)]
        # the region's population only in years every country has one: a partial sum would inflate its rates
        whole = p[p["iso3"].isin(self.countries)].groupby("year").filter(lambda y: y["iso3"].nunique() == len(self.countries))
        region = whole.groupby("year", as_index=False)["population"].sum().assign(iso3=REGION)
        return pd.concat([p, region], ignore_index=True)

    def rate(self, series: pd.DataFrame, scope: str | None = None) -> pd.DataFrame:
        """Add ``per_100k`` to a yearly series using the scope's population."""
        pop = self.population[self.population["iso3"].eq(scope or self.scope)][["year", "population"]]
        out = series.merge(pop, on="year", how="left")
        out["per_100k"] = 1e5 * out["value"] / out["population"]
        return out

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Threat, harm and priority of every crime area, for every scope (latest period)."""
        return self.table("area_scores")

    @cached_property
    def scores_previous(self) -> pd.DataFrame:
        """The same, with the statistics of the previous period (experts and OCGs held as they are)."""
        return self.table("area_scores_previous")

    def score_row(self, area: str | None = None, scope: str | None = None) -> pd.Series:
        s = self.scores
        scope, area = scope or self.scope, area or self.area
        return one_row(s[s["scope"].eq(scope) & s["area"].eq(area)], f"area_scores for {scope}, {area}")

    def trend_row(self, indicator: str, scope: str | None = None) -> pd.Series | None:
        """The trend record of an indicator's total in a scope (latest period), fitted or not."""
        tr = self.table("trends")
        hit = tr[tr["scope"].eq(scope or self.scope) & tr["indicator"].eq(indicator)]
        return None if hit.empty else hit.iloc[0]

    def trend(self, indicator: str, scope: str | None = None) -> pd.Series | None:
        """The fitted trend of an indicator's total in a scope (latest period), or None if not fitted."""
        hit = self.trend_row(indicator, scope)
        if hit is None or hit.get("reason") or pd.isna(hit.get("change_per_year")):
            return None
        return hit

    def missing_years(self, indicator: str) -> dict[str, list[int]]:
        """Per country, the years of the period without a complete value of the indicator."""
        cov = self.table("coverage")
        cov = cov[cov["indicator"].eq(indicator) & cov["year"].between(self.first_year, self.last_year)
                  & ~cov["has_value"]]
        return {c: sorted(g["year"]) for c, g in cov.groupby("country") if c in self.ref.countries.index}

    def countries_without_data(self, indicator: str) -> list[str]:
        """The countries with no complete value of the indicator in any year of the period."""
        span = self.last_year - self.first_year + 1
        return [c for c, years in self.missing_years(indicator).items() if len(years) == span]

    def country_gaps(self, indicator: str) -> list[str]:
        """Each country's years without a complete value of the indicator, e.g. "Montenegro 2014–2015"."""

        return [f"{t(self.ref.country_name(c))} {year_ranges(years)}" for c, years in self.missing_years(indicator).items()]

    def headline_indicator(self, area: str | None = None) -> str | None:
        ind = self.ref.indicators
        hit = ind[ind["area_id"].eq(area or self.area) & ind["headline"]].index
        return hit[0] if len(hit) else None

    def has_input(self, name: str) -> bool:
        """Whether the dataset includes an (optional) input file."""
        return any(f["file"] == name and not f.get("absent") for f in self.inputs)

    @property
    def threshold(self) -> int:
        return self.project.settings.public.small_count_threshold if self.edition.is_public else 0

    def area_indicators(self, area: str | None = None, headline_first: bool = True) -> list[str]:
        """The area's indicators in configuration order (headline first): what its page shows."""
        ind = self.ref.indicators[self.ref.indicators["area_id"].eq(area or self.area)]
        ids = list(ind.index)
        return sorted(ids, key=lambda i: not ind.at[i, "headline"]) if headline_first else ids

    def breakdown_of(self, indicator: str) -> str | None:
        """How the indicator is split in the data: ``submarket``, ``category`` or not at all."""
        spec = self.ref.indicators.loc[indicator]
        return "submarket" if spec["submarket_list"] else "category" if spec["category_list"] else None

    def part_name(self, code: str) -> str:
        """The name of a sub-market (a crime area's code) or a category, in the edition's language."""
        if code in self.ref.areas.index:
            return t(self.ref.areas.at[code, "name_en"])
        if code in self.ref.countries.index:  # the lines of a regional figure with no regional total
            return t(self.ref.country_name(code))
        return t(code_label(code))

    def country_rates(self, indicator: str) -> pd.DataFrame:
        """Per country and year, the indicator per 100,000 inhabitants: country (its name), year,
        value, population, per_100k. A year without a complete value keeps per_100k NA."""
        frames = [self.rate(self.series(indicator, scope=iso3), scope=iso3).assign(country=t(self.ref.country_name(iso3)))
                  for iso3 in self.countries]
        return pd.concat(frames, ignore_index=True)[["country", "year", "value", "population", "per_100k"]]

    def expert_answers(self, area: str | None = None) -> pd.DataFrame:
        """Each expert's harm answer (0-4) per dimension for an area in this scope: respondent,
        dimension (its name, in the configured order), answer. Empty without an assessment."""
        dims = self.ref.harm_dimensions
        experts = self.table("expert_assessments")
        if self.scope != REGION:
            experts = experts[experts["country"].eq(self.scope)]
        experts = experts[experts["area"].eq(area or self.area)]
        # a respondent is an answer of a country's questionnaire (R05 of Serbia is not R05 of Montenegro):
        # counted the one way the evidence table counts them
        experts = experts.assign(respondent=experts["country"] + " " + experts["respondent"])
        long = experts.melt(id_vars=["respondent"], value_vars=[f"harm_{d}" for d in dims.index],
                            var_name="dimension", value_name="answer").dropna(subset=["answer"])
        names = {f"harm_{d}": t(n) for d, n in dims["name_en"].items()}
        long["dimension"] = pd.Categorical(long["dimension"].map(names), categories=list(names.values()), ordered=True)
        return long.sort_values(["dimension", "respondent"]).reset_index(drop=True)

    def evidence(self, area: str | None = None, scope: str | None = None) -> pd.Series:
        """What a judgement on an area in a scope rests on: graded share, completeness, respondents."""
        ev = self.table("evidence")
        scope, area = scope or self.scope, area or self.area
        return one_row(ev[ev["scope"].eq(scope) & ev["area"].eq(area)], f"evidence for {scope}, {area}")
