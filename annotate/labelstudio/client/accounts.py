"""Accounts and tokens: a session login, as `annotate studio` and the test fixture need."""

from __future__ import annotations

import httpx

from annotate.errors import LabelStudioError
from annotate.labelstudio.client.session import Session, server_errors

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
