"""Nothing exact behind a rounded or suppressed result (issue 19, item 5).

(a) the robustness of the ranking is computed from the scores as the public edition publishes them, so
exact scores that publish alike give the same shares; (b) the downloadable notebooks of the HTML book
carry figures as rasters only; (c) the provenance annex shows no row count or checksum of a restricted
input; (d) a share of a restricted field is a range near 0% or 100% and is not shown over few rows.
Fast: no notebook is executed and no book is built (one check on the built book is in tests/book/test_book.py).
"""
from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd
import pytest

from socta.analysis.scoring import prioritise, weighted_score
from socta.analysis.sensitivity import robustness_table
from socta.book.published import clean_html_sources, clean_published_notebooks, strip_vector_outputs
from socta.core.config import REGION, Project
from socta.ingest.reference import Reference
from socta.pages.formatting import share_text
from socta.process import disclosure_policy as public
from socta.process.disclosure_policy import ShareRule, band_edge, publish_share, robustness_inputs
from tests.helpers import DEMO_2016

from .test_findings import make

# ---- (a) robustness from the published scores ---------------------------------------------------------

@pytest.fixture(scope="module")
def setting():
    project = Project(data_dir=DEMO_2016)
    ref = Reference(project)
    return project, ref, public.ScoreSettings.of(project, ref)


# B, C and D close together behind A: whether B stays in the top three depends on the weights
HARM = {"A": 3.0, "B": 2.0, "C": 2.1, "D": 2.0}
SUBS = {  # trend, scale, ocg_number, ocg_threat, international, stat_trend
    "A": (3.0, 3.5, 4.0, 2.8, 2.0, 3.0),
    "B": (2.5, 2.0, 2.2, 2.40, 1.00, 2.0),
    "C": (2.3, 2.2, 2.0, 2.3, 1.3, 2.2),
    "D": (2.2, 2.0, 2.1, 2.2, 1.2, 2.1),
}


def area_scores(subs: dict, ref, settings, scope: str = "SRB") -> pd.DataFrame:
    """An area scores table as processing writes it, for one scope, from sub-scores by area."""
    weights = ref.threat_indicators["weight"].astype(float)
    harm_w = ref.harm_dimensions["weight"].astype(float)
    rows, threat, harm = [], [], []
    for area, values in subs.items():
        sub = dict(zip(weights.index, values))
        dims = {d: HARM[area] for d in harm_w.index}
        threat.append({"scope": scope, "area": area, "threat": weighted_score(sub, weights)})
        harm.append({"scope": scope, "area": area, "harm": weighted_score(dims, harm_w)})
        rows.append({"scope": scope, "area": area, **sub, **{f"harm_{d}": v for d, v in dims.items()}})
    ranked = prioritise(pd.DataFrame(threat), pd.DataFrame(harm), settings)
    return ranked.merge(pd.DataFrame(rows), on=["scope", "area"])


def shares(table, ref, settings):
    return robustness_table(table, ref.threat_indicators["weight"].astype(float),
                            ref.harm_dimensions["weight"].astype(float), settings)


def twins(ref, settings):
    """Two sets of exact scores whose OCG sub-scores of area B differ below what the public edition
    shows of them (its threat and priority rounded to 5, its OCG sub-scores withheld)."""
    other = copy.deepcopy(SUBS)
    trend, scale, number, threat, intl, stat = other["B"]
    other["B"] = (trend, scale, number + 0.05, threat + 0.10, intl - 0.06, stat)
    return area_scores(SUBS, ref, settings), area_scores(other, ref, settings)


@pytest.mark.parametrize("withheld", [False, True])
def test_robustness_is_the_same_for_exact_scores_that_publish_alike(setting, withheld):
    project, ref, cfg = setting
    one, two = twins(ref, project.settings)
    assert not one.equals(two)
    coarse, gone = {("SRB", "B")}, ({("SRB", "B")} if withheld else set())
    shown = [public.publish_scores(t, coarse, gone, cfg.step) for t in (one, two)]
    pd.testing.assert_frame_equal(shown[0], shown[1])   # a reader cannot tell them apart
    assert shown[0].set_index("area").at["B", "score_precision"] == ("withheld" if withheld else "rounded")
    published = [shares(robustness_inputs(s, cfg), ref, project.settings) for s in shown]
    pd.testing.assert_frame_equal(published[0], published[1])
    # from the exact scores the shares differ: they would tell the two apart, and a reader repeating the
    # Monte Carlo run (its seed and draws are printed) could search the withheld sub-scores with them
    exact = [shares(t, ref, project.settings) for t in (one, two)]
    assert not exact[0].equals(exact[1])


