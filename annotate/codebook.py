"""The actor codebook: canonical actor names, their categories and the aliases news text uses.

A codebook is a TOML file (`format = "annotate-codebook/1"`) with one `[[actors]]` table per
actor. Aliases are matched case-sensitively as whole words; `Codebook.canonical` also accepts the
forms news text wraps around an alias ("the Kenyan government", "Kenya's", "Kenyan President
William Ruto").

Two optional lists tell places from actors: an actor's `place_aliases` are aliases that are also
place names ("Nairobi" for the Government of Kenya): they name the actor only where it holds a
position ("Nairobi said"), never as a place ("flew to Nairobi"). The top-level `places` are
names of places that are never actors ("Cité Soleil", "Pétion-Ville").

An actor with `target = true` is the corpus's target (the mission): its names are marked only
where they hold a position ("the mission's commander said"), never as a mere mention ("the work
of the Multinational Security Support mission"), as the guidelines ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from annotate.errors import ConfigError
from annotate.records import read_toml

FORMAT = "annotate-codebook/1"
CATEGORIES = ("government", "police", "armed_group", "civil_society", "international", "person",
              "public", "media", "other")

# Possessive endings and a leading article are not part of an actor's name.
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
# A possessive and a head noun after a name: the span names what the person has, not the person.
_POSSESSIVE_THEN_HEAD = re.compile(r"['’]s?\s+[a-z]")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
# An alias inside a prepositional phrase names a place or an owner, not the span's head.
_AFTER_PREPOSITION = re.compile(
    r"(?<!\w)(?:in|of|from|at|for|with|across|inside|outside|near|to)\s+(?:the\s+)?$")
# ... unless the preposition joins the members of a body to it: "members of the council" and
# "a spokesperson for the mission" speak for the body, "lawmakers in Nairobi" do not.
_MEMBERS_OF = re.compile(
    r"(?<!\w)(?:members?|leaders?|heads?|representatives?|officials?|spokes(?:person|man|woman)"
    r"|envoys?|delegations?|delegates?)\s+(?:of|for|from)\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Actor:
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    note: str | None = None
    affiliation: str | None = None
    place_aliases: tuple[str, ...] = ()
    target: bool = False

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The canonical name and every alias (the name always matches itself)."""
        return tuple(dict.fromkeys((self.name, *self.aliases, *self.place_aliases)))

    def to_dict(self) -> dict:
        data = {"name": self.name, "category": self.category, "aliases": list(self.aliases)}
        if self.place_aliases:
            data["place_aliases"] = list(self.place_aliases)
        if self.note is not None:
            data["note"] = self.note
        if self.affiliation is not None:
            data["affiliation"] = self.affiliation
        if self.target:
            data["target"] = True
        return data


