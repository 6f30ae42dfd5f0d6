"""The assessment settings in force (``data/reference/settings.yaml``, or a data folder's own copy): one
typed object that owns every default.

A data folder's ``settings.yaml`` may predate a key: the key then has the default written here (the
values of the repository's file, except where an older rule is kept, e.g. ``priority.min_known_share``).
A key the object does not know is refused with the file, the key and the closest known one, so that a
typing error (``score_stpe``) is not silently ignored.

Each section is a frozen dataclass that also reads as a mapping (``settings["public"]["score_step"]``,
``{**settings, "priority": …}``), as the templates and the training lessons use it; code reads the
attributes (``settings.public.score_step``).
"""
from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from socta.core.errors import ConfigError
from socta.core.text import N_, did_you_mean

# keys earlier settings files had, that nothing ever read: refused with a word of their own
RETIRED = {"audiences", "default_audience", "judgement_horizon_years", "assessment.region_slug"}


class Section(Mapping):
    """A part of the settings: a frozen dataclass whose fields also read as a mapping's keys."""

    def __getitem__(self, key):
        if isinstance(key, str) and key in self._keys():
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self):
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    @classmethod
    def _keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def as_dict(self) -> dict:
        """Plain dicts and lists all the way down (for YAML or JSON)."""
        return {k: (v.as_dict() if isinstance(v, Section) else v) for k, v in self.items()}

    @classmethod
    def parse(cls, raw, path: Path | str, where: str = ""):
        """The section from its YAML mapping: unknown keys refused, values checked against their type,
        missing (or empty) keys at their default."""
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{path}: {where.rstrip('.') or 'the settings'} must be keys with values (key: value, "
                              f"one per line), not {raw!r}; compare data/reference/settings.yaml")
        hints = typing.get_type_hints(cls)
        known = cls._keys()
        values = {}
        for key, value in raw.items():
            if f"{where}{key}" in RETIRED:
                raise ConfigError(f"{path}: {where}{key} is no longer a setting (nothing ever read it); remove it")
            if key not in known:
                raise ConfigError(
                    f"{path}: unknown key {where}{key}{did_you_mean(key, known, codes=False)}; settings.yaml "
                    f"{('section ' + where.rstrip('.')) if where else 'top level'} has the keys {', '.join(known)} "
                    "(compare data/reference/settings.yaml). A misspelt key would be ignored, so it is refused")
            if value is None:
                continue  # an empty value: the default
            values[key] = _typed(value, hints[key], path, f"{where}{key}")
        return cls(**values)


def _typed(value, kind, path, name: str):
    """``value`` as a value of the field's type, or a :class:`ConfigError` naming the key."""
    if isinstance(kind, type) and issubclass(kind, Section):
        return kind.parse(value, path, f"{name}.")
    origin = typing.get_origin(kind) or kind
    wrong = None
    if origin is bool:
        if isinstance(value, bool):
            return value
        wrong = "true or false"
    elif origin in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            wrong = "a number"
        elif origin is int and value != int(value):
            wrong = "a whole number"
        else:  # a float field keeps a whole number as written (a step of 5 prints as 5)
            return int(value) if origin is int else value
    elif origin is str:
        if isinstance(value, (dict, list)):
            wrong = "a text or a code"
        else:
            return str(value)
    elif origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            wrong = "a list, e.g. [a, b]"
        else:
            return list(value) if origin is list else tuple(value)
    elif origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            wrong = "keys with values"
        else:
            return dict(value)
    else:
        return value
    raise ConfigError(f"{path}: {name} is {value!r}; it must be {wrong} (compare data/reference/settings.yaml)")


@dataclass(frozen=True)
class Assessment(Section):
    title: str = "Regional Serious and Organised Crime Threat Assessment"
    region_name: str = "Serbia, Montenegro and North Macedonia"
    first_year: int = 2014
    last_year: int = 2024
    valid_years: tuple = (2000, 2030)   # rows dated outside are rejected
    trend_window: int = 4               # the last N years against the N before


MINISTRIES = ["Ministry of Interior of the Republic of Serbia", "Ministry of Interior of Montenegro",
              "Ministry of Internal Affairs of the Republic of North Macedonia"]
STATUSES = ("draft", "final")
DISTRIBUTION = {
    "public": "Approved for public release. May be quoted with acknowledgement of the source.",
    "restricted": "For the law enforcement authorities of the three countries only. Do not forward, copy or publish "
                  "without the consent of the issuing authorities.",
    "training": "For teaching strategic analysis. Not an assessment; not to be quoted as one."}


