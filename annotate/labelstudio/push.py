"""`annotate export push`: prediction records in, one Label Studio task per sentence out.

The server is the source of truth for idempotency: every task carries its sentence id in its data,
and a push first finds the ids already there. So a rerun after a crash, a second push of the
same file, or a file with a few new sentences creates exactly the missing tasks. To keep that
cheap on big projects, a client-side index of the tasks push created
(annotate.labelstudio.push_index) spares the full listing when the server confirms it with two
cheap calls. Conversion lives in annotate.labelstudio.tasks; HTTP in annotate.labelstudio.client.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotate.corpus import CorpusConfig
from annotate.errors import InputError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import reconcile, tasks
from annotate.labelstudio.defaults import BATCH_SIZE, MAX_BATCH_SIZE  # noqa: F401 (re-exported)
from annotate.labelstudio.project import Overlap, ensure_project_settings, instructions
from annotate.labelstudio.push_index import PushIndex
from annotate.labelstudio.push_index import default_directory as default_index_directory
from annotate.labelstudio.task_map import TaskIds, TaskMap
from annotate.quality.ordering import order_predictions
from annotate.records import atomic_output, read_numbered_records, read_records

# progress(done, total, what): cumulative counts, called after each batch (the CLI draws a bar)
Progress = Callable[[int, int, str], None]


# --- input ---------------------------------------------------------------------------------------

def resolve_target(target: str | None, corpus: CorpusConfig | None) -> str | None:
    """--target wins, then the corpus.toml's target; None means each record's own `target`."""
    if target is not None:
        return target
    return corpus.target if corpus is not None else None


def records_without_target(records: list[dict], target: str | None) -> int:
    """How many tasks would show annotators no target to judge stance toward."""
    if target:
        return 0
    return sum(1 for r in records if not r.get("target"))


def load_predictions(path, order: str = "input") -> list[dict]:
    """Validated prediction records with document context; a repeated sentence id is an error."""
    seen: dict[str, int] = {}
    records = []
    for line, record in read_numbered_records(path, "prediction"):
        if record["id"] in seen:
            raise InputError(path, f"sentence id {record['id']!r} already appeared on line "
                             f"{seen[record['id']]}; ids must be unique", line=line)
        seen[record["id"]] = line
        records.append(record)
    # Context comes from file order, before any reordering for annotation.
    return list(order_predictions(tasks.add_context(records), order))


class PredictionFile:
    """A prediction file validated whole first (a bad line stops before anything is sent), then
    read again on each pass rather than held: 100,000 records are about a gigabyte as Python
    dicts. Only --order uncertainty and records lacking prev_text/next_text (filled from file
    order) hold the file in memory. Iterating gives the records, `ids` their sentence ids,
    `actors` the canonical actors they name (gathered in the validating pass).

    The later passes parse the JSON only: the schema check is what the validating pass paid for
    (jsonschema, ~0.3-1.5 ms a record here: three checked passes made a no-op re-push of 10,000
    sentences take over a minute). Each pass first checks that the file is still the one
    validated (same inode, size and modification time) and stops with a message if not."""

    def __init__(self, path, order: str = "input"):
        self.path = path
        seen = TaskMap()  # the ids' digests, 24 bytes a record: a set of the ids took ~100
        needs_context, last = False, None
        actors: dict[str, None] = {}
        versions: dict[str, None] = {}
        identity = _identity(path)
        for line, record in read_numbered_records(path, "prediction"):
            seen.add(record["id"], line)
            needs_context = needs_context or not {"prev_text", "next_text"} <= record.keys()
            last = record["model_version"]
            versions[last] = None
            actors.update(dict.fromkeys(tasks.predicted_actors([record])))
        if _identity(path) != identity:
            raise self._changed()
        if seen.repeated:
            _refuse_repeated_ids(path)
        self._identity = identity
        self._held = load_predictions(path, order) if order != "input" or needs_context else None
        self._count = len(seen)
        del seen  # the sentence ids are read again when needed: not held beside the project's
        self.actors = list(actors)
        self.model_versions = list(versions)
        self.last_model_version = self._held[-1]["model_version"] if self._held else last

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict]:
        if self._held is not None:
            return iter(self._held)
        return self._reread()

    def _reread(self) -> Iterator[dict]:
        if _identity(self.path) != self._identity:
            raise self._changed()
        yield from read_records(self.path)  # JSON objects; the schema was checked whole

    def _changed(self) -> InputError:
        return InputError(self.path, "changed while it was being pushed (it is validated whole "
                          "before the first request, then read again batch by batch); leave it "
                          "alone until the push ends and rerun it: the tasks already made are "
                          "kept, the rerun adds the rest")


def _refuse_repeated_ids(path) -> None:
    """The first line whose sentence id an earlier line had (only read when there is one)."""
    first_line: dict[str, int] = {}
    for line, record in read_numbered_records(path, "prediction"):
        if record["id"] in first_line:
            raise InputError(path, f"sentence id {record['id']!r} already appeared on line "
                             f"{first_line[record['id']]}; ids must be unique", line=line)
        first_line[record["id"]] = line


def _identity(path) -> tuple[int, int, int]:
    status = Path(path).stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


def _actors(records) -> list[str]:
    if isinstance(records, PredictionFile):
        return records.actors
    return tasks.predicted_actors(records)


def _ids(records) -> Iterator[str]:
    return (r["id"] for r in records)  # a PredictionFile is read again (JSON only)


def _model_versions(records) -> list[str]:
    if isinstance(records, PredictionFile):
        return records.model_versions
    return list(dict.fromkeys(r["model_version"] for r in records))


def _last_version(records) -> str | None:
    if isinstance(records, PredictionFile):
        return records.last_model_version
    return records[-1]["model_version"] if records else None


def write_import_file(records: Iterable[dict], path, target: str | None) -> int:
    """Label Studio's import file (tasks with predictions), for its own Import button; written
    task by task."""
    count = 0
    with atomic_output(path) as handle:
        handle.write("[")
        for record in records:
            handle.write(("," if count else "")
                         + json.dumps(tasks.task(record, target), ensure_ascii=False))
            count += 1
        handle.write("]")
    return count


# --- push ----------------------------------------------------------------------------------------

@dataclass
class PushSummary:
    project_id: int
    project_created: bool = False
    config_updated: bool = False
    instructions_updated: bool = False
    sentences: int = 0
    created: int = 0
    already_present: int = 0
    predictions_added: int = 0
    annotated_kept: int = 0       # existing tasks someone annotated: their predictions are not touched
    duplicate_tasks: int = 0      # sentence ids on more than one task after the push
    duplicates_removed: int = 0   # copies this push made of sentences another push made at once
    duplicates_annotated: int = 0  # such copies kept because someone annotated them already
    predictions_removed: int = 0  # (task, model_version) predictions made twice at once, deleted
    tasks_after_import: dict = field(default_factory=dict)  # task id -> sentence id, checked
    model_version: str | None = None
    overlap_updated: bool = False
    annotators_per_task: int | None = None  # the project's maximum_annotations, after the push
    overlap_share: int | None = None        # its overlap_cohort_percentage (% of tasks)
    # how the project's tasks were found: "none" (project just created), "incremental" (the
    # client-side index, confirmed by the server), "full" (every task listed; index rebuilt)
    task_listing: str = "none"


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _made_ahead(items: Iterable, depth: int = 1) -> Iterator:
    """`items`, each made in a thread while the one before is in use: push reads and builds the
    next batch while Label Studio imports this one (the server is the slow side, and the socket
    wait releases the GIL). An error making an item is raised here, in its place; closing the
    iterator early stops the thread."""
    import queue
    import threading

    slot: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                slot.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((done, exc))

    thread = threading.Thread(target=make, name="push-batches", daemon=True)
    thread.start()
    try:
        while True:
            item, error = slot.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        thread.join()


class _Listing:
    """The project's tasks as push needs them, compact (flat arrays, no dict per task): `tasks`
    maps each sentence id to its oldest task id (and counts the repeated ones), `annotated`
    holds the ids of the tasks someone annotated or skipped (None when unknown)."""

    def __init__(self, annotated_known: bool):
        self.tasks = TaskMap()
        self.annotated: TaskIds | None = TaskIds() if annotated_known else None
        self.count = 0
        self.highest = 0

    def add(self, task_id: int, sentence_id: str | None, annotated: bool = False) -> None:
        self.count += 1
        self.highest = max(self.highest, task_id)
        if annotated and self.annotated is not None:
            self.annotated.add(task_id)
        if sentence_id is not None:
            self.tasks.add(sentence_id, task_id)


def _with_task_ids(records, existing: TaskMap) -> Iterator[tuple[dict, int | None]]:
    """Each record with the task holding its sentence (None: none), looked up a chunk at a time
    (small: a record is a few kB as Python objects, and the stream holds one chunk)."""
    for chunk in _batches(records, 128):
        yield from zip(chunk, existing.lookup([r["id"] for r in chunk]))


def _existing_tasks(session, project, store: PushIndex, full: bool, summary) -> _Listing:
    """The project's tasks (whether each is annotated only after a full listing).

    With a usable client-side index, only the tasks above its highest id are fetched; the index
    is trusted when those plus the indexed ones make the project's task count (ids are never
    reused, so a deleted task shows as a shortfall). Anything else: list every task."""
    if summary.project_created:
        summary.task_listing = "none"
        return _Listing(annotated_known=True)
    cached = None if full else _Listing(annotated_known=False)
    if cached is not None and store.read(cached.add) and project.get("task_number") is not None:
        new = labelstudio.tasks_after(session, project["id"], cached.highest)
        if cached.count + len(new) == project["task_number"]:
            summary.task_listing = "incremental"
            if new:
                store.append(new.items())
            for task_id, sentence_id in new.items():
                cached.add(task_id, sentence_id)
            return cached
    summary.task_listing = "full"
    listing = _Listing(annotated_known=True)

    def listed():  # the index is written as the pages arrive: no listing held whole
        for task_id, sentence_id, annotated in labelstudio.iter_task_index(session, project["id"]):
            listing.add(task_id, sentence_id, annotated)
            yield task_id, sentence_id

    store.save(listed())
    return listing


def push(session, title: str, records: list[dict] | PredictionFile, target: str | None, *,
         batch_size: int = BATCH_SIZE, update_predictions: bool = False,
         instructions_html: str | None = None, index_dir: Path | None = None,
         lock_dir: Path | None = None, waiting: Callable[[], None] | None = None,
         progress: Progress | None = None, codebook_actors: Sequence[str] = (),
         overlap: Overlap = Overlap()) -> PushSummary:
    """Create the tasks missing from the project (in batches), optionally add new predictions.

    The annotators choose a span's codebook actor among `codebook_actors` (the corpus's) and the
    canonical actors the predictions name; `overlap` sets how many annotators label a task.
    One push per (server, project) at a time on this machine (`reconcile.push_lock`; `waiting`
    is called if another holds it); pushes on other machines are reconciled through the server."""
    with reconcile.push_lock(session.url, title, lock_dir, waiting):
        return _push(session, title, records, target, batch_size=batch_size,
                     update_predictions=update_predictions, instructions_html=instructions_html,
                     index_dir=index_dir, progress=progress, codebook_actors=codebook_actors,
                     overlap=overlap)


def _push(session, title, records, target, *, batch_size, update_predictions, instructions_html,
          index_dir, progress, codebook_actors, overlap) -> PushSummary:
    actors = list(dict.fromkeys([*codebook_actors, *_actors(records)]))
    version = _last_version(records)  # a new project shows it from the start: no PATCH after
    project, created, updated = ensure_project_settings(
        session, title, instructions_html if instructions_html is not None else instructions(),
        actors, overlap, on_create={"model_version": version, "show_collab_predictions": True}
        if version else None)
    if created:  # another push may have created the same title at the same time
        project, created = reconcile.settle_project(session, project)
        summary_updated = ()
    else:
        summary_updated = updated
    summary = PushSummary(project["id"], created, "label_config" in summary_updated,
                          "expert_instruction" in summary_updated, sentences=len(records),
                          overlap_updated=bool({"maximum_annotations", "overlap_cohort_percentage"}
                                               & set(summary_updated)),
                          annotators_per_task=project.get("maximum_annotations"),
                          overlap_share=project.get("overlap_cohort_percentage"))
    store = PushIndex(index_dir or default_index_directory(), session.url, project["id"],
                      project.get("created_at"))
    # --update-predictions needs whether each task is annotated now: only the listing tells
    listing = _existing_tasks(session, project, store, update_predictions, summary)
    existing = listing.tasks  # sentence id -> its oldest task id
    baseline, mapped = listing.highest, True  # mapped: the index has every task made so far
    missing = sum(1 for task_id in existing.lookup_all(_ids(records)) if task_id is None)
    summary.already_present = len(records) - missing
    # streamed: one batch in memory
    new = (r for r, task_id in _with_task_ids(records, existing) if task_id is None)
    made: set[int] = set()
    batches = ((batch, [tasks.task(r, target) for r in batch])
               for batch in _batches(new, batch_size))
    with contextlib.closing(_made_ahead(batches if missing else ())) as ahead:
        for batch, task_batch in ahead:
            task_ids = labelstudio.import_tasks(session, project["id"], task_batch)
            summary.created += len(batch)
            made.update(task_ids)
            if mapped and len(task_ids) == len(batch):
                # after each batch, one line: a crash later leaves a valid index
                store.append(zip(task_ids, (r["id"] for r in batch)))
            elif mapped:
                mapped = False  # ids we cannot map: let the next push list the tasks
                store.forget()
            if progress:
                progress(summary.created, missing, "tasks")
    if missing and _others_pushed(session, project, listing.count + len(made)):
        _reconcile_tasks(session, project["id"], baseline, made, mapped, store, summary)
    # the tasks after the import: the listing's (ids up to baseline) and those checked above it
    recent = Counter(s for s in summary.tasks_after_import.values() if s is not None)
    summary.duplicate_tasks = existing.repeated_among(
        s for s, n in recent.items() if n > 1 or s in existing)
    if update_predictions and summary.already_present:
        _update_predictions(session, project["id"], records, listing, summary, batch_size,
                            progress)
    _show_latest_version(session, project, records, summary)
    return summary


def _others_pushed(session, project, expected: int) -> bool:
    """Whether tasks other than the ones this push saw and made appeared meanwhile (one cheap
    call: the project's task count). Only then can a sentence be on two tasks by our doing."""
    now = next((p.get("task_number") for p in labelstudio.projects_titled(session, project["title"])
                if p["id"] == project["id"]), None)
    return now is None or now != expected


def _reconcile_tasks(session, project_id, baseline, made, mapped, store, summary) -> None:
    """Remove the copies this push made of sentences another push made at the same time."""
    check = reconcile.remove_duplicate_tasks(session, project_id, baseline, made)
    summary.duplicates_removed = len(check.removed)
    summary.duplicates_annotated = check.kept_annotated
    summary.created -= len(check.removed)
    summary.tasks_after_import = check.tasks
    if mapped:  # the index up to baseline is the listing; above it, what the check found
        kept: dict[int, str | None] = {}
        if store.read(lambda task_id, sentence_id: task_id <= baseline and kept.update(
                {task_id: sentence_id})):
            store.save({**kept, **check.tasks})
        else:
            store.forget()


def _update_predictions(session, project_id, records, listing, summary, batch_size, progress):
    """Attach each record's prediction to its existing task, unless someone annotated the task or
    it already has a prediction of that model version (so a rerun adds nothing twice)."""
    existing, annotated = listing.tasks, listing.annotated or TaskIds()
    have: dict[str, TaskIds] = {version: TaskIds() for version in _model_versions(records)}
    for prediction in labelstudio.predictions(session, project_id):  # streamed; only our versions
        if prediction["model_version"] in have:
            have[prediction["model_version"]].add(prediction["task"])
    touched = {version: TaskIds() for version in have}  # the task ids to give one of a version
    for record, task_id in _with_task_ids(records, existing):
        if task_id is None:
            continue
        if task_id in annotated:
            summary.annotated_kept += 1
        elif task_id not in have[record["model_version"]]:
            touched[record["model_version"]].add(task_id)
    del have
    todo = sum(map(len, touched.values()))  # one task per sentence: no task counted twice
    predictions = ({"task": task_id, **tasks.prediction(r)}
                   for r, task_id in _with_task_ids(records, existing)
                   if task_id is not None and task_id in touched[r["model_version"]])
    for batch in _batches(predictions, batch_size):
        labelstudio.import_predictions(session, project_id, batch)
        summary.predictions_added += len(batch)
        if progress:
            progress(summary.predictions_added, todo, "predictions")
    for version, task_ids in touched.items():  # another push may have added them too
        if not len(task_ids):
            continue
        summary.predictions_removed += reconcile.remove_duplicate_predictions(
            session, project_id, task_ids, version)


def _show_latest_version(session, project, records, summary):
    """Point the project at the model version just pushed, so its predictions pre-fill tasks."""
    version = _last_version(records)
    if not version or not (summary.created or summary.predictions_added or summary.project_created):
        summary.model_version = project.get("model_version") or None
        return
    summary.model_version = version
    if project.get("model_version") != version or not project.get("show_collab_predictions"):
        labelstudio.update_project(session, project["id"], model_version=version,
                                   show_collab_predictions=True)
