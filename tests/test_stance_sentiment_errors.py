"""Issue 13's stance and sentiment error kinds, on sentences written for these tests (not in the
gold), pre-labelled by the shipped default model exactly as `annotate prelabel` does."""

from __future__ import annotations

import pytest

from annotate.model.prelabel import Prelabeler


@pytest.fixture(scope="module")
def prelabel():
    labeler = Prelabeler.load()

    def run(text: str) -> dict:
        return labeler.label_batch([{"id": "t:1", "doc_id": "t", "text": text, "start": 0,
                                     "end": len(text)}])[0]

    return run


def stance_of(prediction: dict, holder: str) -> str:
    spans = [a for a in prediction["actors"] if holder in a["text"] or a["text"] in holder]
    assert spans, f"{holder!r} not found as an actor in {prediction['text']!r}: " \
                  f"{[a['text'] for a in prediction['actors']]}"
    return spans[0]["stance"]


@pytest.mark.parametrize("text, holder", [
    ("Many Haitians were wary of U.N. forces.", "Many Haitians"),
    ("Many Haitians were wary of UN interventions.", "Many Haitians"),
    ("Some Haitian pastors remain wary of foreign soldiers.", "Haitian pastors"),
])
def test_wary_of_is_wary_not_critical(prelabel, text, holder):
    assert stance_of(prelabel(text), holder) == "wary"


@pytest.mark.parametrize("text, holder", [
    ("Haitian civil society leaders said they could accept a U.N. role if victims of past abuses "
     "received justice first.", "Haitian civil society leaders"),
    ("The Haitian Senate said it could accept the mission if the officers answered to Haitian "
     "courts.", "Haitian Senate"),
])
def test_conditional_acceptance_is_wary(prelabel, text, holder):
    assert stance_of(prelabel(text), holder) == "wary"


@pytest.mark.parametrize("text, holder", [
    ("Some residents of Port-au-Prince said they would gladly welcome blue helmets.",
     "Some residents of Port-au-Prince"),
    ("Taxi drivers in Pétion-Ville said they would gladly welcome the Kenyan officers.",
     "Taxi drivers"),
])
def test_gladly_welcoming_is_supportive(prelabel, text, holder):
    assert stance_of(prelabel(text), holder) == "supportive"


@pytest.mark.parametrize("text, holder", [
    ("Russia and China have signalled they would not support a full conversion.", "Russia"),
    ("Russia and China have signalled they would not support a full conversion.", "China"),
    ("Venezuela said it would not support the force.", "Venezuela"),
])
def test_refused_support_is_critical(prelabel, text, holder):
    assert stance_of(prelabel(text), holder) == "critical"


@pytest.mark.parametrize("text", [
    "By June the mission had deployed only a fraction of its planned force, and its mandate was "
    "set to expire.",
    "Only a handful of the promised officers had arrived, and the money was running out.",
])
def test_shortfalls_and_an_expiring_mandate_are_negative(prelabel, text):
    assert prelabel(text)["sentiment"] == "negative"


@pytest.mark.parametrize("text", [
    "The situation remained critical, adding urgency to the talks on the mission's future.",
    "Conditions in the camps remained critical as the rainy season began.",
    # the positive words of a concession and of the goal do not outweigh the situation
    "Despite pledges from several donors, the crisis remained critical, with the looming end of "
    "the mandate adding urgency to the search for a lasting way to restore order.",
])
def test_a_critical_situation_is_negative(prelabel, text):
    assert prelabel(text)["sentiment"] == "negative"


@pytest.mark.parametrize("text", [
    # "Support" names the mission here: it is no supportive cue and no good news
    "The Multinational Security Support Mission, backed by the United Nations, had received only "
    "a fraction of the officers it was promised, and its mandate was due to expire.",
    "The Peace and Security Support Office said only a fraction of the pledged money had arrived.",
])
def test_a_name_holding_a_cue_word_does_not_make_bad_news_positive(prelabel, text):
    assert prelabel(text)["sentiment"] == "negative"
