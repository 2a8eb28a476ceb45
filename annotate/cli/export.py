"""`annotate export push/pull`: the bridge to Label Studio."""

from __future__ import annotations

import click

from annotate.cli.common import connect, handle_errors, info, server_options
from annotate.labelstudio.defaults import BATCH_SIZE, MAX_BATCH_SIZE
from annotate.quality.ordering import ORDERS

# The push and pull machinery (HTTP client, rich, the project's schema) is imported inside the
# commands, so that `annotate --help` and `annotate export --help` start fast.


class _Bars:
    """tqdm bars on stderr, one per kind of item; hidden when stderr is not a terminal."""

    def __init__(self):
        self.bars = {}

    def __call__(self, done: int, total: int, what: str) -> None:
        from tqdm import tqdm

        if what not in self.bars:
            self.bars[what] = tqdm(total=total, unit=what, desc=f"pushing {what}", leave=False,
                                   disable=None)
        bar = self.bars[what]
        bar.update(done - bar.n)

    def close(self):
        for bar in self.bars.values():
            bar.close()


@click.group("export")
def command():
    """Send pre-labelled sentences to Label Studio (push) and bring the gold labels back (pull).

    Without --url/LABEL_STUDIO_URL both use the local Label Studio started by `annotate studio`.
    """


@command.command("push")
@click.argument("predictions", type=click.Path(dir_okay=False, path_type=str))
@click.option("--project", metavar="NAME", help="Project title (created if missing).")
@click.option("--target", default=None, help="What stance is toward, shown on every task "
              "[default: from --corpus, else each record's `target` field].")
@click.option("--corpus", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="A corpus.toml: its `target`, and its actor codebook (added to the "
                   "annotators' instructions under the guidelines).")
@click.option("--update-predictions", is_flag=True,
              help="Also attach this file's predictions (a new model_version) to tasks that exist "
                   "and that nobody has annotated yet.")
@click.option("--order", type=click.Choice(ORDERS), default="input", show_default=True,
              help="Task order: as in the file, or least certain prediction first.")
@click.option("--batch-size", type=click.IntRange(1, MAX_BATCH_SIZE), default=BATCH_SIZE,
              show_default=True, help="Tasks per import request (a task is 1-3 kB: 10,000 stay "
                                      "far below Label Studio's 250 MB request limit).")
@click.option("--to-file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write Label Studio's import file (JSON) instead of talking to a server.")
@click.option("--overlap", type=click.IntRange(min=1), default=None, metavar="N",
              help="Annotators per task (Label Studio's maximum_annotations): 2 or more gives "
                   "`annotate agreement` sentences to compare [default: the project's; 1 for a "
                   "new project].")
@click.option("--overlap-share", type=click.IntRange(min=0, max=100), default=None, metavar="P",
              help="Percent of the tasks that get --overlap annotators; the others get one "
                   "(overlap_cohort_percentage) [default: the project's; 100 for a new project].")
@click.option("--ml-backend", default=None, metavar="URL",
              help="Connect the `annotate serve` at URL to the project (once; safe to repeat): "
                   "tasks without predictions get them when opened, Start Training retrains. "
                   "Its basic auth comes from $ANNOTATE_SERVE_USER/$ANNOTATE_SERVE_PASSWORD.")
