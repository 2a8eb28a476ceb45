"""The README's `annotate export pull` examples, run as written (in their order) against the real
Label Studio fixture, and the promise behind `--since`: an incremental pull never shrinks an
earlier, fuller output."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import ls_admin
import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.errors import ConfigError
from annotate.ingest.documents import split_to_file
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import tasks
from annotate.labelstudio.pull import pull_file, rejects_path
from annotate.model.prelabel import prelabel_file
from annotate.records import read_records, write_records

README = Path(__file__).resolve().parent.parent / "README.md"
CORPORA = Path(__file__).resolve().parent.parent / "corpora"


def readme_commands(section: str, command: str) -> list[list[str]]:
    """The lines starting with `command` in the ```sh blocks of README section `section`."""
    text = README.read_text(encoding="utf-8")
    body = text.split(f"### {section}\n", 1)[1].split("\n### ", 1)[0]
    lines = [line for block in re.findall(r"```sh\n(.*?)```", body, flags=re.S)
             for line in block.splitlines() if line.startswith(command)]
    return [shlex.split(line)[1:] for line in lines]


def cli(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, f"annotate {' '.join(args)} failed:\n{result.output}"
    return result.output


@pytest.mark.server
def test_every_export_pull_example_of_the_readme_works_as_written(label_studio, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpora").symlink_to(CORPORA)
    split_to_file([CORPORA / "haiti-mss/articles/ruto-visit.md"], tmp_path / "sentences.jsonl")
    prelabel_file(tmp_path / "sentences.jsonl", tmp_path / "predictions.jsonl")
    records = {r["id"]: r for r in read_records(tmp_path / "predictions.jsonl")}
    write_records(tmp_path / "predictions-v2.jsonl",
                  [{**r, "model_version": "retrained-v2"} for r in records.values()])
    push_examples = readme_commands("annotate export push", "annotate export push")
    assert len(push_examples) >= 4, push_examples
    for args in push_examples:  # creates the README's project, sets its overlap, ...
        output = cli(*args)
        if "--overlap" in args:  # the summary says what is set
            assert "annotators per task: 2 on 20% of the tasks, 1 on the others" in output
    assert json.loads(Path("tasks.json").read_text())  # the --to-file example
    session = label_studio.session()
    assert session.ls.projects.get(id=labelstudio.require_project(
        session, "haiti-mss")["id"]).maximum_annotations == 2  # the --overlap example
    project = labelstudio.require_project(session, "haiti-mss")
    index = labelstudio.task_index(session, project["id"])

    def annotate(task):
        result = tasks.prediction_result(records[task["sentence_id"]])
        return session.ls.annotations.create(id=task["id"], result=result).id

    for task in index[:3]:
        annotate(task)
    # one annotation that does not fit the schema: it must stay listed in the rejects file
    session.ls.annotations.create(id=index[3]["id"], result=[])
    # the Export button's file, named as in the README
    Path("project-3-at-2025-01-31.json").write_bytes(ls_admin.export_raw(session, project["id"]))

    examples = readme_commands("annotate export pull", "annotate export pull")
    assert len(examples) >= 4, examples
    for args in examples:
        if "--since" in args and args[args.index("--since") + 1] == "last":
            annotate(index[4])  # something new since the last pull
        output = cli(*args)
        out = args[args.index("-o") + 1]
        gold = list(read_records(out, "gold"))
        if out == "gold.jsonl":
            # the incremental pull merged into the full one: nothing lost, the reject still listed
            assert len(gold) == (4 if "--since" in args else 3), output
            assert len(list(read_records(rejects_path(out)))) == 1
        else:
            assert gold, output
    assert "merged into gold.jsonl" in cli("export", "pull", "--project", "haiti-mss", "-o",
                                           "gold.jsonl", "--since", "last")


def test_a_since_pull_into_the_output_of_a_full_pull_keeps_it_whole(tmp_path):
    """Pulling `--since last` into the same file once replaced the full gold with the (empty)
    delta and deleted its rejects file."""
    record = {"id": "d:1", "doc_id": "d", "text": "Kenya welcomed the mission.", "start": 0,
              "end": 27, "sentiment": "positive", "model_version": "m",
              "actors": [{"start": 0, "end": 5, "text": "Kenya", "stance": "supportive",
                          "actor": "Government of Kenya"}]}

    def annotation(n, result, updated):
        return {"id": n, "completed_by": 1, "was_cancelled": False, "result": result,
                "created_at": "2025-01-01T10:00:00Z", "updated_at": updated}

    good = tasks.prediction_result(record)
    export = [{"id": 1, "data": tasks.task_data(record, "the mission"), "drafts": [],
               "annotations": [annotation(10, good, "2025-01-01T10:00:00Z"),
                               annotation(11, [], "2025-01-01T10:00:00Z")]}]
    (tmp_path / "export.json").write_text(json.dumps(export))
    gold = tmp_path / "gold.jsonl"
    pull_file(tmp_path / "export.json", gold)
    stats = pull_file(tmp_path / "export.json", gold, since="last")
    assert (stats.annotations, stats.merged, stats.records_written) == (0, True, 1)
    assert [r["annotation_id"] for r in read_records(gold)] == [10]
    assert [r["annotation_id"] for r in read_records(rejects_path(gold))] == [11]
    # the broken annotation fixed later: it leaves the rejects and joins the gold
    export[0]["annotations"][1] = annotation(11, good, "2025-02-01T10:00:00Z")
    (tmp_path / "export.json").write_text(json.dumps(export))
    stats = pull_file(tmp_path / "export.json", gold, since="last")
    assert (stats.annotations, stats.replaced, stats.records_written) == (1, 1, 2)
    assert [r["annotation_id"] for r in read_records(gold)] == [10, 11]
    assert not rejects_path(gold).exists()


def team_round_commands() -> list[list[str]]:
    """The commands of the README's labelling round ("Running an annotation team"), in order."""
    text = README.read_text(encoding="utf-8")
    body = text.split("## Running an annotation team\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", body, flags=re.S)
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("annotate ")]


@pytest.mark.server
def test_the_readme_labelling_round_runs_as_written(label_studio, tmp_path, monkeypatch):
    """push -> (two annotators label) -> pull -> agreement -> adjudicate -> train -> prelabel ->
    push --update-predictions, each command exactly as the README gives it."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpora").symlink_to(CORPORA)
    commands = team_round_commands()
    assert [c[0] for c in commands] == ["split", "prelabel", "export", "export", "agreement",
                                        "adjudicate", "train", "prelabel", "export"]
    before_labelling = next(i for i, c in enumerate(commands) if c[:2] == ["export", "pull"])
    outputs = [cli(*args) for args in commands[:before_labelling]]
    assert "annotators per task: 2 on 20% of the tasks" in outputs[-1]

    # two annotators label the same six sentences; they disagree on the stance of two
    records = {r["id"]: r for r in read_records("predictions.jsonl")}
    session = label_studio.session()
    project = labelstudio.require_project(session, "haiti-mss-round")
    shared = [t for t in labelstudio.task_index(session, project["id"])
              if records[t["sentence_id"]]["actors"]][:6]
    for n, email in enumerate(("one@round.example.org", "two@round.example.org")):
        token = label_studio.create_user(email, f"Round-pass-{n}-2024")
        for position, task in enumerate(shared):
            record = records[task["sentence_id"]]
            result = tasks.prediction_result(record)
            if n and position < 2:
                result[0]["value"]["labels"] = ["none" if record["actors"][0]["stance"] != "none"
                                                else "wary"]
            label_studio.session(token).ls.annotations.create(id=task["id"], result=result)

    outputs = [cli(*args) for args in commands[before_labelling:]]
    assert "wrote 12 gold records to gold.jsonl" in outputs[0]
    assert "6 labelled by 2+ annotators" in outputs[1] and "stance alpha" in outputs[1]
    assert len(list(read_records("adjudicated.jsonl"))) == 4
    assert len(list(read_records("conflicts.jsonl"))) == 2
    assert Path("model-r2/model-card.json").exists()
    assert "predictions added" in outputs[-1]


def test_a_since_pull_never_merges_into_a_file_that_is_not_a_pull_of_the_same_source(tmp_path):
    record = {"id": "d:1", "doc_id": "d", "text": "Kenya welcomed the mission.", "start": 0,
              "end": 27, "sentiment": "positive", "model_version": "m", "actors": []}
    export = [{"id": 1, "data": tasks.task_data(record, None), "drafts": [], "annotations": [
        {"id": 5, "completed_by": 1, "was_cancelled": False,
         "result": tasks.prediction_result(record), "created_at": "2025-02-01T10:00:00Z",
         "updated_at": "2025-02-01T10:00:00Z"}]}]
    (tmp_path / "export.json").write_text(json.dumps(export))
    other = tmp_path / "someone-elses.jsonl"
    write_records(other, [{**record, "annotator": "x"}])
    with pytest.raises(ConfigError, match="is not an earlier pull of"):
        pull_file(tmp_path / "export.json", other, since="2025-01-01T00:00")
    assert len(list(read_records(other))) == 1  # untouched
