"""`annotate export push/pull` against the real Label Studio of the `label_studio` fixture."""

from __future__ import annotations

import copy
import itertools
import json

import ls_admin
import pytest

from annotate.corpus import load_corpus_config
from annotate.errors import ConfigError, LabelStudioError
from annotate.ingest.documents import split_to_file
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import tasks
from annotate.labelstudio.project import Overlap, instructions, labeling_config, project_settings
from annotate.labelstudio.pull import pull, pull_file
from annotate.labelstudio.push import push, write_import_file
from annotate.model.prelabel import prelabel_file
from annotate.records import read_records
from annotate.schema import load_schema

pytestmark = pytest.mark.server
CORPUS = "corpora/haiti-mss/corpus.toml"
TARGET = "the Kenya-led Multinational Security Support mission in Haiti"
_titles = itertools.count(1)


@pytest.fixture(scope="module")
def predictions(tmp_path_factory):
    """Real predictions of the shipped model on the bundled corpus (first 40 sentences)."""
    folder = tmp_path_factory.mktemp("predictions")
    split_to_file(["corpora/haiti-mss/articles"], folder / "sentences.jsonl")
    prelabel_file(folder / "sentences.jsonl", folder / "all.jsonl")
    records = list(read_records(folder / "all.jsonl", "prediction"))[:40]
    assert sum(len(r["actors"]) for r in records) >= 20  # the tests need actors to work on
    return records


@pytest.fixture
def title():
    return f"export-test-{next(_titles)}"


def _push(label_studio, title, records, **options):
    return push(label_studio.session(), title, copy.deepcopy(records), TARGET, **options)


def _tasks_by_sentence(session, project_id):
    return {t["sentence_id"]: t for t in labelstudio.task_index(session, project_id)}


def _annotate(token, label_studio, task_id, result, **fields):
    ls = label_studio.session(token).ls
    return ls.annotations.create(id=task_id, result=result, **fields).id


def _expected_gold(record, annotator, annotation_id, task_id, changes=None):
    actors = []
    for actor in sorted(record["actors"], key=lambda a: (a["start"], a["end"])):
        gold = {k: actor[k] for k in ("start", "end", "text", "stance")}
        if "actor" in actor:  # pre-filled as the span's codebook actor ("not in the codebook": null)
            gold["actor"] = actor["actor"]
        actors.append(gold)
    for index, stance in (changes or {}).items():
        actors[index]["stance"] = stance
    return {"id": record["id"], "doc_id": record["doc_id"], "text": record["text"], "actors": actors,
            "sentiment": record["sentiment"], "annotator": annotator,
            "annotation_id": annotation_id, "task_id": task_id, "target": TARGET}


def test_push_creates_the_project_with_config_instructions_and_linked_predictions(
        label_studio, predictions, title):
    summary = _push(label_studio, title, predictions)
    assert (summary.created, summary.already_present, summary.project_created) == (40, 0, True)
    session = label_studio.session()
    project = session.ls.projects.get(id=summary.project_id)
    offered = tasks.predicted_actors(predictions)  # the codebook actors the predictions name
    assert offered and " ".join(project.label_config.split()) == " ".join(
        labeling_config(actors=offered).split())
    assert "stance" in project.expert_instruction and "<h" in project.expert_instruction
    assert project.model_version == predictions[0]["model_version"]
    exported = json.loads(ls_admin.export_raw(session, summary.project_id))
    assert [t["data"]["sentence_id"] for t in exported] == [r["id"] for r in predictions]
    by_task = {}
    for item in session.ls.predictions.list(project=summary.project_id):
        by_task.setdefault(item.task, []).append(
            {"model_version": item.model_version, "result": item.result})
    for task_json, record in zip(exported, predictions):
        task_json["predictions"] = by_task[task_json["id"]]
        assert task_json["data"]["text"] == record["text"]
        assert task_json["data"]["prev_text"] == record["prev_text"]
        assert task_json["data"]["next_text"] == record["next_text"]
        assert task_json["data"]["target"] == TARGET
        assert task_json["data"]["model_summary"] == tasks.model_summary(record)
        (prediction,) = task_json["predictions"]
        assert prediction["model_version"] == record["model_version"]
        spans = {r["id"]: r for r in prediction["result"] if r["from_name"] == "stance"}
        actors = {r["id"]: r["value"]["choices"] for r in prediction["result"]
                  if r["from_name"] == "canonical_actor"}
        assert set(spans) == set(actors) and len(spans) == len(record["actors"])
        predicted = sorted((s["value"]["start"], s["value"]["end"], s["value"]["labels"][0])
                           for s in spans.values())
        assert predicted == sorted((a["start"], a["end"], a["stance"]) for a in record["actors"])
        (sentiment,) = [r for r in prediction["result"] if r["from_name"] == "sentiment"]
        assert sentiment["value"]["choices"] == [record["sentiment"]]


