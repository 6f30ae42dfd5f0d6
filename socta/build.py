"""Assemble an edition's book source and build it with Jupyter Book (warnings are errors).

The source of edition ``<audience>-<lang>`` lives in ``_build/<audience>-<lang>/source``: the static
pages of ``book/``, the notebooks ``socta run`` executed, and ``_config.yml``/``_toc.yml`` from the
repository with the edition's marking, language and dataset notice filled in. The HTML is built
beside it and swapped into ``_build/<audience>-<lang>/html`` only when the build succeeds.

Code in the book: the runner tags each page's cells (``socta.runner.code_visibility``): the
parameters and setup cells are removed, every analytic cell's code is folded behind a "Show code
cell source" toggle in the HTML. The PDF shows results only: this module is also a Sphinx extension
(``extra_extensions`` in ``_config.yml``) that drops code inputs from the LaTeX build, so the HTML and
the PDF share one read of the notebooks. The training edition (``socta.training``) shows its code.
"""
from __future__ import annotations

import filecmp
import gettext
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import yaml

from .config import AUDIENCE_MARK, BOOK_DIR, REPO_ROOT, Project
from . import i18n
from .i18n import N_, set_language, t
from .markup import inert
from . import training
from .training import TRAINING


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
                 "'{name}'. It says nothing about real crime in the region.", name=t(meta.get("name", "")))
    return t("Data: {name}.", name=t(meta.get("name", "")))


def review_notice(lang: str) -> str:
    """The notice every page of an edition whose translation is not yet reviewed carries."""
    if i18n.review_state(lang) is None:
        return ""
    return t("Translation not yet reviewed: a reviewer who reads {language} has not yet checked this edition's "
             "translation against the English one.", language=i18n.spec(lang)["name"])


def edition_notices(project: Project, audience: str, lang: str) -> dict[str, str]:
    """The edition's notices as plain text (the dataset's name in them is data): its marking, the
    dataset notice, the review notice and, for the restricted edition, the handling note. Each sink
    escapes them its own way: Markdown (:func:`fill_notices`), HTML (the announcement), LaTeX."""
    set_language(lang)
    return {"edition_marking": t(training.MARKING if audience == TRAINING else AUDIENCE_MARK[audience]),
            "dataset_notice": dataset_notice(project), "review_notice": review_notice(lang),
            "handling_note": handling_note(project, audience)}


# the notices a static page shows; filled in when the edition is staged, as inert text. MyST's own
# substitutions are not used: they render with an unsandboxed Jinja2 that sees the Sphinx environment
NOTICE = re.compile(r"\{\{\s*(edition_marking|dataset_notice|review_notice|handling_note)\s*\}\}")


def fill_notices(text: str, notices: dict[str, str]) -> str:
    return NOTICE.sub(lambda m: inert(notices[m.group(1)]), text)


