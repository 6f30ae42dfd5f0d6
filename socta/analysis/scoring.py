"""Threat, harm and priority scores: every number the assessment ranks by.

All scores are on 0-100 so that they read alike in tables and figures. Weights, scales, bands and
tiers come from the reference configuration; nothing here knows a country or a crime area by name.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from socta.analysis.trends import trend_subscore
from socta.core.config import REGION
from socta.core.settings import Settings
from socta.ingest.reference import Reference

SUBSCORE_MAX = 4.0  # area-threat and harm sub-scores are on 0-4


def band_of(score: float, bands: dict[str, float]) -> str:
    """The band whose lower bound is the highest one not above ``score`` (bands: label -> lower bound)."""
    if pd.isna(score):
        return "unscored"
    for label, lower in sorted(bands.items(), key=lambda kv: -kv[1]):
        if score >= lower:
            return label
    return min(bands, key=bands.get)


def answer_values(answers: pd.Series, scale: pd.DataFrame, unknown_answer: str) -> pd.Series:
    """Numeric value of each answer; ``unknown`` becomes NaN (excluded) or the value of a stand-in answer."""
    values = answers.map(scale["value"])
    if unknown_answer != "exclude":
        values = values.fillna(scale.at[unknown_answer, "value"])
    return values.astype(float)


def ocg_scores(answers: pd.DataFrame, ref: Reference, settings: dict) -> pd.DataFrame:
    """Score each OCG 0-100 from its indicator answers and the configured weights.

    score = 100 * sum(weight * value) / sum(weight * max value), the sums running over the
    indicators answered (unknown answers are excluded, or replaced as settings.yaml says).
    """
    cfg = settings["ocg_scoring"]
    weights = ref.ocg_indicators["weight"].astype(float)
    vmax = float(ref.answer_scale["value"].max())
    frame = answers[["ocg_id", "indicator", "answer"]].copy()
    frame["value"] = answer_values(frame["answer"], ref.answer_scale, cfg["unknown_answer"])
    frame["weight"] = frame["indicator"].map(weights).astype(float)
    known = frame[frame["value"].notna()]
    grouped = known.assign(points=known["weight"] * known["value"], possible=known["weight"] * vmax).groupby("ocg_id")
    result = pd.DataFrame({
        "score": 100 * grouped["points"].sum() / grouped["possible"].sum(),
        "indicators_answered": grouped.size(),
    }).reindex(frame["ocg_id"].unique())
    result["indicators_answered"] = result["indicators_answered"].fillna(0).astype(int)
    result["band"] = result["score"].map(lambda s: band_of(s, cfg["bands"]))
    return result.rename_axis("ocg_id").reset_index()


def ocg_contributions(answers: pd.DataFrame, ref: Reference, settings: dict) -> pd.DataFrame:
    """Each indicator's share of each group's Europol-profile score, in score points (they sum to the score)."""
    cfg = settings["ocg_scoring"]
    vmax = float(ref.answer_scale["value"].max())
    frame = answers[["ocg_id", "indicator", "answer"]].copy()
    frame["value"] = answer_values(frame["answer"], ref.answer_scale, cfg["unknown_answer"])
    frame["weight"] = frame["indicator"].map(ref.ocg_indicators["weight"]).astype(float)
    possible = (frame["weight"] * vmax).where(frame["value"].notna()).groupby(frame["ocg_id"]).transform("sum")
    frame["points"] = 100 * frame["weight"] * frame["value"].fillna(0) / possible
    return frame[["ocg_id", "indicator", "answer", "points"]]


def sleipnir_scores(answers: pd.DataFrame, ref: Reference, settings: dict) -> pd.DataFrame:
    """Sleipnir profile: each attribute scores its points (high 4, medium 2, low 1, none 0, unknown 2) × P.

    Attributes without a corresponding OCG indicator count as unknown. Returns the raw points
    (maximum 760) and the score on 0-100.
    """
    cfg = settings["sleipnir"]
    attributes = ref.sleipnir
    wide = answers.pivot(index="ocg_id", columns="indicator", values="answer")
    points = pd.Series(0.0, index=wide.index)
    for _, attribute in attributes.iterrows():
        source = attribute["indicator_id"]
        answer = wide[source].fillna("unknown") if source and source in wide.columns else pd.Series("unknown", index=wide.index)
        points += answer.map(cfg["points"]).astype(float) * float(attribute["weight"])
    return pd.DataFrame({"ocg_id": wide.index, "sleipnir_points": points.to_numpy(),
                         "sleipnir_score": 100 * points.to_numpy() / float(cfg["maximum"])})


def all_ocg_scores(answers: pd.DataFrame, ref: Reference, settings: dict) -> pd.DataFrame:
    """Both profiles side by side; ``score`` and ``band`` follow the profile chosen in settings.yaml."""
    europol = ocg_scores(answers, ref, settings).rename(columns={"score": "europol_score"}).drop(columns="band")
    both = europol.merge(sleipnir_scores(answers, ref, settings), on="ocg_id", how="left")
    profile = Settings.of(settings).ocg_profile
    both["score"] = both[f"{profile}_score"]
    both["band"] = both["score"].map(lambda s: band_of(s, settings["ocg_scoring"]["bands"]))
    for name in ("europol", "sleipnir"):
        both[f"{name}_rank"] = both[f"{name}_score"].rank(ascending=False, method="min")
    return both


def ocg_by_area(register: pd.DataFrame, scores: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """One row per OCG and top-level crime area it is active in (sub-markets count for their area)."""
    frame = register[["ocg_id", "country", "countries_active", "crime_areas"]].merge(scores, on="ocg_id", how="left")
    frame["area"] = frame["crime_areas"].str.split("|")
    frame = frame.explode("area")
    frame["area"] = frame["area"].map(ref.top_area_of)
    frame["international"] = frame["countries_active"].str.split("|").map(len) > 1
    return frame.drop(columns=["crime_areas"]).drop_duplicates(["ocg_id", "area"]).reset_index(drop=True)


def ocg_aggregates(by_area: pd.DataFrame, ref: Reference, bands: dict[str, float]) -> pd.DataFrame:
    """Counts and mean threat of OCGs per scope (each reporting country, and the region) and area.

    These aggregates are all a public edition ever sees of the OCG register.
    """
    scopes = [(iso3, by_area[by_area["country"].eq(iso3)]) for iso3 in ref.countries.index]
    scopes.append((REGION, by_area))
    rows = []
    for scope, frame in scopes:
        for area in ref.top_areas.index:
            groups = frame[frame["area"].eq(area)]
            row = {
                "scope": scope, "area": area, "ocgs": len(groups),
                "mean_score": groups["score"].mean() if len(groups) else np.nan,
                "international": int(groups["international"].sum()),
            }
            row.update({f"band_{b}": int(groups["band"].eq(b).sum()) for b in bands})
            rows.append(row)
    return pd.DataFrame(rows)


def _scope_rows(expert: pd.DataFrame, ref: Reference):
    for iso3 in ref.countries.index:
        yield iso3, expert[expert["country"].eq(iso3)]
    yield REGION, expert


def area_threat(expert: pd.DataFrame, aggregates: pd.DataFrame, ref: Reference,
                stat_trend: pd.DataFrame | None = None, have_register: bool = True,
                min_known_share: float = 0.0) -> pd.DataFrame:
    """Crime-area threat per scope and area: 0-4 sub-scores and their weighted score 0-100.

    ``stat_trend`` (scope, area, stat_trend) supplies the statistics-based trend sub-score; without
    it that sub-score is unknown and left out of the weighted score. Without an OCG register
    (``have_register`` False) the OCG sub-scores are unknown too, and left out the same way.
    """
    lookup = {} if stat_trend is None else stat_trend.set_index(["scope", "area"])["stat_trend"].to_dict()
    weights = ref.threat_indicators["weight"].astype(float)
    rows = []
    for scope, experts in _scope_rows(expert, ref):
        agg = aggregates[aggregates["scope"].eq(scope)].set_index("area")
        most = agg["ocgs"].max() if len(agg) else 0
        for area in ref.top_areas.index:
            e = experts[experts["area"].eq(area)]
            a = agg.loc[area] if area in agg.index else None
            ocgs = float(a["ocgs"]) if a is not None else 0.0
            sub = {
                "trend": e["trend"].median() + 2 if len(e) else np.nan,
                "scale": e["scale"].median() if len(e) else np.nan,
                "ocg_number": SUBSCORE_MAX * ocgs / most if most else 0.0,
                "ocg_threat": (a["mean_score"] / 100 * SUBSCORE_MAX) if ocgs else 0.0,
                "international": SUBSCORE_MAX * a["international"] / ocgs if ocgs else 0.0,
                "stat_trend": lookup.get((scope, area), np.nan),
            }
            if not have_register:  # no register is not "no groups": the OCG sub-scores are unknown
                sub.update(ocg_number=np.nan, ocg_threat=np.nan, international=np.nan)
            rows.append({"scope": scope, "area": area, **sub, "threat": weighted_score(sub, weights, min_known_share),
                         "threat_known": sum(pd.notna(v) for k, v in sub.items() if k in weights.index)})
    return pd.DataFrame(rows)


def weighted_score(subscores: dict[str, float], weights: pd.Series, min_known_share: float = 0.0) -> float:
    """100 * sum(w * s) / (4 * sum(w)) over the sub-scores that are known.

    NaN when none is known, or when the known ones carry less than ``min_known_share`` of the total
    weight: a score resting on one of six indicators would rank areas on that one alone.
    """
    weight = weights.to_dict()  # plain floats: called for every scope × area, and a Series lookup costs 100 µs
    known = {k: v for k, v in subscores.items() if k in weight and pd.notna(v)}
    # np.sum over the same values in the same order as Series.sum: the same total to the last bit
    known_weight = np.array([weight[k] for k in known], dtype="float64").sum()
    if not known or known_weight < min_known_share * weights.to_numpy(dtype="float64").sum() - 1e-12:
        return np.nan
    return float(100 * sum(weight[k] * v for k, v in known.items()) / (SUBSCORE_MAX * known_weight))


def harm_scores(expert: pd.DataFrame, ref: Reference, disagreement_range: float = 3) -> pd.DataFrame:
    """Harm per scope and area: the median expert answer per dimension, and the weighted harm 0-100.

    ``disagreement`` flags a dimension whose answers span ``disagreement_range`` points or more.
    """
    dims = ref.harm_dimensions
    weights = dims["weight"].astype(float)
    rows = []
    for scope, experts in _scope_rows(expert, ref):
        for area in ref.top_areas.index:
            e = experts[experts["area"].eq(area)]
            medians = {d: e[f"harm_{d}"].median() if len(e) else np.nan for d in dims.index}
            spread = {d: (e[f"harm_{d}"].max() - e[f"harm_{d}"].min()) if len(e) else np.nan for d in dims.index}
            disputed = [d for d, s in spread.items() if pd.notna(s) and s >= disagreement_range]
            rows.append({
                "scope": scope, "area": area, "respondents": len(e),
                **{f"harm_{d}": v for d, v in medians.items()},
                "harm": weighted_score(medians, weights),
                "disagreement": "|".join(disputed),
            })
    return pd.DataFrame(rows)


def prioritise(threat: pd.DataFrame, harm: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Priority = weighted mean of threat and harm; ranked within each scope and put in tiers."""
    cfg = settings["priority"]
    w = cfg["weights"]
    frame = threat[["scope", "area", "threat"]].merge(harm[["scope", "area", "harm"]], on=["scope", "area"])
    # like every score here: the weighted mean of what is known (harm is unknown without experts)
    weights = pd.Series({"threat": float(w["threat"]), "harm": float(w["harm"])})
    frame["priority"] = [weighted_score({"threat": t_ / 25, "harm": h / 25}, weights) for t_, h in
                         zip(frame["threat"], frame["harm"])]
    frame["priority_basis"] = [("threat+harm" if pd.notna(t_) and pd.notna(h) else "threat" if pd.notna(t_)
                                else "harm" if pd.notna(h) else "") for t_, h in zip(frame["threat"], frame["harm"])]
    frame["rank"] = frame.groupby("scope")["priority"].rank(ascending=False, method="min").astype("Int64")  # NaN: not assessed
    frame["tier"] = frame["priority"].map(lambda s: band_of(s, cfg["tiers"]))
    return frame.sort_values(["scope", "rank"]).reset_index(drop=True)


