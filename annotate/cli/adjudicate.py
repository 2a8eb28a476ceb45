"""`annotate adjudicate`: one gold record per sentence; ties and conflicts listed."""

from __future__ import annotations

import click

from annotate.cli.common import connect, handle_errors, info, server_options

SHOWN_CONFLICTS = 20


@click.command("adjudicate")
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Adjudicated gold (one record per sentence; what `annotate train` takes).")
@click.option("--conflicts", "conflicts_path", type=click.Path(dir_okay=False),
              help="Conflicted sentences with every annotator's labels "
                   "[default: OUTPUT with .conflicts.jsonl].")
@click.option("--push-review", is_flag=True,
              help="Send the conflicts to Label Studio as review tasks, one prediction per "
                   "annotator (model version annotator:<email>). Needs --project.")
@click.option("--project", metavar="NAME",
              help="Review project title for --push-review (created if missing; use a project of "
                   "its own, e.g. haiti-mss-review).")
@click.option("--target", default=None, help="What stance is toward, shown on review tasks.")
@server_options
@handle_errors
def command(gold, output, conflicts_path, push_review, project, target, url, api_key):
    """One gold record per sentence from several annotators' labels.

    Unanimous and majority labels are taken (sentiment, each matched actor span, its stance and
    boundaries). A tie — in sentiment, in a stance, or in whether a span is an actor — makes the
    sentence a conflict: it is held back from OUTPUT (which stays valid training gold) and written,
    with each annotator's labels, to the conflicts file. Every input sentence ends up in exactly one
    of the two files.

    \b
    Example:
      annotate export pull --project haiti-mss -o gold.jsonl
      annotate adjudicate gold.jsonl -o adjudicated.jsonl --conflicts conflicts.jsonl
      annotate train adjudicated.jsonl -o models/v2
      annotate adjudicate gold.jsonl -o adjudicated.jsonl --push-review --project haiti-mss-review
    """
    if push_review and not project:
        raise click.UsageError("--push-review needs --project NAME (the review project)")
    from annotate.quality.adjudicate import adjudicate_file, default_conflicts_path, describe_conflict


    conflicts_path = conflicts_path or default_conflicts_path(output)
    result = adjudicate_file(gold, output, conflicts_path)
    counts = result.counts
    info(f"adjudicated {len(result.records)} sentences -> {output} "
         f"({counts['unanimous']} unanimous, {counts['majority']} by majority, "
         f"{counts['single']} with one annotator)")
    if result.superseded:
        info(f"{result.superseded} repeated annotations by the same annotator: the latest was used")
    info(f"{len(result.conflicts)} sentences in conflict, held back -> {conflicts_path}")
    for conflict in result.conflicts[:SHOWN_CONFLICTS]:
        info(f"  {describe_conflict(conflict)}")
    if len(result.conflicts) > SHOWN_CONFLICTS:
        info(f"  ... and {len(result.conflicts) - SHOWN_CONFLICTS} more in {conflicts_path}")
    if push_review:
        from annotate.labelstudio import review

        session = connect(url, api_key)
        summary = review.push_review(session, project, result.conflicts, target)
        info(f"review project {project!r} (id {summary.project_id}) at {session.url}"
             + (": created" if summary.project_created else "")
             + f"; {summary.created} review tasks created, {summary.already_present} already present")
