"""`annotate split`: articles, web pages and news exports in, one sentence record per line out."""

from __future__ import annotations

import click

from annotate.cli.common import (
    dask_session,
    handle_errors,
    info,
    on_cluster,
    scheduler_options,
)

MAX_LISTED_SKIPS = 20


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@click.command("split")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...", type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(path_type=str),
              help="Sentence records to write (JSON Lines; with --scheduler a directory of "
                   "shards); written only if every input is good.")
@click.option("--text-column", help="CSV/TSV column with the article text [default: the first of "
              "text, body, content, article, ...].")
@click.option("--id-column", help="CSV/TSV column with the document id [default: id, doc_id, "
              "article_id, ...; else <file>-<line>].")
@click.option("--title-column", help="CSV/TSV column with the headline [default: title, headline].")
@click.option("--date-column", help="CSV/TSV column with the publication date [default: date, "
              "published, publish_date, ...].")
@click.option("--outlet-column", help="CSV/TSV column with the outlet [default: outlet, source, "
              "publication, publisher, ...].")
@click.option("--url-column", help="CSV/TSV column with the article URL [default: url, link].")
@click.option("--author-column", help="CSV/TSV column with the author [default: author, byline].")
@click.option("--lenient-dates", is_flag=True,
              help="Leave dates that cannot be read empty (and count them) instead of stopping.")
@click.option("--skip-bad", is_flag=True,
              help="Leave out bad documents (a page without article text, a ragged CSV row, a file "
              "cut short...), list them, and go on.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes to split on [default: one per CPU, at most 4, when the input is "
                   "over 1 MB; else 1]. The output is the same, in input order.")
@scheduler_options
@handle_errors
def command(inputs, output, text_column, id_column, title_column, date_column, outlet_column,
            url_column, author_column, lenient_dates, skip_bad, jobs, scheduler, workers):
    """Split news articles, web pages and news exports into sentences with exact offsets.

    INPUT is a .txt or .md article, a saved web page (.html/.htm: the article's text, title,
    date, author, site and URL are found by trafilatura; menus, share buttons, cookie notices,
    related links and comments are left out), a .csv/.tsv export (one document per row), a .jsonl
    or .jsonl.gz file of documents {"id", "text", "title"?, "date"?, "outlet"?, "url"?,
    "author"?}, or a directory (searched recursively for .txt, .md, .html and .htm). Dates are
    normalised to YYYY-MM-DD. Each output line is {"id", "doc_id", "text", "start", "end",
    "prev_text", "next_text"} plus the document's title, date, outlet, url and author when
    known; start/end are offsets into the document text.

    \b
    Example:
      annotate split corpora/haiti-mss/articles -o sentences.jsonl
      annotate split saved-pages/ -o sentences.jsonl --skip-bad
      annotate split export.csv --text-column body --outlet-column source -o sentences.jsonl
      annotate split corpus/part-*.jsonl.gz --scheduler tcp://scheduler:8786 -o sentences/
    """
    columns = {"text": text_column, "id": id_column, "title": title_column, "date": date_column,
               "outlet": outlet_column, "url": url_column, "author": author_column}
    if on_cluster(scheduler, workers):
        if any(columns.values()) or lenient_dates or skip_bad or jobs:
            raise click.UsageError("--scheduler reads .jsonl(.gz) document shards; the column, "
                                   "--lenient-dates, --skip-bad and --jobs options are for one "
                                   "machine")
        _split_on_cluster(inputs, output, scheduler, workers)
        return
    from annotate.ingest.documents import ReadOptions, split_to_file

    stats = split_to_file(inputs, output, ReadOptions(columns, lenient_dates, skip_bad), jobs=jobs)
    problems = stats.problems
    for source in stats.empty_documents:
        info(f"warning: {source}: no sentences found")
    for message in problems.skipped[:MAX_LISTED_SKIPS]:
        info(f"skipped: {message}")
    if len(problems.skipped) > MAX_LISTED_SKIPS:
        info(f"skipped: ... and {len(problems.skipped) - MAX_LISTED_SKIPS} more")
    extras = [f"dropped {_plural(stats.dropped_lines, 'furniture line')}"]
    if problems.skipped:
        extras.append(f"skipped {_plural(len(problems.skipped), 'bad input')}")
    if problems.dates_left_empty:
        extras.append(f"left {_plural(problems.dates_left_empty, 'unreadable date')} empty")
    info(f"wrote {_plural(stats.sentences, 'sentence')} from "
         f"{_plural(stats.documents, 'document')} to {output} ({', '.join(extras)})")


def _split_on_cluster(inputs, output, scheduler, workers):
    from annotate.ingest.shards import split_shards

    with dask_session(scheduler, workers) as client:
        run, stats = split_shards(inputs, output, client)
    for source in stats.empty_documents:
        info(f"warning: {source}: no sentences found")
    info(f"wrote {_plural(stats.sentences, 'sentence')} from {_plural(stats.documents, 'document')} "
         f"to {_plural(len(run.results), 'shard')} in {output} on {_plural(run.workers, 'worker')} "
         f"(dropped {_plural(stats.dropped_lines, 'furniture line')})")
