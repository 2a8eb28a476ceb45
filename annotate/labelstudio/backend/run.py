"""Start `annotate serve`: load the model, then listen with waitress (a production WSGI server,
one process with threads, so the served model and the training state are shared)."""

from __future__ import annotations

import logging
from pathlib import Path

from annotate.labelstudio.backend.app import create_app
from annotate.labelstudio.backend.service import Service, current_model_dir

log = logging.getLogger("annotate.serve")

THREADS = 8  # Label Studio calls /setup, /health and /predict for each task an annotator opens


def resolve_model_dir(model_dir, models_dir) -> Path | None:
    """--model, else the model the last training switched to, else None (the shipped one)."""
    if model_dir is not None:
        return Path(model_dir)
    return current_model_dir(models_dir)


def build(model_dir, models_dir, *, connection, gold_paths=(), retrain_every=None, folds=5,
          seed=0, basic_auth=None):
    """The loaded service and its WSGI app (what tests and `serve` both run)."""
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    service = Service(resolve_model_dir(model_dir, models_dir), models_dir, connection=connection,
                      gold_paths=gold_paths, retrain_every=retrain_every, folds=folds, seed=seed)
    return service, create_app(service, basic_auth)


def serve(app, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(app, host=host, port=port, threads=THREADS, ident="annotate-serve",
                   clear_untrusted_proxy_headers=True)
