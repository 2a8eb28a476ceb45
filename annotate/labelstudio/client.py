"""Everything that talks to a Label Studio server. The ONLY module that imports label_studio_sdk.

Functions take plain values and return plain dicts/lists, so the conversion (annotate.labelstudio.tasks) and the
orchestration (annotate.labelstudio.push/pull) never see SDK objects. Every failure becomes one LabelStudioError
whose message never contains the API key.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from annotate.errors import LabelStudioError
from annotate.timestamps import parse_time

# Large imports and exports on a busy server take a while; the SDK's default (60 s) is too short.
TIMEOUT_SECONDS = 600.0
# Label Studio Community builds an export inside the request that asks for it (no background
# workers): 100,000 annotated tasks took longer than TIMEOUT_SECONDS on a loaded 2-core machine.
EXPORT_TIMEOUT_SECONDS = 4 * 3600.0


@dataclass(frozen=True)
class Connection:
    """Where the server is and how to authenticate. `repr` hides the key so it never leaks in logs."""

    url: str
    api_key: str

    def __repr__(self) -> str:
        return f"Connection(url={self.url!r}, api_key=<hidden>)"

    __str__ = __repr__


def _scrub(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "<api key>")
    return text


def _detail(body) -> str:
    if isinstance(body, dict) and isinstance(body.get("validation_errors"), dict):
        return " ".join(" ".join(map(str, v)) if isinstance(v, list) else str(v)
                        for v in body["validation_errors"].values()).replace("\n", " ")
    if isinstance(body, dict):
        for key in ("detail", "validation_errors", "message", "error"):
            if body.get(key):
                return str(body[key])
    return str(body)[:300] if body else ""


@contextlib.contextmanager
def server_errors(url: str, what: str, secret: str | None = None, *, not_found: str | None = None):
    """Turn SDK/HTTP failures into one LabelStudioError that says what to do; the key never shows."""
    from label_studio_sdk.core.api_error import ApiError

    try:
        yield
    except LabelStudioError:
        raise
    except ApiError as exc:
        status = exc.status_code or 0
        if status in (401, 403):
            message = (f"Label Studio at {url} refused the API key ({status}) while trying to {what}; "
                       "check LABEL_STUDIO_API_KEY (a personal access token from Account & Settings, "
                       "or a legacy token if your organisation enables them)")
        elif status == 404:
            message = not_found or f"Label Studio at {url} answered 404 (not found) while trying to {what}"
        elif status >= 500:
            message = (f"Label Studio at {url} failed with a server error ({status}) while trying to "
                       f"{what}; check the server's log, then rerun (the command is safe to repeat)")
        else:
            message = f"Label Studio at {url} rejected the request to {what} ({status}): {_detail(exc.body)}"
        raise LabelStudioError(_scrub(message, secret)) from None
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        message = (f"cannot reach Label Studio at {url} ({type(exc).__name__}) while trying to {what}; "
                   "is the server running? Start a local one with `annotate studio`, or check "
                   "LABEL_STUDIO_URL / --url")
        raise LabelStudioError(_scrub(message, secret)) from None
    except httpx.TimeoutException:
        raise LabelStudioError(f"Label Studio at {url} did not answer in time while trying to {what}; "
                               "rerun the command (it is safe to repeat)") from None
    except httpx.HTTPError as exc:
        raise LabelStudioError(_scrub(f"HTTP error talking to Label Studio at {url} while trying to "
                                      f"{what}: {type(exc).__name__}", secret)) from None
    except ValueError as exc:
        # An answer that is not Label Studio's JSON: an HTML page (another server at that address,
        # a proxy's page), or JSON of another shape (json's and pydantic's errors are ValueErrors,
        # _get_json raises NotLabelStudio). The body is not quoted: it may echo the request.
        raise LabelStudioError(f"the server at {url} answered with something that is not Label "
                               f"Studio's API ({type(exc).__name__}) while trying to {what}; check "
                               "that --url / LABEL_STUDIO_URL is Label Studio's address") from None


class NotLabelStudio(ValueError):
    """A JSON answer without the fields Label Studio's API gives."""


