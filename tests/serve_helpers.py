"""`annotate serve` as a subprocess on a free port, as a user starts it (for the tests and the
benchmark): wait for /health, stop it after, keep its log to check what it wrote."""

from __future__ import annotations

import base64
import json
import random
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from annotate.errors import LabelStudioError
from annotate.labelstudio import server
from annotate.labelstudio.backend import process as serve_process
from annotate.records import read_records, write_records

TRAIN_GOLD = "corpora/haiti-mss/gold/articles.train.jsonl"


@dataclass
class Backend:
    url: str
    process: subprocess.Popen
    log_path: Path
    models_dir: Path
    auth: tuple[str, str] | None = field(default=None)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request(self, method: str, path: str, body=None, *, raw: bytes | None = None,
                auth: tuple[str, str] | None | bool = True, timeout: float = 120.0):
        """(status, parsed JSON or text) of one request; auth=True uses the backend's own."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": "application/json"} if data is not None else {}
        credentials = self.auth if auth is True else (auth or None)
        if credentials:
            token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def health(self) -> dict:
        return self.request("GET", "/health")[1]

    def wait_for_training(self, timeout: float = 600.0) -> dict:
        """The finished training's record from /health (fails the test on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.health()
            last = health.get("last_training") or {}
            if not health["training"] and last.get("state") not in (None, "running"):
                return last
            time.sleep(1.0)
        raise AssertionError(f"no training finished within {timeout:.0f} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            server.stop(self.process.pid)
            self.process.wait(timeout=30)


def start_backend(tmp_dir: Path, *options, env: dict | None = None,
                  auth: tuple[str, str] | None = None, timeout: float = 180.0) -> Backend:
    """Start `annotate serve` on a free loopback port and wait until /health answers UP."""
    port = server.free_port()
    tmp_dir.mkdir(parents=True, exist_ok=True)
    log_path, models_dir = tmp_dir / f"serve-{port}.log", tmp_dir / f"models-{port}"
    process = serve_process.start(port, log_path, "--models-dir", str(models_dir),
                                  *map(str, options),
                                  env=env)
    backend = Backend(f"http://127.0.0.1:{port}", process, log_path, models_dir, auth)
    header = None
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        header = f"Basic {token}"
    try:
        serve_process.wait_until_up(backend.url, process, log_path, timeout, header)
    except LabelStudioError as exc:
        raise AssertionError(str(exc)) from None
    return backend


def gold_with_shuffled_stances(path, out, seed=3):
    """The training gold with every stance label moved to another span: a model trained on it
    has learned nothing, and its cross-validated macro-F1 shows it."""
    records = list(read_records(path, "gold"))
    stances = [a["stance"] for r in records for a in r["actors"]]
    random.Random(seed).shuffle(stances)
    labels = iter(stances)
    for record in records:
        for actor in record["actors"]:
            actor["stance"] = next(labels)
    write_records(out, records)
    return out


def start_weak_backend(tmp_path: Path, env: dict, *options):
    """`annotate serve` of a model that learned nothing (trained on shuffled stances), with the
    real training gold given at start: any training on real annotations beats it, so it
    switches. Returns (the weak model, its metrics, the backend)."""
    from annotate.model.training import train_model

    shuffled = gold_with_shuffled_stances(TRAIN_GOLD, tmp_path / "shuffled.jsonl")
    weak, metrics = train_model([shuffled], tmp_path / "weak-model", folds=3, name="weak")
    backend = start_backend(tmp_path / "serve", "--model", tmp_path / "weak-model", "--gold",
                            TRAIN_GOLD, "--folds", "3", *options, env=env)
    return weak, metrics, backend
