"""Pure conversion: Label Studio's export JSON (tasks with annotations) -> gold records (pull, and
the offline export file). No network here.

An actor span is a `stance` label on the sentence; its codebook actor is the per-region
`canonical_actor` choice sharing its result id. Projects made before that layout (an `Actor` label
plus a per-region `stance` choice) are read too. Results that do not fit the schema become
rejects, never silently dropped. An annotation last saved by someone other than its author (Label
Studio lets a second annotator edit the first one's annotation in place) names both: `annotator`
(completed_by) and `updated_by`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from annotate.labelstudio.project import CANONICAL_ACTOR, LEGACY_ACTOR, SENTIMENT, STANCE
from annotate.schema import DOCUMENT_FIELDS, load_schema, record_problem
from annotate.timestamps import parse_time


@dataclass
class PullStats:
    tasks: int = 0
    annotations: int = 0          # converted to gold records
    skipped: int = 0              # cancelled ("Skip") annotations
    drafts: int = 0               # drafts are work in progress: left out
    unannotated: int = 0          # tasks with no submitted or skipped annotation
    unchanged: int = 0            # older than --since
    edited_by_other: int = 0      # last saved by someone other than its author: both named
    rejected: list[dict] = field(default_factory=list)  # results that do not fit the schema
    recovered: list[dict] = field(default_factory=list)  # spans whose offsets were recovered
    task_ids: list = field(default_factory=list)        # every task and annotation id seen
    annotation_ids: list = field(default_factory=list)
    deleted_tasks: list = field(default_factory=list)   # in the last pull's state, gone now
    deleted_annotations: list = field(default_factory=list)
    latest: str | None = None     # newest updated_at seen (the next --since last)
    # what was written: a --since pull into an existing output merges into it (never shrinks it)
    merged: bool = False
    replaced: int = 0             # earlier records (or rejects) superseded by a newer version
    records_written: int = 0      # records in the output after the pull
    rejects_written: int = 0      # entries in its rejects file after the pull


class Misfit(Exception):
    """An annotation that does not fit the schema; it goes to the rejects, never silently away."""


class MalformedExport(ValueError):
    """The export JSON is not shaped like Label Studio's (a task that is not an object, a
    timestamp that is not a time...): nothing can be converted, so pull stops."""


def _annotator(completed_by, users: dict) -> str:
    if isinstance(completed_by, dict):  # snapshot exports with completed_by expanded
        return completed_by.get("email") or f"user:{completed_by.get('id')}"
    return users.get(completed_by) or f"user:{completed_by}"


def _user_id(user):
    return user.get("id") if isinstance(user, dict) else user


def other_editor(annotation: dict):
    """The user id (or embedded user) of whoever last saved `annotation`, when that is not its
    author; None when the author did, or when the export does not say."""
    editor = annotation.get("updated_by")
    if editor is None or _user_id(editor) == _user_id(annotation.get("completed_by")):
        return None
    return editor


def _single_choice(item: dict, allowed: tuple[str, ...] | None, what: str) -> str:
    """The one choice of a result; `allowed` None takes any one string."""
    choices = item.get("value", {}).get("choices") or []
    if allowed is None:
        if len(choices) != 1 or not isinstance(choices[0], str):
            raise Misfit(f"{what} {choices!r} is not exactly one name")
    elif len(choices) != 1 or choices[0] not in allowed:
        raise Misfit(f"{what} {choices!r} is not exactly one of {', '.join(allowed)}")
    return choices[0]


def _utf16_to_code_points(text: str, offset: int) -> int | None:
    """The code-point offset of a UTF-16 code-unit offset into `text` (None if it splits a
    character or lies beyond the text)."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def _recover(text: str, start, end, stored: str) -> tuple[int, int, str] | None:
    """The span the annotator meant when the offsets do not give Label Studio's own `value.text`:
    UTF-16 offsets (what JavaScript tools and some importers write), or offsets off by one."""
    if isinstance(start, int) and isinstance(end, int):
        converted = (_utf16_to_code_points(text, start), _utf16_to_code_points(text, end))
        if None not in converted and text[converted[0]:converted[1]] == stored:
            return converted[0], converted[1], "UTF-16 offsets"
        shifted = [(start + a, end + b) for a in (-1, 0, 1) for b in (-1, 0, 1) if a or b]
        fits = [(s, e) for s, e in shifted if 0 <= s < e <= len(text) and text[s:e] == stored]
        if len(fits) == 1:
            return fits[0][0], fits[0][1], "offsets off by one"
    return None