def edition_config(project: Project, audience: str, lang: str, notices: dict[str, str] | None = None) -> dict:
    """``notices``: :func:`edition_notices`, when the caller has them already (staging fills them into
    the static pages too)."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    if audience == TRAINING:
        config = training.configure(config)
    notices = notices or edition_notices(project, audience, lang)
    marking, notice, unreviewed, handling = (notices[k] for k in ("edition_marking", "dataset_notice",
                                                                  "review_notice", "handling_note"))
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = i18n.spec(lang)["sphinx"]
    # the theme writes its announcement into every page as HTML: the dataset's name is escaped for it
    sphinx.setdefault("html_theme_options", {})["announcement"] = html.escape(" · ".join(
        p for p in (marking, handling, notice, unreviewed) if p))
    config["title"] = t(config["title"])
    config["author"] = t(config.get("author", ""))
    latex = sphinx.setdefault("latex_elements", {})
    latex.update(latex_edition(config["title"], config["author"], marking, notice, handling, unreviewed))
    if lang != i18n.SOURCE_LANGUAGE:
        language_settings(sphinx, latex, lang)
    sphinx["socta_edition"] = {"audience": audience, "lang": lang, "label": t("Languages")}
    # the language menu: every language of the dataset's editions (the training edition is English only)
    editions = [code for code in project.settings.get("languages", [i18n.SOURCE_LANGUAGE])
                if audience != TRAINING and code in i18n.languages()]
    sphinx["socta_languages"] = [[code, i18n.spec(code)["name"]] for code in editions] if len(editions) > 1 else []
    return config


def language_settings(sphinx: dict, latex: dict, lang: str) -> None:
    """The Sphinx and LaTeX settings of a language edition (the current language is ``lang``)."""
    # the captions' numbering words: Sphinx's own catalogues lack some (Macedonian "Table")
    sphinx["numfig_format"] = {"figure": t("Fig. %s"), "table": t("Table %s"), "code-block": t("Listing %s"),
                               "section": t("Section %s")}
    # ... and in the PDF: the captions of the main language (Sphinx writes them for the babel name it
    # knows, which for Macedonian is not the main language), with a space before the number
    words = {name: tex_escape(sphinx["numfig_format"][kind].split("%s")[0].strip()) + r"\nobreakspace{}"
             for name, kind in (("figurename", "figure"), ("tablename", "table"))}
    latex["preamble"] += ("\\AtBeginDocument{" + "".join(rf"\renewcommand{{\{name}}}{{{word}}}"
                                                       for name, word in words.items()) + "}\n")
    sphinx["nb_code_prompt_show"] = t("Show code cell source")
    sphinx["nb_code_prompt_hide"] = t("Hide code cell source")
    # the language's hyphenation patterns and LaTeX words (socta/locale/languages.yaml)
    latex["babel"] = i18n.spec(lang)["latex_babel"]
    sphinx["socta_latex_name"] = i18n.spec(lang).get("latex_name", "")
    sphinx["socta_latin_script"] = i18n.spec(lang).get("script") == "Latn"


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}


def tex_escape(text: str) -> str:
    """Text safe to put into LaTeX (one pass, so an escape is never escaped again); control characters
    (a DEL or a form feed stops xelatex) are dropped and white space made one space."""
    from .markup import one_line

    return re.sub(r"[\\&%$#_{}~^]", lambda m: _TEX_SPECIAL[m.group()], one_line(text))


def handling_note(project: Project, audience: str) -> str:
    """For the restricted edition: the most restrictive handling code of the sources used."""
    if audience != "restricted":
        return ""
    import json

    meta = json.loads((project.processed_dir(audience) / "dataset.json").read_text(encoding="utf-8"))
    code = meta.get("handling_max")
    return t("Most restrictive handling code of the sources used: {code}.", code=code) if code else ""


def latex_edition(title: str, author: str, marking: str, notice: str, handling: str, unreviewed: str = "") -> dict:
    """Cover page and running marks: the edition marking sits in every page's header and footer."""
    import datetime
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = datetime.date.fromtimestamp(int(epoch)) if epoch else datetime.date.today()
    mark = tex_escape(marking)
    marks = (r"\fancyhf{}\fancyhead[C]{\small\bfseries " + mark + r"}\fancyfoot[C]{\small\bfseries " + mark
             + r"}\fancyfoot[R]{\thepage}")
    preamble = (
        r"\makeatletter" "\n"
        r"\fancypagestyle{normal}{" + marks + r"\fancyhead[R]{\small\nouppercase{\rightmark}}"
        r"\renewcommand{\headrulewidth}{0.4pt}\renewcommand{\footrulewidth}{0.4pt}}" "\n"
        r"\fancypagestyle{plain}{" + marks + r"\renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}}" "\n"
        r"\makeatother" "\n"
        r"\setcounter{tocdepth}{1}" "\n"
        r"\setlength{\tymin}{38pt}" "\n"  # narrow numeric columns of tabulary tables otherwise overflow
    )
    cover = (
        r"\begin{titlepage}\thispagestyle{plain}\centering" "\n"
        r"\vspace*{2.5cm}{\Huge\bfseries " + tex_escape(title) + r"\par}" "\n"
        r"\vspace{1cm}{\Large " + tex_escape(author) + r"\par}" "\n"
        r"\vspace{1.5cm}{\LARGE\bfseries " + mark + r"\par}" "\n"
        + (r"\vspace{0.4cm}{\large " + tex_escape(handling) + r"\par}" "\n" if handling else "")
        + r"\vspace{1cm}{\large " + tex_escape(i18n.fmt_date(day)) + r"\par}" "\n"
        r"\vfill\fbox{\parbox{0.85\textwidth}{\centering\vspace{0.3cm}" + tex_escape(notice) + r"\vspace{0.3cm}}}" "\n"
        + (r"\par\vspace{0.5cm}\fbox{\parbox{0.85\textwidth}{\centering\vspace{0.3cm}\bfseries " + tex_escape(unreviewed)
           + r"\vspace{0.3cm}}}" "\n" if unreviewed else "")
        + r"\vspace{1.5cm}\end{titlepage}" "\n"
    )
    return {"preamble": preamble, "maketitle": cover}