@server_options
@handle_errors
def push_command(predictions, project, target, corpus, update_predictions, order, batch_size,
                 to_file, overlap, overlap_share, ml_backend, url, api_key):
    """Create a Label Studio task per sentence, pre-filled with its prediction (actor spans, each
    span's stance, the sentiment). Safe to repeat: sentences already in the project are not
    created again, so rerunning after an interruption completes the push.

    \b
    Example:
      annotate export push predictions.jsonl --project haiti-mss \\
          --corpus corpora/haiti-mss/corpus.toml
      annotate export push predictions.jsonl --project haiti-mss --overlap 2 \\
          --overlap-share 20
      annotate export push predictions.jsonl --to-file tasks.json --target "the mission"
      annotate export push predictions.jsonl --project haiti-mss \\
          --ml-backend http://127.0.0.1:9090
    """
    from annotate.codebook import Codebook
    from annotate.corpus import load_corpus_config
    from annotate.labelstudio.project import Overlap, instructions
    from annotate.labelstudio.push import (PredictionFile, push, records_without_target,
                                           resolve_target, write_import_file)

    if ml_backend:  # a mistyped URL or half-set auth fails before anything is pushed
        from annotate.labelstudio import ml_backend as backend_connection

        backend_connection.check_url(ml_backend)
        backend_connection.basic_auth_from_env()
    corpus_config = load_corpus_config(corpus) if corpus else None
    codebook_actors = ([a.name for a in Codebook.load(corpus_config.codebook).actors]
                       if corpus_config else [])
    records = PredictionFile(predictions, order)
    target = resolve_target(target, corpus_config)
    untargeted = records_without_target(records, target)
    if untargeted:
        info(f"warning: {untargeted} sentences have no target to judge stance toward; give "
             "--target TEXT or --corpus corpus.toml")
    if to_file:
        count = write_import_file(records, to_file, target)
        info(f"wrote {count} tasks with predictions to {to_file} (import it in Label Studio: "
             "project > Import)")
        return
    if not project:
        raise click.UsageError("--project NAME is required (or --to-file FILE)")
    session = connect(url, api_key)
    bars = _Bars()
    try:
        summary = push(session, project, records, target, batch_size=batch_size,
                       update_predictions=update_predictions,
                       instructions_html=instructions(corpus_config), progress=bars,
                       codebook_actors=codebook_actors,
                       overlap=Overlap(overlap, overlap_share),
                       waiting=lambda: info(f"waiting for another push to project {project!r} "
                                            "on this machine to finish..."))
    finally:
        bars.close()
    info(f"project {project!r} (id {summary.project_id}) at {session.url}"
         + (": created" if summary.project_created else "")
         + ("; labeling config updated" if summary.config_updated else "")
         + ("; instructions updated" if summary.instructions_updated else ""))
    info(f"{summary.sentences} sentences: {summary.created} tasks created, "
         f"{summary.already_present} already present, {summary.predictions_added} predictions added"
         + (f", {summary.annotated_kept} annotated tasks left as they are"
            if update_predictions else ""))
    info(_overlap_line(summary.annotators_per_task or 1, summary.overlap_share))
    if summary.overlap_updated:
        info("overlap updated; Label Studio applies it to the tasks nobody has finished yet")
    if summary.duplicates_removed:
        info(f"{summary.duplicates_removed} tasks this push made were removed again: another push "
             "of the same sentences ran at the same time and made them first")
    if summary.predictions_removed:
        info(f"{summary.predictions_removed} predictions this push added twice with another push "
             "running at the same time were removed (one per task and model version is kept)")
    if summary.duplicate_tasks:
        kept = (f" {summary.duplicates_annotated} copies made by another push at the same time "
                "were kept because an annotator already worked on them."
                if summary.duplicates_annotated else "")
        info(f"warning: {summary.duplicate_tasks} sentence ids are on more than one task in the "
             "project, left as they are: a push removes only copies it made itself, not tasks "
             "made before it (through Label Studio's Import, by another tool, or by a push still "
             f"running on another machine).{kept} Delete the extra copies nobody annotated in "
             "Label Studio's Data Manager.")
    if ml_backend:
        _connect_ml_backend(session, summary.project_id, ml_backend)
    elif summary.model_version:
        info(f"annotators see the predictions of model {summary.model_version}")
    info(f"open the tasks at {session.url}/projects/{summary.project_id}/data")
    if summary.already_present and not update_predictions and summary.created == 0:
        info("nothing new to push; to replace pre-labels with a new model's, add --update-predictions")


def _overlap_line(per_task: int, share: int | None) -> str:
    if per_task == 1:
        return "annotators per task: 1 (no overlap: annotate agreement needs --overlap 2 or more)"
    if share in (None, 100):
        return f"annotators per task: {per_task}"
    return f"annotators per task: {per_task} on {share}% of the tasks, 1 on the others"


def _connect_ml_backend(session, project_id, url):
    from annotate.labelstudio import ml_backend

    backend, created = ml_backend.connect(session, project_id, url,
                                          ml_backend.basic_auth_from_env())
    info(f"ML backend {url} {'connected' if created else 'already connected'} "
         f"(serving {backend['model_version'] or 'an unknown model'}): annotators see its "
         "predictions; Start Training (project Settings > Model) retrains it")


