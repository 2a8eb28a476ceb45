"""`annotate prelabel`: sentence records to prediction records."""

from __future__ import annotations

import click

from annotate.cli.common import (
    dask_session,
    handle_errors,
    info,
    on_cluster,
    scheduler_options,
    shipped_model,
    tier_option,
)
from annotate.model.prelabel import BATCH_SIZE, MAX_PRELABEL_CHARS


@click.command("prelabel")
@click.argument("sentences", nargs=-1, required=True, metavar="SENTENCES...",
                type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(path_type=str),
              help="Prediction JSONL file to write (written atomically; with --scheduler a "
                   "directory of shards).")
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=str),
              default=None, help="Model directory from `annotate train` [default: the shipped "
                                 "model].")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes; batches are spread over them, output order is kept "
                   "[default: one per CPU core, at most 4; one for input of a single batch].")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=str),
              default=None, help="Actor codebook (TOML) [default: the one stored in the model].")
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE, show_default=True,
              help="Sentences per vectorised prediction batch.")
@tier_option("Without --model: the shipped fast model, or the accurate one (with the semantic "
             "layer: better stance and sentiment, about half the speed).")
@scheduler_options
@handle_errors
def command(sentences, output, model_dir, jobs, codebook_path, batch_size, tier, scheduler,
            workers):
    """Pre-label sentences: actor spans, each actor's stance with its probability, and the
    sentence sentiment with a score.

    Every output record keeps the sentence's fields (id, doc_id, start, end, prev_text, ...)
    and adds actors [{start, end, text, actor, stance, score}], sentiment, sentiment_score and
    model_version. Works right after install with the shipped default model.

    \b
    Example:
      annotate split corpora/haiti-mss/articles -o sentences.jsonl
      annotate prelabel sentences.jsonl -o predictions.jsonl --jobs 2
      annotate prelabel sentences/ --scheduler tcp://scheduler:8786 -o predictions/
    """
    model_dir = shipped_model(model_dir, tier)
    if on_cluster(scheduler, workers):
        _prelabel_on_cluster(sentences, output, model_dir, codebook_path, batch_size, scheduler,
                             workers)
        return
    if len(sentences) != 1:
        raise click.UsageError("give one SENTENCES file (several shards need --scheduler)")
    (sentences,) = sentences
    from annotate.model.prelabel import prelabel_file

    model_dir = shipped_model(model_dir, tier)
    stats = prelabel_file(sentences, output, model_dir, codebook_path=codebook_path, jobs=jobs,
                          batch_size=batch_size)
    info(f"pre-labelled {stats.sentences} sentences ({stats.actors} actor spans) with model "
         f"{stats.model_version}; wrote {output}")
    if stats.truncated:
        info(f"warning: {stats.truncated} sentences are longer than {MAX_PRELABEL_CHARS} "
             "characters: only their first part was pre-labelled (their records say how much, in "
             "`prelabelled_chars`); check how they were split")


def _prelabel_on_cluster(sentences, output, model_dir, codebook_path, batch_size, scheduler,
                         workers):
    from annotate.model.distributed import prelabel_shards

    with dask_session(scheduler, workers) as client:
        run, stats, version = prelabel_shards(sentences, output, client, model_dir,
                                              codebook_path=codebook_path, batch_size=batch_size)
    info(f"pre-labelled {stats.records} sentences ({stats.actors} actor spans) with model "
         f"{version} on {run.workers} workers; wrote {len(run.results)} shards to {output}")
