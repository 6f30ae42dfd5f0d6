"""What a template notebook calls: load the edition's data for one page, show figures, tables, text.

A notebook stays thin: it makes a :class:`Page`, asks it for data and scores, draws with the figure
style, and hands every figure, table and sentence to the page, which gives each a unique name,
a caption, alt text and a source line, and passes all text through :func:`socta.i18n.t`.
"""
from __future__ import annotations

import json
import re
import warnings
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from . import figures, scoring
from .config import REGION, Project
from .i18n import fmt_number, fmt_percent, set_language, t
from .store import load
from .reference import Reference



# Where a page's output goes: "book" (MyST for Jupyter Book: glued, numbered figures and tables,
# admonitions) or "jupyter" (plain Markdown and inline figures, as JupyterLab shows them). A copy
# written by `socta notebook` switches to "jupyter" in its second cell.
OUTPUT = "book"
_FENCE = re.compile(r"```\{(admonition|table)\}[ \t]*([^\n]*)\n((?::[\w-]+:[^\n]*\n)*)\n?(.*?)\n```", re.S)


def use_jupyter_output() -> None:
    """Show figures inline and text as plain Markdown: for working in JupyterLab, not for the book."""
    global OUTPUT
    OUTPUT = "jupyter"


def plain_markdown(text: str) -> str:
    """MyST admonitions and tables as plain Markdown: a quoted box with a bold title, a bold caption."""
    def convert(m):
        kind, title, body = m.group(1), m.group(2).strip(), m.group(4).strip()
        if kind == "table":
            return f"**{title}**\n\n{body}"
        return "\n".join(["> **" + title + "**", ">", *("> " + line for line in body.splitlines())])
    return _FENCE.sub(convert, text)


def md(text: str) -> None:
    display(Markdown(plain_markdown(text) if OUTPUT == "jupyter" else text))


