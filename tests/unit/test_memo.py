"""socta.core.memo: a file is parsed once per content, never served stale, and no caller can change what
the next one reads."""
from __future__ import annotations

import pandas as pd
import pytest

from socta.core import memo
from socta.core.config import ConfigError, read_yaml


def test_a_file_rewritten_at_once_with_other_content_is_parsed_again(tmp_path):
    path, calls = tmp_path / "t.csv", []

    def parse(file):
        calls.append(1)
        return pd.read_csv(file)
    path.write_text("a\n1\n", encoding="utf-8")
    assert memo.parsed(path, "test csv", parse)["a"].tolist() == [1]
    assert memo.parsed(path, "test csv", parse)["a"].tolist() == [1]
    assert len(calls) == 1                                   # the same bytes: parsed once
    path.write_text("a\n2\n", encoding="utf-8")               # same size, same second: the content decides
    assert memo.parsed(path, "test csv", parse)["a"].tolist() == [2]
    assert len(calls) == 2


def test_every_caller_gets_its_own_copy(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    first = memo.parsed(path, "test csv copy", pd.read_csv)
    first.loc[0, "a"] = 99
    first["b"] = 0
    again = memo.parsed(path, "test csv copy", pd.read_csv)
    assert again["a"].tolist() == [1] and "b" not in again


def test_a_parse_that_fails_fails_again_with_its_message(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("a: &x [1]\nb: *x\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="alias"):
            read_yaml(path, "the settings")
    path.write_text("a: [1]\n", encoding="utf-8")
    tree = read_yaml(path, "the settings")
    tree["a"].append(2)
    assert read_yaml(path, "the settings") == {"a": [1]}


def test_the_kind_keeps_parsers_apart(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    assert memo.parsed(path, "kind one", lambda f: "one") == "one"
    assert memo.parsed(path, "kind two", lambda f: "two") == "two"


def test_what_cannot_change_is_shared_and_what_can_is_copied(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("a b", encoding="utf-8")
    ids = memo.parsed(path, "test ids", lambda f: frozenset(f.read_text(encoding="utf-8").split()))
    assert memo.parsed(path, "test ids", lambda f: frozenset()) is ids          # a frozenset of strings: shared
    nested = memo.parsed(path, "test nested", lambda f: (("a", [1]),))
    assert memo.parsed(path, "test nested", lambda f: None) is not nested       # a list inside: copied
    assert memo.parsed(path, "test nested", lambda f: None) == (("a", [1]),)
