"""`annotate serve` as Label Studio's ML backend, against the real Label Studio of the
`label_studio` fixture: Label Studio connects to it, asks it for the predictions of tasks that
have none (when a task is opened, and on "Retrieve Predictions"), and "Start Training" makes
it retrain from the project's annotations and serve the new model."""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner
from serve_helpers import (
    TRAIN_GOLD,
    gold_with_shuffled_stances,
    start_backend,
    start_weak_backend,
)

from annotate.cli import main
from annotate.errors import LabelStudioError
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import ml_backend
from annotate.labelstudio.backend import protocol
from annotate.labelstudio.project import labeling_config
from annotate.model.prelabel import Prelabeler
from annotate.model.store import load_model
from annotate.model.training import train_model
from annotate.records import read_records, write_records

pytestmark = pytest.mark.server
TARGET = "the Kenya-led Multinational Security Support mission in Haiti"
_titles = itertools.count(1)
SENTENCES = [
    "Kenya welcomed the deployment of the mission to Port-au-Prince.",
    "Opposition lawmakers said the deployment was unconstitutional.",
    "The Security Council authorised the mission in October.",
]


@pytest.fixture
def title():
    return f"serve-test-{next(_titles)}"


@pytest.fixture
def ls_env(label_studio, monkeypatch):
    env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def backend(ls_env, tmp_path):
    """`annotate serve` with the shipped model, pulling from the test Label Studio."""
    started = start_backend(tmp_path / "serve", env=ls_env)
    yield started
    started.stop()


