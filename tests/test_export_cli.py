"""The `annotate export` commands as users run them: auth (PAT and legacy), server errors, and the
API key never leaking into output or files. Against the real Label Studio fixture."""

from __future__ import annotations

import http.server
import itertools
import json
import os
import subprocess
import sys
import threading

import pytest

from annotate.ingest.documents import split_to_file
from annotate.model.prelabel import prelabel_file
from annotate.records import read_records

pytestmark = pytest.mark.server
_titles = itertools.count(1)
FAKE_KEY = "annotate-test-SECRET-key-0123456789abcdef"


@pytest.fixture(scope="module")
def predictions_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-predictions")
    split_to_file(["corpora/haiti-mss/articles/ruto-visit.md"], folder / "sentences.jsonl")
    prelabel_file(folder / "sentences.jsonl", folder / "predictions.jsonl")
    return folder / "predictions.jsonl"


def run(args, *, url=None, key=None, cwd=None, env_extra=None):
    """Run the real CLI in a subprocess, as a user would (env vars, no option for the key)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env.update(env_extra or {})
    if url:
        env["LABEL_STUDIO_URL"] = url
    if key:
        env["LABEL_STUDIO_API_KEY"] = key
    return subprocess.run([sys.executable, "-c", "from annotate.cli import main; main()", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)


def _files_text(folder):
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_push_and_pull_with_a_pat_never_leak_the_key(label_studio, predictions_file, tmp_path):
    title = f"cli-pat-{next(_titles)}"
    push = run(["export", "push", str(predictions_file), "--project", title,
                "--corpus", "corpora/haiti-mss/corpus.toml"], url=label_studio.url,
               key=label_studio.token)
    assert push.returncode == 0, push.stderr
    total = sum(1 for _ in read_records(predictions_file))
    assert f"{total} sentences: {total} tasks created, 0 already present" in push.stderr
    again = run(["export", "push", str(predictions_file), "--project", title,
                 "--corpus", "corpora/haiti-mss/corpus.toml"], url=label_studio.url,
                key=label_studio.token)
    assert f"0 tasks created, {total} already present" in again.stderr
    pull = run(["export", "pull", "--project", title, "-o", str(tmp_path / "gold.jsonl")],
               url=label_studio.url, key=label_studio.token)
    assert pull.returncode == 0, pull.stderr
    assert f"{total} tasks without annotations" in pull.stderr
    to_file = run(["export", "push", str(predictions_file), "--to-file",
                   str(tmp_path / "tasks.json"), "--target", "the mission"],
                  url=label_studio.url, key=label_studio.token)
    assert to_file.returncode == 0
    for secret in (label_studio.token, label_studio.token[-24:]):
        for result in (push, again, pull, to_file):
            assert secret not in result.stdout + result.stderr
        assert secret not in _files_text(tmp_path)


def test_an_export_slower_than_the_export_timeout_is_one_message_and_no_output(
        label_studio, predictions_file, tmp_path):
    """Label Studio Community builds the export inside the request: a project too big for the
    wait is a message that says to raise --export-timeout (not 'rerun', which times out again)."""
    title = f"cli-export-timeout-{next(_titles)}"
    assert run(["export", "push", str(predictions_file), "--project", title, "--target",
                "the mission"], url=label_studio.url, key=label_studio.token).returncode == 0
    output = tmp_path / "gold.jsonl"
    slow = run(["export", "pull", "--project", title, "-o", str(output), "--export-timeout",
                "0.001"], url=label_studio.url, key=label_studio.token)
    assert slow.returncode == 1 and "Traceback" not in slow.stderr
    assert "did not finish building the export" in slow.stderr
    assert "rerun with a larger --export-timeout" in slow.stderr
    assert label_studio.token not in slow.stderr
    assert not output.exists() and list(tmp_path.iterdir()) == []  # no partial output, no spool
    enough = run(["export", "pull", "--project", title, "-o", str(output)],
                 url=label_studio.url, key=label_studio.token)
    assert enough.returncode == 0, enough.stderr
    assert f"{sum(1 for _ in read_records(predictions_file))} tasks without annotations" in enough.stderr


def test_a_legacy_token_works(label_studio, predictions_file, tmp_path):
    legacy = label_studio.legacy_token()
    assert "." not in legacy  # not a JWT: the SDK sends it as "Token <key>"
    title = f"cli-legacy-{next(_titles)}"
    push = run(["export", "push", str(predictions_file), "--project", title, "--target", "T"],
               url=label_studio.url, key=legacy)
    assert push.returncode == 0, push.stderr
    pull = run(["export", "pull", "--project", title, "-o", str(tmp_path / "gold.jsonl")],
               url=label_studio.url, key=legacy)
    assert pull.returncode == 0, pull.stderr
    assert legacy not in push.stderr + pull.stderr + _files_text(tmp_path)


def _one_error_line(result):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert FAKE_KEY not in result.stdout + result.stderr
    return lines[0]


def test_a_refused_key_gets_one_clear_message(label_studio, tmp_path):
    result = run(["export", "pull", "--project", "x", "-o", str(tmp_path / "g.jsonl")],
                 url=label_studio.url, key=FAKE_KEY)
    assert "refused the API key (401)" in _one_error_line(result)
    assert not list(tmp_path.iterdir())


def test_an_unknown_project_is_a_404_message(label_studio, tmp_path):
    result = run(["export", "pull", "--project", "no such project", "-o", str(tmp_path / "g.jsonl")],
                 url=label_studio.url, key=label_studio.token)
    line = _one_error_line(result)
    assert "no project titled 'no such project'" in line and "404" in line


def test_an_unreachable_server_is_one_message(tmp_path, predictions_file):
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(["export", "push", str(predictions_file), "--project", "p", "--target", "T"],
                 url=f"http://127.0.0.1:{port}", key=FAKE_KEY)
    assert "cannot reach Label Studio" in _one_error_line(result)


class _Failing(http.server.BaseHTTPRequestHandler):
    """What a reverse proxy answers when the Label Studio behind it is down."""

    def _fail(self):
        self.send_response(503)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>503 Service Unavailable</html>")

    do_GET = do_POST = do_PATCH = _fail

    def log_message(self, *args):
        pass


def test_a_server_error_is_one_message(tmp_path):
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        result = run(["export", "pull", "--project", "p", "-o", str(tmp_path / "g.jsonl")],
                     url=f"http://127.0.0.1:{proxy.server_address[1]}", key=FAKE_KEY)
    finally:
        proxy.shutdown()
    assert "server error (503)" in _one_error_line(result)


class _NotLabelStudio(http.server.BaseHTTPRequestHandler):
    """Another web server at the given address: 200 with a page, or JSON of another API; both
    echo the request's Authorization header, as a debugging page might."""

    body_format = ""  # set per test: the body, with {auth} for the header

    def _answer(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.body_format.format(auth=self.headers.get("Authorization")).encode())

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("body_format", ["<html>Welcome to nginx ({auth})</html>",
                                         '{{"status": "ok", "seen": "{auth}"}}',
                                         '["{auth}"]'])
