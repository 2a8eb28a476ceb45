"""`annotate report` over time and by outlet, and the network exports (loaded with networkx)."""

import csv
import json

import networkx as nx
import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.reports.timeline import window_of


def gold(sid, text, date, outlet, *actors):
    spans = []
    for phrase, stance, canonical in actors:
        start = text.index(phrase)
        spans.append({"start": start, "end": start + len(phrase), "text": phrase, "stance": stance,
                      "actor": canonical})
    record = {"id": sid, "doc_id": sid.split(":")[0], "text": text, "actors": spans,
              "sentiment": "neutral", "target": "the MSS mission"}
    record.update({k: v for k, v in (("date", date), ("outlet", outlet)) if v})
    return record


RECORDS = [
    gold("d1:1", "Kenya backed the mission.", "2024-05-06", "Nation", ("Kenya", "supportive", "Kenya")),
    gold("d1:2", "The opposition condemned it.", "2024-05-06", "Nation",
         ("The opposition", "critical", "Kenyan opposition")),
    gold("d2:1", "Kenya voiced doubts and the UN praised it.", "2024-05-20", "Le Nouvelliste",
         ("Kenya", "wary", "Kenya"), ("the UN", "supportive", "United Nations")),
    gold("d3:1", "Kenya condemned the delays.", "2024-07-01", "Nation", ("Kenya", "critical", "Kenya")),
    gold("d4:1", "Kenya said nothing about it.", None, None, ("Kenya", "none", "Kenya")),
]
# By hand, per month: 2024-05 Kenya supportive 1 + wary 1 (net (1-0)/2 = 0.5), opposition critical 1
# (net -1), UN supportive 1; 2024-07 Kenya critical 1 (net -1); (no date) Kenya none 1.
# DNA statements: every span but the `none` one: 5, agreement 1 for supportive, 0 otherwise.

CODEBOOK = """
format = "annotate-codebook/1"

[[actors]]
name = "Kenya"
category = "government"
aliases = ["Kenya"]

[[actors]]
name = "United Nations"
category = "international"
aliases = ["the UN"]
"""