@command.command("pull")
@click.option("--project", metavar="NAME", help="Project title.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Gold JSONL to write (one record per sentence per annotator).")
@click.option("--since", default=None, metavar="TIME|last",
              help="Only annotations created or changed after TIME (ISO 8601, UTC unless a zone "
                   "is given), or after the newest one of the last pull into the same output. "
                   "Into an existing output they are merged (replacing their earlier versions), "
                   "so it never shrinks.")
@click.option("--from-file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Read a JSON export made with Label Studio's Export button instead of a server "
                   "(it names annotators by user id only: they become user:N).")
@click.option("--export-timeout", type=click.FloatRange(min=0, min_open=True), default=4 * 3600.0,
              show_default=True, metavar="SECONDS",
              help="How long to wait for Label Studio to build the export (Community builds it "
                   "inside the request: a project of 100,000 tasks takes many minutes).")
@server_options
@handle_errors
def pull_command(project, output, since, from_file, export_timeout, url, api_key):
    """Fetch every annotation in bulk (an export snapshot) and write gold records: the sentence,
    its actor spans each with its stance, the sentiment, the annotator, the annotation id and its
    timestamps. Skipped tasks and drafts are counted, not written; annotations that do not fit
    the schema are listed in OUTPUT.rejects.jsonl.

    \b
    Example:
      annotate export pull --project haiti-mss -o gold.jsonl
      annotate export pull --project haiti-mss -o gold.jsonl --since last
      annotate export pull --project haiti-mss -o week.jsonl --since 2025-01-31T14:00
      annotate export pull --from-file project-1-export.json -o gold.jsonl
    """
    from annotate.labelstudio.pull import pull, pull_file, rejects_path

    if from_file:
        stats = pull_file(from_file, output, since)
    else:
        if not project:
            raise click.UsageError("--project NAME is required (or --from-file FILE)")
        session = connect(url, api_key)
        stats = pull(session, project, output, since, export_timeout=export_timeout)
    if stats.merged:
        info(f"{stats.tasks} tasks: {stats.annotations} gold records created or changed since "
             f"{since}, merged into {output} ({stats.replaced} earlier versions replaced; "
             f"{stats.records_written} records in it now); {stats.unchanged} annotations "
             f"unchanged, {stats.skipped} skipped, {stats.drafts} drafts left out")
    else:
        info(f"{stats.tasks} tasks: wrote {stats.annotations} gold records to {output}; "
             f"{stats.skipped} skipped, {stats.drafts} drafts left out, "
             f"{stats.unannotated} tasks without annotations"
             + (f", {stats.unchanged} annotations unchanged since {since}" if since else ""))
    if stats.edited_by_other:
        info(f"{stats.edited_by_other} annotations were last saved by someone other than their "
             "annotator: written with both (`annotator`, `updated_by`); `annotate agreement` "
             "leaves them out")
    if stats.rejects_written and not stats.rejected:
        info(f"{stats.rejects_written} earlier rejects still listed in {rejects_path(output)}")
    if stats.recovered:
        reasons = ", ".join(sorted({r["reason"] for r in stats.recovered}))
        info(f"{len(stats.recovered)} actor spans had offsets that did not give the text Label "
             f"Studio stored for them ({reasons}); the stored text was found and used")
    for what, ids in (("annotations", stats.deleted_annotations), ("tasks", stats.deleted_tasks)):
        if ids:
            shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
            info(f"{len(ids)} {what} of the last pull into {output} were deleted in Label Studio "
                 f"since (ids {shown}); their gold records from earlier pulls are stale")
    if stats.rejected:
        info(f"{len(stats.rejected)} annotations do not fit the schema; listed in "
             f"{rejects_path(output)}" + (f" ({stats.rejects_written} in it now)"
                                         if stats.merged else "") + ":")
        for reject in stats.rejected[:10]:
            info(f"  task {reject['task_id']} (annotation {reject['annotation_id']}, "
                 f"{reject['annotator']}): {reject['problem']}")
        if len(stats.rejected) > 10:
            info(f"  ... and {len(stats.rejected) - 10} more")
