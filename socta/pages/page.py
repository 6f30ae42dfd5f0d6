"""What a template notebook calls: the :class:`Page` of one scope (and crime area) of one edition.

A page is four pieces, each in its own module and tested on its own:

- **data access** (:class:`socta.pages.data.EditionData`): the edition's processed tables as tidy frames;
- **judgements** (:class:`socta.pages.judgements.Judgements`): what the data support saying, in words;
- **formatting** (:mod:`socta.pages.formatting`): how a number, count or score is printed;
- **rendering** (:class:`socta.pages.render.Rendering`): a figure, table or sentence named, captioned and shown.

A template draws with pandas and seaborn on the frames the page gives it and hands the result to
``page.figure`` or ``page.show_table``; the page classes of the chapters (:mod:`socta.pages.area`,
:mod:`socta.pages`) add the sentences of their chapter.
"""
from __future__ import annotations

import functools
import warnings

from socta.core.config import REGION
from socta.core.edition import PUBLIC
from socta.core.markup import inert, plain
from socta.i18n.translate import set_language, t
from socta.pages import figures, formatting, render
from socta.pages.data import EditionData
from socta.pages.judgements import Judgements
from socta.pages.render import Rendering


class Page(Judgements, Rendering, EditionData):
    """One page of the book: a scope (a country's ISO3 or ``region``) and optionally a crime area."""

    def __init__(self, *, scope: str, processed_dir: str, data_dir: str, audience: str = PUBLIC,
                 lang: str = "en", first_year: int, last_year: int, area: str | None = None, page: str = ""):
        warnings.filterwarnings("ignore", category=FutureWarning)  # library notices are not findings
        set_language(lang)
        figures.apply_style()
        self.lang = lang
        EditionData.__init__(self, scope=scope, area=area, audience=audience, first_year=first_year,
                             last_year=last_year, processed_dir=processed_dir, data_dir=data_dir)
        Rendering.__init__(self, page or f"{area or 'page'}-{scope.lower()}", self.dataset)

    # how this edition prints values (socta.pages.formatting)
    num = staticmethod(formatting.number)
    count = staticmethod(formatting.count)
    score = staticmethod(formatting.score)

    def statistics_source(self, *indicators: str, scope: str | None = None) -> str:
        """The source line of a figure or table of ``indicators``: the publishers of the values it
        shows (the rows of the scope and period with a value or a bound), shortened; the full citation
        of every row is in the annex."""
        scope = scope or self.scope
        rows = self.statistics[self.statistics["indicator"].isin(indicators)]
        if scope != REGION:
            rows = rows[rows["country"].eq(scope)]
        shown = rows[rows["value"].notna() | rows["censor"].isin(["below", "above"])]
        # shortened as written, then made inert again: a cut never splits an escape
        publishers = list(dict.fromkeys(inert(formatting.publisher(plain(s))) for s in shown["source"].dropna().astype(str)
                                        if s.strip()))
        if not publishers:
            return self.source_statistics
        return t("Source: {publishers}, in the dataset “{name}”{synthetic}; calculations for this assessment.",
                 publishers="; ".join(sorted(publishers)), name=t(self.dataset.get("name", "")),
                 synthetic=self.synthetic_note)

    def score_note(self, rows) -> str:
        return formatting.score_note(rows, self.project.settings.public.score_step)

    def say_missing(self, name: str) -> None:
        """Say once per page that an optional input is absent and what that leaves out."""
        said = self.__dict__.setdefault("_said_missing", set())
        if name not in said:
            said.add(name)
            text = {  # literal t() calls, so that `make messages` finds them
                "ocg_register.csv": t("No OCG register is part of this dataset, so this page cannot describe the "
                                      "organised crime groups, and no threat score includes them."),
                "ocg_answers.csv": t("No OCG indicator answers are part of this dataset, so the groups' use of "
                                     "corruption, legal business structures and money laundering cannot be described "
                                     "here."),
                "expert_assessments.csv": t("No expert assessments are part of this dataset, so harm is not scored."),
                "ocg_places.csv": t("No places of the groups (ocg_places.csv) are part of this dataset, so no map shows "
                                    "where they are based and operate."),
            }[name]
            self.say(f"*{text}*")

    def judgement_box(self, area: str | None = None, scope: str | None = None, title: str | None = None) -> None:
        j = self.judgement(area, scope)
        heading = title or t("Key judgement")
        render.md(render.box(heading, f"{j['text']}\n\n{j['basis']}", "key-judgement"))

def needs_input(name: str):
    """Skip a block of a page when the dataset lacks the optional input file it is made from; the
    page says once, in a sentence, what is missing (:meth:`Page.say_missing`)."""
    def wrap(method):
        @functools.wraps(method)
        def inner(self, *args, **kwargs):
            if not self.has_input(name):
                self.say_missing(name)
                return None
            return method(self, *args, **kwargs)
        return inner
    return wrap
