"""`annotate prelabel`: sentence records to prediction records."""

from __future__ import annotations

import click

from annotate.cli.common import handle_errors, info, shipped_model, tier_option
from annotate.model.prelabel import BATCH_SIZE


@click.command("prelabel")
@click.argument("sentences", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Prediction JSONL file to write (written atomically).")
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
@handle_errors
def command(sentences, output, model_dir, jobs, codebook_path, batch_size, tier):
    """Pre-label sentences: actor spans, each actor's stance with its probability, and the
    sentence sentiment with a score.

    Every output record keeps the sentence's fields (id, doc_id, start, end, prev_text, ...)
    and adds actors [{start, end, text, actor, stance, score}], sentiment, sentiment_score and
    model_version. Works right after install with the shipped default model.

    \b
    Example:
      annotate split corpora/haiti-mss/articles -o sentences.jsonl
      annotate prelabel sentences.jsonl -o predictions.jsonl --jobs 2
    """
    from annotate.model.prelabel import prelabel_file

    model_dir = shipped_model(model_dir, tier)
    stats = prelabel_file(sentences, output, model_dir, codebook_path=codebook_path, jobs=jobs,
                          batch_size=batch_size)
    info(f"pre-labelled {stats.sentences} sentences ({stats.actors} actor spans) with model "
         f"{stats.model_version}; wrote {output}")
