"""Plurals, cases and the language checks (socta.i18n.translate, socta.i18n.checks): every count message in
every language with the counts where languages differ, names in the case a sentence asks for, and the
checks that flag what a native reader marks as wrong, each shown to fire and to stay quiet."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from socta.i18n import checks
from socta.i18n import translate as i18n
from socta.i18n.translate import Term, set_language, t, term, tn, tp

TRANSLATED = ("sr", "sr-Latn", "mk", "cnr")
CATALOGUES = ("sr", "mk", "cnr")
REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language("en")


def catalogue(lang: str):
    with open(i18n.catalogue_path(lang), "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("lang", CATALOGUES)
def test_plural_forms_header_agrees_with_cldr(lang):
    """The catalogue's Plural-Forms formula picks one form per CLDR category for every count up to 1000
    (Serbian and Montenegrin: 1, 21, 101 one form; 2–4, 22–24 another; 5–20, 25–30 a third)."""
    assert checks.plural_rule_mismatches(lang) == []
    categories = {n: checks.cldr_category(n, lang) for n in (1, 2, 3, 5, 11, 21, 101)}
    if lang == "mk":
        assert categories == {1: "one", 2: "other", 3: "other", 5: "other", 11: "other", 21: "one", 101: "one"}
    else:
        assert categories == {1: "one", 2: "few", 3: "few", 5: "other", 11: "other", 21: "one", 101: "one"}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_renders_with_every_count(lang):
    """Every message of the catalogue, filled with a name that has all its forms and, for a plural one, with
    each sample count: a form the translation asks for that does not exist, or a gender choice without the
    name's gender, fails here rather than in a build."""
    set_language(lang)
    for message in catalogue(i18n.catalogue_language(lang)):
        if not message.id:
            continue
        singular = message.id if isinstance(message.id, str) else message.id[0]
        values = checks.sample_values(singular)
        if isinstance(message.id, tuple):
            for n in checks.SAMPLE_COUNTS:
                text = tn(message.id[0], message.id[1], n, **values) if message.context is None else \
                    i18n.tpn(message.context, message.id[0], message.id[1], n, **values)
                assert text and "{" not in text.replace("{{", ""), (lang, singular, n, text)
        elif "python-brace-format" in message.flags:
            values.update({"n": 7} if "{n}" in singular else {})
            text = t(singular, **values) if message.context is None else tp(message.context, singular, **values)
            assert text, (lang, singular)


# the forms a reader expects, per count: the sentence on the groups of an area, in each language
GROUPS = ("{n} organised crime group reported in {scope:loc} is active in {area:loc}; assessed as high threat: "
          "{high}; active in more than one country: {intl}.",
          "{n} organised crime groups reported in {scope:loc} are active in {area:loc}; of these, {high} assessed as "
          "high threat and {intl} active in more than one country.")
EXPECTED_GROUPS = {
    "sr": {1: "У Црној Гори је пријављена 1 организована криминална група активна у трговини дрогом",
           2: "У Црној Гори су пријављене 2 организоване криминалне групе активне у трговини дрогом",
           3: "су пријављене 3 организоване криминалне групе",
           5: "У Црној Гори је пријављено 5 организованих криминалних група активних у трговини дрогом",
           11: "је пријављено 11 организованих криминалних група",
           21: "је пријављена 21 организована криминална група",
           101: "је пријављена 101 организована криминална група"},
    "sr-Latn": {1: "U Crnoj Gori je prijavljena 1 organizovana kriminalna grupa aktivna u trgovini drogom",
                3: "su prijavljene 3 organizovane kriminalne grupe", 5: "je prijavljeno 5 organizovanih kriminalnih grupa",
                21: "je prijavljena 21 organizovana kriminalna grupa"},
    "mk": {1: "Во Црна Гора е пријавена 1 организирана криминална група активна во трговијата со дрога",
           2: "Во Црна Гора се пријавени 2 организирани криминални групи активни во трговијата со дрога",
           11: "се пријавени 11 организирани криминални групи", 21: "е пријавена 21 организирана криминална група"},
    "cnr": {1: "U Crnoj Gori je prijavljena 1 organizovana kriminalna grupa aktivna u krijumčarenju droge",
            2: "su prijavljene 2 organizovane kriminalne grupe", 5: "je prijavljeno 5 organizovanih kriminalnih grupa",
            11: "je prijavljeno 11 organizovanih kriminalnih grupa", 101: "je prijavljena 101 organizovana kriminalna grupa"},
}


@pytest.mark.parametrize("lang", sorted(EXPECTED_GROUPS))
def test_counts_take_the_forms_a_reader_expects(lang):
    set_language(lang)
    for n, expected in EXPECTED_GROUPS[lang].items():
        text = tn(*GROUPS, n, scope=term("Montenegro", proper=True), area=term("Drug trafficking"), high=1, intl=2)
        assert expected in text, (n, text)
        assert not checks.language_problems(text, lang), (n, text)


