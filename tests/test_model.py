"""The estimators and model directories: sklearn contract, calibration, safe loading."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from readers import read_all
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer

from annotate.errors import ModelError
from annotate.model.estimator import NotFittedError
from annotate.model.features import SpanView, StanceFeatures, may_have_tone
from annotate.model.stance import SentimentThresholds, StanceClassifier
from annotate.model.store import (
    CARD_FILE,
    MODEL_FORMAT,
    SKOPS_FORMAT,
    STANCE_ARRAYS_FILE,
    STANCE_META_FILE,
    STANCE_SKOPS_FILE,
    default_model_dir,
    load_model,
    save_model,
)
from annotate.model.training import stance_items, tier_estimators, train_model

ROOT = Path(__file__).resolve().parents[1]
GOLD_TRAIN = ROOT / "corpora/haiti-mss/gold/extra.train.jsonl"
GOLD_DEV = ROOT / "corpora/haiti-mss/gold/extra.dev.jsonl"


@pytest.fixture(scope="module")
def gold_items():
    items, labels, _ = stance_items(read_all([GOLD_TRAIN], "gold"))
    return items, labels


@pytest.fixture(scope="module")
def stance_model(gold_items):
    return StanceClassifier(random_state=0).fit(*gold_items)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("models") / "model"
    train_model([GOLD_TRAIN], directory, folds=3, name="test")
    return directory


def test_init_only_stores_parameters_and_clone_works():
    model = StanceClassifier(C=0.5, random_state=3)
    assert model.get_params()["C"] == 0.5 and model.get_params()["random_state"] == 3
    assert not [name for name in vars(model) if name.endswith("_")]
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        model.predict_proba([("Kenya backed the mission.", 0, 5)])


def test_fit_validates_items():
    with pytest.raises(ValueError, match="item 1"):
        StanceClassifier().fit([("Kenya backed it.", 0, 5), ("short", 2, 99)], ["none", "none"])
    with pytest.raises(ValueError, match="two different labels"):
        StanceClassifier().fit([("Kenya backed it.", 0, 5)], ["supportive"])


def test_probabilities_are_distributions_over_classes(stance_model, gold_items):
    items, _ = gold_items
    proba = stance_model.predict_proba(items[:50])
    assert proba.shape == (50, len(stance_model.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(stance_model.classes_) == {"supportive", "wary", "critical", "none"}
    assert stance_model.temperature_ > 0
    assert list(stance_model.predict(items[:50])) == list(
        stance_model.classes_[proba.argmax(axis=1)])


def test_stance_is_target_dependent(stance_model):
    text = ("Kenya's government welcomed the mission, while opposition lawmakers "
            "condemned it as unconstitutional.")
    first = stance_model.predict_proba([(text, 0, 18)])[0]
    second = stance_model.predict_proba([(text, 47, 67)])[0]
    assert not np.allclose(first, second)


def test_each_actor_gets_its_own_clause_and_governing_verb():
    text = ("While the employers' federation praised the force, trade unions accused it of "
            "protecting factories rather than workers.")
    first = SpanView(text, 10, 31, window=6, clauses=True)
    second = SpanView(text, 52, 64, window=6, clauses=True)
    assert "gov_praised" in first.clause.split() and "accused" not in first.clause_text
    assert "gov_accused" in second.clause.split() and "praised" not in second.clause_text


def test_two_actor_sentences_of_the_dev_split_get_different_labels():
    """Held-out dev sentences whose gold actors differ in stance: the shipped model (trained on
    the train split only) should tell most of them apart, not give every actor one label."""
    model = load_model()
    dev = read_all([GOLD_DEV, GOLD_DEV.with_name("articles.dev.jsonl")], "gold")
    mixed = [r for r in dev if len({a["stance"] for a in r["actors"]}) > 1]
    assert len(mixed) >= 10
    told_apart = correct = total = 0
    for record in mixed:
        predicted = model.stance.predict([(record["text"], a["start"], a["end"])
                                          for a in record["actors"]])
        told_apart += len(set(predicted)) > 1
        correct += sum(p == a["stance"] for p, a in zip(predicted, record["actors"]))
        total += len(predicted)
    assert told_apart / len(mixed) >= 0.6
    assert correct / total >= 0.5


def test_a_model_saved_before_clause_features_predicts_as_before(stance_model):
    state = stance_model.__getstate__()
    features = dict(state["features_"].__getstate__())
    del features["clause_weight"], state["clause_weight"]
    old = StanceFeatures.__new__(StanceFeatures)
    old.__setstate__(features)
    restored = StanceClassifier.__new__(StanceClassifier)
    restored.__setstate__({**state, "features_": old})
    assert restored.get_params()["clause_weight"] == 0.0 and old.clause_weight == 0.0


def test_a_model_saved_before_object_cues_reads_no_governing_word(stance_model):
    state = stance_model.__getstate__()
    features = dict(state["features_"].__getstate__())
    features.pop("object_cues", None)
    state.pop("object_cues", None)
    old = StanceFeatures.__new__(StanceFeatures)
    old.__setstate__(features)
    restored = StanceClassifier.__new__(StanceClassifier)
    restored.__setstate__({**state, "features_": old})
    assert restored.get_params()["object_cues"] is False and old.object_cues is False
    text = "Canada provided training for the Haitian police."
    start = text.index("Haitian police")
    assert "prevw_" not in SpanView(text, start, start + 14, 6, clauses=True).clause


@pytest.mark.parametrize("text, holder, expected", [
    ("Canada provided training for the Haitian police.", "Haitian police",
     {"prevw_for", "prevkind_prep"}),
    ("Blinken pressed donors to pay more.", "donors", {"prevw_pressed", "prevkind_verb"}),
    ("Donors pledged more money.", "Donors", {"prevw_^"}),
])
def test_object_cues_name_the_word_that_governs_the_span(text, holder, expected):
    start = text.index(holder)
    view = SpanView(text, start, start + len(holder), 6, clauses=True, object_cues=True)
    words = {w for w in view.clause.split() if w.startswith(("prevw_", "prevkind_"))}
    assert words == expected


def test_skipping_textblob_for_texts_without_tone_words_changes_nothing(gold_items):
    from textblob.en import sentiment as textblob_sentiment
    texts = [":-D", "xD", "o.O", "(!)", "not bad", "isn't it", "a mind-boggling plan", "Cité"]
    for text, start, end in gold_items[0]:
        view = SpanView(text, start, end, window=6, clauses=True)
        texts += [text, view.left_text, view.right_text, view.clause_text, text[:25]]
    skipped = [t for t in texts if not may_have_tone(t)]
    assert len(skipped) > len(texts) / 5
    assert all(tuple(textblob_sentiment(t)) == (0.0, 0.0) for t in skipped)
    assert all(may_have_tone(t) for t in texts[:7])


def test_sentiment_thresholds_are_fitted_not_guessed():
    rng = np.random.default_rng(0)
    polarity = rng.uniform(-1, 1, 600)
    scores = np.column_stack([polarity, np.full(600, 0.6)])
    labels = np.where(polarity > 0.3, "positive", np.where(polarity < -0.2, "negative", "neutral"))
    model = SentimentThresholds().fit_scores(scores, labels)
    assert model.positive_above_ == pytest.approx(0.3, abs=0.03)
    assert model.negative_below_ == pytest.approx(-0.2, abs=0.03)
    predicted, score = model.predict_scores(scores)
    assert (predicted == labels).mean() > 0.97
    assert ((score > 0) & (score <= 1)).all()


def test_sentiment_rejects_unknown_labels():
    with pytest.raises(ValueError, match="unknown sentiment labels"):
        SentimentThresholds().fit_scores([[0.1, 0.5]], ["happy"])


@pytest.fixture(scope="module")
def fitted_stance(gold_items):
    return tier_estimators("fast", 0)[0].fit(*gold_items)  # what train_model fits


def test_saved_model_predicts_the_same(model_dir, gold_items, fitted_stance):
    items, _ = gold_items
    loaded = load_model(model_dir)
    np.testing.assert_array_equal(loaded.stance.predict_proba(items),
                                  fitted_stance.predict_proba(items))
    assert loaded.model_version.startswith("test-") and len(loaded.model_version) == 13


@pytest.fixture(scope="module")
def skops_model_dir(model_dir, fitted_stance, tmp_path_factory):
    """The same model as format 2 wrote it: stance.skops (skops, scikit-learn objects inside)."""
    directory = tmp_path_factory.mktemp("format2") / "model"
    shutil.copytree(model_dir, directory)
    for name in (STANCE_META_FILE, STANCE_ARRAYS_FILE):
        (directory / name).unlink()
    (directory / STANCE_SKOPS_FILE).write_bytes(sio.dumps(fitted_stance))
    card = json.loads((directory / CARD_FILE).read_text())
    card["format"] = SKOPS_FORMAT
    (directory / CARD_FILE).write_text(json.dumps(card))
    return directory


def test_a_format_2_model_still_loads_and_predicts_the_same(skops_model_dir, model_dir,
                                                            gold_items):
    items, _ = gold_items
    np.testing.assert_array_equal(load_model(skops_model_dir).stance.predict_proba(items),
                                  load_model(model_dir).stance.predict_proba(items))


def test_saving_a_format_2_model_converts_it_to_format_3(skops_model_dir, gold_items, tmp_path):
    items, _ = gold_items
    old = load_model(skops_model_dir)
    save_model(old, tmp_path / "converted")
    converted = load_model(tmp_path / "converted")
    assert converted.card["format"] == MODEL_FORMAT
    assert converted.model_version == old.model_version
    assert not (tmp_path / "converted" / STANCE_SKOPS_FILE).exists()
    np.testing.assert_array_equal(converted.stance.predict_proba(items),
                                  old.stance.predict_proba(items))


def test_loading_refuses_a_file_with_untrusted_types(skops_model_dir, tmp_path):
    tampered = tmp_path / "model"
    shutil.copytree(skops_model_dir, tampered)
    (tampered / STANCE_SKOPS_FILE).write_bytes(sio.dumps(FunctionTransformer(func=eval)))
    with pytest.raises(ModelError, match="refusing to load.*eval"):
        load_model(tampered)


def test_loading_refuses_a_damaged_file(skops_model_dir, tmp_path):
    damaged = tmp_path / "model"
    shutil.copytree(skops_model_dir, damaged)
    (damaged / STANCE_SKOPS_FILE).write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelError, match="not a readable skops file"):
        load_model(damaged)


@pytest.mark.parametrize("field,value,message", [
    ("schema_version", "0.9.0", "schema version"),
    ("label_set", {"stance": ["pro", "anti"], "sentiment": ["positive"]}, "label set"),
    ("format", "other/1", "model format"),
])
def test_loading_refuses_another_schema_or_label_set(model_dir, tmp_path, field, value, message):
    changed = tmp_path / "model"
    shutil.copytree(model_dir, changed)
    card = json.loads((changed / CARD_FILE).read_text())
    card[field] = value
    (changed / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match=f"{message}.*retrain"):
        load_model(changed)


def test_missing_model_directory_says_what_to_do(tmp_path):
    with pytest.raises(ModelError, match="annotate train"):
        load_model(tmp_path / "nope")


def test_the_shipped_default_model_loads_and_is_small():
    model = load_model()
    assert model.directory == default_model_dir()
    assert model.model_version.startswith("haiti-mss-")
    size = sum(f.stat().st_size for f in default_model_dir().iterdir())
    assert size < 3_000_000
    assert model.card["training_data"] and all(f["sha256"] for f in model.card["training_data"])
    assert 0 < model.card["cross_validation"]["stance_macro_f1"] <= 1


def _with_old_module_paths(skops_bytes: bytes) -> bytes:
    """The same stance.skops as format 1 wrote it: types named by the flat modules of then."""
    source, out = zipfile.ZipFile(io.BytesIO(skops_bytes)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "schema.json":
                data = (data.decode().replace('"annotate.model.features"', '"annotate.features"')
                        .replace('"annotate.model.stance"', '"annotate.model"').encode())
            target.writestr(item, data)
    return out.getvalue()


def test_a_model_directory_of_the_old_format_is_told_to_retrain(skops_model_dir, tmp_path):
    old = tmp_path / "model"
    shutil.copytree(skops_model_dir, old)
    (old / STANCE_SKOPS_FILE).write_bytes(_with_old_module_paths(
        (old / STANCE_SKOPS_FILE).read_bytes()))
    card = json.loads((old / CARD_FILE).read_text())
    card["format"] = "annotate-model/1"
    (old / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"annotate-model/1.*before its modules moved.*retrain "
                                         r"it with `annotate train"):
        load_model(old)
    # A card forged to say format 2 does not make the old file load: its types are not trusted.
    card["format"] = SKOPS_FORMAT
    (old / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="refusing to load.*annotate.features.StanceFeatures"):
        load_model(old)
