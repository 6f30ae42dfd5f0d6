"""A copy of the demonstration data with unique canary values planted in restricted-only fields."""
import shutil
from pathlib import Path

import pandas as pd

from .helpers import REPO

GROUP = "QXZ-OCG-777"          # an OCG identifier
NOTE = "CANARY-NOTE-5F3A9"     # free-text notes on a group
ABROAD = "QXA"                 # a country where only this group is active
NATIONALITY = "QXN"            # a nationality only this group has
SIZE = 7777                    # the group's size
GRADE = "QX7"                  # a source grade (a reliability code "QX" added to the grading profile)
HANDLING = "HQX9"              # a handling code added to the grading profile
# A handling code is configuration too: the methodology prints the grading profile in force, so
# HANDLING may appear there (once) and nowhere else; the leak test checks it apart.
PASSAGE = "CANARY-PASSAGE-7C1D of a restricted narrative passage"  # a line of the analysts' restricted text
CANARIES = [GROUP, NOTE, ABROAD, NATIONALITY, str(SIZE), f"{SIZE:,}", GRADE, PASSAGE]


def plant(target: Path) -> Path:
    """Copy data/demo to ``target`` and plant the canaries in the first Serbian group, and a grade
    and handling code of their own in one statistic, one group and one expert assessment (through
    the data folder's own grading profile, so they pass validation)."""
    shutil.copytree(REPO / "data" / "demo", target)
    (target / "reference").mkdir(exist_ok=True)
    grading = pd.read_csv(REPO / "data" / "reference" / "grading_profiles.csv", dtype=str)
    extra = pd.DataFrame([("europol_4x4", "source_reliability", GRADE[:2], "canary"),
                          ("europol_4x4", "information", GRADE[2:], "canary"),
                          ("europol_4x4", "handling", HANDLING, "canary")], columns=grading.columns)
    pd.concat([grading, extra]).to_csv(target / "reference" / "grading_profiles.csv", index=False)
    stats = pd.read_csv(target / "statistics.csv", dtype=str, keep_default_na=False)
    row = stats.index[stats["country"].eq("SRB")][0]
    stats.loc[row, ["grade", "handling_code"]] = [GRADE, HANDLING]
    stats.to_csv(target / "statistics.csv", index=False)
    register = pd.read_csv(target / "ocg_register.csv", dtype=str, keep_default_na=False)
    answers = pd.read_csv(target / "ocg_answers.csv", dtype=str, keep_default_na=False)
    victim = register.index[register["country"].eq("SRB")][0]
    old = register.at[victim, "ocg_id"]
    register.at[victim, "ocg_id"] = GROUP
    register.at[victim, "size"] = str(SIZE)
    register.at[victim, "nationalities"] += f"|{NATIONALITY}"
    register.at[victim, "countries_active"] += f"|{ABROAD}"
    register["notes"] = ""
    register.at[victim, "notes"] = f"{NOTE}: informant reports a meeting"
    register.loc[victim, ["grade", "handling_code"]] = [GRADE, HANDLING]
    answers.loc[answers["ocg_id"].eq(old), "ocg_id"] = GROUP
    places = pd.read_csv(target / "ocg_places.csv", dtype=str, keep_default_na=False)
    places.loc[places["ocg_id"].eq(old), "ocg_id"] = GROUP   # where it is based: restricted like the rest
    relations = pd.read_csv(target / "ocg_relations.csv", dtype=str, keep_default_na=False)
    relations = relations.replace({"ocg_id": {old: GROUP}, "other_ocg_id": {old: GROUP}})
    relations.to_csv(target / "ocg_relations.csv", index=False)
    register.to_csv(target / "ocg_register.csv", index=False)
    answers.to_csv(target / "ocg_answers.csv", index=False)
    places.to_csv(target / "ocg_places.csv", index=False)
    for lang in ("en", "sr"):  # a restricted passage of the narrative, in the page's analysis section
        narrative = target / "narrative" / lang / "areas" / "drugs" / "index.md"
        narrative.write_text(narrative.read_text(encoding="utf-8") + f"\n```{{restricted}} H3\n{PASSAGE}\n```\n",
                             encoding="utf-8")
    return target
