"""Editions: nothing restricted in the public one (leak test), markings, suppression, and the PDF."""
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pandas as pd

from socta.book.leaks import find_leaks
from socta.core.config import Project
from socta.run.execute import execute
from socta.run.jobs import grid

from ..canaries import CANARIES, GRADE, GROUP, HANDLING, NOTE, SIZE
from ..unit.test_editions import png_with_text


def test_canaries_are_in_the_restricted_data_but_nowhere_in_the_public_edition(edition):
    restricted = edition / "processed" / "restricted"

    register = pd.read_parquet(restricted / "ocg_register.parquet")
    assert GROUP in set(register["ocg_id"]) and register["notes"].str.contains(NOTE).any()
    public = edition / "public-en"
    assert (public / "html" / "searchindex.js").is_file() and list((public / "html" / "_sources").rglob("*.ipynb"))
    assert list((public / "html" / "_images").glob("*.png")) and (public / "pdf" / "assessment.pdf").is_file()
    leaks = find_leaks(public, CANARIES)
    assert leaks == [], "restricted values in the public edition:\n" + "\n".join(f"{l.path} ({l.where}): {l.canary}" for l in leaks)
    # and the statistics' own grades and handling codes were in the restricted data
    statistics = pd.read_parquet(restricted / "statistics.parquet")
    assert {GRADE, HANDLING} <= set(statistics["grade"]) | set(statistics["handling_code"])
    # the handling code is printed only where the methodology lists the grading profile in force
    found = find_leaks(public / "html", [HANDLING]) + find_leaks(public / "pdf", [HANDLING])
    assert found and all("methodology" in l.path.name or l.path.name in ("searchindex.js", "assessment.pdf")
                         for l in found), found
    pdf_text = subprocess.run(["pdftotext", str(public / "pdf" / "assessment.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert pdf_text.count(HANDLING) == 1


def test_no_path_of_the_build_machine_in_any_published_artefact(edition):
    """What a reader downloads (HTML, page sources, notebooks, search index, images, PDF) names no
    folder of the machine that built it."""
    import sys

    from ..helpers import REPO

    machine = sorted({str(edition.parent), str(REPO), str(Path.home()), sys.prefix} - {"/"})
    public = edition / "public-en"
    leaks = find_leaks(public / "html", machine) + find_leaks(public / "pdf", machine)
    assert leaks == [], "\n".join(f"{l.path} ({l.where}): {l.canary}" for l in leaks)


def test_a_leak_planted_in_the_built_pdf_is_caught(edition, tmp_path):
    """The book's own PDF, with the register's note appended in a compressed stream and its size in
    the metadata: the scan of the published PDF must report both."""
    pdf = tmp_path / "assessment.pdf"
    original = (edition / "public-en" / "pdf" / "assessment.pdf").read_bytes()
    stream = zlib.compress(f"BT ({NOTE}) Tj ET".encode())
    pdf.write_bytes(original + b"\n9999 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream) + stream
                    + b"\nendstream\nendobj\n9998 0 obj\n<< /Title (%s) >>\nendobj\n" % str(SIZE).encode())
    assert find_leaks(edition / "public-en" / "pdf", CANARIES) == []
    found = {(l.canary, l.where) for l in find_leaks(tmp_path, CANARIES)}
    assert {(NOTE, "PDF objects"), (str(SIZE), "PDF objects")} <= found


def test_the_leak_test_fails_when_a_canary_is_routed_into_a_public_page(edition, tmp_path):
    """Execute a public page as if its notebook had been handed the restricted data: the scan must catch it."""
    public_copy = tmp_path / "public-en"
    shutil.copytree(edition / "public-en" / "html", public_copy / "html")
    project = Project(data_dir=edition.parent / "data", build_dir=edition)
    job = next(j for j in grid(project, "public", "en", edition / "processed" / "restricted")
               if j.output == "ocg/countries/serbia")
    misrouted = type(job)(job.template, job.output, job.title, {**job.parameters, "audience": "restricted"})
    outcome = execute(misrouted, str(public_copy / "source"), str(tmp_path / "failed"), timeout=300)
    assert outcome.ok, outcome.error
    leaks = find_leaks(public_copy, CANARIES)
    assert {l.canary for l in leaks} >= {GROUP}
    # and an image whose metadata carries a canary is caught too
    (public_copy / "html" / "_images" / "planted.png").write_bytes(png_with_text("Title", NOTE))
    assert any(l.where == "PNG metadata" and l.canary == NOTE for l in find_leaks(public_copy, CANARIES))


def test_public_pdf_exists_with_cover_chapters_captions_and_markings(edition):
    pdf = edition / "public-en" / "pdf" / "assessment.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 60 <= pages <= 250
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page_texts = text.split("\f")[:pages]
    assert all("PUBLIC" in p for p in page_texts), "a PDF page without the PUBLIC marking"
    cover = page_texts[0]
    assert "Regional Serious and Organised Crime" in cover and "Synthetic demonstration data" in cover
    for chapter in ["Methodology", "Main conclusions", "Drug trafficking — Regional overview", "Cyber-attacks — Serbia",
                    "Crime-relevant factors", "Open-source context", "Glossary"]:
        assert chapter in text, chapter
    assert re.search(r"Fig\. \d+\.\d+: Prioritisation matrix, Region", text)
    assert re.search(r"Table \d+\.\d+: Crime areas ranked by priority", text)
    log = next((edition / "public-en" / "work" / "_build" / "latex").glob("*.log")).read_text(errors="ignore")
    assert "Overfull \\hbox" not in log


def test_public_edition_shows_suppressed_counts_as_marked(book):
    text = (book / "ocg" / "countries" / "montenegro.html").read_text(encoding="utf-8")
    assert "c: confidential" in text and "does not show counts below 5" in text
    assert re.search(r"<td[^>]*>(<p>)?\s*c\s*(</p>)?</td>", text), "no confidential cell in Montenegro's tables"
    assert "&lt;5" not in text  # a hidden count of 8 is not "<5": every hidden cell reads c


def test_restricted_pages_show_groups_with_grades_and_handling_codes(edition, tmp_path):
    # the canary data and their restricted tables as the edition's run processed them
    project = Project(data_dir=edition.parent / "data", build_dir=edition)
    job = next(j for j in grid(project, "restricted", "en", project.processed_dir("restricted"))
               if j.output == "ocg/countries/serbia")
    outcome = execute(job, str(tmp_path / "source"), str(tmp_path / "failed"), timeout=300)
    assert outcome.ok, outcome.error
    text = (tmp_path / "source" / "ocg" / "countries" / "serbia.ipynb").read_text(encoding="utf-8")
    assert GROUP in text and re.search(r"\| H[0-3] \|", text) and "(RESTRICTED)" in text
