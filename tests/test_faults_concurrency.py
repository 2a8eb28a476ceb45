"""Two `annotate export push` of the same file at once, as two real processes against the real
Label Studio of the `label_studio` fixture: on one machine (one data dir, so one lock) and on two
(two data dirs: no shared lock, only the server to reconcile through). Either way the project ends
with one task per sentence, one prediction per (task, model_version) and one project per title."""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from types import SimpleNamespace

import httpx

import pytest

from annotate.ingest.documents import split_to_file
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import reconcile, tasks
from annotate.labelstudio.project import project_settings
from annotate.model.prelabel import prelabel_file
from annotate.records import read_records

pytestmark = pytest.mark.server
_titles = itertools.count(1)
TARGET = "the Kenya-led Multinational Security Support mission in Haiti"


@pytest.fixture(scope="module")
def predictions_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrent-predictions")
    split_to_file(["corpora/haiti-mss/articles"], folder / "sentences.jsonl")
    prelabel_file(folder / "sentences.jsonl", folder / "all.jsonl")
    records = list(read_records(folder / "all.jsonl", "prediction"))[:24]
    path = folder / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _start_push(label_studio, data_dir, predictions, title, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env.update(LABEL_STUDIO_URL=label_studio.url, LABEL_STUDIO_API_KEY=label_studio.token,
               ANNOTATE_DATA_DIR=str(data_dir))
    # small batches: the two pushes' imports interleave, as big pushes' do
    return subprocess.Popen([sys.executable, "-c", "from annotate.cli import main; main()",
                             "export", "push", str(predictions), "--project", title,
                             "--target", TARGET, "--batch-size", "3", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _both(label_studio, data_dirs, predictions, title, *extra):
    processes = [_start_push(label_studio, d, predictions, title, *extra) for d in data_dirs]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in processes]
    for process in processes:
        process.stdout.close()
        process.stderr.close()
    for code, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    return [stderr for _code, stderr in results]


def _assert_one_of_everything(label_studio, title, predictions):
    session = label_studio.session()
    projects = labelstudio.projects_titled(session, title)
    assert len(projects) == 1, projects
    index = labelstudio.task_index(session, projects[0]["id"])
    sentence_ids = [r["id"] for r in read_records(predictions)]
    assert sorted(t["sentence_id"] for t in index) == sorted(sentence_ids)
    per_version = Counter((p["task"], p["model_version"])
                          for p in labelstudio.predictions(session, projects[0]["id"]))
    assert set(per_version.values()) == {1}
    return projects[0]["id"], index


@pytest.mark.parametrize("machines", ["one machine", "two machines"])
def test_two_pushes_into_a_new_project_at_once_make_one_project_and_one_task_each(
        label_studio, predictions_file, tmp_path, machines):
    title = f"concurrent-new-{next(_titles)}"
    data_dirs = ([tmp_path / "shared"] * 2 if machines == "one machine"
                 else [tmp_path / "a", tmp_path / "b"])
    _both(label_studio, data_dirs, predictions_file, title)
    project_id, index = _assert_one_of_everything(label_studio, title, predictions_file)
    # and the project stays usable: a third push finds everything there
    third = _both(label_studio, data_dirs[:1], predictions_file, title)[0]
    assert "0 tasks created, 24 already present" in third
    assert "warning" not in third
    # and the server still counts annotations (two project deletes at once stop that for good)
    session = label_studio.session()
    record = next(iter(read_records(predictions_file)))
    task_id = next(t["id"] for t in index if t["sentence_id"] == record["id"])
    session.ls.annotations.create(id=task_id, result=tasks.prediction_result(record))
    annotated = {t["id"] for t in labelstudio.task_index(session, project_id) if t["annotated"]}
    assert annotated == {task_id}


def test_each_push_deletes_only_its_own_copy_of_a_new_project(label_studio):
    """Of two projects created with one title at once, the newer one's push deletes it; the
    older one's push leaves it for that push (two deletes at once break Label Studio 1.23)."""
    title = f"concurrent-settle-{next(_titles)}"
    session = label_studio.session()
    older = labelstudio.create_project(session, title, **project_settings())
    newer = labelstudio.create_project(session, title, **project_settings())
    assert reconcile.settle_project(session, older)[1] is True
    assert [p["id"] for p in labelstudio.projects_titled(session, title)] == [older["id"],
                                                                             newer["id"]]
    settled, ours = reconcile.settle_project(session, newer)
    assert (settled["id"], ours) == (older["id"], False)
    assert [p["id"] for p in labelstudio.projects_titled(session, title)] == [older["id"]]


def test_two_machines_pushing_into_an_existing_project_keep_one_task_per_sentence(
        label_studio, predictions_file, tmp_path):
    title = f"concurrent-existing-{next(_titles)}"
    records = list(read_records(predictions_file))
    head = tmp_path / "head.jsonl"
    head.write_text("".join(json.dumps(r) + "\n" for r in records[:5]))
    _both(label_studio, [tmp_path / "a"], head, title)
    outputs = _both(label_studio, [tmp_path / "a", tmp_path / "b"], predictions_file, title)
    _assert_one_of_everything(label_studio, title, predictions_file)
    # what each reported adds up: 19 new sentences, created once between the two
    created = [int(o.split(" tasks created")[0].rsplit(" ", 1)[1]) for o in outputs]
    assert sum(created) == 19, outputs


def _project_with_copies(label_studio, predictions_file, title):
    """A project where a second push made copies of three sentences' tasks: (session, project,
    records, the first tasks' ids, the copies' ids)."""
    records = list(read_records(predictions_file))[:3]
    session = label_studio.session()
    project = labelstudio.create_project(session, title, **project_settings())
    first = labelstudio.import_tasks(session, project["id"], [tasks.task(r, TARGET) for r in records])
    second = labelstudio.import_tasks(session, project["id"],
                                      [tasks.task(r, TARGET) for r in records])
    return session, project, records, first, second


def test_a_copy_someone_annotated_is_never_removed(label_studio, predictions_file):
    """The reconciliation removes only unannotated copies the push itself made."""
    session, project, records, first, second = _project_with_copies(
        label_studio, predictions_file, f"concurrent-annotated-{next(_titles)}")
    # an annotator already opened and submitted one of the copies
    session.ls.annotations.create(id=second[0], result=tasks.prediction_result(records[0]))
    check = reconcile.remove_duplicate_tasks(session, project["id"], 0, set(second))
    assert sorted(check.removed) == sorted(second[1:])
    assert check.kept_annotated == 1
    left = {t["id"] for t in labelstudio.task_index(session, project["id"])}
    assert left == set(first) | {second[0]}


def test_a_copy_someone_skipped_or_started_is_never_removed(label_studio, predictions_file):
    """A skip is an annotation too, and a draft (work not yet submitted, which the task
    listing's counters do not show) is kept like a submitted annotation."""
    session, project, records, first, second = _project_with_copies(
        label_studio, predictions_file, f"concurrent-drafted-{next(_titles)}")
    session.ls.annotations.create(id=second[0], result=[], was_cancelled=True)
    draft = session.request("POST", f"api/tasks/{second[1]}/drafts",
                            content=json.dumps({"result": tasks.prediction_result(records[1]),
                                                "lead_time": 5.0}).encode(),
                            headers={"Content-Type": "application/json"})
    assert draft.status_code == 201, draft.text
    check = reconcile.remove_duplicate_tasks(session, project["id"], 0, set(second))
    assert check.removed == [second[2]]
    assert check.kept_annotated == 2
    left = {t["id"] for t in labelstudio.task_index(session, project["id"])}
    assert left == set(first) | set(second[:2])


def test_two_update_predictions_at_once_add_each_prediction_once(label_studio, predictions_file,
                                                                 tmp_path):
    title = f"concurrent-update-{next(_titles)}"
    _both(label_studio, [tmp_path / "a"], predictions_file, title)
    newer = tmp_path / "newer.jsonl"
    newer.write_text("".join(json.dumps({**r, "model_version": "retrained-2"}) + "\n"
                             for r in read_records(predictions_file)))
    _both(label_studio, [tmp_path / "a", tmp_path / "b"], newer, title, "--update-predictions")
    project_id, index = _assert_one_of_everything(label_studio, title, predictions_file)
    versions = labelstudio.prediction_versions(label_studio.session(), project_id)
    assert all(len(versions[t["id"]]) == 2 for t in index)


def test_a_second_push_on_the_same_machine_waits_for_the_first(label_studio, tmp_path):
    waited = []
    with reconcile.push_lock(label_studio.url, "locked-title", tmp_path):
        script = ("import sys; from pathlib import Path; from annotate.labelstudio import reconcile\n"
                  "with reconcile.push_lock(sys.argv[1], 'locked-title', Path(sys.argv[2]),"
                  " lambda: print('waiting', flush=True)):\n    print('got it', flush=True)\n")
        process = subprocess.Popen([sys.executable, "-c", script, label_studio.url, str(tmp_path)],
                                   stdout=subprocess.PIPE, text=True)
        waited.append(process.stdout.readline().strip())
    waited.append(process.stdout.readline().strip())
    process.wait(timeout=60)
    process.stdout.close()
    assert waited == ["waiting", "got it"]


class _LosingTheAnswer(http.server.BaseHTTPRequestHandler):
    """A proxy in front of the real server. The first request that `matches` goes through, but
    its answer is lost to a 500 (`before_first` runs just before it is forwarded): what a locked
    SQLite does to Label Studio's create and import (the rows are committed, the rest of the
    request fails). `seen` counts the matching requests, resends included."""

    upstream = ""      # set per test
    matches = None     # (method, path) -> bool
    before_first = None
    seen = 0

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        first = type(self).matches(self.command, self.path.split("?")[0].rstrip("/"))
        if first:
            type(self).seen += 1
            first = type(self).seen == 1
        if first and type(self).before_first:
            type(self).before_first()
        answer = httpx.request(self.command, self.upstream + self.path, headers=headers,
                               content=body, timeout=600)
        status, content = (500, b'{"detail": "database is locked"}') if first else (
            answer.status_code, answer.content)
        self.send_response(status)
        self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _proxy(label_studio, matches, before_first=None):
    handler = type("Handler", (_LosingTheAnswer,), {
        "upstream": label_studio.url, "matches": staticmethod(matches),
        "before_first": staticmethod(before_first) if before_first else None})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield handler, SimpleNamespace(url=f"http://127.0.0.1:{proxy.server_address[1]}",
                                       token=label_studio.token)
    finally:
        proxy.shutdown()


def test_a_create_whose_answer_is_lost_still_ends_with_one_project(label_studio, predictions_file,
                                                                   tmp_path):
    """The SDK would resend the POST (a third project) and leave the lost one behind; the push
    must instead find the copies by title and keep only the oldest."""
    title = f"concurrent-lost-{next(_titles)}"
    session = label_studio.session()
    with _proxy(label_studio, lambda method, path: method == "POST" and path == "/api/projects",
                lambda: labelstudio.create_project(session, title, **project_settings())
                ) as (handler, through_proxy):
        _both(through_proxy, [tmp_path / "a"], predictions_file, title)
    assert handler.seen == 1
    _assert_one_of_everything(label_studio, title, predictions_file)


@pytest.mark.parametrize("lost", ["tasks", "predictions"])
def test_an_import_whose_answer_is_lost_is_never_resent_and_the_rerun_completes(
        label_studio, predictions_file, tmp_path, lost):
    """Label Studio committed the import, then failed: a resend would make a second copy of
    every task (or prediction) of the batch. The push stops with the server's error instead,
    and rerunning it adds exactly what is missing."""
    title = f"concurrent-import-lost-{next(_titles)}"
    pushed, extra = predictions_file, ()
    if lost == "predictions":
        _both(label_studio, [tmp_path / "a"], predictions_file, title)
        pushed, extra = tmp_path / "newer.jsonl", ("--update-predictions",)
        pushed.write_text("".join(json.dumps({**r, "model_version": "retrained-2"}) + "\n"
                                  for r in read_records(predictions_file)))
    endpoint = "/import" if lost == "tasks" else "/import/predictions"
    with _proxy(label_studio, lambda method, path: method == "POST" and path.startswith(
            "/api/projects/") and path.endswith(endpoint)) as (handler, through_proxy):
        process = _start_push(through_proxy, tmp_path / "a", pushed, title, *extra)
        stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 1, stderr
    assert "server error (500)" in stderr and "Traceback" not in stderr
    assert handler.seen == 1  # sent once, never resent
    rerun = _both(label_studio, [tmp_path / "a"], pushed, title, *extra)[0]
    assert "Traceback" not in rerun
    project_id, index = _assert_one_of_everything(label_studio, title, predictions_file)
    if lost == "predictions":
        versions = labelstudio.prediction_versions(label_studio.session(), project_id)
        assert all(versions[t["id"]] == {"retrained-2", next(iter(read_records(
            predictions_file)))["model_version"]} for t in index)
