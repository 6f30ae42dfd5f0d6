"""The Sphinx extension of every edition (``extra_extensions`` in ``_config.yml``): the gate that keeps
data text inert and files inside the edition (no raw HTML, no file insertion, no download, no image
from outside), the theme's words in the edition's language, the language menu, and the LaTeX build
without code cells."""
from __future__ import annotations

import gettext
import html
from pathlib import Path

from socta.book.accessible import accessible_pages
from socta.book.published import clean_html_sources
from socta.core.edition import PUBLIC
from socta.core.text import N_
from socta.i18n import translate as i18n


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
    edition's HTML folder and into the other's: it works from a file system, a web server or a zip.
    Each link names, in ``data-needs``, the file it leads to (relative to the build folder): a link to an
    edition not built is hidden (:func:`socta.book.build.show_what_exists`), never a dead end."""
    from html import escape

    if not languages:
        return ""
    up = "../" * (pagename.count("/") + 2)
    items = []
    for code, name in languages:
        if code == edition["lang"]:
            items.append(f'<span class="socta-lang-current" lang="{escape(code)}" aria-current="true">{escape(name)}</span>')
        else:
            target = f"{edition['audience']}-{code}/html/{pagename}.html"
            items.append(f'<a href="{escape(up + target)}" lang="{escape(code)}" hreflang="{escape(code)}" '
                         f'data-needs="{escape(target)}">{escape(name)}</a>')
    return (f'<nav class="socta-languages" aria-label="{escape(edition.get("label", "Languages"))}">'
            + "".join(items) + "</nav>\n")


def pdf_link(pagename: str, edition: dict) -> str:
    """A link to the edition's PDF (``_build/<audience>-<lang>/pdf/<name>``), hidden until it is built."""
    from html import escape

    if not edition.get("pdf"):
        return ""
    target = f"{edition['audience']}-{edition['lang']}/pdf/{edition['pdf']}"
    href = "../" * (pagename.count("/") + 2) + target
    return (f'<p class="socta-download" data-needs="{escape(target)}"><a href="{escape(href)}" download>'
            f'{escape(edition.get("pdf_label", "PDF"))}</a></p>\n')


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
    menu = (language_menu(pagename, app.config.socta_edition, app.config.socta_languages)
            + pdf_link(pagename, app.config.socta_edition))
    if menu and "body" in context:
        context["body"] = menu + context["body"]


def _name_latex_language(app, config) -> None:
    """Tell Sphinx's LaTeX builder the babel name of the edition's language (languages.yaml
    ``latex_name``), where docutils' table has none (sr@latin, mk)."""
    if config.socta_latex_name and config.language:
        from docutils.writers.latex2e import Babel

        Babel.language_codes[config.language.lower()] = config.socta_latex_name


class _LatinTranslations:
    """A Sphinx message catalogue read through socta's one transliteration (socta.i18n.translate.to_latin): the
    theme's Serbian words in Latin."""

    def __init__(self, base):
        self.base = base

    def gettext(self, message):
        return i18n.to_latin(self.base.gettext(message), "sr")

    def ngettext(self, singular, plural, n):
        return i18n.to_latin(self.base.ngettext(singular, plural, n), "sr")

    def __getattr__(self, name):
        return getattr(self.base, name)


class _OursFirst:
    """A Sphinx catalogue read after socta's: socta's word where it has one, the catalogue's otherwise."""

    def __init__(self, ours, base):
        self.ours, self.base = ours, base

    def gettext(self, message):
        text = self.ours.gettext(message)
        return text if text != message else self.base.gettext(message)

    def ngettext(self, singular, plural, n):
        text = self.ours.ngettext(singular, plural, n)
        return text if text not in (singular, plural) else self.base.ngettext(singular, plural, n)

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
               N_("Announcement"), N_("Main"), N_("Page"), N_("Version warning"), N_("Languages"),
               N_("See also")]


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
    # an edition that borrows another language's Sphinx catalogue (Montenegrin reads Serbian Latin's) reads
    # socta's own words first: the borrowed ones are another variant ("celog" where Montenegrin writes "cijelog")
    borrowed = not str(config.language or "").startswith(i18n.catalogue_language(lang))
    for key in [*locale.translators, None]:
        translator = app.translator if key is None else locale.translators[key]
        base = translator.base if isinstance(translator, (_LatinTranslations, _OursFirst)) else translator
        if isinstance(base, gettext.NullTranslations) and not getattr(base, "socta_words", False):
            base.add_fallback(ours)
            base.socta_words = True
            if borrowed:
                translator = _OursFirst(ours, translator)
                if key is None:
                    app.translator = translator
                else:
                    locale.translators[key] = translator
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


