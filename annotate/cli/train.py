"""`annotate train`: gold records to a model directory, with cross-validated scores."""

from __future__ import annotations

import click

from annotate.cli.common import handle_errors, info, tier_option


@click.command("train")
@click.argument("gold", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(path_type=str),
              help="Model directory to write (built aside, then renamed into place).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for the cross-validation folds and the classifier.")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Folds of the cross-validation whose scores go into the model card.")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=str),
              default=None, help="Actor codebook (TOML) stored with the model for prelabel.")
@click.option("--name", default="model", show_default=True,
              help="Prefix of the model_version (the rest is a hash of data and settings).")
@tier_option("fast: lexical and target-dependent features; accurate: plus WordLlama "
             "embeddings (the wordllama package's shipped weights) for stance and sentiment.")
@handle_errors
def command(gold, output, seed, folds, codebook_path, name, tier):
    """Train the stance classifier and sentiment thresholds from gold records.

    Every gold file is validated before training starts (errors name the file and line).
    Reports k-fold cross-validated stance and sentiment macro-F1 (folds by sentence) and
    writes them, the training files' sha256 and the library versions into model-card.json.
    The same gold, seed and options always give the same model_version and predictions.

    \b
    Example:
      annotate train corpora/haiti-mss/gold/articles.train.jsonl \\
          corpora/haiti-mss/gold/extra.train.jsonl \\
          --codebook corpora/haiti-mss/codebook.toml --name haiti-mss -o my-model
    """
    from annotate.model.training import train_model

    model, metrics = train_model(list(gold), output, seed=seed, folds=folds,
                                 codebook_path=codebook_path, name=name, progress=info,
                                 tier=tier)
    per_fold = ", ".join(f"{v:.3f}" for v in metrics["stance_macro_f1_per_fold"])
    info(f"{folds}-fold cross-validated stance macro-F1 {metrics['stance_macro_f1']:.3f} "
         f"(folds: {per_fold}); sentiment macro-F1 {metrics['sentiment_macro_f1']:.3f}")
    info(f"wrote {output} (model_version {model.model_version})")
