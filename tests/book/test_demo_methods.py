"""The two methods the demos are built on. The default demo (data/demo), on the EU-SOCTA 2025 method profile,
as `make report` builds it, public and restricted: the ten crime areas have their chapters, the methodology
names the profile, the conclusions map every area but property crime onto an EMPACT priority, every tactic is
measured, and the OCG chapter has its map. The demo on the 2016 regional method (data/demo-2016) still builds
whole (the ``holes`` book, with its gaps): its methodology says so, and its areas are the 2016 report's."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest


def text(page: Path) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def public(book) -> Path:
    return book


def test_the_new_crime_areas_have_their_chapters(public):
    for area in ("firearms", "online_fraud", "cyber_attacks", "online_cse", "environmental"):
        assert (public / "areas" / area / "index.html").is_file(), area
        assert (public / "areas" / area / "countries" / "serbia.html").is_file(), area
    firearms = text(public / "areas" / "firearms" / "index.html")
    assert "Firearms trafficking — Regional overview" in firearms and "Firearms seized" in firearms
    assert not (public / "areas" / "cyber").exists()   # the 2016 profile's cybercrime is split in three


def test_the_methodology_names_the_profile_and_its_source(public):
    page = text(public / "methodology.html")
    assert "This edition follows the method profile “After EU-SOCTA 2025”: " in page
    assert "Europol does not publish its network indicators or their scales" in page
    assert "Recruitment of young people online" in page and "provisional" in page


def test_the_conclusions_map_the_new_areas_onto_empact(public):
    page = text(public / "conclusions.html")
    assert re.search(r"\d+ Firearms trafficking Tier \d Firearms and explosives", page), page[:2000]
    assert re.search(r"\d+ Waste and environmental crime Tier \d Environmental crime", page)
    assert "corresponds to no EMPACT 2026–2029 priority: property crime." in page
    assert ("“Most threatening criminal networks and individuals” concerns the groups rather than a crime area: the "
            "chapter on the organised crime groups assesses them. Every other EMPACT 2026–2029 priority has a crime "
            "area in this assessment.") in page


def test_every_tactic_is_measured_and_the_map_is_drawn(public, restricted):
    factors = text(public / "factors.html")
    assert "Every tactic of the method in force is measured by an OCG indicator." in factors
    assert "Exploitation of young people recruited online" in factors
    region = (public / "ocg" / "index.html").read_text(encoding="utf-8")
    assert 'id="fig-ocg-region-map"' in region
    assert "This public edition shows no place where fewer than 5 groups are based or operate" in text(
        public / "ocg" / "index.html")
    ocg = text(restricted / "ocg" / "index.html")
    assert "Most groups of the region are based in" in ocg and "Groups by place where they are based and operate" in ocg
    places = ocg[ocg.index("Groups by place where they are based and operate"):]
    places = places[:places.index("Source:")]
    assert " Tirana Albania " in places and " ALB " not in places, "a neighbour by its name, not its code"


def test_the_2016_method_still_builds_whole(holes):
    html = holes["html"]
    assert "This edition follows the method of the 2016 regional SOCTA" in text(html / "methodology.html")
    assert (html / "areas" / "cyber" / "index.html").is_file()   # the 2016 report's cybercrime, one area
    assert not (html / "areas" / "firearms").exists()
    assert (html / "factors.html").is_file() and 'id="fig-ocg-region-map"' in (html / "ocg" / "index.html").read_text(
        encoding="utf-8")
