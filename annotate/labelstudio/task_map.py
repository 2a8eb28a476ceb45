"""Compact maps of a project's tasks for push: sentence id -> task id, and sets of task ids.

A push of 100,000 sentences into a project of 100,000 tasks held a dict sentence id -> task id
(about 150 bytes a task: the id's str, the int, the slot) and sets of task ids (about 60 bytes
an id). These hold the same in flat arrays: 24 bytes a task for the map, 8 an id for a set, so a
project ten times bigger costs the push little more than the interpreter and its imports.

Sentence ids are keyed by their 128-bit BLAKE2b digest, so a lookup is exact unless two ids share
a digest: with a million tasks the chance is about 1 in 10^27.

Both are filled first (`add`), then read (`get`, `lookup`, `in`); the first read sorts them.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator

CHUNK = 4096  # ids looked up per numpy call


def _digests(sentence_ids: Iterable[str]) -> bytes:
    return b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=16).digest()
                    for s in sentence_ids)


def _keys(digests):
    """The digests' two 64-bit halves, as native unsigned integers (one copy each)."""
    import numpy as np

    halves = np.frombuffer(digests, dtype=">u8").reshape(-1, 2)
    return halves[:, 0].astype(np.uint64), halves[:, 1].astype(np.uint64)


class TaskMap:
    """Sentence id -> the oldest (lowest) task id holding it; `repeated` counts the sentence ids
    on more than one task."""

    def __init__(self):
        self._digests = bytearray()
        self._task_ids = array("q")
        self._sorted = None  # (hi, lo, task id) of each distinct sentence id, by (hi, lo)
        self._repeated: set[tuple[int, int]] = set()

    def add(self, sentence_id: str, task_id: int) -> None:
        if self._sorted is not None:
            raise RuntimeError("TaskMap.add after the map was read")
        self._digests += _digests([sentence_id])
        self._task_ids.append(task_id)

    def _index(self):
        if self._sorted is None:
            import numpy as np

            # one array at a time, each freed as the next is made: ~40 bytes a task at the peak
            hi, lo = _keys(self._digests)
            self._digests = bytearray()
            task_ids = np.frombuffer(self._task_ids, dtype=np.int64)
            self._task_ids = array("q")
            order = np.lexsort((task_ids, lo, hi))  # by key, then task id: the oldest first
            hi = hi[order]
            lo = lo[order]
            task_ids = task_ids[order]
            del order
            first = np.ones(len(hi), dtype=bool)
            first[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
            again = ~first
            self._repeated = {(int(h), int(l)) for h, l in zip(hi[again], lo[again])}
            del again
            hi = hi[first]
            lo = lo[first]
            self._sorted = (hi, lo, task_ids[first])
        return self._sorted

    def __len__(self) -> int:
        return len(self._index()[0])

    def lookup(self, sentence_ids: list[str]) -> list[int | None]:
        """The task id of each sentence id (None: no task holds it), in order."""
        import numpy as np

        hi, lo, task_ids = self._index()
        if not sentence_ids:
            return []
        want_hi, want_lo = _keys(_digests(sentence_ids))
        at = np.searchsorted(hi, want_hi)
        inside = np.minimum(at, max(len(hi) - 1, 0))
        found = [None] * len(sentence_ids)
        if not len(hi):
            return found
        same_hi = hi[inside] == want_hi
        exact = same_hi & (lo[inside] == want_lo)
        for i in np.flatnonzero(exact):
            found[i] = int(task_ids[inside[i]])
        for i in np.flatnonzero(same_hi & ~exact):  # another id shares the first 64 bits: scan
            j = int(at[i])
            while j < len(hi) and hi[j] == want_hi[i]:
                if lo[j] == want_lo[i]:
                    found[i] = int(task_ids[j])
                    break
                j += 1
        return found

    def lookup_all(self, sentence_ids: Iterable[str]) -> Iterator[int | None]:
        """`lookup` over a stream of ids, a chunk at a time."""
        chunk: list[str] = []
        for sentence_id in sentence_ids:
            chunk.append(sentence_id)
            if len(chunk) == CHUNK:
                yield from self.lookup(chunk)
                chunk = []
        yield from self.lookup(chunk)

    def get(self, sentence_id: str, default=None):
        found = self.lookup([sentence_id])[0]
        return default if found is None else found

    def __contains__(self, sentence_id: str) -> bool:
        return self.get(sentence_id) is not None

    def repeated_among(self, sentence_ids: Iterable[str]) -> int:
        """How many distinct sentence ids are on more than one task: those of the map, plus
        `sentence_ids` (repeated elsewhere) not already counted."""
        self._index()
        extra = {(int(h), int(l)) for h, l in zip(*_keys(_digests(set(sentence_ids))))}
        return len(self._repeated | extra)

    @property
    def repeated(self) -> int:
        self._index()
        return len(self._repeated)


class TaskIds:
    """A set of task ids in a sorted array (8 bytes an id instead of ~60 in a set)."""

    def __init__(self, task_ids: Iterable[int] = ()):
        self._added = array("q", task_ids)
        self._sorted = None

    def add(self, task_id: int) -> None:
        if self._sorted is not None:
            raise RuntimeError("TaskIds.add after the set was read")
        self._added.append(task_id)

    def _index(self):
        if self._sorted is None:
            import numpy as np

            self._sorted = np.unique(np.frombuffer(self._added, dtype=np.int64))
            self._added = array("q")
        return self._sorted

    def __contains__(self, task_id) -> bool:
        import numpy as np

        ids = self._index()
        at = int(np.searchsorted(ids, task_id))
        return at < len(ids) and int(ids[at]) == task_id

    def __len__(self) -> int:
        return len(self._index())

    def __iter__(self) -> Iterator[int]:
        return (int(task_id) for task_id in self._index())