def test_repush_creates_nothing_and_new_sentences_only_are_added(label_studio, predictions, title):
    first = _push(label_studio, title, predictions[:25])
    again = _push(label_studio, title, predictions[:25])
    assert (again.created, again.already_present, again.project_created) == (0, 25, False)
    # the re-push trusted the local index of pushed tasks once the server confirmed it
    assert (first.task_listing, again.task_listing) == ("none", "incremental")
    more = _push(label_studio, title, predictions, batch_size=7)
    assert (more.created, more.already_present, more.task_listing) == (15, 25, "incremental")
    index = labelstudio.task_index(label_studio.session(), first.project_id)
    assert sorted(t["sentence_id"] for t in index) == sorted(r["id"] for r in predictions)


def test_push_with_the_corpus_adds_its_codebook_to_the_instructions_of_an_existing_project(
        label_studio, predictions, title):
    first = _push(label_studio, title, predictions[:3])
    session = label_studio.session()
    plain = session.ls.projects.get(id=first.project_id).expert_instruction
    assert " ".join(plain.split()) == " ".join(instructions().split())
    assert "Actor codebook" not in plain
    with_codebook = instructions(load_corpus_config(CORPUS))
    again = _push(label_studio, title, predictions[:3], instructions_html=with_codebook)
    assert (again.instructions_updated, again.config_updated, again.created) == (True, False, 0)
    project = session.ls.projects.get(id=first.project_id)
    assert project.expert_instruction == with_codebook
    assert "<strong>William Ruto</strong></td>" in project.expert_instruction
    third = _push(label_studio, title, predictions[:3], instructions_html=with_codebook)
    assert not third.instructions_updated


def test_two_annotators_then_pull_gives_exactly_their_labels(label_studio, predictions, title,
                                                            tmp_path):
    summary = _push(label_studio, title, predictions)
    session = label_studio.session()
    ids = _tasks_by_sentence(session, summary.project_id)
    ann_a = label_studio.create_user(f"ann-a-{title}@example.org", "Annot-pass-4417")
    ann_b = label_studio.create_user(f"ann-b-{title}@example.org", "Annot-pass-4418")
    with_actors = [r for r in predictions if len(r["actors"]) >= 2]
    first, second, third = with_actors[0], with_actors[1], predictions[-1]

    # Annotator A takes the prediction of `first` but changes the stance of its first actor.
    result = tasks.prediction_result(first)
    stances = load_schema().stances
    old = result[0]["value"]["labels"][0]  # the span's label is its stance
    new = next(s for s in stances if s != old)
    result[0]["value"]["labels"] = [new]
    a_first = _annotate(ann_a, label_studio, ids[first["id"]]["id"], result, lead_time=12.5)
    # A accepts `second` unchanged; B skips `first` and accepts `second` too.
    a_second = _annotate(ann_a, label_studio, ids[second["id"]]["id"],
                         tasks.prediction_result(second))
    _annotate(ann_b, label_studio, ids[first["id"]]["id"], [], was_cancelled=True)
    b_second = _annotate(ann_b, label_studio, ids[second["id"]]["id"],
                         tasks.prediction_result(second))
    # A leaves a draft on `third`: work in progress, not gold.
    session_a = label_studio.session(ann_a)
    session_a.request("POST", f"api/tasks/{ids[third['id']]['id']}/drafts",
                      json={"result": tasks.prediction_result(third), "lead_time": 3})

    output = tmp_path / "gold.jsonl"
    stats = pull(session, title, output)
    got = list(read_records(output, "gold"))
    for record in got:
        assert record.pop("created_at") and record.pop("updated_at")
    email_a, email_b = f"ann-a-{title}@example.org", f"ann-b-{title}@example.org"
    expected = [
        {**_expected_gold(first, email_a, a_first, ids[first["id"]]["id"], {0: new}),
         "lead_time": 12.5},
        _expected_gold(second, email_a, a_second, ids[second["id"]]["id"]),
        _expected_gold(second, email_b, b_second, ids[second["id"]]["id"]),
    ]
    key = lambda r: (r["task_id"], r["annotation_id"])  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    assert (stats.annotations, stats.skipped, stats.drafts, stats.unannotated, stats.rejected) == (
        3, 1, 1, 38, [])


