"""The layout of a collection workbook: its sheets, their columns and rows, built from the reference
configuration in force, one country, the years of the cycle and the workbook's language.

One layout serves both ways: ``socta collect`` writes it (socta.collect.write) and ``socta import
--workbook`` reads a filled workbook against it (socta.collect.read). Each data row carries a key in
a hidden column (``drug_seizures_kg|cocaine||2016``), and the workbook's hidden ``socta`` sheet keeps
every row's key as written, so a row moved, inserted or deleted by a unit is found, not misread.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from socta.core.config import Project
from socta.core.text import N_
from socta.i18n import translate as i18n
from socta.i18n.translate import code_label, t, tp
from socta.ingest.reference import Reference
from socta.ingest.schema import CONFIDENCE, RELATION_KINDS

FORMAT = "socta-collection-1"  # what the hidden sheet says the workbook is; a later layout changes it
META_SHEET = "socta"   # very hidden: what the workbook is for and the key of every row
LISTS_SHEET = "lists"  # hidden: the drop-down lists
TITLE_ROW, NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 4, 5

STATISTICS, GROUPS, EXPERTS, INSTRUCTIONS = "statistics", "groups", "experts", "instructions"
PLACES, LINKS = "places", "links"
# the method a workbook says it was made on when its data folder names no profile: the shipped reference files
SHIPPED_METHOD = "regional-2016"   # where the groups are based and operate; how they are linked

# blank rows offered for what the last cycle did not have: new groups, further expert respondents, places, links
NEW_GROUP_ROWS = 15
NEW_PLACE_ROWS, NEW_LINK_ROWS = 20, 15
EXPERT_ROWS_AT_LEAST, NEW_EXPERT_ROWS = 8, 3


@dataclass(frozen=True)
class Field:
    """One column of a sheet. ``name``: the output column it fills (``value``, ``answer:corruption``);
    ``choices``: the list on the lists sheet a drop-down offers; ``strict``: whether a value off the list
    is refused by the spreadsheet (observation status allows combinations such as B|P)."""

    name: str
    label: str
    width: float = 14
    input: bool = False
    choices: str | None = None
    strict: bool = True
    hidden: bool = False
    number: bool = False  # written and read as a number
    whole: tuple[int, int] | None = None  # a whole number in this range, checked by the spreadsheet


@dataclass
class Sheet:
    role: str        # statistics:<area>, groups, experts, instructions
    title: str       # as the user sees it, in the workbook's language
    fields: list[Field] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # field name → value; "key" is the row's key
    note: str = ""
    check: str | None = None  # the check column's message set (see socta.collect.write)

    @property
    def area(self) -> str | None:
        return self.role.split(":", 1)[1] if self.role.startswith(STATISTICS + ":") else None

    def column(self, name: str) -> int:
        """The 1-based column of field ``name``."""
        return [f.name for f in self.fields].index(name) + 1


@dataclass
class Layout:
    country: str
    lang: str
    years: tuple[int, int]
    unit: str
    sheets: list[Sheet]
    lists: dict[str, list[tuple[str, str]]]  # list name → (code, label as shown)
    meta: dict[str, str]
    country_name: str = ""  # in English, as countries.csv gives it

    def sheet(self, role: str) -> Sheet | None:
        return next((s for s in self.sheets if s.role == role), None)

    @property
    def cycle(self) -> str:
        return f"{self.years[0]}-{self.years[1]}"


def offered_digest(values: list) -> str:
    """A digest of a row's input cells: written beside a pre-filled row, compared when the row is read, so
    a value left as offered is told from one a unit gave (several units' workbooks are merged on it)."""
    parts = []
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            parts.append("")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(format(float(value), ".15g"))
        else:
            parts.append(str(value).strip())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def series_key(indicator: str, submarket: str, category: str, year: int | str) -> str:
    return f"{indicator}|{submarket}|{category}|{year}"


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in name)[:31].strip(" '") or "sheet"
    title, n = clean, 2
    while title.lower() in {x.lower() for x in taken}:
        title = f"{clean[:28]} {n}"
        n += 1
    taken.add(title)
    return title


