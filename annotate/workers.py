"""How many worker processes `split` and `prelabel` start when `--jobs` is not given."""

from __future__ import annotations

import os

MAX_JOBS = 4  # the parent reads, orders and writes every line: more workers than that wait on it


def default_jobs() -> int:
    """One worker per CPU this process may use, at most MAX_JOBS."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_JOBS, cpus or 1))
