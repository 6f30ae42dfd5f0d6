"""Output checks on the processed tables, run before they replace the previous ones.

Every processed table is declared once here (:data:`TABLES`): its key, the columns a page may read,
when it may be empty and the range of its scores, taken from the code that writes it
(:mod:`socta.process.tables`, :mod:`socta.process.disclosure_policy`, :mod:`socta.analysis.scoring`).
:func:`check_editions` holds every edition's tables to that before anything is written: a table that
fails is a bug in socta (or, where the rows come from it, in the reference configuration), never a
problem of the analyst's data, which validation has accepted. Nothing is written then, and the
previous processed folders stay as they were.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from socta.analysis.trends import Trend
from socta.core.config import REGION
from socta.core.edition import PUBLIC, RESTRICTED, Edition

RESTRICTED_COLUMNS = ("grade", "handling_code")
# what a public table may never hold: the source grades and handling codes, an OCG's identifier, its notes
PUBLIC_FORBIDDEN = (*RESTRICTED_COLUMNS, "ocg_id", "notes")

# the threat sub-scores every area score carries (socta.analysis.scoring.area_threat)
SUBSCORES = ("trend", "scale", "ocg_number", "ocg_threat", "international", "stat_trend")
PROFILES = ("europol", "sleipnir")   # the OCG scoring profiles (socta.analysis.scoring.profile_comparison)
TREND_COLUMNS = ("area", "end_year", "headline", *(f.name for f in fields(Trend)), "p_rise")
INF = math.inf

# why a table may be empty besides an empty input file (a name of Expect.may_be_empty_when)
NOTHING_RANKED = "no area of any scope is ranked"
PUBLIC_HIDES_ALL = "the public edition hides every row"
# a backtest needs a fitted origin and the horizon's whole years after it: short, sparse or censored series
# give none, and the methodology chapter says so in a sentence
SERIES_TOO_SHORT = "no series is long and whole enough to backtest"
# tactics.csv may name no OCG indicator for any tactic: the factors chapter then says none is measured
NO_TACTIC_MEASURED = "no tactic is measured by an OCG indicator"


@dataclass(frozen=True)
class Expect:
    """What one processed table must be. A column with ``{band}`` (the OCG bands of settings.yaml) or
    ``{dimension}`` (the harm dimensions of harm_dimensions.csv) stands for one column of each."""
    name: str
    key: tuple[str, ...]                      # unique and never missing; () for a one-row table
    columns: tuple[str, ...] = ()             # besides the key, in every edition that has the table
    restricted_columns: tuple[str, ...] = ()  # besides those, in the restricted edition
    audiences: tuple[str, ...] = (PUBLIC, RESTRICTED)
    may_be_empty_when: tuple[str, ...] = ()   # input files (empty or absent), or NOTHING_RANKED, PUBLIC_HIDES_ALL
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # missing values are not checked
    rounded: tuple[str, ...] = ()             # columns rounded to public.score_step where score_precision says so
    reference: str = ""                       # the reference file(s) its rows come from: may be why it is empty
    keys_from_reference: bool = False         # its keys are the reference file's, which nothing checks are unique
    grid: tuple[tuple[str, str], ...] = ()    # (key column, domain of Expansions.domains): every combination has a row


SCORE = (0.0, 100.0)
SUB = (0.0, 4.0)
SHARE = (0.0, 1.0)
COUNT = (0.0, INF)

_AREA_SCORES = dict(
    key=("scope", "area"),
    columns=("threat", "harm", "priority", "priority_basis", "rank", "tier", *SUBSCORES, "threat_known",
             "respondents", "harm_{dimension}", "disagreement", "score_precision"),
    ranges={"threat": SCORE, "harm": SCORE, "priority": SCORE, **{s: SUB for s in SUBSCORES},
            "harm_{dimension}": SUB, "rank": (1, INF), "respondents": COUNT, "threat_known": COUNT},
    rounded=("threat", "priority"), reference="countries.csv, crime_areas.csv", grid=(("scope", "scopes"), ("area", "areas")))
_TRENDS = dict(key=("scope", "indicator"), columns=TREND_COLUMNS,
               ranges={"p_exceeds_last": SHARE, "p_rise_raw": SHARE, "p_rise": SHARE, "years": COUNT}, reference="countries.csv, indicators.csv")
_SCOPE_AREA = (("scope", "scopes"), ("area", "areas"))
_BANDED = ("band_{band}", "band_{band}_suppressed")

TABLES: tuple[Expect, ...] = (
    Expect("statistics", ("country", "year", "indicator", "submarket", "category"),
           ("value", "unit", "source", "status", "months", "censor", "bound", "area"),
           restricted_columns=RESTRICTED_COLUMNS, may_be_empty_when=("statistics.csv",),
           ranges={"value": COUNT, "months": (1, 11)}),
    Expect("expert_assessments", ("country", "area", "respondent"),
           ("trend", "scale", "harm_{dimension}", "outlook", "confidence"), may_be_empty_when=("expert_assessments.csv",),
           ranges={"trend": (-2, 2), "scale": SUB, "harm_{dimension}": SUB, "outlook": (-2, 2)}),
    Expect("population", ("iso3", "year"), ("population", "source"), ranges={"population": COUNT},
           reference="population.csv", keys_from_reference=True),
    Expect("trends", **_TRENDS, grid=(("scope", "scopes"), ("indicator", "indicators"))),
    Expect("trends_previous", **_TRENDS),
    Expect("coverage", ("country", "indicator", "year"), ("has_value", "has_rows"),
           reference="countries.csv, indicators.csv", grid=(("country", "countries"), ("indicator", "indicators"))),
    Expect("backtest", ("source", "scope", "indicator", "origin"), ("kind", "p_raw", "p", "event", "persistence", "pit"),
           may_be_empty_when=(SERIES_TOO_SHORT,),
           ranges={"p_raw": SHARE, "p": SHARE, "event": SHARE, "persistence": SHARE, "pit": SHARE}),
    Expect("evidence", ("scope", "area"),
           ("rows", "graded_share", "completeness", "respondents", "missing_countries", "confidence",
            "graded_share_band", "graded_share_bound"),
           ranges={"rows": COUNT, "graded_share": SHARE, "completeness": SHARE, "respondents": COUNT,
                   "graded_share_bound": SHARE}, reference="countries.csv, crime_areas.csv", grid=_SCOPE_AREA),
    Expect("area_scores", **_AREA_SCORES),
    Expect("area_scores_previous", **_AREA_SCORES),
    Expect("rank_robustness", ("scope", "area"), ("p_top", "p_first", "median_rank"),
           may_be_empty_when=(NOTHING_RANKED,), ranges={"p_top": SHARE, "p_first": SHARE, "median_rank": (1, INF)}),
    Expect("disclosure", (), ("threshold", "counts", "hidden_small", "hidden_protecting", "relations",
                              "scores_rounded", "scores_withheld"),
           ranges={c: COUNT for c in ("threshold", "counts", "hidden_small", "hidden_protecting", "relations",
                                      "scores_rounded", "scores_withheld")}),
    Expect("ocg_aggregates", ("scope", "area"),
           ("ocgs", "mean_score", "international", "ocgs_suppressed", "international_suppressed", *_BANDED),
           ranges={"ocgs": COUNT, "international": COUNT, "band_{band}": COUNT, "mean_score": SCORE},
           reference="countries.csv, crime_areas.csv", grid=_SCOPE_AREA),
    Expect("ocg_summary", ("scope", "measure", "category"), ("count", "suppressed"), ranges={"count": COUNT},
           reference="countries.csv"),
    Expect("ocg_links", ("kind", "a", "b"), ("groups", "suppressed"), ranges={"groups": COUNT},
           reference="countries.csv, crime_areas.csv"),
    Expect("ocg_profiles", ("scope", "profile"), ("groups", "spearman", "mean_score", "groups_suppressed", *_BANDED),
           ranges={"groups": COUNT, "band_{band}": COUNT, "mean_score": SCORE, "spearman": (-1.0, 1.0)},
           reference="countries.csv", grid=(("scope", "scopes"), ("profile", "profiles"))),
    Expect("ocg_geography", ("scope", "measure", "code"), ("groups", "suppressed"), ranges={"groups": COUNT},
           may_be_empty_when=("ocg_register.csv", PUBLIC_HIDES_ALL)),
    Expect("ocg_places", ("scope", "role", "place"), ("groups", "suppressed"), ranges={"groups": COUNT},
           may_be_empty_when=("ocg_register.csv", PUBLIC_HIDES_ALL), reference="countries.csv, places.csv"),
    Expect("ocg_tactics", ("scope", "area", "tactic"),
           ("indicator", "groups", "share_using", "suppressed", "share_using_band", "share_using_bound"),
           restricted_columns=("using", "unknown"),
           ranges={"groups": COUNT, "using": COUNT, "unknown": COUNT, "share_using": SHARE, "share_using_bound": SHARE},
           may_be_empty_when=("ocg_answers.csv", NO_TACTIC_MEASURED), reference="crime_areas.csv, tactics.csv"),
    Expect("ocg_enablers", ("scope", "indicator"),
           ("groups", "share_medium_high", "share_unknown", "suppressed", "share_medium_high_band",
            "share_medium_high_bound", "share_unknown_band", "share_unknown_bound"),
           restricted_columns=("medium_high", "unknown"),
           ranges={"groups": COUNT, "medium_high": COUNT, "unknown": COUNT, "share_medium_high": SHARE,
                   "share_unknown": SHARE, "share_medium_high_bound": SHARE, "share_unknown_bound": SHARE},
           reference="countries.csv, ocg_indicators.csv",
           grid=(("scope", "scopes"), ("indicator", "ocg_indicators"))),
    # the restricted edition's OCG-level tables
    Expect("ocg_register", ("ocg_id",),
           ("country", "size", "structure", "nationalities", "countries_active", "crime_areas", "first_reported",
            "grade", "handling_code", "europol_score", "indicators_answered", "sleipnir_points", "sleipnir_score",
            "score", "band", "europol_rank", "sleipnir_rank"),
           audiences=(RESTRICTED,), may_be_empty_when=("ocg_register.csv",),
           ranges={"europol_score": SCORE, "sleipnir_score": SCORE, "score": SCORE, "indicators_answered": COUNT}),
    Expect("ocg_answers", ("ocg_id", "indicator"), ("answer", "grade", "handling_code"),
           audiences=(RESTRICTED,), may_be_empty_when=("ocg_answers.csv",)),
    Expect("ocg_by_area", ("ocg_id", "area"),
           ("country", "countries_active", "europol_score", "sleipnir_score", "score", "band", "international"),
           audiences=(RESTRICTED,), may_be_empty_when=("ocg_register.csv",),
           ranges={"europol_score": SCORE, "sleipnir_score": SCORE, "score": SCORE}),
    Expect("ocg_contributions", ("ocg_id", "indicator"), ("answer", "points"),
           audiences=(RESTRICTED,), may_be_empty_when=("ocg_answers.csv",), ranges={"points": SCORE}),
)

EXPECTED = {expect.name: expect for expect in TABLES}


class ProcessedTableError(RuntimeError):
    """A processed table fails its output check: a bug in socta or in the reference configuration."""

    def __init__(self, failures: list["Failure"]):
        self.failures = failures
        blame = ("socta or in the reference configuration" if any(f.reference for f in failures) else "socta")
        lines = [f"the processed tables fail their output checks: this is a bug in {blame}, not a problem of "
                 "the data (validation accepted them). Nothing was written: the previous processed tables are "
                 "as they were."]
        lines += [f"- {f}" for f in failures[:10]]
        if len(failures) > 10:
            lines.append(f"… and {len(failures) - 10} more")
        super().__init__("\n".join(lines))


@dataclass
class Failure:
    audience: str
    table: str
    check: str          # "columns", "key", "unique keys", "empty", "range", "restricted column", "tables"
    what: str
    rows: pd.DataFrame | None = None
    reference: str = ""  # the reference file(s) that may be the cause instead of socta

    def __str__(self) -> str:
        text = f"{self.audience} edition, table {self.table!r}, check {self.check!r}: {self.what}"
        if self.reference:
            text += f" (a bug in socta, or in the reference configuration: {self.reference})"
        if self.rows is not None and len(self.rows):
            shown = self.rows.head(5).to_string(max_cols=12, max_colwidth=40)
            text += "; first offending rows:\n    " + shown.replace("\n", "\n    ")
        return text


@dataclass(frozen=True)
class Expansions:
    """What the placeholders of :class:`Expect` columns stand for in this project."""
    bands: tuple[str, ...]
    dimensions: tuple[str, ...]
    step: float = 0.0   # public.score_step: a rounded score may lie half a step beyond its range
    domains: dict[str, tuple] = field(default_factory=dict)  # what Expect.grid names: "scopes" -> the scopes, …

    @classmethod
    def of(cls, project, ref) -> "Expansions":
        s = project.settings
        countries = tuple(ref.countries.index)
        domains = {"countries": countries, "scopes": (*countries, REGION), "areas": tuple(ref.top_areas.index),
                   "indicators": tuple(ref.indicators.index), "ocg_indicators": tuple(ref.ocg_indicators.index),
                   "profiles": PROFILES}
        return cls(tuple(s.ocg_scoring.bands), tuple(ref.harm_dimensions.index), float(s.public.score_step), domains)

    def expand(self, column: str) -> list[str]:
        if "{band}" in column:
            return [column.format(band=b) for b in self.bands]
        if "{dimension}" in column:
            return [column.format(dimension=d) for d in self.dimensions]
        return [column]


def check_editions(editions: dict[str, dict[str, pd.DataFrame]], inputs: dict[str, pd.DataFrame],
                   names: Expansions) -> None:
    """Raise :class:`ProcessedTableError` unless every edition's tables pass their checks."""
    failures = [f for audience, tables in editions.items() for f in check_edition(audience, tables, inputs, names)]
    if failures:
        raise ProcessedTableError(failures)