@pytest.fixture()
def report(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    codebook = tmp_path / "codebook.toml"
    codebook.write_text(CODEBOOK, encoding="utf-8")

    def run(*options):
        out = tmp_path / f"report{'-'.join(options).replace('--', '')}"
        result = CliRunner().invoke(main, ["report", str(path), "-o", str(out), "--codebook",
                                           str(codebook), *options])
        assert result.exit_code == 0, result.output
        return out, result
    return run


def rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_stance_by_month_matches_a_hand_count(report):
    out, result = report()
    got = {(r["period"], r["actor"]): (int(r["supportive"]), int(r["wary"]), int(r["critical"]),
                                       int(r["none"]), float(r["net_stance"]))
           for r in rows(out / "stance_by_period.csv")}
    assert got == {("2024-05", "Kenya"): (1, 1, 0, 0, 0.5),
                   ("2024-05", "Kenyan opposition"): (0, 0, 1, 0, -1.0),
                   ("2024-05", "United Nations"): (1, 0, 0, 0, 1.0),
                   ("2024-07", "Kenya"): (0, 0, 1, 0, -1.0),
                   ("(no date)", "Kenya"): (0, 0, 0, 1, 0.0)}
    assert [r["period"] for r in rows(out / "stance_by_period.csv")][-1] == "(no date)"
    assert "5 of 6 actor mentions dated, 2 outlets" in result.stderr


def test_weeks_and_years(report):
    out, _ = report("--period", "week")
    assert {r["period"] for r in rows(out / "stance_by_period.csv")} == {
        "2024-W19", "2024-W21", "2024-W27", "(no date)"}
    out, _ = report("--period", "year")
    kenya = [r for r in rows(out / "stance_by_period.csv") if r["period"] == "2024" and r["actor"] == "Kenya"]
    assert [(r["supportive"], r["wary"], r["critical"]) for r in kenya] == [("1", "1", "1")]


def test_windows_start_and_end_where_the_calendar_says():
    month = window_of("2024-02-10", "month")
    assert (month.label, str(month.start), str(month.end)) == ("2024-02", "2024-02-01", "2024-02-29")
    week = window_of("2024-12-31", "week")  # a Tuesday in ISO week 1 of 2025
    assert (week.label, str(week.start), str(week.end)) == ("2025-W01", "2024-12-30", "2025-01-05")
    assert window_of("", "month") is None


def test_stance_by_outlet(report):
    out, _ = report()
    got = {(r["outlet"], r["actor"]): int(r["total"]) for r in rows(out / "stance_by_outlet.csv")}
    assert got == {("Nation", "Kenya"): 2, ("Nation", "Kenyan opposition"): 1,
                   ("Le Nouvelliste", "Kenya"): 1, ("Le Nouvelliste", "United Nations"): 1,
                   ("(no outlet)", "Kenya"): 1}
    assert next(iter(got))[0] == "Nation"  # the outlet with the most mentions first


def test_dna_statements_code_agreement_as_dna_does(report):
    out, _ = report()
    statements = rows(out / "statements.csv")
    assert list(statements[0]) == ["sentence_id", "document", "date", "outlet", "actor",
                                   "actor_category", "concept", "stance", "agreement"]
    got = [(s["sentence_id"], s["actor"], s["actor_category"], s["stance"], s["agreement"])
           for s in statements]
    assert got == [("d1:1", "Kenya", "government", "supportive", "1"),
                   ("d1:2", "Kenyan opposition", "", "critical", "0"),
                   ("d2:1", "Kenya", "government", "wary", "0"),
                   ("d2:1", "United Nations", "international", "supportive", "1"),
                   ("d3:1", "Kenya", "government", "critical", "0")]
    assert {s["concept"] for s in statements} == {"the MSS mission"}
    assert statements[0]["date"] == "2024-05-06" and statements[0]["outlet"] == "Nation"


def test_edge_lists_per_window_load_in_networkx(report):
    out, _ = report()
    files = sorted(p.name for p in (out / "edges").iterdir())
    assert files == ["2024-05.csv", "2024-07.csv"]  # the `none` mention is no statement
    may = rows(out / "edges" / "2024-05.csv")
    graph = nx.DiGraph()
    for edge in may:
        graph.add_edge(edge["source"], edge["target"], weight=int(edge["weight"]),
                       agreement=int(edge["agreement"]))
    assert graph["Kenya"]["the MSS mission"]["weight"] == 1
    assert set(graph.predecessors("the MSS mission")) == {"Kenya", "Kenyan opposition", "United Nations"}
    assert {(e["start"], e["end"]) for e in may} == {("2024-05-01", "2024-05-31")}
    # the same file through networkx's own edge-list parser (header row left out)
    lines = (out / "edges" / "2024-07.csv").read_text(encoding="utf-8").splitlines()[1:]
    july = nx.parse_edgelist(lines, delimiter=",", create_using=nx.DiGraph, data=[
        ("agreement", int), ("weight", int), ("source_category", str), ("window", str),
        ("start", str), ("end", str)])
    assert list(july.edges(data=True)) == [("Kenya", "the MSS mission", {
        "agreement": 0, "weight": 1, "source_category": "government", "window": "2024-07",
        "start": "2024-07-01", "end": "2024-07-31"})]


def test_graphml_of_all_windows_loads_in_networkx_with_dates(report):
    out, _ = report()
    graph = nx.read_graphml(out / "actor_concept.graphml")
    labels = {node: data["label"] for node, data in graph.nodes(data=True)}
    kinds = {data["label"]: data["kind"] for _, data in graph.nodes(data=True)}
    assert kinds == {"the MSS mission": "concept", "Kenya": "actor", "Kenyan opposition": "actor",
                     "United Nations": "actor"}
    assert {d["label"]: d["category"] for _, d in graph.nodes(data=True)}["United Nations"] == "international"
    edges = sorted((labels[u], d["window"], d["date"], d["agreement"], d["weight"])
                   for u, v, d in graph.edges(data=True))
    assert edges == [("Kenya", "2024-05", "2024-05-01", 0, 1), ("Kenya", "2024-05", "2024-05-01", 1, 1),
                     ("Kenya", "2024-07", "2024-07-01", 0, 1),
                     ("Kenyan opposition", "2024-05", "2024-05-01", 0, 1),
                     ("United Nations", "2024-05", "2024-05-01", 1, 1)]
    may = nx.MultiDiGraph([(u, v, d) for u, v, d in graph.edges(data=True) if d["window"] == "2024-05"])
    assert may.number_of_edges() == 4


def test_the_page_shows_time_outlet_and_networks(report):
    out, _ = report()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<img id="timeline-chart" src="net_stance_over_time.png"' in page
    assert 'id="by-period"' in page and 'id="by-outlet"' in page and "Le Nouvelliste" in page
    assert "1 actor mentions have no date" in page
    assert "5 statements" in page and "1 mentions with stance" in page
    assert (out / "net_stance_over_time.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
