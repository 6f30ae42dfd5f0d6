"""Key judgements of a page: the sentence that states a likelihood in the yardstick's terms, with its
confidence, and the ``Judgements`` part of a page that computes them from the processed tables
(the yardstick and the confidence rule themselves are :mod:`socta.analysis.estimative`)."""
from __future__ import annotations

import pandas as pd

from socta.analysis.estimative import confidence_level, likelihood_term
from socta.analysis.scoring import change_between_periods
from socta.core.config import REGION
from socta.core.text import in_sentence
from socta.i18n.translate import fmt_percent, t
from socta.pages.formatting import probability_text, share_text, signed_percent


def judgement_sentence(term: str, opening: str, indicator: str, scope: str, forecast_year: int, reference_year: int,
                       probability: str) -> str:
    """The key-judgement sentence, grammatical for every yardstick term: ``opening`` comes from the
    yardstick's configuration ("There is a {term} that", "It is {term} that")."""
    start = t(opening or "It is {term} that", term=f"**{t(term)}**")
    return t("{start} {indicator} in {scope} will be higher in {next} than in {ref} (estimated probability {p}%).",
             start=start, indicator=indicator, scope=scope, next=str(forecast_year), ref=str(reference_year),
             p=probability)


class Judgements:
    """The judgements a page may make from its :class:`~socta.pages.data.EditionData`: whether the
    headline indicator will rise (in the yardstick's words), with what analytic confidence, whether
    two periods can be compared, and in words why not when the data cannot support it.

    A mixin over ``EditionData``: it reads the data through it and prints nothing.
    """

    def trend_reason(self, tr: pd.Series | None) -> str:
        """Why no trend is given, in words."""
        reason = "" if tr is None else tr.get("reason", "")
        minimum = self.project.settings.trends.min_points
        since = ""
        if tr is not None and pd.notna(tr.get("break_year")):
            since = " " + t("since the break in series in {year}", year=str(int(tr["break_year"])))
        return {
            "no_data": t("no data"),
            "too_few_points": t("fewer than {n} years with a final whole-year value{since}", n=str(minimum), since=since),
            "too_sparse": t("counts too small to fit a trend"),
            "no_anchor": t("no final value to project from"),
        }.get(reason, t("no data") if tr is None else t("not fitted"))

    def country_breaks(self, indicator: str, trend: pd.Series, scope: str | None = None) -> list[str]:
        """For a regional trend: the countries whose own series jumps (a suspected change of recording,
        flagged on their pages) inside the years the region's trend is fitted on, as "Serbia (2019)". The
        regional total hides the jump in a sum; its trend would read a recording change as a trend."""
        if (scope or self.scope) != REGION or not indicator:
            return []
        found = []
        for iso3 in self.countries:
            own = self.trend_row(indicator, iso3)
            year = None if own is None else own.get("suspected_break")
            if year is not None and pd.notna(year) and int(trend["first_year"]) < int(year) <= int(trend["last_fit_year"]):
                found.append(t("{country} ({year})", country=t(self.ref.country_name(iso3)), year=str(int(year))))
        return found

    def supports_judgement(self, indicator: str, trend: pd.Series, scope: str | None = None) -> bool:
        return bool(trend.get("supports_judgement", True)) and not self.country_breaks(indicator, trend, scope)

    def unsupported_reason(self, trend: pd.Series, indicator: str | None = None, scope: str | None = None) -> str:
        """Why a fitted trend cannot carry a likelihood term."""
        breaks = self.country_breaks(indicator, trend, scope) if indicator else []
        if breaks and bool(trend.get("supports_judgement", True)):
            return t("the regional total includes a country's series that jumps within the fitted years, which looks "
                     "like a change of recording rather than of crime: {countries}", countries=", ".join(breaks))
        if pd.notna(trend.get("suspected_break")):
            return t("the series jumps in {year}, which looks like a change of recording rather than of crime (mark "
                     "that year with status B if it is one)", year=str(int(trend["suspected_break"])))
        return t("the fitted change is too uncertain")

    def analytic_confidence(self, area: str | None = None, scope: str | None = None) -> tuple[str, pd.Series]:
        """The analytic confidence of judgements on an area in a scope, and the evidence it rests on."""
        ev = self.evidence(area, scope)
        if isinstance(ev.get("confidence"), str):   # computed from the exact evidence when the data were processed
            return ev["confidence"], ev
        level = confidence_level(ev["graded_share"], ev["completeness"], int(ev["respondents"]),
                                 self.project.settings.confidence)
        return level, ev

    def judgement(self, area: str | None = None, scope: str | None = None) -> dict | None:
        """The key judgement on an area in a scope: will its headline indicator rise in the forecast year?

        The likelihood term comes from the yardstick, and only when the evidence supports one: with no
        fitted trend, an interval too wide to read, or low analytic confidence, the judgement says so
        plainly instead (``term`` is then None).
        """
        area, scope = area or self.area, scope or self.scope
        indicator = self.headline_indicator(area)
        scope_name = t("the region") if scope == REGION else t(self.ref.country_name(scope))
        confidence, ev = self.analytic_confidence(area, scope)
        experts = t("{n} expert respondents assessed the area", n=int(ev["respondents"])) \
            if self.has_input("expert_assessments.csv") else t("no expert assessments are part of this dataset")
        if int(ev["rows"]) and ev.get("graded_share_band", "") == "few":
            basis = t("Analytic confidence: **{level}**. The share of the statistics behind it that come from reliable "
                      "sources is not shown in the public edition, because it rests on fewer than {n} rows; {complete} "
                      "of the expected values are present, and {experts}.", level=t(confidence),
                      n=str(self.project.settings.public.share_min_rows),
                      complete=fmt_percent(ev["completeness"]), experts=experts)
        elif int(ev["rows"]):
            basis = t("Analytic confidence: **{level}**. Of the statistics behind it, {graded} come from reliable "
                      "sources (A or B) with information graded 1 or 2, {complete} of the expected values are present, "
                      "and {experts}.", level=t(confidence),
                      graded=share_text(ev["graded_share"], ev.get("graded_share_band", ""),
                                        ev.get("graded_share_bound", float("nan"))),
                      complete=fmt_percent(ev["completeness"]), experts=experts)
        else:
            basis = t("Analytic confidence: **{level}**. No statistics of the period stand behind it, and {experts}.",
                      level=t(confidence), experts=experts)
        missing = [t(self.ref.country_name(c)) for c in str(ev.get("missing_countries", "") or "").split("|")
                   if c in self.ref.countries.index]
        if missing and scope == REGION:
            basis += " " + t("No {year} value from: {countries}.", year=str(self.last_year), countries=", ".join(missing))
        result = {"area": area, "scope": scope, "term": None, "percent": float("nan"), "in_gap": False,
                  "confidence": confidence, "basis": basis}
        if indicator is None:
            has_any = self.ref.indicators["area_id"].eq(area).any()
            result["text"] = t("No judgement on {area} in {scope}: none of its indicators is marked as the headline "
                               "in indicators.csv.", area=in_sentence(self.area_name(area)), scope=scope_name) if has_any else \
                t("No judgement on {area} in {scope}: this dataset has no statistics on it (no indicator is configured "
                  "for it in indicators.csv).", area=in_sentence(self.area_name(area)), scope=scope_name)
            return result
        name = in_sentence(t(self.ref.indicators.at[indicator, "name_en"]))
        tr = self.trend_row(indicator, scope)
        trend = self.trend(indicator, scope)
        if trend is None:
            reason = self.trend_reason(tr)
            silent = self.countries_without_data(indicator) if scope == REGION else []
            if silent:
                reason = t("no regional total, because {countries} reported no value of it in the period",
                           countries=", ".join(t(self.ref.country_name(c)) for c in silent))
            elif scope == REGION and self.country_gaps(indicator):
                reason += " " + t("(a regional total needs every country; missing: {gaps})",
                                  gaps="; ".join(self.country_gaps(indicator)))
            result["text"] = t("The data cannot support a judgement on whether {indicator} in {scope} will rise: "
                               "{reason}.", indicator=name, scope=scope_name, reason=reason)
            return result
        pct = signed_percent
        fitted = t("The fitted trend is {change} a year (90% probability range {low} to {high}) over {first}–{last}.",
                   change=pct(trend["change_per_year"]), low=pct(trend["change_low"]), high=pct(trend["change_high"]),
                   first=str(int(trend["first_year"])), last=str(int(trend["last_fit_year"])))
        supported = self.supports_judgement(indicator, trend, scope)
        if not supported or confidence == "low":
            why = self.unsupported_reason(trend, indicator, scope) if not supported else t("analytic confidence is low")
            result["text"] = t("The data cannot support a judgement on whether {indicator} in {scope} will be higher in "
                               "{next} than in {ref}: {why}.", indicator=name, scope=scope_name,
                               next=str(int(trend["forecast_year"])), ref=str(int(trend["reference_year"])), why=why) \
                + " " + fitted
            return result
        likelihood = likelihood_term(trend["p_exceeds_last"], self.ref.yardstick)
        result.update(term=likelihood.term, percent=likelihood.percent, in_gap=likelihood.in_gap)
        result["text"] = judgement_sentence(likelihood.term, self.yardstick_opening(likelihood.term), name, scope_name,
                                            int(trend["forecast_year"]),
                                            int(trend["reference_year"]), probability_text(likelihood.percent)) + " " + fitted
        return result

    def yardstick_opening(self, term: str) -> str:
        """The configured start of a judgement sentence for ``term``; "" lets the sentence use its default."""
        y = self.ref.yardstick
        hit = y.loc[y["term"].eq(term), "opening"] if "opening" in y.columns else []
        return hit.iloc[0] if len(hit) else ""

    def change(self, indicator: str) -> float:
        """Change of the mean of the last ``trend_window`` years against the years before, in %; NaN
        where the periods cannot be compared (:meth:`change_gap` says why)."""
        window = self.project.settings.assessment.trend_window
        series = self.series(indicator)
        if self.change_gap(series):
            return float("nan")
        return change_between_periods(series, self.change_anchor(series), window)

    def change_anchor(self, series: pd.DataFrame) -> int:
        """The last year the two periods of a change end on: the series' own last whole-year value, so
        that one part-year figure after it (or a year not yet reported) does not make the change
        incomparable; the period's last year for a series with no whole-year value."""
        whole = series[series["value"].notna() & series["months"].isna()]
        return int(whole["year"].max()) if len(whole) else self.last_year

    def change_gap(self, series: pd.DataFrame) -> str:
        """Why two periods of a series cannot be compared, or "" when they can."""
        window = self.project.settings.assessment.trend_window
        anchor = self.change_anchor(series)
        span = series[series["year"].between(anchor - 2 * window + 1, anchor)]
        if not span["value"].notna().any():
            if span["censor"].isin(["below", "above"]).any():
                return t("values published only as below or above a level")
            return t("no data")
        if anchor - self.first_year + 1 < 2 * window:
            return t("the period is shorter than {n} years", n=str(2 * window))
        breaks = span.loc[span["breaks"].astype(bool) & span["year"].gt(span["year"].min()), "year"]
        if len(breaks):
            return t("break in series in {year}", year=str(int(breaks.iloc[-1])))
        if span["value"].isna().any():
            return t("a year is missing in one of the periods")
        return ""
