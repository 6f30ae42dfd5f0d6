"""The open-source context chapter: GI-TOC Organised Crime Index scores and Frontex detections,
compared with their published values, with the sentences they support."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from socta.core.config import OPEN_SOURCES_DIR
from socta.core.markup import inert_frame
from socta.core.text import in_sentence
from socta.i18n.translate import fmt_number, t, tn
from socta.ingest import open_sources as gitoc
from socta.pages.formatting import join_words
from socta.pages.page import Page


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
        published rounding, :func:`socta.ingest.open_sources.compare_with_published`); names every one that does not."""
        comparison = gitoc.compare_with_published(*self.gitoc_data())
        differ = gitoc.mismatches(comparison)
        n = len(comparison)
        if differ.empty:
            return tn("The recomputed headline score matches the {n} published one (at the published {d} decimals).",
                      "The recomputed headline scores match all {n} published ones (at the published {d} decimals).",
                      n, d=str(gitoc.DECIMALS))
        items = [t("{country} {edition} {component} (computed {computed}, published {published})",
                   country=t(r.country), edition=str(r.edition), component=in_sentence(t(r.component)),
                   computed=fmt_number(r.computed, gitoc.DECIMALS),
                   published=fmt_number(r.published, gitoc.decimals_as_written(r.published)))
                 if pd.notna(r.published) else
                 t("{country} {edition} {component} (computed {computed}, not published)",
                   country=t(r.country), edition=str(r.edition), component=in_sentence(t(r.component)),
                   computed=fmt_number(r.computed, gitoc.DECIMALS))
                 for r in differ.itertuples()]
        if len(differ) == n:
            return t("None of the recomputed headline scores matches the published one: {items}.", items="; ".join(items))
        return tn("The recomputed headline scores differ from the published ones for {items}; of the {n} score, "
                  "{m} match.", "The recomputed headline scores differ from the published ones for {items}; of the {n} "
                  "scores, {m} match.", n, items="; ".join(items), m=str(n - len(differ)))

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
