"""The whole public English book, built from a clean build folder as `make report` builds it."""
import re
from html.parser import HTMLParser

from socta.core.config import REGION, Project
from socta.ingest.reference import Reference

OCG_ID = re.compile(r"[A-Z]{3}-OCG-\d{3}")


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, text):
        super().__init__()
        self.images, self.figcaptions, self.title = [], [], ""
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag in ("figcaption", "title"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "figcaption":
            self.figcaptions.append(data)
        elif self._in == "title":
            self.title += data


def read(html, page):
    return (html / page).read_text(encoding="utf-8")


# the code of a cell as MyST-NB renders it (folded in the book): code, not text the page says
CODE_INPUT = re.compile(r'<div class="highlight-ipython3[^"]*"><div class="highlight"><pre>.*?</pre></div>\s*</div>', re.S)


def without_code(html_text):
    return CODE_INPUT.sub(" ", html_text)


def area_pages():
    """Every crime-area page: one per country and a regional one, per area."""
    ref = Reference(Project())
    for area in ref.top_areas.index:
        for slug in [*ref.countries["slug"], None]:
            yield f"areas/{area}/countries/{slug}.html" if slug else f"areas/{area}/index.html"


def test_every_country_and_area_page_is_built_with_figures_and_the_banner(book):
    for page in area_pages():
        text = read(book, page)
        figures = [i for i in Page(text).images if "_images/" in i.get("src", "")]
        assert len(figures) >= 2, f"{page}: {len(figures)} figures"
        assert all(i.get("alt") and len(i["alt"]) > 30 for i in figures), f"{page}: an image without alt text"
        assert "Synthetic demonstration data" in text, f"{page}: no synthetic-data banner"
        assert "PUBLIC" in text
        assert "Source:" in text
        assert not re.search(r"Traceback|Error\b|stderr", without_code(text)), f"{page}: an error was rendered"


def test_images_exist_and_are_png(book):
    images = list((book / "_images").glob("*.png"))
    assert len(images) > 80
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in images)


def test_every_chapter_of_the_outline_is_in_the_book(book):
    index = read(book, "intro.html")
    for title in ["Methodology", "Main conclusions", "Drug trafficking", "Migrant smuggling",
                  "Trafficking in human beings", "Property crime", "Economic crime", "Firearms trafficking",
                  "Online fraud", "Cyber-attacks", "Online child sexual exploitation", "Waste and environmental crime",
                  "Organised crime groups", "Open-source context", "Data sources and provenance", "Glossary"]:
        assert title in index, f"{title} missing from the navigation"


def test_main_conclusions_state_the_computed_priority(book):
    from socta.pages.page import Page as NbPage

    text = read(book, "conclusions.html")
    processed = book.parent.parent / "processed" / "public"
    page = NbPage(scope=REGION, processed_dir=str(processed), data_dir=str(book.parent.parent.parent / "data"),
                  first_year=2014, last_year=2024)
    top = page.scores[page.scores["scope"].eq(REGION)].sort_values("rank").iloc[0]
    name = page.area_name(top["area"]).lower()
    assert f"The highest-priority threat for the region is <strong>{name}</strong>" in text
    assert f"priority score {round(top['priority'])}" in text
    assert "EMPACT 2026–2029 priorities — Region." in text, "the regional priorities against EMPACT's (a table)"
    assert f"The highest-priority threat, {name}, corresponds to the EMPACT priority" in text


def test_methodology_prints_the_weights_in_force(book):
    text = read(book, "methodology.html")
    ref = Reference(Project())
    for _, row in ref.ocg_indicators.iterrows():
        assert row["name_en"] in text
    assert "realistic possibility" in text and "Reliable in most instances" in text


