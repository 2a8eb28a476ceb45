"""`annotate export pull`: a project's annotations in bulk, one gold record per sentence per
annotator out, with the `--since` state and the rejects file beside the output.

Conversion lives in annotate.labelstudio.gold; HTTP in annotate.labelstudio.client.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path

from annotate.errors import ConfigError, InputError, LabelStudioError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import gold
from annotate.records import atomic_output, read_records, read_text, write_records_to
from annotate.timestamps import parse_time

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def state_path(output) -> Path:
    """Where `--since last` remembers the newest annotation pulled into `output` (no secrets)."""
    output = Path(output)
    return output.with_name(output.name + ".pull-state.json")


def rejects_path(output) -> Path:
    output = Path(output)
    return output.with_name(output.name + ".rejects.jsonl")


def parse_since(since: str | None, output, source: str) -> datetime | None:
    """--since TIME (ISO 8601; UTC when no zone is given) or --since last."""
    if since is None:
        return None
    if since == "last":
        path = state_path(output)
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"--since last: no earlier pull into {output} recorded ({path} does "
                              "not exist); pull once without --since first") from None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"--since last: cannot read {path} ({exc}); delete it and pull "
                              "without --since") from None
        damaged = ConfigError(f"--since last: {path} is not a pull state written by annotate; "
                              "delete it and pull without --since")
        if not isinstance(state, dict):
            raise damaged
        if state.get("source") != source:
            raise ConfigError(f"--since last: {output} was last pulled from {state.get('source')!r}, "
                              f"not {source!r}; pull without --since or use another output")
        since = state.get("latest")
        if not since:
            return None
        if not isinstance(since, str) or gold.time_problem(since):
            raise damaged
    try:
        moment = parse_time(since)
    except ValueError:
        raise ConfigError(f"--since {since!r} is not a time; use ISO 8601 such as "
                          "2025-01-31T14:00 (UTC unless a zone is given) or 'last'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _earlier(path: Path) -> Iterator[dict]:
    return read_records(path) if path.exists() else iter(())


def check_merge_target(output, source: str, since: datetime | None) -> None:
    """A --since pull merges into an existing output only if that output is an earlier pull of
    the same project (its pull state says so): never mix two projects' gold in one file."""
    output = Path(output)
    if since is None or not output.exists():
        return
    try:
        state = json.loads(state_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = None
    if not isinstance(state, dict) or state.get("source") != source:
        raise ConfigError(f"--since: {output} exists but is not an earlier pull of {source} (see "
                          f"{state_path(output)}), so the new annotations cannot be merged into "
                          "it; pull into another output")


def merge(earlier: list[dict], newer: list[dict], superseded: set) -> tuple[list[dict], int]:
    """`earlier` without the entries whose annotation is in `superseded`, then `newer`: a record
    keeps its place when a newer version of its annotation replaces it. (merged, replaced)."""
    by_annotation = {r.get("annotation_id"): r for r in newer}
    counts: dict = {}
    merged = list(_merged(earlier, by_annotation.get, newer, superseded, counts))
    return merged, counts["replaced"]


def _spool(spool, records: Iterable[dict]) -> dict:
    """Write `records` to the binary `spool` one JSON line each; annotation id -> the offset of
    its (last) line, so the merge can fetch a record by id without holding them all."""
    offsets = {}
    for record in records:
        offsets[record.get("annotation_id")] = spool.tell()
        spool.write(_COMPACT.encode(record).encode("utf-8") + b"\n")
    return offsets


def _spooled(spool) -> Iterator[dict]:
    spool.seek(0)
    for line in spool:
        yield json.loads(line)


def _merged(earlier: Iterable[dict], newer_version, newer: Iterable[dict], superseded: set,
            counts: dict) -> Iterator[dict]:
    """The records of `merge`, streamed: `newer_version(annotation id)` gives the newer record of
    an annotation (or None), `newer` all of them in order (a spool on disk keeps it flat in
    memory). counts["replaced"] is set at the end."""
    placed, replaced = set(), 0
    for record in earlier:
        key = record.get("annotation_id")
        if key in superseded:
            replaced += 1
            if key not in placed and (replacement := newer_version(key)) is not None:
                yield replacement
                placed.add(key)
            continue
        yield record
    for record in newer:
        if record.get("annotation_id") not in placed:
            yield record
    counts["replaced"] = replaced


def _spooled_version(spool, offsets: dict):
    """newer_version for `_merged` over a spool: the record at its annotation's offset."""
    def version(key):
        if key not in offsets:
            return None
        spool.seek(offsets[key])
        return json.loads(spool.readline())
    return version


def note_deletions(stats, output, source: str) -> None:
    """The tasks and annotations the previous pull into `output` (from the same source) saw that
    are gone now: deleted in Label Studio since. Nothing to compare with is nothing to report."""
    try:
        state = json.loads(state_path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no earlier pull (or an unreadable state: --since last says so itself)
    if not isinstance(state, dict) or state.get("source") != source:
        return
    before_tasks, before_annotations = state.get("task_ids"), state.get("annotation_ids")
    if isinstance(before_tasks, list):
        stats.deleted_tasks = sorted(set(before_tasks) - set(stats.task_ids))
    if isinstance(before_annotations, list):
        stats.deleted_annotations = sorted(set(before_annotations) - set(stats.annotation_ids))


def _save(output, records: Iterable[dict], stats, source: str,
          since_used: datetime | None) -> None:
    """Convert and write the gold, its rejects and the --since state; `records` is consumed here,
    streamed to disk (never all in memory). A --since pull into an output that exists merges into
    it: the annotations pulled replace their earlier versions (in the gold or in the rejects), the
    others stay, so an incremental pull never shrinks a fuller one.

    All three files are written before any is put in place, so a full disk (or a malformed
    export found halfway) leaves the previous pull's files as they were."""
    output = Path(output)
    merging = since_used is not None and output.exists()
    with contextlib.ExitStack() as files:  # put in place in reverse: the state last
        state = files.enter_context(atomic_output(state_path(output)))
        gold_file = files.enter_context(atomic_output(output))
        if merging:  # the new records wait in a spool until all are known, then merge
            spool = files.enter_context(tempfile.TemporaryFile(
                "w+b", dir=output.parent, prefix=f".{output.name}.pulled."))
            offsets = _spool(spool, records)
            pulled = set(offsets) | {r["annotation_id"] for r in stats.rejected}
            counts: dict = {}
            written = write_records_to(gold_file, _merged(
                _earlier(output), _spooled_version(spool, offsets), _spooled(spool), pulled, counts))
            rejected, replaced_rejects = merge(list(_earlier(rejects_path(output))),
                                               stats.rejected, pulled)
            stats.merged, stats.replaced = True, counts["replaced"] + replaced_rejects
        else:
            written = write_records_to(gold_file, records)
            rejected = stats.rejected
        note_deletions(stats, output, source)  # against the previous state, before it is replaced
        latest = stats.latest or (since_used.isoformat() if since_used else None)
        if rejected:
            write_records_to(files.enter_context(atomic_output(rejects_path(output))), rejected)
        json.dump({"source": source, "latest": latest,
                   "pulled_at": datetime.now(timezone.utc).isoformat(),
                   # what the next pull compares against to report deletions
                   "task_ids": stats.task_ids, "annotation_ids": stats.annotation_ids},
                  state, indent=1)
    if not rejected and rejects_path(output).exists():  # a stale list would mislead
        rejects_path(output).unlink()
    stats.records_written, stats.rejects_written = written, len(rejected)


class _UsersOnDemand(Mapping):
    """User id -> email, listed from the server only if an annotation names its user by id
    alone (a server that ignores the snapshot's serialization option)."""

    def __init__(self, session):
        self._session, self._users = session, None

    def _loaded(self) -> dict:
        if self._users is None:
            self._users = labelstudio.users(self._session)
        return self._users

    def __getitem__(self, key):
        return self._loaded()[key]

    def __iter__(self):
        return iter(self._loaded())

    def __len__(self):
        return len(self._loaded())


def _streamed_tasks(handle) -> Iterator[dict]:
    """The tasks of a JSON export file one at a time (ijson), never the whole list in memory."""
    import ijson

    start = handle.read(64).lstrip()
    handle.seek(0)
    if start and not start.startswith(b"["):
        raise gold.MalformedExport("it is not a JSON list of tasks")
    try:
        yield from ijson.items(handle, "item", use_float=True)
    except ijson.JSONError as exc:
        raise gold.MalformedExport(f"it is not valid JSON ({exc})") from None


def pull(session, title: str, output, since: str | None = None,
         export_timeout: float = labelstudio.EXPORT_TIMEOUT_SECONDS) -> gold.PullStats:
    """Export the project in bulk and write one gold record per sentence per annotator.

    The snapshot streams to a temporary file beside the output and is converted task by task
    (never the whole export in memory), and the gold records stream to disk (a --since merge
    spools them beside the output first)."""
    project = labelstudio.require_project(session, title)
    source = f"{session.url} project {title!r}"
    since_time = parse_since(since, output, source)
    check_merge_target(output, source, since_time)
    directory = Path(output).parent
    if not directory.is_dir():
        raise InputError(directory, "output directory does not exist; create it first")
    stats = gold.PullStats()
    with tempfile.TemporaryFile(dir=directory, prefix=f".{Path(output).name}.export.") as snapshot:
        labelstudio.download_export(session, project["id"], snapshot, timeout=export_timeout)
        snapshot.seek(0)
        # users on demand: an annotator named by id alone (a server that ignores the snapshot's
        # option) or the last editor of an annotation (updated_by, always an id) lists them once
        tasks = _streamed_tasks(snapshot)
        try:
            # task by task from the snapshot on disk, record by record into the output
            _save(output, gold.iter_gold(tasks, _UsersOnDemand(session), stats, since_time),
                  stats, source, since_time)
        except gold.MalformedExport as exc:
            raise LabelStudioError(f"the export of project {title!r} at {session.url} is not "
                                   f"shaped like Label Studio's: {exc}; see the server's log"
                                   ) from None
    return stats


def pull_file(export_file, output, since: str | None = None) -> gold.PullStats:
    """The same conversion from a JSON file made with Label Studio's Export button.

    That file names annotators by user id only (`completed_by: 3`; it carries no
    `created_username` either), so they become "user:3". A snapshot export made through the API
    with serialization_options {"annotations__completed_by": {"only_id": false}} (what the
    server path of pull makes) embeds each user, and their emails are used."""
    export_file = Path(export_file)
    try:
        data = json.loads(read_text(export_file))
    except json.JSONDecodeError as exc:
        raise InputError(export_file, f"invalid JSON ({exc.msg})", line=exc.lineno) from None
    if not isinstance(data, list):
        raise InputError(export_file, "expected Label Studio's JSON export (a list of tasks); "
                         "export with the JSON format, not JSON-MIN or CSV")
    source = f"file {export_file.resolve()}"
    since_time = parse_since(since, output, source)
    check_merge_target(output, source, since_time)
    try:
        records, stats = gold.gold_from_export(data, {}, since_time)
    except gold.MalformedExport as exc:
        raise InputError(export_file, f"{exc}; expected Label Studio's JSON export (the JSON "
                         "format of its Export button)") from None
    _save(output, records, stats, source, since_time)
    return stats
