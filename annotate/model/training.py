"""Training and evaluating models from gold records.

`train_model` validates every gold file before it trains, cross-validates (folds by sentence,
so two actors of one sentence never sit on both sides of a split), fits the final model on all
the data and writes the model directory with its card. Everything is deterministic for a seed.
"""

from __future__ import annotations

import datetime
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold

from annotate.codebook import Codebook
from annotate.errors import InputError
from annotate.model.actors import ActorDetector
from annotate.model.features import polarity_subjectivity
from annotate.model.scoring import (
    actor_name_scores,
    classification_scores,
    scorable_actor_spans,
    span_scores,
)
from annotate.model.sentiment import SentimentLayer
from annotate.model.stance import StanceClassifier
from annotate.model.store import (
    MODEL_FORMAT,
    Model,
    label_set,
    library_versions,
    model_version,
    save_model,
    sha256_file,
)
from annotate.records import gold_key, read_unique_records
from annotate.schema import load_schema


@dataclass(frozen=True)
class GoldSet:
    records: list[dict]
    files: list[dict]  # one entry per file: path, sha256, records, actors

    @property
    def label(self) -> str:
        return ", ".join(f["path"] for f in self.files)


def load_gold(paths) -> GoldSet:
    """Read and validate every gold file completely (file:line errors) before any work."""
    if not paths:
        raise InputError("gold", "no gold files given; pass one or more gold .jsonl files")
    records, files, seen_by_file = [], [], {}
    for path in paths:
        # a record twice in one file (or a file given twice) is refused; the same sentence in
        # two different files is not: an adjudicated round retrains beside the shipped gold
        seen = seen_by_file.setdefault(Path(path).resolve(), {})
        file_records = list(read_unique_records(path, "gold", gold_key, seen))
        records.extend(file_records)
        files.append({"path": str(path), "sha256": sha256_file(path),
                      "records": len(file_records),
                      "actors": sum(len(r["actors"]) for r in file_records)})
    return GoldSet(records=records, files=files)


def stance_items(records):
    """(items, labels, sentence index of each item) from gold records, on the gold spans."""
    items, labels, groups = [], [], []
    for index, record in enumerate(records):
        for actor in record["actors"]:
            items.append((record["text"], actor["start"], actor["end"]))
            labels.append(actor["stance"])
            groups.append(index)
    return items, np.array(labels, dtype=object), np.array(groups)


def _check_trainable(gold: GoldSet, labels, folds: int) -> None:
    values, counts = np.unique(labels, return_counts=True)
    if len(values) < 2:
        raise InputError(gold.label, f"the gold has {len(values)} stance label(s) "
                         f"({', '.join(values) or 'no actors'}); training needs at least two")
    if folds < 2:
        raise InputError(gold.label, f"--folds must be at least 2, got {folds}")
    few = [f"{v} ({c})" for v, c in zip(values, counts) if c < folds]
    if few or len(gold.records) < folds:
        raise InputError(gold.label, f"too little gold for {folds}-fold cross-validation: "
                         f"{', '.join(few) or f'{len(gold.records)} records'} has fewer "
                         f"examples than folds; add gold or lower --folds")


def record_folds(records, labels, groups, folds: int, seed: int) -> np.ndarray:
    """The fold of every record: stratified by stance over sentence groups; sentences without
    actors are dealt round-robin in a seeded order."""
    fold_of = np.full(len(records), -1)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # it warns when a class cannot fill every fold evenly
        warnings.simplefilter("ignore", UserWarning)
        for fold, (_, test) in enumerate(splitter.split(labels, labels, groups)):
            fold_of[np.unique(groups[test])] = fold
    spare = np.flatnonzero(fold_of < 0)
    order = np.random.default_rng(seed).permutation(len(spare))
    fold_of[spare[order]] = np.arange(len(spare)) % folds
    return fold_of


