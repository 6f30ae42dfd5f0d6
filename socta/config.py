"""Where things are, and the configuration in force for one data folder.

A *data folder* holds the input tables (see ``data/README.md``). Reference configuration is looked
up first in ``<data folder>/reference/<file>`` and then in the repository's ``data/reference/``,
so an analyst overrides only the files they change (a fourth country, other weights) without
touching the repository.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "demo"
REFERENCE_DIR = REPO_ROOT / "data" / "reference"
OPEN_SOURCES_DIR = REPO_ROOT / "data" / "open_sources"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BOOK_DIR = REPO_ROOT / "book"
BUILD_DIR = REPO_ROOT / "_build"
REGION = "region"
# the marking of each edition, on every page (translated through socta.i18n.t where shown)
AUDIENCE_MARK = {"public": "PUBLIC", "restricted": "RESTRICTED — law-enforcement use only"}


class ConfigError(ValueError):
    """A configuration file is missing or malformed; the message names the file and the fix."""


@dataclass(frozen=True)
class Project:
    """The configuration and the paths for one data folder."""

    data_dir: Path = DEFAULT_DATA_DIR
    build_dir: Path = BUILD_DIR
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).resolve())
        object.__setattr__(self, "build_dir", Path(self.build_dir).resolve())
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
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read the settings ({exc}); fix the YAML syntax") from exc

    @cached_property
    def dataset(self) -> dict:
        """The data folder's ``dataset.yaml``: its name and whether it is synthetic."""
        path = self.data_dir / "dataset.yaml"
        if not path.is_file():
            raise ConfigError(
                f"{path} is missing: every data folder describes itself (name, synthetic: true/false, "
                "description); copy data/demo/dataset.yaml and edit it"
            )
        try:
            meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read it ({exc}); fix the YAML syntax") from exc
        if not isinstance(meta, dict):
            raise ConfigError(f"{path}: expected keys such as 'name:' and 'synthetic:', one per line")
        if "synthetic" not in meta or not isinstance(meta["synthetic"], bool):
            raise ConfigError(f"{path}: set 'synthetic: true' or 'synthetic: false'")
        if not str(meta.get("name") or "").strip():
            raise ConfigError(f"{path}: give the dataset a 'name:' (it is printed on every page)")
        return meta

    @property
    def years(self) -> tuple[int, int]:
        """The assessment period: ``dataset.yaml`` ``period`` when given, else settings.yaml's years."""
        period = self.dataset.get("period")
        if period is None:
            a = self.settings["assessment"]
            return int(a["first_year"]), int(a["last_year"])
        where = self.data_dir / "dataset.yaml"
        try:
            first, last = (int(y) for y in period)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: 'period' must be two years, e.g. period: [2014, 2024]; found {period!r}") from None
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
