"""Adjudication: majority labels taken, ties listed, no sentence dropped, output is valid gold."""

import json

from click.testing import CliRunner
from test_agreement import HAND, S1, S2, S3, rec, span, write_jsonl

from annotate.cli import main
from annotate.quality.adjudicate import adjudicate
from annotate.records import read_records


def by_id(records):
    return {r["id"]: r for r in records}


def test_majority_and_unanimous_labels_on_the_hand_built_case():
    result = adjudicate(HAND)
    out = by_id(result.records)
    assert result.conflicts == []
    assert dict(result.counts) == {"majority": 2, "unanimous": 1, "single": 1}
    # s1: sentiment neutral 2-1; Kenya supportive 2-1; gangs marked by 2 of 3 (kept), boundaries
    # "the gangs" vs "gangs" tie 1-1 -> the shared part "gangs".
    s1 = out["s1"]
    assert s1["sentiment"] == "neutral"
    assert [(a["text"], a["stance"]) for a in s1["actors"]] == [("Kenya", "supportive"),
                                                                 ("gangs", "critical")]
    assert s1["adjudication"] == "majority"
    assert s1["annotators"] == ["a@x.org", "b@x.org", "c@x.org"]
    assert "annotator" not in s1 and "annotation_id" not in s1
    assert out["s2"]["adjudication"] == "unanimous"
    assert [(a["text"], a["stance"]) for a in out["s3"]["actors"]] == [("Rights groups", "wary")]
    assert out["s4"]["adjudication"] == "single"


def test_a_span_marked_by_a_minority_is_dropped():
    records = [rec("s", S3, "a", "negative", span(S3, "the force", "critical")),
               rec("s", S3, "b", "negative"), rec("s", S3, "c", "negative")]
    result = adjudicate(records)
    assert result.records[0]["actors"] == []
    assert result.records[0]["adjudication"] == "majority"


def test_ties_become_conflicts_with_every_annotators_labels():
    records = [
        # sentiment tie
        rec("t1", S2, "a", "neutral"), rec("t1", S2, "b", "negative"),
        # stance tie on a span both marked
        rec("t2", S3, "a", "negative", span(S3, "Rights groups", "wary")),
        rec("t2", S3, "b", "negative", span(S3, "Rights groups", "critical")),
        # span tie: one of two marked the actor
        rec("t3", S1, "a", "neutral", span(S1, "Kenya", "supportive")),
        rec("t3", S1, "b", "neutral"),
        # agreement
        rec("ok", S2, "a", "neutral"), rec("ok", S2, "b", "neutral"),
    ]
    result = adjudicate(records)
    assert [r["id"] for r in result.records] == ["ok"]
    conflicts = by_id(result.conflicts)
    assert set(conflicts) == {"t1", "t2", "t3"}
    assert conflicts["t1"]["conflicts"] == [{"kind": "sentiment",
                                             "votes": {"neutral": ["a"], "negative": ["b"]}}]
    t2 = conflicts["t2"]["conflicts"][0]
    assert t2["kind"] == "stance" and t2["votes"] == {"wary": ["a"], "critical": ["b"]}
    t3 = conflicts["t3"]["conflicts"][0]
    assert t3 == {"kind": "span", "span": {"start": 0, "end": 5, "text": "Kenya"},
                  "marked_by": ["a"], "not_marked_by": ["b"]}
    assert [a["annotator"] for a in conflicts["t3"]["annotations"]] == ["a", "b"]
    assert conflicts["t3"]["annotations"][0]["actors"][0]["stance"] == "supportive"


def test_cli_writes_valid_gold_and_lists_every_conflict(tmp_path):
    records = [*HAND, rec("t1", S2, "a", "neutral"), rec("t1", S2, "b", "positive")]
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    out = tmp_path / "adjudicated.jsonl"
    result = CliRunner().invoke(main, ["adjudicate", str(gold), "-o", str(out)])
    assert result.exit_code == 0, result.output
    adjudicated = list(read_records(out, "gold"))  # valid gold: what `annotate train` reads
    conflicts_file = tmp_path / "adjudicated.conflicts.jsonl"
    conflicts = [json.loads(line) for line in conflicts_file.read_text().splitlines()]
    ids_in = {r["id"] for r in records}
    ids_out = [r["id"] for r in adjudicated] + [c["id"] for c in conflicts]
    assert sorted(ids_out) == sorted(ids_in)  # every sentence exactly once
    assert [c["id"] for c in conflicts] == ["t1"]
    assert "1 sentences in conflict" in result.output
    assert "t1: sentiment: neutral (a); positive (b)" in result.output


def test_cli_conflicts_option_and_no_partial_output_on_bad_input(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", HAND)
    out, conflicts = tmp_path / "adj.jsonl", tmp_path / "c.jsonl"
    result = CliRunner().invoke(main, ["adjudicate", str(gold), "-o", str(out),
                                       "--conflicts", str(conflicts)])
    assert result.exit_code == 0, result.output
    assert conflicts.exists() and conflicts.read_text() == ""
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(HAND[0]) + "\n{not json\n")
    out2 = tmp_path / "adj2.jsonl"
    result = CliRunner().invoke(main, ["adjudicate", str(bad), "-o", str(out2)])
    assert result.exit_code != 0
    assert f"{bad}:2" in result.output
    assert not out2.exists() and not (tmp_path / "adj2.conflicts.jsonl").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_record_another_annotator_saved_last_votes_as_the_editor():
    text = "Kenya welcomed the mission."
    kenya = {"start": 0, "end": 5, "text": "Kenya"}

    def record(annotator, stance, updated, **extra):
        return {"id": "s", "text": text, "sentiment": "positive", "annotator": annotator,
                "actors": [{**kenya, "stance": stance}], "updated_at": updated, **extra}

    # b's labels twice (b's own, and a's annotation b overwrote): one vote, b's latest
    result = adjudicate([record("a@x.org", "critical", "2025-01-02T00:00:00Z", updated_by="b@x.org"),
                         record("b@x.org", "supportive", "2025-01-01T00:00:00Z")])
    (decided,) = result.records
    assert (decided["annotators"], decided["adjudication"]) == (["b@x.org"], "single")
    assert decided["actors"][0]["stance"] == "critical" and not result.conflicts
