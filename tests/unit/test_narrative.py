"""The analysts' narrative: live values against hand-computed ones, the check of typed numbers, direction
words and yardstick terms in English and Serbian, inert text, restricted passages, drafts and --final,
translations, and the preview's rebuild on save."""
from __future__ import annotations

import re
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from socta.book import preview
from socta.book.build import refuse_leaks, restricted_probes
from socta.book.stage import BuildError
from socta.core.config import Project
from socta.i18n.translate import set_language
from socta.narrative import files, status
from socta.narrative.check import Checker, scope_of_page, typed_numbers
from socta.narrative.files import NarrativeError
from socta.narrative.render import Renderer
from socta.narrative.values import LiveValues

from ..conftest import DEMO_DIR, copy_demo

STATS = pd.read_csv(DEMO_DIR / "statistics.csv", dtype={"value": str}, keep_default_na=False)


def total(indicator: str, year: int, countries=("SRB", "MNE", "MKD")) -> float:
    """The regional total as a reader would add it up from statistics.csv."""
    rows = STATS[STATS["indicator"].eq(indicator) & STATS["year"].eq(year) & STATS["country"].isin(countries)]
    return float(pd.to_numeric(rows["value"]).sum())


def write(folder: Path, lang: str, page: str, body: str, **meta) -> Path:
    meta = {"author": "Test analyst", "status": "reviewed", **meta}
    path = folder / "narrative" / lang / f"{page}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    front = "".join(f"{k}: {v}\n" for k, v in meta.items())
    path.write_text(f"---\n{front}---\n" + textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def render(data: Path, processed: dict, body: str, *, lang: str = "en", scope: str = "region", area: str | None = "drugs",
           audience: str = "public", page: str = "areas/drugs/index"):
    """Render and check one narrative (a page's sections, or a chapter with ``area=None``)."""
    path = write(data, lang, page, body)
    project = Project(data_dir=data)
    values = LiveValues(project, processed[audience], audience, lang, scope, area)
    set_language(lang)
    file = files.read(path, page, lang)
    parts = files.configured_parts(project, "section") if area else None
    terms = list(values.page.ref.yardstick.sort_values("lower_pct")["term"])
    rendered = Renderer(file, values, audience == "restricted", parts, terms).render()
    indicators, scopes = scope_of_page(values)
    issues = rendered.issues + Checker(values, lang, str(path), indicators, scopes).check(rendered)
    return SimpleNamespace(text="\n\n".join(rendered.sections.values()), issues=issues, rendered=rendered, path=path)


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_demo(tmp_path / "data")


# ---- live values ---------------------------------------------------------------------------------
def test_live_values_are_the_data_as_the_edition_prints_them(data, processed):
    offences_24, offences_20 = total("drug_offences", 2024), total("drug_offences", 2020)
    out = render(data, processed, """
        ## Assessment
        Police recorded {value}`drug_offences 2024` offences, up by {change}`drug_offences 2020-2024` since 2020.
        In Serbia alone: {value}`drug_offences 2024 SRB`. Rank {rank}`thb`, {tier}`thb`.
        """)
    scores = pd.read_parquet(processed["public"] / "area_scores.parquet").set_index(["scope", "area"])
    assert f"Rank {int(scores.at[('region', 'thb'), 'rank'])}, {scores.at[('region', 'thb'), 'tier']}." in out.text
    assert f"{offences_24:,.0f}" in out.text
    assert f"{100 * (offences_24 - offences_20) / offences_20:.1f}%" in out.text
    assert f"{total('drug_offences', 2024, ('SRB',)):,.0f}" in out.text
    assert out.text.startswith("## Assessment") and not out.issues


def test_live_values_in_serbian_use_serbian_numbers(data, processed):
    offences_24, offences_20 = total("drug_offences", 2024), total("drug_offences", 2020)
    out = render(data, processed, """
        ## Процена
        Полиција је евидентирала {value}`drug_offences 2024` дела; број је порастао за {change}`drug_offences 2020-2024`.
        """, lang="sr")
    assert f"{offences_24:,.0f}".replace(",", ".") in out.text
    assert f"{100 * (offences_24 - offences_20) / offences_20:.1f}".replace(".", ",") + "%" in out.text
    assert "## Процена" in out.text and not out.issues


def test_an_unknown_reference_fails_with_file_line_and_the_nearest_name(data, processed):
    with pytest.raises(NarrativeError) as caught:
        render(data, processed, """
            ## Assessment
            First line.

            Offences: {value}`drug_offence 2024`.
            """)
    message = str(caught.value)
    assert "areas/drugs/index.md, line 8" in message and "did you mean 'drug_offences'" in message
    with pytest.raises(NarrativeError, match="is not a year .*a period"):
        render(data, processed, "## Assessment\n{value}`drug_offences twenty`\n")
    with pytest.raises(NarrativeError, match="outside the assessment's period"):
        render(data, processed, "## Assessment\n{value}`drug_offences 1999`\n")
    with pytest.raises(NarrativeError, match="Routes and hubs"):
        render(data, processed, "## Roots and hubs\ntext\n")


# ---- the check: typed numbers, direction words, yardstick terms ------------------------------------
def test_a_typed_number_must_match_the_data_as_printed(data, processed):
    offences = total("drug_offences", 2024)
    good = render(data, processed, f"""
        ## Assessment
        Police recorded {offences:,.0f} drug offences in 2024, about {round(offences, -3):,.0f}, per 100,000 inhabitants
        {{rate}}`drug_offences 2024`; in three countries.
        """)
    assert not [i for i in good.issues if i.kind == "number"]
    stale = render(data, processed, f"""
        ## Assessment
        A first line.
        Police recorded {offences - 356:,.0f} drug offences in 2024.
        """)
    [issue] = [i for i in stale.issues if i.kind == "number"]
    assert issue.line == 7 and f"{offences - 356:,.0f}" in issue.message and "the nearest is" in issue.message


def test_typed_numbers_are_read_in_the_language_they_are_written_in(data, processed):
    offences = total("drug_offences", 2024)
    serbian = f"{offences:,.0f}".replace(",", ".")
    assert typed_numbers(f"евидентирано {serbian} дела, 12,5% више, 2024. године", "sr") == \
        [(serbian, offences, 0, False), ("12,5%", 12.5, 1, True)]
    ok = render(data, processed, f"## Процена\nПолиција је евидентирала {serbian} дела.\n", lang="sr")
    assert not ok.issues
    wrong = render(data, processed, f"## Процена\nПолиција је евидентирала {f'{offences + 1000:,.0f}'.replace(',', '.')} дела.\n",
                   lang="sr")
    assert [i.kind for i in wrong.issues] == ["number"]


@pytest.mark.parametrize("lang, heading, rose, fell", [
    ("en", "Assessment", "Offences rose by", "Offences fell by"),
    ("sr", "Процена", "Број дела је порастао за", "Број дела је опао за"),
])
def test_a_direction_word_must_fit_the_change_it_describes(data, processed, lang, heading, rose, fell):
    # drug offences rose from 2020 to 2024 in the demo
    assert total("drug_offences", 2024) > total("drug_offences", 2020)
    fits = render(data, processed, f"## {heading}\n{rose} {{change}}`drug_offences 2020-2024`.\n", lang=lang)
    assert not fits.issues
    contradicts = render(data, processed, f"## {heading}\n{fell} {{change}}`drug_offences 2020-2024`.\n", lang=lang)
    [issue] = contradicts.issues
    assert issue.kind == "direction" and "drug_offences 2020-2024" in issue.message
    stable = {"en": "Offences were stable", "sr": "Број дела је био стабилан"}[lang]
    stable = render(data, processed, f"## {heading}\n{stable} ({{change}}`drug_offences 2020-2024`).\n", lang=lang)
    assert [i.kind for i in stable.issues] == ["direction"]  # a change of about 20% is not "stable"


def test_a_yardstick_term_must_fit_the_yardstick(data, processed):
    out = render(data, processed, """
        ## Assessment
        It is likely (90%) that offences will rise.

        It is remote chance that they will rise ({term}`drugs`).
        """)
    kinds = [(i.kind, i.line) for i in out.issues]
    assert ("yardstick", 6) in kinds  # "likely" is 55-75% on the yardstick
    model = LiveValues(Project(data_dir=data), processed["public"], "public", "en").resolve("term", "drugs").term
    assert model != "remote chance" and ("yardstick", 8) in kinds


# ---- text is text ----------------------------------------------------------------------------------
def test_narrative_text_is_inert_and_other_markup_is_refused(data, processed):
    out = render(data, processed, "## Assessment\nA {{ cycler }} and *emphasis* and <5 cases and $x$.\n")
    assert r"\{\{ cycler \}\}" in out.text and "*emphasis*" in out.text and r"\<5" in out.text
    for body, why in [("<script>alert(1)</script>\n", "HTML"), ("```{raw} html\n<b>x</b>\n```\n", "a narrative holds text"),
                      ("[a link](https://example.org)\n", "a link"), ("{eval-rst}`x`\n", "not a live value"),
                      ("    indented code\n", "indented block"), ("# Title\n", "heading of level 1")]:
        with pytest.raises(NarrativeError, match=why):
            render(data, processed, "## Assessment\n\n" + body)


def test_restricted_passages_only_in_the_restricted_edition(data, processed):
    body = "## Assessment\nOpen text.\n\n```{restricted} H2\nThe canary passage QXR-PASSAGE-4242 of a source.\n```\n"
    public = render(data, processed, body)
    restricted = render(data, processed, body, audience="restricted")
    assert "QXR-PASSAGE-4242" not in public.text and "Open text." in public.text
    assert "QXR-PASSAGE-4242" in restricted.text and "Restricted passage (H2)" in restricted.text
    # the public build refuses to publish a page that carries the passage
    project = Project(data_dir=data, build_dir=data.parent / "build")
    assert "The canary passage QXR-PASSAGE-4242 of a source." in restricted_probes(project)
    built = data.parent / "built"
    built.mkdir()
    (built / "page.html").write_text("<p>The canary passage QXR-PASSAGE-4242 of a source.</p>", encoding="utf-8")
    with pytest.raises(BuildError, match="restricted passages"):
        refuse_leaks(project, "public", built)
    with pytest.raises(NarrativeError, match="handling code"):
        render(data, processed, "## Assessment\n```{restricted}\ntext\n```\n")


def test_an_analysts_judgement_is_shown_with_the_models_reading(data, processed):
    body = "## Assessment\n```{judgement}\n:term: remote chance\n:confidence: moderate\nOffences will fall.\n\nWhy.\n```\n"
    public, restricted = render(data, processed, body), render(data, processed, body, audience="restricted")
    assert "**Offences will fall.**" in public.text and "The model’s reading of the data" in public.text.replace("'", "’")
    [issue] = [i for i in public.issues if i.kind == "judgement"]
    assert "steps of the yardstick" in issue.message
    assert "For reviewers" in restricted.text and "For reviewers" not in public.text
    with pytest.raises(NarrativeError, match="term 'probable' is not one of"):
        render(data, processed, body.replace("remote chance", "probable"))


# ---- drafts, --final, a value that changes -----------------------------------------------------------
# ---- translations ------------------------------------------------------------------------------------
def test_a_missing_translation_falls_back_and_a_stale_one_is_listed(data):
    source = write(data, "en", "key_findings", "Text one.\n")
    project = Project(data_dir=data)
    found = files.find(project, "mk", "key_findings")
    assert found.fallback and found.file.lang == "en"
    fingerprint = files.read(source, "key_findings", "en").fingerprint
    write(data, "sr", "key_findings", "Текст један.\n", translated_from=fingerprint)
    assert not files.find(project, "sr", "key_findings").stale
    assert files.find(project, "sr-Latn", "key_findings").file.lang == "sr"  # transliterated from Serbian
    write(data, "en", "key_findings", "Text one, changed.\n")
    assert files.find(project, "sr", "key_findings").stale
    rows = {(r.page, r.lang): r.translation for r in status.rows(project)}
    assert rows[("key_findings", "sr")] == "older than its source"
    assert ("key_findings", "mk") in status.missing_translations(project)
    with pytest.raises(NarrativeError, match="status 'final' is not one of draft, reviewed"):
        files.read(write(data, "en", "outlook", "x\n", status="final"), "outlook", "en")


# ---- preview -----------------------------------------------------------------------------------------
def test_preview_rebuilds_on_a_save_and_serves_the_edition(data, monkeypatch):
    project = Project(data_dir=data, build_dir=data.parent / "build")
    html = project.edition_dir("public", "en") / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("first", encoding="utf-8")
    narrative = write(data, "en", "key_findings", "Text.\n")
    builds = []

    def rebuild(*args):
        builds.append(args)
        (html / "index.html").write_text(f"build {len(builds)}", encoding="utf-8")
        return 0.0, ""

    monkeypatch.setattr(preview, "rebuild", rebuild)
    stop, said = threading.Event(), []
    server = threading.Thread(target=preview.serve, args=(project, "public", "en", 0, said.append, 0.05, stop))
    server.start()
    try:
        deadline = time.time() + 10
        while not said and time.time() < deadline:
            time.sleep(0.05)
        address = said[0].split(" on ")[1].split(" ;")[0]
        assert urllib.request.urlopen(address + "index.html").read() == b"first"
        time.sleep(0.2)
        narrative.write_text(narrative.read_text() + "More.\n", encoding="utf-8")
        while not builds and time.time() < deadline:
            time.sleep(0.05)
        assert len(builds) == 1 and said[-1].startswith("rebuilt in")
        assert urllib.request.urlopen(address + "index.html").read() == b"build 1"
    finally:
        stop.set()
        server.join(5)


def test_the_demo_narrative_is_synthetic_and_checks_clean(processed):
    project = Project(data_dir=DEMO_DIR)
    texts = files.all_files(project)
    assert {f.lang for f in texts} == {"en", "sr", "mk", "cnr"} and len(texts) >= 17
    assert all(re.search(r"ynthetic|интетичк|intetičk|интетичк", f.body) for f in texts)
    assert any("{restricted}" in f.body for f in texts)
    for f in texts:
        scope, area = ("region", f.page.split("/")[1]) if f.page.startswith("areas/") else ("region", None)
        if "countries" in f.page:
            scope = "SRB"
        values = LiveValues(project, processed["public"], "public", f.lang, scope, area)
        set_language(f.lang)
        parts = files.configured_parts(project, "section") if area else None
        rendered = Renderer(f, values, False, parts, list(values.page.ref.yardstick.sort_values("lower_pct")["term"])).render()
        indicators, scopes = scope_of_page(values)
        assert not rendered.issues + Checker(values, f.lang, str(f.path), indicators, scopes).check(rendered), f.path


def test_a_narrative_file_linked_from_outside_the_data_folder_is_refused(data, tmp_path):
    from socta.core.errors import OutsideFolder

    secret = tmp_path / "restricted.md"
    secret.write_text("## Assessment\nA secret.\n", encoding="utf-8")
    folder = data / "narrative" / "en"
    folder.mkdir(parents=True)
    (folder / "key_findings.md").symlink_to(secret)
    project = Project(data_dir=data)
    with pytest.raises(OutsideFolder):
        files.all_files(project)
    with pytest.raises(OutsideFolder):
        files.find(project, "en", "key_findings")


def test_a_live_value_naming_data_text_is_escaped_once(data, processed, monkeypatch):
    """A name from the data (here a tier's) reaches the narrative as the page API prints it: inert,
    and escaped once, so the reader sees the characters as written."""
    from socta.narrative import values as live

    monkeypatch.setattr(live.LiveValues, "_tier", lambda self, query, value: (setattr(value, "text", r"Tier \{\{ x \}\}"), value)[1])
    out = render(data, processed, "## Assessment\nIn {tier}`drugs`.\n")
    assert r"In Tier \{\{ x \}\}." in out.text


def test_the_narrative_code_is_in_the_key_of_the_lesson_that_runs_it_only(processed):
    """A narrative text, and the narrative's code, change no executed page: only the training lesson
    that runs that code re-runs when it changes."""
    from socta.run.jobs import grid
    from socta.run.keys import KeyContext, key_components

    project = Project(data_dir=DEMO_DIR)
    context = KeyContext(project, processed["public"])
    narrative_code = {job.output: any(name.startswith("socta/narrative/") for name in key_components(job, context)["code"])
                      for audience in ("public", "training") for job in grid(project, audience, "en", processed["public"])}
    assert narrative_code.pop("lesson-7") and not any(narrative_code.values())
    assert not any(name.startswith(("socta/narrative/", "socta/book/")) for name in context.code)
