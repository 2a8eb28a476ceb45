"""The closed vocabulary the actor detector's patterns are built from (`annotate.model.actors`).

Word lists are alternations for regular expressions, longest phrase first; sets are for lookups.
"""

from __future__ import annotations

import re

def _phrases(text: str) -> list[str]:
    """The whitespace-separated phrases of a "|"-separated list, longest first (then in
    alphabetical order, so the order is the same in every process)."""
    phrases = sorted(set(text.split("|")), key=lambda phrase: (-len(phrase), phrase))
    return [p.strip() for p in phrases if p.strip()]


def _flat_words(text: str) -> str:
    """A flat alternation of the phrases, longest first (regex tries in order); what sets of
    the words are read from."""
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _phrases(text))


def _words(text: str) -> str:
    """The alternation `_flat_words` gives, as a prefix tree: "said|says|say" becomes
    "sa(?:id|ys|y)" ... so a pattern tries each letter once instead of every phrase in turn.

    It matches what the flat alternation matches, in the same order: at one position the phrases
    that match are prefixes of one another, and both forms try the longest first (the flat one
    because phrases are sorted longest first, the tree because it tries a longer continuation
    before ending a phrase), so every pattern built from it finds the same matches, several
    times faster (tests/test_actors.py compares the two on real sentences).
    """
    root: dict = {}
    for phrase in _phrases(text):
        node = root
        for i, word in enumerate(phrase.split()):
            for token in ([r"\s+"] if i else []) + [re.escape(ch) for ch in word]:
                node = node.setdefault(token, {})
        node[None] = {}  # a phrase ends here
    return _tree_pattern(root)


def _tree_pattern(node: dict) -> str:
    branches = [token + _tree_pattern(child) for token, child in node.items() if token is not None]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if None in node else body


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
    "protestors|demonstrators|people|citizens|voters|member states|member countries|members|"
    "member|police|officers|officer|"
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
    "shopkeepers|congregation|parishioners|fishermen|miners|merchants|scientist|scientists|"
    "author|authors|investigator|investigators|dispatcher|person|persons|someone|proponents|"
    "opponents|institute|university|company|companies|firm|firms|"
    "detective|spokeswoman|astronomer|astronomers|coordinator|chairwoman|chairman|chair|"
    "CEO|founder|co-founder|manager|engineer|engineers|physician|physicians|officials|women|"
    "men")


def _holder_verbs(words) -> str:
    """HOLDER_VERBS, its alternations made by `words`."""
    return words(
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
    "blocked|blocks|block|halted|halts|halt|called|calls|recognized|recognised|went further|"
    "go further|goes further|reported|reports|explained|announced|replied|responded|"
    "countered|testified|told reporters|concede|proposed|proposes|propose") + "|" + (
        # a stance as a predicate ("remain wary", "are deeply sceptical"), one compact group
        # (a flat alternation of every combination makes every pattern using it ten times slower)
        r"(?:" + words("remain|remains|remained|are|is|were|was|grew|grow|seem|seemed|seems|"
                        "became|become|appear|appeared|stay|stayed|feel|felt") + r")\s+"
        r"(?:(?:" + words("deeply|very|increasingly|still|highly|openly|broadly|largely|"
                           "firmly") + r")\s+)?"
        r"(?:" + words("wary|sceptical|skeptical|concerned|worried|cautious|doubtful|hopeful|"
                        "optimistic|pessimistic|opposed|supportive|critical|divided|unconvinced|"
                        "angry|frustrated|reluctant|hesitant|uneasy|suspicious|distrustful|"
                        "enthusiastic|grateful|glad|relieved|confident|determined|unhappy|eager|"
                        "willing|against|in favour|in favor") + r")(?!\w)")


# Verbs whose subject (or, inverted, whose object) holds a position: reporting and evaluative
# verbs alike ("said", "warned", "welcomed", "condemned").
HOLDER_VERBS = _holder_verbs(_words)
# the same as one flat alternation, as sets of the words were read from it
HOLDER_VERBS_FLAT = _holder_verbs(_flat_words)

