"""Page furniture: whole lines that web pages and news exports add around an article.

Two kinds, both matched against a whole (trimmed, case-insensitive) line, so a real sentence that
merely starts like one ("Share prices rose.") is never dropped:
- short interface lines: share buttons, menus, cookie banners, "Read more", "Related posts"...;
- the sentences news sites wrap around every article: newsletter and subscription calls, "download
  our app", photo credits, copyright and reprint notices, affiliate-link disclosures, "submit a letter";
- teasers of other posts (a paragraph cut off with "[…]", WordPress's excerpt mark), footnote
  disclaimers glued to an asterisk ("*Bonus value is an estimate..."), and the lead-in of a list of
  related links ("See also:", "Look at other dictionaries:"; the list under it is dropped too, by
  `annotate.ingest.documents.prose_blocks`);
- advertising disguised from filters by look-alike letters: words that mix Latin and Cyrillic
  letters ("Аdvеrtіѕе" with a Cyrillic А, е, і, ѕ), which no article in either script has.
"""

from __future__ import annotations

import re

_SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|tumblr|e-?mail|print|copy link|share)"
_INTERFACE = re.compile(
    r"(?:"
    r"share(?: (?:this|the) (?:article|story|post|page))?(?: on \w+)?"
    rf"|{_SOCIAL}(?:[\s|,·•/]+{_SOCIAL})*"
    r"|leave a (?:reply|comment)|post a comment|cancel reply|\d+ comments?|no comments(?: yet)?"
    r"|exit mobile version|skip to (?:main )?content|toggle navigation|main menu|menu|search"
    r"|back to top|scroll to top|previous (?:article|post)|next (?:article|post)"
    r"|subscribe(?: now| today| to (?:our|the) newsletter)?|sign up for (?:our|the) newsletter"
    r"|follow us(?: on \w+(?: and \w+)?)?"
    r"|(?:this (?:web)?site|we) uses? cookies\b.{0,200}|accept(?: all)?(?: cookies)?"
    r"|(?:manage )?cookie (?:settings|policy|preferences)|reject all"
    r"|read more|continue reading|read the full (?:story|article)|click here to read more"
    r"|advertisement|sponsored(?: content)?|related(?: posts| articles| stories| news)?"
    r"|you may also like|recommended(?: for you)?|trending(?: now)?|most read|popular posts"
    r"|(?:©|copyright ©?\s*\d{4}).{0,120}|all rights reserved"
    r"|tags?:.{0,150}"
    r")[.:!]?",
    re.IGNORECASE,
)
# The boilerplate sentences of news sites (see the module docstring); each names what it is for.
_NEWS_BOILERPLATE = re.compile(
    r"(?:"
    r"(?:never miss|don't miss|get) .{0,80}\b(?:newsletter|inbox)\b.{0,60}"            # newsletter
    r"|(?:subscribe|sign up|register)\b.{0,120}\b(?:newsletter|full story|edition|subscription|"
    r"unlimited access|digital access)\b.{0,80}"
    r"|(?:for the latest .{0,100})?download (?:the|our) .{0,60}\bapps?\b.{0,80}"           # app
    r"|\(?(?:photo |image |picture |header image )?credits?: .{1,100}?\)?"                 # credit
    r"|©.{0,600}|copyright \d{4}.{0,600}"                                                 # copyright
    r"|this (?:article|material|content|story) (?:is the copyrighted property|may not be "
    r"(?:published|reproduced|reprinted|redistributed)).{0,400}"
    r"|written permission must be obtained before .{0,300}"
    r"|this (?:post|article|page|story) (?:contains|may contain|includes) (?:references to products|"
    r"affiliate links).{0,400}"                                                           # affiliate
    r"|(?:submit|send) (?:your|a) letter to the editor.{0,150}"                           # letters
    r")",
    re.IGNORECASE,
)
_TEASER = re.compile(r".{20,}(?:\[…\]|\[\.\.\.\])")
_TEASER_MARKS = ("[…]", "[...]")
_FOOTNOTE = re.compile(r"[*†‡][^\W\d][^*]{0,400}")
_FOOTNOTE_SIGNS = "*†‡"
_RELATED_LEAD_IN = re.compile(
    r"(?:see also|look at other \w+|related(?: \w+)?|more (?:from|on|in) [\w ]{1,40}|read (?:also|more)|"
    r"you (?:may|might) also (?:like|enjoy)|further reading|other (?:stories|articles|news)"
    r"|more (?:stories|articles|news))\s*:?", re.IGNORECASE)
# Navigation: three or more short items separated by | • · » or > ("Home | News | Contact").
_NAV_ITEM = r"[^\W\d][\w&'’ -]{0,30}"
_NAV_SEPARATORS = "|•·»>"
_NAVIGATION = re.compile(rf"{_NAV_ITEM}(?:\s*[{_NAV_SEPARATORS}]\s*{_NAV_ITEM}){{2,}}")
_LONGEST_LINE = 800
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_DISGUISED_WORDS = 2  # words mixing scripts in one line before it counts as disguised advertising


def _mixes_scripts(word: str) -> bool:
    latin = cyrillic = False
    for char in word:
        if "a" <= char.lower() <= "z":
            latin = True
        elif "\u0400" <= char <= "\u04ff":
            cyrillic = True
    return latin and cyrillic


def _has_separator(line: str) -> bool:
    return any(separator in line for separator in _NAV_SEPARATORS)


def is_furniture(line: str) -> bool:
    """True if the line is web-page furniture (a share button, a menu, a cookie banner, a
    newsletter call, a copyright notice...)."""
    line = line.strip()
    if not line or len(line) > _LONGEST_LINE:
        return False
    # the cheap tests first: a navigation line has a separator, a teaser ends in its mark, a
    # footnote starts with its sign (str methods, not the regex engine: most lines are prose)
    if len(line) <= 300 and (_INTERFACE.fullmatch(line)
                             or (_has_separator(line) and _NAVIGATION.fullmatch(line))):
        return True
    if (_NEWS_BOILERPLATE.fullmatch(line) or (line.endswith(_TEASER_MARKS) and _TEASER.fullmatch(line))
            or (line[0] in _FOOTNOTE_SIGNS and _FOOTNOTE.fullmatch(line))):
        return True
    if is_related_lead_in(line):
        return True
    # most lines: no word can mix scripts (isascii is a flag check, the search reads the line)
    if line.isascii() or not _CYRILLIC.search(line):
        return False
    return sum(_mixes_scripts(word) for word in _WORD.findall(line)) >= _DISGUISED_WORDS


def is_related_lead_in(line: str) -> bool:
    """True for the line that introduces a list of related links ("See also:", "Read more:")."""
    return bool(_RELATED_LEAD_IN.fullmatch(line.strip()))
