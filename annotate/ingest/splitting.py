"""Sentence boundaries with exact character offsets: blingfire plus a rule layer.

Why this design (figures in BENCHMARKS.md, "Sentence splitting"): TextBlob's splitter needs NLTK
data that an offline machine cannot download. Of the packaged splitters, pysbd is accurate but
~0.2 MB/s; syntok and segtok are pure Python and still slow; blingfire is C and very fast but
splits after titles and initials ("Dr. | Smith", "J. | R. | R. Tolkien"), misses some
boundaries ("Mr. Ruto. Ms. Jones.") and its Python wrapper maps byte offsets to characters one
byte at a time (~3 MB/s). So a rule layer judges every stop (. ! ? ... followed by a space):

- not a boundary: the next word starts lower-case; the word before the stop is a title or a
  number abbreviation (Dr., Gen., No. 10, Sept. 5, e.g., i.e.) or an initial (John F. Kennedy);
- blingfire decides: abbreviations that may or may not end a sentence (U.S., etc., Inc., p.m.,
  Jr.) and ellipses -- its model gets "in the U.S. He left" vs "the U.S. Senate" right; it reads
  only a few words around each such stop;
- a boundary: an ordinary word, then . ! or ? (and closing quotes/brackets), then space and a
  word that does not start lower-case -- even where blingfire would miss it.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import re
import sys
from pathlib import Path

# A stop is a run of non-space: opening quotes/brackets, a word, terminal punctuation, closing
# quotes/brackets; then space and the next word. _STOP_END finds where such a run ends (where the
# boundary would be) and the first character of the next word (past its openers); _STOP_RUN then
# reads the run, found by looking back to the space before it. Scanning for the rare punctuation
# instead of trying a pattern at every character is most of the splitter's speed.
_OPENERS = "\"'“‘([¡¿"
_CLOSERS = "\"'”’)\\]"
# A stop before a word in ASCII lower case is never a boundary (see _judge): the negative lookahead
# leaves it out of the scan (a quarter of all stops in news text) before any Python runs for it.
_STOP_END = re.compile(rf"[.!?…][{_CLOSERS}]*(?=(?P<space>\s+)[{re.escape(_OPENERS)}]*(?P<first>\S))"
                       rf"(?!\s+[{re.escape(_OPENERS)}]*+[a-z])")
_STOP_RUN = re.compile(rf"[\"'“‘(\[]*(?P<word>\S*?)(?P<stop>\.{{3}}|…|[.!?]+)[{_CLOSERS}]*")
_RUN_REACH = 64  # how far back str.rfind looks for the space before a stop

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
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, U.N, Ph.D, a.m (dot removed)
_INITIAL = re.compile(r"[A-Z]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace trimmed; text[start:end] is the sentence.

    `text` should be one block of prose (a paragraph, a heading, a list item): line breaks inside
    it do not end sentences, so hard-wrapped paragraphs stay whole.
    """
    spans = []
    start = len(text) - len(text.lstrip())  # where the sentence being read starts
    wrapped = "\n" in text
    for candidate in _STOP_END.finditer(text):
        end = candidate.end()
        reach = end - _RUN_REACH if end > _RUN_REACH else 0
        run = text.rfind(" ", reach, end) + 1
        if wrapped:
            run = max(run, text.rfind("\n", reach, end) + 1)
        verdict = _verdict(text[run:end], candidate["first"]) if run or not reach else _OTHER_SPACE
        if verdict is _OTHER_SPACE:  # a tab, a no-break space... in the run, or a very long run
            verdict = _verdict(text[_run_start(text, candidate.start()):end], candidate["first"])
        if verdict is None:
            verdict = blingfire_breaks_at(text, end)
        if verdict:
            # the piece up to here ends in the stop; the next starts after the space that follows
            spans.append((start, end))
            start = candidate.end("space")
    last = len(text.rstrip())
    if last > start:
        spans.append((start, last))
    return spans


_OTHER_SPACE = object()  # _verdict's answer for a "run" that holds white space other than " \n"


def _run_start(text: str, position: int) -> int:
    """Where the run of non-space through `position` starts (str.isspace is the regex's \\s)."""
    while position and not text[position - 1].isspace():
        position -= 1
    return position


