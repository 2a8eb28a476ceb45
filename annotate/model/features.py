"""Target-dependent features for stance: the sentence seen from one actor span.

An item is `(sentence_text, actor_start, actor_end)`. The same sentence can hold two actors with
opposite stances, so every feature here is computed relative to the span: the sentence with the
span replaced by a placeholder, the words close to it (nearer words weigh more), TextBlob tone
of the words around it, and stance-cue words with their side and distance.

Clauses: a sentence such as "X welcomed the deployment, while Y condemned it" holds two positions.
It is cut into clauses at contrastive words and punctuation (`while`, `but`, `whereas`, `;`…); the actor's own clause, and the first evaluative or reporting verb after the span in it
(the verb that governs the actor), get their own features, so they can outweigh the words of the
rest of the sentence.
"""

from __future__ import annotations

import copy
import functools
import re
from collections import Counter
from collections.abc import Sequence
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp

from annotate.model.estimator import Estimator, check_fitted
from annotate.model.lexicon import is_common_word, word_tags
from annotate.model.tone import textblob_tone

# Stands in for the actor span, so "ACTORTGT welcomed" generalises across actors.
PLACEHOLDER = "actortgt"

# Stance-cue word prefixes (lowercase). Prefixes catch inflections: "condemn" -> condemned,
# condemns, condemnation. Kept deliberately to news-reporting verbs and evaluative words.
STANCE_CUES = MappingProxyType({
    "supportive": (
        "welcom", "pledg", "backed", "backing", "backs", "support", "prais", "applaud", "endors",
        "commend", "hail", "funded", "funding", "funds", "contribut", "join", "committed",
        "commitment", "commits", "thank", "champion", "defend",
        "approv", "vow", "promis", "laud", "embrac", "bolster", "reinforc", "assist", "help",
        "donat", "deploy", "partner", "success", "progress", "hope", "grateful", "encourag",
        "credit",
    ),
    "wary": (
        "concern", "caution", "safeguard", "question", "doubt", "warn", "worr", "uncertain",
        "skeptic", "sceptic", "condition", "risk", "urg", "scrutin", "careful", "reserv",
        "hesita", "fear", "unclear", "transparen", "accountab", "oversight", "monitor", "insist",
        "demand", "ask", "wonder", "unsure", "wait", "vague", "clarif", "review", "unless",
    ),
    "critical": (
        "condemn", "reject", "withdraw", "unconstitution", "oppos", "denounc", "critici", "blast",
        "slam", "attack", "protest", "illegal", "unlawful", "sue", "sued", "block", "halt",
        "against", "refus", "accus", "blam", "fail", "decried", "decry", "lambast", "boycott",
        "invasion",
        "occupation", "violat", "abus", "scrap", "denied", "deny", "denies", "outrag",
        "disaster", "betray", "mock", "illegitim", "unacceptab",
    ),
})
CUE_CLASSES = tuple(STANCE_CUES)
NEGATIONS = frozenset({"not", "no", "never", "n't", "nor", "without", "neither"})

# Words that start a new clause holding a possibly different position. A clause opened by a
# subordinator (`While X praised…, Y accused…`) also ends at its first comma.
_CLAUSE_BREAKS = frozenset({";", ":", "but", "while", "whereas", "although", "though", "however",
                            "yet", "meanwhile"})
_SUBORDINATORS = frozenset({"while", "whereas", "although", "though"})
# Verbs that introduce a holder's position without an evaluation of their own (the stance is in
# what follows them, so the clause features look past them). Not the actor detector's list of
# verbs that mark a holder (annotate.model.actors.HOLDER_VERBS), which includes evaluative ones.
NEUTRAL_REPORTING_VERBS = frozenset({
    "said", "says", "say", "told", "tell", "tells", "added", "stated", "argued", "argue", "argues",
    "wrote", "noted", "called", "calls", "believes", "believe", "thinks", "claimed", "claims",
    "insisted", "maintained", "announced", "declared", "explained", "suggested", "signalled",
    "signaled", "indicated", "described", "remain", "remains", "remained"})

_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|n't|\d+|[^\w\s]")


def tokens_with_offsets(text: str, pos: int = 0, endpos: int | None = None
                        ) -> list[tuple[str, int, int]]:
    """(lowercase token, start, end) in `text[pos:endpos]`, offsets into `text` (the pattern
    looks at nothing outside the part, so these are the tokens of the slice, shifted)."""
    found = _TOKEN.finditer(text, pos, len(text) if endpos is None else endpos)
    return [(m.group().lower(), *m.span()) for m in found]


