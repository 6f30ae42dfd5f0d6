"""Books built from incomplete data: the open-data edition (real public statistics, statistics only)
and the demo data with holes punched at random from a fixed seed (tests/book/conftest.py builds both,
once per session).

Real data are never complete: these books must build, say what they cannot show, never print a
missing value as 0 or ``nan``, and never use a yardstick term where the data cannot support one.
"""
from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pandas as pd

from socta.core.config import Project
from socta.ingest.reference import Reference

from ..helpers import DEMO_2016, REPO

OPEN = REPO / "data" / "open"
TERMS = ["remote chance", "highly unlikely", "unlikely", "realistic possibility", "likely", "highly likely",
         "almost certain"]


def page_text(path: Path) -> str:
    """The visible text of a built page's main part."""
    s = path.read_text(encoding="utf-8")
    s = re.sub(r"<script.*?</script>|<style.*?</style>", " ", s, flags=re.S)
    s = re.sub(r'<details class="[^"]*\bhide above-input\b[^"]*">.*?</details>', " ", s, flags=re.S)  # folded code
    main = re.search(r"<main.*?</main>", s, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", main.group(0) if main else s)).split())


def key_judgement_boxes(path: Path) -> list[str]:
    s = path.read_text(encoding="utf-8")
    boxes = re.findall(r'<div class="[^"]*\bkey-judgement\b[^"]*"[^>]*>(.*?)</div>', s, flags=re.S)
    return [" ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", b)).split()) for b in boxes]


# ---- the open-data edition --------------------------------------------------------------------

def test_open_edition_builds_html_and_pdf_without_a_synthetic_notice(open_book):
    html = open_book / "public-en" / "html"
    pdf = open_book / "public-en" / "pdf" / "assessment.pdf"
    assert (html / "index.html").is_file() and pdf.is_file()
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "synthetic demonstration" not in text.lower(), page


def test_open_edition_says_which_areas_public_sources_do_not_cover(open_book):
    html = open_book / "public-en" / "html"
    for area in ("thb", "property"):
        text = page_text(html / "areas" / area / "index.html")
        assert "No indicator of" in text and "is configured" in text
        assert "this dataset has no statistics on it" in text
    text = page_text(html / "ocg" / "index.html")
    assert "No OCG register is part of this dataset" in text


def test_open_edition_has_no_priority_ranking_from_statistics_alone(open_book):
    text = page_text(open_book / "public-en" / "html" / "conclusions.html")
    assert "No crime area of the region can be ranked" in text
    assert "Tier 1" not in text
    assert "The crime areas cannot be set against the EMPACT 2026–2029 priorities: none of them is ranked" in text


def test_every_real_number_is_findable_as_text(open_book):
    """Each value of data/open/statistics.csv appears in the provenance annex, as the book prints it."""
    from socta.i18n.translate import fmt_number

    text = page_text(open_book / "public-en" / "html" / "annex" / "provenance.html")
    stats = pd.read_csv(OPEN / "statistics.csv", dtype=str, keep_default_na=False)
    for value in stats["value"]:
        if value.startswith(("<", ">")) or not value:
            printed = value.replace("<", "&lt;") if value else ":"
            assert htmllib.unescape(printed) in text
        else:
            number = float(value)
            decimals = len(value.split(".", 1)[1]) if "." in value else 0  # with the precision it was published with
            printed = fmt_number(number, decimals)
            assert re.search(rf"(?<![\d,.]){re.escape(printed)}(?![\d,.])", text), value


def test_north_macedonia_drug_offences_respect_the_series_break(open_book):
    text = page_text(open_book / "public-en" / "html" / "areas" / "drugs" / "countries" / "north-macedonia.html")
    assert "896 b" in text                      # the break is footnoted where it happens
    assert "since the break in series in 2019" in text
    for box in key_judgement_boxes(open_book / "public-en" / "html" / "areas" / "drugs" / "countries" / "north-macedonia.html"):
        assert not any(f"**{term}**" in box or f" {term} that" in box for term in TERMS), box


# ---- the demo data with random holes ----------------------------------------------------------

def test_a_book_with_holes_builds_and_prints_no_nan_or_placeholder(holes):
    for page in holes["html"].rglob("*.html"):
        text = page_text(page)
        assert not re.search(r"\bnan\b|\bNaN\b|<NA>|None\b", text), (holes["seed"], page, re.search(
            r".{60}(\bnan\b|\bNaN\b|<NA>|None\b).{60}", text))
        assert "not computable than" not in text, (holes["seed"], page)


