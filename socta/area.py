"""The building blocks of a crime-area page (notebooks/area.md), for any area the configuration defines."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import figures
from .config import REGION
from .i18n import fmt_number, fmt_percent, t
from .formatting import change_words, rate_text, signed_percent
from .notebook import Page
from .observations import NOT_AVAILABLE


class AreaPage(Page):
    """A crime-area page for one country or for the region."""

    def summary(self) -> None:
        """The area's threat, harm, priority rank and tier in this scope, in one paragraph."""
        row = self.score_row()
        ranked = self.scores[self.scores["scope"].eq(self.scope) & self.scores["rank"].notna()]
        if pd.isna(row["rank"]):
            n_threat = len(self.ref.threat_indicators)
            self.say(t("In {scope}, {area} is not ranked: it has no harm score (no expert assessment) and no threat score, "
                       "because only {known} of the {n} threat indicators can be scored from the data available, less "
                       "than the share the method requires (settings.yaml priority.min_known_share).",
                       scope=self.scope_name, area=self.area_name().lower(), known=str(int(row.get("threat_known", 0))),
                       n=str(n_threat)))
            return
        basis = {"threat+harm": "", "threat": " " + t("Harm is not scored (no expert assessment), so the priority is "
                                                      "the threat score alone."),
                 "harm": " " + t("Threat is not scored (no usable indicator), so the priority is the harm score alone.")}
        self.say(t(
            "In {scope}, {area} has a threat score of **{threat}** and a harm score of **{harm}** (both on "
            "0–100), giving a priority score of **{priority}**: rank **{rank}** of {n} crime areas, "
            "**{tier}**.",
            scope=self.scope_name, area=self.area_name().lower(),
            threat=self.score(row, "threat"), harm=self.score(row, "harm"),
            priority=self.score(row, "priority"), rank=int(row["rank"]),
            n=len(ranked), tier=t(row["tier"]),
        ) + basis.get(row.get("priority_basis", "threat+harm"), "") + self.score_note(row.to_frame().T))

    def gaps_note(self, data: pd.DataFrame) -> str:
        """What a figure or table leaves out: years with no complete value, and who is missing."""
        if data.empty:
            return ""
        totals = data.groupby("year").agg(value=("value", lambda v: v.notna().all()),
                                          missing=("missing_countries", lambda v: "|".join(sorted({c for x in v for c in str(x).split("|") if c}))))
        gaps = totals[~totals["value"]]
        if gaps.empty:
            return ""
        from .coverage import year_ranges

        who = sorted({c for x in gaps["missing"] for c in x.split("|") if c})
        names = ", ".join(t(self.ref.country_name(c)) for c in who if c in self.ref.countries.index)
        if self.is_region and names:
            return " " + t("No regional total for {years}: not every country reported (missing or incomplete: {who}).",
                           years=year_ranges(gaps.index), who=names)
        return " " + t("No complete value for {years}.", years=year_ranges(gaps.index))

    def indicator_figure(self, indicator: str, key: str | None = None) -> None:
        """The indicator over the years, split as the data are (sub-markets as lines or panels, categories as
        stacked bars). A year with no complete value is a gap, never a zero; a value published as below a
        threshold is drawn as an open triangle at that threshold, a part-year value as an open circle."""
        spec = self.ref.indicators.loc[indicator]
        by = self.breakdown_of(indicator)
        data = self.series(indicator, by=by)
        name = self.indicator_name(indicator)
        if not data["value"].notna().any() and not data["censor"].isin(["below", "above"]).any():
            self.no_data(t("No data on {indicator} for {scope} in {first}–{last}.", indicator=name.lower(),
                           scope=self.scope_name, first=str(self.first_year), last=str(self.last_year)))
            return
        years = range(self.first_year, self.last_year + 1, 2 if self.last_year - self.first_year > 8 else 1)
        title = f"{name} — {self.scope_title}"
        groups = [(None, data)] if by is None else [(g, d) for g, d in data.groupby(by, sort=False)]
        peaks = pd.Series({g: d["value"].max() for g, d in groups}).fillna(0)
        panels = by == "submarket" and len(groups) > 1 and peaks.max() > 8 * max(peaks.min(), 1e-9)
        if panels:
            nrows = -(-len(groups) // 2)
            fig, axes = figures.new_figure("panel", nrows, 2, sharex=True, squeeze=False)
            for ax, colour, (group, part) in zip(axes.flat, figures.PALETTE, groups):
                figures.observed_line(ax, part, colour)
                ax.set_ylim(bottom=0)
                ax.set_title(self.part_name(group), fontsize=9.5)
                ax.set_xticks(years)
                ax.tick_params(labelbottom=True)  # every panel keeps its years, also above an empty slot
                figures.thousands(ax)
            for ax in axes.flat[len(groups):]:
                ax.set_visible(False)
            fig.suptitle(title, x=0.0, ha="left", fontsize=10.5, fontweight="bold")
            fig.supylabel(t(spec["unit"]), fontsize=9.5)
        else:
            fig, ax = figures.new_figure("wide")
            if by == "category":
                wide = data.pivot(index="year", columns="category", values="value")
                complete = wide.notna().all(axis=1)  # a stacked bar with a part missing would understate
                bottom = np.zeros(int(complete.sum()))
                for colour, column in zip(figures.PALETTE, wide.columns):
                    ax.bar(wide.index[complete], wide.loc[complete, column], bottom=bottom, label=self.part_name(column),
                           color=colour, width=0.75)
                    bottom += wide.loc[complete, column].to_numpy()
                for year in wide.index[~complete]:
                    ax.annotate(t("n/a"), (year, 0), ha="center", va="bottom", fontsize=7.5, color=figures.MUTED)
            elif by:
                for colour, (group, part) in zip(figures.PALETTE, groups):
                    figures.observed_line(ax, part, colour, label=self.part_name(group))
            else:
                figures.observed_line(ax, data, figures.PALETTE[0], label=t("Recorded"))
                self._fitted_line(ax, indicator)
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
            ax.set_title(title)
            ax.set_ylabel(t(spec["unit"]))
            ax.set_xlabel("")
            ax.set_ylim(bottom=0)
            ax.set_xticks(years)
            ax.set_xlim(self.first_year - 0.6, max(ax.get_xlim()[1], self.last_year + 0.6))
            figures.thousands(ax)
        totals = self.series(indicator)
        split = t(", one panel per sub-market") if panels else (t(" by sub-market") if by == "submarket" else
                                                                t(" by category") if by == "category" else "")
        marks = figures.marks_used(data)
        caption = t("{indicator} in {scope}, {first}–{last}{split}.", indicator=name, scope=self.scope_name,
                    first=str(self.first_year), last=str(self.last_year), split=split)
        caption += self.gaps_note(data) + "".join(" " + m for m in marks)
        self.figure(fig, key or indicator, caption, self.figure_alt(indicator, totals))

    def figure_alt(self, indicator: str, totals: pd.DataFrame) -> str:
        """Alt text that states what the chart shows, computed from the same series."""
        known = totals.dropna(subset=["value"])
        text = t("Chart of {indicator} in {scope} per year from {first} to {last}.",
                 indicator=self.indicator_name(indicator).lower(), scope=self.scope_name,
                 first=str(self.first_year), last=str(self.last_year))
        if len(known):
            peak = known.loc[known["value"].idxmax()]
            text += " " + t("Highest total: {value} in {year}.", value=self.num(peak["value"]), year=str(int(peak["year"])))
        change = self.change(indicator)
        if pd.notna(change):
            text += " " + t("The mean of the last years is {change} than the years before.", change=change_words(change))
        return text

    def _fitted_line(self, ax, indicator: str) -> None:
        """The trend model's fitted values over its span and its expected value for the forecast year."""
        tr = self.trend(indicator)
        if tr is None:
            return
        years = np.arange(int(tr["first_year"]), int(tr["last_fit_year"]) + 1)
        ref_year = int(tr["reference_year"])
        fitted = tr["fitted_last"] * (1 + tr["change_per_year"]) ** (years - ref_year)
        ax.plot(years, fitted, ls="--", lw=1.4, color=figures.PALETTE[5], label=t("Fitted trend"))
        nxt = int(tr["forecast_year"])
        ax.plot([nxt], [tr["expected_next"]], marker="o", ms=6, mfc="white", mec=figures.PALETTE[5], ls="",
                label=t("Expected {year}", year=str(nxt)))

    def indicator_table(self, years: int = 5) -> None:
        """The last ``years`` years of every indicator of the area, flagged as official statistics flag
        them, with the rate per 100,000 in the last year with a value and the change between periods."""
        from .observations import footnote_legend, observation_text

        window = int(self.project.settings["assessment"]["trend_window"])
        shown = list(range(max(self.first_year, self.last_year - years + 1), self.last_year + 1))
        rows, used = [], set()
        for indicator in self.area_indicators():
            spec = self.ref.indicators.loc[indicator]
            yearly = self.series(indicator).set_index("year")
            row = {t("Indicator"): t(spec["name_en"]), t("Unit"): t(spec["unit"])}
            for year in shown:
                text, marks = observation_text(yearly.loc[year], self.ref.observation_status)
                row[str(year)] = text
                used |= marks
            known = yearly[yearly["value"].notna() & yearly["months"].isna()]
            if len(known):
                year = int(known.index.max())
                rate = self.rate(known.loc[[year]].reset_index(), scope=self.scope)["per_100k"].iloc[0]
                row[t("Per 100,000 inhabitants")] = (f"{rate_text(rate)} ({year})" if pd.notna(rate)
                                                     else NOT_AVAILABLE)
            else:
                row[t("Per 100,000 inhabitants")] = NOT_AVAILABLE
                used.add(NOT_AVAILABLE)
            row[t("Change, last {w} years vs {w} before", w=window)] = change_words(self.change(indicator), self.change_gap(self.series(indicator)))
            if self.audience == "restricted":  # grades and handling codes next to the data they qualify
                rows_used = self.statistics[self.statistics["indicator"].eq(indicator)
                                            & self.statistics["year"].eq(self.last_year)]
                if not self.is_region:
                    rows_used = rows_used[rows_used["country"].eq(self.scope)]
                row[t("Grade")] = "/".join(sorted(rows_used["grade"].dropna().unique())) or "–"
                row[t("Handling")] = rows_used["handling_code"].max() if len(rows_used) else "–"
            rows.append(row)
        if not rows:
            self.no_data(t("No indicator of {area} is configured (indicators.csv).", area=self.area_name().lower()))
            return
        frame = pd.DataFrame(rows)
        align = {str(y): "r" for y in shown} | {t("Per 100,000 inhabitants"): "r"}
        legend = footnote_legend(used, self.ref.observation_status)
        note = t("Regional totals only where every country reported.") if self.is_region else ""
        sources = sorted(set(self.table("population")["source"].dropna()))
        if sources:  # rates are only as good as the population they divide by
            note += (" " if note else "") + t("Rates use the population of population.csv: {source}.",
                                               source="; ".join(sources))
        self.show_table(frame, "indicators", t("{area}: indicators for {scope}, {first}–{last}.", area=self.area_name(),
                                               scope=self.scope_name, first=str(shown[0]), last=str(shown[-1])),
                        align, notes="  \n".join(p for p in (legend, note) if p))

    def country_comparison(self, indicator: str | None = None) -> None:
        """Rate per 100,000 inhabitants by country (region page), gaps as gaps."""
        indicator = indicator or self.headline_indicator()
        if indicator is None:
            return
        rated = {iso3: self.rate(self.series(indicator, scope=iso3), scope=iso3) for iso3 in self.countries}
        if not any(r["per_100k"].notna().any() for r in rated.values()):
            self.no_data(t("No country has data on {indicator} in {first}–{last}, so no comparison can be drawn.",
                           indicator=self.indicator_name(indicator).lower(), first=str(self.first_year),
                           last=str(self.last_year)))
            return
        fig, ax = figures.new_figure("wide")
        for colour, (iso3, r) in zip(figures.PALETTE, rated.items()):
            ax.plot(r["year"], r["per_100k"], marker="o", ms=3.5, lw=1.8, color=colour, label=t(self.ref.country_name(iso3)))
        ax.set_title(t("{indicator} per 100,000 inhabitants", indicator=self.indicator_name(indicator)))
        ax.set_ylim(bottom=0)
        ax.set_xticks(range(self.first_year, self.last_year + 1, 2 if self.last_year - self.first_year > 8 else 1))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        latest = {iso3: r.dropna(subset=["per_100k"]).tail(1) for iso3, r in rated.items()}
        latest = {iso3: r for iso3, r in latest.items() if len(r)}
        last_common = min(int(r["year"].iloc[0]) for r in latest.values())
        at_common = {iso3: rated[iso3].set_index("year")["per_100k"].get(last_common) for iso3 in latest}
        at_common = {k: v for k, v in at_common.items() if pd.notna(v)}
        caption = t("{indicator} per 100,000 inhabitants by country, {first}–{last}.",
                    indicator=self.indicator_name(indicator), first=str(self.first_year), last=str(self.last_year))
        missing = [t(self.ref.country_name(c)) for c in self.countries if c not in latest]
        if missing:
            caption += " " + t("No data from {countries}.", countries=", ".join(missing))
        if at_common:
            top = max(at_common, key=at_common.get)
            alt = t("Line chart comparing countries; in {year} the highest rate was in {country} ({rate} per 100,000).",
                    year=str(last_common), country=t(self.ref.country_name(top)), rate=self.num(at_common[top], 1))
        else:
            alt = t("Line chart comparing countries; no year has data from more than one country.")
        self.figure(fig, f"{indicator}-by-country", caption, alt)

    # ---- harm: the template draws it; these give it the sentences -------------------------------
    def no_harm_assessment(self) -> None:
        row = self.score_row()
        rest = " " + t("The priority rests on the threat score alone.") if pd.notna(row["threat"]) else ""
        self.no_data(t("No expert assessment of {area} was made in {scope}, so its harm is not scored.",
                       area=self.area_name().lower(), scope=self.scope_name) + rest)

    def harm_caption(self, answers: pd.DataFrame) -> str:
        """Caption of the harm figure: how many respondents, and where they disagree (computed)."""
        row = self.score_row()
        dims = self.ref.harm_dimensions
        disputed = [t(dims.at[d, "name_en"]).lower() for d in str(row["disagreement"]).split("|") if d]
        note = t(" Respondents disagree widely on: {dims}.", dims=", ".join(disputed)) if disputed else \
            t(" The respondents broadly agree on every dimension.")
        return t("Median harm assessed by {n} expert respondents in {scope} (bars), and each respondent's answer "
                 "(dots).{note}", n=answers["respondent"].nunique(), scope=self.scope_name, note=note)

    def harm_alt(self, answers: pd.DataFrame) -> str:
        medians = answers.groupby("dimension", observed=True)["answer"].median()
        return t("Horizontal bars of median harm per dimension on a scale of 0 to 4, with each answer as a dot; "
                 "highest: {dim}.", dim=str(medians.idxmax()).lower())

    @property
    def harm_scale(self) -> list[str]:
        return [t("none"), t("low"), t("moderate"), t("severe"), t("very severe")]

    @property
    def source_experts(self) -> str:
        return t("Source: expert assessments in {name}{synthetic}.", name=self.dataset.get("name", ""),
                 synthetic=t(" (synthetic demonstration data)") if self.dataset.get("synthetic") else "")

    def ocg_summary(self) -> None:
        """How many OCGs are active in the area and how threatening they are: aggregates only,
        small counts suppressed in the public edition."""
        if not self.has_input("ocg_register.csv"):
            self.no_data(t("No OCG register is part of this dataset, so nothing can be said here about the groups "
                           "active in {area}.", area=self.area_name().lower()))
            return
        agg = self.table("ocg_aggregates")
        row = agg[agg["scope"].eq(self.scope) & agg["area"].eq(self.area)].iloc[0]
        if not row["ocgs_suppressed"] and row["ocgs"] == 0:
            self.say(t("No organised crime group active in {area} was reported in {scope}.",
                       area=self.area_name().lower(), scope=self.scope_name))
            return
        text = t("{n} organised crime groups reported {where} are active in {area}; {high} of them are assessed as high "
                 "threat and {intl} are active in more than one country.",
                 n=self.count(row["ocgs"], row["ocgs_suppressed"]),
                 where=t("in the region") if self.is_region else t("by {c}", c=self.scope_name),
                 area=self.area_name().lower(), high=self.count(row["band_high"], row["band_high_suppressed"]),
                 intl=self.count(row["international"], row["international_suppressed"]))
        if pd.notna(row["mean_score"]):
            text += " " + t("Their mean threat score is {mean}.", mean=self.num(row["mean_score"]))
        if self.threshold and (row["ocgs_suppressed"] or row["band_high_suppressed"] or row["international_suppressed"]):
            text += " " + t("(c: confidential. The public edition does not show counts below {k}, nor any count from "
                            "which one could be worked out.)", k=str(self.threshold))
        self.say(text)

    def trend_table(self) -> None:
        """Every indicator's fitted change per year, its interval and the chance the forecast year is higher;
        an indicator without a fit says why."""
        from .judgements import likelihood_term

        rows = []
        pct = signed_percent
        low_confidence = self.analytic_confidence()[0] == "low"  # then no likelihood term anywhere on the page
        for indicator in self.area_indicators():
            tr = self.trend_row(indicator)
            name = t(self.ref.indicators.at[indicator, "name_en"])
            if tr is None or tr.get("reason"):
                rows.append({t("Indicator"): name, t("Years fitted"): "–", t("Change a year"): "–",
                             t("90% interval"): "–", t("Forecast"): "–",
                             t("Yardstick"): self.trend_reason(tr)})
                continue
            unsupported = not bool(tr.get("supports_judgement", True))
            rows.append({
                t("Indicator"): name,
                t("Years fitted"): f"{int(tr['first_year'])}–{int(tr['last_fit_year'])}",
                t("Change a year"): pct(tr["change_per_year"]),
                t("90% interval"): f"{pct(tr['change_low'])} … {pct(tr['change_high'])}",
                t("Forecast"): t("P({next} > {ref}) = {p}", next=str(int(tr["forecast_year"])),
                                 ref=str(int(tr["reference_year"])), p=fmt_percent(tr["p_exceeds_last"])),
                t("Yardstick"): t("none: {why}", why=self.unsupported_reason(tr)) if unsupported else
                t("none: analytic confidence is low") if low_confidence else
                t(likelihood_term(tr["p_exceeds_last"], self.ref.yardstick).term),
            })
        if not rows:
            return
        frame = pd.DataFrame(rows)
        self.show_table(frame, "trends", t("Trend models for {scope}: fitted change a year and the probability that the "
                                           "year after the last observation exceeds the last final value.",
                                           scope=self.scope_name),
                        align={c: "r" for c in frame.columns[1:5]})
