"""``socta import``: source tables → statistics.csv through a mapping file, and data/open/.

Fast: small fixture files in tmp_path, no notebooks, no book build.
"""
from __future__ import annotations

import csv
import hashlib
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from socta.cli import main
from socta.core.config import Project
from socta.ingest.importer import ImportFailed, provenance_path, run_import
from socta.ingest.mapping import MappingError

ROOT = Path(__file__).resolve().parents[2]
OPEN = ROOT / "data" / "open"


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------

def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


class _FullDumper(yaml.SafeDumper):
    """Writes a value shared by two entries out in full: socta refuses YAML aliases (issue 19)."""

    def ignore_aliases(self, data):
        return True


def mapping(folder: Path, sources: list[dict], **top) -> Path:
    """A mapping file in ``folder`` (the data folder; its reference falls back to data/reference)."""
    return write(folder / "mapping.yaml", yaml.dump({"version": 1, **top, "sources": sources}, Dumper=_FullDumper,
                                                    sort_keys=False))


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def entry(name: str, file: str, fmt: str, rules: list[dict], **more) -> dict:
    return {"name": name, "file": file, "format": fmt, "source": f"{name} (test)", "grade": "A2",
            "handling_code": "H0", **more, "rules": rules}


LONG_COLUMNS = {"country": "iso3", "year": "year", "value": "value", "value_as_published": "value_as_published",
                "qualifier": "qualifier", "note": "note"}

LONG_CSV = """
country,iso3,year,indicator,value,unit,value_as_published,qualifier,note
Serbia,SRB,2020,Drug offences,4774,offences,"4,774",reported,
Serbia,SRB,2021,Drug offences,5000,offences,about 5000,approx,
Serbia,SRB,2022,Cocaine seized,3300,kg,more than 3300 kg,lower_bound,minister's statement
Montenegro,MNE,2022,Drug offences,120,offences,120,partial_year,January–June 2022 only
Montenegro,MNE,2021,Drug offences,,offences,<5,suppressed_lt5,
North Macedonia,MKD,2021,Homicide,20,offences,20,reported,
North Macedonia,MKD,2022,Homicide,21,offences,21,reported,
North Macedonia,MKD,2022,Kidnapping,3,offences,3,reported,
,,2022,Drug offences,999,offences,999,reported,regional total
"""

