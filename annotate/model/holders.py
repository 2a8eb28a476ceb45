"""Holders of positions that no word list names: roles read from sentence structure.

`annotate.model.actors` finds noun phrases built from a closed vocabulary (and codebook aliases).
News outside the codebook names its speakers in ways that vocabulary cannot list, so these
patterns find a holder by its role alone, with TextBlob's shipped lexicon (`annotate.model.lexicon`)
telling nouns and finite verbs from other words:

- after a quote: '"...," said one person', '..., said a dispatcher on the scanner';
- a name and an appositive before the verb: "David Chang, CEO of Gradifi — which ... — said";
  "VFI Chief Executive, Padraig Cribben, said"; "Amazonas (the largest state) declared";
- any noun after an article before a reporting verb: "The hospital did say", "the Albert Quay
  spot said" (documents such as "the report said" are not holders);
- a bare plural noun opening a clause: "Technocrats like to say", "Where proponents claimed";
- a quantified pronoun: "One of them called ...", "Some of its members ...", "Others ...";
- a capitalised name as the subject of any finite verb: "Kimani also hammered the plan",
  "Jane Doe on Sunday tried to ...", "Gov. Jane Doe of Ohio is ..." (not a known place, not a
  common word written with a capital at the start of a sentence).

Each pattern is compiled once, in `HolderPatterns.__init__`; `spans` returns (start, end) pairs.
"""

from __future__ import annotations

import re

from annotate.model.actor_words import (
    AUXILIARIES, CAPITALISED_STOPWORDS, HOLDER_VERBS, HOLDER_VERBS_FLAT, INVERTED_SOURCE,
    TARGET_HEADS, UPPER, VENUE_WORDS)
from annotate.model.lexicon import is_common_word, is_finite_verb, is_noun, word_tags

# Things that say something without holding a position: "the report said", "a study warned".
DOCUMENT_NOUNS = frozenset(
    "report reports letter study studies analysis survey statement affidavit paper document "
    "documents data figures poll polls review article memo complaint filing estimates findings "
    "research records record note post tweet video footage release plan proposal bill law "
    "resolution mandate budget deal agreement idea move decision sentence headline story book "
    "website page message email e-mail text assessment forecast model index chart map list "
    "investigation inquiry audit evaluation briefing transcript order ruling verdict indictment "
    "lawsuit complaint petition motion schedule timeline account version photo picture image "
    "sign signs banner slogan cable dispatch bulletin newsletter blog column editorial "
    "project programme program initiative system mission force deployment operation "
    # states of affairs that "remain critical" or "are worried" only as a figure of speech
    "situation crisis violence security economy city capital region area road mood atmosphere "
    "future outlook process vote election elections problem question issue cost price prices "
    "time year week day market markets border streets street".split())

# Words that end the noun phrase of an inverted subject ('said a teacher in Cité Soleil').
_PHRASE_STOPS = frozenset(
    "of at in on during who which that from with for to after before when as told and or but "
    "while about into over under since than because via by near outside inside across "
    "he she they we it i you this these those there here then".split())

QUANTIFIED_PRONOUN = (
    r"(?:(?:One|one|Some|some|Many|many|Most|most|Several|several|Two|two|Three|three|Few|few|"
    r"None|none|Each|each|All|all|Both|both|Half|half|Neither|neither|Either|either)\s+of\s+"
    r"(?:them|those|these|us|(?:its|their|his|her|our)\s+[a-z]+)"
    r"|Others|others)")

_CLAUSE_OPENERS = tuple(
    w for word in "where when while as because although though if but and that".split()
    for w in (word, word.capitalize()))
_TITLE = r"(?:(?:Gov|Sen|Rep|Dr|Mr|Mrs|Ms|Gen|Prof|Lt|Col|Capt|Sgt|Rev|Amb)\.?\s+)"
_CAP_WORD = rf"(?:[{UPPER}][\w’'\-]*[\w])"


