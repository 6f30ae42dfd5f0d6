"""The regional priorities against the EU's EMPACT priorities (empact_priorities.csv, area_empact.csv): the
sentences follow the configuration and say the opposite when it does; a wrong id is refused by file, row
and column."""
from __future__ import annotations

import pytest

from socta.core.config import ConfigError, Project
from socta.ingest.reference import Reference
from socta.pages.conclusions import ConclusionsPage

from .test_findings import REFERENCE, data_with, make, text_of

ALL_AREAS = "area_id,priority_id\ndrugs,drugs\nmigrant_smuggling,migrant_smuggling_thb\nthb,migrant_smuggling_thb\n" \
            "economic,economic_financial\ncyber,online_crime\nproperty,criminal_networks\n"


def priorities(*ids: str, status: str = "verified") -> str:
    rows = [line for line in (REFERENCE / "empact_priorities.csv").read_text(encoding="utf-8").splitlines()[1:]
            if line.split(",")[0] in ids]
    head = (REFERENCE / "empact_priorities.csv").read_text(encoding="utf-8").splitlines()[0]
    return "\n".join([head, *(line.replace(",unverified,", f",{status},") for line in rows)]) + "\n"


def test_the_demo_against_empact(processed, said):
    """Demo ranking: drugs first (Drugs); property crime (rank 6) has no EMPACT priority; firearms and
    environmental crime have no crime area; the networks' priority concerns the groups, which the OCG chapter
    assesses; the shipped list is marked unverified."""
    make(ConclusionsPage, processed["public"]).empact("region")
    text = text_of(said)
    assert "| 1 | Drug trafficking | Tier 1 | Drugs |" in text and "| 6 | Property crime | Tier 3 | — |" in text
    assert "The highest-priority threat, drug trafficking, corresponds to the EMPACT priority “Drugs”." in text
    assert "1 ranked crime area corresponds to no EMPACT 2026–2029 priority: property crime." in text
    assert ("“Most threatening criminal networks and individuals” concerns the groups rather than a crime area: the "
            "chapter on the organised crime groups assesses them.") in text
    assert ("2 EMPACT 2026–2029 priorities have no crime area in this assessment: “Firearms and explosives” and "
            "“Environmental crime”.") in text
    assert "not yet checked against the Council's decision: a provisional reading." in text


def test_a_complete_and_checked_mapping_says_so(processed, tmp_path, said):
    folder = data_with(tmp_path, area_empact__csv=ALL_AREAS,
                       empact_priorities__csv=priorities("criminal_networks", "online_crime", "drugs",
                                                         "migrant_smuggling_thb", "economic_financial"))
    make(ConclusionsPage, processed["public"], data_dir=folder).empact("region")
    text = text_of(said)
    assert "Every ranked crime area corresponds to an EMPACT 2026–2029 priority." in text
    assert "Every EMPACT 2026–2029 priority has a crime area in this assessment." in text
    assert "provisional reading" not in text, text
    assert "| 6 | Property crime | Tier 3 | Most threatening criminal networks" in text


def test_the_networks_priority_is_the_groups_chapter_only_where_there_is_a_register(processed, tmp_path, said):
    """Without the OCG register there is no chapter of the groups: the networks' priority has no coverage; a
    value of assessed_in other than ocg or empty is refused by file, row and column."""
    folder = data_with(tmp_path, area_empact__csv=ALL_AREAS.replace("property,criminal_networks\n", ""),
                       empact_priorities__csv=priorities("criminal_networks", "online_crime", "drugs",
                                                         "migrant_smuggling_thb", "economic_financial"))
    make(ConclusionsPage, processed["public"], data_dir=folder).empact("region")
    assert ("“Most threatening criminal networks and individuals” concerns the groups rather than a crime area: the "
            "chapter on the organised crime groups assesses them. Every other EMPACT 2026–2029 priority has a crime "
            "area in this assessment.") in text_of(said)
    (folder / "ocg_register.csv").unlink(missing_ok=True)
    said.clear()
    page = make(ConclusionsPage, processed["public"], data_dir=folder)
    page.has_input = lambda name: name != "ocg_register.csv"
    page.empact("region")
    assert ("1 EMPACT 2026–2029 priority has no crime area in this assessment: “Most threatening criminal networks and "
            "individuals”.") in text_of(said)
    bad = priorities("drugs").replace(",,verified,", ",groups,verified,")
    folder = data_with(tmp_path / "bad", empact_priorities__csv=bad)
    with pytest.raises(ConfigError) as caught:
        _ = Reference(Project(data_dir=folder)).empact
    assert "empact_priorities.csv, row 2, column 'assessed_in': 'groups' is not one of 'ocg'" in str(caught.value)


def test_the_first_priority_outside_empact(processed, tmp_path, said):
    folder = data_with(tmp_path, area_empact__csv=ALL_AREAS.replace("drugs,drugs\n", ""))
    make(ConclusionsPage, processed["public"], data_dir=folder).empact("region")
    text = text_of(said)
    assert "The highest-priority threat, drug trafficking, corresponds to none of the EMPACT 2026–2029 priorities." in text
    assert "1 ranked crime area corresponds to no EMPACT 2026–2029 priority: drug trafficking." in text
    assert "3 EMPACT 2026–2029 priorities have no crime area in this assessment: “Drugs”," in text


@pytest.mark.parametrize("row, column, words", [
    ("drug,drugs", "area_id", "'drug' is not a top-level area_id of crime_areas.csv"),
    ("cocaine,drugs", "area_id", "'cocaine' is not a top-level area_id of crime_areas.csv"),
    ("drugs,narcotics", "priority_id", "'narcotics' is not a priority_id of empact_priorities.csv"),
])
def test_a_wrong_id_is_refused_by_file_row_and_column(tmp_path, row, column, words):
    folder = data_with(tmp_path, area_empact__csv=f"area_id,priority_id\ncyber,online_crime\n{row}\n")
    with pytest.raises(ConfigError) as caught:
        _ = Reference(Project(data_dir=folder)).area_empact
    assert f"area_empact.csv, row 3, column '{column}': {words}" in str(caught.value)


def test_the_shipped_mapping_skips_an_area_a_folder_left_out(tmp_path):
    """A data folder with its own crime_areas.csv (no cybercrime) still reads the shipped area_empact.csv."""
    areas = (REFERENCE / "crime_areas.csv").read_text(encoding="utf-8")
    folder = data_with(tmp_path, crime_areas__csv="\n".join(line for line in areas.splitlines()
                                                               if not line.startswith("cyber,")) + "\n")
    mapping = Reference(Project(data_dir=folder)).area_empact
    assert "cyber" not in mapping and mapping["drugs"] == "drugs"


def test_the_methodology_prints_the_list_in_force(processed, tmp_path, said):
    from socta.pages.methodology import MethodologyPage

    make(MethodologyPage, processed["public"]).empact_table()
    text = text_of(said)
    assert "| Migrant smuggling and trafficking in human beings | Migrant smuggling and Trafficking in human beings | " \
           "unverified |" in text
    assert "| Firearms and explosives | — | unverified |" in text
    assert "| Most threatening criminal networks and individuals | the chapter on the organised crime groups | " \
           "unverified |" in text
    said.clear()
    folder = data_with(tmp_path, area_empact__csv="area_id,priority_id\nproperty,criminal_networks\n",
                       empact_priorities__csv=priorities("criminal_networks"))
    make(MethodologyPage, processed["public"], data_dir=folder).empact_table()
    assert "| Most threatening criminal networks and individuals | Property crime | verified |" in text_of(said)
