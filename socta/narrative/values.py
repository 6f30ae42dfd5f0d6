"""Live values: what an analyst writes in a narrative instead of a number, resolved when the book builds.

A live value is a MyST role whose content names what to show, in any order after the indicator::

    {value}`drug_offences 2024`            the value in 2024, flagged as the tables flag it ("1,234 p", "<5", "c")
    {value}`drug_seizures_kg cocaine`      a part (sub-market or category), in the last year of the period
    {value}`drug_offences 2024 SRB`        another scope than the page's (a country's ISO3, or region)
    {change}`drug_offences 2020-2024`      the change between two years, unsigned ("12.3%"): the words
                                           around it say the direction, and the check reads them
    {share}`drug_seizures_kg cocaine 2024` a part's share of the total
    {rate}`drug_offences 2024`             per 100,000 inhabitants
    {trend}`drug_offences`                 the fitted trend a year with its 90% range
    {term}`drugs`                          the yardstick term of the key judgement on a crime area
    {tier}`drugs`                          the priority tier of a crime area
    {rank}`drugs`                          its rank among the crime areas of the scope ("1")

A year left out is the last year of the period; a period left out is the year before it to the last.
Everything is read from the edition's processed tables through the page API (:mod:`socta.pages`), so
a value prints exactly as the tables print it, in the edition's language, with the public edition's
suppression. A reference the data cannot answer prints "not available" and is reported; a reference
that names nothing known fails with the nearest valid names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from socta.core.config import REGION, Project
from socta.core.text import did_you_mean
from socta.i18n.translate import fmt_number, fmt_percent, set_language, t
from socta.pages.data import EditionData
from socta.pages.formatting import rate_text, signed_percent
from socta.pages.judgements import Judgements
from socta.pages.observations import NOT_AVAILABLE, observation_text

ROLES = ("value", "change", "share", "rate", "trend", "term", "tier", "rank")
AREA_ROLES = ("term", "tier", "rank")    # these name a crime area, the others an indicator

_YEAR = re.compile(r"^\d{4}$")
_PERIOD = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")


class PageData(Judgements, EditionData):
    """What a page knows of the data and says of it, without the drawing (no figure is made here, and
    the figure style's settings stay out of the build's process). A narrative asks for the same table
    once per live value, so each is read once (callers filter it, never change it)."""

    def table(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.setdefault("_tables", {})
        if name not in tables:
            tables[name] = super().table(name)
        return tables[name]


class UnknownReference(LookupError):
    """A reference that names nothing known (an indicator, a part, a scope): the message says what is."""


@dataclass
class Live:
    """A resolved live value: the text the book shows, and what the check compares words against."""
    role: str
    reference: str
    text: str
    number: float | None = None       # the number as shown (a percent as a percent), None if not shown
    signed: float | None = None       # a change or trend in percent, with its sign: what direction words must fit
    indicator: str | None = None
    area: str | None = None
    scope: str | None = None
    term: str | None = None           # the yardstick term shown or behind it
    problem: str = ""                 # why the data could not answer it ("" when they did)


@dataclass
class Query:
    target: str                       # an indicator, or a crime area for term and tier
    scope: str
    part: str | None = None
    year: int | None = None
    period: tuple[int, int] | None = None


class LiveValues:
    """The live values of one page of an edition: ``scope`` and ``area`` are the page's (a reference
    may name another scope); the page API object is made on first use."""

    def __init__(self, project: Project, processed_dir, audience: str, lang: str, scope: str = REGION,
                 area: str | None = None):
        self.project, self.processed_dir, self.audience, self.lang = project, processed_dir, audience, lang
        self.scope, self.area = scope, area
        self.first_year, self.last_year = project.years

    @cached_property
    def page(self) -> "PageData":
        set_language(self.lang)
        return PageData(scope=self.scope, area=self.area, audience=self.audience, first_year=self.first_year,
                        last_year=self.last_year, processed_dir=str(self.processed_dir),
                        data_dir=str(self.project.data_dir))

    # ---- reading a reference -----------------------------------------------------------------
    def parse(self, role: str, reference: str) -> Query:
        words = reference.split()
        if role not in ROLES:
            raise UnknownReference(f"{{{role}}} is not a live value{did_you_mean(role, ROLES, codes=False)}; the live "
                                  f"values are {', '.join('{' + r + '}' for r in ROLES)}")
        if not words:
            raise UnknownReference(f"{{{role}}}`` names nothing; write e.g. {{{role}}}`{self._example(role)}`")
        target, rest = words[0], words[1:]
        ref = self.page.ref
        known = list(ref.top_areas.index) if role in AREA_ROLES else list(ref.indicators.index)
        if target not in known:
            what = "crime area (crime_areas.csv)" if role in AREA_ROLES else "indicator (indicators.csv)"
            raise UnknownReference(f"{target!r} is not a {what}{did_you_mean(target, known)}; known: "
                                  f"{', '.join(known[:12])}{' …' if len(known) > 12 else ''}")
        query = Query(target, self.scope)
        parts = self._parts(target) if role not in AREA_ROLES else []
        scopes = [*ref.countries.index, REGION]
        for word in rest:
            if _YEAR.match(word):
                query.year = int(word)
            elif _PERIOD.match(word):
                first, last = map(int, _PERIOD.match(word).groups())
                if first >= last:
                    raise UnknownReference(f"the period {word} must run from an earlier year to a later one")
                query.period = (first, last)
            elif word in scopes:
                query.scope = word
            elif word in parts:
                query.part = word
            else:
                allowed = [*parts, *scopes]
                raise UnknownReference(f"{word!r} in {{{role}}}`{reference}` is not a year (2024), a period (2020-2024), a "
                                      f"scope ({', '.join(scopes)}){' or a part of ' + target + ' (' + ', '.join(parts) + ')' if parts else ''}"
                                      f"{did_you_mean(word, allowed)}")
        for year in [query.year, *(query.period or ())]:
            if year is not None and not self.first_year <= year <= self.last_year:
                raise UnknownReference(f"{year} in {{{role}}}`{reference}` is outside the assessment's period "
                                      f"{self.first_year}–{self.last_year}")
        if role == "share" and query.part is None:
            raise UnknownReference(f"{{share}}`{reference}` names no part; a share is of a part of {target} "
                                  f"({', '.join(parts) or 'it has none'}), e.g. {{share}}`{target} {parts[0] if parts else ''}`")
        return query

    def _parts(self, indicator: str) -> list[str]:
        spec = self.page.ref.indicators.loc[indicator]
        return [*spec["submarket_list"], *spec["category_list"]]

    def _example(self, role: str) -> str:
        return {"term": "drugs", "tier": "drugs", "rank": "drugs", "trend": "drug_offences"}.get(role, f"drug_offences {self.last_year}")

    # ---- resolving ----------------------------------------------------------------------------
    def resolve(self, role: str, reference: str) -> Live:
        query = self.parse(role, reference)
        return getattr(self, f"_{role}")(query, Live(role, reference, "", scope=query.scope,
                                                     indicator=None if role in AREA_ROLES else query.target,
                                                     area=query.target if role in AREA_ROLES else
                                                     self.page.ref.indicators.at[query.target, "area_id"]))

    def _row(self, query: Query, year: int) -> pd.Series | None:
        by = self.page.breakdown_of(query.target) if query.part else None
        series = self.page.series(query.target, by=by, scope=query.scope)
        if by:
            series = series[series[by].eq(query.part)]
        hit = series[series["year"].eq(year)]
        return None if hit.empty else hit.iloc[0]

    @staticmethod
    def _known(row) -> bool:
        return row is not None and pd.notna(row["value"]) and pd.isna(row.get("months"))

    def _missing(self, live: Live, why: str) -> Live:
        live.text, live.problem = t("not available"), why
        return live

    def _value(self, query: Query, live: Live) -> Live:
        year = query.year or self.last_year
        row = self._row(query, year)
        if row is None:
            return self._missing(live, f"no value in {year}")
        text, _ = observation_text(row, self.page.ref.observation_status)
        if text.startswith(NOT_AVAILABLE):  # ": c" is a confidential value: prose prints its letter alone
            letter = text[len(NOT_AVAILABLE):].strip()
            if letter:  # the edition's own rule (suppression), not a problem of the text
                live.text = letter
                return live
            return self._missing(live, f"no value in {year}")
        live.text = text
        live.number = float(row["value"]) if pd.notna(row["value"]) else None
        return live

    def _change(self, query: Query, live: Live) -> Live:
        first, last = query.period or ((query.year or self.last_year) - 1, query.year or self.last_year)
        a, b = self._row(query, first), self._row(query, last)
        if not (self._known(a) and self._known(b)):
            gone = [str(y) for y, row in ((first, a), (last, b)) if not self._known(row)]
            return self._missing(live, f"no whole-year value in {' and '.join(gone)}")
        if a["value"] == 0:
            return self._missing(live, f"the value of {first} is 0, so a change from it is no percentage")
        breaks = self.page.series(query.target, scope=query.scope)
        broken = breaks[breaks["year"].between(first + 1, last) & breaks["breaks"].astype(bool)]
        if len(broken):
            return self._missing(live, f"a break in series in {int(broken['year'].iloc[0])} makes {first} and {last} "
                                       "incomparable")
        change = (b["value"] - a["value"]) / a["value"]
        live.signed = 100 * change
        live.text = fmt_percent(abs(change), 1)
        live.number = round(abs(100 * change), 1)
        return live

    def _share(self, query: Query, live: Live) -> Live:
        year = query.year or self.last_year
        part, total = self._row(query, year), self._row(Query(query.target, query.scope), year)
        if not (self._known(part) and self._known(total)) or not total["value"]:
            return self._missing(live, f"no whole-year value of the part and the total in {year}")
        share = part["value"] / total["value"]
        live.text, live.number = fmt_percent(share, 1), round(100 * share, 1)
        return live

    def _rate(self, query: Query, live: Live) -> Live:
        year = query.year or self.last_year
        row = self._row(query, year)
        if not self._known(row):
            return self._missing(live, f"no whole-year value in {year}")
        rated = self.page.rate(pd.DataFrame([row]), scope=query.scope)["per_100k"]
        if rated.isna().all():
            return self._missing(live, f"no population of {query.scope} in {year}")
        live.text = rate_text(rated.iloc[0])
        live.number = float(rated.iloc[0])
        return live

    def _trend(self, query: Query, live: Live) -> Live:
        trend = self.page.trend(query.target, query.scope)
        if trend is None:
            reason = self.page.trend_reason(self.page.trend_row(query.target, query.scope))
            return self._missing(live, f"no fitted trend: {reason}")
        live.signed = 100 * float(trend["change_per_year"])
        live.number = round(abs(live.signed), 1)
        live.text = t("{change} a year (90% probability range {low} to {high})",
                      change=signed_percent(trend["change_per_year"]), low=signed_percent(trend["change_low"]),
                      high=signed_percent(trend["change_high"]))
        judgement = self.page.judgement(live.area, query.scope)
        if judgement and judgement.get("term") and self.page.headline_indicator(live.area) == query.target:
            live.term = judgement["term"]
        return live

    def _term(self, query: Query, live: Live) -> Live:
        judgement = self.page.judgement(query.target, query.scope)
        if not judgement or not judgement.get("term"):
            return self._missing(live, "the data support no likelihood term for this crime area")
        live.term = judgement["term"]
        live.text = t(judgement["term"])
        live.number = judgement["percent"]
        return live

    def _tier(self, query: Query, live: Live) -> Live:
        row = self.page.score_row(query.target, query.scope)
        tier = row.get("tier") if row is not None else None
        if tier is None or pd.isna(tier) or not str(tier):
            return self._missing(live, "no priority tier: the crime area has no priority score")
        live.text = t(str(tier))
        return live

    def _rank(self, query: Query, live: Live) -> Live:
        row = self.page.score_row(query.target, query.scope)
        rank = row.get("rank") if row is not None else None
        if rank is None or pd.isna(rank):
            return self._missing(live, "no rank: the crime area has no priority score")
        live.text = fmt_number(int(rank))
        live.number = float(rank)
        return live
