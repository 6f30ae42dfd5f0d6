"""What the public edition may publish of the OCG register, and the audit that proves it.

The restricted side computes everything from the register; this module decides what of it a public
reader gets. Every count of groups in the public tables (per area and band, per country and
structure, reach, nationality, enablers, links) is one cell of a :class:`~socta.analysis.disclosure.CountModel`
with every sum and bound a reader knows; the model suppresses and audits them (see
:mod:`socta.analysis.disclosure`).

Scores made from those counts are results, published as such: the rank and tier of every crime
area, its threat and priority score where every count it rests on is published. Where a count a
score rests on is hidden, the score, its OCG sub-scores and the groups' mean threat are withheld, and
:func:`score_exposures` checks that the ranks and tiers still published (both periods) leave every
hidden small count as uncertain as the count audit requires. The robustness of the ranking is
computed from the scores as published (:func:`robustness_inputs`), never from the exact ones.
Shares of a restricted field (source grades, OCG answers) are shown as a band at the extremes and
not at all over few rows (:func:`publish_share`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socta.analysis.disclosure import CountModel, Exposure, protection_width
from socta.analysis.scoring import SUBSCORE_MAX
from socta.core.config import REGION
from socta.core.edition import PUBLIC, Edition
from socta.core.settings import Settings

COUNTS = ("ocgs", "international")

OCG_SUBSCORES = ("ocg_number", "ocg_threat", "international")

SCORE_COLUMNS = ("threat", "priority", *OCG_SUBSCORES)


class DisclosureError(RuntimeError):
    """The public tables would let a reader work out a suppressed count."""


def _bands(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("band_") and not c.endswith("_suppressed")]


def band_ranges(bands: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Score range of each band: from its lower bound to the next band's (the top one to 100)."""
    ordered = sorted(bands.items(), key=lambda kv: kv[1])
    return {f"band_{label}": (lower, ordered[i + 1][1] if i + 1 < len(ordered) else 100.0)
            for i, (label, lower) in enumerate(ordered)}


def _mean_bounds(model: CountModel, table: str, key: tuple, row: pd.Series, ranges: dict) -> None:
    """A published mean over the scored groups bounds the band counts: Σ n_b·low_b ≤ mean·Σ n_b ≤ Σ n_b·high_b."""
    mean = row.get("mean_score")
    if mean is None or pd.isna(mean):
        return
    cells = {b: (table, *key, b) for b in ranges}
    model.linear_at_most({cells[b]: lo - mean for b, (lo, hi) in ranges.items()}, 0.0)
    model.linear_at_most({cells[b]: mean - hi for b, (lo, hi) in ranges.items()}, 0.0)


