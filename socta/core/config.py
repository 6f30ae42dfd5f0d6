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

from socta.core.errors import ConfigError, OutsideFolder
from socta.core.memo import remembered
from socta.core.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_DATA_DIR = REPO_ROOT / "data" / "demo"
# the synthetic demonstration folders: the default (on the EU-SOCTA 2025 method profile) and the 2016 method's
DEMO_DIRS = (DEFAULT_DATA_DIR, REPO_ROOT / "data" / "demo-2016")

REFERENCE_DIR = REPO_ROOT / "data" / "reference"

# method profiles: a folder of reference files each that replace the shipped ones (data/reference/methods/
# <id>/), chosen by a data folder's dataset.yaml ``method``; without it, the shipped files alone (the 2016
# regional report's method)
METHODS_DIR = REFERENCE_DIR / "methods"
METHOD_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

OPEN_SOURCES_DIR = REPO_ROOT / "data" / "open_sources"

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

BOOK_DIR = REPO_ROOT / "book"

BUILD_DIR = REPO_ROOT / "_build"

REGION = "region"


# the input tables that only the restricted edition may read (validation's TableSpec.restricted):
# never a source of anything else, such as a statistic imported from them (socta.ingest.importer)
RESTRICTED_INPUTS = ("ocg_register.csv", "ocg_answers.csv", "ocg_places.csv", "ocg_relations.csv")


# YAML input files (dataset.yaml, settings.yaml, mapping.yaml, languages.yaml) are a few kilobytes; a
# larger one is a mistake or an attack, and is refused before it is parsed
MAX_YAML_BYTES = 5_000_000


class _AliasRefused(yaml.MarkedYAMLError):
    def __init__(self, anchor: str, mark):
        super().__init__(problem=f"alias *{anchor}", problem_mark=mark)
        self.anchor = anchor


class InputLoader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, refusing aliases (``*name``, and so ``<<: *name`` merges).

    Safe loading constructs no objects, but an alias repeats a whole anchored part of the file, and
    aliases of aliases multiply: 700 bytes of them (a "billion laughs" file) expand into gigabytes
    when the result is walked or written out (dataset.yaml is copied into every processed folder).
    No input file of socta needs one, so the composer refuses the first alias it meets, before
    anything is expanded. Every YAML file socta reads from a data folder or its configuration goes
    through :func:`read_yaml`, which uses this loader."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(event.anchor, event.start_mark)
        return super().compose_node(parent, index)


