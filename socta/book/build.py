"""Assemble an edition's book source and build it with Jupyter Book (warnings are errors).

The source of edition ``<audience>-<lang>`` lives in ``_build/<audience>-<lang>/source``: the static
pages of ``book/``, the notebooks ``socta run`` executed, and ``_config.yml``/``_toc.yml`` from the
repository with the edition's marking, language and dataset notice filled in. The HTML is built
beside it and swapped into ``_build/<audience>-<lang>/html`` only when the build succeeds.

Code in the book: the runner tags each page's cells (``socta.run.execute.code_visibility``): the
parameters and setup cells are removed, every analytic cell's code is folded behind a "Show code
cell source" toggle in the HTML. The PDF shows results only: the edition's Sphinx extension
(:mod:`socta.book.extension`) drops code inputs from the LaTeX build, so the HTML and
the PDF share one read of the notebooks. The training edition (:mod:`socta.run.training`) shows its code.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from socta.book.csp import add_content_security_policy
from socta.book.leaks import find_leaks
from socta.book.stage import BuildError, stage
from socta.core.config import Project
from socta.core.edition import PUBLIC, RESTRICTED, Edition
from socta.core.files import _swap_dir, load
from socta.core.markup import inert, one_line
from socta.i18n import translate as i18n
from socta.narrative.files import all_files
from socta.narrative.render import restricted_passages as passages


def _layout_digest(source: Path) -> str:
    import hashlib

    return hashlib.sha256(b"".join((source / name).read_bytes() for name in ("_config.yml", "_toc.yml"))).hexdigest()


def _jupyter_book(source: Path, work: Path, builder: str, log: Path) -> None:
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(source), "--path-output", str(work),
           "--builder", builder, "-W", "-n", "--keep-going"]
    # when the configuration or the table of contents changed, every HTML page is written again: each
    # carries the navigation and the edition's settings, and Sphinx alone rewrites only the pages
    # whose own source changed (stale sidebars). LaTeX writes the whole book anyway (and reuses the
    # HTML build's read of the notebooks), but a .aux of another preamble (language) can stop it.
    layout, record = _layout_digest(source), work / f".layout-{builder}"
    if record.is_file() and record.read_text(encoding="utf-8") != layout:
        if builder == "html":
            cmd.append("--all")
        else:
            shutil.rmtree(work / "_build" / "latex", ignore_errors=True)
    # xelatex writes XDV on every pass and xdvipdfmx makes the PDF once, at the end, instead of a
    # whole PDF (every figure embedded again) on each of latexmk's three passes
    env = {**os.environ, "LATEXMKOPTS": "-xelatex"} if builder == "pdflatex" else None
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    text = proc.stdout + proc.stderr
    log.write_text(text, encoding="utf-8")
    if proc.returncode != 0:
        problems = [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line or line.startswith("!")]
        raise BuildError(f"the {builder} build failed:\n" + "\n".join(problems[:40] or text.splitlines()[-40:])
                         + f"\n(full log: {log})")
    record.write_text(layout, encoding="utf-8")


def source_signature(source: Path) -> str:
    """Every file of the book source by path, size and modification time: unchanged means no rebuild."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith(".")):
        stat = path.stat()
        h.update(f"{path.relative_to(source)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _up_to_date(record: Path, signature: str, product: Path) -> bool:
    return product.exists() and record.is_file() and record.read_text(encoding="utf-8").strip() == signature


def _forget_removed_pages(source: Path, work: Path, record: Path) -> None:
    """Sphinx builds incrementally and never deletes a page: one whose source is gone (a country or a
    crime area taken out of the configuration, pruned by ``socta run``) would stay in the published
    HTML. When a page of the last build is no longer in the source, build afresh."""
    # (parts of the path inside the source: the source itself lies under _build/)
    pages = sorted(p.relative_to(source).with_suffix("").as_posix() for p in source.rglob("*")
                   if p.suffix in (".ipynb", ".md") and "_build" not in p.relative_to(source).parts)
    before = record.read_text(encoding="utf-8").split() if record.is_file() else []
    if set(before) - set(pages):
        shutil.rmtree(work / "_build", ignore_errors=True)
    record.write_text("\n".join(pages) + "\n", encoding="utf-8")


def build_html(project: Project, audience: str = PUBLIC, lang: str = "en", source: Path | None = None) -> Path:
    """Build the edition's HTML with ``-W -n --keep-going``; raise BuildError with the log on failure.

    Nothing is rebuilt when the book source has not changed since the last successful build.
    ``source``: the edition's book source when the caller has just staged it.
    """
    source = source or stage(project, audience, lang)
    edition = project.edition_dir(audience, lang)
    signature, record = source_signature(source), edition / ".html-source"
    if _up_to_date(record, signature, edition / "html" / "index.html"):
        show_what_exists(project.build_dir, audience)
        return edition / "html" / "index.html"

    work = edition / "work"
    _forget_removed_pages(source, work, edition / ".html-pages")
    _jupyter_book(source, work, "html", edition / "build-html.log")
    probes = restricted_probes(project) if not Edition(audience).is_restricted else []
    tmp, changed, manifest = _assemble(work / "_build" / "html", edition, _digest(probes))
    add_content_security_policy(tmp, changed)
    try:
        refuse_leaks(project, audience, tmp, probes, changed)
    except BuildError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_dir(tmp, edition / "html")
    (edition / HTML_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    record.write_text(signature, encoding="utf-8")
    show_what_exists(project.build_dir, audience)
    return edition / "html" / "index.html"


HTML_MANIFEST = ".html-manifest.json"  # the files of the last published HTML as Sphinx wrote them

# an element whose link leads to another edition or to the PDF (socta.book.extension): data-needs names the
# file, relative to the build folder
_NEEDS = re.compile(r'<(a|p) ([^>]*?)data-needs="([^"]+)"( hidden)?>')


def show_what_exists(build_dir: Path, audience: str) -> None:
    """Hide, in every built HTML edition of ``audience``, each link to an edition or a PDF not built (a
    language menu lists only editions that exist), and show it again once that file exists. Run after
    every HTML and PDF build, so that an edition built later is linked from the earlier ones."""
    import html as markup

    for page in sorted(build_dir.glob(f"{audience}-*/html/**/*.html")):
        text = page.read_text(encoding="utf-8")

        def state(m: re.Match) -> str:
            built = (build_dir / markup.unescape(m.group(3))).is_file()
            return f'<{m.group(1)} {m.group(2)}data-needs="{m.group(3)}"{"" if built else " hidden"}>'
        new = _NEEDS.sub(state, text)
        if new != text:  # a new file, not the one the last publication's hard links share
            tmp = page.with_name(f".{page.name}.tmp")
            tmp.write_text(new, encoding="utf-8")
            os.replace(tmp, page)


def _digest(probes: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(probes).encode("utf-8")).hexdigest()


def _assemble(built: Path, edition: Path, probes: str) -> tuple[Path, list[Path] | None, dict]:
    """The HTML to publish, in a new folder beside the published one: (the folder, the files of it that
    changed since the last publication, or None for all, the manifest to record).

    Sphinx rewrites only the pages whose source changed; the others are the files of the last
    publication, which already carry their security policy and passed the leak scan against the same
    probes. They are hard links to the published files (never written to: a changed file is a new
    copy), so a rebuild after a saved narrative copies, secures and scans what changed only. New
    probes (a restricted passage added) or no record of the last publication: everything again."""
    manifest = {"probes": probes, "files": {p.relative_to(built).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns]
                                            for p in built.rglob("*") if p.is_file()}}
    tmp = Path(tempfile.mkdtemp(prefix=".html-", dir=edition))
    shutil.rmtree(tmp)
    published, record = edition / "html", edition / HTML_MANIFEST
    previous = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    if previous.get("probes") != probes or not published.is_dir():
        shutil.copytree(built, tmp)
        return tmp, None, manifest
    old, now = previous.get("files", {}), manifest["files"]
    shutil.copytree(published, tmp, copy_function=os.link)
    for rel in set(old) - set(now):
        (tmp / rel).unlink(missing_ok=True)
    changed = []
    for rel, stat in now.items():
        if old.get(rel) != stat or not (tmp / rel).is_file():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # a new file, never the published one's inode
            shutil.copy2(built / rel, target)
            changed.append(target)
    return tmp, changed, manifest


# ---- what a published edition may carry ------------------------------------------------------

def restricted_probes(project: Project) -> list[str]:
    """What the public edition must never contain: every group identifier of the OCG register and
    every note on a group (as the restricted processed register holds them), each also as a page
    writes it (HTML-escaped, :func:`socta.core.markup.inert`). Short notes (under 12 characters) are left
    out: they would match ordinary words. Sizes, grades and handling codes are not probed here (the
    same numbers and codes appear legitimately: counts, the grading profile in the methodology);
    the test suite plants unique canaries in them instead (tests/canaries.py)."""

    probes = set(restricted_passages(project))
    register_file = project.processed_dir(RESTRICTED) / "ocg_register.parquet"
    if register_file.is_file():
        register = load(project.processed_dir(RESTRICTED), "ocg_register")
        probes |= set(register["ocg_id"].dropna().astype(str))
        if "notes" in register:
            probes |= {n.strip() for n in register["notes"].dropna().astype(str) if len(n.strip()) >= 12}
    probes |= {form for probe in probes for form in (html.escape(probe), html.escape(probe, quote=False), inert(probe))}
    return sorted(p for p in probes if p)


def restricted_passages(project: Project) -> list[str]:
    """Every line of the narrative's restricted passages, in every language (16 characters or more: a
    shorter line could be an ordinary phrase): each line of the source stays whole in any output."""
    transliterated = [lang for lang, entry in i18n.languages().items() if "transliterate" in entry]
    lines = set()
    for file in all_files(project):
        for passage in passages(file):
            rows = {one_line(row) for row in passage.splitlines() if len(one_line(row)) >= 16}
            # a Cyrillic passage reaches a Latin edition transliterated
            lines |= rows | {i18n.transliterate(row, lang) for row in rows for lang in transliterated}
    return sorted(lines)


def refuse_leaks(project: Project, audience: str, built: Path, probes: list[str] | None = None,
                 only: list[Path] | None = None) -> None:
    """After every build of an edition that is not restricted, before it replaces the published one:
    search everything a reader could get (:func:`socta.book.leaks.find_leaks`) for the register's
    identifiers and notes and the narrative's restricted passages; any hit fails the build and the
    previous edition stays in place. ``only``: the files that changed since a publication scanned
    against the same ``probes``."""
    if Edition(audience).is_restricted:
        return

    probes = restricted_probes(project) if probes is None else probes
    if not probes:
        return
    root = built if built.is_dir() else built.parent
    leaks = find_leaks(built, probes, only)
    if leaks:
        shown = "; ".join(f"{leak.path.relative_to(root)} ({leak.where})" for leak in leaks[:10])
        raise BuildError(f"the {audience} edition would publish {len(leaks)} restricted detail(s) of the OCG "
                         f"register (group identifiers or notes) or of the narrative's restricted passages: {shown}. "
                         "Nothing was published; find what put them on the page (a source or name field carrying "
                         "them, a restricted passage outside its ```{restricted} block?) and rebuild.")


# the Debian packages the PDF needs, one a line (the Makefile's `tex` target installs the same file's list)
TEX_PACKAGES = Path(__file__).with_name("tex_packages.txt").read_text(encoding="utf-8").split()


def tex_missing() -> list[str]:
    return [tool for tool in ("xelatex", "latexmk") if shutil.which(tool) is None]


def build_pdf(project: Project, audience: str = PUBLIC, lang: str = "en", source: Path | None = None) -> Path:
    """Build the edition's PDF through LaTeX (xelatex) from the same executed notebooks as the HTML."""
    missing = tex_missing()
    if missing:
        raise BuildError(f"{', '.join(missing)} not found: the PDF needs TeX. Install it with\n"
                         f"  sudo apt-get install -y --no-install-recommends {' '.join(TEX_PACKAGES)}\n"
                         "(`make report` does this itself when it runs as root), or build HTML only with --formats html.")
    source = source or stage(project, audience, lang)
    edition = project.edition_dir(audience, lang)
    signature, record = source_signature(source), edition / ".pdf-source"
    name = "training.pdf" if Edition(audience).is_training else "assessment.pdf"
    target = edition / "pdf" / name
    if _up_to_date(record, signature, target):
        show_what_exists(project.build_dir, audience)
        return target
    work = edition / "work"
    _jupyter_book(source, work, "pdflatex", edition / "build-pdf.log")
    built = work / "_build" / "latex" / name
    if not built.is_file():
        raise BuildError(f"LaTeX ran but {built} is missing; see {edition / 'build-pdf.log'}")
    refuse_leaks(project, audience, built)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{name}.tmp")
    shutil.copy2(built, tmp)
    tmp.replace(target)
    record.write_text(signature, encoding="utf-8")
    show_what_exists(project.build_dir, audience)   # every page's link to the PDF is shown now
    return target


# ---- Sphinx extension: the PDF shows results, not code ----------------------------------------
