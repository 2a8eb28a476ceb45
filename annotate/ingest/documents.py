"""Documents in, sentence records out: reading inputs, dropping page furniture, splitting.

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
from pathlib import Path

from annotate.errors import InputError
from annotate.ingest.splitting import sentence_spans
from annotate.records import (
    normalise_newlines,
    read_numbered_records,
    read_text,
    write_records,
)

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIX = ".jsonl"


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str  # file (and line, for .jsonl documents) it came from, for messages


@dataclass
class SplitStats:
    """What a split did, for the CLI to report."""

    documents: int = 0
    sentences: int = 0
    dropped_lines: int = 0
    empty_documents: list[str] = field(default_factory=list)


# --- reading documents -------------------------------------------------------------------------

def iter_documents(inputs: Iterable) -> Iterator[Document]:
    """The documents of .txt/.md/.jsonl files and directories (recursive, sorted), one at a time.

    A text file's doc id is its file stem, with -2, -3... added if an earlier document took it;
    a .jsonl document keeps its own "id", and a repeated id is an error.
    """
    used: set[str] = set()
    for path in _expand(inputs):
        if path.suffix.lower() == JSONL_SUFFIX:
            for document in _jsonl_documents(path):
                if document.id in used:
                    raise InputError(document.source, f"document id {document.id!r} is used twice; "
                                     "give every document a unique id")
                used.add(document.id)
                yield document
        else:
            doc_id = _unique(path.stem, used)
            used.add(doc_id)
            yield Document(doc_id, read_text(path), str(path))


def _expand(inputs: Iterable) -> Iterator[Path]:
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*")
                           if p.suffix.lower() in TEXT_SUFFIXES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                raise InputError(path, "directory has no .txt or .md files; "
                                 "give a directory of articles or the files themselves")
            yield from files
        elif not path.exists():
            raise InputError(path, "no such file or directory")
        elif path.suffix.lower() in (*TEXT_SUFFIXES, JSONL_SUFFIX):
            yield path
        else:
            raise InputError(path, f"unsupported file type {path.suffix or '(none)'!r}; "
                             "give .txt or .md articles, .jsonl documents, or a directory")


def _unique(stem: str, used: set[str]) -> str:
    candidate, number = stem, 1
    while candidate in used:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _jsonl_documents(path: Path) -> Iterator[Document]:
    """Documents {"id", "text"} of a .jsonl file, each checked, errors naming file:line."""
    for line, record in read_numbered_records(path):
        doc_id, text = record.get("id"), record.get("text")
        for name, value in (("id", doc_id), ("text", text)):
            if value is None:
                raise InputError(path, f"document has no {name!r} field; expected "
                                 '{"id": "...", "text": "..."}', line=line)
            if not isinstance(value, str):
                raise InputError(path, f"field {name!r} must be a string, got "
                                 f"{type(value).__name__}", line=line)
        if not doc_id.strip():
            raise InputError(path, "field 'id' is empty; give each document an id", line=line)
        if not text.strip():
            raise InputError(path, f"document {doc_id!r} has empty text", line=line)
        yield Document(doc_id, normalise_newlines(text.removeprefix("\ufeff")), f"{path}:{line}")


# --- page furniture ----------------------------------------------------------------------------

# Whole lines (case-insensitive, trimmed) that web pages add around an article. Each pattern must
# match the entire line and is deliberately narrow, so a real sentence is never dropped.
_SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|tumblr|e-?mail|print|copy link|share)"
_FURNITURE = re.compile(
    r"(?:"
    r"share(?: (?:this|the) (?:article|story|post|page))?(?: on \w+)?"
    rf"|{_SOCIAL}(?:[\s|,·•/]+{_SOCIAL})*"
    r"|leave a (?:reply|comment)|post a comment|cancel reply|\d+ comments?|no comments(?: yet)?"
    r"|exit mobile version|skip to (?:main )?content|toggle navigation|main menu|menu|search"
    r"|back to top|scroll to top|previous (?:article|post)|next (?:article|post)"
    r"|subscribe(?: now| today| to (?:our|the) newsletter)?|sign up for (?:our|the) newsletter"
    r"|follow us(?: on \w+(?: and \w+)?)?"
    r"|(?:this (?:web)?site|we) uses? cookies\b.{0,200}|accept(?: all)?(?: cookies)?"
    r"|(?:manage )?cookie (?:settings|policy|preferences)|reject all"
    r"|read more|continue reading|read the full (?:story|article)|click here to read more"
    r"|advertisement|sponsored(?: content)?|related(?: posts| articles| stories| news)?"
    r"|you may also like|recommended(?: for you)?|trending(?: now)?|most read|popular posts"
    r"|(?:©|copyright ©?\s*\d{4}).{0,120}|all rights reserved"
    r"|tags?:.{0,150}"
    r")[.:!]?",
    re.IGNORECASE,
)
# Navigation: three or more short items separated by | • · » or > ("Home | News | Contact").
_NAV_ITEM = r"[^\W\d][\w&'’ -]{0,30}"
_NAVIGATION = re.compile(rf"{_NAV_ITEM}(?:\s*[|•·»>]\s*{_NAV_ITEM}){{2,}}")


def is_furniture(line: str) -> bool:
    """True if the line is web-page furniture (a share button, a menu, a cookie banner...)."""
    line = line.strip()
    return bool(line) and len(line) <= 300 and bool(
        _FURNITURE.fullmatch(line) or _NAVIGATION.fullmatch(line))


# --- layout: which stretches of a document may hold sentences -------------------------------------

_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(?P<body>.*?)(?:[ \t]+#+)?[ \t]*")
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,3}[.)]|>(?:[ \t]*>)*)[ \t]+(?P<body>.*?)[ \t]*")
_RULE = re.compile(r"[ \t]*(?:={3,}|-{3,}|\*{3,}|_{3,})[ \t]*")
_TERMINAL = tuple(".!?:;,…\"'”’)]")


def prose_blocks(text: str) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of each block of prose in `text`, and how many furniture lines were dropped.

    A block ends at a blank line, a heading, a list item, a rule, a furniture line, and after a
    short line with no closing punctuation (a title or byline above a paragraph).
    """
    blocks: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []  # (start, end) of the lines of the open block
    dropped = 0

    def close():
        blocks.extend(_split_titles(text, current))
        current.clear()

    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        heading, item = _HEADING.fullmatch(line), _ITEM.fullmatch(line)
        marked = heading or item
        if not line.strip() or _RULE.fullmatch(line):
            close()
        elif is_furniture(marked.group("body") if marked else line):
            dropped += 1
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
    blocks, dropped = prose_blocks(document.text)
    spans = [(block_start + start, block_start + end)
             for block_start, block_end in blocks
             for start, end in sentence_spans(document.text[block_start:block_end])]
    texts = [document.text[start:end] for start, end in spans]
    seen: dict[str, int] = {}
    records = []
    for index, ((start, end), text) in enumerate(zip(spans, texts)):
        records.append({
            "id": _sentence_id(document.id, text, seen),
            "doc_id": document.id,
            "text": text,
            "start": start,
            "end": end,
            "prev_text": texts[index - 1] if index > 0 else "",
            "next_text": texts[index + 1] if index + 1 < len(texts) else "",
        })
    return records, dropped


def _sentence_id(doc_id: str, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    seen[digest] = seen.get(digest, 0) + 1
    return f"{doc_id}:{digest}" if seen[digest] == 1 else f"{doc_id}:{digest}-{seen[digest]}"


def iter_sentences(inputs: Iterable, stats: SplitStats) -> Iterator[dict]:
    """Sentence records of every input document, one document in memory at a time."""
    for document in iter_documents(inputs):
        records, dropped = split_document(document)
        stats.documents += 1
        stats.dropped_lines += dropped
        stats.sentences += len(records)
        if not records:
            stats.empty_documents.append(document.source)
        yield from records


def split_to_file(inputs: Iterable, output) -> SplitStats:
    """Split every input into sentences and write them to `output` (JSONL, all or nothing)."""
    stats = SplitStats()
    write_records(output, _require_sentences(iter_sentences(inputs, stats), stats))
    return stats


def _require_sentences(records: Iterator[dict], stats: SplitStats) -> Iterator[dict]:
    yield from records
    if stats.sentences == 0:
        raise InputError(", ".join(stats.empty_documents) or "input",
                         "no sentences found (only page furniture or markup?); nothing written")
