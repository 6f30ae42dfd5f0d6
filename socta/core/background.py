"""One call in a forked process while this one goes on.

Processing has two long steps that do not depend on each other: the disclosure control of the OCG
tables (hundreds of small linear programs) and the trend fits (one per scope × indicator). On two
cores they overlap: :class:`Background` runs the first in a child process, forked so that it needs
no copy of its inputs, while the caller fits the trends. The result, or the exception with its
traceback, comes back through a pipe. Where processes cannot be forked (Windows) or may not have
children (a daemonic worker), the call runs at once, in this process: the same result, one after
the other.
"""
from __future__ import annotations

import multiprocessing
import traceback


class _ChildTraceback(Exception):
    """The traceback of an exception raised in the child, attached as its cause."""

    def __init__(self, text: str):
        super().__init__(text)

    def __str__(self) -> str:
        return f"\n\nin the background process:\n{self.args[0]}"


def _run(send, fn, args, kwargs) -> None:
    try:
        send.send((True, fn(*args, **kwargs), ""))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        send.send((False, exc, traceback.format_exc()))
    finally:
        send.close()


class Background:
    """``Background(fn, *args, **kwargs).result()`` is ``fn(*args, **kwargs)``, computed meanwhile in a
    child process."""

    def __init__(self, fn, *args, **kwargs):
        self._process = None
        # a daemonic process may not have children (a pool's worker): there, too, the call runs here
        if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
            try:
                self._outcome = (True, fn(*args, **kwargs), "")
            except Exception as exc:  # noqa: BLE001 - raised by result(), as from the child
                self._outcome = (False, exc, "")
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(send, fn, args, kwargs), daemon=True)
        self._process.start()
        send.close()

    def result(self):
        if self._process is not None:
            try:
                self._outcome = self._receive.recv()
            except EOFError:
                self._outcome = (False, RuntimeError(
                    f"the background process ended without a result (exit code {self._process.exitcode}; "
                    "out of memory?)"), "")
            self._receive.close()
            self._process.join()
            self._process = None
        ok, value, text = self._outcome
        if ok:
            return value
        if text:
            raise value from _ChildTraceback(text)
        raise value
