"""The connection to one Label Studio: the SDK client and raw HTTP beside it, and the one place
failures become a LabelStudioError that says what to do (and never shows the API key)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

import httpx

from annotate.errors import LabelStudioError

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


def error_detail(body) -> str:
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
            message = f"Label Studio at {url} rejected the request to {what} ({status}): {error_detail(exc.body)}"
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
        headers = kwargs.pop("headers", None) or {}
        response = self._client().request(method, path, headers={
            **headers, "Authorization": self._auth_header()}, **kwargs)
        if response.status_code == 401:
            response = self._client().request(method, path, headers={
                **headers, "Authorization": self._auth_header(renew=True)}, **kwargs)
        if response.status_code >= 400:
            raise ApiError(status_code=response.status_code, body=_error_body(response))
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
                    raise ApiError(status_code=response.status_code, body=_error_body(response))
                yield response
                return


def _error_body(response: httpx.Response):
    """An error answer as the SDK gives it: Label Studio's JSON when it is JSON, else some text."""
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def is_healthy(url: str, timeout: float = 5.0) -> bool:
    """Whether a Label Studio answers 200 on /health at `url` (no key needed)."""
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def connect(connection: Connection) -> Session:
    return Session(connection)


def get_json(session: Session, path: str, params: dict, fields: tuple[str, ...]) -> dict:
    """A GET returning the parsed JSON object without building SDK models: listing 5,000 tasks as
    models costs more than the request itself. Raises NotLabelStudio when the object lacks one of
    `fields`."""
    return send_json(session, "GET", path, None, fields, params=params)


def send_json(session: Session, method: str, path: str, body, fields: tuple[str, ...],
              params: dict | None = None) -> dict:
    """A request with a JSON body (`body`, None for none) answered by a JSON object with `fields`.

    Raw, not through the SDK: the SDK walks every value of a body through its pure-Python
    `jsonable_encoder` (about a second per 3,000 tasks with predictions) and importing its client
    costs about a second more; json.dumps writes the same JSON. Sent once: nothing is resent
    after a 5xx (Label Studio may have committed part of a request that failed)."""
    content = None if body is None else json.dumps(
        body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json"} if content is not None else {}
    answer = session.request(method, path, params=params, content=content, headers=headers).json()
    if not isinstance(answer, dict) or not all(name in answer for name in fields):
        raise NotLabelStudio(f"{method} {path} did not give an object with {', '.join(fields)}")
    return answer