def checked_offsets(text: str, value: dict, recoveries: list | None = None) -> tuple[int, int]:
    """A span's (start, end) in code points, checked against the `text` Label Studio stored with
    it (when it stored one). A mismatch is recovered when the intent is unambiguous (noted in
    `recoveries`), else it is a Misfit: the annotation goes to the rejects, never in as the
    wrong words."""
    start, end = value.get("start"), value.get("end")
    stored = value.get("text")
    fits = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    if fits and (not isinstance(stored, str) or text[start:end] == stored):
        return start, end
    if isinstance(stored, str) and stored:
        recovered = _recover(text, start, end, stored)
        if recovered is not None:
            if recoveries is not None:
                recoveries.append({"from": [start, end], "to": list(recovered[:2]),
                                   "text": stored, "reason": recovered[2]})
            return recovered[0], recovered[1]
        if fits:
            raise Misfit(f"actor span {start}-{end} reads {text[start:end]!r} in the sentence but "
                         f"Label Studio stored {stored!r} for it; fix the span in Label Studio")
    raise Misfit(f"actor span {start}-{end} does not fit the sentence")


def _span(value: dict, text: str, recoveries: list | None = None) -> dict:
    start, end = checked_offsets(text, value, recoveries)
    return {"start": start, "end": end, "text": text[start:end]}


def sentence_id(data: dict, task_id) -> str:
    """The task's sentence id: push's `sentence_id`, else (a task imported through Label
    Studio itself) "task:<task id>", unique within the project."""
    return str(data.get("sentence_id") or f"task:{task_id}")


