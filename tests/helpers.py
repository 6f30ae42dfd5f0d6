"""Shared paths, commands and data edits for the tests."""
import csv
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# the demo on the 2016 regional method: the exact values of the unit and pipeline tiers are computed on it
# (data/demo, the default, is on the EU-SOCTA 2025 profile)
DEMO_2016 = REPO / "data" / "demo-2016"
SOCTA = [sys.executable, "-m", "socta"]


def socta(*args: str, timeout: int = 1800, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the socta command as an analyst would, capturing its output (``env``: its whole environment,
    when not this process's)."""
    return subprocess.run([*SOCTA, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env=env)


def set_rows(path: Path, keep) -> None:
    """Rewrite the CSV table ``path`` row by row: ``keep(row)`` returns the row (changed or not), or None
    to drop it; a ``status`` column is added when the table has none."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    if "status" not in fields:
        fields.append("status")
    out = [r for r in (keep(dict(r)) for r in rows) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(out)


def pdf_metadata(pdf: Path) -> dict[str, str]:
    """A PDF's document information (pdfinfo: Title, Author, Subject, …) and its catalogue's language
    (``Lang``), read from the file, where xdvipdfmx keeps the catalogue in a compressed object stream."""
    import re
    import zlib

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    found = {key.strip(): value.strip() for key, value in found.items()}
    data = pdf.read_bytes()
    chunks = [data]
    for start in re.finditer(rb"stream\r?\n", data):
        try:
            chunks.append(zlib.decompress(data[start.end():data.find(b"endstream", start.end())]))
        except zlib.error:
            continue
    for chunk in chunks:
        if b"/Type/Catalog" in chunk or b"/Type /Catalog" in chunk:
            lang = re.search(rb"/Lang\s*\(([^)]*)\)", chunk)
            if lang:
                found["Lang"] = lang.group(1).decode()
    return found


def repeated_sentences(html_dir: Path, min_words: int = 8) -> dict[str, int]:
    """Sentences of at least ``min_words`` words that the reader meets more than once in a built HTML
    book, with how often: the text of paragraphs, list items and captions of every page (the folded
    code, the navigation and the tables' cells left out; a table's legend is a paragraph and counts). A
    source line ("Source: …") belongs under each figure and table it names the source of, and is left out."""
    import collections
    import re

    from bs4 import BeautifulSoup

    counts: collections.Counter = collections.Counter()
    for page in sorted(html_dir.rglob("*.html")):
        if page.name in ("search.html", "genindex.html") or "_static" in page.parts:
            continue
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("article")
        if article is None:
            continue
        for hidden in article.select(".cell_input, details, script, style, table"):
            hidden.decompose()
        for block in article.find_all(["p", "li", "figcaption"]):
            if block.find(["p", "li"]):  # the innermost blocks only, each text once
                continue
            text = re.sub(r"\s+", " ", block.get_text(" ")).strip()
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                if len(sentence.split()) >= min_words and not sentence.startswith("Source:"):
                    counts[sentence] += 1
    return {s: n for s, n in counts.items() if n > 1}


def repeated_words(repeats: dict[str, int]) -> int:
    """The words a reader reads again: every repetition of a repeated sentence, in words."""
    return sum((n - 1) * len(s.split()) for s, n in repeats.items())


def words_off_the_page(pdf: Path, margin: float = 36) -> list[tuple[int, str, float]]:
    """The words of a PDF that reach into the outer ``margin`` points of their page (half an inch: text,
    tables and captions stay inside; the header and footer sit well inside it): (page, word, x)."""
    import re

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    off = []
    for number, (width, body) in enumerate(re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', out,
                                                      re.S), 1):
        for x_min, x_max, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                                             r'([^<]*)</word>', body):
            if float(x_max) > float(width) - margin or float(x_min) < margin:
                off.append((number, word, float(x_max)))
    return off


def reader_text(page: Path) -> list[str]:
    """The blocks of text a reader reads on a built HTML page (paragraphs, list items, captions, headings and
    table cells), without the folded code, the navigation or the source lines, which quote the data's own
    words ("Source: Ministry of Interior of Montenegro")."""
    import re

    from bs4 import BeautifulSoup

    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("article")
    if article is None:
        return []
    for hidden in article.select(".cell_input, script, style, .headerlink, .socta-source"):
        hidden.decompose()
    blocks = []
    for block in article.find_all(["p", "li", "figcaption", "h1", "h2", "h3", "th", "td", "caption"]):
        if block.find(["p", "li", "td", "th"]):
            continue
        text = re.sub(r"\s+", " ", block.get_text(" ")).strip()
        if text:
            blocks.append(text)
    return blocks
