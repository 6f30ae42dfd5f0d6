"""Building blocks of the pages that are not a single crime area: conclusions, OCGs, methodology,
open-source context and provenance.

The figures of the OCG, conclusions and factors chapters are drawn in their templates
(``notebooks/ocg.md``, ``conclusions.md``, ``factors.md``); the page classes here give them tidy,
edition-safe frames to draw (a count confidential in the public edition is NaN, never 0), their
computed captions and alt text, and the sentence a page shows when there is nothing to draw."""
from __future__ import annotations

import functools
import hashlib
import platform
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from . import figures, gitoc
from .config import OPEN_SOURCES_DIR, REGION
from .markup import inert_frame
from .disclosure import MARK
from .i18n import code_label, fmt_number, fmt_percent, t
from .formatting import share_text, signed_percent
from .notebook import Page
from .scoring import SUBSCORE_MAX

# How far the OCG page reads the Spearman rank correlation between the two scoring profiles as
# agreement (a reading convention, not a SOCTA rule; settings.yaml has no section for it): at or
# above "alike" the profiles rank the groups alike, at or above "broadly" broadly alike, below it
# differently.
PROFILE_AGREEMENT = {"alike": 0.8, "broadly": 0.5}

# A crime area outside the top N that reaches the top N under at least this share of the weightings
# makes the top N "not settled" (conclusions, sensitivity text).
CONTENDER_SHARE = 0.25


def fmt_points(value) -> str:
    """Points per answer as configured: 4, or 1.5."""
    value = float(value)
    return fmt_number(value, 0 if value.is_integer() else 1)