def test_server_killed_mid_push_then_rerun_completes_exactly(label_studio, predictions, title):
    batches = []

    def crash_after_first_batch(done, total, what):
        batches.append(done)
        if len(batches) == 1:
            label_studio.stop(kill=True)

    with pytest.raises(LabelStudioError, match="cannot reach Label Studio"):
        _push(label_studio, title, predictions, batch_size=12, progress=crash_after_first_batch)
    label_studio.start()
    resumed = _push(label_studio, title, predictions, batch_size=12)
    assert (resumed.created, resumed.already_present) == (40 - 12, 12)
    assert resumed.task_listing == "incremental"  # the index was saved after the first batch
    index = labelstudio.task_index(label_studio.session(), resumed.project_id)
    assert sorted(t["sentence_id"] for t in index) == sorted(r["id"] for r in predictions)


def test_a_task_deleted_in_label_studio_is_created_again(label_studio, predictions, title):
    summary = _push(label_studio, title, predictions[:10])
    session = label_studio.session()
    victim = _tasks_by_sentence(session, summary.project_id)[predictions[3]["id"]]
    session.ls.tasks.delete(id=str(victim["id"]))
    again = _push(label_studio, title, predictions[:10])
    # the task count fell short of the local index: every task was listed, the index rebuilt
    assert (again.created, again.already_present, again.task_listing) == (1, 9, "full")
    assert predictions[3]["id"] in _tasks_by_sentence(session, summary.project_id)
    third = _push(label_studio, title, predictions[:10])
    assert (third.created, third.already_present, third.task_listing) == (0, 10, "incremental")


def test_tasks_imported_outside_annotate_are_noticed(label_studio, predictions, title,
                                                     annotate_data_dir):
    summary = _push(label_studio, title, predictions[:5])
    session = label_studio.session()
    # someone imports two of our sentences and a foreign task through Label Studio itself
    outside = [tasks.task(r, TARGET) for r in (predictions[5], predictions[2])]
    labelstudio.import_tasks(session, summary.project_id,
                             outside + [{"data": {"text": "Imported by hand.", "prev_text": "",
                                                           "next_text": "", "source_html": ""}}])
    again = _push(label_studio, title, predictions[:8])
    assert (again.created, again.already_present, again.task_listing) == (2, 6, "incremental")
    assert again.duplicate_tasks == 1  # predictions[2] is now on two tasks
    index = labelstudio.task_index(session, summary.project_id)
    assert len(index) == 5 + 3 + 2
    # the index holds ids only (no key), readable by its owner only
    (path,) = [p for p in (annotate_data_dir / "push-index").iterdir()
               if f'"project_id": {summary.project_id},' in p.read_text()
               and label_studio.url in p.read_text()]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert label_studio.token not in path.read_text()
    # a damaged index costs a full listing, nothing else
    path.write_text("{not json")
    assert _push(label_studio, title, predictions[:8]).task_listing == "full"


