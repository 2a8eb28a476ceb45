"""The schema has one source of truth: JSON Schemas, labeling config and guidelines agree with it."""

import re
import xml.etree.ElementTree as ET

import pytest

from annotate.labelstudio.project import labeling_config
from annotate.schema import (
    RECORD_KINDS,
    json_schema,
    load_schema,
    record_problem,
    schema_file,
)


def test_json_schemas_use_the_label_sets_of_labels_toml():
    schema = load_schema()
    for kind in ("gold", "prediction"):
        s = json_schema(kind)
        assert s["properties"]["sentiment"]["enum"] == list(schema.sentiments)
        actor = s["properties"]["actors"]["items"]["properties"]
        assert actor["stance"]["enum"] == list(schema.stances)


def test_labeling_config_offers_exactly_the_schema_labels():
    schema = load_schema()
    root = ET.fromstring(labeling_config(actors=["Government of Kenya", "United Nations"]))
    choices = {c.get("name"): [x.get("value") for x in c.iter("Choice")] for c in root.iter("Choices")}
    assert choices["sentiment"] == list(schema.sentiments)
    # an actor span is labelled by its stance: one label per stance, with its colour
    (stance,) = [c for c in root.iter("Labels")]
    assert stance.get("name") == "stance" and stance.get("toName") == "text"
    assert [(x.get("value"), x.get("background")) for x in stance.iter("Label")] == [
        (label.value, label.color) for label in schema.stance_labels]
    # the codebook actor, per span: the corpus's canonical actors and "not in the codebook"
    assert choices["canonical_actor"] == [schema.not_in_codebook, "Government of Kenya",
                                          "United Nations"]
    actor = next(c for c in root.iter("Choices") if c.get("name") == "canonical_actor")
    assert actor.get("perRegion") == "true" and actor.get("toName") == "text"


def test_every_label_has_a_distinct_hotkey():
    root = ET.fromstring(labeling_config())
    keyed = [el for el in root.iter() if el.tag == "Label"] + [
        choice for choices in root.iter("Choices") if choices.get("name") == "sentiment"
        for choice in choices.iter("Choice")]
    hotkeys = [el.get("hotkey") for el in keyed]
    assert all(hotkeys) and len(set(hotkeys)) == len(hotkeys)


def test_guidelines_define_every_label():
    text = schema_file("guidelines.md").read_text(encoding="utf-8")
    headings = {h.strip().lower() for h in re.findall(r"^#{2,4}\s+`?([\w-]+)`?", text, flags=re.M)}
    schema = load_schema()
    for value in (*schema.stances, *schema.sentiments):
        assert value in headings, f"guidelines.md has no heading for {value!r}"
    assert f"schema version {schema.version}" in text.lower()


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_schemas_are_valid_json_schemas(kind):
    assert json_schema(kind)["type"] == "object"


GOOD_GOLD = {"id": "d:1", "text": "Kenya welcomed the mission.", "sentiment": "positive",
             "actors": [{"start": 0, "end": 5, "text": "Kenya", "stance": "supportive"}]}


def test_good_gold_passes_and_extra_fields_are_allowed():
    assert record_problem(dict(GOOD_GOLD, annotator="ann@example.org"), "gold") is None


@pytest.mark.parametrize("change,expected", [
    ({"sentiment": "happy"}, "sentiment"),
    ({"actors": [{"start": 0, "end": 5, "text": "Kenya", "stance": "angry"}]}, "stance"),
    ({"actors": [{"start": 0, "end": 50, "text": "Kenya", "stance": "none"}]}, "does not fit"),
    ({"actors": [{"start": 1, "end": 6, "text": "Kenya", "stance": "none"}]}, "does not match"),
    ({"id": 7}, "id"),
])
def test_bad_gold_is_rejected_with_a_reason(change, expected):
    problem = record_problem(dict(GOOD_GOLD, **change), "gold")
    assert problem and expected in problem


def test_missing_field_is_named():
    record = dict(GOOD_GOLD)
    del record["sentiment"]
    assert "sentiment" in record_problem(record, "gold")


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_every_record_kind_defines_the_document_metadata_at_the_record_version(kind):
    from annotate.schema import DOCUMENT_FIELDS

    schema = json_schema(kind)
    assert schema["x-record-version"] == load_schema().record_version
    assert all(schema["properties"][name]["type"] == "string" for name in DOCUMENT_FIELDS)
    assert schema["properties"]["date"] == json_schema("sentence")["properties"]["date"]


