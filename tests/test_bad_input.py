"""Every command that reads files refuses bad input the same way.

One `error:` line naming the file (and line, when there is one), a non-zero exit, no Python
traceback, and no output file (not even a temporary one) left behind.
"""

import json

import pytest
from click.testing import CliRunner

from annotate.cli import main

SENTENCE = {"id": "d:1", "doc_id": "d", "text": "Kenya backed the mission.", "start": 0, "end": 25}
GOLD = {"id": "d:1", "text": "Kenya backed the mission.", "sentiment": "positive",
        "actors": [{"start": 0, "end": 5, "text": "Kenya", "stance": "supportive"}],
        "annotator": "a@example.org"}
DOCUMENT = {"id": "d", "text": "Kenya backed the mission. Gangs did not."}
NEWSMTSC = {"mention": "Kenya", "polarity": 1, "from": 0, "to": 5,
            "sentence": "Kenya backed the mission.", "id": "n1"}

# command line (IN = the bad file, OUT = the output path), a valid record, and per case a bad one
COMMANDS = {
    "split": (["split", "IN", "-o", "OUT"], DOCUMENT,
              {"missing": {"id": "d2"}, "wrong_type": {"id": "d2", "text": 5},
               "rejected": {"id": "d2", "text": "   "}}),
    "convert": (["convert", "newsmtsc", "IN", "-o", "OUT"], NEWSMTSC,
                {"missing": {k: v for k, v in NEWSMTSC.items() if k != "sentence"},
                 "wrong_type": dict(NEWSMTSC, polarity="good"),
                 "rejected": dict(NEWSMTSC, polarity=7)}),
    "prelabel": (["prelabel", "IN", "-o", "OUT"], SENTENCE,
                 {"missing": {k: v for k, v in SENTENCE.items() if k != "text"},
                  "wrong_type": dict(SENTENCE, start="zero"),
                  "rejected": dict(SENTENCE, start=-3)}),
}
for name, argv in {"train": ["train", "IN", "-o", "OUT"],
                   "evaluate": ["evaluate", "IN"],
                   "agreement": ["agreement", "IN"],
                   "adjudicate": ["adjudicate", "IN", "-o", "OUT"],
                   "report": ["report", "IN", "-o", "OUT"]}.items():
    COMMANDS[name] = (argv, GOLD, {
        "missing": {k: v for k, v in GOLD.items() if k != "sentiment"},
        "wrong_type": dict(GOLD, actors="Kenya"),
        "rejected": dict(GOLD, actors=[dict(GOLD["actors"][0], stance="angry")]),
    })


def _line(record) -> bytes:
    return json.dumps(record).encode() + b"\n"


def _bad_files(valid, bad_records):
    """(case name, file bytes, line the error must name or None)"""
    yield "empty", b"", None
    yield "binary", b"\x00\x01\x02\x03binary\xff", 1
    yield "non_utf8", _line(valid) + b'{"id": "caf\xe9"}\n', 2
    yield "bad_json", _line(valid) + b'{"id": "x", "text": \n', 2
    for case, record in bad_records.items():
        yield case, _line(valid) + _line(record), 2


CASES = [(command, case, data, line)
         for command, (_argv, valid, bad) in COMMANDS.items()
         for case, data, line in _bad_files(valid, bad)]


@pytest.mark.parametrize("command,case,data,line", CASES,
                         ids=[f"{c}-{case}" for c, case, _, _ in CASES])
def test_bad_input_gives_one_clear_error_and_no_output(tmp_path, command, case, data, line):
    source = tmp_path / "input.jsonl"
    source.write_bytes(data)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    output = out_dir / "result"
    argv = [str(source) if a == "IN" else str(output) if a == "OUT" else a
            for a in COMMANDS[command][0]]

    result = CliRunner().invoke(main, argv)

    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}"
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert str(source) in errors[0]
    if line is not None:
        assert f"{source}:{line}:" in errors[0]
    assert list(out_dir.iterdir()) == [], "partial output left behind"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_missing_input_file_is_named(tmp_path, command):
    missing = tmp_path / "nope.jsonl"
    argv = [str(missing) if a == "IN" else str(tmp_path / "o") if a == "OUT" else a
            for a in COMMANDS[command][0]]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "nope.jsonl" in result.stderr
    assert not (tmp_path / "o").exists()


# `export pull --from-file`: Label Studio's JSON export, one JSON document (line = the JSON error's)
EXPORT_TASK = {"id": 7, "data": {"sentence_id": "d:1", "text": "Kenya backed the mission."},
               "annotations": [{"id": 3, "completed_by": 1, "result": [],
                                "created_at": "2025-01-01T00:00:00Z"}]}