def test_a_pooled_ocg_sub_score_gives_the_published_threat(setting):
    project, ref, cfg = setting
    one, _ = twins(ref, project.settings)
    shown = public.publish_scores(one, {("SRB", "B")}, set(), cfg.step)
    filled = robustness_inputs(shown, cfg).set_index("area")
    assert filled.loc["B", ["ocg_number", "ocg_threat", "international"]].nunique() == 1   # one pooled value
    again = weighted_score(filled.loc["B", list(ref.threat_indicators.index)].to_dict(),
                           ref.threat_indicators["weight"].astype(float))
    assert again == pytest.approx(shown.set_index("area").at["B", "threat"])
    # rows published exactly keep their sub-scores
    exact = one.set_index("area")
    for area in "ACD":
        assert filled.loc[area, "ocg_threat"] == exact.loc[area, "ocg_threat"]


def test_a_withheld_score_is_ranked_on_the_middle_of_what_its_rank_and_tier_leave(setting):
    project, ref, cfg = setting
    one, _ = twins(ref, project.settings)
    shown = public.publish_scores(one, {("SRB", "B")}, {("SRB", "B")}, cfg.step)
    assert np.isnan(shown.set_index("area").at["B", "priority"])
    filled = robustness_inputs(shown, cfg).set_index("area")
    low, high = public._allowed(shown, "SRB", "B", cfg)
    again = weighted_score(filled.loc["B", list(ref.threat_indicators.index)].to_dict(),
                           ref.threat_indicators["weight"].astype(float))
    share = cfg.priority_weights["threat"] / (cfg.priority_weights["threat"] + cfg.priority_weights["harm"])
    priority = share * again + (1 - share) * filled.at["B", "harm"]
    assert priority == pytest.approx((low + high) / 2)


def test_nothing_published_exactly_is_changed(setting):
    project, ref, cfg = setting
    one, _ = twins(ref, project.settings)
    exact = public.publish_scores(one, set(), set(), 0)
    assert robustness_inputs(exact, cfg).equals(exact)
    pd.testing.assert_frame_equal(shares(robustness_inputs(exact, cfg), ref, project.settings),
                                  shares(one, ref, project.settings))


def test_the_public_edition_publishes_the_robustness_of_its_published_scores(processed, setting):
    project, ref, cfg = setting
    folder = processed["public"]
    scores = pd.read_parquet(folder / "area_scores.parquet")
    assert scores["score_precision"].ne("exact").any()
    again = shares(robustness_inputs(scores, cfg), ref, project.settings)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "rank_robustness.parquet"), again)


# ---- (b) the downloadable notebooks carry figures as rasters ------------------------------------------

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg=="
VECTORS = ("application/pdf", "image/svg+xml")


def figure_notebook() -> dict:
    """A page as `socta run` writes it: a glued figure (PNG, PDF, matplotlib's text), an inline one with
    an SVG and a repr that lists values, a Plotly figure, a Markdown output and a table."""
    nb = nbformat.v4.new_notebook()
    glued = nbformat.v4.new_code_cell("page.figure(fig, 'robustness', caption, alt)")
    record = "application/papermill.record/"   # how myst_nb's glue stores a figure (tried in a real build)
    glued.outputs = [
        nbformat.v4.new_output("display_data", data={
            f"{record}image/png": PNG,
            f"{record}application/pdf": "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0=",
            f"{record}text/plain": "<Figure size 880x374 with 1 Axes>"},
            metadata={"image/png": {"height": 499, "width": 622},
                      "scrapbook": {"name": "fig-conclusions-robustness", "mime_prefix": record}}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "```{glue:figure} fig-conclusions-robustness\n```",
                                                    "text/plain": "<IPython.core.display.Markdown object>"}),
    ]
    inline = nbformat.v4.new_code_cell("fig")
    inline.outputs = [nbformat.v4.new_output("execute_result", execution_count=3, data={
        "image/png": PNG, "image/svg+xml": "<svg><rect width='95.675'/></svg>",
        "text/plain": "BarContainer(p_top=[0.95675, 0.1745])"}, metadata={"image/svg+xml": {"isolated": True}})]
    plotly = nbformat.v4.new_code_cell("px.bar(robust)")
    plotly.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.plotly.v1+json": {"data": [{"x": [0.95675]}]}, "text/html": "<div>plotly</div>"})]
    table = nbformat.v4.new_code_cell("frame")
    table.outputs = [nbformat.v4.new_output("execute_result", execution_count=4, data={
        "text/html": "<table><td>96%</td></table>", "text/plain": "   p_top\n0  96%"}),
        nbformat.v4.new_output("stream", name="stdout", text="done\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Main conclusions"), glued, inline, plotly, table]
    return json.loads(nbformat.writes(nb))


