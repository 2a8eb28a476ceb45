"""Sentence-splitting throughput (MB/s) and accuracy: annotate's splitter against the runners-up.

Run from the repository root (figures go to BENCHMARKS.md, "Sentence splitting"):

    python benchmarks/bench_split.py --mb 30 --repeats 3

One run generates a deterministic news-like corpus (templates plus the labelled tricky cases of
tests/test_split.py and page furniture), cuts it into paragraphs the way `annotate split` does,
and times each splitter on the same paragraphs. Fast splitters run on the whole corpus; the slow
pure-Python ones on a prefix of it (--slow-mb), which is fair because the corpus is uniform and
throughput is per megabyte. Each figure is the median of --repeats runs; the speed-up is against
pysbd measured in the same run. Accuracy is the share of tricky cases split exactly right, plus
whether the seed article gives its 15 sentences. Exits non-zero if annotate's splitter gets a
tricky case wrong or misses the 50x goal.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import blingfire
import pysbd
import segtok.segmenter
import syntok.segmenter

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from test_split import SEED, TRICKY_CASES  # noqa: E402

from annotate.ingest.documents import Document, prose_blocks, split_document  # noqa: E402
from annotate.ingest.splitting import blingfire_ends, sentence_spans  # noqa: E402
from annotate.records import read_text  # noqa: E402

GOAL = 50.0

ACTORS = ["Kenyan President William Ruto", "Dr. Jean Pierre", "Gen. Godfrey Otunge",
          "the U.S. State Department", "U.N. Secretary-General António Guterres",
          "Lt. Col. Marie Joseph", "Mr. Garry Conille", "J. R. R. Baptiste", "John F. Alexis",
          "the Haitian National Police", "Prof. Ali Hassan", "Ms. Monique Clesca"]
VERBS = ["said on Sept. 5 that", "told reporters at 3 p.m. that", "warned that", "argued that",
         "insisted on Tuesday that", "wrote in a statement that"]
CLAIMS = ["the mission had deployed only 400 of 2,500 officers",
          "the force needed $1.5 billion, i.e. far more than pledged",
          "armed groups controlled about 80.5% of Port-au-Prince",
          "equipment, fuel, radios, etc. were still missing",
          "the U.N. should take over the mission",
          "elections could follow... eventually",
          "donors, e.g. Canada and France, were slow to pay"]
QUOTES = ['"We will not abandon Haiti."', "“The situation is a race against time.”",
          '"Why now?"', "“Security alone cannot fix this.”"]
FURNITURE = ["Share.", "Leave A Reply", "Exit mobile version", "Home | News | World | Contact",
             "Advertisement", "Read more", "Related posts"]


def generate_corpus(megabytes: float, seed: int = 2024) -> str:
    """Deterministic news-like text: paragraphs of template sentences and tricky cases."""
    rng = random.Random(seed)
    tricky = [text for text, _ in TRICKY_CASES]
    parts, size = [], 0
    while size < megabytes * 1_000_000:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            roll = rng.random()
            if roll < 0.2:
                sentences.append(rng.choice(tricky))
            elif roll < 0.4:
                sentences.append(f"{rng.choice(ACTORS).capitalize()} said: {rng.choice(QUOTES)}")
            else:
                claim = rng.choice(CLAIMS)
                sentences.append(f"{rng.choice(ACTORS)[0].upper()}{rng.choice(ACTORS)[1:]} "
                                 f"{rng.choice(VERBS)} {claim}.")
        paragraph = " ".join(sentences)
        if rng.random() < 0.1:
            paragraph += "\n" + rng.choice(FURNITURE)
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
    return "\n\n".join(parts)


# Each splitter: paragraph text -> list of (start, end) spans.
def _pysbd():
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [(s.start, s.end) for s in segmenter.segment(text)]


def _syntok(text):
    spans = []
    for paragraph in syntok.segmenter.analyze(text):
        for sentence in paragraph:
            spans.append((sentence[0].offset, sentence[-1].offset + len(sentence[-1].value)))
    return spans


def _segtok(text):
    spans, position = [], 0
    for sentence in segtok.segmenter.split_single(text):
        start = text.find(sentence, position)
        spans.append((start, start + len(sentence)))
        position = start + len(sentence)
    return spans


def _blingfire(text):
    return blingfire.text_to_sentences_and_offsets(text)[1]


def _blingfire_fast(text):
    ends = sorted(blingfire_ends(text))
    return list(zip([0, *ends], [*ends, len(text)]))


OURS = "annotate (rules + blingfire)"
SPLITTERS = {  # name -> (factory of the split function, runs on the whole corpus?)
    OURS: (lambda: sentence_spans, True),
    "blingfire alone, its own Python wrapper": (lambda: _blingfire, True),
    "blingfire alone, annotate's ctypes call": (lambda: _blingfire_fast, True),
    "syntok": (lambda: _syntok, False),
    "segtok": (lambda: _segtok, False),
    "pysbd": (_pysbd, False),
}


def sentences(split, text):
    return [text[start:end].strip() for start, end in split(text) if text[start:end].strip()]


def tricky_accuracy(split) -> float:
    right = sum(sentences(split, text) == expected for text, expected in TRICKY_CASES)
    return right / len(TRICKY_CASES)


def seed_ok(split) -> bool:
    """The seed article: 15 sentences, and each paragraph is exactly its sentences joined."""
    text = read_text(SEED)
    blocks, _ = prose_blocks(text)
    found = [sentences(split, text[start:end]) for start, end in blocks]
    return (sum(map(len, found)) == 15
            and all(" ".join(f) == text[start:end].strip() for f, (start, end) in zip(found, blocks)))


def blocks_of(text: str) -> list[str]:
    blocks, _ = prose_blocks(text)
    return [text[start:end] for start, end in blocks]


def time_it(split, paragraphs, repeats) -> float:
    """Median seconds to split all paragraphs."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for paragraph in paragraphs:
            split(paragraph)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def plain_corpus(megabytes: float) -> str:
    """Ordinary news prose: the seed article's paragraphs, repeated (read from ../shared)."""
    paragraphs = blocks_of(read_text(SEED))
    copies = int(megabytes * 1_000_000 / sum(len(p.encode()) + 2 for p in paragraphs)) + 1
    return "\n\n".join(paragraphs * copies)