RULES_LONG = [
    {"match": {"indicator": "Drug offences"}, "indicator": "drug_offences"},
    {"match": {"indicator": "Cocaine seized"}, "indicator": "drug_seizures_kg", "submarket": "cocaine"},
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    return data


def run(folder: Path, mapping_file: Path, **kw):
    return run_import(mapping_file, folder / "statistics.csv", **kw)


def by_key(rows: list[dict]) -> dict[tuple, dict]:
    return {(r["country"], r["year"], r["indicator"], r["submarket"], r["category"]): r for r in rows}


# ------------------------------------------------------------------------------------------
# long CSV: qualifiers
# ------------------------------------------------------------------------------------------

def test_long_csv_qualifiers_become_status_censoring_and_months(folder):
    write(folder / "raw" / "values.csv", LONG_CSV)
    m = mapping(folder, [entry("long", "raw/values.csv", "long_csv", RULES_LONG, columns=LONG_COLUMNS)])
    result, written = run(folder, m)
    rows = by_key(read_rows(folder / "statistics.csv"))
    assert rows[("SRB", "2020", "drug_offences", "", "")]["value"] == "4774"
    assert rows[("SRB", "2020", "drug_offences", "", "")]["status"] == ""
    assert rows[("SRB", "2021", "drug_offences", "", "")]["status"] == "E"            # approx
    assert rows[("SRB", "2022", "drug_seizures_kg", "cocaine", "")]["value"] == ">3300"  # lower bound
    assert rows[("MNE", "2022", "drug_offences", "", "")]["months"] == "6"           # from the note
    assert rows[("MNE", "2021", "drug_offences", "", "")]["value"] == "<5"           # suppressed
    first = read_rows(folder / "statistics.csv")[0]
    assert list(first) == ["country", "year", "indicator", "submarket", "category", "value", "unit", "source",
                           "grade", "handling_code", "status", "months"]
    assert rows[("SRB", "2022", "drug_seizures_kg", "cocaine", "")]["unit"] == "kg"
    # the regional row has no country: skipped and said so, never attributed to a country
    assert any("without a country code" in line for line in result.report)
    assert written == [folder / "statistics.csv", folder / "provenance.csv"]


def test_provenance_traces_every_row_to_the_source_row_and_published_value(folder):
    write(folder / "raw" / "values.csv", LONG_CSV)
    m = mapping(folder, [entry("long", "raw/values.csv", "long_csv", RULES_LONG, columns=LONG_COLUMNS)])
    run(folder, m)
    stats = read_rows(folder / "statistics.csv")
    trace = read_rows(folder / "provenance.csv")
    assert len(trace) == len(stats)
    for number, (row, origin) in enumerate(zip(stats, trace), start=2):
        assert origin["statistics_row"] == str(number)
        assert all(origin[k] == row[k] for k in ("country", "year", "indicator", "value"))
        assert origin["source_file"] == "raw/values.csv"
    srb = next(t for t in trace if t["country"] == "SRB" and t["year"] == "2020")
    assert srb["source_row"] == "2" and srb["value_as_published"] == "4,774"
    cocaine = next(t for t in trace if t["indicator"] == "drug_seizures_kg")
    assert cocaine["source_row"] == "4" and cocaine["published_marker"] == "lower_bound"


def test_part_year_without_months_is_an_error_unless_the_rule_declares_them(folder):
    write(folder / "raw" / "v.csv", """
        country,iso3,year,indicator,value,unit,value_as_published,qualifier,note
        Serbia,SRB,2024,Drug offences,300,offences,300,partial_year,part of the year only
    """)
    m = mapping(folder, [entry("long", "raw/v.csv", "long_csv", RULES_LONG, columns=LONG_COLUMNS)])
    with pytest.raises(ImportFailed) as failed:
        run(folder, m)
    assert "months" in failed.value.problems[0] and "row 2" in failed.value.problems[0]
    rules = [{**RULES_LONG[0], "months": 3}]
    m = mapping(folder, [entry("long", "raw/v.csv", "long_csv", rules, columns=LONG_COLUMNS)])
    run(folder, m)
    assert read_rows(folder / "statistics.csv")[0]["months"] == "3"


def test_unit_factor_and_count_check(folder):
    write(folder / "raw" / "v.csv", """
        country,iso3,year,indicator,value,unit
        Serbia,SRB,2020,Heroin seized (g),1500,g
        Serbia,SRB,2020,Offences,2.5,offences
    """)
    columns = {"country": "iso3", "year": "year", "value": "value"}
    rules = [{"match": {"indicator": "Heroin seized (g)"}, "indicator": "drug_seizures_kg", "submarket": "heroin",
              "factor": 0.001}]
    m = mapping(folder, [entry("long", "raw/v.csv", "long_csv", rules, columns=columns)])
    run(folder, m)
    assert read_rows(folder / "statistics.csv")[0]["value"] == "1.5"
    rules.append({"match": {"indicator": "Offences"}, "indicator": "drug_offences"})
    m = mapping(folder, [entry("long", "raw/v.csv", "long_csv", rules, columns=columns)])
    with pytest.raises(ImportFailed) as failed:
        run(folder, m)
    assert "not a whole number" in failed.value.problems[0]


def test_semicolon_file_with_decimal_commas(folder):
    """A spreadsheet export from the region: ';' separators, decimal commas, Windows-1250."""
    text = "country;iso3;year;indicator;value\nSrbija – Beograd, čćšžđ;SRB;2020;Heroin;1.234,5\n"
    (folder / "raw").mkdir()
    (folder / "raw" / "v.csv").write_bytes(text.encode("cp1250"))
    rules = [{"match": {"indicator": "Heroin"}, "indicator": "drug_seizures_kg", "submarket": "heroin"}]
    m = mapping(folder, [entry("v", "raw/v.csv", "long_csv", rules, columns=COLUMNS_DUP)])
    run(folder, m)
    assert read_rows(folder / "statistics.csv")[0]["value"] == "1234.5"
    assert read_rows(folder / "provenance.csv")[0]["value_as_published"] == "1.234,5"


# ------------------------------------------------------------------------------------------
# Eurostat TSV: flags
# ------------------------------------------------------------------------------------------

EUROSTAT_TSV = (
    "freq,unit,iccs,geo\\TIME_PERIOD\t2012 \t2013 \t2014 \t2015 \t2016 \n"
    "A,NR,ICCS0601,MK\t594 \t: \t22 b\t17 \t: c\n"
    "A,NR,ICCS0601,RS\t4774 \t5012 p\t5100 e\t4900 bp\t: z\n"
    "A,NR,ICCS0601,DE\t1000 \t1001 \t1002 \t1003 \t1004 \n"
    "A,NR,ICCS0101,RS\t100 \t101 \t102 \t103 \t104 \n"
    "A,P_HTHAB,ICCS0601,RS\t60.1 \t61.2 \t62.3 \t63.4 \t64.5 \n"
)


def test_eurostat_flags_become_observation_status(folder):
    (folder / "raw").mkdir()
    (folder / "raw" / "estat.tsv").write_text(EUROSTAT_TSV, encoding="utf-8")
    rules = [{"match": {"iccs": "ICCS0601", "unit": "NR"}, "indicator": "drug_offences"}]
    m = mapping(folder, [entry("estat", "raw/estat.tsv", "eurostat_tsv", rules)])
    result, _ = run(folder, m)
    rows = by_key(read_rows(folder / "statistics.csv"))

    def cell(country, year):
        r = rows[(country, str(year), "drug_offences", "", "")]
        return r["value"], r["status"]

    assert cell("MKD", 2012) == ("594", "")
    assert cell("MKD", 2013) == ("", "O")      # ':' not available
    assert cell("MKD", 2014) == ("22", "B")    # b break in series
    assert cell("MKD", 2016) == ("", "Q")      # ': c' confidential
    assert cell("SRB", 2013) == ("5012", "P")  # provisional
    assert cell("SRB", 2014) == ("5100", "E")  # estimated
    assert cell("SRB", 2015) == ("4900", "B|P")
    assert cell("SRB", 2016) == ("", "M")      # ': z' not applicable
    assert not any(k[0] == "DEU" for k in rows)  # not a country of the assessment
    text = "\n".join(result.report)
    assert "DEU (5)" in text
    assert "matched no rule" in text and "iccs='ICCS0101'" in text
    trace = {(t["country"], t["year"]): t for t in read_rows(folder / "provenance.csv")}
    assert trace[("SRB", "2015")]["source_column"].strip() == "2015"
    assert trace[("SRB", "2015")]["value_as_published"] == "4900 bp"
    assert trace[("SRB", "2015")]["source_row"] == "3"


def test_eurostat_missing_skip_and_unknown_flag(folder):
    (folder / "raw").mkdir()
    (folder / "raw" / "estat.tsv").write_text(EUROSTAT_TSV, encoding="utf-8")
    rules = [{"match": {"iccs": "ICCS0601", "unit": "NR"}, "indicator": "drug_offences"}]
    m = mapping(folder, [entry("estat", "raw/estat.tsv", "eurostat_tsv", rules, missing="skip")])
    run(folder, m)
    assert all(r["value"] for r in read_rows(folder / "statistics.csv"))
    bad = EUROSTAT_TSV.replace("22 b", "22 w").replace("5100 e", "5100 w").replace("1002 ", "x")  # x: a DE row
    (folder / "raw" / "estat.tsv").write_text(bad, encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        run(folder, m)
    assert len(failed.value.problems) == 2  # every bad cell of an imported row; the German row is not imported
    assert all("flag 'w'" in p and "flags:" in p for p in failed.value.problems)
    assert "row 2, column '2014'" in failed.value.problems[0] and "row 3, column '2014'" in failed.value.problems[1]


# ------------------------------------------------------------------------------------------
# UNODC data-portal table: '<5'
# ------------------------------------------------------------------------------------------

UNODC_CSV = """
Iso3_code,Country,Region,Subregion,Indicator,Dimension,Category,Sex,Age,Year,Unit of measurement,VALUE,Source
SRB,Serbia,Europe,Southern Europe,Detected trafficking victims,Total,Total,Total,Total,2020,Counts,42,CTS
SRB,Serbia,Europe,Southern Europe,Detected trafficking victims,by sex,Total,Female,Total,2020,Counts,35,CTS
SRB,Serbia,Europe,Southern Europe,Detected trafficking victims,by sex,Total,Male,Total,2020,Counts,7,CTS
MNE,Montenegro,Europe,Southern Europe,Detected trafficking victims,by sex,Total,Female,Total,2020,Counts,<5,CTS
MNE,Montenegro,Europe,Southern Europe,Detected trafficking victims,by sex,Total,Male,Total,2020,Counts,<5,CTS
MNE,Montenegro,Europe,Southern Europe,Detected trafficking victims,by sex,Total,Male,Total,2020,Rate per 100000,0.3,CTS
"""


def test_unodc_censored_values_stay_censored(folder):
    write(folder / "raw" / "unodc.csv", UNODC_CSV)
    rules = [
        {"match": {"Dimension": "by sex", "Sex": "Female", "Unit of measurement": "Counts"},
         "indicator": "thb_victims_sex", "category": "female"},
        {"match": {"Dimension": "by sex", "Sex": "Male", "Unit of measurement": "Counts"},
         "indicator": "thb_victims_sex", "category": "male"},
        {"match": {"Dimension": "Total"}, "skip": "the total is the sum of the breakdown"},
    ]
    m = mapping(folder, [entry("unodc", "raw/unodc.csv", "unodc", rules)])
    result, _ = run(folder, m)
    rows = by_key(read_rows(folder / "statistics.csv"))
    assert rows[("MNE", "2020", "thb_victims_sex", "", "female")]["value"] == "<5"
    assert rows[("MNE", "2020", "thb_victims_sex", "", "male")]["value"] == "<5"
    assert rows[("SRB", "2020", "thb_victims_sex", "", "female")]["value"] == "35"
    report = "\n".join(result.report)
    assert "1 skipped by rule: the total is the sum of the breakdown" in report
    assert "1 matched no rule" in report and "'Rate per 100000'" in report


# ------------------------------------------------------------------------------------------
# duplicates, unmatched rows, atomic output
# ------------------------------------------------------------------------------------------

DUPLICATES = """
country,iso3,year,indicator,value,unit
Serbia,SRB,2019,Ecstasy,3,kg
Serbia,SRB,2019,Ecstasy,31,kg
Serbia,SRB,2020,Ecstasy,11.2,kg
"""
RULES_DUP = [{"match": {"indicator": "Ecstasy"}, "indicator": "drug_seizures_kg", "submarket": "synthetic"}]
COLUMNS_DUP = {"country": "iso3", "year": "year", "value": "value"}


def test_duplicates_are_reported_with_both_rows_and_never_summed(folder):
    write(folder / "raw" / "seizures.csv", DUPLICATES)
    out = write(folder / "statistics.csv", "previous content\n")
    source_hash = hashlib.sha256((folder / "raw" / "seizures.csv").read_bytes()).hexdigest()
    m = mapping(folder, [entry("wdr", "raw/seizures.csv", "long_csv", RULES_DUP, columns=COLUMNS_DUP)])
    with pytest.raises(ImportFailed) as failed:
        run(folder, m)
    [problem] = failed.value.problems
    assert "SRB 2019 drug_seizures_kg synthetic" in problem
    assert "raw/seizures.csv row 2" in problem and "'3'" in problem
    assert "raw/seizures.csv row 3" in problem and "'31'" in problem
    assert "not summed" in problem and "duplicates:" in problem
    # nothing written, the source untouched
    assert out.read_text() == "previous content\n"
    assert not provenance_path(out).exists()
    assert hashlib.sha256((folder / "raw" / "seizures.csv").read_bytes()).hexdigest() == source_hash


@pytest.mark.parametrize("resolution, kept, left_out", [("first", "3", "row 3"), ("max", "31", "row 2")])
def test_declared_duplicate_resolution_is_applied_and_still_reported(folder, resolution, kept, left_out):
    write(folder / "raw" / "seizures.csv", DUPLICATES)
    m = mapping(folder, [entry("wdr", "raw/seizures.csv", "long_csv", RULES_DUP, columns=COLUMNS_DUP,
                               duplicates=resolution)])
    result, _ = run(folder, m)
    rows = by_key(read_rows(folder / "statistics.csv"))
    assert rows[("SRB", "2019", "drug_seizures_kg", "synthetic", "")]["value"] == kept
    assert any(f"duplicates: {resolution}" in line and left_out in line for line in result.report)
    trace = {t["year"]: t for t in read_rows(folder / "provenance.csv")}
    assert left_out in trace["2019"]["other_source_rows"]


def test_duplicates_across_two_sources_are_reported(folder):
    write(folder / "raw" / "a.csv", "country,iso3,year,indicator,value\nSerbia,SRB,2020,Drugs,10\n")
    write(folder / "raw" / "b.csv", "country,iso3,year,indicator,value\nSerbia,SRB,2020,Drugs,12\n")
    rules = [{"match": {"indicator": "Drugs"}, "indicator": "drug_offences"}]
    m = mapping(folder, [entry("a", "raw/a.csv", "long_csv", rules, columns=COLUMNS_DUP),
                         entry("b", "raw/b.csv", "long_csv", rules, columns=COLUMNS_DUP)])
    with pytest.raises(ImportFailed) as failed:
        run(folder, m)
    assert "raw/a.csv row 2 [a]: '10'" in failed.value.problems[0]
    assert "raw/b.csv row 2 [b]: '12'" in failed.value.problems[0]


def test_unmatched_rows_are_summarised_by_group_not_row_by_row(folder):
    lines = ["country,iso3,year,indicator,value"]
    lines += [f"Serbia,SRB,{2000 + i},Homicide,{i}" for i in range(20)]
    lines += [f"Serbia,SRB,{2000 + i},Kidnapping,{i}" for i in range(5)]
    lines += ["Serbia,SRB,2020,Drugs,10"]
    write(folder / "raw" / "v.csv", "\n".join(lines) + "\n")
    rules = [{"match": {"indicator": "Drugs"}, "indicator": "drug_offences"}]
    m = mapping(folder, [entry("v", "raw/v.csv", "long_csv", rules, columns=COLUMNS_DUP)])
    result, _ = run(folder, m)
    report = "\n".join(result.report)
    assert "25 matched no rule, skipped, in 2 group(s)" in report
    assert "20 × indicator='Homicide'" in report and "5 × indicator='Kidnapping'" in report
    assert len(result.report) < 6


def test_status_override_is_applied_and_must_match_a_row(folder):
    write(folder / "raw" / "v.csv", "country,iso3,year,indicator,value\nNorth Macedonia,MKD,2014,Drugs,22\n")
    rules = [{"match": {"indicator": "Drugs"}, "indicator": "drug_offences"}]
    override = {"country": "MKD", "year": 2014, "indicator": "drug_offences", "status": "B", "reason": "recording changed"}
    m = mapping(folder, [entry("v", "raw/v.csv", "long_csv", rules, columns=COLUMNS_DUP)], status_overrides=[override])
    run(folder, m)
    assert read_rows(folder / "statistics.csv")[0]["status"] == "B"
    m = mapping(folder, [entry("v", "raw/v.csv", "long_csv", rules, columns=COLUMNS_DUP)],
                status_overrides=[{**override, "year": 2015}])
    with pytest.raises(ImportFailed) as failed:
        run(folder, m)
    assert "status_overrides[1]" in failed.value.problems[0] and "matches no imported row" in failed.value.problems[0]


# ------------------------------------------------------------------------------------------
# bad mappings: the message names the mapping file, the entry and the fix
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, expected", [
    (lambda e: e["rules"][0].update(indicator="drug_ofences"),
     r"mapping\.yaml, sources\[1\] 'v', rules\[1\]: unknown indicator 'drug_ofences' \(did you mean 'drug_offences'\?\)"),
    (lambda e: e.update(file="raw/missing.csv"), r"sources\[1\] 'v': file 'raw/missing.csv' not found"),
    (lambda e: e.update(format="long-csv"), r"format 'long-csv' is not known \(did you mean 'long_csv'\?\)"),
    (lambda e: e.update(grade="A9"), r"grade 'A9' is not a grade"),
    (lambda e: e.update(colums={}), r"unknown key 'colums' \(did you mean 'columns'\?\)"),
    (lambda e: e["rules"][0].update(submarket="coke"), r"drug_offences has no submarkets"),
    (lambda e: e["rules"].append({"match": {"indicator": "x"}, "indicator": "drug_seizures_kg", "submarket": "cocain"}),
     r"rules\[2\]: indicator drug_seizures_kg needs submarket: one of .*\(did you mean 'cocaine'\?\)"),
    (lambda e: e["rules"][0].update(match={"indicatr": "Drugs"}),
     r"rules\[1\], match: 'indicatr' is not a column of raw/v.csv \(did you mean 'indicator'\?\)"),
    (lambda e: e["rules"][0].update(status="X"), r"status 'X' is not an observation-status code"),
    (lambda e: e["rules"][0].pop("indicator"), r"give either indicator: .* or skip:"),
])
def test_bad_mapping_is_a_clear_error(folder, change, expected):
    write(folder / "raw" / "v.csv", "country,iso3,year,indicator,value\nSerbia,SRB,2020,Drugs,10\n")
    source = entry("v", "raw/v.csv", "long_csv", [{"match": {"indicator": "Drugs"}, "indicator": "drug_offences"}],
                   columns=COLUMNS_DUP)
    change(source)
    m = mapping(folder, [source])
    with pytest.raises(MappingError, match=expected):
        run(folder, m)
    assert not (folder / "statistics.csv").exists()


