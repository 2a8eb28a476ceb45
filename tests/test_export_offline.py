"""The conversion shared by the server and the offline-file paths (no server needed)."""

from __future__ import annotations

import json

import pytest

from annotate.corpus import load_corpus_config
from annotate.errors import InputError
from annotate.labelstudio import tasks
from annotate.labelstudio.gold import gold_from_export
from annotate.labelstudio.project import (
    codebook_markdown,
    instructions,
    markdown_to_html,
)
from annotate.labelstudio.pull import pull_file
from annotate.labelstudio.push import load_predictions, write_import_file
from annotate.records import read_records, write_records

RECORD = {
    "id": "doc:1", "doc_id": "doc", "text": "Kenya's police chief praised the mission.",
    "actors": [{"start": 0, "end": 20, "text": "Kenya's police chief", "stance": "supportive",
                "score": 0.8, "actor": "Kenya Police"}],
    "sentiment": "positive", "sentiment_score": 0.7, "model_version": "m-1",
}


def _export_task(result, task_id=7, **annotation):
    return {"id": task_id, "data": tasks.task_data(RECORD, "the mission"), "drafts": [],
            "annotations": [{"id": 11, "completed_by": 3, "result": result,
                             "was_cancelled": False, "created_at": "2025-01-01T10:00:00Z",
                             "updated_at": "2025-01-01T10:00:05Z", **annotation}]}


def test_prediction_labels_each_span_with_its_stance_and_links_its_codebook_actor():
    result = tasks.prediction_result(RECORD)
    span, actor, sentiment = result
    assert span["id"] == actor["id"] != sentiment["id"]
    assert (span["from_name"], span["type"], span["value"]["labels"]) == ("stance", "labels",
                                                                          ["supportive"])
    assert (actor["from_name"], actor["type"], actor["value"]["choices"]) == (
        "canonical_actor", "choices", ["Kenya Police"])
    assert sentiment["value"] == {"choices": ["positive"]}
    assert tasks.prediction(RECORD)["score"] == 0.7  # the least certain label
    unknown = {**RECORD, "actors": [{**RECORD["actors"][0], "actor": None}]}
    assert tasks.prediction_result(unknown)[1]["value"]["choices"] == ["not in the codebook"]


def test_an_accepted_prediction_comes_back_as_the_same_gold():
    records, stats = gold_from_export([_export_task(tasks.prediction_result(RECORD))],
                                            {3: "ann@example.org"})
    (gold,) = records
    assert gold["actors"] == [{"start": 0, "end": 20, "text": "Kenya's police chief",
                               "stance": "supportive", "actor": "Kenya Police"}]
    assert (gold["id"], gold["sentiment"], gold["annotator"], gold["annotation_id"]) == (
        "doc:1", "positive", "ann@example.org", 11)
    assert "updated_by" not in gold
    assert stats.annotations == 1 and not stats.rejected and stats.edited_by_other == 0


def test_the_codebook_actor_chosen_in_the_interface_is_the_gold_actor():
    result = tasks.prediction_result(RECORD)
    result[1]["value"]["choices"] = ["Government of Kenya"]  # a pronoun given its referent
    (gold,), _ = gold_from_export([_export_task(result)], {})
    assert gold["actors"][0]["actor"] == "Government of Kenya"
    result[1]["value"]["choices"] = ["not in the codebook"]
    (gold,), _ = gold_from_export([_export_task(result)], {})
    assert gold["actors"][0]["actor"] is None
    del result[1]  # a span added by hand with no codebook actor chosen: nothing is claimed
    task = _export_task(result)
    task["data"].pop("actor_names")
    (gold,), _ = gold_from_export([task], {})
    assert "actor" not in gold["actors"][0]


def test_annotations_of_projects_made_with_the_actor_label_still_pull():
    """Before the span label was its stance: an `Actor` label plus a per-span stance choice."""
    region = {"start": 0, "end": 20, "text": "Kenya's police chief"}
    legacy = [{"id": "a1", "from_name": "actor", "to_name": "text", "type": "labels",
               "value": {**region, "labels": ["Actor"]}},
              {"id": "a1", "from_name": "stance", "to_name": "text", "type": "choices",
               "value": {**region, "choices": ["wary"]}},
              {"id": "s", "from_name": "sentiment", "to_name": "text", "type": "choices",
               "value": {"choices": ["neutral"]}}]
    (gold,), stats = gold_from_export([_export_task(legacy)], {})
    assert gold["actors"] == [{**region, "stance": "wary", "actor": "Kenya Police"}]
    legacy.pop(1)
    _, stats = gold_from_export([_export_task(legacy)], {})
    assert "has no stance" in stats.rejected[0]["problem"]


