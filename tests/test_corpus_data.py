"""The bundled haiti-mss corpus: its gold files, its codebook and its articles hold together."""

import collections
import tomllib
from pathlib import Path

import pytest

from annotate.ingest.documents import SplitStats, iter_sentences
from annotate.records import read_records
from annotate.schema import load_schema

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "haiti-mss"
CATEGORIES = {"government", "police", "armed_group", "civil_society", "international", "person",
              "public", "media", "other"}


def corpus_config():
    return tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))


def codebook():
    return tomllib.loads((CORPUS / corpus_config()["codebook"]).read_text(encoding="utf-8"))


def gold_paths(split):
    return [CORPUS / name for name in corpus_config()["gold"][split]]


def gold(split):
    return [record for path in gold_paths(split) for record in read_records(path, "gold")]


def test_corpus_toml_names_target_articles_codebook_and_gold():
    config = corpus_config()
    assert config["name"] == "haiti-mss"
    assert "Multinational Security Support" in config["target"]
    assert (CORPUS / config["articles"]).is_dir()
    assert (CORPUS / config["codebook"]).is_file()
    assert config["gold"]["train"] and config["gold"]["dev"]


@pytest.mark.parametrize("split", ["train", "dev"])
def test_every_gold_file_validates_against_the_gold_schema(split):
    for path in gold_paths(split):
        assert list(read_records(path, "gold")), f"{path} has no records"


def test_sentence_ids_are_unique_across_all_gold_files():
    ids = collections.Counter(r["id"] for split in ("train", "dev") for r in gold(split))
    repeated = [i for i, n in ids.items() if n > 1]
    assert not repeated, f"ids used more than once: {repeated[:5]}"


def test_train_and_dev_share_no_document():
    def docs(split):
        return {r.get("doc_id") or r["id"].rsplit(":", 1)[0] for r in gold(split)}
    assert not docs("train") & docs("dev")


def test_every_canonical_actor_is_in_the_codebook():
    names = {actor["name"] for actor in codebook()["actors"]}
    unknown = {a["actor"] for split in ("train", "dev") for r in gold(split) for a in r["actors"]
               if a.get("actor") is not None} - names
    assert not unknown, f"gold names actors the codebook does not know: {sorted(unknown)}"


def test_every_stance_is_well_represented_in_train():
    counts = collections.Counter(a["stance"] for r in gold("train") for a in r["actors"])
    for stance in load_schema().stances:
        assert counts[stance] >= 80, f"only {counts[stance]} train actors are {stance!r}: {counts}"
    assert counts["wary"] >= 80


def test_every_sentiment_occurs_in_train_and_dev():
    for split in ("train", "dev"):
        counts = collections.Counter(r["sentiment"] for r in gold(split))
        assert set(counts) == set(load_schema().sentiments), (split, counts)


def test_there_are_at_least_400_gold_sentences():
    assert len(gold("train")) + len(gold("dev")) >= 400


def test_gold_has_the_hard_cases():
    records = gold("train") + gold("dev")
    mixed = [r for r in records if len({a["stance"] for a in r["actors"]}) > 1]
    no_actor = [r for r in records if not r["actors"]]
    outside_codebook = [a for r in records for a in r["actors"] if a.get("actor") is None]
    assert len(mixed) >= 10, "too few sentences with two actors of different stances"
    assert len(no_actor) >= 10, "too few sentences with no actor"
    assert len(outside_codebook) >= 20, "too few actors missing from the codebook"


def test_codebook_parses_and_every_alias_names_one_actor():
    book = codebook()
    assert book["format"] == "annotate-codebook/1"
    names = [actor["name"] for actor in book["actors"]]
    assert len(names) == len(set(names)), "canonical names must be unique"
    owner = {}
    for actor in book["actors"]:
        assert actor["category"] in CATEGORIES, actor
        assert actor["aliases"], f"{actor['name']} has no aliases"
        if "affiliation" in actor:
            assert actor["affiliation"] in names, f"{actor['name']}: unknown affiliation"
        for alias in actor["aliases"]:
            assert alias == alias.strip() and alias, actor["name"]
            assert alias not in owner, f"alias {alias!r} is shared by {owner[alias]} and {actor['name']}"
            owner[alias] = actor["name"]


def test_article_gold_covers_every_sentence_that_split_gives():
    # The article gold files must use `annotate split`'s ids and sentence texts, one record each.
    sentences = list(iter_sentences([CORPUS / corpus_config()["articles"]], SplitStats()))
    article_gold = [r for split in ("train", "dev") for path in gold_paths(split)
                    if path.name.startswith("articles.") for r in read_records(path, "gold")]
    assert {(s["id"], s["text"]) for s in sentences} == {(r["id"], r["text"]) for r in article_gold}


@pytest.mark.parametrize("model", ["default-model", "accurate-model"])
def test_the_shipped_models_are_trained_on_the_train_gold_as_it_is(model):
    """Growing the gold without retraining the shipped models would ship stale pre-labels."""
    import hashlib
    import json

    card = json.loads((CORPUS.parents[1] / "annotate" / "data" / model / "model-card.json")
                      .read_text(encoding="utf-8"))
    trained_on = {entry["path"]: entry["sha256"] for entry in card["training_data"]}
    expected = {str(path.relative_to(CORPUS.parents[1])): hashlib.sha256(path.read_bytes())
                .hexdigest() for path in gold_paths("train")}
    assert trained_on == expected, "retrain the shipped models with README's `annotate train`"