def change_between_periods(series: pd.DataFrame, last_year: int, window: int) -> float:
    """Percentage change of the yearly mean over the last ``window`` years against the ``window`` before.

    ``series`` has columns ``year`` and ``value``. NaN unless every year of both periods has a value
    (a mean over the years that happen to be present would compare unlike periods), or when the
    earlier period sums to 0.
    """
    recent = series[series["year"].between(last_year - window + 1, last_year)]["value"]
    earlier = series[series["year"].between(last_year - 2 * window + 1, last_year - window)]["value"]
    if len(recent) < window or len(earlier) < window or recent.isna().any() or earlier.isna().any() \
            or earlier.mean() == 0:
        return np.nan
    return float(100 * (recent.mean() / earlier.mean() - 1))


def longevity_bands(edges: list[int]) -> list[str]:
    """The codes of the longevity bands that ``edges`` (years, rising) make: under the first, from one
    edge to the next, over the last; e.g. [5, 10] gives under_5, 5_to_10, over_10."""
    return [f"under_{edges[0]}", *(f"{a}_to_{b}" for a, b in zip(edges, edges[1:])), f"over_{edges[-1]}"]


def longevity_band(years: float, edges: list[int]) -> str:
    """The band of a group first reported ``years`` before the assessment's last year ("unknown" for
    NaN): under the first edge, up to and including the next edges, more than the last."""
    if pd.isna(years):
        return "unknown"
    codes = longevity_bands(edges)
    if years < edges[0]:
        return codes[0]
    for code, upper in zip(codes[1:], edges[1:]):
        if years <= upper:
            return code
    return codes[-1]


