"""Validated inputs → processed tables, one folder per audience.

Data flow one way: the raw input files are only read; everything here is rebuilt. The public
folder holds no OCG-level row, identifier, source grade or handling code: a public notebook cannot
leak what it never reads.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd

from socta.analysis import scoring
from socta.analysis.backtest import backtest_table
from socta.analysis.calibration import shipped_map
from socta.analysis.estimative import confidence_level
from socta.analysis.sensitivity import robustness_table
from socta.analysis.trends import trend_table
from socta.core.background import Background
from socta.core.config import REGION, Project
from socta.core.edition import DATA_AUDIENCES, PUBLIC, RESTRICTED, Edition
from socta.core.files import _swap_dir
from socta.ingest.coverage import cell_coverage
from socta.ingest.reference import Reference
from socta.ingest.schema import ValidationResult, table_specs
from socta.process import disclosure_policy as public
from socta.process.checks import RESTRICTED_COLUMNS, Expansions, check_editions
from socta.process.fingerprints import PROVENANCE_FILES, inputs_fingerprint

BACKTEST_ORIGINS, BACKTEST_SERIES = 3, 200


def _with_area(stats: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    stats = stats.copy()
    stats["area"] = stats["indicator"].map(ref.indicators["area_id"])
    return stats


def processed_tables(project: Project, result: ValidationResult) -> dict[str, dict[str, pd.DataFrame]]:
    """The tables each audience may read, keyed by audience then table name."""
    ref = Reference(project)
    inputs = result.tables  # not `t`: pybabel would take t[...] for the translation function
    stats = _with_area(inputs["statistics.csv"], ref)
    expert = inputs["expert_assessments.csv"]
    scores = scoring.all_ocg_scores(inputs["ocg_answers.csv"], ref, project.settings)
    by_area = scoring.ocg_by_area(inputs["ocg_register.csv"], scores, ref)
    settings = project.settings
    bands = settings.ocg_scoring.bands
    aggregates = scoring.ocg_aggregates(by_area, ref, bands)
    register = inputs["ocg_register.csv"].merge(scores, on="ocg_id", how="left")
    ocg_tables = {
        "ocg_aggregates": aggregates,
        "ocg_summary": scoring.ocg_scope_summary(register, ref, bands, project.years[1],
                                                 settings.networks.longevity_years,
                                                 inputs["ocg_relations.csv"] if present(project, "ocg_relations.csv")
                                                 else None),
        "ocg_places": scoring.ocg_places(register, inputs["ocg_places.csv"], ref),
        "ocg_tactics": scoring.ocg_tactics(inputs["ocg_answers.csv"], register, ref),
        "ocg_links": scoring.ocg_links(register, ref),
        "ocg_profiles": scoring.profile_comparison(register, ref, project.settings),
        "ocg_geography": scoring.ocg_geography(register, ref),
        "ocg_enablers": scoring.ocg_enablers(inputs["ocg_answers.csv"], register, ref),
    }

    first, last = project.years
    window = settings.assessment.trend_window
    scopes = {**{c: [c] for c in ref.countries.index}, REGION: list(ref.countries.index)}
    seed = settings.trends.seed
    span = max(2 * window, 1)
    # Long steps that do not depend on each other share the cores: a second process works out which
    # counts the public edition hides (hundreds of linear programs) and, for a national file with
    # many scopes, a third fits the trends of the last third of them while this one fits the rest.
    # Each series is fitted with its own seed, so the trends are those of one process, row for row.
    threshold = settings.public.small_count_threshold
    model = public.count_model(ocg_tables, bands, list(ref.countries.index))
    split = len(scopes) - (len(scopes) // 3 if len(scopes) >= 10 else 0)
    here, there = dict(list(scopes.items())[:split]), dict(list(scopes.items())[split:])
    import scipy.optimize  # noqa: F401 - imported once, before the fork: the linear programs' solver

    hiding = Background(model.suppress, threshold)
    # the edition's own check of its forecasts, bounded (a national file has thousands of series, and
    # `socta backtest` does them all): the last three origins of at most 200 series
    backtesting = Background(backtest_table, stats, ref, scopes, first, last, project.settings,
                             shipped_map() if settings.judgement.calibrate else None, origins=BACKTEST_ORIGINS,
                             max_series=BACKTEST_SERIES)
    fitting = Background(trend_table, stats, ref, there, last, span, seed, project.settings, report=False) \
        if there else None
    trends_now = trend_table(stats, ref, here, last, span, seed, project.settings)
    # the previous period is read only through the headline indicators (their trend sub-score and
    # "what changed"): fitting the others would be most of the work of processing a national file
    headlines = list(ref.indicators.index[ref.indicators["headline"].astype(bool)])
    trends_before = trend_table(stats, ref, scopes, last - window, span, seed, project.settings, headlines,
                                sensitivity=False)
    if fitting:
        trends_now = pd.concat([trends_now, fitting.result()], ignore_index=True)
    have_register = present(project, "ocg_register.csv")
    # scores use the exact aggregates, so both editions rank alike; the public one gets the results
    scores = {
        "area_scores": scoring.area_scores(expert, aggregates, trends_now, ref, project.settings, have_register),
        "area_scores_previous": scoring.area_scores(expert, aggregates, trends_before, ref, project.settings,
                                                    have_register),
    }
    shared = {
        "statistics": stats.drop(columns=list(RESTRICTED_COLUMNS)),
        "expert_assessments": expert,
        "population": ref.population,
        "trends": trends_now,
        "trends_previous": trends_before,
        "coverage": cell_coverage(stats, ref, first, last),
        "backtest": backtesting.result(),
    }
    grounds = with_confidence(evidence(stats, expert, ref, scopes, last, min(span, last - first + 1)),
                              settings.confidence)
    shares = {audience: public.ShareRule.of(project.settings, audience) for audience in DATA_AUDIENCES}
    restricted = {
        **shared,
        "evidence": public.publish_evidence(grounds, shares[RESTRICTED]),
        **public.publish_ocg_tables(ocg_tables, set(), 0),
        **{name: public.publish_scores(frame, set(), set(), 0) for name, frame in scores.items()},
        "statistics": stats,
        "ocg_register": register,
        "ocg_answers": inputs["ocg_answers.csv"],
        "ocg_by_area": by_area,
        "ocg_contributions": scoring.ocg_contributions(inputs["ocg_answers.csv"], ref, project.settings),
    }
    hidden = hiding.result()
    public_ocg = public.publish_ocg_tables(ocg_tables, hidden, threshold,
                                           public.resting_on_hidden(aggregates, hidden), shares[PUBLIC])
    score_cfg = public.ScoreSettings.of(project, ref)
    public_edition = {**shared, **public_ocg, "evidence": public.publish_evidence(grounds, shares[PUBLIC]),
                      **public.publish_area_scores(restricted, public_ocg, model, hidden, threshold, score_cfg)}
    public_edition["disclosure"] = public.disclosure_summary(model, hidden, threshold, public_edition["area_scores"])
    restricted["disclosure"] = public.disclosure_summary(model, set(), 0, restricted["area_scores"])
    for edition in (restricted, public_edition):   # from the scores as each edition publishes them
        edition["rank_robustness"] = robustness_table(public.robustness_inputs(edition["area_scores"], score_cfg),
                                                      ref.threat_indicators["weight"].astype(float),
                                                      ref.harm_dimensions["weight"].astype(float), project.settings)
    return {PUBLIC: public_edition, RESTRICTED: restricted}


def backtest_of(project: Project, result: ValidationResult) -> pd.DataFrame:
    """The rolling-origin backtest of every series of valid data (:mod:`socta.analysis.backtest`)."""
    ref = Reference(project)
    first, last = project.years
    scopes = {**{c: [c] for c in ref.countries.index}, REGION: list(ref.countries.index)}
    return backtest_table(_with_area(result.tables["statistics.csv"], ref), ref, scopes, first, last, project.settings,
                          shipped_map() if project.settings.judgement.calibrate else None)


def evidence(stats: pd.DataFrame, expert: pd.DataFrame, ref: Reference, scopes: dict[str, list[str]],
             end_year: int, span: int) -> pd.DataFrame:
    """What the judgements on each scope × area rest on, as aggregates a public edition may show.

    ``graded_share``: share of the statistics rows with a value whose source is reliable (A, B) and
    whose information is graded 1 or 2; ``completeness``: country × indicator × year cells of the
    span with a complete usable value (a gap, a ``<N`` or a missing sub-series counts against it),
    against every cell expected; ``respondents``: expert assessments; ``missing_countries``: the
    scope's countries with no usable value of the area's headline indicator in ``end_year``.
    """
    first = end_year - span + 1
    cells = cell_coverage(stats, ref, first, end_year)
    cells["area"] = cells["indicator"].map(ref.indicators["area_id"])
    window = stats[stats["year"].between(first, end_year) & stats["value"].notna()]
    headline = ref.indicators[ref.indicators["headline"]].set_index("area_id")["indicator_id"]
    # counts per country and area, once; a scope adds up its countries' counts (a national file with
    # 50 countries would otherwise filter every table again for every scope and area)
    grade = window["grade"].astype(str)
    good = grade.str[0].isin(["A", "B"]) & grade.str[1:].isin(["1", "2"])
    got = good.groupby([window["country"], window["area"]]).agg(["size", "sum"])
    got = {key: (int(n), int(g)) for key, n, g in zip(got.index, got["size"], got["sum"])}
    has = cells.groupby(["country", "area"])["has_value"].agg(["size", "sum"])
    has = {key: (int(n), int(h)) for key, n, h in zip(has.index, has["size"], has["sum"])}
    experts = expert.groupby(["country", "area"]).size().to_dict() if len(expert) else {}
    latest = cells[cells["year"].eq(end_year) & ~cells["has_value"]]
    lacking = {(c, a) for c, a, i in zip(latest["country"], latest["area"], latest["indicator"])
               if i == headline.get(a, "")}
    rows = []
    for scope, countries in scopes.items():
        members = list(dict.fromkeys(countries))
        for area in ref.top_areas.index:
            n_rows = sum(got.get((c, area), (0, 0))[0] for c in members)
            n_good = sum(got.get((c, area), (0, 0))[1] for c in members)
            n_cells = sum(has.get((c, area), (0, 0))[0] for c in members)
            n_has = sum(has.get((c, area), (0, 0))[1] for c in members)
            rows.append({"scope": scope, "area": area, "rows": n_rows,
                         "graded_share": float(n_good / n_rows) if n_rows else 0.0,
                         "completeness": float(n_has / n_cells) if n_cells else 0.0,
                         "respondents": sum(int(experts.get((c, area), 0)) for c in members),
                         "missing_countries": "|".join(sorted(c for c in members if (c, area) in lacking))})
    return pd.DataFrame(rows)


def with_confidence(evidence: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """The evidence table with the analytic confidence of each scope × area (``confidence``), from
    the exact evidence: a level is published, the graded share behind it may be shown only as a band
    (:func:`socta.process.disclosure_policy.publish_evidence`)."""

    out = evidence.copy()
    out["confidence"] = [confidence_level(g, c, int(r), rule) for g, c, r in
                         zip(out["graded_share"], out["completeness"], out["respondents"])]
    return out


def present(project: Project, name: str) -> bool:
    """Whether an optional input file is in the data folder."""
    return project.input_path(name).is_file()


def write_processed(project: Project, result: ValidationResult) -> dict[str, Path]:
    """Write every audience's folder atomically: a reader sees the old folder or the new one. The
    tables pass their output checks (:mod:`socta.process.checks`) first: if one fails, nothing is
    written and the previous folders stay as they were."""
    if not result.ok:
        raise ValueError("refusing to write processed tables from data that failed validation")
    written = {}
    meta = {"dataset": project.dataset, "inputs": input_manifest(project, result),
            "fingerprint": inputs_fingerprint(project)}
    editions = processed_tables(project, result)
    check_editions(editions, result.tables, Expansions.of(project, Reference(project)))
    for audience, tables in editions.items():
        target = project.processed_dir(audience)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{audience}-", dir=target.parent))
        for name, frame in tables.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        edition_meta = dict(meta)
        if Edition(audience).is_restricted:
            edition_meta["handling_max"] = most_restrictive_handling(result)
        (tmp / "dataset.json").write_text(json.dumps(edition_meta, indent=2, default=str), encoding="utf-8")
        _swap_dir(tmp, target)
        written[audience] = target
    return written


def most_restrictive_handling(result: ValidationResult) -> str | None:
    """The highest handling code (H0 < H1 < H2 < H3) among all the rows the assessment uses."""
    codes = set()
    for frame in result.tables.values():
        if "handling_code" in frame:
            codes |= set(frame["handling_code"].dropna())
    return max(codes) if codes else None


def input_manifest(project: Project, result: ValidationResult) -> list[dict]:
    """Each input file with its row count and checksum, recorded once at validation time."""

    restricted = {spec.file: spec.restricted for spec in table_specs(project, Reference(project))}
    traced = [  # how statistics.csv was made, when `socta import` made it: listed so a reader can check it
        {"file": name, "rows": None, "restricted": False,
         "sha256": hashlib.sha256(project.input_path(name).read_bytes()).hexdigest()}
        for name in PROVENANCE_FILES if project.input_path(name).is_file()
    ]
    return traced + [
        {"file": name, "rows": len(frame), "restricted": restricted.get(name, False),
         "sha256": hashlib.sha256(project.input_path(name).read_bytes()).hexdigest()}
        if project.input_path(name).is_file() else
        {"file": name, "rows": 0, "restricted": restricted.get(name, False), "sha256": "", "absent": True}
        for name, frame in result.tables.items()
    ]