def _language_dirs() -> set[str]:
    """Folders of ``book/`` that hold a language's translated static pages (``book/sr/intro.md``)."""
    return set(i18n.languages()) - {i18n.SOURCE_LANGUAGE}


def static_pages() -> list[Path]:
    """The static files of the book, relative to ``book/``, without the language folders."""
    languages = _language_dirs()
    return [p.relative_to(BOOK_DIR) for p in sorted(BOOK_DIR.rglob("*"))
            if p.is_file() and p.relative_to(BOOK_DIR).parts[0] not in languages]


def static_page(rel: Path, lang: str) -> Path:
    """A static file in the edition's language: ``book/<lang>/<rel>`` where it exists (for a
    transliterated edition, the page of the language it comes from), else the English one."""
    translated = BOOK_DIR / i18n.catalogue_language(lang) / rel
    return translated if lang != i18n.SOURCE_LANGUAGE and translated.is_file() else BOOK_DIR / rel


def stage(project: Project, audience: str, lang: str) -> Path:
    """Bring the edition's book source up to date (static pages, configuration)."""
    source = project.edition_dir(audience, lang) / "source"
    if audience == TRAINING:  # the lessons, an introduction and the assessment's stylesheet
        static = [(src, source / src.relative_to(BOOK_DIR)) for src in (BOOK_DIR / "_static").rglob("*")]
        static += [(training.TRAINING_DIR / name, source / name) for name in training.STATIC_PAGES]
    else:
        static = [(static_page(rel, lang), source / rel) for rel in static_pages()]
    transliterated = "transliterate" in i18n.spec(lang)
    notices = edition_notices(project, audience, lang)
    for src, dst in static:
        if src.is_file() and src.suffix == ".md":
            text = src.read_text(encoding="utf-8")
            text = i18n.transliterate(text, lang) if transliterated else text
            _write_if_changed(dst, fill_notices(text, notices))
        elif src.is_file():
            _sync_file(src, dst)
    _write_if_changed(source / "_config.yml", yaml.safe_dump(edition_config(project, audience, lang, notices), allow_unicode=True, sort_keys=False))
    # after the static pages are in place: the toc leaves out pages missing from the source
    toc = training.edition_toc() if audience == TRAINING else edition_toc(project, source)
    _write_if_changed(source / "_toc.yml", toc)
    return source


