"""Finding and reading the narrative files of a data folder (``narrative/<lang>/<page>.md``).

A file is YAML front matter (who wrote it, who reviewed it, its status) and a MyST Markdown body::

    ---
    author: A. Analyst
    reviewer: B. Reviewer
    status: reviewed          # draft (the default) or reviewed
    translated_from: 3f2a9c1d0b7e   # in a translation: the source text it was translated from
    ---
    ## Assessment
    …

A translation records the fingerprint of the source text it was made from (``socta narrative status``
prints it): when the source changes, the translation is listed as older than its source and marked so
in its edition.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from socta.core.config import InputLoader, Project, confined
from socta.core.errors import ConfigError
from socta.core.text import did_you_mean
from socta.i18n import translate as i18n

STATUSES = ("draft", "reviewed")
FRONT_MATTER_KEYS = ("author", "reviewer", "status", "translated_from")
PLACES = {"section": ("top", "analysis", "end"), "chapter": ("front", "back")}


class NarrativeError(ConfigError):
    """A narrative file that cannot be shown as written; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Part:
    """A named section of a crime-area page, or a whole chapter: its id, English title and place."""
    id: str
    title: str
    place: str


def configured_parts(project: Project, kind: str) -> list[Part]:
    """The sections (``kind="section"``) or chapters (``"chapter"``) of ``narrative:`` in settings.yaml."""
    where = f"{project.reference_path('settings.yaml')}: narrative.{kind}s"
    raw = project.settings.narrative[f"{kind}s"]
    parts, seen = [], set()
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not {"id", "title", "place"} <= set(item) or set(item) - {"id", "title", "place"}:
            raise ConfigError(f"{where}, item {n}: write each as {{id: …, title: …, place: …}}; found {item!r}")
        part = Part(str(item["id"]), str(item["title"]), str(item["place"]))
        if part.place not in PLACES[kind]:
            raise ConfigError(f"{where}, item {n} ({part.id}): place {part.place!r} is not one of "
                              f"{', '.join(PLACES[kind])}{did_you_mean(part.place, PLACES[kind], codes=False)}")
        if not part.id.replace("_", "").isalnum() or part.id in seen:
            raise ConfigError(f"{where}, item {n}: id {part.id!r} must be unique letters, digits and _")
        seen.add(part.id)
        parts.append(part)
    return parts


def fingerprint(body: str) -> str:
    """The fingerprint a translation records of its source text (its body, so an edit of the front
    matter, a status change, does not make the translations stale)."""
    return hashlib.sha256(body.strip().encode("utf-8")).hexdigest()[:12]


@dataclass
class NarrativeFile:
    path: Path          # the file
    page: str           # the page it belongs to: "areas/drugs/index", "key_findings"
    lang: str           # the language it is written in (its folder)
    meta: dict = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # the line of the file the body starts on

    @property
    def status(self) -> str:
        return self.meta.get("status", "draft")

    @property
    def is_draft(self) -> bool:
        return self.status != "reviewed"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.body)

    def where(self, line: int | None = None) -> str:
        return f"{self.path}" + (f", line {line}" if line else "")


def read(path: Path, page: str, lang: str) -> NarrativeFile:
    """A narrative file: its front matter checked (known keys, a known status), its body kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NarrativeError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    meta, start = {}, 0
    if lines and lines[0].strip() == "---":
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
        if end is None:
            raise NarrativeError(f"{path}, line 1: the front matter opened with --- is never closed; add a line --- "
                                 "after it")
        try:
            meta = yaml.load("".join(lines[1:end]), Loader=InputLoader) or {}
        except yaml.YAMLError as exc:
            raise NarrativeError(f"{path}: the front matter is not valid YAML: {exc}") from None
        if not isinstance(meta, dict):
            raise NarrativeError(f"{path}, line 2: the front matter must be keys with values (author: …)")
        start = end + 1
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise NarrativeError(f"{path}: unknown front matter key {key!r}"
                                 f"{did_you_mean(str(key), FRONT_MATTER_KEYS, codes=False)}; the keys are "
                                 f"{', '.join(FRONT_MATTER_KEYS)}")
    meta = {k: str(v).strip() for k, v in meta.items() if v is not None}
    if meta.get("status", "draft") not in STATUSES:
        raise NarrativeError(f"{path}: status {meta['status']!r} is not one of {', '.join(STATUSES)}"
                             f"{did_you_mean(meta['status'], STATUSES, codes=False)}")
    return NarrativeFile(path, page, lang, meta, "".join(lines[start:]), start + 1)


def folder(project: Project) -> Path:
    """The data folder's narrative folder (it need not exist)."""
    return confined(project.data_dir, project.settings.narrative.folder, what="the narrative folder")


def source_language(project: Project) -> str:
    return project.settings.narrative.source_language


def file_for(project: Project, lang: str, page: str) -> Path:
    return confined(folder(project), i18n.catalogue_language(lang), f"{page}.md", what=f"the narrative of {page}")


@dataclass
class Found:
    """The narrative of a page in an edition's language: ``file`` (None when there is none at all),
    whether it is the source language's text shown for want of a translation (``fallback``), and
    whether the translation is older than its source (``stale``)."""
    file: NarrativeFile | None
    fallback: bool = False
    stale: bool = False


def find(project: Project, lang: str, page: str) -> Found:
    """The narrative of ``page`` for an edition in ``lang`` (a transliterated edition reads the file of
    the language it comes from)."""
    own, source = file_for(project, lang, page), file_for(project, source_language(project), page)
    if own.is_file():
        found = read(own, page, i18n.catalogue_language(lang))
        stale = False
        if own != source and source.is_file():
            stale = found.meta.get("translated_from") != read(source, page, source_language(project)).fingerprint
        return Found(found, stale=stale)
    if source.is_file():
        return Found(read(source, page, source_language(project)), fallback=True)
    return Found(None)


def all_files(project: Project) -> list[NarrativeFile]:
    """Every narrative file of the data folder, in every language folder, read and checked."""
    root = folder(project)
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2:
            raise NarrativeError(f"{path}: a narrative file belongs in a language folder, e.g. "
                                 f"{root / 'en' / rel}")
        confined(root, *rel.parts, what="a narrative file")  # a link leading out of the folder is refused
        lang, page = rel.parts[0], Path(*rel.parts[1:]).with_suffix("").as_posix()
        if lang not in i18n.languages():
            raise NarrativeError(f"{path}: {lang!r} is not a language socta knows"
                                 f"{did_you_mean(lang, list(i18n.languages()), codes=False)} "
                                 f"({', '.join(i18n.languages())}; socta/locale/languages.yaml)")
        out.append(read(path, page, lang))
    return out
