"""The main conclusions: the priorities of each scope, how robust their ranking is to the weights, and
the sentences that state them (each computed, each able to say the opposite)."""
from __future__ import annotations

import pandas as pd

from socta.core.config import REGION
from socta.core.text import in_sentence
from socta.i18n.translate import fmt_list, fmt_number, fmt_percent, t, tn
from socta.pages.formatting import CONTENDER_SHARE, join_words, signed_percent
from socta.pages.page import Page


class ConclusionsPage(Page):
    def ranking(self, scope: str) -> pd.DataFrame:
        """The ranked crime areas of a scope; an area with no score at all is not ranked."""
        s = self.scores
        return s[s["scope"].eq(scope) & s["rank"].notna()].sort_values("rank")

    def why_unranked(self, scope: str) -> str:
        """Why no crime area of a scope has a priority score, from the scores themselves."""
        s = self.scores[self.scores["scope"].eq(scope)]
        share = float(self.project.settings.priority.min_known_share)
        return tn("No crime area can be ranked for {scope:gen}: no area has a harm score (no expert assessment), and a "
                  "threat score needs sub-scores carrying at least {share} of the weights, while the data give at most "
                  "{k} of the {n} threat indicator. The key judgements therefore rest on the statistical trends alone.",
                  "No crime area can be ranked for {scope:gen}: no area has a harm score (no expert assessment), and a "
                  "threat score needs sub-scores carrying at least {share} of the weights, while the data give at most "
                  "{k} of the {n} threat indicators. The key judgements therefore rest on the statistical trends alone.",
                  len(self.ref.threat_indicators), scope=self.scope_term(scope), share=fmt_percent(share),
                  k=int(s["threat_known"].max()) if "threat_known" in s and len(s) else 0)

    def unranked_text(self, scope: str) -> str:
        s = self.scores
        out = s[s["scope"].eq(scope) & s["rank"].isna()]
        if out.empty:
            return ""
        return " " + t("Not ranked for lack of any data: {areas}.", areas=", ".join(in_sentence(self.area_name(a)) for a in out["area"]))

    def headline(self) -> None:
        """The priority threats, regional and per country, in sentences generated from the scores."""
        region = self.ranking(REGION)
        if region.empty:
            self.say(self.why_unranked(REGION))
            return
        first_tier = region[region["tier"].eq(region["tier"].iloc[0])]
        leaders = self.first_ranked(REGION)  # more than one when the highest priority scores tie
        firsts = [in_sentence(self.area_name(a)) for a in leaders]
        top = [in_sentence(self.area_name(a)) for a in region["area"] if a not in leaders][:max(0, 3 - len(leaders))]
        values = dict(first=join_words(firsts), score=self.score(region.iloc[0], "priority"),
                      tier=t(region["tier"].iloc[0]), second=top[0] if top else "", third=top[1] if len(top) > 1 else "")
        # a whole sentence for each case: one leader or a tie, and none, one or two areas following
        text = {
            (True, 0): lambda: t("**Regional priorities.** The highest-priority threat for the region is **{first}** "
                                 "(priority score {score}, {tier}).", **values),
            (True, 1): lambda: t("**Regional priorities.** The highest-priority threat for the region is **{first}** "
                                 "(priority score {score}, {tier}), followed by {second}.", **values),
            (True, 2): lambda: t("**Regional priorities.** The highest-priority threat for the region is **{first}** "
                                 "(priority score {score}, {tier}), followed by {second} and {third}.", **values),
            (False, 0): lambda: t("**Regional priorities.** The highest priority for the region is shared by **{first}** "
                                  "(priority score {score}, {tier}).", **values),
            (False, 1): lambda: t("**Regional priorities.** The highest priority for the region is shared by **{first}** "
                                  "(priority score {score}, {tier}), followed by {second}.", **values),
            (False, 2): lambda: t("**Regional priorities.** The highest priority for the region is shared by **{first}** "
                                  "(priority score {score}, {tier}), followed by {second} and {third}.", **values),
        }[(len(leaders) == 1, len(top))]()
        # the sentence agrees with the number of ranked areas; the count in the tier stands where nothing agrees
        # ("Of the 10 areas, 1 fall" did not: the tier is the subject)
        text += " " + tn("{tier} holds {k} of the {n} ranked crime area.", "{tier} holds {k} of the {n} ranked crime "
                         "areas.", len(region), k=len(first_tier), tier=values["tier"])
        self.say(text + self.unranked_text(REGION))
        lines = []
        for iso3 in self.countries:
            r = self.ranking(iso3)
            if r.empty:
                lines.append("- " + t("**{country}**: no crime area can be ranked.", country=t(self.ref.country_name(iso3))))
                continue
            items = [f"{self.area_name(row.area) if i == 0 else in_sentence(self.area_name(row.area))} "
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
                     area=join_words([in_sentence(self.area_name(a)) for a in shared]))
        items = [t("{country} ranks {area} first", country=t(self.ref.country_name(c)),
                   area=join_words([in_sentence(self.area_name(a)) for a in f])) if f else
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
                     "dashed one have equal priority, and each grey band is a priority tier.")
        if wt > 0:
            return t("Priority follows the threat score alone (harm weight 0): points further to the right have "
                     "higher priority, and each grey band is a priority tier.")
        return t("Priority follows the harm score alone (threat weight 0): points further up have higher priority, "
                 "and each grey band is a priority tier.")

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
                # the count hidden may be small, or hidden to protect a small one: "too small" was not always true
                + (t(" Open circles: threat rounded to the nearest {step} in the public edition (it rests on a count "
                     "of groups this edition does not publish).", step=str(self.project.settings.public.score_step))
                   if rounded else "")
                + (t(" Not drawn (score withheld): {areas}.", areas=", ".join(withheld)) if withheld else "")
                + (t(" Not drawn (threat or harm not scored): {areas}.", areas=", ".join(unscored)) if unscored else ""))

    def matrix_alt(self, scope: str, points: pd.DataFrame) -> str:
        """The highest-priority area drawn, with its scores as the edition prints them."""
        top = points.iloc[0]
        values = dict(area=in_sentence(top["name"]), threat=self.score(top, "threat"), harm=self.score(top, "harm"))
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

    # ---- the EU's EMPACT priorities -------------------------------------------------------
    def empact(self, scope: str = REGION) -> None:
        """The ranked crime areas against the EU's EMPACT priorities (empact_priorities.csv, area_empact.csv):
        which area corresponds to which priority, which to none, and which priorities no area covers."""
        priorities, mapping = self.ref.empact, self.ref.area_empact
        if priorities.empty:
            return
        cycle = str(priorities["cycle"].iloc[0])
        name = {pid: t(row["name_en"]) for pid, row in priorities.iterrows()}
        ranked = self.ranking(scope)
        if ranked.empty:
            self.say(t("The crime areas cannot be set against the EMPACT {cycle} priorities: none of them is ranked "
                       "(see above).", cycle=cycle))
            return
        column = t("EMPACT {cycle} priority", cycle=cycle)
        frame = pd.DataFrame({
            t("Rank"): ranked["rank"].astype(int).astype(str),
            t("Crime area"): [self.area_name(a) for a in ranked["area"]],
            t("Tier"): ranked["tier"].map(t),
            column: [name[mapping[a]] if a in mapping else "—" for a in ranked["area"]],
        })
        self.show_table(frame, f"empact-{scope.lower()}",
                        t("Crime areas ranked by priority against the EU's EMPACT {cycle} priorities — {scope}.",
                          cycle=cycle, scope=t("Region") if scope == REGION else t(self.ref.country_name(scope))),
                        align={t("Rank"): "r"}, notes=t("—: no EMPACT priority corresponds to the crime area."))
        self.say(" ".join(self.empact_sentences(ranked, cycle, name, mapping)))

    def empact_sentences(self, ranked: pd.DataFrame, cycle: str, name: dict[str, str], mapping: dict[str, str]) -> list[str]:
        """What the mapping says, each as a whole sentence that can say the opposite."""
        first = ranked["area"].iloc[0]
        out = [t("The highest-priority threat, {area:nom}, corresponds to the EMPACT priority “{priority}”.",
                 area=self.area_term(first), priority=name[mapping[first]]) if first in mapping else
               t("The highest-priority threat, {area:nom}, corresponds to none of the EMPACT {cycle} priorities.",
                 area=self.area_term(first), cycle=cycle)]
        outside = [a for a in ranked["area"] if a not in mapping]
        out.append(t("Every ranked crime area corresponds to an EMPACT {cycle} priority.", cycle=cycle) if not outside
                   else tn("{n} ranked crime area corresponds to no EMPACT {cycle} priority: {areas}.",
                           "{n} ranked crime areas correspond to no EMPACT {cycle} priority: {areas}.", len(outside),
                           cycle=cycle, areas=fmt_list([in_sentence(self.area_name(a)) for a in outside])))
        by_groups = [pid for pid in name if pid not in set(mapping.values()) and self.ref.empact.at[pid, "assessed_in"] == "ocg"
                     and self.has_input("ocg_register.csv")]
        uncovered = [pid for pid in name if pid not in set(mapping.values()) and pid not in by_groups]
        quoted = fmt_list([t("“{name}”", name=name[p]) for p in uncovered])  # quotation marks of the language
        if by_groups:  # the names quoted first: a t() inside tn()'s arguments hides its plural from pybabel
            named = fmt_list([t("“{name}”", name=name[p]) for p in by_groups])
            out.append(tn("{priorities} concerns the groups rather than a crime area: the chapter on the organised "
                          "crime groups assesses them.",
                          "{priorities} concern the groups rather than a crime area: the chapter on the organised "
                          "crime groups assesses them.", len(by_groups), priorities=named))
        out.append(t("Every other EMPACT {cycle} priority has a crime area in this assessment.", cycle=cycle)
                   if not uncovered and by_groups else
                   t("Every EMPACT {cycle} priority has a crime area in this assessment.", cycle=cycle) if not uncovered
                   else tn("{n} EMPACT {cycle} priority has no crime area in this assessment: {priorities}.",
                           "{n} EMPACT {cycle} priorities have no crime area in this assessment: {priorities}.",
                           len(uncovered), cycle=cycle, priorities=quoted))
        if not self.ref.empact["status"].eq("verified").all():
            out.append(t("The list of EMPACT priorities and the correspondence of the crime areas to them are set in the "
                         "configuration and not yet checked against the Council's decision: a provisional reading."))
        return out

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
            # two sentences, each agreeing with its own count (the areas ranked; the places at the top)
            rank_text = (tn("{area:Nom} ranks {rank} of the {n} crime area ranked for the region.",
                            "{area:Nom} ranks {rank} of the {n} crime areas ranked for the region.", len(region),
                            area=self.area_term(area), rank=str(int(rank)))
                         + " " + self.top_sentence(top, robust.at[area, "p_top"]))
            body = rank_text + "\n\n" + j["text"] + "\n\n" + j["basis"]
            title = t("Key judgement {i}: {area}", i=str(i), area=self.area_name(area))
            self.say(f"```{{admonition}} {title}\n:class: key-judgement\n{body}\n```")

    def top_sentence(self, top: int, share: float) -> str:
        """How often an area stays in the top ``top`` under the weightings drawn (a sentence of its own)."""
        return tn("It is in the top {n} under {share} of weightings (Monte Carlo sensitivity).",
                  "It is in the top {n} under {share} of weightings (Monte Carlo sensitivity).", top,
                  share=fmt_percent(share))

    # ---- sensitivity ------------------------------------------------------------------
    def robustness(self, scope: str) -> pd.DataFrame:
        """P(top three), P(first) and median rank of each area under Dirichlet-perturbed weights
        (computed when the data were processed, from the scores as this edition publishes them:
        :func:`socta.process.disclosure_policy.robustness_inputs`)."""
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
        return tn("Share of {draws} random weightings (Dirichlet around the configured weights, concentration {c}, seed "
                  "{seed}) under which each crime area ranks in the top {n} and first.",
                  "Share of {draws} random weightings (Dirichlet around the configured weights, concentration {c}, seed "
                  "{seed}) under which each crime area ranks in the top {n} and first.", self.sensitivity_top,
                  draws=int(cfg["draws"]), c=str(cfg["concentration"]), seed=str(cfg["seed"]))

    @property
    def top_label(self) -> str:
        """The legend of the share of weightings that keep an area in the top N."""
        return tn("In the top {n}", "In the top {n}", self.sensitivity_top)

    def sensitivity_alt(self, robust: pd.DataFrame) -> str:
        """The first-ranked area and the share of weightings that keep it in the top N."""
        lead = robust.iloc[0]
        return tn("Horizontal bars per crime area; {area} ranks in the top {n} under {share} of weightings.",
                  "Horizontal bars per crime area; {area} ranks in the top {n} under {share} of weightings.",
                  self.sensitivity_top, area=self.area_term(lead["area"]),
                  share=fmt_percent(lead["p_top"]))

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
        parts = [tn("{area:Nom} is in the top {n} under {share} of weightings.",
                    "{area:Nom} is in the top {n} under {share} of weightings.", top, area=self.area_term(a),
                    share=fmt_percent(rob.at[a, "p_top"])) for a in rob.index[:top]]
        contenders = [a for a in rob.index[top:] if rob.at[a, "p_top"] >= CONTENDER_SHARE]
        text = " ".join(parts)
        if len(rob) <= top:
            text += " " + tn("With only {n} ranked crime area, every one is in the top {top}.",
                             "With only {n} ranked crime areas, every one is in the top {top}.", len(rob), top=str(top))
        elif len(contenders) == 1:
            text += " " + tn("The top {n} is not settled: {area} also reaches it under {share} or more of weightings.",
                             "The top {n} is not settled: {area} also reaches it under {share} or more of weightings.",
                             top, area=self.area_term(contenders[0]), share=fmt_percent(CONTENDER_SHARE))
        elif contenders:
            text += " " + tn("The top {n} is not settled: {areas} also reach it under {share} or more of weightings.",
                             "The top {n} is not settled: {areas} also reach it under {share} or more of weightings.",
                             top, areas=fmt_list([self.area_term(a) for a in contenders]), share=fmt_percent(CONTENDER_SHARE))
        else:
            text += " " + tn("No crime area ranked below the top {n} reaches it under {share} or more of weightings.",
                             "No crime area ranked below the top {n} reaches it under {share} or more of weightings.",
                             top, share=fmt_percent(CONTENDER_SHARE))
        self.say(text)

    # ---- change since the previous period ---------------------------------------------
    def move_text(self, area: str, r_before: int, r_now: int, c_before: float, c_now: float, now: pd.DataFrame,
                  before: pd.DataFrame) -> str:
        """Why an area changed rank: its headline indicator's trend, when that moved the same way; otherwise the
        areas that passed it (or that it passed), since its own trend cannot explain the move."""
        values = dict(area=self.area_name(area), b=str(r_before), n=str(r_now), cb=signed_percent(c_before),
                      cn=signed_percent(c_now),
                      ind=in_sentence(t(self.ref.indicators.at[self.headline_indicator(area), "name_en"])))
        up = r_now < r_before
        ranked = now["rank"].notna() & before["rank"].reindex(now.index).notna()
        if up:   # the areas it passed: above it before, below it now
            passed = [a for a in now.index[ranked] if a != area and before.at[a, "rank"] < r_before and now.at[a, "rank"] > r_now]
        else:    # the areas that passed it
            passed = [a for a in now.index[ranked] if a != area and before.at[a, "rank"] > r_before and now.at[a, "rank"] < r_now]
        against = pd.notna(c_before) and pd.notna(c_now) and (c_now <= c_before if up else c_now >= c_before)
        if against and passed:
            others = fmt_list([in_sentence(self.area_name(a)) for a in sorted(passed, key=lambda a: now.at[a, "rank"])])
            if up:
                return tn("{area} moved up from {b} to {n} although its headline indicator ({ind}) went from {cb} to "
                          "{cn} a year: {others} now ranks below it.",
                          "{area} moved up from {b} to {n} although its headline indicator ({ind}) went from {cb} to "
                          "{cn} a year: {others} now rank below it.", len(passed), others=others, **values)
            return tn("{area} moved down from {b} to {n} although its headline indicator ({ind}) went from {cb} to "
                      "{cn} a year: {others} now ranks above it.",
                      "{area} moved down from {b} to {n} although its headline indicator ({ind}) went from {cb} to "
                      "{cn} a year: {others} now rank above it.", len(passed), others=others, **values)
        if up:
            return t("{area} moved up from {b} to {n}: its headline indicator ({ind}) went from {cb} to {cn} a year.",
                     **values)
        return t("{area} moved down from {b} to {n}: its headline indicator ({ind}) went from {cb} to {cn} a year.",
                 **values)

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
                moves.append(self.move_text(area, r_before, r_now, c_before, c_now, now, before))
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
