"""The semantic layer (accurate tier): offline embeddings, saved models, the --tier options."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.model.semantic import SemanticStanceClassifier, embed_texts, embedder
from annotate.model.store import default_model_dir, load_model
from annotate.model.training import stance_items
from readers import read_all

GOLD = Path(__file__).resolve().parents[1] / "corpora" / "haiti-mss" / "gold"


def test_the_embedder_loads_from_the_package_without_a_download(monkeypatch):
    # no network: any attempt to download would fail loudly here
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the semantic layer tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    embedder.cache_clear()
    vectors = embed_texts(["would gladly welcome blue helmets", "", "could accept it if"])
    assert vectors.shape == (3, 256)
    assert np.allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-4)
    assert not vectors[1].any()  # an empty text is the zero vector, not NaN


@pytest.fixture(scope="module")
def trained():
    records = read_all([GOLD / "articles.train.jsonl"], "gold")
    items, labels, _ = stance_items(records)
    return SemanticStanceClassifier(calibration_folds=0).fit(items, labels), items


def test_the_semantic_classifier_is_target_dependent_and_calibrated(trained):
    model, _ = trained
    text = "Kenya welcomed the force, but opposition lawmakers condemned it."
    proba = model.predict_proba([(text, 0, 5), (text, 31, 50)])
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert proba[0].argmax() != proba[1].argmax()


def test_the_shipped_accurate_model_loads_without_pickle_and_differs_from_fast():
    fast, accurate = load_model(), load_model(default_model_dir("accurate"))
    assert type(accurate.stance).__name__ == "SemanticStanceClassifier"
    assert accurate.card["tier"] == "accurate" and fast.card["tier"] == "fast"
    assert accurate.sentiment.contextual_weight > 0 and fast.sentiment.contextual_weight == 0


def test_prelabel_and_evaluate_take_the_tier(tmp_path):
    sentences = tmp_path / "s.jsonl"
    sentences.write_text(json.dumps({"id": "d:1", "doc_id": "d", "text":
                                     "Residents said they would gladly welcome the patrols.",
                                     "start": 0, "end": 53}) + "\n", encoding="utf-8")
    out = tmp_path / "p.jsonl"
    result = CliRunner().invoke(main, ["prelabel", str(sentences), "-o", str(out),
                                       "--tier", "accurate"])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["model_version"] == load_model(default_model_dir("accurate")).model_version
    assert [a["text"] for a in record["actors"]] == ["Residents"]
    result = CliRunner().invoke(main, ["evaluate", str(GOLD / "extra.dev.jsonl"), "--json",
                                       "--tier", "accurate"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["model_version"].startswith("haiti-mss-accurate-")