def edition_toc(project: Project, source: Path | None = None) -> str:
    """``_toc.yml`` with its ``{area}`` pattern entry repeated for every top-level crime area.

    With ``source``, a chapter whose page does not exist there (a page that failed on its first run,
    built with --keep-going) is left out rather than failing the whole book on a broken toctree.
    """
    from .reference import Reference

    text = (REPO_ROOT / "_toc.yml").read_text(encoding="utf-8")
    toc = yaml.safe_load(text)
    areas = list(Reference(project).top_areas.index)

    def expand(entries):
        out = []
        for entry in entries:
            if "{area}" in str(entry.get("file", "")):
                out += [yaml.safe_load(yaml.safe_dump(entry).replace("{area}", area)) for area in areas]
            else:
                out.append(entry)
        return [e for e in out if source is None or "file" not in e or exists(e["file"])]

    def exists(page: str) -> bool:
        return any((source / f"{page}{suffix}").is_file() for suffix in (".ipynb", ".md"))

    for part in toc.get("parts", []):
        part["chapters"] = expand(part.get("chapters", []))
        if part.get("caption"):
            part["caption"] = t(part["caption"])
    return "# generated by socta build from _toc.yml\n" + yaml.safe_dump(toc, allow_unicode=True, sort_keys=False)


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


def build_html(project: Project, audience: str = "public", lang: str = "en") -> Path:
    """Build the edition's HTML with ``-W -n --keep-going``; raise BuildError with the log on failure.

    Nothing is rebuilt when the book source has not changed since the last successful build.
    """
    source = stage(project, audience, lang)
    edition = project.edition_dir(audience, lang)
    signature, record = source_signature(source), edition / ".html-source"
    if _up_to_date(record, signature, edition / "html" / "index.html"):
        return edition / "html" / "index.html"
    from .processing import _swap_dir

    work = edition / "work"
    _jupyter_book(source, work, "html", edition / "build-html.log")
    tmp = Path(tempfile.mkdtemp(prefix=".html-", dir=edition))
    shutil.rmtree(tmp)
    shutil.copytree(work / "_build" / "html", tmp)
    add_content_security_policy(tmp)
    try:
        refuse_leaks(project, audience, tmp)
    except BuildError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_dir(tmp, edition / "html")
    record.write_text(signature, encoding="utf-8")
    return edition / "html" / "index.html"


# ---- what a published edition may carry ------------------------------------------------------

_HEAD = re.compile(r"<head[^>]*>", re.I)