def cross_validate(records, stance: StanceClassifier, sentiment: SentimentLayer,
                   folds: int, seed: int) -> dict:
    """Out-of-fold stance and sentiment predictions, scored like `annotate evaluate`."""
    items, labels, groups = stance_items(records)
    fold_of = record_folds(records, labels, groups, folds, seed)
    item_fold = fold_of[groups]
    texts = [r["text"] for r in records]
    tone = polarity_subjectivity(texts)
    gold_sentiment = np.array([r["sentiment"] for r in records], dtype=object)
    stance_pred = np.empty(len(items), dtype=object)
    stance_conf = np.zeros(len(items))
    sentiment_pred = np.empty(len(records), dtype=object)
    per_fold = []
    for fold in range(folds):
        train, test = np.flatnonzero(item_fold != fold), np.flatnonzero(item_fold == fold)
        model = clone(stance).fit([items[i] for i in train], labels[train])
        proba = model.predict_proba([items[i] for i in test])
        stance_pred[test] = model.classes_[proba.argmax(axis=1)]
        stance_conf[test] = proba.max(axis=1)
        rec_train, rec_test = fold_of != fold, fold_of == fold
        fitted = clone(sentiment).fit_scores(tone[rec_train], gold_sentiment[rec_train],
                                             [t for t, keep in zip(texts, rec_train) if keep])
        sentiment_pred[rec_test] = fitted.predict_scores(
            tone[rec_test], [t for t, keep in zip(texts, rec_test) if keep])[0]
        per_fold.append(classification_scores(labels[test], stance_pred[test],
                                              load_schema().stances)["macro_f1"])
    schema = load_schema()
    stance_scores = classification_scores(labels, stance_pred, schema.stances)
    sentiment_scores = classification_scores(gold_sentiment, sentiment_pred, schema.sentiments)
    return {"folds": folds, "seed": seed,
            "stance_macro_f1": stance_scores["macro_f1"],
            "stance_macro_f1_per_fold": per_fold,
            "stance_accuracy": stance_scores["accuracy"],
            "stance_expected_calibration_error": expected_calibration_error(
                stance_conf, stance_pred == labels),
            "sentiment_macro_f1": sentiment_scores["macro_f1"],
            "stance": stance_scores, "sentiment": sentiment_scores}


