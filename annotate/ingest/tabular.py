"""News-database exports as CSV or TSV: one document per row, columns named by option or header.

The header row names the columns. Each field of a document (`text`, `id`, `title`, `date`,
`outlet`, `url`, `author`) comes from the column given for it (`--text-column`, ...) or else from the
first header that is a common name for it (case-insensitive; see `DEFAULT_COLUMNS`). Only the text
is required; without an id column a row's id is `<file stem>-<row number>`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

from annotate.errors import InputError

TABULAR_SUFFIXES = (".csv", ".tsv")
DEFAULT_COLUMNS = MappingProxyType({
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "maintext", "article_text",
             "story"),
    "id": ("id", "doc_id", "document_id", "article_id", "story_id", "uuid", "guid"),
    "title": ("title", "headline", "heading"),
    "date": ("date", "published", "published_at", "publish_date", "publication_date",
             "date_published", "pubdate", "pub_date", "datetime", "timestamp"),
    "outlet": ("outlet", "source", "source_name", "publication", "publisher", "media", "medium",
               "media_name", "newspaper", "site", "sitename", "site_name", "domain"),
    "url": ("url", "link", "permalink", "source_url", "article_url"),
    "author": ("author", "authors", "byline", "creator"),
})
# Articles are long: allow fields far beyond csv's default limit of 128 kB (one article, not a file).
_FIELD_LIMIT = 64 * 1024 * 1024


def resolve_columns(path: Path, header: list[str], chosen: Mapping[str, str | None]) -> dict[str, int]:
    """field -> column index; a column named by an option must exist, the text column must exist."""
    positions = {name.strip().casefold(): i for i, name in reversed(list(enumerate(header)))}
    found = {}
    for name, defaults in DEFAULT_COLUMNS.items():
        option = chosen.get(name)
        if option:
            if option.strip().casefold() not in positions:
                raise InputError(path, f"no column {option!r} (--{name}-column); the header has "
                                 f"{_listing(header)}", line=1)
            found[name] = positions[option.strip().casefold()]
        else:
            match = next((positions[d] for d in defaults if d in positions), None)
            if match is not None:
                found[name] = match
    if "text" not in found:
        raise InputError(path, f"no text column (looked for {', '.join(DEFAULT_COLUMNS['text'][:4])}, "
                         f"...); the header has {_listing(header)}: name it with --text-column",
                         line=1)
    return found


def _listing(header: list[str]) -> str:
    shown = ", ".join(repr(h) for h in header[:12])
    return shown + (f" and {len(header) - 12} more" if len(header) > 12 else "")


def tabular_rows(path: Path, chosen: Mapping[str, str | None], skip) -> Iterator[tuple[int, dict]]:
    """(line, {field: value}) per data row, the line being where the row starts in the file.

    A ragged row or a cell that cannot be read goes to `skip(InputError)`, which raises unless
    --skip-bad; a problem with the header always raises.
    """
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    with handle:
        reader = csv.reader(handle, delimiter=delimiter)
        line = 1
        try:
            header = next(reader, None)
            if not header or not any(cell.strip() for cell in header):
                raise InputError(path, "the file is empty; expected a header row and one row per "
                                 "document", line=1)
            columns = resolve_columns(path, header, chosen)
            line = reader.line_num + 1
            for row in reader:
                start, line = line, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    skip(InputError(path, f"the row has {len(row)} fields but the header has "
                                    f"{len(header)}; quote fields that hold a "
                                    f"{'tab' if delimiter == chr(9) else 'comma'} or a line break",
                                    line=start))
                    continue
                yield start, {name: row[index] for name, index in columns.items()}
        except UnicodeDecodeError as exc:
            raise InputError(path, f"is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x}); "
                             "convert it to UTF-8 first", line=line) from None
        except csv.Error as exc:
            raise InputError(path, f"cannot be read as {path.suffix[1:].upper()} ({exc})",
                             line=line) from None