def count_model(tables: dict[str, pd.DataFrame], bands: dict[str, float], countries: list[str]) -> CountModel:
    """Every count the public tables could show, with the sums and bounds that tie them."""
    model = CountModel()
    ranges = band_ranges(bands)
    scopes = [*countries, REGION]

    def by_region(table, rest_keys, columns):
        for rest in rest_keys:
            for column in columns:
                model.total((table, REGION, *rest, column), [(table, c, *rest, column) for c in countries])

    # groups per scope × area: bands, international, and the mean over the scored groups
    agg = tables["ocg_aggregates"]
    band_cols = _bands(agg)
    for row in agg.itertuples(index=False):
        r = row._asdict()
        for column in (*COUNTS, *band_cols):
            model.cell(("ocg_aggregates", r["scope"], r["area"], column), r[column])
        key = ("ocg_aggregates", r["scope"], r["area"])
        if sum(r[b] for b in band_cols) == r["ocgs"]:   # true when every group has a score
            model.total((*key, "ocgs"), [(*key, b) for b in band_cols])
        model.at_most((*key, "international"), (*key, "ocgs"))
        _mean_bounds(model, "ocg_aggregates", (r["scope"], r["area"]), pd.Series(r), ranges)
    by_region("ocg_aggregates", [(a,) for a in agg["area"].unique()], (*COUNTS, *band_cols))

    # groups per scope: all, by band, structure and reach
    summary = tables["ocg_summary"]
    for row in summary.itertuples(index=False):
        model.cell(("ocg_summary", row.scope, row.measure, row.category), row.count)
    for scope in scopes:
        part = summary[summary["scope"].eq(scope)]
        everyone = ("ocg_summary", scope, "groups", "all")
        for measure in ("band", "structure", "reach", "longevity", "linked", "linked_abroad"):
            cats = part[part["measure"].eq(measure)]
            if cats["count"].sum() == part.loc[part["measure"].eq("groups"), "count"].sum():
                model.total(everyone, [("ocg_summary", scope, measure, c) for c in cats["category"]])
        for area in agg["area"].unique():
            model.at_most(("ocg_aggregates", scope, area, "ocgs"), everyone)
            model.at_most(("ocg_aggregates", scope, area, "international"), ("ocg_summary", scope, "reach", "international"))
            for b in band_cols:
                model.at_most(("ocg_aggregates", scope, area, b), ("ocg_summary", scope, "band", b.removeprefix("band_")))
        if ("ocg_summary", scope, "linked_abroad", "yes") in model.values:   # linked abroad are among the linked
            model.at_most(("ocg_summary", scope, "linked_abroad", "yes"), ("ocg_summary", scope, "linked", "yes"))
    model_keys = summary.loc[summary["scope"].ne(REGION), ["measure", "category"]].drop_duplicates()
    for measure, category in model_keys.itertuples(index=False):
        model.total(("ocg_summary", REGION, measure, category),
                    [("ocg_summary", c, measure, category) for c in countries])

    # the two scoring profiles: groups by band under each
    profiles = tables["ocg_profiles"]
    for row in profiles.itertuples(index=False):
        r = row._asdict()
        key = ("ocg_profiles", r["scope"], r["profile"])
        for column in ("groups", *_bands(profiles)):
            model.cell((*key, column), r[column])
        if sum(r[b] for b in _bands(profiles)) == r["groups"]:
            model.total((*key, "groups"), [(*key, b) for b in _bands(profiles)])
        model.same(("ocg_summary", r["scope"], "groups", "all"), (*key, "groups"))
        _mean_bounds(model, "ocg_profiles", (r["scope"], r["profile"]), pd.Series(r), ranges)
    by_region("ocg_profiles", [(p,) for p in profiles["profile"].unique()], ("groups", *_bands(profiles)))

    # where the groups are active abroad, and their nationalities: every code in every scope
    geo = tables["ocg_geography"]
    codes = geo[["measure", "code"]].drop_duplicates()
    counts = geo.set_index(["scope", "measure", "code"])["groups"]
    for measure, code in codes.itertuples(index=False):
        for scope in scopes:
            cell = model.cell(("ocg_geography", scope, measure, code), counts.get((scope, measure, code), 0))
            model.at_most(cell, ("ocg_summary", scope, "groups", "all"))
        model.total(("ocg_geography", REGION, measure, code), [("ocg_geography", c, measure, code) for c in countries])

    # the enablers: groups answering each indicator, and how many answered medium/high or unknown
    enablers = tables["ocg_enablers"]
    for row in enablers.itertuples(index=False):
        key = ("ocg_enablers", row.scope, row.indicator)
        for column in ("groups", "medium_high", "unknown"):
            model.cell((*key, column), getattr(row, column))
        model.linear_at_most({(*key, "medium_high"): 1, (*key, "unknown"): 1, (*key, "groups"): -1}, 0)
        model.at_most((*key, "groups"), ("ocg_summary", row.scope, "groups", "all"))
    by_region("ocg_enablers", [(i,) for i in enablers["indicator"].unique()], ("groups", "medium_high", "unknown"))

    # where the groups are based and operate: a group has one base at most, so a scope's bases, with its
    # groups of no known base (place ""), add up to its groups; a place's groups are among the scope's
    places = tables.get("ocg_places", pd.DataFrame(columns=["scope", "role", "place", "groups"]))
    for row in places.itertuples(index=False):
        model.at_most(model.cell(("ocg_places", row.scope, row.role, row.place), row.groups),
                      ("ocg_summary", row.scope, "groups", "all"))
    for scope in scopes:
        bases = places.loc[places["scope"].eq(scope) & places["role"].eq("base"), "place"]
        if len(bases):
            model.total(("ocg_summary", scope, "groups", "all"), [("ocg_places", scope, "base", p) for p in bases])
    for role, place in places.loc[places["scope"].ne(REGION), ["role", "place"]].drop_duplicates().itertuples(index=False):
        model.total(("ocg_places", REGION, role, place), [("ocg_places", c, role, place) for c in countries])
    # Not modelled: a place abroad lies in a country where its group is active, so its count is at most the
    # groups active in that country (the geography table). With that relation the suppression hides the
    # countries' totals to protect places abroad; without it, an audit that adds it finds nothing on the
    # demos (tests/unit/test_tactics.py). A leftover for real data: hide every place abroad instead.

    # the tactics per crime area (the region): groups answering, using and unknown; those active in an area
    # are among its groups, and those using a tactic there among those using it at all (the enablers); a
    # group is active in one area at least, so the areas' users together are at least all its users
    tactics = tables.get("ocg_tactics", pd.DataFrame(columns=["scope", "area", "tactic", "indicator"]))
    for row in tactics.itertuples(index=False):
        key = ("ocg_tactics", row.scope, row.area, row.tactic)
        for column in ("groups", "using", "unknown"):
            model.cell((*key, column), getattr(row, column))
        model.linear_at_most({(*key, "using"): 1, (*key, "unknown"): 1, (*key, "groups"): -1}, 0)
        model.at_most((*key, "groups"), ("ocg_aggregates", row.scope, row.area, "ocgs"))
        model.at_most((*key, "using"), ("ocg_enablers", row.scope, row.indicator, "medium_high"))
        model.at_most((*key, "groups"), ("ocg_enablers", row.scope, row.indicator, "groups"))
        model.at_most((*key, "unknown"), ("ocg_enablers", row.scope, row.indicator, "unknown"))
        # the area's groups with no answer are among all the groups with no answer; where none lacks an
        # answer, the tactic's groups are the area's groups: one count (below), hidden in both tables or in neither
        area = ("ocg_aggregates", row.scope, row.area, "ocgs")
        if area in model.values and model.values[area] != row.groups:
            model.linear_at_most({area: 1, (*key, "groups"): -1, ("ocg_summary", row.scope, "groups", "all"): -1,
                                  ("ocg_enablers", row.scope, row.indicator, "groups"): 1}, 0)
    for (scope, tactic, indicator), part in tactics.groupby(["scope", "tactic", "indicator"]):
        model.linear_at_most({("ocg_enablers", scope, indicator, "medium_high"): 1,
                              **{("ocg_tactics", scope, a, tactic, "using"): -1 for a in part["area"]}}, 0)

    # groups linking places and markets (a group counts in every country it is active in: no sums)
    for row in tables["ocg_links"].itertuples(index=False):
        model.cell(("ocg_links", row.kind, row.a, row.b), row.groups)

    # The same quantity in two tables: the summary's bands are the bands of the profile in force,
    # the enablers' groups are all groups, a country's groups in an area are among those active
    # there. Whatever holds in these data is given to the reader: a relation that holds only by
    # chance makes the audit stricter, never weaker.
    for left, right in _coinciding(model, [("ocg_summary", s, "band", b.removeprefix("band_")) for s in scopes
                                           for b in band_cols],
                                   [[("ocg_profiles", s, p, b) for s in scopes for b in band_cols]
                                    for p in profiles["profile"].unique()]):
        model.same(left, right)
    for left, right in _coinciding(model, [("ocg_summary", s, "groups", "all") for s in scopes for _ in enablers["indicator"].unique()],
                                   [[("ocg_enablers", s, i, "groups") for s in scopes for i in enablers["indicator"].unique()]]):
        model.same(left, right)
    # a tactic's groups in an area are the area's groups whenever every one of them answered: one count
    for row in tactics.itertuples(index=False):
        area, twin = ("ocg_aggregates", row.scope, row.area, "ocgs"), ("ocg_tactics", row.scope, row.area, row.tactic, "groups")
        if area in model.values and model.values[area] == model.values[twin]:
            model.same(area, twin)
    pairs = [(("ocg_aggregates", c, a, "ocgs"), ("ocg_links", "country-area", c, a)) for c in countries
             for a in agg["area"].unique()]
    if pairs and all(model.values.get(small, 0) <= model.values.get(big, 0) for small, big in pairs):
        for small, big in pairs:
            model.at_most(small, big)
    for scope in scopes:
        model.linear_at_most({("ocg_summary", scope, "groups", "all"): 1,
                              **{("ocg_aggregates", scope, a, "ocgs"): -1 for a in agg["area"].unique()}}, 0)
    return model


