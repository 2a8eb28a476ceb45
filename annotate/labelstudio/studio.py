"""`annotate studio`: a local Label Studio on loopback, SQLite in a per-user data directory, or
a PostgreSQL database (`--database postgresql://...`) for projects of 100,000 tasks and several
annotators at once (SQLite answers "database is locked" there).

Layout of the studio directory ($ANNOTATE_STUDIO_DIR, else $XDG_DATA_HOME/annotate/studio, else
~/.local/share/annotate/studio), created 0700:
    data/               Label Studio's data dir (SQLite database, media, its secret key)
    credentials.json    0600: URL, admin email and password, the admin's personal access token,
                        and the PostgreSQL URL when one was given (it may hold that password)
    server.log          the server's output
    server.pid          the process group of a server started with --background
    serve.log/.pid      the same for `annotate serve` (--ml-backend), the model beside it

`export push/pull` use it when LABEL_STUDIO_URL is not set.

The per-user data directory ($ANNOTATE_DATA_DIR, else $XDG_DATA_HOME/annotate, else
~/.local/share/annotate) holds the studio directory (unless $ANNOTATE_STUDIO_DIR moves it) and
push-index/, the index of the tasks `export push` created on each server (annotate.labelstudio.push_index).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from annotate.errors import LabelStudioError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import server
from annotate.records import atomic_output

ADMIN_EMAIL = "admin@localhost"
DEFAULT_PORT = 8080


def data_dir() -> Path:
    """The per-user data directory of annotate (not created here)."""
    if os.environ.get("ANNOTATE_DATA_DIR"):
        return Path(os.environ["ANNOTATE_DATA_DIR"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "annotate"


def studio_dir() -> Path:
    if os.environ.get("ANNOTATE_STUDIO_DIR"):
        return Path(os.environ["ANNOTATE_STUDIO_DIR"]).expanduser()
    return data_dir() / "studio"


def credentials_path() -> Path:
    return studio_dir() / "credentials.json"


def _pid_path() -> Path:
    return studio_dir() / "server.pid"


def _log_path() -> Path:
    return studio_dir() / "server.log"


def _save_credentials(credentials: dict) -> None:
    with atomic_output(credentials_path(), private=True) as handle:
        json.dump(credentials, handle, indent=1)


def _serve_pid_path() -> Path:
    return studio_dir() / "serve.pid"


def _serve_log_path() -> Path:
    return studio_dir() / "serve.log"


DEFAULT_BACKEND_PORT = 9090


def read_credentials() -> dict | None:
    """The stored account ({email, password, port} and, once made, {url, token}); None if none."""
    fresh_start = f"delete the studio directory {studio_dir()} to start afresh"
    try:
        credentials = json.loads(credentials_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise LabelStudioError(f"cannot read {credentials_path()} ({exc}); {fresh_start}") from None
    if (not isinstance(credentials, dict) or not {"email", "password", "port"} <= credentials.keys()
            or ("token" in credentials and "url" not in credentials)):
        raise LabelStudioError(f"{credentials_path()} is not the account annotate studio stored; "
                               f"{fresh_start}")
    return credentials


def is_initialised(database: str | None = None) -> bool:
    """Whether the server's database exists already (the first start creates it, slowly)."""
    credentials = read_credentials() or {}
    database = database or credentials.get("database")
    if database is not None:
        return "token" in credentials and credentials.get("database") == database
    return (studio_dir() / "data" / "label_studio.sqlite3").exists()


@dataclass
class StudioInfo:
    url: str
    email: str
    password: str | None        # shown only when the account was just created
    credentials: Path
    invite_url: str | None
    pid: int | None
    started: bool               # False when it was already running
    created: bool               # first run: account and token just made


