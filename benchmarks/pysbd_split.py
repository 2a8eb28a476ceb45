"""The baseline of the whole-process split benchmark: pysbd over a text file, as a plain script.

    python benchmarks/pysbd_split.py ARTICLE.txt -o sentences.jsonl

Paragraphs (blank-line separated) go through pysbd one by one (with character spans), and each
sentence is written as {"start", "end", "text"}: what a user of pysbd alone would write.
"""

from __future__ import annotations

import argparse
import json
import re

import pysbd


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    with open(args.source, encoding="utf-8") as handle:
        text = handle.read()
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    with open(args.output, "w", encoding="utf-8") as out:
        for paragraph in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
            for span in segmenter.segment(paragraph.group()):
                start = paragraph.start() + span.start
                sentence = span.sent.strip()
                if sentence:
                    out.write(json.dumps({"start": start, "end": start + len(sentence),
                                          "text": sentence}) + "\n")


if __name__ == "__main__":
    main()