def test_public_edition_has_no_ocg_identifiers_grades_or_handling_codes(book):
    for path in book.rglob("*"):
        if path.suffix in {".html", ".js", ".txt", ".ipynb", ".md"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not OCG_ID.search(text), f"OCG identifier in {path}"
            assert "handling_code" not in text, f"handling code column in {path}"


def test_open_sources_carry_their_source_and_match_published_scores(book):
    text = read(book, "open_sources.html")
    assert "Global Initiative against Transnational Organized Crime" in text and "Frontex" in text
    assert "6.22" in text  # Serbia 2023 criminality, recomputed from its components


KEY_JUDGEMENT = re.compile(r'<div class="[^"]*\bkey-judgement\b[^"]*"[^>]*>(.*?)</div>', re.S)
# words that express likelihood; in a key judgement they may appear only inside a yardstick term
LIKELIHOOD_WORDS = re.compile(r"\b(likely|unlikely|likelihood|probable|probably|improbable|possible|possibly|"
                              r"possibility|certain|certainly|certainty|chance|doubtful|may|might|perhaps|almost|"
                              r"highly|remote|realistic|expected to|surely)\b", re.I)


def key_judgements(html):
    return [re.sub(r"<[^>]+>", "", box) for box in KEY_JUDGEMENT.findall(html)]


def only_yardstick_words(text, terms):
    for term in sorted(terms, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(term)}\b", " ", text, flags=re.I)
    return LIKELIHOOD_WORDS.findall(text)


def test_the_yardstick_check_catches_a_foreign_likelihood_word():
    terms = Reference(Project()).yardstick["term"]
    assert only_yardstick_words("It is highly likely that x will rise.", terms) == []
    assert only_yardstick_words("It is probably going to rise; a realistic possibility.", terms) == ["probably"]


def test_key_judgement_boxes_use_only_yardstick_terms(book):
    terms = list(Reference(Project()).yardstick["term"])
    boxes = []
    for path in book.rglob("*.html"):
        for box in key_judgements(path.read_text(encoding="utf-8")):
            boxes.append(box)
            if "cannot support a judgement" in box:  # too little data: said plainly, with no likelihood word
                assert not any(re.search(rf"\b{re.escape(t)}\b", box) for t in terms), box
            else:
                assert any(re.search(rf"\b{re.escape(t)}\b", box) for t in terms), f"{path.name}: no yardstick term in {box!r}"
            assert only_yardstick_words(box, terms) == [], f"{path.name}: likelihood word outside the yardstick: {box!r}"
            assert re.search(r"Analytic confidence: (high|moderate|low)", box), f"{path.name}: no confidence in {box!r}"
    ref = Reference(Project())
    assert len(boxes) >= len(ref.top_areas) * (len(ref.countries) + 1) + 3


def test_main_conclusions_open_with_key_judgements_and_the_matrix(book):
    text = read(book, "conclusions.html")
    first_box = re.search(r'class="[^"]*key-judgement', text).start()
    matrix = text.index("fig-conclusions-matrix-region")
    ranking_section = text.index('id="regional-prioritisation"')
    assert first_box < matrix < ranking_section
    assert re.search(r"ranks in the top 3 under \d+% of weightings", text)
    assert "fig-conclusions-sensitivity-region" in text and "What changed since the previous period" in text


def test_every_area_page_has_its_trend_model_harm_profile_and_judgement(book):
    for page in area_pages():
        text = read(book, page)
        assert "Trend models for" in text and "<p>Forecast</p></th>" in text, page
        assert "Harm profile" in text or "-harm" in text, page
        assert re.search(r'class="[^"]*key-judgement', text), page


def test_methodology_shows_the_judgement_rule_the_reliability_diagram_and_the_backtest_by_term(book, edition):
    import pandas as pd

    from socta.analysis.backtest import band_table, scores
    from socta.analysis.calibration import shipped_check
    from socta.i18n.translate import fmt_number

    text = read(book, "methodology.html")
    plain = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert "Key judgements. A key judgement states how likely it is that the threat from a crime area will grow over " \
           "the next 4 years" in plain
    assert 'id="fig-methodology-reliability"' in text and "Reliability diagram of the likelihood terms" in text
    assert 'id="tbl-methodology-calibration"' in text
    # the edition's own backtest, as processed, is what the chapter prints
    forecasts = pd.read_parquet(edition / "processed" / "public" / "backtest.parquet")
    sc = scores(forecasts)
    assert f"({fmt_number(sc['forecasts'])} forecasts;" in text and f"Their Brier score is {fmt_number(sc['brier'], 3)}" in text
    table = text.split('id="tbl-methodology-calibration"', 1)[1].split("</table>", 1)[0]
    for row in band_table(forecasts, Reference(Project()).yardstick).itertuples():
        assert re.search(rf"<td[^>]*><p>{re.escape(row.term)}</p></td>\s*<td[^>]*><p>[^<]*</p></td>\s*"
                         rf"<td[^>]*><p>{row.forecasts}</p></td>", table), row.term
    check = shipped_check()
    assert f"Checked on {fmt_number(int(check['forecasts'].sum()))} forecasts of another simulation, the share of " \
           "events that happened lies within 5 points of every term" in text


def test_methodology_prints_weights_yardstick_and_confidence_rule(book):
    text = read(book, "methodology.html")
    for term in Reference(Project()).yardstick["term"]:
        assert term in text
    assert "Analytic confidence</strong> is high when at least" in text
    assert "Sleipnir" in text and "Dirichlet" in text


def test_no_placeholder_or_missing_value_text_on_any_page(book):
    for path in book.rglob("*.html"):
        if "_static" in path.parts:
            continue
        text = re.sub(r"<[^>]+>", " ", without_code(path.read_text(encoding="utf-8")))
        for bad in (r"\{\{", r"\bTODO\b", r"\blorem\b", r"\bNaN\b", r"<NA>", r"\bnan\b", r"\bNone\b"):
            assert not re.search(bad, text), f"{path.relative_to(book)}: {bad}"


def test_published_notebooks_carry_no_path_of_the_build_machine(edition, book):
    """The page sources behind the download button name folders neutrally, never as this machine has them."""
    from ..helpers import REPO

    machine = [str(REPO), str(edition.parent), "/tmp/"]
    for path in book.rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        found = [m for m in machine if m in text]
        assert not found, f"{path.relative_to(book)} names {found}"
    assert list(book.rglob("*.ipynb")), "no published notebook to check"


def test_published_notebooks_carry_figures_as_png_only(edition, book):
    """A vector figure records its values exactly (a bar of 95.675% where the text says 96%): the
    downloadable notebooks keep the PNG only (socta.book.published); the book source keeps the PDF for LaTeX."""
    vector = re.compile(r'(application/pdf|image/svg\+xml)"')   # plain, or glue's "application/papermill.record/…"
    notebooks = list(book.rglob("*.ipynb"))
    assert notebooks, "no published notebook to check"
    for path in notebooks:
        assert not vector.search(path.read_text(encoding="utf-8")), path.relative_to(book)
    assert sum('image/png"' in p.read_text(encoding="utf-8") for p in notebooks) > 10
    source = edition / "public-en" / "source"
    assert any(vector.search(p.read_text(encoding="utf-8")) for p in source.rglob("*.ipynb"))


FOLDED = re.compile(r'<details class="[^"]*\bhide above-input\b[^"]*">(.*?)</details>', re.S)


def test_analytic_code_is_folded_and_setup_code_removed(book):
    """Each analytic cell's code is in the page, collapsed behind "Show code cell source"; the
    parameters cells are gone, and so is the setup cell's code (its banner and summary stay)."""
    import html as html_lib

    text = read(book, "areas/drugs/index.html")
    folded = [html_lib.unescape(re.sub(r"<[^>]+>", "", block)) for block in FOLDED.findall(text)]
    assert any("page.series(indicator, by=by)" in code for code in folded), "no folded analytic code"
    assert "Show code cell source" in text
    assert "tag_parameters" not in text and "tag_injected-parameters" not in text
    plain = html_lib.unescape(re.sub(r"<[^>]+>", "", text))
    assert "processed_dir" not in plain and "AreaPage(" not in plain, "parameters or setup code shown"
    assert "Synthetic demonstration data" in plain and "Key judgement" in plain  # the setup cell's output
    for path in book.rglob("*.html"):  # no page shows code unfolded
        page = path.read_text(encoding="utf-8")
        assert page.count('class="cell_input') == len(FOLDED.findall(page)), f"{path.relative_to(book)}: code unfolded"


def test_the_pdf_shows_results_not_code(edition):
    import subprocess

    pdf = edition / "public-en" / "pdf" / "assessment.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for code in ("page.series(indicator", "figures.observed_line", "AreaPage", "page.banner()", "processed_dir",
                 "import seaborn"):
        assert code not in text, f"code in the PDF: {code}"
    assert "Key judgement" in text  # results stay


def test_the_analysts_narrative_is_in_the_book_with_live_values(edition, book):
    """The demo's narrative: its sections on the regional drugs page with the value computed from the
    edition's own statistics, its chapters in the navigation and the PDF, its draft marked, and the
    methodology saying what the check read."""
    import subprocess

    import pandas as pd

    stats = pd.read_csv(edition.parent / "data" / "statistics.csv", dtype={"value": str}, keep_default_na=False)
    rows = stats[stats["indicator"].eq("drug_offences") & stats["year"].eq(2024)]
    offences = f"{pd.to_numeric(rows['value']).sum():,.0f}"
    drugs = without_code(read(book, "areas/drugs/index.html"))
    for text in ("Modus operandi", "Key judgement of the analysts", f"Police recorded {offences} drug offences in 2024",
                 "The model’s reading of the data"):
        assert text in drugs, text
    assert "has not been reviewed" in read(book, "areas/drugs/countries/serbia.html")  # a draft, marked
    assert "has not been reviewed" not in drugs
    front = read(book, "intro.html")
    assert "narrative/key_findings.html" in front and "narrative/recommendations.html" in front
    assert (book / "narrative" / "key_findings.html").is_file() and not (book / "narrative" / "outlook.html").exists()
    assert "The analysts’ narrative and its check" in read(book, "methodology.html")
    pdf = subprocess.run(["pdftotext", str(edition / "public-en" / "pdf" / "assessment.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    pdf = " ".join(pdf.split())
    assert "Key findings" in pdf and "Recommended priorities" in pdf and "cocaine arrives in containers" in pdf


def test_the_pdf_carries_its_title_author_marking_and_language(edition):
    from ..helpers import pdf_metadata

    meta = pdf_metadata(edition / "public-en" / "pdf" / "assessment.pdf")
    assert meta["Title"] == "Regional Serious and Organised Crime Threat Assessment"
    # the issuing authorities (settings.yaml publication.issued_by) joined as English joins a list
    assert meta["Author"] == ("Ministry of Interior of the Republic of Serbia, Ministry of Interior of Montenegro and "
                              "Ministry of Internal Affairs of the Republic of North Macedonia")
    assert meta["Subject"] == "PUBLIC · Serbia, Montenegro and North Macedonia" and meta["Lang"] == "en"
    assert meta["Keywords"].startswith("serious and organised crime, threat assessment, SOCTA, Western Balkans, "
                                       "Drug trafficking, Migrant smuggling")


def test_the_cover_is_an_official_documents_and_the_findings_come_first(edition, book):
    """The cover names the issuers, the status (synthetic data: a demonstration, never an issued assessment),
    the information cut-off, the date of issue in the language's format and the distribution; it carries no
    page number. The key findings and the conclusions come before the crime areas; the methodology is an annex."""
    import datetime
    import subprocess

    pdf = edition / "public-en" / "pdf" / "assessment.pdf"
    cover = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    for text in ("Ministry of Interior of the Republic of Serbia", "Ministry of Interior of Montenegro",
                 "DEMONSTRATION: NOT AN ASSESSMENT", "Information cut-off", "31 December 2024",
                 "Approved for public release", "Synthetic demonstration data"):
        assert text in cover, f"{text!r} not on the cover"
    assert "socta" not in cover.lower(), "the tool's name is no subtitle of a ministry's document"
    assert re.search(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|"
                     r"December) 20\d\d\b", cover.split("Date of issue", 1)[1]), "the date of issue as 7 December 2026"
    footer = [line for line in cover.splitlines() if line.strip()][-1]
    assert footer.strip() == "PUBLIC", f"the cover's foot carries the marking alone, no page number: {footer!r}"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    contents = text[:text.index("Key findings", text.index("Contents") if "Contents" in text else 0) + 2000]
    # the contents are headed "Contents", not by the first part's caption ("ASSESSMENT")
    assert "CONTENTS" in text[:3000] and not re.search(r"^ASSESSMENT$", text[:3000], re.M)
    order = [text.index(title) for title in ("Key findings", "Main conclusions", "Drug trafficking", "Methodology",
                                             "Data sources and provenance")]
    assert order == sorted(order), f"contents out of order: {contents[:400]}"
    intro = without_code(read(book, "intro.html"))
    assert "Issued by" in intro and "DEMONSTRATION: NOT AN ASSESSMENT" in intro and str(datetime.date.today().year) in intro


def test_sentences_are_said_once(book):
    """The method, the synthetic notice and the legends are said once and linked, not repeated on every page:
    before this was measured the public book of the 2016 method (33 pages) repeated 8,427 words of sentences of
    eight words or more (the synthetic box 32 times, the harm and trend paragraphs 24 times each), about 255 a
    page; since, under 3,000 (91 a page). The measure is per page, since a book of more crime areas has more
    tables whose notes (a symbol's legend) each must carry; and no sentence comes back on every page."""
    from ..helpers import repeated_sentences, repeated_words

    pages = len(list(book.rglob("*.html")))
    repeats = repeated_sentences(book)
    worst = sorted(repeats.items(), key=lambda kv: -(kv[1] - 1) * len(kv[0].split()))[:5]
    assert repeated_words(repeats) < 91 * pages, f"{repeated_words(repeats)} words repeated on {pages} pages; most: {worst}"
    assert all(n < pages for n in repeats.values()), worst


def test_the_readers_text_names_no_configuration_file(book):
    """File names of the configuration belong to the analysts' notebooks and the methodology annex."""
    for page in book.rglob("*.html"):
        name = page.relative_to(book).as_posix()
        if name.startswith(("_", "methodology", "annex/", "search", "genindex")):
            continue
        text = without_code(page.read_text(encoding="utf-8"))
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        for leak in ("socta calculations", "chosen in the configuration"):
            assert leak not in text, f"{name}: {leak!r} in the reader's text"
        files = re.findall(r"[\w./-]+\.(?:csv|yaml|yml|geojson)\b", text)   # tactics.csv, settings.yaml, ...
        assert not files, f"{name}: {files} in the reader's text"


def test_every_page_names_its_controls_in_the_editions_language(book):
    """axe-core's findings on every page (socta/book/accessible.py): expanders without a name, a search button and
    code toggles whose names do not contain what they show, in English."""
    for page in book.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<summary><span class="toctree-toggle"' not in text, page
        assert "Toggle hidden content" not in text, page
        assert not re.search(r'<button class="[^"]*search-button__button[^"]*"[^>]*aria-label=', text), page


def test_search_finds_what_the_pages_say_not_their_code(book):
    """The folded code is not indexed: "import" is in every cell's code and in no page's text, and a code
    comment that names heroin made every crime-area page a hit for it."""
    import json

    text = (book / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])

    def pages(word):
        hits = index["terms"].get(word, [])
        return {index["docnames"][i] for i in ([hits] if isinstance(hits, int) else hits)}

    assert not pages("import")
    assert not any(doc.startswith("areas/cyber") for doc in pages("heroin"))
    assert "areas/drugs/index" in pages("cocain")        # what the drugs page says is still found


def test_the_pdf_marking_stands_alone_in_the_head_of_every_page(edition):
    """Nothing is printed on the line of the marking at the head of a page: a running section title beside it
    overprinted a long marking ("RESTRICTED") where a handling mark must be legible."""
    import subprocess

    pdf = edition / "public-en" / "pdf" / "assessment.pdf"
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    marked = 0
    for number, page in enumerate(layout.split("<page ")[1:], start=1):
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in word.findall(page)]
        head = [w for w in words if w[4] == "PUBLIC" and w[1] < 100]
        if not head:
            continue
        marked += 1
        top, bottom = min(w[1] for w in head), max(w[3] for w in head)
        beside = [w[4] for w in words if w[4] != "PUBLIC" and w[1] < bottom and w[3] > top]
        assert not beside, f"page {number}: {beside} on the marking's line"
    assert marked > 50


def test_pdf_table_cells_are_ragged_right_and_break_no_yardstick_term(edition):
    """Justified narrow columns broke words ("almost cer-tain", "realistic possi-bility") and stretched others
    ("Drug      offences"): the table cells are set ragged right. Read on the trend tables' rows, whose last
    cell is the yardstick's term."""
    import subprocess

    pdf = edition / "public-en" / "pdf" / "assessment.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    rows = [line for line in text.splitlines() if re.search(r"P\(\d{4} > \d{4}\)", line)]
    assert len(rows) > 30
    split = [row.strip() for row in rows if re.search(r"\b[a-z]{2,}-\s*$", row)]
    assert not split, split[:5]
    assert "almost certain" in text   # the terms are there, whole


def test_html_and_pdf_number_every_figure_and_table_alike(edition, book):
    """"Fig. 4.2" names the same figure in both: a reference made in one edition holds in the other."""
    import subprocess

    from bs4 import BeautifulSoup

    in_html = {}
    for page in book.rglob("*.html"):
        for caption in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select("figcaption, caption"):
            number = caption.select_one(".caption-number")
            if number:
                text = re.sub(r"\s+", " ", caption.get_text(" ")).strip()
                assert number.get_text().strip() not in in_html, f"{number.get_text()} twice in the HTML"
                in_html[number.get_text().strip()] = text[len(number.get_text()):].strip()
    pdf = subprocess.run(["pdftotext", str(edition / "public-en" / "pdf" / "assessment.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    in_pdf = re.findall(r"((?:Fig\.|Table) \d+\.\d+): (.{25})", re.sub(r"\s+", " ", pdf))
    assert len(in_pdf) == len(in_html) > 100
    for number, start in in_pdf:
        assert in_html.get(number, "")[:25].replace("’", "'") == start.replace("’", "'"), (number, start, in_html.get(number))


def test_the_index_lists_places_crime_areas_and_terms(edition, book):
    """The index (HTML genindex and the PDF's last pages): each crime area, each country with the areas on its
    pages, and the glossary's terms."""
    import subprocess

    index = re.sub(r"<[^>]+>", " ", read(book, "genindex.html"))
    for entry in ("Drug trafficking", "Firearms trafficking", "Serbia", "Montenegro", "North Macedonia", "Harm score"):
        assert entry in index, f"{entry} not in the index"
    assert 'href="areas/drugs/countries/serbia.html#index-' in read(book, "genindex.html")
    pdf = subprocess.run(["pdftotext", str(edition / "public-en" / "pdf" / "assessment.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    tail = pdf[pdf.rindex("INDEX") if "INDEX" in pdf else pdf.rindex("Index"):]
    assert "North Macedonia" in tail and "Migrant smuggling" in tail and "Harm score" in tail


def test_every_table_of_the_public_pdf_fits_its_page(edition):
    from ..helpers import words_off_the_page

    off = words_off_the_page(edition / "public-en" / "pdf" / "assessment.pdf")
    assert not off, f"{len(off)} words beyond the margin, e.g. {off[:5]}"
