"""`annotate report`: files exist and parse, counts equal a hand count, the page opens in Chromium."""

import csv
import json
import xml.etree.ElementTree as ET

import pytest
from browser_helpers import chromium_page
from click.testing import CliRunner

from annotate.cli import main
from annotate.reports.tables import normalise_actor

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def gold(sid, text, sentiment, *actors, doc_id=None):
    spans = []
    for phrase, stance, *canonical in actors:
        start = text.index(phrase)
        span = {"start": start, "end": start + len(phrase), "text": phrase, "stance": stance}
        if canonical:
            span["actor"] = canonical[0]
        spans.append(span)
    record = {"id": sid, "text": text, "actors": spans, "sentiment": sentiment}
    if doc_id:
        record["doc_id"] = doc_id
    return record


T1 = "Kenya's President William Ruto vowed to stay the course."
T2 = "Ruto said the mission would succeed, but the opposition called it unlawful."
T3 = "The opposition again attacked the deployment."
T4 = "Rights groups <script>alert(1)</script> & others urged caution."
T5 = "The  Opposition stayed silent on Tuesday."
RECORDS = [
    gold("ruto:1", T1, "positive", ("Kenya's President William Ruto", "supportive", "William Ruto")),
    gold("ruto:2", T2, "negative", ("Ruto", "supportive", "William Ruto"), ("the opposition", "critical")),
    gold("x1", T3, "negative", ("The opposition", "critical"), doc_id="court"),
    gold("x2", T4, "neutral", ("Rights groups <script>alert(1)</script>", "wary")),
    gold("court:9", T5, "neutral", ("The  Opposition", "none")),
    gold("loose", "Nothing happened.", "neutral"),
]
# By hand: William Ruto supportive 2; opposition (3 spellings) critical 2 + none 1;
# the rights group wary 1. Documents: ruto (from ids): positive 1, negative 1; court (doc_id and
# id prefix): negative 1, neutral 1; x2 and "loose" have neither: "(no document)" neutral 2.
EXPECTED_ACTORS = {
    "William Ruto": {"supportive": 2, "wary": 0, "critical": 0, "none": 0, "total": 2},
    "opposition": {"supportive": 0, "wary": 0, "critical": 2, "none": 1, "total": 3},
    "Rights groups <script>alert(1)</script>": {"supportive": 0, "wary": 1, "critical": 0,
                                                "none": 0, "total": 1},
}
EXPECTED_DOCS = {"ruto": {"positive": 1, "neutral": 0, "negative": 1, "total": 2},
                 "court": {"positive": 0, "neutral": 1, "negative": 1, "total": 2},
                 "(no document)": {"positive": 0, "neutral": 2, "negative": 0, "total": 2}}


@pytest.fixture()
def report_dir(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(out), "--target", "the MSS"])
    assert result.exit_code == 0, result.output
    return out


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_actor_names_are_normalised():
    assert normalise_actor("The  Opposition,") == "Opposition"
    assert normalise_actor("“the opposition”") == "opposition"


def test_stance_by_actor_csv_matches_hand_count(report_dir):
    rows = read_csv(report_dir / "stance_by_actor.csv")
    counts = {r["actor"]: {k: int(r[k]) for k in ("supportive", "wary", "critical", "none", "total")}
              for r in rows}
    assert counts == EXPECTED_ACTORS
    assert [r["actor"] for r in rows] == ["opposition", "William Ruto",
                                          "Rights groups <script>alert(1)</script>"]
    opposition = rows[0]
    examples = [opposition[f"example_{i}"] for i in (1, 2, 3)]
    assert f"[critical] {T2}" in examples and f"[none] {T5}" in examples


def test_sentiment_by_document_matches_hand_count(report_dir):
    rows = read_csv(report_dir / "sentiment_by_document.csv")
    assert {r["document"]: {k: int(v) for k, v in r.items() if k != "document"} for r in rows} \
        == EXPECTED_DOCS


def test_markdown_tables(report_dir):
    md = (report_dir / "stance_by_actor.md").read_text(encoding="utf-8")
    assert "| William Ruto | 2 | 0 | 0 | 0 | 2 |" in md
    assert "Stance toward the MSS by actor" in md
    table_lines = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table_lines) == 2 + 3
    assert all(line.count(" | ") - line.count("\\|") >= 8 for line in table_lines[2:])
    docs = (report_dir / "sentiment_by_document.md").read_text(encoding="utf-8")
    assert "| ruto | 1 | 0 | 1 | 2 |" in docs