def choice_lists(project: Project, ref: Reference) -> dict[str, list[tuple[str, str]]]:
    """The drop-down lists, code → label in the current language. A label is what the unit picks; the
    code is what the data folder holds. Grades and handling codes are international codes, shown as such."""
    status = [(code, f"{code} — {t(row['name_en'])}") for code, row in ref.observation_status.iterrows()]
    answers = [(code, t(str(row["description"]).split(";")[0].strip() or code))
               for code, row in ref.answer_scale.iterrows()]
    return {
        "grade": [(g, g) for g in ref.grade_codes()],
        "handling": [(h, h) for h in ref.handling_codes()],
        "status": status,
        "answer": answers,
        "structure": [(s, t(code_label(s))) for s in project.settings.ocg_structures],
        "confidence": [(c, tp("confidence", c)) for c in CONFIDENCE],
        "change": [(str(v), str(v)) for v in (-2, -1, 0, 1, 2)],
        "level": [(str(v), str(v)) for v in range(5)],
        "months": [(str(v), str(v)) for v in range(1, 12)],
        # a place as the unit knows it, with its country: two towns may share a name
        "place": [(pid, f"{t(row['name_en'])} ({row['country']})") for pid, row in ref.places.iterrows()],
        "role": [("base", t("based here")), ("activity", t("operates here"))],
        "kind": [(kind, t(RELATION_LABELS[kind])) for kind in RELATION_KINDS],
    }


# the kinds of link between groups as a unit picks them (ocg_relations.csv kind)
RELATION_LABELS = {"cooperation": N_("cooperation"), "supply": N_("supplies the other group"),
                   "service": N_("sells the other group a service (violence, laundering, documents)"),
                   "conflict": N_("conflict")}


def _statistics_fields() -> list[Field]:
    return [
        Field("indicator", t("Indicator"), 30), Field("submarket", t("Sub-market"), 14),
        Field("category", t("Category"), 16), Field("unit", t("Unit"), 14), Field("year", t("Year"), 7),
        Field("value", t("Value"), 12, input=True, number=True),
        Field("status", t("Status (SDMX)"), 22, input=True, choices="status", strict=False),
        Field("months", t("Months (part-year)"), 10, input=True, choices="months", number=True),
        Field("grade", t("Grade"), 8, input=True, choices="grade"),
        Field("handling_code", t("Handling code"), 12, input=True, choices="handling"),
        Field("source", t("Source"), 40, input=True),
        Field("check", t("Check"), 46),
        Field("key", "key", 4, hidden=True),
    ]


def _group_fields(ref: Reference, years: tuple[int, int]) -> list[Field]:
    fields = [
        Field("ocg_id", t("Group id"), 14, input=True), Field("size", t("Members"), 9, input=True, number=True, whole=(2, 100000)),
        Field("structure", t("Structure"), 14, input=True, choices="structure"),
        Field("nationalities", t("Nationalities (ISO3, separated by |)"), 18, input=True),
        Field("countries_active", t("Countries active (ISO3, separated by |)"), 18, input=True),
        Field("crime_areas", t("Crime areas (ids, separated by |)"), 18, input=True),
        Field("first_reported", t("First reported (year)"), 10, input=True, number=True, whole=years),
        Field("grade", t("Grade"), 8, input=True, choices="grade"),
        Field("handling_code", t("Handling code"), 12, input=True, choices="handling"),
        Field("notes", t("Notes"), 24, input=True),
    ]
    check = Field("check", t("Check"), 46)
    for indicator, row in ref.ocg_indicators.iterrows():
        name = t(row["name_en"])
        fields += [Field(f"answer:{indicator}", name, 16, input=True, choices="answer"),
                   Field(f"grade:{indicator}", t("{name}: grade", name=name), 8, input=True, choices="grade"),
                   Field(f"handling:{indicator}", t("{name}: handling code", name=name), 8, input=True,
                         choices="handling")]
    return fields + [check, Field("key", "key", 4, hidden=True)]


