"""Sharded corpora on a Dask cluster: `split` and `prelabel --scheduler ADDRESS`.

A corpus of millions of articles comes as shards, `corpus/part-00000.jsonl.gz`, ...: JSON Lines,
gzipped or not. One Dask task handles one input shard and writes one output shard,
`OUTPUT/part-<i>.jsonl.gz` for the i-th input shard (in the order given; a directory's shards in
name order), so concatenating the output shards in name order gives exactly the file the
single-machine command writes from the concatenated inputs, whatever ran where and when.

All or nothing: the shards are written into a temporary directory beside OUTPUT and it is renamed
into place only when every shard is done and the cross-shard checks pass. A worker that dies is
replaced and its shard rerun by the scheduler (each shard file is itself written atomically, so a
rerun overwrites nothing half-written); a shard that keeps killing workers fails the run with one
message and no output. Gzip output carries no time stamp, so a rerun is byte-identical.

Workers must see the input, OUTPUT's parent and any --model directory at the same paths (a
shared file system on a Slurm or Kubernetes cluster; trivially so for `--scheduler local`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jsonlines

from annotate.errors import ClusterError, ConfigError, InputError
from annotate.ingest.documents import SplitStats, split_document
from annotate.ingest.sources import iter_documents
from annotate.records import atomic_directory, atomic_output

SHARD_SUFFIXES = (".jsonl.gz", ".jsonl")
MANIFEST = "manifest.json"
FORMAT = "annotate-shards/1"


# --- shards in and out ---------------------------------------------------------------------------

def _is_shard(path: Path) -> bool:
    return path.name.lower().endswith(SHARD_SUFFIXES)


def input_shards(inputs: Iterable) -> list[Path]:
    """The shard files of INPUT... : files as given, directories' .jsonl(.gz) files in name order."""
    shards: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _is_shard(p)
                           and not p.name.startswith("."))
            if not found:
                raise InputError(path, "directory has no .jsonl or .jsonl.gz shards; give a "
                                 "directory such as corpus/ holding part-00000.jsonl.gz, ...")
            shards += found
        elif not path.exists():
            raise InputError(path, "no such file or directory")
        elif _is_shard(path):
            shards.append(path)
        else:
            raise InputError(path, "with --scheduler, inputs are JSON Lines shards (.jsonl or "
                             ".jsonl.gz files, or a directory of them)")
    if not shards:
        raise InputError("input", "no input shards given")
    return shards


def shard_name(index: int) -> str:
    return f"part-{index:05d}.jsonl.gz"


