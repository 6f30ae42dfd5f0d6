"""A copy of the demonstration data whose every text field carries markup, templates and file paths.

What a hostile (or careless) analyst could paste into a data folder: MyST substitutions that would run
Python in the build (``{{ … }}``), roles and directives that read files (``{download}``,
``{literalinclude}``, ``{eval-rst}`` with ``.. raw:: html :file:``), raw HTML with script, external
images, maths, links and LaTeX commands. Each payload is appended to the field's own text, so the
values stay distinct (names, yardstick terms) and the data stay valid.

A planted secret file stands for what must never be published: every payload names it by an
absolute path and by paths relative to the book source, beside the restricted processed register.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import yaml

from .helpers import REPO

SECRET = "SECRET-TOKEN-91F3QZ"            # the content of the planted secret file
COMPUTED = "111105"                        # 12345 * 9: what a template that ran would print
MARKER = "socta-payload-ran"               # the file a payload that ran as code would create
HTML_ID = "pwn-7c1"                        # the id of the element raw HTML would make

# the text field types of each input file: every column a reader of the book could see as words;
# identifiers and codes are checked by patterns instead (test_safe_publishing's refusal cases)
DATA_TEXT = {"statistics.csv": ["source"], "ocg_register.csv": ["notes"]}
REFERENCE_TEXT = {
    "countries.csv": ["name_en", "name_local"],
    "crime_areas.csv": ["name_en", "description"],
    "indicators.csv": ["name_en"],
    "ocg_indicators.csv": ["name_en", "description"],
    "answer_scale.csv": ["description"],
    "area_threat_indicators.csv": ["name_en", "source", "description"],
    "harm_dimensions.csv": ["name_en", "description"],
    "grading_profiles.csv": ["meaning"],
    "sleipnir_attributes.csv": ["name_en", "note"],
    "observation_status.csv": ["name_en", "footnote"],
    "population.csv": ["source"],
    "probability_yardstick.csv": ["term"],
    "empact_priorities.csv": ["name_en", "cycle", "source"],
    "places.csv": ["name_en", "source"],
    "tactics.csv": ["name_en", "source"],
}
DATASET_TEXT = ["name", "description", "sources"]


def payload(secret: Path, marker: Path, variant: int = 0) -> str:
    """Every inline vector on one line, then block vectors on lines of their own: ``variant`` 0 the
    directives that read files or pass markup through, 1 what begins a block at a line's start (a
    cell spans at most 50 lines in socta's reader, so one field carries one set)."""
    inline = (
        "{{ 12345*9 }} {{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
        " {download}`leak <../../processed/restricted/ocg_register.parquet>`"
        " {download}`secret <" + str(secret) + ">` {doc}`intro` {sub-ref}`today`"
        f' <b id="{HTML_ID}">bold</b><img src="x" onerror="alert(1)"><script>alert(2)</script>'
        " ![img](http://evil.example/pixel.png) [link](javascript:alert(3)) $x^2$ *em* __strong__"
        " \\input{" + str(secret) + "} {0.__class__} {x}"
    )
    blocks = [
        "```{literalinclude} ../../processed/restricted/ocg_register.parquet\n```\n"
        "```{eval-rst}\n.. raw:: html\n   :file: " + str(secret) + "\n```\n"
        "```{raw} html\n<script>alert(4)</script>\n```",
        "# Heading\n:::{note}\ncolon\n:::\n(target)=\n% comment\n- item\n1. item\n> quote",
    ]
    return inline + "\n" + blocks[variant % len(blocks)]


def _append(frame: pd.DataFrame, columns: list[str], texts: list[str]) -> pd.DataFrame:
    for k, column in enumerate(columns):
        if column in frame:
            text = texts[k % len(texts)]
            frame[column] = [f"{value} {text}" if str(value) else text for value in frame[column]]
    return frame


