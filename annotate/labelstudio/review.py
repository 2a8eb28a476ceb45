"""Send adjudication conflicts back to Label Studio as review tasks.

Each conflicted sentence becomes one task in a review project, carrying one prediction per
annotator (`model_version = "annotator:<email>"`), so the reviewer switches between the competing
labelings in Label Studio's prediction selector and submits the decided one. The reviewer's
annotation comes back with `annotate export pull` like any other gold.

Idempotent like push: a sentence already in the review project is not created again. All HTTP goes
through annotate.labelstudio.client; project creation and task conversion are the ones push uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotate.labelstudio import client as labelstudio
from annotate.labelstudio import tasks
from annotate.labelstudio.project import ensure_project
from annotate.quality.adjudicate import describe_conflict

ANNOTATOR_VERSION_PREFIX = "annotator:"


@dataclass
class ReviewSummary:
    project_id: int
    project_created: bool
    conflicts: int
    created: int
    already_present: int


def annotator_prediction(conflict: dict, annotation: dict) -> dict:
    """One annotator's labels as a prediction record (the shape tasks.prediction converts)."""
    return {
        "id": conflict["id"], "text": conflict["text"],
        "actors": [{**actor, "score": 1.0} for actor in annotation["actors"]],
        "sentiment": annotation["sentiment"], "sentiment_score": 1.0,
        "model_version": f"{ANNOTATOR_VERSION_PREFIX}{annotation['annotator']}",
    }


def review_task(conflict: dict, target: str | None) -> dict:
    record = {k: v for k, v in conflict.items() if k in ("id", "text", "doc_id")}
    data = tasks.task_data(record, target)
    data["conflict"] = describe_conflict(conflict, with_annotators=False)
    # the labeling config shows model_summary above the sentence: for a reviewer, the conflict
    data["model_summary"] = f"In conflict: {data['conflict']}"
    predictions = [tasks.prediction(annotator_prediction(conflict, a))
                   for a in conflict["annotations"]]
    return {"data": data, "predictions": predictions}


def push_review(session, title: str, conflicts: list[dict], target: str | None = None) -> ReviewSummary:
    """Create a review task for each conflict not yet in project `title` (created if missing)."""
    actors = tasks.predicted_actors(a for c in conflicts for a in c["annotations"])
    project, created, _ = ensure_project(session, title, actors)
    present = set() if created else {t["sentence_id"] for t in
                                     labelstudio.task_index(session, project["id"])}
    new = [c for c in conflicts if c["id"] not in present]
    if new:
        labelstudio.import_tasks(session, project["id"], [review_task(c, target) for c in new])
    return ReviewSummary(project["id"], created, len(conflicts), len(new), len(conflicts) - len(new))
