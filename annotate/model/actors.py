"""Find the actors of a sentence: codebook aliases first, then the holders of positions.

No parser is available offline (TextBlob's noun phrases need NLTK corpora), so noun phrases are
found with regular expressions over a small closed vocabulary: determiners and quantifiers,
modifiers ("opposition", "civil society", nationality adjectives, which are capitalised), head
nouns for groups and office holders ("lawmakers", "residents", "spokesman"), and capitalised
names. A noun phrase becomes an actor span when it holds a codebook alias, or when its role in
the sentence marks it as the holder of a position: the subject of a reporting or evaluative verb
("X said", "X has warned"), the subject after the verb ('"...," said X'), the source of a quote
("according to X"), the agent of a passive ("criticised by X") or the source of a reaction
("criticism from X"). `annotate.model.holders` adds holders found by their role alone, outside
that vocabulary ('"...," said one person', "Kimani hammered the plan", "One of them called").

Places are never actors: a name after a locative preposition ("groups in Cité Soleil said")
passes its role to the phrase it locates, and the codebook's `places` and `place_aliases` mark
names that are places unless they hold a position ("Nairobi said" vs "flew to Nairobi").
Every pattern is compiled once, in `ActorDetector.__init__`.
"""

from __future__ import annotations

import bisect
import re

from annotate.codebook import Codebook
from annotate.model.holders import HolderPatterns
from annotate.model.lexicon import word_tags
from annotate.model.mentions import GenericMentions, is_generic_mention
from annotate.model.pronouns import is_pronoun_text, resolve_pronouns
from annotate.model.actor_words import (
    AGENT_OPENERS, AUXILIARIES, AUXILIARIES_FLAT, CAPITALISED_STOPWORDS, DETERMINERS, FOLLOWERS,
    GENERIC_HEADS, HEAD_NOUNS, HEADLINE_VERBS, HOLDER_VERBS, HOLDER_VERBS_FLAT, INVERTED_SOURCE,
    MODIFIERS, PASSIVE_FOLLOWERS, PASSIVE_PRONE, PLACE_PREPOSITIONS, PRONOUNS, ROLE_ONLY_HEADS,
    TARGET_HEADS, TITLES, UPPER, VENUE_HEADS, VENUE_WORDS)

VERB_TAGS = frozenset({"VBD", "VBZ", "VBP", "VBN", "MD"})
NOUN_LIKE_TAGS = frozenset({"NN", "NNS", "JJ", "VBG", "NNP", "NNPS"})


