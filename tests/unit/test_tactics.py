"""How the groups operate across crime areas (tactics.csv, EU-SOCTA 2025's tactics): counts by hand from the
demo's CSV files, the public edition's disclosure control, the sentences and their opposites, and a wrong
configuration refused by file, row and column."""
from __future__ import annotations

import csv

import pytest

from socta.core.config import ConfigError, Project
from socta.ingest.reference import Reference
from socta.pages.factors import FactorsPage

from ..conftest import DEMO_DIR
from .test_findings import REFERENCE, data_with, make

TACTICS = (REFERENCE / "tactics.csv").read_text(encoding="utf-8")


def rows_of(name: str) -> list[dict]:
    with open(DEMO_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def top_area(area: str) -> str:
    parents = {r["area_id"]: r["parent_id"] for r in csv.DictReader(open(REFERENCE / "crime_areas.csv", encoding="utf-8"))}
    return parents[area] or area


def test_the_demo_tactics_counted_by_hand(demo_processing):
    register = rows_of("ocg_register.csv")
    answers = {(r["ocg_id"], r["indicator"]): r["answer"] for r in rows_of("ocg_answers.csv")}
    table = demo_processing.tables["restricted"]["ocg_tactics"].set_index(["area", "tactic"])
    for area, tactic, indicator in (("drugs", "lbs", "lbs"), ("property", "violence", "violence"),
                                    ("cyber", "finance", "money_laundering")):
        groups = [g["ocg_id"] for g in register if area in {top_area(a) for a in g["crime_areas"].split("|")}]
        given = [answers[(g, indicator)] for g in groups if (g, indicator) in answers]
        using = sum(a in ("medium", "high") for a in given)
        row = table.loc[(area, tactic)]
        assert (row["groups"], row["using"], row["unknown"]) == (len(given), using, given.count("unknown")), (area, tactic)
        assert row["share_using"] == pytest.approx(using / len(given))
    assert (table.loc[("drugs", "lbs"), ["groups", "using"]].tolist()) == [47, 28]
    assert set(table.index.get_level_values("tactic")) == {"finance", "lbs", "corruption", "violence"}  # measured only


def test_the_public_tactics_publish_shares_only_and_the_audit_covers_them(demo_processing):
    from socta.process.disclosure_policy import count_model

    project, tables = demo_processing.project, demo_processing.tables
    public = tables["public"]["ocg_tactics"]
    assert not {"using", "unknown"} & set(public.columns)    # the counts behind the shares stay restricted
    model = count_model({k: v for k, v in tables["restricted"].items() if k.startswith("ocg_")},
                        project.settings["ocg_scoring"]["bands"], ["SRB", "MNE", "MKD"])
    hidden = model.suppress(5)
    tactic_cells = {k for k in hidden if k[0] == "ocg_tactics"}
    assert any(0 < model.values[k] < 5 for k in tactic_cells)
    assert model.audit(hidden, 5) == []
    for row in public.itertuples():
        key = ("ocg_tactics", row.scope, row.area, row.tactic)
        if (*key, "groups") in hidden or (*key, "using") in hidden:
            assert row.share_using != row.share_using   # NaN: a share resting on a hidden count is not shown
    cyber = public[public["area"].eq("cyber")]
    assert cyber["groups"].isna().all() and cyber["share_using"].isna().all()   # 4 groups: hidden


def test_the_restricted_tactics_sentences(processed):
    page = make(FactorsPage, processed["restricted"], audience="restricted")
    shares = page.tactic_shares()
    assert list(shares["area"].cat.categories)[:2] == ["Drug trafficking", "Migrant smuggling"]
    assert shares.set_index(["area", "tactic"]).at[("Drug trafficking", "Abuse of legal business structures"), "label"] == "60%"
    text = page.tactics_text(shares)
    assert ("- Criminal finances and money laundering: most common among the groups active in property crime, 62% of "
            "its 16 groups.") in text
    assert "- Abuse of legal business structures: most common among the groups active in cybercrime, 75% of its 4 groups." in text
    assert text.endswith("No crime area leads in most tactics: the ways of operating are spread across the areas.")
    assert page.tactics_alt(shares) == ("Grid of crime areas by tactics; of the shares shown, the highest is abuse of legal "
                                        "business structures in cybercrime: 75% of the groups.")
    fig = page.tactics_figure(shares)
    assert {t.get_text() for t in fig.axes[0].texts} >= {"38%", "60%", "75%"}


def test_the_public_tactics_make_no_judgement_the_hidden_shares_could_change(processed):
    page = make(FactorsPage, processed["public"])
    shares = page.tactic_shares()
    assert set(shares.loc[shares["share"].isna(), "label"]) == {"c"}
    text = page.tactics_text(shares)
    assert text.startswith("Of the shares this edition shows:")
    assert text.endswith("Whether one crime area leads in most tactics cannot be said: some shares are not shown.")
    assert "lead in most tactics:" not in text
    fig = page.tactics_figure(shares)
    drawn = page.areas_shown(shares)
    # an area whose every share is confidential has no row, and the caption names it; the rows drawn mark theirs c
    left_out = sorted(set(shares["area"].astype(str)) - set(drawn["area"].astype(str)))
    assert len(left_out) >= 3 and [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(drawn["area"].cat.categories)
    assert sum(t.get_text() == "c" for t in fig.axes[0].texts) == drawn["share"].isna().sum()
    caption = page.tactics_caption(shares)
    assert all(area.lower() in caption for area in left_out), caption
    assert "are all confidential in this edition, or rest on too few groups, so their rows are left out." in caption


def test_a_tactic_no_indicator_measures_is_named(processed, tmp_path):
    page = make(FactorsPage, processed["restricted"], audience="restricted")
    assert page.unmeasured_tactics_text() == (
        "No OCG indicator of this assessment measures exploitation of young people recruited online, so this tactic is "
        "not assessed here.")
    measured = TACTICS.replace("online_recruitment,Exploitation of young people recruited online,,",
                               "online_recruitment,Exploitation of young people recruited online,expertise,")
    folder = data_with(tmp_path, tactics__csv=measured)
    assert make(FactorsPage, processed["restricted"], audience="restricted", data_dir=folder).unmeasured_tactics_text() == (
        "Every tactic of the method in force is measured by an OCG indicator.")


def test_a_wrong_indicator_is_refused_by_file_row_and_column(tmp_path):
    folder = data_with(tmp_path, tactics__csv=TACTICS.replace(",lbs,2,", ",legal_business,2,"))
    with pytest.raises(ConfigError) as caught:
        _ = Reference(Project(data_dir=folder)).tactics
    assert "tactics.csv, row 3, column 'indicator_id': 'legal_business' is not an indicator_id of ocg_indicators.csv" \
        in str(caught.value)


def test_no_measured_tactic_says_so(processed, tmp_path, said):
    folder = data_with(tmp_path, tactics__csv="tactic_id,name_en,indicator_id,order,source\nx,Something,,1,s\n")
    page = make(FactorsPage, processed["restricted"], audience="restricted", data_dir=folder)
    shares = page.tactic_shares()
    assert shares.empty
    page.no_tactic_shares(shares)
    assert "No tactic is measured by an OCG indicator of this assessment" in said[-1]


def test_an_attacker_with_more_relations_recovers_no_hidden_count(demo_processing):
    """A reader knows more than the model's relations: a tactic's groups in an area are the area's groups
    when every group answered the indicator (the enablers show that), and a place abroad holds at most the
    groups active in that country (the geography table). Given both, the audit of the demo's public edition
    still finds no hidden small count it could narrow to fewer than three values (the review's attack)."""
    from socta.core.config import REGION as region
    from socta.process.disclosure_policy import count_model

    project, tables = demo_processing.project, demo_processing.tables
    restricted = {k: v for k, v in tables["restricted"].items() if k.startswith("ocg_")}
    countries = ["SRB", "MNE", "MKD"]
    model = count_model(restricted, project.settings["ocg_scoring"]["bands"], countries)
    hidden = model.suppress(5)
    ref = Reference(project)
    abroad = {p: c for p, c in ref.places["country"].items() if c not in countries}
    for scope in [*countries, region]:
        for country in set(abroad.values()):
            reach = ("ocg_geography", scope, "active_abroad", country)
            if reach not in model.values:
                continue
            there = [p for p, c in abroad.items() if c == country]
            for role in ("base", "activity"):
                for place in there:
                    model.at_most(("ocg_places", scope, role, place), reach)
    everyone = restricted["ocg_summary"].set_index(["scope", "measure", "category"]).at[(region, "groups", "all"), "count"]
    answered = restricted["ocg_enablers"].set_index(["scope", "indicator"])["groups"]
    for row in restricted["ocg_tactics"].itertuples(index=False):
        if answered[(row.scope, row.indicator)] == everyone:
            model.equalities.append({("ocg_tactics", row.scope, row.area, row.tactic, "groups"): 1.0,
                                     ("ocg_aggregates", row.scope, row.area, "ocgs"): -1.0})
    assert model.audit(hidden, 5) == []
    # the tactic's groups are hidden wherever the area's are: the same count
    public = tables["public"]
    areas_hidden = set(public["ocg_aggregates"].loc[public["ocg_aggregates"]["ocgs_suppressed"] &
                                                    public["ocg_aggregates"]["scope"].eq(region), "area"])
    tactics = public["ocg_tactics"]
    assert areas_hidden and tactics.loc[tactics["area"].isin(areas_hidden), "groups"].isna().all()


def test_the_shipped_tactics_follow_a_folders_own_indicators(tmp_path):
    """A data folder whose own ocg_indicators.csv lacks violence: the shipped tactic is not measured there,
    not an error; two tactics of one name are refused."""
    indicators = (REFERENCE / "ocg_indicators.csv").read_text(encoding="utf-8")
    folder = data_with(tmp_path, ocg_indicators__csv="\n".join(line for line in indicators.splitlines()
                                                               if not line.startswith("violence,")) + "\n")
    tactics = Reference(Project(data_dir=folder)).tactics
    assert tactics.at["violence", "indicator_id"] == "" and tactics.at["lbs", "indicator_id"] == "lbs"
    twice = TACTICS.replace("Corruption,corruption", "Abuse of legal business structures,corruption")
    folder = data_with(tmp_path / "twice", tactics__csv=twice)
    with pytest.raises(ConfigError, match="tactics.csv, rows 3, 4, column 'name_en': 'Abuse of legal business "
                                          "structures' names two tactics"):
        _ = Reference(Project(data_dir=folder)).tactics


def test_a_tactic_shown_for_one_area_only_is_compared_with_nothing(processed):
    """Where one crime area's share alone can be shown, the sentence gives it, and calls it neither the most
    common nor the least."""
    page = make(FactorsPage, processed["restricted"], audience="restricted")
    shares = page.tactic_shares()
    alone = shares.assign(share=shares["share"].where(shares["area"].eq("Drug trafficking")))
    text = page.tactics_text(alone)
    row = alone[alone["area"].eq("Drug trafficking")].iloc[0]
    assert (f"- {row['tactic']}: {row['label']} of the {int(row['groups'])} groups active in drug trafficking." in text)
    assert "most common" not in text
