"""``make messages``: the strings of templates and reference files added to the catalogue template, and
each catalogue's state (untranslated, fuzzy, placeholders unlike the English)."""
from __future__ import annotations

import re
from pathlib import Path

from socta.core.config import read_yaml
from socta.core.settings import Settings
from socta.i18n.translate import (
    DOMAIN,
    LABEL_CODES,
    LOCALE_DIR,
    SOURCE_LANGUAGE,
    catalogue_path,
    code_label,
    languages,
    review_state,
)


def _placeholders(text: str) -> set[str]:
    """The names a message fills in: ``{area}`` and ``{area:loc}`` (a form of a term) are both ``area``."""
    return set(re.findall(r"\{(\w+)(?::[^{}]*)?\}", text))


def catalogue_status(lang: str) -> dict:
    """How complete ``lang``'s catalogue is against the template: counts, and the messages missing,
    fuzzy (a translator's guess awaiting a check) or with placeholders that do not match."""
    from babel.messages.pofile import read_po

    with open(Path(LOCALE_DIR) / f"{DOMAIN}.pot", "rb") as fh:
        template = read_po(fh)
    with open(catalogue_path(lang), "rb") as fh:
        catalog = read_po(fh)
    wanted = [(m.id, m.context) for m in template if m.id]
    status = {"messages": len(wanted), "untranslated": [], "fuzzy": [], "placeholders": []}
    for msgid, context in wanted:
        message = catalog.get(msgid, context=context)
        texts = [s for s in (message.string if isinstance(message.string, tuple) else (message.string,))] if message else []
        if not message or not all(texts):
            status["untranslated"].append(msgid)
        elif message.fuzzy:
            status["fuzzy"].append(msgid)
        elif any((_placeholders(text) ^ _placeholders(msgid if isinstance(msgid, str) else msgid[0])) - {"n"}
                 for text in texts):  # a plural form may write the count {n} in words
            status["placeholders"].append(msgid)
    return status


