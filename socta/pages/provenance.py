"""The provenance annex: every input file with its checksum, source and status, the software and the
settings the edition was built with (restricted rows hidden from the public edition)."""
from __future__ import annotations

import hashlib
import platform
from importlib import metadata

import pandas as pd

from socta.core.config import OPEN_SOURCES_DIR
from socta.core.edition import Edition
from socta.core.markup import inert_frame
from socta.i18n.translate import fmt_number, t
from socta.ingest.reference import REFERENCE_FILES
from socta.pages.observations import footnote_legend, observation_text
from socta.pages.page import Page


def input_rows(inputs: list[dict], audience: str) -> list[dict]:
    """The rows of the provenance annex's table of input files. A count of rows or a checksum of a
    restricted input (the OCG register, the groups' answers) says how many groups there are and
    whether the register changed: outside the restricted edition they read "not shown in the
    public edition"."""
    secret = t("not shown in the public edition")
    rows = []
    for f in inputs:
        withheld = f["restricted"] and not Edition(audience).is_restricted and not f.get("absent")
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
        hidden = any(f["restricted"] and not f.get("absent") for f in self.inputs) and not self.edition.is_restricted
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
                    notes=footnote_legend(used, status), source=self.statistics_source(indicator))
        if not shown_any:
            self.say(f"*{t('This dataset holds no statistics for the period.')}*")

    def reference_table(self) -> None:

        rows = []
        for name in [*REFERENCE_FILES, "settings.yaml"]:
            path = self.project.reference_path(name)
            origin = t("data folder") if path.parent.parent == self.project.data_dir else t("repository default")
            rows.append({t("File"): f"`{name}`", t("In force from"): origin,
                         t("SHA-256 (first 12)"): hashlib.sha256(path.read_bytes()).hexdigest()[:12]})
        self.show_table(pd.DataFrame(rows), "reference", t("Reference configuration in force."),
                        source=t("Source: socta reference configuration."))

    def open_sources_list(self) -> None:
        """One entry per open-source file: who published it, when, under what licence, and its checksum
        (the template says what the list is)."""
        s = inert_frame(pd.read_csv(OPEN_SOURCES_DIR / "sources.csv"))
        items = [t("- `{file}`: {publisher}, *{title}*; {date}; licence: {licence}; SHA-256 `{sha}`.", file=r.file,
                   publisher=r.publisher, title=r.title, date=r.date_retrieved_or_published, licence=r.licence,
                   sha=r.sha256[:16]) for r in s.itertuples()]
        self.say("\n".join(items))

    def software_table(self) -> None:
        rows = [{t("Software"): "Python", t("Version"): platform.python_version()}]
        for package in ("socta", "jupyter-book", "papermill", "pandas", "matplotlib", "seaborn", "pandera"):
            try:
                rows.append({t("Software"): package, t("Version"): metadata.version(package)})
            except metadata.PackageNotFoundError:
                rows.append({t("Software"): package, t("Version"): t("not installed")})
        self.show_table(pd.DataFrame(rows), "software", t("Software that produced this edition."),
                        source=t("Source: the build environment (requirements.txt)."))