def test_graphml_parses_with_weighted_stance_edges(report_dir):
    root = ET.parse(report_dir / "actor_stance.graphml").getroot()
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(f"{GRAPHML}key")}
    graph = root.find(f"{GRAPHML}graph")

    def data(element):
        return {keys[d.get("key")]: d.text for d in element.findall(f"{GRAPHML}data")}

    nodes = {n.get("id"): data(n) for n in graph.findall(f"{GRAPHML}node")}
    assert nodes["target"] == {"label": "the MSS", "kind": "target", "mentions": "6"}
    label_of = {node_id: d["label"] for node_id, d in nodes.items()}
    edges = {(label_of[e.get("source")], data(e)["stance"]): int(data(e)["weight"])
             for e in graph.findall(f"{GRAPHML}edge")}
    assert all(e.get("target") == "target" for e in graph.findall(f"{GRAPHML}edge"))
    assert edges == {("William Ruto", "supportive"): 2, ("opposition", "critical"): 2,
                     ("opposition", "none"): 1,
                     ("Rights groups <script>alert(1)</script>", "wary"): 1}


def test_html_escapes_text_and_shows_chart(report_dir):
    page = (report_dir / "index.html").read_text(encoding="utf-8")
    assert '<img id="stance-chart" src="stance_by_actor.png"' in page
    assert "<script>" not in page
    assert "Rights groups &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "William Ruto" in page and "opposition" in page
    assert (report_dir / "stance_by_actor.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_replaces_an_old_report_but_never_foreign_files(report_dir, tmp_path):
    path = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(report_dir)])
    assert result.exit_code == 0, result.output
    assert "Stance toward the target" in (report_dir / "stance_by_actor.md").read_text()
    (report_dir / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(report_dir)])
    assert result.exit_code != 0 and "notes.txt" in result.output
    assert (report_dir / "notes.txt").read_text() == "mine"


def test_bad_gold_leaves_no_partial_report(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n" + json.dumps({**RECORDS[1], "sentiment": "x"}) + "\n")
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(out)])
    assert result.exit_code != 0
    assert f"{path}:2" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl"]


@pytest.mark.browser
def test_report_opens_in_chromium_with_its_chart(report_dir):
    with chromium_page() as page:
        page.goto((report_dir / "index.html").as_uri())
        page.wait_for_function("document.getElementById('stance-chart').complete")
        width = page.eval_on_selector("#stance-chart", "img => img.naturalWidth")
        assert width > 0
        assert page.title() == "Stance report: the MSS"
        cells = page.eval_on_selector_all("#actors tbody tr td:first-child",
                                          "tds => tds.map(td => td.textContent)")
        assert cells == ["opposition", "William Ruto", "Rights groups <script>alert(1)</script>"]
        page.screenshot(path=str(report_dir.parent / "report-page.png"), full_page=True)


def test_pulled_gold_with_several_annotators_is_counted_per_record_and_says_so(tmp_path):
    records = [{**RECORDS[0], "annotator": a} for a in ("a@x.org", "b@x.org")]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 sentences have several records" in result.output
    assert read_csv(out / "stance_by_actor.csv")[0]["supportive"] == "2"
    assert "<code>annotate adjudicate</code> first" in (out / "index.html").read_text()


def test_unresolved_pronouns_are_not_counted_as_actors_and_the_report_says_so(tmp_path):
    records = [
        gold("p:1", "They called for safeguards.", "neutral", ("They", "wary")),
        gold("p:2", "He said the force would stay.", "neutral",
             ("He", "supportive", "William Ruto")),
        {**gold("p:3", "It said any abuse would be punished.", "neutral", ("It", "wary")),
         "actors": [{"start": 0, "end": 2, "text": "It", "stance": "wary",
                     "referent": "Human Rights Watch"}]},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = {row["actor"] for row in read_csv(out / "stance_by_actor.csv")}
    assert names == {"William Ruto", "Human Rights Watch"}
    assert "1 pronoun spans" in result.output