def _coinciding(model: CountModel, cells: list, alternatives: list[list]) -> list[tuple]:
    """Pairs (cell, twin) of the first list of ``alternatives`` whose counts equal ``cells`` throughout."""
    for twins in alternatives:
        if len(twins) == len(cells) and all(k in model.values for k in [*cells, *twins]) \
                and all(model.values[a] == model.values[b] for a, b in zip(cells, twins)):
            return list(zip(cells, twins))
    return []


def publish_ocg_tables(tables: dict[str, pd.DataFrame], hidden: set, threshold: int,
                       coarse: set[tuple[str, str]] = frozenset(), shares: "ShareRule | None" = None
                       ) -> dict[str, pd.DataFrame]:
    """The OCG tables as the public edition shows them: hidden counts NA, each flagged in a
    ``<column>_suppressed`` (wide tables) or ``suppressed`` (long tables) companion. The groups'
    mean threat is withheld where their count is small or hidden, and where the area's score is
    ``coarse`` (it would pin the score's OCG part). The enablers' shares follow ``shares``
    (:func:`publish_share`; None: every share as it is)."""
    def hide(frame, table, key_columns, columns):  # wide tables: a flag per count column
        out = frame.copy()
        for column in columns:
            mask = np.array([(table, *k, column) in hidden for k in out[key_columns].itertuples(index=False)], bool)
            out[column] = out[column].astype("Float64").mask(mask)
            out[f"{column}_suppressed"] = mask
        return out

    out = {}
    agg = hide(tables["ocg_aggregates"], "ocg_aggregates", ["scope", "area"], [*COUNTS, *_bands(tables["ocg_aggregates"])])
    # a mean over hidden or few groups would describe them
    rounded = np.array([k in coarse for k in agg[["scope", "area"]].itertuples(index=False)], bool)
    agg["mean_score"] = agg["mean_score"].mask(agg["ocgs_suppressed"] | rounded | (tables["ocg_aggregates"]["ocgs"] < threshold))
    out["ocg_aggregates"] = agg
    summary = tables["ocg_summary"].copy()
    summary["suppressed"] = [("ocg_summary", *k) in hidden for k in summary[["scope", "measure", "category"]].itertuples(index=False)]
    summary["count"] = summary["count"].astype("Float64").mask(summary["suppressed"])
    out["ocg_summary"] = summary
    profiles = hide(tables["ocg_profiles"], "ocg_profiles", ["scope", "profile"], ["groups", *_bands(tables["ocg_profiles"])])
    few = profiles["groups_suppressed"] | (tables["ocg_profiles"]["groups"] < threshold)
    profiles["mean_score"] = profiles["mean_score"].mask(few)
    profiles["spearman"] = profiles["spearman"].mask(few)
    out["ocg_profiles"] = profiles
    geo = tables["ocg_geography"].copy()
    # a boolean array even with no rows: an empty list would select no column, not no row
    geo["suppressed"] = np.array([("ocg_geography", *k) in hidden
                                  for k in geo[["scope", "measure", "code"]].itertuples(index=False)], bool)
    out["ocg_geography"] = geo[~geo["suppressed"]].reset_index(drop=True)  # the place name alone would tell
    if "ocg_tactics" in tables:
        tactics = tables["ocg_tactics"].copy()
        key = list(tactics[["scope", "area", "tactic"]].itertuples(index=False))
        hidden_of = {c: np.array([("ocg_tactics", *k, c) in hidden for k in key], bool) for c in ("groups", "using", "unknown")}
        tactics["groups"] = tactics["groups"].astype("Float64").mask(hidden_of["groups"])
        tactics["share_using"] = tactics["share_using"].mask(hidden_of["groups"] | hidden_of["using"])
        tactics["suppressed"] = hidden_of["groups"] | hidden_of["using"] | hidden_of["unknown"]
        banded(tactics, "share_using", tables["ocg_tactics"]["groups"], shares or ShareRule(0, 0.0))
        out["ocg_tactics"] = tactics.drop(columns=["using", "unknown"]) if threshold else tactics
    if "ocg_places" in tables:
        places = tables["ocg_places"].copy()
        places["suppressed"] = np.array([("ocg_places", *k) in hidden
                                         for k in places[["scope", "role", "place"]].itertuples(index=False)], bool)
        places["groups"] = places["groups"].astype("Float64").mask(places["suppressed"])
        # a public row names a place only with a count it may print: a hidden row, or a zero beside
        # hidden ones, would tell that a group is based or operates in that town
        out["ocg_places"] = (places[~places["suppressed"] & places["groups"].gt(0).fillna(False)].reset_index(drop=True)
                             if threshold else places)
    links = tables["ocg_links"].copy()
    links["suppressed"] = [("ocg_links", *k) in hidden for k in links[["kind", "a", "b"]].itertuples(index=False)]
    links["groups"] = links["groups"].astype("Float64").mask(links["suppressed"])
    out["ocg_links"] = links
    enablers = tables["ocg_enablers"].copy()
    key = list(enablers[["scope", "indicator"]].itertuples(index=False))
    hidden_of = {c: np.array([("ocg_enablers", *k, c) in hidden for k in key], bool)
                 for c in ("groups", "medium_high", "unknown")}
    enablers["groups"] = enablers["groups"].astype("Float64").mask(hidden_of["groups"])
    enablers["share_medium_high"] = enablers["share_medium_high"].mask(hidden_of["groups"] | hidden_of["medium_high"])
    enablers["share_unknown"] = enablers["share_unknown"].mask(hidden_of["groups"] | hidden_of["unknown"])
    enablers["suppressed"] = hidden_of["groups"] | hidden_of["medium_high"] | hidden_of["unknown"]
    for column in ("share_medium_high", "share_unknown"):   # the groups' answers are restricted
        banded(enablers, column, tables["ocg_enablers"]["groups"], shares or ShareRule(0, 0.0))
    # the shares say what a page needs; the restricted edition keeps the counts behind them
    out["ocg_enablers"] = enablers.drop(columns=["medium_high", "unknown"]) if threshold else enablers
    return out


