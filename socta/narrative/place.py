"""Putting the narrative into an edition's book source, when it is staged.

The page template marks where narrative goes (a markdown cell ``{{narrative:top}}``, ``analysis`` or
``end``: :func:`socta.run.execute.prepare` turns it into an empty cell that remembers its place). Staging
fills those cells of the executed notebooks with the rendered sections and writes the narrative
chapters as pages of their own. Nothing here executes a notebook: a narrative change rebuilds the HTML
of the pages it touches and nothing else.

Every file is rendered for the edition (its language, its audience: restricted passages only in the
restricted edition) and checked (:mod:`socta.narrative.check`); :func:`place` returns what it found, and
the build reports it (warnings, or errors with ``--final``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from socta.core.config import REGION, Project
from socta.core.edition import Edition
from socta.core.markup import inert
from socta.i18n import translate as i18n
from socta.i18n.translate import set_language, t
from socta.narrative import files
from socta.narrative.check import Checker, scope_of_page
from socta.narrative.render import Issue, Renderer
from socta.narrative.values import LiveValues
from socta.run.jobs import NARRATIVE_EMPTY as EMPTY
from socta.run.jobs import NARRATIVE_MARKER as MARKER

CHAPTER_DIR = "narrative"        # the chapters' pages in the book source


@dataclass
class Placed:
    """What staging the narrative of an edition found: issues, drafts, chapters not written, and counts."""
    issues: list[Issue] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    missing_chapters: list[str] = field(default_factory=list)
    files: int = 0
    counted: dict = field(default_factory=lambda: {"numbers": 0, "directions": 0, "terms": 0, "values": 0})


def _notes(found: files.Found, lang: str) -> list[str]:
    """The boxes a narrative carries above its text: draft, not translated, translation out of date."""
    notes = []
    f = found.file
    if f.is_draft:
        author = f.meta.get("author")
        text = (t("DRAFT: this text by {author} has not been reviewed.", author=inert(author)) if author
                else t("DRAFT: this text has not been reviewed."))
        title = t("Draft")
        notes.append(f"```{{admonition}} {title}\n:class: warning narrative-draft\n{text}\n```")
    if found.fallback:
        text = t("This text has not been translated into {language}; it is shown in the language it was written in.",
                 language=i18n.spec(lang)["name"])
        notes.append(f"```{{note}}\n{text}\n```")
    if found.stale:
        text = t("This translation is older than the text it was translated from, which has changed since; it may "
                 "not say what the original now says.")
        notes.append(f"```{{note}}\n{text}\n```")
    return notes


def render_file(project: Project, found: files.Found, audience: str, lang: str, scope: str, area: str | None,
                sections: list[files.Part] | None, placed: Placed) -> dict[str, str]:
    """A page's or chapter's narrative rendered and checked: MyST by section id ("" for a chapter)."""
    edition = Edition(audience, lang)
    values = LiveValues(project, project.processed_dir(audience), audience, lang, scope, area)
    terms = list(values.page.ref.yardstick.sort_values("lower_pct")["term"])
    set_language(lang)
    rendered = Renderer(found.file, values, edition.is_restricted, sections, terms).render()
    indicators, scopes = scope_of_page(values)
    checker = Checker(values, found.file.lang, str(found.file.path), indicators, scopes)
    placed.issues += rendered.issues + checker.check(rendered)
    for key, n in checker.counted.items():
        placed.counted[key] += n
    placed.counted["values"] += sum(len(s.lives) for s in rendered.sentences)
    placed.files += 1
    if found.file.is_draft:
        placed.drafts.append(str(found.file.path))
    if found.stale:
        placed.issues.append(Issue(str(found.file.path), 1, "translation",
                                   "this translation is older than its source (the source changed since); "
                                   "translate the change and set translated_from to the source's fingerprint "
                                   "(socta narrative status prints it)"))
    out = dict(rendered.sections)
    transliterated = "transliterate" in i18n.spec(lang)
    if transliterated:
        out = {k: i18n.transliterate(v, lang) for k, v in out.items()}
    out["_notes"] = "\n\n".join(_notes(found, lang))
    return out


def fill_page(notebook: Path, rendered: dict[str, str] | None, sections: list[files.Part]) -> None:
    """Fill the narrative cells of an executed notebook (or empty them: ``rendered`` None), in place
    and atomically; a notebook without narrative cells is left as it is."""
    nb = nbformat.read(notebook, as_version=4)
    changed = False
    for cell in nb.cells:
        place = cell.get("metadata", {}).get(MARKER)
        if place is None:
            continue
        text = EMPTY
        if rendered:
            parts = [rendered[s.id] for s in sections if s.place == place and rendered.get(s.id)]
            if place == "top" and rendered.get("_notes"):
                parts.insert(0, rendered["_notes"])
            text = "\n\n".join(parts) or EMPTY
        if cell.source != text:
            cell.source, changed = text, True
    if changed:
        tmp = notebook.with_name(f".{notebook.stem}.{os.getpid()}.tmp")
        tmp.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        tmp.replace(notebook)


def page_parameters(notebook: Path) -> dict:
    nb = nbformat.read(notebook, as_version=4)
    return nb.metadata.get("papermill", {}).get("parameters", {}) or {}


def place(project: Project, audience: str, lang: str, source: Path) -> Placed:
    """Render, check and place the narrative of an edition in its book source."""
    placed = Placed()
    if Edition(audience).is_training or not (project.processed_dir(audience) / "dataset.json").is_file():
        return placed  # the lessons have no narrative; with no processed tables there is nothing to quote
    sections = files.configured_parts(project, "section")
    areas = source / "areas"
    for notebook in sorted(areas.rglob("*.ipynb")) if areas.is_dir() else []:
        page = notebook.relative_to(source).with_suffix("").as_posix()
        params = page_parameters(notebook)
        found = files.find(project, lang, page)
        rendered = None
        if found.file is not None and params.get("area"):
            rendered = render_file(project, found, audience, lang, params.get("scope", REGION), params["area"],
                                   sections, placed)
        fill_page(notebook, rendered, sections)
    write_chapters(project, audience, lang, source, placed)
    return placed


def write_chapters(project: Project, audience: str, lang: str, source: Path, placed: Placed) -> None:
    """The narrative chapters as pages ``narrative/<id>.md`` of the book source; a chapter no language
    has a file for is not in the book (and ``--final`` refuses to build without it)."""
    folder = source / CHAPTER_DIR
    wanted = set()
    for chapter in files.configured_parts(project, "chapter"):
        found = files.find(project, lang, chapter.id)
        if found.file is None:
            placed.missing_chapters.append(chapter.id)
            continue
        rendered = render_file(project, found, audience, lang, REGION, None, None, placed)
        set_language(lang)
        title = inert(t(chapter.title))
        text = "\n\n".join(p for p in (f"# {title}", rendered["_notes"], rendered[""]) if p) + "\n"
        path = folder / f"{chapter.id}.md"
        wanted.add(path)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    for old in folder.glob("*.md") if folder.is_dir() else []:
        if old not in wanted:  # a chapter whose file was removed leaves the book
            old.unlink()


def chapter_pages(project: Project, place_name: str, source: Path | None) -> list[str]:
    """The chapters of ``place_name`` (front, back) that the book source has (without a source: that
    the source language has a file for), in configured order."""
    def written(chapter) -> bool:
        if source is None:
            return files.file_for(project, files.source_language(project), chapter.id).is_file()
        return (source / CHAPTER_DIR / f"{chapter.id}.md").is_file()

    return [f"{CHAPTER_DIR}/{c.id}" for c in files.configured_parts(project, "chapter")
            if c.place == place_name and written(c)]
