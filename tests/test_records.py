"""Reading JSON Lines: every kind of bad input names the file and line; output is all or nothing."""

import json

import pytest

from annotate.errors import InputError, SchemaError
from annotate.records import atomic_output, read_records, read_text, write_records

GOLD = {"id": "a", "text": "Kenya acted.", "actors": [], "sentiment": "neutral"}


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data,line,needle", [
    (b"", None, "empty"),
    (b"\x00\x01\x02binary", 1, "binary"),
    (json.dumps(GOLD).encode() + b"\n\xff\xfe\n", 2, "UTF-8"),
    (json.dumps(GOLD).encode() + b"\n{bad json\n", 2, "invalid JSON"),
    (json.dumps(GOLD).encode() + b"\n[1, 2]\n", 2, "object"),
    (json.dumps({**GOLD, "sentiment": 3}).encode() + b"\n", 1, "sentiment"),
    (json.dumps({k: v for k, v in GOLD.items() if k != "text"}).encode() + b"\n", 1, "text"),
])
def test_bad_jsonl_names_file_and_line(tmp_path, data, line, needle):
    path = write(tmp_path, "in.jsonl", data)
    with pytest.raises(InputError) as info:
        list(read_records(path, "gold"))
    message = str(info.value)
    assert str(path) in message and needle in message
    assert info.value.line == line
    if line:
        assert f"{path}:{line}:" in message


def test_schema_rejection_is_a_schema_error(tmp_path):
    path = write(tmp_path, "in.jsonl", json.dumps({**GOLD, "sentiment": "glad"}).encode())
    with pytest.raises(SchemaError):
        list(read_records(path, "gold"))


def test_missing_and_directory_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(read_records(tmp_path / "nope.jsonl"))
    with pytest.raises(InputError, match="directory"):
        list(read_records(tmp_path))


def test_unreadable_input(tmp_path):
    # A path through a regular file cannot be opened, even by root (chmod 0 would not stop root).
    parent = write(tmp_path, "in.jsonl", json.dumps(GOLD).encode())
    with pytest.raises(InputError, match="cannot be read") as info:
        list(read_records(parent / "x.jsonl"))
    assert str(parent / "x.jsonl") in str(info.value)


def test_read_text_normalises_line_endings_and_rejects_non_utf8(tmp_path):
    assert read_text(write(tmp_path, "a.txt", b"One.\r\nTwo.\rThree.")) == "One.\nTwo.\nThree."
    with pytest.raises(InputError, match=r"a.txt:2: .*UTF-8"):
        read_text(write(tmp_path, "a.txt", b"fine\n\xe9t\xe9"))


def test_failed_write_leaves_no_partial_output(tmp_path):
    out = tmp_path / "out.jsonl"

    def records():
        yield GOLD
        raise InputError("in.jsonl", "bad", line=2)

    with pytest.raises(InputError):
        write_records(out, records())
    assert list(tmp_path.iterdir()) == []


def test_write_replaces_existing_file_only_on_success(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_output(out) as handle:
            handle.write("new\n")
            raise RuntimeError("boom")
    assert out.read_text() == "old\n"
    assert write_records(out, [GOLD, GOLD]) == 2
    assert [json.loads(line) for line in out.read_text().splitlines()] == [GOLD, GOLD]
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)


def test_a_read_error_after_opening_is_one_clear_message():
    # /proc/self/mem opens but cannot be read from offset 0: a read error, not an open error.
    with pytest.raises(InputError, match="cannot be read") as info:
        list(read_records("/proc/self/mem"))
    assert info.value.path == "/proc/self/mem"
