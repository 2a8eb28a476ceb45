"""Saved web pages in, article documents out: trafilatura finds the article and its metadata.

The page's text becomes a document of blocks separated by blank lines (so a sentence never runs
from one paragraph into the next): the headline, the standfirst (the page's description, when the
article text does not already hold it) and each paragraph, heading, list item and table row
trafilatura kept. Menus, share buttons, cookie notices, related links and comments are left out by
trafilatura (comments switched off); the furniture lines it lets through are dropped by
`annotate.ingest.furniture` when the document is split.

Encoding, as browsers decide it (WHATWG "determining the character encoding"): a byte-order mark,
else the page's own `<meta charset>` / `http-equiv` declaration in its first 4 kB, else UTF-8 when
the bytes are valid UTF-8, else windows-1252 (the web's legacy default); never a statistical guess.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from types import MappingProxyType

from annotate.errors import InputError
from annotate.ingest.dates import DateProblem, normalise_date

HTML_SUFFIXES = (".html", ".htm")
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_OPENS_PAGE = re.compile(rb"<html[\s>]", re.IGNORECASE)
_CLOSES_PAGE = re.compile(rb"</html\s*>", re.IGNORECASE)
# htmldate reads the date from the page's metadata and markup; its "extensive search" also guesses
# from any date-like text with dateparser over every locale: half the extraction time, and a guess
# (a copyright year) rather than the page's date.
_DATE_SEARCH = MappingProxyType({"extensive_search": False, "original_date": True})
# An article shorter than this is a teaser, an error page or a page that loads its text by script.
MIN_ARTICLE_CHARS = 100


def page_encoding(data: bytes) -> str:
    """The encoding a browser would use for these bytes (see the module docstring)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    declared = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    if declared:
        try:
            name = codecs.lookup(declared[1].decode("ascii")).name
        except LookupError:
            name = None
        if name:
            # as browsers do: a page served as UTF-16 cannot declare it in ASCII bytes (so UTF-8),
            # and latin-1 / ascii labels mean windows-1252 (its superset, what such pages hold)
            if name.startswith("utf-16"):
                return "utf-8"
            return "cp1252" if name in ("iso8859-1", "ascii") else name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def decode_page(data: bytes) -> str:
    encoding = page_encoding(data)
    text = data.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def read_page(path: Path) -> dict:
    """The article of a saved page: {"text", "title", "date", "author", "outlet", "url"}.

    Raises InputError when the page cannot be read, is cut short, or holds no article text.
    """
    from trafilatura import bare_extraction

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise InputError(path, "the file is empty; give a saved web page")
    if b"\x00" in data[:65536] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(path, "looks like a binary file, not a web page")
    if _OPENS_PAGE.search(data[:_PRESCAN_BYTES * 4]) and not _CLOSES_PAGE.search(data[-65536:]):
        raise InputError(path, "the page is cut short (it opens <html> but never closes it); save "
                         "the whole page again, or pass --skip-bad to leave it out")
    extracted = bare_extraction(decode_page(data), include_comments=False, with_metadata=True,
                                date_extraction_params=_DATE_SEARCH)
    body = (extracted.text if extracted is not None else "") or ""
    if len(body.strip()) < MIN_ARTICLE_CHARS:
        raise InputError(path, "no article text found (an index page, an error page, or a page that "
                         "loads its text with JavaScript?); save the article page itself, or pass "
                         "--skip-bad to leave it out")
    title = _clean(extracted.title)
    return {
        "text": article_text(title, _clean(extracted.description), body),
        "title": title,
        "date": _page_date(extracted.date),
        "author": _clean(extracted.author),
        "outlet": _clean(extracted.sitename) or _clean(extracted.hostname),
        "url": _clean(extracted.url),
    }


def article_text(title: str, description: str, body: str) -> str:
    """Headline, standfirst and body as blocks separated by blank lines (see the module docstring)."""
    lines = [" ".join(line.split()) for line in body.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    flat = " ".join(lines)
    blocks = []
    if title and not flat.startswith(title):
        blocks.append(title)
    if description and description not in flat and description != title:
        blocks.append(description)
    return "\n\n".join(blocks + lines)


def _clean(value) -> str:
    return " ".join(str(value).split()) if value else ""


def _page_date(value) -> str:
    """htmldate gives YYYY-MM-DD already; anything else it found is normalised or left out."""
    if not value:
        return ""
    try:
        return normalise_date(value)
    except DateProblem:
        return ""
