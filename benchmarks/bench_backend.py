"""`annotate serve` as Label Studio's ML backend: /predict latency, and Start Training to serving.

1. /predict latency (p50, p95) for one task and for a batch of 100 (what "Retrieve Predictions"
   sends), over HTTP to a running `annotate serve`, against the same pre-labelling done in
   process (`Prelabeler.label_batch` on the same sentences): the ratio is what the protocol
   (HTTP, JSON, the conversion to Label Studio's result) adds to the model's own work.
2. Start Training (`POST /api/ml/{id}/train`, what the button does) to the new model serving
   (/health shows its model_version), on a real Label Studio whose project holds a labelling
   session (the bundled dev gold, one annotation per task), against the same work done from a
   terminal: `annotate export pull` then `annotate train` on the same gold, as whole processes.
   The served model at start is trained on shuffled stances (it has learned nothing), so the new
   model is better and the timed path includes the switch and the prediction update.

    python benchmarks/bench_backend.py          # prints a Markdown table
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_export import start_server  # noqa: E402  (one way to start a benchmark server)

from annotate.labelstudio import client as labelstudio  # noqa: E402
from annotate.labelstudio import ml_backend, server  # noqa: E402
from annotate.labelstudio.backend import process as serve_process  # noqa: E402
from annotate.labelstudio.project import project_settings  # noqa: E402
from annotate.labelstudio.tasks import predicted_actors, prediction_result  # noqa: E402
from annotate.model.prelabel import Prelabeler  # noqa: E402
from annotate.model.store import load_model  # noqa: E402
from annotate.model.training import train_model  # noqa: E402
from annotate.records import read_records, write_records  # noqa: E402

TRAIN = [ROOT / "corpora/haiti-mss/gold/articles.train.jsonl",
         ROOT / "corpora/haiti-mss/gold/extra.train.jsonl"]
SESSION = ROOT / "corpora/haiti-mss/gold/articles.dev.jsonl"
TARGET = "the Kenya-led Multinational Security Support mission in Haiti"


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def predict_latency(url: str, texts: list[str], size: int, repeats: int) -> dict:
    prelabeler = Prelabeler(load_model())
    served, local = [], []
    for r in range(repeats):
        batch = [texts[(r * size + i) % len(texts)] for i in range(size)]
        tasks = [{"id": i, "data": {"text": t}} for i, t in enumerate(batch)]
        start = time.perf_counter()
        answer = post(f"{url}/predict", {"tasks": tasks, "project": "1.0"})
        served.append(time.perf_counter() - start)
        assert len(answer["results"]) == size
        start = time.perf_counter()
        prelabeler.label_batch([{"id": str(i), "text": t} for i, t in enumerate(batch)])
        local.append(time.perf_counter() - start)
    (p50, p95), (l50, l95) = percentiles(served), percentiles(local)
    return {"p50": p50, "p95": p95, "local_p50": l50, "local_p95": l95}


def weak_model(work: Path) -> Path:
    records = [r for path in TRAIN for r in read_records(path, "gold")]
    stances = [a["stance"] for r in records for a in r["actors"]]
    random.Random(0).shuffle(stances)
    labels = iter(stances)
    for record in records:
        for actor in record["actors"]:
            actor["stance"] = next(labels)
    write_records(work / "shuffled.jsonl", records)
    train_model([work / "shuffled.jsonl"], work / "weak-model", name="weak")
    return work / "weak-model"


def training_round(session, work: Path, run: int, env: dict) -> dict:
    title = f"bench-backend-{run}"
    gold = list(read_records(SESSION, "gold"))
    project = labelstudio.create_project(session, title,
                                         **project_settings("", actors=predicted_actors(gold)))
    labelstudio.import_tasks(session, project["id"], [
        {"data": {"sentence_id": r["id"], "text": r["text"], "target": TARGET, "prev_text": "",
                  "next_text": "", "source_html": ""},
         "annotations": [{"result": prediction_result(r)}]} for r in gold]
        + [{"data": {"text": f"Unlabelled sentence {i} about the mission in Haiti.",
                     "target": TARGET, "prev_text": "", "next_text": "", "source_html": ""}}
           for i in range(20)])
    port = server.free_port()
    log = work / f"serve-{run}.log"
    process = serve_process.start(port, log, "--model", str(work / "weak-model"), "--models-dir",
                                  str(work / f"models-{run}"), *sum((["--gold", str(p)] for p in TRAIN), []),
                                  env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        before = serve_process.wait_until_up(url, process, log)["model_version"]
        backend, _ = ml_backend.connect(session, project["id"], url)
        start = time.perf_counter()
        labelstudio.train_ml_backend(session, backend["id"])
        while True:
            health = serve_process.health(url) or {}
            last = health.get("last_training") or {}
            if not health.get("training") and last.get("state") not in (None, "running"):
                break
            time.sleep(0.2)
        served = time.perf_counter() - start
        assert last["state"] == "switched" and health["model_version"] != before, last
    finally:
        server.stop(process.pid)
    # the same from a terminal: pull, then train on the start gold plus the pulled gold
    start = time.perf_counter()
    command = serve_process.annotate_command()
    subprocess.run([*command, "export", "pull", "--project", title, "-o",
                    str(work / f"pulled-{run}.jsonl")], env=env, check=True, capture_output=True)
    subprocess.run([*command, "train", *map(str, TRAIN), str(work / f"pulled-{run}.jsonl"),
                    "-o", str(work / f"terminal-model-{run}"), "--name", "haiti-mss"],
                   env=env, check=True, capture_output=True)
    terminal = time.perf_counter() - start
    return {"served": served, "terminal": terminal,
            "predictions_added": last.get("predictions_added")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50, help="requests per latency figure")
    parser.add_argument("--runs", type=int, default=3, help="training rounds")
    parser.add_argument("--template", type=Path,
                        default=ROOT / ".pytest_cache/d/annotate-label-studio/label-studio-1.23.2-template")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-backend-"))
    texts = [r["text"] for path in TRAIN for r in read_records(path, "gold")]
    ls_process = None
    try:
        port = server.free_port()
        log = work / "serve-latency.log"
        process = serve_process.start(port, log, "--models-dir", str(work / "latency-models"),
                                      env={"LABEL_STUDIO_URL": "", "LABEL_STUDIO_API_KEY": ""})
        url = f"http://127.0.0.1:{port}"
        try:
            serve_process.wait_until_up(url, process, log)
            one = predict_latency(url, texts, 1, args.repeats)
            hundred = predict_latency(url, texts, 100, max(10, args.repeats // 2))
        finally:
            server.stop(process.pid)
        ls_process, session = start_server(work, args.template)
        env = {**os.environ, "LABEL_STUDIO_URL": session.url, "LABEL_STUDIO_API_KEY": session.key,
               "ANNOTATE_DATA_DIR": str(work / "data")}
        weak_model(work)
        rounds = [training_round(session, work, run, env) for run in range(args.runs)]
    finally:
        if ls_process is not None:
            server.stop(ls_process.pid)
        shutil.rmtree(work, ignore_errors=True)

    served = statistics.median(r["served"] for r in rounds)
    terminal = statistics.median(r["terminal"] for r in rounds)
    print(f"machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    print("| measure | annotate serve | baseline | ratio |")
    print("|---|---|---|---|")
    for name, figures in (("1 task", one), ("batch of 100 tasks", hundred)):
        print(f"| /predict {name}, p50 (p95) vs in-process `label_batch` | "
              f"{figures['p50'] * 1000:.1f} ms ({figures['p95'] * 1000:.1f}) | "
              f"{figures['local_p50'] * 1000:.1f} ms ({figures['local_p95'] * 1000:.1f}) | "
              f"{figures['p50'] / figures['local_p50']:.2f}x |")
    print(f"| Start Training to the new model serving (median of {len(rounds)}) vs `export pull` + "
          f"`annotate train` from a terminal | {served:.1f} s | {terminal:.1f} s | "
          f"{served / terminal:.2f}x |")
    print("per-run (s): " + "; ".join(f"serve {r['served']:.1f}, terminal {r['terminal']:.1f}, "
                                      f"{r['predictions_added']} predictions added" for r in rounds))


if __name__ == "__main__":
    main()
