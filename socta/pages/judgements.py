"""Key judgements of a page: the sentence that states a likelihood in the yardstick's terms, with its
confidence, and the ``Judgements`` part of a page that computes them from the processed tables
(the yardstick and the confidence rule themselves are :mod:`socta.analysis.estimative`)."""
from __future__ import annotations

import pandas as pd

from socta.analysis.backtest import scores
from socta.analysis.estimative import confidence_level, likelihood_term
from socta.analysis.outlook import ThreatOutlook, capped_confidence, pool
from socta.analysis.scoring import change_between_periods
from socta.core.config import REGION
from socta.core.text import NP_, in_sentence
from socta.i18n.translate import Term, fmt_list, fmt_number, fmt_percent, t, tn, tp
from socta.pages.formatting import probability_text, share_text


def judgement_sentence(term: str, opening: str, band: str, area: Term, scope: Term, first: int, last: int,
                       probability: str) -> str:
    """The key-judgement sentence, grammatical for every yardstick term: ``opening`` comes from the
    yardstick's configuration ("There is a {term} that", "It is {term} that"), the one part of it a dataset
    may word; ``band`` is the term's range. The rest is one message, with the area and the scope in the
    forms the language asks for."""
    start = t(opening or "It is {term} that", term=f"**{t(term)}** ({band})")
    return t("{start} the threat from {area} in {scope} will grow over {first}–{last} (estimated probability {p}%).",
             start=start, area=area, scope=scope, first=str(first), last=str(last), p=probability)


