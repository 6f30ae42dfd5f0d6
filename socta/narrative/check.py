"""The check of a narrative against the data: typed numbers, direction words, yardstick terms.

- **A typed number** that looks like a data value (not a year, not a small count of things such as
  "three countries", 9 or less) must match a value, a rate, a change between two years, a share or a
  fitted trend of the page's scope, as printed (its decimals; "1,200" matches 1,234 rounded to
  hundreds). One that matches none is reported with the nearest value the data have: it is stale,
  mistyped, or from a source outside the dataset (then it belongs in the text with its source, or as a
  live value).
- **A direction word** ("rose", "fell", "stable", "doubled", and their forms in each language,
  ``socta/locale/directions.yaml``) nearest to a live change or trend must fit its sign and size.
- **A yardstick term** typed in a sentence must fit what the sentence says: a typed probability
  inside the term's band, and the model's own term where the sentence cites the trend behind it.

Findings are warnings; ``--final`` (publication) makes them errors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from babel.numbers import get_decimal_symbol, get_group_symbol

from socta.core.config import REGION, read_yaml
from socta.i18n import translate as i18n
from socta.i18n.translate import t
from socta.narrative.render import LIVE_MARK, Issue, Rendered, Sentence
from socta.narrative.values import LiveValues

DIRECTIONS_FILE = i18n.LOCALE_DIR / "directions.yaml"


@dataclass(frozen=True)
class Candidate:
    value: float
    label: str
    percent: bool


@lru_cache(maxsize=None)
def direction_words(lang: str) -> dict[str, re.Pattern]:
    """The direction words of a language as one pattern per direction (up, down, stable, doubled, halved)."""
    table = read_yaml(DIRECTIONS_FILE, "the direction words", example="socta/locale/directions.yaml")
    source = i18n.catalogue_language(lang)
    words = table.get(lang) or table.get(source) or {}
    out = {}
    for direction, items in words.items():
        items = [i18n.transliterate(w, lang) for w in items] if lang != source else items
        alternatives = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) + r"(?!\w)" for w in items]
        out[direction] = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)
    return out


@lru_cache(maxsize=None)
def number_pattern(lang: str) -> re.Pattern:
    """A number as ``lang`` writes it (1,234.5 in English, 1.234,5 in Serbian), with an optional %."""
    locale = i18n.babel_locale(lang)
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    groups = "[" + re.escape(group) + "\u00a0\u202f]"
    return re.compile(r"(?<![\w.,])(?P<whole>\d{1,3}(?:" + groups + r"\d{3})+|\d+)(?:" + re.escape(decimal)
                      + r"(?P<decimals>\d+))?(?!\w)(?P<percent>\s?%)?")


def typed_numbers(text: str, lang: str) -> list[tuple[str, float, int, bool]]:
    """The numbers of a sentence that look like data values: (as typed, value, decimals, is a percent)."""
    out = []
    for m in number_pattern(lang).finditer(text):
        whole = re.sub(r"\D", "", m.group("whole"))
        decimals = m.group("decimals") or ""
        value = float(f"{whole}.{decimals}" if decimals else whole)
        percent = bool(m.group("percent"))
        is_year = not decimals and not percent and whole == m.group("whole") and 1900 <= value <= 2100
        # "per 100,000 inhabitants", "1,000 pieces": a unit, not a value
        unit = not percent and not decimals and value >= 100 and whole.rstrip("0") == "1"
        if is_year or unit or (not percent and not decimals and value < 10):
            continue
        out.append((m.group(0).strip(), value, len(decimals), percent))
    return out


def matches(typed: float, decimals: int, candidate: float) -> bool:
    """Whether a typed number is ``candidate`` as printed: at the typed decimals, or rounded to the
    typed number's trailing zeros ("1,200" for 1,234)."""
    if round(abs(candidate), decimals) == typed:
        return True
    if decimals == 0 and typed:
        zeros = len(str(int(typed))) - len(str(int(typed)).rstrip("0"))
        return zeros > 0 and round(abs(candidate), -zeros) == typed
    return False


def candidates(values: LiveValues, indicators: list[str], scopes: list[str]) -> list[Candidate]:
    """Every value the page's data could quote: values and rates of every indicator, part and year;
    changes between any two years; shares of parts; fitted trends and judgement probabilities."""
    page = values.page
    out: list[Candidate] = []
    for scope in scopes:
        for indicator in indicators:
            name = f"{indicator}, {scope}"
            by = page.breakdown_of(indicator)
            total = page.series(indicator, scope=scope)
            lines = [("", total)]
            if by:
                parts = page.series(indicator, by=by, scope=scope)
                lines += [(str(part), rows) for part, rows in parts.groupby(by)]
            for part, rows in lines:
                known = rows[rows["value"].notna()]
                label = f"{name}{' ' + part if part else ''}"
                out += [Candidate(float(v), f"{label} {int(y)}", False) for y, v in zip(known["year"], known["value"])]
                whole = known[known["months"].isna()].set_index("year")["value"]
                years = list(whole.index)
                for i, first in enumerate(years):
                    for last in years[i + 1:]:
                        if whole[first]:
                            out.append(Candidate(100 * abs(whole[last] - whole[first]) / whole[first],
                                                 f"change of {label} {first}-{last}", True))
                if part:
                    shares = known.merge(total[["year", "value"]], on="year", suffixes=("", "_total"))
                    out += [Candidate(100 * v / tot, f"share of {label} {int(y)}", True)
                            for y, v, tot in zip(shares["year"], shares["value"], shares["value_total"]) if tot]
            rated = page.rate(total[total["value"].notna()], scope=scope)
            out += [Candidate(float(r), f"rate of {name} {int(y)}", False)
                    for y, r in zip(rated["year"], rated["per_100k"]) if pd.notna(r)]
            trend = page.trend(indicator, scope)
            if trend is not None:
                out += [Candidate(100 * abs(float(trend[c])), f"trend of {name}", True)
                        for c in ("change_per_year", "change_low", "change_high")]
    return out


