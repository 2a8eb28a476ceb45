"""Whole commands as a user runs them: each one a fresh process, timed against its baseline.

    python benchmarks/bench_commands.py                  # start-up, split, prelabel
    python benchmarks/bench_commands.py --push           # and push (starts a local Label Studio)

Every figure is the median of --runs runs of a whole process (wall clock, and CPU time = user +
sys of the process and its children); a command and its baseline run in turn, A B A B ..., so
that a drift of the machine's load hits both alike, and each ratio is the median of the pairs'
ratios. The load average is printed before and after each section: on a shared machine the wall
clock of a run can be several times its CPU time, and CPU-time ratios are the steadier figure.

1. Start-up: `annotate --version`, `--help`, every `COMMAND --help`, and `annotate split` of one
   short article; the floor is the interpreter's own start-up (`python -c pass`). Goal: at most
   0.3 s for the first three, 0.6 s for the split.
2. Split: `annotate split` (by default on one worker process per CPU, at most 4, for input this
   large; CPU time counts them all) of a generated corpus (benchmarks/bench_split.py's generator, --split-mb
   MB, one .txt file) against pysbd over the first --pysbd-mb MB of the same file in a script that
   writes one JSON line per sentence (benchmarks/pysbd_split.py); throughput per MB. Goal ≥ 50×.
3. Pre-label: `annotate prelabel` against a bare loop of `TextBlob(text).sentiment` over the same
   sentence file (benchmarks/textblob_loop.py): every distinct sentence of NewsMTSC (../shared),
   8,274 sentences of real news. Goal ≥ 0.7× the loop's throughput.
4. Push (--push): `annotate export push` of N pre-labelled sentences into a fresh project against
   the naive loop (one task and one prediction request per sentence, measured on --naive-sample
   sentences in this process just before each push run and scaled per task; the × naive figure
   is the median of the per-run ratios); then the no-op re-push of the same file
   against the first push. Goals: ≥ 100× the naive loop at N = 3,000 and 20,000; re-push ≤ 0.25×.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
sys.path[:0] = [str(BENCH), str(ROOT / "tests")]
ANNOTATE = str(Path(sys.executable).with_name("annotate"))
PYTHON = sys.executable
SHARED = Path(os.environ.get("ANNOTATE_SHARED_DIR") or ROOT.parent / "shared")


def run_once(command: list[str], env=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one whole process (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired(a: list[str], b: list[str] | None, runs: int, warmup: int = 1, env=None) -> dict:
    """Medians of A (and B), and of the pairwise ratios A/B, wall and CPU."""
    for _ in range(warmup):
        run_once(a, env)
        if b:
            run_once(b, env)
    rows = []
    for _ in range(runs):
        row = run_once(a, env)
        rows.append((*row, *(run_once(b, env) if b else (None, None))))
    result = {"a_wall": statistics.median(r[0] for r in rows),
              "a_cpu": statistics.median(r[1] for r in rows)}
    if b:
        result |= {"b_wall": statistics.median(r[2] for r in rows),
                   "b_cpu": statistics.median(r[3] for r in rows),
                   "ratio_wall": statistics.median(r[0] / r[2] for r in rows),
                   "ratio_cpu": statistics.median(r[1] / r[3] for r in rows)}
    return result


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def startup(args, work: Path) -> None:
    print(f"\n## Start-up ({load()}; median of {args.runs} runs)\n")
    from annotate.cli import COMMANDS

    article = ROOT / "corpora/haiti-mss/articles"
    short = sorted(article.glob("*.md"))[0] if list(article.glob("*.md")) else \
        sorted(article.glob("*.txt"))[0]
    lines = [["--version"], ["--help"], *[[name, "--help"] for name in COMMANDS],
             ["export", "push", "--help"], ["split", str(short), "-o", str(work / "one.jsonl")]]
    floor = paired([PYTHON, "-c", "pass"], None, args.runs)
    print("| command | wall (s) | CPU (s) | goal |")
    print("|---|---|---|---|")
    print(f"| `python -c pass` (the floor) | {floor['a_wall']:.3f} | {floor['a_cpu']:.3f} | |")
    for line in lines:
        figures = paired([ANNOTATE, *line], None, args.runs)
        splits = "-o" in line
        shown = " ".join(["split", short.name, "-o", "one.jsonl"] if splits else line)
        goal = "≤ 0.6 s" if splits else "≤ 0.3 s"
        print(f"| `annotate {shown}` | {figures['a_wall']:.3f} | {figures['a_cpu']:.3f} | {goal} |")
    print(f"\n({load()} after)")


def split(args, work: Path) -> None:
    from bench_split import generate_corpus

    corpus = work / "corpus.txt"
    corpus.write_text(generate_corpus(args.split_mb), encoding="utf-8")
    prefix = work / "prefix.txt"
    data = corpus.read_bytes()[:int(args.pysbd_mb * 1e6)]
    prefix.write_bytes(data[:data.rfind(b"\n\n")])
    big_mb, small_mb = corpus.stat().st_size / 1e6, prefix.stat().st_size / 1e6
    print(f"\n## Split ({load()}; median of {args.runs} pairs)\n")
    print(f"annotate split: {big_mb:.1f} MB in one .txt file; pysbd: its first {small_mb:.2f} MB "
          "(one process)\n")
    print("| process | wall (s) | CPU (s) | MB/s (wall) | MB/s (CPU) | × pysbd (wall) | (CPU) |")
    print("|---|---|---|---|---|---|---|")
    scale = big_mb / small_mb  # throughput ratio = (big/A) / (small/B) = scale / (A/B)
    for jobs in args.split_jobs:
        options = [] if jobs == "auto" else ["--jobs", jobs]
        figures = paired([ANNOTATE, "split", str(corpus), "-o", str(work / "split.jsonl"),
                          *options],
                         [PYTHON, str(BENCH / "pysbd_split.py"), str(prefix), "-o",
                          str(work / "pysbd.jsonl")], args.runs)
        shown = "(default: workers)" if jobs == "auto" else f"--jobs {jobs}"
        print(f"| `annotate split` {shown} | {figures['a_wall']:.2f} | {figures['a_cpu']:.2f} | "
              f"{big_mb / figures['a_wall']:.2f} | {big_mb / figures['a_cpu']:.2f} | "
              f"**{scale / figures['ratio_wall']:.0f}×** | **{scale / figures['ratio_cpu']:.0f}×** |")
        print(f"| pysbd script (its pair) | {figures['b_wall']:.2f} | {figures['b_cpu']:.2f} | "
              f"{small_mb / figures['b_wall']:.3f} | {small_mb / figures['b_cpu']:.3f} | | |",
              flush=True)
    print(f"\nGoal ≥ 50× ({load()} after)")
    # in process, for comparison: the same work without start-up (CPU time, median of 3)
    import pysbd

    from annotate.ingest.documents import split_to_file

    ours = _cpu(lambda: split_to_file([corpus], work / "split-in-process.jsonl", jobs=1))
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    paragraphs = [p for p in prefix.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    theirs = _cpu(lambda: [segmenter.segment(p) for p in paragraphs])
    print(f"in process (CPU, one process, no start-up, no pysbd output): split_to_file "
          f"{big_mb / ours:.2f} "
          f"MB/s, pysbd {small_mb / theirs:.3f} MB/s: {big_mb / ours / (small_mb / theirs):.0f}×")


def _cpu(func, repeats: int = 3) -> float:
    """Median CPU seconds of `func()` in this process."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        func()
        times.append(time.process_time() - started)
    return statistics.median(times)


