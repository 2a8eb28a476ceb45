"""The annotator's experience, end to end in a real Chromium against a real Label Studio.

Pushed with `annotate export push`, labelled through the UI by an annotator (a user of its own),
pulled back with `annotate export pull`. Every click and key press is counted: accepting a correct
pre-label must take one action, fixing a wrong stance at most three (figures in BENCHMARKS.md).
Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import time

import pytest
from browser_helpers import SENTENCE as SENTENCE_SELECTOR
from browser_helpers import (
    ARTIFACTS,
    Annotator,
    chromium_page,
    press_start_training,
    record_effort,
)
from click.testing import CliRunner
from serve_helpers import start_backend, start_weak_backend

from annotate.cli import main
from annotate.codebook import Codebook
from annotate.corpus import load_corpus_config
from annotate.labelstudio import client as labelstudio
from annotate.labelstudio.tasks import model_summary
from annotate.model.prelabel import Prelabeler
from annotate.model.store import load_model
from annotate.quality.agreement import agreement
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
    """A prediction record; each actor is (start, end, stance, codebook actor or None)."""
    return {
        "id": f"browser-doc:{n}", "doc_id": "browser-doc", "text": text, "target": TARGET,
        "prev_text": prev_text, "next_text": next_text, "model_version": MODEL,
        "actors": [{"start": s, "end": e, "text": text[s:e], "stance": stance, "score": 0.61,
                    "actor": actor} for s, e, stance, actor in actors],
        "sentiment": sentiment, "sentiment_score": 0.7,
    }


def labels(record):
    """What an annotator decides for a sentence: its actor spans with stances and codebook
    actors ("(not set)" when none was chosen), and the sentiment."""
    return {"id": record["id"], "sentiment": record["sentiment"],
            "actors": sorted((a["start"], a["end"], a["text"], a["stance"],
                              a.get("actor", "(not set)")) for a in record["actors"])}


KENYA = "Kenya welcomed the deployment of the mission to Port-au-Prince."
LAWMAKERS = "Opposition lawmakers said the deployment was unconstitutional."
COUNCIL = "The Security Council authorised the mission in October."
RAIN = "Heavy rain flooded several roads in the capital on Monday."
MINISTER = "Haiti's prime minister praised the Kenyan officers."


PRONOUN = "They vowed to treat the foreign officers as invaders."
GANGS = "Gang leaders in Cité Soleil rejected the force."
JAMAICA = "Jamaica said it would send a second group of soldiers."


def test_annotator_fixes_a_stance_adds_a_span_and_names_a_pronouns_actor(label_studio, push, pull):
    records = [
        # wrong stance: Kenya welcomes the mission, the model says critical
        prediction(1, KENYA, "The first Kenyan police officers landed on Tuesday.", LAWMAKERS,
                   [(0, 5, "critical", "Government of Kenya")], "positive"),
        # missed actor and wrong sentiment
        prediction(2, LAWMAKERS, KENYA, GANGS, [], "neutral"),
        # a pronoun: the model cannot tell whom "They" refers to
        prediction(3, PRONOUN, GANGS, "The vote is due next week.", [(0, 4, "critical", None)],
                   "negative"),
    ]
    project = "browser-fix"
    push(records, project, "--corpus", CORPUS)
    email, password = "fixer@example.org", "Fixer-pass-2024"
    label_studio.create_user(email, password)

    with chromium_page() as page:
        annotator = Annotator(page, label_studio.url, "fix")
        annotator.log_in(email, password)
        annotator.start_labeling(project)

        # sentence 1: the pre-labels are displayed, each span coloured by its stance
        assert annotator.sentence() == KENYA
        assert annotator.span_stances() == [("Kenya", "critical")]
        assert annotator.sentiment() == "positive"
        # every predicted stance is readable without selecting a span
        assert annotator.model_summary() == "Model: Kenya → critical" == model_summary(records[0])
        assert annotator.stance() is None  # no span selected yet: the hint is shown instead
        annotator.screenshot("prelabels")
        mark = len(annotator.actions)
        annotator.click_span("Kenya")
        assert annotator.stance() == "critical"
        assert annotator.codebook_actor() == "Government of Kenya"  # pre-filled from the prediction
        annotator.screenshot("span-selected")
        annotator.press("1")
        assert annotator.stance() == "supportive"
        annotator.screenshot("stance-fixed")
        annotator.submit()
        fix_stance = annotator.actions[mark:]

        # sentence 2: no pre-labelled actor; add one with its stance, fix the sentiment
        assert annotator.sentence() == LAWMAKERS
        assert annotator.spans() == []
        assert annotator.model_summary() == "Model: no actor"
        assert annotator.sentiment() == "neutral"
        mark = len(annotator.actions)
        annotator.press("3")  # arms the stance for the words selected next
        annotator.drag_over(0, len("Opposition lawmakers"))
        assert annotator.span_stances() == [("Opposition lawmakers", "critical")]
        annotator.press("e")
        assert annotator.sentiment() == "negative"
        annotator.screenshot("span-added")
        annotator.submit()
        add_span = annotator.actions[mark:]

        # sentence 3: the pronoun gets the codebook actor it refers to
        assert annotator.sentence() == PRONOUN
        mark = len(annotator.actions)
        annotator.click_span("They")
        assert annotator.codebook_actor() == "not in the codebook"
        annotator.choose_codebook_actor("Armed groups")
        assert annotator.stance() == "critical"
        annotator.screenshot("pronoun-actor")
        annotator.submit()
        pronoun = annotator.actions[mark:]
        annotator.screenshot("queue-done")

    assert len(fix_stance) <= 3, fix_stance
    gold = pull(project)
    assert {r["annotator"] for r in gold} == {email}
    assert sorted(map(labels, gold), key=lambda r: r["id"]) == [
        {"id": "browser-doc:1", "sentiment": "positive",
         "actors": [(0, 5, "Kenya", "supportive", "Government of Kenya")]},
        {"id": "browser-doc:2", "sentiment": "negative",
         "actors": [(0, 20, "Opposition lawmakers", "critical", "(not set)")]},
        {"id": "browser-doc:3", "sentiment": "negative",
         "actors": [(0, 4, "They", "critical", "Armed groups")]},
    ]
    record_effort("fix a wrong stance", fix_stance)
    # the same as labelling a one-actor sentence from scratch: the baseline of the figures above
    record_effort("add a missed actor with its stance and fix the sentiment", add_span)
    record_effort("give a pronoun the codebook actor it refers to", pronoun)


def test_annotator_accepts_correct_prelabels_with_one_action(label_studio, push, pull):
    records = [
        prediction(1, COUNCIL, "Kenya had asked for a U.N. mandate.", RAIN,
                   [(4, 20, "supportive", "UN Security Council")], "neutral"),
        # no actor takes a position: submitted with no span
        prediction(2, RAIN, COUNCIL, MINISTER, [], "negative"),
        prediction(3, MINISTER, RAIN, JAMAICA, [(0, 22, "supportive", "Prime Minister of Haiti")],
                   "positive"),
        prediction(4, JAMAICA, MINISTER, "Schools stayed closed.",
                   [(0, 7, "supportive", "Jamaica")], "neutral"),
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
        assert_instructions_read_well(annotator.page, instructions)
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
            assert annotator.span_stances() == [(a["text"], a["stance"]) for a in record["actors"]]
            assert annotator.sentiment() == record["sentiment"]
            assert annotator.model_summary() == model_summary(record)
            annotator.screenshot(f"prelabels-{record['id'].split(':')[1]}")
            mark = len(annotator.actions)
            if record is records[2]:  # the careful annotator looks at the stance before accepting
                annotator.click_span(spans[0])
                assert annotator.stance() == record["actors"][0]["stance"]
                annotator.screenshot("stance-checked")
            if record is records[3]:  # ... or confirms it by pressing its key: it stays selected
                key = next(label.hotkey for label in schema.stance_labels
                           if label.value == record["actors"][0]["stance"])
                annotator.click_span(spans[0])
                annotator.press(key)
                assert annotator.stance() == record["actors"][0]["stance"]
                annotator.screenshot("stance-confirmed-by-key")
            annotator.submit()
            steps.append(annotator.actions[mark:])

    assert [len(s) for s in steps] == [1, 1, 2, 3], steps
    gold = pull(project)
    assert {r["annotator"] for r in gold} == {email}
    # confirming a stance by its key changed nothing: every record is the prediction
    assert sorted(map(labels, gold), key=lambda r: r["id"]) == [labels(r) for r in records]
    record_effort("accept a correct pre-label", steps[0])
    record_effort("accept a sentence with no actor (no span)", steps[1])
    record_effort("check an actor's stance, then accept", steps[2])
    record_effort("confirm the pre-labelled stance by its key", steps[3])


def assert_instructions_read_well(page, text):
    """The guidelines render as a document: bulleted lists, headings that do not overlap, no
    repository paths (annotators have no repository)."""
    dialog = page.locator(".lsf-modal-ls_visible .lsf-modal-ls__content")
    (ARTIFACTS / "instructions.html").write_text(dialog.inner_html())
    bullets = dialog.locator("ul > li").first.evaluate(
        "li => getComputedStyle(li).listStyleType + '|' + getComputedStyle(li).display")
    assert bullets.split("|") == ["disc", "list-item"], bullets
    numbers = dialog.locator("ol > li").first.evaluate("li => getComputedStyle(li).listStyleType")
    assert numbers == "decimal", numbers
    h1 = dialog.locator("h1").first.evaluate(
        "h => [parseFloat(getComputedStyle(h).fontSize), h.getBoundingClientRect().height,"
        " h.getClientRects().length, parseFloat(getComputedStyle(h).lineHeight)]")
    font, height, _, line = h1
    assert 20 <= font <= 32 and line >= font, h1  # a heading, and its lines never overlap
    h2 = dialog.locator("h2").first.evaluate("h => parseFloat(getComputedStyle(h).fontSize)")
    body = dialog.locator("p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert font > h2 > body, (font, h2, body)
    for path in ("schemas/", "corpora/", ".toml", "annotate split"):
        assert path not in text, path


def test_a_task_imported_without_predictions_opens_pre_labelled_by_the_ml_backend(
        label_studio, push, pull, tmp_path):
    """A project lead imports a sentence through Label Studio (no predictions); with
    `annotate serve` connected, the annotator finds it pre-labelled by the served model."""
    env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
    backend = start_backend(tmp_path / "serve", env=env)
    try:
        project = "browser-ml-backend"
        push([prediction(1, RAIN, "", "", [], "negative")], project, "--ml-backend", backend.url)
        session = label_studio.session()
        project_id = labelstudio.require_project(session, project)["id"]
        task_id, = labelstudio.import_tasks(session, project_id, [{"data": {
            "text": KENYA, "target": TARGET, "prev_text": "", "next_text": "",
            "source_html": ""}}])
        assert task_id not in labelstudio.prediction_versions(session, project_id)
        served = Prelabeler(load_model()).label_batch([{"id": "k", "text": KENYA}])[0]
        assert served["actors"], "the shipped model should find an actor in the sentence"
        email, password = "ml-annotator@example.org", "Ml-annotator-pass-77"
        label_studio.create_user(email, password)
        with chromium_page() as page:
            annotator = Annotator(page, label_studio.url, "ml-backend")
            annotator.log_in(email, password)
            annotator.start_labeling(project)
            assert annotator.sentence() == RAIN
            annotator.submit()
            assert annotator.sentence() == KENYA
            annotator.page.locator(f"{SENTENCE_SELECTOR} .htx-highlight").first.wait_for()
            annotator.screenshot("imported-task-prelabelled")
            assert annotator.spans() == [a["text"] for a in served["actors"]]
            assert annotator.sentiment() == served["sentiment"]
            annotator.click_span(served["actors"][0]["text"])
            assert annotator.stance() == served["actors"][0]["stance"]
            annotator.submit()
        versions = labelstudio.prediction_versions(session, project_id)
        assert versions[task_id] == {served["model_version"]}
        gold = {r["text"]: r for r in pull(project)}
        assert gold[KENYA]["sentiment"] == served["sentiment"]
    finally:
        backend.stop()


def test_start_training_in_the_ui_makes_the_backend_serve_the_new_model(label_studio, push,
                                                                         tmp_path):
    """After a labelling session the project lead presses Start Training (Settings > Model);
    the backend retrains and the next task opened is pre-labelled by the new model."""
    env = {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}
    weak, _, backend = start_weak_backend(tmp_path, env)
    try:
        project = "browser-start-training"
        records = [prediction(1, KENYA, "", "", [(0, 5, "supportive", "Government of Kenya")], "positive"),
                   prediction(2, LAWMAKERS, "", "", [(0, 20, "critical", None)], "negative")]
        push(records, project, "--ml-backend", backend.url)
        session = label_studio.session()
        project_id = labelstudio.require_project(session, project)["id"]
        with chromium_page() as page:
            annotator = Annotator(page, label_studio.url, "start-training")
            annotator.log_in(label_studio.admin_email, label_studio.admin_password)
            annotator.start_labeling(project)
            for _ in records:   # the labelling session: accept the pre-labels
                annotator.submit()
            press_start_training(page, label_studio.url, project_id)
            annotator.screenshot("start-training-sent")
        done = backend.wait_for_training()
        assert done["state"] == "switched", done
        new_version = backend.health()["model_version"]
        assert new_version != weak.model_version
        task_id, = labelstudio.import_tasks(session, project_id, [{"data": {
            "text": COUNCIL, "target": TARGET, "prev_text": "", "next_text": "",
            "source_html": ""}}])
        opened = session.ls.tasks.get(id=task_id)   # what the editor loads
        assert [p.model_version for p in opened.predictions] == [new_version]
    finally:
        backend.stop()


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


def run_cli(*args) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, f"annotate {' '.join(args)} failed:\n{result.output}"
    return result.output


def test_a_team_of_two_labels_with_overlap_and_an_edit_is_never_misattributed(
        label_studio, push, tmp_path):
    """The README's labelling round with two annotators: push --overlap 2, both work through
    Label All Tasks (one fixes a stance, the other accepts), the second also edits a task of the
    first from the Data Manager (Label Studio then updates the first one's annotation in place);
    pull, agreement, adjudicate."""
    records = [
        prediction(1, KENYA, "", COUNCIL, [(0, 5, "critical", "Government of Kenya")], "positive"),
        prediction(2, COUNCIL, KENYA, RAIN, [(4, 20, "wary", "UN Security Council")], "negative"),
        prediction(3, JAMAICA, RAIN, "", [(0, 7, "supportive", "Jamaica")], "neutral"),
    ]
    project = "browser-team"
    push(records, project, "--corpus", CORPUS, "--overlap", "2")
    session = label_studio.session()
    project_id = labelstudio.require_project(session, project)["id"]
    assert session.ls.projects.get(id=project_id).maximum_annotations == 2
    first, second = ("first@example.org", "First-pass-2024"), ("second@example.org", "Second-pass-2024")
    for email, password in (first, second):
        label_studio.create_user(email, password)

    with chromium_page() as page:  # the first annotator fixes Kenya's stance, accepts the rest
        annotator = Annotator(page, label_studio.url, "team-first")
        annotator.log_in(*first)
        annotator.start_labeling(project)
        for record in records:
            assert annotator.sentence() == record["text"]
            if record is records[0]:
                annotator.click_span("Kenya")
                annotator.press("1")
            annotator.submit()
    with chromium_page() as page:  # the second one meets the same tasks and accepts them
        annotator = Annotator(page, label_studio.url, "team-second")
        annotator.log_in(*second)
        annotator.start_labeling(project)
        seen = []
        for _ in records:  # Label Studio's order for a second annotator is its own
            seen.append(annotator.sentence())
            annotator.submit()
        assert sorted(seen) == sorted(r["text"] for r in records)
        # ... then opens the first one's annotation of Jamaica's sentence in the Data Manager,
        # changes the sentiment and updates it
        task_id = next(t["id"] for t in labelstudio.task_index(session, project_id)
                       if t["sentence_id"] == records[2]["id"])
        first_user = next(i for i, email in labelstudio.users(session).items() if email == first[0])
        first_id = next(a.id for a in session.ls.annotations.list(id=task_id)
                        if a.completed_by == first_user)
        _edit_in_data_manager(annotator, project_id, task_id, first[0], "q", "positive")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the update is saved in the background
        annotation = session.ls.annotations.get(id=first_id)
        if annotation.updated_by != annotation.completed_by:
            break
        time.sleep(0.5)

    gold_path = tmp_path / "team.gold.jsonl"
    pulled = run_cli("export", "pull", "--project", project, "-o", str(gold_path))
    assert "1 annotations were last saved by someone other than their annotator" in pulled
    gold = list(read_records(gold_path, "gold"))
    by_key = {(r["id"], r["annotator"]): r for r in gold}
    assert len(gold) == 6 and len(by_key) == 6  # two records per overlap task
    edit = by_key[(records[2]["id"], first[0])]
    # the first annotator's annotation now holds the second one's labels: both are named
    assert (edit["updated_by"], edit["sentiment"]) == (second[0], "positive")
    assert [r for r in gold if "updated_by" in r] == [edit]
    kenya = {who: by_key[(records[0]["id"], who)]["actors"][0]["stance"] for who in (first[0], second[0])}
    assert kenya == {first[0]: "supportive", second[0]: "critical"}

    result = agreement(read_records(gold_path, "gold"))
    assert result["left_out_edited_by_another"] == 1
    assert result["sentences_multiply_annotated"] == 2  # the edited sentence is not compared
    assert result["stance_alpha"]["alpha"] is not None and result["stance_alpha"]["units"] == 2
    assert result["sentiment_alpha"]["alpha"] == 1.0
    shown = run_cli("agreement", str(gold_path))
    assert "left out: 1 annotations last saved by another annotator" in shown

    adjudicated, conflicts = tmp_path / "adjudicated.jsonl", tmp_path / "conflicts.jsonl"
    run_cli("adjudicate", str(gold_path), "-o", str(adjudicated), "--conflicts", str(conflicts))
    decided = {r["id"]: r for r in read_records(adjudicated, "gold")}
    (conflict,) = read_records(conflicts)
    assert conflict["id"] == records[0]["id"]  # supportive vs critical: a tie for a reviewer
    assert decided[records[1]["id"]]["adjudication"] == "unanimous"
    # the edit votes as the second annotator's, whose latest labels (the edit) decide
    assert (decided[records[2]["id"]]["adjudication"], decided[records[2]["id"]]["sentiment"],
            decided[records[2]["id"]]["annotators"]) == ("single", "positive", [second[0]])


def _edit_in_data_manager(annotator, project_id, task_id, author, key, sentiment):
    """Open a task in the Data Manager, select the annotation of `author`, press the sentiment
    `key` (which selects `sentiment`), Update."""
    page = annotator.page
    page.goto(f"{annotator.base_url}/projects/{project_id}/data?task={task_id}")
    page.wait_for_selector(SENTENCE_SELECTOR)
    # an annotation's tab shows a shortened email; its user picture carries the whole one
    tab = f'.lsf-annotation-button:has([alt="{author}" i])'
    page.locator(f"{tab} .lsf-annotation-button__main").click()
    page.locator(f"{tab}.lsf-annotation-button_selected").wait_for()
    annotator.screenshot("data-manager-annotation")
    annotator.press(key)
    assert annotator.sentiment() == sentiment
    annotator.press("Control+Enter")  # Update
    page.wait_for_timeout(1000)
    annotator.screenshot("data-manager-updated")