def test_an_annotation_another_annotator_saved_last_names_both():
    """Label Studio updates the first annotator's annotation in place when a second one submits
    it from the Data Manager: completed_by stays, updated_by changes."""
    users = {3: "first@example.org", 4: "second@example.org"}
    task = _export_task(tasks.prediction_result(RECORD), updated_by=4)
    (gold,), stats = gold_from_export([task], users)
    assert (gold["annotator"], gold["updated_by"]) == ("first@example.org", "second@example.org")
    assert stats.edited_by_other == 1
    task = _export_task(tasks.prediction_result(RECORD), updated_by=3)  # the author's own edit
    (gold,), stats = gold_from_export([task], users)
    assert "updated_by" not in gold and stats.edited_by_other == 0


@pytest.mark.parametrize("mutate,problem", [
    (lambda r: r[0]["value"].update(labels=[]), "actor span with labels []"),
    (lambda r: r.pop(0), "linked to no actor span"),
    (lambda r: r.pop(2), "no sentence sentiment"),
    (lambda r: r[0]["value"].update(labels=["hostile"]), "labels ['hostile']"),
    (lambda r: r.append({"id": "x", "from_name": "topic", "type": "choices",
                         "value": {"choices": ["a"]}}), "control 'topic'"),
    (lambda r: r[0]["value"].update(end=999), "does not fit the sentence"),
])
def test_annotations_that_do_not_fit_are_listed_never_dropped(mutate, problem):
    result = tasks.prediction_result(RECORD)
    mutate(result)
    records, stats = gold_from_export([_export_task(result)], {})
    assert records == []
    (reject,) = stats.rejected
    assert problem in reject["problem"]
    assert (reject["task_id"], reject["annotation_id"], reject["sentence_id"]) == (7, 11, "doc:1")


def test_skips_drafts_and_empty_tasks_are_counted():
    skipped = _export_task([], was_cancelled=True)
    skipped["drafts"] = [{"id": 1, "result": []}]
    empty = {"id": 8, "data": tasks.task_data(RECORD, None), "annotations": [], "drafts": []}
    records, stats = gold_from_export([skipped, empty], {})
    assert records == []
    assert (stats.tasks, stats.skipped, stats.drafts, stats.unannotated) == (2, 1, 1, 1)


def test_offline_files_round_trip(tmp_path):
    """push --to-file writes what Label Studio imports; an export of accepted predictions read with
    pull --from-file gives the records back."""
    second = {**RECORD, "id": "doc:2", "actors": [], "sentiment": "neutral"}
    write_records(tmp_path / "predictions.jsonl", [RECORD, second])
    records = load_predictions(tmp_path / "predictions.jsonl")
    write_import_file(records, tmp_path / "tasks.json", "the mission")
    imported = json.loads((tmp_path / "tasks.json").read_text())
    assert [t["data"]["prev_text"] for t in imported] == ["", RECORD["text"]]
    # What Label Studio's JSON export holds once an annotator submitted each prediction unchanged.
    exported = [{"id": i, "data": t["data"], "drafts": [],
                 "annotations": [{"id": 100 + i, "completed_by": 1, "was_cancelled": False,
                                  "result": t["predictions"][0]["result"],
                                  "created_at": "2025-01-01T00:00:00Z",
                                  "updated_at": "2025-01-01T00:00:00Z"}]}
                for i, t in enumerate(imported)]
    (tmp_path / "export.json").write_text(json.dumps(exported))
    stats = pull_file(tmp_path / "export.json", tmp_path / "gold.jsonl")
    gold = list(read_records(tmp_path / "gold.jsonl", "gold"))
    assert stats.annotations == 2
    assert [(g["id"], g["sentiment"], [(a["start"], a["end"], a["stance"]) for a in g["actors"]])
            for g in gold] == [("doc:1", "positive", [(0, 20, "supportive")]),
                               ("doc:2", "neutral", [])]


def test_a_repeated_sentence_id_names_the_line(tmp_path):
    write_records(tmp_path / "p.jsonl", [RECORD, RECORD])
    with pytest.raises(InputError, match=r"p.jsonl:2: sentence id 'doc:1' already appeared on line 1"):
        load_predictions(tmp_path / "p.jsonl")


def test_the_instructions_show_annotators_no_repository_paths_and_no_maintainers_notes():
    html = instructions(load_corpus_config("corpora/haiti-mss/corpus.toml"))
    for path in ("schemas/", "corpora/", ".toml", "annotate split", "<!--"):
        assert path not in html, path
    assert "a official" not in html and "an official" in html
    # Label Studio keeps <style> and class, strips style attributes: the look is a scoped sheet
    assert html.startswith("<style>") and '<div class="annotate-guidelines">' in html
    assert " style=" not in html