def read_yaml(path: Path, what: str, example: str = "data/demo/dataset.yaml and data/reference/settings.yaml"):
    """A YAML file's content, or a :class:`ConfigError` naming the file, the line and the usual fixes.

    Read with :class:`InputLoader` (no aliases) and refused above ``MAX_YAML_BYTES``; ``example``
    names the files to compare with in the message."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ConfigError(f"{path}: {what} is {size / 1e6:.1f} MB, larger than any such file needs to be (the limit "
                              f"is {MAX_YAML_BYTES / 1e6:.0f} MB): it is not {what}, or it is damaged. Compare with "
                              f"{example}")
        text = path.read_text(encoding="utf-8-sig")
    except PermissionError:
        raise ConfigError(f"{path}: cannot read {what}: permission denied; give your user read access") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8 (it may also be a binary file renamed .yaml)") \
            from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    try:
        # parsed once per content in this process (socta.core.memo): every page of a warm kernel reads the settings
        return remembered("yaml", text.encode("utf-8"), lambda: yaml.load(text, Loader=InputLoader))  # noqa: S506 - a SafeLoader subclass
    except _AliasRefused as exc:
        mark = exc.problem_mark
        written = (" If a program wrote the file (PyYAML names anchors id001, id002 …), have it write shared values "
                   "out in full (in PyYAML, a Dumper whose ignore_aliases returns True)."
                   if re.fullmatch(r"id\d+", exc.anchor) else "")
        raise ConfigError(
            f"{path}, line {mark.line + 1}, column {mark.column + 1}: a YAML alias (*{exc.anchor}) repeats an anchored "
            f"part of {what}; socta refuses aliases in its input files, since a few of them can expand a small file "
            f"into gigabytes. Write the values out in full where the alias stands (and remove the &anchor).{written}") \
            from None
    except RecursionError:
        raise ConfigError(f"{path}: {what} is nested too deeply to be read (thousands of brackets or indents); it is "
                          f"not {what}, or it is damaged. Compare with {example}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"{path}{where}: not valid YAML ({problem}). Usual causes: a tab used for indentation (use spaces), a "
            "':' or '#' inside a value that is not in quotes, a '[' or quote left open. Compare with "
            f"{example}") from None


def confined(base: Path, *parts: str, what: str = "a file") -> Path:
    """``base / parts…``, refused with :class:`OutsideFolder` unless it resolves inside ``base``.

    Output paths are made of names from configuration (a country's slug, a crime area's id): those are
    checked against strict patterns where they are read (socta/ingest/reference.py), and this is the second
    lock, on every path socta writes a page, a key or a failed copy to. ``..``, an absolute part and a
    symbolic link leading out are all caught, since the check is on the resolved path."""
    root = Path(base).resolve()
    path = root.joinpath(*(str(p) for p in parts))
    resolved = path.resolve()
    if resolved == root or not resolved.is_relative_to(root):
        shown = "/".join(str(p) for p in parts)
        raise OutsideFolder(
            f"{shown!r}: {what} would be written to {resolved}, outside {root}, the folder it belongs in; refused. "
            "The name comes from the configuration (a country's slug in countries.csv, a crime area's id in "
            "crime_areas.csv) or a folder link: correct the name (letters, digits, '-' and '_' only, no '/' or '..'), "
            "or remove the link")
    return path


def links_out(folder: Path, within: Path | None = None) -> list[tuple[Path, Path]]:
    """The symbolic links among ``folder``'s entries whose target lies outside ``within`` (default:
    ``folder`` itself): (link, resolved target) pairs. Not recursive."""
    folder = Path(folder)
    root = Path(within if within is not None else folder).resolve()
    found = []
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    for entry in entries:
        if entry.is_symlink():
            target = entry.resolve()
            if not target.is_relative_to(root):
                found.append((entry, target))
    return found


def template_fields(text: str, allowed: tuple[str, ...], where: str, example: str, required: str | None = None) -> None:
    """Refuse (:class:`ConfigError`) a format template from configuration that names anything but its
    plain ``allowed`` fields.

    ``str.format`` evaluates what a field names: ``{x}`` raises KeyError in the middle of a run, and
    ``{term.__class__.__mro__}`` walks the object's attributes into the page. So a template may hold
    only ``{name}`` for an allowed name, with no attribute, index, conversion (``!r``) or format spec
    (``:>10``); ``{{`` and ``}}`` are literal braces. ``where`` names the file, row and column."""
    import string

    fields = ", ".join("{" + name + "}" for name in allowed)
    try:
        parsed = list(string.Formatter().parse(str(text)))
    except ValueError as exc:
        raise ConfigError(f"{where}: {text!r} has a '{{' or '}}' without its pair ({exc}); write literal braces as "
                          f"{{{{ and }}}}, and fields as {fields}, e.g. {example!r}") from None
    named = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed:
            base = re.split(r"[.\[]", name, maxsplit=1)[0]
            why = (f"reads an attribute or an item of {{{base}}}" if base in allowed and base != name
                   else "is not a field it can use" if name else "is an empty field")
            raise ConfigError(f"{where}: {text!r}: {{{name}}} {why}; the only field(s) allowed are {fields}, written "
                              f"alone, e.g. {example!r}")
        if spec or conversion:
            raise ConfigError(f"{where}: {text!r}: {{{name}" + (f"!{conversion}" if conversion else "")
                              + (f":{spec}" if spec else "") + f"}} has a conversion or format after the name; write "
                              f"{{{name}}} alone, e.g. {example!r}")
        named.add(name)
    if required and required not in named:
        raise ConfigError(f"{where}: {text!r} has no {{{required}}}, so the sentence would not say it; put {{{required}}} "
                          f"where it goes, e.g. {example!r}")


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
        self._refuse_links_out()

    def _refuse_links_out(self) -> None:
        """A data folder holds its files itself: a symbolic link among its files or in its ``reference/``
        whose target lies outside the folder is refused (:class:`OutsideFolder`).

        Confined rather than refused outright: the folder itself may be a link (a share mounted
        elsewhere; ``data_dir`` is resolved first), and a link to another file of the same folder reads
        nothing the folder does not already hold. A link leading out would make validation, the
        processed tables and the book read (and publish, hash or echo) any file of the build machine,
        e.g. ``statistics.csv -> /home/analyst/restricted.csv``; every file socta reads from the folder
        is an entry of it or of ``reference/``, so checking those two levels covers them."""
        escaping = links_out(self.data_dir) + links_out(self.data_dir / "reference", within=self.data_dir)
        if escaping:
            link, target = escaping[0]
            more = f" (and {len(escaping) - 1} more: {', '.join(str(l) for l, _ in escaping[1:4])})" \
                if len(escaping) > 1 else ""
            raise OutsideFolder(
                f"{link}: is a symbolic link to {target}, outside the data folder {self.data_dir}{more}; refused: "
                "socta reads only a data folder's own files, so that no link can make the book read or publish a "
                "file from elsewhere on this machine. Copy the file into the folder in place of the link (a link "
                "to another file inside the folder is fine)")

    def reference_path(self, name: str) -> Path:
        """The reference file in force: the data folder's own copy wins over its method profile's, which wins
        over the repository's."""
        own = self.data_dir / "reference" / name
        if own.is_file():
            return own
        if self.method and (METHODS_DIR / self.method / name).is_file():
            return METHODS_DIR / self.method / name
        return REFERENCE_DIR / name

    @cached_property
    def method(self) -> str | None:
        """The method profile the data folder's dataset.yaml names (``method: eu-socta-2025``, a folder of
        data/reference/methods/), or None: the shipped reference files (the 2016 regional report's method).
        A name that is not a profile is refused, naming the profiles there are."""
        path = self.data_dir / "dataset.yaml"
        try:
            value = (read_yaml(path, "the dataset description") or {}).get("method") if path.is_file() else None
        except (ConfigError, AttributeError):
            return None   # the dataset description's own problem is told where it is read
        if value is None:
            return None
        known = sorted(p.name for p in METHODS_DIR.iterdir() if p.is_dir()) if METHODS_DIR.is_dir() else []
        if not isinstance(value, str) or not METHOD_ID.fullmatch(value) or value not in known:
            raise ConfigError(f"{path}: method {value!r} is not a method profile of data/reference/methods/ "
                              f"({', '.join(known) or 'none'}); write one of them, or leave 'method' out for the "
                              "2016 regional method")
        return value

    def input_path(self, name: str) -> Path:
        return self.data_dir / name

    @cached_property
    def settings(self) -> Settings:
        """The settings in force (socta.core.settings): typed, every default filled in, read as a mapping too."""
        path = self.reference_path("settings.yaml")
        settings = read_yaml(path, "the settings")
        if not isinstance(settings, dict) or not isinstance(settings.get("assessment"), dict):
            raise ConfigError(f"{path}: expected the keys of data/reference/settings.yaml (assessment:, trends: …); "
                              "copy that file and edit it")
        return Settings.parse(settings, path)

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
            a = self.settings.assessment
            return a.first_year, a.last_year
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
        lo, hi = (int(y) for y in self.settings.assessment.valid_years)
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