@dataclass(frozen=True)
class Codebook:
    actors: tuple[Actor, ...] = ()
    source: str = "<codebook>"
    places: frozenset[str] = frozenset()
    # alias -> canonical name; built once, used by every lookup
    _by_alias: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _contained: re.Pattern | None = field(default=None, repr=False, compare=False)

    @classmethod
    def empty(cls) -> Codebook:
        return cls.from_dict({"format": FORMAT, "actors": []})

    @classmethod
    def load(cls, path) -> Codebook:
        data = read_toml(path, "codebook")
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict, source: str = "<codebook>") -> Codebook:
        """Build and check a codebook from parsed TOML or from `to_dict()` output."""
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: a codebook must be a table, got {type(data).__name__}")
        if data.get("format", FORMAT) != FORMAT:
            raise ConfigError(f"{source}: unknown codebook format {data.get('format')!r}; "
                              f"expected format = {FORMAT!r}")
        unknown = set(data) - {"format", "actors", "places"}
        if unknown:  # e.g. a misspelt [[actor]] would otherwise leave the codebook empty
            raise ConfigError(f"{source}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                              "a codebook has `format`, `places` and [[actors]] tables")
        places = data.get("places", [])
        if not isinstance(places, list) or not all(isinstance(p, str) and p.strip()
                                                   for p in places):
            raise ConfigError(f"{source}: 'places' must be a list of non-empty strings")
        raw_actors = data.get("actors", [])
        if not isinstance(raw_actors, list):
            raise ConfigError(f"{source}: 'actors' must be an array of tables ([[actors]])")
        actors = tuple(_parse_actor(item, i, source) for i, item in enumerate(raw_actors, 1))
        by_alias: dict[str, str] = {}
        names: set[str] = set()
        for actor in actors:
            if actor.name in names:
                raise ConfigError(f"{source}: duplicate actor name {actor.name!r}; "
                                  "each [[actors]] entry needs a unique name")
            names.add(actor.name)
        for actor in actors:
            for alias in actor.surface_forms:
                owner = by_alias.get(alias)
                if owner is not None and owner != actor.name:
                    raise ConfigError(f"{source}: alias {alias!r} is claimed by both {owner!r} "
                                      f"and {actor.name!r}; keep it under one actor")
                by_alias[alias] = actor.name
        clash = sorted(set(places) & set(by_alias))
        if clash:
            raise ConfigError(f"{source}: {', '.join(map(repr, clash))} listed both as a place "
                              "and as an actor's alias; a name that is both goes under the "
                              "actor's place_aliases")
        contained = None
        if by_alias:
            alternatives = "|".join(re.escape(a) for a in sorted(by_alias, key=len, reverse=True))
            contained = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        return cls(actors=actors, source=source, places=frozenset(places), _by_alias=by_alias,
                   _contained=contained)

    def to_dict(self) -> dict:
        data = {"format": FORMAT, "actors": [actor.to_dict() for actor in self.actors]}
        if self.places:
            data["places"] = sorted(self.places)
        return data

    @property
    def place_aliases(self) -> frozenset[str]:
        """Aliases that are also place names: actors only where they hold a position."""
        return frozenset(a for actor in self.actors for a in actor.place_aliases)

    @property
    def aliases(self) -> dict[str, str]:
        """Every surface form (names and aliases) mapped to its canonical name."""
        return dict(self._by_alias)

    def __len__(self) -> int:
        return len(self.actors)

    def actor(self, name: str) -> Actor | None:
        return next((a for a in self.actors if a.name == name), None)

    def named_in(self, text: str, end: int | None = None) -> list[str]:
        """The canonical actors whose names or aliases occur in `text[:end]`, in order of
        occurrence, a modifier too ("Kenya" in "the Kenya-led force") and a name inside a
        longer alias before it ("Kenya", then the opposition, in "Kenya's opposition")."""
        if self._contained is None:
            return []
        found = []
        for match in self._contained.finditer(text, 0, len(text) if end is None else end):
            inner = self._contained.finditer(text, match.start(), match.end() - 1)
            found += [self._by_alias[m.group()] for m in inner]
            found.append(self._by_alias[match.group()])
        return found

    def canonical(self, span_text: str) -> str | None:
        """The canonical actor a span of text refers to, or None if the codebook does not know it.

        Tries the exact alias, then the span without a leading "the" and a possessive "'s", then
        the alias contained in the span that ends last (the head of an English noun phrase comes
        last: "Kenyan President William Ruto" is Ruto, not Kenya).
        """
        if not self._by_alias:
            return None
        text = span_text.strip()
        if text in self._by_alias:
            return self._by_alias[text]
        text = _POSSESSIVE.sub("", _LEADING_THE.sub("", text))
        if text in self._by_alias:
            return self._by_alias[text]
        best = None
        for match in self._contained.finditer(text):
            # a bounded window: searching the whole prefix for a `$`-anchored pattern made
            # this quadratic in the span's length (minutes on one long sentence)
            if _AFTER_PREPOSITION.search(text, max(0, match.start() - 64), match.start()) \
                    and not _MEMBERS_OF.search(text, max(0, match.start() - 64), match.start()):
                continue  # "lawmakers in Nairobi" are not Nairobi
            key = (match.end(), match.end() - match.start())
            if best is None or key > best[0]:
                best = (key, match.group())
        if best is None:
            return None
        name = self._by_alias[best[1]]
        owner = self.actor(name)
        if owner is not None and owner.category == "person" and \
                _POSSESSIVE_THEN_HEAD.match(text, best[0][0]):
            return None  # "Ruto's allies" are not Ruto
        return name


def _parse_actor(item, index: int, source: str) -> Actor:
    where = f"{source}: actor #{index}"
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected a table under [[actors]]")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: missing 'name' (a non-empty string)")
    where = f"{source}: actor {name!r}"
    category = item.get("category")
    if category not in CATEGORIES:
        raise ConfigError(f"{where}: unknown category {category!r}; use one of "
                          f"{', '.join(CATEGORIES)}")
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"{where}: 'aliases' must be a list of non-empty strings")
    place_aliases = item.get("place_aliases", [])
    if not isinstance(place_aliases, list) or not all(isinstance(a, str) and a.strip()
                                                      for a in place_aliases):
        raise ConfigError(f"{where}: 'place_aliases' must be a list of non-empty strings")
    for key in ("note", "affiliation"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise ConfigError(f"{where}: {key!r} must be a string")
    if not isinstance(item.get("target", False), bool):
        raise ConfigError(f"{where}: 'target' must be true or false")
    unknown = set(item) - {"name", "category", "aliases", "place_aliases", "note", "affiliation",
                           "target"}
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    return Actor(name=name, category=category, aliases=tuple(dict.fromkeys(aliases)),
                 note=item.get("note"), affiliation=item.get("affiliation"),
                 place_aliases=tuple(a for a in dict.fromkeys(place_aliases) if a not in aliases),
                 target=item.get("target", False))