def test_names_take_the_case_the_sentence_asks_for():
    """A message asks for a form ({area:gen}, {scope:loc}); Serbian declines, Macedonian takes the article,
    English keeps the name as it reads inside a sentence."""
    judgement = "{start} the threat from {area} in {scope} will grow over {first}–{last} (estimated probability {p}%)."
    values = dict(start="X", first="2025", last="2028", p="81")
    expected = {"en": "X the threat from trafficking in human beings in Serbia will grow",
                "sr": "X ће претња од трговине људима у Србији расти",
                "sr-Latn": "X će pretnja od trgovine ljudima u Srbiji rasti",
                "cnr": "X će prijetnja od trgovine ljudima u Srbiji rasti",
                "mk": "X заканата од трговија со луѓе во Србија ќе расте"}
    for lang, sentence in expected.items():
        set_language(lang)
        text = t(judgement, area=term("Trafficking in human beings"), scope=term("Serbia", proper=True), **values)
        assert text.startswith(sentence), (lang, text)
    set_language("sr")
    assert t(judgement, area=term("Cybercrime"), scope=term("the region"), **values).startswith(
        "X ће претња од високотехнолошког криминала у региону")
    set_language("mk")
    assert "во регионот" in t(judgement, area=term("Cybercrime"), scope=term("the region"), **values)


def test_a_name_agrees_in_gender_and_a_wrong_form_is_refused():
    name = Term("синтетичке дроге", {"gen": "синтетичких дрога"}, "pl")
    assert "{a:Gen} {a:m=није рангиран|f=није рангирана|pl=нису рангиране}".format(a=name) == \
        "Синтетичких дрога нису рангиране"
    assert "{a:m=x|other=y}".format(a=Term("z", gender="f")) == "y"
    with pytest.raises(ValueError, match="not a form of a name"):
        "{a:genitive}".format(a=name)


@pytest.mark.parametrize("lang", CATALOGUES)
def test_the_term_base_has_every_name_of_the_configuration(lang):
    """Every crime area (and sub-market), country and the region have the forms their language needs."""
    with open(i18n.term_base_path(lang), encoding="utf-8", newline="") as fh:
        rows = {row["term"]: row for row in csv.DictReader(fh)}
    with open(REFERENCE / "crime_areas.csv", encoding="utf-8", newline="") as fh:
        names = [row["name_en"] for row in csv.DictReader(fh)]
    with open(REFERENCE / "countries.csv", encoding="utf-8", newline="") as fh:
        names += [row["name_en"] for row in csv.DictReader(fh)]
    needed = ("nom", "def") if lang == "mk" else ("nom", "gen", "dat", "acc", "ins", "loc")
    for name in [*names, "the region"]:
        assert name in rows, (lang, name)
        assert rows[name]["gender"] in ("m", "f", "n", "pl"), (lang, name)
        assert all(rows[name][form] for form in needed), (lang, name)
        set_language(lang)
        assert str(term(name)) == rows[name]["nom"]


def test_a_name_the_term_base_lacks_is_its_translation_and_is_recorded(tmp_path, monkeypatch):
    missing = tmp_path / "missing.txt"
    monkeypatch.setenv("SOCTA_I18N_MISSING", str(missing))
    set_language("sr")
    name = term("Art and antiquities trafficking")   # an area a dataset added, in no term base
    assert "{a:loc}".format(a=name) == str(name)
    assert "term: Art and antiquities trafficking" in missing.read_text(encoding="utf-8")


def test_decimals_and_contexts_follow_the_language():
    set_language("sr")
    assert t("{x}", x=0.5) == "0,5" and t("{x}", x=1234) == "1.234"
    assert tp("confidence", "high") == "висока"
    set_language("mk")   # a threat band agrees with "закана" (f); the table heads it so
    assert tp("threat band", "High") == "Висока" and tp("threat band", "medium") == "средна"
    from socta.pages.formatting import join_words

    set_language("sr")   # lists by the language's CLDR pattern, not by "{items} and {last}"
    assert join_words(["Србија", "Црна Гора", "Северна Македонија"]) == "Србија, Црна Гора и Северна Македонија"
    set_language("en")
    assert t("{x}", x=0.5) == "0.5"


def test_protected_names_keep_their_spelling_in_latin():
    """Transliteration writes Frontex, SOCTA and Europol as their owners do, in any case form."""
    assert i18n.to_latin("Подаци Фронтекса и Европола за СОКТА; Слејпнир", "sr") == \
        "Podaci Frontexa i Europola za SOCTA; Sleipnir"
    assert i18n.to_latin("ЊЕГОШ у Љубљани", "sr") == "NJEGOŠ u Ljubljani"


