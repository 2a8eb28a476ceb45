"""`annotate report`: stance by actor, over time and by outlet; charts, an HTML page, networks."""

from __future__ import annotations

from pathlib import Path

import click

from annotate.cli.common import handle_errors, info


@click.command("report")
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Report directory (created or replaced as a whole).")
@click.option("--target", help="Name of the target for titles and the network's target node "
              "[default: the records' `target` field, else \"the target\"].")
@click.option("--period", type=click.Choice(["month", "week", "year"]), default="month",
              show_default=True, help="Time unit of the stance-over-time table and chart and of "
              "the network exports' time windows.")
@click.option("--codebook", type=click.Path(dir_okay=False),
              help="Actor codebook (TOML) whose categories fill the statements' actor_category.")
@handle_errors
def command(gold, output, target, period, codebook):
    """A report of who takes which stance, when and where, from (adjudicated) gold.

    Writes to OUTPUT: stance by actor as CSV and Markdown (supportive / wary / critical / none
    counts with example sentences) and a stacked bar chart; stance by actor per period and per
    outlet (CSV and Markdown, from the records' date and outlet) and a chart of the most
    mentioned actors' net stance over time; sentence sentiment by document; an HTML page showing
    them together (index.html); and networks: an actor–stance GraphML, DNA-style statements
    (statements.csv), one actor–concept edge list per time window (edges/) and one GraphML of
    all windows (actor_concept.graphml). The directory appears complete or not at all.

    \b
    Example:
      annotate adjudicate gold.jsonl -o adjudicated.jsonl
      annotate report adjudicated.jsonl -o report/ --target "the MSS mission" --period week \\
          --codebook corpora/haiti-mss/codebook.toml
      xdg-open report/index.html
    """
    from annotate.records import gold_key, read_unique_records
    from annotate.reports.tables import build_report

    book = None
    if codebook:
        from annotate.codebook import Codebook

        book = Codebook.load(codebook)
    data = build_report(read_unique_records(gold, "gold", gold_key), output, target, period, book)
    dated = sum(1 for m in data.mentions if m.date)
    outlets = len({m.outlet for m in data.mentions if m.outlet})
    info(f"report of {data.sentences} sentences, {len(data.actors)} actors, "
         f"{len(data.documents)} documents ({dated} of {len(data.mentions)} actor mentions dated, "
         f"{outlets} outlets) -> {Path(output) / 'index.html'}")
    if data.repeated_sentences:
        info(f"note: {data.repeated_sentences} sentences have several records (one per annotator) "
             "and each was counted; run `annotate adjudicate` first for one count per sentence")
    if data.unresolved_pronouns:
        info(f"note: {data.unresolved_pronouns} pronoun spans (They, He, One of them, ...) name no "
             "actor and were not counted; set their actor in Label Studio to count them")
