"""Pronoun holders get the actor they refer to when this or the previous sentence makes it clear."""

from pathlib import Path

import pytest

from annotate.codebook import Codebook
from annotate.model.actors import ActorDetector
from annotate.model.pronouns import is_pronoun_text

CODEBOOK = Path(__file__).resolve().parents[1] / "corpora" / "haiti-mss" / "codebook.toml"


@pytest.fixture(scope="module")
def detector():
    return ActorDetector(Codebook.load(CODEBOOK))


def pronouns(detector, text, prev_text=""):
    return [(s["text"], s["actor"], s.get("referent"))
            for s in detector.detect_in_context(text, prev_text) if is_pronoun_text(s["text"])]


@pytest.mark.parametrize("prev_text, text, expected", [
    ("Kenya's President William Ruto met the transitional council on Saturday.",
     "He said the officers would stay until the job was done.", ("He", "William Ruto", None)),
    ("Haitian civil society groups welcomed outside help.",
     "They called for safeguards against abuse by foreign officers.",
     ("They", "Haitian civil society", None)),
    ("Amnesty International published a report on the deployment.",
     "It said any abuse by foreign officers must be punished.",
     ("It", "Amnesty International", None)),
    ("Several former senators spoke at the rally.",
     "One of them called the mission an expensive failure.",
     ("One of them", None, "Several former senators")),
])
def test_a_pronoun_holder_gets_its_referent_from_the_previous_sentence(detector, prev_text, text,
                                                                        expected):
    assert pronouns(detector, text, prev_text) == [expected]


def test_a_pronoun_without_a_clear_referent_stays_unresolved(detector):
    # two people in the previous sentence and the first is not its subject: "He" is unclear
    prev_text = "After talks with Blinken, Ruto said the money would come."
    assert pronouns(detector, "He said the mission needed more money.", prev_text) == [
        ("He", None, None)]
    # ... whereas the subject of the previous sentence is the clear referent
    prev_text = "On Monday, Blinken met Ruto in Nairobi."
    assert pronouns(detector, "He said the mission needed more money.", prev_text) == [
        ("He", "Antony Blinken", None)]
    assert pronouns(detector, "They called again for the officers to come home.") == [
        ("They", None, None)]


def test_it_is_kept_only_when_resolved_and_never_for_the_target(detector):
    assert pronouns(detector, "It said the roads were safer.") == []
    prev_text = "The Kenya-led mission opened an office for complaints."
    assert pronouns(detector, "It said the office was already receiving reports.",
                    prev_text) == []


def test_a_person_is_not_the_referent_of_they_nor_a_group_of_he(detector):
    prev_text = "Ruto's allies in parliament defended the deployment."
    assert pronouns(detector, "They said it had raised Kenya's standing.", prev_text) == [
        ("They", None, "Ruto's allies")]
    prev_text = "Kenyan opposition lawmakers walked out of the chamber."
    assert pronouns(detector, "He said the vote was a sham.", prev_text) == [("He", None, None)]


@pytest.mark.parametrize("prev_text, text, expected", [
    # one person speaking for a body: the pronoun gets the body's actor
    ("Haiti's police chief visited the joint base in Tabarre on Monday.",
     "He said the patrols would go on through the rainy season.",
     ("He", "Haitian National Police", None)),
    ("Kenyan opposition leader Mary Achieng spoke to reporters in Nairobi.",
     "She said the officers should come home before Christmas.",
     ("She", "Kenyan opposition", None)),
    # a generic mention resolved first ("The expert" is the U.N. expert named by the codebook)
    ("The expert spent a week in Port-au-Prince.",
     "He said the force was far too small to protect civilians.",
     ("He", "UN human rights experts", None)),
])
def test_a_pronoun_after_an_official_or_a_generic_mention_gets_the_body(detector, prev_text,
                                                                        text, expected):
    assert pronouns(detector, text, prev_text) == [expected]