# ---- scores ------------------------------------------------------------------------------------

def score_inputs(aggregates: pd.DataFrame, scope: str, area: str) -> list[tuple]:
    """The count cells a scope × area's threat score rests on: its groups, their international
    reach, and the groups of the scope's largest area (the yardstick of ``ocg_number``)."""
    part = aggregates[aggregates["scope"].eq(scope)]
    if part.empty or part["ocgs"].max() == 0:
        return []
    largest = part.loc[part["ocgs"].idxmax(), "area"]
    return [("ocg_aggregates", scope, area, "ocgs"), ("ocg_aggregates", scope, area, "international"),
            ("ocg_aggregates", scope, largest, "ocgs")]


def resting_on_hidden(aggregates: pd.DataFrame, hidden: set) -> set[tuple[str, str]]:
    """(scope, area) whose threat score rests on a hidden count."""
    return {(s, a) for s, a in aggregates[["scope", "area"]].itertuples(index=False)
            if any(cell in hidden for cell in score_inputs(aggregates, s, a))}


def publish_scores(scores: pd.DataFrame, coarse: set[tuple[str, str]], withheld: set[tuple[str, str]],
                   step: float) -> pd.DataFrame:
    """Area scores as the public edition shows them. Where a score rests on a hidden count, its OCG
    sub-scores are withheld and its threat and priority rounded to ``step`` (``score_precision``
    "rounded"), or withheld altogether ("withheld") where even that would narrow a hidden count.
    Rank and tier are kept everywhere: they are the result the assessment is for."""
    out = scores.copy()
    keys = list(out[["scope", "area"]].itertuples(index=False))
    rounded = np.array([k in coarse and k not in withheld for k in keys], bool)
    gone = np.array([k in withheld for k in keys], bool)
    for column in OCG_SUBSCORES:
        out[column] = out[column].mask(rounded | gone)
    for column in ("threat", "priority"):
        out[column] = out[column].mask(rounded, (out[column] / step).round() * step if step else np.nan).mask(gone)
    out["score_precision"] = np.where(gone, "withheld", np.where(rounded, "rounded", "exact"))
    return out