# Lower-case words that may join the capitalised words of one name ("Bureau of Labor Statistics").
_NAME_JOINERS = frozenset({"of", "for", "and", "on", "de", "du"})
# Two capitalised tokens of `_TOKEN` with nothing but spaces and letters it skips ("é" in
# "Cité Soleil", "_") between, and at most one joiner: every name of several words has it.
_SKIPPED = r"(?:\s|[^\W\dA-Za-z])+"
_TWO_CAPITALS = re.compile(rf"(?<![A-Za-z])[A-Z][A-Za-z]*(?:'[a-z]+)?{_SKIPPED}"
                           rf"(?:(?:of|for|and|on|de|du){_SKIPPED})?[A-Z]")


@functools.lru_cache(maxsize=1 << 14)
def name_words(text: str) -> frozenset[int]:
    """Start offsets of the words inside multi-word capitalised names ("Support" in "the
    Multinational Security Support Mission", "Peace" in "Peace Corps"): a name states no
    position and no tone, so the cue and tone counts skip these words. Empty for a headline
    in title case, where capitals mark no names."""
    if not _TWO_CAPITALS.search(text):
        return frozenset()  # no two capitalised words in a row: no name of several words
    return scan_name_words(text)


def scan_name_words(text: str) -> frozenset[int]:
    """`name_words` without its quick test (which a test holds to the same answers)."""
    words = [(m.group(), m.start()) for m in _TOKEN.finditer(text)]
    alphabetic = [word for word, _ in words if word[0].isalpha()]
    # a title-case headline lower-cases only its short words ("Kenya Backs Mission as Gangs Go")
    if len(alphabetic) >= 4 and not any(word.islower() and len(word) >= 4 for word in alphabetic):
        return frozenset()
    found: set[int] = set()
    run: list[int] = []  # starts of the capitalised words of the current name
    pending: list[int] = []  # joiners seen since its last capitalised word
    for word, start in [*words, ("", len(text))]:
        if word[:1].isupper() and not (len(word) > 3 and word.isupper()) and not (
                not run and _opens(text, start) and is_common_word(word)):
            run += pending + [start] if run else [start]
            pending = []
        elif run and word in _NAME_JOINERS and not pending:
            pending = [start]
        else:
            if len(run) >= 2:
                found.update(run)
            run, pending = [], []
    return frozenset(found)


def _opens(text: str, start: int) -> bool:
    """Whether the word at `start` opens the text or a sentence or quote inside it, where a
    capital says nothing ("Asked Tuesday if ...", "“Thank God for ...")."""
    before = text[:start].rstrip(" \"'“‘(—–-")
    return not before or before[-1] in ".!?:\n"


@functools.lru_cache(maxsize=1 << 16)
def cue_class(token: str) -> str | None:
    """The stance-cue class a lowercase token belongs to, or None (cached: tokens repeat)."""
    for name in CUE_CLASSES:
        if token.startswith(STANCE_CUES[name]):
            return name
    return None


# Characters found in TextBlob's non-alphabetic emoticons; a text with one goes to TextBlob.
_EMOTICON_CHARS = re.compile(r"[()*:;=<>\[\]\\^_{}/°♥]")
_WORDS = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_WORD_PARTS = re.compile(r"['’\-]")


@functools.cache
def _tone_vocabulary() -> tuple[frozenset, tuple[str, ...]]:
    """TextBlob's lexicon words and the emoticons made only of letters, digits, '.' and '-'."""
    tone = textblob_tone()
    plain = tuple(e.lower() for faces in tone.emoticons.values() for e in faces
                  if not _EMOTICON_CHARS.search(e))
    return tone.words, plain


def may_have_tone(text: str) -> bool:
    """False only when TextBlob is certain to return (0, 0): no lexicon word and no emoticon.

    About half the short texts around actor spans have none; skipping TextBlob's tokenizer for
    them is the largest saving in pre-labelling, with exactly the same result.
    """
    words, plain_emoticons = _tone_vocabulary()
    lower = text.lower()
    if _EMOTICON_CHARS.search(lower) or any(face in lower for face in plain_emoticons):
        return True
    for token in _WORDS.findall(lower):
        if token in words or (len(token) > 1 and _WORD_PARTS.search(token) and any(
                part in words for part in _WORD_PARTS.split(token))):
            return True
    return False