def _page_language(app, pagename, templatename, context, doctree) -> None:
    """Every page's ``lang`` is the edition's BCP 47 tag (``sr-Latn``, ``cnr``), which screen readers and
    translation tools read, not Sphinx's gettext name of its own catalogue (``sr@latin``, which is not a
    language tag, and which the Montenegrin edition shares)."""
    context["language"] = app.config.socta_edition.get("lang", "en")


def _search_text_not_code() -> None:
    """The search index holds what the pages say, not the folded code of their cells: a code comment that
    names heroin made every crime-area page a hit for "heroin". Sphinx has no hook for what its indexer
    reads, so its word collector is given each page without the code of its folded (hide-input) cells."""
    from docutils import nodes
    from sphinx.search import IndexBuilder

    original = IndexBuilder._word_collector
    if getattr(original, "socta_skips_code", False):
        return

    def is_code(node) -> bool:   # folded code (the training edition shows its code: that is indexed)
        if not (isinstance(node, nodes.container) and node.get("nb_element") == "cell_code_source"):
            return False
        cell = node.parent   # MyST-NB wraps a folded input in a node of its own inside the cell
        while cell is not None and cell.get("nb_element") != "cell_code":
            cell = cell.parent
        return cell is not None and "tag_hide-input" in cell.get("classes", [])

    def word_collector(self, doctree):
        if not any(True for _ in doctree.findall(is_code)):
            return original(self, doctree)
        page = doctree.deepcopy()   # the page itself is written as it is
        for node in list(page.findall(is_code)):
            node.parent.remove(node)
        return original(self, page)

    word_collector.socta_skips_code = True
    IndexBuilder._word_collector = word_collector


TEMPLATES = Path(__file__).resolve().parent / "templates"


def _footer_template(app, config) -> None:
    """socta's footer (``templates/socta-footer.html``) in place of the theme's author and last-updated lines."""
    if config.html_theme != "sphinx_book_theme":   # a page checked on its own is built with Sphinx's default theme
        return
    # first: the themes add their components folders to templates_path too, and the first one found is used
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    options = dict(config.html_theme_options or {})
    options["footer_content_items"] = ["socta-footer.html"]
    config.html_theme_options = options


def _footer(app, pagename, templatename, context, doctree) -> None:
    context["socta_footer"] = list(app.config.socta_edition.get("footer", []))


def _contents_named_contents(app) -> None:
    """The PDF's table of contents is headed by the language's own word ("Contents", "Садржај"): Sphinx
    heads it with the caption of the first part of the table of contents ("Assessment")."""
    if app.builder.format == "latex":
        app.builder.get_contentsname = lambda indexfile: ""


def setup(app):
    """Loaded by Sphinx through ``extra_extensions: [socta.book.extension]`` in ``_config.yml``."""
    app.connect("env-before-read-docs", _no_file_insertion)
    app.connect("doctree-read", _refuse_unsafe_nodes, priority=100)  # before Sphinx collects the files
    app.connect("env-updated", _confine_to_source)
    app.add_config_value("socta_latin_script", False, "env", [bool])
    app.connect("config-inited", _edition_words, priority=400)  # before Sphinx's numfig_format (800)
    app.connect("builder-inited", _edition_words)
    app.connect("builder-inited", _contents_named_contents)
    app.add_config_value("socta_latex_name", "", "env", [str])
    app.connect("config-inited", _name_latex_language)
    app.add_config_value("socta_latex_code", False, "env", [bool])
    app.add_config_value("socta_edition", {"audience": PUBLIC, "lang": "en"}, "html", [dict])
    app.add_config_value("socta_languages", [], "html", [list])
    app.connect("html-page-context", _add_language_menu)
    app.connect("html-page-context", _page_language)
    app.connect("config-inited", _footer_template)
    app.connect("html-page-context", _footer)
    app.connect("html-page-context", _escape_theme_text, priority=900)
    app.add_post_transform(_remove_code_in_latex())

    app.connect("build-finished", clean_html_sources)
    app.connect("build-finished", accessible_pages)
    _reuse_latex_table_renderer()
    _search_text_not_code()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
