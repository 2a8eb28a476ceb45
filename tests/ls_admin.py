"""Label Studio chores only the tests and benchmarks need: signing annotators up, legacy tokens,
Label Studio's own (synchronous) export. The toolkit itself never does these."""

from __future__ import annotations

import httpx

from annotate.errors import LabelStudioError
from annotate.labelstudio.client import Session, server_errors


def sign_up(url: str, invite: str, email: str, password: str) -> None:
    """Create an account through the signup form with the organisation's invite token."""
    with httpx.Client(base_url=url, timeout=60.0) as session:
        with server_errors(url, "sign up a user", password):
            session.get("/user/signup/", params={"token": invite})
            response = session.post("/user/signup/", params={"token": invite}, data={
                "email": email, "password": password,
                "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
                headers={"Referer": f"{url}/user/signup/"})
    if response.status_code != 302:
        raise LabelStudioError(f"Label Studio at {url} refused to create the account {email} "
                               f"({response.status_code}); is the email taken or the password weak?")


def enable_legacy_tokens(session: Session) -> None:
    """Turn legacy (non-expiring) tokens back on for the organisation (off by default since 1.17)."""
    ls = session.ls
    with server_errors(session.url, "enable legacy tokens", session.key):
        # api_token_ttl_days is required by the SDK's signature; the open-source server ignores it.
        ls.jwt_settings.update(api_token_ttl_days=3650, api_tokens_enabled=True,
                               legacy_api_tokens_enabled=True)


def legacy_token(session: Session) -> str:
    """The current user's legacy token (works only once legacy tokens are enabled)."""
    ls = session.ls
    with server_errors(session.url, "read the legacy token", session.key):
        return ls.users.get_token().token


def export_raw(session: Session, project_id: int) -> bytes:
    """Label Studio's plain JSON export endpoint (what the benchmark compares pull against)."""
    ls = session.ls
    with server_errors(session.url, "export the project", session.key):
        return b"".join(ls.projects.exports.download_sync(id=project_id, export_type="JSON",
                                                          download_all_tasks=True))