class ActorDetector:
    """Detect actor spans in sentences. Build it once; `detect` only runs compiled patterns."""

    def __init__(self, codebook: Codebook | None = None, *, include_pronouns: bool = True,
                 trim_article: bool = True, multiword_names: bool = False):
        self.codebook = codebook if codebook is not None else Codebook.empty()
        self.include_pronouns = include_pronouns
        self.trim_article = trim_article
        self.multiword_names = multiword_names
        aliases = sorted(self.codebook.aliases, key=len, reverse=True)
        self._generic = GenericMentions(self.codebook)
        # the target's names are marked only where they hold a position (codebook `target`)
        self._target_aliases = frozenset(form for actor in self.codebook.actors if actor.target
                                         for form in actor.surface_forms)
        targets = "|".join(re.escape(a) for a in sorted(self._target_aliases, key=len,
                                                           reverse=True))
        self._target_re = (re.compile(rf"(?<![\w\-])(?:{targets})(?![\w\-])")
                           if targets else None)
        # hyphens count as word characters: "Kenya" in "Kenya-led" is not the state
        self._alias_re = (re.compile(rf"(?<![\w\-])(?:{'|'.join(re.escape(a) for a in aliases)})"
                                     r"(?![\w\-])") if aliases else None)
        self._noun_phrase_re = re.compile(_noun_phrase_pattern(headline=False))
        self._headline_phrase_re = re.compile(_noun_phrase_pattern(headline=True))
        self._headline_word_re = re.compile(r"\b[A-Za-z][a-z]{3,}\b")
        self._pronoun_re = re.compile(rf"(?<!\w){PRONOUNS}(?!\w)")
        # after a phrase: an optional appositive or relative clause, auxiliaries, the verb
        self._verb_after_re = re.compile(
            r"(?:['’]s?)?"
            r"(?:\s*,\s*(?:who|which|the|a|an|whose|[A-Z]|\d)[^,;:.!?\"“”]{0,100}?,)?"
            rf"(?:\s+(?:{AUXILIARIES}))*\s+(?:not\s+)?(?P<verb>{HOLDER_VERBS})\b"
            r"(?:\s+(?P<next>\w+))?")
        # before a phrase (searched in the text that precedes it):
        # '"...," said X' but not 'X said the mission...': the verb follows a quote or comma
        self._verb_before_re = re.compile(
            rf"(?:[,\"”’']\s*(?:{INVERTED_SOURCE})(?:\s+(?:{AUXILIARIES}))?"
            r"|(?<!\w)(?i:according\s+to)"
            rf"|(?<!\w)(?:{AGENT_OPENERS}))\s+$")
        self._coordination_re = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s+)")
        self._modifier_use_re = re.compile(
            rf"\s+(?!(?:{FOLLOWERS}|{AUXILIARIES}|{HOLDER_VERBS})\b)"
            r"[a-z][a-z\-]*(?<!ed)(?<!s)\b")
        self._article_re = re.compile(r"(?:the|The|a|A|an|An)\s+")
        self._place_re = re.compile(
            rf"(?<![\w\-])(?i:{PLACE_PREPOSITIONS})\s+(?:the\s+)?$")
        # between a phrase and the name that locates it: "groups in", "officers serving in"
        self._locating_gap_re = re.compile(
            r"\s+(?:(?:[a-z]+ing|based|stationed|deployed)\s+)?(?:in|at|from)\s+(?:the\s+)?")
        self._following_word_re = re.compile(r"\s+([a-z][a-z\-]*)")
        self._determiner_before_re = re.compile(r"(?:^|\s)(?:a|an|the|A|An|The)\s+$")
        # "X said it would ...": a pronoun in reported speech; its holder is X, marked or not
        self._reported_before_re = re.compile(
            rf"(?<!\w)(?:{INVERTED_SOURCE}|{HOLDER_VERBS})\s+(?:that\s+)?$|"
            r"(?<!\w)(?:said|says|told\s+\w+|argued|insisted|warned|added)\b")
        # a quote attributed in the same sentence: '"We are glad," said a vendor'
        self._attribution_re = re.compile(rf"[”\"]\s*,?\s*(?:{INVERTED_SOURCE})\b|[,.]?[”\"]\s+\w+")
        self._determiner_start_re = re.compile(rf"(?:{DETERMINERS})\s", re.IGNORECASE)
        self._words_before_re = re.compile(r"(?<![\w\-’'])[a-z][a-z\-]*\s+")
        self._owner_before_re = re.compile(rf"(?<![\w\-])[{UPPER}][\w\-]*['’]s\s+$")
        self._space_re = re.compile(r"(?:['’]s?)?\s*")
        self._apposition_re = re.compile(r"\w,\s+(?:(?:a|an|the)\s+(?:[\w’'\-]+\s+){0,2})?$")
        self._venue_re = re.compile(
            r"(?<![\w\-])(?i:in|at|outside|inside|near|into|across|throughout)\s+$")
        self.places = self.codebook.places | self.codebook.place_aliases
        self._extra_holders = HolderPatterns(self.places)

    # -- public API ------------------------------------------------------------------------

    def detect(self, text: str) -> list[dict]:
        """Actor spans of one sentence: sorted, non-overlapping dicts with start, end, text and
        actor (the canonical codebook name, or None)."""
        headline = self._is_headline(text)
        pattern = self._headline_phrase_re if headline else self._noun_phrase_re
        matches = list(pattern.finditer(text))
        phrases = [(m.start(), m.end()) for m in matches]
        placed = [self._is_place(text, m) for m in matches]
        holders = self._holders(text, phrases, placed, matches)
        spans: list[tuple[int, int]] = []
        for match, (start, end), holder, place in zip(matches, phrases, holders, placed):
            if not place and (holder or (not headline and self._is_mention(text, match))):
                if match.group("head") is not None and \
                        not self._determiner_start_re.match(text, start):
                    start = self._extend_left(text, start)  # "the armed groups" is whole
                if not holder and self._target_re is not None and \
                        self._target_re.search(text, start, end):
                    continue  # "Ruto met the mission commander": the target, mentioned
                spans.append((start, end))
        if self._alias_re is not None:
            starts = [start for start, _ in phrases]
            for match in self._alias_re.finditer(text):
                start, end, holder = self._enclosing(phrases, starts, holders, match)
                if not holder and match.group() in self.codebook.place_aliases:
                    holder = self._extra_holders.verb_follows(text, match.end()) and not \
                        self._place_re.search(text, max(0, start - 25), start)
                    if not holder:
                        continue  # "flew to Nairobi", "a Nairobi newspaper": a place
                if not holder and text[start:end].rsplit(None, 1)[-1] in VENUE_WORDS:
                    continue  # "outside the U.S. Embassy", "told the U.N. General Assembly"
                if not holder and match.group() in self._target_aliases:
                    continue  # "the work of the Multinational Security Support mission"
                if holder or not (self._modifies(text, match.start(), match.end()) or
                                  self._place_re.search(text, max(0, start - 25), start)):
                    spans.append((start, end))
        if not headline:
            spans.extend(self._extra_holders.spans(text))
        if self.include_pronouns:
            # quoted words may name actors before the speaker's '," he said'
            first_span = min((start for start, _ in spans if not _inside_quote(text, start)),
                             default=len(text))
            for match in self._pronoun_re.finditer(text):
                # a pronoun whose referent is already marked in the sentence is not marked
                if match.start() < first_span and self._verb_follows(text, match.end()) and \
                        not self._reported_before_re.search(text, 0, match.start()) and \
                        not (_inside_quote(text, match.start()) and
                             self._attribution_re.search(text, match.end())):
                    spans.append((match.start(), match.end()))
                    first_span = match.start()
        return [self._as_record(text, start, end) for start, end in _merge(spans)]

    def detect_in_context(self, text: str, prev_text: str = "",
                          detected: dict[str, list[dict]] | None = None) -> list[dict]:
        """`detect`, with pronoun holders resolved from this and the previous sentence
        (`annotate.model.pronouns`): "He" after a sentence about Ruto gets actor "William
        Ruto"; an unclear one stays unresolved; an unclear "it" is dropped. Generic mentions
        ("the council" after the transitional council) get their actor the same way
        (`annotate.model.mentions`).

        `detected` (text -> `detect(text)`, filled in here) saves detecting a sentence again
        as the previous one of the next; its lists must not be changed."""
        spans = self._detect_once(text, detected)
        pronouns = any(is_pronoun_text(span["text"]) for span in spans)
        generic = any(span["actor"] is None and is_generic_mention(span["text"], span["start"] == 0)
                      for span in spans)
        if generic:  # first, so that "The expert ... He said" finds the expert's actor
            spans = self._generic.resolve(spans, text, prev_text)
        if pronouns:
            previous = self._detect_once(prev_text, detected) if prev_text else []
            previous = self._generic.resolve(previous, prev_text, "")
            spans = resolve_pronouns(spans, text, previous, self.codebook, prev_text)
        return spans

    def _detect_once(self, text: str, detected: dict[str, list[dict]] | None) -> list[dict]:
        if detected is None:
            return self.detect(text)
        if text not in detected:
            detected[text] = self.detect(text)
        return detected[text]

    # -- helpers ---------------------------------------------------------------------------

    def _is_headline(self, text: str) -> bool:
        """Title Case without final punctuation ("Ruto Visits Haiti, Vows Kenya Will Stay")."""
        if text.rstrip().endswith((".", "!", "?", '"', "”")):
            return False
        words = self._headline_word_re.findall(text)
        return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)

    def _holders(self, text: str, phrases: list[tuple[int, int]], placed: list[bool],
                 matches: list[re.Match]) -> list[bool]:
        """Which phrases hold a position by their role; "X and Y said" makes both holders.
        A place holds nothing: "groups in Cité Soleil said" gives the role to "groups"."""
        after = [bool(self._verb_follows(text, end)) for _, end in phrases]
        for i in range(len(phrases) - 1, 0, -1):
            if placed[i] and after[i] and matches[i - 1].group("head") is not None and \
                    self._locating_gap_re.fullmatch(text, phrases[i - 1][1], phrases[i][0]):
                after[i - 1] = True
        after = [a and not p for a, p in zip(after, placed)]
        # '", said Levy' but not ', said the Kenyans were brave' (a clause follows)
        before = [bool(self._verb_before_re.search(text, max(0, start - 60), start)) and
                  not self._extra_holders.clause_follows(text, end)
                  for start, end in phrases]
        # ", and" before a new clause gives the deployed personnel no role: "pledged 150
        # personnel, and Guatemala and El Salvador have said ..." (they are the target there)
        linked = [self._coordination_re.fullmatch(text, phrases[i][1], phrases[i + 1][0])
                  is not None and not placed[i] and not placed[i + 1]
                  and not ("," in text[phrases[i][1]:phrases[i + 1][0]] and (
                      self._is_target_phrase(matches[i])
                      or self._is_target_phrase(matches[i + 1])))
                  for i in range(len(phrases) - 1)]
        for i in range(len(phrases) - 2, -1, -1):  # the verb follows the last conjunct
            after[i] = after[i] or (linked[i] and after[i + 1])
        for i in range(1, len(phrases)):  # "according to" precedes the first one
            before[i] = before[i] or (linked[i - 1] and before[i - 1])
        return [a or b for a, b in zip(after, before)]

    @staticmethod
    def _is_target_phrase(match: re.Match) -> bool:
        head = match.group("head")
        return head is not None and " ".join(head.lower().split()) in TARGET_HEADS

    def _extend_left(self, text: str, start: int) -> int:
        """Take in the words in front of a head noun that say who it is but are not in the
        closed vocabulary: "Belize's defence chief", not "defence" + "chief"."""
        words = self._words_before_re.findall(text, max(0, start - 60), start)
        position = start
        for word in reversed(words[-2:]):
            bare = word.strip()
            tag = word_tags().get(bare)
            unknown_noun = tag is None and len(bare) > 3 and not bare.endswith(("ed", "ly"))
            if tag not in ("NN", "JJ") and not unknown_noun:  # "defence" is not in the lexicon
                break
            position -= len(word)
        owner = self._owner_before_re.search(text, max(0, position - 40), position)
        if owner and position < start:
            return owner.start()
        return position

    def _verb_follows(self, text: str, end: int) -> bool:
        """A reporting or evaluative verb follows (after an appositive and auxiliaries), and is
        not a passive participle ("officers pledged for the mission", "accused of abuses")."""
        verb = self._verb_after_re.match(text, end)
        if verb is None or (verb.group("verb") in PASSIVE_PRONE and
                            verb.group("next") in PASSIVE_FOLLOWERS):
            return False
        word = verb.group("verb")
        if verb.start("verb") == self._space_re.match(text, end).end() and \
                word_tags().get(word) in ("NN", "VB", "VBP"):
            # a bare base form must agree: "Haitians support", not "a UN support office"
            before = text[:end].rstrip()
            return before.endswith("s") and not before.endswith("ss")
        return True

    def _is_place(self, text: str, match: re.Match) -> bool:
        """A name (no group or office noun) after a locative preposition, or a listed place."""
        if match.group("head") is not None:
            return False
        name = match.group("name")
        if name in self.codebook.places:
            return True
        return bool(self._place_re.search(text, max(0, match.start() - 25), match.start()))

    def _modifies(self, text: str, start: int, end: int) -> bool:
        """A name used as a modifier: "U.N. figures", "a U.N. support office", "UN
        interventions", "police trainers" (a noun follows); "gangs control", "the U.N. paid"
        and "the police instead" are not. The shipped lexicon tells nouns from verbs."""
        following = self._following_word_re.match(text, end)
        if following is None:
            return False
        word = following.group(1)
        tag = word_tags().get(word)
        if tag in VERB_TAGS or word in ("said", "says"):
            return False
        plural = text[start:end].endswith("s") and not text[start:end].endswith("ss")
        if tag in ("NN", "VB", "VBP") and plural and \
                not self._determiner_before_re.search(text, max(0, start - 6), start):
            return False  # "gangs control", "Haitians support"
        if tag in NOUN_LIKE_TAGS:
            return True
        if tag is not None:
            return False  # an adverb, a preposition, ...
        return bool(self._modifier_use_re.match(text, end))

    def _is_mention(self, text: str, match: re.Match) -> bool:
        """An actor mentioned without a role: a group or office noun that is not the target,
        or a multiword or titled name that is not a place."""
        if self._modifies(text, match.start(), match.end()):
            return False  # "police station", "U.N. figures" (but "gangs control" is a verb)
        closed = "," in text[match.end():match.end() + 80].split(".")[0]
        if match.group("head") is not None and closed and (
                self._apposition_re.search(text, max(0, match.start() - 40), match.start()) or
                self._apposition_re.search(text, max(0, match.start() - 3), match.start())
                and self._article_re.match(match.group())):
            # "Diana Paul, a researcher at ..., said", "the United States, a key supporter of
            # the mission, ...": the apposition describes the holder named before it
            return False
        head = match.group("head")
        if head is not None:
            head = " ".join(head.lower().split())
            if head in ROLE_ONLY_HEADS or (head in VENUE_HEADS and self._venue_re.search(
                    text, max(0, match.start() - 12), match.start())):
                return False  # "three people", "outside the U.S. Embassy", "in parliament"
            article = self._article_re.match(text, match.start(), match.end())
            start = article.end() if article else match.start()
            return head not in TARGET_HEADS and (head not in GENERIC_HEADS or
                                                 match.end("head") - start > len(head))
        if self._place_re.search(text, max(0, match.start() - 25), match.start()) or \
                match.group("name").rsplit(None, 1)[-1] in VENUE_WORDS:
            return False
        return match.group("title") is not None or (
            self.multiword_names and len(match.group("name").split()) >= 2)

    @staticmethod
    def _enclosing(phrases, starts, holders, match: re.Match) -> tuple[int, int, bool]:
        """Widen an alias match to the noun phrase around it ("Kenya" → "Kenya's President
        William Ruto"); also say whether that phrase holds a position."""
        start, end = match.start(), match.end()
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and phrases[i][1] > start:
            return min(phrases[i][0], start), max(phrases[i][1], end), holders[i]
        return start, end, False

    def _as_record(self, text: str, start: int, end: int) -> dict:
        if self.trim_article:
            article = self._article_re.match(text, start, end)
            if article and article.end() < end:
                start = article.end()
        span_text = text[start:end]
        return {"start": start, "end": end, "text": span_text,
                "actor": self.codebook.canonical(span_text)}


