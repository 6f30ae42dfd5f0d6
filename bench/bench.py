"""Benchmark of the runner and the builds. Run with `make bench`.

Measures, side by side in one run on the demonstration grid (33 notebooks):
  (a) a naive serial loop of `papermill` CLI calls, then `jupyter-book build`, as a user would write them
      (each timed: the grid ratio compares the loop with socta's own grid time);
  (b) `socta report --formats html` cold with a fresh kernel per notebook (SOCTA_FRESH_KERNELS=1);
  (c) the same cold on warm kernels (the default);
  (d) the same again with nothing changed;
  (e) the same after changing one country's data file;
  (f) the PDF alone (`socta build --formats pdf` from the executed notebooks), time and size;
  (g) the restricted and training editions after the public one, and the public edition in the four
      other languages (sr, sr-Latn, mk, cnr; HTML) after the English one (all editions against one);
  (h) `socta validate` (validation and processing) of 200,000 statistics rows for 50 countries;
and the scaling with 3, 6 and 12 synthetic countries: wall time and peak memory (the sum of the
resident memory of the whole process tree, sampled every 0.2 s) against the number of notebooks.
Results go to bench/results/<timestamp>.json and tables on stdout, with each goal met or not.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SOCTA = [sys.executable, "-m", "socta"]


class PeakMemory:
    """Peak of the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                break
            time.sleep(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(cmd: list[str], **kw) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    mem = PeakMemory(proc.pid)
    out, _ = proc.communicate()
    peak = mem.stop()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(map(str, cmd))}\n{out[-3000:]}")
    return time.perf_counter() - start, peak, out


def socta_cycle(data: Path, build: Path, jobs: int) -> tuple[float, int, str]:
    """`socta report --formats html`: validate, execute what changed, build the HTML book."""
    return timed([*SOCTA, "report", "--data", str(data), "--build-dir", str(build), "--jobs", str(jobs),
                  "--formats", "html"])


def naive(data: Path, work: Path) -> tuple[float, int, int]:
    """Serial papermill CLI calls, then one jupyter-book build, in a folder the way a user would lay it out."""
    sys.path.insert(0, str(REPO))
    import nbformat

    from socta.core.config import Project
    from socta.ingest.validation import validate
    from socta.process.tables import write_processed
    from socta.run.execute import prepare
    from socta.run.jobs import grid

    project = Project(data_dir=data, build_dir=work / "prep")
    dirs = write_processed(project, validate(project))
    jobs = grid(project, "public", "en", dirs["public"])
    templates = work / "templates"
    book = work / "book"
    shutil.copytree(REPO / "book", book)
    from socta.book.stage import edition_config, edition_toc
    from socta.narrative.place import Placed, write_chapters

    # the analysts' chapters as the book shows them (live values filled in), written before the clock starts,
    # as a user would keep them: the naive loop runs the pages and builds the book, as socta report does
    write_chapters(project, "public", "en", book, Placed())
    (book / "_toc.yml").write_text(edition_toc(project), encoding="utf-8")  # the {area} pattern expanded
    import yaml

    (book / "_config.yml").write_text(yaml.safe_dump(edition_config(project, "public", "en")), encoding="utf-8")
    commands = []
    for job in jobs:  # the templates prepared once, as a user would keep .ipynb files
        template = templates / f"{job.output.replace('/', '__')}.ipynb"
        template.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(prepare(job), template)
        out = book / f"{job.output}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        params = sum((["-p", k, str(v)] for k, v in job.parameters.items()), [])
        commands.append([str(BIN / "papermill"), str(template), str(out), "-k", "python3", "--no-progress-bar",
                         "--log-level", "ERROR", "--cwd", str(out.parent), *params])
    script = " && ".join(" ".join(f"'{c}'" for c in cmd) for cmd in commands)
    grid_seconds, peak, _ = timed(["bash", "-c", script])
    book_seconds, book_peak, _ = timed([str(BIN / "jupyter-book"), "build", str(book), "--path-output", str(work / "out"),
                                        "-W", "-n", "--keep-going", "-q"])
    return grid_seconds, book_seconds, max(peak, book_peak), len(jobs)


