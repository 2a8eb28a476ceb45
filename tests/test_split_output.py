"""The fast split writes what the plain pipeline wrote: same sentences, ids, offsets, bytes.

`annotate split` finds stops by scanning for their punctuation, writes each JSON line by hand and
splits large input on several processes. Here its output is compared, byte for byte, with a
reference that does it the plain way, as the splitter did before: the stop pattern tried at
every character, one dict per record, json.dumps, one process.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_split import TRICKY_CASES

from annotate.cli import main
from annotate.ingest import splitting
from annotate.ingest.documents import (
    Document,
    SplitStats,
    iter_documents,
    prose_blocks,
    split_document,
    stretch_cuts,
)
from annotate.ingest.parallel import sentence_lines
from annotate.ingest.sources import META_FIELDS

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "corpora/haiti-mss/articles"

# The stop pattern as it was, tried at every character by finditer.
_OPENERS = "\"'“‘([¡¿"
_REFERENCE_STOP = re.compile(
    r"(?<!\S)[\"'“‘(\[]*(?P<word>\S*?)(?P<stop>\.{3}|…|[.!?]+)[\"'”’)\]]*"
    rf"(?=\s+[{re.escape(_OPENERS)}]*(?P<first>\S))"
)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def reference_spans(text: str) -> list[tuple[int, int]]:
    boundaries, proposed = [], None
    for stop in _REFERENCE_STOP.finditer(text):
        verdict = splitting._judge(*stop.group("word", "stop", "first"))
        if verdict is None:
            proposed = splitting.blingfire_ends(text) if proposed is None else proposed
            verdict = stop.end() in proposed
        if verdict:
            boundaries.append(stop.end())
    spans, start = [], 0
    for end in [*boundaries, len(text)]:
        piece = text[start:end]
        if piece.strip():
            first = start + len(piece) - len(piece.lstrip())
            spans.append((first, first + len(piece.strip())))
        start = end
    return spans


def reference_lines(document: Document) -> str:
    blocks, _ = prose_blocks(document.text)
    spans = [(a + start, a + end) for a, b in blocks
             for start, end in reference_spans(document.text[a:b])]
    texts = [document.text[start:end] for start, end in spans]
    ids = [f"{document.id}:{hashlib.sha1(t.encode('utf-8')).hexdigest()[:10]}" for t in texts]
    seen: dict[str, int] = {}
    for index, sentence_id in enumerate(ids):
        seen[sentence_id] = seen.get(sentence_id, 0) + 1
        if seen[sentence_id] > 1:
            ids[index] = f"{sentence_id}-{seen[sentence_id]}"
    meta = {name: document.meta[name] for name in META_FIELDS if document.meta.get(name)}
    return "".join(_ENCODE({"id": i, "doc_id": document.id, "text": t, "start": s, "end": e,
                            "prev_text": p, "next_text": n, **meta}) + "\n"
                   for i, t, (s, e), p, n in zip(ids, texts, spans, ["", *texts[:-1]],
                                                 [*texts[1:], ""]))


FURNITURE = ["Share.", "Leave A Reply", "Home | News | World | Contact", "Advertisement",
             "See also:", "- Related story one", "- Related story two", "Related posts"]
PIECES = ["Dr. Jean Pierre said on Sept. 5 that the U.S. would pay.", "“Why now?” he asked.",
          "Gen. Otunge arrived at 3 p.m. He left... eventually.", "Prices rose 80.5% in 2024.",
          "Ms. Clesca, i.e. the critic, wrote: \"We will not abandon Haiti.\"",
          "Aid (food, fuel, etc.) was late.\tThe U.N. met.", "Il a dit\u00a0: « Non. » Puis.",
          "# A heading", "1. a list item. Another.", "> a quote. It ends.", "Short title"]


def generated_documents(count: int, seed: int) -> list[Document]:
    """News-like documents: the tricky cases, template sentences, furniture, lists, headings,
    tabs and no-break spaces, repeated sentences, and metadata with non-ASCII and quotes."""
    rng = random.Random(seed)
    tricky = [text for text, _ in TRICKY_CASES]
    documents = []
    for number in range(count):
        paragraphs = []
        for _ in range(rng.randint(0, 60)):
            parts = [rng.choice(tricky + PIECES) for _ in range(rng.randint(1, 6))]
            paragraph = rng.choice([" ", "\n", "  "]).join(parts)
            if rng.random() < 0.15:
                paragraph += "\n" + rng.choice(FURNITURE)
            paragraphs.append(paragraph)
        meta = {"title": f"Tïtle \"{number}\" \u2028"} if number % 3 == 0 else {}
        if number % 4 == 0:
            meta |= {"outlet": "Le Nouvelliste", "date": "2024-03-05"}
        documents.append(Document(f"doc-{number}é", "\n\n".join(paragraphs), "generated", meta))
    return documents


def test_scan_finds_the_boundaries_the_per_character_pattern_found():
    rng = random.Random(7)
    alphabet = [*"ab A.!?…\"'“‘([)]”’¡¿ \n\t\u00a0\u2009Z1", "U.S.", "etc.", "Dr.", "...",
                " He", " the", "p.m."]
    texts = [text for text, _ in TRICKY_CASES] + PIECES
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))
              for _ in range(20000)]
    texts += ["x" * 200 + ". Next one. " + "y" * 100 + ".\u00a0Z", "a" * 70 + "\t.b. C"]
    mismatches = [t for t in texts if splitting.sentence_spans(t) != reference_spans(t)]
    assert mismatches == []


@pytest.mark.parametrize("jobs,stretch", [(1, 1 << 20), (1, 700), (2, 700), (2, 5000)])
def test_lines_are_the_plain_pipelines_bytes_in_one_process_or_several(jobs, stretch):
    documents = generated_documents(40, seed=jobs * stretch)
    documents += list(iter_documents([ARTICLES]))
    stats = SplitStats()
    written = "".join("".join(lines) for lines in sentence_lines(documents, stats, jobs, stretch))
    assert written == "".join(reference_lines(document) for document in documents)
    assert stats.documents == len(documents)
    assert stats.sentences == written.count("\n")
    assert stats.dropped_lines == sum(split_document(d)[1] for d in documents)
    assert stats.empty_documents == [d.source for d in documents if not split_document(d)[0]]


def test_stretches_cut_where_prose_blocks_starts_afresh():
    text = "\n\n".join(document.text for document in generated_documents(30, seed=3))
    cuts = stretch_cuts(text, 500)
    assert len(cuts) > 20
    blocks, dropped = prose_blocks(text)
    pieces, dropped_in_pieces = [], 0
    for start, end in zip([0, *cuts], [*cuts, len(text)]):
        found, lost = prose_blocks(text[start:end])
        pieces += [(start + a, start + b) for a, b in found]
        dropped_in_pieces += lost
    assert (pieces, dropped_in_pieces) == (blocks, dropped)


def test_split_command_writes_the_same_file_with_one_job_or_two(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as handle:
        for document in generated_documents(60, seed=11):
            handle.write(json.dumps({"id": document.id, "text": document.text,
                                     **document.meta}, ensure_ascii=False) + "\n")
    outputs = []
    for jobs in ("1", "2"):
        output = tmp_path / f"sentences-{jobs}.jsonl"
        result = CliRunner().invoke(main, ["split", str(corpus), "-o", str(output),
                                           "--jobs", jobs])
        assert result.exit_code == 0, result.output
        outputs.append(output.read_bytes())
    expected = "".join(reference_lines(d) for d in iter_documents([corpus])).encode("utf-8")
    assert outputs == [expected, expected]