@dataclass
class ScoreSettings:
    threat_weights: pd.Series
    priority_weights: dict
    tiers: dict[str, float]
    min_known_share: float
    step: float

    @classmethod
    def of(cls, project, ref, step: float | None = None) -> "ScoreSettings":
        """The scoring and publication settings in force (``step``: override the rounding step)."""
        s = project.settings
        return cls(ref.threat_indicators["weight"].astype(float), s.priority.weights, s.priority.tiers,
                   float(s.priority.min_known_share), float(s.public.score_step if step is None else step))


def _published_range(row, step: float, column: str = "priority") -> tuple[float, float] | None:
    """What a reader knows of a published score: the value, or its rounding interval."""
    value = getattr(row, column)
    if row.score_precision == "withheld" or pd.isna(value):
        return None
    half = step / 2 if row.score_precision == "rounded" else 0.0
    return value - half, value + half


def _allowed(published: pd.DataFrame, scope: str, area: str, cfg: ScoreSettings) -> tuple[float, float]:
    """The priority range a reader can infer for one row from the published ranks, tiers and scores."""
    rows = published[published["scope"].eq(scope)]
    me = rows[rows["area"].eq(area)].iloc[0]
    low, high = 0.0, 100.0
    for peer in rows.itertuples(index=False):
        known = _published_range(peer, cfg.step)
        if known is None or pd.isna(peer.rank):
            continue
        if peer.area == area or peer.rank == me["rank"]:   # itself, or a tie: the same priority
            low, high = max(low, known[0]), min(high, known[1])
        elif peer.rank > me["rank"]:
            low = max(low, known[0])
        else:
            high = min(high, known[1])
    tier_low = cfg.tiers.get(me["tier"], 0.0)
    above = [b for b in sorted(cfg.tiers.values()) if b > tier_low]
    return max(low, tier_low), min(high, above[0] if above else 100.0)


