"""`annotate export push/pull`: orchestration (batching, idempotency, resume, --since state).

The server is the source of truth for idempotency: every task carries its sentence id in its data,
and a push first finds the ids already there. So a rerun after a crash, a second push of the
same file, or a file with a few new sentences creates exactly the missing tasks. To keep that
cheap on big projects, a client-side index of the tasks push created (annotate.labelstudio.push_index)
spares the full listing when the server confirms it with two cheap calls. Conversion lives in annotate.labelstudio.tasks; HTTP in annotate.labelstudio.client.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import tasks
from annotate.errors import ConfigError, InputError, LabelStudioError
from annotate.quality.ordering import order_predictions
from annotate.labelstudio.push_index import PushIndex
from annotate.labelstudio.push_index import default_directory as default_index_directory
from annotate.records import atomic_output, read_numbered_records, read_text, write_records
from annotate.schema import labeling_config, schema_file

BATCH_SIZE = 1000  # tasks per import request: ~1.5 s each on a laptop-class server
# progress(done, total, what): cumulative counts, called after each batch (the CLI draws a bar)
Progress = Callable[[int, int, str], None]


# --- input ---------------------------------------------------------------------------------------

def resolve_target(target: str | None, corpus: str | None) -> str | None:
    """--target wins, then the corpus.toml's target; None means each record's own `target`."""
    if target is not None:
        return target
    if corpus is not None:
        from annotate.ingest.documents import load_corpus_config

        return load_corpus_config(corpus).target
    return None


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


def write_import_file(records: list[dict], path, target: str | None) -> int:
    """Label Studio's import file (tasks with predictions), for its own Import button."""
    with atomic_output(path) as handle:
        json.dump([tasks.task(r, target) for r in records], handle, ensure_ascii=False)
    return len(records)


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
    duplicate_tasks: int = 0      # sentence ids found on more than one task (made outside annotate)
    model_version: str | None = None
    # how the project's tasks were found: "none" (project just created), "incremental" (the
    # client-side index, confirmed by the server), "full" (every task listed; index rebuilt)
    task_listing: str = "none"


def instructions(corpus: str | None = None) -> str:
    """The annotators' instructions (HTML): the guidelines, then the corpus's actor codebook."""
    text = read_text(schema_file("guidelines.md"))
    if corpus is not None:
        from annotate.codebook import Codebook
        from annotate.ingest.documents import load_corpus_config

        config = load_corpus_config(corpus)
        text += "\n\n" + tasks.codebook_markdown(Codebook.load(config.codebook), config.name)
    return tasks.markdown_to_html(text)


def project_settings(instructions_html: str | None = None) -> dict:
    """Settings of a project push creates: our labeling config, the guidelines (and codebook) as
    instructions, predictions shown to annotators."""
    return {
        "label_config": labeling_config(),
        "expert_instruction": instructions_html if instructions_html is not None else instructions(),
        "show_instruction": True,
        "show_collab_predictions": True,
    }


def _same_text(a: str | None, b: str) -> bool:
    return " ".join((a or "").split()) == " ".join(b.split())


def ensure_project(session, title: str) -> tuple[dict, bool, bool]:
    """(project, created, config_updated), with the guidelines as instructions."""
    project, created, updated = ensure_project_settings(session, title, instructions())
    return project, created, "label_config" in updated


def ensure_project_settings(session, title: str, instructions_html: str
                            ) -> tuple[dict, bool, tuple[str, ...]]:
    """(project, created, the settings updated). A config change that would orphan annotations
    is refused before anything is imported; changed instructions are simply replaced."""
    project = labelstudio.find_project(session, title)
    if project is None:
        settings = project_settings(instructions_html)
        return labelstudio.create_project(session, title, **settings), True, ()
    changes = {}
    config = labeling_config()
    if not _same_text(project["label_config"], config):
        labelstudio.check_label_config(session, project["id"], config)
        changes["label_config"] = config
    if not _same_text(project.get("expert_instruction"), instructions_html):
        changes["expert_instruction"] = instructions_html
    if changes:
        labelstudio.update_project(session, project["id"], **changes)
    return {**project, **changes}, False, tuple(changes)


