"""Assemble an edition's book source and build it with Jupyter Book (warnings are errors).

The source of edition ``<audience>-<lang>`` lives in ``_build/<audience>-<lang>/source``: the static
pages of ``book/``, the notebooks ``socta run`` executed, and ``_config.yml``/``_toc.yml`` from the
repository with the edition's marking, language and dataset notice filled in. The HTML is built
beside it and swapped into ``_build/<audience>-<lang>/html`` only when the build succeeds.
"""
from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from .config import BOOK_DIR, REPO_ROOT, Project
from .i18n import set_language, t
from .notebook import AUDIENCE_MARK
from .processing import _swap_dir


class BuildError(RuntimeError):
    pass


def _sync_file(src: Path, dst: Path) -> None:
    """Copy only when the content differs, so Sphinx's incremental build sees unchanged files."""
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def dataset_notice(project: Project) -> str:
    meta = project.dataset
    if meta.get("synthetic"):
        return t("Synthetic demonstration data: every number in this book is computed from the invented dataset "
                 "'{name}'. It says nothing about real crime in the region.", name=meta.get("name", ""))
    return t("Data: {name}.", name=meta.get("name", ""))


def edition_config(project: Project, audience: str, lang: str) -> dict:
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    set_language(lang)
    marking = t(AUDIENCE_MARK[audience])
    notice = dataset_notice(project)
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = lang
    sphinx.setdefault("html_theme_options", {})["announcement"] = f"{marking} · {notice}"
    config.setdefault("parse", {})["myst_substitutions"] = {"edition_marking": marking, "dataset_notice": notice}
    config["title"] = t(config["title"])
    return config


def stage(project: Project, audience: str, lang: str) -> Path:
    """Bring the edition's book source up to date (static pages, configuration)."""
    source = project.edition_dir(audience, lang) / "source"
    for src in BOOK_DIR.rglob("*"):
        if src.is_file():
            _sync_file(src, source / src.relative_to(BOOK_DIR))
    _write_if_changed(source / "_config.yml", yaml.safe_dump(edition_config(project, audience, lang), allow_unicode=True, sort_keys=False))
    _sync_file(REPO_ROOT / "_toc.yml", source / "_toc.yml")
    return source


def build_html(project: Project, audience: str = "public", lang: str = "en", quiet: bool = False) -> Path:
    """Build the edition's HTML with ``-W -n --keep-going``; raise BuildError with the log on failure."""
    source = stage(project, audience, lang)
    edition = project.edition_dir(audience, lang)
    work = edition / "work"
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(source), "--path-output", str(work),
           "--builder", "html", "-W", "-n", "--keep-going"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    (edition / "build-html.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
        raise BuildError("the book build failed:\n" + "\n".join(warnings[:40] or log.splitlines()[-40:])
                         + f"\n(full log: {edition / 'build-html.log'})")
    tmp = Path(tempfile.mkdtemp(prefix=".html-", dir=edition))
    shutil.rmtree(tmp)
    shutil.copytree(work / "_build" / "html", tmp)
    target = edition / "html"
    _swap_dir(tmp, target)
    return target / "index.html"
