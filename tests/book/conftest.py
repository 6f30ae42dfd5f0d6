"""Every book the book tier builds (tests/book/books.py says which and how), each once per session and
shared by every module that reads it. The builds start in the background when the session starts
(``books_in_background`` in tests/conftest.py); each fixture here waits for its book."""
from __future__ import annotations

from pathlib import Path

import pytest

from .books import BUILDS


@pytest.fixture(scope="session")
def edition(tmp_path_factory) -> Path:
    """The public edition's build folder (``<build>/public-en``; the data are ``<build>/../data``)."""
    return BUILDS.result("edition", tmp_path_factory)


@pytest.fixture(scope="session")
def book(edition) -> Path:
    """The built public edition's HTML folder."""
    html = edition / "public-en" / "html"
    assert (html / "index.html").is_file()
    return html


@pytest.fixture(scope="session")
def open_book(tmp_path_factory) -> Path:
    return BUILDS.result("open_book", tmp_path_factory)


@pytest.fixture(scope="session")
def holes(tmp_path_factory) -> dict:
    return BUILDS.result("holes", tmp_path_factory)


@pytest.fixture(scope="session")
def language_editions(tmp_path_factory) -> Path:
    return BUILDS.result("language_editions", tmp_path_factory)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> dict:
    return BUILDS.result("hostile", tmp_path_factory)


@pytest.fixture(scope="session")
def training_book(tmp_path_factory) -> Path:
    return BUILDS.result("training_book", tmp_path_factory)


@pytest.fixture(scope="session")
def restricted(tmp_path_factory) -> Path:
    """The restricted edition's HTML folder (the edition's data, canaries and all)."""
    html = BUILDS.result("restricted", tmp_path_factory) / "restricted-en" / "html"
    assert (html / "index.html").is_file()
    return html
