"""Documents in, sentence records out: dropping page furniture, splitting, sentence ids.

Reading the inputs (text, web pages, CSV, JSON Lines) is `annotate.ingest.sources`; page
furniture is `annotate.ingest.furniture`.

Offsets: `start`/`end` index the document text after line endings are normalised to "\\n" (and a
UTF-8 byte-order mark removed), so `document[start:end] == text` holds for that text. Sentences
never cross a blank line, a heading, a list item or a dropped furniture line; a line break inside
a paragraph does not end a sentence, so hard-wrapped text stays whole.

Markdown: a heading (`# ...`, or a line underlined with === / ---) is kept as a sentence of its
own, without its `#` markers, because news headlines often carry the stance we annotate. List
markers (`-`, `*`, `+`, `1.`) and quote markers (`>`) are left out of the sentence; inline markup
(`**bold**`, links) stays, since the text must be an exact slice of the document.

Sentence ids are `{doc_id}:{first 10 hex of sha1(text)}` with `-2`, `-3`... for repeats of the
same sentence in a document: re-splitting an edited article keeps the ids (and the gold labels
keyed by them) of every sentence that did not change, which ordinal ids would not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from annotate.errors import InputError
from annotate.ingest.furniture import is_furniture, is_related_lead_in
from annotate.ingest.sources import (META_FIELDS, Document, ReadOptions, ReadProblems,
                                     iter_documents)
from annotate.ingest.splitting import sentence_spans
from annotate.records import atomic_output

__all__ = ["Document", "ReadOptions", "SplitStats", "is_furniture", "iter_documents",
           "iter_sentences", "prose_blocks", "split_document", "split_to_file"]


@dataclass
class SplitStats:
    """What a split did, for the CLI to report."""

    documents: int = 0
    sentences: int = 0
    dropped_lines: int = 0
    empty_documents: list[str] = field(default_factory=list)
    problems: ReadProblems = field(default_factory=ReadProblems)  # skipped input, dates left empty


# --- layout: which stretches of a document may hold sentences -------------------------------------

_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(?P<body>.*?)(?:[ \t]+#+)?[ \t]*")
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,3}[.)]|>(?:[ \t]*>)*)[ \t]+(?P<body>.*?)[ \t]*")
_RULE = re.compile(r"[ \t]*(?:={3,}|-{3,}|\*{3,}|_{3,})[ \t]*")
_TERMINAL = tuple(".!?:;,…\"'”’)]")


def prose_blocks(text: str) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of each block of prose in `text`, and how many furniture lines were dropped.

    A block ends at a blank line, a heading, a list item, a rule, a furniture line, and after a
    short line with no closing punctuation (a title or byline above a paragraph). A list under a
    related-links lead-in ("See also:", "Look at other dictionaries:") is furniture, item by item.
    """
    blocks: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []  # (start, end) of the lines of the open block
    dropped = 0
    in_related_list = False

    def close():
        blocks.extend(_split_titles(text, current))
        current.clear()

    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        heading, item = _HEADING.fullmatch(line), _ITEM.fullmatch(line)
        marked = heading or item
        if line.strip() and not item:
            in_related_list = False
        if not line.strip() or _RULE.fullmatch(line):
            close()
        elif in_related_list or is_furniture(marked.group("body") if marked else line):
            dropped += 1
            in_related_list = in_related_list or is_related_lead_in(line)
            close()
        elif heading:
            close()
            blocks.append((start + heading.start("body"), start + heading.end("body")))
        elif item:
            close()
            current.append((start + item.start("body"), start + item.end("body")))
        else:
            current.append((start, end))
    close()
    return [block for block in blocks if block[1] > block[0]], dropped


def stretch_cuts(text: str, size: int) -> list[int]:
    """Offsets where `text` can be cut into stretches of about `size` characters, each split on
    its own exactly as inside the whole text: right after a line that is not blank, not a list
    item and not a related-links lead-in, followed by a blank line. After such a line no block
    is open past the blank line and no related-links list goes on, so `prose_blocks` is in the
    state it starts in."""
    cuts = []
    position = size
    while position < len(text) - size:
        newline = text.find("\n\n", position)
        if newline < 0:
            break
        line = text[text.rfind("\n", 0, newline) + 1:newline]
        if line.strip() and not _ITEM.fullmatch(line) and not is_related_lead_in(line):
            cuts.append(newline + 1)
            position = newline + 1 + size
        else:
            position = newline + 1
    return cuts


