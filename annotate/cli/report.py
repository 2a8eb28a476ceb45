"""`annotate report`: stance by actor, sentiment by document, chart, HTML page, network."""

from __future__ import annotations

from pathlib import Path

import click

from annotate.cli.common import handle_errors, info
from annotate.records import read_records
from annotate.reports.tables import build_report


@click.command("report")
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Report directory (created or replaced as a whole).")
@click.option("--target", help="Name of the target for titles and the network's target node "
              "[default: the records' `target` field, else \"the target\"].")
@handle_errors
def command(gold, output, target):
    """A report of who takes which stance, from (adjudicated) gold.

    Writes to OUTPUT: stance by actor as CSV and Markdown (supportive / wary / critical / none
    counts with example sentences), a stacked bar chart (PNG), sentence sentiment by document
    (CSV and Markdown), an HTML page showing them together (index.html), and an actor–stance
    network (GraphML) for network-analysis tools. The directory appears complete or not at all.

    \b
    Example:
      annotate adjudicate gold.jsonl -o adjudicated.jsonl
      annotate report adjudicated.jsonl -o report/ --target "the MSS mission"
      xdg-open report/index.html
    """
    data = build_report(read_records(gold, "gold"), output, target)
    info(f"report of {data.sentences} sentences, {len(data.actors)} actors, "
         f"{len(data.documents)} documents -> {Path(output) / 'index.html'}")
    if data.repeated_sentences:
        info(f"note: {data.repeated_sentences} sentences have several records (one per annotator) "
             "and each was counted; run `annotate adjudicate` first for one count per sentence")
