"""The document's record (settings.yaml ``publication``, socta/book/frontmatter.py): what its cover, its
first page and its PDF metadata say, in each language, and the errors a wrong setting gets."""
from __future__ import annotations

import shutil

import pytest
import yaml

from socta.book import frontmatter
from socta.core.config import REFERENCE_DIR, ConfigError, Project
from socta.core.settings import Settings
from socta.i18n import translate as i18n

from ..helpers import REPO


@pytest.mark.parametrize("publication, said", [
    ({"status": "drafty"}, "publication.status is 'drafty'; it must be draft or final"),
    ({"information_cutoff": "31.12.2024"}, "must be a date written YYYY-MM-DD"),
    ({"distribution": {"secret": "x"}}, "its keys are the audiences public, restricted and training"),
    ({"issued_by": "Ministry"}, "publication.issued_by is 'Ministry'; it must be a list"),
])
def test_a_wrong_publication_setting_is_refused_with_the_key_and_the_fix(publication, said):
    with pytest.raises(ConfigError, match=said.replace("(", r"\(").replace(")", r"\)")):
        Settings.parse({"publication": publication}, "settings.yaml")


def project_with(tmp_path, publication: dict, synthetic: bool) -> Project:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "demo-2016", data, ignore=shutil.ignore_patterns("narrative"))
    (data / "reference").mkdir()
    settings = yaml.safe_load((REFERENCE_DIR / "settings.yaml").read_text(encoding="utf-8"))
    settings["publication"].update(publication)
    (data / "reference" / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    meta = yaml.safe_load((data / "dataset.yaml").read_text(encoding="utf-8"))
    meta["synthetic"] = synthetic
    (data / "dataset.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    return Project(data_dir=data, build_dir=tmp_path / "build")


def test_synthetic_data_never_make_a_final_assessment(tmp_path):
    i18n.set_language("en")
    project = project_with(tmp_path, {"status": "final", "reference": "RSOCTA-2026/01"}, synthetic=True)
    record = dict(frontmatter.record(project, "public", "en").rows)
    assert record["Status"] == "DEMONSTRATION: NOT AN ASSESSMENT"
    assert record["Reference"] == "RSOCTA-2026/01" and record["Information cut-off"] == "31 December 2024"


def test_the_record_of_real_data_in_each_edition_and_language(tmp_path):
    project = project_with(tmp_path, {"status": "final", "information_cutoff": "2025-03-31"}, synthetic=False)
    try:
        i18n.set_language("en")
        public = frontmatter.record(project, "public", "en")
        rows = dict(public.rows)
        assert rows["Status"] == "FINAL" and rows["Information cut-off"] == "31 March 2025"
        assert rows["Distribution"].startswith("Approved for public release")
        assert "Reference" not in rows                    # empty in the repository's settings: not printed
        assert public.author == ("Ministry of Interior of the Republic of Serbia, Ministry of Interior of Montenegro "
                                 "and Ministry of Internal Affairs of the Republic of North Macedonia")
        assert public.keywords[:4] == ["serious and organised crime", "threat assessment", "SOCTA", "Western Balkans"]
        assert "Cybercrime" in public.keywords and public.subtitle == "Serbia, Montenegro and North Macedonia"
        assert dict(frontmatter.record(project, "restricted", "en").rows)["Distribution"].startswith(
            "For the law enforcement authorities")
        i18n.set_language("sr")
        serbian = dict(frontmatter.record(project, "public", "sr").rows)
        assert serbian["Подаци закључно са"] == "31. март 2025." and serbian["Статус"] == "КОНАЧНА ВЕРЗИЈА"
        assert serbian["Издавач"].endswith(" и Министарство унутрашњих послова Републике Северне Македоније")
    finally:
        i18n.set_language("en")


def test_the_first_page_list_is_inert_text():
    record = frontmatter.Record(issued_by=["A"], title="T", subtitle="S", status="DRAFT", keywords=[],
                                rows=[("Reference", "{{ x }} <b>*y*</b>")])
    line = frontmatter.markdown_list(record)
    assert line.startswith("- **Reference:** ") and "<b>" not in line and "{{" not in line
