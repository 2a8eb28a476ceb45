"""Adjudication: one gold record per sentence from several annotators' records.

Rules (per sentence, with n annotators):

- **sentiment**: the label most annotators chose, when exactly one label has the most votes.
- **actor spans** are matched across annotators by overlap (`agreement.match_spans`). A matched span
  is kept when more than half of the sentence's annotators marked it and dropped when fewer than half
  did; exactly half is a tie. Its **stance** is the label most of those who marked it chose.
  Its boundaries are the offsets most of them chose; on a tie, the part the tied spans share.
- Any tie (sentiment, stance, or whether a span is an actor at all) makes the sentence a *conflict*.

Conflicted sentences are held back from the adjudicated file — a half-decided record would teach
`annotate train` a wrong label — and listed, with every annotator's labels, in the conflicts file,
so that no sentence is silently dropped: each input sentence is in exactly one of the two files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from annotate.quality.agreement import (
    Sentence,
    Unit,
    edited_by_another,
    group_by_sentence,
    match_spans,
)
from annotate.records import atomic_output, read_records

# Fields that belong to one annotator's annotation, not to the adjudicated sentence.
PER_ANNOTATION_FIELDS = frozenset({"annotator", "annotation_id", "created_at", "updated_at",
                                   "lead_time", "completed_by"})


@dataclass
class Adjudication:
    records: list[dict] = field(default_factory=list)    # valid gold records, one per sentence
    conflicts: list[dict] = field(default_factory=list)  # one per held-back sentence
    counts: Counter = field(default_factory=Counter)     # single / unanimous / majority / conflict
    superseded: int = 0


def _winner(votes: dict[str, list[str]]) -> str | None:
    """The label with strictly the most votes, or None on a tie."""
    ranked = sorted(votes.items(), key=lambda kv: -len(kv[1]))
    if len(ranked) > 1 and len(ranked[0][1]) == len(ranked[1][1]):
        return None
    return ranked[0][0]


def _votes(pairs) -> dict[str, list[str]]:
    votes: dict[str, list[str]] = {}
    for annotator, label in pairs:
        votes.setdefault(label, []).append(annotator)
    return votes


def _boundaries(text: str, spans: dict[str, dict]) -> tuple[int, int]:
    """The offsets most annotators chose; on a tie the part the tied spans share (else the shortest)."""
    votes = Counter((s["start"], s["end"]) for s in spans.values())
    best = max(votes.values())
    tied = sorted(offsets for offsets, n in votes.items() if n == best)
    if len(tied) == 1:
        return tied[0]
    start, end = max(s for s, _ in tied), min(e for _, e in tied)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if start < end:
        return start, end
    return min(tied, key=lambda o: (o[1] - o[0], o))


def _span_ref(unit: Unit) -> dict:
    first = min(unit.spans.values(), key=lambda s: (s["start"], s["end"]))
    return {"start": first["start"], "end": first["end"], "text": first["text"]}


def _adjudicate_unit(unit: Unit, annotators: list[str], text: str):
    """(actor span or None, conflict or None) for one matched span."""
    marked = sorted(unit.spans)
    if 2 * len(marked) == len(annotators) and len(annotators) > 1:
        return None, {"kind": "span", "span": _span_ref(unit), "marked_by": marked,
                      "not_marked_by": [a for a in annotators if a not in unit.spans]}
    if 2 * len(marked) < len(annotators):
        return None, None  # most annotators say this is no actor
    stance_votes = _votes((a, unit.spans[a]["stance"]) for a in marked)
    stance = _winner(stance_votes)
    if stance is None:
        return None, {"kind": "stance", "span": _span_ref(unit), "votes": stance_votes}
    start, end = _boundaries(text, unit.spans)
    actor = {"start": start, "end": end, "text": text[start:end], "stance": stance}
    names = Counter(unit.spans[a].get("actor") for a in marked if unit.spans[a].get("actor"))
    if names:
        actor["actor"] = names.most_common(1)[0][0]
    return actor, None


def adjudicate_sentence(sentence: Sentence) -> tuple[dict | None, dict | None, str]:
    """(adjudicated gold record, conflict record, method) for one sentence; one of the two is None."""
    annotators = sentence.annotators
    records = [sentence.by_annotator[a] for a in annotators]
    conflicts = []
    sentiment_votes = _votes((a, sentence.by_annotator[a]["sentiment"]) for a in annotators)
    sentiment = _winner(sentiment_votes)
    if sentiment is None:
        conflicts.append({"kind": "sentiment", "votes": sentiment_votes})
    actors = []
    for unit in match_spans(sentence):
        actor, conflict = _adjudicate_unit(unit, annotators, sentence.text)
        if conflict:
            conflicts.append(conflict)
        elif actor:
            actors.append(actor)
    base = {k: v for k, v in records[0].items() if k not in PER_ANNOTATION_FIELDS}
    if sentence.doc_id and "doc_id" not in base:
        base["doc_id"] = sentence.doc_id
    if conflicts:
        annotations = [{"annotator": a, **{k: sentence.by_annotator[a][k] for k in
                                           ("actors", "sentiment", "annotation_id")
                                           if k in sentence.by_annotator[a]}} for a in annotators]
        conflict = {k: base[k] for k in ("id", "text", "doc_id") if k in base}
        return None, {**conflict, "conflicts": conflicts, "annotations": annotations}, "conflict"
    unanimous = all(r["sentiment"] == sentiment and _spans(r) == _spans_of(actors) for r in records)
    method = "single" if len(records) == 1 else "unanimous" if unanimous else "majority"
    actors.sort(key=lambda s: (s["start"], s["end"]))
    return {**base, "actors": actors, "sentiment": sentiment, "annotators": annotators,
            "adjudication": method}, None, method


def _spans(record: dict) -> set:
    return _spans_of(record["actors"])


def _spans_of(actors: list[dict]) -> set:
    return {(a["start"], a["end"], a["stance"]) for a in actors}


def adjudicate(records, path="gold") -> Adjudication:
    """Adjudicate gold records (several annotators per sentence) into one record per sentence.

    A record another annotator saved last (`updated_by`) holds that editor's labels: it votes as
    the editor's, so it never counts as a second, independent vote of its author (if the editor
    also labelled the sentence, their most recent labels count, as for any repeat)."""
    records = [{**r, "annotator": r["updated_by"]} if edited_by_another(r) else r for r in records]
    sentences, superseded = group_by_sentence(records, path)
    result = Adjudication(superseded=superseded)
    for sentence in sentences:
        record, conflict, method = adjudicate_sentence(sentence)
        result.counts[method] += 1
        if record is not None:
            result.records.append(record)
        else:
            result.conflicts.append(conflict)
    return result


def default_conflicts_path(output) -> Path:
    """OUTPUT with .conflicts.jsonl in place of .jsonl (or appended)."""
    path = Path(output)
    stem = path.name[:-len(".jsonl")] if path.name.endswith(".jsonl") else path.name
    return path.with_name(f"{stem}.conflicts.jsonl")


def adjudicate_file(gold, output, conflicts_path=None) -> Adjudication:
    """Adjudicate a gold JSONL file into OUTPUT and the conflicts file (both or neither written)."""
    import jsonlines

    result = adjudicate(read_records(gold, "gold"), path=gold)
    conflicts_path = conflicts_path or default_conflicts_path(output)
    with atomic_output(output) as out, atomic_output(conflicts_path) as conflicts_out:
        jsonlines.Writer(out, compact=True).write_all(result.records)
        jsonlines.Writer(conflicts_out, compact=True).write_all(result.conflicts)
    return result


def describe_conflict(conflict: dict, *, with_annotators: bool = True) -> str:
    """What a conflict record is in conflict about, in one line: with who voted what (the
    summary on stderr), or in a few words (a review task's column in Label Studio)."""
    parts = []
    for c in conflict["conflicts"]:
        if c["kind"] == "span":
            parts.append(f"actor {c['span']['text']!r} marked by {', '.join(c['marked_by'])}, "
                         f"not by {', '.join(c['not_marked_by'])}" if with_annotators
                         else f"is {c['span']['text']!r} an actor?")
            continue
        where = "sentiment" if c["kind"] == "sentiment" else f"stance of {c['span']['text']!r}"
        votes = ("; ".join(f"{label} ({', '.join(who)})" for label, who in c["votes"].items())
                 if with_annotators else " vs ".join(c["votes"]))
        parts.append(f"{where}: {votes}")
    return f"{conflict['id']}: " + " | ".join(parts) if with_annotators else "; ".join(parts)
