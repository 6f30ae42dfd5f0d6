"""What a published notebook carries of its figures: the picture, never the numbers behind it.

Every figure is stored in an executed page twice (:func:`socta.pages.figures.apply_style`): a PNG, which the
HTML shows, and a vector PDF, which the LaTeX build embeds. A vector figure is a record of its data:
the length of each bar, the place of each point, to the last digit (a bar of 95.675% where the text
says 96%). The HTML book offers each page's notebook for download (``_sources/<page>.ipynb``, the
theme's ".ipynb" button), so outside the restricted edition those copies keep only the raster of a
figure: :func:`strip_vector_outputs` drops every vector or data-carrying representation of an output
(PDF, SVG, PostScript, Vega, Plotly, Bokeh, …), in plain outputs and in glue's records (``glue`` keeps
a figure as a display output of its cell, each type under ``application/papermill.record/``). The book source keeps them:
the PDF book is made from it, and it is not published.

This runs as a Sphinx hook (``build-finished``, registered by :mod:`socta.book.extension`) on the HTML output
folder, after every page is written, so it cannot change what a page shows and cannot make a ``-W``
build warn; it runs on every build, and a page Sphinx did not write again was cleaned by the build
before.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from socta.core.edition import RESTRICTED

# representations that record a figure's data exactly (vector graphics, or the data themselves)
VECTOR_MIMES = frozenset({
    "application/pdf", "image/svg+xml", "application/postscript", "image/eps", "image/x-eps",
    "application/eps", "application/x-eps",
})


DATA_MIME_PREFIXES = ("application/vnd.vega", "application/vnd.vegalite", "application/vnd.plotly",
                      "application/vnd.bokehjs", "application/vnd.holoviews")


RASTER_MIMES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


# glue (myst_nb.glue, as papermill's record) keeps a figure under prefixed mime types:
# "application/papermill.record/application/pdf"
RECORD_PREFIX = "application/papermill.record/"


# matplotlib's text of a figure: its size and axes, no value of it
FIGURE_REPR = re.compile(r"^<(Figure|seaborn\.[\w.]+|matplotlib\.[\w.]+) (size [\d.]+x[\d.]+ with \d+ Axes|object at 0x[0-9a-f]+)>$")


def base_mime(mime: str, prefix: str = "") -> str:
    """The mime type under glue's record prefix (``prefix``: the output's ``scrapbook.mime_prefix``)."""
    for known in (prefix, RECORD_PREFIX):
        if known and mime.startswith(known):
            return mime[len(known):]
    return mime


def is_vector(mime: str, prefix: str = "") -> bool:
    mime = base_mime(mime, prefix)
    return mime in VECTOR_MIMES or mime.startswith(DATA_MIME_PREFIXES)


def _clean_bundle(data: dict, prefix: str = "") -> bool:
    """Drop the exact representations of one output's mime bundle, in place; True if it changed.

    A bundle with a raster keeps the raster and a text that is only matplotlib's "<Figure size …>";
    any other text of a figure (a repr that could list its values) goes with the vectors. A bundle
    without a raster loses its vector and data representations only (a table's HTML stays)."""
    has_raster = any(base_mime(m, prefix) in RASTER_MIMES for m in data)
    drop = [m for m in data if is_vector(m, prefix)]
    if has_raster:
        for mime in [m for m in data if base_mime(m, prefix) == "text/plain"]:
            text = data[mime]
            text = "".join(text) if isinstance(text, list) else str(text)
            if not FIGURE_REPR.match(text.strip()):
                drop.append(mime)
    for mime in drop:
        data.pop(mime, None)
    return bool(drop)


def strip_vector_outputs(nb: dict) -> bool:
    """Remove every vector or data-carrying representation of a figure from a notebook (nbformat 4,
    as a dict), in place; True if anything was removed. An output left with nothing to show is
    removed; its cell's other outputs and every cell's source stay as they are."""
    changed = False
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept = []
        for output in outputs:
            data = output.get("data")
            prefix = str(((output.get("metadata") or {}).get("scrapbook") or {}).get("mime_prefix") or "")
            if isinstance(data, dict) and _clean_bundle(data, prefix):
                changed = True
                for key in [k for k in output.get("metadata", {}) if is_vector(k, prefix)]:
                    output["metadata"].pop(key)
                if not data:
                    continue
            kept.append(output)
        cell["outputs"] = kept
    return changed


def carries_vectors(text: str) -> bool:
    """A quick look at a notebook's text: might it hold a vector representation?"""
    return any(f'{mime}"' in text for mime in VECTOR_MIMES) or any(p in text for p in DATA_MIME_PREFIXES)


def clean_notebook_file(path: Path) -> bool:
    """:func:`strip_vector_outputs` on one ``.ipynb`` file, written back only when it changed."""
    text = path.read_text(encoding="utf-8")
    if not carries_vectors(text):
        return False
    nb = json.loads(text)
    if not strip_vector_outputs(nb):
        return False
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def clean_published_notebooks(folder: Path) -> list[Path]:
    """Every ``.ipynb`` under an HTML output folder (``_sources`` and any other copy), cleaned; the
    ones that changed."""
    return [path for path in sorted(Path(folder).rglob("*.ipynb")) if clean_notebook_file(path)]


def clean_html_sources(app, exception) -> None:
    """Sphinx ``build-finished``: after an HTML build that succeeded, outside the restricted edition,
    every downloadable notebook keeps only the raster of its figures."""
    if exception is not None or app.builder.format != "html":
        return
    edition = getattr(app.config, "socta_edition", {}) or {}
    if edition.get("audience") == RESTRICTED:  # the papermill/Sphinx boundary: the audience's name
        return
    clean_published_notebooks(Path(app.outdir))
