"""Starting and stopping a local Label Studio process (used by `annotate studio` and the tests).

Only process management lives here: the HTTP side (logins, tokens) is in annotate.labelstudio.client.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import MappingProxyType

from annotate.errors import LabelStudioError
from annotate.labelstudio.client import is_healthy

# Environment variables that make a local server quiet and quick: no PyPI version check, no
# analytics, no Sentry. USERNAME/PASSWORD are dropped because Label Studio reads them as the
# default account (a login shell's USERNAME would otherwise leak in).
_QUIET_ENV = MappingProxyType({
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    # The ML backend (`annotate serve`) runs on loopback beside this loopback-only server: let
    # Label Studio call it (/health, /setup, /predict) and send it its webhooks (START_TRAINING),
    # which its SSRF guard refuses for local addresses by default.
    "ML_BLOCK_LOCAL_IP": "false",
    "SSRF_PROTECTION_ENABLED": "false",
})
# Label Studio 1.23's import/predictions endpoint (what `export push --update-predictions` calls)
# has two implementations behind this feature flag, off by default. Off, every request validates
# each prediction against the label config one by one (LabelInterface.validate_prediction,
# ~35-45 ms each here: 100,000 predictions took over an hour) and then recounts the annotations
# and predictions of every task in the project (a cost per request that grows with the project).
# On, it checks the task ids per batch of 500, bulk-creates and recounts only the tasks it touched.
# Label Studio reads any feature flag from an environment variable of the same name first
# (core/feature_flags/base.py, flag_set); the predictions push sends are built from the label config
# push itself wrote (annotate.labelstudio.tasks), so the per-prediction check adds nothing. A
# value already in the environment (e.g. "false") is kept.
FAST_PREDICTION_IMPORT_FLAG = "fflag_fix_back_4620_memory_efficient_predictions_import_08012025_short"

_DROPPED_ENV = ("USERNAME", "PASSWORD", "USER_TOKEN", "LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD",
                "LABEL_STUDIO_USER_TOKEN", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL")


# Label Studio's own names for its PostgreSQL connection (label_studio/core/settings/base.py)
_POSTGRES_ENV = ("POSTGRE_NAME", "POSTGRE_USER", "POSTGRE_PASSWORD", "POSTGRE_HOST", "POSTGRE_PORT")


def database_env(database: str | None) -> dict:
    """Label Studio's database settings: SQLite in its data dir unless `database` is a
    postgresql://user:password@host:port/name URL, or the caller's environment already says
    DJANGO_DB=postgresql with POSTGRE_* set (Label Studio's documented way, kept as it is)."""
    if database is None:
        if os.environ.get("DJANGO_DB") == "postgresql":
            return {"DJANGO_DB": "postgresql"}
        return {"DJANGO_DB": "sqlite"}
    parts = parse_database_url(database)
    return {"DJANGO_DB": "postgresql", "POSTGRE_NAME": parts["name"], "POSTGRE_USER": parts["user"],
            "POSTGRE_PASSWORD": parts["password"], "POSTGRE_HOST": parts["host"],
            "POSTGRE_PORT": str(parts["port"])}


def parse_database_url(database: str) -> dict:
    """{user, password, host, port, name} of a postgresql:// URL; errors never show the password."""
    from urllib.parse import unquote, urlsplit

    shown = redact_database_url(database)
    try:
        url = urlsplit(database)
        port = url.port or 5432
    except ValueError:
        raise LabelStudioError(f"--database {shown} is not a URL; give "
                               "postgresql://USER:PASSWORD@HOST:PORT/DATABASE") from None
    name = unquote(url.path.lstrip("/"))
    if url.scheme not in ("postgresql", "postgres") or not url.hostname or not name or "/" in name:
        raise LabelStudioError(f"--database {shown}: annotate studio runs Label Studio on SQLite "
                               "(the default) or PostgreSQL; give "
                               "postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
    return {"user": unquote(url.username or "postgres"), "password": unquote(url.password or ""),
            "host": url.hostname, "port": port, "name": name}


def redact_database_url(database: str) -> str:
    """The URL with its password replaced, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        url = urlsplit(database)
        if url.password is None:
            return database
        netloc = url.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        return urlunsplit(url._replace(netloc=f"{user}:***@{netloc[1]}"))
    except ValueError:
        return "(a URL that cannot be read)"


def server_env(data_dir: Path, database: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    if database is not None or os.environ.get("DJANGO_DB") != "postgresql":
        for name in _POSTGRES_ENV:  # a stray POSTGRE_* must not mix into another database's settings
            env.pop(name, None)
    env.update(_QUIET_ENV)
    env.setdefault(FAST_PREDICTION_IMPORT_FLAG, "true")
    env.update(database_env(database))
    env["LABEL_STUDIO_BASE_DATA_DIR"] = str(Path(data_dir).resolve())
    return env


def _command() -> list[str]:
    if shutil.which("label-studio") is None:
        with contextlib.suppress(ImportError):
            import label_studio  # noqa: F401  (installed but its script is not on PATH)

            return [sys.executable, "-m", "label_studio.server"]
        raise LabelStudioError("Label Studio is not installed; install the extra: "
                               "pip install -e '.[studio]'")
    return ["label-studio"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def migrate(data_dir: Path, log_path: Path, database: str | None = None) -> None:
    """Create and migrate the database (SQLite in `data_dir`, or the PostgreSQL `database`)
    without starting a server (the slow first step)."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        done = subprocess.run([*_command(), "version"], env=server_env(data_dir, database),
                              stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        where = redact_database_url(database) if database else data_dir
        raise LabelStudioError(f"Label Studio could not initialise its database in {where}:\n"
                               f"{log_tail(log_path)}")


def start(data_dir: Path, port: int, log_path: Path, *, admin: tuple[str, str] | None = None,
          database: str | None = None) -> subprocess.Popen:
    """Start `label-studio` on 127.0.0.1:port in its own process group (so it can be stopped whole,
    and it outlives the command that started it when that command exits).

    `admin` (email, password) creates that account on start if it does not exist yet.
    `database`: a postgresql:// URL (see `database_env`); its password travels in the environment.
    """
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    args = [*_command(), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port)]
    env = server_env(data_dir, database)
    if admin:  # through the environment, not argv: other local users can read a process's argv
        env["LABEL_STUDIO_USERNAME"], env["LABEL_STUDIO_PASSWORD"] = admin
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                close_fds=True, cwd=str(data_dir))
    finally:
        log.close()  # the child keeps its own descriptor


def wait_until_healthy(url: str, process: subprocess.Popen | None, log_path: Path,
                       timeout: float = 600.0) -> None:
    """Poll /health until the server answers; fail with the log's tail if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise LabelStudioError(f"Label Studio exited with code {process.returncode} before it "
                                   f"was ready; the end of its log ({log_path}):\n{log_tail(log_path)}")
        if is_healthy(url):
            return
        time.sleep(0.5)
    raise LabelStudioError(f"Label Studio did not become ready at {url} within {timeout:.0f} s; "
                           f"the end of its log ({log_path}):\n{log_tail(log_path)}")


def stop(pid: int, *, kill: bool = False, timeout: float = 20.0) -> None:
    """Stop the server's whole process group: SIGTERM (or SIGKILL if `kill`), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reap our own child so it is not a zombie
        if waited == pid:
            return False
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def log_tail(log_path: Path, lines: int = 40) -> str:
    try:
        text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
