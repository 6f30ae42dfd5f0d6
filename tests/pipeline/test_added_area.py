"""A crime area added by reference files only (issue 21): a firearms area, its indicator with a breakdown
by category and its names per language in the data folder's ``reference/names.csv``, on the open data.
The area template runs for it in English and Serbian; the Serbian page prints the Serbian names, and
validation lists what is still untranslated, per language."""
from __future__ import annotations

import csv
import shutil

import pytest
import yaml

from socta.core.config import Project
from socta.i18n.translate import set_language
from socta.ingest.reference import Reference

from ..helpers import REPO
from .test_breakdowns import run_area

NAMES = {("area", "firearms"): ("Firearms trafficking", "Трговина ватреним оружјем"),
         ("indicator", "firearms_seized"): ("Firearms seized", "Заплењено ватрено оружје"),
         ("category", "pistols"): ("Pistols", "Пиштољи"),
         ("category", "rifles"): ("Rifles", "Пушке"),
         ("unit", "weapons"): ("weapons", "комада оружја")}

# invented values of a test fixture, as its source says: the shapes real firearms figures come in
# (a number, "<5", not published), never a publication's numbers
ROWS = [("MNE", 2020, "pistols", "<5", ""), ("MNE", 2020, "rifles", "12", ""), ("MNE", 2021, "pistols", "7", ""),
        ("MNE", 2021, "rifles", "", "O"), ("SRB", 2021, "pistols", "40", ""), ("SRB", 2021, "rifles", "9", "")]


def append(path, rows):
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture
def firearms(tmp_path):
    folder = tmp_path / "open"
    shutil.copytree(REPO / "data" / "open", folder, ignore=shutil.ignore_patterns("raw"))
    meta = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    meta |= {"name": "Open data with an invented firearms area (test fixture)", "synthetic": True}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    append(folder / "reference" / "crime_areas.csv", [("firearms", "", "Firearms trafficking", 9, "Firearms trafficking")])
    append(folder / "reference" / "indicators.csv",
           [("firearms_seized", "firearms", "Firearms seized", "weapons", "count", "", "pistols|rifles", "true")])
    append(folder / "reference" / "names.csv", [(kind, key, sr, "", "") for (kind, key), (_, sr) in NAMES.items()])
    with (folder / "statistics.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    append(folder / "statistics.csv", [
        [{"country": c, "year": y, "indicator": "firearms_seized", "category": cat, "value": v, "unit": "weapons",
          "source": "Test fixture (invented values, not a publication)", "grade": "B2", "handling_code": "H0",
          "status": s}.get(column, "") for column in header] for c, y, cat, v, s in ROWS])
    return folder


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_an_area_added_by_reference_files_builds_in_each_language(firearms, tmp_path, monkeypatch, lang):
    try:
        figures, shown, result = run_area(firearms, tmp_path, monkeypatch, "MNE", "firearms", lang=lang)
    finally:
        set_language("en")
    fig, caption = figures["firearms_seized"]
    title = fig.axes[0].get_title(loc="left")
    english, serbian = NAMES[("indicator", "firearms_seized")]
    assert title.startswith(english if lang == "en" else serbian)
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]  # top to bottom, as stacked
    assert labels == (["Rifles", "Pistols"] if lang == "en" else ["Пушке", "Пиштољи"])
    text = "\n".join(shown)
    if lang == "sr":
        assert not any(name in text for name, _ in NAMES.values() if name != "weapons")
        assert "Трговина ватреним оружјем" in text or serbian in text
    marks = {round(t.xy[0]): t.get_text() for t in fig.axes[0].texts}
    na = "n/a" if lang == "en" else "н/д"
    assert marks.pop(2020) == "+<5" and marks.pop(2021) == na
    assert set(marks.values()) == {na} and len(marks) == 7  # no rows at all: "not published", never a bar of 0


def test_validation_lists_the_names_still_untranslated_per_language(firearms):
    warnings = Reference(Project(data_dir=firearms)).untranslated(["en", "sr", "sr-Latn", "mk", "cnr"])
    assert len(warnings) == 2 and not any("no sr translation" in w for w in warnings)  # sr-Latn reads sr
    mk = next(w for w in warnings if "no mk translation" in w)
    # the area's and the indicator's names are in the catalogues since the 2025 method profile has them
    assert mk.startswith("names.csv: 3 name(s) have no mk translation: category pistols ('Pistols'), category rifles "
                         "('Rifles'), unit weapons ('weapons')")
    assert "Firearms trafficking" not in mk
    assert "column 'mk'" in mk
