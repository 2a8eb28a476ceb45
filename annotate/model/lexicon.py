"""Word classes from the part-of-speech lexicon that ships inside TextBlob (offline).

TextBlob's wheel carries pattern's English lexicon (`textblob/en/en-lexicon.txt`, about 94,000
words with their most frequent Penn Treebank tag). The actor detector asks it two questions a
closed word list cannot answer on news it was not written for: is this lower-case word a noun
(so "the hospital did say" has a holder) and is it a finite verb (so "Kimani hammered the plan"
has a subject). A word the lexicon does not know is neither.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import MappingProxyType

NOUN_TAGS = frozenset({"NN", "NNS"})
FINITE_VERB_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


@functools.cache
def word_tags() -> MappingProxyType:
    """word -> its most frequent tag, read once per process (read-only)."""
    # find the file without importing textblob (its import takes seconds)
    package = importlib.util.find_spec("textblob").submodule_search_locations[0]
    path = Path(package) / "en" / "en-lexicon.txt"
    tags = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) == 2 and not line.startswith(";;;"):
                tags.setdefault(parts[0], parts[1])
    return MappingProxyType(tags)


def is_noun(word: str) -> bool:
    return word_tags().get(word) in NOUN_TAGS


def is_finite_verb(word: str) -> bool:
    """Past tense, present tense or a modal ("hammered", "says", "would"); a word ending in
    "-ed" is taken as a verb too when the lexicon does not know it."""
    tag = word_tags().get(word)
    if tag is None:
        return word.endswith("ed") and word.islower() and len(word) > 4
    return tag in FINITE_VERB_TAGS or (tag == "VBN" and word.endswith("ed"))


def is_common_word(word: str) -> bool:
    """A capitalised word whose lower-case form the lexicon knows as something other than a
    proper noun ("Heavy", "Fighting"): at the start of a sentence it is not a name."""
    lower = word.lower()
    if lower == word:
        return False
    tags = word_tags()
    if tags.get(lower) not in (None, "NNP", "NNPS"):
        return True
    return lower.endswith("s") and tags.get(lower[:-1]) in NOUN_TAGS  # "Peacekeepers"