def test_a_recreated_project_with_the_same_title_does_not_use_the_old_index(
        label_studio, predictions, title):
    first = _push(label_studio, title, predictions[:4])
    session = label_studio.session()
    session.ls.projects.delete(id=first.project_id)
    again = _push(label_studio, title, predictions[:4])
    assert (again.project_created, again.created, again.task_listing) == (True, 4, "none")
    third = _push(label_studio, title, predictions[:6])
    assert (third.created, third.already_present, third.task_listing) == (2, 4, "incremental")


def test_update_predictions_only_on_unannotated_tasks_and_never_twice(label_studio, predictions,
                                                                      title):
    records = predictions[:12]
    summary = _push(label_studio, title, records)
    session = label_studio.session()
    ids = _tasks_by_sentence(session, summary.project_id)
    _annotate(label_studio.token, label_studio, ids[records[0]["id"]]["id"],
              tasks.prediction_result(records[0]))
    newer = [{**r, "model_version": "retrained-2"} for r in records]
    without = _push(label_studio, title, newer)
    assert (without.created, without.predictions_added) == (0, 0)
    updated = _push(label_studio, title, newer, update_predictions=True)
    assert (updated.predictions_added, updated.annotated_kept) == (11, 1)
    assert _push(label_studio, title, newer, update_predictions=True).predictions_added == 0
    versions = labelstudio.prediction_versions(session, summary.project_id)
    assert versions[ids[records[0]["id"]]["id"]] == {records[0]["model_version"]}
    assert all(versions[ids[r["id"]]["id"]] == {r["model_version"], "retrained-2"}
               for r in records[1:])
    assert session.ls.projects.get(id=summary.project_id).model_version == "retrained-2"


def test_a_config_that_lost_a_label_is_refused_and_pull_reports_the_misfits(
        label_studio, predictions, title, tmp_path):
    """A project whose annotators used a stance our schema does not have (e.g. the schema lost
    it): pushing our config would orphan those annotations, so push refuses; pull lists them."""
    session = label_studio.session()
    extra = labeling_config().replace('<Label value="none"',
                                      '<Label value="hostile"/>\n    <Label value="none"')
    project = labelstudio.create_project(session, title, label_config=extra)
    record = next(r for r in predictions if r["actors"])
    task_ids = labelstudio.import_tasks(session, project["id"], [tasks.task(record, TARGET)])
    result = tasks.prediction_result(record)
    result[0]["value"]["labels"] = ["hostile"]
    annotation = _annotate(label_studio.token, label_studio, task_ids[0], result)
    with pytest.raises(LabelStudioError, match="refusing to change the labeling config"):
        _push(label_studio, title, predictions[:5])
    assert len(labelstudio.task_index(session, project["id"])) == 1  # nothing imported
    stats = pull(session, title, tmp_path / "gold.jsonl")
    assert stats.annotations == 0 and len(stats.rejected) == 1
    (reject,) = read_records(tmp_path / "gold.jsonl.rejects.jsonl")
    assert (reject["task_id"], reject["annotation_id"]) == (task_ids[0], annotation)
    assert "hostile" in reject["problem"]


