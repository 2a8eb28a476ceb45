"""The model being served and the one training that may run beside it.

Predictions read the current Prelabeler once per request, so a switch during a request never
mixes two models. One training at a time runs in a worker process (started and awaited by a
background thread), so the server's threads keep answering; the model is swapped in only when
it is not worse (annotate.labelstudio.backend.retrain decides).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

from annotate.errors import AnnotateError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio.backend import protocol, retrain
from annotate.model.prelabel import Prelabeler
from annotate.model.store import load_model
from annotate.records import atomic_output

log = logging.getLogger("annotate.serve")

CURRENT_FILE = "current.json"  # in the models directory: the model a restart serves


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def current_model_dir(models_dir: Path) -> Path | None:
    """The model the last training switched to, if that directory is still there."""
    try:
        recorded = json.loads((Path(models_dir) / CURRENT_FILE).read_text(encoding="utf-8"))
        directory = Path(recorded["model_dir"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return directory if directory.is_dir() else None


class Service:
    """Everything /setup, /predict and /webhook need, shared by the server's threads."""

    def __init__(self, model_dir, models_dir, *, connection: labelstudio.Connection | None,
                 gold_paths=(), retrain_every: int | None = None, folds: int = 5, seed: int = 0):
        self.models_dir = Path(models_dir)
        self.connection = connection
        self.gold_paths = [Path(p) for p in gold_paths]
        self.retrain_every = retrain_every
        self.folds, self.seed = folds, seed
        self._prelabeler = Prelabeler(load_model(model_dir))  # loaded before anything listens
        self._training = threading.Lock()
        self._counting = threading.Lock()
        self._new_annotations = 0
        self._thread: threading.Thread | None = None
        self.last_training: dict | None = None

    @property
    def model_version(self) -> str:
        return self._prelabeler.model.model_version

    def predict(self, tasks) -> list[dict]:
        records = protocol.task_records(tasks)
        prelabeler = self._prelabeler
        return protocol.predictions(prelabeler.label_batch(records))

    def status(self) -> dict:
        return {"model_version": self.model_version,
                "training": self._thread is not None and self._thread.is_alive(),
                "last_training": self.last_training,
                "retraining": self.connection is not None}

    # --- training ------------------------------------------------------------------------------

    def annotation_changed(self, project: dict) -> bool:
        """Count a new or changed annotation; start a training after every `retrain_every`."""
        if not self.retrain_every:
            return False
        with self._counting:
            self._new_annotations += 1
            due = self._new_annotations >= self.retrain_every
        return self.start_training(project) if due else False

    def start_training(self, project: dict) -> bool:
        """Start a training in the background; False (and nothing started) if one is running."""
        if self.connection is None:
            raise protocol.BadRequest(
                "this backend cannot retrain: it has no Label Studio to pull the gold from; start "
                "`annotate serve` with LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY set")
        if not isinstance(project.get("id"), int) or not isinstance(project.get("title"), str):
            raise protocol.BadRequest("'project' must be Label Studio's project with its id and title")
        if not self._training.acquire(blocking=False):
            log.info("a training is already running; %s keeps serving", self.model_version)
            return False
        with self._counting:
            self._new_annotations = 0
        self.last_training = {"state": "running", "project": project["id"], "started": _now()}
        self._thread = threading.Thread(target=self._train, args=(project,), daemon=True,
                                        name="annotate-training")
        self._thread.start()
        return True

    def _train(self, project: dict) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        state = {"project": project["id"], "started": self.last_training["started"]}
        try:
            log.info("training on project %r (id %d), serving %s meanwhile", project["title"],
                     project["id"], self.model_version)
            current = self._prelabeler.model
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                outcome = pool.submit(
                    retrain.retrain_in_worker, self.connection, project,
                    str(current.directory) if current.directory else None, str(self.models_dir),
                    [str(p) for p in self.gold_paths], self.folds, self.seed).result()
            state.update(state=outcome["state"], model_version=outcome["new_version"],
                         message=outcome["message"])
            if outcome["state"] == "failed":
                log.error("training failed, %s keeps serving: %s", self.model_version,
                          outcome["message"])
                return
            log.info(outcome["message"])
            if outcome["state"] == "switched":
                self._switch(Path(outcome["model_dir"]))
                session = labelstudio.connect(self.connection)
                added = retrain.update_predictions(session, project["id"], self._prelabeler)
                log.info("added %d predictions of %s to tasks nobody annotated", added,
                         self.model_version)
                state["predictions_added"] = added
        except AnnotateError as exc:  # Label Studio unreachable while updating predictions, ...
            log.error("after the training: %s", exc)
            state.update(state=state.get("state", "failed"), error=str(exc))
        except Exception:  # a bug must not take the server down; it is logged in full
            log.exception("training failed unexpectedly; %s keeps serving", self.model_version)
            state.update(state="failed", message="unexpected error; see the server's log")
        finally:
            state["finished"] = _now()
            self.last_training = state
            self._training.release()

    def _switch(self, model_dir: Path) -> None:
        self._prelabeler = Prelabeler(load_model(model_dir))
        with atomic_output(self.models_dir / CURRENT_FILE) as handle:
            json.dump({"model_dir": str(model_dir), "model_version": self.model_version,
                       "switched": _now()}, handle)