@functools.lru_cache(maxsize=1 << 16)
def _verdict(run: str, first: str):
    """_judge for a stop `run` (a whole run of non-space ending in punctuation and closers) before
    a word starting with `first`; _OTHER_SPACE if `run` is not one run. Cached: the same runs
    ("said.", "U.S.", "2024.") end sentences over and over, and this runs for every stop."""
    stop = _STOP_RUN.fullmatch(run)
    if stop is None:
        return _OTHER_SPACE
    return _judge(stop["word"], stop["stop"], first)


def _judge(word: str, punctuation: str, first: str) -> bool | None:
    """Is this stop (`word`, its `punctuation`, the `first` character of the next word) a sentence
    boundary? True, False, or None: let blingfire decide."""
    if first.islower():
        return False
    if punctuation in ("...", "…"):
        return None
    if punctuation != ".":
        return True  # ? or ! (or "?!") before a capital
    if word in _TITLES or _INITIAL.fullmatch(word):
        return False
    if word in _BEFORE_NUMBER and first.isdigit():
        return False
    if word in _AMBIGUOUS or _DOTTED_ACRONYM.fullmatch(word):
        return None
    return bool(word)


_BLINGFIRE_CONTEXT = 32  # characters of context either side of a stop that blingfire judges


def blingfire_breaks_at(text: str, end: int) -> bool:
    """Does blingfire end a sentence at `end` (a stop inside `text`)? Asked of a window of about
    _BLINGFIRE_CONTEXT characters either side (cut at spaces), not of the whole paragraph: its
    rules look a word or two either side, so the answer is the same (no difference on 140,000
    stops in news sentences and generated text with windows down to 12 characters; the tests in
    tests/test_split.py hold it), and blingfire's time grows with the text it reads (on the
    benchmark's 20 MB: 1.0 s of CPU for the whole paragraphs, 0.37 s for the windows)."""
    before = text.rfind(" ", 0, max(0, end - _BLINGFIRE_CONTEXT)) + 1
    after = text.find(" ", end + _BLINGFIRE_CONTEXT)
    return end - before in blingfire_ends(text[before:after if after >= 0 else len(text)])


def blingfire_ends(text: str) -> set[int]:
    """Character offsets where blingfire ends a sentence (other than the last).

    Same answer as blingfire.text_to_sentences_and_offsets, ~10x faster: that wrapper maps UTF-8
    byte offsets to characters in a Python loop over every byte; here ASCII text needs no mapping
    and other text decodes only the prefix before each boundary.
    """
    data = text.encode("utf-8")
    size = len(data) * 2
    out, starts, ends = _buffers(max(1024, 1 << (size - 1).bit_length()))
    length = _blingfire().TextToSentencesWithOffsets(
        ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(out),
        ctypes.byref(starts), ctypes.byref(ends), ctypes.c_int(size))
    if length < 0 or length > size:
        return set()
    # sentences - 1: the last end is the end of the text
    count = ctypes.string_at(out, length).split(b"\0", 1)[0].count(b"\n")
    if len(data) == len(text):
        return {end + 1 for end in ends[:count]}
    # `end` is the byte index of the last character's first or last byte: either way, decoding
    # the prefix through it (a cut character becomes one U+FFFD) counts that character once.
    return {len(data[:end + 1].decode("utf-8", "replace")) for end in ends[:count]}


_BLINGFIRE_LIBRARIES = {"win32": "blingfiretokdll.dll", "darwin": "libblingfiretokdll.dylib"}


@functools.lru_cache(maxsize=1)
def _blingfire() -> ctypes.CDLL:
    """blingfire's C library, loaded as its package loads it, without running the package's
    __init__ (which imports numpy: 0.15 s of every `annotate split`, for functions not used)."""
    spec = importlib.util.find_spec("blingfire")
    directory = Path(spec.origin).parent if spec and spec.origin else None
    if directory is None:
        raise ImportError("blingfire is not installed; pip install blingfire")
    name = _BLINGFIRE_LIBRARIES.get(sys.platform, "libblingfiretokdll.so")
    return ctypes.cdll.LoadLibrary(str(directory / name))


@functools.lru_cache(maxsize=4)
def _buffers(capacity: int):
    """Output buffers for blingfire, reused across calls (allocating them per paragraph cost more
    than blingfire's own work). Each call fills what it reads, up to the length blingfire returns."""
    return (ctypes.create_string_buffer(capacity), (ctypes.c_int32 * capacity)(),
            (ctypes.c_int32 * capacity)())
