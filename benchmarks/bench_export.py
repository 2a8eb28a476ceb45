"""Label Studio push and pull against their baselines, on a real local Label Studio.

1. push of N pre-labelled sentences (`annotate.labelstudio.export.push`: batched imports with predictions
   inline) against a naive loop that creates one task and then one prediction per request
   (`tasks.create` + `predictions.create`). The naive loop runs on a sample (`--naive-sample`)
   and is scaled per task to N: its cost is linear in the number of tasks (two requests each).
2. a no-op re-push of the same N (everything already there) against the first push: with the
   local index of pushed tasks (the normal case), and without one (the full-listing fallback).
3. `annotate.labelstudio.export.pull` (export snapshot, download, conversion to gold, write) against Label
   Studio's raw JSON export of the same project (`GET /api/projects/{id}/export?exportType=JSON`,
   the file its Export button gives, no conversion), on a project of N tasks where every task has
   one annotation (imported inline, as setup, not timed).

The N sentences are the bundled corpus's real pre-labels (split + the shipped model) repeated
with distinct sentence ids until N: task content as in real use, ids unique.

    python benchmarks/bench_export.py                 # N=5000, 3 runs, prints a Markdown table
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import ls_admin  # noqa: E402  (Label Studio's own export, which pull is compared against)

from annotate.ingest.documents import split_to_file  # noqa: E402
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import server, tasks
from annotate.labelstudio.project import project_settings
from annotate.labelstudio.pull import pull
from annotate.labelstudio.push import push
from annotate.model.prelabel import prelabel_file
from annotate.records import read_records

ROOT = Path(__file__).resolve().parents[1]
TARGET = "the Kenya-led Multinational Security Support mission in Haiti"
ADMIN = ("bench@example.org", "Bench-pass-5521")


def sentences(n: int, work: Path) -> list[dict]:
    split_to_file([ROOT / "corpora/haiti-mss/articles"], work / "sentences.jsonl")
    prelabel_file(work / "sentences.jsonl", work / "predictions.jsonl")
    base = list(read_records(work / "predictions.jsonl", "prediction"))
    records = []
    for i in range(n):
        record = copy.deepcopy(base[i % len(base)])
        record["id"] = f"r{i // len(base)}:{record['id']}"
        records.append(record)
    return tasks.add_context(records)


def start_server(work: Path, template: Path | None):
    data_dir, log = work / "ls-data", work / "ls.log"
    if template and (template / "label_studio.sqlite3").exists():
        shutil.copytree(template, data_dir)
    else:
        print("creating Label Studio's database (a minute or two)...", file=sys.stderr)
        server.migrate(data_dir, log)
    port = server.free_port()
    process = server.start(data_dir, port, log, admin=ADMIN)
    url = f"http://127.0.0.1:{port}"
    server.wait_until_healthy(url, process, log)
    token = labelstudio.create_access_token(url, *ADMIN)
    return process, labelstudio.connect(labelstudio.Connection(url, token))


def timed(func):
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def naive_push(session, title: str, records: list[dict]) -> None:
    """The loop people write first: one request for the task, one for its prediction."""
    project = labelstudio.create_project(session, title, **project_settings())
    for record in records:
        task = session.ls.tasks.create(project=project["id"], data=tasks.task_data(record, TARGET))
        prediction = tasks.prediction(record)
        session.ls.predictions.create(task=task.id, result=prediction["result"],
                                      score=prediction["score"],
                                      model_version=prediction["model_version"])


def annotated_project(session, title: str, records: list[dict]) -> None:
    """Setup for the pull benchmark: every task with one submitted annotation (its prediction)."""
    project = labelstudio.create_project(session, title, **project_settings())
    batch = []
    for record in records:
        task = tasks.task(record, TARGET)
        task["annotations"] = [{"result": task["predictions"][0]["result"]}]
        batch.append(task)
    for start in range(0, len(batch), 1000):
        labelstudio.import_tasks(session, project["id"], batch[start:start + 1000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument("--template", type=Path,
                        default=ROOT / ".pytest_cache/d/annotate-label-studio/label-studio-1.23.2-template",
                        help="a migrated empty Label Studio data dir to copy (the tests' cache)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    process = None
    try:
        records = sentences(args.sentences, work)
        process, session = start_server(work, args.template)
        rows = []
        for run in range(args.runs):
            title = f"bench-push-{run}"
            index_dir = work / "push-index"  # not the user's data dir
            push_s, summary = timed(lambda: push(session, title, copy.deepcopy(records), TARGET,
                                                        index_dir=index_dir))
            assert summary.created == len(records), summary
            repush_s, again = timed(lambda: push(session, title, copy.deepcopy(records), TARGET,
                                                        index_dir=index_dir))
            assert again.created == 0 and again.already_present == len(records), again
            assert again.task_listing == "incremental", again
            # the fallback: no usable local index (another machine, a deleted task): full listing
            cold_s, cold = timed(lambda: push(session, title, copy.deepcopy(records), TARGET,
                                                     index_dir=work / f"no-index-{run}"))
            assert cold.created == 0 and cold.task_listing == "full", cold
            sample = records[:args.naive_sample]
            naive_sample_s, _ = timed(lambda: naive_push(session, f"bench-naive-{run}", sample))
            naive_s = naive_sample_s / len(sample) * len(records)
            annotated_project(session, f"bench-pull-{run}", records)
            out = work / f"gold-{run}.jsonl"
            pull_s, stats = timed(lambda: pull(session, f"bench-pull-{run}", out))
            assert stats.annotations == len(records), stats
            project = labelstudio.require_project(session, f"bench-pull-{run}")
            raw_s, raw = timed(lambda: ls_admin.export_raw(session, project["id"]))
            assert len(json.loads(raw)) == len(records)
            rows.append({"push": push_s, "naive": naive_s, "repush": repush_s, "cold": cold_s,
                         "pull": pull_s, "raw": raw_s})
            print(json.dumps({k: round(v, 2) for k, v in rows[-1].items()}), file=sys.stderr)
        med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
        n = len(records)
        print(f"\nN = {n} sentences, {args.runs} runs (medians), naive loop measured on "
              f"{args.naive_sample} tasks and scaled per task; {platform.platform()}, "
              f"Python {platform.python_version()}\n")
        print("| measure | time (s) | baseline (s) | ratio | goal |")
        print("|---|---|---|---|---|")
        print(f"| push {n} (batched) vs naive task+prediction loop | {med['push']:.1f} | "
              f"{med['naive']:.1f} | {med['naive'] / med['push']:.0f}× faster | ≥ 50× |")
        print(f"| no-op re-push vs first push | {med['repush']:.1f} | {med['push']:.1f} | "
              f"{med['repush'] / med['push']:.2f} of the first push | ≤ 0.25 |")
        print(f"| re-push with no local index (full listing) vs first push | {med['cold']:.1f} | "
              f"{med['push']:.1f} | {med['cold'] / med['push']:.2f} of the first push | |")
        print(f"| pull (snapshot → gold JSONL) vs raw JSON export | {med['pull']:.1f} | "
              f"{med['raw']:.1f} | {med['raw'] / med['pull']:.2f}× the export's speed | ≥ 0.8× |")
    finally:
        if process is not None:
            server.stop(process.pid)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
