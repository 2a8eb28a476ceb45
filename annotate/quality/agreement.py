"""Inter-annotator agreement on pulled gold: alpha, pairwise kappa, span F1, confusion tables.

Gold pulled from Label Studio has one record per sentence per annotator. Sentences labelled by two
or more annotators are compared:

- **sentiment**: one value per annotator per sentence.
- **actor spans** are matched across annotators by character overlap (see `match_spans`); a group
  of matched spans, at most one per annotator, is a *unit*.
- **stance** is compared on units. An annotator who labelled the sentence but marked no span in a
  unit has a *missing* value there, not a disagreeing one: stance alpha and kappa measure whether
  annotators agree on the stance of an actor they both marked. Whether they mark the same actors is
  measured separately (span F1), and `stance_alpha_absent_as_label` gives the strict combined
  figure in which "no span" is a label of its own.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections import Counter
from dataclasses import dataclass, field

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from annotate.errors import InputError
from annotate.schema import load_schema

NO_SPAN = "(no span)"


@dataclass
class Sentence:
    """All annotations of one sentence: annotator -> gold record."""

    id: str
    text: str
    doc_id: str | None = None
    by_annotator: dict[str, dict] = field(default_factory=dict)

    @property
    def annotators(self) -> list[str]:
        return sorted(self.by_annotator)


@dataclass
class Unit:
    """Matched actor spans of one sentence, at most one per annotator."""

    sentence: Sentence
    spans: dict[str, dict]  # annotator -> actor span of the gold record


def group_by_sentence(records, path="gold") -> tuple[list[Sentence], int]:
    """Group records by sentence id, in first-seen order.

    Returns the sentences and how many repeated annotations (the same annotator twice on one
    sentence) were superseded: the most recently updated one is kept.
    """
    sentences: dict[str, Sentence] = {}
    superseded = 0
    anonymous = Counter()
    for record in records:
        sentence = sentences.get(record["id"])
        if sentence is None:
            sentence = sentences[record["id"]] = Sentence(record["id"], record["text"],
                                                          record.get("doc_id"))
        elif sentence.text != record["text"]:
            raise InputError(path, f"sentence {record['id']!r} appears with two different texts; "
                             "records of one sentence must share its text")
        annotator = record.get("annotator")
        if not annotator:
            anonymous[record["id"]] += 1
            annotator = f"(anonymous {anonymous[record['id']]})"
        sentence.doc_id = sentence.doc_id or record.get("doc_id")
        previous = sentence.by_annotator.get(annotator)
        if previous is not None:
            superseded += 1
            if _timestamp(previous) > _timestamp(record):
                continue
        sentence.by_annotator[annotator] = record
    for sentence_id, count in anonymous.items():
        if len(sentences[sentence_id].by_annotator) > 1:
            raise InputError(path, f"sentence {sentence_id!r} has {len(sentences[sentence_id].by_annotator)} "
                             f"records but {count} without an 'annotator'; agreement and adjudication "
                             "need the annotator of each record (as `annotate export pull` writes)")
    return list(sentences.values()), superseded


def _timestamp(record) -> str:
    return str(record.get("updated_at") or record.get("created_at") or "")


def overlap(a: dict, b: dict) -> float:
    """Jaccard overlap of two character spans (0 when they do not overlap)."""
    inter = min(a["end"], b["end"]) - max(a["start"], b["start"])
    if inter <= 0:
        return 0.0
    return inter / (max(a["end"], b["end"]) - min(a["start"], b["start"]))


def match_spans(sentence: Sentence) -> list[Unit]:
    """Group the actor spans of a sentence's annotators into units.

    Greedy agglomeration: every span starts as its own group; candidate pairs of overlapping spans
    from different annotators are merged best overlap first, as long as the merged group still has
    at most one span per annotator. Deterministic: ties follow annotator name and span position.
    """
    spans = [(annotator, i, actor) for annotator in sentence.annotators
             for i, actor in enumerate(sentence.by_annotator[annotator]["actors"])]
    group_of = list(range(len(spans)))
    members = {i: {i} for i in range(len(spans))}
    candidates = sorted(
        ((overlap(a[2], b[2]), i, j) for (i, a), (j, b) in itertools.combinations(enumerate(spans), 2)
         if a[0] != b[0] and overlap(a[2], b[2]) > 0),
        key=lambda c: (-c[0], c[1], c[2]))
    for _, i, j in candidates:
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        annotators_i = {spans[k][0] for k in members[gi]}
        if any(spans[k][0] in annotators_i for k in members[gj]):
            continue
        for k in members.pop(gj):
            group_of[k] = gi
            members[gi].add(k)
    units = [Unit(sentence, {spans[k][0]: spans[k][2] for k in sorted(group)})
             for group in members.values()]
    return sorted(units, key=lambda u: min((s["start"], s["end"]) for s in u.spans.values()))


def _alpha(rows: list[list[str | None]], domain: list[str]) -> dict:
    """Nominal Krippendorff's alpha with the `krippendorff` package; None when undefined."""
    pairable = [unit for unit in zip(*rows) if sum(v is not None for v in unit) >= 2] if rows else []
    values = {v for unit in pairable for v in unit if v is not None}
    result = {"units": len(pairable), "values": sum(sum(v is not None for v in u) for u in pairable)}
    if not pairable:
        return {**result, "alpha": None, "note": "no unit has values from two annotators"}
    if len(values) < 2:
        return {**result, "alpha": None,
                "note": f"every value is {next(iter(values))!r}: alpha is undefined (no variation)"}
    index = {label: i for i, label in enumerate(domain)}
    data = np.array([[np.nan if v is None else index[v] for v in row] for row in rows], dtype=float)
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                               value_domain=list(range(len(domain))))
    return {**result, "alpha": round(float(alpha), 4)}