def polarity_subjectivity(texts: Sequence[str], memo: dict | None = None) -> np.ndarray:
    """TextBlob (polarity, subjectivity) per text as an (n, 2) array; each distinct text once
    (with `annotate.model.tone`, TextBlob's own algorithm without its lookup overhead).

    Pass the same `memo` dict to several calls (one batch's stance features and sentiment)
    to share the TextBlob work between them.
    """
    seen: dict[str, tuple[float, float]] = {} if memo is None else memo
    tone = textblob_tone()
    out = np.zeros((len(texts), 2))
    for i, text in enumerate(texts):
        if text not in seen:
            seen[text] = tone(text) if may_have_tone(text) else (0.0, 0.0)
        out[i] = seen[text]
    return out


def check_items(items) -> list[tuple[str, int, int]]:
    """Validate `(text, start, end)` items; raise ValueError naming the first bad one."""
    checked = []
    for i, item in enumerate(items):
        try:
            text, start, end = item
        except (TypeError, ValueError):
            raise ValueError(f"item {i}: expected (sentence_text, actor_start, actor_end)") \
                from None
        if not isinstance(text, str) or not isinstance(start, (int, np.integer)) \
                or not isinstance(end, (int, np.integer)) or not 0 <= start < end <= len(text):
            raise ValueError(f"item {i}: span {start!r}-{end!r} does not fit the text")
        checked.append((text, int(start), int(end)))
    return checked


class SpanView:
    """One item broken into the parts the features read. Built once per item per transform."""

    __slots__ = ("marked", "context", "left_text", "right_text", "dense_cues", "clause",
                 "clause_text", "clause_dense")

    def __init__(self, text: str, start: int, end: int, window: int, clauses: bool = False,
                 object_cues: bool = False):
        left = tokens_with_offsets(text, 0, start)
        right = tokens_with_offsets(text, end)
        if clauses:
            self.clause, self.clause_text, self.clause_dense = _clause_parts(
                text, left, right, start, end, object_cues)
        self.marked = f"{text[:start]} {PLACEHOLDER} {text[end:]}".lower()
        near_left, near_right = left[-window:], right[:window]
        self.left_text = text[near_left[0][1]:start] if near_left else ""
        self.right_text = text[end:near_right[-1][2]] if near_right else ""
        self.context = " ".join(_context_words(near_left, near_right))
        self.dense_cues = _cue_counts(left, right, window, len(text), start, end,
                                      name_words(text))


def _context_words(near_left, near_right) -> list[str]:
    # Distance buckets (adjacent, 2-3 words, further) so nearer words get their own, more
    # specific features; the bucketed words also form side-aware bigrams via the vectorizer.
    words = []
    for distance, (tok, _, _) in enumerate(reversed(near_left), start=1):
        words.append(f"l{_bucket(distance)}_{tok}")
    for distance, (tok, _, _) in enumerate(near_right, start=1):
        words.append(f"r{_bucket(distance)}_{tok}")
    return words


def _clause_bounds(left, right) -> tuple[int, int]:
    """Token counts (k_left, k_right): the actor's clause is left[-k_left:] + span + right[:k_right]."""
    k_left = 0
    for tok, _, _ in reversed(left):
        if tok in _CLAUSE_BREAKS:
            break
        k_left += 1
    opened_by = left[-k_left - 1][0] if k_left < len(left) else None
    k_right = 0
    for tok, _, _ in right:
        if tok in _CLAUSE_BREAKS or (tok == "," and opened_by in _SUBORDINATORS):
            break
        k_right += 1
    # "While X praised it, Y accused it": Y's clause must not reach back past that comma.
    commas = [i for i, (tok, _, _) in enumerate(left[len(left) - k_left:]) if tok == ","]
    if commas and opened_by in _SUBORDINATORS:
        k_left -= commas[-1] + 1
    return k_left, k_right