def test_indicators_are_checked_against_the_reference_in_force(folder):
    """A data folder's own reference/indicators.csv is the one in force."""
    (folder / "reference").mkdir()
    (folder / "reference" / "indicators.csv").write_text(
        "indicator_id,area_id,name_en,unit,kind,submarkets,categories,headline\n"
        "corruption_offences,drugs,Corruption offences,offences,count,,,true\n", encoding="utf-8")
    write(folder / "raw" / "v.csv", "country,iso3,year,indicator,value\nSerbia,SRB,2020,Drugs,10\n")
    rules = [{"match": {"indicator": "Drugs"}, "indicator": "drug_offences"}]
    m = mapping(folder, [entry("v", "raw/v.csv", "long_csv", rules, columns=COLUMNS_DUP)])
    with pytest.raises(MappingError, match=re.escape(str(folder / "reference" / "indicators.csv"))):
        run(folder, m)


def test_cli_import(folder, capsys):
    write(folder / "raw" / "v.csv", "country,iso3,year,indicator,value\nSerbia,SRB,2020,Drugs,10\n")
    rules = [{"match": {"indicator": "Drugs"}, "indicator": "drug_offences"}]
    m = mapping(folder, [entry("v", "raw/v.csv", "long_csv", rules, columns=COLUMNS_DUP)])
    out = folder / "statistics.csv"
    assert main(["import", "--mapping", str(m), "--out", str(out), "--dry-run"]) == 0
    assert not out.exists()
    assert main(["import", "--mapping", str(m), "--out", str(out)]) == 0
    assert read_rows(out)[0]["value"] == "10"
    assert "1 rows imported" in capsys.readouterr().out
    bad = mapping(folder, [entry("v", "raw/v.csv", "long_csv", [{**rules[0], "indicator": "drugs"}], columns=COLUMNS_DUP)])
    assert main(["import", "--mapping", str(bad), "--out", str(out)]) == 2
    assert "unknown indicator 'drugs'" in capsys.readouterr().out
    assert main(["import", "--mapping", str(m), "--out", str(folder / "raw" / "v.csv")]) == 2


