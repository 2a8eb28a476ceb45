"""`annotate convert` on samples we wrote in the data sets' formats (tests/data/) and on the real
public files (../shared/data, `shared_data`), and its refusal of bad input."""

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_data import DATA_DIR as DATA

from annotate.cli import main
from annotate.records import read_records

NEWSMTSC = DATA / "newsmtsc" / "splits"
PERSPECTRUM = DATA / "perspectrum" / "splits"
SAMPLES = Path(__file__).resolve().parent / "data"
SHARED = pytest.mark.shared_data


def sources(sample: str, shared):
    """Parameters: our sample file (always), the real file (with ../shared/ only)."""
    return pytest.mark.parametrize("source", [
        pytest.param(SAMPLES / sample, id="sample"),
        pytest.param(shared, id="shared", marks=SHARED)])


def data_file(path):
    assert path.is_file(), f"data file missing: {path} (the repo must sit next to shared/)"
    return path


def run(*args):
    return CliRunner().invoke(main, ["convert", *map(str, args)])


def raw_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@sources("newsmtsc-sample.jsonl", NEWSMTSC / "dev_mt.jsonl")
def test_newsmtsc_merges_targets_of_one_sentence_into_one_record(tmp_path, source):
    data_file(source)
    out = tmp_path / "gold.jsonl"
    result = run("newsmtsc", source, "-o", out)
    assert result.exit_code == 0, result.output
    rows = raw_lines(source)
    by_sentence = defaultdict(dict)
    for row in rows:
        by_sentence[row["sentence"]][(row["from"], row["to"])] = row["polarity"]
    records = list(read_records(out, "gold"))  # valid gold by the schema
    assert len(records) == len(by_sentence)
    assert len({r["id"] for r in records}) == len(records)
    stance = {1: "supportive", 0: "none", -1: "critical"}
    for record in records:
        expected = by_sentence[record["text"]]
        assert {(a["start"], a["end"]): a["stance"] for a in record["actors"]} == {
            span: stance[p] for span, p in expected.items()}
        counts = Counter(expected.values()).most_common()
        if len(counts) > 1 and counts[0][1] == counts[1][1]:
            assert record["sentiment"] == "neutral"  # a tie is a mixed sentence
        else:
            assert record["sentiment"] == {1: "positive", 0: "neutral", -1: "negative"}[
                counts[0][0]]
        assert record["source"] == "newsmtsc" and record["source_ids"]
    assert any(len(r["actors"]) >= 2 for r in records)
    assert f"read {len(rows)} newsmtsc records; wrote {len(records)} gold" in result.output


@sources("perspectrum-sample.jsonl", PERSPECTRUM / "dev.jsonl")
def test_perspectrum_claim_is_the_target_and_the_author_an_implicit_holder(tmp_path, source):
    data_file(source)
    out = tmp_path / "gold.jsonl"
    result = run("perspectrum", source, "-o", out, "--limit", 300)
    assert result.exit_code == 0, result.output
    rows = raw_lines(source)[:300]
    records = list(read_records(out, "gold"))
    assert len(records) == len(rows)
    for row, record in zip(rows, records):
        assert record["target"] == row["claim"].strip()
        assert record["text"] == row["perspective"].strip()
        [actor] = record["actors"]
        assert actor["implicit_holder"] is True and actor["text"] == record["text"]
        assert actor["stance"] == {"SUPPORT": "supportive",
                                   "UNDERMINE": "critical"}[row["stance_label_3"]]
        assert record["sentiment"] == {"supportive": "positive",
                                       "critical": "negative"}[actor["stance"]]
        assert record["sentiment_derived"] is True


@sources("perspectrum-sample.jsonl", PERSPECTRUM / "train.jsonl")
def test_perspectrum_five_way_maps_mildly_undermine_to_wary(tmp_path, source):
    data_file(source)
    out = tmp_path / "gold.jsonl"
    result = run("perspectrum", source, "-o", out, "--five-way")
    assert result.exit_code == 0, result.output
    labels = Counter(row["stance_label_5"] for row in raw_lines(source))
    stances = Counter(r["actors"][0]["stance"] for r in read_records(out, "gold"))
    assert stances["wary"] == labels["MILDLY_UNDERMINE"] > 0
    assert sum(stances.values()) == sum(labels.values()) - labels["NO_MAJORITY_LABEL"]
    assert f"left out {labels['NO_MAJORITY_LABEL']}" in result.output


