"""The client-side index of pushed tasks: task id -> sentence id, per server, project and project
creation time, so a re-push does not have to list every task of the project.

Listing a project's tasks costs Label Studio ~0.5 ms per task (its Data Manager serializer), which
made a no-op re-push of 5,000 sentences cost a third of the first push. The server stays the
source of truth: `annotate.labelstudio.push.push` uses the index only after two cheap calls confirm it (the tasks
with an id above the index's highest, and the project's task count; Label Studio never reuses a
task id: AUTOINCREMENT on SQLite, sequences on PostgreSQL), and rebuilds it from the full listing
otherwise. The file holds no secret (URL, ids, sentence ids) but is written 0600 like the rest of
the data directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import ConfigError, InputError
from annotate.records import atomic_output

FORMAT = "annotate-push-index/1"


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
        return self.directory / f"{digest}.json"

    def load(self) -> dict[int, str | None] | None:
        """The cached task id -> sentence id, or None when there is none usable (missing,
        unreadable, written for another key or format): the caller then lists the tasks."""
        if not self.project_created_at:
            return None  # without the creation time a recreated project would look the same
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("key") != self.key:
                return None
            return {int(task_id): sentence_id for task_id, sentence_id in data["tasks"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged cache only costs a full listing

    def save(self, tasks: dict[int, str | None]) -> None:
        if not self.project_created_at:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            with atomic_output(self.path, private=True) as handle:
                json.dump({"format": FORMAT, "key": self.key, "max_task_id": max(tasks, default=0),
                           "tasks": {str(task_id): sentence_id
                                     for task_id, sentence_id in tasks.items()}}, handle)
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
