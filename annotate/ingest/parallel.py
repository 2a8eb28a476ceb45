"""`annotate split` to a file, fast: sentence lines written straight as JSON, the splitting spread
over processes when the input is large.

The work is cut into stretches of about STRETCH_CHARS characters: a small document is one
stretch, a large one is cut before a blank line where `prose_blocks` starts afresh (see
`stretch_cuts`), so every stretch gives exactly the sentences it gives inside the whole
document. Worker processes split stretches (blocks, sentences, sha1 of each sentence) and send
back offsets and digests; this process numbers repeated sentences, writes each line, and keeps
the order of the input. The lines are the bytes `json.dumps` writes for the records of
`split_document` (compact separators, non-ASCII as it is), built from each sentence's text
escaped once (a sentence is in three lines: its own, and its neighbours' prev_text/next_text).
"""

from __future__ import annotations

import itertools
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # json.dumps' escaping of a str (ensure_ascii=False)

from annotate.errors import OptionError
from annotate.ingest.documents import (SplitStats, document_meta, stretch_cuts,
                                       stretch_sentences)
from annotate.ingest.sources import Document
from annotate.workers import default_jobs, worker_context

STRETCH_CHARS = 1 << 20  # characters per unit of work (~1 MB): a few ms of pickling, ~0.15 s of work
_LINES_PER_WRITE = 4096


def _start_worker() -> None:
    # Pool.terminate() ends workers with SIGTERM; the command's handler (inherited by fork, it
    # turns SIGTERM into an exception) would leave a worker blocked on the pool's queue alive
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _split_stretches(texts: list[str]) -> list[tuple]:
    """The work of one task (in a worker): `stretch_sentences` of each text."""
    return [stretch_sentences(text) for text in texts]


def _tasks(documents: Iterable[Document], stretch: int) -> Iterator[tuple[list, list[str]]]:
    """Tasks of about `stretch` characters: ([(document, offset, last stretch?)...], texts)."""
    pieces, texts, size = [], [], 0
    for document in documents:
        text = document.text
        bounds = [0, *stretch_cuts(text, stretch), len(text)]
        for index, (start, end) in enumerate(zip(bounds, bounds[1:])):
            pieces.append((document, start, index == len(bounds) - 2))
            texts.append(text[start:end] if len(bounds) > 2 else text)
            size += end - start
            if size >= stretch:
                yield pieces, texts
                pieces, texts, size = [], [], 0
    if pieces:
        yield pieces, texts


def _split_pieces(tasks: Iterator[tuple[list, list[str]]], jobs: int | None) -> Iterator[tuple]:
    """(document, offset, last stretch?, (spans, digests, dropped)) of every stretch, in order;
    on `jobs` worker processes (None: `default_jobs()` if there are two tasks or more)."""
    if jobs is None:
        opening = list(itertools.islice(tasks, 2))
        jobs = default_jobs() if len(opening) == 2 else 1
        tasks = itertools.chain(opening, tasks)
    if jobs == 1:
        for pieces, texts in tasks:
            yield from ((*piece, result) for piece, result in zip(pieces, _split_stretches(texts)))
        return
    with worker_context().Pool(jobs, initializer=_start_worker) as pool:
        pending: deque = deque()  # at most 2*jobs tasks in flight: memory stays bounded
        for pieces, texts in tasks:
            pending.append((pieces, pool.apply_async(_split_stretches, (texts,))))
            if len(pending) >= 2 * jobs:
                pieces, result = pending.popleft()
                yield from ((*piece, one) for piece, one in zip(pieces, result.get()))
        while pending:
            pieces, result = pending.popleft()
            yield from ((*piece, one) for piece, one in zip(pieces, result.get()))


class _DocumentLines:
    """The JSON lines of one document's sentences, built stretch by stretch: a sentence's line is
    finished when the next sentence (its next_text) is known."""

    def __init__(self, document: Document):
        self.text = document.text
        doc = encode_basestring(document.id)
        # a line is: head, id, middle, text, "start", "end", "prev_text", "next_text", tail
        self.head = f'{{"id":{doc[:-1]}:'  # the id is "doc_id:digest[-n]"
        self.middle = f'","doc_id":{doc},"text":'
        self.tail = "".join(f',"{name}":{encode_basestring(value)}'
                            for name, value in document_meta(document).items()) + "}\n"
        self.seen: dict[str, int] = {}
        self.sentences = 0
        self.held = None  # (id, escaped text, start, end, escaped previous text) of the last one

    def add(self, offset: int, spans: list[tuple[int, int]], digests: list[str]) -> list[str]:
        lines: list[str] = []
        append = lines.append
        text, seen, head, middle, tail = self.text, self.seen, self.head, self.middle, self.tail
        if self.held is None:
            held_id = held_text = None
            held_start = held_end = 0
            held_prev = '""'
        else:
            held_id, held_text, held_start, held_end, held_prev = self.held
        for digest, (start, end) in zip(digests, spans):
            # documents.suffixed, inlined: its generator cost ~0.1 s per 400,000 sentences
            count = seen.get(digest, 0) + 1
            seen[digest] = count
            if count > 1:
                digest = f"{digest}-{count}"
            start += offset
            end += offset
            escaped = encode_basestring(text[start:end])
            if held_id is not None:
                append(f'{head}{held_id}{middle}{held_text},"start":{held_start},"end":{held_end},'
                       f'"prev_text":{held_prev},"next_text":{escaped}{tail}')
                held_prev = held_text
            held_id, held_text, held_start, held_end = digest, escaped, start, end
        if held_id is not None:
            self.held = (held_id, held_text, held_start, held_end, held_prev)
        self.sentences += len(spans)
        return lines

    def finish(self) -> list[str]:
        if self.held is None:
            return []
        held_id, held_text, held_start, held_end, held_prev = self.held
        return [f'{self.head}{held_id}{self.middle}{held_text},"start":{held_start},"end":{held_end},'
                f'"prev_text":{held_prev},"next_text":""{self.tail}']


def sentence_lines(documents: Iterable[Document], stats: SplitStats, jobs: int | None = None,
                   stretch: int = STRETCH_CHARS) -> Iterator[list[str]]:
    """The JSON lines of every document's sentence records (the records of `split_document`), in
    input order, a list at a time, split in stretches of about `stretch` characters; `stats`
    counts as they go."""
    if jobs is not None and jobs < 1:
        raise OptionError("--jobs", f"must be at least 1, got {jobs}")
    current = None
    for document, offset, last, (spans, digests, dropped) in _split_pieces(_tasks(documents, stretch),
                                                                          jobs):
        if current is None:
            current = _DocumentLines(document)
            stats.documents += 1
        stats.dropped_lines += dropped
        lines = current.add(offset, spans, digests)
        if last:
            lines += current.finish()
            stats.sentences += current.sentences
            if not current.sentences:
                stats.empty_documents.append(document.source)
            current = None
        if lines:
            yield lines


def write_lines(handle, chunks: Iterable[list[str]]) -> None:
    """Write lists of lines to an open text file, a few thousand lines per write."""
    buffer: list[str] = []
    for lines in chunks:
        buffer += lines
        if len(buffer) >= _LINES_PER_WRITE:
            handle.write("".join(buffer))
            buffer.clear()
    if buffer:
        handle.write("".join(buffer))
