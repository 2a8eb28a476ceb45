"""The actor codebook: loading, refusing bad codebooks, and normalising spans to actors."""

from pathlib import Path

import pytest

from annotate.codebook import CATEGORIES, Codebook
from annotate.errors import ConfigError

CORPUS_CODEBOOK = Path(__file__).resolve().parents[1] / "corpora" / "haiti-mss" / "codebook.toml"

GOOD = '''format = "annotate-codebook/1"
[[actors]]
name = "Government of Kenya"
category = "government"
aliases = ["Kenya", "Kenyan government", "Nairobi"]
note = "Kenya as a state"

[[actors]]
name = "William Ruto"
category = "person"
aliases = ["Ruto", "William Ruto", "President Ruto"]
affiliation = "Government of Kenya"
'''


def write(tmp_path, text, name="codebook.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def codebook(tmp_path):
    return Codebook.load(write(tmp_path, GOOD))


def test_load_reads_actors_as_frozen_records(codebook):
    names = [actor.name for actor in codebook.actors]
    assert names == ["Government of Kenya", "William Ruto"]
    ruto = codebook.actor("William Ruto")
    assert ruto.category == "person" and ruto.affiliation == "Government of Kenya"
    assert codebook.actor("Government of Kenya").note == "Kenya as a state"
    with pytest.raises(AttributeError):
        ruto.name = "someone else"


@pytest.mark.parametrize("span,expected", [
    ("Kenya", "Government of Kenya"),                      # exact alias
    ("Government of Kenya", "Government of Kenya"),        # the canonical name itself
    ("the Kenyan government", "Government of Kenya"),      # leading article
    ("Kenya's", "Government of Kenya"),                    # possessive
    ("Ruto’s", "William Ruto"),                            # typographic apostrophe
    ("Kenyan President William Ruto", "William Ruto"),     # title + alias: the head wins
    ("Kenya's President William Ruto", "William Ruto"),
    ("opposition lawmakers in Nairobi", None),             # an alias in a locative tail
    ("kenya", None),                                       # case-sensitive
    ("Kenyans", None),                                     # whole words only
    ("Haitian civil society groups", None),
    ("Ruto's allies", None),                               # what a person has is not the person
    ("President Ruto's", "William Ruto"),
])
def test_canonical_accepts_the_forms_news_text_uses(codebook, span, expected):
    assert codebook.canonical(span) == expected


def test_round_trip_through_a_dict_keeps_everything(codebook):
    copy = Codebook.from_dict(codebook.to_dict())
    assert copy.actors == codebook.actors
    assert copy.canonical("President Ruto") == "William Ruto"


def test_empty_codebook_knows_no_actor():
    empty = Codebook.empty()
    assert len(empty) == 0 and empty.canonical("Kenya") is None


@pytest.mark.parametrize("text,fragment", [
    (GOOD + "\n[[actors]\nname = 'x'\n", "line 14"),
    (GOOD.replace('name = "William Ruto"\n', ""), "missing 'name'"),
    (GOOD.replace("William Ruto", "Government of Kenya"), "duplicate actor name"),
    (GOOD.replace('"Ruto", ', '"Ruto", "Nairobi", '), "'Nairobi' is claimed by both"),
    (GOOD.replace('"person"', '"celebrity"'), "unknown category 'celebrity'"),
    (GOOD.replace('format = "annotate-codebook/1"', 'format = "other/2"'), "codebook format"),
    (GOOD.replace('["Ruto", ', '[3, '), "'aliases' must be a list"),
    (GOOD + 'colour = "red"\n', "unknown field(s) colour"),
    (GOOD + 'target = "yes"\n', "'target' must be true or false"),
    (GOOD.replace("[[actors]]", "[[actor]]"), "unknown top-level key(s) actor"),
])
def test_bad_codebooks_are_refused_naming_file_and_problem(tmp_path, text, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        Codebook.load(path)
    message = str(caught.value)
    assert str(path) in message and fragment in message, message


def test_missing_codebook_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such codebook"):
        Codebook.load(tmp_path / "nope.toml")


def test_the_corpus_codebook_loads_and_resolves_its_own_aliases():
    assert CORPUS_CODEBOOK.is_file(), f"missing {CORPUS_CODEBOOK}"
    codebook = Codebook.load(CORPUS_CODEBOOK)
    assert len(codebook) > 5
    for actor in codebook.actors:
        assert actor.category in CATEGORIES
        for alias in actor.surface_forms:
            assert codebook.canonical(alias) == actor.name, alias


def test_place_aliases_name_the_actor_and_places_are_listed_apart(tmp_path):
    path = write(tmp_path, GOOD.replace('"Kenyan government", "Nairobi"]',
                                        '"Kenyan government"]\nplace_aliases = ["Nairobi"]')
                 .replace('format = "annotate-codebook/1"',
                          'format = "annotate-codebook/1"\nplaces = ["Mombasa"]'))
    codebook = Codebook.load(path)
    assert codebook.canonical("Nairobi") == "Government of Kenya"
    assert codebook.place_aliases == {"Nairobi"} and codebook.places == {"Mombasa"}
    again = Codebook.from_dict(codebook.to_dict())
    assert again.place_aliases == {"Nairobi"} and again.places == {"Mombasa"}


@pytest.mark.parametrize("change, fragment", [
    (('format = "annotate-codebook/1"', 'format = "annotate-codebook/1"\nplaces = "Haiti"'),
     "'places' must be a list"),
    (('format = "annotate-codebook/1"', 'format = "annotate-codebook/1"\nplaces = ["Ruto"]'),
     "listed both as a place and as an actor's alias"),
    (('name = "William Ruto"', 'name = "William Ruto"\nplace_aliases = [1]'),
     "'place_aliases' must be a list"),
])
def test_bad_place_lists_are_refused(tmp_path, change, fragment):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as caught:
        Codebook.load(path)
    assert str(path) in str(caught.value) and fragment in str(caught.value), str(caught.value)
