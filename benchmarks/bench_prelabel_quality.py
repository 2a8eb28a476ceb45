"""Pre-label quality, one run, side by side with the current model (issue 13).

Run from the repository root (reads ../shared/data, never copies it; `git` gives the baseline):
    OMP_NUM_THREADS=1 taskset -c 0 python3 benchmarks/bench_prelabel_quality.py [--baseline REF]
        [--sections newsmtsc haiti speakers pronouns names cost]

1. NewsMTSC stance macro-F1 on dev_rw and dev_mt, trained on splits/train.jsonl: the fast tier
   (StanceClassifier) with the settings of `main` and with the tier's settings now, and the
   accurate tier (SemanticStanceClassifier with MiniLM's contextual states, and as it was with
   WordLlama's vectors), with CPU fit seconds on one core (the contextual encoder's load and
   every sentence's encoding included).
2. haiti-mss dev (trained on the train split in this run): stance on the gold spans, sentence
   sentiment, actor precision/recall/F1 (overlap; exact in brackets) for both tiers, the shipped
   models of REF (annotate/data at REF, loaded from git) scored the same way, and the actor
   detection of the baseline (annotate/model/actors.py and the codebook at REF, default `main`).
3. Holder recall on the speakers of the 63 real news pages (benchmarks/gold/news-html-speakers.jsonl:
   page, locator, speaker; the sentences are read from ../shared/data/news-html/pages), with and
   without the codebook, and for the baseline.
4. Pronoun holders: share of the gold pronoun spans (haiti-mss dev and train) found with the
   gold `actor` (null where the gold has none). 4b: the canonical actor of every detected span
   paired with a gold span, and of the generic mentions ("the council") whose gold names an
   actor, for the baseline detector and the new one.
5. Cost: pre-label speed (sentences/s, median of 5, wall and CPU) and size of the shipped models,
   against the shipped models of REF in the same run.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_stance_quality import converted, macro_f1  # noqa: E402
from speaker_gold import load_speakers  # noqa: E402

from annotate.codebook import Codebook  # noqa: E402
from annotate.model.actors import ActorDetector  # noqa: E402
from annotate.model.pronouns import is_pronoun_text  # noqa: E402
from annotate.model.prelabel import Prelabeler  # noqa: E402
from annotate.model.mentions import is_generic_mention  # noqa: E402
from annotate.model.scoring import (  # noqa: E402
    actor_name_scores,
    classification_scores,
    scorable_actor_spans,
    span_scores,
)
from annotate.model import contextual  # noqa: E402
from annotate.model.semantic import SemanticStanceClassifier  # noqa: E402
from annotate.model.stance import StanceClassifier  # noqa: E402
from annotate.model.store import Model, load_model  # noqa: E402
from annotate.model.training import previous_texts, stance_items, tier_estimators  # noqa: E402
from readers import read_all  # noqa: E402  (the tests' helper)
from annotate.schema import load_schema  # noqa: E402

GOLD = ROOT / "corpora/haiti-mss/gold"
TRAIN = [GOLD / "articles.train.jsonl", GOLD / "extra.train.jsonl"]
DEV = [GOLD / "articles.dev.jsonl", GOLD / "extra.dev.jsonl"]
CODEBOOK = ROOT / "corpora/haiti-mss/codebook.toml"
PAGES = ROOT.parent / "shared/data/news-html/pages"


def baseline_detector(ref: str):
    """The actor detector and codebook of `ref` (git), or None when git cannot give them."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:annotate/model/actors.py"],
                                capture_output=True, text=True, check=True).stdout
        codebook = subprocess.run(["git", "-C", str(ROOT), "show",
                                   f"{ref}:corpora/haiti-mss/codebook.toml"],
                                  capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(no baseline: {exc})")
        return None
    folder = Path(tempfile.mkdtemp())
    (folder / "baseline_actors.py").write_text(source, encoding="utf-8")
    (folder / "codebook.toml").write_text(codebook, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_actors", folder / "baseline_actors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ActorDetector(Codebook.load(folder / "codebook.toml"))


def baseline_models(ref: str, workdir: Path) -> dict:
    """The shipped models of `ref` (annotate/data from git), loaded by this code, or {}."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "annotate/data"],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(no baseline models: {exc})")
        return {}
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(workdir, filter="data")
    return {tier: load_model(workdir / "annotate/data" / folder)
            for tier, folder in (("fast", "default-model"), ("accurate", "accurate-model"))}


def newsmtsc(workdir: Path) -> None:
    items, labels, _ = stance_items(converted("train", workdir))
    devs = {split: stance_items(converted(split, workdir))[:2] for split in ("dev_rw", "dev_mt")}
    print("## 1. NewsMTSC stance macro-F1 (trained on train)\n")
    print("| model | dev_rw | dev_mt | fit CPU s |\n|---|---|---|---|")
    runs = [("fast, settings of main", StanceClassifier(random_state=0)),
            ("fast (tier settings now)", tier_estimators("fast", 0)[0]),
            ("accurate before: WordLlama, semantic_weight 1.0 (tier settings)",
             tier_estimators("accurate", 0, {"semantic_weight": 1.0, "contextual_weight": 0.0})[0]),
            ("accurate (tier settings now: contextual_weight 3)", tier_estimators("accurate", 0)[0]),
            ("accurate estimator, settings of main, contextual_weight 1",
             SemanticStanceClassifier(random_state=0, semantic_weight=0.0, contextual_weight=1.0))]
    for label, stance in runs:
        contextual.encoder.cache_clear()  # each fit pays for loading and encoding
        start = time.process_time()
        stance.fit(items, labels)
        seconds = time.process_time() - start
        scores = [macro_f1(gold, stance.predict(dev_items)) for dev_items, gold in devs.values()]
        print(f"| {label} | {scores[0]:.3f} | {scores[1]:.3f} | {seconds:.1f} |")


def haiti(baseline, shipped: dict) -> None:
    train, dev = read_all(TRAIN, "gold"), read_all(DEV, "gold")
    codebook = Codebook.load(CODEBOOK)
    items, labels, _ = stance_items(train)
    dev_items, dev_labels, _ = stance_items(dev)
    texts = [r["text"] for r in dev]
    schema = load_schema()
    print("\n## 2. haiti-mss dev (trained on train in this run)\n")
    print("| model | stance macro-F1 | sentiment macro-F1 | actor P | actor R | actor F1 (exact) "
          "| fit CPU s |\n|---|---|---|---|---|---|---|")
    previous = previous_texts(dev)
    gold_spans = [scorable_actor_spans(r) for r in dev]
    if baseline is not None:
        spans = span_scores(gold_spans, [baseline.detect(t) for t in texts])
        o, e = spans["overlap"], spans["exact"]
        print(f"| baseline detector ({ARGS.baseline}) | (see BENCHMARKS.md) | | {o['precision']:.3f} "
              f"| {o['recall']:.3f} | {o['f1']:.3f} ({e['f1']:.3f}) | |")
    detector = ActorDetector(codebook)
    found = [detector.detect_in_context(t, p) for t, p in zip(texts, previous)]
    spans = span_scores(gold_spans, found)
    o, e = spans["overlap"], spans["exact"]
    for tier, model in shipped.items():
        stance_f1 = classification_scores(list(dev_labels), list(model.stance.predict(dev_items)),
                                          schema.stances)["macro_f1"]
        sentiment_f1 = classification_scores([r["sentiment"] for r in dev],
                                             list(model.sentiment.predict(texts)),
                                             schema.sentiments)["macro_f1"]
        print(f"| {tier}, shipped at {ARGS.baseline} ({model.model_version}) | {stance_f1:.3f} | "
              f"{sentiment_f1:.3f} | | | | |")
    for tier in ("fast", "accurate"):
        stance, sentiment = tier_estimators(tier, 0)
        start = time.process_time()
        stance.fit(items, labels)
        sentiment.fit([r["text"] for r in train], [r["sentiment"] for r in train])
        seconds = time.process_time() - start
        stance_f1 = classification_scores(list(dev_labels), list(stance.predict(dev_items)),
                                          schema.stances)["macro_f1"]
        sentiment_f1 = classification_scores([r["sentiment"] for r in dev],
                                             list(sentiment.predict(texts)),
                                             schema.sentiments)["macro_f1"]
        print(f"| {tier} | {stance_f1:.3f} | {sentiment_f1:.3f} | {o['precision']:.3f} | "
              f"{o['recall']:.3f} | {o['f1']:.3f} ({e['f1']:.3f}) | {seconds:.1f} |")


def speakers(baseline) -> None:
    gold = load_speakers(PAGES)
    print(f"\n## 3. Holder recall on the real news pages ({len(gold)} speakers)\n")
    print("| detector | named speakers | pronoun speakers | spans per sentence |\n|---|---|---|---|")
    detectors = [("new, haiti-mss codebook", ActorDetector(Codebook.load(CODEBOOK))),
                 ("new, no codebook", ActorDetector())]
    if baseline is not None:
        detectors.insert(0, (f"baseline ({ARGS.baseline})", baseline))
    for label, detector in detectors:
        hits = {True: 0, False: 0}
        counts = {True: 0, False: 0}
        predicted = 0
        for speaker in gold:
            spans = detector.detect(speaker.sentence)
            predicted += len(spans)
            counts[speaker.pronoun] += 1
            hits[speaker.pronoun] += any(min(s["end"], speaker.end) > max(s["start"], speaker.start)
                                         for s in spans)
        print(f"| {label} | {hits[False]}/{counts[False]} = {hits[False] / counts[False]:.3f} | "
              f"{hits[True]}/{counts[True]} = {hits[True] / counts[True]:.3f} | "
              f"{predicted / len(gold):.2f} |")


def pronouns() -> None:
    detector = ActorDetector(Codebook.load(CODEBOOK))
    print("\n## 4. Pronoun holders resolved as the gold\n")
    print("| split | gold pronoun spans | found | actor as gold (of found) |\n|---|---|---|---|")
    for split, paths in (("dev", DEV), ("train", TRAIN)):
        records = read_all(paths, "gold")
        total = found = right = 0
        for record, prev in zip(records, previous_texts(records)):
            predicted = detector.detect_in_context(record["text"], prev)
            for span in record["actors"]:
                if not is_pronoun_text(span["text"]):
                    continue
                total += 1
                match = [p for p in predicted
                         if min(p["end"], span["end"]) > max(p["start"], span["start"])]
                found += bool(match)
                right += bool(match) and match[0].get("actor") == span.get("actor")
        print(f"| {split} | {total} | {found} | {right} ({right / total:.2f}; "
              f"{right / max(found, 1):.2f} of found) |")


def actor_names(baseline) -> None:
    """The canonical actor of the detected spans: all of them, and the generic mentions."""
    print("\n## 4b. Canonical actors of the detected spans (pronouns and generic mentions "
          "resolved)\n")
    print("| detector | split | spans paired with gold | actor as gold | generic mentions "
          "(gold actor set) | resolved as gold |\n|---|---|---|---|---|---|")
    detectors = [("new", ActorDetector(Codebook.load(CODEBOOK)))]
    if baseline is not None:
        detectors.insert(0, (f"baseline ({ARGS.baseline})", baseline))
    for label, detector in detectors:
        for split, paths in (("dev", DEV), ("train", TRAIN)):
            records = read_all(paths, "gold")
            found = [detector.detect_in_context(r["text"], prev)
                     for r, prev in zip(records, previous_texts(records))]
            names = actor_name_scores([r["actors"] for r in records], found)
            generic = right = 0
            for record, predicted in zip(records, found):
                for span in record["actors"]:
                    if not span.get("actor") or not is_generic_mention(span["text"],
                                                                       span["start"] == 0):
                        continue
                    generic += 1
                    match = [p for p in predicted
                             if min(p["end"], span["end"]) > max(p["start"], span["start"])]
                    right += bool(match) and match[0].get("actor") == span["actor"]
            print(f"| {label} | {split} | {names['matched']} | {names['same_actor']} "
                  f"({names['accuracy']:.3f}) | {generic} | {right} ({right / max(generic, 1):.2f})"
                  " |")


def cost(shipped: dict) -> None:
    """Pre-label speed of the shipped models against those of the baseline, runs interleaved."""
    records = [dict(r, prev_text=p) for r, p in
               zip(read_all(TRAIN + DEV, "gold"), previous_texts(read_all(TRAIN + DEV, "gold")))]
    records = (records * (3000 // len(records) + 1))[:3000]
    print("\n## 5. Pre-label speed and size (3,000 sentences, one thread, median of 5, "
          "interleaved)\n")
    print("| model | sentences/s (wall) | sentences/s (CPU) | time vs baseline fast (CPU) "
          "| model size |\n|---|---|---|---|---|")
    models = [(f"{tier}, shipped at {ARGS.baseline}", model) for tier, model in shipped.items()]
    models += [(f"{tier}, shipped now", load_model(ROOT / "annotate/data" / folder))
               for tier, folder in (("fast", "default-model"), ("accurate", "accurate-model"))]
    labelers = [(label, Prelabeler(Model(stance=m.stance, sentiment=m.sentiment,
                                         codebook=m.codebook, card=m.card)), m.directory)
                for label, m in models]
    wall = {label: [] for label, _, _ in labelers}
    cpu = {label: [] for label, _, _ in labelers}
    for label, labeler, _ in labelers:  # warm-up: encoders, lexicons
        labeler.label_batch(records[:512])
    for _ in range(5):
        for label, labeler, _ in labelers:
            seconds = [0.0, 0.0]
            for i in range(0, len(records), 512):
                contextual.forget()  # the records repeat: time each batch as unseen sentences
                start, start_cpu = time.perf_counter(), time.process_time()
                labeler.label_batch(records[i:i + 512])
                seconds[0] += time.perf_counter() - start
                seconds[1] += time.process_time() - start_cpu
            wall[label].append(seconds[0])
            cpu[label].append(seconds[1])
    reference = statistics.median(cpu[labelers[0][0]])
    for label, _, directory in labelers:
        size = sum(f.stat().st_size for f in Path(directory).iterdir())
        print(f"| {label} | {len(records) / statistics.median(wall[label]):,.0f} | "
              f"{len(records) / statistics.median(cpu[label]):,.0f} | "
              f"{statistics.median(cpu[label]) / reference:.2f} | {size / 1024:.0f} kB |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git ref of the current model's code")
    parser.add_argument("--sections", nargs="+", default=["newsmtsc", "haiti", "speakers",
                                                          "pronouns", "names", "cost"],
                        help="which parts to run (default: all, in this order)")
    ARGS = parser.parse_args()
    base = baseline_detector(ARGS.baseline)
    with tempfile.TemporaryDirectory() as work:
        if "newsmtsc" in ARGS.sections:
            newsmtsc(Path(work))
        shipped_before = baseline_models(ARGS.baseline, Path(work) / "baseline")
        if "haiti" in ARGS.sections:
            haiti(base, shipped_before)
        if "speakers" in ARGS.sections:
            speakers(base)
        if "pronouns" in ARGS.sections:
            pronouns()
        if "names" in ARGS.sections:
            actor_names(base)
        if "cost" in ARGS.sections:
            cost(shipped_before)