def run_cli(*args, env=None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exit_code == 0, f"annotate {' '.join(map(str, args))} failed:\n{result.output}"
    return result.output


def push_project(tmp_path, title, records=None, *options, env=None):
    """A project made by `annotate export push` (with its labeling config), `records` in it
    (by default one sentence of the training gold)."""
    if records is None:
        records = _as_predictions(list(read_records(TRAIN_GOLD, "gold"))[-1:])
    path = tmp_path / f"{title}.predictions.jsonl"
    write_records(path, list(records))
    return run_cli("export", "push", path, "--project", title, "--target", TARGET, *options,
                   env=env)


def import_plain_tasks(session, project_id, sentences):
    """Tasks as a project lead imports them in Label Studio: data only, no predictions."""
    return labelstudio.import_tasks(session, project_id, [
        {"data": {"text": s, "target": TARGET, "prev_text": "", "next_text": "",
                  "source_html": ""}}
        for s in sentences])


def expected_result(model_dir, sentence):
    """What the served model predicts for the sentence: actor spans, stances, sentiment."""
    record = Prelabeler(load_model(model_dir)).label_batch([{"id": "x", "text": sentence}])[0]
    return ({(a["start"], a["end"], a["stance"]) for a in record["actors"]}, record["sentiment"])


def shown(prediction_result):
    """Actor spans with their stance (the span's label) and the sentiment, as a result holds them."""
    spans = {(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
             for r in prediction_result if r["from_name"] == "stance" and r["type"] == "labels"}
    sentiment = [r["value"]["choices"][0] for r in prediction_result if r["from_name"] == "sentiment"]
    return spans, sentiment[0]


def task_predictions(session, task_id):
    """The task as the labeling editor opens it (GET /api/tasks/<id>): its predictions."""
    return [p if isinstance(p, dict) else p.model_dump()
            for p in (session.ls.tasks.get(id=task_id).predictions or [])]


def test_label_studio_connects_and_pre_labels_tasks_imported_without_predictions(
        label_studio, backend, title, tmp_path):
    output = push_project(tmp_path, title, None, "--ml-backend", backend.url)
    assert "connected" in output
    session = label_studio.session()
    project = labelstudio.require_project(session, title)
    backends = labelstudio.ml_backends(session, project["id"])
    assert [(b["url"], b["state"]) for b in backends] == [(backend.url, "CO")]
    version = backend.health()["model_version"]
    assert backends[0]["model_version"] == version

    task_id, = import_plain_tasks(session, project["id"], SENTENCES[:1])
    predictions = task_predictions(session, task_id)   # opening the task asks the backend
    assert len(predictions) == 1
    assert predictions[0]["model_version"] == version
    assert shown(predictions[0]["result"]) == expected_result(None, SENTENCES[0])

    # connecting again changes nothing: one backend, one webhook to it
    assert "already connected" in push_project(tmp_path, title, None, "--ml-backend", backend.url)
    assert len(labelstudio.ml_backends(session, project["id"])) == 1
    hooks = [h for h in session.ls.webhooks.list(project=project["id"])
             if h.url.startswith(backend.url)]
    assert len(hooks) == 1


def test_retrieve_predictions_fills_every_selected_task(label_studio, backend, title, tmp_path):
    push_project(tmp_path, title, None, "--ml-backend", backend.url)
    session = label_studio.session()
    project = labelstudio.require_project(session, title)
    task_ids = import_plain_tasks(session, project["id"], SENTENCES)
    before = labelstudio.prediction_versions(session, project["id"])
    assert not set(task_ids) & set(before)
    # the Data Manager's Actions > Retrieve Predictions on all tasks
    session.ls.actions.create(id="retrieve_tasks_predictions", project=project["id"],
                              selected_items={"all": True, "excluded": []})
    versions = labelstudio.prediction_versions(session, project["id"])
    version = backend.health()["model_version"]
    assert {t: versions.get(t) for t in task_ids} == {t: {version} for t in task_ids}
    for task_id, sentence in zip(task_ids, SENTENCES):
        prediction, = task_predictions(session, task_id)
        assert shown(prediction["result"]) == expected_result(None, sentence)


def test_an_unknown_labeling_config_is_refused_with_the_reason(label_studio, backend, title):
    session = label_studio.session()
    other = labeling_config().replace('name="sentiment"', 'name="tone"')
    project = labelstudio.create_project(session, title, label_config=other)
    with pytest.raises(LabelStudioError) as refused:
        ml_backend.connect(session, project["id"], backend.url)
    assert "not annotate's labeling config" in str(refused.value)
    assert "sentiment" in str(refused.value)
    assert labelstudio.ml_backends(session, project["id"]) == []


LEGACY_CONFIG = """<View>
  <Labels name="actor" toName="text"><Label value="Actor" hotkey="a"/></Labels>
  <Text name="text" value="$text"/>
  <Choices name="stance" toName="text" perRegion="true" choice="single-radio">
    <Choice value="supportive"/><Choice value="wary"/><Choice value="critical"/><Choice value="none"/>
  </Choices>
  <Choices name="sentiment" toName="text" choice="single-radio">
    <Choice value="positive"/><Choice value="neutral"/><Choice value="negative"/>
  </Choices>
</View>"""


def test_the_config_push_generates_is_accepted_with_any_codebook_and_the_earlier_layout_is_not():
    """Predictions label a span by its stance and name its codebook actor: a project of push's
    config (whatever its corpus's codebook) gets them; one of the earlier layout (an Actor label
    plus a stance choice) would show them wrong, so it is refused with the reason."""
    assert protocol.config_problem(labeling_config()) is None
    assert protocol.config_problem(labeling_config(actors=["Kenya", "Haitian National Police"])) is None
    assert "stance" in protocol.config_problem(LEGACY_CONFIG)
    no_codebook = labeling_config().replace('name="canonical_actor"', 'name="who"')
    assert "canonical_actor" in protocol.config_problem(no_codebook)
    not_per_span = labeling_config().replace('perRegion="true" ', "")
    assert "perRegion" in protocol.config_problem(not_per_span)


def test_malformed_requests_get_a_4xx_json_message_not_a_traceback(backend):
    cases = [("POST", "/predict", None, b"{not json"),
             ("POST", "/predict", {"tasks": []}, None),
             ("POST", "/predict", {"tasks": [{"id": 1, "data": {"txt": "x"}}]}, None),
             ("POST", "/predict", {"tasks": [{"id": 1, "data": {"text": "x"}}],
                                   "label_config": "<View/>"}, None),
             ("POST", "/setup", {"project": "nine", "schema": labeling_config()}, None),
             ("POST", "/webhook", {"action": "START_TRAINING", "project": "x"}, None),
             ("POST", "/webhook", [1, 2], None),
             ("GET", "/predict", None, None),
             ("GET", "/no-such-page", None, None)]
    for method, path, body, raw in cases:
        status, answer = backend.request(method, path, body, raw=raw)
        assert 400 <= status < 500, (method, path, status, answer)
        assert isinstance(answer, dict) and answer["error"], (method, path, answer)
        assert "Traceback" not in json.dumps(answer)
    assert "Traceback" not in backend.log()
    status, answer = backend.request("POST", "/webhook", {"action": "PROJECT_UPDATED",
                                                          "project": {"id": 1}})
    assert status == 200 and answer["status"] == "ignored"


def test_basic_auth_is_required_and_its_password_never_shows(label_studio, ls_env, title,
                                                             tmp_path):
    password = "serve-Secret-7731"
    auth_env = {**ls_env, ml_backend.USER_ENV: "studio", ml_backend.PASSWORD_ENV: password}
    guarded = start_backend(tmp_path / "serve", env=auth_env, auth=("studio", password))
    try:
        assert guarded.request("GET", "/health", auth=False)[0] == 401
        assert guarded.request("GET", "/health", auth=("studio", "wrong"))[0] == 401
        assert guarded.request("GET", "/health")[0] == 200
        output = push_project(tmp_path, title, None, "--ml-backend", guarded.url, env=auth_env)
        assert password not in output
        session = label_studio.session()
        project = labelstudio.require_project(session, title)
        backend_info, = labelstudio.ml_backends(session, project["id"])
        assert (backend_info["state"], backend_info["auth_method"]) == ("CO", "BASIC_AUTH")
        task_id, = import_plain_tasks(session, project["id"], SENTENCES[1:2])
        assert len(task_predictions(session, task_id)) == 1
        # a training through Label Studio (webhook with the project), answered with auth
        labelstudio.train_ml_backend(session, backend_info["id"])
        done = guarded.wait_for_training()   # nobody labelled anything yet: nothing to learn
        assert done["state"] == "failed" and "has no annotations" in done["message"], done
    finally:
        guarded.stop()
    log = guarded.log()
    assert password not in log and label_studio.token not in log


def _label_some_tasks(label_studio, session, project_id, gold_records, annotator="first"):
    """An annotator labels the project's tasks through the API, as the editor would submit
    (each annotation sends Label Studio's ANNOTATION_CREATED webhook to the backend)."""
    from test_quality_loop import ls_result

    by_sentence = {t["sentence_id"]: t["id"] for t in labelstudio.task_index(session, project_id)}
    annotator = label_studio.session(label_studio.create_user(
        f"serve-{annotator}-{project_id}@example.org", "Serve-pass-2718")).ls
    for record in gold_records:
        annotator.annotations.create(id=by_sentence[record["id"]], result=ls_result(record))


def _as_predictions(gold_records, version="pushed-model"):
    return [{**{k: r[k] for k in ("id", "doc_id", "text")}, "target": TARGET,
             "actors": [{**a, "score": 0.5} for a in r["actors"]], "sentiment": r["sentiment"],
             "sentiment_score": 0.5, "model_version": version} for r in gold_records]


def test_start_training_serves_a_better_model_and_updates_unannotated_tasks(
        label_studio, ls_env, title, tmp_path):
    weak, weak_metrics, served = start_weak_backend(tmp_path, ls_env)
    try:
        gold = list(read_records(TRAIN_GOLD, "gold"))[:12]
        push_project(tmp_path, title, _as_predictions(gold), "--ml-backend", served.url)
        session = label_studio.session()
        project = labelstudio.require_project(session, title)
        _label_some_tasks(label_studio, session, project["id"], gold[:8])
        backend_info, = labelstudio.ml_backends(session, project["id"])
        assert served.health()["model_version"] == weak.model_version

        labelstudio.train_ml_backend(session, backend_info["id"])   # "Start Training"
        done = served.wait_for_training()
        assert done["state"] == "switched", done
        new_version = served.health()["model_version"]
        assert new_version == done["model_version"] != weak.model_version
        card = json.loads((served.models_dir / new_version / "model-card.json").read_text())
        assert card["cross_validation"]["stance_macro_f1"] >= \
            weak_metrics["stance_macro_f1"]
        assert card["training_size"]["records"] == 166 + 8   # the start gold + the annotations

        # the 4 tasks nobody annotated got the new model's predictions, the 8 annotated did not
        versions = labelstudio.prediction_versions(session, project["id"])
        index = labelstudio.task_index(session, project["id"])
        for task in index:
            assert (new_version in versions[task["id"]]) is (not task["annotated"])
        # and a task imported now is pre-labelled by the new model
        task_id, = import_plain_tasks(session, project["id"], SENTENCES[2:])
        prediction, = task_predictions(session, task_id)
        assert prediction["model_version"] == new_version
        assert shown(prediction["result"]) == expected_result(
            served.models_dir / new_version, SENTENCES[2])
    finally:
        served.stop()
    assert f"switched to {new_version}" in served.log()


def test_a_worse_model_is_written_but_not_served(label_studio, ls_env, title, tmp_path):
    train_model([TRAIN_GOLD], tmp_path / "good-model", folds=3, name="good")
    shuffled = gold_with_shuffled_stances(TRAIN_GOLD, tmp_path / "shuffled.jsonl")
    served = start_backend(tmp_path / "serve", "--model", tmp_path / "good-model",
                           "--gold", shuffled, "--folds", "3", env=ls_env)
    try:
        good_version = served.health()["model_version"]
        gold = list(read_records(TRAIN_GOLD, "gold"))[:6]
        push_project(tmp_path, title, _as_predictions(gold), "--ml-backend", served.url)
        session = label_studio.session()
        project = labelstudio.require_project(session, title)
        _label_some_tasks(label_studio, session, project["id"], gold[:3])
        backend_info, = labelstudio.ml_backends(session, project["id"])
        labelstudio.train_ml_backend(session, backend_info["id"])
        done = served.wait_for_training()
        assert done["state"] == "kept", done
        assert served.health()["model_version"] == good_version
        assert (served.models_dir / done["model_version"] / "model-card.json").exists()
        assert "below the served model's" in done["message"]
    finally:
        served.stop()
    assert f"kept {good_version}" in served.log()


def test_retrain_every_n_annotations_trains_without_anyone_pressing_a_button(
        label_studio, ls_env, title, tmp_path):
    weak, _, served = start_weak_backend(tmp_path, ls_env, "--retrain-every", "3")
    try:
        gold = list(read_records(TRAIN_GOLD, "gold"))[:4]
        push_project(tmp_path, title, _as_predictions(gold), "--ml-backend", served.url)
        session = label_studio.session()
        project = labelstudio.require_project(session, title)
        _label_some_tasks(label_studio, session, project["id"], gold[:2])
        assert served.health()["last_training"] is None   # 2 annotations: not yet
        _label_some_tasks(label_studio, session, project["id"], gold[2:3], annotator="second")
        done = served.wait_for_training()
        assert done["state"] == "switched", done
        assert served.health()["model_version"] not in (weak.model_version, None)
    finally:
        served.stop()
