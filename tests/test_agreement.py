"""Agreement figures checked against an independent computation on a hand-built case."""

import itertools
import json
import random
from collections import Counter

import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.quality.agreement import Sentence, agreement, match_spans

S1 = "Kenya welcomed the mission while the gangs condemned it."
S2 = "Police officers arrived in Port-au-Prince."
S3 = "Rights groups warned of abuses by the force."
S4 = "The council met."


def span(text, phrase, stance):
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "text": phrase, "stance": stance}


def rec(sid, text, annotator, sentiment, *actors):
    return {"id": sid, "text": text, "actors": list(actors), "sentiment": sentiment,
            "annotator": annotator, "annotation_id": f"{sid}/{annotator}",
            "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}


# Three annotators; C did not label s2; s4 has one annotator only (not compared).
HAND = [
    rec("s1", S1, "a@x.org", "neutral", span(S1, "Kenya", "supportive"), span(S1, "the gangs", "critical")),
    rec("s1", S1, "b@x.org", "negative", span(S1, "Kenya", "supportive"), span(S1, "gangs", "critical")),
    rec("s1", S1, "c@x.org", "neutral", span(S1, "Kenya", "wary")),
    rec("s2", S2, "a@x.org", "neutral", span(S2, "Police officers", "none")),
    rec("s2", S2, "b@x.org", "neutral", span(S2, "Police officers", "none")),
    rec("s3", S3, "a@x.org", "negative", span(S3, "Rights groups", "wary")),
    rec("s3", S3, "b@x.org", "negative", span(S3, "Rights groups", "critical")),
    rec("s3", S3, "c@x.org", "negative", span(S3, "Rights groups", "wary")),
    rec("s4", S4, "a@x.org", "neutral"),
]


def coincidence_alpha(units):
    """Nominal alpha from the coincidence matrix (Krippendorff 2011), written independently.

    `units` is a list of lists of the values coders gave a unit (missing values left out).
    """
    o = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            o[(values[i], values[j])] += 1 / (m - 1)
    n_c = Counter()
    for (c, _k), w in o.items():
        n_c[c] += w
    n = sum(n_c.values())
    observed = sum(w for (c, k), w in o.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    return 1 - (n - 1) * observed / expected


def cohen_kappa(a, b):
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca) / n / n
    return (po - pe) / (1 - pe)


def test_sentiment_alpha_matches_hand_computation():
    result = agreement(HAND)
    # By hand: units s1 (neutral, negative, neutral), s2 (neutral, neutral), s3 (negative x3).
    # o[neu,neu] = 1 + 2 = 3, o[neu,neg] = o[neg,neu] = 1, o[neg,neg] = 3; n_neu = n_neg = 4, n = 8.
    # alpha = 1 - (n - 1) * 2 / (2 * 4 * 4) = 1 - 14/32 = 0.5625
    assert result["sentiment_alpha"]["alpha"] == pytest.approx(0.5625, abs=1e-4)
    assert coincidence_alpha([["neutral", "negative", "neutral"], ["neutral", "neutral"],
                              ["negative"] * 3]) == pytest.approx(0.5625)
    assert result["sentences_multiply_annotated"] == 3
    assert result["sentences"] == 4


def test_stance_alpha_on_matched_spans_matches_hand_computation():
    result = agreement(HAND)
    # Units: Kenya (sup, sup, wary), gangs (crit, crit; c missing), police (none, none),
    # rights groups (wary, crit, wary). n_sup=2, n_wary=3, n_crit=3, n_none=2, n=10,
    # off-diagonal o = 4, sum n_c n_k (c != k) = 100 - 26 = 74: alpha = 1 - 9 * 4 / 74 = 38/74.
    expected = coincidence_alpha([["supportive", "supportive", "wary"], ["critical", "critical"],
                                  ["none", "none"], ["wary", "critical", "wary"]])
    assert expected == pytest.approx(38 / 74)
    assert result["stance_alpha"]["alpha"] == pytest.approx(expected, abs=1e-4)
    assert result["span_units"] == 4
    # With "no span" as a label, c's missing gangs span disagrees: alpha = 1 - 10 * 6 / 94.
    assert result["stance_alpha_absent_as_label"]["alpha"] == pytest.approx(34 / 94, abs=1e-4)


def test_pairwise_kappa_span_f1_and_confusion():
    result = agreement(HAND)
    pairs = {(p["a"], p["b"]): p for p in result["pairs"]}
    ab = pairs[("a@x.org", "b@x.org")]
    assert ab["sentences"] == 3
    assert ab["sentiment_kappa"] == pytest.approx(0.4, abs=1e-4)  # po = 2/3, pe = 4/9
    assert ab["sentiment_kappa"] == pytest.approx(
        cohen_kappa(["neutral", "neutral", "negative"], ["negative", "neutral", "negative"]), abs=1e-4)
    assert ab["stance_kappa"] == pytest.approx(cohen_kappa(
        ["supportive", "critical", "none", "wary"], ["supportive", "critical", "none", "critical"]),
        abs=1e-4)
    assert ab["span_f1"] == 1.0            # 4 spans each, all matched by overlap
    assert ab["span_exact_f1"] == 0.75     # "the gangs" vs "gangs": 3 exact of 4
    assert ab["sentiment_confusion"]["neutral"]["negative"] == 1
    assert ab["stance_confusion"]["wary"]["critical"] == 1
    ac = pairs[("a@x.org", "c@x.org")]
    assert ac["sentences"] == 2            # c did not label s2
    assert ac["span_f1"] == pytest.approx(0.8)  # a: 3 spans, c: 2, matched 2
    assert ac["stance_confusion"]["critical"]["(no span)"] == 1
    assert result["span_f1"] == pytest.approx(2 * (4 + 2 + 2) / (8 + 5 + 5), abs=1e-4)
    # over the pairs a-b, a-c, b-c: gangs unmarked by c (2), rights groups wary/critical (a-b, b-c),
    # Kenya supportive/wary (a-c, b-c)
    stance = {tuple(d["labels"]): d["count"] for d in result["disagreements"]["stance"]}
    assert stance == {("(no span)", "critical"): 2, ("critical", "wary"): 2, ("supportive", "wary"): 2}
    sentiment = {tuple(d["labels"]): d["count"] for d in result["disagreements"]["sentiment"]}
    assert sentiment == {("negative", "neutral"): 2}  # s1: b against a and against c


def test_alpha_matches_independent_formula_on_random_data():
    rng = random.Random(7)
    labels = ["positive", "neutral", "negative"]
    records, units = [], []
    for i in range(60):
        coders = rng.sample(["a", "b", "c", "d"], rng.randint(1, 4))
        values = [rng.choice(labels if rng.random() < 0.5 else labels[:1]) for _ in coders]
        units.append(values)
        records += [rec(f"r{i}", "Some sentence.", c, v) for c, v in zip(coders, values)]
    assert agreement(records)["sentiment_alpha"]["alpha"] == pytest.approx(
        coincidence_alpha(units), abs=1e-4)


def test_span_matching_keeps_one_span_per_annotator_per_unit():
    text = "The Kenyan police and Haitian police met."
    sentence = Sentence("x", text)
    sentence.by_annotator = {
        "a": {"actors": [span(text, "The Kenyan police", "supportive"),
                         span(text, "Haitian police", "none")]},
        "b": {"actors": [span(text, "Kenyan police and Haitian police", "supportive")]},
    }
    units = match_spans(sentence)
    assert len(units) == 2
    # b's long span overlaps "Haitian police" more (Jaccard 14/32) than "The Kenyan police" (13/36)
    assert [sorted(u.spans) for u in units] == [["a"], ["a", "b"]]
    assert units[1].spans["a"]["text"] == "Haitian police"


def test_undefined_alpha_is_reported_not_invented():
    records = [rec("s", S2, "a", "neutral"), rec("s", S2, "b", "neutral")]
    result = agreement(records)
    assert result["sentiment_alpha"]["alpha"] is None
    assert "undefined" in result["sentiment_alpha"]["note"]
    assert result["stance_alpha"]["alpha"] is None


def test_latest_annotation_of_an_annotator_wins():
    old = rec("s", S2, "a", "negative")
    new = {**rec("s", S2, "a", "neutral"), "updated_at": "2025-02-01T00:00:00Z"}
    result = agreement([new, old, rec("s", S2, "b", "neutral")])
    assert result["superseded_annotations"] == 1
    assert result["pairs"][0]["sentiment_agreement"] == 1.0


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_cli_json_and_tables(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", HAND)
    result = CliRunner().invoke(main, ["agreement", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["sentiment_alpha"]["alpha"] == pytest.approx(0.5625, abs=1e-4)
    result = CliRunner().invoke(main, ["agreement", str(gold)])
    assert result.exit_code == 0, result.output
    assert "sentiment alpha: 0.562" in result.output
    assert "a@x.org (rows) vs b@x.org (columns)" in result.output


def test_cli_rejects_bad_gold_with_file_and_line(tmp_path):
    bad = dict(HAND[1], sentiment="furious")
    gold = write_jsonl(tmp_path / "gold.jsonl", [HAND[0], bad])
    result = CliRunner().invoke(main, ["agreement", str(gold)])
    assert result.exit_code != 0
    assert f"{gold}:2" in result.output
    assert "Traceback" not in result.output


def test_records_without_annotator_on_a_shared_sentence_are_refused(tmp_path):
    plain = {k: v for k, v in HAND[0].items() if k != "annotator"}
    gold = write_jsonl(tmp_path / "gold.jsonl", [plain, plain])
    result = CliRunner().invoke(main, ["agreement", str(gold)])
    assert result.exit_code != 0
    assert "annotator" in result.output


def test_a_record_another_annotator_saved_last_is_left_out_and_counted():
    """Label Studio updates the author's annotation in place when someone else submits it: it is
    the editor's labels under the author's name, not an independent judgement."""
    a = rec("s3", S3, "a@x.org", "negative", span(S3, "Rights groups", "wary"))
    b = rec("s3", S3, "b@x.org", "negative", span(S3, "Rights groups", "wary"))
    edited = {**rec("s2", S2, "a@x.org", "neutral", span(S2, "Police officers", "none")),
              "updated_by": "b@x.org"}
    other = rec("s2", S2, "b@x.org", "neutral", span(S2, "Police officers", "none"))
    result = agreement([a, b, edited, other])
    assert result["left_out_edited_by_another"] == 1
    assert result["sentences_multiply_annotated"] == 1  # s2 has one independent record left
    assert agreement([a, b, {**edited, "updated_by": "a@x.org"}, other])[
        "sentences_multiply_annotated"] == 2  # the author's own later edit is independent
