"""Pre-labelling: actor spans, each actor's stance with its probability, the sentence sentiment.

Records stream through in batches (constant memory): per batch the actor detector runs per
sentence, then one vectorised stance prediction covers every span of the batch and one
sentiment prediction every sentence. With `jobs > 1` batches go to worker processes, at most
a few in flight, and come back in input order (`jobs=None`: as many as pay, see `default_jobs`).
"""

from __future__ import annotations

import itertools
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotate.errors import OptionError
from annotate.workers import default_jobs, worker_context

if TYPE_CHECKING:  # the model stack (scikit-learn, TextBlob) loads only when a model does
    from annotate.codebook import Codebook
    from annotate.model.store import Model

BATCH_SIZE = 512
# Sentences longer than this are pre-labelled on their first part only (cut at a space): the
# stance features of each actor span look at the whole sentence, so work grows with spans x length.
# Real sentences are far shorter (the longest of the haiti-mss corpus has ~400 characters); a
# longer one is a split that went wrong or a pasted table, and must not stall a whole run.
MAX_PRELABEL_CHARS = 5000


def prelabel_part(text: str, limit: int = MAX_PRELABEL_CHARS) -> str:
    """The part of `text` that is pre-labelled: all of it, or its first `limit` characters cut
    back to the last whitespace (so no word is cut)."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(" ", 0, limit + 1), text.rfind("\n", 0, limit + 1))
    return text[:cut if cut > limit // 2 else limit]


class Prelabeler:
    """Pre-label sentence records with a loaded model (and its codebook unless one is given)."""

    def __init__(self, model: Model, codebook: Codebook | None = None):
        from annotate.model.actors import ActorDetector

        self.model = model
        self.detector = ActorDetector(codebook if codebook is not None else model.codebook)

    @classmethod
    def load(cls, model_dir=None, codebook_path=None) -> Prelabeler:
        """The model in `model_dir` (the shipped one if None), with another codebook if given."""
        from annotate.codebook import Codebook
        from annotate.model.store import load_model

        codebook = Codebook.load(codebook_path) if codebook_path is not None else None
        return cls(load_model(model_dir), codebook)

    def label_batch(self, records: list[dict]) -> list[dict]:
        from annotate.model.features import polarity_subjectivity

        texts = [prelabel_part(record["text"]) for record in records]
        # the previous sentence is context for pronouns: bounded the same way
        detected: dict[str, list[dict]] = {}  # a sentence is the previous one of the next
        spans = [self.detector.detect_in_context(text, prelabel_part(record.get("prev_text") or ""),
                                                 detected)
                 for text, record in zip(texts, records)]
        items = [(text, span["start"], span["end"])
                 for text, found in zip(texts, spans) for span in found]
        stance_classes = [str(label) for label in self.model.stance.classes_]
        proba, tone_memo = None, {}
        if items:
            proba = self.model.stance.predict_proba(items, tone_memo=tone_memo).round(4)
            best = proba.argmax(axis=1)
        tone = polarity_subjectivity(texts, tone_memo)
        sentiment = self.model.sentiment
        sentiments, sentiment_scores, distribution = sentiment.predict_with_distribution(tone,
                                                                                       texts)
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
            if len(texts[row]) < len(record["text"]):
                labelled["prelabelled_chars"] = len(texts[row])  # the rest was not looked at
            out.append(labelled)
        return out


@dataclass
class PrelabelStats:
    sentences: int = 0
    actors: int = 0
    model_version: str = ""
    truncated: int = 0  # sentences longer than MAX_PRELABEL_CHARS: only their first part labelled


def batches(records: Iterable[dict], size: int = BATCH_SIZE) -> Iterator[list[dict]]:
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# The Prelabeler of a worker process, set once by `_start_worker` when the pool starts it: each
# pool belongs to one `prelabel_records` call, so a worker never sees another call's model.
_worker_state: dict = {}


def _start_worker(prelabeler: Prelabeler) -> None:
    # Pool.terminate() ends workers with SIGTERM; a handler inherited from the command (which
    # turns SIGTERM into an exception) runs only between bytecodes, so a worker blocked on the
    # pool's queue never ran it and the pool waited for it forever: the default action here
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # One BLAS thread per worker: the accurate tier's encoder multiplies matrices, and workers
    # that each start a thread per core fight for the cores (2 workers on 2 cores ran 2.7x
    # slower than one process; BENCHMARKS.md, "Pre-label quality", fifth round).
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    _worker_state["prelabeler"] = prelabeler


def _label_in_worker(batch: list[dict]) -> list[dict]:
    return _worker_state["prelabeler"].label_batch(batch)


def _ordered_parallel(prelabeler: Prelabeler, batches_in: Iterator[list[dict]],
                      jobs: int) -> Iterator[list[dict]]:
    """Label batches on `jobs` processes, yielding results in input order with at most 2*jobs
    batches in flight (Pool.imap would read the whole input ahead and grow memory)."""
    # spawn (a process with threads) pickles the loaded model once per worker
    with worker_context().Pool(jobs, initializer=_start_worker, initargs=(prelabeler,)) as pool:
        pending: deque = deque()
        for batch in batches_in:
            pending.append(pool.apply_async(_label_in_worker, (batch,)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def prelabel_records(records: Iterable[dict], model_dir=None, *, codebook_path=None,
                     jobs: int | None = 1, batch_size: int = BATCH_SIZE,
                     prelabeler: Prelabeler | None = None) -> Iterator[dict]:
    """Pre-labelled records in input order, streamed.

    `jobs=None` chooses: one process for input of a single batch (workers would cost more than
    they save), else `default_jobs()`. The model is loaded from `model_dir` on every call (so a
    model retrained into the same directory is the one used), unless a loaded `prelabeler` is
    given.
    """
    if jobs is not None and jobs < 1:
        raise OptionError("--jobs", f"must be at least 1, got {jobs}")
    if batch_size < 1:
        raise OptionError("--batch-size", f"must be at least 1, got {batch_size}")
    if prelabeler is None:
        # loaded here, before any worker starts, so a bad model or codebook fails at once
        prelabeler = Prelabeler.load(model_dir, codebook_path)
    chunks = batches(records, batch_size)
    if jobs is None:
        opening = list(itertools.islice(chunks, 2))
        jobs = default_jobs() if len(opening) == 2 else 1
        chunks = itertools.chain(opening, chunks)
    if jobs == 1:
        for batch in chunks:
            yield from prelabeler.label_batch(batch)
        return
    for labelled in _ordered_parallel(prelabeler, chunks, jobs):
        yield from labelled


def prelabel_file(source, output, model_dir=None, *, codebook_path=None, jobs: int | None = 1,
                  batch_size: int = BATCH_SIZE) -> PrelabelStats:
    """Pre-label a sentence JSONL file into a prediction JSONL file (atomic: all or nothing)."""
    from annotate.records import read_unique_records, write_records

    prelabeler = Prelabeler.load(model_dir, codebook_path)
    stats = PrelabelStats(model_version=prelabeler.model.model_version)

    def counted(records):
        for record in records:
            stats.sentences += 1
            stats.actors += len(record["actors"])
            stats.truncated += "prelabelled_chars" in record
            yield record

    labelled = prelabel_records(read_unique_records(source, "sentence"), jobs=jobs,
                                batch_size=batch_size, prelabeler=prelabeler)
    write_records(output, counted(labelled))
    return stats