def keep_areas(folder: Path, areas: tuple[str, ...]) -> None:
    """Narrow the data folder to the top-level crime areas ``areas`` (and their sub-markets): a smaller
    book that still has every kind of page and every field, built in half the time."""
    reference = folder / "reference"
    read = lambda path: pd.read_csv(path, dtype=str, keep_default_na=False)  # noqa: E731
    crime_areas = read(reference / "crime_areas.csv")
    kept = crime_areas[crime_areas["area_id"].isin(areas) | crime_areas["parent_id"].isin(areas)]
    kept.to_csv(reference / "crime_areas.csv", index=False)
    indicators = read(reference / "indicators.csv")
    indicators = indicators[indicators["area_id"].isin(kept["area_id"])]
    indicators.to_csv(reference / "indicators.csv", index=False)
    statistics = read(folder / "statistics.csv")
    statistics[statistics["indicator"].isin(indicators["indicator_id"])].to_csv(folder / "statistics.csv", index=False)
    expert = read(folder / "expert_assessments.csv")
    expert[expert["area"].isin(areas)].to_csv(folder / "expert_assessments.csv", index=False)
    register = read(folder / "ocg_register.csv")
    register["crime_areas"] = ["|".join(a for a in cell.split("|") if a in set(kept["area_id"]))
                               for cell in register["crime_areas"]]
    register = register[register["crime_areas"].ne("")]
    register.to_csv(folder / "ocg_register.csv", index=False)
    for name in ("ocg_answers.csv", "ocg_places.csv", "ocg_relations.csv"):   # the rows of the groups kept
        rows = read(folder / name)
        kept_rows = rows["ocg_id"].isin(register["ocg_id"])
        if "other_ocg_id" in rows:
            kept_rows &= rows["other_ocg_id"].isin(register["ocg_id"])
        rows[kept_rows].to_csv(folder / name, index=False)


def plant(target: Path, secret_dir: Path, areas: tuple[str, ...] = ()) -> tuple[Path, Path, Path]:
    """Copy data/demo-2016 to ``target`` with the payloads planted (``areas``: only these crime areas);
    returns (data folder, secret, marker)."""
    secret_dir.mkdir(parents=True, exist_ok=True)
    secret = secret_dir / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    marker = secret_dir / MARKER
    texts = [payload(secret, marker, 0), payload(secret, marker, 1)]
    shutil.copytree(REPO / "data" / "demo-2016", target)
    for name, columns in DATA_TEXT.items():
        frame = pd.read_csv(target / name, dtype=str, keep_default_na=False)
        for column in columns:
            if column not in frame or name == "ocg_register.csv":
                # a note of its own words before the payload: the register's notes are what the leak
                # gate looks for in the public edition, and the bare payload is (as text) on every page
                frame[column] = "Register-only note on this group:" if name == "ocg_register.csv" else ""
        _append(frame, columns, texts).to_csv(target / name, index=False)
    (target / "reference").mkdir(exist_ok=True)
    for name, columns in REFERENCE_TEXT.items():
        frame = pd.read_csv(REPO / "data" / "reference" / name, dtype=str, keep_default_na=False)
        _append(frame, columns, texts).to_csv(target / "reference" / name, index=False)
    meta = yaml.safe_load((target / "dataset.yaml").read_text(encoding="utf-8"))
    for k, key in enumerate(DATASET_TEXT):
        meta[key] = f"{meta.get(key, '')} {texts[k % 2]}".strip()
    (target / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if areas:
        keep_areas(target, areas)
    # the narrative refuses markup instead of escaping it (tests/unit/test_narrative.py), so the demo's
    # texts would stop this build at the first payload-laden yardstick term; one plain text instead,
    # whose live values and section title carry the payload-laden names of the configuration
    shutil.rmtree(target / "narrative", ignore_errors=True)
    page = target / "narrative" / "en" / "areas" / "drugs" / "index.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\nstatus: reviewed\n---\n## assessment\nPolice recorded {value}`drug_offences 2024` drug "
                    "offences; the area is in {tier}`drugs`, judged {term}`drugs`.\n", encoding="utf-8")
    return target, secret, marker
