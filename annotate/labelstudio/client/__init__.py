"""Everything that talks to a Label Studio server. The ONLY package that imports label_studio_sdk
or sends HTTP to Label Studio.

Functions take plain values and return plain dicts/lists, so the conversion
(annotate.labelstudio.tasks) and the orchestration (annotate.labelstudio.push/pull) never see SDK
objects. Every failure becomes one LabelStudioError whose message never contains the API key.
One module per part of the API: session (connection, errors), accounts, projects, tasks
(tasks and predictions), exports, ml_backends.
"""

from annotate.labelstudio.client.accounts import create_access_token, invite_token
from annotate.labelstudio.client.exports import download_export, export_tasks, users
from annotate.labelstudio.client.ml_backends import (
    ML_BACKEND_FIELDS,
    connect_ml_backend,
    ml_backends,
    train_ml_backend,
)
from annotate.labelstudio.client.projects import (
    PROJECT_FIELDS,
    check_label_config,
    create_project,
    delete_project,
    find_project,
    projects_titled,
    require_project,
    update_project,
)
from annotate.labelstudio.client.session import (
    EXPORT_TIMEOUT_SECONDS,
    TIMEOUT_SECONDS,
    Connection,
    NotLabelStudio,
    Session,
    connect,
    is_healthy,
    server_errors,
)
from annotate.labelstudio.client.tasks import (
    delete_predictions,
    delete_tasks,
    import_predictions,
    import_tasks,
    iter_task_index,
    prediction_versions,
    predictions,
    task_index,
    task_index_after,
    tasks_after,
    tasks_holding_work,
    unannotated_tasks,
)

__all__ = [
    "EXPORT_TIMEOUT_SECONDS", "ML_BACKEND_FIELDS", "PROJECT_FIELDS", "TIMEOUT_SECONDS",
    "Connection", "NotLabelStudio", "Session", "check_label_config", "connect",
    "connect_ml_backend", "create_access_token", "create_project", "delete_predictions",
    "delete_project", "delete_tasks", "download_export", "export_tasks", "find_project",
    "import_predictions", "import_tasks", "invite_token", "is_healthy", "iter_task_index",
    "ml_backends", "prediction_versions", "predictions", "projects_titled", "require_project",
    "server_errors", "task_index", "task_index_after", "tasks_after", "tasks_holding_work",
    "train_ml_backend", "unannotated_tasks", "update_project", "users",
]
