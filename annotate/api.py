"""The library's face: the loop's steps as plain Python calls, for notebooks and scripts.

Each function is the same code a command runs, minus the printing. Records are plain dicts
(the JSON Lines records of the README); a file argument may be a path or, where noted, records.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def _records(source, kind: str) -> list[dict]:
    """Records from a JSON Lines path (validated against the schema), or the records given."""
    from annotate.records import read_records

    if isinstance(source, (str, Path)):
        return list(read_records(source, kind))
    return list(source)


def split(*inputs, options=None) -> list[dict]:
    """Sentence records of articles: `.txt`/`.md` files, `.html` pages, `.csv`/`.tsv` exports,
    `.jsonl(.gz)` documents, folders; `options` an annotate.ingest.documents.ReadOptions (CSV
    columns, lenient dates, skip bad input)."""
    from annotate.ingest.documents import SplitStats, iter_sentences

    return list(iter_sentences(inputs, SplitStats(), options))


def prelabel(sentences, model=None, *, codebook=None) -> list[dict]:
    """Prediction records (actors, stances, sentiment) for sentence records or a sentence file;
    `model` is a model directory (the shipped default when None)."""
    from annotate.model.prelabel import prelabel_records

    return list(prelabel_records(_records(sentences, "sentence"), model, codebook_path=codebook))


def push(predictions, project: str, *, target: str | None = None, corpus=None,
         url: str | None = None, api_key: str | None = None, **options):
    """Send prediction records (or a prediction file) to a Label Studio project, as
    `annotate export push` does; returns its PushSummary. Without `url`, the local studio."""
    from annotate.corpus import load_corpus_config
    from annotate.labelstudio.client import connect
    from annotate.labelstudio.connection import resolve_connection
    from annotate.labelstudio.project import instructions
    from annotate.labelstudio.push import push as push_records
    from annotate.labelstudio.push import resolve_target
    from annotate.labelstudio.tasks import add_context

    config = load_corpus_config(corpus) if corpus else None
    session = connect(resolve_connection(url, api_key))
    return push_records(session, project, add_context(_records(predictions, "prediction")),
                        resolve_target(target, config), instructions_html=instructions(config),
                        **options)


def pull(project: str, output, *, since: str | None = None, url: str | None = None,
         api_key: str | None = None, export_timeout: float | None = None):
    """Write a project's gold records to `output`, as `annotate export pull`; returns PullStats."""
    from annotate.labelstudio.client import EXPORT_TIMEOUT_SECONDS, connect
    from annotate.labelstudio.connection import resolve_connection
    from annotate.labelstudio.pull import pull as pull_project

    return pull_project(connect(resolve_connection(url, api_key)), project, output, since,
                        export_timeout=export_timeout or EXPORT_TIMEOUT_SECONDS)


def agreement(gold) -> dict:
    """Inter-annotator agreement of gold records (or a gold file): alpha, kappa, span F1."""
    from annotate.quality.agreement import agreement as measure

    return measure(_records(gold, "gold"))


def adjudicate(gold):
    """One record per sentence from several annotators' gold; returns an Adjudication
    (`records`, `conflicts`, `counts`)."""
    from annotate.quality.adjudicate import adjudicate as decide

    return decide(_records(gold, "gold"))


def train(gold_files: Iterable, output=None, **options):
    """Train a model on gold files (written to `output` when given); returns (Model, metrics)."""
    from annotate.model.training import train_model

    return train_model(list(gold_files), output, **options)


def evaluate(gold_files: Iterable, model=None) -> dict:
    """Score a model directory (the shipped default when None) against gold files."""
    from annotate.model.store import load_model
    from annotate.model.training import evaluate_model

    return evaluate_model(list(gold_files), load_model(model))


def report(gold, output, *, target: str | None = None, period: str = "month", codebook=None):
    """Write the report directory (tables over time and by outlet, charts, HTML, networks) from
    gold records or a file; `codebook` (an annotate.codebook.Codebook) gives actor categories."""
    from annotate.reports.tables import build_report

    return build_report(_records(gold, "gold"), output, target, period, codebook)
