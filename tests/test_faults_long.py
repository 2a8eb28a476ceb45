"""Bounded work per sentence: one very long sentence never stalls pre-labelling."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotate.model.actors import ActorDetector
from annotate.model.prelabel import MAX_PRELABEL_CHARS, prelabel_part
from annotate.model.store import load_model

CLAUSE = ("Kenyan police officers said the U.S. mission would restore order, while opposition "
          "lawmakers in Port-au-Prince warned of abuses and the UN welcomed it ")


@pytest.mark.timeout(120)
def test_a_200000_character_sentence_is_prelabelled_on_its_first_part_in_seconds(tmp_path):
    text = (CLAUSE * (200_000 // len(CLAUSE) + 1))[:200_000]
    source = tmp_path / "sentences.jsonl"
    source.write_text(json.dumps({"id": "d:long", "doc_id": "d", "text": text, "start": 0,
                                  "end": len(text)}) + "\n"
                      + json.dumps({"id": "d:short", "doc_id": "d", "text": CLAUSE.strip(),
                                    "start": 0, "end": len(CLAUSE.strip())}) + "\n")
    output = tmp_path / "predictions.jsonl"
    result = subprocess.run([sys.executable, "-c", "from annotate.cli import main; main()",
                             "prelabel", str(source), "-o", str(output)],
                            capture_output=True, text=True, timeout=110)
    assert result.returncode == 0, result.stderr
    assert f"1 sentences are longer than {MAX_PRELABEL_CHARS} characters" in result.stderr
    long, short = [json.loads(line) for line in output.read_text().splitlines()]
    assert long["text"] == text  # the record is whole; only the pre-labels cover a part
    assert 0 < long["prelabelled_chars"] <= MAX_PRELABEL_CHARS
    assert text[long["prelabelled_chars"]] == " "  # cut between words
    assert long["actors"] and all(a["end"] <= long["prelabelled_chars"] for a in long["actors"])
    assert all(text[a["start"]:a["end"]] == a["text"] for a in long["actors"])
    assert "prelabelled_chars" not in short


def test_the_first_part_is_all_of_a_normal_sentence():
    assert prelabel_part(CLAUSE) == CLAUSE
    assert prelabel_part("word " * 3000) == ("word " * 3000)[:MAX_PRELABEL_CHARS - 1]
    assert len(prelabel_part("x" * 9000)) == MAX_PRELABEL_CHARS  # no space: a hard cut


@pytest.mark.timeout(60)
def test_actor_detection_is_linear_in_the_sentence_length():
    """A long run of abbreviations ("U.S. U.S. ...") is one noun phrase; naming it from the
    codebook searched the whole text before every alias in it (quadratic: minutes at 200,000
    characters). The detector alone, without the pre-labelling cap."""
    detector = ActorDetector(load_model(None).codebook)
    spans = detector.detect("U.S. " * 40_000)
    assert len(spans) == 1