# ---- the checks fire on what a native reader marks, and stay quiet on the right form ------------------------
@pytest.mark.parametrize("lang, wrong, right, check", [
    ("sr", "међу првих 3 у 100% скупова", "међу прве 3 у 100% скупова", "genitive plural before 2–4"),
    ("sr", "последњих 4 год.", "последње 4 године", "genitive plural before 2–4"),
    ("sr", "пријављено је 4 кодова", "пријављена су 4 кода", "genitive plural after 2–4"),
    ("sr", "3 организованих криминалних група", "3 организоване криминалне групе", "genitive plural after 2–4"),
    ("sr", "5 организоване криминалне групе", "5 организованих криминалних група", "paucal form after 5 or more"),
    ("cnr", "prvih 3 oblasti", "prve 3 oblasti", "genitive plural before 2–4"),
    ("mk", "21 организирани криминални групи", "21 организирана криминална група", "number and noun disagree"),
    ("mk", "5 група", "5 групи", "number and noun disagree"),
    ("mk", "за 3 година", "во 2024 година", "number and noun disagree"),   # a year is a name, not a count
    ("cnr", "tokom celog perioda", "tokom cijelog perioda", "ekavian form in Montenegrin"),
    ("cnr", "procena pretnje", "procjena prijetnje", "ekavian form in Montenegrin"),
    ("cnr", "razred Razred 1", "razred 1", "word said twice"),
    ("sr-Latn", "Trgovina drogom (регион)", "Trgovina drogom (region)", "Cyrillic in a Latin edition"),
    ("sr", "Подаци: Ministry of Interior", "Подаци: Министарство унутрашњих послова", "Latin word in a Cyrillic text"),
    ("mk", "Last updated on дек 07", "Датум на ова издание: 7 декември", "English word in a translation"),
])
def test_each_check_fires_on_the_wrong_form_only(lang, wrong, right, check):
    assert check in {p.check for p in checks.language_problems(wrong, lang)}, wrong
    assert check not in {p.check for p in checks.language_problems(right, lang)}, right


def test_procenata_and_vremena_are_ijekavian_and_protected_names_are_not_latin_words():
    assert not checks.language_problems("30 procentnih poena i 5 procenata tokom vremena", "cnr")
    assert not checks.language_problems("Подаци Frontex и SOCTA (A или B), 12 kg", "sr")
    assert not checks.language_problems("Извор: Ministry of Interior of Serbia", "sr",
                                        quoted=("Ministry of Interior of Serbia",))


# messages that still print a count before a noun without plural forms: their translations word the count
# where nothing agrees with it ("број прогноза: {n}", "{h}-годишњи период"); none may be added
COUNT_BEFORE_NOUN_ALLOWED = {
    "The text analysts wrote is kept with the data and checked against it when the book is built: {files} narrative",
    "For reviewers: the analysts' term and the model's ({model}) are {n} steps of the yardstick apart.",
    "This public edition shows {counts} counts of organised crime groups",
    "**What a trend needs.**", "**Key judgements.** A key judgement states", "**Calibration.** The model's",
    "This edition's series are too short", "**This edition's backtest.**", "Against assuming that the direction",
}


def test_a_count_before_a_noun_is_a_plural_message():
    """A message that puts a count before the word it counts ("{n} groups") has a form per plural category;
    the few technical sentences of the methodology listed above are worded around their counts instead."""
    with open(i18n.LOCALE_DIR / "socta.pot", "rb") as fh:
        singular_only = [m.id for m in read_po(fh) if isinstance(m.id, str) and m.id]
    counted = [msgid for msgid in singular_only
               if re.search(r"\{(?:n|k|m|count|small|files|h|counts)\} (?!of\b|and\b|or\b|to\b|in\b|at\b)[a-z]", msgid)]
    unexpected = [msgid for msgid in counted if not any(msgid.startswith(a) for a in COUNT_BEFORE_NOUN_ALLOWED)]
    assert unexpected == []


@pytest.mark.parametrize("text, message", [
    ("term,nom\nSerbia,Србија\n", "no column gender"),
    ("term,gender,nom,genitiv\nSerbia,f,Србија,Србије\n", "column genitiv is not a form"),
    ("term,gender,nom\nSerbia,feminine,Србија\n", "row 2, column 'gender': 'feminine' is not one of m, f, n, pl"),
    ("term,gender,nom\nSerbia,f,\n", "row 2: a term needs its English name"),
])
def test_a_broken_term_base_names_the_file_row_and_fix(tmp_path, monkeypatch, text, message):
    folder = tmp_path / "xx"
    folder.mkdir()
    (folder / "terms.csv").write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._term_base.cache_clear()
    try:
        with pytest.raises(ValueError, match=re.escape(message)) as raised:
            i18n._term_base("xx")
        assert "terms.csv" in str(raised.value)
    finally:
        i18n._term_base.cache_clear()