def _noun_phrase_pattern(headline: bool) -> str:
    """The noun-phrase regex. In headlines every word is capitalised, so capitalised verbs
    ("Vows", "Warns") must end a name there."""
    stopwords = CAPITALISED_STOPWORDS
    if headline:
        verbs = {w.capitalize() for w in (HOLDER_VERBS_FLAT + "|" + AUXILIARIES_FLAT).split("|")
                 if w.isalpha()}
        stopwords += "|" + "|".join(sorted(verbs | HEADLINE_VERBS, key=len, reverse=True))
    cap = (r"(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gen|Lt|Col|Gov|Rev|St|Sgt|Maj|Capt|Amb|Prof|Jr)\.(?=\s)"
           r"|[A-Z]\.(?:[A-Z]\.)+"
           rf"|(?!(?:{stopwords})\b)[{UPPER}](?:[\w\-]|['’](?=[{UPPER}]))*)")
    name = rf"{cap}(?:\s+(?:(?:of|de|du|des|la|for|al|bin)\s+(?:the\s+)?)?{cap})*"
    possessive = rf"(?:{name}['’]s\s+)"
    determiner = (rf"(?:(?i:{DETERMINERS})\s+(?:(?:the|a|an|its|their|his|her|these|those)\s+)?)")
    adjective = r"[a-z]+(?:al|ian|ese|ic|ist|ary|ous|ive)"
    modifier = rf"(?:(?:{MODIFIERS}|{adjective}|{cap})\s+)"
    head = rf"(?i:{HEAD_NOUNS})\b"
    # "of"/"from"/"for" tails say who the holder is ("residents of Cité Soleil", "leaders of a
    # women's network"); locative tails ("in Nairobi") do not and are left out
    tail = (r"(?:\s+(?:of|from|for)\s+(?:(?:the|a|an|its|their|his|her)\s+)?"
            rf"(?:{modifier}{{0,3}}(?i:{HEAD_NOUNS})\b|{name}))")
    titles = TITLES
    phrase = (
        # "Several opposition lawmakers", "a church leader", "opposition leader Raila Odinga"
        rf"{determiner}?{possessive}?{modifier}{{0,4}}(?P<head>{head})(?:\s+{name})?{tail}?"
        # "Kenya's President William Ruto", "U.S. Secretary of State Antony Blinken"
        rf"|{determiner}?{possessive}?(?P<name>(?P<title>(?:{titles})\s+)?{name}){tail}?")
    return rf"(?<![\w'’\-])(?:{phrase})(?![\w'’\-])"


def _inside_quote(text: str, position: int) -> bool:
    """Inside quoted words: "We" in '"We are glad," said a vendor' is not a holder of its own."""
    before = text[:position]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and join the ones that overlap, so the result never overlaps."""
    merged: list[list[int]] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