def _clause_parts(text, left, right, start, end, object_cues=False):
    """(clause words for TF-IDF, clause text for TextBlob, dense clause features);
    `object_cues`: also the words of `_object_words`."""
    k_left, k_right = _clause_bounds(left, right)
    own_left = left[len(left) - k_left:] if k_left else []
    own_right = right[:k_right]
    others = left[:len(left) - k_left] + right[k_right:]
    words = [f"cl_{tok}" for tok, _, _ in own_left] + [f"cr_{tok}" for tok, _, _ in own_right]
    names = name_words(text)
    governing = None  # first cue or reporting verb after the span, in the actor's own clause
    for position, (tok, tok_start, _) in enumerate(own_right):
        if tok_start in names:
            continue
        if cue_class(tok) is not None or tok in NEUTRAL_REPORTING_VERBS:
            governing = (position, tok)
            break
    values = []
    gov_class = cue_class(governing[1]) if governing else None
    negated = bool(governing) and bool(NEGATIONS.intersection(
        t for t, _, _ in own_right[max(0, governing[0] - 3):governing[0]]))
    counts = [Counter(cue_class(t) for t, s, _ in part if s not in names)
              for part in (own_right, own_left, others)]
    for name in CUE_CLASSES:
        in_right, in_left, elsewhere = (count[name] for count in counts)
        values += [float(in_right), float(in_left), float(elsewhere),
                   float(gov_class == name and not negated), float(gov_class == name and negated)]
    if governing:
        words += [f"gov_{governing[1]}", f"govclass_{gov_class or 'report'}"]
        if negated:
            words.append(f"govneg_{governing[1]}")
    else:
        words.append("gov_none")
    # Subject or object? An actor right after a preposition or inside a later clause is rarely
    # the holder of the position.
    previous = left[-1][0] if left else "^"
    words.append(f"prev_{previous}")
    if object_cues:
        words += _object_words(left)
    values += [float(governing is not None and governing[0] == 0), float(k_left == 0),
               float(len(others) == 0)]
    lo = own_left[0][1] if own_left else start
    hi = own_right[-1][2] if own_right else end
    clause_text = f"{text[lo:start]} {text[end:hi]}"
    return " ".join(words), clause_text, values


# Words skipped to reach the word that governs a noun phrase ("for the Haitian police").
_ARTICLES = frozenset("the a an its their his her our this that these those".split())
_PREPOSITIONS = frozenset(
    "for to with by of from against on in at into over about among between toward towards "
    "behind alongside under across".split())


def _object_words(left) -> list[str]:
    """The word before the span past its articles, and whether it is a preposition or a verb:
    the object of "pressed donors" or "training for the Haitian police" is rarely the holder
    of the sentence's position, so its stance is often `none` where the sentence's is not."""
    before = next((tok for tok, _, _ in reversed(left) if tok not in _ARTICLES), "^")
    words = [f"prevw_{before}"]
    if before in _PREPOSITIONS:
        words.append("prevkind_prep")
    elif word_tags().get(before, "").startswith("VB"):
        words.append("prevkind_verb")
    return words


def _bucket(distance: int) -> int:
    return 1 if distance == 1 else 2 if distance <= 3 else 3


def _cue_counts(left, right, window, length, start, end, names=frozenset()) -> list[float]:
    """Per cue class: distance-weighted count left, right, anywhere; negated cues; position.
    `names`: `name_words` of the text, whose words are no cues."""
    values = []
    # each cue token once, in the order the sums below have always been taken (left side
    # nearest first, then the right side), so every float is the same
    sides = (("l", left[::-1]), ("r", right))
    hits: dict[str, list] = {name: [] for name in CUE_CLASSES}
    for side, toks in sides:
        for distance, (tok, tok_start, _) in enumerate(toks, start=1):
            name = cue_class(tok) if tok_start not in names else None
            if name is not None:
                hits[name].append((side, toks, distance))
    for name in CUE_CLASSES:
        near_l = near_r = far = negated = 0.0
        for side, toks, distance in hits[name]:
            weight = 1.0 / distance ** 0.5
            if distance <= window:
                if side == "l":
                    near_l += weight
                else:
                    near_r += weight
            else:
                far += 0.5
            before = [t for t, _, _ in (toks[max(0, distance - 4):distance - 1] if side == "r"
                                        else toks[distance:distance + 3])]
            if NEGATIONS.intersection(before):
                negated += 1.0
        values += [near_l, near_r, far, negated]
    values += [start / max(length, 1), (length - end) / max(length, 1), float(start == 0)]
    return values


_VECTORIZERS = ("word_", "context_", "char_", "clause_")


