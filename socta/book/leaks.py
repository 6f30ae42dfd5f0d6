"""Search a built edition for strings that must not be in it (canaries planted in restricted fields,
the build machine's paths).

Everything a reader of the public edition could get is searched: HTML, the search index, the
page sources and downloadable notebooks (with the metadata of every image embedded in them), the
text chunks of every PNG, and the PDF: its text (through ``pdftotext``), its metadata, and every
stream of it that is not an image or a font, decompressed.
"""
from __future__ import annotations

import base64
import json
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

from socta.core.memo import Memo


@dataclass(frozen=True)
class Leak:
    path: Path
    canary: str
    where: str


def png_text(data: bytes) -> str:
    """The text of a PNG's tEXt, zTXt and iTXt chunks (where image metadata lives)."""
    out, pos = [], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            out.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            out.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")
            _, _, text = rest.partition(b"\0")
            out.append(key.decode("latin-1") + " " + (zlib.decompress(text) if compressed else text).decode("utf-8", "ignore"))
        pos += 12 + length
    return "\n".join(out)


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext not found: install poppler-utils to search the PDF's text")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


FONTS = {".ttf", ".otf", ".woff", ".woff2", ".eot"}

STREAM = re.compile(rb"<<((?:[^<>]|<<(?:[^<>]|<<[^<>]*>>)*>>)*)>>\s*stream\r?\n", re.S)

OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm.*?/First\s+(\d+)|/First\s+(\d+).*?/Type\s*/ObjStm", re.S)

OBJECT_NUMBER = re.compile(r"\b\d+\s+\d+\s+(?:R|obj)\b")

BINARY_STREAM = re.compile(rb"/Subtype\s*/Image|/FontFile|/Length1|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)")


def pdf_streams(data: bytes) -> str:
    """The PDF's objects as a reader's tools see them: every stream decompressed (FlateDecode),
    except images and embedded fonts, whose bytes hold no text of ours and would match by chance;
    and everything outside streams (the metadata dictionary among it) as it is."""
    out, pos = [], 0
    for match in STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        out.append(data[pos:match.start()].decode("latin-1"))
        header, body = match.group(1), data[start:end]
        pos = end + len(b"endstream")
        if BINARY_STREAM.search(header):
            continue
        if b"/FlateDecode" in header:
            try:
                body = zlib.decompressobj().decompress(body)
            except zlib.error:
                continue
        first = OBJECT_STREAM.search(header)
        if first:  # an object stream opens with pairs of object numbers and offsets: structure, not content
            body = body[int(first.group(1) or first.group(2)):]
        out.append(body.decode("latin-1"))
    out.append(data[pos:].decode("latin-1"))
    # object numbers in references and headers ("7777 0 R", "7777 0 obj") are structure too; a PDF
    # with vector figures has thousands of objects, and a numeric canary would match one by chance
    return OBJECT_NUMBER.sub(" ", "\n".join(out))


def notebook_images(data: bytes) -> str:
    """The metadata of every PNG embedded in a notebook's outputs."""
    try:
        nb = json.loads(data)
    except ValueError:
        return ""
    found = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            image = output.get("data", {}).get("image/png")
            if image:
                found.append(png_text(base64.b64decode("".join(image) if isinstance(image, list) else image)))
    return "\n".join(found)


def readable_text(path: Path) -> list[tuple[str, str]]:
    """(where, text) pairs a reader could extract from ``path`` (fonts hold no data of ours)."""
    if path.suffix.lower() in FONTS:
        return []
    data = path.read_bytes()
    return list(_EXTRACTED.remembered(f"{path.suffix.lower()} {path.name == 'objects.inv'}", data,
                                      lambda: _extract(path, data)))


# the text of each file content seen (a file written again is read again): a build's gate and the scans
# after it extract each file of an edition once; pdftotext and the PDF's streams were most of a scan's time
_EXTRACTED = Memo(4096)


def _extract(path: Path, data: bytes) -> tuple[tuple[str, str], ...]:
    if path.suffix.lower() == ".png":
        return (("PNG metadata", png_text(data)),)
    if path.suffix.lower() == ".pdf":
        text = pdf_text(path)
        # LaTeX breaks a line after a hyphen ("MKD-OCG-" / "001"): the text with such lines joined too
        return (("PDF text", text), ("PDF text, lines joined", re.sub(r"(?<=-)\n", "", text).replace("\n", " ")),
                ("PDF objects", pdf_streams(data)))
    if path.suffix.lower() == ".ipynb":
        return (("text", data.decode("utf-8", errors="ignore")), ("notebook image metadata", notebook_images(data)))
    if path.name == "objects.inv":  # Sphinx's inventory: four header lines, then zlib
        head, _, body = data.partition(b"zlib\n")
        try:
            return (("inventory", zlib.decompress(body).decode("utf-8", "ignore")),)
        except zlib.error:
            return (("text", data.decode("utf-8", errors="ignore")),)
    return (("text", data.decode("utf-8", errors="ignore")),)


def _pattern(canary: str) -> re.Pattern:
    # a canary counts only as a whole token: "QXA" inside a base64 image or a hash is chance, not a
    # leak; nor is "7777" as the decimals of a coordinate ("203.7777") in a vector figure's drawing
    return re.compile(r"(?<![A-Za-z0-9+/=])(?<!\d\.)" + re.escape(canary) + r"(?![A-Za-z0-9+/=])(?!\.\d)")


def find_leaks(tree: Path, canaries: list[str], only: list[Path] | None = None) -> list[Leak]:
    """Every occurrence of a canary in any file (or the one file) ``tree``, short codes included.

    The build tools' logs (``*.log``) are left out: they are diagnostics, not published, and what they
    quote of a page comes from the files scanned here (the .tex, the notebooks); their own numbers
    ("Underfull \\hbox (badness 7777)") would otherwise read as a leak. A canary is looked for as a
    plain substring first (fast), and only where it occurs as a whole token (:func:`_pattern`).
    ``only``: these files of the tree (those a rebuild changed), instead of all."""
    patterns = {c: _pattern(c) for c in canaries}
    tree = Path(tree)
    paths = [tree] if tree.is_file() else sorted(p for p in tree.rglob("*") if p.is_file() and p.suffix != ".log")
    if only is not None:
        wanted = {Path(p) for p in only}
        paths = [p for p in paths if p in wanted]
    leaks = []
    for path in paths:
        for where, text in readable_text(path):
            for canary, pattern in patterns.items():
                if canary in text and pattern.search(text):
                    leaks.append(Leak(path, canary, where))
    return leaks
