"""An edition (socta.core.edition): what its audience decides, asked by name instead of by string."""
from __future__ import annotations

import pytest

from socta.core.config import ConfigError
from socta.core.edition import AUDIENCES, DATA_AUDIENCES, PUBLIC, RESTRICTED, TRAINING, Edition


def test_what_each_audience_decides():
    public, restricted, training = (Edition(a, "sr") for a in (PUBLIC, RESTRICTED, TRAINING))
    assert [e.is_public for e in (public, restricted, training)] == [True, False, False]
    assert [e.is_restricted for e in (public, restricted, training)] == [False, True, False]
    assert [e.data_audience for e in (public, restricted, training)] == [PUBLIC, RESTRICTED, PUBLIC]
    assert [e.shows_code for e in (public, restricted, training)] == [False, False, True]
    assert [e.multilingual for e in (public, restricted, training)] == [True, True, False]
    assert [e.formats for e in (public, restricted, training)] == ["html,pdf", "html,pdf", "html"]
    assert [e.marking for e in (public, restricted, training)] == ["PUBLIC", "RESTRICTED — law-enforcement use only",
                                                                   "TRAINING"]
    assert public.name == "public-sr" and set(DATA_AUDIENCES) < set(AUDIENCES)


def test_an_unknown_audience_is_refused_with_the_close_one():
    with pytest.raises(ConfigError, match=r"no audience 'restriced' \(did you mean 'restricted'\?\)"):
        Edition("restriced")