def synthetic_countries(n: int, target: Path) -> Path:
    """A data folder with ``n`` synthetic countries (reference override + generated data)."""
    ref = target / "reference"
    ref.mkdir(parents=True)
    rows = [{"iso3": f"X{i:02d}"[:3] if i < 10 else f"Y{i:02d}"[:3], "slug": f"country-{i:02d}",
             "name_en": f"Country {i:02d}", "name_local": f"Country {i:02d}", "language": "en", "script": "Latn"}
            for i in range(1, n + 1)]
    for i, r in enumerate(rows, start=1):
        r["iso3"] = "Q" + chr(ord("A") + (i - 1) // 26) + chr(ord("A") + (i - 1) % 26)
    with open(ref / "countries.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(ref / "population.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["iso3", "year", "population", "source"])
        for r in rows:
            for year in range(2014, 2025):
                w.writerow([r["iso3"], year, 2_000_000, "synthetic benchmark country"])
    subprocess.run([sys.executable, str(REPO / "data/demo/generate.py"), "--out", str(target)], check=True,
                   capture_output=True)
    return target


def change_one_country(data: Path, iso3: str) -> None:
    path = data / "statistics.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if cells[header.index("country")] == iso3 and cells[header.index("indicator")] == "thefts":
            cells[header.index("value")] = str(int(float(cells[header.index("value")])) + 1)
            lines[i] = ",".join(cells)
            break
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def grid_seconds(output: str) -> float:
    """The notebook grid's own time, from the runner's summary line ("… 0 failed in 33 s.")."""
    import re

    match = re.search(r"\d+ failed in ([\d.]+) s", output)
    return float(match.group(1)) if match else float("nan")


def executed_count(output: str) -> int:
    """Notebooks actually executed, from the runner's summary line ("N executed, M up to date, F failed")."""
    import re

    matches = re.findall(r"(\d+) executed, \d+ up to date, (\d+) failed", output)  # one line per language
    return sum(int(done) + int(failed) for done, failed in matches) if matches else -1


def socta_step(args: list[str], env: dict | None = None) -> tuple[float, int, str]:
    return timed([*SOCTA, *args], env={**os.environ, **(env or {})})


def machine() -> str:
    import platform

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, " \
           f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"


def backtests() -> None:
    """(i) The calibration's costs: the backtest of the demo and of the open data (every series forecast again
    from each earlier year), and a simulation of 2,000 series (fitting the map takes two of 6,000)."""
    rows = []
    for label, argv in (("socta backtest, demo", ["--data", str(REPO / "data" / "demo")]),
                        ("socta backtest, open data", ["--data", str(REPO / "data" / "open")]),
                        ("socta backtest --simulate 2000", ["--no-data", "--simulate", "2000"])):
        seconds, peak, out = socta_step(["backtest", *argv])
        forecasts = re.findall(r"(\d+) forecasts, ", out)
        rows.append((label, seconds, peak / 2**20, forecasts[-1] if forecasts else "?"))
    print(f"\n{'step':40} {'seconds':>8} {'peak MB':>8} {'forecasts':>9}")
    for label, seconds, peak, n in rows:
        print(f"{label:40} {seconds:8.1f} {peak:8.0f} {n:>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--scaling", default="3,6,12", help="numbers of synthetic countries ('' to skip)")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--pairs", type=int, default=3, help="interleaved naive/socta cold pairs (the median ratio is reported)")
    parser.add_argument("--skip-large", action="store_true", help="skip the 200,000-row input")
    parser.add_argument("--backtest-only", action="store_true", help="time only `socta backtest` (demo, open data, "
                        "a simulation of 2,000 series)")
    args = parser.parse_args()
    if args.backtest_only:
        return backtests()
    results: dict = {"jobs": args.jobs, "cpus": os.cpu_count(), "machine": machine(), "steps": {}}
    steps = results["steps"]
    jobs = ["--jobs", str(args.jobs)]
    with tempfile.TemporaryDirectory(prefix="socta-bench-") as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        shutil.copytree(REPO / "data" / "demo", data)
        # (a) and (c) as interleaved pairs: a single run on a shared machine has ranged from 3.5x to 6x, so each
        # pair runs the naive loop and socta's cold grid back to back and the ratio reported is the median
        build = tmp / "build"
        pairs = []
        for i in range(args.pairs):
            if not args.skip_naive:
                grid_s, book_s, peak, n = naive(data, tmp / f"naive-{i}")
                steps[f"naive serial papermill CLI + jupyter-book (pair {i + 1})"] = {
                    "seconds": grid_s + book_s, "peak_mb": peak / 2**20, "notebooks": n, "grid_seconds": grid_s}
            shutil.rmtree(build, ignore_errors=True)
            seconds, peak, out = socta_cycle(data, build, args.jobs)
            steps[f"socta cold (pair {i + 1})"] = {"seconds": seconds, "peak_mb": peak / 2**20,
                                                   "executed": executed_count(out), "grid_seconds": grid_seconds(out)}
            if not args.skip_naive:
                pairs.append((grid_s, grid_seconds(out), grid_s + book_s, seconds))
        steps["socta cold"] = steps[f"socta cold (pair {args.pairs})"]
        results["pairs"] = [{"naive_grid": a, "socta_grid": b, "naive_total": c, "socta_total": d} for a, b, c, d in pairs]
        # one new kernel per notebook, as before the warm kernels: what they save
        seconds, peak, out = socta_step(["report", "--data", str(data), "--build-dir", str(tmp / "fresh"), *jobs,
                                         "--formats", "html"], env={"SOCTA_FRESH_KERNELS": "1"})
        steps["socta cold, a fresh kernel per notebook"] = {"seconds": seconds, "peak_mb": peak / 2**20,
                                                            "executed": executed_count(out),
                                                            "grid_seconds": grid_seconds(out)}
        for label, action in (("socta again, nothing changed", None), ("socta after one country's data changed", "MNE")):
            if action:
                change_one_country(data, action)
            seconds, peak, out = socta_cycle(data, build, args.jobs)
            steps[label] = {"seconds": seconds, "peak_mb": peak / 2**20, "executed": executed_count(out),
                            "grid_seconds": grid_seconds(out)}
        # the PDF after the HTML: an HTML-only run drew no vector figure, so the pages run again drawing both;
        # the LaTeX build's own time is the "PDF built in N s" socta prints
        seconds, peak, out = socta_step(["report", "--data", str(data), "--build-dir", str(build), *jobs,
                                         "--formats", "pdf"])
        pdf = build / "public-en" / "pdf" / "assessment.pdf"
        latex = re.search(r"PDF built\[?/?\w*\]? in (\d+) s", out)
        steps["PDF (socta report --formats pdf after the HTML)"] = {
            "seconds": seconds, "peak_mb": peak / 2**20, "size_mb": pdf.stat().st_size / 2**20,
            "executed": executed_count(out), "latex_seconds": float(latex.group(1)) if latex else float("nan")}
        # every audience of the same data: the processed tables are computed once and shared
        editions = steps["socta cold"]["seconds"]
        for audience in ("restricted", "training"):
            seconds, peak, out = socta_step(["report", "--data", str(data), "--build-dir", str(build), *jobs,
                                             "--audience", audience, "--formats", "html"])
            steps[f"socta cold, {audience} edition after the public one"] = {
                "seconds": seconds, "peak_mb": peak / 2**20, "executed": executed_count(out)}
            editions += seconds
        # the other languages: the same processed data; each language runs its own pages
        seconds, peak, out = socta_step(["report", "--data", str(data), "--build-dir", str(build), *jobs,
                                         "--lang", "sr,sr-Latn,mk,cnr", "--formats", "html"])
        steps["socta cold, sr, sr-Latn, mk and cnr after English"] = {
            "seconds": seconds, "peak_mb": peak / 2**20, "executed": executed_count(out)}
        languages = seconds
        editions += seconds
        results["all_editions_seconds"] = editions
        if not args.skip_large:
            sys.path.insert(0, str(REPO / "bench"))
            from large_input import build as build_large

            large = build_large(tmp / "large")
            seconds, peak, out = socta_step(["validate", "--data", str(large), "--build-dir", str(tmp / "large-build")])
            steps["validate + process 200,000 rows, 50 countries"] = {"seconds": seconds, "peak_mb": peak / 2**20}
        scaling = [int(n) for n in args.scaling.split(",") if n]
        for n in scaling:
            folder = synthetic_countries(n, tmp / f"scale-{n}")
            seconds, peak, out = timed([*SOCTA, "run", "--data", str(folder), "--build-dir", str(tmp / f"scale-build-{n}"),
                                        *jobs])
            results.setdefault("scaling", []).append({"countries": n, "notebooks": executed_count(out), "seconds": seconds,
                                                      "peak_mb": peak / 2**20})
    print(f"\nMachine: {results['machine']}; --jobs {args.jobs}")
    print(f"\n{'step':55} {'seconds':>8} {'grid s':>7} {'peak MB':>8} {'notebooks':>9}")
    for label, r in steps.items():
        grid = f"{r['grid_seconds']:7.1f}" if "grid_seconds" in r else " " * 7
        print(f"{label:55} {r['seconds']:8.1f} {grid} {r['peak_mb']:8.0f} {r.get('notebooks', r.get('executed', '')):>9}")
    cold = steps["socta cold"]["seconds"]
    ratios = []
    if pairs:
        grid_ratios = sorted(a / b for a, b, _, _ in pairs)
        median = statistics.median(grid_ratios)
        ratios.append(("cold demo grid: socta run vs the naive papermill loop",
                       f"median {median:.2f}x of {', '.join(f'{r:.2f}' for r in grid_ratios)}", ">= 6x", median >= 6))
        end_to_end = statistics.median(c / d for _, _, c, d in pairs)
        ratios.append(("end to end: socta report (validate, run, HTML) vs loop + book", f"median {end_to_end:.2f}x",
                       "", None))
        fresh = steps["socta cold, a fresh kernel per notebook"]["grid_seconds"]
        naive_grid = statistics.median(a for a, _, _, _ in pairs)
        ratios.append(("cold demo grid with a fresh kernel per notebook", f"{naive_grid / fresh:.2f}x faster", "", None))
    again = steps["socta again, nothing changed"]["seconds"] / cold
    one = steps["socta after one country's data changed"]["seconds"] / cold
    ratios.append(("nothing changed", f"{100 * again:.1f}% of cold", "< 5%", again < 0.05))
    ratios.append(("one country changed", f"{100 * one:.1f}% of cold", "< 45%", one < 0.45))
    pdf = steps["PDF (socta report --formats pdf after the HTML)"]
    ratios.append(("the PDF (LaTeX build)", f"{pdf['latex_seconds']:.0f} s, {pdf['size_mb']:.1f} MB", "<= 20 s, < 7.5 MB",
                   pdf["latex_seconds"] <= 20 and pdf["size_mb"] < 7.5))
    key = "validate + process 200,000 rows, 50 countries"
    if key in steps:
        ratios.append(("200,000 rows", f"{steps[key]['seconds']:.1f} s, peak {steps[key]['peak_mb']:.0f} MB", "<= 20 s",
                       steps[key]["seconds"] <= 20))
    ratios.append(("four more languages (HTML) vs the English edition",
                   f"{languages:.1f} s = {languages / cold:.2f}x (4 books)", "", None))
    ratios.append(("7 editions (public in 5 languages, restricted, training) vs one",
                   f"{editions:.1f} s = {editions / cold:.2f}x the public one", "<= 3.5x", editions / cold <= 3.5))
    print()
    for label, value, goal, met in ratios:
        print(f"{label:55} {value:32} {goal:18} {'' if met is None else 'met' if met else 'NOT MET'}")
    results["ratios"] = [{"what": r[0], "value": r[1], "goal": r[2], "met": r[3]} for r in ratios]
    for row in results.get("scaling", []):
        print(f"scaling: {row['countries']:>2} countries, {row['notebooks']:>3} notebooks: {row['seconds']:6.1f} s, "
              f"{row['seconds'] / max(row['notebooks'], 1):.2f} s/notebook, peak {row['peak_mb']:.0f} MB")
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
