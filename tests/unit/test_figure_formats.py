"""An HTML-only run draws each figure once (a PNG); a PDF build then needs the pages drawn again with
their vector figures, and says so. The rule is one function, `up_to_date`, used by the runner, by
`socta run`'s count and by the stale report."""
from __future__ import annotations

import json

from socta.run.keys import figures_for, key_changes, up_to_date


def key(figures: str | None, **changes) -> str:
    components = {"format": 2, "template": "t1", "code": {"socta/pages/area.py": "c1"}, **changes}
    if figures is not None:
        components["figures"] = figures
    return json.dumps(components, sort_keys=True)


def test_the_figures_drawn_follow_the_formats_built():
    assert figures_for(["html"]) == ("png",)
    assert figures_for(["html", "pdf"]) == figures_for(["pdf"]) == figures_for(None) == ("png", "pdf")


def test_a_page_drawn_for_both_serves_an_html_build_but_not_the_reverse():
    assert up_to_date(key("png+pdf"), key("png+pdf"))
    assert up_to_date(key("png+pdf"), key("png"))
    assert not up_to_date(key("png"), key("png+pdf"))
    assert key_changes(key("png+pdf"), key("png")) == []
    assert key_changes(key("png"), key("png+pdf")) == ["figures drawn for the HTML only (the PDF needs vector figures)"]


def test_any_other_change_still_makes_a_page_stale_whatever_it_drew():
    assert not up_to_date(key("png+pdf", template="t2"), key("png"))
    assert key_changes(key("png+pdf", template="t2"), key("png")) == ["template changed"]
    assert key_changes(key("png", template="t2"), key("png+pdf")) == [
        "template changed", "figures drawn for the HTML only (the PDF needs vector figures)"]


def test_a_page_never_run_or_keyed_before_figures_were_recorded_runs_again():
    assert not up_to_date(None, key("png"))
    assert not up_to_date("not json", key("png"))
    assert not up_to_date(key(None), key("png"))
