"""push / no-op re-push / --update-predictions / pull at two project sizes, on Label Studio on
SQLite and on PostgreSQL: time per task and the client's peak memory, whole `annotate export`
processes (as users run them).

Each size gets fresh projects. The predictions are the bundled corpus's real pre-labels (split +
the shipped model) repeated with distinct sentence ids; the pull project has one submitted
annotation per task (imported inline as setup, not timed). Peak memory is the command's own
ru_maxrss (os.wait4). PostgreSQL: a throwaway cluster (tests/postgres_helpers.py) restored from
the tests' cached pg_dump of Label Studio's migrated schema.

    python benchmarks/bench_export_scale.py --sizes 10000 100000 --databases sqlite postgresql
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_export import ADMIN, TARGET, annotated_project  # noqa: E402
from postgres_helpers import PostgresCluster, postgres_bin  # noqa: E402

from annotate.ingest.documents import split_to_file  # noqa: E402
from annotate.labelstudio import client as labelstudio  # noqa: E402
from annotate.labelstudio import server  # noqa: E402
from annotate.model.prelabel import prelabel_file  # noqa: E402
from annotate.records import read_records, write_records  # noqa: E402

CACHE = ROOT / ".pytest_cache/d/annotate-label-studio"
ANNOTATE = [sys.executable, "-c", "from annotate.cli import main; main()"]


def predictions(n: int, work: Path, version: str | None = None) -> Path:
    if not (work / "base.jsonl").exists():
        split_to_file([ROOT / "corpora/haiti-mss/articles"], work / "sentences.jsonl")
        prelabel_file(work / "sentences.jsonl", work / "base.jsonl")
    base = list(read_records(work / "base.jsonl", "prediction"))

    def records():
        for i in range(n):
            record = copy.deepcopy(base[i % len(base)])
            record["id"] = f"r{i // len(base)}:{record['id']}"
            if version:
                record["model_version"] = version
            yield record

    path = work / f"predictions-{n}{'-' + version if version else ''}.jsonl"
    write_records(path, records())
    return path


# A child started straight from this process inherits this process's peak RSS as its own
# ru_maxrss (Linux keeps the high-water mark of the mm it was vforked from, across exec): the
# command is started by a tiny launcher instead, which reports its child's own peak.
LAUNCHER = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:]); "
            "_, status, usage = os.wait4(p.pid, 0); print(usage.ru_maxrss, file=sys.stderr); "
            "sys.exit(os.waitstatus_to_exitcode(status))")


def run(args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one annotate command (each printed as it finishes,
    with the load average, so a pass cut short still leaves its figures)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, *ANNOTATE, *args], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed: {done.stderr[-2000:]}")
    peak = int(done.stderr.strip().splitlines()[-1]) / 1024
    print(json.dumps({"command": args[:2] + args[-1:], "wall": round(wall, 1),
                      "peak_mib": round(peak, 1), "load": os.getloadavg(),
                      "at": time.strftime("%H:%M:%S")}), file=sys.stderr, flush=True)
    return wall, peak


def start_label_studio(work: Path, database: str | None):
    data_dir, log = work / "ls-data", work / "ls.log"
    template = CACHE / "label-studio-1.23.2-template"
    if database is None and template.exists():
        shutil.copytree(template, data_dir)
    port = server.free_port()
    process = server.start(data_dir, port, log, admin=ADMIN, database=database)
    url = f"http://127.0.0.1:{port}"
    server.wait_until_healthy(url, process, log)
    return process, url, labelstudio.create_access_token(url, *ADMIN)


COMMANDS = ("push", "re-push", "update", "pull")


def measure(database_name: str, sizes: list[int], update_sizes: list[int] | None,
            work: Path, commands=COMMANDS) -> list[dict]:
    cluster, database = None, None
    if database_name == "postgresql":
        cluster = PostgresCluster(postgres_bin())
        cluster.init()
        cluster.start()
        dump = next(CACHE.glob("label-studio-1.23.2-postgresql-*.sql"), None)
        database = cluster.create_database("bench")
        if dump:
            cluster.restore(dump, "bench")
    process = None
    try:
        process, url, token = start_label_studio(work / database_name, database)
        env = {**os.environ, "LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": token,
               "ANNOTATE_DATA_DIR": str(work / database_name / "annotate-data")}
        session = labelstudio.connect(labelstudio.Connection(url, token))
        rows = []
        for n in sizes:
            first = predictions(n, work)
            second = None if update_sizes else predictions(n, work, "retrained-2")
            project = f"scale-{n}"
            row = {"database": database_name, "tasks": n}
            row["push"] = run(["export", "push", str(first), "--project", project,
                               "--target", TARGET], env)
            row["re-push"] = run(["export", "push", str(first), "--project", project,
                                  "--target", TARGET], env)
            if not update_sizes:
                row["update"] = run(["export", "push", str(second), "--project", project,
                                     "--target", TARGET, "--update-predictions"], env)
            else:
                m = update_sizes[sizes.index(n)]
                # Label Studio validates each imported prediction (~35 ms each on a loaded
                # machine): --update-predictions is measured on projects of its own sizes
                old = predictions(m, work)
                run(["export", "push", str(old), "--project", f"update-{m}", "--target", TARGET],
                    env)
                row["update"] = run(["export", "push", str(predictions(m, work, "retrained-2")),
                                     "--project", f"update-{m}", "--target", TARGET,
                                     "--update-predictions"], env)
                row["update_tasks"] = m
            if "pull" in commands:
                annotated_project(session, f"pull-{n}", list(read_records(first, "prediction")))
                row["pull"] = run(["export", "pull", "--project", f"pull-{n}", "-o",
                                   str(work / f"gold-{database_name}-{n}.jsonl")], env)
                gold = sum(1 for _ in open(work / f"gold-{database_name}-{n}.jsonl"))
                assert gold == n, (gold, n)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        return rows
    finally:
        if process is not None:
            server.stop(process.pid)
        if cluster is not None:
            cluster.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--update-sizes", type=int, nargs="+", default=None,
                        help="project sizes for --update-predictions, one per --sizes "
                             "[default: the same]")
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS),
                        help="push, re-push and update always run (each needs the one before); "
                             "leave out pull to skip it [default: all]")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-scale-"))
    try:
        rows = [row for name in options.databases
                for row in measure(name, options.sizes, options.update_sizes, work, options.commands)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores\n")
    print("| database | tasks | command | wall (s) | ms per task | peak MiB |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        for command in (c for c in COMMANDS if c in row):
            wall, peak = row[command]
            n = row.get("update_tasks", row["tasks"]) if command == "update" else row["tasks"]
            print(f"| {row['database']} | {n:,} | {command} | {wall:.1f} | "
                  f"{1000 * wall / n:.2f} | {peak:.0f} |")
    small, large = min(options.sizes), max(options.sizes)
    print("\n| database | command | time per task, larger / smaller | peak memory, larger / "
          "smaller |")
    print("|---|---|---|---|")
    for name in options.databases:
        a = next(r for r in rows if r["database"] == name and r["tasks"] == small)
        b = next(r for r in rows if r["database"] == name and r["tasks"] == large)
        for command in (c for c in COMMANDS if c in a):
            na = a.get("update_tasks", small) if command == "update" else small
            nb = b.get("update_tasks", large) if command == "update" else large
            per_task = (b[command][0] / nb) / (a[command][0] / na)
            print(f"| {name} | {command} | {per_task:.2f} | {b[command][1] / a[command][1]:.2f} |")


if __name__ == "__main__":
    main()
