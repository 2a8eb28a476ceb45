"""Sentence sentiment: the fitted layer over TextBlob, its JSON file, and old thresholds-only files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from readers import read_all
from sklearn.base import clone

from annotate.errors import ModelError
from annotate.model.features import polarity_subjectivity
from annotate.model.prelabel import Prelabeler
from annotate.model.scoring import classification_scores
from annotate.model.sentiment import SentimentLayer, tone_counts
from annotate.model.stance import SentimentThresholds
from annotate.model.store import (
    SENTIMENT_FILE,
    default_model_dir,
    load_model,
    save_model,
)
from annotate.schema import load_schema

GOLD = Path(__file__).resolve().parents[1] / "corpora/haiti-mss/gold"


def texts_and_labels(*names):
    records = read_all([GOLD / name for name in names], "gold")
    return [r["text"] for r in records], [r["sentiment"] for r in records]


@pytest.fixture(scope="module")
def train():
    return texts_and_labels("articles.train.jsonl", "extra.train.jsonl")


@pytest.fixture(scope="module")
def held_out():
    return texts_and_labels("articles.dev.jsonl", "extra.dev.jsonl")


@pytest.fixture(scope="module")
def layer(train):
    return SentimentLayer().fit(*train)


def macro_f1(gold, predicted):
    return classification_scores(list(gold), list(predicted), load_schema().sentiments)["macro_f1"]


def test_the_layer_beats_the_thresholds_alone_on_held_out_gold(layer, train, held_out):
    thresholds = SentimentThresholds().fit(*train)
    texts, gold = held_out
    assert macro_f1(gold, layer.predict(texts)) > macro_f1(gold, thresholds.predict(texts)) + 0.05


def test_probabilities_are_distributions_and_the_score_is_the_chosen_one(layer, held_out):
    texts = held_out[0]
    tone = polarity_subjectivity(texts)
    proba = layer.label_distribution(tone, texts)
    labels, score = layer.predict_scores(tone, texts)
    assert list(layer.classes_) == list(load_schema().sentiments)
    assert np.allclose(proba.sum(axis=1), 1) and ((proba > 0) & (proba < 1)).all()
    assert (layer.classes_[proba.argmax(axis=1)] == labels).all()
    assert np.allclose(proba.max(axis=1), score)
    assert layer.temperature_ > 0


def test_news_tone_words_and_negation_are_counted():
    killed, restored, not_restored = (tone_counts(t) for t in (
        "Gangs killed twelve people and displaced hundreds.",
        "Police restored calm and schools reopened.",
        "Power has not been restored."))
    assert killed[:2] == [3.0, 0.0] and restored[:2] == [0.0, 3.0]
    assert not_restored[:4] == [0.0, 0.0, 0.0, 1.0] and not_restored[-1] == 1.0


def test_the_words_of_a_name_count_as_no_tone_or_cue():
    named = tone_counts("The Peace and Security Support Office opened in May.")
    plain = tone_counts("Peace talks opened in May, with support from donors.")
    assert sum(named) == 0
    assert plain[1] == 1.0 and sum(plain[4:7]) == 1.0  # "peace" tone, "support" cue


def test_violence_reads_negative_where_textblob_sees_no_tone(layer):
    violent = "Gunmen burned dozens of homes and displaced thousands of residents."
    plain = "The council met on Tuesday to discuss the budget for the next year."
    # TextBlob gives both (0, 0), so the thresholds cannot tell them apart; the layer can
    assert polarity_subjectivity([violent, plain]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert layer.predict([violent])[0] == "negative" and layer.predict([plain])[0] != "negative"


def test_the_layer_is_a_clonable_estimator_and_needs_texts(layer):
    assert clone(layer).get_params() == layer.get_params()
    with pytest.raises(ValueError, match="needs the sentence texts"):
        SentimentLayer().fit_scores([[0.1, 0.5]], ["positive"])
    with pytest.raises(ValueError, match="needs the sentence texts"):
        layer.predict_scores([[0.1, 0.5]])


@pytest.fixture(scope="module")
def shipped_copy(tmp_path_factory, layer):
    """The shipped model directory with `layer` as its sentiment model."""
    model = load_model()
    directory = tmp_path_factory.mktemp("layer-model") / "model"
    save_model(type(model)(stance=model.stance, sentiment=layer, codebook=model.codebook,
                           card=model.card), directory)
    return directory


def test_the_saved_layer_is_plain_json_and_predicts_the_same(shipped_copy, layer, held_out):
    data = json.loads((shipped_copy / SENTIMENT_FILE).read_text(encoding="utf-8"))
    assert data["kind"] == "layer"
    loaded = load_model(shipped_copy).sentiment
    texts = held_out[0]
    assert isinstance(loaded, SentimentLayer)
    assert np.allclose(loaded.predict_proba(texts), layer.predict_proba(texts))


def test_an_old_thresholds_only_sentiment_file_loads_and_predicts_as_before(
        shipped_copy, train, held_out, tmp_path):
    # The file `annotate train` wrote before the layer existed: the thresholds and their tables.
    old_dir = tmp_path / "old-model"
    shutil.copytree(shipped_copy, old_dir)
    thresholds = json.loads((old_dir / SENTIMENT_FILE).read_text(encoding="utf-8"))["thresholds"]
    (old_dir / SENTIMENT_FILE).write_text(json.dumps(thresholds), encoding="utf-8")
    model = load_model(old_dir)
    assert isinstance(model.sentiment, SentimentThresholds)
    texts = held_out[0]
    expected = SentimentThresholds().fit(*train)
    assert list(model.sentiment.predict(texts)) == list(expected.predict(texts))
    records = [{"id": f"s{i}", "text": text} for i, text in enumerate(texts[:20])]
    labelled = Prelabeler(model).label_batch(records)
    want_labels, want_scores = expected.predict_scores(polarity_subjectivity(texts[:20]))
    assert [r["sentiment"] for r in labelled] == list(want_labels)
    assert [r["sentiment_score"] for r in labelled] == [round(float(s), 4) for s in want_scores]


def test_a_damaged_layer_file_is_refused_with_retrain(shipped_copy, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(shipped_copy, broken)
    data = json.loads((broken / SENTIMENT_FILE).read_text(encoding="utf-8"))
    data["coef"] = [row[:-1] for row in data["coef"]]
    (broken / SENTIMENT_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match="malformed sentiment model.*retrain"):
        load_model(broken)


@pytest.mark.parametrize("content", ["[]", "5", '"layer"'])
def test_a_sentiment_file_that_is_not_an_object_is_refused_with_retrain(shipped_copy, tmp_path,
                                                                         content):
    broken = tmp_path / "broken"
    shutil.copytree(shipped_copy, broken)
    (broken / SENTIMENT_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match="malformed sentiment model.*retrain"):
        load_model(broken)


def test_the_shipped_default_model_uses_the_layer():
    assert isinstance(load_model(default_model_dir()).sentiment, SentimentLayer)


def test_the_news_tone_lexicon_cannot_be_changed_by_a_caller():
    from annotate.model.sentiment import NEWS_TONE

    with pytest.raises(TypeError):
        NEWS_TONE["negative"] = ("anything",)


def test_the_word_block_is_saved_as_terms_and_idf_and_predicts_the_same(train, held_out,
                                                                        tmp_path):
    model = load_model(default_model_dir())
    words = SentimentLayer(word_weight=2.0, C=3.0).fit(*train)
    directory = tmp_path / "words-model"
    save_model(type(model)(stance=model.stance, sentiment=words, codebook=model.codebook,
                           card=model.card), directory)
    data = json.loads((directory / SENTIMENT_FILE).read_text(encoding="utf-8"))
    assert len(data["vocabulary"]) == len(data["idf"]) > 500
    assert "fraction of" in data["vocabulary"]  # a phrase no tone lexicon holds
    texts = held_out[0]
    assert np.allclose(load_model(directory).sentiment.predict_proba(texts),
                       words.predict_proba(texts))
    data["idf"] = data["idf"][:-1]
    (directory / SENTIMENT_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match="malformed sentiment model.*retrain"):
        load_model(directory)


def test_the_shipped_models_read_words_and_older_layers_do_not_need_them(layer):
    assert load_model(default_model_dir()).sentiment.vocabulary_
    assert load_model(default_model_dir("accurate")).sentiment.vocabulary_
    assert layer.vocabulary_ is None and layer.n_design_features() == layer.coef_.shape[1]


def test_a_layer_fitted_on_one_label_predicts_it_instead_of_failing():
    # a cross-validation fold of a small first gold set can hold one sentiment only
    texts = ["Gunmen burned homes in Cabaret.", "Gangs attacked a police station.",
             "Dozens of families fled the fighting."]
    layer = SentimentLayer(word_weight=2.0, word_min_df=1).fit(texts, ["negative"] * 3)
    proba = layer.predict_proba(["Schools reopened in Delmas."])
    assert list(layer.predict(["Schools reopened in Delmas."])) == ["negative"]
    assert proba[0][list(layer.classes_).index("negative")] == pytest.approx(1.0)
