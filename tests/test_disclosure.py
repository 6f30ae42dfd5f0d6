"""Small-count suppression, primary and secondary, against hand-worked tables."""
import pandas as pd

from socta.disclosure import count_text, suppress


def bands(rows):
    return pd.DataFrame(rows, columns=["scope", "area", "band", "count"])


def test_primary_suppression_hides_1_to_4_but_not_0_or_5():
    frame = bands([("SRB", "drugs", b, n) for b, n in zip("abcdef", [0, 1, 4, 5, 9, 12])])
    out = suppress(frame, "count", [], threshold=5)
    assert list(out["suppressed"]) == [False, True, True, False, False, False]
    assert out["count"].isna().tolist() == [False, True, True, False, False, False]


def test_secondary_suppression_protects_a_lone_cell_against_its_total():
    # SRB drugs: high 3, medium 8, low 12 (total 23 published) -> 3 is suppressed, and the smallest
    # other cell (8) with it, or 23 - 8 - 12 would give 3 away
    frame = bands([("SRB", "drugs", "high", 3), ("SRB", "drugs", "medium", 8), ("SRB", "drugs", "low", 12)])
    out = suppress(frame, "count", [["scope", "area"]], threshold=5).set_index("band")
    assert out["suppressed"].to_dict() == {"high": True, "medium": True, "low": False}


def test_two_suppressed_cells_need_no_secondary():
    frame = bands([("SRB", "drugs", "high", 3), ("SRB", "drugs", "medium", 2), ("SRB", "drugs", "low", 12)])
    out = suppress(frame, "count", [["scope", "area"]], threshold=5).set_index("band")
    assert out["suppressed"].to_dict() == {"high": True, "medium": True, "low": False}


def test_secondary_suppression_runs_across_both_dimensions_until_stable():
    # rows: countries; columns: bands; row totals and the region (column totals) are published.
    cells = [("SRB", "x", "high", 2), ("SRB", "x", "low", 10),
             ("MNE", "x", "high", 6), ("MNE", "x", "low", 7),
             ("MKD", "x", "high", 9), ("MKD", "x", "low", 20)]
    out = suppress(bands(cells), "count", [["scope", "area"], ["area", "band"]], threshold=5)
    hidden = {(r.scope, r.band) for r in out.itertuples() if r.suppressed}
    # SRB-high (2) primary; SRB-low (10) secondary in its row; high column now has one hidden cell
    # besides SRB? no: SRB-high hidden alone in the high column -> MNE-high (6) too; then MNE's row
    # has one hidden -> MNE-low (7); the low column then has SRB-low and MNE-low hidden: stable.
    assert hidden == {("SRB", "high"), ("SRB", "low"), ("MNE", "high"), ("MNE", "low")}
    # no group is left with exactly one hidden cell
    for keys in (["scope", "area"], ["area", "band"]):
        assert all(g["suppressed"].sum() != 1 for _, g in out.groupby(keys))


def test_totals_outside_the_cells_get_primary_suppression_only():
    frame = bands([("SRB", "x", "high", 2), ("SRB", "x", "low", 10), ("SRB", "x", "total", 12)])
    is_cell = frame["band"].ne("total")
    out = suppress(frame, "count", [["scope", "area"]], threshold=5, cells=is_cell).set_index("band")
    assert out["suppressed"].to_dict() == {"high": True, "low": True, "total": False}
    assert out.at["total", "count"] == 12


def test_count_text_marks_suppressed_cells():
    assert count_text(None, True, 5) == "<5"
    assert count_text(7, False, 5) == "7"
    assert count_text(float("nan"), False, 5) == "–"