def measure(title, corpus, slow_mb, repeats):
    """Time every splitter on one corpus; print a table; return annotate's speed-up over pysbd."""
    paragraphs = blocks_of(corpus)
    slow = blocks_of(corpus[:int(slow_mb * 1_000_000)])
    size = {True: sum(len(p.encode()) for p in paragraphs) / 1e6,
            False: sum(len(p.encode()) for p in slow) / 1e6}
    print(f"\n{title}: {size[True]:.1f} MB of prose in {len(paragraphs)} paragraphs; "
          f"pysbd, syntok and segtok on the first {size[False]:.1f} MB; median of {repeats}\n")
    speeds = {name: size[whole] / time_it(factory(), paragraphs if whole else slow, repeats)
              for name, (factory, whole) in SPLITTERS.items()}
    baseline = speeds["pysbd"]
    print("| splitter | MB timed | MB/s | × pysbd |")
    print("|---|---|---|---|")
    for name, speed in speeds.items():
        whole = SPLITTERS[name][1]
        print(f"| {name} | {size[whole]:.1f} | {speed:.2f} | {speed / baseline:.0f}× |")
    return speeds[OURS] / baseline


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=30.0, help="corpus size in MB (default 30)")
    parser.add_argument("--slow-mb", type=float, default=1.0,
                        help="prefix for pysbd, syntok and segtok, in MB (default 1)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores; command: python benchmarks/bench_split.py "
          f"--mb {args.mb:g} --slow-mb {args.slow_mb:g} --repeats {args.repeats}")

    print("\n| splitter | tricky cases right | seed article: its 15 sentences |")
    print("|---|---|---|")
    accuracy = {}
    for name, (factory, _) in SPLITTERS.items():
        split = factory()
        accuracy[name] = (tricky_accuracy(split), seed_ok(split))
        right, seed = accuracy[name]
        print(f"| {name} | {round(right * len(TRICKY_CASES))}/{len(TRICKY_CASES)} | "
              f"{'yes' if seed else 'no'} |")

    generated = generate_corpus(args.mb)
    ratios = [measure("Generated corpus (templates + tricky cases, dense in abbreviations)",
                      generated, args.slow_mb, args.repeats),
              measure("Plain news prose (the seed article's paragraphs, repeated)",
                      plain_corpus(args.mb), args.slow_mb, args.repeats)]

    chunks = generated.split("\n\n")  # the whole pipeline, on documents of 20 paragraphs
    documents = [Document(str(i), "\n\n".join(chunks[i:i + 20]), "bench")
                 for i in range(0, len(chunks), 20)]
    started = time.perf_counter()
    for document in documents:
        split_document(document)
    pipeline = len(generated.encode()) / 1e6 / (time.perf_counter() - started)
    print(f"\nwhole `split_document` pipeline (furniture, blocks, records) on the generated "
          f"corpus, one run: {pipeline:.2f} MB/s")

    right, seed = accuracy[OURS]
    ok = right == 1.0 and seed and min(ratios) >= GOAL
    print(f"goal (≥{GOAL:.0f}× pysbd on both corpora, every tricky case and the seed right): "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
