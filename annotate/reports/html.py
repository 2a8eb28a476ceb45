"""The report's chart (matplotlib, no display needed) and its HTML page (all text escaped)."""

from __future__ import annotations

import html
from pathlib import Path

from matplotlib.figure import (
    Figure,  # a Figure renders with Agg without touching pyplot state
)

from annotate.schema import load_schema

CHART_ACTORS = 30  # the chart shows the most-mentioned actors; the tables list all of them


def render_chart(data, path: Path) -> None:
    """One stacked horizontal bar per actor, a segment per stance in the schema's colours."""
    schema = load_schema()
    actors = list(reversed(data.actors[:CHART_ACTORS]))  # barh draws bottom-up: most mentioned on top
    figure = Figure(figsize=(9, 1.6 + 0.38 * max(len(actors), 1)), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    names = [_short(row.name) for row in actors]
    left = [0] * len(actors)
    for label in schema.stance_labels:
        widths = [row.counts[label.value] for row in actors]
        axes.barh(names, widths, left=left, color=label.color or None, label=label.value,
                  edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, widths)]
    shown = f"top {CHART_ACTORS} of {len(data.actors)} actors" if len(data.actors) > CHART_ACTORS \
        else f"{len(data.actors)} actors"
    axes.set_title(f"Stance toward {_short(data.target, 60)} by actor ({shown})")
    axes.set_xlabel("mentions")
    figure.legend(*axes.get_legend_handles_labels(), loc="outside lower center", frameon=False,
                  ncols=len(schema.stance_labels))
    axes.spines[["top", "right"]].set_visible(False)
    if not actors:
        axes.text(0.5, 0.5, "no actor spans in the gold file", ha="center", transform=axes.transAxes)
    figure.savefig(path, format="png")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(header: list[str], rows: list[list], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            css = ' class="num"' if numeric_from <= i and isinstance(value, int) else ""
            cells.append(f"<td{css}>{html.escape(str(value))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(data, chart_name: str, *, period: str = "month", tables: dict | None = None,
                statements: int = 0, windows: list[str] | None = None) -> str:
    """A single page with the charts (referenced relatively: they sit beside the page) and tables.

    `tables` holds the (header, rows) of stance by period ("period") and by outlet ("outlet");
    `statements` and `windows` describe the network exports."""
    schema = load_schema()
    stances, sentiments = list(schema.stances), list(schema.sentiments)
    actor_rows = []
    for row in data.actors:
        examples = "".join(f'<li><span class="tag tag-{html.escape(stance)}">{html.escape(stance)}'
                           f"</span> {html.escape(text)}</li>" for stance, text in row.examples)
        counts = "".join(f'<td class="num">{row.counts[s]}</td>' for s in stances)
        actor_rows.append(f"<tr><td>{html.escape(row.name)}</td>{counts}"
                          f'<td class="num">{row.total}</td><td><ul>{examples}</ul></td></tr>')
    actor_head = "".join(f"<th>{html.escape(h)}</th>" for h in ["actor", *stances, "total",
                                                                 "example sentences"])
    doc_rows = [[doc, *(counts[s] for s in sentiments), sum(counts.values())]
                for doc, counts in data.documents]
    colours = "".join(f".tag-{html.escape(label.value)} {{ background: {label.color}; }}\n"
                      for label in schema.stance_labels if label.color)
    note = ""
    if data.repeated_sentences:
        note = (f'<p class="note">{data.repeated_sentences} sentences have several records (one per '
                "annotator): each record is counted. Run <code>annotate adjudicate</code> first for "
                "one count per sentence.</p>")
    if data.unresolved_pronouns:
        note += (f'<p class="note">{data.unresolved_pronouns} pronoun spans (They, He, One of them, '
                 "...) name no actor and are not counted as actors.</p>")
    target = html.escape(data.target)
    tables = tables or {}
    over_time = by_outlet = ""
    if "period" in tables:
        undated = sum(1 for m in data.mentions if not m.date)
        undated_note = (f'<p class="note">{undated} actor mentions have no date: they are in the '
                        "table under (no date), not on the chart.</p>") if undated else ""
        over_time = f"""<h2>Stance over time (per {html.escape(period)})</h2>
<p>Net stance = (supportive − critical) / mentions, from −1 (all critical) to +1 (all supportive),
for the most mentioned actors.</p>
{undated_note}
<img id="timeline-chart" src="net_stance_over_time.png" alt="Line chart of the net stance of the most mentioned actors per {html.escape(period)}">
<div id="by-period">{_table(*tables["period"])}</div>"""
    if "outlet" in tables:
        by_outlet = f"""<h2>Stance by outlet</h2>
<div id="by-outlet">{_table(*tables["outlet"])}</div>"""
    none_mentions = sum(1 for m in data.mentions if m.stance == "none")
    network = f"""<h2>Networks (Discourse Network Analyzer, Gephi, networkx)</h2>
<p><a href="statements.csv">statements.csv</a>: {statements} statements (actor, concept = the
target, agreement 1 for supportive, 0 for critical or wary; {none_mentions} mentions with stance
none are not statements); one actor–concept edge list per {html.escape(period)} in
<a href="edges/">edges/</a> ({len(windows or [])} windows:
{html.escape(", ".join(windows or [])) or "none"}); all windows in one graph with window and date
edge attributes: <a href="actor_concept.graphml">actor_concept.graphml</a>.</p>"""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Stance report: {target}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
ul {{ margin: 0; padding-left: 1em; }}
.tag {{ color: white; border-radius: 3px; padding: 0 0.3em; font-size: 0.8em; }}
{colours}.note {{ color: #8a6d00; }}
img {{ max-width: 100%; }}
</style>
</head>
<body>
<h1>Stance toward {target}</h1>
<p>{data.sentences} sentences, {len(data.actors)} actors, {len(data.documents)} documents.</p>
{note}
<h2>Stance by actor</h2>
<img id="stance-chart" src="{html.escape(chart_name)}" alt="Stacked bar chart of each actor's stance counts">
<table id="actors"><thead><tr>{actor_head}</tr></thead><tbody>{''.join(actor_rows)}</tbody></table>
{over_time}
{by_outlet}
<h2>Sentence sentiment by document</h2>
{_table(["document", *sentiments, "total"], doc_rows)}
{network}
<p>Files: <a href="stance_by_actor.csv">stance_by_actor.csv</a>,
<a href="stance_by_actor.md">stance_by_actor.md</a>,
<a href="sentiment_by_document.csv">sentiment_by_document.csv</a>,
<a href="stance_by_period.csv">stance_by_period.csv</a>,
<a href="stance_by_outlet.csv">stance_by_outlet.csv</a>,
<a href="actor_stance.graphml">actor_stance.graphml</a> (actor–stance network).</p>
</body>
</html>
"""
