"""Reading several record files at once: only tests and benchmarks need it (commands stream)."""

from __future__ import annotations

from collections.abc import Iterable

from annotate.records import read_records


def read_all(paths: Iterable, kind: str | None = None) -> list[dict]:
    """All records of several files, validated before the caller does anything with them."""
    return [record for path in paths for record in read_records(path, kind)]
