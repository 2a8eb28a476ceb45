"""Real news through the whole loop, with dates and outlets visible at every step: a saved web page
and a news-database CSV -> split -> prelabel -> push (a real Label Studio; the source line seen in a
real Chromium) -> annotations -> pull -> report over time and by outlet."""

import csv
import json
from pathlib import Path

import pytest
from browser_helpers import Annotator, chromium_page
from click.testing import CliRunner
from label_studio_sdk import LabelStudio

from annotate.cli import main
from annotate.labelstudio.tasks import prediction_result

pytestmark = [pytest.mark.server, pytest.mark.browser]

DATA = Path(__file__).parent / "data" / "news"
PROJECT = "news-loop"
HERALD = {"title": "Kenya renews pledge to Haiti mission", "date": "2024-05-14",
          "outlet": "Coastal Herald", "url": "https://herald.example.org/2024/05/kenya-pledge"}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, f"annotate {' '.join(map(str, args))}\n{result.output}"
    return result


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def meta(record):
    return {k: record.get(k) for k in ("title", "date", "outlet", "url")}


def test_news_pages_and_a_csv_go_through_the_loop_with_their_metadata(label_studio, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    sentences, predictions = tmp_path / "sentences.jsonl", tmp_path / "predictions.jsonl"
    run("split", DATA / "kenya-pledge.html", DATA / "export.csv", "-o", sentences)
    split = read_jsonl(sentences)
    assert meta(split[0]) == HERALD
    assert {(r["outlet"], r["date"]) for r in split} == {
        ("Coastal Herald", "2024-05-14"), ("Daily Nation", "2024-03-05"),
        ("Le Nouvelliste", "2024-04-18")}
    run("prelabel", sentences, "-o", predictions)
    predicted = read_jsonl(predictions)
    assert [meta(r) for r in predicted] == [meta(r) for r in split]

    run("export", "push", predictions, "--project", PROJECT, "--target", "the MSS mission")
    admin = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    project = next(p for p in admin.projects.list(title=PROJECT) if p.title == PROJECT)
    tasks = sorted(admin.tasks.list(project=project.id, fields="all", page_size=1000),
                   key=lambda t: t.id)
    assert [meta(t.data) for t in tasks] == [meta(r) for r in predicted]

    # the annotator sees outlet · date · title above the sentence, as a link to the article
    email, password = "news-reader@example.org", "News-reader-2024"
    label_studio.create_user(email, password)
    with chromium_page() as page:
        annotator = Annotator(page, label_studio.url, "news")
        annotator.log_in(email, password)
        annotator.start_labeling(PROJECT)
        link = page.locator(".annotate-source a.annotate-source-line")
        assert link.inner_text().strip() == "Coastal Herald · 2024-05-14 · " + HERALD["title"]
        assert link.get_attribute("href") == HERALD["url"]
        assert annotator.sentence() == predicted[0]["text"]
        annotator.screenshot("source-line")

    # every sentence annotated as pre-labelled (through the API, as the editor submits it)
    for task, record in zip(tasks, predicted):
        admin.annotations.create(id=task.id, result=prediction_result(record))
    gold_path = tmp_path / "gold.jsonl"
    run("export", "pull", "--project", PROJECT, "-o", gold_path)
    gold = {r["id"]: r for r in read_jsonl(gold_path)}
    assert [meta(gold[r["id"]]) for r in predicted] == [meta(r) for r in predicted]

    report = tmp_path / "report"
    run("report", gold_path, "-o", report, "--period", "month")
    with open(report / "stance_by_outlet.csv", encoding="utf-8", newline="") as handle:
        outlets = {row["outlet"] for row in csv.DictReader(handle)}
    with open(report / "stance_by_period.csv", encoding="utf-8", newline="") as handle:
        periods = {row["period"] for row in csv.DictReader(handle)}
    mentioned = {r["outlet"] for r in gold.values() if r["actors"]}
    assert outlets == mentioned and "Coastal Herald" in outlets
    assert periods == {r["date"][:7] for r in gold.values() if r["actors"]}
    with open(report / "statements.csv", encoding="utf-8", newline="") as handle:
        statements = list(csv.DictReader(handle))
    assert statements and all(s["date"] and s["outlet"] for s in statements)
    page_html = (report / "index.html").read_text(encoding="utf-8")
    assert "Coastal Herald" in page_html and "2024-05" in page_html
