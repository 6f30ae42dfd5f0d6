"""The unit tier's fixtures: throw-away copies of the demo data folder and what a page says. The demo
validated and processed once per session (``demo_processing``, ``processed``, ``demo_project``) is in
tests/conftest.py, shared with the book tier."""
from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import copy_demo


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