def _batches(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing_tasks(session, project, store: PushIndex, full: bool, summary) -> list[dict]:
    """The project's tasks ({"id", "sentence_id", "annotated"}; annotated is None when unknown).

    With a usable client-side index, only the tasks above its highest id are fetched; the index
    is trusted when those plus the indexed ones make the project's task count (ids are never
    reused, so a deleted task shows as a shortfall). Anything else: list every task."""
    if summary.project_created:
        summary.task_listing = "none"
        return []
    cached = None if full else store.load()
    if cached is not None and project.get("task_number") is not None:
        new = labelstudio.tasks_after(session, project["id"], max(cached, default=0))
        if len(cached) + len(new) == project["task_number"]:
            summary.task_listing = "incremental"
            if new:
                store.save({**cached, **new})
            return [{"id": task_id, "sentence_id": sentence_id, "annotated": None}
                    for task_id, sentence_id in {**cached, **new}.items()]
    summary.task_listing = "full"
    index = labelstudio.task_index(session, project["id"])
    store.save({t["id"]: t["sentence_id"] for t in index})
    return index


def push(session, title: str, records: list[dict], target: str | None, *,
         batch_size: int = BATCH_SIZE, update_predictions: bool = False,
         instructions_html: str | None = None, index_dir: Path | None = None,
         progress: Progress | None = None) -> PushSummary:
    """Create the tasks missing from the project (in batches), optionally add new predictions."""
    project, created, updated = ensure_project_settings(
        session, title, instructions_html if instructions_html is not None else instructions())
    summary = PushSummary(project["id"], created, "label_config" in updated,
                          "expert_instruction" in updated, sentences=len(records))
    store = PushIndex(index_dir or default_index_directory(), session.url, project["id"],
                      project.get("created_at"))
    # --update-predictions needs whether each task is annotated now: only the listing tells
    index = _existing_tasks(session, project, store, update_predictions, summary)
    counts = Counter(t["sentence_id"] for t in index)
    summary.duplicate_tasks = sum(1 for n in counts.values() if n > 1)
    existing = {t["sentence_id"]: t for t in index}
    known = {t["id"]: t["sentence_id"] for t in index}
    new = [r for r in records if r["id"] not in existing]
    summary.already_present = len(records) - len(new)
    for batch in _batches(new, batch_size):
        task_ids = labelstudio.import_tasks(session, project["id"],
                                            [tasks.task(r, target) for r in batch])
        summary.created += len(batch)
        if known is not None and len(task_ids) == len(batch):
            known.update(zip(task_ids, (r["id"] for r in batch)))
            store.save(known)  # after each batch: a crash later still leaves a valid index
        elif known is not None:
            known = None  # ids we cannot map: let the next push list the tasks
            store.forget()
        if progress:
            progress(summary.created, len(new), "tasks")
    if update_predictions and summary.already_present:
        _update_predictions(session, project["id"], records, existing, summary, batch_size, progress)
    _show_latest_version(session, project, records, summary)
    return summary


def _update_predictions(session, project_id, records, existing, summary, batch_size, progress):
    """Attach each record's prediction to its existing task, unless someone annotated the task or
    it already has a prediction of that model version (so a rerun adds nothing twice)."""
    versions = labelstudio.prediction_versions(session, project_id)
    todo = []
    for record in records:
        task_info = existing.get(record["id"])
        if task_info is None:
            continue
        if task_info["annotated"]:
            summary.annotated_kept += 1
        elif record["model_version"] not in versions.get(task_info["id"], set()):
            todo.append({"task": task_info["id"], **tasks.prediction(record)})
    for batch in _batches(todo, batch_size):
        labelstudio.import_predictions(session, project_id, batch)
        summary.predictions_added += len(batch)
        if progress:
            progress(summary.predictions_added, len(todo), "predictions")


def _show_latest_version(session, project, records, summary):
    """Point the project at the model version just pushed, so its predictions pre-fill tasks."""
    if not records or not (summary.created or summary.predictions_added or summary.project_created):
        summary.model_version = project.get("model_version") or None
        return
    version = records[-1]["model_version"]
    summary.model_version = version
    if project.get("model_version") != version or not project.get("show_collab_predictions"):
        labelstudio.update_project(session, project["id"], model_version=version,
                                   show_collab_predictions=True)


# --- pull ----------------------------------------------------------------------------------------

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
        if not isinstance(since, str) or tasks.time_problem(since):
            raise damaged
    try:
        moment = tasks.parse_time(since)
    except ValueError:
        raise ConfigError(f"--since {since!r} is not a time; use ISO 8601 such as "
                          "2025-01-31T14:00 (UTC unless a zone is given) or 'last'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _save(output, records, stats, source: str, since_used: datetime | None) -> None:
    write_records(output, records)
    if stats.rejected:
        write_records(rejects_path(output), stats.rejected)
    elif rejects_path(output).exists():  # a stale list from an earlier pull would mislead
        rejects_path(output).unlink()
    latest = stats.latest or (since_used.isoformat() if since_used else None)
    with atomic_output(state_path(output)) as handle:
        json.dump({"source": source, "latest": latest,
                   "pulled_at": datetime.now(timezone.utc).isoformat()}, handle, indent=1)


def pull(session, title: str, output, since: str | None = None) -> tasks.PullStats:
    """Export the project in bulk and write one gold record per sentence per annotator."""
    project = labelstudio.require_project(session, title)
    source = f"{session.url} project {title!r}"
    since_time = parse_since(since, output, source)
    try:
        exported = json.loads(labelstudio.export_tasks(session, project["id"]))
    except ValueError:
        raise LabelStudioError(f"the export of project {title!r} at {session.url} is not "
                               "JSON; see the server's log") from None
    # the snapshot names annotators itself; a server that ignores that option gives ids only
    bare_ids = any(not isinstance(a.get("completed_by"), dict)
                   for t in exported for a in t.get("annotations") or [])
    users = labelstudio.users(session) if bare_ids else {}
    try:
        records, stats = tasks.gold_from_export(exported, users, since_time)
    except tasks.MalformedExport as exc:
        raise LabelStudioError(f"the export of project {title!r} at {session.url} is not shaped "
                               f"like Label Studio's: {exc}") from None
    _save(output, records, stats, source, since_time)
    return stats


def pull_file(export_file, output, since: str | None = None) -> tasks.PullStats:
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
    try:
        records, stats = tasks.gold_from_export(data, {}, since_time)
    except tasks.MalformedExport as exc:
        raise InputError(export_file, f"{exc}; expected Label Studio's JSON export (the JSON "
                         "format of its Export button)") from None
    _save(output, records, stats, source, since_time)
    return stats


# --- where the server is -------------------------------------------------------------------------

def resolve_connection(url: str | None, api_key: str | None) -> labelstudio.Connection:
    """--url/--api-key (or LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY); without a URL, the local
    `annotate studio` server and its stored token."""
    if url:
        if not url.lower().startswith(("http://", "https://")):
            raise ConfigError(f"Label Studio URL {url!r} (--url or LABEL_STUDIO_URL) does not start "
                              "with http:// or https://; give the whole address, e.g. "
                              "http://localhost:8080")
        if not api_key:
            raise LabelStudioError("no API key for Label Studio at " + url + ": set "
                                   "LABEL_STUDIO_API_KEY or pass --api-key (Account & Settings "
                                   "> Personal Access Token in Label Studio)")
        return labelstudio.Connection(url.rstrip("/"), api_key)
    from annotate.labelstudio.studio import local_connection

    return local_connection(api_key or os.environ.get("LABEL_STUDIO_API_KEY"))