def write_shard(path, records: Iterable[dict]) -> int:
    """Write records as gzipped JSON Lines, atomically, with the bytes `write_records` writes
    before compression, and no time stamp or file name in the gzip header."""
    count = 0
    with atomic_output(path, "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as packed:
        writer = jsonlines.Writer(packed, compact=True, sort_keys=False)
        for record in records:
            writer.write(record)
            count += 1
    return count


def read_shards(directory) -> Iterator[dict]:
    """Every record of a sharded output directory, in order (for tests and small corpora)."""
    for path in sorted(Path(directory).glob("part-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)


def _refuse(existing: Path) -> str | None:
    allowed = {MANIFEST}
    strays = [p.name for p in existing.iterdir()
              if p.name not in allowed and not p.name.startswith("part-")]
    if strays:
        return (f"exists and holds files that are not shards ({', '.join(sorted(strays)[:3])}); "
                "choose another -o (only a directory of earlier shards is replaced)")
    return None


# --- running one task per shard ------------------------------------------------------------------

@dataclass
class ShardRun:
    """What a sharded run did: one result per shard (whatever the task returned), in order."""

    output: Path
    results: list = field(default_factory=list)
    workers: int = 0


@contextlib.contextmanager
def dask_client(scheduler: str, workers: int | None = None):
    """A Dask client: a LocalCluster of `workers` processes (default: one per CPU) when
    `scheduler` is "local", else a connection to the scheduler at that address."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("--scheduler needs Dask: pip install 'annotate[dask]' (on the "
                          "scheduler and every worker too)") from None
    import logging

    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        with cluster, Client(cluster) as client:
            yield client
        return
    if workers is not None:
        raise ConfigError("--workers applies to --scheduler local only; a cluster's size is set "
                          "where its workers are started")
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} "
                           f"({type(exc).__name__}); check --scheduler (e.g. "
                           "tcp://scheduler-host:8786) or use --scheduler local") from None
    with client:
        yield client


def run_shards(client, task: Callable, sources: list[Path], output, *options,
               check: Callable[[list], None] | None = None) -> ShardRun:
    """Run `task(source, target, *options)` for every shard on the cluster (in this process
    when `client` is None), into a directory renamed to `output` only when all succeed and
    `check(results)` raises nothing."""
    output = Path(output)
    run = ShardRun(output)
    with atomic_directory(output, _refuse) as build:
        sources_text = [str(s) for s in sources]
        targets = [str(build / shard_name(i)) for i in range(len(sources))]
        if client is None:
            run.results = [task(s, t, *options) for s, t in zip(sources_text, targets)]
        else:
            run.workers = len(client.scheduler_info().get("workers", {}))
            run.results = _gather(client, task, sources_text, targets, options)
        if check is not None:
            check(run.results)
        manifest = {"format": FORMAT, "shards": [
            {"file": shard_name(i), "source": str(source), **_summary(result)}
            for i, (source, result) in enumerate(zip(sources, run.results))]}
        (build / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return run


def _summary(result) -> dict:
    return {"records": result.records} if hasattr(result, "records") else {}


def _gather(client, task, sources, targets, options) -> list:
    from distributed import KilledWorker

    repeated = [[option] * len(sources) for option in options]
    futures = client.map(task, sources, targets, *repeated, pure=False)
    try:
        return client.gather(futures)
    except KilledWorker as exc:
        shard = _shard_of(exc, futures, sources)
        raise ClusterError(f"a Dask worker died while processing {shard}, again on every retry "
                           "(out of memory? killed by the batch system?); nothing was written. "
                           "Check the workers' logs and memory limit, then rerun") from None
    except (OSError, TimeoutError) as exc:  # the scheduler went away (CommClosedError is one)
        raise ClusterError(f"lost the Dask scheduler during the run ({type(exc).__name__}); "
                           "nothing was written; rerun when the cluster is back") from None
    finally:
        client.cancel(futures)


def _shard_of(exc, futures, sources) -> str:
    key = getattr(exc, "task", None) or (exc.args[0] if exc.args else None)
    for future, source in zip(futures, sources):
        if future.key == key:
            return source
    return "a shard"


def duplicates(results: list, ids_of: Callable, sources: list[Path]) -> tuple[str, list[str]] | None:
    """The first id that occurs in more than one shard, and those shards; None if none does."""
    counts = Counter(i for result in results for i in set(ids_of(result)))
    repeated = next((i for i, n in counts.items() if n > 1), None)
    if repeated is None:
        return None
    return repeated, [str(s) for s, r in zip(sources, results) if repeated in set(ids_of(r))]


# --- split on shards -----------------------------------------------------------------------------

@dataclass
class SplitShard(SplitStats):
    """One shard's split: SplitStats, and its document ids for the cross-shard uniqueness check."""

    doc_ids: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.sentences


def split_shard(source: str, target: str) -> SplitShard:
    """Split the documents {"id", "text"} of one shard into one sentence shard (a Dask task)."""
    result = SplitShard()

    def sentences():
        # one shard as one input: a document id repeated inside it gets the single-file message
        for document in iter_documents([Path(source)]):
            records, dropped = split_document(document)
            result.documents += 1
            result.dropped_lines += dropped
            result.doc_ids.append(document.id)
            if not records:
                result.empty_documents.append(document.source)
            yield from records

    result.sentences = write_shard(target, sentences())
    return result


def split_shards(inputs: Iterable, output, client=None) -> tuple[ShardRun, SplitShard]:
    """`annotate split --scheduler`: every input shard split on the cluster into OUTPUT/.
    Returns the run and the totals (doc_ids left empty)."""
    sources = input_shards(inputs)

    def check(results: list[SplitShard]) -> None:
        repeated = duplicates(results, lambda r: r.doc_ids, sources)
        if repeated:
            doc_id, shards = repeated
            raise InputError(shards[-1], f"document id {doc_id!r} is used twice (also in "
                             f"{shards[0]}); give every document a unique id; nothing written")
        if sum(r.records for r in results) == 0:
            raise InputError(", ".join(str(s) for s in sources),
                             "no sentences found (only page furniture or markup?); nothing written")

    run = run_shards(client, split_shard, sources, output, check=check)
    total = SplitShard()
    for result in run.results:
        total.sentences += result.sentences
        total.documents += result.documents
        total.dropped_lines += result.dropped_lines
        total.empty_documents += result.empty_documents
    return run, total
