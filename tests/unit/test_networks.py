"""The groups as networks: where they are based and operate (ocg_places.csv, places.csv, the shipped
boundaries), how long they have been known, the public edition's disclosure control of both, and the map.
Counts are computed here by hand from the demo's CSV files and compared with the processed tables."""
from __future__ import annotations

import csv

import matplotlib
import pandas as pd
import pytest

from socta.analysis.scoring import linked_groups, longevity_band, longevity_bands, ocg_places
from socta.core.config import REGION, ConfigError, Project
from socta.ingest.reference import Reference
from socta.ingest.validation import validate
from socta.pages.ocg import OcgPage

from ..conftest import DEMO_DIR, copy_demo
from .test_findings import data_with, make, text_of

matplotlib.use("Agg")


def rows_of(name: str) -> list[dict]:
    with open(DEMO_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def problems_of(folder) -> list[str]:
    return [str(p) for p in validate(Project(data_dir=folder)).problems]


# ---- the bands of longevity -----------------------------------------------------------------

@pytest.mark.parametrize("years, band", [(0, "under_5"), (4, "under_5"), (5, "5_to_10"), (10, "5_to_10"),
                                         (11, "over_10"), (30, "over_10"), (float("nan"), "unknown")])
def test_longevity_bands_by_hand(years, band):
    assert longevity_bands([5, 10]) == ["under_5", "5_to_10", "over_10"]
    assert longevity_band(years, [5, 10]) == band


def test_three_edges_make_four_bands():
    assert longevity_bands([3, 5, 10]) == ["under_3", "3_to_5", "5_to_10", "over_10"]
    assert longevity_band(4, [3, 5, 10]) == "3_to_5" and longevity_band(6, [3, 5, 10]) == "5_to_10"


@pytest.mark.parametrize("edges", [[10, 5], [0, 5], [5, 5], ["5"], []])
def test_longevity_edges_must_rise(tmp_path, edges):
    folder = data_with(tmp_path, settings=lambda s: s["networks"].update(longevity_years=edges))
    with pytest.raises(ConfigError, match="networks.longevity_years is .*whole numbers of years, above 0 and rising"):
        _ = Project(data_dir=folder).settings


def test_the_demo_longevity_counted_by_hand(demo_processing):
    """Years since first reported = 2024 − first_reported, from the register's CSV."""
    register = rows_of("ocg_register.csv")
    last = demo_processing.project.years[1]
    summary = demo_processing.tables["restricted"]["ocg_summary"]
    for scope in ("SRB", "MNE", "MKD", REGION):
        groups = [r for r in register if scope == REGION or r["country"] == scope]
        years = [last - int(r["first_reported"]) for r in groups]
        expected = {"under_5": sum(y < 5 for y in years), "5_to_10": sum(5 <= y <= 10 for y in years),
                    "over_10": sum(y > 10 for y in years)}
        got = summary[summary["scope"].eq(scope) & summary["measure"].eq("longevity")].set_index("category")["count"]
        assert got.astype(int).to_dict() == expected, scope
    region = summary[summary["scope"].eq(REGION) & summary["measure"].eq("longevity")].set_index("category")["count"]
    assert int(region.sum()) == len(register) == 83


# ---- places: counted by hand, and the public edition's disclosure control ----------------------

def test_the_demo_places_counted_by_hand(demo_processing):
    register = {r["ocg_id"]: r["country"] for r in rows_of("ocg_register.csv")}
    places = rows_of("ocg_places.csv")
    table = demo_processing.tables["restricted"]["ocg_places"].set_index(["scope", "role", "place"])["groups"]
    for scope in ("SRB", "MNE", "MKD", REGION):
        mine = [p for p in places if scope == REGION or register[p["ocg_id"]] == scope]
        for role in ("base", "activity"):
            for place in {p["place"] for p in mine if p["role"] == role}:
                expected = len({p["ocg_id"] for p in mine if p["role"] == role and p["place"] == place})
                assert table[(scope, role, place)] == expected, (scope, role, place)
        based = {p["ocg_id"] for p in mine if p["role"] == "base"}
        groups = [g for g, c in register.items() if scope == REGION or c == scope]
        assert table[(scope, "base", "")] == len([g for g in groups if g not in based])
        # a group has one base at most: the bases and the groups of no known base are all the groups
        bases = table.loc[scope].loc["base"]
        assert int(bases.sum()) == len(groups)
    assert table[("SRB", "base", "belgrade")] > 0 and table[("MKD", "base", "belgrade")] == 0


def test_a_tiny_register_by_hand():
    """Two groups of Serbia, one of Montenegro: one based in Belgrade and active in Podgorica, one with
    no base, one based in Podgorica."""
    from types import SimpleNamespace

    ref = SimpleNamespace(countries=pd.DataFrame(index=["SRB", "MNE"]), places=pd.DataFrame(index=["belgrade", "podgorica"]))
    register = pd.DataFrame({"ocg_id": ["SRB-OCG-001", "SRB-OCG-002", "MNE-OCG-001"], "country": ["SRB", "SRB", "MNE"]})
    places = pd.DataFrame({"ocg_id": ["SRB-OCG-001", "SRB-OCG-001", "MNE-OCG-001"],
                           "place": ["belgrade", "podgorica", "podgorica"], "role": ["base", "activity", "base"]})
    got = ocg_places(register, places, ref).set_index(["scope", "role", "place"])["groups"].to_dict()
    assert got[("SRB", "base", "belgrade")] == 1 and got[("SRB", "base", "")] == 1
    assert got[("SRB", "activity", "podgorica")] == 1 and got[("SRB", "base", "podgorica")] == 0
    assert got[("MNE", "base", "podgorica")] == 1 and got[("MNE", "base", "")] == 0
    assert got[(REGION, "base", "podgorica")] == 1 and got[(REGION, "base", "")] == 1
    assert got[(REGION, "activity", "podgorica")] == 1 and got[(REGION, "activity", "belgrade")] == 0


def test_the_public_edition_names_a_place_only_with_a_count_it_may_print(demo_processing):
    """No public row of ocg_places is below the threshold, hidden, or zero; the restricted edition has them
    all; the audit of the whole count model (places included) finds nothing to recover."""
    from socta.process.disclosure_policy import count_model

    project, tables = demo_processing.project, demo_processing.tables
    public, restricted = tables["public"]["ocg_places"], tables["restricted"]["ocg_places"]
    assert public["groups"].astype(float).ge(5).all() and not public["suppressed"].any()
    assert len(public) < len(restricted) and (restricted["groups"] == 0).any() and (restricted["groups"].between(1, 4)).any()
    model = count_model({k: v for k, v in tables["restricted"].items() if k.startswith("ocg_")},
                        project.settings["ocg_scoring"]["bands"], ["SRB", "MNE", "MKD"])
    hidden = model.suppress(5)
    hidden_places = {k for k in hidden if k[0] == "ocg_places"}
    assert any(0 < model.values[k] < 5 for k in hidden_places)   # the proof covers small counts per place
    shown = {("ocg_places", *k) for k in public[["scope", "role", "place"]].itertuples(index=False)}
    assert not shown & hidden
    assert model.audit(hidden, 5) == []
    # Montenegro: 19 groups based in Podgorica and 2 of no known base; the 2 are hidden, so the 19 are too
    exact = restricted.set_index(["scope", "role", "place"])["groups"]
    assert exact[("MNE", "base", "")] < 5 and ("ocg_places", "MNE", "base", "podgorica") in hidden


# ---- validation: every problem by file, row and column --------------------------------------------

PLACES_HEAD = "ocg_id,place,role,grade,handling_code\n"


@pytest.mark.parametrize("row, expected", [
    ("SRB-OCG-999,belgrade,base,B2,H0", "ocg_places.csv, row 2, column 'ocg_id': 'SRB-OCG-999': no OCG with this id"),
    ("SRB-OCG-001,belgrad,base,B2,H0", "ocg_places.csv, row 2, column 'place': 'belgrad'"),
    ("SRB-OCG-001,belgrade,home,B2,H0", "ocg_places.csv, row 2, column 'role': 'home'"),
    ("SRB-OCG-001,tirana,activity,B2,H0", "ocg_places.csv, row 2, column 'place': 'tirana': is in ALB, where "
                                          "SRB-OCG-001 is not active"),
])
def test_a_bad_place_row_is_named(tmp_path, row, expected):
    folder = copy_demo(tmp_path / "data")
    (folder / "ocg_places.csv").write_text(PLACES_HEAD + row + "\n", encoding="utf-8")
    problems = problems_of(folder)
    assert any(expected in p for p in problems), problems


def test_a_second_base_is_refused(tmp_path):
    folder = copy_demo(tmp_path / "data")
    (folder / "ocg_places.csv").write_text(PLACES_HEAD + "SRB-OCG-001,belgrade,base,B2,H0\n"
                                           "SRB-OCG-001,nis,base,B2,H0\n", encoding="utf-8")
    problems = problems_of(folder)
    assert any("ocg_places.csv, row 3, column 'role': 'base': SRB-OCG-001 already has a base on row 2" in p
               for p in problems), problems


def test_places_without_a_register_are_refused(tmp_path):
    folder = copy_demo(tmp_path / "data")
    (folder / "ocg_register.csv").unlink()
    (folder / "ocg_answers.csv").unlink()
    assert any("places without ocg_register.csv" in p for p in problems_of(folder))


def test_a_folder_without_places_or_relations_is_valid_and_the_page_says_so(tmp_path, demo_processing, said):
    folder = copy_demo(tmp_path / "data")
    (folder / "ocg_places.csv").unlink()
    (folder / "ocg_relations.csv").unlink()
    project = Project(data_dir=folder, build_dir=tmp_path / "build")
    result = validate(project)
    assert result.ok
    from socta.process.tables import write_processed

    folders = write_processed(project, result)
    page = make(OcgPage, folders["restricted"], audience="restricted", data_dir=folder)
    assert page.place_counts().empty
    page.no_map()
    assert "No places of the groups (ocg_places.csv) are part of this dataset" in text_of(said)
    assert page.links_text().startswith("No relations between the groups (ocg_relations.csv) are part of this dataset")
    summary = pd.read_parquet(folders["restricted"] / "ocg_summary.parquet")
    assert not summary["measure"].str.startswith("linked").any()   # not known is not "no"


@pytest.mark.parametrize("text, expected", [
    ("belgrade,SRB,Belgrade,144.8,20.5,x\n", "places.csv, row 2, column 'latitude': 144.8 is not a latitude"),
    ("belgrade,SRB,Belgrade,44.8,,x\n", "places.csv, row 2, column 'longitude'"),
    ("../x,SRB,Belgrade,44.8,20.5,x\n", "places.csv, row 2, column 'place_id': '../x' is not a valid place_id"),
])
def test_a_bad_place_of_the_reference_is_refused(tmp_path, text, expected):
    folder = data_with(tmp_path, places__csv="place_id,country,name_en,latitude,longitude,source\n" + text)
    with pytest.raises(ConfigError) as caught:
        _ = Reference(Project(data_dir=folder)).places
    assert expected in str(caught.value)


@pytest.mark.parametrize("text, expected", [
    ("not json", "not a GeoJSON file"),
    ('{"type": "Feature"}', "a GeoJSON FeatureCollection is expected"),
    ('{"type": "FeatureCollection", "features": [{"properties": {}, "geometry": {"type": "Polygon", '
     '"coordinates": [[[1, 2], [3, 4], [5, 6]]]}}]}', "feature 1: a Polygon or MultiPolygon with the property ADM0_A3"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"ADM0_A3": "<b>"}, "geometry": {"type": "Point", '
     '"coordinates": [1, 2]}}]}', "feature 1: a Polygon or MultiPolygon"),
    ('{"type": "FeatureCollection", "features": [{"properties": {"ADM0_A3": "SRB"}, "geometry": {"type": "Polygon", '
     '"coordinates": [[[Infinity, 2], [3, 4], [5, 6]]]}}]}', "feature 1: .*not a longitude and latitude"),
])
def test_a_bad_boundary_file_is_refused(tmp_path, text, expected):
    folder = data_with(tmp_path, boundaries__geojson=text)
    with pytest.raises(ConfigError, match=expected):
        _ = Reference(Project(data_dir=folder)).boundaries


def test_the_shipped_boundaries_hold_the_region_and_its_neighbours():
    codes = [code for code, _ in Reference(Project(data_dir=DEMO_DIR)).boundaries]
    assert {"SRB", "MNE", "MKD", "ALB", "BIH", "HRV", "BGR", "GRC"} <= set(codes)


# ---- the page ---------------------------------------------------------------------------------

def test_the_restricted_map_and_its_words(processed, said):
    page = make(OcgPage, processed["restricted"], audience="restricted")
    places = page.place_counts()
    register = {r["ocg_id"] for r in rows_of("ocg_places.csv") if r["role"] == "base"}
    skopje = sum(1 for r in rows_of("ocg_places.csv") if r["role"] == "base" and r["place"] == "skopje")
    assert places.set_index("place").at["skopje", "based"] == skopje == 22 and len(register) == 70
    assert page.places_text(places) == "Most groups of the region are based in Skopje: 22 groups. 13 groups have no known base."
    assert page.map_alt(places) == ("Map of the region with its neighbours; most groups are based in Skopje (22); most "
                                    "groups operate in Podgorica and Skopje (9 groups each).")
    fig = page.map_figure(places)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    assert "Skopje (22 / 9)" in labels and "Zagreb (– / 5)" in labels and "SERBIA" in labels
    assert len(ax.collections) == 3   # the countries, the bases, the rings
    assert "13 / 7" in " ".join(labels)   # Belgrade: 13 based, 7 operating


def test_the_public_map_shows_only_published_places(processed, said):
    page = make(OcgPage, processed["public"])
    places = page.place_counts()
    assert set(places["place"]) == {"skopje", "belgrade", "podgorica", "tirana", "sarajevo"}
    assert places["based"].dropna().tolist() == [22.0]   # Belgrade's 13 and Podgorica's 19 are hidden
    assert page.places_text(places) == "Of the places shown, most groups of the region are based in Skopje: 22 groups."
    assert "This public edition shows no place where fewer than 5 groups are based or operate" in page.map_caption(places)
    serbia = make(OcgPage, processed["public"], scope="SRB")
    assert serbia.place_counts().empty
    serbia.no_map()
    assert ("No place of the groups of Serbia can be shown in this public edition: none is recorded, or every count "
            "per place is small or would give a small one away") in text_of(said)


def test_the_longevity_sentence_and_its_opposite(processed, tmp_path):
    page = make(OcgPage, processed["restricted"], audience="restricted")
    assert page.longevity_text() == ("9 of the 83 groups (11%) were first reported more than 10 years before 2024: "
                                     "they have been known for a long time.")
    assert make(OcgPage, processed["restricted"], audience="restricted", scope="MNE").longevity_text() == (
        "1 of the 21 groups (5%) was first reported more than 10 years before 2024: it has been known for a long time.")
    from .test_findings import flipped

    def none_old(frame):
        frame.loc[frame["category"].eq("over_10"), "count"] = 0
    folder = flipped(processed["restricted"], tmp_path / "p", "ocg_summary", none_old)
    assert make(OcgPage, folder, audience="restricted").longevity_text() == (
        "None of the 83 groups was first reported more than 10 years before 2024.")
    assert make(OcgPage, processed["public"], scope="SRB").longevity_text() == (
        "How long the groups of Serbia have been active is confidential in this edition.")
    assert [page.longevity_label(c) for c in ("under_5", "5_to_10", "over_10", "unknown")] == [
        "under 5 years", "5 to 10 years", "more than 10 years", "not known"]


# ---- relations between the groups (ocg_relations.csv) -------------------------------------------

RELATIONS_HEAD = "ocg_id,other_ocg_id,kind,grade,handling_code\n"


def test_the_demo_links_counted_by_hand(demo_processing):
    """A group is linked when a cooperation, supply or service row names it on either side; linked abroad
    when the other group was reported by another country. Conflicts link nobody."""
    country = {r["ocg_id"]: r["country"] for r in rows_of("ocg_register.csv")}
    linked, abroad = set(), set()
    for r in rows_of("ocg_relations.csv"):
        if r["kind"] == "conflict":
            continue
        linked |= {r["ocg_id"], r["other_ocg_id"]}
        if country[r["ocg_id"]] != country[r["other_ocg_id"]]:
            abroad |= {r["ocg_id"], r["other_ocg_id"]}
    summary = demo_processing.tables["restricted"]["ocg_summary"].set_index(["scope", "measure", "category"])["count"]
    for scope in ("SRB", "MNE", "MKD", REGION):
        mine = {g for g, c in country.items() if scope == REGION or c == scope}
        assert summary[(scope, "linked", "yes")] == len(mine & linked), scope
        assert summary[(scope, "linked", "no")] == len(mine - linked), scope
        assert summary[(scope, "linked_abroad", "yes")] == len(mine & abroad), scope
    assert summary[(REGION, "linked", "yes")] == 42 and summary[(REGION, "linked_abroad", "yes")] == 26


def test_the_links_sentence_and_its_opposites(processed, tmp_path):
    page = make(OcgPage, processed["restricted"], audience="restricted")
    assert page.links_text() == ("42 of the 83 groups work with other groups as partners, suppliers or providers of "
                                 "crime services; 26 of them with a group that another country reported.")
    from .test_findings import flipped

    def nobody(frame):
        frame.loc[frame["measure"].str.startswith("linked") & frame["category"].eq("yes"), "count"] = 0
    folder = flipped(processed["restricted"], tmp_path / "p", "ocg_summary", nobody)
    assert make(OcgPage, folder, audience="restricted").links_text() == (
        "None of the 83 groups works with another group as a partner, supplier or provider of a crime service.")


@pytest.mark.parametrize("row, expected", [
    ("SRB-OCG-999,SRB-OCG-001,supply,B2,H0", "ocg_relations.csv, row 2, column 'ocg_id': 'SRB-OCG-999': no OCG"),
    ("SRB-OCG-001,SRB-OCG-001,supply,B2,H0", "ocg_relations.csv, row 2, column 'other_ocg_id': 'SRB-OCG-001': is the "
                                             "group itself"),
    ("SRB-OCG-001,SRB-OCG-002,friendship,B2,H0", "ocg_relations.csv, row 2, column 'kind': 'friendship'"),
])
def test_a_bad_relation_is_named(tmp_path, row, expected):
    folder = copy_demo(tmp_path / "data")
    (folder / "ocg_relations.csv").write_text(RELATIONS_HEAD + row + "\n", encoding="utf-8")
    problems = problems_of(folder)
    assert any(expected in p for p in problems), problems


def test_a_link_to_a_group_outside_the_register_is_kept_with_a_warning(tmp_path):
    """One country's data alone: a link to a group another country reported is kept (a link of the registered
    group, not one abroad, since the other's country is unknown); the warning names it, and a near miss of a
    registered id is offered as the id meant."""
    folder = copy_demo(tmp_path / "data")
    (folder / "ocg_relations.csv").write_text(RELATIONS_HEAD + "SRB-OCG-001,ALB-OCG-777,supply,B2,H0\n"
                                              "SRB-OCG-001,SRB-OCG-02,cooperation,B2,H0\n", encoding="utf-8")
    result = validate(Project(data_dir=folder, build_dir=tmp_path / "build"))
    assert result.ok, [str(p) for p in result.problems]
    assert ("ocg_relations.csv: 2 link(s) name a group that ocg_register.csv does not hold: ALB-OCG-777 (row 2); "
            "SRB-OCG-02 (row 3) (did you mean 'SRB-OCG-032'?). Each counts as a link of the registered group, and not "
            "as a link abroad (the other group's country is not known); check the id if the group should be in the "
            "register.") in result.warnings, result.warnings
    register = pd.DataFrame({"ocg_id": ["SRB-OCG-001"], "country": ["SRB"]})
    assert linked_groups(register, pd.DataFrame({"ocg_id": ["SRB-OCG-001"], "other_ocg_id": ["ALB-OCG-777"],
                                                 "kind": ["supply"]})) == ({"SRB-OCG-001", "ALB-OCG-777"}, set())


def test_a_place_far_from_the_region_is_in_the_table_not_on_the_map(processed, tmp_path):
    """A base in Bogotá would stretch the map over the Atlantic: the map keeps to the region and its
    neighbours, and the caption says that the far place is in the table only."""
    from .test_findings import flipped

    folder = data_with(tmp_path, places__csv=(DEMO_DIR.parent / "reference" / "places.csv").read_text(encoding="utf-8")
                       + "bogota,COL,Bogotá,4.6,-74.08,test fixture\n")

    def far(frame):
        frame.loc[len(frame)] = {"scope": REGION, "role": "base", "place": "bogota", "groups": 7, "suppressed": False}
    page = make(OcgPage, flipped(processed["restricted"], tmp_path / "p", "ocg_places", far), audience="restricted",
                data_dir=folder)
    places = page.place_counts()
    assert "bogota" in set(places["place"])
    west, south, east, north = page.map_frame(places)
    assert west > 10 and east < 30 and south > 35   # the region and its neighbours, not Colombia
    assert "1 place lies beyond the map and is in the table only." in page.map_caption(places)
    labels = {t.get_text() for t in page.map_figure(places).axes[0].texts}
    assert not any(label.startswith("Bogotá") for label in labels)


def test_a_group_first_reported_after_the_period_is_refused(tmp_path):
    folder = copy_demo(tmp_path / "data")
    path = folder / "ocg_register.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[7] = "2025"   # first_reported; the demo's period ends in 2024
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert any("ocg_register.csv, row 2, column 'first_reported': '2025': is after the period 2014–2024" in p
               for p in problems_of(folder))


def test_a_header_alone_says_none_recorded(tmp_path, said):
    """ocg_places.csv and ocg_relations.csv with their header only: valid (nothing recorded, not a mistake);
    the restricted map says no place is recorded, the links sentence that no group works with another."""
    folder = copy_demo(tmp_path / "data")
    (folder / "ocg_places.csv").write_text("ocg_id,place,role,grade,handling_code\n", encoding="utf-8")
    (folder / "ocg_relations.csv").write_text("ocg_id,other_ocg_id,kind,grade,handling_code\n", encoding="utf-8")
    project = Project(data_dir=folder, build_dir=tmp_path / "build")
    result = validate(project)
    assert result.ok, [str(p) for p in result.problems]
    from socta.process.tables import write_processed

    folders = write_processed(project, result)
    page = make(OcgPage, folders["restricted"], audience="restricted", data_dir=folder)
    assert page.place_counts().empty
    page.no_map()
    assert "No place where a group of the region is based or operates is recorded." in text_of(said)
    assert page.links_text() == ("None of the 83 groups works with another group as a partner, supplier or provider "
                                 "of a crime service.")
    (folder / "ocg_places.csv").write_text("ocg_id,place\n", encoding="utf-8")   # a header lacking columns: refused
    assert any(p.startswith("ocg_places.csv: has a header row but no data rows") for p in
               [str(p) for p in validate(Project(data_dir=folder, build_dir=tmp_path / "b2")).problems])
