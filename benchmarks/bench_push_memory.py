"""Peak memory of push's own bookkeeping (no Label Studio): no-op re-push and
--update-predictions of N pre-labelled sentences against a project of N tasks, the server's
answers synthesised in process (task listing pages with each task's real `data`, the predictions
stream), so 10,000 vs 100,000 tasks takes seconds instead of the ~30 min of
bench_export_scale.py. Each measurement is a fresh process; `--tree` picks the checkout whose
`annotate` is measured (e.g. main's, for the before figure).

Peak is tracemalloc's (Python allocations made during the push, the input file's validation
included) and the process's ru_maxrss (which includes the interpreter and imports).

    python benchmarks/bench_push_memory.py --sizes 10000 100000 [--tree /work/main]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r'''
import json, resource, sys, tempfile, time, tracemalloc
from pathlib import Path
from annotate.labelstudio import client as labelstudio, push, tasks
from annotate.labelstudio.push_index import PushIndex
from annotate.records import read_records

mode, first, second, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
index_dir = Path(tempfile.mkdtemp())
project = {"id": 1, "title": "p", "task_number": n, "created_at": "2026-01-01T00:00:00Z",
           "model_version": "", "show_collab_predictions": True, "maximum_annotations": 1,
           "overlap_cohort_percentage": 100}

class Session:
    url, key = "http://127.0.0.1:1", "not-a-key"

pages = Path(tempfile.mkdtemp())
size, batch = 5000, []
def write_page(number, batch):
    (pages / f"{number}.json").write_text(json.dumps({"total": n, "tasks": batch}))
for i, r in enumerate(read_records(first)):  # task i+1 holds record i, its data as push made it
    batch.append({"id": i + 1, "data": tasks.task(r, "Haiti")["data"],
                  "total_annotations": int(i % 10 == 0), "cancelled_annotations": 0})
    if len(batch) == size:
        write_page(i // size + 1, batch)
        batch = []
if batch:
    write_page(n // size + 1, batch)
del batch

def get_json(session, path, params, fields):
    """api/tasks: the page as the server sends it (a 5,000-task page), parsed as httpx would."""
    if "query" in params:  # tasks above an id: none
        return {"total": 0, "tasks": []}
    page = pages / f"{params['page']}.json"
    return json.loads(page.read_text()) if page.exists() else {"total": n, "tasks": []}

def streamed_predictions(session, project_id):  # one prediction of the first version per task
    version = next(read_records(first))["model_version"]
    for i in range(n):
        yield {"id": i + 1, "task": i + 1, "model_version": version}

labelstudio.tasks.get_json = labelstudio.projects.get_json = get_json
labelstudio.tasks._streamed_predictions = streamed_predictions
labelstudio.import_predictions = lambda session, project_id, batch: len(batch)
labelstudio.import_tasks = lambda session, project_id, batch: []
labelstudio.update_project = labelstudio.delete_predictions = lambda *a, **k: None
push.ensure_project_settings = lambda *a, **k: (dict(project), False, ())
if mode == "re-push":  # the index a first push leaves: task i+1 -> sentence i
    PushIndex(index_dir, Session.url, 1, project["created_at"]).save(
        {i + 1: r["id"] for i, r in enumerate(read_records(first))})
path = first if mode == "re-push" else second
tracemalloc.start()
started = time.process_time()
summary = push.push(Session(), "p", push.PredictionFile(path), "Haiti", index_dir=index_dir,
                    lock_dir=index_dir, update_predictions=mode == "update")
cpu = time.process_time() - started
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({"peak": peak, "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "cpu": cpu, "already_present": summary.already_present,
                  "created": summary.created, "added": summary.predictions_added,
                  "annotated_kept": summary.annotated_kept, "listing": summary.task_listing}))
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="checkout whose annotate to measure")
    parser.add_argument("--work", type=Path, default=None, help="reuse prediction files here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "tests"))
    from bench_export_scale import predictions

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-push-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(args.tree.resolve())}
    print(f"tree {args.tree}, work {work}, load {os.getloadavg()[0]:.2f}")
    print("| tasks | command | tracemalloc peak MiB | ru_maxrss MiB | CPU s | summary |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        first = work / f"predictions-{n}.jsonl"
        second = work / f"predictions-{n}-v2.jsonl"
        if not first.exists():
            predictions(n, work)
        if not second.exists():
            predictions(n, work, "v2")
        for mode in ("re-push", "update"):
            out = subprocess.run([sys.executable, "-c", CHILD, mode, str(first), str(second),
                                  str(n)], env=env, cwd=args.tree,
                                 stdout=subprocess.PIPE, text=True)
            if out.returncode:
                raise SystemExit(f"the {mode} of {n} failed (its traceback is above)")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            summary = {k: row[k] for k in ("already_present", "created", "added",
                                           "annotated_kept", "listing")}
            print(f"| {n} | {mode} | {row['peak'] / 2**20:.1f} | {row['maxrss'] / 1024:.0f} "
                  f"| {row['cpu']:.1f} | {json.dumps(summary)} |", flush=True)


if __name__ == "__main__":
    main()
