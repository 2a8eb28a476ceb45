"""annotate.model.cues: the state of the actor's position word (held, refused, conditional,
intensified) and wariness, read from the words after the span."""

from __future__ import annotations

import pytest

from annotate.model.cues import _STATES, N_FEATURES, cue_features, cue_matrix
from annotate.model.features import name_words
from annotate.model.features import CUE_CLASSES

NAMES = [f"{c}_{s}" for c in CUE_CLASSES for s in _STATES] + [
    "wary_own", "wary_any", "accept", "accept_conditional", "modal_negated", "condition_any"]


def on(text: str, holder: str) -> set[str]:
    start = text.index(holder)
    values = cue_features(text, start, start + len(holder))
    assert len(values) == N_FEATURES == len(NAMES)
    return {name for name, value in zip(NAMES, values) if value}


@pytest.mark.parametrize("text, holder, expected", [
    ("Russia said it would not support a new mandate.", "Russia", "supportive_negated"),
    ("Belize refused to back the force.", "Belize", "critical_held"),  # the refusal is the cue
    ("Canada said it no longer backs the force.", "Canada", "supportive_negated"),
    ("Kenya pledged 1,000 officers.", "Kenya", "supportive_held"),
    ("Residents said they would gladly welcome the patrols.", "Residents", "supportive_intensified"),
    ("Lawmakers said they could support it if the costs were published.", "Lawmakers",
     "supportive_conditional"),
    ("Leaders said they could accept a U.N. role if abuses were punished.", "Leaders",
     "accept_conditional"),
    ("Many Haitians were wary of U.N. forces.", "Many Haitians", "wary_own"),
])
def test_the_position_word_and_its_state(text, holder, expected):
    assert expected in on(text, holder)


def test_the_cues_belong_to_the_actor_whose_clause_holds_them():
    text = "Kenya welcomed the force, but Russia would not support it."
    assert "supportive_held" in on(text, "Kenya") and "supportive_negated" not in on(text, "Kenya")
    assert "supportive_negated" in on(text, "Russia")
    assert cue_matrix([(text, 0, 5), (text, 30, 36)]) == [cue_features(text, 0, 5),
                                                         cue_features(text, 30, 36)]


def test_the_words_of_a_name_are_no_position_words():
    # "Support" in the mission's name is not the actor's position: no cue at all after Ruto
    named = "Ruto toured the Multinational Security Support Mission base on Monday."
    plain = "Ruto said he would support the mission."
    assert sum(cue_features(named, 0, 4)) == 0
    assert sum(cue_features(plain, 0, 4)) > 0


def test_a_headline_in_title_case_keeps_its_cues():
    headline = "Kenya Backs Haiti Mission As Gangs Advance"
    assert name_words(headline) == frozenset()
    assert sum(cue_features(headline, 0, 5)) > 0
