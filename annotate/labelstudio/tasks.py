"""Pure conversion: prediction record -> Label Studio task with its prediction (push, and the
offline import file). No network here; the way back (export -> gold) is annotate.labelstudio.gold.

The control names are annotate.labelstudio.project's: `stance` (Labels on `text`: an actor span
labelled with its stance), `canonical_actor` (Choices per actor region, linked to it by sharing
the region's result `id`) and `sentiment` (Choices for the whole sentence).
"""

from __future__ import annotations

import html
from collections import defaultdict

from annotate.labelstudio.project import CANONICAL_ACTOR, SENTIMENT, STANCE, TEXT
from annotate.quality.ordering import certainty
from annotate.schema import DOCUMENT_FIELDS, load_schema


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
    # The document's metadata: columns of Label Studio's data manager (filter by outlet or date),
    # shown above the sentence through `source_html`, and carried back to the gold by pull.
    data.update({name: record[name] for name in DOCUMENT_FIELDS if record.get(name)})
    data["source_html"] = source_html(record)
    # Canonical actor names from the codebook: not shown, carried back to the gold records by pull
    # for the spans annotators keep.
    names = [{"start": a["start"], "end": a["end"], "actor": a["actor"]}
             for a in record.get("actors", []) if a.get("actor")]
    if names:
        data["actor_names"] = names
    return data


def prediction_result(record: dict) -> list[dict]:
    """Label Studio result items: per actor a span labelled with its stance and, linked to it, its
    codebook actor ("not in the codebook" when the record's `actor` is null); the sentiment."""
    not_in_codebook = load_schema().not_in_codebook
    result = []
    for i, actor in enumerate(sorted(record["actors"], key=lambda a: (a["start"], a["end"])), 1):
        region = {"start": actor["start"], "end": actor["end"], "text": actor["text"]}
        region_id = f"actor{i}"
        result.append({"id": region_id, "from_name": STANCE, "to_name": TEXT, "type": "labels",
                       "value": {**region, "labels": [actor["stance"]]}, "score": actor.get("score")})
        if "actor" in actor:  # absent: nobody said which codebook actor it is
            result.append({"id": region_id, "from_name": CANONICAL_ACTOR, "to_name": TEXT,
                           "type": "choices", "score": None,
                           "value": {**region, "choices": [actor["actor"] or not_in_codebook]}})
    result.append({"id": "sentiment", "from_name": SENTIMENT, "to_name": TEXT, "type": "choices",
                   "value": {"choices": [record["sentiment"]]},
                   "score": record.get("sentiment_score")})
    for item in result:
        if item["score"] is None:
            del item["score"]
    return result


def predicted_actors(records) -> list[str]:
    """The canonical actors named in prediction records, in first-seen order."""
    return list(dict.fromkeys(a["actor"] for r in records for a in r.get("actors", [])
                              if a.get("actor")))


def prediction(record: dict) -> dict:
    """The prediction object; its `score` (the least certain label) lets Label Studio sort by it."""
    return {"model_version": record["model_version"], "score": round(certainty(record), 4),
            "result": prediction_result(record)}


def source_line(record: dict) -> str:
    """"outlet · date · title" of the sentence's document (the parts it has), or ""."""
    return " · ".join(str(record[name]) for name in ("outlet", "date", "title") if record.get(name))


def source_html(record: dict) -> str:
    """The source line as the HTML Label Studio shows above the sentence: escaped, and a link to
    the document's URL (http and https only, opening in a new tab) when it has one."""
    line = source_line(record)
    url = str(record.get("url") or "")
    if not url.lower().startswith(("http://", "https://")):
        return f'<span class="annotate-source-line">{html.escape(line)}</span>' if line else ""
    return (f'<a class="annotate-source-line" href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{html.escape(line or url)}</a>')


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