class Session:
    """One SDK client for a run (a PAT is exchanged for an access token once, not per call), and
    one plain HTTP client beside it for the few calls whose answers are too big to build SDK
    models from (task listings): `request` is the one place annotate sends raw HTTP to the API."""

    def __init__(self, connection: Connection):
        self.url = connection.url.rstrip("/")
        self.key = connection.api_key
        if not self.key:
            raise LabelStudioError("no Label Studio API key: set LABEL_STUDIO_API_KEY or pass --api-key")
        self._ls = None
        self._http: httpx.Client | None = None
        self._authorization: str | None = None

    @property
    def ls(self):
        """The SDK client, made on first use: importing the SDK costs about a second, and a
        no-op re-push needs only raw requests."""
        if self._ls is None:
            from label_studio_sdk import LabelStudio

            # PATs are JWT refresh tokens: the SDK exchanges them for short-lived access tokens
            # and refreshes those itself; legacy tokens are sent as they are.
            with server_errors(self.url, "read the API key", self.key):
                self._ls = LabelStudio(base_url=self.url, api_key=self.key,
                                       timeout=TIMEOUT_SECONDS)
        return self._ls

    def __repr__(self) -> str:
        return f"Session(url={self.url!r})"

    def _auth_header(self, renew: bool = False) -> str:
        """`Bearer <access token>` for a PAT (a JWT refresh token), `Token <key>` for a legacy one."""
        if self._authorization is None or renew:
            if self.key.count(".") == 2:  # a JWT: exchange it, as the SDK does
                response = self._client().post("/api/token/refresh", json={"refresh": self.key})
                if response.status_code >= 400:
                    from label_studio_sdk.core.api_error import ApiError

                    raise ApiError(status_code=response.status_code, body=None)
                self._authorization = f"Bearer {response.json()['access']}"
            else:
                self._authorization = f"Token {self.key}"
        return self._authorization

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(base_url=self.url, timeout=TIMEOUT_SECONDS)
        return self._http

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """A raw API request (auth included; an expired access token is renewed once). Raises
        the SDK's ApiError on 4xx/5xx, so `server_errors` words it like every other call."""
        from label_studio_sdk.core.api_error import ApiError

        path = "/" + path.lstrip("/")
        response = self._client().request(method, path, headers={
            "Authorization": self._auth_header()}, **kwargs)
        if response.status_code == 401:
            response = self._client().request(method, path, headers={
                "Authorization": self._auth_header(renew=True)}, **kwargs)
        if response.status_code >= 400:
            raise ApiError(status_code=response.status_code, body=response.text[:500])
        return response


    @contextlib.contextmanager
    def stream(self, method: str, path: str, **kwargs):
        """`request` with the body left unread, to consume as it arrives (`iter_bytes`)."""
        from label_studio_sdk.core.api_error import ApiError

        path = "/" + path.lstrip("/")
        for renew in (False, True):
            headers = {"Authorization": self._auth_header(renew=renew)}
            with self._client().stream(method, path, headers=headers, **kwargs) as response:
                if response.status_code == 401 and not renew:
                    continue
                if response.status_code >= 400:
                    response.read()
                    raise ApiError(status_code=response.status_code, body=response.text[:500])
                yield response
                return


def is_healthy(url: str, timeout: float = 5.0) -> bool:
    """Whether a Label Studio answers 200 on /health at `url` (no key needed)."""
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def connect(connection: Connection) -> Session:
    return Session(connection)


# --- accounts and tokens (session login, used by `annotate studio` and the test fixture) ---------

