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
    "DJANGO_DB": "sqlite",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
})
_DROPPED_ENV = ("USERNAME", "PASSWORD", "USER_TOKEN", "LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD",
                "LABEL_STUDIO_USER_TOKEN", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_URL")


def server_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(_QUIET_ENV)
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


def migrate(data_dir: Path, log_path: Path) -> None:
    """Create and migrate the SQLite database without starting a server (the slow first step)."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        done = subprocess.run([*_command(), "version"], env=server_env(data_dir), stdout=log,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise LabelStudioError(f"Label Studio could not initialise its database in {data_dir}:\n"
                               f"{log_tail(log_path)}")


def start(data_dir: Path, port: int, log_path: Path, *,
          admin: tuple[str, str] | None = None) -> subprocess.Popen:
    """Start `label-studio` on 127.0.0.1:port in its own process group (so it can be stopped whole,
    and it outlives the command that started it when that command exits).

    `admin` (email, password) creates that account on start if it does not exist yet.
    """
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    args = [*_command(), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port)]
    env = server_env(data_dir)
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
