"""`split` and `prelabel` on a Dask LocalCluster of 1 and 2 workers against the single-machine
commands, whole processes (start-up, cluster start and model loading included).

The input: the bundled haiti-mss articles repeated with fresh document ids until `--documents`,
in `--shards` gzipped shards (and the same documents as one .jsonl for the single-machine run).
Prints a Markdown table of median wall times and sentences/s, and checks that every run's
output equals the single-machine output.

    python benchmarks/bench_distributed.py --documents 2000 --shards 8 --runs 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANNOTATE = [sys.executable, "-c", "from annotate.cli import main; main()"]


def make_corpus(work: Path, documents: int, shards: int) -> None:
    base = [{"id": p.stem, "text": p.read_text(encoding="utf-8")}
            for p in sorted((ROOT / "corpora/haiti-mss/articles").glob("*.md"))]
    docs = [{**base[i % len(base)], "id": f"{base[i % len(base)]['id']}-{i}"}
            for i in range(documents)]
    (work / "corpus").mkdir()
    per = -(-documents // shards)
    with open(work / "all.jsonl", "w", encoding="utf-8") as whole:
        for s in range(shards):
            part = docs[s * per:(s + 1) * per]
            lines = "".join(json.dumps(d) + "\n" for d in part)
            (work / "corpus" / f"part-{s:05d}.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
            whole.write(lines)


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([*ANNOTATE, *args], check=True, capture_output=True)
    return time.perf_counter() - start


def concatenated(directory: Path) -> bytes:
    return b"".join(gzip.decompress(p.read_bytes())
                    for p in sorted(directory.glob("part-*.jsonl.gz")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    try:
        make_corpus(work, options.documents, options.shards)
        subprocess.run([*ANNOTATE, "split", str(work / "all.jsonl"), "-o",
                        str(work / "sentences.jsonl")], check=True, capture_output=True)
        sentences = sum(1 for _ in open(work / "sentences.jsonl", encoding="utf-8"))
        subprocess.run([*ANNOTATE, "split", str(work / "corpus"), "--scheduler", "local",
                        "--workers", "2", "-o", str(work / "sentence-shards")],
                       check=True, capture_output=True)
        expected = {"split": (work / "sentences.jsonl").read_bytes()}
        variants = {
            "split": {"one machine": ["split", str(work / "all.jsonl"), "-o", str(work / "s.jsonl")],
                      **{f"--scheduler local --workers {n}": [
                          "split", str(work / "corpus"), "--scheduler", "local", "--workers",
                          str(n), "-o", str(work / f"s{n}")] for n in (1, 2)}},
            "prelabel": {"one machine": ["prelabel", str(work / "sentences.jsonl"), "-o",
                                         str(work / "p.jsonl")],
                         **{f"--scheduler local --workers {n}": [
                             "prelabel", str(work / "sentence-shards"), "--scheduler", "local",
                             "--workers", str(n), "-o", str(work / f"p{n}")] for n in (1, 2)}},
        }
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(options.runs):
            for command, runs in variants.items():
                for name, args in runs.items():  # interleaved, so drift hits every variant
                    times.setdefault((command, name), []).append(timed(args))
        expected["prelabel"] = (work / "p.jsonl").read_bytes()
        for command in variants:
            for n in (1, 2):
                assert concatenated(work / f"{command[0]}{n}") == expected[command], (command, n)
        print(f"{sentences} sentences from {options.documents} documents in {options.shards} "
              f"shards; {platform.machine()}, Python {platform.python_version()}; "
              f"{options.runs} runs, medians; outputs identical: yes\n")
        print("| command | variant | wall (s) | sentences/s | vs one machine | runs (s) |")
        print("|---|---|---|---|---|---|")
        for command, runs in variants.items():
            base = statistics.median(times[(command, "one machine")])
            for name in runs:
                median = statistics.median(times[(command, name)])
                print(f"| {command} | {name} | {median:.1f} | {sentences / median:,.0f} | "
                      f"{base / median:.2f}x | "
                      f"{' / '.join(f'{t:.1f}' for t in times[(command, name)])} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
