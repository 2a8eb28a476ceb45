"""Task ordering for annotation: least certain predictions first (uncertainty sampling).

A prediction record carries, for each actor, the probability of every stance (`scores`) and, for
the sentence, of every sentiment (`sentiment_scores`). A label's certainty is its **margin**: the
probability of the top class minus that of the runner-up. A small margin means the model hesitates
between two labels, which is what a human should settle; the top-1 probability alone ("least
confidence") cannot tell "0.4 vs 0.4" from "0.4 vs 0.2". A sentence is as certain as its least
certain label (the minimum, not the mean: one doubtful actor is enough to be worth a human's look).

Records written before per-class scores existed carry only the top-1 probability (`score`,
`sentiment_score`); for those labels the top-1 probability stands in for the margin.
"""

from __future__ import annotations

from collections.abc import Iterable

ORDERS = ("input", "uncertainty")


def certainty(prediction: dict) -> float:
    """The lowest top-1 probability among the record's labels (actor stances and sentiment)."""
    scores = [actor["score"] for actor in prediction.get("actors", []) if "score" in actor]
    if "sentiment_score" in prediction:
        scores.append(prediction["sentiment_score"])
    return min(scores) if scores else 1.0


def _margin(distribution, top: float | None) -> float | None:
    if isinstance(distribution, dict) and len(distribution) >= 2:
        first, second = sorted(distribution.values(), reverse=True)[:2]
        return first - second
    return top  # an older record: only the top-1 probability is known


def margin(prediction: dict) -> float:
    """The smallest top-two margin among the record's labels (1.0 when it has no scores)."""
    margins = [_margin(actor.get("scores"), actor.get("score"))
               for actor in prediction.get("actors", [])]
    margins.append(_margin(prediction.get("sentiment_scores"), prediction.get("sentiment_score")))
    known = [m for m in margins if m is not None]
    return min(known) if known else 1.0


def order_by_uncertainty(predictions: Iterable[dict], by: str = "margin") -> list[dict]:
    """Least certain first by `margin` (default) or `certainty` (least confidence); equally
    certain records keep their input order (stable sort)."""
    key = {"margin": margin, "certainty": certainty}.get(by)
    if key is None:
        raise ValueError(f"unknown uncertainty measure {by!r}; expected 'margin' or 'certainty'")
    return sorted(predictions, key=key)


def order_predictions(predictions: Iterable[dict], order: str) -> Iterable[dict]:
    """Apply one of ORDERS to prediction records."""
    if order == "uncertainty":
        return order_by_uncertainty(predictions)
    if order == "input":
        return predictions
    raise ValueError(f"unknown order {order!r}; expected one of {ORDERS}")
