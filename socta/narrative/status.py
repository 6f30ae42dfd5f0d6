"""``socta narrative status``: every narrative text of a data folder, who wrote and reviewed it, and the
state of its translations (current, older than the source, missing); and the pages and chapters that
have no text yet."""
from __future__ import annotations

from dataclasses import dataclass

from socta.core.config import Project
from socta.i18n import translate as i18n
from socta.narrative import files


@dataclass
class Row:
    page: str
    lang: str
    status: str
    author: str
    reviewer: str
    translation: str      # "source", "current", "older than its source", "no source text"
    fingerprint: str


def rows(project: Project) -> list[Row]:
    source = files.source_language(project)
    found = files.all_files(project)
    sources = {f.page: f for f in found if f.lang == source}
    out = []
    for f in sorted(found, key=lambda f: (f.page, f.lang != source, f.lang)):
        if f.lang == source:
            state = "source"
        elif f.page not in sources:
            state = "no source text"
        elif f.meta.get("translated_from") == sources[f.page].fingerprint:
            state = "current"
        else:
            state = "older than its source"
        out.append(Row(f.page, f.lang, f.status, f.meta.get("author", ""), f.meta.get("reviewer", ""), state,
                       f.fingerprint))
    return out


def missing_translations(project: Project) -> list[tuple[str, str]]:
    """(page, language) for every source text an edition language has no translation of (a
    transliterated language reads the language it comes from)."""
    source = files.source_language(project)
    have = {(f.page, f.lang) for f in files.all_files(project)}
    languages = {i18n.catalogue_language(lang) for lang in project.settings.languages} - {source}
    return sorted((page, lang) for page, lang0 in have if lang0 == source for lang in languages
                  if (page, lang) not in have)


def missing_chapters(project: Project) -> list[str]:
    source = files.source_language(project)
    return [c.id for c in files.configured_parts(project, "chapter")
            if not files.file_for(project, source, c.id).is_file()]
