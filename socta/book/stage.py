"""Staging an edition: the book source folder of one audience and language (pages, static pages with
their notices filled in as text, ``_config.yml`` and ``_toc.yml``), written only where it changed."""
from __future__ import annotations

import filecmp
import html
import os
import re
import shutil
from pathlib import Path

import nbformat
import yaml

from socta.book import frontmatter
from socta.core.config import BOOK_DIR, REPO_ROOT, Project
from socta.core.edition import Edition
from socta.core.markup import inert, one_line
from socta.i18n import translate as i18n
from socta.i18n.translate import set_language, t, tn
from socta.ingest.reference import Reference
from socta.narrative import place as narrative
from socta.run import training
from socta.run.jobs import is_stand_in


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
    return {"edition_marking": t(Edition(audience, lang).marking),
            "dataset_notice": dataset_notice(project), "review_notice": review_notice(lang),
            "handling_note": handling_note(project, audience)}


# the notices a static page shows; filled in when the edition is staged, as inert text. MyST's own
# substitutions are not used: they render with an unsandboxed Jinja2 that sees the Sphinx environment
NOTICE = re.compile(r"\{\{\s*(edition_marking|dataset_notice|review_notice|handling_note)\s*\}\}")


# the document's record (socta.book.frontmatter), a Markdown list whose every item is inert already
RECORD = re.compile(r"\{\{\s*document_record\s*\}\}")


def fill_notices(text: str, notices: dict[str, str], record: str = "") -> str:
    return RECORD.sub(lambda m: record, NOTICE.sub(lambda m: inert(notices[m.group(1)]), text))


