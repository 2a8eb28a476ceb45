"""`annotate convert`: public stance/sentiment data sets to gold records."""

from __future__ import annotations

import click

from annotate.cli.common import handle_errors, info
from annotate.ingest.convert import FORMATS


@click.command("convert")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=True, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(path_type=str),
              help="Gold JSONL file to write (written atomically).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Read only the first N input records (quick runs).")
@click.option("--five-way", is_flag=True,
              help="perspectrum only: use stance_label_5, mapping MILDLY_UNDERMINE to wary "
                   "(a weak proxy) and leaving out NO_MAJORITY_LABEL pairs.")
@handle_errors
def command(fmt, source, output, limit, five_way):
    """Convert a public data set (NewsMTSC or PERSPECTRUM split) into gold records.

    newsmtsc: polarity 1/0/-1 becomes stance supportive/none/critical for the mention; lines
    sharing a sentence become one record with several actors; the sentence sentiment is the
    most frequent polarity (a tie is neutral). perspectrum: the claim is the target, the
    perspective sentence the text, its unnamed author the actor (whole-sentence span flagged
    implicit_holder); SUPPORT/UNDERMINE become supportive/critical.

    \b
    Example:
      annotate convert newsmtsc ../shared/data/newsmtsc/splits/train.jsonl -o newsmtsc-train.jsonl
      annotate convert perspectrum ../shared/data/perspectrum/splits/dev.jsonl -o persp-dev.jsonl
    """
    from annotate.ingest.convert import convert

    report = convert(fmt, source, output, limit=limit, five_way=five_way)
    info(f"read {report.records_read} {fmt} records; wrote {report.records_written} gold "
         f"records to {output}" + (f"; left out {report.skipped}" if report.skipped else ""))
    info("stance: " + ", ".join(f"{k} {v}" for k, v in sorted(report.stance_counts.items())))
    info("sentiment: " + ", ".join(f"{k} {v}" for k, v in
                                   sorted(report.sentiment_counts.items())))