def expected_calibration_error(confidence, correct, bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width confidence bins, weighted by bin size."""
    confidence, correct = np.asarray(confidence), np.asarray(correct, dtype=float)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in np.unique(which):
        chosen = which == b
        total += chosen.mean() * abs(confidence[chosen].mean() - correct[chosen].mean())
    return float(total)


def train_model(gold_paths, output=None, *, seed: int = 0, folds: int = 5,
                codebook_path=None, name: str = "model", stance_params: dict | None = None,
                progress=None, tier: str = "fast",
                codebook: Codebook | None = None) -> tuple[Model, dict]:
    """Validate the gold, cross-validate, train on everything, write `output` (if given).

    Returns the model and the cross-validated metrics. `progress` (a callable taking a
    message) hears about each stage. `codebook` (a loaded one, e.g. the served model's, when
    retraining) takes the place of `codebook_path`.
    """
    say = progress or (lambda message: None)
    gold = load_gold(gold_paths)
    if codebook is None:
        codebook = Codebook.load(codebook_path) if codebook_path else Codebook.empty()
    items, labels, groups = stance_items(gold.records)
    _check_trainable(gold, labels, folds)
    stance, sentiment = tier_estimators(tier, seed, stance_params)
    say(f"read {len(gold.records)} gold sentences with {len(items)} actor spans; "
        f"{folds}-fold cross-validation")
    metrics = cross_validate(gold.records, stance, sentiment, folds, seed)
    say("training on all the gold")
    stance.fit(items, labels)
    sentiment.fit([r["text"] for r in gold.records], [r["sentiment"] for r in gold.records])
    schema = load_schema()
    codebook_data = codebook.to_dict()
    inputs = {"format": MODEL_FORMAT, "schema_version": schema.version, "labels": label_set(),
              "data": [f["sha256"] for f in gold.files], "seed": seed, "folds": folds,
              "stance_params": stance.get_params(), "sentiment_params": sentiment.get_params(),
              "codebook": codebook_data}
    encoder = contextual_encoder(stance, sentiment)
    if encoder:  # the weights the model's coefficients were fitted against
        inputs["encoder"] = encoder
    card = {
        "format": MODEL_FORMAT,
        "model_version": model_version(name, inputs),
        "schema_version": schema.version,
        "label_set": label_set(),
        "stance_classes": list(stance.classes_),
        "training_data": [{**f, "path": _display_path(f["path"])} for f in gold.files],
        "training_size": {"records": len(gold.records), "actors": len(items)},
        "seed": seed,
        "tier": tier,
        "parameters": {"stance": stance.get_params(), "sentiment": sentiment.get_params(),
                       "temperature": stance.temperature_,
                       "sentiment_temperature": sentiment.temperature_,
                       "sentiment_thresholds": {
                           "negative_below": sentiment.thresholds_.negative_below_,
                           "positive_above": sentiment.thresholds_.positive_above_,
                           "min_subjectivity": sentiment.thresholds_.min_subjectivity_}},
        "cross_validation": {k: v for k, v in metrics.items() if k not in ("stance", "sentiment")},
        "codebook": {"source": codebook.source, "actors": len(codebook), "file": "codebook.json"},
        **({"contextual_encoder": encoder} if encoder else {}),
        "library_versions": library_versions(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    model = Model(stance=stance, sentiment=sentiment, codebook=codebook, card=card)
    if output is not None:
        save_model(model, output)
    return model, metrics


# The accurate tier's dense blocks: MiniLM's contextual states (annotate.model.contextual) times
# these weights; WordLlama's static vectors (annotate.model.semantic) no longer add to them (0).
# Chosen by 5-fold cross-validation on haiti-mss train over three fold seeds; BENCHMARKS.md,
# "Pre-label quality", lists every value tried.
CONTEXTUAL_STANCE_WEIGHT = 3.0
CONTEXTUAL_SENTIMENT_WEIGHT = 2.0
# Both tiers' stance and sentiment settings, chosen by 5-fold cross-validation on the haiti-mss
# train split over three fold seeds (BENCHMARKS.md, "Pre-label quality", lists every setting).
STANCE_PARAMS = {"clause_weight": 5.0, "cue_weight": 1.0, "object_cues": True}
SENTIMENT_PARAMS = {"word_weight": 2.0, "C": 3.0}


def contextual_encoder(stance, sentiment) -> dict | None:
    """The encoder a model with the contextual layer needs (for its card), else None."""
    if max(getattr(stance, "contextual_weight", 0.0),
           getattr(sentiment, "contextual_weight", 0.0)) <= 0:
        return None
    from annotate.model import contextual

    return {"model": "sentence-transformers/all-MiniLM-L6-v2", "install": contextual.INSTALL,
            "weights_sha256": contextual.WEIGHTS_SHA256}


def tier_estimators(tier: str, seed: int, stance_params: dict | None = None):
    """Unfitted (stance, sentiment) estimators of a tier: "fast" (lexical and target-dependent
    features) or "accurate" (plus MiniLM's contextual states, annotate.model.contextual)."""
    if tier == "fast":
        return (StanceClassifier(random_state=seed, **{**STANCE_PARAMS, **(stance_params or {})}),
                SentimentLayer(random_state=seed, **SENTIMENT_PARAMS))
    if tier == "accurate":
        from annotate.model.semantic import SemanticStanceClassifier

        params = {**STANCE_PARAMS, "semantic_weight": 0.0,
                  "contextual_weight": CONTEXTUAL_STANCE_WEIGHT, **(stance_params or {})}
        return (SemanticStanceClassifier(random_state=seed, **params),
                SentimentLayer(random_state=seed, contextual_weight=CONTEXTUAL_SENTIMENT_WEIGHT,
                               **SENTIMENT_PARAMS))
    raise ValueError(f"unknown tier {tier!r}; use fast or accurate")


def _display_path(path: str) -> str:
    """Paths inside the working directory are recorded relative to it (portable cards)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def previous_texts(records) -> list[str]:
    """Each record's previous sentence: its `prev_text`, else the record before it of the same
    document in file order (gold written as records has no `prev_text`), else ""."""
    last: dict = {}
    out = []
    for record in records:
        document = record.get("doc_id")
        out.append(record["prev_text"] if "prev_text" in record
                   else last.get(document, "") if document is not None else "")
        last[document] = record["text"]
    return out


def evaluate_model(gold_paths, model: Model) -> dict:
    """Stance on the gold actor spans, actor detection on its own, sentiment against gold."""
    gold = load_gold(gold_paths)
    schema = load_schema()
    items, labels, _ = stance_items(gold.records)
    stance_pred = (model.stance.predict(items) if items else np.array([], dtype=object))
    texts = [r["text"] for r in gold.records]
    sentiment_pred, _ = model.sentiment.predict_scores(polarity_subjectivity(texts), texts)
    detector = ActorDetector(model.codebook)
    found = [detector.detect_in_context(r["text"], prev)
             for r, prev in zip(gold.records, previous_texts(gold.records))]
    spans = span_scores([scorable_actor_spans(r) for r in gold.records], found)
    names = actor_name_scores([[a for a in r["actors"] if not a.get("implicit_holder")]
                               for r in gold.records], found)
    stance = classification_scores(list(labels), list(stance_pred), schema.stances)
    sentiment = classification_scores([r["sentiment"] for r in gold.records],
                                      list(sentiment_pred), schema.sentiments)
    return {
        "model_version": model.model_version,
        "gold": gold.files,
        "n_sentences": len(gold.records),
        "n_actor_spans": len(items),
        "stance_macro_f1": stance["macro_f1"],
        "sentiment_macro_f1": sentiment["macro_f1"],
        "actor_precision": spans["overlap"]["precision"],
        "actor_recall": spans["overlap"]["recall"],
        "actor_f1": spans["overlap"]["f1"],
        "actor_exact_precision": spans["exact"]["precision"],
        "actor_exact_recall": spans["exact"]["recall"],
        "actor_exact_f1": spans["exact"]["f1"],
        "actor_name_accuracy": names["accuracy"],
        "stance": stance,
        "sentiment": sentiment,
        "actors": {**spans, "names": names},
    }
