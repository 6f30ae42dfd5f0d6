"""Benchmark of the notebook runner (issue: a runner analysts can trust). Run with `make bench`.

Measures, side by side in one run on the demonstration grid:
  (a) a naive serial loop of `papermill` CLI calls plus `jupyter-book build`, as a user would write it;
  (b) `socta run` + `socta build` cold (empty build folder);
  (c) the same again with nothing changed;
  (d) the same after changing one country's data file;
and the scaling with 3, 6 and 12 synthetic countries: wall time and peak memory (the sum of the
resident memory of the whole process tree, sampled every 0.2 s) against the number of notebooks.
Results go to bench/results/<timestamp>.json and a table on stdout.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
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

    from socta.config import Project
    from socta.processing import write_processed
    from socta.runner import grid, prepare
    from socta.validation import validate

    project = Project(data_dir=data, build_dir=work / "prep")
    dirs = write_processed(project, validate(project))
    jobs = grid(project, "public", "en", dirs["public"])
    templates = work / "templates"
    book = work / "book"
    shutil.copytree(REPO / "book", book)
    shutil.copy2(REPO / "_toc.yml", book / "_toc.yml")
    from socta.build import edition_config
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
    script += f" && '{BIN / 'jupyter-book'}' build '{book}' --path-output '{work / 'out'}' -W -n --keep-going -q"
    seconds, peak, _ = timed(["bash", "-c", script])
    return seconds, peak, len(jobs)


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


def executed_count(output: str) -> int:
    """Notebooks actually executed, from the runner's summary line ("N executed, M up to date, F failed")."""
    import re

    match = re.search(r"(\d+) executed, \d+ up to date, (\d+) failed", output)
    return int(match.group(1)) + int(match.group(2)) if match else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--scaling", default="3,6,12", help="numbers of synthetic countries ('' to skip)")
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    results: dict = {"jobs": args.jobs, "cpus": os.cpu_count(), "steps": {}}
    with tempfile.TemporaryDirectory(prefix="socta-bench-") as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        shutil.copytree(REPO / "data" / "demo", data)
        if not args.skip_naive:
            seconds, peak, n = naive(data, tmp / "naive")
            results["steps"]["naive serial papermill CLI + jupyter-book"] = {"seconds": seconds, "peak_mb": peak / 2**20, "notebooks": n}
        build = tmp / "build"
        for label, action in (("socta cold", None), ("socta again, nothing changed", None),
                              ("socta after one country's data changed", "MNE")):
            if action:
                change_one_country(data, action)
            seconds, peak, out = socta_cycle(data, build, args.jobs)
            results["steps"][label] = {"seconds": seconds, "peak_mb": peak / 2**20, "executed": executed_count(out)}
        scaling = [int(n) for n in args.scaling.split(",") if n]
        for n in scaling:
            folder = synthetic_countries(n, tmp / f"scale-{n}")
            seconds, peak, out = timed([*SOCTA, "run", "--data", str(folder), "--build-dir", str(tmp / f"scale-build-{n}"),
                                        "--jobs", str(args.jobs)])
            results.setdefault("scaling", []).append({"countries": n, "notebooks": executed_count(out), "seconds": seconds,
                                                      "peak_mb": peak / 2**20})
    steps = results["steps"]
    print(f"\n{'step':45} {'seconds':>8} {'peak MB':>8} {'notebooks':>9}")
    for label, r in steps.items():
        print(f"{label:45} {r['seconds']:8.1f} {r['peak_mb']:8.0f} {r.get('notebooks', r.get('executed', '')):>9}")
    cold = steps["socta cold"]["seconds"]
    if "naive serial papermill CLI + jupyter-book" in steps:
        ratio = steps["naive serial papermill CLI + jupyter-book"]["seconds"] / cold
        print(f"\ncold socta vs naive loop: {ratio:.2f}x faster (target >= 1.8x)")
        results["ratio_naive_over_cold"] = ratio
    again = steps["socta again, nothing changed"]["seconds"] / cold
    one = steps["socta after one country's data changed"]["seconds"] / cold
    print(f"nothing changed: {100 * again:.1f}% of cold (target < 5%)")
    print(f"one country changed: {100 * one:.1f}% of cold (target < 45%)")
    results.update({"again_share_of_cold": again, "one_country_share_of_cold": one})
    for row in results.get("scaling", []):
        print(f"scaling: {row['countries']:>2} countries, {row['notebooks']:>3} notebooks: {row['seconds']:6.1f} s, "
              f"{row['seconds'] / max(row['notebooks'], 1):.2f} s/notebook, peak {row['peak_mb']:.0f} MB")
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
