"""The stance classifier as plain data: `stance.json` (parameters, labels, vectorizer settings)
and `stance.npz` (terms, idf weights, scaling, coefficients; numpy arrays, loaded with
`allow_pickle=False`). Nothing in either file names code to run: loading builds the known
classes from their parameters and fills in the numbers, so a tampered file can give wrong
numbers but never runs anything.
"""

from __future__ import annotations

import io
import json
from types import MappingProxyType

import numpy as np

from annotate.model.features import _VECTORIZERS, StanceFeatures
from annotate.model.plain import PlainLogistic, PlainTfidf
from annotate.model.semantic import SemanticStanceClassifier
from annotate.model.stance import StanceClassifier

STANCE_CLASSES = MappingProxyType({cls.__name__: cls for cls in (StanceClassifier,
                                                                 SemanticStanceClassifier)})


def _plain_tfidf(vectorizer) -> PlainTfidf:
    return vectorizer if isinstance(vectorizer, PlainTfidf) else PlainTfidf.from_fitted(vectorizer)


def _plain_logistic(logistic) -> PlainLogistic:
    return logistic if isinstance(logistic, PlainLogistic) else PlainLogistic.from_fitted(logistic)


def stance_to_data(stance: StanceClassifier) -> tuple[dict, dict[str, np.ndarray]]:
    """(the JSON part, the arrays) of a fitted stance classifier."""
    if type(stance).__name__ not in STANCE_CLASSES:
        raise TypeError(f"cannot save a {type(stance).__name__} as a stance model")
    features, logistic = stance.features_, _plain_logistic(stance.logistic_)
    vectorizers = {name: _plain_tfidf(getattr(features, name)) for name in _VECTORIZERS
                   if getattr(features, name, None) is not None}
    meta = {"class": type(stance).__name__, "params": stance.get_params(deep=False),
            "classes": [str(label) for label in stance.classes_],
            "temperature": float(stance.temperature_),
            "logistic_classes": [str(label) for label in logistic.classes_],
            "features": {"params": features.get_params(deep=False),
                         "vectorizers": {name: v.settings() for name, v in vectorizers.items()}}}
    arrays = {"dense_mean": features.dense_mean_, "dense_scale": features.dense_scale_,
              "coef": logistic.coef_, "intercept": logistic.intercept_}
    for name, vectorizer in vectorizers.items():
        arrays[f"{name}terms"] = np.array(vectorizer.terms, dtype=str)
        arrays[f"{name}idf"] = vectorizer.idf_
    return meta, arrays


def stance_to_bytes(stance: StanceClassifier) -> tuple[str, bytes]:
    """(stance.json text, stance.npz bytes)."""
    meta, arrays = stance_to_data(stance)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return json.dumps(meta, indent=2, ensure_ascii=False) + "\n", buffer.getvalue()


def stance_from_bytes(meta_text: str, npz: bytes) -> StanceClassifier:
    """Rebuild the classifier; raises ValueError (or KeyError, TypeError) if the files do not
    fit together."""
    meta = json.loads(meta_text)
    if not isinstance(meta, dict) or meta.get("class") not in STANCE_CLASSES:
        raise ValueError(f"unknown stance model class {meta.get('class')!r}"
                         if isinstance(meta, dict) else "expected a JSON object")
    with np.load(io.BytesIO(npz), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    stance = STANCE_CLASSES[meta["class"]](**meta["params"])
    stance.classes_ = np.array(meta["classes"], dtype=object)
    stance.temperature_ = float(meta["temperature"])
    stance.logistic_ = PlainLogistic(arrays["coef"], arrays["intercept"],
                                     meta["logistic_classes"])
    features = StanceFeatures(**meta["features"]["params"])
    for name, settings in meta["features"]["vectorizers"].items():
        if name not in _VECTORIZERS:
            raise ValueError(f"unknown vectorizer {name!r}")
        setattr(features, name, PlainTfidf(arrays[f"{name}terms"].tolist(), arrays[f"{name}idf"],
                                           **settings))
    features.dense_mean_ = np.asarray(arrays["dense_mean"], dtype=float)
    features.dense_scale_ = np.asarray(arrays["dense_scale"], dtype=float)
    stance.features_ = features
    widths = sum(len(getattr(features, name).terms) for name in meta["features"]["vectorizers"])
    if (set(stance.logistic_.classes_) - set(stance.classes_)
            or features.dense_mean_.shape != features.dense_scale_.shape
            or stance.logistic_.n_features_in_ < widths + features.dense_mean_.shape[0]):
        raise ValueError("its arrays do not fit together")
    return stance