def _linear_in_mean(row: pd.Series, n, i, most, cfg: ScoreSettings):
    """Threat and priority of a row as ``a + b·m`` of the groups' mean threat ``m`` (0-100), for
    arrays of group counts ``n``, international ``i`` and the scope's largest area ``most``; the
    formula of :func:`socta.analysis.scoring.area_threat` and :func:`socta.analysis.scoring.prioritise`."""
    w = cfg.threat_weights
    others = [k for k in w.index if k not in OCG_SUBSCORES and pd.notna(row.get(k))]
    known_weight = w[others].sum() + w[list(OCG_SUBSCORES)].sum()
    if known_weight < cfg.min_known_share * w.sum() - 1e-12:
        return None
    scale = 100 / (SUBSCORE_MAX * known_weight)
    fixed = sum(w[k] * row[k] for k in others)
    threat_a = scale * (fixed + w["ocg_number"] * SUBSCORE_MAX * n / most + w["international"] * SUBSCORE_MAX * i / n)
    threat_b = scale * w["ocg_threat"] * SUBSCORE_MAX / 100 + 0 * n
    if pd.isna(row["harm"]):
        return (threat_a, threat_b), (threat_a, threat_b)
    wt, wh = float(cfg.priority_weights["threat"]), float(cfg.priority_weights["harm"])
    share = wt / (wt + wh)
    return (threat_a, threat_b), (share * threat_a + (1 - share) * row["harm"], share * threat_b)


