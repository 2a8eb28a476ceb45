"""Projects: find by title, create once, update settings, check a labeling config."""

from __future__ import annotations

from annotate.errors import LabelStudioError
from annotate.labelstudio.client.session import (
    Session,
    error_detail,
    get_json,
    send_json,
    server_errors,
)
from annotate.timestamps import parse_time

# task_number is a count subquery; created_at tells a recreated project from the old one
PROJECT_FIELDS = ("id", "title", "label_config", "model_version", "show_collab_predictions",
                  "expert_instruction", "created_at", "task_number", "maximum_annotations",
                  "overlap_cohort_percentage")


def _iso(value) -> str | None:
    """One spelling of a timestamp, whether it came as JSON text or as an SDK datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_time(value)
    return value.isoformat()


def _project_dict(project: dict) -> dict:
    values = {name: project.get(name) for name in PROJECT_FIELDS}
    return {**values, "created_at": _iso(values["created_at"])}


def projects_titled(session: Session, title: str) -> list[dict]:
    """Every project with exactly this title, oldest (lowest id) first."""
    include = ",".join(PROJECT_FIELDS)  # leave out the per-project counters: they cost
    with server_errors(session.url, "list projects", session.key):
        matches, page, more = [], 1, True
        while more:
            body = get_json(session, "api/projects/", {"title": title, "include": include,
                                                        "page_size": 100, "page": page},
                             fields=("results",))
            matches += [p for p in body["results"] if p.get("title") == title]
            more, page = bool(body.get("next")), page + 1
    projects = [{name: match.get(name) for name in PROJECT_FIELDS} for match in matches]
    return sorted(({**p, "created_at": _iso(p["created_at"])} for p in projects),
                  key=lambda p: p["id"])


def find_project(session: Session, title: str) -> dict | None:
    """The project with exactly this title, or None; several with that title is an error."""
    matches = projects_titled(session, title)
    if len(matches) > 1:
        ids = ", ".join(str(p["id"]) for p in matches)
        raise LabelStudioError(f"several Label Studio projects are titled {title!r} (ids {ids}); "
                               "rename all but one, then rerun")
    return matches[0] if matches else None


def delete_project(session: Session, project_id: int, *, missing_ok: bool = False) -> None:
    from label_studio_sdk.core.api_error import ApiError

    ls = session.ls
    with server_errors(session.url, f"delete the empty project {project_id}", session.key):
        try:
            ls.projects.delete(id=project_id)
        except ApiError as exc:
            if not (missing_ok and exc.status_code == 404):
                raise


def require_project(session: Session, title: str) -> dict:
    project = find_project(session, title)
    if project is None:
        raise LabelStudioError(f"no project titled {title!r} in Label Studio at {session.url} "
                               "(404); check --project, or push to create it")
    return project


def create_project(session: Session, title: str, **settings) -> dict:
    """Create the project, once. The SDK would resend a POST that failed with a 5xx, but Label
    Studio commits the project before the rest of its request (a locked SQLite fails that rest):
    a resend makes a second project. So no resend; after a 5xx the newest project of the title is
    taken as the one made here (`reconcile.settle_project` then keeps the oldest and deletes this
    one if it is not the oldest and still empty)."""
    from label_studio_sdk.core.api_error import ApiError

    with server_errors(session.url, f"create the project {title!r}", session.key):
        try:
            return _project_dict(send_json(session, "POST", "api/projects/",
                                           {"title": title, **settings}, fields=("id", "title")))
        except ApiError as exc:
            made = projects_titled(session, title) if (exc.status_code or 0) >= 500 else []
            if not made:
                raise
            return made[-1]


def update_project(session: Session, project_id: int, **settings) -> dict:
    with server_errors(session.url, "update the project", session.key):
        return _project_dict(send_json(session, "PATCH", f"api/projects/{project_id}/", settings,
                                       fields=("id", "title")))


def check_label_config(session: Session, project_id: int, label_config: str) -> None:
    """Refuse a labeling config that would orphan existing annotations or drafts (a label or a
    control still in use removed). Label Studio's PATCH does not check this; /validate does."""
    from label_studio_sdk.core.api_error import ApiError

    with server_errors(session.url, "validate the labeling config", session.key):
        try:
            session.ls.projects.validate_label_config(id=project_id, label_config=label_config)
        except ApiError as exc:
            if exc.status_code != 400:
                raise
            raise LabelStudioError(
                f"refusing to change the labeling config of project {project_id}: it would orphan "
                f"existing annotations. Label Studio says: {error_detail(exc.body)} Keep the labels "
                "annotators used in schemas/labels.toml, or push to a new project.") from None