class _InlineCode(HTMLParser):
    """The inline scripts of a page and its inline event handlers, as a browser parses them: text that
    merely looks like a handler (a payload shown as text) is not one, and is never allowed."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._script: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.handlers += [value or "" for name, value in attrs if name.startswith("on")]
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None


# The inline scripts and event handlers the themes (pydata-sphinx-theme, sphinx-book-theme,
# sphinx-togglebutton, sphinx-thebe) write into a page, by how each begins: the only ones a page may
# run. Anything else inline is not the book's: the build fails (a theme upgrade that adds a script
# fails here too, with the script named, until it is added).
THEME_SCRIPTS = ("document.documentElement.dataset.mode = ", "let toggleHintShow = ", "let toggleHintHide = ",
                 "let toggleOpenOnPrint = ", "var togglebuttonSelector = ", "const THEBE_JS_URL = ",
                 "DOCUMENTATION_OPTIONS.", "kernelName = ", "// Activate the search field on page load",
                 "{\n        requestKernel: true,")
THEME_HANDLERS = frozenset({"window.print()", "toggleFullScreen()"})


def content_security_policy(page: str, where: str = "the page") -> str:
    """The policy of one HTML page: scripts, styles, images and fonts from the book itself only, the
    theme's inline scripts and handlers by their SHA-256 (:data:`THEME_SCRIPTS`, :data:`THEME_HANDLERS`),
    no plug-ins, no framing of forms or a base URL elsewhere. Styles keep 'unsafe-inline' for the
    theme's style attributes (which run no code). Raises :class:`BuildError` on an inline script or
    handler that is not the theme's: were markup ever to get through, it would not run, and the
    build says so."""
    import base64
    import hashlib

    def digest(body: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"

    code = _InlineCode(page)
    foreign = [body for body in code.scripts if not body.strip().startswith(THEME_SCRIPTS)]
    foreign += [body for body in code.handlers if body not in THEME_HANDLERS]
    if foreign:
        raise BuildError(f"{where}: {len(foreign)} inline script(s) or event handler(s) that are not the theme's, "
                         f"e.g. {foreign[0].strip()[:120]!r}; text from data must not carry markup (if a theme "
                         "upgrade added it, add its beginning to socta.build.THEME_SCRIPTS)")
    scripts = sorted({digest(body) for body in code.scripts})
    handlers = sorted({digest(body) for body in code.handlers})
    script_src = " ".join(["'self'", *scripts, *(["'unsafe-hashes'", *handlers] if handlers else [])])
    return "; ".join([
        "default-src 'none'", "script-src " + script_src, "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'", "manifest-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'"])


_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy"', re.I)


def add_content_security_policy(html_dir: Path) -> None:
    """A Content-Security-Policy ``<meta>`` first in the ``<head>`` of every page of ``html_dir``."""
    for path in html_dir.rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        head = _HEAD.search(page)
        if head is None or _CSP_META.match(page, head.end() + 5):  # no head (a redirect), or done already
            continue
        policy = content_security_policy(page, str(path.relative_to(html_dir)))
        meta = f'\n    <meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
        path.write_text(page[:head.end()] + meta + page[head.end():], encoding="utf-8")


def restricted_probes(project: Project) -> list[str]:
    """What the public edition must never contain: every group identifier of the OCG register and
    every note on a group (as the restricted processed register holds them), each also as a page
    writes it (HTML-escaped, :func:`socta.markup.inert`). Short notes (under 12 characters) are left
    out: they would match ordinary words. Sizes, grades and handling codes are not probed here (the
    same numbers and codes appear legitimately: counts, the grading profile in the methodology);
    the test suite plants unique canaries in them instead (tests/canaries.py)."""
    from .markup import inert

    from .store import load

    register_file = project.processed_dir("restricted") / "ocg_register.parquet"
    if not register_file.is_file():
        return []
    register = load(project.processed_dir("restricted"), "ocg_register")
    probes = set(register["ocg_id"].dropna().astype(str))
    if "notes" in register:
        probes |= {n.strip() for n in register["notes"].dropna().astype(str) if len(n.strip()) >= 12}
    probes |= {form for probe in probes for form in (html.escape(probe), html.escape(probe, quote=False), inert(probe))}
    return sorted(p for p in probes if p)


def refuse_leaks(project: Project, audience: str, built: Path) -> None:
    """After every build of an edition that is not restricted, before it replaces the published one:
    search everything a reader could get (:func:`socta.leaks.find_leaks`) for the register's
    identifiers and notes; any hit fails the build and the previous edition stays in place."""
    if audience == "restricted":
        return
    from .leaks import find_leaks

    probes = restricted_probes(project)
    if not probes:
        return
    root = built if built.is_dir() else built.parent
    leaks = find_leaks(built, probes)
    if leaks:
        shown = "; ".join(f"{leak.path.relative_to(root)} ({leak.where})" for leak in leaks[:10])
        raise BuildError(f"the {audience} edition would publish {len(leaks)} restricted detail(s) of the OCG "
                         f"register (group identifiers or notes): {shown}. Nothing was published; find what "
                         "put them on the page (a source or name field carrying them?) and rebuild.")


TEX_PACKAGES = ["texlive-xetex", "texlive-latex-extra", "texlive-latex-recommended", "texlive-fonts-recommended",
                "latexmk", "fonts-freefont-otf", "texlive-lang-cyrillic", "texlive-lang-european", "poppler-utils"]


def tex_missing() -> list[str]:
    return [tool for tool in ("xelatex", "latexmk") if shutil.which(tool) is None]


def build_pdf(project: Project, audience: str = "public", lang: str = "en") -> Path:
    """Build the edition's PDF through LaTeX (xelatex) from the same executed notebooks as the HTML."""
    missing = tex_missing()
    if missing:
        raise BuildError(f"{', '.join(missing)} not found: the PDF needs TeX. Install it with\n"
                         f"  sudo apt-get install -y --no-install-recommends {' '.join(TEX_PACKAGES)}\n"
                         "(`make report` does this itself when it runs as root), or build HTML only with --formats html.")
    source = stage(project, audience, lang)
    edition = project.edition_dir(audience, lang)
    signature, record = source_signature(source), edition / ".pdf-source"
    name = "training.pdf" if audience == TRAINING else "assessment.pdf"
    target = edition / "pdf" / name
    if _up_to_date(record, signature, target):
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
    return target


