"""`annotate serve` as a child process: beside the local studio (`annotate studio
--ml-backend`), and in the tests and the benchmark."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from annotate.errors import LabelStudioError
from annotate.labelstudio import server


def annotate_command() -> list[str]:
    """The `annotate` of this installation (its script beside the interpreter, else -c)."""
    script = Path(sys.executable).with_name("annotate")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from annotate.cli import main; main()"]


def start(port: int, log_path: Path, *options: str, env: dict | None = None) -> subprocess.Popen:
    """Start `annotate serve --port PORT OPTIONS` in its own process group, output to log_path."""
    with open(log_path, "ab") as log:
        return subprocess.Popen([*annotate_command(), "serve", "--port", str(port), *options],
                                env={**os.environ, **(env or {})}, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, close_fds=True)


def health(url: str, auth_header: str | None = None) -> dict | None:
    """The backend's /health answer, or None while it does not answer."""
    request = urllib.request.Request(f"{url}/health",
                                     headers={"Authorization": auth_header} if auth_header else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_until_up(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 180.0,
                  auth_header: str | None = None) -> dict:
    """Poll /health until it answers UP (the model is loaded); fail with the log's tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LabelStudioError(f"annotate serve exited with code {process.returncode} before "
                                   f"it was ready; the end of its log ({log_path}):\n"
                                   f"{server.log_tail(log_path)}")
        answer = health(url, auth_header)
        if answer and answer.get("status") == "UP":
            return answer
        time.sleep(0.3)
    with contextlib.suppress(Exception):
        server.stop(process.pid)
    raise LabelStudioError(f"annotate serve did not answer at {url} within {timeout:.0f} s; the "
                           f"end of its log ({log_path}):\n{server.log_tail(log_path)}")
