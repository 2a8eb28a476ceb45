"""Two pushes at once must not double the work: a lock per (server, project) on this machine, and,
because two machines share no lock, checks the server confirms after the fact.

The checks rely on Label Studio giving ids in creation order (never reused). For every copy a
push makes of a sentence that another push also made, the push that made the *later* copy sees
both copies when it checks (the earlier one existed before the later one was made), so each
push removes only what it made itself and the two converge on one task per sentence:

- a project it just created that shares its title with an older one is deleted (while empty) and
  the older one is used;
- after importing, a sentence id on more than one task keeps its oldest task; the later copies this
  push created are deleted unless someone annotated or skipped them (never an annotator's work);
- after `--update-predictions`, one prediction per (task, model_version) is kept (the oldest).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotate.errors import ConfigError
from annotate.labelstudio import client as labelstudio


def default_directory() -> Path:
    from annotate.labelstudio.studio import data_dir

    return data_dir() / "locks"


@contextlib.contextmanager
def push_lock(url: str, title: str, directory: Path | None = None,
              waiting: Callable[[], None] | None = None):
    """Hold the lock of (server, project title) on this machine for the block.

    A second push of the same project waits for the first (calling `waiting` once, so the user
    knows why nothing happens) and then finds the first one's tasks. The lock is an flock on a file
    in the data directory: the kernel releases it when the process dies, so a killed push never
    leaves a stale lock behind."""
    directory = directory or default_directory()
    digest = hashlib.sha256(json.dumps([url.rstrip("/"), title]).encode()).hexdigest()[:24]
    path = directory / f"push-{digest}.lock"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = open(path, "a+b")
    except OSError as exc:
        raise ConfigError(f"cannot create the push lock {path} ({exc.strerror or exc}); set "
                          "ANNOTATE_DATA_DIR to a writable directory and rerun") from None
    with handle:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def settle_project(session, project: dict) -> tuple[dict, bool]:
    """After creating `project`: (the project to push into, whether it is the one just created).

    Pushes that created the same title at the same time all settle on the oldest project, and
    each deletes only its own copy (still empty), never another's: Label Studio 1.23 deletes a
    project with every model signal switched off process-wide (`temporary_disconnect_all_signals`
    swaps the receiver lists out and back without a lock), so two deletes at once leave the
    server with none: from then on it counts no annotation and fires no webhook until it is
    restarted (a test saw it). A copy left by a push that died before settling stays, empty."""
    same_title = labelstudio.projects_titled(session, project["title"] or "")
    oldest = same_title[0] if same_title else project
    if oldest["id"] != project["id"]:
        ours = next((p for p in same_title if p["id"] == project["id"]), project)
        if not ours.get("task_number"):
            labelstudio.delete_project(session, project["id"], missing_ok=True)
    return oldest, oldest["id"] == project["id"]


@dataclass
class TaskReconciliation:
    removed: list[int] = field(default_factory=list)   # later copies this push made, deleted
    kept_annotated: int = 0      # later copies this push made that someone already annotated
    tasks: dict[int, str | None] = field(default_factory=dict)  # task id -> sentence id after


def remove_duplicate_tasks(session, project_id: int, baseline_id: int,
                           created: set[int]) -> TaskReconciliation:
    """Check the tasks made after `baseline_id` (the highest id the push saw before importing):
    a sentence id on several of them keeps its oldest task; the others that this push `created`
    and nobody annotated are deleted."""
    result = TaskReconciliation()
    recent = labelstudio.task_index_after(session, project_id, baseline_id)
    by_sentence: dict[str | None, list[dict]] = defaultdict(list)
    for task in recent:
        by_sentence[task["sentence_id"]].append(task)
    unannotated = []
    for sentence_id, copies in by_sentence.items():
        if sentence_id is None or len(copies) < 2:
            continue
        oldest = min(task["id"] for task in copies)
        for task in copies:
            if task["id"] == oldest or task["id"] not in created:
                continue
            if task["annotated"]:
                result.kept_annotated += 1
            else:
                unannotated.append(task["id"])
    # the listing's counters are asked again of each task before anything is deleted
    held = labelstudio.tasks_holding_work(session, unannotated)
    result.kept_annotated += len(held)
    result.removed = [task_id for task_id in unannotated if task_id not in held]
    labelstudio.delete_tasks(session, project_id, result.removed)
    gone = set(result.removed)
    result.tasks = {t["id"]: t["sentence_id"] for t in recent if t["id"] not in gone}
    return result


def remove_duplicate_predictions(session, project_id: int, task_ids, model_version: str) -> int:
    """Keep the oldest prediction of `model_version` on each of `task_ids` (anything with `in`);
    return how many later ones were deleted (made by a push of the same version at the same
    time). The (task, prediction) pairs are held in flat arrays: 16 bytes a prediction."""
    import numpy as np

    tasks, ids = array("q"), array("q")
    for prediction in labelstudio.predictions(session, project_id):
        if prediction["model_version"] == model_version and prediction["task"] in task_ids:
            tasks.append(prediction["task"])
            ids.append(prediction["id"])
    tasks, ids = np.frombuffer(tasks, dtype=np.int64), np.frombuffer(ids, dtype=np.int64)
    order = np.lexsort((ids, tasks))  # by task, then prediction id: the oldest first
    tasks = tasks[order]
    ids = ids[order]
    del order
    later = np.zeros(len(tasks), dtype=bool)
    later[1:] = tasks[1:] == tasks[:-1]
    extra = [int(pid) for pid in ids[later]]
    labelstudio.delete_predictions(session, extra)
    return len(extra)
