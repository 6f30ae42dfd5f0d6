"""Validation and processing at national scale: 200,000 statistics rows, 50 countries.

Builds, in a temporary folder, a data folder with a ``reference/`` override (50 countries with
their population, and extra breakdown indicators so that 50 countries × 25 years reach the row
count), a synthetic ``statistics.csv`` of plausible magnitudes, and the demo's OCG and expert files;
then times ``socta validate`` as the command runs it (validation, then the processed tables) and
prints the seconds of each step and the peak memory of the process (``resource.getrusage``).

    .venv/bin/python bench/large_input.py                  # 200k rows, 50 countries
    .venv/bin/python bench/large_input.py --rows 50000     # fewer rows (fewer extra indicators)
    .venv/bin/python bench/large_input.py --profile        # cProfile of both steps, top 40 by cumtime
    .venv/bin/python bench/large_input.py --keep DIR       # build the folder in DIR and keep it
    .venv/bin/python bench/large_input.py --duplicates     # every row twice: the grouped-message case
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEMO = REPO / "data" / "demo"
REFERENCE = REPO / "data" / "reference"
FIRST, LAST = 2000, 2024
KEEP = ("SRB", "MNE", "MKD")  # the demo's OCG register and expert assessments name these


def _codes(n: int) -> list[str]:
    """``n`` ISO3-like codes: the three real ones, then AAA, AAB, … (none of them a real country)."""
    out = list(KEEP)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    i = 0
    while len(out) < n:
        code = "Q" + letters[(i // 26) % 26] + letters[i % 26]  # Q.. codes are user-assigned in ISO 3166
        i += 1
        if code not in out:
            out.append(code)
    return out


def build(folder: Path, rows: int = 200_000, countries: int = 50, seed: int = 1, duplicates: bool = False) -> Path:
    """Write the data folder; return it. Deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ref = folder / "reference"
    ref.mkdir(exist_ok=True)
    codes = _codes(countries)
    years = np.arange(FIRST, LAST + 1)
    # countries and their population
    base = pd.read_csv(REFERENCE / "countries.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame({"iso3": codes[3:], "slug": [f"synthetic-{c.lower()}" for c in codes[3:]],
                          "name_en": [f"Synthetic country {c}" for c in codes[3:]],
                          "name_local": [f"Synthetic {c}" for c in codes[3:]], "language": "en", "script": "Latn"})
    pd.concat([base, extra]).to_csv(ref / "countries.csv", index=False)
    population = {c: int(rng.uniform(0.5e6, 20e6)) for c in codes}
    pd.DataFrame([{"iso3": c, "year": int(y), "population": int(population[c] * (1 + 0.002 * (y - FIRST))),
                   "source": "synthetic benchmark values"} for c in codes for y in years]
                 ).to_csv(ref / "population.csv", index=False)
    # indicators: the repository's, plus breakdown indicators until the row count is reached
    indicators = pd.read_csv(REFERENCE / "indicators.csv", dtype=str, keep_default_na=False)

    def cells(frame):
        n = 0
        for _, r in frame.iterrows():
            n += max(len([s for s in r["submarkets"].split("|") if s]), 1) * \
                max(len([s for s in r["categories"].split("|") if s]), 1)
        return n

    per_cell = max(rows // (countries * len(years)), 1)
    areas = ["drugs", "migrant_smuggling", "thb", "property", "economic", "cyber"]
    k = 0
    while cells(indicators) < per_cell:
        k += 1
        cats = "|".join(f"c{j:02d}" for j in range(1, 11))
        indicators.loc[len(indicators)] = [f"bench_{k:02d}", areas[k % len(areas)], f"Benchmark breakdown {k}",
                                           f"cases_{k:02d}", "count", "", cats, "false"]
    indicators.to_csv(ref / "indicators.csv", index=False)
    # statistics: one row per country × year × indicator × sub-series
    parts = []
    for _, ind in indicators.iterrows():
        subs = [s for s in ind["submarkets"].split("|") if s] or [""]
        cats = [s for s in ind["categories"].split("|") if s] or [""]
        grid = pd.MultiIndex.from_product([codes, years, subs, cats],
                                          names=["country", "year", "submarket", "category"]).to_frame(index=False)
        n_series = len(codes) * len(subs) * len(cats)
        rate = np.repeat(rng.lognormal(np.log(20), 1.0, n_series), len(years))  # per 100,000, per series
        growth = np.repeat(rng.normal(0, 0.03, n_series), len(years))
        # grid order is country, year, sub, cat: reorder the per-series draws to match
        series_id = (grid.groupby(["country", "submarket", "category"], sort=False).ngroup()).to_numpy()
        order = np.argsort(np.argsort(series_id, kind="stable"), kind="stable")
        rate, growth = rate[order], growth[order]
        pop = grid["country"].map(population).to_numpy(float)
        mean = rate * pop / 1e5 * np.exp(growth * (grid["year"].to_numpy() - FIRST)) * rng.lognormal(0, 0.1, len(grid))
        if ind["kind"] == "count":
            values = rng.poisson(np.minimum(mean, pop / 10)).astype(str)
        else:
            values = np.char.mod("%.1f", np.round(mean, 1))
        grid.insert(2, "indicator", ind["indicator_id"])
        grid["value"] = values
        grid["unit"] = ind["unit"]
        grid["source"] = "Synthetic benchmark statistics, ministry of interior"
        grid["grade"] = rng.choice(["A1", "A2", "B1", "B2", "B3", "C2"], len(grid))
        grid["handling_code"] = rng.choice(["H0", "H1"], len(grid))
        parts.append(grid)
    stats = pd.concat(parts, ignore_index=True)
    stats = stats[["country", "year", "indicator", "submarket", "category", "value", "unit", "source", "grade",
                   "handling_code"]]
    if duplicates:
        stats = pd.concat([stats, stats], ignore_index=True)
    stats.to_csv(folder / "statistics.csv", index=False)
    for name in ("ocg_register.csv", "ocg_answers.csv", "expert_assessments.csv"):
        shutil.copy2(DEMO / name, folder / name)
    (folder / "dataset.yaml").write_text(
        "name: Synthetic benchmark dataset (200,000 rows)\nsynthetic: true\n"
        "description: invented figures for timing validation and processing at national scale\n"
        f"period: [{FIRST}, {LAST}]\n", encoding="utf-8")
    return folder


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--countries", type=int, default=50)
    parser.add_argument("--keep", type=Path, default=None, help="build the data folder here and keep it")
    parser.add_argument("--profile", action="store_true", help="print the cProfile of validation and processing")
    parser.add_argument("--duplicates", action="store_true", help="write every row twice (a file full of problems)")
    args = parser.parse_args(argv)

    from socta.cli import _console, cmd_validate
    from socta.core.config import Project

    tmp = Path(tempfile.mkdtemp(prefix="socta-large-"))
    folder = args.keep or tmp / "data"
    try:
        start = time.perf_counter()
        build(folder, args.rows, args.countries, duplicates=args.duplicates)
        n = sum(1 for _ in open(folder / "statistics.csv", encoding="utf-8")) - 1
        print(f"built {n:,} statistics rows, {args.countries} countries in {time.perf_counter() - start:.1f} s: {folder}")
        project = Project(data_dir=folder, build_dir=tmp / "build")
        console = _console()
        output = io.StringIO()
        from rich.console import Console

        quiet_console = Console(file=output, width=120, highlight=False, soft_wrap=True)
        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        timings: dict[str, float] = {}
        import inspect

        if "timings" in inspect.signature(cmd_validate).parameters:
            status = cmd_validate(project, quiet_console, timings=timings)
        else:  # an older socta: the total only
            status = cmd_validate(project, quiet_console)
        if profiler:
            profiler.disable()
        total = time.perf_counter() - start
        lines = output.getvalue().splitlines()
        console.print(f"socta validate: exit {status}, {len(lines)} lines of output", markup=False)
        for line in lines[:12]:
            console.print("  | " + line, markup=False)
        if len(lines) > 12:
            console.print(f"  | … ({len(lines) - 12} more lines)", markup=False)
        for step, seconds in timings.items():
            print(f"  {step:<12} {seconds:8.1f} s")
        print(f"  {'total':<12} {total:8.1f} s")
        print(f"  peak memory  {peak_mb():8.0f} MB (resource.getrusage ru_maxrss)")
        if profiler:
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(40)
            print(stream.getvalue())
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