def code_cell_messages(text: str) -> list[str]:
    """The literal messages of ``t("…")`` calls in a MyST template's code cells (labels and titles
    a template's own figure code draws)."""
    import ast
    import re

    found = []
    for cell in re.findall(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, re.S):
        code = "\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(("%", ":")))
        for node in ast.walk(ast.parse(code)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append(node.args[0].value)
    return found


def template_messages(notebooks_dir: Path) -> dict[str, list[str]]:
    """The messages of the notebook templates: ``{{t:…}}`` placeholders (headings and paragraphs) and
    the ``t("…")`` calls of their code cells."""
    import re

    found: dict[str, list[str]] = {}
    for path in sorted(Path(notebooks_dir).rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        messages = [m.strip() for m in re.findall(r"\{\{\s*t:([^}]+)\}\}", text)] + code_cell_messages(text)
        for message in messages:
            found.setdefault(message, []).append(str(path.relative_to(notebooks_dir)))
    return found


# the text columns of the reference configuration that pages print through t(): names, units, the
# yardstick's terms and openings, the grading meanings, answer words, descriptions, notes, statuses and
# the kind of data a threat indicator rests on; and the open sources' descriptions of their measures
REFERENCE_TEXT = ("name_en", "unit", "term", "opening", "meaning", "answer", "description", "note", "status",
                  "source", "measure", "coverage")


def reference_messages(reference_dir: Path, open_sources_dir: Path | None = None) -> dict[str, list[str]]:
    """The texts a page prints from the reference files (and the open sources' measures), the labels
    made from codes, and the names settings.yaml gives (title, region, tiers, bands, OCG structures),
    so a language edition translates them in its catalogue."""
    import csv

    found: dict[str, list[str]] = {}
    # the shipped files, and those of every method profile (data/reference/methods/<id>/)
    files = sorted(Path(reference_dir).glob("*.csv")) + sorted(Path(reference_dir).glob("methods/*/*.csv"))
    if open_sources_dir is not None:  # sources.csv is bibliography: titles stay as published
        files += [p for p in sorted(Path(open_sources_dir).glob("*.csv")) if p.name != "sources.csv"]
    for path in files:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                columns = REFERENCE_TEXT if Path(reference_dir) in (path.parent, path.parent.parent.parent) \
                    else ("measure", "unit", "coverage")
                texts = [row[c] for c in columns if row.get(c)]
                for column in LABEL_CODES:
                    texts += [code_label(code) for code in (row.get(column) or "").split("|") if code]
                where = str(path.relative_to(Path(reference_dir).parent)) if path.parent.parent.name == "methods" \
                    else f"{path.parent.name}/{path.name}"
                for text in texts:
                    found.setdefault(text.strip(), []).append(where)
    for path in sorted(Path(reference_dir).glob("methods/*/method.yaml")):   # what the methodology prints of a profile
        about = read_yaml(path, "the method profile") or {}
        for key in ("name_en", "description", "source"):
            if about.get(key):
                found.setdefault(str(about[key]).strip(), []).append(str(path.relative_to(Path(reference_dir).parent)))
    path = Path(reference_dir) / "settings.yaml"
    settings = Settings.parse(read_yaml(path, "the settings"), path)

    names = [settings.assessment.title, settings.assessment.region_name]
    names += list(settings.priority.tiers)
    names += [code_label(b) for b in settings.ocg_scoring.bands]
    names += [code_label(s) for s in settings.ocg_structures]
    # the document's record: the issuing authorities, the distribution statements and the keywords
    names += settings.publication.issued_by + list(settings.publication.distribution.values())
    names += settings.publication.keywords
    for text in filter(None, names):
        found.setdefault(text, []).append("reference/settings.yaml")
    book = read_yaml(Path(reference_dir).parents[1] / "_config.yml", "the book configuration")
    for key in ("title", "author"):  # the book's title and author, on every page and the PDF's cover
        if book.get(key):
            found.setdefault(book[key], []).append("_config.yml")
    demo = read_yaml(Path(reference_dir).parent / "demo" / "dataset.yaml", "the dataset description")
    found.setdefault(demo["name"], []).append("demo/dataset.yaml")  # another dataset's name prints as it is
    toc = read_yaml(Path(reference_dir).parents[1] / "_toc.yml", "the table of contents")
    for part in toc.get("parts", []):  # the captions of the book's parts, in every page's navigation
        if part.get("caption"):
            found.setdefault(part["caption"], []).append("_toc.yml")
    return found


def append_template_messages(pot: Path, notebooks_dir: Path, reference_dir: Path | None = None) -> int:
    """Add the templates' (and the reference files') messages to the ``.pot`` written by ``pybabel
    extract``; returns how many."""
    from babel.messages.pofile import read_po, write_po

    with open(pot, "rb") as fh:
        catalog = read_po(fh)
    messages = template_messages(notebooks_dir)
    if reference_dir is not None:
        for msgid, places in reference_messages(reference_dir, Path(reference_dir).parent / "open_sources").items():
            messages.setdefault(msgid, []).extend(places)
    for msgid, places in messages.items():
        catalog.add(msgid, locations=[(place, 0) for place in places])
    if reference_dir is not None:   # the threat bands, as a table heads them and as a sentence says them
        path = Path(reference_dir) / "settings.yaml"
        for band in Settings.parse(read_yaml(path, "the settings"), path).ocg_scoring.bands:
            for word in (band, code_label(band)):
                catalog.add(word, context="threat band", locations=[("reference/settings.yaml", 0)])
    with open(pot, "wb") as fh:
        write_po(fh, catalog, omit_header=False, no_location=False)
    return len(messages)


def print_status() -> bool:
    """Each catalogue's state, for the translator after ``make messages``; False if one is incomplete."""
    complete = True
    for lang, entry in languages().items():
        if lang == SOURCE_LANGUAGE or "transliterate" in entry or not catalogue_path(lang).is_file():
            continue
        status = catalogue_status(lang)
        todo = len(status["untranslated"]) + len(status["fuzzy"]) + len(status["placeholders"])
        complete &= todo == 0
        print(f"{lang}: {status['messages'] - todo}/{status['messages']} translated; "
              f"{len(status['untranslated'])} untranslated, {len(status['fuzzy'])} fuzzy, "
              f"{len(status['placeholders'])} with placeholders unlike the English; review: {review_state(lang) or 'reviewed'}")
    return complete


if __name__ == "__main__":  # make messages: python -m socta.i18n <pot> | --status
    import sys

    from socta.core.config import NOTEBOOKS_DIR, REPO_ROOT

    if sys.argv[1] == "--status":
        sys.exit(0 if print_status() else 1)
    n = append_template_messages(Path(sys.argv[1]), NOTEBOOKS_DIR, REPO_ROOT / "data" / "reference")
    print(f"added {n} template and reference messages to {sys.argv[1]}")