# the levels of analytic confidence as words of their own: in Serbian and Macedonian the word agrees with
# "confidence" (висока поузданост), not with a threat (висока претња) or an answer
CONFIDENCE_LEVELS = (NP_("confidence", "high"), NP_("confidence", "moderate"), NP_("confidence", "low"))


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
        too_few = tn("fewer than {n} year with a final whole-year value", "fewer than {n} years with a final whole-year "
                     "value", minimum)
        if tr is not None and pd.notna(tr.get("break_year")):
            too_few = tn("fewer than {n} year with a final whole-year value since the break in series in {year}",
                         "fewer than {n} years with a final whole-year value since the break in series in {year}",
                         minimum, year=str(int(tr["break_year"])))
        return {
            "no_data": t("no data"),
            "too_few_points": too_few,
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

    def threat_outlook(self, area: str | None = None, scope: str | None = None) -> tuple[ThreatOutlook, dict]:
        """The pooled outlook of an area's threat in a scope (:mod:`socta.analysis.outlook`) and what it rests
        on: ``used`` (indicators whose trend the data support), ``left`` ({indicator: why not}), ``widest``
        (the widest 90% interval of a used trend), ``unstable`` (used indicators whose trend depends on its window),
        ``jumps`` (indicators left out for a jump that looks like a change of recording)."""
        area, scope = area or self.area, scope or self.scope
        cfg = self.project.settings.judgement
        used, left, widest, unstable, jumps = {}, {}, float("nan"), [], []
        for indicator in self.area_indicators(area):
            trend = self.trend(indicator, scope)
            if trend is None:
                left[indicator] = self.trend_reason(self.trend_row(indicator, scope))
            elif not self.supports_judgement(indicator, trend, scope):
                left[indicator] = self.unsupported_reason(trend, indicator, scope)
                if pd.notna(trend.get("suspected_break")) or self.country_breaks(indicator, trend, scope):
                    jumps.append(indicator)
            elif pd.isna(trend.get("p_rise")):
                left[indicator] = t("not fitted")
            else:
                used[indicator] = (float(trend["p_rise"]), bool(trend["headline"]))
                width = float(trend["change_high"] - trend["change_low"])
                widest = width if not widest == widest or width > widest else widest
                if bool(trend.get("unstable", False)):
                    unstable.append(indicator)
        experts = self.table("expert_assessments")
        members = self.countries if scope == REGION else [scope]
        outlooks = experts.loc[experts["area"].eq(area) & experts["country"].isin(members), "outlook"].dropna()
        outlook = pool(used, list(outlooks.astype(float)), cfg.weights, float(cfg.headline_weight))
        return outlook, {"used": used, "left": left, "widest": widest, "unstable": unstable, "jumps": jumps}

    def backtest_skill(self, kind: str) -> float:
        """The Brier skill against climatology of this edition's own backtest for one kind of series (NaN
        without forecasts of that kind)."""
        table = self.table("backtest")
        return scores(table[table["kind"].eq(kind)])["skill_climatology"] if len(table) else float("nan")

    def judgement(self, area: str | None = None, scope: str | None = None) -> dict | None:
        """The key judgement on an area in a scope: will its threat grow over the assessment's horizon?

        The likelihood term comes from the yardstick, and only when the evidence supports one: with no
        indicator trend the data support and no expert outlook, or low analytic confidence, the judgement
        says so plainly instead (``term`` is then None).
        """
        area, scope = area or self.area, scope or self.scope
        scope_name, area_name = self.scope_term(scope), self.area_term(area)
        base, ev = self.analytic_confidence(area, scope)
        outlook, parts = self.threat_outlook(area, scope)
        confidence, caps = capped_confidence(base, outlook, parts["widest"], bool(parts["unstable"]),
                                             self.project.settings.confidence.caps, bool(parts["jumps"]))
        h = int(self.project.settings.judgement.horizon_years)
        first, last = self.last_year + 1, self.last_year + h
        basis = self.confidence_basis(confidence, ev)
        reasons = {
            "wide_interval": t("a trend behind it is uncertain (its 90% range is wider than {w} points)",
                               w=fmt_number(100 * float(self.project.settings.confidence.caps.interval_width_high))),
            "experts_disagree": t("the experts disagree on the outlook"),
            "experts_divided": t("the experts are divided on the outlook"),
            "evidence_split": t("the evidence points both ways"),
            "unstable": t("a trend behind it changes with the years it is fitted on"),
            "recording_jump": t("a series of the area jumps in a way that looks like a change of recording"),
        }
        if caps:
            basis += " " + t("It is not higher because {reasons}.", reasons=fmt_list([reasons[c] for c in caps]))
        missing = [t(self.ref.country_name(c)) for c in str(ev.get("missing_countries", "") or "").split("|")
                   if c in self.ref.countries.index]
        if missing and scope == REGION:
            basis += " " + tn("{countries} reported no value for {year}.", "{countries} reported no value for {year}.",
                              len(missing), year=str(self.last_year), countries=fmt_list(missing))
        result = {"area": area, "scope": scope, "term": None, "percent": float("nan"), "in_gap": False,
                  "confidence": confidence, "basis": basis, "outlook": outlook}
        if not outlook.has_evidence and not parts["left"]:
            result["text"] = t("The data cannot support a judgement on whether the threat from {area} in {scope} will "
                               "grow over {first}–{last}: this dataset has no statistics on it (no indicator is "
                               "configured for it), and no expert outlook.", area=area_name,
                               scope=scope_name, first=str(first), last=str(last))
            return result
        if not outlook.has_evidence:
            why = "; ".join(f"{in_sentence(t(self.ref.indicators.at[i, 'name_en']))}: {r}" for i, r in parts["left"].items())
            result["text"] = t("The data cannot support a judgement on whether the threat from {area} in {scope} will "
                               "grow over {first}–{last}: no expert outlook, and no indicator with a trend the data "
                               "support ({why}).", area=area_name, scope=scope_name, first=str(first), last=str(last),
                               why=why)
            return result
        evidence = self.outlook_evidence(outlook, parts)
        if confidence == "low":
            result["text"] = t("The data cannot support a judgement on whether the threat from {area} in {scope} will "
                               "grow over {first}–{last}: analytic confidence is low.", area=area_name,
                               scope=scope_name, first=str(first), last=str(last)) + " " + evidence
            return result
        likelihood = likelihood_term(outlook.p, self.ref.yardstick)
        result.update(term=likelihood.term, percent=likelihood.percent, in_gap=likelihood.in_gap)
        band = self.ref.yardstick.set_index("term").loc[likelihood.term]
        result["text"] = judgement_sentence(likelihood.term, self.yardstick_opening(likelihood.term),
                                            f"{band['lower_pct']:g}–{band['upper_pct']:g}%", area_name, scope_name,
                                            first, last, probability_text(likelihood.percent)) + " " + evidence
        kinds = {self.ref.indicators.at[i, "kind"] for i in parts["used"]}
        # no skill where the backtest has forecasts of the kind and they did no better (none: nothing to say)
        skills = [self.backtest_skill(k) for k in sorted(kinds)]
        unskilled = [s for s in skills if s == s and s <= float(self.project.settings.judgement.skill_min)]
        if unskilled:
            result["text"] += " " + t("In this edition's backtest, the model's forecasts of such series were no better "
                                      "than their base rate, so the statistics add little to this judgement.")
        return result

    def outlook_evidence(self, outlook: ThreatOutlook, parts: dict) -> str:
        """What the judgement rests on, in a sentence or two: the indicators' direction, the experts'."""
        out = []
        if parts["used"]:
            # one count governs each sentence's grammar; the others stand where no word agrees with them. What an
            # indicator indicates is its (calibrated) chance of a higher mean over the horizon than over as many
            # years before it, which a small yearly trend can leave below even: said as such, not as its trend
            h = int(self.project.settings.judgement.horizon_years)
            out.append(tn("Of the {n} indicator with a trend the data support, the mean over {next} is more likely than "
                          "not higher than over {past} for {up} and lower for {down}.",
                          "Of the {n} indicators with a trend the data support, the mean over {next} is more likely than "
                          "not higher than over {past} for {up} and lower for {down}.", len(parts["used"]),
                          up=int(outlook.rising), down=int(outlook.falling),
                          next=f"{self.last_year + 1}–{self.last_year + h}", past=f"{self.last_year - h + 1}–{self.last_year}"))
        if outlook.experts:
            out.append(tn("{n} expert answered on the outlook: growth {up}, no change {level}, a fall {down}.",
                          "{n} experts answered on the outlook: growth {up}, no change {level}, a fall {down}.",
                          int(outlook.experts), up=int(outlook.experts_up), level=int(outlook.experts_level),
                          down=int(outlook.experts_down)))
        if parts["left"] and parts["used"] or parts["left"] and outlook.experts:
            out.append(t("Not used: {indicators}.", indicators=fmt_list([
                f"{in_sentence(t(self.ref.indicators.at[i, 'name_en']))} ({why})" for i, why in parts["left"].items()])))
        return " ".join(out)

    def confidence_basis(self, confidence: str, ev: pd.Series) -> str:
        """The analytic-confidence sentence: the level, and the quality of the evidence behind it; a whole
        sentence for each case, its words agreeing with the number of expert respondents."""
        level = tp("confidence", confidence)
        experts = int(ev["respondents"]) if self.has_input("expert_assessments.csv") else None
        complete = fmt_percent(ev["completeness"])
        if int(ev["rows"]) and ev.get("graded_share_band", "") == "few":
            k = str(self.project.settings.public.share_min_rows)
            if experts is None:
                return t("Analytic confidence: **{level}**. The share of the statistics behind it that come from reliable "
                         "sources is not shown in the public edition, because it rests on too few rows (fewer than {k}); "
                         "{complete} of the expected values are present, and no expert assessments are part of this "
                         "dataset.",
                         level=level, k=k, complete=complete)
            return tn("Analytic confidence: **{level}**. The share of the statistics behind it that come from reliable "
                      "sources is not shown in the public edition, because it rests on too few rows (fewer than {k}); "
                      "{complete} of the expected values are present, and {n} expert respondent assessed the area.",
                      "Analytic confidence: **{level}**. The share of the statistics behind it that come from reliable "
                      "sources is not shown in the public edition, because it rests on too few rows (fewer than {k}); "
                      "{complete} of the expected values are present, and {n} expert respondents assessed the area.",
                      experts, level=level, k=k, complete=complete)
        if int(ev["rows"]):
            graded = share_text(ev["graded_share"], ev.get("graded_share_band", ""), ev.get("graded_share_bound", float("nan")))
            if experts is None:
                return t("Analytic confidence: **{level}**. Of the statistics behind it, {graded} come from reliable "
                         "sources (A or B) with information graded 1 or 2, {complete} of the expected values are present, "
                         "and no expert assessments are part of this dataset.", level=level, graded=graded, complete=complete)
            return tn("Analytic confidence: **{level}**. Of the statistics behind it, {graded} come from reliable sources "
                      "(A or B) with information graded 1 or 2, {complete} of the expected values are present, and {n} "
                      "expert respondent assessed the area.",
                      "Analytic confidence: **{level}**. Of the statistics behind it, {graded} come from reliable sources "
                      "(A or B) with information graded 1 or 2, {complete} of the expected values are present, and {n} "
                      "expert respondents assessed the area.", experts, level=level, graded=graded, complete=complete)
        if experts is None:
            return t("Analytic confidence: **{level}**. No statistics of the period stand behind it, and no expert "
                     "assessments are part of this dataset.", level=level)
        return tn("Analytic confidence: **{level}**. No statistics of the period stand behind it; {n} expert respondent "
                  "assessed the area.", "Analytic confidence: **{level}**. No statistics of the period stand behind it; "
                  "{n} expert respondents assessed the area.", experts, level=level)

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
            return tn("the period is shorter than {n} year", "the period is shorter than {n} years", 2 * window)
        breaks = span.loc[span["breaks"].astype(bool) & span["year"].gt(span["year"].min()), "year"]
        if len(breaks):
            return t("break in series in {year}", year=str(int(breaks.iloc[-1])))
        if span["value"].isna().any():
            return t("a year is missing in one of the periods")
        return ""
