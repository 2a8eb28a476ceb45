"""Scoring functions, checked against counts worked out by hand."""

import pytest

from annotate.model.scoring import (
    actor_name_scores,
    classification_scores,
    scorable_actor_spans,
    span_scores,
)
from annotate.schema import load_schema

STANCES = load_schema().stances


def test_classification_scores_per_class_macro_and_confusion():
    gold = ["supportive", "supportive", "critical", "critical", "none", "none"]
    pred = ["supportive", "critical", "critical", "critical", "none", "supportive"]
    scores = classification_scores(gold, pred, STANCES)
    # supportive: tp 1, predicted 2, gold 2; critical: tp 2, predicted 3, gold 2;
    # none: tp 1, predicted 1, gold 2; wary never occurs in gold.
    sup, crit, none = (scores["per_class"][k] for k in ("supportive", "critical", "none"))
    assert (sup["precision"], sup["recall"], sup["support"]) == (0.5, 0.5, 2)
    assert crit["precision"] == pytest.approx(2 / 3) and crit["recall"] == 1.0
    assert none["precision"] == 1.0 and none["recall"] == 0.5
    f1 = {"supportive": 0.5, "critical": 0.8, "none": 2 / 3}
    for label, value in f1.items():
        assert scores["per_class"][label]["f1"] == pytest.approx(value)
    # macro runs over the three classes present in gold, not over wary
    assert scores["macro_labels"] == ["supportive", "critical", "none"]
    assert scores["macro_f1"] == pytest.approx(sum(f1.values()) / 3)
    assert scores["accuracy"] == pytest.approx(4 / 6)
    assert scores["confusion"]["labels"] == list(STANCES)
    matrix = scores["confusion"]["matrix"]
    row = {label: matrix[STANCES.index(label)] for label in STANCES}
    assert row["supportive"][STANCES.index("critical")] == 1
    assert row["none"][STANCES.index("supportive")] == 1
    assert sum(map(sum, matrix)) == len(gold)


def test_classification_scores_refuse_mismatched_input():
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        classification_scores(["none", "none"], ["none"], STANCES)
    with pytest.raises(ValueError, match="not in the label set"):
        classification_scores(["none"], ["angry"], STANCES)


def test_classification_scores_of_nothing_are_undefined_not_zero():
    scores = classification_scores([], [], STANCES)
    assert scores["n"] == 0 and scores["macro_f1"] is None


def test_span_scores_overlap_and_exact():
    gold = [[(0, 5), (10, 20)], [(3, 8)], []]
    pred = [[(0, 5), (12, 25)], [], [(0, 4)]]
    scores = span_scores(gold, pred)
    assert (scores["n_gold"], scores["n_predicted"]) == (3, 3)
    assert scores["overlap"]["matched"] == 2 and scores["exact"]["matched"] == 1
    assert scores["overlap"]["precision"] == pytest.approx(2 / 3)
    assert scores["overlap"]["recall"] == pytest.approx(2 / 3)
    assert scores["exact"]["f1"] == pytest.approx(1 / 3)


def test_span_matching_is_one_to_one_largest_overlap_first():
    # two predictions overlap one gold span: only one may count; the wider overlap is taken,
    # leaving the other prediction free for the second gold span it overlaps
    gold = [[{"start": 0, "end": 10}, {"start": 12, "end": 20}]]
    pred = [[{"start": 0, "end": 8}, {"start": 9, "end": 14}]]
    scores = span_scores(gold, pred)
    assert scores["overlap"]["matched"] == 2
    crowded = span_scores([[(0, 10)]], [[(0, 3), (4, 9)]])
    assert crowded["overlap"]["matched"] == 1 and crowded["overlap"]["precision"] == 0.5


def test_span_scores_with_no_spans_are_zero_and_do_not_divide_by_zero():
    scores = span_scores([[], []], [[], []])
    assert scores["overlap"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "matched": 0}


def test_implicit_holders_are_not_scored_as_spans():
    record = {"actors": [{"start": 0, "end": 30, "implicit_holder": True},
                         {"start": 2, "end": 7}]}
    assert scorable_actor_spans(record) == [(2, 7)]


def test_actor_names_are_compared_on_the_paired_spans_only():
    gold = [[{"start": 0, "end": 4, "actor": "William Ruto"},
             {"start": 10, "end": 17, "actor": None},
             {"start": 30, "end": 40, "actor": "Canada"}]]
    predicted = [[{"start": 0, "end": 4, "actor": "William Ruto"},      # same actor
                  {"start": 10, "end": 15, "actor": None},              # both outside the codebook
                  {"start": 20, "end": 25, "actor": "Canada"}]]         # pairs with no gold span
    assert actor_name_scores(gold, predicted) == {"matched": 2, "same_actor": 2, "accuracy": 1.0}
    predicted[0][1]["actor"] = "Haitian public"
    assert actor_name_scores(gold, predicted)["accuracy"] == 0.5
    assert actor_name_scores([[]], [[]])["accuracy"] == 0.0