def gold_from_annotation(task_json: dict, annotation: dict, annotator: str,
                         updated_by: str | None = None, recoveries: list | None = None) -> dict:
    """One annotation -> one gold record; raise Misfit naming what does not fit. Spans whose
    offsets had to be recovered (see `checked_offsets`) are noted in `recoveries`."""
    schema = load_schema()
    data = task_json.get("data", {})
    if not isinstance(data.get("text"), str) or not data["text"]:
        raise Misfit("the task has no text in its data (a sentence to label)")
    text = data["text"]
    spans, stances, canonical, sentiments = {}, {}, {}, []
    for item in annotation.get("result") or []:
        name, region_id, kind = item.get("from_name"), item.get("id"), item.get("type")
        value = item.get("value", {})
        if (name == STANCE and kind == "labels") or name == LEGACY_ACTOR:
            spans[region_id] = _span(value, text, recoveries)
            if name == STANCE:  # the span's label is its stance
                labels = value.get("labels") or []
                if len(labels) != 1 or labels[0] not in schema.stances:
                    raise Misfit(f"actor span with labels {labels!r}; expected exactly one of "
                                 f"{', '.join(schema.stances)}")
                stances[region_id] = labels[0]
            elif value.get("labels") != [schema.actor_label]:
                raise Misfit(f"actor span with labels {value.get('labels')!r}; expected "
                             f"[{schema.actor_label!r}]")
        elif name == STANCE:  # projects made before the span label was the stance
            stances[region_id] = _single_choice(item, schema.stances, "stance")
        elif name == CANONICAL_ACTOR:
            canonical[region_id] = _single_choice(item, None, "codebook actor")
        elif name == SENTIMENT:
            sentiments.append(_single_choice(item, schema.sentiments, "sentiment"))
        else:
            raise Misfit(f"a result from the control {name!r}, which the schema does not have")
    for region_id, span in spans.items():
        if region_id not in stances:
            raise Misfit(f"actor span {span['text']!r} ({span['start']}-{span['end']}) has no stance")
    orphans = (set(stances) | set(canonical)) - set(spans)
    if orphans:
        raise Misfit(f"a stance or codebook actor linked to no actor span (result id "
                     f"{sorted(orphans)[0]!r})")
    if len(sentiments) != 1:
        raise Misfit("no sentence sentiment" if not sentiments else "more than one sentiment")
    names = {(n["start"], n["end"]): n["actor"] for n in data.get("actor_names") or []}
    actors = []
    for region_id, span in sorted(spans.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"])):
        actor = {**span, "stance": stances[region_id]}
        if region_id in canonical:  # chosen (or kept) in the interface
            chosen = canonical[region_id]
            actor["actor"] = None if chosen == schema.not_in_codebook else chosen
        elif (span["start"], span["end"]) in names:  # legacy projects: the predicted name
            actor["actor"] = names[(span["start"], span["end"])]
        actors.append(actor)
    record = {"id": sentence_id(data, task_json.get("id")), "doc_id": data.get("doc_id", ""),
              "text": text,
              "actors": actors, "sentiment": sentiments[0], "annotator": annotator,
              "annotation_id": annotation["id"], "task_id": task_json.get("id"),
              "created_at": annotation.get("created_at"), "updated_at": annotation.get("updated_at")}
    if updated_by is not None:
        record["updated_by"] = updated_by
    if annotation.get("lead_time") is not None:
        record["lead_time"] = annotation["lead_time"]
    if data.get("target"):
        record["target"] = data["target"]
    record.update({name: data[name] for name in DOCUMENT_FIELDS if data.get(name)})
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
    return list(iter_gold(tasks, users, stats, since)), stats


def iter_gold(tasks: Iterable[dict], users, stats: PullStats, since: datetime | None = None
              ) -> Iterator[dict]:
    """`gold_from_export`, one record at a time (for exports streamed from disk); `stats` is
    complete once the records are consumed. `users` is any mapping of user id -> email."""
    task_positions: dict = {}
    annotation_tasks: dict = {}
    for position, task_json in enumerate(tasks, 1):
        problem = _shape_problem(task_json) or _repeated_id_problem(
            task_json, position, task_positions, annotation_tasks)
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
            editor = other_editor(annotation)
            updated_by = None if editor is None else _annotator(editor, users)
            recoveries: list[dict] = []
            try:
                record = gold_from_annotation(task_json, annotation, annotator, updated_by,
                                              recoveries)
            except Misfit as exc:
                stats.rejected.append({
                    "task_id": task_json.get("id"), "annotation_id": annotation.get("id"),
                    "sentence_id": (task_json.get("data") or {}).get("sentence_id"),
                    "annotator": annotator, **({"updated_by": updated_by} if updated_by else {}),
                    "problem": str(exc), "result": annotation.get("result")})
                continue
            stats.annotations += 1
            stats.edited_by_other += updated_by is not None
            stats.recovered += [{"task_id": task_json.get("id"),
                                 "annotation_id": annotation.get("id"), **r} for r in recoveries]
            yield record
    stats.task_ids = sorted(task_id for task_id in task_positions if task_id is not None)
    stats.annotation_ids = sorted(annotation_tasks)


def _repeated_id_problem(task_json: dict, position: int, task_positions: dict,
                         annotation_tasks: dict) -> str | None:
    """Two tasks with one id, or one annotation id twice, is not an export Label Studio makes
    (two exports pasted together?): which copy is right cannot be told, so pull stops."""
    task_id = task_json.get("id")
    if task_id is not None and task_id in task_positions:
        return (f"task id {task_id} was already used by task {task_positions[task_id]}; an "
                "export lists each task once: export the project again")
    task_positions[task_id] = position
    for annotation in task_json.get("annotations") or []:
        annotation_id = annotation.get("id")
        if annotation_id is None:
            continue
        if annotation_id in annotation_tasks:
            return (f"annotation id {annotation_id} appears twice (also in task "
                    f"{annotation_tasks[annotation_id]}); export the project again")
        annotation_tasks[annotation_id] = task_id if task_id is not None else f"#{position}"
    return None
