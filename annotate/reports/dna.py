"""Exports for network analysts, shaped as Discourse Network Analyzer (DNA) expects them.

A DNA statement is an actor taking a position on a concept: here the concept is the corpus's
target, and one statement is one actor span with a stance. DNA codes agreement as a boolean
qualifier, 1 (agrees) or 0 (disagrees): supportive → 1; critical → 0; wary (concern short of
opposition) → 0 as well, since it is not agreement; the `stance` column keeps the four-way label
for analysts who code it otherwise. Spans with stance `none` take no position and are not
statements (the report says how many).

- `statements.csv`: one row per statement: sentence id, document, date, outlet, actor, actor
  category (from the codebook, when given), concept, stance, agreement.
- `edges/<window>.csv`: one actor → concept edge list per time window (and `edges/no-date.csv`
  for undated statements), `source,target,agreement,weight,...` as Gephi and DNA's network
  export have them.
- `actor_concept.graphml`: one graph of every window: actor and concept nodes (`kind`,
  `category`), one edge per actor, agreement and window with `window`, `date` (the window's first
  day), `end` and `weight` attributes, so a network tool can slice it by time.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from annotate.reports.timeline import window_of

AGREEMENT = {"supportive": 1, "wary": 0, "critical": 0}  # DNA's boolean qualifier; none: no statement
NO_DATE_WINDOW = "no-date"
STATEMENT_HEADER = ["sentence_id", "document", "date", "outlet", "actor", "actor_category",
                    "concept", "stance", "agreement"]
EDGE_HEADER = ["source", "target", "agreement", "weight", "source_category", "window", "start", "end"]


@dataclass(frozen=True)
class Statement:
    sentence_id: str
    document: str
    date: str
    outlet: str
    actor: str
    category: str
    concept: str
    stance: str

    @property
    def agreement(self) -> int:
        return AGREEMENT[self.stance]


def statements(data, categories: dict[str, str]) -> list[Statement]:
    """The DNA statements of the report's mentions (stance `none` is not a statement)."""
    return [Statement(m.sentence_id, m.document, m.date, m.outlet, m.actor,
                      categories.get(m.actor.casefold(), ""), data.target, m.stance)
            for m in data.mentions if m.stance in AGREEMENT]


def write_statements(path: Path, rows: list[Statement]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STATEMENT_HEADER)
        writer.writerows([s.sentence_id, s.document, s.date, s.outlet, s.actor, s.category,
                          s.concept, s.stance, s.agreement] for s in rows)


def windowed_edges(rows: list[Statement], period: str) -> dict[str, list[list]]:
    """window label -> edge rows (actor, concept, agreement, weight, ...), windows in time order."""
    weights: dict[str, Counter] = {}
    bounds: dict[str, tuple[str, str]] = {}
    for statement in rows:
        window = window_of(statement.date, period)
        label = window.label if window else NO_DATE_WINDOW
        bounds[label] = (window.start.isoformat(), window.end.isoformat()) if window else ("", "")
        weights.setdefault(label, Counter())[
            (statement.actor, statement.concept, statement.agreement, statement.category)] += 1
    ordered = sorted(weights, key=lambda label: (label == NO_DATE_WINDOW, label))
    return {label: [[actor, concept, agreement, weight, category, label, *bounds[label]]
                    for (actor, concept, agreement, category), weight in
                    sorted(weights[label].items(), key=lambda kv: (-kv[1], kv[0][0].casefold(), kv[0][2]))]
            for label in ordered}


def write_edge_lists(directory: Path, edges: dict[str, list[list]]) -> None:
    directory.mkdir()
    for label, rows in edges.items():
        with open(directory / f"{label}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EDGE_HEADER)
            writer.writerows(rows)


def write_windowed_graphml(path: Path, edges: dict[str, list[list]], target: str,
                           categories: dict[str, str]) -> None:
    ns = "http://graphml.graphdrawing.org/xmlns"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}graphml")
    keys = [("n_label", "node", "label", "string"), ("n_kind", "node", "kind", "string"),
            ("n_category", "node", "category", "string"), ("e_agreement", "edge", "agreement", "int"),
            ("e_weight", "edge", "weight", "int"), ("e_window", "edge", "window", "string"),
            ("e_date", "edge", "date", "string"), ("e_end", "edge", "end", "string")]
    for key_id, domain, name, kind in keys:
        ET.SubElement(root, f"{{{ns}}}key", id=key_id,
                      attrib={"for": domain, "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, f"{{{ns}}}graph", id="actor-concept", edgedefault="directed")
    node_ids: dict[str, str] = {}

    def node(label: str, kind: str, category: str) -> str:
        key = f"{kind}:{label}"
        if key not in node_ids:
            node_ids[key] = f"n{len(node_ids)}"
            element = ET.SubElement(graph, f"{{{ns}}}node", id=node_ids[key])
            for key_id, value in (("n_label", label), ("n_kind", kind), ("n_category", category)):
                ET.SubElement(element, f"{{{ns}}}data", key=key_id).text = value
        return node_ids[key]

    concept = node(target, "concept", "")
    number = 0
    for label, rows in edges.items():
        for actor, _concept, agreement, weight, category, window, start, end in rows:
            source = node(actor, "actor", category or categories.get(actor.casefold(), ""))
            edge = ET.SubElement(graph, f"{{{ns}}}edge", id=f"e{number}", source=source, target=concept)
            for key_id, value in (("e_agreement", agreement), ("e_weight", weight),
                                  ("e_window", window), ("e_date", start), ("e_end", end)):
                ET.SubElement(edge, f"{{{ns}}}data", key=key_id).text = str(value)
            number += 1
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
