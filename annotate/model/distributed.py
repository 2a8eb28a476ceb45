"""`annotate prelabel --scheduler ADDRESS`: pre-labelling sentence shards on a Dask cluster.

One task per input shard (annotate.ingest.shards runs them and keeps the output all or
nothing); each worker process loads the model once, on its first shard, and reuses it. Within a
shard, records go through the same batches as on one machine, and a record's labels do not
depend on its batch, so the concatenated output shards equal `annotate prelabel`'s file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotate.codebook import Codebook
from annotate.ingest.shards import ShardRun, input_shards, run_shards, write_shard
from annotate.model.prelabel import BATCH_SIZE, prelabel_records
from annotate.model.store import load_model
from annotate.records import read_records


@dataclass
class PrelabelShard:
    records: int = 0
    actors: int = 0


def prelabel_shard(source: str, target: str, model_dir: str | None, codebook_path: str | None,
                   batch_size: int) -> PrelabelShard:
    """Pre-label one sentence shard into one prediction shard (a Dask task)."""
    result = PrelabelShard()

    def counted(records):
        for record in records:
            result.actors += len(record["actors"])
            yield record

    labelled = prelabel_records(read_records(source, "sentence"), model_dir,
                                codebook_path=codebook_path, batch_size=batch_size)
    result.records = write_shard(target, counted(labelled))
    return result


def prelabel_shards(inputs: Iterable, output, client=None, model_dir=None, *,
                    codebook_path=None, batch_size: int = BATCH_SIZE
                    ) -> tuple[ShardRun, PrelabelShard, str]:
    """Pre-label sentence shards into OUTPUT/; returns the run, the totals and the model version."""
    sources = input_shards(inputs)
    model_dir = str(model_dir) if model_dir is not None else None
    codebook_path = str(codebook_path) if codebook_path is not None else None
    # load here first: a bad model or codebook fails before the cluster gets any work
    model = load_model(model_dir)
    if codebook_path:
        Codebook.load(codebook_path)
    run = run_shards(client, prelabel_shard, sources, output, model_dir, codebook_path,
                     batch_size)
    total = PrelabelShard(records=sum(r.records for r in run.results),
                          actors=sum(r.actors for r in run.results))
    return run, total, model.model_version