def check_edition(audience: str, tables: dict[str, pd.DataFrame], inputs: dict[str, pd.DataFrame],
                  names: Expansions) -> list[Failure]:
    """Every failure of one edition's tables (audience ``public`` or ``restricted``)."""
    out = []
    public = Edition(audience).is_public
    for name in tables.keys() - EXPECTED.keys():
        out.append(Failure(audience, name, "tables", "socta wrote a table nothing declares in socta/process/checks.py"))
    for expect in TABLES:
        if audience not in expect.audiences:
            if expect.name in tables:
                out.append(Failure(audience, expect.name, "tables",
                                   f"the table is for the {', '.join(expect.audiences)} edition only"))
            continue
        if expect.name not in tables:
            out.append(Failure(audience, expect.name, "tables", "the table is missing"))
            continue
        out += check_table(expect, audience, tables[expect.name], tables, inputs, names)
        if public:
            leaked = [c for c in tables[expect.name].columns if c in PUBLIC_FORBIDDEN]
            if leaked:
                out.append(Failure(audience, expect.name, "restricted column",
                                   f"the public edition holds the restricted column(s) {', '.join(leaked)}",
                                   tables[expect.name][[*expect.key, *leaked]]))
    return out


def check_table(expect: Expect, audience: str, frame: pd.DataFrame, tables: dict[str, pd.DataFrame],
                inputs: dict[str, pd.DataFrame], names: Expansions) -> list[Failure]:
    """The failures of one table: columns, keys, emptiness, ranges."""
    def fail(check, what, rows=None, reference=""):
        return Failure(audience, expect.name, check, what, rows, reference)

    wanted = [*expect.key, *expect.columns, *(expect.restricted_columns if Edition(audience).is_restricted else ())]
    wanted = [c for column in wanted for c in names.expand(column)]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        return [fail("columns", f"missing column(s) {', '.join(missing)} (it has {', '.join(map(str, frame.columns))})")]
    out = []
    key = list(expect.key)
    if not key and len(frame) != 1:
        out.append(fail("one row", f"{len(frame)} rows, one expected", frame))
    if key:
        cause = expect.reference if expect.keys_from_reference else ""
        blank = frame[key].isna().any(axis=1)
        if blank.any():
            out.append(fail("key", f"{int(blank.sum())} row(s) with no value in a key column ({', '.join(key)})",
                            frame[blank], cause))
        twice = frame.duplicated(key, keep=False)
        if twice.any():
            out.append(fail("unique keys", f"{int(twice.sum())} rows share a key ({', '.join(key)})",
                            frame[twice].sort_values(key), cause))
    if expect.grid and names.domains and not frame.empty:   # an empty one is said below
        columns = [c for c, _ in expect.grid]
        every = pd.MultiIndex.from_product([names.domains[d] for _, d in expect.grid], names=columns)
        lacking = every.difference(pd.MultiIndex.from_frame(frame[columns].astype(object)))
        if len(lacking):
            out.append(fail("complete", f"{len(lacking)} of the {len(every)} combinations of {', '.join(columns)} "
                                        "have no row", lacking.to_frame(index=False)))
    if frame.empty and not may_be_empty(expect, audience, tables, inputs):
        given = [n for n in expect.may_be_empty_when if n.endswith(".csv")]
        why = (f"though {', '.join(given)} {'has' if len(given) == 1 else 'have'} rows" if given
               else "though its rows do not depend on which input files have rows")
        out.append(fail("empty", f"the table is empty, {why}", reference=expect.reference))
    for column, (low, high) in expect.ranges.items():
        for name in names.expand(column):
            if name in frame.columns:
                out += _range(expect, frame, name, low, high, names, fail)
    return out


