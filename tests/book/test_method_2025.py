"""The demo on the EU-SOCTA 2025 method profile (data/demo-2025), built public and restricted: the ten crime
areas have their chapters, the methodology names the profile, the conclusions map every area but property
crime onto an EMPACT priority, every tactic is measured, and the OCG chapter has its map."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest


def text(page: Path) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def public(method_2025) -> Path:
    return method_2025 / "public-en" / "html"


def test_the_new_crime_areas_have_their_chapters(public):
    for area in ("firearms", "online_fraud", "cyber_attacks", "online_cse", "environmental"):
        assert (public / "areas" / area / "index.html").is_file(), area
        assert (public / "areas" / area / "countries" / "serbia.html").is_file(), area
    firearms = text(public / "areas" / "firearms" / "index.html")
    assert "Firearms trafficking — Regional overview" in firearms and "Firearms seized" in firearms
    assert not (public / "areas" / "cyber").exists()   # the 2016 profile's cybercrime is split in three


def test_the_methodology_names_the_profile_and_its_source(public):
    page = text(public / "methodology.html")
    assert "This edition follows the method profile “After EU-SOCTA 2025” ( data/reference/methods/eu-socta-2025/ )" \
        in page
    assert "Europol does not publish its network indicators or their scales" in page
    assert "Recruitment of young people online" in page and "provisional" in page


def test_the_conclusions_map_the_new_areas_onto_empact(public):
    page = text(public / "conclusions.html")
    assert re.search(r"\d+ Firearms trafficking Tier \d Firearms and explosives", page), page[:2000]
    assert re.search(r"\d+ Waste and environmental crime Tier \d Environmental crime", page)
    assert "corresponds to no EMPACT 2026–2029 priority: property crime." in page
    assert ("1 EMPACT 2026–2029 priority has no crime area in this assessment: “Most threatening criminal networks "
            "and individuals”.") in page


def test_every_tactic_is_measured_and_the_map_is_drawn(public, method_2025):
    factors = text(public / "factors.html")
    assert "Every tactic of the method in force is measured by an OCG indicator." in factors
    assert "Exploitation of young people recruited online" in factors
    region = (public / "ocg" / "index.html").read_text(encoding="utf-8")
    assert 'id="fig-ocg-region-map"' in region
    assert "This public edition shows no place where fewer than 5 groups are based or operate" in text(
        public / "ocg" / "index.html")
    restricted = method_2025 / "restricted-en" / "html"
    ocg = text(restricted / "ocg" / "index.html")
    assert "Most groups of the region are based in" in ocg and "Groups by place where they are based and operate" in ocg