BAD_EXPORTS = {
    "truncated": (json.dumps([EXPORT_TASK], indent=1)[:40], "invalid JSON"),
    "not_a_list": (json.dumps({"tasks": [EXPORT_TASK]}), "a list of tasks"),
    "task_not_object": (json.dumps([EXPORT_TASK, 5]), "task 2: the task is a number"),
    "data_not_object": (json.dumps([dict(EXPORT_TASK, data="x")]), "task 1 (id 7)"),
    "annotations_not_list": (json.dumps([dict(EXPORT_TASK, annotations={"id": 3})]), "`annotations`"),
    "annotation_not_object": (json.dumps([dict(EXPORT_TASK, annotations=["a"])]),
                              "an annotation is a string"),
    "result_not_list": (json.dumps([dict(EXPORT_TASK, annotations=[
        dict(EXPORT_TASK["annotations"][0], result="x")])]), "`result` of annotation 3"),
    "bad_time": (json.dumps([dict(EXPORT_TASK, annotations=[
        dict(EXPORT_TASK["annotations"][0], updated_at="yesterday")])]), "updated_at"),
}


@pytest.mark.parametrize("case", sorted(BAD_EXPORTS))
def test_a_bad_export_file_gives_one_clear_error_and_no_output(tmp_path, case):
    text, expected = BAD_EXPORTS[case]
    source = tmp_path / "export.json"
    source.write_text(text)
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    result = CliRunner().invoke(main, ["export", "pull", "--from-file", str(source),
                                       "-o", str(out_dir / "gold.jsonl")])

    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}"
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert str(source) in errors[0] and expected in errors[0], errors[0]
    assert list(out_dir.iterdir()) == [], "partial output left behind"


def test_a_url_without_a_scheme_is_named(tmp_path):
    result = CliRunner().invoke(main, ["export", "pull", "--project", "p", "-o",
                                       str(tmp_path / "gold.jsonl"), "--url", "localhost:8080",
                                       "--api-key", "not-shown-123"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "'localhost:8080'" in errors[0] and "http://" in errors[0], errors
    assert "not-shown-123" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("state", ["{bad", "[1]", '{"source": "SOURCE", "latest": "garbage"}',
                                   '{"source": "SOURCE", "latest": 5}'])
def test_since_last_with_a_damaged_pull_state_names_the_state_file(tmp_path, state):
    export_file = tmp_path / "export.json"
    export_file.write_text("[]")
    output = tmp_path / "out" / "gold.jsonl"
    output.parent.mkdir()
    state_file = output.parent / "gold.jsonl.pull-state.json"
    state_file.write_text(state.replace("SOURCE", f"file {export_file.resolve()}"))

    result = CliRunner().invoke(main, ["export", "pull", "--from-file", str(export_file),
                                       "-o", str(output), "--since", "last"])

    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(state_file) in errors[0], result.stderr
    assert not output.exists()


@pytest.mark.parametrize("stored", ["[1]", "5", '{"token": "secret-token-9"}', "{"])
def test_damaged_local_studio_credentials_are_named_and_the_token_never_shown(
        tmp_path, monkeypatch, stored):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("ANNOTATE_STUDIO_DIR", str(tmp_path / "studio"))
    (tmp_path / "studio").mkdir()
    (tmp_path / "studio" / "credentials.json").write_text(stored)

    result = CliRunner().invoke(main, ["export", "pull", "--project", "p",
                                       "-o", str(tmp_path / "gold.jsonl")])

    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "credentials.json" in errors[0], result.stderr
    assert "secret-token-9" not in result.output
    assert not (tmp_path / "gold.jsonl").exists()


@pytest.mark.parametrize("command", ["split", "report", "adjudicate"])
def test_an_output_that_cannot_be_written_is_named(tmp_path, command):
    """/proc takes no new files (for root too): the temporary output cannot be created there."""
    argv, valid, _ = COMMANDS[command]
    source = tmp_path / "input.jsonl"
    source.write_bytes(_line(valid))
    output = "/proc/annotate-test-output"
    result = CliRunner().invoke(main, [str(source) if a == "IN" else output if a == "OUT" else a
                                       for a in argv])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"{output}: cannot write" in errors[0], result.stderr


def test_a_studio_directory_that_cannot_be_made_is_named(tmp_path, monkeypatch):
    in_the_way = tmp_path / "studio"
    in_the_way.write_text("a file where the studio directory should be")
    monkeypatch.setenv("ANNOTATE_STUDIO_DIR", str(in_the_way))
    result = CliRunner().invoke(main, ["studio", "--background"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"studio directory {in_the_way}" in errors[0], result.stderr