def markdown_table(frame: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table; numbers right-aligned. Cells must already be formatted strings."""
    align = align or {}
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join(" ---: " if align.get(c, "l") == "r" else " :--- " for c in frame.columns) + "|"
    body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def judgement_sentence(term: str, opening: str, indicator: str, scope: str, forecast_year: int, reference_year: int,
                       probability: str) -> str:
    """The key-judgement sentence, grammatical for every yardstick term: ``opening`` comes from the
    yardstick's configuration ("There is a {term} that", "It is {term} that")."""
    start = t(opening or "It is {term} that", term=f"**{t(term)}**")
    return t("{start} {indicator} in {scope} will be higher in {next} than in {ref} (estimated probability {p}%).",
             start=start, indicator=indicator, scope=scope, next=str(forecast_year), ref=str(reference_year),
             p=probability)


def probability_text(percent: float) -> str:
    """A probability for prose: whole percent, but never a false 0% or 100% from rounding."""
    if percent > 99:
        return ">99"
    if percent < 1:
        return "<1"
    return fmt_number(round(percent))


class Page:
    """One page of the book: a scope (a country's ISO3 or ``region``) and optionally a crime area."""

    def __init__(self, *, scope: str, processed_dir: str, data_dir: str, audience: str = "public",
                 lang: str = "en", first_year: int, last_year: int, area: str | None = None, page: str = ""):
        warnings.filterwarnings("ignore", category=FutureWarning)  # library notices are not findings
        set_language(lang)
        figures.apply_style()
        self.scope, self.area, self.audience, self.lang = scope, area, audience, lang
        self.first_year, self.last_year = int(first_year), int(last_year)
        self.processed_dir = Path(processed_dir)
        self.project = Project(data_dir=Path(data_dir))
        self.ref = Reference(self.project)
        self.page_id = page or f"{area or 'page'}-{scope.lower()}"
        meta = json.loads((self.processed_dir / "dataset.json").read_text(encoding="utf-8"))
        self.dataset = meta["dataset"]
        self.inputs = meta.get("inputs", [])
        self.names: list[str] = []  # figure and table names shown so far, for cross-references

    # ---- who and what -------------------------------------------------------------------
    @property
    def is_region(self) -> bool:
        return self.scope == REGION

    @property
    def scope_name(self) -> str:
        if self.is_region:
            return t("the region")
        return t(self.ref.country_name(self.scope))

    @property
    def scope_title(self) -> str:
        return t("Region") if self.is_region else t(self.ref.country_name(self.scope))

    def area_name(self, area: str | None = None) -> str:
        return t(self.ref.areas.at[area or self.area, "name_en"])

    def indicator_name(self, indicator: str) -> str:
        return t(self.ref.indicators.at[indicator, "name_en"])

    @property
    def countries(self) -> list[str]:
        return list(self.ref.countries.index)

    # ---- data ---------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        return load(self.processed_dir, name)

    @cached_property
    def statistics(self) -> pd.DataFrame:
        s = self.table("statistics")
        return s[s["year"].between(self.first_year, self.last_year)]

    def series(self, indicator: str, by: str | None = None, scope: str | None = None) -> pd.DataFrame:
        """Yearly values of an indicator for a scope, optionally by ``submarket``, ``category`` or
        ``country``: every year of the period, gaps as NA, a total only where every part reported
        (see :func:`socta.series.yearly`)."""
        from .series import yearly

        scope = scope or self.scope
        countries = self.countries if scope == REGION else [scope]
        return yearly(self.statistics, self.ref.indicators.loc[indicator], countries,
                      range(self.first_year, self.last_year + 1), self.ref.observation_status, by=by)

    @cached_property
    def population(self) -> pd.DataFrame:
        p = self.table("population")
        p = p[p["year"].between(self.first_year, self.last_year)]
        region = p.groupby("year", as_index=False)["population"].sum().assign(iso3=REGION)
        return pd.concat([p, region], ignore_index=True)

    def rate(self, series: pd.DataFrame, scope: str | None = None) -> pd.DataFrame:
        """Add ``per_100k`` to a yearly series using the scope's population."""
        pop = self.population[self.population["iso3"].eq(scope or self.scope)][["year", "population"]]
        out = series.merge(pop, on="year", how="left")
        out["per_100k"] = 1e5 * out["value"] / out["population"]
        return out

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Threat, harm and priority of every crime area, for every scope (latest period)."""
        return self.table("area_scores")

    @cached_property
    def scores_previous(self) -> pd.DataFrame:
        """The same, with the statistics of the previous period (experts and OCGs held as they are)."""
        return self.table("area_scores_previous")

    def score_row(self, area: str | None = None, scope: str | None = None) -> pd.Series:
        s = self.scores
        return s[s["scope"].eq(scope or self.scope) & s["area"].eq(area or self.area)].iloc[0]

    def trend_row(self, indicator: str, scope: str | None = None) -> pd.Series | None:
        """The trend record of an indicator's total in a scope (latest period), fitted or not."""
        tr = self.table("trends")
        hit = tr[tr["scope"].eq(scope or self.scope) & tr["indicator"].eq(indicator)]
        return None if hit.empty else hit.iloc[0]

    def trend(self, indicator: str, scope: str | None = None) -> pd.Series | None:
        """The fitted trend of an indicator's total in a scope (latest period), or None if not fitted."""
        hit = self.trend_row(indicator, scope)
        if hit is None or hit.get("reason") or pd.isna(hit.get("change_per_year")):
            return None
        return hit

    def trend_reason(self, tr: pd.Series | None) -> str:
        """Why no trend is given, in words."""
        reason = "" if tr is None else tr.get("reason", "")
        minimum = int(self.project.settings["trends"].get("min_points", 5))
        since = ""
        if tr is not None and pd.notna(tr.get("break_year")):
            since = " " + t("since the break in series in {year}", year=str(int(tr["break_year"])))
        return {
            "no_data": t("no data"),
            "too_few_points": t("fewer than {n} years with a final whole-year value{since}", n=str(minimum), since=since),
            "too_sparse": t("counts too small to fit a trend"),
            "no_anchor": t("no final value to project from"),
        }.get(reason, t("no data") if tr is None else t("not fitted"))

    def missing_years(self, indicator: str) -> dict[str, list[int]]:
        """Per country, the years of the period without a complete value of the indicator."""
        cov = self.table("coverage")
        cov = cov[cov["indicator"].eq(indicator) & cov["year"].between(self.first_year, self.last_year)
                  & ~cov["has_value"]]
        return {c: sorted(g["year"]) for c, g in cov.groupby("country") if c in self.ref.countries.index}

    def countries_without_data(self, indicator: str) -> list[str]:
        """The countries with no complete value of the indicator in any year of the period."""
        span = self.last_year - self.first_year + 1
        return [c for c, years in self.missing_years(indicator).items() if len(years) == span]

    def country_gaps(self, indicator: str) -> list[str]:
        """Each country's years without a complete value of the indicator, e.g. "Montenegro 2014–2015"."""
        from .coverage import year_ranges

        return [f"{t(self.ref.country_name(c))} {year_ranges(years)}" for c, years in self.missing_years(indicator).items()]

    def unsupported_reason(self, trend: pd.Series) -> str:
        """Why a fitted trend cannot carry a likelihood term."""
        if pd.notna(trend.get("suspected_break")):
            return t("the series jumps in {year}, which looks like a change of recording rather than of crime (mark "
                     "that year with status B if it is one)", year=str(int(trend["suspected_break"])))
        return t("the fitted change is too uncertain")

    def headline_indicator(self, area: str | None = None) -> str | None:
        ind = self.ref.indicators
        hit = ind[ind["area_id"].eq(area or self.area) & ind["headline"]].index
        return hit[0] if len(hit) else None

    def has_input(self, name: str) -> bool:
        """Whether the dataset includes an (optional) input file."""
        return any(f["file"] == name and not f.get("absent") for f in self.inputs)

    def analytic_confidence(self, area: str | None = None, scope: str | None = None) -> tuple[str, pd.Series]:
        """The analytic confidence of judgements on an area in a scope, and the evidence it rests on."""
        from .judgements import confidence_level

        ev = self.table("evidence")
        ev = ev[ev["scope"].eq(scope or self.scope) & ev["area"].eq(area or self.area)].iloc[0]
        level = confidence_level(ev["graded_share"], ev["completeness"], int(ev["respondents"]),
                                 self.project.settings["confidence"])
        return level, ev

    def judgement(self, area: str | None = None, scope: str | None = None) -> dict | None:
        """The key judgement on an area in a scope: will its headline indicator rise in the forecast year?

        The likelihood term comes from the yardstick, and only when the evidence supports one: with no
        fitted trend, an interval too wide to read, or low analytic confidence, the judgement says so
        plainly instead (``term`` is then None).
        """
        from .judgements import likelihood_term

        area, scope = area or self.area, scope or self.scope
        indicator = self.headline_indicator(area)
        scope_name = t("the region") if scope == REGION else t(self.ref.country_name(scope))
        confidence, ev = self.analytic_confidence(area, scope)
        experts = t("{n} expert respondents assessed the area", n=int(ev["respondents"])) \
            if self.has_input("expert_assessments.csv") else t("no expert assessments are part of this dataset")
        if int(ev["rows"]):
            basis = t("Analytic confidence: **{level}**. {graded} of the statistics behind it come from reliable sources "
                      "(A or B) with information graded 1 or 2, {complete} of the expected values are present, and "
                      "{experts}.", level=t(confidence), graded=fmt_percent(ev["graded_share"]),
                      complete=fmt_percent(ev["completeness"]), experts=experts)
        else:
            basis = t("Analytic confidence: **{level}**. No statistics of the period stand behind it, and {experts}.",
                      level=t(confidence), experts=experts)
        missing = [t(self.ref.country_name(c)) for c in str(ev.get("missing_countries", "") or "").split("|")
                   if c in self.ref.countries.index]
        if missing and scope == REGION:
            basis += " " + t("No {year} value from: {countries}.", year=str(self.last_year), countries=", ".join(missing))
        result = {"area": area, "scope": scope, "term": None, "percent": float("nan"), "in_gap": False,
                  "confidence": confidence, "basis": basis}
        if indicator is None:
            has_any = self.ref.indicators["area_id"].eq(area).any()
            result["text"] = t("No judgement on {area} in {scope}: none of its indicators is marked as the headline "
                               "in indicators.csv.", area=self.area_name(area).lower(), scope=scope_name) if has_any else \
                t("No judgement on {area} in {scope}: this dataset has no statistics on it (no indicator is configured "
                  "for it in indicators.csv).", area=self.area_name(area).lower(), scope=scope_name)
            return result
        name = t(self.ref.indicators.at[indicator, "name_en"]).lower()
        tr = self.trend_row(indicator, scope)
        trend = self.trend(indicator, scope)
        if trend is None:
            reason = self.trend_reason(tr)
            silent = self.countries_without_data(indicator) if scope == REGION else []
            if silent:
                reason = t("no regional total, because {countries} reported no value of it in the period",
                           countries=", ".join(t(self.ref.country_name(c)) for c in silent))
            elif scope == REGION and self.country_gaps(indicator):
                reason += " " + t("(a regional total needs every country; missing: {gaps})",
                                  gaps="; ".join(self.country_gaps(indicator)))
            result["text"] = t("The data cannot support a judgement on whether {indicator} in {scope} will rise: "
                               "{reason}.", indicator=name, scope=scope_name, reason=reason)
            return result
        pct = lambda v: ("+" if v >= 0 else "−") + fmt_number(abs(100 * v), 1) + "%"  # noqa: E731
        fitted = t("The fitted trend is {change} a year (90% interval {low} to {high}) over {first}–{last}.",
                   change=pct(trend["change_per_year"]), low=pct(trend["change_low"]), high=pct(trend["change_high"]),
                   first=str(int(trend["first_year"])), last=str(int(trend["last_fit_year"])))
        if not bool(trend.get("supports_judgement", True)) or confidence == "low":
            why = self.unsupported_reason(trend) if not bool(trend.get("supports_judgement", True)) else \
                t("analytic confidence is low")
            result["text"] = t("The data cannot support a judgement on whether {indicator} in {scope} will be higher in "
                               "{next} than in {ref}: {why}.", indicator=name, scope=scope_name,
                               next=str(int(trend["forecast_year"])), ref=str(int(trend["reference_year"])), why=why) \
                + " " + fitted
            return result
        likelihood = likelihood_term(trend["p_exceeds_last"], self.ref.yardstick)
        result.update(term=likelihood.term, percent=likelihood.percent, in_gap=likelihood.in_gap)
        result["text"] = judgement_sentence(likelihood.term, self.yardstick_opening(likelihood.term), name, scope_name,
                                            int(trend["forecast_year"]),
                                            int(trend["reference_year"]), probability_text(likelihood.percent)) + " " + fitted
        return result

    def say_missing(self, name: str) -> None:
        """Say once per page that an optional input is absent and what that leaves out."""
        said = self.__dict__.setdefault("_said_missing", set())
        if name not in said:
            said.add(name)
            text = {  # literal t() calls, so that `make messages` finds them
                "ocg_register.csv": t("No OCG register is part of this dataset, so this page cannot describe the "
                                      "organised crime groups, and no threat score includes them."),
                "ocg_answers.csv": t("No OCG indicator answers are part of this dataset, so the groups' use of "
                                     "corruption, legal business structures and money laundering cannot be described "
                                     "here."),
                "expert_assessments.csv": t("No expert assessments are part of this dataset, so harm is not scored."),
            }[name]
            self.say(f"*{text}*")

    def yardstick_opening(self, term: str) -> str:
        """The configured start of a judgement sentence for ``term``; "" lets the sentence use its default."""
        y = self.ref.yardstick
        hit = y.loc[y["term"].eq(term), "opening"] if "opening" in y.columns else []
        return hit.iloc[0] if len(hit) else ""

    def judgement_box(self, area: str | None = None, scope: str | None = None, title: str | None = None) -> None:
        j = self.judgement(area, scope)
        heading = title or t("Key judgement")
        md(f"```{{admonition}} {heading}\n:class: key-judgement\n{j['text']}\n\n{j['basis']}\n```")

    def change(self, indicator: str) -> float:
        """Change of the mean of the last ``trend_window`` years against the years before, in %; NaN
        where the periods cannot be compared (:meth:`change_gap` says why)."""
        window = int(self.project.settings["assessment"]["trend_window"])
        series = self.series(indicator)
        if self.change_gap(series):
            return float("nan")
        return scoring.change_between_periods(series, self.last_year, window)

    def change_gap(self, series: pd.DataFrame) -> str:
        """Why two periods of a series cannot be compared, or "" when they can."""
        window = int(self.project.settings["assessment"]["trend_window"])
        span = series[series["year"].between(self.last_year - 2 * window + 1, self.last_year)]
        if not span["value"].notna().any():
            return t("no data")
        if self.last_year - self.first_year + 1 < 2 * window:
            return t("the period is shorter than {n} years", n=str(2 * window))
        breaks = span.loc[span["breaks"].astype(bool) & span["year"].gt(span["year"].min()), "year"]
        if len(breaks):
            return t("break in series in {year}", year=str(int(breaks.iloc[-1])))
        if span["value"].isna().any():
            return t("a year is missing in one of the periods")
        return ""

    @property
    def source_statistics(self) -> str:
        synthetic = t(" (synthetic demonstration data)") if self.dataset.get("synthetic") else ""
        return t("Source: {name}{synthetic}; socta calculations.", name=self.dataset.get("name", ""), synthetic=synthetic)

    # ---- output -------------------------------------------------------------------------
    def banner(self, open_sources: bool = False) -> None:
        """The notice every page carries when the assessment's data are synthetic.

        ``open_sources``: the page shows public figures with their sources, not the synthetic data.
        """
        parts = []
        if self.dataset.get("synthetic") and open_sources:
            parts.append(
                "```{admonition} " + t("Public figures on a synthetic demonstration") + "\n:class: note synthetic-banner\n"
                + t("The figures on this page are real public data, each with its source. The rest of this book is "
                    "computed from the synthetic demonstration dataset '{name}', which says nothing about real crime "
                    "in the region.", name=self.dataset.get("name", "")) + "\n```"
            )
        elif self.dataset.get("synthetic"):
            parts.append(
                "```{admonition} " + t("Synthetic demonstration data") + "\n:class: warning synthetic-banner\n"
                + t("Every number, figure and table on this page is computed from the synthetic demonstration "
                    "dataset '{name}'. It is invented for demonstration and training and says nothing about "
                    "real crime in the region.", name=self.dataset.get("name", "")) + "\n```"
            )
        md("\n\n".join(parts)) if parts else None

    def say(self, text: str) -> None:
        if text:  # an empty Markdown output would show as its Python repr
            md(text)

    def figure(self, fig, key: str, caption: str, alt: str, source: str | None = None) -> None:
        """Show ``fig`` as a numbered, captioned, named figure with alt text and a source line."""
        from myst_nb import glue

        import matplotlib.pyplot as plt

        name = f"fig-{self.page_id}-{key}"
        source = source or self.source_statistics
        figures.source_line(fig, source)
        if OUTPUT == "jupyter":
            display(fig)
            plt.close(fig)
            md(f"*{caption}*")
            self.names.append(name)
            return
        glue(name, fig, display=False)
        plt.close(fig)
        alt_text = " ".join(alt.split())
        md(f"```{{glue:figure}} {name}\n:name: {name}\n:alt: {alt_text}\n\n{caption}\n```")
        self.names.append(name)

    def show_table(self, frame: pd.DataFrame, key: str, caption: str, align: dict[str, str] | None = None,
                   source: str | None = None, notes: str = "") -> None:
        """Show a formatted table (strings in cells) as a numbered, captioned, named table; ``notes``
        (the legend of its flags) goes under it, before the source."""
        name = f"tbl-{self.page_id}-{key}"
        below = (f"{notes}  \n" if notes else "") + f"*{source or self.source_statistics}*"
        md(f"```{{table}} {caption}\n:name: {name}\n\n{markdown_table(frame, align)}\n```\n\n{below}")
        self.names.append(name)

    @property
    def threshold(self) -> int:
        return int(self.project.settings["public"]["small_count_threshold"]) if self.audience == "public" else 0

    def count(self, value, suppressed: bool = False) -> str:
        """A count as this edition prints it: a suppressed count reads "c" (confidential)."""
        from .disclosure import MARK, count_text

        return count_text(value, bool(suppressed), fmt_number)

    def num(self, value, decimals: int = 0) -> str:
        return "–" if pd.isna(value) else fmt_number(value, decimals)

    def no_data(self, what: str) -> None:
        """The sentence a block shows instead of an empty figure or table."""
        self.say(f"*{what}*")

    def score(self, row, column: str) -> str:
        """A threat, harm or priority score as this edition prints it: "≈55" where the public edition
        rounds it (it rests on a suppressed count of groups), "c" where it withholds it."""
        precision = row.get("score_precision", "exact") if column in ("threat", "priority") else "exact"
        if precision == "withheld":
            return MARK
        if pd.isna(row[column]):
            return t("not scored")
        return ("≈" if precision == "rounded" else "") + self.num(row[column])

    def score_note(self, rows: pd.DataFrame) -> str:
        """The sentence explaining "≈" and "c" in scores, when ``rows`` use them (else empty)."""
        used = set(rows.get("score_precision", pd.Series(dtype=str)))
        if not used & {"rounded", "withheld"}:
            return ""
        step = self.project.settings["public"].get("score_step", 5)
        marks = [t("≈: rounded to the nearest {step}", step=str(step))] if "rounded" in used else []
        marks += [t("c: withheld")] if "withheld" in used else []
        return " " + t("{marks}, because the score rests on a count of groups too small to publish; ranks and tiers "
                       "are those of the exact scores.", marks="; ".join(marks))