def test_a_missing_value_is_printed_as_not_available_never_zero(holes):
    country, indicator, year = holes["cell"]
    ref = Reference(Project(data_dir=DEMO_2016))
    slug = ref.countries.at[country, "slug"]
    area = ref.indicators.at[indicator, "area_id"]
    text = page_text(holes["html"] / "areas" / area / "countries" / f"{slug}.html")
    name = ref.indicators.at[indicator, "name_en"]
    table = text.split("indicators for", 1)[1]
    header = [int(y) for y in table.split("Indicator Unit", 1)[1].split("Per 100,000")[0].split()]
    row = table.split("Per 100,000", 1)[1].split(f"{name} {ref.indicators.at[indicator, 'unit']}", 1)[1].split()
    assert int(year) in header, (holes["seed"], header)
    assert row[header.index(int(year))] == ":", (holes["seed"], holes["cell"], row[:6])


def test_an_indicator_with_no_data_says_so(holes):
    ref = Reference(Project(data_dir=DEMO_2016))
    indicator = holes["gone_indicator"]
    area = ref.indicators.at[indicator, "area_id"]
    text = page_text(holes["html"] / "areas" / area / "index.html")
    assert f"No data on {ref.indicators.at[indicator, 'name_en'].lower()} for the region" in text, holes["seed"]


def test_no_yardstick_term_where_the_data_cannot_support_one(holes):
    """Every key-judgement box either uses a yardstick term on a trend that supports it, or says plainly
    that the data cannot support a judgement, and then uses no likelihood term at all."""
    boxes = 0
    for page in holes["html"].rglob("*.html"):
        for box in key_judgement_boxes(page):
            boxes += 1
            if "cannot support a judgement" in box or "No judgement" in box:
                assert not any(re.search(rf"\*\*{t}\*\*|\b(It is|There is a) {t}( \(\d+–\d+%\))? that", box)
                               for t in TERMS), box
            else:
                # the term with its range: "It is likely (55–75%) that the threat from …"
                assert re.search(r"(It is|There is a) (" + "|".join(TERMS) + r") \(\d+–\d+%\) that the threat from", box), box
    assert boxes >= 7


def test_regional_totals_leave_out_years_a_country_did_not_report(holes):
    ref = Reference(Project(data_dir=DEMO_2016))
    lagging = ref.countries.at[holes["lagging"], "name_en"]
    area = next(a for a in ref.top_areas.index if ref.indicators["area_id"].eq(a).any()
                and ref.indicators[ref.indicators["area_id"].eq(a)].index.difference([holes["gone_indicator"]]).size)
    text = page_text(holes["html"] / "areas" / area / "index.html")
    assert "No regional total for" in text and lagging in text, holes["seed"]


def test_an_area_without_experts_says_harm_is_not_scored(holes):
    country, area = holes["no_experts"]
    ref = Reference(Project(data_dir=DEMO_2016))
    text = page_text(holes["html"] / "areas" / area / "countries" / f"{ref.countries.at[country, 'slug']}.html")
    assert "so its harm is not scored" in text


def test_flagged_values_are_printed_and_drawn_as_published(holes):
    country, indicator = holes["flagged"]
    ref = Reference(Project(data_dir=DEMO_2016))
    slug = ref.countries.at[country, "slug"]
    area = ref.indicators.at[indicator, "area_id"]
    page = page_text(holes["html"] / "areas" / area / "countries" / f"{slug}.html")
    table = page.split("indicators for", 1)[1]
    row = table.split(f"{ref.indicators.at[indicator, 'name_en']} {ref.indicators.at[indicator, 'unit']}", 1)[1].split()
    assert row[1] == "<5", (holes["seed"], holes["flagged"], row[:10])   # 2021 as published
    assert row[2] == "b" or row[3] == "b", row[:10]                                              # 2022 break
    for words in ("<N published only as below N", "y part of the year only", "b break in series", "e estimated value",
                  "An open downward triangle marks a value published only as below that level.",
                  "An open circle is a figure for part of the year only"):
        assert words in page, (holes["seed"], holes["flagged"], words)