def join_words(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return t("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


def needs_input(name: str):
    """Skip a block of a page when the dataset lacks the optional input file it is made from; the
    page says once, in a sentence, what is missing (:meth:`Page.say_missing`)."""
    def wrap(method):
        @functools.wraps(method)
        def inner(self, *args, **kwargs):
            if not self.has_input(name):
                self.say_missing(name)
                return None
            return method(self, *args, **kwargs)
        return inner
    return wrap


class ConclusionsPage(Page):
    def ranking(self, scope: str) -> pd.DataFrame:
        """The ranked crime areas of a scope; an area with no score at all is not ranked."""
        s = self.scores
        return s[s["scope"].eq(scope) & s["rank"].notna()].sort_values("rank")

    def why_unranked(self, scope: str) -> str:
        """Why no crime area of a scope has a priority score, from the scores themselves."""
        s = self.scores[self.scores["scope"].eq(scope)]
        share = float(self.project.settings["priority"].get("min_known_share", 0))
        return t("No crime area can be ranked for {scope}: no area has a harm score (no expert assessment), and a threat "
                 "score needs sub-scores carrying at least {share} of the weights, while the data give at most {k} of "
                 "the {n} threat indicators. The key judgements therefore rest on the statistical trends alone.",
                 scope=t("the region") if scope == REGION else t(self.ref.country_name(scope)),
                 share=fmt_percent(share), k=str(int(s["threat_known"].max()) if "threat_known" in s and len(s) else 0),
                 n=str(len(self.ref.threat_indicators)))

    def unranked_text(self, scope: str) -> str:
        s = self.scores
        out = s[s["scope"].eq(scope) & s["rank"].isna()]
        if out.empty:
            return ""
        return " " + t("Not ranked for lack of any data: {areas}.", areas=", ".join(self.area_name(a).lower() for a in out["area"]))

    def headline(self) -> None:
        """The priority threats, regional and per country, in sentences generated from the scores."""
        region = self.ranking(REGION)
        if region.empty:
            self.say(self.why_unranked(REGION))
            return
        first_tier = region[region["tier"].eq(region["tier"].iloc[0])]
        leaders = self.first_ranked(REGION)  # more than one when the highest priority scores tie
        firsts = [self.area_name(a).lower() for a in leaders]
        top = [self.area_name(a).lower() for a in region["area"] if a not in leaders][:max(0, 3 - len(leaders))]
        following = {0: "", 1: t(", followed by {second}", second=top[0] if top else ""),
                     2: t(", followed by {second} and {third}", second=top[0] if top else "",
                          third=top[1] if len(top) > 1 else "")}[len(top)]
        values = dict(first=join_words(firsts), score=self.score(region.iloc[0], "priority"),
                      tier=t(region["tier"].iloc[0]), following=following, n_first=len(first_tier), n=len(region))
        if len(leaders) == 1:
            text = t("**Regional priorities.** The highest-priority threat for the region is **{first}** (priority "
                     "score {score}, {tier}){following}. {n_first} of {n} ranked crime areas fall in {tier}.", **values)
        else:
            text = t("**Regional priorities.** The highest priority for the region is shared by **{first}** (priority "
                     "score {score}, {tier}){following}. {n_first} of {n} ranked crime areas fall in {tier}.", **values)
        self.say(text + self.unranked_text(REGION))
        lines = []
        for iso3 in self.countries:
            r = self.ranking(iso3)
            if r.empty:
                lines.append("- " + t("**{country}**: no crime area can be ranked.", country=t(self.ref.country_name(iso3))))
                continue
            items = [f"{self.area_name(row.area) if i == 0 else self.area_name(row.area).lower()} "
                     f"({self.score(row._asdict(), 'priority')})"
                     for i, row in enumerate(r.head(3).itertuples(index=False))]
            lines.append("- " + t("**{country}**: {areas}.", country=t(self.ref.country_name(iso3)), areas=", ".join(items)))
        self.say(t("**National priorities** (the three highest priority scores in each country):") + "\n\n" + "\n".join(lines)
                 + ("\n\n" + self.score_note(self.scores).strip() if self.score_note(self.scores) else ""))
        self.say(self.shared_priority_text())

    def first_ranked(self, scope: str) -> list[str]:
        """The crime area ranked first in a scope: several when their priority scores tie; none when
        nothing is ranked."""
        r = self.ranking(scope)
        return [] if r.empty else list(r.loc[r["rank"].eq(r["rank"].min()), "area"])

    def shared_priority_text(self) -> str:
        """Whether every country ranks the same crime area first, or what each ranks first."""
        firsts = {c: self.first_ranked(c) for c in self.countries}
        candidates = next(iter(firsts.values()), [])
        shared = [a for a in candidates if all(a in f for f in firsts.values())]
        if shared:
            return t("Every country ranks {area} first: a shared priority for regional co-operation.",
                     area=join_words([self.area_name(a).lower() for a in shared]))
        items = [t("{country} ranks {area} first", country=t(self.ref.country_name(c)),
                   area=join_words([self.area_name(a).lower() for a in f])) if f else
                 t("{country} ranks no crime area", country=t(self.ref.country_name(c))) for c, f in firsts.items()]
        return t("The countries do not share a first priority: {items}.", items="; ".join(items))

    # ---- threat × harm matrix: the template draws it; these give it the points and the sentences ----
    @property
    def priority_weights(self) -> tuple[float, float]:
        """The weights of threat and harm in the priority score (settings.yaml ``priority.weights``)."""
        w = self.project.settings["priority"]["weights"]
        return float(w["threat"]), float(w["harm"])

    def scope_label(self, scope: str) -> str:
        """"Region", or the country's name: how a figure title names a scope."""
        return t("Region") if scope == REGION else t(self.ref.country_name(scope))

    def matrix_points(self, scope: str = REGION) -> pd.DataFrame:
        """The crime areas the threat × harm matrix of a scope draws, in rank order: area, name, threat,
        harm, rank, score_precision. Only ranked areas with both scores; an area whose threat the public
        edition withholds is left out, so no withheld score is ever drawn. ``score_precision`` "rounded":
        the public threat is rounded to the score step (it rests on a confidential count of groups)."""
        ranked = self.ranking(scope)
        precision = ranked.get("score_precision", pd.Series("exact", index=ranked.index))
        drawn = ranked[precision.ne("withheld")].dropna(subset=["threat", "harm"])
        return pd.DataFrame({"area": drawn["area"], "name": [self.area_name(a) for a in drawn["area"]],
                             "threat": drawn["threat"].astype(float), "harm": drawn["harm"].astype(float),
                             "rank": drawn["rank"], "score_precision": precision[drawn.index]}).reset_index(drop=True)

    def no_matrix(self, scope: str = REGION) -> None:
        """What the page says instead of a matrix with no point: nothing when no area of the scope is ranked
        (the priorities text says why, once), else that no area has both scores."""
        if not self.ranking(scope).empty:
            self.no_data(t("No threat × harm matrix for {scope}: no crime area has both a threat and a harm score.",
                           scope=self.scope_label(scope)))

    def matrix_reading(self) -> str:
        """How to read the matrix under the priority weights in force (the dashed line of equal priority)."""
        wt, wh = self.priority_weights
        if wt > 0 and wh > 0:
            return t("Points further up and to the right have higher priority; points on a line parallel to the "
                     "dashed one have equal priority.")
        if wt > 0:
            return t("Priority follows the threat score alone (harm weight 0): points further to the right have "
                     "higher priority.")
        return t("Priority follows the harm score alone (threat weight 0): points further up have higher priority.")

    def matrix_caption(self, scope: str, points: pd.DataFrame) -> str:
        """The matrix's caption: how to read it, what the open circles are, which areas are not drawn."""
        ranked = self.ranking(scope)
        left_out = ranked[~ranked["area"].isin(points["area"])]
        is_withheld = left_out.get("score_precision", pd.Series("exact", index=left_out.index)).eq("withheld")
        withheld = [self.area_name(a) for a in left_out.loc[is_withheld, "area"]]
        unscored = [self.area_name(a) for a in left_out.loc[~is_withheld, "area"]]
        rounded = points["score_precision"].eq("rounded").any()
        return (t("Prioritisation matrix, {scope}: each crime area by threat and harm.", scope=self.scope_label(scope))
                + " " + self.matrix_reading()
                + (t(" Open circles: threat rounded to the nearest {step} in the public edition (it rests on a count "
                     "of groups too small to publish).", step=str(self.project.settings["public"].get("score_step", 5)))
                   if rounded else "")
                + (t(" Not drawn (score withheld): {areas}.", areas=", ".join(withheld)) if withheld else "")
                + (t(" Not drawn (threat or harm not scored): {areas}.", areas=", ".join(unscored)) if unscored else ""))

    def matrix_alt(self, scope: str, points: pd.DataFrame) -> str:
        """The highest-priority area drawn, with its scores as the edition prints them."""
        top = points.iloc[0]
        values = dict(area=top["name"].lower(), threat=self.score(top, "threat"), harm=self.score(top, "harm"))
        if top["rank"] == self.ranking(scope)["rank"].min():
            return t("Scatter plot of the crime areas by threat (horizontal) and harm (vertical); {area} has the "
                     "highest priority with threat {threat} and harm {harm}.", **values)
        return t("Scatter plot of the crime areas by threat (horizontal) and harm (vertical); of the areas drawn, "
                 "{area} has the highest priority with threat {threat} and harm {harm}.", **values)

    def ranking_table(self, scope: str) -> None:
        r = self.ranking(scope)
        if r.empty:
            return
        frame = pd.DataFrame({
            t("Rank"): r["rank"].astype(str),
            t("Crime area"): [self.area_name(a) for a in r["area"]],
            t("Threat"): [self.score(row, "threat") for _, row in r.iterrows()],
            t("Harm"): [self.score(row, "harm") for _, row in r.iterrows()],
            t("Priority"): [self.score(row, "priority") for _, row in r.iterrows()],
            t("Tier"): r["tier"].map(t),
        })
        name = t("Region") if scope == REGION else t(self.ref.country_name(scope))
        self.show_table(frame, f"ranking-{scope.lower()}", t("Crime areas ranked by priority — {scope}.", scope=name),
                        align={c: "r" for c in frame.columns if c not in (t("Crime area"), t("Tier"))},
                        notes=self.score_note(r).strip())


    # ---- key judgements -------------------------------------------------------------
    def key_judgements(self, n: int = 3) -> None:
        """One box per top-priority area of the region, with how robust its rank is to the weights."""
        region = self.ranking(REGION)
        robust = self.robustness(REGION)
        top = int(self.project.settings["sensitivity"]["top"])
        if region.empty:
            self.say(t("No crime area of the region can be ranked (see the regional priorities below), so the key "
                       "judgements cover every crime area with a headline indicator, in the order of the configuration, "
                       "and state only what its trend supports."))
            for area in self.ref.top_areas.index:
                if self.headline_indicator(area) is None:
                    continue
                j = self.judgement(area, REGION)
                title = t("Key judgement: {area}", area=self.area_name(area))
                self.say(f"```{{admonition}} {title}\n:class: key-judgement\n{j['text']}\n\n{j['basis']}\n```")
            return
        for i, (area, rank) in enumerate(zip(region["area"].head(n), region["rank"].head(n)), start=1):
            j = self.judgement(area, REGION)
            rank_text = t("{area} ranks {rank} of {n} crime areas for the region and in the top {top} under {share} of "
                          "weightings (Monte Carlo sensitivity).", area=self.area_name(area),
                          rank=str(int(rank)), n=str(len(region)), top=str(top),
                          share=fmt_percent(robust.at[area, "p_top"]))
            body = rank_text + "\n\n" + j["text"] + "\n\n" + j["basis"]
            title = t("Key judgement {i}: {area}", i=str(i), area=self.area_name(area))
            self.say(f"```{{admonition}} {title}\n:class: key-judgement\n{body}\n```")

    # ---- sensitivity ------------------------------------------------------------------
    def robustness(self, scope: str) -> pd.DataFrame:
        """P(top three), P(first) and median rank of each area under Dirichlet-perturbed weights
        (computed when the data were processed, from the scores as this edition publishes them:
        :func:`socta.public.robustness_inputs`)."""
        table = self.table("rank_robustness")
        return table[table["scope"].eq(scope)].set_index("area")

    # the template draws the robustness figure from these
    @property
    def sensitivity_top(self) -> int:
        """The N of "in the top N" in the sensitivity analysis (settings.yaml ``sensitivity.top``)."""
        return int(self.project.settings["sensitivity"]["top"])

    def rank_robustness(self, scope: str = REGION) -> pd.DataFrame:
        """The ranked crime areas of a scope in rank order, with how far their place depends on the
        weights: area, name, p_top (share of the weightings drawn under which the area ranks in the top
        N), p_first (share under which it ranks first)."""
        areas = list(self.ranking(scope)["area"])
        rob = self.robustness(scope).loc[areas]
        return pd.DataFrame({"area": areas, "name": [self.area_name(a) for a in areas],
                             "p_top": rob["p_top"].to_numpy(float), "p_first": rob["p_first"].to_numpy(float)})

    def sensitivity_caption(self) -> str:
        cfg = self.project.settings["sensitivity"]
        return t("Share of {draws} random weightings (Dirichlet around the configured weights, concentration {c}, seed "
                 "{seed}) under which each crime area ranks in the top {top} and first.", draws=int(cfg["draws"]),
                 c=str(cfg["concentration"]), seed=str(cfg["seed"]), top=str(self.sensitivity_top))

    def sensitivity_alt(self, robust: pd.DataFrame) -> str:
        """The first-ranked area and the share of weightings that keep it in the top N."""
        lead = robust.iloc[0]
        return t("Horizontal bars per crime area; {area} ranks in the top {top} under {share} of weightings.",
                 area=lead["name"].lower(), top=str(self.sensitivity_top), share=fmt_percent(lead["p_top"]))

    def sensitivity_intro(self) -> None:
        """Why the robustness section exists, with the number of weightings drawn (settings.yaml)."""
        self.say(t("The weights are a choice. Drawing {draws} alternative weightings around the configured ones shows "
                   "which conclusions depend on that choice and which do not.",
                   draws=fmt_number(int(self.project.settings["sensitivity"]["draws"]))))

    def sensitivity_text(self, scope: str = REGION) -> None:
        if self.ranking(scope).empty:
            return
        rob = self.rank_robustness(scope).set_index("area")
        if len(rob) < 2:
            self.say(t("With fewer than two ranked crime areas the weights cannot change the order."))
            return
        top = self.sensitivity_top
        parts = [t("{area} ranks in the top {top} under {share} of weightings", area=self.area_name(a),
                   top=str(top), share=fmt_percent(rob.at[a, "p_top"])) for a in rob.index[:top]]
        contenders = [self.area_name(a).lower() for a in rob.index[top:] if rob.at[a, "p_top"] >= CONTENDER_SHARE]
        text = "; ".join(parts) + "."
        if len(rob) <= top:
            text += " " + t("With {n} ranked crime areas, every one is in the top {top}.", n=str(len(rob)), top=str(top))
        elif len(contenders) == 1:
            text += " " + t("The top {top} is not settled: {areas} also reaches it under {share} or more of weightings.",
                            top=str(top), areas=contenders[0], share=fmt_percent(CONTENDER_SHARE))
        elif contenders:
            text += " " + t("The top {top} is not settled: {areas} also reach it under {share} or more of weightings.",
                            top=str(top), areas=join_words(contenders), share=fmt_percent(CONTENDER_SHARE))
        else:
            text += " " + t("No crime area ranked below the top {top} reaches it under {share} or more of weightings.",
                            top=str(top), share=fmt_percent(CONTENDER_SHARE))
        self.say(text)

    # ---- change since the previous period ---------------------------------------------
    def what_changed(self, scope: str = REGION) -> None:
        """Rank now against rank with the previous period's statistics, and the statistical reason."""
        window = int(self.project.settings["assessment"]["trend_window"])
        now = self.scores[self.scores["scope"].eq(scope)].set_index("area")
        before = self.scores_previous[self.scores_previous["scope"].eq(scope)].set_index("area")
        rows, moves = [], []
        for area in now.sort_values("rank").index:
            if pd.isna(now.at[area, "rank"]) or pd.isna(before.at[area, "rank"]):
                continue  # not ranked in one of the periods: no move to explain
            r_now, r_before = int(now.at[area, "rank"]), int(before.at[area, "rank"])
            tr_now = self.trend(self.headline_indicator(area), scope)
            prev = self.table("trends_previous")
            prev = prev[prev["scope"].eq(scope) & prev["indicator"].eq(self.headline_indicator(area))]
            c_now = tr_now["change_per_year"] if tr_now is not None else float("nan")
            c_before = prev["change_per_year"].iloc[0] if len(prev) and "change_per_year" in prev else float("nan")
            pct = signed_percent
            move = r_before - r_now
            rows.append({t("Crime area"): self.area_name(area), t("Rank before"): str(r_before), t("Rank now"): str(r_now),
                         t("Move"): ("▲ " + str(move)) if move > 0 else ("▼ " + str(-move)) if move < 0 else "=",
                         t("Trend before"): pct(c_before), t("Trend now"): pct(c_now)})
            if move:
                moves.append(t("{area} moved {dir} from {b} to {n}: its headline indicator ({ind}) went from {cb} to {cn} "
                               "a year.", area=self.area_name(area), dir=t("up") if move > 0 else t("down"),
                               b=str(r_before), n=str(r_now), ind=t(self.ref.indicators.at[self.headline_indicator(area), "name_en"]).lower(),
                               cb=pct(c_before), cn=pct(c_now)))
        last = self.last_year
        self.say(t("The ranking below is recomputed with the statistics of the period ending in {before} (the fitted trend "
                   "over {span} years) against the period ending in {last}; expert assessments and the OCG register "
                   "describe the current period and are held as they are, so every move has its reason in the data.",
                   before=str(last - window), last=str(last), span=str(2 * window)))
        if not rows:
            self.say(t("No crime area is ranked in both periods, so there is no change of rank to explain."))
            return
        self.say(" ".join(moves) if moves else t("No crime area changed rank."))
        if not rows:
            return
        frame = pd.DataFrame(rows)
        self.show_table(frame, f"changes-{scope.lower()}", t("Ranks in the previous and the latest period, {scope}.",
                        scope=t("region") if scope == REGION else t(self.ref.country_name(scope))),
                        align={c: "r" for c in frame.columns[1:]})


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
        bands = [t("{count} assessed as {band} threat", count=self.summary_count("band", b), band=t(b)) if i == 0 else
                 t("{count} as {band}", count=self.summary_count("band", b), band=t(b))
                 for i, b in enumerate(self.bands)]
        text = t(
            "{n} organised crime groups were reported {where}: {bands}. {intl} are active in more than one country.",
            n=self.summary_count("groups", "all"), where=t("in the region") if self.is_region else t("by {c}", c=self.scope_name),
            bands=join_words(bands), intl=self.summary_count("reach", "international"))
        if self.threshold and self.summary()["suppressed"].any():
            text += " " + t("c: confidential. The public edition does not show counts below {k}, nor any count from "
                            "which one could be worked out from the totals and the other tables.", k=str(self.threshold))
        self.say(text)

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

    def no_groups_by_area(self, groups: pd.DataFrame) -> None:
        """What the page says instead of a figure with no bar: the input is missing, the counts are
        confidential, or no group was reported."""
        if not self.has_input("ocg_register.csv"):
            self.say_missing("ocg_register.csv")
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
        busiest = join_words([str(a).lower() for a in shown.index[shown.eq(shown.max())]])
        if groups["suppressed"].any():
            return t("Stacked horizontal bars of the number of groups per crime area; of the counts shown, most "
                     "groups are active in {area}.", area=busiest)
        return t("Stacked horizontal bars of the number of groups per crime area; most groups are active in {area}.",
                 area=busiest)

    @needs_input("ocg_register.csv")
    def structure_table(self) -> None:
        s = self.summary()
        s = s[s["measure"].isin(["structure", "reach"])]
        words = {"structure": t("Structure"), "reach": t("Reach"), "international": t("Active in more than one country"),
                 "domestic": t("Active in one country only")}
        frame = pd.DataFrame({t("Characteristic"): [words.get(m, m) for m in s["measure"]],
                              t("Category"): [words[c] if c in words else t(code_label(c)) for c in s["category"]],
                              t("Groups"): [self.count(v, h) for v, h in zip(s["count"], s["suppressed"])]})
        self.show_table(frame, "structure", t("Structure and reach of the groups, {scope}.", scope=self.scope_name),
                        align={t("Groups"): "r"})

    @needs_input("ocg_register.csv")
    def profiles_table(self) -> None:
        """The same groups under the Europol-style profile and under Sleipnir: bands and rank agreement."""
        prof = self.table("ocg_profiles")
        prof = prof[prof["scope"].eq(self.scope)]
        names = {"europol": t("Europol-style indicators"), "sleipnir": t("Sleipnir (RCMP)")}
        frame = pd.DataFrame({t("Profile"): prof["profile"].map(names), t("Mean score"): prof["mean_score"].map(self.num),
                              **{t(b.capitalize()): [self.count(v, h) for v, h in zip(prof[f"band_{b}"], prof[f"band_{b}_suppressed"])]
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
        elif pd.notna(groups) and groups < 3:  # socta.scoring.profile_comparison needs three groups
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
                text += " " + t("Sleipnir scores the {k} of its {n} attributes that no OCG indicator answers as unknown "
                                "({p} P each).", k=str(len(unanswered)), n=str(len(self.ref.sleipnir)),
                                p=fmt_points(points.get("unknown", 0)))
        return text

    def unanswered_attributes(self) -> list[str]:
        """The Sleipnir attributes that no OCG indicator answers (scored as unknown)."""
        s = self.ref.sleipnir
        return [a for a, ind in zip(s.index, s["indicator_id"]) if not ind or ind not in self.ref.ocg_indicators.index]

    # ---- the regional network: the template draws it; these give the nodes, links and sentences ----
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
            n = fmt_number(int(best["groups"].iloc[0]))
            hidden = bool(links.loc[links["kind"].eq(kind), "suppressed"].any()) if "suppressed" in links else False
            if kind == "country-area":
                pairs = join_words([f"{t(self.ref.country_name(r.a))}–{self.area_name(r.b).lower()}"
                                    for r in best.itertuples()])
                if hidden:
                    parts.append(t("of the links shown, the strongest is {pairs} with {n} groups", pairs=pairs, n=n))
                else:
                    parts.append(t("the strongest link is {pairs} with {n} groups", pairs=pairs, n=n))
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
        parts = [t("{n} with {country}", n=self.count(r.groups, r.suppressed),
                   country=t(self.ref.country_name(r.b if r.a == self.scope else r.a))) for r in cc.itertuples()]
        return t("Groups active in {scope} that are also active elsewhere in the region: {parts}. The regional page "
                 "shows the whole network.", scope=self.scope_name, parts="; ".join(parts))

    # ---- what drives the groups' scores (restricted edition): the template draws it ----
    def group_contributions(self, top: int = 10) -> pd.DataFrame:
        """What makes up the threat score of the ``top`` highest-scoring groups of this scope: one row per
        group and OCG indicator, with ocg_id (highest score first) and indicator (its name, configuration
        order), both ordered categoricals, and points (the indicator's weighted answer; a group's points add
        up to its score). Group-level data exist only in the restricted edition: empty in the public one,
        and without an OCG register."""
        if self.audience != "restricted" or not self.has_input("ocg_register.csv"):
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
        elif self.audience == "restricted":
            self.no_data(t("No organised crime group is registered in {scope}.", scope=self.scope_name))

    def contributions_caption(self, points: pd.DataFrame) -> str:
        return t("Contribution of each indicator to the threat score of the {n} highest-scoring groups, {scope} "
                 "(RESTRICTED).", n=points["ocg_id"].nunique(), scope=self.scope_name)

    def contributions_alt(self, points: pd.DataFrame) -> str:
        """The highest-scoring group, its score and the indicator that gives it the most points."""
        first = points[points["ocg_id"].eq(points["ocg_id"].cat.categories[0])]
        most = first.loc[first["points"].idxmax()]
        return t("Stacked bars per group; each segment is one indicator's weighted answer. The highest-scoring group, "
                 "{group}, scores {score}, most of it from {indicator}.", group=str(most["ocg_id"]),
                 score=self.num(first["points"].sum()), indicator=str(most["indicator"]).lower())

    @needs_input("ocg_register.csv")
    def restricted_register(self) -> None:
        """Group-level ranking: only in the restricted edition (the public folder has no register)."""
        if self.audience != "restricted":
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


class MethodologyPage(Page):
    def disclosure_text(self) -> None:
        """How this edition protects small counts of groups, with what it did (computed when the data
        were processed)."""
        if not self.has_input("ocg_register.csv"):
            self.say(t("No OCG register is part of this dataset, so this edition publishes no count of groups to protect."))
            return
        d = self.table("disclosure").iloc[0]
        if not self.threshold:
            self.say(t("This restricted edition shows every count of groups as it is."))
            return
        step = self.project.settings["public"].get("score_step", 5)
        self.say(t(
            "This public edition shows {counts} counts of organised crime groups (by area, band, structure, reach, "
            "country abroad, nationality and enabler). {small} of them are below {k} and are shown as c "
            "(confidential); {protecting} more are shown as c so that none of the small ones can be worked out. A "
            "reader who knows every published count and the {relations} sums and bounds that tie them (totals, "
            "margins, the same count in two tables, the published mean scores of the bands) could still place each "
            "small count anywhere in a range of at least {width} values: a linear program finds its least and "
            "greatest value consistent with everything published, and the edition is built only if every hidden "
            "small count passes. The ranks, tiers and scores are results of the restricted data: {rounded} threat "
            "and priority scores that rest on a hidden count are rounded to the nearest {step} (≈){withheld}, and the "
            "same check covers them. The robustness of the ranking is computed from the scores as this edition "
            "publishes them, so it tells a reader nothing they do not.",
            counts=fmt_number(d["counts"]), small=fmt_number(d["hidden_small"]), k=str(int(d["threshold"])),
            protecting=fmt_number(d["hidden_protecting"]), relations=fmt_number(d["relations"]),
            width=str(int(d["threshold"]) - 1), rounded=fmt_number(d["scores_rounded"]), step=str(step),
            withheld=t(" and {n} are withheld (c)", n=fmt_number(d["scores_withheld"])) if d["scores_withheld"] else ""))

    def config_table(self, frame: pd.DataFrame, columns: dict[str, str], key: str, caption: str,
                     codes: list[str] = ()) -> None:
        """A reference table as configured, under the (translated) column labels ``columns`` gives.

        Words in the cells are translated; the columns in ``codes`` print as they are (A1, H2)."""
        def cell(v, translate: bool):
            if isinstance(v, str):
                return t(v) if translate else v
            return self.num(v, 0 if pd.isna(v) or float(v).is_integer() else 1)

        out = pd.DataFrame({label: frame[col].map(lambda v, tr=col not in codes: cell(v, tr))
                            for col, label in columns.items()})
        self.show_table(out, key, caption, source=t("Source: reference configuration in force."))

    @property
    def subscore_max(self) -> str:
        """The top of the 0–N scale of the crime-area threat and harm sub-scores (socta.scoring)."""
        return fmt_points(SUBSCORE_MAX)

    def sleipnir_maximum(self) -> float:
        """The most points a group can score under Sleipnir: the best answer's points × the sum of the
        attributes' weights P (sleipnir_attributes.csv, settings.yaml sleipnir.points)."""
        points = self.project.settings["sleipnir"]["points"]
        return max(float(v) for v in points.values()) * float(self.ref.sleipnir["weight"].sum())

    def sleipnir_caption(self) -> str:
        """The caption of the Sleipnir table: the points per answer and the maximum, from configuration;
        says so when settings.yaml divides by another maximum than the weights give."""
        cfg = self.project.settings["sleipnir"]
        points = ", ".join(f"{t(label)} {fmt_points(v)}P" if float(v) else f"{t(label)} 0"
                           for label, v in cfg["points"].items())
        best = max(float(v) for v in cfg["points"].values())
        maximum = self.sleipnir_maximum()
        text = t("Sleipnir attributes (RCMP) as configured for the comparison profile: {points}; maximum {maximum} "
                 "({best} × the sum of the weights P, {weights}).", points=points, maximum=fmt_points(maximum),
                 best=fmt_points(best), weights=fmt_points(self.ref.sleipnir["weight"].sum()))
        configured = cfg.get("maximum")
        if configured is not None and float(configured) != maximum:
            if float(configured) < maximum:
                text += " " + t("The scores are divided by {configured} (settings.yaml sleipnir.maximum), not by this "
                                "maximum, so a Sleipnir score can exceed 100.", configured=fmt_points(configured))
            else:
                text += " " + t("The scores are divided by {configured} (settings.yaml sleipnir.maximum), not by this "
                                "maximum, so no Sleipnir score can reach 100.", configured=fmt_points(configured))
        return text

    def yardstick_gaps(self) -> list[tuple[float, float]]:
        """The probabilities (in %) that no yardstick range covers, as (from, to) pairs."""
        y = self.ref.yardstick.sort_values("lower_pct")
        gaps, covered = [], 0.0
        for lower, upper in zip(y["lower_pct"].astype(float), y["upper_pct"].astype(float)):
            if lower > covered:
                gaps.append((covered, lower))
            covered = max(covered, upper)
        if covered < 100:
            gaps.append((covered, 100.0))
        return gaps

    def yardstick_caption(self) -> str:
        gaps = self.yardstick_gaps()
        if gaps:
            return t("Probability yardstick used in key judgements; the gaps between its ranges ({gaps}) are "
                     "deliberate.", gaps=", ".join(f"{fmt_points(a)}–{fmt_points(b)}%" for a, b in gaps))
        return t("Probability yardstick used in key judgements; its ranges cover 0–100% without gaps.")

    def grading_caption(self) -> str:
        g = self.ref.grading
        return t("Source and information grading in force (profile {profile}: {r} source-reliability × {i} information "
                 "codes) and handling codes.", profile=str(self.project.settings.get("grading_profile", "europol_4x4")),
                 r=str(int(g["dimension"].eq("source_reliability").sum())),
                 i=str(int(g["dimension"].eq("information").sum())))

    def settings_text(self) -> None:
        s = self.project.settings
        bands = ", ".join(f"{t(k)} ≥ {v}" for k, v in s["ocg_scoring"]["bands"].items())
        tiers = ", ".join(f"{t(k)} ≥ {v}" for k, v in s["priority"]["tiers"].items())
        w = s["priority"]["weights"]
        unknown = s["ocg_scoring"]["unknown_answer"]
        self.say(t("OCG threat score = 100 × Σ(weight × answer value) / Σ(weight × {vmax}) over the indicators "
                   "answered. Bands: {bands}. Unknown answers: {unknown}.", bands=bands,
                   vmax=fmt_points(self.ref.answer_scale["value"].max()),
                   unknown=t("excluded, and the score is rescaled over the indicators answered") if unknown == "exclude"
                   else t("counted as '{a}'", a=t(unknown))))
        self.say(t("Crime-area threat score = 100 × Σ(weight × sub-score) / Σ(weight × {smax}); harm score likewise "
                   "from the median expert answer per dimension. Priority = ({wt} × threat + {wh} × harm) / ({wt} + "
                   "{wh}); tiers: {tiers}. Change over time compares the mean of the last {n} years with the {n} years "
                   "before.", smax=self.subscore_max, wt=str(w["threat"]), wh=str(w["harm"]), tiers=tiers,
                   n=str(s["assessment"]["trend_window"])))


    def inputs_basis_text(self) -> None:
        """How the scores of this edition are formed from the inputs that exist."""
        have = {name: self.has_input(name) for name in ("ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv")}
        if all(have.values()):
            self.say(t("This edition has all four inputs: statistics, the OCG register, the OCG indicator answers and "
                       "the expert assessments; every sub-score below can be computed where the data cover it."))
        else:
            missing = [name for name, ok in have.items() if not ok]
            effects = {"ocg_register.csv": t("the OCG sub-scores of the threat score (number of groups, their threat, "
                                              "their international reach) are unknown"),
                       "ocg_answers.csv": t("the groups' threat scores and the enablers they use are unknown"),
                       "expert_assessments.csv": t("the expert trend and scale sub-scores and the whole harm score are "
                                                   "unknown, so the priority is the threat score alone")}
            self.say(t("This edition rests on part of the inputs. Missing: {files}. Hence {effects}. A sub-score that "
                       "is unknown is left out and the weights of the known ones are rescaled; this is how every score "
                       "here treats missing parts, including the sensitivity analysis.",
                       files=", ".join(f"`{m}`" for m in missing), effects="; ".join(effects[m] for m in missing)))
        share = float(self.project.settings["priority"].get("min_known_share", 0))
        if share and self.scores["threat"].isna().all():
            if self.scores["rank"].isna().all():
                self.say(t("A threat score also needs known sub-scores carrying at least {share} of the threat weights "
                           "(settings.yaml priority.min_known_share), so that no area is ranked on one indicator alone. "
                           "In this edition no crime area reaches that share, so none is scored or ranked; the key "
                           "judgements rest on the statistical trends alone.", share=fmt_percent(share)))
            else:
                self.say(t("A threat score also needs known sub-scores carrying at least {share} of the threat weights "
                           "(settings.yaml priority.min_known_share), so that no area is ranked on one indicator alone. "
                           "In this edition no crime area reaches that share, so no threat score is given and the "
                           "ranking rests on the harm scores alone.", share=fmt_percent(share)))

    def data_rules_text(self) -> None:
        """How gaps, flags, censored and part-year values are treated, in words."""
        s = self.project.settings
        self.say(t("**Gaps are gaps.** A year without a value is shown as a gap in figures and as ':' in tables, never "
                   "as 0. A regional total is given only for years in which every country reports every part of it; "
                   "other years are left out and the missing countries are named. The same rule holds for a total over "
                   "sub-markets or categories."))
        self.say(t("**Flagged values.** Each value may carry observation-status codes of the SDMX code list "
                   "CL_OBS_STATUS (break in series, estimated, provisional, …), shown in tables as footnote letters. "
                   "A value published only as below a threshold (such as '<5') or as a lower bound (such as "
                   "'more than 3,300') is not a number: tables print it as published and figures draw it as an open "
                   "triangle. A figure for part of the year is shown but never compared with whole years."))
        self.say(t("**What a trend needs.** A trend is fitted only to whole-year values, from the last break in series "
                   "on, and only with at least {n} such years; it is projected from the last value that is final (not "
                   "estimated, provisional or part-year), blended with the fitted line as the trend rule above says, "
                   "to the year after the last observation, and that year is named. Where the data are insufficient, or the fitted change too uncertain, or analytic confidence "
                   "low, the key judgement says so instead of using a likelihood term.",
                   n=str(s["trends"].get("min_points", 5))))

    def rules_text(self) -> None:
        """The estimative-language, confidence, trend and sensitivity rules in force, in words."""
        s = self.project.settings
        conf = s["confidence"]
        sens = s["sensitivity"]
        if self.yardstick_gaps():
            self.say(t("**Likelihood.** A key judgement's likelihood term is chosen from the computed probability with "
                       "the yardstick above. The ranges leave deliberate gaps; a probability in a gap takes the term of "
                       "the nearer range, and one exactly half-way between two ranges takes the term nearer to 50%, the "
                       "more cautious claim. No other likelihood words are used in key judgements."))
        else:
            self.say(t("**Likelihood.** A key judgement's likelihood term is chosen from the computed probability with "
                       "the yardstick above; its ranges cover every probability. No other likelihood words are used in "
                       "key judgements."))
        self.say(t("**Analytic confidence** is high when at least {hg} of the statistics behind the judgement come from "
                   "reliable sources (A or B) with confirmed information (1 or 2), at least {hc} of the expected values "
                   "are present and at least {hr} experts assessed the area; moderate with at least {mg}, {mc} and {mr}; "
                   "low otherwise.", hg=fmt_percent(conf["high"]["graded_share"]),
                   hc=fmt_percent(conf["high"]["completeness"]), hr=str(conf["high"]["respondents"]),
                   mg=fmt_percent(conf["moderate"]["graded_share"]), mc=fmt_percent(conf["moderate"]["completeness"]),
                   mr=str(conf["moderate"]["respondents"])))
        from .trends import DRAWS  # the methodology states the number of draws the model really uses

        tr = s["trends"]
        self.say(t("**Trends.** Each yearly series is fitted over the last {span} years with a log-linear count model "
                   "(Poisson with over-dispersion estimated from the data, never below Poisson's for counts). The "
                   "projection starts from a level {w} of the way from the fitted line to the last final value, so "
                   "neither an old trend nor one odd year decides it, and runs to the year after the last observation. "
                   "The probability that this year's value exceeds the last final one comes from {draws} draws of the "
                   "fitted line and of the year's value around it (negative binomial for counts, gamma for amounts). "
                   "A count series whose mean is below {mc}, or that is zero in more than {zs} of its years, is too "
                   "sparse to fit; a jump by a factor of {jf} or more between consecutive years is treated as a "
                   "suspected break in recording, and no likelihood is stated until it is confirmed or flagged. The "
                   "statistical trend sub-score maps a fitted change of −{fs}% to +{fs}% a year onto 0–{smax}.",
                   smax=self.subscore_max,
                   span=str(2 * int(s["assessment"]["trend_window"])), w=fmt_percent(float(tr.get("anchor_weight", 0.5))),
                   draws=fmt_number(DRAWS), mc=str(tr.get("min_mean_count", 5)),
                   zs=fmt_percent(float(tr.get("max_zero_share", 0.5))), jf=str(tr.get("jump_factor", 5)),
                   fs=str(tr["stat_trend_full_scale_pct"])))
        self.say(t("**Sensitivity.** The ranking is recomputed under {draws} weightings drawn from Dirichlet distributions "
                   "centred on the configured weights (concentration {c}, seed {seed}); the share of draws in which a "
                   "crime area ranks in the top {top} measures how far its place depends on the choice of weights.",
                   draws=fmt_number(int(sens["draws"])), c=str(sens["concentration"]), seed=str(sens["seed"]),
                   top=str(sens["top"])))


class OpenSourcesPage(Page):
    def __init__(self, *, open_sources_dir: str | Path | None = None, **kwargs):
        """``open_sources_dir``: the folder of the open-source snapshots (default ``data/open_sources``)."""
        super().__init__(**kwargs)
        self.open_sources_dir = Path(open_sources_dir) if open_sources_dir else OPEN_SOURCES_DIR

    @property
    def sources(self) -> pd.DataFrame:
        return inert_frame(pd.read_csv(self.open_sources_dir / "sources.csv").set_index("file"))

    def source_of(self, file: str) -> str:
        s = self.sources.loc[file]
        return t("Source: {publisher}, {title}; {date}.", publisher=s["publisher"], title=s["title"],
                 date=s["date_retrieved_or_published"])

    def gitoc_data(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The GI-TOC component scores and the component configuration in force."""
        components = inert_frame(gitoc.load_components(self.project.reference_path("gitoc_components.csv")))
        return inert_frame(gitoc.load_gitoc(self.open_sources_dir / "gitoc_organized_crime_index.csv")), components

    def gitoc_scores(self) -> pd.DataFrame:
        return gitoc.headline_scores(*self.gitoc_data())

    def gitoc_agreement(self) -> str:
        """Whether the headline scores recomputed from the components match the published ones (at the
        published rounding, :func:`socta.gitoc.compare_with_published`); names every one that does not."""
        comparison = gitoc.compare_with_published(*self.gitoc_data())
        differ = gitoc.mismatches(comparison)
        n = len(comparison)
        if differ.empty:
            return t("The recomputed headline scores match all {n} published ones (at the published {d} decimals).",
                     n=str(n), d=str(gitoc.DECIMALS))
        items = [t("{country} {edition} {component} (computed {computed}, published {published})",
                   country=t(r.country), edition=str(r.edition), component=t(r.component).lower(),
                   computed=fmt_number(r.computed, gitoc.DECIMALS),
                   published=fmt_number(r.published, gitoc.decimals_as_written(r.published)))
                 if pd.notna(r.published) else
                 t("{country} {edition} {component} (computed {computed}, not published)",
                   country=t(r.country), edition=str(r.edition), component=t(r.component).lower(),
                   computed=fmt_number(r.computed, gitoc.DECIMALS))
                 for r in differ.itertuples()]
        if len(differ) == n:
            return t("None of the recomputed headline scores matches the published one: {items}.", items="; ".join(items))
        return t("The recomputed headline scores differ from the published ones for {items}; the other {m} of {n} "
                 "match.", items="; ".join(items), m=str(n - len(differ)), n=str(n))

    def gitoc_caption(self, scores: pd.DataFrame) -> str:
        editions = join_words([str(e) for e in sorted(scores["edition"].unique())])
        return t("GI-TOC Global Organized Crime Index: criminality and resilience, {editions}, recomputed from their "
                 "components.", editions=editions) + " " + self.gitoc_agreement()

    def gitoc_alt(self, scores: pd.DataFrame) -> str:
        """Which country and edition scored highest on criminality (or who shares the highest score)."""
        top = scores[scores["criminality"].eq(scores["criminality"].max())]
        if len(top) == 1:
            return t("Grouped bars per country; the highest criminality score is {country} in {edition}: {score}.",
                     country=t(top["country"].iloc[0]), edition=str(top["edition"].iloc[0]),
                     score=fmt_number(top["criminality"].iloc[0], 2))
        return t("Grouped bars per country; the highest criminality score, {score}, is shared by {items}.",
                 score=fmt_number(top["criminality"].iloc[0], 2),
                 items=join_words([f"{t(r.country)} {r.edition}" for r in top.itertuples()]))

    def gitoc_table(self) -> None:
        h = self.gitoc_scores().sort_values(["country", "edition"])
        two = lambda v: fmt_number(v, 2)  # noqa: E731
        frame = pd.DataFrame({t("Country"): h["country"].map(t), t("Edition"): h["edition"].astype(str),
                              t("Criminal markets"): h["markets"].map(two), t("Criminal actors"): h["actors"].map(two),
                              t("Criminality"): h["criminality"].map(two), t("Resilience"): h["resilience"].map(two)})
        self.show_table(frame, "gitoc", t("GI-TOC headline scores recomputed from their components."),
                        align={c: "r" for c in frame.columns[2:]}, source=self.source_of("gitoc_organized_crime_index.csv"))

    def frontex_crossings(self) -> pd.DataFrame:
        """Frontex detections of illegal border crossings on the Western Balkan route, per year."""
        return inert_frame(gitoc.load_frontex(self.open_sources_dir / "frontex_western_balkan_route.csv"))

    def frontex_caption(self, full_years: pd.DataFrame) -> str:
        return t("Frontex detections of illegal border crossings on the Western Balkan route, {first}–{last} "
                 "(detections, not persons; full years only).", first=str(full_years["year"].min()),
                 last=str(full_years["year"].max()))

    def frontex_alt(self, full_years: pd.DataFrame) -> str:
        peak = full_years.loc[full_years["detections"].idxmax()]
        return t("Bar chart per year; detections peaked in {year} at {n}.", year=str(int(peak["year"])),
                 n=int(peak["detections"]))


def input_rows(inputs: list[dict], audience: str) -> list[dict]:
    """The rows of the provenance annex's table of input files. A count of rows or a checksum of a
    restricted input (the OCG register, the groups' answers) says how many groups there are and
    whether the register changed: outside the restricted edition they read "not shown in the
    public edition"."""
    secret = t("not shown in the public edition")
    rows = []
    for f in inputs:
        withheld = f["restricted"] and audience != "restricted" and not f.get("absent")
        rows.append({t("File"): f"`{f['file']}`",
                     t("Rows"): t("not in this dataset") if f.get("absent") else secret if withheld else
                     "–" if f["rows"] is None else fmt_number(f["rows"]),
                     t("SHA-256 (first 12)"): secret if withheld else f["sha256"][:12] or "–",
                     t("Audience"): t("restricted") if f["restricted"] else t("public")})
    return rows


class ProvenancePage(Page):
    def inputs_table(self) -> None:
        """Input files as recorded when they were validated (the public run never opens OCG files).
        Outside the restricted edition a restricted input is listed without its row count and
        checksum (:func:`input_rows`)."""
        rows = input_rows(self.inputs, self.audience)
        hidden = any(f["restricted"] and not f.get("absent") for f in self.inputs) and self.audience != "restricted"
        self.show_table(pd.DataFrame(rows), "inputs", t("Input files of this edition."), align={t("Rows"): "r"},
                        source=t("Source: data folder '{name}'.", name=t(self.dataset.get("name", ""))),
                        notes=t("The row count and checksum of a restricted input are not shown in the public "
                                "edition.") if hidden else "")

    def statistics_sources(self) -> None:
        s = self.statistics
        g = s.groupby(["country", "source"], as_index=False).agg(rows=("value", "size"), first=("year", "min"),
                                                                last=("year", "max"))
        frame = pd.DataFrame({t("Country"): g["country"].map(lambda c: t(self.ref.country_name(c))),
                              t("Source"): g["source"], t("Rows"): g["rows"].map(fmt_number),
                              t("Years"): g["first"].astype(str) + "–" + g["last"].astype(str)})
        self.show_table(frame, "sources", t("Sources of the statistics."), align={t("Rows"): "r"})

    ANNEX_YEARS = 6  # years per annex table: more columns do not fit a printed page

    def statistics_annex(self) -> None:
        """Every statistic of the period as text: per indicator, a row per country (and sub-series) and a
        column per year, flagged as in the area pages, the years split into tables that fit a page. A
        country with no value at all keeps its row of ':'. No number lives only in a chart."""
        from .observations import footnote_legend, observation_text

        years = list(range(self.first_year, self.last_year + 1))
        chunks = [years[i:i + self.ANNEX_YEARS] for i in range(0, len(years), self.ANNEX_YEARS)]
        status = self.ref.observation_status
        shown_any = False
        for indicator, spec in self.ref.indicators.iterrows():
            by = "submarket" if spec["submarket_list"] else "category" if spec["category_list"] else None
            series = {iso3: self.series(indicator, by=by, scope=iso3) for iso3 in self.countries}
            if not any(d["value"].notna().any() or d["censor"].isin(["below", "above"]).any() for d in series.values()):
                continue
            shown_any = True
            for chunk in chunks:
                rows, used = [], set()
                for iso3, data in series.items():
                    parts = [(None, data)] if by is None else list(data.groupby(by, sort=False))
                    for part, frame in parts:
                        label = t(self.ref.country_name(iso3)) + (f" — {self.part_name(part)}" if part else "")
                        row = {t("Country"): label}
                        for _, obs in frame.set_index("year").reindex(chunk).reset_index().iterrows():
                            text, marks = observation_text(obs, status)
                            row[str(int(obs["year"]))] = text
                            used |= marks
                        rows.append(row)
                frame = pd.DataFrame(rows)
                self.show_table(frame, f"annex-{indicator}-{chunk[0]}", t(
                    "{indicator} ({unit}), {first}–{last}.", indicator=t(spec["name_en"]), unit=t(spec["unit"]),
                    first=str(chunk[0]), last=str(chunk[-1])), align={str(y): "r" for y in chunk},
                    notes=footnote_legend(used, status))
        if not shown_any:
            self.say(f"*{t('This dataset holds no statistics for the period.')}*")

    def reference_table(self) -> None:
        from .reference import REFERENCE_FILES

        rows = []
        for name in [*REFERENCE_FILES, "settings.yaml"]:
            path = self.project.reference_path(name)
            origin = t("data folder") if path.parent.parent == self.project.data_dir else t("repository default")
            rows.append({t("File"): f"`{name}`", t("In force from"): origin,
                         t("SHA-256 (first 12)"): hashlib.sha256(path.read_bytes()).hexdigest()[:12]})
        self.show_table(pd.DataFrame(rows), "reference", t("Reference configuration in force."),
                        source=t("Source: socta reference configuration."))

    def open_sources_list(self) -> None:
        """One entry per open-source file: who published it, when, under what licence, and its checksum."""
        s = inert_frame(pd.read_csv(OPEN_SOURCES_DIR / "sources.csv"))
        items = [t("- `{file}`: {publisher}, *{title}*; {date}; licence: {licence}; SHA-256 `{sha}`.", file=r.file,
                   publisher=r.publisher, title=r.title, date=r.date_retrieved_or_published, licence=r.licence,
                   sha=r.sha256[:16]) for r in s.itertuples()]
        self.say(t("**Open-source files** (raw snapshots in `data/open_sources/`, never edited; records in "
                   "`sources.csv`):") + "\n\n" + "\n".join(items))

    def software_table(self) -> None:
        rows = [{t("Software"): "Python", t("Version"): platform.python_version()}]
        for package in ("socta", "jupyter-book", "papermill", "pandas", "matplotlib", "seaborn", "pandera"):
            try:
                rows.append({t("Software"): package, t("Version"): metadata.version(package)})
            except metadata.PackageNotFoundError:
                rows.append({t("Software"): package, t("Version"): t("not installed")})
        self.show_table(pd.DataFrame(rows), "software", t("Software that produced this edition."),
                        source=t("Source: the build environment (requirements.txt)."))


class FactorsPage(Page):
    """Crime-relevant factors: what enables organised crime in the region, read from the data."""

    ENABLERS = ["corruption", "lbs", "money_laundering", "violence", "countermeasures", "international"]

    def factor_indicators(self) -> list[str]:
        """The statistics configured as measures of enabling factors (settings.yaml ``factors.indicators``)
        that the indicator list in force has; says so when there are none."""
        wanted = (self.project.settings.get("factors") or {}).get("indicators", [])
        found = [i for i in wanted if i in self.ref.indicators.index]
        if not found:
            self.say(f"*{t('No statistic measuring an enabling factor is configured for this dataset.')}*")
        return found

    def no_factor_data_text(self, indicator: str) -> str:
        return t("No data on {indicator} in {first}–{last}.", indicator=self.indicator_name(indicator).lower(),
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
        text = t("Line chart of {indicator} per country and year.", indicator=self.indicator_name(indicator).lower())
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
            + (" " + t("Shares close to none or all of the groups, or resting on fewer than {n} groups, are not drawn: "
                       "they would describe every group.", n=str(int(self.project.settings["public"].get("share_min_rows", 10))))
               if "band" in shares and shares["band"].ne("").any() else "")

    def enablers_alt(self, shares: pd.DataFrame) -> str:
        """The most common enabler in the region, among the shares shown (ties named together)."""
        region = shares[shares["place"].eq(t("Region"))].set_index("enabler")["share"]
        reg = region.dropna()
        if reg.empty:
            return t("Grouped horizontal bars per enabler and country; the regional shares are confidential.")
        top = [str(i).lower() for i in reg.index[reg.eq(reg.max())]]
        values = dict(enabler=join_words(top), share=fmt_percent(reg.max()))
        if region.isna().any():
            return t("Grouped horizontal bars; of the regional shares shown, the most common enabler is {enabler}, "
                     "used by {share} of the groups.", **values)
        return t("Grouped horizontal bars; in the region the most common enabler is {enabler}, used by {share} of "
                 "the groups.", **values)

    def share(self, value, band: str = "", bound=float("nan")) -> str:
        """A share of groups; one resting on a confidential count, or over too few groups, is withheld
        ("c"); one close to 0% or 100% is a range ("more than 95%": :func:`socta.public.publish_share`)."""
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
                     enabler=t(self.ref.ocg_indicators.at[indicator, "name_en"]).lower(),
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
                       "show.") + (" " + t("Countries with fewer than {k} groups are not shown in the public edition.",
                                           k=str(self.threshold)) if self.threshold else ""))

    def abroad_caption(self) -> str:
        note = t(" Countries with fewer than {k} groups are not shown in the public edition.", k=str(self.threshold)) \
            if self.threshold else ""
        return t("Number of the region's organised crime groups active in each country outside the region (ISO 3166 "
                 "alpha-3 codes); a group active in several countries counts in each.{note}", note=note)

    def abroad_alt(self, abroad: pd.DataFrame) -> str:
        top = abroad[abroad["groups"].eq(abroad["groups"].max())]
        values = dict(code=join_words(list(top["code"])), n=int(top["groups"].iloc[0]))
        if self.threshold:
            return t("Bar chart; of the countries shown, most groups active abroad operate in {code} ({n}).", **values)
        return t("Bar chart; most groups active abroad operate in {code} ({n}).", **values)
