"""Pure conversion between annotate records and Label Studio's JSON (no network here).

prediction record -> Label Studio task with its prediction (push, and the offline import file);
Label Studio export JSON (tasks with annotations) -> gold records (pull, and the offline export file).

The control names come from annotate.schema.labeling_config: `actor` (Labels on `text`), `stance`
(Choices per actor region, linked to it by sharing the region's result `id`) and `sentiment`
(Choices for the whole sentence).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from annotate.quality.ordering import certainty
from annotate.schema import load_schema, record_problem

ACTOR, STANCE, SENTIMENT, TEXT = "actor", "stance", "sentiment", "text"


# --- push: prediction records -> tasks -----------------------------------------------------------

def add_context(records: list[dict]) -> list[dict]:
    """Fill prev_text/next_text from the neighbouring sentences of the same document when missing.

    `annotate split` already writes them; records from elsewhere get them from file order.
    """
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_doc[record.get("doc_id", "")].append(record)
    for sentences in by_doc.values():
        for i, record in enumerate(sentences):
            if "prev_text" not in record:
                record["prev_text"] = sentences[i - 1]["text"] if i > 0 else ""
            if "next_text" not in record:
                record["next_text"] = sentences[i + 1]["text"] if i + 1 < len(sentences) else ""
    return records


def task_data(record: dict, target: str | None) -> dict:
    """The task's data; `sentence_id` is the idempotency key of push. `task` adds
    `model_summary`; `actor_names` holds canonical names, when the model found any."""
    data = {
        "sentence_id": record["id"],
        "doc_id": record.get("doc_id", ""),
        "text": record["text"],
        "prev_text": record.get("prev_text", ""),
        "next_text": record.get("next_text", ""),
        "target": target if target is not None else record.get("target", ""),
    }
    # Canonical actor names from the codebook: not shown, carried back to the gold records by pull
    # for the spans annotators keep.
    names = [{"start": a["start"], "end": a["end"], "actor": a["actor"]}
             for a in record.get("actors", []) if a.get("actor")]
    if names:
        data["actor_names"] = names
    return data


def prediction_result(record: dict) -> list[dict]:
    """Label Studio result items: one span + one linked stance per actor, and the sentiment."""
    actor_label = load_schema().actor_label
    result = []
    for i, actor in enumerate(sorted(record["actors"], key=lambda a: (a["start"], a["end"])), 1):
        region = {"start": actor["start"], "end": actor["end"], "text": actor["text"]}
        region_id = f"actor{i}"
        result.append({"id": region_id, "from_name": ACTOR, "to_name": TEXT, "type": "labels",
                       "value": {**region, "labels": [actor_label]}, "score": actor.get("score")})
        result.append({"id": region_id, "from_name": STANCE, "to_name": TEXT, "type": "choices",
                       "value": {**region, "choices": [actor["stance"]]}, "score": actor.get("score")})
    result.append({"id": "sentiment", "from_name": SENTIMENT, "to_name": TEXT, "type": "choices",
                   "value": {"choices": [record["sentiment"]]},
                   "score": record.get("sentiment_score")})
    for item in result:
        if item["score"] is None:
            del item["score"]
    return result


def prediction(record: dict) -> dict:
    """The prediction object; its `score` (the least certain label) lets Label Studio sort by it."""
    return {"model_version": record["model_version"], "score": round(certainty(record), 4),
            "result": prediction_result(record)}


def model_summary(record: dict) -> str:
    """One line with every predicted actor's stance: Label Studio shows a span's stance only
    while the span is selected, so this lets an annotator check them all at a glance."""
    actors = sorted(record.get("actors") or [], key=lambda a: (a["start"], a["end"]))
    if not actors:
        return "Model: no actor"
    return "Model: " + " · ".join(f"{a['text']} → {a['stance']}" for a in actors)


def task(record: dict, target: str | None) -> dict:
    """The task push imports (server and --to-file alike): data, model summary, prediction."""
    data = {**task_data(record, target), "model_summary": model_summary(record)}
    return {"data": data, "predictions": [prediction(record)]}


# --- pull: export JSON -> gold records -----------------------------------------------------------

@dataclass
class PullStats:
    tasks: int = 0
    annotations: int = 0          # converted to gold records
    skipped: int = 0              # cancelled ("Skip") annotations
    drafts: int = 0               # drafts are work in progress: left out
    unannotated: int = 0          # tasks with no submitted or skipped annotation
    unchanged: int = 0            # older than --since
    rejected: list[dict] = field(default_factory=list)  # results that do not fit the schema
    latest: str | None = None     # newest updated_at seen (the next --since last)


class Misfit(Exception):
    """An annotation that does not fit the schema; it goes to the rejects, never silently away."""


class MalformedExport(ValueError):
    """The export JSON is not shaped like Label Studio's (a task that is not an object, a
    timestamp that is not a time...): nothing can be converted, so pull stops."""


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _annotator(completed_by, users: dict) -> str:
    if isinstance(completed_by, dict):  # snapshot exports with completed_by expanded
        return completed_by.get("email") or f"user:{completed_by.get('id')}"
    return users.get(completed_by) or f"user:{completed_by}"


def _single_choice(item: dict, allowed: tuple[str, ...], what: str) -> str:
    choices = item.get("value", {}).get("choices") or []
    if len(choices) != 1 or choices[0] not in allowed:
        raise Misfit(f"{what} {choices!r} is not exactly one of {', '.join(allowed)}")
    return choices[0]


def gold_from_annotation(task_json: dict, annotation: dict, annotator: str) -> dict:
    """One annotation -> one gold record; raise Misfit naming what does not fit."""
    schema = load_schema()
    data = task_json.get("data", {})
    if not data.get("sentence_id") or not data.get("text"):
        raise Misfit("the task has no sentence_id/text in its data (not pushed by annotate?)")
    text = data["text"]
    spans, stances, sentiments = {}, {}, []
    for item in annotation.get("result") or []:
        name, region_id = item.get("from_name"), item.get("id")
        value = item.get("value", {})
        if name == ACTOR:
            if value.get("labels") != [schema.actor_label]:
                raise Misfit(f"actor span with labels {value.get('labels')!r}; expected "
                             f"[{schema.actor_label!r}]")
            start, end = value.get("start"), value.get("end")
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
                raise Misfit(f"actor span {start}-{end} does not fit the sentence")
            spans[region_id] = {"start": start, "end": end, "text": text[start:end]}
        elif name == STANCE:
            stances[region_id] = _single_choice(item, schema.stances, "stance")
        elif name == SENTIMENT:
            sentiments.append(_single_choice(item, schema.sentiments, "sentiment"))
        else:
            raise Misfit(f"a result from the control {name!r}, which the schema does not have")
    for region_id, span in spans.items():
        if region_id not in stances:
            raise Misfit(f"actor span {span['text']!r} ({span['start']}-{span['end']}) has no stance")
    orphans = set(stances) - set(spans)
    if orphans:
        raise Misfit(f"a stance linked to no actor span (result id {sorted(orphans)[0]!r})")
    if len(sentiments) != 1:
        raise Misfit("no sentence sentiment" if not sentiments else "more than one sentiment")
    names = {(n["start"], n["end"]): n["actor"] for n in data.get("actor_names") or []}
    actors = []
    for region_id, span in sorted(spans.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"])):
        actor = {**span, "stance": stances[region_id]}
        if (span["start"], span["end"]) in names:
            actor["actor"] = names[(span["start"], span["end"])]
        actors.append(actor)
    record = {"id": data["sentence_id"], "doc_id": data.get("doc_id", ""), "text": text,
              "actors": actors, "sentiment": sentiments[0], "annotator": annotator,
              "annotation_id": annotation["id"], "task_id": task_json.get("id"),
              "created_at": annotation.get("created_at"), "updated_at": annotation.get("updated_at")}
    if annotation.get("lead_time") is not None:
        record["lead_time"] = annotation["lead_time"]
    if data.get("target"):
        record["target"] = data["target"]
    problem = record_problem(record, "gold")
    if problem:
        raise Misfit(problem)
    return record


def _json_type(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def time_problem(value) -> str | None:
    """Why `value` is not a time Label Studio writes (None when it is one, or absent)."""
    if value is None:
        return None
    try:
        parse_time(value if isinstance(value, str) else "")
    except ValueError:
        return f"{value!r} is not an ISO 8601 time"
    return None


def _shape_problem(task_json) -> str | None:
    """What keeps a task of an export file from being read at all (None when it is fine)."""
    if not isinstance(task_json, dict):
        return f"the task is {_json_type(task_json)}, not an object"
    if not isinstance(task_json.get("data", {}), dict):
        return "its `data` is not an object"
    for key in ("annotations", "drafts"):
        if not isinstance(task_json.get(key) or [], list):
            return f"its `{key}` is {_json_type(task_json[key])}, not a list"
    for annotation in task_json.get("annotations") or []:
        if not isinstance(annotation, dict):
            return f"an annotation is {_json_type(annotation)}, not an object"
        if not isinstance(annotation.get("id", 0), int):
            return f"annotation id {annotation['id']!r} is not a number"
        result = annotation.get("result") or []
        if not isinstance(result, list) or not all(
                isinstance(item, dict) and isinstance(item.get("value", {}), dict) for item in result):
            return f"the `result` of annotation {annotation.get('id')} is not a list of result objects"
        for key in ("created_at", "updated_at"):
            problem = time_problem(annotation.get(key))
            if problem:
                return f"the {key} of annotation {annotation.get('id')}: {problem}"
    return None


def gold_from_export(tasks: Iterable[dict], users: dict, since: datetime | None = None
                     ) -> tuple[list[dict], PullStats]:
    """Gold records (one per sentence per annotator) from Label Studio's JSON export, and counts.

    Raises MalformedExport, naming the task (its position from 1 and its id), when a task is not
    shaped like Label Studio's."""
    stats = PullStats()
    records = []
    for position, task_json in enumerate(tasks, 1):
        problem = _shape_problem(task_json)
        if problem:
            task_id = task_json.get("id") if isinstance(task_json, dict) else None
            raise MalformedExport(f"task {position}" + (f" (id {task_id})" if task_id is not None
                                                        else "") + f": {problem}")
        stats.tasks += 1
        stats.drafts += len(task_json.get("drafts") or [])
        annotations = sorted(task_json.get("annotations") or [], key=lambda a: a.get("id", 0))
        if not annotations:
            stats.unannotated += 1
        for annotation in annotations:
            updated = annotation.get("updated_at") or annotation.get("created_at")
            if updated and (stats.latest is None or parse_time(updated) > parse_time(stats.latest)):
                stats.latest = updated
            if since is not None and updated and parse_time(updated) <= since:
                stats.unchanged += 1
                continue
            if annotation.get("was_cancelled"):
                stats.skipped += 1
                continue
            annotator = _annotator(annotation.get("completed_by"), users)
            try:
                records.append(gold_from_annotation(task_json, annotation, annotator))
                stats.annotations += 1
            except Misfit as exc:
                stats.rejected.append({
                    "task_id": task_json.get("id"), "annotation_id": annotation.get("id"),
                    "sentence_id": (task_json.get("data") or {}).get("sentence_id"),
                    "annotator": annotator, "problem": str(exc),
                    "result": annotation.get("result")})
    return records, stats