def _mean_interval(a, b, low: float, high: float, m_low, m_high):
    """Narrow the feasible mean ``[m_low, m_high]`` (arrays) by ``low ≤ a + b·m ≤ high``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(b > 0, (low - a) / b, np.where((a >= low - 1e-9) & (a <= high + 1e-9), -np.inf, np.inf))
        hi = np.where(b > 0, (high - a) / b, np.where((a >= low - 1e-9) & (a <= high + 1e-9), np.inf, -np.inf))
    return np.maximum(m_low, lo - 1e-9), np.minimum(m_high, hi + 1e-9)


def score_exposures(restricted: dict[str, pd.DataFrame], public: dict[str, pd.DataFrame], model: CountModel,
                    hidden: set, threshold: int, cfg: ScoreSettings) -> list[Exposure]:
    """Hidden small counts that the published ranks, tiers and rounded scores narrow too far.

    For each scope × area whose score rests on a hidden count, every combination of its hidden counts
    (within the intervals the count audit leaves, up to a bound) is tried: it is consistent with the
    publication if one mean threat of its groups in [0, 100] puts its priority, in every period, in
    the range the ranks, tiers and rounded scores allow, and its threat in its rounding interval. A
    hidden small count is exposed if its consistent values span less than the count audit requires.
    Values beyond the bound are never needed to pass, so a row can only be found exposed wrongly,
    never protected wrongly.
    """
    agg = restricted["ocg_aggregates"].set_index(["scope", "area"])
    names = ("area_scores", "area_scores_previous")
    exact = {name: restricted[name].set_index(["scope", "area"]) for name in names}
    shown = public["area_scores"]
    rows = shown.loc[shown["score_precision"].ne("exact"), ["scope", "area"]]
    cells = sorted({c for s, a in rows.itertuples(index=False) for c in score_inputs(restricted["ocg_aggregates"], s, a)
                    if c in hidden}, key=repr)
    intervals = model.intervals(hidden, cells) if cells else {}
    span = max(3 * threshold, 20)   # how far beyond its least value a hidden count is tried

    def values(cell):
        if cell not in hidden:
            return np.array([model.values[cell]])
        low, high = intervals[cell]
        return np.arange(math.ceil(low - 1e-6), int(min(high, low + span)) + 1)

    found = []
    for scope, area in rows.itertuples(index=False):
        ocgs_cell, intl_cell, _ = score_inputs(restricted["ocg_aggregates"], scope, area)
        others = [a for a in agg.loc[scope].index if a != area]
        fixed_most = max([model.values[("ocg_aggregates", scope, a, "ocgs")] for a in others
                          if ("ocg_aggregates", scope, a, "ocgs") not in hidden], default=0)
        hidden_most = [values(("ocg_aggregates", scope, a, "ocgs")) for a in others
                       if ("ocg_aggregates", scope, a, "ocgs") in hidden]
        most_low = max([fixed_most, *[v.min() for v in hidden_most]])
        most_high = max([fixed_most, *[v.max() for v in hidden_most]])
        n, i, most = np.meshgrid(values(ocgs_cell), values(intl_cell),
                                 np.arange(most_low, most_high + 1), indexing="ij")
        n, i, most = n.ravel().astype(float), i.ravel().astype(float), np.maximum(most.ravel(), n.ravel()).astype(float)
        keep = (i <= n) & (n > 0)
        n, i, most = n[keep], i[keep], most[keep]
        m_low, m_high = np.zeros(len(n)), np.full(len(n), 100.0)
        for name in names:
            row = exact[name].loc[(scope, area)]
            if pd.isna(row["rank"]):
                continue
            lines = _linear_in_mean(row, n, i, most, cfg)
            if lines is None:
                continue
            (ta, tb), (pa, pb) = lines
            low, high = _allowed(public[name], scope, area, cfg)
            m_low, m_high = _mean_interval(pa, pb, low, high, m_low, m_high)
            me = public[name][public[name]["scope"].eq(scope) & public[name]["area"].eq(area)].iloc[0]
            threat_shown = _published_range(me, cfg.step, "threat")
            if threat_shown is not None:
                m_low, m_high = _mean_interval(ta, tb, *threat_shown, m_low, m_high)
        ok = m_low <= m_high
        for cell, candidates in ((ocgs_cell, n), (intl_cell, i)):
            value = model.values[cell]
            if cell in hidden and 0 < value < threshold:
                seen = candidates[ok]
                if not len(seen) or seen.max() - seen.min() < protection_width(threshold):
                    found.append(Exposure(cell, value, float(seen.min()) if len(seen) else np.nan,
                                          float(seen.max()) if len(seen) else np.nan))
    return found


def publish_area_scores(restricted: dict[str, pd.DataFrame], public_tables: dict[str, pd.DataFrame],
                        model: CountModel, hidden: set, threshold: int, cfg: ScoreSettings) -> dict[str, pd.DataFrame]:
    """Both periods' area scores for the public edition, rounded where they rest on a hidden count,
    withheld where the audit finds even the rounded ones narrowing a hidden count."""
    coarse = resting_on_hidden(restricted["ocg_aggregates"], hidden)
    withheld: set = set()
    while True:
        shown = {name: publish_scores(restricted[name], coarse, withheld, cfg.step)
                 for name in ("area_scores", "area_scores_previous")}
        exposed = score_exposures(restricted, {**public_tables, **shown}, model, hidden, threshold, cfg)
        rows = {(e.cell[1], e.cell[2]) for e in exposed} - withheld
        if not exposed:
            return shown
        if not rows:
            raise DisclosureError(
                "the public edition's ranks and tiers alone would narrow a suppressed count of groups: "
                + "; ".join(map(str, exposed[:20])) + ". Raise public.small_count_threshold, or publish this "
                "edition for the restricted audience only.")
        withheld |= rows


def disclosure_summary(model: CountModel, hidden: set, threshold: int, scores: pd.DataFrame) -> pd.DataFrame:
    """What disclosure control did to an edition, in one row (for the methodology chapter)."""
    small = {k for k in hidden if 0 < model.values[k] < threshold}
    precision = scores["score_precision"].value_counts() if "score_precision" in scores else pd.Series(dtype=int)
    return pd.DataFrame([{
        "threshold": threshold, "counts": len(model.values), "hidden_small": len(small),
        "hidden_protecting": len(hidden) - len(small), "relations": len(model.equalities) + len(model.inequalities),
        "scores_rounded": int(precision.get("rounded", 0)), "scores_withheld": int(precision.get("withheld", 0)),
    }])


# ---- what else the public edition computes from the scores -------------------------------------

def robustness_inputs(published: pd.DataFrame, cfg: ScoreSettings) -> pd.DataFrame:
    """The area scores as a reader of the edition has them, completed for the robustness analysis.

    The robustness of the ranking (:func:`socta.analysis.sensitivity.robustness_table`) is computed from this
    table, not from the exact scores. Why not the exact ones, audited: the shares are published with
    the seed, the number of draws and the concentration, so a reader can repeat the Monte Carlo run
    for every candidate value of a withheld sub-score and keep those that reproduce the published
    shares: 4,000 draws pin a sub-score far more finely than any rounding step, and the score audit
    (:func:`score_exposures`) protects counts, not the groups' mean threat behind ``ocg_threat``.
    Auditing the shares would mean solving for step functions of every hidden count and mean at
    once. Computed from what is published, they are a function of the published table alone: two
    sets of exact scores that publish alike give the same shares to the last digit, so the shares
    can tell nothing the published scores do not, and the audit of the scores covers them.

    A row published exactly keeps its sub-scores. A row whose OCG sub-scores are withheld
    (``score_precision`` "rounded") gets one pooled OCG sub-score in their place, the value that
    gives its published (rounded) threat with the configured weights and its published non-OCG
    sub-scores (clipped to 0-4). A row whose scores are withheld altogether ("withheld") gets the
    middle of the priority range its published rank and tier leave (:func:`_allowed`), taken back
    to a threat through its published harm, and the pooled sub-score of that threat. Where nothing
    is rounded or withheld (the restricted edition), the table is returned as it is.
    """
    out = published.copy()
    if "score_precision" not in out or out["score_precision"].eq("exact").all():
        return out
    w = cfg.threat_weights.astype(float)
    ocg = [k for k in OCG_SUBSCORES if k in w.index]
    others = [k for k in w.index if k not in ocg]
    ocg_weight = float(w[ocg].sum())
    wt, wh = float(cfg.priority_weights["threat"]), float(cfg.priority_weights["harm"])
    for i in out.index[out["score_precision"].ne("exact")]:
        row = out.loc[i]
        threat = row["threat"]
        if row["score_precision"] == "withheld" and pd.notna(row["rank"]) and "threat" in str(row.get("priority_basis", "")):
            low, high = _allowed(published, row["scope"], row["area"], cfg)
            priority = (low + high) / 2
            harm = row["harm"]
            threat = ((wt + wh) * priority - wh * harm) / wt if pd.notna(harm) and wt > 0 else priority
            threat = min(max(threat, 0.0), 100.0)
        pooled = np.nan
        if pd.notna(threat) and ocg_weight > 0:
            known = [k for k in others if pd.notna(row[k])]
            total = ocg_weight + float(w[known].sum())
            points = threat / 100 * SUBSCORE_MAX * total - sum(float(w[k]) * float(row[k]) for k in known)
            pooled = min(max(points / ocg_weight, 0.0), SUBSCORE_MAX)
        for k in ocg:
            out.at[i, k] = pooled
    return out


@dataclass(frozen=True)
class ShareRule:
    """How the public edition shows a share of a restricted field (settings.yaml ``public``)."""
    min_rows: int               # share_min_rows: a share over fewer rows is not shown
    extreme: float              # share_extreme: a share this close to 0% or 100% is shown as a band

    @classmethod
    def of(cls, settings: dict, audience: str = PUBLIC) -> "ShareRule":
        """The rule in force for an edition; the restricted edition shows every share (min_rows 0,
        extreme 0)."""
        if Edition(audience).is_restricted:
            return cls(0, 0.0)
        p = Settings.of(settings).public
        return cls(int(p.share_min_rows), float(p.share_extreme))


def band_edge(rows: int, extreme: float) -> float:
    """The edge of the extreme bands for a share over ``rows`` rows: ``extreme``, or the first multiple
    of it above one row's share, so that "less than" (and "more than" its complement) always holds
    at least two whole counts: the band never says that no row, or every row, has the property."""
    if extreme <= 0 or rows <= 0:
        return 0.0
    steps = math.floor((1.0 / rows) / extreme + 1e-9) + 1
    return min(steps * extreme, 0.5)


def publish_share(share: float, rows: int, rule: ShareRule) -> tuple[str, float]:
    """How a share (0-1) of ``rows`` rows of a restricted field may be shown: ``("exact", share)``,
    ``("below", edge)`` ("less than edge"), ``("above", 1 - edge)`` ("more than"), or ``("few",
    NaN)`` (not shown: fewer rows than ``rule.min_rows``). NaN in, ``("exact", NaN)`` out.

    A share of a restricted field over rows a reader can count (the statistics rows of a country and
    area, the groups of a scope) gives every row's class when it is 0% or 100%, and nearly so
    near them or over a few rows: ``graded_share`` 100% says that every published statistic of that
    area came from a reliable, confirmed source."""
    if share is None or pd.isna(share):
        return "exact", float("nan")
    rows = 0 if rows is None or pd.isna(rows) else int(rows)
    if rows < rule.min_rows:
        return "few", float("nan")
    edge = band_edge(rows, rule.extreme)
    if edge and share < edge - 1e-12:
        return "below", edge
    if edge and share > 1 - edge + 1e-12:
        return "above", 1 - edge
    return "exact", float(share)


def banded(frame: pd.DataFrame, column: str, rows: pd.Series, rule: ShareRule) -> pd.DataFrame:
    """Publish the share ``column`` of ``frame`` (over ``rows`` rows each) by ``rule``, in place: the
    share where it is shown exactly, else NA, with ``<column>_band`` ("" exact, "below", "above",
    "few") and ``<column>_bound`` (the band's edge, NA unless "below" or "above")."""
    shown = [publish_share(v, n, rule) for v, n in zip(frame[column], rows)]
    bands = [band for band, _ in shown]
    frame[f"{column}_band"] = ["" if band == "exact" else band for band in bands]
    frame[f"{column}_bound"] = [value if band in ("below", "above") else np.nan for band, value in shown]
    frame[column] = [value if band == "exact" else np.nan for band, value in shown]
    return frame


def publish_evidence(evidence: pd.DataFrame, rule: ShareRule) -> pd.DataFrame:
    """The evidence table (:func:`socta.process.tables.evidence`) as an edition shows it: the share of
    its statistics rows graded reliable and confirmed, ``graded_share``, comes from the rows' grades,
    which are restricted, over rows a reader can count in the published statistics; it is shown by
    ``rule`` (:func:`publish_share`). The analytic confidence (``confidence``) is computed from the
    exact share before, and published as a level."""
    return banded(evidence.copy(), "graded_share", evidence["rows"], rule)