# ------------------------------------------------------------------------------------------
# data/open: reproducible from the raw files, and nothing invented
# ------------------------------------------------------------------------------------------

def test_open_statistics_are_exactly_what_the_import_produces(tmp_path):
    out = tmp_path / "statistics.csv"
    run_import(OPEN / "mapping.yaml", out, data_dir=OPEN)
    assert out.read_bytes() == (OPEN / "statistics.csv").read_bytes(), \
        "data/open/statistics.csv differs from a fresh import: run socta import --mapping data/open/mapping.yaml " \
        "--out data/open/statistics.csv"
    assert (tmp_path / "provenance.csv").read_bytes() == (OPEN / "provenance.csv").read_bytes()


def _raw_numbers(text: str) -> set[Decimal]:
    return {Decimal(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text)}


def test_every_open_value_is_in_the_raw_files():
    stats = read_rows(OPEN / "statistics.csv")
    trace = read_rows(OPEN / "provenance.csv")
    assert stats and len(trace) == len(stats)
    raw_text = {path.relative_to(OPEN).as_posix(): path.read_text(encoding="utf-8") for path in (OPEN / "raw").glob("*.csv")}
    raw_rows = {name: read_rows(OPEN / name) for name in raw_text}
    numbers = set().union(*(_raw_numbers(text) for text in raw_text.values()))
    for row, origin in zip(stats, trace):
        value = row["value"].lstrip("<>")
        assert value, f"an empty value in data/open: {row}"
        assert Decimal(value) in numbers, f"{row} has a value found nowhere in data/open/raw"
        # and it is the value of the very source row provenance.csv names, same country and year
        source = raw_rows[origin["source_file"]][int(origin["source_row"]) - 2]
        assert Decimal(source["value"]) == Decimal(value), (row, source)
        assert (source["iso3"], source["year"]) == (row["country"], row["year"])
        assert source["value_as_published"] == origin["value_as_published"]


