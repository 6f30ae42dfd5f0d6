"""Search a built edition for strings that must not be in it (canaries planted in restricted fields).

Everything a reader of the public edition could get is searched: HTML, the search index, the
page sources and downloadable notebooks, the text chunks of every PNG, and the PDF's text (through
``pdftotext``) and its raw bytes (metadata).
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path


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


def readable_text(path: Path) -> list[tuple[str, str]]:
    """(where, text) pairs a reader could extract from ``path`` (fonts hold no data of ours)."""
    if path.suffix.lower() in FONTS:
        return []
    data = path.read_bytes()
    if path.suffix.lower() == ".png":
        return [("PNG metadata", png_text(data))]
    if path.suffix.lower() == ".pdf":
        return [("PDF text", pdf_text(path)), ("PDF bytes", data.decode("latin-1"))]
    if path.name == "objects.inv":  # Sphinx's inventory: four header lines, then zlib
        head, _, body = data.partition(b"zlib\n")
        try:
            return [("inventory", zlib.decompress(body).decode("utf-8", "ignore"))]
        except zlib.error:
            return [("text", data.decode("utf-8", errors="ignore"))]
    return [("text", data.decode("utf-8", errors="ignore"))]


def _pattern(canary: str) -> re.Pattern:
    # a canary counts only as a whole token: "QXA" inside a base64 image or a hash is chance, not a leak
    return re.compile(r"(?<![A-Za-z0-9+/=])" + re.escape(canary) + r"(?![A-Za-z0-9+/=])")


def find_leaks(tree: Path, canaries: list[str]) -> list[Leak]:
    """Every occurrence of a canary in any file under ``tree``.

    In a PDF's raw bytes (compressed streams) only canaries of 8 characters or more are sought; its
    text is searched for all of them.
    """
    patterns = {c: _pattern(c) for c in canaries}
    leaks = []
    for path in sorted(p for p in Path(tree).rglob("*") if p.is_file()):
        for where, text in readable_text(path):
            for canary, pattern in patterns.items():
                if where == "PDF bytes" and len(canary) < 8:
                    continue
                if pattern.search(text):
                    leaks.append(Leak(path, canary, where))
    return leaks
