"""Generic mentions ("the council", "the government", "police") get the actor they refer back to
when this or the previous sentence names it, and stay open when it is not clear."""

from pathlib import Path

import pytest

from annotate.codebook import Codebook
from annotate.model.actors import ActorDetector
from annotate.model.mentions import generic_words

CODEBOOK = Path(__file__).resolve().parents[1] / "corpora" / "haiti-mss" / "codebook.toml"


@pytest.fixture(scope="module")
def detector():
    return ActorDetector(Codebook.load(CODEBOOK))


def actor_of(detector, text, words, prev_text=""):
    spans = [s for s in detector.detect_in_context(text, prev_text) if s["text"].endswith(words)]
    assert spans, f"{words!r} not marked in {text!r}"
    return spans[0]["actor"]


@pytest.mark.parametrize("prev_text, text, words, actor", [
    # named in the previous sentence
    ("Haiti's transitional presidential council met the Kenyan delegation on Monday.",
     "The council said it wanted the officers to stay.", "council",
     "Transitional Presidential Council"),
    ("A U.N. human rights expert toured Cité Soleil this week.",
     "The expert said the force was too small to protect civilians.", "expert",
     "UN human rights experts"),
    # named earlier in the same sentence, also as a modifier ("Kenya's" in "Kenya's High Court")
    ("", "After Kenya's opposition went to court, the government said the officers would stay.",
     "government", "Government of Kenya"),
    # the body a named person belongs to (the codebook's affiliation)
    ("", "Blinken said the administration would ask Congress for more money for the force.",
     "administration", "United States"),
])
def test_a_generic_mention_gets_the_actor_named_before_it(detector, prev_text, text, words,
                                                           actor):
    assert actor_of(detector, text, words, prev_text) == actor


def test_the_nearest_fitting_actor_in_the_sentence_wins(detector):
    text = ("Haitian officials welcomed the vote, but Kenyan officials said the government "
            "needed more money.")
    assert actor_of(detector, text, "government") == "Government of Kenya"


def test_two_fitting_actors_in_the_previous_sentence_leave_it_open(detector):
    prev_text = "The Security Council and the transitional council both met on Monday."
    assert actor_of(detector, "The council said the vote would be delayed.", "council",
                    prev_text) is None


def test_with_nothing_in_sight_one_canonical_name_decides(detector):
    # "police" is in one canonical name only; "council" is in two and stays open
    assert actor_of(detector, "Police said the patrols would continue at night.",
                    "Police") == "Haitian National Police"
    assert actor_of(detector, "The council said the patrols would continue.", "council") is None


def test_members_of_a_body_are_the_body_and_people_in_a_place_are_not(detector):
    text = "Ruto met members of the transitional presidential council on Saturday."
    assert actor_of(detector, text, "council") == "Transitional Presidential Council"
    assert Codebook.load(CODEBOOK).canonical("lawmakers in Nairobi") is None


@pytest.mark.parametrize("text", ["the officers", "The troops", "Kenyan officers", "Amnesty",
                                  "the Kenya-led force", "He"])
def test_the_deployed_personnel_names_and_pronouns_are_no_generic_mentions(text):
    assert generic_words(text) is None


def test_plurals_fold_and_articles_go():
    assert generic_words("The councils") == ("council",)
    assert generic_words("national police") == ("national", "police")
    assert generic_words("its members") == ("member",)
