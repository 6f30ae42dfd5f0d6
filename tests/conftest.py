"""What the tiers share: ``copy_demo`` and the ``demo_copy`` fixtures (throw-away copies of the demo data
folder: no test touches data/demo-2016), ``said`` (what a page shows) and the demo validated and processed
once per session. The books the book tier builds are in tests/book/conftest.py.

The tiers, by folder: tests/unit (no notebook, no book: `make test-fast`), tests/pipeline (a changed copy
of the data validated and processed, and a template's code run on it, in this process), tests/book
(notebooks executed by kernels, books built, each book once per session)."""
from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.helpers import DEMO_2016

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = DEMO_2016
BOOK_FIXTURES = ROOT / "tests" / "book" / "conftest.py"


def copy_demo(target: Path) -> Path:
    """Copy the demo input tables (``*.csv``) and ``dataset.yaml`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for path in [*sorted(DEMO_DIR.glob("*.csv")), DEMO_DIR / "dataset.yaml"]:
        shutil.copy2(path, target / path.name)
    return target


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A fresh copy of data/demo-2016 (input tables and dataset.yaml) in a temporary folder."""
    return copy_demo(tmp_path / "data")


@pytest.fixture
def demo_copies(tmp_path: Path):
    """A factory for several independent copies: ``demo_copies("a")`` -> ``<tmp>/a``."""
    return lambda name: copy_demo(tmp_path / name)


@pytest.fixture
def said(monkeypatch) -> list[str]:
    """Everything the pages show (sentences, table and figure blocks), in order."""
    out: list[str] = []
    from socta.pages import render

    monkeypatch.setattr(render, "md", out.append)
    return out


@pytest.fixture(scope="session")
def demo_processing(tmp_path_factory) -> SimpleNamespace:
    """The demo validated and processed once per test session, as `socta validate` does it:
    ``project``, the validation ``result``, the processed ``tables`` (audience -> name -> frame, as
    written) and the ``folders`` they were written to ({"public": folder, "restricted": folder}).
    Tests read them and never change them; a test that changes a processed table works on a copy
    (``tests/unit/test_findings.flipped``)."""
    from socta.core.config import Project
    from socta.ingest.validation import validate
    from socta.process import tables

    project = Project(data_dir=DEMO_DIR, build_dir=tmp_path_factory.mktemp("processed-demo"))
    result = validate(project)
    assert result.ok
    computed = {}

    def keep(*args):  # the tables write_processed computes and writes, kept for the tests that read them
        computed.update(real(*args))
        return computed

    real = tables.processed_tables
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables, "processed_tables", keep)
        folders = tables.write_processed(project, result)
    return SimpleNamespace(project=project, result=result, tables=computed, folders=folders)


@pytest.fixture(scope="session")
def open_processed(tmp_path_factory) -> dict[str, Path]:
    """The open-data edition (data/open: statistics only, no OCG register, answers or expert assessments)
    validated and processed once per session, its output checks passed: {"public": folder, "restricted": folder}."""
    from socta.core.config import Project
    from socta.ingest.validation import validate
    from socta.process.tables import write_processed

    project = Project(data_dir=ROOT / "data" / "open", build_dir=tmp_path_factory.mktemp("processed-open"))
    result = validate(project)
    assert result.ok, [str(p) for p in result.problems[:3]]
    return write_processed(project, result)


@pytest.fixture(scope="session")
def processed(demo_processing) -> dict[str, Path]:
    """The demo's processed folders, written once per session: {"public": folder, "restricted": folder}."""
    return demo_processing.folders


@pytest.fixture(scope="session")
def demo_project(demo_processing):
    """The Project (data/demo-2016, the session's build folder) the ``processed`` folders belong to."""
    return demo_processing.project


def books_needed(items) -> set[str]:
    """The books (fixtures of tests/book/conftest.py) the selected tests read. By the fixture each test
    resolves, not by name: a unit test's own ``edition`` fixture (tests/unit/test_stale.py) once made
    `make test-fast` build the whole public edition in the background and wait for it at the end."""
    from .book.books import BY_NAME

    needed = set()
    for item in items:
        for name, definitions in item._fixtureinfo.name2fixturedefs.items():
            if name in BY_NAME and definitions and Path(definitions[-1].func.__code__.co_filename) == BOOK_FIXTURES:
                needed.add(name)
    return needed


def pytest_collection_modifyitems(items):
    """The book tier in the order its books are built (tests/book/books.py), the tests that read no book
    first: they run while the books build, and a test waits for a book only when none is left that is
    ready. The unit and pipeline tiers keep their order, before it."""
    from .book.books import ORDER

    def when(item) -> int:
        books = books_needed([item])
        return 1 + max(ORDER.index(name) for name in books) if books else 0
    book_tier = [item for item in items if item.nodeid.startswith("tests/book/")]
    rest = [item for item in items if not item.nodeid.startswith("tests/book/")]
    items[:] = rest + sorted(book_tier, key=when)  # sorted() is stable: files and tests keep their order


@pytest.fixture(scope="session", autouse=True)
def books_in_background(request, tmp_path_factory):
    """Start building, in the background, every book the selected tests read (tests/book/books.py), at
    the session's first test, so that the tests that need no book run meanwhile; none for the unit tier."""
    from .book.books import BUILDS

    BUILDS.start(books_needed(request.session.items), tmp_path_factory)
    yield
    BUILDS.stop()


def pytest_terminal_summary(terminalreporter):
    """The books of the session, when each was built (tests/book/books.py), under the test summary."""
    from .book.books import BUILDS

    if BUILDS.spans:
        terminalreporter.section("books built in the background")
        for line in BUILDS.timeline():
            terminalreporter.write_line(line)
