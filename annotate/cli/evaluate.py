"""`annotate evaluate`: a model's stance, sentiment and actor detection against gold."""

from __future__ import annotations

import json

import click

from annotate.cli.common import handle_errors, score, shipped_model, tier_option


@click.command("evaluate")
@click.argument("gold", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=str),
              default=None, help="Model directory [default: the shipped model].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@tier_option("Without --model: the shipped fast model or the accurate one.")
@handle_errors
def command(gold, model_dir, as_json, tier):
    """Score a model against gold records.

    Stance is scored on the gold actor spans (as target-dependent benchmarks do); actor
    detection is scored on its own (a predicted span matches a gold span it overlaps; exact
    matches reported too); sentiment against the gold sentiment. Macro averages run over the
    classes present in the gold.

    \b
    Example:
      annotate evaluate corpora/haiti-mss/gold/articles.dev.jsonl \\
          corpora/haiti-mss/gold/extra.dev.jsonl --json
    """
    from annotate.model.store import load_model
    from annotate.model.training import evaluate_model

    result = evaluate_model(list(gold), load_model(shipped_model(model_dir, tier)))
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"model {result['model_version']}: {result['n_sentences']} sentences, "
               f"{result['n_actor_spans']} gold actor spans")
    for title, key in (("Stance (on gold actor spans)", "stance"), ("Sentiment", "sentiment")):
        click.echo(f"\n{title}: macro-F1 {score(result[key]['macro_f1'])} over "
                   f"{', '.join(result[key]['macro_labels'])}")
        _table(result[key])
    spans = result["actors"]
    click.echo(f"\nActor detection ({spans['n_gold']} gold, {spans['n_predicted']} predicted "
               "spans)\n  match     precision  recall  F1")
    for match in ("overlap", "exact"):
        s = spans[match]
        click.echo(f"  {match:<9} {score(s['precision']):>9}  {score(s['recall']):>6}  {score(s['f1'])}")
    names = spans["names"]
    click.echo(f"  canonical actor of the overlapping spans: {score(names['accuracy'])} "
               f"({names['same_actor']} of {names['matched']} as in the gold)")


def _table(scores: dict) -> None:
    labels = scores["confusion"]["labels"]
    width = max(len(label) for label in labels) + 2
    click.echo(f"  {'':<{width}}precision  recall  F1     support")
    for label in labels:
        row = scores["per_class"][label]
        click.echo(f"  {label:<{width}}{score(row['precision']):>9}  {score(row['recall']):>6}  "
                   f"{score(row['f1']):<6} {row['support']:>7}")
    click.echo(f"  confusion (rows gold, columns predicted): {' '.join(labels)}")
    for label, row in zip(labels, scores["confusion"]["matrix"]):
        click.echo(f"  {label:<{width}}" + " ".join(f"{n:>{len(c)}}" for n, c in zip(row, labels)))
