"""The baseline of the whole-process pre-label benchmark: a bare loop of TextBlob's sentiment.

    python benchmarks/textblob_loop.py sentences.jsonl

Reads the sentence records and computes `TextBlob(text).sentiment` for each, nothing else: the
least a TextBlob-based labeller does per sentence.
"""

from __future__ import annotations

import json
import sys

from textblob import TextBlob


def main():
    count = 0
    with open(sys.argv[1], encoding="utf-8") as handle:
        for line in handle:
            TextBlob(json.loads(line)["text"]).sentiment
            count += 1
    print(f"{count} sentences", file=sys.stderr)


if __name__ == "__main__":
    main()
