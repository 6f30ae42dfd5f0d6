"""An edition of the book: its audience and its language, and what the audience decides.

The audiences are three names (``PUBLIC``, ``RESTRICTED``, ``TRAINING``); code asks an :class:`Edition`
what they mean (``is_restricted``, ``data_audience``, ``marking`` …) rather than comparing strings. At the
notebook boundary (papermill parameters, the Sphinx configuration) the audience stays the plain string.
"""
from __future__ import annotations

from dataclasses import dataclass

from socta.core.errors import ConfigError
from socta.core.text import N_, did_you_mean

PUBLIC = "public"            # everyone: small counts suppressed, scores resting on them rounded, no register detail
RESTRICTED = "restricted"    # law enforcement: every number and the OCG register
TRAINING = "training"        # the lessons, on the public edition's data
AUDIENCES = (PUBLIC, RESTRICTED, TRAINING)
DATA_AUDIENCES = (PUBLIC, RESTRICTED)  # the processed tables: one folder each (the lessons read the public one)

# the marking of each edition, on every page (translated through socta.i18n.translate.t where shown)
MARKINGS = {PUBLIC: N_("PUBLIC"), RESTRICTED: N_("RESTRICTED — law-enforcement use only"), TRAINING: N_("TRAINING")}


@dataclass(frozen=True)
class Edition:
    audience: str = PUBLIC
    lang: str = "en"

    def __post_init__(self):
        if self.audience not in AUDIENCES:
            raise ConfigError(f"no audience {self.audience!r}{did_you_mean(self.audience, AUDIENCES, codes=False)}; "
                              f"the audiences are {', '.join(AUDIENCES)}")

    @property
    def name(self) -> str:
        """``public-en``: the edition's folder in the build folder."""
        return f"{self.audience}-{self.lang}"

    @property
    def is_public(self) -> bool:
        return self.audience == PUBLIC

    @property
    def is_restricted(self) -> bool:
        """Shows the OCG register and every exact number; never leak-scanned, never stripped."""
        return self.audience == RESTRICTED

    @property
    def is_training(self) -> bool:
        return self.audience == TRAINING

    @property
    def data_audience(self) -> str:
        """The processed tables the edition reads: the lessons read the public ones."""
        return PUBLIC if self.is_training else self.audience

    @property
    def shows_code(self) -> bool:
        """Every code cell shown open (the lessons); the assessment folds its code away."""
        return self.is_training

    @property
    def multilingual(self) -> bool:
        """Has a language menu: the lessons are written in English only."""
        return not self.is_training

    @property
    def formats(self) -> str:
        """The formats built by default: the lessons have no PDF."""
        return "html" if self.is_training else "html,pdf"

    @property
    def marking(self) -> str:
        """The marking on every page (untranslated; ``t(edition.marking)`` where shown)."""
        return MARKINGS[self.audience]
