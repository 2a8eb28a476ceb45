"""Turn public stance/sentiment data sets into gold records (the toolkit's training format).

NewsMTSC (sentiment toward a person mention in news sentences): one line per (sentence, target).
Lines sharing a sentence become ONE gold record with one actor per distinct mention span; each
actor keeps its own label (1 → supportive, 0 → none, -1 → critical). The sentence sentiment is
the most frequent polarity among the record's actors (1 → positive, 0 → neutral, -1 →
negative); a tie is resolved to neutral, because tied labels mean the sentence is mixed or
balanced. Duplicate lines for the same span (the same mention resolved to two entity names)
count once.

PERSPECTRUM (perspective sentences for or against debate claims): the claim is the target
(`target` field); the record text is the perspective sentence. Its holder is the unnamed author,
who has no span in the text, so the actor span covers the whole sentence and is flagged
`"implicit_holder": true` (actor-span scoring leaves such spans out). SUPPORT → supportive,
UNDERMINE → critical (`stance_label_3`). With `five_way=True`, `stance_label_5` is used instead:
MILDLY_SUPPORT → supportive, MILDLY_UNDERMINE → wary (a weak proxy: it means weak opposition,
not caution or concern), and NO_MAJORITY_LABEL pairs are left out. The sentiment is derived from
the stance (supportive → positive, critical and wary → negative) and flagged
`"sentiment_derived": true`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from annotate.errors import InputError
from annotate.records import read_numbered_records, write_records
from annotate.schema import load_schema, record_problem

FORMATS = ("newsmtsc", "perspectrum")

# Read-only tables (no module-level mutable state).
NEWSMTSC_STANCE = MappingProxyType({1: "supportive", 0: "none", -1: "critical"})
NEWSMTSC_SENTIMENT = MappingProxyType({1: "positive", 0: "neutral", -1: "negative"})
PERSPECTRUM_STANCE_3 = MappingProxyType({"SUPPORT": "supportive", "UNDERMINE": "critical"})
PERSPECTRUM_STANCE_5 = MappingProxyType({
    "SUPPORT": "supportive", "MILDLY_SUPPORT": "supportive", "MILDLY_UNDERMINE": "wary",
    "UNDERMINE": "critical", "NO_MAJORITY_LABEL": None})
STANCE_TO_SENTIMENT = MappingProxyType({"supportive": "positive", "critical": "negative",
                                        "wary": "negative"})


@dataclass
class ConversionReport:
    """What a conversion read and wrote, for the CLI to print."""
    records_read: int = 0
    records_written: int = 0
    skipped: int = 0
    stance_counts: Counter = field(default_factory=Counter)
    sentiment_counts: Counter = field(default_factory=Counter)


def convert(fmt: str, source, output, *, limit: int | None = None,
            five_way: bool = False) -> ConversionReport:
    """Convert `source` (a NewsMTSC or PERSPECTRUM split) into gold records written to `output`.

    The whole input is checked before anything is written; bad input raises InputError naming
    the file and line, and `output` is left untouched.
    """
    if fmt not in FORMATS:
        raise InputError(source, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if five_way and fmt != "perspectrum":
        raise InputError(source, "--five-way applies to perspectrum only")
    if limit is not None and limit < 1:
        raise InputError(source, f"--limit must be at least 1, got {limit}")
    report = ConversionReport()
    if fmt == "newsmtsc":
        records = newsmtsc_records(source, report, limit=limit)
    else:
        records = perspectrum_records(source, report, limit=limit, five_way=five_way)
    check_gold(source, records)
    for record in records:
        report.sentiment_counts[record["sentiment"]] += 1
        report.stance_counts.update(actor["stance"] for actor in record["actors"])
    report.records_written = write_records(output, records)
    return report


def _numbered_lines(path, report: ConversionReport, limit: int | None) -> Iterator[tuple]:
    """(line number, JSON object) for each non-blank line, with file:line errors."""
    for number, record in read_numbered_records(path):
        if limit is not None and report.records_read >= limit:
            return
        report.records_read += 1
        yield number, record


def _field(path, number: int, record: dict, name: str, kind: type | tuple,
           check: Callable | None = None, expected: str = ""):
    if name not in record:
        raise InputError(path, f"missing field {name!r}", line=number)
    value = record[name]
    if isinstance(value, bool) or not isinstance(value, kind) or (check and not check(value)):
        raise InputError(path, f"field {name!r} must be {expected}, got {json.dumps(value)}",
                         line=number)
    return value


# -- NewsMTSC ------------------------------------------------------------------------------


def newsmtsc_records(path, report: ConversionReport, *,
                     limit: int | None = None) -> list[dict]:
    """Gold records from a NewsMTSC split, one per distinct sentence, in first-seen order."""
    groups: dict[str, dict] = {}
    for number, raw in _numbered_lines(path, report, limit):
        sentence = _field(path, number, raw, "sentence", str, lambda s: s.strip(),
                          "a non-empty string")
        mention = _field(path, number, raw, "mention", str, lambda s: s.strip(),
                         "a non-empty string")
        polarity = _field(path, number, raw, "polarity", int, lambda v: v in NEWSMTSC_STANCE,
                          "-1, 0 or 1")
        start = _field(path, number, raw, "from", int, lambda v: v >= 0, "an offset >= 0")
        end = _field(path, number, raw, "to", int, lambda v: v > start,
                     f"an offset greater than 'from' ({start})")
        source_id = _field(path, number, raw, "id", (str, int), None, "a string")
        if end > len(sentence):
            raise InputError(path, f"offsets {start}-{end} run past the end of the sentence "
                             f"({len(sentence)} characters)", line=number)
        if sentence[start:end] != mention:
            raise InputError(path, f"mention {mention!r} does not match the sentence at "
                             f"{start}-{end} ({sentence[start:end]!r})", line=number)
        group = groups.get(sentence)
        if group is None:
            group = groups[sentence] = {"sentence": sentence, "spans": {}, "ids": [], "lines": []}
        group["ids"].append(source_id)
        group["lines"].append(number)
        labels = group["spans"].setdefault((start, end), [])
        labels.append((polarity, number))
    return [_newsmtsc_record(path, group) for group in groups.values()]


def _newsmtsc_record(path, group: dict) -> dict:
    actors, polarities = [], []
    for (start, end), labels in sorted(group["spans"].items()):
        distinct = {polarity for polarity, _ in labels}
        if len(distinct) > 1:
            lines = ", ".join(str(n) for _, n in labels)
            raise InputError(path, f"the mention at {start}-{end} has conflicting polarities "
                             f"{sorted(distinct)} on lines {lines}", line=labels[-1][1])
        polarity = labels[0][0]
        polarities.append(polarity)
        actors.append({"start": start, "end": end, "text": group["sentence"][start:end],
                       "stance": NEWSMTSC_STANCE[polarity], "actor": None,
                       "source_polarity": polarity})
    counts = Counter(polarities).most_common()
    tied = len(counts) > 1 and counts[0][1] == counts[1][1]
    sentiment_polarity = 0 if tied else counts[0][0]
    digest = hashlib.sha1(group["sentence"].encode("utf-8")).hexdigest()[:12]
    return {
        "id": f"newsmtsc-{Path(path).stem}-{digest}",
        "text": group["sentence"],
        "actors": actors,
        "sentiment": NEWSMTSC_SENTIMENT[sentiment_polarity],
        "sentiment_derived": True,
        "source": "newsmtsc",
        "source_file": Path(path).name,
        "source_lines": group["lines"],
        "source_ids": group["ids"],
    }


# -- PERSPECTRUM ---------------------------------------------------------------------------


def perspectrum_records(path, report: ConversionReport, *, limit: int | None = None,
                        five_way: bool = False) -> list[dict]:
    """Gold records from a PERSPECTRUM split, one per (claim, perspective) pair."""
    label_field = "stance_label_5" if five_way else "stance_label_3"
    mapping = PERSPECTRUM_STANCE_5 if five_way else PERSPECTRUM_STANCE_3
    seen_ids: Counter = Counter()
    records = []
    for number, raw in _numbered_lines(path, report, limit):
        claim = _field(path, number, raw, "claim", str, lambda s: s.strip(), "a non-empty string")
        perspective = _field(path, number, raw, "perspective", str, lambda s: s.strip(),
                             "a non-empty string")
        claim_id = _field(path, number, raw, "cId", int, None, "an integer")
        perspective_id = _field(path, number, raw, "pId", int, None, "an integer")
        label = _field(path, number, raw, label_field, str, lambda v: v in mapping,
                       f"one of {', '.join(mapping)}")
        stance = mapping[label]
        if stance is None:  # NO_MAJORITY_LABEL: no usable 5-way label
            report.skipped += 1
            continue
        text = perspective.strip()  # the sentences carry stray trailing spaces
        base_id = f"perspectrum-{claim_id}-{perspective_id}"
        seen_ids[base_id] += 1  # a few perspectives sit in two clusters of the same claim
        record_id = base_id if seen_ids[base_id] == 1 else f"{base_id}-{seen_ids[base_id]}"
        record = {
            "id": record_id,
            "text": text,
            "target": claim.strip(),
            "actors": [{"start": 0, "end": len(text), "text": text, "stance": stance,
                        "actor": None, "implicit_holder": True}],
            "sentiment": STANCE_TO_SENTIMENT[stance],
            "sentiment_derived": True,
            "source": "perspectrum",
            "source_file": Path(path).name,
            "source_line": number,
            "source_label": label,
            "claim_id": claim_id,
            "perspective_id": perspective_id,
        }
        for key in ("claim_source", "perspective_source", "cluster"):
            if key in raw:
                record[key] = raw[key]
        records.append(record)
    return records


def check_gold(path, records: list[dict]) -> None:
    """Every converted record must fit the gold schema (a converter bug otherwise)."""
    stances, sentiments = load_schema().stances, load_schema().sentiments
    for record in records:
        problem = record_problem(record, "gold")
        if problem or record["sentiment"] not in sentiments or any(
                a["stance"] not in stances for a in record["actors"]):
            raise InputError(path, f"converted record {record['id']} is not valid gold: "
                             f"{problem or 'label outside the schema'}")