@dataclass(frozen=True)
class Publication(Section):
    """The document's record: what its cover, its first page and its PDF metadata say about it."""
    issued_by: list = field(default_factory=lambda: list(MINISTRIES))   # the issuing authorities, one per line
    reference: str = ""                 # the issuers' reference number; empty: not printed
    version: str = "0.1"
    status: str = "draft"               # draft or final; an edition of synthetic data is never final
    information_cutoff: str = ""        # YYYY-MM-DD, the last day of information used; empty: 31 December of last_year
    distribution: dict = field(default_factory=lambda: dict(DISTRIBUTION))   # audience -> its edition's statement
    keywords: list = field(default_factory=lambda: ["serious and organised crime", "threat assessment", "SOCTA",
                                                    "Western Balkans"])   # the PDF's, besides the crime areas

    @classmethod
    def parse(cls, raw, path: Path | str, where: str = ""):
        import datetime

        section = super().parse(raw, path, where)
        if section.status not in STATUSES:
            raise ConfigError(f"{path}: publication.status is {section.status!r}; it must be draft or final")
        if section.information_cutoff:
            try:
                datetime.date.fromisoformat(section.information_cutoff)
            except ValueError:
                raise ConfigError(f"{path}: publication.information_cutoff is {section.information_cutoff!r}; it "
                                  "must be a date written YYYY-MM-DD, e.g. 2025-12-31") from None
        for audience in section.distribution:
            if audience not in ("public", "restricted", "training"):
                raise ConfigError(f"{path}: publication.distribution has the key {audience!r}; its keys are the "
                                  "audiences public, restricted and training")
        return section


@dataclass(frozen=True)
class Sleipnir(Section):
    points: dict = field(default_factory=lambda: {"high": 4, "medium": 2, "low": 1, "none": 0, "unknown": 2})
    maximum: float = 760


@dataclass(frozen=True)
class OcgScoring(Section):
    unknown_answer: str = "exclude"     # exclude: rescale over answered indicators; or an answer label
    bands: dict = field(default_factory=lambda: {"high": 60, "medium": 35, "low": 0})


@dataclass(frozen=True)
class Networks(Section):
    # years since a group was first reported that split its longevity into bands (Europol's 2024 report
    # counts networks active for more than 10 years)
    longevity_years: list = field(default_factory=lambda: [5, 10])

    @classmethod
    def parse(cls, raw, path, where=""):
        section = super().parse(raw, path, where)
        edges = section.longevity_years
        if not edges or not all(isinstance(e, int) and not isinstance(e, bool) and e > 0 for e in edges) \
                or list(edges) != sorted(set(edges)):
            raise ConfigError(f"{path}: {where}longevity_years is {edges!r}; it must be whole numbers of years, above "
                              "0 and rising, e.g. [5, 10]")
        return section


@dataclass(frozen=True)
class Priority(Section):
    weights: dict = field(default_factory=lambda: {"threat": 0.5, "harm": 0.5})
    min_known_share: float = 0.0        # settings that predate the key rank on any share of known sub-scores
    tiers: dict = field(default_factory=lambda: {"Tier 1": 60, "Tier 2": 40, "Tier 3": 0})


@dataclass(frozen=True)
class Public(Section):
    small_count_threshold: int = 5
    score_step: float = 5               # public scores resting on a suppressed count are rounded to this
    share_min_rows: int = 10            # a share of a restricted field over fewer rows is not shown
    share_extreme: float = 0.05         # one this close to 0% or 100% is shown as a range


@dataclass(frozen=True)
class Trends(Section):
    stat_trend_full_scale_pct: float = 20
    seed: int = 2016
    min_points: int = 5
    min_mean_count: float = 5
    max_zero_share: float = 0.5
    max_interval_width: float = 1.0
    anchor_weight: float = 0.5
    jump_factor: float = 5
    jump_min_count: float = 50


@dataclass(frozen=True)
class Plausibility(Section):
    factor: float = 500
    min_points: float = 3
    floor: float = 10
    max_value: float = 1e12
    confirm_status: str = "A"

    @classmethod
    def parse(cls, raw, path: Path | str, where: str = ""):
        section = super().parse(raw, path, where)
        if section.factor <= 1:
            raise ConfigError(f"{path}: plausibility.factor must be more than 1; found {section.factor!r}")
        return section


@dataclass(frozen=True)
class ConfidenceLevel(Section):
    graded_share: float
    completeness: float
    respondents: float


@dataclass(frozen=True)
class ConfidenceCaps(Section):
    """What keeps a judgement's confidence below a level, whatever its sources: the evidence must be
    narrow and agree for "high" (a convention, printed in the methodology)."""
    interval_width_high: float = 0.3     # a fitted change whose 90% interval is wider (0.3 = 30 points): not high
    expert_spread_high: float = 0.8      # experts' outlooks (-2..2) with a larger standard deviation: not high
    expert_spread_moderate: float = 1.2  # … larger than this: low
    agreement_high: float = 0.75         # less than this share of the evidence pointing the same way: not high


@dataclass(frozen=True)
class Confidence(Section):
    high: ConfidenceLevel = ConfidenceLevel(0.8, 0.9, 4)
    moderate: ConfidenceLevel = ConfidenceLevel(0.5, 0.7, 3)
    caps: ConfidenceCaps = ConfidenceCaps()


