"""File-system faults, on the real file system: a full disk, inputs that are not regular files
(FIFO, socket, device, symlink loop), UTF-16 input, and a run killed halfway. Each command gives one
clear message, exits non-zero, prints no traceback, hangs never and leaves no file behind."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

GOLD = "corpora/haiti-mss/gold/articles.dev.jsonl"
SENTENCE = {"id": "d:1", "doc_id": "d", "text": "Kenya backed the mission.", "start": 0, "end": 25}
EXPORT = [{"id": 1, "data": {"sentence_id": "d:1", "text": "Kenya backed the mission."},
           "annotations": [{"id": 7, "completed_by": 1, "created_at": "2025-01-01T00:00:00Z",
                            "updated_at": "2025-01-01T00:00:00Z", "result": [
                                {"id": "r1", "from_name": "actor", "to_name": "text",
                                 "type": "labels", "value": {"start": 0, "end": 5, "text": "Kenya",
                                                             "labels": ["Actor"]}},
                                {"id": "r1", "from_name": "stance", "to_name": "text",
                                 "type": "choices", "value": {"choices": ["supportive"]}},
                                {"id": "s", "from_name": "sentiment", "to_name": "text",
                                 "type": "choices", "value": {"choices": ["positive"]}}]}]}]


def run(args, *, cwd=None, env_extra=None, limit_file_size=None, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env.update(env_extra or {})

    def limits():
        if limit_file_size is not None:  # writes past it fail with EFBIG, like a full disk
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([sys.executable, "-c", "from annotate.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
                          preexec_fn=limits)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fault-inputs")
    (folder / "sentences.jsonl").write_text(json.dumps(SENTENCE) + "\n")
    prelabel = run(["prelabel", str(folder / "sentences.jsonl"), "-o",
                    str(folder / "predictions.jsonl")])
    assert prelabel.returncode == 0, prelabel.stderr
    (folder / "export.json").write_text(json.dumps(EXPORT))
    return folder


def _mount_tmpfs(path: Path) -> bool:
    path.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _fill(path: Path) -> None:
    """Write until the file system says it is full."""
    with open(path / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"x" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.fixture
def full_disk(tmp_path):
    """(a directory on a full disk, extra run() options): a full 64 kB tmpfs when this process
    may mount one (root), else the real file system under a file-size limit of 0 bytes (every
    write fails in the kernel with EFBIG: the same code path, without root)."""
    place = tmp_path / "full"
    if _mount_tmpfs(place):
        try:
            _fill(place)
            yield place, {}, "the disk is full"
        finally:
            subprocess.run(["umount", str(place)], check=False)
    else:
        yield place, {"limit_file_size": 0}, "nothing was written"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "filler")


COMMANDS = {
    "split": (["split", "corpora/haiti-mss/articles", "-o", "OUT/sentences.jsonl"], "OUT/sentences.jsonl"),
    "prelabel": (["prelabel", "IN/sentences.jsonl", "-o", "OUT/p.jsonl"], "OUT/p.jsonl"),
    "push --to-file": (["export", "push", "IN/predictions.jsonl", "--to-file", "OUT/tasks.json",
                        "--target", "the mission"], "OUT/tasks.json"),
    "pull --from-file": (["export", "pull", "--from-file", "IN/export.json", "-o", "OUT/gold.jsonl"],
                         "OUT/gold.jsonl"),
    "adjudicate": (["adjudicate", GOLD, "-o", "OUT/adjudicated.jsonl"], "OUT/adjudicated."),
    "report": (["report", GOLD, "-o", "OUT/report"], "OUT/report"),
    "train": (["train", GOLD, "-o", "OUT/model", "--folds", "2"], "OUT/model"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_gives_one_message_and_leaves_nothing(command, inputs, full_disk):
    place, options, expected = full_disk
    argv, output = COMMANDS[command]
    argv = [a.replace("IN", str(inputs)).replace("OUT", str(place)) for a in argv]
    result = run(argv, **options)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert output.replace("OUT", str(place)) in errors[0] and expected in errors[0], errors[0]
    assert "nothing was written" in errors[0]
    assert _leftovers(place) == []


def test_a_full_disk_while_saving_the_push_index_leaves_no_temporary_file(tmp_path, full_disk):
    from annotate.errors import ConfigError
    from annotate.labelstudio.push_index import PushIndex

    place, options, expected = full_disk
    if options:  # the size limit needs its own process: write the index in one
        script = ("import sys; from pathlib import Path; from annotate.errors import ConfigError\n"
                  "from annotate.labelstudio.push_index import PushIndex\n"
                  "try:\n    PushIndex(Path(sys.argv[1]), 'http://x', 1, 't').save({1: 'a'})\n"
                  "except ConfigError as exc:\n    print(exc)\n")
        message = subprocess.run([sys.executable, "-c", script, str(place / "push-index")],
                                 capture_output=True, text=True, timeout=60,
                                 preexec_fn=lambda: (signal.signal(signal.SIGXFSZ, signal.SIG_IGN),
                                                     resource.setrlimit(resource.RLIMIT_FSIZE,
                                                                        (0, 0)))).stdout
    else:
        with pytest.raises(ConfigError) as caught:
            PushIndex(place / "push-index", "http://x", 1, "t").save({1: "a"})
        message = str(caught.value)
        assert "the disk is full" in message
    assert "cannot write the push index" in message
    assert list((place / "push-index").iterdir()) == []


# --- inputs that are not regular files ---------------------------------------------------------

READERS = {
    "split": ["split", "IN.txt", "-o", "OUT"],
    "prelabel": ["prelabel", "IN.jsonl", "-o", "OUT"],
    "push --to-file": ["export", "push", "IN.jsonl", "--to-file", "OUT", "--target", "t"],
    "pull --from-file": ["export", "pull", "--from-file", "IN.json", "-o", "OUT"],
    "train": ["train", "IN.jsonl", "-o", "OUT"],
    "evaluate": ["evaluate", "IN.jsonl"],
    "agreement": ["agreement", "IN.jsonl"],
    "adjudicate": ["adjudicate", "IN.jsonl", "-o", "OUT"],
    "report": ["report", "IN.jsonl", "-o", "OUT"],
    "convert": ["convert", "newsmtsc", "IN.jsonl", "-o", "OUT"],
}


def _special(kind: str, path: Path):
    if kind == "fifo":
        os.mkfifo(path)
        return None
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        return server
    if kind == "device":
        path.symlink_to("/dev/zero")  # endless: reading it would never finish
        return None
    if kind == "symlink loop":
        path.symlink_to(path.with_name(path.name + ".other"))
        path.with_name(path.name + ".other").symlink_to(path)
        return None
    raise AssertionError(kind)


MESSAGES = {"fifo": "is a named pipe (FIFO), not a regular file",
            "socket": "is a socket, not a regular file",
            "device": "is a character device, not a regular file",
            "symlink loop": "is a loop of symbolic links"}


# a FIFO for every command; every kind for the two readers all commands share (JSONL and text)
SPECIAL_CASES = [(command, "fifo") for command in READERS] + [
    (command, kind) for command in ("prelabel", "split") for kind in MESSAGES if kind != "fifo"]


@pytest.mark.parametrize("command,kind", SPECIAL_CASES)
def test_an_input_that_is_not_a_regular_file_is_refused_at_once(command, kind, tmp_path):
    argv = READERS[command]
    suffix = next(a for a in argv if a.startswith("IN"))[2:]
    source = tmp_path / f"input{suffix}"
    handle = _special(kind, source)
    try:
        out = tmp_path / "out"
        out.mkdir()
        started = time.monotonic()
        result = run([str(source) if a.startswith("IN") else str(out / "result") if a == "OUT"
                      else a for a in argv], timeout=120)
    finally:
        if handle is not None:
            handle.close()
    assert time.monotonic() - started < 60  # refused at once: never waits for a writer
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert f"{source}: {MESSAGES[kind]}" in result.stderr, result.stderr
    assert list(out.iterdir()) == []


def test_a_broken_symlink_is_named_as_such(tmp_path):
    source = tmp_path / "sentences.jsonl"
    source.symlink_to(tmp_path / "moved-away.jsonl")
    result = run(["prelabel", str(source), "-o", str(tmp_path / "out.jsonl")])
    assert result.returncode != 0
    assert "is a broken symbolic link" in result.stderr and "moved-away.jsonl" in result.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
@pytest.mark.parametrize("command", ["split", "prelabel"])
def test_a_utf16_file_is_called_utf16_with_how_to_convert(command, encoding, tmp_path):
    if command == "split":
        source = tmp_path / "article.txt"
        source.write_bytes("Kenya backed the mission. Gangs did not.\n".encode(encoding))
    else:
        source = tmp_path / "sentences.jsonl"
        source.write_bytes((json.dumps(SENTENCE) + "\n").encode(encoding))
    result = run([command, str(source), "-o", str(tmp_path / "out.jsonl")])
    assert result.returncode != 0
    assert f"{source}: is UTF-16 text, not UTF-8" in result.stderr
    assert "iconv -f UTF-16 -t UTF-8" in result.stderr


# --- killed runs ---------------------------------------------------------------------------------

def _sigint_default():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_killed_prelabel_leaves_no_temporary_file(signum, tmp_path):
    source = tmp_path / "sentences.jsonl"
    text = "Kenyan police officers said the mission would restore order in Port-au-Prince."
    with open(source, "w") as handle:
        for number in range(20000):
            handle.write(json.dumps({"id": f"d:{number}", "doc_id": "d", "text": text,
                                     "start": 0, "end": len(text)}) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ}
    process = subprocess.Popen([sys.executable, "-c", "from annotate.cli import main; main()",
                                "prelabel", str(source), "-o", str(out / "p.jsonl"),
                                "--batch-size", "64"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                               # as from a terminal: a suite started in the background (`pytest &`)
                               # ignores SIGINT, and its children would inherit that
                               preexec_fn=_sigint_default)
    deadline = time.monotonic() + 240
    while not any(p.name.endswith(".tmp") for p in out.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        # wait until some records are written, then interrupt mid-write
        time.sleep(0.5)
        process.send_signal(signum)
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode in (130, 143), stderr
    assert "no output was written" in stderr
    assert "Traceback" not in stderr
    assert list(out.iterdir()) == []
