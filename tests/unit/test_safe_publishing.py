"""Safe publishing: no string from data runs or renders as markup, nothing outside an edition's source
is published, every page carries a Content-Security-Policy, and the register never reaches the public
edition.

Two layers are tested apart, so that each holds even if the other failed:

- **escaping** (:mod:`socta.core.markup`): every string a page takes from data is inert MyST. Checked by
  parsing escaped payloads with MyST itself, with every MyST extension switched on;
- **the Sphinx gate** (:mod:`socta.book.extension`'s extension): a page that does carry raw HTML, a download, a
  file insertion or an image from outside fails the build. Checked on a tiny Sphinx project whose pages
  hold the payloads unescaped;

and then together, on the whole book, in tests/book/test_safe_publishing.py.
"""
from __future__ import annotations

import html
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from socta.core.markup import inert, inert_frame, inert_list, inert_template, plain

from ..helpers import REPO
from ..payloads import SECRET, payload, plant

# every MyST extension that adds syntax (replacements and smartquotes only change typography)
ALL_EXTENSIONS = ["amsmath", "attrs_block", "attrs_inline", "colon_fence", "deflist", "dollarmath", "fieldlist",
                  "html_admonition", "html_image", "linkify", "strikethrough", "substitution", "tasklist"]


def myst_doctree(text: str):
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    return publish_doctree(text, parser=Parser(), settings_overrides={
        "myst_enable_extensions": ALL_EXTENSIONS, "myst_substitutions": {"today": "SUBSTITUTED"},
        "report_level": 5, "halt_level": 5, "file_insertion_enabled": True, "raw_enabled": True})


def only_text(doctree) -> str | None:
    """The text of a document that is one paragraph of plain text, else None."""
    from docutils import nodes

    if len(doctree.children) == 0:
        return ""
    if len(doctree.children) != 1 or not isinstance(doctree.children[0], nodes.paragraph):
        return None
    paragraph = doctree.children[0]
    if not all(isinstance(child, nodes.Text) for child in paragraph.children):
        return None
    return paragraph.astext()


def collapsed(text: str) -> str:
    return " ".join(text.split())


# ---- escaping: socta.core.markup ---------------------------------------------------------------------

@pytest.mark.parametrize("variant", [0, 1])
def test_every_payload_is_one_paragraph_of_its_own_text_in_myst(variant, tmp_path):
    text = payload(tmp_path / "secret.txt", tmp_path / "ran", variant)
    assert only_text(myst_doctree(text)) is None  # unescaped, MyST makes markup of it
    assert only_text(myst_doctree(inert(text))) == collapsed(text)


def boxed(text: str) -> str:
    """``text`` as the title of a box, on a fence's opening line, with text after the box."""
    return f"```{{admonition}} {inert(text)}\n:class: note\nbody\n```\n\nafter\n"


