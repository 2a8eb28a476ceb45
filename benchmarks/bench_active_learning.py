"""Simulated annotation on NewsMTSC: uncertainty orders (margin, least confidence) against random.

An annotator labels the pool in batches of `--batch`. After each batch the stance classifier
(`annotate.model.stance.StanceClassifier`, default configuration, calibrated) is retrained from scratch on
every label revealed so far and scored on the dev splits (dev_mt + dev_rw together, stance macro-F1).
The next batch is either the next `--batch` items of a random order, or the `--batch` items the
current model is least sure of, ranked by `annotate.quality.ordering.order_by_uncertainty` over
prediction-shaped records — by the top-two margin of the per-class `scores` ("margin", what
`annotate export push --order uncertainty` uses) or by the top-1 probability alone
("least-confidence", what older prediction files without `scores` fall back to). Both orders start from the same random first
batch for a seed. Each NewsMTSC line (one mention in one sentence) is one label.

The pool is a fixed random subset of train.jsonl (`--pool`, to keep the run within ~15 minutes on
2 shared cores); one model trained on the whole pool gives the ceiling.

    python benchmarks/bench_active_learning.py            # writes benchmarks/figures/active-learning.{png,json}
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import f1_score
from threadpoolctl import threadpool_limits

from annotate.model.stance import StanceClassifier
from annotate.quality.ordering import order_by_uncertainty

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "newsmtsc" / "splits"
FIGURES = Path(__file__).resolve().parent / "figures"
POLARITY = {1: "supportive", 0: "none", -1: "critical"}


def load(path: Path):
    """Raw NewsMTSC lines -> items (sentence, mention start, end) and stance labels."""
    items, labels = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            items.append((row["sentence"], row["from"], row["to"]))
            labels.append(POLARITY[row["polarity"]])
    return items, np.array(labels, dtype=object)


def macro_f1(model, items, labels) -> float:
    return float(f1_score(labels, model.predict(items), average="macro", labels=sorted(set(labels))))


STRATEGIES = {"margin": "margin", "least-confidence": "certainty", "random": None}


def least_certain(model, pool_items, candidates: list[int], batch: int, by: str) -> list[int]:
    """The `batch` candidates the model is least sure of, ranked by annotate.quality.ordering."""
    proba = model.predict_proba([pool_items[i] for i in candidates])
    classes = [str(c) for c in model.classes_]
    # Prediction-shaped records, so the ranking is exactly the one `export push --order` uses.
    records = [{"index": i, "actors": [{"score": float(p.max()),
                                         "scores": dict(zip(classes, p.tolist()))}]}
               for i, p in zip(candidates, proba)]
    return [r["index"] for r in order_by_uncertainty(records, by=by)[:batch]]


def simulate(strategy: str, seed: int, pool_items, pool_labels, dev_items, dev_labels, args):
    rng = random.Random(seed)
    order = list(range(len(pool_items)))
    rng.shuffle(order)
    labelled, curve = order[: args.batch], []
    remaining = order[args.batch:]
    while True:
        model = StanceClassifier(random_state=seed).fit([pool_items[i] for i in labelled],
                                                        pool_labels[labelled])
        curve.append((len(labelled), macro_f1(model, dev_items, dev_labels)))
        print(f"  {strategy:16s} seed {seed}: {len(labelled):5d} labels  F1 {curve[-1][1]:.3f}",
              file=sys.stderr, flush=True)
        if len(labelled) >= args.max_labels or not remaining:
            return curve
        if STRATEGIES[strategy]:
            chosen = least_certain(model, pool_items, remaining, args.batch, STRATEGIES[strategy])
            chosen_set = set(chosen)
            remaining = [i for i in remaining if i not in chosen_set]
        else:
            chosen, remaining = remaining[: args.batch], remaining[args.batch:]
        labelled = labelled + chosen


def labels_to_reach(curve, threshold: float) -> int | None:
    return next((n for n, f1 in curve if f1 >= threshold), None)


def plot(results, ceiling: float, path: Path, args) -> None:
    figure = Figure(figsize=(8, 5), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    for strategy, colour in (("margin", "#c62828"), ("least-confidence", "#ef6c00"),
                             ("random", "#1565c0")):
        curves = results[strategy]
        xs = [n for n, _ in curves[0]]
        runs = np.array([[f1 for _, f1 in curve] for curve in curves])
        for run in runs:
            axes.plot(xs, run, color=colour, alpha=0.25, linewidth=0.8)
        axes.plot(xs, np.median(runs, axis=0), color=colour, linewidth=2,
                  label=f"{strategy} order (median of {len(curves)} seeds)")
    axes.axhline(ceiling, color="#555", linestyle="--", linewidth=1,
                 label=f"all {args.pool} pool labels ({ceiling:.3f})")
    axes.set_xlabel("labels revealed")
    axes.set_ylabel("stance macro-F1 (NewsMTSC dev_mt + dev_rw)")
    axes.set_title("Simulated annotation: margin / least-confidence vs random order")
    axes.legend(loc="lower right")
    axes.grid(alpha=0.3)
    figure.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=int, default=4000, help="pool size (random subset of train)")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--max-labels", type=int, default=1500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.50, 0.55])
    parser.add_argument("--out", type=Path, default=FIGURES / "active-learning.png")
    args = parser.parse_args()

    train_items, train_labels = load(DATA / "train.jsonl")
    chosen = sorted(random.Random(12345).sample(range(len(train_items)), min(args.pool, len(train_items))))
    pool_items = [train_items[i] for i in chosen]
    pool_labels = train_labels[chosen]
    dev_items, dev_labels = [], []
    for split in ("dev_mt", "dev_rw"):
        items, labels = load(DATA / f"{split}.jsonl")
        dev_items += items
        dev_labels += list(labels)
    dev_labels = np.array(dev_labels, dtype=object)

    started = time.perf_counter()
    # One BLAS thread: on a shared 2-core machine, threaded BLAS oversubscribes and makes each
    # logistic-regression fit 10-100x slower.
    with threadpool_limits(1):
        ceiling = macro_f1(StanceClassifier().fit(pool_items, pool_labels), dev_items, dev_labels)
        results = {strategy: [simulate(strategy, seed, pool_items, pool_labels, dev_items,
                                       dev_labels, args) for seed in args.seeds]
                   for strategy in STRATEGIES}
    elapsed = time.perf_counter() - started

    thresholds = sorted(set(args.thresholds) | {round(0.95 * ceiling, 3)})
    summary = {"ceiling_f1": round(ceiling, 4), "pool": args.pool, "batch": args.batch,
               "seeds": args.seeds, "seconds": round(elapsed, 1),
               "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, python "
                          f"{platform.python_version()}",
               "curves": {s: [[[n, round(f, 4)] for n, f in curve] for curve in curves]
                          for s, curves in results.items()},
               "labels_to_reach": {}}
    for threshold in thresholds:
        row = {}
        for strategy, curves in results.items():
            needed = [labels_to_reach(curve, threshold) for curve in curves]
            reached = [n for n in needed if n is not None]
            row[strategy] = {"per_seed": needed,
                             "median": statistics.median(reached) if len(reached) == len(needed) else None}
        summary["labels_to_reach"][str(threshold)] = row
    args.out.parent.mkdir(parents=True, exist_ok=True)
    plot(results, ceiling, args.out, args)
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")

    print(f"pool {args.pool}, batches of {args.batch}, seeds {args.seeds}, {elapsed:.0f} s")
    print(f"ceiling (all pool labels): {ceiling:.3f}")
    print("| labels | " + " | ".join(f"{s} median F1" for s in results) + " |")
    print("|---:|" + "---:|" * len(results))
    xs = [n for n, _ in results["random"][0]]
    for k, n in enumerate(xs):
        medians = [statistics.median(curve[k][1] for curve in results[s]) for s in results]
        print(f"| {n} | " + " | ".join(f"{m:.3f}" for m in medians) + " |")
    print()
    print("| F1 to reach | " + " | ".join(f"{s} (labels, median; per seed)" for s in results) + " |")
    print("|---:|" + "---|" * len(results))
    for threshold, row in summary["labels_to_reach"].items():
        cells = [f"{row[s]['median'] if row[s]['median'] is not None else 'not reached by all'}; "
                 f"{row[s]['per_seed']}" for s in results]
        print(f"| {threshold} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
