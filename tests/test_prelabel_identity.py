"""Pre-labelling was made faster without changing a single prediction (issue 12).

Each faster part is compared with the plain form it replaced, on real sentences (the bundled
corpus, NewsMTSC, PERSPECTRUM) and on random strings: the actor detector's word lists compiled
as prefix trees against the flat alternations, the copy of TextBlob's tokenizer against
TextBlob's own `find_tokens`, the span views' in-place tokens against tokens of the slices; and
the whole pre-label output with every plain part put back against the output as shipped.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from annotate.ingest.documents import iter_documents, split_document
from annotate.model import actor_words, actors, features, holders
from annotate.model.features import (
    CUE_CLASSES,
    NEGATIONS,
    SpanView,
    cue_class,
    name_words,
    tokens_with_offsets,
)
from annotate.model.prelabel import Prelabeler
from annotate.model.tone import textblob_tone

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "corpora/haiti-mss/articles"


def _corpus_sentences() -> list[str]:
    return [r["text"] for d in iter_documents([ARTICLES]) for r in split_document(d)[0]]


def _shared_sentences(shared_dir: Path) -> list[str]:
    texts: dict[str, None] = {}
    for split in ("train", "dev_mt", "dev_rw"):
        with open(shared_dir / "data/newsmtsc/splits" / f"{split}.jsonl", encoding="utf-8") as f:
            texts.update(dict.fromkeys(json.loads(line)["sentence"] for line in f))
    for split in ("train", "dev"):
        with open(shared_dir / "data/perspectrum/splits" / f"{split}.jsonl", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                texts.update(dict.fromkeys((record["claim"], record["perspective"])))
    return list(texts)


@pytest.fixture(scope="module")
def sentences(shared_dir) -> list[str]:
    texts = list(dict.fromkeys(_corpus_sentences() + _shared_sentences(shared_dir)))
    assert len(texts) > 15000
    return texts


def _flat_vocabulary() -> dict[str, str]:
    """actor_words' constants with every word list a flat alternation (the form before)."""
    source = Path(actor_words.__file__).read_text(encoding="utf-8")
    assert "\ndef _words(" in source
    source = source.replace("\ndef _words(", "\n_words = _flat_words\n\n\ndef _tree_words(")
    namespace: dict = {"__name__": "flat_actor_words"}
    exec(compile(source, "flat_actor_words", "exec"), namespace)  # noqa: S102 (our own file)
    return {name: value for name, value in namespace.items()
            if name.isupper() and isinstance(value, str)}


def _flat_detector(monkeypatch, codebook) -> actors.ActorDetector:
    """An ActorDetector whose patterns are built from the flat alternations."""
    flat = _flat_vocabulary()
    changed = 0
    for module in (actors, holders):
        for name, value in flat.items():
            if hasattr(module, name) and getattr(module, name) != value:
                monkeypatch.setattr(module, name, value)
                changed += 1
    assert changed >= 10  # the reference really is the other form
    detector = actors.ActorDetector(codebook)
    monkeypatch.undo()
    return detector


@pytest.mark.shared_data
def test_prefix_tree_word_lists_find_the_same_actors(sentences, monkeypatch):
    fast = Prelabeler.load().detector
    flat = _flat_detector(monkeypatch, fast.codebook)
    assert flat._noun_phrase_re.pattern != fast._noun_phrase_re.pattern
    different = [text for text in sentences if fast.detect(text) != flat.detect(text)]
    assert different == []


def test_a_prefix_tree_alternation_matches_as_the_flat_one():
    words = "said|says|say|said so|s a|civil society|civil|Civil|x"
    tree, flat = actor_words._words(words), actor_words._flat_words(words)
    assert tree != flat

    for text in ["said so far", "says", "say civil  society", "Civil x", "sa", "s  a b", "xs"]:
        for template in (r"(?:{})", r"(?:{})\b", r"(?:{})\s+\w+", r"(?i:{})$"):
            ours, theirs = (re.compile(template.format(p)) for p in (tree, flat))
            assert [m.span() for m in ours.finditer(text)] == \
                [m.span() for m in theirs.finditer(text)], (text, template)


def _random_texts(count: int) -> list[str]:
    rnd = random.Random(12)
    pieces = list("aAbxXDdnt.'’‘“”\"!?()-:;,/<38_=^*[]{}\\ \n\r\t°♥oOsSpP") + [
        "n't", "'s", "'ll", "'re", "...", "\n\n", "U.S.", "Mr.", "e.g.", "etc.", " ", " ",
        "word", "(!)", ":)", ":-(", "x D", "8)"]
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30))) for _ in range(count)]


def _windows(texts: list[str], detector) -> list[str]:
    out = []
    for text in texts:
        for span in detector.detect(text):
            view = SpanView(text, span["start"], span["end"], 6, clauses=True)
            out += [view.left_text, view.right_text, view.clause_text]
    return out


