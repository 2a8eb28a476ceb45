"""`annotate prelabel` with the shipped default model on real sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from readers import read_all

from annotate.cli import main
from annotate.model.prelabel import Prelabeler, prelabel_file
from annotate.model.store import load_model
from annotate.model.training import train_model
from annotate.schema import load_schema, record_problem

ROOT = Path(__file__).resolve().parents[1]
GOLD_DEV = ROOT / "corpora/haiti-mss/gold/extra.dev.jsonl"
GOLD = ROOT / "corpora/haiti-mss/gold"
CODEBOOK = ROOT / "corpora/haiti-mss/codebook.toml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def sentences(tmp_path_factory):
    """Sentence records (with context fields) made from real gold sentences."""
    gold = read_all([GOLD_DEV], "gold")
    path = tmp_path_factory.mktemp("sentences") / "sentences.jsonl"
    offset, lines = 0, []
    for i, record in enumerate(gold):
        lines.append(json.dumps({
            "id": record["id"], "doc_id": "dev", "text": record["text"],
            "start": offset, "end": offset + len(record["text"]),
            "prev_text": gold[i - 1]["text"] if i else "",
            "next_text": gold[i + 1]["text"] if i + 1 < len(gold) else ""}))
        offset += len(record["text"]) + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_prelabel_with_the_shipped_model_writes_valid_predictions(sentences, tmp_path):
    out = tmp_path / "predictions.jsonl"
    result = run("prelabel", sentences, "-o", out)
    assert result.exit_code == 0, result.output
    inputs = read_all([sentences], "sentence")
    predictions = read_all([out], "prediction")  # validates every record against the schema
    assert [p["id"] for p in predictions] == [s["id"] for s in inputs]
    version = load_model().model_version
    for sentence, prediction in zip(inputs, predictions):
        assert record_problem(prediction, "prediction") is None
        assert prediction["model_version"] == version
        for field in ("doc_id", "start", "end", "prev_text", "next_text"):
            assert prediction[field] == sentence[field]
    actors = [a for p in predictions for a in p["actors"]]
    assert len(actors) > len(predictions) / 2
    assert {a["stance"] for a in actors} >= {"supportive", "critical"}
    assert any(a["actor"] for a in actors)  # codebook normalisation from the model's codebook
    assert len({p["sentiment"] for p in predictions}) >= 2
    # Per-class scores: a distribution whose top class is the label and its probability the score.
    stances, sentiments = set(load_schema().stances), set(load_schema().sentiments)
    for actor in actors:
        assert set(actor["scores"]) <= stances and len(actor["scores"]) >= 2
        assert abs(sum(actor["scores"].values()) - 1) < 1e-3
        assert actor["scores"][actor["stance"]] == actor["score"] == max(actor["scores"].values())
    for prediction in predictions:
        assert set(prediction["sentiment_scores"]) == sentiments
        assert abs(sum(prediction["sentiment_scores"].values()) - 1) < 1e-3
        assert abs(prediction["sentiment_scores"][prediction["sentiment"]]
                   - prediction["sentiment_score"]) < 2e-4
    broken = {**predictions[0], "sentiment_scores": {"positive": 1.5}}
    assert record_problem(broken, "prediction") is not None


def test_jobs_and_batches_do_not_change_the_output(sentences, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("prelabel", sentences, "-o", one).exit_code == 0
    result = run("prelabel", sentences, "-o", two, "--jobs", "2", "--batch-size", "7")
    assert result.exit_code == 0, result.output
    assert one.read_bytes() == two.read_bytes()
    # without --jobs, input of several batches goes to one worker per core: the same output
    chosen = tmp_path / "chosen.jsonl"
    result = run("prelabel", sentences, "-o", chosen, "--batch-size", "7")
    assert result.exit_code == 0, result.output
    assert one.read_bytes() == chosen.read_bytes()


def test_workers_started_beside_another_thread_are_spawned_and_label_the_same(sentences,
                                                                             tmp_path):
    # a library user (a web service, a test with a Label Studio client) may call prelabel from a
    # process with threads; a forked child inherits any lock those threads hold and can hang on it
    import threading

    from annotate.workers import worker_context

    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    prelabel_file(sentences, one, jobs=1)
    release = threading.Event()
    other = threading.Thread(target=release.wait, daemon=True)
    other.start()
    try:
        assert worker_context().get_start_method() == "spawn"
        prelabel_file(sentences, two, jobs=2, batch_size=7)
    finally:
        release.set()
        other.join()
    assert one.read_bytes() == two.read_bytes()
    if threading.active_count() == 1:
        assert worker_context().get_start_method() == "fork"


def test_bad_sentence_line_is_refused_without_output(sentences, tmp_path):
    lines = sentences.read_text(encoding="utf-8").splitlines(True)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines[:600] + ['{"id": "x", "text": "no offsets"}\n']),
                   encoding="utf-8")
    out = tmp_path / "predictions.jsonl"
    for jobs in ("1", "2"):
        result = run("prelabel", bad, "-o", out, "--jobs", jobs, "--batch-size", "16")
        assert result.exit_code != 0
        assert f"{bad}:{min(len(lines), 600) + 1}" in result.output
        assert "Traceback" not in result.output
        assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]


def test_prelabel_refuses_a_directory_that_is_not_a_model(sentences, tmp_path):
    result = run("prelabel", sentences, "-o", tmp_path / "p.jsonl", "--model", tmp_path)
    assert result.exit_code != 0 and "model-card.json" in result.output
    assert not (tmp_path / "p.jsonl").exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_model_retrained_into_the_same_directory_is_the_one_used(sentences, tmp_path, jobs):
    """Pre-label, retrain into the same directory with other gold, pre-label again in the same
    process: the second run must use the new model (it once reused the first one, cached by path)."""
    model_dir, first, second = tmp_path / "model", tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    old, _ = train_model([GOLD / "articles.train.jsonl"], model_dir, folds=2, name="old",
                         codebook_path=CODEBOOK)
    assert prelabel_file(sentences, first, model_dir, jobs=jobs).model_version == old.model_version
    new, _ = train_model([GOLD / "extra.train.jsonl"], model_dir, folds=2, name="new",
                         codebook_path=CODEBOOK)
    assert new.model_version != old.model_version
    stats = prelabel_file(sentences, second, model_dir, jobs=jobs)
    assert stats.model_version == new.model_version
    predictions = read_all([second], "prediction")
    assert {p["model_version"] for p in predictions} == {new.model_version}
    expected = Prelabeler(load_model(model_dir)).label_batch(read_all([sentences], "sentence"))
    assert predictions == expected
    assert predictions != read_all([first], "prediction")


def test_a_bad_jobs_value_is_an_option_error_not_a_file_error(sentences):
    from annotate.errors import InputError, OptionError
    from annotate.model.prelabel import prelabel_records

    with pytest.raises(OptionError, match="--jobs: must be at least 1, got 0") as caught:
        list(prelabel_records([], jobs=0))
    assert not isinstance(caught.value, InputError)