GOOD = {"mention": "Ruto", "polarity": 1, "from": 0, "to": 4,
        "sentence": "Ruto praised the officers.", "id": "x_1"}


@pytest.mark.parametrize("bad_line,fragment", [
    ("{not json", "invalid JSON"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "polarity"}), "missing field 'polarity'"),
    (json.dumps({**GOOD, "polarity": "1"}), "field 'polarity' must be -1, 0 or 1"),
    (json.dumps({**GOOD, "polarity": 2}), "field 'polarity' must be -1, 0 or 1"),
    (json.dumps({**GOOD, "from": 1.5}), "field 'from' must be"),
    (json.dumps({**GOOD, "from": 20, "to": 40}), "run past the end of the sentence"),
    (json.dumps({**GOOD, "to": 3}), "does not match the sentence at 0-3"),
    (json.dumps([1, 2]), "expected a JSON object"),
])
def test_bad_newsmtsc_input_names_file_and_line_and_writes_nothing(tmp_path, bad_line,
                                                                   fragment):
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(GOOD) + "\n\n" + bad_line + "\n" + json.dumps(GOOD) + "\n",
                      encoding="utf-8")
    out = tmp_path / "gold.jsonl"
    out.write_text("previous output\n", encoding="utf-8")
    result = run("newsmtsc", source, "-o", out)
    assert result.exit_code != 0
    assert f"{source}:3:" in result.output and fragment in result.output, result.output
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "previous output\n"  # untouched, no partial file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "gold.jsonl"]


@pytest.mark.parametrize("change,fragment", [
    ({"stance_label_3": "MAYBE"}, "field 'stance_label_3' must be one of SUPPORT, UNDERMINE"),
    ({"perspective": "   "}, "field 'perspective' must be a non-empty string"),
    ({"cId": "12"}, "field 'cId' must be an integer"),
])
def test_bad_perspectrum_input_names_file_and_line(tmp_path, change, fragment):
    row = raw_lines(SAMPLES / "perspectrum-sample.jsonl")[0]
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(row) + "\n" + json.dumps({**row, **change}) + "\n",
                      encoding="utf-8")
    result = run("perspectrum", source, "-o", tmp_path / "gold.jsonl")
    assert result.exit_code != 0
    assert f"{source}:2:" in result.output and fragment in result.output, result.output
    assert not (tmp_path / "gold.jsonl").exists()


def test_missing_and_empty_files_and_bad_options_are_refused(tmp_path):
    result = run("newsmtsc", tmp_path / "none.jsonl", "-o", tmp_path / "o.jsonl")
    assert result.exit_code != 0 and "no such file" in result.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = run("newsmtsc", empty, "-o", tmp_path / "o.jsonl")
    assert result.exit_code != 0 and "empty" in result.output
    source = SAMPLES / "newsmtsc-sample.jsonl"
    result = run("newsmtsc", source, "-o", tmp_path / "o.jsonl", "--five-way")
    assert result.exit_code != 0 and "perspectrum only" in result.output
    result = run("newsmtsc", source, "-o", tmp_path / "o.jsonl", "--limit", 0)
    assert result.exit_code != 0
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("source,limit", [
    pytest.param(SAMPLES / "newsmtsc-sample.jsonl", 5, id="sample"),
    pytest.param(NEWSMTSC / "train.jsonl", 25, id="shared", marks=SHARED)])
def test_limit_reads_only_the_first_records(tmp_path, source, limit):
    out = tmp_path / "gold.jsonl"
    result = run("newsmtsc", data_file(source), "-o", out, "--limit", limit)
    assert result.exit_code == 0, result.output
    assert f"read {limit} newsmtsc records" in result.output
    assert 0 < len(list(read_records(out, "gold"))) <= limit
