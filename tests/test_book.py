"""The whole public English book, built from a clean build folder as `make report` builds it."""
import re
from html.parser import HTMLParser

import pytest

from socta.config import REGION, Project
from socta.reference import Reference

from .helpers import socta

pytestmark = pytest.mark.slow
OCG_ID = re.compile(r"[A-Z]{3}-OCG-\d{3}")


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, text):
        super().__init__()
        self.images, self.figcaptions, self.title = [], [], ""
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag in ("figcaption", "title"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "figcaption":
            self.figcaptions.append(data)
        elif self._in == "title":
            self.title += data


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    result = socta("report", "--build-dir", build, "--jobs", "2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = build / "public-en" / "html"
    assert (html / "index.html").is_file()
    return html


def read(html, page):
    return (html / page).read_text(encoding="utf-8")


def test_every_country_and_area_page_is_built_with_figures_and_the_banner(book):
    ref = Reference(Project())
    for area in ref.top_areas.index:
        for slug in [*ref.countries["slug"], None]:
            page = f"areas/{area}/countries/{slug}.html" if slug else f"areas/{area}/index.html"
            text = read(book, page)
            parsed = Page(text)
            figures = [i for i in parsed.images if "_images/" in i.get("src", "")]
            assert len(figures) >= 2, f"{page}: {len(figures)} figures"
            assert all(i.get("alt") and len(i["alt"]) > 30 for i in figures), f"{page}: an image without alt text"
            assert "Synthetic demonstration data" in text, f"{page}: no synthetic-data banner"
            assert "PUBLIC" in text
            assert "Source:" in text
            assert not re.search(r"Traceback|Error\b|stderr", text), f"{page}: an error was rendered"


def test_images_exist_and_are_png(book):
    images = list((book / "_images").glob("*.png"))
    assert len(images) > 80
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in images)


def test_every_chapter_of_the_outline_is_in_the_book(book):
    index = read(book, "intro.html")
    for title in ["Methodology", "Main conclusions", "Drug trafficking", "Migrant smuggling",
                  "Trafficking in human beings", "Property crime", "Economic crime", "Cybercrime",
                  "Organised crime groups", "Open-source context", "Data sources and provenance", "Glossary"]:
        assert title in index, f"{title} missing from the navigation"


def test_main_conclusions_state_the_computed_priority(book):
    from socta.notebook import Page as NbPage
    from socta.config import BUILD_DIR

    text = read(book, "conclusions.html")
    processed = book.parent.parent / "processed" / "public"
    page = NbPage(scope=REGION, processed_dir=str(processed), data_dir=str(Project().data_dir), first_year=2014, last_year=2024)
    top = page.scores[page.scores["scope"].eq(REGION)].sort_values("rank").iloc[0]
    name = page.area_name(top["area"]).lower()
    assert f"The highest-priority threat for the region is <strong>{name}</strong>" in text
    assert f"priority score {round(top['priority'])}" in text


def test_methodology_prints_the_weights_in_force(book):
    text = read(book, "methodology.html")
    ref = Reference(Project())
    for _, row in ref.ocg_indicators.iterrows():
        assert row["name_en"] in text
    assert "realistic possibility" in text and "Reliable in most instances" in text


def test_public_edition_has_no_ocg_identifiers_grades_or_handling_codes(book):
    for path in book.rglob("*"):
        if path.suffix in {".html", ".js", ".txt", ".ipynb", ".md"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not OCG_ID.search(text), f"OCG identifier in {path}"
            assert "handling_code" not in text, f"handling code column in {path}"


def test_open_sources_carry_their_source_and_match_published_scores(book):
    text = read(book, "open_sources.html")
    assert "Global Initiative against Transnational Organized Crime" in text and "Frontex" in text
    assert "6.22" in text  # Serbia 2023 criminality, recomputed from its components