# ---- Sphinx extension: the PDF shows results, not code ----------------------------------------

def _remove_code_in_latex():
    from docutils import nodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class RemoveCodeInLatex(SphinxPostTransform):
        """Drop every notebook cell's code from the LaTeX build (the HTML folds it behind a toggle).

        A post-transform, so the HTML and LaTeX builders share one read of the notebooks (a
        builder-specific ``nb_remove_code_source`` would invalidate the environment between them).
        ``socta_latex_code = True`` (the training edition) keeps the code.
        """
        default_priority = 100
        formats = ("latex",)

        def run(self, **kwargs):
            if self.config.socta_latex_code:
                return
            for node in list(self.document.findall(nodes.container)):
                if node.get("nb_element") == "cell_code_source" and node.parent is not None:
                    node.parent.remove(node)

    return RemoveCodeInLatex


def _reuse_latex_table_renderer() -> None:
    """Sphinx 7.4's LaTeX writer makes a new template renderer for every table, so jinja compiles the
    table template again each time: about 2.5 of the PDF's 8 s in Sphinx for the demo's 107 tables.
    One renderer per engine keeps the compiled template (the renderer holds no state between tables)."""
    from functools import lru_cache

    from sphinx.writers import latex

    original = latex.LaTeXRenderer
    if getattr(original, "socta_cached", False):
        return
    cached = lru_cache(maxsize=None)(lambda engine: original(latex_engine=engine))

    def renderer(template_path=None, latex_engine=None):
        return cached(latex_engine) if template_path is None else original(template_path, latex_engine=latex_engine)

    renderer.socta_cached = True
    latex.LaTeXRenderer = renderer


def language_menu(pagename: str, edition: dict, languages: list) -> str:
    """The language menu of an HTML page: a link to the same page in each other language's edition.

    Editions are sibling folders (``_build/<audience>-<lang>/html``), so the link climbs out of this
    edition's HTML folder and into the other's: it works from a file system, a web server or a zip."""
    from html import escape

    if not languages:
        return ""
    up = "../" * (pagename.count("/") + 2)
    items = []
    for code, name in languages:
        if code == edition["lang"]:
            items.append(f'<span class="socta-lang-current" lang="{escape(code)}" aria-current="true">{escape(name)}</span>')
        else:
            href = f"{up}{edition['audience']}-{code}/html/{pagename}.html"
            items.append(f'<a href="{escape(href)}" lang="{escape(code)}" hreflang="{escape(code)}">{escape(name)}</a>')
    return (f'<nav class="socta-languages" aria-label="{escape(edition.get("label", "Languages"))}">'
            + " · ".join(items) + "</nav>\n")


# what sphinx-book-theme puts into its templates as plain text (``title.astext()``) and the templates
# print without escaping (``<h1>{{ pagetitle }}</h1>`` of the print view): a page title from data
# holding "<b>" would be markup there
_THEME_PLAIN_TEXT = ("pagetitle", "root_title", "page_description")


def _escape_theme_text(app, pagename, templatename, context, doctree) -> None:
    """Run after the theme's own page-context hook (priority 900 against its 500)."""
    for key in _THEME_PLAIN_TEXT:
        if isinstance(context.get(key), str):
            context[key] = html.escape(context[key])