def test_vector_outputs_are_stripped_and_the_raster_kept():
    nb = figure_notebook()
    assert strip_vector_outputs(nb)
    nbformat.validate(nbformat.from_dict(nb))   # still a valid notebook
    text = json.dumps(nb)
    assert not any(m in text for m in VECTORS) and "JVBERi0" not in text and "95.675" not in text and "plotly" not in text.replace("<div>plotly", "")
    glued, inline, plotly, table = (c["outputs"] for c in nb["cells"][1:])
    record = "application/papermill.record/"
    assert set(glued[0]["data"]) == {f"{record}image/png", f"{record}text/plain"}
    assert "".join(glued[0]["data"][f"{record}text/plain"]) == "<Figure size 880x374 with 1 Axes>"
    assert glued[0]["metadata"]["image/png"] == {"height": 499, "width": 622}
    assert glued[0]["metadata"]["scrapbook"]["name"] == "fig-conclusions-robustness"   # glue finds it
    assert inline[0]["data"] == {"image/png": PNG} and "image/svg+xml" not in inline[0]["metadata"]
    assert list(plotly[0]["data"]) == ["text/html"]   # the data of a Plotly figure go, its HTML stays
    assert table == figure_notebook()["cells"][4]["outputs"]   # a table and a stream are left as they are
    assert not strip_vector_outputs(nb)   # nothing more to do


def test_the_html_build_cleans_every_downloadable_notebook_outside_the_restricted_edition(tmp_path):
    def html_folder(name):
        folder = tmp_path / name
        (folder / "_sources" / "areas").mkdir(parents=True)
        for page in ("conclusions.ipynb", "areas/drugs.ipynb"):
            (folder / "_sources" / page).write_text(json.dumps(figure_notebook()), encoding="utf-8")
        (folder / "_sources" / "intro.md").write_text("# Intro\n", encoding="utf-8")
        return folder

    for audience in ("public", "training"):
        folder = html_folder(audience)
        app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(folder),
                              config=SimpleNamespace(socta_edition={"audience": audience, "lang": "en"}))
        clean_html_sources(app, None)
        for path in folder.rglob("*.ipynb"):
            assert not any(m in path.read_text(encoding="utf-8") for m in VECTORS), path
            assert "image/png" in path.read_text(encoding="utf-8")
        assert clean_published_notebooks(folder) == []   # a second build finds nothing left
    restricted = html_folder("restricted")
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(restricted),
                          config=SimpleNamespace(socta_edition={"audience": "restricted", "lang": "en"}))
    clean_html_sources(app, None)
    assert "application/pdf" in (restricted / "_sources" / "conclusions.ipynb").read_text(encoding="utf-8")
    latex = html_folder("latex")
    clean_html_sources(SimpleNamespace(builder=SimpleNamespace(format="latex"), outdir=str(latex),
                                       config=SimpleNamespace(socta_edition={"audience": "public"})), None)
    assert "application/pdf" in (latex / "_sources" / "conclusions.ipynb").read_text(encoding="utf-8")


def test_the_extension_registers_the_cleaning():
    from unittest.mock import MagicMock

    from socta.book import extension

    app = MagicMock()
    extension.setup(app)
    assert any(c.args[:2] == ("build-finished", clean_html_sources) for c in app.connect.call_args_list)


# ---- (c) no row count or checksum of a restricted input on a public page ------------------------------

INPUTS = [
    {"file": "statistics.csv", "rows": 1200, "restricted": False, "sha256": "ab" * 32},
    {"file": "ocg_register.csv", "rows": 83, "restricted": True, "sha256": "cd" * 32},
    {"file": "ocg_answers.csv", "rows": 996, "restricted": True, "sha256": "ef" * 32},
    {"file": "expert_assessments.csv", "rows": 0, "restricted": False, "sha256": "", "absent": True},
]


