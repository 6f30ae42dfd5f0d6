"""Where things are, and the configuration in force for one data folder.

A *data folder* holds the input tables (see ``data/README.md``). Reference configuration is looked
up first in ``<data folder>/reference/<file>`` and then in the repository's ``data/reference/``,
so an analyst overrides only the files they change (a fourth country, other weights) without
touching the repository.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import yaml

from .i18n import N_

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "demo"
REFERENCE_DIR = REPO_ROOT / "data" / "reference"
OPEN_SOURCES_DIR = REPO_ROOT / "data" / "open_sources"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BOOK_DIR = REPO_ROOT / "book"
BUILD_DIR = REPO_ROOT / "_build"
REGION = "region"
# the marking of each edition, on every page (translated through socta.i18n.t where shown)
AUDIENCE_MARK = {"public": N_("PUBLIC"), "restricted": N_("RESTRICTED — law-enforcement use only")}


class ConfigError(ValueError):
    """A configuration file is missing or malformed; the message names the file and the fix."""


def read_yaml(path: Path, what: str):
    """A YAML file's content, or a :class:`ConfigError` naming the file, the line and the usual fixes."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except PermissionError:
        raise ConfigError(f"{path}: cannot read {what}: permission denied; give your user read access") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8 (it may also be a binary file renamed .yaml)") \
            from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"{path}{where}: not valid YAML ({problem}). Usual causes: a tab used for indentation (use spaces), a "
            "':' or '#' inside a value that is not in quotes, a '[' or quote left open. Compare with "
            "data/demo/dataset.yaml and data/reference/settings.yaml") from None


@dataclass(frozen=True)
class Project:
    """The configuration and the paths for one data folder."""

    data_dir: Path = DEFAULT_DATA_DIR
    build_dir: Path = BUILD_DIR
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).resolve())
        object.__setattr__(self, "build_dir", Path(self.build_dir).resolve())
        if self.data_dir.is_file():
            raise ConfigError(
                f"--data {self.data_dir} is a file, not a folder: pass the folder that holds the data files, "
                f"e.g. --data {self.data_dir.parent} (its layout is described in data/README.md)"
            )
        if not self.data_dir.is_dir():
            raise ConfigError(
                f"data folder {self.data_dir} does not exist: pass --data with a folder laid out "
                "as described in data/README.md"
            )

    def reference_path(self, name: str) -> Path:
        """The reference file in force: the data folder's own copy wins over the repository's."""
        own = self.data_dir / "reference" / name
        return own if own.is_file() else REFERENCE_DIR / name

    def input_path(self, name: str) -> Path:
        return self.data_dir / name

    @cached_property
    def settings(self) -> dict:
        path = self.reference_path("settings.yaml")
        settings = read_yaml(path, "the settings")
        if not isinstance(settings, dict) or not isinstance(settings.get("assessment"), dict):
            raise ConfigError(f"{path}: expected the keys of data/reference/settings.yaml (assessment:, trends: …); "
                              "copy that file and edit it")
        return settings

    @cached_property
    def dataset(self) -> dict:
        """The data folder's ``dataset.yaml``: its name and whether it is synthetic."""
        path = self.data_dir / "dataset.yaml"
        if not path.is_file():
            raise ConfigError(
                f"{path} is missing: every data folder describes itself (name, synthetic: true/false, "
                "description); copy data/demo/dataset.yaml and edit it"
            )
        meta = read_yaml(path, "the dataset description") or {}
        if not isinstance(meta, dict):
            raise ConfigError(f"{path}: expected keys such as 'name:' and 'synthetic:', one per line "
                              "(compare data/demo/dataset.yaml)")
        if "synthetic" not in meta:
            raise ConfigError(f"{path}: set 'synthetic: true' or 'synthetic: false'")
        if not isinstance(meta["synthetic"], bool):
            raise ConfigError(f"{path}: 'synthetic' is {meta['synthetic']!r}; write synthetic: true or "
                              "synthetic: false, without quotes")
        name = meta.get("name")
        if name is None or not str(name).strip():
            raise ConfigError(f"{path}: give the dataset a 'name:' (it is printed on every page), "
                              "e.g. name: National statistics 2014-2024")
        if not isinstance(name, str):
            raise ConfigError(f"{path}: 'name' is {name!r}; write a text, e.g. name: National statistics 2014-2024")
        return meta

    @property
    def years(self) -> tuple[int, int]:
        """The assessment period: ``dataset.yaml`` ``period`` when given, else settings.yaml's years."""
        period = self.dataset.get("period")
        if period is None:
            a = self.settings["assessment"]
            return int(a["first_year"]), int(a["last_year"])
        where = self.data_dir / "dataset.yaml"
        example = "period: [2014, 2024]"
        if isinstance(period, str):
            years = [y for y in re.split(r"[^0-9]+", period) if y]
            if len(years) == 2:
                example = f"period: [{years[0]}, {years[1]}]"
            raise ConfigError(f"{where}: 'period' is the text {period!r}; write it as a list of the first and last "
                              f"year: {example}")
        if not isinstance(period, (list, tuple)) or len(period) != 2 or \
                not all((isinstance(y, int) and not isinstance(y, bool)) or (isinstance(y, str) and y.strip().isdigit())
                        for y in period):
            raise ConfigError(f"{where}: 'period' must be two years, e.g. {example}; found {period!r}")
        first, last = (int(y) for y in period)
        lo, hi = (int(y) for y in self.settings["assessment"]["valid_years"])
        if not lo <= first < last <= hi:
            raise ConfigError(f"{where}: period {first}–{last} must run forward within the valid years {lo}–{hi} "
                              "(settings.yaml assessment.valid_years) and span at least two years")
        if last > date.today().year:
            raise ConfigError(f"{where}: period ends in {last}, a year still in the future; "
                              f"the last year can be {date.today().year} at most")
        return first, last

    def edition_dir(self, audience: str, lang: str) -> Path:
        return self.build_dir / f"{audience}-{lang}"

    def processed_dir(self, audience: str) -> Path:
        return self.build_dir / "processed" / audience