def _kappa(a: list[str], b: list[str], labels: list[str]) -> float | None:
    if not a:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined kappa (one label only) is reported as None
        kappa = cohen_kappa_score(a, b, labels=labels)
    return None if math.isnan(kappa) else round(float(kappa), 4)


def _confusion(pairs, labels: list[str]) -> dict[str, dict[str, int]]:
    counts = Counter(pairs)
    return {x: {y: counts[(x, y)] for y in labels} for x in labels}


def edited_by_another(record: dict) -> bool:
    """A record whose annotation someone other than its annotator saved last (pull writes
    `updated_by`): its labels are partly another person's, not an independent judgement."""
    return bool(record.get("updated_by")) and record.get("updated_by") != record.get("annotator")


def agreement(records, path="gold") -> dict:
    """Agreement figures for gold records (several annotators per sentence). JSON-serialisable.

    Records edited by another annotator (`edited_by_another`) are left out and counted."""
    schema = load_schema()
    records = list(records)
    independent = [r for r in records if not edited_by_another(r)]
    all_sentences, superseded = group_by_sentence(independent, path)
    shared = [s for s in all_sentences if len(s.by_annotator) >= 2]
    annotators = sorted({a for s in all_sentences for a in s.by_annotator})
    units = [unit for s in shared for unit in match_spans(s)]

    sentiment_rows = [[s.by_annotator[a]["sentiment"] if a in s.by_annotator else None
                       for s in shared] for a in annotators]
    stance_rows = [[u.spans[a]["stance"] if a in u.spans else None for u in units]
                   for a in annotators]
    absent_rows = [[u.spans[a]["stance"] if a in u.spans
                    else NO_SPAN if a in u.sentence.by_annotator else None for u in units]
                   for a in annotators]
    result = {
        "sentences": len(all_sentences),
        "sentences_multiply_annotated": len(shared),
        "annotators": annotators,
        "superseded_annotations": superseded,
        "left_out_edited_by_another": len(records) - len(independent),
        "span_units": len(units),
        "sentiment_alpha": _alpha(sentiment_rows, list(schema.sentiments)),
        "stance_alpha": _alpha(stance_rows, list(schema.stances)),
        "stance_alpha_absent_as_label": _alpha(absent_rows, [*schema.stances, NO_SPAN]),
        "pairs": [_pair(a, b, shared, units, schema) for a, b in itertools.combinations(annotators, 2)],
    }
    result["pairs"] = [p for p in result["pairs"] if p["sentences"]]
    result["span_f1"] = _pooled_f1(result["pairs"], "span_f1")
    result["span_exact_f1"] = _pooled_f1(result["pairs"], "span_exact_f1")
    result["disagreements"] = _disagreements(result["pairs"])
    return result