@pytest.mark.shared_data
def test_the_tokenizer_gives_textblobs_tokens(sentences):
    tokenize = textblob_tone()._tokenize
    texts = sentences + _windows(sentences, Prelabeler.load().detector) + _random_texts(40000)
    assert len(texts) > 90000
    different = [text for text in texts if tokenize(text) != tokenize._original(text)]
    assert different == []


def _cue_counts_before(left, right, window, length, start, end, names) -> list[float]:
    """features._cue_counts as it was written before (one pass per cue class); the words of
    `names` (`name_words`) are no cues."""
    values = []
    for name in CUE_CLASSES:
        near_l = near_r = far = negated = 0.0
        for side, toks in (("l", list(reversed(left))), ("r", right)):
            for distance, (tok, tok_start, _) in enumerate(toks, start=1):
                if tok_start in names or cue_class(tok) != name:
                    continue
                weight = 1.0 / distance ** 0.5
                if distance <= window:
                    if side == "l":
                        near_l += weight
                    else:
                        near_r += weight
                else:
                    far += 0.5
                before = [t for t, _, _ in (toks[max(0, distance - 4):distance - 1] if side == "r"
                                            else toks[distance:distance + 3])]
                if NEGATIONS.intersection(before):
                    negated += 1.0
        values += [near_l, near_r, far, negated]
    values += [start / max(length, 1), (length - end) / max(length, 1), float(start == 0)]
    return values


def _name_texts(count: int) -> list[str]:
    rnd = random.Random(5)
    pieces = ["Kenya", "of", "the", "Support", "said", "U.N.", "and", "Mission", "Asked",
              "TRUMP", "SLAMS", '"Thank', "x-Y", "O'Neil", "de", "for", "Cité", "Soleil",
              "@Jim_Jordan", "É", "du", "PNH", "on"]
    return [" ".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 9))) for _ in range(count)]


@pytest.mark.shared_data
def test_the_quick_test_of_name_words_skips_only_texts_without_a_name(sentences):
    texts = sentences + _name_texts(20000)
    named = [text for text in texts if features.scan_name_words(text)]
    assert len(named) > 5000  # names and the texts without one are both well covered
    assert [t for t in texts if features.name_words(t) != features.scan_name_words(t)] == []


@pytest.mark.shared_data
def test_span_views_read_the_same_tokens_and_cues_as_from_slices(sentences):
    detector = Prelabeler.load().detector
    checked = 0
    for text in sentences[:6000]:
        for span in detector.detect(text):
            start, end = span["start"], span["end"]
            left = tokens_with_offsets(text[:start])
            right = [(t, s + end, e + end) for t, s, e in tokens_with_offsets(text[end:])]
            assert tokens_with_offsets(text, 0, start) == left
            assert tokens_with_offsets(text, end) == right
            view = SpanView(text, start, end, 6)
            assert view.dense_cues == _cue_counts_before(left, right, 6, len(text), start, end,
                                                         name_words(text))
            checked += 1
    assert checked > 3000


class _TextBlobItself:
    """Tone from TextBlob(text).sentiment: TextBlob's tokenizer and lookups, no annotate code."""

    def __init__(self):
        self.words, self.emoticons = textblob_tone().words, textblob_tone().emoticons

    def __call__(self, text):
        from textblob import TextBlob

        return tuple(TextBlob(text).sentiment)


@pytest.mark.shared_data
def test_whole_prelabel_output_is_the_same_with_every_plain_part(shared_dir, monkeypatch):
    """The bundled corpus and NewsMTSC dev, with context: the shipped pre-labels against those
    made with the flat word lists, TextBlob's own tone and the sentence detected again as the
    previous one of the next."""
    records = [r for d in iter_documents([ARTICLES]) for r in split_document(d)[0]]
    for split in ("dev_mt", "dev_rw"):
        with open(shared_dir / "data/newsmtsc/splits" / f"{split}.jsonl", encoding="utf-8") as f:
            texts = list(dict.fromkeys(json.loads(line)["sentence"] for line in f))
        records += [{"id": f"{split}-{i}", "doc_id": split, "text": text, "start": 0,
                     "end": len(text), "prev_text": texts[i - 1] if i else ""}
                    for i, text in enumerate(texts)]
    fast = Prelabeler.load()
    shipped = [out for i in range(0, len(records), 512)
               for out in fast.label_batch(records[i:i + 512])]
    plain = Prelabeler(fast.model, fast.model.codebook)
    plain.detector = _flat_detector(monkeypatch, fast.model.codebook)
    monkeypatch.setattr(plain.detector, "_detect_once",
                        lambda text, detected: plain.detector.detect(text))
    reference = _TextBlobItself()
    monkeypatch.setattr(features, "textblob_tone", lambda: reference)
    before = [out for i in range(0, len(records), 512)
              for out in plain.label_batch(records[i:i + 512])]
    assert len(shipped) == len(records) > 700
    assert sum(len(r["actors"]) for r in shipped) > 500
    assert shipped == before
