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
CANARIES = [GROUP, NOTE, ABROAD, NATIONALITY, str(SIZE), f"{SIZE:,}"]


def plant(target: Path) -> Path:
    """Copy data/demo to ``target`` and plant the canaries in the first Serbian group."""
    shutil.copytree(REPO / "data" / "demo", target)
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
    answers.loc[answers["ocg_id"].eq(old), "ocg_id"] = GROUP
    register.to_csv(target / "ocg_register.csv", index=False)
    answers.to_csv(target / "ocg_answers.csv", index=False)
    return target
