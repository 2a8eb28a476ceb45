"""Find the actors of a sentence: codebook aliases first, then the holders of positions.

No parser is available offline (TextBlob's noun phrases need NLTK corpora), so noun phrases are
found with regular expressions over a small closed vocabulary: determiners and quantifiers,
modifiers ("opposition", "civil society", nationality adjectives, which are capitalised), head
nouns for groups and office holders ("lawmakers", "residents", "spokesman"), and capitalised
names. A noun phrase becomes an actor span when it holds a codebook alias, or when its role in
the sentence marks it as the holder of a position: the subject of a reporting or evaluative verb
("X said", "X has warned"), the subject after the verb ('"...," said X'), the source of a quote
("according to X"), the agent of a passive ("criticised by X") or the source of a reaction
("criticism from X"). Every pattern is compiled once, in `ActorDetector.__init__`.
"""

from __future__ import annotations

import bisect
import re

from annotate.codebook import Codebook


def _words(text: str) -> str:
    """An alternation of whitespace-separated phrases, longest first (regex tries in order)."""
    phrases = sorted(set(text.split("|")), key=len, reverse=True)
    return "|".join(re.escape(p.strip()).replace(r"\ ", r"\s+") for p in phrases if p.strip())


UPPER = "A-ZÀ-ÖØ-Þ"