def test_offline_file_round_trip_through_label_studio(label_studio, predictions, title, tmp_path):
    """push --to-file -> Label Studio's import -> annotate -> Label Studio's export -> pull
    --from-file: the same records as the server path."""
    write_import_file(copy.deepcopy(predictions[:8]), tmp_path / "tasks.json", TARGET)
    session = label_studio.session()
    project = labelstudio.create_project(session, title, **project_settings())
    task_ids = labelstudio.import_tasks(session, project["id"],
                                        json.loads((tmp_path / "tasks.json").read_text()))
    for task_id, record in zip(task_ids, predictions[:8]):
        _annotate(label_studio.token, label_studio, task_id, tasks.prediction_result(record))
    (tmp_path / "export.json").write_bytes(ls_admin.export_raw(session, project["id"]))
    offline = pull_file(tmp_path / "export.json", tmp_path / "offline.jsonl")
    online = pull(session, title, tmp_path / "online.jsonl")
    assert offline.annotations == online.annotations == 8
    strip = lambda r: {k: v for k, v in r.items() if k != "annotator"}  # noqa: E731
    assert ([strip(r) for r in read_records(tmp_path / "offline.jsonl")]
            == [strip(r) for r in read_records(tmp_path / "online.jsonl")])
    # the Export button's file has user ids only; the snapshot pull makes embeds the users
    admin_id = session.ls.users.whoami().id
    assert {r["annotator"] for r in read_records(tmp_path / "offline.jsonl")} == {f"user:{admin_id}"}
    assert {r["annotator"] for r in read_records(tmp_path / "online.jsonl")} == {
        label_studio.admin_email}
    (tmp_path / "snapshot.json").write_bytes(labelstudio.export_tasks(session, project["id"]))
    pull_file(tmp_path / "snapshot.json", tmp_path / "snapshot.jsonl")
    assert (list(read_records(tmp_path / "snapshot.jsonl"))
            == list(read_records(tmp_path / "online.jsonl")))
    expected = [_expected_gold(r, "", 0, 0) for r in predictions[:8]]
    got = list(read_records(tmp_path / "online.jsonl"))
    assert [(r["id"], r["actors"], r["sentiment"]) for r in got] == [
        (e["id"], e["actors"], e["sentiment"]) for e in expected]


def test_pull_since_last_gets_only_new_annotations(label_studio, predictions, title, tmp_path):
    summary = _push(label_studio, title, predictions[:6])
    session = label_studio.session()
    ids = _tasks_by_sentence(session, summary.project_id)
    for record in predictions[:2]:
        _annotate(label_studio.token, label_studio, ids[record["id"]]["id"],
                  tasks.prediction_result(record))
    output = tmp_path / "gold.jsonl"
    assert pull(session, title, output).annotations == 2
    assert pull(session, title, output, since="last").annotations == 0
    _annotate(label_studio.token, label_studio, ids[predictions[2]["id"]]["id"],
              tasks.prediction_result(predictions[2]))
    stats = pull(session, title, output, since="last")
    assert (stats.annotations, stats.unchanged) == (1, 2)
    # merged into the earlier, fuller output: it never shrinks
    assert (stats.merged, stats.records_written) == (True, 3)
    assert [r["id"] for r in read_records(output)] == [r["id"] for r in predictions[:3]]
    # into a new output, a pull since a time writes just what changed after it
    delta = pull(session, title, tmp_path / "delta.jsonl", since=stats.latest)
    assert (delta.annotations, delta.merged) == (0, False)
    with pytest.raises(ConfigError, match="no earlier pull"):
        pull(session, title, tmp_path / "other.jsonl", since="last")


def test_overlap_is_set_on_a_new_project_and_changed_on_an_existing_one(label_studio, predictions,
                                                                        title):
    first = _push(label_studio, title, predictions[:4])
    session = label_studio.session()
    project = session.ls.projects.get(id=first.project_id)
    assert (project.maximum_annotations, first.annotators_per_task) == (1, 1)  # Label Studio's default
    again = _push(label_studio, title, predictions[:4], overlap=Overlap(2, 50))
    project = session.ls.projects.get(id=first.project_id)
    assert (project.maximum_annotations, project.overlap_cohort_percentage) == (2, 50)
    assert (again.overlap_updated, again.annotators_per_task, again.overlap_share) == (True, 2, 50)
    third = _push(label_studio, title, predictions[:4])  # no option: the project keeps its overlap
    assert (third.overlap_updated, third.annotators_per_task) == (False, 2)


def test_a_codebook_actor_annotators_chose_stays_offered_when_the_codebook_drops_it(
        label_studio, predictions, title, tmp_path):
    """Label Studio refuses a config that orphans annotations; push keeps such choices."""
    record = next(r for r in predictions if r["actors"])
    first = _push(label_studio, title, [record], codebook_actors=["Old actor", "Kept actor"])
    session = label_studio.session()
    task_id = labelstudio.task_index(session, first.project_id)[0]["id"]
    result = tasks.prediction_result(record)
    result[1]["value"]["choices"] = ["Old actor"]
    _annotate(label_studio.token, label_studio, task_id, result)
    again = _push(label_studio, title, [record], codebook_actors=["Kept actor", "New actor"])
    config = session.ls.projects.get(id=first.project_id).label_config
    assert again.config_updated and all(f'<Choice value="{name}"/>' in config
                                        for name in ("Old actor", "Kept actor", "New actor"))
    pull(session, title, tmp_path / "gold.jsonl")
    (gold,) = read_records(tmp_path / "gold.jsonl")
    assert gold["actors"][0]["actor"] == "Old actor"


