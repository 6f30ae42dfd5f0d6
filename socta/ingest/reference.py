"""The reference configuration in force: countries, crime areas, indicators, scales and weights."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from socta.core.config import METHODS_DIR, REFERENCE_DIR, ConfigError, Project, template_fields
from socta.core.markup import inert_frame
from socta.core.memo import parsed
from socta.core.tableio import TableError, read_csv_table
from socta.core.text import listed
from socta.i18n.translate import catalogue_language, code_label, translated_msgids, transliterate

# file -> (required columns, numeric columns)
REFERENCE_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "countries.csv": (("iso3", "slug", "name_en", "name_local", "language", "script"), ()),
    "population.csv": (("iso3", "year", "population", "source"), ("year", "population")),
    "crime_areas.csv": (("area_id", "parent_id", "name_en", "order", "description"), ("order",)),
    "indicators.csv": (("indicator_id", "area_id", "name_en", "unit", "kind", "submarkets", "categories", "headline"), ()),
    "ocg_indicators.csv": (("indicator_id", "name_en", "weight", "status", "description"), ("weight",)),
    "answer_scale.csv": (("answer", "value", "description"), ("value",)),
    "area_threat_indicators.csv": (("indicator_id", "name_en", "weight", "source", "description"), ("weight",)),
    "harm_dimensions.csv": (("dimension_id", "name_en", "weight", "description"), ("weight",)),
    "probability_yardstick.csv": (("term", "lower_pct", "upper_pct"), ("lower_pct", "upper_pct")),
    "grading_profiles.csv": (("profile", "dimension", "code", "meaning"), ()),
    "sleipnir_attributes.csv": (("attribute", "name_en", "weight", "indicator_id", "note"), ("weight",)),
    "observation_status.csv": (("code", "name_en", "footnote", "missing", "breaks_series", "fit", "anchor"), ()),
    # names per language for what a data folder adds (a crime area, an indicator, a category, a unit):
    # a column per catalogue language (sr, mk, cnr); sr-Latn is transliterated from sr
    "names.csv": (("kind", "id"), ()),
    # the EU's EMPACT priorities (a list with its cycle and whether it was checked) and the crime area each
    # corresponds to; an area with no row corresponds to none
    "empact_priorities.csv": (("priority_id", "name_en", "order", "cycle", "status", "source"), ("order",)),
    "area_empact.csv": (("area_id", "priority_id"), ()),
    # the networks' tactics (EU-SOCTA 2025) and the OCG indicator that measures each (empty: none yet)
    "tactics.csv": (("tactic_id", "name_en", "indicator_id", "order", "source"), ("order",)),
    # the places a group is based or operates in (ocg_places.csv), with their coordinates for the map
    "places.csv": (("place_id", "country", "name_en", "latitude", "longitude", "source"), ("latitude", "longitude")),
}

# the map's country shapes (GeoJSON, made by data/reference/derive_map_layers.py): read as data, never
# fetched; a data folder's own reference/boundaries.geojson replaces it
BOUNDARIES = "boundaries.geojson"
MAX_BOUNDARY_BYTES = 20_000_000

NAME_KINDS = ("area", "indicator", "submarket", "category", "unit", "place")

MAY_BE_EMPTY = {"names.csv"}  # the default has no rows: every name of the default configuration is in the catalogues


# Ids and slugs name the book's files and folders (``areas/<area_id>/countries/<slug>.ipynb``), its
# labels (``fig-<page>-<indicator_id>``) and processed columns (``harm_<dimension_id>``). Strict
# patterns keep a reference row from writing outside the build folder ('../', '/'), from being markup,
# and from colliding on a case-insensitive file system. socta/core/config.py ``confined`` is the second lock.
ISO3 = re.compile(r"^[A-Z]{3}$")

ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

_ID_WORDS = ("lower-case letters a-z, digits and '_', starting with a letter, at most 40 characters "
             "(e.g. migrant_smuggling)")


_SLUG_WORDS = ("lower-case letters a-z, digits and '-', starting with a letter or a digit, at most 40 characters "
               "(e.g. north-macedonia)")


# file -> {column: (pattern, what it names, the allowed form in words, may be empty)}
ID_COLUMNS: dict[str, dict[str, tuple[re.Pattern, str, str, bool]]] = {
    "countries.csv": {
        "iso3": (ISO3, "the country's code in every table and page", "three capital letters A-Z (ISO 3166 "
                 "alpha-3, e.g. SRB)", False),
        "slug": (SLUG, "the country's page files (areas/<area>/countries/<slug>)", _SLUG_WORDS, False)},
    "crime_areas.csv": {
        "area_id": (ID, "the crime area's folder of pages (areas/<area_id>/)", _ID_WORDS, False),
        "parent_id": (ID, "the area a sub-market belongs to", _ID_WORDS + ", or empty for a top-level area", True)},
    "indicators.csv": {
        "indicator_id": (ID, "the indicator's figures and their labels", _ID_WORDS, False),
        "area_id": (ID, "the crime area of the indicator", _ID_WORDS, False)},
    "ocg_indicators.csv": {"indicator_id": (ID, "the indicator's answers and labels", _ID_WORDS, False)},
    "area_threat_indicators.csv": {"indicator_id": (ID, "the sub-score's columns", _ID_WORDS, False)},
    "harm_dimensions.csv": {"dimension_id": (ID, "the harm_<dimension_id> columns", _ID_WORDS, False)},
    "empact_priorities.csv": {"priority_id": (ID, "the EMPACT priority in area_empact.csv", _ID_WORDS, False)},
    "area_empact.csv": {"area_id": (ID, "the crime area", _ID_WORDS, False),
                        "priority_id": (ID, "the EMPACT priority (empact_priorities.csv)", _ID_WORDS, False)},
    "tactics.csv": {"tactic_id": (ID, "the tactic's rows and labels", _ID_WORDS, False),
                    "indicator_id": (ID, "the OCG indicator that measures the tactic", _ID_WORDS + ", or empty", True)},
    "places.csv": {"place_id": (ID, "the place in ocg_places.csv", _ID_WORDS, False),
                   "country": (ISO3, "the country the place is in", "three capital letters A-Z (ISO 3166 alpha-3, "
                               "e.g. SRB)", False)},
}


# format templates of the reference files: {file: {column: (fields allowed, field required, an example)}}
TEMPLATE_COLUMNS = {
    "probability_yardstick.csv": {"opening": (("term",), "term", "It is {term} that")},
}


# ids that name one file each: a repeat is refused
UNIQUE_COLUMNS = frozenset({("countries.csv", "iso3"), ("countries.csv", "slug"), ("crime_areas.csv", "area_id"),
                            ("indicators.csv", "indicator_id"), ("ocg_indicators.csv", "indicator_id"),
                            ("area_threat_indicators.csv", "indicator_id"), ("harm_dimensions.csv", "dimension_id"),
                            ("empact_priorities.csv", "priority_id"), ("area_empact.csv", "area_id"),
                            ("places.csv", "place_id"), ("tactics.csv", "tactic_id")})


def check_ids(path, name: str, frame: pd.DataFrame) -> None:
    """Refuse (:class:`ConfigError`) an id or slug of ``ID_COLUMNS`` that does not have its strict form,
    naming the file, row, column, value and the form expected."""
    for column, (pattern, names, words, may_be_empty) in ID_COLUMNS.get(name, {}).items():
        if column not in frame.columns:
            continue
        cells = frame[column].astype(str)
        bad = ~cells.map(lambda v, pattern=pattern, may_be_empty=may_be_empty: bool(pattern.fullmatch(v)) or (may_be_empty and v == "")).astype(bool)
        if bad.any():
            index = bad.idxmax()
            value = cells[index]
            why = " (a path: '/' and '..' would lead out of the book's folder)" if "/" in value or ".." in value \
                or "\\" in value else ""
            raise ConfigError(f"{path}, row {int(index) + 2}, column '{column}': {value!r} is not a valid {column}{why}; "
                              f"it names {names}, so it may hold only {words}. Correct it in the file")
        if (name, column) in UNIQUE_COLUMNS:  # two countries with one slug would write one page over the other
            repeated = cells[cells.duplicated(keep=False) & cells.ne("")]
            if not repeated.empty:
                rows = ", ".join(str(int(i) + 2) for i in repeated.index)
                raise ConfigError(f"{path}, rows {rows}, column '{column}': {repeated.iloc[0]!r} appears more than "
                                  f"once; it names {names}, so each row needs its own. Correct it in the file")


def check_templates(path, name: str, frame: pd.DataFrame) -> None:
    """Refuse (:class:`ConfigError`) a format template of ``TEMPLATE_COLUMNS`` that names anything but
    its plain fields (``{term}``): such a text is filled in with ``str.format``."""
    for column, (allowed, required, example) in TEMPLATE_COLUMNS.get(name, {}).items():
        if column not in frame.columns:
            continue
        for index, text in frame[column].items():
            if text:  # empty: the sentence's default opening
                template_fields(text, allowed, f"{path}, row {int(index) + 2}, column '{column}'", example, required)


def _boundary_shapes(path: Path) -> list[tuple[str, list[list[tuple[float, float]]]]]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a GeoJSON file ({exc}); replace it with one made by "
                          "data/reference/derive_map_layers.py") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ConfigError(f"{path}: a GeoJSON FeatureCollection is expected")
    shapes = []
    for n, feature in enumerate(data["features"], start=1):
        try:
            code = feature["properties"]["ADM0_A3"]
            kind, coordinates = feature["geometry"]["type"], feature["geometry"]["coordinates"]
            polygons = {"Polygon": [coordinates], "MultiPolygon": coordinates}[kind]
            rings = [[(float(x), float(y)) for x, y, *_ in ring] for polygon in polygons for ring in polygon]
            if not all(-180 <= x <= 180 and -90 <= y <= 90 for ring in rings for x, y in ring):
                raise ValueError("a coordinate is not a longitude and latitude in degrees")
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}, feature {n}: a Polygon or MultiPolygon with the property ADM0_A3 is "
                              f"expected ({type(exc).__name__}: {exc})") from exc
        if not (isinstance(code, str) and ISO3.fullmatch(code)):
            raise ConfigError(f"{path}, feature {n}, property ADM0_A3: {code!r} is not three capital letters")
        shapes.append((code, rings))
    return shapes


def _split(cell: str) -> list[str]:
    return [part.strip() for part in str(cell).split("|") if part.strip()]


# where an EMPACT priority that no crime area corresponds to is assessed instead (empact_priorities.csv assessed_in)
EMPACT_ASSESSED_IN = ("", "ocg")


@dataclass(frozen=True)
class Reference:
    """``inert``: every text cell made inert MyST (:func:`socta.core.markup.inert_frame`), as a page reads
    the configuration; validation and processing read it as written."""
    project: Project
    inert: bool = False

    def table(self, name: str) -> pd.DataFrame:
        path = self.project.reference_path(name)
        if not path.is_file():  # the message of read_csv_table, which names the file and the fix
            return self._parse(name, path)
        return parsed(path, f"reference:{name}:{'inert' if self.inert else 'as written'}",
                      lambda file: self._parse(name, file))

    def _parse(self, name: str, path: Path) -> pd.DataFrame:
        required, numeric = REFERENCE_FILES[name]
        try:
            frame = read_csv_table(path, numeric_columns=set(numeric)).frame
        except TableError as exc:
            if name not in MAY_BE_EMPTY or "no data rows" not in str(exc):
                raise ConfigError(str(exc)) from exc
            frame = pd.DataFrame(columns=list(required), dtype=str)
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(required)}")
        for column in numeric:
            values = pd.to_numeric(frame[column].replace("", None), errors="coerce")
            bad = values.isna() & frame[column].ne("")
            if bad.any():
                row = int(bad.idxmax()) + 2
                raise ConfigError(f"{path}, row {row}, column '{column}': {frame.at[row - 2, column]!r} is not a number")
            frame[column] = values
        check_ids(path, name, frame)
        check_templates(path, name, frame)
        if self.inert:
            frame = inert_frame(frame)
        return frame

    def english_names(self) -> dict[tuple[str, str], str]:
        """(kind, id) → the English name a page prints for every area, indicator, sub-market,
        category and unit of the configuration (the names a language edition must translate)."""
        names = {("area", a): row["name_en"] for a, row in self.top_areas.iterrows()}
        names |= {("indicator", i): row["name_en"] for i, row in self.indicators.iterrows()}
        names |= {("place", p): row["name_en"] for p, row in self.places.iterrows()}
        for _, row in self.indicators.iterrows():
            names |= {("submarket", s): self.areas.at[s, "name_en"] for s in row["submarket_list"] if s in self.areas.index}
            names |= {("category", c): code_label(c) for c in row["category_list"]}
            names[("unit", row["unit"])] = row["unit"]
        return names

    def data_names(self, lang: str) -> dict[str, str]:
        """English name → its name in ``lang`` from ``names.csv``, for the names the catalogues lack."""
        table = self.table("names.csv")
        column = catalogue_language(lang)
        if column not in table.columns:
            return {}
        english = self.english_names()
        out = {}
        for _, row in table.iterrows():
            name, text = english.get((row["kind"], row["id"])), str(row[column]).strip()
            if name and text:
                out[name] = transliterate(text, lang)
        return out

    def untranslated(self, languages: list[str]) -> list[str]:
        """Validation warnings: per edition language, the names of the configuration that neither
        its catalogue nor ``names.csv`` translates (that edition prints them in English)."""
        english = self.english_names()
        out = []
        for lang in dict.fromkeys(catalogue_language(lang) for lang in languages):
            if lang == "en":
                continue
            given, translated = self.data_names(lang), translated_msgids(lang)
            lacking = [f"{kind} {key} ({name!r})" for (kind, key), name in english.items()
                       if name not in given and name not in translated]
            if lacking:
                out.append(f"names.csv: {len(lacking)} name(s) have no {lang} translation: {listed(lacking, sep=', ')}; "
                           f"the {lang} edition "
                           f"prints them in English. Add a row per name (kind, id) with its {lang} name in column '{lang}' "
                           f"of <data folder>/reference/names.csv.")
        return out

    @cached_property
    def countries(self) -> pd.DataFrame:
        return self.table("countries.csv").set_index("iso3", drop=False)

    @cached_property
    def population(self) -> pd.DataFrame:
        return self.table("population.csv")

    @cached_property
    def areas(self) -> pd.DataFrame:
        """All crime areas and sub-markets; ``parent_id`` is empty for a top-level area."""
        return self.table("crime_areas.csv").set_index("area_id", drop=False)

    @cached_property
    def top_areas(self) -> pd.DataFrame:
        a = self.areas
        return a[a["parent_id"].eq("")].sort_values("order")

    def top_area_of(self, area_id: str) -> str:
        parent = self.areas.at[area_id, "parent_id"]
        return parent or area_id

    @cached_property
    def indicators(self) -> pd.DataFrame:
        frame = self.table("indicators.csv")
        frame["submarket_list"] = frame["submarkets"].map(_split)
        frame["category_list"] = frame["categories"].map(_split)
        frame["headline"] = frame["headline"].str.lower().eq("true")
        return frame.set_index("indicator_id", drop=False)

    @cached_property
    def ocg_indicators(self) -> pd.DataFrame:
        return self.table("ocg_indicators.csv").set_index("indicator_id", drop=False)

    @cached_property
    def sleipnir(self) -> pd.DataFrame:
        return self.table("sleipnir_attributes.csv").set_index("attribute", drop=False)

    @cached_property
    def answer_scale(self) -> pd.DataFrame:
        return self.table("answer_scale.csv").set_index("answer", drop=False)

    @cached_property
    def threat_indicators(self) -> pd.DataFrame:
        return self.table("area_threat_indicators.csv").set_index("indicator_id", drop=False)

    @cached_property
    def harm_dimensions(self) -> pd.DataFrame:
        return self.table("harm_dimensions.csv").set_index("dimension_id", drop=False)

    @cached_property
    def yardstick(self) -> pd.DataFrame:
        return self.table("probability_yardstick.csv")

    @cached_property
    def grading(self) -> pd.DataFrame:
        g = self.table("grading_profiles.csv")
        profile = self.project.settings.grading_profile
        g = g[g["profile"].eq(profile)]
        if g.empty:
            raise ConfigError(f"grading profile {profile!r} (settings.yaml) has no rows in grading_profiles.csv")
        return g

    def grade_codes(self) -> list[str]:
        """Every combined grade of the profile in force, e.g. A1 … X4."""
        g = self.grading
        rel = g.loc[g["dimension"].eq("source_reliability"), "code"]
        info = g.loc[g["dimension"].eq("information"), "code"]
        return [r + i for r in rel for i in info]

    def handling_codes(self) -> list[str]:
        g = self.grading
        return list(g.loc[g["dimension"].eq("handling"), "code"])

    @cached_property
    def observation_status(self) -> pd.DataFrame:
        """The SDMX observation-status code list (CL_OBS_STATUS) and what each code means here:
        ``missing`` (no value), ``breaks_series`` (a trend starts afresh), ``fit`` (usable in a trend
        fit), ``anchor`` (a projection may start from it)."""
        frame = self.table("observation_status.csv")
        for column in ("missing", "breaks_series", "fit", "anchor"):
            frame[column] = frame[column].str.lower().eq("true")
        return frame.set_index("code", drop=False)

    @cached_property
    def empact(self) -> pd.DataFrame:
        """The EMPACT priorities in their order (empact_priorities.csv), with ``assessed_in``: ``ocg`` for a priority
        that concerns the groups rather than a crime area (assessed in the chapter on the organised crime groups),
        else empty. Any other value is refused with its file, row and column."""
        frame = self.table("empact_priorities.csv").copy()
        if "assessed_in" not in frame.columns:
            frame["assessed_in"] = ""
        frame["assessed_in"] = frame["assessed_in"].fillna("").astype(str).str.strip()
        bad = ~frame["assessed_in"].isin(EMPACT_ASSESSED_IN)
        if bad.any():
            i = int(bad.idxmax())
            raise ConfigError(f"{self.project.reference_path('empact_priorities.csv')}, row {i + 2}, column 'assessed_in': "
                              f"{frame.at[i, 'assessed_in']!r} is not one of 'ocg' (the chapter on the organised crime "
                              "groups assesses the priority) or empty: correct it")
        return frame.sort_values("order", kind="stable").set_index("priority_id", drop=False)

    @cached_property
    def area_empact(self) -> dict[str, str]:
        """Top-level crime area → the EMPACT priority it corresponds to (area_empact.csv). An id that the
        crime_areas.csv or empact_priorities.csv in force does not list is refused with its file, row and
        column; a row of the shipped mapping for an area a data folder's own crime_areas.csv left out is
        skipped (that folder has no such area)."""
        path = self.project.reference_path("area_empact.csv")
        mapping = {}
        shipped = path.parent == REFERENCE_DIR or path.parent.parent == METHODS_DIR
        for i, row in self.table("area_empact.csv").iterrows():
            for column, known, where in (
                    ("area_id", self.top_areas.index, "a top-level area_id of crime_areas.csv"),
                    ("priority_id", self.empact.index, "a priority_id of empact_priorities.csv")):
                if row[column] in known:
                    continue
                if shipped:
                    break  # the shipped mapping, a data folder's own list without that area: nothing to map
                raise ConfigError(f"{path}, row {i + 2}, column '{column}': {row[column]!r} is not {where} "
                                  f"({', '.join(known)}): correct it or remove the row")
            else:
                mapping[row["area_id"]] = row["priority_id"]
        return mapping

    @cached_property
    def tactics(self) -> pd.DataFrame:
        """The networks' tactics in their order (tactics.csv), each with the OCG indicator that measures it
        ("" where none does). An indicator that ocg_indicators.csv does not list is refused with its file,
        row and column."""
        frame = self.table("tactics.csv")
        path = self.project.reference_path("tactics.csv")
        shipped = path.parent == REFERENCE_DIR or path.parent.parent == METHODS_DIR
        names = frame["name_en"][frame["name_en"].duplicated(keep=False)]
        if not names.empty:
            raise ConfigError(f"{path}, rows {', '.join(str(int(i) + 2) for i in names.index)}, column 'name_en': "
                              f"{names.iloc[0]!r} names two tactics; give each its own name")
        for i, indicator in frame["indicator_id"].items():
            if indicator and indicator not in self.ocg_indicators.index and shipped:
                frame.at[i, "indicator_id"] = ""   # a data folder's own indicators lack it: not measured there
            elif indicator and indicator not in self.ocg_indicators.index:
                raise ConfigError(f"{path}, row {int(i) + 2}, column 'indicator_id': {indicator!r} is not an indicator_id "
                                  f"of ocg_indicators.csv ({', '.join(self.ocg_indicators.index)}); correct it, or leave "
                                  "it empty if no indicator measures the tactic")
        return frame.sort_values("order", kind="stable").set_index("tactic_id", drop=False)

    @cached_property
    def places(self) -> pd.DataFrame:
        """The places of places.csv by place_id, with their latitude and longitude in degrees (WGS 84). A
        coordinate off the globe is refused with its file, row and column."""
        frame = self.table("places.csv")
        path = self.project.reference_path("places.csv")
        for column, bound in (("latitude", 90), ("longitude", 180)):
            bad = frame[column].isna() | frame[column].abs().gt(bound)
            if bad.any():
                i = int(bad.idxmax())
                value = frame.at[i, column]
                written = "empty" if pd.isna(value) else f"{float(value):g}"
                raise ConfigError(f"{path}, row {i + 2}, column '{column}': {written} is not a {column} "
                                  f"in degrees (from -{bound} to {bound}, e.g. 44.819 for Belgrade): correct it")
        return frame.set_index("place_id", drop=False)

    @cached_property
    def boundaries(self) -> list[tuple[str, list[list[tuple[float, float]]]]]:
        """The map's country shapes: (ADM0_A3 code, its rings as lists of (longitude, latitude)) per
        feature of boundaries.geojson. Anything but a FeatureCollection of Polygons and MultiPolygons
        with an ADM0_A3 property is refused, naming the file and the feature."""
        path = self.project.reference_path(BOUNDARIES)
        if not path.is_file():
            raise ConfigError(f"{path}: the map's boundary file is missing; copy data/reference/{BOUNDARIES} there "
                              "or make one with data/reference/derive_map_layers.py")
        if path.stat().st_size > MAX_BOUNDARY_BYTES:
            raise ConfigError(f"{path}: {path.stat().st_size:,} bytes is more than a map of the region needs "
                              f"({MAX_BOUNDARY_BYTES:,} at most); simplify it (1:50m is enough)")
        return parsed(path, "reference:boundaries", _boundary_shapes)

    def country_name(self, iso3: str) -> str:
        return self.countries.at[iso3, "name_en"]
