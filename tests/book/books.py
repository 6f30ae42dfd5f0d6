"""The books the book tier builds, each once per session, in the background from the session's start.

- ``edition``: the public edition of the default demo (data/demo, on the EU-SOCTA 2025 method profile), HTML
  and PDF, with canaries in its restricted fields (tests/canaries.py), as `make report` builds it; its executed
  pages are also the warm-kernel run the runner's warm-versus-fresh comparison checks (tests/book/test_runner.py);
- ``restricted``: the same data, restricted edition, HTML, as `make report AUDIENCE=restricted` builds it;
- ``open_book``: the open-data edition (real public statistics only), HTML and PDF;
- ``holes``: the demo on the 2016 regional method (data/demo-2016) with whole years, a country's years,
  categories and indicators removed, HTML: the whole book of the 2016 method;
- ``language_editions``: the default demo, cut to three crime areas, in sr, sr-Latn, mk and cnr, HTML, and the
  two Cyrillic PDFs;
- ``hostile``: the 2016 demo with every payload in every text field (tests/payloads.py), public and restricted,
  HTML and PDF, two crime areas;
- ``training_book``: the training edition, HTML.

Each is built by the real command line (`socta report`) in its own temporary build folder. The books
differ in their data, audience or language, so none can stand in for another.

Why in the background: a book is mostly one process at a time (Sphinx, LaTeX) between its two page
workers, so one build at a time left a core idle. :class:`Builds` starts, when the session starts, the
books its selected tests read (none for `make test-fast`), in the order of :data:`BOOKS`, two at a time, while the
tests that need no book (the unit tier, the runner's) run; a test that reads a book waits for it. The
data of each book are written first, in the session's own thread; only the `socta report` runs are
in the background, each with its own environment.
"""
from __future__ import annotations

import csv
import os
import random
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from socta.core.config import Project
from socta.i18n import translate as i18n
from socta.ingest.reference import Reference

from ..canaries import plant as plant_canaries
from ..conftest import copy_demo
from ..helpers import DEMO_2016, REPO, socta
from ..payloads import keep_areas
from ..payloads import plant as plant_payloads

OPEN = REPO / "data" / "open"
# the holes are punched at random from this seed, the same every run; set SOCTA_HOLES_SEED to try others
HOLES_SEED = int(os.environ.get("SOCTA_HOLES_SEED", "2026"))
# the four languages besides English, and the two Cyrillic PDFs, each with its own LaTeX language setting;
# the Latin one (babel serbian, sr-Latn and cnr) is built by `make editions` and its setting checked in
# tests/unit/test_languages.py::test_edition_config_per_language
LANGUAGES = [lang for lang in i18n.languages() if lang != "en"]
PDF_LANGUAGES = ["sr", "mk"]
# the crime areas of the language editions: one with sub-markets, one with the document-fraud factor, one of
# the 2025 method's; the narrative's live values are all of these three
LANGUAGE_AREAS = ("drugs", "migrant_smuggling", "firearms")
DEMO = REPO / "data" / "demo"
# books run at the same time: each runs its pages on two processes, and between those a book is mostly
# one process (Sphinx, LaTeX), so two books keep both cores of a two-core machine busy
AT_ONCE = 2


def report(data: Path | None, build_dir: Path, *args: str, env: dict | None = None, timeout: int = 1800) -> Path:
    """`socta report` of one dataset (None: the default, data/demo) into ``build_dir``, which must succeed."""
    result = socta("report", *(["--data", data] if data else []), "--build-dir", build_dir, "--jobs", "2", *args,
                   env=env, timeout=timeout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]
    return build_dir


