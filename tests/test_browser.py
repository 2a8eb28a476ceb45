"""The annotator's experience, end to end in a real Chromium against a real Label Studio.

Pushed with `annotate export push`, labelled through the UI by an annotator (a user of its own),
pulled back with `annotate export pull`. Every click and key press is counted: accepting a correct
pre-label must take one action, fixing a wrong stance at most three (figures in BENCHMARKS.md).
Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from browser_helpers import Annotator, chromium_page, record_effort
from click.testing import CliRunner

from annotate.cli import main
from annotate.codebook import Codebook
from annotate.corpus import load_corpus_config
from annotate.labelstudio.tasks import model_summary
from annotate.records import read_records, write_records
from annotate.schema import load_schema, schema_file

pytestmark = pytest.mark.browser

TARGET = "the Kenya-led Multinational Security Support mission in Haiti"
MODEL = "baseline-browser-test"
# the first line of schemas/guidelines.md, which push makes the project's instructions
GUIDELINES = schema_file("guidelines.md").read_text(encoding="utf-8")
GUIDELINES_TITLE = GUIDELINES.splitlines()[0].lstrip("# ")
CORPUS = "corpora/haiti-mss/corpus.toml"
# a canonical actor that only the corpus's codebook names (push --corpus adds it to the instructions)
CODEBOOK_ONLY_ACTOR = next(a for a in Codebook.load(load_corpus_config(CORPUS).codebook).actors
                           if a.name not in GUIDELINES)


def prediction(n, text, prev_text, next_text, actors, sentiment):
    return {
        "id": f"browser-doc:{n}", "doc_id": "browser-doc", "text": text, "target": TARGET,
        "prev_text": prev_text, "next_text": next_text, "model_version": MODEL,
        "actors": [{"start": s, "end": e, "text": text[s:e], "stance": stance, "score": 0.61}
                   for s, e, stance in actors],
        "sentiment": sentiment, "sentiment_score": 0.7,
    }


def labels(record):
    """What an annotator decides for a sentence: its actor spans with stances, and the sentiment."""
    return {"id": record["id"], "sentiment": record["sentiment"],
            "actors": sorted((a["start"], a["end"], a["text"], a["stance"]) for a in record["actors"])}


KENYA = "Kenya welcomed the deployment of the mission to Port-au-Prince."
LAWMAKERS = "Opposition lawmakers said the deployment was unconstitutional."
COUNCIL = "The Security Council authorised the mission in October."
RAIN = "Heavy rain flooded several roads in the capital on Monday."
MINISTER = "Haiti's prime minister praised the Kenyan officers."


def test_annotator_fixes_a_stance_adds_a_span_and_sets_the_sentiment(label_studio, push, pull):
    records = [
        # wrong stance: Kenya welcomes the mission, the model says critical
        prediction(1, KENYA, "The first Kenyan police officers landed on Tuesday.", LAWMAKERS,
                   [(0, 5, "critical")], "positive"),
        # missed actor and wrong sentiment
        prediction(2, LAWMAKERS, KENYA, "The vote is due next week.", [], "neutral"),
    ]
    project = "browser-fix"
    push(records, project)
    email, password = "fixer@example.org", "Fixer-pass-2024"
    label_studio.create_user(email, password)

    with chromium_page() as page:
        annotator = Annotator(page, label_studio.url, "fix")
        annotator.log_in(email, password)
        annotator.start_labeling(project)

        # sentence 1: the pre-labels are displayed; fix the stance in three actions
        assert annotator.sentence() == KENYA
        assert annotator.spans() == ["Kenya"]
        assert annotator.sentiment() == "positive"
        # every predicted stance is readable without selecting a span
        assert annotator.model_summary() == "Model: Kenya → critical" == model_summary(records[0])
        assert annotator.stance() is None  # no span selected yet: the hint is shown instead
        annotator.screenshot("prelabels")
        mark = len(annotator.actions)
        annotator.click_span("Kenya")
        assert annotator.stance() == "critical"  # the predicted stance, shown on the selected span
        annotator.screenshot("span-selected")
        annotator.press("1")
        assert annotator.stance() == "supportive"
        annotator.screenshot("stance-fixed")
        annotator.submit()
        fix_stance = annotator.actions[mark:]

        # sentence 2: no pre-labelled actor; add one, give it a stance, fix the sentiment
        assert annotator.sentence() == LAWMAKERS
        assert annotator.spans() == []
        assert annotator.model_summary() == "Model: no actor"
        assert annotator.sentiment() == "neutral"
        mark = len(annotator.actions)
        annotator.press("a")
        annotator.drag_over(0, len("Opposition lawmakers"))
        assert annotator.spans() == ["Opposition lawmakers"]
        annotator.click_span("Opposition lawmakers")
        annotator.press("3")
        annotator.press("e")
        assert (annotator.stance(), annotator.sentiment()) == ("critical", "negative")
        annotator.screenshot("span-added")
        annotator.submit()
        add_span = annotator.actions[mark:]
        annotator.screenshot("queue-done")

    assert len(fix_stance) <= 3, fix_stance
    gold = pull(project)
    assert {r["annotator"] for r in gold} == {email}
    assert sorted(map(labels, gold), key=lambda r: r["id"]) == [
        {"id": "browser-doc:1", "sentiment": "positive", "actors": [(0, 5, "Kenya", "supportive")]},
        {"id": "browser-doc:2", "sentiment": "negative",
         "actors": [(0, 20, "Opposition lawmakers", "critical")]},
    ]
    record_effort("fix a wrong stance", fix_stance)
    # the same as labelling a one-actor sentence from scratch: the baseline of the figures above
    record_effort("add a missed actor with its stance and fix the sentiment", add_span)


def test_annotator_accepts_correct_prelabels_with_one_action(label_studio, push, pull):
    records = [
        prediction(1, COUNCIL, "Kenya had asked for a U.N. mandate.", RAIN, [(4, 20, "supportive")], "neutral"),
        # no actor takes a position: submitted with no span
        prediction(2, RAIN, COUNCIL, MINISTER, [], "negative"),
        prediction(3, MINISTER, RAIN, "Schools stayed closed.", [(0, 22, "supportive")], "positive"),
    ]
    project = "browser-accept"
    push(records, project, "--corpus", CORPUS)
    email, password = "accepter@example.org", "Accepter-pass-2024"
    label_studio.create_user(email, password)

    schema = load_schema()
    steps = []
    with chromium_page() as page:
        annotator = Annotator(page, label_studio.url, "accept")
        annotator.log_in(email, password)
        annotator.start_labeling(project)
        # the guidelines, the actor codebook and the label definitions are one click away
        mark = len(annotator.actions)
        instructions = annotator.open_instructions()
        assert GUIDELINES_TITLE in instructions and "supportive" in instructions
        annotator.screenshot("guidelines")
        codebook_row = annotator.page.locator(".lsf-modal-ls__content td",
                                              has_text=CODEBOOK_ONLY_ACTOR.name).first
        codebook_row.scroll_into_view_if_needed()
        assert codebook_row.is_visible()
        assert CODEBOOK_ONLY_ACTOR.aliases[-1] in instructions
        annotator.screenshot("codebook")
        annotator.close_dialog()
        definitions = annotator.open_label_definitions()
        assert all(label.definition in definitions
                   for label in (*schema.stance_labels, *schema.sentiment_labels))
        annotator.screenshot("label-definitions")
        assert len(annotator.actions) - mark == 2
        for record in records:
            spans = [actor["text"] for actor in record["actors"]]
            assert annotator.sentence() == record["text"]
            assert annotator.spans() == spans
            assert annotator.sentiment() == record["sentiment"]
            assert annotator.model_summary() == model_summary(record)
            annotator.screenshot(f"prelabels-{record['id'].split(':')[1]}")
            mark = len(annotator.actions)
            if record is records[2]:  # the careful annotator looks at the stance before accepting
                annotator.click_span(spans[0])
                assert annotator.stance() == record["actors"][0]["stance"]
                annotator.screenshot("stance-checked")
            annotator.submit()
            steps.append(annotator.actions[mark:])

    assert [len(s) for s in steps] == [1, 1, 2], steps
    gold = pull(project)
    assert {r["annotator"] for r in gold} == {email}
    assert sorted(map(labels, gold), key=lambda r: r["id"]) == [labels(r) for r in records]
    record_effort("accept a correct pre-label", steps[0])
    record_effort("accept a sentence with no actor (no span)", steps[1])
    record_effort("check an actor's stance, then accept", steps[2])


@pytest.fixture
def push(label_studio, tmp_path, monkeypatch):
    """`annotate export push` of prediction records into a new project, as the admin."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)

    def push(records, project, *options):
        path = tmp_path / f"{project}.predictions.jsonl"
        write_records(path, records)
        run_cli("export", "push", str(path), "--project", project, "--target", TARGET, *options)

    return push


@pytest.fixture
def pull(label_studio, tmp_path, monkeypatch):
    """`annotate export pull` of a project: its gold records."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)

    def pull(project):
        path = tmp_path / f"{project}.gold.jsonl"
        run_cli("export", "pull", "--project", project, "-o", str(path))
        return list(read_records(path, "gold"))

    return pull


def run_cli(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, f"annotate {' '.join(args)} failed:\n{result.output}"
