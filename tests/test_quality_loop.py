"""The quality loop end to end against the real Label Studio server of the test session.

split -> prelabel -> push (uncertainty order) -> two annotators annotate through the API -> pull ->
agreement -> adjudicate (conflicts pushed for review) -> a reviewer decides them, pulled back ->
train on adjudicated + reviewed gold -> prelabel with the new model ->
push --update-predictions -> the new predictions are on the unannotated tasks only; report.
"""

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from label_studio_sdk import LabelStudio

from annotate.cli import main
from annotate.quality.ordering import margin

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "corpora" / "haiti-mss" / "articles" / "ruto-visit.md"
CORPUS_GOLD = ROOT / "corpora" / "haiti-mss" / "gold" / "articles.train.jsonl"
PROJECT, REVIEW = "quality-loop", "quality-loop-review"
ANN1, ANN2 = "loop-ann1@example.org", "loop-ann2@example.org"
# Positions (in article order) of the sentences both annotators label. 1 and 5 get a conflict.
ANNOTATED = (0, 1, 4, 5, 6, 8, 13, 14, 15, 16, 17)
SENTIMENT_CONFLICT, STANCE_CONFLICT = 1, 5


def run(args, env=None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exit_code == 0, f"annotate {' '.join(map(str, args))}\n{result.output}"
    return result


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]


def ls_result(record):
    """The result JSON Label Studio's editor submits for these labels (written out by hand)."""
    result = []
    for i, actor in enumerate(record["actors"]):
        region = {"start": actor["start"], "end": actor["end"], "text": actor["text"]}
        result.append({"id": f"r{i}", "from_name": "actor", "to_name": "text", "type": "labels",
                       "origin": "manual", "value": {**region, "labels": ["Actor"]}})
        result.append({"id": f"r{i}", "from_name": "stance", "to_name": "text", "type": "choices",
                       "origin": "manual", "value": {**region, "choices": [actor["stance"]]}})
    result.append({"id": "s", "from_name": "sentiment", "to_name": "text", "type": "choices",
                   "origin": "manual", "value": {"choices": [record["sentiment"]]}})
    return result


def second_opinion(position, record):
    """Annotator 2 agrees except on two sentences: a sentiment and one actor's stance."""
    record = json.loads(json.dumps(record))
    if position == SENTIMENT_CONFLICT:
        record["sentiment"] = "positive" if record["sentiment"] != "positive" else "neutral"
    if position == STANCE_CONFLICT:
        record["actors"][0]["stance"] = "critical" if record["actors"][0]["stance"] != "critical" \
            else "none"
    return record


def tasks_of(client, project_title):
    project = next(p for p in client.projects.list(title=project_title) if p.title == project_title)
    tasks = list(client.tasks.list(project=project.id, fields="all", page_size=1000))
    return project, tasks