@dataclass(frozen=True)
class Judgement(Section):
    """How a key judgement on a crime area's threat is formed (socta/analysis/outlook.py)."""
    horizon_years: int = 4               # the judgement is about the next N years against the last N (the cycle)
    weights: dict = field(default_factory=lambda: {"statistics": 0.6, "experts": 0.4})
    headline_weight: float = 2           # the area's headline indicator counts this many times an other one
    calibrate: bool = True               # map the model's probabilities through the simulation's calibration
    skill_min: float = 0.0               # Brier skill at or below this in the edition's backtest: "no skill"

    @classmethod
    def parse(cls, raw, path: Path | str, where: str = ""):
        section = super().parse(raw, path, where)
        weights = section.weights
        example = "e.g. {statistics: 0.6, experts: 0.4}"
        for key, value in weights.items():
            if key not in ("statistics", "experts"):
                raise ConfigError(f"{path}: judgement.weights has the key {key!r}; its keys are statistics and "
                                  f"experts, {example}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"{path}: judgement.weights.{key} is {value!r}; it must be a number of 0 or more, "
                                  f"{example}")
        if not sum(weights.values()):
            raise ConfigError(f"{path}: judgement.weights must give the statistics or the experts a weight above 0, "
                              f"{example}")
        if section.horizon_years < 1:
            raise ConfigError(f"{path}: judgement.horizon_years must be 1 or more; found {section.horizon_years!r}")
        if section.headline_weight <= 0:
            raise ConfigError(f"{path}: judgement.headline_weight must be more than 0; found {section.headline_weight!r}")
        return section


@dataclass(frozen=True)
class Sensitivity(Section):
    draws: int = 4000
    concentration: float = 20
    seed: int = 2016
    top: int = 3


@dataclass(frozen=True)
class Factors(Section):
    indicators: list = field(default_factory=list)  # statistics that measure an enabler directly


# the sections an analyst writes on a crime-area page, and where the page template places each
# (notebooks/area.md marks the places); an id is the heading an analyst may use in any language
NARRATIVE_SECTIONS = [
    {"id": "assessment", "title": N_("Assessment"), "place": "top"},
    {"id": "modus_operandi", "title": N_("Modus operandi"), "place": "analysis"},
    {"id": "routes_and_hubs", "title": N_("Routes and hubs"), "place": "analysis"},
    {"id": "groups_active", "title": N_("Groups active"), "place": "analysis"},
    {"id": "outlook", "title": N_("Outlook"), "place": "end"},
    {"id": "intelligence_gaps", "title": N_("Intelligence gaps"), "place": "end"},
]

# whole chapters only people can write: before the main conclusions (front) or after them (back)
NARRATIVE_CHAPTERS = [
    {"id": "key_findings", "title": N_("Key findings"), "place": "front"},
    {"id": "outlook", "title": N_("Outlook"), "place": "back"},
    {"id": "recommendations", "title": N_("Recommended priorities"), "place": "back"},
]


@dataclass(frozen=True)
class Narrative(Section):
    folder: str = "narrative"            # in the data folder: narrative/<lang>/<page>.md
    source_language: str = "en"          # what a missing translation falls back to
    sections: list = field(default_factory=lambda: [dict(s) for s in NARRATIVE_SECTIONS])
    chapters: list = field(default_factory=lambda: [dict(c) for c in NARRATIVE_CHAPTERS])
    stable_within_pct: float = 5         # "stable" / "unchanged" fits a change of at most this many percent
    doubled_within_pct: float = 15       # "doubled" fits +100% give or take this much (and "halved" −50%)


@dataclass(frozen=True)
class Settings(Section):
    """Every setting of ``settings.yaml``, with its default."""

    assessment: Assessment = Assessment()
    publication: Publication = Publication()
    languages: list = field(default_factory=lambda: ["en"])   # the editions `make editions` builds
    grading_profile: str = "europol_4x4"
    ocg_profile: str = "europol"        # europol or sleipnir
    ocg_structures: list = field(default_factory=lambda: ["hierarchical", "cell", "network", "loose"])
    sleipnir: Sleipnir = Sleipnir()
    ocg_scoring: OcgScoring = OcgScoring()
    networks: Networks = Networks()
    priority: Priority = Priority()
    public: Public = Public()
    trends: Trends = Trends()
    plausibility: Plausibility = Plausibility()
    confidence: Confidence = Confidence()
    judgement: Judgement = Judgement()
    sensitivity: Sensitivity = Sensitivity()
    factors: Factors = Factors()
    narrative: Narrative = Narrative()

    @classmethod
    def of(cls, settings) -> "Settings":
        """``settings`` as the typed object: itself, or a mapping (a test's or a lesson's changed copy,
        ``{**settings, "priority": …}``) read with the defaults for what it leaves out."""
        return settings if isinstance(settings, Settings) else cls.parse(settings or {}, "the settings given")