def newsmtsc_sentences(path: Path) -> int:
    texts = {}
    for split in ("train", "dev_mt", "dev_rw"):
        with open(SHARED / "data/newsmtsc/splits" / f"{split}.jsonl", encoding="utf-8") as f:
            for line in f:
                texts.setdefault(json.loads(line)["sentence"], None)
    offset, lines = 0, []
    texts = list(texts)
    for i, text in enumerate(texts):
        lines.append(json.dumps({"id": f"newsmtsc:{i}", "doc_id": "newsmtsc", "text": text,
                                 "start": offset, "end": offset + len(text),
                                 "prev_text": texts[i - 1] if i else "",
                                 "next_text": texts[i + 1] if i + 1 < len(texts) else ""}))
        offset += len(text) + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(texts)


def prelabel(args, work: Path) -> None:
    sentences = work / "newsmtsc-sentences.jsonl"
    n = newsmtsc_sentences(sentences)
    print(f"\n## Pre-label ({load()}; {n} NewsMTSC sentences; median of {args.runs} pairs)\n")
    print("| `annotate prelabel` | wall (s) | CPU (s) | loop wall (s) | loop CPU (s) | "
          "throughput vs the loop (wall) | (CPU) |")
    print("|---|---|---|---|---|---|---|")
    for jobs in args.jobs:
        figures = paired([ANNOTATE, "prelabel", str(sentences), "-o", str(work / "pred.jsonl"),
                          "--jobs", str(jobs)],
                         [PYTHON, str(BENCH / "textblob_loop.py"), str(sentences)], args.runs)
        print(f"| `--jobs {jobs}` | {figures['a_wall']:.2f} | {figures['a_cpu']:.2f} | "
              f"{figures['b_wall']:.2f} | {figures['b_cpu']:.2f} | "
              f"**{1 / figures['ratio_wall']:.2f}×** | {1 / figures['ratio_cpu']:.2f}× |")
    print(f"\nGoal ≥ 0.7×; ({load()} after)")
    from textblob import TextBlob

    from annotate.model.prelabel import Prelabeler, prelabel_records
    from annotate.records import read_records

    records = list(read_records(sentences, "sentence"))
    prelabeler = Prelabeler.load()
    ours = _cpu(lambda: list(prelabel_records(records, prelabeler=prelabeler)))
    loop = _cpu(lambda: [TextBlob(r["text"]).sentiment for r in records])
    print(f"in process (CPU, one process, no start-up, no file reading or writing): "
          f"prelabel_records {n / ours:.0f} sentences/s, TextBlob loop {n / loop:.0f} "
          f"sentences/s: {loop / ours:.2f}×")


