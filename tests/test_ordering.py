"""Uncertainty ordering: least certain sentence first, by its least certain label."""

import pytest

from annotate.quality.ordering import (
    certainty,
    margin,
    order_by_uncertainty,
    order_predictions,
)


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


def scored(pid, sentiment_scores, *actor_scores):
    record = pred(pid, max(sentiment_scores.values()),
                  *(max(scores.values()) for scores in actor_scores))
    record["sentiment_scores"] = sentiment_scores
    for actor, scores in zip(record["actors"], actor_scores):
        actor["scores"] = scores
    return record


def test_margin_between_the_top_two_classes_orders_records():
    sure_sentiment = {"positive": 0.9, "neutral": 0.05, "negative": 0.05}
    # Both actors have top-1 probability 0.45; only the margin tells the torn one apart.
    torn = scored("torn", sure_sentiment, {"supportive": 0.45, "critical": 0.44, "none": 0.11})
    clear = scored("clear", sure_sentiment, {"supportive": 0.45, "critical": 0.1, "none": 0.1,
                                             "wary": 0.35})
    middling = scored("middling", {"positive": 0.6, "neutral": 0.3, "negative": 0.1})
    assert margin(torn) == pytest.approx(0.01)
    assert margin(clear) == pytest.approx(0.10)
    assert margin(middling) == pytest.approx(0.3)
    assert [r["id"] for r in order_by_uncertainty([middling, clear, torn])] == [
        "torn", "clear", "middling"]
    assert [r["id"] for r in order_by_uncertainty([middling, clear, torn], by="certainty")] == [
        "clear", "torn", "middling"]  # least confidence cannot tell them apart: input order
    with pytest.raises(ValueError):
        order_by_uncertainty([torn], by="entropy")


def test_records_without_per_class_scores_fall_back_to_the_top_probability():
    old = pred("old", 0.9, 0.3)
    assert margin(old) == certainty(old) == 0.3
    assert margin({"id": "bare", "actors": []}) == 1.0