def _place_fields() -> list[Field]:
    return [Field("ocg_id", t("Group id"), 14, input=True), Field("place", t("Place"), 24, input=True, choices="place"),
            Field("role", t("Based here or operates here"), 18, input=True, choices="role"),
            Field("grade", t("Grade"), 8, input=True, choices="grade"),
            Field("handling_code", t("Handling code"), 12, input=True, choices="handling"),
            Field("check", t("Check"), 46), Field("key", "key", 4, hidden=True)]


def _link_fields() -> list[Field]:
    return [Field("ocg_id", t("Group id"), 14, input=True), Field("other_ocg_id", t("Linked group's id"), 16, input=True),
            Field("kind", t("Kind of link"), 30, input=True, choices="kind"),
            Field("grade", t("Grade"), 8, input=True, choices="grade"),
            Field("handling_code", t("Handling code"), 12, input=True, choices="handling"),
            Field("check", t("Check"), 46), Field("key", "key", 4, hidden=True)]


def _expert_fields(ref: Reference) -> list[Field]:
    fields = [Field("area", t("Crime area"), 26), Field("respondent", t("Respondent (pseudonym)"), 14, input=True),
              Field("trend", t("Trend (-2 to 2)"), 10, input=True, choices="change", number=True),
              Field("scale", t("Scale (0 to 4)"), 10, input=True, choices="level", number=True)]
    for dimension, row in ref.harm_dimensions.iterrows():
        fields.append(Field(f"harm_{dimension}", t("Harm: {name} (0 to 4)", name=t(row["name_en"])), 14, input=True,
                            choices="level", number=True))
    fields += [Field("outlook", t("Outlook (-2 to 2)"), 10, input=True, choices="change", number=True),
               Field("confidence", t("Confidence"), 12, input=True, choices="confidence"),
               Field("check", t("Check"), 46), Field("key", "key", 4, hidden=True)]
    return fields


