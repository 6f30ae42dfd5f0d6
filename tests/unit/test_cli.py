"""The socta command as an analyst meets it: exit codes and messages on bad input.

The command line runs in this process (``socta.cli.main``, its exit code and what it prints), as
``python -m socta`` runs it; one test starts the real command, ``socta --help``."""
import shutil

from socta import cli

from ..helpers import REPO, socta


def run(capsys, *args) -> tuple[int, str]:
    """``socta ARGS`` in this process: the exit code and everything printed."""
    capsys.readouterr()
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


def copy_demo(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "demo-2016", data)
    return data


def test_validate_the_demo_data(tmp_path, capsys):
    code, out = run(capsys, "validate", "--build-dir", tmp_path / "build")
    assert code == 0, out
    assert "data valid" in out
    assert (tmp_path / "build/processed/public/statistics.parquet").is_file()
    assert not (tmp_path / "build/processed/public/ocg_register.parquet").exists()
    assert (tmp_path / "build/processed/restricted/ocg_register.parquet").is_file()


def test_bad_data_is_reported_and_nothing_is_written(tmp_path, capsys):
    data = copy_demo(tmp_path)
    stats = data / "statistics.csv"
    lines = stats.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    row[header.index("value")] = "abc"
    lines[3] = ",".join(row)
    stats.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = run(capsys, "validate", "--data", data, "--build-dir", tmp_path / "build")
    assert code == 1
    assert "statistics.csv, row 4, column 'value': 'abc': is not a number" in out
    assert "nothing was written" in out
    assert not (tmp_path / "build" / "processed").exists()
    code, _ = run(capsys, "run", "--data", data, "--build-dir", tmp_path / "build")
    assert code == 1 and not (tmp_path / "build" / "public-en").exists()


def test_missing_data_folder_is_named(tmp_path, capsys):
    code, out = run(capsys, "validate", "--data", tmp_path / "nowhere")
    assert code == 2
    assert "nowhere does not exist" in out and "data/README.md" in out


def test_unknown_country_selection_is_an_error(demo_project, tmp_path, capsys):
    # the demo's processed tables of this session, which `socta run` reuses (the data are unchanged)
    shutil.copytree(demo_project.build_dir / "processed", tmp_path / "build" / "processed")
    code, out = run(capsys, "run", "--country", "XXX", "--build-dir", tmp_path / "build")
    assert code == 2 and "No notebook matches" in out
    assert "countries: SRB, MNE, MKD, region" in out


def test_help_lists_the_commands():
    result = socta("--help")
    for command in ("validate", "run", "build", "report"):
        assert command in result.stdout


def test_build_refuses_pages_missing_or_out_of_date(tmp_path, capsys):
    code, out = run(capsys, "build", "--build-dir", tmp_path / "build", "--formats", "html")
    assert code == 1
    assert "page(s) are missing or out of date" in out and "areas/drugs/index" in out


def test_unknown_language_is_refused(tmp_path, capsys):
    code, out = run(capsys, "run", "--lang", "sq", "--build-dir", tmp_path / "build")
    assert code == 2 and "no edition language 'sq'" in out
    assert "settings.yaml lists en, sr, sr-Latn, mk, cnr" in out


def test_language_without_catalogue_is_refused(tmp_path, monkeypatch):
    from socta import cli
    from socta.i18n import translate as i18n

    (tmp_path / "locale").mkdir()
    (tmp_path / "locale" / "languages.yaml").write_text(
        (i18n.LOCALE_DIR / "languages.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    why = cli.edition_languages("en,mk", ["en", "mk"])
    assert "the mk edition cannot be built" in why and "mk/LC_MESSAGES/socta.po does not exist" in why
    assert cli.edition_languages("all", ["en"]) == ["en"]
    # Serbian Latin is Serbian Cyrillic's catalogue, transliterated: it needs that one
    assert "sr/LC_MESSAGES/socta.po" in cli.edition_languages("sr-Latn", ["sr-Latn"])


def test_a_broken_language_entry_is_named_with_its_key(tmp_path, monkeypatch):
    import yaml

    from socta import cli
    from socta.i18n import translate as i18n

    registry = yaml.safe_load((i18n.LOCALE_DIR / "languages.yaml").read_text(encoding="utf-8"))
    registry["mk"].pop("latex_babel")
    registry["cnr"]["babel"] = "montenegrin"
    monkeypatch.setattr(i18n, "languages", lambda: registry)
    assert "languages.yaml, language mk: no latex_babel" in cli.edition_languages("mk", ["mk"])
    assert "language cnr, key babel: 'montenegrin' is not a Babel locale" in cli.edition_languages("cnr", ["cnr"])