class Checker:
    """Checks the sentences of one rendered narrative file for one page."""

    def __init__(self, values: LiveValues, lang: str, path: str, indicators: list[str], scopes: list[str]):
        self.values, self.lang, self.path = values, lang, path
        self.indicators, self.scopes = indicators, scopes
        settings = values.project.settings.narrative
        self.stable, self.doubled = settings.stable_within_pct, settings.doubled_within_pct
        self.counted = {"numbers": 0, "directions": 0, "terms": 0}

    @property
    def candidates(self) -> list[Candidate]:
        if not hasattr(self, "_candidates"):
            self._candidates = candidates(self.values, self.indicators, self.scopes)
        return self._candidates

    def check(self, rendered: Rendered) -> list[Issue]:
        issues = []
        for sentence in rendered.sentences:
            issues += self.numbers(sentence) + self.directions(sentence) + self.terms(sentence)
        return issues

    def issue(self, sentence: Sentence, kind: str, message: str) -> Issue:
        return Issue(self.path, sentence.line, kind, message)

    # ---- typed numbers -----------------------------------------------------------------------------
    def numbers(self, sentence: Sentence) -> list[Issue]:
        issues = []
        for shown, value, decimals, percent in typed_numbers(sentence.text, self.lang):
            self.counted["numbers"] += 1
            pool = [c for c in self.candidates if c.percent == percent]
            if any(matches(value, decimals, c.value) for c in pool):
                continue
            near = min(pool, key=lambda c: abs(c.value - value), default=None)
            shown_near = i18n.fmt_number(near.value, max(decimals, 1 if percent else 0)) if near else ""
            hint = f"; the nearest is {shown_near}{'%' if percent else ''} ({near.label})" if near else ""
            issues.append(self.issue(sentence, "number",
                                     f"the typed number {shown} matches no value, rate, change, share or trend of this "
                                     f"page's data{hint}. Write it as a live value (e.g. {{value}}`…`), correct it, or "
                                     "name its source if it comes from outside the dataset"))
        return issues

    # ---- direction words ---------------------------------------------------------------------------
    def directions(self, sentence: Sentence) -> list[Issue]:
        issues = []
        words = direction_words(self.lang)
        found = [(m.start(), direction, m.group()) for direction, pattern in words.items()
                 for m in pattern.finditer(sentence.text)]
        if not found:
            return issues
        marks = [m.start() for m in re.finditer(LIVE_MARK, sentence.text)]
        for n, (live, at) in enumerate(zip(sentence.lives, marks)):
            if live.signed is None:
                continue
            # the word that describes a live value stands before it ("fell by …", "опао је за …"), or after
            # it, with no other live value in between
            before = [f for f in found if (marks[n - 1] if n else -1) < f[0] < at]
            after = [f for f in found if at < f[0] < (marks[n + 1] if n + 1 < len(marks) else len(sentence.text))]
            if not (before or after):
                continue
            self.counted["directions"] += 1
            _, direction, word = max(before) if before else min(after)
            change = live.signed
            wrong = {"up": change < 0, "down": change > 0, "stable": abs(change) > self.stable,
                     "doubled": abs(change - 100) > self.doubled, "halved": abs(change + 50) > self.doubled}[direction]
            if wrong:
                issues.append(self.issue(sentence, "direction",
                                         f"'{word}' beside {{{live.role}}}`{live.reference}`, which is "
                                         f"{'+' if change >= 0 else '−'}{abs(change):.1f}%: the word says the opposite "
                                         "of the data, or more than they do"))
        return issues

    # ---- yardstick terms ---------------------------------------------------------------------------
    def terms(self, sentence: Sentence) -> list[Issue]:
        issues = []
        yardstick = self.values.page.ref.yardstick
        text = i18n.transliterate(sentence.text, i18n.language()).casefold()  # as the edition shows it
        used = []
        for term in sorted(yardstick["term"], key=len, reverse=True):
            shown = t(term).casefold()
            hit = re.search(r"(?<!\w)" + re.escape(shown) + r"(?!\w)", text)  # a word, not a part of one
            at = hit.start() if hit else -1
            if at >= 0 and not any(a <= at < b for a, b in used):
                used.append((at, at + len(shown)))
                used_term = term
                self.counted["terms"] += 1
                band = yardstick[yardstick["term"].eq(term)].iloc[0]
                for _, value, _, percent in typed_numbers(sentence.text, self.lang):
                    if percent and not band["lower_pct"] <= value <= band["upper_pct"]:
                        issues.append(self.issue(sentence, "yardstick",
                                                 f"'{t(used_term)}' means {band['lower_pct']:g}–{band['upper_pct']:g}% on "
                                                 f"the yardstick, not {value:g}%"))
                for live in sentence.lives:
                    if live.term and live.term != term and live.role in ("trend", "term"):
                        issues.append(self.issue(sentence, "yardstick",
                                                 f"'{t(used_term)}' beside {{{live.role}}}`{live.reference}`, whose "
                                                 f"judgement term is '{t(live.term)}'"))
        return issues


def scope_of_page(values: LiveValues) -> tuple[list[str], list[str]]:
    """The indicators and scopes a page's typed numbers are read against: its crime area's indicators
    (every indicator for a chapter), in its scope, and for the region in every country too."""
    page = values.page
    indicators = page.area_indicators(values.area) if values.area else list(page.ref.indicators.index)
    scopes = [values.scope] + (list(page.ref.countries.index) if values.scope == REGION else [])
    return indicators, scopes