def punch_holes(target: Path, seed: int) -> dict:
    """A copy of the demo data with whole years, a country's years, categories and indicators removed."""
    data = copy_demo(target)
    rng = random.Random(seed)
    path = data / "statistics.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    ref = Reference(Project(data_dir=DEMO_2016))
    plain = [i for i, spec in ref.indicators.iterrows() if not spec["submarket_list"] and not spec["category_list"]]
    gone_indicator = rng.choice(sorted(ref.indicators.index))
    gone_year = rng.choice(range(2016, 2021))
    lagging = rng.choice(["SRB", "MNE", "MKD"])                      # stops reporting after 2022
    flagged_country = rng.choice([c for c in ("SRB", "MNE", "MKD") if c != lagging])
    flagged = rng.choice([i for i in plain if i != gone_indicator and ref.indicators.at[i, "kind"] == "count"])
    cell = (rng.choice(["SRB", "MNE", "MKD"]), rng.choice([i for i in plain if i not in (gone_indicator, flagged)]),
            str(rng.choice(range(2020, 2025))))
    category_gone = ("thb_victims_form", "begging")
    header += ["status", "months"]
    body = [r + ["", ""] for r in body]
    # published flags: a value below 5, a break in series, a provisional last year, a part-year figure
    flags = {"2021": ("<5", ""), "2022": (None, "B"), "2023": (None, "E")}
    keep = []
    for r in body:
        if r[0] == flagged_country and r[2] == flagged and r[1] in flags:
            value, status = flags[r[1]]
            r[5] = value or r[5]
            r[10] = status
        if r[0] == flagged_country and r[2] == flagged and r[1] == "2024":
            r[11] = "6"   # January-June only
        country, year, indicator, category = r[0], r[1], r[2], r[4]
        if indicator == gone_indicator or year == str(gone_year) or (country == lagging and int(year) > 2022):
            continue
        if (indicator, category) == category_gone and int(year) % 2 == 0:
            continue
        if (country, indicator, year) == cell:
            continue
        keep.append(r)
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *keep])
    # one crime area without any expert assessment in one country
    experts = pd.read_csv(data / "expert_assessments.csv", dtype=str, keep_default_na=False)
    area = rng.choice(list(ref.top_areas.index))
    experts = experts[~((experts["country"] == "MNE") & (experts["area"] == area))]
    experts.to_csv(data / "expert_assessments.csv", index=False)
    return {"data": data, "gone_indicator": gone_indicator, "gone_year": gone_year, "lagging": lagging,
            "cell": cell, "no_experts": ("MNE", area), "flagged": (flagged_country, flagged)}


# ---- each book: its data, written now, and its build, a function run in the background ----------------------
def edition(root: Path):
    """The public edition's build folder (``<build>/public-en``; the data are ``<build>/../data``)."""
    data = plant_canaries(root / "data")
    return lambda: report(data, root / "build", "--formats", "html,pdf")


def restricted(root: Path):
    """The restricted edition's build folder (``<build>/restricted-en``) of the edition's data."""
    data = plant_canaries(root / "data")
    return lambda: report(data, root / "build", "--audience", "restricted", "--formats", "html")


def open_book(root: Path):
    return lambda: report(OPEN, root / "build", "--formats", "html,pdf")


def holes(root: Path):
    info = punch_holes(root / "data", HOLES_SEED)
    info.update(seed=HOLES_SEED, build=root / "build", html=root / "build" / "public-en" / "html")
    return lambda: (report(info["data"], info["build"], "--formats", "html"), info)[1]