class HolderPatterns:
    """Role patterns for holders outside the closed vocabulary. `places` are names that are
    never holders by these rules (the codebook's places and place aliases)."""

    def __init__(self, places: frozenset[str] = frozenset()):
        self.places = places
        aux = rf"(?:\s+(?:{AUXILIARIES}))*"
        verb = rf"(?P<aux>{aux})\s+(?:not\s+)?(?P<verb>{HOLDER_VERBS})\b"
        self._inverted_re = re.compile(
            rf"(?:[,\"”’'!?]|\]|\))\s*(?:{INVERTED_SOURCE}|reported|reports)\s+")
        self._word_re = re.compile(r"[\w’'\-\.]+")
        name = rf"{_TITLE}?{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,3}}"
        self._appositive_re = re.compile(
            rf"(?:^|(?<=[“\"]))\s*(?P<span>{name})\s*(?:,|—|–|\()[^\"“”]{{1,160}}?"
            rf"(?:,|—|–|\)){verb}")
        self._between_commas_re = re.compile(
            rf",\s*(?P<span>{name})\s*,{verb}")
        self._determiner_re = re.compile(
            rf"(?<![\w’'])(?P<det>the|The|a|A|an|An|this|This|its|Its|their|Their|his|His|her|Her)"
            rf"\s+(?P<span>(?:[\w’'\-]+\s+){{0,3}}?"
            rf"(?P<noun>[a-z][a-z\-]+)){verb}")
        # a clause opens: the sentence start, punctuation, a conjunction; checked in code on
        # each candidate (a look-behind per word at every position made these patterns slow)
        opener = r"(?<![\w’'\-])"
        self._opener_re = re.compile(
            r"(?:^|[,;:—]|(?<![\w\-])(?:" + "|".join(_CLAUSE_OPENERS) + r"))\s*$")
        self._plural_re = re.compile(
            rf"{opener}(?P<span>(?:[A-Za-z][a-z\-]+\s+){{0,2}}(?P<noun>[A-Za-z][a-z\-]+s))"
            rf"{verb}")
        self._quantified_re = re.compile(
            rf"(?<![\w’'])(?P<span>{QUANTIFIED_PRONOUN}){aux}\s+(?:not\s+)?[a-z]+")
        self._name_subject_re = re.compile(
            rf"{opener}(?P<span>(?P<title>{_TITLE})?(?P<first>{_CAP_WORD})(?:\s+{_CAP_WORD}){{0,3}})"
            rf"(?:\s+of\s+{_CAP_WORD}(?:\s+{_CAP_WORD})?)?(?:\s+(?:on|last|this)\s+\w+)?"
            rf"{aux}\s+(?P<verb>[a-z]+)(?:\s+(?P<next>\w+))?")
        self._any_verb_re = re.compile(rf"(?<![\w\-])(?:{HOLDER_VERBS})\b")
        self._finite_after_re = re.compile(rf"{aux}\s+(?P<verb>[a-z]+)")
        self._located_re = re.compile(
            r"(?<![\w\-])(?i:in|at|outside|inside|near|into|across|throughout|from|to)\s+$")
        self._clause_end_re = re.compile(r"[,.;:!?\"“”]|\b(?:who|which|that|whose)\b")
        self._stopword_re = re.compile(rf"(?:{CAPITALISED_STOPWORDS})$")

    def spans(self, text: str) -> list[tuple[int, int]]:
        found = []
        found.extend(self._inverted_subjects(text))
        has_verb = self._any_verb_re.search(text) is not None
        found.extend(self._name_subjects(text))
        found.extend(m.span("span") for m in self._quantified_re.finditer(text)
                     if is_finite_verb(text[m.end() - len(m.group().split()[-1]):m.end()])
                     or m.group().split()[-1] in _REPORTING_SET)
        if not has_verb:
            return found  # the patterns below all end in a reporting verb
        for pattern in (self._appositive_re, self._between_commas_re):
            found.extend(m.span("span") for m in pattern.finditer(text)
                         if m.group("span") not in self.places)
        for match in self._determiner_re.finditer(text):
            noun = match.group("noun")
            if self._located_re.search(text, max(0, match.start() - 12), match.start()):
                continue  # "women in the camp described": the camp is where, not who
            if is_noun(noun) and noun not in DOCUMENT_NOUNS and noun not in TARGET_HEADS and \
                    _describes(match.group("span").split()[:-1]) and _verb_reads(match):
                # a possessive stays in the span ("its members"), an article does not
                possessive = match.group("det").lower() not in ("the", "a", "an", "this")
                found.append((match.start("det") if possessive else match.start("span"),
                              match.end("span")))
        for match in self._opened(self._plural_re, text):
            noun = match.group("noun").lower()
            if is_noun(noun) and noun not in DOCUMENT_NOUNS and noun not in TARGET_HEADS and \
                    _describes(match.group("span").split()[:-1]) and _verb_reads(match):
                found.append(match.span("span"))
        return found

    def _opened(self, pattern: re.Pattern, text: str):
        """Matches of `pattern` that start a clause, overlapping candidates included."""
        position = 0
        while (match := pattern.search(text, position)) is not None:
            if self._opener_re.search(text, max(0, match.start() - 12), match.start()):
                yield match
                position = match.end()
            else:
                position = match.start() + 1

    def _inverted_subjects(self, text: str):
        """'"...," said one person during public comment' -> "one person". The phrase must end
        where a noun phrase ends (punctuation, a preposition, a relative pronoun): in ", said
        the force had ..." a clause follows, not a speaker."""
        for match in self._inverted_re.finditer(text):
            words = []
            for word in self._word_re.finditer(text, match.end()):
                token = word.group().rstrip(".,")
                between = text[words[-1].end():word.start()] if words else ""
                if token.lower() in _PHRASE_STOPS or (words and between.strip()) or \
                        len(words) == 6 or (words and is_finite_verb(token)):
                    break
                words.append(word)
            else:
                word = None
            if not words or words[0].group().lower() in _PERSONAL_PRONOUNS:
                continue
            if word is not None and not text[words[-1].end():word.start()].strip() and \
                    word.group().rstrip(".,").lower() not in _PHRASE_STOPS:
                continue  # stopped on a verb or the length limit: a clause, not a name
            phrase = [w.group().rstrip(".,") for w in words]
            if any(is_finite_verb(w) for w in phrase) or self.clause_follows(text, words[-1].end()):
                continue
            if any(w[0].isupper() or is_noun(w.lower()) for w in phrase):
                yield words[0].start(), words[-1].start() + len(words[-1].group().rstrip(".,"))

    def verb_follows(self, text: str, end: int) -> bool:
        """A finite verb follows the name ending at `end` (after auxiliaries): "Washington
        has set aside money", "Nairobi insists"."""
        match = self._finite_after_re.match(text, end)
        return match is not None and is_finite_verb(match.group("verb"))

    def clause_follows(self, text: str, position: int) -> bool:
        """A finite verb before the next punctuation or relative pronoun: "said the focus on
        the capital had left ..." reports a clause; "said a dispatcher on the scanner" a name."""
        rest = self._clause_end_re.split(text[position:], maxsplit=1)[0]
        return any(is_finite_verb(word) for word in rest.split())

    def _name_subjects(self, text: str):
        """A capitalised name followed by a finite verb: its subject."""
        for match in self._opened(self._name_subject_re, text):
            span, first = match.group("span"), match.group("first")
            if (span in self.places or self._stopword_re.match(first)
                    or (match.group("title") is None and is_common_word(first))
                    or _MODIFIER_COMPOUND.search(span) or span.split()[-1] in VENUE_WORDS
                    or self._located_re.search(text, max(0, match.start() - 12),
                                               match.start())):
                continue
            verb, following = match.group("verb"), match.group("next") or ""
            plural_form = verb.endswith("s") and following in _OBJECT_OPENERS
            if is_finite_verb(verb) or plural_form:
                yield match.span("span")