def _add_language_menu(app, pagename, templatename, context, doctree):
    menu = language_menu(pagename, app.config.socta_edition, app.config.socta_languages)
    if menu and "body" in context:
        context["body"] = menu + context["body"]


def _name_latex_language(app, config) -> None:
    """Tell Sphinx's LaTeX builder the babel name of the edition's language (languages.yaml
    ``latex_name``), where docutils' table has none (sr@latin, mk)."""
    if config.socta_latex_name and config.language:
        from docutils.writers.latex2e import Babel

        Babel.language_codes[config.language.lower()] = config.socta_latex_name


class _LatinTranslations:
    """A Sphinx message catalogue read through cyrtranslit: the theme's Serbian words in Latin."""

    def __init__(self, base):
        self.base = base

    def gettext(self, message):
        import cyrtranslit

        return cyrtranslit.to_latin(self.base.gettext(message), "sr")

    def ngettext(self, singular, plural, n):
        import cyrtranslit

        return cyrtranslit.to_latin(self.base.ngettext(singular, plural, n), "sr")

    def __getattr__(self, name):
        return getattr(self.base, name)


# the theme's words (pydata-sphinx-theme, sphinx-book-theme), for the languages whose catalogues the
# themes lack (Macedonian, Montenegrin): translated in socta's catalogue, read after the theme's own
THEME_WORDS = [N_("Back to top"), N_("Contents"), N_("Search"), N_("Search..."), N_("Skip to main content"),
               N_("Color mode"), N_("Download this page"), N_("On this page"), N_("Site navigation"),
               N_("Toggle hidden content"), N_("Dark"), N_("Light"), N_("System Settings"), N_("Download source file"),
               N_("Fullscreen mode"), N_("Index"), N_("Link to this heading"), N_("Link to this image"),
               N_("Link to this table"), N_("Print to PDF"), N_("Toggle primary sidebar"),
               N_("Toggle secondary sidebar"), N_("next page"), N_("previous page"), N_("previous"), N_("next"),
               N_("Announcement"), N_("Main"), N_("Page"), N_("Version warning"), N_("Languages")]


def _edition_words(app, config=None) -> None:
    """Sphinx's and the theme's words in the edition's language. socta's catalogue is the last fallback
    of theirs (the themes have no Macedonian). In a Latin-script edition every catalogue is read through
    cyrtranslit: Sphinx's and the theme's sr@latin fall back to the Cyrillic sr ("Сл. 1", "напред").
    Run when the configuration is read (before Sphinx names its figures) and when the theme has added
    its catalogues."""
    config = config or app.config
    lang = config.socta_edition.get("lang", i18n.SOURCE_LANGUAGE)
    if lang == i18n.SOURCE_LANGUAGE:
        return
    from sphinx import locale

    ours = i18n.read_catalogue(i18n.catalogue_path(i18n.catalogue_language(lang)))
    for key in [*locale.translators, None]:
        translator = app.translator if key is None else locale.translators[key]
        base = translator.base if isinstance(translator, _LatinTranslations) else translator
        if isinstance(base, gettext.NullTranslations) and not getattr(base, "socta_words", False):
            base.add_fallback(ours)
            base.socta_words = True
        if config.socta_latin_script and not isinstance(translator, _LatinTranslations):
            if key is None:
                app.translator = _LatinTranslations(translator)  # what the HTML templates' _() reads
            else:
                locale.translators[key] = _LatinTranslations(translator)


# ---- Sphinx extension: the book publishes only what its source holds ----------------------------

class UnsafeContent(RuntimeError):
    """A page asks the build to publish something it must not (raw HTML, a file from outside the
    edition's source)."""


def _no_file_insertion(app, env, docnames) -> None:
    """No directive may read a file into a page (``include``, ``literalinclude``, ``raw :file:``,
    ``csv-table :file:``) and no ``raw`` directive may pass markup through: the book's own pages need
    neither, and a string from data that became one would publish what it names."""
    env.settings["file_insertion_enabled"] = False
    env.settings["raw_enabled"] = False