def test_guidelines_become_html():
    html = markdown_to_html("# Title\n\nSome *text* with `code`.\n\n- one\n- **two**\n")
    assert html == ("<h1>Title</h1>\n<p>Some <em>text</em> with <code>code</code>.</p>\n"
                    "<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>")


def test_the_corpus_codebook_joins_the_guidelines_as_a_table():
    html = instructions(load_corpus_config("corpora/haiti-mss/corpus.toml"))
    guidelines = instructions()
    assert html.startswith(guidelines.removesuffix("\n</div>")) and len(html) > len(guidelines)
    assert "<h2>Actor codebook (haiti-mss)</h2>" in html
    row = html[html.index("<td><strong>William Ruto</strong></td>"):]
    row = row[:row.index("</tr>")]
    assert "<td>person</td>" in row and "President Ruto" in row


def test_codebook_text_is_shown_literally():
    from annotate.codebook import Codebook

    codebook = Codebook.from_dict({"actors": [{
        "name": "A|B <script>", "category": "other", "aliases": ["*starred*", "R&D [x](y)"]}]})
    html = markdown_to_html(codebook_markdown(codebook, "c_1"))
    assert "<td><strong>A|B &lt;script&gt;</strong></td>" in html
    assert "<td>*starred*, R&amp;D [x](y)</td>" in html and "<script" not in html
    assert "Actor codebook (c_1)" in html


def test_every_task_carries_a_one_line_model_summary(tmp_path):
    two = dict(RECORD, actors=[*RECORD["actors"], {"start": 33, "end": 40, "text": "mission",
                                                    "stance": "none", "score": 0.5}])
    none = dict(RECORD, id="doc:2", actors=[])
    write_import_file([two, none], tmp_path / "tasks.json", "the mission")
    written = json.loads((tmp_path / "tasks.json").read_text())
    assert [t["data"]["model_summary"] for t in written] == [
        "Model: Kenya's police chief → supportive · mission → none", "Model: no actor"]
    assert tasks.task(two, None)["data"]["model_summary"] == written[0]["data"]["model_summary"]


def test_an_unwritable_push_index_is_a_clear_error():
    """/proc takes no new directories: the index cannot be saved there (root included)."""
    from pathlib import Path

    from annotate.errors import ConfigError
    from annotate.labelstudio.push_index import PushIndex

    store = PushIndex(Path("/proc/annotate-push-index"), "http://127.0.0.1:8080", 1,
                      "2025-01-01T00:00:00+00:00")
    with pytest.raises(ConfigError, match="cannot write the push index /proc/annotate-push-index/"):
        store.save({1: "d:1"})


def test_the_push_index_grows_by_one_line_per_batch_and_survives_a_torn_append(tmp_path):
    """Each batch appends its own pairs (the file grows by that batch only, so a push of N tasks
    writes O(N) bytes); a crash halfway through an append loses that batch's line, nothing else,
    and the next append first cuts the torn line off."""
    from annotate.labelstudio.push_index import PushIndex

    store = PushIndex(tmp_path / "push-index", "http://127.0.0.1:8080", 1, "2025-01-01T00:00:00")
    assert store.load() is None
    store.append([(1, "d:1"), (2, "d:2")])  # the first batch of a new project creates the file
    size = store.path.stat().st_size
    store.append([(3, "d:3"), (4, "d:4")])
    grown = store.path.stat().st_size - size
    store.append([(5, "d:5"), (6, "d:6")])
    assert store.path.stat().st_size - size == 2 * grown  # each batch adds its own line only
    assert store.load() == {1: "d:1", 2: "d:2", 3: "d:3", 4: "d:4", 5: "d:5", 6: "d:6"}
    with store.path.open("ab") as handle:  # the push was killed in the middle of a write
        handle.write(b'[[7, "d:7"], [8, "d')
    assert store.load() == {1: "d:1", 2: "d:2", 3: "d:3", 4: "d:4", 5: "d:5", 6: "d:6"}
    store.append([(9, "d:9")])
    assert store.load() == {1: "d:1", 2: "d:2", 3: "d:3", 4: "d:4", 5: "d:5", 6: "d:6",
                            9: "d:9"}
    store.save({1: "d:1"})  # a full listing replaces it whole
    assert store.load() == {1: "d:1"}
    other = PushIndex(tmp_path / "push-index", "http://127.0.0.1:8080", 1, "2025-02-01T00:00:00")
    assert other.load() is None  # a recreated project (new creation time) starts afresh