LEGACY_CONFIG = """<View>
  <Labels name="actor" toName="text"><Label value="Actor" hotkey="a"/></Labels>
  <Text name="text" value="$text"/>
  <Choices name="stance" toName="text" perRegion="true" required="true" choice="single-radio">
    <Choice value="supportive"/><Choice value="wary"/><Choice value="critical"/><Choice value="none"/>
  </Choices>
  <Choices name="sentiment" toName="text" required="true" choice="single-radio">
    <Choice value="positive"/><Choice value="neutral"/><Choice value="negative"/>
  </Choices>
</View>"""


def test_a_project_of_the_earlier_layout_with_annotations_pulls_and_refuses_a_push_clearly(
        label_studio, predictions, title, tmp_path):
    """Projects made before the stance became the span label: their annotations still pull; the
    new config would orphan them, so push says what to do instead of changing it."""
    session = label_studio.session()
    project = labelstudio.create_project(session, title, label_config=LEGACY_CONFIG)
    record = next(r for r in predictions if r["actors"])
    (task_id,) = labelstudio.import_tasks(session, project["id"], [
        {"data": tasks.task_data(record, TARGET)}])
    actor = record["actors"][0]
    region = {k: actor[k] for k in ("start", "end", "text")}
    _annotate(label_studio.token, label_studio, task_id, [
        {"id": "r1", "from_name": "actor", "to_name": "text", "type": "labels",
         "value": {**region, "labels": ["Actor"]}},
        {"id": "r1", "from_name": "stance", "to_name": "text", "type": "choices",
         "value": {**region, "choices": ["wary"]}},
        {"id": "s", "from_name": "sentiment", "to_name": "text", "type": "choices",
         "value": {"choices": ["neutral"]}}])
    with pytest.raises(LabelStudioError, match="made by an earlier annotate"):
        _push(label_studio, title, predictions[:3])
    pull(session, title, tmp_path / "gold.jsonl")
    (gold,) = read_records(tmp_path / "gold.jsonl", "gold")
    assert [(a["start"], a["end"], a["stance"]) for a in gold["actors"]] == [
        (actor["start"], actor["end"], "wary")]


def test_a_prediction_file_is_pushed_in_passes_and_a_bad_last_line_sends_nothing(
        label_studio, predictions, title, tmp_path):
    from annotate.errors import InputError
    from annotate.labelstudio.push import PredictionFile
    from annotate.records import write_records

    session = label_studio.session()
    path = tmp_path / "predictions.jsonl"
    write_records(path, predictions[:12])
    first = push(session, title, PredictionFile(path), TARGET, batch_size=5)
    assert (first.sentences, first.created, first.model_version) == (
        12, 12, predictions[11]["model_version"])
    write_records(path, [{**r, "model_version": "retrained-3"} for r in predictions[:12]])
    updated = push(session, title, PredictionFile(path), TARGET, update_predictions=True,
                   batch_size=5)
    assert (updated.created, updated.predictions_added) == (0, 12)
    versions = labelstudio.prediction_versions(session, first.project_id)
    assert all(v == {predictions[0]["model_version"], "retrained-3"} for v in versions.values())
    bad = tmp_path / "bad.jsonl"
    write_records(bad, predictions[12:20])
    with open(bad, "a", encoding="utf-8") as handle:
        handle.write('{"id": "broken"\n')
    with pytest.raises(InputError, match=r"bad\.jsonl:9"):
        push(session, title, PredictionFile(bad), TARGET)
    assert len(labelstudio.task_index(session, first.project_id)) == 12