def _running_pid(pid_path: Path | None = None) -> int | None:
    try:
        pid = int((pid_path or _pid_path()).read_text().strip())
        os.killpg(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def _healthy(url: str) -> bool:
    try:
        server.wait_until_healthy(url, None, _log_path(), timeout=1.0)
        return True
    except LabelStudioError:
        return False


def start(port: int | None = None, *, background: bool = True,
          database: str | None = None) -> tuple[StudioInfo, object]:
    """Start (or find running) the local server; on first run create the admin and its token.

    `database` (a postgresql:// URL) is remembered: later starts without it use it again. A
    studio whose account lives in one database cannot be moved to another (the token would not
    be there): that is refused with what to do.
    Returns the info and the server process (None when it was already running).
    """
    directory = studio_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(directory, 0o700)
    except OSError as exc:
        raise LabelStudioError(f"cannot make the studio directory {directory} ({exc.strerror or exc}); "
                               "set ANNOTATE_STUDIO_DIR or ANNOTATE_DATA_DIR to a writable "
                               "directory") from None
    credentials = read_credentials() or {}
    remembered = dict(credentials)  # restored if the server found at the port is not this studio's
    created = "token" not in credentials
    if database is not None:
        server.parse_database_url(database)  # a malformed URL fails before anything is written
    if created:
        credentials = {"email": ADMIN_EMAIL, "password": secrets.token_urlsafe(12),
                       "port": port or _default_port()}
        if database is not None:
            credentials["database"] = database
    else:
        if database is not None and database != credentials.get("database"):
            stored = credentials.get("database")
            was = server.redact_database_url(stored) if stored else "SQLite"
            raise LabelStudioError(f"the studio in {directory} keeps its account in {was}, not "
                                   f"{server.redact_database_url(database)}; set "
                                   "ANNOTATE_STUDIO_DIR to a new directory for the other database")
        if port and port != credentials["port"]:
            credentials["port"] = port
    database = credentials.get("database")
    url = f"http://127.0.0.1:{credentials['port']}"
    credentials["url"] = url
    _save_credentials(credentials)

    process, started = None, False
    running = _healthy(url)
    if running and not (_running_pid() and remembered.get("port") == credentials["port"]):
        # A Label Studio this studio did not start answers at the port (another studio, another
        # program's server). Label Studio instances may accept each other's tokens, so the
        # process, not the token, tells ours.
        if remembered:
            _save_credentials(remembered)
        raise LabelStudioError(
            f"a Label Studio is answering at {url}, but it is not the studio in {directory}: "
            f"another server holds port {credentials['port']}; stop it, or start this studio on "
            "a free port with `annotate studio --background --port N`")
    if not running:
        if server.port_is_open(credentials["port"]):
            raise LabelStudioError(f"port {credentials['port']} is taken by another program; "
                                   "choose another with `annotate studio --port N`")
        process = server.start(directory / "data", credentials["port"], _log_path(),
                               admin=(credentials["email"], credentials["password"]),
                               database=database)
        started = True
        try:
            server.wait_until_healthy(url, process, _log_path())
        except BaseException:
            server.stop(process.pid)
            raise
        _pid_path().write_text(str(process.pid))  # foreground too: it tells our server from others
    if created:
        credentials["token"] = labelstudio.create_access_token(url, credentials["email"],
                                                               credentials["password"])
        _save_credentials(credentials)
    session = labelstudio.connect(labelstudio.Connection(url, credentials["token"]))
    invite = labelstudio.invite_token(session)
    info = StudioInfo(url=url, email=credentials["email"],
                      password=credentials["password"] if created else None,
                      credentials=credentials_path(), invite_url=f"{url}/user/signup/?token={invite}",
                      pid=process.pid if process else _running_pid(), started=started,
                      created=created)
    return info, process


def _default_port() -> int:
    return DEFAULT_PORT if not server.port_is_open(DEFAULT_PORT) else server.free_port()


def start_ml_backend(port: int | None = None) -> tuple[str, object]:
    """Start `annotate serve` beside the local studio (it pulls from the studio to retrain), or
    find the one started before: (its URL, the process or None when it was already running)."""
    from annotate.labelstudio.backend import process as serve_process

    recorded = _running_pid(_serve_pid_path())
    port_file = studio_dir() / "serve.port"
    if recorded is not None and port_file.exists():
        url = f"http://127.0.0.1:{port_file.read_text().strip()}"
        if serve_process.health(url):
            return url, None
    port = port or (DEFAULT_BACKEND_PORT if not server.port_is_open(DEFAULT_BACKEND_PORT)
                    else server.free_port())
    if server.port_is_open(port):
        raise LabelStudioError(f"port {port} is taken by another program; choose another with "
                               "`annotate studio --ml-backend --ml-backend-port N`")
    url = f"http://127.0.0.1:{port}"
    # no LABEL_STUDIO_URL/KEY for it: without them serve pulls from this studio
    process = serve_process.start(port, _serve_log_path(), env={
        "LABEL_STUDIO_URL": "", "LABEL_STUDIO_API_KEY": ""})
    serve_process.wait_until_up(url, process, _serve_log_path())
    _serve_pid_path().write_text(str(process.pid))  # `annotate studio --stop` stops it too
    port_file.write_text(str(port))
    return url, process


def wait(process, *companions) -> None:
    """Keep a foreground server running until Ctrl-C, then stop it (and its companions)."""
    try:
        process.wait()
    finally:
        for companion in companions:
            server.stop(companion.pid)
        server.stop(process.pid)
        with contextlib.suppress(FileNotFoundError):
            _pid_path().unlink()


def stop() -> bool:
    """Stop the server this studio started (and its ML backend); False if none ran."""
    backend = _running_pid(_serve_pid_path())
    with contextlib.suppress(FileNotFoundError):
        _serve_pid_path().unlink()
    if backend is not None:
        server.stop(backend)
    pid = _running_pid()
    with contextlib.suppress(FileNotFoundError):
        _pid_path().unlink()
    if pid is None:
        return False
    server.stop(pid)
    return True


def local_connection(api_key: str | None = None) -> labelstudio.Connection:
    """The local studio as a Connection, for push/pull when no LABEL_STUDIO_URL is given."""
    credentials = read_credentials()
    if not credentials or "token" not in credentials:
        raise LabelStudioError("no Label Studio to talk to: set LABEL_STUDIO_URL and "
                               "LABEL_STUDIO_API_KEY (or --url/--api-key), or start a local one "
                               "with `annotate studio --background`")
    if not _healthy(credentials["url"]):
        raise LabelStudioError(f"the local Label Studio ({credentials['url']}) is not running; "
                               "start it with `annotate studio --background`")
    return labelstudio.Connection(credentials["url"], api_key or credentials["token"])