def push(args, work: Path) -> None:
    """Each run pairs a naive-loop sample with the push it is compared with (taken just before
    it, against the same server), so a ratio never mixes two loads; the table gives the medians
    of the per-run ratios."""
    import bench_export

    from annotate.records import write_records

    print(f"\n## Push ({load()}; median of {args.push_runs} runs)\n", flush=True)
    process, session = bench_export.start_server(work, args.template)
    try:
        env = {**os.environ, "LABEL_STUDIO_URL": session.url,
               "LABEL_STUDIO_API_KEY": session.key,
               "ANNOTATE_DATA_DIR": str(work / "data")}
        print(f"naive loop: one `tasks.create` + one `predictions.create` per sentence, "
              f"{args.naive_sample} sentences in process just before each push\n")
        print("| N | naive loop (ms per sentence) | `annotate export push` wall (s) | CPU (s) | "
              "naive loop, scaled (s) | × naive | no-op re-push wall (s) | CPU (s) | "
              "re-push / push |")
        print("|---|---|---|---|---|---|---|---|---|")
        sample = bench_export.sentences(args.naive_sample, work)
        for n in args.push_sizes:
            predictions = work / f"predictions-{n}.jsonl"
            write_records(predictions, bench_export.sentences(n, work))
            rows = []
            for run in range(args.push_runs):
                seconds, _ = bench_export.timed(
                    lambda: bench_export.naive_push(session, f"naive-{n}-{run}", sample))
                naive = seconds / len(sample)
                command = [ANNOTATE, "export", "push", str(predictions), "--project",
                           f"bench-{n}-{run}", "--target", bench_export.TARGET]
                first = run_once(command, env)
                again = run_once(command, env)
                rows.append((naive, *first, *again))
                print(json.dumps({"n": n, "naive_ms": round(1000 * naive, 1), "push": first,
                                  "repush": again, "times_naive": round(naive * n / first[0], 1),
                                  "load": os.getloadavg()}), file=sys.stderr, flush=True)
            naive = statistics.median(r[0] for r in rows)
            print(f"| {n} | {1000 * naive:.0f} | {statistics.median(r[1] for r in rows):.1f} | "
                  f"{statistics.median(r[2] for r in rows):.1f} | {naive * n:.0f} | "
                  f"**{statistics.median(r[0] * n / r[1] for r in rows):.0f}×** | "
                  f"{statistics.median(r[3] for r in rows):.2f} | "
                  f"{statistics.median(r[4] for r in rows):.2f} | "
                  f"**{statistics.median(r[3] / r[1] for r in rows):.2f}** |", flush=True)
    finally:
        bench_export.server.stop(process.pid)
    print(f"\nGoals: ≥ 100× naive; re-push ≤ 0.25; ({load()} after)")


SECTIONS = {"startup": startup, "split": split, "prelabel": prelabel, "push": push}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sections", nargs="+", default=["startup", "split", "prelabel"],
                        choices=["startup", "split", "prelabel", "push"])
    parser.add_argument("--push", action="store_true", help="add the push section")
    parser.add_argument("--split-mb", type=float, default=20.5)
    parser.add_argument("--pysbd-mb", type=float, default=0.5)
    parser.add_argument("--split-jobs", nargs="+", default=["auto", "1"],
                        help="`annotate split --jobs` settings to time (auto: its default)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--push-sizes", type=int, nargs="+", default=[3000, 20000])
    parser.add_argument("--push-runs", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--template", type=Path, default=ROOT / ".pytest_cache/d/"
                        "annotate-label-studio/label-studio-1.23.2-template")
    args = parser.parse_args()
    sections = args.sections + (["push"] if args.push and "push" not in args.sections else [])
    print(f"# {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores; "
          f"{load()}; command: python benchmarks/bench_commands.py {' '.join(sys.argv[1:])}")
    work = Path(tempfile.mkdtemp(prefix="bench-commands-"))
    try:
        for name in sections:
            SECTIONS[name](args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
