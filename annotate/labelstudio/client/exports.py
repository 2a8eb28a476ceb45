"""Exports: the project's tasks with annotations and drafts, streamed to a file; the users who
made them."""

from __future__ import annotations

import httpx

from annotate.errors import LabelStudioError
from annotate.labelstudio.client.session import EXPORT_TIMEOUT_SECONDS, Session, server_errors

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
