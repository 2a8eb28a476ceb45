"""Bounded work per sentence: `annotate prelabel` on one very long sentence against one normal
sentence (the baseline: same run, same machine), whole process, median of 3.

Run (from the repository root):
    python3 benchmarks/bench_long_sentence.py [--chars 200000] [--runs 3]

Each run is a fresh `annotate prelabel` process; wall time and peak resident memory
(resource.getrusage(RUSAGE_CHILDREN).ru_maxrss of that process). The long sentence repeats a real
news clause with abbreviations ("U.S."), the shape that made actor naming quadratic.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CLAUSE = ("Kenyan police officers said the U.S. mission would restore order, while opposition "
          "lawmakers in Port-au-Prince warned of abuses and the UN welcomed it ")


def _sentence_file(folder: Path, name: str, chars: int) -> Path:
    text = (CLAUSE * (chars // len(CLAUSE) + 1))[:chars].strip()
    path = folder / f"{name}.jsonl"
    path.write_text(json.dumps({"id": f"d:{name}", "doc_id": "d", "text": text, "start": 0,
                                "end": len(text)}) + "\n")
    return path


def _run(source: Path, output: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one whole `annotate prelabel` process."""
    script = ("import resource, subprocess, sys, time\n"
              "start = time.perf_counter()\n"
              "subprocess.run([sys.executable, '-c', 'from annotate.cli import main; main()', "
              "'prelabel', sys.argv[1], '-o', sys.argv[2]], check=True, capture_output=True)\n"
              "print(time.perf_counter() - start, "
              "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n")
    done = subprocess.run([sys.executable, "-c", script, str(source), str(output)],
                          check=True, capture_output=True, text=True)
    seconds, megabytes = done.stdout.split()
    return float(seconds), float(megabytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {f"normal ({len(CLAUSE.strip())} chars)": _sentence_file(folder, "normal",
                                                                        len(CLAUSE)),
                 f"long ({args.chars} chars)": _sentence_file(folder, "long", args.chars)}
        results = {}
        for name, source in cases.items():
            runs = [_run(source, folder / "out.jsonl") for _ in range(args.runs)]
            results[name] = (statistics.median(r[0] for r in runs),
                             statistics.median(r[1] for r in runs))
    (base_s, base_mb), (long_s, long_mb) = results.values()
    for name, (seconds, megabytes) in results.items():
        print(f"{name:>24}: {seconds:6.2f} s  {megabytes:7.1f} MB peak")
    print(f"long / normal: {long_s / base_s:.2f}x time, {long_mb / base_mb:.2f}x memory "
          f"(median of {args.runs})")


if __name__ == "__main__":
    main()
