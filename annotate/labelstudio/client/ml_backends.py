"""ML backends connected to a project (`annotate serve`)."""

from __future__ import annotations

from annotate.labelstudio.client.session import Session, server_errors

ML_BACKEND_FIELDS = ("id", "url", "title", "state", "model_version", "auth_method",
                     "basic_auth_user", "error_message", "project")


def _backend_dict(backend) -> dict:
    # basic_auth_pass is write-only on the server; it is never read back or kept here
    return {name: getattr(backend, name, None) for name in ML_BACKEND_FIELDS}


def ml_backends(session: Session, project_id: int) -> list[dict]:
    """The ML backends connected to the project (Label Studio checks each one's health first)."""
    ls = session.ls
    with server_errors(session.url, "list the project's ML backends", session.key):
        return [_backend_dict(b) for b in ls.ml.list(project=project_id)]


def connect_ml_backend(session: Session, project_id: int, url: str, title: str,
                       basic_auth: tuple[str, str] | None = None) -> tuple[dict, bool]:
    """Connect the ML backend at `url` to the project, or update the one already there (same
    URL): (backend, created). Label Studio checks /health and /setup before it accepts one, and
    adds the webhook that sends it annotation events and "Start Training"."""
    url = url.rstrip("/")
    auth = ({"auth_method": "BASIC_AUTH", "basic_auth_user": basic_auth[0],
             "basic_auth_pass": basic_auth[1]} if basic_auth else {"auth_method": "NONE"})
    existing = [b for b in ml_backends(session, project_id) if (b["url"] or "").rstrip("/") == url]
    ls = session.ls
    with server_errors(session.url, f"connect the ML backend {url}", session.key):
        if existing:
            # `project` again: Label Studio's PATCH re-runs /setup and fails (500) without it
            backend = ls.ml.update(id=existing[0]["id"], project=project_id, url=url,
                                   title=title, **auth)
            return _backend_dict(backend), False
        backend = ls.ml.create(project=project_id, url=url, title=title, is_interactive=False,
                               **auth)
        return _backend_dict(backend), True


def train_ml_backend(session: Session, backend_id: int) -> None:
    """What the "Start Training" button does: Label Studio sends START_TRAINING to the backend."""
    ls = session.ls
    with server_errors(session.url, "start training", session.key):
        ls.ml.train(id=backend_id)
