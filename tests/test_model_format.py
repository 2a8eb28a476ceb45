"""Model format 3: the stance model as JSON + npz, applied without scikit-learn (issue 12).

The plain forms must give the very numbers scikit-learn gives (pre-labels must not change when
the format does), a saved model must load without importing scikit-learn or skops, and a
damaged or tampered file must be refused with a message, never run.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from annotate.errors import ModelError
from annotate.ingest.documents import iter_documents, split_document
from annotate.model.plain import PlainLogistic, PlainTfidf, softmax
from annotate.model.store import (
    STANCE_ARRAYS_FILE,
    STANCE_META_FILE,
    default_model_dir,
    load_model,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """The bundled corpus's sentences and random strings of letters, digits, punctuation,
    accents and odd whitespace."""
    texts = [r["text"] for d in iter_documents([ROOT / "corpora/haiti-mss/articles"])
             for r in split_document(d)[0]]
    rng = random.Random(7)
    alphabet = "abcXYZ  \t\n019.,'’-éÉßİ_«»—"
    return texts + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
                    for _ in range(2000)]


SETTINGS = [
    {"ngram_range": (1, 2), "sublinear_tf": True, "token_pattern": r"(?u)\b\w+\b"},
    {"ngram_range": (1, 2), "sublinear_tf": True, "token_pattern": r"\S+"},
    {"ngram_range": (1, 1), "sublinear_tf": True, "token_pattern": r"\S+"},
    {"ngram_range": (2, 3), "sublinear_tf": False, "lowercase": False},
    {"ngram_range": (1, 2), "binary": True, "norm": None},
    {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 2},
]


@pytest.mark.parametrize("settings", SETTINGS)
def test_plain_tfidf_gives_scikit_learns_numbers(texts, settings):
    _assert_same_as_scikit_learn(texts, settings)


@pytest.mark.shared_data
@pytest.mark.parametrize("settings", SETTINGS[:3] + SETTINGS[-1:])
def test_plain_tfidf_gives_scikit_learns_numbers_on_newsmtsc(shared_dir, settings):
    with open(shared_dir / "data/newsmtsc/splits/train.jsonl", encoding="utf-8") as f:
        _assert_same_as_scikit_learn([json.loads(line)["sentence"] for line in f], settings)


def _assert_same_as_scikit_learn(texts, settings):
    fit_on, apply_to = texts[::2], texts[1::2]
    fitted = TfidfVectorizer(max_features=20000, **settings).fit(fit_on)
    plain = PlainTfidf.from_fitted(fitted)
    ours, theirs = plain.transform(apply_to), fitted.transform(apply_to)
    assert ours.shape == theirs.shape and ours.nnz == theirs.nnz > 0
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    np.testing.assert_array_equal(ours.data, theirs.data)  # bit for bit, not approximately


def test_plain_tfidf_refuses_settings_it_cannot_apply(texts):
    fitted = TfidfVectorizer(stop_words=["the"]).fit(texts[:50])
    with pytest.raises(ValueError, match="stop_words"):
        PlainTfidf.from_fitted(fitted)


def test_plain_logistic_gives_scikit_learns_decisions(texts):
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer().fit(texts)
    X = vectorizer.transform(texts)
    rng = np.random.default_rng(0)
    for n_classes in (2, 4):
        y = rng.integers(0, n_classes, len(texts)).astype(str)
        fitted = LogisticRegression(max_iter=200).fit(X, y)
        plain = PlainLogistic.from_fitted(fitted)
        np.testing.assert_array_equal(plain.decision_function(X), fitted.decision_function(X))
    from scipy.special import softmax as scipy_softmax

    scores = rng.normal(size=(500, 4)) * 30
    np.testing.assert_array_equal(softmax(scores, axis=1), scipy_softmax(scores, axis=1))


@pytest.mark.parametrize("tier", ["fast", "accurate"])
def test_the_shipped_models_load_without_scikit_learn_or_skops(tier):
    script = (
        "import sys\n"
        "from annotate.model.prelabel import Prelabeler\n"
        "from annotate.model.store import default_model_dir\n"
        f"p = Prelabeler.load(default_model_dir({tier!r}))\n"
        "out = p.label_batch([{'id': 's1', 'doc_id': 'd', 'text': "
        "'Kenya said it would send more police officers to Haiti.', 'start': 0, 'end': 55}])\n"
        "assert out[0]['actors'][0]['stance'] in ('supportive', 'wary', 'critical', 'none'), out\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'skops'}))\n")
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "[]"


@pytest.fixture
def model_copy(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(default_model_dir(), copy)
    return copy


def test_a_stance_file_naming_another_class_is_refused(model_copy):
    meta = json.loads((model_copy / STANCE_META_FILE).read_text())
    meta["class"] = "builtins.eval"
    (model_copy / STANCE_META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"malformed stance model.*unknown stance model class"):
        load_model(model_copy)


def test_arrays_that_need_pickle_are_refused(model_copy):
    with np.load(model_copy / STANCE_ARRAYS_FILE) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["coef"] = np.array([{"not": "numbers"}], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (model_copy / STANCE_ARRAYS_FILE).write_bytes(buffer.getvalue())
    with pytest.raises(ModelError, match="malformed stance model.*pickle"):
        load_model(model_copy)


@pytest.mark.parametrize("damage", ["truncated", "missing array", "wrong shape", "not json"])
def test_a_damaged_stance_model_is_refused_with_a_message(model_copy, damage):
    arrays_path, meta_path = model_copy / STANCE_ARRAYS_FILE, model_copy / STANCE_META_FILE
    if damage == "truncated":
        arrays_path.write_bytes(arrays_path.read_bytes()[:1000])
    elif damage == "not json":
        meta_path.write_text("{not json", encoding="utf-8")
    else:
        with np.load(arrays_path) as stored:
            arrays = {name: stored[name] for name in stored.files}
        if damage == "missing array":
            del arrays["intercept"]
        else:
            arrays["coef"] = arrays["coef"][:, :10]
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        arrays_path.write_bytes(buffer.getvalue())
    with pytest.raises(ModelError, match="retrain"):
        load_model(model_copy)
