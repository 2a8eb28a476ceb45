"""Pull checks what it converts, against the real Label Studio of the `label_studio` fixture:
each span's offsets must give the text Label Studio stored for it (UTF-16 offsets, as other tools
write them, and offsets off by one are recovered and counted; anything else is rejected with its
task id), and a pull reports the tasks and annotations deleted since the last one."""

from __future__ import annotations

import itertools
import json

import pytest

from annotate.errors import InputError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio.pull import pull, pull_file, rejects_path
from annotate.labelstudio.push import push
from annotate.records import read_records

pytestmark = pytest.mark.server
_titles = itertools.count(1)
# three characters outside the Basic Multilingual Plane before the name: two UTF-16 code units
# each, one code point each (Label Studio's editor counts code points)
TEXT = "🇰🇪🙏 Kenya's President William Ruto said the mission would stay."
NAME = "William Ruto"


def _records():
    return [{"id": f"d:{n}", "doc_id": "d", "text": TEXT if n == 1 else f"Sentence {n} here.",
             "start": 0, "end": 0, "actors": [], "sentiment": "neutral", "sentiment_score": 0.5,
             "model_version": "m1"} for n in (1, 2, 3)]


def _result(start, end, text):
    return [{"id": "r1", "from_name": "actor", "to_name": "text", "type": "labels",
             "value": {"start": start, "end": end, "text": text, "labels": ["Actor"]}},
            {"id": "r1", "from_name": "stance", "to_name": "text", "type": "choices",
             "value": {"choices": ["supportive"]}},
            {"id": "s", "from_name": "sentiment", "to_name": "text", "type": "choices",
             "value": {"choices": ["neutral"]}}]


@pytest.fixture
def project(label_studio):
    title = f"pull-checks-{next(_titles)}"
    records = [{**r, "end": len(r["text"])} for r in _records()]
    summary = push(label_studio.session(), title, records, "the mission")
    tasks = {t["sentence_id"]: t["id"]
             for t in labelstudio.task_index(label_studio.session(), summary.project_id)}
    return title, tasks


def _annotate(label_studio, task_id, result):
    return label_studio.session().ls.annotations.create(id=task_id, result=result).id


def test_utf16_offsets_written_through_the_api_are_pulled_as_the_intended_words(
        label_studio, project, tmp_path):
    title, tasks = project
    start = TEXT.index(NAME)
    utf16_start = len(TEXT[:start].encode("utf-16-le")) // 2
    _annotate(label_studio, tasks["d:1"], _result(utf16_start, utf16_start + len(NAME), NAME))
    stats = pull(label_studio.session(), title, tmp_path / "gold.jsonl")
    (record,) = read_records(tmp_path / "gold.jsonl")
    assert record["actors"][0]["text"] == NAME
    assert (record["actors"][0]["start"], record["actors"][0]["end"]) == (start, start + len(NAME))
    assert [r["reason"] for r in stats.recovered] == ["UTF-16 offsets"]
    assert stats.recovered[0]["task_id"] == tasks["d:1"]


def test_an_off_by_one_span_is_recovered_and_a_contradicting_one_is_rejected(
        label_studio, project, tmp_path):
    title, tasks = project
    start = TEXT.index(NAME)
    _annotate(label_studio, tasks["d:1"], _result(start + 1, start + len(NAME) + 1, NAME))
    _annotate(label_studio, tasks["d:2"], _result(0, 8, "Somebody"))  # the text says "Sentence"
    output = tmp_path / "gold.jsonl"
    stats = pull(label_studio.session(), title, output)
    (record,) = read_records(output)
    assert record["actors"][0]["text"] == NAME
    assert [r["reason"] for r in stats.recovered] == ["offsets off by one"]
    (reject,) = read_records(rejects_path(output))
    assert reject["task_id"] == tasks["d:2"]
    assert "reads 'Sentence'" in reject["problem"] and "'Somebody'" in reject["problem"]


def test_a_since_pull_reports_the_tasks_and_annotations_deleted_since_the_last(
        label_studio, project, tmp_path):
    title, tasks = project
    session = label_studio.session()
    first = _annotate(label_studio, tasks["d:2"], _result(0, 8, "Sentence"))
    second = _annotate(label_studio, tasks["d:3"], _result(0, 8, "Sentence"))
    output = tmp_path / "gold.jsonl"
    assert pull(session, title, output).annotations == 2
    session.ls.annotations.delete(id=first)
    session.ls.tasks.delete(id=str(tasks["d:3"]))  # its annotation goes with it
    stats = pull(session, title, output, since="last")
    assert stats.deleted_tasks == [tasks["d:3"]]
    assert stats.deleted_annotations == sorted([first, second])
    again = pull(session, title, output, since="last")
    assert (again.deleted_annotations, again.deleted_tasks) == ([], [])


def test_two_tasks_with_one_id_in_an_export_file_name_both(tmp_path):
    task = {"id": 5, "data": {"sentence_id": "d:1", "text": "Kenya backed it."}, "annotations": []}
    source = tmp_path / "export.json"
    source.write_text(json.dumps([task, {**task, "data": {"sentence_id": "d:2", "text": "B."}}]))
    with pytest.raises(InputError, match=r"task 2 \(id 5\): task id 5 was already used by task 1"):
        pull_file(source, tmp_path / "gold.jsonl")
    assert not (tmp_path / "gold.jsonl").exists()
    annotation = {"id": 9, "result": [], "completed_by": 1}
    source.write_text(json.dumps([{**task, "annotations": [annotation]},
                                  {**task, "id": 6, "annotations": [annotation]}]))
    with pytest.raises(InputError, match="annotation id 9 appears twice"):
        pull_file(source, tmp_path / "gold.jsonl")