# the relations that link two groups as partners (ocg_relations.csv kind); a conflict is no link
WORKING_RELATIONS = ("cooperation", "supply", "service")


def linked_groups(register: pd.DataFrame, relations: pd.DataFrame) -> tuple[set[str], set[str]]:
    """The groups with a working relation (WORKING_RELATIONS) to another group, and those among them with
    one to a group another country reported."""
    working = relations[relations["kind"].isin(WORKING_RELATIONS)]
    country = dict(zip(register["ocg_id"], register["country"]))
    linked, abroad = set(), set()
    for a, b in zip(working["ocg_id"], working["other_ocg_id"]):
        linked |= {a, b}
        if a in country and b in country and country[a] != country[b]:
            abroad |= {a, b}
    return linked, abroad


def ocg_scope_summary(register: pd.DataFrame, ref: Reference, bands: dict[str, float], last_year: int | None = None,
                      longevity_years: list[int] | None = None, relations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts of OCGs per scope by band, structure, reach and, given the assessment's last year and the
    longevity edges, longevity: years since first reported; given the relations (ocg_relations.csv), whether
    a group is linked to another (measure "linked", yes or no) and to one of another country ("linked_abroad").
    Long: scope, measure, category, count.

    ``register`` carries each group's ``score`` and ``band``. Counts only: safe for a public edition.
    """
    frame = register.assign(international=register["countries_active"].str.split("|").map(len) > 1)
    if relations is not None:
        linked, abroad = linked_groups(register, relations)
        frame["linked"], frame["linked_abroad"] = frame["ocg_id"].isin(linked), frame["ocg_id"].isin(abroad)
    if last_year is not None and longevity_years:
        years = last_year - pd.to_numeric(frame["first_reported"], errors="coerce")
        frame["longevity"] = years.map(lambda y: longevity_band(y, longevity_years))
    rows = []
    scopes = [(iso3, frame[frame["country"].eq(iso3)]) for iso3 in ref.countries.index] + [(REGION, frame)]
    for scope, groups in scopes:
        rows.append((scope, "groups", "all", len(groups)))
        rows += [(scope, "band", b, int(groups["band"].eq(b).sum())) for b in bands]
        for structure, n in groups["structure"].value_counts().sort_index().items():
            rows.append((scope, "structure", structure, int(n)))
        rows.append((scope, "reach", "international", int(groups["international"].sum())))
        rows.append((scope, "reach", "domestic", int((~groups["international"]).sum())))
        if "longevity" in frame:   # every band, and "unknown" only where a group has no year
            for band in longevity_bands(longevity_years):
                rows.append((scope, "longevity", band, int(groups["longevity"].eq(band).sum())))
            if frame["longevity"].eq("unknown").any():
                rows.append((scope, "longevity", "unknown", int(groups["longevity"].eq("unknown").sum())))
        for measure in ("linked", "linked_abroad"):
            if measure in frame:
                rows += [(scope, measure, "yes", int(groups[measure].sum())), (scope, measure, "no", int((~groups[measure]).sum()))]
    return pd.DataFrame(rows, columns=["scope", "measure", "category", "count"])


def ocg_places(register: pd.DataFrame, places: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Per scope (the reporting country, and the region), role and place: the groups based there (role
    "base") or operating there (role "activity"); and, as place "", the groups with no known base.
    Long: scope, role, place, groups. Every place of places.csv in every scope, so that the public
    edition's disclosure control sees the zeros too. Counts only, never identities."""
    frame = places.merge(register[["ocg_id", "country"]], on="ocg_id")
    based = set(frame.loc[frame["role"].eq("base"), "ocg_id"])
    rows = []
    scopes = [(c, frame[frame["country"].eq(c)], register[register["country"].eq(c)]) for c in ref.countries.index]
    scopes.append((REGION, frame, register))
    for scope, rows_here, groups in scopes:
        for role in ("base", "activity"):
            counts = rows_here[rows_here["role"].eq(role)].groupby("place")["ocg_id"].nunique()
            rows += [(scope, role, place, int(counts.get(place, 0))) for place in ref.places.index]
        rows.append((scope, "base", "", int((~groups["ocg_id"].isin(based)).sum())))
    return pd.DataFrame(rows, columns=["scope", "role", "place", "groups"])


def stat_trend_subscores(trends: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """The statistics-based trend sub-score of each scope × area, from its headline indicator's fit."""

    full_scale = float(settings["trends"]["stat_trend_full_scale_pct"])
    headline = trends[trends["headline"]].copy()
    change = headline["change_per_year"] if "change_per_year" in headline else pd.Series(np.nan, index=headline.index)
    headline["stat_trend"] = change.map(lambda c: trend_subscore(c, full_scale))
    return headline[["scope", "area", "stat_trend"]]


def area_scores(expert: pd.DataFrame, aggregates: pd.DataFrame, trends: pd.DataFrame, ref: Reference,
                settings: dict, have_register: bool = True) -> pd.DataFrame:
    """Threat with its sub-scores, harm with its dimensions, priority, rank and tier: one row per scope × area."""
    threat = area_threat(expert, aggregates, ref, stat_trend_subscores(trends, settings), have_register,
                         float(Settings.of(settings).priority.min_known_share))
    harm = harm_scores(expert, ref)
    ranked = prioritise(threat, harm, settings)
    return ranked.merge(threat.drop(columns="threat"), on=["scope", "area"]).merge(
        harm.drop(columns="harm"), on=["scope", "area"])


def ocg_links(register: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Counts of groups linking places and markets: country × crime area, and country × country.

    A group counts for every region country in its ``countries_active`` (not only the reporting one),
    so the table shows where groups operate. Counts only, never identities.
    """
    countries = list(ref.countries.index)
    frame = register[["ocg_id", "countries_active", "crime_areas"]].copy()
    frame["active"] = frame["countries_active"].str.split("|").map(lambda cs: [c for c in cs if c in countries])
    frame["areas"] = frame["crime_areas"].str.split("|").map(lambda a: sorted({ref.top_area_of(x) for x in a}))
    rows = []
    for c in countries:
        in_c = frame[frame["active"].map(lambda cs, c=c: c in cs).astype(bool)]
        for area in ref.top_areas.index:
            rows.append(("country-area", c, area, int(in_c["areas"].map(lambda a, area=area: area in a).sum())))
        for other in countries:
            if other > c:
                rows.append(("country-country", c, other, int(in_c["active"].map(lambda cs, o=other: o in cs).sum())))
    return pd.DataFrame(rows, columns=["kind", "a", "b", "groups"])


def spearman(x: pd.Series, y: pd.Series) -> float:
    """Spearman's rank correlation, as ``x.corr(y, method="spearman")`` gives it to the last bit
    (scipy's spearmanr: Pearson's correlation of the average ranks), without importing scipy.stats,
    which costs ``socta validate`` most of a second. NaN for fewer than two pairs or a constant side."""
    pairs = x.notna() & y.notna()
    a, b = x[pairs].to_numpy(dtype="float64"), y[pairs].to_numpy(dtype="float64")
    if len(a) <= 1 or (a[0] == a).all() or (b[0] == b).all():
        return np.nan
    ranks = np.column_stack([pd.Series(a).rank(method="average").to_numpy(),
                             pd.Series(b).rank(method="average").to_numpy()])
    return float(np.corrcoef(ranks, rowvar=False)[1, 0])


def profile_comparison(register: pd.DataFrame, ref: Reference, settings: dict) -> pd.DataFrame:
    """Per scope: groups per band under each profile and the rank correlation between the profiles."""
    bands = settings["ocg_scoring"]["bands"]
    rows = []
    scopes = [(c, register[register["country"].eq(c)]) for c in ref.countries.index] + [(REGION, register)]
    for scope, groups in scopes:
        rho = spearman(groups["europol_score"], groups["sleipnir_score"]) if len(groups) > 2 else np.nan
        for profile in ("europol", "sleipnir"):
            band = groups[f"{profile}_score"].map(lambda s: band_of(s, bands))
            row = {"scope": scope, "profile": profile, "groups": len(groups), "spearman": rho,
                   "mean_score": groups[f"{profile}_score"].mean()}
            row.update({f"band_{b}": int(band.eq(b).sum()) for b in bands})
            rows.append(row)
    return pd.DataFrame(rows)


def ocg_enablers(answers: pd.DataFrame, register: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Per scope and OCG indicator: the groups answering, and how many (and what share) answered medium
    or high, and unknown.

    The crime-relevant factors (corruption, legal business structures, money laundering, violence,
    counter-measures) are read from the groups' indicator answers: aggregates only.
    """
    frame = answers.merge(register[["ocg_id", "country"]], on="ocg_id")
    rows = []
    scopes = [(c, frame[frame["country"].eq(c)]) for c in ref.countries.index] + [(REGION, frame)]
    for scope, groups in scopes:
        for indicator in ref.ocg_indicators.index:
            a = groups[groups["indicator"].eq(indicator)]["answer"]
            rows.append({"scope": scope, "indicator": indicator, "groups": len(a),
                         "medium_high": int(a.isin(["medium", "high"]).sum()), "unknown": int(a.eq("unknown").sum()),
                         "share_medium_high": float(a.isin(["medium", "high"]).mean()) if len(a) else np.nan,
                         "share_unknown": float(a.eq("unknown").mean()) if len(a) else np.nan})
    return pd.DataFrame(rows)


def ocg_geography(register: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """Per scope: how many groups are active in each country outside the region, and of each nationality."""
    region = set(ref.countries.index)
    rows = []
    scopes = [(c, register[register["country"].eq(c)]) for c in ref.countries.index] + [(REGION, register)]
    for scope, groups in scopes:
        for measure, column in (("active_abroad", "countries_active"), ("nationality", "nationalities")):
            codes = groups[column].str.split("|").explode()
            if measure == "active_abroad":
                codes = codes[~codes.isin(region)]
            for code, n in codes.value_counts().sort_index().items():
                rows.append({"scope": scope, "measure": measure, "code": code, "groups": int(n)})
    return pd.DataFrame(rows, columns=["scope", "measure", "code", "groups"])


def ocg_tactics(answers: pd.DataFrame, register: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """How the region's groups operate across crime areas: per top-level area and tactic measured by an
    OCG indicator (tactics.csv), the groups active in the area with an answer to it (groups), those
    answering medium or high (using) and unknown (unknown), and the share using. A group active in
    several areas counts in each. Region only: the chapter is regional. Counts only."""
    measured = ref.tactics[ref.tactics["indicator_id"].ne("")]
    areas = register[["ocg_id", "crime_areas"]].assign(
        area=register["crime_areas"].str.split("|").map(lambda codes: sorted({ref.top_area_of(c) for c in codes if c})))
    areas = areas.explode("area").dropna(subset=["area"])[["ocg_id", "area"]]
    rows = []
    for area in ref.top_areas.index:
        groups = set(areas.loc[areas["area"].eq(area), "ocg_id"])
        for tactic, indicator in zip(measured.index, measured["indicator_id"]):
            a = answers.loc[answers["ocg_id"].isin(groups) & answers["indicator"].eq(indicator), "answer"]
            using, unknown = int(a.isin(["medium", "high"]).sum()), int(a.eq("unknown").sum())
            rows.append({"scope": REGION, "area": area, "tactic": tactic, "indicator": indicator, "groups": len(a),
                         "using": using, "unknown": unknown, "share_using": using / len(a) if len(a) else np.nan})
    return pd.DataFrame(rows, columns=["scope", "area", "tactic", "indicator", "groups", "using", "unknown", "share_using"])
