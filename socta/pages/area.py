"""The building blocks of a crime-area page (notebooks/area.md), for any area the configuration defines."""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from socta.analysis.estimative import likelihood_term
from socta.core.markup import index_term
from socta.core.text import in_sentence
from socta.i18n.translate import fmt_list, fmt_number, fmt_percent, t, tn
from socta.ingest.coverage import year_ranges
from socta.pages import figures
from socta.pages.formatting import change_words, rate_text
from socta.pages.observations import NOT_AVAILABLE, footnote_legend, observation_text
from socta.pages.page import Page


class AreaPage(Page):
    """A crime-area page for one country or for the region."""

    def summary(self) -> None:
        """The area's threat, harm, priority rank and tier in this scope, in one paragraph."""
        row = self.score_row()
        ranked = self.scores[self.scores["scope"].eq(self.scope) & self.scores["rank"].notna()]
        if pd.isna(row["rank"]):
            n_threat = len(self.ref.threat_indicators)
            self.say(tn("In {scope:loc}, {area} is not ranked: it has no harm score (no expert assessment) and no threat "
                        "score, because only {known} of the {n} threat indicator can be scored from the data available, "
                        "less than the share the method requires.",
                        "In {scope:loc}, {area} is not ranked: it has no harm score (no expert assessment) and no threat "
                        "score, because only {known} of the {n} threat indicators can be scored from the data available, "
                        "less than the share the method requires.", n_threat,
                        scope=self.scope_term(), area=self.area_term(), known=int(row.get("threat_known", 0))))
            return
        basis = {"threat+harm": "", "threat": " " + t("Harm is not scored (no expert assessment), so the priority is "
                                                      "the threat score alone."),
                 "harm": " " + t("Threat is not scored (no usable indicator), so the priority is the harm score alone.")}
        self.say(tn(
            "In {scope:loc}, {area} has a threat score of **{threat}** and a harm score of **{harm}** (both on "
            "0–100), giving a priority score of **{priority}**: rank **{rank}** of the {n} crime area ranked, "
            "**{tier}**.",
            "In {scope:loc}, {area} has a threat score of **{threat}** and a harm score of **{harm}** (both on "
            "0–100), giving a priority score of **{priority}**: rank **{rank}** of the {n} crime areas ranked, "
            "**{tier}**.", len(ranked),
            scope=self.scope_term(), area=self.area_term(),
            threat=self.score(row, "threat"), harm=self.score(row, "harm"),
            priority=self.score(row, "priority"), rank=int(row["rank"]), tier=t(row["tier"]),
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

        who = sorted({c for x in gaps["missing"] for c in x.split("|") if c})
        names = ", ".join(t(self.ref.country_name(c)) for c in who if c in self.ref.countries.index)
        if self.is_region and names:
            return " " + t("No regional total for {years}: not every country reported (missing or incomplete: {who}).",
                           years=year_ranges(gaps.index), who=names)
        return " " + t("No complete value for {years}.", years=year_ranges(gaps.index))

    # ---- indicators over time: the template picks the chart; these draw it and give it the sentences ----
    def has_drawable(self, yearly: pd.DataFrame) -> bool:
        """Whether a series has anything to draw: a value, or a value published only as below/above a level."""
        return bool(yearly["value"].notna().any() or yearly["censor"].isin(["below", "above"]).any())

    def no_series_text(self, indicator: str) -> str:
        return t("No data on {indicator} for {scope} in {first}–{last}.", indicator=in_sentence(self.indicator_name(indicator)),
                 scope=self.scope_name, first=str(self.first_year), last=str(self.last_year))

    def index_entries(self) -> None:
        """The page in the book's index: under its crime area, and on a country's page under the country too."""
        area = index_term(self.area_name())
        entry = f"single: {area}" if self.is_region else f"pair: {area}; {index_term(self.scope_name)}"
        if area:
            self.say("```{index} " + entry + "\n```")

    def unit(self, indicator: str) -> str:
        return t(self.ref.indicators.at[indicator, "unit"])

    def fitted_trend(self, indicator: str) -> tuple[pd.DataFrame, pd.Series] | None:
        """The trend model's fitted values over its span (year, fitted) and its expected value for the
        forecast year (year, expected), for the indicator's total; None where no trend was fitted."""
        tr = self.trend(indicator)
        if tr is None:
            return None
        years = np.arange(int(tr["first_year"]), int(tr["last_fit_year"]) + 1)
        fitted = tr["fitted_last"] * (1 + tr["change_per_year"]) ** (years - int(tr["reference_year"]))
        return (pd.DataFrame({"year": years, "fitted": fitted}),
                pd.Series({"year": int(tr["forecast_year"]), "expected": tr["expected_next"],
                           "low": tr.get("next_low", np.nan), "high": tr.get("next_high", np.nan)}))

    # one function per kind of chart; the template chooses which one an indicator gets
    def panels_figure(self, indicator: str, yearly: pd.DataFrame, by: str):
        """Sub-markets of very different size (kg of cannabis and of heroin): a panel each, two a row."""
        parts = list(yearly.groupby(by, sort=False))
        fig, axes = figures.new_figure("panel", -(-len(parts) // 2), 2, sharex=True, squeeze=False)
        for ax, colour, (part, rows) in zip(axes.flat, figures.PALETTE, parts):
            figures.observed_line(ax, rows, colour)
            ax.set_title(self.part_name(part), fontsize=9.5)
            ax.set_ylim(bottom=0)
            figures.year_axis(ax, self.first_year, self.last_year)
            ax.tick_params(labelbottom=True)
            figures.thousands(ax)
        for ax in axes.flat[len(parts):]:
            ax.set_visible(False)
        fig.suptitle(self.indicator_title(indicator), x=0.0, ha="left", fontsize=10.5, fontweight="bold")
        fig.supylabel(self.unit(indicator), fontsize=9.5)
        return fig

    def stacked_figure(self, indicator: str, yearly: pd.DataFrame):
        """Categories that add up to the whole: a bar a year stacking the parts published as numbers.

        Real breakdowns are rarely complete: some parts are never published, others only as below a
        level (``<5``). No year is dropped for that: its bar stacks the parts that are known, and a mark
        above it says what the bar leaves out (``+<5`` for each part published only as below 5, ``n/a``
        where a part is not published), so a bar is never read as the whole when it is not.
        """
        parts = self.stack_parts(yearly)
        years = sorted(int(y) for y in yearly["year"].unique())
        fig, ax = figures.new_figure("wide")
        top = pd.Series(0.0, index=years)
        for colour, hatch, (part, rows) in zip(figures.PALETTE, figures.HATCHES, parts.groupby("part", sort=False)):
            values = rows.set_index("year")["value"].reindex(years)
            known = values.notna()
            if not known.any():  # never published as a number: named in the caption, not in the legend
                continue
            ax.bar(values.index[known], values[known], bottom=top[known], width=0.75, color=colour, hatch=hatch,
                   edgecolor="white", linewidth=0, label=part)
            top[known] += values[known]
        for year, rows in parts.groupby("year"):
            mark = self.left_out_mark(rows)
            if mark:
                ax.annotate(mark, (year, top[int(year)]), xytext=(0, 2), textcoords="offset points", ha="center",
                            va="bottom", fontsize=7, color=figures.MUTED)
        handles, labels = ax.get_legend_handles_labels()
        if handles:  # top to bottom, as the parts are stacked
            ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0))
        self.year_chart(ax, indicator)
        if not top.any():  # nothing but marks: an axis from 0 to the largest bound, so the marks show
            ax.set_ylim(0, max(1.0, float(parts["bound"].max(skipna=True) or 0) * 2))
        return fig

    def stack_parts(self, yearly: pd.DataFrame) -> pd.DataFrame:
        """The rows of a breakdown by category with each part's name, in the configured order."""
        return yearly.assign(part=yearly["category"].map(self.part_name))

    def left_out_mark(self, rows: pd.DataFrame) -> str:
        """What a year's bar leaves out, as the mark above it: ``+<5`` per part published only as
        below a level, ``n/a`` if a part is not published at all."""
        unknown = rows[rows["value"].isna()]
        below = unknown[unknown["censor"].eq("below") & unknown["bound"].notna()]
        marks = ["+<" + fmt_number(bound, int(places)) for bound, places in zip(below["bound"], below.get("decimals", [0] * len(below)))]
        if len(unknown) > len(below):
            marks.append(t("n/a"))
        return " ".join(marks)

    def stacked_marks(self, yearly: pd.DataFrame) -> list[str]:
        """The caption sentences that explain the marks of :meth:`stacked_figure`, and the parts it
        cannot draw at all."""
        parts = self.stack_parts(yearly)
        unknown = parts[parts["value"].isna()]
        below = unknown["censor"].eq("below") & unknown["bound"].notna()
        marks = []
        if below.any():
            marks.append(t("“+<N” above a bar marks a part published only as below N: it is not in the bar."))
        if (~below).any():
            marks.append(t("“{mark}” above a bar marks a part not published for that year: the bar shows the parts that are.",
                           mark=t("n/a")))
        never = [part for part, rows in parts.groupby("part", sort=False) if rows["value"].isna().all()]
        if never:
            marks.append(t("Never published as a number in these years: {parts}.", parts=", ".join(never)))
        return marks

    def lines_figure(self, indicator: str, yearly: pd.DataFrame, by: str | None):
        """The total with the trend model's fitted line and expected next value, or sub-markets of
        similar size: a line each."""
        lines = [(t("Recorded"), yearly)] if by is None else \
            [(self.part_name(part), rows) for part, rows in yearly.groupby(by, sort=False)]
        fig, ax = figures.new_figure("wide")
        for colour, (label, rows) in zip(figures.PALETTE, lines):  # colours by position, so each part keeps its own
            if self.has_drawable(rows):  # a part with nothing to draw has no line, nor a legend entry
                figures.observed_line(ax, rows, colour, label=label)
        fit = self.fitted_trend(indicator) if by is None else None  # the trend model of socta/analysis/trends.py
        if fit is not None:
            fitted, expected = fit
            ax.plot(fitted["year"], fitted["fitted"], ls="--", lw=1.4, color=figures.PALETTE[5], label=t("Fitted trend"))
            # the expected value with the model's 90% range for that year, inside the axes (year_chart widens them)
            span = ([[expected["expected"] - expected["low"]], [expected["high"] - expected["expected"]]]
                    if np.isfinite(expected["low"]) and np.isfinite(expected["high"]) else None)
            ax.errorbar([expected["year"]], [expected["expected"]], yerr=span, marker="o", ms=6, mfc="white",
                        mec=figures.PALETTE[5], ecolor=figures.PALETTE[5], capsize=3, ls="",
                        label=t("Expected {year} (90% range)", year=str(int(expected["year"]))))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        self.year_chart(ax, indicator, int(fit[1]["year"]) if fit is not None else None)
        return fig

    def indicator_title(self, indicator: str) -> str:
        return f"{self.indicator_name(indicator)} — {self.scope_title}"

    def year_chart(self, ax, indicator: str, forecast_year: int | None = None) -> None:
        """Title, unit, a y axis from 0 and the years of the period (and the forecast year, when one is
        drawn): what every one-panel chart has."""
        ax.set(title=self.indicator_title(indicator), ylabel=self.unit(indicator))
        ax.set_ylim(bottom=0)
        if self.ref.indicators.at[indicator, "kind"] == "count":  # 3 victims, never 2.5
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        figures.year_axis(ax, self.first_year, self.last_year, forecast_year)
        figures.thousands(ax)

    def indicator_caption(self, indicator: str, yearly: pd.DataFrame, panels: bool = False) -> str:
        """The caption of an indicator's figure: what, where, when, how it is split, which years are
        missing, and what each open marker means (computed from the series drawn)."""
        by = self.breakdown_of(indicator)
        if "country" in yearly:  # a region with no regional total: the template drew a line per country
            by = "country"
        split = t(", one panel per sub-market") if panels else (t(" by sub-market") if by == "submarket" else
                                                                t(" by category") if by == "category" else
                                                                t(" by country") if by == "country" else "")
        caption = t("{indicator} in {scope}, {first}–{last}{split}.", indicator=self.indicator_name(indicator),
                    scope=self.scope_name, first=str(self.first_year), last=str(self.last_year), split=split)
        marks = self.stacked_marks(yearly) if by == "category" and not panels else figures.marks_used(yearly)
        return caption + self.gaps_note(yearly) + "".join(" " + m for m in marks)

    def figure_alt(self, indicator: str) -> str:
        """Alt text that states what the chart shows, computed from the indicator's total."""
        known = self.series(indicator).dropna(subset=["value"])
        text = t("Chart of {indicator} in {scope} per year from {first} to {last}.",
                 indicator=in_sentence(self.indicator_name(indicator)), scope=self.scope_name,
                 first=str(self.first_year), last=str(self.last_year))
        if len(known):
            peak = known.loc[known["value"].idxmax()]
            text += " " + t("Highest total: {value} in {year}.", value=self.num(peak["value"]), year=str(int(peak["year"])))
        change = self.change(indicator)
        if pd.notna(change):
            text += " " + t("The mean of the last years is {change} than the years before.", change=change_words(change))
        return text

    # ---- the indicator table: the template builds it; these give it each cell and the notes -------
    def observation(self, row: pd.Series) -> str:
        """One yearly value as official statistics print it ("1,234 p", "<5", ": c"); the flags used are
        remembered for the table's legend (:meth:`flags_legend`)."""

        text, marks = observation_text(row, self.ref.observation_status)
        self.flags_used |= marks
        return text

    @cached_property
    def flags_used(self) -> set[str]:
        return set()

    def latest_rate_text(self, indicator: str) -> str:
        """The rate per 100,000 inhabitants in the last year with a whole-year value: "12.3 (2024)"."""
        yearly = self.series(indicator)
        known = yearly[yearly["value"].notna() & yearly["months"].isna()]
        rate = self.rate(known.tail(1), scope=self.scope)["per_100k"] if len(known) else pd.Series(dtype=float)
        if rate.empty or rate.isna().all():
            self.flags_used.add(NOT_AVAILABLE)
            return NOT_AVAILABLE
        return f"{rate_text(rate.iloc[0])} ({int(known['year'].iloc[-1])})"

    @property
    def change_column(self) -> str:
        window = int(self.project.settings["assessment"]["trend_window"])
        return tn("Change, last {n} year vs the one before", "Change, last {n} years vs {n} before", window)

    def change_text(self, indicator: str) -> str:
        """The change of the mean of the last years against the years before, or why it cannot be given."""
        series = self.series(indicator)
        text = change_words(self.change(indicator), self.change_gap(series))
        anchor = self.change_anchor(series)
        if anchor != self.last_year and not self.change_gap(series):  # the periods end on the series' own last year
            text = t("{change} (to {year})", change=text, year=str(anchor))
        return text

    def grading_cells(self, indicator: str) -> dict[str, str]:
        """The restricted edition's grade and handling code of the indicator's last-year statistics
        (next to the data they qualify); nothing in the public edition."""
        if not self.edition.is_restricted:
            return {}
        rows = self.statistics[self.statistics["indicator"].eq(indicator) & self.statistics["year"].eq(self.last_year)]
        if not self.is_region:
            rows = rows[rows["country"].eq(self.scope)]
        return {t("Grade"): "/".join(sorted(rows["grade"].dropna().unique())) or "–",
                t("Handling"): rows["handling_code"].max() if len(rows) else "–"}

    def indicator_table_caption(self, years: list[str]) -> str:
        return t("{area}: indicators for {scope}, {first}–{last}.", area=self.area_name(), scope=self.scope_name,
                 first=years[0], last=years[-1])

    def same_total_as(self, years: list[str]) -> dict[str, str]:
        """Indicators that break down the same total as an earlier one of the area (victims by sex, by age,
        by form of exploitation): {indicator: the earlier one}. Their rows in the table would repeat its
        values year by year; each keeps its own figure, where the breakdown differs."""
        seen: dict[tuple, str] = {}
        same = {}
        for indicator in self.area_indicators():
            yearly = self.series(indicator).set_index("year")
            values = tuple(observation_text(yearly.loc[int(y)], self.ref.observation_status)[0] for y in years)
            if not any(v not in ("", ":") and not v.startswith(":") for v in values):
                continue   # nothing published in these years: nothing repeated
            key = (self.unit(indicator), values)
            if key in seen:
                same[indicator] = seen[key]
            else:
                seen[key] = indicator
        return same

    def indicator_table_notes(self, same_total: dict[str, str] | None = None) -> str:
        """Under the table: the legend of the flags it used, how regional totals are made, and which
        indicators break down a total the table shows once (``same_total``: :meth:`same_total_as`)."""

        # the population the rates divide by is named once, in the methodology
        note = t("Regional totals only where every country reported.") if self.is_region else ""
        legend = footnote_legend(self.flags_used, self.ref.observation_status)
        shown = []
        for first in dict.fromkeys((same_total or {}).values()):
            others = [in_sentence(self.indicator_name(i)) for i, f in (same_total or {}).items() if f == first]
            shown.append(t("The row of {first} also stands for the same total broken down differently: {others}.",
                           first=in_sentence(self.indicator_name(first)), others=fmt_list(others)))
        return "  \n".join(p for p in (legend, note, *shown) if p)

    def no_indicators_text(self) -> str:
        return t("No indicator of {area} is part of this assessment.", area=in_sentence(self.area_name()))

    # ---- countries compared (region page) ----------------------------------------------------------
    def no_comparison_text(self, indicator: str) -> str:
        return t("No country has data on {indicator} in {first}–{last}, so no comparison can be drawn.",
                 indicator=in_sentence(self.indicator_name(indicator)), first=str(self.first_year), last=str(self.last_year))

    def comparison_caption(self, indicator: str, rates: pd.DataFrame) -> str:
        caption = t("{indicator} per 100,000 inhabitants by country, {first}–{last}.",
                    indicator=self.indicator_name(indicator), first=str(self.first_year), last=str(self.last_year))
        silent = [c for c, r in rates.groupby("country", sort=False) if r["value"].isna().all()]
        caption += " " + t("No data from {countries}.", countries=", ".join(silent)) if silent else ""
        unrated = rates[rates["value"].notna() & rates["population"].isna()]
        if len(unrated):  # a value, but no population that year: no rate, and the reader is told
            years = ", ".join(f"{country} ({year_ranges(r['year'])})" for country, r in unrated.groupby("country", sort=False))
            caption += " " + t("No population figure for {countries}: no rate for those years.", countries=years)
        return caption

    def comparison_alt(self, rates: pd.DataFrame) -> str:
        """Which country had the highest rate in the last year every country with data shares."""
        known = rates.dropna(subset=["per_100k"])
        last_common = known.groupby("country")["year"].max().min() if len(known) else None
        at_common = known[known["year"].eq(last_common)]
        if at_common.empty:
            return t("Line chart comparing countries; no year has data from more than one country.")
        top = at_common.loc[at_common["per_100k"].idxmax()]
        return t("Line chart comparing countries; in {year} the highest rate was in {country} ({rate} per 100,000).",
                 year=str(int(last_common)), country=top["country"], rate=self.num(top["per_100k"], 1))

    # ---- harm: the template draws it; these give it the sentences -------------------------------
    def no_harm_assessment(self) -> None:
        row = self.score_row()
        rest = " " + t("The priority rests on the threat score alone.") if pd.notna(row["threat"]) else ""
        self.no_data(t("No expert assessment of {area} was made in {scope}, so its harm is not scored.",
                       area=in_sentence(self.area_name()), scope=self.scope_name) + rest)

    def harm_caption(self, answers: pd.DataFrame) -> str:
        """Caption of the harm figure: how many respondents, and where they disagree (computed)."""
        row = self.score_row()
        dims = self.ref.harm_dimensions
        disputed = [in_sentence(t(dims.at[d, "name_en"])) for d in str(row["disagreement"]).split("|") if d]
        note = tn(" Respondents disagree widely on one dimension: {dims}.", " Respondents disagree widely on {n} "
                  "dimensions: {dims}.", len(disputed), dims=fmt_list(disputed)) if disputed else \
            t(" The respondents broadly agree on every dimension.")
        return tn("Median harm assessed by {n} expert respondent in {scope:loc} (bar), and the answer (dots).{note}",
                  "Median harm assessed by {n} expert respondents in {scope:loc} (bars), and each respondent's answer "
                  "(dots).{note}", answers["respondent"].nunique(), scope=self.scope_term(), note=note)

    def harm_alt(self, answers: pd.DataFrame) -> str:
        medians = answers.groupby("dimension", observed=True)["answer"].median()
        top = [in_sentence(str(d)) for d in medians.index[medians.eq(medians.max())]]
        if len(top) == len(medians):   # a tie across the board: no dimension is the highest
            return t("Horizontal bars of median harm per dimension on a scale of 0 to 4, with each answer as a dot; "
                     "every dimension has the same median, {value}.", value=fmt_number(medians.max(), 1 if medians.max() % 1 else 0))
        return tn("Horizontal bars of median harm per dimension on a scale of 0 to 4, with each answer as a dot; "
                  "highest: {dims}.", "Horizontal bars of median harm per dimension on a scale of 0 to 4, with each "
                  "answer as a dot; highest, equally: {dims}.", len(top), dims=fmt_list(top))

    @property
    def harm_scale(self) -> list[str]:
        return [t("none"), t("low"), t("moderate"), t("severe"), t("very severe")]

    @property
    def source_experts(self) -> str:
        return t("Source: expert assessments in {name}{synthetic}.", name=t(self.dataset.get("name", "")),
                 synthetic=t(" (synthetic demonstration data)") if self.dataset.get("synthetic") else "")

    def ocg_summary(self) -> None:
        """How many OCGs are active in the area and how threatening they are: aggregates only,
        small counts suppressed in the public edition."""
        if not self.has_input("ocg_register.csv"):
            self.no_data(t("No OCG register is part of this dataset, so nothing can be said here about the groups "
                           "active in {area}.", area=in_sentence(self.area_name())))
            return
        agg = self.table("ocg_aggregates")
        row = agg[agg["scope"].eq(self.scope) & agg["area"].eq(self.area)].iloc[0]
        if not row["ocgs_suppressed"] and row["ocgs"] == 0:
            self.say(t("No organised crime group active in {area:loc} was reported in {scope:loc}.",
                       area=self.area_term(), scope=self.scope_term()))
            return
        scope, area = self.scope_term(), self.area_term()
        high, intl = (self.count(row[k], row[f"{k}_suppressed"]) for k in ("band_high", "international"))
        hidden_high, hidden_intl = bool(row["band_high_suppressed"]), bool(row["international_suppressed"])
        n = int(row["ocgs"]) if not row["ocgs_suppressed"] else 0
        # a confidential count is said once, in a whole sentence, not printed as "c" inside one; each sentence
        # agrees with the number of groups, and the other counts stand where no word agrees with them
        if row["ocgs_suppressed"]:
            text = t("How many organised crime groups reported in {scope:loc} are active in {area:loc}, and how "
                     "threatening they are, is confidential in this edition: the counts are too small to publish.",
                     scope=scope, area=area)
        elif hidden_high and hidden_intl:
            text = tn("{n} organised crime group reported in {scope:loc} is active in {area:loc}; whether it is assessed "
                      "as high threat or is active in more than one country is confidential in this edition.",
                      "{n} organised crime groups reported in {scope:loc} are active in {area:loc}; how many of them are "
                      "assessed as high threat or are active in more than one country is confidential in this edition.",
                      n, scope=scope, area=area)
        elif hidden_high:
            text = tn("{n} organised crime group reported in {scope:loc} is active in {area:loc}; active in more than one "
                      "country: {intl}. Whether it is assessed as high threat is confidential in this edition.",
                      "{n} organised crime groups reported in {scope:loc} are active in {area:loc}; of these, {intl} "
                      "active in more than one country. How many are assessed as high threat is confidential in this "
                      "edition.", n, scope=scope, area=area, intl=intl)
        elif hidden_intl:
            text = tn("{n} organised crime group reported in {scope:loc} is active in {area:loc}; assessed as high "
                      "threat: {high}. Whether it is active in more than one country is confidential in this edition.",
                      "{n} organised crime groups reported in {scope:loc} are active in {area:loc}; of these, {high} "
                      "assessed as high threat. How many are active in more than one country is confidential in this "
                      "edition.", n, scope=scope, area=area, high=high)
        else:
            text = tn("{n} organised crime group reported in {scope:loc} is active in {area:loc}; assessed as high "
                      "threat: {high}; active in more than one country: {intl}.",
                      "{n} organised crime groups reported in {scope:loc} are active in {area:loc}; of these, {high} "
                      "assessed as high threat and {intl} active in more than one country.",
                      n, scope=scope, area=area, high=high, intl=intl)
        if pd.notna(row["mean_score"]) and not row["ocgs_suppressed"]:
            text += " " + t("Their mean threat score is {mean}.", mean=self.num(row["mean_score"]))
        self.say(text)

    # ---- the trend table: the template builds it; these give it the words ------------------------
    def forecast_text(self, fit: pd.Series) -> str:
        return t("P({next} > {ref}) = {p}", next=str(int(fit["forecast_year"])), ref=str(int(fit["reference_year"])),
                 p=fmt_percent(fit["p_exceeds_last"]))

    def yardstick_text(self, fit: pd.Series) -> str:
        """The yardstick term a fitted trend supports, or "none: <why>" (an unreliable fit, or low analytic
        confidence on this page, which silences every likelihood term on it)."""

        indicator = fit.get("indicator")  # a row of the trends table: keyed by scope and indicator
        if not self.supports_judgement(indicator, fit):
            return t("none: {why}", why=self.unsupported_reason(fit, indicator))
        if self.analytic_confidence()[0] == "low":
            return t("none: analytic confidence is low")
        return t(likelihood_term(fit["p_exceeds_last"], self.ref.yardstick).term)

    def trend_table_caption(self) -> str:
        return t("Trend models for {scope}: fitted change a year and the probability that the year after the last "
                 "observation exceeds the last final value.", scope=self.scope_name)
