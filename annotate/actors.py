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

from .codebook import Codebook


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
    "residents|inhabitants|locals|youths|leaders")

REPORTING_VERBS = _words(
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
AGENT_OPENERS = (
    rf"(?:{_words('criticised|criticized|condemned|welcomed|praised|backed|supported|opposed|rejected|questioned|hailed|endorsed|slammed|denounced|applauded|challenged|described|dismissed|funded|financed|approved|authorised|authorized|requested|proposed|led|commanded|accused|blamed|attacked|killed|targeted|opposed|defended|doubted|disputed|contested|resisted|demanded|sought|urged|promised|pledged|announced|supported|organised|organized|staged|called|deemed|characterised|characterized|branded|labelled|labeled|seen|viewed|regarded|considered|deployed|sent|financed|rebuffed|embraced|championed|backed')})"
    r"\s+(?:\w+\s+)?by"
    rf"|(?:{_words('criticism|support|praise|condemnation|backing|opposition|concern|concerns|objections|objection|warnings|warning|calls|pressure|funding|funds|resistance|scepticism|skepticism|doubts|pushback|protests|complaints|outrage|appeals|requests|approval|commitment|commitments|pledges|statement|statements|reaction|response|welcome|endorsement|offers|offer|contributions|troops|officers')})"
    r"\s+(?:\w+\s+)?from")

PRONOUNS = r"(?:he|she|they|we|He|She|They|We|I)"


class ActorDetector:
    """Detect actor spans in sentences; `detect(text)` is safe to call from many threads."""

    def __init__(self, codebook: Codebook | None = None, *, include_pronouns: bool = False,
                 trim_article: bool = True):
        self.codebook = codebook if codebook is not None else Codebook.empty()
        self.include_pronouns = include_pronouns
        self.trim_article = trim_article
        aliases = sorted(self.codebook.aliases, key=len, reverse=True)
        self._alias_re = (re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(a) for a in aliases)})"
                                     r"(?!\w)") if aliases else None)
        cap = (rf"(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gen|Lt|Col|Gov|Rev|St|Sgt|Maj|Capt|Amb|Prof)\.(?=\s)"
               rf"|[A-Z]\.(?:[A-Z]\.)+"
               rf"|(?!(?:{CAPITALISED_STOPWORDS})\b)[{UPPER}](?:[\w\-]|['’](?=[{UPPER}]))*)")
        name = rf"{cap}(?:\s+(?:(?:of|de|du|des|la|for|al|bin)\s+(?:the\s+)?)?{cap})*"
        possessive = rf"(?:{name}['’]s\s+)"
        determiner = rf"(?:(?i:{DETERMINERS})\s+)"
        modifier = rf"(?:(?:{MODIFIERS}|{cap})\s+)"
        head = rf"(?i:{HEAD_NOUNS})\b"
        postmodifier = (r"(?:\s+(?:in|of|from|at|for|with|across|inside|outside)\s+(?:the\s+)?"
                        rf"{name})")
        noun_phrase = (
            # "Several opposition lawmakers in Nairobi", "a church leader", "opposition
            # leader Raila Odinga", "Haitian civil society groups"
            rf"{determiner}?{possessive}?{modifier}{{0,4}}{head}(?:\s+{name})?{postmodifier}?"
            # "Kenya's President William Ruto", "the United Nations", "Cité Soleil residents"
            rf"|{determiner}?{possessive}?{name}{postmodifier}?")
        self._noun_phrase_re = re.compile(rf"(?<![\w'’])(?:{noun_phrase})(?![\w'’])")
        self._pronoun_re = re.compile(rf"(?<!\w){PRONOUNS}(?!\w)")
        # after a phrase: an optional appositive or relative clause, auxiliaries, the verb
        self._verb_after_re = re.compile(
            r"(?:\s*,\s*(?:who|which|the|a|an|whose|[A-Z]|\d)[^,;:.!?\"“”]{0,100}?,)?"
            rf"(?:\s+(?:{AUXILIARIES}))*\s+(?:not\s+)?(?:{REPORTING_VERBS})\b")
        # before a phrase (matched against the text that precedes it)
        # '"...," said X' but not 'X said the mission...': the verb follows a quote or comma
        self._verb_before_re = re.compile(
            rf"(?:[,\"”’']\s*(?:{INVERTED_SOURCE})(?:\s+(?:{AUXILIARIES}))?"
            r"|(?<!\w)(?i:according\s+to)"
            rf"|(?<!\w)(?:{AGENT_OPENERS}))\s+$")
        self._article_re = re.compile(r"(?:the|The)\s+")

    # -- public API ------------------------------------------------------------------------

    def detect(self, text: str) -> list[dict]:
        """Actor spans of one sentence: sorted, non-overlapping dicts with start, end, text and
        actor (the canonical codebook name, or None)."""
        phrases = [(m.start(), m.end()) for m in self._noun_phrase_re.finditer(text)]
        starts = [start for start, _ in phrases]
        spans: list[tuple[int, int]] = []
        if self._alias_re is not None:
            for match in self._alias_re.finditer(text):
                spans.append(self._enclosing(phrases, starts, match.start(), match.end()))
        for start, end in phrases:
            if self._holds_position(text, start, end):
                spans.append((start, end))
        if self.include_pronouns:
            for match in self._pronoun_re.finditer(text):
                if self._verb_after_re.match(text, match.end()):
                    spans.append((match.start(), match.end()))
        return [self._as_record(text, start, end) for start, end in _merge(spans)]

    # -- helpers ---------------------------------------------------------------------------

    def _holds_position(self, text: str, start: int, end: int) -> bool:
        if self._verb_after_re.match(text, end):
            return True
        return bool(self._verb_before_re.search(text, max(0, start - 60), start))

    @staticmethod
    def _enclosing(phrases, starts, start: int, end: int) -> tuple[int, int]:
        """Widen an alias match to the noun phrase around it ("Kenya" → "Kenya's President
        William Ruto")."""
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and phrases[i][1] > start:
            return min(phrases[i][0], start), max(phrases[i][1], end)
        return start, end

    def _as_record(self, text: str, start: int, end: int) -> dict:
        if self.trim_article:
            article = self._article_re.match(text, start, end)
            if article and article.end() < end:
                start = article.end()
        span_text = text[start:end]
        return {"start": start, "end": end, "text": span_text,
                "actor": self.codebook.canonical(span_text)}


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and join the ones that overlap, so the result never overlaps."""
    merged: list[list[int]] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
