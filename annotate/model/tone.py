"""TextBlob's sentence tone, `TextBlob(text).sentiment`, computed faster with the same result.

TextBlob scores a string with pattern's `Sentiment.__call__`: its tokenizer, then `assessments`
over the lower-cased tokens, then the mean polarity and subjectivity of the assessed words. That
code looks every token up through a lazily loading dict subclass and rebuilds a dict per assessed
word, which made it the largest cost of pre-labelling. `TextBlobTone` runs the same algorithm,
step by step, over plain dicts taken from TextBlob's own lexicon after it has loaded, and calls
TextBlob's own tokenizer: the scores are the same floats (checked against TextBlob on the bundled
corpus and NewsMTSC in tests/test_tone.py). Only the string case of `__call__` is covered, the
only one annotate uses.

Start-up: importing `textblob` imports NLTK (about a second, the largest part of `annotate
prelabel`'s start-up) for parts annotate never uses. The tokenizer, the lexicon reader and the
emoticons live in TextBlob's `_text.py`, which needs only the standard library, so it is loaded
from TextBlob's installed files on its own, and the English lexicon is set up as `textblob.en`
sets it up (`_english_lexicon`).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType


class TextBlobTone:
    """`tone(text)` == `tuple(TextBlob(text).sentiment)`: (polarity, subjectivity)."""

    def __init__(self):
        text_module, xml = _textblob_text()
        sentiment = _english_lexicon(text_module, xml)
        EMOTICONS, PUNCTUATION = text_module.EMOTICONS, text_module.PUNCTUATION  # noqa: N806
        self._tokenize = Tokenizer(text_module)
        self.words = frozenset(dict.keys(sentiment))  # every lexicon word
        self.emoticons = EMOTICONS
        # word -> (polarity, subjectivity, intensity) of its part-of-speech-free entry (pos None,
        # the one a plain string is scored with)
        self._scores = {word: tuple(entry[None]) for word, entry in dict.items(sentiment)
                        if None in entry}
        self._modifiers = frozenset(word for word, entry in dict.items(sentiment)
                                    if any(map(entry.__contains__, sentiment.modifiers)))
        self._negations = frozenset(sentiment.negations)
        self._is_modifier = sentiment.modifier
        self._punctuation = PUNCTUATION
        emoticons: dict[str, float] = {}
        for (_, polarity), faces in EMOTICONS.items():  # the first matching mood wins
            for face in faces:
                emoticons.setdefault(face.lower(), polarity)
        self._emoticons = emoticons

    def __call__(self, text: str) -> tuple[float, float]:
        words = [w.lower() for w in " ".join(self._tokenize(text)).split()]
        assessed = self._assessments(words)
        polarity = subjectivity = 0
        for p, s in assessed:
            polarity += p
            subjectivity += s
        count = float(len(assessed) or 1)
        return polarity / count, subjectivity / count

    def _assessments(self, words: list[str]) -> list[tuple[float, float]]:
        """pattern's `Sentiment.assessments(words, negation=True)` with pos None, keeping only
        what the mean needs: [polarity, subjectivity, intensity, negated] per assessed chunk."""
        scores, modifiers, negations = self._scores, self._modifiers, self._negations
        a: list[list] = []
        m = None  # preceding modifier word ("very good")
        n = None  # preceding negation ("not good")
        for w in words:
            if w in scores:
                p, s, i = scores[w]
                if m is None:
                    a.append([p, s, i, False])
                else:
                    last = a[-1]
                    last[0] = max(-1.0, min(p * last[2], +1.0))
                    last[1] = max(-1.0, min(s * last[2], +1.0))
                    last[2] = i
                if n is not None:
                    a[-1][2] = 1.0 / a[-1][2]
                    a[-1][3] = True
                m = w if w in modifiers else None
                n = w if w in negations else None
            else:
                if w in negations:
                    n = w
                elif n and len(w.strip("'")) > 1:
                    n = None
                if n is not None and m is not None and self._is_modifier(m):
                    a[-1][3] = True
                    n = None
                elif m and len(w) > 2:
                    m = None
                if w == "!" and len(a) > 0:
                    a[-1][0] = max(-1.0, min(a[-1][0] * 1.25, +1.0))
                if w == "(!)":
                    a.append([0.0, 1.0, 1.0, False])
                if w.isalpha() is False and len(w) <= 5 and w not in self._punctuation:
                    polarity = self._emoticons.get(w)
                    if polarity is not None:
                        a.append([polarity, 1.0, 1.0, False])
        return [(p * -0.5 if negated else p, s) for p, s, _, negated in a]


class Tokenizer:
    """TextBlob's `find_tokens(text)` (pattern's tokenizer, the one `TextBlob(text).sentiment`
    scores), with the same result, faster: its seven contraction substitutions are one pattern
    run only on text with an apostrophe, its other patterns are compiled once, and a token of
    letters and digits only skips the loops that split punctuation off (it has none). The
    constants are TextBlob's own; tests/test_tone.py compares the tokens on real sentences,
    their windows and random strings of the characters the rules treat specially."""

    def __init__(self, text_module: ModuleType):
        import re

        t = text_module
        self._original = t.find_tokens
        replace = t.replacements
        # each contraction gains a space in front ("'s" -> " 's"); no two of them overlap in a
        # text (they differ after the apostrophe, and "n't" ends in "'t", which none starts),
        # so one pass over all of them is the seven passes of find_tokens. A TextBlob whose
        # contractions are not of that kind is tokenized by its own find_tokens.
        self._same_rules = set(replace) == {"'d", "'m", "'s", "'ll", "'re", "'ve", "n't"} and \
            all(b == " " + a for a, b in replace.items())
        self._contractions = re.compile("|".join(sorted(replace, key=len, reverse=True)))
        self._replace = replace
        self._linebreak = re.compile(r"\n{2,}")
        self._eos = t.EOS
        self._eos_padded = " %s " % t.EOS
        self._punctuation = tuple(t.PUNCTUATION.replace(".", ""))
        self._trailing = self._punctuation + (".",)
        self._abbreviations = t.ABBREVIATIONS
        self._abbreviation_patterns = (t.RE_ABBR1, t.RE_ABBR2, t.RE_ABBR3)
        self._sarcasm = t.RE_SARCASM
        self._emoticons = t.RE_EMOTICONS

    def __call__(self, string: str) -> list[str]:
        if not self._same_rules:
            return self._original(string)
        if "'" in string:
            string = self._contractions.sub(r" \g<0>", string)
        string = (string.replace("“", " “ ").replace("”", " ” ").replace("‘", " ‘ ")
                  .replace("’", " ’ ").replace("'", " ' ").replace('"', ' " '))
        string = string.replace("\r\n", "\n")
        if "\n\n" in string:
            string = self._linebreak.sub(self._eos_padded, string)
        punctuation, trailing, replace = self._punctuation, self._trailing, self._replace
        tokens: list[str] = []
        # what TOKEN.findall finds once whitespace is collapsed (`str.split` and the pattern's
        # \s split at the same characters)
        for t in string.split():
            if t.isalnum():  # no punctuation to split off, no period
                tokens.append(t)
                continue
            tail = []
            while t.startswith(punctuation) and t not in replace:
                tokens.append(t[0])
                t = t[1:]
            while t.endswith(trailing) and t not in replace:
                if t.endswith(punctuation):
                    tail.append(t[-1])
                    t = t[:-1]
                if t.endswith("..."):
                    tail.append("...")
                    t = t[:-3].rstrip(".")
                if t.endswith("."):
                    if t in self._abbreviations or any(
                            pattern.match(t) is not None
                            for pattern in self._abbreviation_patterns):
                        break
                    tail.append(t[-1])
                    t = t[:-1]
            if t != "":
                tokens.append(t)
            tokens.extend(reversed(tail))
        return self._sentences(tokens)

    def _sentences(self, tokens: list[str]) -> list[str]:
        """find_tokens' grouping of tokens into sentences, as it is written there."""
        eos = self._eos
        ends = ("...", ".", "!", "?", eos)
        closers = ("'", '"', "”", "’", "...", ".", "!", "?", ")", eos)
        sentences: list[list[str]] = [[]]
        i = j = 0
        while j < len(tokens):
            if tokens[j] in ends:
                while j < len(tokens) and tokens[j] in closers:
                    if tokens[j] in ("'", '"') and sentences[-1].count(tokens[j]) % 2 == 0:
                        break  # balanced quotes
                    j += 1
                sentences[-1].extend(t for t in tokens[i:j] if t != eos)
                sentences.append([])
                i = j
            j += 1
        sentences[-1].extend(tokens[i:j])
        out = []
        for words in sentences:
            if words:
                sentence = " ".join(words)
                sentence = self._sarcasm.sub("(!)", sentence)
                out.append(self._emoticons.sub(
                    lambda m: m.group(1).replace(" ", "") + m.group(2), sentence))
        return out


