"""One retraining, as `export pull` + `annotate train` would do it from a terminal.

Pull the project's gold (annotate.labelstudio.pull), train on it plus the training gold the
service started with (annotate.model.training), write the new model into its own versioned
directory, and say whether it may replace the served one: only if its cross-validated stance
macro-F1 is not worse. Then, once switched, attach the new model's predictions to the tasks
nobody annotated (what `export push --update-predictions` does).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from annotate.errors import AnnotateError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio.backend import protocol
from annotate.labelstudio.pull import pull, rejects_path
from annotate.model.prelabel import Prelabeler, batches
from annotate.model.store import Model, load_model, save_model
from annotate.model.training import train_model

log = logging.getLogger("annotate.serve")

PREDICTION_BATCH = 500  # predictions per import request


def configure_logging() -> None:
    """The service's log on stderr: its own messages, not every HTTP request the SDK makes."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Outcome:
    state: str            # "switched" (serve model_dir now), "kept" or "failed"
    new_version: str | None
    message: str
    model_dir: str | None = None


def stance_f1(model: Model) -> float | None:
    return (model.card.get("cross_validation") or {}).get("stance_macro_f1")


def model_name(model: Model) -> str:
    """The new model's version prefix: the served one's ("haiti-mss-19c51490" -> "haiti-mss")."""
    head, _, tail = model.model_version.rpartition("-")
    return head if head and len(tail) == 8 else model.model_version


def retrain(session, project: dict, current: Model, models_dir: Path, gold_paths, *,
            folds: int, seed: int) -> Outcome:
    """Pull, train, write models_dir/<model_version>, and decide (no switch happens here)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    gold_dir = models_dir / "gold"
    gold_dir.mkdir(parents=True, exist_ok=True)
    pulled = gold_dir / f"project-{project['id']}-{stamp}.jsonl"
    stats = pull(session, project["title"], pulled)
    log.info("pulled %d gold records from project %r into %s (%d annotations do not fit the "
             "schema%s)", stats.annotations, project["title"], pulled, len(stats.rejected),
             f"; listed in {rejects_path(pulled)}" if stats.rejected else "")
    if not stats.annotations:
        return Outcome("failed", None,
                       f"project {project['title']!r} has no annotations that fit the schema yet "
                       f"({len(stats.rejected)} do not); label some tasks, then press Start "
                       "Training again")
    model, metrics = train_model([*map(str, gold_paths), str(pulled)], None, seed=seed, folds=folds,
                                 name=model_name(current), codebook=current.codebook,
                                 tier=current.card.get("tier", "fast"), progress=log.info)
    new_version = model.model_version
    if new_version == current.model_version:
        return Outcome("kept", new_version,
                       f"kept {current.model_version}: the gold has not changed since it was "
                       "trained")
    directory = save_model(model, models_dir / new_version)
    load_model(directory)  # what a restart would load must load (trusted types, card)
    new_f1, old_f1 = metrics["stance_macro_f1"], stance_f1(current)
    if old_f1 is not None and new_f1 < old_f1:
        return Outcome("kept", new_version,
                       f"kept {current.model_version}: the new model {new_version} (in {directory}) "
                       f"has a cross-validated stance macro-F1 of {new_f1:.3f}, below the served "
                       f"model's {old_f1:.3f}")
    was = "none recorded" if old_f1 is None else f"{old_f1:.3f}"
    return Outcome("switched", new_version,
                   f"switched to {new_version} (cross-validated stance macro-F1 {new_f1:.3f}; "
                   f"{current.model_version}: {was}); written to {directory}", str(directory))


def retrain_in_worker(connection, project: dict, current_dir: str | None, models_dir: str,
                      gold_paths: list[str], folds: int, seed: int) -> dict:
    """`retrain` in a worker process (the server's threads keep the interpreter to themselves,
    so /health and /predict answer within Label Studio's timeouts while it trains). Returns the
    Outcome as a dict; library errors come back as a "failed" outcome with their message."""
    configure_logging()
    try:
        session = labelstudio.connect(connection)
        outcome = retrain(session, project, load_model(current_dir), Path(models_dir),
                          gold_paths, folds=folds, seed=seed)
    except AnnotateError as exc:  # too little gold, Label Studio unreachable, ...
        outcome = Outcome("failed", None, str(exc))
    return asdict(outcome)


def update_predictions(session, project_id: int, prelabeler: Prelabeler) -> int:
    """Attach the model's predictions to every task nobody annotated that lacks one of its
    version; annotated tasks are left as they are. Returns how many were added."""
    version = prelabeler.model.model_version
    have = labelstudio.prediction_versions(session, project_id)
    todo = [t for t in labelstudio.unannotated_tasks(session, project_id)
            if version not in have.get(t["id"], set())
            and isinstance(t["data"].get("text"), str)]
    added = 0
    for batch in batches(todo, PREDICTION_BATCH):
        labelled = prelabeler.label_batch(protocol.task_records(batch))
        labelstudio.import_predictions(session, project_id, [
            {"task": task["id"], **prediction}
            for task, prediction in zip(batch, protocol.predictions(labelled))])
        added += len(batch)
    return added