# Words that may sit between a subject and its verb ("X has also warned").
_AUXILIARIES = (
    "has|have|had|also|later|again|previously|repeatedly|publicly|openly|"
    "strongly|sharply|quickly|recently|already|firmly|cautiously|angrily|long|would|will|did|"
    "does|do|could|may|might|then|have long|has long|initially|reportedly|privately|"
    "separately|immediately|swiftly|loudly|quietly|further|themselves|himself|herself|"
    "however|too|now|first|once|formally|officially|jointly|all|both|each|on Monday|"
    "on Tuesday|on Wednesday|on Thursday|on Friday|on Saturday|on Sunday|last week|"
    "this week|yesterday|today|on Twitter|in a statement|in an interview|in a letter|itself|"
    "like to|likes to|want to|wants to|tend to|tends to|continue to|continues to|"
    "continued to|went on to|have also|has also|had also|did not|does not|do not|again|"
    "instead")
AUXILIARIES = _words(_AUXILIARIES)
AUXILIARIES_FLAT = _flat_words(_AUXILIARIES)

# Verbs whose subject comes after them ('"...," said X') and other openers of a source.
INVERTED_SOURCE = _words(
    "said|says|added|adds|told|wrote|writes|noted|notes|warned|warns|asked|argued|argues|"
    "explained|stated|insisted|cautioned|says|continued|concluded|recalled|"
    "remarked|observed|replied|responded|countered|quipped|declared|reported|reports|"
    "explains|recalls|told reporters")

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

PRONOUNS = r"(?:he|she|they|we|it|He|She|They|We|It)"

# Heads that name the target (the mission and its officers at work), not a holder: they become
# actor spans only through a role ("the mission's commander said", "officers told reporters").
TARGET_HEADS = frozenset(
    "officers officer troops soldiers mission force forces contingent peacekeepers personnel "
    "policemen deployment staff".split())

# Heads too generic to mark without a role: "the country", "people" killed, "victims".
GENERIC_HEADS = frozenset(
    "country countries nation nations people victims families member members reporters "
    "journalists workers worker public population relatives host sister brother husband wife "
    "mother father son daughter group groups community communities court party personnel "
    "partners newspapers protesters inhabitants".split()) | {"member states", "member countries"}

# Generic heads that need a role whatever modifies them: "three people were killed", "several
# families fled", "the Haitian people", "told local newspapers", "foreign partners".
ROLE_ONLY_HEADS = frozenset(
    "people families victims reporters personnel partners newspapers protesters population "
    "inhabitants country countries".split()) | {"member states", "member countries"}

# Last words of names of buildings, venues and events: "outside the U.S. Embassy", "told the
# U.N. General Assembly" name a place, not a holder.
VENUE_WORDS = frozenset(
    "Embassy Embassies Consulate Assembly Headquarters Building Hall Palace Airport Hotel "
    "Hospital Street Square Avenue Road Boulevard Port Base Camp Compound Stadium Summit "
    "Conference Forum Airport Station Prison Market Bridge Plaza Park Centre Center".split())

# Heads of institutions that are places after "in", "at", "outside": "a protest outside the U.S.
# Embassy", "a debate in parliament", "a school near the church".
VENUE_HEADS = frozenset(
    "embassy embassies church churches court parliament senate hospital university camp school "
    "schools headquarters ministry council chamber".split())

# Participles that, followed by these words, are passive ("officers pledged for the mission",
# "officers accused of abuses"), not the verb of a holder.
PASSIVE_PRONE = frozenset(
    "pledged accused deployed sent funded backed supported led committed blamed criticised "
    "criticized praised condemned rejected approved requested offered trained paid "
    "contributed".split())
PASSIVE_FOLLOWERS = frozenset("for of by from".split())

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
