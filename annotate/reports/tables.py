"""`annotate report`: stance by actor, sentiment by document, a chart, an HTML page and a network.

All files are built in a temporary directory beside the output and renamed into place at the end,
so a failure leaves no partial report.

- Actors are counted under their canonical name: the span's `actor` (from the codebook) when set,
  else the span text normalised (whitespace collapsed, edge punctuation and a leading article
  removed; case-insensitive; shown in its most frequent spelling).
- A pronoun span ("They", "One of them") counts under the actor it refers to (`actor`, else
  the `referent` text a pre-label resolved); an unresolved one is not an actor and is not
  counted (`ReportData.unresolved_pronouns` says how many were left out).
- Documents are the records' `doc_id`; when a record has none, the part of its `id` before the last
  ":" (sentence ids are `<doc_id>:<hash>`), else "(no document)".
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from annotate.model.pronouns import is_pronoun_text
from annotate.records import atomic_directory
from annotate.schema import load_schema

EXAMPLES_PER_ACTOR = 3
NO_DOCUMENT = "(no document)"
REPORT_FILES = ("index.html", "stance_by_actor.csv", "stance_by_actor.md", "stance_by_actor.png",
                "sentiment_by_document.csv", "sentiment_by_document.md", "actor_stance.graphml",
                "stance_by_period.csv", "stance_by_period.md", "stance_by_outlet.csv",
                "stance_by_outlet.md", "net_stance_over_time.png", "statements.csv", "edges",
                "actor_concept.graphml")
_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{},.;:!?-–— "


@dataclass
class ActorRow:
    name: str
    counts: Counter = field(default_factory=Counter)   # stance -> mentions
    examples: list[tuple[str, str]] = field(default_factory=list)  # (stance, sentence)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Mention:
    """One actor span of one gold record, with the record's document metadata (for the reports
    over time and by outlet, and the DNA statements)."""

    sentence_id: str
    document: str
    date: str      # YYYY-MM-DD or ""
    outlet: str
    actor: str     # the canonical name, as in `ActorRow.name`
    stance: str


@dataclass
class ReportData:
    actors: list[ActorRow]
    documents: list[tuple[str, Counter]]   # (doc_id, sentiment -> sentences)
    target: str
    sentences: int
    repeated_sentences: int                # sentences with more than one record (not adjudicated)
    mentions: list[Mention] = field(default_factory=list)  # every actor span, in input order
    unresolved_pronouns: int = 0           # pronoun spans with no actor: not counted as actors


def normalise_actor(text: str) -> str:
    text = " ".join(text.split()).strip(_EDGE_PUNCTUATION)
    return _ARTICLE.sub("", text) or text


def document_of(record: dict) -> str:
    if record.get("doc_id"):
        return str(record["doc_id"])
    sentence_id = str(record["id"])
    return sentence_id.rsplit(":", 1)[0] if ":" in sentence_id else NO_DOCUMENT


def collect(records, target: str | None = None) -> ReportData:
    """Count stances per canonical actor and sentiments per document.

    The target's name comes from `target`, else the records' `target` field, else "the target".
    """
    stances = load_schema().stances
    by_key: dict[str, ActorRow] = {}
    spellings: dict[str, Counter] = defaultdict(Counter)
    documents: dict[str, Counter] = defaultdict(Counter)
    per_sentence, targets = Counter(), Counter()
    spans: list[tuple[dict, str, str]] = []  # (record, actor key, stance)
    unresolved = 0
    for record in records:
        per_sentence[record["id"]] += 1
        if record.get("target"):
            targets[str(record["target"])] += 1
        documents[document_of(record)][record["sentiment"]] += 1
        for actor in record["actors"]:
            name = actor.get("actor")
            if not name and is_pronoun_text(actor["text"]):
                if not actor.get("referent"):
                    unresolved += 1
                    continue  # "They" with no referent is nobody the report can name
                name = normalise_actor(actor["referent"])
            name = name or normalise_actor(actor["text"])
            key = name.casefold()
            spellings[key][name] += 1
            row = by_key.setdefault(key, ActorRow(name))
            row.counts[actor["stance"]] += 1
            _add_example(row, actor["stance"], record["text"])
            spans.append((record, key, actor["stance"]))
    for key, row in by_key.items():
        row.name = spellings[key].most_common(1)[0][0]
        row.counts = Counter({s: row.counts[s] for s in stances})
    mentions = [Mention(str(record["id"]), document_of(record), record.get("date") or "",
                        record.get("outlet") or "", by_key[key].name, stance)
                for record, key, stance in spans]
    actors = sorted(by_key.values(), key=lambda r: (-r.total, r.name.casefold()))
    return ReportData(
        actors=actors,
        documents=sorted(documents.items()),
        target=target or (targets.most_common(1)[0][0] if targets else "the target"),
        sentences=len(per_sentence),
        repeated_sentences=sum(1 for n in per_sentence.values() if n > 1),
        mentions=mentions,
        unresolved_pronouns=unresolved,
    )


def _add_example(row: ActorRow, stance: str, sentence: str) -> None:
    """Keep a few examples, one per stance first, so the examples show the range of positions."""
    if any(text == sentence for _, text in row.examples):
        return
    if len(row.examples) < EXAMPLES_PER_ACTOR:
        row.examples.append((stance, sentence))
        return
    seen = Counter(s for s, _ in row.examples)
    if stance not in seen:
        duplicate = next((i for i in reversed(range(len(row.examples)))
                          if seen[row.examples[i][0]] > 1), None)
        if duplicate is not None:
            row.examples[duplicate] = (stance, sentence)


def actor_table(data: ReportData) -> tuple[list[str], list[list]]:
    stances = list(load_schema().stances)
    header = ["actor", *stances, "total", *(f"example_{i + 1}" for i in range(EXAMPLES_PER_ACTOR))]
    rows = []
    for row in data.actors:
        examples = [f"[{stance}] {text}" for stance, text in row.examples]
        rows.append([row.name, *(row.counts[s] for s in stances), row.total,
                     *(examples + [""] * EXAMPLES_PER_ACTOR)[:EXAMPLES_PER_ACTOR]])
    return header, rows


def document_table(data: ReportData) -> tuple[list[str], list[list]]:
    sentiments = list(load_schema().sentiments)
    rows = [[doc, *(counts[s] for s in sentiments), sum(counts.values())]
            for doc, counts in data.documents]
    return ["document", *sentiments, "total"], rows


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def markdown_table(header: list[str], rows: list[list]) -> str:
    def cell(value) -> str:
        return " ".join(str(value).split()).replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---:" if isinstance(v, int) else "---" for v in
                            (rows[0] if rows else header)) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_graphml(path: Path, data: ReportData) -> None:
    """Actor nodes and one target node; one edge per actor and stance, weighted by mentions."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}graphml")
    keys = [("d_label", "node", "label", "string"), ("d_kind", "node", "kind", "string"),
            ("d_mentions", "node", "mentions", "int"), ("d_stance", "edge", "stance", "string"),
            ("d_weight", "edge", "weight", "int")]
    for key_id, domain, name, kind in keys:
        ET.SubElement(root, f"{{{ns}}}key", id=key_id, attrib={"for": domain, "attr.name": name,
                                                                 "attr.type": kind})
    graph = ET.SubElement(root, f"{{{ns}}}graph", id="actor-stance", edgedefault="directed")

    def node(node_id, label, kind, mentions):
        element = ET.SubElement(graph, f"{{{ns}}}node", id=node_id)
        for key_id, value in (("d_label", label), ("d_kind", kind), ("d_mentions", mentions)):
            ET.SubElement(element, f"{{{ns}}}data", key=key_id).text = str(value)

    node("target", data.target, "target", sum(r.total for r in data.actors))
    for number, row in enumerate(data.actors):
        node(f"actor{number}", row.name, "actor", row.total)
    edge_number = 0
    for number, row in enumerate(data.actors):
        for stance, count in row.counts.items():
            if count:
                edge = ET.SubElement(graph, f"{{{ns}}}edge", id=f"e{edge_number}",
                                     source=f"actor{number}", target="target")
                ET.SubElement(edge, f"{{{ns}}}data", key="d_stance").text = stance
                ET.SubElement(edge, f"{{{ns}}}data", key="d_weight").text = str(count)
                edge_number += 1
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _foreign_files(path: Path) -> str | None:
    """Why an existing -o directory must not be replaced: it holds files a report does not write."""
    foreign = sorted(p.name for p in path.iterdir() if p.name not in REPORT_FILES)
    if foreign:
        return (f"exists and holds files a report does not write ({', '.join(foreign[:3])}"
                f"{'…' if len(foreign) > 3 else ''}); choose an empty or new directory")
    return None