def language_editions(root: Path):
    """The public book of the default demo, cut to three crime areas (LANGUAGE_AREAS), in sr, sr-Latn, mk and
    cnr: HTML for each (warnings are errors), the PDF for each Cyrillic language. Three areas give every kind
    of page (sub-markets, the document-fraud factor, an area of the 2025 method) in a third of the time of
    ten; every message of the catalogues, the other areas' names among them, is checked translated by
    tests/unit/test_languages.py. The data are processed once (the second report reuses them); each language
    runs its own pages, drawn for the formats it is built in. Every string that reaches t() without a
    translation is written to ``untranslated.txt``."""
    env = {**os.environ, "SOCTA_I18N_MISSING": str(root / "untranslated.txt")}
    data = shutil.copytree(DEMO, root / "data")
    (data / "reference").mkdir()
    for name in ("crime_areas.csv", "indicators.csv"):   # the method profile's, to be narrowed
        shutil.copy2(Project(data_dir=DEMO).reference_path(name), data / "reference" / name)
    keep_areas(data, LANGUAGE_AREAS)

    def build():
        # the English edition is built and tested on its own (``edition``); its pages are the language
        # menu's one target not built here. A page drawn for the HTML only is out of date for a PDF, so
        # the PDF languages are reported in both formats at once
        report(data, root, "--lang", ",".join(PDF_LANGUAGES), "--formats", "html,pdf", "--quiet", env=env)
        report(data, root, "--lang", ",".join(lang for lang in LANGUAGES if lang not in PDF_LANGUAGES),
               "--formats", "html", "--quiet", env=env)
        return root
    return build


def hostile(root: Path):
    """The demo with every payload in every text field, built public and restricted (HTML and PDF); two crime
    areas (one with sub-markets, one with the document-fraud factor) keep it quick."""
    data, secret, marker = plant_payloads(root / "data", root / "secret", areas=("drugs", "migrant_smuggling"))
    build = root / "build"

    def run():
        for audience, formats in (("public", "html,pdf"), ("restricted", "html,pdf")):
            report(data, build, "--audience", audience, "--formats", formats)
        return {"build": build, "secret": secret, "marker": marker}
    return run


def training_book(root: Path):
    build = root / "build"
    return lambda: (report(None, build, "--audience", "training", "--formats", "html", timeout=900),
                    build / "training-en")[1]


# the books in the order they are started, two at a time: the public edition first, since the tier's longest
# test (warm against fresh kernels, tests/book/test_runner.py) runs its grid again once it is there; then the
# longest builds first. The book tier's tests run in this order too, those that read no book first
# (tests/conftest.py, ``pytest_collection_modifyitems``).
BOOKS = (edition, language_editions, hostile, open_book, holes, restricted, training_book)
BY_NAME = {book.__name__: book for book in BOOKS}
ORDER = list(BY_NAME)


class Builds:
    """The session's books, each built once, in the background, at most :data:`AT_ONCE` at a time."""

    def __init__(self):
        self.pool: ThreadPoolExecutor | None = None
        self.futures: dict[str, Future] = {}
        self.clock = time.perf_counter()
        self.spans: dict[str, tuple[float, float]] = {}   # book -> (started, ended), seconds into the session

    def _timed(self, name: str, build):
        def run():
            start = time.perf_counter() - self.clock
            try:
                return build()
            finally:
                self.spans[name] = (start, time.perf_counter() - self.clock)
        return run

    def timeline(self) -> list[str]:
        """When each book was built, for the session's summary: where the suite's time goes."""
        return [f"{name:<18} {start:6.0f} s → {end:6.0f} s ({end - start:4.0f} s)"
                for name, (start, end) in sorted(self.spans.items(), key=lambda item: item[1])]

    def start(self, names: set[str], tmp_path_factory) -> None:
        """Start building the books ``names`` (fixture names; others are ignored), in the order of :data:`BOOKS`."""
        books = sorted((BY_NAME[n] for n in names if n in BY_NAME), key=lambda book: ORDER.index(book.__name__))
        if books and self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=AT_ONCE, thread_name_prefix="book")
        for book in books:
            if book.__name__ not in self.futures:
                build = book(tmp_path_factory.mktemp(book.__name__))  # the data, here and now
                self.futures[book.__name__] = self.pool.submit(self._timed(book.__name__, build))

    def result(self, name: str, tmp_path_factory):
        """The built book ``name`` (started now if the session did not start it), once it is built."""
        self.start({name}, tmp_path_factory)
        return self.futures[name].result()

    def stop(self) -> None:
        if self.pool is not None:
            for future in self.futures.values():
                future.cancel()
            self.pool.shutdown(wait=True)


BUILDS = Builds()
