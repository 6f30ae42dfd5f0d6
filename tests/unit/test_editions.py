"""Editions: the leak scan (PDF text, metadata, streams; PNG metadata; notebook images) and the markings
of both editions' configuration (the built editions are checked in tests/book/test_editions.py)."""
import re
import struct
import zlib

from socta.book.leaks import find_leaks, pdf_streams, png_text
from socta.book.stage import edition_config, tex_escape
from tests.helpers import DEMO_2016

from ..canaries import GROUP, NOTE


def png_with_text(key: str, text: str) -> bytes:
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"tEXt", key.encode() + b"\0" + text.encode()) + chunk(b"IEND", b""))


def test_png_metadata_is_read():
    assert "CANARY" in png_text(png_with_text("Comment", "CANARY here"))


def test_a_leak_in_a_pdf_is_caught_in_its_text_its_metadata_and_its_compressed_streams(tmp_path):
    """A real PDF writer (matplotlib) with a short code in the text and a note in the metadata, and
    a stream compressed as TeX writes them: the scan finds all three, short codes included."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "seen in QXA")
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(tmp_path / "leak.pdf", metadata={"Subject": NOTE})
    plt.close(fig)
    leaks = find_leaks(tmp_path, ["QXA", NOTE])
    assert {(l.canary, l.where) for l in leaks} >= {("QXA", "PDF text"), (NOTE, "PDF objects")}
    # a compressed stream that is not text on a page (an XMP packet, an annotation) is read too
    stream = zlib.compress(f"<x:xmpmeta><dc:title>{GROUP}</dc:title></x:xmpmeta>".encode())
    appended = (tmp_path / "leak.pdf").read_bytes() + (
        b"\n99 0 obj\n<< /Type /Metadata /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
        + stream + b"\nendstream\nendobj\n")
    (tmp_path / "leak.pdf").write_bytes(appended)
    assert (GROUP, "PDF objects") in {(l.canary, l.where) for l in find_leaks(tmp_path, [GROUP])}
    # an image stream is skipped: its bytes match short codes by chance, and hold no text of ours
    assert "QXZ" not in pdf_streams(b"<< /Subtype /Image /Length 5 >>\nstream\n QXZ \nendstream")


def test_an_image_embedded_in_a_notebook_is_scanned(tmp_path):
    import base64
    import json

    png = base64.b64encode(png_with_text("Title", NOTE)).decode()
    nb = {"cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {"image/png": png}}]}]}
    (tmp_path / "page.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert [(l.canary, l.where) for l in find_leaks(tmp_path, [NOTE])] == [(NOTE, "notebook image metadata")]


def test_markings_of_both_editions_in_html_and_pdf_configuration(demo_project):
    project = demo_project   # the demo, its processed tables written once per session
    public = edition_config(project, "public", "en")["sphinx"]["config"]
    restricted = edition_config(project, "restricted", "en")["sphinx"]["config"]
    assert public["html_theme_options"]["announcement"].startswith("PUBLIC")
    announcement = restricted["html_theme_options"]["announcement"]
    assert announcement.startswith("RESTRICTED") and re.search(r"handling code of the sources used: H[0-3]", announcement)
    for config, mark in ((public, "PUBLIC"), (restricted, "RESTRICTED")):
        preamble = config["latex_elements"]["preamble"]
        assert re.search(rf"\\fancyhead\[C\]{{[^}}]*{mark}", preamble) and re.search(rf"\\fancyfoot\[C\]{{[^}}]*{mark}", preamble)
        assert mark in config["latex_elements"]["maketitle"]


def test_tex_escape():
    assert tex_escape("50% & co_op {x} #1 ~ ^ \\") == r"50\% \& co\_op \{x\} \#1 \textasciitilde{} \^{} \textbackslash{}"


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""
    def luminance(colour):
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        f = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2]
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_each_edition_has_a_banner_colour_of_its_own_with_white_text_readable():
    from socta.book.stage import BANNER_COLOURS, EDITION_STYLESHEET, edition_stylesheet
    from socta.core.config import Project

    assert len(set(BANNER_COLOURS.values())) == 3
    for audience, colour in BANNER_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 4.5, (audience, colour)
        assert f"background: {colour};" in edition_stylesheet(audience)
        notices = dict.fromkeys(("edition_marking", "dataset_notice", "review_notice", "handling_note"), "")
        config = edition_config(Project(data_dir=DEMO_2016), audience, "en", notices)
        assert config["sphinx"]["config"]["html_css_files"][-1] == EDITION_STYLESHEET


def test_the_chart_palette_is_3_to_1_against_white_and_each_colour_has_its_marker_and_dash():
    """WCAG 2.1, 1.4.11: graphical objects at least 3:1; and colour is never the only code."""
    from socta.pages import figures

    assert all(contrast(c, "#ffffff") >= 3 for c in figures.PALETTE), figures.PALETTE
    assert len(set(figures.MARKERS)) == len(set(map(str, figures.DASHES))) == len(figures.PALETTE)
    styles = {(figures.series_style(c)["marker"], str(figures.series_style(c)["ls"])) for c in figures.PALETTE}
    assert len(styles) == len(figures.PALETTE)
    # the threat bands differ in lightness, so that they differ in grey too
    bands = [figures.BAND_COLOURS[b] for b in ("high", "medium", "low")]
    assert all(contrast(a, b) >= 1.8 for a, b in zip(bands, bands[1:])), bands
