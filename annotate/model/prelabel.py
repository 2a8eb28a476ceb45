"""Pre-labelling: actor spans, each actor's stance with its probability, the sentence sentiment.

Records stream through in batches (constant memory): per batch the actor detector runs per
sentence, then one vectorised stance prediction covers every span of the batch and one
sentiment prediction every sentence. With `jobs > 1` batches go to worker processes, at most
a few in flight, and come back in input order.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from annotate.codebook import Codebook
from annotate.errors import InputError
from annotate.model.actors import ActorDetector
from annotate.model.features import polarity_subjectivity
from annotate.model.store import Model, load_model
from annotate.records import read_records, write_records

BATCH_SIZE = 512


class Prelabeler:
    """Pre-label sentence records with a loaded model (and its codebook unless one is given)."""

    def __init__(self, model: Model, codebook: Codebook | None = None):
        self.model = model
        self.detector = ActorDetector(codebook if codebook is not None else model.codebook)

    def label_batch(self, records: list[dict]) -> list[dict]:
        texts = [record["text"] for record in records]
        spans = [self.detector.detect(text) for text in texts]
        items = [(text, span["start"], span["end"])
                 for text, found in zip(texts, spans) for span in found]
        stance_classes = [str(label) for label in self.model.stance.classes_]
        proba, tone_memo = None, {}
        if items:
            proba = self.model.stance.predict_proba(items, tone_memo=tone_memo).round(4)
            best = proba.argmax(axis=1)
        tone = polarity_subjectivity(texts, tone_memo)
        sentiment = self.model.sentiment
        sentiments, sentiment_scores = sentiment.predict_scores(tone, texts)
        distribution = sentiment.label_distribution(tone, texts)
        sentiment_classes = [str(label) for label in sentiment.classes_]
        out, position = [], 0
        for row, (record, found) in enumerate(zip(records, spans)):
            actors = []
            for span in found:
                p = proba[position].tolist()
                actors.append({**span, "stance": stance_classes[best[position]],
                               "score": p[best[position]],
                               "scores": dict(zip(stance_classes, p))})
                position += 1
            labelled = {**record, "actors": actors, "sentiment": str(sentiments[row]),
                        "sentiment_score": round(float(sentiment_scores[row]), 4),
                        "model_version": self.model.model_version}
            if distribution is not None:
                labelled["sentiment_scores"] = dict(zip(sentiment_classes,
                                                        distribution[row].round(4).tolist()))
            out.append(labelled)
        return out


@dataclass
class PrelabelStats:
    sentences: int = 0
    actors: int = 0
    model_version: str = ""


def batches(records: Iterable[dict], size: int = BATCH_SIZE) -> Iterator[list[dict]]:
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@functools.cache
def _worker_prelabeler(model_dir: str | None, codebook_path: str | None) -> Prelabeler:
    """One Prelabeler per worker process, loaded on its first batch and reused after."""
    codebook = Codebook.load(codebook_path) if codebook_path else None
    return Prelabeler(load_model(model_dir), codebook)


def _label_in_worker(task) -> list[dict]:
    model_dir, codebook_path, batch = task
    return _worker_prelabeler(model_dir, codebook_path).label_batch(batch)


def _ordered_parallel(tasks: Iterator, jobs: int) -> Iterator[list[dict]]:
    """Run tasks on `jobs` processes, yielding results in input order with at most 2*jobs
    batches in flight (Pool.imap would read the whole input ahead and grow memory)."""
    context = multiprocessing.get_context("fork" if "fork" in
                                          multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(jobs) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.apply_async(_label_in_worker, (task,)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def prelabel_records(records: Iterable[dict], model_dir=None, *, codebook_path=None,
                     jobs: int = 1, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Pre-labelled records in input order, streamed."""
    if jobs < 1:
        raise InputError("--jobs", f"must be at least 1, got {jobs}")
    model_dir = str(model_dir) if model_dir is not None else None
    codebook_path = str(codebook_path) if codebook_path is not None else None
    # load in this process too: a bad model or codebook fails before any worker starts
    prelabeler = _worker_prelabeler(model_dir, codebook_path)
    if jobs == 1:
        for batch in batches(records, batch_size):
            yield from prelabeler.label_batch(batch)
        return
    tasks = ((model_dir, codebook_path, batch) for batch in batches(records, batch_size))
    for labelled in _ordered_parallel(tasks, jobs):
        yield from labelled


def prelabel_file(source, output, model_dir=None, *, codebook_path=None, jobs: int = 1,
                  batch_size: int = BATCH_SIZE) -> PrelabelStats:
    """Pre-label a sentence JSONL file into a prediction JSONL file (atomic: all or nothing)."""
    stats = PrelabelStats(model_version=_worker_prelabeler(
        str(model_dir) if model_dir is not None else None,
        str(codebook_path) if codebook_path is not None else None).model.model_version)

    def counted(records):
        for record in records:
            stats.sentences += 1
            stats.actors += len(record["actors"])
            yield record

    labelled = prelabel_records(read_records(source, "sentence"), model_dir,
                                codebook_path=codebook_path, jobs=jobs, batch_size=batch_size)
    write_records(output, counted(labelled))
    return stats