def test_open_raw_files_match_their_recorded_checksums():
    readme = (OPEN / "raw" / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"`([\w.]+)`[^\n]*?`([0-9a-f]{64})`", readme))
    files = sorted(p.name for p in (OPEN / "raw").iterdir() if p.name != "README.md")
    assert sorted(recorded) == files
    for name, digest in recorded.items():
        assert hashlib.sha256((OPEN / "raw" / name).read_bytes()).hexdigest() == digest, f"raw/{name} was changed"


def test_open_dataset_is_real_within_its_period_with_one_headline_per_area():
    meta = yaml.safe_load((OPEN / "dataset.yaml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is False and "synthetic" not in meta["name"].lower()
    first, last = meta["period"]
    stats = read_rows(OPEN / "statistics.csv")
    assert all(first <= int(r["year"]) <= last for r in stats)
    assert not any(r["months"] for r in stats) or last >= 2025  # Frontex Jan-Apr 2025 only if the period has 2025
    project = Project(data_dir=OPEN)
    from socta.ingest.reference import Reference

    ref = Reference(project)
    indicators = ref.indicators
    assert set(r["indicator"] for r in stats) == set(indicators.index), "an indicator without data, or data without one"
    for area in ref.top_areas.index:
        headlines = indicators[indicators["area_id"].eq(area)]["headline"].sum()
        has_indicators = indicators["area_id"].eq(area).any()
        assert headlines == (1 if has_indicators else 0), area
    assert {"thb", "property"} <= set(ref.top_areas.index)
    assert not indicators["area_id"].isin(["thb", "property"]).any()
    breaks = [(r["year"], r["value"]) for r in stats
              if (r["country"], r["indicator"]) == ("MKD", "drug_offences") and "B" in r["status"].split("|")]
    assert breaks == [("2014", "22"), ("2019", "896")]
    population = ref.population
    for country in ref.countries.index:
        years = set(population.loc[population["iso3"].eq(country), "year"].astype(int))
        assert set(range(first, last + 1)) <= years, f"population.csv lacks {country} years of the period"


def test_a_lower_bound_for_part_of_the_year_keeps_both(folder):
    """"More than 6.2 tonnes, 1 January – 4 December" (a minister's statement): a lower bound and a
    part-year figure at once, imported, validated and printed as both (">6,200 y"), never one silently."""
    import pandas as pd

    from socta.core.config import Project
    from socta.ingest.reference import Reference
    from socta.ingest.validation import validate
    from socta.pages.observations import observation_text

    write(folder / "raw" / "values.csv", """
    country,iso3,year,indicator,value,unit,value_as_published,qualifier,note
    Serbia,SRB,2024,Cocaine seized,6.2,t,more than 6.2 tonnes,lower_bound|partial_year,1 January – 4 December 2024
    Serbia,SRB,2023,Cocaine seized,1.5,t,1.5 tonnes,partial_year,first 10 months
    Serbia,SRB,2022,Cocaine seized,2,t,2 tonnes,partial_year,first half
    Serbia,SRB,2021,Cocaine seized,2,t,2 tonnes,lower_bound|no_such,
    """)
    rules = [{"match": {"indicator": "Cocaine seized"}, "indicator": "drug_seizures_kg", "submarket": "cocaine",
              "factor": 1000}]
    m = mapping(folder, [entry("long", "raw/values.csv", "long_csv", rules, columns=LONG_COLUMNS)])
    from socta.ingest.importer import ImportFailed

    with pytest.raises(ImportFailed) as failed:
        run(folder, m)
    assert any("qualifier 'no_such' is not known" in p and "several separated by |" in p for p in failed.value.problems)
    raw = (folder / "raw" / "values.csv").read_text(encoding="utf-8")
    (folder / "raw" / "values.csv").write_text("\n".join(raw.splitlines()[:-1]) + "\n", encoding="utf-8")
    run(folder, m)
    rows = by_key(read_rows(folder / "statistics.csv"))
    assert (rows[("SRB", "2024", "drug_seizures_kg", "cocaine", "")]["value"],
            rows[("SRB", "2024", "drug_seizures_kg", "cocaine", "")]["months"]) == (">6200", "11")
    assert rows[("SRB", "2023", "drug_seizures_kg", "cocaine", "")]["months"] == "10"
    assert rows[("SRB", "2022", "drug_seizures_kg", "cocaine", "")]["months"] == "6"
    write(folder / "dataset.yaml", """
    name: Test of a bounded part-year figure
    synthetic: false
    description: one minister's statement
    """)
    project = Project(data_dir=folder)
    result = validate(project)
    assert result.ok, result.problems[:3]
    stats = result.tables["statistics.csv"]
    row = stats[stats["year"].eq(2024)].iloc[0]
    assert (row["censor"], row["bound"], row["months"]) == ("above", 6200, 11)
    status = Reference(project).observation_status
    assert observation_text(pd.Series(row), status)[0] == ">6,200\u00a0y"


def test_duplicates_sum_only_with_a_reason(folder):
    """A source's "other forms" split over unnamed rows can be added up, never silently: duplicates: sum
    needs duplicates_reason, and the import reports the rows it added."""
    from socta.ingest.mapping import MappingError

    write(folder / "raw" / "v.csv", """
    country,iso3,year,indicator,value,unit,value_as_published,qualifier,note
    Serbia,SRB,2022,Drug offences,10,offences,10,reported,one of 2 rows
    Serbia,SRB,2022,Drug offences,15,offences,15,reported,one of 2 rows
    """)
    m = mapping(folder, [entry("long", "raw/v.csv", "long_csv", RULES_LONG, columns=LONG_COLUMNS, duplicates="sum")])
    with pytest.raises(MappingError, match="duplicates_reason"):
        run(folder, m)
    reason = "the publisher's table splits the offences over two unnamed rows; its total is their sum"
    m = mapping(folder, [entry("long", "raw/v.csv", "long_csv", RULES_LONG, columns=LONG_COLUMNS, duplicates="sum",
                               duplicates_reason=reason)])
    result, _ = run(folder, m)
    assert read_rows(folder / "statistics.csv")[0]["value"] == "25"
    assert any("summed (" + reason + ")" in line for line in result.report)
    trace = read_rows(folder / "provenance.csv")[0]
    assert trace["other_source_rows"].count("raw/v.csv row") == 2