def edition_config(project: Project, audience: str, lang: str, notices: dict[str, str] | None = None) -> dict:
    """``notices``: :func:`edition_notices`, when the caller has them already (staging fills them into
    the static pages too)."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    if Edition(audience).is_training:
        config = training.configure(config)
    notices = notices or edition_notices(project, audience, lang)
    marking, notice, unreviewed, handling = (notices[k] for k in ("edition_marking", "dataset_notice",
                                                                  "review_notice", "handling_note"))
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["language"] = i18n.spec(lang)["sphinx"]
    # the theme writes its announcement into every page as HTML: the dataset's name is escaped for it
    sphinx.setdefault("html_theme_options", {})["announcement"] = html.escape(" · ".join(
        p for p in (marking, handling, notice, unreviewed) if p))
    sphinx["html_css_files"] = [*sphinx.get("html_css_files", []), EDITION_STYLESHEET]
    record = frontmatter.record(project, audience, lang)
    config["title"] = record.title
    config["author"] = record.author or record.subtitle
    latex = sphinx.setdefault("latex_elements", {})
    latex.update(latex_edition(record, marking, notice, handling, unreviewed, lang))
    if lang != i18n.SOURCE_LANGUAGE:
        language_settings(sphinx, latex, lang)
    # the edition's PDF, linked from every page once it is built; the theme's download button offered the
    # page's notebook, whose figures do not show outside the book (the training edition keeps it: its
    # readers run the notebooks)
    pdf = "training.pdf" if Edition(audience).is_training else "assessment.pdf"
    # the footer: who issues the assessment and the edition's date, whole sentences in its language
    footer = [t("Issued by: {authorities}.", authorities=record.author)] if record.issued_by else []
    # no full stop after the date: a Serbian date ends with one ("7. децембар 2026.")
    footer.append(t("Date of this edition: {date}", date=i18n.fmt_date(frontmatter.issue_date(), lang)))
    sphinx["socta_edition"] = {"audience": audience, "lang": lang, "label": t("Languages"), "pdf": pdf,
                               "pdf_label": t("Download this edition as a PDF"), "footer": footer}
    if not Edition(audience).is_training:
        sphinx.setdefault("html_theme_options", {})["use_download_button"] = False
    # the language menu: every language of the dataset's editions (the training edition is English only)
    editions = [code for code in project.settings.languages
                if Edition(audience, lang).multilingual and code in i18n.languages()]
    sphinx["socta_languages"] = [[code, i18n.spec(code)["name"]] for code in editions] if len(editions) > 1 else []
    return config


# each edition's marking banner in a colour of its own, so that a reader tells a restricted page from a public
# one at a glance; white text on each is above 4.5:1 (WCAG 2.1 AA). Written into the edition's own _static
# folder when it is staged: Jupyter Book links every stylesheet of _static, so three files there were all loaded
BANNER_COLOURS = {"public": "#1f4e79", "restricted": "#7a1f1f", "training": "#2f5d3a"}
EDITION_STYLESHEET = "socta-edition.css"


def edition_stylesheet(audience: str) -> str:
    return (f"/* the {audience} edition's marking banner (socta/book/stage.py BANNER_COLOURS) */\n"
            f".bd-header-announcement {{ background: {BANNER_COLOURS[Edition(audience).audience]}; }}\n")


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

    return re.sub(r"[\\&%$#_{}~^]", lambda m: _TEX_SPECIAL[m.group()], one_line(text))


def handling_note(project: Project, audience: str) -> str:
    """For the restricted edition: the most restrictive handling code of the sources used."""
    if not Edition(audience).is_restricted:
        return ""
    import json

    meta = json.loads((project.processed_dir(audience) / "dataset.json").read_text(encoding="utf-8"))
    code = meta.get("handling_max")
    return t("Most restrictive handling code of the sources used: {code}.", code=code) if code else ""


# A long token from data (a web address or a path in a source, a name written without spaces) has no place
# to break, and ran past the margin and the table's edge. XeTeX may break after a separator of such tokens
# when it is followed by a letter: at a high penalty, so only where the line cannot be set otherwise (never
# in a number: digits are a class of their own, so "1,234.5" keeps together)
_BREAK_AFTER = "/\\._(=&?@|<>)]"
LONG_WORD_BREAKS = (
    r"\XeTeXinterchartokenstate=1\newXeTeXintercharclass\soctabreakafter\newXeTeXintercharclass\soctadigit" "\n"
    + "".join(rf"\XeTeXcharclass{ord(c)}=\soctabreakafter" for c in _BREAK_AFTER)
    + "".join(rf"\XeTeXcharclass{ord(c)}=\soctadigit" for c in "0123456789") + "\n"
    r"\XeTeXinterchartoks\soctabreakafter 0={\penalty5000\relax}" "\n"
    # ... and the title row of a box (a key judgement's, which names its crime area) is a paragraph, not
    # Sphinx's one-line box, which cut a long title at the box's edge
    r"\usepackage{etoolbox}\makeatletter\newcommand\socta@titlerow[1]{\parbox{\linewidth}{\raggedright#1}}"
    r"\patchcmd{\sphinxdotitlerowwithicon}{\makebox[\linewidth][l]}{\socta@titlerow}{}"
    r"{\PackageWarning{socta}{Sphinx's admonition title row has changed: long titles are not wrapped}}"
    r"\makeatother" "\n"
)


def latex_edition(record: frontmatter.Record, marking: str, notice: str, handling: str, unreviewed: str = "",
                  lang: str = "en") -> dict:
    """Cover page and running marks: the edition marking sits in every page's header and footer."""
    mark = tex_escape(marking)
    marks = (r"\fancyhf{}\fancyhead[C]{\small\bfseries " + mark + r"}\fancyfoot[C]{\small\bfseries " + mark
             + r"}\fancyfoot[R]{\thepage}")
    preamble = (
        r"\makeatletter" "\n"
        # the marking alone in the head: a running section title beside it overprinted a long marking
        # ("RESTRICTED") on a page whose section title is long, where a marking must be legible
        r"\fancypagestyle{normal}{" + marks
        + r"\renewcommand{\headrulewidth}{0.4pt}\renewcommand{\footrulewidth}{0.4pt}}" "\n"
        r"\fancypagestyle{plain}{" + marks + r"\renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}}" "\n"
        # the cover carries the marking but no page number: the first numbered page is the first page of text
        r"\fancypagestyle{soctacover}{\fancyhf{}\fancyhead[C]{\small\bfseries " + mark + r"}\fancyfoot[C]{\small\bfseries "
        + mark + r"}\renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}}" "\n"
        # a caption is measured on one line to centre it when it fits; a caption longer than TeX's
        # largest dimension (about 5.7 m: a very long name from data) stopped the build there. Set it
        # as a paragraph instead and centre it when that paragraph is one line
        r"\long\def\@makecaption#1#2{\vskip\abovecaptionskip"
        r"\setbox\@tempboxa\vbox{#1: #2\par\xdef\socta@captionlines{\the\prevgraf}}"
        r"\ifnum\socta@captionlines>\@ne #1: #2\par\else{\centering #1: #2\par}\fi\vskip\belowcaptionskip}" "\n"
        r"\makeatother" "\n"
        r"\setcounter{tocdepth}{1}" "\n"
        # a heading never ends a page: it starts a new one unless six lines follow it there
        r"\usepackage{needspace}\makeatletter\let\socta@section\section\let\socta@subsection\subsection"
        r"\renewcommand{\section}{\needspace{6\baselineskip}\socta@section}"
        r"\renewcommand{\subsection}{\needspace{5\baselineskip}\socta@subsection}\makeatother" "\n"
        r"\setlength{\tymin}{38pt}" "\n"  # narrow numeric columns of tabulary tables otherwise overflow
        + LONG_WORD_BREAKS +
        # table cells ragged right, not justified: justified narrow columns stretched "Drug      offences" and
        # broke words ("provi-sional", "almost cer-tain")
        r"\newcolumntype{T}{L}" "\n"
        # ... and so are the columns of a table that gives its widths (a long one: socta.pages.render.column_widths)
        r"\makeatletter\newcolumntype{\X}[2]{>{\raggedright\arraybackslash}p{\dimexpr"
        r"(\linewidth-\spx@arrayrulewidth)*#1/#2-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}\makeatother" "\n"
        # tables in a smaller size, as statistical tables are printed: nine columns of values with the
        # decimals they were published with ("103,708.4") fit the text width
        r"\makeatletter\let\socta@attablestart\sphinxattablestart"
        r"\def\sphinxattablestart{\socta@attablestart\small}\makeatother" "\n"
        # the document's metadata, which a PDF reader and a screen reader show
        r"\AtBeginDocument{\hypersetup{pdftitle={" + tex_escape(record.title) + r"}, pdfauthor={"
        + tex_escape(record.author) + r"}, pdfsubject={" + mark + " · " + tex_escape(record.subtitle)
        + r"}, pdfkeywords={" + tex_escape(", ".join(record.keywords)) + r"}}}" "\n"
    )
    # ... and its language, a BCP 47 tag, in the catalogue (/Lang): hyperref's pdflang does not reach it
    # through xdvipdfmx, the driver's own special does (written on the cover, the first page shipped out)
    language = r"\special{pdf:put @catalog <</Lang (" + re.sub(r"[^A-Za-z0-9-]", "", lang) + r")>>}" "\n"
    table = "".join(r"\textbf{" + tex_escape(label) + r"} & " + tex_escape(value) + r"\\" "\n"
                    # the issuers, the marking and the status stand above, in large type
                    for label, value in record.rows if label not in (t("Issued by"), t("Marking"), t("Status")))
    cover = (
        r"\begin{titlepage}\thispagestyle{soctacover}\centering" "\n" + language
        + "".join(r"{\large " + tex_escape(name) + r"\par}" "\n" for name in record.issued_by)
        + r"\vspace{2cm}{\Huge\bfseries " + tex_escape(record.title) + r"\par}" "\n"
        r"\vspace{0.8cm}{\Large " + tex_escape(record.subtitle) + r"\par}" "\n"
        r"\vspace{1.2cm}{\LARGE\bfseries " + mark + r"\par}" "\n"
        + (r"\vspace{0.4cm}{\large " + tex_escape(handling) + r"\par}" "\n" if handling else "")
        + r"\vspace{0.6cm}{\large\bfseries " + tex_escape(record.status) + r"\par}" "\n"
        r"\vfill{\small\begin{tabular}{@{}p{0.3\textwidth}p{0.6\textwidth}@{}}" "\n" + table
        + r"\end{tabular}\par}" "\n"
        r"\vspace{0.8cm}\fbox{\parbox{0.85\textwidth}{\centering\vspace{0.3cm}" + tex_escape(notice) + r"\vspace{0.3cm}}}" "\n"
        + (r"\par\vspace{0.5cm}\fbox{\parbox{0.85\textwidth}{\centering\vspace{0.3cm}\bfseries " + tex_escape(unreviewed)
           + r"\vspace{0.3cm}}}" "\n" if unreviewed else "")
        + r"\vspace{1cm}\end{titlepage}" "\n"
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
    if Edition(audience).is_training:  # the lessons, an introduction and the assessment's stylesheet
        static = [(src, source / src.relative_to(BOOK_DIR)) for src in (BOOK_DIR / "_static").rglob("*")]
        static += [(training.TRAINING_DIR / name, source / name) for name in training.STATIC_PAGES]
    else:
        static = [(static_page(rel, lang), source / rel) for rel in static_pages()]
    transliterated = "transliterate" in i18n.spec(lang)
    notices = edition_notices(project, audience, lang)
    record = frontmatter.markdown_list(frontmatter.record(project, audience, lang))
    for src, dst in static:
        if src.is_file() and src.suffix == ".md":
            text = src.read_text(encoding="utf-8")
            text = i18n.transliterate(text, lang) if transliterated else text
            _write_if_changed(dst, fill_notices(text, notices, record))
        elif src.is_file():
            _sync_file(src, dst)
    _write_if_changed(source / "_static" / EDITION_STYLESHEET, edition_stylesheet(audience))
    _write_if_changed(source / "_config.yml", yaml.safe_dump(edition_config(project, audience, lang, notices), allow_unicode=True, sort_keys=False))
    # the analysts' narrative into the executed pages, and its chapters as pages (no notebook runs)
    placed = narrative.place(project, audience, lang, source)
    write_narrative_report(project.edition_dir(audience, lang), placed)
    # after the static pages are in place: the toc leaves out pages missing from the source
    toc = training.edition_toc() if Edition(audience).is_training else edition_toc(project, source)
    _write_if_changed(source / "_toc.yml", toc)
    note_failed_pages(source)
    note_narrative_check(source, placed)
    return source


NARRATIVE_REPORT = "narrative-check.json"


def write_narrative_report(edition: Path, placed) -> None:
    """What the narrative check found in this edition, for the build to report (warnings, or errors
    with ``--final``) and for ``socta narrative status``."""
    import json

    report = {"issues": [dict(path=i.path, line=i.line, kind=i.kind, message=i.message) for i in placed.issues],
              "drafts": placed.drafts, "missing_chapters": placed.missing_chapters, "files": placed.files,
              "counted": placed.counted}
    _write_if_changed(edition / NARRATIVE_REPORT, json.dumps(report, indent=1, ensure_ascii=False) + "\n")


def read_narrative_report(edition: Path) -> dict:
    import json

    path = edition / NARRATIVE_REPORT
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


NARRATIVE_CHECK = "narrative-check"  # the "socta" metadata of the methodology's paragraph on the check


def note_narrative_check(source: Path, placed) -> None:
    """Say in the methodology what the check of the narrative read and found (nothing when the
    dataset has no narrative)."""
    text = ""
    if placed.files:
        c = placed.counted
        heading = t("The analysts’ narrative and its check")
        text = (f"## {heading}\n\n"
                + t("The text analysts wrote is kept with the data and checked against it when the book is built: "
                    "{files} narrative texts with {values} live values, read from the processed tables as the "
                    "figures are; {numbers} typed numbers compared with every value, rate, change, share and trend "
                    "of their page; {directions} direction words compared with the changes they describe; {terms} "
                    "yardstick terms compared with the yardstick.",
                    files=str(placed.files), values=str(c["values"]), numbers=str(c["numbers"]),
                    directions=str(c["directions"]), terms=str(c["terms"]))
                + " " + (tn("The check reported {n} finding in this edition; the build lists it with its file and line.",
                            "The check reported {n} findings in this edition; the build lists each with its file and "
                            "line.", len(placed.issues)) if placed.issues
                         else t("The check found nothing to report in this edition.")))
    replace_notice(source / "methodology.ipynb", NARRATIVE_CHECK, text, at_end=True)


def replace_notice(notebook: Path, key: str, text: str, at_end: bool = False) -> None:
    """Put a markdown cell (``socta`` metadata ``key``) into a staged notebook, replacing the last one,
    or remove it (``text`` empty); written atomically, and only when it changed."""
    if not notebook.is_file() or is_stand_in(notebook):
        return
    nb = nbformat.read(notebook, as_version=4)
    kept = [c for c in nb.cells if c.get("metadata", {}).get("socta") != key]
    if text:
        cell = nbformat.v4.new_markdown_cell(text, metadata={"socta": key})
        if at_end:
            kept.append(cell)
        else:
            kept.insert(1 if kept and kept[0].cell_type == "markdown" else 0, cell)
    if [c.source for c in kept] != [c.source for c in nb.cells]:
        nb.cells = kept
        tmp = notebook.with_name(f".{notebook.stem}.{os.getpid()}.tmp")
        tmp.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        tmp.replace(notebook)


FAILED_NOTICE = "failed-pages"  # the "socta" metadata of the notice cell, so staging again replaces it


def note_failed_pages(source: Path) -> None:
    """Say on the main conclusions which pages of this edition could not be built (``--keep-going``):
    a key judgement there still stands on the data, but the chapter that explains it may be a page
    saying it failed. Staging again replaces the notice, or removes it once every page builds."""
    conclusions = source / "conclusions.ipynb"
    if not conclusions.is_file() or is_stand_in(conclusions):
        return
    failed = sorted(p.relative_to(source).with_suffix("").as_posix() for p in source.rglob("*.ipynb")
                    if p != conclusions and is_stand_in(p))
    text = ""
    if failed:
        pages = ", ".join(f"{{doc}}`/{page}`" for page in failed)
        text = t("Not every page of this edition could be built: {pages}. Each of them says what stopped it. A key "
                 "judgement below on a crime area among them is computed from the data as usual, but the page that "
                 "would explain it is missing from this edition.", pages=pages)
        text = f"```{{warning}}\n{text}\n```"
    replace_notice(conclusions, FAILED_NOTICE, text)


def edition_toc(project: Project, source: Path | None = None) -> str:
    """``_toc.yml`` with its ``{area}`` pattern entry repeated for every top-level crime area.

    With ``source``, a chapter whose page does not exist there (a page that failed on its first run,
    built with --keep-going) is left out rather than failing the whole book on a broken toctree.
    """

    text = (REPO_ROOT / "_toc.yml").read_text(encoding="utf-8")
    toc = yaml.safe_load(text)
    areas = list(Reference(project).top_areas.index)

    def expand(entries):
        out = []
        for entry in entries:
            if "narrative" in entry:  # the analysts' chapters of that place, those written
                out += [{"file": page} for page in narrative.chapter_pages(project, entry["narrative"], source)]
            elif "{area}" in str(entry.get("file", "")):
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