def test_restricted_inputs_are_listed_without_rows_or_checksum_outside_the_restricted_edition():
    from socta.pages.provenance import input_rows

    for audience in ("public", "training"):
        rows = {r["File"]: r for r in input_rows(INPUTS, audience)}
        for name in ("ocg_register.csv", "ocg_answers.csv"):
            assert rows[f"`{name}`"]["Rows"] == "not shown in the public edition"
            assert rows[f"`{name}`"]["SHA-256 (first 12)"] == "not shown in the public edition"
            assert rows[f"`{name}`"]["Audience"] == "restricted"
        assert rows["`statistics.csv`"]["Rows"] == "1,200" and rows["`statistics.csv`"]["SHA-256 (first 12)"] == "ab" * 6
        assert rows["`expert_assessments.csv`"]["Rows"] == "not in this dataset"
    rows = {r["File"]: r for r in input_rows(INPUTS, "restricted")}
    assert rows["`ocg_register.csv`"]["Rows"] == "83" and rows["`ocg_register.csv`"]["SHA-256 (first 12)"] == "cd" * 6


def test_the_public_provenance_page_shows_no_hash_or_row_count_of_the_register(processed, said):
    from socta.pages.provenance import ProvenancePage

    page = make(ProvenancePage, processed["public"])
    page.inputs_table()
    text = "\n".join(said)
    register = next(f for f in page.inputs if f["file"] == "ocg_register.csv")
    assert register["restricted"]
    assert register["sha256"][:12] not in text
    assert "The row count and checksum of a restricted input are not shown in the public edition." in text
    line = next(line for line in text.splitlines() if "ocg_register.csv" in line)
    assert str(register["rows"]) not in line and "not shown in the public edition" in line
    said.clear()
    make(ProvenancePage, processed["restricted"], audience="restricted").inputs_table()
    assert register["sha256"][:12] in "\n".join(said)


# ---- (d) shares of restricted fields: a range at the extremes, nothing over few rows ------------------

RULE = ShareRule(min_rows=10, extreme=0.05)


def test_a_share_is_shown_as_a_range_near_0_or_100_percent_and_not_at_all_over_few_rows():
    assert publish_share(1.0, 24, RULE) == ("above", 0.95)
    assert publish_share(0.0, 72, RULE) == ("below", 0.05)
    assert publish_share(0.777, 72, RULE) == ("exact", 0.777)
    band, value = publish_share(0.5, 9, RULE)
    assert band == "few" and np.isnan(value)
    band, value = publish_share(np.nan, 50, RULE)
    assert band == "exact" and np.isnan(value)
    assert publish_share(1.0, 24, ShareRule.of({}, "restricted")) == ("exact", 1.0)


@pytest.mark.parametrize("rows", range(10, 120))
def test_a_range_never_tells_that_no_row_or_every_row_has_the_property(rows):
    """Whatever the count k of rows with the property, "less than"/"more than" holds at least two
    counts (a reader who knows the rows cannot tell 0 from 1, nor all from all but one), and every
    share shown exactly leaves at least two rows on either side."""
    edge = band_edge(rows, RULE.extreme)
    below = [k for k in range(rows + 1) if publish_share(k / rows, rows, RULE)[0] == "below"]
    above = [k for k in range(rows + 1) if publish_share(k / rows, rows, RULE)[0] == "above"]
    assert len(below) >= 2 and len(above) >= 2
    assert below == list(range(len(below))) and above == list(range(rows - len(above) + 1, rows + 1))
    assert all(k / rows < edge for k in below) and all(k / rows > 1 - edge for k in above)
    exact = [k for k in range(rows + 1) if publish_share(k / rows, rows, RULE)[0] == "exact"]
    assert min(exact) >= 2 and rows - max(exact) >= 2


def test_the_share_rule_comes_from_the_settings():
    settings = Project(data_dir=DEMO_2016).settings
    assert settings["public"]["share_min_rows"] == 10 and settings["public"]["share_extreme"] == 0.05
    assert ShareRule.of(settings) == RULE
    assert ShareRule.of({"public": {"share_min_rows": 20, "share_extreme": 0.1}}) == ShareRule(20, 0.1)


def test_share_text_prints_the_range():
    assert share_text(0.5) == "50%"
    assert share_text(np.nan, "above", 0.95) == "more than 95%"
    assert share_text(np.nan, "below", 0.05) == "less than 5%"
    assert share_text(np.nan, "few") == "–" and share_text(np.nan, "few", missing="c") == "c"


def evidence(rows, share):
    return pd.DataFrame({"scope": ["SRB"] * len(rows), "area": [f"a{i}" for i in range(len(rows))], "rows": rows,
                         "graded_share": share, "completeness": 1.0, "respondents": 4, "missing_countries": "",
                         "confidence": "high"})


