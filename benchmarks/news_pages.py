"""Paragraph text of the real news pages in ../shared/data/news-html, read at benchmark time.

The pages are third-party text and are never copied into the repository: the gold of
`benchmarks/gold/news-html-speakers.jsonl` names a page, a locator (a few words of the sentence) and the
speaker, and this module rebuilds the sentences from the page itself. Paragraphs are the text
of `<p>` elements (scripts, styles and everything outside paragraphs are left out), so the
extraction is deterministic and needs nothing beyond the standard library.

Why not `annotate split` (trafilatura): this benchmark measures actor detection, not extraction.
trafilatura leaves out part of the text of some pages (14 of the 149 gold speakers' sentences, on
axios.com, wired.com and jobsnhire.com, are not in its output), which would count extraction
misses as detection misses.
"""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

from annotate.ingest.splitting import sentence_spans

_SKIP = frozenset({"script", "style", "noscript", "template"})


class _Paragraphs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._depth = 0  # inside <p>
        self._skip = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        elif tag == "p":
            self._flush()
            self._depth = 1
        elif tag == "br" and self._depth:
            self._parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "p":
            self._flush()

    def handle_data(self, data):
        if self._depth and not self._skip:
            self._parts.append(data)

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self._parts)).strip()
        if text:
            self.paragraphs.append(text)
        self._parts, self._depth = [], 0

    def close(self):
        super().close()
        self._flush()


def page_paragraphs(path: Path) -> list[str]:
    raw = Path(path).read_bytes()
    match = re.search(rb"charset=[\"']?([\w\-]+)", raw[:4000])
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        text = raw.decode(encoding, errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    parser = _Paragraphs()
    parser.feed(text)
    parser.close()
    return parser.paragraphs


def page_sentences(path: Path) -> list[str]:
    sentences = []
    for paragraph in page_paragraphs(path):
        sentences.extend(paragraph[start:end] for start, end in sentence_spans(paragraph))
    return sentences