class StanceFeatures(Estimator):
    """Items -> sparse features: TF-IDF of the marked sentence (words and characters), of the
    distance-bucketed context words, and scaled dense cue/tone features."""

    def __init__(self, window=6, char_ngrams=False, max_features=40000, dense_weight=0.3,
                 context_weight=1.0, clause_weight=1.0, object_cues=False):
        # clause_weight 0 leaves the clause features out (as in models saved before they existed).
        self.clause_weight = clause_weight
        # object_cues: the clause block also reads the word governing the span (_object_words)
        self.object_cues = object_cues
        self.window = window
        self.context_weight = context_weight
        self.char_ngrams = char_ngrams
        self.max_features = max_features
        self.dense_weight = dense_weight

    def _views(self, items):
        clauses, objects = self.clause_weight > 0, getattr(self, "object_cues", False)
        return [SpanView(text, start, end, self.window, clauses, objects)
                for text, start, end in items]

    def _dense(self, items, views, tone_memo=None) -> np.ndarray:
        memo = {} if tone_memo is None else tone_memo
        tone = polarity_subjectivity([text for text, _, _ in items], memo)
        left = polarity_subjectivity([v.left_text for v in views], memo)
        right = polarity_subjectivity([v.right_text for v in views], memo)
        cues = np.array([v.dense_cues for v in views], dtype=float).reshape(len(views), -1)
        if self.clause_weight <= 0:
            return np.hstack([cues, tone, left, right])
        clause = np.array([v.clause_dense for v in views], dtype=float).reshape(len(views), -1)
        clause_tone = polarity_subjectivity([v.clause_text for v in views], memo)
        return np.hstack([cues, tone, left, right, clause, clause_tone])

    def fit(self, items, y=None):
        self.fit_transform(items, y)
        return self

    def fit_transform(self, items, y=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        items = check_items(items)
        views = self._views(items)
        self.word_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                     max_features=self.max_features, token_pattern=r"(?u)\b\w+\b")
        self.context_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                        token_pattern=r"\S+", max_features=self.max_features)
        parts = [self.word_.fit_transform([v.marked for v in views]),
                 self.context_weight * self.context_.fit_transform([v.context for v in views])]
        if self.clause_weight > 0:
            self.clause_ = TfidfVectorizer(ngram_range=(1, 1), sublinear_tf=True,
                                           token_pattern=r"\S+", max_features=self.max_features)
            parts.append(self.clause_weight * self.clause_.fit_transform(
                [v.clause for v in views]))
        if self.char_ngrams:
            self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                         min_df=2, max_features=self.max_features)
            parts.append(self.char_.fit_transform([v.marked for v in views]))
        for vectorizer in (self.word_, self.context_, getattr(self, "char_", None),
                           getattr(self, "clause_", None)):
            _compact(vectorizer)
        dense = self._dense(items, views)
        self.dense_mean_ = dense.mean(axis=0)
        self.dense_scale_ = np.where(dense.std(axis=0) > 0, dense.std(axis=0), 1.0)
        parts.append(self._scaled(dense))
        return sp.hstack(parts, format="csr")

    def transform(self, items, tone_memo=None):
        """Features of `items`; `tone_memo` (a dict) shares TextBlob results across calls."""
        check_fitted(self, "dense_mean_")
        items = check_items(items)
        views = self._views(items)
        parts = [self.word_.transform([v.marked for v in views]),
                 self.context_weight * self.context_.transform([v.context for v in views])]
        if self.clause_weight > 0:
            parts.append(self.clause_weight * self.clause_.transform([v.clause for v in views]))
        if self.char_ngrams:
            parts.append(self.char_.transform([v.marked for v in views]))
        parts.append(self._scaled(self._dense(items, views, tone_memo)))
        return sp.hstack(parts, format="csr")

    # Format-2 model files (skops) hold each vocabulary as one array of terms in index order
    # (skops writes a dict entry by entry: several MB); the dicts are rebuilt on load.
    def __getstate__(self):
        state = dict(super().__getstate__())
        for name in _VECTORIZERS:
            vectorizer = state.get(name)
            if vectorizer is not None and hasattr(vectorizer, "vocabulary_"):
                vocabulary = vectorizer.vocabulary_
                vectorizer = copy.copy(vectorizer)
                del vectorizer.vocabulary_
                state[name] = vectorizer
                state[f"{name}terms"] = np.array(sorted(vocabulary, key=vocabulary.get))
        return state

    def __setstate__(self, state):
        state = dict(state)
        terms = {name: state.pop(f"{name}terms") for name in _VECTORIZERS
                 if f"{name}terms" in state}
        # Models saved before these parameters existed behave exactly as they did.
        state.setdefault("clause_weight", 0.0)
        state.setdefault("object_cues", False)
        super().__setstate__(state)
        for name, values in terms.items():
            getattr(self, name).vocabulary_ = {str(term): i for i, term in enumerate(values)}

    def _scaled(self, dense):
        return sp.csr_matrix(self.dense_weight * (dense - self.dense_mean_) / self.dense_scale_)


def _compact(vectorizer) -> None:
    """Keep a fitted vectorizer small on disk: `stop_words_` (terms cut by max_features) is only
    for introspection, and plain-int vocabulary ids serialise as JSON instead of one array each."""
    if vectorizer is None:
        return
    vectorizer.stop_words_ = None
    vectorizer.vocabulary_ = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
