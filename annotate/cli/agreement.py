"""`annotate agreement`: inter-annotator agreement on pulled gold."""

from __future__ import annotations

import json

import click

from annotate.cli.common import handle_errors, score


@click.command("agreement")
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@handle_errors
def command(gold, as_json):
    """Agreement between annotators on gold pulled from Label Studio.

    Compares sentences labelled by two or more annotators: Krippendorff's alpha (nominal) for the
    sentence sentiment and for the stance of matched actor spans, Cohen's kappa for each annotator
    pair, actor-span agreement (overlap F1 and exact F1) and confusion tables showing where
    annotators disagree. Spans are matched across annotators by overlap; a span one annotator did
    not mark is a missing stance value (span agreement is reported separately).

    \b
    Example:
      annotate export pull --project haiti-mss -o gold.jsonl
      annotate agreement gold.jsonl
      annotate agreement gold.jsonl --json > agreement.json
    """
    from annotate.quality.agreement import agreement
    from annotate.records import read_records

    result = agreement(read_records(gold, "gold"), path=gold)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(_render(result))


def _fmt_alpha(entry: dict) -> str:
    if entry["alpha"] is None:
        return f"{score(None)} ({entry['note']})"
    return f"{score(entry['alpha'])}  ({entry['units']} units, {entry['values']} values)"


def _pair_rows(result: dict) -> list[list[str]]:
    """Rows of the per-pair summary table."""
    return [[p["a"], p["b"], str(p["sentences"]), score(p["sentiment_kappa"]),
             f"{score(p['stance_kappa'])} (n={p['stance_items']})", score(p["span_f1"]),
             score(p["span_exact_f1"])] for p in result["pairs"]]


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def _confusion(title: str, matrix: dict) -> str:
    labels = list(matrix)
    rows = [[x, *(str(matrix[x][y]) for y in labels)] for x in labels]
    corner = "a \\ b"
    return f"{title}\n{_table([corner, *labels], rows)}"


def _render(r: dict) -> str:
    out = [
        f"sentences: {r['sentences']} ({r['sentences_multiply_annotated']} labelled by 2+ annotators)",
        f"annotators: {len(r['annotators'])}",
        f"sentiment alpha: {_fmt_alpha(r['sentiment_alpha'])}",
        f"stance alpha (matched spans): {_fmt_alpha(r['stance_alpha'])}",
        f"stance alpha (no span = label): {_fmt_alpha(r['stance_alpha_absent_as_label'])}",
        f"actor-span F1 overlap: {score(r['span_f1'])}, exact: {score(r['span_exact_f1'])}",
    ]
    if r["left_out_edited_by_another"]:
        out.append(f"left out: {r['left_out_edited_by_another']} annotations last saved by another "
                   "annotator than their author (updated_by): not independent judgements")
    if r["superseded_annotations"]:
        out.append(f"superseded annotations (same annotator twice; latest kept): "
                   f"{r['superseded_annotations']}")
    if r["pairs"]:
        out += ["", _table(["a", "b", "sentences", "sentiment kappa", "stance kappa", "span F1",
                            "exact F1"], _pair_rows(r))]
    for kind in ("sentiment", "stance"):
        if r["disagreements"][kind]:
            out += ["", f"most frequent {kind} disagreements:"]
            out += [f"  {d['labels'][0]} vs {d['labels'][1]}: {d['count']}"
                    for d in r["disagreements"][kind][:8]]
    for pair in r["pairs"]:
        out += ["", f"== {pair['a']} (rows) vs {pair['b']} (columns)",
                _confusion("sentiment", pair["sentiment_confusion"]),
                _confusion("stance (matched spans; (no span) = not marked)", pair["stance_confusion"])]
    return "\n".join(out)

