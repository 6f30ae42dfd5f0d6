"""What a template notebook calls: load the edition's data for one page, show figures, tables, text.

A notebook stays thin: it makes a :class:`Page`, asks it for data and scores, draws with the figure
style, and hands every figure, table and sentence to the page, which gives each a unique name,
a caption, alt text and a source line, and passes all text through :func:`socta.i18n.t`.
"""
from __future__ import annotations

import json
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



def md(text: str) -> None:
    display(Markdown(text))


def markdown_table(frame: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table; numbers right-aligned. Cells must already be formatted strings."""
    align = align or {}
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join(" ---: " if align.get(c, "l") == "r" else " :--- " for c in frame.columns) + "|"
    body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


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
        """Yearly values of an indicator for a scope (the region sums its countries), optionally by
        ``submarket``, ``category`` or ``country``."""
        scope = scope or self.scope
        s = self.statistics[self.statistics["indicator"].eq(indicator)]
        if scope != REGION:
            s = s[s["country"].eq(scope)]
        keys = ["year"] + ([by] if by else [])
        return s.groupby(keys, as_index=False)["value"].sum()

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

    def trend(self, indicator: str, scope: str | None = None) -> pd.Series | None:
        """The fitted trend of an indicator's total in a scope (latest period), or None if not fitted."""
        tr = self.table("trends")
        hit = tr[tr["scope"].eq(scope or self.scope) & tr["indicator"].eq(indicator)]
        if hit.empty or pd.isna(hit.iloc[0].get("change_per_year")):
            return None
        return hit.iloc[0]

    def headline_indicator(self, area: str | None = None) -> str:
        ind = self.ref.indicators
        return ind[ind["area_id"].eq(area or self.area) & ind["headline"]].index[0]

    def judgement(self, area: str | None = None, scope: str | None = None) -> dict | None:
        """The key judgement on an area in a scope: will its headline indicator rise next year?

        The likelihood term comes from the yardstick; the confidence from the evidence behind it.
        """
        from .judgements import confidence_level, likelihood_term

        area, scope = area or self.area, scope or self.scope
        indicator = self.headline_indicator(area)
        trend = self.trend(indicator, scope)
        if trend is None:
            return None
        likelihood = likelihood_term(trend["p_exceeds_last"], self.ref.yardstick)
        ev = self.table("evidence")
        ev = ev[ev["scope"].eq(scope) & ev["area"].eq(area)].iloc[0]
        confidence = confidence_level(ev["graded_share"], ev["completeness"], int(ev["respondents"]),
                                      self.project.settings["confidence"])
        scope_name = t("the region") if scope == REGION else t(self.ref.country_name(scope))
        pct = lambda v: ("+" if v >= 0 else "−") + fmt_number(abs(100 * v), 1) + "%"  # noqa: E731
        text = t(
            "It is **{term}** that {indicator} in {scope} will be higher in {next} than in {last} (estimated "
            "probability {p}%). The fitted trend is {change} a year (90% interval {low} to {high}) over "
            "{first}–{last}.",
            term=t(likelihood.term), indicator=t(self.ref.indicators.at[indicator, "name_en"]).lower(),
            scope=scope_name, next=str(int(trend["last_year"]) + 1), last=str(int(trend["last_year"])),
            p=probability_text(likelihood.percent), change=pct(trend["change_per_year"]),
            low=pct(trend["change_low"]), high=pct(trend["change_high"]),
            first=str(int(trend["last_year"]) - int(trend["years"]) + 1))
        basis = t("Analytic confidence: **{level}**. {graded} of the statistics behind it come from reliable sources "
                  "with confirmed information, {complete} of the expected values are present, and {n} expert "
                  "respondents assessed the area.", level=t(confidence),
                  graded=fmt_percent(ev["graded_share"]), complete=fmt_percent(ev["completeness"]),
                  n=int(ev["respondents"]))
        return {"area": area, "scope": scope, "term": likelihood.term, "percent": likelihood.percent,
                "in_gap": likelihood.in_gap, "confidence": confidence, "text": text, "basis": basis}

    def judgement_box(self, area: str | None = None, scope: str | None = None, title: str | None = None) -> None:
        j = self.judgement(area, scope)
        if j is None:
            return
        heading = title or t("Key judgement")
        md(f"```{{admonition}} {heading}\n:class: key-judgement\n{j['text']}\n\n{j['basis']}\n```")

    def change(self, indicator: str) -> float:
        window = int(self.project.settings["assessment"]["trend_window"])
        return scoring.change_between_periods(self.series(indicator), self.last_year, window)

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
        md(text)

    def figure(self, fig, key: str, caption: str, alt: str, source: str | None = None) -> None:
        """Show ``fig`` as a numbered, captioned, named figure with alt text and a source line."""
        from myst_nb import glue

        import matplotlib.pyplot as plt

        name = f"fig-{self.page_id}-{key}"
        source = source or self.source_statistics
        figures.source_line(fig, source)
        glue(name, fig, display=False)
        plt.close(fig)
        alt_text = " ".join(alt.split())
        md(f"```{{glue:figure}} {name}\n:name: {name}\n:alt: {alt_text}\n\n{caption}\n```")
        self.names.append(name)

    def show_table(self, frame: pd.DataFrame, key: str, caption: str, align: dict[str, str] | None = None,
                   source: str | None = None) -> None:
        """Show a formatted table (strings in cells) as a numbered, captioned, named table."""
        name = f"tbl-{self.page_id}-{key}"
        md(f"```{{table}} {caption}\n:name: {name}\n\n{markdown_table(frame, align)}\n```\n\n"
           f"*{source or self.source_statistics}*")
        self.names.append(name)

    @property
    def threshold(self) -> int:
        return int(self.project.settings["public"]["small_count_threshold"]) if self.audience == "public" else 0

    def count(self, value, suppressed: bool = False) -> str:
        """A count as this edition prints it: suppressed small counts read "<5"."""
        from .disclosure import count_text

        return count_text(value, bool(suppressed), self.threshold, fmt_number)

    def num(self, value, decimals: int = 0) -> str:
        return "–" if pd.isna(value) else fmt_number(value, decimals)
