"""`annotate.model.tone` gives TextBlob's own scores, so pre-labels are the same with it.

TextBlobTone runs pattern's sentiment algorithm over plain dicts (it made pre-labelling several
times slower through its lazily loading lexicon). It must return, to the last bit, what
`TextBlob(text).sentiment` returns, on every text pre-labelling scores: sentences, and the words
left of, right of and in the clause of every actor span.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textblob import TextBlob

from annotate.ingest.documents import split_document, iter_documents
from annotate.model import features
from annotate.model.features import SpanView
from annotate.model.prelabel import Prelabeler
from annotate.model.tone import TextBlobTone, textblob_tone
from annotate.records import read_records

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "corpora/haiti-mss/articles"
GOLD = sorted((ROOT / "corpora/haiti-mss/gold").glob("*.jsonl"))

# The cases of pattern's algorithm a news corpus may not reach.
CASES = ["not good", "very good!", "not very good", "really not good", "I love it :) (!)",
         "xD so bad", "no, it isn't great", "terribly bad", "hardly ever happy", ":-( sad",
         "<3", "what a GREAT day!!!", "not a good idea", "very very bad", "never, ever nice",
         "It's not bad at all...", "", "   ", "(!)", ":'(", "Wow!! Amazing!!! :D"]


def _scored_texts(records: list[dict], detector) -> list[str]:
    """Each sentence and the three windows around each of its actor spans (gold or detected)."""
    texts = []
    for record in records:
        text = record["text"]
        spans = record.get("actors") or detector.detect(text)
        texts.append(text)
        for span in spans:
            view = SpanView(text, span["start"], span["end"], 6, clauses=True)
            texts += [view.left_text, view.right_text, view.clause_text]
    return texts


def _assert_same_as_textblob(texts: list[str]) -> None:
    tone = TextBlobTone()
    different = [(text, tone(text), tuple(TextBlob(text).sentiment)) for text in texts
                 if tone(text) != tuple(TextBlob(text).sentiment)]
    assert different == []


@pytest.fixture(scope="module")
def detector():
    return Prelabeler.load().detector


def test_same_scores_as_textblob_on_the_bundled_corpus(detector):
    sentences = [r for d in iter_documents([ARTICLES]) for r in split_document(d)[0]]
    gold = [r for path in GOLD for r in read_records(path, "gold")]
    texts = _scored_texts(sentences, detector) + _scored_texts(gold, detector) + CASES
    assert len(texts) > 3000
    _assert_same_as_textblob(texts)


@pytest.mark.shared_data
def test_same_scores_as_textblob_on_newsmtsc(shared_dir, detector):
    records = []
    for split in ("train", "dev_mt", "dev_rw"):
        with open(shared_dir / "data/newsmtsc/splits" / f"{split}.jsonl", encoding="utf-8") as f:
            for line in f:
                mention = json.loads(line)
                records.append({"text": mention["sentence"], "actors": [
                    {"start": mention["from"], "end": mention["to"]}]})
    texts = _scored_texts(records, detector)
    assert len(texts) > 30000
    _assert_same_as_textblob(texts)


class _TextBlobItself:
    """The reference: every tone from TextBlob(text).sentiment (same lexicon words)."""

    def __init__(self):
        self.words, self.emoticons = textblob_tone().words, textblob_tone().emoticons

    def __call__(self, text):
        return tuple(TextBlob(text).sentiment)


def _predictions(records, monkeypatch=None):
    if monkeypatch is not None:
        reference = _TextBlobItself()
        monkeypatch.setattr(features, "textblob_tone", lambda: reference)
    return Prelabeler.load().label_batch(records)


@pytest.mark.shared_data
def test_same_predictions_as_with_textblob_itself(shared_dir, monkeypatch):
    """The bundled corpus and NewsMTSC dev: every stance, score and sentiment as before."""
    records = [r for d in iter_documents([ARTICLES]) for r in split_document(d)[0]]
    for split in ("dev_mt", "dev_rw"):
        with open(shared_dir / "data/newsmtsc/splits" / f"{split}.jsonl", encoding="utf-8") as f:
            texts = dict.fromkeys(json.loads(line)["sentence"] for line in f)
        records += [{"id": f"{split}-{i}", "doc_id": split, "text": text, "start": 0,
                     "end": len(text)} for i, text in enumerate(texts)]
    fast = _predictions(records)
    reference = _predictions(records, monkeypatch)
    assert len(fast) == len(records) > 700
    assert fast == reference
