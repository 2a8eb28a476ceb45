"""The speaker gold of the real news pages: `benchmarks/gold/news-html-speakers.jsonl`.

Each line names a page of ../shared/data/news-html/pages, a locator (a few words that occur in
one sentence of the page) and the speaker of the quote or reported statement in that sentence,
as written there (`pronoun` true for he/she/they/it/we). Written by hand for issue 13 by reading
the pages; no page text is stored beyond the locator and the name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from news_pages import page_sentences

GOLD = Path(__file__).resolve().parent / "gold/news-html-speakers.jsonl"


@dataclass(frozen=True)
class Speaker:
    page: str
    sentence: str
    start: int
    end: int
    pronoun: bool


def load_speakers(pages_dir: Path, gold: Path = GOLD) -> list[Speaker]:
    """The gold speakers with their sentence, read from the pages; a locator that no longer
    finds its sentence (or a speaker not in it) is an error, not a silent skip."""
    cache: dict[str, list[str]] = {}
    speakers = []
    for number, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), 1):
        item = json.loads(line)
        sentences = cache.setdefault(item["page"], page_sentences(pages_dir / item["page"]))
        hits = sorted({s for s in sentences if item["locator"] in s})
        if len(hits) != 1:
            raise ValueError(f"{gold}:{number}: locator {item['locator']!r} finds {len(hits)} "
                             f"sentences holding {item['speaker']!r}; expected one")
        sentence = hits[0]
        found = re.search(rf"(?<!\w){re.escape(item['speaker'])}(?!\w)", sentence)
        if found is None:
            raise ValueError(f"{gold}:{number}: speaker {item['speaker']!r} is not a whole "
                             f"word of the sentence found by {item['locator']!r}")
        speakers.append(Speaker(item["page"], sentence, found.start(), found.end(),
                                bool(item["pronoun"])))
    return speakers
