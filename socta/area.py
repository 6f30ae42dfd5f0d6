"""The building blocks of a crime-area page, shared by the six area templates."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import figures
from .i18n import fmt_number, fmt_percent, t
from .notebook import Page


class AreaPage(Page):
    """A crime-area page for one country or for the region."""

    def summary(self) -> None:
        """The area's threat, harm, priority rank and tier in this scope, in one paragraph."""
        row = self.score_row()
        n_areas = int(self.scores["scope"].eq(self.scope).sum())
        self.say(t(
            "In {scope}, {area} has a threat score of **{threat}** and a harm score of **{harm}** (both on "
            "0–100), giving a priority score of **{priority}**: rank **{rank}** of {n} crime areas, "
            "**{tier}**.",
            scope=self.scope_name, area=self.area_name().lower(), threat=self.num(row["threat"]),
            harm=self.num(row["harm"]), priority=self.num(row["priority"]), rank=int(row["rank"]),
            n=n_areas, tier=t(row["tier"]),
        ))

    def _label(self, code: str) -> str:
        if code in self.ref.areas.index:
            return t(self.ref.areas.at[code, "name_en"])
        return t(code.replace("_", " ").capitalize())

    def indicator_figure(self, indicator: str, by: str | None = None, key: str | None = None) -> None:
        """The indicator over the years, split by sub-market (lines) or category (stacked bars).

        Sub-markets of very different size (cannabis tonnes beside cocaine kilograms) get a panel each,
        so the small ones stay readable.
        """
        spec = self.ref.indicators.loc[indicator]
        data = self.series(indicator, by=by)
        years = range(self.first_year, self.last_year + 1, 2)
        title = f"{self.indicator_name(indicator)} — {self.scope_title}"
        if by:
            wide = data.pivot(index="year", columns=by, values="value").fillna(0)
            peaks = wide.max()
            panels = by == "submarket" and len(wide.columns) > 1 and peaks.max() > 8 * max(peaks.min(), 1e-9)
        if by and panels:
            ncols = 2
            nrows = -(-len(wide.columns) // ncols)
            fig, axes = figures.new_figure("panel", nrows, ncols, sharex=True, squeeze=False)
            for ax, colour, column in zip(axes.flat, figures.PALETTE, wide.columns):
                ax.plot(wide.index, wide[column], marker="o", ms=3, lw=1.8, color=colour)
                ax.set_title(self._label(column), fontsize=9.5)
                ax.set_ylim(bottom=0)
                ax.set_xticks(years)
                figures.thousands(ax)
            for ax in axes.flat[len(wide.columns):]:
                ax.set_visible(False)
            fig.suptitle(title, x=0.0, ha="left", fontsize=10.5, fontweight="bold")
            fig.supylabel(t(spec["unit"]), fontsize=9.5)
        else:
            fig, ax = figures.new_figure("wide")
            if by == "category":
                bottom = np.zeros(len(wide))
                for colour, column in zip(figures.PALETTE, wide.columns):
                    ax.bar(wide.index, wide[column], bottom=bottom, label=self._label(column), color=colour, width=0.75)
                    bottom += wide[column].to_numpy()
            elif by:
                for colour, column in zip(figures.PALETTE, wide.columns):
                    ax.plot(wide.index, wide[column], marker="o", ms=3.5, lw=1.8, label=self._label(column), color=colour)
            else:
                ax.plot(data["year"], data["value"], marker="o", ms=3.5, lw=2, color=figures.PALETTE[0],
                        label=t("Recorded"))
                self._fitted_line(ax, indicator)
            if by or self.trend(indicator) is not None:
                ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
            ax.set_title(title)
            ax.set_ylabel(t(spec["unit"]))
            ax.set_xlabel("")
            ax.set_ylim(bottom=0)
            ax.set_xticks(years)
            figures.thousands(ax)
        change = self.change(indicator)
        peak = data.groupby("year")["value"].sum().idxmax()
        split = t(", one panel per sub-market") if by and panels else (t(" by sub-market") if by == "submarket" else "")
        caption = t("{indicator} in {scope}, {first}–{last}{split}.", indicator=self.indicator_name(indicator),
                    scope=self.scope_name, first=str(self.first_year), last=str(self.last_year), split=split)
        alt = t("Chart of {indicator} in {scope} per year from {first} to {last}; highest in {peak}; the mean of the "
                "last years is {change} than the years before.", indicator=self.indicator_name(indicator).lower(),
                scope=self.scope_name, first=str(self.first_year), last=str(self.last_year), peak=str(peak),
                change=self.change_words(change))
        self.figure(fig, key or indicator, caption, alt)

    def _fitted_line(self, ax, indicator: str) -> None:
        """The trend model's fitted values over its span and its expected value for next year."""
        tr = self.trend(indicator)
        if tr is None:
            return
        nxt = int(tr["last_year"]) + 1
        years = np.arange(nxt - int(tr["years"]), nxt + 1)
        years = years[:-1]
        fitted = tr["fitted_last"] * (1 + tr["change_per_year"]) ** (years - (nxt - 1))
        ax.plot(years, fitted, ls="--", lw=1.4, color=figures.PALETTE[5], label=t("Fitted trend"))
        ax.plot([nxt], [tr["expected_next"]], marker="o", ms=6, mfc="white", mec=figures.PALETTE[5], ls="",
                label=t("Expected {year}", year=str(nxt)))
        ax.set_xlim(self.first_year - 0.5, nxt + 0.5)

    def change_words(self, change: float) -> str:
        if pd.isna(change):
            return t("not computable")
        return t("{pct} higher", pct=fmt_percent(change / 100)) if change >= 0 else \
            t("{pct} lower", pct=fmt_percent(-change / 100))

    def indicator_table(self) -> None:
        """Latest value, rate per 100,000 and change between periods, for every indicator of the area."""
        window = int(self.project.settings["assessment"]["trend_window"])
        rows = []
        for indicator, spec in self.ref.indicators[self.ref.indicators["area_id"].eq(self.area)].iterrows():
            if spec["category_list"] and not spec["headline"]:
                continue  # breakdowns repeat the headline total
            yearly = self.series(indicator).sort_values("year")
            latest = yearly[yearly["year"].eq(self.last_year)]["value"].sum()
            rate = self.rate(yearly[yearly["year"].eq(self.last_year)])["per_100k"].sum()
            row = {
                t("Indicator"): t(spec["name_en"]),
                t("Unit"): t(spec["unit"]),
                str(self.last_year): self.num(latest),
                t("Per 100,000 inhabitants"): self.num(rate, 1),
                t("Change, last {w} years vs {w} before", w=window): self.change_words(self.change(indicator)),
            }
            if self.audience == "restricted":  # grades and handling codes next to the data they qualify
                rows_used = self.statistics[self.statistics["indicator"].eq(indicator)
                                            & self.statistics["year"].eq(self.last_year)]
                if not self.is_region:
                    rows_used = rows_used[rows_used["country"].eq(self.scope)]
                row[t("Grade")] = "/".join(sorted(rows_used["grade"].unique()))
                row[t("Handling")] = rows_used["handling_code"].max() if len(rows_used) else "–"
            rows.append(row)
        frame = pd.DataFrame(rows)
        align = {c: "r" for c in frame.columns[2:5]}
        self.show_table(frame, "indicators", t("{area}: indicators for {scope}, {year}.",
                               area=self.area_name(), scope=self.scope_name, year=str(self.last_year)), align)

    def country_comparison(self, indicator: str) -> None:
        """Rate per 100,000 inhabitants by country (region page)."""
        fig, ax = figures.new_figure("wide")
        for colour, iso3 in zip(figures.PALETTE, self.countries):
            rated = self.rate(self.series(indicator, scope=iso3), scope=iso3)
            ax.plot(rated["year"], rated["per_100k"], marker="o", ms=3.5, lw=1.8, color=colour,
                    label=t(self.ref.country_name(iso3)))
        ax.set_title(t("{indicator} per 100,000 inhabitants", indicator=self.indicator_name(indicator)))
        ax.set_ylim(bottom=0)
        ax.set_xticks(range(self.first_year, self.last_year + 1, 2))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        latest = {iso3: self.rate(self.series(indicator, scope=iso3), scope=iso3).query("year == @self.last_year")["per_100k"].sum()
                  for iso3 in self.countries}
        top = max(latest, key=latest.get)
        caption = t("{indicator} per 100,000 inhabitants by country, {first}–{last}.",
                    indicator=self.indicator_name(indicator), first=str(self.first_year), last=str(self.last_year))
        alt = t("Line chart comparing countries; in {year} the highest rate was in {country} ({rate} per 100,000).",
                year=str(self.last_year), country=t(self.ref.country_name(top)), rate=self.num(latest[top], 1))
        self.figure(fig, f"{indicator}-by-country", caption, alt)

    def harm_figure(self) -> None:
        """Median expert harm per dimension (0-4), with the disagreement flag."""
        row = self.score_row()
        dims = self.ref.harm_dimensions
        values = [row[f"harm_{d}"] for d in dims.index]
        names = [t(n) for n in dims["name_en"]]
        fig, ax = figures.new_figure("wide")
        ax.barh(names[::-1], values[::-1], color=figures.PALETTE[0], height=0.6)
        ax.set_xlim(0, 4)
        ax.set_xticks(range(5), [t("none"), t("low"), t("moderate"), t("severe"), t("very severe")])
        ax.set_title(t("Harm profile — {area}, {scope}", area=self.area_name(), scope=self.scope_title))
        disputed = [t(dims.at[d, "name_en"]).lower() for d in str(row["disagreement"]).split("|") if d]
        note = t(" Respondents disagree widely on: {dims}.", dims=", ".join(disputed)) if disputed else ""
        caption = t("Median harm assessed by {n} expert respondents in {scope}.{note}",
                    n=int(row["respondents"]), scope=self.scope_name, note=note)
        worst = names[int(np.nanargmax(values))]
        alt = t("Horizontal bars of median harm per dimension on a scale of 0 to 4; highest: {dim}.", dim=worst.lower())
        src = t("Source: expert assessments in {name}{synthetic}.", name=self.dataset.get("name", ""),
                synthetic=t(" (synthetic demonstration data)") if self.dataset.get("synthetic") else "")
        self.figure(fig, "harm", caption, alt, source=src)

    def ocg_summary(self) -> None:
        """How many OCGs are active in the area and how threatening they are: aggregates only,
        small counts suppressed in the public edition."""
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
            text += " " + t("(Counts below {k} are suppressed in the public edition.)", k=str(self.threshold))
        self.say(text)

    def trend_table(self) -> None:
        """Every indicator's fitted change per year, its interval and the chance next year is higher."""
        from .judgements import likelihood_term

        rows = []
        pct = lambda v: ("+" if v >= 0 else "−") + fmt_number(abs(100 * v), 1) + "%"  # noqa: E731
        for indicator, spec in self.ref.indicators[self.ref.indicators["area_id"].eq(self.area)].iterrows():
            if spec["category_list"] and not spec["headline"]:
                continue
            tr = self.trend(indicator)
            if tr is None:
                continue
            rows.append({
                t("Indicator"): t(spec["name_en"]),
                t("Change a year"): pct(tr["change_per_year"]),
                t("90% interval"): f"{pct(tr['change_low'])} … {pct(tr['change_high'])}",
                t("P(next year higher)"): fmt_percent(tr["p_exceeds_last"]),
                t("Yardstick"): t(likelihood_term(tr["p_exceeds_last"], self.ref.yardstick).term),
            })
        if rows:
            frame = pd.DataFrame(rows)
            self.show_table(frame, "trends", t("Trend models for {scope}: fitted change a year over the last {n} years "
                                               "and the probability that {next} exceeds {last}.", scope=self.scope_name,
                                               n=str(2 * int(self.project.settings["assessment"]["trend_window"])),
                                               next=str(self.last_year + 1), last=str(self.last_year)),
                            align={c: "r" for c in frame.columns[1:4]})