@pytest.mark.parametrize("command", ["pull", "push"])
def test_a_server_that_is_not_label_studio_is_one_message(tmp_path, predictions_file, body_format,
                                                          command):
    handler = type("Handler", (_NotLabelStudio,), {"body_format": body_format})
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    args = (["export", "pull", "--project", "p", "-o", str(tmp_path / "g.jsonl")]
            if command == "pull" else
            ["export", "push", str(predictions_file), "--project", "p", "--target", "T"])
    try:
        result = run(args, url=f"http://127.0.0.1:{other.server_address[1]}", key=FAKE_KEY)
    finally:
        other.shutdown()
    assert "not Label Studio's API" in _one_error_line(result)
    assert not list(tmp_path.iterdir())


def test_no_server_configured_says_what_to_do(tmp_path):
    result = run(["export", "pull", "--project", "p", "-o", str(tmp_path / "g.jsonl")],
                 env_extra={"ANNOTATE_STUDIO_DIR": str(tmp_path / "nostudio")})
    assert "annotate studio --background" in _one_error_line(result)


def test_pull_from_a_broken_export_file_names_the_file(tmp_path):
    (tmp_path / "export.json").write_text('[{"id": 1,\n "data": ')
    result = run(["export", "pull", "--from-file", str(tmp_path / "export.json"), "-o",
                  str(tmp_path / "g.jsonl")])
    assert "export.json:2: invalid JSON" in _one_error_line(result)
    (tmp_path / "export.json").write_text(json.dumps({"not": "a list"}))
    result = run(["export", "pull", "--from-file", str(tmp_path / "export.json"), "-o",
                  str(tmp_path / "g.jsonl")])
    assert "a list of tasks" in _one_error_line(result)
