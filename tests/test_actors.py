"""Actor detection: codebook normalisation, holders missing from the codebook, and the gold."""

from pathlib import Path

import pytest

from annotate.codebook import Codebook
from annotate.model.actors import ActorDetector
from annotate.model.scoring import scorable_actor_spans, span_scores
from annotate.records import read_records

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "haiti-mss"


@pytest.fixture(scope="module")
def detector():
    assert (CORPUS / "codebook.toml").is_file(), f"missing {CORPUS / 'codebook.toml'}"
    return ActorDetector(Codebook.load(CORPUS / "codebook.toml"))


@pytest.fixture(scope="module")
def small_detector():
    return ActorDetector(Codebook.from_dict({"actors": [
        {"name": "Government of Kenya", "category": "government", "aliases": ["Kenya"]},
        {"name": "William Ruto", "category": "person", "aliases": ["Ruto", "William Ruto"]},
    ]}))


def found(detector, text):
    return [(span["text"], span["actor"]) for span in detector.detect(text)]


def test_a_titled_mention_is_one_span_normalised_to_the_canonical_actor(small_detector):
    text = "Kenya's President William Ruto said the mission would restore order."
    assert found(small_detector, text) == [("Kenya's President William Ruto", "William Ruto")]


def test_an_actor_missing_from_the_codebook_is_found_through_a_reporting_verb(small_detector):
    text = '"We are not safe," said a church leader in the capital.'
    assert found(small_detector, text) == [("church leader", None)]
    text = "Several opposition lawmakers questioned the cost of the deployment."
    assert found(small_detector, text) == [("Several opposition lawmakers", None)]
    text = "According to residents of Cité Soleil, the gangs still control the port."
    assert ("residents of Cité Soleil", None) in found(small_detector, text)


def test_two_actors_in_one_sentence(small_detector):
    text = ("Ruto welcomed the vote, while Haitian civil society groups warned that "
            "the force could repeat past abuses.")
    assert found(small_detector, text) == [("Ruto", "William Ruto"),
                                           ("Haitian civil society groups", None)]


def test_coordinated_holders_share_the_verb(small_detector):
    text = "Benin and Chad pledged officers for the second rotation."
    assert [t for t, _ in found(small_detector, text)] == ["Benin", "Chad"]


@pytest.mark.parametrize("text", [
    "Fighting closed the main road north of the capital on Tuesday.",
    "Gunfire erupted near the airport before dawn.",
    "The officers flew back to Kenya on Saturday.",          # Kenya as a place
    "Kenya-led patrols resumed in the lower town.",           # Kenya as a modifier
])
def test_no_actor_in_a_plain_event_sentence(small_detector, text):
    assert small_detector.detect(text) == []


def test_a_headline_does_not_glue_names_to_capitalised_verbs(small_detector):
    assert found(small_detector, "Ruto Visits Haiti, Vows Kenya Will Stay the Course") == [
        ("Ruto", "William Ruto"), ("Kenya", "Government of Kenya")]


def test_a_pronoun_holder_is_marked_only_without_an_earlier_actor(small_detector):
    assert found(small_detector, "He said the officers would stay.") == [("He", None)]
    text = "Kenya said it would send more officers."
    assert found(small_detector, text) == [("Kenya", "Government of Kenya")]


def test_without_a_codebook_holders_are_still_found():
    spans = ActorDetector().detect("Amnesty International condemned the killings, its "
                                   "researchers said.")
    assert [s["text"] for s in spans] == ["Amnesty International", "researchers"]
    assert all(s["actor"] is None for s in spans)


def test_spans_are_sorted_non_overlapping_and_match_the_text(detector):
    text = ("Haitian Prime Minister Garry Conille and Kenya's President William Ruto said on "
            "Monday that gangs, police and residents of Cité Soleil must all be heard.")
    spans = detector.detect(text)
    assert spans, "expected actors"
    for span in spans:
        assert text[span["start"]:span["end"]] == span["text"]
        assert set(span) == {"start", "end", "text", "actor"}
    assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:]))


def test_actor_detection_on_the_corpus_dev_gold(detector):
    """A floor on overlap F1 against the hand-labelled dev gold (measured about 0.85)."""
    files = sorted((CORPUS / "gold").glob("*.dev.jsonl"))
    records = [r for f in files if f.stat().st_size for r in read_records(f, "gold")]
    assert len(records) >= 30, f"expected dev gold in {CORPUS / 'gold'}, found {len(records)}"
    gold = [scorable_actor_spans(r) for r in records]
    predicted = [[(s["start"], s["end"]) for s in detector.detect(r["text"])] for r in records]
    scores = span_scores(gold, predicted)
    assert scores["overlap"]["f1"] >= 0.7, scores
    assert scores["exact"]["f1"] >= 0.5, scores
