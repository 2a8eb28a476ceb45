"""Connecting `annotate serve` to a Label Studio project (push --ml-backend, the tests).

Label Studio asks a connected backend for predictions when a task without any is opened and on
the Data Manager's "Retrieve Predictions", and shows the predictions of the project's
`model_version`. Setting that to the backend's title makes it show whatever model the backend
serves now, so a retrained model's predictions appear without touching the project again.
"""

from __future__ import annotations

import os

from annotate.errors import ConfigError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio.defaults import PASSWORD_ENV, USER_ENV

TITLE = "annotate serve"


def basic_auth_from_env() -> tuple[str, str] | None:
    """The backend's basic auth as `annotate serve` reads it ($ANNOTATE_SERVE_USER/PASSWORD)."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if user and not password:
        raise ConfigError(f"${USER_ENV} is set but ${PASSWORD_ENV} is not; set both (as for "
                          "`annotate serve --basic-auth-user`) or neither")
    return (user, password) if user else None


def check_url(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        raise ConfigError(f"--ml-backend {url!r} does not start with http:// or https://; give "
                          "the address `annotate serve` prints, e.g. http://127.0.0.1:9090")
    return url.rstrip("/")


def connect(session, project_id: int, url: str,
            basic_auth: tuple[str, str] | None = None) -> tuple[dict, bool]:
    """Connect (or reconnect) the backend to the project and show its predictions there:
    (backend, created). Safe to repeat."""
    backend, created = labelstudio.connect_ml_backend(session, project_id, check_url(url), TITLE,
                                                      basic_auth)
    labelstudio.update_project(session, project_id, model_version=TITLE,
                               show_collab_predictions=True)
    return backend, created