# --- the guidelines and the codebook as the annotators' instructions -----------------------------

# Characters Python-Markdown gives a meaning to (inline syntax, and `|` with the tables extension);
# a backslash makes each one literal.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def markdown_to_html(text: str) -> str:
    """Markdown (with tables) to HTML for Label Studio's instructions panel, by Python-Markdown.
    Raw HTML in the text passes through: the guidelines are ours; codebook text is escaped by
    `_literal` before it gets here."""
    import markdown

    return markdown.markdown(text, extensions=["tables"], output_format="html")


def _literal(text: str) -> str:
    """Text shown as it is in a Markdown table cell: Python-Markdown lets raw HTML through and
    reads emphasis, links and `|`, so those are escaped (the one escaping done by hand)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def codebook_markdown(codebook, corpus_name: str) -> str:
    """The actor codebook as a Markdown table: canonical name, category, aliases, note."""
    lines = [f"## Actor codebook ({_literal(corpus_name)})", "",
             "The canonical actors of this corpus and the words that name them. A span that names "
             "one of them (by any alias) is that actor; other actors are marked all the same.", "",
             "| Actor | Category | Aliases | Note |", "|---|---|---|---|"]
    for actor in codebook.actors:
        aliases = [a for a in actor.aliases if a != actor.name]
        note = " ".join(filter(None, [actor.affiliation and f"Part of {actor.affiliation}.",
                                      actor.note]))
        lines.append(f"| **{_literal(actor.name)}** | {_literal(actor.category)} | "
                     f"{', '.join(map(_literal, aliases))} | {_literal(note)} |")
    return "\n".join(lines) + "\n"
