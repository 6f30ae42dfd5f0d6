"""socta.core.background: a call computed in a forked process gives what the call gives here."""
import os

import pytest

from socta.core import background
from socta.core.background import Background


def _pid_and_sum(a, b):
    return os.getpid(), a + b


def _refuse(path):
    raise ValueError(f"cannot read {path}: bad row 3")


def test_the_result_comes_back_from_another_process():
    pid, total = Background(_pid_and_sum, 2, 3).result()
    assert total == 5 and pid != os.getpid()


def test_an_exception_is_raised_here_with_the_childs_traceback():
    job = Background(_refuse, "statistics.csv")
    with pytest.raises(ValueError, match="cannot read statistics.csv: bad row 3") as caught:
        job.result()
    assert "_refuse" in str(caught.value.__cause__)  # where it happened, not only what


def test_without_fork_the_call_runs_here(monkeypatch):
    monkeypatch.setattr(background.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    pid, total = Background(_pid_and_sum, 2, 3).result()
    assert total == 5 and pid == os.getpid()
    with pytest.raises(ValueError, match="bad row 3"):
        Background(_refuse, "x").result()


def _in_a_daemon(queue):
    queue.put(Background(_pid_and_sum, 1, 1).result())


def test_a_daemonic_worker_runs_the_call_itself():
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_in_a_daemon, args=(queue,), daemon=True)
    worker.start()
    pid, total = queue.get(timeout=60)
    worker.join()
    assert total == 2 and pid == worker.pid


def test_a_book_is_started_by_the_fixture_a_test_resolves_not_by_its_name():
    """The books built in the background are those the tests read through tests/book/conftest.py; a
    unit test's own fixture of the same name (test_stale's ``edition``) starts none."""
    from types import SimpleNamespace

    from ..book import conftest as book_fixtures
    from ..conftest import books_needed
    from . import test_stale

    def item(fixture):
        definition = SimpleNamespace(func=getattr(fixture, "__wrapped__", fixture))
        return SimpleNamespace(_fixtureinfo=SimpleNamespace(name2fixturedefs={"edition": [definition]}))
    assert books_needed([item(test_stale.edition)]) == set()
    assert books_needed([item(book_fixtures.edition)]) == {"edition"}
