"""Benchmark of `socta preview`: the time from saving a narrative file to the updated page on the server.

A copy of the demonstration data is reported once (HTML), then `socta.book.preview.serve` runs as
`socta preview` does; each trial appends a sentence to the regional migrant-smuggling narrative and
polls the page over HTTP until the sentence is there. The goal (issue 22) is 5 s for one page on this
machine. Run with `python bench/preview.py [--trials 5]`; the result goes to stdout and
bench/results/preview-<timestamp>.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 5.0
PAGE = "areas/migrant_smuggling/index"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    from socta.book import preview
    from socta.core.config import Project

    work = Path(tempfile.mkdtemp(prefix="socta-preview-bench-"))
    try:
        data = work / "data"
        shutil.copytree(REPO / "data" / "demo", data)
        build = work / "build"
        subprocess.run([sys.executable, "-m", "socta", "report", "--data", str(data), "--build-dir", str(build),
                        "--formats", "html", "--quiet"], check=True)
        project = Project(data_dir=data, build_dir=build)
        said, stop = [], threading.Event()
        server = threading.Thread(target=preview.serve, args=(project, "public", "en", 0, said.append, 0.3, stop))
        server.start()
        while not said:
            time.sleep(0.05)
        address = said[0].split(" on ")[1].split(" ;")[0] + PAGE + ".html"
        narrative = data / "narrative" / "en" / f"{PAGE}.md"
        times = []
        for trial in range(args.trials):
            marker = f"Benchmark sentence number {trial} of the preview."
            start = time.perf_counter()
            narrative.write_text(narrative.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
            while marker not in urllib.request.urlopen(address).read().decode("utf-8"):
                time.sleep(0.05)
            times.append(time.perf_counter() - start)
            time.sleep(1)  # the next save is a new edit, not part of this one
        stop.set()
        server.join(30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = statistics.median(times)
    rebuilds = [float(line.split()[2]) for line in said if line.startswith("rebuilt in")]
    result = {"trials": [round(t, 2) for t in times], "median_s": round(median, 2), "goal_s": GOAL_SECONDS,
              "met": median <= GOAL_SECONDS, "rebuild_s": rebuilds}
    print(f"of which the rebuild itself: {', '.join(f'{t:.1f}' for t in rebuilds)} s")
    print(f"save → updated page: {', '.join(f'{t:.1f}' for t in times)} s; median {median:.1f} s "
          f"(goal {GOAL_SECONDS:.0f} s: {'met' if result['met'] else 'NOT MET'})")
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"preview-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
