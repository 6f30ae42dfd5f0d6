"""The crime-relevant factors chapter: the enablers and geography of the groups, as the data support them."""
from __future__ import annotations

import pandas as pd

from socta.analysis.disclosure import MARK
from socta.core.config import OPEN_SOURCES_DIR, REGION
from socta.core.markup import inert_frame
from socta.core.text import in_sentence
from socta.i18n.translate import fmt_list, fmt_number, fmt_percent, t, tn
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
            ours = t("{share} of the region's groups use {enabler} to a medium or high degree ({unknown} unknown)",
                     share=self.share_of(reg.loc[indicator], "share_medium_high"),
                     enabler=in_sentence(t(self.ref.ocg_indicators.at[indicator, "name_en"])),
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
        (ISO 3166 alpha-3), groups (a group active in several countries counts in each). The public edition
        leaves out every country whose count it hides: the name alone would tell. Empty without an OCG
        register."""
        if not self.has_input("ocg_register.csv"):
            return pd.DataFrame(columns=["code", "groups"])
        geo = self.table("ocg_geography")
        abroad = geo[geo["scope"].eq(REGION) & geo["measure"].eq("active_abroad") & ~geo["suppressed"].astype(bool)]
        return abroad.sort_values(["groups", "code"], ascending=[False, True])[["code", "groups"]].reset_index(drop=True)

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
        return t("Number of the region's organised crime groups active in each country outside the region (ISO 3166 "
                 "alpha-3 codes); a group active in several countries counts in each.{note}", note=note)

    def abroad_alt(self, abroad: pd.DataFrame) -> str:
        top = abroad[abroad["groups"].eq(abroad["groups"].max())]
        values = dict(code=join_words(list(top["code"])), n=int(top["groups"].iloc[0]))
        if self.threshold:
            return t("Bar chart; of the countries shown, most groups active abroad operate in {code} ({n}).", **values)
        return t("Bar chart; most groups active abroad operate in {code} ({n}).", **values)
