"""Modality, negation and hedging cues of an actor's position (target-dependent dense features).

Bag-of-words features see "support" in "would not support" and "accept" in "could accept ... if";
they cannot tell a position that is refused or made conditional from one that is held. These
features read the words after the actor span (and, for a hedge, the whole sentence) for:

- the **position word**: the first stance cue after the span in the actor's own clause, skipping
  neutral reporting verbs ("said they would gladly welcome"), with its state: held, negated
  ("would not support", "refused to back", "no longer supports"), conditional (a modal before
  it, "could accept", or a condition after it, "if", "unless", "provided", "as long as") or
  intensified ("gladly welcome", "strongly back");
- **wariness adjectives** ("wary of", "cautious about", "sceptical", "uneasy", "mixed feelings");
- **acceptance verbs** that are not cues on their own ("accept", "tolerate", "live with") and
  whether a condition follows them.

Everything is a count or 0/1 per span, so the learner weighs it against the lexical features.
Plain Python over the tokens of `annotate.model.features`, no model files.
"""

from __future__ import annotations

from annotate.model.features import (
    CUE_CLASSES,
    NEGATIONS,
    NEUTRAL_REPORTING_VERBS,
    cue_class,
    name_words,
    tokens_with_offsets,
)

MODALS = frozenset({"could", "might", "may", "would", "should"})
CONDITIONS = frozenset({"if", "unless", "provided", "providing", "conditional", "conditions",
                        "condition", "once", "until"})
# "as long as", "only if", "so long as" are caught by their last word ("as", "if") next to "long".
REFUSALS = frozenset({"refuse", "refused", "refuses", "refusing", "declined", "declines",
                      "decline", "unwilling", "reluctant", "cannot", "can't", "won't", "wouldn't",
                      "couldn't", "longer", "against"})
INTENSIFIERS = frozenset({"gladly", "warmly", "eagerly", "strongly", "fully", "wholeheartedly",
                          "enthusiastically", "firmly", "readily", "happily", "heartily",
                          "unreservedly", "overwhelmingly", "solidly", "openly"})
WARINESS = ("wary", "cautious", "cautio", "sceptic", "skeptic", "uneasy", "suspicio",
            "distrust", "mistrust", "apprehens", "nervous", "ambivalen", "guarded", "hesitan",
            "reluctan", "doubtful", "divided", "mixed", "torn", "middle", "undecided", "conditional")
ACCEPTANCE = frozenset({"accept", "accepted", "accepting", "accepts", "tolerate", "tolerated",
                        "consider", "considered", "entertain", "open", "willing"})
_STATES = ("held", "negated", "conditional", "intensified")
_SKIP = NEUTRAL_REPORTING_VERBS | {"they", "it", "he", "she", "we", "that", "to", "would",
                                   "could", "might", "may", "should", "will", "be", "have",
                                   "has", "had", "also", "only", "still", "its", "their"}
_BREAKS = frozenset({";", ":", "but", "while", "whereas", "although", "though", "however", "yet"})
_LOOKAHEAD = 14  # tokens after the span searched for the position word

N_FEATURES = len(CUE_CLASSES) * len(_STATES) + 6


def _is_wary_word(token: str) -> bool:
    return token.startswith(WARINESS)


def cue_features(text: str, start: int, end: int, tokens=None) -> list[float]:
    """The dense modality/negation features of one actor span (see the module docstring);
    `tokens`: `tokens_with_offsets(text)` when the caller has it already."""
    tokens = tokens_with_offsets(text) if tokens is None else tokens
    names = name_words(text)  # a word of a name ("Security Support Mission") is no cue
    sentence = [tok for tok, tok_start, _ in tokens if tok_start not in names]
    own = []
    for tok, tok_start, _ in tokens:
        if tok_start < end:
            continue
        if tok in _BREAKS:
            break
        own.append("" if tok_start in names else tok)
    values = dict.fromkeys(((c, s) for c in CUE_CLASSES for s in _STATES), 0.0)
    position = None
    for i, tok in enumerate(own[:_LOOKAHEAD]):
        cls = cue_class(tok)
        if cls is not None and tok not in NEUTRAL_REPORTING_VERBS:
            position = (i, tok, cls)
            break
    if position is not None:
        i, tok, cls = position
        before = set(own[max(0, i - 4):i])
        after = own[i + 1:]
        if before & (NEGATIONS | REFUSALS):
            state = "negated"
        elif (before & MODALS and (set(after) & CONDITIONS or ("long" in after))) \
                or set(after[:12]) & CONDITIONS:
            state = "conditional"
        elif before & INTENSIFIERS or set(after[:2]) & INTENSIFIERS:
            state = "intensified"
        else:
            state = "held"
        values[(cls, state)] = 1.0
    wary_own = float(any(_is_wary_word(t) for t in own[:_LOOKAHEAD]))
    wary_any = float(any(_is_wary_word(t) for t in sentence))
    accept_at = next((i for i, t in enumerate(own[:_LOOKAHEAD]) if t in ACCEPTANCE), None)
    accept = float(accept_at is not None)
    accept_conditional = float(accept_at is not None and (
        bool(set(own[accept_at + 1:]) & CONDITIONS) or "long" in own[accept_at + 1:]))
    modal_negated = float(any(t in MODALS and own[k + 1:k + 2] == ["not"]
                              for k, t in enumerate(own[:_LOOKAHEAD])))
    condition_any = float(bool(set(sentence) & CONDITIONS))
    return [*values.values(), wary_own, wary_any, accept, accept_conditional, modal_negated,
            condition_any]


def cue_matrix(items) -> list[list[float]]:
    """One row of `cue_features` per `(text, start, end)` item (each sentence tokenized once)."""
    tokens: dict[str, list] = {}
    rows = []
    for text, start, end in items:
        if text not in tokens:
            tokens[text] = tokens_with_offsets(text)
        rows.append(cue_features(text, start, end, tokens[text]))
    return rows
