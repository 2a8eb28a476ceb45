"""Tasks and predictions: compact listings (plain JSON pages, no SDK models), imports, deletes."""

from __future__ import annotations

import json
from collections.abc import Iterator

from annotate.labelstudio.client.session import (
    NotLabelStudio,
    Session,
    send_json,
    server_errors,
)

def _tasks(session: Session, project_id: int, include: str, query: dict | None = None,
           page_size: int = 5000) -> Iterator[dict]:
    """Tasks as plain JSON with only the `include`d fields, a few large pages, each parsed as it
    arrives: a listing of 100,000 tasks never sits in memory, not even one page of it."""
    params = {"project": project_id, "page_size": page_size, "include": include,
              "resolve_uri": "false"}
    if query is not None:
        params["query"] = json.dumps(query)
    listed, page = 0, 1
    with server_errors(session.url, "list the project's tasks", session.key,
                       not_found=f"project {project_id} not found in Label Studio (404)"):
        while True:
            totals: list = []
            on_page = 0
            for task in _streamed_page(session, {**params, "page": page}, totals):
                on_page += 1
                yield task
            if not totals:
                raise NotLabelStudio("GET api/tasks did not give an object with total, tasks")
            listed += on_page
            if not on_page or listed >= totals[0]:
                return
            page += 1


def _streamed_page(session: Session, params: dict, totals: list) -> Iterator[dict]:
    """One page of GET api/tasks, its tasks yielded as they are parsed; the page's "total" (the
    tasks matching the query) is appended to `totals` once the whole answer is read."""
    import ijson

    found, total = ijson.sendable_list(), ijson.sendable_list()
    tasks = ijson.items_coro(found, "tasks.item", use_float=True)
    counts = ijson.items_coro(total, "total")
    try:
        with session.stream("GET", "api/tasks", params=params) as answer:
            for chunk in answer.iter_bytes():
                tasks.send(chunk)
                counts.send(chunk)
                yield from _checked(found)
                del found[:]
        tasks.close()
        counts.close()
    except ijson.JSONError:
        raise NotLabelStudio("GET api/tasks did not answer JSON") from None
    yield from _checked(found)  # the last few, parsed only when the parser closed
    if total and isinstance(total[0], int):
        totals.append(total[0])


def _checked(found: list) -> Iterator[dict]:
    for task in found:
        if not isinstance(task, dict) or "id" not in task:
            raise NotLabelStudio("GET api/tasks listed something that is not a task")
        yield task


_INDEX_FIELDS = "id,data,total_annotations,cancelled_annotations"


def iter_task_index(session: Session, project_id: int, after: int | None = None,
                    page_size: int = 5000) -> Iterator[tuple[int, str | None, bool]]:
    """(task id, sentence id, annotated or skipped) of every task (with an id above `after`), a
    page at a time: a push of 100,000 tasks holds one page of JSON, not the whole listing."""
    query = None if after is None else _after(after)
    for t in _tasks(session, project_id, _INDEX_FIELDS, query, page_size):
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
            for t in _tasks(session, project_id, "id,data", _after(task_id))}


def task_index_after(session: Session, project_id: int, task_id: int) -> list[dict]:
    """Like `task_index`, for the tasks whose id is above `task_id` only."""
    return [{"id": i, "sentence_id": sentence_id, "annotated": annotated}
            for i, sentence_id, annotated in iter_task_index(session, project_id, task_id)]


def tasks_holding_work(session: Session, task_ids) -> set[int]:
    """The tasks among `task_ids` that hold anything an annotator made: an annotation (submitted
    or skipped) or a draft, by anyone.

    Asked of each task's own rows (its detail lists every annotation; its draft list every
    user's drafts), not of the counters a task listing gives: model signals keep those, and Label
    Studio switches every signal off while it deletes a project (see
    `reconcile.settle_project`), so an annotation saved meanwhile is never counted; and drafts
    have no counter. Two requests a task: meant for the few copies a push is about to delete."""
    held = set()
    with server_errors(session.url, "check tasks for annotations before deleting them",
                       session.key):
        for task_id in task_ids:
            detail = send_json(session, "GET", f"api/tasks/{task_id}/", None, ("id",))
            drafts = session.request("GET", f"api/tasks/{task_id}/drafts").json()
            if not isinstance(drafts, list):
                raise NotLabelStudio(f"GET api/tasks/{task_id}/drafts did not list drafts")
            if (detail.get("annotations") or drafts or detail.get("total_annotations")
                    or detail.get("cancelled_annotations")):
                held.add(task_id)
    return held


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
    with server_errors(session.url, f"import {len(tasks)} tasks", session.key):
        answer = send_json(session, "POST", f"api/projects/{project_id}/import", tasks,
                           fields=("task_count",), params={"return_task_ids": "true"})
    return [int(task_id) for task_id in answer.get("task_ids") or []]


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

    if not prediction_ids:  # the usual case: no SDK client made for nothing
        return
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
    with server_errors(session.url, f"import {len(predictions)} predictions", session.key):
        answer = send_json(session, "POST", f"api/projects/{project_id}/import/predictions",
                           predictions, fields=())
    return answer.get("created") or len(predictions)


def unannotated_tasks(session: Session, project_id: int) -> list[dict]:
    """Tasks nobody annotated or skipped, with their data ({"id", "data"})."""
    return [{"id": t["id"], "data": t.get("data") or {}}
            for t in _tasks(session, project_id, _INDEX_FIELDS)
            if not (t.get("total_annotations") or 0) + (t.get("cancelled_annotations") or 0)]
