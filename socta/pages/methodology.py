"""The methodology chapter: the method as configured (indicators, weights, scales, yardstick, trend
model, disclosure control), printed from the reference files and settings the scores really use."""
from __future__ import annotations

import matplotlib as mpl
import pandas as pd

from socta.analysis.backtest import band_table, scores
from socta.analysis.calibration import shipped_check
from socta.analysis.scoring import SUBSCORE_MAX
from socta.analysis.trends import DRAWS
from socta.core.config import METHODS_DIR, read_yaml
from socta.core.markup import inert_tree
from socta.i18n.translate import fmt_list, fmt_number, fmt_percent, t, tn
from socta.pages import figures
from socta.pages.formatting import fmt_points
from socta.pages.page import Page


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
        step = self.project.settings.public.score_step
        self.say(t(
            "This public edition shows {counts} counts of organised crime groups (by area, band, structure, reach, "
            "country abroad, nationality and enabler). {small} of them are below {k} and are shown as c "
            "(confidential); {protecting} more are shown as c so that none of the small ones can be worked out. A "
            "reader who knows every published count and the {relations} sums and bounds that tie them (totals, "
            "margins, the same count in two tables, the published mean scores of the bands) could still place each "
            "small count anywhere in a range of at least {width} values: a linear program finds its least and "
            "greatest value consistent with everything published, and the edition is built only if every hidden "
            "small count passes. The ranks, tiers and scores are results of the restricted data: {rounded} threat "
            "and priority scores that rest on a hidden count are rounded to the nearest {step} (≈), and the "
            "same check covers them. The robustness of the ranking is computed from the scores as this edition "
            "publishes them, so it tells a reader nothing they do not.",
            counts=fmt_number(d["counts"]), small=fmt_number(d["hidden_small"]), k=str(int(d["threshold"])),
            protecting=fmt_number(d["hidden_protecting"]), relations=fmt_number(d["relations"]),
            width=str(int(d["threshold"]) - 1), rounded=fmt_number(d["scores_rounded"]), step=str(step))
            + (" " + tn("{n} score that rests on a hidden count is withheld (c).",
                        "{n} scores that rest on a hidden count are withheld (c).", int(d["scores_withheld"]))
               if d["scores_withheld"] else ""))

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

    def method_text(self) -> None:
        """The method profile in force (dataset.yaml ``method``): its name, what it changes and its source;
        or that the edition follows the 2016 regional method (the shipped reference files)."""
        method = self.project.method
        if not method:
            self.say(t("This edition follows the method of the 2016 regional SOCTA: its crime areas and its OCG "
                       "indicators."))
            return
        about = inert_tree(read_yaml(METHODS_DIR / method / "method.yaml", "the method profile") or {})
        self.say(t("This edition follows the method profile “{name}”: {description}",
                 name=t(str(about.get("name_en", method))), description=t(str(about.get("description", "")).strip())))
        if about.get("source"):
            self.say(t("Source of the profile: {source}", source=t(str(about["source"]).strip())))

    def empact_table(self) -> None:
        """The EMPACT priorities in force, the crime areas that correspond to each, and whether the list was
        checked (empact_priorities.csv, area_empact.csv): what the conclusions set the priorities against."""
        priorities, mapping = self.ref.empact, self.ref.area_empact
        if priorities.empty:
            return
        areas = {pid: [self.area_name(a) for a in self.ref.top_areas.index if mapping.get(a) == pid]
                 for pid in priorities.index}
        frame = pd.DataFrame({
            t("EMPACT priority"): [t(name) for name in priorities["name_en"]],
            t("Crime areas of this assessment"): [fmt_list(areas[pid]) if areas[pid] else
                                                  t("the chapter on the organised crime groups")
                                                  if priorities.at[pid, "assessed_in"] == "ocg" else "—"
                                                  for pid in priorities.index],
            t("Status"): [t(status) for status in priorities["status"]],
        })
        self.show_table(frame, "empact", t("The EU's EMPACT {cycle} priorities and the crime areas of this assessment "
                                           "that correspond to them (—: none).", cycle=str(priorities["cycle"].iloc[0])),
                        source=t("Source: reference configuration in force."))

    @property
    def subscore_max(self) -> str:
        """The top of the 0–N scale of the crime-area threat and harm sub-scores (socta.analysis.scoring)."""
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
                 "codes) and handling codes.", profile=str(self.project.settings.grading_profile),
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
        self.say(tn("Crime-area threat score = 100 × Σ(weight × sub-score) / Σ(weight × {smax}); harm score likewise "
                    "from the median expert answer per dimension. Priority = ({wt} × threat + {wh} × harm) / ({wt} + "
                    "{wh}); tiers: {tiers}. Change over time compares the mean of the last {n} year with the year "
                    "before.", "Crime-area threat score = 100 × Σ(weight × sub-score) / Σ(weight × {smax}); harm score "
                    "likewise from the median expert answer per dimension. Priority = ({wt} × threat + {wh} × harm) / "
                    "({wt} + {wh}); tiers: {tiers}. Change over time compares the mean of the last {n} years with the "
                    "{n} years before.", int(s["assessment"]["trend_window"]), smax=self.subscore_max,
                    wt=str(w["threat"]), wh=str(w["harm"]), tiers=tiers))

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
        share = float(self.project.settings.priority.min_known_share)
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

    def trend_data_text(self) -> None:
        """What a trend needs of the data, with the least number of years in force (the rules for gaps and
        flagged values before it are fixed text, in the template)."""
        s = self.project.settings
        self.say(t("**What a trend needs.** A trend is fitted only to whole-year values, from the last break in series "
                   "on, and only with at least {n} such years; it is projected from the last value that is final (not "
                   "estimated, provisional or part-year), blended with the fitted line as the trend rule above says, "
                   "to the year after the last observation, and that year is named. Where the data are insufficient, or the fitted change too uncertain, or analytic confidence "
                   "low, the key judgement says so instead of using a likelihood term.",
                   n=str(s["trends"].get("min_points", 5))))

    def population_text(self) -> None:
        """Where the rates' population comes from, said here once instead of under every table."""
        sources = sorted(set(self.table("population")["source"].dropna()))
        if sources:
            self.say(t("**Rates.** Rates per 100,000 inhabitants divide by the mid-year population of the country "
                       "and year: {source}.", source="; ".join(t(s) for s in sources)))
        else:
            self.say(t("**Rates.** No population figures are given, so no rate per 100,000 inhabitants is shown."))

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

        tr = s.trends
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
                   span=str(2 * int(s["assessment"]["trend_window"])), w=fmt_percent(float(tr.anchor_weight)),
                   draws=fmt_number(DRAWS), mc=str(tr.min_mean_count),
                   zs=fmt_percent(float(tr.max_zero_share)), jf=str(tr.jump_factor),
                   fs=str(tr["stat_trend_full_scale_pct"])))
        self.say(tn("**Sensitivity.** The ranking is recomputed under {draws} weightings drawn from Dirichlet "
                    "distributions centred on the configured weights (concentration {c}, seed {seed}); the share of "
                    "draws in which a crime area ranks in the top {n} measures how far its place depends on the choice "
                    "of weights.", "**Sensitivity.** The ranking is recomputed under {draws} weightings drawn from "
                    "Dirichlet distributions centred on the configured weights (concentration {c}, seed {seed}); the "
                    "share of draws in which a crime area ranks in the top {n} measures how far its place depends on "
                    "the choice of weights.", int(sens["top"]),
                    draws=fmt_number(int(sens["draws"])), c=str(sens["concentration"]), seed=str(sens["seed"])))

    # ---- key judgements: how they are formed, and how well their probabilities are calibrated ---------
    def judgement_text(self) -> None:
        """The threat-judgement rule in force (settings.yaml ``judgement`` and ``confidence.caps``), in words."""
        s = self.project.settings
        j, caps = s.judgement, s.confidence.caps
        self.say(t("**Key judgements.** A key judgement states how likely it is that the threat from a crime area will "
                   "grow over the next {h} years, compared with the last {h}. For each of the area's indicators whose "
                   "trend the data support, the trend model gives the probability that the mean of the next {h} years "
                   "will exceed the mean of the last {h} (the headline indicator counts {hw} times). The experts' "
                   "outlooks give another: the share expecting growth, a 'no change' counting half, with one imagined "
                   "answer each way, so that a few experts who agree do not make a certainty. The two are averaged "
                   "with weights {ws} (statistics) and {we} (experts); either is used alone when the other is "
                   "missing. The groups' threat is a level, not a direction: it enters the priority of the area, not "
                   "this probability.", h=str(j.horizon_years), hw=fmt_number(float(j.headline_weight)),
                   ws=fmt_number(float(j.weights.get("statistics", 0.5)), 2),
                   we=fmt_number(float(j.weights.get("experts", 0.5)), 2)))
        self.say(t("**Limits on confidence.** Whatever the quality of the sources, analytic confidence is not high when "
                   "the 90% range of a trend behind the judgement is wider than {w} points, when the experts' outlooks "
                   "spread by more than {sh} (standard deviation on the −2 to +2 scale; more than {sm}: low), when less "
                   "than {ag} of the evidence points the same way, when a trend changes direction with the years it "
                   "is fitted on (the window started one or two years later, or a slope that no single year can pull), "
                   "or when a series of the area jumps in a way that looks like a change of recording.",
                   w=fmt_number(100 * float(caps.interval_width_high)), sh=fmt_number(float(caps.expert_spread_high), 1),
                   sm=fmt_number(float(caps.expert_spread_moderate), 1), ag=fmt_percent(float(caps.agreement_high))))

    def calibration_forecasts(self) -> pd.DataFrame:
        """This edition's backtest forecasts (rolling origin over every series of its data)."""
        return self.table("backtest")

    def calibration_table(self, forecasts: pd.DataFrame) -> pd.DataFrame:
        """Per yardstick term: forecasts, mean forecast, events observed; in the edition's language."""
        bands = band_table(forecasts, self.ref.yardstick)
        return pd.DataFrame({
            t("Term"): [t(v) for v in bands["term"]],
            t("Range"): [f"{a:g}–{b:g}%" for a, b in zip(bands["lower_pct"], bands["upper_pct"])],
            t("Forecasts"): [fmt_number(n) for n in bands["forecasts"]],
            t("Mean forecast"): [":" if n == 0 else fmt_percent(m / 100) for n, m in zip(bands["forecasts"], bands["mean_pct"])],
            t("Events observed"): [":" if n == 0 else fmt_percent(o / 100)
                                   for n, o in zip(bands["forecasts"], bands["observed_pct"])],
        })

    def calibration_text(self, forecasts: pd.DataFrame) -> None:
        """How well the edition's own forecasts did, and what the simulation showed (computed)."""
        h = int(self.project.settings.judgement.horizon_years)
        check = shipped_check()
        if check is not None:
            shown = check[check["forecasts"] > 0]
            outside = (shown["lower_pct"] - shown["observed_pct"]).clip(lower=0) + \
                (shown["observed_pct"] - shown["upper_pct"]).clip(lower=0)
            worst, inside = float(outside.max()), bool((outside <= 5).all())
            self.say(t("**Calibration.** The model's probabilities pass through a calibration fitted on {n} forecasts "
                       "of simulated series with a known future (counts more variable than Poisson's, changes of trend, "
                       "early peaks, breaks in series, missing years, values published only as '<5', amounts). Checked "
                       "on {n2} forecasts of another simulation, the share of events that happened lies within 5 points "
                       "of every term's range.", n=fmt_number(int(check["fitted_on"].iloc[0])), n2=fmt_number(int(check["forecasts"].sum())))
                     if inside else
                     t("**Calibration.** The model's probabilities pass through a calibration fitted on simulated series "
                       "with a known future; checked on another simulation, the share of events that happened lies more "
                       "than 5 points outside at least one term's range (at most {w} points), so the terms are less "
                       "reliable than they read.", w=fmt_number(worst, 1)))
        else:
            self.say(t("**Calibration.** No calibration is in force: the terms come from the model's own probabilities, "
                       "which in simulated series were over-confident."))
        if forecasts.empty:
            self.say(t("This edition's series are too short or too incomplete to test the forecasts on them: a test needs "
                       "at least {n} whole years before a year and {h} after it.",
                       n=str(self.project.settings.trends.min_points), h=str(h)))
            return
        sc = scores(forecasts)
        text = t("**This edition's backtest.** Each series was forecast again from every earlier year that left {h} "
                 "years to check against ({n} forecasts; the event, the mean of the next {h} years above the mean of the "
                 "last {h}, happened {e} times). Their Brier score is {b} (0 is perfect); its skill against the base rate "
                 "of the events is {sc} (0: no better; below 0: worse).", h=str(h), n=fmt_number(sc["forecasts"]),
                 e=fmt_number(sc["events"]), b=fmt_number(sc["brier"], 3), sc=fmt_number(sc["skill_climatology"], 2))
        if sc["persistence_forecasts"]:
            text += " " + t("Against assuming that the direction of the last {h} years against the {h} before goes on, "
                            "where the data reach that far back ({n} forecasts), its skill is {sp}.", h=str(h),
                            n=fmt_number(sc["persistence_forecasts"]), sp=fmt_number(sc["skill_persistence"], 2))
        self.say(text)

    def reliability_figure(self, forecasts: pd.DataFrame):
        """The reliability diagram: per term, the events observed against the mean forecast, for this edition's
        backtest and the calibration's check on simulated series, over each term's range."""
        fig, ax = figures.new_figure("square")
        for _, band in self.ref.yardstick.iterrows():
            lo, hi = float(band["lower_pct"]), float(band["upper_pct"])
            ax.add_patch(mpl.patches.Rectangle((lo, lo - 5), hi - lo, hi - lo + 10, color="#EEEEEE", lw=0, zorder=0))
        ax.plot([0, 100], [0, 100], color=figures.MUTED, lw=0.8, ls="--", zorder=1)
        series = [(t("Simulated series"), shipped_check(), figures.PALETTE[1], "s")]
        if not forecasts.empty:
            series.append((t("This edition's data"), band_table(forecasts, self.ref.yardstick), figures.PALETTE[0], "o"))
        for label, bands, colour, marker in series:
            if bands is None:
                continue
            hit = bands[bands["forecasts"] > 0]
            ax.scatter(hit["mean_pct"], hit["observed_pct"], s=12 + 4 * hit["forecasts"].clip(upper=100) ** 0.5 * 4,
                       color=colour, marker=marker, label=label, zorder=3, edgecolor="white", lw=0.5)
        ax.set_xlim(0, 100)
        ax.set_ylim(-5, 105)
        ax.set_xlabel(t("Mean forecast probability (%)"))
        ax.set_ylabel(t("Events that happened (%)"))
        ax.legend(loc="upper left")
        return fig
