"""Shared fixtures: throw-away copies of the demo data folder, so no test touches data/demo."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "data" / "demo"


def copy_demo(target: Path) -> Path:
    """Copy the demo input tables (``*.csv``) and ``dataset.yaml`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for path in [*sorted(DEMO_DIR.glob("*.csv")), DEMO_DIR / "dataset.yaml"]:
        shutil.copy2(path, target / path.name)
    return target


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A fresh copy of data/demo (input tables and dataset.yaml) in a temporary folder."""
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
def processed(tmp_path_factory) -> dict[str, Path]:
    """The demo validated and processed once per test session: {"public": folder, "restricted": folder}.
    Tests that change a processed table work on a copy (``test_findings.flipped``)."""
    from socta.core.config import Project
    from socta.ingest.validation import validate
    from socta.process.tables import write_processed

    project = Project(data_dir=DEMO_DIR, build_dir=tmp_path_factory.mktemp("processed-demo"))
    result = validate(project)
    assert result.ok
    return write_processed(project, result)


@pytest.fixture(scope="session")
def edition(tmp_path_factory):
    """The public edition, HTML and PDF, built once per session from the demo data with canaries in
    its restricted fields (tests/canaries.py), as `make report` builds it."""
    from .canaries import plant
    from .helpers import socta

    root = tmp_path_factory.mktemp("edition")
    data = plant(root / "data")
    build = root / "build"
    result = socta("report", "--data", data, "--build-dir", build, "--jobs", "2", "--formats", "html,pdf")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return build


@pytest.fixture(scope="session")
def book(edition):
    """The built public edition's HTML folder."""
    html = edition / "public-en" / "html"
    assert (html / "index.html").is_file()
    return html