def _pair(a: str, b: str, shared: list[Sentence], units: list[Unit], schema) -> dict:
    both = [s for s in shared if a in s.by_annotator and b in s.by_annotator]
    ids = {s.id for s in both}
    pair_units = [u for u in units if u.sentence.id in ids and (a in u.spans or b in u.spans)]
    matched = [u for u in pair_units if a in u.spans and b in u.spans]
    exact = [u for u in matched
             if (u.spans[a]["start"], u.spans[a]["end"]) == (u.spans[b]["start"], u.spans[b]["end"])]
    spans_a = sum(len(s.by_annotator[a]["actors"]) for s in both)
    spans_b = sum(len(s.by_annotator[b]["actors"]) for s in both)
    sent_a = [s.by_annotator[a]["sentiment"] for s in both]
    sent_b = [s.by_annotator[b]["sentiment"] for s in both]
    stance_a = [u.spans[a]["stance"] for u in matched]
    stance_b = [u.spans[b]["stance"] for u in matched]
    stance_labels = [*schema.stances, NO_SPAN]
    stance_pairs = [(u.spans[a]["stance"] if a in u.spans else NO_SPAN,
                     u.spans[b]["stance"] if b in u.spans else NO_SPAN) for u in pair_units]

    def f1(count):
        return round(2 * count / (spans_a + spans_b), 4) if spans_a + spans_b else None

    return {
        "a": a, "b": b, "sentences": len(both),
        "sentiment_kappa": _kappa(sent_a, sent_b, list(schema.sentiments)),
        "sentiment_agreement": round(sum(x == y for x, y in zip(sent_a, sent_b)) / len(both), 4)
        if both else None,
        "stance_kappa": _kappa(stance_a, stance_b, list(schema.stances)),
        "stance_items": len(matched),
        "spans_a": spans_a, "spans_b": spans_b, "spans_matched": len(matched),
        "spans_exact": len(exact),
        "span_f1": f1(len(matched)), "span_exact_f1": f1(len(exact)),
        "sentiment_confusion": _confusion(zip(sent_a, sent_b), list(schema.sentiments)),
        "stance_confusion": _confusion(stance_pairs, stance_labels),
    }


def _pooled_f1(pairs: list[dict], key: str) -> float | None:
    """Span F1 pooled over all pairs: 2 * matched / (spans of a + spans of b), summed."""
    matched = sum(p["spans_matched" if key == "span_f1" else "spans_exact"] for p in pairs)
    total = sum(p["spans_a"] + p["spans_b"] for p in pairs)
    return round(2 * matched / total, 4) if total else None


def _disagreements(pairs: list[dict]) -> dict[str, list[dict]]:
    """The most frequent label disagreements over all pairs, regardless of which side said which."""
    out = {}
    for kind in ("sentiment", "stance"):
        counts = Counter()
        for pair in pairs:
            for x, row in pair[f"{kind}_confusion"].items():
                for y, n in row.items():
                    if x != y and n:
                        counts[tuple(sorted((x, y)))] += n
        out[kind] = [{"labels": list(k), "count": n}
                     for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return out