def _split_titles(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut a block after each short line without end punctuation (a title), keep wrapped prose."""
    if not lines:
        return []
    longest = max(end - start for start, end in lines)
    pieces, piece_start = [], lines[0][0]
    for (start, end), (next_start, _) in zip(lines, lines[1:]):
        line = text[start:end].rstrip()
        if not line.endswith(_TERMINAL) and len(line) < 0.6 * longest:
            pieces.append((piece_start, end))
            piece_start = next_start
    pieces.append((piece_start, lines[-1][1]))
    return pieces


# --- sentences ---------------------------------------------------------------------------------

def split_document(document: Document) -> tuple[list[dict], int]:
    """The sentence records of one document, and how many furniture lines it dropped."""
    spans, digests, dropped = stretch_sentences(document.text)
    texts = [document.text[start:end] for start, end in spans]
    doc_id, meta = document.id, document_meta(document)
    records = [{"id": f"{doc_id}:{digest}", "doc_id": doc_id, "text": text, "start": start,
                "end": end, "prev_text": prev_text, "next_text": next_text, **meta}
               for digest, text, (start, end), prev_text, next_text
               in zip(suffixed(digests, {}), texts, spans, ["", *texts[:-1]], [*texts[1:], ""])]
    return records, dropped


def document_meta(document: Document) -> dict[str, str]:
    """The metadata every sentence record of `document` carries, in record order."""
    return {name: document.meta[name] for name in META_FIELDS if document.meta.get(name)}


def stretch_sentences(text: str) -> tuple[list[tuple[int, int]], list[str], int]:
    """(start, end) of each sentence of `text` (a document, or a stretch of one cut where
    `prose_blocks` starts afresh), the first 10 hex digits of the sha1 of each sentence's text
    (its id without the document and the repeat number), and the furniture lines dropped."""
    blocks, dropped = prose_blocks(text)
    spans = [(block_start + start, block_start + end)
             for block_start, block_end in blocks
             for start, end in sentence_spans(text[block_start:block_end])]
    sha1 = hashlib.sha1
    digests = [sha1(text[start:end].encode("utf-8")).hexdigest()[:10] for start, end in spans]
    return spans, digests, dropped


def suffixed(digests: Iterable[str], seen: dict[str, int]) -> Iterator[str]:
    """The digests with -2, -3... after the repeats of one (`seen`: the counts so far in the
    document, updated): `doc_id:<digest>` is the sentence id."""
    for digest in digests:
        count = seen.get(digest, 0) + 1
        seen[digest] = count
        yield digest if count == 1 else f"{digest}-{count}"


def iter_sentences(inputs: Iterable, stats: SplitStats,
                   options: ReadOptions | None = None) -> Iterator[dict]:
    """Sentence records of every input document, one document in memory at a time; each record
    carries its document's metadata (title, date, outlet, url, author) when there is any."""
    for document in iter_documents(inputs, options, stats.problems):
        records, dropped = split_document(document)
        stats.documents += 1
        stats.dropped_lines += dropped
        stats.sentences += len(records)
        if not records:
            stats.empty_documents.append(document.source)
        yield from records


def split_to_file(inputs: Iterable, output, options: ReadOptions | None = None, *,
                  jobs: int | None = None) -> SplitStats:
    """Split every input into sentences and write them to `output` (JSONL, all or nothing): the
    records of `split_document`, on `jobs` processes (None: several if the input is large)."""
    from annotate.ingest.parallel import sentence_lines, write_lines

    stats = SplitStats()
    documents = iter_documents(inputs, options, stats.problems)
    with atomic_output(output) as handle:
        write_lines(handle, sentence_lines(documents, stats, jobs))
        if stats.sentences == 0:
            raise InputError(", ".join(stats.empty_documents) or "input",
                             "no sentences found (only page furniture or markup?); nothing written")
    return stats