# Capitalised words that start sentences or clauses but never belong to a name.
CAPITALISED_STOPWORDS = _words(
    "The|A|An|But|And|Or|Nor|However|On|In|At|After|Before|While|When|Whenever|Meanwhile|Also|"
    "It|He|She|They|We|I|You|This|That|These|Those|Its|Their|His|Her|Our|My|Your|There|Here|"
    "Some|Several|Many|Most|Few|Other|Others|All|Both|Each|Every|Any|No|Not|Yes|If|As|Since|"
    "Although|Though|Despite|With|Without|For|From|By|To|Of|Under|Over|During|Amid|Among|"
    "According|Last|Next|Yesterday|Today|Tonight|Tomorrow|Earlier|Later|Now|Then|Still|Yet|So|"
    "Why|What|Who|Whom|Whose|How|Where|Which|Whether|Once|Until|Unless|Because|Instead|Even|"
    "Only|Just|Such|Asked|Speaking|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    "January|February|March|April|June|July|August|September|October|November|December")

# Words that open a noun phrase: articles, quantifiers, numbers ("dozens of", "a group of").
DETERMINERS = _words(
    "the|a|an|some|several|many|most|few|a few|other|all|both|two|three|four|five|six|seven|"
    "eight|nine|ten|dozens of|hundreds of|thousands of|scores of|a group of|a number of|"
    "a coalition of|a handful of|a delegation of|members of|some of the|many of the|most of the|"
    "a majority of|leaders of|representatives of|a spokesman for|a spokeswoman for|"
    "a spokesperson for|various|numerous|more than a dozen|at least two|at least three")

# Lowercase modifiers in front of a group or office noun ("opposition lawmakers").
MODIFIERS = _words(
    "opposition|local|international|foreign|senior|former|top|human rights|rights|civil|"
    "society|civil society|church|community|religious|political|business|gang|armed|security|"
    "police|aid|humanitarian|military|government|party|union|student|women's|youth|"
    "neighbourhood|neighborhood|grassroots|advocacy|non-governmental|ruling|federal|regional|"
    "national|state|provincial|independent|legal|health|medical|some|prominent|leading|"
    "influential|veteran|retired|outgoing|incoming|interim|transitional|acting|deputy|chief|"
    "press|media|faith|faith-based|diaspora|Catholic|Protestant|evangelical|private|public|"
    "rival|powerful|elected|unelected|western|Western|US|U.S.|UN|U.N.|EU|African|Caribbean|"
    "peace|relief|development|rural|urban|displaced|frustrated|angry|concerned|many|other")

# Head nouns naming groups, institutions and holders of positions.
HEAD_NOUNS = _words(
    "groups|group|organisations|organizations|organisation|organization|lawmakers|lawmaker|"
    "legislators|legislator|senators|senator|MPs|MP|officials|official|leaders|leader|residents|"
    "resident|activists|activist|diplomats|diplomat|analysts|analyst|critics|critic|observers|"
    "observer|experts|expert|advocates|advocate|campaigners|campaigner|protesters|protester|"
    "protestors|demonstrators|people|citizens|voters|members|member|police|officers|officer|"
    "policemen|troops|soldiers|forces|gangs|gang|gang leader|spokesman|spokeswoman|spokesperson|"
    "minister|ministers|president|prime minister|ambassador|envoy|commander|chief|director|"
    "secretary|lawyer|lawyers|judge|judges|court|parliament|senate|council|committee|commission|"
    "government|governments|administration|ministry|agency|agencies|coalition|union|unions|"
    "party|parties|opposition|church|churches|pastor|priest|bishop|bishops|clergy|journalists|"
    "journalist|reporters|students|teachers|doctors|nurses|workers|victims|families|mothers|"
    "witnesses|sources|donors|partners|allies|neighbours|neighbors|countries|nations|nation|"
    "country|community|communities|NGOs|NGO|association|associations|federation|alliance|"
    "network|movement|bloc|caucus|delegation|delegates|staff|personnel|authorities|authority|"
    "mission|force|contingent|peacekeepers|vigilantes|vigilante groups|businesses|"
    "business owners|shop owners|traders|vendors|farmers|survivors|fighters|militias|militia|"
    "spokespeople|representatives|representative|watchdog|ombudsman|researchers|researcher|"
    "scholars|professor|academics|commentators|columnist|editorial|newspaper|"
    "humanitarians|aid workers|rights defenders|defenders|human rights defenders|clerics|"
    "mayor|mayors|governor|governors|ministers|lawmakers|electorate|public|population|"
    "residents|inhabitants|locals|youths|leaders|vendor|vendors|shopkeeper|shopkeepers|host|"
    "owner|owners|teacher|mother|wife|husband|supporters|supporter|followers|politician|"
    "politicians|historian|historians|archbishop|embassy|embassies|newspapers|priests|charity|"
    "charities|consultant|drivers|importers|exporters|executive|bank|president|head|heads|"
    "spokesmen|pastors|imam|rabbi|priest|commentator|pundits|economists|economist|"
    "sergeant|widow|father|son|daughter|brother|sister|relatives|neighbors|neighbours|"
    "worker|nurse|doctor|student|farmer|trader|driver|mechanic|businessman|businesswoman|"
    "businessmen|entrepreneurs|owner|diaspora|radio host|press office|leadership|"
    "shopkeepers|congregation|parishioners|fishermen|miners|merchants")

# Verbs whose subject (or, inverted, whose object) holds a position: reporting and evaluative
# verbs alike ("said", "warned", "welcomed", "condemned").
HOLDER_VERBS = _words(
    "said|says|say|warned|warns|warn|urged|urges|urge|welcomed|welcomes|welcome|condemned|"
    "condemns|condemn|questioned|questions|question|criticised|criticized|criticises|criticizes|"
    "criticise|criticize|praised|praises|praise|pledged|pledges|pledge|demanded|demands|demand|"
    "rejected|rejects|reject|called for|calls for|call for|called on|calls on|call on|"
    "raised concerns|raised concern|raises concerns|raise concerns|voiced concern|"
    "voiced concerns|voices concern|expressed|expresses|express|cautioned|cautions|caution|"
    "insisted|insists|insist|argued|argues|argue|told|tells|added|adds|noted|notes|accused|"
    "accuses|accuse|backed|backs|back|supported|supports|support|opposed|opposes|oppose|vowed|"
    "vows|vow|hailed|hails|hail|doubted|doubts|doubt|acknowledged|acknowledges|acknowledge|"
    "emphasized|emphasised|emphasizes|emphasises|stressed|stresses|stress|announced|announces|"
    "claimed|claims|claim|denied|denies|deny|denounced|denounces|denounce|described|describes|"
    "dismissed|dismisses|dismiss|defended|defends|defend|applauded|applauds|applaud|commended|"
    "commends|endorsed|endorses|endorse|promised|promises|promise|asked|asks|ask|believe|"
    "believes|believed|fear|fears|feared|worry|worries|worried|complained|complains|complain|"
    "protested|protests|wrote|writes|stated|states|declared|declares|explained|explains|"
    "suggested|suggests|predicted|predicts|agreed|agrees|agree|disagreed|disagrees|objected|"
    "objects|lamented|laments|blamed|blames|blame|slammed|slams|blasted|blasts|decried|decries|"
    "deplored|deplores|challenged|challenges|contended|contends|maintained|maintains|"
    "reiterated|reiterates|confirmed|confirms|admitted|admits|conceded|concedes|appealed|"
    "appeals|recommended|recommends|requested|requests|sought|seeks|threatened|threatens|"
    "tweeted|posted|hoped|hopes|hope|want|wants|wanted|thanked|thanks|celebrated|celebrates|"
    "committed|commits|insisted|signalled|signaled|signals|pushed for|pushes for|lobbied|"
    "petitioned|pointed out|points out|spoke|speaks|remained skeptical|remain skeptical|"
    "remain sceptical|remained sceptical|are skeptical|is skeptical|were skeptical|"
    "was skeptical|are sceptical|is sceptical|are wary|is wary|were wary|was wary|"
    "are concerned|is concerned|were concerned|was concerned|remain concerned|remained concerned|"
    "are worried|is worried|were worried|was worried|see|sees|saw|view|views|viewed|regard|"
    "regards|regarded|consider|considers|considered|approved|approves|approve|voted|votes|"
    "vote|funded|funds|fund|contributed|contributes|contribute|offered|offers|offer|agreed to|"
    "refused|refuses|refuse|resisted|resists|resist|led|leads|lead|sent|sends|send|deployed|"
    "deploys|deploy|joined|joins|join|signed|signs|sign|filed|files|sued|sues|sue|ruled|rules|"
    "blocked|blocks|block|halted|halts|halt")

# Words that may sit between a subject and its verb ("X has also warned").
AUXILIARIES = _words(
    "has|have|had|also|later|again|previously|repeatedly|publicly|openly|"
    "strongly|sharply|quickly|recently|already|firmly|cautiously|angrily|long|would|will|did|"
    "does|do|could|may|might|then|have long|has long|initially|reportedly|privately|"
    "separately|immediately|swiftly|loudly|quietly|further|themselves|himself|herself|"
    "however|too|now|first|once|formally|officially|jointly|all|both|each|on Monday|"
    "on Tuesday|on Wednesday|on Thursday|on Friday|on Saturday|on Sunday|last week|"
    "this week|yesterday|today|on Twitter|in a statement|in an interview|in a letter")

# Verbs whose subject comes after them ('"...," said X') and other openers of a source.
INVERTED_SOURCE = _words(
    "said|says|added|adds|told|wrote|writes|noted|notes|warned|warns|asked|argued|argues|"
    "explained|stated|insisted|cautioned|says|continued|concluded|recalled|"
    "remarked|observed|replied|responded|countered|quipped|declared")

# Evaluative participles and nouns whose agent names an actor ("criticised by X",
# "support from X").
AGENT_PARTICIPLES = _words(
    "criticised|criticized|condemned|welcomed|praised|backed|supported|opposed|rejected|"
    "questioned|hailed|endorsed|slammed|denounced|applauded|challenged|described|dismissed|"
    "funded|financed|approved|authorised|authorized|requested|proposed|led|commanded|accused|"
    "blamed|attacked|targeted|defended|doubted|disputed|contested|resisted|demanded|sought|"
    "urged|promised|pledged|announced|organised|organized|staged|called|deemed|characterised|"
    "characterized|branded|labelled|labeled|seen|viewed|regarded|considered|deployed|sent|"
    "rebuffed|embraced|championed")
REACTION_NOUNS = _words(
    "criticism|support|praise|condemnation|backing|opposition|concern|concerns|objections|"
    "objection|warnings|warning|calls|pressure|funding|funds|resistance|scepticism|skepticism|"
    "doubts|pushback|protests|complaints|outrage|appeals|requests|approval|commitment|"
    "commitments|pledges|statement|statements|reaction|response|welcome|endorsement|offers|"
    "offer|contributions|troops|officers")
# Evaluative participles and nouns whose agent names an actor ("criticised by X",
# "support from X").
AGENT_OPENERS = (rf"(?:{AGENT_PARTICIPLES})\s+(?:\w+\s+)?by"
                 rf"|(?:{REACTION_NOUNS})\s+(?:\w+\s+)?from")

PRONOUNS = r"(?:he|she|they|we|He|She|They|We)"

# Heads that name the target (the mission and its officers at work), not a holder: they become
# actor spans only through a role ("the mission's commander said", "officers told reporters").
TARGET_HEADS = frozenset(
    "officers officer troops soldiers mission force forces contingent peacekeepers personnel "
    "policemen deployment staff".split())

# Heads too generic to mark without a role: "the country", "people" killed, "victims".
GENERIC_HEADS = frozenset(
    "country countries nation nations people victims families member members reporters "
    "journalists workers worker public population relatives host sister brother husband wife "
    "mother father son daughter group groups community communities court party".split())

# Lowercase words that may follow an actor's name; any other lowercase word after a name makes
# the name a modifier ("U.N. figures", "Kenya-style reforms").
FOLLOWERS = _words(
    "and|or|but|nor|has|have|had|is|are|was|were|will|would|could|should|can|may|might|must|"
    "did|does|do|to|of|in|on|at|for|with|by|from|that|which|who|whose|as|than|itself|alone|"
    "also|not|never|still|itself|themselves|first|last|too|again|said|says")

# Prepositions that make a following name a place ("flew back to Kenya", "in Nairobi").
PLACE_PREPOSITIONS = _words(
    "in|to|into|from|at|across|near|around|outside|inside|throughout|through|toward|towards|"
    "via|visited|visit|visits|visiting|left|leave|reached|entered|across|back to|arrived in")


class ActorDetector:
    """Detect actor spans in sentences. Build it once; `detect` only runs compiled patterns."""

    def __init__(self, codebook: Codebook | None = None, *, include_pronouns: bool = True,
                 trim_article: bool = True, multiword_names: bool = False):
        self.codebook = codebook if codebook is not None else Codebook.empty()
        self.include_pronouns = include_pronouns
        self.trim_article = trim_article
        self.multiword_names = multiword_names
        aliases = sorted(self.codebook.aliases, key=len, reverse=True)
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
            rf"(?:\s+(?:{AUXILIARIES}))*\s+(?:not\s+)?(?:{HOLDER_VERBS})\b")
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
        self._place_re = re.compile(rf"(?<![\w\-])(?:{PLACE_PREPOSITIONS})\s+(?:the\s+)?$")
        self._article_re = re.compile(r"(?:the|The|a|A|an|An)\s+")

    # -- public API ------------------------------------------------------------------------

    def detect(self, text: str) -> list[dict]:
        """Actor spans of one sentence: sorted, non-overlapping dicts with start, end, text and
        actor (the canonical codebook name, or None)."""
        headline = self._is_headline(text)
        pattern = self._headline_phrase_re if headline else self._noun_phrase_re
        matches = list(pattern.finditer(text))
        phrases = [(m.start(), m.end()) for m in matches]
        holders = self._holders(text, phrases)
        spans: list[tuple[int, int]] = []
        for match, (start, end), holder in zip(matches, phrases, holders):
            if holder or (not headline and self._is_mention(text, match)):
                spans.append((start, end))
        if self._alias_re is not None:
            starts = [start for start, _ in phrases]
            for match in self._alias_re.finditer(text):
                start, end, holder = self._enclosing(phrases, starts, holders, match)
                if holder or not (self._modifier_use_re.match(text, end) or
                                  self._place_re.search(text, max(0, start - 25), start)):
                    spans.append((start, end))
        if self.include_pronouns:
            first_span = min((start for start, _ in spans), default=len(text))
            for match in self._pronoun_re.finditer(text):
                # a pronoun whose referent is already marked in the sentence is not marked
                if match.start() < first_span and self._verb_after_re.match(text, match.end()):
                    spans.append((match.start(), match.end()))
        return [self._as_record(text, start, end) for start, end in _merge(spans)]

    # -- helpers ---------------------------------------------------------------------------

    def _is_headline(self, text: str) -> bool:
        """Title Case without final punctuation ("Ruto Visits Haiti, Vows Kenya Will Stay")."""
        if text.rstrip().endswith((".", "!", "?", '"', "”")):
            return False
        words = self._headline_word_re.findall(text)
        return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)

    def _holders(self, text: str, phrases: list[tuple[int, int]]) -> list[bool]:
        """Which phrases hold a position by their role; "X and Y said" makes both holders."""
        holders = [bool(self._verb_after_re.match(text, end)) for _, end in phrases]
        before = [bool(self._verb_before_re.search(text, max(0, start - 60), start))
                  for start, _ in phrases]
        linked = [self._coordination_re.fullmatch(text, phrases[i][1], phrases[i + 1][0])
                  is not None for i in range(len(phrases) - 1)]
        for i in range(len(phrases) - 2, -1, -1):  # the verb follows the last conjunct
            holders[i] = holders[i] or (linked[i] and holders[i + 1])
        for i in range(1, len(phrases)):  # "according to" precedes the first one
            before[i] = before[i] or (linked[i - 1] and before[i - 1])
        return [after or prior for after, prior in zip(holders, before)]

    def _is_mention(self, text: str, match: re.Match) -> bool:
        """An actor mentioned without a role: a group or office noun that is not the target,
        or a multiword or titled name that is not a place."""
        last = match.group().rsplit(None, 1)[-1]
        plural = last.endswith("s") and not last.endswith("ss")
        if not plural and self._modifier_use_re.match(text, match.end()):
            return False  # "police station", "U.N. figures" (but "gangs control" is a verb)
        head = match.group("head")
        if head is not None:
            head = head.lower()
            return head not in TARGET_HEADS and (head not in GENERIC_HEADS or
                                                 match.end("head") - match.start() > len(head))
        if self._place_re.search(text, max(0, match.start() - 25), match.start()):
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
        verbs = {w.capitalize() for w in (HOLDER_VERBS + "|" + AUXILIARIES).split("|")
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


TITLES = _words(
    "President|Prime Minister|Minister|Senator|Sen.|Rep.|Dr.|Mr.|Mrs.|Ms.|Gen.|General|Pastor|"
    "Father|Bishop|Archbishop|Ambassador|Commander|Chief|Secretary|Judge|Justice|Governor|Mayor|"
    "Police Chief|Secretary-General|Special Envoy|Envoy|Rev.|Colonel|Col.|Captain|Capt.|"
    "Lieutenant|Lt.|Sergeant|Sgt.|Professor|Prof.|Deputy|Lawmaker|Opposition leader")

HEADLINE_VERBS = frozenset(
    "Visits Visit Vows Vow Will Stay Pushes Push Tighten Tightens Revives Revive Keep Keeps "
    "Faces Face Grows Grow Seeks Seek Gets Get Takes Take Sets Set Wins Win Loses Lose Hits Hit "
    "Arrive Arrives Meets Meet Struggles Struggle Mounts Mount Fuels Fuel Fears Doubts Turns "
    "Return Returns Ends End Begins Begin Launches Launch Expands Expand Extends Extend Renews "
    "Renew Over Amid As After With Without Against Up Down Out Into".split())


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and join the ones that overlap, so the result never overlaps."""
    merged: list[list[int]] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
