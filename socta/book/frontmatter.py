"""The document's record, as an official publication carries it on its cover and first page: who issues
it, its reference, version and status, the information cut-off, the date of issue and the distribution
statement of the edition (``publication`` in settings.yaml), in the edition's language and date format.

Every value is text from configuration: the sinks (LaTeX cover, Markdown table, PDF metadata) escape it."""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

from socta.core.config import Project
from socta.core.edition import Edition
from socta.core.markup import inert
from socta.i18n import translate as i18n
from socta.i18n.translate import t
from socta.ingest.reference import Reference


def issue_date() -> datetime.date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` (a reproducible build prints the same date)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.date.fromtimestamp(int(epoch)) if epoch else datetime.date.today()


def cutoff_date(project: Project) -> datetime.date:
    """The information cut-off: the configured day, else the last day of the assessment's last year."""
    settings = project.settings
    day = settings.publication.information_cutoff
    return datetime.date.fromisoformat(day) if day else datetime.date(settings.assessment.last_year, 12, 31)


@dataclass(frozen=True)
class Record:
    issued_by: list[str]          # the issuing authorities, translated, in the configured order
    title: str
    subtitle: str                 # the region, never the tool
    status: str                   # "DRAFT", "FINAL" or, for synthetic data, the demonstration's status
    rows: list[tuple[str, str]]   # (label, value) of the record's table, in the edition's language
    keywords: list[str]

    @property
    def author(self) -> str:
        return i18n.fmt_list(self.issued_by)


def record(project: Project, audience: str, lang: str) -> Record:
    """The record of one edition; the current language must be ``lang``."""
    pub = project.settings.publication
    synthetic = bool(project.dataset.get("synthetic"))
    # synthetic data never make an issued assessment, whatever the configured status says
    status = (t("DEMONSTRATION: NOT AN ASSESSMENT") if synthetic
              else t("FINAL") if pub.status == "final" else t("DRAFT"))
    issued_by = [t(name) for name in pub.issued_by]
    rows = [(t("Issued by"), i18n.fmt_list(issued_by))] if issued_by else []
    if pub.reference:
        rows.append((t("Reference"), pub.reference))
    rows += [(t("Version"), pub.version), (t("Status"), status),
             (t("Marking"), t(Edition(audience, lang).marking)),
             (t("Information cut-off"), i18n.fmt_date(cutoff_date(project), lang)),
             (t("Date of issue"), i18n.fmt_date(issue_date(), lang))]
    distribution = pub.distribution.get(Edition(audience).audience, "")
    if distribution:
        rows.append((t("Distribution"), t(distribution)))
    keywords = [t(k) for k in pub.keywords] + [t(name) for name in Reference(project).top_areas["name_en"]]
    return Record(issued_by=issued_by, title=t(project.settings.assessment.title),
                  subtitle=t(project.settings.assessment.region_name), status=status, rows=rows, keywords=keywords)


def markdown_list(rec: Record) -> str:
    """The record as a list for the first page ("**Version:** 0.1"), every label and value inert text."""
    return "\n".join(f"- **{inert(label)}:** {inert(value)}" for label, value in rec.rows)
