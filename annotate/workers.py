"""The worker processes of `split` and `prelabel`: how many start when `--jobs` is not given,
and how they are started."""

from __future__ import annotations

import multiprocessing
import os
import threading

MAX_JOBS = 4  # the parent reads, orders and writes every line: more workers than that wait on it


def default_jobs() -> int:
    """One worker per CPU this process may use, at most MAX_JOBS."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_JOBS, cpus or 1))


def worker_context():
    """The multiprocessing context to start workers with: fork where the platform has it and
    this process runs a single thread, else spawn.

    fork starts workers at once and hands them what the parent has loaded (a model) as it is;
    but only a single-threaded process may fork safely: a lock another thread holds stays held
    in the child (a server's threads in a test hung a forked worker).
    """
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    return multiprocessing.get_context("fork" if forkable else "spawn")