def _range(expect: Expect, frame: pd.DataFrame, column: str, low: float, high: float, names: Expansions,
           fail) -> list[Failure]:
    # in numpy: a processing checks about 180 columns, and pandas' per-operation cost was most of it
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    slack = np.full(len(frame), 1e-9)
    if column in expect.rounded and "score_precision" in frame:
        slack[(frame["score_precision"] == "rounded").to_numpy(dtype=bool, na_value=False)] = names.step / 2 + 1e-9
    read = ~np.isnan(values)
    bad = pd.Series(read & ((values < low - slack) | (values > high + slack)), index=frame.index)
    unreadable = pd.Series(frame[column].notna().to_numpy(dtype=bool) & ~read, index=frame.index)
    if unreadable.any():  # text is looked at only where a value did not read as a number
        unreadable &= ~frame[column].where(unreadable, "").astype(str).isin(["", "<NA>", "nan"])
    out = []
    if bad.any():
        out.append(fail("range", f"{int(bad.sum())} value(s) of {column} outside {low:g} to {high:g}",
                        frame.loc[bad, [*expect.key, column]]))
    if unreadable.any():
        out.append(fail("range", f"{int(unreadable.sum())} value(s) of {column} are not numbers",
                        frame.loc[unreadable, [*expect.key, column]]))
    return out


def may_be_empty(expect: Expect, audience: str, tables: dict[str, pd.DataFrame],
                 inputs: dict[str, pd.DataFrame]) -> bool:
    """Whether the table may be empty: one of its ``may_be_empty_when`` holds."""
    for reason in expect.may_be_empty_when:
        if reason == NOTHING_RANKED:
            scores = tables.get("area_scores")
            if scores is None or scores["rank"].isna().all():
                return True
        elif reason == PUBLIC_HIDES_ALL:
            if Edition(audience).is_public:
                return True
        elif reason == SERIES_TOO_SHORT:
            return True
        elif reason == NO_TACTIC_MEASURED:
            if tables.get(expect.name) is not None and "indicator" in tables[expect.name] and tables[expect.name].empty:
                return True
        elif reason not in inputs or inputs[reason].empty:
            return True
    return False
