"""Task ordering for annotation: least certain predictions first (uncertainty sampling).

A prediction record carries the probability of each actor's predicted stance (`score`) and of the
predicted sentiment (`sentiment_score`). A sentence is as certain as its least certain label, so its
certainty is the minimum of those probabilities ("least confidence" sampling). The minimum rather
than the mean: one doubtful actor is enough for a sentence to be worth a human's look. Records only
carry the top probability, not the whole distribution, so margin and entropy are not available.
"""

from __future__ import annotations

from collections.abc import Iterable

ORDERS = ("input", "uncertainty")


def certainty(prediction: dict) -> float:
    """The lowest probability among the record's labels (actor stances and sentiment)."""
    scores = [actor["score"] for actor in prediction.get("actors", []) if "score" in actor]
    if "sentiment_score" in prediction:
        scores.append(prediction["sentiment_score"])
    return min(scores) if scores else 1.0


def order_by_uncertainty(predictions: Iterable[dict]) -> list[dict]:
    """Least certain first; equally certain records keep their input order (stable sort)."""
    return sorted(predictions, key=certainty)


def order_predictions(predictions: Iterable[dict], order: str) -> Iterable[dict]:
    """Apply one of ORDERS to prediction records."""
    if order == "uncertainty":
        return order_by_uncertainty(predictions)
    if order == "input":
        return predictions
    raise ValueError(f"unknown order {order!r}; expected one of {ORDERS}")
