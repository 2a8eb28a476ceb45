"""Label Studio's ML backend protocol, without HTTP: what a request must hold, the labeling
config annotate can predict for, and tasks -> predictions (the same conversion as push).

Shapes (Label Studio 1.23, label_studio/ml/api_connector.py):
  /setup    {"project": "<id>.<created timestamp>", "schema": label config, ...}
            -> {"model_version": ...}
  /predict  {"tasks": [{"id", "data": {...}}, ...], "project", "label_config", "params"}
            -> {"results": [{"result": [...], "score", "model_version"}, ...]}, one per task
  /webhook  {"action": "START_TRAINING" | "ANNOTATION_CREATED" | ..., "project": {"id", ...}}
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ElementTree

from annotate.labelstudio.gold import sentence_id
from annotate.labelstudio.project import ACTOR, SENTIMENT, STANCE, TEXT
from annotate.labelstudio.tasks import prediction
from annotate.schema import load_schema

MAX_CONFIG_CHARS = 200_000


class BadRequest(ValueError):
    """A request that does not fit the protocol; the message says what is wrong (-> 400)."""


def json_object(body, what: str) -> dict:
    if not isinstance(body, dict):
        raise BadRequest(f"{what}: the body must be a JSON object")
    return body


def project_id(value) -> int | None:
    """The project's id from "<id>.<timestamp>" (predict, setup), an int, or {"id": ...}."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None:
        return None
    head = str(value).split(".", 1)[0]
    if not head.isdigit():
        raise BadRequest(f"'project' must be a project id, got {str(value)[:40]!r}")
    return int(head)


@functools.lru_cache(maxsize=32)  # Label Studio sends the same config with every request
def config_problem(label_config) -> str | None:
    """Why Label Studio's labeling config is not one annotate predicts for (None when it is).

    Checked: the controls and labels predictions fill in (what push's config generates from
    schemas/labels.toml); layout, styles and hints may differ."""
    if not isinstance(label_config, str) or not label_config.strip():
        return "no labeling config was sent"
    if len(label_config) > MAX_CONFIG_CHARS:
        return "the labeling config is too large"
    try:
        root = ElementTree.fromstring(label_config)
    except ElementTree.ParseError as exc:
        return f"the labeling config is not XML ({exc})"
    schema = load_schema()

    def control(tag: str, name: str):
        found = [e for e in root.iter(tag) if e.get("name") == name]
        return found[0] if found else None

    text = control("Text", TEXT)
    if text is None or text.get("value") != f"${TEXT}":
        return f"it has no <Text name=\"{TEXT}\" value=\"${TEXT}\"> (the sentence)"
    expected = ((ACTOR, "Labels", "Label", {schema.actor_label}),
                (STANCE, "Choices", "Choice", set(schema.stances)),
                (SENTIMENT, "Choices", "Choice", set(schema.sentiments)))
    for name, tag, child, values in expected:
        element = control(tag, name)
        if element is None or element.get("toName") != TEXT:
            return f"it has no <{tag} name=\"{name}\" toName=\"{TEXT}\">"
        found = {c.get("value") for c in element.iter(child)}
        if found != values:
            return (f"its {name} values are {', '.join(sorted(map(str, found))) or 'none'}, not "
                    f"{', '.join(sorted(values))} (schemas/labels.toml)")
    if control("Choices", STANCE).get("perRegion") != "true":
        return f"its {STANCE} choices are not perRegion (one stance per actor span)"
    return None


def refuse_unknown_config(label_config) -> None:
    problem = config_problem(label_config)
    if problem:
        raise BadRequest(f"not annotate's labeling config: {problem}. Create the project with "
                         "`annotate export push` (its config comes from schemas/labels.toml)")


def task_records(tasks) -> list[dict]:
    """Label Studio tasks -> the sentence records the pre-labeller reads."""
    if not isinstance(tasks, list) or not tasks:
        raise BadRequest("'tasks' must be a non-empty list of tasks")
    records, missing = [], []
    for position, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get(TEXT) if isinstance(data, dict) else None
        if not isinstance(text, str):
            missing.append(str(task.get("id", f"#{position}")) if isinstance(task, dict)
                           else f"#{position}")
            continue
        records.append({"id": sentence_id(data, task.get("id")), "text": text})
    if missing:
        raise BadRequest(f"task(s) {', '.join(missing[:10])} have no data.{TEXT} (a string): "
                         "annotate predicts for the sentence in data.text")
    return records


def predictions(labelled: list[dict]) -> list[dict]:
    """One Label Studio prediction per pre-labelled record, in task order."""
    return [prediction(record) for record in labelled]