def _as_cell(text: str):
    """A value as written in a data folder → the cell value: numbers as numbers, anything else as text."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    if number != number or number in (float("inf"), float("-inf")):
        return text
    if number.is_integer() and "." not in text and "e" not in text.lower():
        return int(text)
    return number


def decimal_format(text: str) -> str | None:
    """The number format that shows a value with the decimals it was written with ("4.0" → 0.0), so a
    value read back is written as it was; a value typed with more decimals keeps them all."""
    text = (text or "").strip()
    if "." not in text or not text.replace(".", "", 1).lstrip("-").isdigit():
        return None
    return "0." + "0" * len(text.split(".", 1)[1])


def build_layout(project: Project, country: str, lang: str, years: tuple[int, int], unit: str = "",
                 previous: dict[str, pd.DataFrame] | None = None) -> Layout:
    """The workbook for ``country`` in ``lang`` covering ``years``; ``previous``: the last cycle's input
    tables as written (strings), whose rows of this country are pre-filled."""
    previous = previous or {}
    ref = Reference(project)
    was = i18n.language()
    i18n.set_language(lang)
    try:
        lists = choice_lists(project, ref)
        taken = {META_SHEET, LISTS_SHEET}
        sheets = [Sheet(INSTRUCTIONS, sheet_title(t("Instructions"), taken))]
        sheets += _statistics_sheets(ref, country, years, previous.get("statistics.csv"), taken)
        sheets.append(_groups_sheet(ref, country, previous.get("ocg_register.csv"), previous.get("ocg_answers.csv"),
                                    lists, taken))
        sheets.append(_experts_sheet(ref, country, previous.get("expert_assessments.csv"), lists, taken))
        groups = _country_groups(previous.get("ocg_register.csv"), country)
        sheets.append(_group_rows_sheet(
            PLACES, sheet_title(t("Places"), taken), _place_fields(), previous.get("ocg_places.csv"), groups,
            {"place": "place", "role": "role"}, lists, NEW_PLACE_ROWS,
            t("One row per group and place: the one place where the group is based, and every place where it "
              "operates. A place not on the list is added to places.csv by the analysts first.")))
        sheets.append(_group_rows_sheet(
            LINKS, sheet_title(t("Links between groups"), taken), _link_fields(), previous.get("ocg_relations.csv"),
            groups, {"kind": "kind"}, lists, NEW_LINK_ROWS,
            t("One row per link from a group of this country to another group, of this country or another: "
              "the other group by its id.")))
        sheets[0].rows = _instructions(ref, country, years, unit, sheets)
    finally:
        i18n.set_language(was)
    layout = Layout(country, lang, years, unit, sheets, lists, {}, ref.country_name(country))
    layout.meta = {
        "format": FORMAT, "country": country, "unit": unit, "language": lang, "years": layout.cycle,
        "dataset": str(project.dataset.get("name", "")), "synthetic": "true" if project.dataset.get("synthetic") and
        previous else "false", "reference": reference_digest(project), "socta": _version(),
        "method": project.method or SHIPPED_METHOD,
    }
    return layout


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("socta")
    except PackageNotFoundError:
        return "unknown"


def reference_digest(project: Project) -> str:
    """A digest of the reference files a workbook's layout depends on: a workbook made under another
    configuration is told apart from one whose rows were moved."""
    digest = hashlib.sha256()
    for name in ("indicators.csv", "crime_areas.csv", "ocg_indicators.csv", "harm_dimensions.csv", "answer_scale.csv",
                 "grading_profiles.csv", "observation_status.csv", "countries.csv", "places.csv"):
        path = project.reference_path(name)
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()[:16]


def _statistics_sheets(ref: Reference, country: str, years: tuple[int, int], stats: pd.DataFrame | None,
                       taken: set[str]) -> list[Sheet]:
    """A sheet per crime area that has indicators: one row per indicator, sub-market, category and year."""
    known: dict[str, dict] = {}
    if stats is not None and not stats.empty:
        mine = stats[stats["country"].eq(country)]
        for record in mine.to_dict("records"):
            known[series_key(record["indicator"], record.get("submarket", ""), record.get("category", ""),
                             record["year"])] = record
    sheets = []
    for area, area_row in ref.top_areas.iterrows():
        indicators = ref.indicators[ref.indicators["area_id"].eq(area)]
        if indicators.empty:
            continue
        sheet = Sheet(f"{STATISTICS}:{area}", sheet_title(t(area_row["name_en"]), taken), _statistics_fields(),
                      note=t("Type a value, or leave it empty and choose a status (for example L or M) to say why "
                             "there is none. Never type 0 for a missing value."), check=STATISTICS)
        for indicator, row in indicators.iterrows():
            series = [(s, c) for s in (row["submarket_list"] or [""]) for c in (row["category_list"] or [""])]
            series += sorted({(r.get("submarket", ""), r.get("category", "")) for r in known.values()
                              if r["indicator"] == indicator} - set(series))  # last cycle's other breakdowns
            for submarket, category in series:
                last: dict = {}
                for year in range(years[0], years[1] + 1):
                    record = known.get(series_key(indicator, submarket, category, year))
                    if record:
                        last = record
                    filled = record or {k: last.get(k, "") for k in ("source", "grade", "handling_code")}
                    sheet.rows.append({
                        "key": series_key(indicator, submarket, category, year),
                        "indicator": t(row["name_en"]),
                        "submarket": t(ref.areas.at[submarket, "name_en"]) if submarket in ref.areas.index
                        else submarket,
                        "category": t(code_label(category)) if category else "",
                        "unit": t(row["unit"]), "year": year,
                        "value": _as_cell(filled.get("value", "")), "status": filled.get("status", "") or None,
                        "months": _as_cell(filled.get("months", "")), "grade": filled.get("grade") or None,
                        "handling_code": filled.get("handling_code") or None, "source": filled.get("source") or None,
                        "formats": {"value": decimal_format(record["value"] if record else last.get("value", ""))},
                    })
        sheets.append(sheet)
    return sheets


def _label(lists: dict, name: str, code: str) -> str | None:
    return dict(lists[name]).get(code, code) if code else None


def _groups_sheet(ref: Reference, country: str, register: pd.DataFrame | None, answers: pd.DataFrame | None,
                  lists: dict, taken: set[str]) -> Sheet:
    valid_years = tuple(int(y) for y in ref.project.settings.assessment.valid_years)
    sheet = Sheet(GROUPS, sheet_title(t("Groups and networks"), taken), _group_fields(ref, valid_years), check=GROUPS,
                  note=t("One row per organised crime group or network. An answer's grade and handling code may be "
                         "left empty: the group's own are used."))
    mine = register[register["country"].eq(country)] if register is not None and not register.empty else None
    by_group = {} if answers is None or answers.empty else {k: g for k, g in answers.groupby("ocg_id")}
    n = 0
    for n, record in enumerate([] if mine is None else mine.to_dict("records"), start=1):
        row = {"key": f"group:{n}", **{k: record.get(k) or None for k in
                                        ("ocg_id", "nationalities", "countries_active", "crime_areas", "grade",
                                         "handling_code", "notes")},
               "size": _as_cell(record.get("size", "")), "first_reported": _as_cell(record.get("first_reported", "")),
               "structure": _label(lists, "structure", record.get("structure", ""))}
        for answer in by_group.get(record["ocg_id"], pd.DataFrame()).to_dict("records"):
            row[f"answer:{answer['indicator']}"] = _label(lists, "answer", answer["answer"])
            row[f"grade:{answer['indicator']}"] = answer["grade"] or None
            row[f"handling:{answer['indicator']}"] = answer["handling_code"] or None
        sheet.rows.append(row)
    sheet.rows += [{"key": f"group:{i}"} for i in range(n + 1, n + 1 + NEW_GROUP_ROWS)]
    return sheet


def _country_groups(register: pd.DataFrame | None, country: str) -> set[str]:
    """The ids of the groups ``country`` registered: the groups whose places and links its workbook holds."""
    return set() if register is None or register.empty else set(register.loc[register["country"].eq(country), "ocg_id"])


def _group_rows_sheet(role: str, title: str, fields: list[Field], previous: pd.DataFrame | None, groups: set[str],
                      coded: dict[str, str], lists: dict, blank: int, note: str) -> Sheet:
    """A sheet of rows about the country's groups (places, links), pre-filled from the last cycle's table, with
    ``blank`` rows for new ones; ``coded``: the columns shown by their label on a drop-down list."""
    sheet = Sheet(role, title, fields, check=role, note=note)
    mine = [] if previous is None or previous.empty else previous[previous["ocg_id"].isin(groups)].to_dict("records")
    inputs = [f.name for f in fields if f.input]
    for n, record in enumerate(mine, start=1):
        sheet.rows.append({"key": f"{role}:{n}", **{name: (_label(lists, coded[name], record.get(name, ""))
                                                           if name in coded else record.get(name) or None)
                                                    for name in inputs}})
    sheet.rows += [{"key": f"{role}:{i}"} for i in range(len(mine) + 1, len(mine) + 1 + blank)]
    return sheet


def _experts_sheet(ref: Reference, country: str, experts: pd.DataFrame | None, lists: dict, taken: set[str]) -> Sheet:
    sheet = Sheet(EXPERTS, sheet_title(t("Expert assessments"), taken), _expert_fields(ref), check=EXPERTS,
                  note=t("One row per respondent and crime area: trend and outlook from -2 (strong decrease) to 2 "
                         "(strong increase), scale and harm from 0 (none) to 4 (very large)."))
    mine = experts[experts["country"].eq(country)] if experts is not None and not experts.empty else None
    numbers = ["trend", "scale", *[f"harm_{d}" for d in ref.harm_dimensions.index], "outlook"]
    for area, area_row in ref.top_areas.iterrows():
        records = [] if mine is None else mine[mine["area"].eq(area)].to_dict("records")
        rows = max(EXPERT_ROWS_AT_LEAST, len(records) + NEW_EXPERT_ROWS)
        for i in range(rows):
            row = {"key": f"expert:{area}:{i + 1}", "area": t(area_row["name_en"])}
            if i < len(records):
                record = records[i]
                row |= {"respondent": record["respondent"] or None,
                        "confidence": _label(lists, "confidence", record.get("confidence", ""))}
                row |= {k: _as_cell(record.get(k, "")) for k in numbers}
            sheet.rows.append(row)
    return sheet


def _instructions(ref: Reference, country: str, years: tuple[int, int], unit: str, sheets: list[Sheet]) -> list[dict]:
    """The instructions sheet, as rows of (style, text, second column): what a unit needs to fill the
    workbook in without the data dictionary."""
    name = i18n.term(ref.country_name(country), proper=True)
    rows = [
        {"style": "title", "text": t("SOCTA data collection: {country}, {first}–{last}", country=name,
                                     first=str(years[0]), last=str(years[1]))},
        {"style": "plain", "text": t("Unit: {unit}", unit=unit) if unit else ""},
        {"style": "heading", "text": t("How to fill it in")},
        {"style": "plain", "text": t("Fill in the white cells only; the grey cells are labels. Do not rename the "
                                     "sheets and do not move, insert or delete rows or columns: every value is "
                                     "read back from its cell.")},
        {"style": "plain", "text": t("Empty means not known. Never type 0 for a figure you do not have: leave the "
                                     "value empty and choose a status that says why (L: the data exist but were not "
                                     "collected; M: the data cannot exist; Q: suppressed).")},
        {"style": "plain", "text": t("A figure published as below a threshold is typed as <5; a lower bound as "
                                     ">3300. A figure for part of a year gives the months it covers.")},
        {"style": "plain", "text": t("Every figure needs its source, a grade and a handling code. The grade is the "
                                     "source's reliability (A to C, X: cannot be judged) followed by the "
                                     "information's (1 to 4), for example B2.")},
        {"style": "plain", "text": t("Countries and nationalities are ISO 3166 three-letter codes (for example "
                                     "ALB, BIH, HRV, XKX for Kosovo); several are written separated by |, for "
                                     "example SRB|BIH. Crime areas are written with the codes listed below.")},
        {"style": "plain", "text": t("The column Check says what a row still needs; an empty Check means the row is "
                                     "empty or complete.")},
        {"style": "plain", "text": t("Once filled in, the workbook holds restricted information (the sheets of the "
                                     "groups, their places and links): send it only through the channel your "
                                     "handling code allows.")},
        {"style": "heading", "text": t("Sheets")},
    ]
    for sheet in sheets[1:]:
        rows.append({"style": "pair", "text": sheet.title, "second": {
            STATISTICS: t("statistics of the crime area, one row per indicator and year"),
            GROUPS: t("the groups and their indicators, one row per group"),
            EXPERTS: t("the experts' assessment of each crime area"),
            PLACES: t("where the groups are based and operate, one row per group and place"),
            LINKS: t("how the groups are linked to other groups, one row per link"),
        }[sheet.role.split(":")[0]]})
    rows.append({"style": "heading", "text": t("Codes")})
    rows += [{"style": "pair", "text": area, "second": t(row["name_en"])} for area, row in ref.areas.iterrows()]
    rows += [{"style": "pair", "text": iso3, "second": str(i18n.term(row["name_en"], proper=True))}
             for iso3, row in ref.countries.iterrows()]
    return [r for r in rows if r["text"]]