def _inside(source: Path, relative: str, roots: list[Path]) -> bool:
    target = (source / relative.lstrip("/")).resolve()
    return any(target.is_relative_to(root) for root in roots)


# MyST writes a hard line break ("  " at a line's end) as these two raw nodes: the only raw markup it
# makes of its own
_LINE_BREAKS = {("html", "<br />\n"), ("latex", "\\\\\n")}


def _refuse_unsafe_nodes(app, doctree) -> None:
    """Raw HTML in Markdown (MyST passes ``<tags>`` through as raw nodes) is refused on every page:
    the book's templates write none, so one can only come from data; so is an image or download that
    is not a file of the edition's source. A code cell's ``text/html`` output (MyST-NB marks it
    ``text_html``: a lesson's pandas table, whose cells pandas escapes) is the template's own."""
    from docutils import nodes
    from sphinx import addnodes

    docname = app.env.docname
    for node in doctree.findall(nodes.raw):
        if (node.get("format"), node.astext()) in _LINE_BREAKS:
            continue
        if "text_html" in node.get("classes", []):  # a code cell's own HTML output (a pandas table, escaped)
            continue
        raise UnsafeContent(f"{docname}: raw {node.get('format', '')} markup on the page "
                            f"({node.astext()[:80]!r}); text from data must not carry markup")
    for node in doctree.findall(addnodes.download_reference):
        raise UnsafeContent(f"{docname}: a download link to {node.get('reftarget')!r}; the book publishes no "
                            "downloads")
    for node in doctree.findall(nodes.image):
        uri = node.get("uri", "")
        if "://" in uri or uri.startswith("//") or uri.startswith("data:"):
            raise UnsafeContent(f"{docname}: an image from {uri[:80]!r}; the book shows only its own figures")


def _confine_to_source(app, env) -> None:
    """The gate after every page is read: every image and download the pages collected must be a file
    inside the edition's source folder, or a figure MyST-NB wrote from a notebook's outputs into its
    own folder (resolved, so neither ``../`` nor a symlink leads out)."""
    source = Path(app.srcdir).resolve()
    roots = [source, Path(app.outdir).parent.joinpath("jupyter_execute").resolve()]
    outside = [f"{kind} {rel!r} (in {', '.join(sorted(docs))})"
               for kind, files in (("download", env.dlfiles), ("image", env.images))
               for rel, (docs, _unique) in files.items() if not _inside(source, rel, roots)]
    if outside:
        raise UnsafeContent("files outside the edition's source would be published: " + "; ".join(outside[:10]))


def setup(app):
    """Loaded by Sphinx through ``extra_extensions: [socta.build]`` in ``_config.yml``."""
    app.connect("env-before-read-docs", _no_file_insertion)
    app.connect("doctree-read", _refuse_unsafe_nodes, priority=100)  # before Sphinx collects the files
    app.connect("env-updated", _confine_to_source)
    app.add_config_value("socta_latin_script", False, "env", [bool])
    app.connect("config-inited", _edition_words, priority=400)  # before Sphinx's numfig_format (800)
    app.connect("builder-inited", _edition_words)
    app.add_config_value("socta_latex_name", "", "env", [str])
    app.connect("config-inited", _name_latex_language)
    app.add_config_value("socta_latex_code", False, "env", [bool])
    app.add_config_value("socta_edition", {"audience": "public", "lang": "en"}, "html", [dict])
    app.add_config_value("socta_languages", [], "html", [list])
    app.connect("html-page-context", _add_language_menu)
    app.connect("html-page-context", _escape_theme_text, priority=900)
    app.add_post_transform(_remove_code_in_latex())
    from .published import clean_html_sources  # downloadable notebooks: figures as rasters only

    app.connect("build-finished", clean_html_sources)
    _reuse_latex_table_renderer()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