def test_random_markup_is_inert_in_myst():
    """Seeded fuzzing over the characters that begin markup: 600 strings, each parsed by MyST with
    every extension on, must come back as one paragraph holding exactly the string.

    The strings are parsed together, each its own block between blank lines (a block ends at a blank
    line, so one string cannot change how another parses, and a string that made markup would change
    the sequence of blocks); a mismatch is then reported for the first string that fails on its own."""
    from docutils import nodes

    rng = random.Random(19)
    alphabet = list("\\`*_{}[]<>()!#$%&|~^=+-:;.,'\"/@?\n \t") + ["a", "b", "1", "2", "x_y", "ok", "{{", "}}", "```",
                                                                 ":::", "<b>", "</b>", "](", "&amp;", "$$", "\n- ",
                                                                 "\n1. ", "\n# ", "\n> ", "\n%", "{download}`", "http://a.b"]
    texts = [text for text in ("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(600))
             if text.strip()]

    def alone(text):  # the checks on one string, in a document of its own
        assert only_text(myst_doctree(inert(text))) == collapsed(text), repr(text)
        box = myst_doctree(boxed(text))
        assert [type(n).__name__ for n in box.children] == ["admonition", "paragraph"], repr(text)
        assert box.children[0].children[0].astext() == collapsed(text) and box.children[1].astext() == "after"

    paragraphs = myst_doctree("\n\n".join(inert(text) for text in texts)).children
    shown = [p.astext() if isinstance(p, nodes.paragraph) and all(isinstance(c, nodes.Text) for c in p.children)
             else None for p in paragraphs]
    if shown != [collapsed(text) for text in texts]:
        for text in texts:
            alone(text)
        raise AssertionError("the strings parse alone but not together")
    boxes = myst_doctree("\n".join(boxed(text) for text in texts)).children
    kinds = [type(n).__name__ for n in boxes]
    if kinds != ["admonition", "paragraph"] * len(texts) or any(
            boxes[2 * i].children[0].astext() != collapsed(text) or boxes[2 * i + 1].astext() != "after"
            for i, text in enumerate(texts)):
        for text in texts:
            alone(text)
        raise AssertionError("the boxes parse alone but not together")


@pytest.mark.parametrize("code", ["SRB", "north-macedonia", "drug_seizures_kg", "A1", "-5", "2.5", "1,234", "<5x"[1:]])
def test_identifiers_codes_and_numbers_are_left_as_they_are(code):
    assert inert(code) == code


def test_plain_gives_back_the_text_as_written_and_lists_keep_their_separator():
    for text in ["a <b> {{c}} $d$ *e* _f_ [g](h) `i` \\j", "# heading", "- item", "1. item", "(x)=", "::: x"]:
        assert plain(inert(text)) == text
    assert inert_list("SRB|<b>x</b>") == "SRB|\\<b\\>x\\</b\\>"
    assert inert_template("There is a {term} that <b>") == "There is a {term} that \\<b\\>"
    assert inert(3) == 3 and inert(None) is None


def test_control_characters_and_direction_overrides_are_dropped():
    from socta.book.stage import tex_escape

    assert inert("Se\x7frb\x0cia \u202eaibreS") == "Serbia aibreS"
    assert tex_escape("a\x7f\x0cb & {x}") == "ab \\& \\{x\\}"


def test_a_templates_own_braces_stay_braces():
    template = inert_template("Note {{x}}: it is {term} that <b>")
    assert template.format(term="likely") == "Note \\{x\\}: it is likely that \\<b\\>"


def test_alt_text_is_an_option_as_written_whatever_it_holds(monkeypatch):
    """MyST reads a directive's options as YAML: " #" would start a comment, a leading quote, "|" or
    ">" a different kind of value. Alt text goes as one double-quoted string."""
    import matplotlib
    import matplotlib.pyplot as plt
    import myst_nb
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    from socta.pages import render

    matplotlib.use("Agg")
    shown = []
    monkeypatch.setattr(render, "md", shown.append)  # what Rendering.figure writes, without a kernel
    monkeypatch.setattr(myst_nb, "glue", lambda *args, **kwargs: None)
    for alt in ['Seizures #2 of "kg"', "'quoted", "|pipe", ">arrow", "a: b", inert("<b>{{x}}</b> #3")]:
        fig, _ax = plt.subplots(layout="constrained")  # as socta.pages.figures.new_figure makes them
        render.Rendering("p", {"name": "d"}).figure(fig, "k", "Caption.", alt)
        option = shown[-1].split("\n")[2]
        tree = publish_doctree(f"```{{image}} x.png\n{option}\n```\n", parser=Parser(),
                               settings_overrides={"report_level": 2, "halt_level": 2})
        assert next(iter(tree.findall(lambda n: n.tagname == "image")))["alt"] == plain(alt), alt


def test_a_frame_is_escaped_once_per_distinct_value_and_keeps_its_structure():
    import pandas as pd

    frame = pd.DataFrame({"source": ["<b>x</b>", "<b>x</b>", None], "value": [1.0, 2.0, 3.0],
                          "countries_active": ["SRB|MNE", "SRB|{{x}}", ""], "censor": ["<", ">", ""],
                          "opening": ["There is a {term} <i>", "", ""]})
    out = inert_frame(frame)
    assert list(out["source"][:2]) == ["\\<b\\>x\\</b\\>"] * 2 and pd.isna(out["source"][2])
    assert list(out["countries_active"]) == ["SRB|MNE", "SRB|\\{\\{x\\}\\}", ""]
    assert list(out["censor"]) == ["<", ">", ""]  # derived signs, compared by code
    assert out["opening"][0] == "There is a {term} \\<i\\>"
    assert list(out["value"]) == [1.0, 2.0, 3.0]
    assert list(frame["source"][:1]) == ["<b>x</b>"]  # the input is not changed


def test_a_page_reads_every_text_of_data_and_configuration_inert(tmp_path):
    """What a template sees: names, sources, dataset metadata, reference tables."""
    from socta.core.config import Project
    from socta.ingest.validation import validate
    from socta.pages.data import EditionData
    from socta.process.tables import write_processed

    data, _secret, _marker = plant(tmp_path / "data", tmp_path / "secret")
    project = Project(data_dir=data, build_dir=tmp_path / "build")
    result = validate(project)
    assert result.ok, result.problems[:3]
    folders = write_processed(project, result)
    page = EditionData(scope="SRB", area="drugs", processed_dir=folders["public"], data_dir=data,
                       first_year=2015, last_year=2024)
    texts = [page.dataset["name"], page.scope_name, page.area_name(), page.indicator_name(page.area_indicators()[0]),
             *page.statistics["source"].unique(), *page.table("population")["source"].unique(),
             *page.ref.grading["meaning"], *page.ref.observation_status["footnote"]]
    for text in texts:
        assert only_text(myst_doctree(text)) == collapsed(plain(text)), text[:80]


def test_notices_are_filled_in_as_text_at_staging():
    from socta.book.stage import fill_notices

    page = "```{admonition} {{ edition_marking }}\n:class: warning\n{{ dataset_notice }}\n```\n"
    filled = fill_notices(page, {"edition_marking": "PUBLIC", "dataset_notice": "Data: <b>{{ 1+1 }}</b>.",
                                 "review_notice": "", "handling_note": ""})
    assert "{{ edition_marking }}" not in filled and "PUBLIC" in filled
    assert "Data: \\<b\\>\\{\\{ 1+1 \\}\\}\\</b\\>." in filled


def test_the_announcement_and_the_cover_carry_the_dataset_name_as_text(tmp_path):
    """The theme writes the announcement into every page as HTML; the cover goes to LaTeX."""
    import yaml

    from socta.book.stage import edition_config
    from socta.core.config import Project

    data = tmp_path / "data"
    data.mkdir()
    (data / "dataset.yaml").write_text(yaml.safe_dump({
        "name": '<img src=x onerror=alert(1)> {{ 7*7 }} \\input{/etc/hostname}', "synthetic": True,
        "period": [2015, 2024]}), encoding="utf-8")
    config = edition_config(Project(data_dir=data, build_dir=tmp_path / "build"), "public", "en")
    announcement = config["sphinx"]["config"]["html_theme_options"]["announcement"]
    assert "<img" not in announcement and "&lt;img src=x onerror=alert(1)&gt;" in announcement
    assert "substitution" not in config["parse"]["myst_enable_extensions"]
    assert "myst_substitutions" not in config["parse"]
    cover = config["sphinx"]["config"]["latex_elements"]["maketitle"]
    assert "\\input{" not in cover and "\\textbackslash{}input\\{/etc/hostname\\}" in cover


# ---- the Sphinx gate: socta.book.extension as an extension -----------------------------------------------

def sphinx_project(folder: Path, page: str, theme: str = "", title: str = "Page") -> Path:
    """A one-page MyST project with socta's extension in ``folder/src`` (built to ``folder/out``)."""
    source = folder / "src"
    source.mkdir(parents=True, exist_ok=True)
    (source / "conf.py").write_text("extensions = ['myst_parser', 'socta.book.extension']\nmyst_enable_extensions = []\n"
                                    + (f"html_theme = {theme!r}\n" if theme else ""), encoding="utf-8")
    (source / "index.md").write_text(f"# {title}\n\n" + page + "\n", encoding="utf-8")
    return folder


# `python -m sphinx -b html -q -W SRC OUT` for each project in turn, in one process of its own: each
# build is Sphinx's own command (its exit code, what it prints); only the interpreter start is shared
BUILD_EACH = """
import contextlib, io, json, sys
from sphinx.cmd.build import main
results = []
for folder in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["-b", "html", "-q", "-W", folder + "/src", folder + "/out"])
        except SystemExit as exc:
            code = exc.code
    results.append({"returncode": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
json.dump(results, sys.stdout)
"""

REFUSED = [
    ('Raw <b id="x">HTML</b> inline.', ["raw html markup", "<b id"]),
    ("<div>\nA block of HTML\n</div>", ["raw html markup"]),
    ("{download}`leak <../outside.txt>`", ["download link", "outside.txt"]),
    ("{download}`leak </etc/hostname>`", ["download link"]),
    ("![pixel](http://evil.example/p.png)", ["an image from", "evil.example"]),
    ("```{image} ../outside.png\n```", ["outside the edition's source", "outside.png"]),
]
READS_NO_FILE = [
    "```{literalinclude} ../outside.txt\n```",
    "```{include} ../outside.txt\n```",
    "```{eval-rst}\n.. include:: ../outside.txt\n```",
    "```{eval-rst}\n.. raw:: html\n   :file: ../outside.txt\n```",
    "```{raw} html\n<script>alert(1)</script>\n```",
    "```{csv-table}\n:file: ../outside.txt\n```",
]


@pytest.fixture(scope="module")
def gate(tmp_path_factory) -> dict[str, SimpleNamespace]:
    """Every tiny project of the gate's tests, each in a folder of its own, built once for the module:
    {case: (returncode, stdout, stderr, folder)}."""
    root = tmp_path_factory.mktemp("gate")
    folders = {"clean": sphinx_project(root / "clean", "Plain text with a line  \nbreak and **bold**."),
               "theme": sphinx_project(root / "theme", "Text.", theme="sphinx_book_theme",
                                       title=inert('Values <b id="x">5</b>'))}
    for n, (page, _) in enumerate(REFUSED):
        folders[page] = sphinx_project(root / f"refused{n}", page)
        (folders[page] / "outside.txt").write_text(SECRET, encoding="utf-8")
        (folders[page] / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for n, page in enumerate(READS_NO_FILE):
        folders[page] = sphinx_project(root / f"reads{n}", page)
        (folders[page] / "outside.txt").write_text(SECRET, encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", BUILD_EACH], input=json.dumps([str(f) for f in folders.values()]),
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr[-3000:]
    return {case: SimpleNamespace(**result, folder=folder)
            for (case, folder), result in zip(folders.items(), json.loads(run.stdout))}


def test_the_gate_builds_a_clean_page(gate):
    result = gate["clean"]
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_themes_plain_text_title_is_escaped(gate):
    """sphinx-book-theme prints the page title as plain text, unescaped, in its print view."""
    result = gate["theme"]
    assert result.returncode == 0, result.stderr[-2000:]
    page = (result.folder / "out" / "index.html").read_text(encoding="utf-8")
    assert '<b id="x">' not in page and '<b id=”x”>' not in page and "<h1>Values &lt;b id=" in page


@pytest.mark.parametrize("page, words", REFUSED)
def test_the_gate_refuses_markup_downloads_and_files_from_outside(gate, page, words):
    result = gate[page]
    out = result.stdout + result.stderr
    assert result.returncode != 0, out[-2000:]
    assert all(w in out for w in words), out[-2000:]
    assert not list((result.folder / "out").rglob("outside.*"))


@pytest.mark.parametrize("page", READS_NO_FILE)
def test_the_gate_reads_no_file_into_a_page(gate, page):
    result = gate[page]
    out_dir = result.folder / "out"
    published = "".join(p.read_text(errors="ignore") for p in out_dir.rglob("*.html")) if out_dir.exists() else ""
    assert SECRET not in published and "<script>alert(1)" not in published
    assert result.returncode != 0 and re.search(r"disabled|deactivated", result.stderr), result.stderr[-2000:]


# ---- the published HTML: CSP, leak scan ---------------------------------------------------------

def test_content_security_policy_allows_the_themes_scripts_by_hash_only():
    import base64
    import hashlib

    from socta.book.csp import content_security_policy
    from socta.book.stage import BuildError

    theme = "DOCUMENTATION_OPTIONS.pagename = 'intro';"
    page = (f'<html><head><script>{theme}</script><script src="_static/x.js"></script></head>'
            '<body><button onclick="window.print()">p</button>'
            '<p>shown as text: &lt;img src="x" onerror="alert(1)"&gt; &lt;script&gt;alert(2)&lt;/script&gt;</p></body></html>')
    policy = content_security_policy(page)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(theme.encode()).digest()).decode() + "'"
    handler = "'sha256-" + base64.b64encode(hashlib.sha256(b"window.print()").digest()).decode() + "'"
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert digest in script_src and handler in script_src and "'unsafe-hashes'" in script_src
    assert "'unsafe-inline'" not in script_src and "default-src 'none'" in policy and "object-src 'none'" in policy
    # text that looks like a handler or a script is not one: nothing of it is allowed
    assert script_src.count("'sha256-") == 2
    # a script or a handler that is not the theme's is never allowed: the build fails, naming it
    for foreign in ("<script>alert(1)</script>", '<img src="x" onerror="alert(1)">'):
        with pytest.raises(BuildError, match=r"page\.html: 1 inline script.*alert\(1\)"):
            content_security_policy(page.replace("<p>", foreign + "<p>"), "page.html")


def test_content_security_policy_is_added_once_even_when_a_title_names_it(tmp_path):
    from socta.book.csp import add_content_security_policy

    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Content-Security-Policy</title></head><body>x</body></html>", encoding="utf-8")
    add_content_security_policy(tmp_path)
    add_content_security_policy(tmp_path)
    assert page.read_text(encoding="utf-8").count('<meta http-equiv="Content-Security-Policy"') == 1


def test_the_leak_gate_fails_a_build_that_carries_a_group_identifier(demo_project, tmp_path):
    from socta.book.build import refuse_leaks
    from socta.book.stage import BuildError

    project = demo_project   # the demo, its processed tables written once per session
    html = tmp_path / "html"
    html.mkdir()
    (html / "page.html").write_text("<p>The group MKD-OCG-002 is large.</p>", encoding="utf-8")
    refuse_leaks(project, "restricted", html)  # the restricted edition is meant to show groups
    with pytest.raises(BuildError, match=r"page\.html.*Nothing was published"):
        refuse_leaks(project, "public", html)
    (html / "page.html").write_text("<p>Groups are shown in aggregate.</p>", encoding="utf-8")
    refuse_leaks(project, "public", html)


def test_the_leak_gate_finds_a_note_as_a_page_writes_it(tmp_path):
    """A note is written HTML-escaped in the HTML and inert in the notebooks: both are found."""
    import pandas as pd

    from socta.book.build import refuse_leaks
    from socta.book.stage import BuildError
    from socta.core.config import Project
    from socta.core.markup import inert
    from socta.ingest.validation import validate
    from socta.process.tables import write_processed

    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "demo-2016", data)
    register = pd.read_csv(data / "ocg_register.csv", dtype=str, keep_default_na=False)
    note = 'Meets "R&D" <contact> at *the port*'
    register["notes"] = ""
    register.at[0, "notes"] = note
    register.to_csv(data / "ocg_register.csv", index=False)
    project = Project(data_dir=data, build_dir=tmp_path / "build")
    write_processed(project, validate(project))
    for written in (html.escape(note), inert(note)):
        (tmp_path / "html").mkdir(exist_ok=True)
        (tmp_path / "html" / "page.html").write_text(f"<p>{written}</p>", encoding="utf-8")
        with pytest.raises(BuildError, match="restricted detail"):
            refuse_leaks(project, "public", tmp_path / "html")


def test_a_rebuild_publishes_what_changed_and_never_writes_the_published_files(tmp_path):
    """After a rebuild, the pages Sphinx did not rewrite are the published files (hard links, not
    written to), the pages it rewrote are new copies, a removed page is gone, and new probes (a
    restricted passage added) take everything again."""
    import json
    import os

    from socta.book.build import HTML_MANIFEST, _assemble

    built, edition = tmp_path / "work", tmp_path / "edition"
    for name, text in (("a.html", "<html><head></head>A</html>"), ("b.html", "B"), ("gone.html", "G")):
        (built / name).parent.mkdir(parents=True, exist_ok=True)
        (built / name).write_text(text, encoding="utf-8")
    edition.mkdir()
    first, changed, manifest = _assemble(built, edition, "probes-1")
    assert changed is None  # no publication yet: everything
    first.rename(edition / "html")
    (edition / "html" / "a.html").write_text("<html><head><meta csp></head>A</html>", encoding="utf-8")  # secured
    (edition / HTML_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    published_a = os.stat(edition / "html" / "a.html").st_ino

    (built / "b.html").write_text("B, rebuilt", encoding="utf-8")
    (built / "gone.html").unlink()
    again, changed, _ = _assemble(built, edition, "probes-1")
    assert changed == [again / "b.html"]
    assert os.stat(again / "a.html").st_ino == published_a  # untouched, secured as published
    assert (again / "b.html").read_text() == "B, rebuilt" and (edition / "html" / "b.html").read_text() == "B"
    assert not (again / "gone.html").exists() and (edition / "html" / "gone.html").exists()
    everything, changed, _ = _assemble(built, edition, "probes-2")
    assert changed is None and (everything / "a.html").read_text() == "<html><head></head>A</html>"
