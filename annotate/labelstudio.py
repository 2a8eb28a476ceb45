"""Everything that talks to a Label Studio server. The ONLY module that imports label_studio_sdk.

Functions take plain values and return plain dicts/lists, so the conversion (annotate.tasks) and the
orchestration (annotate.export) never see SDK objects. Every failure becomes one LabelStudioError
whose message never contains the API key.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import httpx

from .errors import LabelStudioError

# Large imports and exports on a busy server take a while; the SDK's default (60 s) is too short.
TIMEOUT_SECONDS = 600.0


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


def client(connection: Connection):
    """An SDK client. PATs (JWT refresh tokens) are exchanged for access tokens by the SDK itself."""
    from label_studio_sdk import LabelStudio

    url = connection.url.rstrip("/")
    if not connection.api_key:
        raise LabelStudioError("no Label Studio API key: set LABEL_STUDIO_API_KEY or pass --api-key")
    with server_errors(url, "read the API key", connection.api_key):
        return LabelStudio(base_url=url, api_key=connection.api_key, timeout=TIMEOUT_SECONDS)


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


def invite_token(connection: Connection) -> str:
    """The organisation's invite token: whoever has the signup link with it can join."""
    ls = client(connection)
    with server_errors(connection.url, "read the invite link", connection.api_key):
        return ls.organizations.invites.get_invite_link().token  # type: ignore[attr-defined]


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


def enable_legacy_tokens(connection: Connection) -> None:
    """Turn legacy (non-expiring) tokens back on for the organisation (off by default since 1.17)."""
    ls = client(connection)
    with server_errors(connection.url, "enable legacy tokens", connection.api_key):
        # api_token_ttl_days is required by the SDK's signature; the open-source server ignores it.
        ls.jwt_settings.update(api_token_ttl_days=3650, api_tokens_enabled=True,
                               legacy_api_tokens_enabled=True)


def legacy_token(connection: Connection) -> str:
    """The current user's legacy token (works only once legacy tokens are enabled)."""
    ls = client(connection)
    with server_errors(connection.url, "read the legacy token", connection.api_key):
        return ls.users.get_token().token