def test_quality_loop(label_studio, tmp_path):
    env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
    sentences, predictions = tmp_path / "sentences.jsonl", tmp_path / "predictions.jsonl"
    run(["split", ARTICLE, "-o", sentences])
    run(["prelabel", sentences, "-o", predictions])
    first = read_jsonl(predictions)
    assert len(first) == 21

    # push, least certain first: task ids (creation order) follow the top-two margin of the
    # predictions (annotate.quality.ordering.margin)
    run(["export", "push", predictions, "--project", PROJECT, "--target", "the MSS mission",
         "--order", "uncertainty"], env)
    admin = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    project, tasks = tasks_of(admin, PROJECT)
    assert len(tasks) == 21
    by_sentence = {t.data["sentence_id"]: t for t in tasks}
    certainty_of = {r["id"]: margin(r) for r in first}
    in_task_order = [t.data["sentence_id"] for t in sorted(tasks, key=lambda t: t.id)]
    assert [certainty_of[s] for s in in_task_order] == sorted(certainty_of.values())

    # two annotators label the same 11 sentences through the API, as the editor would
    gold_by_text = {r["text"]: r for r in read_jsonl(CORPUS_GOLD)}
    annotated_ids = [first[p]["id"] for p in ANNOTATED]
    for email, opinion in ((ANN1, lambda p, r: r), (ANN2, second_opinion)):
        client = LabelStudio(base_url=label_studio.url,
                             api_key=label_studio.create_user(email, "Loop-pass-2718"))
        for position in ANNOTATED:
            record = opinion(position, gold_by_text[first[position]["text"]])
            client.annotations.create(id=by_sentence[first[position]["id"]].id,
                                      result=ls_result(record), lead_time=3.0)

    # pull: one gold record per sentence per annotator
    gold = tmp_path / "gold.jsonl"
    run(["export", "pull", "--project", PROJECT, "-o", gold], env)
    pulled = read_jsonl(gold)
    assert sorted((r["id"], r["annotator"]) for r in pulled) == sorted(
        (sid, email) for sid in annotated_ids for email in (ANN1, ANN2))

    # agreement on the pulled gold
    figures = json.loads(run(["agreement", gold, "--json"]).output)
    assert figures["sentences_multiply_annotated"] == 11
    pair = figures["pairs"][0]
    assert (pair["a"], pair["b"]) == (ANN1, ANN2)
    assert pair["sentiment_agreement"] == pytest.approx(10 / 11, abs=1e-4)
    assert pair["span_f1"] == 1.0 and pair["span_exact_f1"] == 1.0
    assert pair["stance_items"] == sum(len(gold_by_text[first[p]["text"]]["actors"])
                                       for p in ANNOTATED)
    assert sum(d["count"] for d in figures["disagreements"]["stance"]) == 1
    assert 0 < figures["sentiment_alpha"]["alpha"] < 1

    # adjudicate: 9 sentences decided, 2 conflicts held back and sent for review
    adjudicated, conflicts = tmp_path / "adjudicated.jsonl", tmp_path / "conflicts.jsonl"
    output = run(["adjudicate", gold, "-o", adjudicated, "--conflicts", conflicts,
                  "--push-review", "--project", REVIEW], env).output
    assert "2 review tasks created" in output
    decided = read_jsonl(adjudicated)
    assert sorted(r["id"] for r in decided) == sorted(
        first[p]["id"] for p in ANNOTATED if p not in (SENTIMENT_CONFLICT, STANCE_CONFLICT))
    for record in decided:
        expected = gold_by_text[record["text"]]
        assert record["sentiment"] == expected["sentiment"]
        assert [(a["start"], a["end"], a["stance"]) for a in record["actors"]] == \
            [(a["start"], a["end"], a["stance"]) for a in expected["actors"]]
    assert sorted(c["id"] for c in read_jsonl(conflicts)) == sorted(
        [first[SENTIMENT_CONFLICT]["id"], first[STANCE_CONFLICT]["id"]])
    _, review_tasks = tasks_of(admin, REVIEW)
    assert len(review_tasks) == 2
    for task in review_tasks:
        assert sorted(p.model_version for p in task.predictions) == [f"annotator:{ANN1}",
                                                                        f"annotator:{ANN2}"]
        # each prediction is that annotator's labeling, so the reviewer sees them side by side
        labelings = {p.model_version: sorted((r["from_name"], r["value"].get("start"),
                                              tuple(r["value"].get("choices")
                                                    or r["value"].get("labels") or []))
                                             for r in p.result)
                     for p in task.predictions}
        assert labelings[f"annotator:{ANN1}"] != labelings[f"annotator:{ANN2}"]
        sentence = task.data["sentence_id"]
        assert task.data["conflict"].startswith(
            "sentiment:" if sentence == first[SENTIMENT_CONFLICT]["id"] else "stance of")
        assert task.data["model_summary"] == f"In conflict: {task.data['conflict']}"
    # pushing the review again creates nothing
    output = run(["adjudicate", gold, "-o", adjudicated, "--conflicts", conflicts,
                  "--push-review", "--project", REVIEW], env).output
    assert "0 review tasks created, 2 already present" in output

    # a reviewer decides the conflicts in the review project (choosing annotator 1's labeling);
    # pulling that project and adjudicating it (one annotator) gives the missing gold
    review_client = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    for task in review_tasks:
        review_client.annotations.create(id=task.id, result=ls_result(gold_by_text[task.data["text"]]))
    reviewed, reviewed_gold = tmp_path / "reviewed.jsonl", tmp_path / "reviewed-gold.jsonl"
    run(["export", "pull", "--project", REVIEW, "-o", reviewed], env)
    run(["adjudicate", reviewed, "-o", reviewed_gold], env)
    assert sorted(r["id"] for r in read_jsonl(reviewed_gold)) == sorted(
        c["id"] for c in read_jsonl(conflicts))

    # train on the adjudicated and reviewed gold: a new model version whose card names that gold
    model_dir = tmp_path / "model-v2"
    run(["train", adjudicated, reviewed_gold, "-o", model_dir, "--folds", "2", "--name", "loop"])
    card = json.loads((model_dir / "model-card.json").read_text())
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (adjudicated, reviewed_gold)]
    assert [f["sha256"] for f in card["training_data"]] == digests
    assert card["training_size"]["records"] == 11
    new_version = card["model_version"]
    assert new_version not in {r["model_version"] for r in first}

    # its predictions go onto the tasks nobody annotated, and only those
    predictions_v2 = tmp_path / "predictions-v2.jsonl"
    run(["prelabel", sentences, "-o", predictions_v2, "--model", model_dir])
    assert {r["model_version"] for r in read_jsonl(predictions_v2)} == {new_version}
    run(["export", "push", predictions_v2, "--project", PROJECT, "--update-predictions"], env)
    _, tasks = tasks_of(admin, PROJECT)
    assert len(tasks) == 21  # nothing duplicated
    for task in tasks:
        versions = {p.model_version for p in task.predictions}
        if task.data["sentence_id"] in annotated_ids:
            assert new_version not in versions, task.data["sentence_id"]
        else:
            assert new_version in versions, task.data["sentence_id"]

    # a report from the pulled and adjudicated gold
    run(["report", adjudicated, "-o", tmp_path / "report", "--target", "the MSS mission"])
    assert "William Ruto" in (tmp_path / "report" / "stance_by_actor.csv").read_text()