def _textblob_text() -> tuple[ModuleType, Path]:
    """TextBlob's `_text.py` as a module of its own (not `textblob._text`, whose package would
    import NLTK), and the path of its English sentiment lexicon."""
    spec = importlib.util.find_spec("textblob")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("TextBlob is not installed: pip install textblob")
    directory = Path(next(iter(spec.submodule_search_locations)))
    module_spec = importlib.util.spec_from_file_location("annotate_textblob_text",
                                                         directory / "_text.py")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module, directory / "en" / "en-sentiment.xml"


def _english_lexicon(text_module: ModuleType, xml: Path):
    """`textblob.en.sentiment`, built as textblob/en/__init__.py builds it (its Sentiment
    arguments, and its `load`, which adds an adverb "-ly" entry for every adjective)."""
    lexicon = text_module.Sentiment(
        path=str(xml), synset="wordnet_id", negations=("no", "not", "n't", "never"),
        modifiers=("RB",), modifier=lambda w: w.endswith("ly"),
        tokenizer=text_module.find_tokens,  # what textblob.en's parser.find_tokens calls
        language="en")
    text_module.Sentiment.load(lexicon)
    for w, pos in list(dict.items(lexicon)):
        if "JJ" in pos:
            if w.endswith("y"):
                w = w[:-1] + "i"
            if w.endswith("le"):
                w = w[:-2]
            p, s, i = pos["JJ"]
            lexicon.annotate(w + "ly", "RB", p, s, i)
    return lexicon


@functools.cache
def textblob_tone() -> TextBlobTone:
    """The one TextBlobTone of this process (building it reads TextBlob's lexicon)."""
    return TextBlobTone()
