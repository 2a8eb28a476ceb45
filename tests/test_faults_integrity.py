"""Inputs that parse but contradict themselves: a sentence id twice, offsets that do not fit the
text, a gold record twice (in one file or across files). One error naming file and line (and
where the first copy was), non-zero exit, no output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotate.cli import main

SENTENCE = {"id": "d:1", "doc_id": "d", "text": "Kenya backed the mission.", "start": 0, "end": 25}
GOLD = {"id": "d:1", "text": "Kenya backed the mission.", "sentiment": "positive",
        "actors": [{"start": 0, "end": 5, "text": "Kenya", "stance": "supportive"}],
        "annotator": "a@example.org"}
OTHER_GOLD = {**GOLD, "id": "d:2", "text": "Gangs rejected the mission.", "sentiment": "negative",
              "actors": [{"start": 0, "end": 5, "text": "Gangs", "stance": "critical"}]}


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _refused(argv, tmp_path, *expected):
    result = CliRunner().invoke(main, [str(a) for a in argv])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, result.output
    assert not (tmp_path / "out").exists()
    return result.output


def test_a_sentence_id_twice_in_prelabel_input_names_both_lines(tmp_path):
    source = _write(tmp_path / "s.jsonl", [SENTENCE, {**SENTENCE, "id": "d:2"}, SENTENCE])
    _refused(["prelabel", source, "-o", tmp_path / "out"], tmp_path,
             f"{source}:3: sentence id 'd:1' already appeared on line 1")


def test_sentence_offsets_that_contradict_the_text_are_refused(tmp_path):
    source = _write(tmp_path / "s.jsonl", [SENTENCE, {**SENTENCE, "id": "d:2", "end": 40}])
    _refused(["prelabel", source, "-o", tmp_path / "out"], tmp_path,
             f"{source}:2:", "must be the length of the text (25 characters)")


@pytest.mark.parametrize("command", ["train", "evaluate", "report"])
def test_a_gold_record_twice_names_both_places(command, tmp_path):
    first = _write(tmp_path / "a.jsonl", [GOLD, OTHER_GOLD] * 3)
    argv = {"train": ["train", first, "-o", tmp_path / "out"],
            "evaluate": ["evaluate", first],
            "report": ["report", first, "-o", tmp_path / "out"]}[command]
    _refused(argv, tmp_path, f"{first}:3: sentence id 'd:1' (annotator 'a@example.org') already "
             "appeared on line 1")


def test_the_same_sentence_by_two_annotators_is_not_a_repeat(tmp_path):
    source = _write(tmp_path / "a.jsonl", [GOLD, {**GOLD, "annotator": "b@example.org"}])
    result = CliRunner().invoke(main, ["report", str(source), "-o", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output


def test_a_gold_file_given_twice_to_train_names_the_first_file(tmp_path):
    gold = _write(tmp_path / "a.jsonl", [GOLD, OTHER_GOLD])
    _refused(["train", gold, gold, "-o", tmp_path / "out"], tmp_path,
             f"{gold}:1: sentence id 'd:1' (annotator 'a@example.org') already appeared on line 1")
