"""The annotation schema: label sets, JSON Schemas and the Label Studio labeling config.

`schemas/labels.toml` is the single source of truth. The labeling config is generated from it;
the JSON Schemas and guidelines are checked against it by the test suite.
"""

from __future__ import annotations

import functools
import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import quoteattr

import jsonschema

RECORD_KINDS = ("sentence", "gold", "prediction")


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
    actor_label: str
    actor_hotkey: str
    actor_color: str

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
        actor_hotkey=data["actor"]["hotkey"],
        actor_color=data["actor"]["color"],
    )


@functools.cache
def json_schema(kind: str) -> dict:
    if kind not in RECORD_KINDS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {RECORD_KINDS}")
    return json.loads(schema_file(f"{kind}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def validator(kind: str) -> jsonschema.protocols.Validator:
    schema = json_schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def record_problem(record, kind: str) -> str | None:
    """The first reason `record` breaks the schema of `kind` (sentence/gold/prediction), or None.

    Besides the JSON Schema this checks what JSON Schema cannot: offsets that fit the text.
    """
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    error = jsonschema.exceptions.best_match(validator(kind).iter_errors(record))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        return f"{'field ' + repr(where) + ': ' if where else ''}{error.message}"
    if kind == "sentence":
        if record["end"] <= record["start"]:
            return f"end ({record['end']}) must be greater than start ({record['start']})"
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


def labeling_config(schema: Schema | None = None) -> str:
    """The Label Studio labeling config (XML), generated from the schema.

    Layout, top to bottom: the target; the model's stances in one grey line (`model_summary` in
    the task data, set by push: Label Studio shows a span's stance only while the span is
    selected); the Actor label (hotkey); the sentence in a card between its previous and next
    sentences (grey, smaller: context only); the stance of the
    selected actor span (or a hint to select one); the sentence sentiment (required); and a
    collapsed panel with every label's definition and key. The full guidelines are the project's
    instructions (the "Instructions" button, set by `export push`).

    Stance is required per region only: every actor span needs one, a sentence with no actor
    span can still be submitted. The tests in tests/test_browser.py drive this config in Chromium.
    """
    schema = schema or load_schema()

    def choices(labels, indent):
        return "\n".join(
            f"{indent}<Choice value={quoteattr(label.value)} hotkey={quoteattr(label.hotkey)}"
            f" hint={quoteattr(label.definition)}/>" for label in labels)

    def definitions(labels):
        return "\n".join(
            f"      <Header size=\"6\" value={quoteattr(f'[{label.hotkey}] {label.value}: {label.definition}')}/>"
            for label in labels)

    stance_keys = "/".join(label.hotkey for label in schema.stance_labels)
    sentiment_keys = "/".join(label.hotkey for label in schema.sentiment_labels)
    return f"""<View>
  <!-- generated by annotate.schema.labeling_config from schemas/labels.toml (schema {schema.version}) -->
  <Style>
    .annotate-target {{ margin-bottom: 0.25em; }}
    .annotate-card {{ border-left: 4px solid {schema.actor_color}; padding: 0.4em 0.9em; margin: 0.4em 0 1em;
                      background: #fafafa; }}
    .annotate-context .lsf-htx-richtext {{ color: #8a8a8a; font-size: 0.9em; }}
    .annotate-sentence .lsf-htx-richtext {{ font-size: 1.3em; line-height: 1.8; color: #111; }}
    .annotate-sentence {{ margin: 0.3em 0; }}
    .annotate-hint h4, .annotate-definitions h4 {{ font-size: 0.95em; font-weight: 400; color: #666; }}
    .annotate-model h4 {{ font-size: 0.9em; font-weight: 400; font-style: italic; color: #777; margin: 0; }}
  </Style>
  <View className="annotate-target">
    <Header value="Target: $target" size="5"/>
  </View>
  <View className="annotate-model">
    <Header value="$model_summary" size="6"/>
  </View>
  <Labels name="actor" toName="text" showInline="true">
    <Label value={quoteattr(schema.actor_label)} hotkey={quoteattr(schema.actor_hotkey)} background={quoteattr(schema.actor_color)}/>
  </Labels>
  <View className="annotate-card">
    <View className="annotate-context">
      <Text name="prev_text" value="$prev_text" granularity="word"/>
    </View>
    <View className="annotate-sentence">
      <Text name="text" value="$text" granularity="word"/>
    </View>
    <View className="annotate-context">
      <Text name="next_text" value="$next_text" granularity="word"/>
    </View>
  </View>
  <View visibleWhen="region-selected" whenTagName="actor">
    <Header value="Stance of the selected actor toward the target (keys {stance_keys})" size="6"/>
    <Choices name="stance" toName="text" perRegion="true" required="true" choice="single-radio" showInline="true">
{choices(schema.stance_labels, "      ")}
    </Choices>
  </View>
  <View visibleWhen="no-region-selected" className="annotate-hint">
    <Header value="Stance: click an actor span (or press Alt+. to go through them) to see and change it" size="6"/>
  </View>
  <Header value="Sentence sentiment (keys {sentiment_keys})" size="6"/>
  <Choices name="sentiment" toName="text" choice="single-radio" showInline="true" required="true">
{choices(schema.sentiment_labels, "    ")}
  </Choices>
  <Collapse>
    <Panel value="Label definitions and keys (the full guidelines: Instructions, top right)">
      <View className="annotate-definitions">
      <Header size="6" value={quoteattr(f'[{schema.actor_hotkey}] {schema.actor_label}: press, then select the words that name who holds a position; submit with Ctrl+Enter')}/>
{definitions(schema.stance_labels)}
{definitions(schema.sentiment_labels)}
      </View>
    </Panel>
  </Collapse>
</View>
"""
