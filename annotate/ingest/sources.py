"""Input files in, documents (text and metadata) out: one reader per kind of input.

- `.txt`/`.md`: one article per file; its id is the file stem (`-2`, `-3`... if taken).
- `.html`/`.htm`: a saved web page; the article and its metadata by `annotate.ingest.html`.
- `.csv`/`.tsv`: one document per row (`annotate.ingest.tabular`).
- `.jsonl`/`.jsonl.gz`: one document per line, `{"id", "text"}` plus optional metadata.
A directory is searched recursively (sorted, hidden folders skipped) for articles and pages
(.txt, .md, .html, .htm); data files (.csv, .jsonl...) are given by name, so a crawl log or an
index lying in a folder of pages is not read as articles.

Metadata (`title`, `date`, `outlet`, `url`, `author`) are strings; the date is normalised to
YYYY-MM-DD (`annotate.ingest.dates`). An unreadable date is an error naming file:line, or with
`lenient_dates` left empty and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotate.errors import InputError
from annotate.ingest.dates import DateProblem, normalise_date
from annotate.ingest.html import HTML_SUFFIXES
from annotate.ingest.tabular import TABULAR_SUFFIXES, tabular_rows
from annotate.records import (
    check_regular_file,
    normalise_newlines,
    read_numbered_records,
    read_text,
)
from annotate.schema import DOCUMENT_FIELDS

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
META_FIELDS = DOCUMENT_FIELDS
PAGE_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES)  # what a directory is searched for


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str  # file (and line, for .jsonl/.csv documents) it came from, for messages
    meta: Mapping[str, str] = field(default_factory=dict)  # non-empty META_FIELDS only


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs: CSV column names per field, date leniency, what to do with bad input."""

    columns: Mapping[str, str | None] = field(default_factory=dict)
    lenient_dates: bool = False
    skip_bad: bool = False


@dataclass
class ReadProblems:
    """What reading left out under --skip-bad / --lenient-dates, for the CLI to list."""

    skipped: list[str] = field(default_factory=list)   # one message per skipped document or line
    dates_left_empty: int = 0


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


def iter_documents(inputs: Iterable, options: ReadOptions | None = None,
                   problems: ReadProblems | None = None) -> Iterator[Document]:
    """The documents of every input, one at a time (see the module docstring).

    A repeated document id is an error (text and page files get -2, -3... instead). With
    `options.skip_bad` a bad document (or line) is listed in `problems.skipped` and left out.
    """
    options = options or ReadOptions()
    problems = problems if problems is not None else ReadProblems()

    def skip(error: InputError) -> None:
        if not options.skip_bad:
            raise error
        problems.skipped.append(str(error))

    used: set[str] = set()
    for path in _expand(inputs):
        try:
            for document in _read(path, options, problems, skip, used):
                if document.id in used:
                    skip(InputError(document.source, f"document id {document.id!r} is used twice; "
                                    "give every document a unique id"))
                    continue
                used.add(document.id)
                yield document
        except InputError as error:  # a whole file (or the rest of it) that cannot be read
            skip(error)


def _read(path: Path, options: ReadOptions, problems: ReadProblems, skip,
          used: set[str]) -> Iterator[Document]:
    suffix = _suffix(path)
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_documents(path, options, problems, skip)
    elif suffix in TABULAR_SUFFIXES:
        yield from _tabular_documents(path, options, problems, skip)
    elif suffix in HTML_SUFFIXES:
        from annotate.ingest.html import read_page

        page = read_page(path)
        text = page.pop("text")
        yield Document(_unique(path.stem, used), text, str(path),
                       {k: v for k, v in page.items() if v})
    else:
        yield Document(_unique(path.stem, used), read_text(path), str(path))


def _expand(inputs: Iterable) -> Iterator[Path]:
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*")
                           if _suffix(p) in PAGE_SUFFIXES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                raise InputError(path, "directory has no .txt, .md, .html or .htm files; give a "
                                 "directory of articles or pages, or the files themselves")
            yield from files
        elif not path.exists() and not path.is_symlink():
            raise InputError(path, "no such file or directory")
        elif _suffix(path) in (*PAGE_SUFFIXES, *TABULAR_SUFFIXES, *JSONL_SUFFIXES):
            check_regular_file(path)  # a FIFO, a device, a symlink loop: refused at once
            yield path
        else:
            raise InputError(path, f"unsupported file type {path.suffix or '(none)'!r}; give .txt "
                             "or .md articles, .html pages, .csv/.tsv exports, .jsonl(.gz) "
                             "documents, or a directory")


def _unique(stem: str, used: set[str]) -> str:
    candidate, number = stem, 1
    while candidate in used:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def document_meta(path: Path, line: int, raw: Mapping, options: ReadOptions,
                  problems: ReadProblems) -> dict[str, str]:
    """The metadata fields of one record or row, checked; the date normalised (see module doc)."""
    meta = {}
    for name in META_FIELDS:
        value = raw.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise InputError(path, f"field {name!r} must be a string, got {type(value).__name__}",
                             line=line)
        value = " ".join(value.split())
        if name == "date" and value:
            try:
                value = normalise_date(value)
            except DateProblem as problem:
                if not options.lenient_dates:
                    raise InputError(path, f"{problem} (or pass --lenient-dates to leave such "
                                     "dates empty)", line=line) from None
                problems.dates_left_empty += 1
                continue
        if value:
            meta[name] = value
    return meta


def _checked(path: Path, line: int, doc_id, text, what: str) -> tuple[str, str]:
    for name, value in (("id", doc_id), ("text", text)):
        if not isinstance(value, str):
            raise InputError(path, f"{what} {name!r} must be a string, got {type(value).__name__}",
                             line=line)
    if not doc_id.strip():
        raise InputError(path, f"{what} 'id' is empty; give each document an id", line=line)
    if not text.strip():
        raise InputError(path, f"document {doc_id!r} has empty text", line=line)
    return doc_id, normalise_newlines(text.removeprefix("\ufeff"))


def _jsonl_documents(path: Path, options: ReadOptions, problems: ReadProblems,
                     skip: Callable[[InputError], None]) -> Iterator[Document]:
    """Documents {"id", "text", "title"?, "date"?, ...} of a .jsonl(.gz) file, errors at file:line."""
    for line, record in read_numbered_records(path, skip=skip):
        try:
            for name in ("id", "text"):
                if record.get(name) is None:
                    raise InputError(path, f"document has no {name!r} field; expected "
                                     '{"id": "...", "text": "..."}', line=line)
            doc_id, text = _checked(path, line, record["id"], record["text"], "field")
            meta = document_meta(path, line, record, options, problems)
        except InputError as error:
            skip(error)
            continue
        yield Document(doc_id, text, f"{path}:{line}", meta)


def _tabular_documents(path: Path, options: ReadOptions, problems: ReadProblems,
                       skip: Callable[[InputError], None]) -> Iterator[Document]:
    for line, row in tabular_rows(path, options.columns, skip):
        try:
            doc_id = row.get("id", "").strip() or f"{path.stem}-{line}"
            doc_id, text = _checked(path, line, doc_id, row["text"], "column")
            meta = document_meta(path, line, row, options, problems)
        except InputError as error:
            skip(error)
            continue
        yield Document(doc_id, text, f"{path}:{line}", meta)
