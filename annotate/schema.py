"""The annotation schema: label sets and JSON Schemas (record validation).

`schemas/labels.toml` is the single source of truth. The Label Studio labeling config is generated
from it in annotate.labelstudio.project; the JSON Schemas and guidelines are checked against it by
the test suite.
"""

from __future__ import annotations

import functools
import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where records are validated: `annotate --help` need not load it
    from collections.abc import Callable

    import jsonschema

RECORD_KINDS = ("sentence", "gold", "prediction")
# Optional metadata of the document a record's sentence comes from (record version 1.1.0): set by
# `annotate split`, carried through prelabel, push (shown to annotators) and pull, used by reports.
DOCUMENT_FIELDS = ("title", "date", "outlet", "url", "author")


@dataclass(frozen=True)
class Label:
    value: str
    hotkey: str
    definition: str
    color: str | None = None


@dataclass(frozen=True)
class Schema:
    version: str
    stance_labels: tuple[Label, ...]
    sentiment_labels: tuple[Label, ...]
    actor_label: str          # the span label of projects made before the stance was the span label
    actor_color: str
    not_in_codebook: str      # the codebook-actor choice of a span that names no canonical actor
    record_version: str = "1.0.0"

    @property
    def stances(self) -> tuple[str, ...]:
        return tuple(label.value for label in self.stance_labels)

    @property
    def sentiments(self) -> tuple[str, ...]:
        return tuple(label.value for label in self.sentiment_labels)


def schema_file(name: str):
    """A file of the `schemas/` folder, wherever the package is installed.

    Installed, `schemas/` ships as the `annotate.schemas` package. Imported straight from a source
    checkout (e.g. `python -c ...` run in the repository with a regular install elsewhere), that
    package does not exist, and the top-level folder beside `annotate/` is used.
    """
    try:
        return resources.files("annotate.schemas").joinpath(name)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent.joinpath("schemas", name)


@functools.cache
def load_schema() -> Schema:
    data = tomllib.loads(schema_file("labels.toml").read_text(encoding="utf-8"))

    def labels(section):
        return tuple(Label(**{k: v for k, v in item.items() if k in Label.__annotations__})
                     for item in data[section]["labels"])

    return Schema(
        version=data["version"],
        stance_labels=labels("stance"),
        sentiment_labels=labels("sentiment"),
        actor_label=data["actor"]["label"],
        actor_color=data["actor"]["color"],
        not_in_codebook=data["actor"]["not_in_codebook"],
        record_version=data.get("record_version", "1.0.0"),
    )


@functools.cache
def json_schema(kind: str) -> dict:
    if kind not in RECORD_KINDS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {RECORD_KINDS}")
    return json.loads(schema_file(f"{kind}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def validator(kind: str) -> jsonschema.protocols.Validator:
    import jsonschema

    schema = json_schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


# The JSON Schema keywords the fast check understands exactly as jsonschema's 2020-12 validator
# does (tests/test_schema.py holds the schemas to them).
FAST_KEYWORDS = frozenset({
    "$schema", "$id", "x-record-version", "title", "description", "type", "required",
    "properties", "additionalProperties", "items", "enum", "minimum", "maximum", "minLength",
    "pattern",
})


@functools.cache
def fast_check(kind: str) -> Callable[[dict], object]:
    """A compiled validator of `kind` (fastjsonschema: ~23x jsonschema on a valid prediction record) that
    raises on an invalid record. It only says yes or no; jsonschema words the error."""
    import fastjsonschema

    # fastjsonschema knows drafts 4-7; the schemas use only keywords those drafts share with 2020-12
    schema = {**json_schema(kind), "$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(schema)


def record_problem(record, kind: str) -> str | None:
    """The first reason `record` breaks the schema of `kind` (sentence/gold/prediction), or None.

    Besides the JSON Schema this checks what JSON Schema cannot: offsets that fit the text.
    """
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    problem = _schema_problem(record, kind)
    if problem is not None:
        return problem
    if kind == "sentence":
        if record["end"] <= record["start"]:
            return f"end ({record['end']}) must be greater than start ({record['start']})"
        if record["end"] - record["start"] != len(record["text"]):
            return (f"end - start ({record['end']} - {record['start']}) must be the length of "
                    f"the text ({len(record['text'])} characters): the offsets do not locate "
                    "this text in its document")
        return None
    text = record["text"]
    for i, actor in enumerate(record["actors"]):
        start, end = actor["start"], actor["end"]
        if not 0 <= start < end <= len(text):
            return f"actors[{i}]: span {start}-{end} does not fit in a text of {len(text)} characters"
        if text[start:end] != actor["text"]:
            return (f"actors[{i}]: text {actor['text']!r} does not match the sentence at "
                    f"{start}-{end} ({text[start:end]!r})")
    return None


def _schema_problem(record: dict, kind: str) -> str | None:
    import fastjsonschema

    try:
        fast_check(kind)(record)
        return None
    except fastjsonschema.JsonSchemaValueException:
        pass  # jsonschema has the final word and the better message
    import jsonschema.exceptions

    error = jsonschema.exceptions.best_match(validator(kind).iter_errors(record))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{'field ' + repr(where) + ': ' if where else ''}{error.message}"
