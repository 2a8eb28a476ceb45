"""The client-side index of pushed tasks: task id -> sentence id, per server, project and project
creation time, so a re-push does not have to list every task of the project.

Listing a project's tasks costs Label Studio ~0.5 ms per task (its Data Manager serializer), which
made a no-op re-push of 5,000 sentences cost a third of the first push. The server stays the
source of truth: `annotate.labelstudio.push.push` uses the index only after two cheap calls confirm it (the tasks
with an id above the index's highest, and the project's task count; Label Studio never reuses a
task id: AUTOINCREMENT on SQLite, sequences on PostgreSQL), and rebuilds it from the full listing
otherwise. The file holds no secret (URL, ids, sentence ids) but is written 0600 like the rest of
the data directory.

The file is JSON Lines and grows by appending: a header line (format and key), then one line of
[task id, sentence id] pairs per import batch, so a push of N tasks in batches writes O(N) bytes
in all (rewriting the whole index after each batch was quadratic: a 100,000-task push wrote
~0.25 GB). A crash halfway through an append leaves a last line without its newline: it is
ignored (and cut off before the next append), and the server's task count then sends the push to
the full listing.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import ConfigError, InputError
from annotate.records import atomic_output

FORMAT = "annotate-push-index/2"


def default_directory() -> Path:
    from annotate.labelstudio.studio import data_dir

    return data_dir() / "push-index"


@dataclass(frozen=True)
class PushIndex:
    """Where one project's index lives; `key` tells a recreated project (same id, new
    created_at) or another server at the same URL apart."""

    directory: Path
    url: str
    project_id: int
    project_created_at: str | None

    @property
    def key(self) -> dict:
        return {"url": self.url, "project_id": self.project_id,
                "project_created_at": self.project_created_at}

    @property
    def path(self) -> Path:
        digest = hashlib.sha256(json.dumps(self.key, sort_keys=True).encode()).hexdigest()[:24]
        return self.directory / f"{digest}.jsonl"

    def load(self) -> dict[int, str | None] | None:
        """The cached task id -> sentence id, or None when there is none usable (missing,
        unreadable, written for another key or format): the caller then lists the tasks."""
        tasks: dict[int, str | None] = {}
        return tasks if self.read(lambda task_id, sentence_id: tasks.update(
            {task_id: sentence_id})) else None

    def read(self, add: Callable[[int, str | None], object]) -> bool:
        """Call `add(task id, sentence id)` for each pair of the index, one line in memory at a
        time; False when there is no usable index (then the pairs given so far mean nothing)."""
        if not self.project_created_at:
            return False  # without the creation time a recreated project would look the same
        try:
            with self.path.open("rb") as handle:
                header = json.loads(handle.readline())
                if header.get("format") != FORMAT or header.get("key") != self.key:
                    return False
                for line in handle:
                    if not line.endswith(b"\n"):
                        break  # an append cut short by a crash: the server check covers it
                    for task_id, sentence_id in json.loads(line):
                        add(int(task_id), sentence_id)
                return True
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False  # a damaged cache only costs a full listing

    def save(self, tasks: dict[int, str | None] | Iterable[tuple[int, str | None]]) -> None:
        """Replace the index with `tasks` (after a full listing or a reconciliation), written a
        line per 5,000 pairs; pairs given as an iterable are consumed even when nothing is kept."""
        pairs = iter(tasks.items() if isinstance(tasks, dict) else tasks)
        if not self.project_created_at:
            collections.deque(pairs, maxlen=0)
            return
        with self._writing():
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            with atomic_output(self.path, private=True) as handle:
                handle.write(self._header())
                while chunk := list(itertools.islice(pairs, 5000)):
                    handle.write(self._line(chunk))

    def append(self, tasks: Iterable[tuple[int, str | None]]) -> None:
        """Add (task id, sentence id) pairs: one line at the end of the file, its size only."""
        if not self.project_created_at:
            return
        with self._writing():
            if not self.path.exists():
                self.save(dict(tasks))
                return
            with self.path.open("r+b") as handle:
                end = handle.seek(0, os.SEEK_END)
                if end and _last_byte(handle, end) != b"\n":  # a torn append: cut it off
                    handle.truncate(_after_last_newline(handle, end))
                    handle.seek(0, os.SEEK_END)
                handle.write(self._line(tasks).encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())

    def _header(self) -> str:
        return json.dumps({"format": FORMAT, "key": self.key}) + "\n"

    @staticmethod
    def _line(tasks: Iterable[tuple[int, str | None]]) -> str:
        return json.dumps([[task_id, sentence_id] for task_id, sentence_id in tasks],
                          ensure_ascii=False) + "\n"

    @contextlib.contextmanager
    def _writing(self):
        try:
            yield
        except (OSError, InputError) as exc:
            # atomic_output words its failures for an -o; the fix here is another data dir
            if isinstance(exc, InputError):
                reason = exc.reason.split(";")[0]  # "the disk is full (...)" and the like
            else:
                reason = exc.strerror or str(exc)
            raise ConfigError(f"cannot write the push index {self.path} ({reason}; the index was "
                              "not changed); free some space or set ANNOTATE_DATA_DIR to a "
                              "writable directory, and rerun (the tasks pushed so far are in the "
                              "project; the rerun adds the rest)") from None

    def forget(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _last_byte(handle, end: int) -> bytes:
    handle.seek(end - 1)
    return handle.read(1)


def _after_last_newline(handle, end: int) -> int:
    """The offset just after the file's last newline (0 if it has none)."""
    position = end
    while position > 0:
        start = max(0, position - 65536)
        handle.seek(start)
        chunk = handle.read(position - start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        position = start
    return 0
