"""Sentence boundaries with exact character offsets: blingfire plus a rule layer.

Why this design (figures in BENCHMARKS.md, "Sentence splitting"): TextBlob's splitter needs NLTK
data that an offline machine cannot download. Of the packaged splitters, pysbd is accurate but
~0.2 MB/s; syntok and segtok are pure Python and still slow; blingfire is C and very fast but
splits after titles and initials ("Dr. | Smith", "J. | R. | R. Tolkien") and misses some
boundaries ("Mr. Ruto. Ms. Jones."). So blingfire proposes boundaries and these rules decide:

- reject: the next word starts lower-case; the word before the stop is a title or a number
  abbreviation (Dr., Gen., No. 10, Sept. 5, e.g., i.e.) or an initial (John F. Kennedy);
- defer to blingfire: abbreviations that may or may not end a sentence (U.S., etc., Inc., p.m.,
  Jr.) and ellipses — its model gets "in the U.S. He left" vs "the U.S. Senate" right;
- accept: an ordinary word, then . ! or ? (and closing quotes/brackets), then space, then an
  upper-case letter, a digit or an opening quote — even where blingfire missed it.
"""

from __future__ import annotations

import re

import blingfire

# A stop: terminal punctuation, then any closing quotes or brackets; it ends right before a space.
_STOP = re.compile(r"(?:\.{3}|…|[.!?]+)[\"'”’)\]]*(?=\s)")
_CLOSERS = "\"'”’)]"
_OPENERS = "\"'“‘([¡¿"

# Abbreviations that never end a sentence (compared case-sensitively, without the final dot).
_TITLES = frozenset(
    "Mr Mrs Ms Mx Dr Prof Rev Fr Hon Gen Lt Col Maj Capt Cpt Sgt Cpl Pvt Adm Cmdr Brig "
    "Gov Sen Rep Pres Amb Insp Supt Det Const Messrs St Mt Ft Ave Blvd vs v cf viz approx "
    "e.g i.e E.g I.e ca al".split()
)
# Abbreviations that do not end a sentence when a number follows ("No. 10", "Sept. 5", "pp. 4").
_BEFORE_NUMBER = frozenset(
    "No Nos no nos Vol vol p pp Fig fig Art art Sec sec Ch ch Para para Tel tel Ref ref "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
# Abbreviations that can end a sentence or not: blingfire's model decides.
_AMBIGUOUS = frozenset("etc Inc Ltd Co Corp Jr Sr Bros Plc LLC a.m p.m A.M P.M".split())
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$")  # U.S, U.N, Ph.D, a.m (dot removed)
_INITIAL = re.compile(r"[A-Z]$")
_NEXT_WORD = re.compile(r"\s*(\S+)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace trimmed; text[start:end] is the sentence.

    `text` should be one block of prose (a paragraph, a heading, a list item): line breaks inside
    it do not end sentences, so hard-wrapped paragraphs stay whole.
    """
    if not text.strip():
        return []
    _, offsets = blingfire.text_to_sentences_and_offsets(text)
    proposed = {end for _, end in offsets[:-1]}
    boundaries = []
    for match in _STOP.finditer(text):
        end = match.end()
        verdict = _judge(text, match.start(), end)
        if verdict is True or (verdict is None and end in proposed):
            boundaries.append(end)
    return _spans(text, boundaries)


def _judge(text: str, stop_start: int, stop_end: int) -> bool | None:
    """True: a boundary; False: not one; None: let blingfire decide."""
    following = _next_word(text, stop_end)
    if not following:
        return None
    first = following.lstrip(_OPENERS)[:1] or following[:1]
    if first.islower():
        return False
    stop = text[stop_start:stop_end].rstrip(_CLOSERS)
    word = _word_before(text, stop_start)
    if stop.endswith(("...", "…")):
        return None
    if stop != ".":
        return True  # ? or ! (or "?!") before a capital: a boundary
    if word in _TITLES or _INITIAL.match(word):
        return False
    if word in _BEFORE_NUMBER and first.isdigit():
        return False
    if word in _AMBIGUOUS or _DOTTED_ACRONYM.match(word):
        return None
    return bool(word) and (first.isupper() or first.isdigit() or first in _OPENERS)


def _word_before(text: str, position: int) -> str:
    """The token that ends at `position` (the stop's start), without opening quotes/brackets."""
    start = position
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:position].lstrip(_OPENERS)


def _next_word(text: str, position: int) -> str:
    match = _NEXT_WORD.match(text, position)
    return match.group(1) if match else ""


def _spans(text: str, boundaries: list[int]) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for end in [*boundaries, len(text)]:
        span = _trim(text, start, end)
        if span:
            spans.append(span)
        start = end
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
