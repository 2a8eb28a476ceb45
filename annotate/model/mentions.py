"""Generic mentions: give "the council", "the government", "police", "the expert" the actor meant.

News names an actor once and then refers back with a common noun: "Haiti's transitional
presidential council ... The council said ...", "Kenya's High Court ruled that the government
...". Such a span has no codebook alias of its own. It gets the actor of a codebook name or
alias met earlier in the same sentence (the nearest), else in the previous sentence (only if one
actor there fits), whose names hold every word of the mention (plurals folded: "expert" is in
"UN human rights experts", "national police" in "Haitian National Police", "government" in
"Government of Kenya", named by "Kenya's" in "Kenya's High Court"). With no such actor in
sight, the one actor whose canonical name holds the words is taken ("police" is the Haitian
National Police in this corpus's codebook; "council" names two actors and stays open).
Otherwise the span stays unresolved (`actor` null) and reports leave it out, as they do an
unresolved pronoun.

Words for the deployed personnel ("the officers", "the troops") are never resolved: they are
usually the mission itself, the target.
"""

from __future__ import annotations

import re

from annotate.codebook import Codebook
from annotate.model.actor_words import TARGET_HEADS
from annotate.model.lexicon import is_common_word
from annotate.model.pronouns import is_pronoun_text

# A generic mention: at most three lower-case words after an optional article or possessive
# determiner ("The council", "its members", "the prime minister", "national police").
_GENERIC = re.compile(
    r"^(?:(?:the|its|their)\s+)?(?P<words>[a-z][a-z\-]*(?:\s+[a-z][a-z\-]*){0,2})$")
# Heads that name too many kinds of actor to be taken from the codebook's names alone.
_TOO_GENERIC = frozenset("group people member leader official body organisation organization "
                         "representative".split())
_WORD = re.compile(r"[^\W\d_][\w\-]*")


def generic_words(text: str, opens_sentence: bool = False) -> tuple[str, ...] | None:
    """The words of a generic mention, singular ("The councils" -> ("council",)), or None;
    `opens_sentence`: the span starts the sentence, so a capital may be the sentence's
    ("Police said ...")."""
    text = " ".join(text.split())
    first = text.split(" ", 1)[0]
    if is_pronoun_text(text):
        return None
    if first in ("The", "Its", "Their") or (opens_sentence and is_common_word(first)):
        text = first.lower() + text[len(first):]
    match = _GENERIC.match(text)
    if match is None:
        return None
    words = match.group("words").split()
    if words[-1] in TARGET_HEADS:  # "the officers": the deployed personnel, the target
        return None
    return tuple(_singular(word) for word in words)


def is_generic_mention(text: str, opens_sentence: bool = False) -> bool:
    return generic_words(text, opens_sentence) is not None


class GenericMentions:
    """Resolves the generic mentions of sentences against one codebook (built once: the words
    of every actor's names are read here, not per mention)."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self._words = {actor.name: frozenset(_singular(w.lower()) for form in actor.surface_forms
                                             for w in _WORD.findall(form))
                       for actor in codebook.actors}
        self._name_words = [(actor.name, frozenset(_singular(w.lower())
                                                   for w in _WORD.findall(actor.name)))
                            for actor in codebook.actors]
        self._affiliation = {actor.name: actor.affiliation for actor in codebook.actors
                             if actor.affiliation}

    def resolve(self, spans: list[dict], text: str, prev_text: str) -> list[dict]:
        """`spans` of the sentence `text` with their generic mentions resolved (new dicts;
        others as they are); `prev_text` is the previous sentence."""
        out = []
        for span in spans:
            words = None if span.get("actor") else generic_words(span["text"], span["start"] == 0)
            if words is None:
                out.append(span)
                continue
            referent = self._referent(set(words), words[-1],
                                      self.codebook.named_in(text, span["start"]),
                                      self.codebook.named_in(prev_text))
            out.append({**span, "actor": referent} if referent else span)
        return out

    def _referent(self, words: set[str], head: str, before: list[str],
                  previous: list[str]) -> str | None:
        def fits(actor: str) -> bool:
            return words <= self._words.get(actor, frozenset())

        nearest = next((actor for actor in reversed(self._with_affiliations(before))
                        if fits(actor)), None)
        if nearest is not None:
            return nearest
        candidates = {actor for actor in self._with_affiliations(previous) if fits(actor)}
        if len(candidates) == 1:
            return candidates.pop()
        if candidates or head in _TOO_GENERIC:
            return None  # two councils in the previous sentence, or "the groups": not clear
        # no actor in sight: the one actor whose canonical name holds the words ("police")
        named = [name for name, name_words in self._name_words if words <= name_words]
        return named[0] if len(named) == 1 else None

    def _with_affiliations(self, actors: list[str]) -> list[str]:
        """Each actor followed by the body it belongs to: "Ruto said the government ..." is
        Kenya's government (the codebook's `affiliation`)."""
        out = []
        for name in actors:
            out.append(name)
            if name in self._affiliation:
                out.append(self._affiliation[name])
        return out


def _singular(word: str) -> str:
    word = word.removesuffix("'s").removesuffix("’s")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word
