"""Pre-label throughput against a naive per-sentence loop, memory as input grows, --jobs.

Run (from the repository root):
    python3 benchmarks/bench_prelabel_speed.py [--sentences 3000] [--large 200000]

1. Throughput (same run, same sentences, median of 3): `Prelabeler.label_batch` over batches of
   512 (actor detection per sentence, one vectorised stance prediction per batch, TextBlob once
   per distinct text) against a naive loop that, per sentence, detects actors, calls
   TextBlob(text).sentiment and the classifier once (all of that sentence's spans).
2. Peak memory: `prelabel_file` on 10k and on `--large` generated sentences, each in a fresh
   subprocess reporting resource.getrusage(RUSAGE_SELF).ru_maxrss.
3. `prelabel_file` wall time with jobs=1 and jobs=2 on the 10k file.
Sentences are the haiti-mss gold sentences repeated with fresh ids (the shipped default model).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textblob import TextBlob
from threadpoolctl import threadpool_limits

from annotate.model.prelabel import BATCH_SIZE, Prelabeler, batches
from annotate.model.store import load_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from readers import read_all  # noqa: E402  (the tests' helper)

GOLD = sorted((ROOT / "corpora/haiti-mss/gold").glob("*.jsonl"))

CHILD = """
import resource, sys, time
from annotate.model.prelabel import prelabel_file
start = time.perf_counter()
stats = prelabel_file(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]))
print(stats.sentences, time.perf_counter() - start,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def sentence_records(n: int):
    texts = [record["text"] for record in read_all(GOLD, "gold")]
    offset = 0
    for i, text in zip(range(n), itertools.cycle(texts)):
        yield {"id": f"s{i}", "doc_id": f"d{i // 20}", "text": text,
               "start": offset, "end": offset + len(text)}
        offset += len(text) + 1


def write_sentences(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for record in sentence_records(n):
            handle.write(json.dumps(record) + "\n")
    return path


def naive(prelabeler: Prelabeler, records: list[dict]) -> list[dict]:
    model, out = prelabeler.model, []
    for record in records:
        spans = prelabeler.detector.detect(record["text"])
        blob = TextBlob(record["text"]).sentiment
        sentiment, score = model.sentiment.predict_scores([[blob.polarity, blob.subjectivity]],
                                                           [record["text"]])
        actors = []
        if spans:
            proba = model.stance.predict_proba([(record["text"], s["start"], s["end"])
                                                for s in spans])
            actors = [{**s, "stance": str(model.stance.classes_[p.argmax()]),
                       "score": float(p.max())} for s, p in zip(spans, proba)]
        out.append({**record, "actors": actors, "sentiment": str(sentiment[0]),
                    "sentiment_score": float(score[0]), "model_version": model.model_version})
    return out


def batched(prelabeler: Prelabeler, records: list[dict]) -> list[dict]:
    return [r for batch in batches(records, BATCH_SIZE) for r in prelabeler.label_batch(batch)]


def throughput(n: int) -> None:
    prelabeler = Prelabeler(load_model())
    records = list(sentence_records(n))
    timings = {"naive": [], "batched": []}
    for _ in range(3):
        for name, run in (("naive", naive), ("batched", batched)):
            start = time.perf_counter()
            result = run(prelabeler, records)
            timings[name].append(time.perf_counter() - start)
    same = [[a["stance"] for a in r["actors"]] for r in naive(prelabeler, records[:300])] == \
        [[a["stance"] for a in r["actors"]] for r in batched(prelabeler, records[:300])]
    rate = {name: n / statistics.median(times) for name, times in timings.items()}
    print(f"throughput on {n} sentences ({sum(len(r['actors']) for r in result)} actor spans), "
          f"median of 3; same stances from both: {same}")
    for name in ("naive", "batched"):
        print(f"  {name:8} {rate[name]:8.0f} sentences/s   runs (s): "
              + ", ".join(f"{t:.2f}" for t in timings[name]))
    print(f"  ratio batched / naive: {rate['batched'] / rate['naive']:.1f}x")


def child_run(source: Path, jobs: int) -> tuple[int, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        output = subprocess.run([sys.executable, "-c", CHILD, str(source),
                                 str(Path(tmp) / "p.jsonl"), str(jobs)],
                                check=True, capture_output=True, text=True).stdout.split()
    return int(output[0]), float(output[1]), int(output[2])


def memory_and_jobs(large: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small = write_sentences(Path(tmp) / "10k.jsonl", 10_000)
        big = write_sentences(Path(tmp) / "large.jsonl", large)
        print("\npeak memory (fresh subprocess each, ru_maxrss)")
        rss = {}
        for path in (small, big):
            count, seconds, kib = child_run(path, 1)
            rss[count] = kib
            print(f"  {count:>9} sentences: {kib / 1024:7.1f} MiB peak, {seconds:7.1f} s, "
                  f"{count / seconds:6.0f} sentences/s")
        print(f"  ratio {large} / 10000: {rss[large] / rss[10_000]:.3f}")
        print("\n--jobs on the 10k file (median of 3 wall times, subprocess each)")
        walls = {jobs: statistics.median(child_run(small, jobs)[1] for _ in range(3))
                 for jobs in (1, 2)}
        for jobs, wall in walls.items():
            print(f"  jobs={jobs}: {wall:6.2f} s ({10_000 / wall:6.0f} sentences/s)")
        print(f"  speed-up jobs=2 / jobs=1: {walls[1] / walls[2]:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--large", type=int, default=200_000)
    args = parser.parse_args()
    # One BLAS thread here and in the child processes: threaded BLAS on 2 shared cores only slows.
    os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = "1"
    with threadpool_limits(1):
        throughput(args.sentences)
    memory_and_jobs(args.large)
    return 0


if __name__ == "__main__":
    sys.exit(main())
