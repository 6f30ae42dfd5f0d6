"""Files parsed once per content, for a process that reads the same files again and again.

A warm kernel runs page after page of one edition: each page reads the same processed tables and
reference files, and parsing them (and making their text inert) was a third of a page's time outside
its figures. :func:`parsed` keeps what a parser made of a file, keyed by the parser's name and a
digest of the file's bytes, never by a timestamp: a file written again with other content is parsed
again, however soon. Every caller gets its own deep copy (what cannot change is shared), so no page can
change what the next one reads, and a parser that raises is not remembered: the next read raises again,
with the same message.
"""
from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

class Memo:
    """What was made from each content, the ``size`` most recently used kept."""

    def __init__(self, size: int):
        self.size = size
        self._made: OrderedDict[tuple[str, bytes], tuple[object, bool]] = OrderedDict()

    def remembered(self, kind: str, content: bytes, make: Callable[[], T]) -> T:
        """``make()``, or a copy of what it returned for the same ``kind`` and ``content``."""
        key = (kind, hashlib.blake2b(content, digest_size=20).digest())
        if key in self._made:
            self._made.move_to_end(key)
        else:
            made = make()
            self._made[key] = (made, _immutable(made))  # looked at once, when made
            while len(self._made) > self.size:
                self._made.popitem(last=False)
        made, shared = self._made[key]
        return made if shared else copy.deepcopy(made)


def _immutable(value: object) -> bool:
    """Whether ``value`` can be shared as it is: a string, number or bytes, or a frozenset or tuple of
    them (a catalogue's translated msgids: copying 1,300 strings for each of 150 look-ups was half of
    a validation)."""
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return True
    return isinstance(value, (frozenset, tuple)) and all(_immutable(item) for item in value)


# about the files of two editions' processed folders and the reference tables
FILES = Memo(128)


def parsed(path: Path, kind: str, parse: Callable[[Path], T]) -> T:
    """``parse(path)``, or a copy of what it returned for a file with the same bytes. ``kind`` names the
    parser and every option that changes its result (``"reference:countries.csv:inert"``)."""
    return FILES.remembered(kind, Path(path).read_bytes(), lambda: parse(path))


def remembered(kind: str, content: bytes, make: Callable[[], T]) -> T:
    """``make()``, or a copy of what it returned for the same ``kind`` and ``content``."""
    return FILES.remembered(kind, content, make)
