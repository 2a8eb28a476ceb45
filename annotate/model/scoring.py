"""Scoring functions: label classification and actor-span detection. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
)


def classification_scores(gold_labels: Sequence[str], predicted_labels: Sequence[str],
                          labels: Sequence[str]) -> dict:
    """Per-class precision/recall/F1/support, macro F1, accuracy and a confusion matrix.

    The macro average runs over the classes present in the gold labels only: a class the gold
    file never uses would otherwise add a meaningless 0 (or 1) to the average. Every class of
    `labels` still gets its per-class row and a row/column in the confusion matrix.
    """
    gold, predicted = list(gold_labels), list(predicted_labels)
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    labels = list(labels)
    extra = sorted((set(gold) | set(predicted)) - set(labels))
    if extra:
        raise ValueError(f"labels {extra} are not in the label set {labels}")
    if not gold:
        return {"n": 0, "accuracy": None, "macro_f1": None, "macro_labels": [],
                "per_class": {label: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
                              for label in labels},
                "confusion": {"labels": labels, "matrix": [[0] * len(labels) for _ in labels]}}
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    present = [label for label in labels if label in set(gold)]
    macro_precision, macro_recall, macro_f1, _ = precision_recall_fscore_support(
        gold, predicted, labels=present, average="macro", zero_division=0)
    matrix = confusion_matrix(gold, predicted, labels=labels)
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_precision": float(macro_precision),
        "macro_recall": float(macro_recall),
        "macro_f1": float(macro_f1),
        "macro_labels": present,
        "per_class": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f),
                    "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
        # rows are gold labels, columns predictions (sklearn's convention)
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
    }


def _span(span) -> tuple[int, int]:
    if isinstance(span, dict):
        return int(span["start"]), int(span["end"])
    start, end = span
    return int(start), int(end)


def _greedy_matches(gold: list[tuple[int, int]], predicted: list[tuple[int, int]],
                    exact: bool) -> int:
    """How many one-to-one pairs match, greedily taking the largest overlaps first."""
    return len(_greedy_pairs(gold, predicted, exact))


def _greedy_pairs(gold: list[tuple[int, int]], predicted: list[tuple[int, int]],
                  exact: bool) -> list[tuple[int, int]]:
    """The one-to-one (gold index, predicted index) pairs, largest overlaps first."""
    candidates = []
    for g, (gs, ge) in enumerate(gold):
        for p, (ps, pe) in enumerate(predicted):
            if exact:
                if (gs, ge) == (ps, pe):
                    candidates.append((ge - gs, g, p))
            else:
                overlap = min(ge, pe) - max(gs, ps)
                if overlap > 0:
                    candidates.append((overlap, g, p))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_gold, used_pred, pairs = set(), set(), []
    for _, g, p in candidates:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return pairs


def _prf(matched: int, n_gold: int, n_predicted: int) -> dict:
    precision = matched / n_predicted if n_predicted else 0.0
    recall = matched / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "matched": matched}


def span_scores(gold_spans_per_sentence: Iterable[Sequence],
                predicted_spans_per_sentence: Iterable[Sequence]) -> dict:
    """Precision/recall/F1 of predicted actor spans against gold spans, sentence by sentence.

    Spans are `(start, end)` pairs or dicts with "start"/"end". Overlap matching: a predicted span
    matches a gold span of the same sentence when they share at least one character, one-to-one,
    largest overlaps paired first. Exact matching: same start and end.
    """
    gold_lists = [[_span(s) for s in spans] for spans in gold_spans_per_sentence]
    pred_lists = [[_span(s) for s in spans] for spans in predicted_spans_per_sentence]
    if len(gold_lists) != len(pred_lists):
        raise ValueError(f"{len(gold_lists)} gold sentences but {len(pred_lists)} predicted")
    n_gold = sum(len(spans) for spans in gold_lists)
    n_pred = sum(len(spans) for spans in pred_lists)
    overlap = sum(_greedy_matches(g, p, exact=False) for g, p in zip(gold_lists, pred_lists))
    exact = sum(_greedy_matches(g, p, exact=True) for g, p in zip(gold_lists, pred_lists))
    return {"n_sentences": len(gold_lists), "n_gold": n_gold, "n_predicted": n_pred,
            "overlap": _prf(overlap, n_gold, n_pred), "exact": _prf(exact, n_gold, n_pred)}


def actor_name_scores(gold_actors_per_sentence: Iterable[Sequence[dict]],
                      predicted_actors_per_sentence: Iterable[Sequence[dict]]) -> dict:
    """How often a predicted span that overlaps a gold span (paired as in `span_scores`) names
    the same canonical actor (both null counts as the same: a holder outside the codebook)."""
    matched = same = 0
    for gold, predicted in zip(gold_actors_per_sentence, predicted_actors_per_sentence):
        pairs = _greedy_pairs([_span(a) for a in gold], [_span(a) for a in predicted], False)
        matched += len(pairs)
        same += sum(gold[g].get("actor") == predicted[p].get("actor") for g, p in pairs)
    return {"matched": matched, "same_actor": same,
            "accuracy": same / matched if matched else 0.0}


def scorable_actor_spans(record: dict) -> list[tuple[int, int]]:
    """The gold actor spans of a record that a span detector can be scored on.

    Spans flagged `implicit_holder` (converted PERSPECTRUM records, whose holder is the unnamed
    author and whose span is the whole sentence) have no text to detect and are left out.
    """
    return [(a["start"], a["end"]) for a in record.get("actors", [])
            if not a.get("implicit_holder")]
