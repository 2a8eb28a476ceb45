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
from annotate.labelstudio.project import CANONICAL_ACTOR, TEXT, labeling_config
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


def _prediction_controls(root) -> dict[str, ElementTree.Element]:
    """The controls a prediction fills in (they label the sentence), by name."""
    return {e.get("name"): e for e in root.iter()
            if e.tag in ("Labels", "Choices") and e.get("toName") == TEXT}


@functools.lru_cache(maxsize=1)
def _expected_controls() -> dict[str, ElementTree.Element]:
    # What push creates projects with: the config annotate.labelstudio.project generates.
    return _prediction_controls(ElementTree.fromstring(labeling_config(load_schema())))


@functools.lru_cache(maxsize=32)  # Label Studio sends the same config with every request
def config_problem(label_config) -> str | None:
    """Why Label Studio's labeling config is not one annotate predicts for (None when it is).

    Checked against the config annotate.labelstudio.project generates (push's): the sentence's
    Text and every control a prediction fills in (name, tag, toName, perRegion, values); layout,
    styles and hints may differ. The codebook-actor choices come from the project's corpus, so
    only "not in the codebook" is required among them."""
    if not isinstance(label_config, str) or not label_config.strip():
        return "no labeling config was sent"
    if len(label_config) > MAX_CONFIG_CHARS:
        return "the labeling config is too large"
    try:
        root = ElementTree.fromstring(label_config)
    except ElementTree.ParseError as exc:
        return f"the labeling config is not XML ({exc})"
    schema = load_schema()
    texts = [e for e in root.iter("Text") if e.get("name") == TEXT]
    if not texts or texts[0].get("value") != f"${TEXT}":
        return f"it has no <Text name=\"{TEXT}\" value=\"${TEXT}\"> (the sentence)"
    found = _prediction_controls(root)
    for name, expected in _expected_controls().items():
        control = found.get(name)
        if control is None or control.tag != expected.tag:
            return f"it has no <{expected.tag} name=\"{name}\" toName=\"{TEXT}\">"
        if control.get("perRegion") != expected.get("perRegion"):
            return (f"its {name} control is {'not ' if expected.get('perRegion') else ''}"
                    "perRegion (as in the config push generates)")
        values = {c.get("value") for c in control if c.tag in ("Label", "Choice")}
        wanted = {c.get("value") for c in expected if c.tag in ("Label", "Choice")}
        if name == CANONICAL_ACTOR:  # the corpus's codebook actors vary per project
            if schema.not_in_codebook not in values:
                return f"its {name} choices lack {schema.not_in_codebook!r}"
        elif values != wanted:
            return (f"its {name} values are {', '.join(sorted(map(str, values))) or 'none'}, not "
                    f"{', '.join(sorted(wanted))} (schemas/labels.toml)")
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