def _login(url: str, email: str, password: str) -> httpx.Client:
    """A cookie session logged in through the login form (how Label Studio issues PATs)."""
    session = httpx.Client(base_url=url, timeout=60.0)
    with server_errors(url, "log in", password):
        session.get("/user/login/").raise_for_status()
        response = session.post("/user/login/", data={
            "email": email, "password": password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
            headers={"Referer": f"{url}/user/login/"})
    if response.status_code != 302:
        session.close()
        raise LabelStudioError(f"Label Studio at {url} refused the login of {email} "
                               f"({response.status_code}); check the email and password")
    return session


def _csrf_headers(session: httpx.Client, url: str) -> dict:
    return {"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": url}


def create_access_token(url: str, email: str, password: str) -> str:
    """Log in and create the user's personal access token (Label Studio allows one per user)."""
    session = _login(url, email, password)
    try:
        with server_errors(url, "create a personal access token", password):
            response = session.post("/api/token/", headers=_csrf_headers(session, url))
    finally:
        session.close()
    if response.status_code == 409 or (response.status_code == 400 and "exist" in response.text):
        raise LabelStudioError(f"{email} already has a personal access token; revoke it in Label "
                               "Studio (Account & Settings) or use the one you have")
    if response.status_code != 201:
        raise LabelStudioError(f"Label Studio at {url} did not create an access token for {email} "
                               f"({response.status_code})")
    return response.json()["token"]


def invite_token(session: Session) -> str:
    """The organisation's invite token: whoever has the signup link with it can join."""
    ls = session.ls
    with server_errors(session.url, "read the invite link", session.key):
        return ls.organizations.invites.get_invite_link().token  # type: ignore[attr-defined]


# --- projects -----------------------------------------------------------------------------------

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


def _project_dict(project) -> dict:
    values = {name: getattr(project, name, None) for name in PROJECT_FIELDS}
    return {**values, "created_at": _iso(values["created_at"])}


def projects_titled(session: Session, title: str) -> list[dict]:
    """Every project with exactly this title, oldest (lowest id) first."""
    include = ",".join(PROJECT_FIELDS)  # leave out the per-project counters: they cost
    with server_errors(session.url, "list projects", session.key):
        matches, page, more = [], 1, True
        while more:
            body = _get_json(session, "api/projects/", {"title": title, "include": include,
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


def delete_project(session: Session, project_id: int) -> None:
    ls = session.ls
    with server_errors(session.url, f"delete the empty project {project_id}", session.key):
        ls.projects.delete(id=project_id)


def require_project(session: Session, title: str) -> dict:
    project = find_project(session, title)
    if project is None:
        raise LabelStudioError(f"no project titled {title!r} in Label Studio at {session.url} "
                               "(404); check --project, or push to create it")
    return project


def create_project(session: Session, title: str, **settings) -> dict:
    ls = session.ls
    with server_errors(session.url, f"create the project {title!r}", session.key):
        return _project_dict(ls.projects.create(title=title, **settings))


def update_project(session: Session, project_id: int, **settings) -> dict:
    ls = session.ls
    with server_errors(session.url, "update the project", session.key):
        return _project_dict(ls.projects.update(id=project_id, **settings))


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
                f"existing annotations. Label Studio says: {_detail(exc.body)} Keep the labels "
                "annotators used in schemas/labels.toml, or push to a new project.") from None


# --- tasks and predictions ----------------------------------------------------------------------

def _get_json(session: Session, path: str, params: dict, fields: tuple[str, ...]) -> dict:
    """A GET returning the parsed JSON object without building SDK models: listing 5,000 tasks as
    models costs more than the request itself. Raises NotLabelStudio when the object lacks one of
    `fields`."""
    body = session.request("GET", path, params=params).json()
    if not isinstance(body, dict) or not all(name in body for name in fields):
        raise NotLabelStudio(f"GET {path} did not give an object with {', '.join(fields)}")
    return body


def _task_pages(session: Session, project_id: int, include: str, query: dict | None = None,
                page_size: int = 5000) -> Iterator[list[dict]]:
    """Tasks as plain JSON with only the `include`d fields, a few large pages, one at a time."""
    params = {"project": project_id, "page_size": page_size, "include": include,
              "resolve_uri": "false"}
    if query is not None:
        params["query"] = json.dumps(query)
    listed, page, total = 0, 1, None
    with server_errors(session.url, "list the project's tasks", session.key,
                       not_found=f"project {project_id} not found in Label Studio (404)"):
        while total is None or listed < total:
            body = _get_json(session, "api/tasks", {**params, "page": page},
                             fields=("total", "tasks"))
            total = body["total"]
            if not body["tasks"]:
                break
            listed += len(body["tasks"])
            yield body["tasks"]
            page += 1


_INDEX_FIELDS = "id,data,total_annotations,cancelled_annotations"


def iter_task_index(session: Session, project_id: int, after: int | None = None,
                    page_size: int = 5000) -> Iterator[tuple[int, str | None, bool]]:
    """(task id, sentence id, annotated or skipped) of every task (with an id above `after`), a
    page at a time: a push of 100,000 tasks holds one page of JSON, not the whole listing."""
    query = None if after is None else _after(after)
    for tasks in _task_pages(session, project_id, _INDEX_FIELDS, query, page_size):
        for t in tasks:
            yield (t["id"], (t.get("data") or {}).get("sentence_id"),
                   bool((t.get("total_annotations") or 0) + (t.get("cancelled_annotations") or 0)))


def task_index(session: Session, project_id: int, page_size: int = 5000) -> list[dict]:
    """Every task's id, sentence id and whether anyone annotated or skipped it: a few large pages
    with only these fields (no annotations or predictions), not a request per task."""
    return [{"id": i, "sentence_id": sentence_id, "annotated": annotated}
            for i, sentence_id, annotated in iter_task_index(session, project_id, None, page_size)]


def _after(task_id: int) -> dict:
    return {"filters": {"conjunction": "and", "items": [
        {"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": task_id}]}}


def tasks_after(session: Session, project_id: int, task_id: int) -> dict[int, str | None]:
    """Task id -> sentence id of the tasks whose id is above `task_id` (a Data Manager filter:
    the server reads only those rows, so this is cheap when there are few)."""
    return {t["id"]: (t.get("data") or {}).get("sentence_id")
            for page in _task_pages(session, project_id, "id,data", _after(task_id)) for t in page}


def task_index_after(session: Session, project_id: int, task_id: int) -> list[dict]:
    """Like `task_index`, for the tasks whose id is above `task_id` only."""
    return [{"id": i, "sentence_id": sentence_id, "annotated": annotated}
            for i, sentence_id, annotated in iter_task_index(session, project_id, task_id)]


def delete_tasks(session: Session, project_id: int, task_ids: list[int]) -> None:
    """Delete these tasks in one request (the Data Manager's delete action)."""
    if not task_ids:
        return
    ls = session.ls
    with server_errors(session.url, f"delete {len(task_ids)} duplicate tasks", session.key):
        ls.actions.create(id="delete_tasks", project=project_id,
                          selected_items={"all": False, "included": sorted(task_ids)})


def import_tasks(session: Session, project_id: int, tasks: list[dict]) -> list[int]:
    """Create tasks (with their predictions inline) in one request; return their ids in order."""
    ls = session.ls
    with server_errors(session.url, f"import {len(tasks)} tasks", session.key):
        response = ls.projects.import_tasks(id=project_id, request=tasks, return_task_ids=True)
    return list(response.task_ids or [])


def _streamed_predictions(session: Session, project_id: int) -> Iterator[dict]:
    """The project's predictions as {"id", "task", "model_version"}, parsed as the answer arrives
    (one request; it holds every prediction's result, ~1 kB each, unpaged), so 200,000
    predictions never sit in memory."""
    import ijson

    found = ijson.sendable_list()
    parser = ijson.items_coro(found, "item", use_float=True)
    with server_errors(session.url, "list the project's predictions", session.key):
        with session.stream("GET", "api/predictions/", params={"project": project_id}) as answer:
            try:
                for chunk in answer.iter_bytes():
                    parser.send(chunk)
                    for item in found:
                        if not isinstance(item, dict) or "task" not in item:
                            raise NotLabelStudio("GET api/predictions/ did not list predictions")
                        yield {"id": item.get("id"), "task": item["task"],
                               "model_version": item.get("model_version") or ""}
                    del found[:]
                parser.close()
            except ijson.JSONError:
                raise NotLabelStudio("GET api/predictions/ did not answer JSON") from None


def prediction_versions(session: Session, project_id: int) -> dict[int, set[str]]:
    """The model versions of the predictions on each task (one streamed request)."""
    versions: dict[int, set[str]] = {}
    for item in _streamed_predictions(session, project_id):
        versions.setdefault(item["task"], set()).add(item["model_version"])
    return versions


def predictions(session: Session, project_id: int) -> Iterator[dict]:
    """Every prediction of the project as {"id", "task", "model_version"}, streamed (one
    request; the SDK's list built a model object per prediction: ~7 ms each, all in memory)."""
    return _streamed_predictions(session, project_id)


def delete_predictions(session: Session, prediction_ids: list[int]) -> None:
    """Delete predictions by id; one already gone (another push removed it) is not an error."""
    from label_studio_sdk.core.api_error import ApiError

    ls = session.ls
    with server_errors(session.url, "delete duplicate predictions", session.key):
        for prediction_id in prediction_ids:
            try:
                ls.predictions.delete(id=prediction_id)
            except ApiError as exc:
                if exc.status_code != 404:
                    raise


def import_predictions(session: Session, project_id: int, predictions: list[dict]) -> int:
    """Attach predictions ({"task": id, "model_version", "score", "result"}) in one request."""
    ls = session.ls
    with server_errors(session.url, f"import {len(predictions)} predictions", session.key):
        response = ls.projects.import_predictions(id=project_id, request=predictions)
    return getattr(response, "created", None) or len(predictions)


# --- export -------------------------------------------------------------------------------------

def users(session: Session) -> dict[int, str]:
    """User id -> email, to name annotators (exports carry only the id)."""
    ls = session.ls
    with server_errors(session.url, "list users", session.key):
        return {u.id: u.email for u in ls.users.list()}


def export_tasks(session: Session, project_id: int, poll_seconds: float = 0.2) -> bytes:
    """All tasks with annotations and drafts as Label Studio JSON (see `download_export`)."""
    import io

    buffer = io.BytesIO()
    download_export(session, project_id, buffer, poll_seconds)
    return buffer.getvalue()


def download_export(session: Session, project_id: int, handle, poll_seconds: float = 0.2,
                    timeout: float = EXPORT_TIMEOUT_SECONDS) -> int:
    """Write all tasks with annotations and drafts, as Label Studio JSON, to the binary `handle`,
    chunk by chunk as they arrive (a project of 100,000 tasks is never in memory), through an
    export snapshot (no per-task requests), with each annotation's `completed_by` expanded to the
    user (id, email, names). Community builds the snapshot inside the request that creates it
    (Enterprise in the background, then polled), so that request may take `timeout` seconds.
    Returns the bytes written."""
    import time

    ls = session.ls
    written = 0
    with server_errors(session.url, "export the project", session.key,
                       not_found=f"project {project_id} not found in Label Studio (404)"):
        # completed_by expanded to {id, email, ...}: the file names its annotators by itself
        try:
            snapshot = ls.projects.exports.create(
                id=project_id, title="annotate export pull",
                serialization_options={"annotations__completed_by": {"only_id": False}},
                request_options={"timeout": timeout})
        except httpx.TimeoutException:
            raise LabelStudioError(
                f"Label Studio at {session.url} did not finish building the export of project "
                f"{project_id} within {timeout:g} s (Label Studio Community builds it inside the "
                "request; a large project takes long, longer on a busy server); rerun with a "
                "larger --export-timeout") from None
        status = snapshot.status
        while status not in ("completed", "failed"):
            time.sleep(poll_seconds)
            status = ls.projects.exports.get(id=project_id, export_pk=snapshot.id).status
        if status == "failed":
            raise LabelStudioError(f"Label Studio could not build the export of project {project_id}; "
                                   "see the server's log")
        for chunk in ls.projects.exports.download(id=project_id, export_pk=snapshot.id,
                                                  export_type="JSON"):
            handle.write(chunk)
            written += len(chunk)
        ls.projects.exports.delete(id=project_id, export_pk=snapshot.id)
    return written


# --- ML backends (annotate serve) ---------------------------------------------------------------

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


def unannotated_tasks(session: Session, project_id: int) -> list[dict]:
    """Tasks nobody annotated or skipped, with their data ({"id", "data"})."""
    return [{"id": t["id"], "data": t.get("data") or {}}
            for page in _task_pages(session, project_id, _INDEX_FIELDS) for t in page
            if not (t.get("total_annotations") or 0) + (t.get("cancelled_annotations") or 0)]
