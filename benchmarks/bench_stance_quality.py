"""Stance quality on NewsMTSC, side by side, plus the choice of training data for the default model.

Run (from the repository root; reads ../shared/data/newsmtsc, never copies it):
    OMP_NUM_THREADS=1 taskset -c 0 python3 benchmarks/bench_stance_quality.py

Part 1 (NewsMTSC): train on splits/train.jsonl (converted with annotate.ingest.convert), evaluate stance
macro-F1 on dev_rw and dev_mt for
  - StanceClassifier (target-dependent, annotate.model.stance),
  - (a) TF-IDF word 1-2 grams + LogisticRegression over the sentence alone (same C and weights),
  - (b) TextBlob sentence polarity with thresholds fitted on train (SentimentThresholds),
  - (c) the majority class of train,
with the expected calibration error of the StanceClassifier and its training time on one core
(median of 3 fits).
Part 2 (default model): haiti-mss gold train alone vs together with converted NewsMTSC train,
scored on the haiti-mss dev split (stance on gold spans, sentence sentiment).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: set before numpy loads

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from annotate.ingest.convert import convert  # noqa: E402
from annotate.model.features import polarity_subjectivity  # noqa: E402
from annotate.model.scoring import classification_scores  # noqa: E402
from annotate.model.stance import SentimentThresholds, StanceClassifier  # noqa: E402
from annotate.model.training import expected_calibration_error, stance_items  # noqa: E402
from annotate.schema import load_schema  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from readers import read_all  # noqa: E402  (the tests' helper)

NEWSMTSC = ROOT.parent / "shared/data/newsmtsc/splits"
CORPUS = ROOT / "corpora/haiti-mss/gold"


def macro_f1(gold, predicted) -> float:
    return classification_scores(list(gold), list(predicted), load_schema().stances)["macro_f1"]


def converted(split: str, workdir: Path) -> list[dict]:
    out = workdir / f"{split}.jsonl"
    convert("newsmtsc", NEWSMTSC / f"{split}.jsonl", out)
    return read_all([out], "gold")


def newsmtsc_part(workdir: Path) -> None:
    train_items, train_y, _ = stance_items(converted("train", workdir))
    devs = {split: stance_items(converted(split, workdir))[:2] for split in ("dev_rw", "dev_mt")}
    fit_seconds, model = [], None
    for _ in range(3):
        start = time.process_time()
        model = StanceClassifier(random_state=0).fit(train_items, train_y)
        fit_seconds.append(time.process_time() - start)
    sentence_lr = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
        LogisticRegression(C=1.0, max_iter=3000, tol=1e-3, class_weight="balanced"))
    sentence_lr.fit([text for text, _, _ in train_items], train_y)
    # (b): the stance labels ordered like (positive, neutral, negative) for SentimentThresholds
    polarity = SentimentThresholds(labels=("supportive", "none", "critical")).fit_scores(
        polarity_subjectivity([text for text, _, _ in train_items]), train_y)
    majority = Counter(train_y).most_common(1)[0][0]
    print(f"NewsMTSC train: {len(train_items)} (sentence, mention) pairs; StanceClassifier fit "
          f"CPU seconds (median of 3, one thread): {statistics.median(fit_seconds):.1f} "
          f"(runs: {', '.join(f'{s:.1f}' for s in fit_seconds)})\n")
    print("| split | n | StanceClassifier | (a) TF-IDF+LR sentence | (b) TextBlob thresholds "
          "| (c) majority | ours − (a) | ECE (ours) |")
    print("|---|---|---|---|---|---|---|---|")
    for split, (items, gold) in devs.items():
        texts = [text for text, _, _ in items]
        proba = model.predict_proba(items)
        ours = model.classes_[proba.argmax(axis=1)]
        scores = {
            "ours": macro_f1(gold, ours),
            "a": macro_f1(gold, sentence_lr.predict(texts)),
            "b": macro_f1(gold, polarity.predict_scores(polarity_subjectivity(texts))[0]),
            "c": macro_f1(gold, [majority] * len(gold)),
        }
        ece = expected_calibration_error(proba.max(axis=1), ours == gold)
        print(f"| {split} | {len(gold)} | {scores['ours']:.3f} | {scores['a']:.3f} | "
              f"{scores['b']:.3f} | {scores['c']:.3f} | {scores['ours'] - scores['a']:+.3f} | "
              f"{ece:.3f} |")


def default_model_part(workdir: Path) -> None:
    haiti = read_all([CORPUS / "articles.train.jsonl", CORPUS / "extra.train.jsonl"], "gold")
    dev = read_all([CORPUS / "articles.dev.jsonl", CORPUS / "extra.dev.jsonl"], "gold")
    newsmtsc = read_all([workdir / "train.jsonl"], "gold")
    dev_items, dev_y, _ = stance_items(dev)
    dev_tone = polarity_subjectivity([r["text"] for r in dev])
    print("\n| training data | sentences | actor spans | haiti-mss dev stance macro-F1 | "
          "dev sentiment macro-F1 |")
    print("|---|---|---|---|---|")
    for name, records in (("haiti-mss gold train", haiti),
                          ("haiti-mss gold train + NewsMTSC train", haiti + newsmtsc)):
        items, labels, _ = stance_items(records)
        stance = StanceClassifier(random_state=0).fit(items, labels)
        sentiment = SentimentThresholds().fit([r["text"] for r in records],
                                              [r["sentiment"] for r in records])
        stance_f1 = macro_f1(dev_y, stance.predict(dev_items))
        sentiment_f1 = classification_scores([r["sentiment"] for r in dev],
                                             list(sentiment.predict_scores(dev_tone)[0]),
                                             load_schema().sentiments)["macro_f1"]
        print(f"| {name} | {len(records)} | {len(items)} | {stance_f1:.3f} | {sentiment_f1:.3f} |")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        newsmtsc_part(Path(tmp))
        default_model_part(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