def test_label_studio_gets_its_fast_predictions_import_unless_told_otherwise(monkeypatch, tmp_path):
    """The flag that makes import/predictions check task ids per batch instead of validating and
    recounting the whole project per request; an operator's own setting wins."""
    from annotate.labelstudio import server

    monkeypatch.delenv(server.FAST_PREDICTION_IMPORT_FLAG, raising=False)
    assert server.server_env(tmp_path)[server.FAST_PREDICTION_IMPORT_FLAG] == "true"
    monkeypatch.setenv(server.FAST_PREDICTION_IMPORT_FLAG, "false")
    assert server.server_env(tmp_path)[server.FAST_PREDICTION_IMPORT_FLAG] == "false"


def test_a_prediction_file_changed_after_its_validation_stops_the_push(tmp_path):
    """The later passes parse the file without the schema check the first one made: they read it
    only while it is the file that was checked."""
    from annotate.labelstudio.push import PredictionFile

    path = tmp_path / "p.jsonl"
    write_records(path, [{**RECORD, "prev_text": "", "next_text": ""}])
    records = PredictionFile(path)
    assert [r["id"] for r in records] == ["doc:1"] and records.actors == ["Kenya Police"]
    path.write_text(json.dumps({"id": "doc:1", "text": "not a prediction"}) + "\n")
    with pytest.raises(InputError, match="changed while it was being pushed"):
        list(records)


def test_push_without_a_target_warns_and_names_the_fix(tmp_path):
    from click.testing import CliRunner

    from annotate.cli import main

    predictions = tmp_path / "p.jsonl"
    write_records(predictions, [RECORD, {**RECORD, "id": "doc:2", "target": "the mission"}])
    without = CliRunner().invoke(main, ["export", "push", str(predictions),
                                        "--to-file", str(tmp_path / "t.json")])
    assert without.exit_code == 0, without.output
    assert "warning: 1 sentences have no target" in without.stderr
    assert "--target" in without.stderr
    with_target = CliRunner().invoke(main, ["export", "push", str(predictions), "--target", "T",
                                            "--to-file", str(tmp_path / "t.json")])
    assert with_target.exit_code == 0 and "warning" not in with_target.stderr


NEWS = {**RECORD, "title": "Police chief <b>praises</b> mission", "date": "2024-05-14",
        "outlet": "Coastal Herald", "url": "https://herald.example.org/a?x=1&y=\"2\"",
        "author": "A. Writer"}


def test_tasks_carry_the_document_metadata_and_show_it_escaped_as_a_link():
    data = tasks.task(NEWS, "the mission")["data"]
    assert {k: data[k] for k in ("title", "date", "outlet", "url", "author")} == {
        k: NEWS[k] for k in ("title", "date", "outlet", "url", "author")}
    assert data["source_html"] == (
        '<a class="annotate-source-line" href="https://herald.example.org/a?x=1&amp;y=&quot;2&quot;" '
        'target="_blank" rel="noopener noreferrer">Coastal Herald · 2024-05-14 · Police chief '
        "&lt;b&gt;praises&lt;/b&gt; mission</a>")
    # no link for a URL that is not http(s); no line at all without metadata
    assert tasks.source_html({**NEWS, "url": "javascript:alert(1)"}).startswith("<span")
    assert tasks.task(RECORD, "the mission")["data"]["source_html"] == ""
    assert "title" not in tasks.task(RECORD, "the mission")["data"]


def test_the_labeling_config_shows_the_source_above_the_sentence():
    import xml.etree.ElementTree as ET

    from annotate.labelstudio.project import labeling_config

    root = ET.fromstring(labeling_config())
    order = [el.get("name") for el in root.iter() if el.tag in ("HyperText", "Text")]
    assert order == ["source", "prev_text", "text", "next_text"]
    source = next(root.iter("HyperText"))
    assert (source.get("value"), source.get("clickableLinks"), source.get("selectionEnabled")) == (
        "$source_html", "true", "false")


def test_pulled_gold_keeps_the_document_metadata():
    task_json = {"id": 7, "data": tasks.task(NEWS, "the mission")["data"], "drafts": [],
                 "annotations": [{"id": 11, "completed_by": 3, "was_cancelled": False,
                                  "result": tasks.prediction_result(NEWS),
                                  "created_at": "2025-01-01T10:00:00Z",
                                  "updated_at": "2025-01-01T10:00:05Z"}]}
    (gold,), stats = gold_from_export([task_json], {3: "ann@example.org"})
    assert {k: gold[k] for k in ("title", "date", "outlet", "url", "author")} == {
        k: NEWS[k] for k in ("title", "date", "outlet", "url", "author")}
    assert "source_html" not in gold and not stats.rejected
