"""`annotate train` and `annotate evaluate` on real gold files, with real training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from readers import read_all

from annotate.cli import main
from annotate.model.store import CARD_FILE, load_model
from annotate.model.training import stance_items

ROOT = Path(__file__).resolve().parents[1]
GOLD_TRAIN = ROOT / "corpora/haiti-mss/gold/extra.train.jsonl"
GOLD_DEV = ROOT / "corpora/haiti-mss/gold/extra.dev.jsonl"
CODEBOOK = ROOT / "corpora/haiti-mss/codebook.toml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def tiny_gold(tmp_path_factory):
    """The first 150 gold sentences of a real gold file: trains in about a second."""
    path = tmp_path_factory.mktemp("gold") / "tiny.jsonl"
    path.write_text("".join(GOLD_TRAIN.read_text(encoding="utf-8").splitlines(True)[:150]),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tiny_gold, tmp_path_factory):
    out = tmp_path_factory.mktemp("train") / "model"
    result = run("train", tiny_gold, "-o", out, "--folds", "3", "--codebook", CODEBOOK,
                 "--name", "tiny")
    assert result.exit_code == 0, result.output
    return out, result


def test_train_reports_cross_validation_and_writes_a_card(trained, tiny_gold):
    out, result = trained
    assert "3-fold cross-validated stance macro-F1" in result.output
    card = json.loads((out / CARD_FILE).read_text())
    assert card["model_version"].startswith("tiny-")
    [data] = card["training_data"]
    assert data["records"] == 150 and len(data["sha256"]) == 64
    assert data["path"].endswith("tiny.jsonl")
    cv = card["cross_validation"]
    assert cv["folds"] == 3 and len(cv["stance_macro_f1_per_fold"]) == 3
    assert 0.25 < cv["stance_macro_f1"] <= 1 and 0 < cv["sentiment_macro_f1"] <= 1
    assert 0 <= cv["stance_expected_calibration_error"] < 0.3
    assert {"scikit-learn", "textblob", "numpy", "annotate"} <= set(card["library_versions"])
    assert card["codebook"]["actors"] > 10 and load_model(out).codebook.canonical("Kenya")


def test_training_is_deterministic_for_a_seed(trained, tiny_gold, tmp_path):
    first, _ = trained
    again = tmp_path / "again"
    assert run("train", tiny_gold, "-o", again, "--folds", "3", "--codebook", CODEBOOK,
               "--name", "tiny").exit_code == 0
    a, b = load_model(first), load_model(again)
    assert a.model_version == b.model_version
    items, _, _ = stance_items(read_all([GOLD_DEV], "gold"))
    assert (a.stance.predict_proba(items) == b.stance.predict_proba(items)).all()
    other = tmp_path / "other-seed"
    assert run("train", tiny_gold, "-o", other, "--folds", "3", "--codebook", CODEBOOK,
               "--name", "tiny", "--seed", "7").exit_code == 0
    assert load_model(other).model_version != a.model_version


def test_bad_gold_is_refused_with_file_and_line_and_no_model_dir(tiny_gold, tmp_path):
    # other sentence ids than tiny_gold's: a sentence in two gold files is refused by itself
    records = [{**json.loads(line), "id": f"other-{n}"}
               for n, line in enumerate(tiny_gold.read_text(encoding="utf-8").splitlines())]
    records[2]["actors"][0]["stance"] = "enthusiastic"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "model"
    # the bad file comes second: the first one must not have been trained on already
    result = run("train", tiny_gold, bad, "-o", out)
    assert result.exit_code != 0
    assert f"{bad}:3" in result.output and "enthusiastic" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_too_little_gold_for_the_folds_is_explained(tiny_gold, tmp_path):
    few = tmp_path / "few.jsonl"
    few.write_text("".join(tiny_gold.read_text(encoding="utf-8").splitlines(True)[:6]),
                   encoding="utf-8")
    result = run("train", few, "-o", tmp_path / "m", "--folds", "5")
    assert result.exit_code != 0 and "lower --folds" in result.output
    assert not (tmp_path / "m").exists()


def test_train_does_not_clobber_a_foreign_directory(tiny_gold, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    result = run("train", tiny_gold, "-o", tmp_path, "--folds", "3")
    assert result.exit_code != 0 and "not a model directory" in result.output
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_evaluate_json_scores_stance_on_gold_spans(trained):
    out, _ = trained
    result = run("evaluate", GOLD_DEV, "--model", out, "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    for key in ("stance_macro_f1", "sentiment_macro_f1", "actor_precision", "actor_recall",
                "actor_f1", "actor_exact_f1"):
        assert 0 <= scores[key] <= 1, key
    assert scores["actor_exact_f1"] <= scores["actor_f1"]
    gold = read_all([GOLD_DEV], "gold")
    assert scores["stance"]["n"] == sum(len(r["actors"]) for r in gold)
    assert set(scores["stance"]["per_class"]) == {"supportive", "wary", "critical", "none"}
    matrix = scores["stance"]["confusion"]["matrix"]
    assert sum(map(sum, matrix)) == scores["n_actor_spans"]
    assert sum(map(sum, scores["sentiment"]["confusion"]["matrix"])) == len(gold)
    assert scores["model_version"] == load_model(out).model_version


def test_evaluate_table_and_the_default_model():
    result = run("evaluate", GOLD_DEV)
    assert result.exit_code == 0, result.output
    assert "Stance (on gold actor spans): macro-F1" in result.output
    assert "overlap" in result.output and "exact" in result.output


def test_evaluate_refuses_bad_gold_and_a_missing_model(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x", "actors": [], "sentiment": "neutral"}\n{oops\n')
    result = run("evaluate", bad)
    assert result.exit_code != 0 and f"{bad}:2" in result.output
    result = run("evaluate", GOLD_DEV, "--model", tmp_path / "missing")
    assert result.exit_code != 0 and "annotate train" in result.output


def _with_metadata(source: Path, target: Path) -> Path:
    """The same gold with document metadata (record version 1.1.0) on every record."""
    lines = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        record.update(title=f"Headline {number % 7}", date=f"2024-0{number % 9 + 1}-15",
                      outlet=("Nation", "Le Nouvelliste")[number % 2],
                      url=f"https://news.example/{number}", author="A. Writer")
        lines.append(json.dumps(record) + "\n")
    target.write_text("".join(lines), encoding="utf-8")
    return target


def test_train_and_evaluate_ignore_document_metadata(trained, tiny_gold, tmp_path):
    first, _ = trained
    dated = tmp_path / "model-from-dated-gold"
    result = run("train", _with_metadata(tiny_gold, tmp_path / "tiny-dated.jsonl"), "-o", dated,
                 "--folds", "3", "--codebook", CODEBOOK, "--name", "tiny")
    assert result.exit_code == 0, result.output
    items, _, _ = stance_items(read_all([GOLD_DEV], "gold"))
    assert (load_model(first).stance.predict_proba(items)
            == load_model(dated).stance.predict_proba(items)).all()
    plain = run("evaluate", GOLD_DEV, "--model", first, "--json")
    with_meta = run("evaluate", _with_metadata(GOLD_DEV, tmp_path / "dev-dated.jsonl"), "--model",
                    first, "--json")
    assert plain.exit_code == 0 and with_meta.exit_code == 0, with_meta.output
    scores, scores_with_meta = json.loads(plain.stdout), json.loads(with_meta.stdout)
    assert [g["records"] for g in scores.pop("gold")] == [g["records"] for g in scores_with_meta.pop("gold")]
    assert scores == scores_with_meta  # every score and confusion matrix alike
