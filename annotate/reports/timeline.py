"""Stance over time and by outlet: per-period and per-outlet tables, and the net-stance chart.

A mention's period comes from its record's `date` (YYYY-MM-DD, set by `annotate split` from the
document): `month` → "2024-05", `week` → the ISO week "2024-W19" (weeks start on Monday), `year` →
"2024". Records without a date fall in "(no date)", without an outlet in "(no outlet)": they are in
the tables, never dropped, and left out of the chart only.

Net stance of an actor in a period: (supportive − critical) / mentions, from −1 (all critical) to
+1 (all supportive); wary and none mentions count in the denominator, pulling it toward 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from annotate.schema import load_schema

PERIODS = ("month", "week", "year")
NO_DATE, NO_OUTLET = "(no date)", "(no outlet)"
CHART_ACTORS = 6  # lines on the time-series chart: the most mentioned actors


@dataclass(frozen=True)
class Window:
    """A period of time: its label and first and last day."""

    label: str
    start: dt.date
    end: dt.date


def window_of(date: str, period: str) -> Window | None:
    """The period holding `date` (YYYY-MM-DD), or None for an empty date."""
    if not date:
        return None
    day = dt.date.fromisoformat(date[:10])
    if period == "year":
        return Window(f"{day.year}", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    if period == "week":
        year, week, weekday = day.isocalendar()
        monday = day - dt.timedelta(days=weekday - 1)
        return Window(f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6))
    if period == "month":
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return Window(f"{day.year}-{day.month:02d}", first, following - dt.timedelta(days=1))
    raise ValueError(f"unknown period {period!r}; expected one of {PERIODS}")


def net_stance(counts: Counter) -> float:
    total = sum(counts.values())
    return (counts["supportive"] - counts["critical"]) / total if total else 0.0


def _counts_table(groups: dict[tuple[str, str], Counter], first: str) -> tuple[list[str], list[list]]:
    stances = list(load_schema().stances)
    header = [first, "actor", *stances, "total", "net_stance"]
    rows = [[group, actor, *(counts[s] for s in stances), sum(counts.values()),
             round(net_stance(counts), 3)]
            for (group, actor), counts in groups.items()]
    return header, rows


def stance_by_period(data, period: str) -> tuple[list[str], list[list]]:
    """One row per period and actor (periods in time order, "(no date)" last; actors by mentions)."""
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for mention in data.mentions:
        window = window_of(mention.date, period)
        groups[(window.label if window else NO_DATE, mention.actor)][mention.stance] += 1
    ordered = dict(sorted(groups.items(), key=lambda kv: (kv[0][0] == NO_DATE, kv[0][0],
                                                          -sum(kv[1].values()), kv[0][1].casefold())))
    return _counts_table(ordered, "period")


def stance_by_outlet(data) -> tuple[list[str], list[list]]:
    """One row per outlet and actor (outlets by mentions, "(no outlet)" last)."""
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    per_outlet: Counter = Counter()
    for mention in data.mentions:
        outlet = mention.outlet or NO_OUTLET
        groups[(outlet, mention.actor)][mention.stance] += 1
        per_outlet[outlet] += 1
    ordered = dict(sorted(groups.items(), key=lambda kv: (
        kv[0][0] == NO_OUTLET, -per_outlet[kv[0][0]], kv[0][0].casefold(),
        -sum(kv[1].values()), kv[0][1].casefold())))
    return _counts_table(ordered, "outlet")


def render_timeline_chart(data, period: str, path: Path) -> int:
    """Net stance per period of the most mentioned actors (dated mentions only); returns how many
    actors are drawn."""
    from matplotlib.figure import Figure

    series: dict[str, dict[dt.date, Counter]] = defaultdict(lambda: defaultdict(Counter))
    labels: dict[dt.date, str] = {}
    for mention in data.mentions:
        window = window_of(mention.date, period)
        if window:
            series[mention.actor][window.start][mention.stance] += 1
            labels[window.start] = window.label
    shown = [row.name for row in data.actors if row.name in series][:CHART_ACTORS]
    figure = Figure(figsize=(9, 4.8), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    for actor in shown:
        points = sorted(series[actor].items())
        axes.plot([start for start, _ in points], [net_stance(c) for _, c in points], marker="o",
                  label=f"{actor[:40]} ({sum(sum(c.values()) for _, c in points)})")
    axes.axhline(0, color="#999", linewidth=0.8)
    axes.set_ylim(-1.05, 1.05)
    axes.set_ylabel("net stance (supportive − critical) / mentions")
    axes.set_title(f"Net stance toward {data.target[:60]} per {period}")
    if shown:
        ticks = sorted(labels)
        step = max(1, len(ticks) // 12)
        axes.set_xticks(ticks[::step], [labels[t] for t in ticks[::step]], rotation=45, ha="right")
        figure.legend(loc="outside lower center", frameon=False, ncols=min(3, len(shown)))
    else:
        axes.text(0.5, 0.5, "no dated actor mentions in the gold file", ha="center",
                  transform=axes.transAxes)
    axes.spines[["top", "right"]].set_visible(False)
    figure.savefig(path, format="png")
    return len(shown)