def test_records_of_the_old_version_still_read_and_bad_metadata_is_refused():
    assert record_problem(GOOD_GOLD, "gold") is None  # 1.0.0: no metadata at all
    dated = dict(GOOD_GOLD, date="2024-05-14", outlet="Coastal Herald", url="https://x.example")
    assert record_problem(dated, "gold") is None
    assert "date" in record_problem(dict(GOOD_GOLD, date="May 14, 2024"), "gold")
    assert "outlet" in record_problem(dict(GOOD_GOLD, outlet=3), "gold")


def test_every_control_the_guidelines_name_is_in_the_labeling_config():
    """The guidelines describe exactly what the interface allows: each key they give labels what
    they say, and each control they name by its on-screen name exists."""
    text = schema_file("guidelines.md").read_text(encoding="utf-8")
    root = ET.fromstring(labeling_config(actors=["William Ruto"]))
    keys = {el.get("hotkey"): el.get("value") for el in root.iter() if el.get("hotkey")}
    named_keys = re.findall(r"\*\*(\w)\*\*\s+(\w+)", text)
    assert len(named_keys) >= 7, named_keys
    for key, label in named_keys:
        if key == "u":  # Label Studio's own key: unselect the span
            continue
        assert keys.get(key) == label, f"guidelines: key {key} = {label}; config: {keys.get(key)}"
    headers = " ".join(h.get("value", "") for h in root.iter("Header"))
    assert "**Codebook actor**" in text and "Codebook actor" in headers
    actor_choices = [c.get("value") for c in root.iter("Choices")
                     if c.get("name") == "canonical_actor" for c in c.iter("Choice")]
    assert "**not in the codebook**" in text and "not in the codebook" in actor_choices
    # the retired Actor label and its key are not described any more
    assert "Actor label" not in text and "**a**" not in text


def _keywords(schema: dict):
    """Every JSON Schema keyword a schema uses (property names are not keywords)."""
    for key, value in schema.items():
        yield key
        if key == "properties":
            for sub in value.values():
                yield from _keywords(sub)
        elif isinstance(value, dict) and key in ("items", "additionalProperties"):
            yield from _keywords(value)


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_the_fast_check_understands_every_keyword_of_the_schemas(kind):
    from annotate.schema import FAST_KEYWORDS

    assert set(_keywords(json_schema(kind))) <= FAST_KEYWORDS


GOOD_RECORDS = {
    "sentence": {"id": "d:1", "doc_id": "d", "text": "Kenya welcomed it.", "start": 0, "end": 18,
                 "date": "2024-05-14", "outlet": "Coastal Herald"},
    "gold": dict(GOOD_GOLD, annotator="ann@example.org", date="2024-05-14"),
    "prediction": {"id": "d:1", "text": "Kenya welcomed the mission.", "sentiment": "positive",
                   "sentiment_score": 0.7, "model_version": "m1",
                   "actors": [{"start": 0, "end": 5, "text": "Kenya", "stance": "supportive",
                               "actor": "Government of Kenya", "score": 0.8,
                               "scores": {"supportive": 0.8, "none": 0.2}}]},
}
ODD_VALUES = [None, True, False, 0, 1, -1, 1.0, 2.5, -0.5, "", "x", "2024-13-45", [], {}, [1]]


def _variants(record):
    """The record with each value (nested ones too) replaced by each odd value, or removed."""
    for key, value in record.items():
        for odd in ODD_VALUES:
            yield {**record, key: odd}
        yield {k: v for k, v in record.items() if k != key}
        if isinstance(value, dict):
            for inner in _variants(value):
                yield {**record, key: inner}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in _variants(value[0]):
                yield {**record, key: [inner]}


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_the_fast_check_and_jsonschema_agree_on_every_variant_of_a_record(kind):
    """The fast check may let a record through only if jsonschema would: where it says no,
    jsonschema words the error, so it must never say yes to a record jsonschema refuses."""
    from annotate.schema import fast_check, validator

    variants = list(_variants(GOOD_RECORDS[kind]))
    assert len(variants) > 100
    disagreements = []
    for record in [GOOD_RECORDS[kind], *variants]:
        try:
            fast_check(kind)(record)
            fast = True
        except Exception:  # fastjsonschema.JsonSchemaValueException
            fast = False
        if fast != validator(kind).is_valid(record):
            disagreements.append((record, fast))
    assert not disagreements, disagreements[:3]
    assert record_problem(GOOD_RECORDS[kind], kind) is None
