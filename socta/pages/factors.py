"""The crime-relevant factors chapter: the enablers and geography of the groups, as the data support them."""
from __future__ import annotations

import textwrap

import pandas as pd

from socta.analysis.disclosure import MARK
from socta.core.config import OPEN_SOURCES_DIR, REGION
from socta.core.markup import inert_frame
from socta.core.text import in_sentence
from socta.i18n.translate import fmt_list, fmt_number, fmt_percent, t, territory_name, tn
from socta.pages import figures
from socta.pages.formatting import join_words, share_text
from socta.pages.page import Page, needs_input


class FactorsPage(Page):
    """Crime-relevant factors: what enables organised crime in the region, read from the data."""

    ENABLERS = ["corruption", "lbs", "money_laundering", "violence", "countermeasures", "international"]

    def factor_indicators(self) -> list[str]:
        """The statistics configured as measures of enabling factors (settings.yaml ``factors.indicators``)
        that the indicator list in force has; says so when there are none."""
        wanted = self.project.settings.factors.indicators
        found = [i for i in wanted if i in self.ref.indicators.index]
        if not found:
            self.say(f"*{t('No statistic measuring an enabling factor is configured for this dataset.')}*")
        return found

    def no_factor_data_text(self, indicator: str) -> str:
        return t("No data on {indicator} in {first}–{last}.", indicator=in_sentence(self.indicator_name(indicator)),
                 first=str(self.first_year), last=str(self.last_year))

    def factor_caption(self, indicator: str, by_country: pd.DataFrame) -> str:
        """What the lines show, which countries have no value at all, and what the open markers mean."""
        caption = t("{indicator} by country, {first}–{last}.", indicator=self.indicator_name(indicator),
                    first=str(self.first_year), last=str(self.last_year))
        silent = [t(self.ref.country_name(c)) for c, rows in by_country.groupby("country", sort=False)
                  if rows["value"].isna().all()]
        if silent:
            caption += " " + t("No data from {countries}.", countries=join_words(silent))
        return caption + "".join(" " + m for m in figures.marks_used(by_country))

    def factor_alt(self, indicator: str, by_country: pd.DataFrame) -> str:
        """Alt text: where the highest value of the period was recorded, computed from the lines."""
        known = by_country.dropna(subset=["value"])
        text = t("Line chart of {indicator} per country and year.", indicator=in_sentence(self.indicator_name(indicator)))
        if len(known):
            top = known.loc[known["value"].idxmax()]
            text += " " + t("Highest: {value} in {country} in {year}.", value=self.num(top["value"]),
                            country=t(self.ref.country_name(top["country"])), year=str(int(top["year"])))
        return text

    def enablers(self) -> pd.DataFrame:
        e = self.table("ocg_enablers")
        return e[e["indicator"].isin(self.ENABLERS)]

    # ---- the enablers figure: the template draws it; these give the shares and the sentences ----
    def enabler_shares(self) -> pd.DataFrame:
        """The share (0-1) of the groups using each enabler to a medium or high degree, per reporting country
        and for the region: one row per enabler and place, with enabler (its name) and place (the countries,
        then "Region"), both ordered categoricals in that order, and share. A share resting on a count
        confidential in the public edition is NaN, never 0. Empty without OCG indicator answers."""
        if not self.has_input("ocg_answers.csv"):
            return pd.DataFrame(columns=["enabler", "place", "share"])
        names = {i: t(self.ref.ocg_indicators.at[i, "name_en"]) for i in self.ENABLERS
                 if i in self.ref.ocg_indicators.index}
        places = {s: t("Region") if s == REGION else t(self.ref.country_name(s)) for s in [*self.countries, REGION]}
        e = self.enablers()
        e = e[e["scope"].isin(list(places)) & e["indicator"].isin(list(names))]
        out = pd.DataFrame({
            "enabler": pd.Categorical(e["indicator"].map(names), categories=list(names.values()), ordered=True),
            "place": pd.Categorical(e["scope"].map(places), categories=list(places.values()), ordered=True),
            "share": e["share_medium_high"].astype(float),
            "band": e["share_medium_high_band"] if "share_medium_high_band" in e else ""})
        return out.sort_values(["enabler", "place"]).reset_index(drop=True)

    def no_enabler_shares(self) -> None:
        """What the page says instead of a figure with no share to draw."""
        if not self.has_input("ocg_answers.csv"):
            self.say_missing("ocg_answers.csv")
        elif self.threshold:
            self.no_data(t("Every share of the groups using an enabler is confidential in this public edition, so no "
                           "figure is drawn."))
        else:
            self.no_data(t("No organised crime group has an answer to the enabler indicators, so no figure is drawn."))

    def enablers_caption(self, shares: pd.DataFrame) -> str:
        withheld = bool(self.threshold) and shares["share"].isna().any()
        return t("Share of the organised crime groups assessed as using each enabler to a medium or high degree, by "
                 "reporting country and for the region.") \
            + (" " + t("Shares resting on a count too small to publish are not drawn.") if withheld else "") \
            + (" " + tn("Shares close to none or all of the groups, or resting on fewer than {n} group, are not drawn: "
                        "they would describe every group.", "Shares close to none or all of the groups, or resting on "
                        "fewer than {n} groups, are not drawn: they would describe every group.",
                        int(self.project.settings.public.share_min_rows))
               if "band" in shares and shares["band"].ne("").any() else "")

    def enablers_alt(self, shares: pd.DataFrame) -> str:
        """The most common enabler in the region, among the shares shown (ties named together)."""
        region = shares[shares["place"].eq(t("Region"))].set_index("enabler")["share"]
        reg = region.dropna()
        if reg.empty:
            return t("Grouped horizontal bars per enabler and country; the regional shares are confidential.")
        top = [in_sentence(str(i)) for i in reg.index[reg.eq(reg.max())]]
        values = dict(enabler=fmt_list(top), share=fmt_percent(reg.max()))
        if region.isna().any():
            return t("Grouped horizontal bars; of the regional shares shown, the most common enabler is {enabler}, "
                     "used by {share} of the groups.", **values)
        return t("Grouped horizontal bars; in the region the most common enabler is {enabler}, used by {share} of "
                 "the groups.", **values)

    def share(self, value, band: str = "", bound=float("nan")) -> str:
        """A share of groups; one resting on a confidential count, or over too few groups, is withheld
        ("c"); one close to 0% or 100% is a range ("more than 95%": :func:`socta.process.disclosure_policy.publish_share`)."""
        return share_text(value, band, bound, missing=MARK)

    def share_of(self, row: pd.Series, column: str) -> str:
        return self.share(row[column], row.get(f"{column}_band", ""), row.get(f"{column}_bound", float("nan")))

    @needs_input("ocg_answers.csv")
    def enablers_text(self) -> None:
        reg = self.enablers()
        reg = reg[reg["scope"].eq(REGION)].set_index("indicator")
        context = inert_frame(pd.read_csv(OPEN_SOURCES_DIR / "europol_context.csv"))
        lines = []
        for indicator in ("corruption", "lbs", "money_laundering"):
            # the indicator's name in quotes: "use use of legal business structures" was the sentence around it
            ours = t("{share} of the region's groups are assessed medium or high on “{enabler}” ({unknown} unknown)",
                     share=self.share_of(reg.loc[indicator], "share_medium_high"),
                     enabler=t(self.ref.ocg_indicators.at[indicator, "name_en"]),
                     unknown=self.share_of(reg.loc[indicator], "share_unknown"))
            ctx = context[context["indicator"].eq(indicator)]
            if len(ctx):
                items = [t("{measure}: {value} {unit} ({source})", measure=t(r.measure), value=fmt_number(r.value),
                           unit=t(r.unit), source=r.source) for r in ctx.itertuples()]
                ours += "; " + t("for comparison, {items}", items="; ".join(items))
            lines.append("- " + ours + ".")
        self.say("\n".join(lines))

    # ---- where the groups are active abroad: the template draws it ----
    def groups_abroad(self) -> pd.DataFrame:
        """The countries outside the region where the region's groups are active, most groups first: code
        (ISO 3166 alpha-3), name (in the edition's language), groups (a group active in several countries counts in
        each). The public edition
        leaves out every country whose count it hides: the name alone would tell. Empty without an OCG
        register."""
        if not self.has_input("ocg_register.csv"):
            return pd.DataFrame(columns=["code", "name", "groups"])
        geo = self.table("ocg_geography")
        abroad = geo[geo["scope"].eq(REGION) & geo["measure"].eq("active_abroad") & ~geo["suppressed"].astype(bool)]
        abroad = abroad.sort_values(["groups", "code"], ascending=[False, True])[["code", "groups"]].reset_index(drop=True)
        return abroad.assign(name=[territory_name(c) for c in abroad["code"]])[["code", "name", "groups"]]

    def no_groups_abroad(self) -> None:
        """What the page says instead of a figure with no country to draw."""
        if not self.has_input("ocg_register.csv"):
            self.say_missing("ocg_register.csv")
            return
        self.no_data(t("No country outside the region has groups of the region active in it that this edition can "
                       "show.") + (" " + self.few_groups_note() if self.threshold else ""))

    def few_groups_note(self) -> str:
        return tn("Countries with fewer than {n} group are not shown in the public edition.",
                  "Countries with fewer than {n} groups are not shown in the public edition.", int(self.threshold))

    def abroad_caption(self) -> str:
        note = " " + self.few_groups_note() if self.threshold else ""
        return t("Number of the region's organised crime groups active in each country outside the region; a group "
                 "active in several countries counts in each.{note}", note=note)

    def abroad_alt(self, abroad: pd.DataFrame) -> str:
        top = abroad[abroad["groups"].eq(abroad["groups"].max())]
        values = dict(code=join_words(list(top["name"])), n=int(top["groups"].iloc[0]))
        if self.threshold:
            return t("Bar chart; of the countries shown, most groups active abroad operate in {code} ({n}).", **values)
        return t("Bar chart; most groups active abroad operate in {code} ({n}).", **values)

    # ---- tactics across crime areas (EU-SOCTA 2025): the template draws them ----
    def tactic_shares(self) -> pd.DataFrame:
        """The share (0-1) of the region's groups active in each crime area that use each measured tactic to
        a medium or high degree, as this edition publishes it: one row per area and tactic, with area and
        tactic (their names; configuration order, ordered categoricals), share (NaN: not shown), label (the
        share as printed: "38%", "less than 10%", or c where it is confidential or rests on too few groups)
        and groups (the groups answering). Empty without OCG indicator answers or a measured tactic."""
        columns = ["area", "tactic", "share", "label", "groups"]
        if not self.has_input("ocg_answers.csv") or not self.has_input("ocg_register.csv"):
            return pd.DataFrame(columns=columns)
        table = self.table("ocg_tactics")
        table = table[table["scope"].eq(REGION)]
        tactics = self.measured_tactics()
        areas = [a for a in self.ref.top_areas.index if a in set(table["area"])]
        if table.empty or not tactics:
            return pd.DataFrame(columns=columns)
        names = {k: t(self.ref.tactics.at[k, "name_en"]) for k in tactics}
        area_names = [self.area_name(a) for a in areas]
        table = table[table["tactic"].isin(tactics)]
        out = pd.DataFrame({
            "area": pd.Categorical(table["area"].map(self.area_name), categories=area_names, ordered=True),
            "tactic": pd.Categorical(table["tactic"].map(names), categories=list(names.values()), ordered=True),
            "share": table["share_using"].astype(float).to_numpy(),
            "label": [self.share_of(r, "share_using") for _, r in table.iterrows()],
            "groups": table["groups"].astype(float).to_numpy()})
        return out.sort_values(["area", "tactic"]).reset_index(drop=True)

    def measured_tactics(self) -> list[str]:
        """The tactics of tactics.csv that an OCG indicator in force measures, in their order."""
        tactics = self.ref.tactics
        return [k for k, i in zip(tactics.index, tactics["indicator_id"]) if i and i in self.ref.ocg_indicators.index]

    def unmeasured_tactics_text(self) -> str:
        """The tactics no OCG indicator measures: named, so that the reader knows they are not assessed."""
        missing = [in_sentence(t(n)) for k, n in zip(self.ref.tactics.index, self.ref.tactics["name_en"])
                   if k not in self.measured_tactics()]
        if not missing:
            return t("Every tactic of the method in force is measured by an OCG indicator.")
        return tn("No OCG indicator of this assessment measures {tactics}, so this tactic is not assessed here.",
                  "No OCG indicator of this assessment measures {tactics}, so these tactics are not assessed here.",
                  len(missing), tactics=fmt_list(missing))

    def no_tactic_shares(self, shares: pd.DataFrame) -> None:
        if not self.has_input("ocg_answers.csv"):
            self.say_missing("ocg_answers.csv")
        elif not self.has_input("ocg_register.csv"):
            self.say_missing("ocg_register.csv")
        elif not self.measured_tactics():
            self.no_data(t("No tactic is measured by an OCG indicator of this assessment, so no figure is drawn."))
        else:
            self.no_data(t("Every share of the groups using a tactic in a crime area is confidential in this public "
                           "edition, or rests on too few groups, so no figure is drawn."))

    def tactics_figure(self, shares: pd.DataFrame):
        """A grid of crime areas (rows) by tactics (columns): each cell's colour and words give the share of
        the area's groups using the tactic; a share not shown is a hatched grey cell marked as printed."""
        import numpy as np
        from matplotlib.colors import LinearSegmentedColormap
        from matplotlib.patches import Rectangle

        shares = self.areas_shown(shares)   # a row of confidential cells only says nothing: the caption names it
        grid = shares.pivot(index="area", columns="tactic", values="share")
        labels = shares.pivot(index="area", columns="tactic", values="label")
        fig, ax = figures.new_figure("panel")
        # a row of about half an inch, as the panel's ten rows have: a few rows do not stretch into tall blocks
        fig.set_figheight(min(figures.SIZES["panel"][1], 1.6 + 0.45 * grid.shape[0]))
        # light to mid blue: dark words stay readable on every cell (WCAG contrast)
        cmap = LinearSegmentedColormap.from_list("share", ["#F4F8FB", "#7FB3D9"])
        ax.imshow(np.ma.masked_invalid(grid.to_numpy(float)), cmap=cmap, vmin=0, vmax=1, aspect="auto")
        for (i, j), value in np.ndenumerate(grid.to_numpy(float)):
            if np.isnan(value):   # not shown: hatched, never coloured as 0
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#EEEEEE", edgecolor="#AAAAAA",
                                       hatch="///", lw=0))
            ax.text(j, i, labels.iat[i, j], ha="center", va="center", fontsize=9, color=figures.INK,
                    bbox=None if not np.isnan(value) else {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"})
        ax.set_xticks(range(grid.shape[1]), [textwrap.fill(figures.shortened(str(c), 48), 16) for c in grid.columns],
                      fontsize=8.5)
        ax.set_yticks(range(grid.shape[0]), [figures.shortened(str(a)) for a in grid.index])
        ax.tick_params(length=0)
        ax.grid(False)
        ax.set_title(t("Tactics of the groups by crime area"))
        return fig

    @staticmethod
    def areas_shown(shares: pd.DataFrame) -> pd.DataFrame:
        """The rows of the crime areas with at least one share shown."""
        shown = shares.groupby("area", observed=True)["share"].transform(lambda s: s.notna().any())
        out = shares[shown.astype(bool)].copy()
        out["area"] = out["area"].cat.remove_unused_categories()
        return out

    def tactics_caption(self, shares: pd.DataFrame) -> str:
        text = t("Share of the region's organised crime groups active in each crime area assessed as using each tactic "
                 "to a medium or high degree (a group active in several areas counts in each).")
        left_out = [in_sentence(str(a)) for a in shares["area"].cat.categories
                    if a in set(shares["area"].astype(str)) and a not in set(self.areas_shown(shares)["area"].astype(str))]
        if left_out:
            text += " " + tn("The shares of {areas} are all confidential in this edition, or rest on too few groups, so "
                             "its row is left out.",
                             "The shares of {areas} are all confidential in this edition, or rest on too few groups, so "
                             "their rows are left out.", len(left_out), areas=fmt_list(left_out))
        if self.areas_shown(shares)["share"].isna().any():
            text += " " + (t("Hatched cells (c) are confidential in this public edition, rest on too few groups, or "
                             "are close to none or all of them (shown as a range).") if self.threshold else
                           t("Hatched cells have no group with an answer."))
        return text

    def tactics_alt(self, shares: pd.DataFrame) -> str:
        shown = shares.dropna(subset=["share"])
        if shown.empty:
            return t("Grid of crime areas by tactics; no share is shown.")
        top = shown[shown["share"].eq(shown["share"].max())]
        pairs = fmt_list([t("{tactic} in {area}", tactic=in_sentence(str(r.tactic)), area=in_sentence(str(r.area)))
                          for r in top.itertuples()])
        return t("Grid of crime areas by tactics; of the shares shown, the highest is {pairs}: {share} of the groups.",
                 pairs=pairs, share=fmt_percent(top["share"].iloc[0]))

    def tactics_text(self, shares: pd.DataFrame) -> str:
        """Per tactic, the crime area where the most groups use it (among the shares shown), and whether one
        area leads in most tactics or none does."""
        lines, leaders = [], []
        for tactic, rows in shares.groupby("tactic", observed=True):
            shown = rows.dropna(subset=["share"])
            if shown.empty:
                lines.append("- " + t("{tactic}: no share can be shown.", tactic=str(tactic)))
                continue
            top = shown[shown["share"].eq(shown["share"].max())]
            leaders += list(top["area"].astype(str))
            values = dict(tactic=str(tactic), areas=fmt_list([in_sentence(a) for a in top["area"].astype(str)]),
                          share=fmt_percent(top["share"].iloc[0]))
            if len(shown) == 1:   # one area shown: nothing to compare it with
                lines.append("- " + tn("{tactic}: {share} of the {n} group active in {areas}.",
                                       "{tactic}: {share} of the {n} groups active in {areas}.",
                                       int(top["groups"].iloc[0]), **values))
            elif len(top) == 1:
                lines.append("- " + tn("{tactic}: most common among the groups active in {areas}, {share} of its {n} group.",
                                       "{tactic}: most common among the groups active in {areas}, {share} of its {n} groups.",
                                       int(top["groups"].iloc[0]), **values))
            else:
                lines.append("- " + t("{tactic}: equally common among the groups active in {areas}, {share} of each.",
                                      **values))
        text = "\n".join(lines)
        counts = pd.Series(leaders, dtype=str).value_counts()
        if self.threshold and shares["share"].isna().any():   # a hidden share may be the highest: neither is known
            return t("Of the shares this edition shows:") + "\n\n" + text + "\n\n" + t(
                "Whether one crime area leads in most tactics cannot be said: some shares are not shown.")
        if len(counts) and counts.iloc[0] > shares["tactic"].nunique() / 2 and (len(counts) == 1 or counts.iloc[0] > counts.iloc[1]):
            text += "\n\n" + t("The groups active in {area} lead in most tactics: they combine the most ways of operating.",
                                area=in_sentence(counts.index[0]))
        elif len(counts):
            text += "\n\n" + t("No crime area leads in most tactics: the ways of operating are spread across the areas.")
        return text
