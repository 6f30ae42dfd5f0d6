"""`socta build --final` on a changed copy of the demo: live values follow the data, a draft or a typed
number the data no longer give refuses the build (the unit tier checks each rule on the session's demo)."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from socta.book.stage import read_narrative_report, stage
from socta.core.config import Project

from ..conftest import DEMO_DIR, copy_demo
from ..unit.test_narrative import total, write


def test_final_refuses_drafts_and_a_stale_number_after_the_data_change(tmp_path):
    from socta.cli import report_narrative
    from socta.ingest.validation import validate
    from socta.process.tables import write_processed

    data = copy_demo(tmp_path / "data")
    (data / "reference").mkdir()
    (data / "reference" / "settings.yaml").write_text(
        (DEMO_DIR.parent / "reference" / "settings.yaml").read_text(encoding="utf-8").replace(
            "    - {id: outlook, title: Outlook, place: back}\n", ""), encoding="utf-8")
    before = total("drug_offences", 2024)
    chapter = write(data, "en", "key_findings", f"Police recorded {before:,.0f} drug offences "
                    "({value}`drug_offences 2024`).\n\nA suppressed count: {value}`thb_victims_form begging 2014 MKD`; "
                    "a small one: {value}`thb_victims_form other 2014 MKD`.\n")
    write(data, "en", "recommendations", "1. Keep going.\n", status="draft")
    project = Project(data_dir=data, build_dir=tmp_path / "build")
    console = SimpleNamespace(lines=[], print=lambda *a, **k: console.lines.append(" ".join(map(str, a))))

    def build(final: bool = True, data_changed: bool = True) -> tuple[str, bool]:
        if data_changed:  # as `socta build` does: the processed tables are written again only for new data
            result = validate(project)
            assert result.ok
            write_processed(project, result)
        source = stage(project, "public", "en")
        console.lines.clear()
        refused = report_narrative(project, SimpleNamespace(audience="public", lang="en", final=final), console)
        return (source / "narrative" / "key_findings.md").read_text(encoding="utf-8"), refused

    stats = pd.read_csv(data / "statistics.csv", dtype=str, keep_default_na=False)
    mkd = stats["country"].eq("MKD") & stats["year"].eq("2014") & stats["indicator"].eq("thb_victims_form")
    stats.loc[mkd & stats["category"].eq("begging"), ["value"]] = ""
    stats["status"] = ""
    stats.loc[mkd & stats["category"].eq("begging"), ["status"]] = "Q"
    stats.loc[mkd & stats["category"].eq("other"), ["value"]] = "<5"
    stats.to_csv(data / "statistics.csv", index=False)
    page, refused = build()
    assert f"Police recorded {before:,.0f} drug offences ({before:,.0f})" in page
    assert "suppressed count: c;" in page and "small one: <5." in page
    assert refused and any("recommendations.md" in line for line in console.lines)
    assert not any(line.startswith("[bold red]error") for line in console.lines), console.lines  # numbers current
    (data / "narrative" / "en" / "recommendations.md").write_text(
        (data / "narrative" / "en" / "recommendations.md").read_text().replace("status: draft", "status: reviewed"))
    assert not build(data_changed=False)[1], console.lines  # reviewed, and every number current: --final builds

    row = stats.index[stats["country"].eq("SRB") & stats["year"].eq("2024") & stats["indicator"].eq("drug_offences")]
    stats.loc[row, "value"] = str(int(stats.loc[row[0], "value"]) + 100)
    stats.to_csv(data / "statistics.csv", index=False)
    page, refused = build()
    assert f"({before + 100:,.0f})" in page  # the live value follows the data
    assert refused
    [error] = [line for line in console.lines if "error" in line]
    assert f"{chapter}, line 5" in error and f"{before:,.0f}" in error
    report = read_narrative_report(project.edition_dir("public", "en"))
    assert [i["kind"] for i in report["issues"]] == ["number"]
    assert not build(final=False, data_changed=False)[1]  # without --final, a warning
