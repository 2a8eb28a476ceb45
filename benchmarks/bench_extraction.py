"""Web-page extraction quality and speed: `annotate split` against trafilatura's own default
extraction and a naive baseline (the text of every <p> element), on 63 real pages.

Run from the repository root (figures go to BENCHMARKS.md, "Web-page extraction"):

    python benchmarks/bench_extraction.py --repeats 3

The pages and their expected snippets are ../shared/data/news-html/ (read in place, never copied;
see its SOURCE.md). A page is right when every keep-snippet occurs in the extracted text and no
furniture snippet does. Text and snippets are compared with whitespace collapsed and invisible
format characters (Unicode category Cf, e.g. U+2063) removed, the same for every extractor. For
`annotate split` the extracted text is what its sentence records cover (furniture lines dropped),
and every record's offsets are checked against the document text. Speed is pages per second of each
extractor in this process (median of --repeats), plus the whole `annotate split DIR -o FILE`
command as a user runs it. Exits non-zero if annotate misses the goals (keep-snippets all kept on
>= 95% of pages, furniture leaked on <= 5%) or an offset is off.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import lxml.html
import trafilatura

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from annotate.ingest.html import decode_page, read_page  # noqa: E402
from annotate.ingest.documents import Document, split_document  # noqa: E402
from shared_data import DATA_DIR  # noqa: E402

PAGES_DIR = DATA_DIR / "news-html"
KEEP_GOAL, LEAK_GOAL = 0.95, 0.05


def comparable(text: str) -> str:
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def annotate_split(path: Path) -> str:
    """The text `annotate split` keeps of a page: its sentences, offsets checked exactly."""
    page = read_page(path)
    document = Document(path.stem, page["text"], str(path))
    records, _ = split_document(document)
    for record in records:
        if document.text[record["start"]:record["end"]] != record["text"]:
            raise AssertionError(f"{path.name}: offsets of {record['id']} are off")
    return " ".join(record["text"] for record in records)


def trafilatura_default(path: Path) -> str:
    return trafilatura.extract(path.read_bytes()) or ""


def paragraphs_only(path: Path) -> str:
    tree = lxml.html.fromstring(decode_page(path.read_bytes()))
    return " ".join(p.text_content() for p in tree.iter("p"))


EXTRACTORS = {"annotate split": annotate_split, "trafilatura default": trafilatura_default,
              "naive <p> text": paragraphs_only}


def score(extract, expected: list[dict]) -> dict:
    right = all_kept = leaked_pages = kept = keep_total = leaked = furniture_total = 0
    for page in expected:
        text = comparable(extract(PAGES_DIR / "pages" / page["file"]))
        keep = [comparable(s) in text for s in page["with"]]
        leak = [comparable(s) in text for s in page["without"]]
        kept, keep_total = kept + sum(keep), keep_total + len(keep)
        leaked, furniture_total = leaked + sum(leak), furniture_total + len(leak)
        all_kept += all(keep)
        leaked_pages += any(leak)
        right += all(keep) and not any(leak)
    pages = len(expected)
    return {"pages": pages, "right": right, "all_kept": all_kept / pages,
            "leaked_pages": leaked_pages / pages, "kept": kept / keep_total,
            "leaked": leaked / furniture_total}


def pages_per_second(expected: list[dict], repeats: int) -> dict[str, float]:
    """Pages/s of each extractor, median of `repeats` rounds; each round times every extractor in
    turn, so load on a shared machine falls on all of them alike."""
    paths = [PAGES_DIR / "pages" / page["file"] for page in expected]
    times: dict[str, list[float]] = {name: [] for name in EXTRACTORS}
    for _ in range(repeats):
        for name, extract in EXTRACTORS.items():
            started = time.perf_counter()
            for path in paths:
                extract(path)
            times[name].append(time.perf_counter() - started)
    return {name: len(paths) / statistics.median(values) for name, values in times.items()}


def command_pages_per_second(repeats: int, pages: int) -> float:
    """The whole `annotate split` command (start-up, imports, writing) on the pages folder."""
    annotate = Path(sys.executable).with_name("annotate")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([str(annotate), "split", str(PAGES_DIR / "pages"), "-o",
                            os.path.join(tmp, "s.jsonl")], check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return pages / statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=list(EXTRACTORS),
                        help="Only run this extractor over every page once (no scoring): a "
                        "whole-process baseline to time `annotate split` against.")
    args = parser.parse_args()
    if not PAGES_DIR.is_dir():
        sys.exit(f"needs {PAGES_DIR} (the shared data sets beside the clone)")
    expected = [json.loads(line) for line in (PAGES_DIR / "expected.jsonl").read_text().splitlines()]
    if args.only:
        for page in expected:
            EXTRACTORS[args.only](PAGES_DIR / "pages" / page["file"])
        return 0
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"trafilatura {trafilatura.__version__}, {len(expected)} pages, median of {args.repeats}")
    print("| extractor | pages fully right | keep-snippets all kept | pages leaking furniture "
          "| keep-snippets kept | furniture snippets leaked | pages/s | speed vs trafilatura |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    results = {}
    speeds = pages_per_second(expected, args.repeats)
    baseline = speeds["trafilatura default"]
    for name, extract in EXTRACTORS.items():
        result = score(extract, expected)
        results[name] = result
        print(f"| {name} | {result['right']}/{result['pages']} | {result['all_kept']:.1%} | "
              f"{result['leaked_pages']:.1%} | {result['kept']:.1%} | {result['leaked']:.1%} | "
              f"{speeds[name]:.1f} | {speeds[name] / baseline:.2f}x |")
    whole = command_pages_per_second(args.repeats, len(expected))
    print(f"\nwhole command `annotate split {PAGES_DIR / 'pages'} -o s.jsonl` (start-up, imports, "
          f"writing included): {whole:.1f} pages/s, {whole / baseline:.2f}x trafilatura's default "
          "extraction in-process")
    ours = results["annotate split"]
    return 0 if ours["all_kept"] >= KEEP_GOAL and ours["leaked_pages"] <= LEAK_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
