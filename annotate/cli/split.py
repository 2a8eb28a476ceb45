"""`annotate split`: articles in, one sentence record per line out."""

from __future__ import annotations

import click

from annotate.cli.common import handle_errors, info
from annotate.ingest.documents import split_to_file


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@click.command("split")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...", type=click.Path(path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Sentence records to write (JSON Lines); written only if every input is good.")
@handle_errors
def command(inputs, output):
    """Split news articles into sentences with exact character offsets.

    INPUT is a .txt or .md article (one document; its id is the file name without the
    extension), a directory of them (searched recursively, in sorted order), or a .jsonl file of
    documents {"id": ..., "text": ...}. Web-page furniture lines (share buttons, "Leave A Reply",
    menus, cookie banners...) are dropped and counted. Each output line is
    {"id", "doc_id", "text", "start", "end", "prev_text", "next_text"}, where start/end are
    offsets into the document with line endings normalised to \\n.

    \b
    Example:
      annotate split corpora/haiti-mss/articles -o sentences.jsonl
      annotate split article.txt more-articles/ documents.jsonl -o sentences.jsonl
    """
    stats = split_to_file(inputs, output)
    for source in stats.empty_documents:
        info(f"warning: {source}: no sentences found")
    info(f"wrote {_plural(stats.sentences, 'sentence')} from "
         f"{_plural(stats.documents, 'document')} to {output} "
         f"(dropped {_plural(stats.dropped_lines, 'furniture line')})")