def test_the_public_evidence_holds_no_extreme_or_few_row_graded_share():
    ev = evidence([24, 72, 5, 0, 30], [1.0, 0.93, 1.0, 0.0, 0.0])
    shown = public.publish_evidence(ev, RULE)
    assert list(shown["graded_share_band"]) == ["above", "", "few", "few", "below"]
    assert shown["graded_share"].isna().tolist() == [True, False, True, True, True]
    assert shown.at[0, "graded_share_bound"] == 0.95 and shown.at[4, "graded_share_bound"] == 0.05
    assert shown["confidence"].eq("high").all()   # the level, computed from the exact share, is kept
    kept = public.publish_evidence(ev, ShareRule.of({}, "restricted"))
    assert kept["graded_share"].tolist() == ev["graded_share"].tolist() and kept["graded_share_band"].eq("").all()


def test_the_demo_public_edition_shows_no_graded_share_or_enabler_share_near_the_extremes(processed):
    for folder, banded in ((processed["public"], True), (processed["restricted"], False)):
        ev = pd.read_parquet(folder / "evidence.parquet")
        shown = ev["graded_share"].dropna()
        if banded:
            assert ((shown >= 0.05) & (shown <= 0.95)).all() and ev["graded_share_band"].eq("above").any()
            assert (ev.loc[ev["graded_share"].notna(), "rows"] >= 10).all()
        else:
            assert ev["graded_share"].eq(1.0).any() and ev["graded_share_band"].eq("").all()
        assert set(ev["confidence"]) <= {"high", "moderate", "low"}
        enablers = pd.read_parquet(folder / "ocg_enablers.parquet")
        for column in ("share_medium_high", "share_unknown"):
            values = enablers[column].dropna()
            if banded:
                assert ((values >= 0.05) & (values <= 0.95)).all(), column
                assert (enablers.loc[enablers[column].notna(), "groups"] >= 10).all()


def test_a_judgement_says_more_than_95_percent_not_100(processed, tmp_path):
    from socta.pages.area import AreaPage

    ev = pd.read_parquet(processed["public"] / "evidence.parquet")
    row = ev[ev["graded_share_band"].eq("above")].iloc[0]
    page = make(AreaPage, processed["public"], scope=row["scope"], area=row["area"])
    basis = page.judgement(row["area"], row["scope"])["basis"]
    assert "Of the statistics behind it, more than 95% come from reliable sources" in basis
    assert "100% come from" not in basis
    assert page.analytic_confidence(row["area"], row["scope"])[0] == row["confidence"]
    restricted = make(AreaPage, processed["restricted"], scope=row["scope"], area=row["area"], audience="restricted")
    assert "Of the statistics behind it, 100% come from reliable sources" in \
        restricted.judgement(row["area"], row["scope"])["basis"]


def test_a_judgement_on_few_rows_does_not_give_the_share(processed, tmp_path):
    from socta.pages.area import AreaPage

    from .test_findings import flipped

    def few(frame):
        frame.loc[0, ["graded_share", "graded_share_band", "graded_share_bound", "rows"]] = [np.nan, "few", np.nan, 6]
    folder = flipped(processed["public"], tmp_path / "p", "evidence", few)
    row = pd.read_parquet(folder / "evidence.parquet").iloc[0]
    page = make(AreaPage, folder, scope=row["scope"], area=row["area"])
    basis = page.judgement(row["area"], row["scope"])["basis"]
    assert ("The share of the statistics behind it that come from reliable sources is not shown in the public "
            "edition, because it rests on too few rows (fewer than 10)") in basis


def test_enabler_shares_near_the_extremes_are_a_range_in_the_text_and_not_drawn(processed, tmp_path, said):
    from socta.pages.factors import FactorsPage

    from .test_findings import flipped

    def extreme(frame):
        lbs = frame["scope"].eq(REGION) & frame["indicator"].eq("lbs")
        frame.loc[lbs, ["share_medium_high", "share_medium_high_band", "share_medium_high_bound"]] = [np.nan, "above", 0.95]
    page = make(FactorsPage, flipped(processed["public"], tmp_path / "p", "ocg_enablers", extreme))
    page.enablers_text()
    line = next(line for line in "\n".join(said).splitlines() if "legal business structures" in line)
    assert line.startswith("- more than 95% of the region's groups are assessed medium or high on “Use of legal "
                           "business structures” ("), line
    shares = page.enabler_shares()
    assert shares.loc[shares["enabler"].eq("Use of legal business structures") & shares["place"].eq("Region"),
                      "share"].isna().all()
    assert "Shares close to none or all of the groups, or resting on fewer than 10 groups, are not drawn" in \
        page.enablers_caption(shares)
