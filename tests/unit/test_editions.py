"""Editions: the leak scan (PDF text, metadata, streams; PNG metadata; notebook images) and the markings
of both editions' configuration (the built editions are checked in tests/book/test_editions.py)."""
import re
import struct
import zlib

from socta.book.leaks import find_leaks, pdf_streams, png_text
from socta.book.stage import edition_config, tex_escape

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