_PERSONAL_PRONOUNS = frozenset("he she they we it i you".split())
# "UN-administered", "Kenya-led": a name turned into a modifier
_MODIFIER_COMPOUND = re.compile(r"-[a-z]+(?:ed|style)\b")


def _verb_reads(match: re.Match) -> bool:
    """The reporting verb after a generic noun is a verb there, not a noun of a compound ("the
    trust fund for ..."): an auxiliary comes first, or the word is a finite verb form that
    agrees with the noun ("the change say" is not a clause)."""
    if match.group("aux").strip():
        return True
    verb = match.group("verb").split()[0]
    if not is_finite_verb(verb):
        return False
    plural_noun = word_tags().get(match.group("noun").lower()) == "NNS"
    return plural_noun or word_tags().get(verb) != "VBP"


def _describes(words: list[str]) -> bool:
    """Words in front of a head noun that describe it (adjectives, nouns, names), not a
    preposition or a verb: "political scientists", not "with attacks"."""
    for word in words:
        if word[0].isupper():
            continue
        word = word.removesuffix("'s").removesuffix("’s").rstrip("'’")
        if word_tags().get(word) not in _DESCRIBING_TAGS:
            return False
    return True


_DESCRIBING_TAGS = frozenset({"JJ", "JJR", "JJS", "NN", "NNS", "NNP", "NNPS", "VBG", "VBN", "CD"})
_REPORTING_SET = frozenset(w for w in HOLDER_VERBS_FLAT.replace(r"\s+", " ").split("|"))
_OBJECT_OPENERS = frozenset(
    "the a an his her its their our my your this that these those".split())
