"""`annotate studio`: a real local Label Studio started in the background, used by push and pull."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import pytest

from annotate.ingest.documents import split_to_file
from annotate.labelstudio import server
from annotate.model.prelabel import prelabel_file

pytestmark = pytest.mark.server


def run(args, studio_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env["ANNOTATE_STUDIO_DIR"] = str(studio_dir)
    return subprocess.run([sys.executable, "-c", "from annotate.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture
def studio_dir(tmp_path, label_studio_template):
    directory = tmp_path / "studio"
    directory.mkdir()
    # The migrated empty database of the test fixture: the first start then takes seconds.
    shutil.copytree(label_studio_template, directory / "data")
    yield directory
    run(["studio", "--stop"], directory)  # never leave a server behind, even when a test fails


def test_studio_in_the_background_serves_push_and_pull(studio_dir, tmp_path):
    port = server.free_port()
    first = run(["studio", "--background", "--port", str(port)], studio_dir)
    assert first.returncode == 0, first.stderr
    url = f"http://127.0.0.1:{port}"
    assert f"Label Studio started at {url}" in first.stderr
    assert "log in as admin@localhost with password" in first.stderr
    assert f"{url}/user/signup/?token=" in first.stderr
    credentials = studio_dir / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(studio_dir.stat().st_mode) == 0o700
    import json

    stored = json.loads(credentials.read_text())
    assert stored["password"] in first.stderr  # shown once, at creation
    assert stored["token"] not in first.stderr + first.stdout

    split_to_file(["corpora/haiti-mss/articles/gangs-threaten.md"], tmp_path / "sentences.jsonl")
    prelabel_file(tmp_path / "sentences.jsonl", tmp_path / "predictions.jsonl")
    push = run(["export", "push", str(tmp_path / "predictions.jsonl"), "--project", "local",
                "--corpus", "corpora/haiti-mss/corpus.toml"], studio_dir)
    assert push.returncode == 0, push.stderr
    assert f"at {url}" in push.stderr and "tasks created" in push.stderr
    pull = run(["export", "pull", "--project", "local", "-o", str(tmp_path / "gold.jsonl")],
               studio_dir)
    assert pull.returncode == 0, pull.stderr
    assert stored["token"] not in push.stderr + pull.stderr

    again = run(["studio", "--background"], studio_dir)
    assert "already running" in again.stderr and stored["password"] not in again.stderr

    stopped = run(["studio", "--stop"], studio_dir)
    assert "stopped" in stopped.stderr
    assert not server.port_is_open(port)
    after = run(["export", "pull", "--project", "local", "-o", str(tmp_path / "gold2.jsonl")],
                studio_dir)
    assert after.returncode != 0 and "start it with `annotate studio --background`" in after.stderr


def test_studio_with_ml_backend_serves_the_model_beside_it_and_stops_both(studio_dir, tmp_path):
    port, backend_port = server.free_port(), server.free_port()
    first = run(["studio", "--background", "--port", str(port), "--ml-backend",
                 "--ml-backend-port", str(backend_port)], studio_dir)
    assert first.returncode == 0, first.stderr
    backend_url = f"http://127.0.0.1:{backend_port}"
    assert f"ML backend (annotate serve) started at {backend_url}" in first.stderr
    split_to_file(["corpora/haiti-mss/articles/gangs-threaten.md"], tmp_path / "sentences.jsonl")
    prelabel_file(tmp_path / "sentences.jsonl", tmp_path / "predictions.jsonl")
    push = run(["export", "push", str(tmp_path / "predictions.jsonl"), "--project", "local-ml",
                "--target", "the mission", "--ml-backend", backend_url], studio_dir)
    assert push.returncode == 0, push.stderr
    assert f"ML backend {backend_url} connected" in push.stderr
    again = run(["studio", "--background", "--ml-backend"], studio_dir)
    assert f"ML backend (annotate serve) already running at {backend_url}" in again.stderr

    stopped = run(["studio", "--stop"], studio_dir)
    assert "stopped" in stopped.stderr
    assert not server.port_is_open(port) and not server.port_is_open(backend_port)


def test_a_server_it_did_not_start_on_its_port_is_not_taken_for_the_studio(studio_dir, label_studio):
    """Another Label Studio on the studio's port answers as healthy (and may even accept the
    studio's token), but it is not this studio: the start says so and keeps the studio's port."""
    port = server.free_port()
    assert run(["studio", "--background", "--port", str(port)], studio_dir).returncode == 0
    assert "stopped" in run(["studio", "--stop"], studio_dir).stderr
    credentials = studio_dir / "credentials.json"
    import json

    stored = json.loads(credentials.read_text())
    other_port = label_studio.url.rsplit(":", 1)[1]
    refused = run(["studio", "--background", "--port", other_port], studio_dir)
    assert refused.returncode == 1
    assert f"a Label Studio is answering at {label_studio.url}, but it is not the studio" in refused.stderr
    assert "--port N" in refused.stderr and "Traceback" not in refused.stderr
    assert stored["token"] not in refused.stderr and stored["password"] not in refused.stderr
    assert json.loads(credentials.read_text())["port"] == port  # the studio's own port is kept
    again = run(["studio", "--background"], studio_dir)  # and it starts there as before
    assert again.returncode == 0 and f"Label Studio started at http://127.0.0.1:{port}" in again.stderr
