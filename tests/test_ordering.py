"""Uncertainty ordering: least certain sentence first, by its least certain label."""

import pytest

from annotate.ordering import certainty, order_by_uncertainty, order_predictions


def pred(pid, sentiment_score, *scores):
    return {"id": pid, "text": "x", "sentiment": "neutral", "sentiment_score": sentiment_score,
            "model_version": "m", "actors": [{"start": 0, "end": 1, "text": "x", "stance": "none",
                                              "score": s} for s in scores]}


def test_least_certain_first_by_minimum_score():
    records = [pred("sure", 0.9, 0.95), pred("doubtful-actor", 0.9, 0.97, 0.41),
               pred("doubtful-sentiment", 0.5), pred("middling", 0.7, 0.8)]
    assert certainty(records[1]) == 0.41
    assert [r["id"] for r in order_by_uncertainty(records)] == [
        "doubtful-actor", "doubtful-sentiment", "middling", "sure"]


def test_ties_keep_input_order_and_input_order_is_untouched():
    records = [pred(str(i), 0.6) for i in range(5)]
    assert [r["id"] for r in order_by_uncertainty(records)] == ["0", "1", "2", "3", "4"]
    assert list(order_predictions(records, "input")) == records
    with pytest.raises(ValueError):
        order_predictions(records, "random")
