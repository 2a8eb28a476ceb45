"""Pronoun holders: give "He", "They", "It", "One of them" the actor they refer to.

A pronoun span ("He said ...") is resolved when the same sentence (before it) or the previous
sentence makes the referent clear: the candidates are the actor spans found there that agree with
the pronoun (he/she: one person; they, one of them, others: a group, a state or several actors;
it: an organisation or a state, never a person or a group noun in the plural; one person
speaking for a body, "Haiti's police chief", is a person whose actor is the body's). The referent is
clear when exactly one candidate agrees, or when the subject of the previous sentence (its first
actor, after at most an opening adverbial) agrees: "Ruto met Conille. He said ..." is Ruto. The span then carries
`actor` = the referent's canonical codebook name (`referent` = its text when the codebook does
not know it). Otherwise the span stays unresolved (`actor` null, no `referent`) and reports do
not count it as an actor. "It" is kept only when resolved, and never for the target itself ("the
mission ... It said" is the mission speaking of itself, which the guidelines leave unmarked).
"""

from __future__ import annotations

import re

from annotate.codebook import Codebook

PERSONAL = frozenset({"he", "she", "they", "it", "we"})
_QUANTIFIED = re.compile(
    r"^(?:(?:one|some|many|most|several|two|three|few|none|each|all|both|half|neither|either)"
    r"\s+of\s+(?:them|those|these)|others)$", re.IGNORECASE)
# What may precede the subject of a sentence: an opening adverbial and an article.
_OPENING = re.compile(r"\s*(?:[A-Z][\w’']*(?:\s+[\w’']+){0,4},\s*)?(?:(?:the|The|A|An|a|an)\s+)?")
_TARGET_WORDS = frozenset("mission force deployment operation contingent".split())
_PERSON_HEADS = frozenset(
    "president minister spokesman spokeswoman spokesperson official expert leader senator "
    "lawmaker ambassador envoy commander chief director secretary lawyer judge pastor priest "
    "bishop analyst researcher activist vendor resident teacher mother father wife husband "
    "officer chairman chairwoman governor mayor head prosecutor scientist author executive "
    "manager founder sergeant secretary-general".split())
_GROUP_CATEGORIES = frozenset({"government", "police", "armed_group", "civil_society",
                               "international", "public", "media", "other"})


def is_pronoun_text(text: str) -> bool:
    """A span that is a pronoun ("They") or a quantified pronoun ("One of them", "Others")."""
    text = " ".join(text.split()).strip(" \"'“”‘’,.")
    return text.lower() in PERSONAL or bool(_QUANTIFIED.match(text))


def resolve_pronouns(spans: list[dict], text: str, prev_spans: list[dict],
                     codebook: Codebook, prev_text: str = "") -> list[dict]:
    """`spans` of a sentence with their pronoun holders resolved (new dicts; others as they
    are). `prev_spans` are the actor spans of the previous sentence (as `detect` gives them)."""
    out = []
    for span in spans:
        if not is_pronoun_text(span["text"]):
            out.append(span)
            continue
        kind = _kind(span["text"])
        earlier = [s for s in spans if s["end"] <= span["start"] and not is_pronoun_text(s["text"])]
        referent = _clear_referent(earlier, kind, codebook) if earlier else None
        if referent is None:
            referent = _clear_referent([s for s in prev_spans if not is_pronoun_text(s["text"])],
                                       kind, codebook, subject_of=prev_text)
        if referent is not None and _is_target(referent["text"]):
            referent = None
        resolved = {k: v for k, v in span.items() if k != "referent"}
        if referent is not None:
            resolved["actor"] = _canonical_of(referent, codebook)
            if resolved["actor"] is None:
                resolved["referent"] = referent["text"]
        elif kind == "it":
            continue  # an unresolved "it" is too often the mission or a thing
        out.append(resolved)
    return out


def _canonical_of(referent: dict, codebook: Codebook) -> str | None:
    """The referent's codebook actor, unless a group only contains a person's alias ("Ruto's
    allies" are not Ruto)."""
    actor = codebook.actor(referent["actor"]) if referent.get("actor") else None
    if actor is not None and actor.category == "person" and \
            _is_plural(referent["text"].split()[-1]):
        return None
    return referent.get("actor")


def _kind(text: str) -> str:
    word = text.strip().lower()
    if word in ("he", "she"):
        return "person"
    if word == "it":
        return "it"
    if word == "we":
        return "we"
    return "group"


def _clear_referent(candidates: list[dict], kind: str, codebook: Codebook,
                    subject_of: str | None = None) -> dict | None:
    if kind == "we":
        return None  # the speakers of a quote, named (if at all) outside it
    agreeing = [c for c in candidates if _agrees(c, kind, codebook)]
    if len(agreeing) == 1:
        return agreeing[0]
    if agreeing and subject_of is not None and agreeing[0] is candidates[0] and \
            _OPENING.fullmatch(subject_of[:candidates[0]["start"]]):
        return agreeing[0]  # the subject of the previous sentence: "Ruto met Conille. He ..."
    return None


def _agrees(candidate: dict, kind: str, codebook: Codebook) -> bool:
    person = _is_person(candidate, codebook)
    if kind == "person":
        return person
    words = candidate["text"].split()
    plural = _is_plural(words[-1]) or " and " in candidate["text"]
    if kind == "it":
        return not person and not plural
    return not person or plural  # "they": a group, a state or several actors


def _is_person(candidate: dict, codebook: Codebook) -> bool:
    words = candidate["text"].split()
    last = words[-1].lower().strip("’'")
    # one person speaking for a body: "Haiti's police chief", "Russia's deputy ambassador",
    # "opposition leader Esther Wambui" (the codebook gives the body's category)
    if last in _PERSON_HEADS or (words[-1][:1].isupper() and len(words) > 1 and any(
            w.lower().strip("’'") in _PERSON_HEADS for w in words[:-1])):
        return True
    actor = codebook.actor(candidate["actor"]) if candidate.get("actor") else None
    if actor is not None:
        return actor.category == "person"
    if _is_plural(words[-1]):
        return False
    # "Jimmy Chérizier", "Dr. Etienne": capitalised words without a group word
    capitalised = [w for w in words if w[:1].isupper()]
    return len(capitalised) == len(words) and 1 <= len(words) <= 4 and \
        not any(w.lower() in _ORGANISATION_WORDS for w in words)


def _is_plural(word: str) -> bool:
    word = word.strip("’'")
    return word.endswith("s") and not word.endswith(("ss", "us", "is")) and word[:1].islower() \
        or word in ("people", "police", "personnel", "staff")


def _is_target(text: str) -> bool:
    return text.split()[-1].lower().strip("’'s") in _TARGET_WORDS


_ORGANISATION_WORDS = frozenset(
    "international association federation union council committee group network alliance "
    "coalition organisation organization institute university ministry department agency "
    "office court police party church bank commission parliament senate assembly company "
    "corporation foundation fund watch society league movement front army".split())
