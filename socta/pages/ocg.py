"""The OCG chapter: how many groups, their threat, structure, international reach and how the scoring
profiles compare, as tidy, edition-safe frames (a confidential count is NaN, never 0)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from socta.core.text import in_sentence
from socta.i18n.translate import code_label, fmt_list, fmt_number, t, territory_name, tn, tp
from socta.pages import figures
from socta.pages.formatting import PROFILE_AGREEMENT, fmt_points, join_words
from socta.pages.page import Page, needs_input

# a threat band's word agrees with "threat" (висока претња, висока закана), not with what else "high" may
# qualify: its own message context, which make messages adds for every band of settings.yaml
BAND = "threat band"


class OcgPage(Page):
    def summary(self) -> pd.DataFrame:
        s = self.table("ocg_summary")
        return s[s["scope"].eq(self.scope)]

    def summary_count(self, measure: str, category: str) -> str:
        s = self.summary()
        row = s[s["measure"].eq(measure) & s["category"].eq(category)]
        if row.empty:
            return self.count(0)
        return self.count(row["count"].iloc[0], row["suppressed"].iloc[0])

    @needs_input("ocg_register.csv")
    def overview(self) -> None:
        summary = self.summary()

        def known(measure: str, category: str) -> int | None:   # a count the edition may print, else None
            row = summary[summary["measure"].eq(measure) & summary["category"].eq(category)]
            if row.empty:
                return 0
            return None if bool(row["suppressed"].iloc[0]) else int(row["count"].iloc[0])

        groups, intl = known("groups", "all"), known("reach", "international")
        scope = self.scope_term()
        if groups is None:
            text = t("How many organised crime groups were reported in {scope:loc} is confidential in this edition.",
                     scope=scope)
        else:
            text = tn("{n} organised crime group was reported in {scope:loc}.",
                      "{n} organised crime groups were reported in {scope:loc}.", groups, scope=scope)
        # the bands as a list of counts (c where one is confidential: the legend below says so)
        text += " " + t("By assessed threat: {bands}.", bands=fmt_list(
            [f'{tp(BAND, b)}: {self.summary_count("band", b)}' for b in self.bands]))   # "label: count", in every language
        text += " " + (t("How many of them are active in more than one country is confidential in this edition.")
                       if intl is None else
                       tn("{n} of them is active in more than one country.",
                          "{n} of them are active in more than one country.", intl))
        if self.threshold and self.summary()["suppressed"].any():
            text += " " + t("c: confidential. The public edition does not show counts below {k}, nor any count from "
                            "which one could be worked out from the totals and the other tables.", k=str(self.threshold))
        self.say(text)

    def scoring_note(self) -> None:
        """How a group is scored and, in the edition's own words, what this edition shows of the groups."""
        if self.edition.is_public:
            self.say(t("Each group is scored from its answers to the OCG indicators (see the methodology) and placed in "
                       "a threat band. This edition shows the groups only in aggregate."))
        else:
            self.say(t("Each group is scored from its answers to the OCG indicators (see the methodology) and placed in "
                       "a threat band. This edition lists every group with its exact scores; the public edition "
                       "shows them only in aggregate."))

    # ---- groups by crime area and threat band: the template draws them; these give the data and sentences ----
    @property
    def bands(self) -> list[str]:
        """The threat bands in force (settings.yaml ``ocg_scoring.bands``), highest first."""
        return list(self.project.settings["ocg_scoring"]["bands"])

    def groups_by_area_and_band(self) -> pd.DataFrame:
        """The groups active in each crime area of this scope, per threat band, as this edition publishes
        them: one row per area and band, with area (its name; configuration order), band (highest first;
        both ordered categoricals), groups and suppressed. A count confidential in the public edition is
        NaN (and ``suppressed``), never 0, so nothing draws it. Empty without an OCG register."""
        columns = ["area", "band", "groups", "suppressed"]
        if not self.has_input("ocg_register.csv"):
            return pd.DataFrame(columns=columns)
        areas = list(self.ref.top_areas.index)
        agg = self.table("ocg_aggregates")
        agg = agg[agg["scope"].eq(self.scope)].set_index("area").loc[areas]
        long = pd.concat([pd.DataFrame({
            "area": [self.area_name(a) for a in areas], "band": band,
            "groups": agg[f"band_{band}"].to_numpy(float, na_value=np.nan),
            "suppressed": agg[f"band_{band}_suppressed"].to_numpy(bool)}) for band in self.bands], ignore_index=True)
        long["groups"] = long["groups"].mask(long["suppressed"])  # a hidden count has no number, whatever the table
        long["area"] = pd.Categorical(long["area"], categories=[self.area_name(a) for a in areas], ordered=True)
        long["band"] = pd.Categorical(long["band"], categories=self.bands, ordered=True)
        return long.sort_values(["area", "band"]).reset_index(drop=True)[columns]

    @staticmethod
    def worth_drawing(groups: pd.DataFrame) -> bool:
        """Whether the figure of groups by area and band shows enough: a bar for at least half of the areas
        with groups (a figure whose bars are mostly blank for confidentiality misleads)."""
        per_area = groups.groupby("area", observed=True).agg(shown=("groups", lambda s: s.fillna(0).sum()),
                                                             hidden=("suppressed", "any"))
        with_groups = per_area[per_area["shown"].gt(0) | per_area["hidden"]]
        drawn = with_groups["shown"].gt(0)
        return bool(drawn.any()) and drawn.sum() >= len(with_groups) / 2

    def no_groups_by_area(self, groups: pd.DataFrame) -> None:
        """What the page says instead of a figure with no bar, or with most bars confidential: the input is
        missing, the counts are confidential, or no group was reported."""
        if not self.has_input("ocg_register.csv"):
            self.say_missing("ocg_register.csv")
        elif groups["groups"].fillna(0).sum() > 0:   # some counts shown, but most areas' bars would be blank
            self.no_data(t("Most counts of the groups by crime area and threat band in {scope} are confidential in this "
                           "public edition (each is small, or would give a small one away), so no figure is drawn; the "
                           "restricted edition shows them.", scope=self.scope_name))
        elif groups["suppressed"].all():
            self.no_data(t("Every count of the groups by crime area and threat band in {scope} is confidential in this "
                           "public edition (each is small, or would give a small one away), so no figure is drawn; the "
                           "restricted edition shows them.", scope=self.scope_name))
        elif groups["suppressed"].any():  # the rest are zeros: hidden counts are at least 1
            self.no_data(t("Every count of the groups by crime area and threat band in {scope} that is not zero is "
                           "confidential in this public edition (each is small, or would give a small one away), so no "
                           "figure is drawn; the restricted edition shows them.", scope=self.scope_name))
        else:
            self.no_data(t("No organised crime group active in a crime area was reported in {scope}.",
                           scope=self.scope_name))

    def areas_caption(self, groups: pd.DataFrame) -> str:
        note = t(" † Some counts are confidential in the public edition, so not drawn.") \
            if groups["suppressed"].any() else ""
        return t("Organised crime groups active in each crime area, {scope}, by threat band. A group active in several "
                 "areas is counted in each.{note}", scope=self.scope_name, note=note)

    def areas_alt(self, groups: pd.DataFrame) -> str:
        """The crime area with the most groups, among the counts shown (ties named together)."""
        shown = groups.groupby("area", observed=True)["groups"].sum()  # NaN (confidential) counts are skipped
        busiest = fmt_list([in_sentence(str(a)) for a in shown.index[shown.eq(shown.max())]])
        if groups["suppressed"].any():
            return t("Stacked horizontal bars of the number of groups per crime area; of the counts shown, most "
                     "groups are active in {area}.", area=busiest)
        return t("Stacked horizontal bars of the number of groups per crime area; most groups are active in {area}.",
                 area=busiest)

    @needs_input("ocg_register.csv")
    def structure_table(self) -> None:
        s = self.summary()
        s = s[s["measure"].isin(["structure", "reach", "longevity", "linked", "linked_abroad"])]
        words = {"structure": t("Structure"), "reach": t("Reach"), "international": t("Active in more than one country"),
                 "domestic": t("Active in one country only"), "longevity": t("Years since first reported"),
                 "linked": t("Linked to another group"), "linked_abroad": t("Linked to a group of another country")}

        def category(measure: str, code: str) -> str:
            if measure == "longevity":
                return self.longevity_label(code)
            if measure.startswith("linked"):
                return t("yes") if code == "yes" else t("no")
            return words[code] if code in words else t(code_label(code))
        frame = pd.DataFrame({t("Characteristic"): [words.get(m, m) for m in s["measure"]],
                              t("Category"): [category(m, c) for m, c in zip(s["measure"], s["category"])],
                              t("Groups"): [self.count(v, h) for v, h in zip(s["count"], s["suppressed"])]})
        self.show_table(frame, "structure", t("Structure and reach of the groups, {scope}.", scope=self.scope_name),
                        align={t("Groups"): "r"})

    def longevity_label(self, code: str) -> str:
        """A longevity band's words from its code (socta.analysis.scoring.longevity_bands): "under 5 years",
        "5 to 10 years", "more than 10 years", "not known"."""
        if code == "unknown":
            return t("not known")
        low, _, high = code.partition("_to_")
        if code.startswith("under_"):
            n = int(code.removeprefix("under_"))
            return tn("under {n} year", "under {n} years", n)
        if code.startswith("over_"):
            n = int(code.removeprefix("over_"))
            return tn("more than {n} year", "more than {n} years", n)
        return tn("{a} to {n} year", "{a} to {n} years", int(high), a=low)

    def longevity_text(self) -> str:
        """How many of the scope's groups were first reported longer ago than the last longevity edge, as
        published; empty when the count is not published or the register has no years."""
        s = self.summary()
        rows = s[s["measure"].eq("longevity")]
        groups = s[s["measure"].eq("groups")]
        if rows.empty or groups.empty:
            return ""
        oldest = rows[rows["category"].str.startswith("over_")]
        if oldest.empty or bool(oldest["suppressed"].iloc[0]) or bool(groups["suppressed"].iloc[0]):
            return t("How long the groups of {scope} have been active is confidential in this edition.",
                     scope=self.scope_term()) if self.threshold else ""
        n, total = int(oldest["count"].iloc[0]), int(groups["count"].iloc[0])
        years = int(oldest["category"].iloc[0].removeprefix("over_"))
        if not total:
            return ""
        values = dict(total=total, years=years, year=str(self.last_year), share=fmt_number(100 * n / total, 0))
        if n == 0:
            return tn("None of the {total} group was first reported more than {years} years before {year}.",
                      "None of the {total} groups was first reported more than {years} years before {year}.",
                      total, **values)
        return tn("{n} of the {total} groups ({share}%) was first reported more than {years} years before {year}: "
                  "it has been known for a long time.",
                  "{n} of the {total} groups ({share}%) were first reported more than {years} years before {year}: "
                  "they have been known for a long time.", n, n=n, **values)

    def links_text(self) -> str:
        """How many of the scope's groups work with another group (cooperation, supply or a crime service:
        ocg_relations.csv), and how many with one another country reported, as published."""
        if not self.has_input("ocg_register.csv"):
            return ""   # the page says once that the register is missing
        if not self.has_input("ocg_relations.csv"):
            return t("No relations between the groups (ocg_relations.csv) are part of this dataset, so how they are "
                     "linked to one another is not described.")
        s = self.summary().set_index(["measure", "category"])
        keys = [("groups", "all"), ("linked", "yes"), ("linked_abroad", "yes")]
        if not all(k in s.index for k in keys):
            return ""
        if any(bool(s.at[k, "suppressed"]) for k in keys):
            return t("How many of the groups of {scope} work with other groups is confidential in this edition.",
                     scope=self.scope_term())
        total, linked, abroad = (int(s.at[k, "count"]) for k in keys)
        if not linked:
            return tn("None of the {total} group works with another group as a partner, supplier or provider of a "
                      "crime service.", "None of the {total} groups works with another group as a partner, supplier "
                      "or provider of a crime service.", total, total=total)
        return tn("{n} of the {total} groups works with another group as a partner, supplier or provider of a crime "
                  "service; {abroad} of them with a group that another country reported.",
                  "{n} of the {total} groups work with other groups as partners, suppliers or providers of crime "
                  "services; {abroad} of them with a group that another country reported.", linked, n=linked,
                  total=total, abroad=abroad)

    @needs_input("ocg_register.csv")
    def profiles_table(self) -> None:
        """The same groups under the Europol-style profile and under Sleipnir: bands and rank agreement."""
        prof = self.table("ocg_profiles")
        prof = prof[prof["scope"].eq(self.scope)]
        names = {"europol": t("Europol-style indicators"), "sleipnir": t("Sleipnir (RCMP)")}
        frame = pd.DataFrame({t("Profile"): prof["profile"].map(names), t("Mean score"): prof["mean_score"].map(self.num),
                              **{tp(BAND, code_label(b)): [self.count(v, h) for v, h in zip(prof[f"band_{b}"], prof[f"band_{b}_suppressed"])]
                                 for b in self.bands}})
        self.show_table(frame, "profiles", t("Groups per threat band under the two scoring profiles, {scope}.",
                                             scope=self.scope_name), align={c: "r" for c in frame.columns[1:]})
        self.say(self.profiles_text(prof))

    def profiles_text(self, prof: pd.DataFrame) -> str:
        """How alike the two profiles rank the groups of the scope (Spearman rank correlation, read with
        :data:`PROFILE_AGREEMENT`), and how their mean scores compare; every branch computed."""
        if prof.empty:
            return ""
        rho = prof["spearman"].iloc[0]
        groups = prof["groups"].iloc[0]
        if pd.notna(rho):
            values = dict(rho=fmt_number(rho, 2))
            if rho >= PROFILE_AGREEMENT["alike"]:
                text = t("The two profiles rank the groups alike (Spearman rank correlation {rho}).", **values)
            elif rho >= PROFILE_AGREEMENT["broadly"]:
                text = t("The two profiles rank the groups broadly alike (Spearman rank correlation {rho}).", **values)
            else:
                text = t("The two profiles rank the groups differently (Spearman rank correlation {rho}).", **values)
        elif self.threshold and (bool(prof.get("groups_suppressed", pd.Series(False)).iloc[0]) or pd.isna(groups)
                                 or groups < self.threshold):
            return t("How alike the two profiles rank the groups of {scope} is confidential in this public edition: "
                     "there are too few groups to publish it.", scope=self.scope_name)
        elif pd.notna(groups) and groups < 3:  # socta.analysis.scoring.profile_comparison needs three groups
            return t("There are too few groups in {scope} to compare how the two profiles rank them.",
                     scope=self.scope_name)
        else:
            text = t("No rank correlation between the two profiles can be computed for {scope}.", scope=self.scope_name)
        means = prof.set_index("profile")["mean_score"]
        if {"europol", "sleipnir"} <= set(means.index) and means.notna().all():
            e, s = self.num(means["europol"]), self.num(means["sleipnir"])
            if e == s:
                text += " " + t("Their mean scores round to the same value ({score}).", score=e)
            elif means["sleipnir"] > means["europol"]:
                text += " " + t("Sleipnir's mean score is higher ({sleipnir} against {europol}).", sleipnir=s, europol=e)
            else:
                text += " " + t("Sleipnir's mean score is lower ({sleipnir} against {europol}).", sleipnir=s, europol=e)
            unanswered = self.unanswered_attributes()
            if unanswered:
                points = self.project.settings["sleipnir"]["points"]
                text += " " + tn("Of Sleipnir's {total} attributes, {n} is answered by no OCG indicator and scored as "
                                 "unknown ({p} P).", "Of Sleipnir's {total} attributes, {n} are answered by no OCG "
                                 "indicator and scored as unknown ({p} P each).", len(unanswered),
                                 total=len(self.ref.sleipnir), p=fmt_points(points.get("unknown", 0)))
        return text

    def unanswered_attributes(self) -> list[str]:
        """The Sleipnir attributes that no OCG indicator answers (scored as unknown)."""
        s = self.ref.sleipnir
        return [a for a, ind in zip(s.index, s["indicator_id"]) if not ind or ind not in self.ref.ocg_indicators.index]

    # ---- the regional network: its nodes, links, drawing and sentences ----
    def network_nodes(self) -> pd.DataFrame:
        """The nodes of the regional network, the countries then the crime areas, each in configuration
        order: node (ISO3 or area id), name, kind ("country" or "area")."""
        countries, areas = self.countries, list(self.ref.top_areas.index)
        return pd.DataFrame({"node": [*countries, *areas],
                             "name": [t(self.ref.country_name(c)) for c in countries] + [self.area_name(a) for a in areas],
                             "kind": ["country"] * len(countries) + ["area"] * len(areas)})

    def network_links(self) -> pd.DataFrame:
        """The links of the regional network, pairs with groups active in both (counts, never identities):
        kind ("country-area" or "country-country"), a, b, groups, suppressed, label (the count as printed).
        A count confidential in the public edition is NaN with the label "c": such a link is known only to
        exist (zeros are never hidden). Empty without an OCG register."""
        if not self.has_input("ocg_register.csv"):
            return pd.DataFrame(columns=["kind", "a", "b", "groups", "suppressed", "label"])
        links = self.table("ocg_links")
        suppressed = links["suppressed"].astype(bool)
        groups = pd.Series(links["groups"].to_numpy(float, na_value=np.nan), index=links.index).mask(suppressed)
        links = links.assign(groups=groups, suppressed=suppressed)
        links = links[links["suppressed"] | links["groups"].gt(0)].reset_index(drop=True)
        return links.assign(label=[self.count(g, h) for g, h in zip(links["groups"], links["suppressed"])])

    def network_figure(self, links: pd.DataFrame):
        """The countries in a column on the left, the crime areas on the right, top to bottom as configured;
        a line for each link, as wide as its count of groups, and an arc between two countries."""
        nodes = self.network_nodes().set_index("node")   # name, kind ("country" or "area")
        nodes["x"] = nodes["kind"].map({"country": 0.0, "area": 1.0})
        for kind in ("country", "area"):
            nodes.loc[nodes["kind"].eq(kind), "y"] = np.linspace(1, 0, nodes["kind"].eq(kind).sum())
        fig, ax = figures.new_figure("tall")
        widest = links["groups"].max()
        for link in links.itertuples():
            (x1, y1), (x2, y2) = nodes.loc[link.a, ["x", "y"]], nodes.loc[link.b, ["x", "y"]]
            # the wider the line, the more groups; a confidential count is a thin dashed line, whatever its size
            width, style = (0.9, "--") if link.suppressed else (0.5 + 6 * link.groups / widest, "-")
            if link.kind == "country-area":
                ax.plot([x1, x2], [y1, y2], color=figures.PALETTE[0], lw=width, ls=style, alpha=0.55,
                        solid_capstyle="butt")
            else:  # two countries: an arc bulging left of the country column, labelled with its count
                bend = x1 - 1.1 * abs(y1 - y2)
                arc = Path([(x1, y1), (bend, (y1 + y2) / 2), (x2, y2)], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
                ax.add_patch(PathPatch(arc, fc="none", ec=figures.PALETTE[1], lw=width, ls=style, alpha=0.8))
                ax.text((x1 + bend) / 2, (y1 + y2) / 2, link.label, ha="center", va="center", fontsize=8.5,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": figures.PALETTE[1]})
        for node in nodes.itertuples():
            country = node.kind == "country"
            ax.scatter(node.x, node.y, s=260, color=figures.PALETTE[1] if country else figures.PALETTE[0], zorder=3)
            ax.text(node.x - 0.05 if country else node.x + 0.05, node.y, node.name, va="center",
                    ha="right" if country else "left", fontweight="bold" if country else "normal")
        ax.set(xlim=(-0.85, 1.75), ylim=(-0.12, 1.12), title=t("Where the groups operate: countries and crime areas"))
        ax.axis("off")
        return fig

    def no_network(self) -> None:
        """What the regional page says instead of a network with no link."""
        if not self.has_input("ocg_register.csv"):
            self.say_missing("ocg_register.csv")
        else:
            self.no_data(t("No organised crime group reported in the region is active in a crime area or in a second "
                           "country of the region, so there is no network to draw."))

    def network_caption(self, links: pd.DataFrame) -> str:
        return t("Links between the region's countries (left) and crime areas (right): the wider a line, the more groups "
                 "are active in both (numbers in the table below); the labelled arcs count the groups active in both "
                 "countries.") + (" " + t("A thin dashed line is a link whose number of groups is confidential in the "
                                          "public edition (c).") if links["suppressed"].any() else "")

    def network_alt(self, links: pd.DataFrame) -> str:
        """The strongest country–area link and the pair of countries sharing the most groups, among the
        counts shown (the public edition hides some)."""
        parts = [t("Network diagram")]
        for kind in ("country-area", "country-country"):
            part = links[links["kind"].eq(kind)].dropna(subset=["groups"])
            if part.empty:
                continue
            best = part[part["groups"].eq(part["groups"].max())]
            n = int(best["groups"].iloc[0])
            hidden = bool(links.loc[links["kind"].eq(kind), "suppressed"].any()) if "suppressed" in links else False
            if kind == "country-area":
                pairs = join_words([f"{t(self.ref.country_name(r.a))}–{in_sentence(self.area_name(r.b))}"
                                    for r in best.itertuples()])
                if hidden:
                    parts.append(tn("of the links shown, the strongest is {pairs} with {n} group",
                                    "of the links shown, the strongest is {pairs} with {n} groups", n, pairs=pairs))
                else:
                    parts.append(tn("the strongest link is {pairs} with {n} group", "the strongest link is {pairs} with "
                                    "{n} groups", n, pairs=pairs))
            else:
                if len(best) == 1:
                    r = best.iloc[0]
                    values = dict(c1=t(self.ref.country_name(r["a"])), c2=t(self.ref.country_name(r["b"])), n=n)
                    parts.append(t("of the pairs of countries shown, {c1} and {c2} share the most groups ({n})", **values)
                                 if hidden else t("{c1} and {c2} share the most groups ({n})", **values))
                else:
                    pairs = join_words([f"{t(self.ref.country_name(r.a))}–{t(self.ref.country_name(r.b))}"
                                        for r in best.itertuples()])
                    parts.append(t("of the pairs of countries shown, {pairs} each share the most groups ({n})",
                                   pairs=pairs, n=n) if hidden else
                                 t("the pairs {pairs} each share the most groups ({n})", pairs=pairs, n=n))
        return "; ".join(parts) + "."

    @needs_input("ocg_register.csv")
    def links_table(self) -> None:
        links = self.table("ocg_links")
        links = links[links["kind"].eq("country-area")].set_index(["b", "a"])
        areas = list(self.ref.top_areas.index)
        frame = pd.DataFrame({t("Crime area"): [self.area_name(a) for a in areas],
                              **{t(self.ref.country_name(c)): [self.count(links.at[(a, c), "groups"], links.at[(a, c), "suppressed"])
                                                               for a in areas] for c in self.countries}})
        self.show_table(frame, "links", t("Groups active in each country and crime area (a group counts in every "
                                          "country where it is active)."), align={c: "r" for c in frame.columns[1:]})

    @needs_input("ocg_register.csv")
    def regional_links_text(self) -> str:
        links = self.table("ocg_links")
        cc = links[links["kind"].eq("country-country") & (links["a"].eq(self.scope) | links["b"].eq(self.scope))]
        parts = [t("{country} ({n})", n=self.count(r.groups, r.suppressed),
                   country=t(self.ref.country_name(r.b if r.a == self.scope else r.a))) for r in cc.itertuples()]
        return t("Groups active in {scope:loc} that are also active elsewhere in the region, by country (number of "
                 "groups): {parts}. The regional page shows the whole network.", scope=self.scope_term(),
                 parts=fmt_list(parts))

    # ---- what drives the groups' scores (restricted edition): the template draws it ----
    def group_contributions(self, top: int = 10) -> pd.DataFrame:
        """What makes up the threat score of the ``top`` highest-scoring groups of this scope: one row per
        group and OCG indicator, with ocg_id (highest score first) and indicator (its name, configuration
        order), both ordered categoricals, and points (the indicator's weighted answer; a group's points add
        up to its score). Group-level data exist only in the restricted edition: empty in the public one,
        and without an OCG register."""
        if not self.edition.is_restricted or not self.has_input("ocg_register.csv"):
            return pd.DataFrame(columns=["ocg_id", "indicator", "points"])
        reg = self.table("ocg_register")
        if not self.is_region:
            reg = reg[reg["country"].eq(self.scope)]
        ids = list(reg.sort_values("score", ascending=False)["ocg_id"].head(top))
        names = {i: t(n) for i, n in self.ref.ocg_indicators["name_en"].items()}
        con = self.table("ocg_contributions")
        con = con[con["ocg_id"].isin(ids) & con["indicator"].isin(list(names))]
        out = pd.DataFrame({"ocg_id": pd.Categorical(con["ocg_id"], categories=ids, ordered=True),
                            "indicator": pd.Categorical(con["indicator"].map(names), categories=list(names.values()),
                                                        ordered=True),
                            "points": con["points"].astype(float)})
        return out.sort_values(["ocg_id", "indicator"]).reset_index(drop=True)

    def no_group_contributions(self) -> None:
        """What the restricted page says instead of a figure with no group (the public one says nothing)."""
        if not self.has_input("ocg_register.csv"):
            self.say_missing("ocg_register.csv")
        elif self.edition.is_restricted:
            self.no_data(t("No organised crime group is registered in {scope}.", scope=self.scope_name))

    def contributions_caption(self, points: pd.DataFrame) -> str:
        return tn("Contribution of each indicator to the threat score of the highest-scoring group, {scope} "
                  "(RESTRICTED).", "Contribution of each indicator to the threat score of the {n} highest-scoring groups, "
                  "{scope} (RESTRICTED).", points["ocg_id"].nunique(), scope=self.scope_name)

    def contributions_alt(self, points: pd.DataFrame) -> str:
        """The highest-scoring group, its score and the indicator that gives it the most points."""
        first = points[points["ocg_id"].eq(points["ocg_id"].cat.categories[0])]
        most = first.loc[first["points"].idxmax()]
        return t("Stacked bars per group; each segment is one indicator's weighted answer. The highest-scoring group, "
                 "{group}, scores {score}, most of it from {indicator}.", group=str(most["ocg_id"]),
                 score=self.num(first["points"].sum()), indicator=in_sentence(str(most["indicator"])))

    @needs_input("ocg_register.csv")
    def restricted_register(self) -> None:
        """Group-level ranking: only in the restricted edition (the public folder has no register)."""
        if not self.edition.is_restricted:
            return
        reg = self.table("ocg_register")
        if not self.is_region:
            reg = reg[reg["country"].eq(self.scope)]
        reg = reg.sort_values("score", ascending=False)
        frame = pd.DataFrame({
            t("Group"): reg["ocg_id"], t("Score"): reg["score"].map(self.num), t("Band"): reg["band"].map(t),
            t("Sleipnir rank"): reg["sleipnir_rank"].map(lambda v: self.num(v)),
            t("Crime areas"): reg["crime_areas"].fillna("").map(
                lambda codes: ", ".join(self.part_name(c) for c in codes.split("|") if c)),
            t("Countries"): reg["countries_active"].str.replace("|", ", "),
            t("Grade"): reg["grade"], t("Handling"): reg["handling_code"]})
        self.show_table(frame, "register", t("Organised crime groups ranked by threat score, {scope} (RESTRICTED).",
                                             scope=self.scope_name), align={t("Score"): "r"})

    # ---- where the groups are based and operate: the template draws the map ----
    def place_counts(self) -> pd.DataFrame:
        """The places of this scope's groups as this edition publishes them: one row per place with a
        count to show, with place, name, country, latitude, longitude, based (groups based there) and
        operating (groups operating there; NaN where that count is not published, or nil). The public
        edition names a place only with a count it may print (socta.process.disclosure_policy). Empty
        without ocg_places.csv."""
        columns = ["place", "name", "country", "latitude", "longitude", "based", "operating"]
        if not self.has_input("ocg_places.csv") or not self.has_input("ocg_register.csv"):
            return pd.DataFrame(columns=columns)
        rows = self.table("ocg_places")
        rows = rows[rows["scope"].eq(self.scope) & rows["place"].ne("") & ~rows["suppressed"].astype(bool)]
        rows = rows[rows["groups"].astype(float).gt(0)]
        wide = rows.pivot(index="place", columns="role", values="groups").reindex(columns=["base", "activity"])
        known = [p for p in self.ref.places.index if p in wide.index]   # places.csv order
        places = self.ref.places.loc[known]
        return pd.DataFrame({"place": known, "name": [t(n) for n in places["name_en"]], "country": places["country"].to_numpy(),
                             "latitude": places["latitude"].astype(float).to_numpy(),
                             "longitude": places["longitude"].astype(float).to_numpy(),
                             "based": wide.loc[known, "base"].astype(float).to_numpy(),
                             "operating": wide.loc[known, "activity"].astype(float).to_numpy()})[columns]

    def unplaced(self) -> float:
        """The groups of this scope with no known base, as published (NaN: not published)."""
        rows = self.table("ocg_places")
        row = rows[rows["scope"].eq(self.scope) & rows["role"].eq("base") & rows["place"].eq("")]
        if row.empty or bool(row["suppressed"].iloc[0]):
            return np.nan
        return float(row["groups"].iloc[0])

    # how far beyond the region's countries the map reaches (degrees) to take in a place: the neighbours
    REACH = 3.5

    def map_frame(self, places: pd.DataFrame) -> tuple[float, float, float, float]:
        """West, south, east, north: the region's countries, and the places shown within :data:`REACH`
        degrees of them (a place farther off is in the table only), with a margin."""
        rings = [ring for code, parts in self.ref.boundaries if code in self.countries for ring in parts]
        xs = [x for ring in rings for x, _ in ring] or list(places["longitude"]) or [18.0, 23.0]
        ys = [y for ring in rings for _, y in ring] or list(places["latitude"]) or [41.0, 46.0]
        near = self.on_map(places, (min(xs) - self.REACH, min(ys) - self.REACH, max(xs) + self.REACH,
                                    max(ys) + self.REACH))
        xs, ys = xs + list(near["longitude"]), ys + list(near["latitude"])
        return min(xs) - 0.6, min(ys) - 0.4, max(xs) + 0.6, max(ys) + 0.4

    @staticmethod
    def on_map(places: pd.DataFrame, frame: tuple[float, float, float, float]) -> pd.DataFrame:
        west, south, east, north = frame
        return places[places["longitude"].between(west, east) & places["latitude"].between(south, north)]

    def map_figure(self, places: pd.DataFrame):
        """The region's countries (tinted) among their neighbours; a filled circle at each place where
        groups are based, its area proportional to their number, and a ring where groups operate."""
        frame = self.map_frame(places)
        places = self.on_map(places, frame)
        fig, ax = figures.new_figure("tall")
        shapes = self.ref.boundaries
        figures.country_shapes(ax, shapes, self.countries, frame)
        for code in self.countries:   # the region's countries are named; the others are context
            centre = figures.shape_centre(shapes, code)
            if centre:
                name = ax.text(*centre, figures.shortened(t(self.ref.country_name(code)).upper()),
                               ha="center", va="center", fontsize=8, color=figures.MUTED, style="italic", zorder=2)
                name.set_in_layout(False)
                name.set_clip_on(True)
        largest = np.nanmax([places["based"].max(), places["operating"].max(), 1.0])
        area = lambda n: 40 + 900 * n / largest   # noqa: E731 - a marker's area grows with its count
        based = places.dropna(subset=["based"])
        ax.scatter(based["longitude"], based["latitude"], s=area(based["based"]), color=figures.PALETTE[3],
                   alpha=0.85, edgecolors="white", linewidths=0.8, zorder=3, label=t("Groups are based there"))
        operating = places.dropna(subset=["operating"])   # rings over the circles: both stay visible
        ax.scatter(operating["longitude"], operating["latitude"], s=area(operating["operating"]),
                   facecolors="none", edgecolors=figures.PALETTE[0], linewidths=1.8, zorder=4,
                   label=t("Groups operate there"))
        ax.legend(loc="lower left", frameon=True, framealpha=0.9, markerscale=0.5)
        labels = [f"{p.name} ({' / '.join(self.num(v) if pd.notna(v) else '–' for v in (p.based, p.operating))})"
                  for p in places.itertuples()]
        figures.place_labels(ax, list(places["longitude"]), list(places["latitude"]), labels)
        ax.set_title(t("Where the groups are based and operate — {scope}", scope=self.scope_title))
        return fig

    def map_source(self) -> str:
        return (self.source_statistics + " " + t("Boundaries: Natural Earth (public domain), as drawn there; they imply "
                                                 "no position on the status of any territory."))

    def map_caption(self, places: pd.DataFrame) -> str:
        text = t("Places where the groups reported in {scope:loc} are based (filled circles, their area proportional "
                 "to the number of groups) and where they operate (rings); in brackets, the groups based there, then "
                 "those operating there (–: none shown).", scope=self.scope_term())
        beyond = len(places) - len(self.on_map(places, self.map_frame(places)))
        if beyond:
            text += " " + tn("{n} place lies beyond the map and is in the table only.",
                             "{n} places lie beyond the map and are in the table only.", beyond)
        if self.threshold:
            text += " " + tn("This public edition shows no place where fewer than {n} group is based or operates, nor "
                             "a count that would give a small one away.", "This public edition shows no place where "
                             "fewer than {n} groups are based or operate, nor a count that would give a small one away.",
                             int(self.threshold))
        return text

    def map_alt(self, places: pd.DataFrame) -> str:
        parts = [t("Map of the region with its neighbours, showing only the places this public edition may name")
                 if self.threshold else t("Map of the region with its neighbours")]
        for column in ("based", "operating"):
            shown = places.dropna(subset=[column])
            if shown.empty:
                continue
            top = shown[shown[column].eq(shown[column].max())]
            values = dict(places=fmt_list(list(top["name"])), n=self.num(top[column].iloc[0]))
            if column == "based":   # literal messages, so that make messages finds them
                parts.append(t("most groups are based in {places} ({n})", **values) if len(top) == 1 else
                             tn("most groups are based in {places} ({n} group each)",
                                "most groups are based in {places} ({n} groups each)", int(top[column].iloc[0]),
                                places=values["places"]))
            else:
                parts.append(t("most groups operate in {places} ({n})", **values) if len(top) == 1 else
                             tn("most groups operate in {places} ({n} group each)",
                                "most groups operate in {places} ({n} groups each)", int(top[column].iloc[0]),
                                places=values["places"]))
        return "; ".join(parts) + "."

    def no_map(self) -> None:
        """What the page says instead of a map with nothing on it."""
        if not self.has_input("ocg_register.csv"):
            self.say_missing("ocg_register.csv")
        elif not self.has_input("ocg_places.csv"):
            self.say_missing("ocg_places.csv")
        elif self.threshold:
            self.no_data(t("No place of the groups of {scope} can be shown in this public edition: none is recorded, "
                           "or every count per place is small or would give a small one away; the restricted edition "
                           "shows those recorded.", scope=self.scope_term()))
        else:
            self.no_data(t("No place where a group of {scope} is based or operates is recorded.", scope=self.scope_term()))

    def places_text(self, places: pd.DataFrame) -> str:
        """The place where most groups are based, and how many groups have no known base, as published."""
        parts = []
        based = places.dropna(subset=["based"])
        if not based.empty:
            top = based[based["based"].eq(based["based"].max())]
            n = int(top["based"].iloc[0])
            names = fmt_list(list(top["name"]))
            parts.append(tn("Of the places shown, most groups of {scope} are based in {places}: {n} group.",
                            "Of the places shown, most groups of {scope} are based in {places}: {n} groups.", n,
                            scope=self.scope_term(), places=names) if self.threshold else
                         tn("Most groups of {scope} are based in {places}: {n} group.",
                            "Most groups of {scope} are based in {places}: {n} groups.", n,
                            scope=self.scope_term(), places=names))
        unplaced = self.unplaced()
        if pd.notna(unplaced) and unplaced > 0:
            parts.append(tn("{n} group has no known base.", "{n} groups have no known base.", int(unplaced)))
        elif pd.notna(unplaced):
            parts.append(t("Every group has a known base."))
        return " ".join(parts)

    @needs_input("ocg_places.csv")
    def places_table(self, places: pd.DataFrame) -> None:
        if places.empty:
            return
        frame = pd.DataFrame({t("Place"): places["name"], t("Country"): [t(self.ref.country_name(c))
                                                                       if c in self.ref.countries.index else
                                                                       territory_name(c) for c in places["country"]],
                              t("Groups based there"): [self.num(v) if pd.notna(v) else "–" for v in places["based"]],
                              t("Groups operating there"): [self.num(v) if pd.notna(v) else "–"
                                                            for v in places["operating"]]})
        notes = t("–: none, or not published in this edition.") if self.threshold else t("–: none.")
        self.show_table(frame, "places", t("Groups by place where they are based and operate, {scope}.",
                                           scope=self.scope_name),
                        align={t("Groups based there"): "r", t("Groups operating there"): "r"}, notes=notes)