def build_report(records, output, target: str | None = None, period: str = "month",
                 codebook=None) -> ReportData:
    """Write the whole report into directory `output` (atomically) and return what it counted.

    `period` (month, week, year) sets the rows of stance_by_period and the time windows of the
    network exports; `codebook` (an annotate.codebook.Codebook) gives actor categories.
    """
    from annotate.reports import dna, timeline
    from annotate.reports.html import render_chart, render_html

    data = collect(records, target)
    categories = actor_categories(data, codebook)
    with atomic_directory(output, refuse=_foreign_files) as tmp:
        header, rows = actor_table(data)
        write_csv(tmp / "stance_by_actor.csv", header, rows)
        (tmp / "stance_by_actor.md").write_text(
            f"# Stance toward {data.target} by actor\n\n" + markdown_table(header, rows),
            encoding="utf-8")
        doc_header, doc_rows = document_table(data)
        write_csv(tmp / "sentiment_by_document.csv", doc_header, doc_rows)
        (tmp / "sentiment_by_document.md").write_text(
            "# Sentence sentiment by document\n\n" + markdown_table(doc_header, doc_rows),
            encoding="utf-8")
        tables = {"period": timeline.stance_by_period(data, period),
                  "outlet": timeline.stance_by_outlet(data)}
        for name, (table_header, table_rows) in tables.items():
            write_csv(tmp / f"stance_by_{name}.csv", table_header, table_rows)
            (tmp / f"stance_by_{name}.md").write_text(
                f"# Stance toward {data.target} by {name if name == 'outlet' else period} and actor"
                "\n\n" + markdown_table(table_header, table_rows), encoding="utf-8")
        render_chart(data, tmp / "stance_by_actor.png")
        timeline.render_timeline_chart(data, period, tmp / "net_stance_over_time.png")
        write_graphml(tmp / "actor_stance.graphml", data)
        statements = dna.statements(data, categories)
        dna.write_statements(tmp / "statements.csv", statements)
        edges = dna.windowed_edges(statements, period)
        dna.write_edge_lists(tmp / "edges", edges)
        dna.write_windowed_graphml(tmp / "actor_concept.graphml", edges, data.target, categories)
        (tmp / "index.html").write_text(
            render_html(data, "stance_by_actor.png", period=period, tables=tables,
                        statements=len(statements), windows=list(edges)), encoding="utf-8")
    return data


def actor_categories(data: ReportData, codebook) -> dict[str, str]:
    """casefolded actor name -> codebook category, for the actors the codebook knows."""
    if codebook is None:
        return {}
    categories = {}
    for row in data.actors:
        actor = codebook.actor(row.name) or codebook.actor(codebook.canonical(row.name) or "")
        if actor is not None:
            categories[row.name.casefold()] = actor.category
    return categories
